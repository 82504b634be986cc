//! `Store::check`: SQLite's own checks, the shape of the file, and the tracker's invariants;
//! stages 4 and 5 are the backend-neutral ones of `check_values.rs`.
//!
//! The promise: whatever would make another command refuse the database, `check` reports.
//! It runs in six stages and stops after the first that finds a problem, since later stages
//! read what earlier ones vouch for:
//! 1. SQLite's integrity and foreign-key checks (a corrupt file is a problem, not an error);
//! 2. the shape: every table, column, index and trigger the migrations make, and in every row
//!    a value of the column's type (text where a number belongs breaks every reader);
//! 3. the invariants: every value's indicator is defined in at least one stored version (an
//!    indicator retired by a later version is fine: history is kept); every (indicator, period,
//!    disaggregation) that has values has exactly one current value, or ends in a void
//!    nothing has followed yet (which points at itself); a correction points at a
//!    value of the same key; every period is a fiscal year or quarter within the calendar's
//!    range; no stored number is infinite; every version holds the nodes and indicators it
//!    says it holds; every indicator is defined only by versions of its own strategy; every
//!    version's stored outline (`outline.rs`) is what its rows give;
//! 4. a read of every version and every value through the very readers the commands use, so
//!    anything they would refuse (unreadable JSON, an unknown kind, a parent cycle) is found,
//!    for each strategy the database holds in turn (stages 4 and 5 both);
//! 5. every value as `import-values` would take it back (`check_values.rs`): its
//!    disaggregation, recorded time and, for a percent unit, its range;
//! 6. every value against the audit log (`check_log.rs`): each written since the log began is
//!    in one entry, a value recorded by hand names its entry's person and time, and its review
//!    state is the one its last entry gave it.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::{Connection, ErrorCode};

use super::{map_err, schema, Store};
use crate::error::Error;
use crate::period::{MAX_YEAR, MIN_YEAR};

/// What `check` looked at and what it found.
#[derive(Debug, Default)]
pub struct CheckReport {
    /// One line per check that passed.
    pub checked: Vec<String>,
    /// One sentence per problem.
    pub problems: Vec<String>,
}

/// Tables and their (column, declared type), and the (kind, name) of each index and trigger.
type Shape = (
    BTreeMap<String, Vec<(String, String)>>,
    BTreeSet<(String, String)>,
);

const CTX: &str = "check the database";

/// One stage of the check: adds what it checked and what it found to the report.
type Stage = fn(&Store, &mut CheckReport) -> Result<(), Error>;

impl Store {
    /// Check the database. Only a busy database is an error; everything wrong with the file
    /// itself is a problem in the report.
    pub fn check(&self) -> Result<CheckReport, Error> {
        let mut report = CheckReport::default();
        let stages: [Stage; 6] = [
            Store::check_sqlite,
            Store::check_shape,
            Store::check_invariants,
            |s, r| s.per_strategy(r, super::check_values::check_readers),
            |s, r| s.per_strategy(r, super::check_values::check_values),
            |s, r| s.per_strategy(r, super::check_log::check_log),
        ];
        for stage in stages {
            match stage(self, &mut report) {
                Ok(()) => {}
                Err(e) if is_busy(&e) => return Err(e),
                Err(e) => report.problems.push(e.to_string()),
            }
            if !report.problems.is_empty() {
                break;
            }
        }
        Ok(report)
    }

    /// Run a backend-neutral stage for every strategy the database holds (the readers read
    /// the strategy in use); with several, each line says which strategy it is about.
    fn per_strategy(
        &self,
        report: &mut CheckReport,
        stage: fn(&Store, &mut CheckReport) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let several = self.strategy_codes()?.len() > 1;
        self.for_each_strategy(|code| {
            let mut part = CheckReport::default();
            let result = stage(self, &mut part);
            let name = |line: String| match code {
                Some(code) if several => format!("strategy `{code}`: {line}"),
                _ => line,
            };
            match result {
                Err(e) if is_busy(&e) => return Err(e),
                Err(e) => part.problems.push(e.to_string()),
                Ok(()) => {}
            }
            report.checked.extend(part.checked.into_iter().map(name));
            report.problems.extend(part.problems.into_iter().map(name));
            Ok(())
        })
    }

