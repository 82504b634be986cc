//! The demo database's marker. `ics demo` replaces only a database it built itself, and not
//! one that has gained values or versions since: at build time it records the marker and the
//! high-water marks of the value and version tables in `meta`; later it compares.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::{literal_path, map_err, Store};
use crate::error::Error;
use crate::files::output::DatabaseFile;

/// What was added to a demo database after `ics demo` built it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoAdditions {
    /// Value rows (new values and corrections) recorded since.
    pub values: u64,
    /// Strategy versions loaded since.
    pub versions: u64,
    /// Who recorded the newest added value, and what it was (`IND-X FY2022`), for the message.
    pub newest: Option<(String, String)>,
}

impl DemoAdditions {
    pub fn is_empty(&self) -> bool {
        self.values == 0 && self.versions == 0
    }
}

impl Store {
    /// Mark this database as one built by `ics demo`, which may later replace it, and remember
    /// what the demo put in it. Call it once the demo's values are in.
    pub fn mark_demo(&mut self) -> Result<(), Error> {
        let tx = self.write_tx("mark the demo database")?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES \
               ('demo', '1'), \
               ('demo_last_value', (SELECT coalesce(max(id), 0) FROM value)), \
               ('demo_last_version', (SELECT coalesce(max(id), 0) FROM strategy_version)) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [],
        )
        .map_err(|e| map_err(e, "mark the demo database"))?;
        tx.commit()
            .map_err(|e| map_err(e, "mark the demo database"))?;
        Ok(())
    }
}

/// Remove the database file at `path` and its companions (SQLite's write-ahead log,
/// shared-memory index and rollback journal), whichever are present.
pub fn remove_database(path: &Path) -> Result<(), Error> {
    for DatabaseFile { path: p, .. } in database_files(path) {
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(Error::input(format!(
                    "could not remove `{}`: {e}",
                    p.display()
                )))
            }
        }
    }
    Ok(())
}

/// Put the demo database built (and closed) at `built` in the place of the one at `db`,
/// which is removed. If the move fails, the built one is removed too.
pub fn replace_demo_database(built: &Path, db: &Path) -> Result<(), Error> {
    remove_database(db)?;
    std::fs::rename(built, db).map_err(|e| {
        let _ = remove_database(built);
        Error::input(format!(
            "could not move the new demo database into `{}`: {}",
            db.display(),
            crate::files::io_reason(&e)
        ))
    })
}

/// The files an SQLite database at `path` is made of: the file itself, then its write-ahead
/// log, shared-memory index and rollback journal (each `path` with a suffix), whether or not
/// they exist yet.
pub fn database_files(path: &Path) -> Vec<DatabaseFile> {
    let mut files = vec![DatabaseFile {
        path: path.to_path_buf(),
        companion: None,
    }];
    for (suffix, what) in [
        ("-wal", "write-ahead log"),
        ("-shm", "shared-memory index"),
        ("-journal", "rollback journal"),
    ] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        files.push(DatabaseFile {
            path: PathBuf::from(name),
            companion: Some(what),
        });
    }
    files
}

/// Whether the file at `path` is a database that `ics demo` built. Anything that is not
/// (another ics database, another file, an unreadable one, a FIFO or a device, which are
/// never opened) is `false`.
pub fn is_demo_database(path: &Path) -> bool {
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return false;
    }
    let Ok(conn) =
        Connection::open_with_flags(literal_path(path), OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return false;
    };
    conn.query_row("SELECT value FROM meta WHERE key = 'demo'", [], |r| {
        r.get::<_, String>(0)
    })
    .map(|v| v == "1")
    .unwrap_or(false)
}

/// What was added to the demo database at `path` since the demo built it. A demo database
/// from before the high-water marks counts values recorded by anyone but the demo.
pub fn demo_additions(path: &Path) -> Result<DemoAdditions, Error> {
    let doing = "read the demo database";
    let conn = Connection::open_with_flags(literal_path(path), OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| map_err(e, doing))?;
    let mark = |key: &str| -> Result<Option<i64>, Error> {
        conn.query_row(
            "SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?1",
            [key],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| map_err(e, doing))
    };
    let (value_filter, value_arg) = match mark("demo_last_value")? {
        Some(last) => ("v.id > ?1", last.to_string()),
        None => ("v.recorded_by <> ?1", "demo".to_string()),
    };
    let values: i64 = conn
        .query_row(
            &format!("SELECT count(*) FROM value v WHERE {value_filter}"),
            [&value_arg],
            |r| r.get(0),
        )
        .map_err(|e| map_err(e, doing))?;
    let newest = conn
        .query_row(
            &format!(
                "SELECT v.recorded_by, i.code, v.period FROM value v \
                 JOIN indicator i ON i.id = v.indicator_id \
                 WHERE {value_filter} ORDER BY v.id DESC LIMIT 1"
            ),
            [&value_arg],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            },
        )
        .optional()
        .map_err(|e| map_err(e, doing))?
        .map(|(by, code, period)| {
            let period = super::stored_period(period, doing)
                .map(|p| p.to_string())
                .unwrap_or_else(|_| "?".into());
            (by, format!("{code} {period}"))
        });
    let versions: i64 = match mark("demo_last_version")? {
        Some(last) => conn
            .query_row(
                "SELECT count(*) FROM strategy_version WHERE id > ?1",
                [last],
                |r| r.get(0),
            )
            .map_err(|e| map_err(e, doing))?,
        None => 0,
    };
    Ok(DemoAdditions {
        values: values.max(0) as u64,
        versions: versions.max(0) as u64,
        newest,
    })
}
