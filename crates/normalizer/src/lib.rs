//! From page bytes to a [`PageRecord`]: decoding, content extraction,
//! contacts, offerings, process, side effects, costs and dates.
//!
//! Pure: no I/O, deterministic, and never panics on any input (a proptest
//! over arbitrary and mutated pages checks it).
//!
//! The pipeline:
//! 1. [`decode`]: byte-order mark, then the HTTP charset, then `<meta charset>`
//!    / `http-equiv`, then chardetng (windows-1252 and GBK read right).
//! 2. Blocks and chrome: the page is parsed (scraper/html5ever) and walked
//!    without recursion into text blocks (paragraphs, headings, list items,
//!    cells). Navigation, headers, footers, sidebars, cookie/consent banners,
//!    alert bars, promos, awards and related tiles are told apart by semantic
//!    tags, ARIA roles and class/id hints, and, for div soup and table layouts
//!    without hints, by structure: the content root is the deepest element
//!    holding most of the page's prose (long, punctuated, few links), widened
//!    to the page's `<main>`/`<article>`; link-dense runs inside it are dropped.
//!    Per-center CSS selectors (`SelectorOverride`) can force the root and
//!    exclude parts.
//! 3. Contacts from every block (scripts and styles never are blocks):
//!    phone numbers (digits, vanity letters, `tel:` links) validated with
//!    libphonenumber, emails (`mailto:` too), merged per number, with purposes
//!    read from the sentence, its neighbours and its heading.
//! 4. Facts from the content (and from boxes beside it that talk about the
//!    therapy): products, targets, conditions (investigational or not),
//!    populations and age limits, flags, stages with durations, side effects,
//!    costs and dates, each with the sentence it was read from. The words are
//!    data: [`Vocabulary`] (`config/vocabulary.toml`).
//!
//! ```
//! use cartwatch_normalizer::{normalize, PageInput, Vocabulary};
//!
//! let html = br#"<html><head><title>CAR T | Example Center</title></head><body>
//!   <nav><a href="/">Home</a> <a href="/care">Care</a></nav>
//!   <main><h1>CAR T-Cell Therapy</h1>
//!   <p>We offer Kymriah and Yescarta for lymphoma. Call <a href="tel:+12168443951">216-844-3951</a>
//!   to schedule an appointment.</p>
//!   <p>First we collect your T cells through leukapheresis, which takes two to three hours.</p></main>
//!   <footer>Copyright 2026 Example Center</footer></body></html>"#;
//! let record = normalize(
//!     &PageInput { bytes: html, url: "https://example.org/car-t", content_type: None, selectors: None },
//!     &Vocabulary::builtin(),
//! );
//! assert_eq!(record.offerings.products, ["kymriah", "yescarta"]);
//! assert_eq!(record.contacts[0].e164.as_deref(), Some("+12168443951"));
//! assert_eq!(record.process[0].durations[0].min_minutes, Some(120));
//! assert!(!record.main_text.contains("Copyright"));
//! ```
#![deny(missing_docs)]

mod contacts;
mod costs;
mod dates;
pub mod decode;
mod dom;
mod duration;
mod facts;
mod matcher;
mod pairing;
mod region;
mod structured_data;
mod text;
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

/// Normalizes one page; phone numbers without a country code are read in the
/// region of the page's URL or `<html lang>`, else the US.
pub fn normalize(input: &PageInput<'_>, vocabulary: &Vocabulary) -> PageRecord {
    normalize_in_country(input, vocabulary, None)
}

/// Normalizes one page of a center in `country` (ISO 3166 alpha-2 from the
/// center's config, e.g. `"GB"`): its phone numbers without a country code
/// are read there. `None` or an unknown code: as [`normalize`].
pub fn normalize_in_country(
    input: &PageInput<'_>,
    vocabulary: &Vocabulary,
    country: Option<&str>,
) -> PageRecord {
    let (html, _, _) = decode::decode(input.bytes, input.content_type);
    normalize_text_in_country(&html, input, vocabulary, country)
}

/// Normalizes an already decoded page (the bytes in `input` are ignored).
pub fn normalize_text(html: &str, input: &PageInput<'_>, vocabulary: &Vocabulary) -> PageRecord {
    normalize_text_in_country(html, input, vocabulary, None)
}

/// [`normalize_text`] for a center in `country` (see [`normalize_in_country`]).
pub fn normalize_text_in_country(
    html: &str,
    input: &PageInput<'_>,
    vocabulary: &Vocabulary,
    country: Option<&str>,
) -> PageRecord {
    let vocab = &vocabulary.inner;
    let region = region::page_region(country, input.url, html);
    let overrides = input
        .selectors
        .map(|s| dom::Overrides::new(s.content.as_deref(), &s.exclude));
    let mut page = dom::page_blocks(html, overrides.as_ref());
    // Escape sequences (raw or `&#27;`) and bidi controls never reach the
    // readers, and do not split a phone number or a product name either.
    for block in page.blocks.iter_mut() {
        clean_owned(&mut block.text);
        for link in block.links.iter_mut() {
            clean_owned(&mut link.text);
            clean_owned(&mut link.target);
        }
    }
    if let Some(title) = page.title.as_mut() {
        clean_owned(title);
    }
    // Lists of linked products or conditions inside the content stay in the
    // text, although link-dense runs are otherwise navigation.
    for block in page.blocks.iter_mut() {
        if block.in_root
            && block.chrome_elem.is_none()
            && !block.content
            && facts::names_a_term(&block.text, vocab)
        {
            block.content = true;
        }
    }
    let mut contacts = contacts::contacts(&page.blocks, vocab, region);
    let mut facts = facts::facts(&page.blocks, vocab);
    let structured = structured_data::structured_facts(html);
    contacts::add_structured(&mut contacts.contacts, &structured.telephones, region);
    facts.add_structured_dates(structured.reviewed, structured.modified);
    let main_text = page
        .blocks
        .iter()
        .filter(|b| b.content)
        .map(|b| b.text.as_str())
        .collect::<Vec<_>>()
        .join("\n\n");
    let record = PageRecord {
        url: input.url.to_string(),
        title: page.title,
        contacts: contacts.contacts,
        tel_link_mismatches: contacts.tel_link_mismatches,
        offerings: facts.offerings,
        process: facts.process,
        side_effects: facts.side_effects,
        costs: facts.costs,
        dates: facts.dates,
        main_text,
        evidence: facts.evidence,
    };
    // The boundary: every string of the record (structured data, tel: links
    // and the URL included) cleaned once more; a record always round-trips.
    cartwatch_model::display::clean_strings(&record).unwrap_or(record)
}

/// Cleans a string in place for display (see [`cartwatch_model::display::clean_text`]).
fn clean_owned(text: &mut String) {
    if let std::borrow::Cow::Owned(clean) = cartwatch_model::display::clean_text(text) {
        *text = clean;
    }
}
