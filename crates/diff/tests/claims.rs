//! The claims audit (`outdated_claim`, `product_count`) and the
//! `tel_link_mismatch` finding, on records built here and the built-in
//! `config/claims.toml` and `config/products.toml`.

mod common;

use cartwatch_diff::claims::check_page;
use cartwatch_diff::{
    audit, render_audit, AuditFormat, AuditOptions, ClaimRules, ClaimsCheck, FindingKind,
    ProductCatalog, Severity,
};
use cartwatch_model::*;
use common::*;

/// A record whose main text is `text`, naming `products`.
fn page(text: &str, products: &[&str]) -> PageRecord {
    PageRecord {
        url: URL.into(),
        title: Some("CAR T-cell therapy".into()),
        main_text: text.into(),
        offerings: Offerings {
            products: products.iter().map(|p| p.to_string()).collect(),
            ..Default::default()
        },
        dates: PageDates {
            reviewed: Some("2026-06-01".into()),
            revised: None,
        },
        ..Default::default()
    }
}

/// The claim findings of one page fetched on `day` (YYYY-MM-DD).
fn claims_on(day: &str, record: PageRecord) -> Vec<cartwatch_diff::Finding> {
    let view = snap(&format!("{day}T06:00:00Z")).page("c", record).build();
    audit(&view, None, &AuditOptions::default())
        .findings
        .into_iter()
        .filter(|f| {
            matches!(
                f.kind,
                FindingKind::OutdatedClaim | FindingKind::ProductCount
            )
        })
        .collect()
}

fn rules_of(findings: &[cartwatch_diff::Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| f.claim.as_ref().unwrap().rule.clone())
        .collect()
}

#[test]
fn old_driving_wording_is_an_outdated_claim_with_source_and_date() {
    let text = "After treatment, you'll likely be told not to drive, operate heavy machinery, \
                or do any other potentially dangerous activities for at least 8 weeks after getting treatment.";
    let findings = claims_on("2026-10-01", page(text, &[]));
    assert_eq!(rules_of(&findings), vec!["driving_weeks"]);
    let f = &findings[0];
    assert_eq!(f.kind, FindingKind::OutdatedClaim);
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(
        f.evidence,
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    );
    let claim = f.claim.as_ref().unwrap();
    assert_eq!(claim.claimed, "for at least 8 weeks");
    assert_eq!(claim.current, "2 weeks");
    assert_eq!(claim.since, "2025-06-26");
    assert!(claim.source.starts_with("https://"), "{}", claim.source);
    assert!(f.summary.contains("2025-06-26") && f.action.contains(&claim.source));
}

#[test]
fn new_driving_and_distance_wording_gives_nothing() {
    let text = "Do not drive or operate heavy machinery for 2 weeks after your infusion. \
                Plan to stay within 2 hours of the treatment center for at least two weeks. \
                You will be monitored daily for the first week. \
                Stay close to the center for 2 weeks.";
    assert!(claims_on("2026-10-01", page(text, &["yescarta"])).is_empty());
}

#[test]
fn old_distance_wording_in_words_and_digits() {
    for text in [
        "You must stay within 2 hours of the treatment center for at least 4 weeks after infusion.",
        "Patients need to live near the hospital for four weeks after the cells are given.",
    ] {
        let findings = claims_on("2026-10-01", page(text, &[]));
        assert_eq!(
            rules_of(&findings),
            vec!["stay_near_center_weeks"],
            "{text}"
        );
        assert_eq!(findings[0].claim.as_ref().unwrap().current, "2 weeks");
    }
}

#[test]
fn one_sentence_with_both_old_rules_gives_both() {
    let text = "For 4 weeks you must stay near the center, and you may not drive for 8 weeks.";
    let mut rules = rules_of(&claims_on("2026-10-01", page(text, &[])));
    rules.sort();
    assert_eq!(rules, vec!["driving_weeks", "stay_near_center_weeks"]);
}

