//! End-to-end: `cartwatch centers list|add|remove` and `cartwatch
//! check-config`, through the real binary, on temporary copies of a
//! configuration with comments and a small directory written here. `add` and
//! `remove` must keep every byte outside the table they add or remove, and a
//! failed edit must leave the file exactly as it was.

use cartwatch_tests::cartwatch;
use predicates::str::contains;
use std::path::{Path, PathBuf};

/// A watch configuration with comments in several places and an unusual layout.
const CONFIG: &str = r#"# Watched centers -- hand-edited, keep my notes!
[fetch]
min_delay_ms   = 1500   # be gentle
retries = 2

# --- adult programs ---
[[center]]
id = "moffitt"
name = "Moffitt Cancer Center"
kind = "cancer_center"
location = "Tampa, FL"
pages = [
  "https://moffitt.org/car-t/",   # the main page
]

# UK charity, reviewed 2026-11
[[center]]
id = "blood-cancer-uk"
name = "Blood Cancer UK"
kind = "patient_organization"
pages = ["https://bloodcancer.org.uk/news/what-is-car-t-therapy/"]
# end of file note
"#;

/// A small directory: two US centers, one UK charity, one Canadian center
/// whose CAR T page was not confirmed.
const DIRECTORY: &str = r#"# test directory
[[organization]]
id = "moffitt"
name = "Moffitt Cancer Center"
kind = "treatment_center"
location = { city = "Tampa", region = "FL", country = "US" }
pages = ["https://moffitt.org/car-t/"]
source = "https://moffitt.org/car-t/"

[[organization]]
id = "city-of-hope"
name = "City of Hope"
kind = "treatment_center"
location = { city = "Duarte", region = "CA", country = "US" }
pages = ["https://www.cityofhope.org/car-t-cell", "https://www.cityofhope.org/car-t-faq"]
source = "https://www.cityofhope.org/car-t-cell"

[[organization]]
id = "blood-cancer-uk"
name = "Blood Cancer UK"
kind = "patient_organization"
location = { city = "London", region = "England", country = "GB" }
pages = ["https://bloodcancer.org.uk/news/what-is-car-t-therapy/"]
source = "https://bloodcancer.org.uk/news/what-is-car-t-therapy/"

[[organization]]
id = "tom-baker"
name = "Tom Baker Cancer Centre"
kind = "treatment_center"
location = { city = "Calgary", region = "AB", country = "CA" }
pages = ["https://www.alberta.ca/release.cfm?xID=1"]
source = "https://www.alberta.ca/release.cfm?xID=1"
page_confirmed = false
"#;

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("centers.toml"), CONFIG).unwrap();
        std::fs::write(dir.path().join("directory.toml"), DIRECTORY).unwrap();
        Fixture { dir }
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("centers.toml")
    }

    fn directory(&self) -> PathBuf {
        self.dir.path().join("directory.toml")
    }

    fn config_text(&self) -> String {
        std::fs::read_to_string(self.config()).unwrap()
    }

    /// `cartwatch centers ARGS --config ... --directory ...`.
    fn centers(&self, args: &[&str]) -> assert_cmd::Command {
        let mut cmd = cartwatch();
        cmd.arg("centers").args(args);
        if args[0] != "remove" {
            cmd.arg("--directory").arg(self.directory());
        }
        cmd.arg("--config").arg(self.config());
        cmd
    }

    /// The files in the fixture folder (no temporary file may be left behind).
    fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn check_config(path: &Path) -> assert_cmd::Command {
    let mut cmd = cartwatch();
    cmd.arg("check-config").arg("--config").arg(path);
    cmd
}

#[test]
fn add_from_directory_appends_one_table_and_keeps_every_other_byte() {
    let fixture = Fixture::new();
    fixture
        .centers(&["add", "city-of-hope", "--from-directory"])
        .assert()
        .success()
        .stdout(contains(
            "added center \"city-of-hope\" (City of Hope, 2 page(s))",
        ));
    let edited = fixture.config_text();
    let added = "\n[[center]]\nid = \"city-of-hope\"\nname = \"City of Hope\"\nkind = \"cancer_center\"\nlocation = \"Duarte, CA\"\npages = [\"https://www.cityofhope.org/car-t-cell\", \"https://www.cityofhope.org/car-t-faq\"]\n";
    assert!(edited.contains(added), "{edited}");
    assert_eq!(
        edited.replacen(added, "", 1),
        CONFIG,
        "only the new table differs"
    );

    // The result is a valid configuration that would fetch the new pages.
    check_config(&fixture.config())
        .assert()
        .success()
        .stdout(contains("3 center(s), 4 page(s)"))
        .stdout(contains("city-of-hope"))
        .stdout(contains("https://www.cityofhope.org/car-t-faq"));

    // Adding it again is an error naming the id and where it is; nothing changes.
    fixture
        .centers(&["add", "city-of-hope", "--from-directory"])
        .assert()
        .code(2)
        .stderr(contains("center \"city-of-hope\" is already watched"))
        .stderr(contains("centers.toml:24"));
    assert_eq!(fixture.config_text(), edited);
}

