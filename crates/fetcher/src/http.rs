//! Live HTTP fetching: concurrent across hosts, polite within one, bounded,
//! and classified.
//!
//! [`Fetcher::fetch_all`] groups the requests by host (scheme + host + port)
//! and works on every host at once. Within a host, pages go in request order,
//! at most `max_in_flight_per_host` at a time, each request (robots.txt,
//! redirect hops and retries included) starting at least the host's delay
//! after the previous one: `min_delay_ms`, raised by robots.txt's
//! `Crawl-delay`, and held back further by a server's `Retry-After`. Every
//! page ends in one [`Capture`] with a classified [`FetchOutcome`]; a page's
//! failure never stops the others.
//!
//! A center whose fetch mode is `browser` is loaded in headless Chromium
//! ([`crate::browser`]) instead, after the same address check and robots.txt
//! verdict and within one request slot of its host; in `auto` mode the HTTP
//! answer is loaded again in the browser when
//! [`classify::browser_reason`] says it is a script shell, a `<noscript>`
//! "enable JavaScript" page or a bot challenge.

use crate::address::AddressPolicy;
use crate::browser::{self, BrowserSession};
use crate::classify::{self, Failure};
use crate::politeness::{Host, Scheduler};
use crate::progress::Progress;
use crate::robots::{product_token, RobotsRules, Verdict};
use cartwatch_model::{BrowserUse, Capture, FetchMode, FetchOutcome, FetchSettings};
use futures::StreamExt;
use reqwest::header::{self, HeaderMap, HeaderValue};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::time::Instant;
use url::Url;

/// robots.txt bodies are read up to this size (Google's limit is 500 KiB);
/// the rest is ignored.
const ROBOTS_MAX_BYTES: u64 = 512 * 1024;
/// Redirects followed when fetching robots.txt.
const ROBOTS_MAX_REDIRECTS: usize = 5;
/// Bytes of an error page read to recognise a bot challenge.
const ERROR_BODY_MAX_BYTES: u64 = 64 * 1024;
/// The Accept header sent with page requests.
const ACCEPT_HTML: &str = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8";

/// One page to fetch, with the validators of its previous capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchRequest {
    /// The configured center id.
    pub center: String,
    /// The page URL.
    pub url: String,
    /// ETag of the previous capture, sent as If-None-Match.
    pub etag: Option<String>,
    /// Last-Modified of the previous capture, sent as If-Modified-Since.
    pub last_modified: Option<String>,
    /// Content-Type of the previous capture: a `not_modified` capture reuses
    /// that capture's body, so it keeps its content type (and charset).
    pub content_type: Option<String>,
}

/// A fetcher that could not be built (bad settings).
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The HTTP client could not be configured.
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    /// A `[fetch]` setting is out of range.
    #[error("invalid [fetch] setting: {0}")]
    Settings(String),
    /// A center is fetched through the browser but no Chromium was found.
    #[error("{who} needs a browser, but {problem}: {how}", how = browser::HOW_TO_INSTALL)]
    NoBrowser {
        /// Which center (or setting) needs it.
        who: String,
        /// Where it was looked for.
        problem: String,
    },
}

/// Fetches pages concurrently across hosts, politely within one.
///
/// Cheap to clone; clones share the HTTP client and its connection pool.
#[derive(Debug, Clone)]
pub struct Fetcher {
    shared: Arc<Shared>,
}

#[derive(Debug, Clone)]
struct Shared {
    settings: FetchSettings,
    /// Centers whose fetch mode differs from `[fetch] browser`'s.
    modes: HashMap<String, FetchMode>,
    /// The Chromium binary, when some center may need it.
    chromium: Option<PathBuf>,
    /// The client and address policy of centers without an allow list.
    default: Reach,
    /// Centers with `allow_private_hosts`: their own client and policy.
    by_center: HashMap<String, Reach>,
    /// The robots.txt product token (`cartwatch`).
    agent: String,
}

/// Where a center's fetches may go, and the HTTP client (whose DNS resolver
/// enforces it) they go through.
#[derive(Debug, Clone)]
struct Reach {
    client: reqwest::Client,
    policy: AddressPolicy,
}

impl Shared {
    fn reach(&self, center: &str) -> &Reach {
        self.by_center.get(center).unwrap_or(&self.default)
    }

