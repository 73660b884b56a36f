//! From the parsed page to text blocks, each knowing where it stood, and the
//! split between content and chrome.
//!
//! No per-site rules: three kinds of evidence are combined.
//! 1. Semantic markup: `nav`, `header`, `footer`, `aside`, `dialog` and ARIA
//!    roles (`navigation`, `banner`, `contentinfo`, `complementary`, `alert`, ...).
//! 2. Boilerplate hints in class and id tokens (`menu`, `footer`, `cookie`,
//!    `consent`, `alert`, `promo`, `related`, `share`, `breadcrumb`, `award`, ...).
//!    A hint is ignored on an element that holds most of the page's prose
//!    (a `<div class="page has-sidebar">` wrapping everything is not a sidebar).
//! 3. Structure, for div soup and table layouts without hints: prose blocks
//!    (long, punctuated, few links) are counted up the tree and the content
//!    root is the deepest element holding most of them; link-dense runs inside
//!    it are dropped.

use ego_tree::iter::Edge;
use once_cell::sync::Lazy;
use regex::Regex;
use scraper::{Html, Node, Selector};
use std::collections::HashSet;

/// Headings over lists of links to other pages ("Related links", "You may
/// also like"): the heading and its links are not the page's content.
static RELATED_HEADING: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)^\s*(?:related(?: \w+)?|you (?:may|might) also (?:like|be interested in)|see also|read next|more (?:stories|articles|news|posts|from \w+)|recommended(?: \w+)?|recent posts|popular(?: \w+)?|other (?:stories|articles)|in this section)\s*:?\s*$").unwrap()
});

/// Page feedback widgets ("Was this page helpful?").
static FEEDBACK: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)^\s*(?:was|is|did) (?:this|the) (?:page|article|information|content|story)(?: \w+)? (?:helpful|useful|answer your question)s?\??\s*$").unwrap()
});

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

#[derive(Debug, Clone)]
struct Elem {
    parent: u32,
    depth: u32,
    hint: Option<Hint>,
    forced_chrome: bool,
    in_article: bool,
    kind: BlockKind,
    /// 2 for `<main>` / `role=main`, 1 for `<article>`, else 0.
    positive: u8,
}

/// The page as blocks.
#[derive(Debug, Default)]
pub(crate) struct Page {
    pub title: Option<String>,
    pub blocks: Vec<Block>,
}

const NONE: u32 = u32::MAX;

/// An element open during the walk: its index, whether it is a block, the
/// `tel:`/`mailto:` link it starts (mail?, target, text offset), whether it is a link.
type OpenElem = (u32, bool, Option<(bool, String, usize)>, bool);

fn is_block_tag(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "body"
            | "caption"
            | "center"
            | "dd"
            | "details"
            | "dialog"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "hr"
            | "html"
            | "legend"
            | "li"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "td"
            | "tfoot"
            | "th"
            | "thead"
            | "tr"
            | "ul"
    )
}

fn is_skip_tag(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "svg"
            | "math"
            | "iframe"
            | "object"
            | "embed"
            | "canvas"
            | "select"
            | "textarea"
            | "video"
            | "audio"
    )
}

fn kind_of_tag(name: &str) -> BlockKind {
    match name {
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => BlockKind::Heading,
        "li" | "dt" | "dd" => BlockKind::ListItem,
        "td" | "th" => BlockKind::Cell,
        _ => BlockKind::Para,
    }
}

