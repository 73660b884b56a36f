//! A center's facts through time: for each fact its pages stated (a product
//! offered, each phone number with its purposes, each treatment stage with
//! its durations, the review date, ...), the spans during which they stated
//! it: first seen, last seen, where it changed, with the evidence sentence.
//!
//! Computed from snapshot views, oldest first. A page that was not captured
//! (an archive period without a capture), unreachable, or answered with what
//! looks like an error page is a **gap**: the page said nothing there, so no
//! span starts or ends in it; a span open on both sides of a gap stays open
//! and counts the gap. A span ends only at a snapshot where the page was read
//! and no longer stated the fact (or stated another value for it).
//!
//! Facts come from one function, [`facts_of`], so the flattening can be
//! swapped for a shared one (`PageRecord::facts()`) without touching the rest.

use crate::suspect::content_suspect;
use crate::SnapshotView;
use cartwatch_model::{CenterSnapshot, ContactKind, PageRecord};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

/// Kinds of facts, as `--fact` names them.
pub const FACT_KINDS: [&str; 7] = [
    "product",
    "contact",
    "stage",
    "date",
    "condition",
    "side_effect",
    "cost",
];

/// One fact a record states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    /// One of [`FACT_KINDS`].
    pub kind: &'static str,
    /// What the fact is about (`kymriah`, `+12168443951`, `collection`,
    /// `reviewed`): spans of one key follow each other.
    pub key: String,
    /// What the page says about it (`216-844-3951 (referrals)`,
    /// `two to three hours`, `2023-10-12`); a change of value is a change.
    pub value: String,
    /// The sentence it was read from.
    pub evidence: Option<String>,
}

/// The facts of a record, flattened (the one place that knows the record's
/// shape for history).
pub fn facts_of(record: &PageRecord) -> Vec<Fact> {
    let evidence = |key: &str| record.evidence.get(key).cloned();
    let mut out = Vec::new();
    let offerings = &record.offerings;
    for product in &offerings.products {
        let conditions = offerings
            .product_conditions
            .get(product)
            .map(|c| format!(" (for {})", c.join(", ")))
            .unwrap_or_default();
        out.push(Fact {
            kind: "product",
            key: product.clone(),
            value: format!("{product}{conditions}"),
            evidence: evidence(&format!("product:{product}")),
        });
    }
    for contact in &record.contacts {
        let (key, shown) = match contact.kind {
            ContactKind::Phone => (
                contact.e164.clone().or_else(|| contact.display.clone()),
                contact.display.clone().or_else(|| contact.e164.clone()),
            ),
            _ => (contact.address.clone(), contact.address.clone()),
        };
        let Some(key) = key else { continue };
        let purposes: Vec<&str> = contact.purposes.iter().map(|p| p.as_str()).collect();
        let value = match purposes.is_empty() {
            true => shown.unwrap_or_else(|| key.clone()),
            false => format!(
                "{} ({})",
                shown.unwrap_or_else(|| key.clone()),
                purposes.join(", ")
            ),
        };
        out.push(Fact {
            kind: "contact",
            key,
            value,
            evidence: Some(contact.evidence.clone()).filter(|e| !e.is_empty()),
        });
    }
    for step in &record.process {
        let durations: Vec<&str> = step.durations.iter().map(|d| d.text.as_str()).collect();
        out.push(Fact {
            kind: "stage",
            key: step.stage.clone(),
            value: match durations.is_empty() {
                true => "no duration stated".to_string(),
                false => durations.join("; "),
            },
            evidence: Some(step.evidence.clone()).filter(|e| !e.is_empty()),
        });
    }
    for (name, date) in [
        ("reviewed", &record.dates.reviewed),
        ("revised", &record.dates.revised),
    ] {
        if let Some(date) = date {
            out.push(Fact {
                kind: "date",
                key: name.to_string(),
                value: date.clone(),
                evidence: evidence(&format!("date:{name}")),
            });
        }
    }
    for condition in &offerings.conditions {
        out.push(Fact {
            kind: "condition",
            key: condition.id.clone(),
            value: match condition.investigational {
                true => format!("{} (investigational)", condition.id),
                false => condition.id.clone(),
            },
            evidence: evidence(&format!("condition:{}", condition.id)),
        });
    }
    for effect in &record.side_effects {
        out.push(Fact {
            kind: "side_effect",
            key: effect.clone(),
            value: effect.clone(),
            evidence: evidence(&format!("side_effect:{effect}")),
        });
    }
    for cost in &record.costs {
        out.push(Fact {
            kind: "cost",
            key: cost.text.clone(),
            value: cost.text.clone(),
            evidence: Some(cost.evidence.clone()).filter(|e| !e.is_empty()),
        });
    }
    out
}

