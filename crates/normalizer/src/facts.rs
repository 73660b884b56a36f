//! Offerings, process, side effects, costs and dates, each with the sentence
//! it was read from.
//!
//! Facts are read from the content and from boxes beside it that talk about
//! the therapy (a "related" box saying the center offers all approved
//! products), never from navigation, site headers, footers or notices.

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

static CAR_T_STRICT: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"\bcar[ -]?t\b|\bcar-t|chimeric antigen receptor").unwrap());
static SE_HEADING: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"side[ -]effects?|\brisks?\b|complications?|\bsafety\b|toxicit|what to watch for")
        .unwrap()
});
static AGE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?x)
        \bup\ to\ (?:the\ )?(?:age\ (?:of\ )?(?P<upto>\d{1,2})|(?P<uptoyears>\d{1,2})\ years)
      | \bages?\ (?:\d{1,2}\ ?(?:to|-|through|and)\ ?)?(?P<andunder>\d{1,2})\ (?:and|or)\ (?:under|younger)
      | \b(?P<younger>\d{1,2})\ (?:years\ (?:of\ age\ )?|years\ old\ )?(?:and|or)\ (?:younger|under)
      | \bthrough\ (?:age\ )?(?P<through>\d{1,2})\b
      | \bages?\ \d{1,2}\ ?(?:to|-|through)\ ?(?P<range>\d{1,2})\b
      | \b(?:younger|less)\ than\ (?:age\ )?(?P<lessthan>\d{1,2})\b
      | \bunder\ (?:the\ )?(?:age\ (?:of\ )?)(?P<under>\d{1,2})\b
    ").unwrap()
});
static AGE_CONTEXT: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"\byears?\b|\bages?\b|\bold\b|\byoung|patients|children|adults").unwrap()
});

static COST: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)(?P<pre>\b(?:between|from|over|more than|in excess of|upwards of|exceeding|exceeds?|at least|up to|under|less than|nearly|about|around|approximately|roughly|as much as|as high as)\s+)?(?P<a>\$\s?\d+(?:,\d{3})*(?:\.\d+)?)(?:\s*(?P<am>million|billion|k)\b)?(?:\s*(?:to|and|-|–|—)\s*(?P<b>\$?\s?\d+(?:,\d{3})*(?:\.\d+)?)(?:\s*(?P<bm>million|billion|k)\b)?)?").unwrap()
});

const MONTHS: &str = r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?";

static DATE_CUE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(&format!(
        r"(?i)\b(?P<q>medically |clinically |medical |last |page |content |date |article |information )?(?P<w>reviewed|review date|date of (?:last )?review|revised|revision date|updated|modified)\b(?P<gap>[^\n]{{0,120}}?)(?P<date>(?P<m1>{MONTHS})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>(?:19|20)\d{{2}})|(?P<d2>\d{{1,2}})\s+(?P<m2>{MONTHS})\.?,?\s+(?P<y2>(?:19|20)\d{{2}})|(?P<y3>(?:19|20)\d{{2}})[-/.](?P<m3>\d{{1,2}})[-/.](?P<d3>\d{{1,2}})|(?P<m4>\d{{1,2}})[/.](?P<d4>\d{{1,2}})[/.](?P<y4>(?:19|20)?\d{{2}})\b)"
    ))
    .unwrap()
});

fn month_number(m: &str) -> Option<u32> {
    let l = m.to_ascii_lowercase();
    let months = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    months
        .iter()
        .position(|p| l.starts_with(p))
        .map(|i| i as u32 + 1)
}

