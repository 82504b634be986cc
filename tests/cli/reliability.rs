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

/// A framework with `n` quarterly indicators `Q0..Q{n-1}` under one objective.
fn quarterly_framework(n: usize) -> String {
    let mut s = String::from(
        "[strategy]\ncode = \"rel\"\ntitle = \"Reliability\"\nversion = \"v1\"\n\n[[goal]]\ncode = \"G\"\ntitle = \"Goal\"\n\n[[goal.objective]]\ncode = \"O\"\ntitle = \"Objective\"\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            "\n[[goal.objective.indicator]]\ncode = \"Q{i}\"\ntitle = \"Indicator {i}\"\nunit = \"people\"\ndirection = \"increase\"\nfrequency = \"quarterly\"\ntargets = {{ FY2020 = 100 }}\n"
        ));
    }
    s
}

/// The `n`-th fiscal quarter from FY1901Q1.
fn quarter(n: usize) -> String {
    format!("FY{}Q{}", 1901 + n / 4, 1 + n % 4)
}

fn count(db: &std::path::Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn eight_concurrent_recorders_lose_nothing() {
    let env = Env::new();
    let fw = env.write("fw.toml", &quarterly_framework(8));
    env.ics(&["load", fw.to_str().unwrap()]).ok();
    let barrier = std::sync::Barrier::new(8);
    std::thread::scope(|s| {
        for w in 0..8 {
            let (env, barrier) = (&env, &barrier);
            s.spawn(move || {
                barrier.wait();
                for i in 0..250 {
                    let code = format!("Q{w}");
                    let value = format!("{}", w * 1000 + i);
                    env.ics(&["record", &code, &quarter(i), &value]).ok();
                }
            });
        }
    });
    assert_eq!(count(&env.db(), "SELECT count(*) FROM value"), 2000);
    assert_eq!(
        count(
            &env.db(),
            "SELECT count(*) FROM (SELECT DISTINCT indicator_id, period FROM value WHERE replaced_by IS NULL)"
        ),
        2000
    );
    env.ics(&["check"]).ok();
}

#[test]
fn a_reader_during_an_import_sees_all_of_it_or_none() {
    let env = Env::new();
    let n = 50;
    let fw = env.write("fw.toml", &quarterly_framework(n));
    env.ics(&["load", fw.to_str().unwrap()]).ok();
    // One FY2020 value per indicator, buried in many other rows so the import takes a while.
    let mut csv = String::from("indicator,period,value\n");
    for i in 0..n {
        csv.push_str(&format!("Q{i},FY2020,{i}\n"));
    }
    for k in 0..4000 {
        for i in 0..n {
            csv.push_str(&format!("Q{i},{},{k}\n", quarter(k % 1000)));
        }
    }
    let file = env.write("big.csv", &csv);
    let importer = std::process::Command::new(env!("CARGO_BIN_EXE_ics"))
        .args(["import-values", file.to_str().unwrap()])
        .current_dir(env.dir.path())
        .env_remove("ICS_DB")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut seen = std::collections::BTreeSet::new();
    let mut importer = importer;
    loop {
        let done = importer.try_wait().unwrap().is_some();
        let rows = env
            .ics(&["progress", "--period", "FY2020", "--format", "json"])
            .ok()
            .json();
        let with_actual = rows
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| !r["actual"].is_null())
            .count();
        assert!(
            with_actual == 0 || with_actual == n,
            "a reader saw half an import: {with_actual} of {n}"
        );
        seen.insert(with_actual);
        if done {
            break;
        }
    }
    assert!(importer.wait().unwrap().success());
    assert!(seen.contains(&n), "the reader never saw the import");
}

