//! Every audit finding, proven on snapshots built here.

mod common;

use cartwatch_diff::{audit, AuditOptions, ContactRegistry, FindingKind, Severity};
use cartwatch_model::*;
use common::*;

fn kinds(report: &cartwatch_diff::AuditReport) -> Vec<FindingKind> {
    report.findings.iter().map(|f| f.kind).collect()
}

fn fresh(url: &str) -> PageRecord {
    let mut r = base_record(url);
    r.dates.reviewed = Some("2026-06-01".into());
    r
}

#[test]
fn a_clean_page_has_no_findings() {
    let view = snap("2026-10-01T06:00:00Z").page("c", fresh(URL)).build();
    let report = audit(&view, None, &AuditOptions::default());
    assert!(report.findings.is_empty(), "{report:#?}");
    assert_eq!(report.count_at_or_above(Severity::Info), 0);
}

#[test]
fn number_changed_since_the_previous_snapshot() {
    let before = snap("2026-10-01T06:00:00Z").page("c", fresh(URL)).build();
    let mut changed = fresh(URL);
    changed.contacts[0].e164 = Some("+12168443960".into());
    changed.contacts[0].display = Some("216-844-3960".into());
    changed.contacts[0].evidence = "To make an appointment, call 216-844-3960.".into();
    let after = snap("2026-11-01T06:00:00Z").page("c", changed).build();
    let report = audit(&after, Some(&before), &AuditOptions::default());
    assert_eq!(kinds(&report), vec![FindingKind::NumberChanged]);
    let f = &report.findings[0];
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.center, "c");
    assert_eq!(f.url, URL);
    assert_eq!(f.numbers, vec!["216-844-3951", "216-844-3960"]);
    assert_eq!(f.evidence, "To make an appointment, call 216-844-3960.");
    assert!(
        f.summary.contains("appointments number changed"),
        "{}",
        f.summary
    );
    assert!(!f.action.is_empty());
    assert_eq!(report.previous.as_deref(), Some("2026-10-01T06:00:00Z"));
}

#[test]
fn different_numbers_for_the_same_purpose_on_one_page_and_across_pages() {
    let mut two = fresh(URL);
    two.contacts.push(phone(
        "+12168440000",
        "216-844-0000",
        &[Purpose::Appointments],
        "Appointments: 216-844-0000.",
    ));
    let view = snap("2026-10-01T06:00:00Z").page("c", two).build();
    let report = audit(&view, None, &AuditOptions::default());
    assert_eq!(kinds(&report), vec![FindingKind::InconsistentNumbers]);
    assert!(report.findings[0].summary.contains("on one page"));
    assert_eq!(report.findings[0].numbers.len(), 2);

    let other = "https://example.org/car-t/adults";
    let mut second = fresh(other);
    second.contacts = vec![phone(
        "+12168440000",
        "216-844-0000",
        &[Purpose::Appointments],
        "Appointments: 216-844-0000.",
    )];
    let view = snap("2026-10-01T06:00:00Z")
        .page("c", fresh(URL))
        .page("c", second)
        .build();
    let report = audit(&view, None, &AuditOptions::default());
    assert_eq!(kinds(&report), vec![FindingKind::InconsistentNumbers]);
    let f = &report.findings[0];
    assert!(f.summary.contains("across 2 pages"), "{}", f.summary);
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.evidence.contains("216-844-3951") && f.evidence.contains("216-844-0000"));
}

