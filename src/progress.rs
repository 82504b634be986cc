//! Progress against targets: the definitions behind `ics progress`, as pure computation.
//!
//! Fed the framework and the current values of its indicators (totals and single-key
//! disaggregations), it makes one [`ProgressRow`] per indicator in strategy order and a
//! [`Rollup`] header over each goal, objective, Management Objective and DO (see [`report`]).
//! The definitions are a contract (issue 13, which replaces issue 4 and docs/decisions.md
//! items 12-17): `achieved` is `actual / target * 100`, `deviation` is
//! `(actual - target) / |target| * 100`, and the status compares |deviation| with the threshold
//! T (with a tolerance of [`TOLERANCE`]) and then the actual with the target in the indicator's
//! direction. Progress from the baseline is an extra figure that never decides the status.
//! No SQL and no terminal here.

use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;

use crate::framework::{Aggregation, Direction, Framework, Frequency, Indicator, Node};
use crate::period::FiscalPeriod;

mod report;

pub use report::{
    build, find_node, index, prepare, Counts, Indexed, Line, Prepared, Report, Rollup, Selection,
};

/// Tolerance when comparing the deviation with the threshold, so exactly 10 % with T = 10 is
/// on target.
pub const TOLERANCE: f64 = 1e-9;

/// Where an indicator stands for the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Better than the target (in the indicator's direction) by more than the threshold.
    Exceeded,
    OnTarget,
    /// Worse than the target by more than the threshold.
    Short,
    /// A fiscal year still coming in, with no target to date to judge it against.
    Incomplete,
    NoData,
    NoTarget,
}

impl Status {
    /// Every status, in the order counts are shown.
    pub const ALL: [Status; 6] = [
        Status::Exceeded,
        Status::OnTarget,
        Status::Short,
        Status::Incomplete,
        Status::NoData,
        Status::NoTarget,
    ];

    /// The machine name (JSON, CSV, `--status`): `on_target`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Exceeded => "exceeded",
            Status::OnTarget => "on_target",
            Status::Short => "short",
            Status::Incomplete => "incomplete",
            Status::NoData => "no_data",
            Status::NoTarget => "no_target",
        }
    }

    /// The words people read (table, markdown, HTML): `on target`.
    pub fn label(self) -> &'static str {
        match self {
            Status::Exceeded => "exceeded",
            Status::OnTarget => "on target",
            Status::Short => "short",
            Status::Incomplete => "incomplete",
            Status::NoData => "no data",
            Status::NoTarget => "no target",
        }
    }

    /// A shape that tells the status without colour: better ▲, on target ●, worse ▼,
    /// incomplete ◐, no data ○, no target –.
    pub fn shape(self) -> char {
        match self {
            Status::Exceeded => '▲',
            Status::OnTarget => '●',
            Status::Short => '▼',
            Status::Incomplete => '◐',
            Status::NoData => '○',
            Status::NoTarget => '–',
        }
    }

    /// Whether the actual deviates from the target by more than the threshold.
    pub fn deviates(self) -> bool {
        matches!(self, Status::Exceeded | Status::Short)
    }
}

/// One current value of an indicator for one period, as stored: its total or one single-key
/// disaggregation (`sex=female`).
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodValue {
    /// The indicator's code, shared by all its values (one allocation per indicator, not per
    /// value: a report on 20,000 indicators reads 100,000 values).
    pub indicator: Arc<str>,
    pub period: FiscalPeriod,
    pub value: f64,
    /// The note, or the explanation `ics explain` added.
    pub note: Option<String>,
    /// What only some values carry: a disaggregation, a ratio's parts. Boxed, so a value
    /// without them (nearly all) stays as small as a total needs.
    pub detail: Option<Box<Detail>>,
}

/// The disaggregation and ratio parts of a [`PeriodValue`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Detail {
    /// Empty for the total; `key=category` for a single-key disaggregation.
    pub disaggregation: String,
    /// A ratio indicator's numerator and denominator.
    pub parts: Option<(f64, f64)>,
}

