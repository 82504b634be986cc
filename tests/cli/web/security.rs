//! Sign-in, sessions, CSRF, roles, headers and where the server may listen.

use std::time::Duration;

use super::{ics_with_stdin, mission, password, values, Server};
use crate::common::Env;

#[test]
fn sign_in_works_with_the_password_only_and_is_throttled() {
    let env = Env::new();
    mission(&env);
    let server = Server::start(&env, &[]);
    let mut c = server.client();
    // No session: every page sends the browser to sign in.
    let p = c.get("/review");
    assert_eq!(p.status, 303);
    assert_eq!(p.location.as_deref(), Some("/login?next=/review"));
    let wrong = c.sign_in_with("bo.po", "not the password");
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("the name or the password is wrong"));
    let nobody = c.sign_in_with("no.body", "whatever it is");
    assert_eq!(nobody.status, 401);
    assert_eq!(c.get("/").status, 303, "still not signed in");
    // Signing in leads back to the page asked for, query and all.
    let p = c.get("/status?period=FY2022");
    assert_eq!(
        p.location.as_deref(),
        Some("/login?next=/status%3Fperiod%3DFY2022")
    );
    let form = c.get(p.location.as_deref().unwrap());
    assert!(form
        .body
        .contains("name=\"next\" value=\"/status?period=FY2022\""));
    let pw = password("vi.ewer");
    let back = c.post(
        "/login",
        &[
            ("csrf", &form.csrf()),
            ("name", "vi.ewer"),
            ("password", &pw),
            ("next", "/status?period=FY2022"),
        ],
    );
    assert_eq!(back.location.as_deref(), Some("/status?period=FY2022"));
    let csrf = c.get("/").csrf();
    assert_eq!(c.post("/logout", &[("csrf", &csrf)]).status, 303);
    c.sign_in("bo.po");
    let home = c.get("/");
    assert_eq!(home.status, 200);
    assert!(home
        .body
        .contains("Signed in as <strong>bo.po</strong> (approver)"));
    assert!(!home.body.contains("Single-user mode"));
    // Five failures for one account: then even the right password is refused for a while.
    let mut t = server.client();
    for _ in 0..5 {
        assert_eq!(t.sign_in_with("ana.econ", "wrong password!").status, 401);
    }
    let blocked = t.sign_in_with("ana.econ", &password("ana.econ"));
    assert_eq!(blocked.status, 429, "{}", blocked.body);
    assert!(blocked.body.contains("too many failed sign-ins"));
    assert_eq!(t.get("/").status, 303);
    // Other accounts are not blocked by it.
    server.client().sign_in("pm.lima");
    // Signing out ends the session.
    let csrf = home.csrf();
    assert_eq!(c.post("/logout", &[("csrf", &csrf)]).status, 303);
    assert_eq!(c.get("/").status, 303);
    // The log: one line per request, without passwords or cookies.
    let log = server.log();
    assert!(log.contains("POST /login 401"), "{log}");
    assert!(log.contains("POST /login 303"), "{log}");
    assert!(log.contains("POST /login 429"), "{log}");
    assert!(log.contains("GET / 200"), "{log}");
    assert!(
        !log.contains("long password") && !log.contains("wrong password"),
        "{log}"
    );
    assert!(
        !log.contains(c.cookie.as_deref().unwrap_or("no cookie")),
        "{log}"
    );
}

#[test]
fn an_idle_session_ends() {
    let env = Env::new();
    mission(&env);
    let server = Server::start(&env, &["--idle", "2s"]);
    let mut c = server.client();
    c.sign_in("vi.ewer");
    assert_eq!(c.get("/").status, 200);
    std::thread::sleep(Duration::from_millis(2500));
    let p = c.get("/status");
    assert_eq!(p.status, 303);
    assert_eq!(p.location.as_deref(), Some("/login?next=/status"));
}

