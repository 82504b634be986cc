//! HTTPS served by `ics serve --tls-cert --tls-key` itself: a self-signed certificate for
//! localhost and 127.0.0.1 made here (rcgen), and clients that trust exactly that certificate.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{ics_with_stdin, mission, password, Client, Server};
use crate::common::Env;

/// A certificate and its key, written in the test's folder.
struct Cert {
    cert: PathBuf,
    key: PathBuf,
    pem: String,
}

impl Cert {
    fn new(env: &Env, name: &str) -> Cert {
        let made = rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
            .unwrap();
        let pem = made.cert.pem();
        Cert {
            cert: env.write(&format!("{name}-cert.pem"), &pem),
            key: env.write(
                &format!("{name}-key.pem"),
                &made.signing_key.serialize_pem(),
            ),
            pem,
        }
    }

    fn args(&self) -> [&str; 4] {
        [
            "--tls-cert",
            self.cert.to_str().unwrap(),
            "--tls-key",
            self.key.to_str().unwrap(),
        ]
    }

    /// A browser that trusts this certificate only, at the server's port on 127.0.0.1.
    fn client(&self, server: &Server) -> Client {
        use ureq::tls::{Certificate, RootCerts, TlsConfig, TlsProvider};
        let port = server.base.rsplit(':').next().unwrap();
        let ca = Certificate::from_pem(self.pem.as_bytes()).unwrap();
        let tls = TlsConfig::builder()
            .provider(TlsProvider::Rustls)
            .root_certs(RootCerts::new_with_certs(&[ca]))
            .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .build();
        Client {
            base: format!("https://127.0.0.1:{port}"),
            cookie: None,
            agent: ureq::Agent::config_builder()
                .max_redirects(0)
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(30)))
                .tls_config(tls)
                .build()
                .into(),
        }
    }

    /// A raw TLS connection to the server, trusting this certificate.
    fn connect(&self, server: &Server) -> rustls::StreamOwned<rustls::ClientConnection, TcpStream> {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::CertificateDer;
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_slice(self.pem.as_bytes()).unwrap())
            .unwrap();
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        let conn = rustls::ClientConnection::new(Arc::new(config), "localhost".try_into().unwrap())
            .unwrap();
        rustls::StreamOwned::new(conn, TcpStream::connect(addr(server)).unwrap())
    }
}

/// The server's address on 127.0.0.1.
fn addr(server: &Server) -> String {
    format!("127.0.0.1:{}", server.base.rsplit(':').next().unwrap())
}

