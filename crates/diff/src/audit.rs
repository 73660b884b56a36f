//! The contact audit: findings for editors about the numbers and dates pages give.
//!
//! | kind | severity | when |
//! |---|---|---|
//! | `invalid_number` | error | the record flags the number invalid, or libphonenumber rejects its E.164 form |
//! | `registry_mismatch` | error | the page gives, for a purpose, a number the registry does not expect for that center and purpose |
//! | `inconsistent_numbers` | warning | one center gives different numbers for the same purpose (`general` excepted), on one page or across its pages |
//! | `number_changed` | warning | a page's number for a purpose differs from the previous snapshot's |
//! | `stale_date` | warning | the page's review (or revision) date is older than `max_age_months` before the page was fetched |
//! | `missing_date` | info | the page states no review or revision date |
//! | `tel_link_mismatch` | error | a `tel:` link dials another number than its text shows |
//! | `outdated_claim` | per rule | a sentence states a rule no longer true at the fetch date (`config/claims.toml`, see [`crate::claims`]) |
//! | `product_count` | per `[count]` | a sentence gives a number of FDA-approved CAR T products other than the catalog's at the fetch date |
//!
//! A page that answered with what looks like an error or maintenance page
//! (see [`crate::suspect`]; judged against the previous snapshot's record
//! when there is one) raises no findings, and a previous record that looks
//! like one is not compared with.

use crate::claims::{ClaimDetail, ClaimsCheck};
use crate::registry::{is_valid_number, ContactRegistry};
use crate::suspect::content_suspect;
use crate::SnapshotView;
use cartwatch_model::{Contact, ContactKind, PageRecord, Purpose};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// How serious a finding is; ordered `info < warning < error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Should be checked.
    Warning,
    /// Patients may call a wrong number.
    Error,
}

impl Severity {
    /// Every severity, least serious first.
    pub const ALL: [Severity; 3] = [Severity::Info, Severity::Warning, Severity::Error];

    /// The snake_case id (`info`, `warning`, `error`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parses `info`, `warning` or `error`.
    pub fn parse(id: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.as_str() == id)
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A number libphonenumber says is invalid or impossible.
    InvalidNumber,
    /// A number that is not the registry's expected one for its center and purpose.
    RegistryMismatch,
    /// One center gives different numbers for the same purpose.
    InconsistentNumbers,
    /// A number changed since the previous snapshot.
    NumberChanged,
    /// The page's review or revision date is older than the configured age.
    StaleDate,
    /// The page states no review or revision date.
    MissingDate,
    /// A `tel:` link dials another number than its text shows.
    TelLinkMismatch,
    /// A sentence states a rule that is no longer true.
    OutdatedClaim,
    /// A sentence gives a wrong number of FDA-approved CAR T products.
    ProductCount,
}

impl FindingKind {
    /// Every kind, most severe first.
    pub const ALL: [FindingKind; 9] = [
        FindingKind::InvalidNumber,
        FindingKind::RegistryMismatch,
        FindingKind::TelLinkMismatch,
        FindingKind::InconsistentNumbers,
        FindingKind::NumberChanged,
        FindingKind::StaleDate,
        FindingKind::MissingDate,
        FindingKind::OutdatedClaim,
        FindingKind::ProductCount,
    ];

    /// The snake_case id used in JSON and CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::InvalidNumber => "invalid_number",
            FindingKind::RegistryMismatch => "registry_mismatch",
            FindingKind::InconsistentNumbers => "inconsistent_numbers",
            FindingKind::NumberChanged => "number_changed",
            FindingKind::StaleDate => "stale_date",
            FindingKind::MissingDate => "missing_date",
            FindingKind::TelLinkMismatch => "tel_link_mismatch",
            FindingKind::OutdatedClaim => "outdated_claim",
            FindingKind::ProductCount => "product_count",
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// What the finding is about.
    pub kind: FindingKind,
    /// How serious it is.
    pub severity: Severity,
    /// The center id.
    pub center: String,
    /// The page the finding is on (the first one, when it spans pages).
    pub url: String,
    /// The numbers concerned, as the page writes them.
    pub numbers: Vec<String>,
    /// The sentence(s) the numbers or dates were read from.
    pub evidence: String,
    /// One line a person can read.
    pub summary: String,
    /// What an editor should do.
    pub action: String,
    /// `outdated_claim` and `product_count` only: what the page claims, what
    /// is current, since when, and the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<ClaimDetail>,
}