fn iso_date(caps: &regex::Captures<'_>) -> Option<String> {
    let (y, m, d) = if let Some(y) = caps.name("y1") {
        (
            y.as_str().parse().ok()?,
            month_number(&caps["m1"])?,
            caps["d1"].parse().ok()?,
        )
    } else if let Some(y) = caps.name("y2") {
        (
            y.as_str().parse().ok()?,
            month_number(&caps["m2"])?,
            caps["d2"].parse().ok()?,
        )
    } else if let Some(y) = caps.name("y3") {
        (
            y.as_str().parse().ok()?,
            caps["m3"].parse().ok()?,
            caps["d3"].parse().ok()?,
        )
    } else if let Some(y) = caps.name("y4") {
        // "1/5/25": a two-digit year is in this century.
        let y: u32 = y.as_str().parse().ok()?;
        (
            if y < 100 { 2000 + y } else { y },
            caps["m4"].parse().ok()?,
            caps["d4"].parse().ok()?,
        )
    } else {
        return None;
    };
    let (y, m, d): (u32, u32, u32) = (y, m, d);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => return None,
    };
    (d >= 1 && d <= days).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

fn money(s: &str, mult: Option<&str>) -> Option<u64> {
    let digits: String = s
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let v: f64 = digits.parse().ok()?;
    let m = match mult.map(|m| m.to_ascii_lowercase()) {
        Some(ref m) if m == "million" => 1e6,
        Some(ref m) if m == "billion" => 1e9,
        Some(ref m) if m == "k" => 1e3,
        _ => 1.0,
    };
    let total = v * m;
    (total.is_finite() && (0.0..1e15).contains(&total)).then(|| total.round() as u64)
}

