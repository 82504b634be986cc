//! Unit tests of the lint rules: each rule on a framework that triggers it and on one that
//! does not, and its switch under `[settings.lint]`.

use super::*;
use crate::framework::parse_str;

/// A framework that passes every rule.
const CLEAN: &str = r#"
[strategy]
code = "clean"
title = "Clean strategy"
version = "v1"
start = "FY2020"
end = "FY2021"

[[goal]]
code = "G1"
title = "Goal"

  [[goal.objective]]
  code = "O1"
  title = "Objective"

    [[goal.objective.sub_objective]]
    code = "O1.a"
    title = "Sub-objective"

      [[goal.objective.sub_objective.indicator]]
      code = "I1"
      title = "People reached"
      unit = "people"
      direction = "increase"
      definition = "People reached by the programme in the fiscal year."
      source = "Implementing partner reports"
      rationale = "Shows progress."
      collection_method = "Partner reports, summed."
      reporting_frequency = "Annually, in November."
      responsible = "Program office"
      baseline_rationale = "The year before the strategy."
      target_rationale = "Past trend."
      data_quality_limitations = "None known."
      dqa_date = 2025-06-01
      baseline = { period = "FY2019", value = 10 }
      targets = { FY2020 = 20, FY2021 = 30 }

[[management_objective]]
code = "M1"
title = "Management objective"

  [[management_objective.indicator]]
  code = "I2"
  title = "Service ratio"
  unit = "ratio"
  direction = "decrease"
  frequency = "quarterly"
  definition = "Customers per provider."
  source = "Management data"
  rationale = "Shows progress."
  collection_method = "Partner reports, summed."
  reporting_frequency = "Annually, in November."
  responsible = "Program office"
  baseline_rationale = "The year before the strategy."
  target_rationale = "Past trend."
  data_quality_limitations = "None known."
  dqa_date = 2025-06-01
  baseline = { period = "FY2019Q4", value = 50 }
  targets = { FY2020Q1 = 48, FY2020Q2 = 47, FY2021 = 40 }

[[development_objective]]
code = "D1"
title = "Development objective"
supports = ["O1"]

  [[development_objective.result]]
  code = "IR1"
  title = "Intermediate result"

    [[development_objective.result.indicator]]
    code = "I3"
    title = "Hectares"
    unit = "hectares"
    direction = "increase"
    definition = "Hectares under improved management."
    source = "Partner GIS"
    rationale = "Shows progress."
    collection_method = "Partner reports, summed."
    reporting_frequency = "Annually, in November."
    responsible = "Program office"
    baseline_rationale = "The year before the strategy."
    target_rationale = "Past trend."
    data_quality_limitations = "None known."
    dqa_date = 2025-06-01
    baseline = { period = "FY2019", value = 0 }
    targets = { FY2020 = 100, FY2021 = 200 }

[[theme]]
code = "T1"
title = "Theme"
applies_to = ["G1"]
"#;

fn fw(text: &str) -> Framework {
    parse_str(text, "test.toml").unwrap_or_else(|e| panic!("{e:?}"))
}

fn rules_found(report: &Report) -> Vec<(&'static str, String)> {
    report
        .findings
        .iter()
        .map(|f| (f.rule.name(), f.code.clone()))
        .collect()
}

fn p(s: &str) -> FiscalPeriod {
    s.parse().unwrap()
}

/// The date the tests take as today: 2026-01-15, in FY2026.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 15).unwrap()
}

/// Lint `text` with the given values, and the same text with `rule = false`.
fn with_and_without(
    text: &str,
    values: &[(String, FiscalPeriod)],
    rule: Rule,
    today: NaiveDate,
) -> (Report, Report) {
    let on = lint(&fw(text), values, "framework.toml", today);
    let mut off_fw = fw(text);
    off_fw.settings.lint.insert(rule.name().to_string(), false);
    let off = lint(&off_fw, values, "framework.toml", today);
    (on, off)
}

/// `text` triggers exactly `rule` for `code`, and switching the rule off silences it.
#[track_caller]
fn triggers(text: &str, values: &[(String, FiscalPeriod)], rule: Rule, code: &str) -> Finding {
    triggers_at(text, values, rule, code, today())
}

