//! Word-level differences of two texts, for the memo: which words went and which came, with
//! long unchanged stretches of a long text cut to a few words of context.

use similar::{ChangeTag, TextDiff};

use super::{t, Span};

/// A word diff is shown when at least this share of the words of both texts is common to both
/// (an unchanged word counts once per text).
const WORD_DIFF_MIN_RATIO: f32 = 0.5;

/// Texts longer than this (in characters) have long unchanged stretches cut.
const ELIDE_LONGER_THAN: usize = 160;

/// Words of unchanged context kept either side of a change in a long text.
const CONTEXT_WORDS: usize = 6;

/// The word-level difference of two texts, or `None` when they share too few words for it to
/// help (the memo then shows both texts in full).
pub(super) fn word_diff(old: &str, new: &str) -> Option<Vec<Span>> {
    let diff = TextDiff::configure()
        .timeout(std::time::Duration::from_millis(200))
        .diff_words(old, new);
    // The share of words (not spaces) the two texts have in common.
    let (mut same, mut total) = (0usize, 0usize);
    for change in diff.iter_all_changes() {
        if !change.value().trim().is_empty() {
            total += 1;
            if change.tag() == ChangeTag::Equal {
                same += 2;
                total += 1;
            }
        }
    }
    if total == 0 || (same as f32) / (total as f32) < WORD_DIFF_MIN_RATIO {
        return None;
    }
    // Merge runs of the same tag.
    let mut runs: Vec<(ChangeTag, String)> = Vec::new();
    for change in diff.iter_all_changes() {
        match runs.last_mut() {
            Some((tag, s)) if *tag == change.tag() => s.push_str(change.value()),
            _ => runs.push((change.tag(), change.value().to_string())),
        }
    }
    if runs
        .iter()
        .all(|(tag, s)| *tag == ChangeTag::Equal || s.trim().is_empty())
    {
        return None; // only spacing changed: show both texts
    }
    let long = old.chars().count().max(new.chars().count()) > ELIDE_LONGER_THAN;
    let last = runs.len() - 1;
    let mut spans = Vec::new();
    for (i, (tag, s)) in runs.iter().enumerate() {
        match tag {
            ChangeTag::Equal if long => spans.push(t(elide(s, i == 0, i == last))),
            ChangeTag::Equal => spans.push(t(s.as_str())),
            ChangeTag::Delete | ChangeTag::Insert => {
                // Keep the spacing around the changed words outside the markers.
                let trimmed = s.trim();
                if trimmed.is_empty() {
                    continue;
                }
                let lead = &s[..s.len() - s.trim_start().len()];
                let trail = &s[s.trim_end().len()..];
                if !lead.is_empty() {
                    spans.push(t(lead));
                }
                spans.push(if *tag == ChangeTag::Delete {
                    Span::Del(trimmed.to_string())
                } else {
                    Span::Ins(trimmed.to_string())
                });
                if !trail.is_empty() {
                    spans.push(t(trail));
                }
            }
        }
    }
    Some(spans)
}

/// Cut an unchanged stretch of a long text to [`CONTEXT_WORDS`] words either side of the
/// changes around it (`…` marks what was left out).
fn elide(s: &str, first: bool, last: bool) -> String {
    let words: Vec<&str> = s.split_whitespace().collect();
    let lead = if s.starts_with(char::is_whitespace) {
        " "
    } else {
        ""
    };
    let trail = if s.ends_with(char::is_whitespace) {
        " "
    } else {
        ""
    };
    let n = CONTEXT_WORDS;
    let (head, tail): (&[&str], &[&str]) = match (first, last) {
        (true, true) => return s.to_string(),
        (true, false) if words.len() > n => (&[], &words[words.len() - n..]),
        (false, true) if words.len() > n => (&words[..n], &[]),
        (false, false) if words.len() > 2 * n + 1 => (&words[..n], &words[words.len() - n..]),
        _ => return s.to_string(),
    };
    let mut out = String::new();
    if !head.is_empty() {
        out.push_str(lead);
        out.push_str(&head.join(" "));
        out.push(' ');
    }
    out.push('…');
    if !tail.is_empty() {
        out.push(' ');
        out.push_str(&tail.join(" "));
        out.push_str(trail);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{spans_markdown, spans_text};
    use super::*;
    use crate::render::Term;

    fn plain(spans: &[Span]) -> String {
        spans_text(spans, Term::plain())
    }

    #[test]
    fn one_word_added_is_marked() {
        let spans = word_diff(
            "Strengthen citizen safety and security.",
            "Strengthen U.S. citizen safety and security.",
        )
        .unwrap();
        assert_eq!(
            plain(&spans),
            "Strengthen {+U.S.+} citizen safety and security."
        );
    }

    #[test]
    fn one_word_replaced_is_marked() {
        let spans = word_diff("Expand bilateral trade now", "Expand regional trade now").unwrap();
        assert_eq!(plain(&spans), "Expand [-bilateral-]{+regional+} trade now");
        assert_eq!(
            spans_markdown(&spans),
            "Expand ~~bilateral~~**regional** trade now"
        );
    }

    #[test]
    fn a_rewrite_gets_no_word_diff() {
        assert!(word_diff(
            "Alternatives to Illicit Coca Cultivation Increased in Targeted Regions",
            "Economic and social development to sustain coca reductions"
        )
        .is_none());
        assert!(word_diff("a  b", "a b").is_none());
    }

    #[test]
    fn long_unchanged_stretches_are_cut() {
        let words: Vec<String> = (1..=60).map(|i| format!("w{i}")).collect();
        let old = words.join(" ");
        let new = old.replace("w30", "CHANGED");
        let shown = plain(&word_diff(&old, &new).unwrap());
        assert_eq!(
            shown,
            "… w24 w25 w26 w27 w28 w29 [-w30-]{+CHANGED+} w31 w32 w33 w34 w35 w36 …"
        );
    }
}
