//! Pages that need a browser: headless Chromium through the DevTools
//! protocol (chromiumoxide).
//!
//! One Chromium per `fetch_all` run, started on the first page that needs it,
//! with a fresh temporary profile (deleted afterwards), `--headless`, and
//! `--no-sandbox` only when running as root. Each page gets its own tab:
//!
//! - every request the tab makes (the page, its redirects, reloads, scripts,
//!   XHR, frames) is paused by `Fetch.requestPaused` and checked against the
//!   center's [`AddressPolicy`] before it is sent: an IP literal as for HTTP,
//!   a host name by resolving it first (any private or local address
//!   refuses it, unless allowed). Non-http(s) schemes other than `data:`
//!   and `blob:` are refused, images, media and fonts are not loaded (the
//!   DOM does not need them), and at most [`MAX_REQUESTS`] are let through;
//! - the load is bounded by `timeout_secs`, then waits for the network to go
//!   quiet ([`QUIET`] without a request in flight), at most [`QUIET_MAX`]; a
//!   page that still shows a bot challenge is waited on within that bound;
//! - the DOM (`<!DOCTYPE html>` + `outerHTML`) is measured in the page and
//!   only transferred within `max_body_bytes`.
//!
//! Politeness and robots.txt are the caller's ([`crate::http`]): a load
//! holds one request slot of its host, like an HTTP request.

use crate::address::AddressPolicy;
use crate::classify;
use cartwatch_model::{Capture, FetchOutcome, FetchSettings, RenderedBy};
use chromiumoxide::browser::{Browser, BrowserConfig};
use chromiumoxide::cdp::browser_protocol::fetch::{
    ContinueRequestParams, EnableParams, EventRequestPaused, FailRequestParams, RequestPattern,
    RequestStage,
};
use chromiumoxide::cdp::browser_protocol::network::{
    ErrorReason, EventLoadingFailed, EventLoadingFinished, EventRequestWillBeSent,
    EventResponseReceived, ResourceType,
};
use chromiumoxide::cdp::browser_protocol::page::FrameId;
use chromiumoxide::Page;
use futures::StreamExt;
use std::collections::HashSet;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;
use url::Url;

/// How long the network must stay idle for the page to count as loaded.
pub const QUIET: Duration = Duration::from_millis(500);
/// The longest wait for the network to go quiet after the load event (within
/// `timeout_secs`); a page that never goes quiet is read as it is then.
pub const QUIET_MAX: Duration = Duration::from_secs(10);
/// Requests one page load may make (the page, redirects, scripts, XHR...).
pub const MAX_REQUESTS: usize = 500;
/// How long Chromium may take to start.
const LAUNCH_TIMEOUT: Duration = Duration::from_secs(30);
/// How long opening or closing a tab may take.
const TAB_TIMEOUT: Duration = Duration::from_secs(10);
/// Binaries looked for on PATH when `[fetch] chromium` is not set.
const CHROMIUM_NAMES: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];
/// How to get a browser, for error messages.
pub const HOW_TO_INSTALL: &str = "install it with `.ci/install-chromium --install` or `apt-get install chromium`, or set [fetch] chromium = \"/path/to/chromium\"";

/// The Chromium binary: `[fetch] chromium` when set (it must exist), else the
/// first of `chromium`, `chromium-browser`, `google-chrome`,
/// `google-chrome-stable` on PATH. The error says where it looked.
pub fn find_chromium(configured: Option<&str>) -> Result<PathBuf, String> {
    if let Some(path) = configured {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!(
                "[fetch] chromium = {:?} does not exist",
                path.display().to_string()
            ))
        };
    }
    let dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect())
        .unwrap_or_default();
    CHROMIUM_NAMES
        .iter()
        .flat_map(|name| dirs.iter().map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| {
            format!(
                "no Chromium on PATH (looked for {})",
                CHROMIUM_NAMES.join(", ")
            )
        })
}

/// A running headless Chromium with its own temporary profile. Killed by
/// [`BrowserSession::shutdown`], or on drop.
pub struct BrowserSession {
    browser: tokio::sync::Mutex<Browser>,
    handler: tokio::task::JoinHandle<()>,
    /// Deleted when the session is dropped (after the browser is gone).
    _profile: tempfile::TempDir,
}

