//! Integration tests: what `import-values` and `record` refuse rather than repair (issue 12
//! items 1, 3, 4 and 15): broken quoting, short rows, control characters, underflowing numbers,
//! re-recording a value without its note, and a confirmation that cannot be printed.

use crate::common::*;

/// An env with `MINI` loaded (indicator `I1`, people, annual).
fn env() -> Env {
    let env = Env::new();
    let fw = env.write("framework.toml", MINI);
    env.ics(&["load", fw.to_str().unwrap()]).ok();
    env
}

/// Import `csv` as `name`, expecting exit 2 with every needle in stderr and no change at all.
#[track_caller]
fn refused(env: &Env, name: &str, csv: &str, needles: &[&str]) -> Run {
    let file = env.write(name, csv);
    let before = env.fingerprint();
    let mut run = env.ics(&["import-values", file.to_str().unwrap()]).fails();
    for needle in needles {
        run = run.stderr_has(needle);
    }
    assert_eq!(env.fingerprint(), before, "the database changed");
    run
}

#[test]
fn an_unterminated_quote_is_an_error_and_nothing_is_imported() {
    let env = env();
    // The issue's case: a note opens a quote and never closes it, followed by 5 rows, which
    // the csv reader would otherwise swallow into that note.
    let mut csv = String::from("indicator,period,value,note\nI1,FY2015,1,\"opens a quote\n");
    for year in 2016..2021 {
        csv.push_str(&format!("I1,FY{year},{year},fine\n"));
    }
    refused(
        &env,
        "open.csv",
        &csv,
        &[
            "open.csv:2: the quote that opens a cell on this line is never closed",
            "nothing was imported",
        ],
    );
    let values = env.ics(&["export-values", "--format", "json"]).ok().json();
    assert_eq!(values.as_array().unwrap().len(), 0);
    // Also when the open quote is on the last line.
    refused(
        &env,
        "last.csv",
        "indicator,period,value,note\nI1,FY2015,1,fine\nI1,FY2016,2,\"never closed",
        &["last.csv:3: the quote that opens a cell on this line is never closed"],
    );
}

#[test]
fn a_stray_quote_in_a_cell_is_an_error() {
    let env = env();
    let csv = "indicator,period,value,note,source\n\
               I1,FY2015,1,\"quoted\" trailing,src\n\
               I1,FY2016,2,abc\"def,src\n\
               I1,FY2017,3,\"fine, \"\"really\"\"\",src\n";
    let run = refused(
        &env,
        "stray.csv",
        csv,
        &[
            "stray.csv:2: text follows the closing quote of a quoted cell",
            "stray.csv:3: a double quote inside a cell that does not start with one",
            "2 of 3 rows of `",
        ],
    );
    assert!(!run.stderr.contains("stray.csv:4"), "{}", run.stderr);
}

#[test]
fn a_legitimate_multi_line_note_still_imports() {
    let env = env();
    // (Excel's byte-order mark before a quoted header cell is no stray quote.)
    let csv = "\u{feff}\"indicator\",period,value,note\n\
               I1,FY2015,1,\"line one\nline \"\"two\"\"\"\n\
               I1,FY2016,2,\"last row, on\r\ntwo lines\"";
    let file = env.write("multi.csv", csv);
    env.ics(&["import-values", file.to_str().unwrap()])
        .ok()
        .stdout_has("imported 2 rows");
    let json = env.ics(&["export-values", "--format", "json"]).ok().json();
    assert_eq!(json[0]["note"], "line one\nline \"two\"");
    assert_eq!(json[1]["note"], "last row, on\r\ntwo lines");
}

#[test]
fn short_rows_and_lone_carriage_returns_are_errors() {
    let env = env();
    refused(
        &env,
        "short.csv",
        "indicator,period,value,note,source\nI1,FY2015,1,n,s\nI1,FY2016,2,n\n",
        &["short.csv:3: this row has 4 cells but the header has 5 columns"],
    );
    // Old Mac line ends: the csv reader would take them as line breaks but count every row
    // as line 1, so locations would be wrong.
    refused(
        &env,
        "cr.csv",
        "indicator,period,value\rI1,FY2015,1\rI1,FY2016,2\r",
        &["cr.csv:1: a line ends with a carriage return alone"],
    );
}

/// `needs_explanation` of one indicator in `progress --period P --format json`.
fn needs_explanation(env: &Env, period: &str, code: &str) -> serde_json::Value {
    let json = env
        .ics(&["progress", "--period", period, "--format", "json"])
        .ok()
        .json();
    let row = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["indicator"] == code)
        .unwrap_or_else(|| panic!("no {code} in {json}"))
        .clone();
    row["needs_explanation"].clone()
}

