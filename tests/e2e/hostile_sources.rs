//! End-to-end: hostile sources cannot make the real binary read what it
//! should not, and every source is bounded. Capture manifests that name a
//! body outside their folder are refused (point 5 of issue 11).

use cartwatch_store::Store;
use cartwatch_tests::cartwatch;
use predicates::str::contains;
use std::path::{Path, PathBuf};

const PAGE: &str = "<!doctype html><html><head><title>CAR T</title></head><body><main>\
<h1>CAR T-Cell Therapy</h1><p>We offer Kymriah for adults with lymphoma. Call 216-844-3951.</p>\
</main></body></html>";

const URL: &str = "https://center.example/car-t";

/// A config watching one page of center `c`.
fn write_config(dir: &Path, extra_fetch: &str) -> PathBuf {
    let path = dir.join("centers.toml");
    std::fs::write(
        &path,
        format!(
            "[fetch]\n{extra_fetch}\n[[center]]\nid = \"c\"\nname = \"C\"\npages = [\"{URL}\"]\n"
        ),
    )
    .unwrap();
    path
}

/// A capture folder `set/` with one page of center `c` whose manifest names `body`.
fn capture_set(dir: &Path, body: &str) -> PathBuf {
    let set = dir.join("set");
    std::fs::create_dir_all(set.join("c")).unwrap();
    let manifest = serde_json::json!({
        "url": URL,
        "fetched_at": "2026-11-01T06:00:00Z",
        "status": 200,
        "content_type": "text/html",
        "outcome": "ok",
        "body": body,
    });
    std::fs::write(set.join("c/1.json"), manifest.to_string()).unwrap();
    set
}

/// A file outside the capture folder that must never be read.
fn secret(dir: &Path) -> PathBuf {
    let path = dir.join("secret.html");
    std::fs::write(&path, "<p>SECRET-TOKEN root:x:0:0</p>").unwrap();
    path
}

/// `snapshot --from` and `import-captures` both refuse the set, name the
/// manifest, and store nothing (an earlier snapshot is kept).
fn assert_refused(dir: &Path, set: &Path) {
    let config = write_config(dir, "");
    let store = dir.join("store");
    // A good snapshot first: it must survive the refused ones.
    let good = dir.join("good");
    std::fs::create_dir_all(good.join("c")).unwrap();
    std::fs::write(good.join("c/1.html"), PAGE).unwrap();
    std::fs::write(
        good.join("c/1.json"),
        serde_json::json!({"url": URL, "fetched_at": "2026-10-01T06:00:00Z", "status": 200,
            "content_type": "text/html", "outcome": "ok", "body": "1.html"})
        .to_string(),
    )
    .unwrap();
    cartwatch()
        .args(["snapshot", "--config"])
        .arg(&config)
        .arg("--store")
        .arg(&store)
        .arg("--from")
        .arg(&good)
        .assert()
        .success();

    let manifest = set.join("c").join("1.json");
    for command in [&["snapshot", "--from"][..], &["import-captures"][..]] {
        let out = cartwatch()
            .args(command)
            .arg(set)
            .arg("--config")
            .arg(&config)
            .arg("--store")
            .arg(&store)
            .assert()
            .code(2)
            .stderr(contains(manifest.display().to_string()))
            .stderr(contains("outside the capture folder"));
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(!stderr.contains("SECRET-TOKEN"), "{stderr}");
    }
    let store = Store::open(&store).unwrap();
    let snapshots = store.list().unwrap();
    assert_eq!(snapshots.len(), 1, "only the good snapshot is stored");
    let records = store.records(&snapshots[0].id).unwrap();
    assert!(records[0].2.main_text.contains("Kymriah"));
    assert!(!records[0].2.main_text.contains("SECRET"));
}

#[test]
fn a_manifest_body_with_dot_dot_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    secret(dir.path());
    let set = capture_set(dir.path(), "../../secret.html");
    assert_refused(dir.path(), &set);
}

#[test]
fn a_manifest_body_with_an_absolute_path_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let secret = secret(dir.path());
    let set = capture_set(dir.path(), &secret.display().to_string());
    assert_refused(dir.path(), &set);
}

