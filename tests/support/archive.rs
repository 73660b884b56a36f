//! A fake Wayback server on loopback for the backfill and history tests:
//! a CDX API (JSON, paged with showResumeKey/resumeKey, serving exactly the
//! rows it was given, duplicates included) and `id_` replays, with 429s,
//! redirects and error answers on demand, and a log of every request.

use axum::body::Body;
use axum::http::{Response, Uri};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// How the archive answers a capture's replay.
#[derive(Clone, Debug)]
pub enum Replay {
    /// 200 with the capture's body as text/html.
    Body,
    /// 302 to the replay of the same page at another timestamp (the way the
    /// Wayback Machine sends a client to the nearest capture).
    To(String),
    /// 302 out of the archive (the capture is a redirect).
    Out(String),
    /// This status, with a short error body.
    Status(u16),
}

/// One capture of a page.
#[derive(Clone, Debug)]
pub struct Archived {
    pub timestamp: String,
    pub digest: String,
    pub body: String,
    pub replay: Replay,
    /// Listed by the CDX API (false: only reachable by a redirect).
    pub listed: bool,
}

impl Archived {
    /// A listed capture replayed with its body.
    pub fn page(timestamp: &str, digest: &str, body: &str) -> Archived {
        Archived {
            timestamp: timestamp.into(),
            digest: digest.into(),
            body: body.into(),
            replay: Replay::Body,
            listed: true,
        }
    }

    /// The same capture answered another way.
    pub fn replayed(mut self, replay: Replay) -> Archived {
        self.replay = replay;
        self
    }

    /// The same capture, absent from CDX listings.
    pub fn unlisted(mut self) -> Archived {
        self.listed = false;
        self
    }
}

/// One request the archive received.
#[derive(Clone, Debug)]
pub struct Logged {
    pub at: Instant,
    /// Path and query.
    pub target: String,
    pub status: u16,
}

impl Logged {
    /// True for replay requests (`/web/...`).
    pub fn is_replay(&self) -> bool {
        self.target.starts_with("/web/")
    }
}

#[derive(Default)]
struct State {
    /// Original URL → its captures, in CDX order.
    pages: BTreeMap<String, Vec<Archived>>,
    /// CDX rows per answer page.
    page_rows: usize,
    /// Requests (0-based, all kinds) answered 429.
    answer_429: Vec<usize>,
    /// Every request from this index on is answered 429.
    always_429_from: Option<usize>,
    /// Retry-After sent with 429s, in seconds.
    retry_after: Option<u64>,
    log: Vec<Logged>,
}

/// The fake archive; stops when dropped.
pub struct FakeArchive {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    _runtime: tokio::runtime::Runtime,
}

