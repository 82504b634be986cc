//! The strategy review page behind `ics report`: what the page shows, built from the framework
//! and the current total values, with no SQL and no HTML.
//!
//! [`build`] reuses the progress definitions ([`crate::progress::build`]) for every status,
//! percent and roll-up, so the page and `ics progress` always agree. It adds what a reader of the
//! page needs: the tree in strategy order with the DO links both ways, and per indicator the
//! actual and target of each fiscal year for its chart. A chart's axis covers the strategy's
//! fiscal years (and the report's), stretched to reach any year with an actual or a target as
//! long as it stays at most [`MAX_YEARS`] long; values further out are listed under the chart as
//! "not on the chart", so nothing recorded is silently dropped. [`html::page`] writes the page.

pub mod axis;
mod card;
pub mod escape;
pub mod html;
pub mod svg;

use std::collections::{BTreeSet, HashMap};

use crate::error::Error;
use crate::framework::{Baseline, Framework, Indicator, Node, NodeKind};
use crate::period::FiscalPeriod;
use crate::progress::{self, Counts, Line, PeriodValue, ProgressRow, Selection};

pub use crate::progress::Status;

/// The longest chart axis, in fiscal years.
pub const MAX_YEARS: i32 = 15;

/// Everything the page shows.
#[derive(Debug, Clone)]
pub struct Page {
    pub strategy_title: String,
    pub strategy_code: String,
    pub country: Option<String>,
    pub version: String,
    pub period: FiscalPeriod,
    /// When the page was made (RFC 3339, UTC).
    pub generated: String,
    /// The strategy period, when the framework declares it.
    pub strategy_years: Option<(FiscalPeriod, FiscalPeriod)>,
    pub threshold: f64,
    /// The `--node` subtree shown, if any.
    pub node_filter: Option<String>,
    /// Whether any value at all is recorded for the strategy's indicators.
    pub any_values: bool,
    /// One row per top-level node shown (goals, Management Objectives, DOs, themes with
    /// indicators).
    pub summary: Vec<SummaryRow>,
    /// Every node shown, in strategy order (parents first), with its indicators.
    pub nodes: Vec<NodeEntry>,
}

/// A top-level node's indicators counted by status.
#[derive(Debug, Clone)]
pub struct SummaryRow {
    pub code: String,
    pub title: String,
    pub kind: NodeKind,
    /// Its own indicators and those of the nodes under it.
    pub own: Counts,
    /// Indicators of the DOs that support it (counted under those DOs).
    pub linked: Counts,
    pub linked_from: Vec<String>,
}

/// A node of the tree, with its links and indicators.
#[derive(Debug, Clone)]
pub struct NodeEntry {
    pub code: String,
    pub title: String,
    pub kind: NodeKind,
    /// 0 for the top of the page's tree.
    pub depth: usize,
    /// The roll-up under it, when progress makes one.
    pub counts: Option<Counts>,
    /// DOs that support it: (code, title).
    pub supported_by: Vec<(String, String)>,
    /// For a DO, the objectives it supports: (code, title).
    pub supports: Vec<(String, String)>,
    /// For a theme, the nodes it applies to: (code, title).
    pub applies_to: Vec<(String, String)>,
    pub indicators: Vec<IndicatorCard>,
}

/// One indicator: its progress for the period, its chart, and the notes on its values.
#[derive(Debug, Clone)]
pub struct IndicatorCard {
    pub row: ProgressRow,
    /// The targets are illustrative (no document states them).
    pub illustrative: bool,
    pub baseline: Option<Baseline>,
    /// Every target, in period order.
    pub targets: Vec<(FiscalPeriod, f64)>,
    /// `None` when no actual is recorded for any fiscal year.
    pub chart: Option<Chart>,
    /// Notes on the actuals, by fiscal year (the report's period first).
    pub notes: Vec<(FiscalPeriod, String)>,
    /// Actuals of years outside the chart's axis.
    pub off_chart: Vec<(FiscalPeriod, f64)>,
}

/// The data of one chart: actual and target per fiscal year on the axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub years: Vec<YearPoint>,
    pub baseline: Option<Baseline>,
    pub unit: String,
    pub percent: bool,
    /// The report's fiscal year (shaded).
    pub highlight: i32,
}

