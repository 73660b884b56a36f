//! The page record: what `cartwatch normalize` prints for one page.
//!
//! Field names, types and meanings follow the page-record contract (see
//! `ARCHITECTURE.md`); fields may be added, never renamed.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything the normalizer reads out of one page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct PageRecord {
    /// The address the page was fetched from (or was given with `--url`).
    pub url: String,
    /// The page's `<title>`, whitespace folded.
    pub title: Option<String>,
    /// Every phone number and email address on the page, one entry per distinct contact.
    pub contacts: Vec<Contact>,
    /// What the center says it offers.
    pub offerings: Offerings,
    /// Treatment steps in treatment order, each stage once.
    pub process: Vec<ProcessStep>,
    /// Side-effect ids (`crs`, `icans`, ...), sorted.
    pub side_effects: Vec<String>,
    /// Dollar amounts given for the therapy.
    pub costs: Vec<Cost>,
    /// Medical-review and last-revised dates.
    pub dates: PageDates,
    /// The content text without site chrome; paragraphs separated by blank lines.
    pub main_text: String,
    /// The sentence each offering, side-effect and date fact was read from,
    /// keyed by fact (`product:kymriah`, `side_effect:crs`, `date:reviewed`, ...).
    pub evidence: BTreeMap<String, String>,
    /// `tel:` links whose number differs from the number their text shows
    /// (a mistyped country code, or another number linked), for the audit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tel_link_mismatches: Vec<TelLinkMismatch>,
}

/// A `tel:` link that dials another number than the one its text shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TelLinkMismatch {
    /// The number as the link text shows it ("813-745-6100").
    pub text: String,
    /// The link target as written (`tel:+813-745-6100`).
    pub href: String,
    /// What the link actually dials, E.164 (`+8137456100`, a number in Japan);
    /// `None` when the link is no dialable number at all.
    #[serde(default)]
    pub dials_e164: Option<String>,
    /// The sentence the link stood in.
    #[serde(default)]
    pub evidence: String,
}

/// Whether a contact is a phone number or an email address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    /// A telephone number.
    Phone,
    /// An email address.
    Email,
}

/// What a contact is for, read from its surrounding words and headings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Making or scheduling an appointment; new patients.
    Appointments,
    /// Physicians referring a patient.
    Referrals,
    /// Asking about or enrolling in clinical trials.
    ClinicalTrials,
    /// Information lines, helplines, "call to learn more".
    Information,
    /// None of the above can be told.
    General,
}

impl Purpose {
    /// Every purpose, in a stable order.
    pub const ALL: [Purpose; 5] = [
        Purpose::Appointments,
        Purpose::Referrals,
        Purpose::ClinicalTrials,
        Purpose::Information,
        Purpose::General,
    ];

    /// The snake_case id used in JSON and config files.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Appointments => "appointments",
            Purpose::Referrals => "referrals",
            Purpose::ClinicalTrials => "clinical_trials",
            Purpose::Information => "information",
            Purpose::General => "general",
        }
    }

    /// Parses a snake_case id; `None` for an unknown one.
    pub fn parse(id: &str) -> Option<Purpose> {
        Purpose::ALL.into_iter().find(|p| p.as_str() == id)
    }
}

/// Where on the page a contact stood.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// The page's content.
    #[default]
    Main,
    /// A sidebar or complementary box.
    Aside,
    /// The site header.
    Header,
    /// Navigation menus.
    Nav,
    /// The site footer.
    Footer,
}

impl Section {
    /// The snake_case id used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Section::Main => "main",
            Section::Aside => "aside",
            Section::Header => "header",
            Section::Nav => "nav",
            Section::Footer => "footer",
        }
    }
}

/// One distinct phone number or email address, merged across its mentions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Phone or email.
    pub kind: ContactKind,
    /// Phone only: the E.164 form (`+18886752278`), vanity letters converted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e164: Option<String>,
    /// Phone only: the number as the page wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    /// Email only: the address, lower-cased.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Phone only: whether libphonenumber considers the number valid
    /// (an impossible or unassigned number is kept, flagged `false`, for the audit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid: Option<bool>,
    /// The union of what the mentions say the contact is for.
    #[serde(default)]
    pub purposes: Vec<Purpose>,
    /// Where it stood: the first of main, aside, header, nav, footer among its mentions.
    #[serde(default)]
    pub section: Section,
    /// The sentence of its first mention.
    #[serde(default)]
    pub evidence: String,
}

impl Contact {
    /// The key two mentions of the same contact share: the E.164 number, or the
    /// lower-cased address.
    pub fn key(&self) -> String {
        match self.kind {
            ContactKind::Phone => self
                .e164
                .clone()
                .or_else(|| self.display.clone())
                .unwrap_or_default(),
            ContactKind::Email => self.address.clone().unwrap_or_default().to_lowercase(),
        }
    }
}

/// What the page says the center offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Offerings {
    /// FDA-approved products named on the page, by brand id (`kymriah`, ...), sorted.
    pub products: Vec<String>,
    /// The page says the center offers all FDA-approved CAR T therapies.
    pub all_fda_approved: bool,
    /// The page says the center runs, offers or enrolls in CAR T clinical trials.
    pub clinical_trials: bool,
    /// The page says the center makes CAR T cells itself.
    pub manufacturing_on_site: bool,
    /// Diseases CAR T treats here (or is studied for, when investigational).
    pub conditions: Vec<Condition>,
    /// `pediatric`, `young_adult`, `adult`.
    pub populations: Vec<String>,
    /// An upper age limit the page states.
    pub age_max: Option<u32>,
    /// Antigen ids such as `cd19`, `bcma`.
    pub targets: Vec<String>,
    /// Which diseases the page says a product is used for at the center, by
    /// product id (`breyanzi` → `[cll]`); condition ids sorted. Empty when the
    /// page pairs no product with a disease.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub product_conditions: BTreeMap<String, Vec<String>>,
}

