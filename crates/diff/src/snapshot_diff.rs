//! The diff between two snapshots: centers, pages, status and records,
//! with the history walks (unreachable since, last good record) and settling.

use crate::change::{CenterDiff, CenterStatus, Change, ChangeKind, DiffOptions, DiffReport};
use crate::record_diff::record_changes;
use crate::SnapshotView;
use cartwatch_model::{CenterSnapshot, PageRecord, PageSnapshot, SnapshotManifest};
use std::collections::{BTreeMap, HashMap};

/// What a diff can consult beyond its two snapshots.
#[derive(Default)]
struct Context<'a> {
    /// Every manifest, oldest first (may be empty).
    manifests: &'a [SnapshotManifest],
    /// Last good record of pages that failed in FROM: (center, url) -> (snapshot id, record).
    baselines: BTreeMap<(String, String), (String, PageRecord)>,
    /// Up to `settle` snapshots just before FROM.
    before: Vec<&'a SnapshotView>,
    /// Up to `settle` snapshots just after TO.
    after: Vec<&'a SnapshotView>,
}

/// Diffs two loaded snapshots without their history: "unreachable since"
/// can only name FROM or TO, a recovered page has no earlier record to be
/// compared with, and `settle` has no neighbouring snapshots to look at. Use
/// [`diff_snapshots`] when a store is at hand.
pub fn diff(from: &SnapshotView, to: &SnapshotView, options: &DiffOptions) -> DiffReport {
    run(from, to, &Context::default(), options)
}

/// Diffs two stored snapshots by id, consulting their history.
///
/// `history` is every manifest in the store, oldest first (it must contain
/// `from` and `to`); `load` loads a snapshot's view by id. Besides FROM and
/// TO, the diff loads the snapshots holding the last good record of pages
/// that recover in TO and, with `options.settle = N`, up to N snapshots on
/// each side (see the crate docs, "Settling").
pub fn diff_snapshots<E>(
    from: &str,
    to: &str,
    history: &[SnapshotManifest],
    options: &DiffOptions,
    mut load: impl FnMut(&str) -> Result<SnapshotView, E>,
) -> Result<DiffReport, E> {
    let position = |id: &str| history.iter().position(|m| m.id == id);
    let mut cache: HashMap<String, SnapshotView> = HashMap::new();
    let mut get = |id: &str, cache: &mut HashMap<String, SnapshotView>| -> Result<(), E> {
        if !cache.contains_key(id) {
            cache.insert(id.to_string(), load(id)?);
        }
        Ok(())
    };
    get(from, &mut cache)?;
    get(to, &mut cache)?;

    let (from_pos, to_pos) = (position(from), position(to));
    let mut before_ids = Vec::new();
    let mut after_ids = Vec::new();
    if options.settle > 0 {
        if let Some(p) = from_pos {
            before_ids = history[p.saturating_sub(options.settle)..p]
                .iter()
                .map(|m| m.id.clone())
                .collect();
        }
        if let Some(p) = to_pos {
            let end = (p + options.settle).min(history.len().saturating_sub(1));
            after_ids = history[(p + 1).min(end + 1)..=end]
                .iter()
                .filter(|m| m.id != to)
                .map(|m| m.id.clone())
                .collect();
        }
    }

    // Pages failing in FROM and fetched in TO: find their last good snapshot.
    let mut wanted: Vec<(String, String, String)> = Vec::new();
    if let Some(p) = from_pos {
        let (from_view, to_view) = (&cache[from], &cache[to]);
        for center in &to_view.manifest.centers {
            for page in &center.pages {
                if !page_ok(to_view, &center.id, page) {
                    continue;
                }
                let Some(old) = from_view
                    .manifest
                    .center(&center.id)
                    .and_then(|c| c.pages.iter().find(|q| q.url == page.url))
                else {
                    continue;
                };
                if old.outcome.has_content() {
                    continue;
                }
                let good = history[..p].iter().rev().find(|m| {
                    m.center(&center.id).is_some_and(|c| {
                        c.pages
                            .iter()
                            .any(|q| q.url == page.url && q.outcome.has_content() && q.has_record)
                    })
                });
                if let Some(m) = good {
                    wanted.push((m.id.clone(), center.id.clone(), page.url.clone()));
                }
            }
        }
    }
    for id in before_ids
        .iter()
        .chain(after_ids.iter())
        .chain(wanted.iter().map(|w| &w.0))
    {
        get(id, &mut cache)?;
    }

    let mut ctx = Context {
        manifests: history,
        ..Context::default()
    };
    for (id, center, url) in wanted {
        if let Some(record) = cache[&id].record(&center, &url) {
            ctx.baselines
                .insert((center, url), (id.clone(), record.clone()));
        }
    }
    ctx.before = before_ids.iter().map(|id| &cache[id]).collect();
    ctx.after = after_ids.iter().map(|id| &cache[id]).collect();
    Ok(run(&cache[from], &cache[to], &ctx, options))
}

