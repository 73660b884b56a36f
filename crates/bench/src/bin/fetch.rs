//! Benchmark binary `fetch`: `cargo run -p bench --release --bin fetch -- --help`.
//!
//! Starts loopback HTTP servers on distinct 127.0.0.x addresses, each
//! answering after a fixed latency, and fetches pages spread evenly over them
//! with the real [`Fetcher`] under a per-host delay. Politeness makes a run
//! take at least `(pages per host - 1) x delay + latency`; the benchmark
//! reports the wall time against that lower bound (target: within 1.2x),
//! the outcome counts, and the process's peak memory (VmHWM).
//!
//! Exit status: 0 when every page was fetched and the ratio is within the
//! target, 1 otherwise.

use anyhow::{bail, Context, Result};
use axum::routing::get;
use axum::Router;
use cartwatch_fetcher::{FetchRequest, Fetcher};
use cartwatch_model::{FetchOutcome, FetchSettings};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const USAGE: &str = "\
bench fetch: polite fetching of many loopback hosts against the politeness lower bound

USAGE: fetch [--hosts N] [--pages N] [--latency-ms MS] [--delay-ms MS] [--max-in-flight N] [--target RATIO]

  --hosts N          loopback servers, one per 127.0.0.x address (default 50, max 200)
  --pages N          pages in all, spread evenly over the hosts (default 1000)
  --latency-ms MS    server latency per request, robots.txt included (default 50)
  --delay-ms MS      per-host delay, min_delay_ms (default 200)
  --max-in-flight N  global in-flight cap, max_in_flight (default: the setting's default)
  --target RATIO     fail when wall time / lower bound exceeds this (default 1.2)
";

struct Options {
    hosts: usize,
    pages: usize,
    latency: Duration,
    delay: Duration,
    max_in_flight: Option<usize>,
    target: f64,
}

fn parse_args() -> Result<Options> {
    let mut options = Options {
        hosts: 50,
        pages: 1000,
        latency: Duration::from_millis(50),
        delay: Duration::from_millis(200),
        max_in_flight: None,
        target: 1.2,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            print!("{USAGE}");
            std::process::exit(0);
        }
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value\n\n{USAGE}"))?;
        let number = || -> Result<u64> {
            value
                .parse::<u64>()
                .with_context(|| format!("{flag} {value:?}: expected a whole number"))
        };
        match flag.as_str() {
            "--hosts" => options.hosts = number()? as usize,
            "--pages" => options.pages = number()? as usize,
            "--latency-ms" => options.latency = Duration::from_millis(number()?),
            "--delay-ms" => options.delay = Duration::from_millis(number()?),
            "--max-in-flight" => options.max_in_flight = Some(number()? as usize),
            "--target" => {
                options.target = value
                    .parse()
                    .with_context(|| format!("--target {value:?}: expected a number"))?
            }
            _ => bail!("unknown flag {flag}\n\n{USAGE}"),
        }
    }
    if options.hosts == 0 || options.hosts > 200 || options.pages < options.hosts {
        bail!("--hosts must be 1..=200 and --pages at least --hosts");
    }
    Ok(options)
}

/// A page of a realistic size (about 12 KiB of HTML).
fn page_body(n: usize) -> String {
    let mut body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>CAR T-cell therapy {n}</title></head><body><main>"
    );
    for i in 0..60 {
        body.push_str(&format!(
            "<p>Paragraph {i} of page {n}: our CAR T-cell therapy program offers Kymriah, Yescarta and Breyanzi; call 216-844-3951 for a referral.</p>"
        ));
    }
    body.push_str("</main></body></html>");
    body
}

/// Starts one server per host on `runtime`; returns their base URLs.
fn start_servers(runtime: &tokio::runtime::Runtime, options: &Options) -> Result<Vec<String>> {
    let mut bases = Vec::new();
    for host in 0..options.hosts {
        let ip = format!("127.0.0.{}", 10 + host);
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind((ip.as_str(), 0)))
            .with_context(|| format!("cannot bind {ip}:0"))?;
        let addr = listener.local_addr()?;
        let latency = options.latency;
        let body = page_body(host);
        let app = Router::new()
            .route(
                "/p/:n",
                get(move || {
                    let body = body.clone();
                    async move {
                        tokio::time::sleep(latency).await;
                        axum::response::Html(body)
                    }
                }),
            )
            .fallback(move || async move {
                tokio::time::sleep(latency).await;
                (axum::http::StatusCode::NOT_FOUND, "not found")
            });
        runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        bases.push(format!("http://{addr}"));
    }
    Ok(bases)
}

/// The process's peak resident memory in KiB (VmHWM), on Linux.
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

fn main() -> Result<()> {
    let options = parse_args()?;
    let servers = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let bases = start_servers(&servers, &options)?;

    // Page i goes to host i % hosts: every host gets its share, interleaved.
    let requests: Vec<FetchRequest> = (0..options.pages)
        .map(|i| FetchRequest {
            center: format!("host-{}", i % options.hosts),
            url: format!("{}/p/{}", bases[i % options.hosts], i),
            etag: None,
            last_modified: None,
            content_type: None,
        })
        .collect();
    let defaults = FetchSettings::default();
    let settings = FetchSettings {
        min_delay_ms: options.delay.as_millis() as u64,
        max_in_flight: options.max_in_flight.unwrap_or(defaults.max_in_flight),
        retries: 0,
        timeout_secs: 30,
        // The bench servers are on loopback.
        allow_private: true,
        ..defaults
    };
    let fetcher = Fetcher::new(&settings)?;
    let client = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let started = Instant::now();
    let captures = client.block_on(fetcher.fetch_all(requests));
    let wall = started.elapsed();

    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    for capture in &captures {
        *outcomes.entry(capture.outcome.label()).or_default() += 1;
    }
    let bytes: usize = captures
        .iter()
        .filter_map(|c| c.body.as_ref().map(Vec::len))
        .sum();
    let per_host = options.pages.div_ceil(options.hosts);
    let bound = options.delay * (per_host as u32 - 1) + options.latency;
    let ratio = wall.as_secs_f64() / bound.as_secs_f64();

    println!("bench fetch");
    println!(
        "  hosts {}  pages {} ({} per host)  latency {} ms  per-host delay {} ms  max_in_flight {}",
        options.hosts,
        options.pages,
        per_host,
        options.latency.as_millis(),
        options.delay.as_millis(),
        settings.max_in_flight
    );
    println!(
        "  requests per host: {} pages + 1 robots.txt, each spaced by the delay",
        per_host
    );
    println!(
        "  outcomes: {}",
        outcomes
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("  body bytes: {bytes}");
    println!(
        "  wall time: {:.3} s   politeness lower bound ((pages per host - 1) x delay + latency): {:.3} s   ratio {:.3} (target <= {})",
        wall.as_secs_f64(),
        bound.as_secs_f64(),
        ratio,
        options.target
    );
    match peak_memory_kib() {
        Some(kib) => println!(
            "  peak memory (VmHWM, servers included): {:.1} MiB",
            kib as f64 / 1024.0
        ),
        None => println!("  peak memory: unavailable (no /proc/self/status)"),
    }
    drop(client);
    drop(servers);

    let all_ok = captures.iter().all(|c| c.outcome == FetchOutcome::Ok);
    if !all_ok {
        eprintln!("bench fetch: some pages failed");
        std::process::exit(1);
    }
    if ratio > options.target {
        eprintln!(
            "bench fetch: ratio {ratio:.3} is over the target {}",
            options.target
        );
        std::process::exit(1);
    }
    Ok(())
}
