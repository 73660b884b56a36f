//! Main text on page shapes met on real sites, each written here for one
//! class of failure: pages built of "widget" sections, forums and apps that
//! serve their text in `<noscript>`, service pages opening with a hero
//! banner, and pathological nesting that must still read (and in linear time:
//! see `cargo run -p bench --release --bin pathological`).

mod common;

use cartwatch_model::PageRecord;
use cartwatch_normalizer::{normalize, PageInput, Vocabulary};
use common::normalize_fixture;

fn record(name: &str) -> PageRecord {
    normalize_fixture(&format!("main_text/{name}"), None, None)
}

fn assert_text(r: &PageRecord, present: &[&str], absent: &[&str]) {
    for p in present {
        assert!(
            r.main_text.contains(p),
            "main_text lacks {p:?}:\n{}",
            r.main_text
        );
    }
    for a in absent {
        assert!(
            !r.main_text.contains(a),
            "main_text holds {a:?}:\n{}",
            r.main_text
        );
    }
}

fn normalize_str(html: &str) -> PageRecord {
    normalize(
        &PageInput {
            bytes: html.as_bytes(),
            url: "https://example.org/pathological",
            content_type: None,
            selectors: None,
        },
        &Vocabulary::builtin(),
    )
}

#[test]
fn page_builder_widgets_are_the_content_not_sidebars() {
    let r = record("widget-sections.html");
    assert_text(
        &r,
        &[
            "CAR T-Cell Therapy at Riverbend",
            "re-engineered immune cells",
            "Expert care team",
            "near public transit",
            "Frequently asked questions",
            "Who can refer me?",
            "call our coordinators yourself",
        ],
        &["We use cookies", "Find Care", "Giving", "Copyright 2026"],
    );
}

#[test]
fn a_page_served_in_noscript_is_read_from_it() {
    let r = record("noscript-forum.html");
    assert_eq!(
        r.title.as_deref(),
        Some("Questions about CAR T recovery - Patient Forum")
    );
    assert_text(
        &r,
        &[
            "How long did the fatigue last",
            "about six weeks",
            "tell the team about fevers",
        ],
        &["enable JavaScript", "preloaded"],
    );
}

#[test]
fn a_hero_banner_opens_the_content_while_alert_banners_stay_out() {
    let r = record("hero-banner-service.html");
    assert_text(
        &r,
        &[
            "Cell Therapy Program",
            "a coordinator for every family",
            "What to expect",
            "about four weeks",
            "Contact us",
        ],
        &["Visitor policy", "masks are required", "Privacy"],
    );
}

#[test]
fn deeply_nested_page_normalizes_to_its_text() {
    let depth = 100_000;
    let html = format!(
        "<html><head><title>Deep</title></head><body><main><h1>CAR T-cell therapy</h1>\
         <p>We collect your T cells, send them to a lab, and infuse them back a few weeks later.</p>\
         {}<p>The infusion itself takes about thirty minutes, in an outpatient room.</p>{}</main></body></html>",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    let r = normalize_str(&html);
    assert_eq!(r.title.as_deref(), Some("Deep"));
    assert_text(
        &r,
        &[
            "CAR T-cell therapy",
            "infuse them back a few weeks later",
            "The infusion itself takes about thirty minutes",
        ],
        &[],
    );
}

#[test]
fn unclosed_tags_by_the_thousand_still_read() {
    let html = format!(
        "<html><body><main><h1>Cell therapy</h1>{}<p>Our coordinators answer questions about referrals, every weekday.</p></main></body></html>",
        "<b><i>word ".repeat(50_000)
    );
    let r = normalize_str(&html);
    assert!(
        r.main_text.contains("Cell therapy"),
        "{}",
        &r.main_text[..200.min(r.main_text.len())]
    );
    assert!(r.main_text.contains("Our coordinators answer questions"));
    assert_eq!(r.main_text.matches("word").count(), 50_000);
}