    fn mode(&self, center: &str) -> FetchMode {
        self.modes
            .get(center)
            .copied()
            .unwrap_or_else(|| self.settings.browser.mode())
    }
}

/// The state of one `fetch_all` call: hosts, robots cache, progress.
#[derive(Debug)]
struct Run {
    shared: Arc<Shared>,
    scheduler: Scheduler,
    progress: Progress,
    /// Chromium, started for the first page that needs it.
    browser: tokio::sync::OnceCell<Result<Arc<BrowserSession>, String>>,
}

/// A response to one request, its body read within the applicable cap.
#[derive(Debug)]
struct Hop {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
    /// The body went past `max_body_bytes` and was abandoned.
    too_large: bool,
}

impl Hop {
    fn header(&self, name: header::HeaderName) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }
}

/// What makes two requests the same fetch: URL, validators and fetch mode
/// (not the center).
type RequestIdentity<'a> = (
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    FetchMode,
);

/// How a response body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyUse {
    /// A page: a 2xx body past `max_body_bytes` aborts the download.
    Page,
    /// robots.txt: a 2xx body is cut at [`ROBOTS_MAX_BYTES`].
    Robots,
}

impl Fetcher {
    /// A fetcher with these politeness and bound settings.
    ///
    /// Private and local addresses are refused unless
    /// `settings.allow_private`; see [`Fetcher::with_private_hosts`] for
    /// per-center exceptions.
    pub fn new(settings: &FetchSettings) -> Result<Fetcher, FetchError> {
        Fetcher::with_private_hosts(settings, &HashMap::new())
    }

    /// A fetcher where each center listed may also reach the given hosts on
    /// private or local addresses (the config's `allow_private_hosts`).
    pub fn with_private_hosts(
        settings: &FetchSettings,
        private_hosts: &HashMap<String, Vec<String>>,
    ) -> Result<Fetcher, FetchError> {
        validate(settings)?;
        let reach = |hosts: &[String]| -> Result<Reach, FetchError> {
            let policy = AddressPolicy::new(settings.allow_private, hosts);
            let client = reqwest::Client::builder()
                .user_agent(settings.user_agent_header())
                .redirect(reqwest::redirect::Policy::none())
                .dns_resolver(Arc::new(policy.resolver()))
                .connect_timeout(Duration::from_secs(settings.connect_timeout_secs))
                .pool_idle_timeout(Duration::from_secs(30))
                .build()
                .map_err(|e| FetchError::Client(e.to_string()))?;
            Ok(Reach { client, policy })
        };
        let mut by_center = HashMap::new();
        for (center, hosts) in private_hosts {
            if !hosts.is_empty() && !settings.allow_private {
                by_center.insert(center.clone(), reach(hosts)?);
            }
        }
        let chromium = match settings.browser {
            BrowserUse::Off => None,
            used => Some(
                browser::find_chromium(settings.chromium.as_deref()).map_err(|problem| {
                    FetchError::NoBrowser {
                        who: format!(
                            "[fetch] browser = {:?}",
                            if used == BrowserUse::Auto {
                                "auto"
                            } else {
                                "always"
                            }
                        ),
                        problem,
                    }
                })?,
            ),
        };
        Ok(Fetcher {
            shared: Arc::new(Shared {
                settings: settings.clone(),
                modes: HashMap::new(),
                chromium,
                default: reach(&[])?,
                by_center,
                agent: product_token(&settings.user_agent),
            }),
        })
    }

    /// This fetcher with each listed center's own fetch mode (a center's
    /// `fetch = "browser"` or `"auto"`); other centers follow
    /// `[fetch] browser`. A center that may use the browser when no Chromium
    /// is found is an error naming the center and how to install one.
    pub fn with_fetch_modes(
        self,
        modes: HashMap<String, FetchMode>,
    ) -> Result<Fetcher, FetchError> {
        let mut shared = Shared::clone(&self.shared);
        let mut needing: Vec<(&String, &FetchMode)> = modes
            .iter()
            .filter(|(_, mode)| **mode != FetchMode::Http)
            .collect();
        needing.sort_by_key(|(center, _)| *center);
        if let (Some((center, mode)), None) = (needing.first(), &shared.chromium) {
            let problem = browser::find_chromium(shared.settings.chromium.as_deref());
            match problem {
                Ok(path) => shared.chromium = Some(path),
                Err(problem) => {
                    return Err(FetchError::NoBrowser {
                        who: format!("center {center:?} (fetch = {:?})", mode.as_str()),
                        problem,
                    })
                }
            }
        }
        shared.modes = modes;
        Ok(Fetcher {
            shared: Arc::new(shared),
        })
    }

