//! Setting damaged packs aside (`cartwatch fsck --quarantine`): every blob
//! is verified; a pack holding a blob that does not verify is *damaged*. Its
//! readable blobs are copied into a fresh pack, the damaged file is moved to
//! `quarantine/` (never deleted), the index forgets the lost blobs, and each
//! snapshot that referenced one gets a rewritten manifest where those pages
//! say what was lost (a lost record makes the page a failure for the diff,
//! never removed content; a lost body leaves the page without a body).
//! Everything lands in one atomic index batch, as a snapshot commit does.

use crate::error::Result;
use crate::keys::{blob_key, blob_of_key, pack_key, scan_blobs, snapshot_key, KEY_WRITING};
use crate::pack::{self, pack_path, HEADER_LEN};
use crate::read::parse_hash;
use crate::{
    encode_pack_numbers, sync_dir, BlobKind, Location, RecordRef, SnapshotEntry, Store, StoreError,
    StoredSnapshot,
};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Write;
use std::os::unix::fs::FileExt as _;
use std::path::PathBuf;

/// What [`Store::quarantine`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuarantineReport {
    /// Damaged pack files moved aside, with where they went.
    pub packs: Vec<(PathBuf, PathBuf)>,
    /// Blobs that could be read and were kept (copied into a new pack).
    pub blobs_kept: usize,
    /// Blobs lost (they do not verify), by what they were.
    pub blobs_lost: usize,
    /// Pages marked as lost, one line each: `the record of page URL (center
    /// ID) in snapshot ID`.
    pub lost: Vec<String>,
    /// Snapshots whose own manifest was lost: they stay listed (reading them
    /// fails naming them) until pruned.
    pub unreadable_snapshots: Vec<String>,
}

