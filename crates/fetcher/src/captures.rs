//! Saved capture folders: pages fetched earlier (or written by hand), read
//! back so every command runs offline.
//!
//! A capture set is a folder:
//!
//! ```text
//! 2026-10-01/
//!   capture.toml          taken_at, label, note (all optional)
//!   msk/1.json            per-page manifest (CaptureMeta): url, fetched_at, status, ...
//!   msk/1.html            the body bytes as served, named by the manifest's `body`
//! ```
//!
//! A failed fetch has a manifest with its outcome and no body file.

use cartwatch_model::{Capture, CaptureMeta};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A capture folder read into memory.
#[derive(Debug, Clone)]
pub struct CaptureSet {
    /// The folder it was read from.
    pub dir: PathBuf,
    /// When the set was taken, from `capture.toml`.
    pub taken_at: Option<String>,
    /// A one-line label, from `capture.toml`.
    pub label: Option<String>,
    /// Every page, sorted by center folder, then manifest file name.
    pub captures: Vec<Capture>,
}

impl CaptureSet {
    /// The capture of this center's page, if the set has it.
    pub fn find(&self, center: &str, url: &str) -> Option<&Capture> {
        self.captures
            .iter()
            .find(|c| c.center == center && c.url == url)
    }
}

/// A capture folder that cannot be read; each variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// A file or folder could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A manifest is not valid.
    #[error("{path}: not a valid capture manifest: {message}")]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A manifest names a body outside the capture folder (an absolute path,
    /// `..`, or a symlink leading out); nothing is read from there.
    #[error("{manifest}: body {body:?} is outside the capture folder {dir}; a body must be a file beside its manifest (e.g. \"1.html\"); fix the manifest")]
    Escape {
        /// The manifest naming the body.
        manifest: PathBuf,
        /// The body name as written in the manifest.
        body: String,
        /// The capture folder.
        dir: PathBuf,
    },
    /// The folder holds no page manifests at all.
    #[error("{0}: no captures found (expected <center>/<n>.json manifests; see snapshots/captures/README.md)")]
    Empty(PathBuf),
}

#[derive(Debug, Default, Deserialize)]
struct SetInfo {
    taken_at: Option<String>,
    label: Option<String>,
}

/// Reads a capture folder, with bodies up to the default `max_body_bytes`
/// (10 MiB).
pub fn read_capture_dir(dir: &Path) -> Result<CaptureSet, CaptureError> {
    read_capture_dir_with(
        dir,
        cartwatch_model::FetchSettings::default().max_body_bytes,
    )
}

/// Reads a capture folder; a body file larger than `max_body_bytes` is not
/// read (only its size is looked at) and its page is `too_large`, as a live
/// fetch of it would be.
pub fn read_capture_dir_with(dir: &Path, max_body_bytes: u64) -> Result<CaptureSet, CaptureError> {
    let index = scan_capture_dir_with(dir, max_body_bytes)?;
    let captures = index
        .pages
        .iter()
        .map(PendingCapture::load)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CaptureSet {
        dir: index.dir,
        taken_at: index.taken_at,
        label: index.label,
        captures,
    })
}

/// A capture folder's manifests, read and checked, with no body read yet:
/// each page's body is read by [`PendingCapture::load`] when it is needed,
/// so a snapshot holds one body at a time, not the whole folder.
#[derive(Debug, Clone)]
pub struct CaptureIndex {
    /// The folder it was read from.
    pub dir: PathBuf,
    /// When the set was taken, from `capture.toml`.
    pub taken_at: Option<String>,
    /// A one-line label, from `capture.toml`.
    pub label: Option<String>,
    /// Every page, sorted by center folder, then manifest file name.
    pub pages: Vec<PendingCapture>,
}

impl CaptureIndex {
    /// The page of this center at this URL, if the set has it.
    pub fn find(&self, center: &str, url: &str) -> Option<&PendingCapture> {
        self.pages
            .iter()
            .find(|p| p.capture.center == center && p.capture.url == url)
    }
}

/// One page of a [`CaptureIndex`]: its manifest, and where its body is.
#[derive(Debug, Clone)]
pub struct PendingCapture {
    /// The capture without its body (`body` is `None`).
    pub capture: Capture,
    /// The confined real path of the body file and the path shown in errors.
    body: Option<(PathBuf, PathBuf)>,
    max_body_bytes: u64,
}

