//! `ics export iati` and `ics lint` through the real binary: the exports validate against the
//! IATI 2.03 schema with xmllint, the rules the schema cannot check hold in the output, a bad
//! stored value stops the export before anything is written, the framework fields for IATI and
//! lint load (or fail with a location), and lint's findings, exit codes and switches.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{repo_file, Env, MINI};

/// The IATI schema, next to the repository (`<repo>/../shared/iati/`).
const SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/iati/iati-activities-schema.xsd"
);

/// Validate `file` against the IATI 2.03 schema; a missing xmllint or schema fails loudly.
#[track_caller]
fn validate(file: &Path) {
    assert!(
        Path::new(SCHEMA).exists(),
        "the IATI schema is missing at {SCHEMA}: the repository must sit next to `shared/`"
    );
    let out = Command::new("xmllint")
        .args(["--noout", "--schema", SCHEMA])
        .arg(file)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run xmllint ({e}): install it (Debian package libxml2-utils) to validate the IATI export")
        });
    assert!(
        out.status.success(),
        "{} does not validate against the IATI 2.03 schema:\n{}\n{}",
        file.display(),
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(file).unwrap_or_default()
    );
}

/// Record values straight into the database, as `import-values` would store them: one row per
/// `(indicator, period key, disaggregation, value, note)`.
// TODO: use `ics import-values` once the values branch is merged into main.
fn insert_values(env: &Env, rows: &[(&str, i64, &str, &str, Option<&str>)]) {
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    for (code, period, disagg, value, note) in rows {
        conn.execute(
            "INSERT INTO value (indicator_id, period, disaggregation, value, note, recorded_by, \
             recorded_at) VALUES ((SELECT id FROM indicator WHERE code = ?1), ?2, ?3, ?4, ?5, \
             'tester', '2026-01-15T12:00:00.000000Z')",
            rusqlite::params![code, period, disagg, value, note],
        )
        .unwrap_or_else(|e| panic!("insert {code} {period}: {e}"));
    }
}

/// The shipped sample values (examples/peru-values.csv), stored as `import-values` would.
fn insert_sample_values(env: &Env) {
    let mut reader = csv::Reader::from_path(repo_file("examples/peru-values.csv")).unwrap();
    let rows: Vec<(String, i64, String, Option<String>)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let year: i64 = r[1].trim_start_matches("FY").parse().unwrap();
            (
                r[0].to_string(),
                year * 10,
                r[2].to_string(),
                Some(r[3].to_string()),
            )
        })
        .collect();
    let borrowed: Vec<(&str, i64, &str, &str, Option<&str>)> = rows
        .iter()
        .map(|(c, p, v, n)| (c.as_str(), *p, "", v.as_str(), n.as_deref()))
        .collect();
    insert_values(env, &borrowed);
}

/// Every `(period-start, period-end)` pair of the document, in order.
fn period_dates(xml: &str) -> Vec<(String, String)> {
    let dates = |tag: &str| -> Vec<String> {
        xml.match_indices(&format!("<{tag} iso-date=\""))
            .map(|(i, m)| xml[i + m.len()..i + m.len() + 10].to_string())
            .collect()
    };
    dates("period-start")
        .into_iter()
        .zip(dates("period-end"))
        .collect()
}

/// Every `value="..."` attribute of baseline, target and actual elements.
fn numeric_values(xml: &str) -> Vec<String> {
    let mut out = Vec::new();
    for tag in ["<baseline ", "<target ", "<actual "] {
        for (i, _) in xml.match_indices(tag) {
            let rest = &xml[i..];
            let line = &rest[..rest.find('>').unwrap()];
            let at = line.find(" value=\"").expect("a value attribute") + 8;
            out.push(line[at..at + line[at..].find('"').unwrap()].to_string());
        }
    }
    out
}

