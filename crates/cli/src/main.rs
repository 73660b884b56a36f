//! `cartwatch`: watches the CAR T-cell therapy pages of cancer centers.
//!
//! Thin by design: each subcommand parses its flags, calls the library
//! crates and prints. Exit status: 0 success (for `diff`: no changes),
//! 1 changes or findings, 2 error, 3 (`run`) a webhook could not be notified,
//! 141 stdout was closed early (`cartwatch diff | head -1`), quietly.

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
    /// The scheduled job: snapshot, diff, audit, notify webhooks (exit 0: no changes, 1: changes, 2: error, 3: a webhook failed).
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
        // The reader went away (`cartwatch diff | head -1`): stop quietly,
        // with the status a shell shows for a process ended by SIGPIPE.
        Err(error) if is_broken_pipe(&error) => ExitCode::from(141),
        Err(error) => {
            // Errors quote URLs and page text: cleaned like every output.
            eprintln!("error: {}", cartwatch_diff::clean(&error_message(&error)));
            ExitCode::from(2)
        }
    }
}

/// Whether the error comes from writing to a pipe whose reader has closed it.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The error and its causes joined by `: `, each said once: a cause whose
/// text the message before it already includes (an OS error that a library
/// error quotes and also carries as its source) is not repeated.
fn error_message(error: &anyhow::Error) -> String {
    let mut message = String::new();
    let mut previous = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if !previous.is_empty() && previous.contains(&text) {
            continue;
        }
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(&text);
        previous = text;
    }
    message
}
