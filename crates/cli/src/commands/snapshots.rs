//! `cartwatch snapshots`: list stored snapshots, oldest first.

use crate::common::StoreArg;
use anyhow::Result;
use std::process::ExitCode;

/// Flags of `cartwatch snapshots`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    store: StoreArg,
    /// Print JSON lines instead of a table.
    #[arg(long)]
    json: bool,
}

/// Lists snapshots: id, created, centers, pages ok/failed, bytes new, source.
/// Reads only the index (no manifests, records or bodies), so it stays fast
/// however large the store grows.
pub fn run(args: Args) -> Result<ExitCode> {
    let store = args.store.open()?;
    let summaries = store.summaries()?;
    if args.json {
        for s in &summaries {
            println!("{}", serde_json::to_string(s)?);
        }
        return Ok(ExitCode::SUCCESS);
    }
    if summaries.is_empty() {
        eprintln!(
            "no snapshots in {}; take one with `cartwatch snapshot`",
            args.store.store.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<24} {:<20} {:>7} {:>8} {:>6} {:>10}  source",
        "id", "created", "centers", "pages ok", "failed", "bytes new"
    );
    for s in &summaries {
        let source = s.source.describe();
        println!(
            "{:<24} {:<20} {:>7} {:>8} {:>6} {:>10}  {}",
            s.id, s.created_at, s.centers, s.pages_ok, s.pages_failed, s.bytes_new, source
        );
    }
    println!(
        "{} snapshot(s), {} bytes on disk in {}",
        summaries.len(),
        store.disk_size()?,
        args.store.store.display()
    );
    Ok(ExitCode::SUCCESS)
}
