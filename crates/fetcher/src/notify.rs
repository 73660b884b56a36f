//! Webhook notifications for `cartwatch run`.
//!
//! A [`WebhookPayload`] is POSTed as JSON to every URL: a Slack-compatible
//! `text` field (a chat client shows it as the message) plus the full diff
//! and audit JSON for programs. Each URL gets its own retries with doubling
//! backoff and a per-attempt timeout, and ends in one [`NotifyOutcome`]: a
//! failed webhook is reported, never fatal, and never affects the others.
//!
//! Webhook URLs often carry a secret in their path (Slack's do), so outcomes
//! and errors name a URL by [`redact_url`]: scheme, host, port and the first
//! path segment only.

use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

/// The JSON body POSTed to each webhook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookPayload {
    /// A one-message summary; Slack, Mattermost, Rocket.Chat and Teams
    /// workflows display this field.
    pub text: String,
    /// The new snapshot's id.
    pub snapshot: String,
    /// The snapshot it was compared with; null on the first run.
    pub previous: Option<String>,
    /// The full diff, in `cartwatch diff --format json`'s schema.
    pub diff: serde_json::Value,
    /// The audit findings, in `cartwatch audit --format json`'s schema.
    pub findings: serde_json::Value,
}

/// How hard to try each webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifySettings {
    /// Time allowed for one attempt (connect, send, response headers and body).
    pub timeout: Duration,
    /// Attempts after the first, on timeouts, connection errors, 408, 429 and 5xx
    /// (waiting for a receiver's `Retry-After`, up to a minute, when longer than the backoff).
    pub retries: u32,
    /// Wait before the first retry; doubles on each further retry.
    pub backoff: Duration,
    /// The User-Agent header.
    pub user_agent: String,
}

impl Default for NotifySettings {
    fn default() -> Self {
        NotifySettings {
            timeout: Duration::from_secs(10),
            retries: 3,
            backoff: Duration::from_secs(1),
            user_agent: "cartwatch/0.1".into(),
        }
    }
}

/// What happened to one webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyOutcome {
    /// The webhook URL as configured (keep it out of logs: use [`redact_url`]).
    pub url: String,
    /// Requests made (1 without retries).
    pub attempts: u32,
    /// The accepting status code, or why delivery failed after every attempt.
    pub result: Result<u16, NotifyError>,
    /// Time spent on this webhook, retries and backoff included.
    pub elapsed: Duration,
}

impl NotifyOutcome {
    /// True when the webhook accepted the payload (a 2xx answer).
    pub fn delivered(&self) -> bool {
        self.result.is_ok()
    }

    /// One line for a summary: `delivered to URL (200)` or
    /// `FAILED URL after 4 attempts: server answered 500`.
    pub fn summary(&self) -> String {
        let url = redact_url(&self.url);
        match &self.result {
            Ok(status) => format!("delivered to {url} ({status})"),
            Err(error) => format!(
                "FAILED {url} after {} attempt{}: {error}",
                self.attempts,
                if self.attempts == 1 { "" } else { "s" }
            ),
        }
    }
}

/// Why a webhook did not accept the payload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotifyError {
    /// The URL is not an http or https URL.
    #[error("not an http:// or https:// URL; pass --notify https://...")]
    BadUrl,
    /// No answer within the timeout.
    #[error("no answer within {0:?}; is the receiver up and fast enough?")]
    Timeout(Duration),
    /// The connection could not be made.
    #[error("cannot connect: {0}")]
    Connect(String),
    /// The receiver answered with a non-2xx status.
    #[error("the receiver answered {status}{}", if body.is_empty() { String::new() } else { format!(": {body}") })]
    Status {
        /// The status code.
        status: u16,
        /// The start of the response body, for the reason.
        body: String,
    },
    /// Anything else reqwest reports (TLS, a malformed response, ...).
    #[error("{0}")]
    Other(String),
}

impl NotifyError {
    fn is_retryable(&self) -> bool {
        match self {
            NotifyError::BadUrl | NotifyError::Other(_) => false,
            NotifyError::Timeout(_) | NotifyError::Connect(_) => true,
            NotifyError::Status { status, .. } => {
                *status == 408 || *status == 429 || (500..600).contains(status)
            }
        }
    }
}