/// One fiscal year on a chart's axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct YearPoint {
    pub year: i32,
    pub actual: Option<f64>,
    pub target: Option<f64>,
    /// Quarters combined into the actual, for a quarterly indicator.
    pub quarters: Option<usize>,
}

impl Page {
    /// Every indicator card, in page order.
    pub fn cards(&self) -> impl Iterator<Item = &IndicatorCard> {
        self.nodes.iter().flat_map(|n| n.indicators.iter())
    }

    /// The indicators off target by more than the threshold with no note, in page order.
    pub fn needs_explanation(&self) -> impl Iterator<Item = &IndicatorCard> {
        self.cards().filter(|c| c.row.needs_explanation)
    }

    /// Whether `code` is a node shown on the page (so a link to it leads somewhere).
    pub fn shows_node(&self, code: &str) -> bool {
        self.nodes.iter().any(|n| n.code == code)
    }
}

/// The first and last fiscal year of a chart's axis.
///
/// It starts from `base` (the strategy period, else the report's year) widened to the report's
/// year, then stretches to the latest and then the earliest of `wanted` (years with an actual or
/// a target) while it stays at most [`MAX_YEARS`] long. A base longer than that keeps its last
/// years.
pub fn axis_years(base: Option<(i32, i32)>, report: i32, wanted: &[i32]) -> (i32, i32) {
    let (lo, hi) = base.unwrap_or((report, report));
    let (mut lo, hi) = (lo.min(report), hi.max(report));
    if hi - lo + 1 > MAX_YEARS {
        lo = hi - MAX_YEARS + 1;
    }
    let latest = wanted.iter().copied().max().unwrap_or(hi);
    let hi = hi.max(latest.min(lo + MAX_YEARS - 1));
    let earliest = wanted.iter().copied().min().unwrap_or(lo);
    let lo = lo.min(earliest.max(hi - MAX_YEARS + 1));
    (lo, hi)
}

/// Build the page for `period` from the current total values of the framework's indicators
/// (all periods), keeping the `node` subtree when given.
pub fn build(
    fw: &Framework,
    version: &str,
    period: FiscalPeriod,
    values: &[PeriodValue],
    node: Option<&str>,
    generated: &str,
) -> Result<Page, Error> {
    let sel = Selection {
        node: node.map(str::to_string),
        statuses: Vec::new(),
        needs_explanation: false,
        trend: false,
    };
    let report = progress::build(fw, version, period, values, &sel)?;
    let mut rows: HashMap<String, ProgressRow> = HashMap::new();
    let mut rollups = HashMap::new();
    for line in report.lines {
        match line {
            Line::Row(r) => {
                rows.insert(r.indicator.clone(), r);
            }
            Line::Header(s) => {
                rollups.insert(s.code.clone(), s);
            }
        }
    }
    let mut by_indicator: HashMap<&str, Vec<&PeriodValue>> = HashMap::new();
    for v in values {
        by_indicator.entry(&v.indicator).or_default().push(v);
    }
    let roots: Vec<&Node> = match node {
        Some(code) => vec![progress::find_node(fw, code)?],
        None => fw.children_of(None).collect(),
    };
    let strategy_years = fw.strategy.start.zip(fw.strategy.end);
    let base = strategy_years.map(|(s, e)| (s.year, e.year));
    let title_of = |code: &str| fw.node(code).map_or(String::new(), |n| n.title.clone());
    let mut nodes = Vec::new();
    let mut stack: Vec<(&Node, usize)> = roots.iter().rev().map(|n| (*n, 0)).collect();
    while let Some((n, depth)) = stack.pop() {
        let kids: Vec<&Node> = fw.children_of(Some(&n.code)).collect();
        stack.extend(kids.into_iter().rev().map(|k| (k, depth + 1)));
        let indicators = n
            .indicators
            .iter()
            .filter_map(|ind| {
                let row = rows.remove(&ind.code)?;
                let vals = by_indicator.get(ind.code.as_str()).map_or(&[][..], |v| v);
                Some(card(ind, row, vals, base, period))
            })
            .collect();
        nodes.push(NodeEntry {
            code: n.code.clone(),
            title: n.title.clone(),
            kind: n.kind,
            depth,
            counts: rollups.get(&n.code).map(|r| r.own),
            supported_by: fw
                .supported_by(&n.code)
                .map(|d| (d.code.clone(), d.title.clone()))
                .collect(),
            supports: n
                .supports
                .iter()
                .map(|c| (c.clone(), title_of(c)))
                .collect(),
            applies_to: n
                .applies_to
                .iter()
                .map(|c| (c.clone(), title_of(c)))
                .collect(),
            indicators,
        });
    }
    let summary = summary(&roots, &nodes, &rollups);
    Ok(Page {
        strategy_title: fw.strategy.title.clone(),
        strategy_code: fw.strategy.code.clone(),
        country: fw.strategy.country.clone(),
        version: version.to_string(),
        period,
        generated: generated.to_string(),
        strategy_years,
        threshold: fw.settings.deviation_threshold,
        node_filter: node.map(str::to_string),
        any_values: !values.is_empty(),
        summary,
        nodes,
    })
}