    /// The settings this fetcher applies.
    pub fn settings(&self) -> &FetchSettings {
        &self.shared.settings
    }

    /// Fetches every request; returns one capture per request, in request
    /// order. robots.txt is fetched once per host per call.
    pub async fn fetch_all(&self, requests: Vec<FetchRequest>) -> Vec<Capture> {
        let mut captures: Vec<Option<Capture>> = vec![None; requests.len()];
        self.fetch_each(requests, |index, capture| {
            if let Some(slot) = captures.get_mut(index) {
                *slot = Some(capture);
            }
        })
        .await;
        captures.into_iter().flatten().collect()
    }

    /// Fetches every request and hands each capture to `on_capture` with its
    /// request's index as soon as it is fetched (in completion order), so a
    /// caller can store pages as they arrive instead of holding every body
    /// until the last one. Every index is delivered exactly once.
    /// robots.txt is fetched once per host per call.
    pub async fn fetch_each(
        &self,
        requests: Vec<FetchRequest>,
        mut on_capture: impl FnMut(usize, Capture),
    ) {
        let settings = &self.shared.settings;
        // Group by the host of the configured URL, keeping request order. A
        // request identical to an earlier one but for the center (two centers
        // watching one page) is fetched once and its capture shared.
        let mut groups: Vec<(String, Vec<(usize, FetchRequest)>)> = Vec::new();
        let mut first_of: HashMap<RequestIdentity<'_>, usize> = HashMap::new();
        let mut duplicates: Vec<(usize, usize)> = Vec::new();
        for (index, request) in requests.iter().enumerate() {
            let identity = (
                request.url.as_str(),
                request.etag.as_deref(),
                request.last_modified.as_deref(),
                request.content_type.as_deref(),
                self.shared.mode(&request.center),
            );
            if let Some(&first) = first_of.get(&identity) {
                duplicates.push((index, first));
                continue;
            }
            first_of.insert(identity, index);
            let key = Url::parse(&request.url)
                .map(|u| crate::politeness::host_key(&u))
                .unwrap_or_else(|_| String::from("invalid"));
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, pages)) => pages.push((index, request.clone())),
                None => groups.push((key, vec![(index, request.clone())])),
            }
        }

        let run = Arc::new(Run {
            shared: self.shared.clone(),
            scheduler: Scheduler::new(
                Duration::from_millis(settings.min_delay_ms),
                settings.max_in_flight_per_host,
                settings.max_in_flight,
            ),
            progress: Progress::new(requests.len() - duplicates.len()),
            browser: tokio::sync::OnceCell::new(),
        });

        let per_host = settings.max_in_flight_per_host.max(1);
        // Bounded: when the caller stores pages more slowly than they arrive,
        // fetching waits rather than holding their bodies.
        let (sender, mut receiver) = tokio::sync::mpsc::channel::<(usize, Capture)>(1);
        let mut tasks = tokio::task::JoinSet::new();
        for (_, pages) in groups {
            let run = run.clone();
            let sender = sender.clone();
            tasks.spawn(async move {
                futures::stream::iter(pages)
                    .map(|(index, request)| {
                        let run = run.clone();
                        async move { (index, run.fetch_page(&request).await) }
                    })
                    .buffer_unordered(per_host)
                    .for_each(|done| {
                        let sender = sender.clone();
                        async move {
                            let _ = sender.send(done).await;
                        }
                    })
                    .await
            });
        }
        drop(sender);

        let mut delivered = vec![false; requests.len()];
        let mut deliver = |delivered: &mut Vec<bool>, index: usize, capture: Capture| {
            for &(duplicate, _) in duplicates.iter().filter(|(_, first)| *first == index) {
                let mut copy = capture.clone();
                copy.center = requests[duplicate].center.clone();
                delivered[duplicate] = true;
                on_capture(duplicate, copy);
            }
            delivered[index] = true;
            on_capture(index, capture);
        };
        // Closed once every task has ended (a panicked task drops its sender).
        while let Some((index, capture)) = receiver.recv().await {
            deliver(&mut delivered, index, capture);
        }
        while let Some(joined) = tasks.join_next().await {
            if let Err(error) = joined {
                tracing::error!(%error, "a fetch task failed");
            }
        }
        run.progress.finish();
        if let Some(Ok(session)) = run.browser.get() {
            session.shutdown().await;
        }
        let missing: Vec<usize> = (0..requests.len())
            .filter(|i| !delivered[*i] && !duplicates.iter().any(|(d, _)| d == i))
            .collect();
        for index in missing {
            let mut capture = blank_capture(&requests[index]);
            capture.outcome = FetchOutcome::Connect;
            capture.error = Some(
                "internal error: the fetch task for this page stopped; please report it".into(),
            );
            capture.fetched_at = crate::now_rfc3339();
            deliver(&mut delivered, index, capture);
        }
    }
}

