//! Integration tests: `ics report` and the demo's `demo-report.html` (issue 8).
//!
//! Pages are parsed with html5ever, the WHATWG parsing algorithm browsers use, with exact parse
//! errors on: a page must parse without a single error, and the checks below walk the tree it
//! builds (so a "title" that escaped into markup would show up as an element, not as text).

mod dom;

use std::collections::BTreeSet;

use crate::common::{fingerprint, repo_file, Env, MINI};
use dom::{parse, parse_page};

#[test]
fn the_parser_reports_broken_markup() {
    // The checks above rely on the parser noticing mistakes; make sure it does.
    for broken in [
        "<!DOCTYPE html><title>x</title><p>a</div>",
        "<!DOCTYPE html><title>x</title><p a=\"1\"b=2>",
        "<title>no doctype</title>",
        "<!DOCTYPE html><title>x</title><svg><text>1</svg></p>",
    ] {
        assert!(!parse(broken).errors.borrow().is_empty(), "{broken}");
    }
    assert!(parse("<!DOCTYPE html><html lang=\"en\"><head><title>x</title></head><body><p>ok</p></body></html>")
        .errors
        .borrow()
        .is_empty());
}

fn run_demo(env: &Env) {
    let fw = repo_file("framework.toml");
    let values = repo_file("examples/peru-values.csv");
    env.ics(&[
        "demo",
        "--framework",
        fw.to_str().unwrap(),
        "--values",
        values.to_str().unwrap(),
    ])
    .ok()
    .stdout_has("Wrote the FY2022 review to `demo-report.html`: 12 indicators, 10 with a chart");
}

