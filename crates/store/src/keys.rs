//! The sled index's keys: `meta/...` singletons, and one typed function per
//! kind of entry (blob locations, registered packs, snapshot entries), so no
//! other module builds a key by hand.

pub(crate) const KEY_FORMAT: &[u8] = b"meta/format";
pub(crate) const KEY_GC_PENDING: &[u8] = b"meta/gc_pending";
const PREFIX_BLOB: &[u8] = b"b/";
const PREFIX_PACK: &[u8] = b"p/";
const PREFIX_SNAPSHOT: &[u8] = b"s/";
/// The pack number a snapshot is writing, set before the pack file is
/// created and removed by the batch that commits it: an unregistered pack it
/// names is provably a leftover.
pub(crate) const KEY_WRITING: &[u8] = b"meta/writing";
/// The packs a garbage collection retired, set in the batch that unregisters
/// them and removed once their files are deleted.
pub(crate) const KEY_GC_RETIRED: &[u8] = b"meta/gc_retired";

/// The key of a blob's location: `b/` + its SHA-256.
pub(crate) fn blob_key(hash: &[u8; 32]) -> Vec<u8> {
    [PREFIX_BLOB, hash.as_slice()].concat()
}

/// The blob hash of a [`blob_key`].
pub(crate) fn blob_of_key(key: &[u8]) -> Option<[u8; 32]> {
    key.strip_prefix(PREFIX_BLOB)?.try_into().ok()
}

/// The key registering pack `n`: `p/` + its number (big-endian).
pub(crate) fn pack_key(n: u64) -> Vec<u8> {
    [PREFIX_PACK, &n.to_be_bytes()].concat()
}

/// The pack number of a [`pack_key`].
pub(crate) fn pack_of_key(key: &[u8]) -> Option<u64> {
    let n: [u8; 8] = key.strip_prefix(PREFIX_PACK)?.try_into().ok()?;
    Some(u64::from_be_bytes(n))
}

/// The key of a snapshot's entry: `s/` + its id (ids sort as `taken_at`).
pub(crate) fn snapshot_key(id: &str) -> Vec<u8> {
    [PREFIX_SNAPSHOT, id.as_bytes()].concat()
}

/// The snapshot id of a [`snapshot_key`].
pub(crate) fn snapshot_of_key(key: &[u8]) -> Option<String> {
    key.strip_prefix(PREFIX_SNAPSHOT)
        .map(|id| String::from_utf8_lossy(id).into_owned())
}

/// Every blob location.
pub(crate) fn scan_blobs(db: &sled::Db) -> sled::Iter {
    db.scan_prefix(PREFIX_BLOB)
}

/// Every registered pack key.
pub(crate) fn scan_packs(db: &sled::Db) -> sled::Iter {
    db.scan_prefix(PREFIX_PACK)
}

/// Every snapshot entry, in id order.
pub(crate) fn scan_snapshots(db: &sled::Db) -> sled::Iter {
    db.scan_prefix(PREFIX_SNAPSHOT)
}
