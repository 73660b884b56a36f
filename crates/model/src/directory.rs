//! The directory of CAR T organizations: `config/directory.toml`.
//!
//! A list of real organizations that give CAR T-cell therapy or inform
//! patients about it, each with where it is, its CAR T page(s) and the public
//! page the entry was taken from. `cartwatch centers list` shows it and
//! `cartwatch centers add ID --from-directory` copies an entry into the watch
//! configuration.
//!
//! ```toml
//! [[organization]]
//! id = "moffitt"
//! name = "Moffitt Cancer Center"
//! kind = "treatment_center"          # or patient_organization, health_authority
//! location = { city = "Tampa", region = "FL", country = "US" }
//! pages = ["https://moffitt.org/.../car-t-therapy/"]
//! source = "https://moffitt.org/.../car-t-therapy/"
//! page_confirmed = true              # false: `pages` holds the source, not a CAR T page of its own
//! ```
//!
//! Parsing is pure: [`Directory::from_toml_str`] takes the text and the file
//! name to put in errors; every error names the file, the line and the entry.

use crate::config::{is_valid_id, line_and_column, CenterKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The whole directory file.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Directory {
    /// The organizations, in file order.
    pub organizations: Vec<DirectoryEntry>,
}

/// What an organization does for CAR T patients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DirectoryKind {
    /// A hospital or cancer center that gives CAR T-cell therapy.
    TreatmentCenter,
    /// A patient organization, charity or information service.
    PatientOrganization,
    /// A public health body that funds, commissions or lists CAR T services.
    HealthAuthority,
}

impl DirectoryKind {
    /// Every kind, in the order they are documented.
    pub const ALL: [DirectoryKind; 3] = [
        DirectoryKind::TreatmentCenter,
        DirectoryKind::PatientOrganization,
        DirectoryKind::HealthAuthority,
    ];

    /// The name used in the file and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            DirectoryKind::TreatmentCenter => "treatment_center",
            DirectoryKind::PatientOrganization => "patient_organization",
            DirectoryKind::HealthAuthority => "health_authority",
        }
    }

    /// The kind from its file name (`treatment_center`, ...).
    pub fn parse(text: &str) -> Option<DirectoryKind> {
        DirectoryKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The kind of a watched center made from this entry: treatment centers
    /// are cancer centers; patient organizations and health authorities are
    /// both information sites.
    pub fn center_kind(self) -> CenterKind {
        match self {
            DirectoryKind::TreatmentCenter => CenterKind::CancerCenter,
            DirectoryKind::PatientOrganization | DirectoryKind::HealthAuthority => {
                CenterKind::PatientOrganization
            }
        }
    }
}

/// Where an organization is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// City (`Tampa`); may be empty for a patient organization or health
    /// authority whose head office is not known.
    #[serde(default)]
    pub city: String,
    /// State, province or region; may be empty (`FL`, `ON`, `England`).
    #[serde(default)]
    pub region: String,
    /// ISO 3166-1 alpha-2 country code, upper case (`US`, `GB`, `CA`).
    pub country: String,
}

impl Location {
    /// `City, Region` for the United States (the watch configuration's
    /// style), `City, Region, CC` elsewhere; empty parts are left out.
    pub fn display(&self) -> String {
        let mut parts: Vec<&str> = [self.city.as_str(), self.region.as_str()]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect();
        if self.country != "US" {
            parts.push(&self.country);
        }
        parts.join(", ")
    }
}

/// One organization of the directory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DirectoryEntry {
    /// Stable id, lower-case letters, digits and `-`/`_` (`moffitt`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Treatment center, patient organization or health authority.
    pub kind: DirectoryKind,
    /// City, region and country.
    pub location: Location,
    /// Its CAR T page(s) (http or https URLs).
    pub pages: Vec<String>,
    /// The public page this entry was taken from, naming the organization
    /// as giving CAR T or informing about it.
    pub source: String,
    /// False when no CAR T page of the organization's own was seen, so
    /// `pages` holds the source page instead.
    pub page_confirmed: bool,
    /// The 1-based line of the entry's `id` in the file (0 when unknown).
    #[serde(skip)]
    pub line: usize,
}

