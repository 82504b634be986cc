//! The reporting cycle in SQLite (issue 17): users, locks, review states and the audit log.
//! Each write is a function of the connection, so the store (outside a write) and the
//! [`ValueWriter`] (inside one) share it.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension};

use super::period_key::PeriodKey;
use super::{map_err, stored_period, Store};
use crate::error::Error;
use crate::period::FiscalPeriod;
use crate::workflow::{Counted, Journal, Lock, LogEntry, LogQuery, ReviewState, Role, User};

const CTX: &str = "record the reporting cycle";

/// The clause a reader of current values (`v` the value row) adds for `counted`: none when
/// every value counts or no value has a review state.
pub(super) fn state_clause(conn: &Connection, counted: Counted) -> Result<&'static str, Error> {
    if counted == Counted::All {
        return Ok("");
    }
    let any: bool = conn
        .query_row("SELECT EXISTS (SELECT 1 FROM value_state)", [], |r| {
            r.get(0)
        })
        .map_err(|e| map_err(e, "read the review states"))?;
    Ok(match (any, counted) {
        (false, _) | (_, Counted::All) => "",
        (true, Counted::Approved) => APPROVED_ONLY,
        (true, Counted::WithSubmitted) => NOT_RETURNED,
    })
}

/// Approved values, and those recorded without review (no state row).
pub(super) const APPROVED_ONLY: &str =
    " AND NOT EXISTS (SELECT 1 FROM value_state s WHERE s.value_id = v.id AND s.state <> 'approved')";
/// Every value but the returned ones.
const NOT_RETURNED: &str =
    " AND NOT EXISTS (SELECT 1 FROM value_state s WHERE s.value_id = v.id AND s.state = 'returned')";

pub(super) fn users_in(conn: &Connection) -> Result<Vec<User>, Error> {
    let ctx = "read the users";
    let mut stmt = conn
        .prepare_cached(
            "SELECT name, role, scopes, db_role, added_by, added_at FROM app_user ORDER BY name",
        )
        .map_err(|e| map_err(e, ctx))?;
    let rows = stmt
        .query_map([], |r| -> rusqlite::Result<_> {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })
        .map_err(|e| map_err(e, ctx))?;
    let mut out = Vec::new();
    for row in rows {
        let (name, role, scopes, db_role, added_by, added_at) = row.map_err(|e| map_err(e, ctx))?;
        out.push(User {
            role: Role::parse(&role).ok_or_else(|| damaged(&format!("user `{name}`")))?,
            scopes: serde_json::from_str(&scopes)
                .map_err(|_| damaged(&format!("the scope of user `{name}`")))?,
            name,
            db_role,
            added_by,
            added_at,
        });
    }
    Ok(out)
}

fn damaged(what: &str) -> Error {
    Error::database_with_hint(
        format!("the database is damaged: {what} cannot be read"),
        "run `ics check`",
    )
}

pub(super) fn put_user_in(conn: &Connection, u: &User) -> Result<(), Error> {
    let scopes = serde_json::to_string(&u.scopes).map_err(|_| damaged("a scope"))?;
    conn.prepare_cached(
        "INSERT INTO app_user (name, role, scopes, db_role, added_by, added_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (name) DO UPDATE SET role = excluded.role, \
         scopes = excluded.scopes, db_role = excluded.db_role",
    )
    .and_then(|mut s| {
        s.execute(params![
            u.name,
            u.role.as_str(),
            scopes,
            u.db_role,
            u.added_by,
            u.added_at
        ])
    })
    .map_err(|e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => Error::input(format!(
            "another user already connects as the database role `{}`",
            u.db_role.as_deref().unwrap_or_default()
        )),
        _ => map_err(e, CTX),
    })?;
    Ok(())
}

pub(super) fn set_password_hash_in(
    conn: &Connection,
    name: &str,
    hash: Option<&str>,
) -> Result<bool, Error> {
    let set = conn
        .prepare_cached("UPDATE app_user SET password_hash = ?2 WHERE name = ?1")
        .and_then(|mut s| s.execute(params![name, hash]))
        .map(|n| n > 0)
        .map_err(|e| map_err(e, "set the password"))?;
    end_sessions_of(conn, name)?;
    Ok(set)
}

/// Sign `name` out of `ics serve` everywhere: a new password, or the user removed, ends the
/// sessions begun before (a cookie taken from their browser stops working, and a user added
/// later under the same name does not inherit them).
fn end_sessions_of(conn: &Connection, name: &str) -> Result<(), Error> {
    conn.prepare_cached("DELETE FROM web_session WHERE user_name = ?1")
        .and_then(|mut s| s.execute([name]))
        .map(drop)
        .map_err(|e| map_err(e, "end the user's sign-in sessions"))
}

