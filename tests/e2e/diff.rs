//! End-to-end: the real binary snapshots the two bundled capture sets into a
//! temporary store, then `diff`, `compare` and `audit` read them back.

use cartwatch_tests::cartwatch;
use predicates::str::contains;
use serde_json::Value;
use std::path::Path;

/// A store holding the 2026-10-01 set, then the 2026-11-01 set (one page of
/// which failed to fetch, so that snapshot exits 1).
fn store_with_both_sets() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    snapshot(dir.path(), "snapshots/captures/2026-10-01", 0);
    snapshot(dir.path(), "snapshots/captures/2026-11-01", 1);
    dir
}

/// The 2026-10-01 set's pages, seen again on 2026-12-01 (snapshots are
/// ordered by when their pages were seen, so the same set needs a later date
/// to be the newest).
fn october_seen_again(dir: &Path) -> std::path::PathBuf {
    let from = cartwatch_tests::bundled_captures("2026-10-01");
    let to = dir.join("seen-again");
    for entry in std::fs::read_dir(&from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(to.join(entry.file_name())).unwrap();
            for file in std::fs::read_dir(entry.path()).unwrap() {
                let file = file.unwrap();
                std::fs::copy(
                    file.path(),
                    to.join(entry.file_name()).join(file.file_name()),
                )
                .unwrap();
            }
        }
    }
    std::fs::write(
        to.join("capture.toml"),
        "taken_at = \"2026-12-01T06:00:00Z\"\n",
    )
    .unwrap();
    to
}

fn snapshot(store: &Path, set: &str, code: i32) {
    cartwatch()
        .args(["snapshot", "--from", set, "--store"])
        .arg(store)
        .assert()
        .code(code);
}

fn run(store: &Path, args: &[&str]) -> (i32, String, String) {
    let output = cartwatch()
        .args(args)
        .arg("--store")
        .arg(store)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn center<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["centers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["center"] == id)
        .unwrap_or_else(|| panic!("no center {id} in {report:#}"))
}

fn change<'a>(center: &'a Value, kind: &str) -> &'a Value {
    let found: Vec<&Value> = center["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == kind)
        .collect();
    assert_eq!(found.len(), 1, "one {kind} in {center:#}");
    found[0]
}

#[test]
fn the_diff_of_the_bundled_sets_names_each_edit() {
    let store = store_with_both_sets();
    let (code, out, err) = run(store.path(), &["diff", "--format", "json"]);
    assert_eq!(code, 1, "changes exit 1; stderr: {err}");
    let report: Value = serde_json::from_str(&out).unwrap();

    // The documented schema.
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&report), ["centers", "from", "to"]);
    assert_ne!(report["from"], report["to"]);
    for c in report["centers"].as_array().unwrap() {
        assert_eq!(keys(c), ["center", "changes", "status", "text_diff"]);
        for ch in c["changes"].as_array().unwrap() {
            assert_eq!(
                keys(ch),
                ["after", "before", "evidence", "kind", "summary", "url"]
            );
        }
    }

    // (1) uh-rainbow: the appointments number changed.
    let uh = center(&report, "uh-rainbow");
    assert_eq!(uh["status"], "changed");
    let number = change(uh, "contact_number_changed");
    assert!(
        number["before"].as_str().unwrap().contains("3951"),
        "{number:#}"
    );
    assert!(
        number["after"].as_str().unwrap().contains("3960"),
        "{number:#}"
    );
    assert!(number["summary"].as_str().unwrap().contains("appointments"));
    assert!(number["evidence"].as_str().unwrap().contains("3960"));

    // (2) to (4) ucdavis: Carvykti added, collection takes longer, review date moved.
    let davis = center(&report, "ucdavis");
    assert_eq!(davis["status"], "changed");
    let product = change(davis, "product_added");
    assert_eq!(product["after"], "carvykti");
    assert!(product["evidence"].as_str().unwrap().contains("Carvykti"));
    let duration = change(davis, "duration_changed");
    assert!(duration["summary"].as_str().unwrap().contains("collection"));
    assert!(duration["before"]
        .as_str()
        .unwrap()
        .contains("two to three hours"));
    assert!(duration["after"]
        .as_str()
        .unwrap()
        .contains("three to four hours"));
    let reviewed = change(davis, "review_date_changed");
    assert_eq!(reviewed["before"], "2023-10-12");
    assert_eq!(reviewed["after"], "2026-10-20");
    assert!(!davis["text_diff"].as_array().unwrap().is_empty());

    // (5) msk: the fetch timed out: unreachable, never removed content.
    let msk = center(&report, "msk");
    assert_eq!(msk["status"], "unreachable");
    let down = change(msk, "page_unreachable");
    assert!(down["summary"].as_str().unwrap().starts_with(&format!(
        "page unreachable since {}",
        report["to"].as_str().unwrap()
    )));
    assert_eq!(msk["changes"].as_array().unwrap().len(), 1);
    assert!(msk["text_diff"].as_array().unwrap().is_empty());

    // (6) upmc-hillman is byte-identical; acs changed only its chrome.
    assert_eq!(center(&report, "upmc-hillman")["status"], "unchanged");
    assert_eq!(center(&report, "acs")["status"], "unchanged");
    assert!(
        !out.contains("_removed\""),
        "nothing is reported removed: {out}"
    );

    // The text format says the same, without colour under NO_COLOR.
    let (code, text, _) = run(store.path(), &["diff"]);
    assert_eq!(code, 1);
    assert!(text.contains("page unreachable since"), "{text}");
    assert!(text.contains("appointments number changed"), "{text}");
    assert!(!text.contains('\x1b'), "NO_COLOR is respected");
    assert!(!text.to_lowercase().contains("removed:"), "{text}");

    let (code, markdown, _) = run(store.path(), &["diff", "--format", "markdown"]);
    assert_eq!(code, 1);
    assert!(markdown.starts_with("# cartwatch: changes from"));
    assert!(markdown.contains("`product_added`"));
}

