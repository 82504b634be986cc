//! The Indicator Tracking Table (ITT) behind `ics track`: every indicator's baseline, then for
//! each fiscal year of a range (and each quarter, for a quarterly indicator or with
//! `--quarters`) its target, actual, achieved %, deviation, status and explanation, with the
//! values of the disaggregation categories it declares. No SQL and no terminal here.
//!
//! No new arithmetic: each period's figures are the row [`progress::build`] makes for that
//! period (so they equal `ics progress --format json --period P`, a contract), collected
//! across the periods of the range.
//!
//! The shape a renderer walks (table, CSV, JSON, markdown, and a workbook writer):
//!
//! ```text
//! Track { years, quarters, groups }
//!   groups: Vec<Group>           goal / objective / MO / DO headers, strategy order, with depth
//!     rows: Vec<TrackRow>        the indicators directly under that node
//!       periods: Vec<Cell>       per fiscal year in `years`, each followed by its four quarters
//!                                when `TrackRow::quarterly` (FY2021, FY2021Q1..Q4, FY2022, ...)
//!         breakdown: Vec<Breakdown>  {disaggregation: "sex=female", actual}, declared order
//! ```
//!
//! [`TrackRow::cell`] finds a period's cell; a group without rows of its own is a header over
//! the groups under it (a goal whose indicators all sit under its objectives). The JSON of a
//! row is the contract's object (`indicator, title, node, path, unit, direction, baseline,
//! cumulative, periods`), each period `{period, target, actual, achieved, deviation, status,
//! needs_explanation, explanation, partial, derived, breakdown}`.
//!
//! The breakdown lists the values recorded for that very period, one per declared category
//! that has one (a cumulative indicator's are the period's own values, not running totals; a
//! quarterly indicator's fiscal year lists only values recorded for the year itself).

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;

use crate::error::Error;
use crate::framework::{Direction, Framework, Frequency, Indicator, NodeKind};
use crate::period::FiscalPeriod;
use crate::progress::{self, Line, PeriodValue, ProgressRow, Selection, Status};

/// The whole table.
#[derive(Debug, Clone, PartialEq)]
pub struct Track {
    pub strategy_title: String,
    pub version: String,
    /// The deviation threshold T (percent) the statuses were judged with.
    pub threshold: f64,
    /// The fiscal years shown, in order.
    pub years: Vec<FiscalPeriod>,
    /// Whether every indicator shows its quarters (`--quarters`); a quarterly one always does.
    pub quarters: bool,
    pub groups: Vec<Group>,
}

/// A goal, objective, Management Objective, DO or theme, with the indicators directly under it.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub code: String,
    pub title: String,
    pub kind: NodeKind,
    /// How deep the node sits below the top of the table (0 for the top).
    pub depth: usize,
    pub rows: Vec<TrackRow>,
}

/// One indicator across the range. Serialises as the contract's JSON object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrackRow {
    pub indicator: String,
    pub title: String,
    /// Code of the node the indicator sits under.
    pub node: Arc<str>,
    /// Codes from the top-level node down, joined by ` > `.
    pub path: Arc<str>,
    pub unit: Arc<str>,
    pub direction: Direction,
    pub baseline: Option<f64>,
    pub cumulative: bool,
    /// Whether the quarters are shown (a quarterly indicator, or `--quarters`).
    #[serde(skip)]
    pub quarterly: bool,
    pub periods: Vec<Cell>,
}

/// One indicator for one period: the figures of its `progress` row, and the breakdown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    pub period: FiscalPeriod,
    pub target: Option<f64>,
    pub actual: Option<f64>,
    pub achieved: Option<f64>,
    pub deviation: Option<f64>,
    pub status: Status,
    pub needs_explanation: bool,
    pub explanation: Option<String>,
    pub partial: bool,
    pub derived: bool,
    pub breakdown: Vec<Breakdown>,
    /// The target a year still coming in is judged against (see [`ProgressRow`]).
    #[serde(skip)]
    pub target_to_date: Option<f64>,
    /// Quarters combined into a fiscal year's actual.
    #[serde(skip)]
    pub quarters_reported: Option<usize>,
}

/// The value of one declared disaggregation category for the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakdown {
    /// `key=category`, as recorded: `sex=female`.
    pub disaggregation: String,
    pub actual: f64,
}

impl Cell {
    fn of(r: ProgressRow, breakdown: Vec<Breakdown>) -> Cell {
        Cell {
            period: r.period,
            target: r.target,
            actual: r.actual,
            achieved: r.achieved,
            deviation: r.deviation,
            status: r.status,
            needs_explanation: r.needs_explanation,
            explanation: r.explanation,
            partial: r.partial,
            derived: r.derived,
            breakdown,
            target_to_date: r.target_to_date,
            quarters_reported: r.quarters_reported,
        }
    }

    /// Whether the cell has a target or an actual.
    pub fn has_figures(&self) -> bool {
        self.target.is_some() || self.actual.is_some()
    }
}

impl TrackRow {
    /// The cell of `period`, if the row shows it.
    pub fn cell(&self, period: FiscalPeriod) -> Option<&Cell> {
        self.periods.iter().find(|c| c.period == period)
    }

    /// The disaggregations with a value in any of the row's cells, in declared order.
    pub fn disaggregations(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for c in &self.periods {
            for b in &c.breakdown {
                if !out.contains(&b.disaggregation.as_str()) {
                    out.push(&b.disaggregation);
                }
            }
        }
        out
    }
}

impl Track {
    /// Every indicator row, in strategy order.
    pub fn rows(&self) -> impl Iterator<Item = &TrackRow> {
        self.groups.iter().flat_map(|g| g.rows.iter())
    }