fn costs_in(sentence: &str) -> Vec<Cost> {
    let mut out = Vec::new();
    for caps in COST.captures_iter(sentence) {
        let pre = caps
            .name("pre")
            .map(|m| m.as_str().trim().to_ascii_lowercase())
            .unwrap_or_default();
        let bm = caps.name("bm").map(|m| m.as_str());
        let am = caps.name("am").map(|m| m.as_str()).or(bm);
        let Some(a) = money(&caps["a"], am) else {
            continue;
        };
        let b = caps.name("b").and_then(|m| money(m.as_str(), bm));
        let (lo, hi) = match (pre.as_str(), b) {
            (_, Some(b)) => (Some(a.min(b)), Some(a.max(b))),
            (
                "over" | "more than" | "in excess of" | "upwards of" | "exceeding" | "exceed"
                | "exceeds" | "at least",
                None,
            ) => (Some(a), None),
            ("up to" | "under" | "less than" | "as much as" | "as high as", None) => {
                (None, Some(a))
            }
            _ => (Some(a), Some(a)),
        };
        if lo.max(hi).unwrap_or(0) < 1000 {
            continue;
        }
        let start = match pre.as_str() {
            "" | "from" | "between" => caps.name("a").map(|m| m.start()).unwrap_or(0),
            _ => caps.get(0).map(|m| m.start()).unwrap_or(0),
        };
        let end = caps.get(0).map(|m| m.end()).unwrap_or(start);
        out.push(Cost {
            text: sentence[start..end].trim().to_string(),
            min_usd: lo,
            max_usd: hi,
            evidence: sentence.to_string(),
        });
    }
    out
}

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
        .or_else(|| get("under").map(|n| n.saturating_sub(1)))?;
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
    let mut f = Facts::default();

    // 1. The blocks facts may come from.
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

    let mut products = BTreeSet::new();
    let mut targets = BTreeSet::new();
    let mut conditions: BTreeMap<usize, bool> = BTreeMap::new();
    let mut populations = BTreeSet::new();
    let mut side_effects = BTreeSet::new();
    // The sentence each stage was read from, with its rank (lower is better):
    // the sentence its duration came from, else a sentence naming it, else a
    // heading or a bare label ("T-cell collection.").
    let mut stage_evidence: Vec<Option<(u8, String)>> = vec![None; vocab.stages.len()];
    let mut stage_durations: Vec<Vec<Duration>> = vec![Vec::new(); vocab.stages.len()];

    let mut carried_stage: Option<usize> = None;
    let mut previous_kind: Option<BlockKind> = None;
    for sb in &scope {
        let block_lower = sb.lower.as_str();
        let heading_lower = sb.heading.map(|h| scope[h].lower.as_str());
        let intro_lower = sb.intro.map(|i| {
            let s = &scope[i].sentences;
            s.last().map(|s| s.lower.as_str()).unwrap_or_default()
        });
        let therapy_context = vocab.car_t.is_match(block_lower)
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
        if sb.block.kind == BlockKind::Cell && previous_kind == Some(BlockKind::Cell) {
            current_stage = carried_stage.or(current_stage);
        }
        let mut previous_sentence_side_effects = false;

        for s in &sb.sentences {
            let l = &s.lower;
            // Names: products, targets, conditions, populations, side effects
            // (organization names such as "Leukemia & Lymphoma Society" masked).
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
                        products.insert(id.clone());
                        insert_evidence(&mut f.evidence, format!("product:{id}"), &s.original);
                    }
                    NameKind::Target => {
                        let id = &vocab.targets[r.index];
                        targets.insert(id.clone());
                        insert_evidence(&mut f.evidence, format!("target:{id}"), &s.original);
                    }
                    NameKind::Condition if therapy_context => {
                        let Some(investigational) = investigational_at(l, start, end, vocab) else {
                            continue;
                        };
                        let entry = conditions.entry(r.index).or_insert(investigational);
                        *entry = *entry && investigational;
                        let id = &vocab.conditions[r.index].id;
                        insert_evidence(&mut f.evidence, format!("condition:{id}"), &s.original);
                    }
                    NameKind::Population if therapy_context => {
                        let id = &vocab.populations[r.index];
                        populations.insert(id.clone());
                        insert_evidence(&mut f.evidence, format!("population:{id}"), &s.original);
                    }
                    NameKind::SideEffect => {
                        let id = &vocab.side_effects[r.index].id;
                        side_effects.insert(id.clone());
                        insert_evidence(&mut f.evidence, format!("side_effect:{id}"), &s.original);
                    }
                    _ => {}
                }
            }
            if therapy_context {
                if let Some((re, list)) = &vocab.abbreviations {
                    if s.original.chars().any(|c| c.is_lowercase()) {
                        for m in re.find_iter(&s.original) {
                            if let Some((_, index)) = list.iter().find(|(a, _)| a == m.as_str()) {
                                // The original and lower-cased offsets agree for these ASCII words.
                                let investigational = match l.get(m.start()..m.end()) {
                                    Some(_) => investigational_at(l, m.start(), m.end(), vocab),
                                    None => Some(vocab.investigational.is_match(l)),
                                };
                                let Some(investigational) = investigational else {
                                    continue;
                                };
                                let entry = conditions.entry(*index).or_insert(investigational);
                                *entry = *entry && investigational;
                                let id = &vocab.conditions[*index].id;
                                insert_evidence(
                                    &mut f.evidence,
                                    format!("condition:{id}"),
                                    &s.original,
                                );
                            }
                        }
                    }
                }
                if f.offerings.age_max.is_none() {
                    if let Some(age) = age_limit(l) {
                        f.offerings.age_max = Some(age);
                        insert_evidence(&mut f.evidence, "age_max".into(), &s.original);
                    }
                }
            }
            // Side effects named only in context.
            let sentence_side_effects = vocab.side_effect_context.is_match(l);
            if heading_side_effects
                || intro_side_effects
                || sentence_side_effects
                || previous_sentence_side_effects
            {
                for se in &vocab.side_effects {
                    if let Some(re) = &se.context {
                        if re.is_match(l) {
                            side_effects.insert(se.id.clone());
                            insert_evidence(
                                &mut f.evidence,
                                format!("side_effect:{}", se.id),
                                &s.original,
                            );
                        }
                    }
                }
            }
            previous_sentence_side_effects = sentence_side_effects;
            // Flags.
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
            // Costs.
            if s.original.contains('$') && vocab.cost_context.is_match(l) {
                for cost in costs_in(&s.original) {
                    if !f
                        .costs
                        .iter()
                        .any(|c| c.min_usd == cost.min_usd && c.max_usd == cost.max_usd)
                    {
                        f.costs.push(cost);
                    }
                }
            }
            // Stages and their durations.
            let mut hits: Vec<(usize, usize)> = Vec::new();
            for (i, stage) in vocab.stages.iter().enumerate() {
                if let Some(m) = stage.cue.find(l) {
                    // "after the infusion, you stay ...": a step named as a point in
                    // time still counts as mentioned, but durations go to the other step.
                    let before = l[..m.start()].trim_end();
                    let reference = TIME_REFERENCE.is_match(before);
                    if !reference {
                        hits.push((m.start(), i));
                    }
                    let rank = if sb.block.kind == BlockKind::Heading || is_label(&s.original) {
                        2
                    } else {
                        1
                    };
                    set_stage_evidence(&mut stage_evidence[i], rank, &s.original);
                }
            }
            hits.sort();
            let found = if WHOLE_PROCESS.is_match(l) {
                Vec::new()
            } else {
                durations(&s.original)
            };
            if !found.is_empty() {
                for (at, d) in found {
                    // Offsets of the original and the lower-cased sentence agree for ASCII;
                    // for others the nearest cue is still a fair guess.
                    let stage = if hits.is_empty() {
                        current_stage
                    } else {
                        hits.iter()
                            .rev()
                            .find(|(pos, _)| *pos <= at)
                            .or_else(|| hits.first())
                            .map(|(_, i)| *i)
                    };
                    if let Some(i) = stage {
                        // A bare duration cell ("4 to 6 hours") is no better than a label.
                        let rank = if is_label(&s.original) { 2 } else { 0 };
                        set_stage_evidence(&mut stage_evidence[i], rank, &s.original);
                        if !stage_durations[i].iter().any(|x| x.text == d.text) {
                            stage_durations[i].push(d);
                        }
                    }
                }
            }
            if let Some(&(_, last)) = hits.last() {
                current_stage = Some(last);
            }
        }
        carried_stage = if sb.block.kind == BlockKind::Cell {
            current_stage
        } else {
            None
        };
        previous_kind = Some(sb.block.kind);
    }

    // Dates: content first, then anywhere but navigation and notices.
    let mut reviewed: Option<(bool, String, String)> = None;
    let mut revised: Option<(bool, String, String)> = None;
    for block in blocks {
        // Never from navigation, notices, headers or anything above the content
        // (alert bars without markup hints stand there); a footer's "page last
        // updated" counts.
        let in_content = block.in_root && block.chrome_elem.is_none();
        let below = !block.before_root && matches!(block.hint, None | Some(Hint::Footer));
        if !(in_content || below) {
            continue;
        }
        let text = &block.text;
        if !text.bytes().any(|b| b.is_ascii_digit()) {
            continue;
        }
        let mut from = 0;
        while let Some(caps) = DATE_CUE.captures_at(text, from) {
            // Resume just after this cue, so a cue whose date is rejected does not hide the next one.
            let cue_end = caps.name("w").map(|m| m.end()).unwrap_or(text.len());
            from = cue_end;
            let w = caps["w"].to_ascii_lowercase();
            let q = caps
                .name("q")
                .map(|m| m.as_str().trim().to_ascii_lowercase());
            let is_review = w.contains("review");
            // "Updated February 26, 2025" in a reference list is not the page's date:
            // a bare verb needs "by", "on" or a colon after it ("Reviewed by ... on", "Updated: ...").
            let gap = caps.name("gap").map(|m| m.as_str()).unwrap_or("");
            let gap_lower = gap.trim_start().to_ascii_lowercase();
            let introduced = gap_lower.starts_with("by ")
                || gap_lower.starts_with("on ")
                || gap_lower.starts_with(':')
                || gap_lower.is_empty() && gap.starts_with(':')
                || w.contains(' ');
            if q.is_none() && !introduced {
                continue;
            }
            let Some(date) = iso_date(&caps) else {
                continue;
            };
            let at = caps.get(0).map(|m| m.start()).unwrap_or(0);
            let date_end = caps.name("date").map(|m| m.end()).unwrap_or(at);
            let spans = sentences(text);
            let Some(&(start, end)) = spans.iter().find(|&&(s, e)| at >= s && at < e) else {
                continue;
            };
            if date_end > end {
                continue; // the date belongs to another sentence
            }
            let sentence = text[start..end].to_string();
            let slot = if is_review {
                &mut reviewed
            } else {
                &mut revised
            };
            let better = match slot {
                None => true,
                Some((was_content, _, _)) => in_content && !*was_content,
            };
            if better {
                *slot = Some((in_content, date, sentence));
            }
        }
    }
    if let Some((_, date, sentence)) = reviewed {
        f.dates.reviewed = Some(date);
        f.evidence.insert("date:reviewed".into(), sentence);
    }
    if let Some((_, date, sentence)) = revised {
        f.dates.revised = Some(date);
        f.evidence.insert("date:revised".into(), sentence);
    }

    // Assemble.
    let found_ids: BTreeSet<&str> = conditions
        .keys()
        .map(|&i| vocab.conditions[i].id.as_str())
        .collect();
    let mut condition_list: Vec<Condition> = conditions
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
        .filter(|p| products.contains(&p.id))
        .map(|p| p.id.clone())
        .collect();
    f.offerings.targets = targets.into_iter().collect();
    f.offerings.product_conditions = crate::pairing::product_conditions(
        scope
            .iter()
            .flat_map(|sb| sb.sentences.iter().map(|s| s.original.as_str())),
        vocab,
    );
    f.offerings.conditions = condition_list;
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
    f.side_effects = side_effects.into_iter().collect();
    for (i, stage) in vocab.stages.iter().enumerate() {
        if let Some((_, evidence)) = stage_evidence[i].take() {
            f.process.push(ProcessStep {
                stage: stage.id.clone(),
                durations: std::mem::take(&mut stage_durations[i]),
                evidence,
            });
        }
    }
    f
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
    fn cost_ranges_and_open_bounds() {
        let c = costs_in("The cost can range from $300,000 to $475,000, and the total can be well over $500,000.");
        assert_eq!(c.len(), 2);
        assert_eq!((c[0].min_usd, c[0].max_usd), (Some(300000), Some(475000)));
        assert_eq!(c[0].text, "$300,000 to $475,000");
        assert_eq!((c[1].min_usd, c[1].max_usd), (Some(500000), None));
        let m = costs_in("List prices are $1.2 to $1.5 million.");
        assert_eq!(
            (m[0].min_usd, m[0].max_usd),
            (Some(1_200_000), Some(1_500_000))
        );
        assert!(costs_in("Parking costs $12.").is_empty());
    }

    #[test]
    fn ages() {
        assert_eq!(
            age_limit("used in patients up to 25 years old who have all"),
            Some(25)
        );
        assert_eq!(age_limit("for patients ages 1 to 25"), Some(25));
        assert_eq!(age_limit("children younger than 26"), Some(25));
        assert_eq!(age_limit("patients 21 and younger"), Some(21));
        assert_eq!(age_limit("it takes up to 3 weeks"), None);
        assert_eq!(age_limit("patients may stay up to 2 weeks"), None);
        assert_eq!(age_limit("children up to age 21"), Some(21));
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

    #[test]
    fn dates_parse_in_several_forms() {
        let get = |s: &str| DATE_CUE.captures(s).and_then(|c| iso_date(&c));
        assert_eq!(
            get("Medically reviewed by Brian Jonas, M.D. on Oct. 12, 2023."),
            Some("2023-10-12".into())
        );
        assert_eq!(get("Last Revised: July 7, 2025"), Some("2025-07-07".into()));
        assert_eq!(get("Page last updated 3/4/2024"), Some("2024-03-04".into()));
        assert_eq!(get("Reviewed: 12 March 2024"), Some("2024-03-12".into()));
        assert_eq!(get("Last reviewed 2024-02-30"), None);
        assert_eq!(get("Updated: October 12, 2023"), Some("2023-10-12".into()));
        assert_eq!(get("Page reviewed: 1/5/25"), Some("2025-01-05".into()));
        assert_eq!(get("Reviewed: 2024/05/01"), Some("2024-05-01".into()));
        assert_eq!(get("Last updated 04.15.2025"), Some("2025-04-15".into()));
        assert_eq!(get("Last updated 04/15/20255"), None);
    }
}
