//! Benchmark binary `normalize`: generates the synthetic corpus in memory and
//! reports how fast one core normalizes it (pages/s and MB/s, single thread).
//!
//! ```text
//! cargo run -p bench --release --bin normalize -- [-n 300] [--seed S] [--rounds R]
//! ```
use anyhow::{bail, Context, Result};
use cartwatch_normalizer::{normalize, PageInput, Vocabulary};
use std::time::Instant;

const USAGE: &str = "usage: normalize [-n PAGES] [--seed S] [--rounds R]

Normalizes PAGES synthetic pages (default 300) R times (default 3) on one
thread and prints pages/s and MB/s for the best round. Target: 300 pages/s.";

fn main() -> Result<()> {
    let mut n = 300usize;
    let mut seed = 1u64;
    let mut rounds = 3usize;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .with_context(|| format!("{name} needs a value\n\n{USAGE}"))
        };
        match flag.as_str() {
            "-n" | "--pages" => n = value("-n")?.parse().context("-n takes a whole number")?,
            "--seed" => {
                seed = value("--seed")?
                    .parse()
                    .context("--seed takes a whole number")?
            }
            "--rounds" => {
                rounds = value("--rounds")?
                    .parse()
                    .context("--rounds takes a whole number")?
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => bail!("unknown argument {other:?}\n\n{USAGE}"),
        }
    }
    let pages = bench::corpus(n, seed);
    let bytes: usize = pages.iter().map(|p| p.html.len()).sum();
    let vocabulary = Vocabulary::builtin();
    // Warm up lazily built tables (phone metadata, regexes).
    let _ = normalize(
        &PageInput {
            bytes: pages[0].html.as_bytes(),
            url: &pages[0].url,
            content_type: None,
            selectors: None,
        },
        &vocabulary,
    );
    let mut best = f64::INFINITY;
    let mut facts = 0usize;
    for _ in 0..rounds.max(1) {
        let start = Instant::now();
        facts = 0;
        for p in &pages {
            let record = normalize(
                &PageInput {
                    bytes: p.html.as_bytes(),
                    url: &p.url,
                    content_type: Some("text/html; charset=utf-8"),
                    selectors: None,
                },
                &vocabulary,
            );
            facts += record.contacts.len() + record.process.len() + record.offerings.products.len();
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    let pages_per_s = n as f64 / best;
    let mb_per_s = bytes as f64 / 1e6 / best;
    println!(
        "normalize: {n} pages, {:.1} KB average, best of {rounds}: {:.3} s, {pages_per_s:.0} pages/s, {mb_per_s:.1} MB/s on one core ({facts} contacts+steps+products; target 300 pages/s: {})",
        bytes as f64 / n as f64 / 1e3,
        best,
        if pages_per_s >= 300.0 { "met" } else { "NOT met" }
    );
    Ok(())
}
