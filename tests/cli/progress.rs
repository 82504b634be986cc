//! `ics progress`: each definition of issue 4 and docs/decisions.md items 12-17 pinned with small frameworks
//! written here, values entered through the real `record` and `import-values` commands, and
//! snapshots of the shipped demo data.

use serde_json::Value;

use crate::common::Env;

mod output;

/// A framework with one indicator of each kind the definitions distinguish.
const FW: &str = r#"
[strategy]
code = "prog"
title = "Progress test strategy"
version = "v1"
start = "FY2019"
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
    code = "UP-BASE"
    title = "Increase with baseline"
    unit = "people"
    direction = "increase"
    baseline = { period = "FY2019", value = 10 }
    targets = { FY2021 = 20, FY2022 = 30 }

    [[goal.objective.indicator]]
    code = "UP"
    title = "Increase without baseline"
    unit = "people"
    direction = "increase"
    targets = { FY2021 = 100 }

  [[goal.objective]]
  code = "O2"
  title = "Objective two"

    [[goal.objective.indicator]]
    code = "DOWN-BASE"
    title = "Decrease with baseline"
    unit = "percent"
    direction = "decrease"
    baseline = { period = "FY2019", value = 50 }
    targets = { FY2021 = 40 }

    [[goal.objective.indicator]]
    code = "DOWN"
    title = "Decrease without baseline"
    unit = "days"
    direction = "decrease"
    targets = { FY2021 = 40 }

[[development_objective]]
code = "DO1"
title = "Development objective one"
supports = ["O1", "O2"]

  [[development_objective.indicator]]
  code = "Q-SUM"
  title = "Quarterly, summed"
  unit = "visits"
  direction = "increase"
  frequency = "quarterly"
  targets = { FY2021 = 100 }

  [[development_objective.indicator]]
  code = "Q-MEAN"
  title = "Quarterly, averaged"
  unit = "percent"
  direction = "increase"
  frequency = "quarterly"
  aggregation = "mean"
  targets = { FY2021 = 50 }

  [[development_objective.indicator]]
  code = "Q-LAST"
  title = "Quarterly, last quarter"
  unit = "clinics"
  direction = "increase"
  frequency = "quarterly"
  aggregation = "last"
  targets = { FY2021 = 12 }
"#;

fn env_with(fw: &str) -> Env {
    let env = Env::new();
    let f = env.write("framework.toml", fw);
    env.ics(&["load", f.to_str().unwrap()]).ok();
    env
}

fn record(env: &Env, args: &[&str]) {
    let mut all = vec!["record"];
    all.extend_from_slice(args);
    env.ics(&all).ok();
}

fn import(env: &Env, csv: &str) {
    let f = env.write("values.csv", csv);
    env.ics(&["import-values", f.to_str().unwrap()]).ok();
}

/// `progress --format json` with `extra` arguments, as rows keyed by indicator code.
fn rows(env: &Env, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["progress", "--format", "json"];
    args.extend_from_slice(extra);
    let v = env.ics(&args).ok().json();
    v.as_array().expect("a JSON array").clone()
}

fn row(rows: &[Value], code: &str) -> Value {
    rows.iter()
        .find(|r| r["indicator"] == code)
        .unwrap_or_else(|| panic!("no row for {code}: {rows:?}"))
        .clone()
}

fn status(rows: &[Value], code: &str) -> String {
    row(rows, code)["status"].as_str().unwrap().to_string()
}

#[test]
fn increase_and_decrease_with_and_without_baseline() {
    let env = env_with(FW);
    import(
        &env,
        "indicator,period,value\nUP-BASE,FY2021,15\nUP,FY2021,75\nDOWN-BASE,FY2021,44\nDOWN,FY2021,50\n",
    );
    let r = rows(&env, &["--period", "FY2021"]);
    // (15 - 10) * 100 / (20 - 10)
    assert_eq!(row(&r, "UP-BASE")["percent"], 50.0);
    assert_eq!(row(&r, "UP-BASE")["baseline"], 10.0);
    // 75 * 100 / 100
    assert_eq!(row(&r, "UP")["percent"], 75.0);
    // (44 - 50) * 100 / (40 - 50)
    assert_eq!(row(&r, "DOWN-BASE")["percent"], 60.0);
    // 40 * 100 / 50
    assert_eq!(row(&r, "DOWN")["percent"], 80.0);
    assert_eq!(row(&r, "DOWN")["baseline"], Value::Null);
    for code in ["UP-BASE", "UP", "DOWN-BASE", "DOWN"] {
        assert_eq!(status(&r, code), "below", "{code}");
        assert_eq!(row(&r, code)["needs_explanation"], true, "{code}");
    }
}

