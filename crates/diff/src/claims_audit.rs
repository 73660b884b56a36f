//! The audit findings that come from a page's text rather than its contact
//! list: `outdated_claim` and `product_count` (from [`crate::claims`]), and
//! `tel_link_mismatch` (from the record's `tel_link_mismatches`).

use crate::audit::{Finding, FindingKind, Severity};
use crate::catalog::Day;
use crate::claims::{check_page, ClaimsCheck, HitKind};
use cartwatch_model::{PageRecord, TelLinkMismatch};

/// Appends one page's claim and tel-link findings, judged at `fetched`.
pub(crate) fn page_findings(
    center: &str,
    url: &str,
    record: &PageRecord,
    fetched: Option<Day>,
    claims: Option<&ClaimsCheck>,
    out: &mut Vec<Finding>,
) {
    for mismatch in &record.tel_link_mismatches {
        out.push(tel_link_finding(center, url, mismatch));
    }
    let Some(check) = claims else { return };
    for hit in check_page(record, fetched, check) {
        out.push(Finding {
            kind: match hit.kind {
                HitKind::OutdatedClaim => FindingKind::OutdatedClaim,
                HitKind::ProductCount => FindingKind::ProductCount,
            },
            severity: hit.severity,
            center: center.to_string(),
            url: url.to_string(),
            numbers: Vec::new(),
            evidence: hit.sentence,
            summary: hit.summary,
            action: hit.action,
            claim: Some(hit.detail),
        });
    }
}

/// The finding for a `tel:` link that dials another number than its text.
pub fn tel_link_finding(center: &str, url: &str, mismatch: &TelLinkMismatch) -> Finding {
    let dials = match &mismatch.dials_e164 {
        Some(e164) => match region_of(e164) {
            Some(region) => format!("{e164} (region {region})"),
            None => e164.clone(),
        },
        None => "no dialable number".to_string(),
    };
    let mut numbers = vec![mismatch.text.clone()];
    numbers.extend(mismatch.dials_e164.clone());
    Finding {
        kind: FindingKind::TelLinkMismatch,
        severity: Severity::Error,
        center: center.to_string(),
        url: url.to_string(),
        numbers,
        evidence: mismatch.evidence.clone(),
        summary: format!(
            "the link on \"{}\" ({}) dials {dials}",
            mismatch.text, mismatch.href
        ),
        action: "fix the link so it dials the number shown (tel:+1... for a US number), or correct the text"
            .to_string(),
        claim: None,
    }
}

/// The ISO region code of an E.164 number (`JP`), if libphonenumber knows it.
fn region_of(e164: &str) -> Option<String> {
    let parsed = phonenumber::parse(None, e164).ok()?;
    parsed.country().id().map(|id| format!("{id:?}"))
}
