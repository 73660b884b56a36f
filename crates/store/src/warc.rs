//! WARC 1.1: writing a snapshot's raw captures, reading archives (ours or
//! other tools') back as captures.
//!
//! A file written by [`WarcWriter`] holds one `warcinfo` record, then per page
//! a `response` record (when the page has a body: a synthesized HTTP/1.1
//! response head and the body as served) and a `metadata` record
//! (`application/json`: the center id and the page's manifest entry, so a
//! failed fetch survives the round trip). Digests are `sha256:` in base32.
//!
//! [`read_warc_file`] reads WARC 1.0/1.1, plain or gzip (`.warc.gz`, one
//! member per record or one for the whole file); [`captures_from_records`]
//! turns `response` records into captures, de-chunking and un-gzipping
//! bodies, verifying sha256 digests, and applying our `metadata` records when
//! present. Records of other types are skipped.
//!
//! ```
//! use cartwatch_model::{FetchOutcome, PageSnapshot};
//! use cartwatch_store::warc::{captures_from_records, read_warc, WarcWriter};
//!
//! let page = PageSnapshot {
//!     url: "https://example.org/car-t".into(), final_url: None, redirects: vec![],
//!     status: Some(200), content_type: Some("text/html".into()), etag: None,
//!     last_modified: None, fetched_at: "2026-11-01T06:00:00Z".into(),
//!     outcome: FetchOutcome::Ok, error: None, body_sha256: None, body_len: None,
//!     has_record: true, rendered_by: Default::default(),
//! };
//! let mut writer = WarcWriter::new(Vec::new(), false, "2026-11-01T06:00:00Z").unwrap();
//! writer.write_page("msk", &page, Some(b"<p>CAR T</p>")).unwrap();
//! let bytes = writer.finish().unwrap();
//! let captures = captures_from_records(&read_warc(&bytes).unwrap()).unwrap();
//! assert_eq!(captures[0].center.as_deref(), Some("msk"));
//! assert_eq!(captures[0].capture.body.as_deref(), Some(&b"<p>CAR T</p>"[..]));
//! ```

mod read;

pub use read::{
    captures_from_records, captures_from_records_with, parse_http_response,
    parse_http_response_with, read_warc, read_warc_file, read_warc_file_for, HttpResponse,
    WarcCapture,
};

use cartwatch_model::PageSnapshot;
use sha2::{Digest, Sha256};
use std::io::Write;

/// A WARC file that cannot be read; names the file (when known) and the
/// record's byte offset or target URI.
#[derive(Debug, thiserror::Error)]
#[error("{where_}: {message}")]
pub struct WarcError {
    /// `FILE at byte N`, `record for URL`, ...
    pub where_: String,
    /// What is wrong.
    pub message: String,
}

fn err(where_: impl Into<String>, message: impl Into<String>) -> WarcError {
    WarcError {
        where_: where_.into(),
        message: message.into(),
    }
}

/// One WARC record: its named fields and its block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarcRecord {
    /// `WARC/1.1` or `WARC/1.0`.
    pub version: String,
    /// Header fields in order.
    pub headers: Vec<(String, String)>,
    /// The record block (Content-Length bytes), or only its first 64 KiB
    /// (the HTTP head) when it was larger than the reader's cap.
    pub block: Vec<u8>,
    /// The full block length when the block was too large to keep.
    pub oversized: Option<u64>,
}

impl WarcRecord {
    /// The first header of this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `WARC-Type`, lower-cased.
    pub fn record_type(&self) -> String {
        self.header("WARC-Type").unwrap_or("").to_ascii_lowercase()
    }

    /// `WARC-Target-URI`, without the angle brackets some WARC 1.0 writers add.
    pub fn target_uri(&self) -> Option<&str> {
        self.header("WARC-Target-URI")
            .map(|u| u.trim_start_matches('<').trim_end_matches('>'))
    }
}

/// Writes WARC 1.1 records, optionally gzip-compressed one member per record.
pub struct WarcWriter<W: Write> {
    out: W,
    gzip: bool,
    warcinfo_id: String,
    scope: String,
}

