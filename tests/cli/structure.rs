//! Issue 15: the rest of the ICS and CDCS structure. A framework using every new key
//! (`linkages`, `risks`, `aligns_with`, `hypothesis`, `supported_by`, `supports` on results,
//! `[cdcs]`) loads, and its tree (text and JSON), review page, PIRS and diff show each key;
//! links written from either side mean one link; the messages name kinds with their article.

use crate::common::{Env, MINI};

/// Every new key at least once. `O1` is supported by `IR1.1` from its own side and by `D1`
/// from the DO's side; the sub-objective `O1.1` is supported by `D1` from its side, and also
/// from the DO's (one link); the sub-result supports `O2`.
pub const FULL: &str = r#"
[strategy]
code = "full"
title = "Full strategy"
version = "v1"
start = "FY2021"
end = "FY2025"

[cdcs]
title = "Peru CDCS 2020-2025"
goal = "A more prosperous, secure & democratic Peru."
start = 2020-12-15
end = "FY2025"
approved = 2020-12-10

[[goal]]
code = "G1"
title = "Goal one"
description = "Goal text."
linkages = "Goal linkages."
risks = "Goal risks."

  [[goal.objective]]
  code = "O1"
  title = "Objective one"
  justification = "Why one."
  linkages = "Links to DO1 <and> JRS."
  risks = "Risk of <script>alert(1)</script>."
  supported_by = ["IR1.1"]
  aligns_with = [{ strategy = "JRS WHA", code = "BO 2.3", title = "Security" }, { strategy = "JSP", code = "Pillar 1" }]

    [[goal.objective.indicator]]
    code = "I1"
    title = "Indicator one"
    unit = "people"
    direction = "increase"
    baseline = { period = "FY2020", value = 10 }
    targets = { FY2021 = 20, FY2022 = 30 }

    [[goal.objective.sub_objective]]
    code = "O1.1"
    title = "Sub-objective"
    supported_by = ["D1"]

  [[goal.objective]]
  code = "O2"
  title = "Objective two"

[[development_objective]]
code = "D1"
title = "Development objective one"
hypothesis = "If trade grows, then incomes rise."
supports = ["O1", "O1.1"]

  [[development_objective.indicator]]
  code = "DI1"
  title = "DO indicator"
  unit = "USD"
  direction = "increase"
  targets = { FY2021 = 5 }

  [[development_objective.result]]
  code = "IR1.1"
  title = "Result one"

    [[development_objective.result.indicator]]
    code = "RI1"
    title = "Result indicator"
    unit = "firms"
    direction = "increase"
    targets = { FY2021 = 3 }

    [[development_objective.result.sub_result]]
    code = "SR1.1.1"
    title = "Sub-result"
    supports = ["O2"]

[[theme]]
code = "T1"
title = "Theme"
applies_to = ["G1"]
"#;

fn loaded(text: &str) -> Env {
    let env = Env::new();
    env.write("full.toml", text);
    env.ics(&["load", "full.toml"]).ok();
    env
}

fn node<'a>(nodes: &'a serde_json::Value, code: &str) -> &'a serde_json::Value {
    fn find<'a>(v: &'a serde_json::Value, code: &str) -> Option<&'a serde_json::Value> {
        for n in v.as_array()? {
            if n["code"] == code {
                return Some(n);
            }
            if let Some(found) = find(&n["children"], code) {
                return Some(found);
            }
        }
        None
    }
    find(nodes, code).unwrap_or_else(|| panic!("no node {code}"))
}

