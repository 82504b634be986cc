//! Storing and reading recorded indicator values.
//!
//! One row per recorded value. The current value of an (indicator, period, disaggregation) is
//! the row with `replaced_by IS NULL` (a partial unique index keeps it unique); a correction
//! keeps the old row and points its `replaced_by` at the new one. A value identical to the
//! current one (same value, note and source) is not written. Writes go through a
//! [`ValueWriter`] inside one `BEGIN IMMEDIATE` transaction, so a bulk import is all or nothing
//! and costs one statement per new value.

mod keep;
mod marks;
mod writer;

use crate::store::period_key::PeriodKey;
use std::collections::HashMap;

use rusqlite::params;

use super::{map_err, Store};
use crate::error::Error;
use crate::period::{FiscalPeriod, PeriodRange};

use writer::CTX;
pub use writer::{Imported, Keep, Kind, NewValue, Replaced, ValueWriter, Written};

/// A stored value, as history and export show it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredValue {
    pub id: i64,
    pub indicator: String,
    pub period: FiscalPeriod,
    pub disaggregation: String,
    pub value: f64,
    /// A ratio value's numerator and denominator.
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub note: Option<String>,
    pub source: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
    /// The id of the value that replaced this one; `None` while it is current.
    pub replaced_by: Option<i64>,
    /// When the replacing value was recorded (for a void nothing has followed, its own time).
    pub replaced_at: Option<String>,
    /// A value, an explanation or a void.
    pub kind: Kind,
}

/// Which values to read.
#[derive(Debug, Clone, Default)]
pub struct ValueQuery {
    /// Only these indicators (store ids); empty for all.
    pub indicators: Vec<i64>,
    /// Only these periods (see [`FiscalPeriod::span`] for a period and what it covers).
    pub periods: Option<PeriodRange>,
    /// Replaced values too, not only current ones.
    pub include_replaced: bool,
    /// Newest first (by recording order) instead of by indicator code, period,
    /// disaggregation and recording order.
    pub newest_first: bool,
}

impl Store {
    /// Every indicator code of the strategy in use ever stored (in any version), with its id.
    pub fn indicator_ids(&self) -> Result<HashMap<String, i64>, Error> {
        indicator_ids_in(&self.conn, self.strategy_in_use().as_deref())
    }