fn run(
    from: &SnapshotView,
    to: &SnapshotView,
    ctx: &Context<'_>,
    options: &DiffOptions,
) -> DiffReport {
    let wanted = |id: &str| options.center.as_deref().is_none_or(|c| c == id);
    let mut centers = Vec::new();
    for tc in to.manifest.centers.iter().filter(|c| wanted(&c.id)) {
        let fc = from.manifest.center(&tc.id);
        centers.push(center_diff(from, to, fc, Some(tc), ctx, options));
    }
    for fc in from.manifest.centers.iter().filter(|c| wanted(&c.id)) {
        if to.manifest.center(&fc.id).is_none() {
            centers.push(center_diff(from, to, Some(fc), None, ctx, options));
        }
    }
    DiffReport {
        from: from.manifest.id.clone(),
        to: to.manifest.id.clone(),
        centers,
    }
}

fn page_ok(view: &SnapshotView, center: &str, page: &PageSnapshot) -> bool {
    page.outcome.has_content() && view.record(center, &page.url).is_some()
}

fn find_page<'a>(view: &'a SnapshotView, center: &str, url: &str) -> Option<&'a PageSnapshot> {
    view.manifest
        .center(center)
        .and_then(|c| c.pages.iter().find(|p| p.url == url))
}

fn effective_url(page: &PageSnapshot) -> &str {
    page.final_url
        .as_deref()
        .unwrap_or(&page.url)
        .trim_end_matches('/')
}

/// The first snapshot of the failing run that ends at `at` (the page failed
/// in `at` and in every snapshot back to the returned one).
fn unreachable_since(ctx: &Context<'_>, at: &str, center: &str, url: &str) -> Option<String> {
    let end = ctx.manifests.iter().position(|m| m.id == at)?;
    let mut since = None;
    for manifest in ctx.manifests[..=end].iter().rev() {
        let page = manifest
            .center(center)
            .and_then(|c| c.pages.iter().find(|p| p.url == url));
        match page {
            Some(p) if !p.outcome.has_content() => since = Some(manifest.id.clone()),
            _ => break,
        }
    }
    since
}

fn failure(page: &PageSnapshot) -> String {
    match &page.error {
        Some(error) if !error.is_empty() => format!("{}: {error}", page.outcome.label()),
        _ if page.outcome.has_content() => "no record".to_string(),
        _ => page.outcome.label(),
    }
}

