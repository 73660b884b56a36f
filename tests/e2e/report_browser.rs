//! End-to-end: `cartwatch report` opened in headless Chromium.
//!
//! The real binary writes the report from a real store; Chromium loads it
//! from disk and prints the DOM after the report's script ran (`--dump-dom`).
//! The tests check the matrix rows, that a filter given in the URL fragment
//! hides exactly the rows it should, that the report's own script ran under
//! its Content-Security-Policy, and that nothing from a hostile page ran (each
//! attack would set the title to PWNED or give an element an id `pwned-...`).
//! A screenshot is saved beside the test binaries.
//!
//! Without Chromium the tests say so and return, so a fresh clone's `cargo
//! test` passes; with `CI=true` a missing Chromium fails loudly, since
//! `.ci/run` installs it (`.ci/install-chromium`). `CARTWATCH_CHROMIUM` names
//! another binary.

use cartwatch_model::{
    CenterSnapshot, Contact, ContactKind, FetchOutcome, PageRecord, PageSnapshot, Purpose, Section,
    SnapshotSource,
};
use cartwatch_store::Store;
use cartwatch_tests::{bundled_captures, cartwatch, repo_root};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The Chromium binary, or `None` (after saying why) when the test should skip.
fn chromium() -> Option<PathBuf> {
    cartwatch_tests::chromium_or_skip("report_browser")
}

/// Runs headless Chromium with the flags and a fresh profile, kills it
/// after two minutes, and returns its stdout.
fn run_chromium(chromium: &Path, extra: &[String], url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromium.display()));
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("Chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = out_reader.join().unwrap();
    let err = err_reader.join().unwrap();
    assert!(status.success(), "Chromium failed ({status}):\n{err}");
    out
}

fn dump_dom(chromium: &Path, report: &Path, fragment: &str) -> String {
    let url = format!("{}{fragment}", file_url(report));
    let dom = run_chromium(chromium, &["--dump-dom".to_string()], &url);
    assert!(dom.contains("</html>"), "no DOM from Chromium:\n{dom}");
    dom
}

fn screenshot(chromium: &Path, report: &Path, name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report_browser");
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join(name);
    let _ = std::fs::remove_file(&png);
    run_chromium(
        chromium,
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1280,2000".to_string(),
        ],
        &file_url(report),
    );
    let bytes = std::fs::read(&png).expect("Chromium wrote the screenshot");
    assert!(bytes.starts_with(b"\x89PNG"), "not a PNG");
    assert!(bytes.len() > 10_000, "suspiciously small screenshot");
    eprintln!("screenshot saved: {}", png.display());
    png
}

fn file_url(path: &Path) -> String {
    let path = path.canonicalize().unwrap();
    format!("file://{}", path.display())
}

/// The opening tag of every element whose opening tag contains `needle`.
fn tags_with<'a>(dom: &'a str, needle: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = dom[from..].find(needle) {
        let at = from + found;
        let start = if needle.starts_with('<') {
            at
        } else {
            dom[..at].rfind('<').unwrap()
        };
        let end = at + dom[at..].find('>').unwrap();
        // Only inside a real tag: text between a tag's '>' and the needle
        // (escaped markup in a text node) is not a tag.
        if !dom[start..at].contains('>') {
            out.push(&dom[start..=end]);
        }
        from = end;
    }
    out
}

fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = start + tag[start..].find('"')?;
    Some(&tag[start..end])
}

/// Nothing a hostile page carried ran: the title is ours, no element got a
/// `pwned-` id, and our own script did run (so the CSP did not simply block
/// everything).
fn assert_nothing_hostile_ran(dom: &str) {
    let title_start = dom.find("<title>").expect("a title") + "<title>".len();
    let title = &dom[title_start..title_start + dom[title_start..].find("</title>").unwrap()];
    assert!(
        title.starts_with("cartwatch report"),
        "title changed to {title:?}"
    );
    assert!(!dom.contains("id=\"pwned-"), "a hostile script ran:\n{dom}");
    let body = tags_with(dom, "<body")[0];
    assert_eq!(attribute(body, "data-script"), Some("ran"), "{body}");
    assert_eq!(attribute(body, "id"), None, "{body}");
    let html = tags_with(dom, "<html")[0];
    assert_eq!(attribute(html, "id"), None, "{html}");
    // Our one script, and no element a page smuggled in.
    assert_eq!(dom.matches("<script").count(), 1);
    for tag in ["<img", "<svg", "<iframe", "<object", "<embed"] {
        assert!(!dom.contains(tag), "{tag} in the DOM");
    }
    for tag in tags_with(dom, " href=\"") {
        let href = attribute(tag, "href").unwrap();
        assert!(
            href.starts_with('#') || href.starts_with("http://") || href.starts_with("https://"),
            "unsafe link {tag}"
        );
    }
}

