//! `cartwatch prune`: remove old snapshots and reclaim their space.

use crate::common::StoreArg;
use anyhow::{bail, Result};
use cartwatch_store::PrunePolicy;
use std::process::ExitCode;

/// Flags of `cartwatch prune`.
#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("policy").required(true).args(["keep", "older_than"])))]
pub struct Args {
    #[command(flatten)]
    store: StoreArg,
    /// Keep the newest N snapshots (at least 1), remove the rest.
    #[arg(long, value_name = "N")]
    keep: Option<usize>,
    /// Remove snapshots created longer ago than this: `90d`, `12h`, `2w`, `30m`, `45s`.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    older_than: Option<std::time::Duration>,
    /// Only list what would be removed.
    #[arg(long)]
    dry_run: bool,
}

/// Parses `90d`, `12h`, `2w`, `30m`, `45s` (a number and one unit).
pub fn parse_duration(text: &str) -> std::result::Result<std::time::Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("{text:?} has no unit; write e.g. 90d, 12h, 2w, 30m or 45s"))?;
    let (number, unit) = text.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} does not start with a number; write e.g. 90d"))?;
    let seconds = match unit.trim() {
        "s" => 1,
        "m" | "min" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        other => {
            return Err(format!(
                "unknown unit {other:?} in {text:?}; use s, m, h, d or w"
            ))
        }
    };
    Ok(std::time::Duration::from_secs(n.saturating_mul(seconds)))
}

/// Removes the selected snapshots (never the newest) and reports the space reclaimed.
pub fn run(args: Args) -> Result<ExitCode> {
    let policy = match (args.keep, args.older_than) {
        (Some(0), _) => bail!("--keep 0 would remove every snapshot; the newest is always kept, so use --keep 1 or more"),
        (Some(n), _) => PrunePolicy::Keep(n),
        (None, Some(age)) => PrunePolicy::OlderThan(age),
        (None, None) => bail!("say what to remove: --keep N or --older-than DURATION"),
    };
    let mut store = args.store.open_for_writing()?;
    if args.dry_run {
        let plan = store.prune_plan(policy)?;
        println!("would remove {} snapshot(s):", plan.len());
        for id in &plan {
            println!("  {id}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let before = store.disk_size()?;
    let report = store.prune(policy)?;
    let after = store.disk_size()?;
    println!(
        "removed {} snapshot(s), kept {}; {} unreferenced blob(s) collected ({} bytes), store {} -> {} bytes",
        report.removed.len(),
        report.kept,
        report.gc.blobs_removed,
        report.gc.bytes_reclaimed,
        before,
        after
    );
    for id in &report.removed {
        println!("  removed {id}");
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn durations_parse() {
        let secs = |s: &str| parse_duration(s).unwrap().as_secs();
        assert_eq!(secs("90d"), 90 * 86_400);
        assert_eq!(secs("2w"), 14 * 86_400);
        assert_eq!(secs("12h"), 12 * 3600);
        assert_eq!(secs("30m"), 1800);
        assert!(parse_duration("30").unwrap_err().contains("no unit"));
        assert!(parse_duration("3y").unwrap_err().contains("unknown unit"));
        assert!(parse_duration("d").is_err());
    }
}
