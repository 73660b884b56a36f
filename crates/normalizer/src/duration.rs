//! Durations written in words: "two to three hours" = 120-180 minutes,
//! "30 to 60 minutes", "a two-day period for 45 minutes a day" = 90,
//! "several weeks" (text only).

use crate::matcher::Cue;
use cartwatch_model::Duration;
use once_cell::sync::Lazy;
use regex::Regex;

const NUM: &str = r"(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|forty-five|fifty|sixty|ninety|a|an|a single|half an?|a half|a couple of|a couple|couple of|a few|few|several|many|a number of)";
const UNIT: &str = r"(?:minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?|years?|yrs?)";

static RANGE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(&format!(
        r"(?i)\b(?P<pre>between|from|about|around|approximately|roughly|nearly|up to|at least|more than|less than|over|under|within|for|takes?|lasts?|typically|usually|generally)?\s*(?P<a>{NUM})(?:\s*(?:-|–|—|to|or|and)\s*(?P<b>{NUM}))?[\s-]+(?:(?:consecutive|straight|full|whole|separate|total|more)\s+)?(?P<unit>{UNIT})\b"
    ))
    .expect("duration regex")
});

/// Both patterns need a unit word: a sentence without one is not searched
/// (a literal prefilter, then the unit pattern alone; see `matcher.rs`).
static ANY_UNIT: Lazy<Cue> =
    Lazy::new(|| Cue::new("duration units", &[format!("(?i){UNIT}")]).expect("unit regex"));

static PER_DAY: Lazy<Regex> = Lazy::new(|| {
    Regex::new(&format!(
        r"(?i)\b(?:over |across )?(?:a |an )?(?P<days>{NUM})[\s-]+days?(?:[\s-]+period)?,? (?:for |of )?(?:about |approximately )?(?P<n>{NUM})[\s-]+(?P<unit>minutes?|mins?|hours?|hrs?) (?:a|per|each) day\b"
    ))
    .expect("per-day regex")
});

fn number(word: &str) -> Option<f64> {
    let w = word.trim().to_ascii_lowercase();
    if let Ok(n) = w.parse::<f64>() {
        return Some(n);
    }
    Some(match w.as_str() {
        "a" | "an" | "one" | "a single" => 1.0,
        "half a" | "half an" | "a half" => 0.5,
        "two" | "a couple of" | "a couple" | "couple of" => 2.0,
        "three" => 3.0,
        "four" => 4.0,
        "five" => 5.0,
        "six" => 6.0,
        "seven" => 7.0,
        "eight" => 8.0,
        "nine" => 9.0,
        "ten" => 10.0,
        "eleven" => 11.0,
        "twelve" => 12.0,
        "thirteen" => 13.0,
        "fourteen" => 14.0,
        "fifteen" => 15.0,
        "sixteen" => 16.0,
        "seventeen" => 17.0,
        "eighteen" => 18.0,
        "nineteen" => 19.0,
        "twenty" => 20.0,
        "thirty" => 30.0,
        "forty" => 40.0,
        "forty-five" => 45.0,
        "fifty" => 50.0,
        "sixty" => 60.0,
        "ninety" => 90.0,
        _ => return None, // few, several, many: vague
    })
}

fn unit_minutes(unit: &str) -> u64 {
    let u = unit.to_ascii_lowercase();
    if u.starts_with("min") {
        1
    } else if u.starts_with('h') {
        60
    } else if u.starts_with('d') {
        1440
    } else if u.starts_with('w') {
        10080
    } else if u.starts_with('y') {
        525600
    } else {
        43200
    }
}

fn minutes(n: f64, unit: u64) -> Option<u64> {
    let m = n * unit as f64;
    (m.is_finite() && (0.0..1.0e12).contains(&m)).then(|| m.round() as u64)
}

