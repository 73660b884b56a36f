//! Snapshot ids: readable UTC times that sort as text, and the names a user
//! may give for one (`latest`, `latest~N`, an id, a unique prefix).

/// A point in time as the store writes it: RFC 3339, UTC, whole seconds
/// (`2026-11-23T06:00:00Z`).
pub fn format_time(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

/// Reads when a page was seen: RFC 3339 with any offset
/// (`2026-10-01T08:00:00+02:00`) or a bare date (`2026-10-01`, midnight UTC).
/// `None` when the text is neither.
pub fn parse_time(text: &str) -> Option<time::OffsetDateTime> {
    let text = text.trim();
    if let Ok(t) = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
    {
        return Some(t);
    }
    let date = time::Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()?;
    Some(date.midnight().assume_utc())
}

/// The id for a snapshot whose pages were seen at `taken_at`: the time
/// itself (RFC 3339, whole seconds, UTC), so that ids sort as the pages were
/// seen whatever order snapshots are stored in. When that id is taken
/// (`exists`), a zero-padded suffix continues its sequence: `...Z-002`,
/// `...Z-003`, which still sorts after the plain id and before the next second.
pub fn id_for(taken_at: time::OffsetDateTime, mut exists: impl FnMut(&str) -> bool) -> String {
    let base = format_time(taken_at);
    if !exists(&base) {
        return base;
    }
    (2u32..)
        .map(|n| format!("{base}-{n:03}"))
        .find(|id| !exists(id))
        .unwrap_or(base)
}

/// Why a snapshot name did not resolve.
#[derive(Debug, PartialEq, Eq)]
pub enum ResolveError {
    /// Nothing matches.
    NotFound,
    /// A prefix matches several ids (listed).
    Ambiguous(Vec<String>),
}

/// Resolves `latest`, `latest~N`, an exact id or a unique id prefix against
/// ids sorted oldest first.
pub fn resolve(ids: &[String], spec: &str) -> Result<String, ResolveError> {
    let spec = spec.trim();
    let back = if spec == "latest" {
        Some(0)
    } else {
        spec.strip_prefix("latest~")
            .and_then(|n| n.parse::<usize>().ok())
    };
    if let Some(back) = back {
        return ids
            .len()
            .checked_sub(back + 1)
            .map(|i| ids[i].clone())
            .ok_or(ResolveError::NotFound);
    }
    if let Some(id) = ids.iter().find(|id| *id == spec) {
        return Ok(id.clone());
    }
    if spec.is_empty() {
        return Err(ResolveError::NotFound);
    }
    let matches: Vec<String> = ids
        .iter()
        .filter(|id| id.starts_with(spec))
        .cloned()
        .collect();
    match matches.len() {
        0 => Err(ResolveError::NotFound),
        1 => Ok(matches.into_iter().next().unwrap_or_default()),
        _ => Err(ResolveError::Ambiguous(matches)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn ids_are_readable_and_sort_through_collisions() {
        let t = datetime!(2026-11-23 06:00:00.750 UTC);
        let mut all: Vec<String> = Vec::new();
        for _ in 0..14 {
            let id = id_for(t, |c| all.iter().any(|a| a == c));
            all.push(id);
        }
        assert_eq!(all[0], "2026-11-23T06:00:00Z");
        assert_eq!(all[1], "2026-11-23T06:00:00Z-002");
        assert_eq!(all[13], "2026-11-23T06:00:00Z-014");
        let next_second = id_for(datetime!(2026-11-23 06:00:01 UTC), |_| false);
        all.push(next_second);
        let mut sorted = all.clone();
        sorted.sort();
        assert_eq!(sorted, all);
        // Pages seen earlier sort earlier, whenever they are stored.
        let earlier = id_for(datetime!(2026-10-01 06:00:00 UTC), |c| {
            all.iter().any(|a| a == c)
        });
        assert_eq!(earlier, "2026-10-01T06:00:00Z");
        assert!(earlier < all[0]);
    }

    #[test]
    fn times_parse_with_offsets_and_as_dates() {
        let t = parse_time("2026-10-01T08:00:00.5+02:00").unwrap();
        assert_eq!(format_time(t), "2026-10-01T06:00:00Z");
        assert_eq!(
            format_time(parse_time("2026-10-01").unwrap()),
            "2026-10-01T00:00:00Z"
        );
        assert_eq!(parse_time("last tuesday"), None);
        assert_eq!(parse_time(""), None);
    }

    #[test]
    fn names_resolve() {
        let ids: Vec<String> = [
            "2026-10-01T06:00:00Z",
            "2026-11-01T06:00:00Z",
            "2026-11-01T06:00:00Z-002",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(resolve(&ids, "latest").unwrap(), ids[2]);
        assert_eq!(resolve(&ids, "latest~1").unwrap(), ids[1]);
        assert_eq!(resolve(&ids, "latest~2").unwrap(), ids[0]);
        assert_eq!(resolve(&ids, "latest~3"), Err(ResolveError::NotFound));
        assert_eq!(resolve(&ids, "2026-10").unwrap(), ids[0]);
        assert_eq!(resolve(&ids, "2026-11-01T06:00:00Z").unwrap(), ids[1]);
        assert!(matches!(
            resolve(&ids, "2026-11"),
            Err(ResolveError::Ambiguous(v)) if v.len() == 2
        ));
        assert_eq!(resolve(&ids, "2025"), Err(ResolveError::NotFound));
        assert_eq!(resolve(&[], "latest"), Err(ResolveError::NotFound));
    }
}
