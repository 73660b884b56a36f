//! `cartwatch centers`: the directory of CAR T organizations
//! (`config/directory.toml`) and the watched centers (`config/centers.toml`).
//!
//! `list` shows the directory, marking the organizations already watched;
//! `add` and `remove` edit the watch configuration in place with
//! `toml_edit`, so its comments and layout stay as they were. The edited
//! text is validated before it is written, and it is written atomically (a
//! temporary file in the same folder, then a rename): on any error the file
//! is left exactly as it was.

use crate::commands::check_config::{center_line, load_config_located, printable};
use crate::common::ConfigArg;
use anyhow::{bail, Context, Result};
use cartwatch_model::{CenterKind, Config, Directory, DirectoryEntry, DirectoryKind};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use toml_edit::{value, Array, ArrayOfTables, DocumentMut, Item, Table};

/// Flags of `cartwatch centers`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    command: CentersCommand,
}

#[derive(clap::Subcommand, Debug)]
enum CentersCommand {
    /// List the directory of CAR T organizations (`*`: already watched).
    List(ListArgs),
    /// Start watching a center: one from the directory, all of a country, or one given by name and URL.
    Add(AddArgs),
    /// Stop watching a center (its stored snapshots are kept).
    Remove(RemoveArgs),
}

/// Which directory file to read.
#[derive(clap::Args, Debug, Clone)]
struct DirectoryArg {
    /// The directory of CAR T organizations.
    #[arg(
        long,
        env = "CARTWATCH_DIRECTORY",
        default_value = "config/directory.toml"
    )]
    directory: PathBuf,
}

impl DirectoryArg {
    fn load(&self) -> Result<Directory> {
        let path = &self.directory;
        let text = std::fs::read_to_string(path).with_context(|| {
            format!(
                "cannot read the directory file {} (pass --directory FILE or set CARTWATCH_DIRECTORY)",
                path.display()
            )
        })?;
        Ok(Directory::from_toml_str(
            &text,
            &path.display().to_string(),
        )?)
    }
}

/// Which entries of the directory a command applies to.
#[derive(clap::Args, Debug, Clone)]
struct Filter {
    /// Only organizations in this country (two-letter ISO code: US, GB, CA, DE, ...).
    #[arg(long, value_parser = parse_country)]
    country: Option<String>,
    /// Only organizations of this kind.
    #[arg(long, value_parser = parse_kind)]
    kind: Option<DirectoryKind>,
}

impl Filter {
    fn accepts(&self, entry: &DirectoryEntry) -> bool {
        self.country
            .as_ref()
            .is_none_or(|c| *c == entry.location.country)
            && self.kind.is_none_or(|k| k == entry.kind)
    }
}

fn parse_country(text: &str) -> Result<String, String> {
    let upper = text.trim().to_ascii_uppercase();
    if upper.len() == 2 && upper.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(upper)
    } else {
        Err(format!(
            "{text:?} is not a two-letter ISO country code (e.g. US, GB, CA)"
        ))
    }
}

fn parse_kind(text: &str) -> Result<DirectoryKind, String> {
    if text == "cancer_center" {
        return Ok(DirectoryKind::TreatmentCenter);
    }
    DirectoryKind::parse(text).ok_or_else(|| {
        let known: Vec<&str> = DirectoryKind::ALL.iter().map(|k| k.as_str()).collect();
        format!("unknown kind {text:?}; use one of: {}", known.join(", "))
    })
}

/// Output formats of `centers list`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ListFormat {
    /// Aligned columns for a terminal.
    Table,
    /// One JSON array of objects.
    Json,
    /// RFC 4180 CSV with a header row.
    Csv,
}

#[derive(clap::Args, Debug)]
struct ListArgs {
    #[command(flatten)]
    directory: DirectoryArg,
    #[command(flatten)]
    config: ConfigArg,
    #[command(flatten)]
    filter: Filter,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: ListFormat,
}

