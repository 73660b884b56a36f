//! Benchmark binary `diff`: `cargo run -p bench --release --bin diff -- --help`.
//!
//! Two snapshots of the synthetic corpus (`bench::corpus`, then
//! `bench::day_variant` with a share of pages changed) are normalized into
//! `SnapshotView`s (setup, not timed). Then, each the median of several runs:
//!
//! - `diff` + JSON rendering (target: under 1 s for 1,000 centers, 5% changed),
//! - `compare` + table rendering (target: under 500 ms),
//! - `audit` (with a registry and the previous snapshot) + text rendering
//!   (target: under 500 ms).
//!
//! Exit status 0 when every figure meets its target, 1 otherwise.

use cartwatch_diff::{
    audit, compare, diff, render_audit, render_diff, render_matrix, AuditFormat, AuditOptions,
    CompareFormat, ContactRegistry, DiffFormat, DiffOptions, IgnoreRules, SnapshotView,
};
use cartwatch_model::{
    CenterSnapshot, FetchOutcome, PageSnapshot, SnapshotManifest, SnapshotSource,
};
use cartwatch_normalizer::{normalize, PageInput, Vocabulary};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

struct Settings {
    centers: usize,
    changed: f64,
    seed: u64,
    runs: usize,
}

fn parse_args() -> Settings {
    let mut settings = Settings {
        centers: 1000,
        changed: 0.05,
        seed: 42,
        runs: 5,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--centers" => settings.centers = value.parse().unwrap_or(settings.centers),
            "--changed" => settings.changed = value.parse().unwrap_or(settings.changed),
            "--seed" => settings.seed = value.parse().unwrap_or(settings.seed),
            "--runs" => settings.runs = value.parse::<usize>().unwrap_or(settings.runs).max(1),
            "--help" | "-h" => {
                println!(
                    "bench diff [--centers N (1000)] [--changed FRACTION (0.05)] [--seed S (42)] [--runs R (5)]\n\
                     Times diff+json, compare and audit on two normalized snapshots of the synthetic corpus."
                );
                std::process::exit(0);
            }
            other => {
                eprintln!("bench diff: unknown argument {other:?}; see --help");
                std::process::exit(2);
            }
        }
        i += 2;
    }
    settings
}

/// A snapshot view of these pages, every page fetched and normalized.
fn view(id: &str, pages: &[bench::CenterPage], vocabulary: &Vocabulary) -> SnapshotView {
    let mut centers: Vec<CenterSnapshot> = Vec::new();
    let mut records = BTreeMap::new();
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
        match centers.iter_mut().find(|c| c.id == page.center) {
            Some(center) => center.pages.push(entry),
            None => centers.push(CenterSnapshot {
                id: page.center.clone(),
                name: page.center.clone(),
                pages: vec![entry],
            }),
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

/// The registry as the first snapshot shows each center's numbers, so the
/// audit compares every number (and flags the changed ones).
fn registry_of(view: &SnapshotView) -> ContactRegistry {
    let mut text = String::new();
    for ((center, _), record) in &view.records {
        let mut by_purpose: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for contact in &record.contacts {
            let (Some(e164), Some(purpose)) = (&contact.e164, contact.purposes.first()) else {
                continue;
            };
            by_purpose
                .entry(purpose.as_str())
                .or_default()
                .push(format!("{e164:?}"));
        }
        if by_purpose.is_empty() {
            continue;
        }
        text.push_str(&format!("[center.{center}]\n"));
        for (purpose, numbers) in by_purpose {
            text.push_str(&format!("{purpose} = [{}]\n", numbers.join(", ")));
        }
    }
    ContactRegistry::from_toml_str(&text, "generated registry").expect("generated registry reads")
}

/// The median time of `runs` runs of `f`, and the last run's output size.
fn time<T>(runs: usize, mut f: impl FnMut() -> T, size: impl Fn(&T) -> usize) -> (Duration, usize) {
    let mut times = Vec::with_capacity(runs);
    let mut bytes = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let out = std::hint::black_box(f());
        times.push(start.elapsed());
        bytes = size(&out);
    }
    times.sort();
    (times[times.len() / 2], bytes)
}

fn main() {
    let s = parse_args();
    let vocabulary = Vocabulary::builtin();

    let setup = Instant::now();
    let day0 = bench::corpus(s.centers, s.seed);
    let day1 = bench::day_variant(&day0, 1, s.changed, s.seed);
    let from = view("2026-10-01T06:00:00Z", &day0, &vocabulary);
    let to = view("2026-10-02T06:00:00Z", &day1, &vocabulary);
    let input_mb = day0
        .iter()
        .chain(&day1)
        .map(|p| p.html.len())
        .sum::<usize>() as f64
        / 1e6;
    println!(
        "setup: {} centers, {:.0}% changed, {:.1} MB of HTML normalized into two snapshots in {:.1} s (not timed below)",
        s.centers,
        s.changed * 100.0,
        input_mb,
        setup.elapsed().as_secs_f64()
    );

    let options = DiffOptions {
        // The default config's footer-year patterns, so ignore rules are exercised.
        ignore: IgnoreRules::new(&[r"(?i)©\s*\d{4}", r"(?i)copyright\s+\d{4}"])
            .expect("patterns compile"),
        ..DiffOptions::default()
    };
    let report = diff(&from, &to, &options);
    let changed = report.centers.iter().filter(|c| c.has_changes()).count();
    println!(
        "diff finds {} changes in {} of {} centers",
        report.change_count(),
        changed,
        report.centers.len()
    );

    let (diff_time, diff_bytes) = time(
        s.runs,
        || render_diff(&diff(&from, &to, &options), DiffFormat::Json, false),
        String::len,
    );
    let (compare_time, compare_bytes) = time(
        s.runs,
        || render_matrix(&compare(&to), CompareFormat::Table),
        String::len,
    );
    let audit_options = AuditOptions {
        max_age_months: 12,
        registry: Some(registry_of(&from)),
        // The contact audit only, as the figures in README were measured.
        claims: None,
    };
    let findings = audit(&to, Some(&from), &audit_options).findings.len();
    let (audit_time, audit_bytes) = time(
        s.runs,
        || {
            render_audit(
                &audit(&to, Some(&from), &audit_options),
                AuditFormat::Text,
                false,
            )
        },
        String::len,
    );

    let rows = [
        (
            "diff + json",
            diff_time,
            diff_bytes,
            Duration::from_millis(1000),
        ),
        (
            "compare + table",
            compare_time,
            compare_bytes,
            Duration::from_millis(500),
        ),
        (
            "audit + text",
            audit_time,
            audit_bytes,
            Duration::from_millis(500),
        ),
    ];
    println!("audit finds {findings} findings");
    println!("median of {} runs:", s.runs);
    let mut all_ok = true;
    for (name, took, bytes, target) in rows {
        let ok = took < target;
        all_ok &= ok;
        println!(
            "  {name:<16} {:>8.1} ms  (target < {} ms, {}; output {:.1} KB)",
            took.as_secs_f64() * 1000.0,
            target.as_millis(),
            if ok { "ok" } else { "MISSED" },
            bytes as f64 / 1e3
        );
    }
    std::process::exit(if all_ok { 0 } else { 1 });
}
