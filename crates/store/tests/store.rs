//! The store through its public API on real sled files and pack files.

use cartwatch_model::{CenterSnapshot, FetchOutcome, PageRecord, PageSnapshot, SnapshotSource};
use cartwatch_store::{PrunePolicy, Store, StoreError};
use std::path::Path;

fn page(url: &str, hash: Option<String>, has_record: bool) -> PageSnapshot {
    PageSnapshot {
        url: url.into(),
        final_url: None,
        redirects: vec![],
        status: Some(200),
        content_type: Some("text/html".into()),
        etag: None,
        last_modified: None,
        fetched_at: "2026-11-01T06:00:00Z".into(),
        outcome: if hash.is_some() {
            FetchOutcome::Ok
        } else {
            FetchOutcome::Timeout
        },
        error: None,
        body_sha256: hash,
        body_len: None,
        has_record,
        rendered_by: Default::default(),
    }
}

fn record(url: &str, title: &str) -> PageRecord {
    PageRecord {
        url: url.into(),
        title: Some(title.into()),
        main_text: format!("{title} offers CAR T-cell therapy. ").repeat(50),
        ..Default::default()
    }
}

/// Stores one snapshot of center `a` with these (url, body) pages.
fn snapshot(store: &Store, pages: &[(&str, Option<&str>)]) -> String {
    let mut w = store
        .begin_snapshot(SnapshotSource::Captures { dir: "t".into() })
        .unwrap();
    let mut out = Vec::new();
    for (url, body) in pages {
        match body {
            Some(body) => {
                let h = w.put_body(body.as_bytes()).unwrap();
                w.put_record("a", url, &record(url, body)).unwrap();
                out.push(page(url, Some(h), true));
            }
            None => out.push(page(url, None, false)),
        }
    }
    let m = w
        .commit(vec![CenterSnapshot {
            id: "a".into(),
            name: "A".into(),
            pages: out,
        }])
        .unwrap();
    m.id
}

fn big(text: &str) -> String {
    format!(
        "<html><body><p>{text}</p>{}</body></html>",
        "x".repeat(20_000)
    )
}

#[test]
fn unchanged_pages_and_records_cost_nothing_new() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let one = big("one");
    let two = big("two");
    let first = snapshot(
        &store,
        &[
            ("https://a.org/1", Some(&one)),
            ("https://a.org/2", Some(&two)),
        ],
    );
    let second = snapshot(
        &store,
        &[
            ("https://a.org/1", Some(&one)),
            ("https://a.org/2", Some(&two)),
        ],
    );
    let third = snapshot(
        &store,
        &[("https://a.org/1", Some(&one)), ("https://a.org/2", None)],
    );
    let s = store.summaries().unwrap();
    assert_eq!(s.len(), 3);
    assert!(s[0].bytes_new > 0);
    assert_eq!(s[1].bytes_new, 0, "nothing changed");
    assert_eq!(s[2].bytes_new, 0);
    assert_eq!((s[2].pages_ok, s[2].pages_failed), (1, 1));
    assert!(first < second && second < third, "{first} {second} {third}");
    // Records load, without bodies, and bodies verify.
    let records = store.records(&second).unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[1].2.title.as_deref(), Some(two.as_str()));
    assert_eq!(store.records(&third).unwrap().len(), 1);
    assert_eq!(
        store
            .page_body(&first, "a", "https://a.org/2")
            .unwrap()
            .unwrap(),
        two.as_bytes()
    );
    assert_eq!(
        store.page_body(&third, "a", "https://a.org/2").unwrap(),
        None
    );
    // previous_page skips the failed fetch.
    let (id, p) = store
        .previous_page("a", "https://a.org/2")
        .unwrap()
        .unwrap();
    assert_eq!(id, second);
    assert!(p.body_sha256.is_some());
    assert_eq!(store.resolve("latest").unwrap(), third);
    assert_eq!(store.resolve("latest~2").unwrap(), first);
    assert!(matches!(
        store.resolve("2026"),
        Err(StoreError::Ambiguous { .. }) | Err(StoreError::NoSuchSnapshot(_))
    ));
}

