//! The report's safety layer: escaping, link filtering and the
//! Content-Security-Policy. Everything a scraped page supplied passes through
//! [`text`], [`attr`] or [`href`] before it reaches the HTML.

use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// Escapes text for an HTML element's content: `& < > " '` become entities,
/// and control characters other than tab and newline are dropped. A page's
/// `</script>` or `<img onerror=...>` comes out as inert text.
pub fn text(raw: &str) -> String {
    let raw = crate::clean(raw);
    let mut out = String::with_capacity(raw.len() + raw.len() / 8);
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Escapes a value for a double-quoted attribute. The same entities as
/// [`text`], plus backtick and newline (which some old parsers treat as
/// attribute delimiters); callers always quote attributes with `"`.
pub fn attr(raw: &str) -> String {
    let raw = crate::clean(raw);
    let mut out = String::with_capacity(raw.len() + 8);
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '`' => out.push_str("&#96;"),
            '\n' => out.push_str("&#10;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A link target from a page, escaped for an `href`, when it is an absolute
/// `http://` or `https://` URL; `None` for anything else (`javascript:`,
/// `data:`, `vbscript:`, relative or scheme-relative URLs). Leading and
/// embedded whitespace or control characters, which browsers strip before
/// reading the scheme (`java\tscript:`), make a URL unusable here too.
pub fn href(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    if trimmed
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
    {
        return None;
    }
    let lower = trimmed.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))?;
    if rest.is_empty() || rest.starts_with('/') {
        return None;
    }
    Some(attr(trimmed))
}

/// `<a href="URL" rel="noopener noreferrer nofollow">LABEL</a>` when the URL
/// is http(s) (see [`href`]), else the label alone, escaped, followed by
/// the unusable URL as text so the reader still sees it.
pub fn link(url: &str, label: &str) -> String {
    match href(url) {
        Some(target) => format!(
            "<a href=\"{target}\" rel=\"noopener noreferrer nofollow\">{}</a>",
            text(label)
        ),
        None if url == label => format!("<span class=\"badlink\">{}</span>", text(label)),
        None => format!(
            "{} <span class=\"badlink\">({})</span>",
            text(label),
            text(url)
        ),
    }
}

/// The CSP source expression of a script or style body:
/// `'sha256-<base64 of SHA-256>'`. The body must be hashed exactly as it
/// appears between the tags.
pub fn csp_hash(body: &str) -> String {
    let digest = Sha256::digest(body.as_bytes());
    format!("'sha256-{}'", base64(&digest))
}

/// The report's Content-Security-Policy: nothing may load from anywhere
/// (`default-src 'none'`); the one inline script and the one inline style run
/// only because their hashes are listed; no forms, no base URL, no plugins.
/// Images are limited to `data:` URLs (the report itself uses none).
pub fn content_security_policy(script: &str, style: &str) -> String {
    format!(
        "default-src 'none'; script-src {}; style-src {}; img-src data:; \
         base-uri 'none'; form-action 'none'; object-src 'none'",
        csp_hash(script),
        csp_hash(style)
    )
}

/// Standard base64 with padding (RFC 4648), for CSP hashes.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A token safe inside an `id` or a space-separated data attribute: ASCII
/// letters, digits, `-` and `_` kept, everything else mapped to `_`.
pub fn token(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            out.push(c.to_ascii_lowercase());
        } else {
            out.push('_');
        }
    }
    if out.is_empty() {
        out.push('_');
    }
    out
}

