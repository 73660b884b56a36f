//! Fetching: live HTTP with politeness and bounds, and saved capture folders.
//!
//! Every page ends in one [`Capture`] whose [`FetchOutcome`] classifies it;
//! one page's failure never aborts the others.
//!
//! - [`http`]: [`Fetcher::fetch_all`], live fetching (retries, redirects,
//!   conditional requests, body cap, classification of the final response).
//! - [`politeness`]: per-host spacing and in-flight limits, the global cap.
//! - [`robots`]: robots.txt rules and the conventions for one that fails to load.
//! - [`classify`]: the pure rules: transport errors, statuses, Retry-After,
//!   backoff, HTML or not, bot challenges.
//! - [`progress`]: the progress bar (only when stderr is a terminal).
//! - [`address`]: which addresses a fetch may reach (no private or local
//!   network unless allowed), enforced by the client's DNS resolver and for
//!   every hop.
//! - [`browser`]: pages that need a browser (`fetch = "browser"` or
//!   `"auto"`): headless Chromium through the DevTools protocol, its every
//!   request checked against the address policy.
//! - [`captures`]: saved capture folders; [`notify`]: webhooks.
//! - [`archive`]: the Internet Archive (Wayback CDX listing, `id_` replay),
//!   one polite connection, for `cartwatch backfill`.
//!
//! `Capture::attempts` counts every request sent for the page (redirect hops
//! and retries; robots.txt not): 1 for a plain fetch, 0 when robots.txt kept
//! the page from being requested.
#![deny(missing_docs)]

pub mod address;
pub mod archive;
pub mod browser;
pub mod captures;
pub mod classify;
pub mod http;
pub mod notify;
pub mod politeness;
pub mod progress;
pub mod robots;

pub use captures::{
    read_capture_dir, read_capture_dir_with, scan_capture_dir_with, write_capture_dir,
    CaptureError, CaptureIndex, CaptureSet, PendingCapture,
};
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