impl PeriodValue {
    /// A total value (no disaggregation, no ratio parts).
    pub fn total(indicator: &str, period: FiscalPeriod, value: f64, note: Option<&str>) -> Self {
        PeriodValue {
            indicator: indicator.into(),
            period,
            value,
            note: note.map(str::to_string),
            detail: None,
        }
    }

    /// This value with a disaggregation (empty for the total) and ratio parts.
    pub fn with(mut self, disaggregation: &str, parts: Option<(f64, f64)>) -> Self {
        self.detail = (!disaggregation.is_empty() || parts.is_some()).then(|| {
            Box::new(Detail {
                disaggregation: disaggregation.to_string(),
                parts,
            })
        });
        self
    }

    /// `key=category`, or empty for the total.
    pub fn disaggregation(&self) -> &str {
        self.detail.as_deref().map_or("", |d| &d.disaggregation)
    }

    /// A ratio value's numerator and denominator.
    pub fn parts(&self) -> Option<(f64, f64)> {
        self.detail.as_deref().and_then(|d| d.parts)
    }

    fn has_note(&self) -> bool {
        self.note.as_deref().is_some_and(|n| !n.trim().is_empty())
    }

    fn is_total(&self) -> bool {
        self.disaggregation().is_empty()
    }

    /// Whether this is the single-key disaggregation `key=category`.
    fn is_category(&self, key: &str, category: &str) -> bool {
        let d = self.disaggregation().as_bytes();
        d.len() == key.len() + 1 + category.len()
            && d.starts_with(key.as_bytes())
            && d[key.len()] == b'='
            && d.ends_with(category.as_bytes())
    }
}

/// An amount for one period or a combination of periods: a value and, for a ratio indicator
/// whose values all carried them, the summed numerator and denominator.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Figure {
    value: f64,
    parts: Option<(f64, f64)>,
}

impl Figure {
    fn of(v: &PeriodValue) -> Self {
        Figure {
            value: v.value,
            parts: v.parts(),
        }
    }
}

/// A ratio indicator's value from its parts: `N / D * 100` for a percent unit, `N / D`
/// otherwise; `None` for a zero denominator.
pub fn ratio_value(percent: bool, numerator: f64, denominator: f64) -> Option<f64> {
    if denominator == 0.0 {
        return None;
    }
    let v = numerator / denominator * if percent { 100.0 } else { 1.0 };
    v.is_finite().then_some(v + 0.0)
}

/// Figures combined: a ratio indicator's by adding numerators and denominators (never by
/// averaging percents), any other by `how`.
fn combine(ind: &Indicator, how: Aggregation, figures: &[Figure]) -> Option<Figure> {
    let last = figures.last()?;
    let mut sum = 0.0;
    let mut parts = Some((0.0, 0.0));
    for f in figures {
        sum += f.value;
        parts = match (parts, f.parts) {
            (Some((n, d)), Some((fn_, fd))) => Some((n + fn_, d + fd)),
            _ => None,
        };
    }
    if ind.ratio.is_some() {
        if let Some((n, d)) = parts {
            // Parts whose sums overflow, or denominators that cancel out, make no ratio; their
            // percents are never added instead.
            let value = ratio_value(ind.is_percent(), n, d)?;
            return Some(Figure {
                value,
                parts: Some((n, d)),
            });
        }
    }
    let value = match how {
        Aggregation::Sum => sum,
        Aggregation::Mean => sum / figures.len() as f64,
        Aggregation::Last => last.value,
    };
    Some(Figure { value, parts: None })
}

/// Whether a total may be derived from a disaggregation's categories: never for `mean` or
/// `last`, nor for a percent that is not a ratio (percents do not add up).
fn derives(ind: &Indicator) -> bool {
    ind.aggregation == Aggregation::Sum && (ind.ratio.is_some() || !ind.is_percent())
}

/// What the values of one computation have in common: the indicator, its values and the
/// values that carry a note, gathered as they are used.
struct Gather<'v, 'i> {
    ind: &'i Indicator,
    values: &'v [&'v PeriodValue],
    noted: Vec<&'v PeriodValue>,
    /// Whether notes are being gathered (not for the earlier periods of a running total).
    noting: bool,
    derived: bool,
}

