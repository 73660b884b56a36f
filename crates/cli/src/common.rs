//! Flags and helpers several subcommands share: where the store and config
//! are, loading the vocabulary, loading a snapshot with its records.

use anyhow::{Context, Result};
use cartwatch_diff::SnapshotView;
use cartwatch_model::Config;
use cartwatch_normalizer::Vocabulary;
use cartwatch_store::Store;
use std::path::{Path, PathBuf};

/// Where the snapshot store lives.
#[derive(clap::Args, Debug, Clone)]
pub struct StoreArg {
    /// The snapshot store folder (created when missing).
    #[arg(long, env = "CARTWATCH_STORE", default_value = "snapshots/store")]
    pub store: PathBuf,
}

impl StoreArg {
    /// Opens an existing store to read it (creating, changing and deleting
    /// nothing), naming the folder in any error.
    pub fn open(&self) -> Result<Store> {
        self.refuse_file()?;
        Store::open_read_only(&self.store)
            .with_context(|| format!("cannot open the store at {}", self.store.display()))
    }

    /// Opens the store to write to it (creating it when missing), naming the
    /// folder in any error: only `snapshot`, `run`, `import-captures`, `prune`
    /// and `fsck --repair` write.
    pub fn open_for_writing(&self) -> Result<Store> {
        self.refuse_file()?;
        Store::open(&self.store)
            .with_context(|| format!("cannot open the store at {}", self.store.display()))
    }
}

impl StoreArg {
    /// A store is a folder: a path naming a regular file (a typo, a backup
    /// archive) is an error that says so, rather than an OS error.
    fn refuse_file(&self) -> Result<()> {
        let path = &self.store;
        if path.exists() && !path.is_dir() {
            anyhow::bail!(
                "the store path {} is a file, not a folder; a store is a folder \
                 (pass --store with an existing store folder, or a new folder name \
                 for `cartwatch snapshot` to create)",
                path.display()
            );
        }
        Ok(())
    }
}

/// Which configuration file to read.
#[derive(clap::Args, Debug, Clone)]
pub struct ConfigArg {
    /// The centers to watch and the run settings.
    #[arg(long, env = "CARTWATCH_CONFIG", default_value = "config/centers.toml")]
    pub config: PathBuf,
}

impl ConfigArg {
    /// Reads and validates the configuration.
    pub fn load(&self) -> Result<Config> {
        load_config(&self.config)
    }
}

/// Reads and validates a configuration file; a file listing no center
/// (empty, cut short) is an error naming it.
pub fn load_config(path: &Path) -> Result<Config> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read the config file {} (pass --config FILE or set CARTWATCH_CONFIG)",
            path.display()
        )
    })?;
    let file = path.display().to_string();
    let config = Config::from_toml_str(&text, &file)?;
    config.require_centers(&file)?;
    Ok(config)
}

/// Which vocabulary to use.
#[derive(clap::Args, Debug, Clone)]
pub struct VocabularyArg {
    /// Products, conditions, stages and side effects to recognise
    /// [default: config/vocabulary.toml when present, else the built-in one].
    #[arg(long, env = "CARTWATCH_VOCABULARY")]
    pub vocabulary: Option<PathBuf>,
}

impl VocabularyArg {
    /// Loads the named vocabulary, the default file, or the built-in one.
    pub fn load(&self) -> Result<Vocabulary> {
        let default = PathBuf::from("config/vocabulary.toml");
        let path = match &self.vocabulary {
            Some(path) => path.clone(),
            None if default.exists() => default,
            None => return Ok(Vocabulary::builtin()),
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read the vocabulary file {}", path.display()))?;
        Ok(Vocabulary::from_toml_str(
            &text,
            &path.display().to_string(),
        )?)
    }
}

/// Loads a snapshot's manifest and records.
pub fn load_view(store: &Store, id: &str) -> Result<SnapshotView> {
    let manifest = store.manifest(id)?;
    let records = store
        .records(id)?
        .into_iter()
        .map(|(center, url, record)| ((center, url), record))
        .collect();
    Ok(SnapshotView { manifest, records })
}

/// Fails with the list of the snapshot's centers when `center` is not one of them.
pub fn require_center(manifest: &cartwatch_model::SnapshotManifest, center: &str) -> Result<()> {
    if manifest.center(center).is_none() {
        let known: Vec<&str> = manifest.centers.iter().map(|c| c.id.as_str()).collect();
        anyhow::bail!(
            "snapshot {} has no center {center:?}; it has: {}",
            manifest.id,
            known.join(", ")
        );
    }
    Ok(())
}

/// Logs to stderr, filtered by `RUST_LOG` (default: warnings, but only
/// errors from chromiumoxide, which warns about every DevTools message newer
/// than its protocol bindings: noise, not a problem of the run), coloured
/// only when stderr is a terminal (a log file or journal gets plain text).
pub fn init_logging() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,chromiumoxide=error"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}
