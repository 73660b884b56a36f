//! From the parsed page to text blocks, each knowing where it stood, and the
//! split between content and chrome.
//!
//! No per-site rules: three kinds of evidence are combined.
//! 1. Semantic markup: `nav`, `header`, `footer`, `aside`, `dialog` and ARIA
//!    roles (`navigation`, `banner`, `contentinfo`, `complementary`, `alert`, ...).
//! 2. Boilerplate hints in class and id tokens (`menu`, `footer`, `cookie`,
//!    `consent`, `alert`, `promo`, `related`, `share`, `breadcrumb`, `award`, ...).
//!    A hint is ignored on an element that holds most of the page's prose
//!    (a `<div class="page has-sidebar">` wrapping everything is not a sidebar),
//!    and so is a token whose elements together hold most of it (page
//!    builders wrap every section in a `widget`; service pages open with a
//!    `hero-banner`).
//! 3. Structure, for div soup and table layouts without hints: prose blocks
//!    (long, punctuated, few links) are counted up the tree and the content
//!    root is the deepest element holding most of them; link-dense runs inside
//!    it are dropped.
//!
//! The modules: [`limit`] bounds the nesting before parsing, [`hints`] reads
//! tags, roles and class tokens, [`walk`] turns the tree into elements and
//! blocks, [`classify`] splits content from chrome. All are linear in the
//! page's size.

mod classify;
mod hints;
mod limit;
mod walk;

use scraper::{Html, Selector};

/// Where a block stood, from markup or hints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hint {
    Nav,
    Header,
    Footer,
    Aside,
    /// Cookie and consent banners, alert bars, modals.
    Notice,
}

/// What kind of block a text run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlockKind {
    Heading,
    ListItem,
    Cell,
    Para,
}

/// A `tel:` or `mailto:` link.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    pub mail: bool,
    pub target: String,
    pub text: String,
}

/// One block of text (a paragraph, heading, list item, cell, or a run of text in a div).
#[derive(Debug, Clone)]
pub(crate) struct Block {
    pub text: String,
    pub kind: BlockKind,
    pub elem: u32,
    pub link_ratio: f32,
    pub links: Vec<Link>,
    /// The innermost effective chrome hint around it.
    pub hint: Option<Hint>,
    /// The chrome element it stands in, if any.
    pub chrome_elem: Option<u32>,
    /// Navigation inside the site header (a utility bar): the header is
    /// where a contact there stood, as the record's section order says.
    pub nav_in_header: bool,
    /// Inside the content root.
    pub in_root: bool,
    /// Part of `main_text`.
    pub content: bool,
    /// Before the content root in document order (for contacts outside it).
    pub before_root: bool,
    /// Outside the root but inside the same layout container (a sidebar column),
    /// rather than above or below it at the page's top level.
    pub beside_root: bool,
}

/// The page as blocks.
#[derive(Debug, Default)]
pub(crate) struct Page {
    pub title: Option<String>,
    pub blocks: Vec<Block>,
}

/// Selector overrides resolved to node sets.
pub(crate) struct Overrides {
    content: Option<Selector>,
    exclude: Vec<Selector>,
}

impl Overrides {
    /// Parses the configured selectors; a selector that does not parse is ignored.
    pub fn new(content: Option<&str>, exclude: &[String]) -> Overrides {
        Overrides {
            content: content.and_then(|s| Selector::parse(s).ok()),
            exclude: exclude
                .iter()
                .filter_map(|s| Selector::parse(s).ok())
                .collect(),
        }
    }
}

/// Below this many bytes of content text, a page whose `<noscript>` holds
/// more is read from its `<noscript>` (forums and apps that render with
/// script and serve their text to crawlers there).
const NOSCRIPT_FALLBACK_BYTES: usize = 500;

/// The `<noscript>` reading is taken only when it adds this many bytes of
/// content (not a one-line "enable JavaScript" notice).
const NOSCRIPT_MIN_BYTES: usize = 200;

/// Parses a page after bounding its nesting.
fn parse(html: &str) -> Html {
    Html::parse_document(&limit::limit_nesting(html))
}

/// The markup inside the body's `<noscript>` elements (raw text to a parser
/// with scripting on, as browsers have it), joined.
fn noscript_markup(doc: &Html) -> String {
    let Ok(selector) = Selector::parse("body noscript") else {
        return String::new();
    };
    let mut markup = String::new();
    for el in doc.select(&selector) {
        for text in el.text() {
            markup.push_str(text);
        }
        markup.push('\n');
    }
    markup
}