#[test]
fn json_rows_have_exactly_the_contract_keys_in_strategy_order() {
    let env = env_with(FW);
    record(&env, &["UP", "FY2021", "100"]);
    let r = rows(&env, &["--period", "FY2021"]);
    let order: Vec<&str> = r.iter().map(|r| r["indicator"].as_str().unwrap()).collect();
    assert_eq!(
        order,
        [
            "UP-BASE",
            "UP",
            "DOWN-BASE",
            "DOWN",
            "Q-SUM",
            "Q-MEAN",
            "Q-LAST"
        ]
    );
    let up = row(&r, "UP");
    let mut keys: Vec<&str> = up.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
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
        "actual",
        "percent",
        "status",
        "needs_explanation",
        "quarters_reported",
    ];
    want.sort();
    assert_eq!(keys, want);
    assert_eq!(up["path"], "G1 > O1");
    assert_eq!(up["node"], "O1");
    assert_eq!(up["period"], "FY2021");
    assert_eq!(up["direction"], "increase");
    assert_eq!(up["target"], 100.0);
    assert_eq!(up["actual"], 100.0);
    assert_eq!(up["status"], "on_target");
    assert_eq!(up["needs_explanation"], false);
    assert_eq!(row(&r, "Q-SUM")["path"], "DO1");
}

#[test]
fn each_status_at_and_just_past_the_threshold() {
    let cases = [
        ("110", "on_target"),
        ("110.01", "above"),
        ("90", "on_target"),
        ("89.99", "below"),
        ("100", "on_target"),
    ];
    for (value, want) in cases {
        let env = env_with(FW);
        record(&env, &["UP", "FY2021", value]);
        let r = rows(&env, &["--period", "FY2021"]);
        assert_eq!(status(&r, "UP"), want, "actual {value} of target 100");
    }
    // Exactly 110 % through a baseline: (21 - 10) * 100 / (20 - 10).
    let env = env_with(FW);
    record(&env, &["UP-BASE", "FY2021", "21"]);
    let r = rows(&env, &["--period", "FY2021"]);
    assert_eq!(row(&r, "UP-BASE")["percent"], 110.0);
    assert_eq!(status(&r, "UP-BASE"), "on_target");
}

#[test]
fn threshold_comes_from_the_framework() {
    let env = env_with(&FW.replace("deviation_threshold = 10", "deviation_threshold = 25"));
    record(&env, &["UP", "FY2021", "80"]);
    assert_eq!(
        status(&rows(&env, &["--period", "FY2021"]), "UP"),
        "on_target"
    );
}

#[test]
fn missing_target_and_missing_actual() {
    let env = env_with(FW);
    record(&env, &["UP", "FY2022", "5"]);
    let r = rows(&env, &["--period", "FY2022"]);
    let up = row(&r, "UP");
    assert_eq!(up["status"], "no_target");
    assert_eq!(up["target"], Value::Null);
    assert_eq!(up["actual"], 5.0);
    assert_eq!(up["percent"], Value::Null);
    assert_eq!(up["needs_explanation"], false);
    let base = row(&r, "UP-BASE");
    assert_eq!(base["status"], "no_data");
    assert_eq!(base["target"], 30.0);
    assert_eq!(base["actual"], Value::Null);
}

#[test]
fn undefined_percent_compares_actual_and_target() {
    let fw = FW.replace(
        "baseline = { period = \"FY2019\", value = 10 }\n    targets = { FY2021 = 20, FY2022 = 30 }",
        "baseline = { period = \"FY2019\", value = 20 }\n    targets = { FY2021 = 20, FY2022 = 30 }",
    );
    let env = env_with(&fw);
    record(&env, &["UP-BASE", "FY2021", "25"]);
    record(&env, &["DOWN", "FY2021", "0"]);
    let r = rows(&env, &["--period", "FY2021"]);
    assert_eq!(row(&r, "UP-BASE")["percent"], Value::Null);
    assert_eq!(status(&r, "UP-BASE"), "above");
    assert_eq!(row(&r, "DOWN")["percent"], Value::Null, "a zero actual");
    assert_eq!(status(&r, "DOWN"), "above", "0 days is better than 40");
}

