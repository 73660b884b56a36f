//! `cartwatch run`.

use anyhow::Result;
use std::process::ExitCode;

/// Flags of `cartwatch run`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: Args) -> Result<ExitCode> {
    anyhow::bail!("`cartwatch run` is not built yet")
}
