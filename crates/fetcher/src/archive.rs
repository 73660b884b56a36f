//! The Internet Archive (any Wayback server): listing a page's captures with
//! the CDX API and fetching a capture's original bytes with the `id_`
//! replay form, politely.
//!
//! - Listing: `BASE/cdx/search/cdx?url=URL&output=json&from=..&to=..`
//!   `&filter=statuscode:200&collapse=digest&showResumeKey=true`, page after
//!   page with `resumeKey`, bounded in bytes per page and in rows per URL.
//! - Replay: `BASE/web/TIMESTAMPid_/URL` returns the page as archived, without
//!   the archive's toolbar or rewritten links. Redirects are followed only
//!   within the archive's `/web/` replay space (the archive redirects to the
//!   nearest capture); the capture's time is read from the final replay URL.
//! - Politeness: one client with at most one idle connection, requests one
//!   after another, at least `delay` between the end of one and the start of
//!   the next (2.5 s by default). A 429 is waited out (its Retry-After, else
//!   the fetcher's backoff) and doubles the delay for the rest of the run;
//!   `max_429` answers of 429 in a row stop the run with
//!   [`ArchiveError::RateLimited`]. Timeouts, connection errors and 5xx are
//!   retried like live fetches ([`crate::classify`]).
//! - Bounds and reach: a replayed body past `max_body_bytes` is `too_large`;
//!   the archive's address is checked like any page's
//!   ([`crate::address`], `allow_private` lifts it).

use crate::address::AddressPolicy;
use crate::classify;
use crate::http::FetchError;
use cartwatch_model::{Capture, FetchOutcome, FetchSettings};
use reqwest::header::{self, HeaderMap};
use std::time::{Duration, SystemTime};
use tokio::time::Instant;
use url::Url;

pub mod cdx;
pub use cdx::{
    one_per_period, parse_cdx_page, timestamp_rfc3339, timestamp_time, CdxCapture, Every,
};

/// The Internet Archive's Wayback Machine.
pub const DEFAULT_BASE: &str = "https://web.archive.org";
/// The default spacing between two requests to the archive.
pub const DEFAULT_DELAY: Duration = Duration::from_millis(2500);
/// Answers of 429 in a row after which the run stops.
pub const DEFAULT_MAX_429: u32 = 5;
/// Bytes read of one CDX answer page.
const CDX_MAX_BYTES: u64 = 16 * 1024 * 1024;
/// Rows asked for per CDX page.
const CDX_PAGE_ROWS: usize = 1000;
/// Rows kept per URL, all pages together.
const CDX_MAX_ROWS: usize = 200_000;
/// CDX pages read per URL.
const CDX_MAX_PAGES: usize = 1000;
/// Bytes of an error answer read.
const ERROR_BODY_MAX_BYTES: u64 = 64 * 1024;
/// The longest the delay grows to after 429s (unless configured longer).
const MAX_SLOWED_DELAY: Duration = Duration::from_secs(60);

/// How to reach the archive and how politely.
#[derive(Debug, Clone)]
pub struct ArchiveOptions {
    /// The archive's base URL, e.g. `https://web.archive.org`.
    pub base: String,
    /// At least this long between two requests.
    pub delay: Duration,
    /// Stop after this many answers of 429 in a row (at least 1).
    pub max_429: u32,
}

impl Default for ArchiveOptions {
    fn default() -> Self {
        ArchiveOptions {
            base: DEFAULT_BASE.to_string(),
            delay: DEFAULT_DELAY,
            max_429: DEFAULT_MAX_429,
        }
    }
}

/// Why talking to the archive stopped or failed.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The archive kept answering 429: the run must stop.
    #[error("the archive at {base} answered 429 Too Many Requests {count} times in a row (last for {url}); stopped to respect its limits. What was imported is kept: run the same command later (or with a larger --delay-ms) to continue")]
    RateLimited {
        /// The archive's base URL.
        base: String,
        /// The last URL asked for.
        url: String,
        /// 429 answers in a row.
        count: u32,
    },
    /// Listing a page's captures failed.
    #[error("listing the archive's captures of {url} at {cdx} failed: {message}")]
    Cdx {
        /// The page URL.
        url: String,
        /// The CDX request.
        cdx: String,
        /// What went wrong.
        message: String,
    },
    /// The base URL or a setting is unusable.
    #[error("{0}")]
    Setup(String),
}

