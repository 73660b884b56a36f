//! The store's advisory lock file, holding the PID of the process using it.

use crate::{Result, StoreError};
use fs2::FileExt;
use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::Path;

pub(crate) const LOCK_FILE: &str = "cartwatch.lock";

/// Takes the store's exclusive lock and writes our PID into it.
pub(crate) fn lock_store(path: &Path) -> Result<File> {
    let lock_path = path.join(LOCK_FILE);
    let io = |source| StoreError::Io {
        path: lock_path.clone(),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .map_err(io)?;
    if let Err(e) = file.try_lock_exclusive() {
        if e.raw_os_error() != fs2::lock_contended_error().raw_os_error() {
            return Err(io(e));
        }
        let mut text = String::new();
        let _ = file.read_to_string(&mut text);
        return Err(StoreError::InUse {
            path: path.to_path_buf(),
            pid: text.trim().parse().ok(),
        });
    }
    file.set_len(0).map_err(io)?;
    file.rewind().map_err(io)?;
    writeln!(file, "{}", std::process::id()).map_err(io)?;
    file.flush().map_err(io)?;
    Ok(file)
}
