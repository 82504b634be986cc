//! An independent check of issue 13's definitions (the progress contract) and of issue 14's
//! promise that `track --format json` gives, period by period, what `progress --format json`
//! gives. Each test drives the real binary on a small framework written here, through JSON,
//! on combinations the unit tests do not reach: a quarterly cumulative ratio indicator, a
//! cumulative year with both an annual value and quarter values, derived totals over the
//! quarters of a ratio indicator, year targets built from quarter targets (cumulative against
//! sum), target 0 in a partial year, notes on one quarter or one category, the default period
//! (values outside the strategy, disaggregated only, voided, none), the status and
//! needs-explanation filters with their header counts, CSV against JSON, and track against
//! progress.

#[allow(unused_imports)]
use crate::common::*;

use serde_json::{json, Value};

/// One goal with an indicator per combination; the numbers in the comments are the expected
/// figures, worked by hand from the definitions (issue 13, items 1-11).
const FW: &str = r#"
[strategy]
code = "c13"
title = "Contract 13"
version = "v1"
start = "FY2024"
end = "FY2026"

[[goal]]
code = "G1"
title = "Goal one"

  # Item 6 + 7: a quarterly cumulative ratio. Running targets per quarter.
  [[goal.indicator]]
  code = "CR"
  title = "Cumulative coverage"
  unit = "percent"
  direction = "increase"
  frequency = "quarterly"
  cumulative = true
  ratio = { numerator = "covered", denominator = "eligible" }
  targets = { FY2024Q1 = 30, FY2024Q2 = 50, FY2024Q3 = 50, FY2024Q4 = 50, FY2025Q1 = 50 }

  # Item 6: a cumulative indicator whose FY2024 has an annual value and quarter values.
  [[goal.indicator]]
  code = "CY"
  title = "Trained since the start"
  unit = "people"
  direction = "increase"
  frequency = "quarterly"
  cumulative = true
  targets = { FY2024 = 100, FY2025Q1 = 110, FY2025Q2 = 120, FY2025Q3 = 130, FY2025Q4 = 140 }

  # Item 1: a sum indicator with quarter targets only.
  [[goal.indicator]]
  code = "SQ"
  title = "Trained per quarter"
  unit = "people"
  direction = "increase"
  frequency = "quarterly"
  baseline = { period = "FY2023", value = 20 }
  targets = { FY2025Q1 = 10, FY2025Q2 = 20, FY2025Q3 = 30, FY2025Q4 = 40 }

  # Items 2 + 7: a ratio recorded only by sex, over quarters.
  [[goal.indicator]]
  code = "RD"
  title = "Coverage by sex"
  unit = "percent"
  direction = "increase"
  frequency = "quarterly"
  ratio = { numerator = "covered", denominator = "eligible" }
  disaggregations = { sex = ["female", "male"] }
  targets = { FY2024 = 60 }

  # Items 3-5: target 0 in a partial year.
  [[goal.indicator]]
  code = "Z"
  title = "Incidents"
  unit = "incidents"
  direction = "decrease"
  frequency = "quarterly"
  targets = { FY2024Q1 = 0, FY2024Q2 = 0, FY2024Q3 = 0, FY2024Q4 = 0 }

  # Item 5: the same with an increase, met exactly.
  [[goal.indicator]]
  code = "Z0"
  title = "Zero met"
  unit = "incidents"
  direction = "increase"
  frequency = "quarterly"
  targets = { FY2024Q1 = 0, FY2024Q2 = 0, FY2024Q3 = 0, FY2024Q4 = 0 }

  # Items 9 + 10: a note on one quarter only.
  [[goal.indicator]]
  code = "NQ"
  title = "Note on a quarter"
  unit = "people"
  direction = "increase"
  frequency = "quarterly"
  targets = { FY2024Q1 = 25, FY2024Q2 = 25, FY2024Q3 = 25, FY2024Q4 = 25 }

  # Items 9 + 10: a note on one category of a derived total.
  [[goal.indicator]]
  code = "NC"
  title = "Note on a category"
  unit = "people"
  direction = "increase"
  disaggregations = { sex = ["female", "male"] }
  targets = { FY2024 = 100 }

  # Item 10: several notes, labelled by period (and category).
  [[goal.indicator]]
  code = "NM"
  title = "Several notes"
  unit = "people"
  direction = "increase"
  frequency = "quarterly"
  targets = { FY2024Q1 = 25, FY2024Q2 = 25, FY2024Q3 = 25, FY2024Q4 = 25 }

  [[goal.indicator]]
  code = "NMC"
  title = "Several category notes"
  unit = "people"
  direction = "increase"
  disaggregations = { sex = ["female", "male"] }
  targets = { FY2024 = 100 }

  # Item 5: a partial year with targets for only some of its quarters: incomplete.
  [[goal.indicator]]
  code = "INC"
  title = "Incomplete year"
  unit = "people"
  direction = "increase"
  frequency = "quarterly"
  baseline = { period = "FY2023", value = 20 }
  targets = { FY2024 = 100, FY2024Q1 = 25 }
