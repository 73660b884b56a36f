//! Every change kind, proven on snapshot pairs built here.

mod common;

use cartwatch_diff::{diff, CenterStatus, Change, ChangeKind, DiffOptions, IgnoreRules};
use cartwatch_model::*;
use common::*;

const A: &str = "2026-10-01T06:00:00Z";
const B: &str = "2026-11-01T06:00:00Z";

/// The changes of the one center between two versions of its one page.
fn changes(before: PageRecord, after: PageRecord) -> Vec<Change> {
    let from = snap(A).page("c", before).build();
    let to = snap(B).page("c", after).build();
    let report = diff(&from, &to, &DiffOptions::default());
    report.centers[0].changes.clone()
}

fn only(changes: &[Change], kind: ChangeKind) -> &Change {
    let found: Vec<&Change> = changes.iter().filter(|c| c.kind == kind).collect();
    assert_eq!(found.len(), 1, "{kind} in {changes:#?}");
    found[0]
}

fn kinds(changes: &[Change]) -> Vec<ChangeKind> {
    changes.iter().map(|c| c.kind).collect()
}

#[test]
fn identical_snapshots_have_no_changes() {
    let from = snap(A).page("c", base_record(URL)).build();
    let to = snap(B).page("c", base_record(URL)).build();
    let report = diff(&from, &to, &DiffOptions::default());
    assert!(!report.has_changes());
    assert_eq!(report.centers[0].status, CenterStatus::Unchanged);
    assert!(report.centers[0].changes.is_empty());
    assert!(report.centers[0].text_diff.is_empty());
}

#[test]
fn contact_number_changed_for_the_same_purpose() {
    let mut after = base_record(URL);
    after.contacts = vec![phone(
        "+12168443960",
        "216-844-3960",
        &[Purpose::Appointments],
        "To make an appointment, call 216-844-3960.",
    )];
    let changes = changes(base_record(URL), after);
    assert_eq!(kinds(&changes), vec![ChangeKind::ContactNumberChanged]);
    let c = &changes[0];
    assert_eq!(c.before.as_deref(), Some("216-844-3951"));
    assert_eq!(c.after.as_deref(), Some("216-844-3960"));
    assert_eq!(
        c.summary,
        "appointments number changed: 216-844-3951 → 216-844-3960"
    );
    assert_eq!(
        c.evidence.as_deref(),
        Some("To make an appointment, call 216-844-3960.")
    );
    assert_eq!(c.url, URL);
}

#[test]
fn contact_added_removed_and_purpose_changed() {
    let mut after = base_record(URL);
    after.contacts.push(phone(
        "+18886752278",
        "1-888-MSK-CART",
        &[Purpose::Information],
        "Call 1-888-MSK-CART to learn more.",
    ));
    let c = changes(base_record(URL), after.clone());
    let added = only(&c, ChangeKind::ContactAdded);
    assert_eq!(added.after.as_deref(), Some("1-888-MSK-CART"));
    assert_eq!(added.before, None);
    assert_eq!(added.summary, "information contact added: 1-888-MSK-CART");

    let c = changes(after.clone(), base_record(URL));
    let removed = only(&c, ChangeKind::ContactRemoved);
    assert_eq!(removed.before.as_deref(), Some("1-888-MSK-CART"));
    assert_eq!(removed.after, None);
    assert_eq!(
        removed.evidence.as_deref(),
        Some("Call 1-888-MSK-CART to learn more.")
    );

    let mut moved = base_record(URL);
    moved.contacts[0].purposes = vec![Purpose::Referrals];
    let c = changes(base_record(URL), moved);
    let purpose = only(&c, ChangeKind::ContactPurposeChanged);
    assert_eq!(purpose.before.as_deref(), Some("appointments"));
    assert_eq!(purpose.after.as_deref(), Some("referrals"));
    assert_eq!(c.len(), 1);
}

#[test]
fn a_new_number_for_another_purpose_is_an_addition_not_a_change() {
    let mut after = base_record(URL);
    after.contacts = vec![phone(
        "+12168445432",
        "216-844-5432",
        &[Purpose::Information],
        "For information call 216-844-5432.",
    )];
    let c = changes(base_record(URL), after);
    assert_eq!(
        kinds(&c),
        vec![ChangeKind::ContactRemoved, ChangeKind::ContactAdded]
    );
}

