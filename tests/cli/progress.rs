//! `ics progress`: the definitions of issue 13 (achieved, deviation, status, progress from the
//! baseline, quarters, needs explanation) seen through the real binary, with small frameworks
//! written here and values entered through the real `record`, `import-values` and `explain`
//! commands; the output formats and snapshots of the shipped demo data are in [`output`].

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

/// A JSON number, within rounding of `want`.
#[track_caller]
fn near(v: &Value, want: f64) {
    let got = v
        .as_f64()
        .unwrap_or_else(|| panic!("{v} is not a number (want {want})"));
    assert!((got - want).abs() < 1e-9, "{got} is not {want}");
}

fn codes(rows: &[Value]) -> Vec<&str> {
    rows.iter()
        .map(|r| r["indicator"].as_str().unwrap())
        .collect()
}

#[test]
fn increase_and_decrease_with_and_without_baseline() {
    let env = env_with(FW);
    import(
        &env,
        "indicator,period,value\nUP-BASE,FY2021,15\nUP,FY2021,75\nDOWN-BASE,FY2021,46\nDOWN,FY2021,50\n",
    );
    let r = rows(&env, &["--period", "FY2021"]);
    let up_base = row(&r, "UP-BASE");
    // 15 / 20 * 100; (15 - 20) / 20 * 100; (15 - 10) / (20 - 10) * 100
    near(&up_base["achieved"], 75.0);
    near(&up_base["deviation"], -25.0);
    near(&up_base["progress"], 50.0);
    near(&up_base["baseline"], 10.0);
    let up = row(&r, "UP");
    near(&up["achieved"], 75.0);
    near(&up["deviation"], -25.0);
    assert_eq!(up["progress"], Value::Null, "no baseline");
    // Lower is better: 46 against 40 is 15 % worse. (46 - 50) / (40 - 50) * 100 = 40.
    let down_base = row(&r, "DOWN-BASE");
    near(&down_base["achieved"], 115.0);
    near(&down_base["deviation"], 15.0);
    near(&down_base["progress"], 40.0);
    near(&row(&r, "DOWN")["deviation"], 25.0);
    assert_eq!(row(&r, "DOWN")["baseline"], Value::Null);
    for code in ["UP-BASE", "UP", "DOWN-BASE", "DOWN"] {
        assert_eq!(status(&r, code), "short", "{code}");
        assert_eq!(row(&r, code)["needs_explanation"], true, "{code}");
    }
    // Lower is better: 30 days against 40 is better by 25 %.
    record(&env, &["DOWN", "FY2021", "30"]);
    let down = row(&rows(&env, &["--period", "FY2021"]), "DOWN");
    assert_eq!(down["status"], "exceeded");
    near(&down["achieved"], 75.0);
    near(&down["deviation"], -25.0);
}