/// Parses the page into blocks with their regions.
pub(crate) fn page_blocks(html: &str, overrides: Option<&Overrides>) -> Page {
    let doc = parse(html);
    let mut chosen = walk::Chosen::default();
    if let Some(o) = overrides {
        if let Some(sel) = &o.content {
            if let Some(first) = doc.select(sel).next() {
                chosen.content.insert(first.id());
            }
        }
        for sel in &o.exclude {
            for el in doc.select(sel) {
                chosen.excluded.insert(el.id());
            }
        }
    }
    let mut page = blocks_of(&doc, &chosen);
    let content_bytes = |p: &Page| -> usize {
        p.blocks
            .iter()
            .filter(|b| b.content)
            .map(|b| b.text.len())
            .sum()
    };
    if content_bytes(&page) < NOSCRIPT_FALLBACK_BYTES {
        let markup = noscript_markup(&doc);
        if markup.len() > NOSCRIPT_MIN_BYTES {
            let from_noscript = blocks_of(&parse(&markup), &walk::Chosen::default());
            let (with, without) = (content_bytes(&from_noscript), content_bytes(&page));
            if with >= NOSCRIPT_MIN_BYTES && with > without + NOSCRIPT_MIN_BYTES {
                page = Page {
                    title: page.title.or(from_noscript.title),
                    blocks: from_noscript.blocks,
                };
            }
        }
    }
    page
}

/// One walk and classification of the parsed page.
fn blocks_of(doc: &Html, chosen: &walk::Chosen) -> Page {
    let walked = walk::walk(doc, chosen);
    let mut blocks = walked.blocks;
    classify::classify(&walked.elems, &mut blocks, walked.forced_root);
    // A page without a <title> is named by its first heading.
    let title = walked.title.or_else(|| {
        blocks
            .iter()
            .find(|block| block.kind == BlockKind::Heading)
            .map(|block| block.text.clone())
    });
    Page { title, blocks }
}

#[cfg(test)]
mod tests {
    use super::hints::hint_of_attr;
    use super::*;

    fn content(html: &str) -> Vec<String> {
        page_blocks(html, None)
            .blocks
            .into_iter()
            .filter(|b| b.content)
            .map(|b| b.text)
            .collect()
    }

    #[test]
    fn related_link_lists_and_feedback_widgets_are_not_content() {
        let text = content(
            "<main><h1>CAR T</h1><p>CAR T cells are made from your own T cells, which are collected first.</p>\
             <h4>Related links</h4><ul><li><a href='/a'>What is immunotherapy?</a></li>\
             <li><a href='/b'>Transplant FAQ</a></li></ul>\
             <h2>Side effects</h2><ul><li><a href='/crs'>Cytokine release syndrome</a></li></ul>\
             <p>Was this page helpful?</p><p>Yes No</p></main>",
        );
        assert!(text.iter().any(|t| t == "Side effects"), "{text:?}");
        for gone in [
            "Related links",
            "What is immunotherapy?",
            "Transplant FAQ",
            "Was this page helpful?",
            "Yes No",
        ] {
            assert!(!text.iter().any(|t| t == gone), "{gone} in {text:?}");
        }
    }

    #[test]
    fn class_tokens_give_hints() {
        let hint = |v: &str| hint_of_attr(v).map(|(h, _)| h);
        assert_eq!(hint("site-footer dark"), Some(Hint::Footer));
        assert_eq!(hint("mainNav"), Some(Hint::Nav));
        assert_eq!(hint("cookieBanner"), Some(Hint::Notice));
        assert_eq!(hint("x7f3 q9"), None);
        assert_eq!(hint("canvas-wrap"), None);
        assert_eq!(hint("section side-effects"), None);
        assert_eq!(hint("next-steps"), None);
        assert_eq!(hint("jp-relatedposts"), Some(Hint::Aside));
        assert_eq!(hint("left-side"), Some(Hint::Aside));
        assert_eq!(hint("disclaimer"), Some(Hint::Aside));
    }

    #[test]
    fn a_hinted_wrapper_holding_the_prose_is_not_chrome() {
        let long =
            "CAR T-cell therapy uses your own immune cells, changed in a lab, to fight cancer. "
                .repeat(4);
        let html = format!(
            "<body><div class=\"layout has-sidebar\"><p>{long}</p><p>{long}</p></div><div class=sidebar><p>Short aside text here, with a comma and more words.</p></div></body>"
        );
        let c = content(&html);
        assert_eq!(c.len(), 2, "{c:?}");
    }

    #[test]
    fn div_soup_root_is_found_by_prose() {
        let para =
            "We collect your T cells, send them to a lab, and infuse them back a few weeks later. ";
        let html = format!(
            "<body><div class=a1><div class=b2><a href=/x>Home</a></div><div class=b2><a href=/y>About</a></div><div class=b2><a href=/z>Care</a></div></div>\
             <div class=q9><h3>How it works</h3><p>{p}</p><p>{p}</p><ul><li>Step one</li><li>Step two</li></ul></div>\
             <div class=z0><p>1234 Main St</p></div></body>",
            p = para.repeat(2)
        );
        let c = content(&html);
        assert_eq!(c[0], "How it works");
        assert!(c.contains(&"Step two".to_string()));
        assert!(
            !c.iter()
                .any(|t| t.contains("Home") || t.contains("Main St")),
            "{c:?}"
        );
    }
}
