//! What a fetch produced and what a stored snapshot holds.

use serde::{Deserialize, Serialize};

/// The one classified result every fetched page ends in.
///
/// Only [`FetchOutcome::Ok`] and [`FetchOutcome::NotModified`] carry content;
/// every other outcome is a failure, and a failure is never read as removed
/// content.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FetchOutcome {
    /// Fetched, HTML, within bounds.
    Ok,
    /// The server answered 304; the previous capture's body is reused.
    NotModified,
    /// The server answered with an error status.
    HttpError {
        /// The HTTP status code.
        status: u16,
    },
    /// robots.txt disallows the page for our user agent.
    BlockedByRobots,
    /// A 403/503 carrying a bot-challenge page (Cloudflare and the like).
    BotChallenge {
        /// The HTTP status code.
        status: u16,
    },
    /// Connect or total timeout.
    Timeout,
    /// The host name did not resolve.
    Dns,
    /// The connection was refused or reset.
    Connect,
    /// The TLS handshake failed.
    Tls,
    /// The body was larger than the configured cap.
    TooLarge,
    /// The content type is not HTML (a PDF, an image, ...); recorded, not parsed.
    NotHtml,
    /// Redirects looped or exceeded the limit.
    RedirectLoop,
    /// The page, a redirect hop or robots.txt led to a loopback, link-local,
    /// private or otherwise local address; not requested (see
    /// `[fetch] allow_private`).
    BlockedPrivateAddress,
}

impl FetchOutcome {
    /// True for outcomes that carry content (`ok`, `not_modified`).
    pub fn has_content(&self) -> bool {
        matches!(self, FetchOutcome::Ok | FetchOutcome::NotModified)
    }

    /// A short stable label: `ok`, `http_error(404)`, `timeout`, ...
    pub fn label(&self) -> String {
        match self {
            FetchOutcome::Ok => "ok".into(),
            FetchOutcome::NotModified => "not_modified".into(),
            FetchOutcome::HttpError { status } => format!("http_error({status})"),
            FetchOutcome::BlockedByRobots => "blocked_by_robots".into(),
            FetchOutcome::BotChallenge { status } => format!("bot_challenge({status})"),
            FetchOutcome::Timeout => "timeout".into(),
            FetchOutcome::Dns => "dns".into(),
            FetchOutcome::Connect => "connect".into(),
            FetchOutcome::Tls => "tls".into(),
            FetchOutcome::TooLarge => "too_large".into(),
            FetchOutcome::NotHtml => "not_html".into(),
            FetchOutcome::RedirectLoop => "redirect_loop".into(),
            FetchOutcome::BlockedPrivateAddress => "blocked_private_address".into(),
        }
    }
}

impl std::fmt::Display for FetchOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
}

/// One page as the fetcher (or a capture folder) delivered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capture {
    /// The configured center id.
    pub center: String,
    /// The configured URL.
    pub url: String,
    /// Where redirects ended, when that differs from `url`.
    #[serde(default)]
    pub final_url: Option<String>,
    /// Every redirect hop, in order (the URLs redirected to).
    #[serde(default)]
    pub redirects: Vec<String>,
    /// The final HTTP status, when a response arrived.
    #[serde(default)]
    pub status: Option<u16>,
    /// The response's Content-Type header.
    #[serde(default)]
    pub content_type: Option<String>,
    /// The response's ETag, for the next conditional request.
    #[serde(default)]
    pub etag: Option<String>,
    /// The response's Last-Modified, for the next conditional request.
    #[serde(default)]
    pub last_modified: Option<String>,
    /// When the fetch finished, RFC 3339 UTC.
    pub fetched_at: String,
    /// The classified result.
    pub outcome: FetchOutcome,
    /// A human-readable reason for a failure.
    #[serde(default)]
    pub error: Option<String>,
    /// How many requests the fetch took, redirect hops and retries included
    /// (1 for a plain fetch, 0 when robots.txt forbade it).
    #[serde(default)]
    pub attempts: u32,
    /// What produced the body: the HTTP response, or the browser's DOM.
    #[serde(default, skip_serializing_if = "RenderedBy::is_http")]
    pub rendered_by: RenderedBy,
    /// The body bytes as served (decompressed, not decoded); `None` on failure
    /// and for `not_modified`.
    #[serde(skip)]
    pub body: Option<Vec<u8>>,
}