#[test]
fn json_rows_have_exactly_the_contract_keys_in_strategy_order() {
    let env = env_with(FW);
    record(&env, &["UP", "FY2021", "100"]);
    let out = env
        .ics(&["progress", "--period", "FY2021", "--format", "json"])
        .ok();
    let r = out.json().as_array().unwrap().clone();
    assert_eq!(
        codes(&r),
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
    let contract = crate::common::PROGRESS_KEYS;
    for row in &r {
        let mut keys: Vec<&str> = row
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort();
        let mut want = contract.to_vec();
        want.sort();
        assert_eq!(keys, want, "{row}");
    }
    // Stable: the keys in the contract's order, in every object.
    for object in out.stdout.split("\n  },") {
        let at: Vec<usize> = contract
            .iter()
            .map(|k| object.find(&format!("\"{k}\":")).unwrap())
            .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{object}");
    }
    let up = row(&r, "UP");
    assert_eq!(up["path"], "G1 > O1");
    assert_eq!(up["node"], "O1");
    assert_eq!(up["period"], "FY2021");
    assert_eq!(up["direction"], "increase");
    assert_eq!(up["target"], 100.0);
    assert_eq!(up["actual"], 100.0);
    assert_eq!(up["achieved"], 100.0);
    assert_eq!(up["deviation"], 0.0);
    assert_eq!(up["status"], "on_target");
    assert_eq!(up["needs_explanation"], false);
    // Keys that do not apply are there, null or false.
    for key in [
        "baseline",
        "target_to_date",
        "progress",
        "explanation",
        "quarters_reported",
        "numerator",
        "denominator",
    ] {
        assert_eq!(up[key], Value::Null, "{key}");
    }
    for key in ["partial", "derived", "cumulative"] {
        assert_eq!(up[key], false, "{key}");
    }
    assert_eq!(row(&r, "Q-SUM")["path"], "DO1");
}

#[test]
fn each_status_at_and_just_past_the_threshold() {
    // Target 100, higher is better.
    let cases = [
        ("110", "on_target"),
        ("110.01", "exceeded"),
        ("90", "on_target"),
        ("89.99", "short"),
        ("100", "on_target"),
    ];
    for (value, want) in cases {
        let env = env_with(FW);
        record(&env, &["UP", "FY2021", value]);
        let r = rows(&env, &["--period", "FY2021"]);
        assert_eq!(status(&r, "UP"), want, "actual {value} of target 100");
    }
    // Target 40 days, lower is better.
    for (value, want) in [("44", "on_target"), ("44.1", "short"), ("35.9", "exceeded")] {
        let env = env_with(FW);
        record(&env, &["DOWN", "FY2021", value]);
        let r = rows(&env, &["--period", "FY2021"]);
        assert_eq!(status(&r, "DOWN"), want, "actual {value} of target 40");
    }
    // Exactly 10 % over the target; progress from the baseline is 120 % and decides nothing.
    let env = env_with(FW);
    record(&env, &["UP-BASE", "FY2021", "22"]);
    let r = rows(&env, &["--period", "FY2021"]);
    near(&row(&r, "UP-BASE")["progress"], 120.0);
    near(&row(&r, "UP-BASE")["deviation"], 10.0);
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
    let t = env.ics(&["progress", "--period", "FY2021"]).ok().stdout;
    assert!(t.contains("Off target = deviation beyond ±25%"), "{t}");
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
    assert_eq!(up["achieved"], Value::Null);
    assert_eq!(up["deviation"], Value::Null);
    assert_eq!(up["needs_explanation"], false);
    let base = row(&r, "UP-BASE");
    assert_eq!(base["status"], "no_data");
    assert_eq!(base["target"], 30.0);
    assert_eq!(base["actual"], Value::Null);
    assert_eq!(base["achieved"], Value::Null);
}

#[test]
fn baseline_at_target_and_target_zero() {
    let fw = FW
        .replace(
            "baseline = { period = \"FY2019\", value = 10 }\n    targets = { FY2021 = 20, FY2022 = 30 }",
            "baseline = { period = \"FY2019\", value = 20 }\n    targets = { FY2021 = 20, FY2022 = 30 }",
        )
        .replace("targets = { FY2021 = 100 }", "targets = { FY2021 = 0 }");
    let env = env_with(&fw);
    record(&env, &["UP-BASE", "FY2021", "25"]);
    record(&env, &["DOWN", "FY2021", "0"]);
    record(&env, &["UP", "FY2021", "0"]);
    let r = rows(&env, &["--period", "FY2021"]);
    let up_base = row(&r, "UP-BASE");
    assert_eq!(up_base["progress"], Value::Null, "baseline equals target");
    near(&up_base["achieved"], 125.0);
    assert_eq!(up_base["status"], "exceeded");
    let down = row(&r, "DOWN");
    near(&down["achieved"], 0.0);
    near(&down["deviation"], -100.0);
    assert_eq!(down["status"], "exceeded", "0 days is better than 40");
    // Target 0: equal is on target, and there is no percent of it.
    let up = row(&r, "UP");
    assert_eq!(up["status"], "on_target");
    assert_eq!(up["achieved"], Value::Null);
    assert_eq!(up["deviation"], Value::Null);
    record(&env, &["UP", "FY2021", "5"]);
    assert_eq!(
        status(&rows(&env, &["--period", "FY2021"]), "UP"),
        "exceeded"
    );
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
    assert_eq!(sum["partial"], true);
    // Three quarters of a summed year, and no quarter targets to judge them against.
    assert_eq!(sum["status"], "incomplete");
    assert_eq!(sum["target_to_date"], Value::Null);
    assert_eq!(sum["achieved"], Value::Null);
    assert_eq!(sum["needs_explanation"], false);
    // A mean or a last quarter is judged against the year's target.
    let mean = row(&r, "Q-MEAN");
    assert_eq!(mean["actual"], 50.0);
    assert_eq!(mean["quarters_reported"], 2);
    assert_eq!(mean["status"], "on_target");
    assert_eq!(row(&r, "Q-LAST")["actual"], 11.0);
    assert_eq!(row(&r, "Q-LAST")["status"], "on_target");
    // An annual value, when recorded, is the year's actual.
    record(&env, &["Q-SUM", "FY2021", "120"]);
    let sum = row(&rows(&env, &["--period", "FY2021"]), "Q-SUM");
    assert_eq!(sum["actual"], 120.0);
    assert_eq!(sum["quarters_reported"], Value::Null);
    assert_eq!(sum["partial"], false);
    assert_eq!(sum["status"], "exceeded");
    // A quarter is a period too.
    let q = row(&rows(&env, &["--period", "FY2021Q2"]), "Q-SUM");
    assert_eq!(
        (q["actual"].clone(), q["period"].clone()),
        (30.0.into(), "FY2021Q2".into())
    );
}

#[test]
fn a_year_coming_in_is_judged_to_date_and_the_table_says_so() {
    let fw = FW.replace(
        "  frequency = \"quarterly\"\n  targets = { FY2021 = 100 }",
        "  frequency = \"quarterly\"\n  targets = { FY2021Q1 = 25, FY2021Q2 = 25, FY2021Q3 = 25, FY2021Q4 = 25 }",
    );
    let env = env_with(&fw);
    import(
        &env,
        "indicator,period,value\nQ-SUM,FY2021Q1,20\nQ-SUM,FY2021Q2,20\n",
    );
    let sum = row(&rows(&env, &["--period", "FY2021"]), "Q-SUM");
    assert_eq!(sum["target"], 100.0, "the year's target from its quarters");
    assert_eq!(sum["target_to_date"], 50.0);
    near(&sum["achieved"], 80.0);
    near(&sum["deviation"], -20.0);
    assert_eq!(sum["status"], "short");
    let t = env
        .ics_env(&["progress", "--period", "FY2021"], &[("COLUMNS", "200")])
        .ok()
        .stdout;
    let line = t.lines().find(|l| l.contains("Q-SUM")).unwrap();
    for cell in [
        "50 to date",
        "40 (2/4 q)",
        "80.0%",
        "-20.0%",
        "▼ short",
        "⚑ explain",
    ] {
        assert!(line.contains(cell), "{cell} in {line:?}\n{t}");
    }
    assert!(t.contains("\"to date\": a year still coming in"), "{t}");
    assert!(
        t.contains("\"(3/4 q)\": quarters of the fiscal year reported"),
        "{t}"
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
    // Every category in: their sum is the actual, marked derived.
    record(&env, &["UP", "FY2021", "30", "--disagg", "sex=male"]);
    let up = row(&rows(&env, &["--period", "FY2021"]), "UP");
    assert_eq!(up["actual"], 90.0);
    assert_eq!(up["derived"], true);
    let t = env.ics(&["progress", "--period", "FY2021"]).ok().stdout;
    assert!(t.contains("90 Σ"), "{t}");
    assert!(t.contains("Σ: a total derived from"), "{t}");
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
        ("exceeded".into(), true.into())
    );
    assert_eq!(row(&r, "UP")["explanation"], Value::Null);
    assert_eq!(row(&r, "DOWN")["needs_explanation"], false);
    assert_eq!(row(&r, "DOWN")["explanation"], "clinic closed for repairs");
    // A note on any quarter explains a quarterly indicator's year.
    import(
        &env,
        "indicator,period,value,note\nQ-SUM,FY2021Q1,10,\nQ-SUM,FY2021Q2,10,staff strike\n",
    );
    record(&env, &["Q-SUM", "FY2021", "20"]);
    let q = row(&rows(&env, &["--period", "FY2021"]), "Q-SUM");
    assert_eq!(
        (q["status"].clone(), q["needs_explanation"].clone()),
        ("short".into(), false.into())
    );
    assert_eq!(q["explanation"], "staff strike");
    // The table shows the explanation under its row, and flags the row that needs one.
    let t = env.ics(&["progress", "--period", "FY2021"]).ok().stdout;
    let lines: Vec<&str> = t.lines().collect();
    let at = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no {needle:?} in\n{t}"))
    };
    assert_eq!(at("↳ clinic closed for repairs"), at("DOWN ") + 2, "{t}");
    assert!(lines[at("UP ")].contains("⚑"), "{t}");
    assert!(!lines[at("DOWN ")].contains("⚑"), "{t}");
}

