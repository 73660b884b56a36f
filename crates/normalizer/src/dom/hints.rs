//! Evidence of where a block stands, read from tag names, ARIA roles and
//! class/id tokens.

use super::{BlockKind, Hint};

/// True when a class/id value names the top of the page's own content
/// (`hero-banner`): a hero section is content, never a cookie banner.
pub(super) fn names_content(value: &str) -> bool {
    value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| w.eq_ignore_ascii_case("hero"))
}

/// Tags that start a new text block.
pub(super) fn is_block_tag(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "body"
            | "caption"
            | "center"
            | "dd"
            | "details"
            | "dialog"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "hr"
            | "html"
            | "legend"
            | "li"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "td"
            | "tfoot"
            | "th"
            | "thead"
            | "tr"
            | "ul"
    )
}

/// Tags whose content is never text of the page (`noscript` is read apart, as a fallback).
pub(super) fn is_skip_tag(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "svg"
            | "math"
            | "iframe"
            | "object"
            | "embed"
            | "canvas"
            | "select"
            | "textarea"
            | "video"
            | "audio"
    )
}

/// The block kind a block tag gives its text.
pub(super) fn kind_of_tag(name: &str) -> BlockKind {
    match name {
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => BlockKind::Heading,
        "li" | "dt" | "dd" => BlockKind::ListItem,
        "td" | "th" => BlockKind::Cell,
        _ => BlockKind::Para,
    }
}

/// Whole class/id tokens that mark chrome.
const EXACT_TOKENS: &[(&[&str], Hint)] = &[
    (
        &[
            "nav",
            "navbar",
            "navigation",
            "navlist",
            "menu",
            "menus",
            "mainmenu",
            "megamenu",
            "submenu",
            "breadcrumb",
            "breadcrumbs",
            "crumbs",
            "skip",
            "skiplink",
            "skiplinks",
            "pagination",
            "pager",
            "toolbar",
            "sitemap",
            "quicklinks",
            "utility",
            "toc",
            "jumplinks",
            "topnav",
            "subnav",
            "sidenav",
            "menubar",
        ],
        Hint::Nav,
    ),
    (
        &[
            "header",
            "masthead",
            "hdr",
            "hd",
            "topbar",
            "siteheader",
            "logo",
            "branding",
        ],
        Hint::Header,
    ),
    (
        &[
            "footer",
            "foot",
            "ft",
            "bottom",
            "copyright",
            "colophon",
            "legal",
            "sitefooter",
            "subfooter",
        ],
        Hint::Footer,
    ),
    (
        &[
            "sidebar",
            "side",
            "aside",
            "rail",
            "related",
            "promo",
            "promos",
            "promotion",
            "promotions",
            "tiles",
            "carousel",
            "slider",
            "recommended",
            "recommendations",
            "trending",
            "popular",
            "share",
            "sharing",
            "sharebar",
            "social",
            "socialmedia",
            "newsletter",
            "signup",
            "subscribe",
            "subscription",
            "award",
            "awards",
            "badge",
            "badges",
            "accreditation",
            "accreditations",
            "ad",
            "ads",
            "advert",
            "advertisement",
            "sponsor",
            "sponsored",
            "widget",
            "widgets",
            "pagenav",
            "teaser",
            "teasers",
            "morestories",
            "disclaimer",
            "disclaimers",
            "feedback",
        ],
        Hint::Aside,
    ),
    (
        &[
            "cookie",
            "cookies",
            "cookiebar",
            "consent",
            "gdpr",
            "ccpa",
            "banner",
            "alert",
            "alerts",
            "alertbar",
            "notice",
            "notification",
            "notifications",
            "announcement",
            "announcements",
            "emergency",
            "modal",
            "popup",
            "overlay",
            "lightbox",
            "interstitial",
            "onetrust",
            "optanon",
        ],
        Hint::Notice,
    ),
];

/// Parts of longer tokens that mark chrome (`sitefooter`, `jp-relatedposts`).
const TOKEN_PARTS: &[(&str, Hint)] = &[
    ("cookie", Hint::Notice),
    ("consent", Hint::Notice),
    ("footer", Hint::Footer),
    ("header", Hint::Header),
    ("navbar", Hint::Nav),
    ("navigation", Hint::Nav),
    ("megamenu", Hint::Nav),
    ("breadcrumb", Hint::Nav),
    ("sidebar", Hint::Aside),
    ("newsletter", Hint::Aside),
    ("related", Hint::Aside),
    ("social", Hint::Aside),
    ("promo", Hint::Aside),
    ("sharing", Hint::Aside),
    ("sharebar", Hint::Aside),
];

/// Tokens shorter than this are only matched whole.
const MIN_TOKEN_FOR_PARTS: usize = 6;

/// The chrome hint a lower-case class or id token carries, with the static
/// spelling of the token (or part) that gave it.
fn token_hint(token: &str) -> Option<(Hint, &'static str)> {
    for (tokens, hint) in EXACT_TOKENS {
        if let Some(t) = tokens.iter().find(|t| **t == token) {
            return Some((*hint, t));
        }
    }
    if token.len() < MIN_TOKEN_FOR_PARTS {
        return None;
    }
    TOKEN_PARTS
        .iter()
        .find(|(part, _)| token.contains(part))
        .map(|(part, hint)| (*hint, *part))
}

/// The chrome hint of a class or id value and the token that gave it;
/// values are split into lower-case tokens (`site-footer`, `mainNav`).
pub(super) fn hint_of_attr(value: &str) -> Option<(Hint, &'static str)> {
    let mut best: Option<(Hint, &'static str)> = None;
    // "side-effects" is content, not a sidebar.
    let lower = value.to_ascii_lowercase();
    let value = if lower.contains("side") && lower.contains("effect") {
        lower
            .replace("side-effect", "sideeffect")
            .replace("side_effect", "sideeffect")
            .replace("side effect", "sideeffect")
    } else {
        value.to_string()
    };
    for word in value.split(|c: char| !c.is_ascii_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        let lower = word.to_ascii_lowercase();
        if let Some(h) = token_hint(&lower) {
            best = Some(h);
            break;
        }
        // camelCase: mainNav, cookieBanner
        let mut start = 0;
        let bytes = word.as_bytes();
        for i in 1..=bytes.len() {
            let boundary = i == bytes.len()
                || (bytes[i].is_ascii_uppercase() && bytes[i - 1].is_ascii_lowercase());
            if boundary {
                if start > 0 || i < bytes.len() {
                    if let Some(h) = token_hint(&word[start..i].to_ascii_lowercase()) {
                        best = Some(h);
                    }
                }
                start = i;
            }
        }
        if best.is_some() {
            break;
        }
    }
    best
}

/// The chrome hint of an ARIA role.
pub(super) fn role_hint(role: &str) -> Option<Hint> {
    match role.trim().to_ascii_lowercase().as_str() {
        "navigation" | "menu" | "menubar" | "search" => Some(Hint::Nav),
        "banner" => Some(Hint::Header),
        "contentinfo" => Some(Hint::Footer),
        "complementary" => Some(Hint::Aside),
        "alert" | "alertdialog" | "dialog" | "status" | "marquee" => Some(Hint::Notice),
        _ => None,
    }
}
