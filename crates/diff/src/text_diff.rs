//! Word-level diffs of `main_text`: whitespace and reflow never count.

use crate::change::{PageTextDiff, TextHunk, TextOp, TextSpan};
use similar::{capture_diff_slices_deadline, Algorithm, DiffOp};
use std::time::{Duration, Instant};

/// How long one page's word diff may search for the smallest edit before
/// settling for a coarser (still correct) one.
const DIFF_DEADLINE: Duration = Duration::from_millis(250);

/// The words of a text, split on any whitespace.
pub(crate) fn words(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}

/// The word diff of two texts, or `None` when their words are the same.
/// `context` words of unchanged text are kept around each change; changes
/// closer than twice that share a hunk.
pub(crate) fn word_diff(url: &str, old: &str, new: &str, context: usize) -> Option<PageTextDiff> {
    let old_words = words(old);
    let new_words = words(new);
    if old_words == new_words {
        return None;
    }
    let ops = capture_diff_slices_deadline(
        Algorithm::Myers,
        &old_words,
        &new_words,
        Some(Instant::now() + DIFF_DEADLINE),
    );
    let mut hunks = Vec::new();
    for group in group_ops(&ops, context) {
        let mut spans: Vec<TextSpan> = Vec::new();
        let mut push = |op: TextOp, slice: &[&str]| {
            if slice.is_empty() {
                return;
            }
            let text = slice.join(" ");
            match spans.last_mut() {
                Some(last) if last.op == op => {
                    last.text.push(' ');
                    last.text.push_str(&text);
                }
                _ => spans.push(TextSpan { op, text }),
            }
        };
        for op in group {
            match op {
                DiffOp::Equal { old_index, len, .. } => {
                    push(TextOp::Equal, &old_words[old_index..old_index + len])
                }
                DiffOp::Delete {
                    old_index, old_len, ..
                } => push(TextOp::Delete, &old_words[old_index..old_index + old_len]),
                DiffOp::Insert {
                    new_index, new_len, ..
                } => push(TextOp::Insert, &new_words[new_index..new_index + new_len]),
                DiffOp::Replace {
                    old_index,
                    old_len,
                    new_index,
                    new_len,
                } => {
                    push(TextOp::Delete, &old_words[old_index..old_index + old_len]);
                    push(TextOp::Insert, &new_words[new_index..new_index + new_len]);
                }
            }
        }
        hunks.push(TextHunk { spans });
    }
    Some(PageTextDiff {
        url: url.to_string(),
        hunks,
    })
}

/// Groups ops into hunks with `context` equal words on each side, trimming
/// long equal runs.
fn group_ops(ops: &[DiffOp], context: usize) -> Vec<Vec<DiffOp>> {
    let mut groups = Vec::new();
    let mut current: Vec<DiffOp> = Vec::new();
    let last = ops.len().saturating_sub(1);
    for (i, op) in ops.iter().enumerate() {
        match *op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => {
                let leading = i == 0;
                let trailing = i == last;
                if leading {
                    let keep = len.min(context);
                    current.push(DiffOp::Equal {
                        old_index: old_index + len - keep,
                        new_index: new_index + len - keep,
                        len: keep,
                    });
                } else if trailing {
                    current.push(DiffOp::Equal {
                        old_index,
                        new_index,
                        len: len.min(context),
                    });
                } else if len > context * 2 {
                    current.push(DiffOp::Equal {
                        old_index,
                        new_index,
                        len: context,
                    });
                    groups.push(std::mem::take(&mut current));
                    current.push(DiffOp::Equal {
                        old_index: old_index + len - context,
                        new_index: new_index + len - context,
                        len: context,
                    });
                } else {
                    current.push(*op);
                }
            }
            _ => current.push(*op),
        }
    }
    if current.iter().any(|op| !matches!(op, DiffOp::Equal { .. })) {
        groups.push(current);
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(diff: &PageTextDiff) -> String {
        diff.hunks
            .iter()
            .map(|h| {
                h.spans
                    .iter()
                    .map(|s| match s.op {
                        TextOp::Equal => s.text.clone(),
                        TextOp::Delete => format!("[-{}-]", s.text),
                        TextOp::Insert => format!("{{+{}+}}", s.text),
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
            .join(" ... ")
    }

    #[test]
    fn whitespace_and_reflow_are_not_changes() {
        let a = "We draw blood over two to three hours.\n\nThen we wait.";
        let b = "We draw blood\n over two  to three hours.   Then\twe wait.";
        assert_eq!(word_diff("u", a, b, 3), None);
    }

    #[test]
    fn changed_words_with_context() {
        let a = "one two three four five six seven eight nine ten eleven twelve";
        let b = "one two three four FIVE six seven eight nine ten eleven twelve thirteen";
        let diff = word_diff("u", a, b, 2).unwrap();
        assert_eq!(diff.hunks.len(), 2);
        assert_eq!(
            render(&diff),
            "three four [-five-] {+FIVE+} six seven ... eleven twelve {+thirteen+}"
        );
    }

    #[test]
    fn nearby_changes_share_a_hunk() {
        let a = "a b c d e f";
        let b = "a X c d Y f";
        let diff = word_diff("u", a, b, 2).unwrap();
        assert_eq!(diff.hunks.len(), 1);
        assert_eq!(render(&diff), "a [-b-] {+X+} c d [-e-] {+Y+} f");
    }
}
