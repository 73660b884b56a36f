//! End-to-end: the real `cartwatch snapshot` fetches pages from a loopback
//! server, classifies each page's outcome, and re-uses stored content when
//! the server answers 304 to the stored ETag.

use axum::body::Body;
use axum::http::{HeaderMap, Response, StatusCode};
use axum::routing::get;
use axum::Router;
use cartwatch_model::FetchOutcome;
use cartwatch_store::Store;
use cartwatch_tests::cartwatch;
use predicates::str::contains;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

const PAGE: &str = r#"<!doctype html><html><head><meta charset="utf-8"><title>CAR T-Cell Therapy</title></head>
<body><main><h1>CAR T-Cell Therapy Program</h1>
<p>We offer Kymriah and Yescarta for adults with lymphoma.</p>
<p>To refer a patient, call 216-844-3951.</p></main></body></html>"#;

/// Each request's path and If-None-Match header, in arrival order.
type RequestLog = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A loopback server with one good page (ETag "v1", answers 304 to it), one
/// 404, and one page robots.txt disallows; it logs each request's path and
/// If-None-Match.
struct Site {
    addr: SocketAddr,
    log: RequestLog,
    _runtime: tokio::runtime::Runtime,
}

impl Site {
    fn start() -> Site {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let log: RequestLog = Arc::new(Mutex::new(Vec::new()));
        let logged = log.clone();
        let app = Router::new()
            .route(
                "/robots.txt",
                get(|| async { "User-agent: *\nDisallow: /private\n" }),
            )
            .route(
                "/car-t",
                get(|headers: HeaderMap| async move {
                    let fresh = headers
                        .get("if-none-match")
                        .is_some_and(|v| v.as_bytes() == b"\"v1\"");
                    let response = Response::builder().header("etag", "\"v1\"");
                    if fresh {
                        response.status(304).body(Body::empty()).unwrap()
                    } else {
                        response
                            .header("content-type", "text/html; charset=utf-8")
                            .body(Body::from(PAGE))
                            .unwrap()
                    }
                }),
            )
            .route(
                "/private/referrals",
                get(|| async { "should never be fetched" }),
            )
            .fallback(|| async { (StatusCode::NOT_FOUND, "not found") })
            .layer(axum::middleware::from_fn(
                move |request: axum::extract::Request, next: axum::middleware::Next| {
                    let log = logged.clone();
                    async move {
                        let inm = request
                            .headers()
                            .get("if-none-match")
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_string);
                        log.lock()
                            .unwrap()
                            .push((request.uri().path().to_string(), inm));
                        next.run(request).await
                    }
                },
            ));
        runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Site {
            addr,
            log,
            _runtime: runtime,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    fn requests_for(&self, path: &str) -> Vec<Option<String>> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, inm)| inm.clone())
            .collect()
    }
}

/// A config with test-sized politeness whose one center watches `pages`.
fn write_config(dir: &Path, site: &Site, pages: &[&str]) -> std::path::PathBuf {
    let urls: Vec<String> = pages.iter().map(|p| format!("{:?}", site.url(p))).collect();
    let text = format!(
        "[fetch]\nallow_private = true\nmin_delay_ms = 50\nretries = 1\nbackoff_ms = 20\ntimeout_secs = 10\nconnect_timeout_secs = 5\n\n\
         [[center]]\nid = \"loopback\"\nname = \"Loopback Cancer Center\"\npages = [{}]\n",
        urls.join(", ")
    );
    let path = dir.join("centers.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn snapshot(config: &Path, store: &Path) -> assert_cmd::assert::Assert {
    cartwatch()
        .args(["snapshot", "--config"])
        .arg(config)
        .arg("--store")
        .arg(store)
        .assert()
}

#[test]
fn a_snapshot_classifies_each_page_and_exits_1_when_some_failed() {
    let site = Site::start();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &site,
        &["/car-t", "/gone", "/private/referrals"],
    );
    let store_path = dir.path().join("store");

    let gone = site.url("/gone");
    let private = site.url("/private/referrals");
    snapshot(&config, &store_path)
        .code(1)
        .stdout(contains("1 pages ok, 2 failed"))
        .stdout(contains(format!("http_error(404) {gone}")))
        .stdout(contains(format!("blocked_by_robots {private}")));

    // robots.txt kept the disallowed page from being requested at all.
    assert!(site.requests_for("/private/referrals").is_empty());
    assert_eq!(site.requests_for("/robots.txt").len(), 1);
    // A 404 is not retried.
    assert_eq!(site.requests_for("/gone").len(), 1);

    let store = Store::open(&store_path).unwrap();
    let manifests = store.list().unwrap();
    assert_eq!(manifests.len(), 1);
    let pages = &manifests[0].center("loopback").unwrap().pages;
    let outcomes: Vec<&FetchOutcome> = pages.iter().map(|p| &p.outcome).collect();
    assert_eq!(
        outcomes,
        [
            &FetchOutcome::Ok,
            &FetchOutcome::HttpError { status: 404 },
            &FetchOutcome::BlockedByRobots
        ]
    );
    assert!(pages[0].has_record);
    assert_eq!(pages[0].etag.as_deref(), Some("\"v1\""));
    assert!(!pages[1].has_record && !pages[2].has_record);
    assert_eq!(pages[1].error.as_deref(), Some("HTTP 404 Not Found"));
    assert!(pages[2].error.as_deref().unwrap().contains("robots.txt"));
    // Only the good page has a record.
    let records = store.records(&manifests[0].id).unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].1, site.url("/car-t"));
}

