//! What each row written through the PostgreSQL sink does, by the SQLite writer's rules
//! (`store/values/writer.rs`, `marks.rs`, `keep.rs`): added, a correction (inheriting the
//! texts it leaves unsaid when its value is the same), unchanged, already in the history, a
//! void; decided against the rows of its key that [`PgSink`] keeps (`sink.rs`).

use super::sink::{NewRow, PgSink, Row};
use super::values::CTX;
use std::collections::HashMap;

use crate::error::Error;
use crate::framework::Framework;
use crate::period::FiscalPeriod;
use crate::store::period_key::PeriodKey;
use crate::store::{Imported, Kind, NewValue, Replaced, SaveOutcome, ValueSink, Written};

impl PgSink<'_> {
    /// `v` with the texts it leaves unsaid taken from the current value `current` when its value
    /// is the same (the rule of `store/values/keep.rs`).
    fn merged<'v>(v: &NewValue<'v>, current: &'v Row) -> NewValue<'v> {
        let same = current.value == v.value && current.parts == v.parts;
        NewValue {
            note: if keeps_note(v) && same {
                current.note.as_deref()
            } else {
                v.note
            },
            source: if keeps_source(v) && same {
                current.source.as_deref()
            } else {
                v.source
            },
            ..*v
        }
    }

    /// Record `v` after the current value `current`, which differs from it.
    fn correct(&mut self, v: &NewValue<'_>, current: Row) -> Result<i64, Error> {
        // Owned: `current` moves into the new row's link.
        let inherited = Self::merged(v, &current);
        let (note, source) = (
            inherited.note.map(str::to_string),
            inherited.source.map(str::to_string),
        );
        let merged = NewValue {
            note: note.as_deref(),
            source: source.as_deref(),
            ..*v
        };
        let (id, _) = self.add(&merged, Some(current))?;
        Ok(id)
    }
}

/// Refuse texts PostgreSQL cannot store (checked before anything of the row is written).
pub(super) fn storable(v: &NewValue<'_>) -> Result<(), Error> {
    let texts = [v.disaggregation, v.recorded_by, v.recorded_at];
    if texts
        .into_iter()
        .chain(v.note)
        .chain(v.source)
        .any(|t| t.contains('\0'))
    {
        return Err(Error::input(
            "a text holds a NUL character (\\0), which a PostgreSQL database cannot store",
        ));
    }
    Ok(())
}

/// Whether `v`'s note (or source), being `None`, is to stay as it is.
fn keeps_note(v: &NewValue<'_>) -> bool {
    v.keep.note && v.note.is_none()
}

fn keeps_source(v: &NewValue<'_>) -> bool {
    v.keep.source && v.source.is_none()
}

/// Whether `v` differs from the current value `c` (its value, ratio parts, or a text it says).
fn differs(c: &Row, v: &NewValue<'_>) -> bool {
    c.value != v.value
        || c.parts != v.parts
        || (!keeps_note(v) && c.note.as_deref() != v.note)
        || (!keeps_source(v) && c.source.as_deref() != v.source)
}

