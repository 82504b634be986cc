//! Integration tests: damaged databases (issue 12, items 7, 8 and 15). Each test damages a
//! database holding the shipped strategy and its sample values, then runs every read command:
//! `check` must name the damage (exit 2, without sending the user back to `check`), the
//! commands that read the damaged rows must refuse with a clear error, none may panic, and
//! none may change the file.

use crate::common::*;

/// Every command that only reads, as run against a damaged database.
const READERS: &[&[&str]] = &[
    &["tree"],
    &["versions"],
    &["history", "IND-COCA-MONZON"],
    &["history", "IND-TRADE-GOODS"],
    &["export-values"],
    &["export-values", "--all", "--format", "json"],
    &["progress"],
    &["progress", "--format", "csv"],
    &["progress", "--period", "FY2021", "--format", "json"],
    &["report", "--out", "review.html"],
    &["export", "iati", "--out", "iati.xml"],
    &["lint"],
    &["diff", "@latest", "@latest"],
];

/// The commands of [`READERS`] that read a whole stored version.
const VERSION_READERS: &[&str] = &[
    "tree",
    "progress",
    "progress --format csv",
    "progress --period FY2021 --format json",
    "report --out review.html",
    "export iati --out iati.xml",
    "lint",
    "diff @latest @latest",
];

/// The shipped strategy with its sample values, damaged by `sql` (foreign keys off, as a
/// careless `sqlite3` session would have them).
fn damaged(sql: &str) -> Env {
    let env = Env::new();
    env.load_shipped();
    let values = repo_file("examples/peru-values.csv");
    env.ics(&["import-values", values.to_str().unwrap()]).ok();
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch(sql).unwrap();
    drop(conn);
    env
}

/// `check` names the damage; the commands in `must_fail` (whole command lines from
/// [`READERS`]) refuse it as damage; no command panics or changes the file.
#[track_caller]
fn refused_everywhere(env: &Env, problem: &str, must_fail: &[&str]) {
    let before = env.fingerprint();
    let check = env.ics(&["check"]).fails().stdout_has(problem);
    assert!(
        !check.stderr.contains("ics check"),
        "check points at itself:\n{}",
        check.stderr
    );
    for args in READERS {
        let run = env.ics(args);
        assert!(
            !run.stderr.contains("panicked") && (0..=2).contains(&run.code),
            "`{}` crashed (exit {}):\n{}",
            args.join(" "),
            run.code,
            run.stderr
        );
        if must_fail.contains(&args.join(" ").as_str()) {
            run.fails()
                .stderr_has("the database is damaged")
                .stderr_has("help: run `ics check`");
        } else if run.code == 2 {
            run.fails();
        }
    }
    assert_eq!(env.fingerprint(), before, "a read command changed the file");
}

#[test]
fn a_period_beyond_the_calendar_is_refused_not_a_panic() {
    let env = damaged("UPDATE value SET period = 99999990 WHERE id = (SELECT min(id) FROM value)");
    refused_everywhere(
        &env,
        "problem: the period stored as 99999990 in the table `value` is not a fiscal year or quarter from FY1900 to FY2200",
        &[
            "report --out review.html",
            "export iati --out iati.xml",
            "export-values",
            "export-values --all --format json",
            "lint",
            "progress",
            "progress --format csv",
        ],
    );
}

#[test]
fn fy9999_cannot_be_exported_as_a_value_that_import_would_refuse() {
    let env = damaged("UPDATE value SET period = 99990 WHERE id = (SELECT min(id) FROM value)");
    refused_everywhere(
        &env,
        "the period stored as 99990 in the table `value`",
        &[
            "export-values",
            "export-values --all --format json",
            "export iati --out iati.xml",
        ],
    );
}

#[test]
fn a_target_or_baseline_beyond_the_calendar_is_caught() {
    let env = damaged(
        "UPDATE target SET period = 30000 WHERE period = 20210; \
         UPDATE indicator_def SET baseline_period = 8 WHERE id = 1;",
    );
    let run = env.ics(&["check"]).fails();
    assert!(
        run.stdout.contains("in the table `target`")
            && run
                .stdout
                .contains("the period stored as 8 in the table `indicator_def`"),
        "{}",
        run.stdout
    );
    env.ics(&["tree"])
        .fails()
        .stderr_has("the database is damaged");
}

