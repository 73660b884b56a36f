//! Diffs, comparisons and audits of snapshots, and their renderers.
//!
//! This crate computes the three reports users read, from stored snapshots
//! handed to it as [`SnapshotView`]s (a manifest plus its page records). It
//! never touches the store or the network; the `cli` crate loads the views.
//!
//! - **diff** ([`diff`], [`diff_snapshots`]): what changed between two
//!   snapshots, center by center: record-level [`Change`]s of every
//!   [`ChangeKind`] (contacts, offerings, process stages and durations, side
//!   effects, costs, dates, page status) and a word-level [`PageTextDiff`] of
//!   `main_text` for pages whose content changed.
//! - **compare** ([`compare()`]): the [`Matrix`] of centers by what a patient
//!   asks; every cell is a [`Cell`] that keeps "not stated" and "unknown"
//!   apart from a stated value.
//! - **audit** ([`audit()`]): [`Finding`]s about contact numbers and page dates,
//!   for editors, checked against a [`ContactRegistry`].
//!
//! Renderers, one module per output format: [`text`] (terminal, optionally
//! coloured), [`markdown`], [`json`], [`csv`] and [`html`]; or pick by name
//! with [`render_diff`], [`render_matrix`] and [`render_audit`].
//!
//! ```
//! use cartwatch_diff::{diff, render_diff, DiffFormat, DiffOptions, SnapshotView, ChangeKind};
//! use cartwatch_model::{PageRecord, SnapshotManifest};
//!
//! let manifest = |id: &str| -> SnapshotManifest {
//!     serde_json::from_value(serde_json::json!({
//!         "id": id, "created_at": id, "source": {"kind": "http"}, "bytes_new": 0,
//!         "centers": [{"id": "msk", "name": "MSK", "pages": [{
//!             "url": "https://example.org/car-t", "fetched_at": id,
//!             "outcome": "ok", "has_record": true}]}]
//!     })).unwrap()
//! };
//! let mut before = PageRecord { url: "https://example.org/car-t".into(), ..Default::default() };
//! before.offerings.products = vec!["kymriah".into()];
//! let mut after = before.clone();
//! after.offerings.products.push("carvykti".into());
//!
//! let from = SnapshotView::new(manifest("2026-10-01T06:00:00Z"), [("msk", &before)]);
//! let to = SnapshotView::new(manifest("2026-11-01T06:00:00Z"), [("msk", &after)]);
//! let report = diff(&from, &to, &DiffOptions::default());
//!
//! assert!(report.has_changes());
//! assert_eq!(report.centers[0].changes[0].kind, ChangeKind::ProductAdded);
//! let json = render_diff(&report, DiffFormat::Json, false);
//! assert!(json.contains("\"kind\": \"product_added\""));
//! ```
//!
//! # The diff's JSON schema
//!
//! `cartwatch diff --format json` prints one object; fields are never renamed
//! and only ever added:
//!
//! ```text
//! {
//!   "from": "<snapshot id>",            // the older snapshot
//!   "to": "<snapshot id>",              // the newer snapshot
//!   "centers": [{
//!     "center": "<center id>",
//!     "status": "unchanged" | "changed" | "unreachable" | "added" | "no_longer_watched",
//!     "changes": [{
//!       "kind": "<change kind>",        // see below
//!       "summary": "<one line>",
//!       "before": "<value>" | null,     // null for additions
//!       "after": "<value>" | null,      // null for removals
//!       "evidence": "<sentence>" | null,
//!       "url": "<page URL>"
//!     }],
//!     "text_diff": [{                   // one per page whose content changed
//!       "url": "<page URL>",
//!       "hunks": [{"spans": [{"op": "equal" | "delete" | "insert", "text": "<words>"}]}]
//!     }]
//!   }]
//! }
//! ```
//!
//! Change kinds: `contact_added`, `contact_removed`, `contact_number_changed`,
//! `contact_purpose_changed`, `product_added`, `product_removed`,
//! `all_approved_added`, `all_approved_removed`, `condition_added`,
//! `condition_removed`, `population_added`, `population_removed`,
//! `age_limit_changed`, `trial_added`, `trial_removed`, `manufacturing_added`,
//! `manufacturing_removed`, `stage_added`, `stage_removed`, `duration_changed`,
//! `side_effect_added`, `side_effect_removed`, `cost_changed`,
//! `review_date_changed`, `revision_date_changed`, `text_changed`,
//! `page_unreachable`, `page_still_unreachable`, `page_recovered`,
//! `page_content_suspect`, `page_still_suspect`, `page_redirected`,
//! `page_added`, `page_removed`, `center_added`, `center_no_longer_watched`,
//! `page_not_captured`. Every kind except the reminders
//! `page_still_unreachable` and `page_still_suspect` and the notes
//! `center_no_longer_watched` (a center dropped from the config is not
//! removed content) and `page_not_captured` counts as a change for the exit
//! status.
//!
//! # Pages an archive did not capture
//!
//! In a snapshot imported from the Internet Archive (`cartwatch backfill`),
//! a configured page without a capture in the snapshot's period is absent:
//! not captured, never removed. The diff notes `page_not_captured` (not a
//! change) when the newer snapshot lacks it, and when the older one lacks it
//! compares the page with its last capture before.
//!
//! # Failed pages
//!
//! A page whose fetch failed has no record, and is never reported as removed
//! content. While it fails, the diff reports `page_unreachable` ("unreachable
//! since `<snapshot>`", the first snapshot of the failing run, found by walking
//! the history of manifests) and no record changes. When it recovers, the diff
//! reports `page_recovered` and compares the page with its last good record.
//!
//! # Error and maintenance pages served with 200
//!
//! A page that answers but whose record looks like an error, maintenance,
//! not-found or sign-in page, or lost most of its words and facts at once
//! (the rules and thresholds are in [`suspect`]), is treated like a failed
//! page: the diff reports one `page_content_suspect` change ("page looks like
//! an error or maintenance page (12 of 640 words left, 0 of 25 facts; "under
//! maintenance"); not compared") instead of removing every fact, then
//! `page_still_suspect` reminders, and when the content is back,
//! `page_recovered` compared with the last good record. [`diff_snapshots`]
//! walks the history to find that record; [`diff`], without history, judges
//! the older side by its error cues alone. The compare matrix shows such a
//! center's facts as "unknown (page suspect)", and the audit raises no
//! findings from such a page.
//!
//! # Noise control
//!
//! *Whitespace and reflow* never count: `main_text` is compared word by word.
//! *Ignore patterns* (`[diff].ignore` and a center's `ignore`, regexes) apply
//! to detection and display alike: their matches are cut out of `main_text`
//! before it is compared and shown, and a record-level change whose before and
//! after are equal once the matches are cut out is dropped.
//!
//! # Settling (`--settle N`)
//!
//! Every change is about one *fact* of one page (a product, the number for a
//! purpose, a stage's duration, the page's reachability, ...). With settle
//! `N > 0`, a change to a fact between FROM and TO is suppressed when the fact
//! flips back within `N` snapshots:
//!
//! - *it undoes a recent change*: among the `N` snapshots just before FROM,
//!   one already had TO's value of the fact; or
//! - *it is undone soon after*: among the `N` snapshots just after TO (when
//!   the store has them), one is back to FROM's value.
//!
//! Snapshots where the page failed tell nothing about its content and never
//! suppress a content change. So for a value that appears in snapshot `k` and
//! is gone again by `k + d` with `d <= N`, both the appearance (once snapshot
//! `k + d` exists) and the disappearance are suppressed; a lasting change is
//! always reported.
#![deny(missing_docs)]