/// A snapshot in which a page was read: its id and the page's capture time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    /// The snapshot id.
    pub snapshot: String,
    /// When the page was fetched or captured (RFC 3339).
    pub at: String,
}

/// A stretch of snapshots during which a page stated one value of a fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// The value stated.
    pub value: String,
    /// The first snapshot stating it.
    pub first_seen: Seen,
    /// The last snapshot stating it.
    pub last_seen: Seen,
    /// The first snapshot where the page was read and no longer stated it
    /// (another value, or nothing); `None` while it is still stated.
    pub ended: Option<Seen>,
    /// Gaps (not captured, unreachable, error page) between first and last seen.
    pub gaps: usize,
    /// The sentence of its first appearance.
    pub evidence: Option<String>,
}

/// One fact's spans, in time order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactHistory {
    /// One of [`FACT_KINDS`].
    pub fact: String,
    /// What the fact is about.
    pub key: String,
    /// The page stating it.
    pub url: String,
    /// Its spans, oldest first.
    pub spans: Vec<Span>,
}

/// A snapshot where a page said nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    /// The page.
    pub url: String,
    /// The snapshot.
    pub snapshot: String,
    /// `not captured`, `unreachable (timeout)`, `error page (...)`.
    pub reason: String,
}

/// A center's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CenterHistory {
    /// The center id.
    pub center: String,
    /// Its display name (from the newest snapshot that has it).
    pub name: String,
    /// Snapshots that list the center.
    pub snapshots: usize,
    /// The first and last of those snapshots' ids.
    pub from: Option<String>,
    /// See `from`.
    pub to: Option<String>,
    /// Every fact, by kind (in [`FACT_KINDS`] order) then key.
    pub facts: Vec<FactHistory>,
    /// The snapshots where a page said nothing, in time order.
    pub gaps: Vec<Gap>,
}

/// What a page was in one snapshot.
enum State<'a> {
    Read(&'a PageRecord, String),
    Gap(String),
}

/// The history of `center` over `views` (oldest first), keeping only the
/// fact kinds in `kinds` (all when empty).
pub fn center_history(views: &[&SnapshotView], center: &str, kinds: &[String]) -> CenterHistory {
    center_history_with(views, center, kinds, |view| view.manifest.center(center))
}