/// The rules the schema cannot check: every period starts before it ends, every value is a
/// plain finite decimal.
#[track_caller]
fn assert_ruleset(xml: &str) {
    let periods = period_dates(xml);
    assert!(!periods.is_empty());
    assert_eq!(
        periods.len(),
        xml.matches("<period>").count(),
        "each period has one start and one end"
    );
    for (start, end) in &periods {
        let s = chrono::NaiveDate::parse_from_str(start, "%Y-%m-%d").unwrap();
        let e = chrono::NaiveDate::parse_from_str(end, "%Y-%m-%d").unwrap();
        assert!(s < e, "period {start} .. {end}");
    }
    for v in numeric_values(xml) {
        let n: f64 = v
            .parse()
            .unwrap_or_else(|_| panic!("`{v}` is not a number"));
        assert!(n.is_finite() && !v.contains(['e', 'E']), "`{v}`");
    }
}

fn export(env: &Env, out: &str) -> (PathBuf, String) {
    env.ics(&["export", "iati", "--out", out])
        .ok()
        .stdout_has("IATI 2.03 activity");
    let path = env.path(out);
    let xml = std::fs::read_to_string(&path).unwrap();
    (path, xml)
}

#[test]
fn the_shipped_strategy_with_its_sample_values_exports_valid_iati() {
    let env = Env::new();
    env.load_shipped();
    insert_sample_values(&env);
    let (path, xml) = export(&env, "peru.xml");
    validate(&path);
    assert_ruleset(&xml);
    assert!(xml.contains("<iati-identifier>US-GOV-11-peru-ics</iati-identifier>"));
    assert_eq!(xml.matches("<iati-activity ").count(), 1);
    // Every indicator is exported, each under its node.
    assert_eq!(xml.matches("<indicator ").count(), 12);
    assert!(xml.contains("<narrative>IND-POVERTY: "));
    // Poverty is a percent that should fall.
    let poverty = &xml[xml.find("IND-POVERTY: ").unwrap() - 200..];
    assert!(
        poverty.contains("<indicator measure=\"2\" ascending=\"false\">"),
        "{poverty}"
    );
    // A recorded value with its note as the comment.
    assert!(xml.contains("<actual value=\"580000\">"), "{xml}");
    assert!(
        xml.contains("Approximately 580,000"),
        "notes travel as comments"
    );
}

/// A strategy that uses every feature the export maps.
const FULL: &str = r#"
[strategy]
code = "full"
title = "Every feature & <escaping> \"checked\""
version = "v1"
country = "Peru"
description = "A strategy with quarterly indicators, disaggregations, notes, standard codes, IRs and result types."
approved = 2019-05-01
start = "FY2020"
end = "FY2021"

[iati]
identifier = "US-GOV-11-full-2020"
reporting_org_ref = "US-GOV-11"
reporting_org_type = "10"
reporting_org_name = "U.S. Department of State"
activity_status = "implementation"
default_currency = "usd"
language = "EN"
recipient_country = "PE"

[[iati.participating_org]]
ref = "US-GOV-11"
type = "10"
role = "funding"
name = "U.S. Department of State"

[[iati.participating_org]]
ref = "US-GOV-1"
type = "10"
role = "implementing"
name = "USAID/Peru"

[[goal]]
code = "G1"
title = "Goal"

  [[goal.objective]]
  code = "O1"
  title = "Objective with a quarterly, disaggregated indicator"
  result_type = "outcome"

    [[goal.objective.indicator]]
    code = "I-Q"
    title = "Visa applications"
    unit = "applications"
    direction = "increase"
    frequency = "quarterly"
    standard_code = "PS.1.1-1"
    definition = "Applications processed."
    source = "Consular data"
    baseline = { period = "FY2019Q4", value = 1000 }
    targets = { FY2020Q1 = 1100, FY2020Q2 = 1200, FY2021 = 5000 }
    disaggregations = { sex = ["female", "male"], age = ["<18", "18+"] }

    [[goal.objective.sub_objective]]
    code = "O1.a"
    title = "Sub-objective"
    result_type = "output"

      [[goal.objective.sub_objective.indicator]]
      code = "I-P"
      title = "Share of something"
      unit = "percent"
      direction = "decrease"
      baseline = { period = "FY2019", value = 40.5 }
      targets = { FY2020 = 35, FY2021 = 30 }

