//! End-to-end: who may use a store when, through the real binary. Readers
//! work while a writer runs (they read the last published view and take no
//! lock), only writers exclude each other and a refused writer is told for
//! whom it waits; readers leave no trace in the store.

use cartwatch_tests::{bundled_captures, cartwatch};
use predicates::str::contains;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

fn stdout_of(args: &[&str], store: &Path) -> String {
    let out = cartwatch()
        .args(args)
        .arg("--store")
        .arg(store)
        .assert()
        .success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

fn import(store: &Path, set: &str) -> String {
    let out = stdout_of(
        &["import-captures", bundled_captures(set).to_str().unwrap()],
        store,
    );
    out.split_whitespace()
        .nth(1)
        .unwrap()
        .trim_end_matches(':')
        .to_string()
}

/// `diff` (exit 1: changes found) as JSON.
fn diff_json(store: &Path) -> String {
    let out = cartwatch()
        .args(["diff", "--format", "json", "--store"])
        .arg(store)
        .assert()
        .code(1);
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

/// A server that answers robots.txt at once and holds every page until
/// `release` is set.
fn gated_server(release: Arc<AtomicBool>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let release = release.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let n = stream.read(&mut buf).unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]);
                let response = if request.starts_with("GET /robots.txt") {
                    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .to_string()
                } else {
                    while !release.load(Ordering::SeqCst) {
                        std::thread::sleep(Duration::from_millis(20));
                    }
                    let body = "<html><head><title>Slow</title></head><body><main><p>CAR T-cell therapy. Call 212-639-2000.</p></main></body></html>";
                    format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())
                };
                let _ = stream.write_all(response.as_bytes());
            });
        }
    });
    format!("http://{addr}")
}

/// Every file under `dir` with its length and modification time.
fn tree(dir: &Path) -> Vec<(PathBuf, u64, SystemTime)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let meta = entry.metadata().unwrap();
        if meta.is_dir() {
            out.extend(tree(&entry.path()));
        } else {
            out.push((entry.path(), meta.len(), meta.modified().unwrap()));
        }
    }
    out.sort();
    out
}

#[test]
fn readers_work_while_a_writer_runs_and_a_second_writer_is_told_for_whom_it_waits() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let october = import(&store, "2026-10-01");
    let november = import(&store, "2026-11-01");
    let listed = stdout_of(&["snapshots", "--json"], &store);
    let shown = stdout_of(&["show", "latest", "--format", "json"], &store);
    let diff = diff_json(&store);

    let release = Arc::new(AtomicBool::new(false));
    let base = gated_server(release.clone());
    let config = dir.path().join("centers.toml");
    std::fs::write(
        &config,
        format!("[fetch]\nallow_private = true\nmin_delay_ms = 10\nretries = 0\ntimeout_secs = 60\n\n[[center]]\nid = \"slow\"\nname = \"Slow\"\npages = [\"{base}/car-t\"]\n"),
    )
    .unwrap();
    let mut writer = std::process::Command::new(assert_cmd::cargo::cargo_bin("cartwatch"))
        .current_dir(cartwatch_tests::repo_root())
        .args(["snapshot", "--config"])
        .arg(&config)
        .arg("--store")
        .arg(&store)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = writer.id();
    let started = Instant::now();
    let lock = store.join("cartwatch.lock");
    while std::fs::read_to_string(&lock)
        .map_or(true, |t| t.lines().next() != Some(pid.to_string().as_str()))
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the writer never locked"
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    // While the writer holds the store: readers read the last committed state.
    assert_eq!(stdout_of(&["snapshots", "--json"], &store), listed);
    assert_eq!(
        stdout_of(&["show", "latest", "--format", "json"], &store),
        shown
    );
    assert_eq!(diff_json(&store), diff);
    stdout_of(&["show", &october], &store);
    stdout_of(&["fsck"], &store);
    // A second writer is refused, told who holds the store since when.
    cartwatch()
        .arg("import-captures")
        .arg(bundled_captures("2026-11-01"))
        .arg("--store")
        .arg(&store)
        .assert()
        .code(2)
        .stderr(contains(format!("in use by PID {pid} since 20")))
        .stderr(contains("`cartwatch snapshot`"));

    release.store(true, Ordering::SeqCst);
    let status = writer.wait().unwrap();
    let mut err = String::new();
    writer
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(status.success(), "writer: {status:?} {err}");
    // Its snapshot is visible once committed.
    let after = stdout_of(&["snapshots", "--json"], &store);
    assert_eq!(after.lines().count(), 3, "{after}");
    assert!(after.contains(&november));

    // Readers change nothing, not even the lock file, and leave nothing behind.
    let before = tree(&store);
    std::thread::sleep(Duration::from_millis(20));
    stdout_of(&["snapshots"], &store);
    stdout_of(&["show", "latest"], &store);
    stdout_of(&["fsck"], &store);
    stdout_of(&["export", "latest"], &store);
    assert_eq!(tree(&store), before);
}