/// [`center_history`] with the center's entry in a view found by `lookup`
/// (the report passes maps built once, instead of a scan per center).
pub fn center_history_with<'v>(
    views: &[&'v SnapshotView],
    center: &str,
    kinds: &[String],
    lookup: impl Fn(&'v SnapshotView) -> Option<&'v CenterSnapshot>,
) -> CenterHistory {
    let wanted = |kind: &str| kinds.is_empty() || kinds.iter().any(|k| k == kind);
    let mut history = CenterHistory {
        center: center.to_string(),
        name: center.to_string(),
        snapshots: 0,
        from: None,
        to: None,
        facts: Vec::new(),
        gaps: Vec::new(),
    };
    // Pages in the order they first appear.
    let mut urls: Vec<String> = Vec::new();
    for &view in views {
        let Some(c) = lookup(view) else {
            continue;
        };
        history.snapshots += 1;
        history.name = c.name.clone();
        history.from.get_or_insert_with(|| view.manifest.id.clone());
        history.to = Some(view.manifest.id.clone());
        for page in &c.pages {
            if !urls.contains(&page.url) {
                urls.push(page.url.clone());
            }
        }
    }
    // (kind index, key, url) → spans; open spans are those without `ended`.
    let mut table: BTreeMap<(usize, String, String), Vec<Span>> = BTreeMap::new();
    for url in &urls {
        let mut last_good: Option<&PageRecord> = None;
        for &view in views {
            let Some(c) = lookup(view) else {
                continue;
            };
            let id = view.manifest.id.clone();
            let state = match c.pages.iter().find(|p| &p.url == url) {
                None if view.manifest.source.is_archive() => State::Gap("not captured".into()),
                None => State::Gap("not watched".into()),
                Some(page) => match view.record(center, url) {
                    Some(record) if page.outcome.has_content() => {
                        match content_suspect(record, last_good) {
                            Some(s) => State::Gap(format!("error page ({})", s.describe())),
                            None => State::Read(record, page.fetched_at.clone()),
                        }
                    }
                    _ => State::Gap(format!("unreachable ({})", page.outcome.label())),
                },
            };
            let (record, at) = match state {
                State::Gap(reason) => {
                    history.gaps.push(Gap {
                        url: url.clone(),
                        snapshot: id,
                        reason,
                    });
                    continue;
                }
                State::Read(record, at) => (record, at),
            };
            last_good = Some(record);
            let seen = Seen { snapshot: id, at };
            let mut stated: BTreeMap<(usize, String), Fact> = BTreeMap::new();
            for fact in facts_of(record).into_iter().filter(|f| wanted(f.kind)) {
                let kind = FACT_KINDS.iter().position(|k| *k == fact.kind).unwrap_or(0);
                stated.entry((kind, fact.key.clone())).or_insert(fact);
            }
            // Open spans of this page that the record no longer states end here.
            for ((kind, key, u), spans) in table.iter_mut() {
                if u != url {
                    continue;
                }
                if let Some(open) = spans.last_mut().filter(|s| s.ended.is_none()) {
                    let same = stated
                        .get(&(*kind, key.clone()))
                        .is_some_and(|f| f.value == open.value);
                    if !same {
                        // Gaps counted after the last sighting belong to no span.
                        open.ended = Some(seen.clone());
                    }
                }
            }
            for ((kind, key), fact) in stated {
                let spans = table.entry((kind, key, url.clone())).or_default();
                match spans.last_mut().filter(|s| s.ended.is_none()) {
                    Some(open) => open.last_seen = seen.clone(),
                    None => spans.push(Span {
                        value: fact.value,
                        first_seen: seen.clone(),
                        last_seen: seen.clone(),
                        ended: None,
                        gaps: 0,
                        evidence: fact.evidence,
                    }),
                }
            }
        }
    }
    // The gaps strictly between a span's first and last sighting.
    let position: HashMap<&str, usize> = views
        .iter()
        .enumerate()
        .map(|(i, v)| (v.manifest.id.as_str(), i))
        .collect();
    let mut gaps_of: HashMap<&str, Vec<usize>> = HashMap::new();
    for gap in &history.gaps {
        if let Some(&p) = position.get(gap.snapshot.as_str()) {
            gaps_of.entry(gap.url.as_str()).or_default().push(p);
        }
    }
    for ((_, _, url), spans) in table.iter_mut() {
        let Some(gaps) = gaps_of.get(url.as_str()) else {
            continue;
        };
        for span in spans.iter_mut() {
            let (Some(&a), Some(&b)) = (
                position.get(span.first_seen.snapshot.as_str()),
                position.get(span.last_seen.snapshot.as_str()),
            ) else {
                continue;
            };
            // Gaps are pushed in time order: count those in (a, b).
            let start = gaps.partition_point(|&p| p <= a);
            let end = gaps.partition_point(|&p| p < b);
            span.gaps = end.saturating_sub(start);
        }
    }
    history.facts = table
        .into_iter()
        .map(|((kind, key, url), spans)| FactHistory {
            fact: FACT_KINDS[kind].to_string(),
            key,
            url,
            spans,
        })
        .collect();
    history
}

/// Drops control characters (terminal escapes) from page text.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The history as text: one block per fact kind, one line per span, the
/// evidence under it, then the gaps.
pub fn render_text(history: &CenterHistory) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "history of {} ({}): {} snapshot(s){}",
        clean(&history.center),
        clean(&history.name),
        history.snapshots,
        match (&history.from, &history.to) {
            (Some(a), Some(b)) => format!(", {a} to {b}"),
            _ => String::new(),
        }
    );
    let several_pages = {
        let mut urls: Vec<&str> = history.facts.iter().map(|f| f.url.as_str()).collect();
        urls.sort_unstable();
        urls.dedup();
        urls.len() > 1
    };
    let mut kind = "";
    for fact in &history.facts {
        if fact.fact != kind {
            kind = FACT_KINDS
                .iter()
                .find(|k| **k == fact.fact)
                .copied()
                .unwrap_or("");
            let _ = writeln!(out, "\n{}", fact.fact);
        }
        let page = if several_pages {
            format!("  [{}]", clean(&fact.url))
        } else {
            String::new()
        };
        let _ = writeln!(out, "  {}{page}", clean(&fact.key));
        for span in &fact.spans {
            let until = match &span.ended {
                Some(end) => format!("; not stated from {}", end.at),
                None => "; still stated".to_string(),
            };
            let gaps = match span.gaps {
                0 => String::new(),
                n => format!(" ({n} gap(s) in between, not changes)"),
            };
            let _ = writeln!(
                out,
                "    {}: first seen {}, last seen {}{until}{gaps}",
                clean(&span.value),
                span.first_seen.at,
                span.last_seen.at
            );
            if let Some(evidence) = &span.evidence {
                let _ = writeln!(out, "      \"{}\"", clean(evidence));
            }
        }
    }
    if history.facts.is_empty() {
        let _ = writeln!(out, "\nno facts stated in any snapshot");
    }
    if !history.gaps.is_empty() {
        let _ = writeln!(out, "\ngaps (the page said nothing; not changes)");
        for gap in &history.gaps {
            let _ = writeln!(
                out,
                "  {}  {}  {}",
                gap.snapshot,
                clean(&gap.reason),
                clean(&gap.url)
            );
        }
    }
    out
}

