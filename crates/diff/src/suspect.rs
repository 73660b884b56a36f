//! The content-collapse guard: a page that answers "200 OK" with a
//! maintenance page, a soft 404, a login wall or an almost empty shell is not
//! the page's content, and must not be diffed as if every fact was removed.
//!
//! [`content_suspect`] judges a record, optionally against the page's last
//! good record (its *reference*). A record is suspect when either rule fires:
//!
//! - **collapse** (needs a reference of at least [`COLLAPSE_MIN_REFERENCE_WORDS`]
//!   words): `main_text` kept at most [`COLLAPSE_MAX_WORDS_PERCENT`]% of the
//!   reference's words *and* at most a third of the reference's facts
//!   (products, conditions, populations, stages, side effects, contacts,
//!   trial/manufacturing/all-approved flags, costs) are still there;
//! - **error page**: the title or text carries an error, maintenance,
//!   not-found, access-denied or sign-in cue ("page not found", "under
//!   maintenance", "access denied", "sign in to continue", ...), the text is
//!   short (under [`ERROR_PAGE_MAX_WORDS`] words), and, when there is a
//!   reference, at most half of its facts are still there (or, when it had
//!   none, the text is shorter than the reference's).
//!
//! Real edits keep most of a page's facts, so neither rule fires on them: a
//! page rewritten by half that keeps its facts is compared as usual.

use cartwatch_model::PageRecord;
use std::collections::BTreeSet;

/// The collapse rule fires when the new text has at most this percentage of
/// the reference's words.
pub const COLLAPSE_MAX_WORDS_PERCENT: usize = 25;

/// The collapse rule needs a reference with at least this many words (a
/// short page shrinking says little).
pub const COLLAPSE_MIN_REFERENCE_WORDS: usize = 60;

/// The error-page rule only looks at pages shorter than this many words: an
/// error page is short, a real page that mentions "access denied" is not.
pub const ERROR_PAGE_MAX_WORDS: usize = 150;

/// Phrases (lowercase, punctuation folded to spaces) that mark an error,
/// maintenance, not-found, access-denied or sign-in page.
const CUES: &[&str] = &[
    "page not found",
    "404 not found",
    "error 404",
    "404 error",
    "page cannot be found",
    "page could not be found",
    "page you requested",
    "page you are looking for",
    "page you were looking for",
    "page you re looking for",
    "page no longer exists",
    "under maintenance",
    "down for maintenance",
    "scheduled maintenance",
    "maintenance mode",
    "temporarily unavailable",
    "service unavailable",
    "we ll be back soon",
    "we will be back soon",
    "access denied",
    "403 forbidden",
    "permission denied",
    "not authorized to view",
    "sign in to continue",
    "log in to continue",
    "login to continue",
    "please sign in",
    "please log in",
    "you must be logged in",
    "session has expired",
    "internal server error",
    "bad gateway",
    "something went wrong",
];

/// Why a record looks like an error or maintenance page rather than the
/// page's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspicion {
    /// Words of the suspect record's `main_text`.
    pub words: usize,
    /// Words of the reference record, when there was one.
    pub reference_words: Option<usize>,
    /// Facts of the reference still present, and the reference's facts.
    pub facts: Option<(usize, usize)>,
    /// The error or maintenance phrase found, if any.
    pub cue: Option<&'static str>,
}

impl Suspicion {
    /// A short account: `12 of 640 words left, 0 of 25 facts; "under maintenance"`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        match self.reference_words {
            Some(total) => parts.push(
                format!(
                    "{} of {}",
                    self.words,
                    crate::counted(total, "word", "words")
                ) + " left",
            ),
            None => parts.push(crate::counted(self.words, "word", "words")),
        }
        if let Some((kept, total)) = self.facts {
            parts.push(format!(
                "{kept} of {}",
                crate::counted(total, "fact", "facts")
            ));
        }
        let mut out = parts.join(", ");
        if let Some(cue) = self.cue {
            out.push_str(&format!("; \"{cue}\""));
        }
        out
    }
}

