//! Reading a framework file: TOML text to a validated [`Framework`], or every problem found.
//!
//! The whole file is checked before anything is returned: TOML syntax, unknown keys, required
//! fields, value types, duplicate codes, nesting, `supports` and `applies_to` targets, and the
//! indicator rules (periods, percent ranges, quarter targets on annual indicators). Each problem
//! is reported as `FILE:LINE:COL: message`, sorted by position.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::model::*;
use crate::error::{Diagnostic, Error};
use crate::period::{self, FiscalPeriod};

/// Largest framework file read at all (the contract sets no cap below 64 MiB).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

const NODE_KEYS: [&str; 4] = ["code", "title", "description", "justification"];
const INDICATOR_KEYS: [&str; 13] = [
    "code",
    "title",
    "unit",
    "direction",
    "baseline",
    "targets",
    "frequency",
    "aggregation",
    "disaggregations",
    "standard_code",
    "source",
    "definition",
    "illustrative",
];
const STRATEGY_KEYS: [&str; 9] = [
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
const SETTINGS_KEYS: [&str; 1] = ["deviation_threshold"];

/// Read and validate a framework file from disk.
pub fn read_file(path: &std::path::Path) -> Result<Framework, Error> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| file_error(&shown, &e))?;
    if meta.is_dir() {
        return Err(Error::input(format!(
            "`{shown}` is a directory, not a framework file"
        )));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(Error::input(format!(
            "`{shown}` is {} MB; a framework file may be at most {} MB",
            meta.len() / (1024 * 1024),
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| file_error(&shown, &e))?;
    parse_bytes(&bytes, &shown)
}

pub fn file_error(shown: &str, e: &std::io::Error) -> Error {
    match e.kind() {
        std::io::ErrorKind::NotFound => Error::input(format!("cannot find `{shown}`")),
        std::io::ErrorKind::PermissionDenied => {
            Error::input(format!("permission denied reading `{shown}`"))
        }
        _ => Error::input(format!("cannot read `{shown}`: {e}")),
    }
}

/// Validate framework bytes; `file` names the file in messages.
pub fn parse_bytes(bytes: &[u8], file: &str) -> Result<Framework, Error> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let ix = LineIndex::new(&bytes[..e.valid_up_to()]);
            let (line, col) = ix.position(e.valid_up_to());
            return Err(located(
                file,
                vec![Diagnostic {
                    location: format!("{file}:{line}:{col}"),
                    message: "this is not UTF-8 text; a framework file is a TOML text file".into(),
                }],
            ));
        }
    };
    parse_str(text, file)
}

/// Validate framework text; `file` names the file in messages.
pub fn parse_str(text: &str, file: &str) -> Result<Framework, Error> {
    let mut cx = Checker::new(text);
    let framework = if text.trim().is_empty() {
        cx.problem(
            0,
            "the file is empty; a framework needs at least a `[strategy]` table",
        );
        None
    } else if text.contains('\0') {
        let at = text.find('\0').unwrap_or(0);
        cx.problem(at, "this is a binary file, not a TOML framework file");
        None
    } else {
        let orphans = orphan_headers(text);
        for (at, header, parent) in &orphans {
            cx.problem(
                *at,
                format!("unknown parent: `[[{header}]]` comes before any `[[{parent}]]` that could hold it"),
            );
        }
        let (root, errors) = DeTable::parse_recoverable(text);
        if errors.is_empty() && orphans.is_empty() {
            cx.framework(root.get_ref())
        } else {
            for e in errors {
                let span = e.span().unwrap_or(0..0);
                let msg = e.message().lines().next().unwrap_or("invalid TOML").trim();
                let at_text = text.get(span.clone()).unwrap_or("").trim();
                if msg.contains("duplicate key") {
                    // `[[goal]]` after an orphan `[[goal.objective]]` is a consequence, not a
                    // second problem.
                    let line = header_at(text, span.start);
                    if orphans
                        .iter()
                        .any(|(_, _, parent)| Some(parent.as_str()) == line.as_deref())
                    {
                        continue;
                    }
                    if !at_text.is_empty() && !at_text.contains('\n') {
                        cx.problem(span.start, format!("`{at_text}` is given twice"));
                        continue;
                    }
                }
                cx.problem(span.start, format!("invalid TOML: {msg}"));
            }
            None
        }
    };
    match framework {
        Some(f) if cx.problems.is_empty() => Ok(f),
        _ => {
            let ix = LineIndex::new(text.as_bytes());
            cx.problems.sort_by_key(|(at, _)| *at);
            let diagnostics = cx
                .problems
                .into_iter()
                .map(|(at, message)| {
                    let (line, col) = ix.position(at);
                    Diagnostic {
                        location: format!("{file}:{line}:{col}"),
                        message,
                    }
                })
                .collect();
            Err(located(file, diagnostics))
        }
    }
}

