//! Integration tests: ratio indicators (values recorded as a numerator and a denominator) and
//! cumulative indicators (issue 13, items 6 and 7): recording, progress JSON, history, the
//! errors of `record` and `import-values`, `check`, and the `export-values --all` round trip.

#[allow(unused_imports)]
use crate::common::*;

const FRAMEWORK: &str = r#"
[strategy]
code = "s"
title = "S"
version = "1"
start = "FY2024"
end = "FY2026"

[[goal]]
code = "G1"
title = "Health"

  [[goal.indicator]]
  code = "RATE"
  title = "Children fully vaccinated"
  unit = "percent"
  direction = "increase"
  frequency = "quarterly"
  ratio = { numerator = "children fully vaccinated", denominator = "children aged 12-23 months" }
  baseline = { period = "FY2023", value = 30 }
  targets = { FY2024 = 40, FY2025 = 50, FY2025Q1 = 45 }
  disaggregations = { sex = ["female", "male"] }

  [[goal.indicator]]
  code = "PER"
  title = "Patients per nurse"
  unit = "patients per nurse"
  direction = "decrease"
  ratio = { numerator = "patients", denominator = "nurses" }
  targets = { FY2024 = 10 }

  [[goal.indicator]]
  code = "PLAIN"
  title = "People trained"
  unit = "people"
  direction = "increase"
  targets = { FY2024 = 100 }

  [[goal.indicator]]
  code = "CUM"
  title = "People trained since the start"
  unit = "people"
  direction = "increase"
  frequency = "quarterly"
  cumulative = true
  targets = { FY2024 = 100, FY2025 = 250 }
"#;

fn env() -> Env {
    let env = Env::new();
    let fw = env.write("framework.toml", FRAMEWORK);
    env.ics(&["load", fw.to_str().unwrap()]).ok();
    env
}

fn progress_row(env: &Env, period: &str, code: &str) -> serde_json::Value {
    let v = env
        .ics(&["progress", "--format", "json", "--period", period])
        .ok()
        .json();
    v.as_array()
        .expect("a JSON array")
        .iter()
        .find(|r| r["indicator"] == code)
        .unwrap_or_else(|| panic!("no row for {code}: {v}"))
        .clone()
}

fn export_all(env: &Env) -> String {
    env.ics(&["export-values", "--all"]).ok().stdout
}

#[test]
fn quarters_of_a_ratio_combine_by_adding_their_parts() {
    let env = env();
    env.ics(&[
        "record",
        "RATE",
        "FY2024Q1",
        "--numerator",
        "30",
        "--denominator",
        "100",
    ])
    .ok()
    .stdout_has("recorded `RATE` FY2024Q1: 30 percent (30 / 100)");
    env.ics(&[
        "record",
        "RATE",
        "FY2024Q2",
        "--numerator",
        "45",
        "--denominator",
        "100",
    ])
    .ok();
    let row = progress_row(&env, "FY2024", "RATE");
    assert_eq!(row["actual"], 37.5, "{row}");
    assert_eq!(row["numerator"], 75.0, "{row}");
    assert_eq!(row["denominator"], 200.0, "{row}");
    assert_eq!(row["quarters_reported"], 2, "{row}");
    // A quarter on its own keeps its parts too.
    let row = progress_row(&env, "FY2024Q2", "RATE");
    assert_eq!(
        (&row["actual"], &row["numerator"], &row["denominator"]),
        (&45.0.into(), &45.0.into(), &100.0.into()),
        "{row}"
    );
    // A plain indicator's row carries no parts.
    let row = progress_row(&env, "FY2024", "PLAIN");
    assert_eq!(row["numerator"], serde_json::Value::Null, "{row}");
    // The history shows the parts with the value.
    env.ics(&["history", "RATE"])
        .ok()
        .stdout_has("30 (30 / 100)")
        .stdout_has("45 (45 / 100)");
}

#[test]
fn a_total_derived_from_sex_adds_the_parts() {
    let env = env();
    for (sex, n, d) in [("sex=female", "30", "50"), ("sex=male", "20", "150")] {
        env.ics(&[
            "record",
            "RATE",
            "FY2025Q1",
            "--disagg",
            sex,
            "--numerator",
            n,
            "--denominator",
            d,
        ])
        .ok();
    }
    let row = progress_row(&env, "FY2025Q1", "RATE");
    assert_eq!(row["derived"], true, "{row}");
    assert_eq!(row["actual"], 25.0, "{row}"); // 50 / 200, not the mean of 60 and 13.3
    assert_eq!(row["numerator"], 50.0, "{row}");
    assert_eq!(row["denominator"], 200.0, "{row}");
}

