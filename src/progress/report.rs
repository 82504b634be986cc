//! The progress report as a whole: rows in strategy order, filtered by subtree, status and need
//! of an explanation, grouped under a header (code, title and roll-up counts) for each goal,
//! objective, Management Objective, DO and theme that has rows to show. A DO's indicators
//! also count toward each node it supports, kept apart as "linked" so no total counts them twice.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use super::{actual, row_at, PeriodValue, ProgressRow, Status};
use crate::error::Error;
use crate::framework::{Framework, Indicator, Node, NodeKind};
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

/// rustc's Fx hash (a rotate, a xor and a multiply per 8 bytes) for maps keyed by code. The
/// codes are the strategy's own, so SipHash's guard against keys chosen to collide buys nothing
/// here, and on 20,000 indicators its lookups were a fifth of building the report (callgrind).
#[derive(Default, Clone, Copy)]
struct CodeHasher(u64);

impl CodeHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0xf135_7aea_2e62_a9c5);
    }
}

impl Hasher for CodeHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut b = [0u8; 8];
            b.copy_from_slice(w);
            self.add(u64::from_le_bytes(b));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(b) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn finish(&self) -> u64 {
        // The multiply leaves the best-mixed bits at the top; the table indexes by the bottom.
        self.0.rotate_left(26)
    }
}

/// A map keyed by code, hashed with [`CodeHasher`].
type CodeMap<'a, V> = HashMap<&'a str, V, BuildHasherDefault<CodeHasher>>;

/// The framework and values made ready for reports on several periods (`ics track`): the
/// values grouped by indicator, the tree as node numbers and every node's path, once, not once
/// per period.
pub struct Prepared<'a> {
    fw: &'a Framework,
    /// For each indicator in document order, the number of the first indicator with its code,
    /// whose values it reads (its own number unless a code repeats).
    number: Vec<usize>,
    /// Each indicator's unit, one string for all the indicators that share it.
    units: Vec<Arc<str>>,
    grouped: Grouped<'a>,
    tree: Tree,
}

/// The framework's tree by node number (index in `fw.nodes`), so a report walks it without
/// looking codes up.
struct Tree {
    /// The number of each node's first indicator (indicators numbered in document order).
    first: Vec<usize>,
    /// Each node's parent, when its parent code names a node.
    parent: Vec<Option<usize>>,
    /// Each node's children, in framework order.
    children: Vec<Vec<usize>>,
    /// The nodes without a parent, in framework order.
    roots: Vec<usize>,
    /// For each node, the nodes (DOs, Intermediate Results, sub-results) whose `supports` name
    /// it, in framework order: links written on either side, as the framework keeps them.
    supporters: Vec<Vec<usize>>,
    /// Each node's code, for its rows to share.
    codes: Vec<Arc<str>>,
    /// Each node's codes from the top-level node down, joined by ` > `.
    paths: Vec<Arc<str>>,
}

impl Tree {
    fn new(fw: &Framework) -> Tree {
        let n = fw.nodes.len();
        let mut index: CodeMap<usize> = CodeMap::with_capacity_and_hasher(n, Default::default());
        for (i, node) in fw.nodes.iter().enumerate() {
            index.insert(&node.code, i);
        }
        let mut tree = Tree {
            first: Vec::with_capacity(n),
            parent: Vec::with_capacity(n),
            children: vec![Vec::new(); n],
            roots: Vec::new(),
            supporters: vec![Vec::new(); n],
            codes: Vec::with_capacity(n),
            paths: Vec::with_capacity(n),
        };
        let mut next = 0;
        for (i, node) in fw.nodes.iter().enumerate() {
            tree.first.push(next);
            next += node.indicators.len();
            let parent = node.parent.as_deref().and_then(|p| index.get(p).copied());
            tree.parent.push(parent);
            match (&node.parent, parent) {
                (None, _) => tree.roots.push(i),
                (Some(_), Some(p)) => tree.children[p].push(i),
                // A parent that is no node: the node is under nothing the report walks.
                (Some(_), None) => {}
            }
            for target in &node.supports {
                if let Some(&t) = index.get(target.as_str()) {
                    tree.supporters[t].push(i);
                }
            }
            // A path is its parent's (computed already: parents come first) and the code.
            let code: Arc<str> = node.code.as_str().into();
            let path = match parent.filter(|&p| p < i) {
                Some(p) => format!("{} > {}", tree.paths[p], node.code).into(),
                None => code.clone(),
            };
            tree.codes.push(code);
            tree.paths.push(path);
        }
        tree
    }

