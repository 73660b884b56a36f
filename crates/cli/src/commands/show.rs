//! `cartwatch show`.

use anyhow::Result;
use std::process::ExitCode;

/// Flags of `cartwatch show`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: Args) -> Result<ExitCode> {
    anyhow::bail!("`cartwatch show` is not built yet")
}
