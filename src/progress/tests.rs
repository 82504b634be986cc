//! Unit tests of the progress definitions, fed plain rows.

use super::*;
use crate::framework::{parse_str, Direction::*};

fn p(s: &str) -> FiscalPeriod {
    s.parse().unwrap()
}

fn v(ind: &str, period: &str, value: f64, note: Option<&str>) -> PeriodValue {
    PeriodValue {
        indicator: ind.into(),
        period: p(period),
        value,
        note: note.map(str::to_string),
    }
}

const FW: &str = r#"
[strategy]
code = "t"
title = "Test strategy"
version = "v1"
start = "FY2020"
end = "FY2022"

[settings]
deviation_threshold = 10

[[goal]]
code = "G1"
title = "Goal one"

  [[goal.objective]]
  code = "O1"
  title = "Objective one"

    [[goal.objective.indicator]]
    code = "UP"
    title = "Goes up"
    unit = "people"
    direction = "increase"
    baseline = { period = "FY2019", value = 10 }
    targets = { FY2021 = 20 }

  [[goal.objective]]
  code = "O2"
  title = "Objective two"

    [[goal.objective.sub_objective]]
    code = "O2.1"
    title = "Sub"

      [[goal.objective.sub_objective.indicator]]
      code = "DOWN"
      title = "Goes down"
      unit = "percent"
      direction = "decrease"
      targets = { FY2021 = 40 }

[[development_objective]]
code = "D1"
title = "DO one"
supports = ["O1", "O2"]

  [[development_objective.indicator]]
  code = "Q"
  title = "Quarterly"
  unit = "visits"
  direction = "increase"
  frequency = "quarterly"
  aggregation = "sum"
  targets = { FY2021 = 100, FY2021Q1 = 25 }
"#;

fn fw() -> Framework {
    parse_str(FW, "framework.toml").unwrap()
}

fn ind(fw: &Framework, code: &str) -> Indicator {
    fw.indicator(code).unwrap().1.clone()
}

#[test]
fn percent_with_and_without_baseline() {
    assert_eq!(percent(Increase, Some(10.0), 20.0, 15.0), Some(50.0));
    assert_eq!(
        percent(Decrease, Some(25.0), 19.0, 20.0),
        Some((20.0 - 25.0) * 100.0 / -6.0)
    );
    assert_eq!(percent(Increase, None, 20.0, 15.0), Some(75.0));
    assert_eq!(percent(Decrease, None, 40.0, 50.0), Some(80.0));
    // Undefined: target equals baseline, or a zero denominator.
    assert_eq!(percent(Increase, Some(5.0), 5.0, 7.0), None);
    assert_eq!(percent(Increase, None, 0.0, 7.0), None);
    assert_eq!(percent(Decrease, None, 3.0, 0.0), None);
}

#[test]
fn status_at_and_past_the_threshold() {
    let s = |pct: f64| status(Increase, Some(1.0), Some(1.0), Some(pct), 10.0);
    assert_eq!(s(110.0), Status::OnTarget);
    assert_eq!(s(110.0 + 1e-10), Status::OnTarget, "within the tolerance");
    assert_eq!(s(110.001), Status::Above);
    assert_eq!(s(90.0), Status::OnTarget);
    assert_eq!(s(89.999), Status::Below);
    // Exactly 110 % computed the contract's way: (21 - 10) * 100 / (20 - 10).
    let pct = percent(Increase, Some(10.0), 20.0, 21.0).unwrap();
    assert_eq!(
        status(Increase, Some(20.0), Some(21.0), Some(pct), 10.0),
        Status::OnTarget
    );
    assert_eq!(
        status(Increase, None, Some(1.0), None, 10.0),
        Status::NoTarget
    );
    assert_eq!(status(Increase, None, None, None, 10.0), Status::NoTarget);
    assert_eq!(
        status(Increase, Some(1.0), None, None, 10.0),
        Status::NoData
    );
}

#[test]
fn undefined_percent_compares_directly() {
    assert_eq!(
        status(Increase, Some(5.0), Some(5.0), None, 10.0),
        Status::OnTarget
    );
    assert_eq!(
        status(Increase, Some(5.0), Some(6.0), None, 10.0),
        Status::Above
    );
    assert_eq!(
        status(Increase, Some(5.0), Some(4.0), None, 10.0),
        Status::Below
    );
    assert_eq!(
        status(Decrease, Some(5.0), Some(4.0), None, 10.0),
        Status::Above
    );
    assert_eq!(
        status(Decrease, Some(5.0), Some(6.0), None, 10.0),
        Status::Below
    );
}

