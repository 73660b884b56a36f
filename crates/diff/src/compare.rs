//! The comparison matrix: centers by what a patient asks.
//!
//! Every cell is a [`Cell`]: a value the pages state, `not_stated` (the pages
//! were read and do not say), or `unknown` (a page of the center failed to
//! fetch, or answered with what looks like an error or maintenance page (see
//! [`crate::suspect`]), so it might say). A missing fact is never shown as
//! "no".

use crate::claims::{check_page, ClaimsCheck};
use crate::suspect::content_suspect;
use crate::SnapshotView;
use cartwatch_model::{Condition, ContactKind, PageRecord, Purpose};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A fact as the center's pages give it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "value", rename_all = "snake_case")]
pub enum Cell<T> {
    /// The pages state this.
    Stated(T),
    /// Every page was read and none states it.
    NotStated,
    /// No page states it, and at least one page failed to fetch or looks
    /// like an error or maintenance page.
    Unknown,
}

impl<T> Cell<T> {
    /// The stated value, if any.
    pub fn stated(&self) -> Option<&T> {
        match self {
            Cell::Stated(value) => Some(value),
            _ => None,
        }
    }
}

/// The matrix of one snapshot: one row per center.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matrix {
    /// The snapshot id.
    pub snapshot: String,
    /// When the snapshot was taken (RFC 3339).
    pub created_at: String,
    /// One row per center, in config order.
    pub rows: Vec<CenterRow>,
}

/// One center's row of the [`Matrix`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CenterRow {
    /// The center id.
    pub center: String,
    /// Display name.
    pub name: String,
    /// Pages fetched with content (suspect pages excluded).
    pub pages_ok: usize,
    /// Pages that answered with what looks like an error or maintenance
    /// page; their facts are unknown.
    #[serde(default)]
    pub pages_suspect: usize,
    /// Pages configured.
    pub pages_total: usize,
    /// FDA-approved products named, sorted by id.
    pub products: Cell<Vec<String>>,
    /// The pages say every FDA-approved product is offered.
    pub all_fda_approved: Cell<bool>,
    /// The pages say CAR T clinical trials are offered.
    pub clinical_trials: Cell<bool>,
    /// The pages say CAR T cells are made on site.
    pub manufacturing_on_site: Cell<bool>,
    /// Conditions treated or studied.
    pub conditions: Cell<Vec<Condition>>,
    /// Populations served (`pediatric`, `young_adult`, `adult`).
    pub populations: Cell<Vec<String>>,
    /// The lowest upper age limit stated.
    pub age_max: Cell<u32>,
    /// Phone numbers by purpose id (`appointments`, ...), as the pages write
    /// them; every purpose has a cell.
    pub phones: BTreeMap<String, Cell<Vec<String>>>,
    /// The newest review (or, failing that, revision) date.
    pub last_reviewed: Cell<String>,
    /// Which diseases the pages say a product is used for here, by product
    /// id (`breyanzi` → `[chronic_lymphocytic_leukemia]`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub product_conditions: BTreeMap<String, Vec<String>>,
    /// Outdated claims of the center's pages, one line each (built by
    /// [`compare_with_claims`]; empty without claims data).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outdated_claims: Vec<String>,
}

/// Builds the matrix of a snapshot.
pub fn compare(view: &SnapshotView) -> Matrix {
    compare_with_claims(view, None)
}

/// Builds the matrix of a snapshot, with each center's outdated claims
/// (judged at each page's fetch date) when `claims` is given.
pub fn compare_with_claims(view: &SnapshotView, claims: Option<&ClaimsCheck>) -> Matrix {
    let rows = view
        .manifest
        .centers
        .iter()
        .map(|center| {
            let answered: Vec<&PageRecord> = center
                .pages
                .iter()
                .filter(|p| p.outcome.has_content())
                .filter_map(|p| view.record(&center.id, &p.url))
                .collect();
            let records: Vec<&PageRecord> = answered
                .iter()
                .copied()
                .filter(|r| content_suspect(r, None).is_none())
                .collect();
            let any_missing = records.len() < center.pages.len();
            let mut row = row(
                &center.id,
                &center.name,
                center.pages.len(),
                &records,
                any_missing,
            );
            row.pages_suspect = answered.len() - records.len();
            if let Some(check) = claims {
                for page in center.pages.iter().filter(|p| p.outcome.has_content()) {
                    let Some(record) = view.record(&center.id, &page.url) else {
                        continue;
                    };
                    if content_suspect(record, None).is_some() {
                        continue;
                    }
                    let day = crate::audit::date_part(&page.fetched_at)
                        .or_else(|| crate::audit::date_part(&view.manifest.created_at));
                    for hit in check_page(record, day, check) {
                        row.outdated_claims.push(format!(
                            "{}: \"{}\" (now {}, since {})",
                            hit.about, hit.detail.claimed, hit.detail.current, hit.detail.since
                        ));
                    }
                }
            }
            row
        })
        .collect();
    Matrix {
        snapshot: view.manifest.id.clone(),
        created_at: view.manifest.created_at.clone(),
        rows,
    }
}

