//! The product catalog (`config/products.toml`): which CAR T products the
//! FDA has approved, for what, and since when.
//!
//! The claims audit counts the products approved on the day a page was
//! fetched, so an old snapshot is judged by the facts of its own time, and
//! tells which products a sentence names. A pending product (`status =
//! "pending"`) is never counted; a new approval is a data change.
//!
//! ```
//! use cartwatch_diff::catalog::ProductCatalog;
//! let catalog = ProductCatalog::builtin();
//! assert_eq!(catalog.approved_on((2024, 11, 7)).len(), 6);
//! assert_eq!(catalog.approved_on((2024, 11, 8)).len(), 7);
//! assert_eq!(catalog.named_in("Ask us about liso-cel."), vec!["breyanzi"]);
//! ```

use crate::DiffError;
use serde::Deserialize;
use toml::Spanned;

/// The catalog compiled into the binary: `config/products.toml`.
pub const BUILTIN_PRODUCTS: &str = include_str!("../../../config/products.toml");

/// A calendar date, `(year, month, day)`.
pub type Day = (i32, u32, u32);

/// Every product of the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductCatalog {
    /// The products in file order.
    pub products: Vec<CatalogProduct>,
}

/// Whether a product may be counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductStatus {
    /// Approved: counted from its first indication's date.
    Approved,
    /// Awaiting an FDA decision: never counted.
    Pending,
}

/// One product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogProduct {
    /// Brand id, as records use it (`breyanzi`).
    pub id: String,
    /// Brand name as pages write it.
    pub brand: String,
    /// International nonproprietary name.
    pub generic: String,
    /// Short and code names (`liso-cel`).
    pub short_names: Vec<String>,
    /// License holder.
    pub manufacturer: String,
    /// Antigen id (`cd19`).
    pub target: String,
    /// Approved or pending.
    pub status: ProductStatus,
    /// Pending only: the FDA decision date.
    pub decision_date: Option<Day>,
    /// Approved indications, oldest first.
    pub indications: Vec<Indication>,
}

/// One approved use of a product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indication {
    /// Condition id (`lymphoma`).
    pub condition: String,
    /// The indication in words.
    pub text: String,
    /// The FDA approval date.
    pub approved: Day,
    /// A public page that says so.
    pub source: String,
}

impl CatalogProduct {
    /// The date from which the product counts as approved, if it does.
    pub fn approved_since(&self) -> Option<Day> {
        match self.status {
            ProductStatus::Pending => None,
            ProductStatus::Approved => self.indications.iter().map(|i| i.approved).min(),
        }
    }

