//! The vocabulary of products, conditions, stages and side effects, loaded
//! from `config/vocabulary.toml` (data, not code) with a built-in default.
//!
//! Plain `names` are compiled into one Aho-Corasick automaton (case-insensitive,
//! whole words, space/hyphen variants); `cues` are regular expressions matched
//! against lower-cased sentences, each a [`Cue`]: checked when the file is
//! loaded, guarded by a literal prefilter and compiled on first use, so that
//! loading a vocabulary (built in or not) compiles no regular expression.

use crate::matcher::Cue;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use once_cell::sync::Lazy;
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

/// The vocabulary file compiled into the binary.
pub const BUILTIN_TOML: &str = include_str!("../../../config/vocabulary.toml");

/// Terms the normalizer recognises.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    pub(crate) inner: Arc<Compiled>,
}

/// A vocabulary file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct VocabularyError {
    /// The file name as given.
    pub file: String,
    /// What is wrong.
    pub message: String,
}

impl Default for Vocabulary {
    fn default() -> Self {
        Vocabulary::builtin()
    }
}

static BUILTIN: Lazy<Vocabulary> = Lazy::new(|| {
    Vocabulary::from_toml_str(BUILTIN_TOML, "config/vocabulary.toml (built in)")
        .expect("the built-in vocabulary is valid (tested)")
});

impl Vocabulary {
    /// The vocabulary compiled into the binary (the same file as `config/vocabulary.toml`).
    pub fn builtin() -> Vocabulary {
        BUILTIN.clone()
    }

    /// Parses vocabulary TOML; `file` is used in errors.
    pub fn from_toml_str(text: &str, file: &str) -> Result<Vocabulary, VocabularyError> {
        let err = |message: String| VocabularyError {
            file: file.to_string(),
            message,
        };
        let raw: RawVocabulary = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        compile(raw)
            .map(|c| Vocabulary { inner: Arc::new(c) })
            .map_err(err)
    }

    /// Product ids (brand ids) in file order.
    pub fn product_ids(&self) -> Vec<&str> {
        self.inner.products.iter().map(|p| p.id.as_str()).collect()
    }

    /// Stage ids in treatment order.
    pub fn stage_ids(&self) -> Vec<&str> {
        self.inner.stages.iter().map(|s| s.id.as_str()).collect()
    }

    /// Side-effect ids in file order.
    pub fn side_effect_ids(&self) -> Vec<&str> {
        self.inner
            .side_effects
            .iter()
            .map(|s| s.id.as_str())
            .collect()
    }