fn center_diff(
    from: &SnapshotView,
    to: &SnapshotView,
    fc: Option<&CenterSnapshot>,
    tc: Option<&CenterSnapshot>,
    ctx: &Context<'_>,
    options: &DiffOptions,
) -> CenterDiff {
    let mut changes = Vec::new();
    let mut text_diff = Vec::new();
    let status = match (fc, tc) {
        (None, Some(tc)) => {
            changes.push(Change {
                kind: ChangeKind::CenterAdded,
                summary: format!("center added to the config: {}", tc.name),
                before: None,
                after: Some(tc.name.clone()),
                evidence: None,
                url: tc.pages.first().map(|p| p.url.clone()).unwrap_or_default(),
                fact: "center".into(),
            });
            CenterStatus::Added
        }
        (Some(fc), None) => {
            changes.push(Change {
                kind: ChangeKind::CenterRemoved,
                summary: format!("center removed from the config: {}", fc.name),
                before: Some(fc.name.clone()),
                after: None,
                evidence: None,
                url: fc.pages.first().map(|p| p.url.clone()).unwrap_or_default(),
                fact: "center".into(),
            });
            CenterStatus::Removed
        }
        (Some(fc), Some(tc)) => {
            for tp in &tc.pages {
                match fc.pages.iter().find(|p| p.url == tp.url) {
                    None => changes.push(Change {
                        kind: ChangeKind::PageAdded,
                        summary: "page added to the config".into(),
                        before: None,
                        after: Some(tp.url.clone()),
                        evidence: None,
                        url: tp.url.clone(),
                        fact: "page".into(),
                    }),
                    Some(fp) => {
                        let (page_changes, diff) =
                            page_pair(from, to, &tc.id, fp, tp, ctx, options);
                        changes.extend(page_changes);
                        text_diff.extend(diff);
                    }
                }
            }
            for fp in &fc.pages {
                if !tc.pages.iter().any(|p| p.url == fp.url) {
                    changes.push(Change {
                        kind: ChangeKind::PageRemoved,
                        summary: "page removed from the config".into(),
                        before: Some(fp.url.clone()),
                        after: None,
                        evidence: None,
                        url: fp.url.clone(),
                        fact: "page".into(),
                    });
                }
            }
            CenterStatus::Unchanged
        }
        (None, None) => CenterStatus::Unchanged,
    };
    let center = tc.or(fc).expect("a center is on one side");

    if options.settle > 0 {
        changes.retain(|c| !settles(c, &center.id, from, to, ctx, options));
        text_diff.retain(|d| {
            changes
                .iter()
                .any(|c| c.kind == ChangeKind::TextChanged && c.url == d.url)
        });
    }

    let status = match status {
        CenterStatus::Unchanged => {
            let all_failed = tc.is_some_and(|tc| {
                !tc.pages.is_empty() && tc.pages.iter().all(|p| !page_ok(to, &tc.id, p))
            });
            if all_failed {
                CenterStatus::Unreachable
            } else if changes.iter().any(|c| c.kind.counts_as_change()) {
                CenterStatus::Changed
            } else {
                CenterStatus::Unchanged
            }
        }
        other => other,
    };
    CenterDiff {
        center: center.id.clone(),
        name: center.name.clone(),
        status,
        changes,
        text_diff,
    }
}