impl PendingCapture {
    /// The capture with its body read (at most `max_body_bytes`; a larger
    /// body file is not read and the page is `too_large`).
    pub fn load(&self) -> Result<Capture, CaptureError> {
        let mut capture = self.capture.clone();
        let Some((real, shown)) = &self.body else {
            return Ok(capture);
        };
        let max = self.max_body_bytes;
        match read_capped(real, max).map_err(|source| CaptureError::Io {
            path: shown.clone(),
            source,
        })? {
            Some(body) => capture.body = Some(body),
            None => {
                capture.outcome = cartwatch_model::FetchOutcome::TooLarge;
                capture.error = Some(format!(
                    "{}: the body is larger than {max} bytes (max_body_bytes); not read",
                    shown.display()
                ));
            }
        }
        Ok(capture)
    }
}

/// Reads a capture folder's manifests (every one checked: bodies confined to
/// the folder, an `ok` page names a body) without reading any body.
pub fn scan_capture_dir_with(
    dir: &Path,
    max_body_bytes: u64,
) -> Result<CaptureIndex, CaptureError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| CaptureError::Io { path, source }
    };
    let info_path = dir.join("capture.toml");
    let info: SetInfo = if info_path.exists() {
        let text = std::fs::read_to_string(&info_path).map_err(io(&info_path))?;
        toml::from_str(&text).map_err(|e| CaptureError::Manifest {
            path: info_path.clone(),
            message: e.message().to_string(),
        })?
    } else {
        SetInfo::default()
    };
    let root = std::fs::canonicalize(dir).map_err(io(dir))?;
    let mut center_dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    center_dirs.sort();
    let mut captures = Vec::new();
    for center_dir in center_dirs {
        let center = center_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut manifests: Vec<PathBuf> = std::fs::read_dir(&center_dir)
            .map_err(io(&center_dir))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        manifests.sort_by_key(|p| natural_key(p));
        for manifest_path in manifests {
            let text = std::fs::read_to_string(&manifest_path).map_err(io(&manifest_path))?;
            let meta: CaptureMeta =
                serde_json::from_str(&text).map_err(|e| CaptureError::Manifest {
                    path: manifest_path.clone(),
                    message: e.to_string(),
                })?;
            let body = match &meta.body {
                Some(name) => {
                    let body_path = confined_body_path(&root, &center_dir, name).map_err(|_| {
                        CaptureError::Escape {
                            manifest: manifest_path.clone(),
                            body: name.clone(),
                            dir: dir.to_path_buf(),
                        }
                    })?;
                    Some((body_path, center_dir.join(name)))
                }
                None => None,
            };
            if meta.body.is_none() && meta.outcome == cartwatch_model::FetchOutcome::Ok {
                return Err(CaptureError::Manifest {
                    path: manifest_path,
                    message: "outcome is \"ok\" but no \"body\" file is named".into(),
                });
            }
            let capture = Capture {
                center: center.clone(),
                url: meta.url,
                final_url: meta.final_url,
                redirects: meta.redirects,
                status: meta.status,
                content_type: meta.content_type,
                etag: meta.etag,
                last_modified: meta.last_modified,
                fetched_at: meta.fetched_at,
                outcome: meta.outcome,
                error: meta.error,
                attempts: 1,
                body: None,
                rendered_by: meta.rendered_by,
            };
            captures.push(PendingCapture {
                capture,
                body,
                max_body_bytes,
            });
        }
    }
    if captures.is_empty() {
        return Err(CaptureError::Empty(dir.to_path_buf()));
    }
    Ok(CaptureIndex {
        dir: dir.to_path_buf(),
        taken_at: info.taken_at,
        label: info.label,
        pages: captures,
    })
}

