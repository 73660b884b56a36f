//! Fetching: live HTTP with politeness and bounds, and saved capture folders.
//!
//! Every page ends in one [`Capture`] whose [`FetchOutcome`] classifies it;
//! one page's failure never aborts the others.
#![deny(missing_docs)]

pub mod captures;
pub mod classify;
pub mod http;
pub mod notify;
pub mod politeness;
pub mod progress;
pub mod robots;

pub use captures::{read_capture_dir, write_capture_dir, CaptureError, CaptureSet};
pub use http::{FetchError, FetchRequest, Fetcher};

pub use cartwatch_model::{Capture, FetchOutcome};

/// The current time as RFC 3339 UTC with seconds precision (`2026-11-23T06:00:00Z`).
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
