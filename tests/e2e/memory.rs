//! End-to-end: storing a snapshot holds one page at a time, not the whole
//! capture set (issue 11 §16). Alone in its test target, so that the only
//! process measured is the one this test starts.

use cartwatch_tests::{cartwatch, serve_pages, ServedPage};
use std::path::Path;
use std::time::{Duration, Instant};

/// Peak resident memory (VmHWM) of a running process, in bytes.
fn peak_of(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// Runs the real binary with these arguments and returns its exit code and
/// peak memory (VmHWM, polled every 5 ms until it exits).
fn run_measured(args: &[&std::ffi::OsStr]) -> (i32, u64) {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("cartwatch"))
        .current_dir(cartwatch_tests::repo_root())
        .env("NO_COLOR", "1")
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let started = Instant::now();
    let mut peak = 0;
    let status = loop {
        if let Some(p) = peak_of(pid) {
            peak = peak.max(p);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "{args:?} hangs"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    (status.code().unwrap_or(-1), peak)
}

/// Incompressible bytes.
fn noise(size: usize, seed: u64) -> Vec<u8> {
    let mut x = 0x9E37_79B9_7F4A_7C15u64 ^ seed;
    (0..size)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 56) as u8
        })
        .collect()
}

/// A capture folder of `pages` error pages (500, served with a body, which
/// is stored but not normalized) of `size` bytes each, incompressible.
fn write_capture_set(dir: &Path, pages: usize, size: usize) -> String {
    let mut config = String::from("[fetch]\nallow_private = true\n\n");
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for i in 0..pages {
        let center = format!("c{i:03}");
        let url = format!("https://example.org/{center}/car-t");
        let folder = dir.join(&center);
        std::fs::create_dir_all(&folder).unwrap();
        let body: Vec<u8> = (0..size)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 56) as u8
            })
            .collect();
        std::fs::write(folder.join("1.html"), body).unwrap();
        std::fs::write(
            folder.join("1.json"),
            format!(
                r#"{{"url": "{url}", "fetched_at": "2026-11-01T06:00:00Z", "status": 500, "content_type": "text/html", "outcome": {{"http_error": {{"status": 500}}}}, "body": "1.html"}}"#
            ),
        )
        .unwrap();
        config.push_str(&format!(
            "[[center]]\nid = \"{center}\"\nname = \"Center {i}\"\npages = [\"{url}\"]\n\n"
        ));
    }
    config
}

#[test]
fn storing_a_snapshot_holds_one_body_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let captures = dir.path().join("captures");
    // 50 bodies of 4 MB: 200 MB if held together.
    let config = write_capture_set(&captures, 50, 4_000_000);
    let config_path = dir.path().join("centers.toml");
    std::fs::write(&config_path, config).unwrap();
    let store = dir.path().join("store");
    for command in ["import-captures", "snapshot"] {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("cartwatch"));
        cmd.current_dir(cartwatch_tests::repo_root())
            .env("NO_COLOR", "1")
            .arg(command);
        if command == "snapshot" {
            cmd.arg("--from");
        }
        let mut child = cmd
            .arg(&captures)
            .arg("--config")
            .arg(&config_path)
            .arg("--store")
            .arg(&store)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let pid = child.id();
        let started = Instant::now();
        let mut peak = 0;
        let status = loop {
            if let Some(p) = peak_of(pid) {
                peak = peak.max(p);
            }
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            assert!(
                started.elapsed() < Duration::from_secs(600),
                "{command} hangs"
            );
            std::thread::sleep(Duration::from_millis(5));
        };
        // Exit 1: the pages are failures (HTTP 500), stored as such.
        assert!(status.code().unwrap() <= 1, "{command}: {status:?}");
        eprintln!("{command}: peak memory {:.1} MB", peak as f64 / 1e6);
        assert!(peak > 0, "{command}: no memory figure read");
        assert!(
            peak < 100_000_000,
            "{command}: peak memory {:.1} MB for 200 MB of bodies: bodies are held together",
            peak as f64 / 1e6
        );
    }
    // Both snapshots are whole.
    let listed = cartwatch()
        .args(["snapshots", "--json", "--store"])
        .arg(&store)
        .assert()
        .success();
    assert_eq!(
        String::from_utf8_lossy(&listed.get_output().stdout)
            .lines()
            .count(),
        2
    );
}

#[test]
fn a_live_snapshot_stores_pages_as_they_arrive() {
    // 50 pages of 4 MB that are not HTML: stored (body kept), not normalized.
    let pages: Vec<ServedPage> = (0..50)
        .map(|i| ServedPage {
            path: format!("/p{i}"),
            status: 200,
            content_type: Some("application/pdf".into()),
            body: noise(4_000_000, i),
        })
        .collect();
    let server = serve_pages(pages);
    let dir = tempfile::tempdir().unwrap();
    let mut config = String::from(
        "[fetch]\nallow_private = true\nmin_delay_ms = 1\nretries = 0\ntimeout_secs = 60\nrespect_robots = false\n\n",
    );
    for i in 0..50 {
        config.push_str(&format!(
            "[[center]]\nid = \"c{i:02}\"\nname = \"Center {i}\"\npages = [\"{}\"]\n\n",
            server.url(&format!("/p{i}"))
        ));
    }
    let config_path = dir.path().join("centers.toml");
    std::fs::write(&config_path, config).unwrap();
    let store = dir.path().join("store");
    let (code, peak) = run_measured(&[
        "snapshot".as_ref(),
        "--config".as_ref(),
        config_path.as_os_str(),
        "--store".as_ref(),
        store.as_os_str(),
    ]);
    eprintln!("live snapshot: peak memory {:.1} MB", peak as f64 / 1e6);
    // Exit 1: the pages are not_html, failures of the snapshot.
    assert_eq!(code, 1);
    assert!(peak > 0);
    // Held together, the bodies alone would be 200 MB; stored as they
    // arrive, a few are in flight or waiting at a time (about 100 MB).
    assert!(
        peak < 150_000_000,
        "peak memory {:.1} MB for 200 MB of bodies: bodies are held until the fetch ends",
        peak as f64 / 1e6
    );
    let shown = cartwatch()
        .args(["show", "latest", "--format", "json", "--store"])
        .arg(&store)
        .assert()
        .success();
    let shown: serde_json::Value = serde_json::from_slice(&shown.get_output().stdout).unwrap();
    let centers = shown["centers"].as_array().unwrap();
    assert_eq!(centers.len(), 50);
    assert!(centers
        .iter()
        .all(|c| c["pages"][0]["body_sha256"].is_string()));
}