/// Every finding of one snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditReport {
    /// The audited snapshot's id.
    pub snapshot: String,
    /// The snapshot numbers were compared with, if any.
    pub previous: Option<String>,
    /// Findings, in center order, most severe first within a center.
    pub findings: Vec<Finding>,
}

impl AuditReport {
    /// How many findings are at or above this severity (the `--fail-on` test).
    pub fn count_at_or_above(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity >= severity)
            .count()
    }
}

/// What the audit checks against.
#[derive(Debug, Clone)]
pub struct AuditOptions {
    /// Pages whose date is older than this many months are stale.
    pub max_age_months: u32,
    /// Expected numbers; without one, no `registry_mismatch` findings.
    pub registry: Option<ContactRegistry>,
    /// Claims rules and product catalog; without them, no `outdated_claim`
    /// or `product_count` findings.
    pub claims: Option<ClaimsCheck>,
}

impl Default for AuditOptions {
    /// A 12-month age limit, no registry, the built-in claims rules.
    fn default() -> Self {
        AuditOptions {
            max_age_months: 12,
            registry: None,
            claims: Some(ClaimsCheck::builtin()),
        }
    }
}

/// Audits a snapshot; `previous` (the snapshot before it) enables
/// `number_changed` findings.
pub fn audit(
    current: &SnapshotView,
    previous: Option<&SnapshotView>,
    options: &AuditOptions,
) -> AuditReport {
    let mut findings = Vec::new();
    for center in &current.manifest.centers {
        let mut center_findings = Vec::new();
        // (purpose) -> number key -> (display, url, evidence)
        let mut by_purpose: BTreeMap<Purpose, BTreeMap<String, (String, String, String)>> =
            BTreeMap::new();
        for page in center.pages.iter().filter(|p| p.outcome.has_content()) {
            let Some(record) = current.record(&center.id, &page.url) else {
                continue;
            };
            let previous_record = previous.and_then(|p| p.record(&center.id, &page.url));
            // An error or maintenance page served as content says nothing
            // about the page's numbers or dates.
            if content_suspect(record, previous_record).is_some() {
                continue;
            }
            let fetched =
                date_part(&page.fetched_at).or_else(|| date_part(&current.manifest.created_at));
            for contact in phones(record) {
                let display = shown(contact);
                check_validity(
                    &center.id,
                    &page.url,
                    contact,
                    &display,
                    &mut center_findings,
                );
                if let Some(registry) = &options.registry {
                    check_registry(
                        registry,
                        &center.id,
                        &page.url,
                        contact,
                        &display,
                        &mut center_findings,
                    );
                }
                for &purpose in &contact.purposes {
                    by_purpose
                        .entry(purpose)
                        .or_default()
                        .entry(contact.key())
                        .or_insert((display.clone(), page.url.clone(), contact.evidence.clone()));
                }
            }
            let previous_usable =
                previous_record.filter(|p| content_suspect(p, Some(record)).is_none());
            if let Some(previous) = previous_usable {
                check_changed(
                    &center.id,
                    &page.url,
                    previous,
                    record,
                    &mut center_findings,
                );
            }
            check_date(
                &center.id,
                &page.url,
                record,
                fetched,
                options.max_age_months,
                &mut center_findings,
            );
            crate::claims_audit::page_findings(
                &center.id,
                &page.url,
                record,
                fetched,
                options.claims.as_ref(),
                &mut center_findings,
            );
        }
        for (purpose, numbers) in by_purpose {
            if purpose == Purpose::General || numbers.len() < 2 {
                continue;
            }
            let urls: BTreeSet<&str> = numbers.values().map(|(_, u, _)| u.as_str()).collect();
            let first = numbers
                .values()
                .next()
                .map(|(_, u, _)| u.clone())
                .unwrap_or_default();
            let displays: Vec<String> = numbers.values().map(|(d, _, _)| d.clone()).collect();
            let evidence: Vec<String> = numbers
                .values()
                .map(|(_, _, e)| e.clone())
                .filter(|e| !e.is_empty())
                .collect();
            let place = if urls.len() > 1 {
                format!("across {} pages", urls.len())
            } else {
                "on one page".to_string()
            };
            center_findings.push(Finding {
                kind: FindingKind::InconsistentNumbers,
                severity: Severity::Warning,
                center: center.id.clone(),
                url: first,
                summary: format!(
                    "{} different {} numbers {place}: {}",
                    displays.len(),
                    purpose.as_str(),
                    displays.join(", ")
                ),
                numbers: displays,
                evidence: evidence.join(" | "),
                action: format!(
                    "confirm which {} number is current and use it everywhere",
                    purpose.as_str()
                ),
                claim: None,
            });
        }
        center_findings.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.kind.cmp(&b.kind)));
        findings.extend(center_findings);
    }
    AuditReport {
        snapshot: current.manifest.id.clone(),
        previous: previous.map(|p| p.manifest.id.clone()),
        findings,
    }
}

