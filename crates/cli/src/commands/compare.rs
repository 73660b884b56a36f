//! `cartwatch compare`.

use anyhow::Result;
use std::process::ExitCode;

/// Flags of `cartwatch compare`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: Args) -> Result<ExitCode> {
    anyhow::bail!("`cartwatch compare` is not built yet")
}
