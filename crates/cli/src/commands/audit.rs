//! `cartwatch audit`: contact and claims findings for editors.

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
    #[command(flatten)]
    claims: crate::claims_data::ClaimsArgs,
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

/// The registry at `path`; `None` (with a note) when the default file is absent.
fn read_registry(path: &std::path::Path) -> Result<Option<ContactRegistry>> {
    if path.exists() {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the registry {}", path.display()))?;
        Ok(Some(ContactRegistry::from_toml_str(
            &text,
            &path.display().to_string(),
        )?))
    } else if path == std::path::Path::new("config/contacts.toml") {
        eprintln!(
            "note: no registry at {}; numbers are not checked against expected ones",
            path.display()
        );
        Ok(None)
    } else {
        bail!(
            "no registry at {} (pass --registry FILE; the format is in config/contacts.toml)",
            path.display()
        );
    }
}

/// Prints the findings; exit 0 none at or above `--fail-on`, 1 some, 2 error.
pub fn run(args: Args) -> Result<ExitCode> {
    let config = config_or_default(&args.config)?;
    let store = super::diff::open_existing(&args.store)?;
    let history = store.list()?;
    if history.is_empty() {
        bail!(
            "the store at {} has no snapshots; take one with `cartwatch snapshot` \
             (offline: `cartwatch snapshot --from snapshots/captures/2026-10-01`)",
            args.store.store.display()
        );
    }
    let id = store.resolve(args.snapshot.as_deref().unwrap_or("latest"))?;
    let previous_id = match history.iter().position(|m| m.id == id) {
        Some(p) if p > 0 => Some(history[p - 1].id.clone()),
        _ => None,
    };
    // The two snapshots load while the registry is read (reading it also
    // loads libphonenumber's metadata): three independent jobs.
    let (current, previous, registry) = std::thread::scope(|scope| {
        let previous = scope.spawn(|| {
            previous_id
                .as_deref()
                .map(|p| load_view(&store, p))
                .transpose()
        });
        let registry = scope.spawn(|| {
            // Load libphonenumber's metadata now, even with an empty registry.
            let _ = cartwatch_diff::registry::is_valid_number("+12168443951");
            read_registry(&args.registry)
        });
        let current = load_view(&store, &id);
        (
            current,
            previous
                .join()
                .expect("loading the previous snapshot panicked"),
            registry.join().expect("reading the registry panicked"),
        )
    });
    let (current, previous, registry) = (current?, previous?, registry?);
    let options = AuditOptions {
        max_age_months: args.max_age_months.unwrap_or(config.audit.max_age_months),
        registry,
        claims: Some(args.claims.load()?),
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
