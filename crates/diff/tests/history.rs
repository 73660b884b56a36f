//! The history of a center's facts: spans, changes and gaps.

mod common;

use cartwatch_diff::history::{center_history, render_csv, render_text};
use cartwatch_diff::SnapshotView;
use cartwatch_model::*;
use common::*;

fn span_of<'a>(
    history: &'a cartwatch_diff::CenterHistory,
    fact: &str,
    key: &str,
) -> &'a [cartwatch_diff::Span] {
    &history
        .facts
        .iter()
        .find(|f| f.fact == fact && f.key == key)
        .unwrap_or_else(|| panic!("no {fact} {key}: {history:#?}"))
        .spans
}

#[test]
fn spans_start_and_end_where_the_page_changed_and_gaps_are_not_changes() {
    let first = base_record(URL);
    let mut second = first.clone();
    second.offerings.products.push("yescarta".into());
    let mut third = second.clone();
    third.contacts[0].e164 = Some("+12164452000".into());
    third.contacts[0].display = Some("216-445-2000".into());

    let views: Vec<SnapshotView> = vec![
        snap("2019-01-20T08:00:00Z")
            .archive()
            .page("c", first)
            .build(),
        snap("2019-06-10T09:00:00Z").archive().no_pages("c").build(),
        snap("2020-03-01T08:00:00Z")
            .archive()
            .page("c", second)
            .build(),
        snap("2020-11-15T09:00:00Z")
            .failed("c", URL, FetchOutcome::Timeout)
            .build(),
        snap("2021-09-01T08:00:00Z")
            .archive()
            .page("c", third)
            .build(),
    ];
    let refs: Vec<&SnapshotView> = views.iter().collect();
    let history = center_history(&refs, "c", &[]);
    assert_eq!(history.snapshots, 5);

    let kymriah = span_of(&history, "product", "kymriah");
    assert_eq!(kymriah.len(), 1, "gaps do not split a span");
    assert_eq!(kymriah[0].first_seen.snapshot, "2019-01-20T08:00:00Z");
    assert_eq!(kymriah[0].last_seen.snapshot, "2021-09-01T08:00:00Z");
    assert_eq!(kymriah[0].gaps, 2);
    assert!(kymriah[0].ended.is_none());
    assert_eq!(
        kymriah[0].evidence.as_deref(),
        Some("We offer Kymriah for children and young adults.")
    );

    let yescarta = span_of(&history, "product", "yescarta");
    assert_eq!(yescarta[0].first_seen.snapshot, "2020-03-01T08:00:00Z");

    let old = span_of(&history, "contact", "+12168443951");
    assert_eq!(old[0].last_seen.snapshot, "2020-03-01T08:00:00Z");
    assert_eq!(
        old[0].ended.as_ref().unwrap().snapshot,
        "2021-09-01T08:00:00Z",
        "ended at the first capture without it, not at the gap"
    );
    let new = span_of(&history, "contact", "+12164452000");
    assert_eq!(new[0].first_seen.snapshot, "2021-09-01T08:00:00Z");

    let reasons: Vec<&str> = history.gaps.iter().map(|g| g.reason.as_str()).collect();
    assert_eq!(reasons, ["not captured", "unreachable (timeout)"]);

    // Filtering by kind, and the renderers.
    let products = center_history(&refs, "c", &["product".to_string()]);
    assert!(products.facts.iter().all(|f| f.fact == "product"));
    let text = render_text(&history);
    assert!(
        text.contains("(2 gap(s) in between, not changes)"),
        "{text}"
    );
    assert!(
        text.contains("2019-06-10T09:00:00Z  not captured"),
        "{text}"
    );
    let csv = render_csv(&products);
    assert!(csv.starts_with("center,url,fact,key,value,"));
    assert!(csv.contains("\r\nc,https://example.org/car-t,product,yescarta,yescarta,"));
}

#[test]
fn a_changed_value_is_a_new_span_of_the_same_fact() {
    let first = base_record(URL);
    let mut second = first.clone();
    second.process[0].durations[0].text = "four hours".into();
    let views: Vec<SnapshotView> = vec![
        snap("2026-10-01T06:00:00Z").page("c", first).build(),
        snap("2026-11-01T06:00:00Z").page("c", second).build(),
    ];
    let refs: Vec<&SnapshotView> = views.iter().collect();
    let history = center_history(&refs, "c", &["stage".to_string()]);
    let collection = span_of(&history, "stage", "collection");
    assert_eq!(collection.len(), 2);
    assert_eq!(collection[0].value, "two to three hours");
    assert_eq!(
        collection[0].ended.as_ref().unwrap().snapshot,
        "2026-11-01T06:00:00Z"
    );
    assert_eq!(collection[1].value, "four hours");
    assert!(collection[1].ended.is_none());
}
