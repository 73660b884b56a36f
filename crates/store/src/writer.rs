//! Writing a snapshot: new blobs into a fresh pack, then one atomic sled batch lists it.

use crate::error::Result;
use crate::failpoints::failpoint;
use crate::ids::{format_time, id_for};
use crate::keys::{blob_key, pack_key, snapshot_key, KEY_WRITING};
use crate::pack::{self, pack_path, HEADER_LEN};
use crate::read::parse_hash;
use crate::{
    encode_pack_numbers, sync_dir, BlobKind, Location, RecordRef, SnapshotEntry, SnapshotSummary,
    Store, StoreError, StoredSnapshot,
};
use cartwatch_model::{CenterSnapshot, PageRecord, SnapshotManifest, SnapshotSource};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

impl Store {
    /// Starts a snapshot of pages seen now (a live fetch); nothing is listed
    /// until [`SnapshotWriter::commit`].
    pub fn begin_snapshot(&self, source: SnapshotSource) -> Result<SnapshotWriter<'_>> {
        self.begin_snapshot_at(source, time::OffsetDateTime::now_utc())
    }

    /// Starts a snapshot of pages seen at `taken_at` (a capture set's
    /// `taken_at`, a WARC-Date, an archive's capture time). Its id is that
    /// time (with a `-002`... suffix when taken), so it is listed, resolved
    /// (`latest~N`) and diffed in the order pages were seen, whenever it is
    /// stored; nothing is listed until [`SnapshotWriter::commit`].
    pub fn begin_snapshot_at(
        &self,
        source: SnapshotSource,
        taken_at: time::OffsetDateTime,
    ) -> Result<SnapshotWriter<'_>> {
        let mut lookup_error = None;
        let id = id_for(taken_at, |candidate| match self.entry(candidate) {
            Ok(_) => true,
            Err(StoreError::NoSuchSnapshot(_)) => false,
            Err(e) => {
                lookup_error.get_or_insert(e);
                true
            }
        });
        if let Some(e) = lookup_error {
            return Err(e);
        }
        let now = format_time(time::OffsetDateTime::now_utc());
        self.writer(id, now, format_time(taken_at), source)
    }

    pub(crate) fn writer(
        &self,
        id: String,
        created_at: String,
        taken_at: String,
        source: SnapshotSource,
    ) -> Result<SnapshotWriter<'_>> {
        let pack_no = self.next_pack_number()?;
        Ok(SnapshotWriter {
            store: self,
            id,
            created_at,
            taken_at,
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
}

/// A snapshot being written; dropped without commit, it never becomes
/// visible and its pack file is deleted.
pub struct SnapshotWriter<'a> {
    store: &'a Store,
    id: String,
    created_at: String,
    taken_at: String,
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
        if self.new_blobs.contains_key(&hash) || self.stored_soundly(&hash)? {
            return Ok((hex_hash, false));
        }
        let path = self.pack_path();
        let data = pack::compress(bytes).map_err(self.store.io_err(&path))?;
        self.append(kind, hash, bytes.len(), &data)?;
        Ok((hex_hash, true))
    }

    /// Whether the store already holds this blob and it reads back intact.
    /// A damaged copy does not count: the blob is written again into this
    /// snapshot's pack, whose location replaces the damaged one at commit,
    /// so a new snapshot never references damaged bytes.
    fn stored_soundly(&self, hash: &[u8; 32]) -> Result<bool> {
        match self.store.location(hash)? {
            None => Ok(false),
            Some(loc) => Ok(self
                .store
                .read_verified(hash, &loc, "an existing blob")
                .is_ok()),
        }
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
            // Named in the index first: a crash leaves a pack provably ours.
            self.store
                .db("writing a snapshot")?
                .insert(KEY_WRITING, encode_pack_numbers(&[self.pack_no]))
                .map_err(|e| self.store.sled_err(e))?;
            self.store.flush()?;
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
        if self.new_blobs.contains_key(&hash) || self.stored_soundly(&hash)? {
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
            taken_at: self.taken_at.clone(),
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
            taken_at: self.taken_at.clone(),
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
            batch.insert(pack_key(self.pack_no), &[]);
        }
        for (hash, loc) in &self.new_blobs {
            batch.insert(blob_key(hash), &loc.encode());
        }
        batch.insert(snapshot_key(&self.id), entry);
        batch.remove(KEY_WRITING);
        self.store
            .db("committing a snapshot")?
            .apply_batch(batch)
            .map_err(|e| self.store.sled_err(e))?;
        // From here the pack belongs to the index: never delete it on drop.
        self.committed = true;
        failpoint("after_manifest");
        self.store.flush()?;
        self.store.publish_view()?;
        self.store.lock_cache().insert(blob_hash, Arc::new(stored));
        Ok(manifest)
    }
}

impl Drop for SnapshotWriter<'_> {
    fn drop(&mut self) {
        if !self.committed {
            self.pack = None;
            let _ = std::fs::remove_file(self.pack_path());
            if let Ok(db) = self.store.db("") {
                let _ = db.remove(KEY_WRITING);
            }
        }
    }
}
