//! A linear pre-pass that bounds the nesting depth of a page before the
//! HTML parser sees it.
//!
//! html5ever's tree builder scans its stack of open elements for many tags
//! (closing a `<p>` in button scope, finding a formatting element), so a page
//! of 100,000 nested `<div>`s or 300,000 unclosed `<b>`s costs time
//! quadratic in its size. Real pages nest far less than [`MAX_NESTING`]; on a
//! page that nests deeper, the start tags past the limit (and their end tags)
//! are dropped and their text kept, so the page still reads, flatter.

use std::borrow::Cow;

/// The deepest nesting kept; start tags deeper than this are dropped.
pub(super) const MAX_NESTING: usize = 256;

/// Elements that never hold children.
fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
            | "keygen"
            | "image"
    )
}

/// Elements whose content is raw text up to their own end tag.
fn is_raw_text(name: &str) -> bool {
    matches!(
        name,
        "script" | "style" | "textarea" | "title" | "xmp" | "iframe" | "noembed" | "noframes"
    )
}

/// Start tags that close an open `<p>` (and, for list items, rows and
/// cells, an open sibling of their own kind), as the parser does.
fn implied_closes(name: &str, top: &str) -> bool {
    match name {
        "li" => matches!(top, "li" | "p"),
        "dt" | "dd" => matches!(top, "dt" | "dd" | "p"),
        "td" | "th" => matches!(top, "td" | "th"),
        "tr" => matches!(top, "tr" | "td" | "th"),
        "option" => top == "option",
        "p" | "div" | "ul" | "ol" | "dl" | "table" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
        | "section" | "article" | "aside" | "nav" | "header" | "footer" | "main" | "form"
        | "blockquote" | "pre" | "figure" | "address" | "details" | "fieldset" => top == "p",
        _ => false,
    }
}

/// The page with start tags deeper than [`MAX_NESTING`] (and their end
/// tags) removed; borrowed unchanged when the page nests less.
pub(super) fn limit_nesting(html: &str) -> Cow<'_, str> {
    let bytes = html.as_bytes();
    let mut stack: Vec<String> = Vec::new();
    // Per dropped tag name, how many end tags to drop too.
    let mut dropped: Vec<(String, usize)> = Vec::new();
    // Byte ranges of the input to leave out.
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while let Some(off) = memchr_lt(&bytes[i..]) {
        let start = i + off;
        let rest = &bytes[start..];
        if rest.starts_with(b"<!--") {
            i = find(bytes, start + 4, b"-->").map_or(bytes.len(), |e| e + 3);
            continue;
        }
        let end_tag = rest.get(1) == Some(&b'/');
        let name_start = start + 1 + end_tag as usize;
        if !bytes
            .get(name_start)
            .is_some_and(|b| b.is_ascii_alphabetic())
        {
            i = start + 1;
            continue;
        }
        let mut name_end = name_start;
        while name_end < bytes.len()
            && !bytes[name_end].is_ascii_whitespace()
            && !matches!(bytes[name_end], b'>' | b'/')
        {
            name_end += 1;
        }
        let Some(tag_end) = tag_end(bytes, name_end) else {
            break;
        };
        let name = html[name_start..name_end].to_ascii_lowercase();
        let self_closing = bytes[tag_end - 1] == b'/';
        i = tag_end + 1;
        if end_tag {
            if let Some(pos) = stack.iter().rposition(|n| *n == name) {
                stack.truncate(pos);
            } else if let Some(entry) = dropped.iter_mut().find(|(n, c)| *n == name && *c > 0) {
                entry.1 -= 1;
                cuts.push((start, i));
            }
            continue;
        }
        if is_raw_text(&name) {
            i = find_end_tag(bytes, i, name.as_bytes()).unwrap_or(bytes.len());
            continue;
        }
        if is_void(&name) || self_closing {
            continue;
        }
        while stack.last().is_some_and(|top| implied_closes(&name, top)) {
            stack.pop();
        }
        if name == "a" || name == "nobr" {
            // A new link closes an open one.
            if let Some(pos) = stack.iter().rposition(|n| *n == name) {
                stack.truncate(pos);
            }
        }
        if stack.len() >= MAX_NESTING {
            match dropped.iter_mut().find(|(n, _)| *n == name) {
                Some(entry) => entry.1 += 1,
                None => dropped.push((name, 1)),
            }
            cuts.push((start, i));
        } else {
            stack.push(name);
        }
    }
    if cuts.is_empty() {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut from = 0;
    for (a, b) in cuts {
        out.push_str(&html[from..a]);
        from = b;
    }
    out.push_str(&html[from..]);
    Cow::Owned(out)
}

fn memchr_lt(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'<')
}

/// The index of the `>` ending a tag whose name ends at `from` (quoted
/// attribute values may hold `>`).
fn tag_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut quote = None;
    let mut last_solid = 0u8;
    for (k, &b) in bytes.iter().enumerate().skip(from) {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            // A quote only opens a value after `=`.
            None if (b == b'"' || b == b'\'') && last_solid == b'=' => quote = Some(b),
            None if b == b'>' => return Some(k),
            None => {}
        }
        if !b.is_ascii_whitespace() {
            last_solid = b;
        }
    }
    None
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// The start of `</name` (any case) at or after `from`.
fn find_end_tag(bytes: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut k = from;
    while let Some(p) = find(bytes, k, b"</") {
        let candidate = bytes.get(p + 2..p + 2 + name.len())?;
        if candidate.eq_ignore_ascii_case(name) {
            return Some(p);
        }
        k = p + 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_pages_are_left_alone() {
        let html = "<html><body><div><p>One<p>Two<ul><li>a<li>b</ul><table><tr><td>x<td>y<tr><td>z</table>\
                    <script>if (a < b) { x = '<div>'; }</script><!-- <div> --><img src=x><br/></div></body></html>";
        assert!(matches!(limit_nesting(html), Cow::Borrowed(_)));
    }

    #[test]
    fn deep_nesting_is_cut_at_the_limit_and_text_kept() {
        let depth = MAX_NESTING * 3;
        let html = format!(
            "{}deep text{}",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        let out = limit_nesting(&html);
        assert_eq!(out.matches("<div>").count(), MAX_NESTING);
        assert_eq!(out.matches("</div>").count(), MAX_NESTING);
        assert!(out.contains("deep text"));
    }

    #[test]
    fn unclosed_formatting_tags_are_bounded() {
        let html = "<b>x ".repeat(MAX_NESTING * 4);
        let out = limit_nesting(&html);
        assert_eq!(out.matches("<b>").count(), MAX_NESTING);
        assert_eq!(out.matches("x ").count(), MAX_NESTING * 4);
    }
}