#[test]
fn a_second_open_is_refused_with_the_pid() {
    let dir = tempfile::tempdir().unwrap();
    let _held = Store::open(dir.path()).unwrap();
    let err = Store::open(dir.path())
        .err()
        .expect("second open must fail");
    let text = err.to_string();
    assert!(
        text.contains(&format!("in use by PID {}", std::process::id())),
        "{text}"
    );
}

#[test]
fn an_uncommitted_snapshot_leaves_nothing_and_the_next_one_works() {
    let dir = tempfile::tempdir().unwrap();
    let one = big("one");
    {
        let store = Store::open(dir.path()).unwrap();
        snapshot(&store, &[("https://a.org/1", Some(&one))]);
        let mut w = store
            .begin_snapshot(SnapshotSource::Captures { dir: "t".into() })
            .unwrap();
        w.put_body(big("half").as_bytes()).unwrap();
        // Simulate a crash: the writer's pack file stays on disk.
        std::mem::forget(w);
    }
    let packs = |p: &Path| std::fs::read_dir(p.join("packs")).unwrap().count();
    assert_eq!(packs(dir.path()), 2, "the interrupted pack is on disk");
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(packs(dir.path()), 1, "open deleted the leftover");
    assert_eq!(store.ids().unwrap().len(), 1);
    snapshot(&store, &[("https://a.org/1", Some(&big("new")))]);
    assert_eq!(store.ids().unwrap().len(), 2);
}

#[test]
fn a_damaged_body_is_an_error_naming_snapshot_and_page() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let body = big("damaged soon");
    let id = snapshot(&store, &[("https://a.org/1", Some(&body))]);
    let hash = store.manifest(&id).unwrap().centers[0].pages[0]
        .body_sha256
        .clone()
        .unwrap();
    let (file, loc) = store.locate(&hash).unwrap().unwrap();
    drop(store);
    let mut bytes = std::fs::read(&file).unwrap();
    let at = (loc.offset + loc.compressed_len as u64 / 2) as usize;
    bytes[at] ^= 0x5a;
    std::fs::write(&file, bytes).unwrap();
    let store = Store::open(dir.path()).unwrap();
    let err = store.page_body(&id, "a", "https://a.org/1").unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(&id) && text.contains("https://a.org/1"),
        "{text}"
    );
    assert!(text.contains("integrity"), "{text}");
    assert!(store.body(&hash).is_err());
}

#[test]
fn prune_reclaims_space_and_keeps_the_newest() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let mut ids = Vec::new();
    for day in 0..5 {
        let changing = big(&format!("day {day} {}", "y".repeat(day * 997)));
        let same = big("same");
        ids.push(snapshot(
            &store,
            &[
                ("https://a.org/1", Some(&changing)),
                ("https://a.org/2", Some(&same)),
            ],
        ));
    }
    // Pack bytes: sled's own files grow by whole segments as the index is
    // written, whatever the prune reclaims.
    let pack_bytes = || -> u64 {
        std::fs::read_dir(dir.path().join("packs"))
            .unwrap()
            .map(|e| e.unwrap().metadata().unwrap().len())
            .sum()
    };
    let before = pack_bytes();
    let report = store.prune(PrunePolicy::Keep(2)).unwrap();
    assert_eq!(report.removed, ids[..3].to_vec());
    assert_eq!(report.kept, 2);
    assert_eq!(
        report.gc.blobs_removed, 8,
        "3 bodies, 3 records, 2 manifests (the first stays: it holds the record index the kept ones build on)"
    );
    assert!(report.gc.bytes_reclaimed > 0);
    assert!(pack_bytes() < before);
    // What is left is whole, and the shared body survived.
    assert_eq!(store.ids().unwrap(), ids[3..].to_vec());
    for id in &ids[3..] {
        assert!(store
            .page_body(id, "a", "https://a.org/2")
            .unwrap()
            .is_some());
        assert_eq!(store.records(id).unwrap().len(), 2);
    }
    // Never the newest.
    // Created "0 seconds ago or more": every snapshot qualifies but the newest.
    let report = store
        .prune(PrunePolicy::OlderThan(std::time::Duration::ZERO))
        .unwrap();
    assert_eq!(report.removed, vec![ids[3].clone()]);
    assert_eq!(store.ids().unwrap(), vec![ids[4].clone()]);
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.records(&ids[4]).unwrap().len(), 2);
}

