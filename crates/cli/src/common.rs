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

    /// Reads the configuration to take a snapshot with: a file listing no
    /// center (empty, cut short) is an error naming it, since a snapshot
    /// of nothing would make every watched center vanish.
    pub fn load_watch_list(&self) -> Result<Config> {
        let config = self.load()?;
        config.require_centers(&self.config.display().to_string())?;
        Ok(config)
    }
}

/// Reads and validates a configuration file.
pub fn load_config(path: &Path) -> Result<Config> {
    // Errors about a center name the line of its `id`.
    let (_, config) = crate::commands::check_config::load_config_located(path)?;
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
        .with_writer(|| CleanWriter::new(std::io::stderr()))
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

/// A writer that passes text on line by line, [`cartwatch_diff::clean`]ed:
/// no escape sequence, control or bidi character from a page, and no
/// credentials of a URL, reaches the terminal, a log or an export through
/// it. Used for every output that has no colour codes of its own (`show`,
/// `export`, the snapshot summaries, log lines, error messages).
pub struct CleanWriter<W: std::io::Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: std::io::Write> CleanWriter<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        CleanWriter {
            inner,
            pending: Vec::new(),
        }
    }

    /// Cleans and writes the complete lines held (all of them when `all`).
    fn pass_on(&mut self, all: bool) -> std::io::Result<()> {
        let end = if all {
            self.pending.len()
        } else {
            match self.pending.iter().rposition(|b| *b == b'\n') {
                Some(newline) => newline + 1,
                None => return Ok(()),
            }
        };
        if end == 0 {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&self.pending[..end]);
        let clean = cartwatch_diff::clean(&text);
        self.inner.write_all(clean.as_bytes())?;
        self.pending.drain(..end);
        Ok(())
    }
}

impl<W: std::io::Write> std::io::Write for CleanWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        // Long lines are passed on in pieces of whole characters.
        if self.pending.len() > 64 * 1024 && !self.pending.contains(&b'\n') {
            let cut = match std::str::from_utf8(&self.pending) {
                Ok(_) => self.pending.len(),
                Err(error) => error.valid_up_to(),
            };
            let text = String::from_utf8_lossy(&self.pending[..cut]).into_owned();
            self.inner
                .write_all(cartwatch_diff::clean(&text).as_bytes())?;
            self.pending.drain(..cut);
        }
        self.pass_on(false)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.pass_on(true)?;
        self.inner.flush()
    }
}

impl<W: std::io::Write> Drop for CleanWriter<W> {
    fn drop(&mut self) {
        let _ = std::io::Write::flush(self);
    }
}

/// Writes text to stdout through a [`CleanWriter`].
pub fn print_clean(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = CleanWriter::new(std::io::stdout().lock());
    out.write_all(text.as_bytes())?;
    out.flush()
}
