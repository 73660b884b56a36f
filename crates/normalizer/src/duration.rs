//! Durations written in words: "two to three hours" = 120-180 minutes,
//! "30 to 60 minutes", "a two-day period for 45 minutes a day" = 90,
//! "several weeks" (text only), and open-ended ones with the known side
//! only: "under 15 minutes" is at most 15, "at least 10 days" at least 14400.

use crate::matcher::Cue;
use cartwatch_model::Duration;
use once_cell::sync::Lazy;
use regex::Regex;

const NUM: &str = r"(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|forty-five|fifty|sixty|ninety|a|an|a single|half an?|a half|a couple of|a couple|couple of|a few|few|several|many|a number of)";
const UNIT: &str = r"(?:minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?|years?|yrs?)";

static RANGE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(&format!(
        r"(?i)\b(?P<pre>between|from|about|around|approximately|roughly|nearly|up to|at least|no more than|not more than|no longer than|more than|longer than|less than|fewer than|over|under|within|for|takes?|lasts?|typically|usually|generally)?\s*(?P<a>{NUM})(?:\s*(?:-|–|—|to|or|and)\s*(?P<b>{NUM}))?[\s-]+(?:(?:consecutive|straight|full|whole|separate|total|more)\s+)?(?P<unit>{UNIT})\b"
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

/// Words before a number that make it a time frame: "within the first", "in the next".
static TIME_FRAME: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?:^|\W)(?:within|in|during) the (?:first|next|initial)$")
        .expect("time-frame regex")
});

/// An onset verb just before the duration: "begin within", "usually start in the first".
static ONSET: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?:^|\W)(?:begins?|began|start(?:s|ed)?|occurs?|occurred|appears?|develops?|happens?|shows? up|set in|sets in)(?: \w+){0,3}$")
        .expect("onset regex")
});

/// The side left open by an open-ended duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OpenSide {
    /// "at least 10 days": a lower bound only.
    Above,
    /// "under 15 minutes": an upper bound only.
    Below,
}

/// Which side the words before a single number leave open, if any. "Over"
/// after a verb of giving ("given over 30 minutes") is how long, not a bound.
fn open_side(pre: &str, before: &str) -> Option<OpenSide> {
    match pre {
        "at least" | "more than" | "longer than" => Some(OpenSide::Above),
        "over" => {
            let lead = before.rsplit(' ').next().unwrap_or("");
            let given = lead.ends_with("ed")
                || matches!(lead, "given" | "done" | "drawn" | "run" | "spread");
            (!given).then_some(OpenSide::Above)
        }
        "up to" | "less than" | "fewer than" | "under" | "no more than" | "not more than"
        | "no longer than" | "within" => Some(OpenSide::Below),
        _ => None,
    }
}

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
        let after = sentence[whole.end()..].trim_start().to_ascii_lowercase();
        // "within three months of the infusion" places an event in time.
        if pre == "within"
            && ["of", "after", "from", "following"].iter().any(|w| {
                after.starts_with(w) && !after[w.len()..].starts_with(|c: char| c.is_alphanumeric())
            })
        {
            continue;
        }
        // "3 days before the infusion" places an event; "for 3 days before
        // the infusion" still says how long.
        let how_long = matches!(pre.as_str(), "for" | "takes" | "take" | "lasts" | "last");
        // "an hour's drive", "two hours away": a distance.
        if ["'s", "\u{2019}s", "drive", "away", "by car"]
            .iter()
            .any(|w| after.starts_with(w))
        {
            continue;
        }
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
        // "within the first two weeks", "in the next few days": a time frame, not a length.
        if TIME_FRAME.is_match(&before) {
            continue;
        }
        // "side effects usually begin within two weeks": when something starts, not how long a step takes.
        if ONSET.is_match(&before) {
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
        let (lo, hi) = match (a, b) {
            (Some(a), None) => {
                let m = minutes(a, unit);
                match open_side(&pre, &before) {
                    Some(OpenSide::Above) => (m, None),
                    Some(OpenSide::Below) => (None, m),
                    None => (m, m),
                }
            }
            (Some(a), Some(Some(b))) => (minutes(a, unit), minutes(b, unit)),
            _ => (None, None),
        };
        let open = b.is_none() && open_side(&pre, &before).is_some();
        // "over two to three hours": keep the preposition out of the text.
        let text_start = caps.name("a").map(|m| m.start()).unwrap_or(whole.start());
        let text_start = if open
            || matches!(
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
    }

    #[test]
    fn open_ended_keep_the_known_side() {
        assert_eq!(
            first("Close monitoring for more than a month."),
            ("more than a month".into(), Some(43200), None)
        );
        assert_eq!(
            first("The infusion itself takes under 15 minutes."),
            ("under 15 minutes".into(), None, Some(15))
        );
        assert_eq!(
            first("Stay nearby for at least 10 days."),
            ("at least 10 days".into(), Some(14400), None)
        );
        assert_eq!(
            first("Making the cells takes up to 4 weeks."),
            ("up to 4 weeks".into(), None, Some(40320))
        );
        assert_eq!(
            first("Collection takes no more than four hours."),
            ("no more than four hours".into(), None, Some(240))
        );
        assert_eq!(
            first("Results come back within 5 days."),
            ("within 5 days".into(), None, Some(7200))
        );
        assert_eq!(
            first("The cells are given over 30 minutes."),
            ("30 minutes".into(), Some(30), Some(30))
        );
    }

    #[test]
    fn onsets_and_time_frames_are_no_lengths() {
        assert!(durations("Side effects usually begin within the first two weeks.").is_empty());
        assert!(durations("Side effects usually begin within two weeks.").is_empty());
        assert!(durations("Fevers often start in the first few days.").is_empty());
        assert!(durations("Most patients stay within 2 hours of the center.").is_empty());
        assert!(durations("Live within an hour's drive of the hospital.").is_empty());
        assert!(durations("You must live no more than two hours away.").is_empty());
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
