//! Reading from a PostgreSQL read replica (issue 16, the bureau deployment): every reading
//! command works where transactions are read-only, as on a hot standby, and every writing one
//! is refused with one line. Simulated with `default_transaction_read_only=on` in the URL.

use ics::store::postgres::testing::TestServer;

use crate::common::*;

#[test]
fn a_read_only_server_reads_and_refuses_writes() {
    let Some(server) = TestServer::database() else {
        return;
    };
    let env = Env::new();
    let fw = repo_file("framework.toml");
    let values = repo_file("examples/peru-values.csv");
    env.ics(&["--db", &server.url, "load", fw.to_str().unwrap()])
        .ok();
    env.ics(&[
        "--db",
        &server.url,
        "import-values",
        values.to_str().unwrap(),
    ])
    .ok();
    let replica = if server.url.contains('?') {
        format!(
            "{}&options=-cdefault_transaction_read_only%3Don",
            server.url
        )
    } else {
        format!(
            "{}?options=-cdefault_transaction_read_only%3Don",
            server.url
        )
    };
    let primary = env
        .ics(&[
            "--db",
            &server.url,
            "progress",
            "--period",
            "FY2022",
            "--format",
            "csv",
        ])
        .ok()
        .stdout;
    let read = env
        .ics(&[
            "--db", &replica, "progress", "--period", "FY2022", "--format", "csv",
        ])
        .ok()
        .stdout;
    assert_eq!(read, primary);
    assert!(read.lines().count() > 5, "{read}");
    env.ics(&["--db", &replica, "export-values", "--all"]).ok();
    env.ics(&["--db", &replica, "check"])
        .ok()
        .stdout_has("is healthy");
    let before = env
        .ics(&["--db", &server.url, "export-values", "--all"])
        .ok()
        .stdout;
    env.ics(&["--db", &replica, "record", "IND-TRADE-GOODS", "FY2021", "3"])
        .fails()
        .stderr_has("is a read-only server (a replica)")
        .stderr_has("write to the primary server");
    let after = env
        .ics(&["--db", &server.url, "export-values", "--all"])
        .ok()
        .stdout;
    assert_eq!(before, after);
}

#[test]
fn the_demo_wants_a_file_and_says_so_for_a_url() {
    let env = Env::new();
    env.ics(&["demo", "--db", "postgres://ics:pw@127.0.0.1:1/ics"])
        .fails()
        .stderr_has("`ics demo` builds a database file, and `postgres://ics:***@127.0.0.1:1/ics` is a server database")
        .stderr_has("ics copy --from demo.db --to URL");
    assert!(!env.path("demo-report.html").exists());
}
