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

pub mod html;

use crate::{AuditReport, Cell, CenterDiff, DiffReport, Matrix, SnapshotView, TextOp};
use cartwatch_model::{CenterSnapshot, ContactKind, PageRecord};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
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
    render_matrix(&mut body, input.matrix);
    render_centers(&mut body, input);
    render_findings(&mut body, input.audit);
    render_snapshots(&mut body, input);
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
fn wrap_document(title: &str, body: &str) -> String {
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

/// The newest record of each page of a center within the history, with the
/// id of the snapshot it comes from. A record that looks like an error or
/// maintenance page next to the one before it is skipped: the page keeps its
/// last good record. `latest` is the center's entry in the newest snapshot,
/// whose page order the result follows. Each snapshot's records are read by
/// a range over the center's key, so the cost does not grow with the number
/// of other centers.
fn newest_records<'a>(
    history: &'a [SnapshotView],
    center: &str,
    latest: Option<&CenterSnapshot>,
) -> Vec<(&'a str, &'a str, &'a PageRecord)> {
    let mut seen: BTreeMap<&str, (&str, &PageRecord)> = BTreeMap::new();
    let start = (center.to_string(), String::new());
    for view in history {
        for ((c, url), record) in view.records.range(start.clone()..) {
            if c != center {
                break;
            }
            let previous = seen.get(url.as_str()).map(|(_, r)| *r);
            if crate::suspect::content_suspect(record, previous).is_none() {
                seen.insert(url.as_str(), (view.manifest.id.as_str(), record));
            }
        }
    }
    let mut out: Vec<(&str, &str, &PageRecord)> = seen
        .into_iter()
        .map(|(url, (id, record))| (url, id, record))
        .collect();
    // Config order of the newest snapshot, then anything else by URL.
    if let Some(c) = latest {
        out.sort_by_key(|(url, _, _)| {
            c.pages
                .iter()
                .position(|p| p.url == *url)
                .unwrap_or(usize::MAX)
        });
    }
    out
}

/// Maps built once per report so that rendering one center looks its data
/// up instead of scanning every center (keeps `report` linear in centers).
struct CenterIndex<'a> {
    /// Each center of the newest snapshot by id.
    latest: HashMap<&'a str, &'a CenterSnapshot>,
    /// For each diff (same order as `ReportInput::diffs`), its centers by id.
    diffs: Vec<HashMap<&'a str, &'a CenterDiff>>,
}

impl<'a> CenterIndex<'a> {
    fn new(input: &ReportInput<'a>) -> Self {
        let latest = input
            .history
            .last()
            .map(|v| {
                v.manifest
                    .centers
                    .iter()
                    .map(|c| (c.id.as_str(), c))
                    .collect()
            })
            .unwrap_or_default();
        let diffs = input
            .diffs
            .iter()
            .map(|d| d.centers.iter().map(|c| (c.center.as_str(), c)).collect())
            .collect();
        CenterIndex { latest, diffs }
    }
}

fn render_centers(out: &mut String, input: &ReportInput<'_>) {
    out.push_str("<h2 id=\"centers\">Centers</h2>\n");
    let Some(latest) = input.history.last() else {
        out.push_str("<p class=\"note\">No snapshots yet: run <code>cartwatch snapshot</code> or <code>cartwatch run</code>.</p>\n");
        return;
    };
    out.push_str(
        "<p class=\"filters\"><label><input type=\"checkbox\" id=\"diff-layout\"> \
         Show text changes side by side</label></p>\n",
    );
    // Centers of the newest snapshot, then centers only older snapshots had.
    let mut centers: Vec<(String, String)> = latest
        .manifest
        .centers
        .iter()
        .map(|c| (c.id.clone(), c.name.clone()))
        .collect();
    let mut listed: HashSet<String> = centers.iter().map(|(id, _)| id.clone()).collect();
    for view in input.history.iter().rev() {
        for c in &view.manifest.centers {
            if listed.insert(c.id.clone()) {
                centers.push((c.id.clone(), c.name.clone()));
            }
        }
    }
    let index = CenterIndex::new(input);
    for (id, name) in &centers {
        render_center(out, input, &index, id, name);
    }
}

fn render_center(
    out: &mut String,
    input: &ReportInput<'_>,
    index: &CenterIndex<'_>,
    id: &str,
    name: &str,
) {
    let token = html::token(id);
    let _ = writeln!(
        out,
        "<section class=\"center\" id=\"center-{token}\" data-center=\"{token}\">"
    );
    let _ = write!(
        out,
        "<h3>{} <span class=\"muted\">({})</span></h3>",
        html::text(name),
        html::text(id)
    );
    let latest = index.latest.get(id).copied();
    render_pages(out, input, latest, id);
    out.push_str("<h4>Timeline</h4>\n");
    render_timeline(out, input, index, id);
    out.push_str("<h4>Current contacts</h4>\n");
    render_contacts(out, input, latest, id);
    out.push_str("</section>\n");
}