#[test]
fn demo_report_parses_and_holds_one_chart_per_indicator_with_a_value() {
    let env = Env::new();
    run_demo(&env);
    let doc = parse_page(&env.path("demo-report.html"));
    let exported = env
        .ics(&["--db", "demo.db", "export-values", "--format", "json"])
        .ok()
        .json();
    let with_value: BTreeSet<String> = exported
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["indicator"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(with_value.len(), 10);
    let charts = doc.charts();
    let drawn: BTreeSet<String> = charts.iter().map(|c| c.to_string()).collect();
    assert_eq!(drawn, with_value);
    assert_eq!(
        charts.len(),
        drawn.len(),
        "one chart per indicator: {charts:?}"
    );
    // Every indicator of the strategy has its place, charted or not.
    let articles = doc.all("article").count();
    assert_eq!(articles, 12);
    let text = &doc.body_text;
    for needle in [
        "U.S. Mission Peru Integrated Country Strategy",
        "FY2022 (1 Oct 2021 – 30 Sep 2022)",
        "2026-01-15 12:00:00 UTC",
        "Summary: indicators by status, FY2022",
        "Needs explanation",
        "DO1, DO3 support it: 3 more indicators (2 on target, 1 no data), counted under their DO",
        "No indicator needs an explanation for FY2022.",
        "▲ exceeded better than the target by more than 10%",
        "● on target within ±10% of the target",
        "▼ short worse than the target by more than 10%",
        "◐ incomplete a year still coming in with no target to date",
        "Supported by DO1",
        "Supports MO2.2",
        "Applies to MG1",
        "Calendar-year 2021 figure recorded against FY2021.",
    ] {
        assert!(text.contains(needle), "the page lacks {needle:?}");
    }
    // The summary states, per goal, how many indicators are short.
    let summary = &doc.all("section").next().unwrap().text;
    assert!(
        summary.contains("0 short · 1 on target · 3 no data"),
        "MG3: {summary}"
    );
    assert_eq!(
        summary.matches("0 short").count(),
        6,
        "MG2, MG3, MG4, MgO1, DO1, DO3: {summary}"
    );
    assert_eq!(
        summary.matches("no indicators").count(),
        3,
        "MG1, MgO2, DO2: {summary}"
    );
    // Extreme poverty (lower is better) at 30 against 33 is within 10%: on target, never
    // "above"; and its card gives the figures of the definitions.
    let poverty = doc
        .all("article")
        .find(|a| a.attrs.get("id").map(String::as_str) == Some("i-IND-XPOV-TARGET"))
        .unwrap();
    for needle in [
        "● on target",
        "% of target achieved90.9%",
        "Deviation-9.1%",
        "lower is better",
    ] {
        assert!(poverty.text.contains(needle), "{needle}: {}", poverty.text);
    }
    for old in ["below target", "above target"] {
        assert!(!text.contains(old), "old wording {old:?}");
    }
    // A value outside the chart's years is listed, not lost: FY2023 is within reach here.
    assert!(!text.contains("Not on the chart"));
}

#[test]
fn hostile_titles_codes_and_notes_are_escaped() {
    let env = Env::new();
    let fw = env.write(
        "framework.toml",
        r#"
[strategy]
code = "x\"y"
title = "<script>alert(1)</script> & co"
version = "v1"
start = "FY2020"
end = "FY2022"

[[goal]]
code = "G \"1\" ‏🚀"
title = "<img src=x onerror=alert(2)>"

  [[goal.indicator]]
  code = "I'1 <b>"
  title = "</article><script>alert(3)</script>"
  unit = "<i>people</i>"
  direction = "increase"
  targets = { FY2021 = 10 }

[[development_objective]]
code = "D_1"
title = "Supports \"G\""
supports = []
"#,
    );
    env.ics(&["load", fw.to_str().unwrap()]).ok();
    env.ics(&[
        "record",
        "I'1 <b>",
        "FY2021",
        "5",
        "--note",
        "</p><script>alert(4)</script> see https://evil.example/x.js \u{202e}reversed",
    ])
    .ok();
    env.ics(&["report", "--period", "FY2021", "--out", "r.html"])
        .ok();
    let doc = parse_page(&env.path("r.html"));
    let text = &doc.body_text;
    assert!(text.contains("<script>alert(1)</script> & co"), "{text}");
    assert!(text.contains("<img src=x onerror=alert(2)>"));
    assert!(text.contains("</article><script>alert(3)</script>"));
    assert!(text.contains("</p><script>alert(4)</script> see https://evil.example/x.js"));
    assert!(text.contains("I'1 <b>") && text.contains("G \"1\" ‏🚀"));
    assert_eq!(doc.charts(), vec!["I'1 <b>"]);
    assert_eq!(doc.all("b").count(), 0);
    assert_eq!(doc.all("i").count(), 0);
    assert_eq!(doc.all("article").count(), 1);
    // Ids built from the odd codes are plain, and the summary links to the goal's section.
    for e in doc.els.iter().filter(|e| e.attrs.contains_key("id")) {
        let id = &e.attrs["id"];
        assert!(
            id.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "{id}"
        );
    }
    let goal = doc
        .all("section")
        .find(|s| {
            s.attrs.get("class").is_some_and(|c| c.contains("node")) && s.text.contains("onerror")
        })
        .unwrap();
    let href = format!("#{}", goal.attrs["id"]);
    assert!(doc.all("a").any(|a| a.attrs.get("href") == Some(&href)));
}

#[test]
fn needs_explanation_links_each_unexplained_deviation_to_its_card() {
    let env = Env::new();
    let fw = env.write("framework.toml", MINI);
    env.ics(&["load", fw.to_str().unwrap()]).ok();
    env.ics(&["record", "I1", "FY2020", "12"]).ok();
    env.ics(&["report", "--period", "FY2020", "--out", "r.html"])
        .ok()
        .stdout_has("1 needing an explanation");
    let doc = parse_page(&env.path("r.html"));
    let section = doc
        .all("section")
        .find(|s| s.attrs.get("id").map(String::as_str) == Some("needs-explanation"))
        .unwrap();
    assert!(
        section.text.contains(
            "I1 Indicator one — ▼ short, 60.0% of target, deviation -40.0% — under G1 > O1"
        ),
        "{}",
        section.text
    );
    assert!(doc
        .all("a")
        .any(|a| a.attrs.get("href").map(String::as_str) == Some("#i-I1")));
    let card = |doc: &dom::Doc| {
        doc.all("article")
            .find(|a| a.attrs.get("id").map(String::as_str) == Some("i-I1"))
            .unwrap()
            .text
            .clone()
    };
    assert!(card(&doc).contains("⚠ Needs explanation: short by more than 10%"));
    assert!(card(&doc).contains("ics explain I1 FY2020 \"...\""));
    // `ics explain` explains it without retyping the value: the list empties.
    env.ics(&["explain", "I1", "FY2020", "Late start <slow>"])
        .ok();
    env.ics(&["report", "--period", "FY2020", "--out", "r.html"])
        .ok()
        .stdout_has("0 needing an explanation");
    let doc = parse_page(&env.path("r.html"));
    assert!(doc
        .body_text
        .contains("No indicator needs an explanation for FY2020."));
    assert!(
        card(&doc).contains("ExplanationLate start <slow>"),
        "{}",
        card(&doc)
    );
    assert!(!card(&doc).contains("Needs explanation"));
}

#[test]
fn a_strategy_with_no_values_makes_a_page_that_says_so() {
    let env = Env::new();
    let fw = env.write("framework.toml", MINI);
    env.ics(&["load", fw.to_str().unwrap()]).ok();
    env.ics(&["report", "--out", "empty.html"]).ok().stdout_has(
        "Wrote the FY2021 review to `empty.html`: 1 indicator, 0 with a chart, 0 needing",
    );
    let doc = parse_page(&env.path("empty.html"));
    assert!(doc
        .body_text
        .contains("No values have been recorded for this strategy yet."));
    assert!(doc.body_text.contains(
        "No actual recorded for any fiscal year yet, so no chart. Targets: FY2020 20 · FY2021 30."
    ));
    assert!(doc.charts().is_empty());
    assert!(doc.body_text.contains("0 short · 1 no data"));
}

#[test]
fn values_only_before_the_strategy_period_are_drawn() {
    let env = Env::new();
    let fw = env.write("framework.toml", MINI);
    env.ics(&["load", fw.to_str().unwrap()]).ok();
    for (period, value) in [("FY2012", "5"), ("FY2015", "-3"), ("FY1990", "7")] {
        env.ics(&["record", "I1", period, value]).ok();
    }
    env.ics(&["report", "--out", "early.html"]).ok();
    let doc = parse_page(&env.path("early.html"));
    assert_eq!(doc.charts(), vec!["I1"]);
    let chart = doc
        .els
        .iter()
        .find(|e| e.svg && e.attrs.get("class").map(String::as_str) == Some("chart"))
        .unwrap();
    // The axis stretches back to FY2012 (the strategy is FY2020 to FY2022) ...
    for year in ["FY12", "FY15", "FY22"] {
        assert!(
            chart.text.contains(year),
            "{year} on the axis: {}",
            chart.text
        );
    }
    assert!(chart.text.contains("-3"), "the negative value is labelled");
    // ... but not 33 years: FY1990 is listed under the chart instead.
    assert!(!chart.text.contains("FY90"));
    assert!(doc
        .body_text
        .contains("Not on the chart (outside its years): FY1990: 7."));
}

#[test]
fn node_keeps_one_subtree_and_links_only_to_what_is_shown() {
    let env = Env::new();
    let fw = env.write("framework.toml", MINI);
    env.ics(&["load", fw.to_str().unwrap()]).ok();
    env.ics(&["record", "I1", "FY2021", "31"]).ok();
    env.ics(&["report", "--node", "D1", "--out", "d1.html"])
        .ok();
    let doc = parse_page(&env.path("d1.html"));
    assert!(doc.body_text.contains("Supports O1 Objective one"));
    assert!(!doc.body_text.contains("Indicator one"));
    env.ics(&["report", "--node", "O1", "--out", "o1.html"])
        .ok();
    let doc = parse_page(&env.path("o1.html"));
    assert_eq!(doc.charts(), vec!["I1"]);
    assert!(doc
        .body_text
        .contains("Supported by D1 Development objective one"));
    assert!(!doc.body_text.contains("Goal one"));
}

#[test]
fn bad_targets_and_arguments_are_one_line_errors_that_change_nothing() {
    let env = Env::new();
    let fw = env.write("framework.toml", MINI);
    env.ics(&["load", fw.to_str().unwrap()]).ok();
    let before = env.fingerprint();
    env.ics(&["report", "--out", "no/such/folder/r.html"])
        .fails()
        .stderr_has("the folder `no/such/folder` does not exist");
    env.ics(&["report", "--out", "ics.db"])
        .fails()
        .stderr_has("`ics.db` is the database this command uses")
        .stderr_has("help: ");
    std::fs::create_dir(env.path("sub")).unwrap();
    env.ics(&["report", "--out", "sub"])
        .fails()
        .stderr_has("is a folder");
    env.ics(&["report", "--node", "O9", "--out", "r.html"])
        .fails()
        .stderr_has("no goal, objective or DO with code `O9`");
    env.ics(&["report", "--period", "FY20x", "--out", "r.html"])
        .fails();
    env.ics(&["report", "--version", "nope", "--out", "r.html"])
        .fails();
    assert_eq!(env.fingerprint(), before);
    assert!(!env.path("r.html").exists());
    let empty = Env::new();
    empty
        .ics(&["report", "--out", "r.html"])
        .fails()
        .stderr_has("no database at `ics.db`");
    assert_eq!(fingerprint(&empty.db()), "<none>");
}

#[test]
fn an_earlier_report_is_replaced_whole_and_no_temporary_file_is_left() {
    let env = Env::new();
    let fw = env.write("framework.toml", MINI);
    env.ics(&["load", fw.to_str().unwrap()]).ok();
    // A real earlier page, marked so its replacement shows.
    env.ics(&["report", "--out", "r.html"]).ok();
    let earlier = std::fs::read_to_string(env.path("r.html")).unwrap();
    env.write("r.html", &format!("{earlier}<p>old</p>"));
    env.ics(&["report", "--out", "r.html"]).ok();
    let page = std::fs::read_to_string(env.path("r.html")).unwrap();
    assert!(page.contains("Mini strategy") && !page.contains("old</p>"));
    let names: BTreeSet<String> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("ics.db"))
        .collect();
    assert_eq!(
        names,
        BTreeSet::from(["framework.toml".into(), "r.html".into()])
    );
}