/// Escapes text from scraped pages for a Slack `text` field: `&`, `<` and
/// `>` are Slack's control characters (`<!channel>`, `<https://x|label>`),
/// so a page could otherwise ping a whole channel or plant a disguised link.
pub fn slack_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// A webhook URL safe to print: scheme, host, port and the first path segment,
/// with the rest (where secrets live) replaced by `…`.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(parsed) if parsed.has_host() => {
            let mut out = format!(
                "{}://{}",
                parsed.scheme(),
                parsed.host_str().unwrap_or_default()
            );
            if let Some(port) = parsed.port() {
                out.push_str(&format!(":{port}"));
            }
            let mut segments = parsed
                .path_segments()
                .map(|s| s.filter(|s| !s.is_empty()).collect::<Vec<_>>())
                .unwrap_or_default();
            let more = segments.len() > 1 || parsed.query().is_some();
            segments.truncate(1);
            if let Some(first) = segments.first() {
                out.push('/');
                out.push_str(first);
            }
            if more {
                out.push_str("/…");
            }
            out
        }
        _ => "(not a URL)".into(),
    }
}

/// The same failure for every URL, when nothing could be sent at all.
fn fail_all(urls: &[String], message: String) -> Vec<NotifyOutcome> {
    urls.iter()
        .map(|url| NotifyOutcome {
            url: url.clone(),
            attempts: 0,
            result: Err(NotifyError::Other(message.clone())),
            elapsed: Duration::ZERO,
        })
        .collect()
}

/// POSTs the payload to every URL concurrently; one outcome per URL, in order.
pub async fn notify_all(
    urls: &[String],
    payload: &WebhookPayload,
    settings: &NotifySettings,
) -> Vec<NotifyOutcome> {
    let body = match serde_json::to_vec(payload) {
        Ok(body) => body,
        Err(error) => return fail_all(urls, format!("cannot serialize the payload: {error}")),
    };
    let client = reqwest::Client::builder()
        .user_agent(settings.user_agent.clone())
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        // A webhook that redirects is misconfigured; following it could POST
        // the payload somewhere unintended.
        .redirect(reqwest::redirect::Policy::none())
        .build();
    let client = match client {
        Ok(client) => client,
        Err(error) => return fail_all(urls, format!("cannot build the HTTP client: {error}")),
    };
    let sends = urls
        .iter()
        .map(|url| notify_one(&client, url, &body, settings));
    futures::future::join_all(sends).await
}

/// [`notify_all`] on a runtime of its own, for synchronous callers.
pub fn notify_all_blocking(
    urls: &[String],
    payload: &WebhookPayload,
    settings: &NotifySettings,
) -> Vec<NotifyOutcome> {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(notify_all(urls, payload, settings)),
        Err(error) => urls
            .iter()
            .map(|url| NotifyOutcome {
                url: url.clone(),
                attempts: 0,
                result: Err(NotifyError::Other(format!(
                    "cannot start the async runtime: {error}"
                ))),
                elapsed: Duration::ZERO,
            })
            .collect(),
    }
}

/// The longest Retry-After honoured; a receiver asking for more gets our
/// next attempt sooner (and may fail it), so a run never stalls for long.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

async fn notify_one(
    client: &reqwest::Client,
    url: &str,
    body: &[u8],
    settings: &NotifySettings,
) -> NotifyOutcome {
    let started = Instant::now();
    let scheme_ok = url::Url::parse(url)
        .map(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
        .unwrap_or(false);
    if !scheme_ok {
        return NotifyOutcome {
            url: url.to_string(),
            attempts: 0,
            result: Err(NotifyError::BadUrl),
            elapsed: started.elapsed(),
        };
    }
    let mut attempts = 0;
    let mut backoff = settings.backoff;
    loop {
        attempts += 1;
        let (result, retry_after) = post_once(client, url, body, settings.timeout).await;
        let retry = match &result {
            Ok(_) => false,
            Err(error) => error.is_retryable() && attempts <= settings.retries,
        };
        if !retry {
            tracing::debug!(url = %redact_url(url), attempts, ok = result.is_ok(), "webhook done");
            return NotifyOutcome {
                url: url.to_string(),
                attempts,
                result,
                elapsed: started.elapsed(),
            };
        }
        tracing::info!(url = %redact_url(url), attempt = attempts, error = %result.as_ref().err().map(ToString::to_string).unwrap_or_default(), "webhook failed; retrying");
        // A receiver's Retry-After (429, 503) wins over our backoff, within reason.
        let wait = retry_after.map_or(backoff, |r| r.min(MAX_RETRY_AFTER).max(backoff));
        tokio::time::sleep(wait).await;
        backoff = backoff.saturating_mul(2);
    }
}

/// One POST: the accepting status or the error, and the receiver's
/// Retry-After (seconds form) when it gave one.
async fn post_once(
    client: &reqwest::Client,
    url: &str,
    body: &[u8],
    timeout: Duration,
) -> (Result<u16, NotifyError>, Option<Duration>) {
    let response = match client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body.to_vec())
        .send()
        .await
    {
        Ok(response) => response,
        Err(error) => return (Err(transport_error(error, timeout)), None),
    };
    let status = response.status().as_u16();
    if response.status().is_success() {
        // Drain the body so the connection can be reused; its content is not needed.
        let _ = response.bytes().await;
        return (Ok(status), None);
    }
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let text = response.text().await.unwrap_or_default();
    let mut snippet: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if snippet.chars().count() > 200 {
        snippet = snippet.chars().take(200).collect::<String>() + "…";
    }
    (
        Err(NotifyError::Status {
            status,
            body: snippet,
        }),
        retry_after,
    )
}

