//! The [`Guard`]: a [`ValueSink`] that holds every value written through it to a [`Policy`].

use std::collections::HashMap;

use super::policy::{lock_on, locked_error, Policy};
use super::{Journal, Lock, LogEntry, ReviewState, Role, User};
use crate::error::Error;
use crate::framework::Framework;
use crate::period::FiscalPeriod;
use crate::store::{Imported, NewValue, Replaced, SaveOutcome, ValueSink, Written};

/// A [`ValueSink`] that checks every value against a [`Policy`] before writing it: the
/// actor's scope, and the locks read inside the transaction.
pub struct Guard<'a> {
    pub sink: &'a mut dyn ValueSink,
    pub policy: &'a Policy,
    pub locks: Vec<Lock>,
}

impl Guard<'_> {
    /// Refuse a write to a value of indicator `id` and period `p` outside the scope or in a
    /// locked period.
    pub fn check(&self, id: i64, p: FiscalPeriod) -> Result<(), Error> {
        self.policy.check_scope(id)?;
        match lock_on(
            &self.locks,
            self.policy.lock_after_days,
            self.policy.today,
            p,
        ) {
            Some(l) => Err(locked_error(p, &l)),
            None => Ok(()),
        }
    }
}

impl ValueSink for Guard<'_> {
    fn import(&mut self, v: &NewValue<'_>, dated: bool) -> Result<Imported, Error> {
        self.check(v.indicator_id, v.period)?;
        if let Some(u) = &self.policy.actor.user {
            if u.role != Role::Admin && v.recorded_by != u.name {
                return Err(Error::input(format!(
                    "the row says `{}` recorded it; once the database has users, people import values as themselves (`{}`), and only an admin imports what others recorded",
                    v.recorded_by, u.name
                )));
            }
        }
        self.sink.import(v, dated)
    }
    fn put(&mut self, v: &NewValue<'_>) -> Result<Written, Error> {
        self.check(v.indicator_id, v.period)?;
        self.sink.put(v)
    }
    fn void(&mut self, v: &NewValue<'_>) -> Result<Option<Replaced>, Error> {
        self.check(v.indicator_id, v.period)?;
        self.sink.void(v)
    }
    fn corrected_by(&self, id: i64) -> Result<Option<i64>, Error> {
        self.sink.corrected_by(id)
    }
    fn current_id(&self, v: &NewValue<'_>) -> Result<Option<i64>, Error> {
        self.sink.current_id(v)
    }
    fn current_value(
        &mut self,
        indicator_id: i64,
        period: FiscalPeriod,
        disaggregation: &str,
    ) -> Result<Option<(f64, Option<(f64, f64)>)>, Error> {
        self.sink
            .current_value(indicator_id, period, disaggregation)
    }
    fn is_new(&self, id: i64) -> bool {
        self.sink.is_new(id)
    }
    fn save_version(
        &mut self,
        fw: &Framework,
        label: &str,
        source_file: Option<&str>,
        loaded_at: &str,
    ) -> Result<SaveOutcome, Error> {
        self.sink.save_version(fw, label, source_file, loaded_at)
    }
    fn indicator_ids(&self, strategy: &str) -> Result<HashMap<String, i64>, Error> {
        self.sink.indicator_ids(strategy)
    }
    fn journal(&mut self, j: &Journal) {
        self.sink.journal(j)
    }
    fn append_log(&mut self, e: &LogEntry) -> Result<(), Error> {
        self.sink.append_log(e)
    }
    fn users(&self) -> Result<Vec<User>, Error> {
        self.sink.users()
    }
    fn put_user(&mut self, u: &User) -> Result<(), Error> {
        self.sink.put_user(u)
    }
    fn remove_user(&mut self, name: &str) -> Result<bool, Error> {
        self.sink.remove_user(name)
    }
    fn locks(&self, strategy: &str) -> Result<Vec<Lock>, Error> {
        self.sink.locks(strategy)
    }
    fn add_lock(&mut self, strategy: &str, l: &Lock) -> Result<(), Error> {
        self.sink.add_lock(strategy, l)
    }
    fn remove_lock(
        &mut self,
        strategy: &str,
        period: FiscalPeriod,
        through: bool,
    ) -> Result<bool, Error> {
        self.sink.remove_lock(strategy, period, through)
    }
    fn set_state(&mut self, id: i64, from: ReviewState, to: ReviewState) -> Result<bool, Error> {
        self.sink.set_state(id, from, to)
    }
    fn state(&self, id: i64) -> Result<ReviewState, Error> {
        self.sink.state(id)
    }
    fn set_password_hash(&mut self, name: &str, hash: Option<&str>) -> Result<bool, Error> {
        self.sink.set_password_hash(name, hash)
    }
}