/// [`triggers`] with `today` taken as the given date.
#[track_caller]
fn triggers_at(
    text: &str,
    values: &[(String, FiscalPeriod)],
    rule: Rule,
    code: &str,
    today: NaiveDate,
) -> Finding {
    let (on, off) = with_and_without(text, values, rule, today);
    assert_eq!(
        rules_found(&on),
        vec![(rule.name(), code.to_string())],
        "{:#?}",
        on.findings
    );
    assert!(off.findings.is_empty(), "{:#?}", off.findings);
    assert_eq!(off.switched_off, vec![rule]);
    let f = on.findings[0].clone();
    assert!(!f.message.is_empty() && !f.fix.is_empty() && !f.fix.contains('\n'));
    f
}

#[test]
fn the_clean_framework_passes_every_rule() {
    let values = [
        ("I1".to_string(), p("FY2020")),
        ("I2".to_string(), p("FY2020Q1")),
        // A quarter value is covered by its fiscal year's target.
        ("I2".to_string(), p("FY2021Q3")),
        // Values of indicators no longer in the framework are not lint's concern.
        ("OLD".to_string(), p("FY2030")),
    ];
    let report = lint(&fw(CLEAN), &values, "framework.toml", today());
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert!(report.switched_off.is_empty());
}

#[test]
fn rule_names_are_stable_kebab_case_and_parse_back() {
    for rule in Rule::ALL {
        let name = rule.name();
        assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
        assert_eq!(Rule::parse(name), Some(rule));
    }
    assert_eq!(Rule::names().len(), Rule::ALL.len());
    assert_eq!(Rule::parse("no-such-rule"), None);
    // Names come from the framework's list by position: the order of ALL is the order of
    // the enum, and the first and last names are pinned.
    for (i, rule) in Rule::ALL.into_iter().enumerate() {
        assert_eq!(rule as usize, i);
    }
    assert_eq!(
        Rule::ObjectiveWithoutIndicator.name(),
        "objective-without-indicator"
    );
    assert_eq!(Rule::DqaOverdue.name(), "dqa-overdue");
}

#[test]
fn objective_without_indicator() {
    let text = CLEAN.replace(
        "[[management_objective]]\ncode = \"M1\"",
        "[[goal.objective]]\ncode = \"O2\"\ntitle = \"Unmeasured\"\n\n[[management_objective]]\ncode = \"M1\"",
    );
    let f = triggers(&text, &[], Rule::ObjectiveWithoutIndicator, "O2");
    assert_eq!(f.kind, "objective");
    assert!(
        f.message.contains("Mission Objective `O2`"),
        "{}",
        f.message
    );
    assert!(f.fix.contains("[[goal.objective.indicator]]"), "{}", f.fix);
}

#[test]
fn objective_without_indicator_covers_dos_irs_and_management_objectives() {
    let text = format!(
        "{CLEAN}\n[[management_objective]]\ncode = \"M2\"\ntitle = \"M\"\n\n\
         [[development_objective]]\ncode = \"D2\"\ntitle = \"D\"\nsupports = [\"O1\"]\n\n\
         [[development_objective.result]]\ncode = \"IR2\"\ntitle = \"R\"\n"
    );
    let report = lint(&fw(&text), &[], "framework.toml", today());
    let codes: Vec<String> = ["M2", "D2", "IR2"].map(String::from).to_vec();
    assert_eq!(
        rules_found(&report),
        codes
            .into_iter()
            .map(|c| ("objective-without-indicator", c))
            .collect::<Vec<_>>()
    );
    let kinds: Vec<&str> = report.findings.iter().map(|f| f.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["management_objective", "development_objective", "result"]
    );
    assert!(report.findings[2]
        .fix
        .contains("[[development_objective.result.indicator]]"));
}

#[test]
fn an_objective_measured_through_its_sub_objective_passes() {
    // O1 has no indicator of its own, only through O1.a: no finding (the clean framework).
    let f = fw(CLEAN);
    assert!(f.node("O1").unwrap().indicators.is_empty());
    assert!(lint(&f, &[], "framework.toml", today()).findings.is_empty());
}