#[test]
fn a_second_snapshot_sends_the_etag_and_reuses_the_record_on_304() {
    let site = Site::start();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &site, &["/car-t"]);
    let store_path = dir.path().join("store");

    snapshot(&config, &store_path)
        .success()
        .stdout(contains("1 pages ok, 0 failed"));
    // Snapshot ids have one-second resolution.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    snapshot(&config, &store_path)
        .success()
        .stdout(contains("1 pages ok, 0 failed"));

    // The first request was unconditional, the second sent the stored ETag.
    assert_eq!(
        site.requests_for("/car-t"),
        [None, Some("\"v1\"".to_string())]
    );

    let store = Store::open(&store_path).unwrap();
    let manifests = store.list().unwrap();
    assert_eq!(manifests.len(), 2, "two snapshots");
    let first = &manifests[0].center("loopback").unwrap().pages[0];
    let second = &manifests[1].center("loopback").unwrap().pages[0];
    assert_eq!(first.outcome, FetchOutcome::Ok);
    assert_eq!(second.outcome, FetchOutcome::NotModified);
    assert_eq!(second.status, Some(304));
    assert_eq!(second.etag.as_deref(), Some("\"v1\""));
    assert_eq!(second.content_type, first.content_type);
    assert!(second.has_record);
    assert_eq!(
        second.body_sha256, first.body_sha256,
        "the stored body is reused"
    );
    assert!(first.body_len.is_some_and(|len| len > 0));
    assert_eq!(
        second.body_len, first.body_len,
        "the reused body keeps its length"
    );

    let records = |id: &str| store.records(id).unwrap();
    let before = records(&manifests[0].id);
    let after = records(&manifests[1].id);
    assert_eq!(before.len(), 1);
    assert_eq!(after, before, "the 304 snapshot's record equals the first");
    assert!(after[0]
        .2
        .contacts
        .iter()
        .any(|c| c.e164.as_deref() == Some("+12168443951")));
}

#[test]
fn fetching_is_quiet_without_a_terminal_and_logs_pages_with_rust_log() {
    let site = Site::start();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &site, &["/car-t", "/gone"]);

    // No terminal, no RUST_LOG: nothing on stderr (no progress bar).
    let quiet = snapshot(&config, &dir.path().join("a")).code(1);
    let stderr = String::from_utf8_lossy(&quiet.get_output().stderr).to_string();
    assert!(stderr.is_empty(), "{stderr}");

    // RUST_LOG=info: one event per page, with its outcome.
    let logged = cartwatch()
        .env("RUST_LOG", "cartwatch_fetcher=info")
        .args(["snapshot", "--config"])
        .arg(&config)
        .arg("--store")
        .arg(dir.path().join("b"))
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&logged.get_output().stderr).to_string();
    assert!(stderr.contains("page fetched"), "{stderr}");
    assert!(stderr.contains("page failed"), "{stderr}");
    assert!(stderr.contains("http_error(404)"), "{stderr}");
}
