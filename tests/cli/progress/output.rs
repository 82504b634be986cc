//! `ics progress` output: CSV guard and numbers, the table's width, colour and trend, and
//! snapshots of the shipped demo data in table, CSV and markdown.

use super::{env_with, import, record, FW};
use crate::common::{repo_file, Env};

#[test]
fn csv_guards_formulas_and_keeps_numbers_unrounded() {
    let env = env_with(FW);
    record(
        &env,
        &[
            "UP",
            "FY2021",
            "33.333",
            "--note",
            "=HYPERLINK(\"http://evil.example\",\"click\")",
        ],
    );
    record(&env, &["DOWN", "FY2021", "-3", "--note=-dropped"]);
    let out = env
        .ics(&["progress", "--period", "FY2021", "--format", "csv"])
        .ok()
        .stdout;
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        header,
        [
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
            "note"
        ]
    );
    let rec: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let up = rec.iter().find(|r| &r[0] == "UP").unwrap();
    assert_eq!(&up[14], "'=HYPERLINK(\"http://evil.example\",\"click\")");
    assert_eq!(&up[9], "33.333");
    assert_eq!(&up[10], "33.333", "unrounded percent");
    assert_eq!(&up[11], "below");
    assert_eq!(&up[12], "false");
    let down = rec.iter().find(|r| &r[0] == "DOWN").unwrap();
    assert_eq!(&down[9], "-3", "numbers are never guarded");
    assert_eq!(&down[14], "'-dropped");
    assert_eq!(rec.len(), 7, "roll-ups are not CSV rows");
}

#[test]
fn table_rounds_fits_the_width_and_colours_only_when_asked() {
    let env = env_with(FW);
    record(&env, &["UP", "FY2021", "33.333"]);
    record(&env, &["UP-BASE", "FY2021", "1234567.5", "--note", "big"]);
    let t = env.ics(&["progress", "--period", "FY2021"]).ok().stdout;
    assert!(t.contains("33.3%"), "{t}");
    assert!(t.contains("below !"), "needs explanation, in words: {t}");
    assert!(t.contains("1,234,567.5"), "numbers are never cut: {t}");
    for line in t.lines() {
        assert!(
            ics::render::width(line) <= 100,
            "wider than COLUMNS=100: {line:?}"
        );
    }
    assert!(!t.contains('\x1b'), "NO_COLOR and no terminal: no colour");
    let narrow = env
        .ics_env(&["progress", "--period", "FY2021"], &[("COLUMNS", "60")])
        .ok()
        .stdout;
    assert!(narrow.contains("1,234,567.5"), "{narrow}");
    let colour = env
        .ics_env(
            &["--color", "always", "progress", "--period", "FY2021"],
            &[("NO_COLOR", "")],
        )
        .ok()
        .stdout;
    assert!(colour.contains('\x1b'), "{colour}");
    assert!(colour.contains("below !"), "the word stays with the colour");
    let never = env
        .ics_env(
            &["--color", "never", "progress", "--period", "FY2021"],
            &[("NO_COLOR", "")],
        )
        .ok()
        .stdout;
    assert!(!never.contains('\x1b'));
}

#[test]
fn trend_draws_the_strategy_years() {
    let env = env_with(FW);
    import(
        &env,
        "indicator,period,value\nUP,FY2019,10\nUP,FY2021,100\nUP,FY2022,55\n",
    );
    let t = env.ics(&["progress", "--period", "FY2021"]).ok().stdout;
    // Bars rise from zero: 10 is low, 55 about half of 100.
    assert!(t.contains("▂·█▅"), "FY2019..FY2022, FY2020 missing: {t}");
    assert!(t.contains("FY2019 to FY2022"), "{t}");
}

fn demo_env() -> Env {
    let env = Env::new();
    env.load_shipped();
    let values = repo_file("examples/peru-values.csv");
    env.ics(&["import-values", values.to_str().unwrap()]).ok();
    env
}

#[test]
fn demo_snapshots_fy2022() {
    let env = demo_env();
    for (name, format) in [("table", "table"), ("csv", "csv"), ("markdown", "markdown")] {
        let out = env
            .ics(&["progress", "--period", "FY2022", "--format", format])
            .ok()
            .stdout;
        insta::assert_snapshot!(format!("progress_demo_fy2022_{name}"), out);
    }
}

#[test]
fn demo_snapshots_default_period() {
    let env = demo_env();
    for (name, format) in [("table", "table"), ("csv", "csv"), ("markdown", "markdown")] {
        let out = env.ics(&["progress", "--format", format]).ok().stdout;
        insta::assert_snapshot!(format!("progress_demo_default_{name}"), out);
    }
}
