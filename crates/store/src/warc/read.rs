//! Reading WARC files: streamed record by record, every block bounded.
//!
//! A record's block is read only when it is wanted (a `response` or
//! `metadata` record for a wanted URI) and only up to the body cap plus room
//! for the HTTP head; a larger block is skipped without being held, and its
//! page becomes `too_large`. Content-Encoding is decoded within the same cap.
//! So a small `.warc.gz` that expands to gigabytes never needs more memory
//! than the wanted pages at their cap.

use super::{digest_matches, err, WarcError, WarcRecord};
use cartwatch_model::{Capture, FetchOutcome, PageSnapshot};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// The body cap when none is given: the default `[fetch] max_body_bytes`.
const DEFAULT_MAX_BODY_BYTES: u64 = 10 * 1024 * 1024;
/// Room for an HTTP response head inside a `response` block.
const HTTP_HEAD_MAX: u64 = 64 * 1024;
/// Cap on a WARC record head (its named fields).
const WARC_HEAD_MAX: u64 = 64 * 1024;
/// Cap on a `metadata` record block (ours are a few hundred bytes).
const METADATA_MAX: u64 = 1024 * 1024;
/// Redirect hops followed when deciding which targets are wanted.
const MAX_HOPS: usize = 10;

/// Reads a WARC file, plain or gzip-compressed, keeping every `response`
/// and `metadata` record with bodies up to the default cap (10 MiB).
pub fn read_warc_file(path: &Path) -> Result<Vec<WarcRecord>, WarcError> {
    read_records(path, DEFAULT_MAX_BODY_BYTES, &|_| true)
}

/// Reads the records a snapshot of `wanted` pages needs from a WARC file,
/// streaming it: the responses (and our metadata) for those URIs and for
/// the redirect targets they lead to. Blocks past `max_body_bytes` are not
/// kept (the record says how large it was). The file is read twice: once to
/// learn the redirects, once to keep the wanted records.
pub fn read_warc_file_for(
    path: &Path,
    max_body_bytes: u64,
    wanted: &HashSet<String>,
) -> Result<Vec<WarcRecord>, WarcError> {
    let mut locations: HashMap<String, String> = HashMap::new();
    for_each_record(path, &mut |reader, head| {
        let uri = target_uri(&head.headers);
        if head.record_type() == "response" {
            if let Some(uri) = uri {
                let peek = reader.block(head.len, HTTP_HEAD_MAX)?;
                if let Some(location) = redirect_location(&peek.0) {
                    locations.insert(uri.clone(), resolve_location(&uri, &location));
                }
                return Ok(());
            }
        }
        reader.skip(head.len)
    })?;
    let mut keep: HashSet<String> = wanted.clone();
    for start in wanted {
        let mut at = start;
        for _ in 0..MAX_HOPS {
            match locations.get(at) {
                Some(next) if keep.insert(next.clone()) => at = next,
                _ => break,
            }
        }
    }
    read_records(path, max_body_bytes, &|uri| keep.contains(uri))
}

/// Reads WARC records from bytes, plain or gzip-compressed (bodies up to
/// the default cap).
pub fn read_warc(bytes: &[u8]) -> Result<Vec<WarcRecord>, WarcError> {
    let mut out = Vec::new();
    let reader = open_reader(bytes);
    collect_records(reader, DEFAULT_MAX_BODY_BYTES, &|_| true, &mut out)?;
    Ok(out)
}

fn read_records(
    path: &Path,
    max_body_bytes: u64,
    wanted: &dyn Fn(&str) -> bool,
) -> Result<Vec<WarcRecord>, WarcError> {
    let file = std::fs::File::open(path)
        .map_err(|e| err(path.display().to_string(), format!("cannot read: {e}")))?;
    let mut out = Vec::new();
    collect_records(open_reader(file), max_body_bytes, wanted, &mut out)
        .map_err(|e| err(format!("{} {}", path.display(), e.where_), e.message))?;
    Ok(out)
}