#[test]
fn add_by_name_and_url_and_its_errors_leave_the_file_alone() {
    let fixture = Fixture::new();
    fixture
        .centers(&[
            "add",
            "my-clinic",
            "--name",
            "My Clinic",
            "--url",
            "https://clinic.example/car-t",
            "--url",
            "https://clinic.example/car-t/faq",
            "--location",
            "Austin, TX",
        ])
        .assert()
        .success();
    let edited = fixture.config_text();
    assert!(edited.starts_with(&CONFIG[..CONFIG.find("# end of file note").unwrap()]));
    assert!(edited.contains("id = \"my-clinic\"\nname = \"My Clinic\"\nkind = \"cancer_center\"\nlocation = \"Austin, TX\"\npages = [\"https://clinic.example/car-t\", \"https://clinic.example/car-t/faq\"]\n"), "{edited}");
    assert!(edited.contains("# end of file note"), "{edited}");

    let failures: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "add",
                "moffitt",
                "--name",
                "X",
                "--url",
                "https://x.example/",
            ],
            "center \"moffitt\" is already watched",
        ),
        (
            vec!["add", "bad-url", "--name", "X", "--url", "ftp://x.example/"],
            "page \"ftp://x.example/\" is not an http:// or https:// URL",
        ),
        (
            vec![
                "add",
                "Bad Id",
                "--name",
                "X",
                "--url",
                "https://x.example/",
            ],
            "the id must be",
        ),
        (
            vec!["add", "no-url", "--name", "X"],
            "give at least one --url",
        ),
        (
            vec!["add", "not-there", "--from-directory"],
            "no organization \"not-there\"",
        ),
        (
            vec!["add", "moffitt", "--from-directory"],
            "already watched",
        ),
    ];
    for (args, message) in failures {
        fixture
            .centers(&args)
            .assert()
            .code(2)
            .stderr(contains(message));
        assert_eq!(fixture.config_text(), edited, "{args:?} changed the file");
    }
    assert_eq!(fixture.files(), ["centers.toml", "directory.toml"]);
}

#[test]
fn remove_takes_out_one_table_with_its_comment() {
    let fixture = Fixture::new();
    fixture
        .centers(&["remove", "blood-cancer-uk"])
        .assert()
        .success()
        .stdout(contains("removed center \"blood-cancer-uk\""));
    let removed = "\n# UK charity, reviewed 2026-11\n[[center]]\nid = \"blood-cancer-uk\"\nname = \"Blood Cancer UK\"\nkind = \"patient_organization\"\npages = [\"https://bloodcancer.org.uk/news/what-is-car-t-therapy/\"]\n";
    assert!(CONFIG.contains(removed));
    assert_eq!(fixture.config_text(), CONFIG.replacen(removed, "", 1));

    fixture
        .centers(&["remove", "blood-cancer-uk"])
        .assert()
        .code(2)
        .stderr(contains("has no center \"blood-cancer-uk\""))
        .stderr(contains("Watched centers: moffitt"));
    fixture.centers(&["remove", "moffitt"]).assert().success();
    let empty = fixture.config_text();
    assert!(empty.starts_with("# Watched centers -- hand-edited, keep my notes!\n[fetch]\nmin_delay_ms   = 1500   # be gentle\n"), "{empty}");
    // A config left with no center is valid to edit, but an error to run.
    check_config(&fixture.config())
        .assert()
        .code(2)
        .stderr(contains("no centers"));
    assert_eq!(fixture.files(), ["centers.toml", "directory.toml"]);
}

#[test]
fn add_all_of_a_country_skips_the_watched_ones() {
    let fixture = Fixture::new();
    fixture
        .centers(&["add", "--from-directory", "--all", "--country", "us"])
        .assert()
        .success()
        .stdout(contains("added 1 center(s)"))
        .stdout(contains("1 already watched"));
    let config = fixture.config_text();
    assert!(config.contains("id = \"city-of-hope\""));
    assert!(!config.contains("id = \"tom-baker\""));
    fixture
        .centers(&["add", "--from-directory", "--all", "--country", "CA"])
        .assert()
        .success()
        .stderr(contains(
            "tom-baker: no CAR T page of its own was confirmed",
        ));
    fixture
        .centers(&["add", "--from-directory", "--all"])
        .assert()
        .success()
        .stdout(contains("added 0 center(s)"))
        .stdout(contains("4 already watched"));
}

