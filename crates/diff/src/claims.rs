//! The claims audit: sentences that state rules, counts and facts that are
//! no longer true, though the page did not change.
//!
//! Rules are data (`config/claims.toml`, compiled in as the default), the
//! product counts come from the [`ProductCatalog`]. Every check is made at the
//! page's fetch date: a rule applies from its `since` date, a count is
//! compared with the products approved that day, so an old snapshot is judged
//! by the rules of its own time.
//!
//! - A `weeks` rule fires when a sentence has one of its cues and, nearest to
//!   the cue, a number of weeks the rule lists as outdated ("do not drive for
//!   at least 8 weeks"); the current value ("2 weeks") gives nothing.
//! - A `mention` rule fires on its cue alone ("certified under the REMS").
//! - A count claim ("six FDA-approved CAR T therapies") fires when its number
//!   differs from the catalog's count on the fetch date. A count for one
//!   disease ("two CAR T therapies approved for myeloma") or of what one
//!   center offers ("we offer four FDA-approved CAR T therapies") is no claim
//!   about all products.
//! - A sentence that speaks of the past or denies the rule ("until 2025,
//!   patients had to ...", "no longer need to ...") gives nothing.
//! - A rule with `products` applies to a sentence naming one of them, or, when
//!   the sentence names none, to a page that names none or one of them; an
//!   Aucatzyl-only page is not judged by a rule scoped to the other products.
//!
//! Pure: text in, hits out; the `cli` reads the files.

use crate::audit::Severity;
use crate::catalog::{contains_word, format_day, line_of, parse_day, Day, ProductCatalog};
use crate::DiffError;
use cartwatch_model::PageRecord;
use regex::Regex;
use serde::{Deserialize, Serialize};
use toml::Spanned;

/// The rules compiled into the binary: `config/claims.toml`.
pub const BUILTIN_CLAIMS: &str = include_str!("../../../config/claims.toml");

/// The longest sentence looked at, in bytes (longer ones are cut there).
const MAX_SENTENCE: usize = 2_000;

/// What a claim check needs: the rules and the product catalog.
#[derive(Debug, Clone)]
pub struct ClaimsCheck {
    /// The rules (`config/claims.toml`).
    pub rules: ClaimRules,
    /// The products (`config/products.toml`).
    pub catalog: ProductCatalog,
}

impl ClaimsCheck {
    /// The built-in rules and catalog.
    pub fn builtin() -> ClaimsCheck {
        ClaimsCheck {
            rules: ClaimRules::builtin(),
            catalog: ProductCatalog::builtin(),
        }
    }
}

/// Every rule of a claims file.
#[derive(Debug, Clone)]
pub struct ClaimRules {
    /// Sentence rules in file order.
    pub rules: Vec<ClaimRule>,
    /// How product counts are judged.
    pub count: CountRule,
    historical: Vec<Regex>,
}

/// How a rule matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    /// A cue with a number of weeks near it.
    Weeks,
    /// A cue alone.
    Mention,
}

/// One rule about sentences.
#[derive(Debug, Clone)]
pub struct ClaimRule {
    /// Rule id (`driving_weeks`).
    pub id: String,
    /// What the rule is about, in words.
    pub about: String,
    /// How it matches.
    pub kind: RuleKind,
    cues: Vec<Regex>,
    /// Weeks rules: the numbers of weeks that are outdated.
    pub outdated_weeks: Vec<u32>,
    /// What is current, in words ("2 weeks").
    pub current: String,
    /// Since when.
    pub since: Day,
    /// Product ids the rule applies to; empty: all.
    pub products: Vec<String>,
    /// A public page that says so.
    pub source: String,
    /// What editors should do.
    pub message: String,
    /// How serious a hit is.
    pub severity: Severity,
}

/// How claims about the number of approved products are judged.
#[derive(Debug, Clone)]
pub struct CountRule {
    /// How serious a wrong count is.
    pub severity: Severity,
    /// What editors should do.
    pub message: String,
    /// Disease words; one in a sentence makes its count about one disease
    /// (words with capitals match only as written).
    disease_words: Vec<String>,
    subset: Vec<Regex>,
}