#[test]
fn diff_filters_by_center_and_takes_explicit_snapshots() {
    let store = store_with_both_sets();
    let (code, out, _) = run(
        store.path(),
        &[
            "diff", "latest~1", "latest", "--format", "json", "--center", "ucdavis",
        ],
    );
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["centers"].as_array().unwrap().len(), 1);

    // The same snapshot on both sides: no changes, exit 0.
    let (code, out, _) = run(store.path(), &["diff", "latest", "latest"]);
    assert_eq!(code, 0, "{out}");

    let (code, _, err) = run(store.path(), &["diff", "--center", "nowhere"]);
    assert_eq!(code, 2);
    assert!(err.contains("nowhere") && err.contains("ucdavis"), "{err}");
}

#[test]
fn diff_with_fewer_than_two_snapshots_says_how_to_take_one() {
    let store = tempfile::tempdir().unwrap();
    cartwatch()
        .args(["diff", "--store"])
        .arg(store.path())
        .assert()
        .code(2)
        .stderr(contains("cartwatch snapshot"));
    snapshot(store.path(), "snapshots/captures/2026-10-01", 0);
    cartwatch()
        .args(["diff", "--store"])
        .arg(store.path())
        .assert()
        .code(2)
        .stderr(contains("has 1 snapshot(s); a diff needs two"));
}