#[test]
fn quarterly_indicators_combine_their_quarters() {
    let env = env_with(FW);
    import(
        &env,
        "indicator,period,value\n\
         Q-SUM,FY2021Q1,20\nQ-SUM,FY2021Q2,30\nQ-SUM,FY2021Q4,45\n\
         Q-MEAN,FY2021Q1,40\nQ-MEAN,FY2021Q2,60\n\
         Q-LAST,FY2021Q1,5\nQ-LAST,FY2021Q3,11\n\
         Q-SUM,FY2022Q1,1000\n",
    );
    let r = rows(&env, &["--period", "FY2021"]);
    let sum = row(&r, "Q-SUM");
    assert_eq!(
        (sum["actual"].clone(), sum["quarters_reported"].clone()),
        (95.0.into(), 3.into())
    );
    assert_eq!(sum["status"], "on_target");
    assert_eq!(row(&r, "Q-MEAN")["actual"], 50.0);
    assert_eq!(row(&r, "Q-MEAN")["quarters_reported"], 2);
    assert_eq!(row(&r, "Q-LAST")["actual"], 11.0);
    // An annual value, when recorded, is the year's actual.
    record(&env, &["Q-SUM", "FY2021", "120"]);
    let sum = row(&rows(&env, &["--period", "FY2021"]), "Q-SUM");
    assert_eq!(sum["actual"], 120.0);
    assert_eq!(sum["quarters_reported"], Value::Null);
    // A quarter is a period too.
    let q = row(&rows(&env, &["--period", "FY2021Q2"]), "Q-SUM");
    assert_eq!(
        (q["actual"].clone(), q["period"].clone()),
        (30.0.into(), "FY2021Q2".into())
    );
}

#[test]
fn only_the_current_value_counts() {
    let env = env_with(FW);
    record(&env, &["UP", "FY2021", "50"]);
    record(
        &env,
        &["UP", "FY2021", "100", "--note", "corrected after audit"],
    );
    let r = rows(&env, &["--period", "FY2021"]);
    assert_eq!(row(&r, "UP")["actual"], 100.0);
    assert_eq!(status(&r, "UP"), "on_target");
}

#[test]
fn a_disaggregated_value_is_not_the_actual() {
    let fw = FW.replace(
        "    targets = { FY2021 = 100 }\n",
        "    targets = { FY2021 = 100 }\n    disaggregations = { sex = [\"female\", \"male\"] }\n",
    );
    let env = env_with(&fw);
    record(&env, &["UP", "FY2021", "60", "--disagg", "sex=female"]);
    assert_eq!(
        status(&rows(&env, &["--period", "FY2021"]), "UP"),
        "no_data"
    );
}

#[test]
fn a_note_clears_needs_explanation() {
    let env = env_with(FW);
    record(&env, &["UP", "FY2021", "150"]);
    record(
        &env,
        &[
            "DOWN",
            "FY2021",
            "80",
            "--note",
            "clinic closed for repairs",
        ],
    );
    let r = rows(&env, &["--period", "FY2021"]);
    assert_eq!(
        (status(&r, "UP"), row(&r, "UP")["needs_explanation"].clone()),
        ("above".into(), true.into())
    );
    assert_eq!(row(&r, "DOWN")["needs_explanation"], false);
    // A note on any quarter explains a quarterly indicator's year.
    import(
        &env,
        "indicator,period,value,note\nQ-SUM,FY2021Q1,10,\nQ-SUM,FY2021Q2,10,staff strike\n",
    );
    let q = row(&rows(&env, &["--period", "FY2021"]), "Q-SUM");
    assert_eq!(
        (q["status"].clone(), q["needs_explanation"].clone()),
        ("below".into(), false.into())
    );
}

#[test]
fn a_do_rolls_up_to_the_two_objectives_it_supports() {
    let env = env_with(FW);
    import(
        &env,
        "indicator,period,value\nUP,FY2021,100\nQ-SUM,FY2021Q1,100\nQ-MEAN,FY2021Q1,10\n",
    );
    let md = env
        .ics(&["progress", "--period", "FY2021", "--format", "markdown"])
        .ok()
        .stdout;
    let summary = |code: &str| -> String {
        md.lines()
            .find(|l| l.starts_with(&format!("| **{code}** | **summary**")))
            .unwrap_or_else(|| panic!("no summary row for {code}:\n{md}"))
            .to_string()
    };
    let linked = "linked DO1: 3 indicators: 1 on target, 1 below, 1 no data";
    assert!(
        summary("O1").contains(&format!("2 indicators: 1 on target, 1 no data; {linked}")),
        "{md}"
    );
    assert!(
        summary("O2").contains(&format!("2 indicators: 2 no data; {linked}")),
        "{md}"
    );
    // The goal counts the DO once, and apart from its own four.
    assert!(
        summary("G1").contains(&format!("4 indicators: 1 on target, 3 no data; {linked}")),
        "{md}"
    );
    assert!(
        summary("DO1")
            .ends_with("| 3 indicators: 1 on target, 1 below, 1 no data | | | | | | | | |"),
        "{md}"
    );
    // The DO's rows appear once, under the DO; the table shows the same roll-ups.
    assert_eq!(md.matches("| Q-SUM |").count(), 1);
    let wide = [("COLUMNS", "200")];
    let table = env
        .ics_env(&["progress", "--period", "FY2021"], &wide)
        .ok()
        .stdout;
    assert_eq!(table.matches(linked).count(), 3, "{table}");
    // --node keeps the objective's own rows; the DO shows in its roll-up only.
    let r = rows(&env, &["--period", "FY2021", "--node", "O2"]);
    let codes: Vec<&str> = r.iter().map(|r| r["indicator"].as_str().unwrap()).collect();
    assert_eq!(codes, ["DOWN-BASE", "DOWN"]);
    let t = env
        .ics_env(&["progress", "--period", "FY2021", "--node", "O2"], &wide)
        .ok()
        .stdout;
    assert!(t.contains(linked), "{t}");
    assert!(!t.contains("Q-SUM"), "{t}");
}

