//! `ics pirs`: Performance Indicator Reference Sheets of the demo strategy as markdown and HTML,
//! the change history of an indicator across stored versions, errors, and the two lint rules
//! that read the PIRS fields (`pirs-incomplete`, `dqa-overdue`).

use crate::common::{repo_file, Env, MINI};

/// The shipped strategy and its sample values.
fn demo() -> Env {
    let env = Env::new();
    env.load_shipped();
    let csv = repo_file("examples/peru-values.csv");
    env.ics(&["import-values", csv.to_str().unwrap()]).ok();
    env
}

/// The sheets of `markdown`, split at their headings.
fn sheets(markdown: &str) -> Vec<&str> {
    markdown
        .split("# Performance Indicator Reference Sheet: ")
        .skip(1)
        .collect()
}

#[test]
fn every_demo_indicator_has_a_sheet_with_its_real_values() {
    let env = demo();
    let run = env.ics(&["pirs"]).ok();
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let all = sheets(&run.stdout);
    assert_eq!(all.len(), 12, "{}", run.stdout);
    let trade = all
        .iter()
        .find(|s| s.starts_with("`IND-TRADE-GOODS`"))
        .expect("IND-TRADE-GOODS sheet");
    for section in [
        "## Indicator",
        "## Description",
        "## Plan for data acquisition",
        "## Data quality",
        "## Baseline and targets",
        "### Targets",
        "## Changes to the indicator",
    ] {
        assert!(trade.contains(section), "{section}\n{trade}");
    }
    for row in [
        "| Indicator | Two-way trade in goods between the United States and Peru |",
        "| Code | `IND-TRADE-GOODS` |",
        "| Measures | Mission Objective `MO3.1`: Peru expands inclusive economic opportunity",
        "| Path | `MG3` › `MO3.1` |",
        "| Precise definition | Value of U.S. goods exports to Peru plus U.S. goods imports from Peru in the year, in billions of U.S. dollars. |",
        "| Unit of measure | USD billion (higher is better) |",
        "| Baseline | 9.1 (FY2009) |",
        "| FY2019 | 18.5 |",
        "| FY2022 | 20 |",
        "| Illustrative | yes: the targets are illustrative |",
        // The shipped strategy states none of the new fields: they are not invented.
        "| Rationale | *not stated* |",
        "| Method of data collection and construction | *not stated* |",
        "| Responsible office | *not stated* |",
        "| Date of last Data Quality Assessment | *not stated* |",
        "| Known data limitations | *not stated* |",
        "| Rationale for the baseline | *not stated* |",
        "| Rationale for the targets | *not stated* |",
        "No earlier version is stored, so no change is recorded.",
    ] {
        assert!(trade.contains(row), "{row}\n{trade}");
    }
    // A DO's indicator names the Mission Objectives its DO supports, and a Mission
    // Objective's indicator the DOs that support it.
    let find = |code: &str| {
        *all.iter()
            .find(|s| s.starts_with(&format!("`{code}`")))
            .expect("sheet")
    };
    let xpov = find("IND-XPOV-TARGET");
    assert!(
        xpov.contains("| Measures | Development Objective `DO1`: Alternatives to Illicit Coca Cultivation Increased in Targeted Regions |"),
        "{xpov}"
    );
    assert!(
        xpov.contains(
            "| Supports Mission Objectives | Mission Objective `MO2.2`: Peru sustains coca"
        ),
        "{xpov}"
    );
    let coca = find("IND-COCA-MONZON");
    assert!(
        coca.contains(
            "| Supported by DOs | Development Objective `DO1`: Alternatives to Illicit Coca"
        ),
        "{coca}"
    );
    // Named codes only, in the order given.
    let run = env.ics(&["pirs", "IND-POVERTY", "IND-TRADE-GOODS"]).ok();
    let two = sheets(&run.stdout);
    assert_eq!(two.len(), 2);
    assert!(two[0].starts_with("`IND-POVERTY`") && two[1].starts_with("`IND-TRADE-GOODS`"));
}

