//! Several servers on one database (issue 18: behind a load balancer without sticky sessions,
//! or one server restarted): the sessions and the failed sign-ins are the database's, not a
//! server's. Two `ics serve` processes on one SQLite file show it as well as two on PostgreSQL.

use sha2::{Digest, Sha256};

use super::{mission, password, values, Server};
use crate::common::Env;

const RECORDED: &str =
    "recorded `IND-TRADE-GOODS` FY2022: 20.1 USD billion (submitted for approval)";

#[test]
fn a_session_started_on_one_server_works_on_the_other_and_ends_on_both() {
    let env = Env::new();
    mission(&env);
    let a = Server::start(&env, &[]);
    let b = Server::start(&env, &[]);
    let mut on_a = a.client();
    on_a.sign_in("ana.econ");
    // The same browser (its cookie) sent to B.
    let mut on_b = b.client();
    on_b.cookie = on_a.cookie.clone();
    let home = on_b.get("/");
    assert_eq!(home.status, 200, "{}", home.body);
    assert!(
        home.body
            .contains("Signed in as <strong>ana.econ</strong> (reporter)"),
        "{}",
        home.body
    );
    // A form A served, posted to B with A's token.
    let token = on_a.get("/indicator/IND-TRADE-GOODS").csrf();
    let before = values(&env);
    let p = on_b.post(
        "/indicator/IND-TRADE-GOODS/record",
        &[("csrf", &token), ("period", "FY2022"), ("value", "20.1")],
    );
    assert_eq!(p.status, 303, "{}", p.body);
    assert_ne!(values(&env), before, "B recorded the value");
    // The message B left is shown by A, once.
    let shown = on_a.get("/indicator/IND-TRADE-GOODS");
    assert!(shown.body.contains(RECORDED), "{}", shown.body);
    let again = on_b.get("/indicator/IND-TRADE-GOODS");
    assert_eq!(again.status, 200);
    assert!(!again.body.contains(RECORDED), "{}", again.body);
    // A wrong token is wrong on both.
    let wrong = "0".repeat(64);
    for c in [&mut on_a, &mut on_b] {
        let p = c.post(
            "/indicator/IND-TRADE-GOODS/record",
            &[("csrf", &wrong), ("period", "FY2023"), ("value", "1")],
        );
        assert_eq!(p.status, 403);
    }
    // Signing out on B ends the session on A too.
    let csrf = on_b.get("/").csrf();
    assert_eq!(on_b.post("/logout", &[("csrf", &csrf)]).status, 303);
    let p = on_a.get("/status");
    assert_eq!(p.status, 303);
    assert_eq!(p.location.as_deref(), Some("/login?next=/status"));
    let p = on_a.post("/logout", &[("csrf", &csrf)]);
    assert_eq!(p.status, 403, "the ended session's token is refused too");
}

#[test]
fn failed_sign_ins_on_both_servers_count_together() {
    let env = Env::new();
    mission(&env);
    let a = Server::start(&env, &[]);
    let b = Server::start(&env, &[]);
    let (mut ca, mut cb) = (a.client(), b.client());
    for i in 0..5 {
        let c = if i % 2 == 0 { &mut ca } else { &mut cb };
        assert_eq!(c.sign_in_with("bo.po", "wrong password!").status, 401);
    }
    for c in [&mut ca, &mut cb] {
        let p = c.sign_in_with("bo.po", &password("bo.po"));
        assert_eq!(p.status, 429, "{}", p.body);
        assert!(p.body.contains("too many failed sign-ins"), "{}", p.body);
    }
    // A server started since counts them too; other accounts are not blocked.
    drop(a);
    let c = Server::start(&env, &[]);
    let mut cc = c.client();
    assert_eq!(cc.sign_in_with("bo.po", &password("bo.po")).status, 429);
    cc.sign_in("vi.ewer");
}

