//! Voids and explanations: the two kinds of history row that are not a newly measured value.
//!
//! An explanation is written like a correction (the same value, the deviation narrative as its
//! note) and marked `explanation`. A void ends the current value of its key: the current value
//! points at the void row, and the void row, until a value is recorded again, points at itself,
//! so the key has no current value while the voided one stays in the history. Recording again
//! points the void at the new value, so every key's history stays one chain.

use crate::store::period_key::PeriodKey;
use rusqlite::{params, OptionalExtension};

use super::super::map_err;
use super::writer::CTX;
use super::{Imported, NewValue, Replaced, ValueWriter};
use crate::error::Error;

/// What a stored row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kind {
    /// A recorded value (the first of its key, or a correction).
    #[default]
    Value,
    /// The deviation narrative for the current value, kept as its note.
    Explanation,
    /// The end of the current value; the note says why.
    Void,
}

impl Kind {
    /// The word stored in the database and written in exports.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Value => "value",
            Kind::Explanation => "explanation",
            Kind::Void => "void",
        }
    }

    /// The kind a stored or exported word names.
    pub fn parse(word: &str) -> Option<Kind> {
        match word {
            "value" => Some(Kind::Value),
            "explanation" => Some(Kind::Explanation),
            "void" => Some(Kind::Void),
            _ => None,
        }
    }
}

impl ValueWriter<'_> {
    /// The current value of `v`'s key, if any.
    fn current_of(&mut self, v: &NewValue<'_>) -> Result<Option<Replaced>, Error> {
        self.current
            .query_row(
                params![v.indicator_id, v.period.key(), v.disaggregation],
                |r| {
                    Ok(Replaced {
                        id: r.get(0)?,
                        value: r.get(1)?,
                        parts: super::writer::parts(r, 6)?,
                        recorded_by: r.get(4)?,
                        recorded_at: r.get(5)?,
                    })
                },
            )
            .optional()
            .map_err(|e| map_err(e, CTX))
    }

    /// End the current value of `v`'s key with a void row (its note, who and when from `v`;
    /// its value the voided one). `None` if the key has no current value; nothing is written.
    pub fn void(&mut self, v: &NewValue<'_>) -> Result<Option<Replaced>, Error> {
        let Some(old) = self.current_of(v)? else {
            return Ok(None);
        };
        let id = self.next_id;
        self.replace_id
            .execute(params![id, old.id])
            .map_err(|e| map_err(e, CTX))?;
        self.conn
            .prepare_cached(
                "INSERT INTO value (id, indicator_id, period, disaggregation, value, note, \
                 source, recorded_by, recorded_at, replaced_by, kind, numerator, denominator) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7, ?8, ?1, 'void', ?9, ?10)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    id,
                    v.indicator_id,
                    v.period.key(),
                    v.disaggregation,
                    old.value,
                    v.note,
                    v.recorded_by,
                    v.recorded_at,
                    old.parts.map(|p| p.0),
                    old.parts.map(|p| p.1)
                ])
            })
            .map_err(|e| map_err(e, CTX))?;
        self.next_id += 1;
        self.indicators.insert(v.indicator_id);
        self.open_voids = true;
        Ok(Some(old))
    }

    /// A void row of an import: already in the history, or it ends the current value. A void
    /// with no current value to end is refused.
    pub(super) fn import_void(&mut self, v: &NewValue<'_>, dated: bool) -> Result<Imported, Error> {
        if dated && self.in_history(v)? {
            return Ok(Imported::AlreadyRecorded);
        }
        // A void row carries the value it ends (and its ratio parts); another value would not
        // come back out the same.
        if let Some(current) = self.current_of(v)? {
            if current.value != v.value {
                return Err(Error::input(format!(
                    "a `void` row has the value {}, but the current value it would end is {}; a void row carries the value it ends",
                    v.value, current.value
                )));
            }
            if current.parts != v.parts {
                let shown = |p: Option<(f64, f64)>| match p {
                    Some((n, d)) => format!("{n} / {d}"),
                    None => "none".to_string(),
                };
                return Err(Error::input(format!(
                    "a `void` row has the numerator and denominator {}, but the current value it would end has {}; a void row carries the value it ends",
                    shown(v.parts),
                    shown(current.parts)
                )));
            }
        }
        match self.void(v)? {
            Some(_) => Ok(Imported::Corrected {
                id: self.next_id - 1,
            }),
            None => Err(Error::input(
                "a `void` row has no current value to end; a void must follow the value it ends",
            )),
        }
    }

    /// Point a void that ended `v`'s key at the value just inserted for it (the id before
    /// `next_id`), so the history stays one chain.
    pub(super) fn follow_void(&mut self, v: &NewValue<'_>) -> Result<bool, Error> {
        let changed = self
            .conn
            .prepare_cached(
                "UPDATE value INDEXED BY value_void SET replaced_by = ?1 WHERE indicator_id = ?2 \
                 AND period = ?3 AND disaggregation = ?4 AND replaced_by = id",
            )
            .and_then(|mut s| {
                s.execute(params![
                    self.next_id - 1,
                    v.indicator_id,
                    v.period.key(),
                    v.disaggregation
                ])
            })
            .map_err(|e| map_err(e, CTX))?;
        Ok(changed > 0)
    }
}