pub mod audit;
pub mod catalog;
pub mod change;
pub mod claims;
mod claims_audit;
pub mod compare;
pub mod csv;
pub mod history;
pub mod html;
pub mod ignore;
pub mod json;
pub mod markdown;
mod record_diff;
pub mod registry;
pub mod report;
mod snapshot_diff;
pub mod suspect;
pub mod text;
mod text_diff;

pub use audit::{audit, AuditOptions, AuditReport, Finding, FindingKind, Severity};
pub use catalog::ProductCatalog;
pub use change::{
    CenterDiff, CenterStatus, Change, ChangeKind, DiffOptions, DiffReport, PageTextDiff, TextHunk,
    TextOp, TextSpan,
};
pub use claims::{ClaimDetail, ClaimRules, ClaimsCheck};
pub use compare::{compare, compare_with_claims, Cell, CenterRow, Matrix};
pub use history::{center_history, CenterHistory, FactHistory, Span};
pub use ignore::IgnoreRules;
pub use registry::ContactRegistry;
pub use snapshot_diff::{diff, diff_snapshots};
pub use suspect::{content_suspect, Suspicion};

use cartwatch_model::{PageRecord, SnapshotManifest};
use std::collections::BTreeMap;

/// A snapshot with its records loaded: the input of every report.
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotView {
    /// The snapshot's manifest.
    pub manifest: SnapshotManifest,
    /// Records keyed by (center id, page URL).
    pub records: BTreeMap<(String, String), PageRecord>,
}