/// The per-page manifest of a saved capture folder (`<set>/<center>/<n>.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureMeta {
    /// The page's URL.
    pub url: String,
    /// When it was fetched, RFC 3339 UTC.
    pub fetched_at: String,
    /// HTTP status, null when no response arrived.
    #[serde(default)]
    pub status: Option<u16>,
    /// Content-Type header, null when no response arrived.
    #[serde(default)]
    pub content_type: Option<String>,
    /// Where redirects ended, when that differs from `url`.
    #[serde(default)]
    pub final_url: Option<String>,
    /// The classified result.
    pub outcome: FetchOutcome,
    /// File name of the body beside this manifest; null on failure.
    #[serde(default)]
    pub body: Option<String>,
    /// A human-readable reason for a failure.
    #[serde(default)]
    pub error: Option<String>,
    /// Redirect hops, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redirects: Vec<String>,
    /// The response's ETag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// The response's Last-Modified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// What produced the body (`"browser"` for a rendered DOM; absent: HTTP).
    #[serde(default, skip_serializing_if = "RenderedBy::is_http")]
    pub rendered_by: RenderedBy,
}

/// What produced a page's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RenderedBy {
    /// The HTTP response body, as served.
    #[default]
    Http,
    /// Headless Chromium: the DOM (`outerHTML`) after the page's scripts ran.
    Browser,
}

impl RenderedBy {
    /// True for [`RenderedBy::Http`] (the default, left out of JSON).
    pub fn is_http(&self) -> bool {
        *self == RenderedBy::Http
    }
}

/// Where a snapshot's pages came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum SnapshotSource {
    /// Fetched live over HTTP.
    Http,
    /// Read from a saved capture folder.
    Captures {
        /// The folder, as given.
        dir: String,
    },
    /// Captures of the Internet Archive (or another Wayback server), imported
    /// by `cartwatch backfill`. A configured page without an entry in
    /// `captures` was not captured in the snapshot's period: a gap, never a
    /// removal.
    Archive {
        /// The archive's base URL (`https://web.archive.org`).
        base: String,
        /// The archive captures this snapshot holds, one per imported page.
        #[serde(default)]
        captures: Vec<ArchiveCapture>,
    },
}

impl SnapshotSource {
    /// True for archive snapshots, where a missing page means "not captured".
    pub fn is_archive(&self) -> bool {
        matches!(self, SnapshotSource::Archive { .. })
    }

    /// A short description: `http`, `captures DIR`, `archive BASE`.
    pub fn describe(&self) -> String {
        match self {
            SnapshotSource::Http => "http".to_string(),
            SnapshotSource::Captures { dir } => format!("captures {dir}"),
            SnapshotSource::Archive { base, .. } => format!("archive {base}"),
        }
    }
}

/// One archive capture imported into a snapshot: which page, when the archive
/// captured it, and the archive's digest of its content, kept beside the
/// store's own SHA-256 so a capture is never fetched or imported twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveCapture {
    /// The configured center id.
    pub center: String,
    /// The configured URL.
    pub url: String,
    /// The capture's 14-digit timestamp (`20190305123456`, UTC).
    pub timestamp: String,
    /// The CDX `digest`: base32 SHA-1 of the archived payload.
    pub digest: String,
    /// Where the original bytes were replayed from (`BASE/web/TSid_/URL`).
    pub replay_url: String,
}

/// One page's entry in a snapshot manifest. The record and body are stored
/// beside the manifest; the body by its content hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageSnapshot {
    /// The configured URL.
    pub url: String,
    /// Where redirects ended, when that differs from `url`.
    #[serde(default)]
    pub final_url: Option<String>,
    /// Redirect hops, in order.
    #[serde(default)]
    pub redirects: Vec<String>,
    /// The final HTTP status.
    #[serde(default)]
    pub status: Option<u16>,
    /// The Content-Type header.
    #[serde(default)]
    pub content_type: Option<String>,
    /// ETag, for conditional requests.
    #[serde(default)]
    pub etag: Option<String>,
    /// Last-Modified, for conditional requests.
    #[serde(default)]
    pub last_modified: Option<String>,
    /// When it was fetched, RFC 3339 UTC.
    pub fetched_at: String,
    /// The classified fetch result.
    pub outcome: FetchOutcome,
    /// A human-readable reason for a failure.
    #[serde(default)]
    pub error: Option<String>,
    /// SHA-256 of the body bytes (hex), when there is a body.
    #[serde(default)]
    pub body_sha256: Option<String>,
    /// Length of the body in bytes.
    #[serde(default)]
    pub body_len: Option<u64>,
    /// Whether a normalized record is stored for this page.
    #[serde(default)]
    pub has_record: bool,
    /// What produced the body (`"browser"` for a rendered DOM; absent in
    /// manifests of HTTP fetches and of stores written before it existed).
    #[serde(default, skip_serializing_if = "RenderedBy::is_http")]
    pub rendered_by: RenderedBy,
}

