//! The reporting cycle on PostgreSQL (issue 17): users, locks, review states and the audit log,
//! by the rules of the SQLite store (`store/workflow.rs`). Each write is a function of a client
//! or transaction, so the store (outside a write) and the [`PgSink`] (inside one) share it.
//!
//! The log is append-only in the database itself: a trigger refuses UPDATE, DELETE and
//! TRUNCATE on `audit_log` (schema migration 2).

use std::collections::HashMap;

use postgres::GenericClient;

use super::sink::PgSink;
use super::PgStore;
use crate::error::Error;
use crate::period::FiscalPeriod;
use crate::store::period_key::PeriodKey;
use crate::store::stored_period;
use crate::workflow::{Counted, Journal, Lock, LogEntry, LogQuery, ReviewState, Role, User};

const CTX: &str = "record the reporting cycle";

/// The condition a reader of current values (`v` the value row) adds for `counted`: none
/// when every value counts or no value has a review state (one probe of an empty table: a
/// database without review reads as fast as before).
pub(super) fn state_clause(
    c: &mut impl GenericClient,
    counted: Counted,
    shown: &str,
) -> Result<&'static str, Error> {
    if counted == Counted::All {
        return Ok("");
    }
    let any: bool = c
        .query_one("SELECT EXISTS (SELECT 1 FROM value_state)", &[])
        .map_err(|e| super::map_err(e, "read the review states", shown))?
        .get(0);
    Ok(match (any, counted) {
        (false, _) | (_, Counted::All) => "",
        (true, Counted::Approved) => {
            " AND NOT EXISTS (SELECT 1 FROM value_state s WHERE s.value_id = v.id AND s.state <> 'approved')"
        }
        (true, Counted::WithSubmitted) => {
            " AND NOT EXISTS (SELECT 1 FROM value_state s WHERE s.value_id = v.id AND s.state = 'returned')"
        }
    })
}

fn damaged(what: &str) -> Error {
    Error::database_with_hint(
        format!("the database is damaged: {what} cannot be read"),
        "run `ics check`",
    )
}

fn users_in(c: &mut impl GenericClient, shown: &str) -> Result<Vec<User>, Error> {
    let ctx = "read the users";
    let rows = c
        .query(
            "SELECT name, role, scopes, db_role, added_by, added_at FROM app_user \
             ORDER BY name COLLATE \"C\"",
            &[],
        )
        .map_err(|e| super::map_err(e, ctx, shown))?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let name: String = r.get(0);
        let role: &str = r.get(1);
        let scopes: &str = r.get(2);
        out.push(User {
            role: Role::parse(role).ok_or_else(|| damaged(&format!("user `{name}`")))?,
            scopes: serde_json::from_str(scopes)
                .map_err(|_| damaged(&format!("the scope of user `{name}`")))?,
            db_role: r.get(3),
            added_by: r.get(4),
            added_at: r.get(5),
            name,
        });
    }
    Ok(out)
}

fn db_role_taken(role: &str) -> Error {
    Error::input(format!(
        "another user already connects as the database role `{role}`"
    ))
}

fn put_user_in(c: &mut impl GenericClient, u: &User, shown: &str) -> Result<(), Error> {
    let err = |e| super::map_err(e, CTX, shown);
    let scopes = serde_json::to_string(&u.scopes).map_err(|_| damaged("a scope"))?;
    // Asked first rather than left to the unique index, whose violation would end the
    // transaction; under the writers' lock nobody adds a user meanwhile.
    if let Some(role) = &u.db_role {
        let taken = c
            .query_opt(
                "SELECT 1 FROM app_user WHERE db_role = $1 AND name <> $2",
                &[role, &u.name],
            )
            .map_err(err)?;
        if taken.is_some() {
            return Err(db_role_taken(role));
        }
    }
    c.execute(
        "INSERT INTO app_user (name, role, scopes, db_role, added_by, added_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO UPDATE SET role = excluded.role, \
         scopes = excluded.scopes, db_role = excluded.db_role",
        &[
            &u.name,
            &u.role.as_str(),
            &scopes,
            &u.db_role,
            &u.added_by,
            &u.added_at,
        ],
    )
    .map_err(|e| {
        if e.as_db_error()
            .is_some_and(|d| *d.code() == postgres::error::SqlState::UNIQUE_VIOLATION)
        {
            db_role_taken(u.db_role.as_deref().unwrap_or_default())
        } else {
            err(e)
        }
    })?;
    Ok(())
}

