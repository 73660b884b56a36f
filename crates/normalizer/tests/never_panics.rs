//! The normalizer never panics and is deterministic, on arbitrary bytes and on
//! mutated copies of valid pages (truncated, spliced, bytes flipped, tags
//! unbalanced, deeply nested).

use cartwatch_model::SelectorOverride;
use cartwatch_normalizer::{normalize, PageInput, Vocabulary};
use proptest::prelude::*;

const PAGES: [&[u8]; 8] = [
    include_bytes!("fixtures/semantic-lakeview.html"),
    include_bytes!("fixtures/divsoup-northshore.html"),
    include_bytes!("fixtures/table-prairie-windows1252.html"),
    include_bytes!("fixtures/gbk-dongfang.html"),
    include_bytes!("fixtures/vanity-childrens.html"),
    include_bytes!("fixtures/roles-patient-org.html"),
    include_bytes!("fixtures/bootstrap-grid-summit.html"),
    include_bytes!("fixtures/phrasing-hopewell.html"),
];

fn run(bytes: &[u8], content_type: Option<&str>, selectors: Option<&SelectorOverride>) -> String {
    let record = normalize(
        &PageInput {
            bytes,
            url: "https://example.org/p",
            content_type,
            selectors,
        },
        &Vocabulary::builtin(),
    );
    serde_json::to_string(&record).expect("records serialize")
}

/// One edit to a valid page.
#[derive(Debug, Clone)]
enum Edit {
    Truncate(usize),
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Splice(usize, usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let snippets = prop::sample::select(vec![
        b"<".to_vec(),
        b"</div>".to_vec(),
        b"<p>".to_vec(),
        b"<table><tr><td>".to_vec(),
        b"<script>".to_vec(),
        b"<!--".to_vec(),
        b"&#x0;&#xD800;&amp".to_vec(),
        b"\xff\xfe\x00".to_vec(),
        b"tel:".to_vec(),
        b"<a href=\"tel:+1%\">1-800-ABC-DEFG</a>".to_vec(),
        b"$999,999,999,999,999 to $".to_vec(),
        b"reviewed on Feb. 31, 2023".to_vec(),
        b" over 99999999999999 weeks ".to_vec(),
        "\u{2019}\u{201c}\u{0130}\u{fb03}".as_bytes().to_vec(),
        b"<meta charset=utf-16>".to_vec(),
    ]);
    prop_oneof![
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Edit::Flip(a, b)),
        (any::<usize>(), snippets).prop_map(|(a, s)| Edit::Insert(a, s)),
        (any::<usize>(), 0usize..200).prop_map(|(a, n)| Edit::Delete(a, n)),
        (any::<usize>(), any::<usize>(), 0usize..300).prop_map(|(a, b, n)| Edit::Splice(a, b, n)),
    ]
}

fn apply(page: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut v = page.to_vec();
    for e in edits {
        let len = v.len().max(1);
        match e {
            Edit::Truncate(at) => v.truncate(at % len),
            Edit::Flip(at, b) => {
                if !v.is_empty() {
                    let i = at % v.len();
                    v[i] = *b;
                }
            }
            Edit::Insert(at, s) => {
                let i = at % (v.len() + 1);
                v.splice(i..i, s.iter().copied());
            }
            Edit::Delete(at, n) => {
                let i = at % len;
                let end = (i + n).min(v.len());
                if i < end {
                    v.drain(i..end);
                }
            }
            Edit::Splice(from, to, n) => {
                if !v.is_empty() {
                    let a = from % v.len();
                    let end = (a + n).min(v.len());
                    let chunk: Vec<u8> = v[a..end].to_vec();
                    let b = to % (v.len() + 1);
                    v.splice(b..b, chunk);
                }
            }
        }
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..3000), ct in prop::option::of("[ -~]{0,40}")) {
        let a = run(&bytes, ct.as_deref(), None);
        prop_assert_eq!(a, run(&bytes, ct.as_deref(), None));
    }

    #[test]
    fn mutated_pages(page in 0usize..PAGES.len(), edits in prop::collection::vec(edit(), 1..8)) {
        let bytes = apply(PAGES[page], &edits);
        let a = run(&bytes, None, None);
        prop_assert_eq!(a, run(&bytes, None, None));
    }

    #[test]
    fn arbitrary_selectors(content in "[ -~]{0,20}", exclude in prop::collection::vec("[ -~]{0,12}", 0..3)) {
        let selectors = SelectorOverride { content: Some(content), exclude };
        run(PAGES[0], None, Some(&selectors));
    }
}

#[test]
fn deep_nesting_and_huge_attributes() {
    let mut page = String::from("<html><body>");
    for _ in 0..4_000 {
        page.push_str("<div><span>");
    }
    page.push_str("Call 1-888-MSK-CART about CAR T-cell therapy.");
    page.push_str(&format!("<p class=\"{}\">x</p>", "nav ".repeat(10_000)));
    let record = normalize(
        &PageInput {
            bytes: page.as_bytes(),
            url: "u",
            content_type: None,
            selectors: None,
        },
        &Vocabulary::builtin(),
    );
    assert_eq!(record.contacts.len(), 1);
}