#[test]
fn the_database_holds_no_session_id_and_anonymous_pages_write_nothing() {
    let env = Env::new();
    mission(&env);
    let server = Server::start(&env, &[]);
    // A crawler: pages and a form without a session are sent to sign in; nothing is written.
    let mut crawler = server.client();
    for path in ["/", "/review", "/status?period=FY2022", "/log"] {
        assert_eq!(crawler.get(path).status, 303, "{path}");
    }
    let p = crawler.post("/indicator/IND-TRADE-GOODS/record", &[("csrf", "")]);
    assert_eq!(p.status, 403);
    let p = crawler.post(
        "/login",
        &[
            ("csrf", ""),
            ("name", "bo.po"),
            ("password", &password("bo.po")),
        ],
    );
    assert_eq!(p.status, 403, "no session, no sign-in: {}", p.body);
    assert_eq!(crawler.cookie, None);
    assert_eq!(sessions(&env), [], "no session was written");
    let mut c = server.client();
    c.sign_in("bo.po");
    let id = c.cookie.clone().unwrap();
    assert_eq!(id.len(), 64);
    let hash: String = Sha256::digest(id.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    // The sign-in page's session was replaced by the signed-in one.
    assert_eq!(sessions(&env), [(hash, Some("bo.po".to_string()))]);
    for file in [env.db(), env.path("ics.db-wal")] {
        if let Ok(bytes) = std::fs::read(&file) {
            assert!(
                !bytes.windows(id.len()).any(|w| w == id.as_bytes()),
                "{} holds the session id",
                file.display()
            );
        }
    }
}

#[test]
fn an_idle_session_ends_across_a_restart() {
    let env = Env::new();
    mission(&env);
    let first = Server::start(&env, &["--idle", "30m"]);
    let mut c = first.client();
    c.sign_in("vi.ewer");
    drop(first);
    // Restarted 20 minutes later: still signed in (and now seen at 12:20).
    let later = |now: &str| Server::start_with(&env, &["--idle", "30m"], &[("ICS_NOW", now)]);
    let second = later("2026-01-15T12:20:00Z");
    c.base = second.base.clone();
    assert_eq!(c.get("/").status, 200);
    drop(second);
    // 45 minutes after signing in but 25 after it was last seen: still signed in.
    let third = later("2026-01-15T12:45:00Z");
    c.base = third.base.clone();
    assert_eq!(c.get("/").status, 200);
    drop(third);
    // Idle for more than 30 minutes: sent to sign in again.
    let fourth = later("2026-01-15T13:20:00Z");
    c.base = fourth.base.clone();
    let p = c.get("/status");
    assert_eq!(p.status, 303);
    assert_eq!(p.location.as_deref(), Some("/login?next=/status"));
}

/// Every session row: its id hash and user.
fn sessions(env: &Env) -> Vec<(String, Option<String>)> {
    let conn =
        rusqlite::Connection::open_with_flags(env.db(), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let mut stmt = conn
        .prepare("SELECT id_hash, user_name FROM web_session ORDER BY 1")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// A new password, or the user removed, ends the sessions begun before, on every server and
/// across restarts: a cookie taken from the browser stops working, and a user added later
/// under the same name does not inherit it.
#[test]
fn a_new_password_or_a_removed_user_ends_their_sessions() {
    let env = Env::new();
    mission(&env);
    let server = Server::start(&env, &[]);
    let sessions_of = |name: &str| -> i64 {
        let conn = rusqlite::Connection::open(env.db()).unwrap();
        conn.query_row(
            "SELECT count(*) FROM web_session WHERE user_name = ?1",
            [name],
            |r| r.get(0),
        )
        .unwrap()
    };
    let mut ana = server.client();
    ana.sign_in("ana.econ");
    let mut bo = server.client();
    bo.sign_in("bo.po");
    assert_eq!(sessions_of("ana.econ"), 1);
    // The admin gives ana.econ a new password: her session ends, bo.po's does not.
    super::ics_with_stdin(
        &env,
        &["--as", "pm.lima", "user", "set-password", "ana.econ"],
        "a brand new long password\n",
    )
    .ok();
    assert_eq!(sessions_of("ana.econ"), 0);
    let p = ana.get("/status");
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(p.location.as_deref(), Some("/login?next=/status"));
    assert_eq!(bo.get("/status").status, 200);
    // Removed, then added again under the same name: the old cookie signs in no one.
    let stolen = bo.cookie.clone();
    env.ics(&["--as", "pm.lima", "user", "remove", "bo.po"])
        .ok();
    assert_eq!(sessions_of("bo.po"), 0);
    env.ics(&[
        "--as", "pm.lima", "user", "add", "bo.po", "--role", "approver",
    ])
    .ok();
    let mut thief = server.client();
    thief.cookie = stolen;
    let p = thief.get("/review");
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(p.location.as_deref(), Some("/login?next=/review"));
}