fn remove_user_in(c: &mut impl GenericClient, name: &str, shown: &str) -> Result<bool, Error> {
    let removed = c
        .execute("DELETE FROM app_user WHERE name = $1", &[&name])
        .map(|n| n > 0)
        .map_err(|e| super::map_err(e, CTX, shown))?;
    end_sessions_of(c, name, shown)?;
    Ok(removed)
}

/// Sign `name` out of `ics serve` everywhere (as SQLite's store does): a new password, or the
/// user removed, ends the sessions begun before.
fn end_sessions_of(c: &mut impl GenericClient, name: &str, shown: &str) -> Result<(), Error> {
    c.execute("DELETE FROM web_session WHERE user_name = $1", &[&name])
        .map(drop)
        .map_err(|e| super::map_err(e, "end the user's sign-in sessions", shown))
}

fn locks_in(c: &mut impl GenericClient, strategy: &str, shown: &str) -> Result<Vec<Lock>, Error> {
    let ctx = "read the locked periods";
    let rows = c
        .query(
            "SELECT period, through, set_by, set_at, reason FROM period_lock \
             WHERE strategy_code = $1 ORDER BY set_at COLLATE \"C\", period",
            &[&strategy],
        )
        .map_err(|e| super::map_err(e, ctx, shown))?;
    rows.iter()
        .map(|r| {
            Ok(Lock {
                period: stored_period(r.get(0), ctx)?,
                through: r.get(1),
                set_by: r.get(2),
                set_at: r.get(3),
                reason: r.get(4),
            })
        })
        .collect()
}

fn add_lock_in(
    c: &mut impl GenericClient,
    strategy: &str,
    l: &Lock,
    shown: &str,
) -> Result<(), Error> {
    c.execute(
        "INSERT INTO period_lock (strategy_code, period, through, set_by, set_at, reason) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (strategy_code, period, through) \
         DO UPDATE SET set_by = excluded.set_by, set_at = excluded.set_at, reason = excluded.reason",
        &[
            &strategy,
            &l.period.key(),
            &l.through,
            &l.set_by,
            &l.set_at,
            &l.reason,
        ],
    )
    .map_err(|e| super::map_err(e, CTX, shown))?;
    Ok(())
}

fn remove_lock_in(
    c: &mut impl GenericClient,
    strategy: &str,
    period: FiscalPeriod,
    through: bool,
    shown: &str,
) -> Result<bool, Error> {
    c.execute(
        "DELETE FROM period_lock WHERE strategy_code = $1 AND period = $2 AND through = $3",
        &[&strategy, &period.key(), &through],
    )
    .map(|n| n > 0)
    .map_err(|e| super::map_err(e, CTX, shown))
}

fn state_in(c: &mut impl GenericClient, id: i64, shown: &str) -> Result<ReviewState, Error> {
    let row = c
        .query_opt("SELECT state FROM value_state WHERE value_id = $1", &[&id])
        .map_err(|e| super::map_err(e, "read the review state", shown))?;
    match row {
        None => Ok(ReviewState::Recorded),
        Some(r) => ReviewState::parse(r.get(0)).ok_or_else(|| damaged("a review state")),
    }
}