#[test]
fn quarterly_aggregation() {
    let fw = fw();
    let mut q = ind(&fw, "Q");
    let vals = [
        v("Q", "FY2021Q1", 10.0, None),
        v("Q", "FY2021Q3", 30.0, None),
        v("Q", "FY2022Q1", 99.0, None),
    ];
    let refs: Vec<&PeriodValue> = vals.iter().collect();
    let a = actual(&q, p("FY2021"), &refs).unwrap();
    assert_eq!((a.value, a.quarters_reported), (40.0, Some(2)));
    q.aggregation = Aggregation::Mean;
    assert_eq!(actual(&q, p("FY2021"), &refs).unwrap().value, 20.0);
    q.aggregation = Aggregation::Last;
    assert_eq!(actual(&q, p("FY2021"), &refs).unwrap().value, 30.0);
    assert_eq!(actual(&q, p("FY2021Q1"), &refs).unwrap().value, 10.0);
    assert_eq!(actual(&q, p("FY2021Q2"), &refs), None);
    assert_eq!(actual(&q, p("FY2020"), &refs), None);
    // An annual value wins over its quarters.
    let with_year = [vals[0].clone(), v("Q", "FY2021", 77.0, None)];
    let refs: Vec<&PeriodValue> = with_year.iter().collect();
    let a = actual(&q, p("FY2021"), &refs).unwrap();
    assert_eq!((a.value, a.quarters_reported), (77.0, None));
}

#[test]
fn quarter_notes_explain_the_year() {
    let fw = fw();
    let (node, q) = fw.indicator("Q").unwrap();
    let vals = [
        v("Q", "FY2021Q1", 10.0, Some("strike in October")),
        v("Q", "FY2021Q2", 10.0, Some("  ")),
    ];
    let refs: Vec<&PeriodValue> = vals.iter().collect();
    let r = row(&fw, node, q, p("FY2021"), &refs);
    assert_eq!(r.status, Status::Below);
    assert!(!r.needs_explanation);
    assert_eq!(r.note.as_deref(), Some("strike in October"));
    let r = row(&fw, node, q, p("FY2021"), &refs[1..]);
    assert!(r.needs_explanation, "a blank note explains nothing");
}

#[test]
fn rows_pin_the_definitions() {
    let fw = fw();
    let (node, up) = fw.indicator("UP").unwrap();
    let r = row(
        &fw,
        node,
        up,
        p("FY2021"),
        &[&v("UP", "FY2021", 15.0, None)],
    );
    assert_eq!(r.percent, Some(50.0));
    assert_eq!((r.status, r.needs_explanation), (Status::Below, true));
    assert_eq!(r.path, "G1 > O1");
    assert_eq!(r.baseline, Some(10.0));
    let r = row(
        &fw,
        node,
        up,
        p("FY2021"),
        &[&v("UP", "FY2021", 15.0, Some("why"))],
    );
    assert!(!r.needs_explanation);
    let r = row(&fw, node, up, p("FY2021"), &[]);
    assert_eq!(
        (r.status, r.actual, r.percent),
        (Status::NoData, None, None)
    );
    let r = row(
        &fw,
        node,
        up,
        p("FY2020"),
        &[&v("UP", "FY2020", 15.0, None)],
    );
    assert_eq!(
        (r.status, r.target, r.actual),
        (Status::NoTarget, None, Some(15.0))
    );
    let (node, down) = fw.indicator("DOWN").unwrap();
    let r = row(
        &fw,
        node,
        down,
        p("FY2021"),
        &[&v("DOWN", "FY2021", 50.0, None)],
    );
    assert_eq!((r.percent, r.status), (Some(80.0), Status::Below));
    assert_eq!(r.path, "G1 > O2 > O2.1");
}

#[test]
fn default_period_is_the_latest_target_or_actual() {
    let fw = fw();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
    assert_eq!(default_period(&fw, None, today), p("FY2021"));
    assert_eq!(default_period(&fw, Some(2024), today), p("FY2024"));
    let mut empty = fw.clone();
    empty.nodes.iter_mut().for_each(|n| n.indicators.clear());
    assert_eq!(default_period(&empty, None, today), p("FY2026"));
}

fn summaries(r: &Report) -> Vec<(String, usize, usize, Vec<String>)> {
    r.lines
        .iter()
        .filter_map(|l| match l {
            Line::Summary(s) => Some((
                s.code.clone(),
                s.own.total(),
                s.linked.total(),
                s.linked_from.clone(),
            )),
            Line::Row(_) => None,
        })
        .collect()
}

