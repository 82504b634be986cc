//! The storage interface: what the commands and the domain ask of a database, in backend-neutral
//! terms ([`FiscalPeriod`]s and [`PeriodRange`]s, domain types, [`Error`] sentences). The SQLite
//! [`Store`] implements it; a server-backed store would implement the same traits.
//!
//! Three parts, as a database has three jobs:
//! - [`StrategyVersions`]: the stored versions of the strategy (save, list, resolve, read back).
//! - [`ValueStore`]: the recorded values (read, and write through a sink in one transaction).
//! - [`ValueSink`]: the writer a [`ValueStore`] hands out inside that transaction; a bulk
//!   import writes every row through it.
//!
//! [`Storage`] is all of them plus what concerns the database as a whole (where it is, its
//! strategies and which one the other parts are scoped to, `check`).
//! Commands hold a `Box<dyn Storage>` (see [`super::open`]): the backend is chosen at run time
//! from `--db`, so one object-safe interface serves every command without compiling each twice.
//! The cost is one indirect call per store call; the bulk paths (an import's rows through the
//! sink, an export's rows through [`ValueStore::each_value`]) pay one per row, which is noise
//! against the database's own work per row, and `progress` reads its values as one `Vec`
//! ([`ValueStore::current_totals`]).

use std::collections::HashMap;
use std::path::Path;

use crate::error::Error;
use crate::files::output::DatabaseFile;
use crate::framework::{Framework, Indicator, NodeKind, Settings};
use crate::period::{FiscalPeriod, PeriodRange};
use crate::progress::PeriodValue;
use crate::workflow::{Counted, Journal, Lock, LogEntry, LogQuery, ReviewState, User};

use super::{
    CheckReport, CurrentValue, Imported, NewValue, Replaced, SaveOutcome, SharedRead, Store,
    StoredValue, StrategyInfo, Targets, ValueQuery, ValueWriter, VersionInfo, Written,
};

/// The stored versions of the strategy in use (see [`Storage::use_strategy`]).
pub trait StrategyVersions {
    /// Store `fw` as a new version labelled `label` and loaded at `loaded_at` (RFC 3339 UTC,
    /// from [`crate::clock::now_utc`]), unless the newest version of its strategy has the same
    /// content. All or nothing. It is stored under `fw.strategy.code` (a database holds any
    /// number of strategies; labels are unique per strategy), which then is the strategy in
    /// use.
    fn save_version(
        &mut self,
        fw: &Framework,
        label: &str,
        source_file: Option<&str>,
        loaded_at: &str,
    ) -> Result<SaveOutcome, Error>;
    /// Every stored version, oldest first.
    fn versions(&self) -> Result<Vec<VersionInfo>, Error>;
    /// The version a label, `@latest` or `@previous` names (the newest when `None`).
    fn resolve_version(&self, spec: Option<&str>) -> Result<VersionInfo, Error>;
    /// How many nodes of each kind a version has.
    fn node_counts(&self, version: &VersionInfo) -> Result<Vec<(NodeKind, usize)>, Error>;
    /// A version's indicators with what checking a value needs (no targets or prose).
    fn indicator_rules(&self, version: &VersionInfo) -> Result<Vec<Indicator>, Error>;
    /// A whole stored version.
    fn framework(&self, version: &VersionInfo) -> Result<Framework, Error> {
        self.framework_with(version, Targets::All)
    }
    /// A stored version with only some of its targets.
    fn framework_with(&self, version: &VersionInfo, wanted: Targets) -> Result<Framework, Error>;
    /// [`StrategyVersions::framework_with`] without the prose no report shows.
    fn framework_lean(&self, version: &VersionInfo, wanted: Targets) -> Result<Framework, Error>;
    /// [`StrategyVersions::framework_lean`] with each node's `aligns_with`.
    fn framework_outline(&self, version: &VersionInfo, wanted: Targets)
        -> Result<Framework, Error>;
    /// A version's `[settings]` alone (what every write asks: review, the automatic lock).
    fn settings(&self, version: &VersionInfo) -> Result<Settings, Error> {
        Ok(self.framework_lean(version, Targets::None)?.settings)
    }
}

