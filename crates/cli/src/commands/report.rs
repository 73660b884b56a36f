//! `cartwatch report`: one self-contained HTML file with the comparison
//! matrix, per-center timelines and text diffs, current contacts and the
//! audit findings.

use crate::common::{load_config, load_view, StoreArg};
use anyhow::{Context, Result};
use cartwatch_diff::report::{render_html, ReportInput};
use cartwatch_diff::{audit, compare_with_claims, diff_snapshots, AuditOptions, DiffOptions};
use cartwatch_model::Config;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Flags of `cartwatch report`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    store: StoreArg,
    /// Where to write the HTML file.
    #[arg(long, short, value_name = "FILE", default_value = "report.html")]
    out: PathBuf,
    /// The oldest snapshot the timelines cover (an id, `latest` or
    /// `latest~N`) [default: every snapshot in the store].
    #[arg(long, value_name = "SNAPSHOT")]
    since: Option<String>,
    /// The config whose ignore patterns and audit settings apply
    /// [default: config/centers.toml when present].
    #[arg(long, value_name = "FILE", env = "CARTWATCH_CONFIG")]
    config: Option<PathBuf>,
    /// The audit's registry of expected numbers [default: config/contacts.toml when present].
    #[arg(long, value_name = "FILE")]
    registry: Option<PathBuf>,
    /// The report's title.
    #[arg(long, default_value = "cartwatch report: CAR T-cell therapy centers")]
    title: String,
}

/// Writes the report; exit 0 on success, 2 on error.
pub fn run(args: Args) -> Result<ExitCode> {
    let config = match &args.config {
        Some(path) => Some(load_config(path)?),
        None => {
            let default = Path::new("config/centers.toml");
            if default.exists() {
                Some(load_config(default)?)
            } else {
                None
            }
        }
    };
    let config = config.unwrap_or_default();
    let diff_options = diff_options(&config)?;
    let audit_options = AuditOptions {
        max_age_months: config.audit.max_age_months,
        registry: super::run::load_registry(args.registry.as_ref())?,
        claims: Some(crate::claims_data::load_default()?),
    };

    if !args.store.store.exists() {
        anyhow::bail!(
            "no store at {}; take a snapshot first with `cartwatch run` or `cartwatch snapshot` (or pass --store DIR)",
            args.store.store.display()
        );
    }
    let store = args.store.open()?;
    let manifests = store.list()?;
    if manifests.is_empty() {
        anyhow::bail!(
            "no snapshots in {}; take one with `cartwatch run` or `cartwatch snapshot` first",
            args.store.store.display()
        );
    }
    let start = match &args.since {
        Some(spec) => {
            let id = store.resolve(spec)?;
            manifests.iter().position(|m| m.id == id).unwrap_or(0)
        }
        None => 0,
    };
    let history = manifests[start..]
        .iter()
        .map(|m| load_view(&store, &m.id))
        .collect::<Result<Vec<_>>>()?;
    // Each consecutive pair, diffed with the whole store's history so
    // "unreachable since", recoveries and --settle see beyond the range.
    let diffs = history
        .windows(2)
        .map(|pair| {
            diff_snapshots(
                &pair[0].manifest.id,
                &pair[1].manifest.id,
                &manifests,
                &diff_options,
                |id| match history.iter().find(|v| v.manifest.id == id) {
                    Some(view) => Ok(view.clone()),
                    None => load_view(&store, id),
                },
            )
        })
        .collect::<Result<Vec<_>>>()?;
    let latest = history.last().context("no snapshot in range")?;
    let previous = history.len().checked_sub(2).map(|i| &history[i]);
    let matrix = compare_with_claims(latest, audit_options.claims.as_ref());
    let audit_report = audit(latest, previous, &audit_options);
    let generated_at = cartwatch_fetcher::now_rfc3339();
    let html = render_html(&ReportInput {
        title: &args.title,
        generated_at: &generated_at,
        history: &history,
        diffs: &diffs,
        matrix: &matrix,
        audit: &audit_report,
    });
    write_atomically(&args.out, html.as_bytes())?;
    let changes: usize = diffs.iter().map(|d| d.change_count()).sum();
    println!(
        "wrote {}: {} center{}, {} snapshot{} ({} to {}), {} change{}, {} audit finding{}",
        args.out.display(),
        matrix.rows.len(),
        plural(matrix.rows.len()),
        history.len(),
        plural(history.len()),
        history[0].manifest.id,
        latest.manifest.id,
        changes,
        plural(changes),
        audit_report.findings.len(),
        plural(audit_report.findings.len()),
    );
    Ok(ExitCode::SUCCESS)
}

fn diff_options(config: &Config) -> Result<DiffOptions> {
    Ok(DiffOptions::from_config(config)?)
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Writes beside the target then renames, so a reader never sees half a report.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .with_context(|| format!("--out {} names no file", path.display()))?;
    let temp = dir.join(format!(".{}.tmp", name.to_string_lossy()));
    std::fs::write(&temp, bytes)
        .with_context(|| format!("cannot write {} (does the folder exist?)", temp.display()))?;
    std::fs::rename(&temp, path)
        .with_context(|| format!("cannot move {} to {}", temp.display(), path.display()))?;
    Ok(())
}