#[test]
fn indicator_missing_definition() {
    let text = CLEAN.replace(
        "definition = \"Hectares under improved management.\"\n",
        "definition = \"  \"\n",
    );
    let f = triggers(&text, &[], Rule::IndicatorMissingDefinition, "I3");
    assert_eq!(f.kind, "indicator");
}

#[test]
fn indicator_missing_unit() {
    let text = CLEAN.replace("unit = \"hectares\"", "unit = \"TBD\"");
    let f = triggers(&text, &[], Rule::IndicatorMissingUnit, "I3");
    assert!(f.message.contains("TBD"), "{}", f.message);
    // A real unit that merely looks short is fine.
    let text = CLEAN.replace("unit = \"hectares\"", "unit = \"ha\"");
    assert!(lint(&fw(&text), &[], "framework.toml", today())
        .findings
        .is_empty());
}

#[test]
fn indicator_missing_source() {
    let text = CLEAN.replace("source = \"Partner GIS\"\n", "");
    triggers(&text, &[], Rule::IndicatorMissingSource, "I3");
}

#[test]
fn indicator_missing_baseline() {
    let text = CLEAN.replace("baseline = { period = \"FY2019\", value = 0 }\n", "");
    let f = triggers(&text, &[], Rule::IndicatorMissingBaseline, "I3");
    // The example period is the year before the strategy starts.
    assert!(f.fix.contains("FY2019"), "{}", f.fix);
}

#[test]
fn strategy_without_period() {
    let text = CLEAN.replace("start = \"FY2020\"\nend = \"FY2021\"\n", "");
    let f = triggers(&text, &[], Rule::StrategyWithoutPeriod, "clean");
    assert_eq!(f.kind, "strategy");
}

#[test]
fn year_without_target() {
    let text = CLEAN.replace(
        "targets = { FY2020 = 100, FY2021 = 200 }",
        "targets = { FY2020 = 100 }",
    );
    let f = triggers(&text, &[], Rule::YearWithoutTarget, "I3");
    assert!(f.message.contains("FY2021"), "{}", f.message);
    // Listing several years reads as a sentence.
    let text = CLEAN
        .replace("end = \"FY2021\"", "end = \"FY2023\"")
        .replace("FY2021 = 30", "FY2021 = 30, FY2022 = 1, FY2023 = 1")
        .replace("FY2021 = 40", "FY2021 = 40, FY2022 = 1, FY2023 = 1")
        .replace(
            "targets = { FY2020 = 100, FY2021 = 200 }",
            "targets = { FY2020 = 100 }",
        );
    let f = triggers(&text, &[], Rule::YearWithoutTarget, "I3");
    assert!(
        f.message.ends_with("FY2021, FY2022 and FY2023"),
        "{}",
        f.message
    );
}

#[test]
fn a_year_with_only_quarter_targets_has_a_target() {
    // I2 has quarter targets only for FY2020: the year counts as targeted.
    let f = fw(CLEAN);
    let i2 = f.indicator("I2").unwrap().1;
    assert!(!i2.targets.contains_key(&p("FY2020")));
    assert!(lint(&f, &[], "framework.toml", today()).findings.is_empty());
}

#[test]
fn target_outside_period() {
    let text = CLEAN.replace(
        "targets = { FY2020 = 100, FY2021 = 200 }",
        "targets = { FY2020 = 100, FY2021 = 200, FY2024 = 300 }",
    );
    let f = triggers(&text, &[], Rule::TargetOutsidePeriod, "I3");
    assert!(f.message.contains("FY2024"), "{}", f.message);
    assert!(f.message.contains("FY2020 to FY2021"), "{}", f.message);
}

#[test]
fn do_supports_nothing() {
    let text = CLEAN.replace("supports = [\"O1\"]", "supports = []");
    let f = triggers(&text, &[], Rule::DoSupportsNothing, "D1");
    assert_eq!(f.kind, "development_objective");
}

