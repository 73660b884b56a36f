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