#[test]
fn invalid_numbers_from_the_record_and_from_libphonenumber() {
    let mut page = fresh(URL);
    page.contacts[0].valid = Some(false);
    let view = snap("2026-10-01T06:00:00Z").page("c", page).build();
    let report = audit(&view, None, &AuditOptions::default());
    assert_eq!(kinds(&report), vec![FindingKind::InvalidNumber]);
    assert_eq!(report.findings[0].severity, Severity::Error);

    // The record says nothing, but 555-01xx numbers are not assignable.
    let mut page = fresh(URL);
    page.contacts[0].valid = None;
    page.contacts[0].e164 = Some("+15550100000".into());
    page.contacts[0].display = Some("555-010-0000".into());
    let view = snap("2026-10-01T06:00:00Z").page("c", page).build();
    let report = audit(&view, None, &AuditOptions::default());
    assert_eq!(kinds(&report), vec![FindingKind::InvalidNumber]);
    assert_eq!(report.findings[0].numbers, vec!["555-010-0000"]);
}

#[test]
fn numbers_that_differ_from_the_registry() {
    let registry = ContactRegistry::from_toml_str(
        "[center.c]\nappointments = \"216-844-3960\"\n",
        "contacts.toml",
    )
    .unwrap();
    let options = AuditOptions {
        registry: Some(registry),
        ..AuditOptions::default()
    };
    let view = snap("2026-10-01T06:00:00Z").page("c", fresh(URL)).build();
    let report = audit(&view, None, &options);
    assert_eq!(kinds(&report), vec![FindingKind::RegistryMismatch]);
    let f = &report.findings[0];
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.numbers, vec!["216-844-3951"]);
    assert!(f.summary.contains("+12168443960"), "{}", f.summary);
    assert!(f.action.contains("contacts.toml"));

    let matching = ContactRegistry::from_toml_str(
        "[center.c]\nappointments = [\"(216) 844-3951\"]\n",
        "contacts.toml",
    )
    .unwrap();
    let options = AuditOptions {
        registry: Some(matching),
        ..AuditOptions::default()
    };
    assert!(audit(&view, None, &options).findings.is_empty());
}

#[test]
fn stale_and_missing_dates() {
    // base_record was reviewed 2023-10-12; fetched 2026-10-01.
    let view = snap("2026-10-01T06:00:00Z")
        .page("c", base_record(URL))
        .build();
    let report = audit(&view, None, &AuditOptions::default());
    assert_eq!(kinds(&report), vec![FindingKind::StaleDate]);
    let f = &report.findings[0];
    assert_eq!(f.severity, Severity::Warning);
    assert!(
        f.summary.contains("2023-10-12") && f.summary.contains("35 months"),
        "{}",
        f.summary
    );
    assert_eq!(f.evidence, "Medically reviewed on Oct. 12, 2023.");

    let lenient = AuditOptions {
        max_age_months: 36,
        ..AuditOptions::default()
    };
    assert!(audit(&view, None, &lenient).findings.is_empty());

    // Exactly at the limit is not stale; one day past is.
    let mut edge = base_record(URL);
    edge.dates.reviewed = Some("2025-10-01".into());
    let view = snap("2026-10-01T06:00:00Z").page("c", edge.clone()).build();
    assert!(audit(&view, None, &AuditOptions::default())
        .findings
        .is_empty());
    edge.dates.reviewed = Some("2025-09-30".into());
    let view = snap("2026-10-01T06:00:00Z").page("c", edge).build();
    assert_eq!(
        kinds(&audit(&view, None, &AuditOptions::default())),
        vec![FindingKind::StaleDate]
    );

    let mut undated = base_record(URL);
    undated.dates = PageDates::default();
    let view = snap("2026-10-01T06:00:00Z").page("c", undated).build();
    let report = audit(&view, None, &AuditOptions::default());
    assert_eq!(kinds(&report), vec![FindingKind::MissingDate]);
    assert_eq!(report.findings[0].severity, Severity::Info);
    assert_eq!(report.count_at_or_above(Severity::Warning), 0);
    assert_eq!(report.count_at_or_above(Severity::Info), 1);
}

#[test]
fn failed_pages_are_not_audited_as_missing_anything() {
    let view = snap("2026-10-01T06:00:00Z")
        .failed("c", URL, FetchOutcome::Timeout)
        .build();
    assert!(audit(&view, None, &AuditOptions::default())
        .findings
        .is_empty());
}
