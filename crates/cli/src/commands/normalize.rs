//! `cartwatch normalize`: saved pages to their JSON records, one page (pretty
//! JSON, as always) or many (`--jsonl`: one record per line, with its source).

use crate::common::VocabularyArg;
use anyhow::{bail, Context, Result};
use cartwatch_model::PageRecord;
use cartwatch_normalizer::{normalize_in_country, PageInput};
use serde::Serialize;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The largest page read (also after gunzip): far above any real page.
const MAX_PAGE_BYTES: u64 = 64 * 1024 * 1024;
/// How deep a directory is searched for pages.
const MAX_DEPTH: usize = 32;

/// Flags of `cartwatch normalize`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Saved pages (bytes in any charset; `.gz` files are gunzipped) or
    /// folders, searched recursively for *.html, *.htm and their .gz (symbolic
    /// links inside folders are not followed). More than one page needs --jsonl.
    #[arg(required = true, value_name = "PAGE_OR_FOLDER")]
    files: Vec<PathBuf>,
    /// One compact JSON record per line, each with a `source` field (the file
    /// it was read from); a page that cannot be read gives a line
    /// `{"source": ..., "error": ...}` and the run goes on (exit status 2).
    #[arg(long)]
    jsonl: bool,
    /// The page's URL, recorded in the output [default: the file's path]. One page only.
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

/// One line of `--jsonl`: the record with the file it came from.
#[derive(Serialize)]
struct RecordLine<'a> {
    source: &'a str,
    #[serde(flatten)]
    record: &'a PageRecord,
}

/// One line of `--jsonl` for a page that could not be read.
#[derive(Serialize)]
struct ErrorLine<'a> {
    source: &'a str,
    error: &'a str,
}

/// Prints the record(s): pretty JSON for one page, JSON lines with --jsonl.
pub fn run(args: Args) -> Result<ExitCode> {
    let single = !args.jsonl && args.files.len() == 1 && !args.files[0].is_dir();
    if !args.jsonl && !single {
        bail!(
            "several pages (or a folder) print one record per line: add --jsonl \
             (`cartwatch normalize --jsonl {}`)",
            args.files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
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
    let page = |bytes: &[u8], url: &str| {
        normalize_in_country(
            &PageInput {
                bytes,
                url,
                content_type: args.content_type.as_deref(),
                selectors,
            },
            &vocabulary,
            country,
        )
    };

    if single {
        let file = &args.files[0];
        let bytes = read_page(file)?;
        let url = args
            .url
            .clone()
            .unwrap_or_else(|| file.display().to_string());
        let record = page(&bytes, &url);
        println!("{}", serde_json::to_string_pretty(&record)?);
        return Ok(ExitCode::SUCCESS);
    }

    let mut pages = Vec::new();
    let mut failures = 0usize;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut fail = |out: &mut BufWriter<std::io::StdoutLock<'_>>, source: &str, error: &str| {
        failures += 1;
        eprintln!("cartwatch normalize: {error}");
        serde_json::to_writer(&mut *out, &ErrorLine { source, error })?;
        out.write_all(b"\n")?;
        anyhow::Ok(())
    };
    for arg in &args.files {
        if arg.is_dir() {
            if let Err(e) = collect_pages(arg, &mut pages) {
                fail(&mut out, &arg.display().to_string(), &format!("{e:#}"))?;
            }
        } else {
            pages.push(arg.clone());
        }
    }
    if args.url.is_some() && pages.len() > 1 {
        bail!("--url names one page, but {} were given; leave it out and each record's url is its file's path", pages.len());
    }
    for file in &pages {
        let source = file.display().to_string();
        match read_page(file) {
            Ok(bytes) => {
                let url = args.url.clone().unwrap_or_else(|| source.clone());
                let record = page(&bytes, &url);
                serde_json::to_writer(
                    &mut out,
                    &RecordLine {
                        source: &source,
                        record: &record,
                    },
                )?;
                out.write_all(b"\n")?;
            }
            Err(e) => fail(&mut out, &source, &format!("{e:#}"))?,
        }
    }
    out.flush()?;
    drop(out);
    if failures > 0 {
        eprintln!(
            "cartwatch normalize: {failures} page(s) or folder(s) could not be read (their lines have an \"error\")"
        );
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

/// The page's bytes, gunzipped when the name ends in `.gz`, at most [`MAX_PAGE_BYTES`].
fn read_page(file: &Path) -> Result<Vec<u8>> {
    let opened = std::fs::File::open(file)
        .with_context(|| format!("cannot read the page {}", file.display()))?;
    let gz = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    let mut bytes = Vec::new();
    let read = if gz {
        flate2::read::MultiGzDecoder::new(opened)
            .take(MAX_PAGE_BYTES + 1)
            .read_to_end(&mut bytes)
    } else {
        opened.take(MAX_PAGE_BYTES + 1).read_to_end(&mut bytes)
    };
    read.with_context(|| {
        format!(
            "cannot read the page {}{}",
            file.display(),
            if gz { " (is it gzip?)" } else { "" }
        )
    })?;
    if bytes.len() as u64 > MAX_PAGE_BYTES {
        bail!(
            "the page {} is over {} MB{}; save the page itself, not an archive",
            file.display(),
            MAX_PAGE_BYTES / 1024 / 1024,
            if gz { " once gunzipped" } else { "" }
        );
    }
    Ok(bytes)
}

/// Whether a file name is a saved page: *.html, *.htm, or either gzipped.
fn is_page_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let base = lower.strip_suffix(".gz").unwrap_or(&lower);
    base.ends_with(".html") || base.ends_with(".htm")
}

/// Every page under `dir` (sorted by path), without following symbolic links.
fn collect_pages(dir: &Path, pages: &mut Vec<PathBuf>) -> Result<()> {
    let mut found = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), 0usize)];
    while let Some((folder, depth)) = stack.pop() {
        let entries = std::fs::read_dir(&folder)
            .with_context(|| format!("cannot list the folder {}", folder.display()))?;
        for entry in entries {
            let entry =
                entry.with_context(|| format!("cannot list the folder {}", folder.display()))?;
            let kind = entry
                .file_type()
                .with_context(|| format!("cannot read {}", entry.path().display()))?;
            let path = entry.path();
            if kind.is_dir() {
                if depth + 1 > MAX_DEPTH {
                    bail!(
                        "{} is more than {MAX_DEPTH} folders deep; point normalize at a folder nearer the pages",
                        path.display()
                    );
                }
                stack.push((path, depth + 1));
            } else if kind.is_file() && is_page_name(&entry.file_name().to_string_lossy()) {
                found.push(path);
            }
        }
    }
    found.sort();
    pages.extend(found);
    Ok(())
}