pub(super) fn password_hash_in(conn: &Connection, name: &str) -> Result<Option<String>, Error> {
    conn.prepare_cached("SELECT password_hash FROM app_user WHERE name = ?1")
        .and_then(|mut s| {
            s.query_row([name], |r| r.get::<_, Option<String>>(0))
                .optional()
        })
        .map(Option::flatten)
        .map_err(|e| map_err(e, "read the password"))
}

pub(super) fn remove_user_in(conn: &Connection, name: &str) -> Result<bool, Error> {
    let removed = conn
        .execute("DELETE FROM app_user WHERE name = ?1", [name])
        .map(|n| n > 0)
        .map_err(|e| map_err(e, CTX))?;
    end_sessions_of(conn, name)?;
    Ok(removed)
}

pub(super) fn locks_in(conn: &Connection, strategy: &str) -> Result<Vec<Lock>, Error> {
    let ctx = "read the locked periods";
    let mut stmt = conn
        .prepare_cached(
            "SELECT period, through, set_by, set_at, reason FROM period_lock \
             WHERE strategy_code = ?1 ORDER BY set_at, period",
        )
        .map_err(|e| map_err(e, ctx))?;
    let rows = stmt
        .query_map([strategy], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, bool>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })
        .map_err(|e| map_err(e, ctx))?;
    let mut out = Vec::new();
    for row in rows {
        let (key, through, set_by, set_at, reason) = row.map_err(|e| map_err(e, ctx))?;
        out.push(Lock {
            period: stored_period(key, ctx)?,
            through,
            set_by,
            set_at,
            reason,
        });
    }
    Ok(out)
}

pub(super) fn add_lock_in(conn: &Connection, strategy: &str, l: &Lock) -> Result<(), Error> {
    conn.execute(
        "INSERT OR REPLACE INTO period_lock (strategy_code, period, through, set_by, set_at, reason) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![strategy, l.period.key(), l.through, l.set_by, l.set_at, l.reason],
    )
    .map_err(|e| map_err(e, CTX))?;
    Ok(())
}

pub(super) fn remove_lock_in(
    conn: &Connection,
    strategy: &str,
    period: FiscalPeriod,
    through: bool,
) -> Result<bool, Error> {
    conn.execute(
        "DELETE FROM period_lock WHERE strategy_code = ?1 AND period = ?2 AND through = ?3",
        params![strategy, period.key(), through],
    )
    .map(|n| n > 0)
    .map_err(|e| map_err(e, CTX))
}

pub(super) fn state_in(conn: &Connection, id: i64) -> Result<ReviewState, Error> {
    let ctx = "read the review state";
    let s: Option<String> = conn
        .prepare_cached("SELECT state FROM value_state WHERE value_id = ?1")
        .and_then(|mut s| s.query_row([id], |r| r.get(0)).optional())
        .map_err(|e| map_err(e, ctx))?;
    match s {
        None => Ok(ReviewState::Recorded),
        Some(s) => ReviewState::parse(&s).ok_or_else(|| damaged("a review state")),
    }
}

pub(super) fn set_state_in(
    conn: &Connection,
    id: i64,
    from: ReviewState,
    to: ReviewState,
) -> Result<bool, Error> {
    let current: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM value WHERE id = ?1 AND replaced_by IS NULL)")
        .and_then(|mut s| s.query_row([id], |r| r.get(0)))
        .map_err(|e| map_err(e, CTX))?;
    if !current || state_in(conn, id)? != from {
        return Ok(false);
    }
    let written = if to == ReviewState::Recorded {
        conn.execute("DELETE FROM value_state WHERE value_id = ?1", [id])
    } else {
        conn.prepare_cached("INSERT OR REPLACE INTO value_state (value_id, state) VALUES (?1, ?2)")
            .and_then(|mut s| s.execute(params![id, to.as_str()]))
    };
    written.map_err(|e| map_err(e, CTX))?;
    Ok(true)
}

