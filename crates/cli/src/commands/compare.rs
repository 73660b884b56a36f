//! `cartwatch compare`: the matrix of centers by what a patient asks.

use crate::common::{load_view, StoreArg};
use anyhow::{bail, Result};
use cartwatch_diff::{compare_with_claims, render_matrix, CompareFormat};
use std::io::Write;
use std::process::ExitCode;

/// Flags of `cartwatch compare`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The snapshot: an id, `latest` or `latest~N` [default: latest].
    snapshot: Option<String>,
    #[command(flatten)]
    store: StoreArg,
    /// Output format.
    #[arg(long, default_value = "table", value_parser = ["table", "markdown", "csv", "json", "html"])]
    format: String,
}

/// Prints the matrix; exit 0, or 2 on error.
pub fn run(args: Args) -> Result<ExitCode> {
    let store = super::diff::open_existing(&args.store)?;
    if store.list()?.is_empty() {
        bail!(
            "the store at {} has no snapshots; take one with `cartwatch snapshot` \
             (offline: `cartwatch snapshot --from snapshots/captures/2026-10-01`)",
            args.store.store.display()
        );
    }
    let id = store.resolve(args.snapshot.as_deref().unwrap_or("latest"))?;
    let view = load_view(&store, &id)?;
    let format: CompareFormat = args.format.parse()?;
    let mut stdout = std::io::stdout().lock();
    let claims = crate::claims_data::load_default()?;
    let matrix = compare_with_claims(&view, Some(&claims));
    stdout.write_all(render_matrix(&matrix, format).as_bytes())?;
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}