/// The recorded values of the strategy in use.
pub trait ValueStore {
    /// Every indicator code of the strategy in use ever stored (in any version), with its id.
    fn indicator_ids(&self) -> Result<HashMap<String, i64>, Error>;
    /// Whether the newest definition of an indicator has a baseline or targets, all of them
    /// zero or more: then a negative value is most likely a typo.
    fn never_negative(&self, indicator_id: i64) -> Result<bool, Error>;
    /// Call `f` with each value that `q` selects, in its order.
    fn each_value(
        &self,
        q: &ValueQuery,
        f: &mut dyn FnMut(StoredValue) -> Result<(), Error>,
    ) -> Result<(), Error>;
    /// Current values (totals, and what a total may be derived from) of `version`'s
    /// indicators over `periods`, in no particular order.
    fn current_totals(
        &self,
        version: &VersionInfo,
        periods: PeriodRange,
    ) -> Result<Vec<PeriodValue>, Error>;
    /// [`ValueStore::current_totals`] as a read that several connections to the same
    /// database, each on its own thread, can share: each calls [`ValueStore::help_read`],
    /// then [`ValueStore::finish_read`] on this connection gives what one `current_totals`
    /// would. A backend that cannot cut the read into chunks makes it one.
    fn shared_totals(
        &self,
        version: &VersionInfo,
        periods: PeriodRange,
    ) -> Result<SharedRead, Error> {
        Ok(SharedRead::new(version, periods, None))
    }
    /// Read chunks of `read` on this connection until no chunk is left untaken.
    fn help_read(&self, read: &SharedRead) {
        // One chunk of every indicator ([`ValueStore::shared_totals`] above); a chunk of some
        // ids only is not this backend's to read.
        while let Some((at, ids)) = read.claim() {
            read.put(
                at,
                if ids == (i64::MIN, i64::MAX) {
                    self.current_totals(&read.version, read.periods)
                } else {
                    Err(Error::database(
                        "the values could not be read: this database cannot read them in parts",
                    ))
                },
            );
        }
    }
    /// The values of `read`, on the connection that began it, once every helper is done.
    fn finish_read(&self, read: SharedRead) -> Result<Vec<PeriodValue>, Error> {
        read.finish()
    }
    /// The latest fiscal year with a current value of one of `version`'s indicators, within
    /// `periods` when given.
    fn latest_value_year(
        &self,
        version: &VersionInfo,
        periods: Option<PeriodRange>,
    ) -> Result<Option<i32>, Error>;
    /// Every current value, by indicator code, period and disaggregation.
    fn current_values(&self) -> Result<Vec<CurrentValue>, Error>;
    /// Every (indicator code, period) that has a current value, each once, in order.
    fn value_periods(&self) -> Result<Vec<(String, FiscalPeriod)>, Error>;
    /// Run `f` with a [`ValueSink`] in one write transaction: committed if `f` succeeds,
    /// rolled back (nothing written) if it fails. `bulk` is for imports of any size and changes
    /// how, never what, is written. Callers use [`WriteValues::write_values`].
    fn write_values_with(
        &mut self,
        bulk: bool,
        f: &mut dyn FnMut(&mut dyn ValueSink) -> Result<(), Error>,
    ) -> Result<(), Error>;
}

