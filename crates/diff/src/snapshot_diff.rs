//! The diff between two snapshots: centers, pages, status and records,
//! with the history walks (unreachable since, last good record) and settling.

use crate::change::{CenterDiff, CenterStatus, Change, ChangeKind, DiffOptions, DiffReport};
use crate::record_diff::record_changes;
use crate::suspect::{content_suspect, Suspicion};
use crate::SnapshotView;
use cartwatch_model::{CenterSnapshot, PageRecord, PageSnapshot, SnapshotManifest};
use std::collections::{BTreeMap, HashMap};

/// What a diff can consult beyond its two snapshots.
#[derive(Default)]
struct Context<'a> {
    /// Every manifest, oldest first (may be empty).
    manifests: &'a [SnapshotManifest],
    /// Last good record of pages that failed or looked suspect in FROM:
    /// (center, url) -> (snapshot id, record).
    baselines: BTreeMap<(String, String), (String, PageRecord)>,
    /// Pages of FROM whose record was judged against their last good record
    /// (those with an error cue or much smaller than TO's): the verdict.
    /// Other pages of FROM are judged by their error cues alone.
    from_verdicts: BTreeMap<(String, String), Option<Suspicion>>,
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

    // Pages fetched in TO that failed in FROM, or whose FROM record may be an
    // error page or a collapsed shell: find their last good record, walking
    // back from FROM (the snapshots are loaded only for these pages).
    let mut walks: Vec<(String, String, bool)> = Vec::new();
    if from_pos.is_some() {
        let (from_view, to_view) = (&cache[from], &cache[to]);
        for center in &to_view.manifest.centers {
            for page in &center.pages {
                if !page_ok(to_view, &center.id, page) {
                    continue;
                }
                let Some(old) = find_page(from_view, &center.id, &page.url) else {
                    if not_captured(from_view, &center.id, &page.url) {
                        // Compare across the gap with the last capture.
                        walks.push((center.id.clone(), page.url.clone(), false));
                    }
                    continue;
                };
                if !page_ok(from_view, &center.id, old) {
                    walks.push((center.id.clone(), page.url.clone(), false));
                    continue;
                }
                let old_record = from_view.record(&center.id, &page.url).expect("page_ok");
                let new_record = to_view.record(&center.id, &page.url).expect("page_ok");
                if content_suspect(old_record, None).is_some()
                    || content_suspect(old_record, Some(new_record)).is_some()
                {
                    walks.push((center.id.clone(), page.url.clone(), true));
                }
            }
        }
    }
    let mut baselines = BTreeMap::new();
    let mut from_verdicts = BTreeMap::new();
    if let Some(p) = from_pos {
        for (center, url, fetched) in walks {
            let mut found: Option<(String, PageRecord)> = None;
            for manifest in history[..p].iter().rev() {
                let has = manifest.center(&center).is_some_and(|c| {
                    c.pages
                        .iter()
                        .any(|q| q.url == url && q.outcome.has_content() && q.has_record)
                });
                if !has {
                    continue;
                }
                get(&manifest.id, &mut cache)?;
                let Some(record) = cache[&manifest.id].record(&center, &url) else {
                    continue;
                };
                let new_record = cache[to].record(&center, &url).expect("page_ok");
                if content_suspect(record, None).is_none()
                    && content_suspect(record, Some(new_record)).is_none()
                {
                    found = Some((manifest.id.clone(), record.clone()));
                    break;
                }
            }
            let key = (center.clone(), url.clone());
            if fetched {
                let old_record = cache[from].record(&center, &url).expect("page_ok");
                let verdict = content_suspect(old_record, found.as_ref().map(|(_, r)| r));
                if verdict.is_none() {
                    from_verdicts.insert(key, None);
                    continue;
                }
                from_verdicts.insert(key.clone(), verdict);
            }
            if let Some(base) = found {
                baselines.insert(key, base);
            }
        }
    }
    for id in before_ids.iter().chain(after_ids.iter()) {
        get(id, &mut cache)?;
    }

    let mut ctx = Context {
        manifests: history,
        baselines,
        from_verdicts,
        ..Context::default()
    };
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

