//! `ics serve` over HTTP (issue 18): a real server process on a free loopback port, a database
//! made by the CLI (the shipped strategy with review on, users with passwords given on
//! standard input), and a plain HTTP client that keeps the session cookie by hand. This file is
//! the harness; the tests are in `web/`.

mod admin;
mod download;
mod entry;
mod listen;
mod pages;
mod security;
mod shared;
mod tls;
mod upload;

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

pub fn password(name: &str) -> String {
    format!("{name} has a long password")
}

/// Run `ics ARGS` in `env` with `stdin` on its standard input.
pub fn ics_with_stdin(env: &Env, args: &[&str], stdin: &str) -> Run {
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

pub fn base_command(env: &Env) -> Command {
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
pub fn mission(env: &Env) {
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
pub struct Server {
    child: Child,
    pub base: String,
    log: Arc<Mutex<Vec<String>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    pub fn start(env: &Env, extra: &[&str]) -> Server {
        Server::start_on(env, "127.0.0.1:0", extra)
    }

    /// [`Server::start`] listening on `listen`.
    pub fn start_on(env: &Env, listen: &str, extra: &[&str]) -> Server {
        Server::start_full(env, listen, extra, &[])
    }

    /// [`Server::start`] with more environment variables (`ICS_NOW`, to start it later).
    pub fn start_with(env: &Env, extra: &[&str], vars: &[(&str, &str)]) -> Server {
        Server::start_full(env, "127.0.0.1:0", extra, vars)
    }

    fn start_full(env: &Env, listen: &str, extra: &[&str], vars: &[(&str, &str)]) -> Server {
        let mut child = base_command(env)
            .args(["serve", "--listen", listen])
            .args(extra)
            .envs(vars.iter().copied())
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
        let reader = std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Server {
            child,
            base,
            log,
            reader: Some(reader),
        }
    }

    pub fn client(&self) -> Client {
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

    pub fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    /// Send SIGTERM and wait: the exit code and everything logged.
    pub fn terminate(self) -> (Option<i32>, String) {
        self.sigterm();
        self.wait()
    }

    /// Send SIGTERM.
    pub fn sigterm(&self) {
        // SAFETY: kill only sends a signal to the child this test started.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
    }

    /// Wait for the server to stop: the exit code and everything logged.
    pub fn wait(mut self) -> (Option<i32>, String) {
        let code = self.child.wait().unwrap().code();
        // The reader has seen the last line once the pipe is closed.
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        (code, self.log())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser: its session cookie.
pub struct Client {
    pub base: String,
    pub cookie: Option<String>,
    pub agent: ureq::Agent,
}

pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    headers: Vec<(String, String)>,
    pub body: String,
}

impl Page {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// The CSRF token of the page's first form.
    pub fn csrf(&self) -> String {
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

    pub fn get(&mut self, path: &str) -> Page {
        let mut req = self.agent.get(format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            req = req.header("Cookie", format!("ics_session={c}"));
        }
        let resp = req.call().expect("GET");
        self.keep(resp)
    }

    pub fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let mut req = self.agent.post(format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            req = req.header("Cookie", format!("ics_session={c}"));
        }
        let resp = req.send_form(form.iter().copied()).expect("POST");
        self.keep(resp)
    }

    /// GET a file: its status, its headers and its bytes.
    pub fn get_bytes(&mut self, path: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
        let mut req = self.agent.get(format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            req = req.header("Cookie", format!("ics_session={c}"));
        }
        let mut resp = req.call().expect("GET");
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let body = resp
            .body_mut()
            .with_config()
            .limit(100 << 20)
            .read_to_vec()
            .unwrap();
        (resp.status().as_u16(), headers, body)
    }

    /// POST a multipart form: text `fields`, then the file `name` holding `bytes` as field
    /// `file`.
    pub fn upload(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        name: &str,
        bytes: &[u8],
    ) -> Page {
        const BOUNDARY: &str = "ics-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        let mut req = self.agent.post(format!("{}{path}", self.base)).header(
            "Content-Type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        );
        if let Some(c) = &self.cookie {
            req = req.header("Cookie", format!("ics_session={c}"));
        }
        let resp = req.send(&body[..]).expect("POST");
        self.keep(resp)
    }

    /// Sign in as `name` with `pw`; the page the sign-in answered with.
    pub fn sign_in_with(&mut self, name: &str, pw: &str) -> Page {
        let csrf = self.get("/login").csrf();
        self.post(
            "/login",
            &[("csrf", &csrf), ("name", name), ("password", pw)],
        )
    }

    pub fn sign_in(&mut self, name: &str) {
        let p = self.sign_in_with(name, &password(name));
        assert_eq!(p.status, 303, "{}", p.body);
        assert_eq!(p.location.as_deref(), Some("/"));
    }
}

/// Every value and its history, to tell whether anything changed: every table but the
/// sign-in sessions and failures, which a server writes as browsers come and go.
pub fn values(env: &Env) -> String {
    let out = env.ics(&["export-values", "--all"]).ok().stdout;
    let data = crate::common::fingerprint_except(&env.db(), &["web_session", "signin_failure"]);
    format!("{out}\n{data}")
}

/// `ics progress --period FY2022 --format json`'s row for `code`.
pub fn progress_row(env: &Env, code: &str) -> serde_json::Value {
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
