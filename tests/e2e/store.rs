//! End-to-end: the store through the real binary. Crash safety under
//! SIGKILL (via the documented `CARTWATCH_FAILPOINT` hook), one process at a
//! time, integrity checks, prune, export, WARC export/import round trips.

use cartwatch_store::warc::{captures_from_records, read_warc_file};
use cartwatch_store::Store;
use cartwatch_tests::{bundled_captures, cartwatch};
use predicates::str::contains;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};

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
    // "snapshot ID: ..." is the first line.
    out.split_whitespace()
        .nth(1)
        .unwrap()
        .trim_end_matches(':')
        .to_string()
}

fn ids(store: &Path) -> Vec<String> {
    stdout_of(&["snapshots", "--json"], store)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["id"].as_str().unwrap().to_string()
        })
        .collect()
}

fn show_json(store: &Path, id: &str) -> serde_json::Value {
    serde_json::from_str(&stdout_of(&["show", id, "--format", "json"], store)).unwrap()
}

fn pack_files(store: &Path) -> usize {
    std::fs::read_dir(store.join("packs")).unwrap().count()
}

fn dir_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let m = e.metadata().unwrap();
            if m.is_dir() {
                dir_size(&e.path())
            } else {
                m.len()
            }
        })
        .sum()
}

/// Every listed snapshot is whole: its records load and every body verifies.
fn assert_all_whole(store: &Path) {
    for id in ids(store) {
        let view = show_json(store, &id);
        for center in view["centers"].as_array().unwrap() {
            for page in center["pages"].as_array().unwrap() {
                assert_eq!(
                    page["has_record"].as_bool().unwrap(),
                    !page["record"].is_null(),
                    "{id}: {page}"
                );
            }
        }
        let warc = store.parent().unwrap().join("check.warc");
        stdout_of(&["export-warc", &id, warc.to_str().unwrap()], store);
    }
}

#[test]
fn sigkill_at_every_point_of_a_snapshot_leaves_earlier_snapshots_identical() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let first = import(&store, "2026-10-01");
    let baseline = show_json(&store, &first);
    let baseline_export = stdout_of(&["export", &first], &store);
    for point in [
        "after_bodies",
        "after_records",
        "before_manifest",
        "after_manifest",
    ] {
        let before = ids(&store);
        let out = cartwatch()
            .args(["import-captures"])
            .arg(bundled_captures("2026-11-01"))
            .arg("--store")
            .arg(&store)
            .env("CARTWATCH_FAILPOINT", point)
            .output()
            .unwrap();
        assert_eq!(
            out.status.signal(),
            Some(9),
            "{point}: expected SIGKILL, got {:?}; stderr: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        // Reopened without repair: earlier snapshots identical, no half one.
        let after = ids(&store);
        assert_eq!(&after[..before.len()], &before[..], "{point}");
        assert!(after.len() <= before.len() + 1, "{point}: {after:?}");
        if point != "after_manifest" {
            assert_eq!(after, before, "{point}: nothing half-written is listed");
        }
        assert_eq!(show_json(&store, &first), baseline, "{point}");
        assert_eq!(stdout_of(&["export", &first], &store), baseline_export);
        assert_all_whole(&store);
        // And the next snapshot succeeds; readers deleted nothing, the next
        // writer collected the killed run's leftover pack.
        import(&store, "2026-11-01");
        assert_eq!(ids(&store).len(), after.len() + 1);
        assert_eq!(pack_files(&store), ids(&store).len(), "{point}");
    }
}

#[test]
fn sigkill_during_prune_loses_nothing_kept_and_the_next_open_finishes_it() {
    for point in ["prune_after_drop", "prune_before_delete"] {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store");
        import(&store, "2026-10-01");
        import(&store, "2026-11-01");
        // The same pages seen again: the newest by when they were seen.
        let newest = import(&store, "2026-11-01");
        let baseline = show_json(&store, &newest);
        let out = cartwatch()
            .args(["prune", "--keep", "1", "--store"])
            .arg(&store)
            .env("CARTWATCH_FAILPOINT", point)
            .output()
            .unwrap();
        assert_eq!(out.status.signal(), Some(9), "{point}");
        assert_eq!(ids(&store), vec![newest.clone()], "{point}");
        assert_eq!(show_json(&store, &newest), baseline, "{point}");
        assert_all_whole(&store);
        // The interrupted garbage collection was finished at open: a second
        // prune has nothing left to collect.
        let again = stdout_of(&["prune", "--keep", "1"], &store);
        assert!(again.contains("0 unreferenced blob(s)"), "{point}: {again}");
        import(&store, "2026-11-01");
    }
}

