//! End-to-end: `cartwatch run`, the scheduled job. The real binary takes a
//! snapshot, diffs it against the previous one, audits, and POSTs to webhook
//! receivers on loopback: one that accepts, one that fails with 500 and one
//! that hangs. A failing webhook never loses the snapshot; it gets its own
//! exit status, 3, distinct from 0 (no changes) and 1 (changes).

use cartwatch_store::Store;
use cartwatch_tests::{bundled_captures, cartwatch, repo_root};
use predicates::str::contains;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How a receiver answers.
#[derive(Clone, Copy)]
enum Behaviour {
    Accept,
    Fail500,
    Hang,
}

/// A webhook receiver on 127.0.0.1 that records every POSTed body.
struct Receiver {
    addr: SocketAddr,
    bodies: Arc<Mutex<Vec<serde_json::Value>>>,
    _runtime: tokio::runtime::Runtime,
}

impl Receiver {
    fn start(behaviour: Behaviour) -> Receiver {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let seen = bodies.clone();
        let app = axum::Router::new().route(
            "/hooks/T0001/secret-token",
            axum::routing::post(
                move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                    let seen = seen.clone();
                    async move {
                        assert_eq!(
                            headers.get("content-type").and_then(|v| v.to_str().ok()),
                            Some("application/json")
                        );
                        let value: serde_json::Value =
                            serde_json::from_slice(&body).expect("the webhook body is JSON");
                        seen.lock().unwrap().push(value);
                        match behaviour {
                            Behaviour::Accept => (axum::http::StatusCode::OK, "ok"),
                            Behaviour::Fail500 => (
                                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                                "receiver broken",
                            ),
                            Behaviour::Hang => {
                                tokio::time::sleep(Duration::from_secs(3600)).await;
                                (axum::http::StatusCode::OK, "too late")
                            }
                        }
                    }
                },
            ),
        );
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver {
            addr,
            bodies,
            _runtime: runtime,
        }
    }

    fn url(&self) -> String {
        format!("http://{}/hooks/T0001/secret-token", self.addr)
    }

    fn bodies(&self) -> Vec<serde_json::Value> {
        self.bodies.lock().unwrap().clone()
    }
}

/// A capture folder where every listed center's one page timed out (no
/// body, so no normalizing), and a config listing those centers.
fn failed_capture_set(dir: &Path, centers: &[&str]) -> (PathBuf, PathBuf) {
    let captures = dir.join(format!("captures-{}", centers.join("-")));
    let mut config = String::from("[fetch]\nallow_private = true\nmin_delay_ms = 10\n");
    for center in centers {
        let page = captures.join(center);
        std::fs::create_dir_all(&page).unwrap();
        let url = format!("https://{center}.example/car-t");
        std::fs::write(
            page.join("1.json"),
            serde_json::json!({
                "url": url, "fetched_at": "2026-11-01T06:00:00Z", "status": null,
                "content_type": null, "final_url": null, "outcome": "timeout",
                "body": null, "error": "operation timed out after 30s"
            })
            .to_string(),
        )
        .unwrap();
        config.push_str(&format!(
            "\n[[center]]\nid = \"{center}\"\nname = \"Center {center}\"\npages = [\"{url}\"]\n"
        ));
    }
    let config_path = dir.join(format!("centers-{}.toml", centers.join("-")));
    std::fs::write(&config_path, config).unwrap();
    (captures, config_path)
}

fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_failing_and_a_hanging_webhook_are_reported_and_the_snapshot_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let good = Receiver::start(Behaviour::Accept);
    let failing = Receiver::start(Behaviour::Fail500);
    let hanging = Receiver::start(Behaviour::Hang);

    // First run: one center; nothing to compare with, no findings: no webhook is called.
    let (captures, config) = failed_capture_set(dir.path(), &["alpha"]);
    let first = cartwatch()
        .args(["run", "--from"])
        .arg(&captures)
        .arg("--config")
        .arg(&config)
        .arg("--store")
        .arg(&store)
        .args(["--notify", &good.url(), "--notify-timeout", "0.5"])
        .assert()
        .code(0)
        .stdout(contains("nothing to compare yet"));
    assert!(
        good.bodies().is_empty(),
        "{}",
        stdout_of(first.get_output())
    );

    // Second run: a center was added to the config, a change: notify. Two of
    // the three webhooks fail: exit 3 (an alert may be lost), not 1.
    let (captures, config) = failed_capture_set(dir.path(), &["alpha", "beta"]);
    let started = std::time::Instant::now();
    let second = cartwatch()
        .args(["run", "--from"])
        .arg(&captures)
        .arg("--config")
        .arg(&config)
        .arg("--store")
        .arg(&store)
        .args(["--notify", &good.url()])
        .args(["--notify", &failing.url()])
        .args(["--notify", &hanging.url()])
        .args([
            "--notify-timeout",
            "0.5",
            "--notify-retries",
            "1",
            "--notify-backoff-ms",
            "10",
        ])
        .timeout(Duration::from_secs(60))
        .assert()
        .code(3);
    let output = second.get_output();
    let (stdout, stderr) = (stdout_of(output), stderr_of(output));
    // The hanging receiver was given up on: 2 attempts of 0.5 s, not an hour.
    assert!(started.elapsed() < Duration::from_secs(30), "{stdout}");

    // Both failures are on stderr and in the summary, with the secret path redacted.
    assert!(stderr.contains("the receiver answered 500"), "{stderr}");
    assert!(stderr.contains("no answer within"), "{stderr}");
    assert!(stderr.contains("after 2 attempts"), "{stderr}");
    assert!(stdout.contains("1 delivered, 2 FAILED"), "{stdout}");
    assert!(!stdout.contains("secret-token"), "{stdout}");
    assert!(!stderr.contains("secret-token"), "{stderr}");

    // The snapshot was stored all the same.
    let manifests = Store::open(&store).unwrap().list().unwrap();
    assert_eq!(manifests.len(), 2);
    assert!(manifests[1].center("beta").is_some());
    assert!(
        stdout.contains(&format!("snapshot {} stored", manifests[1].id)),
        "{stdout}"
    );

    // The accepting receiver got the text and the full diff JSON.
    let bodies = good.bodies();
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    let payload = &bodies[0];
    let text = payload["text"]
        .as_str()
        .expect("a Slack-compatible text field");
    assert!(text.starts_with("cartwatch "), "{text}");
    assert!(text.contains(" change"), "{text}");
    assert!(text.contains("beta"), "{text}");
    assert_eq!(payload["snapshot"], manifests[1].id.as_str());
    assert_eq!(payload["previous"], manifests[0].id.as_str());
    assert_eq!(payload["diff"]["from"], manifests[0].id.as_str());
    assert_eq!(payload["diff"]["to"], manifests[1].id.as_str());
    let centers = payload["diff"]["centers"].as_array().expect("diff.centers");
    let beta = centers
        .iter()
        .find(|c| c["center"] == "beta")
        .expect("beta in the diff");
    assert_eq!(beta["changes"][0]["kind"], "center_added");
    assert!(payload["findings"]["findings"].is_array(), "{payload}");
    // The failing receiver was retried once; the hanging one was tried twice too.
    assert_eq!(failing.bodies().len(), 2);
    assert_eq!(hanging.bodies().len(), 2);
}

#[test]
fn every_webhook_failing_exits_3_not_1() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let failing = Receiver::start(Behaviour::Fail500);
    let run = |centers: &[&str]| {
        let (captures, config) = failed_capture_set(dir.path(), centers);
        let mut cmd = cartwatch();
        cmd.args(["run", "--from"])
            .arg(&captures)
            .arg("--config")
            .arg(&config)
            .arg("--store")
            .arg(&store)
            .args(["--notify", &failing.url()])
            .args(["--notify-retries", "0", "--notify-timeout", "2"]);
        cmd
    };
    run(&["alpha"]).assert().code(0);
    let output = run(&["alpha", "beta"]).assert().code(3);
    let output = output.get_output();
    let (stdout, stderr) = (stdout_of(output), stderr_of(output));
    assert!(stdout.contains("0 delivered, 1 FAILED"), "{stdout}");
    assert!(stderr.contains("the receiver answered 500"), "{stderr}");
    assert_eq!(failing.bodies().len(), 1);
    // The snapshot is kept all the same.
    assert_eq!(Store::open(&store).unwrap().list().unwrap().len(), 2);
}