pub(super) fn append_log_in(
    conn: &Connection,
    e: &LogEntry,
    default_strategy: Option<&str>,
) -> Result<(), Error> {
    conn.prepare_cached(
        "INSERT INTO audit_log (at, user_name, strategy_code, action, subject, detail, reason, \
         value_from, value_to, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )
    .and_then(|mut s| {
        s.execute(params![
            e.at,
            e.user,
            e.strategy.as_deref().or(default_strategy),
            e.action,
            e.subject,
            e.detail,
            e.reason,
            e.values.map(|v| v.0),
            e.values.map(|v| v.1),
            e.state.map(ReviewState::as_str),
        ])
    })
    .map_err(|e| map_err(e, CTX))?;
    Ok(())
}

/// At the end of a write transaction: log the value rows written from `first_new_id` on
/// under `journal` (or as action `write` by `author`), giving each one that is not a void the
/// journal's state.
pub(super) fn finish_journal(
    conn: &Connection,
    first_new_id: i64,
    journal: Option<&Journal>,
    author: &str,
    strategy: Option<&str>,
) -> Result<(), Error> {
    let last: i64 = conn
        .query_row("SELECT coalesce(max(id), 0) FROM value", [], |r| r.get(0))
        .map_err(|e| map_err(e, CTX))?;
    if last < first_new_id {
        return Ok(());
    }
    let default;
    let j = match journal {
        Some(j) => j,
        None => {
            default = Journal::new(author, "write", "values");
            &default
        }
    };
    if j.state != ReviewState::Recorded {
        conn.execute(
            "INSERT INTO value_state (value_id, state) SELECT id, ?3 FROM value \
             WHERE id BETWEEN ?1 AND ?2 AND kind <> 'void'",
            params![first_new_id, last, j.state.as_str()],
        )
        .map_err(|e| map_err(e, CTX))?;
    }
    append_log_in(conn, &j.entry((first_new_id, last)), strategy)
}

/// Log the saving of a version (`load`, or a copy).
pub(super) fn log_version(
    conn: &Connection,
    user: &str,
    at: &str,
    strategy: &str,
    label: &str,
    source_file: Option<&str>,
) -> Result<(), Error> {
    append_log_in(
        conn,
        &LogEntry::version_loaded(user, at, strategy, label, source_file),
        None,
    )
}

pub(super) fn log_in(conn: &Connection, q: &LogQuery) -> Result<Vec<LogEntry>, Error> {
    let ctx = "read the audit log";
    let mut sql = String::from(
        "SELECT id, at, user_name, strategy_code, action, subject, detail, reason, value_from, \
         value_to, state FROM audit_log WHERE (?1 IS NULL OR at >= ?1) \
         AND (?2 IS NULL OR user_name = ?2) AND (?3 IS NULL OR strategy_code = ?3)",
    );
    if let Some(ids) = &q.reviews_of {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // Ids are numbers, formatted from i64: nothing a user typed reaches the SQL.
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        sql.push_str(&format!(
            " AND action IN ('approve', 'return', 'resubmit') AND value_from IN ({})",
            list.join(", ")
        ));
    }
    sql.push_str(" ORDER BY id");
    let mut stmt = conn.prepare(&sql).map_err(|e| map_err(e, ctx))?;
    let rows = stmt
        .query_map(params![q.since, q.user, q.strategy], |r| {
            let from: Option<i64> = r.get(8)?;
            let to: Option<i64> = r.get(9)?;
            let state: Option<String> = r.get(10)?;
            Ok(LogEntry {
                id: r.get(0)?,
                at: r.get(1)?,
                user: r.get(2)?,
                strategy: r.get(3)?,
                action: r.get(4)?,
                subject: r.get(5)?,
                detail: r.get(6)?,
                reason: r.get(7)?,
                values: from.zip(to),
                state: state.as_deref().and_then(ReviewState::parse),
            })
        })
        .map_err(|e| map_err(e, ctx))?;
    rows.collect::<Result<_, _>>().map_err(|e| map_err(e, ctx))
}

impl Store {
    pub(super) fn log_start(&self) -> Result<i64, Error> {
        let v: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'log_start'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| map_err(e, "read the audit log"))?;
        match v {
            None => Ok(0),
            Some(v) => v.parse().map_err(|_| damaged("where the audit log starts")),
        }
    }

    pub(super) fn states(&self, ids: Option<&[i64]>) -> Result<HashMap<i64, ReviewState>, Error> {
        let ctx = "read the review states";
        let Some(ids) = ids else {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT value_id, state FROM value_state")
                .map_err(|e| map_err(e, ctx))?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
                .map_err(|e| map_err(e, ctx))?;
            let mut out = HashMap::new();
            for row in rows {
                let (id, s) = row.map_err(|e| map_err(e, ctx))?;
                out.insert(
                    id,
                    ReviewState::parse(&s).ok_or_else(|| damaged("a review state"))?,
                );
            }
            return Ok(out);
        };
        let mut stmt = self
            .conn
            .prepare_cached("SELECT state FROM value_state WHERE value_id = ?1")
            .map_err(|e| map_err(e, ctx))?;
        let mut out = HashMap::new();
        for &id in ids {
            let s: Option<String> = stmt
                .query_row([id], |r| r.get(0))
                .optional()
                .map_err(|e| map_err(e, ctx))?;
            if let Some(s) = s {
                out.insert(
                    id,
                    ReviewState::parse(&s).ok_or_else(|| damaged("a review state"))?,
                );
            }
        }
        Ok(out)
    }
}
