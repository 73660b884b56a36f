//! Benchmark binary `store`: `cargo run -p bench --release --bin store -- --help`.
//!
//! Takes daily snapshots of the synthetic corpus (default: 30 days of 1,000
//! pages, 5% of pages changing each day) through the real store API,
//! normalizing each page with `cartwatch_normalizer`, then reports:
//!
//! - the store's size on disk against the zstd-compressed unique content
//!   (every distinct body, every distinct record and every manifest,
//!   compressed one by one at the store's zstd level): target <= 1.3x;
//! - how long `cartwatch snapshots` and `cartwatch show latest` take, through
//!   the API and through the real release binary (when built): target < 100 ms.
//!
//! The corpus's pages churn every day (build ids, alert-bar dates), so every
//! body is new every day: the store keeps them as zstd deltas against the
//! page's previous body, which is why the store ends up far below the unique
//! content compressed one by one. Timings on a shared machine vary; the
//! fastest run and the CPU time show the cost without the neighbours.
//!
//! Measured 2026-11-23 (2 shared cores, release build): 3.08 GB of bodies
//! served; unique content 857.6 MB compressed one by one; store 43.1 MB
//! (packs 38.4 MB, sled index 4.7 MB): 0.050x. `cartwatch snapshots` 18.6 ms
//! wall (7.1 ms CPU); `cartwatch show latest` 80.0 ms wall (64.3 ms CPU).
//! With `--whole` (no deltas): store 863.9 MB, 1.007x the unique content
//! (pack headers and the sled index are the 0.7%).

use anyhow::{bail, Context, Result};
use bench::{centers_toml, corpus, day_variant};
use cartwatch_model::{
    Capture, CenterSnapshot, Config, FetchOutcome, PageSnapshot, SnapshotSource,
};
use cartwatch_normalizer::{normalize, PageInput, Vocabulary};
use cartwatch_store::Store;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const USAGE: &str = "usage: store [--pages N] [--days D] [--change FRACTION] [--seed S] [--dir STORE_DIR] [--bin CARTWATCH]
  --pages   corpus size (default 1000)
  --days    daily snapshots to take (default 30)
  --change  fraction of pages changing each day (default 0.05)
  --seed    corpus seed (default 1)
  --dir     keep the store in this folder (default: a temporary folder)
  --bin     the cartwatch binary to time (default: target/release/cartwatch beside this binary)
  --whole   store every new body whole (put_body), not as a delta against the page's previous body";

struct Options {
    pages: usize,
    days: u32,
    change: f64,
    seed: u64,
    dir: Option<PathBuf>,
    bin: Option<PathBuf>,
    whole: bool,
}

fn options() -> Result<Options> {
    let mut o = Options {
        pages: 1000,
        days: 30,
        change: 0.05,
        seed: 1,
        dir: None,
        bin: None,
        whole: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .with_context(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--pages" => o.pages = value()?.parse()?,
            "--days" => o.days = value()?.parse()?,
            "--change" => o.change = value()?.parse()?,
            "--seed" => o.seed = value()?.parse()?,
            "--dir" => o.dir = Some(value()?.into()),
            "--bin" => o.bin = Some(value()?.into()),
            "--whole" => o.whole = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown flag {other}\n{USAGE}"),
        }
    }
    Ok(o)
}

/// Compressed sizes of distinct content, as a plain content-addressed store
/// without any index or container overhead would keep it.
#[derive(Default)]
struct Unique {
    seen: HashSet<Vec<u8>>,
    bodies: u64,
    records: u64,
    manifests: u64,
}

impl Unique {
    fn add(&mut self, bytes: &[u8]) -> Option<u64> {
        if !self.seen.insert(bytes.to_vec()) {
            return None;
        }
        Some(cartwatch_store::compressed_len(bytes))
    }
}

