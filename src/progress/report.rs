//! The progress report as a whole: rows in strategy order, filtered by subtree, status and need
//! of an explanation, grouped under a header (code, title and roll-up counts) for each goal,
//! objective, Management Objective, DO and theme that has rows to show. A DO's indicators
//! also count toward each node it supports, kept apart as "linked" so no total counts them twice.

use std::collections::{HashMap, HashSet};

use super::{actual, row_at, PeriodValue, ProgressRow, Status};
use crate::error::Error;
use crate::framework::{Framework, Node, NodeKind};
use crate::period::FiscalPeriod;

/// Indicators counted by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts([usize; 6]);

impl Counts {
    pub fn add(&mut self, s: Status) {
        self.0[s as usize] += 1;
    }
    /// Add every count of `other`.
    pub fn merge(&mut self, other: &Counts) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a += b;
        }
    }
    pub fn get(&self, s: Status) -> usize {
        self.0[s as usize]
    }
    pub fn total(&self) -> usize {
        self.0.iter().sum()
    }
    /// The statuses with a count, in [`Status::ALL`] order.
    pub fn nonzero(&self) -> impl Iterator<Item = (Status, usize)> + '_ {
        Status::ALL
            .into_iter()
            .map(|s| (s, self.get(s)))
            .filter(|(_, n)| *n > 0)
    }
}

/// The header over a goal, objective, Management Objective, DO or theme, with its roll-up.
#[derive(Debug, Clone, PartialEq)]
pub struct Rollup {
    pub code: String,
    pub title: String,
    pub kind: NodeKind,
    /// How deep the node sits (0 for a top-level node).
    pub depth: usize,
    /// The node's own indicators and those of the nodes under it.
    pub own: Counts,
    /// Indicators of the DOs that support this node (or a node under it), counted under
    /// their DO too: shown apart so nobody counts them twice.
    pub linked: Counts,
    /// Codes of those DOs.
    pub linked_from: Vec<String>,
}

/// A line of the report: a node's header (before its rows and those of the nodes under it) or
/// an indicator row.
#[derive(Debug, Clone, PartialEq)]
pub enum Line {
    Header(Rollup),
    Row(ProgressRow),
}

/// The whole report, in strategy order.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub period: FiscalPeriod,
    pub strategy_title: String,
    pub version: String,
    pub threshold: f64,
    /// The periods of each row's trend, when a trend was asked for: the strategy's fiscal
    /// years, or for a quarter the quarters of those years.
    pub trend_periods: Vec<FiscalPeriod>,
    pub lines: Vec<Line>,
}

impl Report {
    /// The indicator rows, without summaries.
    pub fn rows(&self) -> impl Iterator<Item = &ProgressRow> {
        self.lines.iter().filter_map(|l| match l {
            Line::Row(r) => Some(r),
            Line::Header(_) => None,
        })
    }

    /// All shown rows counted by status.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        self.rows().for_each(|r| c.add(r.status));
        c
    }
}

/// What to keep.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Keep this node's subtree.
    pub node: Option<String>,
    /// Keep rows with one of these statuses (all when empty).
    pub statuses: Vec<Status>,
    /// Keep only rows that need an explanation.
    pub needs_explanation: bool,
    /// Compute each row's trend across the strategy's fiscal years (or their quarters).
    pub trend: bool,
}

impl Selection {
    fn keeps(&self, r: &ProgressRow) -> bool {
        (self.statuses.is_empty() || self.statuses.contains(&r.status))
            && (!self.needs_explanation || r.needs_explanation)
    }
}

