//! Integration tests: values (`record`, `import-values`, `history`, `export-values`).

#[allow(unused_imports)]
use crate::common::*;

/// Indicators added to `MINI` under its DO: a quarterly one with disaggregations, a percent one.
const EXTRA: &str = r#"
  [[development_objective.indicator]]
  code = "Q1"
  title = "People reached"
  unit = "people"
  direction = "increase"
  frequency = "quarterly"
  disaggregations = { sex = ["female", "male"], age = ["15-29", "30+"] }

  [[development_objective.indicator]]
  code = "P1"
  title = "Poverty rate"
  unit = "percent"
  direction = "decrease"
"#;

/// An env with `MINI` + `EXTRA` loaded.
fn env() -> Env {
    let env = Env::new();
    let fw = env.write("framework.toml", &format!("{MINI}{EXTRA}"));
    env.ics(&["load", fw.to_str().unwrap()]).ok();
    env
}

/// Run `ics` expecting exit 2 with `needle` in stderr, and check the database did not change.
#[track_caller]
fn rejects(env: &Env, args: &[&str], needle: &str) -> Run {
    let before = env.fingerprint();
    let run = env.ics(args).fails().stderr_has(needle);
    assert_eq!(env.fingerprint(), before, "the database changed");
    run
}

#[test]
fn record_adds_then_corrects_then_leaves_unchanged() {
    let env = env();
    env.ics(&["record", "I1", "FY2021", "25", "--note", "partner report"])
        .ok()
        .stdout_has("recorded `I1` FY2021: 25 people");
    let before = env.fingerprint();
    env.ics(&["record", "I1", "fy2021", " 25 ", "--note", "partner report"])
        .ok()
        .stdout_has("unchanged: `I1` FY2021 is already 25 people with the same note and source; nothing recorded");
    assert_eq!(
        env.fingerprint(),
        before,
        "an unchanged value wrote something"
    );
    env.ics(&["record", "I1", "FY2021", "27.5", "--by", "M&E team"])
        .ok()
        .stdout_has("corrected `I1` FY2021: 27.5 people (was 25, recorded by tester at 2026-01-15 12:00:00 UTC; kept in the history)");
    // Same value, another note: a correction too.
    env.ics(&["record", "I1", "FY2021", "27.5", "--note", "revised"])
        .ok()
        .stdout_has("corrected");

    let history = env.ics(&["history", "I1"]).ok();
    insta::assert_snapshot!("history_after_corrections", history.stdout);

    let json = env.ics(&["history", "I1", "--format", "json"]).ok().json();
    let rows = json.as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["value"], 27.5);
    assert_eq!(rows[0]["current"], true);
    assert_eq!(rows[0]["corrects"], 2);
    assert_eq!(rows[2]["value"], 25.0);
    assert_eq!(rows[2]["current"], false);
    assert_eq!(rows[2]["corrected_by"], 2);
    assert_eq!(rows[2]["replaced_by"], "2026-01-15T12:00:00.000000Z");
    assert_eq!(rows[1]["recorded_by"], "M&E team");

    // Only the current value is exported without --all.
    let csv = env.ics(&["export-values"]).ok().stdout;
    assert_eq!(
        csv,
        "indicator,period,disaggregation,value,note,source,recorded_by,recorded_at,numerator,denominator\n\
         I1,FY2021,,27.5,revised,,tester,2026-01-15T12:00:00.000000Z,,\n"
    );
}

