//! schema.org facts a page states in its markup rather than its text:
//! JSON-LD (`<script type="application/ld+json">`) and microdata
//! (`itemprop="telephone"`, `lastReviewed`, `dateModified`). The telephone of
//! a `Hospital`, `MedicalClinic`, `MedicalOrganization` or `Organization`,
//! the page's `lastReviewed` (with `reviewedBy`) and `dateModified` dates,
//! each with a short snippet of the markup as evidence.
//!
//! Bounded: at most [`MAX_SCRIPTS`] scripts of [`MAX_SCRIPT_BYTES`] each,
//! [`MAX_NODES`] JSON values walked, snippets cut to [`MAX_SNIPPET_CHARS`].
//! Malformed JSON is passed over; nothing here panics.

use once_cell::sync::Lazy;
use regex::Regex;
use serde_json::{Map, Value};

/// JSON-LD scripts read per page.
pub(crate) const MAX_SCRIPTS: usize = 16;
/// Bytes of one JSON-LD script read (a larger one is passed over).
pub(crate) const MAX_SCRIPT_BYTES: usize = 256 * 1024;
/// JSON values walked per page.
pub(crate) const MAX_NODES: usize = 20_000;
/// Characters of an evidence snippet.
pub(crate) const MAX_SNIPPET_CHARS: usize = 300;
/// Characters of one value inside a snippet.
const MAX_VALUE_CHARS: usize = 100;

/// Types whose `telephone` is the center's.
const ORGANIZATION_TYPES: [&str; 6] = [
    "Hospital",
    "MedicalClinic",
    "MedicalOrganization",
    "Organization",
    "MedicalBusiness",
    "MedicalCenter",
];

/// What the page's structured data says.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct StructuredFacts {
    /// Telephone numbers as written, with their snippet.
    pub telephones: Vec<(String, String)>,
    /// `lastReviewed` as an ISO date, with its snippet (naming `reviewedBy`).
    pub reviewed: Option<(String, String)>,
    /// `dateModified` as an ISO date, with its snippet.
    pub modified: Option<(String, String)>,
}

/// Reads the schema.org JSON-LD and microdata of a page.
pub(crate) fn structured_facts(html: &str) -> StructuredFacts {
    let mut facts = StructuredFacts::default();
    let mut budget = MAX_NODES;
    for script in ld_json_scripts(html) {
        let Ok(value) = serde_json::from_str::<Value>(script) else {
            continue;
        };
        walk(&value, &mut facts, &mut budget);
    }
    microdata(html, &mut facts);
    facts
}

/// The text of each `<script type="application/ld+json">`, in page order.
fn ld_json_scripts(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    if !html.contains("ld+json") {
        return out;
    }
    let bytes = html.as_bytes();
    let mut from = 0;
    while out.len() < MAX_SCRIPTS {
        let Some(open) = find_ci(bytes, from, b"<script") else {
            break;
        };
        let Some(tag_end) = bytes[open..].iter().position(|&b| b == b'>') else {
            break;
        };
        let body_start = open + tag_end + 1;
        let body_end = find_ci(bytes, body_start, b"</script").unwrap_or(bytes.len());
        from = body_end;
        let tag = &bytes[open..body_start];
        if find_ci(tag, 0, b"ld+json").is_none() || body_end - body_start > MAX_SCRIPT_BYTES {
            continue;
        }
        if let Some(body) = html.get(body_start..body_end) {
            out.push(body);
        }
    }
    out
}

/// The first position at or after `from` where `needle` (lower-case ASCII) starts, any case.
fn find_ci(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= hay.len() || needle.is_empty() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|i| from + i)
}

/// Walks every object of a JSON-LD document (`@graph`, nested values) without recursion.
fn walk(root: &Value, facts: &mut StructuredFacts, budget: &mut usize) {
    let mut stack = vec![root];
    while let Some(value) = stack.pop() {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        match value {
            Value::Array(items) => stack.extend(items.iter().rev()),
            Value::Object(map) => {
                read_object(map, facts);
                stack.extend(map.values().rev());
            }
            _ => {}
        }
    }
}

