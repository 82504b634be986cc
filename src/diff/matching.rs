//! Which OLD item is which NEW item (docs/decisions.md item 18).
//!
//! Nodes and indicators are flattened into [`Item`]s in document order (each node, then its
//! indicators), so parents always come before their children. Matching runs in three passes:
//!
//! 1. by code (nodes and indicators are separate code spaces; a code whose kind changed is not
//!    a match: it is one thing removed and another added);
//! 2. among the unmatched, the same kind and exactly the same title, anywhere in the strategy
//!    (preferring a candidate under the same parent): `recoded`, plus `moved` if the parent
//!    differs;
//! 3. among the still unmatched, the same kind, the same parent (after matching: an objective
//!    under a recoded goal still has "the same parent") and a title similarity of at least
//!    [`SIMILAR_TITLE`]: `recoded` plus a `modified` title.
//!
//! Every pass works on hash maps keyed by code, by (kind, title) or by (kind, parent), so the
//! cost grows with the number of items, and the similarity scoring only with the number of
//! unmatched siblings; [`fuzzy`](super::fuzzy) bounds that scoring so that a parent with
//! thousands of retitled children stays fast.

use std::collections::HashMap;

use crate::framework::{Framework, Indicator, Node};

use super::fuzzy::{best_match, Scratch, Title};
use super::Kind;

/// The title similarity from which an unmatched node under the same parent counts as the same
/// node recoded (normalized Levenshtein distance, see [`title_similarity`]).
pub const SIMILAR_TITLE: f64 = 0.8;

/// How alike two titles are, from 0 (nothing in common) to 1 (identical): one minus the
/// Levenshtein edit distance (in characters) divided by the length of the longer title, after
/// trimming and collapsing runs of whitespace.
pub fn title_similarity(a: &str, b: &str) -> f64 {
    let a: Vec<&str> = a.split_whitespace().collect();
    let b: Vec<&str> = b.split_whitespace().collect();
    strsim::normalized_levenshtein(&a.join(" "), &b.join(" "))
}

/// Whether the lengths alone rule out a similarity of [`SIMILAR_TITLE`]: the distance is at
/// least the difference in length. (The third pass applies the same test in [`fuzzy`].)
#[cfg(test)]
pub(super) fn lengths_rule_out(a: &str, b: &str) -> bool {
    let (la, lb) = (a.chars().count(), b.chars().count());
    let longer = la.max(lb) as f64;
    longer > 0.0 && (la.abs_diff(lb) as f64) / longer > 1.0 - SIMILAR_TITLE + TOLERANCE
}

/// Rounding slack when comparing a similarity with [`SIMILAR_TITLE`].
#[cfg(test)]
const TOLERANCE: f64 = 1e-9;

/// A node or an indicator of one framework.
#[derive(Debug, Clone, Copy)]
pub enum Thing<'a> {
    Node(&'a Node),
    Indicator(&'a Indicator),
}

/// One thing that can change, flattened in document order.
#[derive(Debug, Clone, Copy)]
pub struct Item<'a> {
    pub kind: Kind,
    pub code: &'a str,
    pub title: &'a str,
    /// The enclosing node's code (an indicator's node); `None` at the top level.
    pub parent: Option<&'a str>,
    pub thing: Thing<'a>,
}

/// Every node followed by its indicators, in document order.
pub fn items(fw: &Framework) -> Vec<Item<'_>> {
    let mut out = Vec::with_capacity(fw.nodes.len() + fw.indicator_count());
    for node in &fw.nodes {
        out.push(Item {
            kind: Kind::Node(node.kind),
            code: &node.code,
            title: &node.title,
            parent: node.parent.as_deref(),
            thing: Thing::Node(node),
        });
        for ind in &node.indicators {
            out.push(Item {
                kind: Kind::Indicator,
                code: &ind.code,
                title: &ind.title,
                parent: Some(&node.code),
                thing: Thing::Indicator(ind),
            });
        }
    }
    out
}

/// Whether an item is an indicator (indicators have their own code space).
fn is_indicator(item: &Item) -> bool {
    matches!(item.kind, Kind::Indicator)
}

/// The pairing of OLD and NEW items, by index into the two item lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matching {
    pub old_to_new: Vec<Option<usize>>,
    pub new_to_old: Vec<Option<usize>>,
    /// Node code → item index, per side (for parents and links).
    old_nodes: HashMap<String, usize>,
    new_nodes: HashMap<String, usize>,
}

impl Matching {
    fn pair(&mut self, old: usize, new: usize) {
        self.old_to_new[old] = Some(new);
        self.new_to_old[new] = Some(old);
    }

    /// The NEW code of the node an OLD node code became, if it is still there.
    pub fn node_in_new<'n>(&self, old_code: &str, new: &[Item<'n>]) -> Option<&'n str> {
        let o = *self.old_nodes.get(old_code)?;
        self.old_to_new[o].map(|n| new[n].code)
    }

    /// The OLD item index of the node a NEW node code was, if it was there.
    fn node_in_old(&self, new_code: &str) -> Option<usize> {
        let n = *self.new_nodes.get(new_code)?;
        self.new_to_old[n]
    }
}