/// What a hit says, carried in JSON findings as `claim`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimDetail {
    /// The rule id (`driving_weeks`, `product_count`).
    pub rule: String,
    /// What the page claims, as written ("at least 8 weeks", "six").
    pub claimed: String,
    /// What is current ("2 weeks", "7 approved products").
    pub current: String,
    /// Since when that is current (`YYYY-MM-DD`).
    pub since: String,
    /// A public page that says so.
    pub source: String,
}

/// Which finding a hit becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitKind {
    /// A rule no longer true.
    OutdatedClaim,
    /// A wrong number of approved products.
    ProductCount,
}

/// One outdated claim found in one sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimHit {
    /// Outdated rule or wrong count.
    pub kind: HitKind,
    /// What the claim is about, in words ("no driving after infusion").
    pub about: String,
    /// How serious it is.
    pub severity: Severity,
    /// The sentence, whitespace folded.
    pub sentence: String,
    /// What it claims and what is current.
    pub detail: ClaimDetail,
    /// One line a person can read.
    pub summary: String,
    /// What an editor should do.
    pub action: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClaimsFile {
    #[serde(default)]
    historical: Vec<Spanned<String>>,
    count: CountEntry,
    #[serde(default)]
    rule: Vec<RuleEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CountEntry {
    severity: Spanned<String>,
    message: String,
    #[serde(default)]
    disease_words: Vec<String>,
    #[serde(default)]
    subset: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleEntry {
    id: Spanned<String>,
    about: String,
    kind: Spanned<String>,
    cues: Vec<Spanned<String>>,
    #[serde(default)]
    outdated_weeks: Vec<u32>,
    current: String,
    since: Spanned<String>,
    #[serde(default)]
    products: Vec<Spanned<String>>,
    source: Spanned<String>,
    message: String,
    severity: Spanned<String>,
}

impl ClaimRules {
    /// The rules compiled into the binary.
    pub fn builtin() -> ClaimRules {
        ClaimRules::from_toml_str(
            BUILTIN_CLAIMS,
            "config/claims.toml (built in)",
            &ProductCatalog::builtin(),
        )
        .expect("the built-in config/claims.toml is valid (checked by a test)")
    }

    /// Parses rules; `file` names the file in errors (with the line), and
    /// product ids are checked against `catalog`.
    pub fn from_toml_str(
        text: &str,
        file: &str,
        catalog: &ProductCatalog,
    ) -> Result<ClaimRules, DiffError> {
        let parsed: ClaimsFile = toml::from_str(text).map_err(|e| DiffError::Data {
            file: file.to_string(),
            line: e.span().map_or(1, |s| line_of(text, s.start)),
            message: e.message().trim().to_string(),
        })?;
        let error = |span: std::ops::Range<usize>, message: String| DiffError::Data {
            file: file.to_string(),
            line: line_of(text, span.start),
            message,
        };
        let regex = |pattern: &Spanned<String>| {
            Regex::new(&format!("(?i){}", pattern.get_ref())).map_err(|e| {
                error(
                    pattern.span(),
                    format!(
                        "{:?} is not a valid regular expression: {e}",
                        pattern.get_ref()
                    ),
                )
            })
        };
        let severity = |s: &Spanned<String>| {
            Severity::parse(s.get_ref()).ok_or_else(|| {
                error(
                    s.span(),
                    format!(
                        "severity {:?} is unknown; write info, warning or error",
                        s.get_ref()
                    ),
                )
            })
        };
        let historical = parsed
            .historical
            .iter()
            .map(regex)
            .collect::<Result<Vec<_>, _>>()?;
        let count = CountRule {
            severity: severity(&parsed.count.severity)?,
            message: parsed.count.message,
            disease_words: parsed.count.disease_words.clone(),
            subset: parsed
                .count
                .subset
                .iter()
                .map(regex)
                .collect::<Result<Vec<_>, _>>()?,
        };
        let mut rules: Vec<ClaimRule> = Vec::new();
        for entry in parsed.rule {
            let id = entry.id.get_ref().clone();
            if id.is_empty() || rules.iter().any(|r| r.id == id) {
                return Err(error(
                    entry.id.span(),
                    format!("rule id {id:?} is empty or used twice"),
                ));
            }
            let kind = match entry.kind.get_ref().as_str() {
                "weeks" => RuleKind::Weeks,
                "mention" => RuleKind::Mention,
                other => {
                    return Err(error(
                        entry.kind.span(),
                        format!(
                        "rule {id:?}: kind {other:?} is unknown; write \"weeks\" or \"mention\""
                    ),
                    ))
                }
            };
            if kind == RuleKind::Weeks && entry.outdated_weeks.is_empty() {
                return Err(error(
                    entry.kind.span(),
                    format!("rule {id:?}: a weeks rule needs outdated_weeks = [N, ...]"),
                ));
            }
            if entry.cues.is_empty() {
                return Err(error(entry.id.span(), format!("rule {id:?} has no cues")));
            }
            let since = parse_day(entry.since.get_ref()).ok_or_else(|| {
                error(
                    entry.since.span(),
                    format!(
                        "rule {id:?}: since {:?} is not a date; write YYYY-MM-DD",
                        entry.since.get_ref()
                    ),
                )
            })?;
            let mut products = Vec::new();
            for product in &entry.products {
                if catalog.get(product.get_ref()).is_none() {
                    return Err(error(
                        product.span(),
                        format!(
                            "rule {id:?}: product {:?} is not in the product catalog (config/products.toml)",
                            product.get_ref()
                        ),
                    ));
                }
                products.push(product.get_ref().clone());
            }
            if !entry.source.get_ref().starts_with("http") {
                return Err(error(
                    entry.source.span(),
                    format!("rule {id:?}: source must be the address of a public page (http...)"),
                ));
            }
            rules.push(ClaimRule {
                cues: entry
                    .cues
                    .iter()
                    .map(regex)
                    .collect::<Result<Vec<_>, _>>()?,
                id,
                about: entry.about,
                kind,
                outdated_weeks: entry.outdated_weeks,
                current: entry.current,
                since,
                products,
                source: entry.source.into_inner(),
                message: entry.message,
                severity: severity(&entry.severity)?,
            });
        }
        Ok(ClaimRules {
            rules,
            count,
            historical,
        })
    }

    fn is_historical(&self, lower: &str) -> bool {
        self.historical.iter().any(|r| r.is_match(lower))
    }
}

/// The outdated claims of one page, judged on `day` (the page's fetch
/// date; `None`: judged by today's rules, every rule applies).
pub fn check_page(record: &PageRecord, day: Option<Day>, check: &ClaimsCheck) -> Vec<ClaimHit> {
    let mut hits = Vec::new();
    for sentence in sentences(&record.main_text) {
        check_sentence(&sentence, record, day, check, &mut hits);
    }
    hits
}

fn check_sentence(
    sentence: &str,
    record: &PageRecord,
    day: Option<Day>,
    check: &ClaimsCheck,
    hits: &mut Vec<ClaimHit>,
) {
    let lower = sentence.to_lowercase();
    if check.rules.is_historical(&lower) {
        return;
    }
    let named = check.catalog.named_in(sentence);
    let mut mentioned = false;
    for rule in &check.rules.rules {
        if day.is_some_and(|d| d < rule.since) || !in_scope(rule, &named, record) {
            continue;
        }
        let claimed = match rule.kind {
            RuleKind::Weeks => outdated_weeks(&lower, rule),
            RuleKind::Mention if mentioned => None,
            RuleKind::Mention => rule
                .cues
                .iter()
                .find_map(|c| c.find(&lower))
                .map(|m| sentence_slice(sentence, &lower, m.range())),
        };
        let Some(claimed) = claimed else { continue };
        mentioned |= rule.kind == RuleKind::Mention;
        let since = format_day(rule.since);
        hits.push(ClaimHit {
            kind: HitKind::OutdatedClaim,
            about: rule.about.clone(),
            severity: rule.severity,
            sentence: sentence.to_string(),
            summary: format!(
                "{}: the page says \"{claimed}\"; current: {} (since {since})",
                rule.about, rule.current
            ),
            action: format!("{} (source: {})", rule.message, rule.source),
            detail: ClaimDetail {
                rule: rule.id.clone(),
                claimed,
                current: rule.current.clone(),
                since,
                source: rule.source.clone(),
            },
        });
    }
    if let Some(hit) = count_claim(sentence, &lower, day, check) {
        hits.push(hit);
    }
}

/// Whether a rule applies given the products the sentence names (or, when it
/// names none, the products the page names).
fn in_scope(rule: &ClaimRule, named: &[&str], record: &PageRecord) -> bool {
    if rule.products.is_empty() {
        return true;
    }
    let applies = |id: &str| rule.products.iter().any(|p| p == id);
    if !named.is_empty() {
        return named.iter().any(|id| applies(id));
    }
    let page = &record.offerings.products;
    page.is_empty() || page.iter().any(|id| applies(id))
}

const NUMBER_WORDS: [&str; 12] = [
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve",
];

fn number_value(word: &str) -> Option<u32> {
    word.parse().ok().or_else(|| {
        NUMBER_WORDS
            .iter()
            .position(|w| *w == word)
            .map(|i| i as u32 + 1)
    })
}

fn weeks_regex() -> &'static Regex {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        let n = r"(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)";
        Regex::new(&format!(
            r"(?:\b(?:for|at least|up to|about)\s+)*\b{n}(?:\s*(?:to|-|–|or)\s*{n})?\s*(?:\(\s*\d{{1,2}}\s*\)\s*)?[\s-]*(?:full\s+|more\s+)?weeks?\b"
        ))
        .expect("the weeks pattern is valid")
    })
}