#[test]
fn offerings_added_and_removed() {
    let mut after = base_record(URL);
    after.offerings.products.push("carvykti".into());
    after.evidence.insert(
        "product:carvykti".into(),
        "We now also offer Carvykti.".into(),
    );
    after.offerings.conditions.push(Condition {
        id: "multiple_myeloma".into(),
        investigational: false,
    });
    after.offerings.populations.push("adult".into());
    after.offerings.clinical_trials = false;
    after.offerings.manufacturing_on_site = true;
    after.offerings.all_fda_approved = true;
    after.offerings.age_max = None;
    let c = changes(base_record(URL), after);
    let product = only(&c, ChangeKind::ProductAdded);
    assert_eq!(product.after.as_deref(), Some("carvykti"));
    assert_eq!(product.summary, "product added: carvykti");
    assert_eq!(
        product.evidence.as_deref(),
        Some("We now also offer Carvykti.")
    );
    assert_eq!(
        only(&c, ChangeKind::ConditionAdded).after.as_deref(),
        Some("multiple_myeloma")
    );
    assert_eq!(
        only(&c, ChangeKind::PopulationAdded).after.as_deref(),
        Some("adult")
    );
    assert_eq!(
        only(&c, ChangeKind::TrialRemoved).summary,
        "no longer says it offers CAR T clinical trials"
    );
    assert_eq!(
        only(&c, ChangeKind::ManufacturingAdded).summary,
        "now says it manufactures CAR T cells on site"
    );
    only(&c, ChangeKind::AllApprovedAdded);
    let age = only(&c, ChangeKind::AgeLimitChanged);
    assert_eq!(age.before.as_deref(), Some("up to age 25"));
    assert_eq!(age.after, None);

    let mut fewer = base_record(URL);
    fewer.offerings.products.clear();
    fewer.offerings.conditions.clear();
    fewer.offerings.populations.clear();
    let c = changes(base_record(URL), fewer);
    let product = only(&c, ChangeKind::ProductRemoved);
    assert_eq!(product.before.as_deref(), Some("kymriah"));
    assert_eq!(
        product.evidence.as_deref(),
        Some("We offer Kymriah for children and young adults.")
    );
    only(&c, ChangeKind::ConditionRemoved);
    only(&c, ChangeKind::PopulationRemoved);

    let mut trials = base_record(URL);
    trials.offerings.clinical_trials = false;
    let c = changes(trials, base_record(URL));
    only(&c, ChangeKind::TrialAdded);
    let mut made = base_record(URL);
    made.offerings.manufacturing_on_site = true;
    made.offerings.all_fda_approved = true;
    let c = changes(made, base_record(URL));
    only(&c, ChangeKind::ManufacturingRemoved);
    only(&c, ChangeKind::AllApprovedRemoved);
}

#[test]
fn process_stages_and_durations() {
    let mut after = base_record(URL);
    after.process[0].durations = vec![Duration {
        text: "three to four hours".into(),
        min_minutes: Some(180),
        max_minutes: Some(240),
    }];
    after.process[0].evidence = "We draw blood over three to four hours.".into();
    after.process.remove(1);
    after.process.push(ProcessStep {
        stage: "monitoring".into(),
        durations: vec![],
        evidence: "You stay near the hospital for four weeks.".into(),
    });
    let c = changes(base_record(URL), after);
    let duration = only(&c, ChangeKind::DurationChanged);
    assert_eq!(duration.before.as_deref(), Some("two to three hours"));
    assert_eq!(duration.after.as_deref(), Some("three to four hours"));
    assert_eq!(
        duration.summary,
        "collection duration changed: two to three hours → three to four hours"
    );
    assert_eq!(
        duration.evidence.as_deref(),
        Some("We draw blood over three to four hours.")
    );
    assert_eq!(
        only(&c, ChangeKind::StageRemoved).before.as_deref(),
        Some("infusion")
    );
    assert_eq!(
        only(&c, ChangeKind::StageAdded).after.as_deref(),
        Some("monitoring")
    );
}

#[test]
fn same_minutes_in_other_words_is_not_a_duration_change() {
    let mut after = base_record(URL);
    after.process[0].durations[0].text = "2-3 hours".into();
    assert!(changes(base_record(URL), after).is_empty());
}