#[cfg(unix)]
#[test]
fn a_body_symlink_escaping_the_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let secret = secret(dir.path());
    let set = capture_set(dir.path(), "1.html");
    std::os::unix::fs::symlink(&secret, set.join("c/1.html")).unwrap();
    assert_refused(dir.path(), &set);
}

#[cfg(unix)]
#[test]
fn a_symlink_inside_the_folder_is_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let set = capture_set(dir.path(), "1.html");
    std::fs::write(set.join("c/page.html"), PAGE).unwrap();
    std::os::unix::fs::symlink(set.join("c/page.html"), set.join("c/1.html")).unwrap();
    let config = write_config(dir.path(), "");
    cartwatch()
        .args(["snapshot", "--from"])
        .arg(&set)
        .arg("--config")
        .arg(&config)
        .arg("--store")
        .arg(dir.path().join("store"))
        .assert()
        .success()
        .stdout(contains("1 pages ok, 0 failed"));
}

/// A loopback server on `ip` that logs every request path; `/car-t` is a
/// page, `/to-admin` redirects to `redirect_to`, `/admin` is a secret.
struct LoggingServer {
    addr: std::net::SocketAddr,
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    _runtime: tokio::runtime::Runtime,
}

impl LoggingServer {
    fn start(ip: &str, redirect_to: Option<String>) -> LoggingServer {
        use axum::http::{Response, StatusCode, Uri};
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind((ip, 0)))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let logged = log.clone();
        let app = axum::Router::new().fallback(move |uri: Uri| {
            let log = logged.clone();
            let redirect_to = redirect_to.clone();
            async move {
                log.lock().unwrap().push(uri.path().to_string());
                let response = Response::builder();
                match uri.path() {
                    "/car-t" => response
                        .header("content-type", "text/html")
                        .body(axum::body::Body::from(PAGE))
                        .unwrap(),
                    "/admin" => response
                        .header("content-type", "text/html")
                        .body(axum::body::Body::from("<p>SECRET-TOKEN admin console</p>"))
                        .unwrap(),
                    "/to-admin" if redirect_to.is_some() => response
                        .status(StatusCode::FOUND)
                        .header("location", redirect_to.unwrap())
                        .body(axum::body::Body::empty())
                        .unwrap(),
                    _ => response
                        .status(StatusCode::NOT_FOUND)
                        .body(axum::body::Body::empty())
                        .unwrap(),
                }
            }
        });
        runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        LoggingServer {
            addr,
            log,
            _runtime: runtime,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

/// A config (quick politeness) whose center `c` watches `pages`, with
/// extra `[fetch]` lines and extra center lines.
fn live_config(dir: &Path, fetch: &str, center: &str, pages: &[String]) -> PathBuf {
    let path = dir.join("live.toml");
    let pages: Vec<String> = pages.iter().map(|p| format!("{p:?}")).collect();
    std::fs::write(
        &path,
        format!(
            "[fetch]\nmin_delay_ms = 10\nretries = 0\ntimeout_secs = 10\nconnect_timeout_secs = 5\n{fetch}\n\
             [[center]]\nid = \"c\"\nname = \"C\"\npages = [{}]\n{center}\n",
            pages.join(", ")
        ),
    )
    .unwrap();
    path
}

fn live_snapshot(config: &Path, store: &Path) -> assert_cmd::assert::Assert {
    cartwatch()
        .args(["snapshot", "--config"])
        .arg(config)
        .arg("--store")
        .arg(store)
        .assert()
}

fn stored_outcomes(store: &Path) -> Vec<(String, cartwatch_model::FetchOutcome, bool)> {
    let store = Store::open(store).unwrap();
    let manifests = store.list().unwrap();
    let last = manifests.last().unwrap();
    last.pages()
        .map(|p| (p.url.clone(), p.outcome.clone(), p.body_sha256.is_some()))
        .collect()
}

#[test]
fn loopback_pages_are_refused_by_default_and_fetched_when_allowed() {
    use cartwatch_model::FetchOutcome;
    let server = LoggingServer::start("127.0.0.1", None);
    let dir = tempfile::tempdir().unwrap();
    // An IP literal (checked per hop) and a name resolving to loopback
    // (checked by the DNS resolver).
    let literal = server.url("/car-t");
    let by_name = format!("http://localhost:{}/car-t", server.addr.port());
    let config = live_config(dir.path(), "", "", &[literal.clone(), by_name.clone()]);
    let store = dir.path().join("refused");
    live_snapshot(&config, &store)
        .code(1)
        .stdout(contains("0 pages ok, 2 failed"))
        .stdout(contains(format!("blocked_private_address {literal}")))
        .stdout(contains(format!("blocked_private_address {by_name}")));
    assert!(
        server.requests().is_empty(),
        "nothing, robots.txt included, was requested: {:?}",
        server.requests()
    );
    let outcomes = stored_outcomes(&store);
    assert!(outcomes
        .iter()
        .all(|(_, o, body)| *o == FetchOutcome::BlockedPrivateAddress && !body));
    let snapshot = Store::open(&store).unwrap().list().unwrap()[0].clone();
    let errors: Vec<String> = snapshot.pages().filter_map(|p| p.error.clone()).collect();
    assert!(
        errors.iter().all(|e| e.contains("allow_private")),
        "{errors:?}"
    );

    // With the setting, the same pages are fetched.
    let config = live_config(dir.path(), "allow_private = true", "", &[literal, by_name]);
    live_snapshot(&config, &dir.path().join("allowed"))
        .success()
        .stdout(contains("2 pages ok, 0 failed"));
    assert!(server.requests().contains(&"/car-t".to_string()));
}

#[test]
fn a_redirect_to_a_host_the_center_does_not_allow_is_refused() {
    use cartwatch_model::FetchOutcome;
    let admin = LoggingServer::start("127.0.0.1", None);
    let site = LoggingServer::start("127.0.0.2", Some(admin.url("/admin")));
    let metadata = LoggingServer::start(
        "127.0.0.2",
        Some("http://169.254.169.254/latest/meta-data/".into()),
    );
    let dir = tempfile::tempdir().unwrap();
    let pages = [
        site.url("/car-t"),
        site.url("/to-admin"),
        metadata.url("/to-admin"),
    ];
    let config = live_config(
        dir.path(),
        "",
        "allow_private_hosts = [\"127.0.0.2\"]",
        &pages,
    );
    let store = dir.path().join("store");
    let out = live_snapshot(&config, &store)
        .code(1)
        .stdout(contains("1 pages ok, 2 failed"))
        .stdout(contains(format!("blocked_private_address {}", pages[1])))
        .stdout(contains(format!("blocked_private_address {}", pages[2])));
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(!stdout.contains("SECRET"), "{stdout}");
    // The allowed host was fetched; the host it redirected to never heard from us.
    assert!(site.requests().contains(&"/car-t".to_string()));
    assert!(site.requests().contains(&"/to-admin".to_string()));
    assert!(admin.requests().is_empty(), "{:?}", admin.requests());
    let outcomes = stored_outcomes(&store);
    assert_eq!(outcomes[0].1, FetchOutcome::Ok);
    for (url, outcome, has_body) in &outcomes[1..] {
        assert_eq!(*outcome, FetchOutcome::BlockedPrivateAddress, "{url}");
        assert!(!has_body, "{url}: nothing stored");
    }
    let snapshot = Store::open(&store).unwrap().list().unwrap()[0].clone();
    let error = snapshot.pages().nth(1).unwrap().error.clone().unwrap();
    assert!(error.contains(&admin.url("/admin")), "{error}");
}

// ---- Every source is bounded (issue 11 §8) ----

const URL2: &str = "https://center.example/contact";

/// A config watching `URL` and `URL2` of center `c`, with a 1 MB body cap.
fn capped_config(dir: &Path) -> PathBuf {
    let path = dir.join("capped.toml");
    std::fs::write(
        &path,
        format!(
            "[fetch]\nmax_body_bytes = 1000000\n\n[[center]]\nid = \"c\"\nname = \"C\"\npages = [\"{URL}\", \"{URL2}\"]\n"
        ),
    )
    .unwrap();
    path
}

fn outcome_of(store: &Path, url: &str) -> (cartwatch_model::FetchOutcome, Option<String>, bool) {
    let store = Store::open(store).unwrap();
    let manifest = store.list().unwrap().pop().unwrap();
    let page = manifest.pages().find(|p| p.url == url).unwrap().clone();
    (page.outcome, page.error, page.body_sha256.is_some())
}

#[test]
fn a_capture_page_past_max_body_bytes_is_too_large_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let set = dir.path().join("set");
    std::fs::create_dir_all(set.join("c")).unwrap();
    // 3 MB of HTML, three times the cap.
    let mut big = String::from("<html><body><main><p>CAR T</p>");
    big.push_str(&"<p>filler text</p>".repeat(3_000_000 / 18));
    std::fs::write(set.join("c/1.html"), &big).unwrap();
    std::fs::write(set.join("c/2.html"), PAGE).unwrap();
    for (n, url) in [(1, URL), (2, URL2)] {
        std::fs::write(
            set.join(format!("c/{n}.json")),
            serde_json::json!({"url": url, "fetched_at": "2026-11-01T06:00:00Z", "status": 200,
                "content_type": "text/html", "outcome": "ok", "body": format!("{n}.html")})
            .to_string(),
        )
        .unwrap();
    }
    let store = dir.path().join("store");
    cartwatch()
        .args(["snapshot", "--from"])
        .arg(&set)
        .arg("--config")
        .arg(capped_config(dir.path()))
        .arg("--store")
        .arg(&store)
        .assert()
        .code(1)
        .stdout(contains("1 pages ok, 1 failed"))
        .stdout(contains(format!("too_large {URL}")));
    let (outcome, error, stored) = outcome_of(&store, URL);
    assert_eq!(outcome, cartwatch_model::FetchOutcome::TooLarge);
    assert!(!stored, "no body stored");
    assert!(error.unwrap().contains("max_body_bytes"));
    assert_eq!(
        outcome_of(&store, URL2).0,
        cartwatch_model::FetchOutcome::Ok
    );
}

/// One WARC `response` record: `extra_headers` go into the HTTP head, the
/// payload is written in pieces by `payload` (so a huge one is never built).
fn write_response(
    out: &mut impl std::io::Write,
    url: &str,
    extra_headers: &str,
    payload_len: u64,
    payload: &mut dyn FnMut(&mut dyn std::io::Write),
) {
    let http_head = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n{extra_headers}\r\n");
    let block_len = http_head.len() as u64 + payload_len;
    write!(
        out,
        "WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: {url}\r\nWARC-Date: 2026-11-01T06:00:00Z\r\n\
         Content-Type: application/http;msgtype=response\r\nContent-Length: {block_len}\r\n\r\n{http_head}"
    )
    .unwrap();
    payload(out);
    out.write_all(b"\r\n\r\n").unwrap();
}

fn import(warc: &Path, config: &Path, store: &Path) -> assert_cmd::assert::Assert {
    cartwatch()
        .arg("import-captures")
        .arg(warc)
        .arg("--config")
        .arg(config)
        .arg("--store")
        .arg(store)
        .assert()
}

#[test]
fn a_warc_gzip_bomb_is_too_large_and_never_expanded_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let warc = dir.path().join("bomb.warc.gz");
    // A small file whose one record expands to 200 MB of markup.
    let huge: u64 = 200 * 1024 * 1024;
    let file = std::fs::File::create(&warc).unwrap();
    let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::best());
    write_response(&mut gz, URL, "", huge, &mut |out| {
        let piece = vec![b' '; 1 << 20];
        for _ in 0..huge >> 20 {
            out.write_all(&piece).unwrap();
        }
    });
    write_response(&mut gz, URL2, "", PAGE.len() as u64, &mut |out| {
        out.write_all(PAGE.as_bytes()).unwrap()
    });
    gz.finish().unwrap();
    assert!(std::fs::metadata(&warc).unwrap().len() < 2 * 1024 * 1024);

    let store = dir.path().join("store");
    import(&warc, &capped_config(dir.path()), &store)
        .success()
        .stdout(contains("1 pages ok, 1 failed"))
        .stdout(contains(format!("too_large {URL}")));
    let (outcome, error, stored) = outcome_of(&store, URL);
    assert_eq!(outcome, cartwatch_model::FetchOutcome::TooLarge);
    assert!(!stored);
    assert!(error.unwrap().contains("max_body_bytes"));
    assert_eq!(
        outcome_of(&store, URL2).0,
        cartwatch_model::FetchOutcome::Ok
    );
}