    /// The numbers of node `n`'s indicators.
    fn numbers(&self, fw: &Framework, n: usize) -> std::ops::Range<usize> {
        self.first[n]..self.first[n] + fw.nodes[n].indicators.len()
    }

    /// Every node of the subtree rooted at `n`, itself first.
    fn subtree(&self, n: usize) -> Vec<usize> {
        let mut out = vec![n];
        let mut i = 0;
        while i < out.len() {
            out.extend_from_slice(&self.children[out[i]]);
            i += 1;
        }
        out
    }
}

/// Group `values` by indicator and compute every node's path, for [`Prepared::build`].
pub fn prepare<'a>(fw: &'a Framework, values: &'a [PeriodValue]) -> Prepared<'a> {
    index(fw).with_values(values)
}

/// The framework's part of [`prepare`], which needs no values: each indicator's number and
/// unit, and the tree. Made on its own, it can be made while the values are still being read.
pub struct Indexed<'a> {
    fw: &'a Framework,
    /// The number of the first indicator with each code.
    numbers: CodeMap<'a, usize>,
    /// Each indicator's code, by number.
    codes: Vec<&'a str>,
    number: Vec<usize>,
    units: Vec<Arc<str>>,
    tree: Tree,
}

/// See [`Indexed`].
pub fn index(fw: &Framework) -> Indexed<'_> {
    let count = fw.indicator_count();
    let mut numbers: CodeMap<usize> = CodeMap::with_capacity_and_hasher(count, Default::default());
    let mut number = Vec::with_capacity(count);
    let mut codes = Vec::with_capacity(count);
    let mut units: Vec<Arc<str>> = Vec::with_capacity(count);
    let mut unit_of: CodeMap<Arc<str>> = CodeMap::default();
    for (k, (_, ind)) in fw.indicators().enumerate() {
        number.push(*numbers.entry(&ind.code).or_insert(k));
        codes.push(ind.code.as_str());
        // Neighbours mostly share a unit: the last one's is taken without a lookup.
        let unit = match units.last() {
            Some(last) if **last == *ind.unit => last.clone(),
            _ => unit_of
                .entry(&ind.unit)
                .or_insert_with(|| ind.unit.as_str().into())
                .clone(),
        };
        units.push(unit);
    }
    Indexed {
        fw,
        numbers,
        codes,
        number,
        units,
        tree: Tree::new(fw),
    }
}

