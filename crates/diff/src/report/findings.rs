//! The closing sections of the report: the audit findings and the list of
//! snapshots covered.

use super::{centers::phone, html, ReportInput};
use crate::AuditReport;
use std::fmt::Write as _;

pub(super) fn render_snapshots(out: &mut String, input: &ReportInput<'_>) {
    out.push_str("<h2 id=\"snapshots\">Snapshots</h2>\n");
    out.push_str("<table class=\"snapshots\"><thead><tr><th>Snapshot</th><th>Pages fetched</th><th>Failed</th><th>Source</th></tr></thead><tbody>\n");
    for view in input.history {
        let m = &view.manifest;
        let source = match &m.source {
            cartwatch_model::SnapshotSource::Http => "live fetch".to_string(),
            cartwatch_model::SnapshotSource::Captures { dir } => format!("captures {dir}"),
            other => other.describe(),
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

pub(super) fn render_findings(out: &mut String, audit: &AuditReport) {
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
