//! Turning transport errors, statuses, headers and bodies into a
//! [`FetchOutcome`]: the pure half of the fetcher, tested without a network.

use cartwatch_model::FetchOutcome;
use std::error::Error as _;
use std::time::{Duration, SystemTime};

/// A request that produced no usable response: its outcome and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// `timeout`, `dns`, `connect`, `tls` or `blocked_private_address`.
    pub outcome: FetchOutcome,
    /// What went wrong, for the user.
    pub message: String,
}

impl Failure {
    /// Whether another attempt may succeed (timeouts and connection errors).
    pub fn is_retryable(&self) -> bool {
        matches!(self.outcome, FetchOutcome::Timeout | FetchOutcome::Connect)
    }
}

/// Classifies a reqwest error: timeout, dns, tls or connect.
pub fn classify_transport_error(error: &reqwest::Error) -> Failure {
    let chain = error_chain(error);
    let lower = chain.to_ascii_lowercase();
    if crate::address::is_private_refusal(error) {
        return Failure {
            outcome: FetchOutcome::BlockedPrivateAddress,
            message: chain,
        };
    }
    let outcome = if error.is_timeout() || lower.contains("timed out") {
        FetchOutcome::Timeout
    } else if lower.contains("dns error")
        || lower.contains("failed to lookup address")
        || lower.contains("name or service not known")
        || lower.contains("no address associated")
    {
        FetchOutcome::Dns
    } else if lower.contains("tls")
        || lower.contains("certificate")
        || lower.contains("handshake")
        || lower.contains("corrupt message")
        || lower.contains("invalidcontenttype")
    {
        FetchOutcome::Tls
    } else {
        FetchOutcome::Connect
    };
    let what = match outcome {
        FetchOutcome::Timeout => "timed out",
        FetchOutcome::Dns => "host name did not resolve",
        FetchOutcome::Tls => "TLS handshake failed",
        _ if error.is_body() || error.is_decode() => "reading the response body failed",
        _ => "connection failed",
    };
    Failure {
        outcome,
        message: format!("{what}: {chain}"),
    }
}

/// The error and all its sources, joined by `: `, without repeats.
fn error_chain(error: &reqwest::Error) -> String {
    let mut parts: Vec<String> = vec![error.to_string()];
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

/// True for statuses worth retrying: 429 and 5xx (but not 501/505, which
/// will not change).
pub fn is_retryable_status(status: u16) -> bool {
    status == 429 || (500..600).contains(&status) && status != 501 && status != 505
}

/// True for the redirect statuses the fetcher follows.
pub fn is_redirect_status(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// Parses a `Retry-After` value (delta seconds or an HTTP date) into a wait
/// from `now`; a date in the past is a zero wait.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The wait before retry number `retry` (0 for the first retry): `base`
/// doubled per retry, capped at `cap`, with jitter drawn from
/// `[half, whole]` of it so that clients do not retry in lockstep.
pub fn backoff(base: Duration, retry: u32, cap: Duration, jitter: f64) -> Duration {
    let factor = 2u32.saturating_pow(retry.min(20));
    let full = base.saturating_mul(factor).min(cap);
    let jitter = jitter.clamp(0.0, 1.0);
    full.mul_f64(0.5 + 0.5 * jitter)
}

/// True when a Content-Type names HTML (or XHTML).
pub fn is_html_content_type(content_type: &str) -> bool {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    mime == "text/html" || mime == "application/xhtml+xml"
}

/// Decides whether a 2xx body is HTML: by its Content-Type, or, when that
/// is missing or generic (`application/octet-stream`), by sniffing the
/// bytes for PDF and image signatures. Returns the reason when it is not.
pub fn not_html_reason(content_type: Option<&str>, body: &[u8]) -> Option<String> {
    let generic = content_type.is_none_or(|ct| {
        let mime = ct.split(';').next().unwrap_or_default().trim();
        mime.is_empty() || mime.eq_ignore_ascii_case("application/octet-stream")
    });
    if generic {
        return sniff_binary(body).map(|kind| {
            format!(
                "the body is a {kind} (Content-Type {}); stored, not parsed as HTML",
                content_type.unwrap_or("missing")
            )
        });
    }
    let content_type = content_type.unwrap_or_default();
    if is_html_content_type(content_type) {
        // A server can call anything text/html: binary garbage stored as a
        // page would read as all content removed.
        if let Some(kind) = sniff_binary(body) {
            return Some(format!(
                "the body is a {kind} although served as {content_type}; stored, not parsed as HTML"
            ));
        }
        if looks_binary(body) {
            return Some(format!(
                "the body is binary data (control characters), not text, although served as {content_type}; stored, not parsed as HTML"
            ));
        }
        None
    } else {
        Some(format!(
            "Content-Type {content_type} is not HTML; stored, not parsed"
        ))
    }
}

/// True when the first 8 KiB of a body are not text: more than 10% of the
/// bytes are control characters (NUL, ESC, ... but not tab, newline, form
/// feed or carriage return). UTF-16 text (with its BOM) is text.
pub fn looks_binary(body: &[u8]) -> bool {
    if body.starts_with(&[0xff, 0xfe]) || body.starts_with(&[0xfe, 0xff]) {
        return false;
    }
    let head = &body[..body.len().min(8 * 1024)];
    if head.is_empty() {
        return false;
    }
    let control = head
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)) || b == 0x7f)
        .count();
    control * 10 > head.len()
}