#[test]
fn a_parent_cycle_is_caught_and_no_goal_is_dropped() {
    let env = damaged(
        "UPDATE node SET parent_id = (SELECT id FROM node WHERE code = 'MO1.1') WHERE code = 'MG1'",
    );
    refused_everywhere(&env, "are each other's parents (a cycle)", VERSION_READERS);
}

#[test]
fn a_parent_in_another_version_is_caught() {
    let env = damaged("");
    let older = repo_file("examples/framework-2022.toml");
    env.ics(&["load", older.to_str().unwrap()]).ok();
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch(
        "UPDATE node SET parent_id = (SELECT min(id) FROM node WHERE parent_id IS NULL) \
         WHERE id = (SELECT max(id) FROM node WHERE parent_id IS NOT NULL)",
    )
    .unwrap();
    drop(conn);
    env.ics(&["check"])
        .fails()
        .stdout_has("has a parent outside this version");
    env.ics(&["tree"])
        .fails()
        .stderr_has("the database is damaged");
}

#[test]
fn text_where_a_number_belongs_is_caught() {
    let env = damaged("UPDATE value SET value = 'abc' WHERE id = (SELECT min(id) FROM value)");
    refused_everywhere(
        &env,
        "problem: 1 row(s) of the table `value` hold something other than a number in the column `value`",
        &["export-values", "report --out review.html"],
    );
}

#[test]
fn binary_data_where_a_number_belongs_is_caught() {
    let env = damaged("UPDATE indicator_def SET baseline_value = x'00ff' WHERE id = 1");
    refused_everywhere(
        &env,
        "the table `indicator_def` hold something other than a number in the column `baseline_value`",
        VERSION_READERS,
    );
}

#[test]
fn binary_data_where_text_belongs_is_caught() {
    let env = damaged("UPDATE node SET title = x'4142' WHERE code = 'MG1'");
    refused_everywhere(
        &env,
        "hold something other than text in the column `title`",
        VERSION_READERS,
    );
}

#[test]
fn unreadable_settings_are_caught() {
    let env = damaged("UPDATE strategy_version SET settings_json = '{\"deviation_threshold\": '");
    refused_everywhere(&env, "its stored settings are unreadable", VERSION_READERS);
}

#[test]
fn an_unreadable_disaggregation_list_is_caught() {
    let env = damaged("UPDATE indicator_def SET disaggregations = '[1' WHERE id = 1");
    refused_everywhere(
        &env,
        "unknown kind, type, direction, frequency, aggregation or disaggregation list",
        VERSION_READERS,
    );
}

#[test]
fn an_unknown_node_kind_is_caught_and_not_dropped_from_the_counts() {
    let env = damaged("UPDATE node SET kind = 'bogus' WHERE code = 'MG1'");
    refused_everywhere(
        &env,
        "unknown kind",
        &[VERSION_READERS, &["versions"]].concat(),
    );
}

#[test]
fn a_missing_table_or_index_is_caught() {
    let env = damaged("DROP TABLE meta; DROP INDEX value_current;");
    let run = env.ics(&["check"]).fails();
    assert!(
        run.stdout.contains("problem: the table `meta` is missing")
            && run
                .stdout
                .contains("problem: the index `value_current` is missing"),
        "{}",
        run.stdout
    );
    refused_everywhere(&env, "the table `meta` is missing", &["export-values"]);
    env.ics(&["export-values"])
        .fails()
        .stderr_has("its tables are not the ones ics made");
}

#[test]
fn a_corrupt_file_is_reported_by_check_itself() {
    let env = damaged("");
    // Overwrite pages in the middle of the file, as a failing disk would.
    let mut bytes = std::fs::read(env.db()).unwrap();
    // The page size, from the file's header (bytes 16 and 17, big-endian).
    let page = usize::from(u16::from_be_bytes([bytes[16], bytes[17]]));
    assert!(page >= 512, "page size {page}");
    assert!(bytes.len() > 4 * page, "the test database is too small");
    for b in &mut bytes[2 * page..4 * page] {
        *b = 0xde;
    }
    std::fs::write(env.db(), &bytes).unwrap();
    let check = env
        .ics(&["check"])
        .fails()
        .stdout_has("problem: SQLite cannot read the file: it is corrupt")
        .stderr_has(".recover");
    assert!(!check.stderr.contains("ics check"), "{}", check.stderr);
    for args in READERS {
        let run = env.ics(args);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        if run.code != 0 {
            run.fails();
        }
    }
}

/// Set `PRAGMA user_version` of the env's database.
fn set_user_version(env: &Env, version: i64) {
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.pragma_update(None, "user_version", version).unwrap();
}

