//! The strategy review page behind `ics report`: what the page shows, built from the framework
//! and the current values (totals and single-key disaggregations), with no SQL and no HTML.
//!
//! [`build`] reuses the progress definitions ([`crate::progress::build`]) for every status,
//! percent and roll-up, so the page and `ics progress` always agree (issue 13: achieved,
//! deviation, target to date, derived, cumulative and ratio actuals). It adds what a reader of
//! the page needs: the tree in strategy order with the DO links both ways, and per indicator the
//! actual and target of each period for its chart, from the same [`progress::actual`] and
//! [`progress::target`].
//!
//! A year's review charts fiscal years: the axis covers the strategy's fiscal years (and the
//! report's), stretched to reach any year with an actual or a target as long as it stays at most
//! [`MAX_YEARS`] long. A quarter's review charts quarters, with quarter targets: the four
//! quarters of each year from the first to the last with a quarter value or quarter target (at
//! most [`MAX_QUARTER_YEARS`] years, always the report's); an indicator with no quarter value or
//! target at all (a yearly one) keeps its fiscal-year chart. Values further out are listed under
//! the chart as "not on the chart", so nothing recorded is silently dropped. [`html::page`]
//! writes the page.

pub mod axis;
mod card;
pub mod escape;
pub mod html;
pub mod svg;

use std::collections::{BTreeSet, HashMap};

use crate::error::Error;
use crate::framework::{
    Alignment, Baseline, Cdcs, Direction, Framework, Indicator, Node, NodeKind, Ratio,
};
use crate::period::FiscalPeriod;
use crate::progress::{self, Counts, Line, PeriodValue, ProgressRow, Selection};

pub use crate::progress::Status;

/// The longest chart axis, in fiscal years.
pub const MAX_YEARS: i32 = 15;

/// The longest quarter chart axis, in fiscal years (four bars each).
pub const MAX_QUARTER_YEARS: i32 = 5;

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
    /// The `[cdcs]` table, if the framework has one.
    pub cdcs: Option<Cdcs>,
    /// One row per top-level node shown (goals, Management Objectives, DOs, themes with
    /// indicators).
    pub summary: Vec<SummaryRow>,
    /// Every node shown, in strategy order (parents first), with its indicators.
    pub nodes: Vec<NodeEntry>,
    /// With `--include-submitted`, what the page says about the values it counts that are not
    /// yet approved.
    pub submitted: Option<String>,
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
    /// The DOs, Intermediate Results and sub-results that support it, whichever side the
    /// file wrote the link on: (code, title).
    pub supported_by: Vec<(String, String)>,
    /// For a DO, an Intermediate Result or a sub-result, the objectives it supports:
    /// (code, title).
    pub supports: Vec<(String, String)>,
    /// Its sections as the document writes them: (heading, text) for description,
    /// justification, linkages, risks and a DO's development hypothesis, those given only.
    pub sections: Vec<(&'static str, String)>,
    /// The objectives of other strategies it aligns with.
    pub aligns_with: Vec<Alignment>,
    /// For a theme, the nodes it applies to: (code, title).
    pub applies_to: Vec<(String, String)>,
    pub indicators: Vec<IndicatorCard>,
}

/// One indicator: its progress for the period, what lies behind the figures, its chart, and
/// the notes on its values.
#[derive(Debug, Clone)]
pub struct IndicatorCard {
    pub row: ProgressRow,
    /// The targets are illustrative (no document states them).
    pub illustrative: bool,
    pub baseline: Option<Baseline>,
    /// Every target, in period order.
    pub targets: Vec<(FiscalPeriod, f64)>,
    /// The period's target is built from its four quarter targets (definition 1).
    pub target_from_quarters: bool,
    /// Which quarters a fiscal year's actual combines (bit 0 for Q1); 0 when it is not made of
    /// quarters.
    pub quarters_mask: u8,
    /// The disaggregation keys a derived total was made from (`sex`).
    pub derived_from: Vec<String>,
    /// A ratio indicator's labels of its numerator and denominator.
    pub ratio: Option<Ratio>,
    /// A cumulative indicator's first fiscal year of the running total.
    pub running_from: Option<i32>,
    /// `None` when no actual is recorded for any period of the chart's kind.
    pub chart: Option<Chart>,
    /// Notes and explanations on the actuals of the other periods charted, in period order
    /// (the report's own period is [`ProgressRow::explanation`]).
    pub notes: Vec<(FiscalPeriod, String)>,
    /// Actuals of periods outside the chart's axis.
    pub off_chart: Vec<(FiscalPeriod, f64)>,
}

