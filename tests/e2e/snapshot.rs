//! End-to-end: the real binary snapshots pages served over HTTP on loopback
//! and from capture folders, and stores whole records in sled.

use cartwatch_store::Store;
use cartwatch_tests::{bundled_captures, cartwatch, serve_capture_dir};
use predicates::str::contains;

fn phones(record: &cartwatch_model::PageRecord) -> Vec<String> {
    record
        .contacts
        .iter()
        .filter_map(|c| c.e164.clone())
        .collect()
}

#[test]
fn snapshot_over_http_stores_every_centers_record() {
    let (server, config) = serve_capture_dir(&bundled_captures("2026-10-01"));
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("centers.toml");
    std::fs::write(&config_path, &config).unwrap();
    let store_path = dir.path().join("store");

    cartwatch()
        .args(["snapshot", "--config"])
        .arg(&config_path)
        .arg("--store")
        .arg(&store_path)
        .assert()
        .success()
        .stdout(contains("5 pages ok, 0 failed"))
        .stdout(contains("uh-rainbow"));

    let store = Store::open(&store_path).unwrap();
    let snapshots = store.list().unwrap();
    assert_eq!(snapshots.len(), 1);
    let manifest = &snapshots[0];
    assert_eq!(manifest.centers.len(), 5);
    assert!(manifest
        .pages()
        .all(|p| p.outcome.has_content() && p.has_record));
    let records = store.records(&manifest.id).unwrap();
    assert_eq!(records.len(), 5);
    let record = |center: &str| {
        &records
            .iter()
            .find(|(c, _, _)| c == center)
            .unwrap_or_else(|| panic!("no record for {center}"))
            .2
    };
    // Every record came through the real HTTP path, with the served URL.
    for (_, url, record) in &records {
        assert!(url.starts_with(&server.url("/")), "{url}");
        assert_eq!(&record.url, url);
        assert!(!record.main_text.is_empty());
    }
    assert!(phones(record("msk")).contains(&"+18886752278".to_string()));
    assert!(phones(record("uh-rainbow")).contains(&"+12168443951".to_string()));
    // The windows-1252 page was decoded, not mangled.
    assert!(record("acs").main_text.contains('\u{2019}'));
    assert!(!record("acs").main_text.contains('\u{FFFD}'));
    assert!(record("ucdavis").offerings.manufacturing_on_site);
}

#[test]
fn snapshot_from_captures_lists_snapshots_and_reports_failed_pages() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    cartwatch()
        .args(["snapshot", "--from"])
        .arg(bundled_captures("2026-10-01"))
        .arg("--store")
        .arg(&store)
        .assert()
        .success()
        .stdout(contains("5 pages ok, 0 failed"));
    // The edited set has one page that failed to fetch: stored, counted, exit 1.
    cartwatch()
        .args(["snapshot", "--from"])
        .arg(bundled_captures("2026-11-01"))
        .arg("--store")
        .arg(&store)
        .assert()
        .code(1)
        .stdout(contains("4 pages ok, 1 failed"))
        .stdout(contains("msk"))
        .stdout(contains("timeout"));
    let listed = cartwatch()
        .arg("snapshots")
        .arg("--store")
        .arg(&store)
        .assert()
        .success();
    let out = String::from_utf8(listed.get_output().stdout.clone()).unwrap();
    assert_eq!(out.matches("captures ").count(), 2, "{out}");
    let first = out.find("2026-10-01").unwrap();
    let second = out.find("2026-11-01").unwrap();
    assert!(first < second, "newest last:\n{out}");
}

#[test]
fn a_malformed_config_names_file_and_line_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("centers.toml");
    std::fs::write(
        &config,
        "[[center]]\nid = \"a\"\nname = \"A\"\nkind = \"hospital\"\npages = [\"https://a.org/\"]\n",
    )
    .unwrap();
    let store = dir.path().join("store");
    cartwatch()
        .args(["snapshot", "--config"])
        .arg(&config)
        .arg("--store")
        .arg(&store)
        .assert()
        .code(2)
        .stderr(contains("centers.toml:4:"))
        .stderr(contains("hospital"));
}