impl<'v> Gather<'v, '_> {
    fn note(&mut self, v: &'v PeriodValue) {
        if self.noting && v.has_note() && !self.noted.iter().any(|n| std::ptr::eq(*n, v)) {
            self.noted.push(v);
        }
    }

    /// The current total for `p`.
    fn total(&mut self, p: FiscalPeriod) -> Option<Figure> {
        let v = self
            .values
            .iter()
            .copied()
            .find(|v| v.period == p && v.is_total())?;
        self.note(v);
        Some(Figure::of(v))
    }

    /// The total derived from the first declared disaggregation whose every category has a
    /// value for `p`.
    fn derived(&mut self, p: FiscalPeriod) -> Option<Figure> {
        if self.ind.disaggregations.is_empty() || !derives(self.ind) {
            return None;
        }
        let values = self.values;
        'keys: for (key, categories) in &self.ind.disaggregations {
            let mut found = Vec::with_capacity(categories.len());
            for c in categories {
                match values
                    .iter()
                    .copied()
                    .find(|v| v.period == p && v.is_category(key, c))
                {
                    Some(v) => found.push(v),
                    None => continue 'keys,
                }
            }
            let figures: Vec<Figure> = found.iter().map(|v| Figure::of(v)).collect();
            for v in found {
                self.note(v);
            }
            self.derived = true;
            return combine(self.ind, Aggregation::Sum, &figures);
        }
        None
    }

    /// A quarter's (or an annual indicator's year's) figure: its total, else one derived.
    fn own(&mut self, p: FiscalPeriod) -> Option<Figure> {
        match self.total(p) {
            Some(f) => Some(f),
            None => self.derived(p),
        }
    }

    /// Quarters 1 through `through` of fiscal year `year` that have figures, combined by
    /// `how`, with a mask of the quarters found (bit 0 for Q1).
    fn quarters(&mut self, year: i32, through: u8, how: Aggregation) -> Option<(Figure, u8)> {
        let mut figures = [Figure {
            value: 0.0,
            parts: None,
        }; 4];
        let mut n = 0;
        let mut mask = 0u8;
        for q in 1..=through {
            if let Some(f) = self.own(FiscalPeriod::quarter(year, q)) {
                figures[n] = f;
                n += 1;
                mask |= 1 << (q - 1);
            }
        }
        combine(self.ind, how, &figures[..n]).map(|f| (f, mask))
    }

    /// The figure of period `p` on its own (for a cumulative indicator, its increment), with
    /// the mask of the quarters combined when a fiscal year is made of its quarters.
    fn period(&mut self, p: FiscalPeriod) -> Option<(Figure, Option<u8>)> {
        if p.is_quarter() || self.ind.frequency == Frequency::Annual {
            return self.own(p).map(|f| (f, None));
        }
        if let Some(f) = self.total(p) {
            // A note on any of the year's quarters explains the year too.
            for q in p.quarters() {
                if let Some(v) = self
                    .values
                    .iter()
                    .copied()
                    .find(|v| v.period == q && v.is_total())
                {
                    self.note(v);
                }
            }
            return Some((f, None));
        }
        let how = if self.ind.cumulative {
            Aggregation::Sum
        } else {
            self.ind.aggregation
        };
        if let Some((f, mask)) = self.quarters(p.year, 4, how) {
            return Some((f, Some(mask)));
        }
        self.derived(p).map(|f| (f, None))
    }
}

/// The actual of an indicator for a period.
#[derive(Debug, Clone, PartialEq)]
pub struct Actual {
    pub value: f64,
    /// A ratio indicator's numerator and denominator behind the value.
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    /// How many quarters were combined, when a fiscal year's actual is made of its quarters.
    pub quarters_reported: Option<usize>,
    /// Which quarters those were (bit 0 for Q1).
    pub quarters_mask: u8,
    /// Whether the total was derived from a disaggregation's categories.
    pub derived: bool,
    /// The notes and explanations on the values it was made of, labelled by period when
    /// there are several; `None` when there are none.
    pub explanation: Option<String>,
}