"#;

/// The values, as `import-values` reads them.
const VALUES: &str = "indicator,period,value,disaggregation,note,numerator,denominator
CR,FY2024Q1,,,,30,100
CR,FY2024Q2,,,,50,100
CR,FY2025Q1,,,,20,100
CY,FY2024,100,,,,
CY,FY2024Q1,10,,,,
CY,FY2024Q2,20,,,,
CY,FY2025Q1,5,,,,
SQ,FY2025Q1,10,,,,
SQ,FY2025Q2,20,,,,
RD,FY2024Q1,,sex=female,,10,20
RD,FY2024Q1,,sex=male,,30,40
RD,FY2024Q2,,sex=female,,5,10
RD,FY2024Q2,,sex=male,,15,30
Z,FY2024Q1,2,,,,
Z0,FY2024Q1,0,,,,
NQ,FY2024Q1,10,,strike,,
NQ,FY2024Q2,10,,,,
NC,FY2024,30,sex=female,female late,,
NC,FY2024,10,sex=male,,,
NM,FY2024Q1,10,,strike,,
NM,FY2024Q2,10,,floods,,
NMC,FY2024,10,sex=female,a,,
NMC,FY2024,10,sex=male,b,,
INC,FY2024Q1,20,,,,
INC,FY2024Q2,20,,,,
";

/// The contract's keys, in order (issue 13, "Progress JSON").
const KEYS: [&str; 23] = crate::common::PROGRESS_KEYS;

fn env_with(framework: &str, values: &str) -> Env {
    let env = Env::new();
    let fw = env.write("framework.toml", framework);
    env.ics(&["load", fw.to_str().unwrap()]).ok();
    if !values.is_empty() {
        let file = env.write("values.csv", values);
        env.ics(&["import-values", file.to_str().unwrap()]).ok();
    }
    env
}

fn env() -> Env {
    env_with(FW, VALUES)
}

fn rows(env: &Env, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["progress", "--format", "json"];
    all.extend_from_slice(args);
    env.ics(&all)
        .ok()
        .json()
        .as_array()
        .expect("a JSON array")
        .clone()
}

fn row(env: &Env, period: &str, code: &str) -> Value {
    rows(env, &["--period", period])
        .into_iter()
        .find(|r| r["indicator"] == code)
        .unwrap_or_else(|| panic!("no row for {code} in {period}"))
}