fn types_of(map: &Map<String, Value>) -> Vec<&str> {
    match map.get("@type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The short name of a schema.org type (`https://schema.org/Hospital` is `Hospital`).
fn short_type(t: &str) -> &str {
    t.rsplit(['/', '#', ':']).next().unwrap_or(t)
}

fn read_object(map: &Map<String, Value>, facts: &mut StructuredFacts) {
    let types = types_of(map);
    let is_organization = types
        .iter()
        .any(|t| ORGANIZATION_TYPES.contains(&short_type(t)));
    if is_organization {
        let phones: Vec<&str> = match map.get("telephone") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        for phone in phones {
            let phone = clean(phone, 40);
            if !phone.is_empty() && !facts.telephones.iter().any(|(p, _)| *p == phone) {
                facts
                    .telephones
                    .push((phone, snippet(map, &["name", "telephone"])));
            }
        }
    }
    if facts.reviewed.is_none() {
        if let Some(date) = map
            .get("lastReviewed")
            .and_then(Value::as_str)
            .and_then(iso_day)
        {
            facts.reviewed = Some((date, snippet(map, &["lastReviewed", "reviewedBy"])));
        }
    }
    if facts.modified.is_none() {
        if let Some(date) = map
            .get("dateModified")
            .and_then(Value::as_str)
            .and_then(iso_day)
        {
            facts.modified = Some((date, snippet(map, &["dateModified"])));
        }
    }
}

/// A compact JSON snippet of an object: its `@type` and the given keys, each
/// value cleaned and cut short, the whole at most [`MAX_SNIPPET_CHARS`].
fn snippet(map: &Map<String, Value>, keys: &[&str]) -> String {
    let mut out = Map::new();
    for key in std::iter::once("@type").chain(keys.iter().copied()) {
        if let Some(value) = map.get(key) {
            out.insert(key.to_string(), shorten(value));
        }
    }
    let text = Value::Object(out).to_string();
    clean(&text, MAX_SNIPPET_CHARS)
}

/// A value made small for a snippet: strings cut, a nested object reduced to
/// its type and name (`reviewedBy: {"@type": "Person", "name": ...}`).
fn shorten(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(clean(s, MAX_VALUE_CHARS)),
        Value::Array(items) => Value::Array(items.iter().take(3).map(shorten).collect()),
        Value::Object(map) => {
            let mut out = Map::new();
            for key in ["@type", "name"] {
                if let Some(Value::String(s)) = map.get(key) {
                    out.insert(key.to_string(), Value::String(clean(s, MAX_VALUE_CHARS)));
                }
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// Text without control, zero-width or bidi-override characters, whitespace
/// folded, at most `max` characters.
fn clean(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut space = false;
    for c in text.chars() {
        if matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
        {
            continue;
        }
        if c.is_whitespace() || c.is_control() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
        if out.chars().count() >= max {
            break;
        }
    }
    out
}

/// `2025-04-02` from `2025-04-02` or `2025-04-02T10:15:00-05:00`, if it is a real day.
fn iso_day(text: &str) -> Option<String> {
    let t = text.trim();
    let day = t.get(..10)?;
    let rest = &t[10..];
    if !(rest.is_empty() || rest.starts_with(['T', ' '])) {
        return None;
    }
    let b = day.as_bytes();
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: u32 = day[..4].parse().ok()?;
    let m: u32 = day[5..7].parse().ok()?;
    let d: u32 = day[8..10].parse().ok()?;
    let days = crate::dates::days_in_month(y, m)?;
    ((1900..=2100).contains(&y) && (1..=days).contains(&d)).then(|| day.to_string())
}

/// Microdata properties: `<meta itemprop="telephone" content="...">`,
/// `<span itemprop="telephone">...</span>`, `<time itemprop="dateModified" datetime="...">`.
static ITEMPROP: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r#"(?i)<([a-z][a-z0-9]{0,10})\b([^<>]{0,600}?)\bitemprop\s*=\s*["']?(telephone|lastreviewed|datemodified)\b["']?([^<>]{0,600})>([^<]{0,120})"#)
        .expect("itemprop regex")
});
static ATTR_VALUE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r#"(?i)\b(content|datetime|href)\s*=\s*(?:"([^"]{0,200})"|'([^']{0,200})')"#)
        .expect("attribute regex")
});
static ITEMTYPE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r#"(?i)\bitemtype\s*=\s*["']?([^"'\s>]{1,100})"#).expect("itemtype regex")
});

