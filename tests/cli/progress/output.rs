//! `ics progress` output: CSV columns, guard and numbers, markdown columns, the table's width,
//! colour and trend, and snapshots of the shipped demo data (the table at 80 and 200 columns,
//! CSV and markdown).

use super::{env_with, import, record, FW};
use crate::common::{repo_file, Env};

/// The contract's columns (and JSON keys), in order.
const COLUMNS: [&str; 23] = crate::common::PROGRESS_KEYS;

/// The CSV's records keyed by column name.
fn csv_rows(out: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(header, COLUMNS);
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            assert_eq!(r.len(), COLUMNS.len());
            header
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

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
    record(&env, &["UP-BASE", "FY2021", "15"]);
    let out = env
        .ics(&["progress", "--period", "FY2021", "--format", "csv"])
        .ok()
        .stdout;
    let rows = csv_rows(&out);
    assert_eq!(rows.len(), 7, "roll-ups are not CSV rows");
    let get = |code: &str| rows.iter().find(|r| r["indicator"] == code).unwrap();
    let up = get("UP");
    assert_eq!(
        up["explanation"],
        "'=HYPERLINK(\"http://evil.example\",\"click\")"
    );
    assert_eq!(up["actual"], "33.333");
    assert_eq!(up["achieved"], "33.333", "unrounded");
    assert_eq!(up["deviation"], "-66.667");
    assert_eq!(up["status"], "short");
    assert_eq!(up["needs_explanation"], "false");
    assert_eq!(up["progress"], "");
    assert_eq!(up["target_to_date"], "");
    for flag in ["partial", "derived", "cumulative"] {
        assert_eq!(up[flag], "false", "{flag}");
    }
    let down = get("DOWN");
    assert_eq!(down["actual"], "-3", "numbers are never guarded");
    assert_eq!(down["deviation"], "-107.5");
    assert_eq!(down["status"], "exceeded");
    assert_eq!(down["explanation"], "'-dropped");
    let base = get("UP-BASE");
    assert_eq!(base["baseline"], "10");
    assert_eq!(base["achieved"], "75");
    assert_eq!(base["deviation"], "-25");
    assert_eq!(base["progress"], "50");
    assert_eq!(base["needs_explanation"], "true");
    assert_eq!(base["explanation"], "");
}

#[test]
fn markdown_carries_achieved_deviation_and_explanation() {
    let env = env_with(FW);
    record(
        &env,
        &["UP", "FY2021", "80", "--note", "a *strike* | delays"],
    );
    record(&env, &["DOWN", "FY2021", "50"]);
    let md = env
        .ics(&["progress", "--period", "FY2021", "--format", "markdown"])
        .ok()
        .stdout;
    assert!(
        md.contains(
            "| Indicator | Title | Unit | Direction | Baseline | Target | Actual | Achieved | \
             Deviation | Status | Needs explanation | Explanation |"
        ),
        "{md}"
    );
    assert!(
        md.contains(
            "| UP | Increase without baseline | people | higher is better | — | 100 | 80 | \
             80.0% | -20.0% | ▼ short | | a \\*strike\\* \\| delays |"
        ),
        "{md}"
    );
    assert!(
        md.contains(
            "| DOWN | Decrease without baseline | days | lower is better | — | 40 | 50 | 125.0% | \
             +25.0% | ▼ short | ⚑ yes | |"
        ),
        "{md}"
    );
    assert!(md.contains("| **O1** | **Objective one** · 2 indicators: 1 short, 1 no data"));
    assert!(md.contains("Off target = deviation beyond ±10%"), "{md}");
}

