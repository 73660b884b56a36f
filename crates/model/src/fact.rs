//! The fact as one type: how every crate names, reads and flattens the
//! facts of a [`PageRecord`].
//!
//! A [`FactKey`] names a fact (`product:kymriah`, `flag:clinical_trials`,
//! `age_max`, `date:reviewed`, ...). Its `Display`, `FromStr` and serde form
//! is the string the evidence map of a record has always been keyed by, so a
//! record written before this type existed reads the same. Keys that only a
//! diff uses (`text`, `status`, `redirect`, `center`, `page`, `duration:*`,
//! `contact_purpose:*`, `contact:<purpose>`) share the same namespace.
//!
//! [`PageRecord::facts`] is the one way to flatten a record: `export`,
//! `show` and the diff read it, so a new fact kind is added to the record,
//! to [`FactKey`] and to [`PageRecord::facts`], and every reader sees it.
//!
//! ```
//! use cartwatch_model::{FactKey, OfferingFlag, PageRecord};
//! let key: FactKey = "flag:clinical_trials".parse().unwrap();
//! assert_eq!(key, FactKey::Flag(OfferingFlag::ClinicalTrials));
//! assert_eq!(key.to_string(), "flag:clinical_trials");
//!
//! let mut record = PageRecord::default();
//! record.offerings.products.push("kymriah".into());
//! record.evidence.insert("product:kymriah".into(), "We offer Kymriah.".into());
//! let fact = record.facts().find(|f| f.key == FactKey::Product("kymriah".into())).unwrap();
//! assert_eq!(fact.evidence, "We offer Kymriah.");
//! ```

use crate::record::{Contact, ContactKind, Cost, Duration, PageRecord, Purpose};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A yes/no statement about what a center offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OfferingFlag {
    /// The center offers all FDA-approved CAR T products.
    AllFdaApproved,
    /// The center runs, offers or enrolls in CAR T clinical trials.
    ClinicalTrials,
    /// The center makes CAR T cells itself.
    ManufacturingOnSite,
}

impl OfferingFlag {
    /// Every flag, in record order.
    pub const ALL: [OfferingFlag; 3] = [
        OfferingFlag::AllFdaApproved,
        OfferingFlag::ClinicalTrials,
        OfferingFlag::ManufacturingOnSite,
    ];

    /// The field name in `offerings` (`clinical_trials`).
    pub fn as_str(self) -> &'static str {
        match self {
            OfferingFlag::AllFdaApproved => "all_fda_approved",
            OfferingFlag::ClinicalTrials => "clinical_trials",
            OfferingFlag::ManufacturingOnSite => "manufacturing_on_site",
        }
    }

    /// Parses a field name; `None` for an unknown one.
    pub fn parse(id: &str) -> Option<OfferingFlag> {
        OfferingFlag::ALL.into_iter().find(|f| f.as_str() == id)
    }
}

/// Which date a page states about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DateKind {
    /// The date of a medical review.
    Reviewed,
    /// A "last revised / last updated" date.
    Revised,
}

impl DateKind {
    /// Both kinds, in record order.
    pub const ALL: [DateKind; 2] = [DateKind::Reviewed, DateKind::Revised];

    /// The field name in `dates` (`reviewed`).
    pub fn as_str(self) -> &'static str {
        match self {
            DateKind::Reviewed => "reviewed",
            DateKind::Revised => "revised",
        }
    }

    /// Parses a field name; `None` for an unknown one.
    pub fn parse(id: &str) -> Option<DateKind> {
        DateKind::ALL.into_iter().find(|d| d.as_str() == id)
    }
}