#[test]
fn status_filter_keeps_matching_rows() {
    let env = env_with(FW);
    import(
        &env,
        "indicator,period,value\nUP,FY2021,100\nDOWN,FY2021,80\nUP-BASE,FY2021,99\n",
    );
    let r = rows(
        &env,
        &[
            "--period", "FY2021", "--status", "below", "--status", "above",
        ],
    );
    let codes: Vec<&str> = r.iter().map(|r| r["indicator"].as_str().unwrap()).collect();
    assert_eq!(codes, ["UP-BASE", "DOWN"]);
    let r = rows(&env, &["--period", "FY2021", "--status", "no_target"]);
    assert!(r.is_empty(), "{r:?}");
    let t = env
        .ics(&["progress", "--period", "FY2021", "--status", "no_target"])
        .ok();
    assert!(t.stdout.contains("No indicators to show"), "{}", t.stdout);
}

#[test]
fn period_defaults_to_the_latest_year_with_a_target_or_actual() {
    let env = env_with(FW);
    let r = rows(&env, &[]);
    assert_eq!(r[0]["period"], "FY2022", "the latest target");
    record(&env, &["UP", "FY2024", "1"]);
    assert_eq!(rows(&env, &[])[0]["period"], "FY2024", "the latest actual");
    // A date means the fiscal year it falls in; periods are case-insensitive.
    assert_eq!(
        rows(&env, &["--period", "2020-10-01"])[0]["period"],
        "FY2021"
    );
    assert_eq!(rows(&env, &["--period", "fy2021"])[0]["period"], "FY2021");
}

#[test]
fn period_defaults_to_today_without_targets_or_values() {
    let fw = r#"
[strategy]
code = "t"
title = "T"
version = "v1"

[[goal]]
code = "G1"
title = "Goal"

  [[goal.indicator]]
  code = "I1"
  title = "One"
  unit = "people"
  direction = "increase"
"#;
    let env = env_with(fw);
    // ICS_NOW is 2026-01-15 in the harness: fiscal year 2026.
    assert_eq!(rows(&env, &[])[0]["period"], "FY2026");
}

#[test]
fn stored_versions_are_selectable() {
    let env = env_with(FW);
    let f = env.write(
        "v2.toml",
        &FW.replace("version = \"v1\"", "version = \"v2\"")
            .replace("targets = { FY2021 = 100 }", "targets = { FY2021 = 200 }"),
    );
    env.ics(&["load", f.to_str().unwrap()]).ok();
    record(&env, &["UP", "FY2021", "100"]);
    assert_eq!(status(&rows(&env, &["--period", "FY2021"]), "UP"), "below");
    let old = rows(&env, &["--period", "FY2021", "--version", "v1"]);
    assert_eq!(status(&old, "UP"), "on_target");
    env.ics(&["progress", "--version", "v9"])
        .fails()
        .stderr_has("no version labelled `v9`");
}

#[test]
fn user_errors_leave_the_database_unchanged() {
    let env = env_with(FW);
    record(&env, &["UP", "FY2021", "100"]);
    let before = env.fingerprint();
    env.ics(&["progress", "--node", "O9"])
        .fails()
        .stderr_has("`O9`")
        .stderr_has("help: did you mean `O1` or `O2`?");
    env.ics(&["progress", "--node", "UP"])
        .fails()
        .stderr_has("`UP` is an indicator")
        .stderr_has("--node O1");
    env.ics(&["progress", "--period", "FY21"])
        .fails()
        .stderr_has("`FY21` is not a period");
    env.ics(&["progress", "--period", "FY2021Q5"]).fails();
    env.ics(&["progress", "--status", "late"]).fails();
    assert_eq!(env.fingerprint(), before);
    let empty = Env::new();
    empty
        .ics(&["progress"])
        .fails()
        .stderr_has("no database at");
}