/// An answer from the archive, its body read within a cap.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
    too_large: bool,
}

impl Answer {
    fn header(&self, name: header::HeaderName) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }
}

/// A polite client of one Wayback server. Requests go one at a time.
#[derive(Debug)]
pub struct Archive {
    client: reqwest::Client,
    policy: AddressPolicy,
    base: Url,
    settings: FetchSettings,
    delay: Duration,
    max_429: u32,
    /// When the next request may start.
    next_at: Option<Instant>,
    /// Answers of 429 in a row.
    in_a_row_429: u32,
    /// Requests sent so far.
    requests: u64,
}

impl Archive {
    /// A client of the archive at `options.base`, with the fetch settings'
    /// user agent, timeouts, retries, body cap and private-address rule.
    pub fn new(settings: &FetchSettings, options: &ArchiveOptions) -> Result<Archive, FetchError> {
        let base = Url::parse(options.base.trim_end_matches('/'))
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
            .ok_or_else(|| {
                FetchError::Settings(format!(
                    "archive URL {:?} is not an http(s) URL with a host (e.g. https://web.archive.org)",
                    options.base
                ))
            })?;
        if options.max_429 == 0 {
            return Err(FetchError::Settings(
                "the number of 429 answers to stop after must be at least 1".into(),
            ));
        }
        let policy = AddressPolicy::new(settings.allow_private, &[]);
        let client = reqwest::Client::builder()
            .user_agent(settings.user_agent_header())
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(std::sync::Arc::new(policy.resolver()))
            .connect_timeout(Duration::from_secs(settings.connect_timeout_secs.max(1)))
            .pool_max_idle_per_host(1)
            .pool_idle_timeout(Duration::from_secs(30))
            .http1_only()
            .build()
            .map_err(|e| FetchError::Client(e.to_string()))?;
        Ok(Archive {
            client,
            policy,
            base,
            settings: settings.clone(),
            delay: options.delay,
            max_429: options.max_429,
            next_at: None,
            in_a_row_429: 0,
            requests: 0,
        })
    }

    /// The archive's base URL, without a trailing slash.
    pub fn base(&self) -> String {
        self.base.as_str().trim_end_matches('/').to_string()
    }

    /// The current spacing between requests (grown by 429s).
    pub fn delay(&self) -> Duration {
        self.delay
    }

    /// Requests sent so far (retries and redirect hops included).
    pub fn requests(&self) -> u64 {
        self.requests
    }

    /// The CDX URL listing `url`'s captures between `from` and `to`
    /// (1-14 digit timestamps), at `resume_key` when given.
    pub fn cdx_url(
        &self,
        url: &str,
        from: Option<&str>,
        to: Option<&str>,
        resume_key: Option<&str>,
    ) -> String {
        let mut cdx = Url::parse(&format!("{}/cdx/search/cdx", self.base())).expect("valid base");
        {
            let mut query = cdx.query_pairs_mut();
            query
                .append_pair("url", url)
                .append_pair("output", "json")
                .append_pair("fl", "timestamp,original,mimetype,statuscode,digest")
                .append_pair("filter", "statuscode:200")
                .append_pair("collapse", "digest")
                .append_pair("limit", &CDX_PAGE_ROWS.to_string())
                .append_pair("showResumeKey", "true");
            if let Some(from) = from {
                query.append_pair("from", from);
            }
            if let Some(to) = to {
                query.append_pair("to", to);
            }
            if let Some(key) = resume_key {
                query.append_pair("resumeKey", key);
            }
        }
        cdx.to_string()
    }