impl super::Store {
    /// Whether the newest definition of an indicator has a baseline or targets, all of them
    /// zero or more: then a negative value is most likely a typo.
    pub fn never_negative(&self, indicator_id: i64) -> Result<bool, Error> {
        let ctx = "read the indicator's baseline and targets";
        self.conn
            .prepare_cached(
                "SELECT (d.baseline_value IS NOT NULL OR EXISTS \
                   (SELECT 1 FROM target t WHERE t.def_id = d.id)) \
                 AND coalesce(d.baseline_value, 0) >= 0 \
                 AND NOT EXISTS (SELECT 1 FROM target t WHERE t.def_id = d.id AND t.value < 0) \
                 FROM indicator_def d WHERE d.indicator_id = ?1 \
                 ORDER BY d.version_id DESC LIMIT 1",
            )
            .and_then(|mut s| s.query_row([indicator_id], |r| r.get(0)).optional())
            .map(|found| found.unwrap_or(false))
            .map_err(|e| map_err(e, ctx))
    }
}

impl ValueWriter<'_> {
    /// The value that the value `id` corrected (replaced), if any.
    pub fn corrected_by(&self, id: i64) -> Result<Option<i64>, Error> {
        self.conn
            .prepare_cached("SELECT id FROM value WHERE replaced_by = ?1 AND id != ?1")
            .and_then(|mut s| s.query_row([id], |r| r.get(0)).optional())
            .map_err(|e| map_err(e, CTX))
    }

    /// The id of the current value of `v`'s (indicator, period, disaggregation), if any.
    pub fn current_id(&self, v: &NewValue<'_>) -> Result<Option<i64>, Error> {
        self.conn
            .prepare_cached(
                "SELECT id FROM value WHERE indicator_id = ?1 AND period = ?2 \
                 AND disaggregation = ?3 AND replaced_by IS NULL",
            )
            .and_then(|mut s| {
                s.query_row(
                    params![v.indicator_id, v.period.key(), v.disaggregation],
                    |r| r.get(0),
                )
                .optional()
            })
            .map_err(|e| map_err(e, CTX))
    }

    /// The current value of a key and its ratio parts, if it has one.
    #[allow(clippy::type_complexity)]
    pub fn current_value(
        &mut self,
        indicator_id: i64,
        period: crate::period::FiscalPeriod,
        disaggregation: &str,
    ) -> Result<Option<(f64, Option<(f64, f64)>)>, Error> {
        self.current
            .query_row(params![indicator_id, period.key(), disaggregation], |r| {
                Ok((r.get(1)?, super::writer::parts(r, 6)?))
            })
            .optional()
            .map_err(|e| map_err(e, CTX))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{store_with_indicator, value};
    use super::super::{StoredValue, ValueQuery};
    use super::*;

    fn history(store: &super::super::Store) -> Vec<StoredValue> {
        let mut all = Vec::new();
        let q = ValueQuery {
            include_replaced: true,
            ..ValueQuery::default()
        };
        store
            .each_value(&q, |v| {
                all.push(v);
                Ok(())
            })
            .unwrap();
        all
    }

    /// A void of the value 1 (a void row carries the value it ends).
    fn void<'a>(id: i64, reason: &'a str) -> NewValue<'a> {
        NewValue {
            note: Some(reason),
            kind: Kind::Void,
            recorded_at: "2026-01-16T12:00:00.000000Z",
            ..value(id, 1.0, None)
        }
    }

    #[test]
    fn void_then_record_keeps_one_chain() {
        let (mut store, id) = store_with_indicator();
        store
            .write_values(false, |w| w.put(&value(id, 1.0, None)))
            .unwrap();
        let old = store
            .write_values(false, |w| w.void(&void(id, "typo")))
            .unwrap();
        assert_eq!(old.map(|o| (o.id, o.value)), Some((1, 1.0)));
        // Nothing current; the void keeps the voided value and points at itself.
        assert!(store
            .write_values(false, |w| w.current_value(
                id,
                value(id, 0.0, None).period,
                ""
            ))
            .unwrap()
            .is_none());
        let h = history(&store);
        assert_eq!(
            h.iter()
                .map(|v| (v.id, v.kind, v.value, v.replaced_by))
                .collect::<Vec<_>>(),
            [
                (1, Kind::Value, 1.0, Some(2)),
                (2, Kind::Void, 1.0, Some(2))
            ]
        );
        // Nothing to void now.
        assert!(store
            .write_values(false, |w| w.void(&void(id, "again")))
            .unwrap()
            .is_none());
        // Record again: the void now points at the new value, which is current.
        let again = NewValue {
            recorded_at: "2026-01-17T12:00:00.000000Z",
            ..value(id, 3.0, None)
        };
        store.write_values(false, |w| w.put(&again)).unwrap();
        let h = history(&store);
        assert_eq!(
            h.iter().map(|v| (v.id, v.replaced_by)).collect::<Vec<_>>(),
            [(1, Some(2)), (2, Some(3)), (3, None)]
        );
        // The whole chain is history: re-importing any of its rows changes nothing.
        for v in [value(id, 1.0, None), void(id, "typo"), again] {
            let imported = store.write_values(true, |w| w.import(&v, true)).unwrap();
            assert_eq!(imported, Imported::AlreadyRecorded, "{v:?}");
        }
        assert_eq!(history(&store).len(), 3);
    }

    #[test]
    fn a_value_voided_last_is_not_brought_back_by_reimporting_it() {
        let (mut store, id) = store_with_indicator();
        store
            .write_values(false, |w| w.put(&value(id, 1.0, None)))
            .unwrap();
        store
            .write_values(false, |w| w.void(&void(id, "typo")))
            .unwrap();
        let imported = store
            .write_values(true, |w| w.import(&value(id, 1.0, None), true))
            .unwrap();
        assert_eq!(imported, Imported::AlreadyRecorded);
        assert_eq!(history(&store).len(), 2);
    }
}