    /// Whether any row shows its quarters.
    pub fn any_quarters(&self) -> bool {
        self.rows().any(|r| r.quarterly)
    }
}

/// What to show.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Keep one node's subtree.
    pub node: Option<String>,
    /// Show every indicator's quarters, not only those of quarterly indicators.
    pub quarters: bool,
}

/// The current values of each declared category, by indicator and period.
type Categories<'v> = HashMap<(&'v str, FiscalPeriod), Vec<&'v PeriodValue>>;

fn breakdown(ind: &Indicator, period: FiscalPeriod, categories: &Categories) -> Vec<Breakdown> {
    let Some(values) = categories.get(&(ind.code.as_str(), period)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, cats) in &ind.disaggregations {
        for c in cats {
            let name = format!("{key}={c}");
            if let Some(v) = values.iter().find(|v| v.disaggregation() == name) {
                out.push(Breakdown {
                    disaggregation: name,
                    actual: v.value,
                });
            }
        }
    }
    out
}

/// Build the table for the fiscal years `from` through `to` (`from <= to`). `values` must hold
/// the current values of those years and their quarters, and, for a cumulative indicator's
/// running total, those of the years from the strategy's start (as `ics progress` reads them).
pub fn build(
    fw: &Framework,
    version: &str,
    from: i32,
    to: i32,
    values: &[PeriodValue],
    opts: &Options,
) -> Result<Track, Error> {
    let years: Vec<FiscalPeriod> = (from..=to).map(FiscalPeriod::year).collect();
    let sel = Selection {
        node: opts.node.clone(),
        ..Selection::default()
    };
    let indicators: HashMap<&str, &Indicator> =
        fw.indicators().map(|(_, i)| (i.code.as_str(), i)).collect();
    let shows_quarters = |ind: &Indicator| opts.quarters || ind.frequency == Frequency::Quarterly;
    // The periods computed: each year, then its quarters when any row shows them.
    let mut periods: Vec<FiscalPeriod> = Vec::new();
    let mut structure: Option<Vec<Line>> = None;
    // Each indicator's cells (without their breakdown yet), the n-th list for the n-th row of
    // every report (the same selection of the same framework gives the same rows in the same
    // order), made as each report is built: a report's rows carry titles and paths, which 100
    // periods of 20,000 indicators would otherwise hold 2,000,000 times.
    let mut by_row: Vec<Vec<Cell>> = Vec::new();
    let prepared = progress::prepare(fw, values);
    let per_year = if opts.quarters { 5 } else { 1 };
    let mut add = |lines: &mut Vec<Line>| {
        for (i, r) in take_rows(lines).into_iter().enumerate() {
            if by_row.len() <= i {
                by_row.push(Vec::with_capacity(years.len() * per_year));
            }
            by_row[i].push(Cell::of(r, Vec::new()));
        }
    };
    for y in &years {
        let report = prepared.build(version, *y, &sel)?;
        let quarters = report.rows().any(|r| {
            indicators
                .get(r.indicator.as_str())
                .is_some_and(|i| shows_quarters(i))
        });
        let mut lines = report.lines;
        if structure.is_none() {
            structure = Some(lines.clone());
        }
        periods.push(*y);
        add(&mut lines);
        if quarters {
            for q in y.quarters() {
                let report = prepared.build(version, q, &sel)?;
                periods.push(q);
                add(&mut { report.lines });
            }
        }
    }
    let mut categories: Categories = HashMap::new();
    for v in values {
        if !v.disaggregation().is_empty() {
            categories
                .entry((&*v.indicator, v.period))
                .or_default()
                .push(v);
        }
    }
    let mut by_row = by_row.into_iter();
    let mut groups: Vec<Group> = Vec::new();
    for line in structure.unwrap_or_default() {
        match line {
            Line::Header(h) => {
                // A node counted only for the DOs that support it has no rows here.
                if h.own.total() > 0 {
                    groups.push(Group {
                        code: h.code,
                        title: h.title,
                        kind: h.kind,
                        depth: h.depth,
                        rows: Vec::new(),
                    });
                }
            }
            Line::Row(first) => {
                let Some(ind) = indicators.get(first.indicator.as_str()).copied() else {
                    continue;
                };
                let quarterly = shows_quarters(ind);
                let mut cells = by_row.next().unwrap_or_default();
                cells.retain(|c| quarterly || !c.period.is_quarter());
                for cell in &mut cells {
                    cell.breakdown = breakdown(ind, cell.period, &categories);
                }
                let row = TrackRow {
                    indicator: first.indicator,
                    title: first.title,
                    node: first.node.clone(),
                    path: first.path,
                    unit: first.unit,
                    direction: first.direction,
                    baseline: first.baseline,
                    cumulative: first.cumulative,
                    quarterly,
                    periods: cells,
                };
                if groups.is_empty() {
                    let (code, title, kind) = fw.node(&first.node).map_or_else(
                        || (first.node.to_string(), String::new(), NodeKind::Objective),
                        |n| (n.code.clone(), n.title.clone(), n.kind),
                    );
                    groups.push(Group {
                        code,
                        title,
                        kind,
                        depth: 0,
                        rows: Vec::new(),
                    });
                }
                if let Some(g) = groups.last_mut() {
                    g.rows.push(row);
                }
            }
        }
    }
    Ok(Track {
        strategy_title: fw.strategy.title.clone(),
        version: version.to_string(),
        threshold: fw.settings.deviation_threshold,
        years,
        quarters: opts.quarters,
        groups,
    })
}

/// The indicator rows of a report's lines, in order.
fn take_rows(lines: &mut Vec<Line>) -> Vec<ProgressRow> {
    std::mem::take(lines)
        .into_iter()
        .filter_map(|l| match l {
            Line::Row(r) => Some(r),
            Line::Header(_) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests;
