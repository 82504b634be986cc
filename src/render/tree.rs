//! The strategy tree, as box-drawn text and as JSON.
//!
//! Both walk the tree through a [`Lookup`] built once per call: each node's children, the DOs
//! supporting it and every node by code, so a big strategy (20,000 indicators under 2,000
//! objectives) costs one pass over its nodes rather than one per node.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use super::{plural, safe, truncate, width, Style, Term};
use crate::framework::{Alignment, Framework, Indicator, Node, NodeKind};

/// Options for the tree.
#[derive(Debug, Clone, Copy)]
pub struct TreeOptions {
    /// Levels to show; `None` for all.
    pub depth: Option<usize>,
    /// List each node's indicators under it.
    pub indicators: bool,
}

/// The framework's nodes indexed once: children by parent, supporters by objective, nodes by
/// code. Each list keeps document order, and a code names its first node, as the linear
/// lookups on [`Framework`] do.
struct Lookup<'a> {
    top: Vec<&'a Node>,
    children: HashMap<&'a str, Vec<&'a Node>>,
    supporters: HashMap<&'a str, Vec<&'a Node>>,
    by_code: HashMap<&'a str, &'a Node>,
}

impl<'a> Lookup<'a> {
    fn new(fw: &'a Framework) -> Self {
        let mut l = Lookup {
            top: Vec::new(),
            children: HashMap::with_capacity(fw.nodes.len()),
            supporters: HashMap::new(),
            by_code: HashMap::with_capacity(fw.nodes.len()),
        };
        for n in &fw.nodes {
            match n.parent.as_deref() {
                Some(p) => l.children.entry(p).or_default().push(n),
                None => l.top.push(n),
            }
            for target in &n.supports {
                let list = l.supporters.entry(target.as_str()).or_default();
                // A DO listing the same objective twice supports it once.
                if !list.last().is_some_and(|last| std::ptr::eq(*last, n)) {
                    list.push(n);
                }
            }
            l.by_code.entry(n.code.as_str()).or_insert(n);
        }
        l
    }

    fn children_of(&self, code: Option<&str>) -> &[&'a Node] {
        match code {
            Some(code) => self.children.get(code).map_or(&[], Vec::as_slice),
            None => &self.top,
        }
    }

    fn supported_by(&self, code: &str) -> &[&'a Node] {
        self.supporters.get(code).map_or(&[], Vec::as_slice)
    }

    fn node(&self, code: &str) -> Option<&'a Node> {
        self.by_code.get(code).copied()
    }
}

/// The tree as text lines (without trailing newlines).
pub fn text(fw: &Framework, label: &str, opts: TreeOptions, term: Term) -> Vec<String> {
    let ix = Lookup::new(fw);
    let mut lines = Vec::with_capacity(fw.nodes.len() + 1);
    let s = &fw.strategy;
    lines.push(format!(
        "{} ({}), version {}",
        term.paint(&s.title, Style::Bold),
        safe(&s.code),
        safe(label)
    ));
    let top = ix.children_of(None);
    for (i, node) in top.iter().enumerate() {
        walk(&ix, node, "", i + 1 == top.len(), 1, opts, term, &mut lines);
    }
    lines
}