#[test]
fn rems_certification_wording() {
    let findings = claims_on(
        "2026-10-01",
        page(
            "Our hospital is certified under the Kymriah REMS to give this therapy.",
            &["kymriah"],
        ),
    );
    assert_eq!(rules_of(&findings), vec!["rems_certification"]);
    assert!(findings[0]
        .claim
        .as_ref()
        .unwrap()
        .source
        .contains("alliancerm.org"));

    let findings = claims_on(
        "2026-10-01",
        page(
            "Centers must follow a Risk Evaluation and Mitigation Strategy (REMS) program.",
            &[],
        ),
    );
    assert_eq!(rules_of(&findings), vec!["rems_program"]);
    assert_eq!(findings[0].severity, Severity::Info);
}

#[test]
fn a_snapshot_taken_before_the_change_gives_no_rems_or_weeks_finding() {
    let text = "Our hospital is certified under the REMS program. \
                Do not drive for at least 8 weeks.";
    assert!(claims_on("2025-06-25", page(text, &[])).is_empty());
    assert_eq!(claims_on("2025-06-26", page(text, &[])).len(), 2);
}

#[test]
fn negated_and_historical_sentences_give_nothing() {
    for text in [
        "Until 2025, patients had to stay within 2 hours of the center for 4 weeks.",
        "You no longer need to avoid driving for 8 weeks; the FDA shortened it to 2 weeks.",
        "In June 2025 the FDA removed the REMS requirements for CAR T therapies.",
        "Hospitals do not need to be certified under a REMS anymore.",
        "Previously, patients could not drive for 8 weeks.",
    ] {
        let findings = claims_on("2026-10-01", page(text, &[]));
        assert!(findings.is_empty(), "{text}: {findings:#?}");
    }
}

#[test]
fn a_rule_scoped_to_products_skips_a_page_or_sentence_about_another() {
    // Aucatzyl never had a REMS and its label did not change the same way.
    let aucatzyl = "After Aucatzyl, do not drive for 8 weeks.";
    assert!(claims_on("2026-10-01", page(aucatzyl, &["aucatzyl"])).is_empty());
    // Without a product in the sentence, an Aucatzyl-only page is not judged.
    let plain = "Do not drive for 8 weeks after your infusion.";
    assert!(claims_on("2026-10-01", page(plain, &["aucatzyl"])).is_empty());
    // The same sentences about a product in scope are outdated.
    let yescarta = "After Yescarta, do not drive for 8 weeks.";
    assert_eq!(
        rules_of(&claims_on("2026-10-01", page(yescarta, &["aucatzyl"]))),
        vec!["driving_weeks"]
    );
    assert_eq!(
        rules_of(&claims_on(
            "2026-10-01",
            page(plain, &["aucatzyl", "breyanzi"])
        )),
        vec!["driving_weeks"]
    );
}

#[test]
fn product_counts_are_judged_by_the_catalog_on_the_fetch_date() {
    let six = "There are six FDA-approved CAR T-cell therapies.";
    let findings = claims_on("2026-10-01", page(six, &[]));
    assert_eq!(rules_of(&findings), vec!["product_count"]);
    let f = &findings[0];
    assert_eq!(f.kind, FindingKind::ProductCount);
    let claim = f.claim.as_ref().unwrap();
    assert_eq!(claim.claimed, "six FDA-approved CAR T-cell therapies");
    assert!(claim.current.starts_with("7 approved"), "{}", claim.current);
    assert_eq!(claim.since, "2024-11-08");
    assert!(f.summary.contains("Aucatzyl"), "{}", f.summary);

    // Six was right before Aucatzyl's approval: an old snapshot is judged by its time.
    assert!(claims_on("2024-06-01", page(six, &[])).is_empty());
    // Five was wrong by then.
    let five = "We offer all five FDA-approved CAR T therapies.";
    assert_eq!(
        rules_of(&claims_on("2024-06-01", page(five, &[]))),
        vec!["product_count"]
    );
    // The current count gives nothing, in digits or words, in any order.
    for current in [
        "Seven FDA-approved CAR T cell therapies are available.",
        "The FDA has approved 7 CAR T therapies.",
        "There are 7 CAR-T cell therapies approved by the FDA.",
    ] {
        assert!(
            claims_on("2026-10-01", page(current, &[])).is_empty(),
            "{current}"
        );
    }
}

