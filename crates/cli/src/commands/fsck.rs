//! `cartwatch fsck [--repair] [--quarantine]`: verify every stored blob;
//! with `--repair`, rebuild the store's index from its pack files; with
//! `--quarantine`, set damaged packs aside and mark what they held as lost.

use crate::common::StoreArg;
use anyhow::{Context, Result};
use cartwatch_store::{repair, FsckReport};
use std::process::ExitCode;

/// Flags of `cartwatch fsck`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    store: StoreArg,
    /// Rebuild the index from the pack files (the old index is moved to
    /// `index.before-repair`, no pack is changed), then verify.
    #[arg(long)]
    repair: bool,
    /// Set damaged pack files aside: their readable blobs are copied into a
    /// new pack, the damaged files are moved to `quarantine/` (never
    /// deleted), and the pages whose body or record was lost are marked as
    /// lost in their snapshots. Then verify.
    #[arg(long)]
    quarantine: bool,
}

/// Exit 0 when every snapshot is whole and every blob verifies, 1 when
/// something is damaged or missing (each named), 2 on error.
pub fn run(args: Args) -> Result<ExitCode> {
    let path = &args.store.store;
    if args.repair {
        let report = repair(path)
            .with_context(|| format!("cannot repair the store at {}", path.display()))?;
        println!(
            "rebuilt the index of {} from {} pack file(s): {} blob(s), {} snapshot(s) listed",
            path.display(),
            report.packs,
            report.blobs,
            report.snapshots.len()
        );
        for id in &report.snapshots {
            println!("  {id}");
        }
        if let Some(old) = &report.old_index {
            println!("the previous index was kept as {}", old.display());
        }
        for problem in &report.problems {
            println!("damaged: {problem}");
        }
    }
    if args.quarantine {
        let store = args.store.open_for_writing()?;
        let report = store.quarantine().with_context(|| {
            format!(
                "cannot quarantine damaged packs of the store at {}",
                path.display()
            )
        })?;
        if report.packs.is_empty() && report.blobs_lost == 0 {
            println!("no damaged pack found");
        }
        for (from, to) in &report.packs {
            println!("quarantined: {} moved to {}", from.display(), to.display());
        }
        if report.blobs_lost > 0 {
            println!(
                "{} blob(s) lost, {} readable blob(s) of the damaged pack(s) kept",
                report.blobs_lost, report.blobs_kept
            );
        }
        for lost in &report.lost {
            println!("lost: {lost}");
        }
        for id in &report.unreadable_snapshots {
            println!("lost: the manifest of snapshot {id} (it stays listed; `cartwatch prune` removes it)");
        }
    }
    let store = args.store.open()?;
    let report = store.fsck()?;
    print_report(&report);
    Ok(if report.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn print_report(report: &FsckReport) {
    for problem in &report.problems {
        println!("damaged: {problem}");
    }
    if report.problems.is_empty() {
        println!(
            "ok: {} snapshot(s), {} blob(s) verified",
            report.snapshots, report.blobs
        );
    } else {
        println!(
            "{} problem(s) in {} snapshot(s), {} blob(s) checked; `cartwatch fsck --quarantine` sets damaged packs aside and marks what they held as lost; `cartwatch fsck --repair` rebuilds a lost index from the packs",
            report.problems.len(),
            report.snapshots,
            report.blobs
        );
    }
}