impl FakeArchive {
    /// Starts an archive holding these pages, `page_rows` CDX rows per page.
    pub fn start(pages: Vec<(String, Vec<Archived>)>, page_rows: usize) -> FakeArchive {
        let state = Arc::new(Mutex::new(State {
            pages: pages.into_iter().collect(),
            page_rows: page_rows.max(1),
            ..State::default()
        }));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("test runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let shared = state.clone();
        let app = axum::Router::new().fallback(move |uri: Uri| {
            let state = shared.clone();
            async move { answer(&state, &uri) }
        });
        runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeArchive {
            addr,
            state,
            _runtime: runtime,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Answers these requests (0-based, counting every request) with 429.
    pub fn answer_429(&self, requests: &[usize], retry_after: Option<u64>) {
        let mut state = self.state.lock().unwrap();
        state.answer_429 = requests.to_vec();
        state.retry_after = retry_after;
    }

    /// Answers every request from the `from`-th (0-based) on with 429; `None`
    /// stops that.
    pub fn always_429_from(&self, from: Option<usize>) {
        self.state.lock().unwrap().always_429_from = from;
    }

    /// Every request so far.
    pub fn log(&self) -> Vec<Logged> {
        self.state.lock().unwrap().log.clone()
    }
}

fn answer(state: &Mutex<State>, uri: &Uri) -> Response<Body> {
    let mut state = state.lock().unwrap();
    let index = state.log.len();
    let target = uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let throttled =
        state.answer_429.contains(&index) || state.always_429_from.is_some_and(|f| index >= f);
    let (status, response) = if throttled {
        let mut response = Response::builder().status(429);
        if let Some(seconds) = state.retry_after {
            response = response.header("retry-after", seconds.to_string());
        }
        (429, response.body(Body::from("slow down")).unwrap())
    } else if uri.path() == "/cdx/search/cdx" {
        cdx(&state, uri.query().unwrap_or_default())
    } else if let Some(rest) = target.strip_prefix("/web/") {
        replay(&state, rest)
    } else {
        (
            404,
            Response::builder()
                .status(404)
                .body(Body::from("not found"))
                .unwrap(),
        )
    };
    state.log.push(Logged {
        at: Instant::now(),
        target,
        status,
    });
    response
}

fn query_value(query: &str, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn cdx(state: &State, query: &str) -> (u16, Response<Body>) {
    let url = query_value(query, "url").unwrap_or_default();
    let from = query_value(query, "from");
    let to = query_value(query, "to");
    let offset: usize = query_value(query, "resumeKey")
        .and_then(|k| k.parse().ok())
        .unwrap_or(0);
    let rows: Vec<&Archived> = state
        .pages
        .get(&url)
        .map(|captures| {
            captures
                .iter()
                .filter(|c| c.listed)
                .filter(|c| {
                    from.as_deref()
                        .is_none_or(|f| c.timestamp[..f.len().min(14)] >= *f)
                        && to
                            .as_deref()
                            .is_none_or(|t| c.timestamp[..t.len().min(14)] <= *t)
                })
                .collect()
        })
        .unwrap_or_default();
    let mut out: Vec<Vec<String>> =
        vec![
            ["timestamp", "original", "mimetype", "statuscode", "digest"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        ];
    let end = (offset + state.page_rows).min(rows.len());
    for c in rows.iter().take(end).skip(offset) {
        out.push(vec![
            c.timestamp.clone(),
            url.clone(),
            "text/html".into(),
            "200".into(),
            c.digest.clone(),
        ]);
    }
    if end < rows.len() {
        out.push(Vec::new());
        out.push(vec![end.to_string()]);
    }
    let body = serde_json::to_string(&out).unwrap();
    (
        200,
        Response::builder()
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap(),
    )
}

fn replay(state: &State, rest: &str) -> (u16, Response<Body>) {
    let not_found = || {
        (
            404,
            Response::builder()
                .status(404)
                .body(Body::from("Wayback Machine has not archived that URL."))
                .unwrap(),
        )
    };
    let Some((stamp, original)) = rest.split_once('/') else {
        return not_found();
    };
    let Some(timestamp) = stamp.strip_suffix("id_") else {
        return not_found();
    };
    let Some(capture) = state
        .pages
        .get(original)
        .and_then(|captures| captures.iter().find(|c| c.timestamp == timestamp))
    else {
        return not_found();
    };
    match &capture.replay {
        Replay::Body => (
            200,
            Response::builder()
                .header("content-type", "text/html; charset=utf-8")
                .body(Body::from(capture.body.clone()))
                .unwrap(),
        ),
        Replay::To(other) => (
            302,
            Response::builder()
                .status(302)
                .header("location", format!("/web/{other}id_/{original}"))
                .body(Body::empty())
                .unwrap(),
        ),
        Replay::Out(location) => (
            302,
            Response::builder()
                .status(302)
                .header("location", location.as_str())
                .body(Body::empty())
                .unwrap(),
        ),
        Replay::Status(status) => (
            *status,
            Response::builder()
                .status(*status)
                .body(Body::from("error"))
                .unwrap(),
        ),
    }
}

/// The sample of the backfill and history tests: two centers' pages over
/// three years.
pub mod sample {
    use super::{Archived, Replay};
    use std::path::{Path, PathBuf};

    pub const ALPHA: &str = "https://alpha.example/car-t";
    pub const BETA: &str = "https://beta.example/cellular-therapy";

    fn page(title: &str, body: &str) -> String {
        format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
             <body><main><h1>{title}</h1>{body}</main></body></html>"
        )
    }

    fn alpha_v1() -> String {
        page(
            "CAR T-Cell Therapy at Alpha",
            "<p>We offer Kymriah for adults with lymphoma.</p>\
             <p>To refer a patient, call 216-844-3951.</p>\
             <p>Our team reviews every referral within two business days, and the \
             coordinators help families plan travel and lodging near the hospital.</p>",
        )
    }

    fn alpha_v2() -> String {
        page(
            "CAR T-Cell Therapy at Alpha",
            "<p>We offer Kymriah and Yescarta for adults with lymphoma.</p>\
             <p>To refer a patient, call 216-844-3951.</p>\
             <p>Our team reviews every referral within two business days, and the \
             coordinators help families plan travel and lodging near the hospital.</p>",
        )
    }

    fn alpha_v3() -> String {
        page(
            "CAR T-Cell Therapy at Alpha",
            "<p>We offer Kymriah and Yescarta for adults with lymphoma.</p>\
             <p>To refer a patient, call 216-445-2000.</p>\
             <p>Our team reviews every referral within two business days, and the \
             coordinators help families plan travel and lodging near the hospital.</p>",
        )
    }

    fn beta(version: &str) -> String {
        page(
            "Cellular Therapy at Beta",
            &format!(
                "<p>Beta offers Breyanzi for adults with lymphoma ({version}).</p>\
                 <p>New patients call 614-293-5066.</p>\
                 <p>Our program follows each patient for fifteen years after the infusion, \
                 with a survivorship clinic and a social worker for every family.</p>"
            ),
        )
    }

    /// Two pages over three years: duplicates (same timestamp twice, the same
    /// content again in a later month, two captures in one month), a replay the
    /// archive redirects to the nearest capture, a capture that is a redirect out
    /// of the archive, and one whose archived content is an error page.
    pub fn archive_pages() -> Vec<(String, Vec<Archived>)> {
        vec![
            (
                ALPHA.to_string(),
                vec![
                    Archived::page("20190115080000", "ALPHA1", &alpha_v1()),
                    Archived::page("20190120080000", "ALPHA1", &alpha_v1()),
                    Archived::page("20190610080000", "ALPHA1", &alpha_v1()),
                    Archived::page("20200301080000", "ALPHA2", &alpha_v2()),
                    Archived::page("20200301080000", "ALPHA2", &alpha_v2()),
                    Archived::page("20210901080000", "ALPHA3", &alpha_v3()),
                ],
            ),
            (
                BETA.to_string(),
                vec![
                    Archived::page("20190610090000", "BETA1", &beta("2019")),
                    Archived::page("20200301090000", "BETA2", &beta("2020"))
                        .replayed(Replay::To("20200302090000".into())),
                    Archived::page("20200302090000", "BETA2", &beta("2020")).unlisted(),
                    Archived::page("20201115090000", "BETA3", "")
                        .replayed(Replay::Out("https://beta.example/moved".into())),
                    Archived::page(
                        "20211201090000",
                        "BETA4",
                        &page(
                            "503 Service Unavailable",
                            "<p>The site is down for maintenance. Please try again later.</p>",
                        ),
                    ),
                ],
            ),
        ]
    }

    pub fn write_config(dir: &Path) -> PathBuf {
        let text = format!(
            "[fetch]\nallow_private = true\nretries = 1\nbackoff_ms = 20\ntimeout_secs = 10\nconnect_timeout_secs = 5\n\n\
             [[center]]\nid = \"alpha\"\nname = \"Alpha Cancer Center\"\npages = [{ALPHA:?}]\n\n\
             [[center]]\nid = \"beta\"\nname = \"Beta Hospital\"\npages = [{BETA:?}]\n"
        );
        let path = dir.join("centers.toml");
        std::fs::write(&path, text).unwrap();
        path
    }
}
