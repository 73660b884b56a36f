//! Snapshot views built in tests: a base record and a builder.
#![allow(dead_code)]

use cartwatch_diff::SnapshotView;
use cartwatch_model::*;
use std::collections::BTreeMap;

pub const URL: &str = "https://example.org/car-t";

pub fn phone(e164: &str, display: &str, purposes: &[Purpose], evidence: &str) -> Contact {
    Contact {
        kind: ContactKind::Phone,
        e164: Some(e164.into()),
        display: Some(display.into()),
        address: None,
        valid: Some(true),
        purposes: purposes.to_vec(),
        section: Section::Main,
        evidence: evidence.into(),
    }
}

/// A record with one of everything.
pub fn base_record(url: &str) -> PageRecord {
    let mut evidence = BTreeMap::new();
    evidence.insert(
        "product:kymriah".to_string(),
        "We offer Kymriah for children and young adults.".to_string(),
    );
    evidence.insert(
        "side_effect:crs".to_string(),
        "Cytokine release syndrome can cause fever.".to_string(),
    );
    evidence.insert(
        "date:reviewed".to_string(),
        "Medically reviewed on Oct. 12, 2023.".to_string(),
    );
    PageRecord {
        url: url.into(),
        title: Some("CAR T-cell therapy".into()),
        contacts: vec![phone(
            "+12168443951",
            "216-844-3951",
            &[Purpose::Appointments],
            "To make an appointment, call 216-844-3951.",
        )],
        offerings: Offerings {
            products: vec!["kymriah".into()],
            all_fda_approved: false,
            clinical_trials: true,
            manufacturing_on_site: false,
            conditions: vec![Condition {
                id: "leukemia".into(),
                investigational: false,
            }],
            populations: vec!["pediatric".into()],
            age_max: Some(25),
            targets: vec!["cd19".into()],
            ..Default::default()
        },
        process: vec![
            ProcessStep {
                stage: "collection".into(),
                durations: vec![Duration {
                    text: "two to three hours".into(),
                    min_minutes: Some(120),
                    max_minutes: Some(180),
                }],
                evidence: "We draw blood over two to three hours.".into(),
            },
            ProcessStep {
                stage: "infusion".into(),
                durations: vec![],
                evidence: "The cells are infused back.".into(),
            },
        ],
        side_effects: vec!["crs".into()],
        costs: vec![Cost {
            text: "$373,000".into(),
            min_usd: Some(373_000),
            max_usd: Some(373_000),
            evidence: "The therapy costs $373,000.".into(),
        }],
        dates: PageDates {
            reviewed: Some("2023-10-12".into()),
            revised: None,
        },
        main_text: "CAR T-cell therapy uses your own immune cells.\n\nWe draw blood over two to three hours. © 2026 Example Health".into(),
        evidence,
        ..Default::default()
    }
}

/// Builds a snapshot view page by page.
pub struct Snap {
    id: String,
    source: SnapshotSource,
    centers: Vec<CenterSnapshot>,
    records: BTreeMap<(String, String), PageRecord>,
}

pub fn snap(id: &str) -> Snap {
    Snap {
        id: id.into(),
        source: SnapshotSource::Http,
        centers: Vec::new(),
        records: BTreeMap::new(),
    }
}

impl Snap {
    fn center_mut(&mut self, center: &str) -> &mut CenterSnapshot {
        if !self.centers.iter().any(|c| c.id == center) {
            self.centers.push(CenterSnapshot {
                id: center.into(),
                name: format!("{center} hospital"),
                pages: Vec::new(),
            });
        }
        self.centers.iter_mut().find(|c| c.id == center).unwrap()
    }

    fn entry(&self, url: &str, outcome: FetchOutcome) -> PageSnapshot {
        PageSnapshot {
            url: url.into(),
            final_url: None,
            redirects: vec![],
            status: if outcome.has_content() {
                Some(200)
            } else {
                None
            },
            content_type: Some("text/html".into()),
            etag: None,
            last_modified: None,
            fetched_at: format!("{}T06:00:00Z", &self.id[..10]),
            outcome,
            error: None,
            body_sha256: None,
            body_len: None,
            has_record: false,
            rendered_by: Default::default(),
        }
    }