impl ValueSink for PgSink<'_> {
    fn journal(&mut self, j: &crate::workflow::Journal) {
        self.wf_journal(j)
    }
    fn append_log(&mut self, e: &crate::workflow::LogEntry) -> Result<(), Error> {
        self.wf_append_log(e)
    }
    fn set_password_hash(&mut self, name: &str, hash: Option<&str>) -> Result<bool, Error> {
        self.wf_set_password_hash(name, hash)
    }
    fn users(&self) -> Result<Vec<crate::workflow::User>, Error> {
        self.wf_users()
    }
    fn put_user(&mut self, u: &crate::workflow::User) -> Result<(), Error> {
        self.wf_put_user(u)
    }
    fn remove_user(&mut self, name: &str) -> Result<bool, Error> {
        self.wf_remove_user(name)
    }
    fn locks(&self, strategy: &str) -> Result<Vec<crate::workflow::Lock>, Error> {
        self.wf_locks(strategy)
    }
    fn add_lock(&mut self, strategy: &str, l: &crate::workflow::Lock) -> Result<(), Error> {
        self.wf_add_lock(strategy, l)
    }
    fn remove_lock(
        &mut self,
        strategy: &str,
        period: crate::period::FiscalPeriod,
        through: bool,
    ) -> Result<bool, Error> {
        self.wf_remove_lock(strategy, period, through)
    }
    fn set_state(
        &mut self,
        id: i64,
        from: crate::workflow::ReviewState,
        to: crate::workflow::ReviewState,
    ) -> Result<bool, Error> {
        self.wf_set_state(id, from, to)
    }
    fn state(&self, id: i64) -> Result<crate::workflow::ReviewState, Error> {
        self.wf_state(id)
    }
    fn save_version(
        &mut self,
        fw: &Framework,
        label: &str,
        source_file: Option<&str>,
        loaded_at: &str,
    ) -> Result<SaveOutcome, Error> {
        let shown = self.shown.clone();
        let user = self.log_user().to_string();
        let tx = self.tx.get_mut();
        let outcome = super::versions::save_in(tx, fw, label, source_file, loaded_at, &shown)?;
        if let SaveOutcome::Stored { label } = &outcome {
            super::workflow::log_version(
                tx,
                &user,
                loaded_at,
                &fw.strategy.code,
                label,
                source_file,
                &shown,
            )?;
        }
        Ok(outcome)
    }
    fn indicator_ids(&self, strategy: &str) -> Result<HashMap<String, i64>, Error> {
        let rows = self
            .tx
            .borrow_mut()
            .query(
                "SELECT code, id FROM indicator WHERE strategy_code = $1",
                &[&strategy],
            )
            .map_err(|e| self.map_err(e))?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }
    fn import(&mut self, v: &NewValue<'_>, dated: bool) -> Result<Imported, Error> {
        if v.kind == Kind::Void {
            return self.import_void(v, dated);
        }
        let state = self.state(v, dated)?;
        if dated && state.in_history(v) {
            return Ok(Imported::AlreadyRecorded);
        }
        match state.current.clone() {
            None => {
                let (id, followed) = self.add(v, None)?;
                // A value after a void takes its place in the chain, as a correction does.
                Ok(if followed {
                    Imported::Corrected { id }
                } else {
                    Imported::Added { id }
                })
            }
            Some(current) if differs(&current, v) => Ok(Imported::Corrected {
                id: self.correct(v, current)?,
            }),
            Some(_) => Ok(Imported::Unchanged),
        }
    }

    fn put(&mut self, v: &NewValue<'_>) -> Result<Written, Error> {
        match self.state(v, false)?.current.clone() {
            None => Ok(Written::Added {
                id: self.add(v, None)?.0,
            }),
            Some(current) if !differs(&current, v) => Ok(Written::Unchanged),
            Some(current) => {
                let old = Replaced {
                    id: current.id,
                    value: current.value,
                    parts: current.parts,
                    recorded_by: current.by.to_string(),
                    recorded_at: current.at.to_string(),
                };
                let id = self.correct(v, current)?;
                Ok(Written::Corrected { id, old })
            }
        }
    }

    fn void(&mut self, v: &NewValue<'_>) -> Result<Option<Replaced>, Error> {
        let Some(old) = self.state(v, false)?.current.clone() else {
            return Ok(None);
        };
        storable(v)?;
        let id = self.next_id;
        self.next_id += 1;
        self.link(old.id, id)?;
        self.write(&NewRow {
            id,
            indicator_id: v.indicator_id,
            period: v.period.key(),
            disaggregation: v.disaggregation,
            value: old.value,
            parts: old.parts,
            note: v.note,
            source: None,
            by: v.recorded_by,
            at: v.recorded_at,
            kind: Kind::Void,
            replaced_by: Some(id),
        })?;
        let row = Row {
            id,
            value: old.value,
            parts: old.parts,
            note: v.note.map(Into::into),
            source: None,
            by: self.texts.by(v.recorded_by),
            at: self.texts.at(v.recorded_at),
        };
        let state = self.state(v, false)?;
        if let Some(current) = state.current.take() {
            state.older.push(current);
        }
        state.older.push(row);
        state.open_void = Some(id);
        Ok(Some(Replaced {
            id: old.id,
            value: old.value,
            parts: old.parts,
            recorded_by: old.by.to_string(),
            recorded_at: old.at.to_string(),
        }))
    }

    fn corrected_by(&self, id: i64) -> Result<Option<i64>, Error> {
        if let Some(bulk) = &self.bulk {
            if self.is_new(id) {
                return Ok(bulk.replaced_by_new(id));
            }
        }
        // Not written in this bulk write: the link is in the database (or was written there).
        self.tx
            .borrow_mut()
            .query_opt(
                "SELECT id FROM value WHERE replaced_by = $1 AND id <> $1",
                &[&id],
            )
            .map(|r| r.map(|r| r.get(0)))
            .map_err(|e| super::map_err(e, CTX, &self.shown))
    }

    fn current_id(&self, v: &NewValue<'_>) -> Result<Option<i64>, Error> {
        let known = self
            .keys
            .get(&(v.indicator_id, v.period.key()))
            .and_then(|keys| keys.iter().find(|(d, _)| &**d == v.disaggregation));
        if let Some((_, state)) = known {
            return Ok(state.current.as_ref().map(|r| r.id));
        }
        if self.bulk.as_ref().is_some_and(|b| b.knows(v.indicator_id)) {
            return Ok(None);
        }
        self.tx
            .borrow_mut()
            .query_opt(
                "SELECT id FROM value WHERE indicator_id = $1 AND period = $2 \
             AND disaggregation = $3 AND replaced_by IS NULL",
                &[&v.indicator_id, &v.period.key(), &v.disaggregation],
            )
            .map(|r| r.map(|r| r.get(0)))
            .map_err(|e| super::map_err(e, CTX, &self.shown))
    }

    fn current_value(
        &mut self,
        indicator_id: i64,
        period: FiscalPeriod,
        disaggregation: &str,
    ) -> Result<Option<(f64, Option<(f64, f64)>)>, Error> {
        let probe = NewValue {
            indicator_id,
            period,
            disaggregation,
            value: 0.0,
            parts: None,
            note: None,
            source: None,
            recorded_by: "",
            recorded_at: "",
            keep: crate::store::Keep::AS_GIVEN,
            kind: Kind::Value,
        };
        Ok(self
            .state(&probe, false)?
            .current
            .as_ref()
            .map(|r| (r.value, r.parts)))
    }

    fn is_new(&self, id: i64) -> bool {
        id >= self.first_new_id
    }
}

impl PgSink<'_> {
    /// A void row of an import: already in the history, or it ends the current value. A void
    /// with no current value to end is refused.
    fn import_void(&mut self, v: &NewValue<'_>, dated: bool) -> Result<Imported, Error> {
        let state = self.state(v, dated)?;
        if dated && state.in_history(v) {
            return Ok(Imported::AlreadyRecorded);
        }
        // A void row carries the value it ends (and its ratio parts); another value would not
        // come back out the same.
        if let Some(current) = &state.current {
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
}