/// Rejects settings that cannot work, naming the key.
fn validate(settings: &FetchSettings) -> Result<(), FetchError> {
    let positive = [
        ("max_in_flight", settings.max_in_flight as u64),
        (
            "max_in_flight_per_host",
            settings.max_in_flight_per_host as u64,
        ),
        ("timeout_secs", settings.timeout_secs),
        ("connect_timeout_secs", settings.connect_timeout_secs),
    ];
    for (key, value) in positive {
        if value == 0 {
            return Err(FetchError::Settings(format!(
                "{key} = 0; it must be at least 1"
            )));
        }
    }
    if settings.user_agent.trim().is_empty() {
        return Err(FetchError::Settings(
            "user_agent is empty; name the tool, e.g. \"cartwatch/0.1\"".into(),
        ));
    }
    if HeaderValue::from_str(&settings.user_agent_header()).is_err() {
        return Err(FetchError::Settings(format!(
            "user_agent {:?} with contact_url {:?} is not a valid header value (use printable ASCII)",
            settings.user_agent, settings.contact_url
        )));
    }
    Ok(())
}

fn blank_capture(request: &FetchRequest) -> Capture {
    Capture {
        center: request.center.clone(),
        url: request.url.clone(),
        final_url: None,
        redirects: Vec::new(),
        status: None,
        content_type: None,
        etag: None,
        last_modified: None,
        fetched_at: String::new(),
        outcome: FetchOutcome::Ok,
        error: None,
        attempts: 0,
        body: None,
        rendered_by: Default::default(),
    }
}

fn fail(capture: &mut Capture, outcome: FetchOutcome, error: String) {
    capture.outcome = outcome;
    capture.error = Some(error);
}

impl Run {
    fn settings(&self) -> &FetchSettings {
        &self.shared.settings
    }

    /// Fetches one page to its classified capture, and reports it.
    async fn fetch_page(&self, request: &FetchRequest) -> Capture {
        let started = Instant::now();
        let mut capture = blank_capture(request);
        self.fill(&mut capture, request).await;
        capture.fetched_at = crate::now_rfc3339();
        let elapsed_ms = started.elapsed().as_millis() as u64;
        if capture.outcome.has_content() {
            tracing::info!(
                center = %capture.center,
                url = %capture.url,
                outcome = %capture.outcome,
                status = capture.status,
                attempts = capture.attempts,
                bytes = capture.body.as_ref().map(|b| b.len()),
                elapsed_ms,
                "page fetched"
            );
        } else {
            tracing::info!(
                center = %capture.center,
                url = %capture.url,
                outcome = %capture.outcome,
                status = capture.status,
                attempts = capture.attempts,
                error = capture.error.as_deref().unwrap_or(""),
                elapsed_ms,
                "page failed"
            );
        }
        self.progress.page_done(&capture);
        capture
    }

    /// Fetches the page the way its center's fetch mode says.
    async fn fill(&self, capture: &mut Capture, request: &FetchRequest) {
        match self.shared.mode(&request.center) {
            FetchMode::Http => self.fill_http(capture, request).await,
            FetchMode::Browser => self.fill_browser(capture, request).await,
            FetchMode::Auto => {
                self.fill_http(capture, request).await;
                let reason = match (&capture.outcome, &capture.body) {
                    (FetchOutcome::BotChallenge { status }, _) => Some(format!(
                        "{} is a bot challenge",
                        classify::status_sentence(*status)
                    )),
                    (FetchOutcome::Ok, Some(body)) => {
                        classify::browser_reason(capture.status.unwrap_or(200), None, body)
                    }
                    _ => None,
                };
                if let Some(reason) = reason {
                    tracing::info!(center = %request.center, url = %request.url, %reason, "loading the page in the browser");
                    let http_attempts = capture.attempts;
                    *capture = blank_capture(request);
                    self.fill_browser(capture, request).await;
                    capture.attempts += http_attempts;
                }
            }
        }
    }

