//! The matching as it was before the third pass was bounded (issue 12, item 17), kept as the
//! oracle: on random strategies, [`match_items`](super::match_items) must pair exactly the same
//! items as this plain version, which scores every unmatched sibling with
//! [`title_similarity`](super::title_similarity).

use std::collections::{BTreeMap, HashMap};

use super::*;
use crate::framework::{Direction, Framework, Indicator, Node, NodeKind, Settings, Strategy};

/// Pair OLD and NEW items, scoring every candidate of the third pass in full.
pub fn match_items_quadratic(old: &[Item], new: &[Item]) -> Matching {
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
    let mut by_parent: HashMap<(Kind, Option<&str>), Vec<usize>> = HashMap::new();
    for (o, item) in old.iter().enumerate() {
        if m.old_to_new[o].is_none() {
            by_parent
                .entry((item.kind, item.parent))
                .or_default()
                .push(o);
        }
    }
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
            let mut best: Option<(usize, f64)> = None;
            for (pos, &o) in bucket.iter().enumerate() {
                if lengths_rule_out(old[o].title, item.title) {
                    continue;
                }
                let score = title_similarity(old[o].title, item.title);
                if score >= SIMILAR_TITLE - TOLERANCE && best.is_none_or(|(_, b)| score > b) {
                    best = Some((pos, score));
                }
            }
            if let Some((pos, _)) = best {
                let o = bucket.remove(pos);
                m.pair(o, n);
            }
        }
    }
    m
}

/// xorshift64: deterministic random numbers for the comparison.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A short title over few letters, so that many pairs sit near the similarity threshold.
fn title(rng: &mut Rng) -> String {
    let len = 4 + rng.below(9);
    (0..len)
        .map(|_| ['a', 'b', 'c', 'd', ' '][rng.below(5)])
        .collect()
}

/// Change a title a little: one to three characters replaced, added or removed.
fn edit(rng: &mut Rng, t: &str) -> String {
    let mut c: Vec<char> = t.chars().collect();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(c.len() + 1);
        match rng.below(3) {
            0 if at < c.len() => c[at] = ['a', 'e', ' '][rng.below(3)],
            1 if at < c.len() => {
                c.remove(at);
            }
            _ => c.insert(at, 'x'),
        }
    }
    c.into_iter().collect()
}

fn indicator(code: String, title: String) -> Indicator {
    Indicator {
        code,
        title,
        unit: "people".into(),
        direction: Direction::Increase,
        baseline: None,
        targets: crate::framework::TargetMap::new(),
        frequency: Default::default(),
        aggregation: Default::default(),
        disaggregations: BTreeMap::new(),
        standard_code: None,
        source: None,
        definition: None,
        illustrative: false,
        cumulative: false,
        ratio: None,
        pirs: Default::default(),
    }
}

/// A strategy of a few goals, each with up to a dozen objectives, each with a few indicators.
fn strategy(rng: &mut Rng) -> Framework {
    let mut nodes = Vec::new();
    for g in 0..1 + rng.below(3) {
        let gcode = format!("G{g}");
        nodes.push(Node::new(NodeKind::Goal, &gcode, &title(rng), None));
        for o in 0..rng.below(12) {
            let mut obj = Node::new(
                NodeKind::Objective,
                &format!("{gcode}.O{o}"),
                &title(rng),
                Some(&gcode),
            );
            for i in 0..rng.below(6) {
                obj.indicators
                    .push(indicator(format!("{gcode}.O{o}.I{i}"), title(rng)));
            }
            nodes.push(obj);
        }
    }
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
        nodes,
    }
}

/// A revision: codes changed, titles edited or replaced, things removed and added.
fn revise(rng: &mut Rng, fw: &Framework) -> Framework {
    let mut b = fw.clone();
    let mut renamed: HashMap<String, String> = HashMap::new();
    for node in &mut b.nodes {
        if node.kind == NodeKind::Objective && rng.below(3) == 0 {
            let new = format!("R{}", node.code);
            renamed.insert(std::mem::replace(&mut node.code, new.clone()), new);
        }
        match rng.below(4) {
            0 => node.title = edit(rng, &node.title),
            1 => node.title = title(rng),
            _ => {}
        }
        for ind in &mut node.indicators {
            if rng.below(2) == 0 {
                ind.code = format!("R{}", ind.code);
            }
            match rng.below(4) {
                0 => ind.title = edit(rng, &ind.title),
                1 => ind.title = title(rng),
                _ => {}
            }
        }
        if !node.indicators.is_empty() && rng.below(4) == 0 {
            let at = rng.below(node.indicators.len());
            node.indicators.remove(at);
        }
        if rng.below(4) == 0 {
            let code = format!("N{}", rng.next() % 1000);
            node.indicators.push(indicator(code, title(rng)));
        }
    }
    for node in &mut b.nodes {
        if let Some(new) = node.parent.as_ref().and_then(|p| renamed.get(p)) {
            node.parent = Some(new.clone());
        }
    }
    b
}

#[test]
fn bounded_matching_pairs_exactly_as_the_plain_one() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut fuzzy_pairs = 0;
    for _ in 0..400 {
        let a = strategy(&mut rng);
        let b = revise(&mut rng, &a);
        let (oi, ni) = (items(&a), items(&b));
        let want = match_items_quadratic(&oi, &ni);
        let got = match_items(&oi, &ni);
        assert_eq!(got, want, "old {a:#?}\nnew {b:#?}");
        fuzzy_pairs += got
            .new_to_old
            .iter()
            .enumerate()
            .filter(|(n, o)| o.is_some_and(|o| oi[o].title != ni[*n].title))
            .count();
    }
    // The comparison must exercise the similar-title pass, not only codes and equal titles.
    assert!(
        fuzzy_pairs > 500,
        "only {fuzzy_pairs} pairs by similar title"
    );
}

/// A parent with a thousand retitled children: every pair used to be scored in full
/// (2,000 objectives took 247 s in the trial; the plain version takes 100 s here in a
/// debug build, the bounded one half a second).
#[test]
fn many_retitled_siblings_stay_fast() {
    let n = 1000;
    let long = |i: usize, extra: &str| {
        format!(
            "Percentage of partner institutions in district {i} that report improved \
             capacity to deliver services to vulnerable communities{extra}"
        )
    };
    let mut a = strategy(&mut Rng(1));
    a.nodes.truncate(1);
    let mut b = a.clone();
    let goal = a.nodes[0].code.clone();
    for i in 0..n {
        let parent = Some(goal.as_str());
        a.nodes.push(Node::new(
            NodeKind::Objective,
            &format!("O{i}"),
            &long(i, ""),
            parent,
        ));
        b.nodes.push(Node::new(
            NodeKind::Objective,
            &format!("X{i}"),
            &long(i, " (revised)"),
            parent,
        ));
    }
    let (oi, ni) = (items(&a), items(&b));
    let start = std::time::Instant::now();
    let m = match_items(&oi, &ni);
    let took = start.elapsed();
    assert!((1..=n).all(|k| m.new_to_old[k] == Some(k)));
    assert!(
        took < std::time::Duration::from_secs(5),
        "matching 1,000 retitled siblings took {took:?}"
    );
}