#[test]
fn side_effects_cost_and_dates() {
    let mut after = base_record(URL);
    after.side_effects = vec!["icans".into()];
    after.costs[0] = Cost {
        text: "$420,000".into(),
        min_usd: Some(420_000),
        max_usd: Some(420_000),
        evidence: "The therapy costs $420,000.".into(),
    };
    after.dates.reviewed = Some("2026-10-20".into());
    after.dates.revised = Some("2026-10-21".into());
    let c = changes(base_record(URL), after);
    assert_eq!(
        only(&c, ChangeKind::SideEffectAdded).after.as_deref(),
        Some("icans")
    );
    let removed = only(&c, ChangeKind::SideEffectRemoved);
    assert_eq!(removed.before.as_deref(), Some("crs"));
    assert_eq!(
        removed.evidence.as_deref(),
        Some("Cytokine release syndrome can cause fever.")
    );
    let cost = only(&c, ChangeKind::CostChanged);
    assert_eq!(cost.before.as_deref(), Some("$373,000"));
    assert_eq!(cost.after.as_deref(), Some("$420,000"));
    let reviewed = only(&c, ChangeKind::ReviewDateChanged);
    assert_eq!(reviewed.before.as_deref(), Some("2023-10-12"));
    assert_eq!(reviewed.after.as_deref(), Some("2026-10-20"));
    assert_eq!(
        reviewed.summary,
        "review date changed: 2023-10-12 → 2026-10-20"
    );
    let revised = only(&c, ChangeKind::RevisionDateChanged);
    assert_eq!(revised.before, None);
    assert_eq!(revised.after.as_deref(), Some("2026-10-21"));
}

#[test]
fn text_changes_are_word_level_and_ignore_reflow() {
    let mut reflowed = base_record(URL);
    reflowed.main_text = reflowed.main_text.replace(' ', "\n  ").replace("\n\n", " ");
    assert!(changes(base_record(URL), reflowed).is_empty());

    let mut edited = base_record(URL);
    edited.main_text = edited
        .main_text
        .replace("own immune", "own engineered immune");
    let from = snap(A).page("c", base_record(URL)).build();
    let to = snap(B).page("c", edited).build();
    let report = diff(&from, &to, &DiffOptions::default());
    let center = &report.centers[0];
    assert_eq!(kinds(&center.changes), vec![ChangeKind::TextChanged]);
    assert_eq!(
        center.changes[0].summary,
        "page text changed: 1 word added, 0 removed"
    );
    assert_eq!(center.text_diff.len(), 1);
    let spans = &center.text_diff[0].hunks[0].spans;
    assert!(spans
        .iter()
        .any(|s| s.op == cartwatch_diff::TextOp::Insert && s.text == "engineered"));
}

#[test]
fn ignore_patterns_apply_to_detection_and_display() {
    let mut after = base_record(URL);
    after.main_text = after.main_text.replace("© 2026", "© 2027");
    let from = snap(A).page("c", base_record(URL)).build();
    let to = snap(B).page("c", after.clone()).build();
    let plain = diff(&from, &to, &DiffOptions::default());
    assert!(
        plain.has_changes(),
        "without rules the footer year is a change"
    );

    let options = DiffOptions {
        ignore: IgnoreRules::new(&[r"©\s*\d{4}"]).unwrap(),
        ..DiffOptions::default()
    };
    let quiet = diff(&from, &to, &options);
    assert!(!quiet.has_changes(), "{quiet:#?}");
    assert!(quiet.centers[0].text_diff.is_empty());

    // Display: a real edit next to an ignored one shows without the ignored text.
    after.main_text = after.main_text.replace("your own", "the patient's own");
    let to = snap(B).page("c", after).build();
    let shown = diff(&from, &to, &options);
    let json = serde_json::to_string(&shown.centers[0].text_diff).unwrap();
    assert!(json.contains("patient's"), "{json}");
    assert!(!json.contains("2027") && !json.contains("2026"), "{json}");

    // Record-level: a per-center rule on a number hides its change, only there.
    let mut moved = base_record(URL);
    moved.contacts[0].display = Some("216-844-3960".into());
    moved.contacts[0].e164 = Some("+12168443960".into());
    let to = snap(B).page("c", moved).build();
    let mut rules = IgnoreRules::none();
    rules.add_center("c", &[r"216-844-39\d\d"]).unwrap();
    let options = DiffOptions {
        ignore: rules,
        ..DiffOptions::default()
    };
    assert!(!diff(&from, &to, &options).has_changes());
    let mut rules = IgnoreRules::none();
    rules.add_center("other", &[r"216-844-39\d\d"]).unwrap();
    let options = DiffOptions {
        ignore: rules,
        ..DiffOptions::default()
    };
    assert!(diff(&from, &to, &options).has_changes());
}

