//! The watch configuration: `config/centers.toml`.
//!
//! ```toml
//! [fetch]                      # optional; every key has a default
//! min_delay_ms = 2000
//!
//! [[center]]
//! id = "uh-rainbow"
//! name = "University Hospitals Rainbow Babies & Children's"
//! kind = "cancer_center"       # or "patient_organization"
//! location = "Cleveland, OH"
//! country = "US"               # optional, ISO 3166 alpha-2; phone numbers are read in it
//! pages = ["https://www.uhhospitals.org/..."]
//! ```
//!
//! Parsing is pure: [`Config::from_toml_str`] takes the text and the file
//! name to put in errors. Errors name the file, the line and column, and the
//! center they concern.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The whole configuration file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Fetch politeness and bounds.
    #[serde(default)]
    pub fetch: FetchSettings,
    /// Diff noise control.
    #[serde(default)]
    pub diff: DiffSettings,
    /// Contact-audit settings.
    #[serde(default)]
    pub audit: AuditSettings,
    /// The watched centers, in report order.
    #[serde(default, rename = "center")]
    pub centers: Vec<CenterConfig>,
}

/// What kind of organization a center is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CenterKind {
    /// A hospital or cancer center that treats patients.
    #[default]
    CancerCenter,
    /// A patient organization or information site.
    PatientOrganization,
}

/// One watched center.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CenterConfig {
    /// Stable id, lower-case letters, digits and `-`/`_` (`uh-rainbow`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Cancer center or patient organization.
    #[serde(default)]
    pub kind: CenterKind,
    /// City and state.
    #[serde(default)]
    pub location: String,
    /// The center's country, ISO 3166 alpha-2 (`"GB"`, `"CA"`); phone numbers
    /// written without a country code are read in it. Absent: the page's URL
    /// (`.uk`, `.ca`, ...) or `<html lang>` decides, else the US.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// The pages to watch (http or https URLs).
    pub pages: Vec<String>,
    /// Escape hatch when the content extractor gets a site wrong.
    #[serde(default)]
    pub selectors: Option<SelectorOverride>,
    /// Regular expressions whose matches are ignored by the diff for this center.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Host names (or `host:port`, or IP literals) this center may fetch even
    /// though they resolve to a private or local address (an intranet page).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_private_hosts: Vec<String>,
    /// How this center's pages are fetched (`"http"`, `"browser"` or
    /// `"auto"`); absent: `[fetch] browser` decides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetch: Option<FetchMode>,
}

/// How a page is fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum FetchMode {
    /// Plain HTTP; the served HTML is what gets normalized.
    #[default]
    Http,
    /// Headless Chromium: the DOM after the page's scripts ran is what gets
    /// normalized.
    Browser,
    /// HTTP first; through the browser when the HTTP answer is a script shell
    /// with little text, a `<noscript>` "enable JavaScript" page, or a bot
    /// challenge.
    Auto,
}

impl FetchMode {
    /// The config spelling: `http`, `browser`, `auto`.
    pub fn as_str(self) -> &'static str {
        match self {
            FetchMode::Http => "http",
            FetchMode::Browser => "browser",
            FetchMode::Auto => "auto",
        }
    }
}

/// When the browser is used for centers that do not set `fetch`
/// (`[fetch] browser`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BrowserUse {
    /// Never: plain HTTP (the default).
    #[default]
    Off,
    /// When the HTTP answer needs it (see [`FetchMode::Auto`]).
    Auto,
    /// For every page.
    Always,
}

impl BrowserUse {
    /// The fetch mode of a center that does not set its own.
    pub fn mode(self) -> FetchMode {
        match self {
            BrowserUse::Off => FetchMode::Http,
            BrowserUse::Auto => FetchMode::Auto,
            BrowserUse::Always => FetchMode::Browser,
        }
    }
}

/// Per-center CSS selectors that override content detection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct SelectorOverride {
    /// Selector of the content root (e.g. `#main-content`).
    #[serde(default)]
    pub content: Option<String>,
    /// Selectors removed from the content before extraction.
    #[serde(default)]
    pub exclude: Vec<String>,
}

