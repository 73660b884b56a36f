//! The snapshot pipeline shared by `snapshot`, `import-captures` and `run`:
//! captures in, records normalized, one whole snapshot stored.

use anyhow::{Context, Result};
use cartwatch_fetcher::{scan_capture_dir_with, FetchRequest, Fetcher, PendingCapture};
use cartwatch_model::{
    Capture, CenterSnapshot, Config, FetchOutcome, PageSnapshot, SnapshotManifest, SnapshotSource,
};
use cartwatch_normalizer::{normalize_in_country, PageInput, Vocabulary};
use cartwatch_store::{parse_time, Store};
use std::path::Path;

/// Where a snapshot's pages come from.
pub enum PageSource<'a> {
    /// Fetch live over HTTP.
    Http,
    /// Read a saved capture folder.
    Captures(&'a Path),
}

/// Gets every configured page from the source, normalizes and stores them as
/// one snapshot, and returns its manifest.
pub fn take_snapshot(
    config: &Config,
    store: &Store,
    vocabulary: &Vocabulary,
    source: PageSource<'_>,
) -> Result<SnapshotManifest> {
    match source {
        PageSource::Captures(dir) => {
            let (pages, declared) = captures_from_dir(config, dir)?;
            let taken_at = seen_at(
                declared.as_deref(),
                pages.iter().map(|p| p.capture.fetched_at.as_str()),
                dir,
            )?;
            let source = SnapshotSource::Captures {
                dir: dir.display().to_string(),
            };
            // One body in memory at a time: each is read when it is stored.
            let captures = pages.iter().map(|p| Ok(p.load()?));
            store_snapshot(config, store, vocabulary, captures, source, taken_at)
        }
        PageSource::Http => {
            let started = time::OffsetDateTime::now_utc();
            let (fetcher, requests) = live_requests(config, store)?;
            // Pages are stored as they arrive: the fetch runs on its own
            // thread and hands each capture over a small bounded channel.
            std::thread::scope(|scope| {
                let (sender, receiver) = std::sync::mpsc::sync_channel::<Result<Capture>>(1);
                scope.spawn(move || {
                    let runtime = match tokio::runtime::Builder::new_multi_thread()
                        .enable_all()
                        .build()
                    {
                        Ok(runtime) => runtime,
                        Err(e) => {
                            let _ =
                                sender
                                    .send(Err(anyhow::Error::new(e)
                                        .context("cannot start the async runtime")));
                            return;
                        }
                    };
                    runtime.block_on(fetcher.fetch_each(requests, |_, capture| {
                        // A closed channel means storing failed; its error is reported.
                        let _ = sender.send(Ok(capture));
                    }));
                });
                store_snapshot(
                    config,
                    store,
                    vocabulary,
                    receiver,
                    SnapshotSource::Http,
                    started,
                )
            })
        }
    }
}

/// When the pages of a capture folder or WARC file were seen: the set's
/// declared `taken_at` (capture.toml), else the latest `fetched_at` of its
/// pages (a WARC record's WARC-Date), else now. A declared time that does
/// not parse is an error naming the folder.
pub fn seen_at<'a>(
    declared: Option<&str>,
    fetched_at: impl Iterator<Item = &'a str>,
    origin: &Path,
) -> Result<time::OffsetDateTime> {
    if let Some(text) = declared {
        return parse_time(text).with_context(|| {
            format!(
                "{}: taken_at {text:?} in capture.toml is not an RFC 3339 time or a date (write it like 2026-10-01T06:00:00Z)",
                origin.display()
            )
        });
    }
    Ok(fetched_at
        .filter_map(parse_time)
        .max()
        .unwrap_or_else(time::OffsetDateTime::now_utc))
}

/// The configured pages of a capture folder, bodies not read yet. A
/// configured page the folder lacks is an error naming the center and URL.
fn captures_from_dir(config: &Config, dir: &Path) -> Result<(Vec<PendingCapture>, Option<String>)> {
    let set = scan_capture_dir_with(dir, config.fetch.max_body_bytes)?;
    let mut captures = Vec::new();
    for center in &config.centers {
        for url in &center.pages {
            let capture = set.find(&center.id, url).with_context(|| {
                format!(
                    "capture folder {} has no page for center {:?} at {url} (add {}/{}/<n>.json, or remove the page from the config)",
                    dir.display(),
                    center.id,
                    dir.display(),
                    center.id
                )
            })?;
            captures.push(capture.clone());
        }
    }
    for capture in set.pages.iter().map(|p| &p.capture) {
        if config
            .center(&capture.center)
            .is_none_or(|c| !c.pages.contains(&capture.url))
        {
            tracing::warn!(center = %capture.center, url = %capture.url, "capture not in the config; skipped");
        }
    }
    Ok((captures, set.taken_at))
}

