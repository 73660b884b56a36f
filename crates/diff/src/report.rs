//! The self-contained HTML report of `cartwatch report`.
//!
//! One file that opens from disk with no network: the comparison matrix
//! (sortable, and filterable by product, condition and population), then per
//! center a timeline of changes across snapshots with word-level text diffs
//! (inline or side by side) and the current contacts with their evidence, then
//! the contact audit's findings.
//!
//! Everything a scraped page supplied is untrusted: it reaches the HTML only
//! through [`html::text`], [`html::attr`] or [`html::link`] (links only when
//! http or https). The page carries a Content-Security-Policy that allows no
//! network loads at all and runs only the report's own inline script and
//! style, identified by their SHA-256 hashes computed at render time, so even
//! markup that slipped through could not run.
//!
//! The filter state lives in the URL fragment (`report.html#product=kymriah&
//! population=pediatric&q=ohio&sort=center`), so a filtered view can be
//! bookmarked or shared; `layout=side-by-side` shows text diffs in two
//! columns.
//!
//! ```
//! use cartwatch_diff::report::{render_html, ReportInput};
//! use cartwatch_diff::{audit, compare, diff, AuditOptions, DiffOptions, SnapshotView};
//! use cartwatch_model::{PageRecord, SnapshotManifest};
//!
//! let manifest = |id: &str| -> SnapshotManifest {
//!     serde_json::from_value(serde_json::json!({
//!         "id": id, "created_at": id, "source": {"kind": "http"},
//!         "centers": [{"id": "msk", "name": "MSK <b>", "pages": [{
//!             "url": "https://example.org/car-t", "fetched_at": id,
//!             "outcome": "ok", "has_record": true}]}]
//!     })).unwrap()
//! };
//! let before = PageRecord { url: "https://example.org/car-t".into(), ..Default::default() };
//! let mut after = before.clone();
//! after.offerings.products.push("kymriah".into());
//! let history = [
//!     SnapshotView::new(manifest("2026-10-01T06:00:00Z"), [("msk", &before)]),
//!     SnapshotView::new(manifest("2026-11-01T06:00:00Z"), [("msk", &after)]),
//! ];
//! let diffs = [diff(&history[0], &history[1], &DiffOptions::default())];
//! let html = render_html(&ReportInput {
//!     title: "cartwatch report",
//!     generated_at: "2026-11-01T07:00:00Z",
//!     history: &history,
//!     diffs: &diffs,
//!     matrix: &compare(&history[1]),
//!     audit: &audit(&history[1], Some(&history[0]), &AuditOptions::default()),
//! });
//! assert!(html.contains("<tr data-center=\"msk\" data-product=\"kymriah\""));
//! assert!(html.contains("MSK &lt;b&gt;"));
//! assert!(html.contains("Content-Security-Policy"));
//! ```

mod centers;
mod findings;
mod history;
pub mod html;
mod matrix;
#[cfg(test)]
mod tests;

use crate::{AuditReport, DiffReport, Matrix, SnapshotView};
use std::fmt::Write as _;

/// The report's one inline script (filters, sorting, diff layout).
pub const SCRIPT: &str = include_str!("report/report.js");
/// The report's one inline style sheet.
pub const STYLE: &str = include_str!("report/report.css");

/// Everything the report shows. The CLI loads it from the store; the report
/// itself does no I/O.
#[derive(Debug, Clone, Copy)]
pub struct ReportInput<'a> {
    /// The page title and heading (`cartwatch report`).
    pub title: &'a str,
    /// When the report was written, RFC 3339 UTC (shown in the header).
    pub generated_at: &'a str,
    /// The snapshots covered, oldest first; the last is the "current" one.
    pub history: &'a [SnapshotView],
    /// The diffs between consecutive snapshots of `history`, oldest first
    /// (`diffs[i]` goes from `history[i]` to `history[i + 1]`).
    pub diffs: &'a [DiffReport],
    /// The comparison matrix of the newest snapshot.
    pub matrix: &'a Matrix,
    /// The contact audit of the newest snapshot.
    pub audit: &'a AuditReport,
}