fn phones(record: &PageRecord) -> impl Iterator<Item = &Contact> {
    record
        .contacts
        .iter()
        .filter(|c| c.kind == ContactKind::Phone)
}

fn shown(contact: &Contact) -> String {
    contact.display.clone().unwrap_or_else(|| contact.key())
}

fn check_validity(
    center: &str,
    url: &str,
    contact: &Contact,
    display: &str,
    out: &mut Vec<Finding>,
) {
    let rechecked = contact.e164.as_deref().and_then(is_valid_number);
    let invalid =
        contact.valid == Some(false) || rechecked == Some(false) || contact.e164.is_none();
    if !invalid {
        return;
    }
    out.push(Finding {
        kind: FindingKind::InvalidNumber,
        severity: Severity::Error,
        center: center.to_string(),
        url: url.to_string(),
        numbers: vec![display.to_string()],
        evidence: contact.evidence.clone(),
        summary: format!("{display} is not a valid phone number"),
        action: "check the digits on the page and correct the number".to_string(),
        claim: None,
    });
}

fn check_registry(
    registry: &ContactRegistry,
    center: &str,
    url: &str,
    contact: &Contact,
    display: &str,
    out: &mut Vec<Finding>,
) {
    let key = contact.key();
    for &purpose in &contact.purposes {
        let Some(expected) = registry.expected(center, purpose) else {
            continue;
        };
        if expected.contains(&key) {
            continue;
        }
        out.push(Finding {
            kind: FindingKind::RegistryMismatch,
            severity: Severity::Error,
            center: center.to_string(),
            url: url.to_string(),
            numbers: vec![display.to_string()],
            evidence: contact.evidence.clone(),
            summary: format!(
                "{} number {display} is not the registered {}",
                purpose.as_str(),
                expected.join(" or ")
            ),
            action: format!(
                "call the center to confirm; fix the page, or update config/contacts.toml ({center}.{})",
                purpose.as_str()
            ),
            claim: None,
        });
    }
}