fn for_each_record(
    path: &Path,
    visit: &mut dyn FnMut(&mut RecordReader<'_>, &RecordHead) -> Result<(), WarcError>,
) -> Result<(), WarcError> {
    let file = std::fs::File::open(path)
        .map_err(|e| err(path.display().to_string(), format!("cannot read: {e}")))?;
    let mut reader = open_reader(file);
    let result = (|| {
        while let Some(head) = reader.next_head()? {
            visit(&mut reader, &head)?;
        }
        Ok(())
    })();
    result.map_err(|e: WarcError| err(format!("{} {}", path.display(), e.where_), e.message))
}

/// Keeps the wanted `response` and `metadata` records, skipping the rest.
fn collect_records(
    mut reader: RecordReader<'_>,
    max_body_bytes: u64,
    wanted: &dyn Fn(&str) -> bool,
    out: &mut Vec<WarcRecord>,
) -> Result<(), WarcError> {
    let response_max = max_body_bytes.saturating_add(HTTP_HEAD_MAX);
    while let Some(head) = reader.next_head()? {
        let uri_wanted = target_uri(&head.headers).is_some_and(|u| wanted(&u));
        let cap = match head.record_type().as_str() {
            "response" if uri_wanted => response_max,
            "metadata" if uri_wanted => METADATA_MAX,
            "warcinfo" => METADATA_MAX,
            _ => {
                reader.skip(head.len)?;
                continue;
            }
        };
        let (block, oversized) = if head.len > cap {
            // Keep the HTTP head only, so the page can still be named and
            // classified; the body is skipped, never held.
            let (peek, _) = reader.block(head.len, HTTP_HEAD_MAX)?;
            (peek, Some(head.len))
        } else {
            (reader.block(head.len, cap)?.0, None)
        };
        out.push(WarcRecord {
            version: head.version,
            headers: head.headers,
            block,
            oversized,
        });
    }
    Ok(())
}

fn open_reader<'a, R: Read + 'a>(input: R) -> RecordReader<'a> {
    let mut buffered = BufReader::new(input);
    let gzip = buffered
        .fill_buf()
        .map(|b| b.starts_with(&[0x1f, 0x8b]))
        .unwrap_or(false);
    let inner: Box<dyn BufRead + 'a> = if gzip {
        Box::new(BufReader::new(flate2::bufread::MultiGzDecoder::new(
            buffered,
        )))
    } else {
        Box::new(buffered)
    };
    RecordReader { inner, pos: 0 }
}

/// A WARC record's head: version, fields and block length.
struct RecordHead {
    version: String,
    headers: Vec<(String, String)>,
    len: u64,
}

impl RecordHead {
    fn record_type(&self) -> String {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("WARC-Type"))
            .map(|(_, v)| v.to_ascii_lowercase())
            .unwrap_or_default()
    }
}

fn target_uri(headers: &[(String, String)]) -> Option<String> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("WARC-Target-URI"))
        .map(|(_, u)| u.trim_start_matches('<').trim_end_matches('>').to_string())
}

/// Reads records one at a time from a (decompressed) stream.
struct RecordReader<'a> {
    inner: Box<dyn BufRead + 'a>,
    /// Bytes consumed so far (of the decompressed stream), for errors.
    pos: u64,
}

fn io_err(at: u64, e: std::io::Error) -> WarcError {
    err(format!("at byte {at}"), format!("cannot read: {e}"))
}