    /// Loads the page in headless Chromium, after the same address check
    /// and robots.txt verdict as HTTP, holding one request slot of its host.
    async fn fill_browser(&self, capture: &mut Capture, request: &FetchRequest) {
        capture.rendered_by = cartwatch_model::RenderedBy::Browser;
        let Some(url) = page_url(capture, request) else {
            return;
        };
        let reach = self.shared.reach(&request.center);
        if let Err(reason) = reach.policy.check_url(&url) {
            return fail(capture, FetchOutcome::BlockedPrivateAddress, reason);
        }
        let host = self.scheduler.host(&url);
        if let Verdict::Refused(outcome, reason) = self.robots_verdict(reach, &host, &url).await {
            return fail(capture, outcome, reason);
        }
        let session = self
            .browser
            .get_or_init(|| async {
                let chromium = self.shared.chromium.clone().ok_or_else(|| {
                    format!("no Chromium configured: {}", browser::HOW_TO_INSTALL)
                })?;
                BrowserSession::launch(&chromium, self.settings())
                    .await
                    .map(Arc::new)
            })
            .await
            .clone();
        let session = match session {
            Ok(session) => session,
            Err(error) => {
                return fail(
                    capture,
                    FetchOutcome::Connect,
                    format!("center {:?}: {error}", request.center),
                )
            }
        };
        session
            .load(
                capture,
                &url,
                &reach.policy,
                self.settings(),
                self.scheduler.slot(&host),
            )
            .await;
    }

    /// Follows the page through robots.txt, retries and redirects to its
    /// final response, and classifies that.
    async fn fill_http(&self, capture: &mut Capture, request: &FetchRequest) {
        let Some(start) = page_url(capture, request) else {
            return;
        };
        let reach = self.shared.reach(&request.center);
        let mut current = start.clone();
        let mut seen: HashSet<String> = HashSet::from([without_fragment(&current)]);
        loop {
            // Every hop, the first included, is checked before anything is
            // sent to its host (robots.txt included); names are checked again
            // by the resolver when connecting.
            if let Err(reason) = reach.policy.check_url(&current) {
                return fail(capture, FetchOutcome::BlockedPrivateAddress, reason);
            }
            let host = self.scheduler.host(&current);
            if let Verdict::Refused(outcome, reason) =
                self.robots_verdict(reach, &host, &current).await
            {
                return fail(capture, outcome, reason);
            }
            let hop = match self
                .request(
                    reach,
                    &host,
                    &current,
                    request.etag.as_deref(),
                    request.last_modified.as_deref(),
                    BodyUse::Page,
                    &mut capture.attempts,
                )
                .await
            {
                Ok(hop) => hop,
                Err(failure) => return fail(capture, failure.outcome, failure.message),
            };
            capture.status = Some(hop.status);
            if !classify::is_redirect_status(hop.status) {
                return self.classify_final(capture, request, hop);
            }

            // A redirect: record the hop, refuse loops, long chains and
            // non-http schemes.
            let Some(location) = hop.header(header::LOCATION) else {
                return fail(
                    capture,
                    FetchOutcome::HttpError { status: hop.status },
                    format!(
                        "{} redirect from {current} without a Location header",
                        classify::status_sentence(hop.status)
                    ),
                );
            };
            let mut next = match current.join(&location) {
                Ok(next) => next,
                Err(error) => {
                    return fail(
                        capture,
                        FetchOutcome::HttpError { status: hop.status },
                        format!(
                            "redirect from {current} to an invalid Location {location:?} ({error})"
                        ),
                    )
                }
            };
            next.set_fragment(None);
            if !matches!(next.scheme(), "http" | "https") {
                return fail(
                    capture,
                    FetchOutcome::HttpError { status: hop.status },
                    format!("redirect from {current} to {next}: only http and https redirects are followed"),
                );
            }
            capture.redirects.push(next.to_string());
            capture.final_url = Some(next.to_string());
            if !seen.insert(without_fragment(&next)) {
                let chain = std::iter::once(start.as_str())
                    .chain(capture.redirects.iter().map(String::as_str))
                    .collect::<Vec<_>>()
                    .join(" -> ");
                return fail(
                    capture,
                    FetchOutcome::RedirectLoop,
                    format!("redirect loop: {chain}"),
                );
            }
            if capture.redirects.len() > self.settings().max_redirects {
                return fail(
                    capture,
                    FetchOutcome::RedirectLoop,
                    format!(
                        "more than {} redirects (max_redirects) starting at {start}; stopped at {next}",
                        self.settings().max_redirects
                    ),
                );
            }
            current = next;
        }
    }

