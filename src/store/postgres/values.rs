//! Values on PostgreSQL: reading them, and writing them through a sink in one transaction
//! (`sink.rs`; bulk imports with COPY into a temporary table and one set-based merge,
//! `bulk.rs`).
//!
//! Every read is scoped to the strategy in use (`PgStore::strategy`): only values of its
//! indicators are read. Text is ordered byte by byte (`COLLATE "C"`), as SQLite orders it,
//! so both backends list and export values in the same order whatever the database's locale.

use std::collections::HashMap;
use std::sync::Arc;

use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;

use super::sink::PgSink;
use super::PgStore;
use crate::error::Error;
use crate::period::{FiscalPeriod, PeriodRange};
use crate::progress::PeriodValue;
use crate::store::period_key::PeriodKey;
use crate::store::{
    stored_period, CurrentValue, Kind, StoredValue, ValueQuery, ValueSink, ValueStore, VersionInfo,
};

/// What a write of values is doing, for messages.
pub(super) const CTX: &str = "record the values";

/// The condition that scopes a query to the strategy in use, bound as the text parameter
/// `$n` (`NULL`: no strategy chosen, every indicator).
fn in_strategy(column: &str, n: usize) -> String {
    format!("(${n}::text IS NULL OR {column} = ${n})")
}

/// The columns of a [`StoredValue`], read by position in this order.
const VALUE_SELECT: &str = "SELECT v.id, i.code, v.period, v.disaggregation, v.value, v.note, \
     v.source, v.recorded_by, v.recorded_at, v.replaced_by, r.recorded_at, v.kind, v.numerator, \
     v.denominator FROM value v JOIN indicator i ON i.id = v.indicator_id \
     LEFT JOIN value r ON r.id = v.replaced_by";

/// Current total values of one version's indicators over a period range, by indicator id.
const CURRENT_TOTALS: &str = "SELECT d.indicator_id, v.period, v.value, v.note \
     FROM indicator_def d \
     JOIN value v ON v.indicator_id = d.indicator_id \
       AND v.period BETWEEN $2 AND $3 AND v.disaggregation = '' AND v.replaced_by IS NULL \
     WHERE d.version_id = $1";

/// For the version's indicators that need more than their totals (ratio indicators, and those
/// that declare disaggregations): their current totals and single-key disaggregations with
/// the ratio parts (as the SQLite store reads them).
const CURRENT_SPECIAL: &str = "SELECT d.indicator_id, v.period, v.value, v.note, \
       v.numerator, v.denominator, v.disaggregation \
     FROM indicator_def d \
     JOIN value v ON v.indicator_id = d.indicator_id \
       AND v.period BETWEEN $2 AND $3 AND v.replaced_by IS NULL \
       AND strpos(v.disaggregation, ';') = 0 \
     WHERE d.version_id = $1 AND (d.disaggregations <> '{}' OR d.ratio_numerator IS NOT NULL)";

impl PgStore {
    /// The strategy in use, as a query parameter.
    pub(super) fn strategy_param(&self) -> Option<&str> {
        self.strategy.as_deref()
    }

    /// The condition the readers of current values (`v`) add for the values counted
    /// ([`crate::store::Workflow::set_counted`]); none while every value counts, or no
    /// value has a review state.
    fn counted_clause(&self) -> Result<&'static str, Error> {
        super::workflow::state_clause(&mut *self.client.borrow_mut(), self.counted, &self.shown)
    }
}

/// A value row read with [`VALUE_SELECT`].
fn stored_value(r: &postgres::Row, ctx: &str) -> Result<StoredValue, Error> {
    let period = stored_period(r.get(2), ctx)?;
    let kind: &str = r.get(11);
    let kind = Kind::parse(kind).ok_or_else(|| {
        Error::database(format!(
            "could not {ctx}: a value is of the unknown kind `{kind}`"
        ))
    })?;
    Ok(StoredValue {
        id: r.get(0),
        indicator: r.get(1),
        period,
        disaggregation: r.get(3),
        value: r.get(4),
        numerator: r.get(12),
        denominator: r.get(13),
        note: r.get(5),
        source: r.get(6),
        recorded_by: r.get(7),
        recorded_at: r.get(8),
        replaced_by: r.get(9),
        replaced_at: r.get(10),
        kind,
    })
}