#[test]
fn theme_applies_to_nothing() {
    let text = CLEAN.replace("applies_to = [\"G1\"]\n", "");
    let f = triggers(&text, &[], Rule::ThemeAppliesToNothing, "T1");
    assert_eq!(f.kind, "theme");
}

#[test]
fn value_without_target() {
    let values = [
        ("I1".to_string(), p("FY2020")),
        ("I1".to_string(), p("FY2019")),
        ("I1".to_string(), p("FY2019")),
    ];
    let f = triggers(CLEAN, &values, Rule::ValueWithoutTarget, "I1");
    assert!(
        f.message.contains("for FY2019, which has no target"),
        "{}",
        f.message
    );
    // A quarter value whose quarter and year have no target.
    let values = [("I2".to_string(), p("FY2020Q3"))];
    let f = triggers(CLEAN, &values, Rule::ValueWithoutTarget, "I2");
    assert!(f.message.contains("FY2020Q3"), "{}", f.message);
}

#[test]
fn findings_come_in_rule_order_then_file_order() {
    let text = CLEAN
        .replace("source = \"Partner GIS\"\n", "")
        .replace("source = \"Implementing partner reports\"\n", "")
        .replace("supports = [\"O1\"]", "supports = []");
    let report = lint(&fw(&text), &[], "framework.toml", today());
    assert_eq!(
        rules_found(&report),
        vec![
            ("indicator-missing-source", "I1".to_string()),
            ("indicator-missing-source", "I3".to_string()),
            ("do-supports-nothing", "D1".to_string()),
        ]
    );
}

#[test]
fn a_rule_switched_on_explicitly_still_runs() {
    let text = CLEAN
        .replace("supports = [\"O1\"]", "supports = []")
        .replace(
            "[[goal]]",
            "[settings.lint]\ndo-supports-nothing = true\nyear-without-target = false\n\n[[goal]]",
        );
    let report = lint(&fw(&text), &[], "framework.toml", today());
    assert_eq!(
        rules_found(&report),
        vec![("do-supports-nothing", "D1".to_string())]
    );
    assert_eq!(report.switched_off, vec![Rule::YearWithoutTarget]);
}

#[test]
fn the_json_shape_is_the_contract() {
    let text = CLEAN.replace("supports = [\"O1\"]", "supports = []");
    let report = lint(&fw(&text), &[], "framework.toml", today());
    let json = serde_json::to_value(&report.findings).unwrap();
    let keys: Vec<&str> = json[0]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(sorted, ["code", "fix", "kind", "message", "rule"]);
    assert_eq!(json[0]["rule"], "do-supports-nothing");
}

#[test]
fn a_parent_cycle_neither_loops_nor_overflows() {
    // A damaged database can hand lint nodes that are each other's parents; lint must end.
    let mut f = fw(CLEAN_FOR_CYCLE);
    let n = f.nodes.len();
    for i in 0..n {
        f.nodes[i].indicators.clear();
        f.nodes[i].parent = Some(f.nodes[(i + 1) % n].code.clone());
    }
    let report = lint(&f, &[], "framework.toml", today());
    assert!(report
        .findings
        .iter()
        .any(|x| x.rule == Rule::ObjectiveWithoutIndicator));
}

const CLEAN_FOR_CYCLE: &str = r#"
[strategy]
code = "c"
title = "Cycle"
version = "v1"

[[goal]]
code = "G1"
title = "Goal"

  [[goal.objective]]
  code = "O1"
  title = "Objective"
"#;

#[test]
fn pirs_incomplete_lists_the_missing_fields() {
    // Only I3 (indented by four) loses fields.
    let text = CLEAN
        .replace("\n    rationale = \"Shows progress.\"", "")
        .replace("\n    dqa_date = 2025-06-01", "")
        .replace(
            "\n    responsible = \"Program office\"",
            "\n    responsible = \" \"",
        );
    let f = triggers(&text, &[], Rule::PirsIncomplete, "I3");
    assert_eq!(f.kind, "indicator");
    assert_eq!(
        f.message,
        "the reference sheet (PIRS) of indicator `I3` does not state `rationale`, `responsible` and `dqa_date`"
    );
    assert!(
        f.fix.contains("add them to `I3` in framework.toml"),
        "{}",
        f.fix
    );
    assert!(f.fix.contains("`ics pirs I3`"), "{}", f.fix);
    // One field: "it".
    let text = CLEAN.replace("\n    dqa_date = 2025-06-01", "");
    let f = triggers(&text, &[], Rule::PirsIncomplete, "I3");
    assert!(
        f.message.ends_with("does not state `dqa_date`"),
        "{}",
        f.message
    );
    assert!(f.fix.starts_with("add it to `I3`"), "{}", f.fix);
}