fn node_index(items: &[Item]) -> HashMap<String, usize> {
    let mut map = HashMap::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        if !is_indicator(item) {
            map.entry(item.code.to_string()).or_insert(i);
        }
    }
    map
}

/// The unmatched items of one kind under one (OLD) parent: the third pass's candidates.
type SiblingKey<'a> = (Kind, Option<&'a str>);

/// Pair OLD and NEW items (docs/decisions.md item 18).
pub fn match_items(old: &[Item], new: &[Item]) -> Matching {
    let mut m = Matching {
        old_to_new: vec![None; old.len()],
        new_to_old: vec![None; new.len()],
        old_nodes: node_index(old),
        new_nodes: node_index(new),
    };

    // 1. By code, within the same code space and kind.
    let mut by_code: HashMap<(bool, &str), usize> = HashMap::with_capacity(old.len());
    for (i, item) in old.iter().enumerate() {
        by_code.entry((is_indicator(item), item.code)).or_insert(i);
    }
    for (n, item) in new.iter().enumerate() {
        if let Some(&o) = by_code.get(&(is_indicator(item), item.code)) {
            if old[o].kind == item.kind && m.old_to_new[o].is_none() {
                m.pair(o, n);
            }
        }
    }

    // 2. Same kind, exactly the same title, anywhere.
    let mut by_title: HashMap<(Kind, &str), Vec<usize>> = HashMap::new();
    for (o, item) in old.iter().enumerate() {
        if m.old_to_new[o].is_none() {
            by_title.entry((item.kind, item.title)).or_default().push(o);
        }
    }
    if !by_title.is_empty() {
        for (n, item) in new.iter().enumerate() {
            if m.new_to_old[n].is_some() {
                continue;
            }
            let Some(bucket) = by_title.get_mut(&(item.kind, item.title)) else {
                continue;
            };
            if bucket.is_empty() {
                continue;
            }
            // Prefer a candidate whose parent became this item's parent.
            let pick = bucket
                .iter()
                .position(|&o| {
                    let mapped = old[o].parent.and_then(|p| m.node_in_new(p, new));
                    mapped == item.parent
                })
                .unwrap_or(0);
            let o = bucket.remove(pick);
            m.pair(o, n);
        }
    }

    // 3. Same kind, same parent, similar title.
    // Each bucket holds (OLD item, its title in `titles`), in OLD order.
    let mut by_parent: HashMap<SiblingKey, Vec<(usize, usize)>> = HashMap::new();
    let mut titles: Vec<Title> = Vec::new();
    for (o, item) in old.iter().enumerate() {
        if m.old_to_new[o].is_none() {
            by_parent
                .entry((item.kind, item.parent))
                .or_default()
                .push((o, titles.len()));
            titles.push(Title::new(item.title));
        }
    }
    let mut scratch = Scratch::default();
    if !by_parent.is_empty() {
        for (n, item) in new.iter().enumerate() {
            if m.new_to_old[n].is_some() {
                continue;
            }
            // The OLD code of this item's parent; a parent that is new has no old children.
            let old_parent = match item.parent {
                None => None,
                Some(p) => match m.node_in_old(p) {
                    Some(o) => Some(old[o].code),
                    None => continue,
                },
            };
            let Some(bucket) = by_parent.get_mut(&(item.kind, old_parent)) else {
                continue;
            };
            if bucket.is_empty() {
                continue;
            }
            let candidates = bucket.iter().map(|&(_, t)| &titles[t]);
            if let Some(pos) = best_match(&Title::new(item.title), candidates, &mut scratch) {
                let (o, _) = bucket.remove(pos);
                m.pair(o, n);
            }
        }
    }
    m
}

