//! `cartwatch export`: a snapshot's facts as JSON lines or CSV, one row per
//! center/page/fact, for DuckDB, pandas or a spreadsheet.
//!
//! Columns: `snapshot, center, url, fact_kind, fact, value, detail, evidence`.
//! Every page has a `page/outcome` row (failed pages included); pages with a
//! record add `title`, `product`, `offering`, `condition`, `population`,
//! `target`, `contact`, `process`, `side_effect`, `cost` and `date` rows.

use crate::common::{load_view, require_center, StoreArg};
use anyhow::Result;
use cartwatch_model::{ContactKind, PageRecord};
use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;

/// Output formats of `cartwatch export`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// RFC 4180 CSV with a header row.
    Csv,
}

/// Flags of `cartwatch export`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    store: StoreArg,
    /// The snapshot: an id, a unique id prefix, `latest` or `latest~N`.
    #[arg(default_value = "latest")]
    snapshot: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "jsonl")]
    format: Format,
    /// Only this center.
    #[arg(long, value_name = "ID")]
    center: Option<String>,
}

/// One exported fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FactRow {
    /// Snapshot id.
    pub snapshot: String,
    /// Center id.
    pub center: String,
    /// Page URL.
    pub url: String,
    /// `page`, `title`, `product`, `offering`, `condition`, ...
    pub fact_kind: String,
    /// Which fact of that kind (`kymriah`, `clinical_trials`, `phone`, ...).
    pub fact: String,
    /// Its value (`true`, a number, a date, an E.164 phone number, ...).
    pub value: String,
    /// More about it (purposes and section of a contact, durations, ...).
    pub detail: String,
    /// The sentence it was read from, when the record keeps one.
    pub evidence: String,
}

/// The column names, in order.
pub const COLUMNS: [&str; 8] = [
    "snapshot",
    "center",
    "url",
    "fact_kind",
    "fact",
    "value",
    "detail",
    "evidence",
];

/// Every fact of one page's record.
pub fn record_facts(record: &PageRecord) -> Vec<(String, String, String, String, String)> {
    let ev = |key: String| record.evidence.get(&key).cloned().unwrap_or_default();
    let mut out: Vec<(String, String, String, String, String)> = Vec::new();
    let mut push = |kind: &str, fact: &str, value: String, detail: String, evidence: String| {
        out.push((kind.into(), fact.into(), value, detail, evidence));
    };
    if let Some(title) = &record.title {
        push(
            "title",
            "title",
            title.clone(),
            String::new(),
            String::new(),
        );
    }
    let o = &record.offerings;
    for p in &o.products {
        push(
            "product",
            p,
            "true".into(),
            String::new(),
            ev(format!("product:{p}")),
        );
    }
    for (name, on) in [
        ("all_fda_approved", o.all_fda_approved),
        ("clinical_trials", o.clinical_trials),
        ("manufacturing_on_site", o.manufacturing_on_site),
    ] {
        push(
            "offering",
            name,
            on.to_string(),
            String::new(),
            ev(format!("offering:{name}")),
        );
    }
    if let Some(age) = o.age_max {
        push(
            "offering",
            "age_max",
            age.to_string(),
            String::new(),
            ev("offering:age_max".into()),
        );
    }
    for c in &o.conditions {
        let value = if c.investigational {
            "investigational"
        } else {
            "treated"
        };
        push(
            "condition",
            &c.id,
            value.into(),
            String::new(),
            ev(format!("condition:{}", c.id)),
        );
    }
    for p in &o.populations {
        push(
            "population",
            p,
            "true".into(),
            String::new(),
            ev(format!("population:{p}")),
        );
    }
    for t in &o.targets {
        push(
            "target",
            t,
            "true".into(),
            String::new(),
            ev(format!("target:{t}")),
        );
    }
    for c in &record.contacts {
        let (fact, value) = match c.kind {
            ContactKind::Phone => ("phone", c.e164.clone().or(c.display.clone())),
            ContactKind::Email => ("email", c.address.clone()),
        };
        let purposes: Vec<&str> = c.purposes.iter().map(|p| p.as_str()).collect();
        let mut detail = format!(
            "purposes={} section={}",
            purposes.join(";"),
            c.section.as_str()
        );
        if let Some(display) = &c.display {
            detail.push_str(&format!(" display={display}"));
        }
        if c.valid == Some(false) {
            detail.push_str(" valid=false");
        }
        push(
            "contact",
            fact,
            value.unwrap_or_default(),
            detail,
            c.evidence.clone(),
        );
    }
    for step in &record.process {
        let durations: Vec<&str> = step.durations.iter().map(|d| d.text.as_str()).collect();
        push(
            "process",
            &step.stage,
            "true".into(),
            durations.join("; "),
            step.evidence.clone(),
        );
    }
    for s in &record.side_effects {
        push(
            "side_effect",
            s,
            "true".into(),
            String::new(),
            ev(format!("side_effect:{s}")),
        );
    }
    for c in &record.costs {
        let range = format!(
            "{}-{}",
            c.min_usd.map(|v| v.to_string()).unwrap_or_default(),
            c.max_usd.map(|v| v.to_string()).unwrap_or_default()
        );
        push("cost", "usd", c.text.clone(), range, c.evidence.clone());
    }
    for (name, date) in [
        ("reviewed", &record.dates.reviewed),
        ("revised", &record.dates.revised),
    ] {
        if let Some(date) = date {
            push(
                "date",
                name,
                date.clone(),
                String::new(),
                ev(format!("date:{name}")),
            );
        }
    }
    out
}

/// Quotes a CSV field when it needs it (RFC 4180).
pub fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

/// Writes the snapshot's facts.
pub fn run(args: Args) -> Result<ExitCode> {
    let store = args.store.open()?;
    let id = store.resolve(&args.snapshot)?;
    let view = load_view(&store, &id)?;
    if let Some(center) = &args.center {
        require_center(&view.manifest, center)?;
    }
    let stdout = std::io::stdout();
    let mut out = crate::common::CleanWriter::new(std::io::BufWriter::new(stdout.lock()));
    if args.format == Format::Csv {
        writeln!(out, "{}", COLUMNS.join(","))?;
    }
    for center in &view.manifest.centers {
        if args.center.as_ref().is_some_and(|c| c != &center.id) {
            continue;
        }
        for page in &center.pages {
            let mut rows = vec![(
                "page".to_string(),
                "outcome".to_string(),
                page.outcome.label(),
                page.status
                    .map(|s| format!("status={s}"))
                    .unwrap_or_default(),
                page.error.clone().unwrap_or_default(),
            )];
            if let Some(record) = view.records.get(&(center.id.clone(), page.url.clone())) {
                rows.extend(record_facts(record));
            }
            for (fact_kind, fact, value, detail, evidence) in rows {
                let row = FactRow {
                    snapshot: id.clone(),
                    center: center.id.clone(),
                    url: page.url.clone(),
                    fact_kind,
                    fact,
                    value,
                    detail,
                    evidence,
                };
                match args.format {
                    Format::Jsonl => writeln!(out, "{}", serde_json::to_string(&row)?)?,
                    Format::Csv => {
                        let fields = [
                            &row.snapshot,
                            &row.center,
                            &row.url,
                            &row.fact_kind,
                            &row.fact,
                            &row.value,
                            &row.detail,
                            &row.evidence,
                        ];
                        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
                        writeln!(out, "{}", line.join(","))?;
                    }
                }
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\"\n"), "\"say \"\"hi\"\"\n\"");
    }
}