fn dir_size(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn min(times: &[Duration]) -> Duration {
    times.iter().min().copied().unwrap_or_default()
}

/// CPU time (user + system) of this process's waited-for children so far,
/// from /proc/self/stat (Linux; clock ticks of 10 ms).
fn children_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    // After the command name: state is field 3, cutime 16, cstime 17.
    let cutime: u64 = fields.get(13)?.parse().ok()?;
    let cstime: u64 = fields.get(14)?.parse().ok()?;
    Some(Duration::from_millis((cutime + cstime) * 10))
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() -> Result<()> {
    let o = options()?;
    let tmp = tempfile::tempdir()?;
    let store_dir = o.dir.clone().unwrap_or_else(|| tmp.path().join("store"));
    if store_dir.exists() {
        bail!(
            "{} exists; give a new folder with --dir",
            store_dir.display()
        );
    }
    let vocabulary = match std::fs::read_to_string("config/vocabulary.toml") {
        Ok(text) => Vocabulary::from_toml_str(&text, "config/vocabulary.toml")?,
        Err(_) => Vocabulary::builtin(),
    };
    let base = corpus(o.pages, o.seed);
    let config = Config::from_toml_str(&centers_toml(&base), "synthetic centers")?;
    println!(
        "store bench: {} pages, {} daily snapshots, {:.0}% of pages changing per day{}",
        base.len(),
        o.days,
        o.change * 100.0,
        if o.whole { ", bodies stored whole" } else { "" }
    );

    let mut unique = Unique::default();
    let mut raw_bytes = 0u64;
    let mut commit_times = Vec::new();
    let mut normalize_time = Duration::ZERO;
    {
        let store = Store::open(&store_dir)?;
        for day in 0..o.days {
            let pages = if day == 0 {
                base.clone()
            } else {
                day_variant(&base, day, o.change, o.seed)
            };
            let fetched_at = format!("2026-10-{:02}T06:00:00Z", day % 28 + 1);
            let started = Instant::now();
            let mut writer = store.begin_snapshot(SnapshotSource::Captures {
                dir: format!("synthetic/day-{day}"),
            })?;
            let mut centers: Vec<CenterSnapshot> = config
                .centers
                .iter()
                .map(|c| CenterSnapshot {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    pages: Vec::new(),
                })
                .collect();
            for page in &pages {
                let html = page.html.as_bytes();
                raw_bytes += html.len() as u64;
                let hash = if o.whole {
                    writer.put_body(html)?
                } else {
                    writer.put_page_body(&page.center, &page.url, html)?
                };
                if let Some(size) = unique.add(html) {
                    unique.bodies += size;
                }
                let t = Instant::now();
                let record = normalize(
                    &PageInput {
                        bytes: html,
                        url: &page.url,
                        content_type: Some("text/html; charset=utf-8"),
                        selectors: config
                            .center(&page.center)
                            .and_then(|c| c.selectors.as_ref()),
                    },
                    &vocabulary,
                );
                normalize_time += t.elapsed();
                writer.put_record(&page.center, &page.url, &record)?;
                if let Some(size) = unique.add(&serde_json::to_vec(&record)?) {
                    unique.records += size;
                }
                let capture = Capture {
                    center: page.center.clone(),
                    url: page.url.clone(),
                    final_url: None,
                    redirects: Vec::new(),
                    status: Some(200),
                    content_type: Some("text/html; charset=utf-8".into()),
                    etag: None,
                    last_modified: None,
                    fetched_at: fetched_at.clone(),
                    outcome: FetchOutcome::Ok,
                    error: None,
                    attempts: 1,
                    body: Some(html.to_vec()),
                    rendered_by: Default::default(),
                };
                let entry = PageSnapshot::from_capture(&capture, Some(hash), true);
                match centers.iter_mut().find(|c| c.id == page.center) {
                    Some(center) => center.pages.push(entry),
                    None => bail!("corpus page of unknown center {}", page.center),
                }
            }
            let manifest = writer.commit(centers)?;
            commit_times.push(started.elapsed());
            if let Some(size) = unique.add(&serde_json::to_vec(&manifest)?) {
                unique.manifests += size;
            }
        }
    }
    let total = dir_size(&store_dir);
    let packs = dir_size(&store_dir.join("packs"));
    let index = dir_size(&store_dir.join("index"));
    let content = unique.bodies + unique.records + unique.manifests;
    println!("\nsize");
    println!(
        "  raw bodies served over {} days: {:>12} bytes",
        o.days, raw_bytes
    );
    println!("  unique content, zstd-3 one by one: {:>10} bytes", content);
    println!("    bodies    {:>12}", unique.bodies);
    println!("    records   {:>12}", unique.records);
    println!("    manifests {:>12}", unique.manifests);
    println!("  store on disk:                     {:>10} bytes", total);
    println!("    packs     {:>12}", packs);
    println!("    index     {:>12}  (sled)", index);
    let ratio = total as f64 / content as f64;
    println!(
        "  ratio store / unique content: {ratio:.3}x  (target <= 1.3x: {})",
        if ratio <= 1.3 { "met" } else { "NOT met" }
    );
    println!(
        "  snapshot commit: median {}, max {} (normalizing took {} in all)",
        ms(median(commit_times.clone())),
        ms(commit_times.iter().max().copied().unwrap_or_default()),
        ms(normalize_time)
    );

    println!("\ntiming through the API (open included; median and fastest of 7)");
    let mut list = Vec::new();
    let mut show = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        let store = Store::open(&store_dir)?;
        let n = store.summaries()?.len();
        list.push(t.elapsed());
        assert_eq!(n, o.days as usize);
        drop(store);
        let t = Instant::now();
        let store = Store::open(&store_dir)?;
        let id = store.resolve("latest")?;
        let _manifest = store.manifest(&id)?;
        let records = store.records(&id)?;
        show.push(t.elapsed());
        assert_eq!(records.len(), base.len());
    }
    println!(
        "  snapshots:   {} (fastest {})  (target < 100 ms)",
        ms(median(list.clone())),
        ms(min(&list))
    );
    println!(
        "  show latest: {} (fastest {})  (target < 100 ms)",
        ms(median(show.clone())),
        ms(min(&show))
    );

    let bin = o.bin.clone().or_else(|| {
        let exe = std::env::current_exe().ok()?;
        Some(exe.parent()?.join("cartwatch"))
    });
    match bin.filter(|b| b.exists()) {
        None => println!(
            "\ntiming the binary: skipped (build it: cargo build --release -p cartwatch-cli, or pass --bin)"
        ),
        Some(bin) => {
            println!(
                "\ntiming the real binary {} (wall: median and fastest of 7; CPU: mean user+system)",
                bin.display()
            );
            for args in [
                vec!["snapshots"],
                vec!["snapshots", "--json"],
                vec!["show", "latest"],
                vec!["show", "latest", "--format", "json"],
            ] {
                let mut times = Vec::new();
                let cpu_before = children_cpu();
                for _ in 0..7 {
                    let t = Instant::now();
                    let out = std::process::Command::new(&bin)
                        .args(&args)
                        .arg("--store")
                        .arg(&store_dir)
                        .output()?;
                    times.push(t.elapsed());
                    if !out.status.success() {
                        bail!(
                            "{} {:?} failed: {}",
                            bin.display(),
                            args,
                            String::from_utf8_lossy(&out.stderr)
                        );
                    }
                }
                let cpu = match (cpu_before, children_cpu()) {
                    (Some(a), Some(b)) => ms((b - a) / 7),
                    _ => "n/a".into(),
                };
                println!(
                    "  cartwatch {:<34} wall {} (fastest {}), CPU {}",
                    args.join(" "),
                    ms(median(times.clone())),
                    ms(min(&times)),
                    cpu
                );
            }
        }
    }
    Ok(())
}