#[test]
fn rollups_count_linked_dos_apart() {
    let fw = fw();
    let vals = [v("UP", "FY2021", 20.0, None), v("Q", "FY2021Q1", 1.0, None)];
    let r = build(&fw, "v1", p("FY2021"), &vals, &Selection::default()).unwrap();
    let order: Vec<&str> = r.rows().map(|r| r.indicator.as_str()).collect();
    assert_eq!(order, ["UP", "DOWN", "Q"]);
    assert_eq!(
        summaries(&r),
        vec![
            ("O1".into(), 1, 1, vec!["D1".into()]),
            ("O2".into(), 1, 1, vec!["D1".into()]),
            ("G1".into(), 2, 1, vec!["D1".into()]),
            ("D1".into(), 1, 0, vec![]),
        ]
    );
    let Line::Summary(o1) = &r.lines[1] else {
        panic!("summary after O1's row: {:?}", r.lines[1]);
    };
    assert_eq!(o1.own.get(Status::OnTarget), 1);
    assert_eq!(o1.linked.get(Status::Below), 1);
}

#[test]
fn node_and_status_filters() {
    let fw = fw();
    let vals = [v("UP", "FY2021", 20.0, None)];
    let sel = Selection {
        node: Some("O2".into()),
        ..Selection::default()
    };
    let r = build(&fw, "v1", p("FY2021"), &vals, &sel).unwrap();
    assert_eq!(
        r.rows().map(|r| &r.indicator[..]).collect::<Vec<_>>(),
        ["DOWN"]
    );
    assert_eq!(summaries(&r), vec![("O2".into(), 1, 1, vec!["D1".into()])]);
    let sel = Selection {
        statuses: vec![Status::OnTarget],
        ..Selection::default()
    };
    let r = build(&fw, "v1", p("FY2021"), &vals, &sel).unwrap();
    assert_eq!(
        r.rows().map(|r| &r.indicator[..]).collect::<Vec<_>>(),
        ["UP"]
    );
    assert_eq!(
        summaries(&r),
        vec![("O1".into(), 1, 0, vec![]), ("G1".into(), 1, 0, vec![])],
        "under a status filter, a DO with nothing to show is not listed"
    );
}

#[test]
fn unknown_node_suggests_codes() {
    let fw = fw();
    let err = find_node(&fw, "o1").unwrap_err();
    assert!(err.to_string().contains("`o1`"), "{err}");
    assert!(err.hint().unwrap().contains("`O1`"), "{:?}", err.hint());
    let err = find_node(&fw, "O9").unwrap_err();
    assert_eq!(
        err.hint(),
        Some("did you mean `O1` or `O2`? (`ics tree` lists the codes)")
    );
    let err = find_node(&fw, "XYZ-42").unwrap_err();
    assert_eq!(err.hint(), Some("run `ics tree` to see the codes"));
    let err = find_node(&fw, "UP").unwrap_err();
    assert!(
        err.hint().unwrap().contains("--node O1"),
        "{:?}",
        err.hint()
    );
}

#[test]
fn trend_spans_the_strategy_years() {
    let fw = fw();
    let vals = [v("UP", "FY2020", 12.0, None), v("UP", "FY2022", 18.0, None)];
    let sel = Selection {
        trend: true,
        ..Selection::default()
    };
    let r = build(&fw, "v1", p("FY2021"), &vals, &sel).unwrap();
    assert_eq!(r.trend_years, vec![p("FY2020"), p("FY2021"), p("FY2022")]);
    let up = r.rows().next().unwrap();
    assert_eq!(up.trend, vec![Some(12.0), None, Some(18.0)]);
    assert_eq!(up.status, Status::NoData);
}

#[test]
fn percent_is_never_negative_zero() {
    // (25 - 25) * 100 / (33 - 25) is 0; 0 * 100 / -4 is -0 in floating point.
    for p in [
        percent(Direction::Increase, Some(25.0), 33.0, 25.0),
        percent(Direction::Increase, None, -4.0, 0.0),
        percent(Direction::Decrease, Some(25.0), 20.0, 25.0),
    ] {
        let p = p.unwrap();
        assert_eq!(p, 0.0);
        assert!(p.is_sign_positive(), "{p:?} is negative zero");
        assert_eq!(serde_json::to_string(&p).unwrap(), "0.0");
    }
}