[[management_objective]]
code = "M1"
title = "Management objective"
result_type = "other"

  [[management_objective.indicator]]
  code = "I-M"
  title = "Ratio"
  unit = "ratio"
  direction = "decrease"
  targets = { FY2021 = 2 }

[[development_objective]]
code = "D1"
title = "Development objective"
supports = ["O1"]
result_type = "impact"

  [[development_objective.indicator]]
  code = "I-D"
  title = "Households"
  unit = "households"
  direction = "increase"
  standard_code = "EG.3.2-24"
  targets = { FY2020 = 10 }

  [[development_objective.result]]
  code = "IR1.1"
  title = "Intermediate result"

    [[development_objective.result.indicator]]
    code = "I-IR"
    title = "Hectares"
    unit = "hectares"
    direction = "increase"
    baseline = { period = "FY2019", value = 0 }
    targets = { FY2020 = 1e3, FY2021 = 2500.75 }

    [[development_objective.result.sub_result]]
    code = "IR1.1.1"
    title = "Sub-result"

      [[development_objective.result.sub_result.indicator]]
      code = "I-SR"
      title = "Trainings"
      unit = "trainings"
      direction = "increase"

[[theme]]
code = "T1"
title = "Theme"
applies_to = ["G1"]
"#;

fn load_full(env: &Env) {
    let f = env.write("full.toml", FULL);
    env.ics(&["load", f.to_str().unwrap()]).ok();
    insert_values(
        env,
        &[
            (
                "I-Q",
                20201,
                "",
                "1150",
                Some("Q1 note with <markup> & \"quotes\""),
            ),
            ("I-Q", 20201, "age=<18;sex=female", "300", None),
            (
                "I-Q",
                20201,
                "age=18+;sex=male",
                "400",
                Some("disaggregated note"),
            ),
            ("I-Q", 20213, "", "1300.5", None),
            ("I-P", 20200, "", "36.25", Some("Survey year")),
            ("I-IR", 20210, "", "2600", None),
            // A period with a value and no target.
            ("I-SR", 20220, "", "-3", None),
        ],
    );
}

#[test]
fn a_strategy_using_every_feature_exports_valid_iati() {
    let env = Env::new();
    load_full(&env);
    let (path, xml) = export(&env, "full.xml");
    validate(&path);
    assert_ruleset(&xml);
    assert!(xml.contains("<iati-activity xml:lang=\"en\" default-currency=\"USD\">"));
    assert!(xml.contains("<iati-identifier>US-GOV-11-full-2020</iati-identifier>"));
    assert!(xml.contains("<participating-org ref=\"US-GOV-1\" type=\"10\" role=\"4\">"));
    assert!(xml.contains("<activity-status code=\"2\"/>"));
    assert!(xml.contains("<recipient-country code=\"PE\" percentage=\"100\"/>"));
    assert!(xml.contains("Every feature &amp; &lt;escaping&gt; \"checked\""));
    // Results: every node with indicators, typed from `result_type` (default outcome).
    for (code, kind) in [
        ("O1", "2"),
        ("O1.a", "1"),
        ("M1", "9"),
        ("D1", "3"),
        ("IR1.1", "2"),
        ("IR1.1.1", "2"),
    ] {
        let at = xml
            .find(&format!("<narrative>{code}: "))
            .unwrap_or_else(|| panic!("no result {code}"));
        let open = xml[..at].rfind("<result ").unwrap();
        assert!(
            xml[open..].starts_with(&format!("<result type=\"{kind}\">")),
            "{code}"
        );
    }
    assert!(xml.contains("<reference vocabulary=\"3\" code=\"PS.1.1-1\"/>"));
    assert!(xml.contains("<reference vocabulary=\"3\" code=\"EG.3.2-24\"/>"));
    assert!(xml.contains("<baseline year=\"2019\" iso-date=\"2019-09-30\" value=\"1000\"/>"));
    assert!(xml.contains("<baseline year=\"2019\" iso-date=\"2019-09-30\" value=\"40.5\"/>"));
    // Quarter periods with their real dates, targets and disaggregated actuals.
    let flat: String = xml.lines().map(str::trim).collect::<Vec<_>>().join("");
    assert!(
        flat.contains(concat!(
            "<period-start iso-date=\"2019-10-01\"/><period-end iso-date=\"2019-12-31\"/>",
            "<target value=\"1100\"/><actual value=\"1150\"><comment>"
        )),
        "{xml}"
    );
    // The total comes before the disaggregated actuals, each with its dimensions.
    assert!(flat.contains(concat!(
        "<actual value=\"300\"><dimension name=\"age\" value=\"&lt;18\"/>",
        "<dimension name=\"sex\" value=\"female\"/></actual>"
    )));
    assert!(xml.contains("<dimension name=\"age\" value=\"&lt;18\"/>"));
    assert!(xml.contains("<dimension name=\"sex\" value=\"female\"/>"));
    assert!(xml.contains("<narrative>Q1 note with &lt;markup&gt; &amp; \"quotes\"</narrative>"));
    assert!(xml.contains("<narrative>disaggregated note</narrative>"));
    assert!(
        xml.contains("<period-start iso-date=\"2021-04-01\"/>"),
        "FY2021Q3"
    );
    assert!(xml.contains("<target value=\"2500.75\"/>"));
    assert!(xml.contains("<actual value=\"-3\"/>"));
    assert!(xml.contains("<indicator measure=\"2\" ascending=\"false\">"));
}

