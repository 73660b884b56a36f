//! Cue regular expressions that cost nothing until a sentence could match.
//!
//! A [`Cue`] is a list of regular expressions joined into one alternation,
//! as the vocabulary writes them. Two things make it cheap:
//!
//! - **A literal prefilter.** When parsing the patterns shows that every
//!   match starts with one of a finite set of literals (`\bharvest\w*` starts
//!   with `harvest`), an Aho-Corasick automaton over those literals is asked
//!   first; a sentence without any of them cannot match, and the regex is not
//!   run. Patterns without such a set (`[^.]{0,9}x`) are always run. The
//!   prefilter only ever says "no" when the regex would, so results are
//!   exactly the regex's.
//! - **Compiled on first use.** The regex itself is compiled the first time a
//!   sentence passes the prefilter, so starting `cartwatch` compiles nothing
//!   and a page compiles only the cues its sentences come near.
//!
//! Patterns are checked when the vocabulary is loaded (syntax, with an error
//! naming the list and the pattern), so compiling later cannot fail on
//! syntax; a pattern that is valid but over the default size limit is
//! compiled without the limit rather than dropped.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use once_cell::sync::OnceCell;
use regex::{Regex, RegexBuilder};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use std::borrow::Cow;

/// Literals shorter than this make a prefilter that passes nearly every
/// sentence; the regex alone is then cheaper than both.
const MIN_LITERAL_LEN: usize = 2;

/// One cue: an alternation of regular expressions, prefiltered and compiled lazily.
pub(crate) struct Cue {
    /// The joined pattern `(?:p1)|(?:p2)|...`.
    pattern: String,
    /// Literals every match starts with, or `None` when there is no such set.
    prefilter: Option<AhoCorasick>,
    regex: OnceCell<Regex>,
}

impl std::fmt::Debug for Cue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cue")
            .field("pattern", &self.pattern)
            .field("prefiltered", &self.prefilter.is_some())
            .finish()
    }
}

impl Cue {
    /// Checks every pattern and builds the cue; `what` names the list in errors.
    pub(crate) fn new(what: &str, patterns: &[String]) -> Result<Cue, String> {
        if patterns.is_empty() {
            return Err(format!(
                "{what}: the list is empty; give at least one pattern"
            ));
        }
        let mut literals: Option<Vec<Vec<u8>>> = Some(Vec::new());
        for (i, p) in patterns.iter().enumerate() {
            let hir = regex_syntax::Parser::new().parse(p).map_err(|e| {
                format!(
                    "{what}: pattern {} ({p:?}) is not a valid regular expression: {e}",
                    i + 1
                )
            })?;
            literals = match (literals, prefix_literals(&hir)) {
                (Some(mut all), Some(own)) => {
                    all.extend(own);
                    Some(all)
                }
                _ => None,
            };
        }
        let pattern = patterns
            .iter()
            .map(|p| format!("(?:{p})"))
            .collect::<Vec<_>>()
            .join("|");
        // The joined pattern parses when each part does, except for flags
        // that cannot be scoped ("(?x)" is scoped by the group): check anyway.
        regex_syntax::Parser::new()
            .parse(&pattern)
            .map_err(|e| format!("{what}: {e}"))?;
        let prefilter = match literals {
            Some(mut lits) => {
                lits.sort();
                lits.dedup();
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    .build(&lits)
                    .ok()
            }
            None => None,
        };
        Ok(Cue {
            pattern,
            prefilter,
            regex: OnceCell::new(),
        })
    }

    /// False only when no match is possible (no prefix literal occurs).
    fn may_match(&self, haystack: &str) -> bool {
        match &self.prefilter {
            Some(ac) => ac.is_match(haystack),
            None => true,
        }
    }

    /// The compiled regex (compiled now if this is its first use).
    pub(crate) fn regex(&self) -> &Regex {
        self.regex.get_or_init(|| {
            Regex::new(&self.pattern).unwrap_or_else(|_| {
                // Syntax was checked on load: only a size limit can refuse it.
                RegexBuilder::new(&self.pattern)
                    .size_limit(usize::MAX)
                    .dfa_size_limit(usize::MAX)
                    .build()
                    .unwrap_or_else(|_| Regex::new(r"[^\s\S]").expect("the empty class compiles"))
            })
        })
    }

    /// Like [`Regex::is_match`].
    pub(crate) fn is_match(&self, haystack: &str) -> bool {
        self.may_match(haystack) && self.regex().is_match(haystack)
    }

