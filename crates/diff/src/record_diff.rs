//! Record-level changes between two records of one page.

use crate::change::{Change, ChangeKind, PageTextDiff};
use crate::ignore::IgnoreRules;
use crate::text_diff::{word_diff, words};
use cartwatch_model::{Contact, ContactKind, Cost, Duration, PageRecord, Purpose};
use std::collections::{BTreeMap, BTreeSet};

/// Everything that changed on one page, and its text diff when the words changed.
pub(crate) struct PageChanges {
    pub changes: Vec<Change>,
    pub text_diff: Option<PageTextDiff>,
}

/// Compares two records of the page `url` of `center`.
pub(crate) fn record_changes(
    center: &str,
    url: &str,
    before: &PageRecord,
    after: &PageRecord,
    ignore: &IgnoreRules,
    context_words: usize,
) -> PageChanges {
    let mut out = Collector {
        url,
        changes: Vec::new(),
    };
    contacts(&mut out, before, after);
    let (b, a) = (&before.offerings, &after.offerings);
    sets(
        &mut out,
        &b.products,
        &a.products,
        "product",
        (ChangeKind::ProductAdded, ChangeKind::ProductRemoved),
        before,
        after,
    );
    flag(
        &mut out,
        b.all_fda_approved,
        a.all_fda_approved,
        "all_fda_approved",
        "offers all FDA-approved products",
        (ChangeKind::AllApprovedAdded, ChangeKind::AllApprovedRemoved),
        before,
        after,
    );
    let condition_ids = |r: &PageRecord| -> Vec<String> {
        r.offerings
            .conditions
            .iter()
            .map(|c| {
                if c.investigational {
                    format!("{} (investigational)", c.id)
                } else {
                    c.id.clone()
                }
            })
            .collect()
    };
    sets(
        &mut out,
        &condition_ids(before),
        &condition_ids(after),
        "condition",
        (ChangeKind::ConditionAdded, ChangeKind::ConditionRemoved),
        before,
        after,
    );
    sets(
        &mut out,
        &b.populations,
        &a.populations,
        "population",
        (ChangeKind::PopulationAdded, ChangeKind::PopulationRemoved),
        before,
        after,
    );
    if b.age_max != a.age_max {
        let show = |age: Option<u32>| age.map(|a| format!("up to age {a}"));
        out.push(
            ChangeKind::AgeLimitChanged,
            "age_max".into(),
            format!(
                "age limit changed: {} → {}",
                show(b.age_max).unwrap_or_else(|| "none".into()),
                show(a.age_max).unwrap_or_else(|| "none".into())
            ),
            show(b.age_max),
            show(a.age_max),
            evidence(
                after,
                &["age_max", "offering:age_max", "population:age_max"],
            )
            .or_else(|| evidence(before, &["age_max", "offering:age_max"])),
        );
    }
    flag(
        &mut out,
        b.clinical_trials,
        a.clinical_trials,
        "clinical_trials",
        "offers CAR T clinical trials",
        (ChangeKind::TrialAdded, ChangeKind::TrialRemoved),
        before,
        after,
    );
    flag(
        &mut out,
        b.manufacturing_on_site,
        a.manufacturing_on_site,
        "manufacturing_on_site",
        "manufactures CAR T cells on site",
        (
            ChangeKind::ManufacturingAdded,
            ChangeKind::ManufacturingRemoved,
        ),
        before,
        after,
    );
    process(&mut out, before, after);
    sets(
        &mut out,
        &before.side_effects,
        &after.side_effects,
        "side_effect",
        (ChangeKind::SideEffectAdded, ChangeKind::SideEffectRemoved),
        before,
        after,
    );
    costs(&mut out, &before.costs, &after.costs);
    date(
        &mut out,
        &before.dates.reviewed,
        &after.dates.reviewed,
        "reviewed",
        "review date",
        ChangeKind::ReviewDateChanged,
        before,
        after,
    );
    date(
        &mut out,
        &before.dates.revised,
        &after.dates.revised,
        "revised",
        "revision date",
        ChangeKind::RevisionDateChanged,
        before,
        after,
    );

    // Ignore rules: a change whose two sides are equal once matches are cut
    // out is noise.
    let mut changes = out.changes;
    if !ignore.is_empty_for(center) {
        changes.retain(|c| {
            let side = |v: &Option<String>| {
                words(&ignore.strip(center, v.as_deref().unwrap_or_default())).join(" ")
            };
            side(&c.before) != side(&c.after)
        });
    }

    // Identical texts stay identical once ignore matches are cut out: skip
    // the regexes and the word split (the common case).
    let text_diff = if before.main_text == after.main_text {
        None
    } else {
        let old_text = ignore.strip(center, &before.main_text);
        let new_text = ignore.strip(center, &after.main_text);
        word_diff(url, &old_text, &new_text, context_words)
    };
    if let Some(diff) = &text_diff {
        let (mut removed, mut added) = (0, 0);
        for span in diff.hunks.iter().flat_map(|h| h.spans.iter()) {
            let n = span.text.split(' ').count();
            match span.op {
                crate::TextOp::Delete => removed += n,
                crate::TextOp::Insert => added += n,
                crate::TextOp::Equal => {}
            }
        }
        changes.push(Change {
            kind: ChangeKind::TextChanged,
            summary: format!(
                "page text changed: {} added, {removed} removed",
                crate::counted(added, "word", "words")
            ),
            before: None,
            after: None,
            evidence: None,
            url: url.to_string(),
            fact: "text".into(),
        });
    }
    PageChanges { changes, text_diff }
}