fn set_state_in(
    c: &mut impl GenericClient,
    id: i64,
    from: ReviewState,
    to: ReviewState,
    shown: &str,
) -> Result<bool, Error> {
    let err = |e| super::map_err(e, CTX, shown);
    let row = c
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM value WHERE id = $1 AND replaced_by IS NULL), \
             (SELECT state FROM value_state WHERE value_id = $1)",
            &[&id],
        )
        .map_err(err)?;
    let current: bool = row.get(0);
    let state = match row.get::<_, Option<&str>>(1) {
        None => ReviewState::Recorded,
        Some(s) => ReviewState::parse(s).ok_or_else(|| damaged("a review state"))?,
    };
    if !current || state != from {
        return Ok(false);
    }
    if to == ReviewState::Recorded {
        c.execute("DELETE FROM value_state WHERE value_id = $1", &[&id])
    } else {
        c.execute(
            "INSERT INTO value_state (value_id, state) VALUES ($1, $2) \
             ON CONFLICT (value_id) DO UPDATE SET state = excluded.state",
            &[&id, &to.as_str()],
        )
    }
    .map_err(err)?;
    Ok(true)
}

const APPEND: &str = "INSERT INTO audit_log (at, user_name, strategy_code, action, subject, \
     detail, reason, value_from, value_to, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

fn append_log_in(
    c: &mut impl GenericClient,
    e: &LogEntry,
    default_strategy: Option<&str>,
    shown: &str,
) -> Result<(), Error> {
    c.execute(
        APPEND,
        &[
            &e.at,
            &e.user,
            &e.strategy.as_deref().or(default_strategy),
            &e.action,
            &e.subject,
            &e.detail,
            &e.reason,
            &e.values.map(|v| v.0),
            &e.values.map(|v| v.1),
            &e.state.map(ReviewState::as_str),
        ],
    )
    .map_err(|e| super::map_err(e, CTX, shown))?;
    Ok(())
}

/// At the end of a write transaction that wrote the value rows `first..=last`: give each
/// that is not a void the journal's state (none for [`ReviewState::Recorded`]) and log them
/// under `journal` (or as action `write` by `author`). One statement, one round trip.
///
/// A plain INSERT, as SQLite's: a new row given a state earlier in the same write makes it
/// fail rather than be overwritten. (`ON CONFLICT DO NOTHING` cost 2.4 s more on the 2,000,000
/// states of a review-on import: 7.4 s against 4.9 s.)
pub(super) fn finish_journal(
    c: &mut impl GenericClient,
    (first, last): (i64, i64),
    journal: Option<&Journal>,
    author: &str,
    strategy: Option<&str>,
    shown: &str,
) -> Result<(), Error> {
    let default;
    let j = match journal {
        Some(j) => j,
        None => {
            default = Journal::new(author, "write", "values");
            &default
        }
    };
    let given = (j.state != ReviewState::Recorded).then_some(j.state.as_str());
    c.execute(
        "WITH given AS (INSERT INTO value_state (value_id, state) \
           SELECT id, $11::text FROM value \
           WHERE $11::text IS NOT NULL AND id BETWEEN $8 AND $9 AND kind <> 'void') \
         INSERT INTO audit_log (at, user_name, strategy_code, action, subject, detail, reason, \
           value_from, value_to, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            &j.at,
            &j.user,
            &strategy,
            &j.action,
            &j.subject,
            &j.detail,
            &j.reason,
            &first,
            &last,
            &j.state.as_str(),
            &given,
        ],
    )
    .map_err(|e| super::map_err(e, CTX, shown))?;
    Ok(())
}

/// Log the saving of a version (`load`, or a copy), as SQLite's `log_version`.
pub(super) fn log_version(
    c: &mut impl GenericClient,
    user: &str,
    at: &str,
    strategy: &str,
    label: &str,
    source_file: Option<&str>,
    shown: &str,
) -> Result<(), Error> {
    append_log_in(
        c,
        &LogEntry::version_loaded(user, at, strategy, label, source_file),
        None,
        shown,
    )
}

