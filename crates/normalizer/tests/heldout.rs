//! Pages of other (invented) centers and patient organizations, written to
//! look like what the normalizer will meet on held-out sites: a hero banner
//! with tabs and accordions and an appointment sidebar with a fax number, a
//! children's hospital in div soup, a myeloma page naming products by generic
//! name, a table of all seven products, a patient-organization explainer, a
//! WordPress post with share buttons, related posts and comments, and an old
//! table layout about investigational uses. The expected facts below were
//! written from the pages before the normalizer was run on them.

mod common;

use cartwatch_model::{PageRecord, Purpose, Section};
use cartwatch_normalizer::{normalize, PageInput, Vocabulary};
use common::{conditions, email, minutes, normalize_fixture, phone, stage, stage_ids};

fn record(name: &str) -> PageRecord {
    normalize_fixture(&format!("heldout/{name}"), None, None)
}

fn costs(r: &PageRecord) -> Vec<(Option<u64>, Option<u64>)> {
    r.costs.iter().map(|c| (c.min_usd, c.max_usd)).collect()
}

fn text_has(r: &PageRecord, present: &[&str], absent: &[&str]) {
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

const DAY: u64 = 1440;
const WEEK: u64 = 10080;

#[test]
fn academic_center_with_hero_tabs_accordion_and_fax() {
    let r = record("academic-greatplains.html");
    // Sidebar: the appointment phone, a fax that is not a number to call for
    // appointments, a physicians' referral line and an email.
    let appt = phone(&r, "+14025593737");
    assert_eq!(appt.section, Section::Aside);
    assert!(appt.purposes.contains(&Purpose::Appointments), "{appt:?}");
    let fax = phone(&r, "+14025593738");
    assert!(!fax.purposes.contains(&Purpose::Appointments), "{fax:?}");
    let referral = phone(&r, "+18006421095");
    assert_eq!(referral.purposes, [Purpose::Referrals]);
    assert_eq!(
        email(&r, "celltherapy@gpucc.example.org").section,
        Section::Aside
    );
    assert_eq!(phone(&r, "+14025594000").section, Section::Header);
    // The JSON-LD script's number is no contact.
    assert!(r
        .contacts
        .iter()
        .all(|c| c.e164.as_deref() != Some("+14025599999")));

    assert!(r.offerings.products.is_empty());
    assert!(r.offerings.all_fda_approved);
    assert!(r.offerings.clinical_trials);
    assert!(!r.offerings.manufacturing_on_site);
    assert_eq!(
        conditions(&r),
        [
            ("leukemia", false),
            ("lymphoma", false),
            ("multiple_myeloma", false)
        ]
    );
    assert_eq!(r.offerings.populations, ["adult"]);
    assert_eq!(r.offerings.age_max, None);
    assert_eq!(r.offerings.targets, ["bcma", "cd19"]);
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
    assert_eq!(
        minutes(stage(&r, "evaluation")),
        [(Some(WEEK), Some(2 * WEEK))]
    );
    assert_eq!(minutes(stage(&r, "collection")), [(Some(180), Some(360))]);
    assert_eq!(
        minutes(stage(&r, "manufacturing")),
        [(Some(4 * WEEK), Some(4 * WEEK))]
    );
    assert_eq!(
        minutes(stage(&r, "lymphodepletion")),
        [(Some(3 * DAY), Some(3 * DAY))]
    );
    // Open-ended durations keep their known side: "less than 30 minutes".
    assert_eq!(minutes(stage(&r, "infusion")), [(None, Some(30))]);
    // "at least 4 weeks" is open above; "within two hours of the hospital"
    // is a distance, not a duration.
    assert_eq!(minutes(stage(&r, "monitoring")), [(Some(4 * WEEK), None)]);
    assert_eq!(
        stage(&r, "monitoring").durations[0].text,
        "at least 4 weeks"
    );
    assert_eq!(
        stage(&r, "collection").evidence,
        "Next, your T cells are collected in our apheresis unit in a procedure that lasts three to six hours."
    );
    assert_eq!(r.side_effects, ["crs", "icans"]);
    assert!(r.costs.is_empty());
    assert_eq!(
        (r.dates.reviewed.as_deref(), r.dates.revised.as_deref()),
        (None, None)
    );
    text_has(
        &r,
        &[
            "Mantle cell lymphoma",
            "Who can receive CAR T-cell therapy?",
            "genetically modified to recognize CD19",
            "What are the side effects?",
            "Will insurance cover CAR T-cell therapy?",
            "Frequently asked questions",
        ],
        &[
            "uses cookies",
            "Skip to main content",
            "Find a Provider",
            "All rights reserved",
            "Nondiscrimination",
            "MyChart",
        ],
    );
}

#[test]
fn childrens_hospital_div_soup() {
    let r = record("childrens-riverbend.html");
    let appt = phone(&r, "+15136362799");
    assert_eq!(appt.purposes, [Purpose::Appointments]);
    assert_eq!(appt.section, Section::Aside);
    assert_eq!(phone(&r, "+18886362800").purposes, [Purpose::Referrals]);
    assert_eq!(phone(&r, "+15136364200").section, Section::Footer);

    assert_eq!(r.offerings.products, ["kymriah"]);
    assert!(r.offerings.clinical_trials);
    assert!(!r.offerings.all_fda_approved);
    assert_eq!(
        conditions(&r),
        [("acute_lymphoblastic_leukemia", false), ("leukemia", false)]
    );
    assert_eq!(r.offerings.populations, ["pediatric", "young_adult"]);
    assert_eq!(r.offerings.age_max, Some(21));
    assert_eq!(r.offerings.targets, ["cd19", "cd22"]);
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
    assert_eq!(minutes(stage(&r, "collection")), [(Some(240), Some(360))]);
    assert_eq!(
        minutes(stage(&r, "manufacturing")),
        [(Some(3 * WEEK), Some(4 * WEEK))]
    );
    assert_eq!(
        minutes(stage(&r, "lymphodepletion")),
        [(Some(2 * DAY), Some(4 * DAY))]
    );
    assert_eq!(
        minutes(stage(&r, "monitoring")),
        [
            (Some(10 * DAY), Some(10 * DAY)),
            (Some(4 * WEEK), Some(4 * WEEK))
        ]
    );
    assert_eq!(
        stage(&r, "collection").evidence,
        "It takes four to six hours, and younger children may need a central line."
    );
    assert_eq!(r.side_effects, ["crs", "cytopenia", "icans", "infection"]);
    // The alert bar's "Updated on" date is not the page's.
    assert_eq!(r.dates.reviewed.as_deref(), Some("2025-09-15"));
    assert_eq!(r.dates.revised, None);
    text_has(
        &r,
        &[
            "Step 3: Making the cells",
            "Low blood counts",
            "Possible side effects",
        ],
        &[
            "Masks are required",
            "Conditions We Treat",
            "fun run",
            "All rights reserved",
        ],
    );
}

#[test]
fn myeloma_page_with_generic_names() {
    let r = record("myeloma-cascade.html");
    assert_eq!(r.offerings.products, ["abecma", "carvykti"]);
    assert_eq!(r.offerings.targets, ["bcma", "gprc5d"]);
    assert_eq!(conditions(&r), [("multiple_myeloma", false)]);
    assert!(r.offerings.clinical_trials);
    assert_eq!(
        stage_ids(&r),
        [
            "collection",
            "bridging",
            "manufacturing",
            "lymphodepletion",
            "infusion",
            "monitoring"
        ]
    );
    assert_eq!(minutes(stage(&r, "collection")), [(Some(240), Some(240))]);
    assert_eq!(
        minutes(stage(&r, "manufacturing")),
        [(Some(4 * WEEK), Some(6 * WEEK))]
    );
    assert_eq!(
        minutes(stage(&r, "lymphodepletion")),
        [(Some(3 * DAY), Some(3 * DAY))]
    );
    assert_eq!(minutes(stage(&r, "infusion")), [(Some(15), Some(30))]);
    assert_eq!(
        stage(&r, "manufacturing").evidence,
        "Manufacturing takes four to six weeks."
    );
    assert_eq!(
        r.side_effects,
        [
            "crs",
            "cytopenia",
            "hypogammaglobulinemia",
            "icans",
            "infection",
            "secondary_malignancy"
        ]
    );
    assert_eq!(r.dates.revised.as_deref(), Some("2025-06-30"));
    let nurse = phone(&r, "+12066067222");
    assert_eq!(nurse.section, Section::Aside);
    assert!(nurse.purposes.contains(&Purpose::Information), "{nurse:?}");
    assert_eq!(phone(&r, "+12066061000").purposes, [Purpose::General]);
    text_has(
        &r,
        &[
            "ciltacabtagene autoleucel (cilta-cel)",
            "Approved BCMA-directed therapies",
        ],
        &[
            "Manage preferences",
            "Pay Your Bill",
            "Your gift funds",
            "Fairview Ave",
        ],
    );
}

#[test]
fn table_of_all_seven_products() {
    let r = record("products-table-harborview.html");
    assert_eq!(
        r.offerings.products,
        ["kymriah", "yescarta", "tecartus", "breyanzi", "abecma", "carvykti", "aucatzyl"]
    );
    assert!(r.offerings.all_fda_approved);
    assert_eq!(
        conditions(&r),
        [
            ("acute_lymphoblastic_leukemia", false),
            ("chronic_lymphocytic_leukemia", false),
            ("lymphoma", false),
            ("multiple_myeloma", false)
        ]
    );
    assert_eq!(r.offerings.age_max, Some(25));
    assert!(r.offerings.populations.contains(&"adult".to_string()));
    assert_eq!(r.offerings.targets, ["bcma", "cd19"]);
    let line = phone(&r, "+16195436000");
    assert_eq!(line.section, Section::Main);
    assert_eq!(line.purposes, [Purpose::Information]);
    text_has(
        &r,
        &[
            "obecabtagene autoleucel",
            "Generic name",
            "Mantle cell lymphoma",
        ],
        &["Contact Us", "Terms of Use"],
    );
}

#[test]
fn patient_organization_explainer() {
    let r = record("patient-org-explainer.html");
    let helpline = phone(&r, "+18009554572");
    assert_eq!(helpline.section, Section::Main);
    assert!(helpline.purposes.contains(&Purpose::Information));
    assert!(email(&r, "infocenter@bcpn.example.org")
        .purposes
        .contains(&Purpose::Information));
    assert!(r.offerings.products.is_empty());
    assert!(!r.offerings.clinical_trials);
    assert_eq!(
        conditions(&r),
        [
            ("leukemia", false),
            ("lymphoma", false),
            ("multiple_myeloma", false)
        ]
    );
    assert_eq!(
        stage_ids(&r),
        [
            "evaluation",
            "collection",
            "bridging",
            "manufacturing",
            "lymphodepletion",
            "infusion",
            "monitoring"
        ]
    );
    assert_eq!(
        minutes(stage(&r, "evaluation")),
        [(Some(WEEK), Some(2 * WEEK))]
    );
    assert_eq!(minutes(stage(&r, "collection")), [(Some(180), Some(360))]);
    assert_eq!(
        minutes(stage(&r, "manufacturing")),
        [(Some(3 * WEEK), Some(4 * WEEK))]
    );
    assert_eq!(
        minutes(stage(&r, "lymphodepletion")),
        [(Some(3 * DAY), Some(3 * DAY))]
    );
    assert_eq!(minutes(stage(&r, "infusion")), [(Some(30), Some(30))]);
    assert_eq!(
        minutes(stage(&r, "monitoring")),
        [(Some(2 * WEEK), Some(2 * WEEK)), (Some(4 * WEEK), None)]
    );
    assert_eq!(
        stage(&r, "collection").evidence,
        "Leukapheresis takes 3 to 6 hours and is done in one or two sessions."
    );
    assert_eq!(
        r.side_effects,
        [
            "crs",
            "cytopenia",
            "hypogammaglobulinemia",
            "icans",
            "infection",
            "secondary_malignancy",
            "tumor_lysis_syndrome"
        ]
    );
    assert_eq!(
        costs(&r),
        [(Some(373_000), Some(465_000)), (Some(400_000), None)]
    );
    assert_eq!(r.dates.reviewed.as_deref(), Some("2025-02-10"));
    assert_eq!(r.dates.revised.as_deref(), Some("2025-03-03"));
    text_has(
        &r,
        &[
            "The treatment process, step by step",
            "Tumor lysis syndrome",
            "Making the CAR T cells.",
        ],
        &["Light the Path", "Disease Information", "501(c)(3)"],
    );
}

#[test]
fn wordpress_post_with_sharing_related_posts_and_comments() {
    let r = record("wordpress-blog.html");
    assert_eq!(
        r.title.as_deref(),
        Some("What Patients Should Know About CAR-T Therapy \u{2013} Mountain West Oncology Blog")
    );
    assert_eq!(phone(&r, "+13033884876").purposes, [Purpose::Appointments]);
    assert_eq!(phone(&r, "+13033884000").section, Section::Footer);
    assert_eq!(r.offerings.products, ["yescarta", "breyanzi"]);
    assert!(!r.offerings.clinical_trials);
    assert_eq!(
        conditions(&r),
        [
            ("acute_lymphoblastic_leukemia", false),
            ("lymphoma", false),
            ("multiple_myeloma", false)
        ]
    );
    assert_eq!(costs(&r), [(Some(400_000), None)]);
    // A post date is neither a review nor a revision.
    assert_eq!(
        (r.dates.reviewed.as_deref(), r.dates.revised.as_deref()),
        (None, None)
    );
    // A reader's comment is no source of facts.
    assert!(r.side_effects.is_empty(), "{:?}", r.side_effects);
    text_has(
        &r,
        &[
            "Which cancers can it treat?",
            "Plan for a caregiver",
            "more than $400,000",
        ],
        &[
            "Share this",
            "Facebook",
            "Proton Therapy",
            "Eating Well",
            "thoughts on",
            "My husband",
            "Leave a Reply",
            "Recent Posts",
            "Proudly powered",
            "Posted in",
            "Compassionate cancer care",
        ],
    );
}

#[test]
fn table_layout_with_investigational_uses() {
    let r = record("investigational-northwoods.html");
    assert_eq!(r.offerings.products, ["breyanzi", "carvykti"]);
    assert!(r.offerings.manufacturing_on_site);
    assert!(r.offerings.clinical_trials);
    assert_eq!(
        conditions(&r),
        [
            ("autoimmune_disease", true),
            ("lymphoma", false),
            ("multiple_myeloma", false),
            ("solid_tumors", true)
        ]
    );
    assert_eq!(r.offerings.populations, ["adult"]);
    let trials = phone(&r, "+16126242620");
    assert_eq!(trials.purposes, [Purpose::ClinicalTrials]);
    assert!(email(&r, "cttrials@northwoods.example.edu")
        .purposes
        .contains(&Purpose::ClinicalTrials));
    assert_eq!(r.dates.revised.as_deref(), Some("2025-11-04"));
    text_has(
        &r,
        &["being studied in clinical trials for lupus"],
        &["Core Facilities", "equal opportunity", "Jobs"],
    );
}

#[test]
fn drupal_regions_row_headed_table_and_definition_list() {
    let r = record("drupal-lakes-regional.html");
    for e164 in ["+16128736963", "+18669034427"] {
        assert_eq!(phone(&r, e164).purposes, [Purpose::Appointments], "{e164}");
    }
    assert_eq!(phone(&r, "+16128733000").purposes, [Purpose::Referrals]);
    assert_eq!(r.offerings.products, ["yescarta", "tecartus", "breyanzi"]);
    assert_eq!(
        conditions(&r),
        [("chronic_lymphocytic_leukemia", false), ("lymphoma", false)]
    );
    assert_eq!(r.offerings.populations, ["adult"]);
    // "age 18 and older" is a lower limit, not age_max.
    assert_eq!(r.offerings.age_max, None);
    assert!(!r.offerings.clinical_trials);
    assert_eq!(
        stage_ids(&r),
        [
            "evaluation",
            "collection",
            "manufacturing",
            "lymphodepletion",
            "infusion",
            "monitoring",
            "follow_up"
        ]
    );
    assert_eq!(minutes(stage(&r, "evaluation")), [(Some(60), Some(120))]);
    assert_eq!(minutes(stage(&r, "collection")), [(Some(360), Some(480))]);
    assert_eq!(
        minutes(stage(&r, "manufacturing")),
        [(Some(2 * WEEK), Some(3 * WEEK))]
    );
    assert_eq!(
        minutes(stage(&r, "lymphodepletion")),
        [(Some(3 * DAY), Some(3 * DAY))]
    );
    assert_eq!(minutes(stage(&r, "infusion")), [(Some(20), Some(20))]);
    assert_eq!(
        minutes(stage(&r, "monitoring")),
        [(Some(7 * DAY), Some(7 * DAY))]
    );
    assert_eq!(
        minutes(stage(&r, "follow_up")),
        [(Some(15 * 365 * DAY), Some(15 * 365 * DAY))]
    );
    assert_eq!(
        stage(&r, "infusion").evidence,
        "Your CAR T cells are given through an IV in about 20 minutes."
    );
    assert_eq!(r.side_effects, ["crs", "cytopenia", "hlh", "icans"]);
    assert_eq!(costs(&r), [(Some(410_300), Some(512_000))]);
    assert_eq!(
        (r.dates.reviewed.as_deref(), r.dates.revised.as_deref()),
        (None, None)
    );
    text_has(
        &r,
        &[
            "What are the risks?",
            "T-cell collection",
            "How much does it cost?",
        ],
        &["close early", "For Health Professionals", "Accessibility"],
    );
}

/// Phrasings found by probing the normalizer (written after the probe, so a
/// regression test rather than a blind one): a left rail before the content,
/// "take part in trials", investigational uses by disease name, "3
/// consecutive days", staying in hospital to be watched, living within reach
/// of the hospital, "can exceed", a m/d/yy review date, a related-links box and
/// a feedback widget.
#[test]
fn left_rail_layout_and_probed_phrasings() {
    let r = record("left-rail-valley.html");
    let appt = phone(&r, "+18003582662");
    assert_eq!(appt.purposes, [Purpose::Appointments]);
    assert_eq!(appt.section, Section::Aside);
    assert_eq!(r.offerings.products, ["kymriah", "yescarta", "breyanzi"]);
    assert!(r.offerings.clinical_trials);
    assert_eq!(
        conditions(&r),
        [
            ("autoimmune_disease", true),
            ("leukemia", true),
            ("lymphoma", false),
            ("solid_tumors", true)
        ]
    );
    assert_eq!(
        stage_ids(&r),
        ["collection", "lymphodepletion", "monitoring"]
    );
    assert_eq!(minutes(stage(&r, "collection")), [(Some(240), Some(240))]);
    assert_eq!(
        minutes(stage(&r, "lymphodepletion")),
        [(Some(3 * DAY), Some(3 * DAY))]
    );
    assert_eq!(
        minutes(stage(&r, "monitoring")),
        [
            (Some(10 * DAY), Some(14 * DAY)),
            (Some(30 * DAY), Some(30 * DAY))
        ]
    );
    assert_eq!(r.side_effects, ["crs", "icans"]);
    assert_eq!(costs(&r), [(Some(500_000), None)]);
    assert_eq!(r.dates.reviewed.as_deref(), Some("2025-01-05"));
    text_has(
        &r,
        &["Getting your cells", "After treatment"],
        &[
            "Related links",
            "What is immunotherapy?",
            "Was this page helpful?",
            "Bone Marrow Transplant",
            "Print",
            "Careers",
        ],
    );
}

/// Several numbers in one sentence each take the words of their own clause,
/// and a fax label marks only its own number (a regression test written
/// after probing).
#[test]
fn several_numbers_in_one_sentence() {
    let r = record("contact-clauses.html");
    let purposes = |e164: &str| phone(&r, e164).purposes.clone();
    assert_eq!(purposes("+16126241111"), [Purpose::Appointments]);
    assert_eq!(purposes("+16126242222"), [Purpose::Referrals]);
    assert_eq!(purposes("+16126243333"), [Purpose::Referrals]);
    assert_eq!(purposes("+16126243334"), [Purpose::General]);
    assert_eq!(purposes("+16126244444"), [Purpose::General]);
    assert_eq!(purposes("+16126245555"), [Purpose::Information]);
    assert_eq!(
        purposes("+16126246666"),
        [Purpose::ClinicalTrials, Purpose::Information]
    );
    assert_eq!(purposes("+16126247777"), [Purpose::Appointments]);
}

fn inline(body: &str) -> PageRecord {
    let html = format!(
        "<html><head><title>CAR T</title></head><body><main><h1>CAR T-cell therapy</h1>{body}</main></body></html>"
    );
    normalize(
        &PageInput {
            bytes: html.as_bytes(),
            url: "https://example.org/inline",
            content_type: None,
            selectors: None,
        },
        &Vocabulary::builtin(),
    )
}

/// Offerings phrased in ways probed after the fixtures above.
#[test]
fn probed_offering_phrasings() {
    let r = inline("<p>We offer every commercially available CAR T therapy.</p>");
    assert!(r.offerings.all_fda_approved);
    let r = inline("<p>CAR T therapy is used for people 18 and older with lymphoma.</p>");
    assert_eq!(r.offerings.populations, ["adult"]);
    assert_eq!(r.offerings.age_max, None);
    let r = inline("<p>Ask your doctor whether a CAR T clinical trial is right for you.</p>");
    assert!(!r.offerings.clinical_trials);
}
