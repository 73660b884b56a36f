//! The walk over the parsed tree: elements with their hints, and text
//! blocks with their links. Iterative, so deep pages cannot overflow the stack.

use super::hints::{
    hint_of_attr, is_block_tag, is_skip_tag, kind_of_tag, names_content, role_hint,
};
use super::{Block, BlockKind, Hint, Link};
use ego_tree::iter::Edge;
use ego_tree::NodeId;
use scraper::{Html, Node};
use std::collections::HashSet;

/// One element of the page, in document order (parents before children).
#[derive(Debug, Clone)]
pub(super) struct Elem {
    pub parent: Option<u32>,
    pub depth: u32,
    pub hint: Option<Hint>,
    /// The class/id token that gave `hint` (`None` for tags and roles, which
    /// always count).
    pub hint_token: Option<&'static str>,
    pub forced_chrome: bool,
    pub in_article: bool,
    pub kind: BlockKind,
    /// 2 for `<main>` / `role=main`, 1 for `<article>`, else 0.
    pub positive: u8,
}

/// What the walk found.
pub(super) struct Walked {
    pub elems: Vec<Elem>,
    pub blocks: Vec<Block>,
    pub title: Option<String>,
    /// The element the configured content selector chose.
    pub forced_root: Option<u32>,
}

/// Node sets chosen by the per-center selectors.
#[derive(Default)]
pub(super) struct Chosen {
    pub content: HashSet<NodeId>,
    pub excluded: HashSet<NodeId>,
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

    fn flush(&mut self, owner: Option<u32>) {
        let text = self.buf.trim_end();
        if let (false, Some(owner)) = (text.is_empty(), owner) {
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

/// An element open during the walk.
struct Open {
    index: u32,
    block: bool,
    /// The `tel:`/`mailto:` link it starts: (mail?, target, text offset).
    contact_link: Option<(bool, String, usize)>,
    is_link: bool,
}

/// The hint an element's tag, role and class/id give it, with the class
/// token when that is where it came from.
fn element_hint(
    el: &scraper::node::Element,
    parent_article: bool,
) -> (Option<Hint>, Option<&'static str>) {
    let tag_hint = match el.name() {
        // The whole page is never chrome, whatever its classes say.
        "html" | "body" => return (None, None),
        "nav" => Some(Hint::Nav),
        "header" if !parent_article => Some(Hint::Header),
        "footer" if !parent_article => Some(Hint::Footer),
        "aside" => Some(Hint::Aside),
        "dialog" => Some(Hint::Notice),
        "form" => Some(Hint::Aside),
        _ => None,
    };
    if let Some(h) = el.attr("role").and_then(role_hint) {
        return (Some(h), None);
    }
    if tag_hint.is_some() {
        return (tag_hint, None);
    }
    let class = el.attr("class");
    let from_class = class
        .and_then(hint_of_attr)
        .or_else(|| el.attr("id").and_then(hint_of_attr));
    match from_class {
        // A hero section is the top of the content, whatever else it is called.
        Some((hint, _)) if hint != Hint::Nav && class.is_some_and(names_content) => (None, None),
        Some((hint, token)) => (Some(hint), Some(token)),
        None => (None, None),
    }
}

/// Walks the document into elements and blocks.
pub(super) fn walk(doc: &Html, chosen: &Chosen) -> Walked {
    let mut b = Builder {
        elems: Vec::with_capacity(2048),
        blocks: Vec::with_capacity(512),
        buf: String::with_capacity(1024),
        link_chars: 0,
        total_chars: 0,
        pending_links: Vec::new(),
    };
    let mut title: Option<String> = None;
    let mut forced_root = None;
    let mut stack: Vec<Open> = Vec::new();
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
                        let parent = stack.last().map(|s| s.index);
                        let (depth, parent_article) = match parent {
                            None => (0, false),
                            Some(p) => {
                                let p = &b.elems[p as usize];
                                (p.depth + 1, p.in_article)
                            }
                        };
                        let (hint, hint_token) = element_hint(el, parent_article);
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
                            hint_token,
                            forced_chrome: chosen.excluded.contains(&node.id()),
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
                        if forced_root.is_none() && chosen.content.contains(&node.id()) {
                            forced_root = Some(index);
                        }
                        if block {
                            b.flush(block_owner.last().copied());
                            block_owner.push(index);
                        }
                        let mut contact_link = None;
                        let is_link = name == "a";
                        if is_link {
                            link_depth += 1;
                            if let Some(href) = el.attr("href") {
                                let h = href.trim();
                                let lower = h.get(..7).unwrap_or("").to_ascii_lowercase();
                                if lower.starts_with("tel:") {
                                    contact_link = Some((false, h[4..].to_string(), b.buf.len()));
                                } else if lower.starts_with("mailto:") {
                                    contact_link = Some((true, h[7..].to_string(), b.buf.len()));
                                }
                            }
                        }
                        if name == "br" {
                            b.push_text(" ", false);
                        }
                        stack.push(Open {
                            index,
                            block,
                            contact_link,
                            is_link,
                        });
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
                let Some(open) = stack.pop() else {
                    continue;
                };
                if open.is_link {
                    link_depth = link_depth.saturating_sub(1);
                }
                if let Some((mail, target, start)) = open.contact_link {
                    let text = b.buf.get(start..).unwrap_or("").trim().to_string();
                    b.pending_links.push(Link { mail, target, text });
                }
                if open.block {
                    let owner = block_owner.pop();
                    b.flush(owner);
                }
            }
        }
    }
    b.flush(block_owner.last().copied());
    Walked {
        elems: b.elems,
        blocks: b.blocks,
        title,
        forced_root,
    }
}