fn log_in(c: &mut impl GenericClient, q: &LogQuery, shown: &str) -> Result<Vec<LogEntry>, Error> {
    let ctx = "read the audit log";
    // Text compared byte by byte (`COLLATE "C"`), as SQLite compares it.
    let mut sql = String::from(
        "SELECT id, at, user_name, strategy_code, action, subject, detail, reason, value_from, \
         value_to, state FROM audit_log WHERE ($1::text IS NULL OR at COLLATE \"C\" >= $1) \
         AND ($2::text IS NULL OR user_name = $2) AND ($3::text IS NULL OR strategy_code = $3)",
    );
    let ids: Vec<i64>;
    let mut params: Vec<&(dyn postgres::types::ToSql + Sync)> =
        vec![&q.since, &q.user, &q.strategy];
    if let Some(of) = &q.reviews_of {
        if of.is_empty() {
            return Ok(Vec::new());
        }
        ids = of.clone();
        sql.push_str(
            " AND action IN ('approve', 'return', 'resubmit') AND value_from = ANY($4::bigint[])",
        );
        params.push(&ids);
    }
    sql.push_str(" ORDER BY id");
    let rows = c
        .query(sql.as_str(), &params)
        .map_err(|e| super::map_err(e, ctx, shown))?;
    Ok(rows
        .iter()
        .map(|r| {
            let from: Option<i64> = r.get(8);
            let to: Option<i64> = r.get(9);
            let state: Option<&str> = r.get(10);
            LogEntry {
                id: r.get(0),
                at: r.get(1),
                user: r.get(2),
                strategy: r.get(3),
                action: r.get(4),
                subject: r.get(5),
                detail: r.get(6),
                reason: r.get(7),
                values: from.zip(to),
                state: state.and_then(ReviewState::parse),
            }
        })
        .collect())
}

fn states_in(
    c: &mut impl GenericClient,
    ids: Option<&[i64]>,
    shown: &str,
) -> Result<HashMap<i64, ReviewState>, Error> {
    let ctx = "read the review states";
    let rows = match ids {
        None => c.query("SELECT value_id, state FROM value_state", &[]),
        Some(ids) => c.query(
            "SELECT value_id, state FROM value_state WHERE value_id = ANY($1::bigint[])",
            &[&ids],
        ),
    }
    .map_err(|e| super::map_err(e, ctx, shown))?;
    rows.iter()
        .map(|r| {
            let state = ReviewState::parse(r.get(1)).ok_or_else(|| damaged("a review state"))?;
            Ok((r.get(0), state))
        })
        .collect()
}

