//! The HTML renderer of the matrix: one self-contained page (inline style, no
//! scripts, no external resources) with every page-derived text escaped.

use crate::Matrix;

/// Escapes text for HTML content and attribute values (the report's
/// escaping: `& < > " '` become entities, control characters are dropped).
pub fn escape(text: &str) -> String {
    crate::report::html::text(text)
}

/// The matrix as a self-contained HTML page.
pub fn matrix(matrix: &Matrix) -> String {
    let mut out = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
    );
    out.push_str(&format!(
        "<title>CAR T centers compared: {}</title>\n",
        escape(&matrix.snapshot)
    ));
    out.push_str(
        "<style>\nbody{font-family:system-ui,sans-serif;margin:1.5rem;color:#1b1b1b}\n\
         table{border-collapse:collapse;width:100%}\nth,td{border:1px solid #bbb;padding:.4rem .5rem;vertical-align:top;text-align:left}\n\
         th{background:#eef2f5;position:sticky;top:0}\n.unknown{color:#8a5a00;font-style:italic}\n\
         .not-stated{color:#666;font-style:italic}\nul{margin:0;padding-left:1rem}\n</style>\n</head>\n<body>\n",
    );
    out.push_str(&format!(
        "<h1>CAR T-cell therapy centers compared</h1>\n<p>Snapshot <code>{}</code>, taken {}. \
         <span class=\"not-stated\">not stated</span>: the pages were read and do not say; \
         <span class=\"unknown\">unknown</span>: a page failed to fetch.</p>\n<table>\n<thead><tr>",
        escape(&matrix.snapshot),
        escape(&matrix.created_at)
    ));
    for column in crate::compare::COLUMNS {
        out.push_str(&format!("<th scope=\"col\">{}</th>", escape(column)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &matrix.rows {
        out.push_str("<tr>");
        for (i, lines) in row.cells().iter().enumerate() {
            let tag = if i == 0 { "th scope=\"row\"" } else { "td" };
            let close = if i == 0 { "th" } else { "td" };
            let items: Vec<String> = lines
                .iter()
                .map(|l| {
                    let class = if l.starts_with("unknown") || l.ends_with("unknown") {
                        " class=\"unknown\""
                    } else if l.contains("not stated") {
                        " class=\"not-stated\""
                    } else {
                        ""
                    };
                    format!("<li{class}>{}</li>", escape(l))
                })
                .collect();
            out.push_str(&format!("<{tag}><ul>{}</ul></{close}>", items.join("")));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</body>\n</html>\n");
    out
}
