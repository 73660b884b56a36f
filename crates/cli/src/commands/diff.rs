//! `cartwatch diff`.

use anyhow::Result;
use std::process::ExitCode;

/// Flags of `cartwatch diff`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: Args) -> Result<ExitCode> {
    anyhow::bail!("`cartwatch diff` is not built yet")
}
