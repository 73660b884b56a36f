//! Reading snapshots, records and bodies, every blob verified against its hash.

use crate::error::Result;
use crate::ids;
use crate::keys::{blob_key, scan_snapshots, snapshot_key, snapshot_of_key};
use crate::pack::{self, pack_path};
use crate::{
    BlobKind, Location, RecordRef, SnapshotEntry, SnapshotSummary, Store, StoreError,
    StoredSnapshot,
};
use cartwatch_model::{PageRecord, PageSnapshot, SnapshotManifest};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::FileExt as _;
use std::path::PathBuf;
use std::sync::{Arc, MutexGuard};

impl Store {
    pub(crate) fn entries(&self) -> Result<Vec<SnapshotEntry>> {
        if let Some(view) = self.view() {
            return Ok(view
                .snapshots
                .iter()
                .cloned()
                .map(SnapshotEntry::dated)
                .collect());
        }
        scan_snapshots(self.db("listing snapshots")?)
            .map(|kv| {
                let (k, v) = kv.map_err(|e| self.sled_err(e))?;
                self.decode(&String::from_utf8_lossy(&k), &v)
                    .map(SnapshotEntry::dated)
            })
            .collect()
    }

    pub(crate) fn entry(&self, id: &str) -> Result<SnapshotEntry> {
        if let Some(view) = self.view() {
            return view
                .entry(id)
                .cloned()
                .map(SnapshotEntry::dated)
                .ok_or_else(|| StoreError::NoSuchSnapshot(id.to_string()));
        }
        let key = snapshot_key(id);
        let value = self
            .get(&key)?
            .ok_or_else(|| StoreError::NoSuchSnapshot(id.to_string()))?;
        self.decode(id, &value).map(SnapshotEntry::dated)
    }

    /// Every committed snapshot id, in the order their pages were seen
    /// (`taken_at`), oldest first: ids are derived from `taken_at`, so the
    /// index's key order is that order.
    pub fn ids(&self) -> Result<Vec<String>> {
        if let Some(view) = self.view() {
            return Ok(view
                .snapshots
                .iter()
                .map(|e| e.summary.id.clone())
                .collect());
        }
        scan_snapshots(self.db("listing snapshots")?)
            .keys()
            .map(|k| {
                k.map(|k| snapshot_of_key(&k).unwrap_or_default())
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
    pub(crate) fn stored(&self, id: &str) -> Result<Arc<StoredSnapshot>> {
        let entry = self.entry(id)?;
        self.stored_blob(&entry.blob, &format!("the manifest of snapshot {id}"))
    }

    /// A manifest blob by its hash, decoded once per process.
    pub(crate) fn stored_blob(&self, hash: &str, what: &str) -> Result<Arc<StoredSnapshot>> {
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
        let mut stored: StoredSnapshot = self.decode(what, &bytes)?;
        if stored.manifest.taken_at.is_empty() {
            stored.manifest.taken_at = stored.manifest.created_at.clone();
        }
        let stored = Arc::new(stored);
        self.lock_cache().insert(hash.to_string(), stored.clone());
        Ok(stored)
    }

    /// Every record reference of a snapshot (its delta applied to its base),
    /// in manifest order, for the pages flagged as having a record.
    pub(crate) fn record_refs(&self, id: &str, stored: &StoredSnapshot) -> Result<Vec<RecordRef>> {
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

    pub(crate) fn lock_cache(&self) -> MutexGuard<'_, HashMap<String, Arc<StoredSnapshot>>> {
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

    pub(crate) fn load_record(&self, id: &str, r: &RecordRef) -> Result<PageRecord> {
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

    pub(crate) fn location(&self, hash: &[u8; 32]) -> Result<Option<Location>> {
        let found = match self.view() {
            Some(view) => view.location(hash).map(|l| l.map(|l| l.encode().to_vec())),
            None => self.get(&blob_key(hash))?.map(|v| Some(v.to_vec())),
        };
        match found {
            None => Ok(None),
            Some(v) => v
                .as_deref()
                .and_then(Location::decode)
                .map(Some)
                .ok_or_else(|| StoreError::Corrupt {
                    path: self.path.clone(),
                    key: format!("blob {}", hex::encode(hash)),
                    message: "bad location".into(),
                }),
        }
    }

    /// The base body a delta entry was compressed against.
    pub(crate) fn delta_base(&self, loc: &Location) -> Result<Option<[u8; 32]>> {
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

    pub(crate) fn pack_file(&self, n: u64) -> Result<Arc<File>> {
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
    pub(crate) fn load_blob(&self, sha256: &str, what: &str) -> Result<Option<Vec<u8>>> {
        let Some(hash) = parse_hash(sha256) else {
            return Ok(None);
        };
        let Some(loc) = self.location(&hash)? else {
            return Ok(None);
        };
        self.read_verified(&hash, &loc, what).map(Some)
    }

    pub(crate) fn read_verified(
        &self,
        hash: &[u8; 32],
        loc: &Location,
        what: &str,
    ) -> Result<Vec<u8>> {
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

    pub(crate) fn decode<T: serde::de::DeserializeOwned>(
        &self,
        key: &str,
        value: &[u8],
    ) -> Result<T> {
        serde_json::from_slice(value).map_err(|e| StoreError::Corrupt {
            path: self.path.clone(),
            key: key.to_string(),
            message: e.to_string(),
        })
    }
}

/// The base hash and zstd frame of a [`BlobKind::BodyDelta`] entry's data.
pub(crate) fn split_delta(data: &[u8]) -> Option<([u8; 32], &[u8])> {
    let base: [u8; 32] = data.get(..32)?.try_into().ok()?;
    Some((base, &data[32..]))
}

pub(crate) fn parse_hash(hex_hash: &str) -> Option<[u8; 32]> {
    hex::decode(hex_hash).ok()?.try_into().ok()
}
