//! The dates a page states about itself: "Medically reviewed by ... on Oct.
//! 12, 2023" and "Last updated: 3/4/2024", each with its sentence.

use crate::dom::{Block, Hint};
use crate::text::sentences;
use once_cell::sync::Lazy;
use regex::Regex;

const MONTHS: &str = r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?";

static DATE_CUE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(&format!(
        r"(?i)\b(?P<q>medically |clinically |medical |last |page |content |date |article |information )?(?P<w>reviewed|review date|date of (?:last )?review|revised|revision date|updated|modified)\b(?P<gap>[^\n]{{0,120}}?)(?P<date>(?P<m1>{MONTHS})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>(?:19|20)\d{{2}})|(?P<d2>\d{{1,2}})\s+(?P<m2>{MONTHS})\.?,?\s+(?P<y2>(?:19|20)\d{{2}})|(?P<y3>(?:19|20)\d{{2}})[-/.](?P<m3>\d{{1,2}})[-/.](?P<d3>\d{{1,2}})|(?P<m4>\d{{1,2}})[/.](?P<d4>\d{{1,2}})[/.](?P<y4>(?:19|20)?\d{{2}})\b)"
    ))
    .unwrap()
});

fn month_number(m: &str) -> Option<u32> {
    let l = m.to_ascii_lowercase();
    let months = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    months
        .iter()
        .position(|p| l.starts_with(p))
        .map(|i| i as u32 + 1)
}

fn iso_date(caps: &regex::Captures<'_>) -> Option<String> {
    let (y, m, d) = if let Some(y) = caps.name("y1") {
        (
            y.as_str().parse().ok()?,
            month_number(&caps["m1"])?,
            caps["d1"].parse().ok()?,
        )
    } else if let Some(y) = caps.name("y2") {
        (
            y.as_str().parse().ok()?,
            month_number(&caps["m2"])?,
            caps["d2"].parse().ok()?,
        )
    } else if let Some(y) = caps.name("y3") {
        (
            y.as_str().parse().ok()?,
            caps["m3"].parse().ok()?,
            caps["d3"].parse().ok()?,
        )
    } else if let Some(y) = caps.name("y4") {
        // "1/5/25": a two-digit year is in this century.
        let y: u32 = y.as_str().parse().ok()?;
        (
            if y < 100 { 2000 + y } else { y },
            caps["m4"].parse().ok()?,
            caps["d4"].parse().ok()?,
        )
    } else {
        return None;
    };
    let (y, m, d): (u32, u32, u32) = (y, m, d);
    let days = days_in_month(y, m)?;
    (d >= 1 && d <= days).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// The number of days of month `m` (1-12) of year `y`; `None` for no month.
pub(crate) fn days_in_month(y: u32, m: u32) -> Option<u32> {
    Some(match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        _ => return None,
    })
}

/// The review and revision dates of a page, each with its sentence.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct PageDateFacts {
    /// The medical review date (ISO) and its sentence.
    pub reviewed: Option<(String, String)>,
    /// The last revised / updated date (ISO) and its sentence.
    pub revised: Option<(String, String)>,
}

/// The page's dates: from the content first, then anywhere but navigation,
/// notices and what stands above the content.
pub(crate) fn page_dates(blocks: &[Block]) -> PageDateFacts {
    let mut reviewed: Option<(bool, String, String)> = None;
    let mut revised: Option<(bool, String, String)> = None;
    for block in blocks {
        // Never from navigation, notices, headers or anything above the content
        // (alert bars without markup hints stand there); a footer's "page last
        // updated" counts.
        let in_content = block.in_root && block.chrome_elem.is_none();
        let below = !block.before_root && matches!(block.hint, None | Some(Hint::Footer));
        if !(in_content || below) {
            continue;
        }
        let text = &block.text;
        if !text.bytes().any(|b| b.is_ascii_digit()) {
            continue;
        }
        let mut from = 0;
        while let Some(caps) = DATE_CUE.captures_at(text, from) {
            // Resume just after this cue, so a cue whose date is rejected does not hide the next one.
            let cue_end = caps.name("w").map(|m| m.end()).unwrap_or(text.len());
            from = cue_end;
            let w = caps["w"].to_ascii_lowercase();
            let q = caps
                .name("q")
                .map(|m| m.as_str().trim().to_ascii_lowercase());
            let is_review = w.contains("review");
            // "Updated February 26, 2025" in a reference list is not the page's date:
            // a bare verb needs "by", "on" or a colon after it ("Reviewed by ... on", "Updated: ...").
            let gap = caps.name("gap").map(|m| m.as_str()).unwrap_or("");
            let gap_lower = gap.trim_start().to_ascii_lowercase();
            let introduced = gap_lower.starts_with("by ")
                || gap_lower.starts_with("on ")
                || gap_lower.starts_with(':')
                || gap_lower.is_empty() && gap.starts_with(':')
                || w.contains(' ');
            if q.is_none() && !introduced {
                continue;
            }
            let Some(date) = iso_date(&caps) else {
                continue;
            };
            let at = caps.get(0).map(|m| m.start()).unwrap_or(0);
            let date_end = caps.name("date").map(|m| m.end()).unwrap_or(at);
            let spans = sentences(text);
            let Some(&(start, end)) = spans.iter().find(|&&(s, e)| at >= s && at < e) else {
                continue;
            };
            if date_end > end {
                continue; // the date belongs to another sentence
            }
            let sentence = text[start..end].to_string();
            let slot = if is_review {
                &mut reviewed
            } else {
                &mut revised
            };
            let better = match slot {
                None => true,
                Some((was_content, _, _)) => in_content && !*was_content,
            };
            if better {
                *slot = Some((in_content, date, sentence));
            }
        }
    }
    PageDateFacts {
        reviewed: reviewed.map(|(_, date, sentence)| (date, sentence)),
        revised: revised.map(|(_, date, sentence)| (date, sentence)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_in_several_forms() {
        let get = |s: &str| DATE_CUE.captures(s).and_then(|c| iso_date(&c));
        assert_eq!(
            get("Medically reviewed by Brian Jonas, M.D. on Oct. 12, 2023."),
            Some("2023-10-12".into())
        );
        assert_eq!(get("Last Revised: July 7, 2025"), Some("2025-07-07".into()));
        assert_eq!(get("Page last updated 3/4/2024"), Some("2024-03-04".into()));
        assert_eq!(get("Reviewed: 12 March 2024"), Some("2024-03-12".into()));
        assert_eq!(get("Last reviewed 2024-02-30"), None);
        assert_eq!(get("Updated: October 12, 2023"), Some("2023-10-12".into()));
        assert_eq!(get("Page reviewed: 1/5/25"), Some("2025-01-05".into()));
        assert_eq!(get("Reviewed: 2024/05/01"), Some("2024-05-01".into()));
        assert_eq!(get("Last updated 04.15.2025"), Some("2025-04-15".into()));
        assert_eq!(get("Last updated 04/15/20255"), None);
    }
}