/// The history as pretty JSON (the [`CenterHistory`] fields).
pub fn render_json(history: &CenterHistory) -> String {
    let mut out = serde_json::to_string_pretty(history).unwrap_or_default();
    out.push('\n');
    out
}

/// The history as CSV: one row per span, then one row per gap (fact `gap`).
pub fn render_csv(history: &CenterHistory) -> String {
    let header = [
        "center",
        "url",
        "fact",
        "key",
        "value",
        "first_seen",
        "first_snapshot",
        "last_seen",
        "last_snapshot",
        "ended",
        "gaps",
        "evidence",
    ];
    let mut out = line(header.iter().map(|h| h.to_string()));
    for fact in &history.facts {
        for span in &fact.spans {
            out.push_str(&line([
                history.center.clone(),
                fact.url.clone(),
                fact.fact.clone(),
                fact.key.clone(),
                span.value.clone(),
                span.first_seen.at.clone(),
                span.first_seen.snapshot.clone(),
                span.last_seen.at.clone(),
                span.last_seen.snapshot.clone(),
                span.ended
                    .as_ref()
                    .map(|e| e.at.clone())
                    .unwrap_or_default(),
                span.gaps.to_string(),
                span.evidence.clone().unwrap_or_default(),
            ]));
        }
    }
    for gap in &history.gaps {
        out.push_str(&line([
            history.center.clone(),
            gap.url.clone(),
            "gap".into(),
            gap.reason.clone(),
            String::new(),
            String::new(),
            gap.snapshot.clone(),
            String::new(),
            gap.snapshot.clone(),
            String::new(),
            String::new(),
            String::new(),
        ]));
    }
    out
}

fn line(fields: impl IntoIterator<Item = String>) -> String {
    let mut out = fields
        .into_iter()
        .map(|f| crate::csv::field(&f))
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    out
}
