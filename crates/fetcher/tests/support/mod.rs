//! Loopback HTTP servers for the fetcher tests: an axum router on
//! `127.0.0.x:0` that logs every request it receives.
#![allow(dead_code)]

use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use cartwatch_fetcher::{Capture, FetchRequest, Fetcher};
use cartwatch_model::FetchSettings;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// One request a server received.
#[derive(Debug, Clone)]
pub struct Hit {
    pub path: String,
    pub at: Instant,
    pub headers: axum::http::HeaderMap,
}

/// A server running on the test's runtime until the test ends.
pub struct Server {
    pub base: String,
    pub log: Arc<Mutex<Vec<Hit>>>,
}

impl Server {
    /// `http://127.0.0.x:PORT` + path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Every request received, in arrival order.
    pub fn hits(&self) -> Vec<Hit> {
        self.log.lock().unwrap().clone()
    }

    /// The requests for this path.
    pub fn hits_for(&self, path: &str) -> Vec<Hit> {
        self.hits().into_iter().filter(|h| h.path == path).collect()
    }
}

async fn record(State(log): State<Arc<Mutex<Vec<Hit>>>>, request: Request, next: Next) -> Response {
    log.lock().unwrap().push(Hit {
        path: request.uri().path().to_string(),
        at: Instant::now(),
        headers: request.headers().clone(),
    });
    next.run(request).await
}

/// Serves `router` on `ip` (e.g. "127.0.0.2") at an ephemeral port.
pub async fn serve_on(ip: &str, router: Router) -> Server {
    let listener = tokio::net::TcpListener::bind((ip, 0))
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let app = router.layer(middleware::from_fn_with_state(log.clone(), record));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Server {
        base: format!("http://{addr}"),
        log,
    }
}

/// Serves `router` on 127.0.0.1.
pub async fn serve(router: Router) -> Server {
    serve_on("127.0.0.1", router).await
}

/// Settings small enough for tests: no delay, no retries, short timeouts,
/// and loopback allowed (every test server is on 127.0.0.x).
pub fn quick() -> FetchSettings {
    FetchSettings {
        allow_private: true,
        min_delay_ms: 0,
        retries: 0,
        backoff_ms: 10,
        timeout_secs: 5,
        connect_timeout_secs: 2,
        max_retry_after_secs: 5,
        ..FetchSettings::default()
    }
}

/// A request for `url` without validators.
pub fn page(url: &str) -> FetchRequest {
    FetchRequest {
        center: "test".into(),
        url: url.into(),
        etag: None,
        last_modified: None,
        content_type: None,
    }
}

/// Fetches these URLs with `settings`.
pub async fn fetch(settings: &FetchSettings, urls: &[String]) -> Vec<Capture> {
    let fetcher = Fetcher::new(settings).expect("fetcher");
    fetcher
        .fetch_all(urls.iter().map(|u| page(u)).collect())
        .await
}

/// Fetches one URL.
pub async fn fetch_one(settings: &FetchSettings, url: &str) -> Capture {
    fetch(settings, &[url.to_string()]).await.remove(0)
}

/// A text/html response.
pub fn html(body: &'static str) -> Response {
    Response::builder()
        .header("content-type", "text/html; charset=utf-8")
        .body(axum::body::Body::from(body))
        .unwrap()
}
