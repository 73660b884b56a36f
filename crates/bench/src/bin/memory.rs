//! Benchmark binary `memory`: peak memory of the real `cartwatch` binary
//! storing one snapshot of the synthetic corpus, at several corpus sizes.
//!
//! ```text
//! cargo build --release -p cartwatch-cli && cargo run -p bench --release --bin memory -- --pages 1000,5000,10000
//! ```
//!
//! For each size the corpus (about 100 KB a page) is written as a capture
//! folder with its `centers.toml` (by a child process, so this one stays
//! small: a process forked from a large one would start its peak at that
//! size), and `cartwatch import-captures` stores it in a fresh store; that
//! process's own peak resident memory (`ru_maxrss` from wait4) is printed
//! with the wall time.
//! Target: at most 300 MB at 10,000 pages, and not growing with the number
//! of pages (pages are normalized and written one at a time; only the
//! snapshot's commit comes at the end).
//!
//! Measured 2026-12-01 (2 shared cores, release build): 57.0 / 124.0 /
//! 200.8 MB at 1,000 / 5,000 / 10,000 pages (103 / 514 / 1,027 MB of
//! bodies); the build before pages were stored one at a time peaked at
//! 237.4 MB at 1,000 pages.

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
    /// Internal: generate one size's corpus into `dir` (run by the parent
    /// in a child process).
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

/// Waits for a child and returns its exit code and peak resident memory in
/// KiB (`ru_maxrss` of that child alone, from wait4).
fn wait_with_peak(child: std::process::Child) -> Result<(i32, u64)> {
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: wait4 only writes into the status and rusage it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    if rc != pid {
        bail!(
            "waiting for PID {pid} failed: {}",
            std::io::Error::last_os_error()
        );
    }
    // The child was reaped here; std must not wait for it again.
    std::mem::forget(child);
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    Ok((code, usage.ru_maxrss.max(0) as u64))
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

/// Writes the corpus of `n` pages as a capture folder with its config
/// (run in a child process, so the measuring process stays small: a child
/// forked from a large process would start its peak at the parent's size).
fn generate(o: &Options, n: usize, dir: &Path) -> Result<()> {
    let pages = bench::corpus(n, o.seed);
    bench::write_capture_dir(&dir.join("captures"), &pages)?;
    std::fs::write(dir.join("centers.toml"), bench::centers_toml(&pages))?;
    let bytes: usize = pages.iter().map(|p| p.html.len()).sum();
    std::fs::write(dir.join("bytes"), bytes.to_string())?;
    Ok(())
}

/// Generates the corpus (in a child), runs `cartwatch import-captures` on it
/// and prints one line.
fn measure(o: &Options, n: usize, work: &Path) -> Result<()> {
    let bin = cartwatch_bin(o)?;
    let dir = work.join(format!("pages-{n}"));
    std::fs::create_dir_all(&dir)?;
    let status = Command::new(std::env::current_exe()?)
        .args(["--one", &n.to_string(), "--seed", &o.seed.to_string()])
        .arg("--dir")
        .arg(&dir)
        .status()?;
    if !status.success() {
        bail!("generating {n} pages failed");
    }
    let bytes: f64 = std::fs::read_to_string(dir.join("bytes"))?.trim().parse()?;
    let stderr = dir.join("stderr.txt");
    let started = Instant::now();
    let child = Command::new(&bin)
        .arg("import-captures")
        .arg(dir.join("captures"))
        .arg("--config")
        .arg(dir.join("centers.toml"))
        .arg("--store")
        .arg(dir.join("store"))
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&stderr)?)
        .spawn()
        .with_context(|| format!("cannot run {}", bin.display()))?;
    let (code, peak) = wait_with_peak(child)?;
    let wall = started.elapsed();
    if code != 0 {
        bail!(
            "cartwatch import-captures exited {code}: {}",
            std::fs::read_to_string(&stderr).unwrap_or_default()
        );
    }
    println!(
        "{n:>6} pages ({:.0} MB of bodies): peak memory (ru_maxrss) {:.1} MB, {:.1} s",
        bytes / 1e6,
        peak as f64 * 1024.0 / 1e6,
        wall.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn main() -> Result<()> {
    let o = options()?;
    if let (Some(n), Some(dir)) = (o.one, &o.dir) {
        return generate(&o, n, dir);
    }
    let tmp = tempfile::tempdir()?;
    let work = o.dir.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&work)?;
    println!("cartwatch import-captures of the synthetic corpus, one fresh store per size:");
    for n in &o.pages {
        measure(&o, *n, &work)?;
    }
    Ok(())
}