/// The "N weeks" nearest to one of the rule's cues, when N is outdated.
fn outdated_weeks(lower: &str, rule: &ClaimRule) -> Option<String> {
    let numbers: Vec<(std::ops::Range<usize>, u32)> = weeks_regex()
        .captures_iter(lower)
        .filter_map(|c| {
            let whole = c.get(0)?;
            let low = number_value(c.get(1)?.as_str())?;
            let high = c.get(2).and_then(|m| number_value(m.as_str()));
            Some((whole.range(), high.unwrap_or(low).max(low)))
        })
        .collect();
    if numbers.is_empty() {
        return None;
    }
    for cue in rule.cues.iter().flat_map(|c| c.find_iter(lower)) {
        let distance = |r: &std::ops::Range<usize>| {
            if r.start >= cue.end() {
                r.start - cue.end()
            } else {
                cue.start().saturating_sub(r.end)
            }
        };
        let nearest = numbers
            .iter()
            .filter(|(r, _)| distance(r) <= 120)
            .min_by_key(|(r, _)| distance(r));
        if let Some((range, value)) = nearest {
            if rule.outdated_weeks.contains(value) {
                return Some(lower[range.clone()].trim().to_string());
            }
            return None;
        }
    }
    None
}

fn count_regexes() -> &'static [Regex; 3] {
    static RE: std::sync::OnceLock<[Regex; 3]> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        let n = r"(?P<n>\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)";
        let cart = r"car[\s-]?t(?:[\s-]cells?)?(?:\s+cell)?";
        let things = r"(?:therapies|therapy products|products|treatments|cell therapies|immunotherapies)";
        let approved = r"(?:(?:u\.\s?s\.\s?|us\s+)?(?:fda|food and drug administration)[\s-]approved|approved|commercially available)";
        [
            format!(r"\b{n}\s+(?:currently\s+)?{approved}\s+{cart}\s+{things}\b"),
            format!(r"\b{n}\s+{cart}\s+{things}\s+(?:have been\s+|are\s+|that are\s+)?(?:currently\s+)?(?:fda[\s-])?approved\b"),
            format!(r"\bapproved\s+{n}\s+{cart}\s+{things}\b"),
        ]
        .map(|p| Regex::new(&p).expect("the count patterns are valid"))
    })
}