#[test]
fn a_gzip_encoded_payload_inside_a_warc_record_is_decoded_within_the_cap() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    // A 100 KB gzip payload that decodes to 100 MB.
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let piece = vec![b'a'; 1 << 20];
    for _ in 0..100 {
        encoder.write_all(&piece).unwrap();
    }
    let payload = encoder.finish().unwrap();
    let warc = dir.path().join("encoded.warc");
    let mut file = std::fs::File::create(&warc).unwrap();
    write_response(
        &mut file,
        URL,
        "Content-Encoding: gzip\r\n",
        payload.len() as u64,
        &mut |out| out.write_all(&payload).unwrap(),
    );
    write_response(&mut file, URL2, "", PAGE.len() as u64, &mut |out| {
        out.write_all(PAGE.as_bytes()).unwrap()
    });
    drop(file);

    let store = dir.path().join("store");
    import(&warc, &capped_config(dir.path()), &store)
        .success()
        .stdout(contains("1 pages ok, 1 failed"))
        .stdout(contains(format!("too_large {URL}")));
    assert_eq!(
        outcome_of(&store, URL).0,
        cartwatch_model::FetchOutcome::TooLarge
    );
    assert_eq!(
        outcome_of(&store, URL2).0,
        cartwatch_model::FetchOutcome::Ok
    );
}

