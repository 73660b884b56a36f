//! Snapshot storage: content-addressed, compressed, crash-safe.
//!
//! A store is a folder:
//!
//! ```text
//! store/
//!   cartwatch.lock   advisory lock holding the PID of the process using the store
//!   index/           sled: blob index, pack registry, snapshot entries, format version
//!   packs/           append-only pack files of zstd-compressed blobs (see below)
//! ```
//!
//! Every page body, every normalized record and every snapshot manifest is a
//! *blob*, addressed by the SHA-256 of its uncompressed bytes and stored once,
//! zstd-compressed, in a pack file (one per snapshot that added something). An
//! unchanged page or record costs nothing new; a changed body stored with
//! [`SnapshotWriter::put_page_body`] is compressed against the page's previous
//! body when that is much smaller (pages whose scripts or dates churn daily
//! cost a few hundred bytes a day). The sled index maps hashes to pack
//! locations and holds one small summary per snapshot (what `cartwatch
//! snapshots` lists without reading any blob); a snapshot entry names its
//! manifest blob, which lists the pages with their body hashes and the
//! records' hashes (as a delta against an earlier full index), so a
//! snapshot's records load without touching bodies.
//!
//! Sled holds only the index: page bodies in sled's own log would be rewritten
//! with its tree nodes and carry its space overhead, while append-only packs
//! cost a 45-byte header per blob.
//!
//! **Whole or absent.** A snapshot writes its new blobs into a fresh pack
//! file, fsyncs it, then registers the pack, indexes its blobs and lists the
//! snapshot in *one* atomic sled batch, then flushes. A crash before the batch
//! leaves an unregistered pack file that the next [`Store::open`] deletes; a
//! crash after leaves a whole snapshot. [`Store::prune`] drops snapshot
//! entries first, then rewrites the packs holding unreferenced blobs; an
//! interrupted prune is finished by the next open.
//!
//! **One process at a time.** [`Store::open`] takes an exclusive lock on
//! `cartwatch.lock` before opening sled and writes its PID there; a second
//! process gets [`StoreError::InUse`] naming that PID.
//!
//! **Integrity.** Every blob is verified against its hash when read; a
//! mismatch is [`StoreError::Integrity`], naming the snapshot, center and page
//! when the read was for one.
//!
//! **Crash-test hook.** With `CARTWATCH_FAILPOINT` set to one of
//! [`FAILPOINTS`], the process kills itself with SIGKILL at that point (tests
//! use it to prove the guarantees above through the real binary).
#![deny(missing_docs)]

mod ids;
mod pack;
pub mod warc;

pub use ids::next_id;
pub use pack::{BlobKind, Location};

use cartwatch_model::{CenterSnapshot, PageRecord, PageSnapshot, SnapshotManifest, SnapshotSource};
use fs2::FileExt;
use pack::{pack_number, pack_path, HEADER_LEN};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{Read, Seek, Write};
use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The store format this version reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// The crash-test points `CARTWATCH_FAILPOINT` accepts, in the order a
/// snapshot (then a prune) passes them:
/// - `after_bodies`: the first page's body is in the new pack, records are not;
/// - `after_records`: every body and record is in the pack (not yet synced);
/// - `before_manifest`: the pack is synced; the atomic batch listing the
///   snapshot is not applied;
/// - `after_manifest`: the batch is applied but not flushed;
/// - `prune_after_drop`: prune removed the snapshot entries, blobs still there;
/// - `prune_before_delete`: packs rewritten and indexed, old pack files not deleted.
pub const FAILPOINTS: [&str; 6] = [
    "after_bodies",
    "after_records",
    "before_manifest",
    "after_manifest",
    "prune_after_drop",
    "prune_before_delete",
];

const LOCK_FILE: &str = "cartwatch.lock";
const KEY_FORMAT: &[u8] = b"meta/format";
const KEY_GC_PENDING: &[u8] = b"meta/gc_pending";
const PREFIX_BLOB: &[u8] = b"b/";
const PREFIX_PACK: &[u8] = b"p/";
const PREFIX_SNAPSHOT: &[u8] = b"s/";

/// What went wrong with the store; each variant says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process holds the store.
    #[error("store {path} is in use by PID {pid} (another cartwatch is running on it; wait for it to finish, or stop that process)", pid = pid.map(|p| p.to_string()).unwrap_or_else(|| "unknown".into()))]
    InUse {
        /// The store folder.
        path: PathBuf,
        /// The PID written in the lock file, when readable.
        pid: Option<u32>,
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

type Result<T> = std::result::Result<T, StoreError>;

/// One line of `cartwatch snapshots`: what a snapshot holds, without loading it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotSummary {
    /// The snapshot id.
    pub id: String,
    /// When it was committed, RFC 3339 UTC.
    pub created_at: String,
    /// Where its pages came from.
    pub source: SnapshotSource,
    /// How many centers.
    pub centers: usize,
    /// Pages whose fetch carried content.
    pub pages_ok: usize,
    /// Pages whose fetch failed.
    pub pages_failed: usize,
    /// Bytes the snapshot added to the store (compressed bodies and records).
    pub bytes_new: u64,
}

/// The sled value of a snapshot entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SnapshotEntry {
    summary: SnapshotSummary,
    /// Hash of the [`StoredSnapshot`] blob.
    blob: String,
}

/// A snapshot's manifest blob: the manifest and where each record is.
///
/// The record index is stored as a delta: `records` lists only the pages
/// whose record differs from the full index in the `records_base` blob (an
/// earlier snapshot's manifest blob). With 5% of pages changing a day, this
/// keeps each day's index small; a full index is written when more than half
/// the pages differ, or when there is no earlier snapshot.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredSnapshot {
    manifest: SnapshotManifest,
    records: Vec<RecordRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    records_base: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct RecordRef {
    center: String,
    url: String,
    sha256: String,
}

/// Which snapshots [`Store::prune`] removes. The newest is always kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrunePolicy {
    /// Keep the newest N (at least one).
    Keep(usize),
    /// Remove snapshots created longer ago than this.
    OlderThan(std::time::Duration),
}

/// What a prune did (or, for a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PruneReport {
    /// Snapshot ids removed, oldest first.
    pub removed: Vec<String>,
    /// Snapshots left.
    pub kept: usize,
    /// What garbage collection reclaimed.
    pub gc: GcReport,
}