impl std::fmt::Debug for BrowserSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrowserSession").finish_non_exhaustive()
    }
}

impl Drop for BrowserSession {
    fn drop(&mut self) {
        // The child was spawned with kill-on-drop; the handler task would
        // otherwise keep the connection open.
        self.handler.abort();
    }
}

/// True when this process runs as root (Chromium's sandbox refuses root).
fn running_as_root() -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
    }
    #[cfg(not(unix))]
    {
        false
    }
}

impl BrowserSession {
    /// Starts `chromium` headless with a fresh profile, sending `settings`'
    /// User-Agent. The error names the binary and what went wrong.
    pub async fn launch(chromium: &Path, settings: &FetchSettings) -> Result<Self, String> {
        let profile = tempfile::Builder::new()
            .prefix("cartwatch-chromium-")
            .tempdir()
            .map_err(|e| format!("cannot create a temporary Chromium profile: {e}"))?;
        let user_agent = settings.user_agent_header();
        let mut config = BrowserConfig::builder()
            .chrome_executable(chromium)
            .user_data_dir(profile.path())
            .launch_timeout(LAUNCH_TIMEOUT)
            .request_timeout(Duration::from_secs(settings.timeout_secs + 5))
            .disable_https_first()
            .disable_cache()
            .respect_https_errors()
            // Keys without their dashes: chromiumoxide adds them (and joins
            // the values of a repeated key with commas).
            .args([
                "disable-gpu",
                "disable-extensions",
                "disable-component-update",
                "disable-domain-reliability",
                "no-default-browser-check",
                "no-pings",
            ])
            // Cross-site frames stay in the page's process, so the page's
            // request interception sees their requests too.
            .arg("disable-site-isolation-trials")
            .arg(("disable-features", "IsolateOrigins,site-per-process"))
            .arg(("user-agent", user_agent.as_str()));
        if running_as_root() {
            config = config.no_sandbox();
        }
        let config = config
            .build()
            .map_err(|e| format!("cannot configure {}: {e}", chromium.display()))?;
        let (browser, mut handler) = Browser::launch(config)
            .await
            .map_err(|e| format!("cannot start {}: {e}", chromium.display()))?;
        let handler = tokio::spawn(async move {
            while let Some(event) = handler.next().await {
                if let Err(error) = event {
                    tracing::debug!(%error, "chromium connection");
                }
            }
        });
        Ok(BrowserSession {
            browser: tokio::sync::Mutex::new(browser),
            handler,
            _profile: profile,
        })
    }

    /// Closes Chromium and waits for it to exit.
    pub async fn shutdown(&self) {
        let mut browser = self.browser.lock().await;
        let closed = tokio::time::timeout(TAB_TIMEOUT, browser.close()).await;
        if !matches!(closed, Ok(Ok(_))) {
            let _ = browser.kill().await;
        }
        let _ = tokio::time::timeout(TAB_TIMEOUT, browser.wait()).await;
        self.handler.abort();
    }

    /// Loads `url` in a new tab and fills `capture` (outcome, status, final
    /// URL, redirects, DOM body, attempts); the tab is closed afterwards.
    /// `slot` (the host's request slot) is awaited just before navigating
    /// and held until the page is read, so the spacing between page loads
    /// is the spacing between their requests.
    pub async fn load<S>(
        &self,
        capture: &mut Capture,
        url: &Url,
        policy: &AddressPolicy,
        settings: &FetchSettings,
        slot: impl std::future::Future<Output = S>,
    ) {
        capture.rendered_by = RenderedBy::Browser;
        let page = {
            let browser = self.browser.lock().await;
            tokio::time::timeout(TAB_TIMEOUT, browser.new_page("about:blank")).await
        };
        let page = match page {
            Ok(Ok(page)) => page,
            Ok(Err(error)) => {
                return fail(
                    capture,
                    FetchOutcome::Connect,
                    format!("Chromium could not open a tab for {url}: {error}"),
                )
            }
            Err(_) => {
                return fail(
                    capture,
                    FetchOutcome::Timeout,
                    format!("Chromium did not open a tab for {url} within {TAB_TIMEOUT:?}"),
                )
            }
        };
        let result = Load::new(page.clone(), policy.clone(), settings)
            .run(capture, url, slot)
            .await;
        if let Err(error) = result {
            fail(capture, FetchOutcome::Connect, error);
        }
        let _ = tokio::time::timeout(TAB_TIMEOUT, page.close()).await;
    }
}

