//! Snapshot ids: readable UTC times that sort as text, and the names a user
//! may give for one (`latest`, `latest~N`, an id, a unique prefix).

/// The id for a snapshot taken at `now` (RFC 3339, whole seconds, UTC), given
/// the newest existing id: always sorts after it. Same-second collisions (or a
/// clock that went backwards) get a zero-padded suffix, `...Z-002`, which
/// still sorts after the plain id and before the next second.
pub fn next_id(now: time::OffsetDateTime, newest: Option<&str>) -> String {
    let now = now.to_offset(time::UtcOffset::UTC);
    let base = now
        .replace_nanosecond(0)
        .unwrap_or(now)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into());
    let Some(newest) = newest else {
        return base;
    };
    if base.as_str() > newest {
        return base;
    }
    // Same second as (or earlier than) the newest: continue its sequence.
    let (newest_base, n) = split_suffix(newest);
    format!("{newest_base}-{:03}", n + 1)
}

/// Splits `...Z-007` into (`...Z`, 7); an id without suffix is number 1.
fn split_suffix(id: &str) -> (&str, u32) {
    if let Some((base, n)) = id.rsplit_once('-') {
        if base.ends_with('Z') && n.len() == 3 {
            if let Ok(n) = n.parse() {
                return (base, n);
            }
        }
    }
    (id, 1)
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
        let a = next_id(t, None);
        assert_eq!(a, "2026-11-23T06:00:00Z");
        let b = next_id(t, Some(&a));
        assert_eq!(b, "2026-11-23T06:00:00Z-002");
        let mut last = b.clone();
        let mut all = vec![a.clone(), b.clone()];
        for _ in 0..12 {
            last = next_id(t, Some(&last));
            all.push(last.clone());
        }
        assert_eq!(last, "2026-11-23T06:00:00Z-014");
        let next_second = next_id(datetime!(2026-11-23 06:00:01 UTC), Some(&last));
        all.push(next_second.clone());
        let mut sorted = all.clone();
        sorted.sort();
        assert_eq!(sorted, all);
        // A clock that went backwards still sorts after the newest.
        let earlier = next_id(datetime!(2026-11-22 00:00:00 UTC), Some(&next_second));
        assert!(earlier > next_second, "{earlier}");
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
