//! The PostgreSQL store: the same [`Storage`] traits as the SQLite store, on a server shared by
//! a whole mission or bureau. Selected by a `postgres://` or `postgresql://` URL in `--db` or
//! `ICS_DB`.
//!
//! Guarantees, as for SQLite: every command is one transaction (all or nothing); writers take
//! one transaction-scoped advisory lock first ([`WRITE_LOCK`]), so they run one at a time as
//! SQLite's `BEGIN IMMEDIATE` makes them, and concurrent writers lose nothing; exactly one
//! current value per key is enforced by the partial unique index `value_current`; history rows
//! are never deleted; a schema newer than this program is refused; migrations are versioned
//! (`schema.rs`). Messages name the database by its URL with any password masked.

mod bulk;
mod check;
mod check_invariants;
mod decide;
mod schema;
mod sessions;
mod sink;
mod tls;
pub mod url;
#[cfg(test)]
mod value_tests;
mod values;
mod versions;
mod workflow;
#[cfg(test)]
mod workflow_tests;

use std::cell::RefCell;
use std::time::Duration;

use postgres::{Client, Config, NoTls, Transaction};

use super::OpenMode;
use crate::error::Error;

pub use schema::CURRENT_VERSION;

/// The advisory lock key every write transaction takes (`ICS1` as in SQLite's application id).
pub const WRITE_LOCK: i64 = 0x4943_5331;

/// How long a command waits for the server, or for another writer, before giving up.
pub const TIMEOUT: Duration = super::BUSY_TIMEOUT;

/// A connection to one ics database on a PostgreSQL server.
pub struct PgStore {
    /// In a cell: the read methods of the traits take `&self`, and every query needs the
    /// client mutably. One command uses one store on one thread.
    pub(super) client: RefCell<Client>,
    /// The URL as messages show it (password masked).
    shown: String,
    /// The strategy in use: its code ([`PgStore::use_strategy`]); `None` while the database
    /// holds none, or several and none was chosen.
    pub(super) strategy: Option<String>,
    /// Which current values the readers return ([`super::Workflow::set_counted`]).
    pub(super) counted: crate::workflow::Counted,
    /// Who the log names for a write without a journal ([`super::Workflow::set_author`]).
    pub(super) author: String,
}

impl PgStore {
    /// Connect to the database `url` names and bring its schema up to date. `mode` does not
    /// create a server database (that is the server administrator's job): the database must
    /// exist; `Create` lets `load` create ics's tables in an empty one.
    pub fn open(url: &str, mode: OpenMode) -> Result<PgStore, Error> {
        let shown = url::masked(url);
        let parsed = url::parse(url).map_err(|m| {
            Error::input_with_hint(
                format!("the database URL `{shown}` is not valid: {m}"),
                "write it as postgres://USER@HOST:5432/DATABASE (see README: PostgreSQL)",
            )
        })?;
        let mut config: Config = parsed.url.parse().map_err(|_| {
            Error::input_with_hint(
                format!("the database URL `{shown}` is not valid"),
                "write it as postgres://USER@HOST:5432/DATABASE (see README: PostgreSQL)",
            )
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        config.application_name("ics");
        let client = connect(&config, &parsed, &shown)?;
        let mut store = PgStore {
            client: RefCell::new(client),
            shown,
            strategy: None,
            counted: crate::workflow::Counted::All,
            author: crate::values::login_name(),
        };
        store.configure()?;
        store.migrate(mode)?;
        store.use_only_strategy()?;
        Ok(store)
    }

    /// The database as messages name it.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    fn configure(&mut self) -> Result<(), Error> {
        let ms = TIMEOUT.as_millis();
        let shown = self.shown.clone();
        self.client
            .get_mut()
            .batch_execute(&format!(
                "SET lock_timeout = {ms}; SET statement_timeout = 0; SET client_min_messages = warning"
            ))
            .map_err(|e| map_err(e, "configure the connection", &shown))
    }

    fn migrate(&mut self, mode: OpenMode) -> Result<(), Error> {
        let ctx = "read the database schema";
        let version = self.schema_version().map_err(|e| self.map_err(e, ctx))?;
        if version > CURRENT_VERSION {
            return Err(Error::database_with_hint(
                format!(
                    "`{}` was created by a newer ics (schema {version}; this ics reads up to {CURRENT_VERSION}); upgrade ics",
                    self.shown
                ),
                "install the newer ics; this one will not touch the database",
            ));
        }
        if version == CURRENT_VERSION {
            return Ok(());
        }
        if version == 0 && mode == OpenMode::Existing {
            return Err(Error::input_with_hint(
                format!("the database `{}` holds no ics data yet", self.shown),
                "create the tables and store a strategy with `ics load framework.toml`",
            ));
        }
        let shown = self.shown.clone();
        let doing = "upgrade the database schema";
        let mut tx = self
            .client
            .get_mut()
            .transaction()
            .map_err(|e| map_err(e, doing, &shown))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
            .map_err(|e| map_err(e, doing, &shown))?;
        // Re-read inside the lock: another ics may have migrated meanwhile (then there is
        // nothing to do, and nothing is written).
        let version = read_schema_version(&mut tx).map_err(|e| map_err(e, ctx, &shown))?;
        if version == CURRENT_VERSION {
            return Ok(());
        }
        if version == 0 {
            let others: i64 = tx
                .query_one(
                    "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()",
                    &[],
                )
                .map_err(|e| map_err(e, ctx, &shown))?
                .get(0);
            if others > 0 {
                return Err(Error::input_with_hint(
                    format!("the database `{shown}` already holds tables that ics did not make"),
                    "give ics a database of its own (CREATE DATABASE ics), or a schema of its own with ?options=-csearch_path%3Dics",
                ));
            }
        }
        for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.batch_execute(sql).map_err(|e| {
                map_err(
                    e,
                    &format!("upgrade the database schema to version {}", i + 1),
                    &shown,
                )
            })?;
        }
        tx.execute(
            "INSERT INTO ics_meta (key, value) VALUES ('schema_version', $1) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&CURRENT_VERSION.to_string()],
        )
        .map_err(|e| map_err(e, doing, &shown))?;
        tx.commit().map_err(|e| map_err(e, doing, &shown))
    }

