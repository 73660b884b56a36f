//! Invented center pages in other layouts and phrasings (semantic HTML5, div
//! soup, a table layout in windows-1252, a GBK page, ARIA roles, vanity
//! numbers), each normalized through the public API with its key facts checked.

use cartwatch_model::{PageRecord, Purpose, Section, SelectorOverride};
mod common;

use common::{minutes, normalize_fixture, phone, stage, stage_ids};

fn record_with(
    name: &str,
    content_type: Option<&str>,
    selectors: Option<&SelectorOverride>,
) -> PageRecord {
    normalize_fixture(name, content_type, selectors)
}

fn record(name: &str) -> PageRecord {
    normalize_fixture(name, None, None)
}

fn condition_ids(r: &PageRecord) -> Vec<(String, bool)> {
    r.offerings
        .conditions
        .iter()
        .map(|c| (c.id.clone(), c.investigational))
        .collect()
}

#[test]
fn semantic_html5_with_banners_and_brand_names() {
    let r = record("semantic-lakeview.html");
    assert_eq!(
        r.title.as_deref(),
        Some("CAR T-Cell Therapy | Lakeview Cancer Institute")
    );
    // Chrome is out of the text; lists and headings of the content stay.
    for chrome in [
        "We use cookies",
        "Visitor restrictions",
        "Find a Doctor",
        "Related stories",
        "monthly newsletter",
        "All rights reserved",
        "Treatments / CAR T",
    ] {
        assert!(
            !r.main_text.contains(chrome),
            "{chrome:?} leaked into main_text"
        );
    }
    for content in [
        "Treatments we offer",
        "Yescarta® for large B-cell lymphoma",
        "Abecma and Carvykti for multiple myeloma",
    ] {
        assert!(
            r.main_text.contains(content),
            "{content:?} missing from main_text"
        );
    }
    // Numbers in scripts and styles are not contacts; the header number merges with the one in the content.
    assert!(r
        .contacts
        .iter()
        .all(|c| c.e164.as_deref() != Some("+14125550199")));
    assert!(r
        .contacts
        .iter()
        .all(|c| c.e164.as_deref() != Some("+12156624000")));
    let main = phone(&r, "+16176323000");
    assert_eq!(main.section, Section::Main);
    assert_eq!(main.purposes, [Purpose::Appointments]);
    assert_eq!(main.valid, Some(true));
    assert_eq!(phone(&r, "+16176323561").purposes, [Purpose::Referrals]);
    let email = r
        .contacts
        .iter()
        .find(|c| c.address.as_deref() == Some("cart-referrals@lakeview.example.org"))
        .expect("mailto address, lower-cased, without ?subject");
    assert_eq!(email.purposes, [Purpose::Referrals]);
    assert_eq!(
        r.offerings.products,
        ["kymriah", "yescarta", "abecma", "carvykti"]
    );
    assert!(r.offerings.all_fda_approved);
    assert!(r.offerings.clinical_trials);
    assert!(!r.offerings.manufacturing_on_site);
    assert_eq!(r.offerings.targets, ["bcma", "cd19"]);
    assert!(condition_ids(&r).contains(&("solid_tumors".into(), true)));
    assert!(condition_ids(&r).contains(&("autoimmune_disease".into(), true)));
    assert!(condition_ids(&r).contains(&("lymphoma".into(), false)));
    assert_eq!(
        stage_ids(&r),
        [
            "collection",
            "manufacturing",
            "lymphodepletion",
            "infusion",
            "monitoring"
        ]
    );
    assert_eq!(minutes(stage(&r, "collection")), [(Some(180), Some(240))]);
    assert_eq!(minutes(stage(&r, "infusion")), [(Some(30), Some(30))]);
    assert!(minutes(stage(&r, "monitoring")).contains(&(Some(10080), Some(20160))));
    assert_eq!(r.side_effects, ["crs", "cytopenia", "icans", "infection"]);
    // The review date comes from the byline, never from the alert bar or cookie banner.
    assert_eq!(r.dates.reviewed.as_deref(), Some("2024-03-14"));
    assert_ne!(r.dates.revised.as_deref(), Some("2024-02-02"));
    assert_ne!(r.dates.revised.as_deref(), Some("2024-03-01"));
    assert!(r.evidence["date:reviewed"].contains("Dana Whitfield"));
    assert!(r.evidence["product:kymriah"].contains("Kymriah"));
}

