//! `cartwatch run`: the scheduled job. Snapshot, diff against the previous
//! snapshot, audit, and notify webhooks when something changed or needs an
//! editor's eye.
//!
//! The snapshot is stored before anything is sent, so a failing webhook never
//! loses it: notification failures are printed on stderr and in the summary.
//! Exit status: 0 no changes, 1 changes, 2 error (nothing stored), 3 a
//! webhook could not be notified (the snapshot is stored; an alert may be
//! lost), so a timer unit that accepts 1 still sees a lost alert.

use crate::common::{load_view, ConfigArg, StoreArg, VocabularyArg};
use crate::pipeline::{take_snapshot, PageSource};
use anyhow::{Context, Result};
use cartwatch_diff::{
    audit, diff_snapshots, render_diff, AuditOptions, AuditReport, ContactRegistry, DiffFormat,
    DiffOptions, DiffReport, Severity, SnapshotView,
};
use cartwatch_fetcher::notify::{
    notify_all_blocking, redact_url, slack_escape, NotifySettings, WebhookPayload,
};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Flags of `cartwatch run`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    config: ConfigArg,
    #[command(flatten)]
    store: StoreArg,
    #[command(flatten)]
    vocabulary: VocabularyArg,
    /// Read pages from this capture folder instead of fetching them (offline runs).
    #[arg(long, value_name = "CAPTURE_DIR")]
    from: Option<PathBuf>,
    /// POST a JSON summary here on changes or findings (repeatable; also
    /// CARTWATCH_NOTIFY, comma-separated).
    #[arg(
        long = "notify",
        value_name = "URL",
        env = "CARTWATCH_NOTIFY",
        // Webhook URLs carry secrets: `--help` must not print the value.
        hide_env_values = true,
        value_delimiter = ','
    )]
    notify: Vec<String>,
    /// Seconds allowed for one webhook attempt.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    notify_timeout: f64,
    /// Retries per webhook after the first attempt (timeouts, connection errors, 429, 5xx).
    #[arg(long, value_name = "N", default_value_t = 3)]
    notify_retries: u32,
    /// Milliseconds before the first retry; doubles on each further retry.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    notify_backoff_ms: u64,
    /// Audit findings at or above this severity trigger a notification
    /// (info, warning, error); changes always do.
    #[arg(long, value_name = "SEVERITY", default_value = "warning", value_parser = parse_severity)]
    notify_on: Severity,
    /// The audit's registry of expected numbers [default: config/contacts.toml when present].
    #[arg(long, value_name = "FILE")]
    registry: Option<PathBuf>,
}

fn parse_severity(text: &str) -> Result<Severity, String> {
    Severity::parse(text)
        .ok_or_else(|| format!("{text:?} is not a severity; use info, warning or error"))
}

