//! The comparison matrix as an HTML table.

use super::{centers::phone, html};
use crate::{Cell, Matrix};
use std::collections::BTreeSet;
use std::fmt::Write as _;

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

pub(super) fn render_matrix(out: &mut String, matrix: &Matrix) {
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
