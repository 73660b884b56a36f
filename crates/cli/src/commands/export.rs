//! `cartwatch export`.

use anyhow::Result;
use std::process::ExitCode;

/// Flags of `cartwatch export`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: Args) -> Result<ExitCode> {
    anyhow::bail!("`cartwatch export` is not built yet")
}