/// Names a binary format from its leading bytes.
fn sniff_binary(body: &[u8]) -> Option<&'static str> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"%PDF-", "PDF"),
        (b"\x89PNG\r\n\x1a\n", "PNG image"),
        (b"\xff\xd8\xff", "JPEG image"),
        (b"GIF87a", "GIF image"),
        (b"GIF89a", "GIF image"),
        (b"PK\x03\x04", "ZIP archive"),
    ];
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    let body = &body[start..];
    SIGNATURES
        .iter()
        .find(|(magic, _)| body.starts_with(magic))
        .map(|(_, kind)| *kind)
        .or_else(|| {
            (body.len() >= 12 && &body[0..4] == b"RIFF" && &body[8..12] == b"WEBP")
                .then_some("WebP image")
        })
}

/// Markers of bot-challenge and WAF interstitial pages (lower case).
const CHALLENGE_MARKERS: &[&str] = &[
    "just a moment...",
    "cf-chl",
    "cf_chl",
    "challenge-platform",
    "attention required! | cloudflare",
    "checking your browser",
    "captcha",
    "_incapsula_resource",
    "ddos protection by",
    "verify you are human",
    "are you a robot",
    "enable javascript and cookies to continue",
    "access denied | sucuri",
];

/// True when a 403/503 response is a bot challenge rather than a plain error:
/// Cloudflare's `cf-mitigated: challenge` header, or a body carrying a
/// challenge marker ("Just a moment...", "cf-chl", a captcha, ...).
pub fn is_bot_challenge(status: u16, cf_mitigated: Option<&str>, body: &[u8]) -> bool {
    if status != 403 && status != 503 {
        return false;
    }
    if cf_mitigated.is_some_and(|v| v.eq_ignore_ascii_case("challenge")) {
        return true;
    }
    let head = &body[..body.len().min(64 * 1024)];
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    CHALLENGE_MARKERS.iter().any(|marker| text.contains(marker))
}

/// Visible characters below which a page with scripts is a script shell.
const SHELL_MAX_TEXT: usize = 300;
/// Visible characters below which a `<noscript>` asking for JavaScript means
/// the page needs it.
const NOSCRIPT_MAX_TEXT: usize = 1500;
/// What a `<noscript>` says when the page needs JavaScript (lower case).
const NEEDS_JAVASCRIPT: &[&str] = &[
    "enable javascript",
    "javascript is required",
    "javascript is disabled",
    "requires javascript",
    "javascript must be enabled",
    "turn on javascript",
    "javascript to be enabled",
    "javascript enabled",
    "activate javascript",
];