/// Assert that each named key of `row` has the expected value; numbers compare within 1e-9.
#[track_caller]
fn expect(row: &Value, want: &[(&str, Value)]) {
    for (k, w) in want {
        let got = &row[*k];
        let same = match (got.as_f64(), w.as_f64()) {
            (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * b.abs().max(1.0),
            _ => got == w,
        };
        assert!(
            same,
            "{} {}: `{k}` is {got}, expected {w}\n{row:#}",
            row["indicator"], row["period"]
        );
    }
}

#[test]
fn every_row_has_the_contract_keys_in_order() {
    let env = env();
    for period in ["FY2024", "FY2024Q2", "FY2025", "FY2026Q4"] {
        let text = env
            .ics(&["progress", "--format", "json", "--period", period])
            .ok()
            .stdout;
        // serde_json sorts keys when parsing: the order is read from the text, object by
        // object (no text in these rows holds a brace).
        let objects: Vec<&str> = text.split('}').filter(|o| o.contains('"')).collect();
        let parsed = rows(&env, &["--period", period]);
        assert_eq!(objects.len(), parsed.len(), "{text}");
        for (o, r) in objects.iter().zip(&parsed) {
            let at: Vec<usize> = KEYS
                .iter()
                .map(|k| {
                    o.find(&format!("\"{k}\":"))
                        .unwrap_or_else(|| panic!("no `{k}` in {o}"))
                })
                .collect();
            assert!(at.windows(2).all(|w| w[0] < w[1]), "keys out of order: {o}");
            assert_eq!(r.as_object().unwrap().len(), KEYS.len(), "{r}");
        }
    }
}

#[test]
fn a_quarterly_cumulative_ratio_adds_parts_across_quarters_and_years() {
    let env = env();
    // Q1: 30/100. Q2: running (30+50)/(100+100) = 40 %, against the running target 50.
    expect(
        &row(&env, "FY2024Q1", "CR"),
        &[
            ("actual", json!(30.0)),
            ("numerator", json!(30.0)),
            ("denominator", json!(100.0)),
            ("target", json!(30.0)),
            ("status", json!("on_target")),
            ("cumulative", json!(true)),
        ],
    );
    expect(
        &row(&env, "FY2024Q2", "CR"),
        &[
            ("actual", json!(40.0)),
            ("numerator", json!(80.0)),
            ("denominator", json!(200.0)),
            ("target", json!(50.0)),
            ("deviation", json!(-20.0)),
            ("achieved", json!(80.0)),
            ("status", json!("short")),
            ("needs_explanation", json!(true)),
        ],
    );
    // FY2024 of its quarters: 2 of 4, partial; year target = the Q4 running total (item 1),
    // judged against the latest reported quarter's running target (item 5).
    expect(
        &row(&env, "FY2024", "CR"),
        &[
            ("actual", json!(40.0)),
            ("numerator", json!(80.0)),
            ("denominator", json!(200.0)),
            ("quarters_reported", json!(2)),
            ("partial", json!(true)),
            ("target", json!(50.0)),
            ("target_to_date", json!(50.0)),
            ("status", json!("short")),
        ],
    );
    // FY2025Q1: every part since the start: (80+20)/(200+100).
    expect(
        &row(&env, "FY2025Q1", "CR"),
        &[
            ("actual", json!(100.0 / 3.0)),
            ("numerator", json!(100.0)),
            ("denominator", json!(300.0)),
            ("target", json!(50.0)),
        ],
    );
    expect(
        &row(&env, "FY2025", "CR"),
        &[
            ("actual", json!(100.0 / 3.0)),
            ("numerator", json!(100.0)),
            ("denominator", json!(300.0)),
            ("quarters_reported", json!(1)),
            ("partial", json!(true)),
            ("target", Value::Null),
            ("target_to_date", json!(50.0)),
        ],
    );
}

#[test]
fn a_cumulative_year_with_an_annual_value_does_not_add_its_quarters() {
    let env = env();
    // FY2024 has 100 for the year and 10 + 20 in quarters: the year's value stands (item 6).
    expect(
        &row(&env, "FY2024", "CY"),
        &[
            ("actual", json!(100.0)),
            ("quarters_reported", Value::Null),
            ("partial", json!(false)),
            ("target", json!(100.0)),
            ("status", json!("on_target")),
        ],
    );
    // FY2025Q1 = 100 (FY2024 by its annual value) + 5.
    expect(
        &row(&env, "FY2025Q1", "CY"),
        &[("actual", json!(105.0)), ("target", json!(110.0))],
    );
    // FY2025: year target = the Q4 running total 140 (not 110+120+130+140); judged to date
    // against Q1's running target 110: -4.5 %, on target.
    expect(
        &row(&env, "FY2025", "CY"),
        &[
            ("actual", json!(105.0)),
            ("target", json!(140.0)),
            ("target_to_date", json!(110.0)),
            ("quarters_reported", json!(1)),
            ("partial", json!(true)),
            ("deviation", json!((105.0 - 110.0) * 100.0 / 110.0)),
            ("achieved", json!(105.0 * 100.0 / 110.0)),
            ("status", json!("on_target")),
            ("progress", Value::Null),
        ],
    );
}

#[test]
fn a_sum_indicators_year_target_adds_its_quarter_targets_and_judges_to_date() {
    let env = env();
    expect(
        &row(&env, "FY2025", "SQ"),
        &[
            ("target", json!(100.0)),
            ("target_to_date", json!(30.0)),
            ("actual", json!(30.0)),
            ("achieved", json!(100.0)),
            ("deviation", json!(0.0)),
            ("status", json!("on_target")),
            ("quarters_reported", json!(2)),
            ("partial", json!(true)),
            ("cumulative", json!(false)),
            // Item 8: a year baseline for a year, baseline 20 ≠ target 100: computed, with the
            // year's target (only achieved and deviation use the target to date).
            ("progress", json!((30.0 - 20.0) * 100.0 / (100.0 - 20.0))),
        ],
    );
    // A quarter against a year baseline: no progress (item 8).
    expect(
        &row(&env, "FY2025Q1", "SQ"),
        &[("target", json!(10.0)), ("progress", Value::Null)],
    );
}

#[test]
fn a_ratio_recorded_by_sex_derives_quarter_and_year_totals_from_summed_parts() {
    let env = env();
    // Q1: (10 + 30) / (20 + 40) = 66.7 %; Q2: (5 + 15) / (10 + 30) = 50 %.
    expect(
        &row(&env, "FY2024Q1", "RD"),
        &[
            ("actual", json!(40.0 * 100.0 / 60.0)),
            ("numerator", json!(40.0)),
            ("denominator", json!(60.0)),
            ("derived", json!(true)),
        ],
    );
    // The year: (40 + 20) / (60 + 40) = 60 %, not the mean of the percents (58.3) nor their
    // sum; a ratio's partial year is judged against the year target.
    expect(
        &row(&env, "FY2024", "RD"),
        &[
            ("actual", json!(60.0)),
            ("numerator", json!(60.0)),
            ("denominator", json!(100.0)),
            ("derived", json!(true)),
            ("quarters_reported", json!(2)),
            ("partial", json!(true)),
            ("target", json!(60.0)),
            ("target_to_date", Value::Null),
            ("status", json!("on_target")),
        ],
    );
}

#[test]
fn target_zero_in_a_partial_year() {
    let env = env();
    // Decrease, target 0 (all four quarters 0, so the year's too), 2 incidents in Q1: worse.
    expect(
        &row(&env, "FY2024", "Z"),
        &[
            ("target", json!(0.0)),
            ("target_to_date", json!(0.0)),
            ("actual", json!(2.0)),
            ("achieved", Value::Null),
            ("deviation", Value::Null),
            ("status", json!("short")),
            ("needs_explanation", json!(true)),
            ("partial", json!(true)),
        ],
    );
    expect(
        &row(&env, "FY2024", "Z0"),
        &[
            ("target", json!(0.0)),
            ("actual", json!(0.0)),
            ("achieved", Value::Null),
            ("deviation", Value::Null),
            ("status", json!("on_target")),
            ("needs_explanation", json!(false)),
        ],
    );
}

#[test]
fn a_year_without_the_reported_quarters_targets_is_incomplete() {
    let env = env();
    // Q1 and Q2 reported, only Q1 has a target: no judgement (item 5).
    expect(
        &row(&env, "FY2024", "INC"),
        &[
            ("target", json!(100.0)),
            ("target_to_date", Value::Null),
            ("actual", json!(40.0)),
            ("achieved", Value::Null),
            ("deviation", Value::Null),
            ("status", json!("incomplete")),
            ("needs_explanation", json!(false)),
            ("partial", json!(true)),
            // Item 8: never decides the status, computed all the same.
            ("progress", json!((40.0 - 20.0) * 100.0 / (100.0 - 20.0))),
        ],
    );
}

#[test]
fn a_note_on_one_quarter_or_one_category_explains_what_it_was_combined_into() {
    let env = env();
    // The year of NQ: 20 against 50 to date, short; Q1's note explains it (one note: no label).
    expect(
        &row(&env, "FY2024", "NQ"),
        &[
            ("status", json!("short")),
            ("target_to_date", json!(50.0)),
            ("needs_explanation", json!(false)),
            ("explanation", json!("strike")),
        ],
    );
    // Q2 on its own has no note: it needs one.
    expect(
        &row(&env, "FY2024Q2", "NQ"),
        &[
            ("status", json!("short")),
            ("needs_explanation", json!(true)),
            ("explanation", Value::Null),
        ],
    );
    // A derived total whose female category carries the note.
    expect(
        &row(&env, "FY2024", "NC"),
        &[
            ("actual", json!(40.0)),
            ("derived", json!(true)),
            ("status", json!("short")),
            ("needs_explanation", json!(false)),
            ("explanation", json!("female late")),
        ],
    );
}

#[test]
fn several_notes_are_labelled_by_period_and_category() {
    let env = env();
    expect(
        &row(&env, "FY2024", "NM"),
        &[
            ("status", json!("short")),
            ("needs_explanation", json!(false)),
            ("explanation", json!("FY2024Q1: strike; FY2024Q2: floods")),
        ],
    );
    expect(
        &row(&env, "FY2024", "NMC"),
        &[
            ("derived", json!(true)),
            ("needs_explanation", json!(false)),
            (
                "explanation",
                json!("FY2024 sex=female: a; FY2024 sex=male: b"),
            ),
        ],
    );
}

/// The header line of a node in the plain table: `G1 Goal one · ...`.
fn header(table: &str, code: &str) -> String {
    table
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{code} ")))
        .unwrap_or_else(|| panic!("no header for {code}:\n{table}"))
        .to_string()
}

#[test]
fn status_and_needs_explanation_filters_keep_their_rows_and_count_them() {
    let env = env();
    let all = rows(&env, &["--period", "FY2024"]);
    let incomplete: Vec<&str> = all
        .iter()
        .filter(|r| r["status"] == "incomplete")
        .map(|r| r["indicator"].as_str().unwrap())
        .collect();
    assert_eq!(incomplete, ["INC"]);
    let needs: Vec<&str> = all
        .iter()
        .filter(|r| r["needs_explanation"] == true)
        .map(|r| r["indicator"].as_str().unwrap())
        .collect();
    assert_eq!(needs, ["CR", "Z"]);

    let got: Vec<Value> = rows(&env, &["--period", "FY2024", "--status", "incomplete"]);
    let codes: Vec<&str> = got
        .iter()
        .map(|r| r["indicator"].as_str().unwrap())
        .collect();
    assert_eq!(codes, incomplete);
    let got: Vec<Value> = rows(&env, &["--period", "FY2024", "--needs-explanation"]);
    let codes: Vec<&str> = got
        .iter()
        .map(|r| r["indicator"].as_str().unwrap())
        .collect();
    assert_eq!(codes, needs);

    // The header counts only the rows shown.
    let t = env
        .ics(&["progress", "--period", "FY2024", "--status", "incomplete"])
        .ok()
        .stdout;
    let h = header(&t, "G1");
    assert!(h.contains("1 indicator: 1 incomplete"), "{h}\n{t}");
    let t = env
        .ics(&["progress", "--period", "FY2024", "--needs-explanation"])
        .ok()
        .stdout;
    let h = header(&t, "G1");
    assert!(h.contains("2 indicators: 2 short"), "{h}\n{t}");
    assert!(!t.contains("INC"), "{t}");
}

/// A JSON value as the CSV writes it: null empty, booleans and numbers as text.
fn csv_cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[test]
fn progress_csv_has_the_json_keys_in_order_and_the_same_values() {
    let env = env();
    for period in ["FY2024", "FY2024Q2", "FY2025"] {
        let json = rows(&env, &["--period", period]);
        let csv = env
            .ics(&["progress", "--format", "csv", "--period", period])
            .ok()
            .stdout;
        let mut r = csv::Reader::from_reader(csv.as_bytes());
        let headers: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
        assert_eq!(headers, KEYS, "{csv}");
        let records: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), json.len(), "{csv}");
        for (rec, j) in records.iter().zip(&json) {
            for (k, cell) in KEYS.iter().zip(rec.iter()) {
                let want = &j[*k];
                let same = match (want.as_f64(), cell.parse::<f64>()) {
                    (Some(a), Ok(b)) => (a - b).abs() <= 1e-9 * a.abs().max(1.0),
                    _ => csv_cell(want) == cell,
                };
                assert!(
                    same,
                    "{period} {}: CSV `{k}` is {cell:?}, JSON {want}",
                    j["indicator"]
                );
            }
        }
    }
}