/// The chrome hint a class or id token carries.
fn token_hint(token: &str) -> Option<Hint> {
    let exact =
        match token {
            "nav" | "navbar" | "navigation" | "navlist" | "menu" | "menus" | "mainmenu"
            | "megamenu" | "submenu" | "breadcrumb" | "breadcrumbs" | "crumbs" | "skip"
            | "skiplink" | "skiplinks" | "pagination" | "pager" | "toolbar" | "sitemap"
            | "quicklinks" | "utility" | "toc" | "jumplinks" | "topnav" | "subnav" | "sidenav"
            | "menubar" => Some(Hint::Nav),
            "header" | "masthead" | "hdr" | "hd" | "topbar" | "siteheader" | "logo"
            | "branding" => Some(Hint::Header),
            "footer" | "foot" | "ft" | "bottom" | "copyright" | "colophon" | "legal"
            | "sitefooter" | "subfooter" => Some(Hint::Footer),
            "sidebar" | "side" | "aside" | "rail" | "related" | "promo" | "promos"
            | "promotion" | "promotions" | "tiles" | "carousel" | "slider" | "recommended"
            | "recommendations" | "trending" | "popular" | "share" | "sharing" | "sharebar"
            | "social" | "socialmedia" | "newsletter" | "signup" | "subscribe" | "subscription"
            | "award" | "awards" | "badge" | "badges" | "accreditation" | "accreditations"
            | "ad" | "ads" | "advert" | "advertisement" | "sponsor" | "sponsored" | "widget"
            | "widgets" | "pagenav" | "teaser" | "teasers" | "morestories" | "disclaimer"
            | "disclaimers" | "feedback" => Some(Hint::Aside),
            "cookie" | "cookies" | "cookiebar" | "consent" | "gdpr" | "ccpa" | "banner"
            | "alert" | "alerts" | "alertbar" | "notice" | "notification" | "notifications"
            | "announcement" | "announcements" | "emergency" | "modal" | "popup" | "overlay"
            | "lightbox" | "interstitial" | "onetrust" | "optanon" => Some(Hint::Notice),
            _ => None,
        };
    if exact.is_some() || token.len() < 6 {
        return exact;
    }
    for (needle, hint) in [
        ("cookie", Hint::Notice),
        ("consent", Hint::Notice),
        ("footer", Hint::Footer),
        ("header", Hint::Header),
        ("navbar", Hint::Nav),
        ("navigation", Hint::Nav),
        ("megamenu", Hint::Nav),
        ("breadcrumb", Hint::Nav),
        ("sidebar", Hint::Aside),
        ("newsletter", Hint::Aside),
        ("related", Hint::Aside),
        ("social", Hint::Aside),
        ("promo", Hint::Aside),
        ("sharing", Hint::Aside),
        ("sharebar", Hint::Aside),
    ] {
        if token.contains(needle) {
            return Some(hint);
        }
    }
    None
}

/// Splits class/id values into lower-case tokens (`site-footer`, `mainNav`).
fn hint_of_attr(value: &str) -> Option<Hint> {
    let mut best: Option<Hint> = None;
    // "side-effects" is content, not a sidebar.
    let lower = value.to_ascii_lowercase();
    let value = if lower.contains("side") && lower.contains("effect") {
        lower
            .replace("side-effect", "sideeffect")
            .replace("side_effect", "sideeffect")
            .replace("side effect", "sideeffect")
    } else {
        value.to_string()
    };
    for word in value.split(|c: char| !c.is_ascii_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        let lower = word.to_ascii_lowercase();
        if let Some(h) = token_hint(&lower) {
            best = Some(h);
            break;
        }
        // camelCase: mainNav, cookieBanner
        let mut start = 0;
        let bytes = word.as_bytes();
        for i in 1..=bytes.len() {
            let boundary = i == bytes.len()
                || (bytes[i].is_ascii_uppercase() && bytes[i - 1].is_ascii_lowercase());
            if boundary {
                if start > 0 || i < bytes.len() {
                    if let Some(h) = token_hint(&word[start..i].to_ascii_lowercase()) {
                        best = Some(h);
                    }
                }
                start = i;
            }
        }
        if best.is_some() {
            break;
        }
    }
    best
}

fn role_hint(role: &str) -> Option<Hint> {
    match role.trim().to_ascii_lowercase().as_str() {
        "navigation" | "menu" | "menubar" | "search" => Some(Hint::Nav),
        "banner" => Some(Hint::Header),
        "contentinfo" => Some(Hint::Footer),
        "complementary" => Some(Hint::Aside),
        "alert" | "alertdialog" | "dialog" | "status" | "marquee" => Some(Hint::Notice),
        _ => None,
    }
}