impl Store {
    /// Verifies every indexed blob and sets damaged packs aside (see the
    /// module docs). A store without damage is left as it was.
    pub fn quarantine(&self) -> Result<QuarantineReport> {
        let db = self.db("quarantining damaged packs")?;
        let mut all: Vec<([u8; 32], Location)> = Vec::new();
        for kv in scan_blobs(db) {
            let (k, v) = kv.map_err(|e| self.sled_err(e))?;
            let (Some(hash), Some(loc)) = (blob_of_key(&k), Location::decode(&v)) else {
                return Err(StoreError::Corrupt {
                    path: self.path.clone(),
                    key: String::from_utf8_lossy(&k).into_owned(),
                    message: "bad blob entry".into(),
                });
            };
            all.push((hash, loc));
        }
        // Whole blobs first: their own bytes decide.
        let mut lost: HashSet<[u8; 32]> = HashSet::new();
        let mut damaged: BTreeSet<u64> = BTreeSet::new();
        for (hash, loc) in all.iter().filter(|(_, l)| l.kind != BlobKind::BodyDelta) {
            if self.read_verified(hash, loc, "a blob").is_err() {
                lost.insert(*hash);
                damaged.insert(loc.pack);
            }
        }
        // A delta is lost with its base; it damages its pack only when its
        // base is sound and it still does not verify.
        for (hash, loc) in all.iter().filter(|(_, l)| l.kind == BlobKind::BodyDelta) {
            if self.read_verified(hash, loc, "a blob").is_err() {
                lost.insert(*hash);
                let base_lost = self
                    .delta_base(loc)
                    .ok()
                    .flatten()
                    .is_none_or(|b| lost.contains(&b));
                if !base_lost {
                    damaged.insert(loc.pack);
                }
            }
        }
        let mut report = QuarantineReport {
            blobs_lost: lost.len(),
            ..QuarantineReport::default()
        };
        if lost.is_empty() {
            return Ok(report);
        }

        // The readable blobs of damaged packs go to a new pack, as they are.
        let new_no = self.next_pack_number()?;
        let new_path = pack_path(&self.packs_dir, new_no);
        db.insert(KEY_WRITING, encode_pack_numbers(&[new_no]))
            .map_err(|e| self.sled_err(e))?;
        self.flush()?;
        let mut out = std::io::BufWriter::new(
            std::fs::File::create(&new_path).map_err(self.io_err(&new_path))?,
        );
        let mut offset = 0u64;
        let mut batch = sled::Batch::default();
        for (hash, loc) in &all {
            if lost.contains(hash) {
                batch.remove(blob_key(hash));
                continue;
            }
            if !damaged.contains(&loc.pack) {
                continue;
            }
            let mut entry = vec![0u8; loc.stored_len() as usize];
            self.pack_file(loc.pack)?
                .read_exact_at(&mut entry, loc.offset - HEADER_LEN as u64)
                .map_err(self.io_err(&pack_path(&self.packs_dir, loc.pack)))?;
            out.write_all(&entry).map_err(self.io_err(&new_path))?;
            let moved = Location {
                pack: new_no,
                offset: offset + HEADER_LEN as u64,
                ..*loc
            };
            offset += loc.stored_len();
            batch.insert(blob_key(hash), &moved.encode());
            report.blobs_kept += 1;
        }

        // Snapshots that referenced a lost blob get a manifest saying so.
        let note = |what: &str, pack: &str| {
            format!("lost: its stored {what} was damaged; `cartwatch fsck --quarantine` set {pack} aside")
        };
        let damaged_names: Vec<String> = damaged
            .iter()
            .map(|n| format!("quarantine/{n:08}.pack"))
            .collect();
        let pack_names = damaged_names.join(", ");
        for entry in self.entries()? {
            let id = entry.summary.id.clone();
            let manifest_lost = parse_hash(&entry.blob).is_none_or(|h| lost.contains(&h));
            if manifest_lost {
                report.unreadable_snapshots.push(id);
                continue;
            }
            let stored = self.stored(&id)?;
            // The record index, whole (its base may be the lost blob).
            let own: HashMap<(&str, &str), &str> = stored
                .records
                .iter()
                .map(|r| ((r.center.as_str(), r.url.as_str()), r.sha256.as_str()))
                .collect();
            let refs: Vec<RecordRef> = match self.record_refs(&id, &stored) {
                Ok(refs) => refs,
                Err(_) => stored
                    .manifest
                    .centers
                    .iter()
                    .flat_map(|c| c.pages.iter().map(move |p| (c, p)))
                    .filter_map(|(c, p)| {
                        own.get(&(c.id.as_str(), p.url.as_str()))
                            .map(|sha| RecordRef {
                                center: c.id.clone(),
                                url: p.url.clone(),
                                sha256: sha.to_string(),
                            })
                    })
                    .collect(),
            };
            let record_of: HashMap<(String, String), String> = refs
                .iter()
                .map(|r| ((r.center.clone(), r.url.clone()), r.sha256.clone()))
                .collect();
            let mut manifest = stored.manifest.clone();
            let mut changed = false;
            for center in &mut manifest.centers {
                for page in &mut center.pages {
                    let body_lost = page
                        .body_sha256
                        .as_deref()
                        .and_then(parse_hash)
                        .is_some_and(|h| lost.contains(&h));
                    let record_lost = page.has_record
                        && record_of
                            .get(&(center.id.clone(), page.url.clone()))
                            .and_then(|h| parse_hash(h))
                            .is_none_or(|h| lost.contains(&h));
                    if body_lost {
                        page.body_sha256 = None;
                        page.error = Some(note("body", &pack_names));
                        report.lost.push(format!(
                            "the body of page {} (center {}) in snapshot {id}",
                            page.url, center.id
                        ));
                        changed = true;
                    }
                    if record_lost {
                        page.has_record = false;
                        page.error = Some(note(
                            if body_lost {
                                "body and record"
                            } else {
                                "record"
                            },
                            &pack_names,
                        ));
                        report.lost.push(format!(
                            "the record of page {} (center {}) in snapshot {id}",
                            page.url, center.id
                        ));
                        changed = true;
                    }
                }
            }
            if !changed {
                continue;
            }
            let records: Vec<RecordRef> = refs
                .into_iter()
                .filter(|r| parse_hash(&r.sha256).is_some_and(|h| !lost.contains(&h)))
                .collect();
            let rewritten = StoredSnapshot {
                manifest,
                records,
                records_base: None,
            };
            let bytes = serde_json::to_vec(&rewritten).map_err(|e| StoreError::Corrupt {
                path: self.path.clone(),
                key: format!("manifest of {id}"),
                message: e.to_string(),
            })?;
            let hash: [u8; 32] = Sha256::digest(&bytes).into();
            let data = pack::compress(&bytes).map_err(self.io_err(&new_path))?;
            let entry_bytes =
                pack::entry_bytes(BlobKind::Snapshot, &hash, bytes.len() as u32, &data);
            out.write_all(&entry_bytes)
                .map_err(self.io_err(&new_path))?;
            let loc = Location {
                pack: new_no,
                offset: offset + HEADER_LEN as u64,
                compressed_len: data.len() as u32,
                raw_len: bytes.len() as u32,
                kind: BlobKind::Snapshot,
            };
            offset += entry_bytes.len() as u64;
            batch.insert(blob_key(&hash), &loc.encode());
            let mut summary = entry.summary.clone();
            summary.pages_ok = rewritten.manifest.pages_ok();
            summary.pages_failed = rewritten.manifest.pages_failed();
            let value = serde_json::to_vec(&SnapshotEntry {
                summary,
                blob: hex::encode(hash),
            })
            .map_err(|e| StoreError::Corrupt {
                path: self.path.clone(),
                key: format!("entry of {id}"),
                message: e.to_string(),
            })?;
            batch.insert(snapshot_key(&id), value);
        }
        let file = out
            .into_inner()
            .map_err(|e| self.io_err(&new_path)(e.into_error()))?;
        file.sync_all().map_err(self.io_err(&new_path))?;
        sync_dir(&self.packs_dir);
        if offset > 0 {
            batch.insert(pack_key(new_no), &[]);
        }
        for n in &damaged {
            batch.remove(pack_key(*n));
        }
        batch.remove(KEY_WRITING);
        db.apply_batch(batch).map_err(|e| self.sled_err(e))?;
        self.flush()?;
        self.publish_view()?;
        self.lock_cache().clear();
        self.open_packs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        if offset == 0 {
            let _ = std::fs::remove_file(&new_path);
        }
        // The damaged files, moved aside whole (never deleted).
        let aside_dir = self.path.join("quarantine");
        std::fs::create_dir_all(&aside_dir).map_err(self.io_err(&aside_dir))?;
        let mut moved: BTreeMap<u64, (PathBuf, PathBuf)> = BTreeMap::new();
        for n in &damaged {
            let from = pack_path(&self.packs_dir, *n);
            let mut to = pack_path(&aside_dir, *n);
            let mut k = 2;
            while to.exists() {
                to = aside_dir.join(format!("{n:08}.pack.{k}"));
                k += 1;
            }
            if from.exists() {
                std::fs::rename(&from, &to).map_err(self.io_err(&from))?;
                moved.insert(*n, (from, to));
            }
        }
        sync_dir(&aside_dir);
        sync_dir(&self.packs_dir);
        report.packs = moved.into_values().collect();
        report.lost.sort();
        Ok(report)
    }
}
