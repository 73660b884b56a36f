//! Which disease a page says a product is used for at the center ("we offer
//! Breyanzi for CLL"): product → condition pairings, read per sentence.
//!
//! In a sentence, products named one after another ("Kymriah and Yescarta")
//! form a group; a condition named after the group, with a linking word
//! between them ("for", "to treat", "treats", "with"), pairs with every
//! product of the group, until the next product is named. Sentences about
//! studies (the vocabulary's investigational cues) pair nothing.

use crate::text::{is_word_at, lower};
use crate::vocabulary::{Compiled, NameKind};
use std::collections::{BTreeMap, BTreeSet};

/// The longest gap, in bytes, between a product group and its condition.
const MAX_GAP: usize = 80;

/// Pairings over these sentences (original text), by product id, conditions sorted.
pub(crate) fn product_conditions<'a>(
    sentences: impl Iterator<Item = &'a str>,
    vocab: &Compiled,
) -> BTreeMap<String, Vec<String>> {
    let mut pairs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for sentence in sentences {
        pair_sentence(sentence, vocab, &mut pairs);
    }
    pairs
        .into_iter()
        .map(|(product, conditions)| (product, conditions.into_iter().collect()))
        .collect()
}

enum Mention {
    Product(usize),
    Condition(usize),
}

fn pair_sentence(sentence: &str, vocab: &Compiled, pairs: &mut BTreeMap<String, BTreeSet<String>>) {
    let l = lower(sentence);
    if vocab.investigational.is_match(&l) {
        return;
    }
    let mut mentions: Vec<(usize, usize, Mention)> = Vec::new();
    for m in vocab.names.find_iter(l.as_str()) {
        if !is_word_at(&l, m.start(), m.end()) {
            continue;
        }
        let r = vocab.name_refs[m.pattern().as_usize()];
        match r.kind {
            NameKind::Product => mentions.push((m.start(), m.end(), Mention::Product(r.index))),
            NameKind::Condition => mentions.push((m.start(), m.end(), Mention::Condition(r.index))),
            _ => {}
        }
    }
    if !mentions
        .iter()
        .any(|(_, _, m)| matches!(m, Mention::Product(_)))
    {
        return;
    }
    // Abbreviations (CLL, ALL) are case-sensitive; offsets agree when lower-casing kept the length.
    if let Some((re, list)) = &vocab.abbreviations {
        if sentence.len() == l.len() {
            for m in re.find_iter(sentence) {
                if let Some((_, index)) = list.iter().find(|(a, _)| a == m.as_str()) {
                    mentions.push((m.start(), m.end(), Mention::Condition(*index)));
                }
            }
        }
    }
    mentions.sort_by_key(|(start, _, _)| *start);
    let mut group: Vec<usize> = Vec::new();
    let mut group_end = 0;
    let mut linked = false;
    let mut last_product = true;
    for (start, end, mention) in mentions {
        match mention {
            Mention::Product(index) => {
                let gap = l.get(group_end..start).unwrap_or("");
                let joins = last_product && is_list_gap(gap);
                if !joins {
                    group.clear();
                }
                group.push(index);
                group_end = end;
                linked = false;
                last_product = true;
            }
            Mention::Condition(index) => {
                if group.is_empty() {
                    continue;
                }
                if !linked {
                    let gap = l.get(group_end..start).unwrap_or("");
                    linked = gap.len() <= MAX_GAP && has_link(gap);
                }
                if linked {
                    for &p in &group {
                        pairs
                            .entry(vocab.products[p].id.clone())
                            .or_default()
                            .insert(vocab.conditions[index].id.clone());
                    }
                }
                last_product = false;
            }
        }
    }
}

/// "Kymriah, Yescarta and Breyanzi": only separators between two products.
fn is_list_gap(gap: &str) -> bool {
    let words: Vec<&str> = gap
        .split(|c: char| {
            c.is_whitespace() || c == ',' || c == '(' || c == ')' || c == '®' || c == '™'
        })
        .filter(|w| !w.is_empty())
        .collect();
    words.iter().all(|w| matches!(*w, "and" | "or" | "&" | "/"))
}

fn has_link(gap: &str) -> bool {
    gap.split(|c: char| !c.is_alphanumeric())
        .any(|w| matches!(w, "for" | "treat" | "treats" | "treating" | "with"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::Vocabulary;

    fn pairs(text: &str) -> BTreeMap<String, Vec<String>> {
        let vocab = Vocabulary::builtin();
        product_conditions(std::iter::once(text), &vocab.inner)
    }

    #[test]
    fn a_product_pairs_with_the_disease_it_is_offered_for() {
        let p = pairs("We offer Breyanzi for CLL and Carvykti to treat multiple myeloma.");
        assert_eq!(p["breyanzi"], vec!["chronic_lymphocytic_leukemia"]);
        assert_eq!(p["carvykti"], vec!["multiple_myeloma"]);
        let p = pairs("Kymriah, Yescarta and Breyanzi are used for lymphoma.");
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(pairs("Breyanzi is a CAR T-cell therapy. Lymphoma is a cancer.").is_empty());
        assert!(pairs("We are studying Breyanzi for lupus in a clinical trial.").is_empty());
    }
}
