//! The content-collapse guard: error and maintenance pages served with
//! "200 OK" are reported once as suspect, never as removed content.

mod common;

use cartwatch_diff::{
    audit, compare, diff, AuditOptions, Cell, CenterStatus, Change, ChangeKind, DiffOptions,
};
use cartwatch_model::*;
use common::*;

const A: &str = "2026-10-01T06:00:00Z";
const B: &str = "2026-11-01T06:00:00Z";

fn kinds(changes: &[Change]) -> Vec<ChangeKind> {
    changes.iter().map(|c| c.kind).collect()
}

fn assert_no_removals(report: &cartwatch_diff::DiffReport) {
    let json = serde_json::to_string(report).unwrap();
    assert!(!json.contains("_removed"), "{json}");
    assert!(!json.contains("\"delete\""), "{json}");
}

#[test]
fn a_maintenance_page_served_with_200_is_one_suspect_change_not_removals() {
    let from = snap(A).page("c", long_record(URL)).build();
    let to = snap(B).page("c", maintenance_record(URL)).build();
    let report = diff(&from, &to, &DiffOptions::default());
    let center = &report.centers[0];
    assert_eq!(kinds(&center.changes), vec![ChangeKind::PageContentSuspect]);
    let change = &center.changes[0];
    assert_eq!(
        change.summary,
        "page looks like an error or maintenance page (15 of 218 words left, 0 of 9 facts; \
         \"under maintenance\"); not compared"
    );
    assert_eq!(change.before.as_deref(), Some("ok"));
    assert_eq!(change.after.as_deref(), Some("suspect"));
    assert!(change
        .evidence
        .as_deref()
        .unwrap()
        .starts_with("Scheduled maintenance | Example Health: Our website is under maintenance."));
    assert!(center.text_diff.is_empty());
    assert_eq!(center.status, CenterStatus::Changed);
    assert!(report.has_changes());
    assert_no_removals(&report);
}

#[test]
fn a_soft_404_is_suspect() {
    let from = snap(A).page("c", base_record(URL)).build();
    let to = snap(B).page("c", soft_404_record(URL)).build();
    let report = diff(&from, &to, &DiffOptions::default());
    let changes = &report.centers[0].changes;
    assert_eq!(kinds(changes), vec![ChangeKind::PageContentSuspect]);
    assert!(
        changes[0].summary.contains("\"page not found\""),
        "{}",
        changes[0].summary
    );
    assert_no_removals(&report);
}

#[test]
fn an_almost_empty_shell_without_any_cue_is_suspect() {
    let from = snap(A).page("c", long_record(URL)).build();
    let mut shell = PageRecord {
        url: URL.into(),
        title: Some("Example Health".into()),
        ..Default::default()
    };
    shell.main_text = "Loading… Please enable JavaScript.".into();
    let to = snap(B).page("c", shell).build();
    let report = diff(&from, &to, &DiffOptions::default());
    let changes = &report.centers[0].changes;
    assert_eq!(kinds(changes), vec![ChangeKind::PageContentSuspect]);
    assert!(
        changes[0]
            .summary
            .contains("(4 of 218 words left, 0 of 9 facts)"),
        "{}",
        changes[0].summary
    );
    assert_no_removals(&report);
}

#[test]
fn recovery_after_a_maintenance_run_compares_with_the_last_good_record() {
    let d1 = "2026-09-01T06:00:00Z";
    let d2 = "2026-09-08T06:00:00Z";
    let d3 = "2026-09-15T06:00:00Z";
    let d4 = "2026-09-22T06:00:00Z";
    let good = snap(d1).page("c", long_record(URL)).build();
    let down1 = snap(d2).page("c", maintenance_record(URL)).build();
    let down2 = snap(d3).page("c", soft_404_record(URL)).build();
    let mut changed = long_record(URL);
    changed.offerings.products.push("breyanzi".into());
    let back = snap(d4).page("c", changed).build();
    let all = [&good, &down1, &down2, &back];

    let first = diff_in(&all, d1, d2, &DiffOptions::default());
    assert_eq!(
        kinds(&first.centers[0].changes),
        vec![ChangeKind::PageContentSuspect]
    );

    let still = diff_in(&all, d2, d3, &DiffOptions::default());
    assert_eq!(
        kinds(&still.centers[0].changes),
        vec![ChangeKind::PageStillSuspect]
    );
    assert!(!still.has_changes(), "still suspect is a reminder");

    let recovered = diff_in(&all, d3, d4, &DiffOptions::default());
    let c = &recovered.centers[0].changes;
    assert_eq!(
        kinds(c),
        vec![ChangeKind::PageRecovered, ChangeKind::ProductAdded],
        "{c:#?}"
    );
    assert!(
        c[0].summary
            .contains(&format!("error or maintenance page in {d3}"))
            && c[0]
                .summary
                .contains(&format!("last good record, from {d1}")),
        "{}",
        c[0].summary
    );
    assert!(recovered.centers[0].text_diff.is_empty());
}

#[test]
fn a_failure_after_a_maintenance_page_recovers_against_the_good_record_not_the_notice() {
    let d1 = "2026-09-01T06:00:00Z";
    let d2 = "2026-09-08T06:00:00Z";
    let d3 = "2026-09-15T06:00:00Z";
    let d4 = "2026-09-22T06:00:00Z";
    let good = snap(d1).page("c", long_record(URL)).build();
    let notice = snap(d2).page("c", maintenance_record(URL)).build();
    let down = snap(d3).failed("c", URL, FetchOutcome::Timeout).build();
    let back = snap(d4).page("c", long_record(URL)).build();
    let all = [&good, &notice, &down, &back];
    let recovered = diff_in(&all, d3, d4, &DiffOptions::default());
    let c = &recovered.centers[0].changes;
    assert_eq!(kinds(c), vec![ChangeKind::PageRecovered], "{c:#?}");
    assert!(
        c[0].summary.contains(&format!("from {d1}")),
        "{}",
        c[0].summary
    );
}

