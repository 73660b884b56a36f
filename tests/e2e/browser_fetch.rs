//! End-to-end: pages that need a browser, fetched by the real `cartwatch
//! snapshot` through headless Chromium (issue 12 §3).
//!
//! A loopback site serves a page whose content is written by a script after
//! load (from a JSON request answered late, so the browser has to wait for
//! the network to go quiet), a JavaScript challenge (a 503 "Just a moment..."
//! page whose script sets a cookie and reloads; the content once the cookie
//! is there), and a redirect to a private address the center does not allow.
//!
//! Without Chromium the browser tests say so and return; with `CI=true` a
//! missing Chromium fails them (`.ci/run` installs it). The missing-Chromium
//! config error needs no browser and always runs.

use axum::body::Body;
use axum::http::{HeaderMap, Response, StatusCode, Uri};
use axum::Router;
use cartwatch_model::{FetchOutcome, PageRecord, RenderedBy};
use cartwatch_store::Store;
use cartwatch_tests::{cartwatch, chromium_or_skip};
use predicates::str::contains;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A page with no content in its HTML: a script asks `/content.json` for it
/// and writes it into the page.
const SHELL: &str = r#"<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Loading...</title></head><body><div id="app"></div>
<script>
window.addEventListener('load', function () {
  fetch('/content.json').then(function (r) { return r.json(); }).then(function (data) {
    document.title = data.title;
    document.getElementById('app').innerHTML = data.html;
  });
});
</script></body></html>"#;

/// What the script writes into the shell.
const CONTENT_HTML: &str = "<main><h1>CAR T-Cell Therapy Program</h1>\
<p>Our cellular therapy team offers Kymriah and Breyanzi for adults with large B-cell lymphoma.</p>\
<p>To refer a patient for CAR T-cell therapy, call 216-844-3951.</p></main>";

/// The challenge: no content, a marker, and a script that sets the cookie
/// and reloads.
const CHALLENGE: &str = r#"<!doctype html><html><head><title>Just a moment...</title></head>
<body><p>Checking your browser before accessing the site.</p>
<script>setTimeout(function () {
  document.cookie = 'cw_clearance=passed; path=/';
  location.reload();
}, 300);</script></body></html>"#;

/// The page behind the challenge.
const BEHIND_CHALLENGE: &str = r#"<!doctype html><html><head><meta charset="utf-8">
<title>Cell Therapy Referrals</title></head><body><main><h1>CAR T-Cell Therapy Referrals</h1>
<p>We treat adults with multiple myeloma with Carvykti and Abecma.</p>
<p>Referring physicians can call 216-844-3951.</p></main></body></html>"#;

/// Each request's path, Cookie and User-Agent headers, in arrival order.
type RequestLog = Arc<Mutex<Vec<(String, Option<String>, Option<String>)>>>;
/// Each request's path and arrival time.
type TimeLog = Arc<Mutex<Vec<(String, Instant)>>>;

/// A loopback HTTP server on `ip` that logs every request.
struct Site {
    addr: SocketAddr,
    log: RequestLog,
    times: TimeLog,
    _runtime: tokio::runtime::Runtime,
}

