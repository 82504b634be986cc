//! `ics lint` and the framework fields it and the IATI export read: `[iati]`, `result_type`
//! and `[settings.lint]` load, round-trip through the store and diff, or fail with a location.

use super::{export, import_sample_values, import_values};
use crate::common::{Env, MINI};

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
        "`activity_status` is `ongoing`; use one of `1` (pipeline/identification), `2` (implementation)",
        "`reporting_org_type` is `99`, which is not a code of the IATI OrganisationType codelist; use an IATI OrganisationType code",
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
            "[settings.lint]\nyear-without-target = false\n\n[iati]\nrecipient_country = \"PE\"\nsectors = [{ code = \"15130\" }]\n\n[[goal]]",
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
        "iati.sectors",
        "lint.year-without-target",
        "result_type",
    ] {
        assert!(fields.iter().any(|x| x == f), "{f} not in {fields:?}");
    }
    // And the export uses the stored result type and [iati].
    let (_, xml) = export(&env, "v2.xml");
    assert!(xml.contains("<result type=\"3\">"));
    assert!(xml.contains("<recipient-country code=\"PE\""));
    assert!(xml.contains("<sector vocabulary=\"1\" code=\"15130\"/>"));
}

// ---- ics lint ----------------------------------------------------------------------------

/// The reference-sheet fields `pirs-incomplete` asks for.
const PIRS: &str = "rationale = \"R\"\ncollection_method = \"C\"\nreporting_frequency = \"F\"\n\
     responsible = \"O\"\nbaseline_rationale = \"B\"\ntarget_rationale = \"T\"\n\
     data_quality_limitations = \"L\"\ndqa_date = 2025-06-01";

/// MINI with everything lint asks for.
fn clean_mini() -> String {
    MINI.replace(
        "targets = { FY2020 = 20, FY2021 = 30 }",
        &format!("targets = {{ FY2020 = 20, FY2021 = 30, FY2022 = 40 }}\n    definition = \"People.\"\n    source = \"Reports\"\n{PIRS}"),
    )
    .replace(
        "supports = [\"O1\"]",
        &format!("supports = [\"O1\"]\n\n  [[development_objective.indicator]]\n  code = \"I2\"\n  title = \"Two\"\n  unit = \"people\"\n  direction = \"increase\"\n  definition = \"People.\"\n  source = \"Reports\"\n  baseline = {{ period = \"FY2019\", value = 1 }}\n  targets = {{ FY2020 = 2, FY2021 = 3, FY2022 = 4 }}\n{PIRS}"),
    )
}

#[test]
fn lint_passes_a_complete_strategy_with_exit_0() {
    let env = Env::new();
    let f = env.write("clean.toml", &clean_mini());
    env.ics(&["load", f.to_str().unwrap()]).ok();
    import_values(&env, &[("I1", "FY2020", "", "21", None)]);
    let run = env.ics(&["lint"]).ok();
    assert_eq!(
        run.stdout.trim(),
        "no findings: version `v1` passes 13 lint rules"
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
    import_values(&env, &[("I1", "FY2023", "", "21", None)]);
    let run = env.ics(&["lint"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert!(run.stdout.contains(
        "value-without-target: indicator `I1` has a value recorded for FY2023, which has no target"
    ), "{}", run.stdout);
    // The hints name the file the version was loaded from, not always framework.toml.
    assert!(
        run.stdout
            .contains("  fix: add a target for it to `I1` in clean.toml, or correct"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("add `RULE = false` under `[settings.lint]` in clean.toml and load it again"),
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
            "fix": "add a target for it to `I1` in clean.toml, or correct the value's period (see `ics history I1`)"
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
         year-without-target = false\nobjective-without-indicator = false\npirs-incomplete = false\n\n[[goal]]",
    );
    let f = env.write("quiet.toml", &text);
    env.ics(&["load", f.to_str().unwrap()]).ok();
    let run = env.ics(&["lint"]).ok();
    assert!(run.stdout.contains("passes 8 lint rules (switched off: objective-without-indicator, indicator-missing-definition, indicator-missing-source, year-without-target, pirs-incomplete)"), "{}", run.stdout);
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
    import_sample_values(&env);
    let run = env.ics(&["lint"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!("lint_shipped", run.stdout);
}
