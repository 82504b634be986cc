//! The [`ValueSink`](crate::store::ValueSink) of the PostgreSQL store: every write of a command goes through one
//! [`PgSink`] inside the command's one transaction, which holds the writers' lock.
//!
//! What a row does (added, a correction, unchanged, already in the history, a void) is decided
//! in memory (`decide.rs`), by the same rules as the SQLite writer (`store/values/writer.rs`, `marks.rs`,
//! `keep.rs`), against the rows of its key, read once and kept up to date as the sink writes.
//! Holding the lock, the sink hands out ids itself (one more than the largest id or the
//! identity sequence, whichever is larger) and moves the sequence past them before commit.
//! Then the rows are written:
//! - one at a time (`record`, `void`, `explain`): a correction first points the current value at
//!   the new id (taking it out of the unique `value_current` index), then inserts the new row;
//! - in bulk (`import-values`): buffered and written at the end with COPY and one set-based
//!   merge (`bulk.rs`); the rows of a key are read per batch of indicators, not per row.
//!
//! Before commit, one query checks what foreign keys would (`value` has none: PostgreSQL checks
//! them row by row, see `schema.rs`): every indicator the rows name exists, and every row this
//! write pointed a `replaced_by` at exists. Like the SQLite writer's `verify`.
//!
//! In a database written by ics every row of a key is in that key's one chain of corrections,
//! so "already in the history" is looked up among all rows of the key.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use postgres::{Statement, Transaction};

use super::bulk::Bulk;
use super::values::CTX;
use crate::error::Error;
use crate::store::period_key::PeriodKey;
use crate::store::{Kind, NewValue};

/// One stored (or about to be stored) row of a key, with what deciding about the next row of
/// that key needs.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub id: i64,
    pub value: f64,
    pub parts: Option<(f64, f64)>,
    pub note: Option<Box<str>>,
    pub source: Option<Box<str>>,
    pub by: Rc<str>,
    pub at: Rc<str>,
}

impl Row {
    /// Whether this row is exactly `v` (value, ratio parts, note, source, who and when).
    pub(super) fn is(&self, v: &NewValue<'_>) -> bool {
        self.value == v.value
            && self.parts == v.parts
            && self.note.as_deref() == v.note
            && self.source.as_deref() == v.source
            && &*self.by == v.recorded_by
            && &*self.at == v.recorded_at
    }
}

/// The rows of one (indicator, period, disaggregation).
#[derive(Debug, Default)]
pub(super) struct KeyState {
    /// The current value (`replaced_by IS NULL`).
    pub current: Option<Row>,
    /// A void nothing has followed yet (it points at itself): the key has no current value.
    pub open_void: Option<i64>,
    /// Every other row of the key (read only when a dated row needs the history).
    pub older: Vec<Row>,
    /// Whether `older` holds the whole history (one row at a time; a bulk write knows this
    /// per indicator).
    pub history: bool,
}

impl KeyState {
    pub(super) fn in_history(&self, v: &NewValue<'_>) -> bool {
        self.current.iter().chain(&self.older).any(|r| r.is(v))
    }
}

/// The keys of one (indicator, period): few disaggregations each.
type Keys = Vec<(Box<str>, KeyState)>;

/// The texts repeated from row to row (who, when), shared rather than copied.
#[derive(Default)]
pub(super) struct Interner {
    by: Option<Rc<str>>,
    at: Option<Rc<str>>,
}

impl Interner {
    pub(super) fn by(&mut self, s: &str) -> Rc<str> {
        Self::get(&mut self.by, s)
    }
    pub(super) fn at(&mut self, s: &str) -> Rc<str> {
        Self::get(&mut self.at, s)
    }
    fn get(slot: &mut Option<Rc<str>>, s: &str) -> Rc<str> {
        match slot {
            Some(last) if &**last == s => Rc::clone(last),
            _ => {
                let new: Rc<str> = Rc::from(s);
                *slot = Some(Rc::clone(&new));
                new
            }
        }
    }
}