impl Offerings {
    /// What the record says about an offering flag: `Some(true)` stated
    /// yes, `Some(false)` stated no, `None` not stated.
    pub fn flag(&self, flag: crate::fact::OfferingFlag) -> Option<bool> {
        use crate::fact::OfferingFlag;
        let said = match flag {
            OfferingFlag::AllFdaApproved => self.all_fda_approved,
            OfferingFlag::ClinicalTrials => self.clinical_trials,
            OfferingFlag::ManufacturingOnSite => self.manufacturing_on_site,
        };
        // The normalizer only ever states "yes": `false` is "not stated".
        said.then_some(true)
    }
}

/// A disease the page says CAR T treats or is being studied for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Condition {
    /// Condition id (`lymphoma`, `multiple_myeloma`, ...).
    pub id: String,
    /// True when the page says CAR T is only being studied for it.
    #[serde(default)]
    pub investigational: bool,
}

/// One treatment step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessStep {
    /// Stage id (`evaluation`, `collection`, `bridging`, `manufacturing`,
    /// `lymphodepletion`, `infusion`, `monitoring`, `follow_up`).
    pub stage: String,
    /// What the page says about how long the step takes.
    #[serde(default)]
    pub durations: Vec<Duration>,
    /// The sentence the step was read from.
    #[serde(default)]
    pub evidence: String,
}

/// A duration as written, with minutes where the words allow.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Duration {
    /// The words as written ("two to three hours").
    pub text: String,
    /// Lower bound in minutes (a day is 1440, a week 10080); null when vague.
    pub min_minutes: Option<u64>,
    /// Upper bound in minutes; null when vague.
    pub max_minutes: Option<u64>,
}

/// A dollar amount the page gives for the therapy.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cost {
    /// The amount as written ("$300,000 to $475,000").
    pub text: String,
    /// Lower bound in US dollars.
    pub min_usd: Option<u64>,
    /// Upper bound in US dollars.
    pub max_usd: Option<u64>,
    /// The sentence the amount was read from.
    #[serde(default)]
    pub evidence: String,
}

/// Dates the page states about itself, ISO 8601 (`2023-10-12`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct PageDates {
    /// The date of a medical review.
    pub reviewed: Option<String>,
    /// A "last revised / last updated" date.
    pub revised: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_field_names_round_trip() {
        let json = r#"{
          "url": "https://example.org/car-t",
          "title": "CAR T",
          "contacts": [
            {"kind": "phone", "e164": "+18886752278", "display": "1-888-MSK-CART",
             "purposes": ["information"], "section": "main", "evidence": "Call 1-888-MSK-CART."},
            {"kind": "email", "address": "cart@example.org", "purposes": ["referrals"], "evidence": "..."}
          ],
          "offerings": {"products": ["kymriah"], "all_fda_approved": true, "clinical_trials": true,
            "manufacturing_on_site": false, "conditions": [{"id": "lymphoma", "investigational": false}],
            "populations": ["adult"], "age_max": 25, "targets": ["cd19"]},
          "process": [{"stage": "collection", "durations": [{"text": "two to three hours",
            "min_minutes": 120, "max_minutes": 180}], "evidence": "..."}],
          "side_effects": ["crs"],
          "costs": [{"text": "$300,000", "min_usd": 300000, "max_usd": 300000}],
          "dates": {"reviewed": "2023-10-12", "revised": null},
          "main_text": "text"
        }"#;
        let record: PageRecord = serde_json::from_str(json).unwrap();
        assert_eq!(record.contacts[0].key(), "+18886752278");
        assert_eq!(record.contacts[1].key(), "cart@example.org");
        assert_eq!(record.contacts[1].section, Section::Main);
        assert_eq!(record.offerings.age_max, Some(25));
        let back = serde_json::to_value(&record).unwrap();
        assert_eq!(back["process"][0]["durations"][0]["min_minutes"], 120);
        assert_eq!(back["contacts"][0]["purposes"][0], "information");
        assert!(back["contacts"][1].get("e164").is_none());
    }

    #[test]
    fn tel_link_mismatches_and_pairings_are_additive() {
        let old: PageRecord = serde_json::from_str(r#"{"url": "https://example.org"}"#).unwrap();
        assert!(old.tel_link_mismatches.is_empty());
        assert!(old.offerings.product_conditions.is_empty());
        let back = serde_json::to_value(&old).unwrap();
        assert!(back.get("tel_link_mismatches").is_none());
        assert!(back["offerings"].get("product_conditions").is_none());
        let json = r#"{"url": "u", "offerings": {"product_conditions": {"breyanzi": ["cll"]}},
          "tel_link_mismatches": [{"text": "813-745-6100", "href": "tel:+813-745-6100",
          "dials_e164": "+8137456100", "evidence": "Call 813-745-6100."}]}"#;
        let record: PageRecord = serde_json::from_str(json).unwrap();
        assert_eq!(
            record.tel_link_mismatches[0].dials_e164.as_deref(),
            Some("+8137456100")
        );
        assert_eq!(record.offerings.product_conditions["breyanzi"], vec!["cll"]);
    }

    #[test]
    fn purpose_ids_parse_back() {
        for p in Purpose::ALL {
            assert_eq!(Purpose::parse(p.as_str()), Some(p));
        }
        assert_eq!(Purpose::parse("billing"), None);
    }
}
