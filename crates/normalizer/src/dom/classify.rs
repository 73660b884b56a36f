//! The split between content and chrome, in phases: prose per element,
//! effective chrome hints, the content root, and the clean-up of link-dense
//! runs, "related" lists and feedback widgets inside it.
//!
//! Every phase is linear in the number of elements and blocks: sums flow up
//! the tree in one reverse pass over the elements (children come after their
//! parents), flags flow down in one forward pass.

use super::walk::Elem;
use super::{Block, BlockKind, Hint};
use once_cell::sync::Lazy;
use regex::Regex;

/// Headings over lists of links to other pages ("Related links", "You may
/// also like"): the heading and its links are not the page's content.
static RELATED_HEADING: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)^\s*(?:related(?: \w+)?|you (?:may|might) also (?:like|be interested in)|see also|read next|more (?:stories|articles|news|posts|from \w+)|recommended(?: \w+)?|recent posts|popular(?: \w+)?|other (?:stories|articles)|in this section)\s*:?\s*$").unwrap()
});

/// Page feedback widgets ("Was this page helpful?").
static FEEDBACK: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)^\s*(?:was|is|did) (?:this|the) (?:page|article|information|content|story)(?: \w+)? (?:helpful|useful|answer your question)s?\??\s*$").unwrap()
});

/// A block this share of whose characters are link text is not prose.
const PROSE_MAX_LINK_RATIO: f32 = 0.35;
/// Prose is at least this many bytes and words long.
const PROSE_MIN_BYTES: usize = 50;
const PROSE_MIN_WORDS: usize = 8;
/// The content root holds at least this share (in tenths) of the page's prose.
const ROOT_PROSE_TENTHS: usize = 6;
/// Blocks this link-dense are navigation when they come in runs.
const DENSE_LINK_RATIO: f32 = 0.6;
/// A run of this many link-dense blocks inside the root is a menu.
const DENSE_RUN_MIN: usize = 3;
/// A lone link-dense block this short is a "Learn more" link.
const LONE_LINK_MAX_BYTES: usize = 30;
/// Paragraphs this link-dense and shorter than [`LINK_TILE_MAX_BYTES`] are tiles.
const LINK_TILE_RATIO: f32 = 0.9;
const LINK_TILE_MAX_BYTES: usize = 100;
/// Class tokens are taken for the page's layout only while the chrome they
/// mark leaves less than 1/this of the page's prose (a page of widgets).
const LAYOUT_KEPT_PARTS: usize = 4;
/// ... and less than this many bytes of it.
const LAYOUT_KEPT_MAX_BYTES: usize = 400;
/// How many class tokens may be found to be the page's own layout.
const MAX_LAYOUT_TOKENS: usize = 8;

fn is_prose(block: &Block) -> bool {
    if block.kind == BlockKind::Heading || block.link_ratio >= PROSE_MAX_LINK_RATIO {
        return false;
    }
    if block.text.len() < PROSE_MIN_BYTES {
        return false;
    }
    let words = block.text.split(' ').count();
    words >= PROSE_MIN_WORDS && block.text.contains(['.', ',', '!', '?', ';'])
}

/// Prose bytes per element (its own blocks and all below it), counting only
/// the blocks `counted` lets through.
fn prose_sums(
    elems: &[Elem],
    blocks: &[Block],
    prose: &[bool],
    counted: impl Fn(&Block) -> bool,
) -> Vec<usize> {
    let mut sums = vec![0usize; elems.len()];
    for (block, &p) in blocks.iter().zip(prose) {
        if p && counted(block) {
            sums[block.elem as usize] += block.text.len();
        }
    }
    for i in (0..elems.len()).rev() {
        if let Some(parent) = elems[i].parent {
            sums[parent as usize] += sums[i];
        }
    }
    sums
}

/// Which elements are chrome: hinted elements that do not hold most of the
/// page's prose, unless their class token is one of `layout_tokens`.
fn effective_chrome(
    elems: &[Elem],
    raw: &[usize],
    total_raw: usize,
    layout_tokens: &[&str],
) -> Vec<bool> {
    elems
        .iter()
        .enumerate()
        .map(|(i, el)| {
            let from_layout = el.hint_token.is_some_and(|t| layout_tokens.contains(&t));
            el.forced_chrome
                || (el.hint.is_some()
                    && !from_layout
                    && (total_raw == 0 || raw[i] * 2 <= total_raw))
        })
        .collect()
}

/// For each element, the innermost chrome element it stands in.
fn chrome_elements(elems: &[Elem], effective: &[bool]) -> Vec<Option<u32>> {
    let mut chrome_of: Vec<Option<u32>> = vec![None; elems.len()];
    for (i, el) in elems.iter().enumerate() {
        chrome_of[i] = if effective[i] {
            Some(i as u32)
        } else {
            el.parent.and_then(|p| chrome_of[p as usize])
        };
    }
    chrome_of
}