#[test]
fn a_ratio_that_is_not_a_percent_is_n_over_d() {
    let env = env();
    env.ics(&[
        "record",
        "PER",
        "FY2024",
        "--numerator",
        "1200",
        "--denominator",
        "96",
    ])
    .ok()
    .stdout_has("recorded `PER` FY2024: 12.5 patients per nurse (1200 / 96)");
    let row = progress_row(&env, "FY2024", "PER");
    assert_eq!(row["actual"], 12.5, "{row}");
}

#[test]
fn same_value_with_other_parts_is_a_correction() {
    let env = env();
    let record = |n: &str, d: &str| {
        env.ics(&[
            "record",
            "RATE",
            "FY2024Q1",
            "--numerator",
            n,
            "--denominator",
            d,
        ])
        .ok()
    };
    record("30", "100");
    record("30", "100").stdout_has("unchanged: `RATE` FY2024Q1 is already 30 percent (30 / 100)");
    record("60", "200")
        .stdout_has("corrected `RATE` FY2024Q1: 30 percent (60 / 200) (was 30 (30 / 100)");
    let row = progress_row(&env, "FY2024Q1", "RATE");
    assert_eq!(row["numerator"], 60.0, "{row}");
}

#[test]
fn record_refuses_what_a_ratio_cannot_be() {
    let env = env();
    env.ics(&[
        "record",
        "RATE",
        "FY2024Q1",
        "--numerator",
        "1",
        "--denominator",
        "4",
    ])
    .ok();
    let before = env.fingerprint();
    for (args, says) in [
        (
            &[
                "RATE",
                "FY2024Q2",
                "25",
                "--numerator",
                "1",
                "--denominator",
                "4",
            ][..],
            "give either the value or `--numerator` and `--denominator`, not both",
        ),
        (
            &["RATE", "FY2024Q2", "--numerator", "1"][..],
            "`RATE` is a ratio indicator: give both `--numerator` and `--denominator`",
        ),
        (
            &["RATE", "FY2024Q2", "--denominator", "4"][..],
            "`RATE` is a ratio indicator: give both `--numerator` and `--denominator`",
        ),
        (
            &["RATE", "FY2024Q2", "25"][..],
            "`RATE` is a ratio indicator: its value is recorded as a numerator and a denominator",
        ),
        (
            &["RATE", "FY2024Q2"][..],
            "`RATE` is a ratio indicator: its value is recorded as a numerator and a denominator",
        ),
        (
            &["RATE", "FY2024Q2", "--numerator", "1", "--denominator", "0"][..],
            "the denominator of `RATE` is 0; a ratio needs a denominator other than 0",
        ),
        (
            &[
                "RATE",
                "FY2024Q2",
                "--numerator",
                "150",
                "--denominator",
                "100",
            ][..],
            "150 / 100 is 150, outside 0 to 100, and `RATE` is measured in percent",
        ),
        (
            &[
                "RATE",
                "FY2024Q2",
                "--numerator",
                "1,5",
                "--denominator",
                "4",
            ][..],
            "the numerator: `1,5` is not a number",
        ),
        (
            &["PLAIN", "FY2024", "--numerator", "1", "--denominator", "4"][..],
            "`PLAIN` is not a ratio indicator, so its values have no numerator and denominator",
        ),
        (
            &["PLAIN", "FY2024", "--numerator", "1"][..],
            "`PLAIN` is not a ratio indicator",
        ),
        (
            &["PLAIN", "FY2024", "3", "--denominator", "4"][..],
            "give either the value or `--numerator` and `--denominator`, not both",
        ),
        (&["PLAIN", "FY2024"][..], "the value is missing"),
    ] {
        let mut all = vec!["record"];
        all.extend_from_slice(args);
        let run = env.ics(&all).fails().stderr_has(says);
        assert_eq!(
            run.stderr
                .lines()
                .filter(|l| l.starts_with("error:"))
                .count(),
            1,
            "{args:?}: {}",
            run.stderr
        );
        assert_eq!(env.fingerprint(), before, "{args:?}");
    }
}