/// Checks that the rows the fragment's filter should hide are hidden and the
/// others shown, from the rows' own data attributes.
fn assert_filter_applied(dom: &str, name: &str, value: &str) -> (usize, usize) {
    let rows = tags_with(dom, "<tr data-center=");
    assert!(!rows.is_empty(), "no matrix rows");
    let (mut shown, mut hidden) = (0, 0);
    for row in &rows {
        let tokens = attribute(row, &format!("data-{name}")).unwrap_or_default();
        let should_show = tokens == "?" || tokens.split(' ').any(|t| t == value);
        let is_hidden = row.contains(" hidden");
        assert_eq!(
            !is_hidden, should_show,
            "filter {name}={value} wrong on {row}"
        );
        if is_hidden {
            hidden += 1;
        } else {
            shown += 1;
        }
    }
    let body = tags_with(dom, "<body")[0];
    assert_eq!(attribute(body, "data-filtered"), Some("yes"), "{body}");
    (shown, hidden)
}

fn page(url: &str, outcome: FetchOutcome, has_record: bool) -> PageSnapshot {
    PageSnapshot {
        url: url.into(),
        final_url: None,
        redirects: vec![],
        status: Some(200),
        content_type: Some("text/html".into()),
        etag: None,
        last_modified: None,
        fetched_at: "2026-11-01T06:00:00Z".into(),
        outcome,
        error: None,
        body_sha256: None,
        body_len: None,
        has_record,
        rendered_by: Default::default(),
    }
}

const EVIL: &str = "\"><script>document.title='PWNED';document.body.id='pwned-record'</script>\
                    <img src=x onerror=\"document.title='PWNED';document.body.id='pwned-img'\">";

fn record(url: &str, products: &[&str], phone: &str) -> PageRecord {
    let mut record = PageRecord {
        url: url.into(),
        title: Some(format!("CAR T {EVIL}")),
        main_text: format!("We offer CAR T. {EVIL} Call {phone}."),
        ..Default::default()
    };
    record.offerings.products = products.iter().map(|p| p.to_string()).collect();
    record.offerings.populations = vec!["adult".into()];
    record.contacts.push(Contact {
        kind: ContactKind::Phone,
        e164: Some("+14125550147".into()),
        display: Some(format!("{phone}{EVIL}")),
        address: None,
        valid: Some(true),
        purposes: vec![Purpose::Appointments],
        section: Section::Main,
        evidence: format!("To make an appointment, call {phone}{EVIL}"),
    });
    record
}

/// A store with two snapshots of three centers, written through the store's
/// API (no normalizer involved): records full of hostile strings, one center
/// offering kymriah, one carvykti, one whose page failed (unknown).
fn seeded_store(path: &Path) {
    let store = Store::open(path).unwrap();
    let centers = [
        ("alpha", "https://alpha.example/car-t", &["kymriah"][..]),
        ("bravo", "https://bravo.example/car-t", &["carvykti"][..]),
        (
            "charlie",
            "javascript:document.title='PWNED'//",
            &["kymriah"][..],
        ),
    ];
    for (snapshot, phone) in [(0, "(412) 555-0147"), (1, "(412) 555-0199")] {
        let mut writer = store
            .begin_snapshot(SnapshotSource::Captures {
                dir: format!("seeded {EVIL}"),
            })
            .unwrap();
        let mut manifest = Vec::new();
        for (n, (id, url, products)) in centers.iter().enumerate() {
            // charlie fails in the second snapshot: its facts become unknown.
            let ok = !(snapshot == 1 && n == 2);
            if ok {
                writer
                    .put_record(id, url, &record(url, products, phone))
                    .unwrap();
            }
            let outcome = if ok {
                FetchOutcome::Ok
            } else {
                FetchOutcome::Timeout
            };
            manifest.push(CenterSnapshot {
                id: id.to_string(),
                name: format!("Center {id} {EVIL}"),
                pages: vec![page(url, outcome, ok)],
            });
        }
        writer.commit(manifest).unwrap();
        std::thread::sleep(Duration::from_millis(1100));
    }
}

fn write_report(store: &Path, out: &Path, config: Option<&Path>) {
    let mut cmd = cartwatch();
    cmd.arg("report")
        .arg("--store")
        .arg(store)
        .arg("--out")
        .arg(out);
    if let Some(config) = config {
        cmd.arg("--config").arg(config);
    }
    let assert = cmd.timeout(Duration::from_secs(120)).assert().success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(stdout.contains("wrote "), "{stdout}");
}

