//! Text that reaches a terminal, a file or a browser: cleaned of what could
//! spoof it, and of credentials.
//!
//! Pages are untrusted. A page's text can carry terminal escape sequences
//! (raw ESC or `&#27;`), C1 controls, or bidirectional-override characters
//! (U+202E reorders a phone number as it is shown); a configured URL can
//! carry a user name and password (`https://user:secret@host/`).
//! [`clean_text`] removes the first and masks the second; the normalizer
//! applies it to every string of a record ([`clean_strings`]) and every
//! renderer applies it again to what it prints, so neither an old stored
//! record nor a config value gets through uncleaned.

use serde::{de::DeserializeOwned, Serialize};
use std::borrow::Cow;

/// True for a character that is removed from displayed text: control
/// characters (C0 but newline and tab, DEL, C1 such as the 8-bit CSI
/// U+009B) and the invisible bidirectional controls (U+061C, U+200E,
/// U+200F, U+202A-U+202E, U+2066-U+2069).
pub fn is_spoofing_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The text without control and bidi-control characters (see
/// [`is_spoofing_char`]) and with the credentials of any URL in it masked
/// (see [`redact_userinfo`]). Borrowed when there is nothing to change.
pub fn clean_text(text: &str) -> Cow<'_, str> {
    let stripped: Cow<'_, str> = if text.chars().any(is_spoofing_char) {
        Cow::Owned(text.chars().filter(|c| !is_spoofing_char(*c)).collect())
    } else {
        Cow::Borrowed(text)
    };
    match redact_userinfo(&stripped) {
        Cow::Borrowed(_) => stripped,
        Cow::Owned(redacted) => Cow::Owned(redacted),
    }
}

/// Every URL in the text with its user name and password replaced by `***`
/// (`https://user:secret@host/page` → `https://***@host/page`); the host,
/// path and query are kept. One pass over the text.
pub fn redact_userinfo(text: &str) -> Cow<'_, str> {
    if !text.contains("://") || !text.contains('@') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    while let Some(at) = rest.find("://") {
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        let end = after
            .find(|c: char| matches!(c, '/' | '?' | '#' | '\\') || c.is_whitespace())
            .unwrap_or(after.len());
        let authority = &after[..end];
        match authority.rfind('@') {
            Some(sign) => {
                out.push_str("***");
                out.push_str(&authority[sign..]);
                changed = true;
            }
            None => out.push_str(authority),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

/// A copy of `value` with [`clean_text`] applied to every string in it (map
/// keys included), through its serde form; `None` when the value does not
/// survive the round trip (a type with skipped fields: clean those by hand).
pub fn clean_strings<T: Serialize + DeserializeOwned>(value: &T) -> Option<T> {
    let mut json = serde_json::to_value(value).ok()?;
    clean_json(&mut json);
    serde_json::from_value(json).ok()
}

/// Cleans every string of a JSON value in place; true when one changed.
pub fn clean_json(value: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    let mut changed = false;
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::String(text) => {
                if let Cow::Owned(clean) = clean_text(text) {
                    *text = clean;
                    changed = true;
                }
            }
            Value::Array(items) => stack.extend(items.iter_mut()),
            Value::Object(map) => {
                if map.keys().any(|k| matches!(clean_text(k), Cow::Owned(_))) {
                    let entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
                    for (key, item) in entries {
                        map.insert(clean_text(&key).into_owned(), item);
                    }
                    changed = true;
                }
                stack.extend(map.values_mut());
            }
            _ => {}
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_c1_and_bidi_controls_are_removed() {
        let text = "Call \u{1b}[2J\u{1b}]0;owned\u{7}\u{9b}31m 555-\u{202E}0100\u{202C} now\n\tok";
        assert_eq!(clean_text(text), "Call [2J]0;owned31m 555-0100 now\n\tok");
        for c in [
            '\u{200E}', '\u{200F}', '\u{2066}', '\u{2069}', '\u{061C}', '\u{7f}',
        ] {
            assert!(is_spoofing_char(c), "{c:?}");
        }
        assert!(matches!(clean_text("plain text"), Cow::Borrowed(_)));
    }

    #[test]
    fn credentials_in_urls_are_masked() {
        assert_eq!(
            redact_userinfo(
                "see https://editor:s3cret@intranet.example:8443/car-t?x=1 and http://a.example/@b"
            ),
            "see https://***@intranet.example:8443/car-t?x=1 and http://a.example/@b"
        );
        assert_eq!(clean_text("ftp://user@host"), "ftp://***@host");
        assert!(matches!(
            redact_userinfo("mail me@example.org, https://example.org/a"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn every_string_of_a_value_is_cleaned() {
        let value =
            serde_json::json!({"a\u{202E}": ["x\u{1b}[1m", {"u": "https://u:p@h/"}], "n": 1});
        let cleaned: serde_json::Value = clean_strings(&value).unwrap();
        assert_eq!(
            cleaned,
            serde_json::json!({"a": ["x[1m", {"u": "https://***@h/"}], "n": 1})
        );
    }
}