impl RecordReader<'_> {
    /// The next record's head, or `None` at the end of the stream.
    fn next_head(&mut self) -> Result<Option<RecordHead>, WarcError> {
        // Skip the blank lines between records.
        loop {
            let pos = self.pos;
            let buf = self.inner.fill_buf().map_err(|e| io_err(pos, e))?;
            if buf.is_empty() {
                return Ok(None);
            }
            let blank = buf
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count();
            if blank == 0 {
                break;
            }
            self.inner.consume(blank);
            self.pos += blank as u64;
        }
        let at = format!("at byte {}", self.pos);
        let mut head = Vec::new();
        loop {
            let before = head.len();
            let read = (&mut self.inner)
                .take(WARC_HEAD_MAX + 1 - head.len() as u64)
                .read_until(b'\n', &mut head)
                .map_err(|e| io_err(self.pos, e))?;
            self.pos += read as u64;
            let line = &head[before..];
            if read == 0 || head.len() as u64 > WARC_HEAD_MAX {
                return Err(err(
                    &at,
                    "a record header does not end (no blank line within 64 KiB)",
                ));
            }
            if line == b"\r\n" || line == b"\n" {
                break;
            }
        }
        let head =
            std::str::from_utf8(&head).map_err(|_| err(&at, "a record header is not UTF-8"))?;
        let mut lines = head.lines();
        let version = lines.next().unwrap_or("").trim().to_string();
        if !version.starts_with("WARC/") {
            return Err(err(
                &at,
                format!(
                    "expected a WARC/1.x record, found {:?}",
                    truncate(&version, 40)
                ),
            ));
        }
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in lines {
            if line.trim().is_empty() {
                continue;
            }
            if line.starts_with([' ', '\t']) {
                if let Some(last) = headers.last_mut() {
                    last.1.push(' ');
                    last.1.push_str(line.trim());
                }
                continue;
            }
            if let Some((k, v)) = line.split_once(':') {
                headers.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
        let len: u64 = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("Content-Length"))
            .and_then(|(_, v)| v.parse().ok())
            .ok_or_else(|| err(&at, "a record has no valid Content-Length"))?;
        Ok(Some(RecordHead {
            version,
            headers,
            len,
        }))
    }

    /// Reads a block of `len` bytes, keeping the first `keep` of them and
    /// skipping the rest; the bool says whether it was cut.
    fn block(&mut self, len: u64, keep: u64) -> Result<(Vec<u8>, bool), WarcError> {
        let at = format!("at byte {}", self.pos);
        let kept_len = len.min(keep);
        let mut block = Vec::with_capacity(kept_len.min(1 << 20) as usize);
        let read = (&mut self.inner)
            .take(kept_len)
            .read_to_end(&mut block)
            .map_err(|e| io_err(self.pos, e))?;
        self.pos += read as u64;
        if (read as u64) < kept_len {
            return Err(err(
                &at,
                format!("the record's block of {len} bytes is truncated"),
            ));
        }
        self.skip_rest(len - kept_len, &at)?;
        Ok((block, len > keep))
    }

    /// Skips a whole block.
    fn skip(&mut self, len: u64) -> Result<(), WarcError> {
        let at = format!("at byte {}", self.pos);
        self.skip_rest(len, &at)
    }

    fn skip_rest(&mut self, len: u64, at: &str) -> Result<(), WarcError> {
        let skipped = std::io::copy(&mut (&mut self.inner).take(len), &mut std::io::sink())
            .map_err(|e| io_err(self.pos, e))?;
        self.pos += skipped;
        if skipped < len {
            return Err(err(
                at,
                format!("the record's block of {len} bytes is truncated"),
            ));
        }
        Ok(())
    }
}

/// The Location of a 3xx HTTP response head, if it is one.
fn redirect_location(block: &[u8]) -> Option<String> {
    let (head, _) = split_head(block)?;
    let head = String::from_utf8_lossy(head);
    let mut lines = head.lines();
    let status: u16 = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    if !(300..400).contains(&status) {
        return None;
    }
    lines
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("Location"))
        .map(|(_, v)| v.trim().to_string())
}

/// The head (before the blank line) and its length including the blank line.
fn split_head(bytes: &[u8]) -> Option<(&[u8], usize)> {
    let crlf = find(bytes, b"\r\n\r\n").map(|i| (i, i + 4));
    let lf = find(bytes, b"\n\n").map(|i| (i, i + 2));
    let (end, len) = match (crlf, lf) {
        (Some(a), Some(b)) => {
            if a.0 <= b.0 {
                a
            } else {
                b
            }
        }
        (a, b) => a.or(b)?,
    };
    Some((&bytes[..end], len))
}

pub(super) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// A parsed HTTP response block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Header fields in order.
    pub headers: Vec<(String, String)>,
    /// The payload, de-chunked and content-decoded (gzip, deflate).
    pub body: Vec<u8>,
    /// The payload went past the body cap; `body` is empty.
    pub too_large: bool,
}

