//! Loading the claims audit's data: the rules (`config/claims.toml`) and the
//! product catalog (`config/products.toml`), from the named files, the
//! default files when present, or the built-in copies.

use anyhow::{Context, Result};
use cartwatch_diff::{ClaimRules, ClaimsCheck, ProductCatalog};
use std::path::{Path, PathBuf};

/// Where the claims rules and the product catalog are.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ClaimsArgs {
    /// Claims rules [default: config/claims.toml when present, else the built-in ones].
    #[arg(long, env = "CARTWATCH_CLAIMS", value_name = "FILE")]
    pub claims: Option<PathBuf>,
    /// Product catalog [default: config/products.toml when present, else the built-in one].
    #[arg(long, env = "CARTWATCH_PRODUCTS", value_name = "FILE")]
    pub products: Option<PathBuf>,
}

impl ClaimsArgs {
    /// Loads the named files, the default files, or the built-in data.
    pub fn load(&self) -> Result<ClaimsCheck> {
        let catalog = match pick(self.products.as_deref(), "config/products.toml") {
            Some(path) => {
                let text = read(&path, "product catalog", "--products")?;
                ProductCatalog::from_toml_str(&text, &path.display().to_string())?
            }
            None => ProductCatalog::builtin(),
        };
        let rules = match pick(self.claims.as_deref(), "config/claims.toml") {
            Some(path) => {
                let text = read(&path, "claims rules", "--claims")?;
                ClaimRules::from_toml_str(&text, &path.display().to_string(), &catalog)?
            }
            None => ClaimRules::from_toml_str(
                cartwatch_diff::claims::BUILTIN_CLAIMS,
                "config/claims.toml (built in)",
                &catalog,
            )?,
        };
        Ok(ClaimsCheck { rules, catalog })
    }
}

/// The default files when present, else the built-in data (for commands
/// without the flags: `report`, `run`).
pub fn load_default() -> Result<ClaimsCheck> {
    ClaimsArgs {
        claims: std::env::var_os("CARTWATCH_CLAIMS").map(PathBuf::from),
        products: std::env::var_os("CARTWATCH_PRODUCTS").map(PathBuf::from),
    }
    .load()
}

fn pick(given: Option<&Path>, default: &str) -> Option<PathBuf> {
    match given {
        Some(path) => Some(path.to_path_buf()),
        None => Some(PathBuf::from(default)).filter(|p| p.exists()),
    }
}

fn read(path: &Path, what: &str, flag: &str) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read the {what} file {} (pass {flag} FILE, or remove the flag to use the built-in one)",
            path.display()
        )
    })
}