/// Start `ics args...` and kill it with SIGKILL as soon as `midway(pid)` says it is in the
/// middle of its work.
fn kill_when(env: &Env, args: &[&str], midway: impl Fn(u32) -> bool) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ics"))
        .args(args)
        .current_dir(env.dir.path())
        .env_remove("ICS_DB")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while !midway(child.id()) {
        if let Some(status) = child.try_wait().unwrap() {
            panic!(
                "the command finished ({status}) before it could be killed; make the input bigger"
            );
        }
        assert!(
            start.elapsed().as_secs() < 300,
            "the command never got midway"
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
}

/// Bytes the process has read so far (`rchar` in /proc/PID/io).
fn bytes_read(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/io"))
        .ok()
        .and_then(|io| {
            io.lines().find_map(|l| {
                l.strip_prefix("rchar: ")
                    .and_then(|v| v.trim().parse().ok())
            })
        })
        .unwrap_or(0)
}

fn integrity(db: &std::path::Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn an_import_killed_midway_leaves_nothing_and_can_be_rerun() {
    let env = Env::new();
    let n = 10;
    let fw = env.write("fw.toml", &quarterly_framework(n));
    env.ics(&["load", fw.to_str().unwrap()]).ok();
    env.ics(&["record", "Q0", "FY2020Q1", "7"]).ok();
    let mut csv = String::with_capacity(30_000_000);
    csv.push_str("indicator,period,value\n");
    for k in 0..100_000 {
        for i in 0..n {
            csv.push_str(&format!("Q{i},{},{k}\n", quarter(k % 1100)));
        }
    }
    // 1,000,000 rows; repeated keys are corrections, which the import handles in file order.
    let file = env.write("million.csv", &csv);
    // Midway: the importer has read half of the file (it reads and writes as it goes, in one
    // transaction).
    let half = std::fs::metadata(&file).unwrap().len() / 2;
    kill_when(&env, &["import-values", file.to_str().unwrap()], |pid| {
        bytes_read(pid) > half
    });
    assert_eq!(integrity(&env.db()), "ok");
    assert_eq!(
        count(&env.db(), "SELECT count(*) FROM value"),
        1,
        "rows of the killed import remain"
    );
    env.ics(&["check"]).ok();
    env.ics(&["import-values", file.to_str().unwrap()]).ok();
    assert_eq!(count(&env.db(), "SELECT count(*) FROM value"), 1_000_001);
    env.ics(&["check"]).ok();
}

#[test]
fn a_load_killed_midway_stores_no_version_and_can_be_rerun() {
    let env = Env::new();
    let small = env.write("small.toml", &quarterly_framework(2));
    env.ics(&["load", small.to_str().unwrap()]).ok();
    let big = quarterly_framework(40_000).replace("version = \"v1\"", "version = \"v2\"");
    let big = env.write("big.toml", &big);
    // Midway: the loader is writing (its write-ahead log has grown past 4 MB).
    let wal = env.path("ics.db-wal");
    kill_when(&env, &["load", big.to_str().unwrap()], |_| {
        std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) > 4 * 1024 * 1024
    });
    assert_eq!(integrity(&env.db()), "ok");
    assert_eq!(count(&env.db(), "SELECT count(*) FROM strategy_version"), 1);
    env.ics(&["check"]).ok();
    env.ics(&["load", big.to_str().unwrap()]).ok();
    assert_eq!(count(&env.db(), "SELECT count(*) FROM strategy_version"), 2);
    env.ics(&["check"]).ok();
}

#[test]
fn a_50_megabyte_garbage_framework_is_rejected_without_a_crash() {
    let env = Env::new();
    let mut junk = String::with_capacity(50 * 1024 * 1024);
    let line = "this is = not [ valid toml at all ]] \"\n";
    while junk.len() < 50 * 1024 * 1024 {
        junk.push_str(line);
    }
    let file = env.write("huge.toml", &junk);
    env.ics(&["load", file.to_str().unwrap()])
        .fails()
        .stderr_has("invalid TOML");
    assert!(!env.db().exists());
    // Over the 64 MiB cap: refused before reading.
    let f = std::fs::File::create(env.path("bigger.toml")).unwrap();
    f.set_len(65 * 1024 * 1024).unwrap();
    env.ics(&["load", "bigger.toml"])
        .fails()
        .stderr_has("may be at most 64 MiB");
}

#[test]
fn hostile_codes_and_notes_are_stored_and_printed_back_exactly() {
    let env = Env::new();
    let code = "IND \"q\"; '; DROP TABLE value; -- \u{200F}عربى 🙂";
    let fw = MINI.replace(
        "code = \"I1\"",
        &format!("code = {}", ics::framework::dump::quote(code)),
    );
    let f = env.write("fw.toml", &fw);
    env.ics(&["load", f.to_str().unwrap()]).ok();
    let note = "'; DROP TABLE value; -- \"quoted\", comma; semi \u{202E}rtl\u{202C} 🙂 =1+1";
    env.ics(&[
        "record", code, "FY2021", "31", "--note", note, "--source", "S; 'x'",
    ])
    .ok();
    let json = env.ics(&["export-values", "--format", "json"]).ok().json();
    assert_eq!(json[0]["indicator"], code);
    assert_eq!(json[0]["note"], note);
    assert_eq!(json[0]["source"], "S; 'x'");
    let history = env.ics(&["history", code, "--format", "json"]).ok().json();
    assert_eq!(history[0]["note"], note);
    let tree = env.ics(&["tree", "--format", "json"]).ok().json();
    assert_eq!(
        tree["nodes"][0]["children"][0]["indicators"][0]["code"],
        code
    );
    // The CSV export guards the formula-like note and reads back to the same text.
    let csv = env.ics(&["export-values"]).ok().stdout;
    let again = Env::new();
    let f2 = again.write("fw.toml", &fw);
    again.ics(&["load", f2.to_str().unwrap()]).ok();
    let file = again.write("values.csv", &csv);
    again.ics(&["import-values", file.to_str().unwrap()]).ok();
    let json2 = again
        .ics(&["export-values", "--format", "json"])
        .ok()
        .json();
    assert_eq!(json2[0]["note"], note);
    env.ics(&["check"]).ok();
}

#[test]
fn a_read_only_database_can_be_read_but_not_written() {
    let env = Env::new();
    env.load_shipped();
    let mut perms = std::fs::metadata(env.db()).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(env.db(), perms).unwrap();
    let before = env.fingerprint();
    // Root ignores file permissions; only check the write refusal where they apply.
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    env.ics(&["tree", "--depth", "1"]).ok();
    if !root {
        env.ics(&["record", "IND-TRADE-GOODS", "FY2021", "17.2"])
            .fails()
            .stderr_has("read-only");
    }
    assert_eq!(before, env.fingerprint());
}

#[test]
fn a_database_from_the_first_schema_keeps_every_value_after_upgrade() {
    let env = Env::new();
    std::fs::copy(repo_file("tests/fixtures/schema-v1.db"), env.db()).unwrap();
    let expected =
        std::fs::read_to_string(repo_file("tests/fixtures/schema-v1.values.csv")).unwrap();
    let exported = env.ics(&["export-values", "--all"]).ok().stdout;
    assert_eq!(exported, expected);
    assert_eq!(expected.lines().count(), 16, "15 values and a header");
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        version,
        ics::store::schema::CURRENT_VERSION,
        "the open upgraded the schema"
    );
    drop(conn);
    env.ics(&["check"]).ok();
    // And it still takes new values.
    env.ics(&["record", "IND-TRADE-GOODS", "FY2022", "18.1"])
        .ok();
}