#[test]
fn table_rounds_fits_the_width_and_colours_only_when_asked() {
    let env = env_with(FW);
    record(&env, &["UP", "FY2021", "33.333"]);
    record(&env, &["UP-BASE", "FY2021", "1234567.5", "--note", "big"]);
    for columns in ["80", "100", "120", "200"] {
        let t = env
            .ics_env(&["progress", "--period", "FY2021"], &[("COLUMNS", columns)])
            .ok()
            .stdout;
        assert!(t.contains("33.3%"), "{t}");
        assert!(t.contains("-66.7%"), "{t}");
        assert!(t.contains("▼ short"), "the status in words: {t}");
        assert!(t.contains("↳ big"), "{t}");
        assert!(t.contains("1,234,567.5"), "numbers are never cut: {t}");
        let w: usize = columns.parse().unwrap();
        for line in t.lines() {
            assert!(
                ics::render::width(line) <= w,
                "wider than COLUMNS={w}: {line:?}\n{t}"
            );
        }
        assert!(!t.contains('\x1b'), "NO_COLOR and no terminal: no colour");
    }
    let colour = env
        .ics_env(
            &["--color", "always", "progress", "--period", "FY2021"],
            &[("NO_COLOR", "")],
        )
        .ok()
        .stdout;
    assert!(colour.contains("\x1b[31m▼ short"), "{colour}");
    assert!(colour.contains("explain"), "the flag stays with the colour");
    let never = env
        .ics_env(
            &["--color", "never", "progress", "--period", "FY2021"],
            &[("NO_COLOR", "")],
        )
        .ok()
        .stdout;
    assert!(!never.contains('\x1b'));
    // NO_COLOR wins over a terminal's colour (auto), and the shapes stay.
    let auto = env
        .ics_env(&["--color", "auto", "progress", "--period", "FY2021"], &[])
        .ok()
        .stdout;
    assert!(!auto.contains('\x1b') && auto.contains('▼'), "{auto}");
}

#[test]
fn trend_draws_the_strategy_years() {
    let env = env_with(FW);
    import(
        &env,
        "indicator,period,value\nUP,FY2019,10\nUP,FY2021,100\nUP,FY2022,55\n",
    );
    let t = env
        .ics_env(&["progress", "--period", "FY2021"], &[("COLUMNS", "200")])
        .ok()
        .stdout;
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

/// FY2021 has a short indicator with its explanation on record.
#[test]
fn demo_snapshots_fy2021() {
    let env = demo_env();
    for (name, format) in [("table", "table"), ("csv", "csv"), ("markdown", "markdown")] {
        let out = env
            .ics(&["progress", "--period", "FY2021", "--format", format])
            .ok()
            .stdout;
        insta::assert_snapshot!(format!("progress_demo_fy2021_{name}"), out);
    }
}

#[test]
fn demo_snapshots_default_period() {
    let env = demo_env();
    for columns in ["80", "200"] {
        let out = env
            .ics_env(&["progress"], &[("COLUMNS", columns)])
            .ok()
            .stdout;
        insta::assert_snapshot!(format!("progress_demo_default_table_{columns}"), out);
    }
    for format in ["csv", "markdown"] {
        let out = env.ics(&["progress", "--format", format]).ok().stdout;
        insta::assert_snapshot!(format!("progress_demo_default_{format}"), out);
    }
}

/// A CSV with `--period` (its rows made on two threads) is the CSV of the same period made on
/// one (the default period takes no second thread), on stdout and in a file, for the whole
/// strategy and for a part of it.
#[test]
fn csv_rows_made_on_two_threads_are_the_rows_made_on_one() {
    let env = demo_env();
    let json = env.ics(&["progress", "--format", "json"]).ok().json();
    let period = json[0]["period"].as_str().unwrap().to_string();
    for extra in [
        &[][..],
        &["--node", "MG3"][..],
        &["--status", "no_data"][..],
    ] {
        let one = env
            .ics(&[&["progress", "--format", "csv"], extra].concat())
            .ok()
            .stdout;
        let two = env
            .ics(&[&["progress", "--format", "csv", "--period", &period], extra].concat())
            .ok()
            .stdout;
        assert!(one.lines().count() > 1, "{extra:?}: {one}");
        assert_eq!(one, two, "{extra:?}");
        let file = env.path("progress.csv");
        let _ = std::fs::remove_file(&file);
        env.ics(
            &[
                &["progress", "--format", "csv", "--period", &period, "--out"],
                &[file.to_str().unwrap()][..],
                extra,
            ]
            .concat(),
        )
        .ok();
        let written = std::fs::read_to_string(&file).unwrap();
        assert_eq!(written.trim_start_matches('\u{feff}'), two, "{extra:?}");
    }
}