/// The data of one chart: actual and target per period on the axis (fiscal years, or the
/// quarters of a quarter's review).
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub points: Vec<Point>,
    /// The baseline, when its period has the length of the chart's (a year baseline on a year
    /// chart, a quarter baseline on a quarter chart); otherwise it would be read against
    /// targets of another length.
    pub baseline: Option<Baseline>,
    pub unit: String,
    pub percent: bool,
    pub direction: Direction,
    /// Actuals and targets are running totals.
    pub cumulative: bool,
    /// The report's period (shaded): a fiscal year on a year chart, a quarter on a quarter one.
    pub highlight: FiscalPeriod,
    /// The report's status (said in the chart's description).
    pub status: Status,
}

impl Chart {
    /// Whether the chart's points are quarters.
    pub fn by_quarter(&self) -> bool {
        self.points.first().is_some_and(|p| p.period.is_quarter())
    }
}

/// One period on a chart's axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub period: FiscalPeriod,
    pub actual: Option<f64>,
    pub target: Option<f64>,
    /// The target a year still coming in is judged against (the report's period only).
    pub target_to_date: Option<f64>,
    /// Quarters combined into a fiscal year's actual.
    pub quarters: Option<usize>,
}

impl Page {
    /// Every indicator card, in page order.
    pub fn cards(&self) -> impl Iterator<Item = &IndicatorCard> {
        self.nodes.iter().flat_map(|n| n.indicators.iter())
    }

    /// The indicators that need an explanation (exceeded or short, with no note or
    /// explanation on the values behind the actual), in page order.
    pub fn needs_explanation(&self) -> impl Iterator<Item = &IndicatorCard> {
        self.cards().filter(|c| c.row.needs_explanation)
    }

    /// Whether `code` is a node shown on the page (so a link to it leads somewhere).
    pub fn shows_node(&self, code: &str) -> bool {
        self.nodes.iter().any(|n| n.code == code)
    }
}

/// The first and last fiscal year of a chart's axis, at most `max` years long.
///
/// It starts from `base` (the strategy period, else the report's year) widened to the report's
/// year, then stretches to the latest and then the earliest of `wanted` (years with an actual or
/// a target) while it stays at most `max` long. A base longer than that keeps its last years,
/// and always the report's year.
fn axis_span(base: Option<(i32, i32)>, report: i32, wanted: &[i32], max: i32) -> (i32, i32) {
    let (lo, hi) = base.unwrap_or((report, report));
    let (mut lo, mut hi) = (lo.min(report), hi.max(report));
    if hi - lo + 1 > max {
        lo = hi - max + 1;
        if report < lo {
            (lo, hi) = (report, report + max - 1);
        }
    }
    let latest = wanted.iter().copied().max().unwrap_or(hi);
    let hi = hi.max(latest.min(lo + max - 1));
    let earliest = wanted.iter().copied().min().unwrap_or(lo);
    let lo = lo.min(earliest.max(hi - max + 1));
    (lo, hi)
}

/// The first and last fiscal year of a year chart's axis: [`axis_span`] with [`MAX_YEARS`].
pub fn axis_years(base: Option<(i32, i32)>, report: i32, wanted: &[i32]) -> (i32, i32) {
    axis_span(base, report, wanted, MAX_YEARS)
}

