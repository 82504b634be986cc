//! Integration tests: `ics diff` (issue 5). Pairs of frameworks are built from `MINI` by small
//! edits, and each test asserts the exact change list (docs/decisions.md items 18-20).
//!
//! A change is written compactly as its six contract values in order, each as JSON
//! (`change kind code field old new`), so `null`, strings and numbers stay distinct:
//! `modified indicator "I1" "targets.FY2021" 30 null`.

use serde_json::{json, Value};

#[allow(unused_imports)]
use crate::common::*;

/// Write `old` and `new` as a.toml and b.toml, diff them, and return the run.
fn diff_files(env: &Env, old: &str, new: &str, format: &str) -> Run {
    env.write("a.toml", old);
    env.write("b.toml", new);
    env.ics(&["diff", "a.toml", "b.toml", "--format", format])
}

/// One change object as `change kind code field old new`; asserts it has exactly the six keys.
#[track_caller]
fn compact(c: &Value) -> String {
    let keys: Vec<&String> = c
        .as_object()
        .expect("a change is an object")
        .keys()
        .collect();
    assert_eq!(keys.len(), 6, "{c}");
    let text = |k: &str| {
        c[k].as_str()
            .expect("change and kind are strings")
            .to_string()
    };
    format!(
        "{} {} {} {} {} {}",
        text("change"),
        text("kind"),
        c["code"],
        c["field"],
        c["old"],
        c["new"]
    )
}

/// The change list from `old` to `new`, compacted; asserts exit 1 (they differ) and that no
/// database was created.
#[track_caller]
fn changes(old: &str, new: &str) -> Vec<String> {
    let env = Env::new();
    let run = diff_files(&env, old, new, "json");
    assert_eq!(
        run.code, 1,
        "expected exit 1\n{}\n{}",
        run.stdout, run.stderr
    );
    assert!(!env.db().exists(), "two files must not need a database");
    let v = run.json();
    assert_eq!(v["from"], "a.toml");
    assert_eq!(v["to"], "b.toml");
    v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(compact)
        .collect()
}

/// `MINI` with `from` replaced by `to` (which must occur).
#[track_caller]
fn mini_with(from: &str, to: &str) -> String {
    assert!(MINI.contains(from), "MINI lacks {from:?}");
    MINI.replacen(from, to, 1)
}

const OBJECTIVE_TWO: &str = r#"
  [[goal.objective]]
  code = "O2"
  title = "Objective two"

    [[goal.objective.indicator]]
    code = "I2"
    title = "Indicator two"
    unit = "percent"
    direction = "decrease"
"#;

/// MINI with a second objective (and its indicator) under G1.
fn mini_with_o2() -> String {
    mini_with(
        "\n[[development_objective]]",
        &format!("{OBJECTIVE_TWO}\n[[development_objective]]"),
    )
}

#[test]
fn added_nodes_and_indicators() {
    assert_eq!(
        changes(MINI, &mini_with_o2()),
        [
            r#"added objective "O2" null null null"#,
            r#"added indicator "I2" null null null"#,
        ]
    );
}