/// Writes values inside the one transaction of [`ValueStore::write_values_with`].
pub trait ValueSink {
    /// Import one value (`dated`: the row carried its own recording time): added, a
    /// correction, unchanged, or already in the history.
    fn import(&mut self, v: &NewValue<'_>, dated: bool) -> Result<Imported, Error>;
    /// Record one value: added, a correction of the current one, or unchanged.
    fn put(&mut self, v: &NewValue<'_>) -> Result<Written, Error>;
    /// End the current value of `v`'s key with a void row (its note, who and when from `v`;
    /// its value the voided one). `None` if the key has no current value; nothing is written.
    fn void(&mut self, v: &NewValue<'_>) -> Result<Option<Replaced>, Error>;
    /// The value that the value `id` corrected (replaced), if any.
    fn corrected_by(&self, id: i64) -> Result<Option<i64>, Error>;
    /// The id of the current value of `v`'s (indicator, period, disaggregation), if any.
    fn current_id(&self, v: &NewValue<'_>) -> Result<Option<i64>, Error>;
    /// The current value of a key and its ratio parts, if it has one.
    #[allow(clippy::type_complexity)]
    fn current_value(
        &mut self,
        indicator_id: i64,
        period: FiscalPeriod,
        disaggregation: &str,
    ) -> Result<Option<(f64, Option<(f64, f64)>)>, Error>;
    /// Whether a value id was written in this transaction (rather than being there before).
    fn is_new(&self, id: i64) -> bool;
    /// Store a version inside this transaction, as [`StrategyVersions::save_version`] does in
    /// a transaction of its own: `ics copy` writes a whole strategy, its versions and its
    /// values, in one.
    fn save_version(
        &mut self,
        fw: &Framework,
        label: &str,
        source_file: Option<&str>,
        loaded_at: &str,
    ) -> Result<SaveOutcome, Error>;
    /// The indicator codes of `strategy` with their ids, those stored in this transaction
    /// included.
    fn indicator_ids(&self, strategy: &str) -> Result<HashMap<String, i64>, Error>;

    // The reporting cycle (issue 17), inside the same transaction.

    /// The log entry for the values this transaction writes (replacing an earlier one). When
    /// the transaction commits, the store appends it with the range of value ids written,
    /// and gives each value row written (voids aside) `j.state`. Without one, value writes
    /// are logged as action `write` by the store's author ([`Workflow::set_author`]).
    fn journal(&mut self, j: &Journal);
    /// Append one entry to the log (its `id` is ignored): a review, a lock, a user change.
    fn append_log(&mut self, e: &LogEntry) -> Result<(), Error>;
    /// Every user, by name.
    fn users(&self) -> Result<Vec<User>, Error>;
    /// Add a user, or replace the one of the same name.
    fn put_user(&mut self, u: &User) -> Result<(), Error>;
    /// Remove a user; false if there was none of that name.
    fn remove_user(&mut self, name: &str) -> Result<bool, Error>;
    /// The locks of `strategy`, oldest first.
    fn locks(&self, strategy: &str) -> Result<Vec<Lock>, Error>;
    /// Lock a period of `strategy`.
    fn add_lock(&mut self, strategy: &str, l: &Lock) -> Result<(), Error>;
    /// Remove the lock of `strategy` on `period` (`through` as it was set); false if none.
    fn remove_lock(
        &mut self,
        strategy: &str,
        period: FiscalPeriod,
        through: bool,
    ) -> Result<bool, Error>;
    /// Give the value `id` the review state `to` if it is still current and in state
    /// `from`; false (nothing written) otherwise.
    fn set_state(&mut self, id: i64, from: ReviewState, to: ReviewState) -> Result<bool, Error>;
    /// The review state of the value `id` (a value without one is [`ReviewState::Recorded`]).
    fn state(&self, id: i64) -> Result<ReviewState, Error>;
    /// Set (or with `None` clear) the sign-in password hash of user `name` (an argon2id PHC
    /// string, never the password); false if there is no such user.
    fn set_password_hash(&mut self, name: &str, hash: Option<&str>) -> Result<bool, Error>;
}

/// The reporting cycle's records outside a write: users, locks, the log, review states, and
/// which values the readers of [`ValueStore`] return.
pub trait Workflow {
    /// Every user, by name.
    fn users(&self) -> Result<Vec<User>, Error>;
    /// The locks of the strategy in use, oldest first (none while there is none).
    fn locks(&self) -> Result<Vec<Lock>, Error>;
    /// The log entries `q` selects, oldest first.
    fn log(&self, q: &LogQuery) -> Result<Vec<LogEntry>, Error>;
    /// The review state of each of `ids` (of every value with `None`) that has one other than
    /// [`ReviewState::Recorded`].
    fn states(&self, ids: Option<&[i64]>) -> Result<HashMap<i64, ReviewState>, Error>;
    /// The last value id written before the log existed (0 for a database made with it):
    /// the log accounts for every value after it.
    fn log_start(&self) -> Result<i64, Error>;
    /// The server role this connection runs as (PostgreSQL's `session_user`); `None` for a
    /// file.
    fn session_role(&self) -> Result<Option<String>, Error>;
    /// The code of the strategy in use, if any.
    fn strategy_in_use(&self) -> Option<String>;
    /// Which current values [`ValueStore::current_totals`], [`ValueStore::current_values`],
    /// [`ValueStore::latest_value_year`], [`ValueStore::value_periods`] and the current-value
    /// reads of [`ValueStore::each_value`] return from now on ([`Counted::All`] until set).
    fn set_counted(&mut self, counted: Counted);
    /// Who the log names for writes that carry no [`Journal`] (a version saved outside a
    /// value transaction, say); the login name until set.
    fn set_author(&mut self, name: &str);
    /// The sign-in password hash of user `name` (an argon2id PHC string); `None` when the user
    /// has none or does not exist.
    fn password_hash(&self, name: &str) -> Result<Option<String>, Error>;
}

/// The sign-in sessions of `ics serve` and its failed sign-ins (issue 18), kept in the database
/// so that several servers behind a load balancer (and a restarted one) share them. A session
/// is named by the SHA-256 of its id in hex (`id_hash`), never by the id. Times are stamps
/// of [`crate::clock`] (`now_utc`, `ago`): one width, so they compare as text. Nothing here is
/// logged, and `ics copy` copies none of it.
pub trait WebSessions {
    /// The session `id_hash` names, if it was last seen at `seen_since` or later.
    fn web_session(&self, id_hash: &str, seen_since: &str) -> Result<Option<WebSession>, Error>;
    /// Start a session, signed in as `user` or not, created and seen `now`.
    fn create_web_session(
        &mut self,
        id_hash: &str,
        user: Option<&str>,
        csrf: &str,
        now: &str,
    ) -> Result<(), Error>;
    /// Mark the session seen `now` if it was last seen before `seen_before` (else nothing is
    /// written); whether it was.
    fn touch_web_session(
        &mut self,
        id_hash: &str,
        now: &str,
        seen_before: &str,
    ) -> Result<bool, Error>;
    /// Leave a message for the session's next page.
    fn set_web_flash(&mut self, id_hash: &str, message: &str) -> Result<(), Error>;
    /// The session's message, if any, now removed (of two servers taking it at once, one
    /// gets it).
    fn take_web_flash(&mut self, id_hash: &str) -> Result<Option<String>, Error>;
    /// End a session; whether there was one.
    fn delete_web_session(&mut self, id_hash: &str) -> Result<bool, Error>;
    /// End every session last seen before `seen_before`; how many.
    fn sweep_web_sessions(&mut self, seen_before: &str) -> Result<usize, Error>;
    /// How many failed sign-ins `key` (`user:NAME` or `addr:IP`) has had at `since` or later.
    fn signin_failures(&self, key: &str, since: &str) -> Result<usize, Error>;
    /// Record a failed sign-in for `key` at `at`.
    fn record_signin_failure(&mut self, key: &str, at: &str) -> Result<(), Error>;
    /// Forget the failed sign-ins of `key`.
    fn clear_signin_failures(&mut self, key: &str) -> Result<(), Error>;
    /// Forget every failed sign-in before `before`; how many.
    fn sweep_signin_failures(&mut self, before: &str) -> Result<usize, Error>;
}

/// A sign-in session as [`WebSessions`] keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    /// The signed-in user; `None` before signing in.
    pub user: Option<String>,
    /// The token every form of the session must carry.
    pub csrf: String,
    /// A message left for the next page.
    pub flash: Option<String>,
    pub created_at: String,
    pub seen_at: String,
}

/// A whole database.
pub trait Storage: StrategyVersions + ValueStore + Workflow + WebSessions + Send {
    /// The database as messages name it: the file as the user named it (`ics.db`); a server
    /// database by its URL, with any password masked.
    fn name(&self) -> String;
    /// The database file, if the database is one (SQLite; not a server, nor a database in
    /// memory).
    fn file(&self) -> Option<&Path>;
    /// Whether this store can serve another request after this one: its connection still
    /// works. A server that keeps stores open between requests drops one that says no.
    fn reusable(&self) -> bool {
        true
    }
    /// Every file the database is made of, so that no `--out` replaces one: for SQLite the
    /// file and its companions ([`super::database_files`]); none for a server.
    fn files(&self) -> Vec<DatabaseFile> {
        self.file().map(super::database_files).unwrap_or_default()
    }
    /// Every strategy the database holds, ordered by code.
    fn strategies(&self) -> Result<Vec<StrategyInfo>, Error>;
    /// Scope every later call to one strategy: `Some(code)`, or with `None` the only strategy the
    /// database holds. With `None` and several stored: Error::input listing their codes, hint
    /// "pass --strategy CODE (or set ICS_STRATEGY)". An unknown code: Error::input listing the
    /// stored ones. With `None` and none stored: Ok (commands then say as today that the
    /// database holds no strategy yet).
    fn use_strategy(&mut self, code: Option<&str>) -> Result<(), Error>;
    /// Check the database and everything stored in it: every strategy, whichever is in use.
    fn check(&self) -> Result<CheckReport, Error>;
    /// Mark this database as one built by `ics demo` (see [`super::is_demo_database`]).
    fn mark_demo(&mut self) -> Result<(), Error>;
}

/// [`ValueStore::write_values_with`] for a closure that returns something.
pub trait WriteValues {
    fn write_values<T>(
        &mut self,
        bulk: bool,
        f: impl FnOnce(&mut dyn ValueSink) -> Result<T, Error>,
    ) -> Result<T, Error>;
}

impl<S: ValueStore + ?Sized> WriteValues for S {
    fn write_values<T>(
        &mut self,
        bulk: bool,
        f: impl FnOnce(&mut dyn ValueSink) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let lost = || Error::database("could not record the values (internal error)");
        let mut f = Some(f);
        let mut out = None;
        self.write_values_with(bulk, &mut |sink| {
            let f = f.take().ok_or_else(lost)?;
            out = Some(f(sink)?);
            Ok(())
        })?;
        out.ok_or_else(lost)
    }
}

impl StrategyVersions for Store {
    fn save_version(
        &mut self,
        fw: &Framework,
        label: &str,
        source_file: Option<&str>,
        loaded_at: &str,
    ) -> Result<SaveOutcome, Error> {
        Store::save_version(self, fw, label, source_file, loaded_at)
    }
    fn versions(&self) -> Result<Vec<VersionInfo>, Error> {
        Store::versions(self)
    }
    fn resolve_version(&self, spec: Option<&str>) -> Result<VersionInfo, Error> {
        Store::resolve_version(self, spec)
    }
    fn node_counts(&self, version: &VersionInfo) -> Result<Vec<(NodeKind, usize)>, Error> {
        Store::node_counts(self, version)
    }
    fn indicator_rules(&self, version: &VersionInfo) -> Result<Vec<Indicator>, Error> {
        Store::indicator_rules(self, version)
    }
    fn framework(&self, version: &VersionInfo) -> Result<Framework, Error> {
        Store::framework(self, version)
    }
    fn framework_with(&self, version: &VersionInfo, wanted: Targets) -> Result<Framework, Error> {
        Store::framework_with(self, version, wanted)
    }
    fn framework_lean(&self, version: &VersionInfo, wanted: Targets) -> Result<Framework, Error> {
        Store::framework_lean(self, version, wanted)
    }
    fn framework_outline(
        &self,
        version: &VersionInfo,
        wanted: Targets,
    ) -> Result<Framework, Error> {
        Store::framework_outline(self, version, wanted)
    }
    fn settings(&self, version: &VersionInfo) -> Result<Settings, Error> {
        Store::settings(self, version)
    }
}

impl ValueStore for Store {
    fn indicator_ids(&self) -> Result<HashMap<String, i64>, Error> {
        Store::indicator_ids(self)
    }
    fn never_negative(&self, indicator_id: i64) -> Result<bool, Error> {
        Store::never_negative(self, indicator_id)
    }
    fn each_value(
        &self,
        q: &ValueQuery,
        f: &mut dyn FnMut(StoredValue) -> Result<(), Error>,
    ) -> Result<(), Error> {
        Store::each_value(self, q, f)
    }
    fn current_totals(
        &self,
        version: &VersionInfo,
        periods: PeriodRange,
    ) -> Result<Vec<PeriodValue>, Error> {
        Store::current_totals(self, version, periods)
    }
    fn shared_totals(
        &self,
        version: &VersionInfo,
        periods: PeriodRange,
    ) -> Result<SharedRead, Error> {
        Store::shared_totals(self, version, periods)
    }
    fn help_read(&self, read: &SharedRead) {
        Store::help_read(self, read)
    }
    fn finish_read(&self, read: SharedRead) -> Result<Vec<PeriodValue>, Error> {
        Store::finish_read(self, read)
    }
    fn latest_value_year(
        &self,
        version: &VersionInfo,
        periods: Option<PeriodRange>,
    ) -> Result<Option<i32>, Error> {
        Store::latest_value_year(self, version, periods)
    }
    fn current_values(&self) -> Result<Vec<CurrentValue>, Error> {
        Store::current_values(self)
    }
    fn value_periods(&self) -> Result<Vec<(String, FiscalPeriod)>, Error> {
        Store::value_periods(self)
    }
    fn write_values_with(
        &mut self,
        bulk: bool,
        f: &mut dyn FnMut(&mut dyn ValueSink) -> Result<(), Error>,
    ) -> Result<(), Error> {
        Store::write_values(self, bulk, |w| f(w))
    }
}

impl ValueSink for ValueWriter<'_> {
    fn import(&mut self, v: &NewValue<'_>, dated: bool) -> Result<Imported, Error> {
        ValueWriter::import(self, v, dated)
    }
    fn put(&mut self, v: &NewValue<'_>) -> Result<Written, Error> {
        ValueWriter::put(self, v)
    }
    fn void(&mut self, v: &NewValue<'_>) -> Result<Option<Replaced>, Error> {
        ValueWriter::void(self, v)
    }
    fn corrected_by(&self, id: i64) -> Result<Option<i64>, Error> {
        ValueWriter::corrected_by(self, id)
    }
    fn current_id(&self, v: &NewValue<'_>) -> Result<Option<i64>, Error> {
        ValueWriter::current_id(self, v)
    }
    fn current_value(
        &mut self,
        indicator_id: i64,
        period: FiscalPeriod,
        disaggregation: &str,
    ) -> Result<Option<(f64, Option<(f64, f64)>)>, Error> {
        ValueWriter::current_value(self, indicator_id, period, disaggregation)
    }
    fn is_new(&self, id: i64) -> bool {
        ValueWriter::is_new(self, id)
    }
    fn save_version(
        &mut self,
        fw: &Framework,
        label: &str,
        source_file: Option<&str>,
        loaded_at: &str,
    ) -> Result<SaveOutcome, Error> {
        let outcome = super::framework::save_in(self.conn, fw, label, source_file, loaded_at)?;
        if let SaveOutcome::Stored { label } = &outcome {
            let user = self.journal.as_ref().map_or(&self.author, |j| &j.user);
            super::workflow::log_version(
                self.conn,
                user,
                loaded_at,
                &fw.strategy.code,
                label,
                source_file,
            )?;
        }
        Ok(outcome)
    }
    fn indicator_ids(&self, strategy: &str) -> Result<HashMap<String, i64>, Error> {
        super::values::indicator_ids_in(self.conn, Some(strategy))
    }
    fn journal(&mut self, j: &Journal) {
        self.journal = Some(j.clone());
    }
    fn append_log(&mut self, e: &LogEntry) -> Result<(), Error> {
        super::workflow::append_log_in(self.conn, e, None)
    }
    fn users(&self) -> Result<Vec<User>, Error> {
        super::workflow::users_in(self.conn)
    }
    fn put_user(&mut self, u: &User) -> Result<(), Error> {
        super::workflow::put_user_in(self.conn, u)
    }
    fn remove_user(&mut self, name: &str) -> Result<bool, Error> {
        super::workflow::remove_user_in(self.conn, name)
    }
    fn locks(&self, strategy: &str) -> Result<Vec<Lock>, Error> {
        super::workflow::locks_in(self.conn, strategy)
    }
    fn add_lock(&mut self, strategy: &str, l: &Lock) -> Result<(), Error> {
        super::workflow::add_lock_in(self.conn, strategy, l)
    }
    fn remove_lock(
        &mut self,
        strategy: &str,
        period: FiscalPeriod,
        through: bool,
    ) -> Result<bool, Error> {
        super::workflow::remove_lock_in(self.conn, strategy, period, through)
    }
    fn set_state(&mut self, id: i64, from: ReviewState, to: ReviewState) -> Result<bool, Error> {
        super::workflow::set_state_in(self.conn, id, from, to)
    }
    fn state(&self, id: i64) -> Result<ReviewState, Error> {
        super::workflow::state_in(self.conn, id)
    }
    fn set_password_hash(&mut self, name: &str, hash: Option<&str>) -> Result<bool, Error> {
        super::workflow::set_password_hash_in(self.conn, name, hash)
    }
}

impl Workflow for Store {
    fn users(&self) -> Result<Vec<User>, Error> {
        super::workflow::users_in(&self.conn)
    }
    fn locks(&self) -> Result<Vec<Lock>, Error> {
        match self.strategy_in_use() {
            Some(code) => super::workflow::locks_in(&self.conn, &code),
            None => Ok(Vec::new()),
        }
    }
    fn log(&self, q: &LogQuery) -> Result<Vec<LogEntry>, Error> {
        super::workflow::log_in(&self.conn, q)
    }
    fn states(&self, ids: Option<&[i64]>) -> Result<HashMap<i64, ReviewState>, Error> {
        Store::states(self, ids)
    }
    fn log_start(&self) -> Result<i64, Error> {
        Store::log_start(self)
    }
    fn session_role(&self) -> Result<Option<String>, Error> {
        Ok(None)
    }
    fn strategy_in_use(&self) -> Option<String> {
        Store::strategy_in_use(self)
    }
    fn set_counted(&mut self, counted: Counted) {
        self.counted = counted;
    }
    fn set_author(&mut self, name: &str) {
        self.author = name.to_string();
    }
    fn password_hash(&self, name: &str) -> Result<Option<String>, Error> {
        super::workflow::password_hash_in(&self.conn, name)
    }
}

impl Storage for Store {
    fn name(&self) -> String {
        Store::path(self).display().to_string()
    }
    fn file(&self) -> Option<&Path> {
        self.is_file().then(|| Store::path(self))
    }
    fn reusable(&self) -> bool {
        Store::reusable(self)
    }
    fn strategies(&self) -> Result<Vec<StrategyInfo>, Error> {
        Store::strategies(self)
    }
    fn use_strategy(&mut self, code: Option<&str>) -> Result<(), Error> {
        Store::use_strategy(self, code)
    }
    fn check(&self) -> Result<CheckReport, Error> {
        Store::check(self)
    }
    fn mark_demo(&mut self) -> Result<(), Error> {
        Store::mark_demo(self)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Whether `text` holds `word` as a whole name (`Store` but not `StoredValue`).
    fn names(text: &str, word: &str) -> bool {
        let ident = |c: char| c.is_alphanumeric() || c == '_';
        text.match_indices(word).any(|(at, _)| {
            let before = text[..at].chars().next_back();
            let after = text[at + word.len()..].chars().next();
            !before.is_some_and(ident) && !after.is_some_and(ident)
        })
    }

    #[test]
    fn a_name_is_a_whole_word() {
        assert!(names("use crate::store::Store;", "Store"));
        assert!(!names("use crate::store::StoredValue;", "Store"));
        assert!(!names("MyStore::open", "Store"));
    }

    /// The seam holds: outside `src/store`, no file names SQLite's or PostgreSQL's types or
    /// either store itself; everything goes through the traits.
    #[test]
    fn nothing_outside_the_store_names_the_backend() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let files = crate::rust_sources("src");
        let store = src.join("store");
        let mut found = Vec::new();
        for file in files.iter().filter(|f| !f.starts_with(&store)) {
            let text = std::fs::read_to_string(file).unwrap();
            for word in ["rusqlite", "Store", "ValueWriter", "PgStore", "PgSink"] {
                if names(&text, word) {
                    found.push(format!("{} names `{word}`", file.display()));
                }
            }
            // The PostgreSQL client crate by path (`postgres::Client`); a `postgres://` URL in
            // help text is not a type.
            for path in ["postgres::", "tokio_postgres", "rustls"] {
                // The web server's own HTTPS (src/web/tls.rs) is rustls too, and no backend.
                if path == "rustls" && file.ends_with("web/tls.rs") {
                    continue;
                }
                if text.contains(path) && !text.contains(&format!("store::{path}")) {
                    found.push(format!("{} names `{path}`", file.display()));
                }
            }
        }
        assert!(files.len() > 50, "{}", files.len());
        assert!(found.is_empty(), "{found:#?}");
    }
}
