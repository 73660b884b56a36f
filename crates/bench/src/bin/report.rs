//! Benchmark binary `report`: `cargo run -p bench --release --bin report -- --help`.
//!
//! Times `cartwatch report`'s HTML rendering (`report::render_html`) on two
//! normalized snapshots of the synthetic corpus (`bench::corpus`, then
//! `bench::day_variant`), for each center count given (default 1,000, 10,000
//! and 20,000). Normalizing, diffing, comparing and auditing are setup, not
//! timed. Shows that building the report grows linearly with centers.

use cartwatch_diff::report::{render_html, ReportInput};
use cartwatch_diff::{audit, compare, diff, AuditOptions, DiffOptions, SnapshotView};
use cartwatch_model::{
    CenterSnapshot, FetchOutcome, PageSnapshot, SnapshotManifest, SnapshotSource,
};
use cartwatch_normalizer::{normalize, PageInput, Vocabulary};
use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

/// A snapshot view of these pages, every page fetched and normalized.
fn view(id: &str, pages: &[bench::CenterPage], vocabulary: &Vocabulary) -> SnapshotView {
    let mut centers: Vec<CenterSnapshot> = Vec::new();
    let mut records = BTreeMap::new();
    let mut position: HashMap<String, usize> = HashMap::new();
    for page in pages {
        let record = normalize(
            &PageInput {
                bytes: page.html.as_bytes(),
                url: &page.url,
                content_type: Some("text/html; charset=utf-8"),
                selectors: None,
            },
            vocabulary,
        );
        let entry = PageSnapshot {
            url: page.url.clone(),
            final_url: None,
            redirects: Vec::new(),
            status: Some(200),
            content_type: Some("text/html; charset=utf-8".into()),
            etag: None,
            last_modified: None,
            fetched_at: id.to_string(),
            outcome: FetchOutcome::Ok,
            error: None,
            body_sha256: None,
            body_len: Some(page.html.len() as u64),
            has_record: true,
            rendered_by: Default::default(),
        };
        match position.get(&page.center) {
            Some(&i) => centers[i].pages.push(entry),
            None => {
                position.insert(page.center.clone(), centers.len());
                centers.push(CenterSnapshot {
                    id: page.center.clone(),
                    name: page.center.clone(),
                    pages: vec![entry],
                });
            }
        }
        records.insert((page.center.clone(), page.url.clone()), record);
    }
    SnapshotView {
        manifest: SnapshotManifest {
            id: id.to_string(),
            created_at: id.to_string(),
            taken_at: id.to_string(),
            source: SnapshotSource::Http,
            centers,
            bytes_new: 0,
        },
        records,
    }
}

fn main() {
    let mut sizes: Vec<usize> = Vec::new();
    let mut runs = 3;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--centers" => match value.parse() {
                Ok(n) => sizes.push(n),
                Err(_) => {
                    eprintln!("bench report: --centers takes a whole number, got {value:?}");
                    std::process::exit(2);
                }
            },
            "--runs" => runs = value.parse::<usize>().unwrap_or(runs).max(1),
            "--help" | "-h" => {
                println!(
                    "bench report [--centers N]... (1000 10000 20000) [--runs R (3)]\n\
                     Times the HTML report built from two normalized snapshots of the synthetic corpus."
                );
                return;
            }
            other => {
                eprintln!("bench report: unknown argument {other:?}; see --help");
                std::process::exit(2);
            }
        }
        i += 2;
    }
    if sizes.is_empty() {
        sizes = vec![1000, 10_000, 20_000];
    }
    let vocabulary = Vocabulary::builtin();
    for n in sizes {
        let setup = Instant::now();
        let day0 = bench::corpus(n, 42);
        let day1 = bench::day_variant(&day0, 1, 0.05, 42);
        let history = [
            view("2026-10-01T06:00:00Z", &day0, &vocabulary),
            view("2026-10-02T06:00:00Z", &day1, &vocabulary),
        ];
        let diffs = [diff(&history[0], &history[1], &DiffOptions::default())];
        let matrix = compare(&history[1]);
        let audit = audit(&history[1], Some(&history[0]), &AuditOptions::default());
        let setup = setup.elapsed().as_secs_f64();
        let input = ReportInput {
            title: "bench",
            generated_at: "2026-10-02T07:00:00Z",
            history: &history,
            diffs: &diffs,
            matrix: &matrix,
            audit: &audit,
        };
        let mut times = Vec::with_capacity(runs);
        let mut bytes = 0;
        for _ in 0..runs {
            let start = Instant::now();
            let html = std::hint::black_box(render_html(&input));
            times.push(start.elapsed());
            bytes = html.len();
        }
        times.sort();
        let median = times[times.len() / 2];
        println!(
            "report: {n} centers, {:.1} MB of HTML in {:.3} s (median of {runs}; setup {setup:.1} s, not timed)",
            bytes as f64 / 1e6,
            median.as_secs_f64()
        );
    }
}
