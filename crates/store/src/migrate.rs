//! The format-0 store (the first development build: sled at the folder's root) migrated in place.

use crate::{Result, Store, StoreError};
use cartwatch_model::{PageRecord, SnapshotManifest};
use std::path::Path;

impl Store {
    /// Copies every snapshot of a format-0 store (ids, sources, pages,
    /// bodies, records) into this one.
    pub(crate) fn migrate_format0(&self, old: &sled::Db) -> Result<()> {
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
}

/// Moves a migrated format-0 store's sled files into `format0-backup/`
/// (`db` last: until it moves, the next open migrates again from scratch).
pub(crate) fn retire_format0(path: &Path) -> std::io::Result<()> {
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