struct Collector<'a> {
    url: &'a str,
    changes: Vec<Change>,
}

impl Collector<'_> {
    fn push(
        &mut self,
        kind: ChangeKind,
        fact: String,
        summary: String,
        before: Option<String>,
        after: Option<String>,
        evidence: Option<String>,
    ) {
        self.changes.push(Change {
            kind,
            summary,
            before,
            after,
            evidence: evidence.filter(|e| !e.is_empty()),
            url: self.url.to_string(),
            fact,
        });
    }
}

fn evidence(record: &PageRecord, keys: &[&str]) -> Option<String> {
    keys.iter()
        .find_map(|k| record.evidence.get(*k))
        .cloned()
        .filter(|e| !e.is_empty())
}

fn human(id: &str) -> String {
    id.replace('_', " ")
}

#[allow(clippy::too_many_arguments)]
fn sets(
    out: &mut Collector<'_>,
    before: &[String],
    after: &[String],
    what: &str,
    (added_kind, removed_kind): (ChangeKind, ChangeKind),
    old: &PageRecord,
    new: &PageRecord,
) {
    let b: BTreeSet<&String> = before.iter().collect();
    let a: BTreeSet<&String> = after.iter().collect();
    let id_of = |v: &str| v.split(' ').next().unwrap_or(v).to_string();
    for removed in b.difference(&a) {
        let key = format!("{what}:{}", id_of(removed));
        out.push(
            removed_kind,
            key.clone(),
            format!("{} removed: {}", human(what), human(removed)),
            Some((*removed).clone()),
            None,
            evidence(old, &[&key]),
        );
    }
    for added in a.difference(&b) {
        let key = format!("{what}:{}", id_of(added));
        out.push(
            added_kind,
            key.clone(),
            format!("{} added: {}", human(what), human(added)),
            None,
            Some((*added).clone()),
            evidence(new, &[&key]),
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn flag(
    out: &mut Collector<'_>,
    before: bool,
    after: bool,
    id: &str,
    says: &str,
    (added_kind, removed_kind): (ChangeKind, ChangeKind),
    old: &PageRecord,
    new: &PageRecord,
) {
    let keys = [
        format!("offering:{id}"),
        id.to_string(),
        format!("flag:{id}"),
    ];
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    match (before, after) {
        (false, true) => out.push(
            added_kind,
            id.to_string(),
            format!("now says it {says}"),
            None,
            Some("yes".into()),
            evidence(new, &keys),
        ),
        (true, false) => out.push(
            removed_kind,
            id.to_string(),
            format!("no longer says it {says}"),
            Some("yes".into()),
            None,
            evidence(old, &keys),
        ),
        _ => {}
    }
}

fn contact_shown(contact: &Contact) -> String {
    match contact.kind {
        ContactKind::Phone => contact.display.clone().unwrap_or_else(|| contact.key()),
        ContactKind::Email => contact.key(),
    }
}

fn purposes_shown(contact: &Contact) -> String {
    if contact.purposes.is_empty() {
        "general".into()
    } else {
        contact
            .purposes
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The purpose a contact is best known for: the first specific one, else general.
fn main_purpose(contact: &Contact) -> Purpose {
    Purpose::ALL
        .into_iter()
        .find(|p| contact.purposes.contains(p))
        .unwrap_or(Purpose::General)
}

fn contacts(out: &mut Collector<'_>, before: &PageRecord, after: &PageRecord) {
    let b: BTreeMap<String, &Contact> = before.contacts.iter().map(|c| (c.key(), c)).collect();
    let a: BTreeMap<String, &Contact> = after.contacts.iter().map(|c| (c.key(), c)).collect();
    for (key, old) in &b {
        if let Some(new) = a.get(key) {
            let ob: BTreeSet<Purpose> = old.purposes.iter().copied().collect();
            let nb: BTreeSet<Purpose> = new.purposes.iter().copied().collect();
            if ob != nb {
                out.push(
                    ChangeKind::ContactPurposeChanged,
                    format!("contact_purpose:{key}"),
                    format!(
                        "{} is now given for {} (was {})",
                        contact_shown(new),
                        purposes_shown(new),
                        purposes_shown(old)
                    ),
                    Some(purposes_shown(old)),
                    Some(purposes_shown(new)),
                    Some(new.evidence.clone()),
                );
            }
        }
    }
    let mut removed: Vec<&Contact> = b
        .iter()
        .filter(|(k, _)| !a.contains_key(*k))
        .map(|(_, c)| *c)
        .collect();
    let mut added: Vec<&Contact> = a
        .iter()
        .filter(|(k, _)| !b.contains_key(*k))
        .map(|(_, c)| *c)
        .collect();
    // A removed and an added contact of the same kind sharing a purpose are
    // one number replaced by another.
    let mut i = 0;
    while i < removed.len() {
        let old = removed[i];
        let purpose = main_purpose(old);
        let partner = added
            .iter()
            .position(|new| new.kind == old.kind && main_purpose(new) == purpose);
        if let Some(j) = partner {
            let new = added.remove(j);
            removed.remove(i);
            let noun = match old.kind {
                ContactKind::Phone => "number",
                ContactKind::Email => "email",
            };
            out.push(
                ChangeKind::ContactNumberChanged,
                format!("contact:{}", purpose.as_str()),
                format!(
                    "{} {noun} changed: {} → {}",
                    purpose.as_str(),
                    contact_shown(old),
                    contact_shown(new)
                ),
                Some(contact_shown(old)),
                Some(contact_shown(new)),
                Some(new.evidence.clone()),
            );
        } else {
            i += 1;
        }
    }
    for old in removed {
        out.push(
            ChangeKind::ContactRemoved,
            format!("contact:{}", old.key()),
            format!(
                "{} contact removed: {}",
                purposes_shown(old),
                contact_shown(old)
            ),
            Some(contact_shown(old)),
            None,
            Some(old.evidence.clone()),
        );
    }
    for new in added {
        out.push(
            ChangeKind::ContactAdded,
            format!("contact:{}", new.key()),
            format!(
                "{} contact added: {}",
                purposes_shown(new),
                contact_shown(new)
            ),
            None,
            Some(contact_shown(new)),
            Some(new.evidence.clone()),
        );
    }
}

fn durations_shown(durations: &[Duration]) -> String {
    durations
        .iter()
        .map(|d| d.text.clone())
        .collect::<Vec<_>>()
        .join("; ")
}

/// What two duration lists are compared by: minutes when known, else words.
fn durations_key(durations: &[Duration]) -> Vec<String> {
    let mut key: Vec<String> = durations
        .iter()
        .map(|d| match (d.min_minutes, d.max_minutes) {
            (None, None) => words(&d.text.to_lowercase()).join(" "),
            (min, max) => format!("{min:?}-{max:?}"),
        })
        .collect();
    key.sort();
    key
}

fn process(out: &mut Collector<'_>, before: &PageRecord, after: &PageRecord) {
    let b: BTreeMap<&str, _> = before
        .process
        .iter()
        .map(|s| (s.stage.as_str(), s))
        .collect();
    let a: BTreeMap<&str, _> = after
        .process
        .iter()
        .map(|s| (s.stage.as_str(), s))
        .collect();
    for (stage, old) in &b {
        match a.get(stage) {
            None => out.push(
                ChangeKind::StageRemoved,
                format!("stage:{stage}"),
                format!("process stage removed: {}", human(stage)),
                Some(stage.to_string()),
                None,
                Some(old.evidence.clone()),
            ),
            Some(new) => {
                if durations_key(&old.durations) != durations_key(&new.durations) {
                    let show = |d: &[Duration]| {
                        if d.is_empty() {
                            None
                        } else {
                            Some(durations_shown(d))
                        }
                    };
                    out.push(
                        ChangeKind::DurationChanged,
                        format!("duration:{stage}"),
                        format!(
                            "{} duration changed: {} → {}",
                            human(stage),
                            show(&old.durations).unwrap_or_else(|| "not stated".into()),
                            show(&new.durations).unwrap_or_else(|| "not stated".into())
                        ),
                        show(&old.durations),
                        show(&new.durations),
                        Some(new.evidence.clone()),
                    );
                }
            }
        }
    }
    for (stage, new) in &a {
        if !b.contains_key(stage) {
            out.push(
                ChangeKind::StageAdded,
                format!("stage:{stage}"),
                format!("process stage added: {}", human(stage)),
                None,
                Some(stage.to_string()),
                Some(new.evidence.clone()),
            );
        }
    }
}

fn costs(out: &mut Collector<'_>, before: &[Cost], after: &[Cost]) {
    let key = |costs: &[Cost]| -> Vec<String> {
        let mut k: Vec<String> = costs
            .iter()
            .map(|c| match (c.min_usd, c.max_usd) {
                (None, None) => words(&c.text).join(" "),
                (min, max) => format!("{min:?}-{max:?}"),
            })
            .collect();
        k.sort();
        k
    };
    if key(before) == key(after) {
        return;
    }
    let show = |costs: &[Cost]| {
        if costs.is_empty() {
            None
        } else {
            Some(
                costs
                    .iter()
                    .map(|c| c.text.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        }
    };
    out.push(
        ChangeKind::CostChanged,
        "cost".into(),
        format!(
            "cost changed: {} → {}",
            show(before).unwrap_or_else(|| "not stated".into()),
            show(after).unwrap_or_else(|| "not stated".into())
        ),
        show(before),
        show(after),
        after.first().or(before.first()).map(|c| c.evidence.clone()),
    );
}

#[allow(clippy::too_many_arguments)]
fn date(
    out: &mut Collector<'_>,
    before: &Option<String>,
    after: &Option<String>,
    id: &str,
    label: &str,
    kind: ChangeKind,
    old: &PageRecord,
    new: &PageRecord,
) {
    if before == after {
        return;
    }
    let key = format!("date:{id}");
    out.push(
        kind,
        key.clone(),
        format!(
            "{label} changed: {} → {}",
            before.as_deref().unwrap_or("none"),
            after.as_deref().unwrap_or("none")
        ),
        before.clone(),
        after.clone(),
        evidence(new, &[&key]).or_else(|| evidence(old, &[&key])),
    );
}
