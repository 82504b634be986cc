//! Values on PostgreSQL through the real binary: concurrent writers lose nothing, and an import
//! killed (SIGKILL) or cut off by the server (`pg_terminate_backend`) midway leaves none of its
//! rows and can be run again. Each test has its own database on the test server
//! (`ICS_TEST_POSTGRES`, or a private cluster); without one they are skipped with one line.
//!

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ics::store::postgres::testing::TestServer;
use postgres::{Client, NoTls};

use crate::common::Env;

/// A framework of `n` quarterly indicators `Q0`..`Q{n-1}`.
fn quarterly_framework(n: usize) -> String {
    let mut s = String::from(
        "[strategy]\ncode = \"pgv\"\ntitle = \"PostgreSQL values\"\nversion = \"v1\"\n\n[[goal]]\ncode = \"G\"\ntitle = \"Goal\"\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            "\n[[goal.indicator]]\ncode = \"Q{i}\"\ntitle = \"Indicator {i}\"\nunit = \"people\"\ndirection = \"increase\"\nfrequency = \"quarterly\"\n"
        ));
    }
    s
}

/// The `n`-th fiscal quarter from FY1901Q1.
fn quarter(n: usize) -> String {
    format!("FY{}Q{}", 1901 + n / 4, 1 + n % 4)
}

/// A test's own database with `n` quarterly indicators loaded; `None` (skipped) without a
/// server.
fn loaded(env: &Env, n: usize) -> Option<TestServer> {
    let db = TestServer::database()?;
    let fw = env.write("fw.toml", &quarterly_framework(n));
    env.ics(&["--db", &db.url, "load", fw.to_str().unwrap()])
        .ok();
    Some(db)
}

fn count(url: &str, sql: &str) -> i64 {
    let mut c = Client::connect(url, NoTls).unwrap();
    c.query_one(sql, &[]).unwrap().get(0)
}

/// A CSV of `rows` values over `n` indicators, repeated keys being corrections.
fn big_csv(env: &Env, n: usize, rows: usize) -> std::path::PathBuf {
    let mut csv = String::with_capacity(rows * 24);
    csv.push_str("indicator,period,value\n");
    for k in 0..rows / n {
        for i in 0..n {
            csv.push_str(&format!("Q{i},{},{k}\n", quarter(k % 1100)));
        }
    }
    env.write("big.csv", &csv)
}