impl PgSink<'_> {
    pub(super) fn wf_journal(&mut self, j: &Journal) {
        self.journal = Some(j.clone());
    }
    pub(super) fn wf_append_log(&mut self, e: &LogEntry) -> Result<(), Error> {
        append_log_in(self.tx.get_mut(), e, None, &self.shown)
    }
    pub(super) fn wf_users(&self) -> Result<Vec<User>, Error> {
        users_in(&mut *self.tx.borrow_mut(), &self.shown)
    }
    pub(super) fn wf_set_password_hash(
        &mut self,
        name: &str,
        hash: Option<&str>,
    ) -> Result<bool, Error> {
        let set = self
            .tx
            .get_mut()
            .execute(
                "UPDATE app_user SET password_hash = $2 WHERE name = $1",
                &[&name, &hash],
            )
            .map(|n| n > 0)
            .map_err(|e| super::map_err(e, "set the password", &self.shown))?;
        end_sessions_of(self.tx.get_mut(), name, &self.shown)?;
        Ok(set)
    }
    pub(super) fn wf_put_user(&mut self, u: &User) -> Result<(), Error> {
        put_user_in(self.tx.get_mut(), u, &self.shown)
    }
    pub(super) fn wf_remove_user(&mut self, name: &str) -> Result<bool, Error> {
        remove_user_in(self.tx.get_mut(), name, &self.shown)
    }
    pub(super) fn wf_locks(&self, strategy: &str) -> Result<Vec<Lock>, Error> {
        locks_in(&mut *self.tx.borrow_mut(), strategy, &self.shown)
    }
    pub(super) fn wf_add_lock(&mut self, strategy: &str, l: &Lock) -> Result<(), Error> {
        add_lock_in(self.tx.get_mut(), strategy, l, &self.shown)
    }
    pub(super) fn wf_remove_lock(
        &mut self,
        strategy: &str,
        period: FiscalPeriod,
        through: bool,
    ) -> Result<bool, Error> {
        remove_lock_in(self.tx.get_mut(), strategy, period, through, &self.shown)
    }
    pub(super) fn wf_set_state(
        &mut self,
        id: i64,
        from: ReviewState,
        to: ReviewState,
    ) -> Result<bool, Error> {
        // A bulk write holds its rows and links until commit: what it wrote is known here.
        if let Some(bulk) = &self.bulk {
            if bulk.replaced(id) {
                return Ok(false);
            }
            if id >= self.first_new_id {
                let current = self
                    .keys
                    .values()
                    .flatten()
                    .any(|(_, k)| k.current.as_ref().is_some_and(|r| r.id == id));
                if !current || from != ReviewState::Recorded {
                    return Ok(false);
                }
                if to != ReviewState::Recorded {
                    self.tx
                        .get_mut()
                        .execute(
                            "INSERT INTO value_state (value_id, state) VALUES ($1, $2)",
                            &[&id, &to.as_str()],
                        )
                        .map_err(|e| super::map_err(e, CTX, &self.shown))?;
                }
                return Ok(true);
            }
        }
        set_state_in(self.tx.get_mut(), id, from, to, &self.shown)
    }
    pub(super) fn wf_state(&self, id: i64) -> Result<ReviewState, Error> {
        state_in(&mut *self.tx.borrow_mut(), id, &self.shown)
    }
    /// Who the log names for this write's version loads: the journal's user, else the
    /// store's author.
    pub(super) fn log_user(&self) -> &str {
        self.journal.as_ref().map_or(&self.author, |j| &j.user)
    }
}

impl crate::store::Workflow for PgStore {
    fn users(&self) -> Result<Vec<User>, Error> {
        users_in(&mut *self.client.borrow_mut(), &self.shown)
    }
    fn password_hash(&self, name: &str) -> Result<Option<String>, Error> {
        let row = self
            .client
            .borrow_mut()
            .query_opt(
                "SELECT password_hash FROM app_user WHERE name = $1",
                &[&name],
            )
            .map_err(|e| super::map_err(e, "read the password", &self.shown))?;
        Ok(row.and_then(|r| r.get::<_, Option<String>>(0)))
    }
    fn locks(&self) -> Result<Vec<Lock>, Error> {
        match &self.strategy {
            Some(code) => locks_in(&mut *self.client.borrow_mut(), code, &self.shown),
            None => Ok(Vec::new()),
        }
    }
    fn log(&self, q: &LogQuery) -> Result<Vec<LogEntry>, Error> {
        log_in(&mut *self.client.borrow_mut(), q, &self.shown)
    }
    fn states(&self, ids: Option<&[i64]>) -> Result<HashMap<i64, ReviewState>, Error> {
        states_in(&mut *self.client.borrow_mut(), ids, &self.shown)
    }
    fn log_start(&self) -> Result<i64, Error> {
        let row = self
            .client
            .borrow_mut()
            .query_opt("SELECT value FROM ics_meta WHERE key = 'log_start'", &[])
            .map_err(|e| self.map_err(e, "read the audit log"))?;
        match row {
            None => Ok(0),
            Some(r) => r
                .get::<_, &str>(0)
                .parse()
                .map_err(|_| damaged("where the audit log starts")),
        }
    }
    fn session_role(&self) -> Result<Option<String>, Error> {
        let row = self
            .client
            .borrow_mut()
            .query_one("SELECT session_user::text", &[])
            .map_err(|e| self.map_err(e, "read the database role"))?;
        Ok(Some(row.get(0)))
    }
    fn strategy_in_use(&self) -> Option<String> {
        self.strategy.clone()
    }
    fn set_counted(&mut self, counted: Counted) {
        self.counted = counted;
    }
    fn set_author(&mut self, name: &str) {
        self.author = name.to_string();
    }
}