/// What garbage collection did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GcReport {
    /// Unreferenced blobs removed.
    pub blobs_removed: usize,
    /// Pack bytes (headers included) those blobs took.
    pub bytes_reclaimed: u64,
    /// Pack files deleted (rewritten or emptied).
    pub packs_deleted: usize,
}

/// An open store, held exclusively by this process until dropped.
pub struct Store {
    path: PathBuf,
    packs_dir: PathBuf,
    db: sled::Db,
    open_packs: Mutex<HashMap<u64, Arc<File>>>,
    snapshots: Mutex<HashMap<String, Arc<StoredSnapshot>>>,
    // Declared last: released after sled is closed.
    _lock: File,
}

impl Store {
    /// Opens (creating if needed) the store in this folder: takes the lock,
    /// checks the format, deletes leftovers of an interrupted snapshot and
    /// finishes an interrupted prune.
    pub fn open(path: &Path) -> Result<Store> {
        let io = |p: &Path| {
            let p = p.to_path_buf();
            move |source| StoreError::Io { path: p, source }
        };
        std::fs::create_dir_all(path).map_err(io(path))?;
        let lock = lock_store(path)?;
        // Format 0 (the first development build): sled at the folder's root
        // with bodies, records and manifests trees. Migrated in place; an
        // interrupted migration starts over.
        let format0 = if path.join("conf").exists() && path.join("db").exists() {
            let failed = |message: String| {
                StoreError::Format {
                path: path.to_path_buf(),
                found: 0,
                supported: FORMAT_VERSION,
                advice: format!("migrating it failed ({message}); move the folder aside and take new snapshots (`cartwatch import-captures DIR` stores capture folders)"),
            }
            };
            let old = sled::open(path).map_err(|e| failed(e.to_string()))?;
            for dir in ["index", "packs"] {
                let dir = path.join(dir);
                if dir.exists() {
                    std::fs::remove_dir_all(&dir).map_err(io(&dir))?;
                }
            }
            Some((old, failed))
        } else {
            None
        };
        let packs_dir = path.join("packs");
        std::fs::create_dir_all(&packs_dir).map_err(io(&packs_dir))?;
        let sled_err = |source| StoreError::Sled {
            path: path.to_path_buf(),
            source,
        };
        let db = sled::Config::new()
            .path(path.join("index"))
            .open()
            .map_err(sled_err)?;
        let store = Store {
            path: path.to_path_buf(),
            packs_dir,
            db,
            open_packs: Mutex::new(HashMap::new()),
            snapshots: Mutex::new(HashMap::new()),
            _lock: lock,
        };
        store.check_format()?;
        store.delete_unregistered_packs()?;
        if store.get(KEY_GC_PENDING)?.is_some() {
            store.collect_garbage()?;
        }
        if let Some((old, failed)) = format0 {
            store
                .migrate_format0(&old)
                .map_err(|e| failed(e.to_string()))?;
            drop(old);
            retire_format0(path).map_err(io(path))?;
        }
        Ok(store)
    }

    /// Copies every snapshot of a format-0 store (ids, sources, pages,
    /// bodies, records) into this one.
    fn migrate_format0(&self, old: &sled::Db) -> Result<()> {
        let sled_err = |e| self.sled_err(e);
        let manifests = old.open_tree("manifests").map_err(sled_err)?;
        let bodies = old.open_tree("bodies").map_err(sled_err)?;
        let records = old.open_tree("records").map_err(sled_err)?;
        for kv in manifests.iter() {
            let (key, value) = kv.map_err(sled_err)?;
            let key = String::from_utf8_lossy(&key).into_owned();
            let manifest: SnapshotManifest =
                self.decode(&format!("format-0 manifest {key}"), &value)?;
            let mut writer = self.writer(
                manifest.id.clone(),
                manifest.created_at.clone(),
                manifest.source.clone(),
            )?;
            for center in &manifest.centers {
                for page in &center.pages {
                    if let Some(hash) = &page.body_sha256 {
                        let body =
                            bodies
                                .get(hash.as_bytes())
                                .map_err(sled_err)?
                                .ok_or_else(|| StoreError::MissingBlob {
                                    path: self.path.clone(),
                                    what: format!(
                                        "the format-0 body of page {} (center {}) in snapshot {}",
                                        page.url, center.id, manifest.id
                                    ),
                                    hash: hash.clone(),
                                })?;
                        let stored = writer.put_page_body(&center.id, &page.url, &body)?;
                        if &stored != hash {
                            return Err(StoreError::Integrity {
                                what: format!(
                                    "the format-0 body of page {} (center {}) in snapshot {}",
                                    page.url, center.id, manifest.id
                                ),
                                file: self.path.join("db"),
                                message: format!("it hashes to {stored}, expected {hash}"),
                            });
                        }
                    }
                    let record_key = format!("{}\0{}\0{}", manifest.id, center.id, page.url);
                    if let Some(value) = records.get(record_key.as_bytes()).map_err(sled_err)? {
                        let record: PageRecord =
                            self.decode(&format!("format-0 record {}", page.url), &value)?;
                        writer.put_record(&center.id, &page.url, &record)?;
                    }
                }
            }
            writer.commit(manifest.centers.clone())?;
        }
        Ok(())
    }