impl<'a> Indexed<'a> {
    /// [`prepare`], with `values`.
    pub fn with_values(self, values: &'a [PeriodValue]) -> Prepared<'a> {
        let grouped = Grouped::new(
            values,
            Numbering {
                by_code: &self.numbers,
                codes: &self.codes,
                number: &self.number,
            },
        );
        Prepared {
            fw: self.fw,
            number: self.number,
            units: self.units,
            grouped,
            tree: self.tree,
        }
    }
}

impl Prepared<'_> {
    /// The report for `period`, as [`build`] makes it.
    ///
    /// The rows go straight into the report's lines as the tree is walked, each under a
    /// placeholder for its node's header; the headers, which count rows anywhere in the tree,
    /// fill their placeholders once every row is made (a row is a few hundred bytes: staging
    /// them and moving them into place was a third of the time, with its memory).
    pub fn build(
        &self,
        version: &str,
        period: FiscalPeriod,
        sel: &Selection,
    ) -> Result<Report, Error> {
        let fw = self.fw;
        let tree = &self.tree;
        let count = self.number.len();
        let trend_periods = trend_periods(fw, period, sel);
        // Each indicator's status when its row is kept, for the headers' counts.
        let mut statuses: Vec<Option<Status>> = vec![None; count];
        let mut lines = Vec::with_capacity(count + fw.nodes.len());
        // Where each walked node's header goes: (line, node, depth).
        let mut slots: Vec<(usize, usize, usize)> = Vec::new();
        let visited = self.walk(period, sel, &trend_periods, |met| {
            match met {
                Met::Node(n, depth) => {
                    slots.push((lines.len(), n, depth));
                    lines.push(Line::Header(Rollup {
                        code: String::new(),
                        title: String::new(),
                        kind: fw.nodes[n].kind,
                        depth,
                        own: Counts::default(),
                        linked: Counts::default(),
                        linked_from: Vec::new(),
                    }));
                }
                Met::Row(k, r) => {
                    statuses[k] = Some(r.status);
                    lines.push(Line::Row(r));
                }
            }
            Ok(())
        })?;
        let row = |n: usize, k: usize, ind: &Indicator| self.row(n, k, ind, period, &trend_periods);
        // The rows outside the walk (another subtree under `--node`) count toward the DOs
        // linked to it.
        for (n, node) in fw.nodes.iter().enumerate() {
            if !visited[n] {
                for (k, ind) in tree.numbers(fw, n).zip(&node.indicators) {
                    let r = row(n, k, ind);
                    statuses[k] = sel.keeps(&r).then_some(r.status);
                }
            }
        }
        let counter = Counter {
            fw,
            tree,
            statuses: &statuses,
        };
        let mut empty = Vec::new();
        let mut marks = vec![0u8; fw.nodes.len()];
        for &(line, n, depth) in &slots {
            match counter.header(n, depth, &mut marks) {
                Some(h) => lines[line] = Line::Header(h),
                None => empty.push(line),
            }
        }
        if !empty.is_empty() {
            let mut at = 0;
            let mut next = empty.iter().peekable();
            lines.retain(|_| {
                let keep = next.next_if_eq(&&at).is_none();
                at += 1;
                keep
            });
        }
        Ok(Report {
            period,
            strategy_title: fw.strategy.title.clone(),
            version: version.to_string(),
            threshold: fw.settings.deviation_threshold,
            trend_periods,
            lines,
        })
    }

    /// The rows [`Prepared::build`] shows, in its order, each handed to `each` as soon as it
    /// is made and dropped after: what a CSV shows (rows, no headers) without holding the
    /// report (20,000 rows were 10 MB, made and written once). Returns how many rows.
    pub fn each_row(
        &self,
        period: FiscalPeriod,
        sel: &Selection,
        each: impl FnMut(&ProgressRow) -> Result<(), Error>,
    ) -> Result<usize, Error> {
        self.rows_of(&self.row_order(sel)?, period, sel, each)
    }

    /// The indicators whose rows [`Prepared::each_row`] may show, in its order, as (node
    /// number, indicator number): cut into parts, each part's rows ([`Prepared::rows_of`]) can
    /// be made on its own thread, and are the same rows wherever they are made.
    pub fn row_order(&self, sel: &Selection) -> Result<Vec<(usize, usize)>, Error> {
        let order = self.order(sel)?;
        let mut out = Vec::with_capacity(self.number.len());
        for &(n, _, first) in &order {
            if first {
                out.extend(self.tree.numbers(self.fw, n).map(|k| (n, k)));
            }
        }
        Ok(out)
    }

    /// The rows `sel` keeps of the indicators `order` names (a part of
    /// [`Prepared::row_order`]'s), in that order, each handed to `each`. Returns how many.
    pub fn rows_of(
        &self,
        order: &[(usize, usize)],
        period: FiscalPeriod,
        sel: &Selection,
        mut each: impl FnMut(&ProgressRow) -> Result<(), Error>,
    ) -> Result<usize, Error> {
        let trend_periods = trend_periods(self.fw, period, sel);
        let mut rows = 0;
        for &(n, k) in order {
            let Some(ind) = self.fw.nodes[n].indicators.get(k - self.tree.first[n]) else {
                continue;
            };
            let r = self.row(n, k, ind, period, &trend_periods);
            if sel.keeps(&r) {
                rows += 1;
                each(&r)?;
            }
        }
        Ok(rows)
    }

