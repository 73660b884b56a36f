//! The store's advisory writer lock file, naming the process writing to it.
//!
//! Only writers take it; readers read the published read view and never
//! touch the lock. The file holds three lines: the writer's PID, when it
//! took the lock (RFC 3339 UTC) and its command (`cartwatch snapshot`), so a
//! refused writer can say for whom it waits.

use crate::{Result, StoreError};
use fs2::FileExt;
use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::Path;

pub(crate) const LOCK_FILE: &str = "cartwatch.lock";

/// Who holds a store's writer lock, as its lock file says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LockHolder {
    /// The PID of the writing process, when readable.
    pub pid: Option<u32>,
    /// When it took the lock (RFC 3339 UTC), when recorded.
    pub since: Option<String>,
    /// Its command (`cartwatch snapshot`), when recorded.
    pub command: Option<String>,
}

impl LockHolder {
    /// Parses a lock file's text (a bare PID, from older versions, too).
    pub(crate) fn parse(text: &str) -> LockHolder {
        let mut lines = text.lines().map(str::trim);
        let clean = |s: &str| -> Option<String> {
            let s: String = s.chars().filter(|c| !c.is_control()).take(200).collect();
            (!s.is_empty()).then_some(s)
        };
        LockHolder {
            pid: lines.next().and_then(|l| l.parse().ok()),
            since: lines.next().and_then(clean),
            command: lines.next().and_then(clean),
        }
    }
}

impl std::fmt::Display for LockHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.pid {
            Some(pid) => write!(f, "PID {pid}")?,
            None => write!(f, "PID unknown")?,
        }
        if let Some(since) = &self.since {
            write!(f, " since {since}")?;
        }
        if let Some(command) = &self.command {
            write!(f, ", `{command}`")?;
        }
        Ok(())
    }
}

/// This process's command for the lock file: the program's file name and its
/// subcommand (`cartwatch snapshot`); nothing more, so no URL or secret from
/// the command line lands in the file.
fn own_command() -> String {
    let mut args = std::env::args();
    let program = args
        .next()
        .map(|p| {
            Path::new(&p)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or(p)
        })
        .unwrap_or_else(|| "cartwatch".into());
    match args.find(|a| !a.starts_with('-')) {
        Some(sub) if sub.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') => {
            format!("{program} {sub}")
        }
        _ => program,
    }
}

/// Takes the store's exclusive writer lock and writes our PID, the time and
/// our command into it.
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
            holder: LockHolder::parse(&text),
        });
    }
    file.set_len(0).map_err(io)?;
    file.rewind().map_err(io)?;
    let since = crate::ids::format_time(time::OffsetDateTime::now_utc());
    write!(file, "{}\n{since}\n{}\n", std::process::id(), own_command()).map_err(io)?;
    file.flush().map_err(io)?;
    Ok(file)
}
