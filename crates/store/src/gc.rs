//! Prune and garbage collection: dropping snapshots, then rewriting the packs holding unreferenced blobs.

use crate::error::Result;
use crate::failpoints::failpoint;
use crate::keys::{
    blob_key, blob_of_key, pack_key, scan_blobs, snapshot_key, KEY_GC_PENDING, KEY_GC_RETIRED,
};
use crate::pack::{pack_path, HEADER_LEN};
use crate::read::parse_hash;
use crate::{encode_pack_numbers, sync_dir, Location, Store, StoreError};
use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt as _;

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

impl Store {
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
            batch.remove(snapshot_key(id));
        }
        batch.insert(KEY_GC_PENDING, &[]);
        self.db("pruning")?
            .apply_batch(batch)
            .map_err(|e| self.sled_err(e))?;
        self.flush()?;
        // Readers stop listing the dropped snapshots now.
        self.publish_view()?;
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
        self.db("collecting garbage")?
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
        for kv in scan_blobs(self.db("collecting garbage")?) {
            let (k, v) = kv.map_err(|e| self.sled_err(e))?;
            let hash = blob_of_key(&k).ok_or_else(|| StoreError::Corrupt {
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
                let new_no = self.next_pack_number()?;
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
                    batch.insert(blob_key(hash), &moved.encode());
                }
                let file = out
                    .into_inner()
                    .map_err(|e| self.io_err(&new_path)(e.into_error()))?;
                file.sync_all().map_err(self.io_err(&new_path))?;
                sync_dir(&self.packs_dir);
                batch.insert(pack_key(new_no), &[]);
            }
            for n in &retire {
                batch.remove(pack_key(*n));
                for (hash, loc) in dead.get(n).map(Vec::as_slice).unwrap_or_default() {
                    batch.remove(blob_key(hash));
                    report.blobs_removed += 1;
                    report.bytes_reclaimed += loc.stored_len();
                }
            }
        }
        if !retire.is_empty() {
            batch.insert(KEY_GC_RETIRED, encode_pack_numbers(&retire));
        }
        batch.remove(KEY_GC_PENDING);
        self.db("pruning")?
            .apply_batch(batch)
            .map_err(|e| self.sled_err(e))?;
        self.flush()?;
        // Readers move to the new view before the retired packs go.
        self.publish_view()?;
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
        // Durable with the next flush; until then a reopen finds the retired
        // files already gone.
        self.db("collecting garbage")?
            .remove(KEY_GC_RETIRED)
            .map_err(|e| self.sled_err(e))?;
        Ok(report)
    }
}
