//! Facts a patient can trust on pages of centers never seen before (issue 10
//! §2, issue 14's mistyped `tel:` links): no age limit read from a number
//! that is not an age, a duration attached only to the step its sentence is
//! about, open-ended durations, numbers of centers outside the US, vanity
//! numbers written oddly, stages described in plain words, schema.org data
//! and links that dial another number than the page shows. Every fixture is
//! written for this project; the expected facts were written before the
//! normalizer was run on them.

mod common;

use cartwatch_model::{PageRecord, Purpose};
use cartwatch_normalizer::{normalize, normalize_in_country, PageInput, Vocabulary};
use common::{minutes, normalize_fixture, phone, stage, stage_ids};

const DAY: u64 = 1440;
const WEEK: u64 = 10080;

fn record(name: &str) -> PageRecord {
    normalize_fixture(&format!("heldout/{name}"), None, None)
}

/// Normalizes a fixture as served from `url`, for a center in `country`.
fn record_at(name: &str, url: &str, country: Option<&str>) -> PageRecord {
    let path = format!(
        "{}/tests/fixtures/heldout/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let input = PageInput {
        bytes: &bytes,
        url,
        content_type: None,
        selectors: None,
    };
    normalize_in_country(&input, &Vocabulary::builtin(), country)
}

fn e164s(r: &PageRecord) -> Vec<&str> {
    r.contacts
        .iter()
        .filter_map(|c| c.e164.as_deref())
        .collect()
}

#[test]
fn numbers_that_are_not_ages_and_durations_of_other_steps() {
    let r = record("plainwords-meadowbrook.html");
    // "takes less than 15 minutes" and "more than 20 years" are no age limits.
    assert_eq!(r.offerings.age_max, None, "{:?}", r.evidence.get("age_max"));
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
    assert!(minutes(stage(&r, "evaluation")).is_empty());
    // Open-ended durations keep their known side.
    assert_eq!(minutes(stage(&r, "collection")), [(None, Some(240))]);
    assert_eq!(
        minutes(stage(&r, "manufacturing")),
        [(None, Some(4 * WEEK))]
    );
    assert_eq!(minutes(stage(&r, "infusion")), [(None, Some(15))]);
    // "a few days" is vague: text only.
    let lympho = stage(&r, "lymphodepletion");
    assert_eq!(minutes(lympho), [(None, None)]);
    assert_eq!(lympho.durations[0].text, "a few days");
    // The hospital stay after the cells are given is monitoring, not the
    // infusion; "side effects usually begin within the first two weeks" is
    // no step's duration at all.
    let monitoring = stage(&r, "monitoring");
    assert_eq!(
        minutes(monitoring),
        [(Some(3 * WEEK), Some(3 * WEEK)), (Some(10 * DAY), None)]
    );
    assert!(
        monitoring.evidence.contains("about three weeks"),
        "{monitoring:?}"
    );
    // Each stage's evidence says the stage.
    assert!(stage(&r, "evaluation")
        .evidence
        .contains("make sure you are ready"));
    assert!(lympho.evidence.contains("chemotherapy for a few days"));
    assert!(stage(&r, "infusion")
        .evidence
        .contains("less than 15 minutes"));
}

#[test]
fn an_age_needs_a_sentence_that_says_age() {
    let r = record("plainwords-willowcreek.html");
    assert_eq!(r.offerings.age_max, Some(25));
    assert!(r.evidence["age_max"].contains("25 and younger"));
    // "given back to your child through a vein" is the infusion.
    assert!(stage(&r, "infusion").evidence.contains("through a vein"));
}

#[test]
fn uk_numbers_read_in_the_region_of_the_url() {
    let r = record_at(
        "uk-thames-trust.html",
        "https://www.thames-haem.example.nhs.uk/car-t",
        None,
    );
    let appointments = phone(&r, "+441614960000");
    assert_eq!(appointments.display.as_deref(), Some("0161 496 0000"));
    assert!(appointments.purposes.contains(&Purpose::Appointments));
    phone(&r, "+442079460000");
    // Written with a country code: the prefix wins over the region.
    phone(&r, "+442079460123");
    phone(&r, "+12168443951");
    // Counts, years and dates are no numbers.
    assert_eq!(r.contacts.len(), 4, "{:#?}", r.contacts);
    assert!(e164s(&r).iter().all(|n| n.len() <= 13), "{:?}", e164s(&r));
}

#[test]
fn region_from_config_country_then_html_lang_then_us() {
    let us = "https://www.thames-haem.example.org/car-t";
    // No country, a .org URL, lang="en": US, so the UK numbers are no numbers.
    let fallback = record_at("uk-thames-trust.html", us, None);
    assert_eq!(
        e164s(&fallback),
        ["+442079460123", "+12168443951"],
        "{:#?}",
        fallback.contacts
    );
    // The center's country in config makes them numbers.
    let configured = record_at("uk-thames-trust.html", us, Some("GB"));
    phone(&configured, "+441614960000");
    phone(&configured, "+442079460000");
    // An unknown country code falls back like no country at all.
    let unknown = record_at("uk-thames-trust.html", us, Some("Narnia"));
    assert_eq!(e164s(&unknown), e164s(&fallback));
    // <html lang="en-GB"> on a .org page.
    let lang = record("uk-lang-only.html");
    assert_eq!(e164s(&lang), ["+441614960555"]);
}

