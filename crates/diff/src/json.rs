//! JSON renderers: the documented diff schema (see the crate docs), the
//! [`Matrix`] and the [`AuditReport`],
//! pretty-printed, ending in a newline.

use crate::{AuditReport, DiffReport, Matrix};

fn pretty<T: serde::Serialize>(value: &T) -> String {
    let mut out = serde_json::to_string_pretty(value).expect("report types serialize");
    out.push('\n');
    out
}

/// The diff as JSON: `{from, to, centers: [{center, status, changes, text_diff}]}`.
pub fn diff(report: &DiffReport) -> String {
    pretty(report)
}

/// The comparison matrix as JSON; cells are `{"state": "stated", "value": ...}`,
/// `{"state": "not_stated"}` or `{"state": "unknown"}`.
pub fn matrix(matrix: &Matrix) -> String {
    pretty(matrix)
}

/// The audit as JSON: `{snapshot, previous, findings: [{kind, severity, center,
/// url, numbers, evidence, summary, action}]}`.
pub fn audit(report: &AuditReport) -> String {
    pretty(report)
}