#[cfg(test)]
mod oracle;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::{Framework, Node, NodeKind, Settings, Strategy};

    fn fw(nodes: &[(NodeKind, &str, &str, Option<&str>)]) -> Framework {
        Framework {
            strategy: Strategy {
                code: "s".into(),
                title: "S".into(),
                version: "v".into(),
                country: None,
                description: None,
                approved: None,
                updated: None,
                start: None,
                end: None,
                iati: None,
                cdcs: None,
            },
            settings: Settings::default(),
            nodes: nodes
                .iter()
                .map(|(k, c, t, p)| Node::new(*k, c, t, *p))
                .collect(),
        }
    }

    /// The (old code, new code) pairs.
    fn pairs(old: &Framework, new: &Framework) -> Vec<(String, String)> {
        let (oi, ni) = (items(old), items(new));
        let m = match_items(&oi, &ni);
        m.new_to_old
            .iter()
            .enumerate()
            .filter_map(|(n, o)| o.map(|o| (oi[o].code.to_string(), ni[n].code.to_string())))
            .collect()
    }

    use NodeKind::{Goal, Objective};

    #[test]
    fn codes_match_first() {
        let a = fw(&[(Goal, "G1", "Alpha", None), (Goal, "G2", "Beta", None)]);
        let b = fw(&[(Goal, "G2", "Alpha", None), (Goal, "G1", "Beta", None)]);
        // Same codes: matched by code even though the titles swapped.
        assert_eq!(
            pairs(&a, &b),
            vec![("G2".into(), "G2".into()), ("G1".into(), "G1".into())]
        );
    }

    #[test]
    fn same_title_anywhere_is_a_recode() {
        let a = fw(&[
            (Goal, "G1", "One", None),
            (Goal, "G2", "Two", None),
            (Objective, "O1", "Trade", Some("G1")),
        ]);
        let b = fw(&[
            (Goal, "G1", "One", None),
            (Goal, "G2", "Two", None),
            (Objective, "O9", "Trade", Some("G2")),
        ]);
        assert!(pairs(&a, &b).contains(&("O1".into(), "O9".into())));
    }

    #[test]
    fn same_title_prefers_the_same_parent() {
        let a = fw(&[
            (Goal, "G1", "One", None),
            (Goal, "G2", "Two", None),
            (Objective, "A", "Same", Some("G1")),
            (Objective, "B", "Same", Some("G2")),
        ]);
        let b = fw(&[
            (Goal, "G1", "One", None),
            (Goal, "G2", "Two", None),
            (Objective, "Y", "Same", Some("G2")),
            (Objective, "X", "Same", Some("G1")),
        ]);
        let p = pairs(&a, &b);
        assert!(p.contains(&("B".into(), "Y".into())), "{p:?}");
        assert!(p.contains(&("A".into(), "X".into())), "{p:?}");
    }

    #[test]
    fn kind_must_match() {
        let a = fw(&[
            (Goal, "G1", "One", None),
            (Objective, "O1", "x", Some("G1")),
        ]);
        let b = fw(&[
            (Goal, "G1", "One", None),
            (NodeKind::SubObjective, "O1", "x", Some("G1")),
        ]);
        assert_eq!(pairs(&a, &b), vec![("G1".into(), "G1".into())]);
    }

    #[test]
    fn similar_title_needs_the_same_parent() {
        let a = fw(&[
            (Goal, "G1", "One", None),
            (Goal, "G2", "Two", None),
            (Objective, "O1", "Expand bilateral trade", Some("G1")),
        ]);
        let same_parent = fw(&[
            (Goal, "G1", "One", None),
            (Goal, "G2", "Two", None),
            (Objective, "O7", "Expand bilateral trades", Some("G1")),
        ]);
        let other_parent = fw(&[
            (Goal, "G1", "One", None),
            (Goal, "G2", "Two", None),
            (Objective, "O7", "Expand bilateral trades", Some("G2")),
        ]);
        assert!(pairs(&a, &same_parent).contains(&("O1".into(), "O7".into())));
        assert!(!pairs(&a, &other_parent).contains(&("O1".into(), "O7".into())));
    }

    #[test]
    fn similar_title_follows_a_recoded_parent() {
        let a = fw(&[
            (Goal, "G1", "Prosperity", None),
            (Objective, "O1", "Expand bilateral trade", Some("G1")),
        ]);
        let b = fw(&[
            (Goal, "G9", "Prosperity", None),
            (Objective, "O7", "Expand bilateral trades", Some("G9")),
        ]);
        assert_eq!(
            pairs(&a, &b),
            vec![("G1".into(), "G9".into()), ("O1".into(), "O7".into())]
        );
    }

    #[test]
    fn dissimilar_titles_stay_apart() {
        let a = fw(&[(Goal, "G1", "Expand bilateral trade", None)]);
        let b = fw(&[(Goal, "G2", "Protect U.S. citizens", None)]);
        assert!(pairs(&a, &b).is_empty());
    }

    #[test]
    fn the_most_similar_candidate_wins() {
        let a = fw(&[
            (Goal, "G1", "Improve water servicing", None),
            (Goal, "G2", "Improve water service", None),
        ]);
        let b = fw(&[(Goal, "G3", "Improve water service.", None)]);
        assert_eq!(pairs(&a, &b), vec![("G2".into(), "G3".into())]);
    }

    #[test]
    fn similarity_measure() {
        assert_eq!(title_similarity("abc", "abc"), 1.0);
        assert_eq!(title_similarity(" a  b ", "a b"), 1.0);
        // One character in ten changed: 0.9.
        assert!((title_similarity("abcdefghij", "abcdefghiX") - 0.9).abs() < 1e-9);
        // Exactly at the threshold counts: 2 edits in 10 characters.
        assert!(title_similarity("abcdefghij", "abcdefghXY") >= SIMILAR_TITLE);
        assert!(title_similarity("abcdefghij", "abcdefgXYZ") < SIMILAR_TITLE);
        assert!(lengths_rule_out("abcdefghij", "abcdefg"));
        assert!(!lengths_rule_out("abcdefghij", "abcdefgh"));
    }
}