#[allow(clippy::too_many_arguments)]
fn walk(
    ix: &Lookup,
    node: &Node,
    prefix: &str,
    last: bool,
    level: usize,
    opts: TreeOptions,
    term: Term,
    lines: &mut Vec<String>,
) {
    let branch = if last { "└── " } else { "├── " };
    let n = node.indicators.len();
    let suffix = if n > 0 {
        format!("  [{}]", plural(n, "indicator", "indicators"))
    } else {
        String::new()
    };
    lines.push(entry(
        prefix,
        branch,
        &node.code,
        &node.title,
        &suffix,
        code_style(node.kind),
        term,
    ));
    if opts.depth.is_some_and(|d| level >= d) {
        return;
    }
    let child_prefix = format!("{prefix}{}", if last { "    " } else { "│   " });
    // Links first (what supports this objective / what this DO supports), then indicators,
    // then child nodes.
    let mut items: Vec<Item> = Vec::new();
    if node.kind.can_be_supported() {
        items.extend(
            ix.supported_by(&node.code)
                .iter()
                .map(|d| Item::Link("⇠ supported by", d)),
        );
    }
    for target in &node.supports {
        if let Some(t) = ix.node(target) {
            items.push(Item::Link("⇢ supports", t));
        }
    }
    for target in &node.applies_to {
        if let Some(t) = ix.node(target) {
            items.push(Item::Link("⇢ applies to", t));
        }
    }
    items.extend(node.aligns_with.iter().map(Item::Aligns));
    if opts.indicators {
        items.extend(
            node.indicators
                .iter()
                .map(|i| Item::Indicator(&i.code, &i.title, i)),
        );
    }
    items.extend(
        ix.children_of(Some(&node.code))
            .iter()
            .map(|c| Item::Child(c)),
    );
    let count = items.len();
    for (i, item) in items.into_iter().enumerate() {
        let last = i + 1 == count;
        let branch = if last { "└── " } else { "├── " };
        match item {
            Item::Child(child) => {
                walk(ix, child, &child_prefix, last, level + 1, opts, term, lines)
            }
            Item::Link(what, target) => lines.push(entry(
                &child_prefix,
                branch,
                &format!("{what} {}", target.code),
                &target.title,
                "",
                Style::Dim,
                term,
            )),
            Item::Aligns(a) => lines.push(entry(
                &child_prefix,
                branch,
                &format!(
                    "≈ aligns with {} {}{}",
                    a.strategy,
                    a.code,
                    if a.title.is_some() { ":" } else { "" }
                ),
                a.title.as_deref().unwrap_or(""),
                "",
                Style::Dim,
                term,
            )),
            Item::Indicator(code, title, ind) => lines.push(entry(
                &child_prefix,
                branch,
                &format!("▪ {code}"),
                title,
                &format!("  ({})", kind_of(ind)),
                Style::Blue,
                term,
            )),
        }
    }
}

/// What the tree says after an indicator: its unit, and whether it is a ratio or cumulative
/// (`percent; ratio; cumulative`).
fn kind_of(ind: &Indicator) -> String {
    let mut s = safe(&ind.unit).to_string();
    if ind.ratio.is_some() {
        s.push_str("; ratio");
    }
    if ind.cumulative {
        s.push_str("; cumulative");
    }
    s
}

