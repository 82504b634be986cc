//! `ics` against a PostgreSQL server, through `--db URL`: each test its own database on the test
//! server (`ICS_TEST_POSTGRES`, or a private cluster; skipped with one line when there is none,
//! failing under `ICS_REQUIRE_POSTGRES=1`). The TLS and login tests start a private cluster of
//! their own, with TLS on and a role that logs in with a password.

use ics::store::postgres::testing::{TestServer, TlsCluster};
use postgres::{Client, NoTls};

use crate::common::{repo_file, Env, Run, MINI};

/// The server's own words that must never reach the user.
#[track_caller]
fn no_raw_text(run: &Run) {
    for raw in [
        "SqlState", "DbError", "db error", "ERROR:", "FATAL", "panicked",
    ] {
        assert!(
            !run.stderr.contains(raw),
            "raw server text {raw:?}:\n{}",
            run.stderr
        );
    }
    // One `error:` line, and at most a hint.
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert!(
        lines.len() <= 2 && lines[0].starts_with("error: "),
        "{}",
        run.stderr
    );
}

/// Run `ics --db URL args...` in `env`.
fn ics(env: &Env, url: &str, args: &[&str]) -> Run {
    let mut all = vec!["--db", url];
    all.extend_from_slice(args);
    env.ics(&all)
}

fn mini_v2() -> String {
    MINI.replace("version = \"v1\"", "version = \"v2\"")
        .replace(
            "title = \"Objective one\"",
            "title = \"Objective one, renamed\"",
        )
}

