//! One module per subcommand; each has an `Args` (clap) and a `run`.

pub mod audit;
pub mod backfill;
pub mod centers;
pub mod check_config;
pub mod compare;
pub mod diff;
pub mod export;
pub mod export_warc;
pub mod fsck;
pub mod history;
pub mod import_captures;
pub mod normalize;
pub mod prune;
pub mod report;
pub mod run;
pub mod show;
pub mod snapshot;
pub mod snapshots;