    /// Classifies the final (non-redirect) response of a page.
    fn classify_final(&self, capture: &mut Capture, request: &FetchRequest, hop: Hop) {
        let status = hop.status;
        capture.content_type = hop.header(header::CONTENT_TYPE);
        if status == 304 {
            if request.etag.is_some() || request.last_modified.is_some() {
                capture.outcome = FetchOutcome::NotModified;
                if capture.content_type.is_none() {
                    capture.content_type = request.content_type.clone();
                }
                capture.etag = hop.header(header::ETAG).or_else(|| request.etag.clone());
                capture.last_modified = hop
                    .header(header::LAST_MODIFIED)
                    .or_else(|| request.last_modified.clone());
            } else {
                fail(
                    capture,
                    FetchOutcome::HttpError { status },
                    "HTTP 304 Not Modified to a request that sent no validators".into(),
                );
            }
            return;
        }
        if (200..300).contains(&status) {
            capture.etag = hop.header(header::ETAG);
            capture.last_modified = hop.header(header::LAST_MODIFIED);
            if hop.too_large {
                return fail(
                    capture,
                    FetchOutcome::TooLarge,
                    format!(
                        "the body is larger than {} bytes (max_body_bytes); download aborted",
                        self.settings().max_body_bytes
                    ),
                );
            }
            if let Some(reason) =
                classify::not_html_reason(capture.content_type.as_deref(), &hop.body)
            {
                capture.outcome = FetchOutcome::NotHtml;
                capture.error = Some(reason);
            } else {
                capture.outcome = FetchOutcome::Ok;
            }
            capture.body = Some(hop.body);
            return;
        }
        let challenge = classify::is_bot_challenge(
            status,
            hop.header(header::HeaderName::from_static("cf-mitigated"))
                .as_deref(),
            &hop.body,
        );
        if challenge {
            fail(
                capture,
                FetchOutcome::BotChallenge { status },
                format!(
                    "{} with a bot-challenge page (Cloudflare or similar): the site blocks automated fetches; ask its owner to allow {:?}",
                    classify::status_sentence(status),
                    self.shared.agent
                ),
            );
        } else {
            let mut sentence = classify::status_sentence(status);
            if capture.attempts > 1 {
                sentence.push_str(&format!(" after {} attempts", capture.attempts));
            }
            fail(capture, FetchOutcome::HttpError { status }, sentence);
        }
    }

    /// What robots.txt says about `url` (loading it once per host).
    async fn robots_verdict(&self, reach: &Reach, host: &Arc<Host>, url: &Url) -> Verdict {
        if !self.settings().respect_robots {
            return Verdict::Allowed;
        }
        let rules = host
            .robots
            .get_or_init(|| self.load_robots(reach, host, url))
            .await;
        rules.verdict(url.as_str(), &self.shared.agent)
    }