    fn check_sqlite(&self, report: &mut CheckReport) -> Result<(), Error> {
        let integrity: Vec<String> = match self
            .conn
            .prepare("PRAGMA integrity_check")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        {
            Ok(lines) => lines,
            Err(e) if is_corrupt(&e) => {
                report
                    .problems
                    .push("SQLite cannot read the file: it is corrupt".into());
                return Ok(());
            }
            Err(e) => return Err(map_err(e, CTX)),
        };
        if integrity == ["ok"] {
            report.checked.push("SQLite integrity check".into());
        } else {
            report.problems.extend(
                integrity
                    .into_iter()
                    .map(|m| format!("SQLite integrity: {m}")),
            );
            return Ok(());
        }
        let fk: Vec<(String, i64)> = self
            .conn
            .prepare("PRAGMA foreign_key_check")
            .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .map_err(|e| map_err(e, CTX))?;
        if fk.is_empty() {
            report.checked.push("foreign keys".into());
        } else {
            report.problems.extend(
                fk.into_iter()
                    .map(|(t, row)| format!("row {row} of table `{t}` points at a missing row")),
            );
        }
        Ok(())
    }

    /// Every table, column and index of the schema, and the type of every stored value.
    fn check_shape(&self, report: &mut CheckReport) -> Result<(), Error> {
        let expected = expected_shape().map_err(|e| map_err(e, CTX))?;
        let (tables, indexes) = shape(&self.conn).map_err(|e| map_err(e, CTX))?;
        for (table, columns) in &expected.0 {
            let Some(have) = tables.get(table) else {
                report
                    .problems
                    .push(format!("the table `{table}` is missing"));
                continue;
            };
            for (column, _) in columns {
                if !have.iter().any(|(c, _)| c == column) {
                    report
                        .problems
                        .push(format!("the table `{table}` has no column `{column}`"));
                }
            }
        }
        for (kind, name) in expected.1.difference(&indexes) {
            report
                .problems
                .push(format!("the {kind} `{name}` is missing"));
        }
        if !report.problems.is_empty() {
            return Ok(());
        }
        for (table, columns) in &expected.0 {
            // Names come from our own schema, never from the file: safe to format in.
            let tests: Vec<String> = columns
                .iter()
                .map(|(c, ty)| format!("sum(typeof(\"{c}\") NOT IN ('null', {}))", allowed(ty)))
                .collect();
            let sql = format!("SELECT {} FROM \"{table}\"", tests.join(", "));
            let counts: Vec<Option<i64>> = self
                .conn
                .query_row(&sql, [], |r| (0..columns.len()).map(|i| r.get(i)).collect())
                .map_err(|e| map_err(e, CTX))?;
            for ((column, ty), n) in columns.iter().zip(counts) {
                let n = n.unwrap_or(0);
                if n > 0 {
                    report.problems.push(format!(
                        "{n} row(s) of the table `{table}` hold something other than {} in the column `{column}`",
                        describe(ty)
                    ));
                }
            }
        }
        if report.problems.is_empty() {
            report.checked.push(
                "schema (every table, column, index and trigger, and the type of every value)"
                    .into(),
            );
        }
        Ok(())
    }

