//! Snapshot storage: content-addressed, compressed, crash-safe.
//!
//! A store is a folder:
//!
//! ```text
//! store/
//!   cartwatch.lock   advisory writer lock: PID, start time and command of the writer
//!   index/           sled: blob index, pack registry, snapshot entries, format version
//!   view.bin         the read view readers use (see below)
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
//! leaves an unregistered pack file, named in the index (`meta/writing`)
//! before it was created, that the next [`Store::open`] (a writer) deletes; a
//! crash after leaves a whole snapshot. [`Store::prune`] drops snapshot
//! entries first, then rewrites the packs holding unreferenced blobs; an
//! interrupted prune is finished by the next writer.
//!
//! **Readers change nothing.** [`Store::open_read_only`] creates, changes
//! and deletes no file; an empty or missing index beside pack files is
//! [`StoreError::IndexMissing`] for readers and writers alike, and
//! [`repair`] rebuilds it from the packs (every entry carries its kind, hash
//! and lengths; every snapshot's manifest is a blob). [`Store::fsck`]
//! verifies every blob every snapshot references.
//!
//! **One writer at a time, readers any time.** [`Store::open`] takes an
//! exclusive lock on `cartwatch.lock` before opening sled and writes its PID,
//! start time and command there; a second writer gets [`StoreError::InUse`]
//! naming them ([`LockHolder`]). After every change readers can see, the
//! writer publishes `view.bin`, an immutable copy of the snapshot entries,
//! pack registry and blob locations (written beside, synced, renamed over).
//! [`Store::open_read_only`] reads that view and the packs, never sled nor
//! the lock, so it works while a writer runs and returns the last committed
//! state. A store no writer of this version has opened is read through sled
//! (under the lock) as before.
//!
//! **Integrity.** Every blob is verified against its hash when read; a
//! mismatch is [`StoreError::Integrity`], naming the snapshot, center and page
//! when the read was for one. A writer reuses a stored blob only when it
//! reads back intact (otherwise it stores it again), and
//! [`Store::quarantine`] sets damaged packs aside, marking what they held as
//! lost.
//!
//! **Crash-test hook.** With `CARTWATCH_FAILPOINT` set to one of
//! [`FAILPOINTS`], the process kills itself with SIGKILL at that point (tests
//! use it to prove the guarantees above through the real binary).
#![deny(missing_docs)]

mod error;
mod failpoints;
mod fsck;
mod gc;
mod ids;
mod keys;
mod lock;
mod migrate;
mod pack;
mod quarantine;
mod read;
mod view;
pub mod warc;
mod writer;

pub use error::StoreError;
pub use failpoints::FAILPOINTS;
pub use fsck::{repair, FsckReport, Problem, RepairReport};
pub use gc::{GcReport, PrunePolicy, PruneReport};
pub use ids::{format_time, parse_time};
pub use lock::LockHolder;
pub use pack::{BlobKind, Location};
pub use quarantine::QuarantineReport;
pub use writer::SnapshotWriter;

use cartwatch_model::{SnapshotManifest, SnapshotSource};
use error::Result;
use keys::{pack_of_key, scan_packs, KEY_FORMAT, KEY_GC_PENDING, KEY_GC_RETIRED, KEY_WRITING};
use lock::lock_store;
use migrate::retire_format0;
use pack::{pack_number, pack_path};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The store format this version reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// One line of `cartwatch snapshots`: what a snapshot holds, without loading it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotSummary {
    /// The snapshot id.
    pub id: String,
    /// When it was committed, RFC 3339 UTC.
    pub created_at: String,
    /// When its pages were seen, RFC 3339 UTC (snapshots are ordered by it;
    /// for snapshots stored before it existed, `created_at`).
    #[serde(default)]
    pub taken_at: String,
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

impl SnapshotEntry {
    /// The entry with `taken_at` filled in for snapshots stored before it existed.
    fn dated(mut self) -> SnapshotEntry {
        if self.summary.taken_at.is_empty() {
            self.summary.taken_at = self.summary.created_at.clone();
        }
        self
    }
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

/// An open store: a writer holds the index (sled) and the writer lock until
/// dropped; a reader holds neither and reads the published read view.
pub struct Store {
    path: PathBuf,
    packs_dir: PathBuf,
    index: Index,
    open_packs: Mutex<HashMap<u64, Arc<File>>>,
    snapshots: Mutex<HashMap<String, Arc<StoredSnapshot>>>,
    // Declared last: released after sled is closed.
    _lock: Option<File>,
}

/// Where an open store looks things up.
enum Index {
    /// The sled index (writers, and readers of a store no writer of this
    /// version has published a view for).
    Sled(sled::Db),
    /// The read view the last writer published (readers).
    View(view::ReadView),
}

/// What a process opening a store means to do with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Only read: the folder must hold a store, and nothing in it is
    /// created, changed or deleted (no leftover cleanup, no garbage
    /// collection).
    Read,
    /// Read and write (take snapshots, prune, repair): creates the store when
    /// missing, deletes the pack of an interrupted snapshot and finishes an
    /// interrupted prune.
    Write,
}