/// Renders the whole report as one HTML document.
pub fn render_html(input: &ReportInput<'_>) -> String {
    let mut body = String::with_capacity(64 * 1024);
    render_header(&mut body, input);
    body.push_str("<main>\n");
    render_toc(&mut body, input);
    matrix::render_matrix(&mut body, input.matrix);
    centers::render_centers(&mut body, input);
    findings::render_findings(&mut body, input.audit);
    findings::render_snapshots(&mut body, input);
    body.push_str("</main>\n");
    let _ = writeln!(
        body,
        "<footer>Written by cartwatch at {}. Everything quoted from the watched pages is shown as text; \
         links are kept only when they are http or https.</footer>",
        html::text(input.generated_at)
    );
    wrap_document(input.title, &body)
}

/// The document around a rendered body: doctype, CSP meta tag (first in
/// `<head>`), the style, and the script at the end of `<body>`.
pub(crate) fn wrap_document(title: &str, body: &str) -> String {
    let policy = html::content_security_policy(SCRIPT, STYLE);
    let mut out = String::with_capacity(body.len() + SCRIPT.len() + STYLE.len() + 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n");
    let _ = writeln!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">",
        html::attr(&policy)
    );
    out.push_str("<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"referrer\" content=\"no-referrer\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>{}</title>", html::text(title));
    let _ = writeln!(out, "<style>{STYLE}</style>");
    out.push_str("</head>\n<body data-script=\"not-run\" data-filtered=\"no\">\n");
    out.push_str(body);
    let _ = writeln!(out, "<script>{SCRIPT}</script>");
    out.push_str("</body>\n</html>\n");
    out
}

fn render_header(out: &mut String, input: &ReportInput<'_>) {
    out.push_str("<header class=\"top\">");
    html::push_el(out, "h1", "", input.title);
    let latest = input.history.last();
    let first = input.history.first();
    let line = match (first, latest) {
        (Some(first), Some(latest)) if input.history.len() > 1 => format!(
            "{} snapshots, {} to {}; {} centers.",
            input.history.len(),
            first.manifest.id,
            latest.manifest.id,
            latest.manifest.centers.len()
        ),
        (_, Some(latest)) => format!(
            "One snapshot, {}; {} centers. Take another to see changes.",
            latest.manifest.id,
            latest.manifest.centers.len()
        ),
        _ => "No snapshots.".to_string(),
    };
    html::push_el(out, "p", "", &line);
    let mut latest_line = String::new();
    if let Some(diff) = input.diffs.last() {
        let changed: Vec<&str> = diff
            .centers
            .iter()
            .filter(|c| c.has_changes())
            .map(|c| c.center.as_str())
            .collect();
        let count = diff.change_count();
        latest_line.push_str(&format!(
            "Latest run: {count} change{} at {} center{}{}",
            if count == 1 { "" } else { "s" },
            changed.len(),
            if changed.len() == 1 { "" } else { "s" },
            if changed.is_empty() {
                String::new()
            } else {
                format!(" ({})", changed.join(", "))
            }
        ));
    }
    let findings = &input.audit.findings;
    if !latest_line.is_empty() {
        latest_line.push_str("; ");
    }
    let errors = findings
        .iter()
        .filter(|f| f.severity == crate::Severity::Error)
        .count();
    let warnings = findings
        .iter()
        .filter(|f| f.severity == crate::Severity::Warning)
        .count();
    latest_line.push_str(&format!(
        "{} audit finding{} ({errors} error{}, {warnings} warning{}).",
        findings.len(),
        if findings.len() == 1 { "" } else { "s" },
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" },
    ));
    html::push_el(out, "p", "", &latest_line);
    out.push_str("</header>\n");
}

fn render_toc(out: &mut String, _input: &ReportInput<'_>) {
    out.push_str(
        "<nav class=\"toc\"><a href=\"#comparison\">Comparison</a><a href=\"#centers\">Centers</a><a href=\"#findings\">Audit findings</a>\
         <a href=\"#snapshots\">Snapshots</a></nav>\n",
    );
}