#[test]
fn a_count_for_one_disease_or_one_center_is_no_claim_about_all_products() {
    for text in [
        "There are two FDA-approved CAR T therapies for multiple myeloma.",
        "Two CAR T therapies are approved for myeloma.",
        "We offer four FDA-approved CAR T therapies at our center.",
        "We are proud that we now offer the first FDA-approved CAR T-cell therapy for children.",
    ] {
        let findings = claims_on("2026-10-01", page(text, &[]));
        assert!(findings.is_empty(), "{text}: {findings:#?}");
    }
}

#[test]
fn a_new_product_in_a_test_catalog_is_counted() {
    let mut catalog_text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../config/products.toml"
    ))
    .unwrap();
    let seven = "There are seven FDA-approved CAR T therapies.";
    let eight = "There are eight FDA-approved CAR T therapies.";
    let check_with = |text: &str| {
        let catalog = ProductCatalog::from_toml_str(text, "test-products.toml").unwrap();
        let rules = ClaimRules::from_toml_str(
            cartwatch_diff::claims::BUILTIN_CLAIMS,
            "claims.toml",
            &catalog,
        )
        .unwrap();
        ClaimsCheck { rules, catalog }
    };
    let check = check_with(&catalog_text);
    let day = Some((2027, 1, 15));
    assert!(check_page(&page(seven, &[]), day, &check).is_empty());
    assert_eq!(check_page(&page(eight, &[]), day, &check).len(), 1);
    // The pending product is not counted until the data says so.
    // (the pending product is the file's last entry: its status and what follows)
    let pending_at = catalog_text.rfind("status = \"pending\"").unwrap();
    catalog_text.truncate(pending_at);
    catalog_text.push_str(
        "status = \"approved\"\n\n[[product.indication]]\ncondition = \"multiple_myeloma\"\n\
         text = \"relapsed or refractory multiple myeloma after three or more lines\"\n\
         approved = \"2026-12-23\"\nsource = \"https://example.org/approval\"\n",
    );
    let check = check_with(&catalog_text);
    assert_eq!(check.catalog.approved_on((2027, 1, 15)).len(), 8);
    assert_eq!(check_page(&page(seven, &[]), day, &check).len(), 1);
    assert!(check_page(&page(eight, &[]), day, &check).is_empty());
    // Before its approval date the old count still holds.
    assert!(check_page(&page(seven, &[]), Some((2026, 12, 1)), &check).is_empty());
}

#[test]
fn catalog_and_rules_errors_name_file_and_line() {
    let bad_date = "[[product]]\nid = \"x\"\nbrand = \"X\"\ngeneric = \"x\"\nstatus = \"approved\"\n\n[[product.indication]]\ncondition = \"lymphoma\"\napproved = \"2024-13-01\"\nsource = \"https://example.org\"\n";
    let e = ProductCatalog::from_toml_str(bad_date, "p.toml")
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("p.toml:9:") && e.contains("YYYY-MM-DD"),
        "{e}"
    );

    let no_indication =
        "[[product]]\nid = \"x\"\nbrand = \"X\"\ngeneric = \"x\"\nstatus = \"approved\"\n";
    let e = ProductCatalog::from_toml_str(no_indication, "p.toml")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("p.toml:2:") && e.contains("pending"), "{e}");

    let catalog = ProductCatalog::builtin();
    let unknown_product = cartwatch_diff::claims::BUILTIN_CLAIMS.replacen(
        "products = [\"kymriah\"",
        "products = [\"kimriah\"",
        1,
    );
    let e = ClaimRules::from_toml_str(&unknown_product, "c.toml", &catalog)
        .unwrap_err()
        .to_string();
    let line = cartwatch_diff::claims::BUILTIN_CLAIMS
        .lines()
        .position(|l| l.starts_with("products = [\"kymriah\""))
        .unwrap()
        + 1;
    assert!(
        e.starts_with(&format!("c.toml:{line}:")) && e.contains("kimriah"),
        "{e}"
    );

    let bad_regex = "[count]\nseverity = \"warning\"\nmessage = \"m\"\nsubset = ['(']\n";
    let e = ClaimRules::from_toml_str(bad_regex, "c.toml", &catalog)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("c.toml:4:") && e.contains("regular expression"),
        "{e}"
    );
}