/// Why a directory file could not be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DirectoryError {
    /// The file is not valid TOML, or a value has the wrong type.
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        /// The file name as given.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The TOML is well formed but an entry is not usable.
    #[error("{file}:{line}: organization {entry:?}: {message}")]
    Entry {
        /// The file name as given.
        file: String,
        /// 1-based line of the entry's id.
        line: usize,
        /// The entry id (or its position when the id is empty).
        entry: String,
        /// What is wrong and how to fix it.
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDirectory {
    #[serde(default)]
    organization: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    id: toml::Spanned<String>,
    name: String,
    kind: DirectoryKind,
    location: Location,
    pages: Vec<String>,
    source: String,
    #[serde(default = "confirmed_by_default")]
    page_confirmed: bool,
}

fn confirmed_by_default() -> bool {
    true
}

impl Directory {
    /// Parses and validates directory text; `file` is used in errors.
    pub fn from_toml_str(text: &str, file: &str) -> Result<Directory, DirectoryError> {
        let raw: RawDirectory = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|span| line_and_column(text, span.start))
                .unwrap_or((1, 1));
            DirectoryError::Syntax {
                file: file.to_string(),
                line,
                column,
                message: e.message().trim().to_string(),
            }
        })?;
        let organizations = raw
            .organization
            .into_iter()
            .map(|entry| {
                let line = line_and_column(text, entry.id.span().start).0;
                DirectoryEntry {
                    id: entry.id.into_inner(),
                    name: entry.name,
                    kind: entry.kind,
                    location: entry.location,
                    pages: entry.pages,
                    source: entry.source,
                    page_confirmed: entry.page_confirmed,
                    line,
                }
            })
            .collect();
        let directory = Directory { organizations };
        directory.validate(file)?;
        Ok(directory)
    }

    /// Checks ids (format, uniqueness), names, URLs and country codes.
    pub fn validate(&self, file: &str) -> Result<(), DirectoryError> {
        let mut first_line: BTreeMap<&str, usize> = BTreeMap::new();
        for (index, entry) in self.organizations.iter().enumerate() {
            let fail = |message: String| DirectoryError::Entry {
                file: file.to_string(),
                line: entry.line,
                entry: if entry.id.is_empty() {
                    format!("#{}", index + 1)
                } else {
                    entry.id.clone()
                },
                message,
            };
            if !is_valid_id(&entry.id) {
                return Err(fail(
                    "the id must be non-empty lower-case letters, digits, '-' or '_' (e.g. \"moffitt\")".into(),
                ));
            }
            if let Some(line) = first_line.insert(&entry.id, entry.line) {
                return Err(fail(format!(
                    "this id is already used on line {line}; ids must be unique"
                )));
            }
            if entry.name.trim().is_empty() {
                return Err(fail("`name` is empty".into()));
            }
            if entry.name.chars().any(char::is_control) {
                return Err(fail("`name` contains a control character".into()));
            }
            if entry.kind == DirectoryKind::TreatmentCenter && entry.location.city.trim().is_empty()
            {
                return Err(fail(
                    "`location.city` is empty; a treatment center needs the city where patients are treated".into(),
                ));
            }
            let country = &entry.location.country;
            if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
                return Err(fail(format!(
                    "country {country:?} is not a two-letter upper-case ISO 3166 code (e.g. \"US\", \"GB\")"
                )));
            }
            if entry.pages.is_empty() {
                return Err(fail(
                    "`pages` is empty; list at least one URL (the source's, with page_confirmed = false, when no CAR T page was seen)".into(),
                ));
            }
            for page in &entry.pages {
                if !is_http_url(page) {
                    return Err(fail(format!(
                        "page {page:?} is not an http:// or https:// URL"
                    )));
                }
            }
            if !is_http_url(&entry.source) {
                return Err(fail(format!(
                    "source {:?} is not an http:// or https:// URL; name the public page the entry was taken from",
                    entry.source
                )));
            }
        }
        Ok(())
    }

    /// The entry with this id.
    pub fn entry(&self, id: &str) -> Option<&DirectoryEntry> {
        self.organizations.iter().find(|e| e.id == id)
    }
}

/// True for an `http://` or `https://` URL with a host and no spaces or
/// control characters.
fn is_http_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    !host.is_empty() && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"# a directory
[[organization]]
id = "moffitt"
name = "Moffitt Cancer Center"
kind = "treatment_center"
location = { city = "Tampa", region = "FL", country = "US" }
pages = ["https://moffitt.org/car-t/"]
source = "https://moffitt.org/car-t/"

