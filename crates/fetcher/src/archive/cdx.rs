//! The pure half of the archive client: CDX answer pages, Wayback
//! timestamps, and keeping one capture per period.

/// One row of a CDX listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdxCapture {
    /// 14-digit UTC timestamp (`20190305123456`).
    pub timestamp: String,
    /// The URL as archived.
    pub original: String,
    /// The archived MIME type.
    pub mimetype: String,
    /// The archived status (`200`).
    pub statuscode: String,
    /// Base32 SHA-1 of the archived payload.
    pub digest: String,
}

/// How many captures a backfill keeps per page: one per period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    /// One per UTC day.
    Day,
    /// One per ISO week.
    Week,
    /// One per calendar month.
    Month,
}

impl Every {
    /// Parses `day`, `week` or `month`.
    pub fn parse(text: &str) -> Option<Every> {
        match text.trim().to_ascii_lowercase().as_str() {
            "day" => Some(Every::Day),
            "week" => Some(Every::Week),
            "month" => Some(Every::Month),
            _ => None,
        }
    }

    /// The period a timestamp falls in (`2019-03-05`, `2019-W10`, `2019-03`);
    /// `None` for a malformed timestamp.
    pub fn period(self, timestamp: &str) -> Option<String> {
        let at = timestamp_time(timestamp)?;
        let date = at.date();
        Some(match self {
            Every::Day => format!(
                "{:04}-{:02}-{:02}",
                date.year(),
                date.month() as u8,
                date.day()
            ),
            Every::Week => {
                let (year, week, _) = date.to_iso_week_date();
                format!("{year:04}-W{week:02}")
            }
            Every::Month => format!("{:04}-{:02}", date.year(), date.month() as u8),
        })
    }
}

/// A 14-digit Wayback timestamp as a UTC time (shorter ones are padded:
/// `2019` is 2019-01-01T00:00:00Z).
pub fn timestamp_time(timestamp: &str) -> Option<time::OffsetDateTime> {
    if timestamp.is_empty()
        || timestamp.len() > 14
        || !timestamp.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let padded = format!("{timestamp:0<14}");
    let num = |range: std::ops::Range<usize>| padded[range].parse::<u32>().ok();
    let year = num(0..4)? as i32;
    let month = num(4..6)?.max(1) as u8;
    let day = num(6..8)?.max(1) as u8;
    let date =
        time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()?;
    let clock =
        time::Time::from_hms(num(8..10)? as u8, num(10..12)? as u8, num(12..14)? as u8).ok()?;
    Some(time::PrimitiveDateTime::new(date, clock).assume_utc())
}

/// A 14-digit timestamp as RFC 3339 (`2019-03-05T12:34:56Z`).
pub fn timestamp_rfc3339(timestamp: &str) -> Option<String> {
    let at = timestamp_time(timestamp)?;
    at.format(&time::format_description::well_known::Rfc3339)
        .ok()
}

/// Keeps one capture per period: the latest of each, oldest period first.
/// Rows with a malformed timestamp and repeated timestamps are dropped.
pub fn one_per_period(mut rows: Vec<CdxCapture>, every: Every) -> Vec<CdxCapture> {
    rows.retain(|r| timestamp_time(&r.timestamp).is_some());
    rows.sort_by(|a, b| a.timestamp.cmp(&b.timestamp));
    rows.dedup_by(|b, a| a.timestamp == b.timestamp);
    let mut out: Vec<(String, CdxCapture)> = Vec::new();
    for row in rows {
        let period = every.period(&row.timestamp).unwrap_or_default();
        match out.last_mut() {
            Some((last, kept)) if *last == period => *kept = row,
            _ => out.push((period, row)),
        }
    }
    out.into_iter().map(|(_, row)| row).collect()
}