#[test]
fn load_versions_tree_and_diff_on_a_server() {
    let Some(db) = TestServer::database() else {
        return;
    };
    let env = Env::new();
    let v1 = env.write("v1.toml", MINI);
    let v2 = env.write("v2.toml", &mini_v2());
    let url = db.url.as_str();
    ics(&env, url, &["load", v1.to_str().unwrap()])
        .ok()
        .stdout_has("as version `v1` of Mini strategy (mini)");
    // The same file again stores nothing.
    let again = ics(&env, url, &["load", v1.to_str().unwrap()]).ok();
    assert!(again.stdout.contains("unchanged"), "{}", again.stdout);
    ics(&env, url, &["load", v2.to_str().unwrap()]).ok();
    let versions = ics(&env, url, &["versions", "--format", "json"])
        .ok()
        .json();
    let labels: Vec<&str> = versions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["v1", "v2"]);
    ics(&env, url, &["tree"])
        .ok()
        .stdout_has("Objective one, renamed");
    // Exit 1: there are changes (as `diff` says).
    let diff = ics(&env, url, &["diff", "@previous", "@latest"]);
    assert_eq!(diff.code, 1, "{diff:?}");
    assert!(
        diff.stdout.contains("now: Objective one, renamed"),
        "{diff:?}"
    );
    // The same as SQLite gives for the same files.
    let file = |args: &[&str]| env.ics(args).stdout;
    file(&["load", v1.to_str().unwrap()]);
    file(&["load", v2.to_str().unwrap()]);
    assert_eq!(
        ics(&env, url, &["tree"]).stdout,
        file(&["tree"]).replace(env.db().to_str().unwrap(), url)
    );
    assert_eq!(
        ics(&env, url, &["diff", "@previous", "@latest"]).stdout,
        file(&["diff", "@previous", "@latest"])
    );
    // A label already stored.
    let dup = env.write("dup.toml", &MINI.replace("Goal one", "Goal 1"));
    let run = ics(&env, url, &["load", dup.to_str().unwrap()]).fails();
    no_raw_text(&run);
    assert!(
        run.stderr.contains("error: version `v1` already exists"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_big_shipped_strategy_round_trips() {
    let Some(db) = TestServer::database() else {
        return;
    };
    let env = Env::new();
    let shipped = repo_file("framework.toml");
    ics(&env, &db.url, &["load", shipped.to_str().unwrap()]).ok();
    env.ics(&["load", shipped.to_str().unwrap()]).ok();
    for args in [&["tree", "--format", "json"][..], &["pirs"][..]] {
        let pg = ics(&env, &db.url, args);
        let file = env.ics(args);
        assert_eq!((pg.code, &pg.stdout), (file.code, &file.stdout), "{args:?}");
    }
}

#[test]
fn an_unreachable_server_is_one_line() {
    let env = Env::new();
    let run = ics(&env, "postgres://ics@127.0.0.1:1/ics", &["versions"]).fails();
    no_raw_text(&run);
    run.stderr_has("error: could not connect to `postgres://ics@127.0.0.1:1/ics`: the server cannot be reached");
}

#[test]
fn a_password_is_never_shown() {
    let env = Env::new();
    let secret = "s3cr3t-Pa55";
    for url in [
        format!("postgres://ics:{secret}@127.0.0.1:1/ics"),
        format!("postgresql://ics@127.0.0.1:1/ics?password={secret}&sslmode=disable"),
    ] {
        let run = ics(&env, &url, &["versions"]).fails();
        no_raw_text(&run);
        assert!(
            !run.stderr.contains(secret) && !run.stdout.contains(secret),
            "{run:?}"
        );
        run.stderr_has("***");
    }
}

#[test]
fn a_database_that_does_not_exist_is_one_line() {
    let Some(db) = TestServer::database() else {
        return;
    };
    let env = Env::new();
    let url = ics::store::postgres::testing::with_database(&db.url, "ics_no_such_database");
    let run = ics(&env, &url, &["versions"]).fails();
    no_raw_text(&run);
    run.stderr_has("error: the server has no database named in `")
        .stderr_has("CREATE DATABASE");
}

#[test]
fn a_database_of_other_tables_is_refused_untouched() {
    let Some(db) = TestServer::database() else {
        return;
    };
    let mut c = Client::connect(&db.url, NoTls).unwrap();
    c.batch_execute("CREATE TABLE payroll (id int); INSERT INTO payroll VALUES (7)")
        .unwrap();
    let env = Env::new();
    let v1 = env.write("v1.toml", MINI);
    let run = ics(&env, &db.url, &["load", v1.to_str().unwrap()]).fails();
    no_raw_text(&run);
    run.stderr_has("already holds tables that ics did not make");
    let tables: Vec<String> = c
        .query(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(tables, ["payroll"]);
    // A read command says there is nothing of ics's there.
    let run = ics(&env, &db.url, &["versions"]).fails();
    run.stderr_has("holds no ics data yet");
}

#[test]
fn a_newer_schema_is_refused_untouched() {
    let Some(db) = TestServer::database() else {
        return;
    };
    let env = Env::new();
    let v1 = env.write("v1.toml", MINI);
    ics(&env, &db.url, &["load", v1.to_str().unwrap()]).ok();
    let mut c = Client::connect(&db.url, NoTls).unwrap();
    c.batch_execute("UPDATE ics_meta SET value = '99' WHERE key = 'schema_version'")
        .unwrap();
    let dump = |c: &mut Client| -> Vec<String> {
        c.query(
            "SELECT (SELECT string_agg(t::text, ';' ORDER BY t::text) FROM ics_meta t) || \
             (SELECT string_agg(t::text, ';' ORDER BY t::text) FROM strategy_version t)",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
    };
    let before = dump(&mut c);
    let v2 = env.write("v2.toml", &mini_v2());
    for args in [&["versions"][..], &["load", v2.to_str().unwrap()][..]] {
        let run = ics(&env, &db.url, args).fails();
        no_raw_text(&run);
        run.stderr_has("was created by a newer ics (schema 99; this ics reads up to")
            .stderr_has("help: install the newer ics; this one will not touch the database");
    }
    assert_eq!(dump(&mut c), before);
}

#[test]
fn verify_full_against_a_server_without_tls_is_refused() {
    // A server without TLS answers the client's TLS request with `N` (PostgreSQL's protocol);
    // this one does only that, as a server with `ssl = off` would.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for stream in listener.incoming().flatten().take(2) {
            let mut stream = stream;
            let mut request = [0u8; 8];
            if stream.read_exact(&mut request).is_ok() {
                let _ = stream.write_all(b"N");
            }
        }
    });
    let env = Env::new();
    for mode in ["verify-full", "require"] {
        let url = format!("postgres://ics@127.0.0.1:{port}/ics?sslmode={mode}");
        let run = ics(&env, &url, &["versions"]).fails();
        no_raw_text(&run);
        run.stderr_has(&format!(
            "error: could not connect to `{url}`: the secure (TLS) connection failed"
        ));
    }
}

/// The private TLS cluster, or `None` after saying why the test is skipped.
fn tls_cluster() -> Option<TlsCluster> {
    match TlsCluster::start() {
        Ok(c) => Some(c),
        Err(why) => {
            if std::env::var("ICS_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                panic!("the TLS tests are required (ICS_REQUIRE_POSTGRES=1) but cannot run: {why}");
            }
            eprintln!("skipped: the PostgreSQL TLS and login tests: {why}");
            None
        }
    }
}

#[test]
fn tls_and_logins_on_a_private_cluster() {
    let Some(cluster) = tls_cluster() else {
        return;
    };
    let env = Env::new();
    let v1 = env.write("v1.toml", MINI);
    let base = format!("postgres://postgres@127.0.0.1:{}/postgres", cluster.port);
    let ca = cluster.ca.to_str().unwrap().replace('/', "%2F");
    // require: encrypted, the certificate not checked.
    ics(
        &env,
        &format!("{base}?sslmode=require"),
        &["load", v1.to_str().unwrap()],
    )
    .ok();
    // verify-full with the authority: checked, and it holds.
    ics(
        &env,
        &format!("{base}?sslmode=verify-full&sslrootcert={ca}"),
        &["versions"],
    )
    .ok()
    .stdout_has("v1");
    // verify-full without it: the self-signed authority is not trusted.
    let url = format!("{base}?sslmode=verify-full");
    let run = ics(&env, &url, &["versions"]).fails();
    no_raw_text(&run);
    run.stderr_has(&format!(
        "error: could not connect to `{url}`: the secure (TLS) connection failed"
    ))
    .stderr_has("sslrootcert");
    // A system that trusts no authority at all (an empty CA bundle and folder): the same
    // sentence.
    let empty = env.write("empty-bundle.pem", "");
    let empty_dir = empty.with_file_name("empty-certs");
    std::fs::create_dir_all(&empty_dir).unwrap();
    let run = env.ics_env(
        &["--db", &url, "versions"],
        &[
            ("SSL_CERT_FILE", empty.to_str().unwrap()),
            ("SSL_CERT_DIR", empty_dir.to_str().unwrap()),
        ],
    );
    let run = run.fails();
    no_raw_text(&run);
    run.stderr_has(&format!(
        "error: could not connect to `{url}`: the secure (TLS) connection failed"
    ))
    .stderr_has("sslrootcert");
    // A host name the certificate does not carry (hostaddr: the address connected to, the name
    // checked): verify-ca checks the chain only and connects, verify-full refuses.
    let other_name = format!(
        "postgres://postgres@ics-not-on-the-certificate.invalid:{}/postgres?hostaddr=127.0.0.1",
        cluster.port
    );
    ics(
        &env,
        &format!("{other_name}&sslmode=verify-ca&sslrootcert={ca}"),
        &["versions"],
    )
    .ok()
    .stdout_has("v1");
    let url = format!("{other_name}&sslmode=verify-full&sslrootcert={ca}");
    let run = ics(&env, &url, &["versions"]).fails();
    no_raw_text(&run);
    run.stderr_has(&format!(
        "error: could not connect to `{url}`: the secure (TLS) connection failed"
    ));
    // An authority of the same name that did not sign the certificate: refused by verify-ca,
    // and by require too, as a root certificate given makes libpq check the chain.
    let other_ca = cluster.other_ca.to_str().unwrap().replace('/', "%2F");
    for mode in ["verify-ca", "require", "prefer"] {
        let url = format!("{base}?sslmode={mode}&sslrootcert={other_ca}");
        let run = ics(&env, &url, &["versions"]).fails();
        no_raw_text(&run);
        run.stderr_has(&format!(
            "error: could not connect to `{url}`: the secure (TLS) connection failed"
        ));
    }
    // A root certificate file that is not one: said before connecting, nothing else.
    let junk = env.write("junk.pem", "not a certificate\n");
    let url = format!(
        "{base}?sslmode=verify-full&sslrootcert={}",
        junk.to_str().unwrap()
    );
    ics(&env, &url, &["versions"])
        .fails()
        .stderr_has("is not a PEM certificate");
    // A refused login: a wrong password for a role that has one; neither shows.
    let wrong = format!(
        "postgres://ics_login:wrong-Pa55@127.0.0.1:{}/postgres?sslmode=require",
        cluster.port
    );
    let run = ics(&env, &wrong, &["versions"]).fails();
    no_raw_text(&run);
    assert!(!run.stderr.contains("wrong-Pa55"), "{}", run.stderr);
    run.stderr_has("error: the server refused the login to `postgres://ics_login:***@127.0.0.1:");
    // The right one logs in (and may read what `postgres` stored).
    cluster
        .admin("GRANT SELECT ON ALL TABLES IN SCHEMA public TO ics_login")
        .unwrap();
    let right = wrong.replace("wrong-Pa55", &cluster.password);
    ics(&env, &right, &["versions"]).ok().stdout_has("v1");
}
