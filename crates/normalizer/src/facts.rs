//! Offerings, process, side effects, costs and dates, each with the sentence
//! it was read from.
//!
//! Facts are read from the content and from boxes beside it that talk about
//! the therapy (a "related" box saying the center offers all approved
//! products), never from navigation, site headers, footers or notices.
//!
//! The phases: [`scope_blocks`] picks the blocks facts may come from, a
//! [`Reader`] reads each sentence of them (names, conditions, age limit,
//! side effects, flags, costs, stages and durations), [`dates::page_dates`]
//! reads the page's own dates, and [`Reader::finish`] assembles the record.

use crate::costs::costs_in;
use crate::dates::page_dates;
use crate::dom::{Block, BlockKind, Hint};
use crate::duration::durations;
use crate::text::{is_word_at, lower, sentences};
use crate::vocabulary::{Compiled, NameKind};
use cartwatch_model::{Condition, Cost, Duration, Offerings, PageDates, ProcessStep};
use once_cell::sync::Lazy;
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};

/// Everything but contacts and text.
#[derive(Debug, Default)]
pub(crate) struct Facts {
    pub offerings: Offerings,
    pub process: Vec<ProcessStep>,
    pub side_effects: Vec<String>,
    pub costs: Vec<Cost>,
    pub dates: PageDates,
    pub evidence: BTreeMap<String, String>,
}

impl Facts {
    /// Fills the review and revision dates the page's text does not give
    /// from its schema.org data (`lastReviewed`, `dateModified`): visible
    /// dates win.
    pub(crate) fn add_structured_dates(
        &mut self,
        reviewed: Option<(String, String)>,
        modified: Option<(String, String)>,
    ) {
        if let (None, Some((date, snippet))) = (&self.dates.reviewed, reviewed) {
            self.dates.reviewed = Some(date);
            self.evidence.insert("date:reviewed".into(), snippet);
        }
        if let (None, Some((date, snippet))) = (&self.dates.revised, modified) {
            self.dates.revised = Some(date);
            self.evidence.insert("date:revised".into(), snippet);
        }
    }
}

static CAR_T_STRICT: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"\bcar[ -]?t\b|\bcar-t|chimeric antigen receptor").unwrap());
static SE_HEADING: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"side[ -]effects?|\brisks?\b|complications?|\bsafety\b|toxicit|what to watch for")
        .unwrap()
});

/// An upper age limit, only where the words say age: "up to age 25",
/// "patients 25 and younger", "under 26 years old", "ages 1 to 25",
/// "younger than 26". A bare "less than 15" (minutes) is no age.
static AGE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?x)
        \bup\ to\ (?:the\ )?age\ (?:of\ )?(?P<upto>\d{1,2})\b
      | \bup\ to\ (?P<uptoyears>\d{1,2})\ years?\ (?:old|of\ age)
      | \bages?\ (?:\d{1,2}\ ?(?:to|-|through|and)\ ?)?(?P<andunder>\d{1,2})\ (?:and|or)\ (?:under|younger)
      | \b(?P<younger>\d{1,2})\ (?:years\ (?:of\ age\ )?|years\ old\ )?(?:and|or)\ (?:younger|under)\b
      | \bthrough\ (?:the\ )?age\ (?:of\ )?(?P<through>\d{1,2})\b
      | \bages?\ \d{1,2}\ ?(?:to|-|through)\ ?(?P<range>\d{1,2})\b
      | \byounger\ than\ (?:age\ )?(?P<lessthan>\d{1,2})\b
      | \b(?:less\ than|under|below)\ (?:the\ )?age\ (?:of\ )?(?P<under>\d{1,2})\b
      | \b(?:less\ than|under|below)\ (?P<underyears>\d{1,2})\ years?\ (?:old|of\ age)
    ").unwrap()
});
static AGE_CONTEXT: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"\byears?\b|\bages?\b|\bold\b|\byoung|patients|children|adults").unwrap()
});