fn render_pages(
    out: &mut String,
    input: &ReportInput<'_>,
    center: Option<&CenterSnapshot>,
    id: &str,
) {
    let Some(latest) = input.history.last() else {
        return;
    };
    let Some(center) = center else {
        out.push_str(
            "<p class=\"note\">Not in the newest snapshot: no longer watched (not in the config).</p>\n",
        );
        return;
    };
    let previous = input.history.iter().rev().nth(1);
    out.push_str("<ul class=\"pages\">");
    for page in &center.pages {
        out.push_str("<li>");
        out.push_str(&html::link(&page.url, &page.url));
        let suspect = latest.record(id, &page.url).is_some_and(|record| {
            let before = previous.and_then(|v| v.record(id, &page.url));
            crate::suspect::content_suspect(record, before).is_some()
        });
        if page.outcome.has_content() && suspect {
            out.push_str(
                " <span class=\"no\">answered, but looks like an error or maintenance page</span>",
            );
        } else if page.outcome.has_content() {
            out.push_str(" <span class=\"yes\">fetched</span>");
        } else {
            let _ = write!(
                out,
                " <span class=\"no\">unreachable: {}</span>",
                html::text(&page.outcome.label())
            );
            if let Some(error) = &page.error {
                let _ = write!(out, " <span class=\"muted\">({})</span>", html::text(error));
            }
        }
        if let Some(final_url) = &page.final_url {
            out.push_str(" <span class=\"muted\">redirected to</span> ");
            out.push_str(&html::link(final_url, final_url));
        }
        out.push_str("</li>");
    }
    out.push_str("</ul>\n");
}

fn render_timeline(out: &mut String, input: &ReportInput<'_>, index: &CenterIndex<'_>, id: &str) {
    if input.diffs.is_empty() {
        out.push_str("<p class=\"note\">Only one snapshot so far: nothing to compare yet.</p>\n");
        return;
    }
    out.push_str("<ol class=\"timeline\">\n");
    // Runs of diffs without changes collapse into one line, so a year of
    // daily snapshots stays readable.
    let mut quiet: Vec<&DiffReport> = Vec::new();
    for (diff, centers) in input.diffs.iter().zip(&index.diffs) {
        let center = centers.get(id).copied();
        match center {
            Some(center) if !center.changes.is_empty() || !center.text_diff.is_empty() => {
                push_quiet(out, &mut quiet);
                render_timeline_entry(out, diff, center);
            }
            _ => quiet.push(diff),
        }
    }
    push_quiet(out, &mut quiet);
    out.push_str("</ol>\n");
}

/// One timeline line for a run of diffs without changes; empties the run.
fn push_quiet(out: &mut String, quiet: &mut Vec<&DiffReport>) {
    let (Some(first), Some(last)) = (quiet.first(), quiet.last()) else {
        return;
    };
    if quiet.len() == 1 {
        let _ = writeln!(
            out,
            "<li class=\"quiet\"><span class=\"when\">{}</span> <span class=\"muted\">no changes since {}</span></li>",
            html::text(&last.to),
            html::text(&first.from)
        );
    } else {
        let _ = writeln!(
            out,
            "<li class=\"quiet\"><span class=\"when\">{}</span> <span class=\"muted\">no changes in {} snapshots since {}</span></li>",
            html::text(&last.to),
            quiet.len(),
            html::text(&first.from)
        );
    }
    quiet.clear();
}