#[test]
fn compare_keeps_a_failed_page_unknown() {
    let store = store_with_both_sets();
    let (code, out, err) = run(store.path(), &["compare", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let matrix: Value = serde_json::from_str(&out).unwrap();
    let row = |id: &str| {
        matrix["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["center"] == id)
            .unwrap()
            .clone()
    };
    let msk = row("msk");
    assert_eq!(msk["products"]["state"], "unknown");
    assert_eq!(msk["clinical_trials"]["state"], "unknown");
    let davis = row("ucdavis");
    assert!(davis["products"]["value"]
        .as_array()
        .unwrap()
        .contains(&Value::from("carvykti")));

    // The older snapshot, where msk was fetched, states what msk offers.
    let (_, out, _) = run(store.path(), &["compare", "latest~1", "--format", "json"]);
    let older: Value = serde_json::from_str(&out).unwrap();
    let msk = older["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["center"] == "msk")
        .unwrap();
    assert_ne!(msk["products"]["state"], "unknown");

    for format in ["table", "markdown", "csv", "html"] {
        let (code, out, err) = run(store.path(), &["compare", "--format", format]);
        assert_eq!(code, 0, "{format}: {err}");
        assert!(out.contains("unknown"), "{format}: {out}");
    }
    let (_, html, _) = run(store.path(), &["compare", "--format", "html"]);
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<table>"));
}

#[test]
fn audit_flags_the_changed_number_against_the_registry() {
    let store = store_with_both_sets();
    let (code, out, err) = run(store.path(), &["audit", "--format", "json"]);
    assert_eq!(code, 1, "findings at warning or above exit 1; {err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let find = |center: &str, kind: &str| {
        findings
            .iter()
            .find(|f| f["center"] == center && f["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} for {center} in {out}"))
    };
    let mismatch = find("uh-rainbow", "registry_mismatch");
    assert_eq!(mismatch["severity"], "error");
    assert!(mismatch["numbers"][0].as_str().unwrap().contains("3960"));
    assert!(!mismatch["action"].as_str().unwrap().is_empty());
    let changed = find("uh-rainbow", "number_changed");
    assert_eq!(changed["severity"], "warning");
    // ucdavis's review date moved to 2026-10-20: fresh in the newer snapshot,
    // stale (2023-10-12) in the older one.
    assert!(!findings
        .iter()
        .any(|f| f["center"] == "ucdavis" && f["kind"] == "stale_date"));
    let (_, older, _) = run(store.path(), &["audit", "latest~1", "--format", "json"]);
    let older: Value = serde_json::from_str(&older).unwrap();
    assert!(older["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["center"] == "ucdavis" && f["kind"] == "stale_date"));

    // --fail-on error still fails (the mismatch is an error); a registry that
    // expects the new number and a lenient age clear the errors.
    let (code, _, _) = run(store.path(), &["audit", "--fail-on", "error"]);
    assert_eq!(code, 1);
    let registry = store.path().join("contacts.toml");
    std::fs::write(
        &registry,
        "[center.uh-rainbow]\nappointments = \"216-844-3960\"\n",
    )
    .unwrap();
    let (code, out, _) = run(
        store.path(),
        &[
            "audit",
            "--fail-on",
            "error",
            "--registry",
            registry.to_str().unwrap(),
            "--format",
            "csv",
        ],
    );
    assert!(out.starts_with("severity,kind,center,url,numbers,summary,evidence,action"));
    assert!(!out.contains("registry_mismatch"), "{out}");
    assert_eq!(code, 0, "{out}");

    for format in ["text", "markdown"] {
        let (code, out, _) = run(store.path(), &["audit", "--format", format]);
        assert_eq!(code, 1);
        assert!(out.contains("uh-rainbow"), "{out}");
    }
}

#[test]
fn settle_suppresses_the_bundled_edits_when_they_flip_back() {
    // 2026-10-01, then the edited copy, then 2026-10-01 again: every edit
    // (and msk's outage) flips back after one snapshot.
    let store = store_with_both_sets();
    let again = october_seen_again(store.path());
    snapshot(store.path(), again.to_str().unwrap(), 0);
    let (code, out, _) = run(store.path(), &["diff", "--format", "json"]);
    assert_eq!(code, 1, "unsettled, the flip back is a change: {out}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        center(&report, "msk")["changes"][0]["kind"],
        "page_recovered"
    );

    let (code, out, _) = run(store.path(), &["diff", "--settle", "1"]);
    assert_eq!(code, 0, "settled: {out}");
    // The first diff is settled too, now that the store knows what followed.
    let (code, out, _) = run(
        store.path(),
        &["diff", "latest~2", "latest~1", "--settle", "1"],
    );
    assert_eq!(code, 0, "{out}");
    let (code, _, _) = run(store.path(), &["diff", "latest~2", "latest~1"]);
    assert_eq!(code, 1);
}

#[test]
fn reports_never_create_a_store() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-store");
    for command in ["diff", "compare", "audit"] {
        cartwatch()
            .arg(command)
            .arg("--store")
            .arg(&missing)
            .assert()
            .code(2)
            .stderr(contains("no store at"))
            .stderr(contains("cartwatch snapshot"));
        assert!(!missing.exists(), "{command} created a store");
    }
}

const MSK_URL: &str =
    "https://www.mskcc.org/cancer-care/diagnosis-treatment/cancer-treatments/immunotherapy/car-t-cell-therapy";

/// A maintenance page as sites serve it: "200 OK", the site's header and
/// footer (with a phone number) around a short notice.
const MAINTENANCE_HTML: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Scheduled Maintenance | Memorial Sloan Kettering Cancer Center</title></head>
<body>
<header><a href="/">Memorial Sloan Kettering Cancer Center</a>
<nav><a href="/about">About us</a> <a href="/cancer-care">Cancer care</a> <a href="/research">Research</a></nav></header>
<main>
<h1>We'll be back soon</h1>
<p>Our website is temporarily unavailable while we perform scheduled maintenance. We apologize for any inconvenience.</p>
<p>If you need care right away, call 646-497-9064.</p>
</main>
<footer><p>© 2026 Memorial Sloan Kettering Cancer Center</p></footer>
</body></html>
"#;

/// One capture set in `dir/<name>` with the msk page: `body` served with 200.
fn capture_set(dir: &Path, name: &str, taken_at: &str, body: &[u8]) -> std::path::PathBuf {
    let set = dir.join(name);
    let page = set.join("msk");
    std::fs::create_dir_all(&page).unwrap();
    std::fs::write(
        set.join("capture.toml"),
        format!("taken_at = \"{taken_at}\"\nlabel = \"{name}\"\n"),
    )
    .unwrap();
    let manifest = serde_json::json!({
        "url": MSK_URL,
        "fetched_at": taken_at,
        "status": 200,
        "content_type": "text/html; charset=utf-8",
        "final_url": null,
        "outcome": "ok",
        "body": "1.html"
    });
    std::fs::write(
        page.join("1.json"),
        serde_json::to_string_pretty(&manifest).unwrap(),
    )
    .unwrap();
    std::fs::write(page.join("1.html"), body).unwrap();
    set
}

fn kinds(center: &Value) -> Vec<String> {
    center["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_maintenance_page_served_with_200_is_suspect_never_removed_content() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("centers.toml");
    std::fs::write(
        &config,
        format!(
            "[[center]]\nid = \"msk\"\nname = \"Memorial Sloan Kettering Cancer Center\"\n\
             kind = \"cancer_center\"\npages = [\"{MSK_URL}\"]\n"
        ),
    )
    .unwrap();
    let good = std::fs::read(
        cartwatch_tests::repo_root().join("snapshots/captures/2026-10-01/msk/1.html"),
    )
    .unwrap();
    let store = dir.path().join("store");
    let sets = [
        capture_set(dir.path(), "good", "2026-10-01T06:00:00Z", &good),
        capture_set(
            dir.path(),
            "maintenance",
            "2026-10-08T06:00:00Z",
            MAINTENANCE_HTML.as_bytes(),
        ),
        capture_set(dir.path(), "back", "2026-10-15T06:00:00Z", &good),
    ];
    let snapshot = |set: &Path| {
        cartwatch()
            .arg("snapshot")
            .arg("--from")
            .arg(set)
            .arg("--config")
            .arg(&config)
            .arg("--store")
            .arg(&store)
            .assert()
            .code(0);
    };
    let diff = |from: &str, to: &str| -> (i32, Value) {
        let (code, out, err) = run(
            &store,
            &[
                "diff",
                from,
                to,
                "--config",
                config.to_str().unwrap(),
                "--format",
                "json",
            ],
        );
        assert!(code == 0 || code == 1, "exit {code}; stderr: {err}");
        (code, serde_json::from_str(&out).unwrap())
    };
    snapshot(&sets[0]);
    snapshot(&sets[1]);

    let (code, report) = diff("latest~1", "latest");
    assert_eq!(code, 1, "a suspect page is a change: {report:#}");
    let good_id = report["from"].as_str().unwrap().to_string();
    let msk = center(&report, "msk");
    assert_eq!(kinds(msk), ["page_content_suspect"], "{msk:#}");
    let suspect = change(msk, "page_content_suspect");
    let summary = suspect["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("page looks like an error or maintenance page (")
            && summary.ends_with("); not compared"),
        "{summary}"
    );
    assert!(
        suspect["evidence"]
            .as_str()
            .unwrap()
            .contains("temporarily unavailable"),
        "{suspect:#}"
    );
    assert_eq!(msk["text_diff"], serde_json::json!([]));
    assert!(!report.to_string().contains("_removed"), "{report:#}");

    // The matrix of the maintenance snapshot keeps the facts unknown.
    let (_, out, err) = run(&store, &["compare", "--format", "table"]);
    assert!(out.contains("unknown (page suspect)"), "{out}{err}");
    assert!(!out.contains("not stated"), "{out}");

    // The page comes back unchanged: recovered, compared with the good
    // snapshot, nothing added.
    snapshot(&sets[2]);
    let (_, report) = diff("latest~1", "latest");
    let msk = center(&report, "msk");
    assert_eq!(kinds(msk), ["page_recovered"], "{msk:#}");
    let recovered = change(msk, "page_recovered")["summary"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        recovered.contains(&format!(
            "compared with its last good record, from {good_id}"
        )),
        "{recovered}"
    );
}
