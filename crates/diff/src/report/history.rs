//! The report's per-center history of facts: for each fact the center's
//! pages stated, when it was first and last seen and when it stopped, with
//! the evidence, computed by [`crate::history`] (gaps are not changes).

use super::html;
use crate::history::center_history_with;
use crate::SnapshotView;
use cartwatch_model::CenterSnapshot;
use std::collections::HashMap;
use std::fmt::Write as _;

/// Each snapshot's centers by id, built once per report so that a center's
/// history looks its entries up instead of scanning every center.
pub(super) struct ViewIndex<'a> {
    centers: Vec<HashMap<&'a str, &'a CenterSnapshot>>,
}

impl<'a> ViewIndex<'a> {
    pub(super) fn new(history: &'a [SnapshotView]) -> Self {
        let centers = history
            .iter()
            .map(|v| {
                v.manifest
                    .centers
                    .iter()
                    .map(|c| (c.id.as_str(), c))
                    .collect()
            })
            .collect();
        ViewIndex { centers }
    }
}

/// Writes the "History of facts" block of one center.
pub(super) fn render(out: &mut String, history: &[SnapshotView], index: &ViewIndex<'_>, id: &str) {
    out.push_str("<h4>History of facts</h4>\n");
    let views: Vec<&SnapshotView> = history.iter().collect();
    let position: HashMap<&str, usize> = history
        .iter()
        .enumerate()
        .map(|(i, v)| (v.manifest.id.as_str(), i))
        .collect();
    let facts = center_history_with(&views, id, &[], |view| {
        let i = *position.get(view.manifest.id.as_str())?;
        index.centers.get(i)?.get(id).copied()
    });
    if facts.facts.is_empty() {
        out.push_str("<p class=\"note\">No facts stated in any snapshot.</p>\n");
        return;
    }
    out.push_str(
        "<table class=\"history\"><thead><tr><th>Fact</th><th>Stated</th><th>First seen</th>\
         <th>Last seen</th><th>Until</th><th>Evidence</th></tr></thead><tbody>\n",
    );
    for fact in &facts.facts {
        for span in &fact.spans {
            let until = match &span.ended {
                Some(end) => format!("not stated from {}", html::text(&end.at)),
                None => "still stated".to_string(),
            };
            let gaps = match span.gaps {
                0 => String::new(),
                n => format!(" <span class=\"muted\">({n} gap(s), not changes)</span>"),
            };
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}{gaps}</td><td>{until}</td><td>{}</td></tr>",
                html::text(&fact.fact),
                html::text(&span.value),
                html::text(&span.first_seen.at),
                html::text(&span.last_seen.at),
                html::text(span.evidence.as_deref().unwrap_or("")),
            );
        }
    }
    out.push_str("</tbody></table>\n");
    if !facts.gaps.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"note\">{} snapshot(s) where a page said nothing (not captured, unreachable or an error page): gaps, not changes.</p>",
            facts.gaps.len()
        );
    }
}
