//! Tests of the report as a whole: hostile input stays inert, the CSP, the
//! timeline and the matrix rows.

use super::centers::{newest_records, render_pages};
use super::*;
use crate::{
    AuditReport, CenterDiff, CenterStatus, Change, ChangeKind, Finding, FindingKind, PageTextDiff,
    Severity, TextHunk, TextOp, TextSpan,
};
use cartwatch_model::{Contact, ContactKind, PageRecord, Purpose, Section, SnapshotManifest};

const EVIL: &str = "\"><script>document.title='PWNED'</script><img src=x onerror=alert(1)>";
const EVIL_URL: &str = "javascript:alert(document.domain)";

fn manifest(id: &str, url: &str, ok: bool) -> SnapshotManifest {
    serde_json::from_value(serde_json::json!({
        "id": id, "created_at": id, "source": {"kind": "captures", "dir": EVIL}, "bytes_new": 0,
        "centers": [{"id": "evil", "name": format!("Evil {EVIL}"), "pages": [{
            "url": url, "fetched_at": id, "final_url": EVIL_URL,
            "outcome": if ok { "ok" } else { "timeout" }, "error": EVIL, "has_record": ok}]}]
    }))
    .unwrap()
}

fn record(url: &str) -> PageRecord {
    let mut record = PageRecord {
        url: url.into(),
        title: Some(EVIL.into()),
        main_text: format!("Call us {EVIL}"),
        ..Default::default()
    };
    record.contacts.push(Contact {
        kind: ContactKind::Phone,
        e164: Some(format!("+1412{EVIL}")),
        display: Some(format!("(412) 555-0147{EVIL}")),
        address: None,
        valid: Some(false),
        purposes: vec![Purpose::Appointments],
        section: Section::Main,
        evidence: format!("To make an appointment, call {EVIL}"),
    });
    record.contacts.push(Contact {
        kind: ContactKind::Email,
        e164: None,
        display: None,
        address: Some(format!("a@b.org{EVIL}")),
        valid: None,
        purposes: vec![],
        section: Section::Footer,
        evidence: String::new(),
    });
    record.offerings.products = vec!["kymriah".into(), format!("x{EVIL}")];
    record.offerings.populations = vec!["adult".into()];
    record.offerings.conditions = vec![cartwatch_model::Condition {
        id: format!("lymphoma{EVIL}"),
        investigational: true,
    }];
    record.dates.reviewed = Some(EVIL.into());
    record
}

fn hostile_report() -> String {
    let url = EVIL_URL;
    let first = SnapshotView::new(
        manifest("2026-10-01T06:00:00Z", url, true),
        [("evil", &record(url))],
    );
    let second = SnapshotView::new(
        manifest("2026-11-01T06:00:00Z", url, true),
        [("evil", &record(url))],
    );
    let change = Change {
        kind: ChangeKind::ContactNumberChanged,
        summary: format!("appointments number changed {EVIL}"),
        before: Some(EVIL.into()),
        after: Some(EVIL.into()),
        evidence: Some(EVIL.into()),
        url: url.into(),
        fact: "contact:appointments".into(),
    };
    let diff = DiffReport {
        from: first.manifest.id.clone(),
        to: second.manifest.id.clone(),
        centers: vec![CenterDiff {
            center: "evil".into(),
            name: EVIL.into(),
            status: CenterStatus::Changed,
            changes: vec![change],
            text_diff: vec![PageTextDiff {
                url: url.into(),
                hunks: vec![TextHunk {
                    spans: vec![
                        TextSpan {
                            op: TextOp::Equal,
                            text: EVIL.into(),
                        },
                        TextSpan {
                            op: TextOp::Delete,
                            text: "</script><script>alert(1)</script>".into(),
                        },
                        TextSpan {
                            op: TextOp::Insert,
                            text: "<svg onload=alert(1)>".into(),
                        },
                    ],
                }],
            }],
        }],
    };
    let matrix = crate::compare(&second);
    let audit = AuditReport {
        snapshot: second.manifest.id.clone(),
        previous: Some(first.manifest.id.clone()),
        findings: vec![Finding {
            kind: FindingKind::InvalidNumber,
            severity: Severity::Error,
            center: format!("evil{EVIL}"),
            url: url.into(),
            numbers: vec![EVIL.into()],
            evidence: EVIL.into(),
            summary: EVIL.into(),
            action: EVIL.into(),
            claim: None,
        }],
    };
    let history = [first, second];
    render_html(&ReportInput {
        title: "cartwatch report",
        generated_at: "2026-11-23T06:00:00Z",
        history: &history,
        diffs: std::slice::from_ref(&diff),
        matrix: &matrix,
        audit: &audit,
    })
}