#[test]
fn a_wrong_schema_version_is_a_sentence_and_the_file_is_left_alone() {
    for (version, says) in [
        (
            1,
            "it says it has schema version 1, but its tables are not that version's",
        ),
        (
            0,
            "it says it has schema version 0, but its tables are not that version's",
        ),
        (-1, "its schema version (-1) is not one ics writes"),
        (99, "was created by a newer ics (schema 99"),
    ] {
        let env = damaged("");
        set_user_version(&env, version);
        let before = env.fingerprint();
        for args in [
            &["check"][..],
            &["tree"],
            &["versions"],
            &["record", "IND-POVERTY", "FY2024", "5"],
        ] {
            let run = env.ics(args).fails().stderr_has(says);
            assert!(!run.stderr.contains("Unknown"), "{}", run.stderr);
            if args[0] == "check" {
                assert!(!run.stderr.contains("ics check"), "{}", run.stderr);
            }
        }
        assert_eq!(env.fingerprint(), before, "user_version {version}");
        let conn = rusqlite::Connection::open(env.db()).unwrap();
        let now: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(now, version, "the schema version was rewritten");
    }
}

#[test]
fn an_infinite_number_is_caught() {
    let env = damaged("UPDATE value SET value = 9e999 WHERE id = (SELECT min(id) FROM value)");
    let run = env.ics(&["check"]).fails().stdout_has(
        "problem: 1 row(s) of the table `value` hold an infinite number in the column `value`",
    );
    assert!(!run.stderr.contains("ics check"), "{}", run.stderr);
    env.ics(&["export", "iati", "--out", "iati.xml"]).fails();
}

#[test]
fn a_negative_or_absurd_stored_count_is_refused_not_a_crash() {
    for sql in [
        "UPDATE strategy_version SET indicator_count = -4",
        "UPDATE strategy_version SET node_count = -1",
        "UPDATE strategy_version SET node_count = 1000000000000",
        "UPDATE strategy_version SET indicator_count = 1000000000000",
    ] {
        let env = damaged(sql);
        let before = env.fingerprint();
        refused_everywhere(&env, "problem:", &[]);
        let record = env.ics(&["record", "IND-POVERTY", "FY2030", "5"]);
        assert!(
            !record.stderr.contains("panicked") && (0..=2).contains(&record.code),
            "{sql}: record crashed (exit {}):\n{}",
            record.code,
            record.stderr
        );
        if sql.contains('-') {
            record
                .fails()
                .stderr_has("the database is damaged: the stored number -");
            assert_eq!(env.fingerprint(), before, "{sql}: record changed the file");
        }
    }
}

#[test]
fn ten_thousand_located_problems_print_a_hundred_lines_and_a_count() {
    let env = Env::new();
    let shipped = std::fs::read_to_string(repo_file("framework.toml")).unwrap();
    let junk: String = (0..10_000).map(|i| format!("junk{i} = 1\n")).collect();
    let bad = shipped.replacen("[strategy]\n", &format!("[strategy]\n{junk}"), 1);
    env.write("bad.toml", &bad);
    env.load_shipped();
    for args in [&["load", "bad.toml"][..], &["diff", "@latest", "bad.toml"]] {
        let run = env.ics(args).fails();
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert!(
            lines.len() <= 103,
            "`{}` printed {} lines",
            args.join(" "),
            lines.len()
        );
        assert!(lines[0].contains(": unknown key `junk0`"), "{}", lines[0]);
        assert!(
            run.stderr.contains("\n… and 9900 more problems\nerror: "),
            "{}",
            lines[98..].join("\n")
        );
    }
}

#[test]
fn a_framework_number_that_underflows_is_refused_like_one_that_overflows() {
    let env = Env::new();
    let shipped = std::fs::read_to_string(repo_file("framework.toml")).unwrap();
    for (number, says) in [
        ("1e-400", "the FY2020 target `1e-400` is too small to store"),
        (
            "-2.5E-999",
            "the FY2020 target `-2.5E-999` is too small to store",
        ),
        ("1e400", "the FY2020 target must be a finite number"),
    ] {
        let text = shipped.replacen("FY2020 = 23.0", &format!("FY2020 = {number}"), 1);
        env.write("f.toml", &text);
        env.ics(&["load", "f.toml"]).fails().stderr_has(says);
        assert_eq!(env.fingerprint(), "<none>", "{number} was stored");
    }
    for zero in ["0.0", "0e-400", "-0.0"] {
        let text = shipped.replacen("FY2020 = 23.0", &format!("FY2020 = {zero}"), 1);
        env.write("f.toml", &text);
        env.ics(&["load", "f.toml", "--label", &format!("z{}", zero.len())])
            .ok();
    }
}