/// The name of one fact. Its string form (see the module docs) is an
/// on-disk format: the keys of [`PageRecord::evidence`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FactKey {
    /// The page title (`title`).
    Title,
    /// An FDA-approved product is named (`product:kymriah`).
    Product(String),
    /// An offering flag (`flag:clinical_trials`).
    Flag(OfferingFlag),
    /// The stated upper age limit (`age_max`).
    AgeMax,
    /// A condition treated or studied (`condition:lymphoma`).
    Condition(String),
    /// A population served (`population:pediatric`).
    Population(String),
    /// An antigen target (`target:cd19`).
    Target(String),
    /// One phone number or email address, by [`Contact::key`]
    /// (`contact:+18886752278`, `contact:cart@example.org`).
    Contact(String),
    /// The contact given for a purpose (`contact:appointments`): what a
    /// changed number is about in a diff.
    ContactFor(Purpose),
    /// The purposes of one contact, by [`Contact::key`]
    /// (`contact_purpose:+18886752278`).
    ContactPurpose(String),
    /// A treatment stage is described (`stage:infusion`).
    Stage(String),
    /// How long a treatment stage takes (`duration:infusion`).
    Duration(String),
    /// A side effect is named (`side_effect:crs`).
    SideEffect(String),
    /// The dollar amounts given (`cost`).
    Cost,
    /// A date the page states (`date:reviewed`).
    Date(DateKind),
    /// The page's main text (`text`).
    Text,
    /// Whether the page was fetched and looked like itself (`status`).
    Status,
    /// Where the page ends after redirects (`redirect`).
    Redirect,
    /// Whether a center is configured (`center`).
    Center,
    /// Whether a page is configured (`page`).
    Page,
}

/// A string that is no [`FactKey`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a fact key (expected e.g. `product:kymriah`, `flag:clinical_trials`, `age_max`, `date:reviewed`)")]
pub struct FactKeyError(pub String);

impl fmt::Display for FactKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FactKey::Title => f.write_str("title"),
            FactKey::Product(id) => write!(f, "product:{id}"),
            FactKey::Flag(flag) => write!(f, "flag:{}", flag.as_str()),
            FactKey::AgeMax => f.write_str("age_max"),
            FactKey::Condition(id) => write!(f, "condition:{id}"),
            FactKey::Population(id) => write!(f, "population:{id}"),
            FactKey::Target(id) => write!(f, "target:{id}"),
            FactKey::Contact(key) => write!(f, "contact:{key}"),
            FactKey::ContactFor(purpose) => write!(f, "contact:{}", purpose.as_str()),
            FactKey::ContactPurpose(key) => write!(f, "contact_purpose:{key}"),
            FactKey::Stage(id) => write!(f, "stage:{id}"),
            FactKey::Duration(id) => write!(f, "duration:{id}"),
            FactKey::SideEffect(id) => write!(f, "side_effect:{id}"),
            FactKey::Cost => f.write_str("cost"),
            FactKey::Date(kind) => write!(f, "date:{}", kind.as_str()),
            FactKey::Text => f.write_str("text"),
            FactKey::Status => f.write_str("status"),
            FactKey::Redirect => f.write_str("redirect"),
            FactKey::Center => f.write_str("center"),
            FactKey::Page => f.write_str("page"),
        }
    }
}

impl FromStr for FactKey {
    type Err = FactKeyError;

    fn from_str(s: &str) -> Result<FactKey, FactKeyError> {
        let err = || FactKeyError(s.to_string());
        let key = match s {
            "title" => FactKey::Title,
            "age_max" => FactKey::AgeMax,
            "cost" => FactKey::Cost,
            "text" => FactKey::Text,
            "status" => FactKey::Status,
            "redirect" => FactKey::Redirect,
            "center" => FactKey::Center,
            "page" => FactKey::Page,
            _ => {
                let (kind, id) = s.split_once(':').ok_or_else(err)?;
                let id = id.to_string();
                match kind {
                    "product" => FactKey::Product(id),
                    "flag" => FactKey::Flag(OfferingFlag::parse(&id).ok_or_else(err)?),
                    "condition" => FactKey::Condition(id),
                    "population" => FactKey::Population(id),
                    "target" => FactKey::Target(id),
                    // A purpose id is never a contact key (E.164 numbers
                    // start with `+`, addresses hold `@`).
                    "contact" => match Purpose::parse(&id) {
                        Some(purpose) => FactKey::ContactFor(purpose),
                        None => FactKey::Contact(id),
                    },
                    "contact_purpose" => FactKey::ContactPurpose(id),
                    "stage" => FactKey::Stage(id),
                    "duration" => FactKey::Duration(id),
                    "side_effect" => FactKey::SideEffect(id),
                    "date" => FactKey::Date(DateKind::parse(&id).ok_or_else(err)?),
                    _ => return Err(err()),
                }
            }
        };
        Ok(key)
    }
}

