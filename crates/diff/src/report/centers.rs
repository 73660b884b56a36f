//! Per-center sections of the report: pages, timeline with text diffs, and
//! current contacts with their evidence.

use super::{html, ReportInput};
use crate::{CenterDiff, DiffReport, SnapshotView, TextOp};
use cartwatch_model::{CenterSnapshot, ContactKind, PageRecord};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

/// The newest record of each page of a center within the history, with the
/// id of the snapshot it comes from. A record that looks like an error or
/// maintenance page next to the one before it is skipped: the page keeps its
/// last good record. `latest` is the center's entry in the newest snapshot,
/// whose page order the result follows. Each snapshot's records are read by
/// a range over the center's key, so the cost does not grow with the number
/// of other centers.
pub(super) fn newest_records<'a>(
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
    /// Each snapshot's centers by id, for the history of facts.
    history: super::history::ViewIndex<'a>,
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
        CenterIndex {
            latest,
            diffs,
            history: super::history::ViewIndex::new(input.history),
        }
    }
}

pub(super) fn render_centers(out: &mut String, input: &ReportInput<'_>) {
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
    super::history::render(out, input.history, &index.history, id);
    out.push_str("<h4>Current contacts</h4>\n");
    render_contacts(out, input, latest, id);
    out.push_str("</section>\n");
}

pub(super) fn render_pages(
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
pub(super) fn phone(display: &str) -> String {
    let class = if display.chars().count() <= 24 {
        "phone nowrap"
    } else {
        "phone"
    };
    format!("<span class=\"{class}\">{}</span>", html::text(display))
}