/// A row to write, as the `value` table holds it.
pub(super) struct NewRow<'v> {
    pub id: i64,
    pub indicator_id: i64,
    pub period: i64,
    pub disaggregation: &'v str,
    pub value: f64,
    pub parts: Option<(f64, f64)>,
    pub note: Option<&'v str>,
    pub source: Option<&'v str>,
    pub by: &'v str,
    pub at: &'v str,
    pub kind: Kind,
    /// Set only for a void, which points at itself.
    pub replaced_by: Option<i64>,
}

/// Writes values inside the transaction of `PgStore::write_values_with`.
pub(super) struct PgSink<'a> {
    pub(super) tx: RefCell<Transaction<'a>>,
    pub(super) shown: String,
    pub(super) first_new_id: i64,
    pub(super) next_id: i64,
    /// The rows of every key read or written so far, by (indicator, period).
    pub(super) keys: HashMap<(i64, i64), Keys>,
    pub(super) texts: Interner,
    /// `Some` for a bulk write: rows buffered for COPY, indicators read in batches.
    pub(super) bulk: Option<Bulk>,
    /// The indicators of the rows written, checked all at once before commit (`value` has no
    /// foreign key on them: see `schema.rs`); in order of first write, each once.
    written_indicators: Vec<i64>,
    /// The same, to keep them unique.
    seen_indicators: HashSet<i64>,
    /// The rows this write pointed a `replaced_by` at (a void's own id aside), checked
    /// before commit like the indicators.
    link_targets: Vec<i64>,
    /// The statements of a write one row at a time, prepared on first use.
    insert: Option<Statement>,
    link: Option<Statement>,
    /// The log entry for the rows written ([`crate::store::ValueSink::journal`]).
    pub(super) journal: Option<crate::workflow::Journal>,
    /// Who the log names without a journal (the store's author).
    pub(super) author: String,
    /// The strategy in use when the write began, which the log entry names.
    pub(super) strategy: Option<String>,
}

const INSERT: &str = "INSERT INTO value (id, indicator_id, period, disaggregation, value, \
     numerator, denominator, note, source, recorded_by, recorded_at, kind, replaced_by) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
const LINK: &str = "UPDATE value SET replaced_by = $1 WHERE id = $2";

/// Move the identity sequence to `$1`, and say whether the rows written would break what a
/// foreign key would promise (`value` has none: see `schema.rs`): whether one of the indicator
/// ids `$2` is not in `indicator`, or one of the rows `$3` this write pointed a `replaced_by`
/// at is not in `value`. Each set-based, one primary-key probe per id, whatever the statistics
/// (a scan of `value` for `replaced_by` from the first new id on was planned as a sequential
/// scan right after a large import, before the table was analysed).
pub(super) const VERIFY: &str = "SELECT setval(pg_get_serial_sequence('value', 'id'), $1), \
     EXISTS (SELECT 1 FROM unnest($2::bigint[]) w(id) \
             WHERE NOT EXISTS (SELECT 1 FROM indicator i WHERE i.id = w.id)), \
     EXISTS (SELECT 1 FROM unnest($3::bigint[]) t(id) \
             WHERE NOT EXISTS (SELECT 1 FROM value n WHERE n.id = t.id))";

/// The current value of a key, or the void that ended it.
pub(super) const KEY_CURRENT: &str =
    "SELECT indicator_id, period, disaggregation, id, value, numerator, \
     denominator, note, source, recorded_by, recorded_at, kind, replaced_by FROM value \
     WHERE indicator_id = $1 AND period = $2 AND disaggregation = $3 \
     AND (replaced_by IS NULL OR replaced_by = id)";