/// Why an HTTP answer should be fetched again through the browser (for
/// `fetch = "auto"`), or `None` when its HTML is the page: a bot challenge
/// ([`is_bot_challenge`]), a 2xx script shell (scripts and under 300 visible
/// characters), or a 2xx page whose `<noscript>` asks to enable JavaScript
/// with little else to read. Linear in the body.
pub fn browser_reason(status: u16, cf_mitigated: Option<&str>, body: &[u8]) -> Option<String> {
    if is_bot_challenge(status, cf_mitigated, body) {
        return Some(format!("{} is a bot challenge", status_sentence(status)));
    }
    if !(200..300).contains(&status) {
        return None;
    }
    let scan = scan_text(body);
    if scan.scripts > 0 && scan.visible < SHELL_MAX_TEXT {
        return Some(format!(
            "a script shell ({} scripts, {} visible characters)",
            scan.scripts, scan.visible
        ));
    }
    let noscript = scan.noscript.to_lowercase();
    if scan.visible < NOSCRIPT_MAX_TEXT && NEEDS_JAVASCRIPT.iter().any(|p| noscript.contains(p)) {
        return Some(format!(
            "its <noscript> asks to enable JavaScript ({} visible characters)",
            scan.visible
        ));
    }
    None
}

/// What a quick pass over HTML finds: visible characters (not whitespace,
/// not in tags, comments, scripts, styles, templates or `<noscript>`), the
/// number of `<script>` elements, and the `<noscript>` text (first 4 KiB).
#[derive(Debug, Default, PartialEq, Eq)]
struct TextScan {
    visible: usize,
    scripts: usize,
    noscript: String,
}

/// One linear pass: every skip moves forward, nothing is parsed twice.
fn scan_text(body: &[u8]) -> TextScan {
    const RAW: &[&[u8]] = &[b"script", b"style", b"noscript", b"template"];
    let mut scan = TextScan::default();
    let lower = body.to_ascii_lowercase();
    let mut i = 0;
    while i < lower.len() {
        let byte = lower[i];
        if byte != b'<' {
            // Count characters, not bytes: UTF-8 continuation bytes are skipped.
            if !byte.is_ascii_whitespace() && !(0x80..0xC0).contains(&byte) {
                scan.visible += 1;
            }
            i += 1;
            continue;
        }
        let rest = &lower[i + 1..];
        if rest.starts_with(b"!--") {
            i = find(&lower, i + 4, b"-->").map_or(lower.len(), |end| end + 3);
            continue;
        }
        let name_len = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        let name = &rest[..name_len];
        let tag_end = find(&lower, i + 1, b">").map_or(lower.len(), |end| end + 1);
        if let Some(raw) = RAW.iter().find(|raw| **raw == name) {
            let close = [b"</".as_slice(), raw].concat();
            let content_end = find(&lower, tag_end, &close).unwrap_or(lower.len());
            if *raw == b"script" {
                scan.scripts += 1;
            } else if *raw == b"noscript" && scan.noscript.len() < 4096 {
                let content = &body[tag_end.min(content_end)..content_end];
                let text = String::from_utf8_lossy(&content[..content.len().min(4096)]);
                scan.noscript.push_str(&text);
                scan.noscript.push(' ');
            }
            i = find(&lower, content_end, b">").map_or(lower.len(), |end| end + 1);
        } else {
            i = tag_end;
        }
    }
    scan
}

/// The first index at or after `from` where `needle` starts.
fn find(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= haystack.len() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|at| from + at)
}

