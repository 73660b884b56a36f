//! The store's errors: each names the store, file, snapshot or page and says what to do next.

use std::path::PathBuf;

/// What went wrong with the store; each variant says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process is writing to the store (only writers exclude each
    /// other; readers never wait).
    #[error("store {path} is in use by {holder} (another cartwatch is writing to it; wait for it to finish, or stop that process; commands that only read work meanwhile)")]
    InUse {
        /// The store folder.
        path: PathBuf,
        /// Who holds the writer lock, as its lock file says.
        holder: crate::lock::LockHolder,
    },
    /// A write was asked of a store opened only to read.
    #[error("store {path} was opened only to read; {what} needs a writer (`cartwatch snapshot`, `prune` or `fsck --repair`)")]
    ReadOnly {
        /// The store folder.
        path: PathBuf,
        /// What was asked.
        what: String,
    },
    /// The store was written in a format this version does not read.
    #[error("store {path} has format version {found}, this cartwatch reads version {supported}: {advice}")]
    Format {
        /// The store folder.
        path: PathBuf,
        /// The version found.
        found: u32,
        /// The version this build reads.
        supported: u32,
        /// What to do.
        advice: String,
    },
    /// sled failed.
    #[error("store {path}: {source}")]
    Sled {
        /// The store folder.
        path: PathBuf,
        /// The underlying error.
        source: sled::Error,
    },
    /// A file of the store could not be read or written.
    #[error("store file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// No snapshot matches what was asked for.
    #[error("no snapshot {0:?} in the store; `cartwatch snapshots` lists them (`latest`, `latest~1` and unique id prefixes work too)")]
    NoSuchSnapshot(String),
    /// A prefix matches several snapshots.
    #[error("{spec:?} matches {} snapshots ({}); give more of the id", candidates.len(), candidates.join(", "))]
    Ambiguous {
        /// What was asked for.
        spec: String,
        /// The matching ids.
        candidates: Vec<String>,
    },
    /// The folder holds no store (or an empty one) where one was expected.
    #[error("no cartwatch store at {path} (take a snapshot first with `cartwatch snapshot --store {path}`; offline: `cartwatch snapshot --from snapshots/captures/2026-10-01`)")]
    NotAStore {
        /// The folder.
        path: PathBuf,
    },
    /// The index is missing or empty while pack files are present.
    #[error("store {path} has no index (index/ is missing or empty) but packs/ holds {packs} pack file(s); nothing was changed. Rebuild the index from the packs with `cartwatch fsck --repair --store {path}`")]
    IndexMissing {
        /// The store folder.
        path: PathBuf,
        /// How many pack files are there.
        packs: usize,
    },
    /// Stored data could not be decoded.
    #[error("store {path}: corrupt entry {key}: {message}")]
    Corrupt {
        /// The store folder.
        path: PathBuf,
        /// The key that could not be read.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A blob's bytes do not match its hash (or cannot be read back).
    #[error("integrity check failed for {what}: {message} (the store file {file} is damaged; restore the store from a backup, or take a new snapshot and prune this one)")]
    Integrity {
        /// What was being read: `the body of page URL (center ID) in snapshot ID`, ...
        what: String,
        /// The pack file holding it.
        file: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A manifest names a blob the index lacks.
    #[error("store {path}: {what} (sha256 {hash}) is missing from the store; restore the store from a backup")]
    MissingBlob {
        /// The store folder.
        path: PathBuf,
        /// What was being read.
        what: String,
        /// The blob's hash.
        hash: String,
    },
}

pub(crate) type Result<T> = std::result::Result<T, StoreError>;