#[derive(clap::Args, Debug)]
struct AddArgs {
    /// The id of the center to add (not with --all).
    id: Option<String>,
    /// Take the center's name, kind, location and pages from the directory.
    #[arg(long)]
    from_directory: bool,
    /// With --from-directory: add every directory entry that --country/--kind select and that is not watched yet.
    #[arg(long, requires = "from_directory", conflicts_with = "id")]
    all: bool,
    #[command(flatten)]
    filter: Filter,
    /// The center's display name (without --from-directory).
    #[arg(long, conflicts_with = "from_directory")]
    name: Option<String>,
    /// A page to watch (repeat for several; without --from-directory).
    #[arg(long = "url", conflicts_with = "from_directory")]
    urls: Vec<String>,
    /// City and region, e.g. "Tampa, FL" (without --from-directory).
    #[arg(long, conflicts_with = "from_directory")]
    location: Option<String>,
    #[command(flatten)]
    directory: DirectoryArg,
    #[command(flatten)]
    config: ConfigArg,
}

#[derive(clap::Args, Debug)]
struct RemoveArgs {
    /// The id of the center to stop watching.
    id: String,
    #[command(flatten)]
    config: ConfigArg,
}

/// Runs `centers list|add|remove`.
pub fn run(args: Args) -> Result<ExitCode> {
    match args.command {
        CentersCommand::List(args) => list(args),
        CentersCommand::Add(args) => add(args),
        CentersCommand::Remove(args) => remove(args),
    }
}

/// The ids watched in the configuration; none when the file does not exist.
fn watched_ids(config: &ConfigArg) -> Result<BTreeSet<String>> {
    if !config.config.exists() {
        return Ok(BTreeSet::new());
    }
    let (_, config) = load_config_located(&config.config)?;
    Ok(config.centers.into_iter().map(|c| c.id).collect())
}

/// One listed entry: the directory's fields and whether it is watched.
#[derive(serde::Serialize)]
struct Listed<'a> {
    #[serde(flatten)]
    entry: &'a DirectoryEntry,
    watched: bool,
}