#[test]
fn a_framework_with_every_new_key_shows_each_in_the_json_tree() {
    let env = loaded(FULL);
    let json = env.ics(&["tree", "--format", "json"]).ok().json();
    let cdcs = &json["strategy"]["cdcs"];
    assert_eq!(cdcs["title"], "Peru CDCS 2020-2025");
    assert_eq!(cdcs["goal"], "A more prosperous, secure & democratic Peru.");
    assert_eq!(cdcs["start"], "2020-12-15");
    assert_eq!(cdcs["end"], "FY2025");
    assert_eq!(cdcs["approved"], "2020-12-10");
    let nodes = &json["nodes"];
    let g1 = node(nodes, "G1");
    assert_eq!(g1["linkages"], "Goal linkages.");
    assert_eq!(g1["risks"], "Goal risks.");
    let o1 = node(nodes, "O1");
    assert_eq!(o1["justification"], "Why one.");
    assert_eq!(o1["linkages"], "Links to DO1 <and> JRS.");
    assert_eq!(o1["aligns_with"][0]["strategy"], "JRS WHA");
    assert_eq!(o1["aligns_with"][0]["code"], "BO 2.3");
    assert_eq!(o1["aligns_with"][0]["title"], "Security");
    assert_eq!(o1["aligns_with"][1]["code"], "Pillar 1");
    assert!(o1["aligns_with"][1].get("title").is_none());
    // Links from either side, listed on both of their nodes.
    assert_eq!(o1["supported_by"], serde_json::json!(["D1", "IR1.1"]));
    assert_eq!(
        node(nodes, "O1.1")["supported_by"],
        serde_json::json!(["D1"])
    );
    assert_eq!(
        node(nodes, "O2")["supported_by"],
        serde_json::json!(["SR1.1.1"])
    );
    let d1 = node(nodes, "D1");
    assert_eq!(d1["hypothesis"], "If trade grows, then incomes rise.");
    assert_eq!(d1["supports"], serde_json::json!(["O1", "O1.1"]));
    assert_eq!(node(nodes, "IR1.1")["supports"], serde_json::json!(["O1"]));
    assert_eq!(
        node(nodes, "SR1.1.1")["supports"],
        serde_json::json!(["O2"])
    );
}

#[test]
fn the_text_tree_shows_links_from_either_side_and_alignments() {
    let env = loaded(FULL);
    let run = env
        .ics_env(&["tree"], &[("COLUMNS", "200"), ("NO_COLOR", "1")])
        .ok();
    let out = &run.stdout;
    for line in [
        "≈ aligns with JRS WHA BO 2.3: Security\n",
        "≈ aligns with JSP Pillar 1\n",
        "⇠ supported by D1 Development objective one",
        "⇠ supported by IR1.1 Result one",
        "⇠ supported by SR1.1.1 Sub-result",
        "⇢ supports O1 Objective one",
        "⇢ supports O1.1 Sub-objective",
        "⇢ supports O2 Objective two",
    ] {
        assert!(out.contains(line), "{line:?} not in:\n{out}");
    }
    // `IR1.1` supports `O1` (written on `O1`): shown under the result too.
    let ir = out
        .lines()
        .position(|l| l.contains("IR1.1 Result one") && !l.contains('⇠'))
        .unwrap();
    assert!(
        out.lines().nth(ir + 1).unwrap().contains("⇢ supports O1"),
        "{out}"
    );
}

#[test]
fn the_review_page_shows_each_nodes_sections_in_a_details_block() {
    let env = loaded(FULL);
    env.ics(&["report", "--period", "FY2021", "--out", "r.html"])
        .ok();
    let html = std::fs::read_to_string(env.path("r.html")).unwrap();
    assert!(!html.contains("<script"), "no script, and text escaped");
    assert!(html.contains("Risk of &lt;script&gt;alert(1)&lt;/script&gt;."));
    assert!(html
        .contains("<details class=\"prose\"><summary>Justification, linkages and risks</summary>"));
    assert!(html.contains("<p><bdi>Why one.</bdi></p>"));
    assert!(html.contains("<p><bdi>Links to DO1 &lt;and&gt; JRS.</bdi></p>"));
    assert!(html.contains("<summary>Description, linkages and risks</summary>"));
    assert!(html.contains("Development hypothesis</h"));
    assert!(html.contains("If trade grows, then incomes rise."));
    assert!(html.contains("≈ Aligns with <ul><li><bdi>JRS WHA</bdi> <span class=\"code\"><bdi>BO 2.3</bdi></span> <bdi>Security</bdi></li>"));
    // The CDCS in the header, its goal inside.
    assert!(html.contains("USAID Country Development Cooperation Strategy: <bdi>Peru CDCS 2020-2025</bdi> (2020-12-15 to FY2025, approved 2020-12-10)"), "{html}");
    assert!(html.contains("A more prosperous, secure &amp; democratic Peru."));
    // Links from either side: `O1` lists both supporters, the result lists what it supports.
    let o1 = &html[html.find("id=\"n-O1\"").expect("O1 section")..];
    let o1 = &o1[..o1.find("</section>").unwrap()];
    assert!(o1.contains("Supported by"), "{o1}");
    assert!(o1.contains("D1") && o1.contains("IR1.1"), "{o1}");
}

