//! `ics copy` (issue 16, part 4): strategies with every version, value and all history move
//! between databases, and `export-values --all` of the source and the destination agree.
//! The PostgreSQL round trips are in `postgres_copy.rs`.

use crate::common::*;

/// Fill the database `db` (a file in `env`, or a server URL) with two strategies that share
/// the indicator code `I1`, two versions of one, and a history with corrections, a void, a
/// value recorded after a void, an explanation and an import of dated rows.
pub fn rich_source(env: &Env, db: &str) {
    let a = env.write("mini.toml", MINI);
    let a2 = env.write(
        "mini-v2.toml",
        &MINI
            .replace("version = \"v1\"", "version = \"v2\"")
            .replace("FY2021 = 30", "FY2021 = 35"),
    );
    let b = env.write("other.toml", &mini_as("other", "Strategy other"));
    let ics = |args: &[&str]| {
        let mut all = vec!["--db", db];
        all.extend_from_slice(args);
        env.ics_env(
            &all,
            &[("USER", "me.lima"), ("ICS_NOW", "2026-11-02T10:00:00Z")],
        )
        .ok()
    };
    ics(&["load", a.to_str().unwrap()]);
    ics(&[
        "--strategy",
        "mini",
        "record",
        "I1",
        "FY2020",
        "12",
        "--note",
        "first",
    ]);
    ics(&["--strategy", "mini", "record", "I1", "FY2020", "14"]);
    ics(&["load", a2.to_str().unwrap()]);
    ics(&["load", b.to_str().unwrap()]);
    ics(&[
        "--strategy",
        "mini",
        "record",
        "I1",
        "FY2021",
        "9",
        "--source",
        "survey",
    ]);
    ics(&[
        "--strategy",
        "mini",
        "void",
        "I1",
        "FY2021",
        "--reason",
        "wrong year",
    ]);
    ics(&["--strategy", "mini", "record", "I1", "FY2021", "31"]);
    ics(&[
        "--strategy",
        "mini",
        "explain",
        "I1",
        "FY2020",
        "funding arrived late",
    ]);
    ics(&["--strategy", "other", "record", "I1", "FY2020", "3"]);
    ics(&[
        "--strategy",
        "other",
        "void",
        "I1",
        "FY2020",
        "--reason",
        "duplicate",
    ]);
    let csv = env.write(
        "dated.csv",
        "indicator,period,value,note,recorded_by,recorded_at\n\
         I1,FY2022,40,from the field,ana.cusco,2026-10-01T08:00:00Z\n\
         I1,FY2022,41,recount,ana.cusco,2026-10-02T08:00:00Z\n",
    );
    ics(&[
        "--strategy",
        "other",
        "import-values",
        csv.to_str().unwrap(),
    ]);
}

/// What a database holds of `strategy`, as text to compare: its versions (all fields) and
/// every value row with its history.
pub fn holdings(env: &Env, db: &str, strategy: &str) -> (String, String) {
    let versions = env
        .ics(&[
            "--db",
            db,
            "--strategy",
            strategy,
            "versions",
            "--format",
            "json",
        ])
        .ok()
        .stdout;
    let values = env
        .ics(&["--db", db, "--strategy", strategy, "export-values", "--all"])
        .ok()
        .stdout;
    (versions, values)
}

#[test]
fn a_copy_holds_every_version_value_and_history() {
    let env = Env::new();
    let src = env.path("laptop.db");
    let src = src.to_str().unwrap();
    rich_source(&env, src);
    let dst = env.path("copy.db");
    let dst = dst.to_str().unwrap();
    env.ics(&["copy", "--from", src, "--to", dst])
        .ok()
        .stdout_has("copied `mini` from ")
        .stdout_has(": 2 versions, 6 value rows (history included)")
        .stdout_has("copied `other`")
        .stdout_has(": 1 version, 4 value rows (history included)");
    for strategy in ["mini", "other"] {
        let (versions, values) = holdings(&env, src, strategy);
        assert_eq!(
            holdings(&env, dst, strategy),
            (versions.clone(), values.clone())
        );
        // The comparison compares something: the history is there.
        assert!(values.lines().count() > 3, "{values}");
        assert!(versions.contains("loaded_at"), "{versions}");
    }
    let (_, mini) = holdings(&env, dst, "mini");
    assert!(
        mini.contains("wrong year") && mini.contains("funding arrived late"),
        "{mini}"
    );
    env.ics(&["--db", dst, "check"]).ok();
    env.ics(&["--db", dst, "strategies", "--format", "json"])
        .ok()
        .stdout_has("\"code\": \"other\"");
}

