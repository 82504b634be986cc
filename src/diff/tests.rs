//! Unit tests of [`compare`]: order, groups and the pairing of changes.

use super::*;
use crate::framework::parse_str;

const HEAD: &str = "[strategy]\ncode = \"s\"\ntitle = \"S\"\nversion = \"v1\"\n";

fn fw(body: &str) -> Framework {
    parse_str(&format!("{HEAD}{body}"), "test.toml").expect("test framework parses")
}

/// `change kind code field old new` per change, for compact assertions.
fn lines(old: &str, new: &str) -> Vec<String> {
    compare(&fw(old), &fw(new))
        .iter()
        .map(|c| {
            format!(
                "{} {} {} {} {} {}",
                c.change.as_str(),
                c.kind.as_str(),
                c.code.as_deref().unwrap_or("-"),
                c.field.as_deref().unwrap_or("-"),
                c.old,
                c.new
            )
        })
        .collect()
}

const TWO_GOALS: &str = r#"
[[goal]]
code = "G1"
title = "Goal one"
  [[goal.objective]]
  code = "O1"
  title = "Objective one"
  [[goal.objective]]
  code = "O2"
  title = "Objective two"
[[goal]]
code = "G2"
title = "Goal two"
  [[goal.objective]]
  code = "O3"
  title = "Objective three"
"#;

#[test]
fn identical_frameworks_have_no_changes() {
    assert!(compare(&fw(TWO_GOALS), &fw(TWO_GOALS)).is_empty());
    assert_eq!(summary(&[]), "no changes");
}

#[test]
fn a_removed_node_keeps_its_old_place_and_group() {
    let new = TWO_GOALS.replace(
        "  [[goal.objective]]\n  code = \"O2\"\n  title = \"Objective two\"\n",
        "",
    );
    let new = new.replace("title = \"Goal two\"", "title = \"Goal 2\"");
    let changes = compare(&fw(TWO_GOALS), &fw(&new));
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[0].change, ChangeType::Removed);
    assert_eq!(changes[0].group.as_ref().unwrap().code, "G1");
    assert_eq!(changes[0].title.as_deref(), Some("Objective two"));
    assert_eq!(changes[1].change, ChangeType::Modified);
    assert_eq!(changes[1].group.as_ref().unwrap().code, "G2");
}

#[test]
fn a_recode_under_a_recoded_parent_is_no_move() {
    let new = TWO_GOALS
        .replace("\"G1\"", "\"G9\"")
        .replace("\"O1\"", "\"O9\"");
    assert_eq!(
        lines(TWO_GOALS, &new),
        vec![
            "recoded goal G9 code \"G1\" \"G9\"",
            "recoded objective O9 code \"O1\" \"O9\"",
        ]
    );
}

#[test]
fn a_recode_that_moved() {
    let new = TWO_GOALS
        .replace(
            "  [[goal.objective]]\n  code = \"O2\"\n  title = \"Objective two\"\n",
            "",
        )
        .replace(
            "  code = \"O3\"\n  title = \"Objective three\"\n",
            "  code = \"O3\"\n  title = \"Objective three\"\n  [[goal.objective]]\n  code = \"O4\"\n  title = \"Objective two\"\n",
        );
    assert_eq!(
        lines(TWO_GOALS, &new),
        vec![
            "recoded objective O4 code \"O2\" \"O4\"",
            "moved objective O4 parent \"G1\" \"G2\"",
        ]
    );
}

#[test]
fn links_follow_recodes() {
    let old = format!(
        "{TWO_GOALS}[[development_objective]]\ncode = \"D1\"\ntitle = \"Dev\"\nsupports = [\"O1\", \"O3\"]\n"
    );
    // O1 recoded to O7: no link change. O3 dropped, O2 added.
    let new = old
        .replace("\"O1\"", "\"O7\"")
        .replace("supports = [\"O7\", \"O3\"]", "supports = [\"O7\", \"O2\"]");
    assert_eq!(
        lines(&old, &new),
        vec![
            "recoded objective O7 code \"O1\" \"O7\"",
            "unlinked development_objective D1 supports \"O3\" null",
            "linked development_objective D1 supports null \"O2\"",
        ]
    );
}

#[test]
fn summary_counts_by_type() {
    let new = TWO_GOALS
        .replace("title = \"Goal two\"", "title = \"Goal 2\"")
        .replace("\"O3\"", "\"O8\"");
    let new = format!("{new}[[goal]]\ncode = \"G3\"\ntitle = \"Goal three\"\n");
    let changes = compare(&fw(TWO_GOALS), &fw(&new));
    assert_eq!(
        summary(&changes),
        "3 changes: 1 added, 1 modified, 1 recoded"
    );
    assert_eq!(summary(&changes[..1]), "1 change: 1 modified");
}
