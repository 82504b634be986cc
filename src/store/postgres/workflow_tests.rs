//! What only PostgreSQL does in the reporting cycle (the rest is in the conformance suite,
//! `store/conformance.rs`): the log refused by its triggers to every role, TRUNCATE included;
//! `ics check` finding the log unprotected or a review state without its value; an upgrade
//! from schema 1 starting the log after the last value; `session_role`.

use postgres::{Client, NoTls};

use super::testing::TestServer;
use super::value_tests::{pg_store, with_values, ROWS};
use super::{schema, PgStore};
use crate::store::{OpenMode, Workflow};
use crate::workflow::LogQuery;

/// The statements that would rewrite the log.
const REWRITES: [&str; 4] = [
    "UPDATE audit_log SET user_name = 'someone else'",
    "DELETE FROM audit_log",
    "DELETE FROM audit_log WHERE id = 1",
    "TRUNCATE audit_log",
];

#[test]
fn the_log_refuses_every_rewrite_to_every_role() {
    let Some((db, mut pg)) = pg_store() else {
        return;
    };
    with_values(&mut pg);
    let log = pg.log(&LogQuery::default()).unwrap();
    assert_eq!(log.len(), 4, "one entry per write: {log:?}");
    // ics's own connection (the database's owner here), with ics's message.
    for sql in REWRITES {
        let e = pg.client.get_mut().batch_execute(sql).unwrap_err();
        assert_eq!(
            e.as_db_error().map(|d| d.code().code()),
            Some("IC001"),
            "{sql}: {e}"
        );
        assert_eq!(
            super::map_err(e, "tidy the log", "db").to_string(),
            "could not tidy the log: the audit log is append-only; nothing was saved"
        );
    }
    // Another role with every privilege on the table is refused all the same.
    let role = format!("ics_wf_{}", std::process::id());
    pg.client
        .get_mut()
        .batch_execute(&format!(
            "DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN; \
             GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}"
        ))
        .unwrap();
    let url = db.url.replacen("postgres@", &format!("{role}@"), 1);
    let refused: Vec<bool> = {
        let mut other = Client::connect(&url, NoTls).unwrap();
        REWRITES
            .iter()
            .map(|sql| {
                other
                    .batch_execute(sql)
                    .is_err_and(|e| e.as_db_error().is_some_and(|d| d.code().code() == "IC001"))
            })
            .collect()
    };
    let session = PgStore::open(&url, OpenMode::Existing)
        .unwrap()
        .session_role()
        .unwrap();
    let _ = pg
        .client
        .get_mut()
        .batch_execute(&format!("DROP OWNED BY {role}; DROP ROLE {role}"));
    assert_eq!(refused, [true; 4]);
    assert_eq!(session.as_deref(), Some(role.as_str()), "session_user");
    assert_eq!(pg.log(&LogQuery::default()).unwrap(), log, "untouched");
}

#[test]
fn check_finds_the_log_unprotected_and_states_without_values() {
    let Some((_db, mut pg)) = pg_store() else {
        return;
    };
    with_values(&mut pg);
    let report = pg.check_server_and_tables().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert!(
        report.checked.iter().any(|c| c.contains("append-only")),
        "{:?}",
        report.checked
    );
    for (damage, found) in [
        (
            "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change",
            "the trigger `audit_log_no_change` is disabled, so the audit log no longer refuses UPDATE and DELETE",
        ),
        (
            "DROP TRIGGER audit_log_no_truncate ON audit_log",
            "the trigger `audit_log_no_truncate` is missing, so the audit log no longer refuses TRUNCATE",
        ),
        (
            "INSERT INTO value_state (value_id, state) VALUES (999, 'approved')",
            "the review state of the value id 999, which is not in the table `value`",
        ),
        (
            "ALTER TABLE audit_log DROP COLUMN reason",
            "the table `audit_log` has no column `reason`",
        ),
        ("DROP TABLE period_lock", "the table `period_lock` is missing"),
    ] {
        // Made in a transaction the check joins and rolls back (as in `value_tests.rs`).
        pg.client
            .get_mut()
            .batch_execute(&format!("BEGIN; {damage}"))
            .unwrap();
        let report = pg.check_server_and_tables().unwrap();
        assert!(
            report.problems.iter().any(|p| p == found),
            "{damage}: {:?}",
            report.problems
        );
    }
}

/// A database made before the log existed: the upgrade records where the log starts (the
/// last value id), and the next write is logged after it.
#[test]
fn an_upgrade_from_schema_1_starts_the_log_after_the_last_value() {
    let Some(db) = TestServer::database() else {
        return;
    };
    {
        let mut c = Client::connect(&db.url, NoTls).unwrap();
        c.batch_execute(schema::MIGRATIONS[0]).unwrap();
        c.batch_execute(ROWS).unwrap();
        c.batch_execute(
            "INSERT INTO ics_meta (key, value) VALUES ('schema_version', '1'); \
             INSERT INTO value (indicator_id, period, value, recorded_by, recorded_at) \
             SELECT 1 + g % 2, 20000 + g * 10, g, 'x', 't' FROM generate_series(1, 5) g",
        )
        .unwrap();
    }
    let mut pg = PgStore::open(&db.url, OpenMode::Existing).unwrap();
    pg.strategy = Some("s".into());
    assert_eq!(pg.log_start().unwrap(), 5);
    assert!(pg.log(&LogQuery::default()).unwrap().is_empty());
    assert!(pg.users().unwrap().is_empty() && pg.locks().unwrap().is_empty());
    with_values(&mut pg);
    let log = pg.log(&LogQuery::default()).unwrap();
    assert_eq!(log.len(), 4);
    assert_eq!(log[0].values, Some((6, 6)));
    let report = pg.check_server_and_tables().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    // A database made with the log starts it at 0.
    let (_fresh, fresh) = pg_store().unwrap();
    assert_eq!(fresh.log_start().unwrap(), 0);
}