    /// Like [`Regex::find`].
    pub(crate) fn find<'h>(&self, haystack: &'h str) -> Option<regex::Match<'h>> {
        if !self.may_match(haystack) {
            return None;
        }
        self.regex().find(haystack)
    }

    /// Like [`Regex::find_iter`].
    pub(crate) fn find_iter<'r, 'h>(
        &'r self,
        haystack: &'h str,
    ) -> impl Iterator<Item = regex::Match<'h>> + 'r
    where
        'h: 'r,
    {
        self.may_match(haystack)
            .then(|| self.regex().find_iter(haystack))
            .into_iter()
            .flatten()
    }

    /// Like [`Regex::replace_all`].
    pub(crate) fn replace_all<'h, R: regex::Replacer>(
        &self,
        haystack: &'h str,
        replacement: R,
    ) -> Cow<'h, str> {
        if !self.may_match(haystack) {
            return Cow::Borrowed(haystack);
        }
        self.regex().replace_all(haystack, replacement)
    }

    /// Whether the regex has been compiled (for tests and benchmarks).
    #[cfg(test)]
    pub(crate) fn is_compiled(&self) -> bool {
        self.regex.get().is_some()
    }

    /// Whether a literal prefilter guards the regex.
    #[cfg(test)]
    pub(crate) fn is_prefiltered(&self) -> bool {
        self.prefilter.is_some()
    }
}

/// The finite set of literals every match of `hir` starts with, if there is
/// one and none of them is too short to be worth asking for.
fn prefix_literals(hir: &regex_syntax::hir::Hir) -> Option<Vec<Vec<u8>>> {
    let mut seq = Extractor::new().kind(ExtractKind::Prefix).extract(hir);
    // Keep the set small: many literals sharing a prefix become the prefix.
    seq.optimize_for_prefix_by_preference();
    let literals = seq.literals()?;
    if literals.is_empty() {
        // The pattern can never match; a prefilter with no literals says so.
        return Some(Vec::new());
    }
    if literals
        .iter()
        .any(|l| l.as_bytes().len() < MIN_LITERAL_LEN)
    {
        return None;
    }
    Some(literals.iter().map(|l| l.as_bytes().to_vec()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cue(patterns: &[&str]) -> Cue {
        let owned: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
        Cue::new("test", &owned).unwrap()
    }

    #[test]
    fn literal_prefixes_guard_the_regex_and_it_compiles_on_first_use() {
        let c = cue(&[r"\bharvest\w*", r"\b(?:leuk|lymph)?apheresis\b"]);
        assert!(c.is_prefiltered());
        assert!(!c.is_match("your cells are frozen"));
        assert!(!c.is_compiled(), "no sentence came near: nothing compiled");
        assert!(c.is_match("we harvested your cells"));
        assert!(c.is_compiled());
        assert_eq!(
            c.find("during leukapheresis we").map(|m| m.start()),
            Some(7)
        );
        // A literal present but no match: the regex decides.
        assert!(!c.is_match("apheresisx"));
    }

    #[test]
    fn patterns_without_a_literal_prefix_always_run() {
        let c = cue(&[r"[^.]{0,5}x", r"abc"]);
        assert!(!c.is_prefiltered());
        assert!(c.is_match("..x"));
        assert!(!c.is_match("....."));
        let optional = cue(&[r"(?:ab)?c"]);
        assert!(
            optional.is_match("c"),
            "a one-letter prefix is no prefilter"
        );
    }

    #[test]
    fn case_insensitive_and_anchored_patterns_keep_their_meaning() {
        let c = cue(&[r"(?i)fda[ -]approved", r"^(?:step \w+\W+)?evaluation$"]);
        assert!(c.is_match("FDA-Approved therapies"));
        assert!(c.is_match("step 1: evaluation"));
        assert!(c.is_match("evaluation"));
        assert!(!c.is_match("the evaluation"));
    }

    #[test]
    fn replace_all_without_a_match_borrows() {
        let c = cue(&[r"leukemia (?:&|and) lymphoma society"]);
        assert!(matches!(
            c.replace_all("no society here", "x"),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            c.replace_all(
                "the leukemia & lymphoma society helps",
                |m: &regex::Captures<'_>| { " ".repeat(m[0].len()) }
            ),
            format!(
                "the {} helps",
                " ".repeat("leukemia & lymphoma society".len())
            )
        );
    }

    #[test]
    fn bad_patterns_are_named() {
        let e = Cue::new("cues.car_t", &["ok".into(), "(unclosed".into()]).unwrap_err();
        assert!(
            e.starts_with("cues.car_t: pattern 2 (\"(unclosed\")"),
            "{e}"
        );
        let e = Cue::new("cues.car_t", &[]).unwrap_err();
        assert!(e.contains("the list is empty"), "{e}");
    }
}
