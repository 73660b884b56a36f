//! End-to-end: `cartwatch backfill` against a fake Wayback server on
//! loopback (CDX JSON with duplicates and paging, `id_` replays, a redirect,
//! an error page, 429s), through the real binary and a real store.

use cartwatch_model::{FetchOutcome, SnapshotManifest, SnapshotSource};
use cartwatch_store::Store;
use cartwatch_tests::archive::sample::{archive_pages, write_config, ALPHA};
use cartwatch_tests::archive::{FakeArchive, Logged};
use cartwatch_tests::cartwatch;
use predicates::str::contains;
use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

fn backfill(
    config: &Path,
    store: &Path,
    archive: &FakeArchive,
    delay_ms: u64,
) -> assert_cmd::Command {
    let mut cmd = cartwatch();
    cmd.arg("backfill")
        .arg("--config")
        .arg(config)
        .arg("--store")
        .arg(store)
        .args(["--every", "month", "--archive-url"])
        .arg(archive.base())
        .args(["--delay-ms", &delay_ms.to_string()]);
    cmd
}

fn manifests(store: &Path) -> Vec<SnapshotManifest> {
    Store::open_read_only(store).unwrap().list().unwrap()
}

/// Every (center, url, timestamp) imported, with repeats.
fn imported(manifests: &[SnapshotManifest]) -> Vec<(String, String, String)> {
    manifests
        .iter()
        .flat_map(|m| match &m.source {
            SnapshotSource::Archive { captures, .. } => captures
                .iter()
                .map(|c| (c.center.clone(), c.url.clone(), c.timestamp.clone()))
                .collect(),
            _ => Vec::new(),
        })
        .collect()
}

fn replays(log: &[Logged]) -> Vec<String> {
    log.iter()
        .filter(|l| l.is_replay())
        .map(|l| l.target.clone())
        .collect()
}

fn gaps(log: &[Logged]) -> Vec<Duration> {
    log.windows(2).map(|w| w[1].at - w[0].at).collect()
}

#[test]
fn two_pages_over_three_years_become_snapshots_in_capture_order_without_duplicates() {
    let archive = FakeArchive::start(archive_pages(), 2);
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    let store = dir.path().join("store");

    backfill(&config, &store, &archive, 150)
        .assert()
        .success()
        .stdout(contains(
            "2019-06: snapshot 2019-06-10T09:00:00Z: 2 page(s) (1 downloaded, 1 already stored)",
        ))
        .stdout(contains("backfill: 6 snapshot(s) stored"));

    let stored = manifests(&store);
    let taken: Vec<&str> = stored.iter().map(|m| m.taken_at.as_str()).collect();
    // One snapshot per month with captures, at the period's latest capture
    // (the January duplicate at 01-20 wins over 01-15; the redirect moved
    // beta's March capture to 03-02).
    assert_eq!(
        taken,
        [
            "2019-01-20T08:00:00Z",
            "2019-06-10T09:00:00Z",
            "2020-03-02T09:00:00Z",
            "2020-11-15T09:00:00Z",
            "2021-09-01T08:00:00Z",
            "2021-12-01T09:00:00Z",
        ]
    );
    let all = imported(&stored);
    let distinct: HashSet<_> = all.iter().cloned().collect();
    assert_eq!(
        all.len(),
        distinct.len(),
        "a capture imported twice: {all:?}"
    );
    assert_eq!(all.len(), 8);

    // A page not captured in a period is absent from that snapshot (not
    // captured), and its pages keep their own capture times.
    let first = &stored[0];
    assert!(first.center("beta").unwrap().pages.is_empty());
    let alpha_page = &first.center("alpha").unwrap().pages[0];
    assert_eq!(alpha_page.fetched_at, "2019-01-20T08:00:00Z");
    assert_eq!(alpha_page.outcome, FetchOutcome::Ok);
    // The same content in a later month was not downloaded again: one body.
    let june = &stored[1].center("alpha").unwrap().pages[0];
    assert_eq!(june.body_sha256, alpha_page.body_sha256);
    assert_eq!(june.fetched_at, "2019-06-10T08:00:00Z");
    // The capture that is a redirect out of the archive is a failed page.
    let redirect = &stored[3].center("beta").unwrap().pages[0];
    assert_eq!(redirect.outcome, FetchOutcome::HttpError { status: 302 });
    assert!(redirect
        .error
        .as_deref()
        .unwrap()
        .contains("redirect out of the archive"));

    let log = archive.log();
    let replayed = replays(&log);
    assert_eq!(
        replayed.iter().filter(|t| t.contains(ALPHA)).count(),
        3,
        "alpha: Jan 2019, Mar 2020 and Sep 2021 downloaded; June 2019 reused: {replayed:?}"
    );
    // CDX paging: two rows per answer page, so several pages per URL.
    assert_eq!(
        log.iter()
            .filter(|l| l.target.contains("resumeKey="))
            .count(),
        3
    );
    assert!(log
        .iter()
        .all(|l| !l.target.starts_with("/cdx") || l.target.contains("collapse=digest")));
    // Spacing held: at least the delay between any two requests (generous
    // lower bound; the machine is noisy only upwards).
    let shortest = gaps(&log).into_iter().min().unwrap();
    assert!(
        shortest >= Duration::from_millis(140),
        "requests {shortest:?} apart"
    );

    // A rerun imports nothing new and replays nothing.
    let before = log.len();
    backfill(&config, &store, &archive, 10)
        .assert()
        .success()
        .stdout(contains("backfill: 0 snapshot(s) stored; 0 capture(s) downloaded, 0 already stored (not downloaded again), 8 already imported (skipped)"));
    assert_eq!(manifests(&store).len(), 6);
    assert!(replays(&archive.log()[before..]).is_empty());
}