/// Every start tag of the document as (name, [(attribute, value)]).
/// Text is escaped, so every `<` followed by a letter opens a real tag.
fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let end = rest.find('>').expect("tag closes");
        let tag = &rest[..end];
        let name_end = tag.find(|c: char| c.is_whitespace()).unwrap_or(tag.len());
        let mut attrs = Vec::new();
        let mut body = tag[name_end..].trim();
        while !body.is_empty() {
            let eq = body
                .find(|c: char| c == '=' || c.is_whitespace())
                .unwrap_or(body.len());
            let name = body[..eq].to_ascii_lowercase();
            body = &body[eq..];
            if let Some(after) = body.strip_prefix("=\"") {
                let close = after.find('"').expect("attribute quoted");
                attrs.push((name, after[..close].to_string()));
                body = after[close + 1..].trim_start();
            } else {
                attrs.push((name, String::new()));
                body = body.trim_start();
            }
        }
        out.push((tag[..name_end].to_ascii_lowercase(), attrs));
    }
    out
}

#[test]
fn scraped_markup_is_inert_text() {
    let html = hostile_report();
    let allowed = [
        "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "h4", "p",
        "main", "nav", "a", "div", "label", "select", "option", "input", "span", "table", "thead",
        "tbody", "tr", "th", "td", "button", "em", "section", "ul", "ol", "li", "details",
        "summary", "del", "ins", "br", "code", "footer", "script",
    ];
    for (name, attrs) in tags(&html) {
        assert!(
            allowed.contains(&name.as_str()),
            "unexpected <{name}> in the report"
        );
        for (attr, value) in attrs {
            assert!(!attr.starts_with("on"), "<{name} {attr}=...> leaked");
            assert!(attr != "src" && attr != "style", "<{name} {attr}=...>");
            if attr == "href" {
                assert!(
                    value.starts_with('#')
                        || value.starts_with("http://")
                        || value.starts_with("https://"),
                    "<{name} href={value:?}>"
                );
            }
            assert!(!value.contains('<') && !value.contains('"'), "{value:?}");
        }
    }
    // Our one script and nothing else.
    assert_eq!(html.matches("<script").count(), 1, "{html}");
    assert_eq!(html.matches("</script").count(), 1);
    // The hostile text is shown, escaped.
    assert!(html.contains("&lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt;"));
    assert!(html.contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
    // The refused link is shown as text, not as a link.
    assert!(html.contains("<span class=\"badlink\">javascript:alert(document.domain)</span>"));
}

#[test]
fn the_csp_meta_tag_comes_first_and_allows_only_our_script_and_style() {
    let html = hostile_report();
    let head_start = html.find("<head>").unwrap() + "<head>\n".len();
    assert!(html[head_start..].starts_with("<meta http-equiv=\"Content-Security-Policy\""));
    let policy_start = html.find("content=\"").unwrap() + "content=\"".len();
    let policy = &html[policy_start..policy_start + html[policy_start..].find('"').unwrap()];
    let policy = policy.replace("&#39;", "'");
    assert!(policy.starts_with("default-src 'none';"), "{policy}");
    // The hashes are of the exact bodies in the document.
    let script_body = &html[html.find("<script>").unwrap() + 8..html.find("</script>").unwrap()];
    let style_body = &html[html.find("<style>").unwrap() + 7..html.find("</style>").unwrap()];
    assert!(
        policy.contains(&format!("script-src {};", html::csp_hash(script_body))),
        "{policy}"
    );
    assert!(
        policy.contains(&format!("style-src {};", html::csp_hash(style_body))),
        "{policy}"
    );
    assert!(!policy.contains("unsafe"), "{policy}");
    // No style attributes (the CSP would block them) and no external loads.
    assert!(!html.contains(" style=\""));
    assert!(!html.contains("<link"));
}

#[test]
fn quiet_stretches_of_the_timeline_collapse() {
    let url = "https://a.example/";
    let views: Vec<SnapshotView> = (1..=5)
        .map(|n| {
            SnapshotView::new(
                manifest(&format!("2026-0{n}-01T06:00:00Z"), url, true),
                [("evil", &record(url))],
            )
        })
        .collect();
    let diffs: Vec<DiffReport> = views
        .windows(2)
        .map(|pair| crate::diff(&pair[0], &pair[1], &crate::DiffOptions::default()))
        .collect();
    assert!(diffs.iter().all(|d| !d.has_changes()));
    let matrix = crate::compare(&views[4]);
    let audit = crate::audit(&views[4], Some(&views[3]), &crate::AuditOptions::default());
    let html = render_html(&ReportInput {
        title: "t",
        generated_at: "now",
        history: &views,
        diffs: &diffs,
        matrix: &matrix,
        audit: &audit,
    });
    assert_eq!(html.matches("<li class=\"quiet\">").count(), 1, "{html}");
    assert!(html.contains("no changes in 4 snapshots since 2026-01-01T06:00:00Z"));
}

#[test]
fn rendering_is_deterministic() {
    assert_eq!(hostile_report(), hostile_report());
}

#[test]
fn matrix_rows_carry_filter_tokens() {
    let html = hostile_report();
    let row = html.find("<tr data-center=\"evil\"").expect("a matrix row");
    let tag = &html[row..row + html[row..].find('>').unwrap()];
    assert!(tag.contains("data-product=\"kymriah x__"), "{tag}");
    assert!(tag.contains("data-population=\"adult\""), "{tag}");
    assert!(html.contains("<option value=\"kymriah\">kymriah</option>"));
}

#[test]
fn a_maintenance_page_does_not_replace_the_last_good_contacts() {
    let url = "https://example.org/car-t";
    let good = SnapshotView::new(
        manifest("2026-10-01T06:00:00Z", url, true),
        [("evil", &record(url))],
    );
    let notice = PageRecord {
        url: url.into(),
        title: Some("Page not found".into()),
        main_text: "Sorry, this page is under maintenance.".into(),
        ..Default::default()
    };
    let down = SnapshotView::new(
        manifest("2026-11-01T06:00:00Z", url, true),
        [("evil", &notice)],
    );
    let history = [good, down];
    let records = newest_records(&history, "evil", history[1].manifest.center("evil"));
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].1, "2026-10-01T06:00:00Z");
    assert_eq!(records[0].2.contacts.len(), 2);

    let mut html = String::new();
    let input_matrix = crate::compare(&history[1]);
    let audit = AuditReport {
        snapshot: history[1].manifest.id.clone(),
        previous: None,
        findings: vec![],
    };
    let input = ReportInput {
        title: "t",
        generated_at: "2026-11-02T00:00:00Z",
        history: &history,
        diffs: &[],
        matrix: &input_matrix,
        audit: &audit,
    };
    render_pages(
        &mut html,
        &input,
        history[1].manifest.center("evil"),
        "evil",
    );
    assert!(
        html.contains("answered, but looks like an error or maintenance page"),
        "{html}"
    );
}
