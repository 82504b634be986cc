//! What the data-entry workbook of `ics template` holds: one row per indicator that reports in
//! the period, and one per category of each disaggregation it declares, with what the person
//! filling it in needs to see (title, unit, target, last period's actual).
//!
//! Which indicators report in a period: for a fiscal quarter, the quarterly indicators; for a
//! fiscal year, every indicator (an annual one's value for the year, a quarterly one's for the
//! whole year). Targets and actuals come from [`crate::progress`]: nothing is computed here.

use std::collections::{HashMap, HashSet};

use crate::error::Error;
use crate::framework::{Framework, Frequency, Indicator};
use crate::period::FiscalPeriod;
use crate::progress::{self, PeriodValue};

/// One row of the template.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateRow {
    pub indicator: String,
    pub period: FiscalPeriod,
    /// `''` for the total, else one category: `sex=female`.
    pub disaggregation: String,
    pub title: String,
    pub unit: String,
    /// The target for the period (total rows only).
    pub target: Option<f64>,
    /// The actual of the period before, as `progress` computes it for the total, or the
    /// category's current value.
    pub last_actual: Option<f64>,
    /// Values are given as a numerator and a denominator.
    pub ratio: bool,
    /// Values lie in 0..100.
    pub percent: bool,
    /// The data source the framework declares for the indicator.
    pub source: Option<String>,
}

/// The template for one period.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub strategy: String,
    pub version: String,
    pub period: FiscalPeriod,
    /// The period whose actuals are shown.
    pub previous: FiscalPeriod,
    pub node: Option<String>,
    pub rows: Vec<TemplateRow>,
}

/// The period before `p`: the fiscal year before, or the quarter before (FY2021Q1 → FY2020Q4).
pub fn previous(p: FiscalPeriod) -> FiscalPeriod {
    match p.quarter {
        None => FiscalPeriod::year(p.year - 1),
        Some(1) => FiscalPeriod::quarter(p.year - 1, 4),
        Some(q) => FiscalPeriod::quarter(p.year, q - 1),
    }
}

/// Whether `ind` reports in `period`.
pub fn reports_in(ind: &Indicator, period: FiscalPeriod) -> bool {
    !period.is_quarter() || ind.frequency == Frequency::Quarterly
}

/// The template of `period` for the indicators under `node` (or all), from the current values
/// `values`, which must hold the previous period (and, for cumulative indicators, the years
/// from the strategy's start).
pub fn build(
    fw: &Framework,
    version: &str,
    period: FiscalPeriod,
    node: Option<&str>,
    values: &[PeriodValue],
) -> Result<Template, Error> {
    let within = match node {
        Some(code) => Some(subtree(fw, progress::find_node(fw, code)?.code.as_str())),
        None => None,
    };
    let prev = previous(period);
    let start = fw.strategy.start.map(|s| s.year);
    let mut by_indicator: HashMap<&str, Vec<&PeriodValue>> = HashMap::new();
    for v in values {
        by_indicator.entry(&v.indicator).or_default().push(v);
    }
    let mut rows = Vec::new();
    for (n, ind) in fw.indicators() {
        if within
            .as_ref()
            .is_some_and(|w| !w.contains(n.code.as_str()))
        {
            continue;
        }
        if !reports_in(ind, period) {
            continue;
        }
        let own = by_indicator
            .get(ind.code.as_str())
            .map_or(&[][..], Vec::as_slice);
        let row = |disaggregation: String, target, last_actual| TemplateRow {
            indicator: ind.code.clone(),
            period,
            disaggregation,
            title: ind.title.clone(),
            unit: ind.unit.clone(),
            target,
            last_actual,
            ratio: ind.ratio.is_some(),
            percent: ind.is_percent(),
            source: ind.source.clone(),
        };
        let total = progress::actual(ind, prev, own, start).map(|a| a.value);
        rows.push(row(String::new(), progress::target(ind, period), total));
        for (key, categories) in &ind.disaggregations {
            for category in categories {
                let d = format!("{key}={category}");
                let last = own
                    .iter()
                    .find(|v| v.period == prev && v.disaggregation() == d)
                    .map(|v| v.value);
                rows.push(row(d, None, last));
            }
        }
    }
    Ok(Template {
        strategy: fw.strategy.title.clone(),
        version: version.to_string(),
        period,
        previous: prev,
        node: node.map(str::to_string),
        rows,
    })
}

/// The codes of `root` and every node under it, or supporting one under it (a DO
/// incorporated into an objective), as `progress --node` shows them.
fn subtree<'a>(fw: &'a Framework, root: &'a str) -> HashSet<&'a str> {
    let mut set: HashSet<&str> = HashSet::from([root]);
    loop {
        let before = set.len();
        for n in &fw.nodes {
            let parent_in = n.parent.as_deref().is_some_and(|p| set.contains(p));
            let supports_in = n.supports.iter().any(|s| set.contains(s.as_str()));
            if parent_in || supports_in {
                set.insert(n.code.as_str());
            }
        }
        if set.len() == before {
            return set;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previous_periods() {
        let p = |s: &str| s.parse::<FiscalPeriod>().unwrap();
        assert_eq!(previous(p("FY2021")), p("FY2020"));
        assert_eq!(previous(p("FY2021Q1")), p("FY2020Q4"));
        assert_eq!(previous(p("FY2021Q3")), p("FY2021Q2"));
    }
}
