//! Walking the TOML document: the top level, nodes and their nesting, `[strategy]`,
//! `[settings]`, and the cross-checks of `supports` / `applies_to` once every code is known.

use std::collections::HashMap;
use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::fields::{describe, kind_path, top_level_keys};
use crate::framework::model::*;

pub(super) const NODE_KEYS: [&str; 4] = ["code", "title", "description", "justification"];
pub(super) const STRATEGY_KEYS: [&str; 9] = [
    "code",
    "title",
    "version",
    "country",
    "description",
    "approved",
    "updated",
    "start",
    "end",
];
pub(super) const SETTINGS_KEYS: [&str; 2] = ["deviation_threshold", "lint"];

pub(super) type Table<'i> = DeTable<'i>;
pub(super) type Value<'i> = Spanned<DeValue<'i>>;

/// Where a node starts, and the codes its `supports` / `applies_to` name with their positions
/// (absolute offsets in the file).
pub(super) type NodeSite = (usize, Vec<(String, usize)>);

/// Where each code was first defined, for duplicate detection.
pub(super) struct CodeSite {
    pub(super) at: usize,
}

pub(super) struct Checker {
    pub(super) problems: Vec<(usize, String)>,
    pub(super) codes: HashMap<String, CodeSite>,
    pub(super) line_of: Vec<usize>,
    /// Offset of the part of the file being checked (spans are relative to it).
    pub(super) base: usize,
}

impl Checker {
    pub(super) fn new(text: &str) -> Self {
        let mut line_of = vec![0];
        line_of.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Checker {
            problems: Vec::new(),
            codes: HashMap::new(),
            line_of,
            base: 0,
        }
    }

    pub(super) fn problem(&mut self, at: usize, message: impl Into<String>) {
        self.problems.push((at + self.base, message.into()));
    }

    pub(super) fn line(&self, at: usize) -> usize {
        self.line_of.partition_point(|s| *s <= at)
    }

    pub(super) fn framework(&mut self, root: &Table<'_>) -> Option<Framework> {
        let mut strategy = None;
        let mut iati = None;
        let mut settings = Settings::default();
        let mut nodes = Vec::new();
        let mut node_sites: Vec<(usize, Vec<(String, usize)>)> = Vec::new();
        for (key, value) in root {
            match key.get_ref().as_ref() {
                "strategy" => strategy = self.strategy(value),
                "settings" => settings = self.settings(value),
                "iati" => iati = self.iati(value),
                k if NodeKind::TOP_LEVEL.iter().any(|n| n.as_str() == k) => {}
                k => self.unknown_key(key.span().start, k, "the top level", &top_level_keys()),
            }
        }
        // Nodes in a fixed, documented order: goals, management objectives, DOs, themes.
        for kind in NodeKind::TOP_LEVEL {
            if let Some((key, value)) = root.get_key_value(kind.as_str()) {
                self.node_array(
                    kind,
                    key.span().start,
                    value,
                    None,
                    &mut nodes,
                    &mut node_sites,
                );
            }
        }
        let strategy = match strategy {
            Some(s) => Strategy { iati, ..s },
            None => {
                if !root.contains_key("strategy") {
                    self.problem(
                        0,
                        "missing `[strategy]` table (with `code`, `title` and `version`)",
                    );
                }
                return None;
            }
        };
        self.base = 0;
        self.cross_check(&nodes, &node_sites);
        Some(Framework {
            strategy,
            settings,
            nodes,
        })
    }