impl SnapshotView {
    /// A view from a manifest and (center id, record) pairs, each record keyed
    /// by its own `url`.
    pub fn new<'a, C: AsRef<str>>(
        manifest: SnapshotManifest,
        records: impl IntoIterator<Item = (C, &'a PageRecord)>,
    ) -> SnapshotView {
        let records = records
            .into_iter()
            .map(|(center, record)| {
                (
                    (center.as_ref().to_string(), record.url.clone()),
                    record.clone(),
                )
            })
            .collect();
        SnapshotView { manifest, records }
    }

    /// The record of one page, if the snapshot has one.
    pub fn record(&self, center: &str, url: &str) -> Option<&PageRecord> {
        self.records.get(&(center.to_string(), url.to_string()))
    }
}

/// Why a report could not be made; each message says what to fix.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DiffError {
    /// An ignore pattern is not a valid regular expression.
    #[error("{owner}: ignore pattern {pattern:?} is not a valid regular expression: {message}")]
    BadIgnorePattern {
        /// `[diff]` or `center "<id>"`.
        owner: String,
        /// The pattern as written.
        pattern: String,
        /// What the regex parser said.
        message: String,
    },
    /// The contact registry could not be read.
    #[error("contact registry {file}: {message}")]
    Registry {
        /// The file name as given.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A data file (`config/products.toml`, `config/claims.toml`) is not usable.
    #[error("{file}:{line}: {message}")]
    Data {
        /// The file name as given.
        file: String,
        /// 1-based line of the fault.
        line: usize,
        /// What is wrong and what to write instead.
        message: String,
    },
    /// An output format name is not known.
    #[error("unknown format {given:?}; use one of {allowed}")]
    UnknownFormat {
        /// The name given.
        given: String,
        /// The names accepted.
        allowed: &'static str,
    },
}

/// Output formats of `cartwatch diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffFormat {
    /// Human-readable text, optionally coloured.
    Text,
    /// Markdown, for an issue or an email.
    Markdown,
    /// The documented JSON schema.
    Json,
}

impl std::str::FromStr for DiffFormat {
    type Err = DiffError;
    fn from_str(s: &str) -> Result<Self, DiffError> {
        match s {
            "text" => Ok(DiffFormat::Text),
            "markdown" | "md" => Ok(DiffFormat::Markdown),
            "json" => Ok(DiffFormat::Json),
            _ => Err(DiffError::UnknownFormat {
                given: s.to_string(),
                allowed: "text, markdown, json",
            }),
        }
    }
}

/// Output formats of `cartwatch compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareFormat {
    /// An aligned text table.
    Table,
    /// A Markdown table.
    Markdown,
    /// CSV, one row per center.
    Csv,
    /// JSON ([`Matrix`] serialized).
    Json,
    /// A self-contained HTML page.
    Html,
}

impl std::str::FromStr for CompareFormat {
    type Err = DiffError;
    fn from_str(s: &str) -> Result<Self, DiffError> {
        match s {
            "table" | "text" => Ok(CompareFormat::Table),
            "markdown" | "md" => Ok(CompareFormat::Markdown),
            "csv" => Ok(CompareFormat::Csv),
            "json" => Ok(CompareFormat::Json),
            "html" => Ok(CompareFormat::Html),
            _ => Err(DiffError::UnknownFormat {
                given: s.to_string(),
                allowed: "table, markdown, csv, json, html",
            }),
        }
    }
}

