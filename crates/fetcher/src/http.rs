//! Live HTTP fetching.

use cartwatch_model::{Capture, FetchSettings};

/// One page to fetch, with the validators of its previous capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchRequest {
    /// The configured center id.
    pub center: String,
    /// The page URL.
    pub url: String,
    /// ETag of the previous capture, sent as If-None-Match.
    pub etag: Option<String>,
    /// Last-Modified of the previous capture, sent as If-Modified-Since.
    pub last_modified: Option<String>,
}

/// A fetcher that could not be built (bad settings).
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The HTTP client could not be configured.
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}

/// Fetches pages concurrently across hosts, politely within one.
#[derive(Debug)]
pub struct Fetcher {
    settings: FetchSettings,
}

impl Fetcher {
    /// A fetcher with these politeness and bound settings.
    pub fn new(settings: &FetchSettings) -> Result<Fetcher, FetchError> {
        Ok(Fetcher {
            settings: settings.clone(),
        })
    }

    /// Fetches every request; returns one capture per request, in request order.
    pub async fn fetch_all(&self, requests: Vec<FetchRequest>) -> Vec<Capture> {
        let _ = &self.settings;
        let _ = requests;
        unimplemented!("the fetcher issue implements live fetching")
    }
}