#[test]
fn hostile_records_cannot_run_script_and_the_product_filter_works() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    seeded_store(&store);
    // An empty config: no ignore rules, default audit settings.
    let config = dir.path().join("centers.toml");
    std::fs::write(&config, "").unwrap();
    let report = dir.path().join("report.html");
    write_report(&store, &report, Some(&config));

    let dom = dump_dom(&chromium, &report, "");
    assert_nothing_hostile_ran(&dom);
    assert_eq!(tags_with(&dom, "<tr data-center=").len(), 3);
    let body = tags_with(&dom, "<body")[0];
    assert_eq!(attribute(body, "data-filtered"), Some("no"));
    // The hostile strings are there, as text.
    assert!(
        dom.contains("&lt;script&gt;document.title='PWNED'"),
        "escaped text shown"
    );
    // The timeline shows the number change with a word-level diff.
    assert!(dom.contains("<del>"), "an inline text diff");

    // The filter read from the URL fragment: kymriah hides bravo, keeps alpha
    // and keeps charlie, whose page failed (unknown is not "no").
    // Side-by-side text diffs, also from the fragment.
    let dom = dump_dom(&chromium, &report, "#layout=side-by-side");
    let body = tags_with(&dom, "<body")[0];
    assert!(
        attribute(body, "class")
            .unwrap_or_default()
            .contains("side-by-side"),
        "{body}"
    );
    assert!(dom.contains("<div class=\"diff before\">"));

    let dom = dump_dom(&chromium, &report, "#product=kymriah");
    assert_nothing_hostile_ran(&dom);
    assert_eq!(assert_filter_applied(&dom, "product", "kymriah"), (2, 1));
    let bravo = tags_with(&dom, "<tr data-center=\"bravo\"")[0];
    assert!(bravo.contains(" hidden"), "{bravo}");
    let charlie = tags_with(&dom, "<tr data-center=\"charlie\"")[0];
    assert!(!charlie.contains(" hidden"), "{charlie}");
    assert!(dom.contains("2 of 3 centers shown"));
    // The center sections follow the matrix filter.
    let section = tags_with(&dom, "<section class=\"center\" id=\"center-bravo\"")[0];
    assert!(section.contains(" hidden"), "{section}");

    screenshot(&chromium, &report, "hostile-records.png");
}

#[test]
fn hostile_capture_pages_cannot_run_script_in_the_report() {
    let Some(chromium) = chromium() else { return };
    let fixtures = repo_root().join("tests/fixtures/hostile-captures");
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let config = fixtures.join("centers.toml");
    for set in ["2026-10-01", "2026-11-01"] {
        cartwatch()
            .args(["snapshot", "--from"])
            .arg(fixtures.join(set))
            .arg("--config")
            .arg(&config)
            .arg("--store")
            .arg(&store)
            .timeout(Duration::from_secs(120))
            .assert()
            .success();
    }
    let report = dir.path().join("report.html");
    write_report(&store, &report, Some(&config));
    let html = std::fs::read_to_string(&report).unwrap();
    // The page's attacks reached the report as text...
    assert!(
        html.contains("&lt;/script&gt;&lt;script&gt;"),
        "the </script> text"
    );
    // ...and the evil phone display and the refused links are inert.
    let dom = dump_dom(&chromium, &report, "");
    assert_nothing_hostile_ran(&dom);
    assert_eq!(tags_with(&dom, "<tr data-center=").len(), 1);
    screenshot(&chromium, &report, "hostile-captures.png");
}

#[test]
fn report_on_the_bundled_captures_filters_sorts_and_screenshots() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let config = repo_root().join("config/centers.toml");
    for set in ["2026-10-01", "2026-11-01"] {
        cartwatch()
            .args(["snapshot", "--from"])
            .arg(bundled_captures(set))
            .arg("--config")
            .arg(&config)
            .arg("--store")
            .arg(&store)
            .timeout(Duration::from_secs(120))
            .assert()
            .code(predicates::ord::le(1));
    }
    let report = dir.path().join("report.html");
    write_report(&store, &report, Some(&config));

    let dom = dump_dom(&chromium, &report, "");
    assert_nothing_hostile_ran(&dom);
    let rows = tags_with(&dom, "<tr data-center=");
    assert_eq!(rows.len(), 5, "one matrix row per center");
    for center in ["upmc-hillman", "msk", "ucdavis", "uh-rainbow", "acs"] {
        assert!(
            dom.contains(&format!("<tr data-center=\"{center}\"")),
            "{center} row"
        );
    }
    // The uh-rainbow number change is in its timeline.
    assert!(dom.contains("contact_number_changed"));

    // Filter by population from the fragment, sorted by center name descending.
    let dom = dump_dom(&chromium, &report, "#population=pediatric&sort=center:desc");
    let (shown, hidden) = assert_filter_applied(&dom, "population", "pediatric");
    assert!(shown >= 1 && hidden >= 1, "shown {shown}, hidden {hidden}");
    let th = tags_with(&dom, "<th data-key=\"center\"")[0];
    assert_eq!(attribute(th, "aria-sort"), Some("descending"), "{th}");
    let order: Vec<&str> = tags_with(&dom, "<tr data-center=")
        .iter()
        .map(|t| attribute(t, "data-center").unwrap())
        .collect();
    assert_eq!(order.len(), 5);
    let names: Vec<String> = order
        .iter()
        .map(|id| {
            let at = dom.find(&format!("<tr data-center=\"{id}\"")).unwrap();
            let cell = &dom[at..];
            let sort = attribute(&cell[cell.find("<td").unwrap()..], "data-sort").unwrap();
            sort.to_string()
        })
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    sorted.reverse();
    assert_eq!(names, sorted, "rows sorted by center, descending");

    let png = screenshot(&chromium, &report, "report.png");
    if std::env::var_os("CARTWATCH_UPDATE_SCREENSHOT").is_some() {
        std::fs::copy(&png, repo_root().join("docs/report.png")).unwrap();
    }
}

