//! The synthetic corpus of center pages shared by every benchmark.
//!
//! [`corpus`] writes `n` invented CAR T pages of about 100 KB each, as real
//! hospital pages are: most of the bytes are chrome (mega-menus, footers,
//! inline scripts and styles, SVG sprites, cookie banners, alert bars, award
//! badges, related-article tiles) around a few KB of content (phones,
//! products, conditions, process steps with durations, side effects, review
//! dates). Markup varies per page (semantic HTML5, div soup with random class
//! names, table layouts, ARIA roles) and so does the phrasing. Everything is
//! deterministic for a seed.
//!
//! [`day_variant`] makes the same corpus as of a later day: every page gets
//! chrome noise (build ids, alert-bar dates), and about `change_fraction` of
//! the pages change in a way that matters (a phone number, a product, a
//! duration, a review date).
//!
//! ```
//! let pages = bench::corpus(3, 7);
//! assert_eq!(pages.len(), 3);
//! assert!(pages[0].html.len() > 50_000);
//! let later = bench::day_variant(&pages, 1, 1.0, 7);
//! assert_ne!(pages[0].html, later[0].html);
//! ```

// HTML is written line by line with explicit `\n`s; `writeln!` would hide them.
#![allow(clippy::write_with_newline)]

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::fmt::Write as _;
use std::path::Path;

/// One generated page of one center.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CenterPage {
    /// The center id (lower-case, digits and `-`), also its capture folder name.
    pub center: String,
    /// The page URL.
    pub url: String,
    /// The page HTML (UTF-8).
    pub html: String,
}

fn mix(mut x: u64) -> u64 {
    // splitmix64
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn rng_for(seed: u64, a: u64, b: u64) -> StdRng {
    StdRng::seed_from_u64(
        mix(mix(seed ^ 0xC0FF_EE00) ^ mix(a.wrapping_add(1))) ^ mix(b.wrapping_add(17)),
    )
}

const CITIES: &[&str] = &[
    "Riverside",
    "Lakeshore",
    "Pinecrest",
    "Brookhaven",
    "Fairmont",
    "Cedar Valley",
    "Northfield",
    "Harborview",
    "Summit",
    "Oakridge",
    "Westbrook",
    "Maple Grove",
    "Eastgate",
    "Silver Lake",
    "Granite Falls",
    "Willow Creek",
    "Bayside",
    "Red Rock",
    "Stonebridge",
    "Clearwater",
    "Highland Park",
    "Meadowbrook",
    "Kingsport",
    "Elm City",
    "Sandpoint",
    "Ironwood",
    "Crescent Bay",
    "Foxborough",
    "Bluefield",
    "Ashford",
];
const KINDS: &[&str] = &[
    "Cancer Institute",
    "Medical Center",
    "Children's Hospital",
    "University Health",
    "Comprehensive Cancer Center",
    "Health System",
    "Cancer Center",
    "Regional Medical Center",
];
const AREA_CODES: &[u32] = &[
    212, 216, 312, 412, 617, 713, 415, 206, 303, 404, 614, 801, 919, 503, 615, 602, 702, 813, 305,
    314, 410, 513, 608, 704, 816, 901, 952, 973,
];
const TOLL_FREE: &[u32] = &[800, 833, 844, 855, 866, 877, 888];
const VANITY: &[&str] = &["GET-CART", "CAR-TCEL", "KID-CARE", "HOPE-NOW", "NEW-CELL"];
const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTHS_ABBR: &[&str] = &[
    "Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.",
    "Dec.",
];
/// (brand, generic, short, conditions it is for)
const PRODUCTS: &[(&str, &str, &str, &str)] = &[
    (
        "Kymriah",
        "tisagenlecleucel",
        "tisa-cel",
        "acute lymphoblastic leukemia and large B-cell lymphoma",
    ),
    (
        "Yescarta",
        "axicabtagene ciloleucel",
        "axi-cel",
        "large B-cell lymphoma and follicular lymphoma",
    ),
    (
        "Tecartus",
        "brexucabtagene autoleucel",
        "brexu-cel",
        "mantle cell lymphoma and B-cell ALL",
    ),
    (
        "Breyanzi",
        "lisocabtagene maraleucel",
        "liso-cel",
        "large B-cell lymphoma and CLL",
    ),
    (
        "Abecma",
        "idecabtagene vicleucel",
        "ide-cel",
        "multiple myeloma",
    ),
    (
        "Carvykti",
        "ciltacabtagene autoleucel",
        "cilta-cel",
        "multiple myeloma",
    ),
    (
        "Aucatzyl",
        "obecabtagene autoleucel",
        "obe-cel",
        "B-cell acute lymphoblastic leukemia",
    ),
];
const CONDITIONS: &[&str] = &[
    "large B-cell lymphoma",
    "follicular lymphoma",
    "mantle cell lymphoma",
    "multiple myeloma",
    "acute lymphoblastic leukemia",
    "chronic lymphocytic leukemia",
    "leukemia",
    "lymphoma",
];
const SIDE_EFFECTS: &[&str] = &[
    "cytokine release syndrome (CRS)",
    "neurotoxicity (ICANS)",
    "serious infections",
    "low blood cell counts",
    "allergic reactions during the infusion",
    "low antibody levels (hypogammaglobulinemia)",
    "tumor lysis syndrome",
];
const WORDS: &[&str] = &[
    "patients",
    "families",
    "care",
    "research",
    "program",
    "team",
    "support",
    "services",
    "health",
    "community",
    "clinic",
    "visit",
    "learn",
    "resources",
    "specialists",
    "guide",
    "news",
    "stories",
    "events",
    "giving",
    "volunteer",
    "careers",
    "education",
    "locations",
    "insurance",
    "billing",
    "records",
    "portal",
    "pharmacy",
    "imaging",
    "surgery",
    "oncology",
];

fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> T {
    items[rng.gen_range(0..items.len())]
}

fn class_name(rng: &mut StdRng) -> String {
    let letters = b"abcdefghijklmnopqrstuvwxyz";
    let mut s = String::new();
    for _ in 0..rng.gen_range(2..4) {
        s.push(letters[rng.gen_range(0..26)] as char);
    }
    write!(s, "{}", rng.gen_range(0..999)).ok();
    if rng.gen_bool(0.5) {
        s.push('-');
        for _ in 0..rng.gen_range(3..6) {
            s.push(letters[rng.gen_range(0..26)] as char);
        }
    }
    s
}

fn phone(rng: &mut StdRng, toll_free: bool) -> (u32, u32, u32) {
    let area = if toll_free {
        pick(rng, TOLL_FREE)
    } else {
        pick(rng, AREA_CODES)
    };
    let mut exchange = rng.gen_range(201..990);
    if exchange % 100 == 11 || exchange == 555 {
        exchange += 1;
    }
    (area, exchange, rng.gen_range(1000..9999))
}

fn write_phone(rng: &mut StdRng, (a, e, l): (u32, u32, u32)) -> String {
    match rng.gen_range(0..5) {
        0 => format!("({a}) {e}-{l}"),
        1 => format!("{a}-{e}-{l}"),
        2 => format!("1-{a}-{e}-{l}"),
        3 => format!("{a}.{e}.{l}"),
        _ => format!("+1 {a} {e} {l}"),
    }
}

fn phone_link(rng: &mut StdRng, p: (u32, u32, u32)) -> String {
    let shown = write_phone(rng, p);
    if rng.gen_bool(0.6) {
        format!("<a href=\"tel:+1{}{}{}\">{shown}</a>", p.0, p.1, p.2)
    } else {
        shown
    }
}

fn number_word(n: u32) -> &'static str {
    [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ]
    .get(n as usize)
    .copied()
    .unwrap_or("several")
}