#[test]
fn a_post_without_the_right_csrf_token_is_refused_and_changes_nothing() {
    let env = Env::new();
    mission(&env);
    let server = Server::start(&env, &[]);
    let mut c = server.client();
    c.sign_in("ana.econ");
    let page = c.get("/indicator/IND-TRADE-GOODS");
    assert_eq!(page.status, 200);
    let token = page.csrf();
    let before = values(&env);
    fn form(csrf: Option<&str>) -> Vec<(&str, &str)> {
        let mut f = vec![("period", "FY2022"), ("value", "20.1")];
        if let Some(t) = csrf {
            f.push(("csrf", t));
        }
        f
    }
    let missing = c.post("/indicator/IND-TRADE-GOODS/record", &form(None));
    assert_eq!(missing.status, 403);
    assert!(missing
        .body
        .contains("security token is missing or out of date"));
    let wrong = "0".repeat(64);
    assert_eq!(
        c.post("/indicator/IND-TRADE-GOODS/record", &form(Some(&wrong)))
            .status,
        403
    );
    // Another session's token is wrong too.
    let mut other = server.client();
    other.sign_in("bo.po");
    let theirs = other.get("/review").csrf();
    assert_eq!(
        c.post("/indicator/IND-TRADE-GOODS/record", &form(Some(&theirs)))
            .status,
        403
    );
    assert_eq!(values(&env), before, "a refused POST changed something");
    // The right token records.
    let ok = c.post("/indicator/IND-TRADE-GOODS/record", &form(Some(&token)));
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_ne!(values(&env), before);
    let after = c.get("/indicator/IND-TRADE-GOODS");
    assert!(
        after.body.contains(
            "recorded `IND-TRADE-GOODS` FY2022: 20.1 USD billion (submitted for approval)"
        ),
        "{}",
        after.body
    );
}

#[test]
fn roles_and_scopes_are_enforced_on_every_post() {
    let env = Env::new();
    mission(&env);
    let server = Server::start(&env, &[]);
    let mut ana = server.client();
    ana.sign_in("ana.econ");
    // Outside the reporter's scope: no form, and a POST is refused.
    let outside = ana.get("/indicator/IND-US-VISITORS");
    assert_eq!(outside.status, 200);
    assert!(!outside.body.contains("Record a value"));
    assert!(ana
        .get("/indicator/IND-TRADE-GOODS")
        .body
        .contains("Record a value"));
    let csrf = ana.get("/").csrf();
    let before = values(&env);
    let p = ana.post(
        "/indicator/IND-US-VISITORS/record",
        &[("csrf", &csrf), ("period", "FY2022"), ("value", "600000")],
    );
    assert_eq!(p.status, 403, "{}", p.body);
    assert!(
        p.body.contains("outside the scope of `ana.econ`"),
        "{}",
        p.body
    );
    for (what, field) in [("explain", "text"), ("void", "reason")] {
        let p = ana.post(
            &format!("/indicator/IND-US-VISITORS/{what}"),
            &[("csrf", &csrf), ("period", "FY2022"), (field, "because")],
        );
        assert_eq!(p.status, 403, "{what}");
    }
    assert_eq!(values(&env), before, "a refused POST changed something");
    // A reporter neither approves nor reads the log.
    ana.post(
        "/indicator/IND-TRADE-GOODS/record",
        &[("csrf", &csrf), ("period", "FY2022"), ("value", "20.1")],
    );
    let before_review = values(&env);
    let p = ana.post(
        "/review/approve",
        &[
            ("csrf", &csrf),
            ("indicator", "IND-TRADE-GOODS"),
            ("period", "FY2022"),
            ("disagg", ""),
        ],
    );
    assert_eq!(p.status, 403);
    assert!(
        p.body.contains("cannot approve or return values"),
        "{}",
        p.body
    );
    assert_eq!(ana.get("/log").status, 403);
    assert_eq!(values(&env), before_review);
    // A viewer records nothing.
    let mut vi = server.client();
    vi.sign_in("vi.ewer");
    let csrf = vi.get("/").csrf();
    let p = vi.post(
        "/indicator/IND-POVERTY/record",
        &[("csrf", &csrf), ("period", "FY2022"), ("value", "25.9")],
    );
    assert_eq!(p.status, 403);
    assert_eq!(vi.get("/log").status, 403);
    assert!(!vi
        .get("/review")
        .body
        .contains("action=\"/review/approve\""));
    assert_eq!(values(&env), before_review);
    assert_ne!(before, before_review, "the reporter's own record went in");
}

