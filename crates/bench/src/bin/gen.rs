//! Benchmark binary `gen`: writes the synthetic corpus as a capture folder and
//! a centers config, so it runs through the real binary:
//!
//! ```text
//! cargo run -p bench --release --bin gen -- --out gen -n 1000 [--seed S] [--day D --change 0.05]
//! cartwatch snapshot --config gen/centers.toml --from gen/captures
//! ```
use anyhow::{bail, Context, Result};
use std::path::PathBuf;

const USAGE: &str = "usage: gen --out DIR [-n N] [--seed S] [--day D] [--change FRACTION]

Writes DIR/captures (one capture folder: <center>/1.json + 1.html) and
DIR/centers.toml for N synthetic center pages (default 1000, seed 1).
With --day D the pages are those of day D, where about FRACTION (default
0.05) of them changed in a meaningful way since day 0.";

struct Args {
    out: PathBuf,
    n: usize,
    seed: u64,
    day: u32,
    change: f64,
}

fn parse() -> Result<Args> {
    let mut out = None;
    let mut n = 1000;
    let mut seed = 1;
    let mut day = 0;
    let mut change = 0.05;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .with_context(|| format!("{name} needs a value\n\n{USAGE}"))
        };
        match flag.as_str() {
            "--out" | "-o" => out = Some(PathBuf::from(value("--out")?)),
            "-n" | "--pages" => n = value("-n")?.parse().context("-n takes a whole number")?,
            "--seed" => {
                seed = value("--seed")?
                    .parse()
                    .context("--seed takes a whole number")?
            }
            "--day" => {
                day = value("--day")?
                    .parse()
                    .context("--day takes a whole number")?
            }
            "--change" => {
                change = value("--change")?
                    .parse()
                    .context("--change takes a fraction such as 0.05")?;
                if !(0.0..=1.0).contains(&change) {
                    bail!("--change must be between 0 and 1, not {change}");
                }
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?}\n\n{USAGE}"),
        }
    }
    let Some(out) = out else {
        bail!("--out DIR is required\n\n{USAGE}");
    };
    Ok(Args {
        out,
        n,
        seed,
        day,
        change,
    })
}

fn main() -> Result<()> {
    let args = parse()?;
    let mut pages = bench::corpus(args.n, args.seed);
    if args.day > 0 {
        pages = bench::day_variant(&pages, args.day, args.change, args.seed);
    }
    let captures = args.out.join("captures");
    bench::write_capture_dir_for_day(&captures, &pages, args.day)?;
    let config = args.out.join("centers.toml");
    std::fs::write(&config, bench::centers_toml(&pages))
        .with_context(|| format!("cannot write {}", config.display()))?;
    let bytes: usize = pages.iter().map(|p| p.html.len()).sum();
    println!(
        "wrote {} pages ({:.1} MB, day {}) to {} and {}",
        pages.len(),
        bytes as f64 / 1e6,
        args.day,
        captures.display(),
        config.display()
    );
    Ok(())
}
