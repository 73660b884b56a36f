//! Terminal renderers: the diff and the audit (optionally with ANSI colours;
//! the caller decides, e.g. only on a terminal and without `NO_COLOR`), and
//! the matrix as an aligned table.

use crate::change::{CenterDiff, CenterStatus, ChangeKind, PageTextDiff, TextOp};
use crate::{AuditReport, DiffReport, Matrix, Severity};

const RESET: &str = "\x1b[0m";
const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const MAGENTA: &str = "\x1b[35m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";

/// Beyond this many unchanged centers, the text and Markdown diffs give
/// their number instead of their ids.
pub(crate) const QUIET_LIST_MAX: usize = 20;

struct Paint {
    on: bool,
}

impl Paint {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("{code}{text}{RESET}")
        } else {
            text.to_string()
        }
    }
}

/// `+` for additions, `-` for removals, `~` for changes, `!` for page status.
pub(crate) fn sign(kind: ChangeKind) -> char {
    use ChangeKind::*;
    match kind {
        PageUnreachable | PageStillUnreachable | PageRecovered | PageContentSuspect
        | PageStillSuspect | PageRedirected | PageNotCaptured => '!',
        ContactAdded | ProductAdded | AllApprovedAdded | ConditionAdded | PopulationAdded
        | TrialAdded | ManufacturingAdded | StageAdded | SideEffectAdded | PageAdded
        | CenterAdded => '+',
        ContactRemoved | ProductRemoved | AllApprovedRemoved | ConditionRemoved
        | PopulationRemoved | TrialRemoved | ManufacturingRemoved | StageRemoved
        | SideEffectRemoved | PageRemoved => '-',
        CenterNoLongerWatched => '!',
        _ => '~',
    }
}

fn sign_color(sign: char) -> &'static str {
    match sign {
        '+' => GREEN,
        '-' => RED,
        '!' => MAGENTA,
        _ => YELLOW,
    }
}

/// The diff as text: a summary line, then each center with changes, its
/// changes grouped by page with evidence, and the word diffs.
pub fn diff(report: &DiffReport, color: bool) -> String {
    let p = Paint { on: color };
    let mut out = format!("cartwatch diff {} → {}\n", report.from, report.to);
    let count = |s: CenterStatus| report.centers.iter().filter(|c| c.status == s).count();
    out.push_str(&format!(
        "{} changes; centers: {} changed, {} unreachable, {} added, {} no longer watched, {} unchanged\n",
        report.change_count(),
        count(CenterStatus::Changed),
        count(CenterStatus::Unreachable),
        count(CenterStatus::Added),
        count(CenterStatus::NoLongerWatched),
        count(CenterStatus::Unchanged),
    ));
    for center in report.centers.iter().filter(|c| !c.changes.is_empty()) {
        out.push('\n');
        center_text(&mut out, center, &p);
    }
    let quiet: Vec<&str> = report
        .centers
        .iter()
        .filter(|c| c.changes.is_empty())
        .map(|c| c.center.as_str())
        .collect();
    if quiet.len() > QUIET_LIST_MAX {
        out.push_str(&format!("\nunchanged: {} centers\n", quiet.len()));
    } else if !quiet.is_empty() {
        out.push_str(&format!("\nunchanged: {}\n", quiet.join(", ")));
    }
    out
}

fn center_text(out: &mut String, center: &CenterDiff, p: &Paint) {
    let title = if center.name.is_empty() || center.name == center.center {
        center.center.clone()
    } else {
        format!("{} ({})", center.center, center.name)
    };
    out.push_str(&format!(
        "{}: {}\n",
        p.paint(BOLD, &title),
        center.status.as_str()
    ));
    let mut urls: Vec<&str> = Vec::new();
    for change in &center.changes {
        if !urls.contains(&change.url.as_str()) {
            urls.push(&change.url);
        }
    }
    for url in urls {
        out.push_str(&format!("  {}\n", p.paint(DIM, url)));
        for change in center.changes.iter().filter(|c| c.url == url) {
            let s = sign(change.kind);
            out.push_str(&format!(
                "    {} {}\n",
                p.paint(sign_color(s), &s.to_string()),
                change.summary
            ));
            if let Some(evidence) = &change.evidence {
                out.push_str(&format!(
                    "        {}\n",
                    p.paint(DIM, &format!("“{evidence}”"))
                ));
            }
        }
        for diff in center.text_diff.iter().filter(|d| d.url == url) {
            text_diff(out, diff, p);
        }
    }
}

