//! Where the server may listen: loopback, or beyond it with an admin and TLS or a proxy (TLS
//! served by ics itself is in `tls.rs`).

use super::{ics_with_stdin, mission, password, Server};
use crate::common::Env;

#[test]
fn behind_a_proxy_cookies_are_secure() {
    let env = Env::new();
    mission(&env);
    let server = Server::start(&env, &["--behind-proxy"]);
    let login = server.client().get("/login");
    assert!(login.header("set-cookie").unwrap().contains("; Secure"));
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
        .stderr_has("neither TLS nor a proxy protects the passwords and cookies")
        .stderr_has("--tls-cert FILE --tls-key FILE")
        .stderr_has("--behind-proxy");
    // TLS is checked before the server listens: files that are no certificate and key stop it.
    let cert = env.write("cert.pem", "not a certificate");
    let key = env.write("key.pem", "not a key");
    serve(&[
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ])
    .fails()
    .stderr_has("the TLS certificate `");
    env.ics(&["serve", "--listen", "not-an-address"])
        .fails()
        .stderr_has("is not an address and port");
}

#[test]
fn on_loopback_only_requests_addressed_to_loopback_are_answered() {
    let env = Env::new();
    env.load_shipped();
    let server = Server::start(&env, &[]);
    let c = server.client();
    let port = c.base.rsplit(':').next().unwrap().to_string();
    for (host, status) in [
        (format!("127.0.0.1:{port}"), 200),
        (format!("localhost:{port}"), 200),
        (format!("rebound.example:{port}"), 421),
        ("127.0.0.1:1".to_string(), 421),
    ] {
        let resp = c
            .agent
            .get(format!("{}/", c.base))
            .header("Host", &host)
            .call()
            .unwrap();
        assert_eq!(resp.status().as_u16(), status, "{host}");
    }
}
