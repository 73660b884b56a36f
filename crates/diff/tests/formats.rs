//! Every renderer of every report, pinned with insta snapshots.

mod common;

use cartwatch_diff::*;
use cartwatch_model::*;
use common::*;

const A: &str = "2026-10-01T06:00:00Z";
const B: &str = "2026-11-01T06:00:00Z";
const MSK: &str = "https://www.mskcc.org/car-t";
const UH: &str = "https://www.uhhospitals.org/car-t";
const DAVIS: &str = "https://health.ucdavis.edu/car-t";
const ACS: &str = "https://www.cancer.org/car-t";

fn pair() -> (SnapshotView, SnapshotView) {
    let uh = base_record(UH);
    let mut uh_after = uh.clone();
    uh_after.contacts = vec![phone(
        "+12168443960",
        "216-844-3960",
        &[Purpose::Appointments],
        "To make an appointment, call 216-844-3960.",
    )];
    let davis = base_record(DAVIS);
    let mut davis_after = davis.clone();
    davis_after.offerings.products.push("carvykti".into());
    davis_after.evidence.insert(
        "product:carvykti".into(),
        "We now also offer Carvykti (ciltacabtagene autoleucel) for adults with multiple myeloma."
            .into(),
    );
    davis_after.process[0].durations[0] = Duration {
        text: "three to four hours".into(),
        min_minutes: Some(180),
        max_minutes: Some(240),
    };
    davis_after.process[0].evidence = "We draw blood over three to four hours.".into();
    davis_after.dates.reviewed = Some("2026-10-20".into());
    davis_after.evidence.insert(
        "date:reviewed".into(),
        "Medically reviewed on Oct. 20, 2026.".into(),
    );
    davis_after.main_text = davis_after.main_text.replace(
        "two to three hours.",
        "three to four hours. We now also offer Carvykti for adults with multiple myeloma.",
    );
    let from = snap(A)
        .page("upmc", base_record("https://hillman.upmc.com/car-t"))
        .page("msk", base_record(MSK))
        .page("ucdavis", davis)
        .page("uh-rainbow", uh)
        .page("acs", base_record(ACS))
        .build();
    let to = snap(B)
        .page("upmc", base_record("https://hillman.upmc.com/car-t"))
        .failed("msk", MSK, FetchOutcome::Timeout)
        .page("ucdavis", davis_after)
        .page("uh-rainbow", uh_after)
        .page("acs", maintenance_record(ACS))
        .build();
    (from, to)
}

fn report() -> DiffReport {
    let (from, to) = pair();
    diff(&from, &to, &DiffOptions::default())
}

#[test]
fn diff_text() {
    insta::assert_snapshot!(render_diff(&report(), DiffFormat::Text, false));
}

#[test]
fn diff_text_coloured() {
    let out = render_diff(&report(), DiffFormat::Text, true);
    assert!(out.contains("\x1b[32m+\x1b[0m"));
    insta::assert_snapshot!(out.replace('\x1b', "<ESC>"));
}

#[test]
fn diff_markdown() {
    insta::assert_snapshot!(render_diff(&report(), DiffFormat::Markdown, false));
}

#[test]
fn diff_json_follows_the_documented_schema() {
    let out = render_diff(&report(), DiffFormat::Json, false);
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&value), ["centers", "from", "to"]);
    for center in value["centers"].as_array().unwrap() {
        assert_eq!(keys(center), ["center", "changes", "status", "text_diff"]);
        for change in center["changes"].as_array().unwrap() {
            assert_eq!(
                keys(change),
                ["after", "before", "evidence", "kind", "summary", "url"]
            );
        }
    }
    insta::assert_snapshot!(out);
}

fn matrix() -> Matrix {
    compare(&pair().1)
}

#[test]
fn matrix_table() {
    insta::assert_snapshot!(render_matrix(&matrix(), CompareFormat::Table));
}

#[test]
fn matrix_markdown() {
    insta::assert_snapshot!(render_matrix(&matrix(), CompareFormat::Markdown));
}

#[test]
fn matrix_csv() {
    insta::assert_snapshot!(render_matrix(&matrix(), CompareFormat::Csv));
}

#[test]
fn matrix_json() {
    insta::assert_snapshot!(render_matrix(&matrix(), CompareFormat::Json));
}

#[test]
fn matrix_html() {
    insta::assert_snapshot!(render_matrix(&matrix(), CompareFormat::Html));
}

fn audit_report() -> AuditReport {
    let (from, to) = pair();
    let registry = ContactRegistry::from_toml_str(
        "[center.uh-rainbow]\nappointments = \"216-844-3951\"\n",
        "contacts.toml",
    )
    .unwrap();
    audit(
        &to,
        Some(&from),
        &AuditOptions {
            max_age_months: 12,
            registry: Some(registry),
            claims: None,
        },
    )
}

#[test]
fn audit_text() {
    insta::assert_snapshot!(render_audit(&audit_report(), AuditFormat::Text, false));
}

#[test]
fn audit_markdown() {
    insta::assert_snapshot!(render_audit(&audit_report(), AuditFormat::Markdown, false));
}

#[test]
fn audit_json() {
    insta::assert_snapshot!(render_audit(&audit_report(), AuditFormat::Json, false));
}

#[test]
fn audit_csv() {
    insta::assert_snapshot!(render_audit(&audit_report(), AuditFormat::Csv, false));
}

#[test]
fn many_unchanged_centers_are_counted_not_listed() {
    let mut from = common::snap(A);
    let mut to = common::snap(B);
    for i in 0..25 {
        let center = format!("center-{i}");
        from = from.page(&center, base_record(URL));
        to = to.page(&center, base_record(URL));
    }
    let report = diff(&from.build(), &to.build(), &DiffOptions::default());
    let text = render_diff(&report, DiffFormat::Text, false);
    assert!(text.contains("unchanged: 25 centers"), "{text}");
    let markdown = render_diff(&report, DiffFormat::Markdown, false);
    assert!(markdown.contains("Unchanged: 25 centers."), "{markdown}");
}
