//! The region a page's phone numbers are read in: the center's country from
//! the config, else the page URL's country domain (`.uk`, `.nhs.uk`, `.ca`,
//! `.au`, `.de`, ...), else `<html lang="en-GB">`, else the US. Numbers
//! written with a country code (`+44`, `+1`) are read as written whatever
//! the region.

use phonenumber::country::Id;

/// Where a page's numbers without a country code are dialled from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Region {
    /// The libphonenumber region.
    pub id: Id,
    /// Whether the region is in the North American Numbering Plan (+1),
    /// where ten-digit and vanity numbers are read.
    pub nanp: bool,
}

impl Region {
    /// The United States, the fallback.
    pub(crate) const US: Region = Region {
        id: Id::US,
        nanp: true,
    };

    fn from_code(code: &str) -> Option<Region> {
        let upper = code.trim().to_ascii_uppercase();
        let upper = if upper == "UK" {
            "GB".to_string()
        } else {
            upper
        };
        if upper.len() != 2 || !upper.bytes().all(|b| b.is_ascii_uppercase()) {
            return None;
        }
        let id: Id = upper.parse().ok()?;
        let nanp = phonenumber::metadata::DATABASE
            .by_id(id.as_ref())
            .is_some_and(|m| m.country_code() == 1);
        Some(Region { id, nanp })
    }
}

/// Country-code domains that sites use for other meanings (`.io`, `.co`,
/// `.tv`, ...): they say nothing about where the center is.
const GENERIC_CC_DOMAINS: [&str; 12] = [
    "io", "co", "ai", "me", "tv", "ly", "fm", "ws", "to", "cc", "gg", "am",
];

/// The region of a page: `country` (ISO 3166 alpha-2 from the center's
/// config), else the URL's country domain, else the `<html lang>` region,
/// else the US. An unknown code is passed over.
pub(crate) fn page_region(country: Option<&str>, url: &str, html: &str) -> Region {
    country
        .and_then(Region::from_code)
        .or_else(|| url_region(url))
        .or_else(|| lang_region(html))
        .unwrap_or(Region::US)
}

fn url_region(url: &str) -> Option<Region> {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or(host);
    let host = host.split(':').next().unwrap_or(host);
    let tld = host.trim_end_matches('.').rsplit('.').next()?;
    if tld.len() != 2 || GENERIC_CC_DOMAINS.contains(&tld.to_ascii_lowercase().as_str()) {
        return None;
    }
    Region::from_code(tld)
}

/// The region subtag of the `<html lang>` attribute ("en-GB" is GB; "en" is none).
fn lang_region(html: &str) -> Option<Region> {
    // The <html> tag stands near the top; look no further than 8 KB.
    let head = html.get(..html.len().min(8192)).unwrap_or(html);
    let lower = head.to_ascii_lowercase();
    let start = lower.find("<html")?;
    let end = start + lower[start..].find('>')?;
    let tag = &lower[start..end];
    let mut from = 0;
    while let Some(at) = tag[from..].find("lang") {
        let at = from + at;
        from = at + 4;
        // `xml:lang` and `lang`, not `data-lang-x`.
        let before = tag[..at].chars().next_back();
        if !matches!(before, Some(' ' | '\t' | '\n' | '\r' | ':')) {
            continue;
        }
        let value = tag[at + 4..].trim_start().strip_prefix('=')?.trim_start();
        let value = value.trim_start_matches(['"', '\'']);
        let value: String = value
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        let region = value.split(['-', '_']).nth(1)?;
        return Region::from_code(region);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_then_url_then_lang_then_us() {
        let gb = r#"<!doctype html><html class="x" lang="en-GB">"#;
        assert_eq!(page_region(Some("GB"), "https://a.org/", "").id, Id::GB);
        assert_eq!(page_region(Some("uk"), "https://a.org/", "").id, Id::GB);
        assert_eq!(page_region(Some("CA"), "https://a.nhs.uk/", gb).id, Id::CA);
        assert_eq!(
            page_region(None, "https://www.x.nhs.uk/car-t", "").id,
            Id::GB
        );
        assert_eq!(
            page_region(None, "https://a.example.ca:8443/p", "").id,
            Id::CA
        );
        assert!(page_region(None, "https://a.example.ca/p", "").nanp);
        assert_eq!(page_region(None, "https://uniklinik.de/", "").id, Id::DE);
        assert_eq!(page_region(None, "https://a.org/", gb).id, Id::GB);
        assert_eq!(page_region(None, "https://a.io/", gb).id, Id::GB);
        assert_eq!(
            page_region(None, "https://a.org/", "<html lang=\"en\">").id,
            Id::US
        );
        assert_eq!(page_region(Some("ZZ"), "https://a.org/", "").id, Id::US);
        assert_eq!(
            page_region(None, "not a url", "<html data-lang-x=\"en-GB\">"),
            Region::US
        );
        assert!(!page_region(None, "https://a.org.au/", "").nanp);
    }
}
