//! The sign-in sessions and failed sign-ins of `ics serve` on PostgreSQL ([`WebSessions`];
//! schema migration 4), by the rules of the SQLite store (`store/sessions.rs`): every server
//! behind a load balancer sees the same sessions and counts the same failures. Each call is
//! one statement, outside the writers' lock (no value is written).

use super::PgStore;
use crate::error::Error;
use crate::store::{WebSession, WebSessions};

const CTX: &str = "keep the sign-in session";
const FAILURES: &str = "count the failed sign-ins";

impl PgStore {
    fn run(
        &self,
        sql: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
        ctx: &str,
    ) -> Result<u64, Error> {
        self.client
            .borrow_mut()
            .execute(sql, params)
            .map_err(|e| self.map_err(e, ctx))
    }
}

impl WebSessions for PgStore {
    fn web_session(&self, id_hash: &str, seen_since: &str) -> Result<Option<WebSession>, Error> {
        let row = self
            .client
            .borrow_mut()
            .query_opt(
                "SELECT user_name, csrf, flash, created_at, seen_at FROM web_session \
                 WHERE id_hash = $1 AND seen_at >= $2",
                &[&id_hash, &seen_since],
            )
            .map_err(|e| self.map_err(e, CTX))?;
        Ok(row.map(|r| WebSession {
            user: r.get(0),
            csrf: r.get(1),
            flash: r.get(2),
            created_at: r.get(3),
            seen_at: r.get(4),
        }))
    }

    fn create_web_session(
        &mut self,
        id_hash: &str,
        user: Option<&str>,
        csrf: &str,
        now: &str,
    ) -> Result<(), Error> {
        self.run(
            "INSERT INTO web_session (id_hash, user_name, csrf, created_at, seen_at) \
             VALUES ($1, $2, $3, $4, $4)",
            &[&id_hash, &user, &csrf, &now],
            CTX,
        )
        .map(drop)
    }

    fn touch_web_session(
        &mut self,
        id_hash: &str,
        now: &str,
        seen_before: &str,
    ) -> Result<bool, Error> {
        self.run(
            "UPDATE web_session SET seen_at = $2 WHERE id_hash = $1 AND seen_at < $3",
            &[&id_hash, &now, &seen_before],
            CTX,
        )
        .map(|n| n > 0)
    }

    fn set_web_flash(&mut self, id_hash: &str, message: &str) -> Result<(), Error> {
        self.run(
            "UPDATE web_session SET flash = $2 WHERE id_hash = $1",
            &[&id_hash, &message],
            CTX,
        )
        .map(drop)
    }

    fn take_web_flash(&mut self, id_hash: &str) -> Result<Option<String>, Error> {
        // The row is locked while its message is read and cleared: of two servers taking it
        // at once, the second waits and finds none.
        let row = self
            .client
            .borrow_mut()
            .query_opt(
                "UPDATE web_session w SET flash = NULL \
                 FROM (SELECT id_hash, flash FROM web_session WHERE id_hash = $1 FOR UPDATE) old \
                 WHERE w.id_hash = old.id_hash AND old.flash IS NOT NULL \
                 RETURNING old.flash",
                &[&id_hash],
            )
            .map_err(|e| self.map_err(e, CTX))?;
        Ok(row.map(|r| r.get(0)))
    }

    fn delete_web_session(&mut self, id_hash: &str) -> Result<bool, Error> {
        self.run(
            "DELETE FROM web_session WHERE id_hash = $1",
            &[&id_hash],
            CTX,
        )
        .map(|n| n > 0)
    }

    fn sweep_web_sessions(&mut self, seen_before: &str) -> Result<usize, Error> {
        self.run(
            "DELETE FROM web_session WHERE seen_at < $1",
            &[&seen_before],
            CTX,
        )
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
    }

    fn signin_failures(&self, key: &str, since: &str) -> Result<usize, Error> {
        let row = self
            .client
            .borrow_mut()
            .query_one(
                "SELECT count(*) FROM signin_failure WHERE key = $1 AND at >= $2",
                &[&key, &since],
            )
            .map_err(|e| self.map_err(e, FAILURES))?;
        Ok(usize::try_from(row.get::<_, i64>(0)).unwrap_or(0))
    }

    fn record_signin_failure(&mut self, key: &str, at: &str) -> Result<(), Error> {
        self.run(
            "INSERT INTO signin_failure (key, at) VALUES ($1, $2)",
            &[&key, &at],
            FAILURES,
        )
        .map(drop)
    }

    fn clear_signin_failures(&mut self, key: &str) -> Result<(), Error> {
        self.run(
            "DELETE FROM signin_failure WHERE key = $1",
            &[&key],
            FAILURES,
        )
        .map(drop)
    }

    fn sweep_signin_failures(&mut self, before: &str) -> Result<usize, Error> {
        self.run(
            "DELETE FROM signin_failure WHERE at < $1",
            &[&before],
            FAILURES,
        )
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
    }
}