/// Fetch politeness and bounds. Every field has a conservative default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FetchSettings {
    /// The User-Agent product token and version.
    pub user_agent: String,
    /// A URL where site owners can learn about the crawler; appended to the User-Agent.
    pub contact_url: String,
    /// Minimum milliseconds between two requests to one host (robots.txt Crawl-delay can raise it).
    pub min_delay_ms: u64,
    /// Requests in flight to one host at once.
    pub max_in_flight_per_host: usize,
    /// Requests in flight across all hosts.
    pub max_in_flight: usize,
    /// Connect timeout in seconds.
    pub connect_timeout_secs: u64,
    /// Whole-request timeout in seconds.
    pub timeout_secs: u64,
    /// Body size cap in bytes; a larger body is aborted and classified `too_large`.
    pub max_body_bytes: u64,
    /// Redirects followed before `redirect_loop`.
    pub max_redirects: usize,
    /// Retries after the first attempt, on timeouts, connection errors, 429 and 5xx.
    pub retries: u32,
    /// First backoff in milliseconds; doubles each retry, with jitter.
    pub backoff_ms: u64,
    /// Cap on a server's Retry-After, in seconds.
    pub max_retry_after_secs: u64,
    /// Honour robots.txt (on by default).
    pub respect_robots: bool,
    /// Cap, in seconds, on a robots.txt Crawl-delay (a larger one is logged and capped).
    pub max_crawl_delay_secs: u64,
    /// Fetch loopback, link-local and private-network addresses (off by
    /// default: a page or redirect leading there is `blocked_private_address`).
    pub allow_private: bool,
    /// When centers that do not set `fetch` go through the browser: `"off"`
    /// (default), `"auto"` or `"always"`.
    pub browser: BrowserUse,
    /// The Chromium (or Chrome) binary; absent: `chromium`,
    /// `chromium-browser`, `google-chrome` or `google-chrome-stable` on PATH.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chromium: Option<String>,
}

impl Default for FetchSettings {
    fn default() -> Self {
        FetchSettings {
            user_agent: "cartwatch/0.1".into(),
            contact_url: "https://github.com/cartwatch/cartwatch".into(),
            min_delay_ms: 2000,
            max_in_flight_per_host: 1,
            max_in_flight: 16,
            connect_timeout_secs: 10,
            timeout_secs: 30,
            max_body_bytes: 10 * 1024 * 1024,
            max_redirects: 10,
            retries: 3,
            backoff_ms: 1000,
            max_retry_after_secs: 120,
            respect_robots: true,
            max_crawl_delay_secs: 60,
            allow_private: false,
            browser: BrowserUse::Off,
            chromium: None,
        }
    }
}

impl FetchSettings {
    /// The full User-Agent header: `cartwatch/0.1 (+https://...)`.
    pub fn user_agent_header(&self) -> String {
        if self.contact_url.is_empty() {
            self.user_agent.clone()
        } else {
            format!("{} (+{})", self.user_agent, self.contact_url)
        }
    }
}

/// Diff noise control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct DiffSettings {
    /// Regular expressions whose matches are ignored for every center.
    pub ignore: Vec<String>,
    /// Suppress a change that flips back within this many snapshots (0: off).
    pub settle: usize,
}

/// Contact-audit settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditSettings {
    /// A page whose review or revision date is older than this many months is flagged.
    pub max_age_months: u32,
}

impl Default for AuditSettings {
    fn default() -> Self {
        AuditSettings { max_age_months: 12 }
    }
}

/// Why a configuration could not be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
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
    /// The TOML is well formed but a center's entry is not usable.
    #[error("{file}: center {center:?}: {message}")]
    Center {
        /// The file name as given.
        file: String,
        /// The center id (or its position when the id is empty).
        center: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The file lists no center: empty, cut short, or every table lost.
    #[error("{file}: no centers: the config lists no [[center]] table (is the file empty or cut short?); restore it, or add centers with `cartwatch centers add`")]
    NoCenters {
        /// The file name as given.
        file: String,
    },
}