#[test]
fn a_damaged_body_is_an_error_naming_snapshot_and_page() {
    let dir = tempfile::tempdir().unwrap();
    let store_path = dir.path().join("store");
    let id = import(&store_path, "2026-10-01");
    let (url, file, at) = {
        let store = Store::open(&store_path).unwrap();
        let manifest = store.manifest(&id).unwrap();
        let page = manifest.center("msk").unwrap().pages[0].clone();
        let (file, loc) = store
            .locate(page.body_sha256.as_deref().unwrap())
            .unwrap()
            .unwrap();
        (page.url, file, loc.offset + loc.compressed_len as u64 / 2)
    };
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[at as usize] ^= 0x20;
    std::fs::write(&file, bytes).unwrap();
    let out = dir.path().join("out.warc");
    cartwatch()
        .args(["export-warc", "latest"])
        .arg(&out)
        .arg("--store")
        .arg(&store_path)
        .assert()
        .code(2)
        .stderr(contains("integrity check failed"))
        .stderr(contains(id.as_str()))
        .stderr(contains(url.as_str()))
        .stderr(contains("msk"));
    assert!(!out.exists(), "no partial WARC is left");
    // Records do not touch bodies: show still works.
    stdout_of(&["show", "latest"], &store_path);
}

#[test]
fn prune_removes_old_snapshots_reclaims_space_and_never_the_newest() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let first = import(&store, "2026-10-01");
    import(&store, "2026-11-01");
    let newest = import(&store, "2026-11-01");
    let baseline = show_json(&store, &newest);
    let listed = stdout_of(&["snapshots"], &store);
    assert!(
        listed.contains(&first) && listed.contains("bytes new"),
        "{listed}"
    );
    // The third snapshot repeats the second: it added nothing but its manifest.
    let summaries: Vec<serde_json::Value> = stdout_of(&["snapshots", "--json"], &store)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(summaries[0]["bytes_new"].as_u64().unwrap() > 0);
    assert_eq!(summaries[2]["bytes_new"].as_u64().unwrap(), 0);
    cartwatch()
        .args(["prune", "--keep", "0", "--store"])
        .arg(&store)
        .assert()
        .code(2)
        .stderr(contains("--keep 1"));
    let dry = stdout_of(&["prune", "--keep", "1", "--dry-run"], &store);
    assert!(dry.contains("would remove 2"), "{dry}");
    assert_eq!(ids(&store).len(), 3);
    let before = dir_size(&store.join("packs"));
    let out = stdout_of(&["prune", "--keep", "1"], &store);
    assert!(out.contains("removed 2 snapshot(s), kept 1"), "{out}");
    assert!(dir_size(&store.join("packs")) < before, "{out}");
    assert_eq!(ids(&store), vec![newest.clone()]);
    assert_eq!(show_json(&store, &newest), baseline);
    assert_all_whole(&store);
    let out = stdout_of(&["prune", "--older-than", "0s"], &store);
    assert!(out.contains("removed 0 snapshot(s), kept 1"), "{out}");
    assert_eq!(ids(&store), vec![newest]);
}

/// A minimal RFC 4180 reader for the round trip.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

