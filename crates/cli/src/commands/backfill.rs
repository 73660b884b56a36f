//! `cartwatch backfill`: years of the configured pages from the Internet
//! Archive, imported as snapshots dated at their capture times.
//!
//! For each configured page (of the `--center`s given, else all), the
//! archive's captures between `--since` and `--until` are listed (CDX), one
//! per `--every` period is kept (the period's latest), and the periods are
//! imported oldest first: all pages captured in one period form one snapshot,
//! taken at the latest capture time among them (each page keeps its own
//! capture time as `fetched_at`). A page with no capture in a period is
//! absent from that snapshot: "not captured", never "removed".
//!
//! Never twice: a capture already imported (same center, page and
//! timestamp, read from the stored archive snapshots) is skipped, so a rerun
//! or a killed run continues where it stopped; a capture whose CDX digest the
//! store already holds for that page is not downloaded again, its stored body
//! is reused. A snapshot is stored whole or not at all, so a kill loses at
//! most the period being imported.

use crate::common::{ConfigArg, StoreArg, VocabularyArg};
use crate::pipeline::store_snapshot;
use anyhow::{bail, Context, Result};
use cartwatch_fetcher::archive::{
    one_per_period, timestamp_time, Archive, ArchiveError, ArchiveOptions, CdxCapture, Every,
};
use cartwatch_model::{ArchiveCapture, Capture, Config, FetchOutcome, SnapshotSource};
use cartwatch_normalizer::Vocabulary;
use cartwatch_store::{parse_time, Store};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::process::ExitCode;
use std::time::Duration;

/// Flags of `cartwatch backfill`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    config: ConfigArg,
    #[command(flatten)]
    store: StoreArg,
    #[command(flatten)]
    vocabulary: VocabularyArg,
    /// Only this center (repeat for several) [default: every configured center].
    #[arg(long = "center", value_name = "ID")]
    centers: Vec<String>,
    /// Captures from this date on (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Captures up to this date, inclusive (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    until: Option<String>,
    /// Keep at most one capture per page per period: day, week or month.
    #[arg(long, value_name = "PERIOD", default_value = "month")]
    every: String,
    /// The Wayback server.
    #[arg(long, value_name = "BASE", default_value = cartwatch_fetcher::archive::DEFAULT_BASE, env = "CARTWATCH_ARCHIVE_URL")]
    archive_url: String,
    /// Milliseconds between two requests to the archive (be polite: the
    /// Internet Archive asks for slow, sequential clients).
    #[arg(long, value_name = "MS", default_value_t = 2500)]
    delay_ms: u64,
    /// Stop after this many 429 Too Many Requests answers in a row.
    #[arg(long, value_name = "N", default_value_t = cartwatch_fetcher::archive::DEFAULT_MAX_429)]
    max_429: u32,
}

/// What the stored archive snapshots already hold.
#[derive(Default)]
struct Known {
    /// (center, url, CDX timestamp) of every imported capture.
    imported: HashSet<(String, String, String)>,
    /// (url, CDX digest) → (snapshot id, center) holding that content.
    bodies: HashMap<(String, String), (String, String)>,
}

impl Known {
    fn read(store: &Store) -> Result<Known> {
        let mut known = Known::default();
        for manifest in store.list()? {
            known.add(&manifest);
        }
        Ok(known)
    }

    fn add(&mut self, manifest: &cartwatch_model::SnapshotManifest) {
        let SnapshotSource::Archive { captures, .. } = &manifest.source else {
            return;
        };
        for c in captures {
            self.imported
                .insert((c.center.clone(), c.url.clone(), c.timestamp.clone()));
            let stored = manifest.center(&c.center).is_some_and(|center| {
                center.pages.iter().any(|p| {
                    p.url == c.url && p.outcome == FetchOutcome::Ok && p.body_sha256.is_some()
                })
            });
            if stored {
                self.bodies
                    .entry((c.url.clone(), c.digest.clone()))
                    .or_insert_with(|| (manifest.id.clone(), c.center.clone()));
            }
        }
    }
}

/// One capture chosen for import.
struct Planned {
    center: String,
    url: String,
    row: CdxCapture,
}

/// Counts for the closing line.
#[derive(Default)]
struct Tally {
    snapshots: usize,
    fetched: usize,
    reused: usize,
    already: usize,
    failed: usize,
    listing_failed: usize,
}

