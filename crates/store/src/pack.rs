//! Pack files: append-only files of zstd-compressed, content-addressed blobs.
//!
//! Each snapshot appends the blobs it adds (bodies, records, its own
//! manifest) to one new pack file `packs/<n>.pack`. An entry is a 45-byte
//! header (magic `CWB1`, kind, SHA-256 of the uncompressed bytes, raw and
//! compressed lengths) followed by the zstd frame. The sled index maps each
//! hash to its [`Location`]; the headers alone are enough to rebuild that
//! index (`cartwatch fsck --repair`).

use std::path::{Path, PathBuf};

/// Bytes before every entry's data.
pub(crate) const HEADER_LEN: usize = 4 + 1 + 32 + 4 + 4;
const MAGIC: &[u8; 4] = b"CWB1";
/// zstd level for every blob (zstd's default: fast, and the benchmark's baseline).
pub(crate) const ZSTD_LEVEL: i32 = 3;

/// What a blob holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobKind {
    /// A page body as served.
    Body = 1,
    /// A normalized page record (JSON).
    Record = 2,
    /// A snapshot's manifest and record index (JSON).
    Snapshot = 3,
    /// A page body compressed against an earlier body of the same page (its
    /// *base*, always a [`BlobKind::Body`]): the data is the base's SHA-256
    /// followed by a zstd frame that used the base as its dictionary.
    BodyDelta = 4,
}

impl BlobKind {
    fn from_u8(v: u8) -> Option<BlobKind> {
        match v {
            1 => Some(BlobKind::Body),
            2 => Some(BlobKind::Record),
            3 => Some(BlobKind::Snapshot),
            4 => Some(BlobKind::BodyDelta),
            _ => None,
        }
    }

    /// A lower-case name for messages.
    pub fn name(self) -> &'static str {
        match self {
            BlobKind::Body | BlobKind::BodyDelta => "body",
            BlobKind::Record => "record",
            BlobKind::Snapshot => "snapshot manifest",
        }
    }
}

/// Where one blob's compressed bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// The pack file number.
    pub pack: u64,
    /// Offset of the compressed data (just past the entry header).
    pub offset: u64,
    /// Compressed length.
    pub compressed_len: u32,
    /// Uncompressed length.
    pub raw_len: u32,
    /// What the blob holds.
    pub kind: BlobKind,
}

impl Location {
    /// Encodes as the sled index value (25 bytes).
    pub(crate) fn encode(&self) -> [u8; 25] {
        let mut out = [0u8; 25];
        out[0..8].copy_from_slice(&self.pack.to_be_bytes());
        out[8..16].copy_from_slice(&self.offset.to_be_bytes());
        out[16..20].copy_from_slice(&self.compressed_len.to_be_bytes());
        out[20..24].copy_from_slice(&self.raw_len.to_be_bytes());
        out[24] = self.kind as u8;
        out
    }

    /// Decodes a sled index value.
    pub(crate) fn decode(bytes: &[u8]) -> Option<Location> {
        if bytes.len() != 25 {
            return None;
        }
        Some(Location {
            pack: u64::from_be_bytes(bytes[0..8].try_into().ok()?),
            offset: u64::from_be_bytes(bytes[8..16].try_into().ok()?),
            compressed_len: u32::from_be_bytes(bytes[16..20].try_into().ok()?),
            raw_len: u32::from_be_bytes(bytes[20..24].try_into().ok()?),
            kind: BlobKind::from_u8(bytes[24])?,
        })
    }

    /// Bytes this blob takes in its pack, header included.
    pub fn stored_len(&self) -> u64 {
        HEADER_LEN as u64 + self.compressed_len as u64
    }
}

/// The path of pack number `n` in a packs folder.
pub(crate) fn pack_path(dir: &Path, n: u64) -> PathBuf {
    dir.join(format!("{n:08}.pack"))
}

/// The pack number of a file name like `00000012.pack`.
pub(crate) fn pack_number(name: &str) -> Option<u64> {
    name.strip_suffix(".pack")?.parse().ok()
}

/// An entry header followed by its compressed data.
pub(crate) fn entry_bytes(kind: BlobKind, hash: &[u8; 32], raw_len: u32, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + data.len());
    out.extend_from_slice(MAGIC);
    out.push(kind as u8);
    out.extend_from_slice(hash);
    out.extend_from_slice(&raw_len.to_be_bytes());
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(data);
    out
}

