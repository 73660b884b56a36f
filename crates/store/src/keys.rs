//! The sled index's keys.

pub(crate) const KEY_FORMAT: &[u8] = b"meta/format";
pub(crate) const KEY_GC_PENDING: &[u8] = b"meta/gc_pending";
pub(crate) const PREFIX_BLOB: &[u8] = b"b/";
pub(crate) const PREFIX_PACK: &[u8] = b"p/";
pub(crate) const PREFIX_SNAPSHOT: &[u8] = b"s/";
/// The pack number a snapshot is writing, set before the pack file is
/// created and removed by the batch that commits it: an unregistered pack it
/// names is provably a leftover.
pub(crate) const KEY_WRITING: &[u8] = b"meta/writing";
/// The packs a garbage collection retired, set in the batch that unregisters
/// them and removed once their files are deleted.
pub(crate) const KEY_GC_RETIRED: &[u8] = b"meta/gc_retired";
