//! Unit tests of the IATI export: building the activity, the checks the schema cannot make,
//! escaping and number formatting. Schema validation itself runs in the integration tests.

use super::xml::{escape_attr, escape_text, number, render};
use super::*;
use crate::framework::parse_str;

const FW: &str = r#"
[strategy]
code = "s"
title = "Strategy <&> \"quoted\""
version = "v1"
start = "FY2020"
end = "FY2021"

[iati]
identifier = "US-GOV-11-s"
recipient_country = "pe"
activity_status = "closed"
sectors = [
  { vocabulary = "1", code = "15130", percentage = 60 },
  { code = "15210", percentage = 40 },
  { vocabulary = "2", code = "151" },
  { vocabulary = "99", code = "S-1", name = "Security & <justice>" },
]

[[goal]]
code = "G1"
title = "Goal"

  [[goal.objective]]
  code = "O1"
  title = "Objective"
  description = "What the objective is"
  result_type = "impact"

    [[goal.objective.indicator]]
    code = "I1"
    title = "Share of people"
    unit = "%"
    direction = "decrease"
    standard_code = "EG.3.2-24"
    definition = "Share of people."
    source = "Survey"
    baseline = { period = "FY2019", value = 40 }
    targets = { FY2021 = 30, FY2020 = 35 }
    disaggregations = { sex = ["female", "male"] }

[[development_objective]]
code = "D1"
title = "DO"
supports = ["O1"]

  [[development_objective.indicator]]
  code = "I2"
  title = "Count"
  unit = "people"
  direction = "increase"
  frequency = "quarterly"
  baseline = { period = "FY2019Q4", value = 1 }
"#;

fn fw() -> Framework {
    parse_str(FW, "fw.toml").unwrap_or_else(|e| panic!("{e:?}"))
}

fn value(ind: &str, period: &str, disagg: &str, v: Result<f64, &str>) -> CurrentValue {
    CurrentValue {
        indicator: ind.into(),
        period: period.parse().unwrap(),
        disaggregation: disagg.into(),
        value: v.map_err(str::to_string),
        note: None,
    }
}

#[test]
fn results_indicators_and_periods_follow_the_framework() {
    let mut noted = value("I1", "FY2020", "", Ok(36.5));
    noted.note = Some("Survey year 2019/20".into());
    let values = vec![
        value("I1", "FY2020", "sex=female", Ok(34.0)),
        noted,
        value("I2", "FY2021Q2", "", Ok(12.0)),
        value("GONE", "FY2020", "", Err("not even looked at")),
    ];
    let a = build(&fw(), "v1", &values).unwrap();
    assert_eq!(a.identifier, "US-GOV-11-s");
    assert_eq!(a.status, "4");
    assert_eq!(a.recipient_country.as_deref(), Some("PE"));
    assert_eq!(
        a.dates,
        vec![
            ("1", NaiveDate::from_ymd_opt(2019, 10, 1).unwrap()),
            ("3", NaiveDate::from_ymd_opt(2021, 9, 30).unwrap())
        ]
    );
    // The default participating organisation is the reporting one, as funder.
    assert_eq!(a.participating.len(), 1);
    assert_eq!(a.participating[0].role.as_deref(), Some("1"));
    assert_eq!(a.participating[0].org_ref.as_deref(), Some("US-GOV-11"));

    assert_eq!(a.results.len(), 2);
    let o1 = &a.results[0];
    assert_eq!(o1.title, "O1: Objective");
    assert_eq!(o1.result_type, ResultType::Impact);
    assert_eq!(a.results[1].result_type, ResultType::Outcome, "the default");
    let i1 = &o1.indicators[0];
    assert_eq!(i1.measure, "2", "percent is Percentage");
    assert!(!i1.ascending, "decrease is descending");
    assert_eq!(i1.standard_code.as_deref(), Some("EG.3.2-24"));
    assert_eq!(
        i1.description,
        "Share of people. Unit: %. Data source: Survey."
    );
    let b = i1.baseline.as_ref().unwrap();
    assert_eq!(
        (b.year, b.date.to_string(), b.value),
        (2019, "2019-09-30".into(), 40.0)
    );
    let periods: Vec<String> = i1.periods.iter().map(|p| p.period.to_string()).collect();
    assert_eq!(periods, ["FY2020", "FY2021"]);
    let fy2020 = &i1.periods[0];
    assert_eq!(fy2020.target, Some(35.0));
    assert_eq!(fy2020.actuals.len(), 2);
    assert!(
        fy2020.actuals[0].dimensions.is_empty(),
        "the total comes first"
    );
    assert_eq!(
        fy2020.actuals[0].note.as_deref(),
        Some("Survey year 2019/20")
    );
    assert_eq!(
        fy2020.actuals[1].dimensions,
        vec![("sex".to_string(), "female".to_string())]
    );
    let i2 = &a.results[1].indicators[0];
    assert_eq!(i2.measure, "1");
    assert!(i2.ascending);
    assert_eq!(i2.periods.len(), 1);
    let q = &i2.periods[0];
    assert_eq!(
        (q.start.to_string(), q.end.to_string()),
        ("2021-01-01".into(), "2021-03-31".into())
    );
    assert_eq!(q.target, None);
    assert_eq!(
        a.summary(),
        Summary {
            identifier: "US-GOV-11-s".into(),
            results: 2,
            indicators: 2,
            periods: 3,
            actuals: 3
        }
    );
}