    /// Check a framework file read in parts: `head` holds everything before the first
    /// top-level `[[...]]` node table, and each of `parts` (with its offset in the file) one
    /// or more top-level node tables. Returns `None` when a part holds anything else, so the
    /// caller reads the file whole instead (the results are the same; reading in parts only
    /// keeps one part's document tree in memory at a time).
    pub(super) fn framework_in_parts<'a>(
        &mut self,
        head: &Table<'_>,
        parts: impl Iterator<Item = (usize, Option<Spanned<DeTable<'a>>>)>,
    ) -> Option<Option<Framework>> {
        let mut strategy = None;
        let mut iati = None;
        let mut settings = Settings::default();
        for (key, value) in head {
            match key.get_ref().as_ref() {
                "strategy" => strategy = self.strategy(value),
                "settings" => settings = self.settings(value),
                "iati" => iati = self.iati(value),
                k if NodeKind::TOP_LEVEL.iter().any(|n| n.as_str() == k) => return None,
                k => self.unknown_key(key.span().start, k, "the top level", &top_level_keys()),
            }
        }
        // Nodes of each top-level kind in file order; the kinds in the fixed order at the end.
        let mut by_kind: Vec<(Vec<Node>, Vec<NodeSite>)> = NodeKind::TOP_LEVEL
            .iter()
            .map(|_| (Vec::new(), Vec::new()))
            .collect();
        for (offset, part) in parts {
            let part = part?;
            let part = part.get_ref();
            if part.len() != 1 {
                return None;
            }
            let (key, value) = part.iter().next()?;
            let k = NodeKind::TOP_LEVEL
                .iter()
                .position(|n| n.as_str() == key.get_ref().as_ref())?;
            if !matches!(value.get_ref(), DeValue::Array(_)) {
                return None;
            }
            self.base = offset;
            let (nodes, sites) = &mut by_kind[k];
            self.node_array(
                NodeKind::TOP_LEVEL[k],
                key.span().start,
                value,
                None,
                nodes,
                sites,
            );
        }
        self.base = 0;
        let mut nodes = Vec::new();
        let mut node_sites = Vec::new();
        for (n, s) in by_kind {
            nodes.extend(n);
            node_sites.extend(s);
        }
        let strategy = match strategy {
            Some(s) => Strategy { iati, ..s },
            None => {
                if !head.contains_key("strategy") {
                    self.problem(
                        0,
                        "missing `[strategy]` table (with `code`, `title` and `version`)",
                    );
                }
                return Some(None);
            }
        };
        self.cross_check(&nodes, &node_sites);
        Some(Some(Framework {
            strategy,
            settings,
            nodes,
        }))
    }

    /// Check `supports` and `applies_to` once every node is known.
    pub(super) fn cross_check(&mut self, nodes: &[Node], sites: &[(usize, Vec<(String, usize)>)]) {
        let kinds: HashMap<&str, NodeKind> =
            nodes.iter().map(|n| (n.code.as_str(), n.kind)).collect();
        for (node, (_, refs)) in nodes.iter().zip(sites) {
            for (target, at) in refs {
                match (node.kind, kinds.get(target.as_str())) {
                    (NodeKind::DevelopmentObjective, None) => self.problem(
                        *at,
                        format!("`{}` supports `{target}`, which is not a code in this file", node.code),
                    ),
                    (NodeKind::DevelopmentObjective, Some(k)) if *k != NodeKind::Objective => {
                        self.problem(
                            *at,
                            format!(
                                "`{}` supports `{target}`, a {}; a Development Objective can only support Mission Objectives",
                                node.code,
                                k.label()
                            ),
                        )
                    }
                    (_, None) => self.problem(
                        *at,
                        format!("`{}` applies to `{target}`, which is not a code in this file", node.code),
                    ),
                    _ => {}
                }
            }
        }
    }

    pub(super) fn node_array(
        &mut self,
        kind: NodeKind,
        key_at: usize,
        value: &Value<'_>,
        parent: Option<&str>,
        nodes: &mut Vec<Node>,
        sites: &mut Vec<(usize, Vec<(String, usize)>)>,
    ) {
        let path = kind_path(kind);
        match value.get_ref() {
            DeValue::Array(items) => {
                for item in items.iter() {
                    match item.get_ref() {
                        DeValue::Table(t) => self.node(kind, t, item.span(), parent, nodes, sites),
                        other => self.problem(
                            item.span().start,
                            format!(
                                "each `{}` must be a table written `[[{path}]]`, not {}",
                                kind.as_str(),
                                describe(other)
                            ),
                        ),
                    }
                }
            }
            DeValue::Table(t) => {
                // `[[goal.objective]]` before any `[[goal]]` makes an implicit `goal` table.
                let orphan = kind
                    .children()
                    .iter()
                    .map(|c| c.as_str())
                    .chain(["indicator"])
                    .find_map(|c| t.get_key_value(c));
                match orphan {
                    Some((child, _)) if !t.contains_key("code") => self.problem(
                        child.span().start,
                        format!(
                            "unknown parent: `[[{path}.{}]]` comes before any `[[{path}]]` that could hold it",
                            child.get_ref()
                        ),
                    ),
                    _ => self.problem(
                        key_at,
                        format!("write `[[{path}]]` (double brackets): a strategy can have several"),
                    ),
                }
            }
            other => self.problem(
                key_at,
                format!(
                    "`{}` must be written as `[[{path}]]` tables, not {}",
                    kind.as_str(),
                    describe(other)
                ),
            ),
        }
    }

