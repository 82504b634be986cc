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
    let csv = "indicator,period,value,note\n\
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