enum Item<'a> {
    Child(&'a Node),
    Link(&'static str, &'a Node),
    Aligns(&'a Alignment),
    Indicator(&'a str, &'a str, &'a Indicator),
}

fn code_style(kind: NodeKind) -> Style {
    match kind {
        NodeKind::Goal => Style::Bold,
        NodeKind::DevelopmentObjective | NodeKind::Result | NodeKind::SubResult => Style::Green,
        NodeKind::ManagementObjective => Style::Yellow,
        NodeKind::Theme => Style::Cyan,
        _ => Style::Cyan,
    }
}

/// One line: prefix, branch, code, title (made [`safe`], then cut to fit the width), suffix.
fn entry(
    prefix: &str,
    branch: &str,
    code: &str,
    title: &str,
    suffix: &str,
    style: Style,
    term: Term,
) -> String {
    let (code, title) = (safe(code), safe(title));
    let fixed = width(prefix) + width(branch) + width(&code) + 1 + width(suffix);
    let title = match term.width {
        Some(w) if fixed + width(&title) > w => truncate(&title, w.saturating_sub(fixed).max(8)),
        _ => title.into_owned(),
    };
    let gap = if title.is_empty() { "" } else { " " };
    format!(
        "{prefix}{branch}{}{gap}{title}{}",
        term.paint(&code, style),
        term.paint(suffix, Style::Dim)
    )
}

/// The tree as the JSON contract: `{ "strategy": {...}, "nodes": [...] }`.
pub fn json(fw: &Framework, label: &str, depth: Option<usize>) -> Value {
    let s = &fw.strategy;
    let mut strategy = Map::new();
    strategy.insert("code".into(), json!(s.code));
    strategy.insert("title".into(), json!(s.title));
    strategy.insert("version".into(), json!(label));
    for (k, v) in [
        ("country", &s.country),
        ("description", &s.description),
        ("approved", &s.approved),
        ("updated", &s.updated),
    ] {
        if let Some(v) = v {
            strategy.insert(k.into(), json!(v));
        }
    }
    if let (Some(a), Some(b)) = (s.start, s.end) {
        strategy.insert("start".into(), json!(a.to_string()));
        strategy.insert("end".into(), json!(b.to_string()));
    }
    if let Some(c) = &s.cdcs {
        strategy.insert("cdcs".into(), json!(c));
    }
    let ix = Lookup::new(fw);
    let nodes: Vec<Value> = ix
        .children_of(None)
        .iter()
        .map(|n| node_json(&ix, n, 1, depth))
        .collect();
    json!({ "strategy": strategy, "nodes": nodes })
}

fn node_json(ix: &Lookup, node: &Node, level: usize, depth: Option<usize>) -> Value {
    let mut m = Map::new();
    m.insert("code".into(), json!(node.code));
    m.insert("kind".into(), json!(node.kind.as_str()));
    m.insert("title".into(), json!(node.title));
    if let Some(d) = &node.description {
        m.insert("description".into(), json!(d));
    }
    if let Some(j) = &node.justification {
        m.insert("justification".into(), json!(j));
    }
    for (k, v) in [
        ("linkages", &node.linkages),
        ("risks", &node.risks),
        ("hypothesis", &node.hypothesis),
    ] {
        if let Some(v) = v {
            m.insert(k.into(), json!(v));
        }
    }
    if !node.aligns_with.is_empty() {
        m.insert("aligns_with".into(), json!(node.aligns_with));
    }
    // Every link is listed on both of its nodes, whichever side the file wrote it on.
    if node.kind.can_support() {
        m.insert("supports".into(), json!(node.supports));
    }
    if node.kind.can_be_supported() {
        let by: Vec<&str> = ix
            .supported_by(&node.code)
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        m.insert("supported_by".into(), json!(by));
    }
    if node.kind == NodeKind::Theme {
        m.insert("applies_to".into(), json!(node.applies_to));
    }
    let indicators: Vec<Value> = node
        .indicators
        .iter()
        .map(|i| {
            json!({
                "code": i.code,
                "title": i.title,
                "unit": i.unit,
                "direction": i.direction.as_str(),
                "frequency": i.frequency.as_str(),
                "baseline": i.baseline.map(|b| json!({"period": b.period.to_string(), "value": b.value})),
                "targets": i.targets.iter().map(|(p, v)| (p.to_string(), json!(v))).collect::<Map<_, _>>(),
                "illustrative": i.illustrative,
                "cumulative": i.cumulative,
                "ratio": i.ratio.as_ref().map(|r| json!({"numerator": r.numerator, "denominator": r.denominator})),
            })
        })
        .collect();
    m.insert("indicators".into(), json!(indicators));
    let children: Vec<Value> = if depth.is_some_and(|d| level >= d) {
        Vec::new()
    } else {
        ix.children_of(Some(&node.code))
            .iter()
            .map(|c| node_json(ix, c, level + 1, depth))
            .collect()
    };
    m.insert("children".into(), json!(children));
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::Lookup;
    use crate::framework::{parse_str, Framework, Node, NodeKind};
    use crate::shipped;

    /// The index answers what the linear lookups on [`Framework`] answer, in the same order:
    /// on the shipped strategy, and with a DO listing an objective twice and a repeated code.
    #[test]
    fn the_index_agrees_with_the_linear_lookups() {
        let mut odd = parse_str(shipped::FRAMEWORK, "framework.toml").unwrap();
        let dup = odd
            .nodes
            .iter()
            .position(|n| !n.supports.is_empty())
            .unwrap();
        let target = odd.nodes[dup].supports[0].clone();
        odd.nodes[dup].supports.push(target);
        let mut twin = Node::new(NodeKind::Goal, &odd.nodes[0].code, "Twin", None);
        twin.supports.push(odd.nodes[dup].supports[0].clone());
        odd.nodes.push(twin);
        for fw in [
            parse_str(shipped::FRAMEWORK, "framework.toml").unwrap(),
            odd,
        ] {
            check(&fw);
        }
    }

    fn check(fw: &Framework) {
        let ix = Lookup::new(fw);
        let ptrs = |nodes: Vec<&Node>| -> Vec<*const Node> {
            nodes.into_iter().map(|n| n as *const Node).collect()
        };
        assert_eq!(
            ptrs(ix.children_of(None).to_vec()),
            ptrs(fw.children_of(None).collect())
        );
        for n in &fw.nodes {
            let code = n.code.as_str();
            assert_eq!(
                ptrs(ix.children_of(Some(code)).to_vec()),
                ptrs(fw.children_of(Some(code)).collect()),
                "children of {code}"
            );
            assert_eq!(
                ptrs(ix.supported_by(code).to_vec()),
                ptrs(fw.supported_by(code).collect()),
                "supporters of {code}"
            );
            assert!(std::ptr::eq(ix.node(code).unwrap(), fw.node(code).unwrap()));
        }
        assert!(ix.node("NOPE").is_none());
    }
}