#[allow(clippy::too_many_arguments)]
fn page_pair(
    from: &SnapshotView,
    to: &SnapshotView,
    center: &str,
    fp: &PageSnapshot,
    tp: &PageSnapshot,
    ctx: &Context<'_>,
    options: &DiffOptions,
) -> (Vec<Change>, Option<crate::PageTextDiff>) {
    let url = tp.url.clone();
    let from_ok = page_ok(from, center, fp);
    let to_ok = page_ok(to, center, tp);
    let status_change = |kind, summary: String, before, after| Change {
        kind,
        summary,
        before,
        after,
        evidence: None,
        url: url.clone(),
        fact: "status".into(),
    };
    if !to_ok {
        let since = unreachable_since(ctx, &to.manifest.id, center, &url).unwrap_or_else(|| {
            if from_ok {
                to.manifest.id.clone()
            } else {
                from.manifest.id.clone()
            }
        });
        let change = if from_ok {
            status_change(
                ChangeKind::PageUnreachable,
                format!("page unreachable since {since} ({})", failure(tp)),
                Some("ok".into()),
                Some(tp.outcome.label()),
            )
        } else {
            status_change(
                ChangeKind::PageStillUnreachable,
                format!("page still unreachable since {since} ({})", failure(tp)),
                Some(fp.outcome.label()),
                Some(tp.outcome.label()),
            )
        };
        return (vec![change], None);
    }
    let to_record = to.record(center, &url).expect("page_ok checked the record");
    let mut changes = Vec::new();
    let baseline: Option<(&str, &PageRecord)> = if from_ok {
        from.record(center, &url)
            .map(|r| (from.manifest.id.as_str(), r))
    } else {
        let since = unreachable_since(ctx, &from.manifest.id, center, &url)
            .unwrap_or_else(|| from.manifest.id.clone());
        let base = ctx
            .baselines
            .get(&(center.to_string(), url.clone()))
            .map(|(id, r)| (id.as_str(), r));
        let compared = match base {
            Some((id, _)) => format!("compared with its last good record, from {id}"),
            None => "no earlier record to compare with".to_string(),
        };
        changes.push(status_change(
            ChangeKind::PageRecovered,
            format!(
                "page recovered (unreachable since {since}, {}); {compared}",
                fp.outcome.label()
            ),
            Some(fp.outcome.label()),
            Some("ok".into()),
        ));
        base
    };
    if from_ok && effective_url(fp) != effective_url(tp) {
        changes.push(Change {
            kind: ChangeKind::PageRedirected,
            summary: format!("page now ends at {}", effective_url(tp)),
            before: Some(effective_url(fp).to_string()),
            after: Some(effective_url(tp).to_string()),
            evidence: None,
            url: url.clone(),
            fact: "redirect".into(),
        });
    }
    let mut diff = None;
    if let Some((_, old)) = baseline {
        let page = record_changes(
            center,
            &url,
            old,
            to_record,
            &options.ignore,
            options.context_words,
        );
        changes.extend(page.changes);
        diff = page.text_diff;
    }
    (changes, diff)
}

/// Whether the fact of `change` is the same in two snapshots (`None` when
/// they cannot tell: the page failed in one of them, or is absent).
fn same_fact(
    a: &SnapshotView,
    b: &SnapshotView,
    center: &str,
    change: &Change,
    options: &DiffOptions,
) -> Option<bool> {
    let present = |v: &SnapshotView| v.manifest.center(center).is_some();
    match change.fact.as_str() {
        "center" => return Some(present(a) == present(b)),
        "page" => {
            return Some(
                find_page(a, center, &change.url).is_some()
                    == find_page(b, center, &change.url).is_some(),
            )
        }
        _ => {}
    }
    let pa = find_page(a, center, &change.url)?;
    let pb = find_page(b, center, &change.url)?;
    let (ok_a, ok_b) = (page_ok(a, center, pa), page_ok(b, center, pb));
    match change.fact.as_str() {
        "status" => Some(ok_a == ok_b),
        _ if !(ok_a && ok_b) => None,
        "redirect" => Some(effective_url(pa) == effective_url(pb)),
        fact => {
            let ra = a.record(center, &change.url)?;
            let rb = b.record(center, &change.url)?;
            let between = record_changes(center, &change.url, ra, rb, &options.ignore, 0);
            Some(!between.changes.iter().any(|c| c.fact == fact))
        }
    }
}

/// The settle rule (crate docs, "Settling").
fn settles(
    change: &Change,
    center: &str,
    from: &SnapshotView,
    to: &SnapshotView,
    ctx: &Context<'_>,
    options: &DiffOptions,
) -> bool {
    if !change.kind.counts_as_change() {
        return false;
    }
    let undoes_recent = ctx
        .before
        .iter()
        .any(|s| same_fact(s, to, center, change, options) == Some(true));
    let undone_soon = ctx
        .after
        .iter()
        .any(|s| same_fact(from, s, center, change, options) == Some(true));
    undoes_recent || undone_soon
}