/// The node `code` names, or an error suggesting close codes.
pub fn find_node<'a>(fw: &'a Framework, code: &str) -> Result<&'a Node, Error> {
    if let Some(n) = fw.node(code) {
        return Ok(n);
    }
    let message = format!("no goal, objective or DO with code `{code}` in this strategy");
    if let Some((node, _)) = fw.indicator(code) {
        return Err(Error::input_with_hint(
            format!("`{code}` is an indicator, not a goal, objective or DO"),
            format!("it sits under `{}`: try `--node {}`", node.code, node.code),
        ));
    }
    let wanted = code.to_lowercase();
    let mut close: Vec<(f64, &str)> = fw
        .nodes
        .iter()
        .map(|n| {
            let have = n.code.to_lowercase();
            let score = strsim::jaro_winkler(&wanted, &have)
                .max(strsim::normalized_damerau_levenshtein(&wanted, &have) + 0.3);
            (score, n.code.as_str())
        })
        .filter(|(s, _)| *s >= 0.8)
        .collect();
    close.sort_by(|a, b| b.0.total_cmp(&a.0));
    let hint = if close.is_empty() {
        "run `ics tree` to see the codes".to_string()
    } else {
        let names: Vec<String> = close
            .iter()
            .take(3)
            .map(|(_, c)| format!("`{c}`"))
            .collect();
        format!(
            "did you mean {}? (`ics tree` lists the codes)",
            names.join(" or ")
        )
    };
    Err(Error::input_with_hint(message, hint))
}

/// Build the report for `period` from the current total values of the framework's indicators.
/// `values` must hold the period's fiscal year (and its quarters), and the strategy's fiscal
/// years when a trend is asked for; values of other periods are ignored.
pub fn build(
    fw: &Framework,
    version: &str,
    period: FiscalPeriod,
    values: &[PeriodValue],
    sel: &Selection,
) -> Result<Report, Error> {
    prepare(fw, values).build(version, period, sel)
}

/// The framework and values made ready for reports on several periods (`ics track`): the
/// values grouped by indicator and every node's path, once, not once per period.
pub struct Prepared<'a> {
    fw: &'a Framework,
    count: usize,
    /// Each indicator's number in document order.
    number: HashMap<&'a str, usize>,
    /// The number of each node's first indicator.
    first: Vec<usize>,
    grouped: Grouped<'a>,
    paths: HashMap<&'a str, String>,
}

/// Group `values` by indicator and compute every node's path, for [`Prepared::build`].
pub fn prepare<'a>(fw: &'a Framework, values: &'a [PeriodValue]) -> Prepared<'a> {
    let count = fw.indicator_count();
    let mut number: HashMap<&str, usize> = HashMap::with_capacity(count);
    let mut first = Vec::with_capacity(fw.nodes.len());
    let mut next = 0;
    for n in &fw.nodes {
        first.push(next);
        for ind in &n.indicators {
            number.entry(&ind.code).or_insert(next);
            next += 1;
        }
    }
    let grouped = Grouped::new(values, &number, count);
    // Every node's path, computed once from its parent's.
    let mut paths: HashMap<&str, String> = HashMap::with_capacity(fw.nodes.len());
    for n in &fw.nodes {
        let path = match n.parent.as_deref().and_then(|p| paths.get(p)) {
            Some(parent) => format!("{parent} > {}", n.code),
            None => n.code.clone(),
        };
        paths.insert(&n.code, path);
    }
    Prepared {
        fw,
        count,
        number,
        first,
        grouped,
        paths,
    }
}

