//! `cartwatch snapshots`: list stored snapshots, oldest first.

use crate::common::StoreArg;
use anyhow::Result;
use cartwatch_model::SnapshotSource;
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
pub fn run(args: Args) -> Result<ExitCode> {
    let store = args.store.open()?;
    let manifests = store.list()?;
    if args.json {
        for m in &manifests {
            let line = serde_json::json!({
                "id": m.id, "created_at": m.created_at, "centers": m.centers.len(),
                "pages_ok": m.pages_ok(), "pages_failed": m.pages_failed(),
                "bytes_new": m.bytes_new, "source": m.source,
            });
            println!("{line}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    if manifests.is_empty() {
        eprintln!(
            "no snapshots in {}; take one with `cartwatch snapshot`",
            args.store.store.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<24} {:>7} {:>8} {:>6} {:>10}  source",
        "id", "centers", "pages ok", "failed", "bytes new"
    );
    for m in &manifests {
        let source = match &m.source {
            SnapshotSource::Http => "http".to_string(),
            SnapshotSource::Captures { dir } => format!("captures {dir}"),
        };
        println!(
            "{:<24} {:>7} {:>8} {:>6} {:>10}  {}",
            m.id,
            m.centers.len(),
            m.pages_ok(),
            m.pages_failed(),
            m.bytes_new,
            source
        );
    }
    Ok(ExitCode::SUCCESS)
}