fn row(
    id: &str,
    name: &str,
    pages_total: usize,
    records: &[&PageRecord],
    any_missing: bool,
) -> CenterRow {
    let cell_vec = |values: BTreeSet<String>| -> Cell<Vec<String>> {
        if !values.is_empty() {
            Cell::Stated(values.into_iter().collect())
        } else if any_missing {
            Cell::Unknown
        } else {
            Cell::NotStated
        }
    };
    let cell_flag = |flag: bool| -> Cell<bool> {
        if flag {
            Cell::Stated(true)
        } else if any_missing {
            Cell::Unknown
        } else {
            Cell::NotStated
        }
    };
    let cell_opt = |value: Option<String>| -> Cell<String> {
        match value {
            Some(v) => Cell::Stated(v),
            None if any_missing => Cell::Unknown,
            None => Cell::NotStated,
        }
    };

    let products: BTreeSet<String> = records
        .iter()
        .flat_map(|r| r.offerings.products.iter().cloned())
        .collect();
    // A condition treated on one page wins over "studied" on another.
    let mut conditions: BTreeMap<String, bool> = BTreeMap::new();
    for condition in records.iter().flat_map(|r| r.offerings.conditions.iter()) {
        let investigational = conditions
            .get(&condition.id)
            .map_or(condition.investigational, |&i| {
                i && condition.investigational
            });
        conditions.insert(condition.id.clone(), investigational);
    }
    let conditions = if !conditions.is_empty() {
        Cell::Stated(
            conditions
                .into_iter()
                .map(|(id, investigational)| Condition {
                    id,
                    investigational,
                })
                .collect(),
        )
    } else if any_missing {
        Cell::Unknown
    } else {
        Cell::NotStated
    };
    let populations: BTreeSet<String> = records
        .iter()
        .flat_map(|r| r.offerings.populations.iter().cloned())
        .collect();
    let age_max = match records.iter().filter_map(|r| r.offerings.age_max).min() {
        Some(age) => Cell::Stated(age),
        None if any_missing => Cell::Unknown,
        None => Cell::NotStated,
    };
    let mut phones = BTreeMap::new();
    for purpose in Purpose::ALL {
        let numbers: Vec<String> = {
            let mut seen = BTreeSet::new();
            records
                .iter()
                .flat_map(|r| r.contacts.iter())
                .filter(|c| c.kind == ContactKind::Phone && c.purposes.contains(&purpose))
                .filter(|c| seen.insert(c.key()))
                .map(|c| c.display.clone().unwrap_or_else(|| c.key()))
                .collect()
        };
        let cell = if !numbers.is_empty() {
            Cell::Stated(numbers)
        } else if any_missing {
            Cell::Unknown
        } else {
            Cell::NotStated
        };
        phones.insert(purpose.as_str().to_string(), cell);
    }
    let last_reviewed = records
        .iter()
        .filter_map(|r| r.dates.reviewed.clone().or_else(|| r.dates.revised.clone()))
        .max();

    CenterRow {
        center: id.to_string(),
        name: name.to_string(),
        pages_ok: records.len(),
        pages_suspect: 0,
        pages_total,
        products: cell_vec(products),
        all_fda_approved: cell_flag(records.iter().any(|r| r.offerings.all_fda_approved)),
        clinical_trials: cell_flag(records.iter().any(|r| r.offerings.clinical_trials)),
        manufacturing_on_site: cell_flag(records.iter().any(|r| r.offerings.manufacturing_on_site)),
        conditions,
        populations: cell_vec(populations),
        age_max,
        phones,
        last_reviewed: cell_opt(last_reviewed),
        product_conditions: pairings(records),
        outdated_claims: Vec::new(),
    }
}

/// Product → conditions pairings merged over the pages, conditions sorted.
fn pairings(records: &[&PageRecord]) -> BTreeMap<String, Vec<String>> {
    let mut merged: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for record in records {
        for (product, conditions) in &record.offerings.product_conditions {
            merged
                .entry(product.clone())
                .or_default()
                .extend(conditions.iter().cloned());
        }
    }
    merged
        .into_iter()
        .map(|(product, conditions)| (product, conditions.into_iter().collect()))
        .collect()
}

/// A condition id as a short label: the usual abbreviation where there is
/// one (`chronic_lymphocytic_leukemia` → `CLL`), else its words.
pub fn condition_label(id: &str) -> String {
    match id {
        "acute_lymphoblastic_leukemia" => "ALL".into(),
        "chronic_lymphocytic_leukemia" => "CLL".into(),
        "multiple_myeloma" => "myeloma".into(),
        other => other.replace('_', " "),
    }
}

/// The column headings renderers use, in order.
pub(crate) const COLUMNS: [&str; 8] = [
    "Center",
    "Products",
    "Clinical trials",
    "On-site manufacturing",
    "Conditions",
    "Populations and ages",
    "Phone numbers",
    "Last reviewed",
];

