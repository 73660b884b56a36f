//! The published read view: an immutable copy of what readers need from the
//! index, so that reading never opens sled (which takes an exclusive lock and
//! needs write access) and never waits for a writer.
//!
//! Every writer publishes `view.bin` after each change readers can see (a
//! committed snapshot, a prune, a repair, a quarantine, the cleanup at
//! open): it is written to `view.bin.tmp`, synced and renamed over the old
//! one, so a reader opens either the previous view or the new one, whole.
//! Packs are append-only and a committed pack is never rewritten in place,
//! so the locations a view names stay valid while a writer adds snapshots.
//!
//! Layout (integers big-endian):
//!
//! ```text
//! "CWVIEW1\n"                          magic
//! u32 format version
//! u64 length, then JSON {"packs": [..], "snapshots": [entry, ..]}
//! u64 count, then count × (32-byte SHA-256 + 25-byte location), sorted by hash
//! 32-byte SHA-256 of everything above
//! ```

use crate::error::Result;
use crate::keys::{blob_of_key, scan_blobs, scan_snapshots};
use crate::{sync_dir, Location, SnapshotEntry, Store, StoreError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The read view's file name, at the store folder's root.
pub(crate) const VIEW_FILE: &str = "view.bin";
const MAGIC: &[u8; 8] = b"CWVIEW1\n";
const BLOB_LEN: usize = 32 + 25;

/// The JSON part of a view.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Catalog {
    packs: Vec<u64>,
    snapshots: Vec<SnapshotEntry>,
}

/// A loaded read view.
#[derive(Debug)]
pub(crate) struct ReadView {
    /// The store format the writer wrote.
    pub(crate) format: u32,
    /// Registered pack numbers.
    pub(crate) packs: Vec<u64>,
    /// Snapshot entries in id order.
    pub(crate) snapshots: Vec<SnapshotEntry>,
    /// Blob locations: `BLOB_LEN`-byte records sorted by hash.
    blobs: Vec<u8>,
}

/// Where a store's read view is.
pub(crate) fn view_path(store: &Path) -> PathBuf {
    store.join(VIEW_FILE)
}

impl ReadView {
    /// Reads and verifies a view file; `None` when there is none.
    pub(crate) fn load(store: &Path) -> Result<Option<ReadView>> {
        let path = view_path(store);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(StoreError::Io { path, source }),
        };
        let damaged = |message: &str| {
            StoreError::Corrupt {
            path: store.to_path_buf(),
            key: VIEW_FILE.into(),
            message: format!(
                "{message}; any writer command (`cartwatch snapshot`, `cartwatch fsck --repair`) publishes it again"
            ),
        }
        };
        if bytes.len() < MAGIC.len() + 4 + 8 + 8 + 32 || &bytes[..MAGIC.len()] != MAGIC {
            return Err(damaged("the read view has no valid header"));
        }
        let (body, sum) = bytes.split_at(bytes.len() - 32);
        if Sha256::digest(body).as_slice() != sum {
            return Err(damaged("the read view does not match its checksum"));
        }
        let mut at = MAGIC.len();
        let mut take = |n: usize| -> Option<&[u8]> {
            let s = body.get(at..at.checked_add(n)?)?;
            at += n;
            Some(s)
        };
        let format =
            u32::from_be_bytes(take(4).and_then(|s| s.try_into().ok()).unwrap_or_default());
        let json_len = take(8)
            .and_then(|s| s.try_into().ok())
            .map(u64::from_be_bytes)
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| damaged("the read view is cut short"))?;
        let json = take(json_len).ok_or_else(|| damaged("the read view is cut short"))?;
        let catalog: Catalog = serde_json::from_slice(json)
            .map_err(|e| damaged(&format!("its catalog does not decode: {e}")))?;
        let count = take(8)
            .and_then(|s| s.try_into().ok())
            .map(u64::from_be_bytes)
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| damaged("the read view is cut short"))?;
        let blobs = count
            .checked_mul(BLOB_LEN)
            .and_then(&mut take)
            .ok_or_else(|| damaged("the read view is cut short"))?
            .to_vec();
        Ok(Some(ReadView {
            format,
            packs: catalog.packs,
            snapshots: catalog.snapshots,
            blobs,
        }))
    }

    /// A blob's location (binary search over the sorted records).
    pub(crate) fn location(&self, hash: &[u8; 32]) -> Option<Option<Location>> {
        let n = self.blobs.len() / BLOB_LEN;
        let record = |i: usize| &self.blobs[i * BLOB_LEN..(i + 1) * BLOB_LEN];
        let (mut lo, mut hi) = (0, n);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match record(mid)[..32].cmp(hash.as_slice()) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(Location::decode(&record(mid)[32..])),
            }
        }
        None
    }

    /// The entry of a snapshot by id.
    pub(crate) fn entry(&self, id: &str) -> Option<&SnapshotEntry> {
        self.snapshots
            .binary_search_by(|e| e.summary.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.snapshots[i])
    }
}

impl Store {
    /// Publishes the read view of the index as it is now (writers only):
    /// written beside, synced, then renamed over the previous one.
    pub(crate) fn publish_view(&self) -> Result<()> {
        let db = self.db("publishing the read view")?;
        let mut snapshots = Vec::new();
        for kv in scan_snapshots(db) {
            let (k, v) = kv.map_err(|e| self.sled_err(e))?;
            let entry: SnapshotEntry = self.decode(&String::from_utf8_lossy(&k), &v)?;
            snapshots.push(entry);
        }
        snapshots.sort_by(|a, b| a.summary.id.cmp(&b.summary.id));
        let catalog = Catalog {
            packs: self.registered_packs()?,
            snapshots,
        };
        let json = serde_json::to_vec(&catalog).map_err(|e| StoreError::Corrupt {
            path: self.path.clone(),
            key: VIEW_FILE.into(),
            message: e.to_string(),
        })?;
        let mut out = Vec::with_capacity(64 + json.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&crate::FORMAT_VERSION.to_be_bytes());
        out.extend_from_slice(&(json.len() as u64).to_be_bytes());
        out.extend_from_slice(&json);
        let count_at = out.len();
        out.extend_from_slice(&0u64.to_be_bytes());
        let mut count = 0u64;
        // sled iterates keys in order: the records come out sorted by hash.
        for kv in scan_blobs(db) {
            let (k, v) = kv.map_err(|e| self.sled_err(e))?;
            let (Some(hash), true) = (blob_of_key(&k), v.len() == 25) else {
                return Err(StoreError::Corrupt {
                    path: self.path.clone(),
                    key: String::from_utf8_lossy(&k).into_owned(),
                    message: "bad blob entry".into(),
                });
            };
            out.extend_from_slice(&hash);
            out.extend_from_slice(&v);
            count += 1;
        }
        out[count_at..count_at + 8].copy_from_slice(&count.to_be_bytes());
        let sum = Sha256::digest(&out);
        out.extend_from_slice(&sum);
        let path = view_path(&self.path);
        let tmp = self.path.join(format!("{VIEW_FILE}.tmp"));
        let mut file = std::fs::File::create(&tmp).map_err(self.io_err(&tmp))?;
        file.write_all(&out).map_err(self.io_err(&tmp))?;
        file.sync_all().map_err(self.io_err(&tmp))?;
        drop(file);
        std::fs::rename(&tmp, &path).map_err(self.io_err(&path))?;
        sync_dir(&self.path);
        Ok(())
    }
}