#[test]
fn the_pirs_names_what_the_measured_objective_aligns_with() {
    let env = loaded(FULL);
    let md = env.ics(&["pirs", "I1"]).ok().stdout;
    assert!(
        md.contains("| Aligns with | JRS WHA `BO 2.3`: Security; JSP `Pillar 1` |"),
        "{md}"
    );
    assert!(
        md.contains("| Supported by | Development Objective `D1`"),
        "{md}"
    );
}

#[test]
fn progress_counts_a_linked_result_with_its_do_once() {
    let env = loaded(FULL);
    let out = env
        .ics_env(
            &["progress", "--period", "FY2021"],
            &[("COLUMNS", "200"), ("NO_COLOR", "1")],
        )
        .ok()
        .stdout;
    // `G1` is supported by `D1` and by its results `IR1.1` (on `O1`) and `SR1.1.1` (on `O2`):
    // the indicators under `D1` (its own and the result's), each once.
    let g1 = out.lines().find(|l| l.starts_with("G1 ")).unwrap();
    assert!(
        g1.ends_with("linked D1: 2 indicators: 2 no data"),
        "{g1}\n{out}"
    );
    let o2 = out.lines().find(|l| l.trim_start().starts_with("O2 "));
    assert!(
        o2.is_none_or(|l| l.contains("linked SR1.1.1") || !l.contains("linked")),
        "{out}"
    );
}

#[test]
fn diff_shows_each_new_key() {
    let env = Env::new();
    env.write("a.toml", FULL);
    let b = FULL
        .replace("Goal linkages.", "Goal linkages, revised.")
        .replace("Goal risks.", "Goal risks, revised.")
        .replace("If trade grows", "If exports grow")
        .replace("code = \"Pillar 1\"", "code = \"Pillar 2\"")
        .replace("goal = \"A more prosperous", "goal = \"A more")
        .replace("end = \"FY2025\"\napproved", "end = \"FY2026\"\napproved")
        .replace("supports = [\"O2\"]", "supports = [\"O1.1\"]");
    env.write("b.toml", &b);
    let run = env.ics(&["diff", "a.toml", "b.toml", "--format", "json"]);
    let json = run.json();
    let changes: Vec<String> = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {} {} {}",
                c["change"].as_str().unwrap(),
                c["kind"].as_str().unwrap(),
                c["code"].as_str().unwrap_or("-"),
                c["field"].as_str().unwrap_or("-")
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            "modified strategy full cdcs.goal",
            "modified strategy full cdcs.end",
            "modified goal G1 linkages",
            "modified goal G1 risks",
            "modified objective O1 aligns_with",
            "modified development_objective D1 hypothesis",
            "unlinked sub_result SR1.1.1 supports",
            "linked sub_result SR1.1.1 supports",
        ],
        "{}",
        run.stdout
    );
    let memo = env.ics(&["diff", "a.toml", "b.toml"]).stdout;
    for words in [
        "CDCS goal changed",
        "CDCS end: FY2025 → FY2026",
        "G1 linkages changed",
        "G1 risks changed",
        "O1 aligns with: JRS WHA BO 2.3 (Security); JSP Pillar 1 → JRS WHA BO 2.3 (Security); JSP Pillar 2",
        "D1 development hypothesis changed",
        "SR1.1.1 no longer supports O2",
        "SR1.1.1 now supports O1.1",
    ] {
        assert!(memo.contains(words), "{words:?} not in:\n{memo}");
    }
}

