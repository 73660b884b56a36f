//! The record types every cartwatch crate shares.
//!
//! This crate holds data and nothing else: no file, network or clock access.
//! Other crates exchange these types, so each crate depends on `model` and
//! never on its siblings; the `cli` crate wires them together.
//!
//! - [`record`]: what the normalizer reads out of one page ([`PageRecord`]),
//!   the JSON contract of `cartwatch normalize`.
//! - [`snapshot`]: what a fetch produced ([`Capture`], [`FetchOutcome`]) and
//!   what the store keeps per snapshot ([`SnapshotManifest`]).
//! - [`fact`]: the fact as one type ([`FactKey`], [`Fact`]) and
//!   [`PageRecord::facts`], the one way to flatten a record.
//! - [`config`]: the watched centers and run settings (`config/centers.toml`).
//! - [`directory`]: the directory of CAR T organizations (`config/directory.toml`).
//! - [`display`]: text cleaned for display (no escape sequences, no bidi
//!   controls, no credentials in URLs), shared by the normalizer and every
//!   renderer.
//!
//! ```
//! use cartwatch_model::{PageRecord, Purpose};
//! let record: PageRecord = serde_json::from_str(r#"{"url": "https://example.org/car-t"}"#).unwrap();
//! assert!(record.contacts.is_empty());
//! assert_eq!(serde_json::to_string(&Purpose::ClinicalTrials).unwrap(), "\"clinical_trials\"");
//! ```
#![deny(missing_docs)]

pub mod config;
pub mod directory;
pub mod display;
pub mod fact;
pub mod record;
pub mod snapshot;

pub use config::{
    AuditSettings, BrowserUse, CenterConfig, CenterKind, Config, ConfigError, DiffSettings,
    FetchMode, FetchSettings, SelectorOverride,
};
pub use directory::{Directory, DirectoryEntry, DirectoryError, DirectoryKind, Location};
pub use fact::{DateKind, Fact, FactKey, FactKeyError, FactValue, OfferingFlag};
pub use record::{
    Condition, Contact, ContactKind, Cost, Duration, Offerings, PageDates, PageRecord, ProcessStep,
    Purpose, Section, TelLinkMismatch,
};
pub use snapshot::{
    ArchiveCapture, Capture, CaptureMeta, CenterSnapshot, FetchOutcome, PageSnapshot, RenderedBy,
    SnapshotManifest, SnapshotSource,
};
