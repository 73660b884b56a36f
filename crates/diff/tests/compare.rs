//! The comparison matrix: stated, not stated and unknown stay apart.

mod common;

use cartwatch_diff::{compare, render_matrix, Cell, CompareFormat};
use cartwatch_model::*;
use common::*;

#[test]
fn stated_facts_are_merged_across_pages() {
    let second = "https://example.org/car-t/adults";
    let mut adults = base_record(second);
    adults.offerings.products = vec!["yescarta".into()];
    adults.offerings.populations = vec!["adult".into()];
    adults.offerings.age_max = None;
    adults.contacts = vec![phone(
        "+12168445432",
        "216-844-5432",
        &[Purpose::Information, Purpose::Referrals],
        "Questions? Call 216-844-5432.",
    )];
    adults.dates.reviewed = Some("2024-01-05".into());
    let view = snap("2026-10-01T06:00:00Z")
        .page("c", base_record(URL))
        .page("c", adults)
        .build();
    let matrix = compare(&view);
    let row = &matrix.rows[0];
    assert_eq!(row.pages_ok, 2);
    assert_eq!(
        row.products,
        Cell::Stated(vec!["kymriah".to_string(), "yescarta".to_string()])
    );
    assert_eq!(
        row.populations,
        Cell::Stated(vec!["adult".to_string(), "pediatric".to_string()])
    );
    assert_eq!(row.age_max, Cell::Stated(25));
    assert_eq!(row.clinical_trials, Cell::Stated(true));
    assert_eq!(row.manufacturing_on_site, Cell::NotStated);
    assert_eq!(row.all_fda_approved, Cell::NotStated);
    assert_eq!(
        row.phones["appointments"],
        Cell::Stated(vec!["216-844-3951".to_string()])
    );
    assert_eq!(
        row.phones["referrals"],
        Cell::Stated(vec!["216-844-5432".to_string()])
    );
    assert_eq!(row.phones["clinical_trials"], Cell::NotStated);
    assert_eq!(row.last_reviewed, Cell::Stated("2024-01-05".to_string()));
}

#[test]
fn a_failed_page_is_unknown_never_no() {
    let view = snap("2026-11-01T06:00:00Z")
        .page("ok", base_record(URL))
        .failed("down", URL, FetchOutcome::Timeout)
        .build();
    let matrix = compare(&view);
    let down = &matrix.rows[1];
    assert_eq!(down.pages_ok, 0);
    assert_eq!(down.products, Cell::Unknown);
    assert_eq!(down.clinical_trials, Cell::Unknown);
    assert_eq!(down.manufacturing_on_site, Cell::Unknown);
    assert_eq!(down.age_max, Cell::Unknown);
    assert!(down.phones.values().all(|c| *c == Cell::Unknown));
    assert_eq!(down.last_reviewed, Cell::Unknown);
    // Unstated on a fetched page is "not stated"; with another page of the
    // center down it is "unknown", since that page might state it.
    assert_eq!(matrix.rows[0].manufacturing_on_site, Cell::NotStated);
    let partial = snap("2026-11-01T06:00:00Z")
        .page("c", base_record(URL))
        .failed("c", "https://example.org/other", FetchOutcome::Timeout)
        .build();
    let row = &compare(&partial).rows[0];
    assert_eq!(row.manufacturing_on_site, Cell::Unknown);
    assert_eq!(row.products, Cell::Stated(vec!["kymriah".to_string()]));

    for format in [
        CompareFormat::Table,
        CompareFormat::Markdown,
        CompareFormat::Csv,
        CompareFormat::Html,
    ] {
        let out = render_matrix(&matrix, format);
        assert!(out.contains("unknown"), "{format:?}: {out}");
        assert!(out.contains("not stated"), "{format:?}: {out}");
        let lower = out.to_lowercase();
        assert!(
            !lower.contains(",no,") && !lower.contains(">no<") && !lower.contains("| no "),
            "{format:?} must never say no: {out}"
        );
    }
}

#[test]
fn html_is_self_contained_and_escapes_page_text() {
    let mut hostile = base_record(URL);
    hostile.contacts = vec![phone(
        "+12168443951",
        "<script>alert(1)</script>",
        &[Purpose::Appointments],
        "x",
    )];
    hostile.offerings.products = vec!["<img src=x onerror=alert(1)>".into()];
    let mut view = snap("2026-10-01T06:00:00Z").page("c", hostile).build();
    view.manifest.centers[0].name = "Evil & \"Co\" <b>".into();
    let html = render_matrix(&compare(&view), CompareFormat::Html);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("Evil &amp; &quot;Co&quot; &lt;b&gt;"));
    assert!(
        !html.contains("src=\"http") && !html.contains("<link"),
        "no external resources"
    );
}