/// Build the page for `period` from the current values of the framework's indicators (totals
/// and single-key disaggregations, all periods), keeping the `node` subtree when given.
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
    let at = Where {
        base: strategy_years.map(|(s, e)| (s.year, e.year)),
        start: fw.strategy.start.map(|s| s.year),
        period,
    };
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
                Some(card(ind, row, vals, &at))
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
            sections: [
                ("Description", &n.description),
                ("Justification", &n.justification),
                ("Linkages", &n.linkages),
                ("Risks", &n.risks),
                ("Development hypothesis", &n.hypothesis),
            ]
            .into_iter()
            .filter_map(|(h, t)| Some((h, t.clone()?)))
            .filter(|(_, t)| !t.trim().is_empty())
            .collect(),
            aligns_with: n.aligns_with.clone(),
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
        cdcs: fw.strategy.cdcs.clone(),
        summary,
        nodes,
        submitted: None,
    })
}

/// One summary row per root: the progress roll-up where there is one, else (a node progress
/// leaves out for having no indicators, or a sub-objective or result given to `--node`) its
/// subtree counted here. Themes without indicators are left out.
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
                // The root's subtree: its entry and those after it, up to the next root.
                let mut c = Counts::default();
                nodes
                    .iter()
                    .skip_while(|n| !(n.depth == 0 && n.code == root.code))
                    .enumerate()
                    .take_while(|(i, n)| *i == 0 || n.depth > 0)
                    .flat_map(|(_, n)| n.indicators.iter())
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

/// Where the cards are made: the strategy's years, its first year (a running total's start)
/// and the report's period.
struct Where {
    base: Option<(i32, i32)>,
    start: Option<i32>,
    period: FiscalPeriod,
}

/// The disaggregation keys a derived total of `period` was made from: for each period combined
/// that has no total, the first declared key whose every category has a value (the rule of
/// [`progress::actual`]).
fn derived_keys(
    ind: &Indicator,
    period: FiscalPeriod,
    mask: u8,
    values: &[&PeriodValue],
) -> Vec<String> {
    let periods: Vec<FiscalPeriod> = if mask != 0 {
        (1..=4u8)
            .filter(|q| mask & (1 << (q - 1)) != 0)
            .map(|q| FiscalPeriod::quarter(period.year, q))
            .collect()
    } else {
        vec![period]
    };
    let mut keys: Vec<String> = Vec::new();
    for p in periods {
        let here = |d: &str| {
            values
                .iter()
                .any(|v| v.period == p && v.disaggregation() == d)
        };
        if here("") {
            continue;
        }
        let found = ind
            .disaggregations
            .iter()
            .find(|(key, cats)| cats.iter().all(|c| here(&format!("{key}={c}"))));
        if let Some((key, _)) = found {
            if !keys.contains(key) {
                keys.push(key.clone());
            }
        }
    }
    keys
}

/// The actual of every quarter (`by_quarter`) or every fiscal year with a value.
fn chart_actuals(
    ind: &Indicator,
    values: &[&PeriodValue],
    start: Option<i32>,
    by_quarter: bool,
) -> Vec<(FiscalPeriod, progress::Actual)> {
    let periods: BTreeSet<FiscalPeriod> = values
        .iter()
        .filter(|v| !by_quarter || v.period.is_quarter())
        .map(|v| {
            if by_quarter {
                v.period
            } else {
                v.period.fiscal_year()
            }
        })
        .collect();
    periods
        .into_iter()
        .filter_map(|p| progress::actual(ind, p, values, start).map(|a| (p, a)))
        .collect()
}