impl<W: Write> WarcWriter<W> {
    /// Starts a file with its `warcinfo` record describing snapshot `snapshot_id`.
    pub fn new(out: W, gzip: bool, snapshot_id: &str) -> std::io::Result<WarcWriter<W>> {
        let warcinfo_id = record_id(&[snapshot_id, "warcinfo"]);
        let mut writer = WarcWriter {
            out,
            gzip,
            warcinfo_id: warcinfo_id.clone(),
            scope: snapshot_id.to_string(),
        };
        let info = format!(
            "software: cartwatch/{}\r\nformat: WARC File Format 1.1\r\nconformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\ndescription: raw captures of cartwatch snapshot {snapshot_id}\r\n",
            env!("CARGO_PKG_VERSION")
        );
        let date = warc_date(snapshot_id);
        writer.write_record(
            &[
                ("WARC-Type", "warcinfo".into()),
                ("WARC-Record-ID", warcinfo_id),
                ("WARC-Date", date),
                ("Content-Type", "application/warc-fields".into()),
            ],
            info.as_bytes(),
        )?;
        Ok(writer)
    }

    /// Writes one page: a `response` record when it has a body, and a
    /// `metadata` record with the center id and manifest entry.
    pub fn write_page(
        &mut self,
        center: &str,
        page: &PageSnapshot,
        body: Option<&[u8]>,
    ) -> std::io::Result<()> {
        let date = warc_date(&page.fetched_at);
        let mut response_id = None;
        if let Some(body) = body {
            // A 304 was answered from the previous capture: the body is the page.
            let status = match page.status {
                Some(304) | None => 200,
                Some(s) => s,
            };
            let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
            if let Some(ct) = &page.content_type {
                head.push_str(&format!("Content-Type: {}\r\n", one_line(ct)));
            }
            if let Some(etag) = &page.etag {
                head.push_str(&format!("ETag: {}\r\n", one_line(etag)));
            }
            if let Some(lm) = &page.last_modified {
                head.push_str(&format!("Last-Modified: {}\r\n", one_line(lm)));
            }
            head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
            let mut block = head.into_bytes();
            block.extend_from_slice(body);
            let id = record_id(&[&self.scope, center, &page.url, "response"]);
            self.write_record(
                &[
                    ("WARC-Type", "response".into()),
                    ("WARC-Record-ID", id.clone()),
                    ("WARC-Warcinfo-ID", self.warcinfo_id.clone()),
                    ("WARC-Date", date.clone()),
                    ("WARC-Target-URI", one_line(&page.url)),
                    ("WARC-Payload-Digest", sha256_digest(body)),
                    ("Content-Type", "application/http;msgtype=response".into()),
                ],
                &block,
            )?;
            response_id = Some(id);
        }
        let meta = serde_json::json!({ "cartwatch_center": center, "page": page });
        let meta = serde_json::to_vec(&meta).map_err(std::io::Error::other)?;
        let mut fields = vec![
            ("WARC-Type", "metadata".to_string()),
            (
                "WARC-Record-ID",
                record_id(&[&self.scope, center, &page.url, "metadata"]),
            ),
            ("WARC-Warcinfo-ID", self.warcinfo_id.clone()),
            ("WARC-Date", date),
            ("WARC-Target-URI", one_line(&page.url)),
        ];
        if let Some(id) = response_id {
            fields.push(("WARC-Concurrent-To", id));
        }
        fields.push(("Content-Type", "application/json".into()));
        self.write_record(&fields, &meta)
    }

    fn write_record(&mut self, fields: &[(&str, String)], block: &[u8]) -> std::io::Result<()> {
        let mut head = String::from("WARC/1.1\r\n");
        for (k, v) in fields {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str(&format!("WARC-Block-Digest: {}\r\n", sha256_digest(block)));
        head.push_str(&format!("Content-Length: {}\r\n\r\n", block.len()));
        let mut record = head.into_bytes();
        record.extend_from_slice(block);
        record.extend_from_slice(b"\r\n\r\n");
        if self.gzip {
            let mut gz =
                flate2::write::GzEncoder::new(&mut self.out, flate2::Compression::default());
            gz.write_all(&record)?;
            gz.finish()?;
            Ok(())
        } else {
            self.out.write_all(&record)
        }
    }

    /// Flushes and returns the output.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// A stable `<urn:uuid:...>` derived from the parts (so re-exports are identical).
fn record_id(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    let mut b: [u8; 16] = h.finalize()[..16].try_into().unwrap_or([0; 16]);
    b[6] = (b[6] & 0x0f) | 0x50; // name-based
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    let x = hex::encode(b);
    format!(
        "<urn:uuid:{}-{}-{}-{}-{}>",
        &x[0..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..32]
    )
}

/// A WARC-Date (UTC, `Z`) from an RFC 3339 time; a snapshot id's collision
/// suffix is dropped.
fn warc_date(time_text: &str) -> String {
    let text = time_text.get(..20).unwrap_or(time_text);
    match time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).or_else(
        |_| time::OffsetDateTime::parse(time_text, &time::format_description::well_known::Rfc3339),
    ) {
        Ok(t) => t
            .to_offset(time::UtcOffset::UTC)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|_| time_text.to_string()),
        Err(_) => one_line(time_text),
    }
}

fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

/// `sha256:` + RFC 4648 base32 of the digest.
fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", base32(&Sha256::digest(bytes)))
}

fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    for chunk in bytes.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let n = u64::from_be_bytes([0, 0, 0, buf[0], buf[1], buf[2], buf[3], buf[4]]);
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..8 {
            if i < chars {
                out.push(ALPHABET[((n >> (35 - i * 5)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Whether a labelled digest (`sha256:...`, base32 or hex) matches the bytes.
/// `None` when the algorithm is not sha256 (not checked).
fn digest_matches(labelled: &str, bytes: &[u8]) -> Option<bool> {
    let (alg, value) = labelled.split_once(':')?;
    if !alg.trim().eq_ignore_ascii_case("sha256") && !alg.trim().eq_ignore_ascii_case("sha-256") {
        return None;
    }
    let digest = Sha256::digest(bytes);
    let value = value.trim();
    let b32 = base32(&digest);
    Some(
        value
            .trim_end_matches('=')
            .eq_ignore_ascii_case(b32.trim_end_matches('='))
            || value.eq_ignore_ascii_case(&hex::encode(digest)),
    )
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

#[cfg(test)]
mod tests {
    use super::read::{find, resolve_location};
    use super::*;
    use cartwatch_model::FetchOutcome;

    #[test]
    fn base32_matches_rfc4648() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY======");
        assert_eq!(base32(b"fooba"), "MZXW6YTB");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI======");
        assert_eq!(digest_matches(&sha256_digest(b"x"), b"x"), Some(true));
        assert_eq!(digest_matches(&sha256_digest(b"x"), b"y"), Some(false));
        assert_eq!(digest_matches("sha1:ABC", b"y"), None);
        let hexd = format!("sha256:{}", hex::encode(Sha256::digest(b"x")));
        assert_eq!(digest_matches(&hexd, b"x"), Some(true));
    }

    fn page(url: &str, outcome: FetchOutcome, status: Option<u16>) -> PageSnapshot {
        PageSnapshot {
            url: url.into(),
            final_url: Some(format!("{url}/final")),
            redirects: vec![format!("{url}/final")],
            status,
            content_type: Some("text/html; charset=utf-8".into()),
            etag: Some("\"abc\"".into()),
            last_modified: None,
            fetched_at: "2026-11-01T06:00:03Z".into(),
            outcome,
            error: None,
            body_sha256: None,
            body_len: None,
            has_record: false,
            rendered_by: Default::default(),
        }
    }

    #[test]
    fn our_files_round_trip_plain_and_gzip() {
        for gzip in [false, true] {
            let mut w = WarcWriter::new(Vec::new(), gzip, "2026-11-01T06:00:00Z-002").unwrap();
            let ok = page("https://a.org/x", FetchOutcome::Ok, Some(200));
            let mut failed = page("https://b.org/y", FetchOutcome::Timeout, None);
            failed.error = Some("timed out after 30s".into());
            w.write_page("a", &ok, Some(b"\xff\xfe<p>bytes</p>\r\n\r\n"))
                .unwrap();
            w.write_page("b", &failed, None).unwrap();
            let bytes = w.finish().unwrap();
            let records = read_warc(&bytes).unwrap();
            assert_eq!(records.len(), 4);
            assert_eq!(records[0].record_type(), "warcinfo");
            assert_eq!(records[0].header("WARC-Date"), Some("2026-11-01T06:00:00Z"));
            assert_eq!(records[1].version, "WARC/1.1");
            let caps = captures_from_records(&records).unwrap();
            assert_eq!(caps.len(), 2);
            assert_eq!(caps[0].capture.center, "a");
            assert_eq!(
                caps[0].capture.body.as_deref(),
                Some(&b"\xff\xfe<p>bytes</p>\r\n\r\n"[..])
            );
            assert_eq!(caps[0].capture.final_url, ok.final_url);
            assert_eq!(caps[0].capture.etag, ok.etag);
            assert_eq!(caps[1].capture.outcome, FetchOutcome::Timeout);
            assert_eq!(
                caps[1].capture.error.as_deref(),
                Some("timed out after 30s")
            );
            assert_eq!(caps[1].capture.body, None);
        }
    }

    #[test]
    fn truncated_or_damaged_files_are_errors_never_panics() {
        let mut w = WarcWriter::new(Vec::new(), false, "2026-11-01T06:00:00Z").unwrap();
        let ok = page("https://a.org/x", FetchOutcome::Ok, Some(200));
        w.write_page("a", &ok, Some(b"<p>body</p>")).unwrap();
        let bytes = w.finish().unwrap();
        for cut in 0..bytes.len() {
            if let Ok(records) = read_warc(&bytes[..cut]) {
                let _ = captures_from_records(&records);
            }
            let mut damaged = bytes.clone();
            damaged[cut] ^= 0x41;
            if let Ok(records) = read_warc(&damaged) {
                let _ = captures_from_records(&records);
            }
        }
        // Cutting inside the response's block is a clear error.
        let at = find(&bytes, b"<p>body").unwrap();
        let e = read_warc(&bytes[..at + 3]).unwrap_err();
        assert!(e.to_string().contains("truncated"), "{e}");
    }

    #[test]
    fn foreign_records_chunked_gzip_and_bad_digests() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"<html>hi</html>").unwrap();
        let gzipped = gz.finish().unwrap();
        let mut http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        http.extend_from_slice(format!("{:x}\r\n", gzipped.len()).as_bytes());
        http.extend_from_slice(&gzipped);
        http.extend_from_slice(b"\r\n0\r\n\r\n");
        let mut file = format!(
            "WARC/1.0\r\nWARC-Type: request\r\nContent-Length: 3\r\n\r\nGET\r\n\r\nWARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: <http://x.org/>\r\nWARC-Date: 2026-01-01T00:00:00Z\r\nContent-Length: {}\r\n\r\n",
            http.len()
        )
        .into_bytes();
        file.extend_from_slice(&http);
        file.extend_from_slice(b"\r\n\r\n");
        let caps = captures_from_records(&read_warc(&file).unwrap()).unwrap();
        assert_eq!(caps.len(), 1);
        assert_eq!(caps[0].center, None);
        assert_eq!(caps[0].capture.url, "http://x.org/");
        assert_eq!(
            caps[0].capture.body.as_deref(),
            Some(&b"<html>hi</html>"[..])
        );

        let body = b"HTTP/1.1 404 Not Found\r\n\r\nnope";
        let bad = format!(
            "WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: http://y.org/\r\nWARC-Payload-Digest: {}\r\nContent-Length: {}\r\n\r\n",
            sha256_digest(b"something else"),
            body.len()
        );
        let mut bad = bad.into_bytes();
        bad.extend_from_slice(body);
        let e = captures_from_records(&read_warc(&bad).unwrap()).unwrap_err();
        assert!(e.to_string().contains("http://y.org/"), "{e}");
        assert!(e.to_string().contains("Payload-Digest"), "{e}");

        // A redirect and its target: the page asked for gets the target's body.
        let mut file = Vec::new();
        for (uri, http) in [
            (
                "http://z.org/old",
                "HTTP/1.1 301 Moved Permanently\r\nLocation: /new\r\n\r\n".to_string(),
            ),
            (
                "http://z.org/new",
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>moved here</p>".to_string(),
            ),
        ] {
            file.extend_from_slice(
                format!(
                    "WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\nContent-Length: {}\r\n\r\n{http}\r\n\r\n",
                    http.len()
                )
                .as_bytes(),
            );
        }
        let caps = captures_from_records(&read_warc(&file).unwrap()).unwrap();
        let old = caps
            .iter()
            .find(|c| c.capture.url == "http://z.org/old")
            .unwrap();
        assert_eq!(old.capture.outcome, FetchOutcome::Ok);
        assert_eq!(old.capture.final_url.as_deref(), Some("http://z.org/new"));
        assert_eq!(old.capture.redirects, vec!["http://z.org/new".to_string()]);
        assert_eq!(old.capture.body.as_deref(), Some(&b"<p>moved here</p>"[..]));
        assert_eq!(
            resolve_location("https://a.org/x/y?q", "z"),
            "https://a.org/x/z"
        );
        assert_eq!(
            resolve_location("https://a.org/x/y", "//b.org/"),
            "https://b.org/"
        );

        let e = read_warc(b"WARC/1.1\r\nContent-Length: 99\r\n\r\nshort").unwrap_err();
        assert!(e.to_string().contains("truncated"), "{e}");
        let e = read_warc(b"<html>").unwrap_err();
        assert!(e.to_string().contains("at byte 0"), "{e}");
    }
}