impl PageSnapshot {
    /// The manifest entry for a capture whose body hashed to `body_sha256`.
    pub fn from_capture(capture: &Capture, body_sha256: Option<String>, has_record: bool) -> Self {
        PageSnapshot {
            url: capture.url.clone(),
            final_url: capture.final_url.clone(),
            redirects: capture.redirects.clone(),
            status: capture.status,
            content_type: capture.content_type.clone(),
            etag: capture.etag.clone(),
            last_modified: capture.last_modified.clone(),
            fetched_at: capture.fetched_at.clone(),
            outcome: capture.outcome.clone(),
            error: capture.error.clone(),
            body_len: capture.body.as_ref().map(|b| b.len() as u64),
            body_sha256,
            has_record,
            rendered_by: capture.rendered_by,
        }
    }
}

/// One center's pages in a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CenterSnapshot {
    /// The center id.
    pub id: String,
    /// The center's display name.
    pub name: String,
    /// Its pages, in config order.
    pub pages: Vec<PageSnapshot>,
}

/// A whole snapshot: every configured center's pages at one time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotManifest {
    /// Sortable id, e.g. `2026-11-23T06:00:00Z`.
    pub id: String,
    /// When the snapshot was committed, RFC 3339 UTC.
    pub created_at: String,
    /// When its pages were seen, RFC 3339 UTC: the fetch time of a live run,
    /// a capture set's `taken_at`, a WARC record's `WARC-Date`, an archive's
    /// capture time. Snapshots are ordered by it. Empty in manifests stored
    /// before it existed; the store reads those as `created_at`.
    #[serde(default)]
    pub taken_at: String,
    /// Where the pages came from.
    pub source: SnapshotSource,
    /// The centers, in config order.
    pub centers: Vec<CenterSnapshot>,
    /// Compressed bytes this snapshot added to the store (new bodies and records).
    #[serde(default)]
    pub bytes_new: u64,
}

impl SnapshotManifest {
    /// Pages whose fetch carried content.
    pub fn pages_ok(&self) -> usize {
        self.pages().filter(|p| p.outcome.has_content()).count()
    }

    /// Pages whose fetch failed.
    pub fn pages_failed(&self) -> usize {
        self.pages().filter(|p| !p.outcome.has_content()).count()
    }

    /// Every page of every center.
    pub fn pages(&self) -> impl Iterator<Item = &PageSnapshot> {
        self.centers.iter().flat_map(|c| c.pages.iter())
    }

    /// The center with this id.
    pub fn center(&self, id: &str) -> Option<&CenterSnapshot> {
        self.centers.iter().find(|c| c.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_serialize_as_readable_ids() {
        assert_eq!(serde_json::to_string(&FetchOutcome::Ok).unwrap(), "\"ok\"");
        let e = serde_json::to_string(&FetchOutcome::HttpError { status: 404 }).unwrap();
        assert_eq!(e, r#"{"http_error":{"status":404}}"#);
        let back: FetchOutcome = serde_json::from_str("\"timeout\"").unwrap();
        assert_eq!(back, FetchOutcome::Timeout);
        assert_eq!(
            FetchOutcome::HttpError { status: 503 }.label(),
            "http_error(503)"
        );
        assert!(FetchOutcome::NotModified.has_content());
        assert!(!FetchOutcome::Timeout.has_content());
    }

    #[test]
    fn capture_meta_reads_a_failed_page() {
        let meta: CaptureMeta = serde_json::from_str(
            r#"{"url":"https://x.org/a","fetched_at":"2026-11-01T06:00:00Z","status":null,
                "content_type":null,"final_url":null,"outcome":"timeout","body":null,
                "error":"operation timed out after 30s"}"#,
        )
        .unwrap();
        assert_eq!(meta.outcome, FetchOutcome::Timeout);
        assert!(meta.body.is_none());
        assert_eq!(meta.rendered_by, RenderedBy::Http);
    }

    #[test]
    fn rendered_by_is_written_only_for_the_browser() {
        let mut meta: CaptureMeta = serde_json::from_str(
            r#"{"url":"https://x.org/a","fetched_at":"2026-11-01T06:00:00Z","outcome":"ok"}"#,
        )
        .unwrap();
        assert!(!serde_json::to_string(&meta)
            .unwrap()
            .contains("rendered_by"));
        meta.rendered_by = RenderedBy::Browser;
        let json = serde_json::to_string(&meta).unwrap();
        assert!(json.contains(r#""rendered_by":"browser""#), "{json}");
        let back: CaptureMeta = serde_json::from_str(&json).unwrap();
        assert_eq!(back.rendered_by, RenderedBy::Browser);
    }
}
