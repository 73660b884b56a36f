//! CSV renderers (RFC 4180): the matrix, one row per center, and the audit,
//! one row per finding. Lists are joined with `; `; an unknown fact reads
//! `unknown`, an unstated one `not stated`, never `no`. Cells that a
//! spreadsheet would run as a formula are prefixed with `'`.

use crate::compare::Cell;
use crate::{AuditReport, Matrix};

/// One CSV field, quoted when needed and defused against formula injection.
pub fn field(value: &str) -> String {
    let value = &*crate::clean(value);
    let defused = match value.chars().next() {
        Some('=') | Some('@') | Some('\t') | Some('\r') => format!("'{value}"),
        Some('+') | Some('-')
            if !value
                .chars()
                .nth(1)
                .is_some_and(|c| c.is_ascii_digit() || c == '(' || c == ' ') =>
        {
            format!("'{value}")
        }
        _ => value.to_string(),
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

fn line(fields: &[String]) -> String {
    let mut out = fields
        .iter()
        .map(|f| field(f))
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    out
}

fn cell_text<T>(cell: &Cell<T>, show: impl Fn(&T) -> String) -> String {
    match cell {
        Cell::Stated(value) => show(value),
        Cell::NotStated => "not stated".into(),
        Cell::Unknown => "unknown".into(),
    }
}

fn yes(cell: &Cell<bool>) -> String {
    match cell {
        Cell::Stated(true) => "yes".into(),
        Cell::Unknown => "unknown".into(),
        _ => "not stated".into(),
    }
}

/// The matrix as CSV, one row per center.
pub fn matrix(matrix: &Matrix) -> String {
    let mut header: Vec<String> = [
        "center",
        "name",
        "pages_ok",
        "pages_total",
        "products",
        "all_fda_approved",
        "clinical_trials",
        "manufacturing_on_site",
        "conditions",
        "populations",
        "age_max",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let purposes: Vec<String> = cartwatch_model::Purpose::ALL
        .iter()
        .map(|p| p.as_str().to_string())
        .collect();
    header.extend(purposes.iter().map(|p| format!("phone_{p}")));
    header.push("last_reviewed".into());
    let mut out = line(&header);
    for row in &matrix.rows {
        let mut fields = vec![
            row.center.clone(),
            row.name.clone(),
            row.pages_ok.to_string(),
            row.pages_total.to_string(),
            cell_text(&row.products, |p| p.join("; ")),
            yes(&row.all_fda_approved),
            yes(&row.clinical_trials),
            yes(&row.manufacturing_on_site),
            cell_text(&row.conditions, |cs| {
                cs.iter()
                    .map(|c| {
                        if c.investigational {
                            format!("{} (trials)", c.id)
                        } else {
                            c.id.clone()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            }),
            cell_text(&row.populations, |p| p.join("; ")),
            cell_text(&row.age_max, |a| a.to_string()),
        ];
        for purpose in &purposes {
            fields.push(match row.phones.get(purpose) {
                Some(cell) => cell_text(cell, |n| n.join("; ")),
                None => "unknown".into(),
            });
        }
        fields.push(cell_text(&row.last_reviewed, String::clone));
        out.push_str(&line(&fields));
    }
    out
}

/// The audit as CSV, one row per finding.
pub fn audit(report: &AuditReport) -> String {
    let header: Vec<String> = [
        "severity", "kind", "center", "url", "numbers", "summary", "evidence", "action",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut out = line(&header);
    for f in &report.findings {
        out.push_str(&line(&[
            f.severity.as_str().to_string(),
            f.kind.as_str().to_string(),
            f.center.clone(),
            f.url.clone(),
            f.numbers.join("; "),
            f.summary.clone(),
            f.evidence.clone(),
            f.action.clone(),
        ]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_are_quoted_and_defused() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(field("+12168443951"), "+12168443951");
        assert_eq!(field("+cmd"), "'+cmd");
    }
}