const QUARTERLY: &str = r#"
[strategy]
code = "q"
title = "Quarterly strategy"
version = "v1"
start = "FY2023"
end = "FY2025"

[[goal]]
code = "G1"
title = "Goal one"

  [[goal.indicator]]
  code = "VIS"
  title = "Clinic visits"
  unit = "visits"
  direction = "increase"
  frequency = "quarterly"
  baseline = { period = "FY2023", value = 10 }
  disaggregations = { sex = ["female", "male"] }
  targets = { FY2024Q1 = 4, FY2024Q2 = 4, FY2024Q3 = 4, FY2024Q4 = 4 }

  [[goal.indicator]]
  code = "POV"
  title = "Extreme poverty"
  unit = "percent"
  direction = "decrease"
  targets = { FY2024 = 33 }
"#;

/// The text of the card of `code`.
fn card_text(doc: &dom::Doc, code: &str) -> String {
    let id = format!("i-{code}");
    doc.all("article")
        .find(|a| a.attrs.get("id") == Some(&id))
        .unwrap()
        .text
        .clone()
}

#[test]
fn a_quarter_review_charts_the_quarters_with_their_targets() {
    let env = Env::new();
    let fw = env.write("framework.toml", QUARTERLY);
    env.ics(&["load", fw.to_str().unwrap()]).ok();
    env.ics(&["record", "VIS", "FY2024Q1", "5"]).ok();
    env.ics(&["record", "VIS", "FY2024Q2", "4"]).ok();
    env.ics(&["record", "VIS", "FY2024Q3", "0"]).ok();
    env.ics(&["record", "POV", "FY2024", "40"]).ok();
    env.ics(&["report", "--period", "FY2024Q3", "--out", "q.html"])
        .ok()
        .stdout_has("Wrote the FY2024Q3 review")
        .stdout_has("1 needing an explanation");
    let doc = parse_page(&env.path("q.html"));
    // 0 against the quarter's target of 4 (not the yearly baseline of 10) is short.
    let vis = card_text(&doc, "VIS");
    assert!(vis.contains("▼ short"), "{vis}");
    assert!(vis.contains("Target FY2024Q34 visits"), "{vis}");
    let chart = doc
        .els
        .iter()
        .find(|e| e.svg && e.attrs.get("data-indicator").map(String::as_str) == Some("VIS"))
        .unwrap();
    assert_eq!(chart.attrs["data-by"], "quarter");
    for q in ["FY2024Q1", "FY2024Q2", "FY2024Q3", "FY2024Q4"] {
        assert!(chart.text.contains(q), "{q} on the axis: {}", chart.text);
    }
    assert!(chart.text.contains("FY2024Q3: actual 0, target 4"));
    assert!(
        !chart.text.contains("FY2023:"),
        "no whole years: {}",
        chart.text
    );
    // The yearly indicator has no quarter: it keeps its fiscal years, and says so.
    let pov = doc
        .els
        .iter()
        .find(|e| e.svg && e.attrs.get("data-indicator").map(String::as_str) == Some("POV"))
        .unwrap();
    assert_eq!(pov.attrs["data-by"], "fiscal year");
    assert!(card_text(&doc, "POV").contains("charted by fiscal year"));
    // The year's review: the year made of its quarters, judged against the target to date.
    env.ics(&["report", "--period", "FY2024", "--out", "y.html"])
        .ok();
    let doc = parse_page(&env.path("y.html"));
    let vis = card_text(&doc, "VIS");
    assert!(
        vis.contains("Judged againstthe target to date: 12 visits, quarters 1-3 reported"),
        "{vis}"
    );
    assert!(
        vis.contains("9 visits (quarters 1-3 of 4 reported, a partial year)"),
        "{vis}"
    );
    assert!(vis.contains("Deviation-25.0%"), "{vis}");
}

