//! Walking the TOML document: the top level, nodes and their nesting, `[strategy]`,
//! `[settings]`, and the cross-checks of `supports` / `applies_to` once every code is known.

use std::collections::HashMap;
use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::fields::{describe, kind_path, top_level_keys};
use crate::framework::model::*;

pub(super) const NODE_KEYS: [&str; 7] = [
    "code",
    "title",
    "description",
    "justification",
    "linkages",
    "risks",
    "aligns_with",
];
pub(super) const CDCS_KEYS: [&str; 5] = ["title", "goal", "start", "end", "approved"];
pub(super) const ALIGNMENT_KEYS: [&str; 3] = ["strategy", "code", "title"];
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
pub(super) const SETTINGS_KEYS: [&str; 4] =
    ["deviation_threshold", "lint", "review", "lock_after_days"];

pub(super) type Table<'i> = DeTable<'i>;
pub(super) type Value<'i> = Spanned<DeValue<'i>>;

/// Which list of a node names another: `supports`, `supported_by` or `applies_to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rel {
    Supports,
    SupportedBy,
    AppliesTo,
}

impl Rel {
    fn key(self) -> &'static str {
        match self {
            Rel::Supports => "supports",
            Rel::SupportedBy => "supported_by",
            Rel::AppliesTo => "applies_to",
        }
    }
}

/// Where a node starts, and the codes its `supports` / `supported_by` / `applies_to` name with
/// their positions (absolute offsets in the file).
pub(super) type NodeSite = (usize, Vec<(Rel, String, usize)>);

