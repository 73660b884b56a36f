//! `cartwatch check-config`: parse and validate the watch configuration and
//! list what a snapshot would fetch. Exit 0 when the file is usable, 2 (with
//! an error naming `file:line`) when it is not.

use crate::common::ConfigArg;
use anyhow::{Context, Result};
use cartwatch_model::{CenterKind, Config, ConfigError};
use std::path::Path;
use std::process::ExitCode;

/// Flags of `cartwatch check-config`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    config: ConfigArg,
}

/// Validates the configuration and prints every center's pages with the
/// fetch mode and the politeness settings that apply to them.
pub fn run(args: Args) -> Result<ExitCode> {
    let path = &args.config.config;
    let (_, config) = load_config_located(path)?;
    // An empty or cut-short file is an error here too, as for `snapshot`.
    config.require_centers(&path.display().to_string())?;
    let pages: usize = config.centers.iter().map(|c| c.pages.len()).sum();
    let fetch = &config.fetch;
    println!(
        "{}: ok, {} center(s), {} page(s)",
        path.display(),
        config.centers.len(),
        pages
    );
    println!(
        "fetch: over HTTP, {} request(s) in flight per host, at least {} ms between requests to one host, timeout {} s, {} retries, robots.txt {}",
        fetch.max_in_flight_per_host,
        fetch.min_delay_ms,
        fetch.timeout_secs,
        fetch.retries,
        if fetch.respect_robots { "respected" } else { "ignored" },
    );
    let id_width = config
        .centers
        .iter()
        .map(|c| c.id.chars().count())
        .max()
        .unwrap_or(0)
        .max("center".len());
    println!(
        "{:<id_width$}  {:<20}  {:<5}  page",
        "center", "kind", "fetch"
    );
    for center in &config.centers {
        let kind = match center.kind {
            CenterKind::CancerCenter => "cancer_center",
            CenterKind::PatientOrganization => "patient_organization",
        };
        for page in &center.pages {
            println!(
                "{:<id_width$}  {:<20}  {:<5}  {}",
                center.id,
                kind,
                "http",
                printable(page)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads and validates a configuration file, returning its text too; a
/// center's error names `file:line` (the line of its `id`), like a syntax
/// error does.
pub fn load_config_located(path: &Path) -> Result<(String, Config)> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read the config file {} (pass --config FILE or set CARTWATCH_CONFIG)",
            path.display()
        )
    })?;
    match Config::from_toml_str(&text, &path.display().to_string()) {
        Ok(config) => Ok((text, config)),
        Err(ConfigError::Center {
            file,
            center,
            message,
        }) => {
            let duplicate = message.contains("unique");
            match center_line(&text, &center, duplicate) {
                Some(line) => anyhow::bail!("{file}:{line}: center {center:?}: {message}"),
                None => anyhow::bail!("{file}: center {center:?}: {message}"),
            }
        }
        Err(other) => Err(other.into()),
    }
}

/// The 1-based line of a center's `id = "..."` (its second occurrence when
/// `duplicate`), or of the Nth `[[center]]` header for a center named `#N`.
pub fn center_line(text: &str, center: &str, duplicate: bool) -> Option<usize> {
    if let Some(position) = center
        .strip_prefix('#')
        .and_then(|n| n.parse::<usize>().ok())
    {
        return text
            .lines()
            .enumerate()
            .filter(|(_, line)| line.trim().starts_with("[[center]]"))
            .nth(position.checked_sub(1)?)
            .map(|(index, _)| index + 1);
    }
    let mut matches = text.lines().enumerate().filter(|(_, line)| {
        let Some(rest) = line.trim().strip_prefix("id") else {
            return false;
        };
        let Some(value) = rest.trim_start().strip_prefix('=') else {
            return false;
        };
        let value = value.trim();
        value.starts_with(&format!("\"{center}\"")) || value.starts_with(&format!("'{center}'"))
    });
    let first = matches.next().map(|(index, _)| index + 1);
    if duplicate {
        matches.next().map(|(index, _)| index + 1).or(first)
    } else {
        first
    }
}

/// Text with control characters replaced, safe to print on a terminal.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "[fetch]\n\n[[center]]\nid = \"a\"\nname = \"A\"\n\n[[center]]\nid = \"b\"\n\n[[center]]\nid= 'a'\n";

    #[test]
    fn finds_the_line_of_a_center() {
        assert_eq!(center_line(TEXT, "a", false), Some(4));
        assert_eq!(center_line(TEXT, "a", true), Some(11));
        assert_eq!(center_line(TEXT, "b", false), Some(8));
        assert_eq!(center_line(TEXT, "#2", false), Some(7));
        assert_eq!(center_line(TEXT, "c", false), None);
        assert_eq!(center_line(TEXT, "#0", false), None);
    }

    #[test]
    fn printable_replaces_control_characters() {
        assert_eq!(printable("a\u{1b}[2Jb\n"), "a\u{FFFD}[2Jb\u{FFFD}");
    }
}