#[test]
fn a_short_lower_is_better_indicator_is_short_and_drawn_above_its_target() {
    let env = Env::new();
    let fw = env.write("framework.toml", QUARTERLY);
    env.ics(&["load", fw.to_str().unwrap()]).ok();
    env.ics(&["record", "POV", "FY2024", "40"]).ok();
    env.ics(&["report", "--period", "FY2024", "--out", "r.html"])
        .ok();
    let html = std::fs::read_to_string(env.path("r.html")).unwrap();
    let doc = parse_page(&env.path("r.html"));
    let pov = card_text(&doc, "POV");
    assert!(
        pov.contains("▼ short") && pov.contains("Deviation+21.2%"),
        "{pov}"
    );
    assert!(pov.contains("lower is better"));
    assert!(!pov.contains("above") && !pov.contains("exceeded"), "{pov}");
    let svg = &html[html.find(r#"data-indicator="POV""#).unwrap()..];
    let svg = &svg[..svg.find("</svg>").unwrap()];
    assert!(svg.contains("↓ lower is better"));
    let attr = |class: &str, name: &str| -> f64 {
        let at = svg.find(&format!("class=\"{class}\"")).unwrap();
        let el = &svg[svg[..at].rfind('<').unwrap()..at];
        let rest = &el[el.find(&format!(" {name}=\"")).unwrap() + name.len() + 3..];
        rest[..rest.find('"').unwrap()].parse().unwrap()
    };
    // Worse when higher: the bar rises past the target line (smaller y is higher).
    assert!(attr("bar", "y") < attr("target", "y1"), "{svg}");
}

#[test]
fn a_total_recorded_only_by_sex_is_derived_on_the_page() {
    let env = Env::new();
    let fw = env.write("framework.toml", QUARTERLY);
    env.ics(&["load", fw.to_str().unwrap()]).ok();
    env.ics(&["record", "VIS", "FY2024Q1", "3", "--disagg", "sex=female"])
        .ok();
    env.ics(&["record", "VIS", "FY2024Q1", "2", "--disagg", "sex=male"])
        .ok();
    env.ics(&["report", "--period", "FY2024Q1", "--out", "r.html"])
        .ok();
    let doc = parse_page(&env.path("r.html"));
    let vis = card_text(&doc, "VIS");
    assert!(vis.contains("5 visits (total derived from sex)"), "{vis}");
    assert!(vis.contains("▲ exceeded"), "5 against 4: {vis}");
    assert_eq!(doc.charts(), vec!["VIS"]);
}