/// The page's markup family.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Style {
    Semantic,
    DivSoup,
    Table,
    Roles,
}

struct Markup {
    style: Style,
    rng_classes: Vec<String>,
}

impl Markup {
    fn open(
        &mut self,
        rng: &mut StdRng,
        semantic: &str,
        role: &str,
        hint: &str,
    ) -> (String, String) {
        match self.style {
            Style::Semantic => (
                format!("<{semantic} class=\"{hint}\">"),
                format!("</{semantic}>"),
            ),
            Style::Roles => {
                if role.is_empty() {
                    (format!("<div id=\"{hint}\">"), "</div>".into())
                } else {
                    (
                        format!("<div role=\"{role}\" id=\"{hint}\">"),
                        "</div>".into(),
                    )
                }
            }
            Style::DivSoup | Style::Table => {
                let c = class_name(rng);
                self.rng_classes.push(c.clone());
                (format!("<div class=\"{c}\">"), "</div>".into())
            }
        }
    }
}

fn lorem_script(rng: &mut StdRng, bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 200);
    s.push_str("<script>\n(function(w,d){'use strict';var cfg={");
    let mut i = 0;
    while s.len() < bytes {
        let k = class_name(rng).replace('-', "_");
        write!(
            s,
            "\"{k}\":{{\"id\":{},\"path\":\"/{}/{}\",\"t\":\"{}\"}},",
            rng.gen_range(0..100000),
            pick(rng, WORDS),
            pick(rng, WORDS),
            pick(rng, WORDS)
        )
        .ok();
        if i % 7 == 0 {
            write!(
                s,
                "\nfunction f{i}(a,b){{return a&&b?a[b]||d.querySelector('.{k}'):null}};"
            )
            .ok();
        }
        i += 1;
    }
    s.push_str("};w.__cfg=cfg;})(window,document);\n</script>\n");
    s
}