    /// A page fetched fine, with this record (keyed by its url).
    pub fn page(mut self, center: &str, record: PageRecord) -> Snap {
        let mut entry = self.entry(&record.url, FetchOutcome::Ok);
        entry.has_record = true;
        self.center_mut(center).pages.push(entry);
        self.records
            .insert((center.into(), record.url.clone()), record);
        self
    }

    /// A page fetched fine that ended at another address.
    pub fn redirected(mut self, center: &str, record: PageRecord, final_url: &str) -> Snap {
        let mut entry = self.entry(&record.url, FetchOutcome::Ok);
        entry.has_record = true;
        entry.final_url = Some(final_url.into());
        self.center_mut(center).pages.push(entry);
        self.records
            .insert((center.into(), record.url.clone()), record);
        self
    }

    /// A page whose fetch failed.
    pub fn failed(mut self, center: &str, url: &str, outcome: FetchOutcome) -> Snap {
        let mut entry = self.entry(url, outcome);
        entry.error = Some("operation timed out after 30s".into());
        self.center_mut(center).pages.push(entry);
        self
    }

    /// An archive snapshot (`cartwatch backfill`): absent pages were not captured.
    pub fn archive(mut self) -> Snap {
        self.source = SnapshotSource::Archive {
            base: "https://web.archive.org".into(),
            captures: Vec::new(),
        };
        self
    }

    /// A center without pages in this snapshot (an archive period in which
    /// none of its pages was captured).
    pub fn no_pages(mut self, center: &str) -> Snap {
        self.center_mut(center);
        self
    }

    pub fn build(self) -> SnapshotView {
        SnapshotView {
            manifest: SnapshotManifest {
                id: self.id.clone(),
                created_at: self.id.clone(),
                taken_at: self.id.clone(),
                source: self.source,
                centers: self.centers,
                bytes_new: 0,
            },
            records: self.records,
        }
    }
}

/// Every manifest of these views, in order.
pub fn history(views: &[&SnapshotView]) -> Vec<SnapshotManifest> {
    views.iter().map(|v| v.manifest.clone()).collect()
}

/// `diff_snapshots` over a list of views.
pub fn diff_in(
    views: &[&SnapshotView],
    from: &str,
    to: &str,
    options: &cartwatch_diff::DiffOptions,
) -> cartwatch_diff::DiffReport {
    let manifests = history(views);
    cartwatch_diff::diff_snapshots(from, to, &manifests, options, |id| {
        views
            .iter()
            .find(|v| v.manifest.id == id)
            .map(|v| (*v).clone())
            .ok_or(format!("no {id}"))
    })
    .unwrap()
}

/// What a site serves with "200 OK" while it is down for maintenance: a
/// short notice and a footer number, none of the page's facts.
pub fn maintenance_record(url: &str) -> PageRecord {
    PageRecord {
        url: url.into(),
        title: Some("Scheduled maintenance | Example Health".into()),
        contacts: vec![phone(
            "+18005550100",
            "800-555-0100",
            &[Purpose::General],
            "For urgent matters call 800-555-0100.",
        )],
        main_text: "Our website is under maintenance. We will be back soon.\n\nFor urgent matters call 800-555-0100.".into(),
        ..Default::default()
    }
}

/// A soft 404: "Page not found" served with 200.
pub fn soft_404_record(url: &str) -> PageRecord {
    PageRecord {
        url: url.into(),
        title: Some("Page Not Found".into()),
        main_text: "Sorry, the page you are looking for does not exist or has moved. Try the search box or return to the home page.".into(),
        ..Default::default()
    }
}

/// The base record with a page-length text (about 200 words) around the same facts.
pub fn long_record(url: &str) -> PageRecord {
    let mut record = base_record(url);
    let paragraph =
        "CAR T-cell therapy uses your own immune cells to fight leukemia and lymphoma. \
        Our team reviews your history, explains the steps and the side effects, and stays with you \
        and your family before, during and after the infusion.";
    let mut text = Vec::new();
    for i in 1..=5 {
        text.push(format!("Part {i}. {paragraph}"));
    }
    text.push("We draw blood over two to three hours. To make an appointment, call 216-844-3951. © 2026 Example Health".into());
    record.main_text = text.join("\n\n");
    record
}
