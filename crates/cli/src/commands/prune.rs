//! `cartwatch prune`.

use anyhow::Result;
use std::process::ExitCode;

/// Flags of `cartwatch prune`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: Args) -> Result<ExitCode> {
    anyhow::bail!("`cartwatch prune` is not built yet")
}