fn render_timeline_entry(out: &mut String, diff: &DiffReport, center: &CenterDiff) {
    let trouble = center.changes.iter().any(|c| {
        matches!(
            c.kind.as_str(),
            "page_unreachable"
                | "page_still_unreachable"
                | "page_content_suspect"
                | "page_still_suspect"
        )
    });
    let _ = write!(
        out,
        "<li class=\"{}\"><span class=\"when\">{}</span> <span class=\"muted\">since {} · {}</span>",
        if trouble { "trouble" } else { "changed" },
        html::text(&diff.to),
        html::text(&diff.from),
        html::text(center.status.as_str())
    );
    if !center.changes.is_empty() {
        out.push_str("<ul class=\"changes\">");
        for change in &center.changes {
            out.push_str("<li>");
            let _ = write!(
                out,
                "<span class=\"change-kind\">{}</span> {}",
                html::text(change.kind.as_str()),
                html::text(&change.summary)
            );
            if let Some(evidence) = change.evidence.as_deref().filter(|e| !e.is_empty()) {
                html::push_el(out, "p", "evidence", evidence);
            }
            out.push_str("</li>");
        }
        out.push_str("</ul>");
    }
    for text_diff in &center.text_diff {
        out.push_str("<details open><summary>Text changes on ");
        out.push_str(&html::text(&text_diff.url));
        out.push_str("</summary>");
        // Inline: one column, deletions struck through, insertions marked.
        out.push_str("<div class=\"diff diff-inline\">");
        for (n, hunk) in text_diff.hunks.iter().enumerate() {
            if n > 0 {
                out.push_str(" <span class=\"muted\">…</span> ");
            }
            for span in &hunk.spans {
                push_span(out, span.op, &span.text);
            }
        }
        out.push_str("</div>");
        // Side by side: the older text with its deletions, the newer with its insertions.
        out.push_str("<div class=\"diff-sbs\">");
        for (class, keep) in [("before", TextOp::Delete), ("after", TextOp::Insert)] {
            let _ = write!(out, "<div class=\"diff {class}\">");
            for (n, hunk) in text_diff.hunks.iter().enumerate() {
                if n > 0 {
                    out.push_str(" <span class=\"muted\">…</span> ");
                }
                for span in hunk
                    .spans
                    .iter()
                    .filter(|s| s.op == TextOp::Equal || s.op == keep)
                {
                    push_span(out, span.op, &span.text);
                }
            }
            out.push_str("</div>");
        }
        out.push_str("</div></details>");
    }
    out.push_str("</li>\n");
}

fn push_span(out: &mut String, op: TextOp, text: &str) {
    match op {
        TextOp::Equal => {
            out.push_str(&html::text(text));
            out.push(' ');
        }
        TextOp::Delete => {
            let _ = write!(out, "<del>{}</del> ", html::text(text));
        }
        TextOp::Insert => {
            let _ = write!(out, "<ins>{}</ins> ", html::text(text));
        }
    }
}