impl Prepared<'_> {
    /// The report for `period`, as [`build`] makes it.
    pub fn build(
        &self,
        version: &str,
        period: FiscalPeriod,
        sel: &Selection,
    ) -> Result<Report, Error> {
        let fw = self.fw;
        let count = self.count;
        let roots: Vec<&Node> = match &sel.node {
            Some(code) => vec![find_node(fw, code)?],
            None => fw.children_of(None).collect(),
        };
        let trend_periods: Vec<FiscalPeriod> = match (sel.trend, period.is_quarter()) {
            (false, _) => Vec::new(),
            (true, false) => fw.strategy.fiscal_years(),
            (true, true) => fw
                .strategy
                .fiscal_years()
                .iter()
                .flat_map(|y| y.quarters())
                .collect(),
        };
        let start = fw.strategy.start.map(|s| s.year);
        let mut rows: Vec<Option<ProgressRow>> = Vec::with_capacity(count);
        let mut statuses: Vec<Option<Status>> = Vec::with_capacity(count);
        for (node, ind) in fw.indicators() {
            let vals = self
                .number
                .get(ind.code.as_str())
                .map_or(&[][..], |&i| self.grouped.of(i));
            let path = self
                .paths
                .get(node.code.as_str())
                .cloned()
                .unwrap_or_default();
            let mut r = row_at(fw, node, ind, period, vals, path);
            r.trend = trend_periods
                .iter()
                .map(|p| actual(ind, *p, vals, start).map(|a| a.value))
                .collect();
            statuses.push(sel.keeps(&r).then_some(r.status));
            rows.push(Some(r));
        }
        let mut walk = Walk {
            nodes: &fw.nodes,
            children: HashMap::new(),
            supporters: HashMap::new(),
            position: fw
                .nodes
                .iter()
                .enumerate()
                .map(|(i, n)| (n.code.as_str(), i))
                .collect(),
            first: self.first.clone(),
            rows,
            statuses,
            lines: Vec::with_capacity(count + fw.nodes.len()),
        };
        for n in &fw.nodes {
            walk.children
                .entry(n.parent.as_deref())
                .or_default()
                .push(n);
            for target in &n.supports {
                walk.supporters.entry(target.as_str()).or_default().push(n);
            }
        }
        for root in roots {
            walk.node(root, 0);
        }
        Ok(Report {
            period,
            strategy_title: fw.strategy.title.clone(),
            version: version.to_string(),
            threshold: fw.settings.deviation_threshold,
            trend_periods,
            lines: walk.lines,
        })
    }
}

/// The values grouped by indicator number (from the code), in their given order within each
/// indicator: one list and an offset per indicator rather than a list each.
struct Grouped<'v> {
    start: Vec<usize>,
    values: Vec<&'v PeriodValue>,
}

impl<'v> Grouped<'v> {
    fn new(values: &'v [PeriodValue], number: &HashMap<&str, usize>, count: usize) -> Self {
        // An indicator's values mostly come together: its number is looked up once per run.
        let mut last: Option<(&str, Option<usize>)> = None;
        let of: Vec<Option<usize>> = values
            .iter()
            .map(|v| match last {
                Some((code, i)) if code == &*v.indicator => i,
                _ => {
                    let i = number.get(&*v.indicator).copied();
                    last = Some((&v.indicator, i));
                    i
                }
            })
            .collect();
        let mut start = vec![0usize; count + 1];
        for &i in of.iter().flatten() {
            start[i + 1] += 1;
        }
        for i in 0..count {
            start[i + 1] += start[i];
        }
        let mut next = start.clone();
        let mut grouped = match values.first() {
            Some(v) => vec![v; start[count]],
            None => Vec::new(),
        };
        for (v, i) in values.iter().zip(&of) {
            if let Some(i) = *i {
                grouped[next[i]] = v;
                next[i] += 1;
            }
        }
        Grouped {
            start,
            values: grouped,
        }
    }

    /// The values of indicator number `i`.
    fn of(&self, i: usize) -> &[&'v PeriodValue] {
        &self.values[self.start[i]..self.start[i + 1]]
    }
}

struct Walk<'a> {
    nodes: &'a [Node],
    children: HashMap<Option<&'a str>, Vec<&'a Node>>,
    /// For each node code, the nodes (DOs, Intermediate Results, sub-results) whose `supports`
    /// name it, in framework order: links written on either side, as the framework keeps them.
    supporters: HashMap<&'a str, Vec<&'a Node>>,
    /// Each node's index in framework order.
    position: HashMap<&'a str, usize>,
    /// The number of each node's first indicator (indicators numbered in document order).
    first: Vec<usize>,
    /// Each indicator's row, taken when it is placed in the report (each is placed once).
    rows: Vec<Option<ProgressRow>>,
    /// Each indicator's status when its row is kept, for the counts.
    statuses: Vec<Option<Status>>,
    lines: Vec<Line>,
}

