//! End-to-end: the claims audit through the real binary. Capture folders
//! (the bundled set, and pages written here) are imported into temporary
//! stores, then `audit` (and `compare`) read them back with the built-in or
//! the repository's `config/claims.toml` and `config/products.toml`.

use cartwatch_tests::{bundled_captures, cartwatch};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn run(args: &[&std::ffi::OsStr]) -> (i32, String, String) {
    let output = cartwatch().args(args).output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn os(s: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(s)
}

/// (center, rule) of every claim finding in an audit JSON.
fn claim_findings(audit: &Value) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = audit["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "outdated_claim" || f["kind"] == "product_count")
        .map(|f| {
            (
                f["center"].as_str().unwrap().to_string(),
                f["claim"]["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

#[test]
fn the_acs_driving_claim_in_the_bundled_captures_is_outdated_with_source_and_date() {
    let store = tempfile::tempdir().unwrap();
    let set = bundled_captures("2026-10-01");
    let (code, _, err) = run(&[
        os("import-captures"),
        set.as_os_str(),
        os("--store"),
        store.path().as_os_str(),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(&[
        os("audit"),
        os("--format"),
        os("json"),
        os("--store"),
        store.path().as_os_str(),
    ]);
    assert_eq!(code, 1, "findings exit 1: {err}");
    let audit: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        claim_findings(&audit),
        vec![("acs".to_string(), "driving_weeks".to_string())]
    );
    let f = audit["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "outdated_claim")
        .unwrap();
    assert_eq!(f["severity"], "warning");
    assert!(f["url"].as_str().unwrap().contains("cancer.org"), "{f:#}");
    assert!(
        f["evidence"]
            .as_str()
            .unwrap()
            .contains("for at least 8 weeks after getting treatment"),
        "{f:#}"
    );
    assert_eq!(f["claim"]["claimed"], "for at least 8 weeks");
    assert_eq!(f["claim"]["current"], "2 weeks");
    assert_eq!(f["claim"]["since"], "2025-06-26");
    assert!(f["claim"]["source"]
        .as_str()
        .unwrap()
        .starts_with("https://"));

    // The text format says the same, for a person.
    let (_, text, _) = run(&[os("audit"), os("--store"), store.path().as_os_str()]);
    assert!(
        text.contains("acs outdated_claim: no driving after infusion: the page says \"for at least 8 weeks\"; current: 2 weeks (since 2025-06-26)"),
        "{text}"
    );
}

/// Outdated rules, in the old wording, for a product in scope.
const OLD_RULES: &str = r#"<!doctype html><html><head><title>CAR T-cell therapy | Alpha Health</title></head>
<body><main><h1>CAR T-cell therapy at Alpha Health</h1>
<p>Alpha Health offers Yescarta and Breyanzi for adults with lymphoma. We also offer Breyanzi for CLL.</p>
<p>Our hospital is certified under the REMS program to give CAR T-cell therapy.</p>
<p>You will need to stay within 2 hours of the treatment center for at least 4 weeks after your infusion.</p>
<p>You should not drive or operate heavy machinery for eight weeks after treatment.</p>
<p>There are six FDA-approved CAR T therapies, and our team can help you find the right one.</p>
<p>Last reviewed: August 3, 2026.</p>
</main></body></html>"#;

/// The current rules, true claims, a count for one disease and historical
/// or negated sentences: nothing to report.
const NEW_RULES: &str = r#"<!doctype html><html><head><title>CAR T-cell therapy | Beta Cancer Center</title></head>
<body><main><h1>CAR T-cell therapy</h1>
<p>Beta Cancer Center offers Carvykti and Abecma for multiple myeloma.</p>
<p>After your infusion, stay close to the center for 2 weeks. We monitor you daily for the first week.</p>
<p>Do not drive or operate heavy machinery for at least 2 weeks.</p>
<p>Seven FDA-approved CAR T-cell therapies are available in the United States.</p>
<p>There are two FDA-approved CAR T therapies for multiple myeloma.</p>
<p>Until 2025, patients had to stay near the hospital for 4 weeks and could not drive for 8 weeks.</p>
<p>Centers no longer need REMS certification; the FDA removed the REMS in June 2025.</p>
<p>Last reviewed: August 3, 2026.</p>
</main></body></html>"#;

/// A page about Aucatzyl alone: the 2025 label change did not touch it.
const AUCATZYL: &str = r#"<!doctype html><html><head><title>Aucatzyl | Gamma Institute</title></head>
<body><main><h1>Aucatzyl (obecabtagene autoleucel)</h1>
<p>Gamma Institute offers Aucatzyl for adults with B-cell acute lymphoblastic leukemia.</p>
<p>Plan to stay within 2 hours of the center for 4 weeks after the second dose.</p>
<p>Do not drive for at least 8 weeks after your infusion.</p>
<p>Last reviewed: August 3, 2026.</p>
</main></body></html>"#;

const PAGES: [(&str, &str); 3] = [
    ("alpha", OLD_RULES),
    ("beta", NEW_RULES),
    ("gamma", AUCATZYL),
];

/// A config naming the three fixture centers.
fn config(dir: &Path) -> PathBuf {
    let mut text = String::from("[audit]\nmax_age_months = 12\n");
    for (id, _) in PAGES {
        text.push_str(&format!(
            "\n[[center]]\nid = \"{id}\"\nname = \"{id} health\"\nkind = \"cancer_center\"\npages = [\"https://{id}.example/car-t\"]\n"
        ));
    }
    let path = dir.join("centers.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// The three fixture pages as a capture set fetched on `day`.
fn capture_set(dir: &Path, day: &str) -> PathBuf {
    let set = dir.join(day);
    for (id, html) in PAGES {
        let page = set.join(id);
        std::fs::create_dir_all(&page).unwrap();
        let manifest = serde_json::json!({
            "url": format!("https://{id}.example/car-t"),
            "fetched_at": format!("{day}T06:00:05Z"),
            "status": 200,
            "content_type": "text/html; charset=utf-8",
            "final_url": null,
            "outcome": "ok",
            "body": "1.html"
        });
        std::fs::write(page.join("1.json"), manifest.to_string()).unwrap();
        std::fs::write(page.join("1.html"), html).unwrap();
    }
    std::fs::write(
        set.join("capture.toml"),
        format!("taken_at = \"{day}T06:00:00Z\"\nlabel = \"claims fixtures\"\n"),
    )
    .unwrap();
    set
}

/// Imports the fixture set fetched on `day` into a new store; returns the
/// audit JSON.
fn audit_fixtures(dir: &Path, day: &str, extra: &[&std::ffi::OsStr]) -> (i32, String, String) {
    let config = config(dir);
    let set = capture_set(dir, day);
    let store = dir.join(format!("store-{day}"));
    let (code, _, err) = run(&[
        os("import-captures"),
        set.as_os_str(),
        os("--config"),
        config.as_os_str(),
        os("--store"),
        store.as_os_str(),
    ]);
    assert_eq!(code, 0, "{err}");
    let mut args = vec![
        os("audit"),
        os("--format"),
        os("json"),
        os("--config"),
        config.as_os_str(),
        os("--store"),
        store.as_os_str(),
    ];
    args.extend_from_slice(extra);
    run(&args)
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = list
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    v.sort();
    v
}

#[test]
fn fixture_pages_give_exactly_the_outdated_claims() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = audit_fixtures(dir.path(), "2026-10-01", &[]);
    assert_eq!(code, 1, "{err}");
    let audit: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        claim_findings(&audit),
        pairs(&[
            ("alpha", "driving_weeks"),
            ("alpha", "product_count"),
            ("alpha", "rems_certification"),
            ("alpha", "stay_near_center_weeks"),
        ]),
        "{out}"
    );
    let count = audit["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "product_count")
        .unwrap();
    assert_eq!(
        count["claim"]["claimed"],
        "six FDA-approved CAR T therapies"
    );
    assert_eq!(count["claim"]["since"], "2024-11-08");
    assert!(count["url"]
        .as_str()
        .unwrap()
        .starts_with("https://alpha.example"));
}

#[test]
fn a_snapshot_taken_before_2025_06_26_gives_no_rems_or_label_finding() {
    let dir = tempfile::tempdir().unwrap();
    let (_, out, err) = audit_fixtures(dir.path(), "2025-03-01", &[]);
    let audit: Value = serde_json::from_str(&out).unwrap_or_else(|_| panic!("{err}"));
    // Six was already wrong (Aucatzyl, 2024-11-08); the REMS and the label
    // numbers were still current.
    assert_eq!(
        claim_findings(&audit),
        pairs(&[("alpha", "product_count")]),
        "{out}"
    );
}

#[test]
fn a_products_file_with_a_new_approval_changes_the_count_and_bad_files_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let repo = cartwatch_tests::repo_root();
    let mut catalog = std::fs::read_to_string(repo.join("config/products.toml")).unwrap();
    // Six approved products on 2026-10-01: Aucatzyl's approval moved out of reach.
    catalog = catalog.replace("approved = \"2024-11-08\"", "approved = \"2027-01-01\"");
    let products = dir.path().join("products.toml");
    std::fs::write(&products, &catalog).unwrap();
    let (_, out, err) = audit_fixtures(
        dir.path(),
        "2026-10-01",
        &[os("--products"), products.as_os_str()],
    );
    let audit: Value = serde_json::from_str(&out).unwrap_or_else(|_| panic!("{err}"));
    let claims = claim_findings(&audit);
    assert!(
        !claims.contains(&("alpha".into(), "product_count".into())),
        "{out}"
    );
    assert!(
        claims.contains(&("beta".into(), "product_count".into())),
        "{out}"
    );

    let bad = dir.path().join("bad-products.toml");
    std::fs::write(
        &bad,
        catalog.replacen("status = \"approved\"", "status = \"aproved\"", 1),
    )
    .unwrap();
    let (code, _, err) = audit_fixtures(
        dir.path(),
        "2026-10-02",
        &[os("--products"), bad.as_os_str()],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!("{}:", bad.display())) && err.contains("\"aproved\""),
        "{err}"
    );
    let line = catalog
        .lines()
        .position(|l| l == "status = \"approved\"")
        .unwrap()
        + 1;
    assert!(err.contains(&format!("bad-products.toml:{line}:")), "{err}");
}

#[test]
fn compare_shows_a_centers_outdated_claims() {
    let dir = tempfile::tempdir().unwrap();
    let (_, _, err) = audit_fixtures(dir.path(), "2026-10-01", &[]);
    let store = dir.path().join("store-2026-10-01");
    let compare = |format: &str| {
        let (code, out, err2) = run(&[
            os("compare"),
            os("--format"),
            os(format),
            os("--store"),
            store.as_os_str(),
        ]);
        assert_eq!(code, 0, "{err}{err2}");
        out
    };
    let json: Value = serde_json::from_str(&compare("json")).unwrap();
    let rows = json["rows"].as_array().unwrap();
    let row = |id: &str| rows.iter().find(|r| r["center"] == id).unwrap();
    let alpha: Vec<&str> = row("alpha")["outdated_claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(alpha.len(), 4, "{alpha:#?}");
    assert!(
        alpha.contains(
            &"no driving after infusion: \"for eight weeks\" (now 2 weeks, since 2025-06-26)"
        ),
        "{alpha:#?}"
    );
    assert!(row("beta").get("outdated_claims").is_none());
    // Product → disease pairings read by the normalizer.
    assert_eq!(
        row("alpha")["product_conditions"],
        serde_json::json!({"breyanzi": ["chronic_lymphocytic_leukemia", "lymphoma"], "yescarta": ["lymphoma"]})
    );
    let table = compare("table");
    assert!(
        table.contains("outdated: no driving after infusion: \"for eight weeks\""),
        "{table}"
    );
    assert!(table.contains("breyanzi (CLL, lymphoma)"), "{table}");
}
