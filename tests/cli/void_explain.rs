//! Integration tests: `void`, `explain`, their place in the history and in `export-values --all`,
//! and the warnings of `record`.

#[allow(unused_imports)]
use crate::common::*;

fn env() -> Env {
    let env = Env::new();
    let fw = env.write("framework.toml", MINI);
    env.ics(&["load", fw.to_str().unwrap()]).ok();
    env
}

fn progress_row(env: &Env, code: &str) -> serde_json::Value {
    let v = env
        .ics(&["progress", "--format", "json", "--period", "FY2021"])
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
fn void_ends_the_current_value_and_recording_again_works() {
    let env = env();
    env.ics(&["record", "I1", "FY2021", "25"]).ok();
    env.ics(&[
        "void",
        "I1",
        "FY2021",
        "--reason",
        "wrong year",
        "--by",
        "M&E team",
    ])
    .ok()
    .stdout_has("voided `I1` FY2021: 25 people (recorded by tester");
    // No current value any more: plain export has nothing, progress has no data.
    let plain = env.ics(&["export-values"]).ok().stdout;
    assert_eq!(plain.lines().count(), 1, "{plain}");
    assert_eq!(progress_row(&env, "I1")["actual"], serde_json::Value::Null);
    // The history keeps the voided value and the void, with who and why.
    env.ics(&["history", "I1"])
        .ok()
        .stdout_has("void")
        .stdout_has("wrong year")
        .stdout_has("M&E team");
    env.ics(&["check"]).ok();
    env.ics(&["record", "I1", "FY2021", "27"])
        .ok()
        .stdout_has("recorded `I1` FY2021: 27 people");
    let plain = env.ics(&["export-values"]).ok().stdout;
    assert!(plain.contains("I1,FY2021,,27,"), "{plain}");
    env.ics(&["check"]).ok();
    // A second void and another record: still healthy.
    env.ics(&["void", "I1", "FY2021", "--reason", "again"]).ok();
    env.ics(&["check"]).ok();
}

#[test]
fn void_with_nothing_to_void_is_an_error() {
    let env = env();
    let before = env.fingerprint();
    env.ics(&["void", "I1", "FY2021", "--reason", "typo"])
        .fails()
        .stderr_has("error: `I1` FY2021 has no current value to void");
    assert_eq!(env.fingerprint(), before);
    env.ics(&["record", "I1", "FY2021", "25"]).ok();
    env.ics(&["void", "I1", "FY2021", "--reason", "typo"]).ok();
    let before = env.fingerprint();
    env.ics(&["void", "I1", "FY2021", "--reason", "typo"])
        .fails()
        .stderr_has("has no current value to void");
    env.ics(&["void", "I1", "FY2021", "--reason", " "])
        .fails()
        .stderr_has("error: the reason (`--reason`) is empty; write a sentence");
    env.ics(&["void", "I1", "FY2021", "--reason", "a\u{1b}b"])
        .fails()
        .stderr_has("control character (U+001B)");
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn explain_clears_needs_explanation_without_retyping_the_value() {
    let env = env();
    env.ics(&["record", "I1", "FY2021", "15", "--source", "partner"])
        .ok();
    assert_eq!(progress_row(&env, "I1")["needs_explanation"], true);
    env.ics(&["explain", "I1", "FY2021", "Clinics closed for repairs"])
        .ok()
        .stdout_has("explained `I1` FY2021");
    let row = progress_row(&env, "I1");
    assert_eq!(row["needs_explanation"], false, "{row}");
    assert_eq!(row["actual"], 15.0);
    let all = export_all(&env);
    assert!(
        all.contains("I1,FY2021,,15,Clinics closed for repairs,partner,"),
        "{all}"
    );
    assert!(
        all.lines()
            .last()
            .unwrap()
            .ends_with(",true,,explanation,,,false"),
        "{all}"
    );
    env.ics(&["history", "I1"]).ok().stdout_has("explanation");
    env.ics(&["explain", "I1", "FY2022", "nothing there"])
        .fails()
        .stderr_has("`I1` FY2022 has no current value to explain");
    let before = env.fingerprint();
    env.ics(&["explain", "I1", "FY2021", "  "])
        .fails()
        .stderr_has("error: the explanation is empty");
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn an_all_export_with_voids_and_explanations_imports_back_identically() {
    let env = env();
    env.ics(&["record", "I1", "FY2021", "15"]).ok();
    env.ics(&["explain", "I1", "FY2021", "strike"]).ok();
    env.ics(&["void", "I1", "FY2021", "--reason", "double-counted"])
        .ok();
    env.ics(&["record", "I1", "FY2021", "12"]).ok();
    env.ics(&["record", "I1", "FY2020", "20"]).ok();
    env.ics(&["void", "I1", "FY2020", "--reason", "not yet verified"])
        .ok();
    let first = export_all(&env);
    assert!(
        first
            .lines()
            .next()
            .unwrap()
            .ends_with(",current,replaced_by,kind,numerator,denominator,voided"),
        "{first}"
    );
    // Issue 13's contract: a `voided` column, true for the two voids and false elsewhere.
    assert_eq!(first.matches(",void,,,true\n").count(), 2, "{first}");
    assert_eq!(first.matches(",true\n").count(), 2, "{first}");
    assert_eq!(
        first
            .lines()
            .skip(1)
            .filter(|l| l.ends_with(",false"))
            .count(),
        first.lines().count() - 3,
        "{first}"
    );
    let file = env.write("all.csv", &first);
    let fresh = Env::new();
    let fw = fresh.write("framework.toml", MINI);
    fresh.ics(&["load", fw.to_str().unwrap()]).ok();
    fresh.ics(&["import-values", file.to_str().unwrap()]).ok();
    assert_eq!(export_all(&fresh), first);
    fresh.ics(&["check"]).ok();
    // Importing it again changes nothing.
    let before = fresh.fingerprint();
    fresh.ics(&["import-values", file.to_str().unwrap()]).ok();
    assert_eq!(fresh.fingerprint(), before);
    // Plain export is unchanged in shape: eight columns and the ratio parts, current values
    // only.
    let plain = fresh.ics(&["export-values"]).ok().stdout;
    assert_eq!(plain.lines().count(), 2, "{plain}");
    assert!(plain.starts_with(
        "indicator,period,disaggregation,value,note,source,recorded_by,recorded_at,numerator,denominator\n"
    ));
}

#[test]
fn record_warns_about_unlikely_years_and_negative_values_but_records() {
    let env = env();
    // Today is FY2026 in the tests.
    env.ics(&["record", "I1", "FY2028", "5"])
        .ok()
        .stderr_has("warning: FY2028 is more than one fiscal year after this one (FY2026)");
    let r = env.ics(&["record", "I1", "FY2027", "5"]).ok();
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    env.ics(&["record", "I1", "FY1975", "5"])
        .ok()
        .stderr_has("more than 50 fiscal years before this one");
    let r = env.ics(&["record", "I1", "FY1976", "5"]).ok();
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    env.ics(&["record", "I1", "FY2021", "-3"]).ok().stderr_has(
        "warning: -3 is negative, but the baseline and targets of `I1` are all zero or more",
    );
    let plain = env.ics(&["export-values"]).ok().stdout;
    assert!(plain.contains("I1,FY2021,,-3,"), "{plain}");
    assert!(plain.contains("I1,FY2028,,5,"), "{plain}");
}

#[test]
fn check_reports_a_value_of_an_unknown_kind() {
    let env = env();
    env.ics(&["record", "I1", "FY2021", "25"]).ok();
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute("UPDATE value SET kind = 'bogus'", []).unwrap();
    drop(conn);
    env.ics(&["check"])
        .fails()
        .stdout_has("unknown kind `bogus`");
}

#[test]
fn a_void_row_must_follow_the_value_it_ends() {
    let env = env();
    let before = env.fingerprint();
    for (csv, says) in [
        (
            "indicator,period,value,note,kind\nI1,FY2021,5,typo,void\n",
            "v.csv:2: a `void` row has no current value to end",
        ),
        (
            "indicator,period,value,note,kind\nI1,FY2021,5,,value\nI1,FY2021,6,typo,void\n",
            "v.csv:3: a `void` row has the value 6, but the current value it would end is 5",
        ),
        (
            "indicator,period,value,kind\nI1,FY2021,5,voided\n",
            "v.csv:2: `voided` is not a kind; use `value`, `explanation` or `void`",
        ),
        (
            "indicator,period,value,kind,voided\nI1,FY2021,5,void,false\n",
            "v.csv:2: `voided` is `false` but the row's kind is `void`",
        ),
        (
            "indicator,period,value,voided\nI1,FY2021,5,yes\n",
            "v.csv:2: `voided` is `yes`; write `true` or `false`",
        ),
        (
            // `voided` alone says void: with no current value, there is nothing to end.
            "indicator,period,value,voided\nI1,FY2021,5,true\n",
            "v.csv:2: a `void` row has no current value to end",
        ),
    ] {
        let file = env.write("v.csv", csv);
        env.ics(&["import-values", file.to_str().unwrap()])
            .fails()
            .stderr_has(says);
        assert_eq!(env.fingerprint(), before, "{csv}");
    }
}

/// `voided` alone says void, in any case (a spreadsheet saves `true` as `TRUE`).
#[test]
fn a_voided_column_from_a_spreadsheet_voids_in_any_case() {
    let env = env();
    env.ics(&["record", "I1", "FY2021", "5"]).ok();
    let file = env.write(
        "v.csv",
        "indicator,period,value,note,voided\nI1,FY2021,5,typed twice,TRUE\n",
    );
    env.ics(&["import-values", file.to_str().unwrap()]).ok();
    let all = export_all(&env);
    assert!(all.contains(",typed twice,"), "{all}");
    assert!(all.trim_end().ends_with(",void,,,true"), "{all}");
    assert_eq!(
        env.ics(&["export-values"]).ok().stdout.lines().count(),
        1,
        "no current value left"
    );
}