fn transport_error(error: reqwest::Error, timeout: Duration) -> NotifyError {
    if error.is_timeout() {
        NotifyError::Timeout(timeout)
    } else if error.is_connect() {
        let mut message = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(inner) = source {
            message = inner.to_string();
            source = inner.source();
        }
        NotifyError::Connect(message)
    } else {
        NotifyError::Other(error.without_url().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;
    use std::sync::{Arc, Mutex};

    fn payload() -> WebhookPayload {
        WebhookPayload {
            text: "cartwatch: 2 changes".into(),
            snapshot: "s2".into(),
            previous: Some("s1".into()),
            diff: serde_json::json!({"centers": []}),
            findings: serde_json::json!([]),
        }
    }

    fn fast() -> NotifySettings {
        NotifySettings {
            timeout: Duration::from_millis(1500),
            retries: 2,
            backoff: Duration::from_millis(20),
            user_agent: "cartwatch-test".into(),
        }
    }

    /// A receiver on loopback that answers each POST with the next status in
    /// `statuses` (the last one repeats), or hangs forever when `hang`.
    async fn receiver(
        statuses: Vec<u16>,
        hang: bool,
    ) -> (String, Arc<Mutex<Vec<serde_json::Value>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let seen_in = seen.clone();
        let app = axum::Router::new().route(
            "/hook/secret-token",
            axum::routing::post(move |body: axum::body::Bytes| {
                let seen = seen_in.clone();
                let statuses = statuses.clone();
                async move {
                    let n = {
                        let mut seen = seen.lock().unwrap();
                        seen.push(serde_json::from_slice(&body).unwrap_or_default());
                        seen.len()
                    };
                    if hang {
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                    }
                    let status = statuses[(n - 1).min(statuses.len() - 1)];
                    (StatusCode::from_u16(status).unwrap(), "receiver says no")
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (format!("http://{addr}/hook/secret-token"), seen)
    }

    #[tokio::test]
    async fn delivers_text_and_diff_json() {
        let (url, seen) = receiver(vec![200], false).await;
        let outcomes = notify_all(std::slice::from_ref(&url), &payload(), &fast()).await;
        assert_eq!(outcomes.len(), 1);
        assert_eq!(outcomes[0].result, Ok(200));
        assert_eq!(outcomes[0].attempts, 1);
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0]["text"], "cartwatch: 2 changes");
        assert_eq!(seen[0]["previous"], "s1");
        assert_eq!(seen[0]["diff"], serde_json::json!({"centers": []}));
    }

    #[tokio::test]
    async fn retries_server_errors_then_succeeds() {
        let (url, seen) = receiver(vec![503, 500, 200], false).await;
        let outcomes = notify_all(std::slice::from_ref(&url), &payload(), &fast()).await;
        assert_eq!(outcomes[0].result, Ok(200));
        assert_eq!(outcomes[0].attempts, 3);
        assert_eq!(seen.lock().unwrap().len(), 3);
    }

    #[tokio::test]
    async fn gives_up_after_the_retries_and_says_why() {
        let (url, seen) = receiver(vec![500], false).await;
        let outcomes = notify_all(std::slice::from_ref(&url), &payload(), &fast()).await;
        assert_eq!(outcomes[0].attempts, 3);
        assert_eq!(seen.lock().unwrap().len(), 3);
        match &outcomes[0].result {
            Err(NotifyError::Status { status: 500, body }) => {
                assert!(body.contains("receiver says no"))
            }
            other => panic!("{other:?}"),
        }
        let line = outcomes[0].summary();
        assert!(line.contains("after 3 attempts"), "{line}");
        assert!(!line.contains("secret-token"), "secret leaked: {line}");
    }

    #[tokio::test]
    async fn a_rate_limited_receiver_gets_its_retry_after() {
        let hits = Arc::new(Mutex::new(0u32));
        let counter = hits.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move || {
                let counter = counter.clone();
                async move {
                    let n = {
                        let mut hits = counter.lock().unwrap();
                        *hits += 1;
                        *hits
                    };
                    if n == 1 {
                        (
                            StatusCode::TOO_MANY_REQUESTS,
                            [("retry-after", "1")],
                            "slow down",
                        )
                    } else {
                        (StatusCode::OK, [("retry-after", "0")], "ok")
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let outcomes = notify_all(&[url], &payload(), &fast()).await;
        assert_eq!(outcomes[0].result, Ok(200));
        assert_eq!(outcomes[0].attempts, 2);
        // The backoff is 20 ms; only the Retry-After explains a wait near a second.
        assert!(
            outcomes[0].elapsed >= Duration::from_millis(900),
            "{:?}",
            outcomes[0].elapsed
        );
        assert_eq!(*hits.lock().unwrap(), 2);
    }

    #[tokio::test]
    async fn client_errors_are_not_retried() {
        let (url, seen) = receiver(vec![404], false).await;
        let outcomes = notify_all(std::slice::from_ref(&url), &payload(), &fast()).await;
        assert_eq!(outcomes[0].attempts, 1);
        assert_eq!(seen.lock().unwrap().len(), 1);
        assert!(!outcomes[0].delivered());
    }

    #[tokio::test]
    async fn a_hanging_receiver_times_out_without_holding_up_the_others() {
        let (hanging, _) = receiver(vec![200], true).await;
        let (good, seen_good) = receiver(vec![200], false).await;
        let settings = NotifySettings {
            timeout: Duration::from_millis(300),
            retries: 1,
            ..fast()
        };
        let outcomes = notify_all(&[hanging, good], &payload(), &settings).await;
        assert!(
            matches!(outcomes[0].result, Err(NotifyError::Timeout(_))),
            "{:?}",
            outcomes[0]
        );
        assert_eq!(outcomes[0].attempts, 2);
        assert_eq!(outcomes[1].result, Ok(200));
        assert_eq!(seen_good.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn refused_connections_and_bad_urls_are_outcomes_not_panics() {
        // Bind then drop a listener: the port is very likely closed.
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let urls = vec![
            format!("http://127.0.0.1:{port}/hook"),
            "ftp://example.org/hook".to_string(),
        ];
        let settings = NotifySettings {
            retries: 1,
            ..fast()
        };
        let outcomes = notify_all(&urls, &payload(), &settings).await;
        assert!(
            matches!(outcomes[0].result, Err(NotifyError::Connect(_))),
            "{:?}",
            outcomes[0]
        );
        assert_eq!(outcomes[0].attempts, 2);
        assert_eq!(outcomes[1].result, Err(NotifyError::BadUrl));
    }

    #[test]
    fn slack_control_sequences_are_escaped() {
        assert_eq!(
            slack_escape("call <!channel> & <https://evil.example|MSK>"),
            "call &lt;!channel&gt; &amp; &lt;https://evil.example|MSK&gt;"
        );
        assert_eq!(slack_escape("216-844-3960"), "216-844-3960");
    }

    #[test]
    fn redaction_keeps_host_and_first_segment() {
        assert_eq!(
            redact_url("https://hooks.slack.com/services/T000/B000/XXXX"),
            "https://hooks.slack.com/services/…"
        );
        assert_eq!(
            redact_url("http://127.0.0.1:8080/hook"),
            "http://127.0.0.1:8080/hook"
        );
        assert_eq!(
            redact_url("http://127.0.0.1:8080/hook?token=abc"),
            "http://127.0.0.1:8080/hook/…"
        );
        assert_eq!(redact_url("not a url"), "(not a URL)");
    }
}