impl Site {
    /// `/shell`, `/content.json`, `/challenge`, `/to-private` (a redirect to
    /// `redirect_to`) and `/fetches-private` (a page whose script asks
    /// `redirect_to`); everything else, robots.txt included, is a 404.
    fn start(ip: &str, redirect_to: Option<String>) -> Site {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind((ip, 0)))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let log: RequestLog = Arc::default();
        let logged = log.clone();
        let times: TimeLog = Arc::default();
        let timed = times.clone();
        let app = Router::new().fallback(move |uri: Uri, headers: HeaderMap| {
            let log = logged.clone();
            let times = timed.clone();
            let redirect_to = redirect_to.clone();
            async move {
                let header = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string)
                };
                let cookie = header("cookie");
                times
                    .lock()
                    .unwrap()
                    .push((uri.path().to_string(), Instant::now()));
                log.lock().unwrap().push((
                    uri.path().to_string(),
                    cookie.clone(),
                    header("user-agent"),
                ));
                let html = |status: u16, body: String| {
                    Response::builder()
                        .status(status)
                        .header("content-type", "text/html; charset=utf-8")
                        .body(Body::from(body))
                        .unwrap()
                };
                match uri.path() {
                    "/shell" => html(200, SHELL.into()),
                    "/content.json" => {
                        // Late, so the DOM is only complete once the browser
                        // waited for the network to go quiet.
                        tokio::time::sleep(Duration::from_millis(400)).await;
                        let json = serde_json::json!({
                            "title": "CAR T-Cell Therapy | Example Cancer Center",
                            "html": CONTENT_HTML,
                        });
                        Response::builder()
                            .header("content-type", "application/json")
                            .body(Body::from(json.to_string()))
                            .unwrap()
                    }
                    "/challenge" => {
                        if cookie.is_some_and(|c| c.contains("cw_clearance=passed")) {
                            html(200, BEHIND_CHALLENGE.into())
                        } else {
                            html(503, CHALLENGE.into())
                        }
                    }
                    "/to-private" if redirect_to.is_some() => Response::builder()
                        .status(StatusCode::FOUND)
                        .header("location", redirect_to.unwrap())
                        .body(Body::empty())
                        .unwrap(),
                    "/fetches-private" if redirect_to.is_some() => {
                        let target = redirect_to.unwrap();
                        html(
                            200,
                            format!(
                                "<!doctype html><html><head>\
                                 <link rel=\"icon\" href=\"{target}?icon\">\
                                 <link rel=\"preload\" as=\"fetch\" href=\"{target}?preload\">\
                                 </head><body><main><h1>CAR T-Cell Therapy</h1>\
                                 <p>We offer Kymriah for children and young adults.</p></main>\
                                 <iframe src=\"{target}?frame\"></iframe>\
                                 <img src=\"{target}?img\">\
                                 <script>fetch({target:?}).catch(function () {{}});</script>\
                                 </body></html>"
                            ),
                        )
                    }
                    "/admin" => html(200, "<p>SECRET admin page</p>".into()),
                    "/robots.txt" => Response::builder()
                        .header("content-type", "text/plain")
                        .body(Body::from("User-agent: *\nDisallow: /members/\n"))
                        .unwrap(),
                    "/plain-a" | "/plain-b" | "/members/car-t" => {
                        html(200, BEHIND_CHALLENGE.into())
                    }
                    "/big" => html(
                        200,
                        // A small page whose script writes a DOM of ~300 KB.
                        "<!doctype html><html><body><main id=m></main><script>\
                         document.getElementById('m').textContent = \
                         'CAR T-cell therapy. '.repeat(15000);</script></body></html>"
                            .into(),
                    ),
                    "/hang" => {
                        tokio::time::sleep(Duration::from_secs(30)).await;
                        html(200, BEHIND_CHALLENGE.into())
                    }
                    _ => Response::builder()
                        .status(StatusCode::NOT_FOUND)
                        .body(Body::from("not found"))
                        .unwrap(),
                }
            }
        });
        runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Site {
            addr,
            log,
            times,
            _runtime: runtime,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    fn requests(&self) -> Vec<(String, Option<String>, Option<String>)> {
        self.log.lock().unwrap().clone()
    }

    fn times(&self) -> Vec<(String, Instant)> {
        self.times.lock().unwrap().clone()
    }
}