#[test]
fn vanity_numbers_written_oddly_give_one_ten_digit_number() {
    let r = record("vanity-odd-shapes.html");
    let info = phone(&r, "+18004226237");
    assert_eq!(info.display.as_deref(), Some("1-800-4-CANCER"));
    // One letter too many: the dialled number stops at ten digits.
    let appt = phone(&r, "+18776392278");
    assert!(appt.purposes.contains(&Purpose::Appointments), "{appt:?}");
    // A mistyped digits version in parentheses adds nothing.
    phone(&r, "+18886752278");
    assert_eq!(r.contacts.len(), 3, "{:#?}", r.contacts);
    for n in e164s(&r) {
        assert_eq!(n.len(), 12, "{n} is not +1 and ten digits");
    }
}

#[test]
fn tel_links_that_dial_another_number_give_one_contact_and_a_mismatch() {
    let r = record("tel-links-bayside.html");
    // The page shows 813-745-6100, its link dials Japan (+81 3-745-6100).
    let appt = phone(&r, "+18137456100");
    assert_eq!(appt.display.as_deref(), Some("813-745-6100"));
    assert!(appt.purposes.contains(&Purpose::Appointments));
    // The text says 813-745-7000, the link 813-745-7777: the text is the contact.
    phone(&r, "+18137457000");
    // A tel: link without a country code is read in the page's region.
    phone(&r, "+18137454673");
    // A link whose text is words is the contact itself.
    phone(&r, "+18137455555");
    assert_eq!(
        e164s(&r),
        [
            "+18137456100",
            "+18137457000",
            "+18137454673",
            "+18137455555"
        ]
    );
    let m = &r.tel_link_mismatches;
    assert_eq!(m.len(), 2, "{m:#?}");
    assert_eq!(m[0].text, "813-745-6100");
    assert_eq!(m[0].href, "tel:+813-745-6100");
    assert_eq!(m[0].dials_e164.as_deref(), Some("+8137456100"));
    assert!(m[0].evidence.contains("make an appointment"));
    assert_eq!(m[1].text, "813-745-7000");
    assert_eq!(m[1].href, "tel:8137457777");
    assert_eq!(m[1].dials_e164.as_deref(), Some("+18137457777"));
}

#[test]
fn schema_org_telephone_and_dates_when_the_page_shows_none() {
    let r = record("structured-data-summit.html");
    assert_eq!(r.dates.reviewed.as_deref(), Some("2025-03-14"));
    assert_eq!(r.dates.revised.as_deref(), Some("2025-04-02"));
    assert!(r.evidence["date:reviewed"].contains("lastReviewed"));
    assert!(r.evidence["date:reviewed"].len() <= 400);
    let hospital = phone(&r, "+13037242100");
    assert!(hospital.evidence.contains("\"telephone\""), "{hospital:?}");
    assert!(hospital.evidence.contains("Hospital"), "{hospital:?}");
    phone(&r, "+13037242000");
    // Microdata of a MedicalClinic.
    phone(&r, "+17208480555");
    // A script that is not JSON gives nothing (and no panic).
    assert!(!e164s(&r).contains(&"+17208480000"));
    assert_eq!(r.contacts.len(), 3, "{:#?}", r.contacts);
    // The reviewer comes with the review date's evidence.
    assert!(r.evidence["date:reviewed"].contains("Dana Ortiz"));
}

#[test]
fn visible_dates_win_over_structured_ones() {
    let r = record("structured-data-visible-wins.html");
    assert_eq!(r.dates.reviewed.as_deref(), Some("2025-03-03"));
    assert!(r.evidence["date:reviewed"].contains("Medically reviewed"));
    // Nothing visible says when it was modified: the structured date stands.
    assert_eq!(r.dates.revised.as_deref(), Some("2021-02-01"));
}

#[test]
fn structured_telephone_never_added_beside_visible_numbers() {
    // The page shows its own numbers: the JSON-LD one stays out.
    let r = record("academic-greatplains.html");
    assert!(!e164s(&r).contains(&"+14025599999"));
    // A page that is plain US stays US whatever its numbers.
    let html =
        br#"<html><body><main><p>CAR T-cell therapy: call 216-844-3951.</p></main></body></html>"#;
    let r = normalize(
        &PageInput {
            bytes: html,
            url: "https://example.org/car-t",
            content_type: None,
            selectors: None,
        },
        &Vocabulary::builtin(),
    );
    assert_eq!(e164s(&r), ["+12168443951"]);
}