#[test]
fn the_html_page_escapes_text_and_prints_one_sheet_per_page() {
    let env = Env::new();
    let text = MINI.replace(
        "title = \"Indicator one\"",
        "title = \"<script>alert('x')</script> & more\"\n    rationale = \"Line one\\nline <b>two</b>\"\n    dqa_date = 2024-03-15",
    ).replace(
        "supports = [\"O1\"]",
        "supports = [\"O1\"]\n\n  [[development_objective.indicator]]\n  code = \"I2\"\n  title = \"Two\"\n  unit = \"people\"\n  direction = \"increase\"",
    );
    let f = env.write("f.toml", &text);
    env.ics(&["load", f.to_str().unwrap()]).ok();
    env.ics(&["pirs", "--format", "html", "--out", "pirs.html"])
        .ok()
        .stdout_has("wrote `pirs.html`: 2 reference sheets from version `v1`");
    let page = std::fs::read_to_string(env.path("pirs.html")).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(!page.contains("<script"), "{page}");
    assert!(!page.contains("<b>two</b>"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more"));
    assert!(page.contains("line &lt;b&gt;two&lt;/b&gt;"));
    assert!(page.contains("2024-03-15"));
    assert_eq!(page.matches("<section class=\"sheet\">").count(), 2);
    assert!(page.contains(".sheet { page-break-after: always; break-after: page; }"));
    // Self-contained: inline CSS, nothing fetched, no script.
    assert!(page.contains("<style>"));
    for banned in ["<link", "src=", "http://", "https://"] {
        assert!(!page.contains(banned), "{banned}");
    }
    // An earlier page of sheets is replaced; a file that is not one is kept.
    env.ics(&["pirs", "--format", "html", "--out", "pirs.html"])
        .ok();
    env.write("notes.html", "<html><body>mine</body></html>");
    env.ics(&["pirs", "--format", "html", "--out", "notes.html"])
        .fails()
        .stderr_has("not reference sheets (HTML) written by ics");
    assert_eq!(
        std::fs::read_to_string(env.path("notes.html")).unwrap(),
        "<html><body>mine</body></html>"
    );
    // A review page is not a page of sheets, nor the other way round.
    env.ics(&["report", "--out", "pirs.html"])
        .fails()
        .stderr_has("not a review page written by ics");
    // HTML only to a file; markdown to a file too.
    env.ics(&["pirs", "--format", "html"])
        .fails()
        .stderr_has("`--format html` writes a file; it needs `--out FILE.html`");
    env.ics(&["pirs", "--out", "pirs.md"]).ok();
    let md = std::fs::read_to_string(env.path("pirs.md")).unwrap();
    assert!(
        md.starts_with("<!-- reference sheets written by ics "),
        "{md}"
    );
    assert!(
        md.contains("| Rationale | Line one line \\<b\\>two\\</b\\> |"),
        "{md}"
    );
    env.ics(&["pirs", "--out", "pirs.md"]).ok();
    // The framework file it was loaded from is never replaced.
    env.ics(&["pirs", "--out", "f.toml"]).fails();
    assert_eq!(std::fs::read_to_string(&f).unwrap(), text);
}

#[test]
fn the_change_history_shows_each_version_where_the_indicator_changed() {
    let env = Env::new();
    let v1 = env.write("v1.toml", MINI);
    let v2 = env.write(
        "v2.toml",
        &MINI
            .replace("version = \"v1\"", "version = \"v2\"")
            .replace("FY2021 = 30", "FY2021 = 35, FY2022 = 40"),
    );
    let v3 = env.write(
        "v3.toml",
        &MINI
            .replace("version = \"v1\"", "version = \"v3\"")
            .replace("FY2021 = 30", "FY2021 = 35, FY2022 = 40")
            .replace("title = \"Goal one\"", "title = \"Goal one, renamed\""),
    );
    let v4 = env.write(
        "v4.toml",
        &MINI
            .replace("version = \"v1\"", "version = \"v4\"")
            .replace("FY2021 = 30", "FY2021 = 35, FY2022 = 40")
            .replace("title = \"Goal one\"", "title = \"Goal one, renamed\"")
            .replace(
                "baseline = { period = \"FY2019\", value = 10 }",
                "baseline = { period = \"FY2019\", value = 12 }\n    definition = \"People trained.\"",
            )
            .replace("unit = \"people\"", "unit = \"persons\""),
    );
    for (f, label) in [(&v1, "v1"), (&v2, "v2"), (&v3, "v3"), (&v4, "v4")] {
        env.ics(&["load", f.to_str().unwrap(), "--label", label])
            .ok();
    }
    let md = env.ics(&["pirs", "I1"]).ok().stdout;
    let changes = md.split("## Changes to the indicator").nth(1).unwrap();
    assert_eq!(
        changes.trim(),
        "- from version `v1` to `v2` (loaded 2026-01-15):\n  \
         - target FY2021: 30 → 35\n  \
         - target FY2022 added: 40\n\
         - from version `v3` to `v4` (loaded 2026-01-15):\n  \
         - unit: people → persons\n  \
         - baseline: 10 (FY2019) → 12 (FY2019)\n  \
         - definition added: “People trained.”",
        "{md}"
    );
    // The sheet of an older version shows only the history up to it.
    let md = env.ics(&["pirs", "I1", "--version", "v2"]).ok().stdout;
    assert!(md.contains("| FY2021 | 35 |"), "{md}");
    assert!(md.contains("target FY2021: 30 → 35"), "{md}");
    assert!(!md.contains("persons"), "{md}");
    let md = env.ics(&["pirs", "I1", "--version", "v1"]).ok().stdout;
    assert!(md.contains("No earlier version is stored"), "{md}");
    // The same changes as `ics diff` sees them.
    let diff = env.ics(&["diff", "v3", "v4", "--format", "json"]).json();
    let fields: Vec<&str> = diff["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["code"] == "I1")
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["unit", "baseline", "definition"]);
}

#[test]
fn pirs_fields_are_loaded_diffed_and_shown() {
    let env = Env::new();
    let v1 = env.write("v1.toml", MINI);
    let text = MINI
        .replace("version = \"v1\"", "version = \"v2\"")
        .replace(
            "direction = \"increase\"\n    baseline",
            "direction = \"increase\"\n    rationale = \"Training is the objective's first step.\"\n    \
             collection_method = \"Attendance sheets, counted once per person.\"\n    \
             responsible = \"Public Affairs Section\"\n    reporting_frequency = \"Annually, by 31 October\"\n    \
             data_quality_limitations = \"Self-reported by partners.\"\n    dqa_date = 2024-03-15\n    \
             baseline_rationale = \"The last year before the strategy.\"\n    \
             target_rationale = \"Ten more people a year.\"\n    baseline",
        );
    let v2 = env.write("v2.toml", &text);
    env.ics(&["load", v1.to_str().unwrap()]).ok();
    env.ics(&["load", v2.to_str().unwrap()]).ok();
    let md = env.ics(&["pirs", "I1"]).ok().stdout;
    for row in [
        "| Rationale | Training is the objective's first step. |",
        "| Method of data collection and construction | Attendance sheets, counted once per person. |",
        "| Frequency and timing of data acquisition | Annually, by 31 October |",
        "| Responsible office | Public Affairs Section |",
        "| Date of last Data Quality Assessment | 2024-03-15 |",
        "| Known data limitations | Self-reported by partners. |",
        "| Rationale for the baseline | The last year before the strategy. |",
        "| Rationale for the targets | Ten more people a year. |",
        "  - dqa date added: 2024-03-15",
        "  - responsible added: “Public Affairs Section”",
    ] {
        assert!(md.contains(row), "{row}\n{md}");
    }
    let diff = env
        .ics(&["diff", "@previous", "@latest", "--format", "json"])
        .json();
    let fields: Vec<&str> = diff["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["field"].as_str())
        .collect();
    assert_eq!(
        fields,
        [
            "version",
            "rationale",
            "collection_method",
            "responsible",
            "reporting_frequency",
            "data_quality_limitations",
            "dqa_date",
            "baseline_rationale",
            "target_rationale"
        ]
    );
    // The memo names them in words, prose with its text.
    let memo = env.ics(&["diff", "@previous", "@latest"]).stdout;
    for line in [
        "~ I1 rationale added\n      Training is the objective's first step.",
        "~ I1 collection method added",
        "~ I1 DQA date: (none) → 2024-03-15",
        "~ I1 target rationale added",
    ] {
        assert!(memo.contains(line), "{line}\n{memo}");
    }
    // The stored version is the file: no difference, and loading it again stores nothing.
    assert_eq!(env.ics(&["diff", "@latest", v2.to_str().unwrap()]).code, 0);
    env.ics(&["load", v2.to_str().unwrap()]).ok();
    assert_eq!(
        env.ics(&["versions", "--format", "json"])
            .json()
            .as_array()
            .unwrap()
            .len(),
        2
    );
    env.ics(&["check"]).ok();
}

#[test]
fn a_bad_dqa_date_is_a_located_load_error() {
    let env = Env::new();
    let text = MINI.replace(
        "direction = \"increase\"\n    baseline",
        "direction = \"increase\"\n    dqa_date = \"March 2024\"\n    baseline",
    );
    let f = env.write("bad.toml", &text);
    env.ics(&["load", f.to_str().unwrap()])
        .fails()
        .stderr_has("bad.toml:22:16: `dqa_date` must be a date like 2018-08-08, not `March 2024`");
    assert_eq!(env.fingerprint(), "<none>");
}

#[test]
fn unknown_codes_and_versions_are_errors() {
    let env = demo();
    let run = env.ics(&["pirs", "IND-TRADE-GOOD"]).fails();
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr
            .contains("error: unknown indicator `IND-TRADE-GOOD`; did you mean `IND-TRADE-GOODS`"),
        "{}",
        run.stderr
    );
    env.ics(&["pirs", "--version", "nope"])
        .fails()
        .stderr_has("no version labelled `nope`");
    Env::new().ics(&["pirs"]).fails().stderr_has("no database");
    // A node's code names what it is and the indicators under it.
    env.ics(&["pirs", "MO3.1"])
        .fails()
        .stderr_has("error: `MO3.1` is a Mission Objective, not an indicator")
        .stderr_has("help: its own indicators: `IND-TRADE-GOODS`, `IND-TRADE-AGFOOD`");
    env.ics(&["pirs", "MG1"])
        .fails()
        .stderr_has("error: `MG1` is a Mission Goal, not an indicator");
}

// ---- the lint rules ------------------------------------------------------------------------

/// MINI with one value in `period` for I1 and the given extra fields on I1.
fn linted(env: &Env, fields: &str, period: &str, settings: &str) -> serde_json::Value {
    let text = MINI
        .replace(
            "direction = \"increase\"\n    baseline",
            &format!("direction = \"increase\"\n{fields}\n    baseline"),
        )
        .replace("[[goal]]", &format!("{settings}\n[[goal]]"));
    let f = env.write("f.toml", &text);
    env.ics(&["load", f.to_str().unwrap()]).ok();
    let csv = env.write(
        "values.csv",
        &format!("indicator,period,value\nI1,{period},25\n"),
    );
    env.ics(&["import-values", csv.to_str().unwrap()]).ok();
    env.ics(&["lint", "--format", "json"]).json()
}

fn findings(json: &serde_json::Value, rule: &str) -> Vec<serde_json::Value> {
    json.as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .cloned()
        .collect()
}

const ALL_PIRS: &str = "    rationale = \"R\"\n    collection_method = \"C\"\n    responsible = \"O\"\n    \
    reporting_frequency = \"F\"\n    data_quality_limitations = \"L\"\n    baseline_rationale = \"B\"\n    \
    target_rationale = \"T\"";

#[test]
fn pirs_incomplete_fires_lists_the_fields_and_can_be_switched_off() {
    let env = Env::new();
    let json = linted(&env, "    rationale = \"R\"", "FY2020", "");
    let f = findings(&json, "pirs-incomplete");
    assert_eq!(f.len(), 1, "{json:#}");
    assert_eq!(f[0]["code"], "I1");
    assert_eq!(f[0]["kind"], "indicator");
    assert_eq!(
        f[0]["message"],
        "the reference sheet (PIRS) of indicator `I1` does not state `collection_method`, `reporting_frequency`, `responsible`, `baseline_rationale`, `target_rationale`, `data_quality_limitations` and `dqa_date`"
    );
    // The JSON shape is unchanged.
    let mut keys: Vec<&str> = f[0]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    keys.sort();
    assert_eq!(keys, ["code", "fix", "kind", "message", "rule"]);

    let env = Env::new();
    let json = linted(
        &env,
        &format!("{ALL_PIRS}\n    dqa_date = 2025-01-01"),
        "FY2020",
        "",
    );
    assert!(findings(&json, "pirs-incomplete").is_empty(), "{json:#}");

    let env = Env::new();
    let json = linted(
        &env,
        "",
        "FY2020",
        "[settings.lint]\npirs-incomplete = false\n",
    );
    assert!(findings(&json, "pirs-incomplete").is_empty(), "{json:#}");
    let text = env.ics(&["lint"]).stdout;
    assert!(text.contains("switched off: pirs-incomplete"), "{text}");
}

#[test]
fn dqa_overdue_follows_today_and_can_be_switched_off() {
    // Today is 2026-01-15 (FY2026): values in FY2024-FY2026 need a DQA since 2023-01-15.
    let env = Env::new();
    let json = linted(
        &env,
        &format!("{ALL_PIRS}\n    dqa_date = 2022-12-31"),
        "FY2024",
        "",
    );
    let f = findings(&json, "dqa-overdue");
    assert_eq!(f.len(), 1, "{json:#}");
    assert_eq!(
        f[0]["message"],
        "indicator `I1` has values for FY2024 but its last Data Quality Assessment was on 2022-12-31, more than 3 years ago"
    );
    assert_eq!(
        f[0]["fix"],
        "assess the quality of its data, then set `dqa_date = 2026-01-15` (the day of the assessment) on `I1` in f.toml"
    );
    // On the last day of FY2026 FY2024 is still among the last three fiscal years; on the
    // first day of FY2027 it is not.
    let run = env.ics_env(
        &["lint", "--format", "json"],
        &[("ICS_NOW", "2026-09-30T23:00:00Z")],
    );
    assert_eq!(findings(&run.json(), "dqa-overdue").len(), 1);
    let run = env.ics_env(
        &["lint", "--format", "json"],
        &[("ICS_NOW", "2026-10-01T00:00:00Z")],
    );
    assert!(findings(&run.json(), "dqa-overdue").is_empty());

    // No DQA at all.
    let env = Env::new();
    let json = linted(&env, ALL_PIRS, "FY2025", "");
    let f = findings(&json, "dqa-overdue");
    assert_eq!(
        f[0]["message"],
        "indicator `I1` has values for FY2025 but no Data Quality Assessment on record"
    );
    // A recent DQA, or only old values: nothing due.
    let env = Env::new();
    let json = linted(
        &env,
        &format!("{ALL_PIRS}\n    dqa_date = 2023-01-15"),
        "FY2024",
        "",
    );
    assert!(findings(&json, "dqa-overdue").is_empty(), "{json:#}");
    let env = Env::new();
    let json = linted(&env, ALL_PIRS, "FY2023", "");
    assert!(findings(&json, "dqa-overdue").is_empty(), "{json:#}");
    // Switched off.
    let env = Env::new();
    let json = linted(
        &env,
        ALL_PIRS,
        "FY2025",
        "[settings.lint]\ndqa-overdue = false\n",
    );
    assert!(findings(&json, "dqa-overdue").is_empty(), "{json:#}");
}