    /// The row of indicator number `k` (`ind`, under node `n`) for `period`, with its trend
    /// over `trend_periods`.
    fn row(
        &self,
        n: usize,
        k: usize,
        ind: &Indicator,
        period: FiscalPeriod,
        trend_periods: &[FiscalPeriod],
    ) -> ProgressRow {
        let tree = &self.tree;
        let vals = self.grouped.of(self.number[k]);
        let mut r = row_at(
            self.fw,
            ind,
            period,
            vals,
            tree.codes[n].clone(),
            tree.paths[n].clone(),
            self.units[k].clone(),
        );
        if !trend_periods.is_empty() {
            let start = self.fw.strategy.start.map(|s| s.year);
            r.trend = trend_periods
                .iter()
                .map(|p| actual(ind, *p, vals, start).map(|a| a.value))
                .collect();
        }
        r
    }

    /// Walk the tree in report order (from the roots, or the node `sel` names), telling `met`
    /// of each node (with its depth) before its rows and the nodes under it, and of each row
    /// `sel` keeps (with its indicator number). A node reached again (a second parent) shows
    /// its header but not its rows. Returns which nodes were reached.
    fn walk(
        &self,
        period: FiscalPeriod,
        sel: &Selection,
        trend_periods: &[FiscalPeriod],
        mut met: impl FnMut(Met) -> Result<(), Error>,
    ) -> Result<Vec<bool>, Error> {
        let fw = self.fw;
        let tree = &self.tree;
        let mut visited = vec![false; fw.nodes.len()];
        for (n, depth, first) in self.order(sel)? {
            let node = &fw.nodes[n];
            visited[n] = true;
            met(Met::Node(n, depth))?;
            if first {
                for (k, ind) in tree.numbers(fw, n).zip(&node.indicators) {
                    let r = self.row(n, k, ind, period, trend_periods);
                    if sel.keeps(&r) {
                        met(Met::Row(k, r))?;
                    }
                }
            }
        }
        Ok(visited)
    }

    /// The nodes in report order (from the roots, or the node `sel` names), each with its
    /// depth and whether it is met for the first time (a node under a second parent is met
    /// again; its rows show the first time only).
    fn order(&self, sel: &Selection) -> Result<Vec<(usize, usize, bool)>, Error> {
        let fw = self.fw;
        let tree = &self.tree;
        let roots: Vec<usize> = match &sel.node {
            Some(code) => {
                let node = find_node(fw, code)?;
                fw.nodes
                    .iter()
                    .position(|n| std::ptr::eq(n, node))
                    .into_iter()
                    .collect()
            }
            None => tree.roots.clone(),
        };
        let mut seen = vec![false; fw.nodes.len()];
        let mut out = Vec::with_capacity(fw.nodes.len());
        let mut stack: Vec<(usize, usize)> = roots.iter().rev().map(|&n| (n, 0)).collect();
        while let Some((n, depth)) = stack.pop() {
            out.push((n, depth, !std::mem::replace(&mut seen[n], true)));
            stack.extend(tree.children[n].iter().rev().map(|&c| (c, depth + 1)));
        }
        Ok(out)
    }
}

/// What [`Prepared::walk`] meets: a node (number, depth) or a kept row (indicator number, row).
/// Handed over once and never stored, so the size of a row is no cost to the header.
#[allow(clippy::large_enum_variant)]
enum Met {
    Node(usize, usize),
    Row(usize, ProgressRow),
}

/// The periods of each row's trend when `sel` asks for one: the strategy's fiscal years, or
/// for a quarter the quarters of those years.
fn trend_periods(fw: &Framework, period: FiscalPeriod, sel: &Selection) -> Vec<FiscalPeriod> {
    match (sel.trend, period.is_quarter()) {
        (false, _) => Vec::new(),
        (true, false) => fw.strategy.fiscal_years(),
        (true, true) => fw
            .strategy
            .fiscal_years()
            .iter()
            .flat_map(|y| y.quarters())
            .collect(),
    }
}

/// The values grouped by indicator number (from the code), in their given order within each
/// indicator: one list and an offset per indicator rather than a list each.
struct Grouped<'v> {
    start: Vec<usize>,
    values: Vec<&'v PeriodValue>,
}