    /// Every name a page may use for the product.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        [self.brand.as_str(), self.generic.as_str()]
            .into_iter()
            .chain(self.short_names.iter().map(String::as_str))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    #[serde(default)]
    product: Vec<ProductEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProductEntry {
    id: Spanned<String>,
    brand: String,
    generic: String,
    #[serde(default)]
    short_names: Vec<String>,
    #[serde(default)]
    manufacturer: String,
    #[serde(default)]
    target: String,
    status: Spanned<String>,
    #[serde(default)]
    decision_date: Option<Spanned<String>>,
    #[serde(default)]
    decision_source: Option<String>,
    #[serde(default)]
    indication: Vec<IndicationEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicationEntry {
    condition: String,
    #[serde(default)]
    text: String,
    approved: Spanned<String>,
    source: Spanned<String>,
}

impl ProductCatalog {
    /// The catalog compiled into the binary.
    pub fn builtin() -> ProductCatalog {
        ProductCatalog::from_toml_str(BUILTIN_PRODUCTS, "config/products.toml (built in)")
            .expect("the built-in config/products.toml is valid (checked by a test)")
    }

    /// Parses catalog text; `file` names the file in errors, which give the
    /// line and say what to write instead.
    pub fn from_toml_str(text: &str, file: &str) -> Result<ProductCatalog, DiffError> {
        let parsed: CatalogFile = toml::from_str(text).map_err(|e| DiffError::Data {
            file: file.to_string(),
            line: e.span().map_or(1, |s| line_of(text, s.start)),
            message: e.message().trim().to_string(),
        })?;
        let error = |span: std::ops::Range<usize>, message: String| DiffError::Data {
            file: file.to_string(),
            line: line_of(text, span.start),
            message,
        };
        let mut products: Vec<CatalogProduct> = Vec::new();
        for entry in parsed.product {
            let id = entry.id.get_ref().trim().to_string();
            if id.is_empty() || products.iter().any(|p| p.id == id) {
                return Err(error(
                    entry.id.span(),
                    format!("product id {id:?} is empty or used twice; give each product its own brand id"),
                ));
            }
            let status = match entry.status.get_ref().as_str() {
                "approved" => ProductStatus::Approved,
                "pending" => ProductStatus::Pending,
                other => {
                    return Err(error(
                        entry.status.span(),
                        format!("product {id:?}: status {other:?} is unknown; write \"approved\" or \"pending\""),
                    ))
                }
            };
            let decision_date = match &entry.decision_date {
                Some(d) => Some(parse_day(d.get_ref()).ok_or_else(|| {
                    error(
                        d.span(),
                        format!(
                            "product {id:?}: decision_date {:?} is not a date; write YYYY-MM-DD",
                            d.get_ref()
                        ),
                    )
                })?),
                None => None,
            };
            let _ = entry.decision_source;
            let mut indications = Vec::new();
            for ind in entry.indication {
                let approved = parse_day(ind.approved.get_ref()).ok_or_else(|| {
                    error(
                        ind.approved.span(),
                        format!(
                            "product {id:?}: approved {:?} is not a date; write YYYY-MM-DD",
                            ind.approved.get_ref()
                        ),
                    )
                })?;
                if !ind.source.get_ref().starts_with("http") {
                    return Err(error(
                        ind.source.span(),
                        format!("product {id:?}: an indication's source must be the address of a public page (http...)"),
                    ));
                }
                indications.push(Indication {
                    condition: ind.condition,
                    text: ind.text,
                    approved,
                    source: ind.source.into_inner(),
                });
            }
            indications.sort_by_key(|i| i.approved);
            if status == ProductStatus::Approved && indications.is_empty() {
                return Err(error(
                    entry.id.span(),
                    format!("product {id:?} is approved but has no [[product.indication]] with an approval date; add one, or write status = \"pending\""),
                ));
            }
            products.push(CatalogProduct {
                id,
                brand: entry.brand,
                generic: entry.generic,
                short_names: entry.short_names,
                manufacturer: entry.manufacturer,
                target: entry.target,
                status,
                decision_date,
                indications,
            });
        }
        Ok(ProductCatalog { products })
    }

    /// The products approved on `day`, in order of first approval.
    pub fn approved_on(&self, day: Day) -> Vec<&CatalogProduct> {
        let mut approved: Vec<&CatalogProduct> = self
            .products
            .iter()
            .filter(|p| p.approved_since().is_some_and(|since| since <= day))
            .collect();
        approved.sort_by_key(|p| p.approved_since());
        approved
    }

    /// A product by id.
    pub fn get(&self, id: &str) -> Option<&CatalogProduct> {
        self.products.iter().find(|p| p.id == id)
    }

    /// The ids of the products a sentence names (brand, generic or short
    /// name, as a whole word, case-insensitive), in catalog order.
    pub fn named_in(&self, sentence: &str) -> Vec<&str> {
        let lower = sentence.to_lowercase();
        self.products
            .iter()
            .filter(|p| {
                p.names()
                    .any(|name| contains_word(&lower, &name.to_lowercase()))
            })
            .map(|p| p.id.as_str())
            .collect()
    }
}

/// Whether `needle` occurs in `haystack` with no letter or digit on either side.
pub(crate) fn contains_word(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let is_word = |c: char| c.is_alphanumeric();
    haystack.match_indices(needle).any(|(at, _)| {
        let before = haystack[..at].chars().next_back();
        let after = haystack[at + needle.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

/// `YYYY-MM-DD` as a [`Day`].
pub fn parse_day(text: &str) -> Option<Day> {
    crate::audit::date_part(text).filter(|_| text.len() == 10)
}

/// A [`Day`] as `YYYY-MM-DD`.
pub fn format_day((y, m, d): Day) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

/// The 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}