#[test]
fn export_writes_one_row_per_fact_identically_as_jsonl_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let store_path = dir.path().join("store");
    let first = import(&store_path, "2026-10-01");
    let second = import(&store_path, "2026-11-01");
    let jsonl = stdout_of(&["export", "latest~1", "--format", "jsonl"], &store_path);
    let csv = stdout_of(&["export", &first, "--format", "csv"], &store_path);
    let from_json: Vec<Vec<String>> = jsonl
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            [
                "snapshot",
                "center",
                "url",
                "fact_kind",
                "fact",
                "value",
                "detail",
                "evidence",
            ]
            .iter()
            .map(|k| v[*k].as_str().unwrap().to_string())
            .collect()
        })
        .collect();
    let mut from_csv = parse_csv(&csv);
    assert_eq!(
        from_csv.remove(0),
        [
            "snapshot",
            "center",
            "url",
            "fact_kind",
            "fact",
            "value",
            "detail",
            "evidence"
        ]
    );
    assert_eq!(from_csv, from_json);
    assert!(from_json.iter().all(|r| r[0] == first));
    // Every stored fact is exported: products, phone numbers, one outcome row per page.
    let store = Store::open(&store_path).unwrap();
    let records = store.records(&first).unwrap();
    let has = |center: &str, kind: &str, fact: &str, value: &str| {
        from_json
            .iter()
            .any(|r| r[1] == center && r[3] == kind && r[4] == fact && r[5] == value)
    };
    for (center, _, record) in &records {
        for product in &record.offerings.products {
            assert!(
                has(center, "product", product, "true"),
                "{center} {product}"
            );
        }
        for contact in &record.contacts {
            if let Some(e164) = &contact.e164 {
                assert!(has(center, "contact", "phone", e164), "{center} {e164}");
            }
        }
    }
    assert!(has("msk", "contact", "phone", "+18886752278"));
    assert_eq!(
        from_json.iter().filter(|r| r[3] == "page").count(),
        store.manifest(&first).unwrap().pages().count()
    );
    drop(store);
    // The failed page of the second set is exported as such.
    let second_rows = stdout_of(&["export", &second, "--center", "msk"], &store_path);
    assert!(
        second_rows.contains("\"value\":\"timeout\""),
        "{second_rows}"
    );
    assert!(second_rows
        .lines()
        .all(|l| l.contains("\"center\":\"msk\"")));
    // show: text and JSON, one center.
    let text = stdout_of(&["show", "latest~1", "--center", "msk"], &store_path);
    assert!(
        text.contains("msk") && text.contains("+18886752278"),
        "{text}"
    );
    assert!(!text.contains("uh-rainbow"), "{text}");
    cartwatch()
        .args(["show", "latest", "--center", "nope", "--store"])
        .arg(&store_path)
        .assert()
        .code(2)
        .stderr(contains("no center \"nope\""));
    // Names: unique prefixes work, ambiguous ones are explained.
    cartwatch()
        .args(["show", "2", "--store"])
        .arg(&store_path)
        .assert()
        .code(2)
        .stderr(contains("matches 2 snapshots"));
    cartwatch()
        .args(["show", "latest~5", "--store"])
        .arg(&store_path)
        .assert()
        .code(2)
        .stderr(contains("cartwatch snapshots"));
}

#[test]
fn warc_export_and_import_round_trip_pages_and_records() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let id = import(&store, "2026-11-01");
    for name in ["snap.warc", "snap.warc.gz"] {
        let warc = dir.path().join(name);
        let out = stdout_of(&["export-warc", "latest", warc.to_str().unwrap()], &store);
        assert!(out.contains("5 pages, 4 response records"), "{out}");
        // Read back with our reader: headers a WARC tool expects.
        let records = read_warc_file(&warc).unwrap();
        assert_eq!(records[0].record_type(), "warcinfo");
        let responses: Vec<_> = records
            .iter()
            .filter(|r| r.record_type() == "response")
            .collect();
        assert_eq!(responses.len(), 4);
        for r in &responses {
            assert_eq!(r.version, "WARC/1.1");
            assert!(r.header("WARC-Target-URI").unwrap().starts_with("http"));
            assert!(r.header("WARC-Date").unwrap().ends_with('Z'));
            assert!(r
                .header("WARC-Payload-Digest")
                .unwrap()
                .starts_with("sha256:"));
            assert!(r
                .header("WARC-Record-ID")
                .unwrap()
                .starts_with("<urn:uuid:"));
            assert_eq!(
                r.header("Content-Type"),
                Some("application/http;msgtype=response")
            );
        }
        assert_eq!(captures_from_records(&records).unwrap().len(), 5);
        // Import into a fresh store: same pages, bodies and records.
        let other = dir.path().join(format!("store-{name}"));
        let imported = stdout_of(&["import-captures", warc.to_str().unwrap()], &other);
        assert!(imported.contains("4 pages ok, 1 failed"), "{imported}");
        let a = show_json(&store, &id);
        let b = show_json(&other, "latest");
        let pages = |v: &serde_json::Value| -> Vec<serde_json::Value> {
            v["centers"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|c| c["pages"].as_array().unwrap().clone())
                .collect()
        };
        assert_eq!(pages(&a), pages(&b), "{name}");
    }
}

