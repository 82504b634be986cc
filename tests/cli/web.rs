//! `ics serve` over HTTP (issue 18): a real server process on a free loopback port, a database
//! made by the CLI (the shipped strategy with review on, users with passwords given on
//! standard input), and a plain HTTP client that keeps the session cookie by hand.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::{repo_file, Env, Run};

const PASSWORDS: [(&str, &str, &[&str]); 4] = [
    ("pm.lima", "admin", &[]),
    ("ana.econ", "reporter", &["--scope", "MO3.1"]),
    ("bo.po", "approver", &[]),
    ("vi.ewer", "viewer", &[]),
];

fn password(name: &str) -> String {
    format!("{name} has a long password")
}

/// Run `ics ARGS` in `env` with `stdin` on its standard input.
fn ics_with_stdin(env: &Env, args: &[&str], stdin: &str) -> Run {
    let mut child = base_command(env)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ics");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn base_command(env: &Env) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ics"));
    cmd.current_dir(env.dir.path())
        .env_remove("ICS_DB")
        .env_remove("ICS_USER")
        .env("NO_COLOR", "1")
        .env("TZ", "UTC")
        .env("USER", "tester")
        .env("ICS_NOW", "2026-01-15T12:00:00Z")
        .env("RUST_BACKTRACE", "0");
    cmd
}

/// The shipped strategy with review on; an admin, a reporter for MO3.1, an approver and a
/// viewer, each with a password.
fn mission(env: &Env) {
    let text = std::fs::read_to_string(repo_file("framework.toml")).unwrap();
    let text = text.replacen(
        "deviation_threshold = 10\n",
        "deviation_threshold = 10\nreview = true\n",
        1,
    );
    let fw = env.write("framework.toml", &text);
    env.ics(&["--as", "pm.lima", "load", fw.to_str().unwrap()])
        .ok();
    for (name, role, scope) in PASSWORDS {
        let mut args = vec!["--as", "pm.lima", "user", "add", name, "--role", role];
        args.extend_from_slice(scope);
        args.push("--password");
        ics_with_stdin(env, &args, &format!("{}\n", password(name))).ok();
    }
    let list = env.ics(&["user", "list"]).ok();
    assert!(!list.stdout.contains("long password"), "{}", list.stdout);
    assert!(!list.stdout.contains("$argon2"), "{}", list.stdout);
}

/// A running `ics serve`, killed when dropped.
struct Server {
    child: Child,
    base: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(env: &Env, extra: &[&str]) -> Server {
        let mut child = base_command(env)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start ics serve");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut seen = Vec::new();
        let base = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(addr) = line.strip_prefix("listening on ") {
                        break addr.to_string();
                    }
                    seen.push(line);
                }
                _ => {
                    let _ = child.kill();
                    panic!("ics serve did not start:\n{}", seen.join("\n"));
                }
            }
        };
        let log = Arc::new(Mutex::new(seen));
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Server { child, base, log }
    }

    fn client(&self) -> Client {
        Client {
            base: self.base.clone(),
            cookie: None,
            agent: ureq::Agent::config_builder()
                .max_redirects(0)
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(30)))
                .build()
                .into(),
        }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser: its session cookie.
struct Client {
    base: String,
    cookie: Option<String>,
    agent: ureq::Agent,
}

struct Page {
    status: u16,
    location: Option<String>,
    headers: Vec<(String, String)>,
    body: String,
}

impl Page {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// The CSRF token of the page's first form.
    fn csrf(&self) -> String {
        const FIELD: &str = "name=\"csrf\" value=\"";
        let at = self
            .body
            .find(FIELD)
            .unwrap_or_else(|| panic!("no CSRF field:\n{}", self.body));
        let rest = &self.body[at + FIELD.len()..];
        rest[..rest.find('"').unwrap()].to_string()
    }
}

impl Client {
    fn keep(&mut self, resp: ureq::http::Response<ureq::Body>) -> Page {
        let status = resp.status().as_u16();
        let headers: Vec<(String, String)> = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        for (k, v) in &headers {
            if k == "set-cookie" {
                let pair = v.split(';').next().unwrap();
                let value = pair.strip_prefix("ics_session=").unwrap();
                self.cookie = (!value.is_empty()).then(|| value.to_string());
            }
        }
        let mut resp = resp;
        let body = resp.body_mut().read_to_string().unwrap_or_default();
        Page {
            status,
            location: headers
                .iter()
                .find(|(k, _)| k == "location")
                .map(|(_, v)| v.clone()),
            headers,
            body,
        }
    }