/// Run `ics` in `env` with stdout a pipe whose reader is already closed (`ics ... | true`
/// where `true` has exited): every write fails with a broken pipe.
fn ics_into_closed_pipe(env: &Env, args: &[&str]) -> Run {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    env.ics_stdout(args, writer.into())
}

#[test]
fn a_closed_pipe_ends_every_command_quietly_and_keeps_its_exit_code() {
    let env = Env::new();
    env.load_shipped();
    let values = repo_file("examples/peru-values.csv");
    env.ics(&["import-values", values.to_str().unwrap()]).ok();
    let older = repo_file("examples/framework-2022.toml");
    env.ics(&["load", older.to_str().unwrap()]).ok();
    // (command, exit code with stdout intact): findings and differences stay exit 1.
    let commands: &[(&[&str], i32)] = &[
        (&["completions", "bash"], 0),
        (&["completions", "zsh"], 0),
        (&["completions", "fish"], 0),
        (&["completions", "powershell"], 0),
        (&["man"], 0),
        (&["--help"], 0),
        (&["tree"], 0),
        (&["versions"], 0),
        (&["history", "IND-POVERTY"], 0),
        (&["export-values", "--all"], 0),
        (&["export-values", "--format", "json"], 0),
        (&["progress"], 0),
        (&["progress", "--format", "markdown"], 0),
        (&["check"], 0),
        (&["lint"], 1),
        (&["lint", "--format", "json"], 1),
        (&["diff", "@previous", "@latest"], 1),
        (&["diff", "@previous", "@latest", "--format", "json"], 1),
    ];
    for (args, code) in commands {
        assert_eq!(
            env.ics(args).code,
            *code,
            "`{}` on a terminal",
            args.join(" ")
        );
        let run = ics_into_closed_pipe(&env, args);
        assert_eq!(
            run.code,
            *code,
            "`{} | true` exit code:\n{}",
            args.join(" "),
            run.stderr
        );
        assert_eq!(run.stderr, "", "`{} | true` is not quiet", args.join(" "));
    }
}

#[test]
fn completions_into_a_full_disk_are_an_error_not_a_panic() {
    let env = Env::new();
    for args in [&["completions", "bash"][..], &["man"]] {
        env.ics_to_full_disk(args)
            .fails()
            .stderr_has("could not write the output");
    }
}