impl Store {
    /// Opens (creating if needed) the store in this folder for writing: takes
    /// the lock, checks the format, deletes the pack an interrupted snapshot
    /// left (the one the index names as being written) and finishes an
    /// interrupted prune.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with(path, Access::Write)
    }

    /// Opens an existing store only to read it: nothing is created, changed
    /// or deleted, and no lock is taken, so it works while a writer runs and
    /// on a store this user cannot write. It reads the view the last writer
    /// published (the last committed state); a store whose index is missing
    /// is an error that says how to rebuild it ([`StoreError::IndexMissing`]).
    pub fn open_read_only(path: &Path) -> Result<Store> {
        Store::open_with(path, Access::Read)
    }

    /// Opens the store in this folder for `access`.
    pub fn open_with(path: &Path, access: Access) -> Result<Store> {
        let io = |p: &Path| {
            let p = p.to_path_buf();
            move |source| StoreError::Io { path: p, source }
        };
        if access == Access::Read {
            if !path.is_dir() {
                return Err(StoreError::NotAStore {
                    path: path.to_path_buf(),
                });
            }
        } else {
            std::fs::create_dir_all(path).map_err(io(path))?;
        }
        // Format 0 (the first development build): sled at the folder's root
        // with bodies, records and manifests trees. Migrated in place; an
        // interrupted migration starts over.
        let is_format0 = path.join("conf").exists() && path.join("db").exists();
        // Only writers (and a migration) take the lock; readers of a
        // published store never do, so they never wait for a writer.
        let mut lock = if access == Access::Write || is_format0 {
            Some(lock_store(path)?)
        } else {
            None
        };
        let format0 = if is_format0 {
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
        if access == Access::Read && format0.is_none() && !path.join("index").is_dir() {
            let packs = count_packs(&path.join("packs"));
            if packs > 0 {
                return Err(StoreError::IndexMissing {
                    path: path.to_path_buf(),
                    packs,
                });
            }
            return Err(StoreError::NotAStore {
                path: path.to_path_buf(),
            });
        }
        let packs_dir = path.join("packs");
        let mut view_error = None;
        if access == Access::Read && format0.is_none() {
            match view::ReadView::load(path) {
                Ok(Some(view)) => {
                    let store = Store {
                        path: path.to_path_buf(),
                        packs_dir,
                        index: Index::View(view),
                        open_packs: Mutex::new(HashMap::new()),
                        snapshots: Mutex::new(HashMap::new()),
                        _lock: None,
                    };
                    store.check_format(access)?;
                    return Ok(store);
                }
                // A store no writer of this version has opened yet: read
                // sled, under the lock, as before.
                Ok(None) => {}
                // A damaged view: the index itself, when no writer holds it.
                Err(e) => view_error = Some(e),
            }
        }
        let lock = match lock.take() {
            Some(lock) => lock,
            None => lock_store(path).map_err(|e| view_error.unwrap_or(e))?,
        };
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
            index: Index::Sled(db),
            open_packs: Mutex::new(HashMap::new()),
            snapshots: Mutex::new(HashMap::new()),
            _lock: Some(lock),
        };
        store.check_format(access)?;
        if access == Access::Write {
            store.delete_interrupted_packs()?;
            if store.get(KEY_GC_PENDING)?.is_some() {
                store.collect_garbage()?;
            }
        }
        if let Some((old, failed)) = format0 {
            store
                .migrate_format0(&old)
                .map_err(|e| failed(e.to_string()))?;
            drop(old);
            retire_format0(path).map_err(io(path))?;
        }
        if access == Access::Write {
            store.publish_view()?;
        }
        Ok(store)
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

    /// The sled index, which only a writer (or a reader of a store without
    /// a read view) has open; `what` names the operation in the error.
    pub(crate) fn db(&self, what: &str) -> Result<&sled::Db> {
        match &self.index {
            Index::Sled(db) => Ok(db),
            Index::View(_) => Err(StoreError::ReadOnly {
                path: self.path.clone(),
                what: what.to_string(),
            }),
        }
    }

    /// The read view, when this store was opened through one.
    pub(crate) fn view(&self) -> Option<&view::ReadView> {
        match &self.index {
            Index::View(v) => Some(v),
            Index::Sled(_) => None,
        }
    }

    fn get(&self, key: &[u8]) -> Result<Option<sled::IVec>> {
        self.db("reading the index")?
            .get(key)
            .map_err(|e| self.sled_err(e))
    }

    fn check_format(&self, access: Access) -> Result<()> {
        let version = match self.view() {
            Some(view) => Some(sled::IVec::from(&view.format.to_be_bytes()[..])),
            None => self.get(KEY_FORMAT)?,
        };
        match version {
            None => {
                // An empty index beside pack files: the index was lost (a
                // partial restore); starting a new one would orphan them.
                let packs = count_packs(&self.packs_dir);
                if packs > 0 {
                    return Err(StoreError::IndexMissing {
                        path: self.path.clone(),
                        packs,
                    });
                }
                if access == Access::Read {
                    return Ok(());
                }
                let db = self.db("starting a new index")?;
                if db.iter().next().is_some() {
                    return Err(StoreError::Corrupt {
                        path: self.path.clone(),
                        key: "meta/format".into(),
                        message: "the index has entries but no format version".into(),
                    });
                }
                db.insert(KEY_FORMAT, &FORMAT_VERSION.to_be_bytes())
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
        if let Some(view) = self.view() {
            return Ok(view.packs.clone());
        }
        scan_packs(self.db("listing packs")?)
            .keys()
            .map(|k| {
                let k = k.map_err(|e| self.sled_err(e))?;
                pack_of_key(&k).ok_or_else(|| StoreError::Corrupt {
                    path: self.path.clone(),
                    key: String::from_utf8_lossy(&k).into_owned(),
                    message: "bad pack key".into(),
                })
            })
            .collect()
    }

    /// The number for a new pack file: past every registered pack and every
    /// pack file on disk, so that no pack is ever overwritten.
    fn next_pack_number(&self) -> Result<u64> {
        Ok(self
            .registered_packs()?
            .into_iter()
            .chain(self.packs_on_disk()?.into_iter().map(|(n, _)| n))
            .max()
            .unwrap_or(0)
            + 1)
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

    /// Deletes what the index proves an interrupted write left: the pack a
    /// snapshot was writing (`meta/writing`, when still unregistered) and the
    /// packs a garbage collection retired (`meta/gc_retired`). Any other
    /// unregistered pack is left alone (`cartwatch fsck --repair` indexes it).
    fn delete_interrupted_packs(&self) -> Result<()> {
        let registered: HashSet<u64> = self.registered_packs()?.into_iter().collect();
        let mut batch = sled::Batch::default();
        for key in [KEY_WRITING, KEY_GC_RETIRED] {
            let Some(value) = self.get(key)? else {
                continue;
            };
            for n in decode_pack_numbers(&value) {
                let path = pack_path(&self.packs_dir, n);
                if !registered.contains(&n) && path.exists() {
                    std::fs::remove_file(&path).map_err(self.io_err(&path))?;
                }
            }
            batch.remove(key);
        }
        self.db("cleaning up")?
            .apply_batch(batch)
            .map_err(|e| self.sled_err(e))?;
        self.flush()
    }

    /// Flushes the index to disk.
    pub fn flush(&self) -> Result<()> {
        if let Index::Sled(db) = &self.index {
            db.flush().map_err(|e| self.sled_err(e))?;
        }
        Ok(())
    }

    /// Bytes the store folder takes on disk (every file, lock and index included).
    pub fn disk_size(&self) -> Result<u64> {
        dir_size(&self.path).map_err(self.io_err(&self.path))
    }
}

/// The size these bytes take compressed as the store compresses blobs (zstd
/// at the store's level), without the entry header: the baseline benchmarks
/// compare the store's size with.
pub fn compressed_len(bytes: &[u8]) -> u64 {
    pack::compress(bytes).map(|c| c.len() as u64).unwrap_or(0)
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

/// How many `*.pack` files this folder holds (0 when it cannot be read).
fn count_packs(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| e.file_name().to_str().and_then(pack_number).is_some())
                .count()
        })
        .unwrap_or(0)
}

/// Pack numbers as an index value: 8 big-endian bytes each.
pub(crate) fn encode_pack_numbers(numbers: &[u64]) -> Vec<u8> {
    numbers.iter().flat_map(|n| n.to_be_bytes()).collect()
}

/// The pack numbers [`encode_pack_numbers`] wrote.
pub(crate) fn decode_pack_numbers(bytes: &[u8]) -> Vec<u64> {
    bytes
        .chunks_exact(8)
        .filter_map(|c| c.try_into().ok().map(u64::from_be_bytes))
        .collect()
}