fn render_contacts(
    out: &mut String,
    input: &ReportInput<'_>,
    latest: Option<&CenterSnapshot>,
    id: &str,
) {
    let latest_id = input.history.last().map(|v| v.manifest.id.as_str());
    let records = newest_records(input.history, id, latest);
    if records.is_empty() {
        out.push_str("<p class=\"unknown\">Unknown: no page of this center was fetched in the snapshots covered.</p>\n");
        return;
    }
    out.push_str(
        "<table class=\"contacts\"><thead><tr><th>Contact</th><th>For</th><th>Where</th>\
         <th>Evidence</th><th>Page</th></tr></thead><tbody>\n",
    );
    let mut rows = 0;
    for (url, snapshot, record) in &records {
        let stale = Some(*snapshot) != latest_id;
        for contact in &record.contacts {
            rows += 1;
            out.push_str("<tr><td>");
            match contact.kind {
                ContactKind::Phone => {
                    let display = contact.display.as_deref().unwrap_or_default();
                    out.push_str(&phone(display));
                    if let Some(e164) = &contact.e164 {
                        if e164 != display {
                            let _ = write!(
                                out,
                                " <span class=\"muted phone\">{}</span>",
                                html::text(e164)
                            );
                        }
                    }
                    if contact.valid == Some(false) {
                        out.push_str(" <span class=\"no\">invalid number</span>");
                    }
                }
                ContactKind::Email => {
                    html::push_el(
                        out,
                        "span",
                        "email",
                        contact.address.as_deref().unwrap_or_default(),
                    );
                }
            }
            out.push_str("</td><td>");
            let purposes: Vec<&str> = contact.purposes.iter().map(|p| p.as_str()).collect();
            if purposes.is_empty() {
                out.push_str("<span class=\"unknown\">unknown</span>");
            } else {
                for purpose in purposes {
                    html::push_el(out, "span", "tag", purpose);
                }
            }
            out.push_str("</td><td>");
            out.push_str(&html::text(contact.section.as_str()));
            out.push_str("</td><td>");
            if !contact.evidence.is_empty() {
                html::push_el(out, "span", "evidence", &contact.evidence);
            }
            out.push_str("</td><td>");
            out.push_str(&html::link(url, url));
            if stale {
                let _ = write!(
                    out,
                    " <span class=\"muted\">(as of {}; unreachable or suspect since)</span>",
                    html::text(snapshot)
                );
            }
            out.push_str("</td></tr>\n");
        }
    }
    if rows == 0 {
        out.push_str("<tr><td colspan=\"5\" class=\"muted\">No phone number or email address on the pages.</td></tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

/// A phone number as the page wrote it; kept on one line unless it is too
/// long to be just a number.
fn phone(display: &str) -> String {
    let class = if display.chars().count() <= 24 {
        "phone nowrap"
    } else {
        "phone"
    };
    format!("<span class=\"{class}\">{}</span>", html::text(display))
}

fn render_snapshots(out: &mut String, input: &ReportInput<'_>) {
    out.push_str("<h2 id=\"snapshots\">Snapshots</h2>\n");
    out.push_str("<table class=\"snapshots\"><thead><tr><th>Snapshot</th><th>Pages fetched</th><th>Failed</th><th>Source</th></tr></thead><tbody>\n");
    for view in input.history {
        let m = &view.manifest;
        let source = match &m.source {
            cartwatch_model::SnapshotSource::Http => "live fetch".to_string(),
            cartwatch_model::SnapshotSource::Captures { dir } => format!("captures {dir}"),
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            html::text(&m.id),
            m.pages_ok(),
            m.pages_failed(),
            html::text(&source)
        );
    }
    out.push_str("</tbody></table>\n");
}

/// Words for a yes/no cell: stated yes, stated no, not stated, unknown.
fn flag_cell(cell: &Cell<bool>) -> (String, &'static str) {
    match cell {
        Cell::Stated(true) => ("<span class=\"yes\">yes</span>".into(), "1"),
        Cell::Stated(false) => ("<span class=\"no\">no</span>".into(), "2"),
        Cell::NotStated => ("<span class=\"muted\">not stated</span>".into(), "3"),
        Cell::Unknown => ("<span class=\"unknown\">unknown</span>".into(), "4"),
    }
}

/// Markup for a cell that is not stated or unknown; `None` when stated.
fn missing_cell<T>(cell: &Cell<T>) -> Option<&'static str> {
    match cell {
        Cell::Stated(_) => None,
        Cell::NotStated => Some("<span class=\"muted\">not stated</span>"),
        Cell::Unknown => Some("<span class=\"unknown\">unknown</span>"),
    }
}

/// The space-separated filter tokens of a list cell; `?` when unknown, so
/// the filter keeps an unknown row visible rather than claiming "no".
fn filter_tokens(cell: &Cell<Vec<String>>) -> String {
    match cell {
        Cell::Stated(values) => values
            .iter()
            .map(|v| html::token(v))
            .collect::<Vec<_>>()
            .join(" "),
        Cell::NotStated => String::new(),
        Cell::Unknown => "?".into(),
    }
}

fn render_matrix(out: &mut String, matrix: &Matrix) {
    out.push_str("<h2 id=\"comparison\">Comparison</h2>\n");
    let _ = writeln!(
        out,
        "<p class=\"note\">What each center's pages say in snapshot {}. <em>not stated</em>: the pages were read and do not say; \
         <em>unknown</em>: a page could not be fetched, so it might. Click a column to sort.</p>",
        html::text(&matrix.snapshot)
    );
    let mut products = BTreeSet::new();
    let mut conditions = BTreeSet::new();
    let mut populations = BTreeSet::new();
    for row in &matrix.rows {
        if let Some(values) = row.products.stated() {
            products.extend(values.iter().cloned());
        }
        if let Some(values) = row.conditions.stated() {
            conditions.extend(values.iter().map(|c| c.id.clone()));
        }
        if let Some(values) = row.populations.stated() {
            populations.extend(values.iter().cloned());
        }
    }
    out.push_str("<div class=\"filters\">");
    for (name, label, values) in [
        ("product", "Product", &products),
        ("condition", "Condition", &conditions),
        ("population", "Population", &populations),
    ] {
        let _ = write!(
            out,
            "<label>{label}<select id=\"filter-{name}\" data-filter=\"{name}\"><option value=\"\">any</option>"
        );
        for value in values {
            let _ = write!(
                out,
                "<option value=\"{}\">{}</option>",
                html::token(value),
                html::text(&value.replace('_', " "))
            );
        }
        out.push_str("</select></label>");
    }
    out.push_str(
        "<label>Search<input id=\"filter-q\" type=\"search\" placeholder=\"center, number…\"></label>\
         <span id=\"matrix-count\" class=\"muted\"></span></div>\n",
    );
    let purposes: Vec<&String> = {
        let mut seen = Vec::new();
        for row in &matrix.rows {
            for purpose in row.phones.keys() {
                if !seen.contains(&purpose) {
                    seen.push(purpose);
                }
            }
        }
        seen
    };
    out.push_str("<div class=\"scroll\"><table id=\"matrix\"><thead><tr>");
    for (key, label) in [
        ("center", "Center"),
        ("products", "Approved products"),
        ("trials", "Clinical trials"),
        ("manufacturing", "Makes cells on site"),
        ("conditions", "Conditions"),
        ("populations", "Populations"),
        ("phones", "Phone numbers"),
        ("reviewed", "Last reviewed"),
        ("pages", "Pages fetched"),
    ] {
        let _ = write!(
            out,
            "<th data-key=\"{key}\" aria-sort=\"none\"><button type=\"button\">{label}</button></th>"
        );
    }
    out.push_str("</tr></thead><tbody>\n");
    for row in &matrix.rows {
        let token = html::token(&row.center);
        let mut product_tokens = filter_tokens(&row.products);
        if row.all_fda_approved.stated() == Some(&true) {
            // "All FDA-approved products" matches every product filter.
            product_tokens = products
                .iter()
                .map(|p| html::token(p))
                .collect::<Vec<_>>()
                .join(" ");
        }
        let condition_tokens = match &row.conditions {
            Cell::Stated(values) => values
                .iter()
                .map(|c| html::token(&c.id))
                .collect::<Vec<_>>()
                .join(" "),
            Cell::NotStated => String::new(),
            Cell::Unknown => "?".into(),
        };
        let population_tokens = filter_tokens(&row.populations);
        let _ = write!(
            out,
            "<tr data-center=\"{token}\" data-product=\"{}\" data-condition=\"{}\" data-population=\"{}\">",
            html::attr(&product_tokens),
            html::attr(&condition_tokens),
            html::attr(&population_tokens)
        );
        // Center.
        let _ = write!(
            out,
            "<td data-sort=\"{}\"><a href=\"#center-{token}\">{}</a></td>",
            html::attr(&row.name.to_lowercase()),
            html::text(&row.name)
        );
        // Products.
        out.push_str("<td>");
        if row.all_fda_approved.stated() == Some(&true) {
            out.push_str("<span class=\"tag\">all FDA-approved</span>");
        }
        match &row.products {
            Cell::Stated(values) => {
                for value in values {
                    html::push_el(out, "span", "tag", value);
                }
            }
            other if row.all_fda_approved.stated() != Some(&true) => {
                out.push_str(missing_cell(other).unwrap_or_default());
            }
            _ => {}
        }
        out.push_str("</td>");
        // Yes/no facts.
        for cell in [&row.clinical_trials, &row.manufacturing_on_site] {
            let (markup, sort) = flag_cell(cell);
            let _ = write!(out, "<td data-sort=\"{sort}\">{markup}</td>");
        }
        // Conditions.
        out.push_str("<td>");
        match &row.conditions {
            Cell::Stated(values) => {
                for condition in values {
                    let label = condition.id.replace('_', " ");
                    if condition.investigational {
                        html::push_el(
                            out,
                            "span",
                            "tag investigational",
                            &format!("{label} (studied)"),
                        );
                    } else {
                        html::push_el(out, "span", "tag", &label);
                    }
                }
            }
            other => out.push_str(missing_cell(other).unwrap_or_default()),
        }
        out.push_str("</td>");
        // Populations and age limit.
        out.push_str("<td>");
        match &row.populations {
            Cell::Stated(values) => {
                for value in values {
                    html::push_el(out, "span", "tag", &value.replace('_', " "));
                }
            }
            other => out.push_str(missing_cell(other).unwrap_or_default()),
        }
        if let Some(age) = row.age_max.stated() {
            let _ = write!(out, " <span class=\"muted\">up to age {age}</span>");
        }
        out.push_str("</td>");
        // Phones by purpose.
        out.push_str("<td>");
        let mut any_phone = false;
        for purpose in &purposes {
            if let Some(Cell::Stated(numbers)) = row.phones.get(*purpose) {
                any_phone = true;
                let _ = write!(
                    out,
                    "<div><span class=\"muted\">{}:</span> ",
                    html::text(&purpose.replace('_', " "))
                );
                let shown: Vec<String> = numbers.iter().map(|n| phone(n)).collect();
                out.push_str(&shown.join(", "));
                out.push_str("</div>");
            }
        }
        if !any_phone {
            let unknown = row.phones.values().any(|c| matches!(c, Cell::Unknown));
            out.push_str(if unknown {
                "<span class=\"unknown\">unknown</span>"
            } else {
                "<span class=\"muted\">not stated</span>"
            });
        }
        out.push_str("</td>");
        // Last reviewed.
        match &row.last_reviewed {
            Cell::Stated(date) => {
                let _ = write!(
                    out,
                    "<td class=\"nowrap\" data-sort=\"{}\">{}</td>",
                    html::attr(date),
                    html::text(date)
                );
            }
            other => {
                let _ = write!(
                    out,
                    "<td data-sort=\"\">{}</td>",
                    missing_cell(other).unwrap_or_default()
                );
            }
        }
        // Pages.
        let _ = write!(
            out,
            "<td data-sort=\"{}\">{} of {}</td>",
            row.pages_ok, row.pages_ok, row.pages_total
        );
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}

fn render_findings(out: &mut String, audit: &AuditReport) {
    out.push_str("<h2 id=\"findings\">Audit findings</h2>\n");
    let _ = writeln!(
        out,
        "<p class=\"note\">Contact numbers and page dates an editor should check, in snapshot {}{}.</p>",
        html::text(&audit.snapshot),
        match &audit.previous {
            Some(previous) => format!(", compared with {}", html::text(previous)),
            None => String::new(),
        }
    );
    if audit.findings.is_empty() {
        out.push_str("<p>No findings.</p>\n");
        return;
    }
    out.push_str(
        "<table id=\"findings-table\"><thead><tr><th>Severity</th><th>Center</th><th>Finding</th>\
         <th>Numbers</th><th>Evidence</th><th>Suggested action</th></tr></thead><tbody>\n",
    );
    for finding in &audit.findings {
        let severity = finding.severity.as_str();
        let _ = write!(
            out,
            "<tr data-severity=\"{severity}\"><td class=\"sev-{severity}\">{severity}</td><td><a href=\"#center-{}\">{}</a></td><td>",
            html::token(&finding.center),
            html::text(&finding.center)
        );
        let _ = write!(
            out,
            "<span class=\"change-kind\">{}</span> {}<br>",
            html::text(finding.kind.as_str()),
            html::text(&finding.summary)
        );
        out.push_str(&html::link(&finding.url, &finding.url));
        out.push_str("</td><td>");
        let numbers: Vec<String> = finding.numbers.iter().map(|n| phone(n)).collect();
        out.push_str(&numbers.join("<br>"));
        out.push_str("</td><td>");
        if !finding.evidence.is_empty() {
            html::push_el(out, "span", "evidence", &finding.evidence);
        }
        out.push_str("</td><td>");
        out.push_str(&html::text(&finding.action));
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        AuditReport, CenterStatus, Change, ChangeKind, Finding, FindingKind, PageTextDiff,
        Severity, TextHunk, TextSpan,
    };
    use cartwatch_model::{Contact, Purpose, Section, SnapshotManifest};

    const EVIL: &str = "\"><script>document.title='PWNED'</script><img src=x onerror=alert(1)>";
    const EVIL_URL: &str = "javascript:alert(document.domain)";

    fn manifest(id: &str, url: &str, ok: bool) -> SnapshotManifest {
        serde_json::from_value(serde_json::json!({
            "id": id, "created_at": id, "source": {"kind": "captures", "dir": EVIL}, "bytes_new": 0,
            "centers": [{"id": "evil", "name": format!("Evil {EVIL}"), "pages": [{
                "url": url, "fetched_at": id, "final_url": EVIL_URL,
                "outcome": if ok { "ok" } else { "timeout" }, "error": EVIL, "has_record": ok}]}]
        }))
        .unwrap()
    }

    fn record(url: &str) -> PageRecord {
        let mut record = PageRecord {
            url: url.into(),
            title: Some(EVIL.into()),
            main_text: format!("Call us {EVIL}"),
            ..Default::default()
        };
        record.contacts.push(Contact {
            kind: ContactKind::Phone,
            e164: Some(format!("+1412{EVIL}")),
            display: Some(format!("(412) 555-0147{EVIL}")),
            address: None,
            valid: Some(false),
            purposes: vec![Purpose::Appointments],
            section: Section::Main,
            evidence: format!("To make an appointment, call {EVIL}"),
        });
        record.contacts.push(Contact {
            kind: ContactKind::Email,
            e164: None,
            display: None,
            address: Some(format!("a@b.org{EVIL}")),
            valid: None,
            purposes: vec![],
            section: Section::Footer,
            evidence: String::new(),
        });
        record.offerings.products = vec!["kymriah".into(), format!("x{EVIL}")];
        record.offerings.populations = vec!["adult".into()];
        record.offerings.conditions = vec![cartwatch_model::Condition {
            id: format!("lymphoma{EVIL}"),
            investigational: true,
        }];
        record.dates.reviewed = Some(EVIL.into());
        record
    }

    fn hostile_report() -> String {
        let url = EVIL_URL;
        let first = SnapshotView::new(
            manifest("2026-10-01T06:00:00Z", url, true),
            [("evil", &record(url))],
        );
        let second = SnapshotView::new(
            manifest("2026-11-01T06:00:00Z", url, true),
            [("evil", &record(url))],
        );
        let change = Change {
            kind: ChangeKind::ContactNumberChanged,
            summary: format!("appointments number changed {EVIL}"),
            before: Some(EVIL.into()),
            after: Some(EVIL.into()),
            evidence: Some(EVIL.into()),
            url: url.into(),
            fact: "contact:appointments".into(),
        };
        let diff = DiffReport {
            from: first.manifest.id.clone(),
            to: second.manifest.id.clone(),
            centers: vec![CenterDiff {
                center: "evil".into(),
                name: EVIL.into(),
                status: CenterStatus::Changed,
                changes: vec![change],
                text_diff: vec![PageTextDiff {
                    url: url.into(),
                    hunks: vec![TextHunk {
                        spans: vec![
                            TextSpan {
                                op: TextOp::Equal,
                                text: EVIL.into(),
                            },
                            TextSpan {
                                op: TextOp::Delete,
                                text: "</script><script>alert(1)</script>".into(),
                            },
                            TextSpan {
                                op: TextOp::Insert,
                                text: "<svg onload=alert(1)>".into(),
                            },
                        ],
                    }],
                }],
            }],
        };
        let matrix = crate::compare(&second);
        let audit = AuditReport {
            snapshot: second.manifest.id.clone(),
            previous: Some(first.manifest.id.clone()),
            findings: vec![Finding {
                kind: FindingKind::InvalidNumber,
                severity: Severity::Error,
                center: format!("evil{EVIL}"),
                url: url.into(),
                numbers: vec![EVIL.into()],
                evidence: EVIL.into(),
                summary: EVIL.into(),
                action: EVIL.into(),
                claim: None,
            }],
        };
        let history = [first, second];
        render_html(&ReportInput {
            title: "cartwatch report",
            generated_at: "2026-11-23T06:00:00Z",
            history: &history,
            diffs: std::slice::from_ref(&diff),
            matrix: &matrix,
            audit: &audit,
        })
    }

    /// Every start tag of the document as (name, [(attribute, value)]).
    /// Text is escaped, so every `<` followed by a letter opens a real tag.
    fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
        let mut out = Vec::new();
        let mut rest = html;
        while let Some(start) = rest.find('<') {
            rest = &rest[start + 1..];
            if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
                continue;
            }
            let end = rest.find('>').expect("tag closes");
            let tag = &rest[..end];
            let name_end = tag.find(|c: char| c.is_whitespace()).unwrap_or(tag.len());
            let mut attrs = Vec::new();
            let mut body = tag[name_end..].trim();
            while !body.is_empty() {
                let eq = body
                    .find(|c: char| c == '=' || c.is_whitespace())
                    .unwrap_or(body.len());
                let name = body[..eq].to_ascii_lowercase();
                body = &body[eq..];
                if let Some(after) = body.strip_prefix("=\"") {
                    let close = after.find('"').expect("attribute quoted");
                    attrs.push((name, after[..close].to_string()));
                    body = after[close + 1..].trim_start();
                } else {
                    attrs.push((name, String::new()));
                    body = body.trim_start();
                }
            }
            out.push((tag[..name_end].to_ascii_lowercase(), attrs));
        }
        out
    }

    #[test]
    fn scraped_markup_is_inert_text() {
        let html = hostile_report();
        let allowed = [
            "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "h4",
            "p", "main", "nav", "a", "div", "label", "select", "option", "input", "span", "table",
            "thead", "tbody", "tr", "th", "td", "button", "em", "section", "ul", "ol", "li",
            "details", "summary", "del", "ins", "br", "code", "footer", "script",
        ];
        for (name, attrs) in tags(&html) {
            assert!(
                allowed.contains(&name.as_str()),
                "unexpected <{name}> in the report"
            );
            for (attr, value) in attrs {
                assert!(!attr.starts_with("on"), "<{name} {attr}=...> leaked");
                assert!(attr != "src" && attr != "style", "<{name} {attr}=...>");
                if attr == "href" {
                    assert!(
                        value.starts_with('#')
                            || value.starts_with("http://")
                            || value.starts_with("https://"),
                        "<{name} href={value:?}>"
                    );
                }
                assert!(!value.contains('<') && !value.contains('"'), "{value:?}");
            }
        }
        // Our one script and nothing else.
        assert_eq!(html.matches("<script").count(), 1, "{html}");
        assert_eq!(html.matches("</script").count(), 1);
        // The hostile text is shown, escaped.
        assert!(html.contains("&lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt;"));
        assert!(html.contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
        // The refused link is shown as text, not as a link.
        assert!(html.contains("<span class=\"badlink\">javascript:alert(document.domain)</span>"));
    }

    #[test]
    fn the_csp_meta_tag_comes_first_and_allows_only_our_script_and_style() {
        let html = hostile_report();
        let head_start = html.find("<head>").unwrap() + "<head>\n".len();
        assert!(html[head_start..].starts_with("<meta http-equiv=\"Content-Security-Policy\""));
        let policy_start = html.find("content=\"").unwrap() + "content=\"".len();
        let policy = &html[policy_start..policy_start + html[policy_start..].find('"').unwrap()];
        let policy = policy.replace("&#39;", "'");
        assert!(policy.starts_with("default-src 'none';"), "{policy}");
        // The hashes are of the exact bodies in the document.
        let script_body =
            &html[html.find("<script>").unwrap() + 8..html.find("</script>").unwrap()];
        let style_body = &html[html.find("<style>").unwrap() + 7..html.find("</style>").unwrap()];
        assert!(
            policy.contains(&format!("script-src {};", html::csp_hash(script_body))),
            "{policy}"
        );
        assert!(
            policy.contains(&format!("style-src {};", html::csp_hash(style_body))),
            "{policy}"
        );
        assert!(!policy.contains("unsafe"), "{policy}");
        // No style attributes (the CSP would block them) and no external loads.
        assert!(!html.contains(" style=\""));
        assert!(!html.contains("<link"));
    }

    #[test]
    fn quiet_stretches_of_the_timeline_collapse() {
        let url = "https://a.example/";
        let views: Vec<SnapshotView> = (1..=5)
            .map(|n| {
                SnapshotView::new(
                    manifest(&format!("2026-0{n}-01T06:00:00Z"), url, true),
                    [("evil", &record(url))],
                )
            })
            .collect();
        let diffs: Vec<DiffReport> = views
            .windows(2)
            .map(|pair| crate::diff(&pair[0], &pair[1], &crate::DiffOptions::default()))
            .collect();
        assert!(diffs.iter().all(|d| !d.has_changes()));
        let matrix = crate::compare(&views[4]);
        let audit = crate::audit(&views[4], Some(&views[3]), &crate::AuditOptions::default());
        let html = render_html(&ReportInput {
            title: "t",
            generated_at: "now",
            history: &views,
            diffs: &diffs,
            matrix: &matrix,
            audit: &audit,
        });
        assert_eq!(html.matches("<li class=\"quiet\">").count(), 1, "{html}");
        assert!(html.contains("no changes in 4 snapshots since 2026-01-01T06:00:00Z"));
    }

    #[test]
    fn rendering_is_deterministic() {
        assert_eq!(hostile_report(), hostile_report());
    }

    #[test]
    fn matrix_rows_carry_filter_tokens() {
        let html = hostile_report();
        let row = html.find("<tr data-center=\"evil\"").expect("a matrix row");
        let tag = &html[row..row + html[row..].find('>').unwrap()];
        assert!(tag.contains("data-product=\"kymriah x__"), "{tag}");
        assert!(tag.contains("data-population=\"adult\""), "{tag}");
        assert!(html.contains("<option value=\"kymriah\">kymriah</option>"));
    }

    #[test]
    fn a_maintenance_page_does_not_replace_the_last_good_contacts() {
        let url = "https://example.org/car-t";
        let good = SnapshotView::new(
            manifest("2026-10-01T06:00:00Z", url, true),
            [("evil", &record(url))],
        );
        let notice = PageRecord {
            url: url.into(),
            title: Some("Page not found".into()),
            main_text: "Sorry, this page is under maintenance.".into(),
            ..Default::default()
        };
        let down = SnapshotView::new(
            manifest("2026-11-01T06:00:00Z", url, true),
            [("evil", &notice)],
        );
        let history = [good, down];
        let records = newest_records(&history, "evil", history[1].manifest.center("evil"));
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].1, "2026-10-01T06:00:00Z");
        assert_eq!(records[0].2.contacts.len(), 2);

        let mut html = String::new();
        let input_matrix = crate::compare(&history[1]);
        let audit = AuditReport {
            snapshot: history[1].manifest.id.clone(),
            previous: None,
            findings: vec![],
        };
        let input = ReportInput {
            title: "t",
            generated_at: "2026-11-02T00:00:00Z",
            history: &history,
            diffs: &[],
            matrix: &input_matrix,
            audit: &audit,
        };
        render_pages(
            &mut html,
            &input,
            history[1].manifest.center("evil"),
            "evil",
        );
        assert!(
            html.contains("answered, but looks like an error or maintenance page"),
            "{html}"
        );
    }
}