impl Config {
    /// Parses and validates configuration text; `file` is used in errors.
    pub fn from_toml_str(text: &str, file: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|span| line_and_column(text, span.start))
                .unwrap_or((1, 1));
            ConfigError::Syntax {
                file: file.to_string(),
                line,
                column,
                message: e.message().trim().to_string(),
            }
        })?;
        config.validate(file)?;
        Ok(config)
    }

    /// Checks ids, URLs and duplicates.
    pub fn validate(&self, file: &str) -> Result<(), ConfigError> {
        let mut seen = BTreeSet::new();
        for (index, center) in self.centers.iter().enumerate() {
            let name = if center.id.is_empty() {
                format!("#{}", index + 1)
            } else {
                center.id.clone()
            };
            let fail = |message: String| ConfigError::Center {
                file: file.to_string(),
                center: name.clone(),
                message,
            };
            if !is_valid_id(&center.id) {
                return Err(fail(
                    "the id must be non-empty lower-case letters, digits, '-' or '_' (e.g. \"uh-rainbow\")".into(),
                ));
            }
            if !seen.insert(center.id.clone()) {
                return Err(fail(
                    "this id is used by two centers; ids must be unique".into(),
                ));
            }
            if center.pages.is_empty() {
                return Err(fail("`pages` is empty; list at least one URL".into()));
            }
            for page in &center.pages {
                let lower = page.to_ascii_lowercase();
                let rest = lower
                    .strip_prefix("https://")
                    .or_else(|| lower.strip_prefix("http://"));
                if rest.is_none_or(|r| r.is_empty() || r.starts_with('/')) {
                    return Err(fail(format!(
                        "page {page:?} is not an http:// or https:// URL"
                    )));
                }
                if let Some(problem) = url_problem(page) {
                    return Err(fail(format!(
                        "page {page:?} is not a well-formed URL: {problem}; write it as the browser's address bar shows it (percent-encoded: a space is %20, a quote %22)"
                    )));
                }
            }
            if let Some(country) = &center.country {
                if !(country.len() == 2 && country.chars().all(|c| c.is_ascii_alphabetic())) {
                    return Err(fail(format!(
                        "country {country:?} is not a two-letter ISO 3166 code; write e.g. \"GB\" or \"CA\", or leave it out for the US"
                    )));
                }
            }
            for host in &center.allow_private_hosts {
                let plain = !host.trim().is_empty()
                    && !host.contains(['/', '@', '?', '#'])
                    && !host.chars().any(char::is_whitespace);
                if !plain {
                    return Err(fail(format!(
                        "allow_private_hosts entry {host:?} is not a host name; write a host (\"intranet.example\"), an address (\"10.0.0.5\") or host:port"
                    )));
                }
            }
            let mut page_set = BTreeSet::new();
            for page in &center.pages {
                if !page_set.insert(page) {
                    return Err(fail(format!("page {page:?} is listed twice")));
                }
            }
        }
        Ok(())
    }

    /// Fails when the config lists no center. A watch run with an empty or
    /// truncated file would otherwise store a snapshot in which every center
    /// vanished; the commands that snapshot (and `check-config`) call this,
    /// the editing commands (`centers add`) do not, so a new config can
    /// start empty.
    pub fn require_centers(&self, file: &str) -> Result<(), ConfigError> {
        if self.centers.is_empty() {
            return Err(ConfigError::NoCenters {
                file: file.to_string(),
            });
        }
        Ok(())
    }

    /// The center with this id.
    pub fn center(&self, id: &str) -> Option<&CenterConfig> {
        self.centers.iter().find(|c| c.id == id)
    }

    /// How this center's pages are fetched: its own `fetch`, else
    /// `[fetch] browser`.
    pub fn fetch_mode(&self, center: &CenterConfig) -> FetchMode {
        center.fetch.unwrap_or_else(|| self.fetch.browser.mode())
    }
}

/// Why a configured page URL would not parse strictly, if it would not:
/// whitespace, control characters, quotes, angle brackets, backslashes,
/// braces, pipes or carets (characters a URL carries percent-encoded), or
/// unbalanced `[]`/`()`. A lenient parser would guess; a config should say
/// exactly which page it means.
pub fn url_problem(url: &str) -> Option<String> {
    if let Some(c) = url
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || "\"'`<>\\{}|^".contains(*c))
    {
        return Some(match c {
            c if c.is_whitespace() => "it contains a space or other whitespace".into(),
            c if c.is_control() => "it contains a control character".into(),
            c => format!("it contains {c:?}"),
        });
    }
    for (open, close) in [('[', ']'), ('(', ')')] {
        let mut depth = 0i64;
        for c in url.chars() {
            if c == open {
                depth += 1;
            } else if c == close {
                depth -= 1;
                if depth < 0 {
                    break;
                }
            }
        }
        if depth != 0 {
            return Some(format!("its {open}{close} brackets are unbalanced"));
        }
    }
    let authority = url.split_once("://").map_or("", |(_, rest)| {
        rest.split(['/', '?', '#']).next().unwrap_or_default()
    });
    let host = authority.rsplit('@').next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') {
        return Some("it names no host".into());
    }
    None
}

/// True for a usable center id.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// The 1-based line and column (in characters) of a byte offset in TOML text.
pub(crate) fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[fetch]
min_delay_ms = 500