    /// The store folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sled_err(&self, source: sled::Error) -> StoreError {
        StoreError::Sled {
            path: self.path.clone(),
            source,
        }
    }

    fn io_err(&self, path: &Path) -> impl FnOnce(std::io::Error) -> StoreError {
        let path = path.to_path_buf();
        move |source| StoreError::Io { path, source }
    }

    fn get(&self, key: &[u8]) -> Result<Option<sled::IVec>> {
        self.db.get(key).map_err(|e| self.sled_err(e))
    }

    fn check_format(&self) -> Result<()> {
        match self.get(KEY_FORMAT)? {
            None => {
                if self.db.iter().next().is_some() {
                    return Err(StoreError::Corrupt {
                        path: self.path.clone(),
                        key: "meta/format".into(),
                        message: "the index has entries but no format version".into(),
                    });
                }
                self.db
                    .insert(KEY_FORMAT, &FORMAT_VERSION.to_be_bytes())
                    .map_err(|e| self.sled_err(e))?;
                self.flush()
            }
            Some(v) => {
                let found = <[u8; 4]>::try_from(v.as_ref())
                    .map(u32::from_be_bytes)
                    .map_err(|_| StoreError::Corrupt {
                        path: self.path.clone(),
                        key: "meta/format".into(),
                        message: "not a 4-byte version".into(),
                    })?;
                if found == FORMAT_VERSION {
                    Ok(())
                } else if found > FORMAT_VERSION {
                    Err(StoreError::Format {
                        path: self.path.clone(),
                        found,
                        supported: FORMAT_VERSION,
                        advice: "it was written by a newer cartwatch; upgrade cartwatch to read it"
                            .into(),
                    })
                } else {
                    Err(StoreError::Format {
                        path: self.path.clone(),
                        found,
                        supported: FORMAT_VERSION,
                        advice: "no migration from that version exists; move the folder aside and take new snapshots".into(),
                    })
                }
            }
        }
    }

    /// Registered pack numbers.
    fn registered_packs(&self) -> Result<Vec<u64>> {
        self.db
            .scan_prefix(PREFIX_PACK)
            .keys()
            .map(|k| {
                let k = k.map_err(|e| self.sled_err(e))?;
                k.get(PREFIX_PACK.len()..)
                    .and_then(|b| <[u8; 8]>::try_from(b).ok())
                    .map(u64::from_be_bytes)
                    .ok_or_else(|| StoreError::Corrupt {
                        path: self.path.clone(),
                        key: String::from_utf8_lossy(&k).into_owned(),
                        message: "bad pack key".into(),
                    })
            })
            .collect()
    }

    /// Pack numbers of the `*.pack` files on disk.
    fn packs_on_disk(&self) -> Result<Vec<(u64, PathBuf)>> {
        let dir = std::fs::read_dir(&self.packs_dir).map_err(self.io_err(&self.packs_dir))?;
        let mut out = Vec::new();
        for entry in dir {
            let entry = entry.map_err(self.io_err(&self.packs_dir))?;
            if let Some(n) = entry.file_name().to_str().and_then(pack_number) {
                out.push((n, entry.path()));
            }
        }
        Ok(out)
    }

    /// Deletes pack files no sled entry registers: what an interrupted
    /// snapshot or prune left.
    fn delete_unregistered_packs(&self) -> Result<()> {
        let registered: HashSet<u64> = self.registered_packs()?.into_iter().collect();
        for (n, path) in self.packs_on_disk()? {
            if !registered.contains(&n) {
                std::fs::remove_file(&path).map_err(self.io_err(&path))?;
            }
        }
        Ok(())
    }

    /// Starts a snapshot; nothing is listed until [`SnapshotWriter::commit`].
    pub fn begin_snapshot(&self, source: SnapshotSource) -> Result<SnapshotWriter<'_>> {
        let now = time::OffsetDateTime::now_utc();
        let newest = self.ids()?.pop();
        let id = next_id(now, newest.as_deref());
        let created_at = id.get(..20).unwrap_or(&id).to_string();
        self.writer(id, created_at, source)
    }

    fn writer(
        &self,
        id: String,
        created_at: String,
        source: SnapshotSource,
    ) -> Result<SnapshotWriter<'_>> {
        let pack_no = self
            .registered_packs()?
            .into_iter()
            .chain(self.packs_on_disk()?.into_iter().map(|(n, _)| n))
            .max()
            .unwrap_or(0)
            + 1;
        Ok(SnapshotWriter {
            store: self,
            id,
            created_at,
            source,
            pack_no,
            pack: None,
            offset: 0,
            new_blobs: HashMap::new(),
            records: BTreeMap::new(),
            previous_bodies: None,
            bytes_new: 0,
            committed: false,
        })
    }

    fn entries(&self) -> Result<Vec<SnapshotEntry>> {
        self.db
            .scan_prefix(PREFIX_SNAPSHOT)
            .map(|kv| {
                let (k, v) = kv.map_err(|e| self.sled_err(e))?;
                self.decode(&String::from_utf8_lossy(&k), &v)
            })
            .collect()
    }

    fn entry(&self, id: &str) -> Result<SnapshotEntry> {
        let key = [PREFIX_SNAPSHOT, id.as_bytes()].concat();
        let value = self
            .get(&key)?
            .ok_or_else(|| StoreError::NoSuchSnapshot(id.to_string()))?;
        self.decode(id, &value)
    }

    /// Every committed snapshot id, oldest first.
    pub fn ids(&self) -> Result<Vec<String>> {
        self.db
            .scan_prefix(PREFIX_SNAPSHOT)
            .keys()
            .map(|k| {
                k.map(|k| String::from_utf8_lossy(&k[PREFIX_SNAPSHOT.len()..]).into_owned())
                    .map_err(|e| self.sled_err(e))
            })
            .collect()
    }

    /// A summary of every committed snapshot, oldest first (cheap: reads no blobs).
    pub fn summaries(&self) -> Result<Vec<SnapshotSummary>> {
        Ok(self.entries()?.into_iter().map(|e| e.summary).collect())
    }

    /// Every committed snapshot's manifest, oldest first.
    pub fn list(&self) -> Result<Vec<SnapshotManifest>> {
        self.ids()?
            .iter()
            .map(|id| Ok(self.stored(id)?.manifest.clone()))
            .collect()
    }

    /// Resolves `latest`, `latest~N`, an id or a unique id prefix to an id.
    pub fn resolve(&self, spec: &str) -> Result<String> {
        ids::resolve(&self.ids()?, spec).map_err(|e| match e {
            ids::ResolveError::NotFound => StoreError::NoSuchSnapshot(spec.to_string()),
            ids::ResolveError::Ambiguous(candidates) => StoreError::Ambiguous {
                spec: spec.to_string(),
                candidates,
            },
        })
    }

    /// The manifest blob of a snapshot, decoded once per process.
    fn stored(&self, id: &str) -> Result<Arc<StoredSnapshot>> {
        let entry = self.entry(id)?;
        self.stored_blob(&entry.blob, &format!("the manifest of snapshot {id}"))
    }

    /// A manifest blob by its hash, decoded once per process.
    fn stored_blob(&self, hash: &str, what: &str) -> Result<Arc<StoredSnapshot>> {
        if let Some(s) = self.lock_cache().get(hash) {
            return Ok(s.clone());
        }
        let bytes = self
            .load_blob(hash, what)?
            .ok_or_else(|| StoreError::MissingBlob {
                path: self.path.clone(),
                what: what.to_string(),
                hash: hash.to_string(),
            })?;
        let stored: StoredSnapshot = self.decode(what, &bytes)?;
        let stored = Arc::new(stored);
        self.lock_cache().insert(hash.to_string(), stored.clone());
        Ok(stored)
    }

    /// Every record reference of a snapshot (its delta applied to its base),
    /// in manifest order, for the pages flagged as having a record.
    fn record_refs(&self, id: &str, stored: &StoredSnapshot) -> Result<Vec<RecordRef>> {
        let base = match &stored.records_base {
            Some(hash) => {
                Some(self.stored_blob(hash, &format!("the record index snapshot {id} builds on"))?)
            }
            None => None,
        };
        let mut map: HashMap<(&str, &str), &str> = HashMap::new();
        for r in base.iter().flat_map(|b| b.records.iter()) {
            map.insert((&r.center, &r.url), &r.sha256);
        }
        for r in &stored.records {
            map.insert((&r.center, &r.url), &r.sha256);
        }
        Ok(stored
            .manifest
            .centers
            .iter()
            .flat_map(|c| c.pages.iter().map(move |p| (c, p)))
            .filter(|(_, p)| p.has_record)
            .filter_map(|(c, p)| {
                map.get(&(c.id.as_str(), p.url.as_str()))
                    .map(|sha| RecordRef {
                        center: c.id.clone(),
                        url: p.url.clone(),
                        sha256: sha.to_string(),
                    })
            })
            .collect())
    }

    fn lock_cache(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<StoredSnapshot>>> {
        self.snapshots.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The manifest of a snapshot (by exact id).
    pub fn manifest(&self, id: &str) -> Result<SnapshotManifest> {
        Ok(self.stored(id)?.manifest.clone())
    }

    /// The summary of a snapshot (by exact id).
    pub fn summary(&self, id: &str) -> Result<SnapshotSummary> {
        Ok(self.entry(id)?.summary)
    }

    /// The record of one page in a snapshot, verified against its hash.
    pub fn record(&self, id: &str, center: &str, url: &str) -> Result<Option<PageRecord>> {
        let stored = self.stored(id)?;
        match self
            .record_refs(id, &stored)?
            .iter()
            .find(|r| r.center == center && r.url == url)
        {
            Some(r) => Ok(Some(self.load_record(id, r)?)),
            None => Ok(None),
        }
    }

    fn load_record(&self, id: &str, r: &RecordRef) -> Result<PageRecord> {
        let what = format!(
            "the record of page {} (center {}) in snapshot {id}",
            r.url, r.center
        );
        let bytes = self
            .load_blob(&r.sha256, &what)?
            .ok_or_else(|| StoreError::MissingBlob {
                path: self.path.clone(),
                what: what.clone(),
                hash: r.sha256.clone(),
            })?;
        self.decode(&what, &bytes)
    }

    /// Every record of a snapshot as (center, url, record), sorted by center
    /// and URL; reads no bodies. Records are read, verified and decoded on
    /// every core.
    pub fn records(&self, id: &str) -> Result<Vec<(String, String, PageRecord)>> {
        let stored = self.stored(id)?;
        let refs = self.record_refs(id, &stored)?;
        let load = |chunk: &[RecordRef]| {
            chunk
                .iter()
                .map(|r| Ok((r.center.clone(), r.url.clone(), self.load_record(id, r)?)))
                .collect::<Result<Vec<_>>>()
        };
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        let chunk = refs.len().div_ceil(threads).max(64);
        let mut out = Vec::with_capacity(refs.len());
        if refs.len() <= chunk {
            out = load(&refs)?;
        } else {
            let parts: Vec<Result<Vec<_>>> = std::thread::scope(|scope| {
                let handles: Vec<_> = refs
                    .chunks(chunk)
                    .map(|c| scope.spawn(move || load(c)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                    .collect()
            });
            for part in parts {
                out.extend(part?);
            }
        }
        out.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        Ok(out)
    }

    /// The newest committed entry for this page that carried content, with its
    /// snapshot id: the validators and body a conditional fetch reuses.
    pub fn previous_page(&self, center: &str, url: &str) -> Result<Option<(String, PageSnapshot)>> {
        for id in self.ids()?.into_iter().rev() {
            let stored = self.stored(&id)?;
            let page = stored.manifest.center(center).and_then(|c| {
                c.pages
                    .iter()
                    .find(|p| p.url == url && p.outcome.has_content())
            });
            if let Some(page) = page {
                return Ok(Some((id, page.clone())));
            }
        }
        Ok(None)
    }

    /// A body by its SHA-256 (hex), verified against it; `None` when the
    /// store has no such body.
    pub fn body(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        self.load_blob(sha256, &format!("the body with sha256 {sha256}"))
    }

    /// The body of one page of a snapshot, verified against its hash; an
    /// error names the snapshot and page. `None` when the page has no body.
    pub fn page_body(&self, id: &str, center: &str, url: &str) -> Result<Option<Vec<u8>>> {
        let stored = self.stored(id)?;
        let page = stored
            .manifest
            .center(center)
            .and_then(|c| c.pages.iter().find(|p| p.url == url));
        let Some(hash) = page.and_then(|p| p.body_sha256.clone()) else {
            return Ok(None);
        };
        let what = format!("the body of page {url} (center {center}) in snapshot {id}");
        match self.load_blob(&hash, &what)? {
            Some(body) => Ok(Some(body)),
            None => Err(StoreError::MissingBlob {
                path: self.path.clone(),
                what,
                hash,
            }),
        }
    }

    /// Where a blob is stored: its pack file and location (for diagnostics
    /// and damage tests); `None` when the store has no such blob.
    pub fn locate(&self, sha256: &str) -> Result<Option<(PathBuf, Location)>> {
        let Some(hash) = parse_hash(sha256) else {
            return Ok(None);
        };
        Ok(self
            .location(&hash)?
            .map(|loc| (pack_path(&self.packs_dir, loc.pack), loc)))
    }

    fn location(&self, hash: &[u8; 32]) -> Result<Option<Location>> {
        let key = [PREFIX_BLOB, hash.as_slice()].concat();
        match self.get(&key)? {
            None => Ok(None),
            Some(v) => Location::decode(&v)
                .map(Some)
                .ok_or_else(|| StoreError::Corrupt {
                    path: self.path.clone(),
                    key: format!("blob {}", hex::encode(hash)),
                    message: "bad location".into(),
                }),
        }
    }

    /// The base body a delta entry was compressed against.
    fn delta_base(&self, loc: &Location) -> Result<Option<[u8; 32]>> {
        if loc.kind != BlobKind::BodyDelta {
            return Ok(None);
        }
        let mut base = [0u8; 32];
        let path = pack_path(&self.packs_dir, loc.pack);
        self.pack_file(loc.pack)?
            .read_exact_at(&mut base, loc.offset)
            .map_err(self.io_err(&path))?;
        Ok(Some(base))
    }

    fn pack_file(&self, n: u64) -> Result<Arc<File>> {
        let mut open = self.open_packs.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(f) = open.get(&n) {
            return Ok(f.clone());
        }
        let path = pack_path(&self.packs_dir, n);
        let file = Arc::new(File::open(&path).map_err(self.io_err(&path))?);
        open.insert(n, file.clone());
        Ok(file)
    }

    /// Reads, decompresses and verifies one blob; `what` names it in errors.
    fn load_blob(&self, sha256: &str, what: &str) -> Result<Option<Vec<u8>>> {
        let Some(hash) = parse_hash(sha256) else {
            return Ok(None);
        };
        let Some(loc) = self.location(&hash)? else {
            return Ok(None);
        };
        self.read_verified(&hash, &loc, what).map(Some)
    }

    fn read_verified(&self, hash: &[u8; 32], loc: &Location, what: &str) -> Result<Vec<u8>> {
        let file_path = pack_path(&self.packs_dir, loc.pack);
        let integrity = |message: String| StoreError::Integrity {
            what: what.to_string(),
            file: file_path.clone(),
            message,
        };
        let file = self.pack_file(loc.pack)?;
        let mut data = vec![0u8; loc.compressed_len as usize];
        file.read_exact_at(&mut data, loc.offset)
            .map_err(|e| integrity(format!("cannot read the stored bytes: {e}")))?;
        let raw = if loc.kind == BlobKind::BodyDelta {
            let (base_hash, frame) = split_delta(&data)
                .ok_or_else(|| integrity("a delta entry is shorter than its base hash".into()))?;
            let base_loc = match self.location(&base_hash)? {
                Some(l) if l.kind == BlobKind::Body => l,
                _ => {
                    return Err(integrity(format!(
                        "its base body {} is missing",
                        hex::encode(base_hash)
                    )))
                }
            };
            let base = self.read_verified(&base_hash, &base_loc, &format!("{what} (its base)"))?;
            pack::decompress_with_base(frame, loc.raw_len, &base)
        } else {
            pack::decompress(&data, loc.raw_len)
        }
        .map_err(|e| integrity(format!("the stored bytes do not decompress: {e}")))?;
        let actual: [u8; 32] = Sha256::digest(&raw).into();
        if &actual != hash || raw.len() != loc.raw_len as usize {
            return Err(integrity(format!(
                "the stored bytes hash to sha256 {}, expected {}",
                hex::encode(actual),
                hex::encode(hash)
            )));
        }
        Ok(raw)
    }

    fn decode<T: serde::de::DeserializeOwned>(&self, key: &str, value: &[u8]) -> Result<T> {
        serde_json::from_slice(value).map_err(|e| StoreError::Corrupt {
            path: self.path.clone(),
            key: key.to_string(),
            message: e.to_string(),
        })
    }

    /// Flushes the index to disk.
    pub fn flush(&self) -> Result<()> {
        self.db.flush().map_err(|e| self.sled_err(e))?;
        Ok(())
    }

    /// Bytes the store folder takes on disk (every file, lock and index included).
    pub fn disk_size(&self) -> Result<u64> {
        dir_size(&self.path).map_err(self.io_err(&self.path))
    }

    /// Which snapshots a prune with this policy removes (oldest first); never the newest.
    pub fn prune_plan(&self, policy: PrunePolicy) -> Result<Vec<String>> {
        let summaries = self.summaries()?;
        let Some((_newest, older)) = summaries.split_last() else {
            return Ok(Vec::new());
        };
        Ok(match policy {
            PrunePolicy::Keep(n) => {
                let remove = summaries.len().saturating_sub(n.max(1));
                older[..remove].iter().map(|s| s.id.clone()).collect()
            }
            PrunePolicy::OlderThan(age) => {
                let cutoff = time::OffsetDateTime::now_utc() - age;
                older
                    .iter()
                    .filter(|s| {
                        time::OffsetDateTime::parse(
                            &s.created_at,
                            &time::format_description::well_known::Rfc3339,
                        )
                        .is_ok_and(|t| t < cutoff)
                    })
                    .map(|s| s.id.clone())
                    .collect()
            }
        })
    }

    /// Removes the snapshots the policy selects (never the newest) and
    /// reclaims the space of blobs no remaining snapshot references.
    pub fn prune(&mut self, policy: PrunePolicy) -> Result<PruneReport> {
        let removed = self.prune_plan(policy)?;
        let mut batch = sled::Batch::default();
        for id in &removed {
            batch.remove([PREFIX_SNAPSHOT, id.as_bytes()].concat());
        }
        batch.insert(KEY_GC_PENDING, &[]);
        self.db.apply_batch(batch).map_err(|e| self.sled_err(e))?;
        self.flush()?;
        failpoint("prune_after_drop");
        let gc = self.collect_garbage()?;
        Ok(PruneReport {
            kept: self.ids()?.len(),
            removed,
            gc,
        })
    }

    /// Removes blobs no snapshot references, rewriting the packs that held
    /// them; deletes unregistered pack files.
    pub fn collect_garbage(&self) -> Result<GcReport> {
        self.db
            .insert(KEY_GC_PENDING, &[])
            .map_err(|e| self.sled_err(e))?;
        self.flush()?;
        // Everything the remaining snapshots reference.
        let mut referenced: HashSet<[u8; 32]> = HashSet::new();
        for entry in self.entries()? {
            let id = &entry.summary.id;
            if let Some(h) = parse_hash(&entry.blob) {
                referenced.insert(h);
            }
            let stored = self.stored(id)?;
            for page in stored.manifest.pages() {
                if let Some(h) = page.body_sha256.as_deref().and_then(parse_hash) {
                    referenced.insert(h);
                }
            }
            for r in self.record_refs(id, &stored)? {
                if let Some(h) = parse_hash(&r.sha256) {
                    referenced.insert(h);
                }
            }
            if let Some(h) = stored.records_base.as_deref().and_then(parse_hash) {
                referenced.insert(h);
            }
        }
        // Every indexed blob; the bases of referenced deltas are referenced too.
        let mut all: Vec<([u8; 32], Location)> = Vec::new();
        for kv in self.db.scan_prefix(PREFIX_BLOB) {
            let (k, v) = kv.map_err(|e| self.sled_err(e))?;
            let hash: [u8; 32] =
                k[PREFIX_BLOB.len()..]
                    .try_into()
                    .map_err(|_| StoreError::Corrupt {
                        path: self.path.clone(),
                        key: String::from_utf8_lossy(&k).into_owned(),
                        message: "bad blob key".into(),
                    })?;
            let loc = Location::decode(&v).ok_or_else(|| StoreError::Corrupt {
                path: self.path.clone(),
                key: format!("blob {}", hex::encode(hash)),
                message: "bad location".into(),
            })?;
            all.push((hash, loc));
        }
        for (hash, loc) in &all {
            if referenced.contains(hash) {
                if let Some(base) = self.delta_base(loc)? {
                    referenced.insert(base);
                }
            }
        }
        // Live and dead blobs, by pack.
        let mut live: BTreeMap<u64, Vec<([u8; 32], Location)>> = BTreeMap::new();
        let mut dead: BTreeMap<u64, Vec<([u8; 32], Location)>> = BTreeMap::new();
        for (hash, loc) in all {
            let side = if referenced.contains(&hash) {
                &mut live
            } else {
                &mut dead
            };
            side.entry(loc.pack).or_default().push((hash, loc));
        }
        let registered = self.registered_packs()?;
        let mut report = GcReport::default();
        // Packs to retire: those holding dead blobs, and registered packs
        // holding nothing at all.
        let retire: Vec<u64> = registered
            .iter()
            .copied()
            .filter(|n| dead.contains_key(n) || !live.contains_key(n))
            .collect();
        let mut batch = sled::Batch::default();
        if !retire.is_empty() {
            let moving: Vec<([u8; 32], Location)> = retire
                .iter()
                .flat_map(|n| live.get(n).cloned().unwrap_or_default())
                .collect();
            if !moving.is_empty() {
                let new_no = registered
                    .iter()
                    .copied()
                    .chain(self.packs_on_disk()?.into_iter().map(|(n, _)| n))
                    .max()
                    .unwrap_or(0)
                    + 1;
                let new_path = pack_path(&self.packs_dir, new_no);
                let mut out = std::io::BufWriter::new(
                    File::create(&new_path).map_err(self.io_err(&new_path))?,
                );
                let mut offset = 0u64;
                for (hash, loc) in &moving {
                    let what = format!(
                        "{} blob {} while collecting garbage",
                        loc.kind.name(),
                        hex::encode(hash)
                    );
                    // Verify before copying: damage is reported, never propagated.
                    self.read_verified(hash, loc, &what)?;
                    let file = self.pack_file(loc.pack)?;
                    let mut entry = vec![0u8; loc.stored_len() as usize];
                    let at = loc.offset - HEADER_LEN as u64;
                    file.read_exact_at(&mut entry, at)
                        .map_err(self.io_err(&pack_path(&self.packs_dir, loc.pack)))?;
                    out.write_all(&entry).map_err(self.io_err(&new_path))?;
                    let moved = Location {
                        pack: new_no,
                        offset: offset + HEADER_LEN as u64,
                        ..*loc
                    };
                    offset += loc.stored_len();
                    batch.insert([PREFIX_BLOB, hash.as_slice()].concat(), &moved.encode());
                }
                let file = out
                    .into_inner()
                    .map_err(|e| self.io_err(&new_path)(e.into_error()))?;
                file.sync_all().map_err(self.io_err(&new_path))?;
                sync_dir(&self.packs_dir);
                batch.insert([PREFIX_PACK, &new_no.to_be_bytes()].concat(), &[]);
            }
            for n in &retire {
                batch.remove([PREFIX_PACK, &n.to_be_bytes()].concat());
                for (hash, loc) in dead.get(n).map(Vec::as_slice).unwrap_or_default() {
                    batch.remove([PREFIX_BLOB, hash.as_slice()].concat());
                    report.blobs_removed += 1;
                    report.bytes_reclaimed += loc.stored_len();
                }
            }
        }
        batch.remove(KEY_GC_PENDING);
        self.db.apply_batch(batch).map_err(|e| self.sled_err(e))?;
        self.flush()?;
        failpoint("prune_before_delete");
        self.open_packs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        for n in &retire {
            let path = pack_path(&self.packs_dir, *n);
            if path.exists() {
                std::fs::remove_file(&path).map_err(self.io_err(&path))?;
                report.packs_deleted += 1;
            }
        }
        self.delete_unregistered_packs()?;
        Ok(report)
    }
}

/// Moves a migrated format-0 store's sled files into `format0-backup/`
/// (`db` last: until it moves, the next open migrates again from scratch).
fn retire_format0(path: &Path) -> std::io::Result<()> {
    let backup = path.join("format0-backup");
    std::fs::create_dir_all(&backup)?;
    for entry in std::fs::read_dir(path)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name == "conf" || name == "blobs" || name.starts_with("snap.") {
            std::fs::rename(entry.path(), backup.join(&*name))?;
        }
    }
    std::fs::rename(path.join("db"), backup.join("db"))
}

/// The size these bytes take compressed as the store compresses blobs (zstd
/// at the store's level), without the entry header: the baseline benchmarks
/// compare the store's size with.
pub fn compressed_len(bytes: &[u8]) -> u64 {
    pack::compress(bytes).map(|c| c.len() as u64).unwrap_or(0)
}

/// Takes the store's exclusive lock and writes our PID into it.
fn lock_store(path: &Path) -> Result<File> {
    let lock_path = path.join(LOCK_FILE);
    let io = |source| StoreError::Io {
        path: lock_path.clone(),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .map_err(io)?;
    if let Err(e) = file.try_lock_exclusive() {
        if e.raw_os_error() != fs2::lock_contended_error().raw_os_error() {
            return Err(io(e));
        }
        let mut text = String::new();
        let _ = file.read_to_string(&mut text);
        return Err(StoreError::InUse {
            path: path.to_path_buf(),
            pid: text.trim().parse().ok(),
        });
    }
    file.set_len(0).map_err(io)?;
    file.rewind().map_err(io)?;
    writeln!(file, "{}", std::process::id()).map_err(io)?;
    file.flush().map_err(io)?;
    Ok(file)
}

/// The base hash and zstd frame of a [`BlobKind::BodyDelta`] entry's data.
fn split_delta(data: &[u8]) -> Option<([u8; 32], &[u8])> {
    let base: [u8; 32] = data.get(..32)?.try_into().ok()?;
    Some((base, &data[32..]))
}

fn parse_hash(hex_hash: &str) -> Option<[u8; 32]> {
    hex::decode(hex_hash).ok()?.try_into().ok()
}

fn dir_size(path: &Path) -> std::io::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(path)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        if meta.is_dir() {
            total += dir_size(&entry.path())?;
        } else {
            total += meta.len();
        }
    }
    Ok(total)
}

/// Makes a new file's directory entry durable (best effort).
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Kills the process with SIGKILL when `CARTWATCH_FAILPOINT` names this point.
fn failpoint(name: &str) {
    if std::env::var("CARTWATCH_FAILPOINT").is_ok_and(|v| v == name) {
        eprintln!("CARTWATCH_FAILPOINT={name}: killing this process");
        let pid = std::process::id().to_string();
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &pid])
            .status();
        std::thread::sleep(std::time::Duration::from_secs(5));
        std::process::abort();
    }
}