struct Builder {
    elems: Vec<Elem>,
    blocks: Vec<Block>,
    buf: String,
    link_chars: usize,
    total_chars: usize,
    pending_links: Vec<Link>,
}

impl Builder {
    fn push_text(&mut self, text: &str, in_link: bool) {
        for c in text.chars() {
            if c.is_whitespace() {
                if !self.buf.is_empty() && !self.buf.ends_with(' ') {
                    self.buf.push(' ');
                }
            } else {
                self.buf.push(c);
                self.total_chars += 1;
                if in_link {
                    self.link_chars += 1;
                }
            }
        }
    }

    fn flush(&mut self, owner: u32) {
        let text = self.buf.trim_end();
        if !text.is_empty() && owner != NONE {
            let kind = self.elems[owner as usize].kind;
            self.blocks.push(Block {
                text: text.to_string(),
                kind,
                elem: owner,
                link_ratio: if self.total_chars == 0 {
                    0.0
                } else {
                    self.link_chars as f32 / self.total_chars as f32
                },
                links: std::mem::take(&mut self.pending_links),
                hint: None,
                chrome_elem: None,
                nav_in_header: false,
                in_root: false,
                content: false,
                before_root: false,
                beside_root: false,
            });
        }
        self.buf.clear();
        self.link_chars = 0;
        self.total_chars = 0;
        self.pending_links.clear();
    }
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

/// Parses the page into blocks with their regions.
pub(crate) fn page_blocks(html: &str, overrides: Option<&Overrides>) -> Page {
    let doc = Html::parse_document(html);
    let mut content_nodes = HashSet::new();
    let mut excluded_nodes = HashSet::new();
    if let Some(o) = overrides {
        if let Some(sel) = &o.content {
            if let Some(first) = doc.select(sel).next() {
                content_nodes.insert(first.id());
            }
        }
        for sel in &o.exclude {
            for el in doc.select(sel) {
                excluded_nodes.insert(el.id());
            }
        }
    }

    let mut b = Builder {
        elems: Vec::with_capacity(2048),
        blocks: Vec::with_capacity(512),
        buf: String::with_capacity(1024),
        link_chars: 0,
        total_chars: 0,
        pending_links: Vec::new(),
    };
    let mut title: Option<String> = None;
    let mut forced_root: u32 = NONE;
    // (elem index, is block, link start offset if a tel/mailto link, is link)
    let mut stack: Vec<OpenElem> = Vec::new();
    let mut block_owner: Vec<u32> = Vec::new();
    let mut skip_until = None;
    let mut link_depth = 0usize;

    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(node) => {
                if skip_until.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Element(el) => {
                        let name = el.name();
                        if is_skip_tag(name) {
                            skip_until = Some(node.id());
                            continue;
                        }
                        if name == "title" {
                            if title.is_none() {
                                let t: String = node
                                    .descendants()
                                    .filter_map(|n| n.value().as_text().map(|t| &**t))
                                    .collect();
                                let folded = t.split_whitespace().collect::<Vec<_>>().join(" ");
                                if !folded.is_empty() {
                                    title = Some(folded);
                                }
                            }
                            skip_until = Some(node.id());
                            continue;
                        }
                        let parent = stack.last().map(|s| s.0).unwrap_or(NONE);
                        let (depth, parent_article) = if parent == NONE {
                            (0, false)
                        } else {
                            let p = &b.elems[parent as usize];
                            (p.depth + 1, p.in_article)
                        };
                        let mut hint = match name {
                            "nav" => Some(Hint::Nav),
                            "header" if !parent_article => Some(Hint::Header),
                            "footer" if !parent_article => Some(Hint::Footer),
                            "aside" => Some(Hint::Aside),
                            "dialog" => Some(Hint::Notice),
                            "form" => Some(Hint::Aside),
                            _ => None,
                        };
                        if let Some(role) = el.attr("role") {
                            if let Some(h) = role_hint(role) {
                                hint = Some(h);
                            }
                        }
                        if hint.is_none() {
                            hint = el
                                .attr("class")
                                .and_then(hint_of_attr)
                                .or_else(|| el.attr("id").and_then(hint_of_attr));
                        }
                        let role_main = el
                            .attr("role")
                            .is_some_and(|r| r.eq_ignore_ascii_case("main"));
                        let in_article =
                            parent_article || matches!(name, "article" | "main") || role_main;
                        let block = is_block_tag(name);
                        let index = b.elems.len() as u32;
                        b.elems.push(Elem {
                            parent,
                            depth,
                            hint,
                            forced_chrome: excluded_nodes.contains(&node.id()),
                            in_article,
                            kind: kind_of_tag(name),
                            positive: if name == "main" || role_main {
                                2
                            } else if name == "article" {
                                1
                            } else {
                                0
                            },
                        });
                        if content_nodes.contains(&node.id()) && forced_root == NONE {
                            forced_root = index;
                        }
                        if block {
                            let owner = block_owner.last().copied().unwrap_or(NONE);
                            b.flush(owner);
                            block_owner.push(index);
                        }
                        let mut link = None;
                        let is_link = name == "a";
                        if is_link {
                            link_depth += 1;
                            if let Some(href) = el.attr("href") {
                                let h = href.trim();
                                let lower = h.get(..7).unwrap_or("").to_ascii_lowercase();
                                if lower.starts_with("tel:") {
                                    link = Some((false, h[4..].to_string(), b.buf.len()));
                                } else if lower.starts_with("mailto:") {
                                    link = Some((true, h[7..].to_string(), b.buf.len()));
                                }
                            }
                        }
                        if name == "br" {
                            b.push_text(" ", false);
                        }
                        stack.push((index, block, link, is_link));
                    }
                    Node::Text(t) => {
                        b.push_text(t, link_depth > 0);
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if let Some(id) = skip_until {
                    if id == node.id() {
                        skip_until = None;
                    }
                    continue;
                }
                if !node.value().is_element() {
                    continue;
                }
                let Some((_index, block, link, is_link)) = stack.pop() else {
                    continue;
                };
                if is_link {
                    link_depth = link_depth.saturating_sub(1);
                }
                if let Some((mail, target, start)) = link {
                    let text = b.buf.get(start..).unwrap_or("").trim().to_string();
                    b.pending_links.push(Link { mail, target, text });
                }
                if block {
                    let owner = block_owner.pop().unwrap_or(NONE);
                    b.flush(owner);
                }
            }
        }
    }
    let owner = block_owner.last().copied().unwrap_or(NONE);
    b.flush(owner);