/// A config with one center `c` watching `pages`; `fetch` and `center` are
/// extra lines for the `[fetch]` table and the center.
fn config(dir: &Path, name: &str, fetch: &str, center: &str, pages: &[String]) -> PathBuf {
    let path = dir.join(name);
    let pages: Vec<String> = pages.iter().map(|p| format!("{p:?}")).collect();
    std::fs::write(
        &path,
        format!(
            "[fetch]\nmin_delay_ms = 10\nretries = 0\ntimeout_secs = 20\nconnect_timeout_secs = 5\n{fetch}\n\
             [[center]]\nid = \"c\"\nname = \"C\"\npages = [{}]\n{center}\n",
            pages.join(", ")
        ),
    )
    .unwrap();
    path
}

/// `chromium = "..."` for the `[fetch]` table.
fn chromium_line(chromium: &Path) -> String {
    format!("chromium = {:?}", chromium.display().to_string())
}

fn snapshot(config: &Path, store: &Path) -> assert_cmd::assert::Assert {
    cartwatch()
        .args(["snapshot", "--config"])
        .arg(config)
        .arg("--store")
        .arg(store)
        .timeout(Duration::from_secs(120))
        .assert()
}

/// The stored pages of the latest snapshot, and its records by URL.
fn stored(
    store: &Path,
) -> (
    Vec<cartwatch_model::PageSnapshot>,
    Vec<(String, PageRecord)>,
) {
    let store = Store::open_read_only(store).unwrap();
    let last = store.list().unwrap().pop().unwrap();
    let records = store
        .records(&last.id)
        .unwrap()
        .into_iter()
        .map(|(_, url, record)| (url, record))
        .collect();
    (last.pages().cloned().collect(), records)
}