[[center]]
id = "uh-rainbow"
name = "University Hospitals Rainbow Babies & Children's"
kind = "cancer_center"
location = "Cleveland, OH"
pages = ["https://www.uhhospitals.org/rainbow"]
"#;

    #[test]
    fn reads_a_good_config() {
        let config = Config::from_toml_str(GOOD, "centers.toml").unwrap();
        assert_eq!(config.centers[0].id, "uh-rainbow");
        assert_eq!(config.fetch.min_delay_ms, 500);
        assert_eq!(config.fetch.retries, 3);
        assert_eq!(config.audit.max_age_months, 12);
    }

    #[test]
    fn syntax_errors_name_file_line_and_column() {
        let bad = GOOD.replace("kind = \"cancer_center\"", "kind = \"hospital\"");
        let err = Config::from_toml_str(&bad, "config/centers.toml").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("config/centers.toml:8:"), "{text}");
        assert!(text.contains("hospital"), "{text}");
    }

    #[test]
    fn center_errors_name_the_center() {
        let bad = GOOD.replace("https://www.uhhospitals.org/rainbow", "ftp://x.org/a");
        let err = Config::from_toml_str(&bad, "c.toml").unwrap_err();
        assert!(err.to_string().contains("center \"uh-rainbow\""), "{err}");
        assert!(err.to_string().contains("ftp://x.org/a"), "{err}");

        let twice = format!(
            "{GOOD}\n[[center]]\nid = \"uh-rainbow\"\nname = \"x\"\npages = [\"https://a.org/\"]\n"
        );
        let err = Config::from_toml_str(&twice, "c.toml").unwrap_err();
        assert!(err.to_string().contains("unique"), "{err}");
    }

    #[test]
    fn a_config_without_centers_is_refused_by_require_centers() {
        let config = Config::from_toml_str("[fetch]\nmin_delay_ms = 5\n", "c.toml").unwrap();
        let err = config.require_centers("c.toml").unwrap_err().to_string();
        assert!(err.starts_with("c.toml: no centers"), "{err}");
        let good = Config::from_toml_str(GOOD, "c.toml").unwrap();
        assert!(good.require_centers("c.toml").is_ok());
    }

    #[test]
    fn page_urls_must_parse_strictly() {
        for bad in [
            "https://a.example/car t",
            "https://a.example/x?q=\"><script>",
            "https://a.example/x'",
            "https://a.example/(unbalanced",
            "https://[::1/x",
            "https://a.example/\\x",
            "https://user:pw@/x",
        ] {
            assert!(url_problem(bad).is_some(), "{bad}");
        }
        for good in [
            "https://a.example/car-t?x=%22%3E",
            "https://[::1]:8080/x",
            "https://en.example/wiki/CAR_(therapy)",
            "https://user:pw@intranet.example/x",
        ] {
            assert_eq!(url_problem(good), None, "{good}");
        }
        let text = GOOD.replace("rainbow\"]", "rainbow page\"]");
        let err = Config::from_toml_str(&text, "c.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("center \"uh-rainbow\""), "{err}");
        assert!(err.contains("not a well-formed URL"), "{err}");
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let bad = GOOD.replace("location =", "locaton =");
        let err = Config::from_toml_str(&bad, "c.toml").unwrap_err();
        assert!(err.to_string().contains("locaton"), "{err}");
    }

    #[test]
    fn fetch_modes_come_from_the_center_or_the_fetch_table() {
        let config = Config::from_toml_str(GOOD, "c.toml").unwrap();
        assert_eq!(config.fetch.browser, BrowserUse::Off);
        assert_eq!(config.fetch_mode(&config.centers[0]), FetchMode::Http);
        let auto = GOOD.replace(
            "min_delay_ms = 500",
            "min_delay_ms = 500\nbrowser = \"auto\"\nchromium = \"/opt/chromium\"",
        );
        let config = Config::from_toml_str(&auto, "c.toml").unwrap();
        assert_eq!(config.fetch_mode(&config.centers[0]), FetchMode::Auto);
        assert_eq!(config.fetch.chromium.as_deref(), Some("/opt/chromium"));
        let own = auto.replace("location =", "fetch = \"browser\"\nlocation =");
        let config = Config::from_toml_str(&own, "c.toml").unwrap();
        assert_eq!(config.fetch_mode(&config.centers[0]), FetchMode::Browser);
        let bad = GOOD.replace("location =", "fetch = \"selenium\"\nlocation =");
        let err = Config::from_toml_str(&bad, "c.toml").unwrap_err();
        assert!(err.to_string().contains("selenium"), "{err}");
    }

    #[test]
    fn an_optional_country_is_two_letters() {
        let config = Config::from_toml_str(GOOD, "c.toml").unwrap();
        assert_eq!(config.centers[0].country, None);
        let uk = GOOD.replace("location =", "country = \"GB\"\nlocation =");
        let config = Config::from_toml_str(&uk, "c.toml").unwrap();
        assert_eq!(config.centers[0].country.as_deref(), Some("GB"));
        let bad = GOOD.replace("location =", "country = \"United Kingdom\"\nlocation =");
        let err = Config::from_toml_str(&bad, "c.toml").unwrap_err();
        assert!(err.to_string().contains("two-letter"), "{err}");
        assert!(err.to_string().contains("uh-rainbow"), "{err}");
    }
}