/// Lines of text for a cell of a list: items, "not stated" or `unknown`
/// (the row's "unknown (...)" label).
pub(crate) fn list_lines<T>(
    cell: &Cell<Vec<T>>,
    unknown: &str,
    show: impl Fn(&T) -> String,
) -> Vec<String> {
    match cell {
        Cell::Stated(items) => items.iter().map(show).collect(),
        Cell::NotStated => vec!["not stated".into()],
        Cell::Unknown => vec![unknown.into()],
    }
}

fn flag_lines(cell: &Cell<bool>, yes: &str, unknown: &str) -> Vec<String> {
    match cell {
        Cell::Stated(true) => vec![yes.into()],
        Cell::Stated(false) | Cell::NotStated => vec!["not stated".into()],
        Cell::Unknown => vec![unknown.into()],
    }
}

impl CenterRow {
    /// The row as lines of text per column (see [`COLUMNS`]): what the text,
    /// markdown and HTML renderers show. Never "no": a fact the pages do not
    /// state reads "not stated", one that could not be read "unknown".
    pub(crate) fn cells(&self) -> Vec<Vec<String>> {
        let mut center = vec![self.center.clone(), self.name.clone()];
        let failed = self.pages_total - self.pages_ok - self.pages_suspect;
        if failed > 0 {
            center.push(format!(
                "{}/{} pages fetched",
                self.pages_total - failed,
                self.pages_total
            ));
        }
        if self.pages_suspect > 0 {
            center.push(format!(
                "{} suspect",
                crate::counted(self.pages_suspect, "page", "pages")
            ));
        }
        let unknown = self.unknown_label();
        let unknown = unknown.as_str();
        let products = match (&self.all_fda_approved, &self.products) {
            (Cell::Stated(true), Cell::Stated(list)) => {
                let mut lines = vec!["all FDA-approved".to_string()];
                lines.extend(list.iter().map(|p| self.product_label(p)));
                lines
            }
            (Cell::Stated(true), _) => vec!["all FDA-approved".to_string()],
            (_, products) => list_lines(products, unknown, |p| self.product_label(p)),
        };
        let conditions = list_lines(&self.conditions, unknown, |c| {
            if c.investigational {
                format!("{} (trials)", c.id.replace('_', " "))
            } else {
                c.id.replace('_', " ")
            }
        });
        let mut populations = list_lines(&self.populations, unknown, |p| p.replace('_', " "));
        match &self.age_max {
            Cell::Stated(age) => populations.push(format!("up to age {age}")),
            Cell::NotStated => populations.push("age limit not stated".into()),
            Cell::Unknown => populations.push("age limit unknown".into()),
        }
        let mut phones = Vec::new();
        let mut unknown_phones = false;
        let in_order = Purpose::ALL
            .iter()
            .filter_map(|p| self.phones.get_key_value(p.as_str()));
        for (purpose, cell) in in_order {
            match cell {
                Cell::Stated(numbers) => {
                    for number in numbers {
                        phones.push(format!("{}: {number}", purpose.replace('_', " ")));
                    }
                }
                Cell::Unknown => unknown_phones = true,
                Cell::NotStated => {}
            }
        }
        if phones.is_empty() {
            phones.push(if unknown_phones {
                unknown.into()
            } else {
                "not stated".into()
            });
        } else if unknown_phones {
            phones.push("other purposes unknown".into());
        }
        let mut reviewed = match &self.last_reviewed {
            Cell::Stated(date) => vec![date.clone()],
            Cell::NotStated => vec!["not stated".into()],
            Cell::Unknown => vec![unknown.into()],
        };
        reviewed.extend(
            self.outdated_claims
                .iter()
                .map(|claim| format!("outdated: {claim}")),
        );
        vec![
            center,
            products,
            flag_lines(&self.clinical_trials, "yes", unknown),
            flag_lines(&self.manufacturing_on_site, "yes", unknown),
            conditions,
            populations,
            phones,
            reviewed,
        ]
    }
}

impl CenterRow {
    /// A product id with the diseases the pages pair it with here:
    /// `breyanzi (CLL)`.
    pub fn product_label(&self, product: &str) -> String {
        match self.product_conditions.get(product) {
            Some(conditions) if !conditions.is_empty() => {
                let labels: Vec<String> = conditions.iter().map(|c| condition_label(c)).collect();
                format!("{product} ({})", labels.join(", "))
            }
            _ => product.to_string(),
        }
    }

    /// What an unknown cell of this row reads: "unknown (page failed)",
    /// "unknown (page suspect)" or "unknown (page failed or suspect)".
    pub fn unknown_label(&self) -> String {
        let failed = self.pages_total > self.pages_ok + self.pages_suspect;
        match (failed, self.pages_suspect > 0) {
            (true, true) => "unknown (page failed or suspect)".into(),
            (false, true) => "unknown (page suspect)".into(),
            _ => "unknown (page failed)".into(),
        }
    }
}