#[test]
fn a_page_written_by_its_script_is_read_from_the_browser_dom() {
    let Some(chromium) = chromium_or_skip("browser_fetch (script-written page)") else {
        return;
    };
    let site = Site::start("127.0.0.1", None);
    let dir = tempfile::tempdir().unwrap();
    let page = site.url("/shell");
    let fetch = format!("allow_private = true\n{}", chromium_line(&chromium));

    // Plain HTTP reads the shell: no products, no phone.
    let plain = config(
        dir.path(),
        "plain.toml",
        &fetch,
        "",
        std::slice::from_ref(&page),
    );
    snapshot(&plain, &dir.path().join("plain")).success();
    let (_, records) = stored(&dir.path().join("plain"));
    assert!(records[0].1.offerings.products.is_empty(), "{records:?}");

    // fetch = "browser" reads what the script wrote.
    let browser = config(
        dir.path(),
        "browser.toml",
        &fetch,
        "fetch = \"browser\"",
        std::slice::from_ref(&page),
    );
    let store = dir.path().join("browser");
    snapshot(&browser, &store)
        .success()
        .stdout(contains("1 pages ok, 0 failed"))
        // No warnings from the DevTools client about newer protocol events.
        .stderr(predicates::str::is_empty());
    let (pages, records) = stored(&store);
    assert_eq!(pages[0].outcome, FetchOutcome::Ok);
    assert_eq!(pages[0].rendered_by, RenderedBy::Browser);
    assert_eq!(pages[0].status, Some(200));
    let record = &records[0].1;
    assert_eq!(
        record.title.as_deref(),
        Some("CAR T-Cell Therapy | Example Cancer Center")
    );
    assert!(
        record.offerings.products.iter().any(|p| p == "kymriah")
            && record.offerings.products.iter().any(|p| p == "breyanzi"),
        "{:?}",
        record.offerings.products
    );
    let contacts = serde_json::to_string(&record.contacts).unwrap();
    assert!(contacts.contains("844-3951"), "{contacts}");
    // The script's request came from the browser, which said who it is.
    let script_request = site
        .requests()
        .into_iter()
        .find(|(path, _, _)| path == "/content.json")
        .expect("the script asked for its content");
    let agent = script_request.2.unwrap_or_default();
    assert!(agent.starts_with("cartwatch/0.1 (+"), "{agent}");
    cartwatch()
        .args(["show", "--store"])
        .arg(&store)
        .assert()
        .success()
        .stdout(contains(format!(
            "{page}  ok 200 (rendered by the browser)"
        )));
    cartwatch()
        .args(["show", "--format", "json", "--store"])
        .arg(&store)
        .assert()
        .success()
        .stdout(contains(r#""rendered_by": "browser""#));

    // The capture keeps the DOM, not the served shell.
    let reader = Store::open_read_only(&store).unwrap();
    let id = reader.list().unwrap().pop().unwrap().id;
    let body = reader.page_body(&id, "c", &page).unwrap().unwrap();
    let body = String::from_utf8(body).unwrap();
    assert!(body.contains("216-844-3951"), "{body}");
    assert!(body.starts_with("<!DOCTYPE html>"), "{body}");
}

#[test]
fn auto_mode_gets_past_a_javascript_challenge_that_plain_http_reports() {
    let Some(chromium) = chromium_or_skip("browser_fetch (JavaScript challenge)") else {
        return;
    };
    let site = Site::start("127.0.0.1", None);
    let dir = tempfile::tempdir().unwrap();
    let page = site.url("/challenge");

    let plain = config(
        dir.path(),
        "plain.toml",
        &format!("allow_private = true\n{}", chromium_line(&chromium)),
        "",
        std::slice::from_ref(&page),
    );
    snapshot(&plain, &dir.path().join("plain"))
        .code(1)
        .stdout(contains("bot_challenge(503)"));
    let (pages, _) = stored(&dir.path().join("plain"));
    assert_eq!(pages[0].outcome, FetchOutcome::BotChallenge { status: 503 });
    assert_eq!(pages[0].rendered_by, RenderedBy::Http);

    let auto = config(
        dir.path(),
        "auto.toml",
        &format!(
            "allow_private = true\nbrowser = \"auto\"\n{}",
            chromium_line(&chromium)
        ),
        "",
        std::slice::from_ref(&page),
    );
    let store = dir.path().join("auto");
    snapshot(&auto, &store)
        .success()
        .stdout(contains("1 pages ok, 0 failed"));
    let (pages, records) = stored(&store);
    assert_eq!(pages[0].outcome, FetchOutcome::Ok);
    assert_eq!(pages[0].rendered_by, RenderedBy::Browser);
    let products = &records[0].1.offerings.products;
    assert!(
        products.iter().any(|p| p == "carvykti"),
        "the page behind the challenge was read: {products:?}"
    );
    // The browser came back with the cookie its script set.
    assert!(
        site.requests()
            .iter()
            .any(|(path, cookie, _)| path == "/challenge"
                && cookie.as_deref() == Some("cw_clearance=passed")),
        "{:?}",
        site.requests()
    );
}

#[test]
fn a_missing_chromium_is_an_error_naming_the_center_and_how_to_install_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-chromium");
    let config = config(
        dir.path(),
        "c.toml",
        &format!("allow_private = true\n{}", chromium_line(&missing)),
        "fetch = \"browser\"",
        &["http://127.0.0.1:9/car-t".to_string()],
    );
    let store = dir.path().join("store");
    snapshot(&config, &store)
        .code(2)
        .stderr(contains(
            "center \"c\" (fetch = \"browser\") needs a browser",
        ))
        .stderr(contains(missing.display().to_string()))
        .stderr(contains(".ci/install-chromium --install"))
        .stderr(contains("apt-get install chromium"));
    // Nothing was stored.
    let snapshots = Store::open_read_only(&store)
        .map(|s| s.list().unwrap().len())
        .unwrap_or(0);
    assert_eq!(snapshots, 0);
}

#[test]
fn the_browser_never_reaches_a_private_address_the_center_does_not_allow() {
    let Some(chromium) = chromium_or_skip("browser_fetch (private redirect)") else {
        return;
    };
    // The center may reach 127.0.0.2 (its allow list), not 127.0.0.1.
    let admin = Site::start("127.0.0.1", None);
    let site = Site::start("127.0.0.2", Some(admin.url("/admin")));
    let dir = tempfile::tempdir().unwrap();
    let pages = [
        site.url("/shell"),
        site.url("/to-private"),
        site.url("/fetches-private"),
    ];
    let config = config(
        dir.path(),
        "c.toml",
        &chromium_line(&chromium),
        "fetch = \"browser\"\nallow_private_hosts = [\"127.0.0.2\"]",
        &pages,
    );
    let store = dir.path().join("store");
    let out = snapshot(&config, &store)
        .code(1)
        .stdout(contains("2 pages ok, 1 failed"))
        .stdout(contains(format!("blocked_private_address {}", pages[1])));
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(!stdout.contains("SECRET"), "{stdout}");
    assert!(
        admin.requests().is_empty(),
        "neither the redirect nor the script reached 127.0.0.1: {:?}",
        admin.requests()
    );
    let (stored_pages, _) = stored(&store);
    assert_eq!(stored_pages[0].outcome, FetchOutcome::Ok);
    assert_eq!(stored_pages[1].outcome, FetchOutcome::BlockedPrivateAddress);
    assert!(stored_pages[1].body_sha256.is_none());
    let error = stored_pages[1].error.clone().unwrap();
    assert!(
        error.contains(&admin.url("/admin")) && error.contains("allow_private"),
        "{error}"
    );
    assert_eq!(stored_pages[2].outcome, FetchOutcome::Ok);
}

#[test]
fn browser_loads_keep_robots_spacing_timeouts_and_the_body_cap() {
    let Some(chromium) = chromium_or_skip("browser_fetch (manners and bounds)") else {
        return;
    };
    let site = Site::start("127.0.0.1", None);
    let dir = tempfile::tempdir().unwrap();
    let pages = [
        site.url("/plain-a"),
        site.url("/members/car-t"),
        site.url("/big"),
        site.url("/hang"),
        site.url("/plain-b"),
    ];
    let config = config(
        dir.path(),
        "c.toml",
        &format!(
            "allow_private = true\nmax_body_bytes = 100000\n{}",
            chromium_line(&chromium)
        ),
        "fetch = \"browser\"",
        &pages,
    );
    // A 1 s spacing between requests to the host, 3 s per page.
    let text = std::fs::read_to_string(&config).unwrap();
    let text = text
        .replace("min_delay_ms = 10\n", "min_delay_ms = 1000\n")
        .replace("\ntimeout_secs = 20\n", "\ntimeout_secs = 3\n");
    std::fs::write(&config, text).unwrap();
    let store = dir.path().join("store");
    snapshot(&config, &store)
        .code(1)
        .stdout(contains("2 pages ok, 3 failed"))
        .stdout(contains(format!("blocked_by_robots {}", pages[1])))
        .stdout(contains(format!("too_large {}", pages[2])))
        .stdout(contains(format!("timeout {}", pages[3])));
    let (stored_pages, _) = stored(&store);
    let error = stored_pages[2].error.clone().unwrap();
    assert!(error.contains("max_body_bytes"), "{error}");
    assert!(stored_pages[2].body_sha256.is_none());
    let error = stored_pages[3].error.clone().unwrap();
    assert!(error.contains("timeout_secs"), "{error}");
    // robots.txt kept the browser away from the disallowed page.
    let times = site.times();
    assert!(
        !times.iter().any(|(path, _)| path.starts_with("/members/")),
        "{times:?}"
    );
    // robots.txt and every page load started at least min_delay_ms apart.
    let starts: Vec<Instant> = times
        .iter()
        .filter(|(path, _)| path != "/favicon.ico")
        .map(|(_, at)| *at)
        .collect();
    assert_eq!(starts.len(), 5, "robots.txt and four page loads: {times:?}");
    for pair in starts.windows(2) {
        let gap = pair[1].duration_since(pair[0]);
        assert!(gap >= Duration::from_millis(950), "{gap:?} in {times:?}");
    }
}