    fn check_invariants(&self, report: &mut CheckReport) -> Result<(), Error> {
        let mut query = |sql: &str,
                         describe: &dyn Fn(&rusqlite::Row<'_>) -> rusqlite::Result<String>|
         -> Result<(), Error> {
            let mut stmt = self.conn.prepare(sql).map_err(|e| map_err(e, CTX))?;
            let rows = stmt
                .query_map([], |r| describe(r))
                .map_err(|e| map_err(e, CTX))?;
            for r in rows {
                report.problems.push(r.map_err(|e| map_err(e, CTX))?);
            }
            Ok(())
        };
        query(
            // By indicator, not by value: `NOT EXISTS` per value scanned indicator_def (no index
            // leads with indicator_id) for each of 2,000,000 values, for many minutes. A
            // value's key ends in a current value or a void (checked next), so those indexes
            // find whether an indicator has values; only orphans are counted in full.
            "SELECT i.code, (SELECT count(*) FROM value v WHERE v.indicator_id = i.id) \
             FROM indicator i WHERE i.id NOT IN (SELECT indicator_id FROM indicator_def) \
             AND (EXISTS (SELECT 1 FROM value v WHERE v.indicator_id = i.id AND v.replaced_by IS NULL) \
             OR EXISTS (SELECT 1 FROM value v INDEXED BY value_void \
               WHERE v.indicator_id = i.id AND v.replaced_by = v.id)) \
             ORDER BY i.code",
            &|r| {
                Ok(format!(
                    "{} value(s) of `{}`, an indicator no stored version defines",
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(0)?
                ))
            },
        )?;
        query(
            // A key ends in one current value, or in a void nothing has followed yet (which
            // points at itself): either way, exactly one row ends its history.
            "SELECT i.code, v.period, v.disaggregation, \
             sum(v.replaced_by IS NULL OR (v.replaced_by = v.id AND v.kind = 'void')) AS current \
             FROM value v JOIN indicator i ON i.id = v.indicator_id \
             GROUP BY v.indicator_id, v.period, v.disaggregation HAVING current <> 1",
            &|r| {
                let period = super::period_key::from_key(r.get(1)?)
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
             OR n.disaggregation <> v.disaggregation OR (n.id = v.id AND v.kind <> 'void')",
            &|r| {
                Ok(format!(
                    "value {} is marked as corrected by value {}, which is for another indicator, period or disaggregation",
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?
                ))
            },
        )?;
        // The same range the period parser accepts, so every stored period can be exported and
        // imported back.
        let bad = super::period_key::not_a_period_sql;
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
                Ok(format!(
                    "the period stored as {} in the table `{}` is not a fiscal year or quarter from FY{MIN_YEAR} to FY{MAX_YEAR}",
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?
                ))
            },
        )?;
        // SQLite stores an overflow such as 9e999 as infinity; no input path accepts one, and
        // the IATI export and a re-import of exported values refuse it.
        query(
            "SELECT 'value', 'value', count(*) FROM value WHERE abs(value) = 9e999 \
             UNION ALL SELECT 'target', 'value', count(*) FROM target WHERE abs(value) = 9e999 \
             UNION ALL SELECT 'indicator_def', 'baseline_value', count(*) FROM indicator_def \
             WHERE abs(baseline_value) = 9e999",
            &|r| {
                let n: i64 = r.get(2)?;
                Ok(if n == 0 {
                    String::new()
                } else {
                    format!(
                        "{n} row(s) of the table `{}` hold an infinite number in the column `{}`",
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?
                    )
                })
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
        // The readers look an indicator's node up among its own version's nodes only.
        query(
            "SELECT s.label, i.code, n.code, o.label FROM indicator_def d \
             JOIN strategy_version s ON s.id = d.version_id \
             JOIN indicator i ON i.id = d.indicator_id JOIN node n ON n.id = d.node_id \
             JOIN strategy_version o ON o.id = n.version_id \
             WHERE n.version_id <> d.version_id ORDER BY d.id LIMIT 20",
            &|r| {
                Ok(format!(
                    "the indicator `{}` of version `{}` is attached to the node `{}` of version `{}`, outside its own version",
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?
                ))
            },
        )?;
        // Each indicator belongs to one strategy, and only that strategy's versions define it.
        query(
            "SELECT s.label, s.strategy_code, i.code, i.strategy_code FROM indicator_def d \
             JOIN strategy_version s ON s.id = d.version_id \
             JOIN indicator i ON i.id = d.indicator_id \
             WHERE i.strategy_code <> s.strategy_code ORDER BY d.id LIMIT 20",
            &|r| {
                Ok(format!(
                    "the indicator `{}` of the strategy `{}` is defined by version `{}` of the strategy `{}`",
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?
                ))
            },
        )?;
        report.problems.retain(|p| !p.is_empty());
        if report.problems.is_empty() {
            let (values, versions): (i64, i64) = self
                .conn
                .query_row(
                    "SELECT (SELECT count(*) FROM value), (SELECT count(*) FROM strategy_version)",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .map_err(|e| map_err(e, CTX))?;
            report.checked.push(format!(
                "tracker invariants ({versions} version(s) complete, {values} recorded value(s), one current value per indicator, period and disaggregation)"
            ));
            self.check_outlines(report)?;
        }
        Ok(())
    }

    /// Each version's stored outline (what `progress` and `tree` read instead of its rows,
    /// `outline.rs`) is what its rows give now.
    fn check_outlines(&self, report: &mut CheckReport) -> Result<(), Error> {
        let mut same = 0;
        for v in super::framework::all_versions(&self.conn)? {
            // None, or one of a format no reader here reads: nothing to compare.
            let Some((format, body)) = super::outline::stored(&self.conn, &v, CTX)? else {
                continue;
            };
            if !super::outline::readable(format) {
                continue;
            }
            if super::outline::encode(&self.conn, &v, CTX)? == body {
                same += 1;
            } else if super::outline::believed(&self.conn, &body, &v) {
                report.problems.push(format!(
                    "version `{}` of the strategy `{}`: its stored outline (what `progress` and `tree` show) differs from its nodes and indicators; restore the file from a backup",
                    v.label, v.strategy
                ));
            } else {
                report.problems.push(format!(
                    "version `{}` of the strategy `{}`: its stored outline is damaged (ics reads its nodes and indicators instead); restore the file from a backup",
                    v.label, v.strategy
                ));
            }
        }
        if report.problems.is_empty() {
            report
                .checked
                .push(format!("version outlines ({same} the same as their rows)"));
        }
        Ok(())
    }
}

/// Whether `e` says the database is busy: an error of `check` itself, not a problem found.
fn is_busy(e: &Error) -> bool {
    e.to_string().contains("the database is busy")
}

fn is_corrupt(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
    )
}

/// The shape the migrations make, read from a fresh in-memory database.
fn expected_shape() -> rusqlite::Result<Shape> {
    let conn = Connection::open_in_memory()?;
    for migration in schema::MIGRATIONS {
        conn.execute_batch(migration)?;
    }
    shape(&conn)
}

fn shape(conn: &Connection) -> rusqlite::Result<Shape> {
    let names = |kind: &str| -> rusqlite::Result<Vec<String>> {
        conn.prepare(
            "SELECT name FROM sqlite_master WHERE type = ?1 AND name NOT LIKE 'sqlite_%' \
             ORDER BY name",
        )?
        .query_map([kind], |r| r.get(0))?
        .collect()
    };
    let mut tables = BTreeMap::new();
    for table in names("table")? {
        let columns = conn
            .prepare("SELECT name, type FROM pragma_table_info(?1)")?
            .query_map([&table], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<(String, String)>>>()?;
        tables.insert(table, columns);
    }
    let mut others = BTreeSet::new();
    for kind in ["index", "trigger"] {
        others.extend(
            names(kind)?
                .into_iter()
                .map(|name| (kind.to_string(), name)),
        );
    }
    Ok((tables, others))
}

/// The `typeof` results a column of declared type `ty` may hold (besides null).
fn allowed(ty: &str) -> &'static str {
    match ty.to_ascii_uppercase().as_str() {
        "INTEGER" => "'integer'",
        "REAL" => "'integer', 'real'",
        "BLOB" => "'blob'",
        _ => "'text'",
    }
}

fn describe(ty: &str) -> &'static str {
    match ty.to_ascii_uppercase().as_str() {
        "INTEGER" => "a whole number",
        "REAL" => "a number",
        "BLOB" => "binary data",
        _ => "text",
    }
}