/// Runs the job; see the module docs for the exit status.
pub fn run(args: Args) -> Result<ExitCode> {
    let config = args.config.load_watch_list()?;
    let vocabulary = args.vocabulary.load()?;
    let diff_options = DiffOptions::from_config(&config)
        .with_context(|| format!("in {}", args.config.config.display()))?;
    let audit_options = AuditOptions {
        max_age_months: config.audit.max_age_months,
        registry: load_registry(args.registry.as_ref())?,
        claims: Some(crate::claims_data::load_default()?),
    };
    let timeout = Duration::try_from_secs_f64(args.notify_timeout)
        .ok()
        .filter(|t| !t.is_zero())
        .with_context(|| {
            format!(
                "--notify-timeout {} is not a positive number of seconds",
                args.notify_timeout
            )
        })?;
    let settings = NotifySettings {
        timeout,
        retries: args.notify_retries,
        backoff: Duration::from_millis(args.notify_backoff_ms),
        user_agent: config.fetch.user_agent_header(),
    };
    let urls: Vec<String> = args
        .notify
        .iter()
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty())
        .collect();

    let store = args.store.open_for_writing()?;
    let previous_id = store.list()?.last().map(|m| m.id.clone());
    let source = match &args.from {
        Some(dir) => PageSource::Captures(dir),
        None => PageSource::Http,
    };
    let manifest = take_snapshot(&config, &store, &vocabulary, source)?;
    store
        .flush()
        .with_context(|| format!("cannot flush the store at {}", args.store.store.display()))?;
    crate::common::print_clean(&super::snapshot::summary(&manifest))?;

    // From here on the snapshot is stored: an error only means it could not
    // be compared, and says so.
    let (current, previous, report) =
        compare_with_previous(&store, &manifest.id, previous_id.as_deref(), &diff_options)
            .with_context(|| {
                format!(
                    "snapshot {} is stored, but comparing it failed; `cartwatch diff` retries the comparison",
                    manifest.id
                )
            })?;
    let audit_report = audit(&current, previous.as_ref(), &audit_options);
    // Let go of the store (and its lock) before waiting on webhooks.
    drop(store);

    match &report {
        Some(report) => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            println!();
            print!("{}", render_diff(report, DiffFormat::Text, color));
        }
        None => println!("\nfirst snapshot in the store: nothing to compare yet"),
    }
    let changes = report.as_ref().map_or(0, DiffReport::change_count);
    let alerting = audit_report.count_at_or_above(args.notify_on);
    println!(
        "\naudit: {} finding{} ({} at or above {})",
        audit_report.findings.len(),
        plural(audit_report.findings.len()),
        alerting,
        args.notify_on
    );

    let mut failed = 0;
    if urls.is_empty() {
        // Nothing to send.
    } else if changes == 0 && alerting == 0 {
        println!(
            "notify: nothing changed and no findings at or above {}; no webhook called",
            args.notify_on
        );
    } else {
        let payload = WebhookPayload {
            text: message(&manifest.id, report.as_ref(), &audit_report, args.notify_on),
            snapshot: manifest.id.clone(),
            previous: previous_id.clone(),
            diff: report
                .as_ref()
                .map(serde_json::to_value)
                .transpose()?
                .unwrap_or(serde_json::Value::Null),
            findings: serde_json::to_value(&audit_report)?,
        };
        let outcomes = notify_all_blocking(&urls, &payload, &settings);
        for outcome in &outcomes {
            if outcome.delivered() {
                println!("notify: {}", outcome.summary());
            } else {
                failed += 1;
                eprintln!(
                    "warning: webhook {}; the snapshot {} is stored all the same",
                    outcome.summary(),
                    manifest.id
                );
            }
        }
    }
    println!(
        "\nrun: snapshot {} stored; {} change{}; {} finding{}{}",
        manifest.id,
        changes,
        plural(changes),
        audit_report.findings.len(),
        plural(audit_report.findings.len()),
        if urls.is_empty() {
            String::new()
        } else if failed > 0 {
            format!(
                "; notifications: {} delivered, {failed} FAILED ({})",
                urls.len() - failed,
                urls.iter()
                    .map(|u| redact_url(u))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else if changes == 0 && alerting == 0 {
            "; notifications: none needed".to_string()
        } else {
            format!("; notifications: {} delivered", urls.len())
        }
    );
    Ok(if failed > 0 {
        ExitCode::from(NOTIFY_FAILED)
    } else if changes > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The exit status of a run where at least one webhook could not be notified
/// (after its retries): distinct from 1 ("changes found"), which schedulers
/// are told to accept.
pub const NOTIFY_FAILED: u8 = 3;

/// Loads the new snapshot and the previous one, and diffs them with the
/// store's history; no previous snapshot means no diff.
fn compare_with_previous(
    store: &cartwatch_store::Store,
    current_id: &str,
    previous_id: Option<&str>,
    options: &DiffOptions,
) -> Result<(SnapshotView, Option<SnapshotView>, Option<DiffReport>)> {
    let current = load_view(store, current_id)?;
    let Some(previous_id) = previous_id else {
        return Ok((current, None, None));
    };
    let previous = load_view(store, previous_id)?;
    let report = diff_snapshots(previous_id, current_id, &store.list()?, options, |id| {
        if id == current_id {
            Ok(current.clone())
        } else if id == previous_id {
            Ok(previous.clone())
        } else {
            load_view(store, id)
        }
    })?;
    Ok((current, Some(previous), Some(report)))
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The contact registry: the named file, else config/contacts.toml when present.
pub fn load_registry(path: Option<&PathBuf>) -> Result<Option<ContactRegistry>> {
    let default = PathBuf::from("config/contacts.toml");
    let path = match path {
        Some(path) => path.clone(),
        None if default.exists() => default,
        None => return Ok(None),
    };
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "cannot read the contact registry {} (pass --registry FILE)",
            path.display()
        )
    })?;
    Ok(Some(ContactRegistry::from_toml_str(
        &text,
        &path.display().to_string(),
    )?))
}

/// The Slack-compatible `text`: a headline, then one line per change and per
/// alerting finding, capped so a chat message stays readable. Page text is
/// escaped for Slack (see [`slack_escape`]).
fn message(
    snapshot: &str,
    report: Option<&DiffReport>,
    audit: &AuditReport,
    notify_on: Severity,
) -> String {
    const MAX_LINES: usize = 20;
    let changes = report.map_or(0, DiffReport::change_count);
    let centers = report.map_or(0, |r| r.centers.iter().filter(|c| c.has_changes()).count());
    let alerting: Vec<_> = audit
        .findings
        .iter()
        .filter(|f| f.severity >= notify_on)
        .collect();
    let mut text = format!(
        "cartwatch {snapshot}: {changes} change{} at {centers} center{}, {} finding{} at or above {notify_on}",
        plural(changes),
        plural(centers),
        alerting.len(),
        plural(alerting.len())
    );
    if let Some(report) = report {
        text.push_str(&format!(" (since {})", report.from));
    }
    let mut lines = Vec::new();
    for center in report.map(|r| r.centers.as_slice()).unwrap_or_default() {
        for change in center.changes.iter().filter(|c| c.kind.counts_as_change()) {
            lines.push(format!(
                "• {}: {}",
                center.center,
                slack_escape(&change.summary)
            ));
        }
    }
    for finding in &alerting {
        lines.push(format!(
            "• {} [{}]: {}",
            finding.center,
            finding.severity,
            slack_escape(&finding.summary)
        ));
    }
    let total = lines.len();
    for line in lines.into_iter().take(MAX_LINES) {
        text.push('\n');
        text.push_str(&line);
    }
    if total > MAX_LINES {
        text.push_str(&format!(
            "\n… and {} more (see the diff field)",
            total - MAX_LINES
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use cartwatch_diff::{CenterDiff, CenterStatus, Change, ChangeKind, Finding, FindingKind};

    fn change(kind: ChangeKind, summary: &str) -> Change {
        Change {
            kind,
            summary: summary.into(),
            before: None,
            after: None,
            evidence: None,
            url: "https://a.example/".into(),
            fact: String::new(),
        }
    }

    fn finding(severity: Severity, summary: &str) -> Finding {
        Finding {
            kind: FindingKind::StaleDate,
            severity,
            center: "a".into(),
            url: "https://a.example/".into(),
            numbers: vec![],
            evidence: String::new(),
            summary: summary.into(),
            action: String::new(),
            claim: None,
        }
    }

    #[test]
    fn the_message_lists_changes_and_alerting_findings_only() {
        let report = DiffReport {
            from: "s1".into(),
            to: "s2".into(),
            centers: vec![CenterDiff {
                center: "a".into(),
                name: "A".into(),
                status: CenterStatus::Changed,
                changes: vec![
                    change(ChangeKind::ProductAdded, "product added: carvykti"),
                    change(ChangeKind::PageStillUnreachable, "still down"),
                    change(
                        ChangeKind::ContactAdded,
                        "contact added: <!channel> call now",
                    ),
                ],
                text_diff: vec![],
            }],
        };
        let audit = AuditReport {
            snapshot: "s2".into(),
            previous: Some("s1".into()),
            findings: vec![
                finding(Severity::Warning, "page reviewed 2023"),
                finding(Severity::Info, "no review date"),
            ],
        };
        let text = message("s2", Some(&report), &audit, Severity::Warning);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "cartwatch s2: 2 changes at 1 center, 1 finding at or above warning (since s1)"
        );
        assert_eq!(lines[1], "• a: product added: carvykti");
        assert_eq!(lines[2], "• a: contact added: &lt;!channel&gt; call now");
        assert_eq!(lines[3], "• a [warning]: page reviewed 2023");
        assert_eq!(lines.len(), 4, "{text}");
    }

    #[test]
    fn long_messages_are_capped() {
        let audit = AuditReport {
            snapshot: "s1".into(),
            previous: None,
            findings: (0..30)
                .map(|n| finding(Severity::Error, &format!("finding {n}")))
                .collect(),
        };
        let text = message("s1", None, &audit, Severity::Info);
        assert_eq!(text.lines().count(), 1 + 20 + 1, "{text}");
        assert!(
            text.ends_with("… and 10 more (see the diff field)"),
            "{text}"
        );
    }
}