#[test]
fn a_link_moved_from_one_side_to_the_other_is_no_change() {
    let env = Env::new();
    env.write("a.toml", FULL);
    // `IR1.1` → `O1` moves from the objective's side to the result's; `D1` → `O1.1` stops being
    // written twice.
    let b = FULL
        .replace("  supported_by = [\"IR1.1\"]\n", "")
        .replace(
            "  code = \"IR1.1\"\n  title = \"Result one\"\n",
            "  code = \"IR1.1\"\n  title = \"Result one\"\n  supports = [\"O1\"]\n",
        )
        .replace("    supported_by = [\"D1\"]\n", "");
    assert_ne!(b, FULL);
    env.write("b.toml", &b);
    let run = env
        .ics(&["diff", "a.toml", "b.toml", "--format", "json"])
        .ok();
    assert_eq!(
        run.json()["changes"],
        serde_json::json!([]),
        "{}",
        run.stdout
    );
    // Stored, the two files are one version: the same content.
    env.ics(&["load", "a.toml"]).ok();
    env.ics(&["load", "b.toml", "--label", "v2"])
        .ok()
        .stdout_has("unchanged");
}

#[test]
fn a_link_written_on_both_sides_is_one_link() {
    let env = loaded(FULL);
    let json = env.ics(&["tree", "--format", "json"]).ok().json();
    // `D1` → `O1.1` is written on both `D1` and `O1.1`.
    assert_eq!(
        node(&json["nodes"], "O1.1")["supported_by"],
        serde_json::json!(["D1"])
    );
    assert_eq!(
        node(&json["nodes"], "D1")["supports"],
        serde_json::json!(["O1", "O1.1"])
    );
}

#[test]
fn an_intermediate_result_may_support_a_mission_objective() {
    let text = MINI.replace(
        "supports = [\"O1\"]",
        "\n  [[development_objective.result]]\n  code = \"IR1\"\n  title = \"Result\"\n  supports = [\"O1\"]\n",
    );
    let env = loaded(&text);
    let json = env.ics(&["tree", "--format", "json"]).ok().json();
    assert_eq!(
        node(&json["nodes"], "O1")["supported_by"],
        serde_json::json!(["IR1"])
    );
    // And from the objective's side.
    let text = MINI
        .replace(
            "supports = [\"O1\"]",
            "\n  [[development_objective.result]]\n  code = \"IR1\"\n  title = \"Result\"\n",
        )
        .replace(
            "title = \"Objective one\"",
            "title = \"Objective one\"\n  supported_by = [\"IR1\"]",
        );
    let env = loaded(&text);
    let json = env.ics(&["tree", "--format", "json"]).ok().json();
    assert_eq!(
        node(&json["nodes"], "IR1")["supports"],
        serde_json::json!(["O1"])
    );
}

fn refused(text: &str, message: &str) {
    let env = Env::new();
    env.write("bad.toml", text);
    let run = env.ics(&["load", "bad.toml"]).fails();
    assert!(
        run.stderr.contains(message),
        "{message:?} not in:\n{}",
        run.stderr
    );
}

const LINK_RULE: &str = "a link joins a Development Objective, Intermediate Result or sub-result (`supports`) to a Mission Objective or sub-objective (`supported_by`)";

