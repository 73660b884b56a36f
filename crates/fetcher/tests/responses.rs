//! What a response becomes: redirects, size cap, content types, encodings,
//! conditional requests, bot challenges. Real HTTP on loopback.

mod support;

use axum::body::Body;
use axum::http::{HeaderMap, Response, StatusCode};
use axum::routing::get;
use axum::Router;
use cartwatch_fetcher::{FetchRequest, Fetcher};
use cartwatch_model::{FetchOutcome, FetchSettings};
use std::io::Write;
use support::*;

fn redirect(code: u16, to: &'static str) -> Response<Body> {
    Response::builder()
        .status(StatusCode::from_u16(code).unwrap())
        .header("location", to)
        .body(Body::empty())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_chain_is_followed_and_recorded() {
    let server = serve(
        Router::new()
            .route("/old", get(|| async { redirect(301, "/moved") }))
            .route("/moved", get(|| async { redirect(302, "new?x=1") }))
            .route("/new", get(|| async { html("<p>here</p>") })),
    )
    .await;
    let capture = fetch_one(&quick(), &server.url("/old")).await;
    assert_eq!(capture.outcome, FetchOutcome::Ok, "{:?}", capture.error);
    assert_eq!(
        capture.redirects,
        [server.url("/moved"), server.url("/new?x=1")]
    );
    assert_eq!(capture.final_url, Some(server.url("/new?x=1")));
    assert_eq!(capture.status, Some(200));
    assert_eq!(capture.attempts, 3);
    assert_eq!(capture.body.as_deref(), Some(&b"<p>here</p>"[..]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_loop_is_classified() {
    let server = serve(
        Router::new()
            .route("/a", get(|| async { redirect(302, "/b") }))
            .route("/b", get(|| async { redirect(307, "/a") })),
    )
    .await;
    let capture = fetch_one(&quick(), &server.url("/a")).await;
    assert_eq!(capture.outcome, FetchOutcome::RedirectLoop);
    assert_eq!(capture.redirects, [server.url("/b"), server.url("/a")]);
    let error = capture.error.unwrap();
    assert!(error.starts_with("redirect loop:"), "{error}");
    // Each URL was requested once; the loop was seen, not run to the limit.
    assert_eq!(server.hits_for("/a").len(), 1);
    assert_eq!(server.hits_for("/b").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_chain_past_the_limit_is_classified() {
    let server = serve(Router::new().route(
        "/r/:n",
        get(
            |axum::extract::Path(n): axum::extract::Path<u32>| async move {
                Response::builder()
                    .status(302)
                    .header("location", format!("/r/{}", n + 1))
                    .body(Body::empty())
                    .unwrap()
            },
        ),
    ))
    .await;
    let settings = FetchSettings {
        max_redirects: 3,
        ..quick()
    };
    let capture = fetch_one(&settings, &server.url("/r/0")).await;
    assert_eq!(capture.outcome, FetchOutcome::RedirectLoop);
    assert!(capture
        .error
        .as_deref()
        .unwrap()
        .contains("more than 3 redirects"));
    assert_eq!(capture.redirects.len(), 4);
    assert_eq!(
        server
            .hits()
            .iter()
            .filter(|h| h.path.starts_with("/r/"))
            .count(),
        4
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_http_and_https_redirects_are_followed() {
    let server = serve(Router::new().route(
        "/a",
        get(|| async { redirect(302, "ftp://files.example.org/a.pdf") }),
    ))
    .await;
    let capture = fetch_one(&quick(), &server.url("/a")).await;
    assert_eq!(capture.outcome, FetchOutcome::HttpError { status: 302 });
    assert!(capture
        .error
        .as_deref()
        .unwrap()
        .contains("only http and https"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_to_another_host_obeys_that_hosts_robots_txt() {
    let target = serve_on(
        "127.0.0.3",
        Router::new()
            .route(
                "/robots.txt",
                get(|| async { "User-agent: *\nDisallow: /\n" }),
            )
            .route("/page", get(|| async { html("<p>x</p>") })),
    )
    .await;
    let location: &'static str = Box::leak(target.url("/page").into_boxed_str());
    let origin = serve_on(
        "127.0.0.2",
        Router::new().route("/a", get(move || async move { redirect(301, location) })),
    )
    .await;
    let capture = fetch_one(&quick(), &origin.url("/a")).await;
    assert_eq!(capture.outcome, FetchOutcome::BlockedByRobots);
    assert_eq!(capture.redirects, [target.url("/page")]);
    assert_eq!(target.hits_for("/robots.txt").len(), 1);
    assert!(target.hits_for("/page").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_is_aborted() {
    let server = serve(
        Router::new()
            // Content-Length announces the size: refused before reading.
            .route("/declared", get(|| async { html_owned(vec![b'x'; 5000]) }))
            // Chunked, no length: aborted once the cap is passed.
            .route(
                "/streamed",
                get(|| async {
                    let chunks = (0..100)
                        .map(|_| Ok::<_, std::io::Error>(bytes::Bytes::from(vec![b'y'; 1000])));
                    Response::builder()
                        .header("content-type", "text/html")
                        .body(Body::from_stream(futures::stream::iter(chunks)))
                        .unwrap()
                }),
            )
            .route("/fits", get(|| async { html_owned(vec![b'z'; 4096]) })),
    )
    .await;
    let settings = FetchSettings {
        max_body_bytes: 4096,
        ..quick()
    };
    let captures = fetch(
        &settings,
        &[
            server.url("/declared"),
            server.url("/streamed"),
            server.url("/fits"),
        ],
    )
    .await;
    for capture in &captures[..2] {
        assert_eq!(capture.outcome, FetchOutcome::TooLarge, "{}", capture.url);
        assert!(capture.body.is_none());
        assert!(capture.error.as_deref().unwrap().contains("4096"));
    }
    assert_eq!(captures[2].outcome, FetchOutcome::Ok);
    assert_eq!(captures[2].body.as_ref().unwrap().len(), 4096);
}

fn html_owned(body: Vec<u8>) -> Response<Body> {
    Response::builder()
        .header("content-type", "text/html")
        .body(Body::from(body))
        .unwrap()
}

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pdf_is_recorded_as_not_html_with_its_body() {
    let server = serve(
        Router::new()
            .route(
                "/brochure.pdf",
                get(|| async {
                    Response::builder()
                        .header("content-type", "application/pdf")
                        .body(Body::from(PDF))
                        .unwrap()
                }),
            )
            // No Content-Type at all: the bytes say PDF.
            .route(
                "/download",
                get(|| async { Response::builder().body(Body::from(PDF)).unwrap() }),
            ),
    )
    .await;
    let captures = fetch(
        &quick(),
        &[server.url("/brochure.pdf"), server.url("/download")],
    )
    .await;
    assert_eq!(captures[0].outcome, FetchOutcome::NotHtml);
    assert_eq!(captures[0].content_type.as_deref(), Some("application/pdf"));
    assert_eq!(captures[0].body.as_deref(), Some(PDF));
    assert!(captures[0]
        .error
        .as_deref()
        .unwrap()
        .contains("application/pdf"));
    assert_eq!(
        captures[1].outcome,
        FetchOutcome::NotHtml,
        "{:?}",
        captures[1].error
    );
    assert!(captures[1].error.as_deref().unwrap().contains("PDF"));
}

const PAGE: &str = "<html><body><h1>CAR T-cell therapy</h1><p>Call 216-844-3951.</p></body></html>";

fn encoded(encoding: &'static str, body: Vec<u8>) -> Response<Body> {
    Response::builder()
        .header("content-type", "text/html; charset=utf-8")
        .header("content-encoding", encoding)
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gzip_and_brotli_bodies_are_decoded() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(PAGE.as_bytes()).unwrap();
    let gzipped = gz.finish().unwrap();
    let mut brotlied = Vec::new();
    {
        let mut br = brotli::CompressorWriter::new(&mut brotlied, 4096, 5, 22);
        br.write_all(PAGE.as_bytes()).unwrap();
    }
    assert_ne!(gzipped, PAGE.as_bytes());
    assert_ne!(brotlied, PAGE.as_bytes());
    let server = serve(
        Router::new()
            .route("/gz", get(move || async move { encoded("gzip", gzipped) }))
            .route("/br", get(move || async move { encoded("br", brotlied) })),
    )
    .await;
    let captures = fetch(&quick(), &[server.url("/gz"), server.url("/br")]).await;
    for capture in &captures {
        assert_eq!(
            capture.outcome,
            FetchOutcome::Ok,
            "{} {:?}",
            capture.url,
            capture.error
        );
        assert_eq!(
            capture.body.as_deref(),
            Some(PAGE.as_bytes()),
            "{}",
            capture.url
        );
    }
    // We asked for compression.
    let accepted = server.hits_for("/gz")[0].headers["accept-encoding"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        accepted.contains("gzip") && accepted.contains("br"),
        "{accepted}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_compressed_body_is_capped_after_decoding() {
    // 1 MiB of zeros gzips to about 1 KiB; the cap applies to what it expands to.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![b'0'; 1 << 20]).unwrap();
    let bomb = gz.finish().unwrap();
    assert!(bomb.len() < 8192);
    let server =
        serve(Router::new().route("/bomb", get(move || async move { encoded("gzip", bomb) })))
            .await;
    let settings = FetchSettings {
        max_body_bytes: 64 * 1024,
        ..quick()
    };
    let capture = fetch_one(&settings, &server.url("/bomb")).await;
    assert_eq!(capture.outcome, FetchOutcome::TooLarge);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_etag_match_is_not_modified_and_validators_are_kept() {
    let server = serve(Router::new().route(
        "/page",
        get(|headers: HeaderMap| async move {
            let matches = headers
                .get("if-none-match")
                .is_some_and(|v| v.as_bytes() == b"\"v1\"");
            let builder = Response::builder()
                .header("etag", "\"v1\"")
                .header("last-modified", "Sun, 01 Nov 2026 06:00:00 GMT");
            if matches {
                builder.status(304).body(Body::empty()).unwrap()
            } else {
                builder
                    .header("content-type", "text/html")
                    .body(Body::from("<p>v1</p>"))
                    .unwrap()
            }
        }),
    ))
    .await;
    let fetcher = Fetcher::new(&quick()).unwrap();
    let first = fetcher
        .fetch_all(vec![page(&server.url("/page"))])
        .await
        .remove(0);
    assert_eq!(first.outcome, FetchOutcome::Ok);
    assert_eq!(first.etag.as_deref(), Some("\"v1\""));
    assert_eq!(
        first.last_modified.as_deref(),
        Some("Sun, 01 Nov 2026 06:00:00 GMT")
    );

    let again = FetchRequest {
        etag: first.etag.clone(),
        last_modified: first.last_modified.clone(),
        content_type: first.content_type.clone(),
        ..page(&server.url("/page"))
    };
    let second = fetcher.fetch_all(vec![again]).await.remove(0);
    assert_eq!(
        second.outcome,
        FetchOutcome::NotModified,
        "{:?}",
        second.error
    );
    assert_eq!(second.status, Some(304));
    assert!(second.body.is_none());
    assert!(second.error.is_none());
    assert_eq!(second.etag, first.etag);
    assert_eq!(second.last_modified, first.last_modified);
    // The reused body keeps its content type (and so its charset).
    assert_eq!(second.content_type.as_deref(), Some("text/html"));
    let sent = &server.hits_for("/page")[1].headers;
    assert_eq!(sent["if-none-match"], "\"v1\"");
    assert_eq!(sent["if-modified-since"], "Sun, 01 Nov 2026 06:00:00 GMT");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_without_a_charset_keeps_its_gbk_bytes() {
    let text = "<html><head><title>嵌合抗原受体T细胞</title></head><body><p>CAR-T 细胞治疗咨询电话：010-1234-5678</p></body></html>";
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    let gbk = gbk.into_owned();
    assert!(
        std::str::from_utf8(&gbk).is_err(),
        "the fixture must not be UTF-8"
    );
    let served = gbk.clone();
    let server = serve(Router::new().route(
        "/zh",
        get(move || async move {
            Response::builder()
                .header("content-type", "text/html")
                .body(Body::from(served))
                .unwrap()
        }),
    ))
    .await;
    let capture = fetch_one(&quick(), &server.url("/zh")).await;
    assert_eq!(capture.outcome, FetchOutcome::Ok);
    assert_eq!(capture.content_type.as_deref(), Some("text/html"));
    // Byte for byte: decoding is the normalizer's job.
    assert_eq!(capture.body.as_deref(), Some(&gbk[..]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_challenge_page_is_a_bot_challenge_and_not_retried() {
    let server = serve(
        Router::new()
            .route(
                "/cf",
                get(|| async {
                    Response::builder()
                        .status(503)
                        .header("content-type", "text/html")
                        .body(Body::from(
                            "<html><head><title>Just a moment...</title></head><body><div id=\"cf-chl-widget\"></div></body></html>",
                        ))
                        .unwrap()
                }),
            )
            .route(
                "/waf",
                get(|| async {
                    Response::builder()
                        .status(403)
                        .body(Body::from("<title>Attention Required! | Cloudflare</title>"))
                        .unwrap()
                }),
            )
            .route(
                "/forbidden",
                get(|| async { Response::builder().status(403).body(Body::from("<h1>Forbidden</h1>")).unwrap() }),
            ),
    )
    .await;
    let settings = FetchSettings {
        retries: 2,
        backoff_ms: 10,
        ..quick()
    };
    let captures = fetch(
        &settings,
        &[
            server.url("/cf"),
            server.url("/waf"),
            server.url("/forbidden"),
        ],
    )
    .await;
    assert_eq!(
        captures[0].outcome,
        FetchOutcome::BotChallenge { status: 503 }
    );
    assert_eq!(captures[0].attempts, 1);
    assert_eq!(server.hits_for("/cf").len(), 1);
    assert!(captures[0].error.as_deref().unwrap().contains("challenge"));
    assert_eq!(
        captures[1].outcome,
        FetchOutcome::BotChallenge { status: 403 }
    );
    assert_eq!(captures[2].outcome, FetchOutcome::HttpError { status: 403 });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_carry_the_configured_user_agent() {
    let server = serve(Router::new().route("/a", get(|| async { html("<p>a</p>") }))).await;
    let settings = FetchSettings {
        user_agent: "cartwatch-test/9".into(),
        contact_url: "https://example.org/about-our-crawler".into(),
        ..quick()
    };
    fetch_one(&settings, &server.url("/a")).await;
    for hit in server.hits() {
        assert_eq!(
            hit.headers["user-agent"], "cartwatch-test/9 (+https://example.org/about-our-crawler)",
            "{}",
            hit.path
        );
    }
    assert_eq!(server.hits().len(), 2, "robots.txt and the page");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_settings_are_refused_with_the_key_named() {
    let error = Fetcher::new(&FetchSettings {
        max_in_flight: 0,
        ..FetchSettings::default()
    })
    .unwrap_err();
    assert!(error.to_string().contains("max_in_flight = 0"), "{error}");
}
