//! The reporting cycle on PostgreSQL (issue 17). Not yet written: every call says so.

use std::collections::HashMap;

use super::sink::PgSink;
use super::PgStore;
use crate::error::Error;
use crate::period::FiscalPeriod;
use crate::workflow::{Counted, Journal, Lock, LogEntry, LogQuery, ReviewState, User};

fn missing() -> Error {
    Error::input("users, review, locks and the log are not yet available on PostgreSQL")
}

impl PgSink<'_> {
    pub(super) fn wf_journal(&mut self, _j: &Journal) {}
    pub(super) fn wf_append_log(&mut self, _e: &LogEntry) -> Result<(), Error> {
        Err(missing())
    }
    pub(super) fn wf_users(&self) -> Result<Vec<User>, Error> {
        Ok(Vec::new())
    }
    pub(super) fn wf_put_user(&mut self, _u: &User) -> Result<(), Error> {
        Err(missing())
    }
    pub(super) fn wf_remove_user(&mut self, _name: &str) -> Result<bool, Error> {
        Err(missing())
    }
    pub(super) fn wf_locks(&self, _strategy: &str) -> Result<Vec<Lock>, Error> {
        Ok(Vec::new())
    }
    pub(super) fn wf_add_lock(&mut self, _strategy: &str, _l: &Lock) -> Result<(), Error> {
        Err(missing())
    }
    pub(super) fn wf_remove_lock(
        &mut self,
        _strategy: &str,
        _period: FiscalPeriod,
        _through: bool,
    ) -> Result<bool, Error> {
        Err(missing())
    }
    pub(super) fn wf_set_state(
        &mut self,
        _id: i64,
        _from: ReviewState,
        _to: ReviewState,
    ) -> Result<bool, Error> {
        Err(missing())
    }
    pub(super) fn wf_state(&self, _id: i64) -> Result<ReviewState, Error> {
        Ok(ReviewState::Recorded)
    }
}

impl crate::store::Workflow for PgStore {
    fn users(&self) -> Result<Vec<User>, Error> {
        Ok(Vec::new())
    }
    fn locks(&self) -> Result<Vec<Lock>, Error> {
        Ok(Vec::new())
    }
    fn log(&self, _q: &LogQuery) -> Result<Vec<LogEntry>, Error> {
        Err(missing())
    }
    fn states(&self, _ids: Option<&[i64]>) -> Result<HashMap<i64, ReviewState>, Error> {
        Ok(HashMap::new())
    }
    fn log_start(&self) -> Result<i64, Error> {
        Ok(0)
    }
    fn session_role(&self) -> Result<Option<String>, Error> {
        Ok(None)
    }
    fn strategy_in_use(&self) -> Option<String> {
        self.strategy.clone()
    }
    fn set_counted(&mut self, _counted: Counted) {}
    fn set_author(&mut self, _name: &str) {}
}
