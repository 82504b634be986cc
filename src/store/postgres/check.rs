//! `ics check` on PostgreSQL: the server's own consistency checks where they exist, the shape
//! of ics's tables, the tracker's invariants, and the backend-neutral stages.
//!
//! Like the SQLite check it runs in stages and stops after the first that finds a problem:
//! 1. the server: amcheck's `bt_index_check` (with `heapallindexed`) on every B-tree index of
//!    ics's tables and `verify_heapam` on the tables, when the extension is installed or this
//!    user may create it (it is created inside the check's transaction, which is rolled back,
//!    so the database is left as it was; otherwise a line says it was not run); no index left
//!    invalid by a failed build, no constraint left unvalidated, and no identity sequence behind
//!    its table's largest id (the next insert would collide);
//! 2. the shape: every table, column (with its type) and index the migrations make, compared
//!    with what the migrations make in a temporary schema (rolled back), and `value_current`
//!    still unique and partial, and the audit log's triggers present and enabled;
//! 3. the invariants (`check_invariants.rs`), as for SQLite, plus the ones PostgreSQL's
//!    constraints already promise, verified rather than assumed: no `replaced_by` pointing at
//!    a missing row, at most one current row per key, no review state of a missing value;
//! 4. as for SQLite, the backend-neutral stages: every version and value read back through the
//!    commands' readers and as `import-values` would take it back (`store/check_values.rs`),
//!    and every value held to the audit log (`store/check_log.rs`).
//!
//! The check reads in one transaction that is always rolled back.

use std::collections::BTreeMap;

use postgres::Transaction;

use super::{schema, PgStore};
use crate::error::Error;
use crate::store::CheckReport;

pub(super) const CTX: &str = "check the database";

/// The tables the migrations make.
const TABLES: &[&str] = &[
    "ics_meta",
    "strategy_version",
    "node",
    "node_link",
    "indicator",
    "indicator_def",
    "target",
    "value",
    "app_user",
    "period_lock",
    "value_state",
    "audit_log",
    "web_session",
    "signin_failure",
];

/// The triggers that keep `audit_log` append-only (schema migration 2), with the events each
/// must refuse.
const LOG_TRIGGERS: &[(&str, &str)] = &[
    ("audit_log_no_change", "UPDATE and DELETE"),
    ("audit_log_no_truncate", "TRUNCATE"),
];