impl ValueStore for PgStore {
    fn indicator_ids(&self) -> Result<HashMap<String, i64>, Error> {
        let ctx = "read the indicator codes";
        let strategy = self.strategy_param();
        let rows = self
            .client
            .borrow_mut()
            .query(
                &format!(
                    "SELECT code, id FROM indicator WHERE {}",
                    in_strategy("strategy_code", 1)
                ),
                &[&strategy],
            )
            .map_err(|e| self.map_err(e, ctx))?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    fn never_negative(&self, indicator_id: i64) -> Result<bool, Error> {
        let ctx = "read the indicator's baseline and targets";
        let row = self
            .client
            .borrow_mut()
            .query_opt(
                "SELECT (d.baseline_value IS NOT NULL OR EXISTS \
                   (SELECT 1 FROM target t WHERE t.def_id = d.id)) \
                 AND coalesce(d.baseline_value, 0) >= 0 \
                 AND NOT EXISTS (SELECT 1 FROM target t WHERE t.def_id = d.id AND t.value < 0) \
                 FROM indicator_def d WHERE d.indicator_id = $1 \
                 ORDER BY d.version_id DESC LIMIT 1",
                &[&indicator_id],
            )
            .map_err(|e| self.map_err(e, ctx))?;
        Ok(row.is_some_and(|r| r.get::<_, Option<bool>>(0).unwrap_or(false)))
    }

    fn each_value(
        &self,
        q: &ValueQuery,
        f: &mut dyn FnMut(StoredValue) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let ctx = "read the recorded values";
        let (lo, hi) = q
            .periods
            .map_or((i64::MIN, i64::MAX), |r| (r.from.key(), r.through.key()));
        let strategy = self.strategy_param();
        let mut sql = format!(
            "{VALUE_SELECT} WHERE v.period BETWEEN $1 AND $2 AND {}",
            in_strategy("i.strategy_code", 3)
        );
        if !q.include_replaced {
            sql.push_str(" AND v.replaced_by IS NULL");
            sql.push_str(self.counted_clause()?);
        }
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![&lo, &hi, &strategy];
        if !q.indicators.is_empty() {
            sql.push_str(" AND v.indicator_id = ANY($4)");
            params.push(&q.indicators);
        }
        sql.push_str(if q.newest_first {
            " ORDER BY v.id DESC"
        } else {
            " ORDER BY i.code COLLATE \"C\", v.period, v.disaggregation COLLATE \"C\", v.id"
        });
        // Rows stream from the server as they are read: an export of millions of values is
        // never held in memory.
        let mut client = self.client.try_borrow_mut().map_err(|_| {
            Error::database(format!(
                "could not {ctx} (internal error: a read within a read)"
            ))
        })?;
        let mut rows = client
            .query_raw(sql.as_str(), params)
            .map_err(|e| map_err_shown(e, ctx, &self.shown))?;
        while let Some(r) = rows
            .next()
            .map_err(|e| map_err_shown(e, ctx, &self.shown))?
        {
            f(stored_value(&r, ctx)?)?;
        }
        Ok(())
    }

    fn current_totals(
        &self,
        version: &VersionInfo,
        periods: PeriodRange,
    ) -> Result<Vec<PeriodValue>, Error> {
        let PeriodRange { from, through } = periods;
        let ctx = format!("read the values from {from} to {through}");
        let counted = self.counted_clause()?;
        let mut client = self.client.borrow_mut();
        let codes: Vec<(i64, Arc<str>)> = client
            .query(
                "SELECT i.id, i.code FROM indicator_def d JOIN indicator i ON i.id = d.indicator_id \
                 WHERE d.version_id = $1 ORDER BY i.id",
                &[&version.id],
            )
            .map_err(|e| map_err_shown(e, &ctx, &self.shown))?
            .iter()
            .map(|r| (r.get(0), Arc::from(r.get::<_, &str>(1))))
            .collect();
        let code_of = |id: i64| -> Option<&Arc<str>> {
            let at = codes.binary_search_by_key(&id, |(i, _)| *i).ok()?;
            Some(&codes[at].1)
        };
        let mut out: Vec<PeriodValue> = Vec::new();
        // The special rows first: where a total is in both, the one with the ratio parts is
        // the one found.
        for (sql, special) in [(CURRENT_SPECIAL, true), (CURRENT_TOTALS, false)] {
            let sql = format!("{sql}{counted}");
            let mut rows = client
                .query_raw(sql.as_str(), [&version.id, &from.key(), &through.key()])
                .map_err(|e| map_err_shown(e, &ctx, &self.shown))?;
            while let Some(r) = rows
                .next()
                .map_err(|e| map_err_shown(e, &ctx, &self.shown))?
            {
                let Some(code) = code_of(r.get(0)) else {
                    continue;
                };
                let mut v = PeriodValue {
                    indicator: Arc::clone(code),
                    period: stored_period(r.get(1), &ctx)?,
                    value: r.get(2),
                    note: r.get(3),
                    detail: None,
                };
                if special {
                    let n: Option<f64> = r.get(4);
                    let d: Option<f64> = r.get(5);
                    v = v.with(r.get(6), n.zip(d));
                }
                out.push(v);
            }
        }
        Ok(out)
    }

    fn latest_value_year(
        &self,
        version: &VersionInfo,
        periods: Option<PeriodRange>,
    ) -> Result<Option<i32>, Error> {
        let ctx = "find the latest fiscal year with values";
        let (lo, hi) = periods.map_or((i64::MIN, i64::MAX), |r| (r.from.key(), r.through.key()));
        let counted = self.counted_clause()?;
        let key: Option<i64> = self
            .client
            .borrow_mut()
            .query_one(
                &format!(
                    "SELECT max((SELECT v.period FROM value v \
                       WHERE v.indicator_id = d.indicator_id AND v.replaced_by IS NULL{counted} \
                         AND v.period BETWEEN $2 AND $3 ORDER BY v.period DESC LIMIT 1)) \
                     FROM indicator_def d WHERE d.version_id = $1"
                ),
                &[&version.id, &lo, &hi],
            )
            .map_err(|e| self.map_err(e, ctx))?
            .get(0);
        key.map(|k| stored_period(k, ctx).map(|p| p.year))
            .transpose()
    }

    fn current_values(&self) -> Result<Vec<CurrentValue>, Error> {
        let ctx = "read the recorded values";
        let strategy = self.strategy_param();
        let counted = self.counted_clause()?;
        let rows = self
            .client
            .borrow_mut()
            .query(
                &format!(
                    "SELECT i.code, v.period, v.disaggregation, v.value, v.note FROM value v \
                     JOIN indicator i ON i.id = v.indicator_id \
                     WHERE v.replaced_by IS NULL{counted} AND {} \
                     ORDER BY i.code COLLATE \"C\", v.period, v.disaggregation COLLATE \"C\"",
                    in_strategy("i.strategy_code", 1)
                ),
                &[&strategy],
            )
            .map_err(|e| self.map_err(e, ctx))?;
        rows.iter()
            .map(|r| {
                Ok(CurrentValue {
                    indicator: r.get(0),
                    period: stored_period(r.get(1), ctx)?,
                    disaggregation: r.get(2),
                    // The column is a number: PostgreSQL holds nothing else in it.
                    value: Ok(r.get(3)),
                    note: r.get(4),
                })
            })
            .collect()
    }

    fn value_periods(&self) -> Result<Vec<(String, FiscalPeriod)>, Error> {
        let ctx = "read the periods of the recorded values";
        let strategy = self.strategy_param();
        let counted = self.counted_clause()?;
        let rows = self
            .client
            .borrow_mut()
            .query(
                &format!(
                    "SELECT DISTINCT i.code COLLATE \"C\", v.period FROM value v \
                     JOIN indicator i ON i.id = v.indicator_id \
                     WHERE v.replaced_by IS NULL{counted} AND {} ORDER BY 1, 2",
                    in_strategy("i.strategy_code", 1)
                ),
                &[&strategy],
            )
            .map_err(|e| self.map_err(e, ctx))?;
        rows.iter()
            .map(|r| Ok((r.get(0), stored_period(r.get(1), ctx)?)))
            .collect()
    }

    fn write_values_with(
        &mut self,
        bulk: bool,
        f: &mut dyn FnMut(&mut dyn ValueSink) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let shown = self.shown.clone();
        let (author, strategy) = (self.author.clone(), self.strategy.clone());
        let tx = self.write_tx(CTX)?;
        let mut sink = PgSink::new(tx, bulk, shown)?;
        sink.author = author;
        sink.strategy = strategy;
        f(&mut sink)?;
        sink.commit()
    }
}

fn map_err_shown(e: postgres::Error, doing: &str, shown: &str) -> Error {
    super::map_err(e, doing, shown)
}
