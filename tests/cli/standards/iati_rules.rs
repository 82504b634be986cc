//! The IATI rule runner ([`super::rules`]) itself: it applies every rule type of the vendored
//! ruleset, and it catches broken files.

use super::rules::{run_codelists, run_ruleset, SKIPPED};

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap()
}

/// A small activity of the shape ics writes, with every element the rules look at.
const GOOD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03" generated-datetime="2026-01-15T12:00:00Z">
  <iati-activity xml:lang="en" default-currency="USD">
    <iati-identifier>US-GOV-11-x</iati-identifier>
    <reporting-org ref="US-GOV-11" type="10"><narrative>State</narrative></reporting-org>
    <title><narrative>T</narrative></title>
    <description type="1"><narrative>D</narrative></description>
    <participating-org ref="US-GOV-11" type="10" role="1"><narrative>State</narrative></participating-org>
    <activity-status code="2"/>
    <activity-date type="1" iso-date="2019-10-01"/>
    <activity-date type="3" iso-date="2021-09-30"/>
    <recipient-country code="PE" percentage="100"/>
    <sector vocabulary="1" code="15130" percentage="60"/>
    <sector vocabulary="1" code="15210" percentage="40"/>
    <result type="2">
      <title><narrative>R</narrative></title>
      <indicator measure="1" ascending="true">
        <title><narrative>I</narrative></title>
        <reference vocabulary="3" code="PS.1.1-1"/>
        <baseline year="2019" iso-date="2019-09-30" value="1"/>
        <period>
          <period-start iso-date="2019-10-01"/>
          <period-end iso-date="2020-09-30"/>
          <target value="2"/>
          <actual value="3"/>
        </period>
      </indicator>
    </result>
  </iati-activity>
</iati-activities>
"#;

#[test]
fn a_sound_activity_breaks_no_rule() {
    let report = run_ruleset(GOOD, today());
    assert!(report.failures.is_empty(), "{:#?}", report.failures);
    let (bad, checked) = run_codelists(GOOD);
    assert!(bad.is_empty(), "{bad:#?}");
    assert_eq!(checked, 17);
    // The rules that met something in it.
    for id in [
        "1.1.3", "1.1.21", "6.11.1", "6.2.2", "4.1.1", "7.8.1", "11.1.2", "2.1.1", "2.1.2",
        "3.1.4", "12.1.1", "12.3.1", "6.10.1", "8.6.1", "8.8.1", "8.9.1", "8.10.1", "8.11.1",
        "4.3.1", "4.4.1",
    ] {
        assert!(report.exercised.contains(id), "{id} not exercised");
    }
    // Every rule of the ruleset is applied but the skipped ones.
    for (id, _) in SKIPPED {
        assert!(!report.applied.contains(id));
    }
    assert!(report.applied.len() > 60, "{}", report.applied.len());
}

#[test]
fn the_runner_catches_broken_files() {
    let cases: [(&str, &str, &str); 10] = [
        // No sector at all: 6.2.2.
        (
            "<sector vocabulary=\"1\" code=\"15130\" percentage=\"60\"/>\n    <sector vocabulary=\"1\" code=\"15210\" percentage=\"40\"/>",
            "",
            "6.2.2",
        ),
        // Percentages that do not add up: 2.1.2.
        ("percentage=\"40\"", "percentage=\"30\"", "2.1.2"),
        // One of two sectors without a percentage: 2.1.1.
        (" percentage=\"40\"", "", "2.1.1"),
        // A single sector at 60%: 2.1.4.
        (
            "\n    <sector vocabulary=\"1\" code=\"15210\" percentage=\"40\"/>",
            "",
            "2.1.4",
        ),
        // No recipient country: 3.7.1.
        ("<recipient-country code=\"PE\" percentage=\"100\"/>", "", "3.7.1"),
        // Planned end before the start: 11.1.2.
        ("2021-09-30\"/>\n    <recipient", "2019-01-01\"/>\n    <recipient", "11.1.2"),
        // An indicator period that ends before it starts: 8.6.1.
        ("<period-end iso-date=\"2020-09-30\"/>", "<period-end iso-date=\"2019-01-01\"/>", "8.6.1"),
        // A target that is not a number: 8.9.2.
        ("<target value=\"2\"/>", "<target value=\"two\"/>", "8.9.2"),
        // The identifier is the organisation's: 1.1.3 (and 1.1.21).
        ("US-GOV-11-x", "US-GOV-11", "1.1.3"),
        // An empty title: 4.3.1.
        ("<title><narrative>T</narrative></title>", "<title><narrative/></title>", "4.3.1"),
    ];
    for (from, to, id) in cases {
        assert!(GOOD.contains(from), "{from}");
        let broken = GOOD.replacen(from, to, 1);
        let report = run_ruleset(&broken, today());
        assert!(
            report.ids().contains(id),
            "{id} did not fire for {from:?} -> {to:?}: {:#?}",
            report.failures
        );
        assert!(!report.errors().is_empty() || id == "8.9.2");
    }
}

#[test]
fn the_codelist_rules_catch_unknown_and_withdrawn_codes() {
    for (from, to, list) in [
        (
            "default-currency=\"USD\"",
            "default-currency=\"ZZZ\"",
            "Currency",
        ),
        ("xml:lang=\"en\"", "xml:lang=\"zz\"", "Language"),
        ("code=\"PE\"", "code=\"XX\"", "Country"),
        // Netherlands Antilles: in the list, withdrawn.
        ("code=\"PE\"", "code=\"AN\"", "Country"),
        ("code=\"15130\"", "code=\"99999\"", "Sector"),
        // 74010 Disaster prevention and preparedness: withdrawn in 2017.
        ("code=\"15130\"", "code=\"74010\"", "Sector"),
        (
            "<activity-status code=\"2\"/>",
            "<activity-status code=\"9\"/>",
            "ActivityStatus",
        ),
        (
            "type=\"10\"><narrative>State</narrative></reporting-org>",
            "type=\"99\"><narrative>State</narrative></reporting-org>",
            "OrganisationType",
        ),
        ("<result type=\"2\">", "<result type=\"7\">", "ResultType"),
    ] {
        let broken = GOOD.replacen(from, to, 1);
        assert_ne!(broken, GOOD, "{from}");
        let (bad, _) = run_codelists(&broken);
        assert_eq!(bad.len(), 1, "{from} -> {to}: {bad:#?}");
        assert!(bad[0].contains(&format!("the {list} codelist")), "{bad:#?}");
    }
}