fn age_limit(l: &str) -> Option<u32> {
    if !AGE_CONTEXT.is_match(l) {
        return None;
    }
    let caps = AGE.captures(l)?;
    let get = |name: &str| caps.name(name).and_then(|m| m.as_str().parse::<u32>().ok());
    let age = get("upto")
        .or_else(|| get("uptoyears"))
        .or_else(|| get("andunder"))
        .or_else(|| get("younger"))
        .or_else(|| get("through"))
        .or_else(|| get("range"))
        .or_else(|| get("lessthan").map(|n| n.saturating_sub(1)))
        .or_else(|| get("under").map(|n| n.saturating_sub(1)))
        .or_else(|| get("underyears").map(|n| n.saturating_sub(1)))?;
    (1..=99).contains(&age).then_some(age)
}

/// The words before a stage cue that make it a point in time ("after the",
/// "before CAR T", "following your").
static TIME_REFERENCE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?:^|[^\w])(?:after|before|following|prior to|since|until)(?: (?:the|your|their|a|car[ -]?t|car-t|cell|cells|t-cell|day of|day of the|day of your))*$").unwrap()
});

static WHOLE_PROCESS: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"\b(?:whole|entire|overall|full|complete) (?:process|treatment|therapy)\b|\bfrom start to finish\b|\bfrom (?:collection|apheresis|leukapheresis) (?:to|until|through) ").unwrap()
});

/// A stay in or near the hospital: after the infusion, that is monitoring.
static STAY: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r"\b(?:stay|stays|staying|spend|spends|spending|remain|remains|admitted|hospitali[sz]ed)\b",
    )
    .unwrap()
});

/// Words saying how long the step in question takes, which let a sentence
/// without a stage cue give its duration to the stage its heading or the
/// sentence before names ("This takes up to 4 weeks.").
static HOW_LONG: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"\b(?:takes?|took|taking|lasts?|lasted|lasting|requires?|process|procedure|session|step|is done|are done|done over|given over)\b").unwrap()
});

static NEGATED: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"\b(?:not|isn't|aren't|no longer)\b(?: \w+){0,2} (?:approved|used|available|an option|indicated|offered|effective)\b|\bnot (?:yet )?(?:for|in)\b").unwrap()
});

/// Whether the clause around `start..end` of the lower-cased sentence says
/// the use is only being studied ("approved for lymphoma, and researchers
/// are exploring it for lupus": only lupus is investigational). `None` when
/// the clause denies the use ("not approved for solid tumors") and nothing
/// in the sentence says it is being studied.
fn investigational_at(l: &str, start: usize, end: usize, vocab: &Compiled) -> Option<bool> {
    const BOUNDARIES: [&str; 8] = [
        "; ",
        ", and ",
        ", but ",
        " but ",
        ", while ",
        " while ",
        " whereas ",
        ", although ",
    ];
    let mut clause_start = 0;
    let mut clause_end = l.len();
    for b in BOUNDARIES {
        for (at, _) in l.match_indices(b) {
            if at + b.len() <= start && at + b.len() > clause_start {
                clause_start = at + b.len();
            }
            if at >= end && at < clause_end {
                clause_end = at;
            }
        }
    }
    let clause = l.get(clause_start..clause_end).unwrap_or(l);
    if vocab.investigational.is_match(clause) {
        return Some(true);
    }
    if NEGATED.is_match(clause) {
        return vocab.investigational.is_match(l).then_some(true);
    }
    Some(false)
}

struct Sentence {
    original: String,
    lower: String,
}

struct ScopeBlock<'a> {
    block: &'a Block,
    /// The block's text lower-cased (once: headings are read for every block under them).
    lower: String,
    sentences: Vec<Sentence>,
    heading: Option<usize>,
    intro: Option<usize>,
}

fn insert_evidence(evidence: &mut BTreeMap<String, String>, key: String, sentence: &str) {
    evidence.entry(key).or_insert_with(|| sentence.to_string());
}

/// Keeps the better-ranked evidence of a stage (the first of equal rank).
fn set_stage_evidence(slot: &mut Option<(u8, String)>, rank: u8, sentence: &str) {
    if slot.as_ref().is_none_or(|(was, _)| rank < *was) {
        *slot = Some((rank, sentence.to_string()));
    }
}