/// How far back the enclosing `itemtype` of a property is looked for.
const ITEMTYPE_WINDOW: usize = 4096;

fn microdata(html: &str, facts: &mut StructuredFacts) {
    if !html.contains("itemprop") {
        return;
    }
    for caps in ITEMPROP.captures_iter(html).take(64) {
        let whole = caps.get(0).expect("match");
        let prop = caps[3].to_ascii_lowercase();
        let attrs = format!("{} {}", &caps[2], &caps[4]);
        let value = ATTR_VALUE
            .captures(&attrs)
            .and_then(|a| a.get(2).or_else(|| a.get(3)))
            .map(|m| m.as_str().trim_start_matches("tel:").to_string())
            .unwrap_or_else(|| caps[5].to_string());
        let value = clean(&value, MAX_VALUE_CHARS);
        if value.is_empty() {
            continue;
        }
        let mut window_start = whole.start().saturating_sub(ITEMTYPE_WINDOW);
        while !html.is_char_boundary(window_start) {
            window_start += 1;
        }
        let item_type = ITEMTYPE
            .captures_iter(&html[window_start..whole.start()])
            .last()
            .map(|c| short_type(&c[1]).to_string())
            .unwrap_or_default();
        let evidence = clean(
            &format!("itemtype {item_type}: itemprop {} = {value}", &caps[3]),
            MAX_SNIPPET_CHARS,
        );
        match prop.as_str() {
            "telephone"
                if ORGANIZATION_TYPES.contains(&item_type.as_str())
                    && !facts.telephones.iter().any(|(p, _)| *p == value) =>
            {
                facts.telephones.push((value, evidence));
            }
            "lastreviewed" if facts.reviewed.is_none() => {
                facts.reviewed = iso_day(&value).map(|d| (d, evidence));
            }
            "datemodified" if facts.modified.is_none() => {
                facts.modified = iso_day(&value).map(|d| (d, evidence));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_ld_graph_and_types() {
        let html = r#"<script type="application/ld+json">{"@graph":[{"@type":"https://schema.org/Hospital","telephone":["+1 216 844 3951"],"name":"A"},{"@type":"WebPage","lastReviewed":"2024-02-30","dateModified":"2024-03-01T00:00:00Z"}]}</script>"#;
        let f = structured_facts(html);
        assert_eq!(f.telephones[0].0, "+1 216 844 3951");
        assert!(f.telephones[0].1.contains("\"telephone\""));
        assert_eq!(f.reviewed, None); // February 30th is no day
        assert_eq!(f.modified.unwrap().0, "2024-03-01");
    }

    #[test]
    fn a_person_or_place_telephone_is_not_the_centers() {
        let html = r#"<script type="application/ld+json">{"@type":"Person","telephone":"216-844-3951"}</script>"#;
        assert!(structured_facts(html).telephones.is_empty());
    }

    #[test]
    fn hostile_scripts_are_bounded_and_cleaned() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let html = format!(
            "<SCRIPT type='application/ld+json'>{deep}</SCRIPT><script type=application/ld+json>{{\"@type\":\"Organization\",\"telephone\":\"216\u{202e}-844-3951\\u0007\",\"name\":\"{}\"}}</script><script type=\"application/ld+json\">{{unterminated",
            "x".repeat(5000)
        );
        let f = structured_facts(&html);
        assert_eq!(f.telephones[0].0, "216-844-3951");
        assert!(f.telephones[0].1.chars().count() <= MAX_SNIPPET_CHARS);
        assert!(!f.telephones[0].1.contains('\u{202e}'));
    }

    #[test]
    fn microdata_needs_an_organization_type() {
        let html = r#"<div itemscope itemtype="https://schema.org/Hospital"><span itemprop="telephone">(216) 844-3951</span></div>
            <div itemscope itemtype="https://schema.org/Person"><span itemprop="telephone">216-844-1000</span></div>
            <time itemprop="dateModified" datetime="2025-01-02">Jan 2</time>"#;
        let f = structured_facts(html);
        assert_eq!(f.telephones.len(), 1, "{f:?}");
        assert_eq!(f.telephones[0].0, "(216) 844-3951");
        assert_eq!(f.modified.unwrap().0, "2025-01-02");
    }
}