#[test]
fn explain_and_void_keep_the_parts_and_the_history_round_trips() {
    let env = env();
    let record = |period: &str, disagg: Option<&str>, n: &str, d: &str| {
        let mut args = vec![
            "record",
            "RATE",
            period,
            "--numerator",
            n,
            "--denominator",
            d,
        ];
        if let Some(k) = disagg {
            args.extend(["--disagg", k]);
        }
        env.ics(&args).ok();
    };
    record("FY2024Q1", None, "30", "100");
    record("FY2024Q2", None, "45", "100");
    record("FY2024Q2", None, "46", "100"); // a correction
    record("FY2024Q3", None, "1", "3"); // 33.333...: numbers round trip unrounded
    record("FY2025Q1", Some("sex=female"), "30", "50");
    record("FY2025Q1", Some("sex=male"), "20", "150");
    env.ics(&["explain", "RATE", "FY2024Q1", "Campaign started late"])
        .ok();
    env.ics(&[
        "void",
        "RATE",
        "FY2025Q1",
        "--disagg",
        "sex=male",
        "--reason",
        "wrong district",
    ])
    .ok()
    .stdout_has("voided `RATE` FY2025Q1 (sex=male): 13.333333333333334 percent (20 / 150)");
    record("FY2025Q1", Some("sex=male"), "25", "150");
    env.ics(&["record", "PLAIN", "FY2024", "80"]).ok();
    let first = export_all(&env);
    assert!(first.starts_with(
        "indicator,period,disaggregation,value,note,source,recorded_by,recorded_at,current,replaced_by,kind,numerator,denominator,voided\n"
    ), "{first}");
    assert!(
        first.contains("RATE,FY2024Q1,,30,Campaign started late,,tester,2026-01-15T12:00:00.000000Z,true,,explanation,30,100,false\n"),
        "{first}"
    );
    assert!(
        first.contains(",void,20,150,true\n"),
        "the void carries the voided value's parts: {first}"
    );
    assert!(
        first.contains(
            "PLAIN,FY2024,,80,,,tester,2026-01-15T12:00:00.000000Z,true,,value,,,false\n"
        ),
        "{first}"
    );
    env.ics(&["check"]).ok();

    let file = env.write("all.csv", &first);
    let fresh = Env::new();
    let fw = fresh.write("framework.toml", FRAMEWORK);
    fresh.ics(&["load", fw.to_str().unwrap()]).ok();
    fresh.ics(&["import-values", file.to_str().unwrap()]).ok();
    assert_eq!(export_all(&fresh), first);
    assert_eq!(
        fresh.ics(&["export-values"]).ok().stdout,
        env.ics(&["export-values"]).ok().stdout
    );
    fresh.ics(&["check"]).ok();
    // Importing it again changes nothing.
    let before = fresh.fingerprint();
    fresh.ics(&["import-values", file.to_str().unwrap()]).ok();
    assert_eq!(fresh.fingerprint(), before);
    assert_eq!(
        progress_row(&fresh, "FY2024", "RATE"),
        progress_row(&env, "FY2024", "RATE")
    );
}

#[test]
fn the_plain_export_appends_the_parts() {
    let env = env();
    env.ics(&[
        "record",
        "RATE",
        "FY2024Q1",
        "--numerator",
        "3",
        "--denominator",
        "8",
    ])
    .ok();
    env.ics(&["record", "PLAIN", "FY2024", "80"]).ok();
    assert_eq!(
        env.ics(&["export-values"]).ok().stdout,
        "indicator,period,disaggregation,value,note,source,recorded_by,recorded_at,numerator,denominator\n\
         PLAIN,FY2024,,80,,,tester,2026-01-15T12:00:00.000000Z,,\n\
         RATE,FY2024Q1,,37.5,,,tester,2026-01-15T12:00:00.000000Z,3,8\n"
    );
    let json = env
        .ics(&["export-values", "--format", "json", "--indicator", "RATE"])
        .ok()
        .json();
    assert_eq!(json[0]["numerator"], 3.0);
    assert_eq!(json[0]["denominator"], 8.0);
}