#[test]
fn no_changes_exit_0_and_call_no_webhook() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let receiver = Receiver::start(Behaviour::Accept);
    let (captures, config) = failed_capture_set(dir.path(), &["alpha"]);
    for _ in 0..2 {
        cartwatch()
            .args(["run", "--from"])
            .arg(&captures)
            .arg("--config")
            .arg(&config)
            .arg("--store")
            .arg(&store)
            .args(["--notify", &receiver.url()])
            .assert()
            .code(0);
    }
    assert!(receiver.bodies().is_empty());
    assert_eq!(Store::open(&store).unwrap().list().unwrap().len(), 2);
}

#[test]
fn a_bad_config_is_an_error_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("centers.toml");
    std::fs::write(
        &config,
        "[[center]]\nid = \"Bad Id\"\nname = \"x\"\npages = [\"https://x.org/\"]\n",
    )
    .unwrap();
    let store = dir.path().join("store");
    cartwatch()
        .args(["run", "--config"])
        .arg(&config)
        .arg("--store")
        .arg(&store)
        .args(["--from"])
        .arg(bundled_captures("2026-10-01"))
        .assert()
        .code(2)
        .stderr(contains("centers.toml"));
    assert!(!store.exists() || Store::open(&store).unwrap().list().unwrap().is_empty());
}

#[test]
fn run_on_the_bundled_captures_reports_the_edits_and_posts_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let receiver = Receiver::start(Behaviour::Accept);
    let config = repo_root().join("config/centers.toml");
    let run = |set: &str| {
        cartwatch()
            .args(["run", "--from"])
            .arg(bundled_captures(set))
            .arg("--config")
            .arg(&config)
            .arg("--store")
            .arg(&store)
            .args(["--notify", &receiver.url(), "--notify-on", "error"])
            .timeout(Duration::from_secs(120))
            .assert()
    };
    run("2026-10-01")
        .code(0)
        .stdout(contains("5 pages ok, 0 failed"));
    let second = run("2026-11-01").code(1);
    let stdout = stdout_of(second.get_output());
    assert!(stdout.contains("uh-rainbow"), "{stdout}");

    let bodies = receiver.bodies();
    let payload = bodies.last().expect("the changes were posted");
    let text = payload["text"].as_str().unwrap();
    assert!(text.contains("uh-rainbow"), "{text}");
    let centers = payload["diff"]["centers"].as_array().unwrap();
    let center = |id: &str| centers.iter().find(|c| c["center"] == id).unwrap();
    let kinds = |id: &str| -> Vec<String> {
        center(id)["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["kind"].as_str().unwrap().to_string())
            .collect()
    };
    // The edits of the 2026-11-01 set (snapshots/captures/README.md).
    assert!(
        kinds("uh-rainbow").contains(&"contact_number_changed".to_string()),
        "{:?}",
        kinds("uh-rainbow")
    );
    assert!(kinds("ucdavis").contains(&"product_added".to_string()));
    assert!(kinds("msk").contains(&"page_unreachable".to_string()));
    assert!(
        kinds("upmc-hillman").is_empty(),
        "{:?}",
        kinds("upmc-hillman")
    );
    assert!(
        kinds("acs").is_empty(),
        "chrome-only edit: {:?}",
        kinds("acs")
    );
    // msk timed out: unreachable, never "removed".
    assert!(!kinds("msk").iter().any(|k| k.ends_with("_removed")));
}

#[test]
fn run_fetches_over_http_and_an_unchanged_site_exits_0() {
    let (_server, config) = cartwatch_tests::serve_capture_dir(&bundled_captures("2026-10-01"));
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("centers.toml");
    std::fs::write(&config_path, config).unwrap();
    let store = dir.path().join("store");
    let run = || {
        cartwatch()
            .arg("run")
            .arg("--config")
            .arg(&config_path)
            .arg("--store")
            .arg(&store)
            .timeout(Duration::from_secs(120))
            .assert()
    };
    run().code(0).stdout(contains("5 pages ok, 0 failed"));
    run()
        .code(0)
        .stdout(contains("5 pages ok, 0 failed"))
        .stdout(contains("0 changes"));
    let manifests = Store::open(&store).unwrap().list().unwrap();
    assert_eq!(manifests.len(), 2);
    assert!(manifests.iter().all(|m| m.pages().all(|p| p.has_record)));
}
