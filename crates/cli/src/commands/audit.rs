//! `cartwatch audit`: contact findings for editors.

use super::diff::{config_or_default, use_color};
use crate::common::{load_view, ConfigArg, StoreArg};
use anyhow::{bail, Context, Result};
use cartwatch_diff::{audit, render_audit, AuditFormat, AuditOptions, ContactRegistry, Severity};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `cartwatch audit`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The snapshot: an id, `latest` or `latest~N` [default: latest].
    snapshot: Option<String>,
    #[command(flatten)]
    store: StoreArg,
    #[command(flatten)]
    config: ConfigArg,
    /// The registry of expected numbers per center and purpose.
    #[arg(long, default_value = "config/contacts.toml")]
    registry: PathBuf,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "markdown", "json", "csv"])]
    format: String,
    /// Exit 1 when a finding at or above this severity exists.
    #[arg(long, default_value = "warning", value_parser = ["info", "warning", "error"])]
    fail_on: String,
    /// Flag pages reviewed longer ago than this [default: [audit].max_age_months, else 12].
    #[arg(long, value_name = "N")]
    max_age_months: Option<u32>,
    /// Colour the text format: auto, always, never.
    #[arg(long, default_value = "auto", value_parser = ["auto", "always", "never"])]
    color: String,
}

/// Prints the findings; exit 0 none at or above `--fail-on`, 1 some, 2 error.
pub fn run(args: Args) -> Result<ExitCode> {
    let config = config_or_default(&args.config)?;
    let registry = if args.registry.exists() {
        let text = std::fs::read_to_string(&args.registry)
            .with_context(|| format!("cannot read the registry {}", args.registry.display()))?;
        Some(ContactRegistry::from_toml_str(
            &text,
            &args.registry.display().to_string(),
        )?)
    } else if args.registry == std::path::Path::new("config/contacts.toml") {
        eprintln!(
            "note: no registry at {}; numbers are not checked against expected ones",
            args.registry.display()
        );
        None
    } else {
        bail!(
            "no registry at {} (pass --registry FILE; the format is in config/contacts.toml)",
            args.registry.display()
        );
    };
    let store = args.store.open()?;
    let history = store.list()?;
    if history.is_empty() {
        bail!(
            "the store at {} has no snapshots; take one with `cartwatch snapshot` \
             (offline: `cartwatch snapshot --from snapshots/captures/2026-10-01`)",
            args.store.store.display()
        );
    }
    let id = store.resolve(args.snapshot.as_deref().unwrap_or("latest"))?;
    let current = load_view(&store, &id)?;
    let previous = match history.iter().position(|m| m.id == id) {
        Some(p) if p > 0 => Some(load_view(&store, &history[p - 1].id)?),
        _ => None,
    };
    let options = AuditOptions {
        max_age_months: args.max_age_months.unwrap_or(config.audit.max_age_months),
        registry,
    };
    let report = audit(&current, previous.as_ref(), &options);
    let format: AuditFormat = args.format.parse()?;
    let fail_on = Severity::parse(&args.fail_on).unwrap_or(Severity::Warning);
    let color = format == AuditFormat::Text && use_color(&args.color);
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(render_audit(&report, format, color).as_bytes())?;
    stdout.flush()?;
    Ok(if report.count_at_or_above(fail_on) > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