/// A count of approved products that differs from the catalog's on `day`.
fn count_claim(
    sentence: &str,
    lower: &str,
    day: Option<Day>,
    check: &ClaimsCheck,
) -> Option<ClaimHit> {
    let rule = &check.rules.count;
    let caps = count_regexes().iter().find_map(|r| r.captures(lower))?;
    let n = caps.name("n")?;
    let claimed = number_value(n.as_str())? as usize;
    // A count for one disease, or of what one center offers, is no claim
    // about all products.
    let names_disease = rule.disease_words.iter().any(|w| {
        if w.chars().any(|c| c.is_uppercase()) {
            contains_word(sentence, w)
        } else {
            contains_word(lower, w)
        }
    });
    let says_all = lower[..n.start()].trim_end().ends_with("all");
    if names_disease || (!says_all && rule.subset.iter().any(|r| r.is_match(lower))) {
        return None;
    }
    let day = day.unwrap_or((9999, 12, 31));
    let approved = check.catalog.approved_on(day);
    if claimed == approved.len() {
        return None;
    }
    let names: Vec<&str> = approved.iter().map(|p| p.brand.as_str()).collect();
    let newest = approved.last();
    let since = newest
        .and_then(|p| p.approved_since())
        .map(format_day)
        .unwrap_or_default();
    let source = newest
        .and_then(|p| p.indications.first())
        .map(|i| i.source.clone())
        .unwrap_or_default();
    let claimed_text = sentence_slice(sentence, lower, caps.get(0)?.range());
    let current = format!(
        "{} approved CAR T products ({})",
        approved.len(),
        names.join(", ")
    );
    Some(ClaimHit {
        kind: HitKind::ProductCount,
        about: "number of FDA-approved CAR T products".to_string(),
        severity: rule.severity,
        sentence: sentence.to_string(),
        summary: format!(
            "the page says \"{claimed_text}\"; {} were approved on {}{}",
            approved.len(),
            format_day(day),
            newest.map_or(String::new(), |p| format!(
                " (the newest, {}, since {since})",
                p.brand
            ))
        ),
        action: format!("{} (source: {source})", rule.message),
        detail: ClaimDetail {
            rule: "product_count".to_string(),
            claimed: claimed_text,
            current,
            since,
            source,
        },
    })
}