/// Parses one CDX JSON answer page: the rows, and the resume key when there
/// is a next page. The first row names the fields.
pub fn parse_cdx_page(body: &[u8]) -> Result<(Vec<CdxCapture>, Option<String>), String> {
    let rows: Vec<Vec<String>> = if body.iter().all(u8::is_ascii_whitespace) {
        Vec::new()
    } else {
        serde_json::from_slice(body)
            .map_err(|e| format!("the answer is not CDX JSON (an array of string arrays): {e}"))?
    };
    let mut rows = rows.into_iter();
    let Some(header) = rows.next() else {
        return Ok((Vec::new(), None));
    };
    let field = |name: &str| header.iter().position(|h| h == name);
    let (Some(ts), Some(original), Some(digest)) =
        (field("timestamp"), field("original"), field("digest"))
    else {
        return Err(format!(
            "the CDX header row {header:?} lacks timestamp, original or digest"
        ));
    };
    let (mime, status) = (field("mimetype"), field("statuscode"));
    let mut captures = Vec::new();
    let mut resume = None;
    let mut after_blank = false;
    for row in rows {
        if row.is_empty() {
            after_blank = true;
            continue;
        }
        if after_blank {
            // showResumeKey: an empty row, then the key alone.
            resume = row.into_iter().next().filter(|k| !k.is_empty());
            break;
        }
        let get = |i: Option<usize>| i.and_then(|i| row.get(i)).cloned().unwrap_or_default();
        captures.push(CdxCapture {
            timestamp: get(Some(ts)),
            original: get(Some(original)),
            mimetype: get(mime),
            statuscode: get(status),
            digest: get(Some(digest)),
        });
    }
    Ok((captures, resume))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(ts: &str, digest: &str) -> CdxCapture {
        CdxCapture {
            timestamp: ts.into(),
            original: "https://c.example/cart".into(),
            mimetype: "text/html".into(),
            statuscode: "200".into(),
            digest: digest.into(),
        }
    }

    #[test]
    fn cdx_pages_read_rows_and_the_resume_key() {
        let body = br#"[["timestamp","original","mimetype","statuscode","digest"],
            ["20190305123456","https://c.example/cart","text/html","200","AAAA"],
            ["20200101000000","https://c.example/cart","text/html","200","BBBB"],
            [],
            ["example,c)/cart 20200101000000"]]"#;
        let (rows, key) = parse_cdx_page(body).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].digest, "BBBB");
        assert_eq!(key.as_deref(), Some("example,c)/cart 20200101000000"));
        let (rows, key) = parse_cdx_page(b"[]").unwrap();
        assert!(rows.is_empty() && key.is_none());
        assert!(parse_cdx_page(b"").unwrap().0.is_empty());
        assert!(parse_cdx_page(b"<html>").is_err());
        assert!(parse_cdx_page(br#"[["a","b"],["1","2"]]"#).is_err());
    }

    #[test]
    fn periods_keep_the_latest_capture_of_each() {
        let rows = vec![
            row("20190320000000", "B"),
            row("20190305000000", "A"),
            row("20190305000000", "A"),
            row("20190402000000", "C"),
            row("2019bad", "X"),
        ];
        let kept = one_per_period(rows.clone(), Every::Month);
        let stamps: Vec<_> = kept.iter().map(|r| r.timestamp.as_str()).collect();
        assert_eq!(stamps, ["20190320000000", "20190402000000"]);
        let kept = one_per_period(rows, Every::Day);
        assert_eq!(kept.len(), 3);
        assert_eq!(Every::Week.period("20190305000000").unwrap(), "2019-W10");
        assert_eq!(Every::Day.period("20191231").unwrap(), "2019-12-31");
        assert_eq!(Every::parse("Month"), Some(Every::Month));
        assert_eq!(Every::parse("year"), None);
    }

    #[test]
    fn timestamps_become_rfc3339() {
        assert_eq!(
            timestamp_rfc3339("20190305123456").as_deref(),
            Some("2019-03-05T12:34:56Z")
        );
        assert_eq!(
            timestamp_rfc3339("2019").as_deref(),
            Some("2019-01-01T00:00:00Z")
        );
        assert_eq!(timestamp_rfc3339("20191332000000"), None);
        assert_eq!(timestamp_rfc3339("x"), None);
        assert_eq!(timestamp_rfc3339("201903051234567"), None);
    }
}
