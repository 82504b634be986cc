//! The store: the one module that knows SQL.
//!
//! One SQLite file holds every stored version of each strategy and every recorded value (any
//! number of strategies, each under its own code; see `strategies.rs`). It is
//! opened with foreign keys on, WAL journaling and a busy timeout; migrations run on open; every
//! command that writes does so in one `BEGIN IMMEDIATE` transaction that is rolled back if
//! anything fails, so the file is never left half-written. Callers see domain types and
//! [`Error`]s whose messages are sentences, never raw SQLite text.
//!
//! Callers see the store through the traits of `api.rs` ([`Storage`], opened with [`open`]):
//! versions, values, and a [`ValueSink`] for writes, in terms of
//! [`crate::period::PeriodRange`]s and domain types. How periods are encoded
//! (`period_key.rs`), the SQL and SQLite's files stay in here; `conformance.rs` is the suite
//! every backend must pass. A server-backed store would implement the same traits beside
//! this one.

mod api;
mod check;
mod check_log;
mod check_values;
#[cfg(test)]
pub(crate) mod conformance;
mod demo;
mod framework;
mod framework_read;
mod framework_rows;
mod outline;
mod period_key;
pub mod postgres;
mod progress;
#[cfg(test)]
mod properties;
pub mod schema;
mod sessions;
mod standards;
mod strategies;
mod values;
mod workflow;

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};

use crate::error::Error;

pub use api::{
    Storage, StrategyVersions, ValueSink, ValueStore, WebSession, WebSessions, Workflow,
    WriteValues,
};
pub use check::CheckReport;
pub use demo::{
    database_files, demo_additions, is_demo_database, remove_database, replace_demo_database,
    DemoAdditions,
};
pub use framework::{capacity_hint, SaveOutcome, StrategyInfo, VersionInfo};
pub use framework_read::Targets;
pub use progress::SharedRead;
pub use standards::CurrentValue;
pub use values::{
    Imported, Keep, Kind, NewValue, Replaced, StoredValue, ValueQuery, ValueWriter, Written,
};

/// Open (or create) the database at `path`, bring its schema up to date, and hand it out as
/// [`Storage`].
/// A `postgres://` or `postgresql://` URL opens a PostgreSQL database instead of a file.
pub fn open(path: &Path, mode: OpenMode) -> Result<Box<dyn Storage>, Error> {
    if let Some(url) = path.to_str().filter(|_| is_server(path)) {
        return Ok(Box::new(postgres::PgStore::open(url, mode)?));
    }
    Ok(Box::new(Store::open(path, mode)?))
}

/// A database location as messages show it (a server URL with its password masked).
pub fn shown(db: &Path) -> String {
    match db.to_str().filter(|_| is_server(db)) {
        Some(url) => postgres::url::masked(url),
        None => db.display().to_string(),
    }
}

/// The device and inode of the file at `path` (Unix only).
fn file_identity(path: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Whether `db` names a server database (a `postgres://` or `postgresql://` URL), not a file.
pub fn is_server(db: &Path) -> bool {
    db.to_str().is_some_and(postgres::url::is_url)
}

/// What to do about a database `ics check` found damaged, or could not check.
pub fn recovery_hint(db: &Path) -> String {
    if is_server(db) {
        format!(
            "restore `{}` from a backup (pg_dump, or the server's own backups); your database administrator can run PostgreSQL's amcheck and REINDEX",
            shown(db)
        )
    } else {
        format!(
            "restore `{}` from a backup, or salvage what SQLite can still read with the `.recover` command of its shell",
            db.display()
        )
    }
}

/// How long a writer waits for another writer before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The page size of a new database: 16 KiB rather than SQLite's 4 KiB. A page is what SQLite
/// reads and writes at a time, and its reports read whole runs of pages (a year's values lie
/// on every page of the value table, a version's outline on 800 pages of 4 KiB). On 20,000
/// indicators (bench/run's data, medians of 7 and 21 whole processes, the same binary):
/// `import-values` of 200,000 values 259 -> 219 ms and of 2,000,000 1.82 -> 1.56 s;
/// `progress --period FY2024 --format csv` on 2,000,000 values 50.6 -> 45.4 ms. A database
/// keeps the page size it was made with.
const PAGE_SIZE: i64 = 16 * 1024;

/// Whether opening may create the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// The database must exist (read commands, `record`, ...).
    Existing,
    /// Create the file if it is missing (`load`).
    Create,
}