#[test]
fn dqa_overdue_needs_recent_values_and_an_old_or_missing_dqa() {
    // Today 2022-01-15 is in FY2022: values in FY2020-FY2022 make a DQA due, and one before
    // 2019-01-15 is more than three years old.
    let day = NaiveDate::from_ymd_opt(2022, 1, 15).unwrap();
    let text = CLEAN.replace("\n    dqa_date = 2025-06-01", "\n    dqa_date = 2019-01-14");
    let values = [
        ("I3".to_string(), p("FY2020")),
        ("I3".to_string(), p("FY2021Q2")),
    ];
    let f = triggers_at(&text, &values, Rule::DqaOverdue, "I3", day);
    assert_eq!(
        f.message,
        "indicator `I3` has values for FY2020 and FY2021 but its last Data Quality Assessment was on 2019-01-14, more than 3 years ago"
    );
    assert!(f.fix.contains("`dqa_date = 2022-01-15`"), "{}", f.fix);
    // Exactly three years old is still current.
    let text = CLEAN.replace("\n    dqa_date = 2025-06-01", "\n    dqa_date = 2019-01-15");
    assert!(lint(&fw(&text), &values, "framework.toml", day)
        .findings
        .is_empty());
    // No DQA at all: the finding says so (the PIRS is incomplete too; that rule is off here).
    let text = CLEAN.replace("\n    dqa_date = 2025-06-01", "").replace(
        "[[goal]]",
        "[settings.lint]\npirs-incomplete = false\n\n[[goal]]",
    );
    let report = lint(&fw(&text), &values, "framework.toml", day);
    assert_eq!(rules_found(&report), [("dqa-overdue", "I3".to_string())]);
    let f = &report.findings[0];
    assert!(
        f.message
            .ends_with("but no Data Quality Assessment on record"),
        "{}",
        f.message
    );
    // The same values seen from two years later (FY2024-FY2026) are old: no DQA is due.
    assert!(lint(&fw(&text), &values, "framework.toml", today())
        .findings
        .is_empty());
    // The first day of FY2023 (2022-10-01) still counts FY2021, not FY2020.
    let later = NaiveDate::from_ymd_opt(2022, 10, 1).unwrap();
    let only_2020 = [("I3".to_string(), p("FY2020"))];
    assert!(lint(&fw(&text), &only_2020, "framework.toml", later)
        .findings
        .is_empty());
    assert_eq!(
        rules_found(&lint(&fw(&text), &only_2020, "framework.toml", day)),
        [("dqa-overdue", "I3".to_string())]
    );
    // A recent DQA clears it.
    assert!(lint(&fw(CLEAN), &values, "framework.toml", day)
        .findings
        .is_empty());
}

/// Issue 15: the fix for a missing period names years the strategy itself gives (its targets
/// and values), never a fixed pair.
#[test]
fn strategy_without_period_suggests_the_years_of_its_targets_and_values() {
    let text = CLEAN.replace("start = \"FY2020\"\nend = \"FY2021\"\n", "");
    let values = [("I1".to_string(), p("FY2022Q2"))];
    let on = lint(&fw(&text), &values, "framework.toml", today());
    let f = on
        .findings
        .iter()
        .find(|f| f.rule == Rule::StrategyWithoutPeriod)
        .unwrap();
    assert!(
        f.fix.contains("`start = \"FY2020\"`, `end = \"FY2022\"`"),
        "{}",
        f.fix
    );
    assert!(
        !f.fix.contains("FY2019") && !f.fix.contains("FY2023"),
        "{}",
        f.fix
    );
}