#[test]
fn a_site_that_went_down_is_unreachable_never_removed() {
    let from = snap(A).page("c", base_record(URL)).build();
    let to = snap(B).failed("c", URL, FetchOutcome::Timeout).build();
    let report = diff(&from, &to, &DiffOptions::default());
    let center = &report.centers[0];
    assert_eq!(center.status, CenterStatus::Unreachable);
    assert_eq!(kinds(&center.changes), vec![ChangeKind::PageUnreachable]);
    assert_eq!(
        center.changes[0].summary,
        format!("page unreachable since {B} (timeout: operation timed out after 30s)")
    );
    assert!(center.text_diff.is_empty());
    assert!(report.has_changes());
    let json = serde_json::to_string(&report).unwrap();
    assert!(!json.contains("removed"), "{json}");
}

#[test]
fn unreachable_since_walks_the_history_and_recovery_compares_with_the_last_good_record() {
    let d1 = "2026-09-01T06:00:00Z";
    let d2 = "2026-09-08T06:00:00Z";
    let d3 = "2026-09-15T06:00:00Z";
    let d4 = "2026-09-22T06:00:00Z";
    let good = snap(d1).page("c", base_record(URL)).build();
    let down1 = snap(d2).failed("c", URL, FetchOutcome::Timeout).build();
    let down2 = snap(d3)
        .failed("c", URL, FetchOutcome::HttpError { status: 503 })
        .build();
    let mut changed = base_record(URL);
    changed.offerings.products.push("breyanzi".into());
    let back = snap(d4).page("c", changed).build();
    let all = [&good, &down1, &down2, &back];

    let still = diff_in(&all, d2, d3, &DiffOptions::default());
    let change = &still.centers[0].changes[0];
    assert_eq!(change.kind, ChangeKind::PageStillUnreachable);
    assert!(
        change
            .summary
            .starts_with(&format!("page still unreachable since {d2}")),
        "{}",
        change.summary
    );
    assert!(
        !still.has_changes(),
        "still down is a reminder, not a change"
    );
    assert_eq!(still.centers[0].status, CenterStatus::Unreachable);

    let recovered = diff_in(&all, d3, d4, &DiffOptions::default());
    let c = &recovered.centers[0].changes;
    assert_eq!(
        kinds(c),
        vec![ChangeKind::PageRecovered, ChangeKind::ProductAdded]
    );
    assert!(
        c[0].summary.contains(&format!("unreachable since {d2}")),
        "{}",
        c[0].summary
    );
    assert!(
        c[0].summary
            .contains(&format!("last good record, from {d1}")),
        "{}",
        c[0].summary
    );
    assert_eq!(c[1].after.as_deref(), Some("breyanzi"));
}

#[test]
fn redirected_elsewhere() {
    let from = snap(A).page("c", base_record(URL)).build();
    let to = snap(B)
        .redirected(
            "c",
            base_record(URL),
            "https://example.org/cellular-therapy",
        )
        .build();
    let report = diff(&from, &to, &DiffOptions::default());
    let c = &report.centers[0].changes;
    assert_eq!(kinds(c), vec![ChangeKind::PageRedirected]);
    assert_eq!(c[0].before.as_deref(), Some(URL));
    assert_eq!(
        c[0].after.as_deref(),
        Some("https://example.org/cellular-therapy")
    );
}