#[test]
fn re_recording_the_same_value_without_a_note_keeps_the_note() {
    let env = Env::new();
    env.load_shipped();
    // The issue's sequence.
    env.ics(&["record", "IND-POVERTY", "FY2022", "25", "--note", "X"])
        .ok();
    assert_eq!(needs_explanation(&env, "FY2022", "IND-POVERTY"), false);
    let before = env.fingerprint();
    env.ics(&["record", "IND-POVERTY", "FY2022", "25"])
        .ok()
        .stdout_has("unchanged: `IND-POVERTY` FY2022 is already 25 percent");
    assert_eq!(
        env.fingerprint(),
        before,
        "an unchanged value wrote something"
    );
    let history = env
        .ics(&["history", "IND-POVERTY", "--format", "json"])
        .ok()
        .json();
    assert_eq!(history.as_array().unwrap().len(), 1, "{history}");
    assert_eq!(history[0]["note"], "X");
    assert_eq!(needs_explanation(&env, "FY2022", "IND-POVERTY"), false);
    // A plain import row of the same value leaves it unchanged too.
    let file = env.write(
        "same.csv",
        "indicator,period,value,note,source\nIND-POVERTY,FY2022,25,,\n",
    );
    env.ics(&["import-values", file.to_str().unwrap()])
        .ok()
        .stdout_has("0 added, 0 corrected, 1 unchanged");
    assert_eq!(
        env.fingerprint(),
        before,
        "an unchanged row wrote something"
    );
}

#[test]
fn notes_and_sources_change_only_when_given_and_clear_only_when_asked() {
    let env = env();
    let current = |env: &Env| {
        let json = env.ics(&["export-values", "--format", "json"]).ok().json();
        (
            json[0]["value"].clone(),
            json[0]["note"].clone(),
            json[0]["source"].clone(),
        )
    };
    env.ics(&[
        "record", "I1", "FY2021", "25", "--note", "X", "--source", "S",
    ])
    .ok();
    // A new note for the same value keeps the source.
    env.ics(&["record", "I1", "FY2021", "25", "--note", "Y"])
        .ok()
        .stdout_has("corrected");
    assert_eq!(current(&env), (25.0.into(), "Y".into(), "S".into()));
    // Removing them takes a flag.
    env.ics(&["record", "I1", "FY2021", "25", "--clear-note"])
        .ok()
        .stdout_has("corrected");
    assert_eq!(
        current(&env),
        (25.0.into(), serde_json::Value::Null, "S".into())
    );
    env.ics(&["record", "I1", "FY2021", "25", "--clear-note"])
        .ok()
        .stdout_has("unchanged");
    env.ics(&[
        "record",
        "I1",
        "FY2021",
        "25",
        "--clear-source",
        "--note",
        "Z",
    ])
    .ok()
    .stdout_has("corrected");
    assert_eq!(
        current(&env),
        (25.0.into(), "Z".into(), serde_json::Value::Null)
    );
    // An empty --note is not a way to remove one: it says which flag is.
    let before = env.fingerprint();
    env.ics(&["record", "I1", "FY2021", "25", "--note", " "])
        .fails()
        .stderr_has("error: `--note` is empty")
        .stderr_has("--clear-note");
    env.ics(&[
        "record",
        "I1",
        "FY2021",
        "25",
        "--note",
        "W",
        "--clear-note",
    ])
    .fails();
    assert_eq!(env.fingerprint(), before);
    // A new value starts without the old value's note and source, which described the old value.
    env.ics(&["record", "I1", "FY2021", "26"])
        .ok()
        .stdout_has("corrected");
    assert_eq!(
        current(&env),
        (
            26.0.into(),
            serde_json::Value::Null,
            serde_json::Value::Null
        )
    );
}

#[test]
fn import_rows_keep_notes_like_record_and_dated_rows_are_taken_as_written() {
    let env = env();
    env.ics(&[
        "record", "I1", "FY2021", "25", "--note", "X", "--source", "S",
    ])
    .ok();
    // Same value, a new source and an empty note cell: the note stays.
    let file = env.write(
        "partner.csv",
        "indicator,period,value,note,source\nI1,FY2021,25,,T\n",
    );
    env.ics(&["import-values", file.to_str().unwrap()])
        .ok()
        .stdout_has("0 added, 1 corrected, 0 unchanged");
    let json = env.ics(&["export-values", "--format", "json"]).ok().json();
    assert_eq!(json[0]["note"], "X");
    assert_eq!(json[0]["source"], "T");
    // A history with a removed note survives an export --all round trip: rows that carry
    // their own recorded_at are copies of recorded values, taken exactly as written.
    env.ics(&["record", "I1", "FY2021", "25", "--clear-note"])
        .ok()
        .stdout_has("corrected");
    let all = env.ics(&["export-values", "--all"]).ok().stdout;
    let again = self::env();
    let file = again.write("all.csv", &all);
    again
        .ics(&["import-values", file.to_str().unwrap()])
        .ok()
        .stdout_has("1 added, 2 corrected, 0 unchanged");
    assert_eq!(again.ics(&["export-values", "--all"]).ok().stdout, all);
}