/// Every row of a key's chain: the current value or the void that ended it, and back along
/// what each replaced.
pub(super) const KEY_HISTORY: &str = "WITH RECURSIVE chain(id) AS ( \
       SELECT id FROM value WHERE indicator_id = $1 AND period = $2 AND disaggregation = $3 \
       AND replaced_by IS NULL \
       UNION ALL \
       SELECT id FROM value WHERE indicator_id = $1 AND period = $2 AND disaggregation = $3 \
       AND replaced_by = id \
       UNION ALL \
       SELECT v.id FROM value v JOIN chain c ON v.replaced_by = c.id AND v.id <> c.id) \
     SELECT v.indicator_id, v.period, v.disaggregation, v.id, v.value, v.numerator, \
     v.denominator, v.note, v.source, v.recorded_by, v.recorded_at, v.kind, v.replaced_by \
     FROM chain c JOIN value v ON v.id = c.id";

/// The columns of a [`Row`] read back, after `indicator_id, period, disaggregation`.
pub(super) const ROW_COLUMNS: &str = "indicator_id, period, disaggregation, id, value, \
     numerator, denominator, note, source, recorded_by, recorded_at, kind, replaced_by";

impl<'a> PgSink<'a> {
    pub(super) fn new(mut tx: Transaction<'a>, bulk: bool, shown: String) -> Result<Self, Error> {
        let row = tx
            .query_one(
                "SELECT greatest((SELECT coalesce(max(id), 0) FROM value), \
                 coalesce(pg_sequence_last_value(pg_get_serial_sequence('value', 'id')::regclass), 0)), \
                 EXISTS (SELECT 1 FROM value)",
                &[],
            )
            .map_err(|e| super::map_err(e, CTX, &shown))?;
        let last: i64 = row.get(0);
        let any: bool = row.get(1);
        let bulk = if bulk {
            Some(Bulk::new(&mut tx, any, &shown)?)
        } else {
            None
        };
        Ok(PgSink {
            tx: RefCell::new(tx),
            shown,
            first_new_id: last + 1,
            next_id: last + 1,
            keys: HashMap::new(),
            texts: Interner::default(),
            bulk,
            written_indicators: Vec::new(),
            seen_indicators: HashSet::new(),
            link_targets: Vec::new(),
            insert: None,
            link: None,
            journal: None,
            author: crate::values::login_name(),
            strategy: None,
        })
    }

    pub(super) fn map_err(&self, e: postgres::Error) -> Error {
        super::map_err(e, CTX, &self.shown)
    }

    /// Write everything, check that the rows link up (their indicators exist, their
    /// corrections too), move the identity sequence past the ids handed out, and commit.
    pub(super) fn commit(mut self) -> Result<(), Error> {
        if let Some(mut bulk) = self.bulk.take() {
            bulk.merge(self.tx.get_mut(), &self.shown)?;
        }
        // Every link names a new row: nothing was linked unless something was written.
        if self.next_id > self.first_new_id {
            // One statement: a write one row at a time pays one round trip for it all.
            let row = self
                .tx
                .get_mut()
                .query_one(
                    VERIFY,
                    &[
                        &(self.next_id - 1),
                        &self.written_indicators,
                        &self.link_targets,
                    ],
                )
                .map_err(|e| super::map_err(e, CTX, &self.shown))?;
            let (unknown, dangling): (bool, bool) = (row.get(1), row.get(2));
            if unknown || dangling {
                // Only a bug can get here: ids come from `indicator`, links from this sink.
                return Err(Error::database_with_hint(
                    "could not record the values: they would not link up (an internal error); nothing was written",
                    "please report this",
                ));
            }
        }
        if self.next_id > self.first_new_id {
            // Ids were handed out one after another under the writers' lock, each to a row
            // written: this write wrote exactly these.
            super::workflow::finish_journal(
                self.tx.get_mut(),
                (self.first_new_id, self.next_id - 1),
                self.journal.as_ref(),
                &self.author,
                self.strategy.as_deref(),
                &self.shown,
            )?;
        }
        let shown = self.shown;
        self.tx
            .into_inner()
            .commit()
            .map_err(|e| super::map_err(e, CTX, &shown))
    }