/// How [`Grouped::new`] finds an indicator's number from its code.
struct Numbering<'a, 'c> {
    /// The number of the first indicator with each code.
    by_code: &'a CodeMap<'c, usize>,
    /// Each indicator's code, by number.
    codes: &'a [&'c str],
    /// Each indicator's number in `by_code` (its own, unless an earlier one has its code).
    number: &'a [usize],
}

impl Numbering<'_, '_> {
    /// The number of the indicator `code`, trying `next` first: values mostly come in the
    /// indicators' order, so the one after the last found is usually it, found without
    /// hashing (the number `by_code` gives either way).
    fn find(&self, code: &str, next: usize) -> Option<usize> {
        match self.codes.get(next) {
            Some(&c) if c == code && self.number[next] == next => Some(next),
            _ => self.by_code.get(code).copied(),
        }
    }
}

impl<'v> Grouped<'v> {
    fn new(values: &'v [PeriodValue], numbering: Numbering<'_, '_>) -> Self {
        let count = numbering.codes.len();
        // An indicator's values mostly come together: its number is looked up once per run.
        let mut last: Option<(&str, Option<usize>)> = None;
        let mut next = 0;
        let of: Vec<Option<usize>> = values
            .iter()
            .map(|v| match last {
                Some((code, i)) if code == &*v.indicator => i,
                _ => {
                    let i = numbering.find(&v.indicator, next);
                    if let Some(i) = i {
                        next = i + 1;
                    }
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

/// The headers' roll-ups, from each indicator's status when its row is kept.
struct Counter<'a> {
    fw: &'a Framework,
    tree: &'a Tree,
    statuses: &'a [Option<Status>],
}

impl Counter<'_> {
    fn count(&self, nodes: &[usize]) -> Counts {
        let mut c = Counts::default();
        for &n in nodes {
            for status in self.statuses[self.tree.numbers(self.fw, n)]
                .iter()
                .flatten()
            {
                c.add(*status);
            }
        }
        c
    }

    /// Whether a node above `n` is marked `mark`.
    fn under(&self, n: usize, marks: &[u8], mark: u8) -> bool {
        // At most one step per node, should the parents ever make a cycle.
        let mut up = self.tree.parent[n];
        for _ in 0..self.tree.parent.len() {
            match up {
                Some(p) if marks[p] & mark != 0 => return true,
                Some(p) => up = self.tree.parent[p],
                None => return false,
            }
        }
        false
    }

    /// The header of node `n`: its code, title and the counts of its subtree and of the DOs
    /// linked to it; `None` when none of those has a row to show. `marks` is one zero per
    /// node, left so.
    fn header(&self, n: usize, depth: usize, marks: &mut [u8]) -> Option<Rollup> {
        const IN_SUBTREE: u8 = 1;
        const LINKED: u8 = 2;
        let node = &self.fw.nodes[n];
        let subtree = self.tree.subtree(n);
        let own = self.count(&subtree);
        let (mut linked, mut linked_from) = (Counts::default(), Vec::new());
        // Sub-objectives, results and sub-results group rows; only the levels above them carry
        // the DOs linked to them.
        if !matches!(
            node.kind,
            NodeKind::SubObjective | NodeKind::Result | NodeKind::SubResult
        ) {
            for &s in &subtree {
                marks[s] |= IN_SUBTREE;
            }
            // The DOs outside this subtree that support a node in it, each once, in framework
            // order.
            let mut dos: Vec<usize> = Vec::new();
            for &s in &subtree {
                for &d in &self.tree.supporters[s] {
                    if marks[d] == 0 {
                        marks[d] |= LINKED;
                        dos.push(d);
                    }
                }
            }
            // A result under a DO that is linked too is counted with that DO, once.
            let kept: Vec<usize> = dos
                .iter()
                .copied()
                .filter(|&d| !self.under(d, marks, LINKED))
                .collect();
            for &m in subtree.iter().chain(&dos) {
                marks[m] = 0;
            }
            let mut dos = kept;
            dos.sort_unstable();
            for d in dos {
                let c = self.count(&self.tree.subtree(d));
                // A DO with nothing to show is left out of the header.
                if c.total() > 0 {
                    linked_from.push(self.fw.nodes[d].code.clone());
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