    /// Run `f` with a [`ValueWriter`] in one write transaction: committed if `f` succeeds,
    /// rolled back (nothing written) if it fails.
    ///
    /// `bulk` is for imports of any size, and changes how, never what, is written:
    /// - The file stays in WAL mode throughout, so readers keep reading the last committed
    ///   state while an import runs (switching journal modes mid-flight is not safe with other
    ///   processes opening the file).
    /// - SQLite gives every update of a foreign-key column a statement journal, which doubled
    ///   the cost of a correction; so a bulk write turns foreign-key enforcement off for its
    ///   transaction and instead checks, before committing, every link it made (each replaced
    ///   value points at a stored value; each indicator id it used exists).
    pub fn write_values<T>(
        &mut self,
        bulk: bool,
        f: impl FnOnce(&mut ValueWriter<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        // A bigger page cache keeps a large import's index pages in memory (24 MiB, so a whole
        // import stays under 64 MB of memory).
        self.conn
            .pragma_update(None, "cache_size", -24576)
            .map_err(|e| map_err(e, CTX))?;
        if bulk {
            self.conn
                .pragma_update(None, "foreign_keys", false)
                .map_err(|e| map_err(e, CTX))?;
        }
        let author = self.author.clone();
        let strategy = self.strategy_in_use();
        let result = (|| {
            let tx = self.write_tx(CTX)?;
            let result = {
                let mut writer = ValueWriter::new(&tx)?;
                writer.author = author;
                let result = f(&mut writer)?;
                if bulk {
                    writer.verify()?;
                }
                writer.finish(strategy.as_deref())?;
                result
            };
            tx.commit().map_err(|e| map_err(e, CTX))?;
            Ok(result)
        })();
        if bulk {
            // Every open turns it on again anyway.
            let _ = self.conn.pragma_update(None, "foreign_keys", true);
        }
        result
    }

    /// Call `f` with each value that `q` selects, in its order.
    pub fn each_value(
        &self,
        q: &ValueQuery,
        mut f: impl FnMut(StoredValue) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let ctx = "read the recorded values";
        let (lo, hi) = q
            .periods
            .map_or((i64::MIN, i64::MAX), |r| (r.from.key(), r.through.key()));
        let counted = if q.include_replaced {
            ""
        } else {
            super::workflow::state_clause(&self.conn, self.counted)?
        };
        if !q.include_replaced && !q.newest_first {
            // Current values in code order: one walk of the "current" index per indicator,
            // already in period and disaggregation order, so nothing is sorted.
            let mut stmt = self
                .conn
                .prepare_cached(&format!(
                    "{VALUE_SELECT} INDEXED BY value_current {VALUE_JOIN} \
                     WHERE v.indicator_id = ?1 AND v.replaced_by IS NULL{counted} \
                     AND v.period BETWEEN ?2 AND ?3 ORDER BY v.period, v.disaggregation"
                ))
                .map_err(|e| map_err(e, ctx))?;
            for id in self.indicators_by_code()? {
                if q.indicators.is_empty() || q.indicators.contains(&id) {
                    let rows = stmt
                        .query(params![id, lo, hi])
                        .map_err(|e| map_err(e, ctx))?;
                    each_row(rows, ctx, &mut f)?;
                }
            }
            return Ok(());
        }
        let sql = listing_sql(q, counted);
        let mut stmt = self.conn.prepare(&sql).map_err(|e| map_err(e, ctx))?;
        let strategy = self.strategy_in_use();
        let mut bind: Vec<&dyn rusqlite::ToSql> = vec![&lo, &hi, &strategy];
        bind.extend(q.indicators.iter().map(|i| i as &dyn rusqlite::ToSql));
        let rows = stmt.query(&bind[..]).map_err(|e| map_err(e, ctx))?;
        each_row(rows, ctx, &mut f)
    }

    /// Every indicator id of the strategy in use, in code order.
    fn indicators_by_code(&self) -> Result<Vec<i64>, Error> {
        let ctx = "read the indicator codes";
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM indicator WHERE strategy_code = ?1 ORDER BY code")
            .map_err(|e| map_err(e, ctx))?;
        let rows = stmt
            .query_map([self.strategy_in_use()], |r| r.get(0))
            .map_err(|e| map_err(e, ctx))?;
        rows.collect::<Result<_, _>>().map_err(|e| map_err(e, ctx))
    }
}

/// The SQL of [`Store::each_value`] when it cannot walk the "current" index: `?1` and `?2` the
/// period keys, `?3` the strategy, then the indicator ids.
fn listing_sql(q: &ValueQuery, counted: &str) -> String {
    let mut sql = format!(
        "{VALUE_SELECT} {VALUE_JOIN} WHERE v.period BETWEEN ?1 AND ?2 AND i.strategy_code = ?3"
    );
    if !q.include_replaced {
        sql.push_str(" AND v.replaced_by IS NULL");
        sql.push_str(counted);
    }
    if !q.indicators.is_empty() {
        // Placeholders only: the ids are bound, never formatted into the SQL.
        let marks: Vec<String> = (0..q.indicators.len())
            .map(|i| format!("?{}", i + 4))
            .collect();
        sql.push_str(&format!(" AND v.indicator_id IN ({})", marks.join(", ")));
    }
    sql.push_str(if q.newest_first {
        " ORDER BY v.id DESC"
    } else {
        " ORDER BY i.code, v.period, v.disaggregation, v.id"
    });
    sql
}

/// The columns of a [`StoredValue`], read by position in this order (an export reads millions
/// of rows; looking each column up by name took a fifth of the time).
const VALUE_SELECT: &str = "SELECT v.id, i.code, v.period, v.disaggregation, v.value, v.note, \
     v.source, v.recorded_by, v.recorded_at, v.replaced_by, r.recorded_at, v.kind, v.numerator, \
     v.denominator FROM value v";
/// `CROSS JOIN`: SQLite then keeps `value` as the outer loop, so a listing reads the values
/// once and looks each one's indicator up by id (driven from the indicators instead, for the
/// order by code or a list of ids, it would scan the values once per indicator).
const VALUE_JOIN: &str =
    "CROSS JOIN indicator i ON i.id = v.indicator_id LEFT JOIN value r ON r.id = v.replaced_by";

fn each_row(
    mut rows: rusqlite::Rows<'_>,
    ctx: &str,
    f: &mut impl FnMut(StoredValue) -> Result<(), Error>,
) -> Result<(), Error> {
    while let Some(r) = rows.next().map_err(|e| map_err(e, ctx))? {
        let key: i64 = r.get(2).map_err(|e| map_err(e, ctx))?;
        let period = super::stored_period(key, ctx)?;
        let kind: String = r.get(11).map_err(|e| map_err(e, ctx))?;
        let kind = Kind::parse(&kind).ok_or_else(|| {
            Error::database(format!(
                "could not {ctx}: a value is of the unknown kind `{kind}`"
            ))
        })?;
        let value = (|| {
            Ok::<_, rusqlite::Error>(StoredValue {
                id: r.get(0)?,
                indicator: r.get(1)?,
                period,
                disaggregation: r.get(3)?,
                value: r.get(4)?,
                numerator: r.get(12)?,
                denominator: r.get(13)?,
                note: r.get(5)?,
                source: r.get(6)?,
                recorded_by: r.get(7)?,
                recorded_at: r.get(8)?,
                replaced_by: r.get(9)?,
                replaced_at: r.get(10)?,
                kind,
            })
        })()
        .map_err(|e| map_err(e, ctx))?;
        f(value)?;
    }
    Ok(())
}

/// The indicator codes of `strategy` (none for `None`) with their ids, as `conn` sees them
/// (inside a write transaction: with those it stored).
pub(super) fn indicator_ids_in(
    conn: &rusqlite::Connection,
    strategy: Option<&str>,
) -> Result<HashMap<String, i64>, Error> {
    let ctx = "read the indicator codes";
    let mut stmt = conn
        .prepare_cached("SELECT code, id FROM indicator WHERE strategy_code = ?1")
        .map_err(|e| map_err(e, ctx))?;
    let rows = stmt
        .query_map([strategy], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(|e| map_err(e, ctx))?;
    rows.collect::<Result<_, _>>().map_err(|e| map_err(e, ctx))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::framework;

    pub(super) fn store_with_indicator() -> (Store, i64) {
        let mut store = Store::open_in_memory().unwrap();
        let fw = framework::parse_str(
            r#"
[strategy]
code = "s"
title = "S"
version = "v1"
[[goal]]
code = "G1"
title = "G"
  [[goal.indicator]]
  code = "I1"
  title = "I"
  unit = "people"
  direction = "increase"
"#,
            "t.toml",
        )
        .unwrap();
        store
            .save_version(&fw, "v1", None, "2026-01-15T12:00:00.000000Z")
            .unwrap();
        let id = store.indicator_ids().unwrap()["I1"];
        (store, id)
    }

    fn collect(store: &Store, q: &ValueQuery) -> Vec<StoredValue> {
        let mut all = Vec::new();
        store
            .each_value(q, |v| {
                all.push(v);
                Ok(())
            })
            .unwrap();
        all
    }

    pub(super) fn value(id: i64, v: f64, note: Option<&str>) -> NewValue<'_> {
        NewValue {
            indicator_id: id,
            period: FiscalPeriod::year(2021),
            disaggregation: "",
            value: v,
            parts: None,
            note,
            source: None,
            recorded_by: "me",
            recorded_at: "2026-01-15T12:00:00.000000Z",
            keep: Keep::AS_GIVEN,
            kind: Kind::Value,
        }
    }

    #[test]
    fn add_correct_unchanged() {
        let (mut store, id) = store_with_indicator();
        let results = store
            .write_values(false, |w| {
                Ok(vec![
                    w.put(&value(id, 1.0, None))?,
                    w.put(&value(id, 1.0, None))?,
                    w.put(&value(id, 2.0, None))?,
                    w.put(&value(id, 2.0, Some("why")))?,
                ])
            })
            .unwrap();
        assert_eq!(results[0], Written::Added { id: 1 });
        assert_eq!(results[1], Written::Unchanged);
        assert!(
            matches!(&results[2], Written::Corrected { id: 2, old } if old.id == 1 && old.value == 1.0)
        );
        assert!(matches!(&results[3], Written::Corrected { id: 3, old } if old.id == 2));
        let all = collect(
            &store,
            &ValueQuery {
                include_replaced: true,
                ..Default::default()
            },
        );
        let chain: Vec<(i64, Option<i64>)> = all.iter().map(|v| (v.id, v.replaced_by)).collect();
        assert_eq!(chain, [(1, Some(2)), (2, Some(3)), (3, None)]);
        let current: Vec<i64> = collect(&store, &ValueQuery::default())
            .iter()
            .map(|v| v.id)
            .collect();
        assert_eq!(current, [3]);
    }

    /// A listing reads the values once, in the table's order, and looks each one's indicator
    /// up by id; driven from the indicators of the strategy instead, it would scan every value
    /// once per indicator.
    #[test]
    fn a_listing_scans_the_values_once() {
        let (store, _) = store_with_indicator();
        for newest_first in [false, true] {
            for indicators in [vec![], vec![1, 2]] {
                let q = ValueQuery {
                    include_replaced: true,
                    newest_first,
                    indicators,
                    ..Default::default()
                };
                let sql = listing_sql(&q, "");
                let plan: Vec<String> = store
                    .conn
                    .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                    .unwrap()
                    .query_map(
                        rusqlite::params_from_iter(
                            [Some(1i64), Some(2), None, Some(1), Some(2)]
                                .iter()
                                .take(3 + q.indicators.len()),
                        ),
                        |r| r.get::<_, String>(3),
                    )
                    .unwrap()
                    .map(|r| r.unwrap())
                    .collect();
                assert_eq!(plan[0], "SCAN v", "{plan:#?}");
                assert_eq!(
                    plan[1], "SEARCH i USING INTEGER PRIMARY KEY (rowid=?)",
                    "{plan:#?}"
                );
            }
        }
    }

    #[test]
    fn a_failed_batch_writes_nothing() {
        let (mut store, id) = store_with_indicator();
        let err = store.write_values(false, |w| {
            w.put(&value(id, 1.0, None))?;
            Err::<(), _>(Error::input("stop"))
        });
        assert!(err.is_err());
        assert!(collect(&store, &ValueQuery::default()).is_empty());
    }

    #[test]
    fn import_paths() {
        let (mut store, id) = store_with_indicator();
        let other = |v: f64| NewValue {
            period: FiscalPeriod::year(2022),
            ..value(id, v, None)
        };
        let results = store
            .write_values(true, |w| {
                Ok(vec![
                    w.import(&value(id, 1.0, None), false)?, // new
                    w.import(&other(1.0), false)?,           // new
                    w.import(&value(id, 2.0, None), false)?, // correction after a new one
                    w.import(&value(id, 3.0, None), false)?, // correction after a correction
                    w.import(&value(id, 3.0, None), false)?, // unchanged
                    w.import(&other(1.0), false)?,           // unchanged, tried as a correction
                    w.import(&value(id, 1.0, None), true)?,  // dated: already in the history
                    w.import(
                        &NewValue {
                            recorded_at: "2026-02-01T00:00:00.000000Z",
                            ..value(id, 1.0, None)
                        },
                        true,
                    )?, // dated, not in the history: a correction
                    w.import(
                        &NewValue {
                            period: FiscalPeriod::year(2023),
                            ..value(id, 5.0, None)
                        },
                        false,
                    )?, // new, tried as a correction first
                ])
            })
            .unwrap();
        use Imported::*;
        assert_eq!(
            results,
            [
                Added { id: 1 },
                Added { id: 2 },
                Corrected { id: 3 },
                Corrected { id: 4 },
                Unchanged,
                Unchanged,
                AlreadyRecorded,
                Corrected { id: 5 },
                Added { id: 6 },
            ]
        );
        let chain: Vec<(i64, Option<i64>)> = collect(
            &store,
            &ValueQuery {
                include_replaced: true,
                ..Default::default()
            },
        )
        .iter()
        .map(|v| (v.id, v.replaced_by))
        .collect();
        assert_eq!(
            chain,
            [
                (1, Some(3)),
                (3, Some(4)),
                (4, Some(5)),
                (5, None),
                (2, None),
                (6, None)
            ]
        );
    }

    /// The ratio parts are part of a value: the same value with other parts is a correction
    /// (by `put` and by import), the same parts are unchanged, and a void, an explanation and
    /// the history keep them.
    #[test]
    fn ratio_parts_are_part_of_the_value() {
        let (mut store, id) = store_with_indicator();
        let with = |n: f64, d: f64| NewValue {
            parts: Some((n, d)),
            ..value(id, 0.5, None)
        };
        let (put, imported) = store
            .write_values(false, |w| {
                Ok((
                    vec![
                        w.put(&with(1.0, 2.0))?,
                        w.put(&with(1.0, 2.0))?,
                        w.put(&with(2.0, 4.0))?,
                    ],
                    vec![
                        w.import(&with(2.0, 4.0), false)?,
                        w.import(&with(3.0, 6.0), false)?,
                        w.import(&with(3.0, 6.0), true)?,
                    ],
                ))
            })
            .unwrap();
        assert_eq!(put[0], Written::Added { id: 1 });
        assert_eq!(put[1], Written::Unchanged);
        assert!(
            matches!(&put[2], Written::Corrected { id: 2, old } if old.parts == Some((1.0, 2.0)))
        );
        assert_eq!(
            imported,
            [
                Imported::Unchanged,
                Imported::Corrected { id: 3 },
                Imported::AlreadyRecorded
            ]
        );
        let current = store
            .write_values(false, |w| w.current_value(id, FiscalPeriod::year(2021), ""))
            .unwrap();
        assert_eq!(current, Some((0.5, Some((3.0, 6.0)))));
        let void = NewValue {
            value: 0.0,
            note: Some("typo"),
            kind: Kind::Void,
            ..value(id, 0.0, None)
        };
        let old = store
            .write_values(false, |w| w.void(&void))
            .unwrap()
            .unwrap();
        assert_eq!(old.parts, Some((3.0, 6.0)));
        let all = collect(
            &store,
            &ValueQuery {
                include_replaced: true,
                ..Default::default()
            },
        );
        let parts: Vec<(Kind, Option<f64>, Option<f64>)> = all
            .iter()
            .map(|v| (v.kind, v.numerator, v.denominator))
            .collect();
        assert_eq!(
            parts,
            [
                (Kind::Value, Some(1.0), Some(2.0)),
                (Kind::Value, Some(2.0), Some(4.0)),
                (Kind::Value, Some(3.0), Some(6.0)),
                (Kind::Void, Some(3.0), Some(6.0)),
            ]
        );
    }
}