/// Class tokens that, taken together, would leave next to none of the
/// page's prose outside chrome are the page's own layout (`elementor-widget`, `hero-banner`
/// sections), not boilerplate: the elements they mark are not chrome.
fn layout_tokens(elems: &[Elem], raw: &[usize], total_raw: usize) -> Vec<&'static str> {
    let mut layout: Vec<&'static str> = Vec::new();
    while total_raw > 0 && layout.len() < MAX_LAYOUT_TOKENS {
        let effective = effective_chrome(elems, raw, total_raw, &layout);
        // Outermost chrome elements: no chrome above them.
        let mut under_chrome = vec![false; elems.len()];
        let mut lost_by_token: Vec<(&'static str, usize)> = Vec::new();
        let mut lost = 0usize;
        for (i, el) in elems.iter().enumerate() {
            let above = el
                .parent
                .is_some_and(|p| under_chrome[p as usize] || effective[p as usize]);
            under_chrome[i] = above;
            if !effective[i] || above {
                continue;
            }
            lost += raw[i];
            if let Some(token) = el.hint_token {
                match lost_by_token.iter_mut().find(|(t, _)| *t == token) {
                    Some(entry) => entry.1 += raw[i],
                    None => lost_by_token.push((token, raw[i])),
                }
            }
        }
        let kept = total_raw - lost.min(total_raw);
        if kept * LAYOUT_KEPT_PARTS > total_raw || kept > LAYOUT_KEPT_MAX_BYTES {
            break;
        }
        match lost_by_token.into_iter().max_by_key(|(_, l)| *l) {
            Some((token, l)) if l > 0 => layout.push(token),
            _ => break,
        }
    }
    layout
}

/// Marks each block's chrome element and hint, and whether a navigation
/// block stands in the site header.
fn mark_chrome(elems: &[Elem], blocks: &mut [Block], chrome_of: &[Option<u32>]) {
    // Chrome elements with a header chrome element above them.
    let mut under_header = vec![false; elems.len()];
    for (i, el) in elems.iter().enumerate() {
        if let Some(p) = el.parent {
            let p = p as usize;
            under_header[i] = under_header[p]
                || (chrome_of[p] == Some(p as u32) && elems[p].hint == Some(Hint::Header));
        }
    }
    for block in blocks.iter_mut() {
        let Some(c) = chrome_of[block.elem as usize] else {
            continue;
        };
        let chrome = &elems[c as usize];
        block.chrome_elem = Some(c);
        block.hint = if chrome.forced_chrome {
            chrome.hint.or(Some(Hint::Aside))
        } else {
            chrome.hint
        };
        block.nav_in_header = block.hint == Some(Hint::Nav) && under_header[c as usize];
    }
}

/// The deepest element holding most of the non-chrome prose.
fn densest_element(elems: &[Elem], sums: &[usize], total: usize) -> Option<u32> {
    if total == 0 {
        return None;
    }
    let mut best: Option<u32> = None;
    for (i, el) in elems.iter().enumerate() {
        if sums[i] * 10 >= total * ROOT_PROSE_TENTHS
            && best.is_none_or(|b| el.depth > elems[b as usize].depth)
        {
            best = Some(i as u32);
        }
    }
    best
}

/// The content roots: the densest element widened to the page's own
/// `<main>` / role=main (or `<article>`) around it, so the title and intro
/// beside the densest block stay; without such markup, the densest element
/// and its siblings that carry prose of their own (content split over
/// several sections).
fn content_roots(
    elems: &[Elem],
    sums: &[usize],
    chrome_of: &[Option<u32>],
    densest: u32,
) -> Vec<u32> {
    let mut best_main = None;
    let mut best_article = None;
    let mut e = Some(densest);
    while let Some(i) = e {
        let el = &elems[i as usize];
        if el.depth < 2 {
            break;
        }
        if chrome_of[i as usize].is_none() {
            if el.positive == 2 {
                best_main = Some(i);
            } else if el.positive == 1 && best_article.is_none() {
                best_article = Some(i);
            }
        }
        e = el.parent;
    }
    if let Some(widened) = best_main.or(best_article) {
        return vec![widened];
    }
    let mut roots = vec![densest];
    if let Some(parent) = elems[densest as usize].parent {
        let floor = (sums[densest as usize] / 4).max(150);
        for (i, el) in elems.iter().enumerate() {
            if el.parent == Some(parent)
                && i as u32 != densest
                && chrome_of[i].is_none()
                && sums[i] >= floor
            {
                roots.push(i as u32);
            }
        }
    }
    roots
}