    /// Condition ids in file order.
    pub fn condition_ids(&self) -> Vec<&str> {
        self.inner
            .conditions
            .iter()
            .map(|s| s.id.as_str())
            .collect()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVocabulary {
    #[serde(default)]
    product: Vec<RawProduct>,
    #[serde(default)]
    target: Vec<RawNamed>,
    #[serde(default)]
    condition: Vec<RawCondition>,
    #[serde(default)]
    population: Vec<RawNamed>,
    #[serde(default)]
    stage: Vec<RawStage>,
    #[serde(default)]
    side_effect: Vec<RawSideEffect>,
    cues: RawCues,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProduct {
    id: String,
    brand: String,
    generic: String,
    #[serde(default)]
    names: Vec<String>,
    #[serde(default)]
    targets: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNamed {
    id: String,
    names: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCondition {
    id: String,
    names: Vec<String>,
    #[serde(default)]
    abbreviations: Vec<String>,
    #[serde(default)]
    narrower: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStage {
    id: String,
    cues: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSideEffect {
    id: String,
    #[serde(default)]
    names: Vec<String>,
    #[serde(default)]
    context_names: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCues {
    car_t: Vec<String>,
    side_effect_context: Vec<String>,
    investigational: Vec<String>,
    all_fda_approved: Vec<String>,
    clinical_trials: Vec<String>,
    center_action: Vec<String>,
    #[serde(default)]
    trial_negation: Vec<String>,
    manufacturing_on_site: Vec<String>,
    #[serde(default)]
    ignore_names: Vec<String>,
    cost_context: Vec<String>,
    purpose: BTreeMap<String, Vec<String>>,
}

/// What a name in the automaton stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameKind {
    Product,
    Target,
    Condition,
    Population,
    SideEffect,
}

/// One entry a plain name maps to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NameRef {
    pub kind: NameKind,
    /// Index into the list of that kind.
    pub index: usize,
}

#[derive(Debug)]
pub(crate) struct Product {
    pub id: String,
    #[allow(dead_code)]
    pub targets: Vec<String>,
}

#[derive(Debug)]
pub(crate) struct ConditionEntry {
    pub id: String,
    /// Ids that make this one redundant when found.
    pub narrower: Vec<String>,
}

#[derive(Debug)]
pub(crate) struct Stage {
    pub id: String,
    pub cue: Cue,
}

#[derive(Debug)]
pub(crate) struct SideEffect {
    pub id: String,
    pub context: Option<Cue>,
}

/// The compiled vocabulary.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub products: Vec<Product>,
    pub targets: Vec<String>,
    pub conditions: Vec<ConditionEntry>,
    pub populations: Vec<String>,
    pub stages: Vec<Stage>,
    pub side_effects: Vec<SideEffect>,
    /// Plain names, lower-case, all kinds together.
    pub names: AhoCorasick,
    pub name_refs: Vec<NameRef>,
    /// Case-sensitive abbreviations (`ALL`, `CLL`) and the condition they stand for.
    pub abbreviations: Option<(Cue, Vec<(String, usize)>)>,
    pub car_t: Cue,
    pub side_effect_context: Cue,
    pub investigational: Cue,
    pub all_fda_approved: Cue,
    pub clinical_trials: Cue,
    pub center_action: Cue,
    pub trial_negation: Option<Cue>,
    pub manufacturing_on_site: Cue,
    /// Organization names masked before names are matched.
    pub ignore_names: Option<Cue>,
    pub cost_context: Cue,
    /// (purpose id, cue) in the order of [`cartwatch_model::Purpose::ALL`] where known.
    pub purposes: Vec<(cartwatch_model::Purpose, Cue)>,
}

fn join(what: &str, patterns: &[String]) -> Result<Cue, String> {
    Cue::new(what, patterns)
}

fn check_id(kind: &str, id: &str, seen: &mut HashSet<String>) -> Result<(), String> {
    let ok = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        return Err(format!(
            "{kind} id {id:?} must be lower-case snake_case (a-z, 0-9, _)"
        ));
    }
    if !seen.insert(format!("{kind}:{id}")) {
        return Err(format!("{kind} id {id:?} appears twice"));
    }
    Ok(())
}

/// The spellings a name also matches: a space or hyphen may be a space, a
/// hyphen or nothing.
fn variants(name: &str) -> Vec<String> {
    let lower = name.trim().to_lowercase();
    let parts: Vec<&str> = lower.split([' ', '-']).filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        return vec![];
    }
    let mut out = vec![parts[0].to_string()];
    for part in &parts[1..] {
        let mut next = Vec::new();
        for prefix in &out {
            for sep in [" ", "-", ""] {
                if next.len() < 64 {
                    next.push(format!("{prefix}{sep}{part}"));
                }
            }
        }
        out = next;
    }
    out
}

fn compile(raw: RawVocabulary) -> Result<Compiled, String> {
    let mut seen = HashSet::new();
    let mut patterns: Vec<String> = Vec::new();
    let mut name_refs: Vec<NameRef> = Vec::new();
    let mut pattern_seen: HashSet<String> = HashSet::new();
    let mut add = |name: &str, r: NameRef, what: &str| -> Result<(), String> {
        if name.trim().is_empty() {
            return Err(format!("{what}: an empty name"));
        }
        for v in variants(name) {
            if pattern_seen.insert(v.clone()) {
                patterns.push(v);
                name_refs.push(r);
            }
        }
        Ok(())
    };

    let mut products = Vec::new();
    for (index, p) in raw.product.iter().enumerate() {
        check_id("product", &p.id, &mut seen)?;
        let r = NameRef {
            kind: NameKind::Product,
            index,
        };
        let what = format!("product {:?}", p.id);
        add(&p.brand, r, &what)?;
        add(&p.generic, r, &what)?;
        for n in &p.names {
            add(n, r, &what)?;
        }
        products.push(Product {
            id: p.id.clone(),
            targets: p.targets.clone(),
        });
    }
    let mut targets = Vec::new();
    for (index, t) in raw.target.iter().enumerate() {
        check_id("target", &t.id, &mut seen)?;
        for n in &t.names {
            add(
                n,
                NameRef {
                    kind: NameKind::Target,
                    index,
                },
                &format!("target {:?}", t.id),
            )?;
        }
        targets.push(t.id.clone());
    }
    let mut conditions = Vec::new();
    let mut abbreviations = Vec::new();
    for (index, c) in raw.condition.iter().enumerate() {
        check_id("condition", &c.id, &mut seen)?;
        for n in &c.names {
            add(
                n,
                NameRef {
                    kind: NameKind::Condition,
                    index,
                },
                &format!("condition {:?}", c.id),
            )?;
        }
        for a in &c.abbreviations {
            if a.is_empty() || !a.chars().all(|ch| ch.is_ascii_alphanumeric()) {
                return Err(format!(
                    "condition {:?}: abbreviation {a:?} must be letters and digits only",
                    c.id
                ));
            }
            abbreviations.push((a.clone(), index));
        }
        conditions.push(ConditionEntry {
            id: c.id.clone(),
            narrower: c.narrower.clone(),
        });
    }
    for c in &conditions {
        for n in &c.narrower {
            if !raw.condition.iter().any(|o| &o.id == n) {
                return Err(format!(
                    "condition {:?}: narrower id {n:?} is not a condition in this file",
                    c.id
                ));
            }
        }
    }
    let mut populations = Vec::new();
    for (index, p) in raw.population.iter().enumerate() {
        check_id("population", &p.id, &mut seen)?;
        for n in &p.names {
            add(
                n,
                NameRef {
                    kind: NameKind::Population,
                    index,
                },
                &format!("population {:?}", p.id),
            )?;
        }
        populations.push(p.id.clone());
    }
    let mut side_effects = Vec::new();
    for (index, s) in raw.side_effect.iter().enumerate() {
        check_id("side_effect", &s.id, &mut seen)?;
        for n in &s.names {
            add(
                n,
                NameRef {
                    kind: NameKind::SideEffect,
                    index,
                },
                &format!("side effect {:?}", s.id),
            )?;
        }
        let context = if s.context_names.is_empty() {
            None
        } else {
            Some(join(
                &format!("side effect {:?} context_names", s.id),
                &s.context_names,
            )?)
        };
        if s.names.is_empty() && context.is_none() {
            return Err(format!(
                "side effect {:?} has neither names nor context_names",
                s.id
            ));
        }
        side_effects.push(SideEffect {
            id: s.id.clone(),
            context,
        });
    }
    let mut stages = Vec::new();
    for s in &raw.stage {
        check_id("stage", &s.id, &mut seen)?;
        stages.push(Stage {
            id: s.id.clone(),
            cue: join(&format!("stage {:?} cues", s.id), &s.cues)?,
        });
    }
    let names = AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .build(&patterns)
        .map_err(|e| format!("cannot build the name matcher: {e}"))?;
    let abbreviations = if abbreviations.is_empty() {
        None
    } else {
        let alternation = abbreviations
            .iter()
            .map(|(a, _)| regex::escape(a))
            .collect::<Vec<_>>()
            .join("|");
        let re = join(
            "condition abbreviations",
            &[format!(r"\b(?:{alternation})\b")],
        )?;
        Some((re, abbreviations))
    };
    let c = &raw.cues;
    let mut purposes = Vec::new();
    for (name, list) in &c.purpose {
        let purpose = cartwatch_model::Purpose::parse(name).ok_or_else(|| {
            format!(
                "[cues.purpose] has {name:?}; purposes are appointments, referrals, clinical_trials, information, general"
            )
        })?;
        purposes.push((purpose, join(&format!("cues.purpose.{name}"), list)?));
    }
    purposes.sort_by_key(|(p, _)| *p);
    Ok(Compiled {
        products,
        targets,
        conditions,
        populations,
        stages,
        side_effects,
        names,
        name_refs,
        abbreviations,
        car_t: join("cues.car_t", &c.car_t)?,
        side_effect_context: join("cues.side_effect_context", &c.side_effect_context)?,
        investigational: join("cues.investigational", &c.investigational)?,
        all_fda_approved: join("cues.all_fda_approved", &c.all_fda_approved)?,
        clinical_trials: join("cues.clinical_trials", &c.clinical_trials)?,
        center_action: join("cues.center_action", &c.center_action)?,
        trial_negation: if c.trial_negation.is_empty() {
            None
        } else {
            Some(join("cues.trial_negation", &c.trial_negation)?)
        },
        manufacturing_on_site: join("cues.manufacturing_on_site", &c.manufacturing_on_site)?,
        ignore_names: if c.ignore_names.is_empty() {
            None
        } else {
            Some(join("cues.ignore_names", &c.ignore_names)?)
        },
        cost_context: join("cues.cost_context", &c.cost_context)?,
        purposes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_loads_with_every_contract_id() {
        let v = Vocabulary::builtin();
        assert_eq!(
            v.product_ids(),
            ["kymriah", "yescarta", "tecartus", "breyanzi", "abecma", "carvykti", "aucatzyl"]
        );
        assert_eq!(
            v.stage_ids(),
            [
                "evaluation",
                "collection",
                "bridging",
                "manufacturing",
                "lymphodepletion",
                "infusion",
                "monitoring",
                "follow_up"
            ]
        );
        for id in [
            "crs",
            "icans",
            "infection",
            "cytopenia",
            "allergic_reaction",
            "electrolyte_imbalance",
            "hypocalcemia",
            "hypogammaglobulinemia",
            "tumor_lysis_syndrome",
            "secondary_malignancy",
            "hlh",
        ] {
            assert!(v.side_effect_ids().contains(&id), "{id}");
        }
        for id in [
            "lymphoma",
            "leukemia",
            "acute_lymphoblastic_leukemia",
            "chronic_lymphocytic_leukemia",
            "multiple_myeloma",
            "blood_cancers",
            "solid_tumors",
            "autoimmune_disease",
        ] {
            assert!(v.condition_ids().contains(&id), "{id}");
        }
    }

    #[test]
    fn the_config_file_is_the_builtin() {
        let on_disk = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../config/vocabulary.toml"
        ))
        .unwrap();
        assert_eq!(on_disk, BUILTIN_TOML);
    }

    #[test]
    fn errors_name_the_file_and_the_problem() {
        let bad_regex = BUILTIN_TOML.replacen("\"\\\\bbridging\\\\b\"", "\"(unclosed\"", 1);
        assert_ne!(bad_regex, BUILTIN_TOML);
        let e = Vocabulary::from_toml_str(&bad_regex, "my/vocab.toml").unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with("my/vocab.toml: "), "{msg}");
        assert!(msg.contains("stage \"bridging\""), "{msg}");

        let e = Vocabulary::from_toml_str("[[product]]\nid = 3\n", "v.toml").unwrap_err();
        assert!(e.to_string().starts_with("v.toml: "), "{e}");

        let dup = format!(
            "{BUILTIN_TOML}\n[[product]]\nid = \"kymriah\"\nbrand = \"X\"\ngeneric = \"y\"\n"
        );
        let e = Vocabulary::from_toml_str(&dup, "d.toml").unwrap_err();
        assert!(e.to_string().contains("appears twice"), "{e}");
    }

    #[test]
    fn a_new_product_is_a_data_change() {
        let more = BUILTIN_TOML.replacen(
            "\n[[product]]\n",
            "\n[[product]]\nid = \"novacel\"\nbrand = \"Novacel\"\ngeneric = \"novacabtagene autoleucel\"\n\n[[product]]\n",
            1,
        );
        let v = Vocabulary::from_toml_str(&more, "v.toml").unwrap();
        assert_eq!(v.product_ids()[0], "novacel");
    }

    /// Every cue of a vocabulary, named.
    fn all_cues(c: &Compiled) -> Vec<(String, &Cue)> {
        let mut out: Vec<(String, &Cue)> = vec![
            ("car_t".into(), &c.car_t),
            ("side_effect_context".into(), &c.side_effect_context),
            ("investigational".into(), &c.investigational),
            ("all_fda_approved".into(), &c.all_fda_approved),
            ("clinical_trials".into(), &c.clinical_trials),
            ("center_action".into(), &c.center_action),
            ("manufacturing_on_site".into(), &c.manufacturing_on_site),
            ("cost_context".into(), &c.cost_context),
        ];
        out.extend(
            c.trial_negation
                .iter()
                .map(|r| ("trial_negation".into(), r)),
        );
        out.extend(c.ignore_names.iter().map(|r| ("ignore_names".into(), r)));
        out.extend(
            c.abbreviations
                .iter()
                .map(|(r, _)| ("abbreviations".into(), r)),
        );
        out.extend(c.stages.iter().map(|s| (format!("stage {}", s.id), &s.cue)));
        out.extend(c.side_effects.iter().filter_map(|s| {
            s.context
                .as_ref()
                .map(|r| (format!("side effect {}", s.id), r))
        }));
        out.extend(
            c.purposes
                .iter()
                .map(|(p, r)| (format!("purpose {p:?}"), r)),
        );
        out
    }

    #[test]
    fn loading_compiles_nothing_and_every_builtin_cue_compiles_on_use() {
        let v = Vocabulary::from_toml_str(BUILTIN_TOML, "v.toml").unwrap();
        let cues = all_cues(&v.inner);
        assert!(cues.len() > 20);
        assert!(cues.iter().all(|(_, c)| !c.is_compiled()));
        // A sentence near no cue compiles none of them.
        for (_, c) in &cues {
            assert!(!c.is_match("zzz qqq"));
        }
        let compiled: Vec<&String> = cues
            .iter()
            .filter(|(_, c)| c.is_compiled())
            .map(|(n, _)| n)
            .collect();
        let prefiltered = cues.iter().filter(|(_, c)| c.is_prefiltered()).count();
        for (name, c) in &cues {
            if !c.is_prefiltered() {
                eprintln!("no literal prefilter: {name}");
            }
        }
        assert!(
            prefiltered * 10 >= cues.len() * 8,
            "only {prefiltered} of {} cues have a literal prefilter",
            cues.len()
        );
        assert_eq!(compiled.len(), cues.len() - prefiltered, "{compiled:?}");
        for (name, c) in &cues {
            // Compiling with the regex crate itself proves the joined pattern valid.
            assert!(!c.regex().as_str().is_empty(), "{name}");
        }
    }

    #[test]
    fn names_match_space_and_hyphen_variants() {
        let v = variants("tisa-cel");
        assert!(v.contains(&"tisa cel".to_string()));
        assert!(v.contains(&"tisacel".to_string()));
        assert!(v.contains(&"tisa-cel".to_string()));
    }
}
