//! Checking a store (`cartwatch fsck`) and rebuilding its index from the
//! packs (`cartwatch fsck --repair`): every pack entry carries its kind, hash
//! and lengths, and every snapshot's manifest is a blob, so the packs alone
//! are enough to list every whole snapshot again.

use crate::error::Result;
use crate::keys::{blob_key, pack_key, snapshot_key, KEY_FORMAT};
use crate::lock::lock_store;
use crate::pack::read_entries;
use crate::read::parse_hash;
use crate::{
    sync_dir, BlobKind, Index, Location, SnapshotEntry, SnapshotSummary, Store, StoreError,
    FORMAT_VERSION,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// One thing `fsck` found wrong, naming what is affected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// What is affected: `the body of page URL (center ID) in snapshot ID`,
    /// `pack file PATH`, ...
    pub what: String,
    /// What is wrong with it.
    pub detail: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.what, self.detail)
    }
}

/// What [`Store::fsck`] checked and found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FsckReport {
    /// Snapshots checked.
    pub snapshots: usize,
    /// Distinct blobs read and verified against their hashes.
    pub blobs: usize,
    /// Everything found wrong (empty when the store is sound).
    pub problems: Vec<Problem>,
}

/// What [`repair`] rebuilt.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepairReport {
    /// Pack files read.
    pub packs: usize,
    /// Blobs indexed (each verified against its hash).
    pub blobs: usize,
    /// Snapshots listed again, oldest first.
    pub snapshots: Vec<String>,
    /// Damage found while rebuilding (blobs that do not verify, cut packs,
    /// snapshots that could not be listed because a blob is missing).
    pub problems: Vec<Problem>,
    /// Where the index that was replaced was moved (never deleted).
    pub old_index: Option<PathBuf>,
}

impl Store {
    /// Reads and verifies every blob every snapshot references (manifests,
    /// records, bodies), and lists pack files the index does not know.
    /// Changes nothing.
    pub fn fsck(&self) -> Result<FsckReport> {
        let mut report = FsckReport::default();
        let mut verified: HashMap<String, Option<String>> = HashMap::new();
        let mut check = |store: &Store, hash: &str, what: String, report: &mut FsckReport| {
            let outcome = verified
                .entry(hash.to_string())
                .or_insert_with(|| match store.load_blob(hash, &what) {
                    Ok(Some(_)) => None,
                    Ok(None) => Some(format!("sha256 {hash} is missing from the store")),
                    Err(e) => Some(e.to_string()),
                })
                .clone();
            if let Some(detail) = outcome {
                report.problems.push(Problem { what, detail });
            }
        };
        for id in self.ids()? {
            report.snapshots += 1;
            let stored = match self.stored(&id) {
                Ok(stored) => stored,
                Err(e) => {
                    report.problems.push(Problem {
                        what: format!("snapshot {id}"),
                        detail: format!("its manifest cannot be read: {e}"),
                    });
                    continue;
                }
            };
            for center in &stored.manifest.centers {
                for page in &center.pages {
                    if let Some(hash) = &page.body_sha256 {
                        let what = format!(
                            "the body of page {} (center {}) in snapshot {id}",
                            page.url, center.id
                        );
                        check(self, hash, what, &mut report);
                    }
                }
            }
            match self.record_refs(&id, &stored) {
                Ok(refs) => {
                    for r in refs {
                        let what = format!(
                            "the record of page {} (center {}) in snapshot {id}",
                            r.url, r.center
                        );
                        check(self, &r.sha256, what, &mut report);
                    }
                }
                Err(e) => report.problems.push(Problem {
                    what: format!("the records of snapshot {id}"),
                    detail: e.to_string(),
                }),
            }
        }
        report.blobs = verified.len();
        let registered: HashSet<u64> = self.registered_packs()?.into_iter().collect();
        for (n, path) in self.packs_on_disk()? {
            if !registered.contains(&n) {
                report.problems.push(Problem {
                    what: format!("pack file {}", path.display()),
                    detail:
                        "it is not in the index (`cartwatch fsck --repair` indexes what it holds)"
                            .into(),
                });
            }
        }
        report.problems.sort_by(|a, b| a.what.cmp(&b.what));
        Ok(report)
    }
}