impl HttpResponse {
    /// The first header of this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Parses an `application/http;msgtype=response` block (payload up to the
/// default cap of 10 MiB).
pub fn parse_http_response(block: &[u8]) -> Result<HttpResponse, String> {
    parse_http_response_with(block, DEFAULT_MAX_BODY_BYTES)
}

/// Parses an `application/http;msgtype=response` block; a payload larger
/// than `max_body_bytes` once de-chunked and decoded is not kept
/// (`too_large`), and decoding stops as soon as it passes the cap.
pub fn parse_http_response_with(block: &[u8], max_body_bytes: u64) -> Result<HttpResponse, String> {
    let (head, head_len) =
        split_head(block).ok_or("the HTTP response head does not end (no blank line)")?;
    let head = String::from_utf8_lossy(head);
    let mut lines = head.lines();
    let status_line = lines.next().unwrap_or("");
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .filter(|_| status_line.starts_with("HTTP/"))
        .ok_or_else(|| format!("not an HTTP status line: {:?}", truncate(status_line, 60)))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut response = HttpResponse {
        status,
        headers,
        body: Vec::new(),
        too_large: false,
    };
    if block.len() as u64 - head_len as u64 > max_body_bytes.saturating_add(HTTP_HEAD_MAX)
        && response.header("Transfer-Encoding").is_none()
        && response.header("Content-Encoding").is_none()
    {
        response.too_large = true;
        return Ok(response);
    }
    response.body = block[head_len..].to_vec();
    if response
        .header("Transfer-Encoding")
        .is_some_and(|t| t.to_ascii_lowercase().contains("chunked"))
    {
        response.body = dechunk(&response.body)?;
    }
    let encoding = response
        .header("Content-Encoding")
        .map(|e| e.trim().to_ascii_lowercase());
    match encoding.as_deref() {
        None | Some("") | Some("identity") => {}
        Some("gzip") | Some("x-gzip") => {
            let decoder = flate2::read::MultiGzDecoder::new(&response.body[..]);
            response.body = decode_capped(decoder, max_body_bytes)
                .map_err(|e| format!("cannot gunzip the body: {e}"))?;
        }
        Some("deflate") => {
            let decoder = flate2::read::ZlibDecoder::new(&response.body[..]);
            response.body = decode_capped(decoder, max_body_bytes)
                .map_err(|e| format!("cannot inflate the body: {e}"))?;
        }
        Some(other) => {
            return Err(format!(
                "the body is {other}-encoded, which cartwatch cannot decode (gzip, deflate and identity are read)"
            ))
        }
    }
    if response.body.len() as u64 > max_body_bytes {
        response.body = Vec::new();
        response.too_large = true;
    }
    Ok(response)
}

/// Decodes at most `max + 1` bytes (enough to tell that the cap was passed).
fn decode_capped(decoder: impl Read, max: u64) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    decoder.take(max.saturating_add(1)).read_to_end(&mut out)?;
    Ok(out)
}

fn dechunk(mut bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let line_end = find(bytes, b"\r\n").ok_or("a chunk size line does not end")?;
        let size_text = String::from_utf8_lossy(&bytes[..line_end]);
        let size_text = size_text.split(';').next().unwrap_or("").trim().to_string();
        let size = usize::from_str_radix(&size_text, 16)
            .map_err(|_| format!("bad chunk size {size_text:?}"))?;
        bytes = &bytes[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        if bytes.len() < size {
            return Err("a chunk is truncated".into());
        }
        out.extend_from_slice(&bytes[..size]);
        bytes = bytes.get(size + 2..).unwrap_or_default();
    }
}

/// A capture read from a WARC file, with the center id when the archive says
/// (our `metadata` records do; other tools' archives do not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarcCapture {
    /// The center id, when known.
    pub center: Option<String>,
    /// The capture (its `center` field is empty when unknown).
    pub capture: Capture,
}

#[derive(serde::Deserialize)]
struct PageMeta {
    cartwatch_center: String,
    page: PageSnapshot,
}

/// Turns records into captures: one per target URI (the last one wins),
/// in file order. A sha256 digest that does not match is an error naming the URI.
pub fn captures_from_records(records: &[WarcRecord]) -> Result<Vec<WarcCapture>, WarcError> {
    captures_from_records_with(records, DEFAULT_MAX_BODY_BYTES)
}