    /// Every capture of `url` between `from` and `to`, all pages of the
    /// listing, in the archive's order.
    pub async fn list(
        &mut self,
        url: &str,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Vec<CdxCapture>, ArchiveError> {
        let mut all = Vec::new();
        let mut resume: Option<String> = None;
        for _ in 0..CDX_MAX_PAGES {
            let cdx = self.cdx_url(url, from, to, resume.as_deref());
            let cdx_error = |message: String| ArchiveError::Cdx {
                url: url.to_string(),
                cdx: cdx.clone(),
                message,
            };
            let target = Url::parse(&cdx).map_err(|e| cdx_error(e.to_string()))?;
            let answer = match self.get(&target, CDX_MAX_BYTES, false).await? {
                Ok(answer) => answer,
                Err(failure) => return Err(cdx_error(failure.message)),
            };
            if answer.status != 200 {
                return Err(cdx_error(classify::status_sentence(answer.status)));
            }
            if answer.too_large {
                return Err(cdx_error(format!(
                    "the answer is larger than {CDX_MAX_BYTES} bytes"
                )));
            }
            let (rows, next) = parse_cdx_page(&answer.body).map_err(cdx_error)?;
            all.extend(rows);
            if all.len() > CDX_MAX_ROWS {
                tracing::warn!(
                    url,
                    rows = all.len(),
                    "more captures than kept per page; the rest is ignored"
                );
                all.truncate(CDX_MAX_ROWS);
                break;
            }
            match next {
                Some(key) if resume.as_deref() != Some(key.as_str()) => resume = Some(key),
                _ => break,
            }
        }
        Ok(all)
    }

    /// The replay URL of a capture: `BASE/web/TIMESTAMPid_/ORIGINAL`.
    pub fn replay_url(&self, capture: &CdxCapture) -> String {
        format!(
            "{}/web/{}id_/{}",
            self.base(),
            capture.timestamp,
            capture.original
        )
    }

    /// Fetches a capture's original bytes as a [`Capture`] of `center`'s
    /// configured `url`, dated at the capture time. Redirects within the
    /// archive's replay space are followed (up to `max_redirects`); one
    /// leaving it, an error answer or a failure is a classified outcome.
    pub async fn replay(
        &mut self,
        center: &str,
        url: &str,
        capture: &CdxCapture,
    ) -> Result<Capture, ArchiveError> {
        let mut result = Capture {
            center: center.to_string(),
            url: url.to_string(),
            final_url: None,
            redirects: Vec::new(),
            status: None,
            content_type: None,
            etag: None,
            last_modified: None,
            fetched_at: timestamp_rfc3339(&capture.timestamp).unwrap_or_default(),
            outcome: FetchOutcome::Ok,
            error: None,
            attempts: 0,
            rendered_by: Default::default(),
            body: None,
        };
        let start = self.replay_url(capture);
        let mut current = match Url::parse(&start) {
            Ok(u) => u,
            Err(e) => {
                result.outcome = FetchOutcome::Connect;
                result.error = Some(format!("{start:?} is not a valid replay URL: {e}"));
                return Ok(result);
            }
        };
        loop {
            let before = self.requests;
            let answer = self
                .get(&current, self.settings.max_body_bytes, true)
                .await?;
            result.attempts += (self.requests - before) as u32;
            let answer = match answer {
                Ok(answer) => answer,
                Err(failure) => {
                    result.outcome = failure.outcome;
                    result.error = Some(failure.message);
                    return Ok(result);
                }
            };
            result.status = Some(answer.status);
            if classify::is_redirect_status(answer.status) {
                let next = answer
                    .header(header::LOCATION)
                    .and_then(|l| current.join(&l).ok());
                let Some(next) = next.filter(|n| self.in_replay_space(n)) else {
                    result.outcome = FetchOutcome::HttpError {
                        status: answer.status,
                    };
                    result.error = Some(format!(
                        "{} from {current}: the archived capture is a redirect out of the archive ({:?}); not imported as content",
                        classify::status_sentence(answer.status),
                        answer.header(header::LOCATION).unwrap_or_default()
                    ));
                    return Ok(result);
                };
                result.redirects.push(next.to_string());
                if result.redirects.len() > self.settings.max_redirects {
                    result.outcome = FetchOutcome::RedirectLoop;
                    result.error = Some(format!(
                        "more than {} redirects (max_redirects) replaying {start}",
                        self.settings.max_redirects
                    ));
                    return Ok(result);
                }
                current = next;
                continue;
            }
            if let Some((timestamp, original)) = self.split_replay(&current) {
                if let Some(at) = timestamp_rfc3339(&timestamp) {
                    result.fetched_at = at;
                }
                if original.trim_end_matches('/') != url.trim_end_matches('/') {
                    result.final_url = Some(original);
                }
            }
            result.content_type = answer.header(header::CONTENT_TYPE);
            if (200..300).contains(&answer.status) {
                if answer.too_large {
                    result.outcome = FetchOutcome::TooLarge;
                    result.error = Some(format!(
                        "the archived body is larger than {} bytes (max_body_bytes); download aborted",
                        self.settings.max_body_bytes
                    ));
                } else if let Some(reason) =
                    classify::not_html_reason(result.content_type.as_deref(), &answer.body)
                {
                    result.outcome = FetchOutcome::NotHtml;
                    result.error = Some(reason);
                    result.body = Some(answer.body);
                } else {
                    result.body = Some(answer.body);
                }
            } else {
                result.outcome = FetchOutcome::HttpError {
                    status: answer.status,
                };
                result.error = Some(format!(
                    "{} replaying {current}",
                    classify::status_sentence(answer.status)
                ));
            }
            return Ok(result);
        }
    }

    /// True when `url` is a replay URL of this archive (`BASE/web/...`).
    fn in_replay_space(&self, url: &Url) -> bool {
        url.origin() == self.base.origin() && self.split_replay(url).is_some()
    }

    /// `BASE/web/TSid_/ORIGINAL` → (TS, ORIGINAL).
    fn split_replay(&self, url: &Url) -> Option<(String, String)> {
        let prefix = format!("{}/web/", self.base());
        let rest = url.as_str().strip_prefix(&prefix)?;
        let (stamp, original) = rest.split_once('/')?;
        let timestamp = stamp.strip_suffix("id_").unwrap_or(stamp);
        (!timestamp.is_empty() && timestamp.bytes().all(|b| b.is_ascii_digit()))
            .then(|| (timestamp.to_string(), original.to_string()))
    }

    /// One GET, spaced and retried: the answer (any status but 429 or a
    /// retryable one that ran out of retries) or a transport failure. Only
    /// repeated 429s are an `Err` of the outer result: they stop the run.
    async fn get(
        &mut self,
        url: &Url,
        limit: u64,
        page: bool,
    ) -> Result<Result<Answer, classify::Failure>, ArchiveError> {
        let cap = Duration::from_secs(self.settings.max_retry_after_secs);
        let mut retry = 0u32;
        loop {
            if let Err(reason) = self.policy.check_url(url) {
                return Ok(Err(classify::Failure {
                    outcome: FetchOutcome::BlockedPrivateAddress,
                    message: reason,
                }));
            }
            if let Some(at) = self.next_at {
                tokio::time::sleep_until(at).await;
            }
            self.requests += 1;
            let result = self.send_once(url, limit, page).await;
            self.next_at = Some(Instant::now() + self.delay);
            let may_retry = retry < self.settings.retries;
            let wait = match &result {
                Ok(answer) if answer.status == 429 => {
                    self.in_a_row_429 += 1;
                    // Asked to slow down: for the rest of the run too.
                    self.delay = (self.delay * 2).min(MAX_SLOWED_DELAY.max(self.delay));
                    if self.in_a_row_429 >= self.max_429 {
                        return Err(ArchiveError::RateLimited {
                            base: self.base(),
                            url: url.to_string(),
                            count: self.in_a_row_429,
                        });
                    }
                    let wait = answer
                        .header(header::RETRY_AFTER)
                        .and_then(|v| classify::parse_retry_after(&v, SystemTime::now()))
                        .map(|w| w.min(cap))
                        .unwrap_or_else(|| self.backoff(self.in_a_row_429 - 1));
                    tracing::warn!(url = %url, wait = ?wait, delay = ?self.delay, "the archive answered 429; waiting and slowing down");
                    wait
                }
                Ok(answer) if classify::is_retryable_status(answer.status) && may_retry => {
                    self.in_a_row_429 = 0;
                    self.backoff(retry)
                }
                Err(failure) if failure.is_retryable() && may_retry => {
                    self.in_a_row_429 = 0;
                    self.backoff(retry)
                }
                _ => {
                    self.in_a_row_429 = 0;
                    return Ok(result);
                }
            };
            retry += 1;
            let resume = Instant::now() + wait;
            self.next_at = Some(self.next_at.map_or(resume, |at| at.max(resume)));
        }
    }

    fn backoff(&self, retry: u32) -> Duration {
        classify::backoff(
            Duration::from_millis(self.settings.backoff_ms),
            retry,
            Duration::from_secs(self.settings.max_retry_after_secs.max(1)),
            rand::random::<f64>(),
        )
    }

    /// One request and its body within `limit` (an error answer's first
    /// 64 KiB), within the total timeout.
    async fn send_once(
        &self,
        url: &Url,
        limit: u64,
        page: bool,
    ) -> Result<Answer, classify::Failure> {
        let total = Duration::from_secs(self.settings.timeout_secs.max(1));
        let exchange = async {
            let transport = |e: reqwest::Error| classify::classify_transport_error(&e);
            let mut response = self
                .client
                .get(url.clone())
                .send()
                .await
                .map_err(transport)?;
            let status = response.status().as_u16();
            let mut answer = Answer {
                status,
                headers: response.headers().clone(),
                body: Vec::new(),
                too_large: false,
            };
            if classify::is_redirect_status(status) {
                return Ok(answer);
            }
            let success = (200..300).contains(&status);
            let limit = if success { limit } else { ERROR_BODY_MAX_BYTES };
            if success && page && response.content_length().is_some_and(|len| len > limit) {
                answer.too_large = true;
                return Ok(answer);
            }
            while let Some(chunk) = response.chunk().await.map_err(transport)? {
                let room = limit.saturating_sub(answer.body.len() as u64) as usize;
                if chunk.len() > room {
                    if success {
                        answer.too_large = true;
                        answer.body = Vec::new();
                    } else {
                        answer.body.extend_from_slice(&chunk[..room]);
                    }
                    break;
                }
                answer.body.extend_from_slice(&chunk);
            }
            Ok(answer)
        };
        match tokio::time::timeout(total, exchange).await {
            Ok(result) => result,
            Err(_) => Err(classify::Failure {
                outcome: FetchOutcome::Timeout,
                message: format!(
                    "no complete answer from {url} within {}s (timeout_secs)",
                    self.settings.timeout_secs
                ),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(ts: &str, digest: &str) -> CdxCapture {
        CdxCapture {
            timestamp: ts.into(),
            original: "https://c.example/cart".into(),
            mimetype: "text/html".into(),
            statuscode: "200".into(),
            digest: digest.into(),
        }
    }

    #[test]
    fn replay_urls_and_redirects_stay_in_the_archive() {
        let settings = FetchSettings::default();
        let archive = Archive::new(
            &settings,
            &ArchiveOptions {
                base: "https://web.archive.org/".into(),
                ..ArchiveOptions::default()
            },
        )
        .unwrap();
        let capture = row("20190305123456", "A");
        assert_eq!(
            archive.replay_url(&capture),
            "https://web.archive.org/web/20190305123456id_/https://c.example/cart"
        );
        let inside =
            Url::parse("https://web.archive.org/web/20190306000000id_/https://c.example/cart")
                .unwrap();
        assert!(archive.in_replay_space(&inside));
        let outside = Url::parse("https://c.example/web/2019id_/x").unwrap();
        assert!(!archive.in_replay_space(&outside));
        let cdx = archive.cdx_url("https://c.example/cart", Some("2019"), None, Some("k 1"));
        assert!(cdx.starts_with(
            "https://web.archive.org/cdx/search/cdx?url=https%3A%2F%2Fc.example%2Fcart&output=json"
        ));
        assert!(cdx.contains("filter=statuscode%3A200&collapse=digest"));
        assert!(cdx.contains("&from=2019&resumeKey=k+1"));
        assert!(Archive::new(
            &settings,
            &ArchiveOptions {
                base: "ftp://x".into(),
                ..ArchiveOptions::default()
            }
        )
        .is_err());
    }
}