fn fail(capture: &mut Capture, outcome: FetchOutcome, error: String) {
    capture.outcome = outcome;
    capture.error = Some(error);
    capture.body = None;
}

/// What the tab's events told about the load so far.
#[derive(Debug, Default)]
struct LoadState {
    /// Network requests started and not yet finished or failed.
    in_flight: HashSet<String>,
    /// When a request last started or ended.
    last_activity: Option<Instant>,
    /// The first refusal of a main-frame document request (the page or a
    /// redirect hop), with its outcome.
    refused: Option<(FetchOutcome, String)>,
    /// Requests let through.
    continued: usize,
    /// Main-frame document requests let through (navigation, redirect hops,
    /// reloads): the capture's `attempts`.
    documents: u32,
    /// Main-frame redirect targets, in order.
    redirects: Vec<String>,
    /// The last main-frame document response: status, URL, MIME type.
    document: Option<(u16, String, String)>,
}

/// One page load in one tab.
struct Load {
    page: Page,
    policy: AddressPolicy,
    state: Arc<Mutex<LoadState>>,
    timeout: Duration,
    connect_timeout: Duration,
    max_body_bytes: u64,
    max_redirects: usize,
}

impl Load {
    fn new(page: Page, policy: AddressPolicy, settings: &FetchSettings) -> Load {
        Load {
            page,
            policy,
            state: Arc::default(),
            timeout: Duration::from_secs(settings.timeout_secs),
            connect_timeout: Duration::from_secs(settings.connect_timeout_secs),
            max_body_bytes: settings.max_body_bytes,
            max_redirects: settings.max_redirects,
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, LoadState> {
        lock(&self.state)
    }

    /// Listens, navigates, waits, reads the DOM. `Err` is a DevTools failure.
    async fn run<S>(
        self,
        capture: &mut Capture,
        url: &Url,
        slot: impl std::future::Future<Output = S>,
    ) -> Result<(), String> {
        let devtools = |e: chromiumoxide::error::CdpError| format!("Chromium DevTools error: {e}");
        let main_frame = self
            .page
            .mainframe()
            .await
            .map_err(devtools)?
            .ok_or_else(|| "Chromium gave the tab no main frame".to_string())?;
        let mut tasks = tokio::task::JoinSet::new();
        self.listen(&mut tasks, &main_frame)
            .await
            .map_err(devtools)?;
        self.page
            .execute(
                EnableParams::builder()
                    .pattern(
                        RequestPattern::builder()
                            .url_pattern("*")
                            .request_stage(RequestStage::Request)
                            .build(),
                    )
                    .build(),
            )
            .await
            .map_err(devtools)?;

        let _slot = slot.await;
        let started = Instant::now();
        let deadline = started + self.timeout;
        let navigation = tokio::time::timeout(self.timeout, self.page.goto(url.as_str())).await;
        let refused = self.state().refused.clone();
        if let Some((outcome, reason)) = refused {
            self.record_hops(capture);
            fail(capture, outcome, reason);
            return Ok(());
        }
        match navigation {
            Err(_) => {
                self.record_hops(capture);
                fail(
                    capture,
                    FetchOutcome::Timeout,
                    format!(
                        "{url} did not load in Chromium within {}s (timeout_secs)",
                        self.timeout.as_secs()
                    ),
                );
                return Ok(());
            }
            Ok(Err(error)) => {
                self.record_hops(capture);
                let text = error.to_string();
                fail(
                    capture,
                    navigation_outcome(&text),
                    format!("Chromium could not load {url}: {text}"),
                );
                return Ok(());
            }
            Ok(Ok(_)) => {}
        }

        self.settle(deadline).await;
        drop(tasks);
        self.record_hops(capture);
        if let Some((outcome, reason)) = self.state().refused.clone() {
            fail(capture, outcome, reason);
            return Ok(());
        }
        let document = self.state().document.clone();
        let Some((status, final_url, mime)) = document else {
            fail(
                capture,
                FetchOutcome::Connect,
                format!("Chromium loaded {url} but saw no response for it"),
            );
            return Ok(());
        };
        capture.status = Some(status);
        if final_url != url.as_str() {
            capture.final_url = Some(final_url);
        }
        let html = match self.dom().await {
            Ok(Some(html)) => html,
            Ok(None) => {
                fail(
                    capture,
                    FetchOutcome::TooLarge,
                    format!(
                        "the browser's DOM of {url} is larger than {} bytes (max_body_bytes); not read",
                        self.max_body_bytes
                    ),
                );
                return Ok(());
            }
            Err(error) => return Err(devtools(error)),
        };
        capture.content_type = Some(if mime.is_empty() {
            "text/html; charset=utf-8".into()
        } else {
            format!("{mime}; charset=utf-8")
        });
        if (200..300).contains(&status) {
            match classify::not_html_reason(Some(&mime), html.as_bytes()) {
                Some(reason) => fail(capture, FetchOutcome::NotHtml, reason),
                None => {
                    capture.outcome = FetchOutcome::Ok;
                    capture.error = None;
                    capture.body = Some(html.into_bytes());
                }
            }
        } else if classify::is_bot_challenge(status, None, html.as_bytes()) {
            fail(
                capture,
                FetchOutcome::BotChallenge { status },
                format!(
                    "{} with a bot-challenge page that the browser did not get past within {}s",
                    classify::status_sentence(status),
                    self.timeout.as_secs()
                ),
            );
        } else {
            fail(
                capture,
                FetchOutcome::HttpError { status },
                format!("{} (in the browser)", classify::status_sentence(status)),
            );
        }
        Ok(())
    }

    /// Copies redirects and the document request count into the capture.
    fn record_hops(&self, capture: &mut Capture) {
        let state = self.state();
        capture.attempts = state.documents.max(1);
        capture.redirects = state.redirects.clone();
        capture.final_url = state.redirects.last().cloned();
    }

    /// Subscribes to the tab's request and network events.
    async fn listen(
        &self,
        tasks: &mut tokio::task::JoinSet<()>,
        main_frame: &FrameId,
    ) -> Result<(), chromiumoxide::error::CdpError> {
        let mut paused = self.page.event_listener::<EventRequestPaused>().await?;
        let mut sent = self.page.event_listener::<EventRequestWillBeSent>().await?;
        let finished = self.page.event_listener::<EventLoadingFinished>().await?;
        let failed = self.page.event_listener::<EventLoadingFailed>().await?;
        let mut responses = self.page.event_listener::<EventResponseReceived>().await?;

        let gate = Gate {
            page: self.page.clone(),
            policy: self.policy.clone(),
            state: self.state.clone(),
            main_frame: main_frame.clone(),
            connect_timeout: self.connect_timeout,
            max_redirects: self.max_redirects,
        };
        tasks.spawn(async move {
            while let Some(event) = paused.next().await {
                gate.decide(&event).await;
            }
        });
        let state = self.state.clone();
        let frame = main_frame.clone();
        tasks.spawn(async move {
            while let Some(event) = sent.next().await {
                let mut state = lock(&state);
                state.in_flight.insert(event.request_id.inner().clone());
                state.last_activity = Some(Instant::now());
                let document = event.r#type == Some(ResourceType::Document)
                    && event.frame_id.as_ref() == Some(&frame);
                if document && event.redirect_response.is_some() {
                    state.redirects.push(event.request.url.clone());
                }
            }
        });
        for ended in [
            finished.map(|e| e.request_id.inner().clone()).boxed(),
            failed.map(|e| e.request_id.inner().clone()).boxed(),
        ] {
            let state = self.state.clone();
            let mut ended = ended;
            tasks.spawn(async move {
                while let Some(id) = ended.next().await {
                    let mut state = lock(&state);
                    state.in_flight.remove(&id);
                    state.last_activity = Some(Instant::now());
                }
            });
        }
        let state = self.state.clone();
        let frame = main_frame.clone();
        let policy = self.policy.clone();
        tasks.spawn(async move {
            while let Some(event) = responses.next().await {
                if event.r#type != ResourceType::Document || event.frame_id.as_ref() != Some(&frame)
                {
                    continue;
                }
                let response = &event.response;
                let mut state = lock(&state);
                // The address actually connected to, checked again: a name
                // that resolved differently for Chromium than for the check.
                let remote = response
                    .remote_ip_address
                    .as_deref()
                    .and_then(|ip| ip.trim_matches(['[', ']']).parse::<IpAddr>().ok());
                if let (Some(ip), Ok(url)) = (remote, Url::parse(&response.url)) {
                    if let Err(reason) = policy.check_resolved(&url, &[ip]) {
                        state
                            .refused
                            .get_or_insert((FetchOutcome::BlockedPrivateAddress, reason));
                    }
                }
                let status = u16::try_from(response.status).unwrap_or(0);
                state.document = Some((status, response.url.clone(), response.mime_type.clone()));
            }
        });
        Ok(())
    }

    /// Waits for the network to go quiet (and a bot challenge to pass),
    /// bounded by [`QUIET_MAX`] and the page's deadline.
    async fn settle(&self, deadline: Instant) {
        let until = deadline.min(Instant::now() + QUIET_MAX);
        loop {
            let now = Instant::now();
            if now >= until {
                tracing::debug!("network not quiet; reading the DOM as it is");
                return;
            }
            let quiet = {
                let state = self.state();
                state.in_flight.is_empty()
                    && state
                        .last_activity
                        .is_none_or(|last| now.duration_since(last) >= QUIET)
            };
            if quiet && !self.shows_challenge().await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// True while the last document answered 403/503 with a challenge page.
    async fn shows_challenge(&self) -> bool {
        let status = self.state().document.as_ref().map(|d| d.0);
        let Some(status @ (403 | 503)) = status else {
            return false;
        };
        match self.dom().await {
            Ok(Some(html)) => classify::is_bot_challenge(status, None, html.as_bytes()),
            _ => false,
        }
    }

    /// The document as HTML (doctype + `outerHTML`), or `None` when it is
    /// larger than `max_body_bytes` (measured in the page before transfer).
    async fn dom(&self) -> Result<Option<String>, chromiumoxide::error::CdpError> {
        let limit = self.max_body_bytes;
        // Always an object: a null result has no value to read back.
        let script = format!(
            "(() => {{ const root = document.documentElement; \
             const html = root ? (document.doctype ? '<!DOCTYPE html>\\n' : '') + root.outerHTML : ''; \
             return html.length > {limit} ? {{ units: html.length }} : {{ html }}; }})()"
        );
        #[derive(serde::Deserialize)]
        struct Dom {
            html: Option<String>,
        }
        let dom: Dom = self.page.evaluate_expression(script).await?.into_value()?;
        let value = dom.html;
        // UTF-16 units were within the cap; UTF-8 bytes may not be.
        Ok(value.filter(|html| html.len() as u64 <= limit))
    }
}

/// The request gate of one tab: decides every paused request.
struct Gate {
    page: Page,
    policy: AddressPolicy,
    state: Arc<Mutex<LoadState>>,
    main_frame: FrameId,
    connect_timeout: Duration,
    max_redirects: usize,
}

impl Gate {
    async fn decide(&self, event: &EventRequestPaused) {
        let document =
            event.resource_type == ResourceType::Document && event.frame_id == self.main_frame;
        let verdict = self.verdict(event, document).await;
        let sent = match verdict {
            Ok(()) => self
                .page
                .execute(ContinueRequestParams::new(event.request_id.clone()))
                .await
                .map(|_| ()),
            Err((outcome, reason)) => {
                tracing::debug!(url = %event.request.url, %reason, "browser request refused");
                if document {
                    lock(&self.state).refused.get_or_insert((outcome, reason));
                }
                self.page
                    .execute(FailRequestParams::new(
                        event.request_id.clone(),
                        ErrorReason::BlockedByClient,
                    ))
                    .await
                    .map(|_| ())
            }
        };
        if let Err(error) = sent {
            tracing::debug!(%error, "cannot answer a paused browser request");
        }
    }

    async fn verdict(
        &self,
        event: &EventRequestPaused,
        document: bool,
    ) -> Result<(), (FetchOutcome, String)> {
        let refused = |reason: String| Err((FetchOutcome::BlockedPrivateAddress, reason));
        let Ok(url) = Url::parse(&event.request.url) else {
            return refused(format!("{:?} is not a valid URL", event.request.url));
        };
        match url.scheme() {
            "http" | "https" => {}
            "data" | "blob" => return Ok(()),
            other => {
                return Err((
                    FetchOutcome::Connect,
                    format!("{url}: the browser only loads http and https ({other}: refused)"),
                ))
            }
        }
        if matches!(
            event.resource_type,
            ResourceType::Image | ResourceType::Media | ResourceType::Font
        ) {
            return Err((FetchOutcome::Ok, "not needed for the DOM".into()));
        }
        {
            let state = lock(&self.state);
            if state.continued >= MAX_REQUESTS {
                return Err((
                    FetchOutcome::TooLarge,
                    format!("{url}: more than {MAX_REQUESTS} requests in one page load"),
                ));
            }
            if document
                && event.redirected_request_id.is_some()
                && state.redirects.len() >= self.max_redirects
            {
                return Err((
                    FetchOutcome::RedirectLoop,
                    format!(
                        "more than {} redirects (max_redirects) in the browser; stopped at {url}",
                        self.max_redirects
                    ),
                ));
            }
        }
        let addresses = match url.host() {
            Some(url::Host::Domain(host)) => {
                let port = url.port_or_known_default().unwrap_or(80);
                match tokio::time::timeout(
                    self.connect_timeout,
                    tokio::net::lookup_host((host, port)),
                )
                .await
                {
                    Ok(Ok(found)) => found.map(|a| a.ip()).collect(),
                    // Chromium will fail to resolve it too, and say so.
                    _ => Vec::new(),
                }
            }
            _ => Vec::new(),
        };
        if let Err(reason) = self.policy.check_resolved(&url, &addresses) {
            return refused(reason);
        }
        let mut state = lock(&self.state);
        state.continued += 1;
        if document {
            state.documents += 1;
        }
        Ok(())
    }
}

/// The outcome of a navigation Chromium reported as failed (`net::ERR_...`).
fn navigation_outcome(error: &str) -> FetchOutcome {
    let error = error.to_ascii_uppercase();
    if error.contains("NAME_NOT_RESOLVED") || error.contains("NAME_RESOLUTION") {
        FetchOutcome::Dns
    } else if error.contains("TIMED_OUT") {
        FetchOutcome::Timeout
    } else if error.contains("CERT") || error.contains("SSL") {
        FetchOutcome::Tls
    } else if error.contains("TOO_MANY_REDIRECTS") {
        FetchOutcome::RedirectLoop
    } else {
        FetchOutcome::Connect
    }
}

/// Locks the load state; a panicked listener leaves it usable.
fn lock(state: &Mutex<LoadState>) -> std::sync::MutexGuard<'_, LoadState> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_configured_chromium_must_exist() {
        let err = find_chromium(Some("/nonexistent/chromium")).unwrap_err();
        assert!(err.contains("/nonexistent/chromium"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join("chromium");
        std::fs::write(&fake, "").unwrap();
        assert_eq!(find_chromium(fake.to_str()).unwrap(), fake);
    }

    #[test]
    fn failed_navigations_are_classified() {
        assert_eq!(
            navigation_outcome("net::ERR_NAME_NOT_RESOLVED"),
            FetchOutcome::Dns
        );
        assert_eq!(
            navigation_outcome("net::ERR_CONNECTION_REFUSED"),
            FetchOutcome::Connect
        );
        assert_eq!(
            navigation_outcome("net::ERR_CERT_AUTHORITY_INVALID"),
            FetchOutcome::Tls
        );
        assert_eq!(
            navigation_outcome("net::ERR_TOO_MANY_REDIRECTS"),
            FetchOutcome::RedirectLoop
        );
    }
}