#[test]
fn a_stored_value_that_is_not_a_number_is_caught_before_writing() {
    let env = Env::new();
    load_full(&env);
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute(
        "UPDATE value SET value = 'twelve' WHERE period = 20201 AND disaggregation = ''",
        [],
    )
    .unwrap();
    drop(conn);
    let before = env.fingerprint();
    env.ics(&["export", "iati", "--out", "bad.xml"])
        .fails()
        .stderr_has("I-Q FY2020Q1: the stored value is `twelve`, which is not a number")
        .stderr_has("nothing was written");
    assert!(!env.path("bad.xml").exists());
    // No temporary file is left behind either.
    let leftovers: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // An earlier export is left as it was.
    env.write("bad.xml", "earlier export");
    env.ics(&["export", "iati", "--out", "bad.xml"]).fails();
    assert_eq!(
        std::fs::read_to_string(env.path("bad.xml")).unwrap(),
        "earlier export"
    );
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn an_infinite_stored_value_is_caught_too() {
    let env = Env::new();
    load_full(&env);
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute("UPDATE value SET value = 9e999 WHERE period = 20200", [])
        .unwrap();
    drop(conn);
    env.ics(&["export", "iati", "--out", "inf.xml"])
        .fails()
        .stderr_has("I-P FY2020: the recorded value is `inf`, which is not a finite number");
    assert!(!env.path("inf.xml").exists());
}

#[test]
fn export_refuses_bad_destinations_before_any_work() {
    let env = Env::new();
    env.load_shipped();
    env.ics(&["export", "iati", "--out", "no/such/folder/x.xml"])
        .fails()
        .stderr_has("the folder `no/such/folder` does not exist");
    std::fs::create_dir(env.path("adir")).unwrap();
    env.ics(&["export", "iati", "--out", "adir"])
        .fails()
        .stderr_has("is a folder");
    env.ics(&["export", "iati", "--out", "x.xml", "--version", "nope"])
        .fails()
        .stderr_has("no version labelled `nope`");
    assert!(!env.path("x.xml").exists());
}

#[test]
fn export_without_a_database_says_how_to_make_one() {
    let env = Env::new();
    env.ics(&["export", "iati", "--out", "x.xml"])
        .fails()
        .stderr_has("no database");
    assert!(!env.path("x.xml").exists());
}

#[test]
fn export_replaces_an_earlier_file_and_reports_what_it_wrote() {
    let env = Env::new();
    let f = env.write("mini.toml", MINI);
    env.ics(&["load", f.to_str().unwrap()]).ok();
    env.write("out.xml", "old");
    let run = env.ics(&["export", "iati", "--out", "out.xml"]).ok();
    assert_eq!(
        run.stdout.trim(),
        "wrote `out.xml`: IATI 2.03 activity `US-GOV-11-mini` from version `v1`, with 1 result, 1 indicator, 2 periods and 0 recorded values"
    );
    let xml = std::fs::read_to_string(env.path("out.xml")).unwrap();
    assert!(xml.starts_with("<?xml"));
    validate(&env.path("out.xml"));
}

// ---- the framework fields for IATI and lint ----------------------------------------------

#[test]
fn bad_iati_and_lint_fields_are_located_load_errors() {
    let env = Env::new();
    let text = format!(
        "{MINI}\n[iati]\nidentifer = \"x\"\nactivity_status = \"ongoing\"\nreporting_org_type = \"99\"\n\
         default_currency = \"dollars\"\n\n[[iati.participating_org]]\nname = \"Partner\"\n\n\
         [settings]\ndeviation_threshold = 10\n\n[settings.lint]\nyear-without-targets = false\n\
         do-supports-nothing = \"no\"\n"
    );
    let f = env.write("bad.toml", &text);
    let run = env.ics(&["load", f.to_str().unwrap()]).fails();
    for needle in [
        "unknown key `identifer` in `[iati]` (did you mean `identifier`?)",
        "`activity_status` is `ongoing`; use one of `1` (pipeline), `2` (implementation)",
        "`reporting_org_type` is `99`; use an IATI OrganisationType code",
        "`default_currency` is `dollars`; write a 3-letter code such as `USD`",
        "a participating organisation needs a `role`",
        "unknown key `year-without-targets` in `[settings.lint]` (lint rules) (did you mean `year-without-target`?)",
        "`do-supports-nothing` must be true (check) or false (do not check), not text",
    ] {
        assert!(run.stderr.contains(needle), "{needle}\n{}", run.stderr);
    }
    // Each problem has its location.
    assert!(run.stderr.contains("bad.toml:"), "{}", run.stderr);
    assert_eq!(env.fingerprint(), "<none>");
}

#[test]
fn a_bad_result_type_is_a_located_load_error() {
    let env = Env::new();
    let text = MINI.replace(
        "title = \"Objective one\"",
        "title = \"Objective one\"\n  result_type = \"outcomes\"",
    );
    let f = env.write("bad.toml", &text);
    env.ics(&["load", f.to_str().unwrap()])
        .fails()
        .stderr_has("bad.toml:16:17:")
        .stderr_has(
            "`result_type` is `outcomes`; it must be one of `output`, `outcome`, `impact`, `other`",
        );
}

#[test]
fn the_new_fields_are_stored_and_compared() {
    let env = Env::new();
    let v1 = env.write("v1.toml", MINI);
    let text = MINI
        .replace("version = \"v1\"", "version = \"v2\"")
        .replace(
            "title = \"Objective one\"",
            "title = \"Objective one\"\n  result_type = \"impact\"",
        )
        .replace(
            "[[goal]]",
            "[settings.lint]\nyear-without-target = false\n\n[iati]\nrecipient_country = \"PE\"\n\n[[goal]]",
        );
    let v2 = env.write("v2.toml", &text);
    env.ics(&["load", v1.to_str().unwrap()]).ok();
    env.ics(&["load", v2.to_str().unwrap()]).ok();
    // The stored version is the file: diffing them finds nothing.
    let same = env.ics(&["diff", "@latest", v2.to_str().unwrap(), "--format", "json"]);
    assert_eq!(same.code, 0, "{}{}", same.stdout, same.stderr);
    let run = env.ics(&["diff", "@previous", "@latest", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let fields: Vec<String> = run.json()["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap_or("").to_string())
        .collect();
    for f in [
        "iati.recipient_country",
        "lint.year-without-target",
        "result_type",
    ] {
        assert!(fields.iter().any(|x| x == f), "{f} not in {fields:?}");
    }
    // And the export uses the stored result type and [iati].
    let (_, xml) = export(&env, "v2.xml");
    assert!(xml.contains("<result type=\"3\">"));
    assert!(xml.contains("<recipient-country code=\"PE\""));
}

// ---- ics lint ----------------------------------------------------------------------------

/// MINI with everything lint asks for.
fn clean_mini() -> String {
    MINI.replace(
        "targets = { FY2020 = 20, FY2021 = 30 }",
        "targets = { FY2020 = 20, FY2021 = 30, FY2022 = 40 }\n    definition = \"People.\"\n    source = \"Reports\"",
    )
    .replace(
        "supports = [\"O1\"]",
        "supports = [\"O1\"]\n\n  [[development_objective.indicator]]\n  code = \"I2\"\n  title = \"Two\"\n  unit = \"people\"\n  direction = \"increase\"\n  definition = \"People.\"\n  source = \"Reports\"\n  baseline = { period = \"FY2019\", value = 1 }\n  targets = { FY2020 = 2, FY2021 = 3, FY2022 = 4 }",
    )
}

#[test]
fn lint_passes_a_complete_strategy_with_exit_0() {
    let env = Env::new();
    let f = env.write("clean.toml", &clean_mini());
    env.ics(&["load", f.to_str().unwrap()]).ok();
    insert_values(&env, &[("I1", 20200, "", "21", None)]);
    let run = env.ics(&["lint"]).ok();
    assert_eq!(
        run.stdout.trim(),
        "no findings: version `v1` passes 11 lint rules"
    );
    let json = env.ics(&["lint", "--format", "json"]).ok().json();
    assert_eq!(json, serde_json::json!([]));
}

#[test]
fn lint_findings_exit_1_in_text_and_json() {
    let env = Env::new();
    let f = env.write("clean.toml", &clean_mini());
    env.ics(&["load", f.to_str().unwrap()]).ok();
    // A value for FY2023, which has no target.
    insert_values(&env, &[("I1", 20230, "", "21", None)]);
    let run = env.ics(&["lint"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert!(run.stdout.contains(
        "value-without-target: indicator `I1` has a value recorded for FY2023, which has no target"
    ), "{}", run.stdout);
    assert!(
        run.stdout.contains("  fix: add a target for it to `I1`"),
        "{}",
        run.stdout
    );
    let run = env.ics(&["lint", "--format", "json"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.json(),
        serde_json::json!([{
            "rule": "value-without-target",
            "code": "I1",
            "kind": "indicator",
            "message": "indicator `I1` has a value recorded for FY2023, which has no target",
            "fix": "add a target for it to `I1` in framework.toml, or correct the value's period (see `ics history I1`)"
        }])
    );
}

#[test]
fn a_rule_switched_off_in_the_framework_file_is_silent() {
    let env = Env::new();
    let f = env.write("mini.toml", MINI);
    env.ics(&["load", f.to_str().unwrap()]).ok();
    let before = env.ics(&["lint", "--format", "json"]).json();
    let rules: Vec<&str> = before
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"indicator-missing-source"), "{rules:?}");
    let text = MINI
        .replace("version = \"v1\"", "version = \"v2\"")
        .replace(
        "[[goal]]",
        "[settings.lint]\nindicator-missing-source = false\nindicator-missing-definition = false\n\
         year-without-target = false\nobjective-without-indicator = false\n\n[[goal]]",
    );
    let f = env.write("quiet.toml", &text);
    env.ics(&["load", f.to_str().unwrap()]).ok();
    let run = env.ics(&["lint"]).ok();
    assert!(run.stdout.contains("passes 7 lint rules (switched off: objective-without-indicator, indicator-missing-definition, indicator-missing-source, year-without-target)"), "{}", run.stdout);
    // The older version still has its findings.
    let run = env.ics(&["lint", "--version", "v1"]);
    assert_eq!(run.code, 1);
}

#[test]
fn lint_errors_exit_2() {
    let env = Env::new();
    env.ics(&["lint"]).fails().stderr_has("no database");
    env.load_shipped();
    env.ics(&["lint", "--version", "nope"])
        .fails()
        .stderr_has("no version labelled `nope`");
}

#[test]
fn lint_of_the_shipped_strategy_with_its_sample_values() {
    let env = Env::new();
    env.load_shipped();
    insert_sample_values(&env);
    let run = env.ics(&["lint"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!("lint_shipped", run.stdout);
}
