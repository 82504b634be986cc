//! What only a server adds to the reporting cycle of issue 17, beyond the period of
//! `postgres_cycle.rs`: one user per server role, said in one line; a mapped role acting as its
//! user unnamed; and a log the database itself keeps append-only, to every role, TRUNCATE
//! included, with `ics log` and `ics check` unchanged afterwards.

use ics::store::postgres::testing::TestServer;
use postgres::{Client, NoTls};

use crate::common::{repo_file, Env, Run};

/// `ics --db URL --as NAME args...` (no `--as` for an empty name).
fn ics(env: &Env, url: &str, name: &str, args: &[&str]) -> Run {
    let mut all = vec!["--db", url];
    if !name.is_empty() {
        all.extend(["--as", name]);
    }
    all.extend_from_slice(args);
    env.ics(&all)
}

/// The server's own words that must never reach the user.
#[track_caller]
fn no_raw_text(run: &Run) {
    for raw in [
        "SqlState", "DbError", "db error", "ERROR:", "IC001", "panicked",
    ] {
        assert!(!run.stderr.contains(raw), "{raw:?}:\n{}", run.stderr);
    }
}

#[test]
fn a_user_mapped_to_a_server_role_is_who_that_role_acts_as() {
    let Some(db) = TestServer::database() else {
        return;
    };
    let url = db.url.as_str();
    let env = Env::new();
    let role = format!("ics_cycle_{}", std::process::id());
    let mut admin = Client::connect(url, NoTls).unwrap();
    admin
        .batch_execute(&format!(
            "DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN"
        ))
        .unwrap();
    let fw = env.write(
        "fw.toml",
        &std::fs::read_to_string(repo_file("framework.toml")).unwrap(),
    );
    ics(&env, url, "pm.lima", &["load", fw.to_str().unwrap()]).ok();
    // ics's tables, granted to the person's own role (the administrator's job).
    admin
        .batch_execute(&format!(
            "GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO {role}; \
             GRANT USAGE, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}"
        ))
        .unwrap();
    ics(
        &env,
        url,
        "pm.lima",
        &["user", "add", "pm.lima", "--role", "admin"],
    )
    .ok();
    ics(
        &env,
        url,
        "pm.lima",
        &[
            "user",
            "add",
            "ana.econ",
            "--role",
            "reporter",
            "--db-role",
            &role,
        ],
    )
    .ok();
    // One user per server role, said in one line.
    let twice = ics(
        &env,
        url,
        "pm.lima",
        &[
            "user",
            "add",
            "someone",
            "--role",
            "viewer",
            "--db-role",
            &role,
        ],
    );
    let twice = twice.fails().stderr_has(&format!(
        "another user already connects as the database role `{role}`"
    ));
    no_raw_text(&twice);

    // Over the owner's connection, nobody acts as ana.econ.
    ics(
        &env,
        url,
        "ana.econ",
        &["record", "IND-POVERTY", "FY2022", "1"],
    )
    .fails()
    .stderr_has(&format!(
        "`ana.econ` connects as the database role `{role}`"
    ));
    // Over ana's own role she is ana, named or not, and cannot claim to be anyone else.
    let as_ana = url.replacen("postgres@", &format!("{role}@"), 1);
    ics(
        &env,
        &as_ana,
        "",
        &["record", "IND-POVERTY", "FY2022", "25.9"],
    )
    .ok();
    ics(
        &env,
        &as_ana,
        "ana.econ",
        &["record", "IND-POVERTY", "FY2022", "26"],
    )
    .ok();
    ics(&env, &as_ana, "pm.lima", &["record", "IND-POVERTY", "FY2022", "27"])
        .fails()
        .stderr_has(&format!(
            "this connection is the database role `{role}`, which is the user `ana.econ`; it cannot act as `pm.lima`"
        ));
    let log = ics(&env, url, "pm.lima", &["log", "--format", "json"])
        .ok()
        .json();
    let records: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "record")
        .map(|e| e["user"].as_str().unwrap())
        .collect();
    assert_eq!(records, ["ana.econ", "ana.econ"]);
    // Neither ana's role nor the owner rewrites the log: the database refuses (IC001).
    for login in [as_ana.as_str(), url] {
        let mut c = Client::connect(login, NoTls).unwrap();
        for sql in [
            "DELETE FROM audit_log",
            "UPDATE audit_log SET reason = NULL",
            "TRUNCATE audit_log",
        ] {
            let e = c.batch_execute(sql).unwrap_err();
            assert_eq!(
                e.as_db_error().map(|d| d.code().code()),
                Some("IC001"),
                "{login} {sql}: {e}"
            );
        }
    }
    let again = ics(&env, url, "pm.lima", &["log", "--format", "json"])
        .ok()
        .json();
    assert_eq!(again, log);
    ics(&env, url, "pm.lima", &["check"])
        .ok()
        .stdout_has("the audit log");
    let _ = admin.batch_execute(&format!("DROP OWNED BY {role}; DROP ROLE {role}"));
}