/// Judges `record` against the page's last good record `reference` (see the
/// module docs); `None` when the record looks like real content.
pub fn content_suspect(record: &PageRecord, reference: Option<&PageRecord>) -> Option<Suspicion> {
    let words = word_count(&record.main_text);
    let cue = if words < ERROR_PAGE_MAX_WORDS {
        error_cue(record)
    } else {
        None
    };
    let Some(reference) = reference else {
        return cue.map(|cue| Suspicion {
            words,
            reference_words: None,
            facts: None,
            cue: Some(cue),
        });
    };
    let reference_words = word_count(&reference.main_text);
    let before = facts(reference);
    let after = facts(record);
    let kept = before.intersection(&after).count();
    let suspicion = Suspicion {
        words,
        reference_words: Some(reference_words),
        facts: Some((kept, before.len())),
        cue,
    };
    let collapsed = reference_words >= COLLAPSE_MIN_REFERENCE_WORDS
        && words * 100 <= reference_words * COLLAPSE_MAX_WORDS_PERCENT
        && kept * 3 <= before.len();
    let facts_lost = if before.is_empty() {
        words < reference_words
    } else {
        kept * 2 <= before.len()
    };
    let error_page = cue.is_some() && facts_lost;
    (collapsed || error_page).then_some(suspicion)
}

fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

/// The first cue in the title or text, matched on whole words.
fn error_cue(record: &PageRecord) -> Option<&'static str> {
    let mut folded = String::from(" ");
    for text in record
        .title
        .iter()
        .chain(std::iter::once(&record.main_text))
    {
        for c in text.chars() {
            if c.is_alphanumeric() {
                folded.extend(c.to_lowercase());
            } else if !folded.ends_with(' ') {
                folded.push(' ');
            }
        }
        if !folded.ends_with(' ') {
            folded.push(' ');
        }
    }
    CUES.iter()
        .copied()
        .find(|cue| folded.contains(&format!(" {cue} ")))
}

/// The facts a record states, as comparable keys.
pub(crate) fn facts(record: &PageRecord) -> BTreeSet<String> {
    let offerings = &record.offerings;
    let mut out = BTreeSet::new();
    out.extend(offerings.products.iter().map(|p| format!("product:{p}")));
    out.extend(
        offerings
            .conditions
            .iter()
            .map(|c| format!("condition:{}", c.id)),
    );
    out.extend(
        offerings
            .populations
            .iter()
            .map(|p| format!("population:{p}")),
    );
    out.extend(record.process.iter().map(|s| format!("stage:{}", s.stage)));
    out.extend(
        record
            .side_effects
            .iter()
            .map(|s| format!("side_effect:{s}")),
    );
    out.extend(
        record
            .contacts
            .iter()
            .map(|c| format!("contact:{}", c.key())),
    );
    out.extend(record.costs.iter().map(|c| format!("cost:{}", c.text)));
    for (flag, name) in [
        (offerings.all_fda_approved, "all_approved"),
        (offerings.clinical_trials, "trials"),
        (offerings.manufacturing_on_site, "manufacturing"),
    ] {
        if flag {
            out.insert(name.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(title: &str, text: &str) -> PageRecord {
        PageRecord {
            title: Some(title.into()),
            main_text: text.into(),
            ..Default::default()
        }
    }

    #[test]
    fn cues_match_whole_words_in_title_or_text() {
        let page = record("Page Not Found | Example Health", "Sorry.");
        assert_eq!(
            content_suspect(&page, None).unwrap().cue,
            Some("page not found")
        );
        let page = record("Down", "We're under maintenance. We'll be back soon!");
        assert_eq!(
            content_suspect(&page, None).unwrap().cue,
            Some("under maintenance")
        );
        // A phone number with a 404 area code is no "error 404".
        let page = record("CAR T", "Call 404-555-0100 for an appointment.");
        assert_eq!(content_suspect(&page, None), None);
    }

    #[test]
    fn a_long_page_mentioning_a_cue_is_content() {
        let text = format!("{} access denied", "word ".repeat(ERROR_PAGE_MAX_WORDS));
        assert_eq!(content_suspect(&record("CAR T", &text), None), None);
    }

    #[test]
    fn describe_says_how_much_is_left() {
        let s = Suspicion {
            words: 12,
            reference_words: Some(640),
            facts: Some((0, 25)),
            cue: Some("under maintenance"),
        };
        assert_eq!(
            s.describe(),
            "12 of 640 words left, 0 of 25 facts; \"under maintenance\""
        );
    }
}