    /// Fetches and interprets a host's robots.txt, and applies its Crawl-delay.
    async fn load_robots(&self, reach: &Reach, host: &Arc<Host>, page: &Url) -> RobotsRules {
        let Ok(mut url) = page.join("/robots.txt") else {
            return RobotsRules::AllowAll {
                reason: format!("no robots.txt URL for {page}"),
            };
        };
        let first = url.clone();
        let mut attempts = 0;
        let mut hops = 0;
        let rules = loop {
            if let Err(reason) = reach.policy.check_url(&url) {
                break RobotsRules::Unreachable {
                    outcome: FetchOutcome::BlockedPrivateAddress,
                    reason: format!("{first} led to {reason}; the page was not requested"),
                };
            }
            let target = self.scheduler.host(&url);
            let result = self
                .request(
                    reach,
                    &target,
                    &url,
                    None,
                    None,
                    BodyUse::Robots,
                    &mut attempts,
                )
                .await;
            let hop = match result {
                Ok(hop) => hop,
                Err(failure) => {
                    break RobotsRules::Unreachable {
                        outcome: failure.outcome,
                        reason: format!(
                            "{first} could not be fetched ({}); the page was not requested",
                            failure.message
                        ),
                    }
                }
            };
            let status = hop.status;
            if classify::is_redirect_status(status) && hops < ROBOTS_MAX_REDIRECTS {
                let next = hop
                    .header(header::LOCATION)
                    .and_then(|l| url.join(&l).ok())
                    .filter(|u| matches!(u.scheme(), "http" | "https"));
                if let Some(next) = next {
                    hops += 1;
                    url = next;
                    continue;
                }
            }
            break match status {
                200..=299 => RobotsRules::parse(url.as_str(), &self.shared.agent, &hop.body),
                429 | 500..=599 => RobotsRules::DisallowAll {
                    reason: format!(
                        "{first} answered {}; by the robots.txt convention the site is treated as disallowing all pages until it loads; not requested",
                        classify::status_sentence(status)
                    ),
                },
                _ => RobotsRules::AllowAll {
                    reason: format!("{first} answered {}", classify::status_sentence(status)),
                },
            };
        };
        if let Some(delay) = rules.crawl_delay() {
            let cap = Duration::from_secs(self.settings().max_crawl_delay_secs);
            if delay > cap {
                tracing::warn!(host = %host.key, crawl_delay = ?delay, cap = ?cap, "robots.txt Crawl-delay capped by max_crawl_delay_secs");
            }
            host.raise_delay(delay.min(cap)).await;
        }
        let delay_ms = host.delay().await.as_millis() as u64;
        match &rules {
            RobotsRules::AllowAll { reason } => {
                tracing::debug!(host = %host.key, reason = %reason, "robots.txt: no rules")
            }
            RobotsRules::Rules { url, .. } => {
                tracing::debug!(host = %host.key, robots = %url, delay_ms, "robots.txt loaded")
            }
            RobotsRules::DisallowAll { reason } | RobotsRules::Unreachable { reason, .. } => {
                tracing::info!(host = %host.key, reason = %reason, "robots.txt: pages not requested")
            }
        }
        rules
    }

    /// Sends one request to `url`, retrying timeouts, connection errors, 429
    /// and 5xx with exponential backoff and jitter (or the server's
    /// Retry-After, capped). Counts every request sent in `attempts`.
    #[allow(clippy::too_many_arguments)]
    async fn request(
        &self,
        reach: &Reach,
        host: &Host,
        url: &Url,
        etag: Option<&str>,
        last_modified: Option<&str>,
        body_use: BodyUse,
        attempts: &mut u32,
    ) -> Result<Hop, Failure> {
        let settings = self.settings();
        let cap = Duration::from_secs(settings.max_retry_after_secs);
        let mut retry = 0;
        loop {
            let slot = self.scheduler.slot(host).await;
            *attempts += 1;
            let result = self
                .send_once(reach, url, etag, last_modified, body_use)
                .await;
            drop(slot);
            let may_retry = retry < settings.retries;
            let wait = match &result {
                Ok(hop) if classify::is_retryable_status(hop.status) => {
                    let retry_after = hop
                        .header(header::RETRY_AFTER)
                        .and_then(|v| classify::parse_retry_after(&v, SystemTime::now()))
                        .map(|wait| wait.min(cap));
                    if let Some(wait) = retry_after {
                        // The server asked the whole host to slow down.
                        host.defer_until(Instant::now() + wait).await;
                    }
                    let challenge = classify::is_bot_challenge(
                        hop.status,
                        hop.header(header::HeaderName::from_static("cf-mitigated"))
                            .as_deref(),
                        &hop.body,
                    );
                    if !may_retry || challenge {
                        return result;
                    }
                    // With Retry-After the host's deferral does the waiting.
                    tracing::debug!(url = %url, status = hop.status, retry_after = ?retry_after, "retrying");
                    retry_after.map_or_else(|| self.backoff(retry), |_| Duration::ZERO)
                }
                Err(failure) if failure.is_retryable() && may_retry => {
                    tracing::debug!(url = %url, error = %failure.message, "retrying");
                    self.backoff(retry)
                }
                _ => return result,
            };
            tokio::time::sleep(wait).await;
            retry += 1;
        }
    }

