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

/// A capture set of one center whose page carries terminal escapes (raw
/// and as `&#27;`), a C1 CSI, bidi overrides, and whose configured URL
/// carries credentials.
fn spoofing_captures(dir: &Path, day: &str, number: &str) -> PathBuf {
    let set = dir.join(day);
    let page = set.join("spoof");
    std::fs::create_dir_all(&page).unwrap();
    std::fs::write(
        set.join("capture.toml"),
        format!("taken_at = \"{day}T06:00:00Z\"\n"),
    )
    .unwrap();
    let html = format!(
        "<html><head><title>Spoof \u{202E}retneC\u{202C} &#27;]0;pwned-title&#7;</title></head><body><main>\
         <h1>CAR T-cell therapy\u{1b}[2J</h1>\
         <p>Call the CAR T team at {number} to make an appointment&#27;[31m today.</p>\
         <p>We offer Kymriah\u{9b}1m and Yescarta.\u{1b}]8;;https://evil.example\u{7}click\u{1b}]8;;\u{7}</p>\
         <p>Our intranet copy is at https://editor:s3cret@spoof.example/car-t.</p>\
         </main></body></html>"
    );
    std::fs::write(page.join("1.html"), html).unwrap();
    std::fs::write(
        page.join("1.json"),
        serde_json::json!({
            "url": SPOOF_URL, "fetched_at": format!("{day}T06:00:05Z"), "status": 200,
            "content_type": "text/html; charset=utf-8", "final_url": null,
            "outcome": "ok", "body": "1.html"
        })
        .to_string(),
    )
    .unwrap();
    set
}

const SPOOF_URL: &str = "https://editor:s3cret@spoof.example/car-t";

/// No escape sequence, C1 control or bidi control from the page, and no
/// password, in what a command printed.
fn assert_clean(what: &str, text: &str) {
    for bad in ['\u{1b}', '\u{9b}', '\u{7}', '\u{202E}', '\u{202C}'] {
        assert!(!text.contains(bad), "{what}: {bad:?} in {text:?}");
    }
    assert!(!text.contains("s3cret"), "{what}: the password in {text}");
}

#[test]
fn escapes_bidi_controls_and_credentials_never_reach_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let config = dir.path().join("centers.toml");
    std::fs::write(
        &config,
        format!(
            "[[center]]\nid = \"spoof\"\nname = \"Spoof \u{202E}retneC\u{202C}\"\npages = [\"{SPOOF_URL}\"]\n"
        ),
    )
    .unwrap();
    let old = spoofing_captures(dir.path(), "2026-10-01", "(216) 555-0100");
    let new = spoofing_captures(dir.path(), "2026-11-01", "(216) 555-\u{202E}0199");
    for set in [&old, &new] {
        let output = cartwatch()
            .env_remove("NO_COLOR")
            .env("RUST_LOG", "debug")
            .arg("snapshot")
            .arg("--store")
            .arg(&store)
            .arg("--config")
            .arg(&config)
            .arg("--from")
            .arg(set)
            .assert()
            .code(0);
        assert_clean("snapshot stdout", &stdout_of(output.get_output()));
        assert_clean("snapshot logs", &stderr_of(output.get_output()));
    }

    let report = dir.path().join("report.html");
    let runs: Vec<Vec<&str>> = vec![
        vec!["diff", "--color", "never"],
        vec!["diff", "--format", "markdown"],
        vec!["diff", "--format", "json"],
        vec!["audit", "--color", "never"],
        vec!["audit", "--format", "csv"],
        vec!["audit", "--format", "markdown"],
        vec!["show"],
        vec!["show", "--format", "json"],
        vec!["export"],
        vec!["export", "--format", "csv"],
        vec!["compare"],
        vec!["compare", "--format", "csv"],
        vec!["compare", "--format", "markdown"],
        vec!["snapshots"],
    ];
    let mut seen_number = false;
    for args in runs {
        let output = cartwatch()
            .args(&args)
            .arg("--store")
            .arg(&store)
            .args(if args[0] == "diff" || args[0] == "audit" {
                vec!["--config".to_string(), config.display().to_string()]
            } else {
                vec![]
            })
            .output()
            .unwrap();
        assert!(
            output.status.code().unwrap_or(9) <= 1,
            "{args:?}: {output:?}"
        );
        let stdout = stdout_of(&output);
        assert_clean(&format!("{args:?}"), &stdout);
        assert_clean(&format!("{args:?} stderr"), &stderr_of(&output));
        seen_number |= stdout.contains("555-0199") || stdout.contains("5550199");
    }
    // The bidi override no longer splits the number: it was read.
    assert!(seen_number, "the changed number is in the outputs");

    // With colours on, the only escapes are the diff's own colours.
    let output = cartwatch()
        .args(["diff", "--color", "always", "--store"])
        .arg(&store)
        .output()
        .unwrap();
    let coloured = stdout_of(&output);
    assert!(coloured.contains("\u{1b}["), "coloured");
    let stripped: String = coloured
        .split('\u{1b}')
        .enumerate()
        .map(|(i, piece)| {
            if i == 0 {
                return piece.to_string();
            }
            let end = piece.find('m').expect("an SGR colour");
            assert!(
                piece[1..end]
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == ';')
                    && piece.starts_with('['),
                "only colour codes: {piece:?}"
            );
            piece[end + 1..].to_string()
        })
        .collect();
    assert_clean("diff --color always", &stripped);

    cartwatch()
        .arg("report")
        .arg("--store")
        .arg(&store)
        .arg("--out")
        .arg(&report)
        .assert()
        .success();
    assert_clean("report", &std::fs::read_to_string(&report).unwrap());
}

#[test]
fn a_page_url_that_does_not_parse_strictly_is_refused_with_file_line_and_center() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    for (url, problem) in [
        ("https://a.example/car t", "space"),
        ("https://a.example/x?\\\"><script>", "'\"'"),
        ("https://a.example/(car-t", "unbalanced"),
    ] {
        let config = dir.path().join("centers.toml");
        std::fs::write(
            &config,
            format!("[fetch]\nmin_delay_ms = 1\n\n[[center]]\nid = \"alpha\"\nname = \"Alpha\"\npages = [\"{url}\"]\n"),
        )
        .unwrap();
        for command in ["snapshot", "check-config"] {
            let output = cartwatch()
                .arg(command)
                .arg("--config")
                .arg(&config)
                .args(if command == "snapshot" {
                    vec!["--store".to_string(), store.display().to_string()]
                } else {
                    vec![]
                })
                .assert()
                .code(2);
            let stderr = stderr_of(output.get_output());
            assert!(
                stderr.contains("centers.toml:5:"),
                "{command} {url}: {stderr}"
            );
            assert!(stderr.contains("center \"alpha\""), "{stderr}");
            assert!(stderr.contains("not a well-formed URL"), "{stderr}");
            assert!(stderr.contains(problem), "{problem}: {stderr}");
        }
    }
    assert!(!store.exists(), "nothing was stored");
}

#[test]
fn credentials_in_a_config_error_are_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("centers.toml");
    std::fs::write(
        &config,
        format!("[[center]]\nid = \"alpha\"\nname = \"Alpha\"\npages = [\"{SPOOF_URL}\", \"{SPOOF_URL}\"]\n"),
    )
    .unwrap();
    let output = cartwatch()
        .arg("check-config")
        .arg("--config")
        .arg(&config)
        .assert()
        .code(2);
    let stderr = stderr_of(output.get_output());
    assert!(stderr.contains("listed twice"), "{stderr}");
    assert!(
        stderr.contains("https://***@spoof.example/car-t"),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cret"), "{stderr}");
}