#[test]
fn tel_link_mismatch_is_an_error_finding_with_what_the_link_dials() {
    let mut record = page("Call us at 813-745-6100.", &[]);
    record.tel_link_mismatches = vec![TelLinkMismatch {
        text: "813-745-6100".into(),
        href: "tel:+813-745-6100".into(),
        dials_e164: Some("+8137456100".into()),
        evidence: "Call us at 813-745-6100.".into(),
    }];
    let view = snap("2026-10-01T06:00:00Z").page("c", record).build();
    let report = audit(&view, None, &AuditOptions::default());
    let f = report
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::TelLinkMismatch)
        .expect("a tel_link_mismatch finding");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.url, URL);
    assert_eq!(f.numbers, vec!["813-745-6100", "+8137456100"]);
    assert!(f.summary.contains("tel:+813-745-6100"), "{}", f.summary);
    assert!(
        f.summary.contains("+8137456100 (region JP)"),
        "{}",
        f.summary
    );
    assert_eq!(f.evidence, "Call us at 813-745-6100.");
    let json = render_audit(&report, AuditFormat::Json, false);
    assert!(json.contains("\"kind\": \"tel_link_mismatch\""), "{json}");
}

#[test]
fn json_carries_the_claim_and_other_findings_do_not_grow_it() {
    let view = snap("2026-10-01T06:00:00Z")
        .page("c", page("Do not drive for 8 weeks.", &[]))
        .build();
    let report = audit(&view, None, &AuditOptions::default());
    let json: serde_json::Value =
        serde_json::from_str(&render_audit(&report, AuditFormat::Json, false)).unwrap();
    let f = &json["findings"][0];
    assert_eq!(f["kind"], "outdated_claim");
    assert_eq!(f["claim"]["rule"], "driving_weeks");
    assert_eq!(f["claim"]["since"], "2025-06-26");
    assert_eq!(f["claim"]["current"], "2 weeks");
    let text = render_audit(&report, AuditFormat::Text, false);
    assert!(text.contains("outdated_claim"), "{text}");
    // Without claims data, no claim findings.
    let off = AuditOptions {
        claims: None,
        ..AuditOptions::default()
    };
    assert!(audit(&view, None, &off).findings.is_empty());
}

#[test]
fn compare_shows_product_disease_pairings() {
    let mut record = page("We offer Breyanzi for CLL.", &["breyanzi", "kymriah"]);
    record.offerings.product_conditions.insert(
        "breyanzi".into(),
        vec!["chronic_lymphocytic_leukemia".into()],
    );
    let view = snap("2026-10-01T06:00:00Z").page("c", record).build();
    let matrix = cartwatch_diff::compare(&view);
    assert_eq!(
        matrix.rows[0].product_conditions["breyanzi"],
        vec!["chronic_lymphocytic_leukemia"]
    );
    let table = cartwatch_diff::render_matrix(&matrix, cartwatch_diff::CompareFormat::Table);
    assert!(table.contains("breyanzi (CLL)"), "{table}");
    assert!(
        table.contains("kymriah") && !table.contains("kymriah ("),
        "{table}"
    );
    // Without claims data, the matrix lists no outdated claims.
    assert!(matrix.rows[0].outdated_claims.is_empty());
}