/// The fetcher and one request per configured page, conditional where the
/// store has validators.
fn live_requests(config: &Config, store: &Store) -> Result<(Fetcher, Vec<FetchRequest>)> {
    let mut requests = Vec::new();
    for center in &config.centers {
        for url in &center.pages {
            let previous = store.previous_page(&center.id, url)?;
            let (etag, last_modified, content_type) = previous
                .map(|(_, page)| (page.etag, page.last_modified, page.content_type))
                .unwrap_or_default();
            requests.push(FetchRequest {
                center: center.id.clone(),
                url: url.clone(),
                etag,
                last_modified,
                content_type,
            });
        }
    }
    let private_hosts = config
        .centers
        .iter()
        .map(|c| (c.id.clone(), c.allow_private_hosts.clone()))
        .collect();
    // Centers that set their own `fetch` mode; the rest follow [fetch] browser.
    let modes = config
        .centers
        .iter()
        .filter_map(|c| c.fetch.map(|mode| (c.id.clone(), mode)))
        .collect();
    let fetcher =
        Fetcher::with_private_hosts(&config.fetch, &private_hosts)?.with_fetch_modes(modes)?;
    Ok((fetcher, requests))
}

/// Normalizes and stores captures of pages seen at `taken_at` as one
/// snapshot, one page at a time: each capture's body and record are written
/// to the snapshot's pack and dropped before the next capture is taken from
/// `captures`, so memory does not grow with the number of pages; the
/// snapshot is committed, whole, at the end. An error from `captures` (a
/// body that cannot be read) abandons the snapshot.
pub fn store_snapshot(
    config: &Config,
    store: &Store,
    vocabulary: &Vocabulary,
    captures: impl IntoIterator<Item = Result<Capture>>,
    source: SnapshotSource,
    taken_at: time::OffsetDateTime,
) -> Result<SnapshotManifest> {
    let mut writer = store.begin_snapshot_at(source, taken_at)?;
    let mut centers: Vec<CenterSnapshot> = config
        .centers
        .iter()
        .map(|c| CenterSnapshot {
            id: c.id.clone(),
            name: c.name.clone(),
            pages: Vec::new(),
        })
        .collect();
    for capture in captures {
        let capture = capture?;
        let center = config.center(&capture.center);
        let selectors = center.and_then(|c| c.selectors.as_ref());
        // Numbers without a country code are read in the center's country.
        let country = center.and_then(|c| c.country.as_deref());
        let normalize_body = |body: &[u8], content_type: Option<&str>| {
            normalize_in_country(
                &PageInput {
                    bytes: body,
                    url: &capture.url,
                    content_type,
                    selectors,
                },
                vocabulary,
                country,
            )
        };
        let mut reused_body_len = None;
        let (body_sha256, record) = match (&capture.outcome, &capture.body) {
            (FetchOutcome::Ok, Some(body)) => {
                let hash = writer.put_page_body(&capture.center, &capture.url, body)?;
                let record = normalize_body(body, capture.content_type.as_deref());
                (Some(hash), Some(record))
            }
            (FetchOutcome::NotModified, _) => {
                // Reuse the previous capture: same body, re-normalized so a
                // vocabulary change still shows.
                match store.previous_page(&capture.center, &capture.url)? {
                    Some((previous_id, page)) => {
                        // Verified against its hash; a damaged body is an
                        // error naming the snapshot and page.
                        let body = store.page_body(&previous_id, &capture.center, &capture.url)?;
                        let record = body
                            .as_deref()
                            .map(|body| normalize_body(body, page.content_type.as_deref()));
                        reused_body_len = page.body_len;
                        (page.body_sha256.clone(), record)
                    }
                    None => (None, None),
                }
            }
            (_, Some(body)) => (
                Some(writer.put_page_body(&capture.center, &capture.url, body)?),
                None,
            ),
            _ => (None, None),
        };
        if let Some(record) = &record {
            writer.put_record(&capture.center, &capture.url, record)?;
        }
        let mut page = PageSnapshot::from_capture(&capture, body_sha256, record.is_some());
        page.body_len = page.body_len.or(reused_body_len);
        if let Some(center) = centers.iter_mut().find(|c| c.id == capture.center) {
            center.pages.push(page);
        }
    }
    // Pages arrive in fetch-completion order; the manifest lists them in
    // config order.
    for center in &mut centers {
        if let Some(configured) = config.center(&center.id) {
            center.pages.sort_by_key(|p| {
                configured
                    .pages
                    .iter()
                    .position(|u| *u == p.url)
                    .unwrap_or(usize::MAX)
            });
        }
    }
    Ok(writer.commit(centers)?)
}