/// Array-of-tables headers (`[[a.b]]`) that appear before any `[[a]]`: their byte offset, the
/// header and the missing parent.
fn orphan_headers(text: &str) -> Vec<(usize, String, String)> {
    let mut seen: Vec<String> = Vec::new();
    let mut orphans = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        let Some(header) = array_header(line) else {
            continue;
        };
        if let Some((parent, _)) = header.rsplit_once('.') {
            if !seen.iter().any(|s| s == parent) && !orphans.iter().any(|(_, _, p)| p == parent) {
                let col = line.len() - line.trim_start().len();
                orphans.push((at + col, header.clone(), parent.to_string()));
            }
        }
        seen.push(header);
    }
    orphans
}

/// The dotted path of a `[[...]]` header line (spaces removed), if the line is one.
fn array_header(line: &str) -> Option<String> {
    let t = line.trim();
    let inner = t.strip_prefix("[[")?;
    let end = inner.find("]]")?;
    let rest = inner[end + 2..].trim();
    if !rest.is_empty() && !rest.starts_with('#') {
        return None;
    }
    Some(
        inner[..end]
            .split('.')
            .map(str::trim)
            .collect::<Vec<_>>()
            .join("."),
    )
}

/// The header path of the line containing `offset`, if that line is a `[[...]]` header.
fn header_at(text: &str, offset: usize) -> Option<String> {
    let start = text[..offset.min(text.len())]
        .rfind('\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    let end = text[start..]
        .find('\n')
        .map(|i| start + i)
        .unwrap_or(text.len());
    array_header(&text[start..end])
}

fn located(file: &str, diagnostics: Vec<Diagnostic>) -> Error {
    let n = diagnostics.len();
    let summary = if n == 1 {
        format!("`{file}` has a problem; nothing was loaded")
    } else {
        format!("`{file}` has {n} problems; nothing was loaded")
    };
    Error::Located {
        diagnostics,
        summary,
    }
}

/// Byte offset to 1-based line and column (in characters).
struct LineIndex<'a> {
    text: &'a [u8],
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a [u8]) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { text, starts }
    }

    fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|s| *s <= offset);
        let start = self.starts[line - 1];
        let col = String::from_utf8_lossy(&self.text[start..offset])
            .chars()
            .count();
        (line, col + 1)
    }
}

type Table<'i> = DeTable<'i>;
type Value<'i> = Spanned<DeValue<'i>>;

/// Where each code was first defined, for duplicate detection.
struct CodeSite {
    at: usize,
}

struct Checker {
    problems: Vec<(usize, String)>,
    codes: HashMap<String, CodeSite>,
    line_of: Vec<usize>,
}

impl Checker {
    fn new(text: &str) -> Self {
        let mut line_of = vec![0];
        line_of.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Checker {
            problems: Vec::new(),
            codes: HashMap::new(),
            line_of,
        }
    }

    fn problem(&mut self, at: usize, message: impl Into<String>) {
        self.problems.push((at, message.into()));
    }

