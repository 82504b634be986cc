//! The node and indicator changes, in strategy order, each with its memo group.
//!
//! Order: the NEW side's items in document order, with each removed OLD item placed just
//! before the next OLD item that is still there (so a removed objective stays at the end of its
//! goal), then grouped by top-level node in that same order. For one item the changes come as:
//! added/removed, recoded, moved, modified fields, unlinked, linked.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::fields::{indicator_changes, node_changes as node_field_changes};
use super::matching::{items, match_items, Item, Matching, Thing};
use super::{Change, ChangeType, Group, Kind};
use crate::framework::{Framework, NodeKind};

/// One position in the merged order.
#[derive(Debug, Clone, Copy)]
enum Slot {
    /// A NEW item (matched or added).
    New(usize),
    /// An OLD item that is gone.
    Removed(usize),
}

/// For each item, the index of its top-level ancestor (itself when top-level).
fn tops(items: &[Item]) -> Vec<usize> {
    let mut by_code: HashMap<&str, usize> = HashMap::with_capacity(items.len());
    let mut top = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let t = item
            .parent
            .and_then(|p| by_code.get(p))
            .map(|&p| top[p])
            .unwrap_or(i);
        top.push(t);
        if let Thing::Node(_) = item.thing {
            by_code.entry(item.code).or_insert(i);
        }
    }
    top
}

fn group_of(item: &Item) -> Option<Group> {
    match item.kind {
        Kind::Node(kind) => Some(Group {
            kind,
            code: item.code.to_string(),
            title: item.title.to_string(),
        }),
        // Indicators always sit under a node; a top-level one cannot occur.
        _ => None,
    }
}

/// Every node and indicator change from `old` to `new`, in strategy order.
pub fn node_changes(old: &Framework, new: &Framework) -> Vec<Change> {
    let oi = items(old);
    let ni = items(new);
    let m = match_items(&oi, &ni);

    // Merged order: a removed item goes before the next OLD item that survived.
    let mut anchor = vec![ni.len(); oi.len()];
    let mut next = ni.len();
    for o in (0..oi.len()).rev() {
        anchor[o] = next;
        if let Some(n) = m.old_to_new[o] {
            next = n;
        }
    }
    let mut slots: Vec<((usize, u8, usize), Slot)> = (0..ni.len())
        .map(|n| ((n, 1, 0), Slot::New(n)))
        .chain(
            (0..oi.len())
                .filter(|&o| m.old_to_new[o].is_none())
                .map(|o| ((anchor[o], 0, o), Slot::Removed(o))),
        )
        .collect();
    slots.sort_unstable_by_key(|(key, _)| *key);

    // Group each slot under its top-level node, groups in the order they first appear.
    let (old_top, new_top) = (tops(&oi), tops(&ni));
    let group_key = |slot: Slot| -> Slot {
        match slot {
            Slot::New(n) => Slot::New(new_top[n]),
            Slot::Removed(o) => match m.old_to_new[old_top[o]] {
                Some(n) => Slot::New(n),
                None => Slot::Removed(old_top[o]),
            },
        }
    };
    let mut rank: HashMap<(bool, usize), usize> = HashMap::new();
    let key = |s: Slot| match s {
        Slot::New(n) => (true, n),
        Slot::Removed(o) => (false, o),
    };
    for (_, slot) in &slots {
        let g = key(group_key(*slot));
        let len = rank.len();
        rank.entry(g).or_insert(len);
    }
    let mut ordered: Vec<(usize, usize, Slot)> = slots
        .iter()
        .enumerate()
        .map(|(i, (_, slot))| (rank[&key(group_key(*slot))], i, *slot))
        .collect();
    ordered.sort_unstable_by_key(|(g, i, _)| (*g, *i));

    let mut out = Vec::new();
    for (_, _, slot) in ordered {
        let start = out.len();
        let (item, group) = match slot {
            Slot::New(n) => {
                let item = &ni[n];
                match m.new_to_old[n] {
                    None => out.push(Change::new(ChangeType::Added, item.kind, Some(item.code))),
                    Some(o) => item_changes(&mut out, &oi[o], item, &m, &ni),
                }
                (item, group_of(&ni[new_top[n]]))
            }
            Slot::Removed(o) => {
                let item = &oi[o];
                out.push(Change::new(ChangeType::Removed, item.kind, Some(item.code)));
                let top = match m.old_to_new[old_top[o]] {
                    Some(n) => &ni[n],
                    None => &oi[old_top[o]],
                };
                (item, group_of(top))
            }
        };
        for c in &mut out[start..] {
            c.title = Some(item.title.to_string());
            c.group = group.clone();
        }
    }
    out
}

/// The changes of one matched pair.
fn item_changes(out: &mut Vec<Change>, old: &Item, new: &Item, m: &Matching, ni: &[Item]) {
    let code = Some(new.code);
    if old.code != new.code {
        out.push(Change::new(ChangeType::Recoded, new.kind, code).field(
            "code",
            Value::from(old.code),
            Value::from(new.code),
        ));
    }
    let old_parent_now = old.parent.and_then(|p| m.node_in_new(p, ni));
    if old_parent_now != new.parent || (old.parent.is_some() && old_parent_now.is_none()) {
        let json = |p: Option<&str>| p.map(Value::from).unwrap_or(Value::Null);
        out.push(Change::new(ChangeType::Moved, new.kind, code).field(
            "parent",
            json(old.parent),
            json(new.parent),
        ));
    }
    match (old.thing, new.thing) {
        (Thing::Node(o), Thing::Node(n)) => {
            node_field_changes(out, o, n);
            let field = if n.kind == NodeKind::Theme {
                "applies_to"
            } else {
                "supports"
            };
            let (old_links, new_links) = if n.kind == NodeKind::Theme {
                (&o.applies_to, &n.applies_to)
            } else {
                (&o.supports, &n.supports)
            };
            link_changes(out, new, field, old_links, new_links, m, ni);
        }
        (Thing::Indicator(o), Thing::Indicator(n)) => indicator_changes(out, o, n),
        // Matching never pairs a node with an indicator.
        _ => {}
    }
}

/// `unlinked` for each OLD link whose target is gone or no longer linked, then `linked` for
/// each NEW link that was not there; a link that follows a recoded node is no change.
fn link_changes(
    out: &mut Vec<Change>,
    item: &Item,
    field: &str,
    old_links: &[String],
    new_links: &[String],
    m: &Matching,
    ni: &[Item],
) {
    if old_links.is_empty() && new_links.is_empty() {
        return;
    }
    let now: HashSet<&str> = new_links.iter().map(String::as_str).collect();
    let mut kept: HashSet<&str> = HashSet::new();
    for link in old_links {
        match m.node_in_new(link, ni) {
            Some(target) if now.contains(target) => {
                kept.insert(target);
            }
            _ => out.push(
                Change::new(ChangeType::Unlinked, item.kind, Some(item.code)).field(
                    field,
                    Value::from(link.as_str()),
                    Value::Null,
                ),
            ),
        }
    }
    for link in new_links {
        if !kept.contains(link.as_str()) {
            out.push(
                Change::new(ChangeType::Linked, item.kind, Some(item.code)).field(
                    field,
                    Value::Null,
                    Value::from(link.as_str()),
                ),
            );
        }
    }
}