/// `track --format json` against `progress --format json --period P` for every period of
/// every row: the cell's keys carry the row's values (issue 14, item 1).
#[track_caller]
fn track_equals_progress(env: &Env, extra: &[&str]) {
    let mut args = vec!["track", "--format", "json"];
    args.extend_from_slice(extra);
    let track = env.ics(&args).ok().json();
    let mut by_period: std::collections::HashMap<String, Vec<Value>> = Default::default();
    let mut checked = 0;
    for t in track.as_array().expect("a JSON array") {
        let code = t["indicator"].as_str().unwrap();
        for cell in t["periods"].as_array().unwrap() {
            let period = cell["period"].as_str().unwrap().to_string();
            let progress = by_period
                .entry(period.clone())
                .or_insert_with(|| rows(env, &["--period", &period]));
            let p = progress
                .iter()
                .find(|r| r["indicator"] == code)
                .unwrap_or_else(|| panic!("progress {period} has no {code}"));
            for k in [
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
            ] {
                assert_eq!(
                    cell[k], p[k],
                    "{code} {period} `{k}`: track {cell}, progress {p}"
                );
            }
            for k in [
                "title",
                "node",
                "path",
                "unit",
                "direction",
                "baseline",
                "cumulative",
            ] {
                assert_eq!(t[k], p[k], "{code} {period} `{k}`");
            }
            checked += 1;
        }
    }
    assert!(checked > 0);
}