#[test]
fn strategy_limits_the_copy() {
    let env = Env::new();
    let src = env.path("laptop.db");
    let src = src.to_str().unwrap();
    rich_source(&env, src);
    let dst = env.path("copy.db");
    let dst = dst.to_str().unwrap();
    env.ics(&["--strategy", "other", "copy", "--from", src, "--to", dst])
        .ok()
        .stdout_has("copied `other`");
    let listed = env
        .ics(&["--db", dst, "strategies", "--format", "json"])
        .ok();
    let codes: Vec<String> = listed
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes, ["other"]);
    // And the other one can follow.
    env.ics(&["--strategy", "mini", "copy", "--from", src, "--to", dst])
        .ok()
        .stdout_has("copied `mini`");
    assert_eq!(holdings(&env, dst, "mini"), holdings(&env, src, "mini"));
    env.ics(&["--strategy", "nope", "copy", "--from", src, "--to", dst])
        .fails()
        .stderr_has("holds no strategy `nope`")
        .stderr_has("`mini`, `other`");
}

#[test]
fn a_destination_holding_the_strategy_is_refused_untouched() {
    let env = Env::new();
    let src = env.path("laptop.db");
    let src = src.to_str().unwrap();
    rich_source(&env, src);
    let dst = env.path("server.db");
    let b = env.write("other-only.toml", &mini_as("other", "Strategy other"));
    env.ics(&["--db", dst.to_str().unwrap(), "load", b.to_str().unwrap()])
        .ok();
    let before = fingerprint(&dst);
    env.ics(&["copy", "--from", src, "--to", dst.to_str().unwrap()])
        .fails()
        .stderr_has("already holds the strategy `other`; nothing was copied");
    assert_eq!(fingerprint(&dst), before);
}

#[test]
fn copying_a_database_onto_itself_or_from_nothing_is_refused() {
    let env = Env::new();
    let src = env.path("laptop.db");
    rich_source(&env, src.to_str().unwrap());
    let before = fingerprint(&src);
    env.ics(&["copy", "--from", "laptop.db", "--to", "./laptop.db"])
        .fails()
        .stderr_has("is both the source and the destination");
    assert_eq!(fingerprint(&src), before);
    env.ics(&["copy", "--from", "missing.db", "--to", "new.db"])
        .fails()
        .stderr_has("no database at `missing.db`");
    assert!(!env.path("new.db").exists());
}

#[test]
fn sign_in_sessions_and_failures_stay_behind() {
    let env = Env::new();
    let src = env.path("laptop.db");
    rich_source(&env, src.to_str().unwrap());
    let conn = rusqlite::Connection::open(&src).unwrap();
    conn.execute_batch(
        "INSERT INTO web_session (id_hash, user_name, csrf, created_at, seen_at) \
         VALUES ('aa', 'me.lima', 'token', '2026-11-02T10:00:00.000000Z', '2026-11-02T10:00:00.000000Z'); \
         INSERT INTO signin_failure (key, at) VALUES ('user:me.lima', '2026-11-02T10:00:00.000000Z');",
    )
    .unwrap();
    drop(conn);
    let dst = env.path("copy.db");
    env.ics(&[
        "copy",
        "--from",
        src.to_str().unwrap(),
        "--to",
        dst.to_str().unwrap(),
    ])
    .ok();
    let count = |db: &std::path::Path, table: &str| -> i64 {
        rusqlite::Connection::open(db)
            .unwrap()
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    };
    for table in ["web_session", "signin_failure"] {
        assert_eq!(count(&src, table), 1, "{table} in the source");
        assert_eq!(count(&dst, table), 0, "{table} was copied");
    }
    // Nothing of them is logged either.
    let log = env.ics(&["--db", src.to_str().unwrap(), "log"]).ok().stdout;
    assert!(!log.contains("session") && !log.contains("token"), "{log}");
}
