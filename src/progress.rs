//! Progress against targets: the definitions behind `ics progress`, as pure computation.
//!
//! Fed the framework and the current total values (no disaggregation) of its indicators, it
//! makes one [`ProgressRow`] per indicator in strategy order and a [`Rollup`] under each goal,
//! objective, Management Objective and DO (see [`report`]). The definitions are a contract (issue 4 and
//! docs/decisions.md items 12-17): percent is `(actual - baseline) * 100 / (target - baseline)`, or
//! `actual * 100 / target` (`increase`) and `target * 100 / actual` (`decrease`) without a
//! baseline; it is compared with `100 ± T` with a tolerance of [`TOLERANCE`]; where it is
//! undefined, actual and target are compared directly. No SQL and no terminal here.

use chrono::NaiveDate;
use serde::Serialize;

use crate::framework::{Aggregation, Direction, Framework, Frequency, Indicator, Node};
use crate::period::FiscalPeriod;

mod report;

pub use report::{build, find_node, Counts, Line, Report, Rollup, Selection};

/// Tolerance when comparing percent with the threshold, so exactly 110 % with T = 10 is on target.
pub const TOLERANCE: f64 = 1e-9;

/// Where an indicator stands for the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Above,
    OnTarget,
    Below,
    NoData,
    NoTarget,
}

impl Status {
    /// Every status, in the order counts are shown.
    pub const ALL: [Status; 5] = [
        Status::Above,
        Status::OnTarget,
        Status::Below,
        Status::NoData,
        Status::NoTarget,
    ];

    /// The machine name (JSON, CSV, `--status`): `on_target`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Above => "above",
            Status::OnTarget => "on_target",
            Status::Below => "below",
            Status::NoData => "no_data",
            Status::NoTarget => "no_target",
        }
    }

    /// The word people read (table, markdown): `on target`.
    pub fn label(self) -> &'static str {
        match self {
            Status::Above => "above",
            Status::OnTarget => "on target",
            Status::Below => "below",
            Status::NoData => "no data",
            Status::NoTarget => "no target",
        }
    }

    /// Whether the actual deviates from the target by more than the threshold.
    pub fn deviates(self) -> bool {
        matches!(self, Status::Above | Status::Below)
    }
}

/// One current value of an indicator's total (no disaggregation) for one period, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodValue {
    pub indicator: String,
    pub period: FiscalPeriod,
    pub value: f64,
    pub note: Option<String>,
}

/// The actual of an indicator for a period.
#[derive(Debug, Clone, PartialEq)]
pub struct Actual {
    pub value: f64,
    /// How many quarters were combined, when the actual is a combination of quarters.
    pub quarters_reported: Option<usize>,
    /// The notes that explain it (annual value first, then quarters), labelled by period when
    /// there are several; `None` when none has a note.
    pub note: Option<String>,
}

fn has_note(v: &PeriodValue) -> bool {
    v.note.as_deref().is_some_and(|n| !n.trim().is_empty())
}

