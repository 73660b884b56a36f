//! Snapshot storage on sled.
//!
//! Bodies are content-addressed by SHA-256; records are stored per snapshot,
//! center and URL; a snapshot's manifest is written last, so a snapshot is
//! listed only when it is whole.
#![deny(missing_docs)]

use cartwatch_model::{CenterSnapshot, PageRecord, PageSnapshot, SnapshotManifest, SnapshotSource};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// What went wrong with the store; each variant says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// sled failed.
    #[error("store {path}: {source}")]
    Sled {
        /// The store folder.
        path: PathBuf,
        /// The underlying error.
        source: sled::Error,
    },
    /// No snapshot matches what was asked for.
    #[error("no snapshot {0:?} in the store; `cartwatch snapshots` lists them")]
    NoSuchSnapshot(String),
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
}

type Result<T> = std::result::Result<T, StoreError>;

/// An open store.
pub struct Store {
    path: PathBuf,
    db: sled::Db,
    bodies: sled::Tree,
    records: sled::Tree,
    manifests: sled::Tree,
}

impl Store {
    /// Opens (creating if needed) the store in this folder.
    pub fn open(path: &Path) -> Result<Store> {
        let err = |source| StoreError::Sled {
            path: path.to_path_buf(),
            source,
        };
        let db = sled::open(path).map_err(err)?;
        Ok(Store {
            path: path.to_path_buf(),
            bodies: db.open_tree("bodies").map_err(err)?,
            records: db.open_tree("records").map_err(err)?,
            manifests: db.open_tree("manifests").map_err(err)?,
            db,
        })
    }

    fn sled_err(&self, source: sled::Error) -> StoreError {
        StoreError::Sled {
            path: self.path.clone(),
            source,
        }
    }

    /// Starts a snapshot; nothing is listed until [`SnapshotWriter::commit`].
    pub fn begin_snapshot(&self, source: SnapshotSource) -> Result<SnapshotWriter<'_>> {
        let now = time::OffsetDateTime::now_utc();
        let base = now
            .replace_nanosecond(0)
            .unwrap_or(now)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let mut id = base.clone();
        let mut n = 1;
        while self
            .manifests
            .contains_key(id.as_bytes())
            .map_err(|e| self.sled_err(e))?
        {
            n += 1;
            id = format!("{base}.{n}");
        }
        Ok(SnapshotWriter {
            store: self,
            id,
            created_at: base,
            source,
            bytes_new: 0,
        })
    }

    /// Every committed snapshot, oldest first.
    pub fn list(&self) -> Result<Vec<SnapshotManifest>> {
        self.manifests
            .iter()
            .map(|entry| {
                let (key, value) = entry.map_err(|e| self.sled_err(e))?;
                self.decode(&String::from_utf8_lossy(&key), &value)
            })
            .collect()
    }

    /// Resolves `latest`, `latest~N` or an id to a snapshot id.
    pub fn resolve(&self, spec: &str) -> Result<String> {
        let ids: Vec<String> = self
            .manifests
            .iter()
            .keys()
            .map(|k| {
                k.map(|k| String::from_utf8_lossy(&k).into_owned())
                    .map_err(|e| self.sled_err(e))
            })
            .collect::<Result<_>>()?;
        let back = if spec == "latest" {
            Some(0)
        } else {
            spec.strip_prefix("latest~").and_then(|n| n.parse::<usize>().ok())
        };
        let found = match back {
            Some(n) => ids.len().checked_sub(n + 1).map(|i| ids[i].clone()),
            None => ids.iter().find(|id| *id == spec).cloned(),
        };
        found.ok_or_else(|| StoreError::NoSuchSnapshot(spec.to_string()))
    }

    /// The manifest of a snapshot.
    pub fn manifest(&self, id: &str) -> Result<SnapshotManifest> {
        let value = self
            .manifests
            .get(id.as_bytes())
            .map_err(|e| self.sled_err(e))?
            .ok_or_else(|| StoreError::NoSuchSnapshot(id.to_string()))?;
        self.decode(id, &value)
    }

    /// The record of one page in a snapshot.
    pub fn record(&self, id: &str, center: &str, url: &str) -> Result<Option<PageRecord>> {
        let key = record_key(id, center, url);
        match self.records.get(&key).map_err(|e| self.sled_err(e))? {
            Some(value) => Ok(Some(self.decode(&format!("{id} {center} {url}"), &value)?)),
            None => Ok(None),
        }
    }

    /// Every record of a snapshot as (center, url, record), in key order.
    pub fn records(&self, id: &str) -> Result<Vec<(String, String, PageRecord)>> {
        let prefix = format!("{id}\0");
        self.records
            .scan_prefix(prefix.as_bytes())
            .map(|entry| {
                let (key, value) = entry.map_err(|e| self.sled_err(e))?;
                let key = String::from_utf8_lossy(&key).into_owned();
                let mut parts = key.splitn(3, '\0').skip(1);
                let center = parts.next().unwrap_or_default().to_string();
                let url = parts.next().unwrap_or_default().to_string();
                let record = self.decode(&key, &value)?;
                Ok((center, url, record))
            })
            .collect()
    }

    /// The newest committed entry for this page that carried content, with its
    /// snapshot id: the validators and body a conditional fetch reuses.
    pub fn previous_page(&self, center: &str, url: &str) -> Result<Option<(String, PageSnapshot)>> {
        for manifest in self.list()?.into_iter().rev() {
            let page = manifest
                .center(center)
                .and_then(|c| c.pages.iter().find(|p| p.url == url && p.outcome.has_content()));
            if let Some(page) = page {
                return Ok(Some((manifest.id.clone(), page.clone())));
            }
        }
        Ok(None)
    }

    /// A body by its SHA-256 (hex).
    pub fn body(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .bodies
            .get(sha256.as_bytes())
            .map_err(|e| self.sled_err(e))?
            .map(|v| v.to_vec()))
    }

    fn decode<T: serde::de::DeserializeOwned>(&self, key: &str, value: &[u8]) -> Result<T> {
        serde_json::from_slice(value).map_err(|e| StoreError::Corrupt {
            path: self.path.clone(),
            key: key.to_string(),
            message: e.to_string(),
        })
    }

    /// Flushes to disk.
    pub fn flush(&self) -> Result<()> {
        self.db.flush().map_err(|e| self.sled_err(e))?;
        Ok(())
    }
}