    // A page without a <title> is named by its first heading.
    let title = title.or_else(|| {
        b.blocks
            .iter()
            .find(|block| block.kind == BlockKind::Heading)
            .map(|block| block.text.clone())
    });
    let mut page = Page {
        title,
        blocks: std::mem::take(&mut b.blocks),
    };
    classify(&b.elems, &mut page.blocks, forced_root);
    page
}

fn is_prose(block: &Block) -> bool {
    if block.kind == BlockKind::Heading || block.link_ratio >= 0.35 {
        return false;
    }
    let len = block.text.len();
    if len < 50 {
        return false;
    }
    let words = block.text.split(' ').count();
    words >= 8 && block.text.contains(['.', ',', '!', '?', ';'])
}

fn classify(elems: &[Elem], blocks: &mut [Block], forced_root: u32) {
    let n = elems.len();
    // 1. Prose per element, ignoring hints.
    let mut raw = vec![0usize; n];
    let mut total_raw = 0usize;
    let prose: Vec<bool> = blocks.iter().map(is_prose).collect();
    for (block, &p) in blocks.iter().zip(&prose) {
        if !p {
            continue;
        }
        let len = block.text.len();
        total_raw += len;
        let mut e = block.elem;
        while e != NONE {
            raw[e as usize] += len;
            e = elems[e as usize].parent;
        }
    }
    // 2. Effective chrome: a hint on an element that does not hold most of the prose.
    let mut chrome_of = vec![NONE; n];
    for i in 0..n {
        let el = &elems[i];
        let effective =
            el.forced_chrome || (el.hint.is_some() && (total_raw == 0 || raw[i] * 2 <= total_raw));
        chrome_of[i] = if effective {
            i as u32
        } else if el.parent != NONE {
            chrome_of[el.parent as usize]
        } else {
            NONE
        };
    }
    for block in blocks.iter_mut() {
        let c = chrome_of[block.elem as usize];
        if c != NONE {
            block.chrome_elem = Some(c);
            block.hint = if elems[c as usize].forced_chrome {
                elems[c as usize].hint.or(Some(Hint::Aside))
            } else {
                elems[c as usize].hint
            };
            if block.hint == Some(Hint::Nav) {
                let mut e = elems[c as usize].parent;
                while e != NONE {
                    if chrome_of[e as usize] == e && elems[e as usize].hint == Some(Hint::Header) {
                        block.nav_in_header = true;
                        break;
                    }
                    e = elems[e as usize].parent;
                }
            }
        }
    }
    // 3. The content root: the deepest element holding most of the non-chrome prose.
    let mut sums = vec![0usize; n];
    let mut total = 0usize;
    for (block, &p) in blocks.iter().zip(&prose) {
        if !p || block.chrome_elem.is_some() {
            continue;
        }
        let len = block.text.len();
        total += len;
        let mut e = block.elem;
        while e != NONE {
            sums[e as usize] += len;
            e = elems[e as usize].parent;
        }
    }
    let root = if forced_root != NONE {
        forced_root
    } else if total == 0 {
        NONE
    } else {
        let mut best = NONE;
        for i in 0..n {
            if sums[i] * 10 >= total * 6
                && (best == NONE || elems[i].depth > elems[best as usize].depth)
            {
                best = i as u32;
            }
        }
        best
    };
    // Widen the root to the page's own <main> / role=main (or <article>) around
    // it, so the title and intro beside the densest block stay; without such
    // markup, take in sibling blocks of the root that carry prose of their own
    // (content split over several sections).
    let mut roots: Vec<u32> = Vec::new();
    if root != NONE && forced_root == NONE {
        let mut best_main = NONE;
        let mut best_article = NONE;
        let mut e = root;
        while e != NONE && elems[e as usize].depth >= 2 {
            let el = &elems[e as usize];
            if chrome_of[e as usize] == NONE {
                if el.positive == 2 {
                    best_main = e;
                } else if el.positive == 1 && best_article == NONE {
                    best_article = e;
                }
            }
            e = el.parent;
        }
        let widened = if best_main != NONE {
            best_main
        } else {
            best_article
        };
        if widened != NONE {
            roots.push(widened);
        } else {
            roots.push(root);
            let parent = elems[root as usize].parent;
            if parent != NONE {
                let floor = (sums[root as usize] / 4).max(150);
                for i in 0..n {
                    if elems[i].parent == parent
                        && i as u32 != root
                        && chrome_of[i] == NONE
                        && sums[i] >= floor
                    {
                        roots.push(i as u32);
                    }
                }
            }
        }
    } else if root != NONE {
        roots.push(root);
    }
    let root = roots.first().copied().unwrap_or(NONE);
    let mut in_root = vec![root == NONE; n];
    if root != NONE {
        for i in 0..n {
            in_root[i] = roots.contains(&(i as u32))
                || (elems[i].parent != NONE && in_root[elems[i].parent as usize]);
        }
    }
    // The root's ancestors, to tell a sidebar column (sharing a deep ancestor
    // with the root) from page-level headers and footers.
    let mut root_chain = vec![false; n];
    let mut e = root;
    while e != NONE {
        root_chain[e as usize] = true;
        e = elems[e as usize].parent;
    }
    let mut seen_root = false;
    for block in blocks.iter_mut() {
        if root != NONE && !in_root[block.elem as usize] {
            let mut a = block.elem;
            while a != NONE && !root_chain[a as usize] {
                a = elems[a as usize].parent;
            }
            block.beside_root = a != NONE && elems[a as usize].depth >= 2;
        }
        block.in_root = in_root[block.elem as usize];
        if block.in_root {
            seen_root = true;
        }
        block.before_root = !seen_root && !block.in_root;
        block.content = block.in_root && block.chrome_elem.is_none();
    }
    // 4. Link-dense runs inside the root (menus, tag clouds, "related" lists without hints).
    let dense: Vec<bool> = blocks
        .iter()
        .map(|b| b.content && b.link_ratio >= 0.6 && b.kind != BlockKind::Heading)
        .collect();
    let mut i = 0;
    while i < blocks.len() {
        if !dense[i] {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < blocks.len() && (dense[j] || !blocks[j].content) {
            j += 1;
        }
        let run = (i..j).filter(|&k| dense[k]).count();
        let lone_short_link = run == 1 && blocks[i].text.len() <= 30;
        if run >= 3 || lone_short_link {
            for block in blocks.iter_mut().take(j).skip(i) {
                if block.link_ratio >= 0.6 && block.links.is_empty() {
                    block.content = false;
                }
            }
        }
        i = j.max(i + 1);
    }
    // 4b. A "Related links" / "You may also like" heading and the link-dense
    // blocks under it, however short the list.
    let mut k = 0;
    while k < blocks.len() {
        if blocks[k].content
            && blocks[k].text.len() < 60
            && RELATED_HEADING.is_match(&blocks[k].text)
            && blocks
                .get(k + 1)
                .is_some_and(|b| b.link_ratio >= 0.6 && b.links.is_empty())
        {
            blocks[k].content = false;
            let mut j = k + 1;
            while j < blocks.len()
                && blocks[j].kind != BlockKind::Heading
                && blocks[j].link_ratio >= 0.6
                && blocks[j].links.is_empty()
            {
                blocks[j].content = false;
                j += 1;
            }
            k = j;
        } else {
            k += 1;
        }
    }
    // 5. Lone link-only paragraphs inside the root ("Learn more", previous/next
    // article tiles), feedback questions, and the short labels beside them
    // ("PREVIOUS", "NEXT", "Yes No").
    let mut dropped = vec![false; blocks.len()];
    for (k, block) in blocks.iter_mut().enumerate() {
        if block.content && block.text.len() < 80 && FEEDBACK.is_match(&block.text) {
            block.content = false;
            dropped[k] = true;
        }
    }
    for (k, block) in blocks.iter_mut().enumerate() {
        if block.content
            && block.link_ratio >= 0.9
            && matches!(block.kind, BlockKind::Para | BlockKind::Cell)
            && block.text.len() < 100
            && block.links.is_empty()
        {
            block.content = false;
            dropped[k] = true;
        }
    }
    for k in 0..blocks.len() {
        let near_dropped = (k > 0 && dropped[k - 1]) || (k + 1 < blocks.len() && dropped[k + 1]);
        let b = &mut blocks[k];
        if near_dropped
            && b.content
            && b.kind != BlockKind::Heading
            && b.text.len() < 20
            && !b.text.contains(['.', ',', '!', '?', ':'])
        {
            b.content = false;
        }
    }
}

#[cfg(test)]
mod tests {
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
        assert_eq!(hint_of_attr("site-footer dark"), Some(Hint::Footer));
        assert_eq!(hint_of_attr("mainNav"), Some(Hint::Nav));
        assert_eq!(hint_of_attr("cookieBanner"), Some(Hint::Notice));
        assert_eq!(hint_of_attr("x7f3 q9"), None);
        assert_eq!(hint_of_attr("canvas-wrap"), None);
        assert_eq!(hint_of_attr("section side-effects"), None);
        assert_eq!(hint_of_attr("next-steps"), None);
        assert_eq!(hint_of_attr("jp-relatedposts"), Some(Hint::Aside));
        assert_eq!(hint_of_attr("left-side"), Some(Hint::Aside));
        assert_eq!(hint_of_attr("disclaimer"), Some(Hint::Aside));
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