/// Durations in a sentence, with the byte offset where each starts. Durations
/// that place an event in time rather than say how long a step takes ("a few
/// days later", "within three months of") are left out.
pub(crate) fn durations(sentence: &str) -> Vec<(usize, Duration)> {
    if !ANY_UNIT.is_match(sentence) {
        return Vec::new();
    }
    let mut out: Vec<(usize, Duration)> = Vec::new();
    let mut taken: Vec<(usize, usize)> = Vec::new();
    for caps in PER_DAY.captures_iter(sentence) {
        let whole = caps.get(0).expect("match");
        let days = number(&caps["days"]);
        let n = number(&caps["n"]);
        let unit = unit_minutes(&caps["unit"]);
        let total = match (days, n) {
            (Some(d), Some(n)) => minutes(d * n, unit),
            _ => None,
        };
        out.push((
            whole.start(),
            Duration {
                text: whole.as_str().trim().to_string(),
                min_minutes: total,
                max_minutes: total,
            },
        ));
        taken.push((whole.start(), whole.end()));
    }
    for caps in RANGE.captures_iter(sentence) {
        let whole = caps.get(0).expect("match");
        if taken
            .iter()
            .any(|&(s, e)| whole.start() < e && s < whole.end())
        {
            continue;
        }
        let pre = caps
            .name("pre")
            .map(|m| m.as_str().to_ascii_lowercase())
            .unwrap_or_default();
        if pre == "within" {
            continue;
        }
        let after = sentence[whole.end()..].trim_start().to_ascii_lowercase();
        // "3 days before the infusion" places an event; "for 3 days before
        // the infusion" still says how long.
        let how_long = matches!(pre.as_str(), "for" | "takes" | "take" | "lasts" | "last");
        if [
            "later", "before", "ago", "prior", "of age", "old", "earlier",
        ]
        .iter()
        .any(|w| after.starts_with(w) && !(how_long && matches!(*w, "before" | "prior")))
        {
            continue;
        }
        let before = sentence[..whole.start()].trim_end().to_ascii_lowercase();
        if before.ends_with("within") || before.ends_with("after") || before.ends_with("every") {
            continue;
        }
        let a_word = caps["a"].to_ascii_lowercase();
        // "a" / "an" alone before a unit only counts with a duration verb or preposition.
        if (a_word == "a" || a_word == "an") && pre.is_empty() && caps.name("b").is_none() {
            let lead = before.rsplit(' ').next().unwrap_or("");
            if !matches!(
                lead,
                "takes"
                    | "take"
                    | "lasts"
                    | "last"
                    | "for"
                    | "over"
                    | "about"
                    | "around"
                    | "than"
                    | "least"
                    | "to"
            ) {
                continue;
            }
        }
        let unit = unit_minutes(&caps["unit"]);
        // Years only with a word saying how long ("for 15 years"): a bare
        // "10 years" is an age or a time in the past far more often.
        if unit == 525600 && pre.is_empty() {
            continue;
        }
        let a = number(&caps["a"]);
        let b = caps.name("b").map(|m| number(m.as_str()));
        let open = matches!(
            pre.as_str(),
            "at least" | "more than" | "over" | "up to" | "less than" | "under"
        ) && b.is_none();
        let (lo, hi) = if open {
            (None, None)
        } else {
            match (a, b) {
                (Some(a), None) => (minutes(a, unit), minutes(a, unit)),
                (Some(a), Some(Some(b))) => (minutes(a, unit), minutes(b, unit)),
                _ => (None, None),
            }
        };
        // "over two to three hours": keep the preposition out of the text.
        let text_start = caps.name("a").map(|m| m.start()).unwrap_or(whole.start());
        let text_start = if matches!(
            pre.as_str(),
            "between"
                | "about"
                | "around"
                | "approximately"
                | "at least"
                | "more than"
                | "less than"
                | "up to"
                | "nearly"
                | "roughly"
        ) {
            caps.name("pre").map(|m| m.start()).unwrap_or(text_start)
        } else {
            text_start
        };
        out.push((
            whole.start(),
            Duration {
                text: sentence[text_start..whole.end()].trim().to_string(),
                min_minutes: lo,
                max_minutes: hi,
            },
        ));
    }
    out.sort_by_key(|(at, _)| *at);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(s: &str) -> (String, Option<u64>, Option<u64>) {
        let d = durations(s);
        assert!(!d.is_empty(), "no duration in {s:?}");
        (d[0].1.text.clone(), d[0].1.min_minutes, d[0].1.max_minutes)
    }

    #[test]
    fn words_and_ranges() {
        assert_eq!(
            first("We draw blood from your arm with an IV over two to three hours."),
            ("two to three hours".into(), Some(120), Some(180))
        );
        assert_eq!(
            first("This usually takes between 30 to 60 minutes, but can last longer."),
            ("between 30 to 60 minutes".into(), Some(30), Some(60))
        );
        assert_eq!(
            first("It takes 2-3 weeks."),
            ("2-3 weeks".into(), Some(20160), Some(30240))
        );
        assert_eq!(
            first("The infusion takes about an hour."),
            ("about an hour".into(), Some(60), Some(60))
        );
        assert_eq!(
            first("You stay for 4 weeks."),
            ("4 weeks".into(), Some(40320), Some(40320))
        );
    }

    #[test]
    fn vague_and_open_ended_keep_text_only() {
        assert_eq!(
            first("It takes several weeks to make them."),
            ("several weeks".into(), None, None)
        );
        assert_eq!(
            first("Close monitoring for more than a month."),
            ("more than a month".into(), None, None)
        );
    }

    #[test]
    fn a_word_between_number_and_unit() {
        assert_eq!(
            first("Chemotherapy is given daily for 3 consecutive days."),
            ("3 consecutive days".into(), Some(4320), Some(4320))
        );
    }

    #[test]
    fn for_days_before_is_a_duration() {
        assert_eq!(
            first("You receive chemotherapy for 3 days before the cells are given."),
            ("3 days".into(), Some(4320), Some(4320))
        );
        assert!(durations("Three days before the infusion, you get chemo.").is_empty());
    }

    #[test]
    fn years_need_a_duration_word() {
        assert_eq!(
            first("We follow you for 15 years, as the FDA requires."),
            ("15 years".into(), Some(15 * 525600), Some(15 * 525600))
        );
        assert!(durations("In the past 10 years we have infused 400 patients.").is_empty());
    }

    #[test]
    fn per_day_totals() {
        let d = durations("usually done over a two-day period for 45 minutes a day");
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].1.min_minutes, Some(90));
    }

    #[test]
    fn points_in_time_are_not_durations() {
        assert!(durations("A few days later, we infuse you.").is_empty());
        assert!(
            durations("Within three months of CAR T-cell infusion, most were in remission.")
                .is_empty()
        );
        assert!(durations("Patients up to 25 years old.").is_empty());
        assert!(durations("A few days before the infusion, you get chemo.").is_empty());
    }
}