#[test]
fn removed_nodes() {
    let without_do = MINI.split("[[development_objective]]").next().unwrap();
    assert_eq!(
        changes(MINI, without_do),
        [r#"removed development_objective "D1" null null null"#]
    );
    // A removed objective takes its indicator with it, in the old place.
    assert_eq!(
        changes(&mini_with_o2(), MINI),
        [
            r#"removed objective "O2" null null null"#,
            r#"removed indicator "I2" null null null"#,
        ]
    );
}

#[test]
fn modified_title() {
    let new = mini_with("title = \"Objective one\"", "title = \"Trade grows\"");
    assert_eq!(
        changes(MINI, &new),
        [r#"modified objective "O1" "title" "Objective one" "Trade grows""#]
    );
}

#[test]
fn a_target_changed_for_one_year_only() {
    let new = mini_with("FY2021 = 30", "FY2021 = 35.5");
    assert_eq!(
        changes(MINI, &new),
        [r#"modified indicator "I1" "targets.FY2021" 30 35.5"#]
    );
}

#[test]
fn a_target_added_and_a_target_removed() {
    let new = mini_with("FY2021 = 30", "FY2022 = 40");
    assert_eq!(
        changes(MINI, &new),
        [
            r#"modified indicator "I1" "targets.FY2021" 30 null"#,
            r#"modified indicator "I1" "targets.FY2022" null 40"#,
        ]
    );
}

#[test]
fn indicator_fields() {
    let new = mini_with("unit = \"people\"", "unit = \"households\"")
        .replace("value = 10 }", "value = 12 }")
        .replace(
            "targets = {",
            "source = \"INEI survey\"\n    disaggregations = { sex = [\"female\", \"male\"] }\n    targets = {",
        );
    assert_eq!(
        changes(MINI, &new),
        [
            r#"modified indicator "I1" "unit" "people" "households""#,
            r#"modified indicator "I1" "baseline" {"period":"FY2019","value":10} {"period":"FY2019","value":12}"#,
            r#"modified indicator "I1" "source" null "INEI survey""#,
            r#"modified indicator "I1" "disaggregations" {} {"sex":["female","male"]}"#,
        ]
    );
}

/// Cut the objective O1 (with its indicator) out of MINI-like text; return (rest, objective).
fn take_o1(text: &str) -> (String, String) {
    let start = text.find("  [[goal.objective]]").unwrap();
    let end = text.find("\n[[development_objective]]").unwrap();
    let mut rest = text.to_string();
    let objective: String = rest.drain(start..end).collect();
    (rest, objective)
}

/// MINI with a new goal G2 holding O1 (changed by `edit`) instead of G1.
fn mini_o1_under_g2(edit: impl Fn(&str) -> String) -> String {
    let (rest, objective) = take_o1(MINI);
    rest.replace(
        "\n[[development_objective]]",
        &format!(
            "\n[[goal]]\ncode = \"G2\"\ntitle = \"Goal two\"\n\n{}\n[[development_objective]]",
            edit(&objective)
        ),
    )
}

#[test]
fn moved_under_a_new_goal() {
    let new = mini_o1_under_g2(|o| o.to_string());
    assert_eq!(
        changes(MINI, &new),
        [
            r#"added goal "G2" null null null"#,
            r#"moved objective "O1" "parent" "G1" "G2""#,
        ]
    );
}

#[test]
fn an_indicator_moving_between_nodes_is_moved() {
    let start = MINI.find("    [[goal.objective.indicator]]").unwrap();
    let end = MINI.find("\n[[development_objective]]").unwrap();
    let moved = MINI[start..end]
        .replace(
            "[[goal.objective.indicator]]",
            "[[development_objective.indicator]]",
        )
        .replace("\n    ", "\n");
    let new = format!("{}{}\n{}", &MINI[..start], &MINI[end..], moved.trim_start());
    assert_eq!(
        changes(MINI, &new),
        [r#"moved indicator "I1" "parent" "O1" "D1""#]
    );
}

#[test]
fn recoded_with_the_same_title() {
    // The DO's link follows the recoded objective, and the indicator stays under it: neither
    // is a change.
    let new = MINI.replace("\"O1\"", "\"O5\"");
    assert_eq!(
        changes(MINI, &new),
        [r#"recoded objective "O5" "code" "O1" "O5""#]
    );
    // An indicator recoded.
    let new = MINI.replace("\"I1\"", "\"I9\"");
    assert_eq!(
        changes(MINI, &new),
        [r#"recoded indicator "I9" "code" "I1" "I9""#]
    );
}

#[test]
fn a_recode_that_also_moved() {
    let new = mini_o1_under_g2(|o| o.replace("\"O1\"", "\"O5\"")).replace("[\"O1\"]", "[\"O5\"]");
    assert_eq!(
        changes(MINI, &new),
        [
            r#"added goal "G2" null null null"#,
            r#"recoded objective "O5" "code" "O1" "O5""#,
            r#"moved objective "O5" "parent" "G1" "G2""#,
        ]
    );
}

#[test]
fn recoded_by_a_similar_title() {
    let new = MINI
        .replace("\"O1\"", "\"O7\"")
        .replace("title = \"Objective one\"", "title = \"Objective: one\"");
    assert_eq!(
        changes(MINI, &new),
        [
            r#"recoded objective "O7" "code" "O1" "O7""#,
            r#"modified objective "O7" "title" "Objective one" "Objective: one""#,
        ]
    );
    // A different title under the same parent is a removal and an addition (and the DO's
    // link moves from the one to the other).
    let new = MINI
        .replace("\"O1\"", "\"O7\"")
        .replace("title = \"Objective one\"", "title = \"Trade grows\"");
    assert_eq!(
        changes(MINI, &new),
        [
            r#"added objective "O7" null null null"#,
            r#"removed objective "O1" null null null"#,
            r#"moved indicator "I1" "parent" "O1" "O7""#,
            r#"unlinked development_objective "D1" "supports" "O1" null"#,
            r#"linked development_objective "D1" "supports" null "O7""#,
        ]
    );
}

#[test]
fn linked_and_unlinked() {
    let old = mini_with_o2();
    let new = old.replace("supports = [\"O1\"]", "supports = [\"O2\"]");
    assert_eq!(
        changes(&old, &new),
        [
            r#"unlinked development_objective "D1" "supports" "O1" null"#,
            r#"linked development_objective "D1" "supports" null "O2""#,
        ]
    );
    // Reordering the links changes nothing.
    let both = old.replace("supports = [\"O1\"]", "supports = [\"O1\", \"O2\"]");
    let swapped = old.replace("supports = [\"O1\"]", "supports = [\"O2\", \"O1\"]");
    let env = Env::new();
    diff_files(&env, &both, &swapped, "json").ok();
}

#[test]
fn theme_applies_to_is_linked_and_unlinked() {
    let theme =
        "\n[[theme]]\ncode = \"gender\"\ntitle = \"Gender equity\"\napplies_to = [\"G1\"]\n";
    let old = format!("{MINI}{theme}");
    let new = format!("{MINI}{}", theme.replace("[\"G1\"]", "[\"O1\", \"D1\"]"));
    assert_eq!(
        changes(&old, &new),
        [
            r#"unlinked theme "gender" "applies_to" "G1" null"#,
            r#"linked theme "gender" "applies_to" null "O1""#,
            r#"linked theme "gender" "applies_to" null "D1""#,
        ]
    );
    assert_eq!(
        changes(MINI, &old),
        [r#"added theme "gender" null null null"#]
    );
}

#[test]
fn strategy_metadata() {
    let new = mini_with(
        "title = \"Mini strategy\"",
        "title = \"Mini strategy 2\"\ncountry = \"Peru\"",
    )
    .replace("end = \"FY2022\"", "end = \"FY2023\"");
    assert_eq!(
        changes(MINI, &new),
        [
            r#"modified strategy "mini" "title" "Mini strategy" "Mini strategy 2""#,
            r#"modified strategy "mini" "country" null "Peru""#,
            r#"modified strategy "mini" "end" "FY2022" "FY2023""#,
        ]
    );
}

#[test]
fn settings() {
    let new = format!("[settings]\ndeviation_threshold = 15\n{MINI}");
    assert_eq!(
        changes(MINI, &new),
        [r#"modified settings null "deviation_threshold" 10 15"#]
    );
}

#[test]
fn identical_files_print_only_the_summary() {
    let env = Env::new();
    // Formatting and comments are not content.
    let run = diff_files(&env, MINI, &format!("# a comment\n{MINI}\n\n"), "text").ok();
    assert_eq!(run.stdout, "no changes\n");
    let run = diff_files(&env, MINI, MINI, "json").ok();
    assert_eq!(
        run.json(),
        json!({ "from": "a.toml", "to": "b.toml", "changes": [] })
    );
    let run = diff_files(&env, MINI, MINI, "markdown").ok();
    assert_eq!(run.stdout, "no changes\n");
    assert!(!env.db().exists());
}

#[test]
fn the_text_memo() {
    let env = Env::new();
    let new = mini_o1_under_g2(|o| {
        o.replace("\"O1\"", "\"O5\"")
            .replace("FY2021 = 30", "FY2021 = 35")
    })
    .replace("[\"O1\"]", "[\"O5\"]");
    let run = diff_files(&env, &mini_with_o2(), &new, "text");
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!("text_memo", run.stdout);
    let run = diff_files(&env, &mini_with_o2(), &new, "markdown");
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("markdown_memo", run.stdout);
}

#[test]
fn a_one_word_edit_in_a_long_justification_shows_at_a_glance() {
    let words: Vec<String> = (1..=60).map(|i| format!("word{i}")).collect();
    let text = words.join(" ");
    let old = mini_with(
        "title = \"Goal one\"",
        &format!("title = \"Goal one\"\njustification = \"{text}\""),
    );
    let new = old.replace("word31", "changed");
    let env = Env::new();
    let run = diff_files(&env, &old, &new, "text");
    assert_eq!(run.code, 1);
    run.stdout_has("  ~ G1 justification changed\n")
        .stdout_has("      … word25 word26 word27 word28 word29 word30 [-word31-]{+changed+} word32 word33 word34 word35 word36 word37 …\n")
        .stdout_has("1 change: 1 modified");
    // With colour, red and green instead of the markers.
    env.write("b.toml", &new);
    let run = env.ics(&["diff", "a.toml", "b.toml", "--color", "always"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("\u{1b}[31mword31\u{1b}[0m"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("\u{1b}[32mchanged\u{1b}[0m"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("[-word31-]"));
}

/// Copy the shipped framework and its 2022 revision into the scratch directory.
fn shipped_pair(env: &Env) {
    std::fs::create_dir_all(env.path("examples")).unwrap();
    for f in ["framework.toml", "examples/framework-2022.toml"] {
        std::fs::copy(repo_file(f), env.path(f)).unwrap();
    }
}

#[test]
fn the_shipped_revision() {
    let env = Env::new();
    shipped_pair(&env);
    let args = ["diff", "framework.toml", "examples/framework-2022.toml"];
    let run = env.ics(&args);
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!("shipped_text", run.stdout);
    let run = env.ics(&[&args[..], &["--format", "markdown"]].concat());
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("shipped_markdown", run.stdout);
    let run = env.ics(&[&args[..], &["--format", "json"]].concat());
    let v = run.json();
    let fields: Vec<String> = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {} {}",
                c["change"].as_str().unwrap(),
                c["code"].as_str().unwrap(),
                c["field"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        fields,
        [
            "modified peru-ics version",
            "modified MG4 title",
            "modified DO1 title",
            "modified DO1 description",
            "modified DO2 title",
            "modified DO2 description",
            "modified DO3 title",
            "modified DO3 description",
        ]
    );
    // The same two revisions stored as versions give the same changes.
    env.ics(&["load", "framework.toml"]).ok();
    env.ics(&["diff", "@latest", "framework.toml"])
        .ok()
        .stdout_has("no changes");
    env.ics(&["load", "examples/framework-2022.toml"]).ok();
    let stored = env.ics(&["diff", "@previous", "@latest", "--format", "json"]);
    assert_eq!(stored.code, 1);
    assert_eq!(stored.json()["changes"], v["changes"]);
}

#[test]
fn stored_versions_agree_with_files() {
    let env = Env::new();
    let new =
        mini_with("version = \"v1\"", "version = \"v2\"").replace("FY2021 = 30", "FY2021 = 31");
    env.write("a.toml", MINI);
    env.write("b.toml", &new);
    let files = env
        .ics(&["diff", "a.toml", "b.toml", "--format", "json"])
        .json();
    assert_eq!(files["changes"].as_array().unwrap().len(), 2, "{files}");

    env.ics(&["load", "a.toml"]).ok();
    let before = env.fingerprint();
    let label_vs_file = env.ics(&["diff", "v1", "b.toml", "--format", "json"]);
    assert_eq!(label_vs_file.code, 1, "{}", label_vs_file.stderr);
    let label_vs_file = label_vs_file.json();
    assert_eq!(label_vs_file["from"], "v1");
    assert_eq!(label_vs_file["changes"], files["changes"]);
    assert_eq!(env.fingerprint(), before, "diff must not write");

    env.ics(&["load", "b.toml"]).ok();
    let stored = env
        .ics(&["diff", "@previous", "@latest", "--format", "json"])
        .json();
    assert_eq!(stored["from"], "v1");
    assert_eq!(stored["to"], "v2");
    assert_eq!(stored["changes"], files["changes"]);
    let by_label = env.ics(&["diff", "v1", "v2", "--format", "json"]).json();
    assert_eq!(by_label["changes"], files["changes"]);
    env.ics(&["diff", "@latest", "b.toml"])
        .ok()
        .stdout_has("no changes");
}

#[test]
fn a_file_wins_over_a_label_of_the_same_name() {
    let env = Env::new();
    env.write("a.toml", MINI);
    env.ics(&["load", "a.toml", "--label", "b.toml"]).ok();
    env.write("b.toml", &mini_with("FY2021 = 30", "FY2021 = 31"));
    let run = env.ics(&["diff", "@latest", "b.toml", "--format", "json"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.json()["changes"].as_array().unwrap().len(), 1);
}

#[test]
fn errors() {
    let env = Env::new();
    env.write("a.toml", MINI);
    // Neither a file nor a label, and no database.
    env.ics(&["diff", "a.toml", "missing.toml"])
        .fails()
        .stderr_has("`missing.toml`")
        .stderr_has("no such file")
        .stderr_has("no database");
    // A label with no database.
    env.ics(&["diff", "@previous", "a.toml"])
        .fails()
        .stderr_has("no database");
    assert!(!env.db().exists(), "diff must not create a database");

    env.ics(&["load", "a.toml"]).ok();
    let before = env.fingerprint();
    env.ics(&["diff", "v9", "a.toml"])
        .fails()
        .stderr_has("`v9`")
        .stderr_has("no such file")
        .stderr_has("no stored version")
        .stderr_has("`v1`");
    env.ics(&["diff", "@previous", "@latest"])
        .fails()
        .stderr_has("no previous version");
    // A broken file is reported with its location.
    env.write("bad.toml", "[strategy]\ncode = \"x\"\n");
    env.ics(&["diff", "a.toml", "bad.toml"])
        .fails()
        .stderr_has("bad.toml");
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn values_recorded_before_a_revision_still_show_in_progress_after_it() {
    let env = Env::new();
    let v1 = env.write("v1.toml", MINI);
    env.ics(&["load", v1.to_str().unwrap()]).ok();
    env.ics(&[
        "record",
        "I1",
        "FY2021",
        "29",
        "--note",
        "before the revision",
    ])
    .ok();
    // The revision retitles the goal and the indicator and moves the target; the code stays.
    let v2 = MINI
        .replace("version = \"v1\"", "version = \"v2\"")
        .replace("\"Goal one\"", "\"Goal one, revised\"")
        .replace("\"Indicator one\"", "\"Indicator one, revised\"")
        .replace("FY2021 = 30", "FY2021 = 32");
    let v2 = env.write("v2.toml", &v2);
    env.ics(&["load", v2.to_str().unwrap()]).ok();
    let rows = env
        .ics(&["progress", "--period", "FY2021", "--format", "json"])
        .ok()
        .json();
    assert_eq!(rows[0]["indicator"], "I1");
    assert_eq!(rows[0]["title"], "Indicator one, revised");
    assert_eq!(rows[0]["actual"], 29.0);
    assert_eq!(rows[0]["target"], 32.0);
    // And the older version still reports against its own target.
    let old = env
        .ics(&[
            "progress",
            "--period",
            "FY2021",
            "--format",
            "json",
            "--version",
            "v1",
        ])
        .ok()
        .json();
    assert_eq!(old[0]["target"], 30.0);
    assert_eq!(old[0]["actual"], 29.0);
    let diff = env.ics(&["diff", "@previous", "@latest", "--format", "json"]);
    assert_eq!(diff.code, 1);
    let changes = diff.json()["changes"].as_array().unwrap().len();
    assert_eq!(
        changes, 4,
        "version, goal title, indicator title, FY2021 target"
    );
}
