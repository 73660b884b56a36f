//! Helpers for the end-to-end tests: the real `cartwatch` binary, the repo's
//! bundled files, and HTTP servers on loopback that serve capture folders.
#![allow(missing_docs)]

pub mod archive;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The repository root (where `config/` and `snapshots/` are).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The bundled capture set of this name (`2026-10-01`, `2026-11-01`).
pub fn bundled_captures(name: &str) -> PathBuf {
    repo_root().join("snapshots/captures").join(name)
}

/// The real `cartwatch` binary, run from the repository root, with a clean
/// environment for the variables it reads.
pub fn cartwatch() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("cartwatch").expect("cartwatch binary is built");
    cmd.current_dir(repo_root())
        .env_remove("CARTWATCH_STORE")
        .env_remove("CARTWATCH_CONFIG")
        .env_remove("CARTWATCH_VOCABULARY")
        .env_remove("CARTWATCH_CLAIMS")
        .env_remove("CARTWATCH_PRODUCTS")
        .env_remove("CARTWATCH_ARCHIVE_URL")
        .env("NO_COLOR", "1");
    cmd
}

/// One page a test server answers.
#[derive(Clone, Debug)]
pub struct ServedPage {
    /// Path on the server, e.g. `/msk/1`.
    pub path: String,
    /// Status code.
    pub status: u16,
    /// Content-Type header, if any.
    pub content_type: Option<String>,
    /// Body bytes.
    pub body: Vec<u8>,
}

/// A static HTTP server on 127.0.0.1; stops when dropped (with its runtime).
pub struct StaticServer {
    pub addr: SocketAddr,
    _runtime: tokio::runtime::Runtime,
}

impl StaticServer {
    /// `http://127.0.0.1:PORT` + path.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }
}

/// Serves these pages (anything else, robots.txt included, is a 404) on an
/// ephemeral loopback port.
pub fn serve_pages(pages: Vec<ServedPage>) -> StaticServer {
    use axum::body::Body;
    use axum::http::{Response, StatusCode, Uri};
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("test runtime");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    let pages = std::sync::Arc::new(pages);
    let app = axum::Router::new().fallback(move |uri: Uri| {
        let pages = pages.clone();
        async move {
            match pages.iter().find(|p| p.path == uri.path()) {
                Some(page) => {
                    let mut response = Response::builder()
                        .status(StatusCode::from_u16(page.status).unwrap_or(StatusCode::OK));
                    if let Some(ct) = &page.content_type {
                        response = response.header("content-type", ct);
                    }
                    response.body(Body::from(page.body.clone())).unwrap()
                }
                None => Response::builder()
                    .status(StatusCode::NOT_FOUND)
                    .body(Body::from("not found"))
                    .unwrap(),
            }
        }
    });
    runtime.spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    StaticServer {
        addr,
        _runtime: runtime,
    }
}

/// Serves a capture folder's pages at `/<center>/<n>` with their recorded
/// status and content type, and returns the server plus a config (TOML)
/// whose centers point at it.
pub fn serve_capture_dir(dir: &Path) -> (StaticServer, String) {
    let set = cartwatch_fetcher::read_capture_dir(dir).expect("capture folder reads");
    let mut pages = Vec::new();
    let mut centers: Vec<(String, Vec<String>)> = Vec::new();
    for (index, capture) in set.captures.iter().enumerate() {
        let path = format!("/{}/{}", capture.center, index + 1);
        if let Some(body) = &capture.body {
            pages.push(ServedPage {
                path: path.clone(),
                status: capture.status.unwrap_or(200),
                content_type: capture.content_type.clone(),
                body: body.clone(),
            });
        }
        match centers.iter_mut().find(|(c, _)| *c == capture.center) {
            Some((_, paths)) => paths.push(path),
            None => centers.push((capture.center.clone(), vec![path])),
        }
    }
    let server = serve_pages(pages);
    let mut config = String::from(
        "[fetch]\nallow_private = true\nmin_delay_ms = 10\nretries = 0\ntimeout_secs = 10\nconnect_timeout_secs = 5\n",
    );
    for (center, paths) in centers {
        let urls: Vec<String> = paths
            .iter()
            .map(|p| format!("{:?}", server.url(p)))
            .collect();
        config.push_str(&format!(
            "\n[[center]]\nid = {center:?}\nname = {center:?}\npages = [{}]\n",
            urls.join(", ")
        ));
    }
    (server, config)
}

/// The Chromium binary for tests that need a browser, or `None` (after
/// saying on stderr that `test` did not really run) when there is none.
/// `CARTWATCH_CHROMIUM` names another binary. With `CI=true` a missing
/// Chromium panics, since `.ci/run` installs it (`.ci/install-chromium`).
pub fn chromium_or_skip(test: &str) -> Option<PathBuf> {
    use std::io::Write;
    let candidates: Vec<PathBuf> = match std::env::var_os("CARTWATCH_CHROMIUM") {
        Some(path) => vec![PathBuf::from(path)],
        None => [
            "/usr/bin/chromium",
            "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome",
        ]
        .iter()
        .map(PathBuf::from)
        .collect(),
    };
    if let Some(found) = candidates.into_iter().find(|p| p.is_file()) {
        return Some(found);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "CI=true but no Chromium (looked for CARTWATCH_CHROMIUM, /usr/bin/chromium, \
             chromium-browser, google-chrome): .ci/run installs it with .ci/install-chromium"
        );
    }
    // Straight to stderr, past the test harness's capture, so a plain
    // `cargo test` shows that this test did not really run.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: Chromium is not installed, so this was not checked in a browser. \
         Install it with `.ci/install-chromium --install` (Debian package `chromium`) \
         or set CARTWATCH_CHROMIUM=/path/to/chromium."
    );
    None
}