#[test]
fn record_rejections_explain_and_write_nothing() {
    let env = env();
    env.ics(&["record", "I1", "FY2021", "25"]).ok();
    for (args, needle) in [
        (
            &["record", "I2", "FY2021", "1"][..],
            "error: unknown indicator `I2`; did you mean `I1`?",
        ),
        (&["record", "ZZZZZZ", "FY2021", "1"], "`ics tree --indicators` lists"),
        (&["record", "I1", "FY2021", "1,5"], "use a dot for decimals and no thousands separators"),
        (&["record", "I1", "FY2021", "1.000,5"], "no thousands separators"),
        (&["record", "I1", "FY2021", "NaN"], "`NaN` is not a number"),
        (&["record", "I1", "FY2021", "inf"], "`inf` is not a number"),
        (&["record", "I1", "FY2021", "1e400"], "`1e400` is too large to record"),
        (&["record", "I1", "FY2021", "12 people"], "write a plain number such as `17.2`"),
        (&["record", "P1", "FY2021", "101"], "`101` is outside 0 to 100, and `P1` is measured in percent"),
        (&["record", "P1", "FY2021", "-0.5"], "outside 0 to 100"),
        (&["record", "P1", "FY2021", "22%"], "without the `%` sign"),
        (
            &["record", "I1", "FY2021Q2", "1"],
            "`FY2021Q2` is a quarter, but `I1` is reported once a year; record it for the fiscal year `FY2021`",
        ),
        (&["record", "I1", "2021", "1"], "`2021` is not a period; use a fiscal year like `FY2020`"),
        (&["record", "I1", "2021-02-29", "1"], "is not a real date"),
        (&["record", "I1", "FY2021Q5", "1"], "quarters Q1 to Q4"),
        (&["record", "Q1", "FY2021Q1", "1", "--disagg", "region=north"], "`Q1` has no disaggregation `region`; it declares `age`, `sex`"),
        (&["record", "Q1", "FY2021Q1", "1", "--disagg", "sex=other"], "`other` is not a value of the disaggregation `sex` of `Q1`; use `female` or `male`"),
        (&["record", "Q1", "FY2021Q1", "1", "--disagg", "sex"], "write it as KEY=VALUE"),
        (&["record", "Q1", "FY2021Q1", "1", "--disagg", "sex=male", "--disagg", "sex=female"], "given twice"),
        (&["record", "I1", "FY2021", "1", "--disagg", "sex=female"], "`I1` declares no disaggregations"),
        (&["record", "I1", "FY2021", "1", "--by", " "], "`--by` needs a name"),
    ] {
        rejects(&env, args, needle);
    }
}

#[test]
fn record_needs_a_database_and_a_strategy() {
    let env = Env::new();
    env.ics(&["record", "I1", "FY2021", "1"])
        .fails()
        .stderr_has("no database at `ics.db`");
    assert_eq!(env.fingerprint(), "<none>");
}

#[test]
fn dates_resolve_by_frequency_and_disaggregations_are_canonical() {
    let env = env();
    env.ics(&["record", "I1", "2021-09-30", "5"])
        .ok()
        .stdout_has("recorded `I1` FY2021: 5 people");
    env.ics(&["record", "I1", "2021-10-01", "6"])
        .ok()
        .stdout_has("recorded `I1` FY2022: 6 people");
    env.ics(&[
        "record",
        "Q1",
        "2020-12-31",
        "7",
        "--disagg",
        "SEX=Female",
        "--disagg",
        "age = 15-29",
    ])
    .ok()
    .stdout_has("recorded `Q1` FY2021Q1 (age=15-29;sex=female): 7 people");
    env.ics(&["record", "Q1", "2021-01-01", "8"])
        .ok()
        .stdout_has("recorded `Q1` FY2021Q2: 8 people");
    env.ics(&["record", "Q1", "FY2021", "15"])
        .ok()
        .stdout_has("recorded `Q1` FY2021: 15 people");
    let csv = env.ics(&["export-values", "--indicator", "Q1"]).ok().stdout;
    assert_eq!(
        csv,
        "indicator,period,disaggregation,value,note,source,recorded_by,recorded_at,numerator,denominator\n\
         Q1,FY2021,,15,,,tester,2026-01-15T12:00:00.000000Z,,\n\
         Q1,FY2021Q1,age=15-29;sex=female,7,,,tester,2026-01-15T12:00:00.000000Z,,\n\
         Q1,FY2021Q2,,8,,,tester,2026-01-15T12:00:00.000000Z,,\n"
    );
}

#[test]
fn recorded_by_defaults_to_the_login_name() {
    let env = env();
    env.ics_env(&["record", "I1", "FY2021", "1"], &[("USER", "maria")])
        .ok();
    let json = env.ics(&["export-values", "--format", "json"]).ok().json();
    assert_eq!(json[0]["recorded_by"], "maria");
}