[[organization]]
id = "blood-cancer-uk"
name = "Blood Cancer UK"
kind = "patient_organization"
location = { country = "GB" }
pages = ["https://bloodcancer.org.uk/news/what-is-car-t-therapy/"]
source = "https://bloodcancer.org.uk/news/what-is-car-t-therapy/"
page_confirmed = false
"#;

    fn error_of(text: &str) -> String {
        Directory::from_toml_str(text, "config/directory.toml")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn reads_a_good_directory() {
        let directory = Directory::from_toml_str(GOOD, "d.toml").unwrap();
        assert_eq!(directory.organizations.len(), 2);
        let moffitt = directory.entry("moffitt").unwrap();
        assert_eq!(moffitt.line, 3);
        assert!(moffitt.page_confirmed);
        assert_eq!(moffitt.location.display(), "Tampa, FL");
        let bcuk = directory.entry("blood-cancer-uk").unwrap();
        assert_eq!(bcuk.line, 11);
        assert!(!bcuk.page_confirmed);
        assert_eq!(bcuk.location.display(), "GB");
        assert_eq!(bcuk.kind.center_kind(), CenterKind::PatientOrganization);
    }

    #[test]
    fn duplicate_ids_name_both_lines() {
        let text = GOOD.replace("id = \"blood-cancer-uk\"", "id = \"moffitt\"");
        let err = error_of(&text);
        assert_eq!(
            err,
            "config/directory.toml:11: organization \"moffitt\": this id is already used on line 3; ids must be unique"
        );
    }

    #[test]
    fn bad_urls_and_countries_name_file_line_and_entry() {
        let err = error_of(&GOOD.replace(
            "source = \"https://moffitt.org/car-t/\"",
            "source = \"moffitt.org\"",
        ));
        assert!(
            err.starts_with("config/directory.toml:3: organization \"moffitt\": source"),
            "{err}"
        );
        let err = error_of(&GOOD.replace(
            "pages = [\"https://moffitt.org/car-t/\"]",
            "pages = [\"ftp://x/\"]",
        ));
        assert!(
            err.contains(":3: organization \"moffitt\": page \"ftp://x/\""),
            "{err}"
        );
        let err = error_of(&GOOD.replace("country = \"GB\"", "country = \"UK1\""));
        assert!(
            err.contains(":11: organization \"blood-cancer-uk\": country \"UK1\""),
            "{err}"
        );
        let err = error_of(&GOOD.replace("country = \"US\"", "country = \"us\""));
        assert!(err.contains(":3: organization \"moffitt\""), "{err}");
        let err = error_of(&GOOD.replace("city = \"Tampa\", ", ""));
        assert!(
            err.contains(":3: organization \"moffitt\": `location.city` is empty"),
            "{err}"
        );
        let err = error_of(&GOOD.replace("id = \"moffitt\"", "id = \"Moffitt Center\""));
        assert!(
            err.contains("organization \"Moffitt Center\": the id"),
            "{err}"
        );
    }

    #[test]
    fn unknown_kinds_and_keys_are_syntax_errors_with_a_line() {
        let err = error_of(&GOOD.replace("kind = \"patient_organization\"", "kind = \"hospital\""));
        assert!(err.starts_with("config/directory.toml:13:"), "{err}");
        assert!(err.contains("hospital"), "{err}");
        let err =
            error_of(&GOOD.replace("source = \"https://moffitt.org/car-t/\"", "sauce = \"x\""));
        assert!(err.contains("sauce"), "{err}");
    }

    #[test]
    fn the_bundled_directory_is_valid_and_large_enough() {
        let text = include_str!("../../../config/directory.toml");
        let directory = Directory::from_toml_str(text, "config/directory.toml").unwrap();
        let entries = &directory.organizations;
        assert!(entries.len() >= 120, "{} entries", entries.len());
        let ids: std::collections::BTreeSet<&str> = entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids.len(), entries.len(), "ids are unique");
        for entry in entries {
            assert!(
                is_http_url(&entry.source),
                "{}: source {:?}",
                entry.id,
                entry.source
            );
            if !entry.page_confirmed {
                assert!(
                    entry.pages.contains(&entry.source),
                    "{}: an unconfirmed entry watches its source",
                    entry.id
                );
            }
        }
        for kind in DirectoryKind::ALL {
            assert!(entries.iter().any(|e| e.kind == kind), "no {kind:?}");
        }
        for country in ["US", "GB", "CA"] {
            assert!(
                entries.iter().any(|e| e.location.country == country),
                "no {country}"
            );
        }
        // The seed centers of config/centers.toml are in the directory under the same ids.
        for id in ["upmc-hillman", "msk", "ucdavis", "uh-rainbow", "acs"] {
            assert!(directory.entry(id).is_some(), "{id}");
        }
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in DirectoryKind::ALL {
            assert_eq!(DirectoryKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(DirectoryKind::parse("hospital"), None);
    }
}