#[test]
fn import_reads_the_parts_and_refuses_bad_ratio_rows() {
    let env = env();
    // Parts without a value column; a value that agrees with them; an old file's plain row.
    let good = env.write(
        "good.csv",
        "indicator,period,value,numerator,denominator\n\
         RATE,FY2024Q1,,30,100\n\
         RATE,FY2024Q2,45.0000000000001,45,100\n\
         PER,FY2024,12.5,1200,96\n\
         PLAIN,FY2024,80,,\n",
    );
    env.ics(&["import-values", good.to_str().unwrap()]).ok();
    let row = progress_row(&env, "FY2024", "RATE");
    assert_eq!(
        (&row["actual"], &row["numerator"], &row["denominator"]),
        (&37.5.into(), &75.0.into(), &200.0.into()),
        "{row}"
    );
    let parts_only = env.write(
        "parts.csv",
        "indicator,period,numerator,denominator\nRATE,FY2024Q3,1,2\n",
    );
    env.ics(&["import-values", parts_only.to_str().unwrap()])
        .ok();
    let old = env.write("old.csv", "indicator,period,value\nPLAIN,FY2025,90\n");
    env.ics(&["import-values", old.to_str().unwrap()]).ok();

    let before = env.fingerprint();
    for (text, says) in [
        (
            "indicator,period,value\nRATE,FY2024Q4,50\n",
            "bad.csv:2: `RATE` is a ratio indicator: give its `numerator` and `denominator`",
        ),
        (
            "indicator,period,value,numerator,denominator\nRATE,FY2024Q4,,1,\n",
            "bad.csv:2: `RATE` is a ratio indicator: give both its `numerator` and its `denominator`",
        ),
        (
            "indicator,period,value,numerator,denominator\nRATE,FY2024Q4,,1,0\n",
            "bad.csv:2: the denominator of `RATE` is 0",
        ),
        (
            "indicator,period,value,numerator,denominator\nRATE,FY2024Q4,50,1,4\n",
            "bad.csv:2: the value 50 does not match 1 / 4, which makes 25; leave the value empty or give 25",
        ),
        (
            "indicator,period,value,numerator,denominator\nPLAIN,FY2024,5,1,4\n",
            "bad.csv:2: `PLAIN` is not a ratio indicator, so its values have no numerator and denominator; leave those cells empty",
        ),
        (
            "indicator,period,value,numerator,denominator\nRATE,FY2024Q4,,3,2\n",
            "bad.csv:2: 3 / 2 is 150, outside 0 to 100",
        ),
        (
            "indicator,period,numerator\nRATE,FY2024Q4,3\n",
            "bad.csv:1: the header lacks `value`",
        ),
    ] {
        let bad = env.write("bad.csv", text);
        env.ics(&["import-values", bad.to_str().unwrap()])
            .fails()
            .stderr_has(says);
        assert_eq!(env.fingerprint(), before, "{text}");
    }
}

#[test]
fn check_reports_ratio_values_whose_parts_do_not_make_them() {
    let env = env();
    env.ics(&[
        "record",
        "RATE",
        "FY2024Q1",
        "--numerator",
        "3",
        "--denominator",
        "8",
    ])
    .ok();
    env.ics(&["record", "PLAIN", "FY2024", "80"]).ok();
    env.ics(&["check"]).ok();
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute(
        "UPDATE value SET value = 40 WHERE numerator IS NOT NULL",
        [],
    )
    .unwrap();
    conn.execute(
        "UPDATE value SET numerator = 1, denominator = 2 WHERE numerator IS NULL",
        [],
    )
    .unwrap();
    drop(conn);
    env.ics(&["check"])
        .fails()
        .stdout_has("its value 40 is not 3 / 8, which makes 37.5")
        .stdout_has("it has a numerator or denominator, but `PLAIN` is not a ratio indicator");
}

#[test]
fn a_cumulative_indicator_says_so_in_progress_json() {
    let env = env();
    env.ics(&["record", "CUM", "FY2024Q1", "40"]).ok();
    env.ics(&["record", "CUM", "FY2024Q2", "30"]).ok();
    let row = progress_row(&env, "FY2024", "CUM");
    assert_eq!(row["cumulative"], true, "{row}");
    assert_eq!(row["actual"], 70.0, "{row}");
    assert_eq!(progress_row(&env, "FY2024", "PLAIN")["cumulative"], false);
    // The tree shows which indicators are ratios and cumulative.
    env.ics(&["tree", "--indicators"])
        .ok()
        .stdout_has("(percent; ratio)")
        .stdout_has("(people; cumulative)");
    let tree = env.ics(&["tree", "--format", "json"]).ok().json();
    let inds = &tree["nodes"][0]["indicators"];
    let shown = format!("{tree}");
    assert!(
        shown.contains(r#""ratio":{"denominator":"children aged 12-23 months","numerator":"children fully vaccinated"}"#),
        "{shown} {inds}"
    );
    assert!(shown.contains(r#""cumulative":true"#), "{shown}");
}

#[test]
fn diff_reports_a_change_to_cumulative_or_ratio() {
    let env = Env::new();
    let a = env.write("a.toml", FRAMEWORK);
    let b = env.write(
        "b.toml",
        &FRAMEWORK
            .replace("cumulative = true\n", "")
            .replace("numerator = \"patients\"", "numerator = \"patient visits\""),
    );
    let run = env.ics(&[
        "diff",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let out = run.stdout;
    assert!(out.contains("\"field\": \"cumulative\""), "{out}");
    assert!(out.contains("\"field\": \"ratio\""), "{out}");
    assert!(out.contains("patient visits"), "{out}");
}

#[test]
fn load_refuses_a_cumulative_mean() {
    let env = Env::new();
    let fw = env.write(
        "framework.toml",
        &FRAMEWORK.replace(
            "cumulative = true\n",
            "cumulative = true\n  aggregation = \"mean\"\n",
        ),
    );
    env.ics(&["load", fw.to_str().unwrap()])
        .fails()
        .stderr_has("framework.toml:45:16: ")
        .stderr_has("`CUM` is cumulative, so its values add up to running totals; `aggregation = \"mean\"` cannot apply");
}
