//! Unit tests of the tracking table: its shape (groups, periods, quarters, breakdown) and that
//! every cell is the `progress` row of its period.

use super::*;
use crate::framework::parse_str;

fn p(s: &str) -> FiscalPeriod {
    s.parse().unwrap()
}

const FW: &str = r#"
[strategy]
code = "t"
title = "T"
version = "v1"
start = "FY2023"
end = "FY2024"

[[goal]]
code = "G1"
title = "Goal one"

  [[goal.objective]]
  code = "O1"
  title = "Objective one"

    [[goal.objective.indicator]]
    code = "ANNUAL"
    title = "Annual, by sex"
    unit = "people"
    direction = "increase"
    baseline = { period = "FY2022", value = 5 }
    targets = { FY2023 = 10, FY2024 = 20 }
    disaggregations = { sex = ["female", "male"] }

[[goal]]
code = "G2"
title = "Goal two"

  [[goal.indicator]]
  code = "QUARTERLY"
  title = "Quarterly"
  unit = "visits"
  direction = "increase"
  frequency = "quarterly"
  targets = { FY2023Q1 = 1, FY2023Q2 = 1, FY2023Q3 = 1, FY2023Q4 = 1 }
"#;

fn framework() -> Framework {
    parse_str(FW, "framework.toml").unwrap()
}

fn values() -> Vec<PeriodValue> {
    vec![
        PeriodValue::total("ANNUAL", p("FY2023"), 9.0, Some("close")).with("", None),
        PeriodValue::total("ANNUAL", p("FY2024"), 0.0, None).with("sex=male", None),
        PeriodValue::total("ANNUAL", p("FY2024"), 6.0, None).with("sex=female", None),
        PeriodValue::total("QUARTERLY", p("FY2023Q1"), 1.0, None),
        PeriodValue::total("QUARTERLY", p("FY2023Q2"), 2.0, None),
    ]
}

#[test]
fn groups_periods_and_quarters_follow_the_strategy() {
    let fw = framework();
    let t = build(&fw, "v1", 2023, 2024, &values(), &Options::default()).unwrap();
    let groups: Vec<(&str, usize, usize)> = t
        .groups
        .iter()
        .map(|g| (g.code.as_str(), g.depth, g.rows.len()))
        .collect();
    assert_eq!(groups, [("G1", 0, 0), ("O1", 1, 1), ("G2", 0, 1)]);
    assert_eq!(t.years, [p("FY2023"), p("FY2024")]);
    let annual = &t.groups[1].rows[0];
    assert!(!annual.quarterly);
    let periods: Vec<String> = annual
        .periods
        .iter()
        .map(|c| c.period.to_string())
        .collect();
    assert_eq!(periods, ["FY2023", "FY2024"]);
    let quarterly = &t.groups[2].rows[0];
    assert!(quarterly.quarterly);
    assert_eq!(
        quarterly.periods.len(),
        10,
        "two years, each with four quarters"
    );
    assert_eq!(quarterly.periods[1].period, p("FY2023Q1"));
    assert_eq!(quarterly.periods[5].period, p("FY2024"));
    // --quarters gives the annual indicator its quarters too.
    let opts = Options {
        quarters: true,
        ..Options::default()
    };
    let t = build(&fw, "v1", 2023, 2024, &values(), &opts).unwrap();
    assert_eq!(t.groups[1].rows[0].periods.len(), 10);
}

#[test]
fn every_cell_is_the_progress_row_of_its_period() {
    let fw = framework();
    let vals = values();
    let t = build(&fw, "v1", 2023, 2024, &vals, &Options::default()).unwrap();
    for row in t.rows() {
        for c in &row.periods {
            let report =
                progress::build(&fw, "v1", c.period, &vals, &Selection::default()).unwrap();
            let r = report
                .rows()
                .find(|r| r.indicator == row.indicator)
                .unwrap();
            assert_eq!(
                (c.target, c.actual, c.achieved, c.deviation, c.status),
                (r.target, r.actual, r.achieved, r.deviation, r.status),
                "{} {}",
                row.indicator,
                c.period
            );
            assert_eq!(
                (&c.explanation, c.needs_explanation, c.partial, c.derived),
                (&r.explanation, r.needs_explanation, r.partial, r.derived)
            );
        }
    }
}

#[test]
fn breakdown_lists_declared_categories_in_order_beside_the_derived_total() {
    let fw = framework();
    let t = build(&fw, "v1", 2023, 2024, &values(), &Options::default()).unwrap();
    let annual = &t.groups[1].rows[0];
    let fy24 = annual.cell(p("FY2024")).unwrap();
    let b: Vec<(&str, f64)> = fy24
        .breakdown
        .iter()
        .map(|b| (b.disaggregation.as_str(), b.actual))
        .collect();
    assert_eq!(b, [("sex=female", 6.0), ("sex=male", 0.0)]);
    assert_eq!(fy24.actual, Some(6.0));
    assert!(fy24.derived);
    assert_eq!(fy24.status, Status::Short);
    let fy23 = annual.cell(p("FY2023")).unwrap();
    assert!(fy23.breakdown.is_empty());
    assert_eq!(fy23.explanation.as_deref(), Some("close"));
    assert_eq!(annual.disaggregations(), ["sex=female", "sex=male"]);
}

#[test]
fn a_partial_year_of_quarters_is_marked() {
    let fw = framework();
    let t = build(&fw, "v1", 2023, 2023, &values(), &Options::default()).unwrap();
    let q = &t.groups[2].rows[0];
    let fy = q.cell(p("FY2023")).unwrap();
    assert_eq!(fy.actual, Some(3.0));
    assert!(fy.partial);
    assert_eq!(fy.quarters_reported, Some(2));
    assert_eq!(fy.target_to_date, Some(2.0));
    assert_eq!(q.cell(p("FY2023Q2")).unwrap().status, Status::Exceeded);
}

#[test]
fn a_node_keeps_its_subtree_and_an_unknown_one_is_an_error() {
    let fw = framework();
    let opts = Options {
        node: Some("G2".into()),
        ..Options::default()
    };
    let t = build(&fw, "v1", 2023, 2024, &values(), &opts).unwrap();
    let codes: Vec<&str> = t.rows().map(|r| r.indicator.as_str()).collect();
    assert_eq!(codes, ["QUARTERLY"]);
    let opts = Options {
        node: Some("G9".into()),
        ..Options::default()
    };
    assert!(build(&fw, "v1", 2023, 2024, &values(), &opts).is_err());
}

#[test]
fn json_has_every_key_of_the_contract() {
    let fw = framework();
    let t = build(&fw, "v1", 2023, 2023, &values(), &Options::default()).unwrap();
    let v = serde_json::to_value(t.rows().next().unwrap()).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    let mut want = [
        "indicator",
        "title",
        "node",
        "path",
        "unit",
        "direction",
        "baseline",
        "cumulative",
        "periods",
    ];
    want.sort();
    let mut keys = keys;
    keys.sort();
    assert_eq!(keys, want);
    let cell = &v["periods"][0];
    let mut keys: Vec<&str> = cell
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    let mut want = [
        "period",
        "target",
        "actual",
        "achieved",
        "deviation",
        "status",
        "needs_explanation",
        "explanation",
        "partial",
        "derived",
        "breakdown",
    ];
    want.sort();
    assert_eq!(keys, want);
}
