//! Markdown renderers, for an issue or an email. Page-derived text is
//! escaped so it cannot break the document's structure.

use crate::change::{CenterStatus, TextOp};
use crate::{AuditReport, DiffReport, Matrix};

/// Escapes Markdown and HTML metacharacters in page-derived text.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' | '>' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// The diff as Markdown: a heading, a summary, a section per changed center.
pub fn diff(report: &DiffReport) -> String {
    let mut out = format!(
        "# cartwatch: changes from `{}` to `{}`\n\n",
        report.from, report.to
    );
    let count = |s: CenterStatus| report.centers.iter().filter(|c| c.status == s).count();
    out.push_str(&format!(
        "**{} changes.** Centers: {} changed, {} unreachable, {} added, {} no longer watched, {} unchanged.\n",
        report.change_count(),
        count(CenterStatus::Changed),
        count(CenterStatus::Unreachable),
        count(CenterStatus::Added),
        count(CenterStatus::NoLongerWatched),
        count(CenterStatus::Unchanged),
    ));
    for center in report.centers.iter().filter(|c| !c.changes.is_empty()) {
        let title = if center.name.is_empty() {
            escape(&center.center)
        } else {
            format!("{} ({})", escape(&center.name), escape(&center.center))
        };
        out.push_str(&format!("\n## {title}: {}\n", center.status.as_str()));
        let mut urls: Vec<&str> = Vec::new();
        for change in &center.changes {
            if !urls.contains(&change.url.as_str()) {
                urls.push(&change.url);
            }
        }
        for url in urls {
            out.push_str(&format!("\n<{}>\n\n", url.replace('>', "%3E")));
            for change in center.changes.iter().filter(|c| c.url == url) {
                out.push_str(&format!(
                    "- **{}** `{}`\n",
                    escape(&change.summary),
                    change.kind.as_str()
                ));
                if let Some(evidence) = &change.evidence {
                    out.push_str(&format!("  > {}\n", escape(evidence)));
                }
            }
            for diff in center.text_diff.iter().filter(|d| d.url == url) {
                out.push_str("\nText changes:\n\n");
                for hunk in &diff.hunks {
                    let words: Vec<String> = hunk
                        .spans
                        .iter()
                        .map(|s| match s.op {
                            TextOp::Equal => escape(&s.text),
                            TextOp::Delete => format!("~~{}~~", escape(&s.text)),
                            TextOp::Insert => format!("**{}**", escape(&s.text)),
                        })
                        .collect();
                    out.push_str(&format!("- … {} …\n", words.join(" ")));
                }
            }
        }
    }
    let quiet: Vec<String> = report
        .centers
        .iter()
        .filter(|c| c.changes.is_empty())
        .map(|c| format!("`{}`", c.center))
        .collect();
    if quiet.len() > crate::text::QUIET_LIST_MAX {
        out.push_str(&format!("\nUnchanged: {} centers.\n", quiet.len()));
    } else if !quiet.is_empty() {
        out.push_str(&format!("\nUnchanged: {}.\n", quiet.join(", ")));
    }
    out
}

/// The matrix as a Markdown table; multi-line cells use `<br>`.
pub fn matrix(matrix: &Matrix) -> String {
    let columns = crate::compare::COLUMNS;
    let mut out = format!(
        "# Centers compared: snapshot `{}`\n\n| {} |\n|{}\n",
        matrix.snapshot,
        columns.join(" | "),
        "---|".repeat(columns.len())
    );
    for row in &matrix.rows {
        let cells: Vec<String> = row
            .cells()
            .iter()
            .map(|lines| {
                lines
                    .iter()
                    .map(|l| escape(l))
                    .collect::<Vec<_>>()
                    .join("<br>")
            })
            .collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out.push_str("\n\"not stated\": the pages were read and do not say; \"unknown\": a page failed to fetch.\n");
    out
}

/// The audit as a Markdown table, most severe first within each center.
pub fn audit(report: &AuditReport) -> String {
    let mut out = format!("# Contact audit: snapshot `{}`\n\n", report.snapshot);
    if report.findings.is_empty() {
        out.push_str("No findings.\n");
        return out;
    }
    out.push_str("| Severity | Center | Finding | Numbers | Evidence | Action |\n|---|---|---|---|---|---|\n");
    for f in &report.findings {
        out.push_str(&format!(
            "| {} | {} | {} (`{}`)<br><{}> | {} | {} | {} |\n",
            f.severity.as_str(),
            escape(&f.center),
            escape(&f.summary),
            f.kind.as_str(),
            f.url.replace('>', "%3E"),
            escape(&f.numbers.join(", ")),
            escape(&f.evidence),
            escape(&f.action),
        ));
    }
    out
}
