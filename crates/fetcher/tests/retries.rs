//! Retries: 429 with Retry-After, 5xx then success, persistent failures,
//! timeouts, and what is not retried. Real HTTP on loopback.

mod support;

use axum::http::{Response, StatusCode};
use axum::routing::get;
use axum::Router;
use cartwatch_model::{FetchOutcome, FetchSettings};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use support::*;

/// A route answering `first` for the first `failures` requests, then a page.
fn flaky(
    failures: usize,
    first: impl Fn() -> Response<axum::body::Body> + Clone + Send + Sync + 'static,
) -> Router {
    let count = Arc::new(AtomicUsize::new(0));
    Router::new().route(
        "/page",
        get(move || {
            let count = count.clone();
            let first = first.clone();
            async move {
                if count.fetch_add(1, Ordering::SeqCst) < failures {
                    first()
                } else {
                    html("<p>finally</p>")
                }
            }
        }),
    )
}

fn status(code: u16, retry_after: Option<String>) -> Response<axum::body::Body> {
    let mut response = Response::builder().status(StatusCode::from_u16(code).unwrap());
    if let Some(value) = retry_after {
        response = response.header("retry-after", value);
    }
    response.body(axum::body::Body::from("busy")).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_requests_waits_for_retry_after_seconds() {
    let server = serve(flaky(1, || status(429, Some("1".into())))).await;
    let settings = FetchSettings {
        retries: 2,
        backoff_ms: 10,
        ..quick()
    };
    let capture = fetch_one(&settings, &server.url("/page")).await;
    assert_eq!(capture.outcome, FetchOutcome::Ok, "{:?}", capture.error);
    assert_eq!(capture.attempts, 2);
    let hits = server.hits_for("/page");
    let gap = hits[1].at - hits[0].at;
    // Retry-After: 1 beats the 10 ms backoff.
    assert!(gap >= Duration::from_millis(950), "retried after {gap:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_as_an_http_date_is_honoured() {
    let server = serve(flaky(1, || {
        let at = SystemTime::now() + Duration::from_secs(2);
        status(503, Some(httpdate_fmt(at)))
    }))
    .await;
    let settings = FetchSettings {
        retries: 1,
        backoff_ms: 10,
        ..quick()
    };
    let capture = fetch_one(&settings, &server.url("/page")).await;
    assert_eq!(capture.outcome, FetchOutcome::Ok, "{:?}", capture.error);
    let hits = server.hits_for("/page");
    let gap = hits[1].at - hits[0].at;
    // The date has one-second resolution: at least one second is left.
    assert!(gap >= Duration::from_millis(950), "retried after {gap:?}");
}

fn httpdate_fmt(at: SystemTime) -> String {
    // RFC 7231 IMF-fixdate, as servers send it.
    let secs = at.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs() as i64;
    let t = time::OffsetDateTime::from_unix_timestamp(secs).unwrap();
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    t.format(&format).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_retry_after_is_capped() {
    let server = serve(flaky(1, || status(429, Some("3600".into())))).await;
    let settings = FetchSettings {
        retries: 1,
        max_retry_after_secs: 1,
        ..quick()
    };
    let started = Instant::now();
    let capture = fetch_one(&settings, &server.url("/page")).await;
    assert_eq!(capture.outcome, FetchOutcome::Ok, "{:?}", capture.error);
    let hits = server.hits_for("/page");
    assert!(hits[1].at - hits[0].at >= Duration::from_millis(950));
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_error_then_success_is_retried_with_backoff() {
    let server = serve(flaky(1, || status(500, None))).await;
    let settings = FetchSettings {
        retries: 3,
        backoff_ms: 200,
        ..quick()
    };
    let capture = fetch_one(&settings, &server.url("/page")).await;
    assert_eq!(capture.outcome, FetchOutcome::Ok, "{:?}", capture.error);
    assert_eq!(capture.attempts, 2);
    assert_eq!(capture.body.as_deref(), Some(&b"<p>finally</p>"[..]));
    let hits = server.hits_for("/page");
    // Backoff with jitter waits between half and all of backoff_ms.
    assert!(hits[1].at - hits[0].at >= Duration::from_millis(95));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_persistent_server_error_is_an_http_error_after_every_retry() {
    let server = serve(flaky(usize::MAX, || status(502, None))).await;
    let settings = FetchSettings {
        retries: 2,
        backoff_ms: 20,
        ..quick()
    };
    let capture = fetch_one(&settings, &server.url("/page")).await;
    assert_eq!(capture.outcome, FetchOutcome::HttpError { status: 502 });
    assert_eq!(capture.attempts, 3);
    assert_eq!(server.hits_for("/page").len(), 3);
    let error = capture.error.unwrap();
    assert!(
        error.contains("502") && error.contains("3 attempts"),
        "{error}"
    );
    assert!(capture.body.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_not_found_is_not_retried() {
    let server = serve(Router::new()).await;
    let settings = FetchSettings {
        retries: 3,
        ..quick()
    };
    let capture = fetch_one(&settings, &server.url("/missing")).await;
    assert_eq!(capture.outcome, FetchOutcome::HttpError { status: 404 });
    assert_eq!(capture.attempts, 1);
    assert_eq!(capture.status, Some(404));
    assert_eq!(capture.error.as_deref(), Some("HTTP 404 Not Found"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_server_times_out_and_is_retried() {
    let server = serve(Router::new().route(
        "/slow",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(20)).await;
            html("<p>late</p>")
        }),
    ))
    .await;
    let settings = FetchSettings {
        timeout_secs: 1,
        retries: 1,
        backoff_ms: 10,
        ..quick()
    };
    let started = Instant::now();
    let capture = fetch_one(&settings, &server.url("/slow")).await;
    assert_eq!(capture.outcome, FetchOutcome::Timeout);
    assert_eq!(capture.attempts, 2);
    assert!(
        capture.error.as_deref().unwrap().contains("1s"),
        "{:?}",
        capture.error
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_stalls_times_out() {
    // Headers arrive at once; the body never finishes.
    let server = serve(Router::new().route(
        "/stall",
        get(|| async {
            let stream = futures::stream::once(async {
                Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"<p>start"))
            })
            .chain(futures::stream::once(async {
                tokio::time::sleep(Duration::from_secs(20)).await;
                Ok(bytes::Bytes::from_static(b"end</p>"))
            }));
            Response::builder()
                .header("content-type", "text/html")
                .body(axum::body::Body::from_stream(stream))
                .unwrap()
        }),
    ))
    .await;
    let settings = FetchSettings {
        timeout_secs: 1,
        ..quick()
    };
    let capture = fetch_one(&settings, &server.url("/stall")).await;
    assert_eq!(capture.outcome, FetchOutcome::Timeout);
    assert!(capture.body.is_none());
}

use futures::StreamExt as _;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_connection_is_classified_connect() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let settings = FetchSettings {
        retries: 1,
        backoff_ms: 10,
        ..quick()
    };
    let capture = fetch_one(&settings, &format!("http://{addr}/a")).await;
    assert_eq!(
        capture.outcome,
        FetchOutcome::Connect,
        "{:?}",
        capture.error
    );
    assert!(capture.status.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unresolvable_host_is_classified_dns() {
    let capture = fetch_one(&quick(), "http://cartwatch-test.invalid/a").await;
    assert_eq!(capture.outcome, FetchOutcome::Dns, "{:?}", capture.error);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_to_a_plain_http_server_is_classified_tls() {
    let server = serve(Router::new().route("/a", get(|| async { html("<p>a</p>") }))).await;
    let url = server.url("/a").replace("http://", "https://");
    let capture = fetch_one(&quick(), &url).await;
    assert_eq!(capture.outcome, FetchOutcome::Tls, "{:?}", capture.error);
}
