//! `ics export iati`: schema-valid exports of the shipped and a full-featured strategy, and the
//! export stopping, with nothing written, on bad stored values or a bad destination.

use super::{assert_ruleset, export, import_sample_values, import_values, validate};
use crate::common::{Env, MINI};

#[test]
fn the_shipped_strategy_with_its_sample_values_exports_valid_iati() {
    let env = Env::new();
    env.load_shipped();
    import_sample_values(&env);
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

/// The least `[iati]` table an export needs, appended to MINI.
const MINI_IATI: &str = "\n[iati]\nrecipient_country = \"PE\"\nsectors = [{ code = \"15130\" }]\n";

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
sectors = [
  { vocabulary = "1", code = "15130", percentage = 33.3 },
  { code = "15210", percentage = 33.3 },
  { vocabulary = "1", code = "74020", percentage = 33.4 },
  { vocabulary = "2", code = "151", percentage = 70 },
  { vocabulary = "2", code = "740", percentage = 30 },
  { vocabulary = "99", code = "ICS-MG2", name = "Mission Goal 2 & <TCOs>" },
]

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
    import_values(
        env,
        &[
            (
                "I-Q",
                "FY2020Q1",
                "",
                "1150",
                Some("Q1 note with <markup> & \"quotes\""),
            ),
            ("I-Q", "FY2020Q1", "age=<18;sex=female", "300", None),
            (
                "I-Q",
                "FY2020Q1",
                "age=18+;sex=male",
                "400",
                Some("disaggregated note"),
            ),
            ("I-Q", "FY2021Q3", "", "1300.5", None),
            ("I-P", "FY2020", "", "36.25", Some("Survey year")),
            ("I-IR", "FY2021", "", "2600", None),
            // A period with a value and no target.
            ("I-SR", "FY2022", "", "-3", None),
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
    let flat: String = xml.lines().map(str::trim).collect::<Vec<_>>().join("");
    assert!(
        flat.contains(concat!(
            "<recipient-country code=\"PE\" percentage=\"100\"/>",
            "<sector vocabulary=\"1\" code=\"15130\" percentage=\"33.3\"/>",
            "<sector vocabulary=\"1\" code=\"15210\" percentage=\"33.3\"/>",
            "<sector vocabulary=\"1\" code=\"74020\" percentage=\"33.4\"/>",
            "<sector vocabulary=\"2\" code=\"151\" percentage=\"70\"/>",
            "<sector vocabulary=\"2\" code=\"740\" percentage=\"30\"/>",
            "<sector vocabulary=\"99\" code=\"ICS-MG2\"><narrative>Mission Goal 2 &amp; &lt;TCOs&gt;</narrative></sector>",
            "<result "
        )),
        "{xml}"
    );
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
    let earlier = "<?xml version=\"1.0\"?>\n<!-- written by ics 0.1.0 -->\n<iati-activities/>\n";
    env.write("bad.xml", earlier);
    env.ics(&["export", "iati", "--out", "bad.xml"])
        .fails()
        .stderr_has("which is not a number");
    assert_eq!(
        std::fs::read_to_string(env.path("bad.xml")).unwrap(),
        earlier
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
    let f = env.write("mini.toml", &format!("{MINI}{MINI_IATI}"));
    env.ics(&["load", f.to_str().unwrap()]).ok();
    env.write(
        "out.xml",
        "<?xml version=\"1.0\"?>\n<!-- written by ics 0.1.0 -->\n<iati-activities/>\n",
    );
    let run = env.ics(&["export", "iati", "--out", "out.xml"]).ok();
    assert_eq!(
        run.stdout.trim(),
        "wrote `out.xml`: IATI 2.03 activity `US-GOV-11-mini` from version `v1`, with 1 result, 1 indicator, 2 periods and 0 recorded values"
    );
    let xml = std::fs::read_to_string(env.path("out.xml")).unwrap();
    assert!(xml.starts_with("<?xml"));
    validate(&env.path("out.xml"));
}

#[test]
fn the_shipped_sectors_are_written_and_add_up_to_100() {
    let env = Env::new();
    env.load_shipped();
    let (_, xml) = export(&env, "peru.xml");
    assert!(xml.contains("<recipient-country code=\"PE\" percentage=\"100\"/>"));
    let sectors: Vec<&str> = xml
        .lines()
        .filter(|l| l.trim_start().starts_with("<sector "))
        .collect();
    assert_eq!(sectors.len(), 9, "{sectors:#?}");
    assert!(sectors.iter().all(|l| l.contains("vocabulary=\"1\"")));
    let sum: f64 = sectors
        .iter()
        .map(|l| {
            let at = l.find("percentage=\"").unwrap() + 12;
            l[at..at + l[at..].find('"').unwrap()]
                .parse::<f64>()
                .unwrap()
        })
        .sum();
    assert!((sum - 100.0).abs() < 1e-9, "{sum}");
    // The period FY2018-FY2022 ended on 2022-09-30: the activity is finalising.
    assert!(xml.contains("<activity-status code=\"3\"/>"));
}

#[test]
fn a_framework_without_sectors_is_refused_with_a_hint() {
    let env = Env::new();
    let f = env.write("mini.toml", MINI);
    env.ics(&["load", f.to_str().unwrap()]).ok();
    let before = env.fingerprint();
    let run = env.ics(&["export", "iati", "--out", "x.xml"]).fails();
    assert_eq!(
        run.stderr.lines().collect::<Vec<_>>(),
        [
            "error: the IATI export needs at least one sector (IATI rule 6.2.2), and the framework's `[iati]` table names none",
            "help: add `sectors = [{ vocabulary = \"1\", code = \"15130\", percentage = 100 }]` (OECD DAC 5-digit codes; percentages of one vocabulary add up to 100) to `[iati]` in framework.toml and load it again",
        ],
        "{}",
        run.stderr
    );
    assert!(!env.path("x.xml").exists());
    assert_eq!(env.fingerprint(), before);
    // With a sector but no recipient country (IATI rule 3.7.1).
    let text =
        format!("{MINI}\n[iati]\nsectors = [{{ code = \"15130\" }}]\n").replace("\"v1\"", "\"v2\"");
    let f = env.write("mini2.toml", &text);
    env.ics(&["load", f.to_str().unwrap()]).ok();
    env.ics(&["export", "iati", "--out", "x.xml"])
        .fails()
        .stderr_has("error: the IATI export needs the recipient country (IATI rule 3.7.1)")
        .stderr_has("help: add `recipient_country = \"PE\"`");
    assert!(!env.path("x.xml").exists());
}

#[test]
fn activity_status_follows_the_dates_unless_given() {
    let env = Env::new();
    let f = env.write("mini.toml", &format!("{MINI}{MINI_IATI}"));
    env.ics(&["load", f.to_str().unwrap()]).ok();
    // MINI runs FY2020-FY2022: its planned end is 2022-09-30.
    for (now, status) in [
        ("2022-09-30T23:00:00Z", "2"),
        ("2022-10-01T00:00:00Z", "3"),
        ("2020-01-01T00:00:00Z", "2"),
    ] {
        env.ics_env(&["export", "iati", "--out", "s.xml"], &[("ICS_NOW", now)])
            .ok();
        let xml = std::fs::read_to_string(env.path("s.xml")).unwrap();
        assert!(
            xml.contains(&format!("<activity-status code=\"{status}\"/>")),
            "{now}: {xml}"
        );
    }
    // A status given in [iati] wins.
    let text =
        format!("{MINI}{MINI_IATI}activity_status = \"suspended\"\n").replace("\"v1\"", "\"v2\"");
    let f = env.write("mini2.toml", &text);
    env.ics(&["load", f.to_str().unwrap()]).ok();
    env.ics_env(
        &["export", "iati", "--out", "s.xml"],
        &[("ICS_NOW", "2030-01-01T00:00:00Z")],
    )
    .ok();
    let xml = std::fs::read_to_string(env.path("s.xml")).unwrap();
    assert!(xml.contains("<activity-status code=\"6\"/>"), "{xml}");
}

/// Load MINI with `iati` as its `[iati]` table; the load must fail with each needle.
#[track_caller]
fn refused(iati: &str, needles: &[&str]) {
    let env = Env::new();
    let text = format!("{MINI}\n[iati]\n{iati}\n");
    let f = env.write("bad.toml", &text);
    let run = env.ics(&["load", f.to_str().unwrap()]).fails();
    for needle in needles {
        assert!(run.stderr.contains(needle), "{needle}\n{}", run.stderr);
    }
    assert!(run.stderr.contains("nothing was loaded"), "{}", run.stderr);
    assert_eq!(env.fingerprint(), "<none>");
}

#[test]
fn codes_outside_the_iati_codelists_are_located_load_errors() {
    // MINI has 28 lines; `[iati]` is line 30.
    refused(
        "default_currency = \"ZZZ\"\nrecipient_country = \"XX\"\nlanguage = \"zz\"\nreporting_org_type = \"12\"",
        &[
            "bad.toml:31:20: `default_currency` is `ZZZ`, which is not a code of the IATI Currency codelist (e.g. `USD`)",
            "bad.toml:32:21: `recipient_country` is `XX`, which is not a code of the IATI Country codelist (e.g. `PE`)",
            "bad.toml:33:12: `language` is `zz`, which is not a code of the IATI Language codelist (e.g. `en`)",
            "bad.toml:34:22: `reporting_org_type` is `12`, which is not a code of the IATI OrganisationType codelist",
        ],
    );
    // Withdrawn codes are named as withdrawn.
    refused(
        "recipient_country = \"an\"",
        &["`recipient_country` is `an`, which the IATI Country codelist marks as withdrawn (NETHERLAND ANTILLES); use a current code"],
    );
    refused(
        "sectors = [{ code = \"74010\" }]",
        &["the sector `code` is `74010` (vocabulary 1), which the IATI Sector codelist marks as withdrawn (Disaster prevention and preparedness); use a current code"],
    );
    refused(
        "activity_status = \"7\"",
        &["`activity_status` is `7`; use one of `1` (pipeline/identification)"],
    );
}

#[test]
fn bad_sectors_are_located_load_errors() {
    let line = |n: usize| format!("bad.toml:{n}:");
    refused(
        "sectors = [{ code = \"99999\" }, { vocabulary = \"2\", code = \"15130\" }, { vocabulary = \"0\", code = \"x\" }]",
        &[
            &line(31),
            "the sector `code` is `99999` (vocabulary 1), which is not a code of the IATI Sector codelist",
            "the sector `code` is `15130` (vocabulary 2), which is not a code of the IATI SectorCategory codelist",
            "the sector `vocabulary` is `0`, which is not a code of the IATI SectorVocabulary codelist",
        ],
    );
    refused(
        "sectors = [\n  { code = \"15130\", percentage = 60 },\n  { code = \"15210\", percentage = 30 },\n]",
        &["bad.toml:31:11: the percentages of the vocabulary 1 sectors add up to 90; they must add up to 100 (IATI rule 2.1.2)"],
    );
    refused(
        "sectors = [\n  { code = \"15130\", percentage = 60 },\n  { code = \"15210\" },\n]",
        &["bad.toml:33:3: vocabulary 1 has 2 sectors, so each needs a `percentage`; `15210` has none (IATI rule 2.1.1)"],
    );
    refused(
        "sectors = [{ code = \"15130\", percentage = 60 }]",
        &["sector `15130` is the only one of vocabulary 1, so its percentage must be 100 or left out, not 60 (IATI rule 2.1.4)"],
    );
    refused(
        "sectors = [{ code = \"15130\", percentage = 120 }, { code = \"15210\", percentage = -20 }]",
        &[
            "the sector `percentage` is 120; it must be between 0 and 100 (IATI rule 12.3.1)",
            "the sector `percentage` is -20; it must be between 0 and 100",
        ],
    );
    refused(
        "sectors = [{ code = \"15130\", percentage = 50 }, { code = \"15130\", percentage = 50 }]",
        &["sector `15130` of vocabulary 1 is listed twice"],
    );
    refused(
        "sectors = [{ vocabulary = \"2\", code = \"151\" }]",
        &[
            "no vocabulary 1 (OECD DAC 5-digit) sector",
            "(rule 102.1.1)",
        ],
    );
    refused(
        "sectors = [{ code = \"15130\", percentage = 50 }, { vocabulary = \"99\", code = \"X\" }]",
        &["needs a `name` (IATI rule 2.2.1)"],
    );
    refused(
        "sectors = [{ code = \"15130\", share = 100 }]",
        &["unknown key `share` in a sector of `[iati] sectors`"],
    );
    refused(
        "sectors = []",
        &["`sectors` is empty; list at least one sector"],
    );
    refused(
        "sectors = \"15130\"",
        &["`sectors` must be a list of tables such as"],
    );
    refused(
        "sectors = [{ code = 15130.5 }]",
        &["the sector `code` must be a code in quotes such as `\"15130\"`, not a number"],
    );
}

#[test]
fn sectors_of_other_vocabularies_are_kept_unchecked_and_whole_number_codes_read_as_text() {
    let env = Env::new();
    let text = format!(
        "{MINI}\n[iati]\nrecipient_country = \"PE\"\nsectors = [{{ vocabulary = 1, code = 15130, percentage = 100 }}, {{ vocabulary = \"7\", code = \"anything\" }}]\n"
    );
    let f = env.write("ok.toml", &text);
    env.ics(&["load", f.to_str().unwrap()]).ok();
    let (path, xml) = export(&env, "ok.xml");
    validate(&path);
    assert_ruleset(&xml);
    assert!(xml.contains("<sector vocabulary=\"1\" code=\"15130\" percentage=\"100\"/>"));
    assert!(xml.contains("<sector vocabulary=\"7\" code=\"anything\"/>"));
}

/// The rules of `standard.json` that meet what `ics` writes (their context element is in the
/// export and their condition holds), as listed in the README. The rules not listed are applied
/// too, but find nothing to check: transactions, budgets, planned disbursements, policy
/// markers, other identifiers, recipient regions, qualitative indicators, organisation files.
pub const COVERED: [&str; 36] = [
    "1.1.3", "1.1.21", "1.3.1", "1.3.13", "1.8.1", "1.8.13", "1.14.1", "1.14.13", "2.1.1", "2.1.2",
    "2.1.4", "2.2.1", "3.1.4", "3.6.2", "4.1.1", "4.3.1", "4.4.1", "6.2.2", "6.6.2", "6.7.2",
    "6.10.1", "6.11.1", "7.8.1", "8.6.1", "8.8.1", "8.8.2", "8.9.1", "8.9.2", "8.10.1", "8.10.2",
    "8.11.1", "11.1.2", "12.1.1", "12.3.1", "102.1.1", "107.1.2",
];

#[test]
fn the_rules_test_meets_every_rule_that_applies_to_what_ics_writes() {
    let env = Env::new();
    load_full(&env);
    let (_, xml) = export(&env, "full.xml");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
    let report = super::rules::run_ruleset(&xml, today);
    assert!(report.failures.is_empty(), "{:#?}", report.failures);
    let exercised: Vec<&str> = report.exercised.iter().map(String::as_str).collect();
    let mut covered = COVERED.to_vec();
    covered.sort_unstable();
    let mut got = exercised.clone();
    got.sort_unstable();
    assert_eq!(got, covered);
    // A strategy with an approval date and no period writes an actual start date instead,
    // which meets 11.1.4 (not in the future).
    let text = FULL
        .replace("start = \"FY2020\"\nend = \"FY2021\"\n", "")
        .replace("version = \"v1\"", "version = \"v2\"");
    let f = env.write("approved.toml", &text);
    env.ics(&["load", f.to_str().unwrap()]).ok();
    let (path, xml) = export(&env, "approved.xml");
    validate(&path);
    assert_ruleset(&xml);
    assert!(xml.contains("<activity-date type=\"2\" iso-date=\"2019-05-01\"/>"));
    let report = super::rules::run_ruleset(&xml, today);
    assert!(report.exercised.contains("11.1.4"));
}

#[test]
fn the_demo_database_exports_iati_that_breaks_no_rule() {
    let env = Env::new();
    env.ics(&["--db", "demo.db", "demo"]).ok();
    env.ics(&["--db", "demo.db", "export", "iati", "--out", "demo.xml"])
        .ok()
        .stdout_has("IATI 2.03 activity `US-GOV-11-peru-ics`");
    let path = env.path("demo.xml");
    let xml = std::fs::read_to_string(&path).unwrap();
    validate(&path);
    assert_ruleset(&xml);
    assert_eq!(xml.matches("<sector ").count(), 9);
}