    /// Make sure the rows of `v`'s key are known (with its whole history if `history`).
    fn load(&mut self, v: &NewValue<'_>, history: bool) -> Result<(), Error> {
        let (ind, period) = (v.indicator_id, v.period.key());
        if let Some(bulk) = &mut self.bulk {
            let fetched = bulk.ensure(self.tx.get_mut(), &self.shown, ind, history)?;
            for r in fetched {
                let keys = self.keys.entry((r.indicator_id, r.period)).or_default();
                add_stored(keys, r, &mut self.texts);
            }
            return Ok(());
        }
        let keys = self.keys.entry((ind, period)).or_default();
        let known = keys
            .iter()
            .find(|(d, _)| &**d == v.disaggregation)
            .map(|(_, state)| state.history);
        if known == Some(true) || (known.is_some() && !history) {
            return Ok(());
        }
        // Each through an index: the current value (`value_current`) or the void that ended
        // the key (`value_void`), and for the history the chain of what they replaced
        // (`value_replaced_by`). No index covers all rows of a key.
        let sql = if history { KEY_HISTORY } else { KEY_CURRENT };
        let rows = self
            .tx
            .get_mut()
            .query(sql, &[&ind, &period, &v.disaggregation])
            .map_err(|e| super::map_err(e, CTX, &self.shown))?;
        let keys = self.keys.entry((ind, period)).or_default();
        if known.is_none() {
            push_key(keys, v.disaggregation);
        }
        for r in rows {
            add_stored(keys, StoredRow::of(&r), &mut self.texts);
        }
        if let Some((_, state)) = keys.iter_mut().find(|(d, _)| &**d == v.disaggregation) {
            state.history = history;
        }
        Ok(())
    }

    /// The state of `v`'s key, read first if need be.
    pub(super) fn state(
        &mut self,
        v: &NewValue<'_>,
        history: bool,
    ) -> Result<&mut KeyState, Error> {
        self.load(v, history)?;
        let keys = self
            .keys
            .entry((v.indicator_id, v.period.key()))
            .or_default();
        let at = match keys.iter().position(|(d, _)| &**d == v.disaggregation) {
            Some(at) => at,
            None => {
                push_key(keys, v.disaggregation);
                keys.len() - 1
            }
        };
        Ok(&mut keys[at].1)
    }

    /// Point the row `old` at the row `new` (a correction, or a value following a void).
    pub(super) fn link(&mut self, old: i64, new: i64) -> Result<(), Error> {
        self.link_targets.push(new);
        if let Some(bulk) = &mut self.bulk {
            bulk.link(old, new);
            return Ok(());
        }
        if self.link.is_none() {
            self.link = Some(
                self.tx
                    .get_mut()
                    .prepare(LINK)
                    .map_err(|e| self.map_err(e))?,
            );
        }
        let stmt = self.link.as_ref().expect("prepared above");
        self.tx
            .get_mut()
            .execute(stmt, &[&new, &old])
            .map_err(|e| super::map_err(e, CTX, &self.shown))?;
        Ok(())
    }

    /// Write one new row.
    pub(super) fn write(&mut self, row: &NewRow<'_>) -> Result<(), Error> {
        if self.written_indicators.last() != Some(&row.indicator_id)
            && self.seen_indicators.insert(row.indicator_id)
        {
            self.written_indicators.push(row.indicator_id);
        }
        if let Some(bulk) = &mut self.bulk {
            return bulk.write(self.tx.get_mut(), &self.shown, row);
        }
        if self.insert.is_none() {
            self.insert = Some(
                self.tx
                    .get_mut()
                    .prepare(INSERT)
                    .map_err(|e| self.map_err(e))?,
            );
        }
        let stmt = self.insert.as_ref().expect("prepared above");
        let kind = row.kind.as_str();
        self.tx
            .get_mut()
            .execute(
                stmt,
                &[
                    &row.id,
                    &row.indicator_id,
                    &row.period,
                    &row.disaggregation,
                    &row.value,
                    &row.parts.map(|p| p.0),
                    &row.parts.map(|p| p.1),
                    &row.note,
                    &row.source,
                    &row.by,
                    &row.at,
                    &kind,
                    &row.replaced_by,
                ],
            )
            .map_err(|e| super::map_err(e, CTX, &self.shown))?;
        Ok(())
    }