/// What a link joins, for messages about a code on the wrong kind of node.
const LINK_RULE: &str = "a link joins a Development Objective, Intermediate Result or sub-result (`supports`) to a Mission Objective or sub-objective (`supported_by`)";

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
        let mut cdcs = None;
        let mut node_sites: Vec<NodeSite> = Vec::new();
        for (key, value) in root {
            match key.get_ref().as_ref() {
                "strategy" => strategy = self.strategy(value),
                "settings" => settings = self.settings(value),
                "iati" => iati = self.iati(value),
                "cdcs" => cdcs = self.cdcs(value),
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
            Some(s) => Strategy { iati, cdcs, ..s },
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
        self.cross_check(&mut nodes, &node_sites);
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
        let mut cdcs = None;
        let mut settings = Settings::default();
        for (key, value) in head {
            match key.get_ref().as_ref() {
                "strategy" => strategy = self.strategy(value),
                "settings" => settings = self.settings(value),
                "iati" => iati = self.iati(value),
                "cdcs" => cdcs = self.cdcs(value),
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
            Some(s) => Strategy { iati, cdcs, ..s },
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
        self.cross_check(&mut nodes, &node_sites);
        Some(Some(Framework {
            strategy,
            settings,
            nodes,
        }))
    }

    /// Check `supports`, `supported_by` and `applies_to` once every node is known, and read
    /// each `supported_by` into the `supports` of the node it names (a link written on both
    /// sides is one link).
    pub(super) fn cross_check(&mut self, nodes: &mut [Node], sites: &[NodeSite]) {
        let kinds: HashMap<&str, (NodeKind, usize)> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.code.as_str(), (n.kind, i)))
            .rev()
            .collect();
        let indicators: std::collections::HashSet<&str> = nodes
            .iter()
            .flat_map(|n| n.indicators.iter().map(|i| i.code.as_str()))
            .collect();
        let mut added: Vec<(usize, String)> = Vec::new();
        for (node, (_, refs)) in nodes.iter().zip(sites) {
            for (rel, target, at) in refs {
                let code = &node.code;
                let key = rel.key();
                let found = kinds.get(target.as_str()).copied();
                let problem = match (rel, found) {
                    (_, None) if indicators.contains(target.as_str()) => Some(format!(
                        "`{target}` is an indicator; `{key}` takes node codes"
                    )),
                    (Rel::Supports, None) => Some(format!(
                        "`{code}` supports `{target}`, which is not a code in this file"
                    )),
                    (Rel::SupportedBy, None) => Some(format!(
                        "`{code}` is supported by `{target}`, which is not a code in this file"
                    )),
                    (Rel::AppliesTo, None) => Some(format!(
                        "`{code}` applies to `{target}`, which is not a code in this file"
                    )),
                    (Rel::Supports, Some((k, _))) if !k.can_be_supported() => Some(format!(
                        "`{code}` supports `{target}`, {}; {LINK_RULE}",
                        k.with_article()
                    )),
                    (Rel::SupportedBy, Some((k, _))) if !k.can_support() => Some(format!(
                        "`{code}` is supported by `{target}`, {}; {LINK_RULE}",
                        k.with_article()
                    )),
                    (Rel::SupportedBy, Some((_, i))) => {
                        added.push((i, code.clone()));
                        None
                    }
                    (Rel::AppliesTo, Some((NodeKind::Theme, _))) => Some(format!(
                        "`{code}` applies to `{target}`, a cross-cutting theme; a theme applies to goals, objectives and results, not to another theme"
                    )),
                    _ => None,
                };
                if let Some(p) = problem {
                    self.problem(*at - self.base, p);
                }
            }
        }
        for (i, target) in added {
            if !nodes[i].supports.contains(&target) {
                nodes[i].supports.push(target);
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
        sites: &mut Vec<NodeSite>,
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
        sites: &mut Vec<NodeSite>,
    ) {
        let what = kind.with_article();
        let what = what.as_str();
        let mut allowed: Vec<&str> = NODE_KEYS.to_vec();
        allowed.extend(kind.children().iter().map(|c| c.as_str()));
        allowed.push("indicator");
        allowed.push("result_type");
        if kind.can_support() {
            allowed.push("supports");
        }
        if kind.can_be_supported() {
            allowed.push("supported_by");
        }
        if kind == NodeKind::DevelopmentObjective {
            allowed.push("hypothesis");
        }
        if kind == NodeKind::Theme {
            allowed.push("applies_to");
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
        node.linkages = self.optional_str(t, "linkages");
        node.risks = self.optional_str(t, "risks");
        if allowed.contains(&"hypothesis") {
            node.hypothesis = self.optional_str(t, "hypothesis");
        }
        if let Some(v) = t.get("aligns_with") {
            node.aligns_with = self.alignments(v);
        }
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
        let mut supported_by = Vec::new();
        for (rel, list) in [
            (Rel::Supports, &mut node.supports),
            (Rel::SupportedBy, &mut supported_by),
            (Rel::AppliesTo, &mut node.applies_to),
        ] {
            let key = rel.key();
            if let Some(v) = t.get(key).filter(|_| allowed.contains(&key)) {
                for (s, at) in self.str_array(v, key) {
                    if list.contains(&s) {
                        self.problem(at, format!("`{s}` is listed twice in `{key}`"));
                    } else {
                        refs.push((rel, s.clone(), at + self.base));
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
            cdcs: None,
        })
    }

    /// `[cdcs]`: every key optional; `start` and `end` fiscal years or dates, `approved` a date.
    pub(super) fn cdcs(&mut self, v: &Value<'_>) -> Option<Cdcs> {
        let t = self.table(v, "cdcs", "[cdcs]")?;
        for (key, _) in t {
            let k = key.get_ref().as_ref();
            if !CDCS_KEYS.contains(&k) {
                self.unknown_key(key.span().start, k, "`[cdcs]`", &CDCS_KEYS);
            }
        }
        let cdcs = Cdcs {
            title: self.optional_str(t, "title"),
            goal: self.optional_str(t, "goal"),
            start: self.year_or_date(t, "start"),
            end: self.year_or_date(t, "end"),
            approved: self.date(t, "approved"),
        };
        if let (Some(a), Some(b)) = (&cdcs.start, &cdcs.end) {
            if let (Some((first, _)), Some((_, last))) = (day_span(a), day_span(b)) {
                if last < first {
                    let at = t.get("end").map(|v| v.span().start).unwrap_or(0);
                    self.problem(at, format!("the CDCS ends ({b}) before it starts ({a})"));
                }
            }
        }
        Some(cdcs)
    }

    /// A fiscal year (`"FY2021"`, kept as `FY2021`) or a date (`2020-12-15`, unquoted or in
    /// quotes, kept as ISO text).
    fn year_or_date(&mut self, t: &Table<'_>, key: &str) -> Option<String> {
        let v = t.get(key)?;
        if let DeValue::String(s) = v.get_ref() {
            if let Ok(crate::period::PeriodInput::Period(p)) = crate::period::parse(s) {
                if !p.is_quarter() {
                    return Some(p.to_string());
                }
            }
            if chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_err() {
                self.problem(
                    v.span().start,
                    format!(
                        "`{key}` must be a fiscal year like \"FY2021\" or a date like 2020-12-15, not `{s}`"
                    ),
                );
                return None;
            }
        }
        self.date(t, key)
    }

    /// `aligns_with = [{ strategy = "JRS SCA", code = "2.1", title = "..." }]`.
    fn alignments(&mut self, v: &Value<'_>) -> Vec<Alignment> {
        let DeValue::Array(items) = v.get_ref() else {
            self.problem(
                v.span().start,
                format!(
                    "`aligns_with` must be a list like `[{{ strategy = \"JRS SCA\", code = \"2.1\" }}]`, not {}",
                    describe(v.get_ref())
                ),
            );
            return Vec::new();
        };
        let mut out: Vec<Alignment> = Vec::new();
        for item in items.iter() {
            let DeValue::Table(t) = item.get_ref() else {
                self.problem(
                    item.span().start,
                    format!(
                        "each `aligns_with` entry is a table like `{{ strategy = \"JRS SCA\", code = \"2.1\" }}`, not {}",
                        describe(item.get_ref())
                    ),
                );
                continue;
            };
            for (key, _) in t {
                let k = key.get_ref().as_ref();
                if !ALIGNMENT_KEYS.contains(&k) {
                    self.unknown_key(
                        key.span().start,
                        k,
                        "an `aligns_with` entry",
                        &ALIGNMENT_KEYS,
                    );
                }
            }
            let at = item.span().start;
            let strategy = self.required_str(t, "strategy", at, "an `aligns_with` entry");
            let code = self.required_str(t, "code", at, "an `aligns_with` entry");
            let title = self.optional_str(t, "title");
            if let (Some(strategy), Some(code)) = (strategy, code) {
                let a = Alignment {
                    strategy,
                    code,
                    title,
                };
                if out
                    .iter()
                    .any(|o| o.strategy == a.strategy && o.code == a.code)
                {
                    self.problem(
                        at,
                        format!(
                            "`{} {}` is listed twice in `aligns_with`",
                            a.strategy, a.code
                        ),
                    );
                } else {
                    out.push(a);
                }
            }
        }
        out
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
        s.review = self.flag(t, "review");
        if let Some(val) = t.get("lock_after_days") {
            match self.number(val, "`lock_after_days`") {
                Some(n) if n.fract() == 0.0 && (0.0..=3650.0).contains(&n) => {
                    s.lock_after_days = Some(n as u32)
                }
                Some(_) => self.problem(
                    val.span().start,
                    "`lock_after_days` is a whole number of days between 0 and 3650",
                ),
                None => {}
            }
        }
        s
    }

    // ---- field helpers -------------------------------------------------------------------
}

/// The first and last day a CDCS `start` or `end` covers: a fiscal year runs from October 1
/// of the year before to September 30; a date is one day.
pub(crate) fn day_span(s: &str) -> Option<(chrono::NaiveDate, chrono::NaiveDate)> {
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some((d, d));
    }
    match crate::period::parse(s) {
        Ok(crate::period::PeriodInput::Period(p)) if !p.is_quarter() => Some((
            chrono::NaiveDate::from_ymd_opt(p.year - 1, 10, 1)?,
            chrono::NaiveDate::from_ymd_opt(p.year, 9, 30)?,
        )),
        _ => None,
    }
}
