//! Unit tests of the progress definitions (issue 13), on small frameworks made here.

use super::*;
use crate::error::Error;
use crate::framework::parse_str;

fn p(s: &str) -> FiscalPeriod {
    s.parse().unwrap()
}

/// A framework with one goal holding the given indicator tables (TOML, without the header).
fn fw(indicators: &str) -> Framework {
    let text = format!(
        "[strategy]\ncode = \"t\"\ntitle = \"T\"\nversion = \"v1\"\nstart = \"FY2023\"\nend = \"FY2026\"\n\n\
         [[goal]]\ncode = \"G1\"\ntitle = \"Goal\"\n\n{indicators}"
    );
    parse_str(&text, "framework.toml").unwrap()
}

fn val(ind: &str, period: &str, value: f64) -> PeriodValue {
    PeriodValue::total(ind, p(period), value, None)
}

/// The row of the first indicator for `period` from `values`.
fn row_of(fw: &Framework, period: &str, values: &[PeriodValue]) -> ProgressRow {
    let (node, ind) = fw.indicators().next().unwrap();
    let refs: Vec<&PeriodValue> = values
        .iter()
        .filter(|v| *v.indicator == *ind.code)
        .collect();
    row(fw, node, ind, p(period), &refs)
}

#[test]
fn a_quarter_against_a_year_baseline_is_short_not_above() {
    let f = fw(r#"
  [[goal.indicator]]
  code = "Q"
  title = "Quarterly"
  unit = "people"
  direction = "increase"
  frequency = "quarterly"
  baseline = { period = "FY2023", value = 10 }
  targets = { FY2024Q3 = 4 }
"#);
    let r = row_of(&f, "FY2024Q3", &[val("Q", "FY2024Q3", 0.0)]);
    assert_eq!(r.status, Status::Short);
    assert_eq!(r.achieved, Some(0.0));
    assert_eq!(r.deviation, Some(-100.0));
    assert_eq!(
        r.progress, None,
        "a year baseline is not set against a quarter"
    );
    assert!(r.needs_explanation);
}

fn noted(ind: &str, period: &str, value: f64, note: &str) -> PeriodValue {
    PeriodValue::total(ind, p(period), value, Some(note))
}

fn by(ind: &str, period: &str, disagg: &str, value: f64) -> PeriodValue {
    val(ind, period, value).with(disagg, None)
}

fn parts(ind: &str, period: &str, disagg: &str, n: f64, d: f64) -> PeriodValue {
    val(ind, period, n / d * 100.0).with(disagg, Some((n, d)))
}

const UP: &str = r#"
  [[goal.indicator]]
  code = "UP"
  title = "Goes up"
  unit = "people"
  direction = "increase"
  baseline = { period = "FY2023", value = 10 }
  targets = { FY2024 = 20, FY2025 = 0 }
"#;

const DOWN: &str = r#"
  [[goal.indicator]]
  code = "DOWN"
  title = "Extreme poverty"
  unit = "percent"
  direction = "decrease"
  baseline = { period = "FY2023", value = 36 }
  targets = { FY2024 = 33, FY2025 = 0 }
"#;

#[test]
fn achieved_deviation_and_progress_for_increase() {
    let f = fw(UP);
    let r = row_of(&f, "FY2024", &[val("UP", "FY2024", 15.0)]);
    assert_eq!(r.achieved, Some(75.0));
    assert_eq!(r.deviation, Some(-25.0));
    assert_eq!(r.progress, Some(50.0), "(15 - 10) / (20 - 10)");
    assert_eq!(r.status, Status::Short);
    assert!(r.needs_explanation);
    let r = row_of(&f, "FY2024", &[val("UP", "FY2024", 23.0)]);
    assert_eq!((r.achieved, r.status), (Some(115.0), Status::Exceeded));
}

#[test]
fn lower_is_better_reads_the_right_way_round() {
    let f = fw(DOWN);
    // Extreme poverty of 30 against a target of 33 is good: exceeded, not "above".
    let r = row_of(&f, "FY2024", &[val("DOWN", "FY2024", 29.0)]);
    assert_eq!(r.status, Status::Exceeded);
    assert!((r.achieved.unwrap() - 29.0 / 33.0 * 100.0).abs() < 1e-12);
    assert!((r.deviation.unwrap() + 4.0 / 33.0 * 100.0).abs() < 1e-12);
    assert!((r.progress.unwrap() - 7.0 / 3.0 * 100.0).abs() < 1e-9);
    let r = row_of(&f, "FY2024", &[val("DOWN", "FY2024", 37.0)]);
    assert_eq!(r.status, Status::Short);
}

#[test]
fn a_vaccination_rate_near_its_target_is_on_target() {
    let f = fw(r#"
  [[goal.indicator]]
  code = "VAX"
  title = "Vaccination rate"
  unit = "percent"
  direction = "increase"
  baseline = { period = "FY2023", value = 72 }
  targets = { FY2024 = 76 }
"#);
    let r = row_of(&f, "FY2024", &[val("VAX", "FY2024", 74.8)]);
    assert_eq!(r.status, Status::OnTarget);
    assert!(!r.needs_explanation);
    assert!((r.achieved.unwrap() - 98.421_052_631_578_95).abs() < 1e-9);
    assert!((r.deviation.unwrap() + 1.578947368421).abs() < 1e-9);
    assert!(
        (r.progress.unwrap() - 70.0).abs() < 1e-9,
        "kept, never deciding"
    );
}

#[test]
fn the_threshold_at_just_inside_and_just_past() {
    use Direction::*;
    // Exactly 10 % off, computed the contract's way, is on target with T = 10.
    assert_eq!(judge(Increase, 20.0, 22.0, 10.0), Status::OnTarget);
    assert_eq!(judge(Increase, 20.0, 18.0, 10.0), Status::OnTarget);
    assert_eq!(judge(Increase, 0.3, 0.33, 10.0), Status::OnTarget);
    assert_eq!(judge(Increase, 20.0, 21.99, 10.0), Status::OnTarget);
    assert_eq!(judge(Increase, 20.0, 22.001, 10.0), Status::Exceeded);
    assert_eq!(judge(Increase, 20.0, 17.999, 10.0), Status::Short);
    assert_eq!(judge(Decrease, 20.0, 22.001, 10.0), Status::Short);
    assert_eq!(judge(Decrease, 20.0, 17.999, 10.0), Status::Exceeded);
    // A negative target: the deviation is taken against |target|.
    assert_eq!(deviation(-10.0, -12.0), Some(-20.0));
    assert_eq!(judge(Increase, -10.0, -12.0, 10.0), Status::Short);
    // Another threshold.
    assert_eq!(judge(Increase, 20.0, 22.5, 15.0), Status::OnTarget);
}

#[test]
fn a_zero_target_compares_directly() {
    use Direction::*;
    assert_eq!(judge(Increase, 0.0, 0.0, 10.0), Status::OnTarget);
    assert_eq!(judge(Increase, 0.0, 1.0, 10.0), Status::Exceeded);
    assert_eq!(judge(Decrease, 0.0, 1.0, 10.0), Status::Short);
    assert_eq!(judge(Decrease, 0.0, -1.0, 10.0), Status::Exceeded);
    let f = fw(DOWN);
    let r = row_of(&f, "FY2025", &[val("DOWN", "FY2025", 2.0)]);
    assert_eq!((r.achieved, r.deviation), (None, None));
    assert_eq!(r.status, Status::Short);
    let progress = r.progress.unwrap();
    assert!(
        (progress - 34.0 / 36.0 * 100.0).abs() < 1e-9,
        "(2 - 36) / (0 - 36)"
    );
}

#[test]
fn no_target_and_no_data() {
    let f = fw(UP);
    let r = row_of(&f, "FY2026", &[val("UP", "FY2026", 15.0)]);
    assert_eq!(
        (r.status, r.target, r.actual),
        (Status::NoTarget, None, Some(15.0))
    );
    assert_eq!((r.achieved, r.deviation, r.progress), (None, None, None));
    let r = row_of(&f, "FY2024", &[]);
    assert_eq!((r.status, r.actual), (Status::NoData, None));
    assert!(!r.needs_explanation);
}

#[test]
fn figures_are_never_negative_zero() {
    assert!(achieved(-4.0, 0.0).unwrap().is_sign_positive());
    assert!(deviation(25.0, 25.0).unwrap().is_sign_positive());
    assert!(from_baseline(25.0, 20.0, 25.0).unwrap().is_sign_positive());
    assert_eq!(serde_json::to_string(&achieved(-4.0, 0.0)).unwrap(), "0.0");
}

const QUARTERLY: &str = r#"
  [[goal.indicator]]
  code = "Q"
  title = "Visits"
  unit = "visits"
  direction = "increase"
  frequency = "quarterly"
  targets = { FY2024Q1 = 10, FY2024Q2 = 20, FY2024Q3 = 30, FY2024Q4 = 40 }
"#;

#[test]
fn a_year_target_is_built_from_its_quarters() {
    let mut f = fw(QUARTERLY);
    let ind = |f: &Framework| f.indicators().next().unwrap().1.clone();
    assert_eq!(target(&ind(&f), p("FY2024")), Some(100.0));
    f.nodes[0].indicators[0].aggregation = Aggregation::Mean;
    assert_eq!(target(&ind(&f), p("FY2024")), Some(25.0));
    f.nodes[0].indicators[0].aggregation = Aggregation::Last;
    assert_eq!(target(&ind(&f), p("FY2024")), Some(40.0));
    // Not when a quarter is missing; a year's own target wins.
    f.nodes[0].indicators[0].targets.remove(&p("FY2024Q4"));
    assert_eq!(target(&ind(&f), p("FY2024")), None);
    f.nodes[0].indicators[0].targets.insert(p("FY2024"), 77.0);
    assert_eq!(target(&ind(&f), p("FY2024")), Some(77.0));
}

#[test]
fn a_full_year_of_quarters_is_judged_against_the_year() {
    let f = fw(QUARTERLY);
    let vals = ["FY2024Q1", "FY2024Q2", "FY2024Q3", "FY2024Q4"].map(|q| val("Q", q, 25.0));
    let r = row_of(&f, "FY2024", &vals);
    assert_eq!((r.actual, r.target), (Some(100.0), Some(100.0)));
    assert_eq!((r.quarters_reported, r.partial), (Some(4), false));
    assert_eq!((r.target_to_date, r.status), (None, Status::OnTarget));
    // An annual value stands for the year; its quarters are not added.
    let mut with_year = vals.to_vec();
    with_year.push(val("Q", "FY2024", 60.0));
    let r = row_of(&f, "FY2024", &with_year);
    assert_eq!((r.actual, r.quarters_reported), (Some(60.0), None));
    assert_eq!(r.status, Status::Short);
}

#[test]
fn an_incomplete_year_is_judged_to_date() {
    let f = fw(QUARTERLY);
    let r = row_of(
        &f,
        "FY2024",
        &[val("Q", "FY2024Q1", 11.0), val("Q", "FY2024Q3", 29.0)],
    );
    assert_eq!((r.quarters_reported, r.partial), (Some(2), true));
    assert_eq!(r.target, Some(100.0));
    assert_eq!(r.target_to_date, Some(40.0), "Q1 and Q3 targets");
    assert_eq!(r.achieved, Some(100.0));
    assert_eq!(r.status, Status::OnTarget, "not 40 against the year's 100");
}

#[test]
fn an_incomplete_year_without_quarter_targets_is_left_incomplete() {
    let f = fw(r#"
  [[goal.indicator]]
  code = "Q"
  title = "Visits"
  unit = "visits"
  direction = "increase"
  frequency = "quarterly"
  targets = { FY2024 = 100, FY2024Q1 = 10 }
"#);
    let r = row_of(
        &f,
        "FY2024",
        &[val("Q", "FY2024Q1", 10.0), val("Q", "FY2024Q2", 1.0)],
    );
    assert_eq!(r.status, Status::Incomplete);
    assert_eq!(
        (r.target_to_date, r.achieved, r.deviation),
        (None, None, None)
    );
    assert!(r.partial && !r.needs_explanation);
    assert_eq!(r.actual, Some(11.0));
}

#[test]
fn a_partial_mean_year_is_judged_against_the_year_target() {
    let mut f = fw(r#"
  [[goal.indicator]]
  code = "Q"
  title = "Rate"
  unit = "score"
  direction = "increase"
  frequency = "quarterly"
  aggregation = "mean"
  targets = { FY2024 = 50 }
"#);
    let vals = [val("Q", "FY2024Q1", 40.0), val("Q", "FY2024Q2", 50.0)];
    let r = row_of(&f, "FY2024", &vals);
    assert_eq!((r.actual, r.target_to_date), (Some(45.0), None));
    assert_eq!((r.partial, r.status), (true, Status::OnTarget));
    f.nodes[0].indicators[0].aggregation = Aggregation::Last;
    let r = row_of(&f, "FY2024", &vals);
    assert_eq!((r.actual, r.status), (Some(50.0), Status::OnTarget));
}

#[test]
fn quarter_notes_explain_the_year_and_are_labelled() {
    let f = fw(QUARTERLY);
    let r = row_of(
        &f,
        "FY2024",
        &[
            noted("Q", "FY2024Q1", 1.0, "strike in October"),
            noted("Q", "FY2024Q2", 1.0, "  "),
        ],
    );
    assert_eq!(r.status, Status::Short);
    assert!(!r.needs_explanation);
    assert_eq!(r.explanation.as_deref(), Some("strike in October"));
    let r = row_of(
        &f,
        "FY2024",
        &[
            noted("Q", "FY2024Q1", 1.0, "strike"),
            noted("Q", "FY2024Q2", 1.0, "floods"),
        ],
    );
    assert_eq!(
        r.explanation.as_deref(),
        Some("FY2024Q1: strike; FY2024Q2: floods")
    );
    let r = row_of(&f, "FY2024", &[noted("Q", "FY2024Q2", 1.0, " ")]);
    assert!(r.needs_explanation, "a blank note explains nothing");
    assert_eq!(r.explanation, None);
}

#[test]
fn an_explanation_clears_the_flag() {
    // `ics explain` keeps the value and adds the narrative as its note: the current value
    // the report reads then carries it.
    let f = fw(UP);
    let r = row_of(&f, "FY2024", &[val("UP", "FY2024", 30.0)]);
    assert!(r.needs_explanation && r.explanation.is_none());
    let r = row_of(
        &f,
        "FY2024",
        &[noted("UP", "FY2024", 30.0, "new clinics opened")],
    );
    assert!(!r.needs_explanation);
    assert_eq!(
        r.status,
        Status::Exceeded,
        "explaining does not change the status"
    );
    assert_eq!(r.explanation.as_deref(), Some("new clinics opened"));
}

const BY_SEX: &str = r#"
  [[goal.indicator]]
  code = "S"
  title = "People trained"
  unit = "people"
  direction = "increase"
  disaggregations = { sex = ["female", "male"], age = ["under 25", "25 and over"] }
  targets = { FY2024 = 1500 }
"#;

#[test]
fn a_total_is_derived_from_every_category_of_a_key() {
    let f = fw(BY_SEX);
    let r = row_of(
        &f,
        "FY2024",
        &[
            by("S", "FY2024", "sex=female", 1234.0),
            by("S", "FY2024", "sex=male", 210.0),
        ],
    );
    assert_eq!((r.actual, r.derived), (Some(1444.0), true));
    assert_eq!(r.status, Status::OnTarget);
    // A category missing: no total from that key; another complete key still gives one.
    let r = row_of(&f, "FY2024", &[by("S", "FY2024", "sex=female", 1234.0)]);
    assert_eq!(
        (r.actual, r.derived, r.status),
        (None, false, Status::NoData)
    );
    let r = row_of(
        &f,
        "FY2024",
        &[
            by("S", "FY2024", "sex=female", 1234.0),
            by("S", "FY2024", "age=under 25", 1000.0),
            by("S", "FY2024", "age=25 and over", 500.0),
        ],
    );
    assert_eq!((r.actual, r.derived), (Some(1500.0), true));
    // A recorded total wins over the categories.
    let r = row_of(
        &f,
        "FY2024",
        &[
            val("S", "FY2024", 1300.0),
            by("S", "FY2024", "sex=female", 1234.0),
            by("S", "FY2024", "sex=male", 210.0),
        ],
    );
    assert_eq!((r.actual, r.derived), (Some(1300.0), false));
}

#[test]
fn percents_and_last_values_never_derive_a_total() {
    let mut f = fw(&BY_SEX
        .replace("\"people\"", "\"percent\"")
        .replace("1500", "80"));
    let vals = [
        by("S", "FY2024", "sex=female", 60.0),
        by("S", "FY2024", "sex=male", 50.0),
    ];
    assert_eq!(
        row_of(&f, "FY2024", &vals).actual,
        None,
        "percents do not add up"
    );
    f.nodes[0].indicators[0].unit = "people".into();
    assert_eq!(row_of(&f, "FY2024", &vals).actual, Some(110.0));
    for how in [Aggregation::Last, Aggregation::Mean] {
        f.nodes[0].indicators[0].aggregation = how;
        assert_eq!(row_of(&f, "FY2024", &vals).actual, None, "{how:?}");
    }
}

#[test]
fn quarters_made_of_categories_make_the_year() {
    let mut f = fw(BY_SEX);
    f.nodes[0].indicators[0].frequency = Frequency::Quarterly;
    let r = row_of(
        &f,
        "FY2024",
        &[
            by("S", "FY2024Q1", "sex=female", 400.0),
            by("S", "FY2024Q1", "sex=male", 100.0),
            val("S", "FY2024Q2", 300.0),
        ],
    );
    assert_eq!(
        (r.actual, r.quarters_reported, r.derived),
        (Some(800.0), Some(2), true)
    );
}

fn ratio(f: &mut Framework, percent: bool) {
    let ind = &mut f.nodes[0].indicators[0];
    ind.unit = if percent {
        "percent".into()
    } else {
        "ratio".into()
    };
    ind.ratio = Some(crate::framework::Ratio {
        numerator: "children vaccinated".into(),
        denominator: "children under 1".into(),
    });
}

#[test]
fn a_ratio_over_quarters_adds_numerators_and_denominators() {
    let mut f = fw(QUARTERLY);
    ratio(&mut f, true);
    f.nodes[0].indicators[0].targets = [(p("FY2024"), 40.0)].into_iter().collect();
    f.nodes[0].indicators[0].aggregation = Aggregation::Mean;
    let r = row_of(
        &f,
        "FY2024",
        &[
            parts("Q", "FY2024Q1", "", 30.0, 100.0),
            parts("Q", "FY2024Q2", "", 45.0, 300.0),
        ],
    );
    // 75 / 400, not the mean of 30 % and 15 %.
    assert_eq!((r.numerator, r.denominator), (Some(75.0), Some(400.0)));
    assert_eq!(r.actual, Some(18.75));
    assert_eq!((r.partial, r.target_to_date), (true, None));
    assert_eq!(r.status, Status::Short);
    // A quarter on its own is its own parts.
    let r = row_of(&f, "FY2024Q2", &[parts("Q", "FY2024Q2", "", 45.0, 300.0)]);
    assert_eq!(
        (r.actual, r.numerator, r.denominator),
        (Some(15.0), Some(45.0), Some(300.0))
    );
    // A plain ratio (not a percent) is N / D.
    ratio(&mut f, false);
    let r = row_of(
        &f,
        "FY2024",
        &[PeriodValue {
            value: 0.5,
            ..parts("Q", "FY2024Q1", "", 1.0, 2.0)
        }],
    );
    assert_eq!(r.actual, Some(0.5));
}

#[test]
fn a_ratio_over_sex_adds_numerators_and_denominators() {
    let mut f = fw(BY_SEX);
    ratio(&mut f, true);
    f.nodes[0].indicators[0].targets = [(p("FY2024"), 50.0)].into_iter().collect();
    let r = row_of(
        &f,
        "FY2024",
        &[
            parts("S", "FY2024", "sex=female", 90.0, 100.0),
            parts("S", "FY2024", "sex=male", 10.0, 100.0),
        ],
    );
    assert_eq!((r.actual, r.derived), (Some(50.0), true));
    assert_eq!((r.numerator, r.denominator), (Some(100.0), Some(200.0)));
    assert_eq!(ratio_value(true, 1.0, 0.0), None);
}

const CUMULATIVE: &str = r#"
  [[goal.indicator]]
  code = "C"
  title = "Hectares restored"
  unit = "hectares"
  direction = "increase"
  frequency = "quarterly"
  targets = { FY2023 = 100, FY2024Q2 = 160, FY2024 = 200 }
"#;

fn cumulative_fw() -> Framework {
    let mut f = fw(CUMULATIVE);
    f.nodes[0].indicators[0].cumulative = true;
    f
}

#[test]
fn a_cumulative_indicator_runs_over_years_and_quarters() {
    let f = cumulative_fw();
    let vals = [
        val("C", "FY2023Q1", 40.0),
        val("C", "FY2023Q3", 50.0),
        val("C", "FY2024Q1", 30.0),
        val("C", "FY2024Q2", 35.0),
        val("C", "FY2024Q3", 20.0),
        val("C", "FY2024Q4", 25.0),
    ];
    let r = row_of(&f, "FY2023", &vals);
    assert_eq!(
        (r.actual, r.cumulative, r.partial),
        (Some(90.0), true, true)
    );
    assert_eq!(
        r.status,
        Status::Incomplete,
        "two quarters of FY2023 and no running target for its Q3"
    );
    let r = row_of(&f, "FY2024Q2", &vals);
    assert_eq!(r.actual, Some(155.0), "90 + 30 + 35");
    assert_eq!(r.status, Status::OnTarget);
    let r = row_of(&f, "FY2024", &vals);
    assert_eq!(r.actual, Some(200.0));
    assert_eq!((r.partial, r.status), (false, Status::OnTarget));
    // A partial year is judged against the running target of its latest quarter.
    let r = row_of(&f, "FY2024", &vals[..4]);
    assert_eq!((r.actual, r.target_to_date), (Some(155.0), Some(160.0)));
    assert_eq!(r.status, Status::OnTarget);
    // ... and is incomplete when that quarter has no target.
    let r = row_of(&f, "FY2024", &vals[..3]);
    assert_eq!(r.status, Status::Incomplete);
    // Nothing reported in the period: no data, not last year's total.
    let r = row_of(&f, "FY2025", &vals);
    assert_eq!((r.actual, r.status), (None, Status::NoTarget));
}

#[test]
fn a_cumulative_year_value_stands_for_its_quarters() {
    let f = cumulative_fw();
    let vals = [
        val("C", "FY2023", 100.0),
        // Quarters of a year that has its own value are not added again.
        val("C", "FY2023Q1", 40.0),
        val("C", "FY2023Q2", 60.0),
        val("C", "FY2024", 100.0),
        // Before the strategy's start: not in the running total.
        val("C", "FY2022", 1000.0),
    ];
    assert_eq!(row_of(&f, "FY2024", &vals).actual, Some(200.0));
    assert_eq!(row_of(&f, "FY2023", &vals).actual, Some(100.0));
}

#[test]
fn the_default_period_prefers_the_strategy_years() {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let f = fw(UP); // start FY2023, end FY2026, targets FY2024 and FY2025
    assert_eq!(default_period(&f, None, None, today), p("FY2025"));
    assert_eq!(
        default_period(&f, Some(2026), Some(2042), today),
        p("FY2026"),
        "a value typed as FY2042 does not move the review out of the strategy"
    );
    let mut outside = f.clone();
    outside.strategy.start = Some(p("FY2010"));
    outside.strategy.end = Some(p("FY2012"));
    assert_eq!(
        default_period(&outside, None, Some(2030), today),
        p("FY2030")
    );
    assert_eq!(default_period(&outside, None, None, today), p("FY2025"));
    let mut empty = f.clone();
    empty.nodes.iter_mut().for_each(|n| n.indicators.clear());
    assert_eq!(default_period(&empty, None, None, today), p("FY2027"));
}

#[test]
fn json_rows_carry_every_contract_key() {
    let f = fw(UP);
    let r = row_of(&f, "FY2024", &[val("UP", "FY2024", 15.0)]);
    let json = serde_json::to_value(&r).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    let mut want = vec![
        "indicator",
        "title",
        "node",
        "path",
        "period",
        "unit",
        "direction",
        "baseline",
        "target",
        "target_to_date",
        "actual",
        "achieved",
        "deviation",
        "progress",
        "status",
        "needs_explanation",
        "explanation",
        "quarters_reported",
        "partial",
        "derived",
        "cumulative",
        "numerator",
        "denominator",
    ];
    let mut got = keys.clone();
    got.sort_unstable();
    want.sort_unstable();
    assert_eq!(got, want);
    assert_eq!(json["status"], "short");
    assert_eq!(json["period"], "FY2024");
    assert_eq!(json["target_to_date"], serde_json::Value::Null);
    assert_eq!(json["cumulative"], false);
}

const TREE: &str = r#"
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

fn tree() -> Framework {
    parse_str(TREE, "framework.toml").unwrap()
}

/// The headers of a report: code, own count, linked count, linked DOs.
fn headers(r: &Report) -> Vec<(String, usize, usize, Vec<String>)> {
    r.lines
        .iter()
        .filter_map(|l| match l {
            Line::Header(s) => Some((
                s.code.clone(),
                s.own.total(),
                s.linked.total(),
                s.linked_from.clone(),
            )),
            Line::Row(_) => None,
        })
        .collect()
}

/// The lines as codes: `#G1` for a header, `UP` for a row.
fn outline(r: &Report) -> Vec<String> {
    r.lines
        .iter()
        .map(|l| match l {
            Line::Header(h) => format!("#{}", h.code),
            Line::Row(r) => r.indicator.clone(),
        })
        .collect()
}

#[test]
fn headers_come_first_with_title_and_counts() {
    let fw = tree();
    let vals = [val("UP", "FY2021", 20.0), val("Q", "FY2021Q1", 1.0)];
    let r = build(&fw, "v1", p("FY2021"), &vals, &Selection::default()).unwrap();
    assert_eq!(
        outline(&r),
        ["#G1", "#O1", "UP", "#O2", "#O2.1", "DOWN", "#D1", "Q"]
    );
    assert_eq!(
        headers(&r),
        vec![
            ("G1".into(), 2, 1, vec!["D1".into()]),
            ("O1".into(), 1, 1, vec!["D1".into()]),
            ("O2".into(), 1, 1, vec!["D1".into()]),
            ("O2.1".into(), 1, 0, vec![]),
            ("D1".into(), 1, 0, vec![]),
        ]
    );
    let Line::Header(o1) = &r.lines[1] else {
        panic!("O1's header before its row: {:?}", r.lines[1]);
    };
    assert_eq!((o1.title.as_str(), o1.depth), ("Objective one", 1));
    assert_eq!(o1.own.get(Status::OnTarget), 1);
    // Q: FY2021Q1 target 25 to date, actual 1.
    assert_eq!(o1.linked.get(Status::Short), 1);
}

#[test]
fn a_node_without_indicators_has_no_header() {
    let mut fw = tree();
    fw.nodes.iter_mut().for_each(|n| {
        if n.code == "O2.1" {
            n.indicators.clear();
        }
    });
    let r = build(&fw, "v1", p("FY2021"), &[], &Selection::default()).unwrap();
    let out = outline(&r);
    assert!(!out.contains(&"#O2.1".to_string()), "{out:?}");
    // O2 still has D1 linked to it.
    assert!(out.contains(&"#O2".to_string()), "{out:?}");
}

#[test]
fn node_status_and_explanation_filters() {
    let fw = tree();
    let vals = [val("UP", "FY2021", 20.0)];
    let sel = Selection {
        node: Some("O2".into()),
        ..Selection::default()
    };
    let r = build(&fw, "v1", p("FY2021"), &vals, &sel).unwrap();
    assert_eq!(outline(&r), ["#O2", "#O2.1", "DOWN"]);
    assert_eq!(headers(&r)[0], ("O2".into(), 1, 1, vec!["D1".into()]));
    let sel = Selection {
        statuses: vec![Status::OnTarget],
        ..Selection::default()
    };
    let r = build(&fw, "v1", p("FY2021"), &vals, &sel).unwrap();
    assert_eq!(outline(&r), ["#G1", "#O1", "UP"]);
    assert_eq!(
        headers(&r),
        vec![("G1".into(), 1, 0, vec![]), ("O1".into(), 1, 0, vec![])],
        "under a filter, a DO with nothing to show is not listed"
    );
    // DOWN (40 target, 50 actual: short) with no note needs an explanation; UP does not.
    let vals = [
        val("UP", "FY2021", 20.0),
        val("DOWN", "FY2021", 50.0),
        noted("Q", "FY2021Q1", 1.0, "late start"),
    ];
    let sel = Selection {
        needs_explanation: true,
        ..Selection::default()
    };
    let r = build(&fw, "v1", p("FY2021"), &vals, &sel).unwrap();
    assert_eq!(outline(&r), ["#G1", "#O2", "#O2.1", "DOWN"]);
    assert_eq!(r.counts().get(Status::Short), 1);
}

/// Values for [`tree`]'s indicators: two totals for FY2021 and a noted quarter.
fn tree_values() -> [PeriodValue; 3] {
    [
        val("UP", "FY2021", 20.0),
        val("DOWN", "FY2021", 50.0),
        noted("Q", "FY2021Q1", 1.0, "late start"),
    ]
}

/// `each_row` (the CSV's rows, made one at a time) hands over exactly the rows of `build`, in
/// its order, under every kind of selection, and fails as `build` does.
#[test]
fn rows_one_at_a_time_are_the_report_rows() {
    let fw = tree();
    let vals = tree_values();
    let sels = [
        Selection::default(),
        Selection {
            node: Some("O2".into()),
            ..Selection::default()
        },
        Selection {
            node: Some("D1".into()),
            ..Selection::default()
        },
        Selection {
            statuses: vec![Status::OnTarget, Status::Short],
            ..Selection::default()
        },
        Selection {
            needs_explanation: true,
            ..Selection::default()
        },
        Selection {
            trend: true,
            ..Selection::default()
        },
    ];
    let prepared = prepare(&fw, &vals);
    for sel in &sels {
        for period in ["FY2021", "FY2021Q1"] {
            let report = prepared.build("v1", p(period), sel).unwrap();
            let want: Vec<ProgressRow> = report.rows().cloned().collect();
            let mut got = Vec::new();
            let n = prepared
                .each_row(p(period), sel, |r| {
                    got.push(r.clone());
                    Ok(())
                })
                .unwrap();
            assert_eq!(got, want, "{sel:?} {period}");
            assert_eq!(n, want.len());
        }
    }
    // Not every selection is the whole list: the test compares something.
    let all = prepared
        .build("v1", p("FY2021"), &sels[0])
        .unwrap()
        .rows()
        .count();
    let some = prepared
        .build("v1", p("FY2021"), &sels[1])
        .unwrap()
        .rows()
        .count();
    assert!(some < all && some > 0, "{some} of {all}");
    let sel = Selection {
        node: Some("O9".into()),
        ..Selection::default()
    };
    let err = prepared
        .each_row(p("FY2021"), &sel, |_| Ok(()))
        .unwrap_err();
    let from_build = prepared.build("v1", p("FY2021"), &sel).unwrap_err();
    assert!(err.to_string().contains("O9"), "{err}");
    assert_eq!(
        (err.to_string(), err.hint()),
        (from_build.to_string(), from_build.hint())
    );
    // A writer's failure stops the walk and comes back.
    let mut seen = 0;
    let err = prepared
        .each_row(p("FY2021"), &sels[0], |_| {
            seen += 1;
            Err(Error::input("stop"))
        })
        .unwrap_err();
    assert_eq!((seen, err.to_string().as_str()), (1, "stop"));
}

/// The rows of `row_order` cut anywhere into two parts, each made by `rows_of` on its own (as
/// two threads make a CSV's), are the report's rows (`build`), in its order, for every
/// selection.
#[test]
fn rows_made_in_two_parts_are_the_rows_made_in_one() {
    let fw = tree();
    let vals = tree_values();
    let sels = [
        Selection::default(),
        Selection {
            node: Some("O2".into()),
            ..Selection::default()
        },
        Selection {
            statuses: vec![Status::Short],
            ..Selection::default()
        },
        Selection {
            needs_explanation: true,
            ..Selection::default()
        },
    ];
    let prepared = prepare(&fw, &vals);
    let collect = |order: &[(usize, usize)], period: &str, sel: &Selection| {
        let mut got = Vec::new();
        let n = prepared
            .rows_of(order, p(period), sel, |r| {
                got.push(r.clone());
                Ok(())
            })
            .unwrap();
        assert_eq!(n, got.len());
        got
    };
    for sel in &sels {
        for period in ["FY2021", "FY2021Q1"] {
            let report = prepared.build("v1", p(period), sel).unwrap();
            let want: Vec<ProgressRow> = report.rows().cloned().collect();
            let order = prepared.row_order(sel).unwrap();
            assert!(order.len() >= want.len());
            for cut in 0..=order.len() {
                let mut got = collect(&order[..cut], period, sel);
                got.extend(collect(&order[cut..], period, sel));
                assert_eq!(got, want, "{sel:?} {period} cut at {cut}");
            }
        }
    }
    // The whole tree's order names every indicator once; a node's, only those under it.
    let all = prepared.row_order(&sels[0]).unwrap();
    assert_eq!(all.len(), fw.indicator_count());
    let under = prepared.row_order(&sels[1]).unwrap();
    assert!(!under.is_empty() && under.len() < all.len());
    assert!(under.iter().all(|k| all.contains(k)));
    let err = prepared
        .row_order(&Selection {
            node: Some("O9".into()),
            ..Selection::default()
        })
        .unwrap_err();
    assert!(err.to_string().contains("O9"), "{err}");
}

#[test]
fn unknown_node_suggests_codes() {
    let fw = tree();
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
fn the_trend_spans_the_strategy_years_or_their_quarters() {
    let fw = tree();
    let vals = [
        val("UP", "FY2020", 12.0),
        val("UP", "FY2022", 18.0),
        val("Q", "FY2021Q2", 5.0),
    ];
    let sel = Selection {
        trend: true,
        ..Selection::default()
    };
    let r = build(&fw, "v1", p("FY2021"), &vals, &sel).unwrap();
    assert_eq!(r.trend_periods, vec![p("FY2020"), p("FY2021"), p("FY2022")]);
    let up = r.rows().next().unwrap();
    assert_eq!(up.trend, vec![Some(12.0), None, Some(18.0)]);
    assert_eq!(up.status, Status::NoData);
    let r = build(&fw, "v1", p("FY2021Q2"), &vals, &sel).unwrap();
    assert_eq!(r.trend_periods.len(), 12);
    assert_eq!(r.trend_periods[0], p("FY2020Q1"));
    let q = r.rows().find(|r| r.indicator == "Q").unwrap();
    assert_eq!(q.trend[5], Some(5.0), "FY2021Q2 is the sixth quarter");
    assert_eq!(q.trend.iter().flatten().count(), 1);
}