    /// Add `v` as a new row of its key: after the current value `replaces` (a correction), or
    /// as the first value (following a void that ended the key, if any). Returns its id and
    /// whether it followed a void.
    pub(super) fn add(
        &mut self,
        v: &NewValue<'_>,
        replaces: Option<Row>,
    ) -> Result<(i64, bool), Error> {
        super::decide::storable(v)?;
        let id = self.next_id;
        self.next_id += 1;
        let open_void = self.state(v, false)?.open_void;
        if let Some(old) = &replaces {
            self.link(old.id, id)?;
        } else if let Some(void) = open_void {
            self.link(void, id)?;
        }
        self.write(&NewRow {
            id,
            indicator_id: v.indicator_id,
            period: v.period.key(),
            disaggregation: v.disaggregation,
            value: v.value,
            parts: v.parts,
            note: v.note,
            source: v.source,
            by: v.recorded_by,
            at: v.recorded_at,
            kind: v.kind,
            replaced_by: None,
        })?;
        let row = Row {
            id,
            value: v.value,
            parts: v.parts,
            note: v.note.map(Into::into),
            source: v.source.map(Into::into),
            by: self.texts.by(v.recorded_by),
            at: self.texts.at(v.recorded_at),
        };
        let state = self.state(v, false)?;
        if let Some(old) = state.current.replace(row) {
            state.older.push(old);
        }
        let followed = replaces.is_none() && state.open_void.take().is_some();
        Ok((id, followed))
    }
}

/// A row as read from the `value` table ([`ROW_COLUMNS`]).
pub(super) struct StoredRow {
    pub indicator_id: i64,
    pub period: i64,
    pub disaggregation: String,
    pub id: i64,
    pub value: f64,
    pub parts: Option<(f64, f64)>,
    pub note: Option<String>,
    pub source: Option<String>,
    pub by: String,
    pub at: String,
    pub replaced_by: Option<i64>,
}

impl StoredRow {
    pub(super) fn of(r: &postgres::Row) -> StoredRow {
        let n: Option<f64> = r.get(5);
        let d: Option<f64> = r.get(6);
        StoredRow {
            indicator_id: r.get(0),
            period: r.get(1),
            disaggregation: r.get(2),
            id: r.get(3),
            value: r.get(4),
            parts: n.zip(d),
            note: r.get(7),
            source: r.get(8),
            by: r.get(9),
            at: r.get(10),
            replaced_by: r.get(12),
        }
    }
}

/// Add a key to the keys of its (indicator, period). Most have one key (the total): room for
/// exactly one, not the four a vector starts with, keeps a bulk import's memory down.
fn push_key(keys: &mut Keys, disaggregation: &str) {
    keys.reserve_exact(1);
    keys.push((disaggregation.into(), KeyState::default()));
}

/// Put a row read from the database in its key's state.
fn add_stored(keys: &mut Keys, r: StoredRow, texts: &mut Interner) {
    let at = match keys.iter().position(|(d, _)| **d == *r.disaggregation) {
        Some(at) => at,
        None => {
            push_key(keys, &r.disaggregation);
            keys.len() - 1
        }
    };
    let state = &mut keys[at].1;
    let known = |row: &Row| row.id == r.id;
    if state.current.iter().chain(&state.older).any(known) {
        // Already known (the sink wrote it, or read it with the current values).
        return;
    }
    let row = Row {
        id: r.id,
        value: r.value,
        parts: r.parts,
        note: r.note.map(Into::into),
        source: r.source.map(Into::into),
        by: texts.by(&r.by),
        at: texts.at(&r.at),
    };
    match r.replaced_by {
        None => state.current = Some(row),
        Some(by) => {
            if by == r.id {
                state.open_void = Some(r.id);
            }
            state.older.push(row);
        }
    }
}