/// Appends `<tag class="class">escaped text</tag>`.
pub fn push_el(out: &mut String, tag: &str, class: &str, content: &str) {
    if class.is_empty() {
        let _ = write!(out, "<{tag}>{}</{tag}>", text(content));
    } else {
        let _ = write!(out, "<{tag} class=\"{class}\">{}</{tag}>", text(content));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_markup_and_drops_controls() {
        assert_eq!(
            text("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(text("a\u{0}b\u{7}c\nd"), "abc\nd");
        assert_eq!(
            text("Call 1-888-MSK-CART — now"),
            "Call 1-888-MSK-CART — now"
        );
    }

    #[test]
    fn attr_cannot_break_out_of_its_quotes() {
        let hostile = "x\" onerror=\"alert(1)\" a='`\n";
        let escaped = attr(hostile);
        assert!(!escaped.contains('"'), "{escaped}");
        assert!(!escaped.contains('\''), "{escaped}");
        assert!(!escaped.contains('`'), "{escaped}");
        assert!(!escaped.contains('\n'), "{escaped}");
        assert!(!escaped.contains('<'), "{escaped}");
    }

    #[test]
    fn only_absolute_http_links_survive() {
        assert_eq!(
            href("https://example.org/a?b=1&c=\"2\""),
            Some("https://example.org/a?b=1&amp;c=&quot;2&quot;".into())
        );
        assert_eq!(
            href(" HTTP://Example.org/ "),
            Some("HTTP://Example.org/".into())
        );
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox",
            "//evil.example/x",
            "/relative",
            "https:///nohost",
            "https://",
            "http:\\\\evil.example",
            "https://ex ample.org/",
            "\u{0}javascript:alert(1)",
        ] {
            assert_eq!(href(bad), None, "{bad:?} must be refused");
        }
    }

    #[test]
    fn links_with_bad_schemes_become_text() {
        let html = link("javascript:alert(1)", "Click <b>me</b>");
        assert!(!html.contains("<a"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(
            html.contains("javascript:alert(1)"),
            "shown as text: {html}"
        );
        let good = link("https://example.org/", "Example");
        assert!(good
            .starts_with("<a href=\"https://example.org/\" rel=\"noopener noreferrer nofollow\">"));
    }

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (raw, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(raw.as_bytes()), encoded);
        }
    }

    #[test]
    fn csp_hashes_are_the_sha256_of_the_exact_body() {
        // echo -n 'alert(1)' | openssl dgst -sha256 -binary | base64
        assert_eq!(
            csp_hash("alert(1)"),
            "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
        );
        let policy = content_security_policy("alert(1)", "p{}");
        assert!(policy.starts_with("default-src 'none'; script-src 'sha256-bhHHL3z2"));
        assert!(!policy.contains("unsafe-inline"));
        assert!(!policy.contains("unsafe-eval"));
    }

    #[test]
    fn no_combination_of_dangerous_fragments_survives() {
        let fragments = [
            "<",
            ">",
            "\"",
            "'",
            "`",
            "&",
            "</script>",
            "<!--",
            "-->",
            "<![CDATA[",
            "\u{0}",
            "\n",
            "\r",
            "\u{2028}",
            "javascript:",
            "on",
            "error=",
            "&lt;",
            "&#",
            "x",
        ];
        for a in fragments {
            for b in fragments {
                for c in fragments {
                    let raw = format!("{a}{b}{c}");
                    let t = text(&raw);
                    assert!(
                        !t.contains(['<', '>', '"', '\'', '\u{0}', '\r']),
                        "text({raw:?}) = {t:?}"
                    );
                    let v = attr(&raw);
                    assert!(
                        !v.contains(['<', '>', '"', '\'', '`', '\n', '\u{0}', '\r']),
                        "attr({raw:?}) = {v:?}"
                    );
                    if let Some(h) = href(&raw) {
                        assert!(h.starts_with("http"), "href({raw:?}) = {h:?}");
                    }
                    // Escaping is lossless for what it keeps: every `&` starts an entity.
                    assert_eq!(
                        t.matches('&').count(),
                        t.matches(';').count() - raw.matches(';').count()
                    );
                }
            }
        }
    }

    #[test]
    fn tokens_are_attribute_safe() {
        assert_eq!(token("Multiple Myeloma"), "multiple_myeloma");
        assert_eq!(token("\" onload=x"), "__onload_x");
        assert_eq!(token(""), "_");
    }
}