/// Output formats of `cartwatch audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditFormat {
    /// Human-readable text, optionally coloured.
    Text,
    /// A Markdown table.
    Markdown,
    /// JSON ([`AuditReport`] serialized).
    Json,
    /// CSV, one row per finding.
    Csv,
}

impl std::str::FromStr for AuditFormat {
    type Err = DiffError;
    fn from_str(s: &str) -> Result<Self, DiffError> {
        match s {
            "text" => Ok(AuditFormat::Text),
            "markdown" | "md" => Ok(AuditFormat::Markdown),
            "json" => Ok(AuditFormat::Json),
            "csv" => Ok(AuditFormat::Csv),
            _ => Err(DiffError::UnknownFormat {
                given: s.to_string(),
                allowed: "text, markdown, json, csv",
            }),
        }
    }
}

/// The one cleaning every renderer applies to what it prints: no control
/// characters (escape sequences, C1), no bidi controls, no credentials in
/// URLs ([`cartwatch_model::display::clean_text`]). The HTML and CSV
/// escapers call it on each value; the other formats clean the whole report
/// before rendering ([`cleaned_diff`], [`cleaned`]), so the only escape
/// sequences in a coloured text diff are the renderer's own.
pub fn clean(text: &str) -> std::borrow::Cow<'_, str> {
    cartwatch_model::display::clean_text(text)
}

/// A copy of a diff report with every displayed string [`clean`]ed (the
/// center names and fact keys, which its JSON form leaves out, included).
pub fn cleaned_diff(report: &DiffReport) -> DiffReport {
    let mut copy = cartwatch_model::display::clean_strings(report).unwrap_or_else(|| DiffReport {
        from: clean(&report.from).into_owned(),
        to: clean(&report.to).into_owned(),
        centers: Vec::new(),
    });
    if copy.centers.len() == report.centers.len() {
        for (center, original) in copy.centers.iter_mut().zip(&report.centers) {
            center.name = clean(&original.name).into_owned();
            for (change, original) in center.changes.iter_mut().zip(&original.changes) {
                change.fact = clean(&original.fact).into_owned();
            }
        }
    }
    copy
}

/// A copy of a report (a [`Matrix`], an [`AuditReport`]) with every string
/// [`clean`]ed; the value itself when it has nothing to clean or does not
/// round-trip through its JSON form.
pub fn cleaned<T: Clone + serde::Serialize + serde::de::DeserializeOwned>(value: &T) -> T {
    cartwatch_model::display::clean_strings(value).unwrap_or_else(|| value.clone())
}

/// Renders a diff report; `color` adds ANSI colours to the text format.
/// Page-derived text is [`clean`]ed first, whatever the format.
pub fn render_diff(report: &DiffReport, format: DiffFormat, color: bool) -> String {
    let report = &cleaned_diff(report);
    match format {
        DiffFormat::Text => text::diff(report, color),
        DiffFormat::Markdown => markdown::diff(report),
        DiffFormat::Json => json::diff(report),
    }
}

/// Renders a comparison matrix.
pub fn render_matrix(matrix: &Matrix, format: CompareFormat) -> String {
    let matrix = &cleaned(matrix);
    match format {
        CompareFormat::Table => text::matrix(matrix),
        CompareFormat::Markdown => markdown::matrix(matrix),
        CompareFormat::Csv => csv::matrix(matrix),
        CompareFormat::Json => json::matrix(matrix),
        CompareFormat::Html => html::matrix(matrix),
    }
}

/// Renders an audit report; `color` adds ANSI colours to the text format.
pub fn render_audit(report: &AuditReport, format: AuditFormat, color: bool) -> String {
    let report = &cleaned(report);
    match format {
        AuditFormat::Text => text::audit(report, color),
        AuditFormat::Markdown => markdown::audit(report),
        AuditFormat::Json => json::audit(report),
        AuditFormat::Csv => csv::audit(report),
    }
}

/// "1 word", "2 words": a count with its noun in the right number.
pub(crate) fn counted(n: usize, singular: &str, plural: &str) -> String {
    if n == 1 {
        format!("{n} {singular}")
    } else {
        format!("{n} {plural}")
    }
}