/// Marks blocks inside the roots, before them, and beside the first root
/// (sharing a deep ancestor with it: a sidebar column, not a page-level
/// header or footer).
fn mark_root(elems: &[Elem], blocks: &mut [Block], roots: &[u32]) {
    let n = elems.len();
    let root = roots.first().copied();
    let mut in_root = vec![root.is_none(); n];
    let mut on_root_chain = vec![false; n];
    let mut e = root;
    while let Some(i) = e {
        on_root_chain[i as usize] = true;
        e = elems[i as usize].parent;
    }
    // The nearest ancestor-or-self on the root's chain, per element.
    let mut chain_ancestor: Vec<Option<u32>> = vec![None; n];
    if root.is_some() {
        for (i, el) in elems.iter().enumerate() {
            let parent_in_root = el.parent.is_some_and(|p| in_root[p as usize]);
            in_root[i] = roots.contains(&(i as u32)) || parent_in_root;
            chain_ancestor[i] = if on_root_chain[i] {
                Some(i as u32)
            } else {
                el.parent.and_then(|p| chain_ancestor[p as usize])
            };
        }
    }
    let mut seen_root = false;
    for block in blocks.iter_mut() {
        let e = block.elem as usize;
        if root.is_some() && !in_root[e] {
            block.beside_root = chain_ancestor[e].is_some_and(|a| elems[a as usize].depth >= 2);
        }
        block.in_root = in_root[e];
        seen_root |= block.in_root;
        block.before_root = !seen_root && !block.in_root;
        block.content = block.in_root && block.chrome_elem.is_none();
    }
}

/// Link-dense runs inside the root (menus, tag clouds, "related" lists without hints).
fn drop_link_runs(blocks: &mut [Block]) {
    let dense: Vec<bool> = blocks
        .iter()
        .map(|b| b.content && b.link_ratio >= DENSE_LINK_RATIO && b.kind != BlockKind::Heading)
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
        let lone_short_link = run == 1 && blocks[i].text.len() <= LONE_LINK_MAX_BYTES;
        if run >= DENSE_RUN_MIN || lone_short_link {
            for block in blocks.iter_mut().take(j).skip(i) {
                if block.link_ratio >= DENSE_LINK_RATIO && block.links.is_empty() {
                    block.content = false;
                }
            }
        }
        i = j.max(i + 1);
    }
}

/// A "Related links" / "You may also like" heading and the link-dense
/// blocks under it, however short the list.
fn drop_related_lists(blocks: &mut [Block]) {
    let linky = |b: &Block| b.link_ratio >= DENSE_LINK_RATIO && b.links.is_empty();
    let mut k = 0;
    while k < blocks.len() {
        if blocks[k].content
            && blocks[k].text.len() < 60
            && RELATED_HEADING.is_match(&blocks[k].text)
            && blocks.get(k + 1).is_some_and(linky)
        {
            blocks[k].content = false;
            let mut j = k + 1;
            while j < blocks.len() && blocks[j].kind != BlockKind::Heading && linky(&blocks[j]) {
                blocks[j].content = false;
                j += 1;
            }
            k = j;
        } else {
            k += 1;
        }
    }
}

/// Lone link-only paragraphs inside the root ("Learn more", previous/next
/// article tiles), feedback questions, and the short labels beside them
/// ("PREVIOUS", "NEXT", "Yes No").
fn drop_tiles_and_feedback(blocks: &mut [Block]) {
    let mut dropped = vec![false; blocks.len()];
    for (k, block) in blocks.iter_mut().enumerate() {
        let feedback = block.text.len() < 80 && FEEDBACK.is_match(&block.text);
        let tile = block.link_ratio >= LINK_TILE_RATIO
            && matches!(block.kind, BlockKind::Para | BlockKind::Cell)
            && block.text.len() < LINK_TILE_MAX_BYTES
            && block.links.is_empty();
        if block.content && (feedback || tile) {
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

/// Splits the blocks into content and chrome (see the module comment).
pub(super) fn classify(elems: &[Elem], blocks: &mut [Block], forced_root: Option<u32>) {
    let prose: Vec<bool> = blocks.iter().map(is_prose).collect();
    // 1. Prose per element, ignoring hints.
    let raw = prose_sums(elems, blocks, &prose, |_| true);
    let total_raw = raw
        .iter()
        .zip(elems)
        .filter(|(_, e)| e.parent.is_none())
        .map(|(s, _)| s)
        .sum::<usize>();
    // 2. Effective chrome.
    let layout = layout_tokens(elems, &raw, total_raw);
    let chrome_of = chrome_elements(elems, &effective_chrome(elems, &raw, total_raw, &layout));
    mark_chrome(elems, blocks, &chrome_of);
    // 3. The content root.
    let sums = prose_sums(elems, blocks, &prose, |b| b.chrome_elem.is_none());
    let total = sums
        .iter()
        .zip(elems)
        .filter(|(_, e)| e.parent.is_none())
        .map(|(s, _)| s)
        .sum::<usize>();
    let roots = match forced_root {
        Some(root) => vec![root],
        None => densest_element(elems, &sums, total)
            .map(|d| content_roots(elems, &sums, &chrome_of, d))
            .unwrap_or_default(),
    };
    mark_root(elems, blocks, &roots);
    // 4. Clean-up inside the root.
    drop_link_runs(blocks);
    drop_related_lists(blocks);
    drop_tiles_and_feedback(blocks);
}