fn record_key(id: &str, center: &str, url: &str) -> Vec<u8> {
    format!("{id}\0{center}\0{url}").into_bytes()
}

/// A snapshot being written; dropped without commit, it never becomes visible.
pub struct SnapshotWriter<'a> {
    store: &'a Store,
    id: String,
    created_at: String,
    source: SnapshotSource,
    bytes_new: u64,
}

impl SnapshotWriter<'_> {
    /// The id the snapshot will have.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Stores a body (once per distinct content); returns its SHA-256 (hex).
    pub fn put_body(&mut self, bytes: &[u8]) -> Result<String> {
        let hash = hex::encode(Sha256::digest(bytes));
        let inserted = self
            .store
            .bodies
            .compare_and_swap(hash.as_bytes(), None as Option<&[u8]>, Some(bytes))
            .map_err(|e| self.store.sled_err(e))?;
        if inserted.is_ok() {
            self.bytes_new += bytes.len() as u64;
        }
        Ok(hash)
    }

    /// Stores one page's record.
    pub fn put_record(&mut self, center: &str, url: &str, record: &PageRecord) -> Result<()> {
        let value = serde_json::to_vec(record).expect("records serialize");
        self.bytes_new += value.len() as u64;
        self.store
            .records
            .insert(record_key(&self.id, center, url), value)
            .map_err(|e| self.store.sled_err(e))?;
        Ok(())
    }

    /// Makes the snapshot visible and returns its manifest.
    pub fn commit(self, centers: Vec<CenterSnapshot>) -> Result<SnapshotManifest> {
        let manifest = SnapshotManifest {
            id: self.id.clone(),
            created_at: self.created_at.clone(),
            source: self.source.clone(),
            centers,
            bytes_new: self.bytes_new,
        };
        self.store.flush()?;
        let value = serde_json::to_vec(&manifest).expect("manifests serialize");
        self.store
            .manifests
            .insert(self.id.as_bytes(), value)
            .map_err(|e| self.store.sled_err(e))?;
        self.store.flush()?;
        Ok(manifest)
    }
}