/// Damage that every reader takes, but that `export-values --all | import-values` would not.
#[test]
fn a_value_import_would_refuse_is_caught_by_check() {
    for (sql, problem) in [
        (
            "UPDATE value SET disaggregation = 'sex=' WHERE id = 1",
            "value 1 of `IND-TRADE-GOODS` FY2021: its disaggregation `sex=` is not one ics writes: `IND-TRADE-GOODS` declares no disaggregations",
        ),
        (
            "UPDATE value SET recorded_at = 'yesterday' WHERE id = 2",
            "its recorded time `yesterday` is not a UTC time as ics writes it",
        ),
        (
            "UPDATE value SET value = 250 WHERE id = 4",
            "value 4 of `IND-POVERTY` FY2020: 250 is outside 0 to 100, and `IND-POVERTY` is measured in percent; `import-values` would refuse it",
        ),
    ] {
        let env = damaged(sql);
        let before = env.fingerprint();
        let check = env.ics(&["check"]).fails().stdout_has(problem);
        assert!(!check.stderr.contains("ics check"), "{}", check.stderr);
        // What check names is what a round trip through a fresh database refuses.
        let exported = env
            .ics(&["export-values", "--all", "--format", "csv"])
            .ok()
            .stdout;
        env.write("all.csv", &exported);
        let fresh = Env::new();
        fresh.load_shipped();
        let csv = env.path("all.csv");
        fresh
            .ics(&["import-values", csv.to_str().unwrap()])
            .fails();
        assert_eq!(env.fingerprint(), before, "{sql}");
    }
}

#[test]
fn an_indicator_on_a_node_of_another_version_has_its_own_message() {
    let env = damaged("");
    let older = repo_file("examples/framework-2022.toml");
    env.ics(&["load", older.to_str().unwrap()]).ok();
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch(
        "UPDATE indicator_def SET node_id = (SELECT max(id) FROM node) \
         WHERE id = (SELECT min(id) FROM indicator_def)",
    )
    .unwrap();
    drop(conn);
    let check = env.ics(&["check"]).fails().stdout_has(
        "the indicator `IND-COUNTERFEIT` of version `2020-02-07` is attached to the node `environment` of version `2022`, outside its own version",
    );
    assert!(!check.stdout.contains("unknown kind"), "{}", check.stdout);
    // The commands that read that version say the same, not a catch-all.
    env.ics(&["tree", "--version", "2020-02-07"])
        .fails()
        .stderr_has("the indicator `IND-COUNTERFEIT` is attached to a node outside this version");
}

#[test]
fn a_stored_label_that_cannot_be_selected_is_caught() {
    // An older ics accepted `--label @latest`; such a version can never be chosen again.
    let env = damaged("UPDATE strategy_version SET label = '@latest'");
    refused_everywhere(
        &env,
        "a stored version cannot be selected with --version",
        &[],
    );
}

/// The stored outline `tree` and `progress` read instead of a version's rows: damaged by hand
/// (one byte), it is passed over, so every command shows the rows and nothing else changes,
/// and `check` names it; a node renamed by hand shows at once, since the database drops the
/// outline the edit made stale.
#[test]
fn a_damaged_outline_is_passed_over_and_named() {
    let env = damaged("");
    let tree = env.ics(&["tree"]).ok().stdout;
    let progress = env.ics(&["progress", "--format", "csv"]).ok().stdout;
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let mut body: Vec<u8> = conn
        .query_row("SELECT body FROM version_outline", [], |r| r.get(0))
        .unwrap();
    let at = body.len() / 2;
    body[at] ^= 0x20;
    conn.execute("UPDATE version_outline SET body = ?1", [&body])
        .unwrap();
    drop(conn);
    assert_eq!(env.ics(&["tree"]).ok().stdout, tree);
    assert_eq!(
        env.ics(&["progress", "--format", "csv"]).ok().stdout,
        progress
    );
    env.ics(&["check"])
        .fails()
        .stdout_has("its stored outline is damaged (ics reads its nodes and indicators instead)");

    let env = damaged("UPDATE node SET title = 'Renamed by hand' WHERE code = 'MG1'");
    env.ics(&["tree"]).ok().stdout_has("Renamed by hand");
    env.ics(&["check"]).ok();
}
