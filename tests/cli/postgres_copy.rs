//! `ics copy` between SQLite and PostgreSQL (issue 16, part 4): SQLite → PostgreSQL → SQLite
//! keeps every version, value and history row, so `export-values --all` of all three agree;
//! a strategy can also live on the server first.

use ics::store::postgres::testing::TestServer;

use crate::common::*;
use crate::copy::{holdings, rich_source};

#[test]
fn sqlite_to_postgres_and_back_loses_nothing() {
    let Some(server) = TestServer::database() else {
        return;
    };
    let env = Env::new();
    let laptop = env.path("laptop.db");
    let laptop = laptop.to_str().unwrap();
    rich_source(&env, laptop);
    env.ics(&["copy", "--from", laptop, "--to", &server.url])
        .ok()
        .stdout_has("copied `mini` from ")
        .stdout_has("copied `other` from ");
    let back = env.path("back.db");
    let back = back.to_str().unwrap();
    env.ics(&["copy", "--from", &server.url, "--to", back])
        .ok()
        .stdout_has(": 2 versions, 6 value rows (history included)");
    for strategy in ["mini", "other"] {
        let original = holdings(&env, laptop, strategy);
        assert!(original.1.lines().count() > 3, "{}", original.1);
        assert_eq!(
            holdings(&env, &server.url, strategy),
            original,
            "{strategy} on the server"
        );
        assert_eq!(
            holdings(&env, back, strategy),
            original,
            "{strategy} back on a laptop"
        );
    }
    env.ics(&["--db", &server.url, "check"]).ok();
    env.ics(&["--db", back, "check"]).ok();
    // Progress reads the same on the server as on the laptop.
    let progress = |db: &str| {
        env.ics(&[
            "--db",
            db,
            "--strategy",
            "mini",
            "progress",
            "--period",
            "FY2021",
            "--format",
            "csv",
        ])
        .ok()
        .stdout
    };
    assert_eq!(progress(&server.url), progress(laptop));
    // Copying again is refused, and the server is left as it was.
    let before = holdings(&env, &server.url, "mini");
    env.ics(&["copy", "--from", laptop, "--to", &server.url])
        .fails()
        .stderr_has("already holds the strategies `mini`, `other`; nothing was copied");
    assert_eq!(holdings(&env, &server.url, "mini"), before);
}

#[test]
fn a_strategy_started_on_the_server_goes_offline() {
    let Some(server) = TestServer::database() else {
        return;
    };
    let env = Env::new();
    rich_source(&env, &server.url);
    let offline = env.path("offline.db");
    let offline = offline.to_str().unwrap();
    env.ics(&[
        "--strategy",
        "other",
        "copy",
        "--from",
        &server.url,
        "--to",
        offline,
    ])
    .ok()
    .stdout_has("copied `other`")
    .stdout_has(": 1 version, 4 value rows (history included)");
    assert_eq!(
        holdings(&env, offline, "other"),
        holdings(&env, &server.url, "other")
    );
    let listed = env
        .ics(&["--db", offline, "strategies", "--format", "json"])
        .ok()
        .json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
}

#[test]
fn the_password_of_a_copy_url_is_never_shown() {
    let env = Env::new();
    // Nothing answers on port 1: the copy fails, and says where without the password.
    let laptop = env.path("laptop.db");
    rich_source(&env, laptop.to_str().unwrap());
    let run = env
        .ics(&[
            "copy",
            "--from",
            laptop.to_str().unwrap(),
            "--to",
            "postgres://ics:s3cret-pw@127.0.0.1:1/ics",
        ])
        .fails();
    assert!(
        !run.stderr.contains("s3cret-pw") && !run.stdout.contains("s3cret-pw"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("postgres://ics:***@127.0.0.1:1/ics"),
        "{}",
        run.stderr
    );
}
