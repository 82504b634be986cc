//! Writing values: one [`ValueWriter`] per write transaction.
//!
//! A new value is one plain `INSERT` (no statement journal, nothing returned). A correction
//! points the current value's `replaced_by` at the id the new value is about to get, which
//! takes it out of the unique "current" index, then inserts the new value with that id; the
//! foreign key is deferred to the commit (a bulk write checks its links itself instead), and
//! the partial index on `replaced_by` keeps that check cheap. The writer predicts ids itself:
//! it holds the write lock, and SQLite gives a new row one more than the largest id. Text
//! parameters that repeat from row to row are bound once.

use crate::store::period_key::PeriodKey;
use std::collections::HashSet;

use rusqlite::{params, CachedStatement, Connection, OptionalExtension};

use super::super::map_err;
use crate::error::Error;
use crate::period::FiscalPeriod;

use super::keep::Inherited;
pub use super::keep::Keep;
pub use super::marks::Kind;

/// A value about to be written; the caller has validated it.
#[derive(Debug, Clone, Copy)]
pub struct NewValue<'a> {
    /// The indicator's store id (see [`Store::indicator_ids`]).
    pub indicator_id: i64,
    pub period: FiscalPeriod,
    /// Canonical disaggregation, `""` for the total.
    pub disaggregation: &'a str,
    pub value: f64,
    /// A ratio indicator's numerator and denominator, which `value` was computed from.
    pub parts: Option<(f64, f64)>,
    pub note: Option<&'a str>,
    pub source: Option<&'a str>,
    pub recorded_by: &'a str,
    /// UTC, as [`crate::clock::now_utc`] writes it.
    pub recorded_at: &'a str,
    /// Which of `note` and `source`, when `None`, were left unsaid rather than removed.
    pub keep: Keep,
    /// What the row is: a value, an explanation or a void.
    pub kind: Kind,
}

/// The value a correction replaced.
#[derive(Debug, Clone, PartialEq)]
pub struct Replaced {
    pub id: i64,
    pub value: f64,
    /// Its numerator and denominator, for a ratio value.
    pub parts: Option<(f64, f64)>,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// What writing one value did.
#[derive(Debug, Clone, PartialEq)]
pub enum Written {
    /// There was no value for this (indicator, period, disaggregation).
    Added { id: i64 },
    /// The new value replaced the current one, which is kept.
    Corrected { id: i64, old: Replaced },
    /// The current value already has this value, note and source; nothing was written.
    Unchanged,
}

/// What [`ValueWriter::import`] did: [`Written`] without the replaced value's details.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imported {
    Added {
        id: i64,
    },
    Corrected {
        id: i64,
    },
    /// Identical to the current value.
    Unchanged,
    /// Exactly this value, recorded by the same person at the same time, is already in the
    /// history (current or corrected).
    AlreadyRecorded,
}

/// Writes values inside the transaction of [`crate::store::Store::write_values`].
///
/// A correction points the current value's `replaced_by` at the id the new value is about to
/// get, which takes it out of the unique "current" index, then inserts the new value with that
/// id (the foreign key is checked at commit). The writer hands out ids itself: it holds the
/// write lock, so nobody else inserts meanwhile.
pub struct ValueWriter<'c> {
    pub(in crate::store) conn: &'c Connection,
    add: CachedStatement<'c>,
    replace: CachedStatement<'c>,
    pub(super) current: CachedStatement<'c>,
    pub(super) replace_id: CachedStatement<'c>,
    /// The text parameters of `add` (5..=8) and `replace` (6..=7), with what is bound to them.
    add_texts: [TextParam; 4],
    replace_texts: [TextParam; 2],
    first_new_id: i64,
    pub(super) next_id: i64,
    /// The indicator ids written (checked before a bulk write commits).
    pub(super) indicators: HashSet<i64>,
    /// Whether a key may end in a void (see [`Kind::Void`]): then a new value links it.
    pub(super) open_voids: bool,
    /// Whether the last value inserted followed a void (which now points at it).
    followed: bool,
    /// The kind bound to `add` (bindings survive between executions).
    kind_bound: Option<Kind>,
    last_indicator: i64,
    /// Whether the last value imported was new: then the next one is tried as new first.
    expect_new: bool,
    /// The log entry for the values written ([`crate::store::ValueSink::journal`]).
    pub(in crate::store) journal: Option<crate::workflow::Journal>,
    /// Who the log names without a journal.
    pub(in crate::store) author: String,
}

