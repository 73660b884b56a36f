//! Sentence splitting and small text helpers.

/// Words that end with a period without ending a sentence.
const ABBREVIATIONS: &[&str] = &[
    "dr", "mr", "mrs", "ms", "st", "jr", "sr", "md", "phd", "vs", "etc", "eg", "ie", "no", "inc",
    "ltd", "co", "fig", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
    "nov", "dec", "ave", "blvd", "rd", "ste", "approx", "dept", "univ", "prof", "rn", "np", "pa",
    "do", "ph", "mon", "tue", "wed", "thu", "fri", "sat", "sun", "mt", "ft", "vol", "pp", "al",
    "ext", "tel",
];

/// Byte ranges of the sentences of `text` (whitespace already folded).
pub(crate) fn sentences(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'.' || c == b'!' || c == b'?' {
            // Closing quotes or brackets stay with the sentence.
            let mut end = i + 1;
            while end < bytes.len() && matches!(bytes[end], b'"' | b'\'' | b')' | b']') {
                end += 1;
            }
            // Also typographic closing quotes (U+201D, U+2019): E2 80 9D / E2 80 99.
            while end + 2 < bytes.len() + 1
                && end + 3 <= bytes.len()
                && bytes[end] == 0xE2
                && bytes[end + 1] == 0x80
                && (bytes[end + 2] == 0x9D || bytes[end + 2] == 0x99)
            {
                end += 3;
            }
            if end < bytes.len() && bytes[end] == b' ' {
                let next = text[end + 1..].chars().next();
                let starts_new = next.is_some_and(|n| {
                    n.is_uppercase()
                        || n.is_ascii_digit()
                        || matches!(n, '"' | '\u{201c}' | '(' | '\'')
                });
                if starts_new && (c != b'.' || !is_abbreviation(&text[start..i])) {
                    out.push((start, end));
                    start = end + 1;
                    i = start;
                    continue;
                }
            }
            i = end;
            continue;
        }
        i += 1;
    }
    if start < text.len() {
        out.push((start, text.len()));
    }
    out
}

fn is_abbreviation(before: &str) -> bool {
    let word: String = before
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '.')
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    if word.chars().count() == 1 && word.chars().all(|c| c.is_alphabetic()) {
        return true; // an initial: "M. D.", "U.S."
    }
    let lower = word.to_ascii_lowercase();
    ABBREVIATIONS.contains(&lower.as_str())
}

/// True when `text[start..end]` is a whole word (no letter or digit on either side).
pub(crate) fn is_word_at(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(|c| c.is_alphanumeric()) && !after.is_some_and(|c| c.is_alphanumeric())
}

/// Lower-cases and maps typographic quotes and dashes to ASCII, keeping byte
/// offsets comparable only through [`lower`] itself (used for cue matching).
pub(crate) fn lower(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'A'..='Z' => s.push(c.to_ascii_lowercase()),
            '\0'..='\x7f' => s.push(c),
            '\u{2018}' | '\u{2019}' => s.push('\''),
            '\u{201c}' | '\u{201d}' => s.push('"'),
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' => s.push('-'),
            '\u{a0}' => s.push(' '),
            _ => s.extend(c.to_lowercase()),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        sentences(text)
            .into_iter()
            .map(|(a, b)| &text[a..b])
            .collect()
    }

    #[test]
    fn splits_on_sentence_ends_not_abbreviations() {
        assert_eq!(
            split("Medically reviewed by Brian Jonas, M.D. on Oct. 12, 2023. Next one! Third?"),
            vec![
                "Medically reviewed by Brian Jonas, M.D. on Oct. 12, 2023.",
                "Next one!",
                "Third?"
            ]
        );
        assert_eq!(
            split("Made in the U.S. Food and Drug rules."),
            vec!["Made in the U.S. Food and Drug rules."]
        );
        assert_eq!(
            split("He said \u{201c}stop.\u{201d} Then left."),
            vec!["He said \u{201c}stop.\u{201d}", "Then left."]
        );
        assert_eq!(split(""), Vec::<&str>::new());
    }

    #[test]
    fn lower_folds_like_char_by_char_lowercasing() {
        fn reference(text: &str) -> String {
            let mut s = String::new();
            for c in text.chars() {
                match c {
                    '\u{2018}' | '\u{2019}' => s.push('\''),
                    '\u{201c}' | '\u{201d}' => s.push('"'),
                    '\u{2010}'..='\u{2014}' => s.push('-'),
                    '\u{a0}' => s.push(' '),
                    _ => s.extend(c.to_lowercase()),
                }
            }
            s
        }
        for text in [
            "Plain ASCII, CAR-T & KYMRIAH.",
            "Dr. Jos\u{e9} N\u{fa}\u{f1}ez \u{2014} \u{201c}CAR\u{a0}T\u{201d} isn\u{2019}t \u{130}STANBUL",
            "\u{212a}elvin \u{17f} \u{3a3}\u{39f}\u{3a3} \u{1e9e}",
            "",
        ] {
            assert_eq!(lower(text), reference(text), "{text:?}");
        }
    }

    #[test]
    fn word_boundaries() {
        assert!(is_word_at("all CRS here", 4, 7));
        assert!(!is_word_at("ICRSx", 1, 4));
    }
}
