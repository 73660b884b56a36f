//! Phone numbers and email addresses anywhere on the page (never inside
//! scripts or styles), validated with libphonenumber, merged per number.

use crate::dom::{Block, BlockKind, Hint};
use crate::region::Region;
use crate::text::{lower, sentences};
use crate::vocabulary::Compiled;
use cartwatch_model::{Contact, ContactKind, Purpose, Section, TelLinkMismatch};
use once_cell::sync::Lazy;
use regex::Regex;
use std::collections::HashMap;

/// North American numbers written with digits: (216) 844-3951, 1-833-876-2227, 216.844.3951, +1 216 844 3951.
static NANP: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?:\+\s?1[\s.\-\u{a0}]*|\b1[\s.\-\u{a0}]+|\b1)?(?:\(\s*[2-9]\d{2}\s*\)|\b[2-9]\d{2})[\s.\-/\u{a0}]{0,2}[2-9]\d{2}[\s.\-\u{a0}]{0,2}\d{4}\b").unwrap()
});

/// Vanity numbers: 1-888-MSK-CART, 800-4-CANCER, (800) GET-WELL, and with
/// letters past the seventh (877-NEW-CARTS), which are never dialled.
static VANITY: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?:\+?1[\s.\-]+)?(?:\(\s*[2-9]\d{2}\s*\)|\b[2-9]\d{2})[\s.\-]{1,2}[0-9A-Z](?:[.\-]?[0-9A-Z]){6}[A-Z]{0,4}").unwrap()
});

/// National numbers written with a trunk 0, read outside North America:
/// 020 7946 0000, (0161) 496 0000, 030 450 50.
static NATIONAL: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?:\(\s*0\d{1,4}\s*\)|\b0\d{1,4})(?:[\s.\-/\u{a0}]{0,2}\d{2,5}){1,4}\b").unwrap()
});

/// International numbers written with a plus: +44 20 7946 0958.
static INTERNATIONAL: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"\+[2-9]\d{0,2}(?:[\s.\-]?\(?\d{1,5}\)?){2,5}").unwrap());

static EMAIL: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)\b[a-z0-9][a-z0-9._%+\-]{0,63}@[a-z0-9](?:[a-z0-9\-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]{0,62}[a-z0-9])?)*\.[a-z]{2,24}\b").unwrap()
});

static PHONE_CUE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)(?:call|phone|tel|telephone|fax|contact|dial|line|number|at)\W{0,3}$").unwrap()
});

fn vanity_digit(c: char) -> Option<char> {
    Some(match c.to_ascii_uppercase() {
        '0'..='9' => c,
        'A' | 'B' | 'C' => '2',
        'D' | 'E' | 'F' => '3',
        'G' | 'H' | 'I' => '4',
        'J' | 'K' | 'L' => '5',
        'M' | 'N' | 'O' => '6',
        'P' | 'Q' | 'R' | 'S' => '7',
        'T' | 'U' | 'V' => '8',
        'W' | 'X' | 'Y' | 'Z' => '9',
        _ => return None,
    })
}

/// Validates a number with libphonenumber; `None` when it does not parse at all.
fn validate(e164_candidate: &str) -> Option<(String, bool)> {
    let candidate = e164_candidate.to_string();
    // libphonenumber ports have panicked on odd input before: stay safe. The
    // E.164 form is the candidate itself, already "+" and digits (the crate's
    // formatter drops digits of some numbers, e.g. Beijing's +86 10 ...).
    std::panic::catch_unwind(move || {
        let parsed = phonenumber::parse(Some(phonenumber::country::Id::US), &candidate).ok()?;
        Some((candidate.clone(), phonenumber::is_valid(&parsed)))
    })
    .ok()
    .flatten()
}

/// The E.164 form and validity of a number as written (digits or vanity
/// letters), read in `region` when it has no country code. Outside North
/// America a number without one must be valid there.
pub(crate) fn parse_phone(written: &str, region: Region) -> Option<(String, bool)> {
    let trimmed = written.trim().replace("(0)", "");
    let trimmed = trimmed.as_str();
    let international = trimmed.starts_with('+');
    if !international && !region.nanp {
        return parse_national(trimmed, region);
    }
    let mut digits: String = trimmed.chars().filter_map(vanity_digit).collect();
    if !international && trimmed.chars().any(|c| c.is_ascii_alphabetic()) {
        // Letters past the seventh of a vanity number are never dialled
        // (877-NEW-CARTS is 877-639-2278).
        let keep = if digits.starts_with('1') { 11 } else { 10 };
        digits.truncate(keep);
    }
    let candidate = if international {
        format!("+{digits}")
    } else if digits.len() == 10 {
        format!("+1{digits}")
    } else if digits.len() == 11 && digits.starts_with('1') {
        format!("+{digits}")
    } else {
        return None;
    };
    if candidate.len() < 9 || candidate.len() > 16 {
        return None;
    }
    if candidate.starts_with("+1") && candidate.len() != 12 {
        return None;
    }
    validate(&candidate)
}