    pub(super) fn node(
        &mut self,
        kind: NodeKind,
        t: &Table<'_>,
        span: Range<usize>,
        parent: Option<&str>,
        nodes: &mut Vec<Node>,
        sites: &mut Vec<(usize, Vec<(String, usize)>)>,
    ) {
        let what = format!("a {}", kind.label());
        let what = what.as_str();
        let mut allowed: Vec<&str> = NODE_KEYS.to_vec();
        allowed.extend(kind.children().iter().map(|c| c.as_str()));
        allowed.push("indicator");
        allowed.push("result_type");
        match kind {
            NodeKind::DevelopmentObjective => allowed.push("supports"),
            NodeKind::Theme => allowed.push("applies_to"),
            _ => {}
        }
        for (key, _) in t {
            let k = key.get_ref().as_ref();
            if !allowed.contains(&k) {
                self.unknown_key(key.span().start, k, what, &allowed);
            }
        }
        let code = self.code(t, span.start, what);
        let title = self.required_str(t, "title", span.start, what);
        let mut node = Node::new(
            kind,
            code.as_deref().unwrap_or(""),
            title.as_deref().unwrap_or(""),
            parent,
        );
        node.description = self.optional_str(t, "description");
        node.justification = self.optional_str(t, "justification");
        node.result_type = self.choice(
            t,
            "result_type",
            span.start,
            "",
            ResultType::parse,
            &ResultType::ALL.map(ResultType::as_str),
            false,
        );
        let mut refs = Vec::new();
        for (key, list) in [
            ("supports", &mut node.supports),
            ("applies_to", &mut node.applies_to),
        ] {
            if let Some(v) = t.get(key).filter(|_| allowed.contains(&key)) {
                for (s, at) in self.str_array(v, key) {
                    if list.contains(&s) {
                        self.problem(at, format!("`{s}` is listed twice in `{key}`"));
                    } else {
                        refs.push((s.clone(), at + self.base));
                        list.push(s);
                    }
                }
            }
        }
        if let Some(v) = t.get("indicator") {
            node.indicators = self.indicators(v);
        }
        let own_code = node.code.clone();
        nodes.push(node);
        sites.push((span.start + self.base, refs));
        for child in kind.children() {
            if let Some((key, value)) = t.get_key_value(child.as_str()) {
                self.node_array(
                    *child,
                    key.span().start,
                    value,
                    Some(&own_code),
                    nodes,
                    sites,
                );
            }
        }
    }

    pub(super) fn strategy(&mut self, v: &Value<'_>) -> Option<Strategy> {
        let t = self.table(v, "strategy", "[strategy]")?;
        for (key, _) in t {
            let k = key.get_ref().as_ref();
            if !STRATEGY_KEYS.contains(&k) {
                self.unknown_key(key.span().start, k, "`[strategy]`", &STRATEGY_KEYS);
            }
        }
        let at = v.span().start;
        let code = self.required_str(t, "code", at, "`[strategy]`");
        let title = self.required_str(t, "title", at, "`[strategy]`");
        let version = self.required_str(t, "version", at, "`[strategy]`");
        if let Some(c) = &code {
            self.check_code(c, t.get("code").map(|v| v.span().start).unwrap_or(at));
        }
        let approved = self.date(t, "approved");
        let updated = self.date(t, "updated");
        let start = self.fiscal_year(t, "start");
        let end = self.fiscal_year(t, "end");
        if let (Some(s), Some(e)) = (start, end) {
            if s > e {
                let at = t.get("end").map(|v| v.span().start).unwrap_or(at);
                self.problem(
                    at,
                    format!("the strategy ends ({e}) before it starts ({s})"),
                );
            }
        }
        if start.is_some() != end.is_some() {
            self.problem(
                at,
                "give both `start` and `end` of the strategy period, or neither",
            );
        }
        Some(Strategy {
            code: code?,
            title: title?,
            version: version?,
            country: self.optional_str(t, "country"),
            description: self.optional_str(t, "description"),
            approved,
            updated,
            start,
            end,
            iati: None,
        })
    }

    pub(super) fn settings(&mut self, v: &Value<'_>) -> Settings {
        let mut s = Settings::default();
        let Some(t) = self.table(v, "settings", "[settings]") else {
            return s;
        };
        for (key, _) in t {
            let k = key.get_ref().as_ref();
            if !SETTINGS_KEYS.contains(&k) {
                self.unknown_key(key.span().start, k, "`[settings]`", &SETTINGS_KEYS);
            }
        }
        if let Some(val) = t.get("deviation_threshold") {
            if let Some(n) = self.number(val, "`deviation_threshold`") {
                if !(0.0..=1000.0).contains(&n) {
                    self.problem(
                        val.span().start,
                        "`deviation_threshold` is a percent between 0 and 1000",
                    );
                } else {
                    s.deviation_threshold = n;
                }
            }
        }
        if let Some(val) = t.get("lint") {
            s.lint = self.lint_switches(val);
        }
        s
    }

    // ---- field helpers -------------------------------------------------------------------
}