#[test]
fn track_json_equals_progress_json_for_every_period() {
    let env = env();
    track_equals_progress(&env, &[]);
    track_equals_progress(&env, &["--quarters", "--from", "FY2023", "--to", "FY2025"]);
    // A range after the strategy's start: the running totals still begin at the start.
    track_equals_progress(&env, &["--from", "FY2025", "--to", "FY2026"]);
    let track = env
        .ics(&[
            "track", "--format", "json", "--from", "FY2025", "--to", "FY2025",
        ])
        .ok()
        .json();
    let cy = track
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["indicator"] == "CY")
        .unwrap();
    assert_eq!(cy["periods"][0]["period"], "FY2025");
    assert_eq!(cy["periods"][0]["actual"], 105.0, "{cy}");
}

#[test]
fn track_equals_progress_for_a_cumulative_indicator_of_a_strategy_without_start() {
    let fw = FW
        .replace("start = \"FY2024\"\n", "")
        .replace("end = \"FY2026\"\n", "");
    let env = env_with(&fw, VALUES);
    // The running total begins at the first recorded value (item 6).
    expect(&row(&env, "FY2025Q1", "CY"), &[("actual", json!(105.0))]);
    track_equals_progress(&env, &["--from", "FY2025", "--to", "FY2025", "--quarters"]);
    track_equals_progress(&env, &["--from", "FY2024", "--to", "FY2026"]);
}