#[test]
fn div_soup_without_hints_and_generic_names() {
    let r = record("divsoup-northshore.html");
    assert!(r
        .main_text
        .starts_with("Cellular Therapy for Blood Cancers"));
    for chrome in ["Careers", "Donate", "Events", "Privacy", "Ridge Ave"] {
        assert!(
            !r.main_text.contains(chrome),
            "{chrome:?} leaked: {}",
            r.main_text
        );
    }
    assert_eq!(
        r.offerings.products,
        ["kymriah", "yescarta", "breyanzi", "abecma"]
    );
    assert_eq!(
        condition_ids(&r),
        [
            ("lymphoma".into(), false),
            ("multiple_myeloma".into(), false)
        ]
    );
    assert_eq!(r.offerings.populations, ["adult"]);
    assert_eq!(
        stage_ids(&r),
        [
            "evaluation",
            "collection",
            "manufacturing",
            "lymphodepletion",
            "infusion",
            "monitoring"
        ]
    );
    assert_eq!(minutes(stage(&r, "collection")), [(Some(120), Some(180))]);
    assert_eq!(
        minutes(stage(&r, "manufacturing")),
        [(Some(30240), Some(30240))]
    );
    assert_eq!(
        minutes(stage(&r, "monitoring")),
        [(Some(14400), Some(14400))]
    );
    assert_eq!(r.side_effects, ["crs", "hypogammaglobulinemia", "icans"]);
    assert_eq!(phone(&r, "+18475702112").purposes, [Purpose::Information]);
    assert_eq!(phone(&r, "+18475705020").purposes, [Purpose::Referrals]);
    assert_eq!(
        phone(&r, "+18475702112").display.as_deref(),
        Some("847.570.2112")
    );
}

#[test]
fn table_layout_in_windows_1252() {
    let r = record("table-prairie-windows1252.html");
    assert_eq!(
        r.title.as_deref(),
        Some("Prairie Regional Cancer Center \u{2013} CAR T Program")
    );
    assert!(r
        .main_text
        .contains("Prairie Regional\u{2019}s program brings \u{201c}living drug\u{201d} therapy"));
    for chrome in ["Pay a Bill", "Orthopedics", "e-newsletter", "About Us"] {
        assert!(!r.main_text.contains(chrome), "{chrome:?} leaked");
    }
    assert_eq!(r.offerings.products, ["tecartus", "carvykti"]);
    assert_eq!(stage_ids(&r), ["collection", "manufacturing", "infusion"]);
    assert_eq!(minutes(stage(&r, "collection")), [(Some(240), Some(360))]);
    assert_eq!(
        minutes(stage(&r, "manufacturing")),
        [(Some(40320), Some(40320))]
    );
    assert_eq!(r.costs.len(), 1);
    assert_eq!(
        (r.costs[0].min_usd, r.costs[0].max_usd),
        (Some(373_000), Some(465_000))
    );
    assert_eq!(r.dates.revised.as_deref(), Some("2023-09-11"));
    assert_eq!(r.side_effects, ["crs", "cytopenia", "icans"]);
    assert_eq!(phone(&r, "+16053284900").purposes, [Purpose::Information]);
    // An impossible number is kept for the contact audit, flagged invalid; a zip code is not a number.
    let fax = phone(&r, "+19993284901");
    assert_eq!(fax.valid, Some(false));
    assert_eq!(fax.purposes, [Purpose::General]);
    assert_eq!(r.contacts.len(), 2, "{:#?}", r.contacts);
}

#[test]
fn the_http_charset_wins_over_the_page() {
    // Served as UTF-8 although the bytes are windows-1252: the declared charset wins, and
    // nothing panics on the invalid bytes.
    let r = record_with(
        "table-prairie-windows1252.html",
        Some("text/html; charset=utf-8"),
        None,
    );
    assert!(r.main_text.contains("Prairie Regional\u{fffd}s program"));
}

