//! The similar-title search of matching's third pass, bounded so that it stays fast when a
//! parent has thousands of unmatched children (issue 12, item 17).
//!
//! The rule is unchanged (see [`super::matching`]): for each NEW item, in document order, the
//! unmatched OLD sibling with the highest [`title_similarity`](super::title_similarity) of at
//! least [`SIMILAR_TITLE`] wins, the first in OLD order on a tie, and a pair whose raw titles
//! differ too much in length is never scored. What changed is the cost of finding it: each
//! title is normalized once, not once per pair; a candidate is scored only if it could still
//! beat the best one so far, which bounds the edit distance worth computing; two cheap lower
//! bounds of that distance (the difference in length and in character counts) rule most
//! candidates out without computing it; and the distance itself is computed in a band of that
//! width, giving up as soon as it must exceed the bound. Every score that is computed is
//! exactly the one `strsim::normalized_levenshtein` gives, so the pairs are the same
//! (a test compares this search with the plain one on random strategies).

use super::matching::SIMILAR_TITLE;

/// Rounding slack when comparing a similarity with [`SIMILAR_TITLE`] (as in matching).
pub(super) const TOLERANCE: f64 = 1e-9;

/// A title prepared for repeated comparison.
#[derive(Debug, Clone)]
pub(super) struct Title {
    /// The title trimmed, with runs of whitespace collapsed to one space, as characters.
    chars: Vec<char>,
    /// The raw title's length in characters (the length rule looks at the raw title).
    raw_len: usize,
    /// How many times each character occurs, characters folded to 128 classes.
    counts: [u16; 128],
}

impl Title {
    pub(super) fn new(raw: &str) -> Title {
        let normalized = raw.split_whitespace().collect::<Vec<&str>>().join(" ");
        let chars: Vec<char> = normalized.chars().collect();
        let mut counts = [0u16; 128];
        for c in &chars {
            let slot = &mut counts[(*c as u32 % 128) as usize];
            *slot = slot.saturating_add(1);
        }
        Title {
            chars,
            raw_len: raw.chars().count(),
            counts,
        }
    }
}

/// Whether the raw lengths alone rule out a similarity of [`SIMILAR_TITLE`] (the distance is at
/// least the difference in length); the same test as matching's `lengths_rule_out`.
fn lengths_rule_out(a: &Title, b: &Title) -> bool {
    let (la, lb) = (a.raw_len, b.raw_len);
    let longer = la.max(lb) as f64;
    longer > 0.0 && (la.abs_diff(lb) as f64) / longer > 1.0 - SIMILAR_TITLE + TOLERANCE
}

/// A lower bound of the edit distance: each edit changes at most one character count up and
/// one down. (Folding characters into classes only merges counts, so the bound still holds.)
fn count_bound(a: &Title, b: &Title) -> usize {
    let (mut more, mut fewer) = (0usize, 0usize);
    for (x, y) in a.counts.iter().zip(&b.counts) {
        let (x, y) = (usize::from(*x), usize::from(*y));
        more += x.saturating_sub(y);
        fewer += y.saturating_sub(x);
    }
    more.max(fewer)
}

/// Scratch rows for [`bounded_levenshtein`], reused across calls.
#[derive(Debug, Default)]
pub(super) struct Scratch {
    prev: Vec<usize>,
    cur: Vec<usize>,
}

/// The Levenshtein distance of `a` and `b` (in characters) if it is at most `max`, else `None`.
/// Only the cells within `max` of the diagonal are computed, and it stops as soon as a whole
/// row exceeds `max`.
fn bounded_levenshtein(a: &[char], b: &[char], max: usize, s: &mut Scratch) -> Option<usize> {
    // The same distance without the common prefix and suffix.
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[prefix..], &b[prefix..]);
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a, b) = (&a[..a.len() - suffix], &b[..b.len() - suffix]);
    let (a, b) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let (n, m) = (a.len(), b.len());
    if m - n > max {
        return None;
    }
    if n == 0 {
        return Some(m);
    }
    const FAR: usize = usize::MAX / 4;
    s.prev.clear();
    s.prev
        .extend((0..=m).map(|j| if j <= max { j } else { FAR }));
    s.cur.clear();
    s.cur.resize(m + 1, FAR);
    for i in 1..=n {
        let lo = i.saturating_sub(max).max(1);
        let hi = (i + max).min(m);
        s.cur[lo - 1] = if lo == 1 && i <= max { i } else { FAR };
        let mut row_min = s.cur[lo - 1];
        let ai = a[i - 1];
        for j in lo..=hi {
            let cost = usize::from(ai != b[j - 1]);
            let v = (s.prev[j - 1] + cost)
                .min(s.prev[j] + 1)
                .min(s.cur[j - 1] + 1);
            s.cur[j] = v;
            row_min = row_min.min(v);
        }
        if hi < m {
            s.cur[hi + 1] = FAR;
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut s.prev, &mut s.cur);
    }
    let d = s.prev[m];
    (d <= max).then_some(d)
}

