//! `ics track`: the Indicator Tracking Table through the real binary, on the shipped demo
//! data (real values in the right cells, JSON equal to `progress` for every period) and on a
//! small framework with a quarterly and a disaggregated indicator; ranges, `--node`, widths
//! and `--out`.

use serde_json::Value;

use crate::common::{repo_file, Env};

/// The shipped strategy with the shipped sample values.
fn demo() -> Env {
    let env = Env::new();
    env.load_shipped();
    let values = repo_file("examples/peru-values.csv");
    env.ics(&["import-values", values.to_str().unwrap()]).ok();
    env
}

const DEMO_YEARS: [&str; 5] = ["FY2018", "FY2019", "FY2020", "FY2021", "FY2022"];

/// The cell of `indicator` for `period` in track's JSON.
fn cell<'a>(track: &'a Value, indicator: &str, period: &str) -> &'a Value {
    let row = track
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["indicator"] == indicator)
        .unwrap_or_else(|| panic!("no row {indicator}"));
    row["periods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["period"] == period)
        .unwrap_or_else(|| panic!("no cell {indicator} {period}"))
}

#[test]
fn demo_gives_the_strategy_years_with_the_real_values() {
    let env = demo();
    let track = env.ics(&["track", "--format", "json"]).ok().json();
    let rows = track.as_array().unwrap();
    assert_eq!(rows.len(), 12);
    for r in rows {
        let periods: Vec<&str> = r["periods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["period"].as_str().unwrap())
            .collect();
        assert_eq!(periods, DEMO_YEARS, "{}", r["indicator"]);
    }
    let goods = cell(&track, "IND-TRADE-GOODS", "FY2021");
    assert_eq!(goods["actual"], 17.2);
    assert_eq!(goods["target"], 19.5);
    assert_eq!(goods["status"], "short");
    assert_eq!(
        cell(&track, "IND-TRADE-GOODS", "FY2020")["actual"],
        Value::Null
    );
    assert_eq!(cell(&track, "IND-POVERTY", "FY2020")["actual"], 22.0);
    assert_eq!(cell(&track, "IND-POVERTY", "FY2022")["actual"], 20.0);
    assert_eq!(cell(&track, "IND-PRIVATE-INV", "FY2022")["actual"], 70.0);
    assert_eq!(
        cell(&track, "IND-US-VISITORS", "FY2020")["actual"],
        580000.0
    );
    // FY2023 and FY2024 values are outside the strategy's years.
    assert!(!env.ics(&["track"]).ok().stdout.contains("FY2023"));
    // The table puts 17.2 under FY2021 on the IND-TRADE-GOODS line.
    let table = env.ics_env(&["track"], &[("COLUMNS", "200")]).ok().stdout;
    let line = table
        .lines()
        .find(|l| l.trim_start().starts_with("IND-TRADE-GOODS"))
        .unwrap();
    let cols: Vec<&str> = line.split('│').map(str::trim).collect();
    assert_eq!(cols.len(), 6, "code, then five years: {line}");
    assert_eq!(cols[4], "19.5     17.2   88.2% ▼");
    assert!(table.contains("↳ FY2021: Calendar-year 2021 figure recorded against FY2021."));
}

#[test]
fn demo_json_equals_progress_for_every_period_and_indicator() {
    let env = demo();
    let track = env.ics(&["track", "--format", "json"]).ok().json();
    let rows = track.as_array().unwrap();
    let mut compared = 0;
    for period in DEMO_YEARS {
        let progress = env
            .ics(&["progress", "--format", "json", "--period", period])
            .ok()
            .json();
        let progress = progress.as_array().unwrap();
        assert_eq!(progress.len(), rows.len());
        for p in progress {
            let row = rows
                .iter()
                .find(|r| r["indicator"] == p["indicator"])
                .unwrap();
            for key in [
                "indicator",
                "title",
                "node",
                "path",
                "unit",
                "direction",
                "baseline",
                "cumulative",
            ] {
                assert_eq!(row[key], p[key], "{key} of {}", p["indicator"]);
            }
            let c = cell(&track, p["indicator"].as_str().unwrap(), period);
            for (key, v) in c.as_object().unwrap() {
                if key != "breakdown" {
                    assert_eq!(v, &p[key], "{key} of {} {period}", p["indicator"]);
                    compared += 1;
                }
            }
        }
    }
    assert_eq!(compared, 5 * 12 * 10);
}

/// A quarterly indicator and one disaggregated by sex.
const FW: &str = r#"
[strategy]
code = "trk"
title = "Tracking test strategy"
version = "v1"
start = "FY2021"
end = "FY2022"

[[goal]]
code = "G1"
title = "Goal one"

  [[goal.indicator]]
  code = "Q-VISITS"
  title = "Quarterly visits"
  unit = "visits"
  direction = "increase"
  frequency = "quarterly"
  targets = { FY2022Q1 = 10, FY2022Q2 = 10, FY2022Q3 = 10, FY2022Q4 = 10 }

[[development_objective]]
code = "DO1"
title = "Development objective one"

  [[development_objective.indicator]]
  code = "TRAINED"
  title = "People trained"
  unit = "people"
  direction = "increase"
  baseline = { period = "FY2021", value = 50 }
  targets = { FY2021 = 80, FY2022 = 100 }
  disaggregations = { sex = ["female", "male"] }
"#;

const VALUES: &str = "indicator,period,value,disaggregation,note\n\
Q-VISITS,FY2022Q1,12,,\n\
Q-VISITS,FY2022Q2,6,,Clinic closed for two weeks\n\
Q-VISITS,FY2022Q3,11,,\n\
TRAINED,FY2021,81,,\n\
TRAINED,FY2021,40,sex=female,\n\
TRAINED,FY2022,55,sex=female,\n\
TRAINED,FY2022,60,sex=male,\n";

fn small() -> Env {
    let env = Env::new();
    let fw = env.write("framework.toml", FW);
    env.ics(&["load", fw.to_str().unwrap()]).ok();
    let values = env.write("values.csv", VALUES);
    env.ics(&["import-values", values.to_str().unwrap()]).ok();
    env
}

#[test]
fn a_quarterly_and_a_disaggregated_indicator() {
    let env = small();
    let track = env.ics(&["track", "--format", "json"]).ok().json();
    let q: Vec<&str> = track[0]["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["period"].as_str().unwrap())
        .collect();
    assert_eq!(
        q,
        [
            "FY2021", "FY2021Q1", "FY2021Q2", "FY2021Q3", "FY2021Q4", "FY2022", "FY2022Q1",
            "FY2022Q2", "FY2022Q3", "FY2022Q4"
        ]
    );
    let fy = cell(&track, "Q-VISITS", "FY2022");
    assert_eq!(fy["actual"], 29.0);
    assert_eq!(fy["partial"], true);
    let q2 = cell(&track, "Q-VISITS", "FY2022Q2");
    assert_eq!(
        (q2["target"].as_f64(), q2["actual"].as_f64()),
        (Some(10.0), Some(6.0))
    );
    assert_eq!(q2["status"], "short");
    assert_eq!(q2["explanation"], "Clinic closed for two weeks");
    assert_eq!(cell(&track, "Q-VISITS", "FY2022Q4")["status"], "no_data");
    // The annual indicator shows no quarters.
    assert_eq!(track[1]["periods"].as_array().unwrap().len(), 2);
    let fy22 = cell(&track, "TRAINED", "FY2022");
    assert_eq!(fy22["actual"], 115.0);
    assert_eq!(fy22["derived"], true);
    assert_eq!(
        fy22["breakdown"],
        serde_json::json!([
            {"disaggregation": "sex=female", "actual": 55.0},
            {"disaggregation": "sex=male", "actual": 60.0}
        ])
    );
    let fy21 = cell(&track, "TRAINED", "FY2021");
    assert_eq!(fy21["actual"], 81.0);
    assert_eq!(fy21["derived"], false);
    assert_eq!(
        fy21["breakdown"],
        serde_json::json!([{"disaggregation": "sex=female", "actual": 40.0}])
    );
    // Equal to progress for every period shown, quarters included.
    for row in track.as_array().unwrap() {
        for c in row["periods"].as_array().unwrap() {
            let period = c["period"].as_str().unwrap();
            let progress = env
                .ics(&["progress", "--format", "json", "--period", period])
                .ok()
                .json();
            let p = progress
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["indicator"] == row["indicator"])
                .unwrap();
            for (key, v) in c.as_object().unwrap() {
                if key != "breakdown" {
                    assert_eq!(v, &p[key], "{key} of {} {period}", row["indicator"]);
                }
            }
        }
    }
    // --quarters gives the annual indicator its quarters too.
    let all = env
        .ics(&["track", "--format", "json", "--quarters"])
        .ok()
        .json();
    assert_eq!(all[1]["periods"].as_array().unwrap().len(), 10);
    // The table: quarter lines, breakdown lines, the derived mark and the explanation.
    let table = env.ics_env(&["track"], &[("COLUMNS", "200")]).ok().stdout;
    for needle in [
        "    Q2 ",
        "    sex=female",
        "    sex=male",
        "115 Σ",
        "29 (3/4 q)",
        "↳ FY2022Q2: Clinic closed for two weeks",
    ] {
        assert!(table.contains(needle), "{needle:?} missing:\n{table}");
    }
    let female = table
        .lines()
        .find(|l| l.trim_start().starts_with("sex=female"))
        .unwrap();
    let cols: Vec<&str> = female.split('│').map(str::trim).collect();
    assert_eq!(cols[1..], ["40", "55"], "{female}");
    // CSV: a record per period, and one per breakdown value after it.
    let csv = env.ics(&["track", "--format", "csv"]).ok().stdout;
    assert!(csv.contains(
        "TRAINED,People trained,DO1,DO1,people,increase,50,false,FY2022,,100,115,115,15,exceeded,true,,false,true\n\
         TRAINED,People trained,DO1,DO1,people,increase,50,false,FY2022,sex=female,,55,,,,,,,\n\
         TRAINED,People trained,DO1,DO1,people,increase,50,false,FY2022,sex=male,,60,,,,,,,\n"
    ), "{csv}");
    // Markdown: one table per group, the quarter and breakdown rows.
    let md = env.ics(&["track", "--format", "markdown"]).ok().stdout;
    assert!(
        md.contains("## G1 Goal one\n\n| Indicator | Baseline | FY2021 | FY2022 |"),
        "{md}"
    );
    assert!(md.contains("| ↳ sex=male | |  | 60 |"), "{md}");
    assert!(
        md.contains("| ↳ Q2 | | — / — / — – | 10 / 6 / 60.0% ▼ |"),
        "{md}"
    );
}

#[test]
fn node_and_range() {
    let env = demo();
    let track = env
        .ics(&[
            "track",
            "--format",
            "json",
            "--node",
            "MG3",
            "--from",
            "FY2021",
            "--to",
            "2022-03-01",
        ])
        .ok()
        .json();
    let codes: Vec<&str> = track
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["indicator"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "IND-TRADE-GOODS",
            "IND-TRADE-AGFOOD",
            "IND-POVERTY",
            "IND-US-FDI"
        ]
    );
    assert_eq!(track[0]["periods"].as_array().unwrap().len(), 2);
    let before = env.fingerprint();
    env.ics(&["track", "--from", "FY2022", "--to", "FY2020"])
        .fails()
        .stderr_has("error: --from FY2022 comes after --to FY2020")
        .stderr_has("--from FY2020 --to FY2022");
    env.ics(&["track", "--from", "FY2024"])
        .fails()
        .stderr_has("--from FY2024 comes after --to FY2022");
    env.ics(&["track", "--from", "FY2021Q2"])
        .fails()
        .stderr_has("takes a fiscal year, not a quarter")
        .stderr_has("`--from FY2021`");
    env.ics(&["track", "--to", "FY21"])
        .fails()
        .stderr_has("not a period");
    env.ics(&["track", "--node", "MG9"])
        .fails()
        .stderr_has("no goal, objective or DO with code `MG9`");
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn a_strategy_without_start_and_end_needs_the_range() {
    let env = Env::new();
    let fw = env.write(
        "framework.toml",
        &FW.replace("start = \"FY2021\"\nend = \"FY2022\"\n", ""),
    );
    env.ics(&["load", fw.to_str().unwrap()]).ok();
    env.ics(&["track"])
        .fails()
        .stderr_has("the strategy has no `start`")
        .stderr_has("--from FY2022");
    env.ics(&["track", "--from", "FY2021"])
        .fails()
        .stderr_has("the strategy has no `end`")
        .stderr_has("--to");
    let track = env
        .ics(&[
            "track", "--from", "FY2021", "--to", "FY2022", "--format", "json",
        ])
        .ok()
        .json();
    assert_eq!(track[1]["periods"].as_array().unwrap().len(), 2);
}

#[test]
fn demo_table_at_80_and_200_columns() {
    let env = demo();
    for columns in ["80", "200"] {
        let out = env.ics_env(&["track"], &[("COLUMNS", columns)]).ok().stdout;
        let w: usize = columns.parse().unwrap();
        for l in out.lines() {
            let n = unicode_width(l);
            assert!(n <= w, "line of {n} columns at {w}:\n{l}");
        }
        insta::assert_snapshot!(format!("track_demo_table_{columns}"), out);
    }
    // 200 columns hold the five years in one block; 80 split them, each block with the codes.
    let wide = env.ics_env(&["track"], &[("COLUMNS", "200")]).ok().stdout;
    assert!(!wide.contains("(1 of"));
    let narrow = env.ics_env(&["track"], &[("COLUMNS", "80")]).ok().stdout;
    assert!(narrow.contains("(1 of"));
    assert!(narrow.matches("IND-TRADE-GOODS").count() >= 3);
    for year in DEMO_YEARS {
        assert_eq!(narrow.matches(&format!("│ {year}")).count(), 1, "{year}");
    }
}

fn unicode_width(s: &str) -> usize {
    // Every character the table uses is one column wide.
    s.chars().count()
}

#[test]
fn colour_only_when_asked() {
    let env = demo();
    let plain = env.ics(&["track"]).ok().stdout;
    assert!(!plain.contains('\u{1b}'));
    let coloured = env.ics(&["--color", "always", "track"]).ok().stdout;
    assert!(
        coloured.contains("\u{1b}[31m88.2% ▼\u{1b}[0m"),
        "{coloured}"
    );
}

#[test]
fn csv_to_a_file_has_a_bom_and_to_stdout_none() {
    let env = demo();
    let stdout = env.ics(&["track", "--format", "csv"]).ok().stdout;
    assert!(stdout.starts_with("indicator,title,node,"));
    env.ics(&["track", "--format", "csv", "--out", "itt.csv"])
        .ok()
        .stdout_has("Wrote the tracking table FY2018 to FY2022 to `itt.csv`: 12 indicators.");
    let bytes = std::fs::read(env.path("itt.csv")).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBFindicator,title,node,"));
    assert_eq!(&bytes[3..], stdout.as_bytes());
    // JSON and markdown to a file carry no BOM, and replace an earlier table.
    env.ics(&["track", "--format", "json", "--out", "itt.csv"])
        .ok();
    let json = std::fs::read_to_string(env.path("itt.csv")).unwrap();
    assert!(json.starts_with("[\n  {\n    \"indicator\""));
    env.ics(&["track", "--format", "markdown", "--out", "itt.csv"])
        .ok();
    env.ics(&["track", "--out", "itt.csv"]).ok();
    let table = std::fs::read_to_string(env.path("itt.csv")).unwrap();
    assert!(table.starts_with("Indicator tracking table, FY2018 to FY2022"));
    assert!(
        !table.contains("(1 of"),
        "a file is not cut to the terminal"
    );
    // A file that is not a tracking table, and the database, are kept.
    env.write("notes.csv", "mine\n");
    env.ics(&["track", "--format", "csv", "--out", "notes.csv"])
        .fails()
        .stderr_has("notes.csv");
    assert_eq!(
        std::fs::read_to_string(env.path("notes.csv")).unwrap(),
        "mine\n"
    );
    env.ics(&["track", "--out", "ics.db"])
        .fails()
        .stderr_has("is the database this command uses");
}

#[test]
fn hostile_text_is_escaped_in_the_table_and_markdown() {
    // `record` refuses control characters; a note planted in the file (a damaged or older
    // database) must still reach no terminal raw.
    let env = small();
    rusqlite::Connection::open(env.db())
        .unwrap()
        .execute(
            "UPDATE value SET note = ?1 WHERE period = (SELECT period FROM value \
             WHERE note = 'Clinic closed for two weeks')",
            ["bad\u{1b}[2J\u{202e}news"],
        )
        .unwrap();
    let table = env.ics(&["--color", "always", "track"]).ok().stdout;
    assert!(!table.contains("\u{1b}[2J") && !table.contains('\u{202e}'));
    assert!(
        table.contains("↳ FY2022Q2: bad\\u{1b}[2J\\u{202e}news"),
        "{table}"
    );
    let md = env.ics(&["track", "--format", "markdown"]).ok().stdout;
    assert!(!md.contains('\u{1b}'));
    assert!(md.contains(r"bad\\u{1b}\[2J\\u{202e}news"), "{md}");
}