/// Lists, selects and imports; see the module docs.
pub fn run(args: Args) -> Result<ExitCode> {
    let config = args.config.load_watch_list()?;
    let vocabulary = args.vocabulary.load()?;
    let every = Every::parse(&args.every).with_context(|| {
        format!(
            "--every {:?} is not a period; use day, week or month",
            args.every
        )
    })?;
    let since = date_arg("--since", args.since.as_deref())?;
    let until = date_arg("--until", args.until.as_deref())?;
    if let (Some(s), Some(u)) = (&since, &until) {
        if s > u {
            bail!("--since {s} is after --until {u}; swap them");
        }
    }
    for id in &args.centers {
        if config.center(id).is_none() {
            let known: Vec<&str> = config.centers.iter().map(|c| c.id.as_str()).collect();
            bail!(
                "no center {id:?} in {} (it has: {})",
                args.config.config.display(),
                known.join(", ")
            );
        }
    }
    let options = ArchiveOptions {
        base: args.archive_url.clone(),
        delay: Duration::from_millis(args.delay_ms),
        max_429: args.max_429,
    };
    let mut archive = Archive::new(&config.fetch, &options)?;
    let store = args.store.open_for_writing()?;
    let mut known = Known::read(&store)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;

    let mut tally = Tally::default();
    let mut periods: BTreeMap<String, Vec<Planned>> = BTreeMap::new();
    let wanted = |id: &str| args.centers.is_empty() || args.centers.iter().any(|c| c == id);
    for center in config.centers.iter().filter(|c| wanted(&c.id)) {
        for url in &center.pages {
            eprintln!("listing the archive's captures of {} ({url})", center.id);
            let rows = match runtime.block_on(archive.list(url, since.as_deref(), until.as_deref()))
            {
                Ok(rows) => rows,
                Err(error @ ArchiveError::RateLimited { .. }) => return Err(error.into()),
                Err(error) => {
                    eprintln!("warning: {error}; this page is skipped this time");
                    tally.listing_failed += 1;
                    continue;
                }
            };
            let in_range = |row: &CdxCapture| {
                let day = row.timestamp.get(..8).unwrap_or_default();
                since.as_deref().is_none_or(|s| day >= s)
                    && until.as_deref().is_none_or(|u| day <= u)
            };
            let rows: Vec<CdxCapture> = rows.into_iter().filter(in_range).collect();
            for row in one_per_period(rows, every) {
                let key = (center.id.clone(), url.clone(), row.timestamp.clone());
                if known.imported.contains(&key) {
                    tally.already += 1;
                    continue;
                }
                let period = every.period(&row.timestamp).unwrap_or_default();
                periods.entry(period).or_default().push(Planned {
                    center: center.id.clone(),
                    url: url.clone(),
                    row,
                });
            }
        }
    }

    for (period, planned) in periods {
        let result = import_period(
            &config,
            &store,
            &vocabulary,
            &runtime,
            &mut archive,
            &mut known,
            &mut tally,
            &period,
            planned,
        );
        if let Err(error) = result {
            print_tally(&tally);
            return Err(error);
        }
    }
    print_tally(&tally);
    let incomplete = tally.failed + tally.listing_failed > 0;
    Ok(if incomplete {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Imports one period's captures as one snapshot.
#[allow(clippy::too_many_arguments)]
fn import_period(
    config: &Config,
    store: &Store,
    vocabulary: &Vocabulary,
    runtime: &tokio::runtime::Runtime,
    archive: &mut Archive,
    known: &mut Known,
    tally: &mut Tally,
    period: &str,
    planned: Vec<Planned>,
) -> Result<()> {
    let mut captures: Vec<Capture> = Vec::new();
    let mut refs: Vec<ArchiveCapture> = Vec::new();
    let (mut fetched, mut reused) = (0, 0);
    for item in planned {
        let reference = ArchiveCapture {
            center: item.center.clone(),
            url: item.url.clone(),
            timestamp: item.row.timestamp.clone(),
            digest: item.row.digest.clone(),
            replay_url: archive.replay_url(&item.row),
        };
        let content_key = (item.url.clone(), item.row.digest.clone());
        let reuse = match known.bodies.get(&content_key) {
            Some((id, center)) => stored_capture(store, id, center, &item)?,
            None => None,
        };
        let capture = match reuse {
            Some(capture) => {
                reused += 1;
                capture
            }
            None => {
                let capture =
                    runtime.block_on(archive.replay(&item.center, &item.url, &item.row))?;
                if is_transient(&capture.outcome) {
                    eprintln!(
                        "warning: {} {} capture {}: {}; not imported, the next run tries again",
                        item.center,
                        item.url,
                        item.row.timestamp,
                        capture.error.as_deref().unwrap_or("failed")
                    );
                    tally.failed += 1;
                    continue;
                }
                fetched += 1;
                capture
            }
        };
        captures.push(capture);
        refs.push(reference);
    }
    if captures.is_empty() {
        return Ok(());
    }
    let taken_at = captures
        .iter()
        .filter_map(|c| parse_time(&c.fetched_at))
        .max()
        .or_else(|| {
            refs.iter()
                .filter_map(|r| timestamp_time(&r.timestamp))
                .max()
        })
        .unwrap_or_else(time::OffsetDateTime::now_utc);
    let pages = captures.len();
    let failed = captures.iter().filter(|c| !c.outcome.has_content()).count();
    let source = SnapshotSource::Archive {
        base: archive.base(),
        captures: refs,
    };
    let captures = captures.into_iter().map(Ok);
    let manifest = store_snapshot(config, store, vocabulary, captures, source, taken_at)?;
    known.add(&manifest);
    tally.snapshots += 1;
    tally.fetched += fetched;
    tally.reused += reused;
    println!(
        "{period}: snapshot {}: {pages} page(s) ({fetched} downloaded, {reused} already stored{})",
        manifest.id,
        if failed > 0 {
            format!(", {failed} archived as an error or redirect")
        } else {
            String::new()
        }
    );
    Ok(())
}

/// A capture whose content the store holds: its stored body, as an `ok`
/// page dated at the capture time. `None` when the body is gone (pruned).
fn stored_capture(
    store: &Store,
    id: &str,
    center: &str,
    item: &Planned,
) -> Result<Option<Capture>> {
    let manifest = store.manifest(id)?;
    let Some(page) = manifest
        .center(center)
        .and_then(|c| c.pages.iter().find(|p| p.url == item.url))
    else {
        return Ok(None);
    };
    let Some(body) = store.page_body(id, center, &item.url)? else {
        return Ok(None);
    };
    Ok(Some(Capture {
        center: item.center.clone(),
        url: item.url.clone(),
        final_url: page.final_url.clone(),
        redirects: Vec::new(),
        status: page.status,
        content_type: page.content_type.clone(),
        etag: None,
        last_modified: None,
        fetched_at: cartwatch_fetcher::archive::timestamp_rfc3339(&item.row.timestamp)
            .unwrap_or_default(),
        outcome: FetchOutcome::Ok,
        error: None,
        attempts: 0,
        rendered_by: Default::default(),
        body: Some(body),
    }))
}

/// Failures of the archive rather than of the capture: tried again next run.
fn is_transient(outcome: &FetchOutcome) -> bool {
    match outcome {
        FetchOutcome::HttpError { status } => *status == 429 || *status >= 500,
        FetchOutcome::Timeout
        | FetchOutcome::Dns
        | FetchOutcome::Connect
        | FetchOutcome::Tls
        | FetchOutcome::BlockedPrivateAddress => true,
        _ => false,
    }
}

/// `--since`/`--until` as a CDX `YYYYMMDD`.
fn date_arg(flag: &str, value: Option<&str>) -> Result<Option<String>> {
    let Some(value) = value else {
        return Ok(None);
    };
    let at = parse_time(value)
        .with_context(|| format!("{flag} {value:?} is not a date; write it like 2019-03-05"))?;
    let date = at.date();
    Ok(Some(format!(
        "{:04}{:02}{:02}",
        date.year(),
        date.month() as u8,
        date.day()
    )))
}

fn print_tally(tally: &Tally) {
    println!(
        "backfill: {} snapshot(s) stored; {} capture(s) downloaded, {} already stored (not downloaded again), {} already imported (skipped), {} failed (tried again next run){}",
        tally.snapshots,
        tally.fetched,
        tally.reused,
        tally.already,
        tally.failed,
        if tally.listing_failed > 0 {
            format!(", {} page(s) could not be listed", tally.listing_failed)
        } else {
            String::new()
        }
    );
}