/// A sentence for an HTTP error status: `HTTP 404 Not Found`.
pub fn status_sentence(status: u16) -> String {
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    format!("HTTP {status} {reason}").trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(30))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn backoff_doubles_with_jitter_and_cap() {
        let base = Duration::from_millis(100);
        let cap = Duration::from_secs(1);
        assert_eq!(backoff(base, 0, cap, 1.0), Duration::from_millis(100));
        assert_eq!(backoff(base, 0, cap, 0.0), Duration::from_millis(50));
        assert_eq!(backoff(base, 2, cap, 1.0), Duration::from_millis(400));
        assert_eq!(backoff(base, 10, cap, 1.0), cap);
        assert_eq!(backoff(base, u32::MAX, cap, 1.0), cap);
    }

    #[test]
    fn statuses_are_sorted_into_retry_and_redirect() {
        for s in [429, 500, 502, 503, 504] {
            assert!(is_retryable_status(s), "{s}");
        }
        for s in [200, 301, 400, 403, 404, 501, 505] {
            assert!(!is_retryable_status(s), "{s}");
        }
        assert!(is_redirect_status(308));
        assert!(!is_redirect_status(304));
    }

    #[test]
    fn content_types_and_sniffing_decide_html() {
        assert_eq!(
            not_html_reason(Some("text/html; charset=utf-8"), b"x"),
            None
        );
        assert_eq!(not_html_reason(Some("application/xhtml+xml"), b"x"), None);
        assert_eq!(not_html_reason(None, b"<!doctype html>"), None);
        assert!(not_html_reason(Some("application/pdf"), b"%PDF-1.7").is_some());
        assert!(not_html_reason(Some("image/png"), b"").is_some());
        assert!(not_html_reason(None, b"\n%PDF-1.4").is_some());
        assert!(
            not_html_reason(Some("application/octet-stream"), b"\x89PNG\r\n\x1a\nrest").is_some()
        );
        // Served as HTML but binary: by magic bytes, or by control characters.
        assert!(not_html_reason(Some("text/html"), b"%PDF-1.7 ...").is_some());
        let garbage: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
            .collect();
        assert!(not_html_reason(Some("text/html"), &garbage).is_some());
        // Text with a stray control character, and UTF-16 with its BOM, are text.
        assert_eq!(
            not_html_reason(
                Some("text/html"),
                b"<p>Call us\x1b today</p>\n<p>more text</p>"
            ),
            None
        );
        let utf16: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain("<p>CAR T</p>".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(not_html_reason(Some("text/html"), &utf16), None);
    }

    #[test]
    fn challenges_need_a_marker_and_a_challenge_status() {
        let cf = b"<title>Just a moment...</title><script src=/cdn-cgi/challenge-platform/x>";
        assert!(is_bot_challenge(503, None, cf));
        assert!(is_bot_challenge(
            403,
            None,
            b"<title>Attention Required! | Cloudflare</title>"
        ));
        assert!(is_bot_challenge(403, Some("challenge"), b""));
        assert!(!is_bot_challenge(404, None, cf));
        assert!(!is_bot_challenge(403, None, b"<h1>Forbidden</h1>"));
    }

    #[test]
    fn script_shells_noscript_pages_and_challenges_need_the_browser() {
        let shell = br#"<!doctype html><html><head><title>Care</title>
            <script src="/app.js"></script></head><body><div id="root"></div>
            <script>window.boot()</script></body></html>"#;
        let reason = browser_reason(200, None, shell).unwrap();
        assert!(reason.contains("script shell"), "{reason}");

        let noscript = format!(
            "<html><body><noscript>Please enable JavaScript to view this site.</noscript>{}</body></html>",
            "<p>Menu</p>".repeat(40)
        );
        let reason = browser_reason(200, None, noscript.as_bytes()).unwrap();
        assert!(reason.contains("noscript"), "{reason}");

        let challenge = b"<title>Just a moment...</title><script>document.cookie='x=1';location.reload()</script>";
        assert!(browser_reason(503, None, challenge)
            .unwrap()
            .contains("bot challenge"));

        // A real page with scripts and a widget's noscript is read as served.
        let article = format!(
            "<html><head><script src=a.js></script></head><body><article>{}</article>\
             <noscript>Enable JavaScript to see the map.</noscript></body></html>",
            "CAR T-cell therapy is given at our center by a specialist team. ".repeat(40)
        );
        assert_eq!(browser_reason(200, None, article.as_bytes()), None);
        // Comments, styles and templates are not text; errors are not shells.
        let hidden = format!(
            "<html><!-- {} --><style>{}</style><template>{}</template><script></script></html>",
            "x".repeat(900),
            "p{{}}".repeat(200),
            "y".repeat(900)
        );
        assert!(browser_reason(200, None, hidden.as_bytes()).is_some());
        assert_eq!(browser_reason(404, None, shell), None);
        // Unclosed constructs end the scan instead of looping.
        assert!(browser_reason(200, None, b"<script>never closed").is_some());
        assert_eq!(browser_reason(200, None, b"<!-- never closed"), None);
    }

    #[test]
    fn status_sentences_name_the_reason() {
        assert_eq!(status_sentence(404), "HTTP 404 Not Found");
        assert_eq!(status_sentence(599), "HTTP 599");
    }
}