fn style_block(rng: &mut StdRng, bytes: usize) -> String {
    let mut s = String::from("<style>\n");
    while s.len() < bytes {
        let c = class_name(rng);
        write!(
            s,
            ".{c}{{margin:{}px {}px;padding:{}px;color:#{:06x};font-size:{}rem}}\n",
            rng.gen_range(0..40),
            rng.gen_range(0..40),
            rng.gen_range(0..20),
            rng.gen_range(0..0xFFFFFFu32),
            rng.gen_range(1..3)
        )
        .ok();
    }
    s.push_str("</style>\n");
    s
}

fn svg_sprite(rng: &mut StdRng) -> String {
    let mut s = String::from("<svg style=\"display:none\" xmlns=\"http://www.w3.org/2000/svg\">");
    for _ in 0..20 {
        write!(
            s,
            "<symbol id=\"i-{}\" viewBox=\"0 0 24 24\"><path d=\"M{} {}L{} {}C{} {} {} {} {} {}Z\"/></symbol>",
            class_name(rng),
            rng.gen_range(0..24),
            rng.gen_range(0..24),
            rng.gen_range(0..24),
            rng.gen_range(0..24),
            rng.gen_range(0..24),
            rng.gen_range(0..24),
            rng.gen_range(0..24),
            rng.gen_range(0..24),
            rng.gen_range(0..24),
            rng.gen_range(0..24)
        )
        .ok();
    }
    s.push_str("</svg>\n");
    s
}

fn menu(rng: &mut StdRng, m: &mut Markup, groups: usize) -> String {
    let (open, close) = m.open(rng, "nav", "navigation", "main-nav mega-menu");
    let mut s = open;
    for _ in 0..groups {
        let title = format!(
            "{} {}",
            capitalize(pick(rng, WORDS)),
            capitalize(pick(rng, WORDS))
        );
        write!(
            s,
            "<div class=\"{}\"><span>{title}</span><ul>",
            class_name(rng)
        )
        .ok();
        for _ in 0..rng.gen_range(6..14) {
            write!(
                s,
                "<li><a href=\"/{}/{}\">{} {}</a></li>",
                pick(rng, WORDS),
                pick(rng, WORDS),
                capitalize(pick(rng, WORDS)),
                pick(rng, WORDS)
            )
            .ok();
        }
        s.push_str("</ul></div>");
    }
    s.push_str(&close);
    s.push('\n');
    s
}

