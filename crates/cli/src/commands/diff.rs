//! `cartwatch diff`: what changed between two snapshots.

use crate::common::{load_view, ConfigArg, StoreArg};
use anyhow::{bail, Context, Result};
use cartwatch_diff::{diff_snapshots, render_diff, DiffFormat, DiffOptions};
use cartwatch_model::Config;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// Flags of `cartwatch diff`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The older snapshot: an id, `latest` or `latest~N` [default: latest~1].
    from: Option<String>,
    /// The newer snapshot [default: latest].
    to: Option<String>,
    #[command(flatten)]
    store: StoreArg,
    #[command(flatten)]
    config: ConfigArg,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "markdown", "json"])]
    format: String,
    /// Only report this center (its id).
    #[arg(long, value_name = "ID")]
    center: Option<String>,
    /// Suppress a change that flips back within N snapshots [default: [diff].settle, else 0].
    ///
    /// A change between FROM and TO is suppressed when one of the N snapshots
    /// just before FROM already had TO's value (it undoes a recent change),
    /// or one of the N snapshots just after TO is back to FROM's value (it is
    /// undone soon after). Snapshots where the page failed never count.
    #[arg(long, value_name = "N")]
    settle: Option<usize>,
    /// Colour the text format: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, default_value = "auto", value_parser = ["auto", "always", "never"])]
    color: String,
}

/// Prints the diff; exit 0 no changes, 1 changes, 2 error.
pub fn run(args: Args) -> Result<ExitCode> {
    let config = config_or_default(&args.config)?;
    let store = open_existing(&args.store)?;
    let history = store.list()?;
    let needs_two = args.from.is_none() || args.to.is_none();
    if needs_two && history.len() < 2 {
        bail!(
            "the store at {} has {} snapshot(s); a diff needs two. Take one with `cartwatch snapshot` \
             (offline: `cartwatch snapshot --from snapshots/captures/2026-10-01`, then `--from snapshots/captures/2026-11-01`)",
            args.store.store.display(),
            history.len()
        );
    }
    let to = store.resolve(args.to.as_deref().unwrap_or("latest"))?;
    let from = match &args.from {
        Some(spec) => store.resolve(spec)?,
        None => store.resolve("latest~1")?,
    };
    let mut options = DiffOptions::from_config(&config)
        .with_context(|| format!("in {}", args.config.config.display()))?;
    if let Some(settle) = args.settle {
        options.settle = settle;
    }
    if let Some(center) = &args.center {
        let known = history
            .iter()
            .filter(|m| m.id == from || m.id == to)
            .any(|m| m.center(center).is_some());
        if !known {
            let ids: Vec<String> = history
                .iter()
                .filter(|m| m.id == to)
                .flat_map(|m| m.centers.iter().map(|c| c.id.clone()))
                .collect();
            bail!(
                "no center {center:?} in snapshots {from} or {to}; centers: {}",
                ids.join(", ")
            );
        }
        options.center = Some(center.clone());
    }
    let format: DiffFormat = args.format.parse()?;
    let report = diff_snapshots(&from, &to, &history, &options, |id| load_view(&store, id))?;
    let color = format == DiffFormat::Text && use_color(&args.color);
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(render_diff(&report, format, color).as_bytes())?;
    stdout.flush()?;
    Ok(if report.has_changes() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Opens the store, refusing to create one: a report needs snapshots.
pub(crate) fn open_existing(arg: &StoreArg) -> Result<cartwatch_store::Store> {
    if !arg.store.exists() {
        bail!(
            "no store at {}; take a snapshot first with `cartwatch snapshot --store {}` \
             (offline: `cartwatch snapshot --from snapshots/captures/2026-10-01`)",
            arg.store.display(),
            arg.store.display()
        );
    }
    arg.open()
}

/// The configuration, or the default one when the default file is absent
/// (a store can be read without the config that filled it).
pub(crate) fn config_or_default(arg: &ConfigArg) -> Result<Config> {
    let default = std::path::Path::new("config/centers.toml");
    if arg.config == default && !default.exists() && std::env::var_os("CARTWATCH_CONFIG").is_none()
    {
        return Ok(Config::default());
    }
    arg.load()
}

/// Whether to colour: `always`, `never`, or `auto` (stdout is a terminal and
/// `NO_COLOR` is unset or empty).
pub(crate) fn use_color(choice: &str) -> bool {
    match choice {
        "always" => true,
        "never" => false,
        _ => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}