#[test]
fn gbk_page_reads_as_chinese() {
    let r = record("gbk-dongfang.html");
    assert_eq!(r.title.as_deref(), Some("CAR-T 细胞治疗 | 东方肿瘤医院"));
    assert!(r
        .main_text
        .contains("嵌合抗原受体 T 细胞（CAR-T）治疗是一种新型的细胞免疫疗法"));
    assert!(!r.main_text.contains("科室导航"));
    assert_eq!(r.offerings.products, ["yescarta", "carvykti"]);
    assert_eq!(r.offerings.targets, ["bcma", "cd19"]);
    assert_eq!(r.contacts.len(), 1);
    assert_eq!(r.contacts[0].e164.as_deref(), Some("+861087788899"));
}

#[test]
fn vanity_numbers_tel_links_and_one_number_written_three_ways() {
    let r = record("vanity-childrens.html");
    let vanity = phone(&r, "+18555432278");
    assert_eq!(vanity.display.as_deref(), Some("1-855-KID-CART"));
    assert!(vanity.purposes.contains(&Purpose::Appointments));
    let main = phone(&r, "+14126925325");
    assert_eq!(main.section, Section::Main);
    assert!(main.purposes.contains(&Purpose::Referrals));
    assert_eq!(r.contacts.len(), 2, "{:#?}", r.contacts);
    assert_eq!(r.offerings.products, ["kymriah"]);
    assert_eq!(r.offerings.populations, ["pediatric", "young_adult"]);
    assert_eq!(r.offerings.age_max, Some(21));
    assert!(r.offerings.clinical_trials);
    assert!(condition_ids(&r).contains(&("acute_lymphoblastic_leukemia".into(), false)));
    assert_eq!(r.offerings.targets, ["cd19", "cd22"]);
    assert_eq!(
        stage_ids(&r),
        [
            "collection",
            "bridging",
            "manufacturing",
            "lymphodepletion",
            "infusion",
            "monitoring",
            "follow_up"
        ]
    );
    assert_eq!(minutes(stage(&r, "infusion")), [(Some(10), Some(20))]);
    assert_eq!(
        minutes(stage(&r, "lymphodepletion")),
        [(Some(5760), Some(5760))]
    );
    // The alert bar's "Updated Jan. 8, 2025" is not a page date.
    assert_eq!(r.dates.revised, None);
    assert!(!r.main_text.contains("Flu season"));
}

#[test]
fn aria_roles_on_a_patient_organization_page() {
    let r = record("roles-patient-org.html");
    for chrome in [
        "Join 50,000 subscribers",
        "Charity Watch",
        "501(c)(3)",
        "Donate",
    ] {
        assert!(!r.main_text.contains(chrome), "{chrome:?} leaked");
    }
    assert!(r.main_text.contains("How long does it take?"));
    // Approved uses are not investigational; the ones researchers explore are.
    assert_eq!(
        condition_ids(&r),
        [
            ("autoimmune_disease".into(), true),
            ("leukemia".into(), false),
            ("lymphoma".into(), false),
            ("multiple_myeloma".into(), false),
            ("solid_tumors".into(), true),
        ]
    );
    // Answering questions about trials is not running them.
    assert!(!r.offerings.clinical_trials);
    assert!(r.offerings.products.is_empty());
    assert_eq!(r.costs.len(), 1);
    assert_eq!(
        (r.costs[0].min_usd, r.costs[0].max_usd),
        (Some(400_000), None)
    );
    assert_eq!(r.dates.reviewed.as_deref(), Some("2024-05-20"));
    // "The whole process takes four to six weeks" is not the length of one step.
    assert!(r
        .process
        .iter()
        .all(|s| s.durations.iter().all(|d| d.min_minutes != Some(40320))));
    assert_eq!(phone(&r, "+18009554572").purposes, [Purpose::Information]);
    assert_eq!(phone(&r, "+19149495213").section, Section::Footer);
}