/// A bare label rather than a sentence: "T-cell collection.", "Step 2: Infusion".
fn is_label(sentence: &str) -> bool {
    let words = sentence.split_whitespace().count();
    let trimmed = sentence.trim_end_matches(['.', ':', ' ']);
    words <= 4 && !trimmed.contains([',', ';']) || trimmed.ends_with('?') && words <= 6
}

/// Reads every fact except contacts.
pub(crate) fn facts(blocks: &[Block], vocab: &Compiled) -> Facts {
    let scope = scope_blocks(blocks, vocab);
    let mut reader = Reader::new(vocab);
    for sb in &scope {
        reader.read_block(&scope, sb);
    }
    let dates = page_dates(blocks);
    let mut f = reader.finish();
    f.offerings.product_conditions = crate::pairing::product_conditions(
        scope
            .iter()
            .flat_map(|sb| sb.sentences.iter().map(|s| s.original.as_str())),
        vocab,
    );
    if let Some((date, sentence)) = dates.reviewed {
        f.dates.reviewed = Some(date);
        f.evidence.insert("date:reviewed".into(), sentence);
    }
    if let Some((date, sentence)) = dates.revised {
        f.dates.revised = Some(date);
        f.evidence.insert("date:revised".into(), sentence);
    }
    f
}

/// The blocks facts may come from, split into sentences, each with the
/// heading above it and, for a list item, the paragraph introducing the list.
fn scope_blocks<'a>(blocks: &'a [Block], vocab: &Compiled) -> Vec<ScopeBlock<'a>> {
    let mut scope: Vec<ScopeBlock<'_>> = Vec::new();
    let mut last_heading: Option<usize> = None;
    let mut last_non_item: Option<usize> = None;
    for block in blocks {
        let in_content = block.in_root && block.chrome_elem.is_none();
        let beside = matches!(block.hint, None | Some(Hint::Aside));
        let l = lower(&block.text);
        let about_therapy = CAR_T_STRICT.is_match(&l) || product_named(&l, vocab);
        if !(in_content || (beside && about_therapy)) {
            continue;
        }
        let sentences = sentences(&block.text)
            .into_iter()
            .map(|(s, e)| {
                let original = block.text[s..e].to_string();
                let lower = lower(&original);
                Sentence { original, lower }
            })
            .collect();
        let index = scope.len();
        let intro = if block.kind == BlockKind::ListItem {
            last_non_item
        } else {
            None
        };
        scope.push(ScopeBlock {
            block,
            lower: l,
            sentences,
            heading: last_heading,
            intro,
        });
        match block.kind {
            BlockKind::Heading => {
                last_heading = Some(index);
                last_non_item = None;
            }
            BlockKind::ListItem => {}
            _ => last_non_item = Some(index),
        }
    }
    scope
}

/// What the heading and introduction of a block say about its sentences.
struct BlockContext {
    /// The block, its heading or its introduction talks about CAR T.
    therapy: bool,
    /// Its heading is about side effects or risks.
    heading_side_effects: bool,
    /// Its introduction is about side effects.
    intro_side_effects: bool,
}

/// The facts read so far, sentence by sentence.
struct Reader<'v> {
    vocab: &'v Compiled,
    f: Facts,
    products: BTreeSet<String>,
    targets: BTreeSet<String>,
    conditions: BTreeMap<usize, bool>,
    populations: BTreeSet<String>,
    side_effects: BTreeSet<String>,
    /// The sentence each stage was read from, with its rank (lower is
    /// better): the sentence its duration came from, else a sentence naming
    /// it, else a heading or a bare label ("T-cell collection.").
    stage_evidence: Vec<Option<(u8, String)>>,
    stage_durations: Vec<Vec<Duration>>,
    /// The stage of the table row so far, carried across its cells.
    carried_stage: Option<usize>,
    previous_kind: Option<BlockKind>,
}

impl<'v> Reader<'v> {
    fn new(vocab: &'v Compiled) -> Self {
        Reader {
            vocab,
            f: Facts::default(),
            products: BTreeSet::new(),
            targets: BTreeSet::new(),
            conditions: BTreeMap::new(),
            populations: BTreeSet::new(),
            side_effects: BTreeSet::new(),
            stage_evidence: vec![None; vocab.stages.len()],
            stage_durations: vec![Vec::new(); vocab.stages.len()],
            carried_stage: None,
            previous_kind: None,
        }
    }