/// A number written without a country code outside North America, read with
/// libphonenumber in `region`; `None` unless it is valid there.
fn parse_national(written: &str, region: Region) -> Option<(String, bool)> {
    if written.chars().any(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let digits: String = written.chars().filter(|c| c.is_ascii_digit()).collect();
    if !(6..=14).contains(&digits.len()) {
        return None;
    }
    let id = region.id;
    std::panic::catch_unwind(move || {
        let parsed = phonenumber::parse(Some(id), &digits).ok()?;
        if !phonenumber::is_valid(&parsed) {
            return None;
        }
        let national = parsed.national();
        let zeros = "0".repeat(usize::from(national.zeros()));
        Some((
            format!("+{}{zeros}{}", parsed.code().value(), national.value()),
            true,
        ))
    })
    .ok()
    .flatten()
}

struct Mention {
    key: String,
    kind: ContactKind,
    e164: Option<String>,
    display: Option<String>,
    address: Option<String>,
    valid: Option<bool>,
    purposes: Vec<Purpose>,
    section: Section,
    evidence: String,
}

fn section_of(block: &Block) -> Section {
    match block.hint {
        Some(Hint::Nav) if block.nav_in_header => Section::Header,
        Some(Hint::Nav) => Section::Nav,
        Some(Hint::Header) => Section::Header,
        Some(Hint::Footer) => Section::Footer,
        Some(Hint::Aside) => Section::Aside,
        Some(Hint::Notice) => Section::Header,
        None if block.in_root => Section::Main,
        None if block.beside_root => Section::Aside,
        None if block.before_root => Section::Header,
        None => Section::Footer,
    }
}

fn purposes_in(text: &str, vocab: &Compiled) -> Vec<Purpose> {
    let l = lower(text);
    vocab
        .purposes
        .iter()
        .filter(|(_, re)| re.is_match(&l))
        .map(|(p, _)| *p)
        .collect()
}

static FAX: Lazy<Regex> = Lazy::new(|| Regex::new(r"(?i)\bfax\b").unwrap());

/// The purposes of a mention: its sentence, else the sentence before it, else
/// its heading, else its block when the block has no other contact, else the
/// blocks just before it in the same container.
fn purposes_for(
    blocks: &[Block],
    index: usize,
    at: usize,
    vocab: &Compiled,
    contacts_in_block: usize,
    has_contact: &[bool],
) -> Vec<Purpose> {
    let block = &blocks[index];
    let text = &block.text;
    let spans = sentences(text);
    let current = spans
        .iter()
        .position(|&(s, e)| at >= s && at < e.max(s + 1))
        .unwrap_or(0);
    let sentence = spans
        .get(current)
        .map(|&(s, e)| &text[s..e])
        .unwrap_or(text);
    let sentence_start = spans.get(current).map(|&(s, _)| s).unwrap_or(0);
    let at_in_sentence = at.saturating_sub(sentence_start);
    if is_fax(sentence, at_in_sentence) {
        return vec![Purpose::General];
    }
    let (before, after, alone) = own_words(sentence, at_in_sentence);
    let mut own = purposes_in(before, vocab);
    if own.is_empty() || alone {
        // One number in the sentence: all its words; several: its own clause.
        for p in purposes_in(after, vocab) {
            if !own.contains(&p) {
                own.push(p);
            }
        }
    }
    if own.is_empty() && !alone {
        // "call A, ext. 2, or toll-free at B": an alternative number for the same purpose.
        own = purposes_in(sentence, vocab);
    }
    if !own.is_empty() {
        return own;
    }
    if current > 0 {
        let (s, e) = spans[current - 1];
        let prev = purposes_in(&text[s..e], vocab);
        if !prev.is_empty() {
            return prev;
        }
    }
    if contacts_in_block <= 1 {
        let in_block = purposes_in(text, vocab);
        if !in_block.is_empty() {
            return in_block;
        }
    }
    // The blocks just before: a block with contacts of its own is passed
    // over (its words are about its numbers; a heading never is), and the
    // walk never leaves the block's container or section.
    let section = section_of(block);
    let mut looked = 0;
    let mut i = index;
    while i > 0 && looked < 4 {
        i -= 1;
        let prev = &blocks[i];
        if prev.chrome_elem != block.chrome_elem || section_of(prev) != section {
            break;
        }
        looked += 1;
        if prev.kind != BlockKind::Heading && has_contact.get(i).copied().unwrap_or(false) {
            continue;
        }
        let found = purposes_in(&prev.text, vocab);
        if !found.is_empty() {
            return found;
        }
    }
    vec![Purpose::General]
}

/// The words that belong to the number at `at` of a sentence: the whole
/// sentence when it holds one number, else the words since the previous
/// number's clause and, when those say nothing, the words up to the next
/// clause ("For appointments call A; for referrals, call B": A's words are
/// "For appointments call", B's "for referrals, call"). Returns the words
/// before and after the number.
fn own_words(sentence: &str, at: usize) -> (&str, &str, bool) {
    let spans: Vec<(usize, usize)> = NANP
        .find_iter(sentence)
        .map(|m| (m.start(), m.end()))
        .collect();
    let at = char_floor(sentence, at);
    let this = spans
        .iter()
        .position(|&(s, e)| at >= s && at < e.max(s + 1))
        .or_else(|| spans.iter().position(|&(s, _)| s >= at));
    let Some(this) = this.filter(|_| spans.len() > 1) else {
        let end = spans
            .iter()
            .find(|&&(s, _)| s >= at)
            .map(|&(_, e)| e)
            .unwrap_or(at);
        return (
            sentence.get(..at).unwrap_or(""),
            sentence.get(end..).unwrap_or(""),
            true,
        );
    };
    let (start, end) = spans[this];
    let before = match this.checked_sub(1).map(|p| spans[p]) {
        Some((_, prev_end)) => {
            let between = sentence.get(prev_end..start).unwrap_or("");
            // Words after the first clause break belong to this number.
            match clause_break(between) {
                Some((_, after_break)) => between.get(after_break..).unwrap_or(""),
                None => between,
            }
        }
        None => sentence.get(..start).unwrap_or(""),
    };
    let after = match spans.get(this + 1) {
        Some(&(next_start, _)) => {
            let between = sentence.get(end..next_start).unwrap_or("");
            match clause_break(between) {
                Some((at_break, _)) => between.get(..at_break).unwrap_or(""),
                None => "",
            }
        }
        None => sentence.get(end..).unwrap_or(""),
    };
    (before, after, false)
}

/// The first clause break in a text between two numbers: its start and end.
fn clause_break(between: &str) -> Option<(usize, usize)> {
    [";", ", or ", " or ", ", and ", ", "]
        .iter()
        .filter_map(|b| between.find(b).map(|i| (i, i + b.len())))
        .min()
}

/// Whether the number at `at` is labelled a fax: "Fax: 402-559-3738",
/// "402-559-3738 (fax)", but not the phone in "Phone: 402-559-3737 Fax: ..."
/// nor the one after "402-559-3738 (fax) or call ...".
fn is_fax(sentence: &str, at: usize) -> bool {
    let (before, after) = own_words_plain(sentence, at);
    // A parenthesized label at the start belongs to the number before.
    let before = match before.trim_start().strip_prefix('(') {
        Some(rest) => rest.split_once(')').map(|(_, r)| r).unwrap_or(rest),
        None => before,
    };
    if FAX.is_match(before) {
        return true;
    }
    let label = after.trim_start_matches([' ', '(', '\u{a0}', '-', ',']);
    label
        .get(..3)
        .is_some_and(|w| w.eq_ignore_ascii_case("fax"))
        && !label.get(3..).unwrap_or("").trim_start().starts_with(':')
}

/// The text between the previous number (or the sentence start) and the
/// number at `at`, and between its end and the next number (or the end).
fn own_words_plain(sentence: &str, at: usize) -> (&str, &str) {
    let at = char_floor(sentence, at);
    let mut prev_end = 0;
    let mut end = at;
    let mut next_start = sentence.len();
    for m in NANP.find_iter(sentence) {
        if m.end() <= at {
            prev_end = m.end();
        } else if m.start() <= at {
            end = m.end();
        } else if m.start() < next_start {
            next_start = m.start();
            break;
        }
    }
    if end == at {
        // A number written otherwise (a vanity number or a link's text): skip its characters.
        end += sentence
            .get(at..)
            .unwrap_or("")
            .find(|c: char| !(c.is_ascii_digit() || c.is_ascii_uppercase() || "().-+ ".contains(c)))
            .unwrap_or(sentence.len() - at);
        end = end.min(next_start);
    }
    (
        sentence.get(prev_end..at).unwrap_or(""),
        sentence.get(end..next_start).unwrap_or(""),
    )
}

/// `at` moved down to a character boundary of `text` (and into it).
fn char_floor(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn sentence_at(text: &str, at: usize) -> &str {
    for (s, e) in sentences(text) {
        if at >= s && at < e.max(s + 1) {
            return &text[s..e];
        }
    }
    text
}

fn boundary_ok(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let bad_before = before.is_some_and(|c| {
        c.is_alphanumeric() || matches!(c, '$' | '/' | '#' | '_' | '=' | '.' | '-')
    });
    let bad_after = after.is_some_and(|c| c.is_alphanumeric() || matches!(c, '/' | '_' | '%'))
        || text[end..].starts_with(['-', '.'])
            && text[end + 1..].starts_with(|c: char| c.is_ascii_digit());
    !bad_before && !bad_after
}

/// Finds the phone numbers written in a block's text: (start, end, e164,
/// valid). Numbers without a country code are read in `region`.
fn phones_in(text: &str, region: Region) -> Vec<(usize, usize, String, bool)> {
    let mut found: Vec<(usize, usize, String, bool)> = Vec::new();
    let overlaps = |found: &Vec<(usize, usize, String, bool)>, s: usize, e: usize| {
        found.iter().any(|f| s < f.1 && f.0 < e)
    };
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return found;
    }
    for m in NANP.find_iter(text) {
        let (s, e) = (m.start(), m.end());
        if !boundary_ok(text, s, e) {
            continue;
        }
        let written = m.as_str();
        if !region.nanp && !written.starts_with('+') {
            continue; // ten digits outside North America are no number of its plan
        }
        let has_separator = written.chars().any(|c| !c.is_ascii_digit() && c != '+');
        if !has_separator && !PHONE_CUE.is_match(&text[..s]) {
            continue; // a bare run of digits: an id, not a number, unless introduced as one
        }
        if let Some((e164, valid)) = parse_phone(written, region) {
            found.push((s, e, e164, valid));
        }
    }
    for m in VANITY.find_iter(text) {
        let (s, e) = (m.start(), m.end());
        let written = m.as_str();
        if !written.chars().any(|c| c.is_ascii_uppercase()) || overlaps(&found, s, e) {
            continue;
        }
        if !region.nanp && !written.starts_with('+') {
            continue;
        }
        if !boundary_ok(text, s, e) {
            continue;
        }
        // An all-caps run that is mostly words is not a number ("800 MORE INFO ..." is fine, "TEL-AVIV" is not digits).
        let digits = written.chars().filter(|c| c.is_ascii_digit()).count();
        if digits < 3 {
            continue;
        }
        if let Some((e164, valid)) = parse_phone(written, region) {
            found.push((s, e, e164, valid));
        }
    }
    for m in INTERNATIONAL.find_iter(text) {
        let (s, e) = (m.start(), m.end());
        if overlaps(&found, s, e) || !boundary_ok(text, s, e) {
            continue;
        }
        let digits = m.as_str().chars().filter(|c| c.is_ascii_digit()).count();
        if !(8..=15).contains(&digits) {
            continue;
        }
        if let Some((e164, valid)) = parse_phone(m.as_str(), region) {
            found.push((s, e, e164, valid));
        }
    }
    if !region.nanp {
        for m in NATIONAL.find_iter(text) {
            let (s, e) = (m.start(), m.end());
            if overlaps(&found, s, e) || !boundary_ok(text, s, e) {
                continue;
            }
            let written = m.as_str();
            let has_separator = written.chars().any(|c| !c.is_ascii_digit());
            if !has_separator && !PHONE_CUE.is_match(&text[..s]) {
                continue;
            }
            if let Some((e164, valid)) = parse_phone(written, region) {
                found.push((s, e, e164, valid));
            }
        }
    }
    found.sort_by_key(|f| f.0);
    found
}

/// The contacts of a page and the `tel:` links that dial another number
/// than their text shows.
#[derive(Debug, Default)]
pub(crate) struct PageContacts {
    /// One per distinct number or address, in page order.
    pub contacts: Vec<Contact>,
    /// Links whose number differs from the one their text shows, once each.
    pub tel_link_mismatches: Vec<TelLinkMismatch>,
}

/// Every contact on the page, one per distinct number or address, in page
/// order; numbers without a country code are read in `region`.
pub(crate) fn contacts(blocks: &[Block], vocab: &Compiled, region: Region) -> PageContacts {
    let mut mentions: Vec<Mention> = Vec::new();
    let mut mismatches: Vec<TelLinkMismatch> = Vec::new();
    // Whether each block already walked holds a contact of its own.
    let mut has_contact: Vec<bool> = Vec::with_capacity(blocks.len());
    for (index, block) in blocks.iter().enumerate() {
        let text = &block.text;
        let section = section_of(block);
        let phones = phones_in(text, region);
        let emails_written = if text.contains('@') {
            EMAIL.find_iter(text).count()
        } else {
            0
        };
        let in_block = phones.len() + emails_written + block.links.len();
        let mentions_before = mentions.len();
        let mut phones_here: Vec<String> = Vec::new();
        for (s, e, e164, valid) in phones {
            let sentence = sentence_at(text, s);
            phones_here.push(e164.clone());
            mentions.push(Mention {
                key: e164.clone(),
                kind: ContactKind::Phone,
                e164: Some(e164),
                display: Some(text[s..e].trim().to_string()),
                address: None,
                valid: Some(valid),
                purposes: purposes_for(blocks, index, s, vocab, in_block, &has_contact),
                section,
                evidence: sentence.to_string(),
            });
        }
        for link in &block.links {
            if link.mail {
                continue;
            }
            let target = percent_decode(&link.target);
            let dials = parse_phone(&target, region);
            // The number the link's text shows: the contact is what the page
            // shows; a link dialling another number is recorded for the editor.
            if let Some((_, _, shown, _)) = phones_in(&link.text, region).into_iter().next() {
                if dials.as_ref().is_none_or(|(e164, _)| *e164 != shown) {
                    let at = text.find(link.text.as_str()).unwrap_or(0);
                    let mismatch = TelLinkMismatch {
                        text: link.text.trim().to_string(),
                        href: format!("tel:{}", link.target.trim()),
                        dials_e164: dials.map(|(e164, _)| e164),
                        evidence: sentence_at(text, at).to_string(),
                    };
                    if !mismatches
                        .iter()
                        .any(|m| m.text == mismatch.text && m.href == mismatch.href)
                    {
                        mismatches.push(mismatch);
                    }
                    continue;
                }
            }
            let Some((e164, valid)) = dials else {
                continue;
            };
            if phones_here.contains(&e164) {
                continue;
            }
            let at = text.find(link.text.as_str()).unwrap_or(0);
            let sentence = sentence_at(text, at);
            let display = if link.text.chars().any(|c| c.is_ascii_digit()) {
                link.text.clone()
            } else {
                target.trim().to_string()
            };
            phones_here.push(e164.clone());
            mentions.push(Mention {
                key: e164.clone(),
                kind: ContactKind::Phone,
                e164: Some(e164),
                display: Some(display),
                address: None,
                valid: Some(valid),
                purposes: purposes_for(blocks, index, at, vocab, in_block, &has_contact),
                section,
                evidence: sentence.to_string(),
            });
        }
        let mut emails_here: Vec<String> = Vec::new();
        if text.contains('@') {
            for m in EMAIL.find_iter(text) {
                let address = m.as_str().trim_end_matches('.').to_lowercase();
                let sentence = sentence_at(text, m.start());
                emails_here.push(address.clone());
                let purposes =
                    purposes_for(blocks, index, m.start(), vocab, in_block, &has_contact);
                mentions.push(email_mention(address, sentence, section, purposes));
            }
        }
        for link in &block.links {
            if !link.mail {
                continue;
            }
            let target = percent_decode(&link.target);
            let address = target.split('?').next().unwrap_or("").trim().to_lowercase();
            if !EMAIL.is_match(&address) || emails_here.contains(&address) {
                continue;
            }
            let at = text.find(link.text.as_str()).unwrap_or(0);
            let sentence = sentence_at(text, at);
            emails_here.push(address.clone());
            let purposes = purposes_for(blocks, index, at, vocab, in_block, &has_contact);
            mentions.push(email_mention(address, sentence, section, purposes));
        }
        has_contact.push(mentions.len() > mentions_before);
    }
    PageContacts {
        contacts: merge(mentions),
        tel_link_mismatches: mismatches,
    }
}

/// Adds the telephones of the page's schema.org data (number as written,
/// snippet) when the page shows no phone number of its own: visible numbers
/// win, and a number only in the markup is the center's when nothing else is.
/// They count as standing in the footer, the lowest rank.
pub(crate) fn add_structured(
    contacts: &mut Vec<Contact>,
    telephones: &[(String, String)],
    region: Region,
) {
    if contacts.iter().any(|c| c.kind == ContactKind::Phone) {
        return;
    }
    for (written, snippet) in telephones {
        let Some((e164, valid)) = parse_phone(written, region) else {
            continue;
        };
        if contacts
            .iter()
            .any(|c| c.e164.as_deref() == Some(e164.as_str()))
        {
            continue;
        }
        contacts.push(Contact {
            kind: ContactKind::Phone,
            e164: Some(e164),
            display: Some(written.clone()),
            address: None,
            valid: Some(valid),
            purposes: vec![Purpose::General],
            section: Section::Footer,
            evidence: snippet.clone(),
        });
    }
}

fn email_mention(
    address: String,
    sentence: &str,
    section: Section,
    purposes: Vec<Purpose>,
) -> Mention {
    Mention {
        key: address.clone(),
        kind: ContactKind::Email,
        e164: None,
        display: None,
        address: Some(address),
        valid: None,
        purposes,
        section,
        evidence: sentence.to_string(),
    }
}

fn merge(mentions: Vec<Mention>) -> Vec<Contact> {
    let mut order: Vec<String> = Vec::new();
    let mut by_key: HashMap<String, Contact> = HashMap::new();
    for m in mentions {
        match by_key.get_mut(&m.key) {
            Some(c) => {
                for p in m.purposes {
                    if !c.purposes.contains(&p) {
                        c.purposes.push(p);
                    }
                }
                if m.section < c.section {
                    c.section = m.section;
                }
            }
            None => {
                order.push(m.key.clone());
                by_key.insert(
                    m.key,
                    Contact {
                        kind: m.kind,
                        e164: m.e164,
                        display: m.display,
                        address: m.address,
                        valid: m.valid,
                        purposes: m.purposes,
                        section: m.section,
                        evidence: m.evidence,
                    },
                );
            }
        }
    }
    order
        .into_iter()
        .filter_map(|k| by_key.remove(&k))
        .map(|mut c| {
            if c.purposes.len() > 1 {
                c.purposes.retain(|p| *p != Purpose::General);
            }
            c.purposes.sort();
            c
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 3 <= bytes.len() {
            if let Ok(v) = u8::from_str_radix(
                std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                16,
            ) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nums(text: &str) -> Vec<String> {
        phones_in(text, Region::US)
            .into_iter()
            .map(|f| f.2)
            .collect()
    }

    #[test]
    fn vanity_numbers_convert() {
        assert_eq!(
            parse_phone("1-888-MSK-CART", Region::US).unwrap().0,
            "+18886752278"
        );
        assert_eq!(
            nums("Call 1-888-MSK-CART to learn more."),
            vec!["+18886752278"]
        );
    }

    #[test]
    fn written_forms_parse() {
        assert_eq!(
            nums("call (216) 844-3951 or 216.844.5432"),
            vec!["+12168443951", "+12168445432"]
        );
        assert_eq!(nums("APPOINTMENTS 800-525-2225"), vec!["+18005252225"]);
        assert_eq!(nums("Phone: +1 833 876 2227"), vec!["+18338762227"]);
        assert_eq!(nums("call 800/422-6237"), vec!["+18004226237"]);
    }

    #[test]
    fn digit_runs_that_are_not_numbers() {
        assert!(nums("Trial NCT04123456789 opened 2023-10-12 in OH 44106-1234.").is_empty());
        assert!(nums("It costs $3,000,000 or 300000000 dollars").is_empty());
        assert!(
            nums("Order number 2168443951").is_empty()
                || nums("Order number 2168443951").len() == 1
        );
        assert!(nums("ID 2168443951X").is_empty());
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("+1%20216%20844%203951"), "+1 216 844 3951");
        assert_eq!(percent_decode("%"), "%");
        assert_eq!(percent_decode("a%2"), "a%2");
    }
}
