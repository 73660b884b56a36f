//! From page bytes to a [`PageRecord`]: decoding, content extraction,
//! contacts, offerings, process, side effects, costs and dates.
//!
//! Pure: no I/O, deterministic, and never panics on any input.
#![deny(missing_docs)]

pub mod vocabulary;

pub use vocabulary::{Vocabulary, VocabularyError};

use cartwatch_model::{PageRecord, SelectorOverride};

/// One page to normalize.
#[derive(Debug, Clone, Copy)]
pub struct PageInput<'a> {
    /// The body bytes as served (any charset).
    pub bytes: &'a [u8],
    /// The page's URL (recorded in the output).
    pub url: &'a str,
    /// The HTTP Content-Type header, whose charset wins over the page's own.
    pub content_type: Option<&'a str>,
    /// Per-center selector overrides from the config.
    pub selectors: Option<&'a SelectorOverride>,
}

/// Normalizes one page.
pub fn normalize(input: &PageInput<'_>, vocabulary: &Vocabulary) -> PageRecord {
    let _ = (input, vocabulary);
    unimplemented!("the normalizer issue implements extraction")
}