#[test]
fn a_committed_write_whose_confirmation_cannot_be_printed_exits_0_with_a_warning() {
    let env = Env::new();
    let fw = env.write("framework.toml", MINI);
    let warned = |run: Run| {
        let run = run
            .ok()
            .stderr_has("warning: ")
            .stderr_has("could not be printed");
        assert!(!run.stderr.contains("error:"), "{}", run.stderr);
    };
    warned(env.ics_to_full_disk(&["load", fw.to_str().unwrap()]));
    env.ics(&["versions"]).ok().stdout_has("v1");
    warned(env.ics_to_full_disk(&["record", "I1", "FY2021", "25"]));
    let file = env.write("v.csv", "indicator,period,value\nI1,FY2020,7\n");
    warned(env.ics_to_full_disk(&["import-values", file.to_str().unwrap()]));
    let json = env.ics(&["export-values", "--format", "json"]).ok().json();
    assert_eq!(json.as_array().unwrap().len(), 2, "{json}");
    // A command that fails still fails, and a read command whose output is lost is an error.
    env.ics_to_full_disk(&["record", "I1", "FY2021", "x"])
        .fails()
        .stderr_has("not a number");
    env.ics_to_full_disk(&["tree"])
        .fails()
        .stderr_has("could not write the output");
}

#[test]
fn a_number_that_underflows_to_zero_is_refused_like_one_that_overflows() {
    let env = env();
    let before = env.fingerprint();
    env.ics(&["record", "I1", "FY2021", "1e-400"])
        .fails()
        .stderr_has("`1e-400` is too small to record");
    let file = env.write("tiny.csv", "indicator,period,value\nI1,FY2021,-2.5E-999\n");
    env.ics(&["import-values", file.to_str().unwrap()])
        .fails()
        .stderr_has("tiny.csv:2: `-2.5E-999` is too small to record");
    assert_eq!(env.fingerprint(), before);
    for zero in ["0e5", "0.0", "-0", "-0.0e-400"] {
        env.ics(&["record", "I1", "FY2021", "--", zero]).ok();
        let json = env.ics(&["export-values", "--format", "json"]).ok().json();
        assert_eq!(json[0]["value"].to_string(), "0.0", "{zero}");
    }
}

#[test]
fn a_header_with_thousands_of_unknown_columns_lists_the_first_hundred() {
    let env = env();
    let mut header = String::from("indicator,period,value");
    for i in 0..10_000 {
        header.push_str(&format!(",extra{i}"));
    }
    let run = refused(
        &env,
        "wide.csv",
        &format!("{header}\n"),
        &[
            "wide.csv:1: unknown column `extra0`",
            "wide.csv:1: unknown column `extra99`",
            "error: the header of `",
            "10000 problems; the first 100 are listed",
        ],
    );
    assert!(!run.stderr.contains("`extra100`"), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 101, "{}", run.stderr);
}

#[test]
fn control_characters_are_refused_in_texts_and_never_written_raw_to_csv() {
    let env = env();
    let before = env.fingerprint();
    // (A NUL cannot be passed as an argument at all.)
    for (flag, text) in [
        ("--source", "bell\u{7}"),
        ("--note", "\u{1b}[2J"),
        ("--by", "me\tyou"),
    ] {
        env.ics(&["record", "I1", "FY2021", "1", flag, text])
            .fails()
            .stderr_has("control character");
    }
    let file = env.write(
        "nul.csv",
        "indicator,period,value,note,recorded_by\nI1,FY2021,1,a\u{0}b,\nI1,FY2020,1,,x\u{1}\n",
    );
    env.ics(&["import-values", file.to_str().unwrap()])
        .fails()
        .stderr_has("nul.csv:2: the note holds a control character (U+0000)")
        .stderr_has("nul.csv:3: `recorded_by` holds a control character (U+0001)");
    assert_eq!(env.fingerprint(), before);
    // Tabs and line breaks in notes are text.
    env.ics(&["record", "I1", "FY2021", "1", "--note", "a\tb\r\nc"])
        .ok();
    // A control character that an older ics stored is shown, not written raw, in CSV.
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute(
        "UPDATE value SET note = 'a' || char(0) || 'b' || char(27)",
        [],
    )
    .unwrap();
    drop(conn);
    let csv = env.ics(&["export-values"]).ok().stdout;
    assert!(csv.contains(",a\u{2400}b\u{241b},"), "{csv:?}");
    assert!(!csv.contains('\u{0}') && !csv.contains('\u{1b}'), "{csv:?}");
    let json = env.ics(&["export-values", "--format", "json"]).ok().json();
    assert_eq!(json[0]["note"], "a\u{0}b\u{1b}");
}

#[test]
fn empty_columns_a_spreadsheet_adds_after_the_header_are_no_columns() {
    let env = env();
    // Excel saves `indicator,period,value,,` when cells right of the table were ever touched.
    let file = env.write(
        "excel.csv",
        "indicator,period,value,,\r\nI1,FY2020,7,,\r\nI1,FY2021,8,,\r\n",
    );
    env.ics(&["import-values", file.to_str().unwrap()])
        .ok()
        .stdout_has("2 added");
    // A value under such a column is not silently dropped.
    refused(
        &env,
        "stray.csv",
        "indicator,period,value,,\nI1,FY2022,9,,oops\n",
        &["stray.csv:2:"],
    );
    // An empty name between named columns is still a mistake.
    refused(
        &env,
        "gap.csv",
        "indicator,,period,value\nI1,,FY2022,9\n",
        &["gap.csv:1: column 2 of the header has no name"],
    );
}