    fn line(&self, at: usize) -> usize {
        self.line_of.partition_point(|s| *s <= at)
    }

    fn framework(&mut self, root: &Table<'_>) -> Option<Framework> {
        let mut strategy = None;
        let mut settings = Settings::default();
        let mut nodes = Vec::new();
        let mut node_sites: Vec<(usize, Vec<(String, usize)>)> = Vec::new();
        for (key, value) in root {
            match key.get_ref().as_ref() {
                "strategy" => strategy = self.strategy(value),
                "settings" => settings = self.settings(value),
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
            Some(s) => s,
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
        self.cross_check(&nodes, &node_sites);
        Some(Framework {
            strategy,
            settings,
            nodes,
        })
    }

    /// Check `supports` and `applies_to` once every node is known.
    fn cross_check(&mut self, nodes: &[Node], sites: &[(usize, Vec<(String, usize)>)]) {
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

    fn node_array(
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

    fn node(
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
                        refs.push((s.clone(), at));
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
        sites.push((span.start, refs));
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

    fn indicators(&mut self, v: &Value<'_>) -> Vec<Indicator> {
        let mut out = Vec::new();
        let items = match v.get_ref() {
            DeValue::Array(items) => items,
            _ => {
                self.problem(
                    v.span().start,
                    "write indicators as `[[...indicator]]` tables",
                );
                return out;
            }
        };
        for item in items.iter() {
            match item.get_ref() {
                DeValue::Table(t) => {
                    if let Some(i) = self.indicator(t, item.span()) {
                        out.push(i);
                    }
                }
                other => self.problem(
                    item.span().start,
                    format!("an indicator must be a table, not {}", describe(other)),
                ),
            }
        }
        out
    }

    fn indicator(&mut self, t: &Table<'_>, span: Range<usize>) -> Option<Indicator> {
        let what = "an indicator";
        for (key, _) in t {
            let k = key.get_ref().as_ref();
            if !INDICATOR_KEYS.contains(&k) {
                self.unknown_key(key.span().start, k, "an indicator", &INDICATOR_KEYS);
            }
        }
        let code = self.code(t, span.start, what);
        let title = self.required_str(t, "title", span.start, what);
        let unit = self.required_str(t, "unit", span.start, what);
        let label = code.clone().unwrap_or_else(|| "this indicator".into());
        let direction = self.choice(
            t,
            "direction",
            span.start,
            &label,
            Direction::parse,
            &["increase", "decrease"],
            true,
        );
        let frequency = self
            .choice(
                t,
                "frequency",
                span.start,
                &label,
                Frequency::parse,
                &["annual", "quarterly"],
                false,
            )
            .unwrap_or_default();
        let aggregation = self
            .choice(
                t,
                "aggregation",
                span.start,
                &label,
                Aggregation::parse,
                &["sum", "mean", "last"],
                false,
            )
            .unwrap_or_default();
        let percent = unit.as_deref().is_some_and(is_percent_unit);
        let quarterly = frequency == Frequency::Quarterly;

        let mut baseline = None;
        if let Some(v) = t.get("baseline") {
            baseline = self.baseline(v, &label, quarterly, percent);
        }
        let mut targets = BTreeMap::new();
        if let Some(v) = t.get("targets") {
            match v.get_ref() {
                DeValue::Table(tt) => {
                    for (k, val) in tt {
                        let at = k.span().start;
                        let p = match period::parse(k.get_ref()) {
                            Ok(p) => p.resolve(quarterly),
                            Err(e) => {
                                self.problem(at, format!("target period: {e}"));
                                continue;
                            }
                        };
                        if p.is_quarter() && !quarterly {
                            self.problem(at, format!("`{label}` has a quarter target `{p}` but is annual; set `frequency = \"quarterly\"` to give quarter targets"));
                            continue;
                        }
                        let Some(n) = self.number(val, &format!("the {p} target")) else {
                            continue;
                        };
                        if percent && !(0.0..=100.0).contains(&n) {
                            self.problem(val.span().start, format!("the {p} target {n} is a percent and must lie between 0 and 100"));
                        }
                        if targets.insert(p, n).is_some() {
                            self.problem(at, format!("`{label}` has two targets for {p}"));
                        }
                    }
                }
                other => self.problem(
                    v.span().start,
                    format!(
                        "`targets` must be a table like `{{ FY2021 = 10.0 }}`, not {}",
                        describe(other)
                    ),
                ),
            }
        }
        let mut disaggregations = BTreeMap::new();
        if let Some(v) = t.get("disaggregations") {
            match v.get_ref() {
                DeValue::Table(dt) => {
                    for (k, val) in dt {
                        let values: Vec<String> =
                            self.str_array(val, k.get_ref()).into_iter().map(|(s, _)| s).collect();
                        if values.is_empty() {
                            self.problem(k.span().start, format!("disaggregation `{}` lists no values", k.get_ref()));
                        }
                        let mut seen = values.clone();
                        seen.sort();
                        seen.dedup();
                        if seen.len() != values.len() {
                            self.problem(k.span().start, format!("disaggregation `{}` lists a value twice", k.get_ref()));
                        }
                        for s in values.iter().chain(std::iter::once(&k.get_ref().to_string())) {
                            if s.contains(['=', ';']) || s.trim().is_empty() {
                                self.problem(k.span().start, format!("disaggregation names and values cannot be empty or contain `=` or `;` (found `{s}`)"));
                            }
                        }
                        disaggregations.insert(k.get_ref().to_string(), values);
                    }
                }
                other => self.problem(
                    v.span().start,
                    format!("`disaggregations` must be a table like `{{ sex = [\"female\", \"male\"] }}`, not {}", describe(other)),
                ),
            }
        }
        let illustrative = match t.get("illustrative") {
            None => false,
            Some(v) => match v.get_ref() {
                DeValue::Boolean(b) => *b,
                other => {
                    self.problem(
                        v.span().start,
                        format!(
                            "`illustrative` must be true or false, not {}",
                            describe(other)
                        ),
                    );
                    false
                }
            },
        };
        Some(Indicator {
            code: code?,
            title: title?,
            unit: unit?,
            direction: direction?,
            baseline,
            targets,
            frequency,
            aggregation,
            disaggregations,
            standard_code: self.optional_str(t, "standard_code"),
            source: self.optional_str(t, "source"),
            definition: self.optional_str(t, "definition"),
            illustrative,
        })
    }

    fn baseline(
        &mut self,
        v: &Value<'_>,
        label: &str,
        quarterly: bool,
        percent: bool,
    ) -> Option<Baseline> {
        let t = match v.get_ref() {
            DeValue::Table(t) => t,
            other => {
                self.problem(v.span().start, format!("`baseline` must be a table like `{{ period = \"FY2018\", value = 1.0 }}`, not {}", describe(other)));
                return None;
            }
        };
        for (key, _) in t {
            let k = key.get_ref().as_ref();
            if !["period", "value"].contains(&k) {
                self.unknown_key(key.span().start, k, "a baseline", &["period", "value"]);
            }
        }
        let ps = self.required_str(t, "period", v.span().start, "the baseline");
        let value = match t.get("value") {
            Some(val) => self.number(val, "the baseline value"),
            None => {
                self.problem(v.span().start, "the baseline needs a `value`");
                None
            }
        };
        let period = match period::parse(ps.as_deref()?) {
            Ok(p) => p.resolve(quarterly),
            Err(e) => {
                let at = t
                    .get("period")
                    .map(|p| p.span().start)
                    .unwrap_or(v.span().start);
                self.problem(at, format!("baseline period: {e}"));
                return None;
            }
        };
        if period.is_quarter() && !quarterly {
            self.problem(v.span().start, format!("`{label}` has a quarter baseline `{period}` but is annual; set `frequency = \"quarterly\"`"));
        }
        let value = value?;
        if percent && !(0.0..=100.0).contains(&value) {
            self.problem(
                v.span().start,
                format!("the baseline {value} is a percent and must lie between 0 and 100"),
            );
        }
        Some(Baseline { period, value })
    }

    fn strategy(&mut self, v: &Value<'_>) -> Option<Strategy> {
        let t = match v.get_ref() {
            DeValue::Table(t) => t,
            other => {
                self.problem(
                    v.span().start,
                    format!(
                        "`strategy` must be a table `[strategy]`, not {}",
                        describe(other)
                    ),
                );
                return None;
            }
        };
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
        })
    }

    fn settings(&mut self, v: &Value<'_>) -> Settings {
        let mut s = Settings::default();
        let t = match v.get_ref() {
            DeValue::Table(t) => t,
            other => {
                self.problem(
                    v.span().start,
                    format!(
                        "`settings` must be a table `[settings]`, not {}",
                        describe(other)
                    ),
                );
                return s;
            }
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
        s
    }

    // ---- field helpers -------------------------------------------------------------------

    fn unknown_key(&mut self, at: usize, key: &str, place: &str, allowed: &[&str]) {
        let mut msg = format!("unknown key `{key}` in {place}");
        if let Some(best) = closest(key, allowed) {
            msg.push_str(&format!(" (did you mean `{best}`?)"));
        } else {
            msg.push_str(&format!("; allowed keys: {}", allowed.join(", ")));
        }
        self.problem(at, msg);
    }

    fn code(&mut self, t: &Table<'_>, at: usize, what: &str) -> Option<String> {
        let code = self.required_str(t, "code", at, what)?;
        let code_at = t.get("code").map(|v| v.span().start).unwrap_or(at);
        if !self.check_code(&code, code_at) {
            return None;
        }
        if let Some(first) = self.codes.get(&code) {
            let line = self.line(first.at);
            self.problem(code_at, format!("duplicate code `{code}` (first used on line {line}); codes must be unique in the file"));
            return None;
        }
        self.codes.insert(code.clone(), CodeSite { at: code_at });
        Some(code)
    }

    fn check_code(&mut self, code: &str, at: usize) -> bool {
        if code.trim().is_empty() {
            self.problem(at, "a code cannot be empty");
            false
        } else if code.chars().any(char::is_control) || code.trim() != code {
            self.problem(
                at,
                format!(
                    "code `{}` has leading or trailing spaces or control characters",
                    code.escape_debug()
                ),
            );
            false
        } else {
            true
        }
    }

    fn required_str(&mut self, t: &Table<'_>, key: &str, at: usize, what: &str) -> Option<String> {
        match t.get(key) {
            None => {
                self.problem(at, format!("{what} needs a `{key}`"));
                None
            }
            Some(v) => match v.get_ref() {
                DeValue::String(s) if !s.trim().is_empty() => Some(s.to_string()),
                DeValue::String(_) => {
                    self.problem(v.span().start, format!("`{key}` cannot be empty"));
                    None
                }
                other => {
                    self.problem(
                        v.span().start,
                        format!("`{key}` must be text in quotes, not {}", describe(other)),
                    );
                    None
                }
            },
        }
    }

    fn optional_str(&mut self, t: &Table<'_>, key: &str) -> Option<String> {
        let v = t.get(key)?;
        match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            other => {
                self.problem(
                    v.span().start,
                    format!("`{key}` must be text in quotes, not {}", describe(other)),
                );
                None
            }
        }
    }

    fn str_array(&mut self, v: &Value<'_>, key: &str) -> Vec<(String, usize)> {
        match v.get_ref() {
            DeValue::Array(items) => items
                .iter()
                .filter_map(|item| match item.get_ref() {
                    DeValue::String(s) => Some((s.to_string(), item.span().start)),
                    other => {
                        self.problem(
                            item.span().start,
                            format!("`{key}` lists codes in quotes, not {}", describe(other)),
                        );
                        None
                    }
                })
                .collect(),
            other => {
                self.problem(
                    v.span().start,
                    format!(
                        "`{key}` must be a list like `[\"MO2.2\"]`, not {}",
                        describe(other)
                    ),
                );
                Vec::new()
            }
        }
    }

    fn number(&mut self, v: &Value<'_>, what: &str) -> Option<f64> {
        let n = match v.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                .ok()
                .map(|n| n as f64),
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
            other => {
                self.problem(
                    v.span().start,
                    format!("{what} must be a number, not {}", describe(other)),
                );
                return None;
            }
        };
        match n {
            Some(n) if n.is_finite() => Some(n),
            _ => {
                self.problem(v.span().start, format!("{what} must be a finite number"));
                None
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn choice<T>(
        &mut self,
        t: &Table<'_>,
        key: &str,
        at: usize,
        label: &str,
        parse: fn(&str) -> Option<T>,
        options: &[&str],
        required: bool,
    ) -> Option<T> {
        let s = if required {
            self.required_str(t, key, at, &format!("indicator `{label}`"))?
        } else {
            self.optional_str(t, key)?
        };
        let parsed = parse(&s);
        if parsed.is_none() {
            let at = t.get(key).map(|v| v.span().start).unwrap_or(at);
            self.problem(
                at,
                format!(
                    "`{key}` is `{s}`; it must be one of {}",
                    options
                        .iter()
                        .map(|o| format!("`{o}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
        parsed
    }

    fn date(&mut self, t: &Table<'_>, key: &str) -> Option<String> {
        let v = t.get(key)?;
        let text = match v.get_ref() {
            DeValue::Datetime(d) if d.date.is_some() && d.time.is_none() => d.to_string(),
            DeValue::String(s) => s.to_string(),
            other => {
                self.problem(
                    v.span().start,
                    format!(
                        "`{key}` must be a date like 2018-08-08, not {}",
                        describe(other)
                    ),
                );
                return None;
            }
        };
        match chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
            Ok(d) => Some(d.format("%Y-%m-%d").to_string()),
            Err(_) => {
                self.problem(
                    v.span().start,
                    format!("`{key}` must be a date like 2018-08-08, not `{text}`"),
                );
                None
            }
        }
    }

    fn fiscal_year(&mut self, t: &Table<'_>, key: &str) -> Option<FiscalPeriod> {
        let v = t.get(key)?;
        let s = self.optional_str(t, key)?;
        match period::parse(&s) {
            Ok(period::PeriodInput::Period(p)) if !p.is_quarter() => Some(p),
            _ => {
                self.problem(
                    v.span().start,
                    format!("`{key}` must be a fiscal year like \"FY2019\", not `{s}`"),
                );
                None
            }
        }
    }
}

fn top_level_keys() -> Vec<&'static str> {
    let mut keys = vec!["strategy", "settings"];
    keys.extend(NodeKind::TOP_LEVEL.iter().map(|k| k.as_str()));
    keys
}

/// The TOML header path of a kind, for messages: `goal.objective`.
fn kind_path(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Goal => "goal",
        NodeKind::Objective => "goal.objective",
        NodeKind::SubObjective => "goal.objective.sub_objective",
        NodeKind::ManagementObjective => "management_objective",
        NodeKind::DevelopmentObjective => "development_objective",
        NodeKind::Result => "development_objective.result",
        NodeKind::SubResult => "development_objective.result.sub_result",
        NodeKind::Theme => "theme",
    }
}

fn describe(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "text",
        DeValue::Integer(_) => "a whole number",
        DeValue::Float(_) => "a number",
        DeValue::Boolean(_) => "true/false",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

/// The closest candidate by edit distance, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| {
            (
                strsim::damerau_levenshtein(&word.to_lowercase(), &c.to_lowercase()),
                *c,
            )
        })
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}