    /// The schema version the database says it has (0 for a database without ics's tables).
    fn schema_version(&mut self) -> Result<i64, postgres::Error> {
        let mut tx = self.client.get_mut().transaction()?;
        let v = read_schema_version(&mut tx)?;
        tx.commit()?;
        Ok(v)
    }

    /// Start the one write transaction of a command: the writers' lock is taken up front, so
    /// writers run one at a time (and wait up to [`TIMEOUT`] for each other).
    pub(super) fn write_tx(&mut self, doing: &str) -> Result<Transaction<'_>, Error> {
        let shown = self.shown.clone();
        let mut tx = self
            .client
            .get_mut()
            .transaction()
            .map_err(|e| map_err(e, doing, &shown))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
            .map_err(|e| map_err(e, doing, &shown))?;
        Ok(tx)
    }

    /// [`map_err`] for this database.
    pub(super) fn map_err(&self, e: postgres::Error, doing: &str) -> Error {
        map_err(e, doing, &self.shown)
    }
}

fn read_schema_version(tx: &mut Transaction<'_>) -> Result<i64, postgres::Error> {
    let has_meta: bool = tx
        .query_one("SELECT to_regclass('ics_meta') IS NOT NULL", &[])?
        .get(0);
    if !has_meta {
        return Ok(0);
    }
    let row = tx.query_opt(
        "SELECT value FROM ics_meta WHERE key = 'schema_version'",
        &[],
    )?;
    Ok(row
        .and_then(|r| r.get::<_, String>(0).parse().ok())
        .unwrap_or(0))
}

/// Connect with the TLS the URL asks for.
fn connect(config: &Config, parsed: &url::Parsed, shown: &str) -> Result<Client, Error> {
    use url::TlsMode;
    let mut config = config.clone();
    let result = match parsed.tls {
        TlsMode::Disable => {
            config.ssl_mode(postgres::config::SslMode::Disable);
            config.connect(NoTls)
        }
        mode => {
            config.ssl_mode(match mode {
                TlsMode::Prefer => postgres::config::SslMode::Prefer,
                _ => postgres::config::SslMode::Require,
            });
            let tls = tls::connector(mode, parsed.root_cert.as_deref(), shown)?;
            config.connect(tls)
        }
    };
    result.map_err(|e| connect_error(e, shown, parsed.tls))
}