#[test]
fn strategy_without_period_suggests_its_approval_year_or_no_year() {
    // No targets and no values: the year of approval is all the strategy says.
    let bare = "[strategy]\ncode = \"s\"\ntitle = \"S\"\nversion = \"1\"\napproved = 2018-08-08\n\n[[goal]]\ncode = \"G1\"\ntitle = \"G\"\n";
    let report = lint(&fw(bare), &[], "framework.toml", today());
    let f = report
        .findings
        .iter()
        .find(|f| f.rule == Rule::StrategyWithoutPeriod)
        .unwrap();
    assert!(f.fix.contains("approved in FY2018"), "{}", f.fix);
    assert!(f.fix.contains("`start = \"FY2018\"`"), "{}", f.fix);
    // Nothing at all: no year is suggested.
    let none = bare.replace("approved = 2018-08-08\n", "");
    let report = lint(&fw(&none), &[], "framework.toml", today());
    let f = report
        .findings
        .iter()
        .find(|f| f.rule == Rule::StrategyWithoutPeriod)
        .unwrap();
    assert!(!f.fix.contains("FY20"), "{}", f.fix);
    assert!(f.fix.contains("`start` and `end`"), "{}", f.fix);
}

/// Issue 15: an objective a measured DO or IR supports is measured through it, whichever side
/// the link is written on.
#[test]
fn an_objective_supported_by_a_measured_do_or_ir_passes() {
    let with = |objective: &str| {
        CLEAN.replace(
            "[[management_objective]]\ncode = \"M1\"",
            &format!("{objective}\n[[management_objective]]\ncode = \"M1\""),
        )
    };
    // Supported by IR1 (which has I3), written on the objective.
    let text =
        with("[[goal.objective]]\ncode = \"O2\"\ntitle = \"Linked\"\nsupported_by = [\"IR1\"]\n");
    assert!(lint(&fw(&text), &[], "framework.toml", today())
        .findings
        .is_empty());
    // Through a sub-objective that D1 supports.
    let text = with("[[goal.objective]]\ncode = \"O3\"\ntitle = \"Linked below\"\n\n[[goal.objective.sub_objective]]\ncode = \"O3.a\"\ntitle = \"Sub\"\nsupported_by = [\"D1\"]\n");
    assert!(lint(&fw(&text), &[], "framework.toml", today())
        .findings
        .is_empty());
}

#[test]
fn an_objective_supported_only_by_an_unmeasured_do_still_fires() {
    let text = format!(
        "{}\n[[development_objective]]\ncode = \"D2\"\ntitle = \"Unmeasured DO\"\nsupports = [\"O2\"]\n",
        CLEAN.replace(
            "[[management_objective]]\ncode = \"M1\"",
            "[[goal.objective]]\ncode = \"O2\"\ntitle = \"Unmeasured\"\n\n[[management_objective]]\ncode = \"M1\"",
        )
    );
    let report = lint(&fw(&text), &[], "framework.toml", today());
    assert_eq!(
        rules_found(&report),
        [
            ("objective-without-indicator", "O2".to_string()),
            ("objective-without-indicator", "D2".to_string()),
        ]
    );
}

#[test]
fn a_do_whose_result_supports_an_objective_supports_something() {
    let text = CLEAN.replace("supports = [\"O1\"]\n", "").replace(
        "code = \"IR1\"\n  title = \"Intermediate result\"\n",
        "code = \"IR1\"\n  title = \"Intermediate result\"\n  supports = [\"O1\"]\n",
    );
    assert!(fw(&text).node("D1").unwrap().supports.is_empty());
    assert!(lint(&fw(&text), &[], "framework.toml", today())
        .findings
        .is_empty());
    // And written from the objective's side.
    let text = CLEAN.replace("supports = [\"O1\"]\n", "").replace(
        "code = \"O1\"\n  title = \"Objective\"\n",
        "code = \"O1\"\n  title = \"Objective\"\n  supported_by = [\"D1\"]\n",
    );
    assert_eq!(fw(&text).node("D1").unwrap().supports, ["O1"]);
    assert!(lint(&fw(&text), &[], "framework.toml", today())
        .findings
        .is_empty());
}