fn explanation(noted: &[&PeriodValue]) -> Option<String> {
    match noted {
        [] => None,
        [one] => one.note.clone(),
        many => Some(
            many.iter()
                .map(|v| {
                    let note = v.note.as_deref().unwrap_or_default();
                    if v.disaggregation().is_empty() {
                        format!("{}: {note}", v.period)
                    } else {
                        format!("{} {}: {note}", v.period, v.disaggregation())
                    }
                })
                .collect::<Vec<_>>()
                .join("; "),
        ),
    }
}

/// The actual of `ind` for `period` (definitions 2, 6 and 7), from the indicator's current
/// values (any periods, totals and single-key disaggregations). `start` is the strategy's
/// first fiscal year, where a cumulative indicator's running total begins.
pub fn actual(
    ind: &Indicator,
    period: FiscalPeriod,
    values: &[&PeriodValue],
    start: Option<i32>,
) -> Option<Actual> {
    let mut g = Gather {
        ind,
        values,
        noted: Vec::new(),
        noting: true,
        derived: false,
    };
    let (own, mask) = g.period(period)?;
    let derived = g.derived;
    let explanation = explanation(&g.noted);
    let figure = if ind.cumulative {
        running_total(&mut g, period, own, start)?
    } else {
        own
    };
    let (numerator, denominator) = match (ind.ratio.is_some(), figure.parts) {
        (true, Some((n, d))) => (Some(n), Some(d)),
        _ => (None, None),
    };
    Some(Actual {
        value: figure.value,
        numerator,
        denominator,
        quarters_reported: mask.map(|m| m.count_ones() as usize),
        quarters_mask: mask.unwrap_or(0),
        derived,
        explanation,
    })
}

/// A cumulative indicator's running total through `period`, whose own increment is `own`:
/// every fiscal year from `start` (or the first year with a value) before the period's, each
/// as its own value or its quarters (never both), then the period's year (a quarter adds its
/// year's quarters through it). Notes come from the period's own values only.
fn running_total(
    g: &mut Gather,
    period: FiscalPeriod,
    own: Figure,
    start: Option<i32>,
) -> Option<Figure> {
    g.noting = false;
    let first = start
        .or_else(|| g.values.iter().map(|v| v.period.year).min())
        .unwrap_or(period.year);
    let mut figures: Vec<Figure> = Vec::new();
    for y in first..period.year {
        if let Some((f, _)) = g.period(FiscalPeriod::year(y)) {
            figures.push(f);
        }
    }
    match period.quarter {
        None => figures.push(own),
        Some(q) => figures.extend(g.quarters(period.year, q, Aggregation::Sum).map(|(f, _)| f)),
    }
    combine(g.ind, Aggregation::Sum, &figures)
}

/// The target of `ind` for `period` (definition 1): its own, or for a fiscal year of a
/// quarterly indicator with targets for all four quarters, those combined by its aggregation
/// (a cumulative indicator's quarter targets are running totals: the fourth is the year's).
pub fn target(ind: &Indicator, period: FiscalPeriod) -> Option<f64> {
    if let Some(t) = ind.targets.get(&period) {
        return Some(*t);
    }
    if period.is_quarter() || ind.frequency != Frequency::Quarterly {
        return None;
    }
    let mut q = [0.0; 4];
    for (slot, p) in q.iter_mut().zip(period.quarters()) {
        *slot = *ind.targets.get(&p)?;
    }
    let how = if ind.cumulative {
        Aggregation::Last
    } else {
        ind.aggregation
    };
    Some(match how {
        Aggregation::Sum => q.iter().sum(),
        Aggregation::Mean => q.iter().sum::<f64>() / 4.0,
        Aggregation::Last => q[3],
    })
}

/// The status of an actual against a target with threshold `t` (definition 5, complete
/// periods).
pub fn judge(direction: Direction, target: f64, actual: f64, t: f64) -> Status {
    let better = match direction {
        Direction::Increase => actual > target,
        Direction::Decrease => actual < target,
    };
    let on = if target == 0.0 {
        actual == 0.0
    } else {
        deviation(target, actual).is_some_and(|d| d.abs() <= t + TOLERANCE)
    };
    if on {
        Status::OnTarget
    } else if better {
        Status::Exceeded
    } else {
        Status::Short
    }
}