impl Serialize for FactKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for FactKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<FactKey, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// What a record says about one fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactValue<'a> {
    /// The page names it (a product, population, target or side effect).
    Named,
    /// An offering flag: stated yes, stated no, or not stated (`None`).
    Flag(Option<bool>),
    /// The stated upper age limit.
    Age(u32),
    /// A condition, and whether CAR T is only being studied for it.
    Condition {
        /// True when the page says CAR T is only being studied for it.
        investigational: bool,
    },
    /// A phone number or email address.
    Contact(&'a Contact),
    /// A treatment stage, with what the page says about how long it takes.
    Stage(&'a [Duration]),
    /// A dollar amount.
    Cost(&'a Cost),
    /// Words as the page gives them (the title, an ISO date).
    Text(&'a str),
}

impl FactValue<'_> {
    /// A flag's value as shown to people and in exports: `true`, `false`,
    /// or `not stated` (unknown is never "no").
    pub fn flag_text(value: Option<bool>) -> &'static str {
        match value {
            Some(true) => "true",
            Some(false) => "false",
            None => "not stated",
        }
    }
}

/// One fact of a record: its key, its value and the sentence it was read
/// from (empty when the record keeps none, as for the title).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact<'a> {
    /// Which fact.
    pub key: FactKey,
    /// What the record says.
    pub value: FactValue<'a>,
    /// The sentence it was read from; empty when there is none.
    pub evidence: &'a str,
}

impl Fact<'_> {
    /// The kind column of an export row (`product`, `offering`,
    /// `condition`, `contact`, `process`, `date`, ...).
    pub fn kind(&self) -> &'static str {
        match &self.key {
            FactKey::Title => "title",
            FactKey::Product(_) => "product",
            FactKey::Flag(_) | FactKey::AgeMax => "offering",
            FactKey::Condition(_) => "condition",
            FactKey::Population(_) => "population",
            FactKey::Target(_) => "target",
            FactKey::Contact(_) | FactKey::ContactFor(_) | FactKey::ContactPurpose(_) => "contact",
            FactKey::Stage(_) | FactKey::Duration(_) => "process",
            FactKey::SideEffect(_) => "side_effect",
            FactKey::Cost => "cost",
            FactKey::Date(_) => "date",
            FactKey::Text => "text",
            FactKey::Status | FactKey::Redirect | FactKey::Center | FactKey::Page => "page",
        }
    }

    /// Which fact of its kind (`kymriah`, `clinical_trials`, `age_max`,
    /// `phone`, `usd`, `reviewed`, ...).
    pub fn name(&self) -> String {
        match (&self.key, &self.value) {
            (_, FactValue::Contact(c)) => match c.kind {
                ContactKind::Phone => "phone".into(),
                ContactKind::Email => "email".into(),
            },
            (FactKey::Cost, _) => "usd".into(),
            (FactKey::Flag(flag), _) => flag.as_str().into(),
            (FactKey::Date(kind), _) => kind.as_str().into(),
            (
                FactKey::Product(id)
                | FactKey::Condition(id)
                | FactKey::Population(id)
                | FactKey::Target(id)
                | FactKey::Contact(id)
                | FactKey::ContactPurpose(id)
                | FactKey::Stage(id)
                | FactKey::Duration(id)
                | FactKey::SideEffect(id),
                _,
            ) => id.clone(),
            (key, _) => key.to_string(),
        }
    }

    /// The value as text (`true`, `not stated`, `25`, `treated`, an E.164
    /// number, an amount as written, a date).
    pub fn value_text(&self) -> String {
        match self.value {
            FactValue::Named => "true".into(),
            FactValue::Flag(v) => FactValue::flag_text(v).into(),
            FactValue::Age(age) => age.to_string(),
            FactValue::Condition { investigational } => if investigational {
                "investigational"
            } else {
                "treated"
            }
            .into(),
            FactValue::Contact(c) => match c.kind {
                ContactKind::Phone => c.e164.clone().or_else(|| c.display.clone()),
                ContactKind::Email => c.address.clone(),
            }
            .unwrap_or_default(),
            FactValue::Stage(_) => "true".into(),
            FactValue::Cost(c) => c.text.clone(),
            FactValue::Text(t) => t.to_string(),
        }
    }

    /// More about the value: a contact's purposes and section, a stage's
    /// durations, an amount's range in dollars; empty for the rest.
    pub fn detail(&self) -> String {
        match self.value {
            FactValue::Contact(c) => {
                let purposes: Vec<&str> = c.purposes.iter().map(|p| p.as_str()).collect();
                let mut detail = format!(
                    "purposes={} section={}",
                    purposes.join(";"),
                    c.section.as_str()
                );
                if let Some(display) = &c.display {
                    detail.push_str(&format!(" display={display}"));
                }
                if c.valid == Some(false) {
                    detail.push_str(" valid=false");
                }
                detail
            }
            FactValue::Stage(durations) => durations
                .iter()
                .map(|d| d.text.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            FactValue::Cost(c) => format!(
                "{}-{}",
                c.min_usd.map(|v| v.to_string()).unwrap_or_default(),
                c.max_usd.map(|v| v.to_string()).unwrap_or_default()
            ),
            _ => String::new(),
        }
    }
}