#[test]
fn import_accepts_bom_crlf_blank_lines_quotes_guards_and_any_column_order() {
    let env = env();
    let csv = "\u{feff}Period,indicator,VALUE,note,disaggregation,source\r\n\
               fy2021,I1,10,\"Partner report, annual\",,\"Ministry, p. 3\"\r\n\
               \r\n\
               ,,,,,\r\n\
               FY2021Q1,Q1, 4 ,'=SUM(A1),sex=male;age=30+,'-survey\r\n\
               2021-03-31,Q1,5,\"line one\r\nline two\",,\r\n\
               FY2021,P1,21.5,,,\r\n";
    let file = env.write("values.csv", csv);
    env.ics(&["import-values", file.to_str().unwrap()])
        .ok()
        .stdout_has("imported 4 rows from `")
        .stdout_has(": 4 added, 0 corrected, 0 unchanged");
    let json = env.ics(&["export-values", "--format", "json"]).ok().json();
    let rows = json.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0]["indicator"], "I1");
    assert_eq!(rows[0]["note"], "Partner report, annual");
    assert_eq!(rows[0]["source"], "Ministry, p. 3");
    assert_eq!(rows[1]["value"], 21.5);
    assert_eq!(rows[2]["period"], "FY2021Q1");
    assert_eq!(rows[2]["disaggregation"], "age=30+;sex=male");
    assert_eq!(rows[2]["value"], 4.0);
    assert_eq!(rows[2]["note"], "=SUM(A1)");
    assert_eq!(rows[2]["source"], "-survey");
    assert_eq!(rows[3]["period"], "FY2021Q2");
    assert_eq!(rows[3]["note"], "line one\r\nline two");
    // Exported CSV guards formulas again; a number is never guarded.
    env.ics(&[
        "record",
        "I1",
        "FY2020",
        "-3",
        "--note",
        "+1 vs plan",
        "--source",
        "@ministry",
    ])
    .ok();
    let out = env
        .ics(&["export-values", "--indicator", "Q1", "--indicator", "I1"])
        .ok()
        .stdout;
    assert!(
        out.contains("Q1,FY2021Q1,age=30+;sex=male,4,'=SUM(A1),'-survey,tester,"),
        "{out}"
    );
    assert!(
        out.contains("I1,FY2020,,-3,'+1 vs plan,'@ministry,tester,"),
        "{out}"
    );
}