fn capitalize(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

struct Spec {
    name: String,
    main_phone: (u32, u32, u32),
    appointment_phone: (u32, u32, u32),
    referral_phone: Option<(u32, u32, u32)>,
    vanity: Option<(u32, &'static str)>,
    email: Option<String>,
    products: Vec<usize>,
    generic_names: bool,
    conditions: Vec<usize>,
    pediatric: bool,
    trials: bool,
    on_site: bool,
    review: (u32, usize, u32),
    collection_hours: (u32, u32),
    infusion_minutes: (u32, u32),
    side_effects: Vec<usize>,
    cost: Option<(u32, u32)>,
}

fn spec(rng: &mut StdRng, index: usize) -> Spec {
    let city = CITIES[index % CITIES.len()];
    let kind = KINDS[(index / CITIES.len() + rng.gen_range(0..KINDS.len())) % KINDS.len()];
    let mut products: Vec<usize> = (0..PRODUCTS.len()).collect();
    products.shuffle(rng);
    products.truncate(rng.gen_range(0..5));
    products.sort();
    let mut conditions: Vec<usize> = (0..CONDITIONS.len()).collect();
    conditions.shuffle(rng);
    conditions.truncate(rng.gen_range(1..4));
    conditions.sort();
    let mut side_effects: Vec<usize> = (0..SIDE_EFFECTS.len()).collect();
    side_effects.shuffle(rng);
    side_effects.truncate(rng.gen_range(2..6));
    side_effects.sort();
    let lo = rng.gen_range(1..4);
    let ilo = pick(rng, &[15, 20, 30]);
    let toll_free = rng.gen_bool(0.4);
    Spec {
        name: format!("{city} {kind}"),
        main_phone: phone(rng, false),
        appointment_phone: phone(rng, toll_free),
        referral_phone: rng.gen_bool(0.6).then(|| phone(rng, false)),
        vanity: rng
            .gen_bool(0.25)
            .then(|| (pick(rng, TOLL_FREE), pick(rng, VANITY))),
        email: rng.gen_bool(0.4).then(|| {
            format!(
                "cart{}@{}.example.org",
                index,
                city.to_lowercase().replace(' ', "")
            )
        }),
        products,
        generic_names: rng.gen_bool(0.3),
        conditions,
        pediatric: rng.gen_bool(0.3),
        trials: rng.gen_bool(0.6),
        on_site: rng.gen_bool(0.2),
        review: (
            rng.gen_range(2021..2027),
            rng.gen_range(0..12),
            rng.gen_range(1..29),
        ),
        collection_hours: (lo, lo + rng.gen_range(1..3)),
        infusion_minutes: (ilo, ilo * 2),
        side_effects,
        cost: rng.gen_bool(0.2).then(|| {
            (
                rng.gen_range(25..40) * 10_000,
                rng.gen_range(40..55) * 10_000,
            )
        }),
    }
}

fn content(rng: &mut StdRng, s: &Spec, m: &mut Markup) -> String {
    let mut c = String::with_capacity(16_000);
    let h = |c: &mut String, level: u8, text: &str| {
        writeln!(c, "<h{level}>{text}</h{level}>").ok();
    };
    h(&mut c, 1, &format!("CAR T-Cell Therapy at {}", s.name));
    let intro = [
        "Chimeric antigen receptor (CAR) T-cell therapy is a type of immunotherapy that uses your own immune cells to find and destroy cancer.",
        "CAR T-cell therapy reprograms a patient's own T cells, a kind of white blood cell, so they can recognize and attack cancer cells.",
        "CAR T therapy is a personalized treatment: your own T cells are changed in a lab so they can fight your cancer.",
    ];
    writeln!(c, "<p>{} Our team has treated hundreds of patients with this therapy, and we work closely with your own doctors at home.</p>", pick(rng, &intro)).ok();
    let (year, month, day) = s.review;
    match rng.gen_range(0..3) {
        0 => writeln!(c, "<p class=\"byline\">Medically reviewed by Dr. Jordan Lee, MD, on {} {day}, {year}.</p>", MONTHS_ABBR[month]).ok(),
        1 => writeln!(c, "<p>Last reviewed: {} {day}, {year}</p>", MONTHS[month]).ok(),
        _ => writeln!(c, "<p><small>Page last updated {}/{day}/{year}</small></p>", month + 1).ok(),
    };
    h(&mut c, 2, "Who can be treated");
    let conds: Vec<&str> = s.conditions.iter().map(|&i| CONDITIONS[i]).collect();
    if rng.gen_bool(0.5) {
        writeln!(
            c,
            "<p>We use CAR T-cell therapy to treat {}.</p>",
            join_and(&conds)
        )
        .ok();
    } else {
        c.push_str("<p>CAR T-cell therapy may be an option for people with:</p><ul>");
        for cond in &conds {
            write!(c, "<li>{}</li>", capitalize(cond)).ok();
        }
        c.push_str("</ul>\n");
    }
    if s.pediatric {
        writeln!(c, "<p>Our pediatric program treats children and young adults up to age 25 with relapsed leukemia.</p>").ok();
    }
    c.push_str("<!--cw:offerings-->\n");
    if !s.products.is_empty() {
        h(&mut c, 2, "Approved therapies we offer");
        let names: Vec<String> = s
            .products
            .iter()
            .map(|&i| {
                let (brand, generic, short, _) = PRODUCTS[i];
                if s.generic_names {
                    format!("{generic} ({short})")
                } else {
                    format!("{brand} ({generic})")
                }
            })
            .collect();
        if rng.gen_bool(0.5) {
            writeln!(
                c,
                "<p>We offer the following FDA-approved CAR T-cell therapies: {}.</p>",
                join_and(&names.iter().map(|s| s.as_str()).collect::<Vec<_>>())
            )
            .ok();
        } else {
            c.push_str("<ul class=\"product-list\">");
            for (n, &i) in names.iter().zip(&s.products) {
                write!(c, "<li>{n}, for {}</li>", PRODUCTS[i].3).ok();
            }
            c.push_str("</ul>\n");
        }
    }
    if s.trials {
        writeln!(c, "<p>We also enroll patients in clinical trials of new CAR T-cell therapies, including trials for solid tumors.</p>").ok();
    }
    if s.on_site {
        writeln!(c, "<p>Our cell therapy laboratory manufactures CAR T cells on site, so cells do not need to be shipped.</p>").ok();
    }
    h(&mut c, 2, "What to expect");
    let (clo, chi) = s.collection_hours;
    let (ilo, ihi) = s.infusion_minutes;
    let steps = [
        ("Evaluation", "First, our team meets with you for a thorough evaluation to determine if you are eligible for treatment.".to_string()),
        ("Collecting your T cells", format!("Your T cells are collected through a process called leukapheresis, which takes {} to {} hours.", number_word(clo), number_word(chi))),
        ("Making the CAR T cells", "Your cells are sent to a special laboratory where they are genetically modified and multiplied over three to four weeks.".to_string()),
        ("Bridging therapy", "While your cells are being made, you may receive bridging therapy to keep the cancer under control.".to_string()),
        ("Chemotherapy", "A few days before the infusion, you receive a short course of lymphodepleting chemotherapy.".to_string()),
        ("Infusion", format!("The CAR T cells are infused through an IV. The infusion takes {ilo} to {ihi} minutes.")),
        ("Recovery and monitoring", "After the infusion, we monitor you closely for at least two weeks, and you stay within two hours of the hospital for four weeks.".to_string()),
    ];
    match rng.gen_range(0..3) {
        0 => {
            c.push_str("<ol>");
            for (title, text) in &steps {
                write!(c, "<li><strong>{title}.</strong> {text}</li>").ok();
            }
            c.push_str("</ol>\n");
        }
        1 => {
            for (title, text) in &steps {
                h(&mut c, 3, title);
                writeln!(c, "<p>{text}</p>").ok();
            }
        }
        _ => {
            let (open, close) = m.open(rng, "section", "", "steps");
            c.push_str(&open);
            for (title, text) in &steps {
                write!(
                    c,
                    "<div class=\"{}\"><b>{title}</b><div>{text}</div></div>",
                    class_name(rng)
                )
                .ok();
            }
            c.push_str(&close);
        }
    }
    h(&mut c, 2, "Side effects");
    let ses: Vec<&str> = s.side_effects.iter().map(|&i| SIDE_EFFECTS[i]).collect();
    writeln!(c, "<p>CAR T-cell therapy can cause serious side effects. Possible side effects include:</p><ul>{}</ul>", ses.iter().map(|x| format!("<li>{x}</li>")).collect::<String>()).ok();
    if let Some((lo, hi)) = s.cost {
        writeln!(c, "<p>The cost of CAR T-cell therapy ranges from ${},{:03} to ${},{:03}, and most insurance plans cover part of it.</p>", lo / 1000, lo % 1000, hi / 1000, hi % 1000).ok();
    }
    h(&mut c, 2, "Contact us");
    writeln!(
        c,
        "<p>To schedule an appointment, call {}.</p>",
        phone_link(rng, s.appointment_phone)
    )
    .ok();
    if let Some(p) = s.referral_phone {
        writeln!(
            c,
            "<p>Physicians who want to refer a patient can call our referral line at {}.</p>",
            phone_link(rng, p)
        )
        .ok();
    }
    if let Some((area, word)) = s.vanity {
        writeln!(
            c,
            "<p>Call 1-{area}-{word} to learn more about CAR T-cell therapy.</p>"
        )
        .ok();
    }
    if let Some(email) = &s.email {
        writeln!(c, "<p>Questions? Email our CAR T coordinators at <a href=\"mailto:{email}\">{email}</a>.</p>").ok();
    }
    for _ in 0..rng.gen_range(2..5) {
        writeln!(c, "<p>{} Our {} and {} {} help every family find the {} they need, from the first visit through years of follow-up care.</p>", pick(rng, &intro), pick(rng, WORDS), pick(rng, WORDS), pick(rng, WORDS), pick(rng, WORDS)).ok();
    }
    c
}

fn join_and(items: &[&str]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].to_string(),
        2 => format!("{} and {}", items[0], items[1]),
        n => format!("{}, and {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

fn page(seed: u64, index: usize) -> CenterPage {
    let mut rng = rng_for(seed, index as u64, 0);
    let s = spec(&mut rng, index);
    let style = match index % 4 {
        0 => Style::Semantic,
        1 => Style::DivSoup,
        2 => Style::Table,
        _ => Style::Roles,
    };
    let mut m = Markup {
        style,
        rng_classes: Vec::new(),
    };
    let slug = s
        .name
        .to_lowercase()
        .replace(['\'', ' '], "-")
        .replace("--", "-");
    let center = format!("{slug}-{index}");
    let url = format!(
        "https://www.{}.example.org/cancer/car-t-cell-therapy",
        slug.replace('-', "")
    );
    let mut h = String::with_capacity(110_000);
    write!(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>CAR T-Cell Therapy | {}</title>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n", s.name).ok();
    h.push_str(&style_block(&mut rng, 9_000));
    h.push_str(&lorem_script(&mut rng, 22_000));
    h.push_str("<script type=\"application/ld+json\">{\"@context\":\"https://schema.org\",\"@type\":\"MedicalWebPage\"}</script>\n");
    write!(
        h,
        "<script>var __build=\"day0-{}\";</script>\n",
        rng.gen_range(0..1_000_000)
    )
    .ok();
    h.push_str("</head>\n<body>\n");
    h.push_str(&svg_sprite(&mut rng));
    // Cookie banner and alert bar.
    let (open, close) = m.open(&mut rng, "div", "dialog", "cookie-consent");
    write!(h, "{open}<p>We use cookies to improve your experience. By continuing, you agree to our Privacy Policy and Cookie Notice.</p><button>Accept</button>{close}\n").ok();
    let (open, close) = m.open(&mut rng, "div", "alert", "alert-bar");
    write!(h, "{open}<p>Visitor update <span class=\"alert-date\">March 3, 2024</span>: masks are optional in most areas. Call (555) 010-0000 for the COVID hotline.</p>{close}\n").ok();
    // Header with the main number.
    let (open, close) = m.open(&mut rng, "header", "banner", "site-header");
    write!(
        h,
        "{open}<a href=\"/\">{}</a><p>Main line: {}</p>",
        s.name,
        write_phone(&mut rng, s.main_phone)
    )
    .ok();
    h.push_str(&menu(&mut rng, &mut m, 10));
    h.push_str(&close);
    h.push('\n');
    let body = content(&mut rng, &s, &mut m);
    let related = {
        let (open, close) = m.open(&mut rng, "aside", "complementary", "related-articles");
        let mut r = open;
        r.push_str("<h2>Related articles</h2>");
        for _ in 0..6 {
            write!(r, "<div class=\"{}\"><h3><a href=\"/news/{}\">{} {} {}</a></h3><p>Read how our {} team is changing {} for {}.</p></div>", class_name(&mut rng), class_name(&mut rng), capitalize(pick(&mut rng, WORDS)), pick(&mut rng, WORDS), pick(&mut rng, WORDS), pick(&mut rng, WORDS), pick(&mut rng, WORDS), pick(&mut rng, WORDS)).ok();
        }
        r.push_str("<h2>Awards</h2><p>Ranked among the nation's best hospitals for cancer, leukemia, lymphoma and myeloma care.</p>");
        r.push_str("<h2>Newsletter</h2><p>Sign up for our newsletter to get health tips.</p>");
        r.push_str(&close);
        r
    };
    match style {
        Style::Table => {
            write!(h, "<table width=\"100%\"><tr><td class=\"{}\" valign=\"top\">{}</td><td class=\"{}\">{body}</td><td class=\"{}\">{related}</td></tr></table>\n", class_name(&mut rng), menu(&mut rng, &mut m, 3), class_name(&mut rng), class_name(&mut rng)).ok();
        }
        Style::Semantic => {
            write!(
                h,
                "<main id=\"main-content\"><article>{body}</article></main>\n{related}\n"
            )
            .ok();
        }
        Style::Roles => {
            write!(
                h,
                "<div role=\"main\" id=\"content\">{body}</div>\n{related}\n"
            )
            .ok();
        }
        Style::DivSoup => {
            let a = class_name(&mut rng);
            let b = class_name(&mut rng);
            write!(
                h,
                "<div class=\"{a}\"><div class=\"{b}\">{body}</div>{related}</div>\n"
            )
            .ok();
        }
    }
    // Footer: more links, the main number, an address with a zip code.
    let (open, close) = m.open(&mut rng, "footer", "contentinfo", "site-footer");
    h.push_str(&open);
    for _ in 0..5 {
        h.push_str("<ul>");
        for _ in 0..12 {
            write!(
                h,
                "<li><a href=\"/{}\">{} {}</a></li>",
                pick(&mut rng, WORDS),
                capitalize(pick(&mut rng, WORDS)),
                pick(&mut rng, WORDS)
            )
            .ok();
        }
        h.push_str("</ul>");
    }
    write!(h, "<p>{} | 100 Medical Center Drive, {}, OH 44106 | {}</p><p>Copyright 2026 {}. All rights reserved.</p>", s.name, CITIES[index % CITIES.len()], write_phone(&mut rng, s.main_phone), s.name).ok();
    h.push_str(&close);
    // Pad to about 100 KB with the kind of scripts real pages end with.
    let target = rng.gen_range(95_000..110_000);
    if h.len() + 200 < target {
        let need = target - h.len();
        h.push_str(&lorem_script(&mut rng, need));
    }
    h.push_str("</body>\n</html>\n");
    CenterPage {
        center,
        url,
        html: h,
    }
}

/// `n` varied center pages, deterministic for a seed.
pub fn corpus(n: usize, seed: u64) -> Vec<CenterPage> {
    (0..n).map(|i| page(seed, i)).collect()
}

/// A phone number written anywhere in `html`, as (area, exchange, line) digits.
fn find_phone(html: &str) -> Option<String> {
    let at = html.find("href=\"tel:+1")?;
    Some(html[at + 12..at + 22].to_string())
}

fn replace_number(html: &str, old: &str, new: &str) -> String {
    let (oa, oe, ol) = (&old[0..3], &old[3..6], &old[6..10]);
    let (na, ne, nl) = (&new[0..3], &new[3..6], &new[6..10]);
    let mut out = html.replace(old, new);
    for (from, to) in [
        (format!("({oa}) {oe}-{ol}"), format!("({na}) {ne}-{nl}")),
        (format!("{oa}-{oe}-{ol}"), format!("{na}-{ne}-{nl}")),
        (format!("{oa}.{oe}.{ol}"), format!("{na}.{ne}.{nl}")),
        (format!("{oa} {oe} {ol}"), format!("{na} {ne} {nl}")),
    ] {
        out = out.replace(&from, &to);
    }
    out
}

/// The corpus as of a later `day`: chrome noise on every page (build ids,
/// alert-bar dates) and, on about `change_fraction` of the pages, one change
/// that matters: a phone number, an added product, a duration or a review date.
pub fn day_variant(
    pages: &[CenterPage],
    day: u32,
    change_fraction: f64,
    seed: u64,
) -> Vec<CenterPage> {
    let fraction = if change_fraction.is_finite() {
        change_fraction.clamp(0.0, 1.0)
    } else {
        0.0
    };
    pages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut rng = rng_for(seed, i as u64, day as u64 + 1);
            let mut html = p.html.clone();
            // Noise: the build id and the alert bar's date change every day.
            if let Some(at) = html.find("var __build=\"") {
                if let Some(end) = html[at + 13..].find('"') {
                    html.replace_range(
                        at + 13..at + 13 + end,
                        &format!("day{day}-{}", rng.gen_range(0..1_000_000)),
                    );
                }
            }
            html = html.replace("March 3, 2024", &format!("March {}, 2024", 1 + day % 28));
            if rng.gen_bool(fraction) {
                let kind = rng.gen_range(0..4);
                html = match kind {
                    0 => match find_phone(&html) {
                        Some(old) => {
                            let (a, e, l) = phone(&mut rng, false);
                            replace_number(&html, &old, &format!("{a}{e}{l}"))
                        }
                        None => add_product(&html, &mut rng),
                    },
                    1 => add_product(&html, &mut rng),
                    2 => {
                        let n = rng.gen_range(5..9);
                        html.replacen(
                            "over three to four weeks",
                            &format!("over {} to {} weeks", number_word(n - 2), number_word(n)),
                            1,
                        )
                    }
                    _ => html
                        .replacen(", 2021.", ", 2027.", 1)
                        .replacen(", 2022", ", 2027", 1)
                        .replacen(", 2023", ", 2027", 1)
                        .replacen("/2024<", "/2027<", 1)
                        .replacen(", 2025", ", 2027", 1),
                };
            }
            CenterPage {
                center: p.center.clone(),
                url: p.url.clone(),
                html,
            }
        })
        .collect()
}

fn add_product(html: &str, rng: &mut StdRng) -> String {
    let missing: Vec<&(&str, &str, &str, &str)> = PRODUCTS
        .iter()
        .filter(|p| !html.contains(p.0) && !html.contains(p.1))
        .collect();
    let Some(p) = missing.choose(rng) else {
        return html.to_string();
    };
    html.replacen(
        "<!--cw:offerings-->",
        &format!(
            "<!--cw:offerings--><p>New: we now offer {} ({}) for {}.</p>",
            p.0, p.1, p.3
        ),
        1,
    )
}

/// A `config/centers.toml` naming every center of `pages`.
pub fn centers_toml(pages: &[CenterPage]) -> String {
    let mut s = String::from("# Generated by `cargo run -p bench --bin gen`: synthetic centers.\n\n[fetch]\nmin_delay_ms = 0\nallow_private = true\n");
    let mut seen = std::collections::BTreeSet::new();
    for p in pages {
        if !seen.insert(p.center.clone()) {
            continue;
        }
        let name = p
            .html
            .find("<title>")
            .and_then(|a| {
                p.html[a + 7..]
                    .find("</title>")
                    .map(|b| &p.html[a + 7..a + 7 + b])
            })
            .and_then(|t| t.rsplit(" | ").next())
            .unwrap_or(&p.center)
            .replace('"', "'");
        let urls: Vec<String> = pages
            .iter()
            .filter(|q| q.center == p.center)
            .map(|q| format!("{:?}", q.url))
            .collect();
        write!(
            s,
            "\n[[center]]\nid = {:?}\nname = {:?}\nkind = \"cancer_center\"\npages = [{}]\n",
            p.center,
            name,
            urls.join(", ")
        )
        .ok();
    }
    s
}

/// Writes `pages` as a capture folder (`<dir>/<center>/1.json` + `1.html`,
/// read by `cartwatch_fetcher::read_capture_dir`), fetched on day 0.
pub fn write_capture_dir(dir: &Path, pages: &[CenterPage]) -> anyhow::Result<()> {
    write_capture_dir_for_day(dir, pages, 0)
}

/// Like [`write_capture_dir`], with fetch times on `day` (days after 2026-11-01).
pub fn write_capture_dir_for_day(dir: &Path, pages: &[CenterPage], day: u32) -> anyhow::Result<()> {
    use anyhow::Context;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let taken_at = format!("{}T06:00:00Z", date_after_nov_1_2026(day));
    std::fs::write(
        dir.join("capture.toml"),
        format!("taken_at = \"{taken_at}\"\nlabel = \"Synthetic corpus, day {day}\"\n"),
    )
    .with_context(|| format!("cannot write {}", dir.join("capture.toml").display()))?;
    let captures: Vec<cartwatch_model::Capture> = pages
        .iter()
        .map(|p| cartwatch_model::Capture {
            center: p.center.clone(),
            url: p.url.clone(),
            final_url: None,
            redirects: vec![],
            status: Some(200),
            content_type: Some("text/html; charset=utf-8".into()),
            etag: None,
            last_modified: None,
            fetched_at: taken_at.clone(),
            outcome: cartwatch_model::FetchOutcome::Ok,
            error: None,
            attempts: 1,
            body: Some(p.html.as_bytes().to_vec()),
            rendered_by: Default::default(),
        })
        .collect();
    cartwatch_fetcher::write_capture_dir(dir, &captures)
        .with_context(|| format!("cannot write the capture folder {}", dir.display()))?;
    Ok(())
}

/// The ISO date `day` days after 2026-11-01.
fn date_after_nov_1_2026(day: u32) -> String {
    let (mut y, mut m, mut d) = (2026u32, 11u32, 1u32 + day);
    loop {
        let len = match m {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
            _ => 28,
        };
        if d <= len {
            return format!("{y:04}-{m:02}-{d:02}");
        }
        d -= len;
        m += 1;
        if m == 13 {
            m = 1;
            y += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_dates() {
        assert_eq!(date_after_nov_1_2026(0), "2026-11-01");
        assert_eq!(date_after_nov_1_2026(30), "2026-12-01");
        assert_eq!(date_after_nov_1_2026(61), "2027-01-01");
    }

    #[test]
    fn corpus_is_deterministic_varied_and_page_sized() {
        let a = corpus(8, 42);
        let b = corpus(8, 42);
        assert_eq!(a, b);
        assert_ne!(corpus(2, 43)[0].html, a[0].html);
        for p in &a {
            assert!(
                (80_000..130_000).contains(&p.html.len()),
                "{} bytes",
                p.html.len()
            );
        }
        let centers: std::collections::BTreeSet<_> = a.iter().map(|p| &p.center).collect();
        assert_eq!(centers.len(), 8);
        assert!(a.iter().any(|p| p.html.contains("<main")));
        assert!(a.iter().any(|p| p.html.contains("<table")));
    }

    #[test]
    fn day_variant_changes_about_the_fraction() {
        let pages = corpus(40, 1);
        let later = day_variant(&pages, 3, 0.25, 9);
        assert_eq!(later, day_variant(&pages, 3, 0.25, 9));
        let meaningful = pages
            .iter()
            .zip(&later)
            .filter(|(a, b)| strip_noise(&a.html) != strip_noise(&b.html))
            .count();
        assert!((3..=20).contains(&meaningful), "{meaningful} of 40 changed");
        let none = day_variant(&pages, 3, 0.0, 9);
        assert!(pages
            .iter()
            .zip(&none)
            .all(|(a, b)| strip_noise(&a.html) == strip_noise(&b.html)));
    }

    fn strip_noise(html: &str) -> String {
        let at = html.find("var __build=").unwrap();
        let end = at + html[at..].find(';').unwrap();
        let mut s = html.to_string();
        s.replace_range(at..end, "");
        let alert = s.find("Visitor update").unwrap();
        s.replace_range(alert..alert + 60, "");
        s
    }

    #[test]
    fn capture_folder_round_trips_through_the_fetcher_reader() {
        let dir = tempfile::tempdir().unwrap();
        let pages = corpus(3, 5);
        write_capture_dir(dir.path(), &pages).unwrap();
        let set = cartwatch_fetcher::read_capture_dir(dir.path()).unwrap();
        assert_eq!(set.captures.len(), 3);
        let c = set.find(&pages[1].center, &pages[1].url).unwrap();
        assert_eq!(c.body.as_deref(), Some(pages[1].html.as_bytes()));
        let config =
            cartwatch_model::Config::from_toml_str(&centers_toml(&pages), "gen.toml").unwrap();
        assert_eq!(config.centers.len(), 3);
    }
}