/// [`captures_from_records`] with a body cap: a page whose body (de-chunked
/// and decoded) passes `max_body_bytes`, or whose record was too large to
/// keep, is `too_large` with no body.
pub fn captures_from_records_with(
    records: &[WarcRecord],
    max_body_bytes: u64,
) -> Result<Vec<WarcCapture>, WarcError> {
    let mut metadata: HashMap<String, PageMeta> = HashMap::new();
    for r in records.iter().filter(|r| r.record_type() == "metadata") {
        let is_json = r.header("Content-Type").is_some_and(|c| c.contains("json"));
        if let (true, Ok(meta)) = (is_json, serde_json::from_slice::<PageMeta>(&r.block)) {
            let key = r
                .header("WARC-Concurrent-To")
                .map(str::to_string)
                .unwrap_or_else(|| format!("uri:{}", r.target_uri().unwrap_or("")));
            metadata.insert(key, meta);
        }
    }
    let mut out: Vec<WarcCapture> = Vec::new();
    // Where each redirect response pointed, by URI.
    let mut locations: HashMap<String, String> = HashMap::new();
    let mut push = |c: WarcCapture| {
        out.retain(|o| o.capture.url != c.capture.url);
        out.push(c);
    };
    for r in records {
        match r.record_type().as_str() {
            "response" => {
                let uri = r
                    .target_uri()
                    .ok_or_else(|| err("a response record", "it has no WARC-Target-URI"))?;
                let where_ = format!("the response record for {uri}");
                if let Some(d) = r
                    .header("WARC-Block-Digest")
                    .filter(|_| r.oversized.is_none())
                {
                    if digest_matches(d, &r.block) == Some(false) {
                        return Err(err(&where_, "WARC-Block-Digest does not match its block"));
                    }
                }
                let http = match r.oversized {
                    // Only the head was kept: the body is past the cap.
                    Some(_) => parse_http_response_with(&r.block, 0).map(|mut h| {
                        h.body = Vec::new();
                        h.too_large = true;
                        h
                    }),
                    None => parse_http_response_with(&r.block, max_body_bytes),
                }
                .or_else(|m| match r.oversized {
                    Some(_) => Ok(HttpResponse {
                        status: 200,
                        headers: Vec::new(),
                        body: Vec::new(),
                        too_large: true,
                    }),
                    None => Err(m),
                })
                .map_err(|m| err(&where_, m))?;
                if let Some(d) = r.header("WARC-Payload-Digest").filter(|_| !http.too_large) {
                    // The digest covers the payload as transferred; only check
                    // it when no decoding changed the bytes.
                    let decoded = http.header("Content-Encoding").is_some()
                        || http.header("Transfer-Encoding").is_some();
                    if !decoded && digest_matches(d, &http.body) == Some(false) {
                        return Err(err(
                            &where_,
                            "WARC-Payload-Digest does not match its payload",
                        ));
                    }
                }
                if (300..400).contains(&http.status) {
                    if let Some(target) = http.header("Location") {
                        locations.insert(uri.to_string(), resolve_location(uri, target));
                    }
                }
                let content_type = http.header("Content-Type").map(str::to_string);
                let outcome = match http.status {
                    200..=299 => {
                        let html = content_type.as_deref().is_none_or(|c| {
                            let c = c.to_ascii_lowercase();
                            c.contains("html") || c.contains("xml")
                        });
                        if html {
                            FetchOutcome::Ok
                        } else {
                            FetchOutcome::NotHtml
                        }
                    }
                    status => FetchOutcome::HttpError { status },
                };
                let mut capture = Capture {
                    center: String::new(),
                    url: uri.to_string(),
                    final_url: None,
                    redirects: Vec::new(),
                    status: Some(http.status),
                    content_type,
                    etag: http.header("ETag").map(str::to_string),
                    last_modified: http.header("Last-Modified").map(str::to_string),
                    fetched_at: r.header("WARC-Date").unwrap_or("").to_string(),
                    outcome,
                    error: None,
                    attempts: 1,
                    body: Some(http.body),
                    rendered_by: Default::default(),
                };
                let meta = r
                    .header("WARC-Record-ID")
                    .and_then(|id| metadata.remove(id));
                let center = meta.map(|m| {
                    apply_page(&mut capture, &m.page);
                    m.cartwatch_center
                });
                if http.too_large && (200..300).contains(&http.status) {
                    capture.outcome = FetchOutcome::TooLarge;
                    capture.body = None;
                    capture.error = Some(format!(
                        "the body in the WARC record for {uri} is larger than {max_body_bytes} bytes (max_body_bytes); not read"
                    ));
                } else if http.too_large {
                    capture.body = None;
                }
                push(WarcCapture { center, capture });
            }
            "metadata" if r.header("WARC-Concurrent-To").is_none() => {
                let key = format!("uri:{}", r.target_uri().unwrap_or(""));
                if let Some(m) = metadata.remove(&key) {
                    let mut capture = Capture {
                        center: m.cartwatch_center.clone(),
                        url: m.page.url.clone(),
                        final_url: None,
                        redirects: Vec::new(),
                        status: None,
                        content_type: None,
                        etag: None,
                        last_modified: None,
                        fetched_at: String::new(),
                        outcome: m.page.outcome.clone(),
                        error: None,
                        attempts: 1,
                        body: None,
                        rendered_by: Default::default(),
                    };
                    apply_page(&mut capture, &m.page);
                    push(WarcCapture {
                        center: Some(m.cartwatch_center),
                        capture,
                    });
                }
            }
            _ => {}
        }
    }
    follow_redirects(&mut out, &locations);
    for c in &mut out {
        if let Some(center) = &c.center {
            c.capture.center = center.clone();
        }
    }
    Ok(out)
}