#[test]
fn one_bad_row_among_many_writes_nothing() {
    let env = env();
    env.ics(&["record", "I1", "FY2020", "1"]).ok();
    let mut csv = String::from("indicator,period,value,note\n");
    for year in 2000..2040 {
        csv.push_str(&format!("I1,FY{year},{year},fine\n"));
    }
    csv.push_str("I1,FY2041,1,5,comma in an unquoted value\n"); // line 42
    csv.push_str("P1,FY2041,150,\n"); // line 43
    csv.push_str("I2,FY2041,1,\n"); // line 44
    csv.push_str("I1,FY2041Q1,1,\n"); // line 45
    csv.push_str("I1,FY2041,1.000,5\n"); // line 46: 1.000 is fine; `5` is the note
    csv.push_str("I1,,1,\n"); // line 47
    csv.push_str(",FY2041,1,\n"); // line 48
    csv.push_str("I1,FY2042,nan,\n"); // line 49
    let file = env.write("many.csv", &csv);
    let run = rejects(
        &env,
        &["import-values", file.to_str().unwrap()],
        "error: 7 of 48 rows of `",
    );
    let shown = file.display().to_string();
    for (line, says) in [
        (42, "this row has 5 cells but the header has 4 columns"),
        (43, "`150` is outside 0 to 100"),
        (44, "unknown indicator `I2`; did you mean `I1`?"),
        (
            45,
            "`FY2041Q1` is a quarter, but `I1` is reported once a year",
        ),
        (47, "the period is missing"),
        (48, "the indicator code is missing"),
        (49, "`nan` is not a number"),
    ] {
        assert!(
            run.stderr.contains(&format!("{shown}:{line}: {says}")),
            "line {line}: {}",
            run.stderr
        );
    }
    assert!(!run.stderr.contains(":46:"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing was imported"));
}

#[test]
fn import_header_problems_list_the_accepted_columns() {
    let env = env();
    let file = env.write("h.csv", "indicator,period,value,comment\nI1,FY2021,1,x\n");
    rejects(
        &env,
        &["import-values", file.to_str().unwrap()],
        "h.csv:1: unknown column `comment`; the accepted columns are indicator, period, disaggregation, value, note, source, recorded_by, recorded_at, current, replaced_by",
    );
    let file = env.write("m.csv", "indicator,value\nI1,1\n");
    rejects(
        &env,
        &["import-values", file.to_str().unwrap()],
        "the header lacks `period`",
    );
    let file = env.write("d.csv", "indicator,period,value,value\n");
    rejects(
        &env,
        &["import-values", file.to_str().unwrap()],
        "the column `value` appears twice",
    );
    let file = env.write("e.csv", "\n\n");
    rejects(&env, &["import-values", file.to_str().unwrap()], "is empty")
        .stderr_has("help: its first line must be a header");
    rejects(
        &env,
        &["import-values", "missing.csv"],
        "cannot find `missing.csv`",
    );
}

#[test]
fn rows_of_one_key_apply_in_file_order() {
    let env = env();
    let file = env.write(
        "c.csv",
        "indicator,period,value,note\nI1,FY2021,1,\nI1,FY2021,2,\nI1,FY2021,2,\nI1,FY2021,3,last\n",
    );
    env.ics(&["import-values", file.to_str().unwrap()])
        .ok()
        .stdout_has("imported 4 rows from `")
        .stdout_has(": 1 added, 2 corrected, 1 unchanged");
    let json = env.ics(&["history", "I1", "--format", "json"]).ok().json();
    let values: Vec<f64> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["value"].as_f64().unwrap())
        .collect();
    assert_eq!(values, [3.0, 2.0, 1.0]);
    // The current value again: no change.
    let again = env.write(
        "again.csv",
        "indicator,period,value,note\nI1,FY2021,3,last\n",
    );
    env.ics(&["import-values", again.to_str().unwrap()])
        .ok()
        .stdout_has(": 0 added, 0 corrected, 1 unchanged");
}

#[test]
fn export_import_export_round_trip() {
    let env = env();
    env.ics(&[
        "record",
        "I1",
        "FY2020",
        "15",
        "--note",
        "=first, \"quoted\"",
        "--source=-report",
    ])
    .ok();
    env.ics(&["record", "I1", "FY2020", "16", "--note", "revised"])
        .ok();
    env.ics(&["record", "Q1", "FY2021Q3", "0.1", "--disagg", "sex=female"])
        .ok();
    env.ics(&["record", "P1", "FY2021", "33.333333333333336"])
        .ok();
    env.ics(&["record", "P1", "FY2021", "30", "--by", "'quoted' name"])
        .ok();
    let all = env.ics(&["export-values", "--all"]).ok().stdout;
    assert!(all.starts_with(
        "indicator,period,disaggregation,value,note,source,recorded_by,recorded_at,current,replaced_by,kind,numerator,denominator,voided\n"
    ));
    assert!(all.contains("I1,FY2020,,15,\"'=first, \"\"quoted\"\"\",'-report,tester,2026-01-15T12:00:00.000000Z,false,2026-01-15T12:00:00.000000Z,value,,,false\n"), "{all}");
    assert!(all.contains("P1,FY2021,,33.333333333333336,"), "{all}");
    let file = env.write("all.csv", &all);

    let fresh = Env::new();
    let fw = fresh.write("framework.toml", &format!("{MINI}{EXTRA}"));
    fresh.ics(&["load", fw.to_str().unwrap()]).ok();
    fresh
        .ics(&["import-values", file.to_str().unwrap()])
        .ok()
        .stdout_has(": 3 added, 2 corrected, 0 unchanged");
    assert_eq!(fresh.ics(&["export-values", "--all"]).ok().stdout, all);
    for args in [
        &["export-values"][..],
        &["export-values", "--all", "--format", "json"],
    ] {
        assert_eq!(
            fresh.ics(args).ok().stdout,
            env.ics(args).ok().stdout,
            "{args:?}"
        );
    }
    assert_eq!(
        fresh
            .ics(&["history", "I1", "--format", "json"])
            .ok()
            .stdout,
        env.ics(&["history", "I1", "--format", "json"]).ok().stdout
    );

    // Importing the export into the database it came from changes nothing.
    let before = env.fingerprint();
    env.ics(&["import-values", file.to_str().unwrap()])
        .ok()
        .stdout_has(": 0 added, 0 corrected, 5 unchanged");
    assert_eq!(env.fingerprint(), before);

    // The plain export round-trips too.
    let current = env.ics(&["export-values"]).ok().stdout;
    let file = fresh.write("current.csv", &current);
    let third = Env::new();
    let fw = third.write("framework.toml", &format!("{MINI}{EXTRA}"));
    third.ics(&["load", fw.to_str().unwrap()]).ok();
    third.ics(&["import-values", file.to_str().unwrap()]).ok();
    assert_eq!(third.ics(&["export-values"]).ok().stdout, current);
}

#[test]
fn current_and_replaced_by_columns_are_checked() {
    let env = env();
    let head = "indicator,period,value,recorded_at,current,replaced_by\n";
    let file = env.write(
        "a.csv",
        &format!("{head}I1,FY2021,1,2026-01-01T00:00:00Z,false,\n"),
    );
    rejects(
        &env,
        &["import-values", file.to_str().unwrap()],
        "a.csv:2: this row is marked as replaced (`current` = false), but no later row",
    );
    let file = env.write(
        "b.csv",
        &format!("{head}I1,FY2021,1,2026-01-01T00:00:00Z,true,\nI1,FY2021,2,2026-01-02T00:00:00Z,true,\n"),
    );
    rejects(
        &env,
        &["import-values", file.to_str().unwrap()],
        "b.csv:3: this row corrects an earlier row of the file for the same indicator, period and disaggregation, which is marked as current",
    );
    let file = env.write(
        "c.csv",
        &format!("{head}I1,FY2021,1,2026-01-01T00:00:00Z,false,2026-01-03T00:00:00Z\nI1,FY2021,2,2026-01-02T00:00:00Z,true,\n"),
    );
    rejects(
        &env,
        &["import-values", file.to_str().unwrap()],
        "c.csv:2: this row says the value replacing it was recorded at `2026-01-03T00:00:00.000000Z`, but the row replacing it (line 3) was recorded at `2026-01-02T00:00:00.000000Z`",
    );
    let file = env.write("d.csv", &format!("{head}I1,FY2021,1,,maybe,\n"));
    rejects(
        &env,
        &["import-values", file.to_str().unwrap()],
        "`current` must be `true` or `false` (or empty), not `maybe`",
    );
    let file = env.write("e.csv", &format!("{head}I1,FY2021,1,yesterday,,\n"));
    rejects(
        &env,
        &["import-values", file.to_str().unwrap()],
        "`recorded_at`: `yesterday` is not a time",
    );
    let good = env.write(
        "g.csv",
        &format!("{head}I1,FY2021,1,2026-01-01 08:00:00,FALSE,2026-01-02T00:00:00Z\nI1,FY2021,2,2026-01-02T00:00:00Z,TRUE,\n"),
    );
    env.ics(&["import-values", good.to_str().unwrap()])
        .ok()
        .stdout_has(": 1 added, 1 corrected, 0 unchanged");
    let json = env
        .ics(&["export-values", "--all", "--format", "json"])
        .ok()
        .json();
    assert_eq!(json[0]["recorded_at"], "2026-01-01T08:00:00.000000Z");
    assert_eq!(json[0]["replaced_by"], "2026-01-02T00:00:00.000000Z");
    assert_eq!(json[1]["current"], true);
}

#[test]
fn export_filters_and_json_shape() {
    let env = env();
    env.ics(&["record", "Q1", "FY2021Q1", "1"]).ok();
    env.ics(&["record", "Q1", "FY2021Q4", "2"]).ok();
    env.ics(&["record", "Q1", "FY2022Q1", "3"]).ok();
    env.ics(&["record", "I1", "FY2021", "4"]).ok();
    let json = env
        .ics(&["export-values", "--period", "FY2021", "--format", "json"])
        .ok();
    insta::assert_snapshot!("export_json_fy2021", json.stdout);
    let q = env
        .ics(&["export-values", "--period", "FY2021Q4", "--indicator", "Q1"])
        .ok();
    assert_eq!(q.stdout.lines().count(), 2, "{}", q.stdout);
    assert!(q.stdout.contains("Q1,FY2021Q4,,2,"));
    let none = env
        .ics(&["export-values", "--period", "FY2030", "--format", "json"])
        .ok();
    assert_eq!(none.stdout, "[]\n");
    rejects(
        &env,
        &["export-values", "--indicator", "Q2"],
        "unknown indicator `Q2`; did you mean `Q1`?",
    );
    rejects(
        &env,
        &["export-values", "--period", "last year"],
        "is not a period",
    );
}

#[test]
fn history_filters_and_messages() {
    let env = env();
    env.ics(&["history", "I1"])
        .ok()
        .stdout_has("no values recorded for `I1` yet");
    env.ics(&["record", "Q1", "FY2021Q1", "1", "--disagg", "sex=female"])
        .ok();
    env.ics(&["record", "Q1", "FY2021Q2", "2"]).ok();
    let q1 = env
        .ics(&["history", "Q1", "--period", "2020-11-15"])
        .ok()
        .stdout;
    assert!(q1.contains("FY2021Q1") && !q1.contains("FY2021Q2"), "{q1}");
    assert!(
        q1.contains("disaggregation") && q1.contains("sex=female"),
        "{q1}"
    );
    let year = env
        .ics(&["history", "Q1", "--period", "FY2021", "--format", "json"])
        .ok()
        .json();
    assert_eq!(year.as_array().unwrap().len(), 2);
    env.ics(&["history", "Q1", "--period", "FY2022"])
        .ok()
        .stdout_has("no values recorded for `Q1` for `FY2022` yet");
    rejects(&env, &["history", "Q"], "unknown indicator `Q`");
}

#[test]
fn an_indicator_dropped_by_a_later_version_keeps_its_history_but_takes_no_values() {
    let env = env();
    env.ics(&["record", "P1", "FY2021", "20"]).ok();
    let v2 = format!("{MINI}{EXTRA}")
        .replace("version = \"v1\"", "version = \"v2\"")
        .replace("code = \"P1\"", "code = \"P2\"");
    let fw = env.write("v2.toml", &v2);
    env.ics(&["load", fw.to_str().unwrap()]).ok();
    rejects(
        &env,
        &["record", "P1", "FY2022", "19"],
        "indicator `P1` is not in the newest version (`v2`) of the strategy",
    );
    env.ics(&["history", "P1"])
        .ok()
        .stdout_has("P1 (not in the newest version of the strategy)");
    env.ics(&["export-values", "--indicator", "P1"])
        .ok()
        .stdout_has("P1,FY2021,,20,");
}

#[test]
fn many_bad_rows_are_counted_and_the_first_hundred_listed() {
    let env = env();
    let mut csv = String::from("indicator,period,value\n");
    for i in 0..250 {
        csv.push_str(&format!("I1,FY{},x{i}\n", 2000 + i % 50));
    }
    let file = env.write("bad.csv", &csv);
    let run = rejects(
        &env,
        &["import-values", file.to_str().unwrap()],
        "error: 250 of 250 rows of `",
    )
    .stderr_has("(the first 100 are listed)");
    assert_eq!(run.stderr.lines().count(), 101, "{}", run.stderr);
}

#[test]
fn a_row_that_is_not_utf8_is_reported() {
    let env = env();
    let path = env.path("latin1.csv");
    std::fs::write(&path, b"indicator,period,value,note\nI1,FY2021,1,caf\xe9\n").unwrap();
    rejects(
        &env,
        &["import-values", path.to_str().unwrap()],
        "latin1.csv:2: this row is not valid UTF-8 text; save the file as \"CSV UTF-8\"",
    );
}

#[test]
fn a_closed_pipe_ends_an_export_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let env = env();
    let mut csv = String::from("indicator,period,disaggregation,value,note\n");
    for year in 1950..2050 {
        for q in 1..=4 {
            for sex in ["female", "male"] {
                for age in ["15-29", "30+"] {
                    csv.push_str(&format!(
                        "Q1,FY{year}Q{q},sex={sex};age={age},{year},a note long enough to fill the pipe quickly\n"
                    ));
                }
            }
        }
    }
    let file = env.write("big.csv", &csv);
    env.ics(&["import-values", file.to_str().unwrap()]).ok();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ics"))
        .args(["export-values", "--all"])
        .current_dir(env.dir.path())
        .env_remove("ICS_DB")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("indicator,period"), "{first}");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}