impl<'a> Walk<'a> {
    /// Every node of the subtree rooted at `node`, itself first.
    fn subtree(&self, node: &'a Node) -> Vec<&'a Node> {
        let mut out = vec![node];
        let mut i = 0;
        while i < out.len() {
            if let Some(kids) = self.children.get(&Some(out[i].code.as_str())) {
                out.extend(kids.iter().copied());
            }
            i += 1;
        }
        out
    }

    /// The codes above `node`, nearest first.
    fn ancestors(&self, node: &'a Node) -> impl Iterator<Item = &'a str> + '_ {
        let nodes = self.nodes;
        std::iter::successors(node.parent.as_deref(), move |code| {
            self.position
                .get(code)
                .and_then(|&i| nodes[i].parent.as_deref())
        })
    }

    /// The numbers of a node's indicators.
    fn numbers(&self, node: &'a Node) -> std::ops::Range<usize> {
        let first = self
            .position
            .get(node.code.as_str())
            .map_or(0, |&p| self.first[p]);
        first..first + node.indicators.len()
    }

    fn count(&self, nodes: &[&'a Node]) -> Counts {
        let mut c = Counts::default();
        for n in nodes {
            for status in self.statuses[self.numbers(n)].iter().flatten() {
                c.add(*status);
            }
        }
        c
    }

    fn node(&mut self, node: &'a Node, depth: usize) {
        if let Some(header) = self.header(node, depth) {
            self.lines.push(Line::Header(header));
        }
        for i in self.numbers(node) {
            if self.statuses[i].is_some() {
                if let Some(r) = self.rows[i].take() {
                    self.lines.push(Line::Row(r));
                }
            }
        }
        let kids = self
            .children
            .get(&Some(node.code.as_str()))
            .cloned()
            .unwrap_or_default();
        for kid in kids {
            self.node(kid, depth + 1);
        }
    }

    /// The header of `node`: its code, title and the counts of its subtree and of the DOs
    /// linked to it; `None` when none of those has a row to show.
    fn header(&self, node: &'a Node, depth: usize) -> Option<Rollup> {
        let subtree = self.subtree(node);
        let own = self.count(&subtree);
        let (mut linked, mut linked_from) = (Counts::default(), Vec::new());
        // Sub-objectives, results and sub-results group rows; only the levels above them carry
        // the DOs linked to them.
        if !matches!(
            node.kind,
            NodeKind::SubObjective | NodeKind::Result | NodeKind::SubResult
        ) {
            let codes: HashSet<&str> = subtree.iter().map(|n| n.code.as_str()).collect();
            // The DOs outside this subtree that support a node in it, each once, in framework
            // order.
            let mut dos: Vec<&'a Node> = Vec::new();
            for n in &subtree {
                for d in self.supporters.get(n.code.as_str()).into_iter().flatten() {
                    if !codes.contains(d.code.as_str()) && !dos.iter().any(|x| std::ptr::eq(*x, *d))
                    {
                        dos.push(d);
                    }
                }
            }
            // A result under a DO that is linked too is counted with that DO, once.
            let linked_codes: HashSet<&str> = dos.iter().map(|d| d.code.as_str()).collect();
            dos.retain(|d| !self.ancestors(d).any(|a| linked_codes.contains(a)));
            dos.sort_by_key(|d| {
                self.position
                    .get(d.code.as_str())
                    .copied()
                    .unwrap_or(usize::MAX)
            });
            for d in dos {
                let c = self.count(&self.subtree(d));
                // A DO with nothing to show is left out of the header.
                if c.total() > 0 {
                    linked_from.push(d.code.clone());
                }
                linked.merge(&c);
            }
        }
        if own.total() + linked.total() == 0 {
            return None;
        }
        Some(Rollup {
            code: node.code.clone(),
            title: node.title.clone(),
            kind: node.kind,
            depth,
            own,
            linked,
            linked_from,
        })
    }
}