pub struct Store {
    conn: Connection,
    /// The file as the user named it; `:memory:` for a database in memory.
    path: PathBuf,
    /// Whether the database is a file (not in memory).
    in_file: bool,
    /// The code of the strategy every read and write is scoped to (see
    /// [`Storage::use_strategy`]); `None` while the database holds none. A cell, so that
    /// `check` can walk every strategy through the same readers.
    strategy: RefCell<Option<String>>,
    /// Which current values the readers return ([`Storage::set_counted`]).
    counted: crate::workflow::Counted,
    /// Who the log names for a write without a journal ([`Storage::set_author`]).
    author: String,
    /// The file's device and inode when it was opened (Unix): a store kept open (by `ics
    /// serve`) is no longer used once the file was replaced under that name.
    identity: Option<(u64, u64)>,
    /// This store's number, unique in the process ([`next_serial`]): which connection began a
    /// shared read ([`SharedRead`]).
    serial: u64,
}

/// A number no other store of this process has.
fn next_serial() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl Store {
    /// Open (or create) the database at `path` and bring its schema up to date.
    pub fn open(path: &Path, mode: OpenMode) -> Result<Store, Error> {
        let shown = path.display().to_string();
        if path.as_os_str().is_empty() {
            return Err(Error::input_with_hint(
                "the database path is empty",
                "give a file name with --db, for example `--db strategy.db`",
            ));
        }
        let exists = match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => {
                return Err(Error::input_with_hint(
                    format!("the database path `{shown}` is a directory"),
                    "give a file name with --db, for example `--db strategy.db`",
                ))
            }
            // A device, FIFO or socket: SQLite would put its journal beside it (`/dev/null`
            // leaves `/dev/null-journal`), or block on a FIFO.
            Ok(m) if !m.is_file() => {
                return Err(Error::input_with_hint(
                    format!(
                        "the database path `{shown}` is {}, not a regular file",
                        special_file(&m)
                    ),
                    "give --db a file name, for example `--db strategy.db`",
                ))
            }
            Ok(m) => {
                if m.len() > 0 {
                    check_header(path, &shown)?;
                }
                true
            }
            Err(_) => false,
        };
        if !exists && mode == OpenMode::Existing {
            return Err(Error::input_with_hint(
                format!("no database at `{shown}`"),
                "create one with `ics load framework.toml` (or pass --db / set ICS_DB to an existing one)",
            ));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | if mode == OpenMode::Create {
                OpenFlags::SQLITE_OPEN_CREATE
            } else {
                OpenFlags::empty()
            };
        let conn = Connection::open_with_flags(literal_path(path), flags)
            .map_err(|e| map_err(e, &format!("open the database `{shown}`")))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            in_file: true,
            strategy: RefCell::new(None),
            counted: crate::workflow::Counted::All,
            author: crate::values::login_name(),
            identity: None,
            serial: next_serial(),
        };
        store.configure()?;
        store.migrate()?;
        store.identity = file_identity(path);
        // A default only (commands choose with `use_strategy`, which reports what fails
        // here): a damaged file must still open for `ics check`.
        let _ = store.use_only_strategy();
        Ok(store)
    }

    /// An in-memory store, for tests.
    pub fn open_in_memory() -> Result<Store, Error> {
        let conn = Connection::open_in_memory().map_err(|e| map_err(e, "open a database"))?;
        let mut store = Store {
            conn,
            path: PathBuf::from(":memory:"),
            in_file: false,
            strategy: RefCell::new(None),
            counted: crate::workflow::Counted::All,
            author: crate::values::login_name(),
            identity: None,
            serial: next_serial(),
        };
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the database is a file (not in memory).
    pub fn is_file(&self) -> bool {
        self.in_file
    }

    /// Whether this connection may serve another request ([`Storage::reusable`]): the file
    /// under its name is still the one it opened (not replaced by a restore or a new demo),
    /// and its schema is still the one this ics writes (no newer ics has migrated it).
    pub fn reusable(&self) -> bool {
        if self.in_file && self.identity.is_some() && file_identity(&self.path) != self.identity {
            return false;
        }
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
            .is_ok_and(|v| v == schema::CURRENT_VERSION)
    }

    fn configure(&self) -> Result<(), Error> {
        self.conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| map_err(e, "configure the database"))?;
        // Only a database with no pages yet takes a page size (before WAL is set, which
        // writes the first page); one that cannot say is left to the checks below.
        let pages = self
            .conn
            .query_row("PRAGMA page_count", [], |r| r.get::<_, i64>(0));
        if pages.ok() == Some(0) {
            self.conn
                .pragma_update(None, "page_size", PAGE_SIZE)
                .map_err(|e| map_err(e, "configure the database"))?;
        }
        self.conn
            .pragma_update(None, "foreign_keys", true)
            .map_err(|e| map_err(e, "configure the database"))?;
        // WAL lets readers read while one process writes. Setting it needs a moment of
        // exclusive access; if another process is busy with the file, or the file is
        // read-only, it keeps its current mode, which is just as safe (only less concurrent).
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .map_err(|e| map_err(e, "configure the database"))?;
        if !mode.eq_ignore_ascii_case("wal") {
            let _ = self
                .conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0));
        }
        self.conn
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| map_err(e, "configure the database"))?;
        Ok(())
    }

    fn migrate(&mut self) -> Result<(), Error> {
        let ctx = "read the database schema";
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| map_err(e, ctx))?;
        let app_id: i64 = self
            .conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(|e| map_err(e, ctx))?;
        let shown = self.path.display().to_string();
        if app_id != schema::APPLICATION_ID {
            let tables: i64 = self
                .conn
                .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
                .map_err(|e| map_err(e, ctx))?;
            if tables > 0 || version != 0 {
                return Err(Error::input_with_hint(
                    format!("`{shown}` is an SQLite database, but not one made by ics"),
                    "point --db at an ics database, or at a new file name to create one",
                ));
            }
        }
        if version > schema::CURRENT_VERSION {
            return Err(Error::database_with_hint(
                format!(
                    "`{shown}` was created by a newer ics (schema {version}; this ics reads up to {}); upgrade ics",
                    schema::CURRENT_VERSION
                ),
                "install the newer ics; this one will not touch the file",
            ));
        }
        if version < 0 {
            return Err(Error::database_with_hint(
                format!(
                    "`{shown}` is damaged: its schema version ({version}) is not one ics writes"
                ),
                "restore the file from a backup; this ics will not touch it",
            ));
        }
        if version == schema::CURRENT_VERSION {
            return Ok(());
        }
        // A migration may rebuild a table (create, copy, drop, rename: SQLite cannot drop a
        // constraint), which foreign-key enforcement would turn into a cascade of checks or a
        // failure; SQLite's documented way is to switch it off around the transaction (the
        // pragma cannot change inside one) and check the keys before committing.
        self.conn
            .pragma_update(None, "foreign_keys", false)
            .map_err(|e| map_err(e, "upgrade the database schema"))?;
        let result = self.run_migrations(&shown, ctx);
        self.conn
            .pragma_update(None, "foreign_keys", true)
            .map_err(|e| map_err(e, "configure the database"))?;
        result
    }

    /// The migrations the database lacks, in one transaction (see [`Store::migrate`]).
    fn run_migrations(&mut self, shown: &str, ctx: &str) -> Result<(), Error> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| map_err(e, "upgrade the database schema"))?;
        // Re-read inside the lock: another connection may have migrated meanwhile (then there
        // is nothing to do, and nothing is written: a commit would make readers that began
        // before it, such as `progress`'s shared read, read everything again).
        let version: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| map_err(e, ctx))?;
        if version == schema::CURRENT_VERSION {
            return Ok(());
        }
        let broken_before = broken_links(&tx)?;
        for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(sql).map_err(|e| match error_code(&e) {
                // The migration's SQL is fixed: it fails only on tables that are not what
                // schema `version` made (a wrong user_version). Nothing was changed.
                Some(ErrorCode::Unknown) => Error::database_with_hint(
                    format!(
                        "`{shown}` is damaged: it says it has schema version {version}, but its tables are not that version's"
                    ),
                    "restore the file from a backup; this ics has not changed it",
                ),
                _ => map_err(
                    e,
                    &format!("upgrade the database schema to version {}", i + 1),
                ),
            })?;
        }
        // Versions stored before outlines existed get theirs, from their rows (not one whose
        // rows are damaged: see `outline::write_if_readable`).
        if version < schema::OUTLINES_FROM {
            for v in framework::all_versions(&tx).unwrap_or_default() {
                outline::write_if_readable(&tx, &v)?;
            }
        }
        // Every link the rebuilt tables carry still leads where it did (the ids were kept);
        // links a damaged file already had broken are left for `ics check` to report.
        let broken = broken_links(&tx)?;
        if broken > broken_before {
            return Err(Error::database_with_hint(
                format!(
                    "`{shown}` could not be upgraded: the upgrade would leave {} row(s) pointing at missing rows; nothing was changed",
                    broken - broken_before
                ),
                "keep using the ics that wrote the file, and report the problem",
            ));
        }
        tx.pragma_update(None, "application_id", schema::APPLICATION_ID)
            .map_err(|e| map_err(e, "upgrade the database schema"))?;
        tx.pragma_update(None, "user_version", schema::CURRENT_VERSION)
            .map_err(|e| map_err(e, "upgrade the database schema"))?;
        tx.commit()
            .map_err(|e| map_err(e, "upgrade the database schema"))?;
        Ok(())
    }

    /// Start the one write transaction of a command: the lock is taken up front.
    fn write_tx(&mut self, what: &str) -> Result<rusqlite::Transaction<'_>, Error> {
        self.conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| map_err(e, what))
    }
}