// Without a browser: the file itself, and the command's errors.

#[test]
fn the_report_file_is_self_contained_and_since_limits_the_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    seeded_store(&store);
    let config = dir.path().join("centers.toml");
    std::fs::write(&config, "").unwrap();
    let all = dir.path().join("all.html");
    write_report(&store, &all, Some(&config));
    let html = std::fs::read_to_string(&all).unwrap();
    // Nothing to load from anywhere: no src, no stylesheet or font links,
    // no url() in the style, and a policy that forbids loads anyway.
    // Every literal `"` outside the script and style delimits an attribute
    // value (text escapes it), so with values and bodies cut out, what is
    // left is tag names, attribute names and text.
    let mut markup = String::new();
    let mut rest = html.as_str();
    for (open, close) in [("<style>", "</style>"), ("<script>", "</script>")] {
        let (before, after) = rest.split_once(open).unwrap();
        markup.push_str(before);
        rest = after.split_once(close).unwrap().1;
    }
    markup.push_str(rest);
    let markup: String = markup.split('"').step_by(2).collect();
    // Text escapes `<` and `>`, so what lies between them is a tag.
    for tag in markup
        .split('<')
        .skip(1)
        .map(|t| t.split('>').next().unwrap())
    {
        assert!(
            !tag.contains(" src=") && !tag.contains(" srcset="),
            "<{tag}> loads something"
        );
    }
    assert!(!html.contains("<link"));
    let style = &html[html.find("<style>").unwrap()..html.find("</style>").unwrap()];
    assert!(!style.contains("url(") && !style.contains("@import"));
    let script = &html[html.find("<script>").unwrap()..html.find("</script>").unwrap()];
    for call in ["fetch(", "XMLHttpRequest", "import(", "eval(", "innerHTML"] {
        assert!(!script.contains(call), "the report's script uses {call}");
    }
    assert!(html.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src &#39;none&#39;;"
    ));
    assert_eq!(
        html.matches("<li class=\"changed\">").count()
            + html.matches("<li class=\"trouble\">").count()
            + html.matches("<li class=\"quiet\">").count(),
        3,
        "one timeline entry per center for the one diff"
    );

    // --since latest: one snapshot, nothing to compare.
    let latest = dir.path().join("latest.html");
    cartwatch()
        .arg("report")
        .arg("--store")
        .arg(&store)
        .arg("--config")
        .arg(&config)
        .arg("--out")
        .arg(&latest)
        .args(["--since", "latest"])
        .assert()
        .success()
        .stdout(predicates::str::contains("1 snapshot ("));
    let html = std::fs::read_to_string(&latest).unwrap();
    assert!(html.contains("Only one snapshot so far"));
    assert!(!html.contains("<li class=\"changed\">"));

    // An unknown --since names the snapshot and how to list them.
    cartwatch()
        .arg("report")
        .arg("--store")
        .arg(&store)
        .arg("--config")
        .arg(&config)
        .arg("--out")
        .arg(dir.path().join("x.html"))
        .args(["--since", "1999-01-01T00:00:00Z"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("1999-01-01T00:00:00Z"))
        .stderr(predicates::str::contains("cartwatch snapshots"));
}

#[test]
fn an_empty_store_is_an_error_that_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.html");
    cartwatch()
        .arg("report")
        .arg("--store")
        .arg(dir.path().join("store"))
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no store at"))
        .stderr(predicates::str::contains("cartwatch run"));
    assert!(!out.exists());
    assert!(!dir.path().join("store").exists(), "report created a store");
}