#[test]
fn centers_and_pages_added_to_or_removed_from_the_config() {
    let other = "https://example.org/other";
    let from = snap(A)
        .page("c", base_record(URL))
        .page("gone", base_record(URL))
        .build();
    let to = snap(B)
        .page("c", base_record(URL))
        .page("c", base_record(other))
        .page("new", base_record(URL))
        .build();
    let report = diff(&from, &to, &DiffOptions::default());
    let ids: Vec<(&str, CenterStatus)> = report
        .centers
        .iter()
        .map(|c| (c.center.as_str(), c.status))
        .collect();
    assert_eq!(
        ids,
        vec![
            ("c", CenterStatus::Changed),
            ("new", CenterStatus::Added),
            ("gone", CenterStatus::NoLongerWatched)
        ]
    );
    assert_eq!(
        kinds(&report.centers[0].changes),
        vec![ChangeKind::PageAdded]
    );
    assert_eq!(report.centers[0].changes[0].url, other);
    assert_eq!(
        kinds(&report.centers[1].changes),
        vec![ChangeKind::CenterAdded]
    );
    assert_eq!(
        kinds(&report.centers[2].changes),
        vec![ChangeKind::CenterNoLongerWatched]
    );

    let back = diff(&to, &from, &DiffOptions::default());
    assert_eq!(
        kinds(&back.centers[0].changes),
        vec![ChangeKind::PageRemoved]
    );
}

#[test]
fn center_filter() {
    let from = snap(A)
        .page("c", base_record(URL))
        .page("d", base_record(URL))
        .build();
    let mut changed = base_record(URL);
    changed.side_effects.clear();
    let to = snap(B)
        .page("c", changed.clone())
        .page("d", changed)
        .build();
    let options = DiffOptions {
        center: Some("d".into()),
        ..DiffOptions::default()
    };
    let report = diff(&from, &to, &options);
    assert_eq!(report.centers.len(), 1);
    assert_eq!(report.centers[0].center, "d");
}

/// Five snapshots where the number flips to a new value at day 2 and back at
/// day 3 (a one-snapshot flap), then changes for good at day 5.
fn flapping() -> Vec<cartwatch_diff::SnapshotView> {
    let number = |n: &str| {
        let mut r = base_record(URL);
        r.contacts[0].e164 = Some(format!("+1216844{n}"));
        r.contacts[0].display = Some(format!("216-844-{n}"));
        r
    };
    vec![
        snap("2026-09-01T06:00:00Z")
            .page("c", number("3951"))
            .build(),
        snap("2026-09-02T06:00:00Z")
            .page("c", number("0000"))
            .build(),
        snap("2026-09-03T06:00:00Z")
            .page("c", number("3951"))
            .build(),
        snap("2026-09-04T06:00:00Z")
            .page("c", number("3951"))
            .build(),
        snap("2026-09-05T06:00:00Z")
            .page("c", number("3960"))
            .build(),
    ]
}

#[test]
fn settle_suppresses_a_flip_back_within_n_snapshots_and_keeps_lasting_changes() {
    let views = flapping();
    let all: Vec<&cartwatch_diff::SnapshotView> = views.iter().collect();
    let id = |i: usize| views[i].manifest.id.clone();
    let off = DiffOptions::default();
    let settle1 = DiffOptions {
        settle: 1,
        ..DiffOptions::default()
    };
    // Without settling, the flap is two changes.
    assert!(diff_in(&all, &id(0), &id(1), &off).has_changes());
    assert!(diff_in(&all, &id(1), &id(2), &off).has_changes());
    // With settle 1: the appearance is undone one snapshot later, and the
    // disappearance undoes a change one snapshot earlier: both suppressed.
    assert!(!diff_in(&all, &id(0), &id(1), &settle1).has_changes());
    assert!(!diff_in(&all, &id(1), &id(2), &settle1).has_changes());
    // A lasting change is reported, settled or not.
    let lasting = diff_in(&all, &id(3), &id(4), &settle1);
    assert!(lasting.has_changes());
    assert_eq!(
        lasting.centers[0].changes[0].kind,
        ChangeKind::ContactNumberChanged
    );
    // Settle 0 is off even with history.
    assert!(diff_in(&all, &id(1), &id(2), &off).has_changes());
}

