//! End-to-end: what users hit at once from the command line (issue 11):
//! log lines without colour codes off a terminal, a closed pipe ends the
//! command quietly, OS errors said once, a store path that is a file, and a
//! config that lost its centers.

use cartwatch_tests::{bundled_captures, cartwatch, repo_root};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Stdio;

fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The repository's config cut down to its `[fetch]`/`[diff]`/`[audit]`
/// tables and its first `keep` centers, written to `dir`.
fn truncated_config(dir: &Path, keep: usize) -> PathBuf {
    let text = std::fs::read_to_string(repo_root().join("config/centers.toml")).unwrap();
    let parts: Vec<&str> = text.split("\n[[center]]").collect();
    assert!(parts.len() > keep, "the bundled config has enough centers");
    let kept = parts[..=keep].join("\n[[center]]");
    let path = dir.join(format!("centers-{keep}.toml"));
    std::fs::write(&path, kept).unwrap();
    path
}

fn snapshot(store: &Path, config: &Path, captures: &str) -> assert_cmd::assert::Assert {
    cartwatch()
        .arg("snapshot")
        .arg("--store")
        .arg(store)
        .arg("--config")
        .arg(config)
        .arg("--from")
        .arg(bundled_captures(captures))
        .assert()
}

#[test]
fn log_lines_carry_no_colour_codes_when_stderr_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let config = truncated_config(dir.path(), 1);
    // The captures of the centers left out are skipped with a warning.
    let output = cartwatch()
        .env_remove("NO_COLOR")
        .arg("snapshot")
        .arg("--store")
        .arg(dir.path().join("store"))
        .arg("--config")
        .arg(&config)
        .arg("--from")
        .arg(bundled_captures("2026-10-01"))
        .assert()
        .code(0);
    let stderr = stderr_of(output.get_output());
    assert!(stderr.contains("WARN"), "a warning is logged: {stderr}");
    assert!(
        !stderr.contains('\u{1b}'),
        "no escape sequence in a log file: {stderr:?}"
    );
}

#[test]
fn a_closed_pipe_ends_diff_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let config = repo_root().join("config/centers.toml");
    snapshot(&store, &config, "2026-10-01").code(0);
    snapshot(&store, &config, "2026-11-01");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("cartwatch"))
        .current_dir(repo_root())
        .env("NO_COLOR", "1")
        .arg("diff")
        .arg("--store")
        .arg(&store)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before the diff is written (`| head -0`).
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(stderr, "", "nothing on stderr");
    assert_eq!(status.code(), Some(141), "the SIGPIPE status, not 2");
}

#[test]
fn a_store_path_that_is_a_file_says_so_and_os_errors_are_said_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("store.tar");
    std::fs::write(&file, "not a store").unwrap();
    let config = repo_root().join("config/centers.toml");

    let output = snapshot(&file, &config, "2026-10-01").code(2);
    let stderr = stderr_of(output.get_output());
    assert!(stderr.contains("is a file, not a folder"), "{stderr}");
    assert!(stderr.contains("store.tar"), "{stderr}");
    assert!(!stderr.contains("os error"), "{stderr}");
    assert_eq!(std::fs::read(&file).unwrap(), b"not a store");

    let output = cartwatch()
        .arg("snapshots")
        .arg("--store")
        .arg(&file)
        .assert()
        .code(2);
    let stderr = stderr_of(output.get_output());
    assert!(stderr.contains("is a file, not a folder"), "{stderr}");

    // A folder that cannot be created (its parent is that file): the OS
    // error is printed once, not once per layer that quotes it.
    let output = snapshot(&file.join("store"), &config, "2026-10-01").code(2);
    let stderr = stderr_of(output.get_output());
    assert_eq!(stderr.matches("os error").count(), 1, "{stderr}");
    assert!(stderr.contains("store.tar"), "{stderr}");
}

#[test]
fn a_mistyped_store_is_not_created_by_a_reader() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("stroe");
    for command in ["snapshots", "diff", "show", "compare", "audit", "report"] {
        let output = cartwatch()
            .arg(command)
            .arg("--store")
            .arg(&typo)
            .assert()
            .code(2);
        let stderr = stderr_of(output.get_output());
        assert!(stderr.contains("stroe"), "{command}: {stderr}");
        assert!(!typo.exists(), "{command} created {}", typo.display());
    }
}

#[test]
fn a_config_without_centers_is_an_error_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let config = repo_root().join("config/centers.toml");
    snapshot(&store, &config, "2026-10-01").code(0);

    for (name, text) in [
        ("empty.toml", ""),
        ("truncated.toml", "[fetch]\nmin_delay_ms = 2000\n"),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let output = snapshot(&store, &path, "2026-10-01").code(2);
        let stderr = stderr_of(output.get_output());
        assert!(stderr.contains(name), "names the file: {stderr}");
        assert!(stderr.contains("no centers"), "{stderr}");
        let output = cartwatch()
            .arg("run")
            .arg("--store")
            .arg(&store)
            .arg("--config")
            .arg(&path)
            .arg("--from")
            .arg(bundled_captures("2026-10-01"))
            .assert()
            .code(2);
        assert!(stderr_of(output.get_output()).contains("no centers"));
    }
    let listed = cartwatch()
        .arg("snapshots")
        .arg("--store")
        .arg(&store)
        .assert()
        .code(0);
    assert!(
        stdout_of(listed.get_output()).contains("1 snapshot(s)"),
        "nothing was stored"
    );
}

#[test]
fn a_center_dropped_from_the_config_is_no_longer_watched_not_removed() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let full = repo_root().join("config/centers.toml");
    snapshot(&store, &full, "2026-10-01").code(0);
    // The same pages, seen again with a config that lost four centers.
    let truncated = truncated_config(dir.path(), 1);
    snapshot(&store, &truncated, "2026-10-01").code(0);

    let output = cartwatch()
        .arg("diff")
        .arg("--store")
        .arg(&store)
        .assert()
        .code(0);
    let stdout = stdout_of(output.get_output());
    assert!(stdout.contains("no longer watched"), "{stdout}");
    assert!(stdout.contains("msk"), "{stdout}");
    assert!(!stdout.contains("removed from the config"), "{stdout}");
    assert!(stdout.contains("0 changes"), "{stdout}");

    let output = cartwatch()
        .args(["diff", "--format", "json", "--store"])
        .arg(&store)
        .assert()
        .code(0);
    let json: serde_json::Value = serde_json::from_slice(&output.get_output().stdout).unwrap();
    let msk = json["centers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["center"] == "msk")
        .expect("msk in the diff");
    assert_eq!(msk["status"], "no_longer_watched", "{msk}");
    assert_eq!(msk["changes"][0]["kind"], "center_no_longer_watched");
    assert!(!json.to_string().contains("_removed"), "{json}");
}