/// `x` unless it is not finite, without a negative zero (so no output says `-0`).
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x + 0.0)
}

/// `actual / target * 100`; `None` for a zero target.
pub fn achieved(target: f64, actual: f64) -> Option<f64> {
    if target == 0.0 {
        return None;
    }
    finite(actual * 100.0 / target)
}

/// `(actual - target) / |target| * 100`; `None` for a zero target.
pub fn deviation(target: f64, actual: f64) -> Option<f64> {
    if target == 0.0 {
        return None;
    }
    finite((actual - target) * 100.0 / target.abs())
}

/// `(actual - baseline) / (target - baseline) * 100`; `None` when the target equals the baseline.
pub fn from_baseline(baseline: f64, target: f64, actual: f64) -> Option<f64> {
    if target == baseline {
        return None;
    }
    finite((actual - baseline) * 100.0 / (target - baseline))
}

/// One indicator's progress for the period. Serialises as the contract's JSON object: every
/// key always present, null or false where it does not apply.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgressRow {
    pub indicator: String,
    pub title: String,
    /// Code of the node the indicator sits under. This, the path and the unit are shared by
    /// the rows that show the same text (a report on 20,000 indicators makes them once per
    /// node or unit, not once per row).
    pub node: Arc<str>,
    /// Codes from the top-level node down, joined by ` > `.
    pub path: Arc<str>,
    pub period: FiscalPeriod,
    pub unit: Arc<str>,
    pub direction: Direction,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    /// For a fiscal year still coming in, the target of the quarters reported so far, which
    /// `achieved` and `deviation` then use.
    pub target_to_date: Option<f64>,
    pub actual: Option<f64>,
    /// `actual / target * 100`: the "% of target achieved" of an indicator tracking table.
    pub achieved: Option<f64>,
    /// `(actual - target) / |target| * 100`.
    pub deviation: Option<f64>,
    /// Progress from the baseline toward the target, in percent (never decides the status).
    pub progress: Option<f64>,
    pub status: Status,
    pub needs_explanation: bool,
    pub explanation: Option<String>,
    /// Quarters combined into the actual, when a fiscal year's actual is made of its quarters.
    pub quarters_reported: Option<usize>,
    /// Whether fewer than four quarters were combined.
    pub partial: bool,
    /// Whether the actual was derived from a disaggregation's categories.
    pub derived: bool,
    pub cumulative: bool,
    /// A ratio indicator's numerator and denominator behind the actual.
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    /// Actuals across the report's trend periods (empty unless asked for).
    #[serde(skip)]
    pub trend: Vec<Option<f64>>,
    /// The actual includes values submitted but not yet approved (`--include-submitted`);
    /// the key appears only then.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub submitted: bool,
}

/// The row of `ind` (under `node`) for `period`; `values` are the indicator's current values.
pub fn row(
    fw: &Framework,
    node: &Node,
    ind: &Indicator,
    period: FiscalPeriod,
    values: &[&PeriodValue],
) -> ProgressRow {
    row_at(
        fw,
        ind,
        period,
        values,
        node.code.as_str().into(),
        fw.path(&node.code).join(" > ").into(),
        ind.unit.as_str().into(),
    )
}

/// The target a partial fiscal year is judged against (definition 5): `Ok(Some)` the target to
/// date, `Ok(None)` the year's own target, `Err(())` none: the year is incomplete.
fn to_date(ind: &Indicator, year: i32, mask: u8) -> Result<Option<f64>, ()> {
    let mut reported = (1..=4u8).filter(|q| mask & (1 << (q - 1)) != 0);
    if ind.cumulative {
        let latest = reported.next_back().ok_or(())?;
        return ind
            .targets
            .get(&FiscalPeriod::quarter(year, latest))
            .map(|t| Some(*t))
            .ok_or(());
    }
    if ind.aggregation != Aggregation::Sum || ind.ratio.is_some() {
        return Ok(None);
    }
    let mut sum = 0.0;
    for q in reported {
        sum += ind.targets.get(&FiscalPeriod::quarter(year, q)).ok_or(())?;
    }
    Ok(Some(sum))
}