type Stage = fn(&PgStore, &mut Transaction<'_>, &mut CheckReport) -> Result<(), Error>;

/// A stage shared with the SQLite check (`check_values.rs`).
type SharedStage = fn(&PgStore, &mut CheckReport) -> Result<(), Error>;

impl PgStore {
    pub(super) fn check_database(&self) -> Result<CheckReport, Error> {
        let mut report = self.check_server_and_tables()?;
        if !report.problems.is_empty() {
            return Ok(report);
        }
        let stages: [SharedStage; 3] = [
            |s, r| crate::store::check_values::check_readers(s, r),
            |s, r| crate::store::check_values::check_values(s, r),
            |s, r| crate::store::check_log::check_log(s, r),
        ];
        for stage in stages {
            match stage(self, &mut report) {
                Ok(()) => {}
                Err(e) if e.to_string().contains("the database is busy") => return Err(e),
                Err(e) => report.problems.push(e.to_string()),
            }
            if !report.problems.is_empty() {
                break;
            }
        }
        Ok(report)
    }

    /// Stages 1 to 3: the server's checks, the shape and the invariants.
    pub(super) fn check_server_and_tables(&self) -> Result<CheckReport, Error> {
        let mut report = CheckReport::default();
        let mut client = self.client.borrow_mut();
        let mut tx = client.transaction().map_err(|e| self.map_err(e, CTX))?;
        let stages: [Stage; 3] = [
            check_server,
            check_shape,
            super::check_invariants::check_invariants,
        ];
        for stage in stages {
            match stage(self, &mut tx, &mut report) {
                Ok(()) => {}
                Err(e) if e.to_string().contains("the database is busy") => return Err(e),
                Err(e) => report.problems.push(e.to_string()),
            }
            if !report.problems.is_empty() {
                break;
            }
        }
        // Nothing the check did is kept (not even amcheck, if it created it).
        tx.rollback().map_err(|e| self.map_err(e, CTX))?;
        Ok(report)
    }
}

/// The SQL list of ics's table names, for `IN (...)` (names from the code, not the database).
fn table_list() -> String {
    TABLES
        .iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_server(
    s: &PgStore,
    tx: &mut Transaction<'_>,
    report: &mut CheckReport,
) -> Result<(), Error> {
    let err = |e| s.map_err(e, CTX);
    let tables = table_list();
    // Indexes a failed build left invalid, constraints never validated.
    for r in tx
        .query(
            &format!(
                "SELECT ic.relname, c.relname FROM pg_index i \
                 JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid \
                 WHERE c.relnamespace = current_schema()::regnamespace AND c.relname IN ({tables}) \
                 AND NOT (i.indisvalid AND i.indisready) ORDER BY 1"
            ),
            &[],
        )
        .map_err(err)?
    {
        report.problems.push(format!(
            "the index `{}` of the table `{}` is invalid (a failed index build); PostgreSQL does not use it",
            r.get::<_, String>(0),
            r.get::<_, String>(1)
        ));
    }
    for r in tx
        .query(
            &format!(
                "SELECT co.conname, c.relname FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid \
                 WHERE c.relnamespace = current_schema()::regnamespace AND c.relname IN ({tables}) \
                 AND NOT co.convalidated ORDER BY 1"
            ),
            &[],
        )
        .map_err(err)?
    {
        report.problems.push(format!(
            "the constraint `{}` of the table `{}` was never validated, so rows may break it",
            r.get::<_, String>(0),
            r.get::<_, String>(1)
        ));
    }
    // An identity sequence behind its table's largest id: the next insert would collide.
    for table in [
        "strategy_version",
        "node",
        "indicator",
        "indicator_def",
        "value",
        "audit_log",
    ] {
        let behind: bool = tx
            .query_one(
                &format!(
                    "SELECT coalesce((SELECT max(id) FROM {table}), 0) > \
                     coalesce(pg_sequence_last_value(pg_get_serial_sequence('{table}', 'id')::regclass), 0)"
                ),
                &[],
            )
            .map_err(err)?
            .get(0);
        if behind {
            report.problems.push(format!(
                "the id sequence of the table `{table}` is behind its largest id, so the next row would collide"
            ));
        }
    }
    if !report.problems.is_empty() {
        return Ok(());
    }
    report.checked.push(
        "PostgreSQL: every index valid, every constraint validated, id sequences ahead".into(),
    );
    amcheck(s, tx, report)
}

/// amcheck's index and heap checks, if the extension is there or can be created here.
fn amcheck(s: &PgStore, tx: &mut Transaction<'_>, report: &mut CheckReport) -> Result<(), Error> {
    let err = |e| s.map_err(e, CTX);
    let available = {
        let mut sp = tx.savepoint("ics_amcheck").map_err(err)?;
        match sp.batch_execute("CREATE EXTENSION IF NOT EXISTS amcheck") {
            Ok(()) => {
                sp.commit().map_err(err)?;
                true
            }
            Err(_) => false,
        }
    };
    if !available {
        report.checked.push(
            "PostgreSQL's amcheck not run: the extension is not installed on the server, or this user may not create it (ask the administrator for `CREATE EXTENSION amcheck`)".into(),
        );
        return Ok(());
    }
    // The extension may live in another schema than ics's tables: its functions are called
    // by their full name.
    let schema: String = tx
        .query_one(
            "SELECT quote_ident(n.nspname) FROM pg_extension e \
             JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'amcheck'",
            &[],
        )
        .map_err(err)?
        .get(0);
    let refused = |report: &mut CheckReport| {
        report.checked.push(
            "PostgreSQL's amcheck not run: this user may not run its functions (ask the administrator to GRANT EXECUTE on them, or run `ics check` as the database owner)".into(),
        );
    };
    let tables = table_list();
    let indexes: Vec<(String, String)> = tx
        .query(
            &format!(
                "SELECT ic.relname, c.relname FROM pg_index i \
                 JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid \
                 JOIN pg_am am ON am.oid = ic.relam \
                 WHERE c.relnamespace = current_schema()::regnamespace AND c.relname IN ({tables}) \
                 AND am.amname = 'btree' ORDER BY 2, 1"
            ),
            &[],
        )
        .map_err(err)?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    for (index, table) in &indexes {
        let mut sp = tx.savepoint("ics_index").map_err(err)?;
        match sp.execute(
            &format!(
                "SELECT {schema}.bt_index_check(c.oid, true) FROM pg_class c \
                 WHERE c.relname = $1 AND c.relnamespace = current_schema()::regnamespace"
            ),
            &[index],
        ) {
            Ok(_) => sp.commit().map_err(err)?,
            Err(e) if damage(&e) => {
                drop(sp);
                report.problems.push(format!(
                    "the index `{index}` of the table `{table}` is damaged (amcheck finds it inconsistent with itself or with its table); REINDEX rebuilds it"
                ));
            }
            Err(_) => {
                drop(sp);
                refused(report);
                return Ok(());
            }
        }
    }
    for table in TABLES {
        let mut sp = tx.savepoint("ics_heap").map_err(err)?;
        match sp.query_one(
            &format!(
                "SELECT count(*) FROM {schema}.verify_heapam(\
                 (quote_ident(current_schema()) || '.' || quote_ident($1))::regclass)"
            ),
            &[table],
        ) {
            Ok(r) => {
                let n: i64 = r.get(0);
                sp.commit().map_err(err)?;
                if n > 0 {
                    report.problems.push(format!(
                        "the table `{table}` is damaged: amcheck finds {n} corrupt row(s) in its pages"
                    ));
                }
            }
            Err(e) if damage(&e) => {
                drop(sp);
                report.problems.push(format!(
                    "the table `{table}` is damaged: amcheck cannot read its pages"
                ));
            }
            Err(_) => {
                drop(sp);
                refused(report);
                return Ok(());
            }
        }
    }
    if report.problems.is_empty() {
        report.checked.push(format!(
            "PostgreSQL's amcheck: {} indexes and {} tables consistent",
            indexes.len(),
            TABLES.len()
        ));
    }
    Ok(())
}

/// Whether a server error reports damage (SQLSTATE class XX: data or index corrupted).
fn damage(e: &postgres::Error) -> bool {
    e.as_db_error()
        .is_some_and(|d| d.code().code().starts_with("XX"))
}

/// Tables with their (column, type), and indexes with (unique, predicate, columns).
type Shape = (
    BTreeMap<String, Vec<(String, String)>>,
    BTreeMap<String, (bool, String, String)>,
);

/// The shape of the tables in `schema` (an SQL expression naming a schema's oid).
fn shape(tx: &mut Transaction<'_>, schema: &str) -> Result<Shape, postgres::Error> {
    let tables = table_list();
    let mut columns: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for r in tx.query(
        &format!(
            "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a \
             JOIN pg_class c ON c.oid = a.attrelid \
             WHERE c.relnamespace = {schema} AND c.relkind = 'r' AND c.relname IN ({tables}) \
             AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum"
        ),
        &[],
    )? {
        columns
            .entry(r.get(0))
            .or_default()
            .push((r.get(1), r.get(2)));
    }
    let mut indexes = BTreeMap::new();
    for r in tx.query(
        &format!(
            "SELECT ic.relname, i.indisunique, coalesce(pg_get_expr(i.indpred, i.indrelid), ''), \
             i.indkey::text FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid \
             JOIN pg_class ic ON ic.oid = i.indexrelid \
             WHERE c.relnamespace = {schema} AND c.relname IN ({tables})"
        ),
        &[],
    )? {
        indexes.insert(r.get(0), (r.get(1), r.get(2), r.get(3)));
    }
    Ok((columns, indexes))
}

fn check_shape(
    s: &PgStore,
    tx: &mut Transaction<'_>,
    report: &mut CheckReport,
) -> Result<(), Error> {
    let err = |e| s.map_err(e, CTX);
    // What the migrations make, made in this session's temporary schema and rolled back.
    let expected = {
        let mut sp = tx.savepoint("ics_shape").map_err(err)?;
        let made = (|| {
            sp.batch_execute("SET LOCAL search_path = pg_temp")?;
            for migration in schema::MIGRATIONS {
                sp.batch_execute(migration)?;
            }
            shape(&mut sp, "pg_my_temp_schema()")
        })();
        // Rolled back, with the search path it set.
        drop(sp);
        made
    };
    let Ok(expected) = expected else {
        // A read-only server (a replica) makes no temporary tables.
        report.checked.push(
            "schema shape not compared: this server makes no temporary tables (a replica?)".into(),
        );
        return Ok(());
    };
    let (tables, indexes) = shape(tx, "current_schema()::regnamespace").map_err(err)?;
    for (table, columns) in &expected.0 {
        let Some(have) = tables.get(table) else {
            report
                .problems
                .push(format!("the table `{table}` is missing"));
            continue;
        };
        for (column, ty) in columns {
            match have.iter().find(|(c, _)| c == column) {
                None => report
                    .problems
                    .push(format!("the table `{table}` has no column `{column}`")),
                Some((_, t)) if t != ty => report.problems.push(format!(
                    "the column `{column}` of the table `{table}` is of type {t}, not {ty}"
                )),
                Some(_) => {}
            }
        }
    }
    for (index, want) in &expected.1 {
        // The constraint indexes are named after their tables, the same in both schemas.
        match indexes.get(index) {
            None => report
                .problems
                .push(format!("the index `{index}` is missing")),
            Some(have) if have != want => report.problems.push(format!(
                "the index `{index}` is not the one ics made (its columns, uniqueness or condition differ)"
            )),
            Some(_) => {}
        }
    }
    // The log's triggers, present and enabled (`ALTER TABLE ... DISABLE TRIGGER` would let
    // the log be rewritten).
    for (trigger, events) in LOG_TRIGGERS {
        let enabled: Option<bool> = tx
            .query_opt(
                "SELECT t.tgenabled <> 'D' FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
                 WHERE c.relname = 'audit_log' AND c.relnamespace = current_schema()::regnamespace \
                 AND t.tgname = $1",
                &[trigger],
            )
            .map_err(err)?
            .map(|r| r.get(0));
        match enabled {
            None => report.problems.push(format!(
                "the trigger `{trigger}` is missing, so the audit log no longer refuses {events}"
            )),
            Some(false) => report.problems.push(format!(
                "the trigger `{trigger}` is disabled, so the audit log no longer refuses {events}"
            )),
            Some(true) => {}
        }
    }
    if report.problems.is_empty() {
        report.checked.push(
            "schema (every table, column and index, `value_current` unique over current values, the audit log append-only)"
                .into(),
        );
    }
    Ok(())
}
