//! Stage 3 of `ics check` on PostgreSQL (`check.rs`): the tracker's invariants, as the SQLite
//! check states them, plus the ones the database already promises, verified rather than
//! assumed: at most one current row per key (the unique index `value_current`), and what the
//! sink checks before every commit instead of foreign keys (every value's indicator exists, no
//! `replaced_by` names a missing row; see `schema.rs`), and no review state of a missing value.

use postgres::Transaction;

use super::check::CTX;
use super::PgStore;
use crate::error::Error;
use crate::period::{MAX_YEAR, MIN_YEAR};
use crate::store::period_key;
use crate::store::CheckReport;

pub(super) fn check_invariants(
    s: &PgStore,
    tx: &mut Transaction<'_>,
    report: &mut CheckReport,
) -> Result<(), Error> {
    let err = |e| s.map_err(e, CTX);
    let mut query = |sql: &str, describe: &dyn Fn(&postgres::Row) -> String| -> Result<(), Error> {
        for r in tx.query(sql, &[]).map_err(err)? {
            report.problems.push(describe(&r));
        }
        Ok(())
    };
    let key = |r: &postgres::Row, at: usize| {
        let period = period_key::from_key(r.get(at + 1))
            .map(|p| p.to_string())
            .unwrap_or_else(|| "?".into());
        let d: String = r.get(at + 2);
        format!(
            "`{}` {period}{}",
            r.get::<_, String>(at),
            if d.is_empty() {
                String::new()
            } else {
                format!(" ({d})")
            }
        )
    };
    query(
        "SELECT i.code, count(*) FROM value v JOIN indicator i ON i.id = v.indicator_id \
         WHERE NOT EXISTS (SELECT 1 FROM indicator_def d WHERE d.indicator_id = i.id) \
         GROUP BY i.id, i.code ORDER BY i.code COLLATE \"C\"",
        &|r| {
            format!(
                "{} value(s) of `{}`, an indicator no stored version defines",
                r.get::<_, i64>(1),
                r.get::<_, String>(0)
            )
        },
    )?;
    query(
        // `value` has no foreign key to `indicator` (PostgreSQL would check it row by row:
        // see `schema.rs`); every write checks its indicators before commit. Verified here.
        "SELECT v.indicator_id, count(*) FROM value v \
         WHERE NOT EXISTS (SELECT 1 FROM indicator i WHERE i.id = v.indicator_id) \
         GROUP BY v.indicator_id ORDER BY v.indicator_id LIMIT 20",
        &|r| {
            format!(
                "{} value(s) name the indicator id {}, which is not in the table `indicator`",
                r.get::<_, i64>(1),
                r.get::<_, i64>(0)
            )
        },
    )?;
    query(
        // `value_state` has no foreign key either (schema migration 2): its rows are written
        // from `value` in the same transaction. Verified here.
        "SELECT s.value_id FROM value_state s \
         WHERE NOT EXISTS (SELECT 1 FROM value v WHERE v.id = s.value_id) \
         ORDER BY s.value_id LIMIT 20",
        &|r| {
            format!(
                "the review state of the value id {}, which is not in the table `value`",
                r.get::<_, i64>(0)
            )
        },
    )?;
    query(
        // At most one current row per key: the unique index promises it; verified anyway.
        "SELECT i.code, v.period, v.disaggregation, count(*) FROM value v \
         JOIN indicator i ON i.id = v.indicator_id WHERE v.replaced_by IS NULL \
         GROUP BY i.id, i.code, v.period, v.disaggregation HAVING count(*) > 1 LIMIT 20",
        &|r| {
            format!(
                "{} has {} current values although the index `value_current` allows one",
                key(r, 0),
                r.get::<_, i64>(3)
            )
        },
    )?;
    query(
        // A key ends in one current value, or in a void nothing has followed yet (which
        // points at itself): either way, exactly one row ends its history.
        "SELECT i.code, v.period, v.disaggregation, \
         sum(CASE WHEN v.replaced_by IS NULL OR (v.replaced_by = v.id AND v.kind = 'void') \
             THEN 1 ELSE 0 END) AS current \
         FROM value v JOIN indicator i ON i.id = v.indicator_id \
         GROUP BY i.id, i.code, v.period, v.disaggregation \
         HAVING sum(CASE WHEN v.replaced_by IS NULL OR (v.replaced_by = v.id AND v.kind = 'void') \
             THEN 1 ELSE 0 END) <> 1 LIMIT 20",
        &|r| {
            format!(
                "{} has {} current values (exactly one expected)",
                key(r, 0),
                r.get::<_, i64>(3)
            )
        },
    )?;
    query(
        // No foreign key (see `schema.rs`): every write checks it before commit; verified.
        "SELECT v.id, v.replaced_by FROM value v WHERE v.replaced_by IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM value n WHERE n.id = v.replaced_by) ORDER BY v.id LIMIT 20",
        &|r| {
            format!(
                "value {} is marked as corrected by value {}, which does not exist",
                r.get::<_, i64>(0),
                r.get::<_, i64>(1)
            )
        },
    )?;
    query(
        "SELECT v.id, n.id FROM value v JOIN value n ON n.id = v.replaced_by \
         WHERE n.indicator_id <> v.indicator_id OR n.period <> v.period \
         OR n.disaggregation <> v.disaggregation OR (n.id = v.id AND v.kind <> 'void') \
         ORDER BY v.id LIMIT 20",
        &|r| {
            format!(
                "value {} is marked as corrected by value {}, which is for another indicator, period or disaggregation",
                r.get::<_, i64>(0),
                r.get::<_, i64>(1)
            )
        },
    )?;
    let bad = period_key::not_a_period_sql;
    query(
        &format!(
            "SELECT DISTINCT period, 'value' FROM value WHERE {} \
             UNION SELECT DISTINCT period, 'target' FROM target WHERE {} \
             UNION SELECT DISTINCT baseline_period, 'indicator_def' \
             FROM indicator_def WHERE {}",
            bad("period"),
            bad("period"),
            bad("baseline_period")
        ),
        &|r| {
            format!(
                "the period stored as {} in the table `{}` is not a fiscal year or quarter from FY{MIN_YEAR} to FY{MAX_YEAR}",
                r.get::<_, i64>(0),
                r.get::<_, String>(1)
            )
        },
    )?;
    // PostgreSQL stores infinities and NaN in DOUBLE PRECISION; no input path of ics accepts
    // one, and the IATI export and a re-import of exported values refuse them.
    let odd = |c: &str| format!("{c} IN ('Infinity', '-Infinity', 'NaN')");
    query(
        &format!(
            "SELECT * FROM (SELECT 'value' AS t, 'value' AS c, count(*) AS n FROM value WHERE {} \
             UNION ALL SELECT 'value', 'numerator', count(*) FROM value WHERE {} \
             UNION ALL SELECT 'value', 'denominator', count(*) FROM value WHERE {} \
             UNION ALL SELECT 'target', 'value', count(*) FROM target WHERE {} \
             UNION ALL SELECT 'indicator_def', 'baseline_value', count(*) FROM indicator_def WHERE {}) x \
             WHERE n > 0",
            odd("value"),
            odd("numerator"),
            odd("denominator"),
            odd("value"),
            odd("baseline_value")
        ),
        &|r| {
            format!(
                "{} row(s) of the table `{}` hold an infinite or not-a-number value in the column `{}`",
                r.get::<_, i64>(2),
                r.get::<_, &str>(0),
                r.get::<_, &str>(1)
            )
        },
    )?;
    query(
        "SELECT s.strategy_code, s.label, s.node_count, \
         (SELECT count(*) FROM node n WHERE n.version_id = s.id), \
         s.indicator_count, (SELECT count(*) FROM indicator_def d WHERE d.version_id = s.id) \
         FROM strategy_version s WHERE s.node_count <> (SELECT count(*) FROM node n WHERE n.version_id = s.id) \
         OR s.indicator_count <> (SELECT count(*) FROM indicator_def d WHERE d.version_id = s.id)",
        &|r| {
            format!(
                "version `{}` of the strategy `{}` is incomplete: {} of {} nodes and {} of {} indicators stored",
                r.get::<_, String>(1),
                r.get::<_, String>(0),
                r.get::<_, i64>(3),
                r.get::<_, i64>(2),
                r.get::<_, i64>(5),
                r.get::<_, i64>(4)
            )
        },
    )?;
    query(
        "SELECT s.label, i.code, n.code, o.label FROM indicator_def d \
         JOIN strategy_version s ON s.id = d.version_id \
         JOIN indicator i ON i.id = d.indicator_id JOIN node n ON n.id = d.node_id \
         JOIN strategy_version o ON o.id = n.version_id \
         WHERE n.version_id <> d.version_id ORDER BY d.id LIMIT 20",
        &|r| {
            format!(
                "the indicator `{}` of version `{}` is attached to the node `{}` of version `{}`, outside its own version",
                r.get::<_, String>(1),
                r.get::<_, String>(0),
                r.get::<_, String>(2),
                r.get::<_, String>(3)
            )
        },
    )?;
    query(
        // Versions and indicators belong to one strategy: a definition joins the two.
        "SELECT i.code, i.strategy_code, s.label, s.strategy_code FROM indicator_def d \
         JOIN indicator i ON i.id = d.indicator_id JOIN strategy_version s ON s.id = d.version_id \
         WHERE i.strategy_code <> s.strategy_code ORDER BY d.id LIMIT 20",
        &|r| {
            format!(
                "the indicator `{}` of the strategy `{}` is defined in version `{}` of the strategy `{}`",
                r.get::<_, String>(0),
                r.get::<_, String>(1),
                r.get::<_, String>(2),
                r.get::<_, String>(3)
            )
        },
    )?;
    if report.problems.is_empty() {
        let r = tx
            .query_one(
                "SELECT (SELECT count(*) FROM value), (SELECT count(*) FROM strategy_version), \
                 (SELECT count(DISTINCT strategy_code) FROM strategy_version)",
                &[],
            )
            .map_err(err)?;
        let (values, versions, strategies): (i64, i64, i64) = (r.get(0), r.get(1), r.get(2));
        report.checked.push(format!(
            "tracker invariants ({strategies} strateg{}, {versions} version(s) complete, {values} recorded value(s), each of a stored indicator, one current value per indicator, period and disaggregation)",
            if strategies == 1 { "y" } else { "ies" }
        ));
    }
    Ok(())
}