#[test]
fn settle_counts_snapshots_exactly() {
    // A value that lasts two snapshots (days 2 and 3) is a flap for settle 2,
    // not for settle 1.
    let number = |n: &str| {
        let mut r = base_record(URL);
        r.contacts[0].e164 = Some(format!("+1216844{n}"));
        r.contacts[0].display = Some(format!("216-844-{n}"));
        r
    };
    let views = [
        snap("2026-09-01T06:00:00Z")
            .page("c", number("3951"))
            .build(),
        snap("2026-09-02T06:00:00Z")
            .page("c", number("0000"))
            .build(),
        snap("2026-09-03T06:00:00Z")
            .page("c", number("0000"))
            .build(),
        snap("2026-09-04T06:00:00Z")
            .page("c", number("3951"))
            .build(),
    ];
    let all: Vec<&cartwatch_diff::SnapshotView> = views.iter().collect();
    let id = |i: usize| views[i].manifest.id.clone();
    let settle = |n| DiffOptions {
        settle: n,
        ..DiffOptions::default()
    };
    assert!(diff_in(&all, &id(2), &id(3), &settle(1)).has_changes());
    assert!(!diff_in(&all, &id(2), &id(3), &settle(2)).has_changes());
    assert!(diff_in(&all, &id(0), &id(1), &settle(1)).has_changes());
    assert!(!diff_in(&all, &id(0), &id(1), &settle(2)).has_changes());
}

#[test]
fn settle_suppresses_a_one_snapshot_outage_but_a_failed_page_never_settles_content() {
    let d = |n: u32| format!("2026-09-0{n}T06:00:00Z");
    let views = [
        snap(&d(1)).page("c", base_record(URL)).build(),
        snap(&d(2)).failed("c", URL, FetchOutcome::Timeout).build(),
        snap(&d(3)).page("c", base_record(URL)).build(),
    ];
    let all: Vec<&cartwatch_diff::SnapshotView> = views.iter().collect();
    let settle1 = DiffOptions {
        settle: 1,
        ..DiffOptions::default()
    };
    assert!(diff_in(&all, &d(1), &d(2), &DiffOptions::default()).has_changes());
    assert!(!diff_in(&all, &d(1), &d(2), &settle1).has_changes());
    assert!(!diff_in(&all, &d(2), &d(3), &settle1).has_changes());

    // The content change across the outage is real: nothing in the window
    // has the new value, and the failed snapshot tells nothing.
    let mut changed = base_record(URL);
    changed.offerings.products.push("abecma".into());
    let views = [
        snap(&d(1)).page("c", base_record(URL)).build(),
        snap(&d(2)).failed("c", URL, FetchOutcome::Timeout).build(),
        snap(&d(3)).page("c", changed).build(),
    ];
    let all: Vec<&cartwatch_diff::SnapshotView> = views.iter().collect();
    let report = diff_in(&all, &d(2), &d(3), &settle1);
    assert_eq!(
        kinds(&report.centers[0].changes),
        vec![ChangeKind::ProductAdded]
    );
}

#[test]
fn a_page_the_archive_did_not_capture_is_a_gap_not_a_removal() {
    let mut later = base_record(URL);
    later.offerings.products.push("yescarta".into());
    let a = snap("2019-01-20T08:00:00Z")
        .archive()
        .page("c", base_record(URL))
        .build();
    let gap = snap("2019-06-10T09:00:00Z").archive().no_pages("c").build();
    let c = snap("2020-03-01T08:00:00Z")
        .archive()
        .page("c", later)
        .build();
    let views = [&a, &gap, &c];

    let into_gap = diff_in(
        &views,
        &a.manifest.id,
        &gap.manifest.id,
        &DiffOptions::default(),
    );
    assert_eq!(
        kinds(&into_gap.centers[0].changes),
        vec![ChangeKind::PageNotCaptured]
    );
    assert!(!into_gap.has_changes(), "not captured is not a change");
    assert_eq!(into_gap.centers[0].status, CenterStatus::Unchanged);

    // Out of the gap: compared with the last capture (2019-01), so the
    // product added shows and nothing reads as added or removed pages.
    let out_of_gap = diff_in(
        &views,
        &gap.manifest.id,
        &c.manifest.id,
        &DiffOptions::default(),
    );
    let out = kinds(&out_of_gap.centers[0].changes);
    assert_eq!(
        out,
        vec![ChangeKind::PageNotCaptured, ChangeKind::ProductAdded]
    );
    assert!(out_of_gap.centers[0].changes[0]
        .summary
        .contains("compared with its capture in 2019-01-20T08:00:00Z"));

    // The same absence in a live snapshot stays "removed from the config".
    let live_gap = snap("2019-06-10T09:00:00Z").no_pages("c").build();
    let live = diff(&a, &live_gap, &DiffOptions::default());
    assert_eq!(
        kinds(&live.centers[0].changes),
        vec![ChangeKind::PageRemoved]
    );
}
