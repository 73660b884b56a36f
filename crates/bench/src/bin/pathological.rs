//! Benchmark binary `pathological`: times the normalizer on hostile page
//! shapes at growing sizes and prints the time per MB, so a cost that grows
//! faster than the page shows as a rising ms/MB column.
//!
//! ```text
//! cargo run -p bench --release --bin pathological -- [--sizes 10000,30000,100000] [--max-ratio 3] [--budget 10]
//! ```
//!
//! Shapes: deeply nested `<div>`s, unclosed formatting tags, unclosed
//! paragraphs, a huge flat list, a giant text node, deeply nested tables.
//! Exits 1 when, for any shape, the ms/MB at the largest size exceeds
//! `--max-ratio` times the ms/MB at the smallest (not near-linear), or one
//! run takes over `--budget` seconds (the larger sizes are then skipped).
use anyhow::{bail, Context, Result};
use cartwatch_normalizer::{normalize, PageInput, Vocabulary};
use std::time::Instant;

const USAGE: &str = "usage: pathological [--sizes N,N,N] [--max-ratio R] [--budget S]

Builds each hostile shape with N repetitions (default 10000,30000,100000),
normalizes it once on one thread and prints seconds and ms per MB. Exits 1
when a shape's ms/MB at the largest size is over R (default 3) times its
ms/MB at the smallest, or a run takes over S seconds (default 10; the shape's
larger sizes are then skipped).";

/// A hostile shape: its name and how to build a page of `n` repetitions.
struct Shape {
    name: &'static str,
    build: fn(usize) -> String,
}

fn page(body: &str) -> String {
    format!("<html><head><title>Pathological</title></head><body><main><h1>CAR T</h1>{body}</main></body></html>")
}

const SHAPES: &[Shape] = &[
    Shape {
        name: "nested <div>",
        build: |n| page(&format!("{}text{}", "<div>".repeat(n), "</div>".repeat(n))),
    },
    Shape {
        name: "nested <div> with text",
        build: |n| {
            page(&format!(
                "{}{}",
                "<div>cell therapy ".repeat(n),
                "</div>".repeat(n)
            ))
        },
    },
    Shape {
        name: "unclosed <b><i>",
        build: |n| page(&"<b><i>word ".repeat(n)),
    },
    Shape {
        name: "unclosed <p>",
        build: |n| page(&"<p>Call 216-844-3951 about CAR T. ".repeat(n)),
    },
    Shape {
        name: "flat <li> list",
        build: |n| {
            page(&format!(
                "<ul>{}</ul>",
                "<li><a href=/x>Kymriah</a> item</li>".repeat(n)
            ))
        },
    },
    Shape {
        name: "giant text node",
        build: |n| page(&format!("<p>{}</p>", "lymphoma infusion weeks ".repeat(n))),
    },
    Shape {
        name: "nested <table>",
        build: |n| {
            page(&format!(
                "{}x{}",
                "<table><tr><td>".repeat(n / 3),
                "</td></tr></table>".repeat(n / 3)
            ))
        },
    },
];

/// Seconds to normalize `html`: the best of three runs when one is too short
/// to time well.
fn time_normalize(html: &str, vocabulary: &Vocabulary) -> f64 {
    let mut best = f64::MAX;
    for round in 0..3 {
        let start = Instant::now();
        let record = normalize(
            &PageInput {
                bytes: html.as_bytes(),
                url: "https://example.org/pathological",
                content_type: None,
                selectors: None,
            },
            vocabulary,
        );
        std::hint::black_box(&record);
        best = best.min(start.elapsed().as_secs_f64());
        if round == 0 && best > SHORT_RUN_SECS {
            break;
        }
    }
    best
}

/// Runs shorter than this are repeated and the best time kept.
const SHORT_RUN_SECS: f64 = 0.2;

fn main() -> Result<()> {
    let mut sizes = vec![10_000usize, 30_000, 100_000];
    let mut max_ratio = 3.0f64;
    let mut budget = 10.0f64;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .with_context(|| format!("{name} needs a value\n\n{USAGE}"))
        };
        match flag.as_str() {
            "--sizes" => {
                sizes = value("--sizes")?
                    .split(',')
                    .map(|s| s.trim().parse::<usize>())
                    .collect::<Result<_, _>>()
                    .context("--sizes takes whole numbers separated by commas")?
            }
            "--max-ratio" => {
                max_ratio = value("--max-ratio")?
                    .parse()
                    .context("--max-ratio takes a number")?
            }
            "--budget" => {
                budget = value("--budget")?
                    .parse()
                    .context("--budget takes a number of seconds")?
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => bail!("unknown argument {other:?}\n\n{USAGE}"),
        }
    }
    if sizes.len() < 2 {
        bail!("--sizes needs at least two sizes to show linearity\n\n{USAGE}");
    }
    let vocabulary = Vocabulary::builtin();
    // Warm up: the vocabulary's patterns are compiled on first use.
    time_normalize(
        &page("<p>Warm-up: Kymriah for lymphoma, call 216-844-3951.</p>"),
        &vocabulary,
    );
    let mut worst = 0.0f64;
    let mut over_budget = Vec::new();
    println!(
        "{:<24}{:>10}{:>10}{:>10}{:>10}",
        "shape", "n", "MB", "s", "ms/MB"
    );
    for shape in SHAPES {
        let mut per_mb = Vec::new();
        for &n in &sizes {
            let html = (shape.build)(n);
            let mb = html.len() as f64 / 1e6;
            let secs = time_normalize(&html, &vocabulary);
            per_mb.push(secs * 1000.0 / mb);
            println!(
                "{:<24}{:>10}{:>10.2}{:>10.3}{:>10.1}",
                shape.name,
                n,
                mb,
                secs,
                secs * 1000.0 / mb
            );
            if secs > budget {
                println!(
                    "{:<24}{:>10}  over the {budget} s budget: larger sizes skipped",
                    shape.name, n
                );
                over_budget.push(shape.name);
                break;
            }
        }
        let ratio = per_mb[per_mb.len() - 1] / per_mb[0].max(1e-9);
        worst = worst.max(ratio);
    }
    println!(
        "pathological: worst ms/MB growth from smallest to largest size = {worst:.2}x (limit {max_ratio}x); over budget: {}",
        if over_budget.is_empty() { "none".to_string() } else { over_budget.join(", ") }
    );
    if worst > max_ratio || !over_budget.is_empty() {
        std::process::exit(1);
    }
    Ok(())
}
