//! `cartwatch show`: a snapshot's pages and records, as text or JSON.

use crate::common::{load_view, require_center, StoreArg};
use anyhow::Result;
use cartwatch_model::{ContactKind, PageRecord, PageSnapshot};
use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

/// Output formats of `cartwatch show`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Readable summary per center and page.
    Text,
    /// The manifest with each page's record, as one JSON document.
    Json,
}

/// Flags of `cartwatch show`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    store: StoreArg,
    /// The snapshot: an id, a unique id prefix, `latest` or `latest~N`.
    #[arg(default_value = "latest")]
    snapshot: String,
    /// Only this center.
    #[arg(long, value_name = "ID")]
    center: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// Prints the snapshot's records.
pub fn run(args: Args) -> Result<ExitCode> {
    let store = args.store.open()?;
    let id = store.resolve(&args.snapshot)?;
    let summary = store.summary(&id)?;
    let view = load_view(&store, &id)?;
    if let Some(center) = &args.center {
        require_center(&view.manifest, center)?;
    }
    let centers = view
        .manifest
        .centers
        .iter()
        .filter(|c| args.center.as_ref().is_none_or(|want| want == &c.id));
    let record = |center: &str, url: &str| view.records.get(&(center.to_string(), url.to_string()));
    let mut out = String::new();
    match args.format {
        Format::Json => {
            let centers: Vec<CenterOut<'_>> = centers
                .map(|c| CenterOut {
                    id: &c.id,
                    name: &c.name,
                    pages: c
                        .pages
                        .iter()
                        .map(|p| PageOut {
                            page: p,
                            record: record(&c.id, &p.url),
                        })
                        .collect(),
                })
                .collect();
            let doc = ShowOut {
                snapshot: &summary,
                centers,
            };
            let stdout = std::io::stdout();
            let mut lock = crate::common::CleanWriter::new(std::io::BufWriter::new(stdout.lock()));
            serde_json::to_writer_pretty(&mut lock, &doc)?;
            lock.write_all(b"\n")?;
            lock.flush()?;
            return Ok(ExitCode::SUCCESS);
        }
        Format::Text => {
            let source = summary.source.describe();
            let _ = writeln!(
                out,
                "snapshot {id} ({source}): {} centers, {} pages ok, {} failed, {} bytes new",
                summary.centers, summary.pages_ok, summary.pages_failed, summary.bytes_new
            );
            for c in centers {
                let _ = writeln!(out, "\n{}  {}", c.id, c.name);
                for p in &c.pages {
                    page_text(&mut out, p, record(&c.id, &p.url));
                }
            }
        }
    }
    crate::common::print_clean(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// The JSON document of `show --format json`.
#[derive(serde::Serialize)]
struct ShowOut<'a> {
    snapshot: &'a cartwatch_store::SnapshotSummary,
    centers: Vec<CenterOut<'a>>,
}

#[derive(serde::Serialize)]
struct CenterOut<'a> {
    id: &'a str,
    name: &'a str,
    pages: Vec<PageOut<'a>>,
}

/// A page's manifest entry with its record (`null` when it has none).
#[derive(serde::Serialize)]
struct PageOut<'a> {
    #[serde(flatten)]
    page: &'a PageSnapshot,
    record: Option<&'a PageRecord>,
}

fn page_text(out: &mut String, page: &PageSnapshot, record: Option<&PageRecord>) {
    let status = page.status.map(|s| format!(" {s}")).unwrap_or_default();
    let rendered = match page.rendered_by {
        cartwatch_model::RenderedBy::Browser => " (rendered by the browser)",
        cartwatch_model::RenderedBy::Http => "",
    };
    let _ = writeln!(
        out,
        "  {}  {}{}{}",
        page.url,
        page.outcome.label(),
        status,
        rendered
    );
    if let Some(error) = &page.error {
        let _ = writeln!(out, "    error: {error}");
    }
    let Some(r) = record else {
        return;
    };
    let mut line = |label: &str, items: Vec<String>| {
        if !items.is_empty() {
            let _ = writeln!(out, "    {label}: {}", items.join(", "));
        }
    };
    line("title", r.title.iter().cloned().collect());
    let o = &r.offerings;
    line("products", o.products.clone());
    let mut offers = Vec::new();
    if o.all_fda_approved {
        offers.push("all FDA-approved products".to_string());
    }
    if o.clinical_trials {
        offers.push("clinical trials".into());
    }
    if o.manufacturing_on_site {
        offers.push("on-site manufacturing".into());
    }
    line("offers", offers);
    line(
        "conditions",
        o.conditions
            .iter()
            .map(|c| {
                if c.investigational {
                    format!("{} (investigational)", c.id)
                } else {
                    c.id.clone()
                }
            })
            .collect(),
    );
    let mut populations = o.populations.clone();
    if let Some(age) = o.age_max {
        populations.push(format!("up to age {age}"));
    }
    line("populations", populations);
    line("targets", o.targets.clone());
    let contact = |kind: ContactKind| -> Vec<String> {
        r.contacts
            .iter()
            .filter(|c| c.kind == kind)
            .map(|c| {
                let what = match kind {
                    ContactKind::Phone => c.e164.clone().or(c.display.clone()),
                    ContactKind::Email => c.address.clone(),
                }
                .unwrap_or_default();
                let purposes: Vec<&str> = c.purposes.iter().map(|p| p.as_str()).collect();
                let invalid = if c.valid == Some(false) {
                    " invalid"
                } else {
                    ""
                };
                format!(
                    "{what} ({}; {}{invalid})",
                    purposes.join("/"),
                    c.section.as_str()
                )
            })
            .collect()
    };
    line("phones", contact(ContactKind::Phone));
    line("emails", contact(ContactKind::Email));
    line(
        "process",
        r.process.iter().map(|s| s.stage.clone()).collect(),
    );
    line("side effects", r.side_effects.clone());
    line("costs", r.costs.iter().map(|c| c.text.clone()).collect());
    let mut dates = Vec::new();
    if let Some(d) = &r.dates.reviewed {
        dates.push(format!("reviewed {d}"));
    }
    if let Some(d) = &r.dates.revised {
        dates.push(format!("revised {d}"));
    }
    line("dates", dates);
}