#[test]
fn an_older_layout_or_newer_format_gets_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("conf"), "not a sled config\n").unwrap();
    std::fs::write(dir.path().join("db"), "").unwrap();
    let text = Store::open(dir.path()).err().unwrap().to_string();
    assert!(text.contains("format version 0"), "{text}");

    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path()).unwrap());
    {
        let db = sled::open(dir.path().join("index")).unwrap();
        db.insert("meta/format", &99u32.to_be_bytes()).unwrap();
        db.flush().unwrap();
    }
    let text = Store::open(dir.path()).err().unwrap().to_string();
    assert!(
        text.contains("format version 99") && text.contains("newer"),
        "{text}"
    );
}

#[test]
fn record_indexes_stored_as_deltas_read_back_exactly_through_prunes() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let urls: Vec<String> = (0..6).map(|i| format!("https://a.org/{i}")).collect();
    let mut expected = Vec::new();
    // Day 0 full; days 1-2 change one page (deltas); day 3 changes all (full again);
    // day 4 drops a page's record (a failed fetch).
    let bodies = |day: usize, changed: &dyn Fn(usize) -> bool| -> Vec<Option<String>> {
        (0..6)
            .map(|i| {
                Some(if changed(i) {
                    format!("page {i} day {day}")
                } else {
                    format!("page {i}")
                })
            })
            .collect()
    };
    let days: Vec<Vec<Option<String>>> = vec![
        bodies(0, &|_| false),
        bodies(1, &|i| i == 1),
        bodies(2, &|i| i == 1 || i == 2),
        bodies(3, &|_| true),
        {
            let mut d = bodies(3, &|_| true);
            d[4] = None;
            d
        },
    ];
    for day in &days {
        let pages: Vec<(&str, Option<&str>)> = urls
            .iter()
            .zip(day)
            .map(|(u, b)| (u.as_str(), b.as_deref()))
            .collect();
        let id = snapshot(&store, &pages);
        expected.push((id, day.clone()));
    }
    let check = |store: &Store, from: usize| {
        for (id, day) in &expected[from..] {
            let records = store.records(id).unwrap();
            let titles: Vec<Option<String>> = urls
                .iter()
                .map(|u| {
                    records
                        .iter()
                        .find(|(_, url, _)| url == u)
                        .and_then(|(_, _, r)| r.title.clone())
                })
                .collect();
            assert_eq!(&titles, day, "{id}");
        }
    };
    check(&store, 0);
    store.prune(PrunePolicy::Keep(3)).unwrap();
    check(&store, 2);
    drop(store);
    let mut store = Store::open(dir.path()).unwrap();
    check(&store, 2);
    store.prune(PrunePolicy::Keep(1)).unwrap();
    check(&store, 4);
}

/// A page of pseudo-random words (compresses like text, not like a repeat).
fn text_page(seed: u64, words: usize) -> String {
    let mut x = seed | 1;
    let vocab = [
        "car", "t-cell", "therapy", "lymphoma", "patients", "clinic", "call", "trial", "infusion",
        "cells", "myeloma", "leukemia", "team", "care", "weeks", "days",
    ];
    let mut out = String::from("<html><body><main>");
    for _ in 0..words {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.push_str(vocab[(x % 16) as usize]);
        out.push(if x.is_multiple_of(7) { '\n' } else { ' ' });
    }
    out.push_str("</main><script>var __build=\"0\";</script></body></html>");
    out
}

