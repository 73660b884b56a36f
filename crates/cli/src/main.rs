//! `cartwatch`: watches the CAR T-cell therapy pages of cancer centers.
//!
//! Thin by design: each subcommand parses its flags, calls the library
//! crates and prints. Exit status: 0 success (for `diff`: no changes),
//! 1 changes or findings, 2 error.

mod claims_data;
mod commands;
mod common;
mod pipeline;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Watches the CAR T-cell therapy pages of cancer centers: snapshots them,
/// and reports what changed and how centers compare.
#[derive(Parser)]
#[command(name = "cartwatch", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fetch every configured page (or read a capture folder), normalize, store a snapshot.
    Snapshot(commands::snapshot::Args),
    /// List stored snapshots, oldest first.
    Snapshots(commands::snapshots::Args),
    /// Print one saved page's record as JSON.
    Normalize(commands::normalize::Args),
    /// Report what changed between two snapshots (exit 0: none, 1: changes, 2: error).
    Diff(commands::diff::Args),
    /// A matrix of centers by what patients ask: products, trials, conditions, phone numbers.
    Compare(commands::compare::Args),
    /// Contact findings for editors: changed, inconsistent, invalid or unexpected numbers, stale pages.
    Audit(commands::audit::Args),
    /// Print a snapshot's records.
    Show(commands::show::Args),
    /// Remove old snapshots and reclaim space (never the newest).
    Prune(commands::prune::Args),
    /// Export a snapshot's facts as JSON lines or CSV, one row per center/page/fact.
    Export(commands::export::Args),
    /// Store a capture folder as a snapshot without fetching.
    ImportCaptures(commands::import_captures::Args),
    /// Write a snapshot's raw captures as a WARC 1.1 file.
    ExportWarc(commands::export_warc::Args),
    /// The scheduled job: snapshot, diff against the previous one, audit, notify webhooks.
    Run(commands::run::Args),
    /// Write a self-contained HTML report: matrix, timelines, diffs, contacts, audit.
    Report(commands::report::Args),
    /// The directory of CAR T organizations: list it, add or remove watched centers.
    Centers(commands::centers::Args),
    /// Validate the config and list what would be fetched (exit 2 with file:line on a bad config).
    CheckConfig(commands::check_config::Args),
    /// Verify every stored blob; with --repair, rebuild the index from the packs.
    Fsck(commands::fsck::Args),
    /// Import years of the configured pages from the Internet Archive, as snapshots at their capture times.
    Backfill(commands::backfill::Args),
    /// When each fact of a center was stated: first seen, last seen, changes, gaps.
    History(commands::history::Args),
}

fn main() -> ExitCode {
    common::init_logging();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Snapshot(args) => commands::snapshot::run(args),
        Command::Snapshots(args) => commands::snapshots::run(args),
        Command::Normalize(args) => commands::normalize::run(args),
        Command::Diff(args) => commands::diff::run(args),
        Command::Compare(args) => commands::compare::run(args),
        Command::Audit(args) => commands::audit::run(args),
        Command::Show(args) => commands::show::run(args),
        Command::Prune(args) => commands::prune::run(args),
        Command::Export(args) => commands::export::run(args),
        Command::ImportCaptures(args) => commands::import_captures::run(args),
        Command::ExportWarc(args) => commands::export_warc::run(args),
        Command::Run(args) => commands::run::run(args),
        Command::Report(args) => commands::report::run(args),
        Command::Centers(args) => commands::centers::run(args),
        Command::CheckConfig(args) => commands::check_config::run(args),
        Command::Fsck(args) => commands::fsck::run(args),
        Command::Backfill(args) => commands::backfill::run(args),
        Command::History(args) => commands::history::run(args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