#[test]
fn a_capture_folder_missing_a_configured_page_names_center_and_url() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("centers.toml");
    std::fs::write(
        &config,
        "[[center]]\nid = \"nowhere\"\nname = \"Nowhere\"\npages = [\"https://nowhere.example/car-t\"]\n",
    )
    .unwrap();
    cartwatch()
        .args(["snapshot", "--config"])
        .arg(&config)
        .arg("--store")
        .arg(dir.path().join("store"))
        .arg("--from")
        .arg(bundled_captures("2026-10-01"))
        .assert()
        .code(2)
        .stderr(contains("\"nowhere\""))
        .stderr(contains("https://nowhere.example/car-t"));
}

#[test]
fn normalize_prints_the_page_record_contract() {
    let page = bundled_captures("2026-10-01").join("msk/1.html");
    let out = cartwatch()
        .arg("normalize")
        .arg(&page)
        .args(["--url", "https://www.mskcc.org/car-t"])
        .assert()
        .success();
    let record: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(record["url"], "https://www.mskcc.org/car-t");
    for field in [
        "title",
        "contacts",
        "offerings",
        "process",
        "side_effects",
        "costs",
        "dates",
        "main_text",
    ] {
        assert!(record.get(field).is_some(), "missing {field}");
    }
    let msk_cart = record["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["e164"] == "+18886752278")
        .expect("the vanity number is converted");
    assert_eq!(msk_cart["display"], "1-888-MSK-CART");
}

/// A UK center's page served on loopback: its national numbers are read in
/// the center's configured country, and a mistyped `tel:` link is recorded.
const UK_PAGE: &str = r#"<!DOCTYPE html><html lang="en"><head><title>CAR-T | Thames Centre</title></head>
<body><main><h1>CAR-T cell therapy</h1>
<p>We offer CAR-T cell therapy for adults with lymphoma.</p>
<p>For appointments, ring the CAR-T coordinators on <a href="tel:+0161 496 0000">0161 496 0000</a>.</p>
</main></body></html>"#;

#[test]
fn snapshot_and_normalize_read_numbers_in_the_centers_country() {
    let server = cartwatch_tests::serve_pages(vec![cartwatch_tests::ServedPage {
        path: "/car-t".into(),
        status: 200,
        content_type: Some("text/html; charset=utf-8".into()),
        body: UK_PAGE.as_bytes().to_vec(),
    }]);
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("centers.toml");
    std::fs::write(
        &config_path,
        format!(
            "[fetch]\nallow_private = true\nmin_delay_ms = 10\nretries = 0\n\n[[center]]\nid = \"thames\"\nname = \"Thames Centre\"\ncountry = \"GB\"\npages = [{:?}]\n",
            server.url("/car-t")
        ),
    )
    .unwrap();
    let store_path = dir.path().join("store");
    cartwatch()
        .args(["snapshot", "--config"])
        .arg(&config_path)
        .arg("--store")
        .arg(&store_path)
        .assert()
        .success();
    let store = Store::open(&store_path).unwrap();
    let manifest = &store.list().unwrap()[0];
    let records = store.records(&manifest.id).unwrap();
    let record = &records[0].2;
    // The loopback URL says nothing of the country: the config does.
    assert_eq!(phones(record), ["+441614960000"]);
    // The link dials "+0161...", which is no number: recorded, not a contact.
    assert_eq!(record.tel_link_mismatches.len(), 1);
    assert_eq!(record.tel_link_mismatches[0].text, "0161 496 0000");
    assert_eq!(record.tel_link_mismatches[0].dials_e164, None);

    // `normalize --center` reads the same country; without it, the US.
    let page = dir.path().join("page.html");
    std::fs::write(&page, UK_PAGE).unwrap();
    let with_center = cartwatch()
        .arg("normalize")
        .arg(&page)
        .args(["--center", "thames", "--config"])
        .arg(&config_path)
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&with_center.get_output().stdout).unwrap();
    assert_eq!(json["contacts"][0]["e164"], "+441614960000");
    assert_eq!(json["tel_link_mismatches"][0]["href"], "tel:+0161 496 0000");
    let without = cartwatch().arg("normalize").arg(&page).assert().success();
    let json: serde_json::Value = serde_json::from_slice(&without.get_output().stdout).unwrap();
    assert_eq!(json["contacts"], serde_json::json!([]));
    assert!(json.get("tel_link_mismatches").is_none());
}