/// The largest edit distance between titles whose longer one has `longer` (> 0) characters
/// that still makes a winning score: at least [`SIMILAR_TITLE`] and above `best`, by the same
/// arithmetic as the score itself; `None` when no distance does.
fn distance_allowed(best: Option<f64>, longer: usize) -> Option<usize> {
    let wins = |d: usize| {
        let score = 1.0 - (d as f64) / (longer as f64);
        score >= SIMILAR_TITLE - TOLERANCE && best.is_none_or(|b| score > b)
    };
    // The score falls as the distance grows: start just above the estimate and step down.
    let estimate = (1.0 - best.unwrap_or(SIMILAR_TITLE)).max(0.0) * longer as f64;
    let mut d = (estimate as usize + 2).min(longer);
    while !wins(d) {
        d = d.checked_sub(1)?;
    }
    Some(d)
}

/// The position in `candidates` of the most similar title to `new` with a similarity of at
/// least [`SIMILAR_TITLE`], the first on a tie; `None` if there is none. Exactly the choice of
/// scoring every candidate in order with `title_similarity` and keeping the first best.
pub(super) fn best_match<'t>(
    new: &Title,
    candidates: impl Iterator<Item = &'t Title>,
    scratch: &mut Scratch,
) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (pos, old) in candidates.enumerate() {
        if lengths_rule_out(old, new) {
            continue;
        }
        let longer = old.chars.len().max(new.chars.len());
        let score = if longer == 0 {
            1.0
        } else {
            // Only a candidate that beats the best so far matters: its distance is bounded.
            let Some(max) = distance_allowed(best.map(|(_, b)| b), longer) else {
                continue;
            };
            if old.chars.len().abs_diff(new.chars.len()) > max || count_bound(old, new) > max {
                continue;
            }
            match bounded_levenshtein(&old.chars, &new.chars, max, scratch) {
                Some(d) => 1.0 - (d as f64) / (longer as f64),
                None => continue,
            }
        };
        if score >= SIMILAR_TITLE - TOLERANCE && best.is_none_or(|(_, b)| score > b) {
            best = Some((pos, score));
        }
    }
    best.map(|(pos, _)| pos)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    /// Small strings over a small alphabet, so near-threshold pairs are common.
    fn strings(seed: u64, count: usize) -> Vec<String> {
        let mut x = seed;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        (0..count)
            .map(|_| {
                let len = (next() % 14) as usize;
                (0..len)
                    .map(|_| ['a', 'b', 'c', ' ', 'é'][(next() % 5) as usize])
                    .collect()
            })
            .collect()
    }

    #[test]
    fn bounded_distance_is_levenshtein_within_the_bound() {
        let words = strings(7, 120);
        let mut s = Scratch::default();
        for a in &words {
            for b in &words {
                let exact = strsim::levenshtein(a, b);
                for max in 0..8 {
                    let got = bounded_levenshtein(&chars(a), &chars(b), max, &mut s);
                    assert_eq!(got, (exact <= max).then_some(exact), "{a:?} {b:?} {max}");
                }
            }
        }
    }

    #[test]
    fn allowed_distance_is_the_largest_winning_one() {
        for longer in 1..300 {
            for best in [
                None,
                Some(0.8),
                Some(0.85),
                Some(0.9),
                Some(0.99),
                Some(1.0),
            ] {
                let wins = |d: usize| {
                    let s = 1.0 - (d as f64) / (longer as f64);
                    s >= SIMILAR_TITLE - TOLERANCE && best.is_none_or(|b| s > b)
                };
                let want = (0..=longer).rev().find(|&d| wins(d));
                assert_eq!(distance_allowed(best, longer), want, "{longer} {best:?}");
            }
        }
    }

    #[test]
    fn count_bound_never_exceeds_the_distance() {
        let words = strings(11, 80);
        for a in &words {
            for b in &words {
                let (ta, tb) = (Title::new(a), Title::new(b));
                let d = strsim::levenshtein(
                    &ta.chars.iter().collect::<String>(),
                    &tb.chars.iter().collect::<String>(),
                );
                assert!(count_bound(&ta, &tb) <= d, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn best_match_is_the_first_best_of_a_plain_scan() {
        let words = strings(3, 200);
        let titles: Vec<Title> = words.iter().map(|w| Title::new(w)).collect();
        let mut s = Scratch::default();
        for (i, new) in words.iter().enumerate().take(60) {
            let pool = &words[60 + i..100 + i];
            let mut plain: Option<(usize, f64)> = None;
            for (pos, old) in pool.iter().enumerate() {
                if super::super::matching::lengths_rule_out(old, new) {
                    continue;
                }
                let score = super::super::title_similarity(old, new);
                if score >= SIMILAR_TITLE - TOLERANCE && plain.is_none_or(|(_, b)| score > b) {
                    plain = Some((pos, score));
                }
            }
            let got = best_match(&titles[i], titles[60 + i..100 + i].iter(), &mut s);
            assert_eq!(got, plain.map(|(p, _)| p), "{new:?} in {pool:?}");
        }
    }
}
