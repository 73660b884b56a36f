//! End-to-end: `cartwatch history` (and the report's history of facts) on a
//! store filled by `cartwatch backfill` from a fake Wayback server on
//! loopback: a product's first appearance and a number's change at their
//! capture dates, gaps shown as gaps.

use cartwatch_tests::archive::sample::{archive_pages, write_config, ALPHA};
use cartwatch_tests::archive::FakeArchive;
use cartwatch_tests::cartwatch;
use predicates::str::contains;
use std::path::{Path, PathBuf};

/// A store backfilled from the sample archive; returns (dir, config, store).
fn backfilled() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let archive = FakeArchive::start(archive_pages(), 100);
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    let store = dir.path().join("store");
    cartwatch()
        .arg("backfill")
        .arg("--config")
        .arg(&config)
        .arg("--store")
        .arg(&store)
        .args(["--archive-url", &archive.base(), "--delay-ms", "10"])
        .assert()
        .success();
    (dir, config, store)
}

fn history(store: &Path, args: &[&str]) -> String {
    let output = cartwatch()
        .arg("history")
        .args(args)
        .arg("--store")
        .arg(store)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn history_dates_a_products_first_appearance_and_a_numbers_change_at_capture_time() {
    let (_dir, _config, store) = backfilled();
    let text = history(&store, &["alpha"]);
    // Kymriah from the first capture on; Yescarta from March 2020.
    assert!(
        text.contains("kymriah (for lymphoma): first seen 2019-01-20T08:00:00Z, last seen 2021-09-01T08:00:00Z; still stated (1 gap(s) in between, not changes)"),
        "{text}"
    );
    assert!(
        text.contains("yescarta (for lymphoma): first seen 2020-03-01T08:00:00Z, last seen 2021-09-01T08:00:00Z; still stated"),
        "{text}"
    );
    assert!(
        text.contains("\"We offer Kymriah and Yescarta for adults with lymphoma.\""),
        "{text}"
    );
    // The referral number changed in September 2021.
    let old = text
        .lines()
        .find(|l| l.trim_start().starts_with("216-844-3951"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        old.contains("first seen 2019-01-20T08:00:00Z, last seen 2020-03-01T08:00:00Z; not stated from 2021-09-01T08:00:00Z"),
        "{old}"
    );
    let new = text
        .lines()
        .find(|l| l.trim_start().starts_with("216-445-2000"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(new.contains("first seen 2021-09-01T08:00:00Z"), "{new}");
    // Months without an alpha capture are gaps, not changes.
    assert!(
        text.contains("2020-11-15T09:00:00Z  not captured"),
        "{text}"
    );

    // Beta: a redirect capture and an archived maintenance page are gaps;
    // Breyanzi is never "not stated".
    let beta = history(&store, &["beta", "--fact", "product"]);
    assert!(beta.contains("breyanzi"), "{beta}");
    assert!(!beta.contains("not stated from"), "{beta}");
    assert!(beta.contains("unreachable (http_error(302))"), "{beta}");
    assert!(beta.contains("error page"), "{beta}");
    assert!(
        !beta.contains("216-844-3951") && !beta.contains("\ncontact"),
        "--fact product only: {beta}"
    );
}

#[test]
fn history_as_json_and_csv_and_in_the_report() {
    let (dir, config, store) = backfilled();
    let json: serde_json::Value = serde_json::from_str(&history(
        &store,
        &["alpha", "--format", "json", "--fact", "product"],
    ))
    .unwrap();
    let facts = json["facts"].as_array().unwrap();
    let yescarta = facts.iter().find(|f| f["key"] == "yescarta").unwrap();
    assert_eq!(yescarta["url"], ALPHA);
    assert_eq!(
        yescarta["spans"][0]["first_seen"]["at"],
        "2020-03-01T08:00:00Z"
    );
    assert!(yescarta["spans"][0]["ended"].is_null());
    assert!(facts.iter().all(|f| f["fact"] == "product"));

    let csv = history(&store, &["alpha", "--format", "csv", "--fact", "contact"]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "center,url,fact,key,value,first_seen,first_snapshot,last_seen,last_snapshot,ended,gaps,evidence"
    );
    assert!(
        csv.lines().any(|l| l
            .starts_with("alpha,https://alpha.example/car-t,contact,+12164452000,")
            && l.contains(",2021-09-01T08:00:00Z,")),
        "{csv}"
    );

    // An unknown center is an error naming the known ones.
    cartwatch()
        .args(["history", "gamma", "--store"])
        .arg(&store)
        .assert()
        .code(2)
        .stderr(contains("no snapshot"))
        .stderr(contains("alpha, beta"));

    // The diff across archive snapshots notes gaps, never removals.
    let diff = cartwatch()
        .args(["diff", "--format", "json", "--store"])
        .arg(&store)
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    let diff = String::from_utf8(diff.stdout).unwrap();
    assert!(diff.contains("page_not_captured"), "{diff}");
    assert!(
        !diff.contains("page_removed") && !diff.contains("page_added"),
        "{diff}"
    );

    let report = dir.path().join("report.html");
    cartwatch()
        .arg("report")
        .arg("--store")
        .arg(&store)
        .arg("--config")
        .arg(&config)
        .arg("--out")
        .arg(&report)
        .assert()
        .success();
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("<h4>History of facts</h4>"));
    assert!(
        html.contains(
            "<td>product</td><td>yescarta (for lymphoma)</td><td>2020-03-01T08:00:00Z</td>"
        ),
        "report history row"
    );
}
