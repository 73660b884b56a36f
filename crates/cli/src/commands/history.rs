//! `cartwatch history CENTER_ID`: when each fact of a center was stated,
//! across every stored snapshot (live ones and those `backfill` imported).

use crate::common::StoreArg;
use anyhow::{bail, Result};
use cartwatch_diff::history::{center_history, render_csv, render_json, render_text, FACT_KINDS};
use cartwatch_diff::SnapshotView;
use cartwatch_store::Store;
use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

/// Flags of `cartwatch history`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The center id (as in the config).
    #[arg(value_name = "CENTER_ID")]
    center: String,
    #[command(flatten)]
    store: StoreArg,
    /// Only this kind of fact (repeat for several) [default: all].
    #[arg(long = "fact", value_name = "KIND", value_parser = FACT_KINDS)]
    facts: Vec<String>,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "json", "csv"])]
    format: String,
}

/// Prints the center's history; exit 0, or 2 on error.
pub fn run(args: Args) -> Result<ExitCode> {
    let store = super::diff::open_existing(&args.store)?;
    let manifests = store.list()?;
    if manifests.is_empty() {
        bail!(
            "the store at {} has no snapshots; take one with `cartwatch snapshot` or import the archive's with `cartwatch backfill`",
            args.store.store.display()
        );
    }
    if !manifests.iter().any(|m| m.center(&args.center).is_some()) {
        let newest = manifests.last().expect("not empty");
        let known: Vec<&str> = newest.centers.iter().map(|c| c.id.as_str()).collect();
        bail!(
            "no snapshot in {} has a center {:?}; the newest has: {}",
            args.store.store.display(),
            args.center,
            known.join(", ")
        );
    }
    let views = center_views(&store, manifests, &args.center)?;
    let refs: Vec<&SnapshotView> = views.iter().collect();
    let history = center_history(&refs, &args.center, &args.facts);
    let text = match args.format.as_str() {
        "json" => render_json(&history),
        "csv" => render_csv(&history),
        _ => render_text(&history),
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Every snapshot's manifest with the records of this center only (the
/// other centers' records are not loaded).
pub fn center_views(
    store: &Store,
    manifests: Vec<cartwatch_model::SnapshotManifest>,
    center: &str,
) -> Result<Vec<SnapshotView>> {
    let mut views = Vec::with_capacity(manifests.len());
    for manifest in manifests {
        let mut records = BTreeMap::new();
        if let Some(c) = manifest.center(center) {
            for page in c.pages.iter().filter(|p| p.has_record) {
                if let Some(record) = store.record(&manifest.id, center, &page.url)? {
                    records.insert((center.to_string(), page.url.clone()), record);
                }
            }
        }
        views.push(SnapshotView { manifest, records });
    }
    Ok(views)
}