impl PageRecord {
    /// The sentence the record keeps for `key` in its evidence map; empty
    /// when it keeps none.
    pub fn evidence_for(&self, key: &FactKey) -> &str {
        self.evidence
            .get(&key.to_string())
            .map(String::as_str)
            .unwrap_or_default()
    }

    /// Every fact of the record with its evidence, in a stable order: title,
    /// products, offering flags (all three, stated or not), age limit,
    /// conditions, populations, targets, contacts, process stages, side
    /// effects, costs (one fact per amount, all keyed [`FactKey::Cost`]),
    /// dates. Every other key is unique.
    pub fn facts(&self) -> impl Iterator<Item = Fact<'_>> + '_ {
        let o = &self.offerings;
        let named = |make, ids| named(self, make, ids);
        let keyed = |key, value| keyed(self, key, value);
        let title = self.title.iter().map(|t| Fact {
            key: FactKey::Title,
            value: FactValue::Text(t),
            evidence: "",
        });
        let flags = OfferingFlag::ALL
            .into_iter()
            .map(move |flag| keyed(FactKey::Flag(flag), FactValue::Flag(o.flag(flag))));
        let age = o
            .age_max
            .map(|age| keyed(FactKey::AgeMax, FactValue::Age(age)));
        let conditions = o.conditions.iter().map(move |c| {
            keyed(
                FactKey::Condition(c.id.clone()),
                FactValue::Condition {
                    investigational: c.investigational,
                },
            )
        });
        let contacts = self.contacts.iter().map(|c| Fact {
            key: FactKey::Contact(c.key()),
            value: FactValue::Contact(c),
            evidence: &c.evidence,
        });
        let process = self.process.iter().map(|s| Fact {
            key: FactKey::Stage(s.stage.clone()),
            value: FactValue::Stage(&s.durations),
            evidence: &s.evidence,
        });
        let costs = self.costs.iter().map(|c| Fact {
            key: FactKey::Cost,
            value: FactValue::Cost(c),
            evidence: &c.evidence,
        });
        let dates = DateKind::ALL.into_iter().filter_map(move |kind| {
            let date = match kind {
                DateKind::Reviewed => self.dates.reviewed.as_deref(),
                DateKind::Revised => self.dates.revised.as_deref(),
            }?;
            Some(keyed(FactKey::Date(kind), FactValue::Text(date)))
        });
        title
            .chain(named(FactKey::Product, &o.products))
            .chain(flags)
            .chain(age)
            .chain(conditions)
            .chain(named(FactKey::Population, &o.populations))
            .chain(named(FactKey::Target, &o.targets))
            .chain(contacts)
            .chain(process)
            .chain(named(FactKey::SideEffect, &self.side_effects))
            .chain(costs)
            .chain(dates)
    }
}

