//! `cartwatch import-captures PATH`: store a capture folder, or a WARC file
//! (ours or another tool's), as a snapshot without fetching.

use crate::common::{ConfigArg, StoreArg, VocabularyArg};
use crate::pipeline::{seen_at, store_snapshot};
use anyhow::{bail, Context, Result};
use cartwatch_fetcher::scan_capture_dir_with;
use cartwatch_model::{Capture, Config, SnapshotSource};
use cartwatch_store::warc::{captures_from_records_with, read_warc_file_for};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Flags of `cartwatch import-captures`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    config: ConfigArg,
    #[command(flatten)]
    store: StoreArg,
    #[command(flatten)]
    vocabulary: VocabularyArg,
    /// A capture folder (`<center>/<n>.json` + bodies) or a WARC file
    /// (`.warc` or `.warc.gz`, WARC 1.0/1.1 `response` records).
    #[arg(value_name = "DIR_OR_WARC")]
    path: PathBuf,
}

/// Reads the captures, normalizes them with the config's selectors and the
/// vocabulary, and stores one snapshot.
pub fn run(args: Args) -> Result<ExitCode> {
    let config = args.config.load_watch_list()?;
    let vocabulary = args.vocabulary.load()?;
    let source = SnapshotSource::Captures {
        dir: args.path.display().to_string(),
    };
    let manifest = if args.path.is_dir() {
        // Bodies are read one at a time, as each page is stored.
        let set = scan_capture_dir_with(&args.path, config.fetch.max_body_bytes)?;
        let pages = configured(&config, &args.path, &set.pages, |p| &p.capture)?;
        let taken_at = seen_at(
            set.taken_at.as_deref(),
            pages.iter().map(|p| p.capture.fetched_at.as_str()),
            &args.path,
        )?;
        let store = args.store.open_for_writing()?;
        let captures = pages.iter().map(|p| Ok(p.load()?));
        store_snapshot(&config, &store, &vocabulary, captures, source, taken_at)?
    } else if args.path.is_file() {
        let captures = warc_captures(&config, &args.path)?;
        let captures = configured(&config, &args.path, &captures, |c| c)?;
        let taken_at = seen_at(
            None,
            captures.iter().map(|c| c.fetched_at.as_str()),
            &args.path,
        )?;
        let store = args.store.open_for_writing()?;
        let captures = captures.into_iter().map(Ok);
        store_snapshot(&config, &store, &vocabulary, captures, source, taken_at)?
    } else {
        bail!(
            "{} is neither a capture folder nor a WARC file",
            args.path.display()
        );
    };
    crate::common::print_clean(&crate::commands::snapshot::summary(&manifest))?;
    Ok(ExitCode::SUCCESS)
}

/// The captures of a WARC file; a page without our center id is matched to
/// the configured center that lists its URL.
fn warc_captures(config: &Config, path: &Path) -> Result<Vec<Capture>> {
    // Only the configured pages (and where they redirect) are read, each
    // body within max_body_bytes, streaming the file.
    let wanted = config
        .centers
        .iter()
        .flat_map(|c| c.pages.iter().cloned())
        .collect();
    let max_body_bytes = config.fetch.max_body_bytes;
    let records = read_warc_file_for(path, max_body_bytes, &wanted)?;
    let mut out = Vec::new();
    for found in captures_from_records_with(&records, max_body_bytes)? {
        let mut capture = found.capture;
        if found.center.is_none() {
            match config
                .centers
                .iter()
                .find(|c| c.pages.contains(&capture.url))
            {
                Some(center) => capture.center = center.id.clone(),
                None => {
                    tracing::warn!(url = %capture.url, file = %path.display(), "WARC response for a URL no configured center lists; skipped");
                    continue;
                }
            }
        }
        out.push(capture);
    }
    if out.is_empty() {
        bail!(
            "{} has no response records for the configured pages (check --config)",
            path.display()
        );
    }
    Ok(out)
}

/// The configured pages, in config order; a configured page the source lacks
/// is an error naming the center and URL, and pages outside the config are
/// skipped with a warning (as `snapshot --from` does).
fn configured<T: Clone>(
    config: &Config,
    path: &Path,
    captures: &[T],
    capture_of: impl Fn(&T) -> &Capture,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    for center in &config.centers {
        for url in &center.pages {
            let capture = captures
                .iter()
                .rev()
                .find(|c| capture_of(c).center == center.id && &capture_of(c).url == url)
                .with_context(|| {
                    format!(
                        "{} has no capture for center {:?} at {url} (add it, or remove the page from the config)",
                        path.display(),
                        center.id
                    )
                })?;
            out.push(capture.clone());
        }
    }
    for c in captures.iter().map(&capture_of) {
        if config
            .center(&c.center)
            .is_none_or(|center| !center.pages.contains(&c.url))
        {
            tracing::warn!(center = %c.center, url = %c.url, "capture not in the config; skipped");
        }
    }
    Ok(out)
}