/// Pack bytes flipped in the middle of one record blob of the October
/// snapshot (a page whose record changed in November).
fn damage_an_october_record(store_path: &Path, october: &str, november: &str) -> (String, String) {
    use sha2::Digest;
    let store = cartwatch_store::Store::open(store_path).unwrap();
    let old = store.records(october).unwrap();
    let new = store.records(november).unwrap();
    let (center, url, record) = old
        .into_iter()
        .find(|(c, u, r)| {
            new.iter().any(|(c2, u2, r2)| {
                c == c2
                    && u == u2
                    && serde_json::to_vec(r).unwrap() != serde_json::to_vec(r2).unwrap()
            })
        })
        .expect("a page whose record changed");
    let hash = hex::encode(sha2::Sha256::digest(serde_json::to_vec(&record).unwrap()));
    let (file, loc) = store.locate(&hash).unwrap().expect("the record blob");
    drop(store);
    let mut bytes = std::fs::read(&file).unwrap();
    let at = (loc.offset + loc.compressed_len as u64 / 2) as usize;
    bytes[at] ^= 0x55;
    bytes[at + 1] ^= 0x55;
    std::fs::write(&file, bytes).unwrap();
    (center, url)
}

#[test]
fn a_damaged_pack_breaks_only_what_it_held_and_quarantine_marks_it_lost() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let october = import(&store, "2026-10-01");
    let november = import(&store, "2026-11-01");
    let again = import(&store, "2026-11-01");
    let shown = stdout_of(&["show", &november, "--format", "json"], &store);
    let (center, url) = damage_an_october_record(&store, &october, &november);

    // What does not touch the damaged blob keeps working.
    assert_eq!(
        stdout_of(&["snapshots", "--json"], &store).lines().count(),
        3
    );
    assert_eq!(
        stdout_of(&["show", &november, "--format", "json"], &store),
        shown
    );
    stdout_of(&["diff", &november, &again], &store);
    // What does is an error naming it.
    cartwatch()
        .args(["show", &october, "--store"])
        .arg(&store)
        .assert()
        .code(2)
        .stderr(contains("integrity check failed"))
        .stderr(contains(url.as_str()));
    // New snapshots are taken, into a new pack.
    let packs_before = std::fs::read_dir(store.join("packs")).unwrap().count();
    let newest = import(&store, "2026-11-01");
    assert!(std::fs::read_dir(store.join("packs")).unwrap().count() > packs_before);
    stdout_of(&["show", &newest], &store);

    // fsck names what is lost: the page, its center and snapshot.
    let lost = format!("the record of page {url} (center {center}) in snapshot {october}");
    let checked = cartwatch()
        .args(["fsck", "--store"])
        .arg(&store)
        .assert()
        .code(1);
    let checked = String::from_utf8_lossy(&checked.get_output().stdout).into_owned();
    assert!(checked.contains(&lost), "{checked}");
    assert!(checked.contains("--quarantine"), "{checked}");

    let quarantined = stdout_of(&["fsck", "--quarantine"], &store);
    assert!(quarantined.contains("quarantined: "), "{quarantined}");
    assert!(
        quarantined.contains(&format!("lost: {lost}")),
        "{quarantined}"
    );
    assert!(quarantined.contains("ok: 4 snapshot(s)"), "{quarantined}");
    // The damaged pack is kept aside, never deleted.
    assert_eq!(
        std::fs::read_dir(store.join("quarantine")).unwrap().count(),
        1
    );

    // After quarantine, commands are clean; the page says what was lost.
    stdout_of(&["fsck"], &store);
    let october_view: serde_json::Value =
        serde_json::from_str(&stdout_of(&["show", &october, "--format", "json"], &store)).unwrap();
    let page = october_view["centers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == center.as_str())
        .and_then(|c| {
            c["pages"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["url"] == url.as_str())
        })
        .unwrap()
        .clone();
    assert_eq!(page["has_record"], false, "{page}");
    assert!(
        page["error"].as_str().unwrap().starts_with("lost:"),
        "{page}"
    );
    // A lost record is a failed page for the diff, never removed content.
    let diff: serde_json::Value =
        serde_json::from_str(&diff_json_between(&store, &october, &november)).unwrap();
    let centers = diff["centers"].as_array().expect("centers");
    let entry = centers
        .iter()
        .find(|c| c["center"] == center.as_str() || c["id"] == center.as_str())
        .unwrap_or_else(|| panic!("{diff}"))
        .to_string();
    // The page comes back as recovered from a failure, with nothing to compare.
    assert!(entry.contains("page_recovered"), "{entry}");
    assert!(!entry.contains("_removed\""), "{entry}");
    assert_eq!(
        stdout_of(&["snapshots", "--json"], &store).lines().count(),
        4
    );
    import(&store, "2026-10-01");
    stdout_of(&["fsck"], &store);
}

fn diff_json_between(store: &Path, from: &str, to: &str) -> String {
    let out = cartwatch()
        .args(["diff", from, to, "--format", "json", "--store"])
        .arg(store)
        .output()
        .unwrap();
    assert!(out.status.code().unwrap() < 2, "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_new_snapshot_stores_again_what_it_finds_damaged_instead_of_referencing_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let october = import(&store, "2026-10-01");
    let november = import(&store, "2026-11-01");
    let (_, url) = damage_an_october_record(&store, &october, &november);
    cartwatch()
        .args(["fsck", "--store"])
        .arg(&store)
        .assert()
        .code(1)
        .stdout(contains(url.as_str()));
    // The same pages seen again: the damaged record is written again into
    // the new snapshot's pack, and the index points there from then on.
    let again = import(&store, "2026-10-01");
    stdout_of(&["show", &again], &store);
    stdout_of(&["show", &october], &store);
    let checked = stdout_of(&["fsck"], &store);
    assert!(checked.contains("ok: 3 snapshot(s)"), "{checked}");
}
