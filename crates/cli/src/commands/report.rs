//! `cartwatch report`.

use anyhow::Result;
use std::process::ExitCode;

/// Flags of `cartwatch report`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: Args) -> Result<ExitCode> {
    anyhow::bail!("`cartwatch report` is not built yet")
}
