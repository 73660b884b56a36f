//! Politeness across hosts: 127.0.0.x addresses are different hosts, worked
//! on concurrently; within one host requests are spaced and limited.
//! Real HTTP on loopback. Lower bounds on spacing are strict, upper bounds
//! loose (the test machine is shared).

mod support;

use axum::routing::get;
use axum::Router;
use cartwatch_model::{FetchOutcome, FetchSettings};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::*;

/// Counts requests in progress (across every server sharing it) and the peak.
#[derive(Clone, Default)]
struct InFlight {
    now: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
}

impl InFlight {
    fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }
}

/// A router whose `/p/:n` pages take `latency` to answer, tracked by `in_flight`.
fn slow_pages(latency: Duration, in_flight: InFlight) -> Router {
    Router::new().route(
        "/p/:n",
        get(move || {
            let in_flight = in_flight.clone();
            async move {
                let now = in_flight.now.fetch_add(1, Ordering::SeqCst) + 1;
                in_flight.peak.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(latency).await;
                in_flight.now.fetch_sub(1, Ordering::SeqCst);
                html("<p>page</p>")
            }
        }),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hosts_are_fetched_concurrently_and_spaced_within_each() {
    let ips = ["127.0.0.2", "127.0.0.3", "127.0.0.4"];
    let mut servers = Vec::new();
    for ip in ips {
        servers.push(
            serve_on(
                ip,
                slow_pages(Duration::from_millis(20), InFlight::default()),
            )
            .await,
        );
    }
    // Host-major order: a sequential fetcher would finish one host first.
    let urls: Vec<String> = servers
        .iter()
        .flat_map(|s| (1..=3).map(move |n| s.url(&format!("/p/{n}"))))
        .collect();
    let settings = FetchSettings {
        min_delay_ms: 300,
        ..quick()
    };
    let started = Instant::now();
    let captures = fetch(&settings, &urls).await;
    let elapsed = started.elapsed();

    let got: Vec<&str> = captures.iter().map(|c| c.url.as_str()).collect();
    assert_eq!(got, urls, "captures come back in request order");
    assert!(captures.iter().all(|c| c.outcome == FetchOutcome::Ok));

    for server in &servers {
        let hits = server.hits();
        // robots.txt, then the three pages, in order.
        let paths: Vec<&str> = hits.iter().map(|h| h.path.as_str()).collect();
        assert_eq!(
            paths,
            ["/robots.txt", "/p/1", "/p/2", "/p/3"],
            "{}",
            server.base
        );
        for pair in hits.windows(2) {
            let gap = pair[1].at - pair[0].at;
            assert!(
                gap >= Duration::from_millis(280),
                "{}: gap {gap:?} before {}",
                server.base,
                pair[1].path
            );
        }
    }
    // Across hosts, work overlaps: every host started before the first one
    // finished (a host takes at least 3 x 300 ms).
    let firsts: Vec<Instant> = servers.iter().map(|s| s.hits()[0].at).collect();
    let lasts: Vec<Instant> = servers
        .iter()
        .map(|s| s.hits().last().unwrap().at)
        .collect();
    let latest_first = *firsts.iter().max().unwrap();
    let earliest_last = *lasts.iter().min().unwrap();
    assert!(
        latest_first < earliest_last,
        "hosts were not fetched concurrently"
    );
    assert!(elapsed >= Duration::from_millis(880), "{elapsed:?}");
    assert!(
        elapsed < Duration::from_millis(2600),
        "sequential would take 2.7 s or more: {elapsed:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_request_in_flight_per_host_by_default() {
    let in_flight = InFlight::default();
    let server = serve(slow_pages(Duration::from_millis(150), in_flight.clone())).await;
    let urls: Vec<String> = (1..=4).map(|n| server.url(&format!("/p/{n}"))).collect();
    let captures = fetch(&quick(), &urls).await;
    assert!(captures.iter().all(|c| c.outcome == FetchOutcome::Ok));
    assert_eq!(in_flight.peak(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_in_flight_per_host_allows_parallel_requests_to_one_host() {
    let in_flight = InFlight::default();
    let server = serve(slow_pages(Duration::from_millis(400), in_flight.clone())).await;
    let urls: Vec<String> = (1..=4).map(|n| server.url(&format!("/p/{n}"))).collect();
    let settings = FetchSettings {
        max_in_flight_per_host: 2,
        ..quick()
    };
    let captures = fetch(&settings, &urls).await;
    assert!(captures.iter().all(|c| c.outcome == FetchOutcome::Ok));
    assert_eq!(in_flight.peak(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_in_flight_caps_requests_across_hosts() {
    let in_flight = InFlight::default();
    let mut urls = Vec::new();
    let mut servers = Vec::new();
    for ip in ["127.0.0.5", "127.0.0.6", "127.0.0.7"] {
        let server = serve_on(
            ip,
            slow_pages(Duration::from_millis(100), in_flight.clone()),
        )
        .await;
        urls.push(server.url("/p/1"));
        urls.push(server.url("/p/2"));
        servers.push(server);
    }
    let settings = FetchSettings {
        max_in_flight: 1,
        ..quick()
    };
    let captures = fetch(&settings, &urls).await;
    assert!(captures.iter().all(|c| c.outcome == FetchOutcome::Ok));
    assert_eq!(in_flight.peak(), 1);

    // And without the cap the same hosts do overlap.
    let in_flight = InFlight::default();
    let mut urls = Vec::new();
    for ip in ["127.0.0.5", "127.0.0.6", "127.0.0.7"] {
        let server = serve_on(
            ip,
            slow_pages(Duration::from_millis(300), in_flight.clone()),
        )
        .await;
        urls.push(server.url("/p/1"));
        servers.push(server);
    }
    fetch(&quick(), &urls).await;
    assert!(in_flight.peak() >= 2, "peak {}", in_flight.peak());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_holds_back_every_request_to_the_host() {
    let first = Arc::new(AtomicUsize::new(0));
    let server = serve(
        Router::new()
            .route(
                "/busy",
                get(move || {
                    let first = first.clone();
                    async move {
                        if first.fetch_add(1, Ordering::SeqCst) == 0 {
                            axum::http::Response::builder()
                                .status(429)
                                .header("retry-after", "1")
                                .body(axum::body::Body::empty())
                                .unwrap()
                        } else {
                            html("<p>ok</p>")
                        }
                    }
                }),
            )
            .merge(slow_pages(Duration::from_millis(100), InFlight::default())),
    )
    .await;
    let settings = FetchSettings {
        max_in_flight_per_host: 2,
        retries: 1,
        ..quick()
    };
    let urls = [server.url("/busy"), server.url("/p/1"), server.url("/p/2")];
    let captures = fetch(&settings, &urls).await;
    assert!(
        captures.iter().all(|c| c.outcome == FetchOutcome::Ok),
        "{captures:?}"
    );
    let told_to_wait = server.hits_for("/busy")[0].at;
    // /p/1 was already on its way; /p/2 started after the 429 and had to wait.
    let later = server.hits_for("/p/2")[0].at;
    assert!(
        later - told_to_wait >= Duration::from_millis(950),
        "{:?}",
        later - told_to_wait
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_failing_page_does_not_stop_the_others() {
    let server = serve(slow_pages(Duration::from_millis(1), InFlight::default())).await;
    let dead = {
        let listener = std::net::TcpListener::bind("127.0.0.8:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        format!("http://{addr}/x")
    };
    let urls = [
        server.url("/p/1"),
        dead,
        server.url("/missing"),
        "not a url".to_string(),
        server.url("/p/2"),
    ];
    let captures = fetch(&quick(), &urls).await;
    let outcomes: Vec<String> = captures.iter().map(|c| c.outcome.label()).collect();
    assert_eq!(
        outcomes,
        ["ok", "connect", "http_error(404)", "connect", "ok"]
    );
    assert!(captures[3]
        .error
        .as_deref()
        .unwrap()
        .contains("not a valid URL"));
    assert!(captures.iter().all(|c| !c.fetched_at.is_empty()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_two_centers_watch_is_fetched_once() {
    let server = serve(slow_pages(Duration::from_millis(1), InFlight::default())).await;
    let request = |center: &str, path: &str| cartwatch_fetcher::FetchRequest {
        center: center.into(),
        ..page(&server.url(path))
    };
    let fetcher = cartwatch_fetcher::Fetcher::new(&quick()).unwrap();
    let captures = fetcher
        .fetch_all(vec![
            request("a", "/p/1"),
            request("b", "/p/2"),
            request("b", "/p/1"),
        ])
        .await;
    let centers: Vec<&str> = captures.iter().map(|c| c.center.as_str()).collect();
    assert_eq!(centers, ["a", "b", "b"]);
    assert_eq!(captures[2].url, captures[0].url);
    assert_eq!(captures[2].body, captures[0].body);
    assert_eq!(captures[2].outcome, FetchOutcome::Ok);
    assert_eq!(server.hits_for("/p/1").len(), 1);
}