    fn get(&mut self, path: &str) -> Page {
        let mut req = self.agent.get(format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            req = req.header("Cookie", format!("ics_session={c}"));
        }
        let resp = req.call().expect("GET");
        self.keep(resp)
    }

    fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let mut req = self.agent.post(format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            req = req.header("Cookie", format!("ics_session={c}"));
        }
        let resp = req.send_form(form.iter().copied()).expect("POST");
        self.keep(resp)
    }

    /// Sign in as `name` with `pw`; the page the sign-in answered with.
    fn sign_in_with(&mut self, name: &str, pw: &str) -> Page {
        let csrf = self.get("/login").csrf();
        self.post(
            "/login",
            &[("csrf", &csrf), ("name", name), ("password", pw)],
        )
    }

    fn sign_in(&mut self, name: &str) {
        let p = self.sign_in_with(name, &password(name));
        assert_eq!(p.status, 303, "{}", p.body);
        assert_eq!(p.location.as_deref(), Some("/"));
    }
}

/// Every value and its history, to tell whether anything changed.
fn values(env: &Env) -> String {
    let out = env.ics(&["export-values", "--all"]).ok().stdout;
    format!("{out}\n{}", env.fingerprint())
}

/// `ics progress --period FY2022 --format json`'s row for `code`.
fn progress_row(env: &Env, code: &str) -> serde_json::Value {
    let rows = env
        .ics(&["progress", "--period", "FY2022", "--format", "json"])
        .ok()
        .json();
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["indicator"] == code)
        .unwrap()
        .clone()
}

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
fn the_approver_approves_and_the_numbers_match_the_cli() {
    let env = Env::new();
    mission(&env);
    let server = Server::start(&env, &[]);
    let mut ana = server.client();
    ana.sign_in("ana.econ");
    let csrf = ana.get("/").csrf();
    let hostile = "<script>alert('x')</script> & \"quoted\"";
    let p = ana.post(
        "/indicator/IND-TRADE-GOODS/record",
        &[
            ("csrf", &csrf),
            ("period", "FY2022"),
            ("value", "20.1"),
            ("note", hostile),
        ],
    );
    assert_eq!(p.status, 303);
    // Submitted, not approved: progress does not count it yet, here or in the CLI.
    assert!(progress_row(&env, "IND-TRADE-GOODS")["actual"].is_null());
    let mut bo = server.client();
    bo.sign_in("bo.po");
    let queue = bo.get("/review");
    assert!(
        queue.body.contains("1 value waiting for approval"),
        "{}",
        queue.body
    );
    // Return it with a reason; the reporter records it again; then approve it.
    let csrf = queue.csrf();
    let key = [
        ("indicator", "IND-TRADE-GOODS"),
        ("period", "FY2022"),
        ("disagg", ""),
    ];
    let mut form = vec![("csrf", csrf.as_str()), ("reason", "which source?")];
    form.extend_from_slice(&key);
    assert_eq!(bo.post("/review/return", &form).status, 303);
    assert!(bo
        .get("/review")
        .body
        .contains("Nothing is waiting for approval"));
    let csrf_a = ana.get("/").csrf();
    assert_eq!(
        ana.post(
            "/indicator/IND-TRADE-GOODS/record",
            &[("csrf", &csrf_a), ("period", "FY2022"), ("value", "20.1")],
        )
        .status,
        303
    );
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(&key);
    assert_eq!(bo.post("/review/approve", &form).status, 303);
    assert!(bo
        .get("/review")
        .body
        .contains("approved `IND-TRADE-GOODS` FY2022"));
    let row = progress_row(&env, "IND-TRADE-GOODS");
    assert_eq!(row["actual"], 20.1);
    // The dashboard shows the CLI's numbers.
    let dash = bo.get("/?period=FY2022");
    assert_eq!(dash.status, 200);
    let cells = format!(
        "IND-TRADE-GOODS</a></td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">20.1</td>",
        row["title"].as_str().unwrap(),
        ics::render::progress::number(row["target"].as_f64().unwrap())
    );
    assert!(dash.body.contains(&cells), "{cells}\n{}", dash.body);
    let status = row["status"].as_str().unwrap().replace('_', " ");
    assert!(dash.body.contains(&status));
    // The history shows the review and the hostile note as text.
    let page = bo.get("/indicator/IND-TRADE-GOODS");
    assert!(!page.body.contains("<script>"), "{}", page.body);
    assert!(page
        .body
        .contains("&lt;script&gt;alert('x')&lt;/script&gt; &amp; &quot;quoted&quot;"));
    assert!(page.body.contains("which source?"));
    // The log page names every step's person.
    let log = bo.get("/log");
    assert_eq!(log.status, 200);
    for step in [
        "<td>bo.po</td><td>peru-ics</td><td>approve</td>",
        "<td>bo.po</td><td>peru-ics</td><td>return</td>",
        "<td>ana.econ</td><td>peru-ics</td><td>record</td>",
    ] {
        assert!(log.body.contains(step), "{step}\n{}", log.body);
    }
    // The status page agrees with `ics status`.
    let cli = env
        .ics(&["status", "--period", "FY2022", "--format", "json"])
        .json();
    let st = bo.get("/status?period=FY2022");
    let goods = cli["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["indicator"] == "IND-TRADE-GOODS")
        .unwrap();
    assert_eq!(goods["state"], "approved");
    assert!(
        st.body.contains("<td>ana.econ</td><td>approved</td>"),
        "{}",
        st.body
    );
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
fn behind_a_proxy_cookies_are_secure() {
    let env = Env::new();
    mission(&env);
    let server = Server::start(&env, &["--behind-proxy"]);
    let login = server.client().get("/login");
    assert!(login.header("set-cookie").unwrap().contains("; Secure"));
}

#[test]
fn single_user_mode_says_so_on_every_page_and_still_checks_csrf() {
    let env = Env::new();
    env.load_shipped();
    let server = Server::start(&env, &[]);
    let mut c = server.client();
    for path in ["/", "/review", "/status", "/log", "/indicator/IND-POVERTY"] {
        let p = c.get(path);
        assert_eq!(p.status, 200, "{path}: {}", p.body);
        assert!(p.body.contains("Single-user mode"), "{path}");
    }
    assert_eq!(c.get("/login").location.as_deref(), Some("/"));
    let before = values(&env);
    let p = c.post(
        "/indicator/IND-POVERTY/record",
        &[("period", "FY2022"), ("value", "25.9")],
    );
    assert_eq!(p.status, 403);
    assert_eq!(values(&env), before);
    let csrf = c.get("/indicator/IND-POVERTY").csrf();
    let p = c.post(
        "/indicator/IND-POVERTY/record",
        &[("csrf", &csrf), ("period", "FY2022"), ("value", "25.9")],
    );
    assert_eq!(p.status, 303);
    // Review is off: the value counts at once, by the name of whoever runs the server.
    assert_eq!(progress_row(&env, "IND-POVERTY")["actual"], 25.9);
    assert!(env
        .ics(&["history", "IND-POVERTY"])
        .ok()
        .stdout
        .contains("tester"));
}

#[test]
fn listening_beyond_loopback_needs_an_admin_and_a_proxy() {
    let env = Env::new();
    env.load_shipped();
    let serve = |extra: &[&str]| {
        let mut args = vec!["serve", "--listen", "0.0.0.0:0"];
        args.extend_from_slice(extra);
        env.ics(&args)
    };
    serve(&[])
        .fails()
        .stderr_has("this database has no admin user");
    serve(&["--behind-proxy"])
        .fails()
        .stderr_has("this database has no admin user");
    ics_with_stdin(
        &env,
        &[
            "--as",
            "pm.lima",
            "user",
            "add",
            "pm.lima",
            "--role",
            "admin",
            "--password",
        ],
        &format!("{}\n", password("pm.lima")),
    )
    .ok();
    serve(&[])
        .fails()
        .stderr_has("neither TLS nor a proxy protects the passwords and cookies");
    let cert = env.write("cert.pem", "not used");
    let key = env.write("key.pem", "not used");
    serve(&[
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ])
    .fails()
    .stderr_has("ics does not serve TLS itself yet");
    env.ics(&["serve", "--listen", "not-an-address"])
        .fails()
        .stderr_has("is not an address and port");
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
