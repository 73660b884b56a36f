//! Diffs, comparisons and audits of snapshots, and their renderers.
#![deny(missing_docs)]

pub mod report;

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