fn list(args: ListArgs) -> Result<ExitCode> {
    let directory = args.directory.load()?;
    let watched = watched_ids(&args.config)?;
    let rows: Vec<Listed> = directory
        .organizations
        .iter()
        .filter(|e| args.filter.accepts(e))
        .map(|entry| Listed {
            entry,
            watched: watched.contains(&entry.id),
        })
        .collect();
    match args.format {
        ListFormat::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
        ListFormat::Csv => print!("{}", csv(&rows)),
        ListFormat::Table => {
            print!("{}", table(&rows));
            let watched_count = rows.iter().filter(|r| r.watched).count();
            eprintln!(
                "{} of {} organization(s) in {}; {} watched in {} (marked *); ? = no CAR T page of its own confirmed, the source page is listed",
                rows.len(),
                directory.organizations.len(),
                args.directory.directory.display(),
                watched_count,
                args.config.config.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn table(rows: &[Listed]) -> String {
    let id_width = rows
        .iter()
        .map(|r| r.entry.id.chars().count())
        .max()
        .unwrap_or(0)
        .max(2);
    let location_width = rows
        .iter()
        .map(|r| r.entry.location.display().chars().count())
        .max()
        .unwrap_or(0)
        .clamp("location".len(), 32);
    let mut out = format!(
        "  {:<id_width$}  {:<20}  {:<location_width$}  name\n",
        "id", "kind", "location"
    );
    for row in rows {
        let entry = row.entry;
        let mark = if row.watched { '*' } else { ' ' };
        let confirmed = if entry.page_confirmed { "" } else { " ?" };
        out.push_str(&format!(
            "{mark} {:<id_width$}  {:<20}  {:<location_width$}  {}{confirmed}\n",
            entry.id,
            entry.kind.as_str(),
            printable(&entry.location.display()),
            printable(&entry.name),
        ));
    }
    out
}

fn csv(rows: &[Listed]) -> String {
    use cartwatch_diff::csv::field;
    let mut out =
        String::from("id,name,kind,city,region,country,watched,page_confirmed,pages,source\r\n");
    for row in rows {
        let e = row.entry;
        let fields = [
            e.id.clone(),
            e.name.clone(),
            e.kind.as_str().to_string(),
            e.location.city.clone(),
            e.location.region.clone(),
            e.location.country.clone(),
            row.watched.to_string(),
            e.page_confirmed.to_string(),
            e.pages.join(" "),
            e.source.clone(),
        ];
        let line: Vec<String> = fields.iter().map(|f| field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// A center to append to the configuration.
struct NewCenter {
    id: String,
    name: String,
    kind: CenterKind,
    location: String,
    pages: Vec<String>,
}

impl NewCenter {
    fn from_entry(entry: &DirectoryEntry) -> NewCenter {
        NewCenter {
            id: entry.id.clone(),
            name: entry.name.clone(),
            kind: entry.kind.center_kind(),
            location: entry.location.display(),
            pages: entry.pages.clone(),
        }
    }

    /// The `[[center]]` table, preceded by a blank line.
    fn to_table(&self) -> Table {
        let mut table = Table::new();
        table["id"] = value(self.id.as_str());
        table["name"] = value(self.name.as_str());
        table["kind"] = value(match self.kind {
            CenterKind::CancerCenter => "cancer_center",
            CenterKind::PatientOrganization => "patient_organization",
        });
        if !self.location.is_empty() {
            table["location"] = value(self.location.as_str());
        }
        let pages: Array = self.pages.iter().map(String::as_str).collect();
        table["pages"] = value(pages);
        table.decor_mut().set_prefix("\n");
        table
    }
}

fn add(args: AddArgs) -> Result<ExitCode> {
    let path = args.config.config.clone();
    let (text, config) = load_config_located(&path)?;
    let watched: BTreeSet<&str> = config.centers.iter().map(|c| c.id.as_str()).collect();
    let mut skipped = Vec::new();
    let mut notes = Vec::new();
    let new_centers: Vec<NewCenter> = if args.from_directory {
        let directory = args.directory.load()?;
        let directory_name = args.directory.directory.display().to_string();
        let chosen: Vec<&DirectoryEntry> = if args.all {
            directory
                .organizations
                .iter()
                .filter(|e| args.filter.accepts(e))
                .collect()
        } else {
            if args.filter.country.is_some() || args.filter.kind.is_some() {
                bail!("--country and --kind select entries for --all; to add one center, give only its id");
            }
            let Some(id) = &args.id else {
                bail!("give the id of a directory entry (see `cartwatch centers list`), or --all");
            };
            let Some(entry) = directory.entry(id) else {
                bail!(
                    "no organization {id:?} in {directory_name}; see `cartwatch centers list` for the ids"
                );
            };
            vec![entry]
        };
        let mut centers = Vec::new();
        for entry in chosen {
            if watched.contains(entry.id.as_str()) {
                if args.all {
                    skipped.push(entry.id.clone());
                    continue;
                }
                bail!(already_watched(&path, &text, &entry.id));
            }
            if !entry.page_confirmed {
                notes.push(format!(
                    "note: {}: no CAR T page of its own was confirmed; watching the page that names it: {}",
                    entry.id,
                    entry.pages.join(" ")
                ));
            }
            centers.push(NewCenter::from_entry(entry));
        }
        centers
    } else {
        if args.all {
            bail!("--all needs --from-directory");
        }
        let Some(id) = args.id.clone() else {
            bail!("give the id of the center to add, e.g. `cartwatch centers add my-center --name \"My Center\" --url https://...`");
        };
        let Some(name) = args.name.clone() else {
            bail!(
                "give the center's --name (or use --from-directory to take it from the directory)"
            );
        };
        if args.urls.is_empty() {
            bail!("give at least one --url to watch for {id:?}");
        }
        if watched.contains(id.as_str()) {
            bail!(already_watched(&path, &text, &id));
        }
        let kind = args
            .filter
            .kind
            .map_or(CenterKind::CancerCenter, DirectoryKind::center_kind);
        vec![NewCenter {
            id,
            name,
            kind,
            location: args.location.clone().unwrap_or_default(),
            pages: args.urls.clone(),
        }]
    };

    if !new_centers.is_empty() {
        edit_config(&path, &text, |doc| {
            let centers = centers_array(doc, &path)?;
            for center in &new_centers {
                centers.push(center.to_table());
            }
            Ok(())
        })?;
    }
    for note in &notes {
        eprintln!("{}", printable(note));
    }
    match new_centers.as_slice() {
        [one] if !args.all => println!(
            "added center {:?} ({}, {} page(s)) to {}",
            one.id,
            printable(&one.name),
            one.pages.len(),
            path.display()
        ),
        _ => println!(
            "added {} center(s) to {}{}",
            new_centers.len(),
            path.display(),
            if skipped.is_empty() {
                String::new()
            } else {
                format!("; {} already watched, left as they were", skipped.len())
            }
        ),
    }
    Ok(ExitCode::SUCCESS)
}

fn already_watched(path: &Path, text: &str, id: &str) -> String {
    let at = center_line(text, id, false)
        .map(|line| format!("{}:{line}", path.display()))
        .unwrap_or_else(|| path.display().to_string());
    format!("center {id:?} is already watched ({at}); nothing was changed")
}

fn remove(args: RemoveArgs) -> Result<ExitCode> {
    let path = args.config.config.clone();
    let (text, config) = load_config_located(&path)?;
    let Some(index) = config.centers.iter().position(|c| c.id == args.id) else {
        let known: Vec<&str> = config.centers.iter().map(|c| c.id.as_str()).collect();
        bail!(
            "{} has no center {:?}; nothing was changed. Watched centers: {}",
            path.display(),
            printable(&args.id),
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        );
    };
    edit_config(&path, &text, |doc| {
        let centers = centers_array(doc, &path)?;
        // The configuration parsed, so its [[center]] tables are the
        // parsed centers, in order.
        if centers.len() != config.centers.len() {
            bail!("{} changed while it was read; try again", path.display());
        }
        centers.remove(index);
        Ok(())
    })?;
    println!(
        "removed center {:?} from {} (its stored snapshots are kept)",
        args.id,
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The configuration's `[[center]]` list, created when there is none.
fn centers_array<'a>(doc: &'a mut DocumentMut, path: &Path) -> Result<&'a mut ArrayOfTables> {
    if doc.get("center").is_none() {
        doc.insert("center", Item::ArrayOfTables(ArrayOfTables::new()));
    }
    match doc.get_mut("center") {
        Some(Item::ArrayOfTables(centers)) => Ok(centers),
        _ => bail!(
            "`center` in {} is not a list of [[center]] tables; fix the file by hand",
            path.display()
        ),
    }
}

/// Applies `change` to the configuration text, checks that the result is a
/// valid configuration, and replaces the file atomically. Nothing is written
/// when any step fails.
fn edit_config(
    path: &Path,
    text: &str,
    change: impl FnOnce(&mut DocumentMut) -> Result<()>,
) -> Result<()> {
    let mut doc: DocumentMut = text
        .parse()
        .with_context(|| format!("cannot edit {}", path.display()))?;
    change(&mut doc)?;
    let edited = doc.to_string();
    Config::from_toml_str(&edited, &path.display().to_string())
        .map_err(|error| anyhow::anyhow!("{error}; {} was not changed", path.display()))?;
    write_atomically(path, &edited)
}

/// Writes `text` to a temporary file next to `path`, flushes it to disk and
/// renames it over `path`; the old file stays whole until the rename.
fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "centers.toml".into());
    let temporary = folder.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| -> Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)
            .with_context(|| format!("cannot create {}", temporary.display()))?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .with_context(|| format!("cannot write {}", temporary.display()))?;
        if let Ok(metadata) = std::fs::metadata(path) {
            let _ = std::fs::set_permissions(&temporary, metadata.permissions());
        }
        std::fs::rename(&temporary, path).with_context(|| {
            format!(
                "cannot replace {} with {}",
                path.display(),
                temporary.display()
            )
        })
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result.with_context(|| format!("{} was not changed", path.display()))
}