// ---- Binary garbage served as text/html (issue 11 §12) ----

#[test]
fn binary_garbage_served_as_html_is_not_html_and_never_removed_content() {
    use axum::http::Response;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let served = std::sync::Arc::new(AtomicUsize::new(0));
    let app = axum::Router::new().route(
        "/car-t",
        axum::routing::get(move || {
            let served = served.clone();
            async move {
                // The first request gets the page, later ones binary noise.
                let body: Vec<u8> = if served.fetch_add(1, Ordering::SeqCst) == 0 {
                    PAGE.as_bytes().to_vec()
                } else {
                    (0..20_000u32)
                        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
                        .collect()
                };
                Response::builder()
                    .header("content-type", "text/html; charset=utf-8")
                    .body(axum::body::Body::from(body))
                    .unwrap()
            }
        }),
    );
    runtime.spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let url = format!("http://{addr}/car-t");
    let dir = tempfile::tempdir().unwrap();
    let config = live_config(
        dir.path(),
        "allow_private = true",
        "",
        std::slice::from_ref(&url),
    );
    let store = dir.path().join("store");
    live_snapshot(&config, &store)
        .success()
        .stdout(contains("1 pages ok, 0 failed"));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    live_snapshot(&config, &store)
        .code(1)
        .stdout(contains(format!("not_html {url}")));
    let (outcome, error, _) = outcome_of(&store, &url);
    assert_eq!(outcome, cartwatch_model::FetchOutcome::NotHtml);
    assert!(error.unwrap().contains("binary"));

    // The diff reports the page as failing, not its content as removed.
    let out = cartwatch()
        .args(["diff", "--format", "json", "--config"])
        .arg(&config)
        .arg("--store")
        .arg(&store)
        .assert();
    let code = out.get_output().status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "diff ran: {:?}",
        out.get_output()
    );
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(stdout.contains(&url), "the page is in the diff: {stdout}");
    assert!(!stdout.contains("\"removed\""), "{stdout}");
    assert!(
        !stdout.contains("Kymriah"),
        "no fact of the page reported as changed: {stdout}"
    );
}