#[test]
fn a_429_slows_the_backfill_down_and_repeated_429s_stop_it_cleanly() {
    // One 429 with Retry-After: 1 on the first replay: waited out, then the
    // spacing doubles for the rest of the run.
    let archive = FakeArchive::start(archive_pages(), 100);
    // Requests 0 and 1 list the two pages; 2 is the first replay.
    archive.answer_429(&[2], Some(1));
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    let store = dir.path().join("store");
    backfill(&config, &store, &archive, 100)
        .assert()
        .success()
        .stdout(contains("backfill: 6 snapshot(s) stored"));
    let log = archive.log();
    assert_eq!(log[2].status, 429);
    let gaps = gaps(&log);
    assert!(gaps[0] >= Duration::from_millis(90), "{gaps:?}");
    assert!(
        gaps[2] >= Duration::from_millis(950),
        "Retry-After held: {gaps:?}"
    );
    assert!(
        gaps[3..].iter().all(|g| *g >= Duration::from_millis(190)),
        "slowed down after the 429: {gaps:?}"
    );

    // 429 from the 5th request on: three in a row stop the run with a clear
    // message; what was imported before stays, and a later run continues.
    let archive = FakeArchive::start(archive_pages(), 100);
    archive.always_429_from(Some(4));
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    let store = dir.path().join("store");
    backfill(&config, &store, &archive, 20)
        .args(["--max-429", "3"])
        .assert()
        .code(2)
        .stderr(contains("answered 429 Too Many Requests 3 times in a row"))
        .stderr(contains("run the same command later"));
    let kept = manifests(&store);
    assert_eq!(kept.len(), 2, "the months done before the 429s are stored");
    assert_eq!(archive.log().len(), 7);

    archive.always_429_from(None);
    backfill(&config, &store, &archive, 20)
        .assert()
        .success()
        .stdout(contains("backfill: 4 snapshot(s) stored"))
        .stdout(contains("3 already imported (skipped)"));
    let all = imported(&manifests(&store));
    let distinct: HashSet<_> = all.iter().cloned().collect();
    assert_eq!((all.len(), distinct.len()), (8, 8));
}

#[test]
fn a_killed_backfill_resumes_and_never_imports_a_capture_twice() {
    let archive = FakeArchive::start(archive_pages(), 2);
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    let store = dir.path().join("store");

    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("cartwatch"))
        .arg("backfill")
        .arg("--config")
        .arg(&config)
        .arg("--store")
        .arg(&store)
        .args(["--every", "month", "--archive-url"])
        .arg(archive.base())
        .args(["--delay-ms", "200"])
        .env_remove("CARTWATCH_ARCHIVE_URL")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it in the middle: after the fourth replay was answered.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while replays(&archive.log()).len() < 4 {
        assert!(
            std::time::Instant::now() < deadline,
            "the backfill never got going"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the backfill ended before it was killed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let partial = manifests(&store).len();
    assert!(partial < 6, "killed before the end ({partial} snapshots)");

    backfill(&config, &store, &archive, 10).assert().success();
    let stored = manifests(&store);
    assert_eq!(stored.len(), 6);
    let all = imported(&stored);
    let distinct: HashSet<_> = all.iter().cloned().collect();
    assert_eq!((all.len(), distinct.len()), (8, 8), "{all:?}");
    // At most the period being imported when killed was downloaded again.
    let total = replays(&archive.log()).len();
    // Uninterrupted, the run sends 8 replays (one is a redirect hop).
    assert!(total <= 8 + 3, "{total} replays");
}