fn add_admin(env: &Env) {
    ics_with_stdin(
        env,
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
}

/// Wait until the server's log has `needle`.
fn log_gets(server: &Server, needle: &str) {
    let start = Instant::now();
    while !server.log().contains(needle) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the log never had {needle:?}:\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn over_tls_health_sign_in_and_pages_work_with_secure_cookies() {
    let env = Env::new();
    mission(&env);
    let cert = Cert::new(&env, "localhost");
    let server = Server::start(&env, &cert.args());
    assert!(
        server.base.starts_with("https://127.0.0.1:"),
        "{}",
        server.base
    );
    let mut c = cert.client(&server);
    let health = c.get("/healthz");
    assert_eq!((health.status, health.body.as_str()), (200, "ok"));
    let login = c.get("/login");
    assert!(
        login.header("set-cookie").unwrap().contains("; Secure"),
        "{:?}",
        login.header("set-cookie")
    );
    // On loopback only: no HSTS, which a browser would keep for `localhost` on every port.
    assert_eq!(login.header("strict-transport-security"), None);
    c.sign_in("pm.lima");
    let dash = c.get("/?period=FY2022");
    assert_eq!(dash.status, 200, "{}", dash.body);
    assert!(dash.body.contains("pm.lima"), "{}", dash.body);
    // The loopback Host check still holds over TLS.
    let port = addr(&server).rsplit(':').next().unwrap().to_string();
    for (host, status) in [
        (format!("localhost:{port}"), 200),
        (format!("rebound.example:{port}"), 421),
    ] {
        let resp = c
            .agent
            .get(format!("{}/healthz", c.base))
            .header("Host", &host)
            .call()
            .unwrap();
        assert_eq!(resp.status().as_u16(), status, "{host}");
    }
    log_gets(&server, "POST /login 303");
    assert!(
        server.log().contains("GET /healthz 200"),
        "{}",
        server.log()
    );
}

#[test]
fn beyond_loopback_tls_needs_an_admin_and_sends_hsts() {
    let env = Env::new();
    env.load_shipped();
    let cert = Cert::new(&env, "localhost");
    let mut args = vec!["serve", "--listen", "0.0.0.0:0"];
    args.extend_from_slice(&cert.args());
    env.ics(&args)
        .fails()
        .stderr_has("this database has no admin user");
    add_admin(&env);
    let server = Server::start_on(&env, "0.0.0.0:0", &cert.args());
    assert!(
        server.base.starts_with("https://0.0.0.0:"),
        "{}",
        server.base
    );
    let mut c = cert.client(&server);
    assert_eq!(c.get("/healthz").status, 200);
    let login = c.get("/login");
    assert_eq!(
        login.header("strict-transport-security"),
        Some("max-age=31536000")
    );
    assert!(login.header("set-cookie").unwrap().contains("; Secure"));
    c.sign_in("pm.lima");
    assert_eq!(c.get("/admin/users").status, 200);
}

#[test]
fn a_missing_or_wrong_certificate_or_key_is_one_error_and_no_server() {
    let env = Env::new();
    env.load_shipped();
    let good = Cert::new(&env, "good");
    let other = Cert::new(&env, "other");
    let cert = good.cert.to_str().unwrap();
    let key = good.key.to_str().unwrap();
    let garbage = env.write("garbage.pem", "this is not a certificate\n");
    let garbage = garbage.to_str().unwrap();
    let broken = env.write(
        "broken.pem",
        "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGUgYXQgYWxs\n-----END CERTIFICATE-----\n",
    );
    let broken = broken.to_str().unwrap();
    let locked = env.write(
        "locked.pem",
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nbm90IGEga2V5\n-----END ENCRYPTED PRIVATE KEY-----\n",
    );
    let locked = locked.to_str().unwrap();
    let other_key = other.key.to_str().unwrap();
    let cases: [(&[&str], &str); 9] = [
        (&["--tls-cert", cert], "--tls-cert needs --tls-key"),
        (&["--tls-key", key], "--tls-key needs --tls-cert"),
        (
            &["--tls-cert", "missing.pem", "--tls-key", key],
            "could not read the TLS certificate `missing.pem`: it does not exist",
        ),
        (
            &["--tls-cert", cert, "--tls-key", "missing.pem"],
            "could not read the TLS private key `missing.pem`: it does not exist",
        ),
        (
            &["--tls-cert", garbage, "--tls-key", key],
            "garbage.pem` is not a PEM certificate",
        ),
        (
            &["--tls-cert", cert, "--tls-key", cert],
            "good-cert.pem` holds no private key in PEM form",
        ),
        (
            &["--tls-cert", cert, "--tls-key", other_key],
            "other-key.pem` does not belong to the certificate",
        ),
        (
            &["--tls-cert", broken, "--tls-key", key],
            "broken.pem` is damaged or not a certificate ics can use",
        ),
        (
            &["--tls-cert", cert, "--tls-key", locked],
            "locked.pem` is protected by a passphrase",
        ),
    ];
    for (extra, said) in cases {
        let mut args = vec!["serve", "--listen", "127.0.0.1:0"];
        args.extend_from_slice(extra);
        let run = env.ics(&args).fails().stderr_has(said);
        assert_eq!(run.stderr.matches("error:").count(), 1, "{}", run.stderr);
        assert!(!run.stderr.contains("listening on"), "{}", run.stderr);
    }
}

#[test]
fn plain_http_garbage_and_silent_clients_neither_hang_nor_crash_the_tls_port() {
    let env = Env::new();
    env.load_shipped();
    let cert = Cert::new(&env, "localhost");
    let server = Server::start(&env, &cert.args());
    // A client that connects and says nothing must not hold up the others.
    let _silent = TcpStream::connect(addr(&server)).unwrap();
    let mut plain = TcpStream::connect(addr(&server)).unwrap();
    plain
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    plain
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    plain.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    assert!(answer.contains("https://"), "{answer}");
    let mut garbage = TcpStream::connect(addr(&server)).unwrap();
    garbage.write_all(&[0, 1, 2, 3, 4, 5, 6, 7]).unwrap();
    drop(garbage);
    let mut c = cert.client(&server);
    assert_eq!(c.get("/healthz").status, 200);
    log_gets(&server, "TLS handshake failed");
    let log = server.log();
    assert!(
        log.contains("plain HTTP request on the HTTPS port"),
        "{log}"
    );
    assert!(!log.contains("panicked"), "{log}");
    assert_eq!(c.get("/healthz").status, 200);
}

#[test]
fn sigterm_over_tls_finishes_the_request_in_flight_then_stops() {
    let env = Env::new();
    mission(&env);
    let cert = Cert::new(&env, "localhost");
    let server = Server::start(&env, &cert.args());
    let mut c = cert.client(&server);
    let csrf = c.get("/login").csrf();
    let cookie = c.cookie.clone().unwrap();
    let body = format!(
        "csrf={csrf}&name=pm.lima&password={}",
        password("pm.lima").replace(' ', "+")
    );
    let mut tls = cert.connect(&server);
    let head = format!(
        "POST /login HTTP/1.1\r\nHost: {}\r\nCookie: ics_session={cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        addr(&server),
        body.len()
    );
    // The request's head and half its body, then SIGTERM, then the rest.
    tls.write_all(head.as_bytes()).unwrap();
    tls.write_all(&body.as_bytes()[..body.len() / 2]).unwrap();
    tls.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    server.sigterm();
    log_gets(&server, "shutting down");
    tls.write_all(&body.as_bytes()[body.len() / 2..]).unwrap();
    tls.flush().unwrap();
    tls.sock
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut answer = Vec::new();
    // The server may close without a TLS close_notify: what arrived is what counts.
    let _ = tls.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 303 "), "{answer}");
    let (code, log) = server.wait();
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("POST /login 303"), "{log}");
}