/// How many rows point at a missing row (SQLite's foreign-key check), counted while upgrading.
fn broken_links(conn: &Connection) -> Result<i64, Error> {
    conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
        r.get(0)
    })
    .map_err(|e| map_err(e, "upgrade the database schema"))
}

/// `path` as SQLite must be given it to read it as a plain file name: the bundled SQLite reads
/// names starting `file:` as URIs (`file:x.db?mode=memory` would be an in-memory database) and
/// `:memory:` as no file at all, so a relative path is given as `./path`.
fn literal_path(path: &Path) -> PathBuf {
    if path.is_relative() {
        Path::new(".").join(path)
    } else {
        path.to_path_buf()
    }
}

/// What a file that is neither a regular file nor a folder is, for messages.
fn special_file(m: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = m.file_type();
    if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_fifo() {
        "a named pipe (FIFO)"
    } else if t.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

fn check_header(path: &Path, shown: &str) -> Result<(), Error> {
    use std::io::Read;
    let mut header = [0u8; 16];
    let mut file = std::fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::PermissionDenied => {
            Error::input(format!("permission denied opening the database `{shown}`"))
        }
        _ => Error::input(format!("cannot open the database `{shown}`: {e}")),
    })?;
    let n = file.read(&mut header).unwrap_or(0);
    if n < 16 || &header != b"SQLite format 3\0" {
        return Err(Error::input_with_hint(
            format!("`{shown}` is not an ics database (it is not an SQLite file)"),
            "point --db at an ics database, or at a new file name to create one",
        ));
    }
    Ok(())
}

