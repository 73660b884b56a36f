//! `cartwatch snapshot`: fetch (or read captures), normalize, store.

use crate::common::{ConfigArg, StoreArg, VocabularyArg};
use crate::pipeline::{take_snapshot, PageSource};
use anyhow::Result;
use cartwatch_model::SnapshotManifest;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `cartwatch snapshot`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    config: ConfigArg,
    #[command(flatten)]
    store: StoreArg,
    #[command(flatten)]
    vocabulary: VocabularyArg,
    /// Read pages from this capture folder instead of fetching them.
    #[arg(long, value_name = "CAPTURE_DIR")]
    from: Option<PathBuf>,
}

/// Takes one snapshot; exit 0 when every page was fetched, 1 when the
/// snapshot was stored but some pages failed, 2 on error (nothing stored).
pub fn run(args: Args) -> Result<ExitCode> {
    let config = args.config.load_watch_list()?;
    let vocabulary = args.vocabulary.load()?;
    let store = args.store.open_for_writing()?;
    let source = match &args.from {
        Some(dir) => PageSource::Captures(dir),
        None => PageSource::Http,
    };
    let manifest = take_snapshot(&config, &store, &vocabulary, source)?;
    crate::common::print_clean(&summary(&manifest))?;
    Ok(if manifest.pages_failed() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The snapshot id, then one line per center: pages ok, failures by outcome.
pub fn summary(manifest: &SnapshotManifest) -> String {
    let mut out = format!(
        "snapshot {}: {} pages ok, {} failed\n",
        manifest.id,
        manifest.pages_ok(),
        manifest.pages_failed()
    );
    let width = manifest
        .centers
        .iter()
        .map(|c| c.id.len())
        .max()
        .unwrap_or(0);
    for center in &manifest.centers {
        let ok = center
            .pages
            .iter()
            .filter(|p| p.outcome.has_content())
            .count();
        let failures: Vec<String> = center
            .pages
            .iter()
            .filter(|p| !p.outcome.has_content())
            .map(|p| format!("{} {}", p.outcome.label(), p.url))
            .collect();
        out.push_str(&format!(
            "  {:width$}  {}/{} ok",
            center.id,
            ok,
            center.pages.len()
        ));
        if !failures.is_empty() {
            out.push_str(&format!("  failed: {}", failures.join(", ")));
        }
        out.push('\n');
    }
    out
}
