//! Ignore rules: regular expressions whose matches never count as changes.
//!
//! The rules come from `[diff].ignore` (every center) and each center's
//! `ignore` list. They apply to detection and display alike: matches are cut
//! out of `main_text` before it is compared and before its diff is shown, and
//! a record-level change whose before and after values are equal once the
//! matches are cut out is dropped.

use crate::DiffError;
use regex::Regex;
use std::collections::BTreeMap;

/// Compiled ignore patterns, global and per center.
#[derive(Debug, Clone, Default)]
pub struct IgnoreRules {
    global: Vec<Regex>,
    per_center: BTreeMap<String, Vec<Regex>>,
}

impl IgnoreRules {
    /// No rules: nothing is ignored.
    pub fn none() -> IgnoreRules {
        IgnoreRules::default()
    }

    /// Compiles `[diff].ignore` and each center's `ignore`; a bad pattern is
    /// an error naming the center (or `[diff]`) and the pattern.
    pub fn from_config(config: &cartwatch_model::Config) -> Result<IgnoreRules, DiffError> {
        let mut rules = IgnoreRules::new(&config.diff.ignore)?;
        for center in &config.centers {
            rules.add_center(&center.id, &center.ignore)?;
        }
        Ok(rules)
    }

    /// Rules from global patterns.
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<IgnoreRules, DiffError> {
        Ok(IgnoreRules {
            global: compile("[diff]", patterns)?,
            per_center: BTreeMap::new(),
        })
    }

    /// Adds patterns that apply to one center only.
    pub fn add_center<S: AsRef<str>>(
        &mut self,
        center: &str,
        patterns: &[S],
    ) -> Result<(), DiffError> {
        if patterns.is_empty() {
            return Ok(());
        }
        let compiled = compile(&format!("center {center:?}"), patterns)?;
        self.per_center
            .entry(center.to_string())
            .or_default()
            .extend(compiled);
        Ok(())
    }

    /// True when no pattern applies to this center.
    pub fn is_empty_for(&self, center: &str) -> bool {
        self.global.is_empty() && !self.per_center.contains_key(center)
    }

    /// The text with every match of the center's patterns cut out.
    pub fn strip(&self, center: &str, text: &str) -> String {
        let mut out = text.to_string();
        let local = self.per_center.get(center).into_iter().flatten();
        for pattern in self.global.iter().chain(local) {
            if pattern.is_match(&out) {
                out = pattern.replace_all(&out, " ").into_owned();
            }
        }
        out
    }
}

fn compile<S: AsRef<str>>(owner: &str, patterns: &[S]) -> Result<Vec<Regex>, DiffError> {
    patterns
        .iter()
        .map(|p| {
            Regex::new(p.as_ref()).map_err(|e| DiffError::BadIgnorePattern {
                owner: owner.to_string(),
                pattern: p.as_ref().to_string(),
                message: e.to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_global_and_center_patterns() {
        let mut rules = IgnoreRules::new(&[r"©\s*\d{4}"]).unwrap();
        rules.add_center("msk", &[r"Updated \w+"]).unwrap();
        assert_eq!(
            rules.strip("msk", "a © 2026 b Updated today c"),
            "a   b   c"
        );
        assert_eq!(
            rules.strip("acs", "a © 2026 b Updated today"),
            "a   b Updated today"
        );
        assert!(!rules.is_empty_for("none"));
        assert!(IgnoreRules::none().is_empty_for("msk"));
    }

    #[test]
    fn bad_pattern_names_its_owner() {
        let err = IgnoreRules::new(&["(unclosed"]).unwrap_err().to_string();
        assert!(err.contains("[diff]") && err.contains("(unclosed"), "{err}");
        let mut rules = IgnoreRules::none();
        let err = rules.add_center("msk", &["[z-a]"]).unwrap_err().to_string();
        assert!(err.contains("center \"msk\""), "{err}");
    }
}