fn text_diff(out: &mut String, diff: &PageTextDiff, p: &Paint) {
    out.push_str("    text:\n");
    for hunk in &diff.hunks {
        let mut line = String::from("      … ");
        for span in &hunk.spans {
            match span.op {
                TextOp::Equal => line.push_str(&span.text),
                TextOp::Delete => line.push_str(&p.paint(RED, &format!("[-{}-]", span.text))),
                TextOp::Insert => line.push_str(&p.paint(GREEN, &format!("{{+{}+}}", span.text))),
            }
            line.push(' ');
        }
        line.push_str("…\n");
        out.push_str(&line);
    }
}

/// The matrix as an aligned text table, one block of lines per center.
pub fn matrix(matrix: &Matrix) -> String {
    let mut out = format!("snapshot {} ({})\n\n", matrix.snapshot, matrix.created_at);
    let rows: Vec<Vec<Vec<String>>> = matrix.rows.iter().map(|r| r.cells()).collect();
    let columns = crate::compare::COLUMNS;
    let widths: Vec<usize> = (0..columns.len())
        .map(|i| {
            rows.iter()
                .flat_map(|r| r[i].iter())
                .map(|s| s.chars().count())
                .chain(std::iter::once(columns[i].chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let render_line = |cells: &[&str]| -> String {
        let mut line = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}", w = *w))
            .collect::<Vec<_>>()
            .join(" │ ");
        line.truncate(line.trim_end().len());
        line.push('\n');
        line
    };
    out.push_str(&render_line(&columns));
    let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
    out.push_str(&rule.join("─┼─"));
    out.push('\n');
    for row in &rows {
        let height = row.iter().map(Vec::len).max().unwrap_or(1);
        for i in 0..height {
            let cells: Vec<&str> = row
                .iter()
                .map(|c| c.get(i).map(String::as_str).unwrap_or(""))
                .collect();
            out.push_str(&render_line(&cells));
        }
        out.push_str(&rule.join("─┼─"));
        out.push('\n');
    }
    out
}

/// The audit as text: a summary line, then each finding with its numbers,
/// evidence, page and suggested action.
pub fn audit(report: &AuditReport, color: bool) -> String {
    let p = Paint { on: color };
    let count = |s: Severity| report.findings.iter().filter(|f| f.severity == s).count();
    let mut out = format!("cartwatch audit of {}", report.snapshot);
    if let Some(previous) = &report.previous {
        out.push_str(&format!(" (numbers compared with {previous})"));
    }
    out.push_str(&format!(
        "\n{}, {}, {} info\n",
        crate::counted(count(Severity::Error), "error", "errors"),
        crate::counted(count(Severity::Warning), "warning", "warnings"),
        count(Severity::Info)
    ));
    for f in &report.findings {
        let (label, code) = match f.severity {
            Severity::Error => ("ERROR  ", RED),
            Severity::Warning => ("WARNING", YELLOW),
            Severity::Info => ("INFO   ", DIM),
        };
        out.push_str(&format!(
            "\n{} {} {}: {}\n",
            p.paint(code, label),
            p.paint(BOLD, &f.center),
            f.kind.as_str(),
            f.summary
        ));
        if !f.numbers.is_empty() {
            out.push_str(&format!("        numbers:  {}\n", f.numbers.join(", ")));
        }
        if !f.evidence.is_empty() {
            out.push_str(&format!("        evidence: “{}”\n", f.evidence));
        }
        out.push_str(&format!("        page:     {}\n", f.url));
        out.push_str(&format!("        action:   {}\n", f.action));
    }
    out
}
