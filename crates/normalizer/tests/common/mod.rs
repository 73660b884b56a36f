//! Helpers shared by the normalizer's fixture tests: normalize a fixture
//! file, find a contact or a stage, and read durations and conditions.
#![allow(dead_code)] // each test file uses its own subset

use cartwatch_model::{Contact, PageRecord, ProcessStep, SelectorOverride};
use cartwatch_normalizer::{normalize, PageInput, Vocabulary};

/// Normalizes `tests/fixtures/<relative>` with the built-in vocabulary.
pub fn normalize_fixture(
    relative: &str,
    content_type: Option<&str>,
    selectors: Option<&SelectorOverride>,
) -> PageRecord {
    let path = format!("{}/tests/fixtures/{relative}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let name = relative.rsplit('/').next().unwrap_or(relative);
    normalize(
        &PageInput {
            bytes: &bytes,
            url: &format!("https://example.org/{name}"),
            content_type,
            selectors,
        },
        &Vocabulary::builtin(),
    )
}

/// The phone contact with this E.164 number.
pub fn phone<'a>(r: &'a PageRecord, e164: &str) -> &'a Contact {
    r.contacts
        .iter()
        .find(|c| c.e164.as_deref() == Some(e164))
        .unwrap_or_else(|| panic!("no contact {e164} in {:#?}", r.contacts))
}

/// The email contact with this address.
pub fn email<'a>(r: &'a PageRecord, address: &str) -> &'a Contact {
    r.contacts
        .iter()
        .find(|c| c.address.as_deref() == Some(address))
        .unwrap_or_else(|| panic!("no email {address} in {:#?}", r.contacts))
}

/// The process step with this stage id.
pub fn stage<'a>(r: &'a PageRecord, id: &str) -> &'a ProcessStep {
    r.process
        .iter()
        .find(|s| s.stage == id)
        .unwrap_or_else(|| panic!("no stage {id} in {:#?}", r.process))
}

/// A step's durations as (min, max) minutes.
pub fn minutes(step: &ProcessStep) -> Vec<(Option<u64>, Option<u64>)> {
    step.durations
        .iter()
        .map(|d| (d.min_minutes, d.max_minutes))
        .collect()
}

/// The stage ids in record order.
pub fn stage_ids(r: &PageRecord) -> Vec<&str> {
    r.process.iter().map(|s| s.stage.as_str()).collect()
}

/// The conditions as (id, investigational).
pub fn conditions(r: &PageRecord) -> Vec<(&str, bool)> {
    r.offerings
        .conditions
        .iter()
        .map(|c| (c.id.as_str(), c.investigational))
        .collect()
}
