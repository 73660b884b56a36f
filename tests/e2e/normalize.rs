//! End-to-end: `cartwatch normalize` on one page (pretty JSON, unchanged) and
//! in batch (`--jsonl`: many files and folders, one record per line with its
//! source; unreadable pages give error lines and exit status 2).

use cartwatch_normalizer::{normalize, PageInput, Vocabulary};
use cartwatch_tests::cartwatch;
use predicates::str::contains;
use std::io::Write;
use std::path::Path;

fn page(center: &str, phone: &str) -> String {
    format!(
        "<!doctype html><html><head><title>CAR T | {center}</title></head><body>\
         <nav><a href=\"/\">Home</a></nav><main><h1>CAR T\u{a0}Cell Therapy at {center}</h1>\
         <p>We offer Kymriah and Yescarta for adults with lymphoma. Call {phone} to schedule \
         an appointment with Dr. Jos\u{e9} N\u{fa}\u{f1}ez\u{2019}s team.</p>\
         <p>Your T cells are collected through leukapheresis, which takes two to three hours.</p>\
         </main><footer>Copyright 2026 {center}</footer></body></html>"
    )
}

/// The record the library gives for `bytes`, with the repository's vocabulary
/// (the binary runs in the repository root, where config/vocabulary.toml is).
fn expected(bytes: &[u8], url: &str) -> serde_json::Value {
    serde_json::from_str(&expected_pretty(bytes, url)).unwrap()
}

/// The library's record for `bytes` as `normalize` printed it before batch mode.
fn expected_pretty(bytes: &[u8], url: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(root.join("config/vocabulary.toml")).unwrap();
    let vocabulary = Vocabulary::from_toml_str(&text, "config/vocabulary.toml").unwrap();
    let record = normalize(
        &PageInput {
            bytes,
            url,
            content_type: None,
            selectors: None,
        },
        &vocabulary,
    );
    serde_json::to_string_pretty(&record).unwrap()
}

#[test]
fn one_page_prints_the_pretty_record_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.html");
    let html = page("Riverside Cancer Center", "216-844-3951");
    std::fs::write(&file, &html).unwrap();
    let out = cartwatch().arg("normalize").arg(&file).assert().success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let url = file.display().to_string();
    let want = expected_pretty(html.as_bytes(), &url) + "\n";
    assert_eq!(stdout, want);
    assert!(!stdout.contains("\"source\""));
}

#[test]
fn batch_mode_reads_files_and_folders_and_reports_unreadable_pages() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.html");
    std::fs::write(&a, page("Riverside", "216-844-3951")).unwrap();
    let folder = dir.path().join("set");
    std::fs::create_dir_all(folder.join("deeper/still")).unwrap();
    std::fs::write(folder.join("b.htm"), page("Lakeshore", "312-555-0142")).unwrap();
    std::fs::write(
        folder.join("deeper/still/c.HTML"),
        page("Pinecrest", "412-555-0199"),
    )
    .unwrap();
    let gz_html = page("Brookhaven", "617-555-0123");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(gz_html.as_bytes()).unwrap();
    std::fs::write(folder.join("deeper/d.html.gz"), gz.finish().unwrap()).unwrap();
    std::fs::write(folder.join("notes.txt"), "not a page").unwrap();
    std::fs::write(folder.join("broken.html.gz"), "not gzip at all").unwrap();
    let missing = dir.path().join("missing.html");

    let out = cartwatch()
        .args(["normalize", "--jsonl"])
        .arg(&a)
        .arg(&missing)
        .arg(&folder)
        .assert()
        .code(2)
        .stderr(contains("missing.html"))
        .stderr(contains("broken.html.gz"));
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is one JSON object"))
        .collect();
    let sources: Vec<&str> = lines
        .iter()
        .map(|l| l["source"].as_str().unwrap())
        .collect();
    let name = |p: &Path| p.display().to_string();
    assert_eq!(
        sources,
        [
            name(&a),
            name(&missing),
            name(&folder.join("b.htm")),
            name(&folder.join("broken.html.gz")),
            name(&folder.join("deeper/d.html.gz")),
            name(&folder.join("deeper/still/c.HTML")),
        ]
    );
    // Errors name the file; records are the library's records plus `source`.
    assert!(lines[1]["error"].as_str().unwrap().contains("missing.html"));
    assert!(lines[3]["error"]
        .as_str()
        .unwrap()
        .contains("broken.html.gz"));
    for (i, html) in [
        (0, page("Riverside", "216-844-3951")),
        (2, page("Lakeshore", "312-555-0142")),
        (4, gz_html.clone()),
        (5, page("Pinecrest", "412-555-0199")),
    ] {
        let mut record = lines[i].clone();
        let source = record.as_object_mut().unwrap().remove("source").unwrap();
        let source = source.as_str().unwrap();
        assert_eq!(record, expected(html.as_bytes(), source), "line {i}");
        assert!(record.get("error").is_none());
    }
    assert_eq!(lines[4]["contacts"][0]["e164"], "+16175550123");

    // All readable: exit 0.
    cartwatch()
        .args(["normalize", "--jsonl"])
        .arg(&a)
        .arg(folder.join("b.htm"))
        .assert()
        .success();
}

#[test]
fn several_pages_need_jsonl_and_url_names_one_page() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.html");
    let b = dir.path().join("b.html");
    std::fs::write(&a, page("A", "216-844-3951")).unwrap();
    std::fs::write(&b, page("B", "312-555-0142")).unwrap();
    cartwatch()
        .arg("normalize")
        .arg(&a)
        .arg(&b)
        .assert()
        .code(2)
        .stderr(contains("--jsonl"));
    cartwatch()
        .arg("normalize")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(contains("--jsonl"));
    cartwatch()
        .args(["normalize", "--jsonl", "--url", "https://x.example/"])
        .arg(&a)
        .arg(&b)
        .assert()
        .code(2)
        .stderr(contains("--url"));
}