#[test]
fn every_response_has_the_security_headers() {
    let env = Env::new();
    mission(&env);
    let server = Server::start(&env, &[]);
    let mut c = server.client();
    let health = c.get("/healthz");
    assert_eq!((health.status, health.body.as_str()), (200, "ok"));
    let login = c.get("/login");
    let cookie = login.header("set-cookie").unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP on loopback: {cookie}"
    );
    for p in [
        health,
        login,
        c.get("/"),
        c.get("/nowhere"),
        c.get("/static/style.css"),
    ] {
        let csp = p.header("content-security-policy").unwrap_or("");
        assert!(csp.contains("default-src 'self'"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(p.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(p.header("referrer-policy"), Some("same-origin"));
    }
    assert!(!c.get("/login").body.contains("<script"));
    assert!(c.get("/static/style.css").body.contains(".banner"));
}

#[test]
fn passwords_are_checked_and_set_by_the_right_people() {
    let env = Env::new();
    mission(&env);
    ics_with_stdin(
        &env,
        &["--as", "pm.lima", "user", "set-password", "ana.econ"],
        "short\n",
    )
    .fails()
    .stderr_has("the password is too short");
    ics_with_stdin(
        &env,
        &["--as", "pm.lima", "user", "set-password", "ana.econ"],
        "",
    )
    .fails()
    .stderr_has("no password on standard input");
    ics_with_stdin(
        &env,
        &["--as", "ana.econ", "user", "set-password", "bo.po"],
        "a new long password\n",
    )
    .fails()
    .stderr_has("only an admin sets the password of someone else");
    ics_with_stdin(
        &env,
        &["--as", "ana.econ", "user", "set-password", "ana.econ"],
        "a new long password\n",
    )
    .ok()
    .stdout_has("set the password of ana.econ");
    let server = Server::start(&env, &[]);
    let mut c = server.client();
    assert_eq!(
        c.sign_in_with("ana.econ", &password("ana.econ")).status,
        401
    );
    assert_eq!(
        c.sign_in_with("ana.econ", "a new long password").status,
        303
    );
    drop(server);
    env.ics(&[
        "--as",
        "pm.lima",
        "user",
        "set-password",
        "ana.econ",
        "--clear",
    ])
    .ok();
    let list = env.ics(&["user", "list", "--format", "json"]).ok().json();
    let ana = list
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "ana.econ")
        .unwrap();
    assert_eq!(ana["password"], false);
    let log = env.ics(&["log"]).ok().stdout;
    assert!(log.contains("user-password"), "{log}");
    assert!(
        !log.contains("a new long password") && !log.contains("argon2"),
        "{log}"
    );
}

#[test]
fn a_removed_user_is_signed_out_and_a_locked_period_refuses_the_form() {
    let env = Env::new();
    mission(&env);
    let server = Server::start(&env, &[]);
    let mut ana = server.client();
    ana.sign_in("ana.econ");
    let csrf = ana.get("/").csrf();
    env.ics(&[
        "--as",
        "pm.lima",
        "lock",
        "FY2022",
        "--reason",
        "Reported to Washington",
    ])
    .ok();
    let before = values(&env);
    let p = ana.post(
        "/indicator/IND-TRADE-GOODS/record",
        &[("csrf", &csrf), ("period", "FY2022"), ("value", "20.1")],
    );
    assert_eq!(p.status, 400, "{}", p.body);
    assert!(
        p.body
            .contains("FY2022 is locked (by pm.lima on 2026-01-15: Reported to Washington)"),
        "{}",
        p.body
    );
    assert_eq!(values(&env), before);
    // A user removed is out at once: their sessions end with them, so a form they still
    // have open is refused (its token belongs to no session) and a page sends them to sign in.
    env.ics(&["--as", "pm.lima", "user", "remove", "ana.econ"])
        .ok();
    let before = values(&env);
    let p = ana.post(
        "/indicator/IND-TRADE-GOODS/record",
        &[("csrf", &csrf), ("period", "FY2023"), ("value", "20.1")],
    );
    assert_eq!(p.status, 403, "{}", p.body);
    assert!(
        p.body
            .contains("the form's security token is missing or out of date"),
        "{}",
        p.body
    );
    assert_eq!(values(&env), before);
    let p = ana.get("/");
    assert_eq!(p.status, 303);
    assert_eq!(p.location.as_deref(), Some("/login?next=/"));
}

/// `ics ARGS` on a terminal: `script` (util-linux) gives it a pseudo-terminal, whose input is
/// `typed`. What the terminal showed comes back as stdout.
fn on_a_terminal(env: &Env, args: &[&str], typed: &str) -> crate::common::Run {
    let line = std::iter::once(env!("CARGO_BIN_EXE_ics"))
        .chain(args.iter().copied())
        .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
        .collect::<Vec<_>>()
        .join(" ");
    let mut cmd = std::process::Command::new("script");
    cmd.args(["-qec", &line, "/dev/null"])
        .current_dir(env.dir.path())
        .env_remove("ICS_DB")
        .env_remove("ICS_USER")
        .env("NO_COLOR", "1")
        .env("ICS_NOW", "2026-01-15T12:00:00Z");
    let mut child = cmd
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("`script` (util-linux) runs a command on a pseudo-terminal; install util-linux");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        // One line at a time, as a person types: each answer after its prompt.
        for l in typed.lines() {
            std::thread::sleep(std::time::Duration::from_millis(300));
            stdin.write_all(format!("{l}\n").as_bytes()).unwrap();
            stdin.flush().unwrap();
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    let out = child.wait_with_output().unwrap();
    crate::common::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn user_add_asks_for_a_password_on_a_terminal_and_it_may_be_left_empty() {
    let env = Env::new();
    mission(&env);
    let listed = |name: &str| -> String {
        let list = env
            .ics(&["--as", "pm.lima", "user", "list", "--format", "json"])
            .ok()
            .stdout;
        let users: serde_json::Value = serde_json::from_str(&list).unwrap();
        users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["name"] == name)
            .map_or("absent".to_string(), |u| u["password"].to_string())
    };
    // Typed twice: the user has a password, and signs in with it.
    let run = on_a_terminal(
        &env,
        &[
            "--as",
            "pm.lima",
            "user",
            "add",
            "ed.terminal",
            "--role",
            "viewer",
        ],
        "typed at the prompt\ntyped at the prompt\n",
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains(
            "password for ed.terminal to sign in to `ics serve` (leave empty for none): "
        ),
        "{run:?}"
    );
    assert_eq!(listed("ed.terminal"), "true");
    let server = Server::start(&env, &[]);
    let mut c = server.client();
    assert_eq!(
        c.sign_in_with("ed.terminal", "typed at the prompt").status,
        303
    );
    drop(server);
    // Left empty: added, with no password.
    let run = on_a_terminal(
        &env,
        &[
            "--as", "pm.lima", "user", "add", "em.pty", "--role", "viewer",
        ],
        "\n",
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!run.stdout.contains("the same again"), "{run:?}");
    assert_eq!(listed("em.pty"), "false");
    // Typed differently: nobody is added.
    let before = env.fingerprint();
    let run = on_a_terminal(
        &env,
        &[
            "--as",
            "pm.lima",
            "user",
            "add",
            "mis.typed",
            "--role",
            "viewer",
        ],
        "one long password\nanother long password\n",
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stdout
            .contains("error: the two passwords differ; nothing was changed"),
        "{run:?}"
    );
    assert_eq!(env.fingerprint(), before);
    assert_eq!(listed("mis.typed"), "absent");
    // --no-password asks nothing, even on a terminal.
    let run = on_a_terminal(
        &env,
        &[
            "--as",
            "pm.lima",
            "user",
            "add",
            "no.pw",
            "--role",
            "viewer",
            "--no-password",
        ],
        "",
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!run.stdout.contains("password for"), "{run:?}");
    assert_eq!(listed("no.pw"), "false");
}
