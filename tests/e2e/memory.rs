//! End-to-end: storing a snapshot holds one page at a time, not the whole
//! capture set (issue 11 §16). Alone in its test target, so that the only
//! process measured is the one this test starts.

use cartwatch_tests::cartwatch;
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