/// The card of one indicator: its row, what lies behind its figures, its chart and the notes
/// on its actuals.
fn card(ind: &Indicator, row: ProgressRow, values: &[&PeriodValue], at: &Where) -> IndicatorCard {
    let period = at.period;
    // A quarter's review charts quarters, unless the indicator has no quarter actual (a
    // yearly one): then its fiscal years.
    let quarter_actuals = if period.is_quarter() {
        chart_actuals(ind, values, at.start, true)
    } else {
        Vec::new()
    };
    let by_quarter = !quarter_actuals.is_empty();
    let actuals = if by_quarter {
        quarter_actuals
    } else {
        chart_actuals(ind, values, at.start, false)
    };
    let target_years = ind
        .targets
        .keys()
        .filter(|p| !by_quarter || p.is_quarter())
        .map(|p| p.year);
    let wanted: Vec<i32> = actuals
        .iter()
        .map(|(p, _)| p.year)
        .chain(target_years)
        .collect();
    let (lo, hi) = if by_quarter {
        axis_span(None, period.year, &wanted, MAX_QUARTER_YEARS)
    } else {
        axis_years(at.base, period.year, &wanted)
    };
    let axis: Vec<FiscalPeriod> = (lo..=hi)
        .flat_map(|y| {
            let year = FiscalPeriod::year(y);
            if by_quarter {
                year.quarters().to_vec()
            } else {
                vec![year]
            }
        })
        .collect();
    let highlight = if by_quarter {
        period
    } else {
        period.fiscal_year()
    };
    let same_length = |b: &Baseline| b.period.is_quarter() == by_quarter;
    let chart = (!actuals.is_empty()).then(|| Chart {
        points: axis
            .iter()
            .map(|p| {
                let a = actuals.iter().find(|(ap, _)| ap == p).map(|(_, a)| a);
                Point {
                    period: *p,
                    actual: a.map(|a| a.value),
                    target: progress::target(ind, *p),
                    target_to_date: if *p == period {
                        row.target_to_date
                    } else {
                        None
                    },
                    quarters: a.and_then(|a| a.quarters_reported),
                }
            })
            .collect(),
        baseline: ind.baseline.filter(same_length),
        unit: ind.unit.clone(),
        percent: ind.is_percent(),
        direction: ind.direction,
        cumulative: ind.cumulative,
        highlight,
        status: row.status,
    });
    let off_chart = actuals
        .iter()
        .filter(|(p, _)| p.year < lo || p.year > hi)
        .map(|(p, a)| (*p, a.value))
        .collect();
    // The report's own period's notes are the row's explanation.
    let notes: Vec<(FiscalPeriod, String)> = actuals
        .iter()
        .filter(|(p, _)| *p != period)
        .filter_map(|(p, a)| a.explanation.clone().map(|n| (*p, n)))
        .collect();
    let own = progress::actual(ind, period, values, at.start);
    let quarters_mask = match &own {
        Some(a) if a.quarters_reported.is_some() => a.quarters_mask,
        _ => 0,
    };
    let derived_from = if row.derived {
        derived_keys(ind, period, quarters_mask, values)
    } else {
        Vec::new()
    };
    let running_from = ind.cumulative.then(|| {
        at.start
            .or_else(|| values.iter().map(|v| v.period.year).min())
            .unwrap_or(period.year)
    });
    IndicatorCard {
        target_from_quarters: row.target.is_some() && !ind.targets.contains_key(&period),
        quarters_mask,
        derived_from,
        ratio: ind.ratio.clone(),
        running_from,
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

    fn page_of(fw: &str, period: &str, values: &[PeriodValue]) -> Page {
        let fw = crate::framework::parse_str(fw, "f.toml").unwrap();
        page_with(&fw, period, values)
    }

    fn page_with(fw: &Framework, period: &str, values: &[PeriodValue]) -> Page {
        build(
            fw,
            "v1",
            period.parse().unwrap(),
            values,
            None,
            "2026-01-15T12:00:00Z",
        )
        .unwrap()
    }

    fn card_of<'p>(page: &'p Page, code: &str) -> &'p IndicatorCard {
        page.cards().find(|c| c.row.indicator == code).unwrap()
    }

    /// The card's HTML, as the page writes it.
    fn card_html(page: &Page, code: &str) -> String {
        let html = html::page(page);
        html.match_indices("<article class=\"indicator")
            .map(|(i, _)| &html[i..i + html[i..].find("</article>").unwrap()])
            .find(|a| a.contains(&format!("id=\"{}\"", escape::anchor("i", code))))
            .unwrap()
            .to_string()
    }

    #[test]
    fn quarters_make_the_fiscal_year_of_a_chart_and_notes_of_other_years_stay() {
        let values = vec![
            value("Q1", "FY2022Q1", 20.0, Some("slow start")),
            value("Q1", "FY2022Q2", 30.0, None),
            value("Q1", "FY2021", 80.0, Some("first year")),
        ];
        let page = page_of(FW, "FY2022", &values);
        let cards: Vec<&IndicatorCard> = page.cards().collect();
        assert_eq!(cards.len(), 2);
        let q = cards[0];
        let chart = q.chart.as_ref().unwrap();
        assert!(!chart.by_quarter());
        let years: Vec<(FiscalPeriod, Option<f64>, Option<usize>)> = chart
            .points
            .iter()
            .map(|p| (p.period, p.actual, p.quarters))
            .collect();
        assert_eq!(
            years,
            vec![
                (FiscalPeriod::year(2021), Some(80.0), None),
                (FiscalPeriod::year(2022), Some(50.0), Some(2)),
                (FiscalPeriod::year(2023), None, None)
            ]
        );
        // Two quarters of a `sum` year with no quarter targets: no target to date, so the year
        // is incomplete, not short of the full year's 100.
        assert_eq!(q.row.status, Status::Incomplete);
        assert_eq!(q.row.target_to_date, None);
        assert!(q.row.partial);
        assert_eq!(q.quarters_mask, 0b0011);
        assert!(!q.row.needs_explanation);
        assert_eq!(q.row.explanation.as_deref(), Some("slow start"));
        assert_eq!(
            q.notes,
            vec![(FiscalPeriod::year(2021), "first year".to_string())]
        );
        assert!(cards[1].chart.is_none());
        assert!(page.any_values);
        assert_eq!(page.summary.len(), 1);
        assert_eq!(page.summary[0].own.get(Status::Incomplete), 1);
        assert_eq!(page.summary[0].own.get(Status::NoData), 1);
        let html = card_html(&page, "Q1");
        assert!(html.contains("◐ incomplete"), "{html}");
        assert!(
            html.contains("nothing yet: quarters 1-2 reported, and no target to date"),
            "{html}"
        );
        assert!(html.contains(
            "50 visits <span class=\"muted\">(quarters 1-2 of 4 reported, a partial year)"
        ));
    }

    const QUARTERLY: &str = r#"
