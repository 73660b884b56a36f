//! Dollar amounts given for the therapy: "$300,000 to $475,000", "well over
//! $500,000", "$1.2 to $1.5 million".

use cartwatch_model::Cost;
use once_cell::sync::Lazy;
use regex::Regex;

static COST: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)(?P<pre>\b(?:between|from|over|more than|in excess of|upwards of|exceeding|exceeds?|at least|up to|under|less than|nearly|about|around|approximately|roughly|as much as|as high as)\s+)?(?P<a>\$\s?\d+(?:,\d{3})*(?:\.\d+)?)(?:\s*(?P<am>million|billion|k)\b)?(?:\s*(?:to|and|-|–|—)\s*(?P<b>\$?\s?\d+(?:,\d{3})*(?:\.\d+)?)(?:\s*(?P<bm>million|billion|k)\b)?)?").unwrap()
});

fn money(s: &str, mult: Option<&str>) -> Option<u64> {
    let digits: String = s
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let v: f64 = digits.parse().ok()?;
    let m = match mult.map(|m| m.to_ascii_lowercase()) {
        Some(ref m) if m == "million" => 1e6,
        Some(ref m) if m == "billion" => 1e9,
        Some(ref m) if m == "k" => 1e3,
        _ => 1.0,
    };
    let total = v * m;
    (total.is_finite() && (0.0..1e15).contains(&total)).then(|| total.round() as u64)
}

/// The amounts of a sentence (at least $1,000 each), open bounds kept open.
pub(crate) fn costs_in(sentence: &str) -> Vec<Cost> {
    let mut out = Vec::new();
    for caps in COST.captures_iter(sentence) {
        let pre = caps
            .name("pre")
            .map(|m| m.as_str().trim().to_ascii_lowercase())
            .unwrap_or_default();
        let bm = caps.name("bm").map(|m| m.as_str());
        let am = caps.name("am").map(|m| m.as_str()).or(bm);
        let Some(a) = money(&caps["a"], am) else {
            continue;
        };
        let b = caps.name("b").and_then(|m| money(m.as_str(), bm));
        let (lo, hi) = match (pre.as_str(), b) {
            (_, Some(b)) => (Some(a.min(b)), Some(a.max(b))),
            (
                "over" | "more than" | "in excess of" | "upwards of" | "exceeding" | "exceed"
                | "exceeds" | "at least",
                None,
            ) => (Some(a), None),
            ("up to" | "under" | "less than" | "as much as" | "as high as", None) => {
                (None, Some(a))
            }
            _ => (Some(a), Some(a)),
        };
        if lo.max(hi).unwrap_or(0) < 1000 {
            continue;
        }
        let start = match pre.as_str() {
            "" | "from" | "between" => caps.name("a").map(|m| m.start()).unwrap_or(0),
            _ => caps.get(0).map(|m| m.start()).unwrap_or(0),
        };
        let end = caps.get(0).map(|m| m.end()).unwrap_or(start);
        out.push(Cost {
            text: sentence[start..end].trim().to_string(),
            min_usd: lo,
            max_usd: hi,
            evidence: sentence.to_string(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_ranges_and_open_bounds() {
        let c = costs_in("The cost can range from $300,000 to $475,000, and the total can be well over $500,000.");
        assert_eq!(c.len(), 2);
        assert_eq!((c[0].min_usd, c[0].max_usd), (Some(300000), Some(475000)));
        assert_eq!(c[0].text, "$300,000 to $475,000");
        assert_eq!((c[1].min_usd, c[1].max_usd), (Some(500000), None));
        let m = costs_in("List prices are $1.2 to $1.5 million.");
        assert_eq!(
            (m[0].min_usd, m[0].max_usd),
            (Some(1_200_000), Some(1_500_000))
        );
        assert!(costs_in("Parking costs $12.").is_empty());
    }
}