#[test]
fn a_page_that_churns_a_little_daily_costs_a_delta_and_reads_back_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let base = text_page(7, 8000);
    let mut ids = Vec::new();
    let mut bodies = Vec::new();
    for day in 0..5 {
        let body = base.replace("__build=\"0\"", &format!("__build=\"day{day}\""));
        let mut w = store
            .begin_snapshot(SnapshotSource::Captures { dir: "t".into() })
            .unwrap();
        let h = w
            .put_page_body("a", "https://a.org/1", body.as_bytes())
            .unwrap();
        let m = w
            .commit(vec![CenterSnapshot {
                id: "a".into(),
                name: "A".into(),
                pages: vec![page("https://a.org/1", Some(h), false)],
            }])
            .unwrap();
        ids.push(m.id);
        bodies.push(body);
    }
    let s = store.summaries().unwrap();
    let full = cartwatch_store::compressed_len(bodies[1].as_bytes());
    for later in &s[1..] {
        assert!(
            later.bytes_new * 20 < full,
            "a changed build id costs {} bytes, a whole page {full}",
            later.bytes_new
        );
    }
    // Prune the snapshot holding the base: the deltas still read back exactly.
    store.prune(PrunePolicy::Keep(2)).unwrap();
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    for (id, body) in ids.iter().zip(&bodies).skip(3) {
        let read = store
            .page_body(id, "a", "https://a.org/1")
            .unwrap()
            .unwrap();
        assert_eq!(read, body.as_bytes(), "{id}");
    }
}

#[test]
fn a_format_0_store_is_migrated_in_place_with_every_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let body = big("format zero");
    let hash = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(body.as_bytes()))
    };
    let ids = ["2026-10-01T06:00:00Z", "2026-11-01T06:00:00Z"];
    {
        // The first development build's layout: sled at the root.
        let db = sled::open(dir.path()).unwrap();
        let manifests = db.open_tree("manifests").unwrap();
        let bodies = db.open_tree("bodies").unwrap();
        let records = db.open_tree("records").unwrap();
        bodies.insert(hash.as_bytes(), body.as_bytes()).unwrap();
        for (i, id) in ids.iter().enumerate() {
            let pages = if i == 0 {
                vec![page("https://a.org/1", Some(hash.clone()), true)]
            } else {
                vec![page("https://a.org/1", None, false)]
            };
            let manifest = cartwatch_model::SnapshotManifest {
                id: id.to_string(),
                created_at: id.to_string(),
                taken_at: String::new(),
                source: SnapshotSource::Captures { dir: "old".into() },
                centers: vec![CenterSnapshot {
                    id: "a".into(),
                    name: "A".into(),
                    pages,
                }],
                bytes_new: 0,
            };
            manifests
                .insert(id.as_bytes(), serde_json::to_vec(&manifest).unwrap())
                .unwrap();
        }
        records
            .insert(
                format!("{}\0a\0https://a.org/1", ids[0]).as_bytes(),
                serde_json::to_vec(&record("https://a.org/1", "old record")).unwrap(),
            )
            .unwrap();
        db.flush().unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.ids().unwrap(), ids.to_vec());
    let records = store.records(ids[0]).unwrap();
    assert_eq!(records[0].2.title.as_deref(), Some("old record"));
    assert_eq!(
        store
            .page_body(ids[0], "a", "https://a.org/1")
            .unwrap()
            .unwrap(),
        body.as_bytes()
    );
    assert_eq!(store.summaries().unwrap()[1].pages_failed, 1);
    assert!(dir.path().join("format0-backup/db").exists());
    assert!(!dir.path().join("conf").exists());
    drop(store);
    // Opens as a current store from now on.
    assert_eq!(Store::open(dir.path()).unwrap().ids().unwrap().len(), 2);
}
