//! The contact registry (`config/contacts.toml`): the numbers editors expect
//! each center to give for each purpose.
//!
//! ```toml
//! [center.uh-rainbow]
//! appointments = "216-844-3951"             # one number
//! information = ["+18006484673", "216-844-1000"]  # or several
//! ```
//!
//! Keys under a center are purpose ids (`appointments`, `referrals`,
//! `clinical_trials`, `information`, `general`); numbers are written any way a
//! page would write them and are compared in E.164 form (US numbers need no
//! country code).

use crate::DiffError;
use cartwatch_model::Purpose;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Expected numbers per center and purpose, in E.164 form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactRegistry {
    centers: BTreeMap<String, BTreeMap<Purpose, Vec<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistryFile {
    #[serde(default)]
    center: BTreeMap<String, BTreeMap<String, OneOrMany>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl ContactRegistry {
    /// Parses registry text; `file` names the file in errors, which also name
    /// the center and purpose at fault.
    pub fn from_toml_str(text: &str, file: &str) -> Result<ContactRegistry, DiffError> {
        let parsed: RegistryFile = toml::from_str(text).map_err(|e| DiffError::Registry {
            file: file.to_string(),
            message: e.to_string().trim().to_string(),
        })?;
        let mut centers = BTreeMap::new();
        for (center, purposes) in parsed.center {
            let mut by_purpose = BTreeMap::new();
            for (purpose_id, numbers) in purposes {
                let purpose = Purpose::parse(&purpose_id).ok_or_else(|| DiffError::Registry {
                    file: file.to_string(),
                    message: format!(
                        "center {center:?}: unknown purpose {purpose_id:?}; use one of appointments, referrals, clinical_trials, information, general"
                    ),
                })?;
                let numbers = match numbers {
                    OneOrMany::One(n) => vec![n],
                    OneOrMany::Many(ns) => ns,
                };
                let mut e164s = Vec::new();
                for number in numbers {
                    let e164 = to_e164(&number).ok_or_else(|| DiffError::Registry {
                        file: file.to_string(),
                        message: format!(
                            "center {center:?}, {purpose_id}: {number:?} is not a phone number (write it as the page does, e.g. \"216-844-3951\", or in E.164, \"+12168443951\")"
                        ),
                    })?;
                    e164s.push(e164);
                }
                by_purpose.insert(purpose, e164s);
            }
            centers.insert(center, by_purpose);
        }
        Ok(ContactRegistry { centers })
    }

    /// The expected numbers (E.164) for a center and purpose, if registered.
    pub fn expected(&self, center: &str, purpose: Purpose) -> Option<&[String]> {
        self.centers
            .get(center)
            .and_then(|p| p.get(&purpose))
            .map(Vec::as_slice)
    }

    /// Every center id with registered numbers.
    pub fn centers(&self) -> impl Iterator<Item = &str> {
        self.centers.keys().map(String::as_str)
    }
}

/// A number written any usual way (US default) in E.164 form, or `None` when
/// it cannot be read as a phone number.
pub fn to_e164(number: &str) -> Option<String> {
    let parsed = phonenumber::parse(Some(phonenumber::country::US), number).ok()?;
    Some(parsed.format().mode(phonenumber::Mode::E164).to_string())
}

/// Whether libphonenumber's metadata considers an E.164 number valid
/// (`None` when it cannot be parsed at all).
pub fn is_valid_number(e164: &str) -> Option<bool> {
    let parsed = phonenumber::parse(Some(phonenumber::country::US), e164).ok()?;
    Some(phonenumber::is_valid(&parsed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_or_many_numbers_in_any_format() {
        let registry = ContactRegistry::from_toml_str(
            "[center.uh-rainbow]\nappointments = \"216-844-3951\"\ninformation = [\"+18006484673\", \"(216) 844-1000\"]\n",
            "contacts.toml",
        )
        .unwrap();
        assert_eq!(
            registry.expected("uh-rainbow", Purpose::Appointments),
            Some(&["+12168443951".to_string()][..])
        );
        assert_eq!(
            registry
                .expected("uh-rainbow", Purpose::Information)
                .unwrap()
                .len(),
            2
        );
        assert_eq!(registry.expected("uh-rainbow", Purpose::Referrals), None);
        assert_eq!(registry.expected("msk", Purpose::Appointments), None);
    }

    #[test]
    fn errors_name_file_center_and_purpose() {
        let err = ContactRegistry::from_toml_str("[center.msk]\nbilling = \"1\"\n", "c.toml")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("c.toml") && err.contains("msk") && err.contains("billing"),
            "{err}"
        );
        let err = ContactRegistry::from_toml_str("[center.msk]\ngeneral = \"call us\"\n", "c.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("call us"), "{err}");
        let err = ContactRegistry::from_toml_str("[centre.msk]\n", "c.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("c.toml"), "{err}");
    }

    #[test]
    fn the_bundled_registry_reads_and_its_numbers_are_valid() {
        let text = include_str!("../../../config/contacts.toml");
        let registry = ContactRegistry::from_toml_str(text, "config/contacts.toml").unwrap();
        assert_eq!(
            registry.expected("msk", Purpose::Information),
            Some(&["+18886752278".to_string()][..])
        );
        assert_eq!(
            registry.centers().collect::<Vec<_>>(),
            ["acs", "msk", "uh-rainbow", "upmc-hillman"]
        );
        for center in registry.centers.values() {
            for number in center.values().flatten() {
                assert_eq!(is_valid_number(number), Some(true), "{number}");
            }
        }
    }

    #[test]
    fn validity_uses_libphonenumber() {
        assert_eq!(is_valid_number("+12168443951"), Some(true));
        assert_eq!(is_valid_number("+15550100000"), Some(false));
    }
}