/// Turn an SQLite error into a sentence saying what we were doing.
pub(crate) fn map_err(e: rusqlite::Error, doing: &str) -> Error {
    if let Some(code) = error_code(&e) {
        return match code {
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => Error::database_with_hint(
                format!("could not {doing}: the database is busy (another ics is writing to it)"),
                "try again in a moment",
            ),
            ErrorCode::ReadOnly => Error::database_with_hint(
                format!("could not {doing}: the database file is read-only"),
                "check the file's permissions, or copy it somewhere writable",
            ),
            ErrorCode::CannotOpen => Error::database_with_hint(
                format!("could not {doing}: the file cannot be opened"),
                "check that its folder exists and is writable",
            ),
            ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt => Error::database_with_hint(
                format!("could not {doing}: the file is not a healthy ics database"),
                "run `ics check`, or restore the file from a backup",
            ),
            ErrorCode::DiskFull => Error::database(format!("could not {doing}: the disk is full")),
            ErrorCode::PermissionDenied => {
                Error::database(format!("could not {doing}: permission denied"))
            }
            ErrorCode::SystemIoFailure => {
                Error::database(format!("could not {doing}: the disk reported an I/O error"))
            }
            // The SQL is fixed at build time, so a plain SQL error means a table or column
            // is not what ics made.
            ErrorCode::Unknown => damaged(doing, "its tables are not the ones ics made"),
            _ => Error::database(format!("could not {doing} (database error {code:?})")),
        };
    }
    match e {
        rusqlite::Error::InvalidColumnType(_, column, found) => damaged(
            doing,
            &format!(
                "the column `{column}` holds {} where ics wrote another type",
                type_name(found)
            ),
        ),
        rusqlite::Error::FromSqlConversionFailure(_, found, _) => damaged(
            doing,
            &format!("a stored {} cannot be read back", type_name(found)),
        ),
        rusqlite::Error::IntegralValueOutOfRange(_, n) => {
            damaged(doing, &format!("the stored number {n} is out of range"))
        }
        _ => Error::database(format!("could not {doing} (internal database error)")),
    }
}