    fn backoff(&self, retry: u32) -> Duration {
        let settings = self.settings();
        classify::backoff(
            Duration::from_millis(settings.backoff_ms),
            retry,
            Duration::from_secs(settings.max_retry_after_secs.max(1)),
            rand::random::<f64>(),
        )
    }

    /// One request and its body, within the total timeout.
    async fn send_once(
        &self,
        reach: &Reach,
        url: &Url,
        etag: Option<&str>,
        last_modified: Option<&str>,
        body_use: BodyUse,
    ) -> Result<Hop, Failure> {
        let settings = self.settings();
        let mut builder = reach.client.get(url.clone());
        if body_use == BodyUse::Page {
            builder = builder.header(header::ACCEPT, ACCEPT_HTML);
        }
        for (name, value) in [
            (header::IF_NONE_MATCH, etag),
            (header::IF_MODIFIED_SINCE, last_modified),
        ] {
            if let Some(value) = value {
                match HeaderValue::from_str(value) {
                    Ok(value) => builder = builder.header(name, value),
                    Err(_) => {
                        tracing::warn!(url = %url, header = %name, value, "stored validator is not a valid header value; not sent")
                    }
                }
            }
        }
        let total = Duration::from_secs(settings.timeout_secs);
        match tokio::time::timeout(total, self.exchange(builder, body_use)).await {
            Ok(result) => result,
            Err(_) => Err(Failure {
                outcome: FetchOutcome::Timeout,
                message: format!(
                    "no complete response from {url} within {}s (timeout_secs)",
                    settings.timeout_secs
                ),
            }),
        }
    }

    /// Sends the request and reads the body: a 2xx body within the cap for
    /// its use, an error page's first [`ERROR_BODY_MAX_BYTES`], nothing for
    /// redirects and 304.
    async fn exchange(
        &self,
        builder: reqwest::RequestBuilder,
        body_use: BodyUse,
    ) -> Result<Hop, Failure> {
        let transport = |e: reqwest::Error| classify::classify_transport_error(&e);
        let connect_timeout = self.settings().connect_timeout_secs;
        let mut response = builder.send().await.map_err(|e| {
            let mut failure = transport(e);
            if failure.outcome == FetchOutcome::Timeout {
                failure.message = format!(
                    "no connection within {connect_timeout}s (connect_timeout_secs): {}",
                    failure.message
                );
            }
            failure
        })?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let success = (200..300).contains(&status);
        let (limit, abort) = match body_use {
            _ if status == 304 || classify::is_redirect_status(status) => (0, false),
            BodyUse::Page if success => (self.settings().max_body_bytes, true),
            BodyUse::Robots if success => (ROBOTS_MAX_BYTES, false),
            _ => (ERROR_BODY_MAX_BYTES, false),
        };
        let mut hop = Hop {
            status,
            headers,
            body: Vec::new(),
            too_large: false,
        };
        if limit == 0 && !abort {
            return Ok(hop);
        }
        if abort && response.content_length().is_some_and(|len| len > limit) {
            hop.too_large = true;
            return Ok(hop);
        }
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            let room = limit.saturating_sub(hop.body.len() as u64) as usize;
            if chunk.len() > room {
                if abort {
                    hop.too_large = true;
                    hop.body = Vec::new();
                } else {
                    hop.body.extend_from_slice(&chunk[..room]);
                }
                break;
            }
            hop.body.extend_from_slice(&chunk);
        }
        Ok(hop)
    }
}

/// The request's URL when it is an http(s) URL with a host; otherwise the
/// capture fails, saying to fix the config.
fn page_url(capture: &mut Capture, request: &FetchRequest) -> Option<Url> {
    match Url::parse(&request.url) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => Some(url),
        Ok(url) => {
            fail(
                capture,
                FetchOutcome::Connect,
                format!("{url} is not an http or https URL with a host; fix it in the config"),
            );
            None
        }
        Err(error) => {
            fail(
                capture,
                FetchOutcome::Connect,
                format!(
                    "{:?} is not a valid URL ({error}); fix it in the config",
                    request.url
                ),
            );
            None
        }
    }
}

/// A URL without its fragment, for loop detection.
fn without_fragment(url: &Url) -> String {
    let mut url = url.clone();
    url.set_fragment(None);
    url.to_string()
}