[strategy]
code = "t"
title = "T"
version = "v1"
start = "FY2023"
end = "FY2025"

[[goal]]
code = "G1"
title = "Goal"

  [[goal.indicator]]
  code = "V"
  title = "Visits"
  unit = "visits"
  direction = "increase"
  frequency = "quarterly"
  baseline = { period = "FY2023", value = 10 }
  targets = { FY2024 = 16, FY2023Q4 = 3, FY2024Q1 = 4, FY2024Q2 = 4, FY2024Q3 = 4, FY2024Q4 = 4 }

  [[goal.indicator]]
  code = "Y"
  title = "Yearly"
  unit = "people"
  direction = "increase"
  targets = { FY2024 = 10 }
"#;

    #[test]
    fn a_quarter_report_charts_quarters_with_quarter_targets() {
        let values = vec![
            value("V", "FY2023Q4", 3.0, None),
            value("V", "FY2024Q1", 5.0, None),
            value("V", "FY2024Q2", 4.0, None),
            value("V", "FY2024Q3", 0.0, None),
            value("Y", "FY2023", 8.0, None),
        ];
        let page = page_of(QUARTERLY, "FY2024Q3", &values);
        let v = card_of(&page, "V");
        // 0 against the quarter's target of 4 (not the yearly baseline of 10): short.
        assert_eq!(v.row.status, Status::Short);
        assert_eq!(v.row.target, Some(4.0));
        assert_eq!(
            v.row.progress, None,
            "a year baseline is not set against a quarter"
        );
        let chart = v.chart.as_ref().unwrap();
        assert!(chart.by_quarter());
        assert_eq!(chart.highlight, "FY2024Q3".parse().unwrap());
        let points: Vec<(String, Option<f64>, Option<f64>)> = chart
            .points
            .iter()
            .map(|p| (p.period.to_string(), p.actual, p.target))
            .collect();
        assert_eq!(
            points,
            vec![
                ("FY2023Q1".into(), None, None),
                ("FY2023Q2".into(), None, None),
                ("FY2023Q3".into(), None, None),
                ("FY2023Q4".into(), Some(3.0), Some(3.0)),
                ("FY2024Q1".into(), Some(5.0), Some(4.0)),
                ("FY2024Q2".into(), Some(4.0), Some(4.0)),
                ("FY2024Q3".into(), Some(0.0), Some(4.0)),
                ("FY2024Q4".into(), None, Some(4.0)),
            ]
        );
        // The yearly baseline is not drawn against quarter targets.
        assert_eq!(chart.baseline, None);
        let svg = svg::chart(chart, "c", "V");
        assert!(svg.contains(r#"data-by="quarter""#));
        for label in ["FY2023Q4", "FY2024Q1", "FY2024Q3"] {
            assert!(svg.contains(&format!(">{label}</text>")), "{label}: {svg}");
        }
        assert!(!svg.contains(">FY2024</text>"), "no whole years: {svg}");
        assert!(svg.contains("FY2024Q3: ▼ short"), "{svg}");
        // A yearly indicator with no quarter value keeps its fiscal years, and says so.
        let y = card_of(&page, "Y");
        assert!(!y.chart.as_ref().unwrap().by_quarter());
        let html = card_html(&page, "Y");
        assert!(html.contains("No actual recorded for any quarter: charted by fiscal year."));
        // The same indicator in a year's review: fiscal years, the year from its quarters.
        let page = page_of(QUARTERLY, "FY2024", &values);
        let v = card_of(&page, "V");
        let chart = v.chart.as_ref().unwrap();
        assert!(!chart.by_quarter());
        let fy24 = chart
            .points
            .iter()
            .find(|p| p.period == FiscalPeriod::year(2024))
            .unwrap();
        assert_eq!((fy24.actual, fy24.target), (Some(9.0), Some(16.0)));
        // Judged to date: quarters 1-3 (5 + 4 + 0) against 4 + 4 + 4.
        assert_eq!(fy24.target_to_date, Some(12.0));
        assert_eq!(v.row.status, Status::Short);
        let html = card_html(&page, "V");
        assert!(
            html.contains("the target to date: 12 visits, quarters 1-3 reported"),
            "{html}"
        );
        assert!(svg::chart(chart, "c", "V").contains(r#"class="target-to-date""#));
    }

    #[test]
    fn many_quarters_are_labelled_by_quarter_and_year() {
        let values: Vec<PeriodValue> = (2021..=2025)
            .flat_map(|y| (1..=4).map(move |q| (y, q)))
            .map(|(y, q)| value("V", &format!("FY{y}Q{q}"), 4.0, None))
            .collect();
        let page = page_of(QUARTERLY, "FY2025Q2", &values);
        let chart = card_of(&page, "V").chart.clone().unwrap();
        assert_eq!(chart.points.len(), 20, "five years of quarters at most");
        let svg = svg::chart(&chart, "c", "V");
        assert!(
            svg.contains(">Q1</text>") && svg.contains(">FY2025</text>"),
            "{svg}"
        );
        // Only the report's bar is labelled when the bars are narrow.
        assert_eq!(svg.matches(r#"class="value""#).count(), 1, "{svg}");
    }

    const DIRECTIONS: &str = r#"
[strategy]
code = "t"
title = "T"
version = "v1"
start = "FY2022"
end = "FY2024"

[[goal]]
code = "G1"
title = "Goal"

  [[goal.indicator]]
  code = "POV"
  title = "Extreme poverty"
  unit = "percent"
  direction = "decrease"
  baseline = { period = "FY2021", value = 40 }
  targets = { FY2024 = 33 }

  [[goal.indicator]]
  code = "UP"
  title = "Visits"
  unit = "visits"
  direction = "increase"
  targets = { FY2024 = 100 }
"#;

    /// The y of the report's bar top and of its target mark, in a one-point chart.
    fn bar_and_target(svg: &str) -> (f64, f64) {
        let attr = |el: &str, name: &str| -> f64 {
            let rest = &el[el.find(&format!(" {name}=\"")).unwrap() + name.len() + 3..];
            rest[..rest.find('"').unwrap()].parse().unwrap()
        };
        let el = |class: &str| {
            let at = svg.find(&format!("class=\"{class}\"")).unwrap();
            let start = svg[..at].rfind('<').unwrap();
            &svg[start..at]
        };
        (attr(el("bar"), "y"), attr(el("target"), "y1"))
    }

    #[test]
    fn a_decrease_indicator_reads_the_right_way() {
        // 40 against 33 when lower is better: short, and its bar stands above the target line.
        let page = page_of(DIRECTIONS, "FY2024", &[value("POV", "FY2024", 40.0, None)]);
        let c = card_of(&page, "POV");
        assert_eq!(c.row.status, Status::Short);
        assert!(c.row.needs_explanation);
        let chart = c.chart.as_ref().unwrap();
        let svg = svg::chart(chart, "c", "POV");
        assert!(svg.contains("↓ lower is better"), "{svg}");
        let (bar, target) = bar_and_target(&svg);
        assert!(
            bar < target,
            "the bar rises past the line: {bar} < {target}"
        );
        let html = card_html(&page, "POV");
        assert!(html.contains("▼ short"), "{html}");
        assert!(html.contains("<dt>Deviation</dt><dd>+21.2%</dd>"), "{html}");
        assert!(html.contains("<dt>% of target achieved</dt><dd>121.2%</dd>"));
        assert!(html.contains("percent</bdi>, lower is better"));
        assert!(html.contains("⚠ Needs explanation: short by more than 10%"));
        for wrong in ["above", "below", "exceeded"] {
            assert!(!html.contains(wrong), "{wrong}: {html}");
        }
        // 29 against 33: exceeded, its bar under the line.
        let page = page_of(DIRECTIONS, "FY2024", &[value("POV", "FY2024", 29.0, None)]);
        let c = card_of(&page, "POV");
        assert_eq!(c.row.status, Status::Exceeded);
        let svg = svg::chart(c.chart.as_ref().unwrap(), "c", "POV");
        let (bar, target) = bar_and_target(&svg);
        assert!(
            bar > target,
            "the bar stays under the line: {bar} > {target}"
        );
        let html = card_html(&page, "POV");
        assert!(
            html.contains("▲ exceeded") && html.contains("<dd>-12.1%</dd>"),
            "{html}"
        );
        // Progress from the year baseline, for a year.
        assert!(
            html.contains("<dt>Progress from baseline</dt><dd>157.1%"),
            "{html}"
        );
    }

    #[test]
    fn the_page_uses_the_progress_words_and_legend() {
        let values = [
            value("POV", "FY2024", 40.0, None),
            value("UP", "FY2024", 105.0, None),
        ];
        let page = page_of(DIRECTIONS, "FY2024", &values);
        let html = html::page(&page);
        for needle in [
            "▲ exceeded</span> better than the target by more than 10%",
            "● on target</span> within ±10% of the target",
            "▼ short</span> worse than the target by more than 10%",
            "◐ incomplete</span> a year still coming in with no target to date",
            "○ no data</span> no actual recorded for FY2024",
            "– no target</span> no target set for FY2024",
            "▼ 1 short</span> · 1 on target",
            "<code>ics explain CODE FY2024 \"...\"</code>",
            "▼ short</span>, 121.2% of target, deviation +21.2% — under <bdi>G1",
            ".s-incomplete { background: #f3d58a; color: #1a1a1a; }",
        ] {
            assert!(html.contains(needle), "the page lacks {needle:?}");
        }
        for old in ["below target", "above target", "Progress is (actual"] {
            assert!(!html.contains(old), "old wording {old:?}");
        }
        let legend: Vec<Status> = html::legend(&page).into_iter().map(|(s, _)| s).collect();
        assert_eq!(legend, Status::ALL.to_vec());
        // An explanation clears the flag and shows, escaped.
        let values = [value(
            "POV",
            "FY2024",
            40.0,
            Some("<b>drought</b> & prices"),
        )];
        let page = page_of(DIRECTIONS, "FY2024", &values);
        let html = card_html(&page, "POV");
        assert!(!html.contains("Needs explanation"));
        assert!(html.contains(
            "<dt>Explanation</dt><dd><bdi class=\"explanation\">&lt;b&gt;drought&lt;/b&gt; &amp; prices</bdi>"
        ));
        assert_eq!(page.needs_explanation().count(), 0);
    }

    const KINDS: &str = r#"
[strategy]
code = "t"
title = "T"
version = "v1"
start = "FY2022"
end = "FY2024"

[[goal]]
code = "G1"
title = "Goal"

  [[goal.indicator]]
  code = "CUM"
  title = "Trained, cumulative"
  unit = "people"
  direction = "increase"
  targets = { FY2022 = 100, FY2023 = 250 }

  [[goal.indicator]]
  code = "SEX"
  title = "Trained by sex"
  unit = "people"
  direction = "increase"
  disaggregations = { sex = ["female", "male"] }
  targets = { FY2023 = 1500 }

  [[goal.indicator]]
  code = "RATE"
  title = "Vaccination rate"
  unit = "percent"
  direction = "increase"
  targets = { FY2023 = 76 }
"#;

    fn parts(code: &str, period: &str, n: f64, d: f64) -> PeriodValue {
        value(code, period, n / d * 100.0, None).with("", Some((n, d)))
    }

    #[test]
    fn cards_say_what_lies_behind_the_actual() {
        let mut fw = crate::framework::parse_str(KINDS, "f.toml").unwrap();
        for ind in fw.nodes.iter_mut().flat_map(|n| n.indicators.iter_mut()) {
            match ind.code.as_str() {
                "CUM" => ind.cumulative = true,
                "RATE" => {
                    ind.ratio = Some(Ratio {
                        numerator: "vaccinated".into(),
                        denominator: "<eligible>".into(),
                    })
                }
                _ => {}
            }
        }
        let female = |p: &str, v: f64| value("SEX", p, v, None).with("sex=female", None);
        let male = |p: &str, v: f64| value("SEX", p, v, None).with("sex=male", None);
        let values = vec![
            value("CUM", "FY2022", 90.0, None),
            value("CUM", "FY2023", 150.0, None),
            female("FY2023", 1234.0),
            male("FY2023", 210.0),
            parts("RATE", "FY2023", 748.0, 1000.0),
        ];
        let page = page_with(&fw, "FY2023", &values);
        let cum = card_of(&page, "CUM");
        assert_eq!(cum.row.actual, Some(240.0));
        assert_eq!(cum.row.status, Status::OnTarget);
        assert_eq!(cum.running_from, Some(2022));
        let bars: Vec<Option<f64>> = cum
            .chart
            .as_ref()
            .unwrap()
            .points
            .iter()
            .map(|p| p.actual)
            .collect();
        assert_eq!(bars, vec![Some(90.0), Some(240.0), None], "running totals");
        let html = card_html(&page, "CUM");
        assert!(html.contains("running total since FY2022"), "{html}");
        assert!(html.contains("cumulative (targets are running totals)"));
        let sex = card_of(&page, "SEX");
        assert_eq!(sex.row.actual, Some(1444.0));
        assert_eq!(sex.derived_from, vec!["sex".to_string()]);
        assert!(card_html(&page, "SEX").contains("total derived from sex"));
        let rate = card_of(&page, "RATE");
        assert_eq!(rate.row.numerator, Some(748.0));
        let html = card_html(&page, "RATE");
        assert!(
            html.contains("<dt>Ratio parts</dt><dd><bdi>vaccinated</bdi> 748 ÷ <bdi>&lt;eligible&gt;</bdi> 1,000</dd>"),
            "{html}"
        );
        assert!(html.contains("<dd>98.4%</dd>") && html.contains("● on target"));
    }

    #[test]
    fn a_long_strategy_keeps_its_last_years() {
        let (lo, hi) = axis_years(Some((1990, 2030)), 2025, &[]);
        assert_eq!((lo, hi), (2030 - MAX_YEARS + 1, 2030));
        // ... unless the report's year is earlier: the axis keeps it.
        let (lo, hi) = axis_years(Some((1990, 2030)), 1995, &[]);
        assert_eq!((lo, hi), (1995, 1995 + MAX_YEARS - 1));
    }
}