    fn context(
        &self,
        scope: &[ScopeBlock<'_>],
        sb: &ScopeBlock<'_>,
    ) -> (BlockContext, Option<usize>) {
        let vocab = self.vocab;
        let block_lower = sb.lower.as_str();
        let heading_lower = sb.heading.map(|h| scope[h].lower.as_str());
        let intro_lower = sb.intro.map(|i| {
            let s = &scope[i].sentences;
            s.last().map(|s| s.lower.as_str()).unwrap_or_default()
        });
        let therapy = vocab.car_t.is_match(block_lower)
            || product_named(block_lower, vocab)
            || heading_lower.is_some_and(|h| vocab.car_t.is_match(h))
            || intro_lower.is_some_and(|i| vocab.car_t.is_match(i));
        let heading_side_effects = heading_lower.is_some_and(|h| SE_HEADING.is_match(h));
        let intro_side_effects = intro_lower
            .is_some_and(|i| vocab.side_effect_context.is_match(i) || SE_HEADING.is_match(i));
        // The stage a heading announces carries to its cue-less paragraphs.
        let mut current_stage: Option<usize> =
            heading_lower.and_then(|h| vocab.stages.iter().position(|s| s.cue.is_match(h)));
        if sb.block.kind == BlockKind::Heading {
            current_stage = None;
        }
        // Table rows: "Apheresis | T cells are collected | 4 to 6 hours".
        if sb.block.kind == BlockKind::Cell && self.previous_kind == Some(BlockKind::Cell) {
            current_stage = self.carried_stage.or(current_stage);
        }
        let context = BlockContext {
            therapy,
            heading_side_effects,
            intro_side_effects,
        };
        (context, current_stage)
    }

    /// Reads the sentences of one block.
    fn read_block(&mut self, scope: &[ScopeBlock<'_>], sb: &ScopeBlock<'_>) {
        let (context, mut current_stage) = self.context(scope, sb);
        let mut previous_sentence_side_effects = false;
        for s in &sb.sentences {
            self.names(s, context.therapy);
            if context.therapy {
                self.abbreviations(s);
                self.age(s);
            }
            let sentence_side_effects = self.vocab.side_effect_context.is_match(&s.lower);
            if context.heading_side_effects
                || context.intro_side_effects
                || sentence_side_effects
                || previous_sentence_side_effects
            {
                self.side_effects_in_context(s);
            }
            previous_sentence_side_effects = sentence_side_effects;
            self.flags(s);
            self.costs(s);
            self.stages(s, sb.block.kind, &mut current_stage);
        }
        self.carried_stage = if sb.block.kind == BlockKind::Cell {
            current_stage
        } else {
            None
        };
        self.previous_kind = Some(sb.block.kind);
    }

    /// Products, targets, conditions, populations and side effects named in
    /// a sentence (organization names such as "Leukemia & Lymphoma Society" masked).
    fn names(&mut self, s: &Sentence, therapy_context: bool) {
        let vocab = self.vocab;
        let l = &s.lower;
        let masked;
        let names_text: &str = match &vocab.ignore_names {
            Some(re) if re.is_match(l) => {
                masked = re.replace_all(l, |c: &regex::Captures<'_>| " ".repeat(c[0].len()));
                &masked
            }
            _ => l,
        };
        for m in vocab.names.find_iter(names_text) {
            let (start, mut end) = (m.start(), m.end());
            if l[end..].starts_with("tm") && is_word_at(l, start, end + 2) {
                end += 2;
            }
            // A plural of a listed name ("prolonged cytopenias" when only
            // "prolonged cytopenia" is listed: the longer name won the match).
            if !is_word_at(l, start, end)
                && l[end..].starts_with('s')
                && is_word_at(l, start, end + 1)
            {
                end += 1;
            }
            if !is_word_at(l, start, end) {
                continue;
            }
            let r = vocab.name_refs[m.pattern().as_usize()];
            match r.kind {
                NameKind::Product => {
                    let id = &vocab.products[r.index].id;
                    self.products.insert(id.clone());
                    insert_evidence(&mut self.f.evidence, format!("product:{id}"), &s.original);
                }
                NameKind::Target => {
                    let id = &vocab.targets[r.index];
                    self.targets.insert(id.clone());
                    insert_evidence(&mut self.f.evidence, format!("target:{id}"), &s.original);
                }
                NameKind::Condition if therapy_context => {
                    self.condition(r.index, l, start, end, &s.original);
                }
                NameKind::Population if therapy_context => {
                    let id = &vocab.populations[r.index];
                    self.populations.insert(id.clone());
                    insert_evidence(
                        &mut self.f.evidence,
                        format!("population:{id}"),
                        &s.original,
                    );
                }
                NameKind::SideEffect => {
                    let id = &vocab.side_effects[r.index].id;
                    self.side_effects.insert(id.clone());
                    insert_evidence(
                        &mut self.f.evidence,
                        format!("side_effect:{id}"),
                        &s.original,
                    );
                }
                _ => {}
            }
        }
    }

    /// Records condition `index` named at `start..end` of the lower-cased sentence.
    fn condition(&mut self, index: usize, l: &str, start: usize, end: usize, original: &str) {
        let investigational = match l.get(start..end) {
            Some(_) => investigational_at(l, start, end, self.vocab),
            None => Some(self.vocab.investigational.is_match(l)),
        };
        let Some(investigational) = investigational else {
            return;
        };
        let entry = self.conditions.entry(index).or_insert(investigational);
        *entry = *entry && investigational;
        let id = &self.vocab.conditions[index].id;
        insert_evidence(&mut self.f.evidence, format!("condition:{id}"), original);
    }

    /// Conditions named by their capitalized abbreviation ("ALL", "CLL") in
    /// a sentence that is not all capitals.
    fn abbreviations(&mut self, s: &Sentence) {
        let Some((re, list)) = &self.vocab.abbreviations else {
            return;
        };
        if !s.original.chars().any(|c| c.is_lowercase()) {
            return;
        }
        for m in re.find_iter(&s.original) {
            if let Some((_, index)) = list.iter().find(|(a, _)| a == m.as_str()) {
                // The original and lower-cased offsets agree for these ASCII words.
                self.condition(*index, &s.lower, m.start(), m.end(), &s.original);
            }
        }
    }

    /// The first upper age limit a sentence states.
    fn age(&mut self, s: &Sentence) {
        if self.f.offerings.age_max.is_none() {
            if let Some(age) = age_limit(&s.lower) {
                self.f.offerings.age_max = Some(age);
                insert_evidence(&mut self.f.evidence, "age_max".into(), &s.original);
            }
        }
    }

    /// Side effects named only in context (under a risks heading, after a
    /// sentence about side effects).
    fn side_effects_in_context(&mut self, s: &Sentence) {
        for se in &self.vocab.side_effects {
            if let Some(re) = &se.context {
                if re.is_match(&s.lower) {
                    self.side_effects.insert(se.id.clone());
                    insert_evidence(
                        &mut self.f.evidence,
                        format!("side_effect:{}", se.id),
                        &s.original,
                    );
                }
            }
        }
    }

    /// The offering flags: all approved products, clinical trials, cells made on site.
    fn flags(&mut self, s: &Sentence) {
        let vocab = self.vocab;
        let l = &s.lower;
        let f = &mut self.f;
        if vocab.all_fda_approved.is_match(l) {
            f.offerings.all_fda_approved = true;
            insert_evidence(&mut f.evidence, "flag:all_fda_approved".into(), &s.original);
        }
        if vocab.clinical_trials.is_match(l)
            && vocab.center_action.is_match(l)
            && !vocab.trial_negation.as_ref().is_some_and(|n| n.is_match(l))
        {
            f.offerings.clinical_trials = true;
            insert_evidence(&mut f.evidence, "flag:clinical_trials".into(), &s.original);
        }
        if vocab.manufacturing_on_site.is_match(l) {
            f.offerings.manufacturing_on_site = true;
            insert_evidence(
                &mut f.evidence,
                "flag:manufacturing_on_site".into(),
                &s.original,
            );
        }
    }

    /// Dollar amounts in a sentence about what the therapy costs.
    fn costs(&mut self, s: &Sentence) {
        if !(s.original.contains('$') && self.vocab.cost_context.is_match(&s.lower)) {
            return;
        }
        for cost in costs_in(&s.original) {
            if !self
                .f
                .costs
                .iter()
                .any(|c| c.min_usd == cost.min_usd && c.max_usd == cost.max_usd)
            {
                self.f.costs.push(cost);
            }
        }
    }

    /// The stages a sentence names and the durations it gives them. A
    /// duration goes to the stage named before it in the sentence; a sentence
    /// naming none gives it to the stage of its heading or the sentence
    /// before only when it says how long a step takes ("This takes up to 4
    /// weeks."), so "you stay three weeks" or "side effects begin within two
    /// weeks" under an "Infusion" heading is no infusion time.
    fn stages(&mut self, s: &Sentence, kind: BlockKind, current_stage: &mut Option<usize>) {
        let l = &s.lower;
        let label = is_label(&s.original);
        let mut hits: Vec<(usize, usize)> = Vec::new();
        for (i, stage) in self.vocab.stages.iter().enumerate() {
            if let Some(m) = stage.cue.find(l) {
                // "after the infusion, you stay ...": a step named as a point in
                // time still counts as mentioned, but durations go to the other step.
                let before = l[..m.start()].trim_end();
                if !TIME_REFERENCE.is_match(before) {
                    hits.push((m.start(), i));
                }
                let rank = if kind == BlockKind::Heading || label {
                    2
                } else {
                    1
                };
                set_stage_evidence(&mut self.stage_evidence[i], rank, &s.original);
            }
        }
        hits.sort();
        let found = if WHOLE_PROCESS.is_match(l) {
            Vec::new()
        } else {
            durations(&s.original)
        };
        let inherited = self.inherited_stage(l, kind, label, *current_stage);
        for (at, d) in found {
            // Offsets of the original and the lower-cased sentence agree for ASCII;
            // for others the nearest cue is still a fair guess.
            let stage = if hits.is_empty() {
                inherited
            } else {
                hits.iter()
                    .rev()
                    .find(|(pos, _)| *pos <= at)
                    .or_else(|| hits.first())
                    .map(|(_, i)| *i)
            };
            if let Some(i) = stage {
                // A bare duration cell ("4 to 6 hours") is no better than a label.
                let rank = if label { 2 } else { 0 };
                set_stage_evidence(&mut self.stage_evidence[i], rank, &s.original);
                if !self.stage_durations[i].iter().any(|x| x.text == d.text) {
                    self.stage_durations[i].push(d);
                }
            }
        }
        if let Some(&(_, last)) = hits.last() {
            *current_stage = Some(last);
        }
    }

    /// The stage a duration of a sentence naming no stage goes to: the
    /// stage of its heading or of the sentence before when it says how long
    /// a step takes, or (a stay in hospital) the monitoring after an
    /// infusion; never for a sentence about side effects.
    fn inherited_stage(
        &self,
        l: &str,
        kind: BlockKind,
        label: bool,
        current_stage: Option<usize>,
    ) -> Option<usize> {
        let current = current_stage?;
        if self.vocab.side_effect_context.is_match(l) {
            return None;
        }
        if kind == BlockKind::Cell || label || HOW_LONG.is_match(l) {
            return Some(current);
        }
        if STAY.is_match(l) {
            let stage_index = |id: &str| self.vocab.stages.iter().position(|s| s.id == id);
            if Some(current) == stage_index("infusion") {
                return stage_index("monitoring");
            }
            return Some(current);
        }
        None
    }

    /// The facts in record form: conditions without the broader ids a
    /// narrower one covers, products in vocabulary order, stages in treatment order.
    fn finish(mut self) -> Facts {
        let vocab = self.vocab;
        let mut f = std::mem::take(&mut self.f);
        let found_ids: BTreeSet<&str> = self
            .conditions
            .keys()
            .map(|&i| vocab.conditions[i].id.as_str())
            .collect();
        let mut condition_list: Vec<Condition> = self
            .conditions
            .iter()
            .filter(|(&i, _)| {
                !vocab.conditions[i]
                    .narrower
                    .iter()
                    .any(|n| found_ids.contains(n.as_str()))
            })
            .map(|(&i, &investigational)| Condition {
                id: vocab.conditions[i].id.clone(),
                investigational,
            })
            .collect();
        condition_list.sort();
        for c in &vocab.conditions {
            if !condition_list.iter().any(|x| x.id == c.id) {
                f.evidence.remove(&format!("condition:{}", c.id));
            }
        }
        f.offerings.products = vocab
            .products
            .iter()
            .filter(|p| self.products.contains(&p.id))
            .map(|p| p.id.clone())
            .collect();
        f.offerings.targets = std::mem::take(&mut self.targets).into_iter().collect();
        f.offerings.conditions = condition_list;
        let populations = &self.populations;
        f.offerings.populations = ["pediatric", "young_adult", "adult"]
            .iter()
            .filter(|p| populations.contains(**p))
            .map(|p| p.to_string())
            .chain(
                populations
                    .iter()
                    .filter(|p| !matches!(p.as_str(), "pediatric" | "young_adult" | "adult"))
                    .cloned(),
            )
            .collect();
        f.side_effects = std::mem::take(&mut self.side_effects).into_iter().collect();
        for (i, stage) in vocab.stages.iter().enumerate() {
            if let Some((_, evidence)) = self.stage_evidence[i].take() {
                f.process.push(ProcessStep {
                    stage: stage.id.clone(),
                    durations: std::mem::take(&mut self.stage_durations[i]),
                    evidence,
                });
            }
        }
        f
    }
}

/// Whether a text names a product, condition, target or side effect of the
/// vocabulary (a linked list of products is content, not navigation).
pub(crate) fn names_a_term(text: &str, vocab: &Compiled) -> bool {
    let l = lower(text);
    vocab.names.find_iter(l.as_str()).any(|m| {
        vocab.name_refs[m.pattern().as_usize()].kind != NameKind::Population
            && is_word_at(&l, m.start(), m.end())
    })
}

fn product_named(l: &str, vocab: &Compiled) -> bool {
    vocab.names.find_iter(l).any(|m| {
        vocab.name_refs[m.pattern().as_usize()].kind == NameKind::Product
            && is_word_at(l, m.start(), m.end())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages() {
        assert_eq!(
            age_limit("used in patients up to 25 years old who have all"),
            Some(25)
        );
        assert_eq!(age_limit("for patients ages 1 to 25"), Some(25));
        assert_eq!(age_limit("children younger than 26"), Some(25));
        assert_eq!(age_limit("patients 21 and younger"), Some(21));
        assert_eq!(
            age_limit("patients 25 and younger can be referred"),
            Some(25)
        );
        assert_eq!(age_limit("children up to age 21"), Some(21));
        assert_eq!(age_limit("for children under 26 years old"), Some(25));
        assert_eq!(age_limit("patients through age 25"), Some(25));
        assert_eq!(age_limit("it takes up to 3 weeks"), None);
        assert_eq!(age_limit("patients may stay up to 2 weeks"), None);
    }

    #[test]
    fn numbers_that_are_not_ages() {
        for sentence in [
            "for most patients, the car t infusion itself takes less than 15 minutes",
            "the infusion itself takes under 15 minutes for adults",
            "patients stay through 14 days of monitoring",
            "we have treated patients for more than 20 years",
            "children are monitored for less than 30 days",
            "patients followed up to 15 years",
        ] {
            assert_eq!(age_limit(sentence), None, "{sentence}");
        }
    }

    #[test]
    fn stage_named_as_a_point_in_time() {
        for before in [
            "after",
            "before car t",
            "following your",
            "prior to the",
            "until the day of your",
        ] {
            assert!(TIME_REFERENCE.is_match(before), "{before}");
        }
        assert!(!TIME_REFERENCE.is_match("the"));
        assert!(!TIME_REFERENCE.is_match("hereafter the"));
    }
}