/// A crawler archives a redirect and its target as two responses; the page
/// asked for is the target's content, with the hops recorded (up to 10).
fn follow_redirects(out: &mut [WarcCapture], locations: &HashMap<String, String>) {
    let by_url: HashMap<String, Capture> = out
        .iter()
        .map(|c| (c.capture.url.clone(), c.capture.clone()))
        .collect();
    for c in out.iter_mut() {
        if c.center.is_some()
            || !matches!(c.capture.outcome, FetchOutcome::HttpError { status } if (300..400).contains(&status))
        {
            continue;
        }
        let mut hops = Vec::new();
        let mut at = c.capture.url.clone();
        while let Some(next) = locations.get(&at) {
            if hops.contains(next) || hops.len() >= 10 {
                c.capture.outcome = FetchOutcome::RedirectLoop;
                c.capture.error = Some(format!(
                    "redirects loop or exceed 10 hops from {}",
                    c.capture.url
                ));
                c.capture.body = None;
                break;
            }
            hops.push(next.clone());
            at = next.clone();
        }
        if c.capture.outcome == FetchOutcome::RedirectLoop {
            continue;
        }
        if let Some(target) = by_url.get(&at).filter(|_| !hops.is_empty()) {
            let url = c.capture.url.clone();
            c.capture = Capture {
                url,
                final_url: Some(at.clone()),
                redirects: hops,
                ..target.clone()
            };
        }
    }
}

/// An absolute URL for a Location header value (absolute, scheme-relative,
/// or path-absolute; anything else is resolved against the directory).
pub(super) fn resolve_location(base: &str, location: &str) -> String {
    let location = location.trim();
    if location.contains("://") {
        return location.to_string();
    }
    let (scheme, rest) = base.split_once("://").unwrap_or(("http", base));
    if let Some(rest) = location.strip_prefix("//") {
        return format!("{scheme}://{rest}");
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    if location.starts_with('/') {
        return format!("{scheme}://{host}{location}");
    }
    let path = rest[host.len()..].split(['?', '#']).next().unwrap_or("");
    let dir = path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    format!("{scheme}://{host}{dir}/{location}")
}

/// Restores what our metadata record kept about a page.
fn apply_page(capture: &mut Capture, page: &PageSnapshot) {
    capture.url = page.url.clone();
    capture.final_url = page.final_url.clone();
    capture.redirects = page.redirects.clone();
    capture.status = page.status;
    capture.content_type = page.content_type.clone();
    capture.etag = page.etag.clone();
    capture.last_modified = page.last_modified.clone();
    capture.fetched_at = page.fetched_at.clone();
    capture.outcome = page.outcome.clone();
    capture.error = page.error.clone();
}