/// Rebuilds the store's index from its pack files: every entry is verified
/// against its hash and indexed, and every snapshot whose manifest and
/// blobs are all present is listed again. The new index is built beside the
/// old one, which is then moved to `index.before-repair` (never deleted).
/// No pack file is changed or deleted.
pub fn repair(path: &Path) -> Result<RepairReport> {
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |source| StoreError::Io { path: p, source }
    };
    if !path.is_dir() {
        return Err(StoreError::NotAStore {
            path: path.to_path_buf(),
        });
    }
    let lock = lock_store(path)?;
    let packs_dir = path.join("packs");
    let rebuild = path.join("index.rebuild");
    if rebuild.exists() {
        // Only an earlier, interrupted repair writes here.
        std::fs::remove_dir_all(&rebuild).map_err(io(&rebuild))?;
    }
    let db = sled::Config::new()
        .path(&rebuild)
        .open()
        .map_err(|source| StoreError::Sled {
            path: path.to_path_buf(),
            source,
        })?;
    let store = Store {
        path: path.to_path_buf(),
        packs_dir: packs_dir.clone(),
        index: Index::Sled(db),
        open_packs: Mutex::new(HashMap::new()),
        snapshots: Mutex::new(HashMap::new()),
        _lock: Some(lock.try_clone().map_err(io(&path.join("cartwatch.lock")))?),
    };
    let mut report = RepairReport::default();
    // Every entry of every pack, oldest pack first.
    let mut packs: BTreeMap<u64, PathBuf> = BTreeMap::new();
    if packs_dir.is_dir() {
        packs.extend(store.packs_on_disk()?);
    }
    let mut candidates: BTreeMap<[u8; 32], Vec<Location>> = BTreeMap::new();
    for (&n, file) in &packs {
        report.packs += 1;
        let (entries, damage) = read_entries(file, n).map_err(io(file))?;
        if let Some(damage) = damage {
            report.problems.push(Problem {
                what: format!("pack file {}", file.display()),
                detail: format!("{damage}; the entries after it cannot be read"),
            });
        }
        for (hash, loc) in entries {
            candidates.entry(hash).or_default().push(loc);
        }
    }
    // Index the first copy of each blob, then keep the first that verifies
    // (a delta needs its base indexed first, so bases go in before checking).
    for (hash, locs) in &candidates {
        store.put_location(hash, &locs[0])?;
    }
    let mut used_packs: HashSet<u64> = HashSet::new();
    for (hash, locs) in &candidates {
        let what = format!("{} blob {}", locs[0].kind.name(), hex::encode(hash));
        let mut good = None;
        let mut last_error = String::new();
        for loc in locs {
            store.put_location(hash, loc)?;
            match store.read_verified(hash, loc, &what) {
                Ok(_) => {
                    good = Some(*loc);
                    break;
                }
                Err(e) => last_error = e.to_string(),
            }
        }
        match good {
            Some(loc) => {
                report.blobs += 1;
                used_packs.insert(loc.pack);
            }
            None => {
                store
                    .db("repairing")?
                    .remove(blob_key(hash))
                    .map_err(|e| store.sled_err(e))?;
                report.problems.push(Problem {
                    what,
                    detail: last_error,
                });
            }
        }
    }
    for n in packs.keys() {
        store
            .db("repairing")?
            .insert(pack_key(*n), &[])
            .map_err(|e| store.sled_err(e))?;
    }
    store
        .db("repairing")?
        .insert(KEY_FORMAT, &FORMAT_VERSION.to_be_bytes())
        .map_err(|e| store.sled_err(e))?;
    // Every manifest whose blobs are all present is a whole snapshot.
    let manifests: Vec<[u8; 32]> = candidates
        .iter()
        .filter(|(_, locs)| locs[0].kind == BlobKind::Snapshot)
        .map(|(h, _)| *h)
        .collect();
    let mut entries: BTreeMap<String, SnapshotEntry> = BTreeMap::new();
    for hash in manifests {
        let hex_hash = hex::encode(hash);
        let Ok(stored) = store.stored_blob(&hex_hash, &format!("snapshot manifest {hex_hash}"))
        else {
            continue;
        };
        let id = stored.manifest.id.clone();
        let mut missing = Vec::new();
        for center in &stored.manifest.centers {
            for page in &center.pages {
                if let Some(h) = page.body_sha256.as_deref() {
                    if !has_blob(&store, h)? {
                        missing.push(format!(
                            "the body of page {} (center {})",
                            page.url, center.id
                        ));
                    }
                }
            }
        }
        match store.record_refs(&id, &stored) {
            Ok(refs) => {
                for r in refs {
                    if !has_blob(&store, &r.sha256)? {
                        missing.push(format!(
                            "the record of page {} (center {})",
                            r.url, r.center
                        ));
                    }
                }
            }
            Err(e) => missing.push(e.to_string()),
        }
        if !missing.is_empty() {
            report.problems.push(Problem {
                what: format!("snapshot {id}"),
                detail: format!(
                    "not listed again: {} missing or damaged",
                    missing.join(", ")
                ),
            });
            continue;
        }
        let manifest = &stored.manifest;
        let taken_at = if manifest.taken_at.is_empty() {
            manifest.created_at.clone()
        } else {
            manifest.taken_at.clone()
        };
        entries.insert(
            id.clone(),
            SnapshotEntry {
                summary: SnapshotSummary {
                    id: id.clone(),
                    created_at: manifest.created_at.clone(),
                    taken_at,
                    source: manifest.source.clone(),
                    centers: manifest.centers.len(),
                    pages_ok: manifest.pages_ok(),
                    pages_failed: manifest.pages_failed(),
                    bytes_new: manifest.bytes_new,
                },
                blob: hex_hash,
            },
        );
    }
    for (id, entry) in &entries {
        let value = serde_json::to_vec(entry).map_err(|e| StoreError::Corrupt {
            path: path.to_path_buf(),
            key: format!("entry of {id}"),
            message: e.to_string(),
        })?;
        store
            .db("repairing")?
            .insert(snapshot_key(id), value)
            .map_err(|e| store.sled_err(e))?;
    }
    report.snapshots = entries.into_keys().collect();
    store.flush()?;
    // The view describes the rebuilt index, which is about to replace the old.
    store.publish_view()?;
    drop(store);
    // Swap the rebuilt index in; the old one is kept aside.
    let index = path.join("index");
    if index.exists() {
        let mut aside = path.join("index.before-repair");
        let mut n = 2;
        while aside.exists() {
            aside = path.join(format!("index.before-repair-{n}"));
            n += 1;
        }
        std::fs::rename(&index, &aside).map_err(io(&index))?;
        report.old_index = Some(aside);
    }
    std::fs::rename(&rebuild, &index).map_err(io(&rebuild))?;
    sync_dir(path);
    drop(lock);
    Ok(report)
}

/// Whether the (rebuilt) index holds this blob.
fn has_blob(store: &Store, sha256: &str) -> Result<bool> {
    match parse_hash(sha256) {
        Some(hash) => Ok(store.location(&hash)?.is_some()),
        None => Ok(false),
    }
}

impl Store {
    /// Indexes one blob's location.
    fn put_location(&self, hash: &[u8; 32], loc: &Location) -> Result<()> {
        self.db("repairing")?
            .insert(blob_key(hash), &loc.encode())
            .map_err(|e| self.sled_err(e))?;
        Ok(())
    }
}
