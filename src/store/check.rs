//! `Store::check`: SQLite's own checks plus the tracker's invariants.
//!
//! Invariants: every value's indicator is defined in at least one stored version (an indicator
//! retired by a later version is fine: history is kept); every (indicator, period,
//! disaggregation) that has values has exactly one current value; a correction points at a
//! value of the same key; every period is a valid fiscal period; every version holds the nodes
//! and indicators it says it holds.

use super::{map_err, Store};
use crate::error::Error;
use crate::period::FiscalPeriod;

/// What `check` looked at and what it found.
#[derive(Debug, Default)]
pub struct CheckReport {
    /// One line per check that passed.
    pub checked: Vec<String>,
    /// One sentence per problem.
    pub problems: Vec<String>,
}

impl Store {
    pub fn check(&self) -> Result<CheckReport, Error> {
        let ctx = "check the database";
        let mut report = CheckReport::default();
        let integrity: Vec<String> = self
            .conn
            .prepare("PRAGMA integrity_check")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .map_err(|e| map_err(e, ctx))?;
        if integrity == ["ok"] {
            report.checked.push("SQLite integrity check".into());
        } else {
            report.problems.extend(
                integrity
                    .into_iter()
                    .map(|m| format!("SQLite integrity: {m}")),
            );
        }
        let fk: Vec<(String, i64)> = self
            .conn
            .prepare("PRAGMA foreign_key_check")
            .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .map_err(|e| map_err(e, ctx))?;
        if fk.is_empty() {
            report.checked.push("foreign keys".into());
        } else {
            report.problems.extend(
                fk.into_iter()
                    .map(|(t, row)| format!("row {row} of table `{t}` points at a missing row")),
            );
        }
        let before = report.problems.len();
        let mut query = |sql: &str,
                         describe: &dyn Fn(&rusqlite::Row<'_>) -> rusqlite::Result<String>|
         -> Result<(), Error> {
            let mut stmt = self.conn.prepare(sql).map_err(|e| map_err(e, ctx))?;
            let rows = stmt
                .query_map([], |r| describe(r))
                .map_err(|e| map_err(e, ctx))?;
            for r in rows {
                report.problems.push(r.map_err(|e| map_err(e, ctx))?);
            }
            Ok(())
        };
        query(
            "SELECT i.code, count(*) FROM value v JOIN indicator i ON i.id = v.indicator_id \
             WHERE NOT EXISTS (SELECT 1 FROM indicator_def d WHERE d.indicator_id = v.indicator_id) \
             GROUP BY i.code",
            &|r| {
                Ok(format!(
                    "{} value(s) of `{}`, an indicator no stored version defines",
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(0)?
                ))
            },
        )?;
        query(
            "SELECT i.code, v.period, v.disaggregation, sum(v.replaced_by IS NULL) AS current \
             FROM value v JOIN indicator i ON i.id = v.indicator_id \
             GROUP BY v.indicator_id, v.period, v.disaggregation HAVING current <> 1",
            &|r| {
                let period = FiscalPeriod::from_key(r.get(1)?)
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "?".into());
                let d: String = r.get(2)?;
                Ok(format!(
                    "`{}` {period}{} has {} current values (exactly one expected)",
                    r.get::<_, String>(0)?,
                    if d.is_empty() {
                        String::new()
                    } else {
                        format!(" ({d})")
                    },
                    r.get::<_, i64>(3)?
                ))
            },
        )?;
        query(
            "SELECT v.id, n.id FROM value v JOIN value n ON n.id = v.replaced_by \
             WHERE n.indicator_id <> v.indicator_id OR n.period <> v.period \
             OR n.disaggregation <> v.disaggregation OR n.id = v.id",
            &|r| {
                Ok(format!(
                    "value {} is marked as corrected by value {}, which is for another indicator, period or disaggregation",
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?
                ))
            },
        )?;
        query(
            "SELECT DISTINCT period FROM value WHERE period % 10 > 4 OR period < 0 \
             UNION SELECT DISTINCT period FROM target WHERE period % 10 > 4 OR period < 0",
            &|r| {
                Ok(format!(
                    "period code {} is not a fiscal year or quarter",
                    r.get::<_, i64>(0)?
                ))
            },
        )?;
        query(
            "SELECT s.label, s.node_count, (SELECT count(*) FROM node n WHERE n.version_id = s.id), \
             s.indicator_count, (SELECT count(*) FROM indicator_def d WHERE d.version_id = s.id) \
             FROM strategy_version s",
            &|r| {
                let (label, nodes, have_nodes, inds, have_inds): (String, i64, i64, i64, i64) =
                    (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
                Ok(if nodes == have_nodes && inds == have_inds {
                    String::new()
                } else {
                    format!("version `{label}` is incomplete: {have_nodes} of {nodes} nodes and {have_inds} of {inds} indicators stored")
                })
            },
        )?;
        report.problems.retain(|p| !p.is_empty());
        if report.problems.len() == before {
            let (values, versions): (i64, i64) = self
                .conn
                .query_row(
                    "SELECT (SELECT count(*) FROM value), (SELECT count(*) FROM strategy_version)",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .map_err(|e| map_err(e, ctx))?;
            report.checked.push(format!(
                "tracker invariants ({versions} version(s) complete, {values} recorded value(s), one current value per indicator, period and disaggregation)"
            ));
        }
        Ok(report)
    }
}