#[test]
fn needs_explanation_keeps_only_unexplained_off_target_rows() {
    let fw = r#"
[strategy]
code = "nx"
title = "Needs explanation"
version = "v1"
start = "FY2021"
end = "FY2022"

[[goal]]
code = "G1"
title = "Goal one"

  [[goal.indicator]]
  code = "SHORT-BARE"
  title = "Short with no note"
  unit = "people"
  direction = "increase"
  targets = { FY2021 = 100 }

  [[goal.indicator]]
  code = "SHORT-NOTED"
  title = "Short with a note"
  unit = "people"
  direction = "increase"
  targets = { FY2021 = 100 }

  [[goal.indicator]]
  code = "ON"
  title = "On target"
  unit = "people"
  direction = "increase"
  targets = { FY2021 = 100 }
"#;
    let env = env_with(fw);
    record(&env, &["SHORT-BARE", "FY2021", "50"]);
    record(
        &env,
        &["SHORT-NOTED", "FY2021", "50", "--note", "budget cut"],
    );
    record(&env, &["ON", "FY2021", "100"]);
    let flag = ["--period", "FY2021", "--needs-explanation"];
    assert_eq!(codes(&rows(&env, &flag)), ["SHORT-BARE"]);
    let mut args = vec!["progress"];
    args.extend_from_slice(&flag);
    let t = env.ics(&args).ok().stdout;
    assert!(t.contains("SHORT-BARE"), "{t}");
    assert!(!t.contains("SHORT-NOTED") && !t.contains("ON "), "{t}");
    assert!(t.contains("G1 Goal one · 1 indicator: 1 short"), "{t}");
    assert!(t.contains("⚑ explain") || t.contains('⚑'), "{t}");
    args.extend_from_slice(&["--format", "csv"]);
    let csv = env.ics(&args).ok().stdout;
    assert_eq!(csv.lines().count(), 2, "{csv}");
    // Explaining it takes it off the list, and the explanation shows everywhere.
    env.ics(&["explain", "SHORT-BARE", "FY2021", "the clinic opened late"])
        .ok();
    assert!(rows(&env, &flag).is_empty());
    let t = env
        .ics(&["progress", "--period", "FY2021", "--needs-explanation"])
        .ok()
        .stdout;
    assert!(t.contains("No indicators to show"), "{t}");
    let bare = row(&rows(&env, &["--period", "FY2021"]), "SHORT-BARE");
    assert_eq!(bare["needs_explanation"], false);
    assert_eq!(bare["explanation"], "the clinic opened late");
    assert_eq!(bare["status"], "short");
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
    let header = |code: &str| -> String {
        md.lines()
            .find(|l| l.starts_with(&format!("| **{code}** | **")))
            .unwrap_or_else(|| panic!("no header row for {code}:\n{md}"))
            .to_string()
    };
    let linked = "linked DO1: 3 indicators: 1 short, 1 incomplete, 1 no data";
    assert!(
        header("O1").contains(&format!(
            "**Objective one** · 2 indicators: 1 on target, 1 no data; {linked} |"
        )),
        "{md}"
    );
    assert!(
        header("O2").contains(&format!("2 indicators: 2 no data; {linked}")),
        "{md}"
    );
    // The goal counts the DO once, and apart from its own four.
    assert!(
        header("G1").contains(&format!("4 indicators: 1 on target, 3 no data; {linked}")),
        "{md}"
    );
    assert!(
        header("DO1")
            .ends_with("· 3 indicators: 1 short, 1 incomplete, 1 no data | | | | | | | | | | |"),
        "{md}"
    );
    // Headers come before their rows.
    let pos = |s: &str| md.find(s).unwrap_or_else(|| panic!("no {s}:\n{md}"));
    assert!(pos("| **O1** |") < pos("| UP-BASE |"), "{md}");
    assert!(pos("| **DO1** |") < pos("| Q-SUM |"), "{md}");
    // The DO's rows appear once, under the DO; the table shows the same roll-ups.
    assert_eq!(md.matches("| Q-SUM |").count(), 1);
    let wide = [("COLUMNS", "200")];
    let table = env
        .ics_env(&["progress", "--period", "FY2021"], &wide)
        .ok()
        .stdout;
    assert_eq!(table.matches(linked).count(), 3, "{table}");
    assert!(
        table.find("O1 Objective one").unwrap() < table.find("UP-BASE").unwrap(),
        "{table}"
    );
    // --node keeps the objective's own rows; the DO shows in its roll-up only.
    let r = rows(&env, &["--period", "FY2021", "--node", "O2"]);
    assert_eq!(codes(&r), ["DOWN-BASE", "DOWN"]);
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
            "--period", "FY2021", "--status", "short", "--status", "exceeded",
        ],
    );
    assert_eq!(codes(&r), ["UP-BASE", "DOWN"]);
    let r = rows(&env, &["--period", "FY2021", "--status", "no_target"]);
    assert!(r.is_empty(), "{r:?}");
    let t = env
        .ics(&["progress", "--period", "FY2021", "--status", "no_target"])
        .ok();
    assert!(t.stdout.contains("No indicators to show"), "{}", t.stdout);
    // Headers over nothing are not shown: no "no indicators" lines.
    let t = env
        .ics(&["progress", "--period", "FY2021", "--status", "on_target"])
        .ok()
        .stdout;
    assert!(!t.contains("no indicators"), "{t}");
    assert!(!t.contains("DO1"), "{t}");
}

#[test]
fn period_defaults_to_the_latest_year_with_a_target_or_actual() {
    let env = env_with(FW);
    let r = rows(&env, &[]);
    assert_eq!(r[0]["period"], "FY2022", "the latest target");
    record(&env, &["UP", "FY2024", "1"]);
    assert_eq!(
        rows(&env, &[])[0]["period"],
        "FY2022",
        "a year inside the strategy comes before one after it"
    );
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
    assert_eq!(status(&rows(&env, &["--period", "FY2021"]), "UP"), "short");
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