#[test]
fn without_history_a_recovery_from_an_error_page_adds_nothing() {
    let from = snap(A).page("c", soft_404_record(URL)).build();
    let to = snap(B).page("c", long_record(URL)).build();
    let report = diff(&from, &to, &DiffOptions::default());
    let c = &report.centers[0].changes;
    assert_eq!(kinds(c), vec![ChangeKind::PageRecovered]);
    assert!(
        c[0].summary.ends_with("no earlier record to compare with"),
        "{}",
        c[0].summary
    );
}

#[test]
fn a_large_real_edit_that_keeps_the_facts_is_compared_as_usual() {
    let before = long_record(URL);
    // Half the page rewritten, the facts kept.
    let mut rewritten = before.clone();
    let words: Vec<&str> = before.main_text.split_whitespace().collect();
    let half = words.len() / 2;
    rewritten.main_text = format!(
        "{} {}",
        words[..half].join(" "),
        "Our new cellular therapy center opened this year with more beds. ".repeat(10)
    );
    rewritten.offerings.products.push("carvykti".into());
    let from = snap(A).page("c", before.clone()).build();
    let to = snap(B).page("c", rewritten).build();
    let report = diff(&from, &to, &DiffOptions::default());
    let k = kinds(&report.centers[0].changes);
    assert_eq!(k, vec![ChangeKind::ProductAdded, ChangeKind::TextChanged]);

    // Cut to a quarter of its words, but every fact still there: a real
    // (if drastic) edit, not a collapse.
    let mut cut = before.clone();
    cut.main_text = words[..words.len() / 4].join(" ");
    let to = snap(B).page("c", cut).build();
    let report = diff(&from, &to, &DiffOptions::default());
    assert_eq!(
        kinds(&report.centers[0].changes),
        vec![ChangeKind::TextChanged]
    );
}

#[test]
fn a_real_page_that_mentions_a_cue_is_not_suspect() {
    let before = long_record(URL);
    let mut after = before.clone();
    after.main_text.push_str(
        "\n\nThe patient portal is temporarily unavailable; please sign in to continue later.",
    );
    let from = snap(A).page("c", before).build();
    let to = snap(B).page("c", after).build();
    let report = diff(&from, &to, &DiffOptions::default());
    assert_eq!(
        kinds(&report.centers[0].changes),
        vec![ChangeKind::TextChanged]
    );
}

#[test]
fn a_one_snapshot_maintenance_settles() {
    let d1 = "2026-09-01T06:00:00Z";
    let d2 = "2026-09-08T06:00:00Z";
    let d3 = "2026-09-15T06:00:00Z";
    let good = snap(d1).page("c", long_record(URL)).build();
    let notice = snap(d2).page("c", maintenance_record(URL)).build();
    let back = snap(d3).page("c", long_record(URL)).build();
    let all = [&good, &notice, &back];
    let options = DiffOptions {
        settle: 1,
        ..DiffOptions::default()
    };
    assert!(!diff_in(&all, d1, d2, &options).has_changes());
    assert!(!diff_in(&all, d2, d3, &options).has_changes());
    // Without settling, both are reported.
    assert!(diff_in(&all, d1, d2, &DiffOptions::default()).has_changes());
}

#[test]
fn compare_shows_a_suspect_pages_facts_as_unknown() {
    let view = snap(B)
        .page("good", base_record("https://good.example/car-t"))
        .page("down", maintenance_record("https://down.example/car-t"))
        .build();
    let matrix = compare(&view);
    let row = &matrix.rows[1];
    assert_eq!(row.center, "down");
    assert_eq!(row.pages_suspect, 1);
    assert_eq!(row.pages_ok, 0);
    assert_eq!(row.products, Cell::Unknown);
    assert_eq!(row.clinical_trials, Cell::Unknown);
    assert_eq!(row.phones["general"], Cell::Unknown);
    assert_eq!(row.unknown_label(), "unknown (page suspect)");
    let table = cartwatch_diff::render_matrix(&matrix, cartwatch_diff::CompareFormat::Table);
    assert!(table.contains("unknown (page suspect)"), "{table}");
    assert!(table.contains("1 page suspect"), "{table}");
    assert_eq!(matrix.rows[0].pages_suspect, 0);
    assert_eq!(
        matrix.rows[0].products,
        Cell::Stated(vec!["kymriah".into()])
    );
}

#[test]
fn audit_raises_no_findings_from_a_suspect_page() {
    let mut notice = maintenance_record(URL);
    notice.contacts[0].valid = Some(false);
    let previous = snap(A).page("c", long_record(URL)).build();
    let current = snap(B).page("c", notice).build();
    let report = audit(&current, Some(&previous), &AuditOptions::default());
    assert!(report.findings.is_empty(), "{:#?}", report.findings);

    // And a good page after a maintenance notice is not "number changed".
    let report = audit(&previous, Some(&current), &AuditOptions::default());
    assert!(
        !report
            .findings
            .iter()
            .any(|f| f.kind == cartwatch_diff::FindingKind::NumberChanged),
        "{:#?}",
        report.findings
    );
}
