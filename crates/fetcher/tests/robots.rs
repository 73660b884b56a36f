//! robots.txt: rules, Crawl-delay, and the conventions for a robots.txt that
//! does not load. Real HTTP on loopback.

mod support;

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use cartwatch_model::FetchOutcome;
use std::time::Duration;
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disallowed_page_is_blocked_and_never_requested() {
    let server = serve(
        Router::new()
            .route(
                "/robots.txt",
                get(|| async { "User-agent: *\nDisallow: /private\n" }),
            )
            .route("/public", get(|| async { html("<p>hello</p>") }))
            .route("/private/page", get(|| async { html("<p>secret</p>") })),
    )
    .await;
    let captures = fetch(
        &quick(),
        &[server.url("/public"), server.url("/private/page")],
    )
    .await;
    assert_eq!(captures[0].outcome, FetchOutcome::Ok);
    assert_eq!(captures[1].outcome, FetchOutcome::BlockedByRobots);
    assert_eq!(captures[1].attempts, 0);
    assert!(captures[1].error.as_deref().unwrap().contains("robots.txt"));
    assert!(server.hits_for("/private/page").is_empty());
    // robots.txt was fetched once for the host, not once per page.
    assert_eq!(server.hits_for("/robots.txt").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_for_our_user_agent_apply() {
    let server = serve(
        Router::new()
            .route(
                "/robots.txt",
                get(|| async {
                    "User-agent: otherbot\nDisallow:\n\nUser-agent: cartwatch\nDisallow: /\n"
                }),
            )
            .route("/a", get(|| async { html("<p>a</p>") })),
    )
    .await;
    let capture = fetch_one(&quick(), &server.url("/a")).await;
    assert_eq!(capture.outcome, FetchOutcome::BlockedByRobots);
    assert!(server.hits_for("/a").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_robots_txt_allows_everything() {
    let server = serve(Router::new().route("/a", get(|| async { html("<p>a</p>") }))).await;
    let capture = fetch_one(&quick(), &server.url("/a")).await;
    assert_eq!(capture.outcome, FetchOutcome::Ok, "{:?}", capture.error);
    assert_eq!(server.hits_for("/robots.txt").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_robots_txt_answering_5xx_disallows_everything() {
    let server = serve(
        Router::new()
            .route(
                "/robots.txt",
                get(|| async { StatusCode::SERVICE_UNAVAILABLE }),
            )
            .route("/a", get(|| async { html("<p>a</p>") })),
    )
    .await;
    let capture = fetch_one(&quick(), &server.url("/a")).await;
    assert_eq!(capture.outcome, FetchOutcome::BlockedByRobots);
    assert!(
        capture.error.as_deref().unwrap().contains("503"),
        "{:?}",
        capture.error
    );
    assert!(server.hits_for("/a").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_robots_txt_that_times_out_means_the_page_is_not_requested() {
    let server = serve(
        Router::new()
            .route(
                "/robots.txt",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(10)).await;
                    "User-agent: *\nDisallow:\n"
                }),
            )
            .route("/a", get(|| async { html("<p>a</p>") })),
    )
    .await;
    let settings = cartwatch_model::FetchSettings {
        timeout_secs: 1,
        ..quick()
    };
    let capture = fetch_one(&settings, &server.url("/a")).await;
    assert_eq!(capture.outcome, FetchOutcome::Timeout);
    assert!(
        capture.error.as_deref().unwrap().contains("robots.txt"),
        "{:?}",
        capture.error
    );
    assert!(server.hits_for("/a").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robots_can_be_switched_off() {
    let server = serve(
        Router::new()
            .route(
                "/robots.txt",
                get(|| async { "User-agent: *\nDisallow: /\n" }),
            )
            .route("/a", get(|| async { html("<p>a</p>") })),
    )
    .await;
    let settings = cartwatch_model::FetchSettings {
        respect_robots: false,
        ..quick()
    };
    let capture = fetch_one(&settings, &server.url("/a")).await;
    assert_eq!(capture.outcome, FetchOutcome::Ok);
    assert!(server.hits_for("/robots.txt").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crawl_delay_spaces_requests_to_the_host() {
    let server = serve(
        Router::new()
            .route(
                "/robots.txt",
                get(|| async { "User-agent: *\nCrawl-delay: 0.4\n" }),
            )
            .route("/a", get(|| async { html("<p>a</p>") }))
            .route("/b", get(|| async { html("<p>b</p>") }))
            .route("/c", get(|| async { html("<p>c</p>") })),
    )
    .await;
    let settings = cartwatch_model::FetchSettings {
        min_delay_ms: 20,
        ..quick()
    };
    let captures = fetch(
        &settings,
        &[server.url("/a"), server.url("/b"), server.url("/c")],
    )
    .await;
    assert!(captures.iter().all(|c| c.outcome == FetchOutcome::Ok));
    let hits = server.hits();
    let paths: Vec<&str> = hits.iter().map(|h| h.path.as_str()).collect();
    assert_eq!(paths, ["/robots.txt", "/a", "/b", "/c"]);
    // Pages are spaced by the Crawl-delay (400 ms), not min_delay_ms (20 ms).
    for pair in hits[1..].windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(
            gap >= Duration::from_millis(380),
            "gap {gap:?} between {} and {}",
            pair[0].path,
            pair[1].path
        );
    }
}