#[test]
fn a_store_of_an_unreadable_format_gets_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let store: PathBuf = dir.path().join("store");
    std::fs::create_dir_all(&store).unwrap();
    // A format-0 layout (sled at the root) whose sled files are damaged.
    std::fs::write(store.join("conf"), "not a sled config\n").unwrap();
    std::fs::write(store.join("db"), b"").unwrap();
    cartwatch()
        .args(["snapshots", "--store"])
        .arg(&store)
        .assert()
        .code(2)
        .stderr(contains("format version 0"))
        .stderr(contains("move the folder aside"));
}

/// A WARC as another crawler writes it: WARC/1.0, `<uri>` targets, request
/// records, a chunked response, no cartwatch metadata.
fn foreign_warc(captures: &[cartwatch_model::Capture]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, c) in captures.iter().enumerate() {
        let Some(body) = &c.body else { continue };
        let request = "GET / HTTP/1.1\r\nHost: example\r\n\r\n";
        out.extend_from_slice(
            format!(
                "WARC/1.0\r\nWARC-Type: request\r\nWARC-Target-URI: <{}>\r\nContent-Length: {}\r\n\r\n{request}\r\n\r\n",
                c.url,
                request.len()
            )
            .as_bytes(),
        );
        let ct = c.content_type.clone().unwrap_or_else(|| "text/html".into());
        let mut http = if i == 0 {
            let mut h =
                format!("HTTP/1.1 200 OK\r\nContent-Type: {ct}\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n", body.len())
                    .into_bytes();
            h.extend_from_slice(body);
            h.extend_from_slice(b"\r\n0\r\n\r\n");
            h
        } else {
            let mut h = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {ct}\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )
            .into_bytes();
            h.extend_from_slice(body);
            h
        };
        let mut record = format!(
            "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: <{}>\r\nWARC-Date: {}\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
            c.url,
            c.fetched_at,
            http.len()
        )
        .into_bytes();
        record.append(&mut http);
        record.extend_from_slice(b"\r\n\r\n");
        out.extend_from_slice(&record);
    }
    out
}

#[test]
fn another_tools_warc_imports_like_the_capture_folder_it_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let set = cartwatch_fetcher::read_capture_dir(&bundled_captures("2026-10-01")).unwrap();
    let warc = dir.path().join("crawl.warc");
    std::fs::write(&warc, foreign_warc(&set.captures)).unwrap();
    let from_dir = dir.path().join("a");
    let from_warc = dir.path().join("b");
    import(&from_dir, "2026-10-01");
    let out = stdout_of(&["import-captures", warc.to_str().unwrap()], &from_warc);
    assert!(out.contains("5 pages ok, 0 failed"), "{out}");
    let pick =
        |v: serde_json::Value| -> Vec<(String, String, serde_json::Value, serde_json::Value)> {
            v["centers"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|c| {
                    c["pages"].as_array().unwrap().iter().map(|p| {
                        (
                            p["url"].as_str().unwrap().to_string(),
                            p["body_sha256"].as_str().unwrap().to_string(),
                            p["outcome"].clone(),
                            p["record"].clone(),
                        )
                    })
                })
                .collect()
        };
    assert_eq!(
        pick(show_json(&from_dir, "latest")),
        pick(show_json(&from_warc, "latest"))
    );
    // An archive lacking a configured page is an error naming center and URL.
    let partial = dir.path().join("partial.warc");
    std::fs::write(&partial, foreign_warc(&set.captures[1..])).unwrap();
    let first = &set.captures[0];
    cartwatch()
        .args(["import-captures"])
        .arg(&partial)
        .arg("--store")
        .arg(&from_warc)
        .assert()
        .code(2)
        .stderr(contains(first.center.as_str()))
        .stderr(contains(first.url.as_str()));
    assert_eq!(ids(&from_warc).len(), 1, "nothing half-imported");
}