/// The fact `key` of `record` with the evidence the record keeps for it.
fn keyed<'a>(record: &'a PageRecord, key: FactKey, value: FactValue<'a>) -> Fact<'a> {
    Fact {
        evidence: record.evidence_for(&key),
        key,
        value,
    }
}

/// One [`FactValue::Named`] fact per id.
fn named<'a>(
    record: &'a PageRecord,
    make: fn(String) -> FactKey,
    ids: &'a [String],
) -> impl Iterator<Item = Fact<'a>> + 'a {
    ids.iter()
        .map(move |id| keyed(record, make(id.clone()), FactValue::Named))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Condition, ProcessStep, Section};

    fn every_shape() -> Vec<FactKey> {
        let mut keys = vec![
            FactKey::Title,
            FactKey::Product("kymriah".into()),
            FactKey::AgeMax,
            FactKey::Condition("multiple_myeloma".into()),
            FactKey::Population("young_adult".into()),
            FactKey::Target("cd19".into()),
            FactKey::Contact("+18886752278".into()),
            FactKey::Contact("cart@example.org".into()),
            FactKey::ContactPurpose("+18886752278".into()),
            FactKey::Stage("follow_up".into()),
            FactKey::Duration("infusion".into()),
            FactKey::SideEffect("crs".into()),
            FactKey::Cost,
            FactKey::Text,
            FactKey::Status,
            FactKey::Redirect,
            FactKey::Center,
            FactKey::Page,
        ];
        keys.extend(OfferingFlag::ALL.map(FactKey::Flag));
        keys.extend(DateKind::ALL.map(FactKey::Date));
        keys.extend(Purpose::ALL.map(FactKey::ContactFor));
        keys
    }

    #[test]
    fn strings_are_the_ones_records_and_diffs_always_used() {
        let expect = [
            (
                FactKey::Flag(OfferingFlag::ClinicalTrials),
                "flag:clinical_trials",
            ),
            (
                FactKey::Flag(OfferingFlag::AllFdaApproved),
                "flag:all_fda_approved",
            ),
            (
                FactKey::Flag(OfferingFlag::ManufacturingOnSite),
                "flag:manufacturing_on_site",
            ),
            (FactKey::AgeMax, "age_max"),
            (FactKey::Condition("lymphoma".into()), "condition:lymphoma"),
            (FactKey::Date(DateKind::Reviewed), "date:reviewed"),
            (FactKey::Date(DateKind::Revised), "date:revised"),
            (FactKey::Product("kymriah".into()), "product:kymriah"),
            (
                FactKey::Population("pediatric".into()),
                "population:pediatric",
            ),
            (FactKey::Target("bcma".into()), "target:bcma"),
            (FactKey::SideEffect("icans".into()), "side_effect:icans"),
            (
                FactKey::ContactFor(Purpose::Appointments),
                "contact:appointments",
            ),
            (
                FactKey::Contact("+12168443951".into()),
                "contact:+12168443951",
            ),
            (
                FactKey::ContactPurpose("a@b.org".into()),
                "contact_purpose:a@b.org",
            ),
            (FactKey::Stage("infusion".into()), "stage:infusion"),
            (FactKey::Duration("infusion".into()), "duration:infusion"),
            (FactKey::Cost, "cost"),
            (FactKey::Text, "text"),
            (FactKey::Status, "status"),
            (FactKey::Center, "center"),
            (FactKey::Page, "page"),
            (FactKey::Redirect, "redirect"),
        ];
        for (key, s) in expect {
            assert_eq!(key.to_string(), s);
            assert_eq!(s.parse::<FactKey>().unwrap(), key);
            assert_eq!(serde_json::to_string(&key).unwrap(), format!("\"{s}\""));
            assert_eq!(
                serde_json::from_str::<FactKey>(&format!("\"{s}\"")).unwrap(),
                key
            );
        }
    }

    #[test]
    fn every_shape_round_trips() {
        for key in every_shape() {
            let s = key.to_string();
            assert_eq!(s.parse::<FactKey>(), Ok(key.clone()), "{s}");
        }
    }

    #[test]
    fn unknown_strings_are_refused_with_the_string_named() {
        for bad in [
            "",
            "flag:free_parking",
            "date:tomorrow",
            "offering:age_max",
            "kymriah",
            "nope:x",
        ] {
            let err = bad.parse::<FactKey>().unwrap_err();
            assert!(err.to_string().contains(&format!("`{bad}`")), "{err}");
            assert!(serde_json::from_str::<FactKey>(&format!("\"{bad}\"")).is_err());
        }
    }

    fn sample() -> PageRecord {
        let mut r = PageRecord {
            title: Some("CAR T".into()),
            ..PageRecord::default()
        };
        r.offerings.products = vec!["kymriah".into()];
        r.offerings.clinical_trials = true;
        r.offerings.age_max = Some(25);
        r.offerings.conditions = vec![Condition {
            id: "lymphoma".into(),
            investigational: true,
        }];
        r.offerings.populations = vec!["adult".into()];
        r.offerings.targets = vec!["cd19".into()];
        r.contacts = vec![Contact {
            kind: ContactKind::Phone,
            e164: Some("+18886752278".into()),
            display: Some("1-888-675-2278".into()),
            address: None,
            valid: Some(false),
            purposes: vec![Purpose::Appointments, Purpose::Referrals],
            section: Section::Main,
            evidence: "Call 1-888-675-2278.".into(),
        }];
        r.process = vec![ProcessStep {
            stage: "infusion".into(),
            durations: vec![Duration {
                text: "30 minutes".into(),
                min_minutes: Some(30),
                max_minutes: Some(30),
            }],
            evidence: "Infusion takes 30 minutes.".into(),
        }];
        r.side_effects = vec!["crs".into()];
        r.costs = vec![Cost {
            text: "$300,000".into(),
            min_usd: Some(300_000),
            max_usd: Some(300_000),
            evidence: "It costs $300,000.".into(),
        }];
        r.dates.reviewed = Some("2023-10-12".into());
        for key in [
            "product:kymriah",
            "flag:clinical_trials",
            "age_max",
            "condition:lymphoma",
            "population:adult",
            "target:cd19",
            "side_effect:crs",
            "date:reviewed",
        ] {
            r.evidence.insert(key.into(), format!("sentence of {key}"));
        }
        r
    }

    #[test]
    fn facts_flatten_every_field_with_its_evidence() {
        let r = sample();
        let rows: Vec<(String, &str, String, String, String, &str)> = r
            .facts()
            .map(|f| {
                (
                    f.key.to_string(),
                    f.kind(),
                    f.name(),
                    f.value_text(),
                    f.detail(),
                    f.evidence,
                )
            })
            .collect();
        let ev = |k: &str| format!("sentence of {k}");
        let expect: Vec<(String, &str, String, String, String, String)> = vec![
            (
                "title".into(),
                "title",
                "title".into(),
                "CAR T".into(),
                "".into(),
                "".into(),
            ),
            (
                "product:kymriah".into(),
                "product",
                "kymriah".into(),
                "true".into(),
                "".into(),
                ev("product:kymriah"),
            ),
            (
                "flag:all_fda_approved".into(),
                "offering",
                "all_fda_approved".into(),
                "not stated".into(),
                "".into(),
                "".into(),
            ),
            (
                "flag:clinical_trials".into(),
                "offering",
                "clinical_trials".into(),
                "true".into(),
                "".into(),
                ev("flag:clinical_trials"),
            ),
            (
                "flag:manufacturing_on_site".into(),
                "offering",
                "manufacturing_on_site".into(),
                "not stated".into(),
                "".into(),
                "".into(),
            ),
            (
                "age_max".into(),
                "offering",
                "age_max".into(),
                "25".into(),
                "".into(),
                ev("age_max"),
            ),
            (
                "condition:lymphoma".into(),
                "condition",
                "lymphoma".into(),
                "investigational".into(),
                "".into(),
                ev("condition:lymphoma"),
            ),
            (
                "population:adult".into(),
                "population",
                "adult".into(),
                "true".into(),
                "".into(),
                ev("population:adult"),
            ),
            (
                "target:cd19".into(),
                "target",
                "cd19".into(),
                "true".into(),
                "".into(),
                ev("target:cd19"),
            ),
            (
                "contact:+18886752278".into(),
                "contact",
                "phone".into(),
                "+18886752278".into(),
                "purposes=appointments;referrals section=main display=1-888-675-2278 valid=false"
                    .into(),
                "Call 1-888-675-2278.".into(),
            ),
            (
                "stage:infusion".into(),
                "process",
                "infusion".into(),
                "true".into(),
                "30 minutes".into(),
                "Infusion takes 30 minutes.".into(),
            ),
            (
                "side_effect:crs".into(),
                "side_effect",
                "crs".into(),
                "true".into(),
                "".into(),
                ev("side_effect:crs"),
            ),
            (
                "cost".into(),
                "cost",
                "usd".into(),
                "$300,000".into(),
                "300000-300000".into(),
                "It costs $300,000.".into(),
            ),
            (
                "date:reviewed".into(),
                "date",
                "reviewed".into(),
                "2023-10-12".into(),
                "".into(),
                ev("date:reviewed"),
            ),
        ];
        assert_eq!(rows.len(), expect.len());
        for (got, want) in rows.iter().zip(&expect) {
            assert_eq!(
                (&got.0, got.1, &got.2, &got.3, &got.4, got.5),
                (&want.0, want.1, &want.2, &want.3, &want.4, want.5.as_str())
            );
        }
    }

    #[test]
    fn every_evidence_key_the_record_keeps_is_a_fact_key_of_one_of_its_facts() {
        let r = sample();
        let keys: Vec<FactKey> = r.facts().map(|f| f.key).collect();
        for k in r.evidence.keys() {
            let key: FactKey = k.parse().unwrap();
            assert!(keys.contains(&key), "{k}");
        }
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn key() -> impl Strategy<Value = FactKey> {
        let id = "\\PC{0,24}";
        prop_oneof![
            Just(FactKey::Title),
            Just(FactKey::AgeMax),
            Just(FactKey::Cost),
            Just(FactKey::Text),
            Just(FactKey::Status),
            Just(FactKey::Redirect),
            Just(FactKey::Center),
            Just(FactKey::Page),
            id.prop_map(FactKey::Product),
            id.prop_map(FactKey::Condition),
            id.prop_map(FactKey::Population),
            id.prop_map(FactKey::Target),
            id.prop_filter("a purpose id names ContactFor", |k| Purpose::parse(k)
                .is_none())
                .prop_map(FactKey::Contact),
            id.prop_map(FactKey::ContactPurpose),
            id.prop_map(FactKey::Stage),
            id.prop_map(FactKey::Duration),
            id.prop_map(FactKey::SideEffect),
            prop::sample::select(OfferingFlag::ALL.to_vec()).prop_map(FactKey::Flag),
            prop::sample::select(DateKind::ALL.to_vec()).prop_map(FactKey::Date),
            prop::sample::select(Purpose::ALL.to_vec()).prop_map(FactKey::ContactFor),
        ]
    }

    proptest! {
        #[test]
        fn display_parses_back(key in key()) {
            let s = key.to_string();
            prop_assert_eq!(s.parse::<FactKey>(), Ok(key.clone()));
            let json = serde_json::to_string(&key).unwrap();
            prop_assert_eq!(serde_json::from_str::<FactKey>(&json).unwrap(), key);
        }

        #[test]
        fn parsing_never_panics_and_what_parses_prints_back(s in "\\PC{0,40}") {
            if let Ok(key) = s.parse::<FactKey>() {
                prop_assert_eq!(key.to_string(), s);
            }
        }
    }
}