/// Start `ics --db URL args...`.
fn spawn(env: &Env, url: &str, args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_ics"))
        .arg("--db")
        .arg(url)
        .args(args)
        .current_dir(env.dir.path())
        .env_remove("ICS_DB")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Wait until the import's rows are arriving at the server: its connection (application
/// `ics`) is copying or merging.
fn wait_until_copying(url: &str, child: &mut std::process::Child) -> i32 {
    let mut c = Client::connect(url, NoTls).unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the import finished ({status}) before it could be stopped; make it bigger");
        }
        let pid: Option<i32> = c
            .query_opt(
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'ics' \
                 AND datname = current_database() AND (query LIKE 'COPY ics_import%' \
                 OR query LIKE '%INSERT INTO value%') AND state = 'active'",
                &[],
            )
            .unwrap()
            .map(|r| r.get(0));
        if let Some(pid) = pid {
            return pid;
        }
        assert!(
            start.elapsed().as_secs() < 300,
            "the import never got going"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn eight_concurrent_recorders_lose_nothing() {
    let env = Env::new();
    let Some(db) = loaded(&env, 8) else {
        return;
    };
    let barrier = std::sync::Barrier::new(8);
    std::thread::scope(|s| {
        for w in 0..8 {
            let (env, barrier, url) = (&env, &barrier, &db.url);
            s.spawn(move || {
                barrier.wait();
                for i in 0..250 {
                    let code = format!("Q{w}");
                    let value = format!("{}", w * 1000 + i);
                    env.ics(&["--db", url, "record", &code, &quarter(i), &value])
                        .ok();
                }
            });
        }
    });
    assert_eq!(count(&db.url, "SELECT count(*) FROM value"), 2000);
    assert_eq!(
        count(
            &db.url,
            "SELECT count(*) FROM (SELECT DISTINCT indicator_id, period FROM value \
             WHERE replaced_by IS NULL) k"
        ),
        2000
    );
    env.ics(&["--db", &db.url, "check"]).ok();
}

#[test]
fn an_import_killed_midway_leaves_nothing_and_can_be_rerun() {
    let env = Env::new();
    let n = 10;
    let Some(db) = loaded(&env, n) else {
        return;
    };
    env.ics(&["--db", &db.url, "record", "Q0", "FY2020Q1", "7"])
        .ok();
    let file = big_csv(&env, n, 1_000_000);
    let mut child = spawn(&env, &db.url, &["import-values", file.to_str().unwrap()]);
    wait_until_copying(&db.url, &mut child);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    // The server notices the lost client and rolls its transaction back; until then the
    // import's rows were never visible.
    assert_eq!(
        count(&db.url, "SELECT count(*) FROM value"),
        1,
        "rows of the killed import remain"
    );
    env.ics(&["--db", &db.url, "check"]).ok();
    env.ics(&["--db", &db.url, "import-values", file.to_str().unwrap()])
        .ok();
    assert_eq!(count(&db.url, "SELECT count(*) FROM value"), 1_000_001);
    env.ics(&["--db", &db.url, "check"]).ok();
}

#[test]
fn an_import_whose_connection_is_terminated_says_so_and_leaves_nothing() {
    let env = Env::new();
    let n = 10;
    let Some(db) = loaded(&env, n) else {
        return;
    };
    env.ics(&["--db", &db.url, "record", "Q0", "FY2020Q1", "7"])
        .ok();
    let file = big_csv(&env, n, 1_000_000);
    let mut child = spawn(&env, &db.url, &["import-values", file.to_str().unwrap()]);
    let pid = wait_until_copying(&db.url, &mut child);
    let mut admin = Client::connect(&db.url, NoTls).unwrap();
    let done: bool = admin
        .query_one("SELECT pg_terminate_backend($1)", &[&pid])
        .unwrap()
        .get(0);
    assert!(done);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].contains("nothing was saved") || errors[0].contains("ended the connection"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("db error"), "raw server text: {stderr}");
    assert_eq!(count(&db.url, "SELECT count(*) FROM value"), 1);
    env.ics(&["--db", &db.url, "check"]).ok();
    env.ics(&["--db", &db.url, "import-values", file.to_str().unwrap()])
        .ok();
    assert_eq!(count(&db.url, "SELECT count(*) FROM value"), 1_000_001);
}

/// Record, correct, void, explain and history through the binary give what SQLite gives.
#[test]
fn record_correct_void_and_history_as_on_sqlite() {
    let env = Env::new();
    let Some(db) = loaded(&env, 2) else {
        return;
    };
    let fw = env.path("fw.toml");
    env.ics(&["load", fw.to_str().unwrap()]).ok();
    for db_arg in [db.url.as_str(), "ics.db"] {
        let run = |args: &[&str]| {
            let mut all = vec!["--db", db_arg];
            all.extend_from_slice(args);
            env.ics(&all)
        };
        run(&["record", "Q0", "FY2021Q1", "5", "--note", "first"]).ok();
        run(&["record", "Q0", "FY2021Q1", "6"]).ok();
        run(&["record", "Q1", "FY2021Q1", "1"]).ok();
        run(&["void", "Q1", "FY2021Q1", "--reason", "typo"]).ok();
    }
    let export = |db_arg: &str| {
        env.ics(&["--db", db_arg, "export-values", "--all"])
            .ok()
            .stdout
    };
    assert_eq!(export(&db.url), export("ics.db"));
    let history = |db_arg: &str| {
        env.ics(&["--db", db_arg, "history", "Q0", "--format", "json"])
            .ok()
            .stdout
    };
    assert_eq!(history(&db.url), history("ics.db"));
}