/// Writes captures as a capture folder (the inverse of [`read_capture_dir`]).
/// Pages are numbered per center in the order given.
pub fn write_capture_dir(dir: &Path, captures: &[Capture]) -> Result<(), CaptureError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| CaptureError::Io { path, source }
    };
    let mut counters: std::collections::BTreeMap<&str, usize> = Default::default();
    for capture in captures {
        let n = counters.entry(capture.center.as_str()).or_insert(0);
        *n += 1;
        let center_dir = dir.join(&capture.center);
        std::fs::create_dir_all(&center_dir).map_err(io(&center_dir))?;
        let body_name = capture.body.as_ref().map(|_| format!("{n}.html"));
        if let (Some(name), Some(body)) = (&body_name, &capture.body) {
            let path = center_dir.join(name);
            std::fs::write(&path, body).map_err(io(&path))?;
        }
        let meta = CaptureMeta {
            url: capture.url.clone(),
            fetched_at: capture.fetched_at.clone(),
            status: capture.status,
            content_type: capture.content_type.clone(),
            final_url: capture.final_url.clone(),
            outcome: capture.outcome.clone(),
            body: body_name,
            error: capture.error.clone(),
            redirects: capture.redirects.clone(),
            etag: capture.etag.clone(),
            last_modified: capture.last_modified.clone(),
            rendered_by: capture.rendered_by,
        };
        let path = center_dir.join(format!("{n}.json"));
        let json = serde_json::to_string_pretty(&meta).expect("capture meta serializes");
        std::fs::write(&path, json).map_err(io(&path))?;
    }
    Ok(())
}

/// Reads a body file of at most `max` bytes, streaming; `None` when it is
/// larger (it is never read whole).
fn read_capped(path: &Path, max: u64) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    if file.metadata()?.len() > max {
        return Ok(None);
    }
    let mut body = Vec::new();
    file.take(max.saturating_add(1)).read_to_end(&mut body)?;
    Ok((body.len() as u64 <= max).then_some(body))
}

/// The real path of a manifest's body, when it is inside the capture folder
/// `root` (canonical): a plain relative name (no absolute path, no `..`)
/// whose resolved path, symlinks followed, stays under `root`. A body that
/// does not exist resolves to its (confined) name so that reading it reports
/// the missing file.
fn confined_body_path(root: &Path, center_dir: &Path, name: &str) -> Result<PathBuf, ()> {
    use std::path::Component;
    let relative = Path::new(name);
    let plain = !name.is_empty()
        && relative
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if !plain {
        return Err(());
    }
    let joined = center_dir.join(relative);
    match std::fs::canonicalize(&joined) {
        Ok(real) if real.starts_with(root) => Ok(real),
        Ok(_) => Err(()),
        // A dangling symlink points somewhere; refuse rather than guess.
        Err(_) if std::fs::symlink_metadata(&joined).is_ok() => Err(()),
        Err(_) => Ok(joined),
    }
}

/// Sorts `10.json` after `9.json`.
fn natural_key(path: &Path) -> (u64, String) {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    (stem.parse().unwrap_or(u64::MAX), stem)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cartwatch_model::FetchOutcome;

    fn capture(center: &str, url: &str, outcome: FetchOutcome, body: Option<&[u8]>) -> Capture {
        Capture {
            center: center.into(),
            url: url.into(),
            final_url: None,
            redirects: vec![],
            status: body.map(|_| 200),
            content_type: body.map(|_| "text/html".into()),
            etag: None,
            last_modified: None,
            fetched_at: "2026-11-01T06:00:00Z".into(),
            outcome,
            error: None,
            attempts: 1,
            body: body.map(|b| b.to_vec()),
            rendered_by: Default::default(),
        }
    }

    #[test]
    fn round_trips_ok_and_failed_pages() {
        let dir = tempfile::tempdir().unwrap();
        let pages = vec![
            capture(
                "a",
                "https://a.org/1",
                FetchOutcome::Ok,
                Some(b"<p>one</p>"),
            ),
            capture("a", "https://a.org/2", FetchOutcome::Timeout, None),
            capture(
                "b",
                "https://b.org/",
                FetchOutcome::Ok,
                Some(b"\xff\xfe bytes"),
            ),
        ];
        write_capture_dir(dir.path(), &pages).unwrap();
        let set = read_capture_dir(dir.path()).unwrap();
        assert_eq!(set.captures, pages);
        assert_eq!(
            set.find("a", "https://a.org/2").unwrap().outcome,
            FetchOutcome::Timeout
        );
    }

    #[test]
    fn a_bad_manifest_names_its_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("x")).unwrap();
        std::fs::write(dir.path().join("x/1.json"), "{\"url\": 3}").unwrap();
        let err = read_capture_dir(dir.path()).unwrap_err().to_string();
        assert!(err.contains("x/1.json"), "{err}");
    }

    #[test]
    fn an_empty_folder_says_what_it_expected() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_capture_dir(dir.path()).unwrap_err().to_string();
        assert!(err.contains("no captures found"), "{err}");
    }
}
