//! The sign-in sessions and failed sign-ins of `ics serve` in SQLite ([`WebSessions`]; schema
//! migration 11). Each call is one statement in its own transaction: a page view reads, and
//! writes only when a session starts, ends, is due to be marked seen, or carries a message.

use rusqlite::{params, OptionalExtension};

use super::{map_err, Store, WebSession, WebSessions};
use crate::error::Error;

const CTX: &str = "keep the sign-in session";
const FAILURES: &str = "count the failed sign-ins";

impl WebSessions for Store {
    fn web_session(&self, id_hash: &str, seen_since: &str) -> Result<Option<WebSession>, Error> {
        self.conn
            .prepare_cached(
                "SELECT user_name, csrf, flash, created_at, seen_at FROM web_session \
                 WHERE id_hash = ?1 AND seen_at >= ?2",
            )
            .and_then(|mut s| {
                s.query_row(params![id_hash, seen_since], |r| {
                    Ok(WebSession {
                        user: r.get(0)?,
                        csrf: r.get(1)?,
                        flash: r.get(2)?,
                        created_at: r.get(3)?,
                        seen_at: r.get(4)?,
                    })
                })
                .optional()
            })
            .map_err(|e| map_err(e, CTX))
    }

    fn create_web_session(
        &mut self,
        id_hash: &str,
        user: Option<&str>,
        csrf: &str,
        now: &str,
    ) -> Result<(), Error> {
        self.conn
            .prepare_cached(
                "INSERT INTO web_session (id_hash, user_name, csrf, created_at, seen_at) \
                 VALUES (?1, ?2, ?3, ?4, ?4)",
            )
            .and_then(|mut s| s.execute(params![id_hash, user, csrf, now]))
            .map(drop)
            .map_err(|e| map_err(e, CTX))
    }

    fn touch_web_session(
        &mut self,
        id_hash: &str,
        now: &str,
        seen_before: &str,
    ) -> Result<bool, Error> {
        self.conn
            .prepare_cached(
                "UPDATE web_session SET seen_at = ?2 WHERE id_hash = ?1 AND seen_at < ?3",
            )
            .and_then(|mut s| s.execute(params![id_hash, now, seen_before]))
            .map(|n| n > 0)
            .map_err(|e| map_err(e, CTX))
    }

    fn set_web_flash(&mut self, id_hash: &str, message: &str) -> Result<(), Error> {
        self.conn
            .prepare_cached("UPDATE web_session SET flash = ?2 WHERE id_hash = ?1")
            .and_then(|mut s| s.execute(params![id_hash, message]))
            .map(drop)
            .map_err(|e| map_err(e, CTX))
    }

    fn take_web_flash(&mut self, id_hash: &str) -> Result<Option<String>, Error> {
        let flash: Option<String> = self
            .conn
            .prepare_cached("SELECT flash FROM web_session WHERE id_hash = ?1")
            .and_then(|mut s| s.query_row([id_hash], |r| r.get(0)).optional())
            .map_err(|e| map_err(e, CTX))?
            .flatten();
        let Some(flash) = flash else {
            return Ok(None);
        };
        // Only the one that clears it has it (another server may be taking it too).
        let taken = self
            .conn
            .prepare_cached("UPDATE web_session SET flash = NULL WHERE id_hash = ?1 AND flash = ?2")
            .and_then(|mut s| s.execute(params![id_hash, flash]))
            .map_err(|e| map_err(e, CTX))?;
        Ok((taken > 0).then_some(flash))
    }

    fn delete_web_session(&mut self, id_hash: &str) -> Result<bool, Error> {
        self.conn
            .prepare_cached("DELETE FROM web_session WHERE id_hash = ?1")
            .and_then(|mut s| s.execute([id_hash]))
            .map(|n| n > 0)
            .map_err(|e| map_err(e, CTX))
    }

    fn sweep_web_sessions(&mut self, seen_before: &str) -> Result<usize, Error> {
        self.conn
            .prepare_cached("DELETE FROM web_session WHERE seen_at < ?1")
            .and_then(|mut s| s.execute([seen_before]))
            .map_err(|e| map_err(e, CTX))
    }

    fn signin_failures(&self, key: &str, since: &str) -> Result<usize, Error> {
        self.conn
            .prepare_cached("SELECT count(*) FROM signin_failure WHERE key = ?1 AND at >= ?2")
            .and_then(|mut s| s.query_row(params![key, since], |r| r.get::<_, i64>(0)))
            .map(|n| usize::try_from(n).unwrap_or(0))
            .map_err(|e| map_err(e, FAILURES))
    }

    fn record_signin_failure(&mut self, key: &str, at: &str) -> Result<(), Error> {
        self.conn
            .prepare_cached("INSERT INTO signin_failure (key, at) VALUES (?1, ?2)")
            .and_then(|mut s| s.execute(params![key, at]))
            .map(drop)
            .map_err(|e| map_err(e, FAILURES))
    }

    fn clear_signin_failures(&mut self, key: &str) -> Result<(), Error> {
        self.conn
            .prepare_cached("DELETE FROM signin_failure WHERE key = ?1")
            .and_then(|mut s| s.execute([key]))
            .map(drop)
            .map_err(|e| map_err(e, FAILURES))
    }

    fn sweep_signin_failures(&mut self, before: &str) -> Result<usize, Error> {
        self.conn
            .prepare_cached("DELETE FROM signin_failure WHERE at < ?1")
            .and_then(|mut s| s.execute([before]))
            .map_err(|e| map_err(e, FAILURES))
    }
}
