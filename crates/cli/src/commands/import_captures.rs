//! `cartwatch import-captures`.

use anyhow::Result;
use std::process::ExitCode;

/// Flags of `cartwatch import-captures`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: Args) -> Result<ExitCode> {
    anyhow::bail!("`cartwatch import-captures` is not built yet")
}