// The default period (item 11).

const DEFAULTS: &str = r#"
[strategy]
code = "d"
title = "Defaults"
version = "v1"
start = "FY2020"
end = "FY2022"

[[goal]]
code = "G1"
title = "Goal one"

  [[goal.indicator]]
  code = "I1"
  title = "One"
  unit = "people"
  direction = "increase"
  disaggregations = { sex = ["female", "male"] }
"#;

fn default_period(env: &Env, now: &str) -> String {
    let v = env
        .ics_env(&["progress", "--format", "json"], &[("ICS_NOW", now)])
        .ok()
        .json();
    v[0]["period"].as_str().unwrap().to_string()
}

const NOW: &str = "2026-01-15T12:00:00Z";

#[test]
fn default_period_with_no_values_and_no_targets_is_the_current_fiscal_year() {
    let env = env_with(DEFAULTS, "");
    assert_eq!(default_period(&env, NOW), "FY2026");
    // 1 October starts the next fiscal year.
    assert_eq!(default_period(&env, "2026-10-01T00:00:00Z"), "FY2027");
}

#[test]
fn default_period_with_values_only_outside_the_strategy_years() {
    let env = env_with(
        DEFAULTS,
        "indicator,period,value\nI1,FY2030,1\nI1,FY2018,1\n",
    );
    assert_eq!(default_period(&env, NOW), "FY2030");
    // A target inside the strategy wins over a later value outside it.
    let fw = DEFAULTS.replace(
        "direction = \"increase\"",
        "direction = \"increase\"\n  targets = { FY2021 = 5 }",
    );
    let env = env_with(&fw, "indicator,period,value\nI1,FY2030,1\n");
    assert_eq!(default_period(&env, NOW), "FY2021");
}

#[test]
fn default_period_counts_a_year_with_only_disaggregated_values() {
    let env = env_with(
        DEFAULTS,
        "indicator,period,value,disaggregation\nI1,FY2020,1,\nI1,FY2022,3,sex=female\n",
    );
    assert_eq!(default_period(&env, NOW), "FY2022");
}

