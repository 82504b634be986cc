//! Integration tests: `check`, damaged databases, completions and man page (issues 7 and 8).

use crate::common::*;

#[test]
fn check_passes_on_a_fresh_database() {
    let env = Env::new();
    env.load_shipped();
    let run = env.ics(&["check"]).ok();
    assert!(
        run.stdout.contains("ok: SQLite integrity check"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("ok: foreign keys"), "{}", run.stdout);
    assert!(run.stdout.contains("is healthy"), "{}", run.stdout);
}

#[test]
fn check_reports_an_incomplete_version() {
    let env = Env::new();
    env.load_shipped();
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch(
        "PRAGMA foreign_keys = OFF;
         DELETE FROM target WHERE def_id IN (SELECT id FROM indicator_def WHERE node_id IN (SELECT id FROM node WHERE code = 'MgO1'));
         DELETE FROM indicator_def WHERE node_id IN (SELECT id FROM node WHERE code = 'MgO1');",
    )
    .unwrap();
    drop(conn);
    env.ics(&["check"])
        .fails()
        .stdout_has(
            "version `2020-02-07` is incomplete: 20 of 20 nodes and 11 of 12 indicators stored",
        )
        .stderr_has("has 1 problem");
}

#[test]
fn check_reports_dangling_rows() {
    let env = Env::new();
    env.load_shipped();
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch(
        "PRAGMA foreign_keys = OFF; UPDATE node SET parent_id = 99999 WHERE code = 'MO1.1';",
    )
    .unwrap();
    drop(conn);
    env.ics(&["check"])
        .fails()
        .stdout_has("of table `node` points at a missing row");
}

#[test]
fn check_needs_a_database() {
    let env = Env::new();
    env.ics(&["check"])
        .fails()
        .stderr_has("no database at `ics.db`");
}

#[test]
fn completions_and_man_page_are_generated() {
    let env = Env::new();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let run = env.ics(&["completions", shell]).ok();
        assert!(
            run.stdout.contains("import-values"),
            "{shell} completion lacks subcommands"
        );
    }
    let man = env.ics(&["man"]).ok().stdout;
    assert!(man.contains(".TH ics 1"), "{man}");
    assert!(man.contains("progress"), "{man}");
    assert_eq!(env.ics(&["completions", "tcsh"]).code, 2);
}
