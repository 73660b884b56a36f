//! Bytes to text: byte-order mark, then the HTTP charset, then the page's own
//! `<meta charset>` / `http-equiv`, then detection (chardetng).

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};
use once_cell::sync::Lazy;
use regex::bytes::Regex;

/// How the encoding was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodingSource {
    /// A byte-order mark.
    Bom,
    /// The `charset` of the HTTP Content-Type.
    Http,
    /// A `<meta>` declaration in the page.
    Meta,
    /// Nothing was declared; the bytes were valid UTF-8.
    Utf8,
    /// Nothing was declared; chardetng guessed.
    Detected,
}

/// Decodes page bytes; never fails (malformed sequences become U+FFFD).
pub fn decode(
    bytes: &[u8],
    content_type: Option<&str>,
) -> (String, &'static Encoding, EncodingSource) {
    let (encoding, source, skip) = choose(bytes, content_type);
    let body = &bytes[skip.min(bytes.len())..];
    let text = encoding.decode_without_bom_handling(body).0.into_owned();
    (text, encoding, source)
}

fn choose(bytes: &[u8], content_type: Option<&str>) -> (&'static Encoding, EncodingSource, usize) {
    if let Some((encoding, len)) = Encoding::for_bom(bytes) {
        return (encoding, EncodingSource::Bom, len);
    }
    if let Some(encoding) = content_type.and_then(charset_of_content_type) {
        return (encoding, EncodingSource::Http, 0);
    }
    if let Some(encoding) = meta_charset(bytes) {
        return (encoding, EncodingSource::Meta, 0);
    }
    if std::str::from_utf8(bytes).is_ok() {
        return (UTF_8, EncodingSource::Utf8, 0);
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    (detector.guess(None, true), EncodingSource::Detected, 0)
}

/// The encoding named by `charset=` in a Content-Type value.
pub fn charset_of_content_type(content_type: &str) -> Option<&'static Encoding> {
    let lower = content_type.to_ascii_lowercase();
    let at = lower.find("charset=")?;
    let value = lower[at + 8..]
        .trim_start()
        .trim_start_matches(['"', '\''])
        .split(|c: char| c == ';' || c == '"' || c == '\'' || c.is_whitespace())
        .next()?;
    label_to_encoding(value.as_bytes())
}

fn label_to_encoding(label: &[u8]) -> Option<&'static Encoding> {
    let encoding = Encoding::for_label(label)?;
    // As browsers do: a page cannot declare itself UTF-16 in ASCII bytes, and
    // x-user-defined means windows-1252.
    if encoding == UTF_16LE || encoding == UTF_16BE {
        return Some(UTF_8);
    }
    if encoding.name() == "x-user-defined" {
        return Some(WINDOWS_1252);
    }
    Some(encoding)
}

static META: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r#"(?i-u)<meta\b[^>]{0,512}?\bcharset\s*=\s*["']?\s*([a-z0-9_:.\-]{1,40})"#).unwrap()
});

/// The charset a `<meta>` tag declares in the first 4 KB (the HTML prescan looks at 1024 bytes;
/// real pages put long scripts first, so look further).
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let caps = META.captures(head)?;
    label_to_encoding(caps.get(1)?.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_wins_over_everything() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice("<meta charset=\"windows-1252\">caf\u{e9}".as_bytes());
        let (text, enc, source) = decode(&bytes, Some("text/html; charset=iso-8859-1"));
        assert_eq!(source, EncodingSource::Bom);
        assert_eq!(enc, UTF_8);
        assert!(text.ends_with("caf\u{e9}"));
    }

    #[test]
    fn http_charset_wins_over_meta() {
        let bytes = b"<meta charset=\"utf-8\"><p>\x93quoted\x94</p>";
        let (text, _, source) = decode(bytes, Some("text/html; Charset=\"windows-1252\""));
        assert_eq!(source, EncodingSource::Http);
        assert!(text.contains("\u{201c}quoted\u{201d}"), "{text}");
    }

    #[test]
    fn meta_charset_and_http_equiv() {
        let (text, _, source) = decode(b"<meta charset=windows-1252><p>person\x92s</p>", None);
        assert_eq!(source, EncodingSource::Meta);
        assert!(text.contains("person\u{2019}s"));
        let gbk = b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gbk\"><p>\xc4\xe3\xba\xc3</p>";
        let (text, enc, _) = decode(gbk, None);
        assert_eq!(enc.name(), "GBK");
        assert!(text.contains("\u{4f60}\u{597d}"), "{text}");
    }

    #[test]
    fn undeclared_bytes_are_detected() {
        let (text, _, source) = decode("plain caf\u{e9}".as_bytes(), None);
        assert_eq!(source, EncodingSource::Utf8);
        assert!(text.contains('\u{e9}'));
        let latin = b"<p>The patient\x92s caf\xe9 na\xefve r\xe9sum\xe9 \x93therapy\x94 for everyone who\x92s there.</p>";
        let (text, _, source) = decode(latin, None);
        assert_eq!(source, EncodingSource::Detected);
        assert!(text.contains("patient\u{2019}s"), "{text}");
    }
}