fn check_changed(
    center: &str,
    url: &str,
    before: &PageRecord,
    after: &PageRecord,
    out: &mut Vec<Finding>,
) {
    for purpose in Purpose::ALL {
        let numbers = |record: &PageRecord| -> BTreeMap<String, (String, String)> {
            phones(record)
                .filter(|c| c.purposes.contains(&purpose))
                .map(|c| (c.key(), (shown(c), c.evidence.clone())))
                .collect()
        };
        let (old, new) = (numbers(before), numbers(after));
        if old.is_empty() || new.is_empty() || old.keys().eq(new.keys()) {
            continue;
        }
        let gone: Vec<&String> = old
            .iter()
            .filter(|(k, _)| !new.contains_key(*k))
            .map(|(_, v)| &v.0)
            .collect();
        let came: Vec<&(String, String)> = new
            .iter()
            .filter(|(k, _)| !old.contains_key(*k))
            .map(|(_, v)| v)
            .collect();
        if gone.is_empty() || came.is_empty() {
            continue;
        }
        let gone_list: Vec<String> = gone.iter().map(|s| s.to_string()).collect();
        let came_list: Vec<String> = came.iter().map(|v| v.0.clone()).collect();
        let mut numbers = gone_list.clone();
        numbers.extend(came_list.iter().cloned());
        out.push(Finding {
            kind: FindingKind::NumberChanged,
            severity: Severity::Warning,
            center: center.to_string(),
            url: url.to_string(),
            numbers,
            evidence: came
                .iter()
                .map(|v| v.1.clone())
                .collect::<Vec<_>>()
                .join(" | "),
            summary: format!(
                "{} number changed since the previous snapshot: {} -> {}",
                purpose.as_str(),
                gone_list.join(", "),
                came_list.join(", ")
            ),
            action: "confirm the new number with the center, then update config/contacts.toml"
                .to_string(),
            claim: None,
        });
    }
}

fn check_date(
    center: &str,
    url: &str,
    record: &PageRecord,
    fetched: Option<(i32, u32, u32)>,
    max_age_months: u32,
    out: &mut Vec<Finding>,
) {
    let (label, date) = match (&record.dates.reviewed, &record.dates.revised) {
        (Some(d), _) => ("reviewed", d),
        (None, Some(d)) => ("revised", d),
        (None, None) => {
            out.push(Finding {
                kind: FindingKind::MissingDate,
                severity: Severity::Info,
                center: center.to_string(),
                url: url.to_string(),
                numbers: Vec::new(),
                evidence: String::new(),
                summary: "the page states no review or revision date".to_string(),
                action: "ask the page owner to show when the content was last reviewed".to_string(),
                claim: None,
            });
            return;
        }
    };
    let (Some(stated), Some(fetched)) = (date_part(date), fetched) else {
        return;
    };
    let limit = add_months(stated, max_age_months);
    if limit >= fetched {
        return;
    }
    let age = months_between(stated, fetched);
    out.push(Finding {
        kind: FindingKind::StaleDate,
        severity: Severity::Warning,
        center: center.to_string(),
        url: url.to_string(),
        numbers: Vec::new(),
        evidence: record
            .evidence
            .get(&format!("date:{label}"))
            .cloned()
            .unwrap_or_default(),
        summary: format!(
            "{label} {date}, {age} months before the page was fetched (limit {max_age_months})"
        ),
        action: "ask the page owner to review the content and its contact numbers".to_string(),
        claim: None,
    });
}

/// `(year, month, day)` of an ISO date or RFC 3339 timestamp.
pub(crate) fn date_part(text: &str) -> Option<(i32, u32, u32)> {
    let date = text.get(..10)?;
    let mut parts = date.split('-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some((year, month, day))
}

fn add_months((year, month, day): (i32, u32, u32), months: u32) -> (i32, u32, u32) {
    let total = year as i64 * 12 + (month as i64 - 1) + months as i64;
    let (y, m) = ((total / 12) as i32, (total % 12) as u32 + 1);
    let last = match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    (y, m, day.min(last))
}

fn months_between(from: (i32, u32, u32), to: (i32, u32, u32)) -> i64 {
    let mut months = (to.0 as i64 - from.0 as i64) * 12 + to.1 as i64 - from.1 as i64;
    if to.2 < from.2 {
        months -= 1;
    }
    months
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_arithmetic() {
        assert_eq!(add_months((2023, 10, 12), 12), (2024, 10, 12));
        assert_eq!(add_months((2024, 1, 31), 1), (2024, 2, 29));
        assert_eq!(add_months((2023, 12, 5), 1), (2024, 1, 5));
        assert_eq!(months_between((2023, 10, 12), (2026, 10, 1)), 35);
        assert_eq!(date_part("2026-10-01T06:00:12Z"), Some((2026, 10, 1)));
        assert_eq!(date_part("Oct 2026"), None);
    }
}