/// The actual of `ind` for `period`, from the indicator's current total values (any periods).
///
/// A quarter, or the fiscal year of an annual indicator, is its own value. The fiscal year of a
/// quarterly indicator is its annual value if there is one, else the quarters that have values
/// combined by its aggregation; either way, a note on the year or any of its quarters counts.
pub fn actual(ind: &Indicator, period: FiscalPeriod, values: &[&PeriodValue]) -> Option<Actual> {
    let own = values.iter().find(|v| v.period == period);
    if period.is_quarter() || ind.frequency == Frequency::Annual {
        return own.map(|v| Actual {
            value: v.value,
            quarters_reported: None,
            note: v.note.clone().filter(|_| has_note(v)),
        });
    }
    let mut quarters: Vec<&PeriodValue> = values
        .iter()
        .copied()
        .filter(|v| v.period.is_quarter() && period.contains(&v.period))
        .collect();
    quarters.sort_by_key(|v| v.period);
    let noted: Vec<&PeriodValue> = own
        .copied()
        .into_iter()
        .chain(quarters.iter().copied())
        .filter(|v| has_note(v))
        .collect();
    let note = match noted.as_slice() {
        [] => None,
        [one] => one.note.clone(),
        many => Some(
            many.iter()
                .map(|v| format!("{}: {}", v.period, v.note.as_deref().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join("; "),
        ),
    };
    if let Some(v) = own {
        return Some(Actual {
            value: v.value,
            quarters_reported: None,
            note,
        });
    }
    let last = quarters.last()?;
    let sum: f64 = quarters.iter().map(|v| v.value).sum();
    let value = match ind.aggregation {
        Aggregation::Sum => sum,
        Aggregation::Mean => sum / quarters.len() as f64,
        Aggregation::Last => last.value,
    };
    Some(Actual {
        value,
        quarters_reported: Some(quarters.len()),
        note,
    })
}

/// Progress toward the target in percent; `None` where it is undefined (the target equals the
/// baseline, or a zero denominator).
pub fn percent(
    direction: Direction,
    baseline: Option<f64>,
    target: f64,
    actual: f64,
) -> Option<f64> {
    let p = match (baseline, direction) {
        (Some(b), _) if target == b => return None,
        (Some(b), _) => (actual - b) * 100.0 / (target - b),
        (None, Direction::Increase) if target == 0.0 => return None,
        (None, Direction::Increase) => actual * 100.0 / target,
        (None, Direction::Decrease) if actual == 0.0 => return None,
        (None, Direction::Decrease) => target * 100.0 / actual,
    };
    // `+ 0.0` turns a negative zero (an actual of 0 against a negative target, say) into 0, so
    // no output, JSON and CSV included, ever says `-0`.
    p.is_finite().then_some(p + 0.0)
}

/// The status from target, actual and percent, with threshold `t` (percentage points).
pub fn status(
    direction: Direction,
    target: Option<f64>,
    actual: Option<f64>,
    percent: Option<f64>,
    t: f64,
) -> Status {
    let Some(target) = target else {
        return Status::NoTarget;
    };
    let Some(actual) = actual else {
        return Status::NoData;
    };
    match percent {
        Some(p) if p > 100.0 + t + TOLERANCE => Status::Above,
        Some(p) if p < 100.0 - t - TOLERANCE => Status::Below,
        Some(_) => Status::OnTarget,
        None if (actual - target).abs() <= TOLERANCE => Status::OnTarget,
        None => {
            let better = match direction {
                Direction::Increase => actual > target,
                Direction::Decrease => actual < target,
            };
            if better {
                Status::Above
            } else {
                Status::Below
            }
        }
    }
}

/// One indicator's progress for the period. Serialises as the contract's JSON object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgressRow {
    pub indicator: String,
    pub title: String,
    /// Code of the node the indicator sits under.
    pub node: String,
    /// Codes from the top-level node down, joined by ` > `.
    pub path: String,
    pub period: FiscalPeriod,
    pub unit: String,
    pub direction: Direction,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub actual: Option<f64>,
    pub percent: Option<f64>,
    pub status: Status,
    pub needs_explanation: bool,
    /// Quarters combined into the actual, when it is a combination of quarters.
    pub quarters_reported: Option<usize>,
    /// The note(s) on the actual.
    #[serde(skip)]
    pub note: Option<String>,
    /// Actuals across the strategy's fiscal years (empty unless asked for).
    #[serde(skip)]
    pub trend: Vec<Option<f64>>,
}

/// The row of `ind` (under `node`) for `period`; `values` are the indicator's current totals.
pub fn row(
    fw: &Framework,
    node: &Node,
    ind: &Indicator,
    period: FiscalPeriod,
    values: &[&PeriodValue],
) -> ProgressRow {
    row_at(
        fw,
        node,
        ind,
        period,
        values,
        fw.path(&node.code).join(" > "),
    )
}

/// [`row`] with the node's path already known (building a whole report computes every path
/// once instead of walking the tree for each indicator).
pub fn row_at(
    fw: &Framework,
    node: &Node,
    ind: &Indicator,
    period: FiscalPeriod,
    values: &[&PeriodValue],
    path: String,
) -> ProgressRow {
    let target = ind.targets.get(&period).copied();
    let baseline = ind.baseline.map(|b| b.value);
    let actual = actual(ind, period, values);
    let a = actual.as_ref().map(|a| a.value);
    let pct = match (target, a) {
        (Some(t), Some(a)) => percent(ind.direction, baseline, t, a),
        _ => None,
    };
    let status = status(
        ind.direction,
        target,
        a,
        pct,
        fw.settings.deviation_threshold,
    );
    let note = actual.as_ref().and_then(|a| a.note.clone());
    ProgressRow {
        indicator: ind.code.clone(),
        title: ind.title.clone(),
        node: node.code.clone(),
        path,
        period,
        unit: ind.unit.clone(),
        direction: ind.direction,
        baseline,
        target,
        actual: a,
        percent: pct,
        status,
        needs_explanation: status.deviates() && note.is_none(),
        quarters_reported: actual.and_then(|a| a.quarters_reported),
        note,
        trend: Vec::new(),
    }
}

/// The latest fiscal year with a target or an actual (`latest_value_year`, from the store),
/// else the fiscal year of `today`.
pub fn default_period(
    fw: &Framework,
    latest_value_year: Option<i32>,
    today: NaiveDate,
) -> FiscalPeriod {
    fw.indicators()
        .flat_map(|(_, i)| i.targets.keys().map(|p| p.year))
        .chain(latest_value_year)
        .max()
        .map(FiscalPeriod::year)
        .unwrap_or_else(|| FiscalPeriod::year_of(today))
}

#[cfg(test)]
mod tests;