#[test]
fn a_stored_value_that_is_not_a_number_stops_the_export_and_is_named() {
    let values = vec![
        value("I1", "FY2020", "sex=female", Err("abc")),
        value("I2", "FY2021Q1", "", Err("")),
    ];
    let err = build(&fw(), "v1", &values).unwrap_err();
    let Error::Located {
        diagnostics,
        summary,
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(diagnostics.len(), 2);
    assert_eq!(diagnostics[0].location, "I1 FY2020 (sex=female)");
    assert!(
        diagnostics[0].message.contains("`abc`"),
        "{}",
        diagnostics[0]
    );
    assert_eq!(diagnostics[1].location, "I2 FY2021Q1");
    assert!(summary.contains("nothing was written"), "{summary}");
    assert!(summary.contains("2 figures"), "{summary}");
}

#[test]
fn the_checks_catch_what_the_schema_cannot() {
    let values = vec![value("I1", "FY2020", "", Ok(36.0))];
    let good = build(&fw(), "v1", &values).unwrap();
    check(&good).unwrap();

    let mut infinite = good.clone();
    infinite.results[0].indicators[0].periods[0].actuals[0].value = f64::INFINITY;
    let err = check(&infinite).unwrap_err();
    assert!(
        format!("{err:?}").contains("not a finite number"),
        "{err:?}"
    );

    let mut nan_target = good.clone();
    nan_target.results[0].indicators[0].periods[1].target = Some(f64::NAN);
    assert!(check(&nan_target).is_err());

    let mut backwards = good.clone();
    let p = &mut backwards.results[0].indicators[0].periods[0];
    std::mem::swap(&mut p.start, &mut p.end);
    let err = check(&backwards).unwrap_err();
    let Error::Located { diagnostics, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(diagnostics[0].location, "I1 FY2020");
    assert!(diagnostics[0].message.contains("must start before it ends"));
}

#[test]
fn a_strategy_without_dates_cannot_be_exported() {
    let text = FW.replace("start = \"FY2020\"\nend = \"FY2021\"\n", "");
    let f = parse_str(&text, "fw.toml").unwrap();
    let err = build(&f, "v1", &[]).unwrap_err();
    assert!(
        err.to_string().contains("needs the strategy's dates"),
        "{err}"
    );
    assert!(err.hint().unwrap().contains("start = \"FY2019\""));
    // An approval date is enough: it becomes the actual start.
    let text = text.replace(
        "version = \"v1\"",
        "version = \"v1\"\napproved = 2018-08-08",
    );
    let f = parse_str(&text, "fw.toml").unwrap();
    let a = build(&f, "v1", &[]).unwrap();
    assert_eq!(
        a.dates,
        vec![("2", NaiveDate::from_ymd_opt(2018, 8, 8).unwrap())]
    );
}

#[test]
fn the_document_is_in_schema_order_and_escaped() {
    let mut v = value("I1", "FY2020", "sex=female", Ok(34.0));
    v.note = Some("a < b & \"c\"".into());
    let (xml, summary) = export(&fw(), "v1", &[v], "2026-01-15T12:00:00.000000Z").unwrap();
    assert_eq!(summary.results, 2);
    assert!(xml.starts_with(&format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- written by ics {} -->\n<iati-activities version=\"2.03\"",
        env!("CARGO_PKG_VERSION")
    )));
    assert!((crate::files::output::IATI_XML.recognise)(xml.as_bytes()));
    assert!(
        xml.contains("<narrative>Strategy &lt;&amp;&gt; \"quoted\"</narrative>"),
        "{xml}"
    );
    assert!(xml.contains("<comment>\n"), "{xml}");
    assert!(
        xml.contains("<narrative>a &lt; b &amp; \"c\"</narrative>"),
        "{xml}"
    );
    assert!(
        xml.contains("<dimension name=\"sex\" value=\"female\"/>"),
        "{xml}"
    );
    assert!(xml.contains("<reference vocabulary=\"3\" code=\"EG.3.2-24\"/>"));
    assert!(xml.contains("<baseline year=\"2019\" iso-date=\"2019-09-30\" value=\"40\"/>"));
    assert!(xml.contains("<result type=\"3\">"));
    let order = [
        "<iati-identifier>",
        "<reporting-org ",
        "<title>",
        "<description type=\"1\">",
        "<participating-org ",
        "<activity-status ",
        "<activity-date ",
        "<recipient-country ",
        "<sector vocabulary=\"1\" code=\"15130\" percentage=\"60\"/>",
        "<sector vocabulary=\"1\" code=\"15210\" percentage=\"40\"/>",
        "<sector vocabulary=\"2\" code=\"151\"/>",
        "<sector vocabulary=\"99\" code=\"S-1\">",
        "<narrative>Security &amp; &lt;justice&gt;</narrative>",
        "<result ",
        "<period-start ",
        "<period-end ",
        "<target ",
        "<actual ",
        "</iati-activities>",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|tag| {
            xml.find(tag)
                .unwrap_or_else(|| panic!("{tag} missing:\n{xml}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "{positions:?}\n{xml}"
    );
    assert!(xml.ends_with("</iati-activities>\n"));
}

#[test]
fn awkward_text_is_escaped() {
    assert_eq!(escape_text("a & b < c > d"), "a &amp; b &lt; c &gt; d");
    assert_eq!(escape_text("tab\tline\nok"), "tab\tline\nok");
    assert_eq!(escape_text("bell\u{7}nul\u{0}"), "bell\u{FFFD}nul\u{FFFD}");
    assert_eq!(escape_text("\u{200F}مرحبا 🙂"), "\u{200F}مرحبا 🙂");
    assert_eq!(
        escape_attr("\"x\" & 'y'\n<z>"),
        "&quot;x&quot; &amp; &apos;y&apos;&#10;&lt;z&gt;"
    );
    assert_eq!(escape_text("cr\r"), "cr&#13;");
}

#[test]
fn numbers_are_plain_decimals() {
    assert_eq!(number(580000.0), "580000");
    assert_eq!(number(17.2), "17.2");
    assert_eq!(number(-3.5), "-3.5");
    assert_eq!(number(-0.0), "0");
    assert!(!number(1e21).contains('e'), "{}", number(1e21));
    assert!(!number(1e-7).contains('e'), "{}", number(1e-7));
    for v in [1e21, 1e-7, 0.1 + 0.2, 123456.789] {
        assert_eq!(number(v).parse::<f64>().unwrap(), v);
    }
}

#[test]
fn render_alone_writes_one_activity() {
    let a = build(&fw(), "v1", &[]).unwrap();
    let xml = render(&a, "2026-01-15T12:00:00Z");
    assert_eq!(xml.matches("<iati-activity ").count(), 1);
    assert_eq!(xml.matches("<indicator ").count(), 2);
}

#[test]
fn a_framework_without_sectors_cannot_be_exported() {
    let start = FW.find("sectors = [").unwrap();
    let end = start + FW[start..].find("]\n").unwrap() + 2;
    let text = format!("{}{}", &FW[..start], &FW[end..]);
    let f = parse_str(&text, "fw.toml").unwrap();
    let err = build(&f, "v1", &[]).unwrap_err();
    assert!(
        err.to_string()
            .contains("needs at least one sector (IATI rule 6.2.2)"),
        "{err}"
    );
    assert!(
        err.hint()
            .unwrap()
            .contains("sectors = [{ vocabulary = \"1\""),
        "{:?}",
        err.hint()
    );
}

#[test]
fn activity_status_follows_the_dates_unless_given() {
    let f = fw();
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let mut iati = f.strategy.iati.clone().unwrap();
    assert_eq!(
        activity_status(&iati, &f.strategy, day(2030, 1, 1)),
        "4",
        "given"
    );
    iati.activity_status = None;
    // The period ends with FY2021, on 2021-09-30.
    assert_eq!(activity_status(&iati, &f.strategy, day(2019, 1, 1)), "2");
    assert_eq!(activity_status(&iati, &f.strategy, day(2021, 9, 30)), "2");
    assert_eq!(activity_status(&iati, &f.strategy, day(2021, 10, 1)), "3");
    let mut open = f.strategy.clone();
    open.end = None;
    assert_eq!(
        activity_status(&iati, &open, day(2040, 1, 1)),
        "2",
        "no period"
    );
}

#[test]
fn codes_stored_by_an_older_ics_are_checked_again_at_export() {
    let mut f = fw();
    let iati = f.strategy.iati.as_mut().unwrap();
    assert!(check_codes(iati).is_empty());
    iati.default_currency = Some("ZZZ".into());
    iati.recipient_country = Some("AN".into());
    iati.language = Some("zz".into());
    iati.sectors[0].code = "99999".into();
    let problems = check_codes(iati);
    let text: Vec<String> = problems.iter().map(|d| d.to_string()).collect();
    assert_eq!(problems.len(), 4, "{text:#?}");
    assert!(
        text[0].contains(
            "[iati] default_currency: `ZZZ`, which is not a code of the IATI Currency codelist"
        ),
        "{text:#?}"
    );
    assert!(text[1].contains("[iati] language: `zz`"), "{text:#?}");
    assert!(text[2].contains("withdrawn"), "{text:#?}");
    assert!(
        text[3].contains("[iati] sectors (vocabulary 1): `99999`"),
        "{text:#?}"
    );
    let err = build(&f, "v1", &[]).unwrap_err();
    assert!(
        err.to_string()
            .contains("4 codes in `[iati]` are not accepted"),
        "{err}"
    );
}

#[test]
fn the_cdcs_and_a_do_hypothesis_travel_in_the_descriptions() {
    let text = FW.replace(
        "[[goal]]",
        "[cdcs]\ntitle = \"Peru CDCS\"\ngoal = \"A more prosperous & secure Peru.\"\nstart = \"FY2021\"\nend = \"FY2025\"\n\n[[goal]]",
    ) + "\n[[development_objective]]\ncode = \"DO9\"\ntitle = \"Trade\"\nhypothesis = \"If trade grows, incomes rise.\"\ndescription = \"Licit livelihoods\"\n\n  [[development_objective.indicator]]\n  code = \"X9\"\n  title = \"Exports\"\n  unit = \"USD\"\n  direction = \"increase\"\n";
    let fw = parse_str(&text, "fw.toml").unwrap_or_else(|e| panic!("{e:?}"));
    let (xml, _) = export(&fw, "v1", &[], "2026-01-15T12:00:00.000000Z").unwrap();
    assert!(
        xml.contains("USAID Country Development Cooperation Strategy: Peru CDCS"),
        "{xml}"
    );
    assert!(
        xml.contains("CDCS goal: A more prosperous &amp; secure Peru."),
        "{xml}"
    );
    assert!(
        xml.contains("Licit livelihoods\nDevelopment hypothesis: If trade grows, incomes rise."),
        "{xml}"
    );
    // Without a [cdcs] table the activity's description is unchanged.
    let (plain, _) = export(
        &super::tests::fw(),
        "v1",
        &[],
        "2026-01-15T12:00:00.000000Z",
    )
    .unwrap();
    assert!(!plain.contains("CDCS"), "{plain}");
}
