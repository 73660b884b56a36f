//! `cartwatch normalize`: one saved page to its JSON record.

use crate::common::VocabularyArg;
use anyhow::{Context, Result};
use cartwatch_normalizer::{normalize_in_country, PageInput};
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `cartwatch normalize`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The saved page (bytes in any charset).
    file: PathBuf,
    /// The page's URL, recorded in the output [default: the file's path].
    #[arg(long)]
    url: Option<String>,
    /// The center id, to apply its selector overrides from the config.
    #[arg(long)]
    center: Option<String>,
    /// The HTTP Content-Type the page was served with (its charset wins).
    #[arg(long)]
    content_type: Option<String>,
    /// The config holding the center's selector overrides (with --center).
    #[arg(long, env = "CARTWATCH_CONFIG", default_value = "config/centers.toml")]
    config: PathBuf,
    #[command(flatten)]
    vocabulary: VocabularyArg,
}

/// Prints the record as pretty JSON.
pub fn run(args: Args) -> Result<ExitCode> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read the page {}", args.file.display()))?;
    let vocabulary = args.vocabulary.load()?;
    let config = match &args.center {
        Some(_) => Some(crate::common::load_config(&args.config)?),
        None => None,
    };
    let center = match (&config, &args.center) {
        (Some(config), Some(id)) => Some(config.center(id).with_context(|| {
            format!(
                "no center {id:?} in {}; `--center` takes an id from the config",
                args.config.display()
            )
        })?),
        _ => None,
    };
    let selectors = center.and_then(|c| c.selectors.as_ref());
    // Numbers without a country code are read in the center's country.
    let country = center.and_then(|c| c.country.as_deref());
    let url = args
        .url
        .clone()
        .unwrap_or_else(|| args.file.display().to_string());
    let record = normalize_in_country(
        &PageInput {
            bytes: &bytes,
            url: &url,
            content_type: args.content_type.as_deref(),
            selectors,
        },
        &vocabulary,
        country,
    );
    println!("{}", serde_json::to_string_pretty(&record)?);
    Ok(ExitCode::SUCCESS)
}