/// [`row`] with the node's code, its path and the indicator's unit already made: a whole report
/// makes each once and shares it among the rows that show it (instead of walking the tree for
/// each indicator, and copying three strings per row).
pub fn row_at(
    fw: &Framework,
    ind: &Indicator,
    period: FiscalPeriod,
    values: &[&PeriodValue],
    node: Arc<str>,
    path: Arc<str>,
    unit: Arc<str>,
) -> ProgressRow {
    let start = fw.strategy.start.map(|s| s.year);
    let target = target(ind, period);
    let baseline = ind.baseline;
    let actual = actual(ind, period, values, start);
    let partial = actual
        .as_ref()
        .and_then(|a| a.quarters_reported)
        .is_some_and(|n| n < 4);
    let judged_to = match (&actual, partial) {
        (Some(a), true) => to_date(ind, period.year, a.quarters_mask),
        _ => Ok(None),
    };
    let target_to_date = judged_to.ok().flatten();
    let against = target_to_date.or(target);
    let a = actual.as_ref().map(|a| a.value);
    let status = match (against, a) {
        (None, _) => Status::NoTarget,
        (Some(_), None) => Status::NoData,
        (Some(_), Some(_)) if judged_to.is_err() => Status::Incomplete,
        (Some(t), Some(a)) => judge(ind.direction, t, a, fw.settings.deviation_threshold),
    };
    let judged = !matches!(
        status,
        Status::NoTarget | Status::NoData | Status::Incomplete
    );
    let (achieved, deviation) = match (against, a) {
        (Some(t), Some(a)) if judged => (achieved(t, a), deviation(t, a)),
        _ => (None, None),
    };
    // Definition 8: against target(P), whatever the year's completeness (only achieved and
    // deviation use the target to date).
    let progress = match (baseline, target, a) {
        (Some(b), Some(t), Some(a)) if b.period.is_quarter() == period.is_quarter() => {
            from_baseline(b.value, t, a)
        }
        _ => None,
    };
    let (numerator, denominator, quarters_reported, derived, explanation) = match actual {
        Some(a) => (
            a.numerator,
            a.denominator,
            a.quarters_reported,
            a.derived,
            a.explanation,
        ),
        None => (None, None, None, false, None),
    };
    ProgressRow {
        indicator: ind.code.clone(),
        title: ind.title.clone(),
        node,
        path,
        period,
        unit,
        direction: ind.direction,
        baseline: baseline.map(|b| b.value),
        target,
        target_to_date,
        actual: a,
        achieved,
        deviation,
        progress,
        status,
        needs_explanation: status.deviates() && explanation.is_none(),
        explanation,
        quarters_reported,
        partial,
        derived,
        cumulative: ind.cumulative,
        numerator,
        denominator,
        trend: Vec::new(),
        submitted: false,
    }
}

/// The default review period (definition 11): the latest fiscal year inside the strategy's
/// `start`..`end` with a target or an actual; else the latest fiscal year with either; else the
/// fiscal year of `today`. `latest_inside` and `latest_any` are the latest fiscal years with a
/// current value, inside the strategy's years and anywhere (from the store).
pub fn default_period(
    fw: &Framework,
    latest_inside: Option<i32>,
    latest_any: Option<i32>,
    today: NaiveDate,
) -> FiscalPeriod {
    let (lo, hi) = (
        fw.strategy.start.map_or(i32::MIN, |s| s.year),
        fw.strategy.end.map_or(i32::MAX, |e| e.year),
    );
    let target_years = || {
        fw.indicators()
            .flat_map(|(_, i)| i.targets.keys().map(|p| p.year))
    };
    let inside = target_years()
        .filter(|y| (lo..=hi).contains(y))
        .chain(latest_inside.filter(|y| (lo..=hi).contains(y)))
        .max();
    inside
        .or_else(|| target_years().chain(latest_any).max())
        .map(FiscalPeriod::year)
        .unwrap_or_else(|| FiscalPeriod::year_of(today))
}

#[cfg(test)]
mod tests;