/// SQLite's error code, also for an error found while preparing a batch (which
/// `sqlite_error_code` leaves out).
fn error_code(e: &rusqlite::Error) -> Option<ErrorCode> {
    match e {
        rusqlite::Error::SqlInputError { error, .. } => Some(error.code),
        _ => e.sqlite_error_code(),
    }
}

/// The hint of every "the database is damaged" error: `check` lists all the damage.
pub(crate) const DAMAGED_HINT: &str =
    "run `ics check` to list the damage, then restore the file from a backup";

/// The error for a damaged row: what we were doing, what is wrong, and where to look next.
pub(crate) fn damaged(doing: &str, what: &str) -> Error {
    Error::database_with_hint(
        format!("could not {doing}: the database is damaged: {what}"),
        DAMAGED_HINT,
    )
}

fn type_name(t: rusqlite::types::Type) -> &'static str {
    use rusqlite::types::Type;
    match t {
        Type::Null => "an empty value",
        Type::Integer => "an integer",
        Type::Real => "a number",
        Type::Text => "text",
        Type::Blob => "binary data",
    }
}

/// A period read back from the database, or the error for a damaged one.
pub(crate) fn stored_period(key: i64, doing: &str) -> Result<crate::period::FiscalPeriod, Error> {
    period_key::from_key(key).ok_or_else(|| {
        damaged(
            doing,
            &format!(
                "the period stored as {key} is not a fiscal year or quarter from FY{} to FY{}",
                crate::period::MIN_YEAR,
                crate::period::MAX_YEAR
            ),
        )
    })
}

#[cfg(test)]
mod reuse_tests {
    use super::*;

    /// A store kept open by `ics serve` is given up once the file under its name is another
    /// (a restore, a new demo) or a newer ics has migrated it; until then it is kept.
    #[test]
    fn a_kept_store_is_given_up_when_its_file_is_replaced_or_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ics.db");
        let other = dir.path().join("other.db");
        let kept = Store::open(&db, OpenMode::Create).unwrap();
        assert!(kept.reusable());
        drop(Store::open(&other, OpenMode::Create).unwrap());
        std::fs::rename(&other, &db).unwrap();
        assert!(!kept.reusable(), "the file was replaced");
        let again = Store::open(&db, OpenMode::Existing).unwrap();
        assert!(again.reusable());
        again
            .conn
            .pragma_update(None, "user_version", schema::CURRENT_VERSION + 1)
            .unwrap();
        assert!(!again.reusable(), "a newer ics migrated it");
    }

    /// Two connections that both found an older schema when they opened (`progress` opens two
    /// at once): the one that gets the write lock second finds the schema current and writes
    /// nothing, so a read that began on another connection is not made to start again.
    #[test]
    fn an_upgrade_another_connection_has_done_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ics.db");
        let mut late = Store::open(&db, OpenMode::Create).unwrap();
        let reader = Store::open(&db, OpenMode::Existing).unwrap();
        let version = |s: &Store| -> i64 {
            s.conn
                .query_row("PRAGMA data_version", [], |r| r.get(0))
                .unwrap()
        };
        let before = version(&reader);
        late.run_migrations("ics.db", "test").unwrap();
        assert_eq!(version(&reader), before, "a no-op upgrade committed");
        // A commit is seen: the check above could fail.
        late.conn
            .pragma_update(None, "user_version", schema::CURRENT_VERSION)
            .unwrap();
        assert_ne!(version(&reader), before);
        assert!(late.reusable());
    }
}