/// The error for a connection that could not be made.
fn connect_error(e: postgres::Error, shown: &str, tls: url::TlsMode) -> Error {
    use postgres::error::SqlState;
    if let Some(db) = e.as_db_error() {
        let code = db.code();
        if *code == SqlState::INVALID_PASSWORD
            || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
        {
            return Error::database_with_hint(
                format!("the server refused the login to `{shown}`"),
                "check the user name and password in the URL (or ~/.pgpass) with your database administrator",
            );
        }
        if *code == SqlState::INVALID_CATALOG_NAME {
            return Error::database_with_hint(
                format!("the server has no database named in `{shown}`"),
                "ask your database administrator to create it (CREATE DATABASE ...), or fix the name in the URL",
            );
        }
        if *code == SqlState::TOO_MANY_CONNECTIONS {
            return Error::database_with_hint(
                format!("the server at `{shown}` has no connection free"),
                "try again in a moment",
            );
        }
        return Error::database(format!(
            "could not connect to `{shown}`: the server refused (code {})",
            code.code()
        ));
    }
    let text = e.to_string();
    let lower = text.to_ascii_lowercase();
    if lower.contains("tls") || lower.contains("ssl") || lower.contains("certificate") {
        let hint = match tls {
            url::TlsMode::VerifyCa | url::TlsMode::VerifyFull => {
                "check the server's certificate, or give its authority with sslrootcert=/path/ca.pem"
            }
            _ => "check that the server accepts TLS connections (sslmode in the URL)",
        };
        return Error::database_with_hint(
            format!("could not connect to `{shown}`: the secure (TLS) connection failed"),
            hint,
        );
    }
    if lower.contains("password") {
        return Error::database_with_hint(
            format!("the server at `{shown}` asks for a password the URL does not give"),
            "put it in the URL (postgres://USER:PASSWORD@HOST/DB) or in ~/.pgpass",
        );
    }
    if lower.contains("timed out") || lower.contains("timeout") {
        return Error::database_with_hint(
            format!("could not connect to `{shown}`: the server did not answer in time"),
            "check the host and port, and that the server is running",
        );
    }
    Error::database_with_hint(
        format!("could not connect to `{shown}`: the server cannot be reached"),
        "check the host and port, and that the server is running and accepts connections",
    )
}

/// Turn a PostgreSQL error into a sentence saying what we were doing.
pub(super) fn map_err(e: postgres::Error, doing: &str, shown: &str) -> Error {
    use postgres::error::SqlState;
    // Not an answer from the server but trouble talking to it (the connection closed, an
    // I/O error, a broken message): the transaction cannot have committed.
    let text = e.to_string();
    let lost = e.is_closed()
        || e.as_db_error().is_none()
            && [
                "connection",
                "communicating",
                "unexpected message",
                "parsing response",
            ]
            .iter()
            .any(|w| text.contains(w));
    if lost {
        return Error::database_with_hint(
            format!("could not {doing}: the connection to `{shown}` was lost; nothing was saved"),
            "check the server, then run the command again",
        );
    }
    let Some(db) = e.as_db_error() else {
        return Error::database(format!("could not {doing} (internal database error)"));
    };
    let code = db.code();
    if *code == SqlState::LOCK_NOT_AVAILABLE || *code == SqlState::T_R_DEADLOCK_DETECTED {
        Error::database_with_hint(
            format!("could not {doing}: the database is busy (another ics is writing to it)"),
            "try again in a moment",
        )
    } else if *code == SqlState::ADMIN_SHUTDOWN || *code == SqlState::CRASH_SHUTDOWN {
        Error::database_with_hint(
            format!("could not {doing}: the server ended the connection to `{shown}`; nothing was saved"),
            "check the server, then run the command again",
        )
    } else if *code == SqlState::INSUFFICIENT_PRIVILEGE {
        Error::database_with_hint(
            format!("could not {doing}: the database user may not do this in `{shown}`"),
            "ask your database administrator for the rights (see README: PostgreSQL)",
        )
    } else if *code == SqlState::READ_ONLY_SQL_TRANSACTION {
        Error::database_with_hint(
            format!("could not {doing}: `{shown}` is a read-only server (a replica)"),
            "write to the primary server; replicas are for reading",
        )
    } else if code.code() == "IC001" {
        // The audit log's trigger (schema migration 2): ics itself never changes the log.
        Error::database(format!(
            "could not {doing}: the audit log is append-only; nothing was saved"
        ))
    } else if *code == SqlState::DISK_FULL {
        Error::database(format!("could not {doing}: the server's disk is full"))
    } else if code.code().starts_with("42") {
        // The SQL is fixed at build time: an undefined table or column means the tables are
        // not what ics made.
        super::damaged(doing, "its tables are not the ones ics made")
    } else {
        Error::database(format!(
            "could not {doing} (database error {})",
            code.code()
        ))
    }
}

#[doc(hidden)]
pub use testing::TestServer;

/// Throwaway databases for tests (here so the unit and the command-line tests share it).
#[doc(hidden)]
pub mod testing;

impl super::Storage for PgStore {
    fn strategies(&self) -> Result<Vec<super::StrategyInfo>, Error> {
        PgStore::strategies(self)
    }
    fn use_strategy(&mut self, code: Option<&str>) -> Result<(), Error> {
        PgStore::use_strategy(self, code)
    }
    fn name(&self) -> String {
        self.shown.clone()
    }
    fn file(&self) -> Option<&std::path::Path> {
        None
    }
    fn reusable(&self) -> bool {
        self.client.try_borrow().is_ok_and(|c| !c.is_closed())
    }
    fn check(&self) -> Result<super::CheckReport, Error> {
        self.check_database()
    }
    fn mark_demo(&mut self) -> Result<(), Error> {
        Err(Error::input_with_hint(
            "`ics demo` builds a database file, not a server database",
            "run `ics demo` without --db, or give --db a file name",
        ))
    }
}