#[test]
fn list_filters_and_formats() {
    let fixture = Fixture::new();
    let output = fixture
        .centers(&["list", "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let rows: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    let watched: Vec<&str> = rows
        .iter()
        .filter(|r| r["watched"] == true)
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(watched, ["moffitt", "blood-cancer-uk"]);
    assert_eq!(rows[3]["location"]["country"], "CA");
    assert_eq!(rows[3]["page_confirmed"], false);
    assert_eq!(rows[1]["source"], "https://www.cityofhope.org/car-t-cell");

    let output = fixture
        .centers(&["list", "--country", "GB", "--format", "csv"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(
        stdout_of(&output),
        "id,name,kind,city,region,country,watched,page_confirmed,pages,source\r\n\
         blood-cancer-uk,Blood Cancer UK,patient_organization,London,England,GB,true,true,https://bloodcancer.org.uk/news/what-is-car-t-therapy/,https://bloodcancer.org.uk/news/what-is-car-t-therapy/\r\n"
    );

    let output = fixture
        .centers(&["list", "--kind", "treatment_center"])
        .output()
        .unwrap();
    let table = stdout_of(&output);
    assert!(table.lines().next().unwrap().contains("kind"), "{table}");
    assert!(table.contains("* moffitt"), "{table}");
    assert!(table.contains("  city-of-hope"), "{table}");
    assert!(table.contains("Tom Baker Cancer Centre ?"), "{table}");
    assert!(!table.contains("blood-cancer-uk"), "{table}");

    fixture
        .centers(&["list", "--kind", "hospital"])
        .assert()
        .code(2)
        .stderr(contains("unknown kind \"hospital\""));
    fixture
        .centers(&["list", "--country", "USA"])
        .assert()
        .code(2)
        .stderr(contains("not a two-letter ISO country code"));
}

#[test]
fn a_bad_directory_is_an_error_naming_file_line_and_entry() {
    let fixture = Fixture::new();
    let bad = DIRECTORY.replace("id = \"tom-baker\"", "id = \"moffitt\"");
    std::fs::write(fixture.directory(), bad).unwrap();
    fixture.centers(&["list"]).assert().code(2).stderr(contains(
        "directory.toml:27: organization \"moffitt\": this id is already used on line 3",
    ));
    let bad = DIRECTORY.replace("country = \"GB\"", "country = \"England\"");
    std::fs::write(fixture.directory(), bad).unwrap();
    fixture
        .centers(&["add", "blood-cancer-uk", "--from-directory"])
        .assert()
        .code(2)
        .stderr(contains(
            "directory.toml:19: organization \"blood-cancer-uk\": country \"England\"",
        ));
    assert_eq!(fixture.config_text(), CONFIG);
}

#[test]
fn check_config_names_file_and_line_of_a_bad_config() {
    let fixture = Fixture::new();
    check_config(&fixture.config())
        .assert()
        .success()
        .stdout(contains("ok, 2 center(s), 2 page(s)"))
        .stdout(contains("at least 1500 ms between requests to one host"))
        .stdout(contains("moffitt"))
        .stdout(contains("http   https://moffitt.org/car-t/"));

    let path = fixture.config();
    std::fs::write(
        &path,
        CONFIG.replace("\"https://moffitt.org/car-t/\"", "\"moffitt.org\""),
    )
    .unwrap();
    check_config(&path)
        .assert()
        .code(2)
        .stderr(contains("centers.toml:8: center \"moffitt\": page \"moffitt.org\" is not an http:// or https:// URL"));

    std::fs::write(&path, CONFIG.replace("retries = 2", "retries = two")).unwrap();
    check_config(&path)
        .assert()
        .code(2)
        .stderr(contains("centers.toml:4:"));

    std::fs::write(&path, CONFIG.replace("\"blood-cancer-uk\"", "\"moffitt\"")).unwrap();
    check_config(&path)
        .assert()
        .code(2)
        .stderr(contains("centers.toml:18: center \"moffitt\""))
        .stderr(contains("unique"));

    check_config(&fixture.dir.path().join("missing.toml"))
        .assert()
        .code(2)
        .stderr(contains("cannot read the config file"));
}

#[test]
fn the_bundled_directory_lists_at_least_120_organizations_and_marks_the_watched_ones() {
    let output = cartwatch()
        .args(["centers", "list", "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let rows: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    let rows = rows.as_array().unwrap();
    assert!(rows.len() >= 120, "{} organizations", rows.len());
    let mut ids = std::collections::BTreeSet::new();
    for row in rows {
        let id = row["id"].as_str().unwrap();
        assert!(ids.insert(id.to_string()), "{id} twice");
        let source = row["source"].as_str().unwrap();
        assert!(
            source.starts_with("https://") || source.starts_with("http://"),
            "{id}: {source}"
        );
    }
    let watched: Vec<&str> = rows
        .iter()
        .filter(|r| r["watched"] == true)
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(watched.len(), 5, "the five seed centers: {watched:?}");
    cartwatch().arg("check-config").assert().success();
}
