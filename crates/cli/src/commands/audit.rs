//! `cartwatch audit`.

use anyhow::Result;
use std::process::ExitCode;

/// Flags of `cartwatch audit`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: Args) -> Result<ExitCode> {
    anyhow::bail!("`cartwatch audit` is not built yet")
}