#[test]
fn links_between_the_wrong_kinds_are_refused_naming_the_kinds() {
    // A DO supporting a goal.
    refused(
        &MINI.replace("supports = [\"O1\"]", "supports = [\"G1\"]"),
        &format!("`D1` supports `G1`, a Mission Goal; {LINK_RULE}"),
    );
    // An objective supported by a goal.
    refused(
        &MINI.replace(
            "title = \"Objective one\"",
            "title = \"Objective one\"\n  supported_by = [\"G1\"]",
        ),
        &format!("`O1` is supported by `G1`, a Mission Goal; {LINK_RULE}"),
    );
    // An Intermediate Result supporting another result.
    refused(
        &MINI.replace(
            "supports = [\"O1\"]",
            "\n  [[development_objective.result]]\n  code = \"IR1\"\n  title = \"R\"\n  supports = [\"IR1\"]\n",
        ),
        &format!("`IR1` supports `IR1`, an Intermediate Result; {LINK_RULE}"),
    );
    // `supported_by` on a goal is not a key of a goal.
    refused(
        &MINI.replace(
            "title = \"Goal one\"",
            "title = \"Goal one\"\nsupported_by = [\"D1\"]",
        ),
        "unknown key `supported_by` in a Mission Goal",
    );
    // An unknown code from the objective's side.
    refused(
        &MINI.replace(
            "title = \"Objective one\"",
            "title = \"Objective one\"\n  supported_by = [\"D9\"]",
        ),
        "`O1` is supported by `D9`, which is not a code in this file",
    );
}

#[test]
fn messages_use_an_before_intermediate_result() {
    refused(
        &MINI.replace(
            "supports = [\"O1\"]",
            "\n  [[development_objective.result]]\n  code = \"IR1\"\n  title = \"R\"\n  owner = \"x\"\n",
        ),
        "unknown key `owner` in an Intermediate Result",
    );
}

#[test]
fn a_code_of_the_wrong_kind_names_its_kind() {
    let theme = "\n[[theme]]\ncode = \"T1\"\ntitle = \"Theme\"\napplies_to = [\"I1\"]\n";
    refused(
        &format!("{MINI}{theme}"),
        "`I1` is an indicator; `applies_to` takes node codes",
    );
    refused(
        &MINI.replace("supports = [\"O1\"]", "supports = [\"I1\"]"),
        "`I1` is an indicator; `supports` takes node codes",
    );
}

#[test]
fn a_theme_cannot_apply_to_a_theme() {
    let themes = "\n[[theme]]\ncode = \"T1\"\ntitle = \"One\"\napplies_to = [\"G1\"]\n\n[[theme]]\ncode = \"T2\"\ntitle = \"Two\"\napplies_to = [\"T1\"]\n";
    refused(
        &format!("{MINI}{themes}"),
        "`T2` applies to `T1`, a cross-cutting theme; a theme applies to goals, objectives and results, not to another theme",
    );
}

#[test]
fn the_new_keys_are_checked() {
    refused(
        &MINI.replace(
            "title = \"Goal one\"",
            "title = \"Goal one\"\nhypothesis = \"H\"",
        ),
        "unknown key `hypothesis` in a Mission Goal",
    );
    refused(
        &MINI.replace(
            "title = \"Goal one\"",
            "title = \"Goal one\"\naligns_with = [{ strategy = \"JSP\" }]",
        ),
        "an `aligns_with` entry needs a `code`",
    );
    refused(
        &MINI.replace(
            "[[goal]]",
            "[cdcs]\nstart = \"FY2026\"\nend = 2021-01-01\n\n[[goal]]",
        ),
        "the CDCS ends (2021-01-01) before it starts (FY2026)",
    );
    refused(
        &MINI.replace("[[goal]]", "[cdcs]\nstart = \"soon\"\n\n[[goal]]"),
        "`start` must be a fiscal year like \"FY2021\" or a date like 2020-12-15, not `soon`",
    );
    refused(
        &MINI.replace("[[goal]]", "[cdcs]\nowner = \"USAID\"\n\n[[goal]]"),
        "unknown key `owner` in `[cdcs]`",
    );
}