/// A pack's readable entries (hash and location), and what stopped the
/// reading early, if anything.
pub(crate) type PackEntries = (Vec<([u8; 32], Location)>, Option<String>);

/// Every entry of a pack file, read from its headers (the pack describes
/// itself: kind, hash and lengths precede each blob), with where the readable
/// part ended when the file is damaged or cut short.
pub(crate) fn read_entries(path: &Path, pack: u64) -> std::io::Result<PackEntries> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let total = file.metadata()?.len();
    let mut reader = std::io::BufReader::new(file);
    let mut entries = Vec::new();
    let mut offset = 0u64;
    let mut header = [0u8; HEADER_LEN];
    while offset < total {
        if total - offset < HEADER_LEN as u64 {
            return Ok((entries, Some(format!("cut short at byte {offset}"))));
        }
        reader.read_exact(&mut header)?;
        let kind = BlobKind::from_u8(header[4]);
        if &header[..4] != MAGIC || kind.is_none() {
            return Ok((
                entries,
                Some(format!("no entry header at byte {offset} (damaged)")),
            ));
        }
        let mut hash = [0u8; 32];
        hash.copy_from_slice(&header[5..37]);
        let raw_len = u32::from_be_bytes([header[37], header[38], header[39], header[40]]);
        let compressed_len = u32::from_be_bytes([header[41], header[42], header[43], header[44]]);
        let end = offset + HEADER_LEN as u64 + compressed_len as u64;
        if end > total {
            return Ok((entries, Some(format!("cut short at byte {offset}"))));
        }
        std::io::copy(
            &mut (&mut reader).take(compressed_len as u64),
            &mut std::io::sink(),
        )?;
        if let Some(kind) = kind {
            entries.push((
                hash,
                Location {
                    pack,
                    offset: offset + HEADER_LEN as u64,
                    compressed_len,
                    raw_len,
                    kind,
                },
            ));
        }
        offset = end;
    }
    Ok((entries, None))
}

/// Compresses bytes for a pack entry.
pub(crate) fn compress(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    zstd::bulk::compress(bytes, ZSTD_LEVEL)
}

/// Compresses bytes with an earlier version as the dictionary: what changed
/// costs bytes, what stayed costs almost nothing.
pub(crate) fn compress_with_base(bytes: &[u8], base: &[u8]) -> std::io::Result<Vec<u8>> {
    zstd::bulk::Compressor::with_dictionary(ZSTD_LEVEL, base)?.compress(bytes)
}

/// Decompresses what [`compress_with_base`] made, given the same base.
pub(crate) fn decompress_with_base(
    data: &[u8],
    raw_len: u32,
    base: &[u8],
) -> std::io::Result<Vec<u8>> {
    zstd::bulk::Decompressor::with_dictionary(base)?.decompress(data, raw_len as usize)
}

thread_local! {
    /// One reusable decompression context per thread (creating one per blob
    /// costs more than decompressing a small record).
    static DECOMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
        const { std::cell::RefCell::new(None) };
}

/// Decompresses a pack entry's data, expecting `raw_len` bytes.
pub(crate) fn decompress(data: &[u8], raw_len: u32) -> std::io::Result<Vec<u8>> {
    DECOMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(zstd::bulk::Decompressor::new()?);
        }
        match slot.as_mut() {
            Some(d) => d.decompress(data, raw_len as usize),
            None => zstd::bulk::decompress(data, raw_len as usize),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_round_trip() {
        let loc = Location {
            pack: 7,
            offset: 1 << 33,
            compressed_len: 1234,
            raw_len: 99999,
            kind: BlobKind::Record,
        };
        assert_eq!(Location::decode(&loc.encode()), Some(loc));
        assert_eq!(Location::decode(&[0; 24]), None);
        assert_eq!(pack_number("00000012.pack"), Some(12));
        assert_eq!(pack_number("00000012.pack.tmp"), None);
    }

    #[test]
    fn deltas_against_a_base_are_small_and_exact() {
        let mut x = 88_172_645_463_325_252u64;
        let base: Vec<u8> = (0..60_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 56) as u8
            })
            .collect();
        let mut next = base.clone();
        next[30_000..30_010].copy_from_slice(b"0123456789");
        let full = compress(&next).unwrap();
        let delta = compress_with_base(&next, &base).unwrap();
        assert!(
            delta.len() * 20 < full.len(),
            "{} vs {}",
            delta.len(),
            full.len()
        );
        assert_eq!(
            decompress_with_base(&delta, next.len() as u32, &base).unwrap(),
            next
        );
    }
}