/// The part of `sentence` at a range found in its lower-cased form (the two
/// can differ in length for a few characters; then the lower-cased text).
fn sentence_slice(sentence: &str, lower: &str, range: std::ops::Range<usize>) -> String {
    if sentence.len() == lower.len() {
        if let Some(s) = sentence.get(range.clone()) {
            return s.trim().to_string();
        }
    }
    lower.get(range).unwrap_or_default().trim().to_string()
}

/// The sentences of a text: paragraphs split after `.`, `!` or `?` followed
/// by a space; whitespace folded; each cut at [`MAX_SENTENCE`] bytes.
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.split('\n') {
        let mut start = 0;
        let bytes = line.as_bytes();
        for i in 0..bytes.len() {
            let end_mark = matches!(bytes[i], b'.' | b'!' | b'?')
                && bytes.get(i + 1).is_some_and(|b| b.is_ascii_whitespace());
            if end_mark {
                push_sentence(&line[start..=i], &mut out);
                start = i + 1;
            }
        }
        push_sentence(&line[start..], &mut out);
    }
    out
}

fn push_sentence(raw: &str, out: &mut Vec<String>) {
    let mut folded = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.len() > MAX_SENTENCE {
        let mut cut = MAX_SENTENCE;
        while !folded.is_char_boundary(cut) {
            cut -= 1;
        }
        folded.truncate(cut);
    }
    if folded.chars().any(|c| c.is_alphanumeric()) {
        out.push(folded);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_files_are_valid() {
        let check = ClaimsCheck::builtin();
        assert!(check.rules.rules.len() >= 3);
        assert_eq!(check.catalog.approved_on((2026, 10, 1)).len(), 7);
    }

    #[test]
    fn sentences_split_and_fold() {
        assert_eq!(
            sentences("One two.  Three\tfour? Five\n\nSix 2.5 weeks."),
            vec!["One two.", "Three four?", "Five", "Six 2.5 weeks."]
        );
    }

    #[test]
    fn weeks_are_read_in_words_digits_and_ranges() {
        let caps = |s: &str| {
            weeks_regex()
                .captures(s)
                .map(|c| c.get(0).unwrap().as_str().to_string())
        };
        assert_eq!(
            caps("for at least 8 weeks after").as_deref(),
            Some("for at least 8 weeks")
        );
        assert_eq!(caps("eight (8) weeks").as_deref(), Some("eight (8) weeks"));
        assert_eq!(caps("a 4-week stay").as_deref(), Some("4-week"));
        assert_eq!(caps("the first week"), None);
    }
}
