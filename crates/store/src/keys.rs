//! The sled index's keys.

pub(crate) const KEY_FORMAT: &[u8] = b"meta/format";
pub(crate) const KEY_GC_PENDING: &[u8] = b"meta/gc_pending";
pub(crate) const PREFIX_BLOB: &[u8] = b"b/";
pub(crate) const PREFIX_PACK: &[u8] = b"p/";
pub(crate) const PREFIX_SNAPSHOT: &[u8] = b"s/";