/// One summary row per root: the progress roll-up where there is one, else (a sub-objective or
/// result given to `--node`) its subtree counted here. Themes without indicators are left out.
fn summary(
    roots: &[&Node],
    nodes: &[NodeEntry],
    rollups: &HashMap<String, progress::Rollup>,
) -> Vec<SummaryRow> {
    let mut out = Vec::new();
    for root in roots {
        let (own, linked, linked_from) = match rollups.get(&root.code) {
            Some(r) => (r.own, r.linked, r.linked_from.clone()),
            None if root.kind == NodeKind::Theme => continue,
            None => {
                let mut c = Counts::default();
                nodes
                    .iter()
                    .flat_map(|n| n.indicators.iter())
                    .for_each(|card| c.add(card.row.status));
                (c, Counts::default(), Vec::new())
            }
        };
        out.push(SummaryRow {
            code: root.code.clone(),
            title: root.title.clone(),
            kind: root.kind,
            own,
            linked,
            linked_from,
        });
    }
    out
}

/// The card of one indicator: its row, its chart and the notes on its actuals.
fn card(
    ind: &Indicator,
    row: ProgressRow,
    values: &[&PeriodValue],
    base: Option<(i32, i32)>,
    period: FiscalPeriod,
) -> IndicatorCard {
    let start = None;
    let value_years: BTreeSet<i32> = values.iter().map(|v| v.period.year).collect();
    let actuals: Vec<(i32, progress::Actual)> = value_years
        .iter()
        .filter_map(|y| {
            progress::actual(ind, FiscalPeriod::year(*y), values, start).map(|a| (*y, a))
        })
        .collect();
    let target_years = ind
        .targets
        .keys()
        .filter(|p| !p.is_quarter())
        .map(|p| p.year);
    let wanted: Vec<i32> = actuals
        .iter()
        .map(|(y, _)| *y)
        .chain(target_years)
        .collect();
    let (lo, hi) = axis_years(base, period.year, &wanted);
    let chart = (!actuals.is_empty()).then(|| Chart {
        years: (lo..=hi)
            .map(|y| {
                let a = actuals.iter().find(|(ay, _)| *ay == y).map(|(_, a)| a);
                YearPoint {
                    year: y,
                    actual: a.map(|a| a.value),
                    target: ind.targets.get(&FiscalPeriod::year(y)).copied(),
                    quarters: a.and_then(|a| a.quarters_reported),
                }
            })
            .collect(),
        baseline: ind.baseline,
        unit: ind.unit.clone(),
        percent: ind.is_percent(),
        highlight: period.year,
    });
    let off_chart = actuals
        .iter()
        .filter(|(y, _)| *y < lo || *y > hi)
        .map(|(y, a)| (FiscalPeriod::year(*y), a.value))
        .collect();
    let mut notes: Vec<(FiscalPeriod, String)> = actuals
        .iter()
        .filter_map(|(y, a)| a.explanation.clone().map(|n| (FiscalPeriod::year(*y), n)))
        .collect();
    // The report's own period first (a quarter's note stands on its own).
    if let Some(n) = &row.explanation {
        notes.retain(|(p, _)| *p != period.fiscal_year() || period.is_quarter());
        notes.insert(0, (period, n.clone()));
    }
    IndicatorCard {
        row,
        illustrative: ind.illustrative,
        baseline: ind.baseline,
        targets: ind.targets.iter().map(|(p, v)| (*p, *v)).collect(),
        chart,
        notes,
        off_chart,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_covers_the_strategy_and_the_report_year() {
        assert_eq!(axis_years(Some((2018, 2022)), 2022, &[]), (2018, 2022));
        assert_eq!(axis_years(Some((2018, 2022)), 2024, &[]), (2018, 2024));
        assert_eq!(axis_years(None, 2022, &[]), (2022, 2022));
        assert_eq!(axis_years(None, 2022, &[2019, 2021]), (2019, 2022));
    }

    #[test]
    fn axis_stretches_to_values_outside_the_strategy_within_the_limit() {
        // Values only before the strategy period: drawn when close enough.
        assert_eq!(axis_years(Some((2018, 2022)), 2022, &[2013]), (2013, 2022));
        assert_eq!(axis_years(Some((2018, 2022)), 2022, &[2023]), (2018, 2023));
        // Too far back: the axis stops at MAX_YEARS and the value is listed off the chart.
        let (lo, hi) = axis_years(Some((2018, 2022)), 2022, &[1990]);
        assert_eq!((lo, hi), (2022 - MAX_YEARS + 1, 2022));
        // Later years win the budget first.
        let (lo, hi) = axis_years(Some((2018, 2022)), 2022, &[2000, 2030]);
        assert_eq!(hi, 2030);
        assert_eq!(hi - lo + 1, MAX_YEARS);
    }

    const FW: &str = r#"
[strategy]
code = "t"
title = "T"
version = "v1"
start = "FY2021"
end = "FY2023"

[[goal]]
code = "G1"
title = "Goal"

  [[goal.indicator]]
  code = "Q1"
  title = "Quarterly"
  unit = "visits"
  direction = "increase"
  frequency = "quarterly"
  targets = { FY2022 = 100 }

  [[goal.indicator]]
  code = "A1"
  title = "Annual, never reported"
  unit = "%"
  direction = "decrease"
  targets = { FY2022 = 10 }
"#;

    fn value(code: &str, period: &str, v: f64, note: Option<&str>) -> PeriodValue {
        PeriodValue::total(code, period.parse().unwrap(), v, note)
    }

    #[test]
    fn quarters_make_the_fiscal_year_of_a_chart_and_notes_come_period_first() {
        let fw = crate::framework::parse_str(FW, "f.toml").unwrap();
        let values = vec![
            value("Q1", "FY2022Q1", 20.0, Some("slow start")),
            value("Q1", "FY2022Q2", 30.0, None),
            value("Q1", "FY2021", 80.0, Some("first year")),
        ];
        let period = FiscalPeriod::year(2022);
        let page = build(&fw, "v1", period, &values, None, "2026-01-15T12:00:00Z").unwrap();
        let cards: Vec<&IndicatorCard> = page.cards().collect();
        assert_eq!(cards.len(), 2);
        let q = cards[0];
        let chart = q.chart.as_ref().unwrap();
        let years: Vec<(i32, Option<f64>, Option<usize>)> = chart
            .years
            .iter()
            .map(|p| (p.year, p.actual, p.quarters))
            .collect();
        assert_eq!(
            years,
            vec![
                (2021, Some(80.0), None),
                (2022, Some(50.0), Some(2)),
                (2023, None, None)
            ]
        );
        assert_eq!(q.row.status, Status::Short);
        assert!(!q.row.needs_explanation, "the quarter's note explains it");
        assert_eq!(
            q.notes,
            vec![
                (period, "slow start".to_string()),
                (FiscalPeriod::year(2021), "first year".to_string())
            ]
        );
        assert!(cards[1].chart.is_none());
        assert!(page.any_values);
        assert_eq!(page.summary.len(), 1);
        assert_eq!(page.summary[0].own.get(Status::Short), 1);
        assert_eq!(page.summary[0].own.get(Status::NoData), 1);
    }

    #[test]
    fn a_long_strategy_keeps_its_last_years() {
        let (lo, hi) = axis_years(Some((1990, 2030)), 2025, &[]);
        assert_eq!((lo, hi), (2030 - MAX_YEARS + 1, 2030));
    }
}