/// True when `view` is an archive snapshot without this configured page
/// (the archive had no capture of it in the snapshot's period).
fn not_captured(view: &SnapshotView, center: &str, url: &str) -> bool {
    view.manifest.source.is_archive() && find_page(view, center, url).is_none()
}

/// A page present in TO that the archive did not capture for FROM: a note,
/// then the page compared with its last good capture before FROM (when
/// there is one and TO's page has content that does not look like an error
/// page; otherwise the note alone, or TO's failure).
fn across_gap(
    from: &SnapshotView,
    to: &SnapshotView,
    center: &str,
    tp: &PageSnapshot,
    ctx: &Context<'_>,
    options: &DiffOptions,
) -> (Vec<Change>, Option<crate::PageTextDiff>) {
    let url = tp.url.clone();
    let last = ctx.baselines.get(&(center.to_string(), url.clone()));
    let compared = match last {
        Some((id, _)) => format!("compared with its capture in {id}"),
        None => "no earlier capture to compare with".to_string(),
    };
    let mut changes = vec![Change {
        kind: ChangeKind::PageNotCaptured,
        summary: format!(
            "page not captured by the archive for {}; {compared}",
            from.manifest.id
        ),
        before: None,
        after: None,
        evidence: None,
        url: url.clone(),
        fact: "status".into(),
    }];
    if !page_ok(to, center, tp) {
        changes.push(Change {
            kind: ChangeKind::PageUnreachable,
            summary: format!("page unreachable in {} ({})", to.manifest.id, failure(tp)),
            before: None,
            after: Some(tp.outcome.label()),
            evidence: None,
            url,
            fact: "status".into(),
        });
        return (changes, None);
    }
    let to_record = to.record(center, &url).expect("page_ok checked the record");
    let Some((_, old)) = last else {
        return (changes, None);
    };
    if let Some(suspicion) = content_suspect(to_record, Some(old)) {
        let mut change = Change {
            kind: ChangeKind::PageContentSuspect,
            summary: format!(
                "page looks like an error or maintenance page ({}); not compared",
                suspicion.describe()
            ),
            before: Some("ok".into()),
            after: Some("suspect".into()),
            evidence: None,
            url,
            fact: "status".into(),
        };
        change.evidence = suspect_evidence(to_record);
        changes.push(change);
        return (changes, None);
    }
    let page = record_changes(
        center,
        &url,
        old,
        to_record,
        &options.ignore,
        options.context_words,
    );
    changes.extend(page.changes);
    (changes, page.text_diff)
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
                kind: ChangeKind::CenterNoLongerWatched,
                summary: format!(
                    "no longer watched (not in the config; its stored snapshots are kept): {}",
                    fc.name
                ),
                before: Some(fc.name.clone()),
                after: None,
                evidence: None,
                url: fc.pages.first().map(|p| p.url.clone()).unwrap_or_default(),
                fact: "center".into(),
            });
            CenterStatus::NoLongerWatched
        }
        (Some(fc), Some(tc)) => {
            for tp in &tc.pages {
                match fc.pages.iter().find(|p| p.url == tp.url) {
                    None if from.manifest.source.is_archive() => {
                        let (page_changes, diff) = across_gap(from, to, &tc.id, tp, ctx, options);
                        changes.extend(page_changes);
                        text_diff.extend(diff);
                    }
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
                if !tc.pages.iter().any(|p| p.url == fp.url) && to.manifest.source.is_archive() {
                    changes.push(Change {
                        kind: ChangeKind::PageNotCaptured,
                        summary: format!(
                            "page not captured by the archive for {}; not compared",
                            to.manifest.id
                        ),
                        before: None,
                        after: None,
                        evidence: None,
                        url: fp.url.clone(),
                        fact: "status".into(),
                    });
                } else if !tc.pages.iter().any(|p| p.url == fp.url) {
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
    let key = (center.to_string(), url.clone());
    // FROM answered, but with an error page or a collapsed shell?
    let from_suspect = if from_ok {
        match ctx.from_verdicts.get(&key) {
            Some(verdict) => verdict.clone(),
            None => content_suspect(from.record(center, &url).expect("page_ok"), None),
        }
    } else {
        None
    };
    let from_good = from_ok && from_suspect.is_none();
    let last_good = ctx.baselines.get(&key).map(|(id, r)| (id.as_str(), r));
    let reference: Option<(&str, &PageRecord)> = if from_good {
        from.record(center, &url)
            .map(|r| (from.manifest.id.as_str(), r))
    } else {
        last_good
    };
    if let Some(suspicion) = content_suspect(to_record, reference.map(|(_, r)| r)) {
        let (kind, summary) = if from_suspect.is_some() {
            (
                ChangeKind::PageStillSuspect,
                format!(
                    "page still looks like an error or maintenance page ({}); not compared",
                    suspicion.describe()
                ),
            )
        } else if from_ok {
            (
                ChangeKind::PageContentSuspect,
                format!(
                    "page looks like an error or maintenance page ({}); not compared",
                    suspicion.describe()
                ),
            )
        } else {
            (
                ChangeKind::PageContentSuspect,
                format!(
                    "page answers again ({} before), but looks like an error or maintenance page ({}); not compared",
                    fp.outcome.label(),
                    suspicion.describe()
                ),
            )
        };
        let before = if from_good {
            "ok".to_string()
        } else if from_ok {
            "suspect".to_string()
        } else {
            fp.outcome.label()
        };
        let mut change = status_change(kind, summary, Some(before), Some("suspect".into()));
        change.evidence = suspect_evidence(to_record);
        return (vec![change], None);
    }
    let mut changes = Vec::new();
    let baseline: Option<(&str, &PageRecord)> = if from_good {
        reference
    } else if let Some(suspicion) = &from_suspect {
        let compared = match last_good {
            Some((id, _)) => format!("compared with its last good record, from {id}"),
            None => "no earlier record to compare with".to_string(),
        };
        changes.push(status_change(
            ChangeKind::PageRecovered,
            format!(
                "page recovered (looked like an error or maintenance page in {}: {}); {compared}",
                from.manifest.id,
                suspicion.describe()
            ),
            Some("suspect".into()),
            Some("ok".into()),
        ));
        last_good
    } else {
        let since = unreachable_since(ctx, &from.manifest.id, center, &url)
            .unwrap_or_else(|| from.manifest.id.clone());
        let compared = match last_good {
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
        last_good
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

/// The first words of a suspect page, shown as its evidence: its title,
/// then up to 30 words of its text.
fn suspect_evidence(record: &PageRecord) -> Option<String> {
    let words: Vec<&str> = record.main_text.split_whitespace().take(31).collect();
    let mut text = words[..words.len().min(30)].join(" ");
    if words.len() > 30 {
        text.push_str(" …");
    }
    let title = record.title.as_deref().unwrap_or("").trim();
    let evidence = match (title.is_empty(), text.is_empty()) {
        (true, true) => return None,
        (false, true) => title.to_string(),
        (true, false) => text,
        (false, false) => format!("{title}: {text}"),
    };
    Some(evidence)
}

/// A page's state in one snapshot, judged against its record in another.
#[derive(PartialEq, Eq)]
enum PageState {
    Failed,
    Suspect,
    Good,
}

fn page_state(
    view: &SnapshotView,
    other: &SnapshotView,
    center: &str,
    page: &PageSnapshot,
    other_page: &PageSnapshot,
) -> PageState {
    let Some(record) = view
        .record(center, &page.url)
        .filter(|_| page_ok(view, center, page))
    else {
        return PageState::Failed;
    };
    let reference = other
        .record(center, &other_page.url)
        .filter(|_| page_ok(other, center, other_page));
    if content_suspect(record, reference).is_some() {
        PageState::Suspect
    } else {
        PageState::Good
    }
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
    let state_a = page_state(a, b, center, pa, pb);
    let state_b = page_state(b, a, center, pb, pa);
    match change.fact.as_str() {
        "status" => Some(state_a == state_b),
        _ if !(state_a == PageState::Good && state_b == PageState::Good) => None,
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