/// A text parameter and the text bound to it.
struct TextParam {
    index: usize,
    bound: bool,
    last: Option<String>,
}

impl TextParam {
    fn new(index: usize) -> Self {
        TextParam {
            index,
            bound: false,
            last: None,
        }
    }

    /// Bind `text` unless it is bound already. Bindings survive between executions, so text
    /// that repeats from row to row (who, when, the source) is copied into SQLite once.
    fn bind(&mut self, stmt: &mut CachedStatement<'_>, text: Option<&str>) -> Result<(), Error> {
        if self.bound && self.last.as_deref() == text {
            return Ok(());
        }
        stmt.raw_bind_parameter(self.index, text)
            .map_err(|e| map_err(e, CTX))?;
        self.bound = true;
        match (text, &mut self.last) {
            (Some(t), Some(last)) => {
                last.clear();
                last.push_str(t);
            }
            (t, last) => *last = t.map(str::to_string),
        }
        Ok(())
    }
}

pub(super) const CTX: &str = "record the values";

/// The numerator and denominator in columns `at` and `at + 1` of a value row: both or none.
pub(super) fn parts(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Option<(f64, f64)>> {
    let n: Option<f64> = r.get(at)?;
    let d: Option<f64> = r.get(at + 1)?;
    Ok(n.zip(d))
}

fn bind(r: rusqlite::Result<()>) -> Result<(), Error> {
    r.map_err(|e| map_err(e, CTX))
}

impl<'c> ValueWriter<'c> {
    pub(super) fn new(conn: &'c Connection) -> Result<Self, Error> {
        let prepare = |sql: &str| conn.prepare_cached(sql).map_err(|e| map_err(e, CTX));
        let add = prepare(
            "INSERT INTO value (indicator_id, period, disaggregation, value, note, source, \
             recorded_by, recorded_at, kind, numerator, denominator) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) \
             ON CONFLICT DO NOTHING",
        )?;
        // Replace the current value if it differs (in its value or its ratio parts, ?10 and
        // ?11); `changes()` says whether it did. A kept (unsaid) note or source (?8, ?9) does
        // not make the same value differ.
        let replace = prepare(
            "UPDATE value SET replaced_by = ?1 WHERE indicator_id = ?2 AND period = ?3 \
             AND disaggregation = ?4 AND replaced_by IS NULL \
             AND (value IS NOT ?5 OR numerator IS NOT ?10 OR denominator IS NOT ?11 \
             OR (NOT ?8 AND note IS NOT ?6) OR (NOT ?9 AND source IS NOT ?7))",
        )?;
        let current = prepare(
            "SELECT id, value, note, source, recorded_by, recorded_at, numerator, denominator \
             FROM value \
             WHERE indicator_id = ?1 AND period = ?2 AND disaggregation = ?3 \
             AND replaced_by IS NULL",
        )?;
        let replace_id = prepare("UPDATE value SET replaced_by = ?1 WHERE id = ?2")?;
        let first_new_id: i64 = conn
            .query_row("SELECT coalesce(max(id), 0) + 1 FROM value", [], |r| {
                r.get(0)
            })
            .map_err(|e| map_err(e, CTX))?;
        let open_voids: bool = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM value INDEXED BY value_void WHERE replaced_by = id)",
                [],
                |r| r.get(0),
            )
            .map_err(|e| map_err(e, CTX))?;
        Ok(ValueWriter {
            conn,
            add,
            replace,
            current,
            replace_id,
            add_texts: [5, 6, 7, 8].map(TextParam::new),
            replace_texts: [6, 7].map(TextParam::new),
            first_new_id,
            next_id: first_new_id,
            indicators: HashSet::new(),
            open_voids,
            followed: false,
            kind_bound: None,
            last_indicator: 0,
            expect_new: true,
            journal: None,
            author: String::new(),
        })
    }

    /// Insert `v` unless the key has a current value; whether it did. The new row gets the id
    /// `next_id`: SQLite gives a new row one more than the largest id.
    fn insert(&mut self, v: &NewValue<'_>) -> Result<bool, Error> {
        let s = &mut self.add;
        bind(s.raw_bind_parameter(1, v.indicator_id))?;
        bind(s.raw_bind_parameter(2, v.period.key()))?;
        bind(s.raw_bind_parameter(3, v.disaggregation))?;
        bind(s.raw_bind_parameter(4, v.value))?;
        bind(s.raw_bind_parameter(10, v.parts.map(|p| p.0)))?;
        bind(s.raw_bind_parameter(11, v.parts.map(|p| p.1)))?;
        let texts = [v.note, v.source, Some(v.recorded_by), Some(v.recorded_at)];
        for (param, text) in self.add_texts.iter_mut().zip(texts) {
            param.bind(s, text)?;
        }
        if self.kind_bound != Some(v.kind) {
            bind(s.raw_bind_parameter(9, v.kind.as_str()))?;
            self.kind_bound = Some(v.kind);
        }
        if s.raw_execute().map_err(|e| map_err(e, CTX))? == 0 {
            return Ok(false);
        }
        if v.indicator_id != self.last_indicator {
            self.last_indicator = v.indicator_id;
            self.indicators.insert(v.indicator_id);
        }
        if self.conn.last_insert_rowid() != self.next_id {
            return Err(Error::database(
                "could not record the values: the database handed out an unexpected id",
            ));
        }
        self.next_id += 1;
        self.followed = self.open_voids && self.follow_void(v)?;
        Ok(true)
    }

    /// Point the current value of `v`'s key at the next id if it differs from `v`: `None` if it
    /// did not, else the texts the correction inherits. (One update by key: with foreign keys
    /// enforced, SQLite would give it a statement journal, which is why a bulk write checks its
    /// links itself; see [`Self::verify`].)
    fn replace_if_different(&mut self, v: &NewValue<'_>) -> Result<Option<Inherited>, Error> {
        let s = &mut self.replace;
        bind(s.raw_bind_parameter(1, self.next_id))?;
        bind(s.raw_bind_parameter(2, v.indicator_id))?;
        bind(s.raw_bind_parameter(3, v.period.key()))?;
        bind(s.raw_bind_parameter(4, v.disaggregation))?;
        bind(s.raw_bind_parameter(5, v.value))?;
        bind(s.raw_bind_parameter(10, v.parts.map(|p| p.0)))?;
        bind(s.raw_bind_parameter(11, v.parts.map(|p| p.1)))?;
        for (param, text) in self.replace_texts.iter_mut().zip([v.note, v.source]) {
            param.bind(s, text)?;
        }
        bind(s.raw_bind_parameter(8, v.keeps_note()))?;
        bind(s.raw_bind_parameter(9, v.keeps_source()))?;
        if s.raw_execute().map_err(|e| map_err(e, CTX))? == 0 {
            return Ok(None);
        }
        if v.keeps_note() == v.keeps_source() {
            // Both kept: only a different value is replaced, and it inherits nothing. Neither
            // kept: nothing to inherit. (`UPDATE ... RETURNING` would save this branch's read,
            // but cost every correction a third more CPU.)
            return Ok(Some(Inherited::default()));
        }
        let inherited = self
            .conn
            .prepare_cached(
                "SELECT value, note, source, numerator, denominator FROM value \
                 WHERE replaced_by = ?1",
            )
            .and_then(|mut s| {
                s.query_row([self.next_id], |r| {
                    Inherited::of(v, r.get(0)?, parts(r, 3)?, || r.get(1), || r.get(2))
                })
            })
            .map_err(|e| map_err(e, CTX))?;
        Ok(Some(inherited))
    }

    /// Insert the correction of a value just marked as replaced, with the texts it inherits.
    fn insert_correction(&mut self, v: &NewValue<'_>, inherited: &Inherited) -> Result<i64, Error> {
        let merged = NewValue {
            note: if v.keeps_note() {
                inherited.note.as_deref()
            } else {
                v.note
            },
            source: if v.keeps_source() {
                inherited.source.as_deref()
            } else {
                v.source
            },
            ..*v
        };
        self.insert_exact_correction(&merged)
    }

    fn insert_exact_correction(&mut self, v: &NewValue<'_>) -> Result<i64, Error> {
        let id = self.next_id;
        if !self.insert(v)? {
            return Err(Error::database(
                "could not record the values: the current value did not make way for its correction",
            ));
        }
        Ok(id)
    }

    /// Record one value in as few statements as the file allows: a run of new values costs
    /// one insert each, a run of corrections one update and one insert each.
    ///
    /// `dated` says the value carries its own `recorded_at` (a row of an export): if exactly
    /// this value (with who recorded it and when) is already in the history of its indicator,
    /// period and disaggregation, it is not recorded again, so re-importing an export changes
    /// nothing and an older export does not undo later corrections.
    pub fn import(&mut self, v: &NewValue<'_>, dated: bool) -> Result<Imported, Error> {
        if v.kind == Kind::Void {
            return self.import_void(v, dated);
        }
        let outcome = if dated && self.open_voids && self.in_history(v)? {
            Imported::AlreadyRecorded
        } else if self.expect_new || dated {
            let id = self.next_id;
            if self.insert(v)? {
                Imported::Added { id }
            } else if dated && self.in_history(v)? {
                Imported::AlreadyRecorded
            } else if let Some(inherited) = self.replace_if_different(v)? {
                Imported::Corrected {
                    id: self.insert_correction(v, &inherited)?,
                }
            } else {
                Imported::Unchanged
            }
        } else if let Some(inherited) = self.replace_if_different(v)? {
            Imported::Corrected {
                id: self.insert_correction(v, &inherited)?,
            }
        } else {
            let id = self.next_id;
            if self.insert(v)? {
                Imported::Added { id }
            } else {
                Imported::Unchanged
            }
        };
        self.expect_new = matches!(outcome, Imported::Added { .. });
        Ok(match outcome {
            // A value after a void takes its place in the chain, as a correction does.
            Imported::Added { id } if self.followed => Imported::Corrected { id },
            other => other,
        })
    }

    /// Whether exactly `v` (value, note, source, who and when) is the current value of its key
    /// or one it replaced, walking back the chain of corrections.
    pub(super) fn in_history(&self, v: &NewValue<'_>) -> Result<bool, Error> {
        self.conn
            .prepare_cached(
                "WITH RECURSIVE chain(id) AS ( \
                   SELECT id FROM value WHERE indicator_id = ?1 AND period = ?2 \
                   AND disaggregation = ?3 AND replaced_by IS NULL \
                   UNION ALL \
                   SELECT id FROM value INDEXED BY value_void WHERE indicator_id = ?1 \
                   AND period = ?2 AND disaggregation = ?3 AND replaced_by = id \
                   UNION ALL \
                   SELECT v.id FROM value v JOIN chain c ON v.replaced_by = c.id \
                   AND v.id != c.id) \
                 SELECT EXISTS (SELECT 1 FROM chain c JOIN value v ON v.id = c.id \
                   WHERE v.value = ?4 AND v.note IS ?5 AND v.source IS ?6 \
                   AND v.recorded_by = ?7 AND v.recorded_at = ?8 \
                   AND v.numerator IS ?9 AND v.denominator IS ?10)",
            )
            .and_then(|mut s| {
                s.query_row(
                    params![
                        v.indicator_id,
                        v.period.key(),
                        v.disaggregation,
                        v.value,
                        v.note,
                        v.source,
                        v.recorded_by,
                        v.recorded_at,
                        v.parts.map(|p| p.0),
                        v.parts.map(|p| p.1)
                    ],
                    |r| r.get(0),
                )
            })
            .map_err(|e| map_err(e, CTX))
    }

    /// Record one value and say what it replaced, if anything.
    pub fn put(&mut self, v: &NewValue<'_>) -> Result<Written, Error> {
        let current = self
            .current
            .query_row(
                params![v.indicator_id, v.period.key(), v.disaggregation],
                |r| {
                    let note: Option<String> = r.get(2)?;
                    let source: Option<String> = r.get(3)?;
                    let value: f64 = r.get(1)?;
                    let parts = parts(r, 6)?;
                    let same = value == v.value
                        && parts == v.parts
                        && (v.keeps_note() || note.as_deref() == v.note)
                        && (v.keeps_source() || source.as_deref() == v.source);
                    let inherited = Inherited::of(
                        v,
                        value,
                        parts,
                        || Ok::<_, rusqlite::Error>(note),
                        || Ok(source),
                    )?;
                    Ok((
                        Replaced {
                            id: r.get(0)?,
                            value,
                            parts,
                            recorded_by: r.get(4)?,
                            recorded_at: r.get(5)?,
                        },
                        same,
                        inherited,
                    ))
                },
            )
            .optional()
            .map_err(|e| map_err(e, CTX))?;
        match current {
            None => {
                let id = self.next_id;
                if !self.insert(v)? {
                    return Err(Error::database(
                        "could not record the value: another value appeared meanwhile",
                    ));
                }
                Ok(Written::Added { id })
            }
            Some((_, true, _)) => Ok(Written::Unchanged),
            Some((old, false, inherited)) => {
                self.replace_id
                    .execute(params![self.next_id, old.id])
                    .map_err(|e| map_err(e, CTX))?;
                let id = self.insert_correction(v, &inherited)?;
                Ok(Written::Corrected { id, old })
            }
        }
    }

    /// Check the links this writer made, for a bulk write that ran without foreign-key
    /// enforcement: every value it marked as replaced points at a stored value, and every
    /// indicator id it used exists.
    pub(super) fn verify(&self) -> Result<(), Error> {
        let dangling: bool = self
            .conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM value o WHERE o.replaced_by >= ?1 \
                 AND NOT EXISTS (SELECT 1 FROM value n WHERE n.id = o.replaced_by))",
                [self.first_new_id],
                |r| r.get(0),
            )
            .map_err(|e| map_err(e, CTX))?;
        let mut known = self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM indicator WHERE id = ?1)")
            .map_err(|e| map_err(e, CTX))?;
        let mut unknown = false;
        for id in &self.indicators {
            let exists: bool = known
                .query_row([id], |r| r.get(0))
                .map_err(|e| map_err(e, CTX))?;
            unknown |= !exists;
        }
        if dangling || unknown {
            return Err(Error::database_with_hint(
                "could not record the values: they would not link up (an internal error); nothing was written",
                "please report this",
            ));
        }
        Ok(())
    }

    /// Whether a value id was written by this writer (rather than being there before).
    pub fn is_new(&self, id: i64) -> bool {
        id >= self.first_new_id
    }

    /// Log what this writer wrote (see [`crate::store::ValueSink::journal`]).
    pub(in crate::store) fn finish(&self, strategy: Option<&str>) -> Result<(), Error> {
        crate::store::workflow::finish_journal(
            self.conn,
            self.first_new_id,
            self.journal.as_ref(),
            &self.author,
            strategy,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{store_with_indicator, value};
    use super::*;

    #[test]
    fn a_bulk_write_with_a_dangling_link_is_refused() {
        let (mut store, id) = store_with_indicator();
        store
            .write_values(true, |w| w.import(&value(id, 1.0, None), false))
            .unwrap();
        let err = store
            .write_values(true, |w| {
                w.import(&value(id, 2.0, None), false)?;
                // What a bug could do: point the replaced value at a value that does not exist.
                w.conn
                    .execute("UPDATE value SET replaced_by = 99 WHERE id = 1", [])
                    .unwrap();
                Ok(())
            })
            .unwrap_err();
        assert!(err.to_string().contains("would not link up"), "{err}");
        // Rolled back: the first value is still the only one, and current.
        let again = store
            .write_values(false, |w| w.put(&value(id, 1.0, None)))
            .unwrap();
        assert_eq!(again, Written::Unchanged);
    }
}