/// `cartwatch diff --format json` with the default pair (the two newest by
/// when their pages were seen); the exit status must say "changes" (1).
fn default_diff_json(store: &Path) -> String {
    let out = cartwatch()
        .args(["diff", "--format", "json", "--store"])
        .arg(store)
        .assert()
        .code(1);
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

#[test]
fn snapshots_are_ordered_by_when_pages_were_seen_not_when_imported() {
    let dir = tempfile::tempdir().unwrap();
    // The natural order: October, then November.
    let forwards = dir.path().join("forwards");
    import(&forwards, "2026-10-01");
    import(&forwards, "2026-11-01");
    // Imported backwards: November first, then October.
    let backwards = dir.path().join("backwards");
    let november = import(&backwards, "2026-11-01");
    let october = import(&backwards, "2026-10-01");
    // Ids are when the pages were seen (capture.toml's taken_at).
    assert_eq!(november, "2026-11-01T06:00:00Z");
    assert_eq!(october, "2026-10-01T06:00:00Z");
    assert_eq!(ids(&backwards), vec![october.clone(), november.clone()]);
    let listed: Vec<serde_json::Value> = stdout_of(&["snapshots", "--json"], &backwards)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(listed[0]["taken_at"], "2026-10-01T06:00:00Z");
    assert_eq!(listed[1]["taken_at"], "2026-11-01T06:00:00Z");
    // `latest` is November however it was stored.
    assert_eq!(show_json(&backwards, "latest")["snapshot"]["id"], november);
    assert_eq!(show_json(&backwards, "latest~1")["snapshot"]["id"], october);
    // The default diff reports October → November, exactly as in the store
    // that imported them in order.
    let diff = default_diff_json(&backwards);
    assert_eq!(diff, default_diff_json(&forwards));
    let parsed: serde_json::Value = serde_json::from_str(&diff).unwrap();
    assert_eq!(parsed["from"], october, "{diff}");
    assert_eq!(parsed["to"], november, "{diff}");
    // The same pages seen again get their own id, after the first.
    let again = import(&backwards, "2026-10-01");
    assert_eq!(again, "2026-10-01T06:00:00Z-002");
    assert_eq!(ids(&backwards), vec![october, again, november]);
}

/// Every file under a folder with its bytes, to prove nothing changed.
fn files_with_bytes(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            out.extend(files_with_bytes(&entry.path()));
        } else {
            out.push((entry.path(), std::fs::read(entry.path()).unwrap()));
        }
    }
    out.sort();
    out
}

#[test]
fn a_lost_index_deletes_nothing_and_fsck_repair_brings_every_snapshot_back() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let october = import(&store, "2026-10-01");
    let november = import(&store, "2026-11-01");
    let shown = [show_json(&store, &october), show_json(&store, &november)];
    let diff = default_diff_json(&store);
    let healthy = cartwatch()
        .args(["fsck", "--store"])
        .arg(&store)
        .assert()
        .success();
    let healthy = String::from_utf8_lossy(&healthy.get_output().stdout).into_owned();
    assert!(healthy.contains("ok: 2 snapshot(s)"), "{healthy}");

    // A partial restore: the index is gone, the packs are there.
    std::fs::remove_dir_all(store.join("index")).unwrap();
    let packs = files_with_bytes(&store.join("packs"));
    assert_eq!(packs.len(), 2);
    for command in [
        &["snapshots"][..],
        &["show", "latest"][..],
        &["diff"][..],
        &["fsck"][..],
    ] {
        cartwatch()
            .args(command)
            .arg("--store")
            .arg(&store)
            .assert()
            .code(2)
            .stderr(contains("has no index"))
            .stderr(contains("fsck --repair"));
        assert_eq!(files_with_bytes(&store.join("packs")), packs, "{command:?}");
        assert!(
            !store.join("index").exists(),
            "{command:?} created an index"
        );
    }
    // A writer refuses too, rather than start an empty index beside the packs.
    cartwatch()
        .arg("import-captures")
        .arg(bundled_captures("2026-11-01"))
        .arg("--store")
        .arg(&store)
        .assert()
        .code(2)
        .stderr(contains("fsck --repair"));
    assert_eq!(files_with_bytes(&store.join("packs")), packs);

    let repaired = cartwatch()
        .args(["fsck", "--repair", "--store"])
        .arg(&store)
        .assert()
        .success();
    let repaired = String::from_utf8_lossy(&repaired.get_output().stdout).into_owned();
    assert!(repaired.contains("2 snapshot(s) listed"), "{repaired}");
    assert!(
        repaired.contains(&october) && repaired.contains(&november),
        "{repaired}"
    );
    assert_eq!(ids(&store), vec![october.clone(), november.clone()]);
    assert_eq!(show_json(&store, &october), shown[0]);
    assert_eq!(show_json(&store, &november), shown[1]);
    assert_eq!(default_diff_json(&store), diff);
    assert_eq!(files_with_bytes(&store.join("packs")), packs);
    // And the repaired store takes new snapshots.
    import(&store, "2026-11-01");
    assert_eq!(ids(&store).len(), 3);
}
