//! Benchmark binary `memory`: peak memory of the real `cartwatch` binary
//! storing one snapshot of the synthetic corpus, at several corpus sizes.
//!
//! ```text
//! cargo build --release -p cartwatch-cli && cargo run -p bench --release --bin memory -- --pages 1000,5000,10000
//! ```
//!
//! For each size the corpus (about 100 KB a page) is written as a capture
//! folder with its `centers.toml`, and `cartwatch import-captures` stores it
//! in a fresh store; the peak resident memory of that process (getrusage of
//! the waited-for child: each size is measured by a separate copy of this
//! binary, so the figure is that one run's) is printed with the wall time.
//! Target: at most 300 MB at 10,000 pages, and not growing with the number
//! of pages (pages are normalized and written one at a time; only the
//! snapshot's commit comes at the end).

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const USAGE: &str = "usage: memory [--pages N,N,...] [--seed S] [--bin CARTWATCH] [--dir WORK_DIR]
  --pages  corpus sizes to measure (default 1000,5000,10000)
  --seed   corpus seed (default 1)
  --bin    the cartwatch binary (default: target/release/cartwatch beside this binary)
  --dir    where to write the corpus and store (default: a temporary folder; each size is deleted after its run)";

struct Options {
    pages: Vec<usize>,
    seed: u64,
    bin: Option<PathBuf>,
    dir: Option<PathBuf>,
    /// Internal: measure one size (run by the parent, one process per size).
    one: Option<usize>,
}

fn options() -> Result<Options> {
    let mut o = Options {
        pages: vec![1000, 5000, 10000],
        seed: 1,
        bin: None,
        dir: None,
        one: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .with_context(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--pages" => {
                o.pages = value()?
                    .split(',')
                    .map(|n| n.trim().parse().context("--pages takes numbers"))
                    .collect::<Result<_>>()?
            }
            "--seed" => o.seed = value()?.parse()?,
            "--bin" => o.bin = Some(value()?.into()),
            "--dir" => o.dir = Some(value()?.into()),
            "--one" => o.one = Some(value()?.parse()?),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown flag {other}\n{USAGE}"),
        }
    }
    Ok(o)
}

/// The largest resident set of any waited-for child, in KiB (Linux reports
/// `ru_maxrss` in KiB).
fn children_peak_kib() -> u64 {
    // SAFETY: getrusage only writes into the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    if rc == 0 {
        usage.ru_maxrss.max(0) as u64
    } else {
        0
    }
}

fn cartwatch_bin(o: &Options) -> Result<PathBuf> {
    if let Some(bin) = &o.bin {
        return Ok(bin.clone());
    }
    let me = std::env::current_exe()?;
    let bin = me
        .parent()
        .map(|d| d.join("cartwatch"))
        .context("cannot find the folder of this binary")?;
    if !bin.exists() {
        bail!(
            "{} does not exist: build it first (`cargo build --release -p cartwatch-cli`) or pass --bin",
            bin.display()
        );
    }
    Ok(bin)
}

/// Writes the corpus, runs `cartwatch import-captures` on it and prints one line.
fn measure_one(o: &Options, n: usize, work: &Path) -> Result<()> {
    let bin = cartwatch_bin(o)?;
    let dir = work.join(format!("pages-{n}"));
    let captures = dir.join("captures");
    let pages = bench::corpus(n, o.seed);
    let bytes: usize = pages.iter().map(|p| p.html.len()).sum();
    bench::write_capture_dir(&captures, &pages)?;
    let config = dir.join("centers.toml");
    std::fs::write(&config, bench::centers_toml(&pages))?;
    drop(pages);
    let started = Instant::now();
    let out = Command::new(&bin)
        .arg("import-captures")
        .arg(&captures)
        .arg("--config")
        .arg(&config)
        .arg("--store")
        .arg(dir.join("store"))
        .output()
        .with_context(|| format!("cannot run {}", bin.display()))?;
    let wall = started.elapsed();
    if !out.status.success() {
        bail!(
            "cartwatch import-captures failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let peak = children_peak_kib();
    println!(
        "{n:>6} pages ({:.0} MB of bodies): peak memory (ru_maxrss) {:.1} MB, {:.1} s",
        bytes as f64 / 1e6,
        peak as f64 * 1024.0 / 1e6,
        wall.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn main() -> Result<()> {
    let o = options()?;
    let tmp = tempfile::tempdir()?;
    let work = o.dir.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&work)?;
    if let Some(n) = o.one {
        return measure_one(&o, n, &work);
    }
    let me = std::env::current_exe()?;
    println!("cartwatch import-captures of the synthetic corpus, one process per size:");
    for n in &o.pages {
        let mut child = Command::new(&me);
        child
            .args(["--one", &n.to_string(), "--seed", &o.seed.to_string()])
            .arg("--dir")
            .arg(&work);
        if let Some(bin) = &o.bin {
            child.arg("--bin").arg(bin);
        }
        let status = child.status()?;
        if !status.success() {
            bail!("measuring {n} pages failed");
        }
    }
    Ok(())
}