/// A snapshot being written; dropped without commit, it never becomes
/// visible and its pack file is deleted.
pub struct SnapshotWriter<'a> {
    store: &'a Store,
    id: String,
    created_at: String,
    source: SnapshotSource,
    pack_no: u64,
    pack: Option<std::io::BufWriter<File>>,
    offset: u64,
    new_blobs: HashMap<[u8; 32], Location>,
    records: BTreeMap<(String, String), String>,
    /// Body hashes of the newest snapshot's pages, loaded on first use.
    previous_bodies: Option<HashMap<(String, String), String>>,
    bytes_new: u64,
    committed: bool,
}

impl SnapshotWriter<'_> {
    /// The id the snapshot will have.
    pub fn id(&self) -> &str {
        &self.id
    }

    fn pack_path(&self) -> PathBuf {
        pack_path(&self.store.packs_dir, self.pack_no)
    }

    /// Stores a blob unless the store (or this snapshot) has it; returns its
    /// hash and whether it was new.
    fn put_blob(&mut self, kind: BlobKind, bytes: &[u8]) -> Result<(String, bool)> {
        let hash: [u8; 32] = Sha256::digest(bytes).into();
        let hex_hash = hex::encode(hash);
        if self.new_blobs.contains_key(&hash) || self.store.location(&hash)?.is_some() {
            return Ok((hex_hash, false));
        }
        let path = self.pack_path();
        let data = pack::compress(bytes).map_err(self.store.io_err(&path))?;
        self.append(kind, hash, bytes.len(), &data)?;
        Ok((hex_hash, true))
    }

    /// Appends one entry to this snapshot's pack.
    fn append(
        &mut self,
        kind: BlobKind,
        hash: [u8; 32],
        raw_len: usize,
        data: &[u8],
    ) -> Result<()> {
        let path = self.pack_path();
        let raw_len = u32::try_from(raw_len).map_err(|_| StoreError::Io {
            path: path.clone(),
            source: std::io::Error::other("blob larger than 4 GiB"),
        })?;
        let entry = pack::entry_bytes(kind, &hash, raw_len, data);
        if self.pack.is_none() {
            let file = File::create(&path).map_err(self.store.io_err(&path))?;
            self.pack = Some(std::io::BufWriter::new(file));
        }
        if let Some(pack) = self.pack.as_mut() {
            pack.write_all(&entry).map_err(self.store.io_err(&path))?;
        }
        let loc = Location {
            pack: self.pack_no,
            offset: self.offset + HEADER_LEN as u64,
            compressed_len: data.len() as u32,
            raw_len,
            kind,
        };
        self.offset += entry.len() as u64;
        self.new_blobs.insert(hash, loc);
        Ok(())
    }

    /// Stores a body (once per distinct content); returns its SHA-256 (hex).
    pub fn put_body(&mut self, bytes: &[u8]) -> Result<String> {
        let (hash, new) = self.put_blob(BlobKind::Body, bytes)?;
        if new {
            self.bytes_new += self.new_blobs_len(&hash);
        }
        Ok(hash)
    }

    /// Stores the body of one page (once per distinct content); returns its
    /// SHA-256 (hex). A changed body is compressed against the page's body in
    /// the newest snapshot when that is much smaller than compressing it
    /// alone: a page whose scripts or dates churn daily costs a few hundred
    /// bytes a day, not a whole compressed page.
    pub fn put_page_body(&mut self, center: &str, url: &str, bytes: &[u8]) -> Result<String> {
        let hash: [u8; 32] = Sha256::digest(bytes).into();
        let hex_hash = hex::encode(hash);
        if self.new_blobs.contains_key(&hash) || self.store.location(&hash)?.is_some() {
            return Ok(hex_hash);
        }
        let path = self.pack_path();
        let full = pack::compress(bytes).map_err(self.store.io_err(&path))?;
        let mut chosen = (BlobKind::Body, full);
        // A base that cannot be read (damaged) only costs the delta: the
        // damage is reported when its own snapshot is read.
        if let Ok(Some((base_hash, base))) = self.base_for(center, url) {
            let frame = pack::compress_with_base(bytes, &base).map_err(self.store.io_err(&path))?;
            // Prefer the delta only when it is much smaller, so that a page
            // that drifted far gets a fresh full body to be the next base.
            if (32 + frame.len()) * 2 < chosen.1.len() {
                let mut data = base_hash.to_vec();
                data.extend_from_slice(&frame);
                chosen = (BlobKind::BodyDelta, data);
            }
        }
        self.append(chosen.0, hash, bytes.len(), &chosen.1)?;
        self.bytes_new += self.new_blobs_len(&hex_hash);
        Ok(hex_hash)
    }

    /// The full body a new body of this page can be compressed against: the
    /// page's body in the newest snapshot, or that body's own base.
    fn base_for(&mut self, center: &str, url: &str) -> Result<Option<([u8; 32], Vec<u8>)>> {
        if self.previous_bodies.is_none() {
            let mut map = HashMap::new();
            if let Some(newest) = self.store.ids()?.pop() {
                let stored = self.store.stored(&newest)?;
                for c in &stored.manifest.centers {
                    for p in &c.pages {
                        if let Some(h) = &p.body_sha256 {
                            map.insert((c.id.clone(), p.url.clone()), h.clone());
                        }
                    }
                }
            }
            self.previous_bodies = Some(map);
        }
        let previous = self
            .previous_bodies
            .as_ref()
            .and_then(|m| m.get(&(center.to_string(), url.to_string())))
            .and_then(|h| parse_hash(h));
        let Some(previous) = previous else {
            return Ok(None);
        };
        let Some(loc) = self.store.location(&previous)? else {
            return Ok(None);
        };
        let base = match self.store.delta_base(&loc)? {
            Some(base) => base,
            None => previous,
        };
        let Some(base_loc) = self.store.location(&base)? else {
            return Ok(None);
        };
        if base_loc.kind != BlobKind::Body {
            return Ok(None);
        }
        let what = format!("the body of page {url} (center {center}) in the newest snapshot");
        let raw = self.store.read_verified(&base, &base_loc, &what)?;
        Ok(Some((base, raw)))
    }

    fn new_blobs_len(&self, hash: &str) -> u64 {
        parse_hash(hash)
            .and_then(|h| self.new_blobs.get(&h))
            .map(|l| l.stored_len())
            .unwrap_or(0)
    }

    /// Stores one page's record (content-addressed: an unchanged record costs
    /// nothing new).
    pub fn put_record(&mut self, center: &str, url: &str, record: &PageRecord) -> Result<()> {
        if self.pack.is_some() {
            if let Some(pack) = self.pack.as_mut() {
                let _ = pack.flush();
            }
            failpoint("after_bodies");
        }
        let value = serde_json::to_vec(record).map_err(|e| StoreError::Corrupt {
            path: self.store.path.clone(),
            key: format!("record of {url}"),
            message: e.to_string(),
        })?;
        let (hash, new) = self.put_blob(BlobKind::Record, &value)?;
        if new {
            self.bytes_new += self.new_blobs_len(&hash);
        }
        self.records
            .insert((center.to_string(), url.to_string()), hash);
        Ok(())
    }

    /// The record index to store: the changes against the newest snapshot's
    /// full index, or the whole index when more than half differ.
    fn delta(&self, records: Vec<RecordRef>) -> Result<(Vec<RecordRef>, Option<String>)> {
        let Some(newest) = self.store.ids()?.pop() else {
            return Ok((records, None));
        };
        let entry = self.store.entry(&newest)?;
        let newest_stored = self.store.stored(&newest)?;
        let base_hash = newest_stored.records_base.clone().unwrap_or(entry.blob);
        let base = self.store.stored_blob(
            &base_hash,
            &format!("the record index of snapshot {newest}"),
        )?;
        let in_base: HashSet<(&str, &str, &str)> = base
            .records
            .iter()
            .map(|r| (r.center.as_str(), r.url.as_str(), r.sha256.as_str()))
            .collect();
        let changed: Vec<RecordRef> = records
            .iter()
            .filter(|r| !in_base.contains(&(r.center.as_str(), r.url.as_str(), r.sha256.as_str())))
            .cloned()
            .collect();
        if changed.len() * 2 > records.len() {
            Ok((records, None))
        } else {
            Ok((changed, Some(base_hash)))
        }
    }

    /// Makes the snapshot visible, whole, and returns its manifest.
    pub fn commit(mut self, centers: Vec<CenterSnapshot>) -> Result<SnapshotManifest> {
        failpoint("after_records");
        let manifest = SnapshotManifest {
            id: self.id.clone(),
            created_at: self.created_at.clone(),
            source: self.source.clone(),
            centers,
            bytes_new: self.bytes_new,
        };
        // Only records of pages the manifest lists, flagged as having one.
        let records: Vec<RecordRef> = manifest
            .centers
            .iter()
            .flat_map(|c| c.pages.iter().map(move |p| (c, p)))
            .filter(|(_, p)| p.has_record)
            .filter_map(|(c, p)| {
                self.records
                    .get(&(c.id.clone(), p.url.clone()))
                    .map(|h| RecordRef {
                        center: c.id.clone(),
                        url: p.url.clone(),
                        sha256: h.clone(),
                    })
            })
            .collect();
        let (records, records_base) = self.delta(records)?;
        let stored = StoredSnapshot {
            manifest: manifest.clone(),
            records,
            records_base,
        };
        let bytes = serde_json::to_vec(&stored).map_err(|e| StoreError::Corrupt {
            path: self.store.path.clone(),
            key: format!("manifest of {}", self.id),
            message: e.to_string(),
        })?;
        let (blob, _) = self.put_blob(BlobKind::Snapshot, &bytes)?;
        let blob_hash = blob.clone();
        let path = self.pack_path();
        if let Some(pack) = self.pack.take() {
            let file = pack
                .into_inner()
                .map_err(|e| self.store.io_err(&path)(e.into_error()))?;
            file.sync_all().map_err(self.store.io_err(&path))?;
            sync_dir(&self.store.packs_dir);
        }
        failpoint("before_manifest");
        let summary = SnapshotSummary {
            id: self.id.clone(),
            created_at: self.created_at.clone(),
            source: self.source.clone(),
            centers: manifest.centers.len(),
            pages_ok: manifest.pages_ok(),
            pages_failed: manifest.pages_failed(),
            bytes_new: self.bytes_new,
        };
        let entry = serde_json::to_vec(&SnapshotEntry { summary, blob }).map_err(|e| {
            StoreError::Corrupt {
                path: self.store.path.clone(),
                key: format!("entry of {}", self.id),
                message: e.to_string(),
            }
        })?;
        let mut batch = sled::Batch::default();
        if !self.new_blobs.is_empty() {
            batch.insert([PREFIX_PACK, &self.pack_no.to_be_bytes()].concat(), &[]);
        }
        for (hash, loc) in &self.new_blobs {
            batch.insert([PREFIX_BLOB, hash.as_slice()].concat(), &loc.encode());
        }
        batch.insert([PREFIX_SNAPSHOT, self.id.as_bytes()].concat(), entry);
        self.store
            .db
            .apply_batch(batch)
            .map_err(|e| self.store.sled_err(e))?;
        // From here the pack belongs to the index: never delete it on drop.
        self.committed = true;
        failpoint("after_manifest");
        self.store.flush()?;
        self.store.lock_cache().insert(blob_hash, Arc::new(stored));
        Ok(manifest)
    }
}

impl Drop for SnapshotWriter<'_> {
    fn drop(&mut self) {
        if !self.committed {
            self.pack = None;
            let _ = std::fs::remove_file(self.pack_path());
        }
    }
}