#[test]
fn default_period_ignores_a_voided_value() {
    let env = env_with(
        DEFAULTS,
        "indicator,period,value,disaggregation\nI1,FY2021,1,\nI1,FY2022,3,\nI1,FY2030,4,\n",
    );
    assert_eq!(default_period(&env, NOW), "FY2022");
    env.ics(&["void", "I1", "FY2022", "--reason", "typo"]).ok();
    assert_eq!(default_period(&env, NOW), "FY2021");
    // A voided category too.
    env.ics(&["record", "I1", "FY2022", "2", "--disagg", "sex=male"])
        .ok();
    assert_eq!(default_period(&env, NOW), "FY2022");
    env.ics(&[
        "void", "I1", "FY2022", "--disagg", "sex=male", "--reason", "typo",
    ])
    .ok();
    assert_eq!(default_period(&env, NOW), "FY2021");
    // Voids outside the strategy: FY2030 voided, nothing inside left but FY2021.
    env.ics(&["void", "I1", "FY2021", "--reason", "typo"]).ok();
    assert_eq!(default_period(&env, NOW), "FY2030");
    env.ics(&["void", "I1", "FY2030", "--reason", "typo"]).ok();
    assert_eq!(default_period(&env, NOW), "FY2026");
    // `track` and the voided year: no actual, no data.
    let r = rows(&env, &["--period", "FY2022"]);
    assert_eq!(r[0]["actual"], Value::Null);
    assert_eq!(r[0]["status"], "no_target");
}

#[test]
fn the_report_page_counts_what_progress_counts() {
    let env = env();
    for period in ["FY2024", "FY2024Q2", "FY2025"] {
        let json = rows(&env, &["--period", period]);
        let needs = json
            .iter()
            .filter(|r| r["needs_explanation"] == true)
            .count();
        let out = env
            .ics(&["report", "--period", period, "--out", "r.html"])
            .ok()
            .stdout;
        let says = format!("{} needing an explanation", needs);
        assert!(out.contains(&says), "{period}: {out} (progress: {needs})");
    }
}

#[test]
fn explain_or_void_on_one_category_of_a_derived_total() {
    let env = env_with(FW, "");
    env.ics(&["record", "NC", "FY2024", "30", "--disagg", "sex=female"])
        .ok();
    env.ics(&["record", "NC", "FY2024", "10", "--disagg", "sex=male"])
        .ok();
    expect(
        &row(&env, "FY2024", "NC"),
        &[
            ("actual", json!(40.0)),
            ("derived", json!(true)),
            ("status", json!("short")),
            ("needs_explanation", json!(true)),
        ],
    );
    // Explaining one category explains the total made of it (item 9).
    env.ics(&[
        "explain",
        "NC",
        "FY2024",
        "--disagg",
        "sex=male",
        "clinic closed",
    ])
    .ok();
    expect(
        &row(&env, "FY2024", "NC"),
        &[
            ("actual", json!(40.0)),
            ("needs_explanation", json!(false)),
            ("explanation", json!("clinic closed")),
        ],
    );
    // Voiding a category leaves the key without every category: no total (item 2).
    env.ics(&[
        "void",
        "NC",
        "FY2024",
        "--disagg",
        "sex=female",
        "--reason",
        "typo",
    ])
    .ok();
    expect(
        &row(&env, "FY2024", "NC"),
        &[
            ("actual", Value::Null),
            ("derived", json!(false)),
            ("status", json!("no_data")),
            ("explanation", Value::Null),
        ],
    );
    // A quarter's explanation explains the year made of it.
    env.ics(&["record", "NQ", "FY2024Q1", "10"]).ok();
    env.ics(&["record", "NQ", "FY2024Q2", "10"]).ok();
    assert_eq!(row(&env, "FY2024", "NQ")["needs_explanation"], true);
    env.ics(&["explain", "NQ", "FY2024Q2", "floods"]).ok();
    expect(
        &row(&env, "FY2024", "NQ"),
        &[
            ("needs_explanation", json!(false)),
            ("explanation", json!("floods")),
        ],
    );
    // A voided quarter is not combined: the year is Q1 alone.
    env.ics(&["void", "NQ", "FY2024Q2", "--reason", "wrong quarter"])
        .ok();
    expect(
        &row(&env, "FY2024", "NQ"),
        &[
            ("actual", json!(10.0)),
            ("quarters_reported", json!(1)),
            ("target_to_date", json!(25.0)),
            ("status", json!("short")),
            ("needs_explanation", json!(true)),
        ],
    );
}