#[test]
fn selector_overrides_are_an_escape_hatch() {
    let selectors = SelectorOverride {
        content: Some("article".into()),
        exclude: vec!["h2".into(), ".byline".into()],
    };
    let r = record_with("semantic-lakeview.html", None, Some(&selectors));
    assert!(!r.main_text.contains("Treatments we offer"));
    assert!(!r.main_text.contains("Dana Whitfield"));
    assert!(r.main_text.starts_with("CAR T-Cell Therapy"));
    let broken = SelectorOverride {
        content: Some("[[[".into()),
        exclude: vec![":::".into()],
    };
    let r = record_with("semantic-lakeview.html", None, Some(&broken));
    assert!(
        r.main_text.contains("Treatments we offer"),
        "a bad selector is ignored"
    );
}

#[test]
fn output_is_deterministic() {
    for name in [
        "semantic-lakeview.html",
        "divsoup-northshore.html",
        "vanity-childrens.html",
    ] {
        let a = serde_json::to_string(&record(name)).unwrap();
        let b = serde_json::to_string(&record(name)).unwrap();
        assert_eq!(a, b);
    }
}

#[test]
fn bootstrap_grid_with_step_headings_and_society_names() {
    let r = record("bootstrap-grid-summit.html");
    for chrome in [
        "MyChart",
        "Upcoming events",
        "Walk for Cancer",
        "Diamond Hill",
        "Home",
    ] {
        assert!(!r.main_text.contains(chrome), "{chrome:?} leaked");
    }
    assert!(r.main_text.contains("Step 3: Engineering"));
    assert!(r.offerings.all_fda_approved);
    assert!(r.offerings.manufacturing_on_site);
    assert!(!r.offerings.clinical_trials);
    // "The Leukemia & Lymphoma Society" names no condition.
    assert_eq!(condition_ids(&r), [("multiple_myeloma".into(), false)]);
    assert_eq!(r.offerings.age_max, None, "'up to 4 weeks' is not an age");
    assert_eq!(
        stage_ids(&r),
        [
            "evaluation",
            "collection",
            "manufacturing",
            "lymphodepletion",
            "infusion",
            "monitoring"
        ]
    );
    assert_eq!(minutes(stage(&r, "infusion")), [(Some(30), Some(30))]);
    assert_eq!(
        minutes(stage(&r, "monitoring"))[0],
        (Some(14400), Some(14400))
    );
    assert_eq!(r.dates.revised.as_deref(), Some("2023-10-12"));
    let sidebar = phone(&r, "+19082778600");
    assert_eq!(sidebar.section, Section::Aside);
    assert_eq!(sidebar.purposes, [Purpose::Appointments]);
}

/// Whole records, so any change in what the normalizer reads shows up in review.
#[test]
fn whole_records_match_their_snapshots() {
    for name in [
        "divsoup-northshore.html",
        "table-prairie-windows1252.html",
        "vanity-childrens.html",
    ] {
        let r = record(name);
        insta::assert_json_snapshot!(name.trim_end_matches(".html"), r);
    }
}

#[test]
fn other_phrasings_of_conditions_steps_and_a_vanity_helpline() {
    let r = record("phrasing-hopewell.html");
    assert_eq!(
        condition_ids(&r),
        [
            ("acute_lymphoblastic_leukemia".into(), false),
            ("chronic_lymphocytic_leukemia".into(), false),
            ("lymphoma".into(), false),
            ("multiple_myeloma".into(), false),
        ]
    );
    assert_eq!(stage_ids(&r), ["evaluation", "infusion", "monitoring"]);
    assert_eq!(
        minutes(stage(&r, "monitoring")),
        [(Some(10080), Some(20160)), (Some(40320), Some(40320))]
    );
    assert!(stage(&r, "infusion").durations.is_empty());
    let nci = phone(&r, "+18004226237");
    assert_eq!(nci.display.as_deref(), Some("1-800-4-CANCER"));
    assert_eq!(nci.purposes, [Purpose::Information]);
}
