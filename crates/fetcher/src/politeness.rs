//! Per-host politeness: request spacing, in-flight limits, and a global cap.
//!
//! A *host* is scheme + host + port (`http://127.0.0.2:8080`), so two
//! loopback addresses on one port are two hosts. Every request to a host,
//! robots.txt and retries included, first takes a [`Slot`] from the
//! [`Scheduler`]: that waits for one of the host's in-flight places, then
//! until the host's spacing allows a new request (its delay after the
//! previous request's start, and any `Retry-After` the host asked for), and
//! finally for a place under the global in-flight cap.

use crate::robots::RobotsRules;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OnceCell, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use url::Url;

/// The politeness key of a URL: `scheme://host:port`.
pub fn host_key(url: &Url) -> String {
    format!(
        "{}://{}:{}",
        url.scheme(),
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or(0)
    )
}

/// One host's politeness state for one run.
#[derive(Debug)]
pub struct Host {
    /// `scheme://host:port`.
    pub key: String,
    in_flight: Arc<Semaphore>,
    pace: tokio::sync::Mutex<Pace>,
    /// The host's robots.txt rules, loaded once per run on first use.
    pub robots: OnceCell<RobotsRules>,
}

#[derive(Debug)]
struct Pace {
    /// Minimum spacing between request starts.
    delay: Duration,
    /// When the previous request started.
    last_start: Option<Instant>,
    /// No request before this (a server's Retry-After).
    not_before: Option<Instant>,
}

impl Host {
    /// Raises the spacing to `delay` (robots.txt Crawl-delay) when it is longer.
    pub async fn raise_delay(&self, delay: Duration) {
        let mut pace = self.pace.lock().await;
        pace.delay = pace.delay.max(delay);
    }

    /// The spacing currently applied between request starts.
    pub async fn delay(&self) -> Duration {
        self.pace.lock().await.delay
    }

    /// Holds every request to this host until `until` (Retry-After).
    pub async fn defer_until(&self, until: Instant) {
        let mut pace = self.pace.lock().await;
        pace.not_before = Some(pace.not_before.map_or(until, |t| t.max(until)));
    }
}

/// Permission to send one request: held until the response is read.
#[derive(Debug)]
pub struct Slot {
    _host: OwnedSemaphorePermit,
    _global: OwnedSemaphorePermit,
}

/// The run's hosts and the global in-flight cap.
#[derive(Debug)]
pub struct Scheduler {
    min_delay: Duration,
    per_host: usize,
    global: Arc<Semaphore>,
    hosts: Mutex<HashMap<String, Arc<Host>>>,
}

impl Scheduler {
    /// A scheduler spacing requests to one host by at least `min_delay`, with
    /// `per_host` requests in flight per host and `global` in all.
    pub fn new(min_delay: Duration, per_host: usize, global: usize) -> Scheduler {
        Scheduler {
            min_delay,
            per_host: per_host.max(1),
            global: Arc::new(Semaphore::new(global.max(1))),
            hosts: Mutex::new(HashMap::new()),
        }
    }

    /// The state of the host serving `url`, created on first use.
    pub fn host(&self, url: &Url) -> Arc<Host> {
        let key = host_key(url);
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        hosts
            .entry(key.clone())
            .or_insert_with(|| {
                Arc::new(Host {
                    key,
                    in_flight: Arc::new(Semaphore::new(self.per_host)),
                    pace: tokio::sync::Mutex::new(Pace {
                        delay: self.min_delay,
                        last_start: None,
                        not_before: None,
                    }),
                    robots: OnceCell::new(),
                })
            })
            .clone()
    }

    /// Waits until a request to `host` may start, and reserves it.
    pub async fn slot(&self, host: &Host) -> Slot {
        let host_permit = host
            .in_flight
            .clone()
            .acquire_owned()
            .await
            .expect("host semaphore is never closed");
        // The pace lock is held while waiting so requests to one host start
        // one at a time, each at least `delay` after the previous start.
        let mut pace = host.pace.lock().await;
        loop {
            let earliest = [pace.last_start.map(|t| t + pace.delay), pace.not_before]
                .into_iter()
                .flatten()
                .max();
            match earliest {
                Some(at) if at > Instant::now() => tokio::time::sleep_until(at).await,
                _ => break,
            }
        }
        let global_permit = self
            .global
            .clone()
            .acquire_owned()
            .await
            .expect("global semaphore is never closed");
        pace.last_start = Some(Instant::now());
        drop(pace);
        Slot {
            _host: host_permit,
            _global: global_permit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_scheme_host_and_port() {
        let key = |u: &str| host_key(&Url::parse(u).unwrap());
        assert_eq!(key("http://127.0.0.2:8080/a"), "http://127.0.0.2:8080");
        assert_ne!(
            key("http://127.0.0.2:8080/a"),
            key("http://127.0.0.3:8080/a")
        );
        assert_eq!(key("https://Example.org/x"), "https://example.org:443");
        assert_ne!(key("http://example.org/"), key("https://example.org/"));
    }

    #[tokio::test(start_paused = true)]
    async fn requests_to_one_host_are_spaced_from_their_starts() {
        let scheduler = Scheduler::new(Duration::from_millis(200), 1, 8);
        let host = scheduler.host(&Url::parse("http://a.test/").unwrap());
        let start = Instant::now();
        drop(scheduler.slot(&host).await);
        drop(scheduler.slot(&host).await);
        assert_eq!(start.elapsed(), Duration::from_millis(200));
        host.raise_delay(Duration::from_millis(500)).await;
        drop(scheduler.slot(&host).await);
        assert_eq!(start.elapsed(), Duration::from_millis(700));
        host.defer_until(Instant::now() + Duration::from_secs(3))
            .await;
        drop(scheduler.slot(&host).await);
        assert_eq!(start.elapsed(), Duration::from_millis(3700));
    }
}
