//! Reading a stored version back from SQLite: whole, with only some of its targets, or just
//! the indicator rules that checking a recorded value needs. This file runs the SQL; turning
//! the rows into nodes and indicators, and refusing damaged ones (an unknown kind, unreadable
//! JSON, a period outside the calendar, a parent in another version or a parent cycle), is
//! `framework_rows.rs`, shared with the PostgreSQL store: an error naming what is wrong, never
//! a panic and never a node silently left out of the tree.

pub use super::framework_rows::Targets;
use super::framework_rows::{self, DefRow, Detail, NodeRow, RowSink, RuleRow, VersionBuilder};
use super::{capacity_hint, damaged, map_err, outline, Store, VersionInfo};
use crate::error::Error;
use crate::framework::*;
use rusqlite::Connection;

/// A version's indicators, in no particular order: sorted by position after reading, since
/// SQLite's sorter spilled the 20,000 wide rows of a big strategy to a temporary file (800
/// writes for one `ics tree`). What every read needs comes first; the prose and the PIRS
/// fields, which only a full read takes, are the last columns ([`PROSE_COLUMN`] on).
const INDICATOR_DEFS: &str = "SELECT d.id, d.node_id, d.baseline_period, d.baseline_value, \
     i.code, d.title, d.unit, d.direction, d.frequency, d.aggregation, d.disaggregations, \
     d.position, d.cumulative, d.ratio_numerator, d.ratio_denominator, \
     d.standard_code, d.source, d.definition, d.illustrative, \
     d.rationale, d.collection_method, d.responsible, d.reporting_frequency, \
     d.data_quality_limitations, d.dqa_date, d.baseline_rationale, d.target_rationale \
     FROM indicator_def d JOIN indicator i ON i.id = d.indicator_id \
     WHERE d.version_id = ?1";

/// [`INDICATOR_DEFS`] without the prose a report does not show: its first columns only
/// (each column read costs, and 20,000 indicators carried 12 columns of NULLs and
/// constants). The disaggregation lists are still read, so a damaged one is refused here as
/// everywhere.
const INDICATOR_DEFS_LEAN: &str = "SELECT d.id, d.node_id, d.baseline_period, d.baseline_value, \
     i.code, d.title, d.unit, d.direction, d.frequency, d.aggregation, d.disaggregations, \
     d.position, d.cumulative, d.ratio_numerator, d.ratio_denominator \
     FROM indicator_def d JOIN indicator i ON i.id = d.indicator_id \
     WHERE d.version_id = ?1";

/// The first column of [`INDICATOR_DEFS`] that [`INDICATOR_DEFS_LEAN`] leaves out.
const PROSE_COLUMN: usize = 15;

/// A version's nodes in order, with their parents' codes (and their versions, to check).
const NODES: &str = "SELECT n.id, n.kind, n.code, p.code AS parent, n.title, n.description, \
     n.justification, n.result_type, n.parent_id, p.version_id AS parent_version, \
     n.linkages, n.risks, n.hypothesis, n.aligns_with \
     FROM node n LEFT JOIN node p ON p.id = n.parent_id \
     WHERE n.version_id = ?1 ORDER BY n.position";

/// [`NODES`] without the prose (description, justification, linkages, risks, hypothesis) or
/// the alignments: what progress reads (its links come from `node_link`).
const NODES_LEAN: &str = "SELECT n.id, n.kind, n.code, p.code AS parent, n.title, \
     NULL AS description, NULL AS justification, n.result_type, n.parent_id, \
     p.version_id AS parent_version, NULL AS linkages, NULL AS risks, NULL AS hypothesis, \
     NULL AS aligns_with \
     FROM node n LEFT JOIN node p ON p.id = n.parent_id \
     WHERE n.version_id = ?1 ORDER BY n.position";

/// [`NODES_LEAN`] with the alignments, which the text tree shows.
const NODES_OUTLINE: &str = "SELECT n.id, n.kind, n.code, p.code AS parent, n.title, \
     NULL AS description, NULL AS justification, n.result_type, n.parent_id, \
     p.version_id AS parent_version, NULL AS linkages, NULL AS risks, NULL AS hypothesis, \
     n.aligns_with \
     FROM node n LEFT JOIN node p ON p.id = n.parent_id \
     WHERE n.version_id = ?1 ORDER BY n.position";

/// The targets of one period (`?1`, which is `?2`) of the definitions `?3..=?4`: one range of
/// the `target_period` index, searched by both, where reading them by definition sought each
/// of 20,000 definitions (15 ms against 1 ms).
const TARGETS_OF_PERIOD: &str =
    "SELECT def_id, period, value FROM target INDEXED BY target_period \
     WHERE period = ?1 AND ?1 = ?2 AND def_id BETWEEN ?3 AND ?4";

/// Up to how many period keys are read one by one ([`TARGETS_OF_PERIOD`]): a fiscal year and
/// its quarters are five.
const FEW_PERIODS: i64 = 64;

/// Every target (`?1..=?2` all periods) of the definitions `?3..=?4`: one range of the
/// primary key (`+period` keeps SQLite from scanning the whole period index instead).
const TARGETS_OF_DEFINITIONS: &str = "SELECT def_id, period, value FROM target \
     WHERE ?1 <= ?2 AND def_id BETWEEN ?3 AND ?4 AND +period BETWEEN ?1 AND ?2";

/// Column `c` as text where it lies (no copy, for the words and JSON of 20,000 indicators); a
/// value that is not text fails as reading it as a `String` does.
fn text_at<'r>(r: &'r rusqlite::Row, c: usize, ctx: &str) -> Result<&'r str, Error> {
    match r.get_ref(c).map_err(|e| map_err(e, ctx))?.as_str() {
        Ok(s) => Ok(s),
        Err(_) => {
            let s: String = r.get(c).map_err(|e| map_err(e, ctx))?;
            // Not reached: what is not text is not a `String` either.
            Err(damaged(
                ctx,
                &format!("the text `{s}` cannot be read where it lies"),
            ))
        }
    }
}

impl Store {
    /// The indicators of a version without their targets, baselines or prose: what checking a
    /// recorded value needs (code, title, unit, direction, frequency, aggregation,
    /// disaggregations). Cheap even for tens of thousands of indicators.
    pub fn indicator_rules(&self, version: &VersionInfo) -> Result<Vec<Indicator>, Error> {
        let ctx = format!("read the indicators of version `{}`", version.label);
        let ctx = ctx.as_str();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT i.code, d.title, d.unit, d.direction, d.frequency, d.aggregation, \
                 d.disaggregations, d.cumulative, d.ratio_numerator, d.ratio_denominator \
                 FROM indicator_def d JOIN indicator i ON i.id = d.indicator_id \
                 WHERE d.version_id = ?1 ORDER BY d.position",
            )
            .map_err(|e| map_err(e, ctx))?;
        let mut rows = stmt.query([version.id]).map_err(|e| map_err(e, ctx))?;
        let mut out = Vec::with_capacity(capacity_hint(version.indicators));
        while let Some(r) = rows.next().map_err(|e| map_err(e, ctx))? {
            let text =
                |i: usize| -> Result<String, Error> { r.get(i).map_err(|e| map_err(e, ctx)) };
            let row = RuleRow {
                code: text(0)?,
                title: text(1)?,
                unit: text(2)?,
                direction: text_at(r, 3, ctx)?,
                frequency: text_at(r, 4, ctx)?,
                aggregation: text_at(r, 5, ctx)?,
                disaggregations: text_at(r, 6, ctx)?,
                cumulative: r.get(7).map_err(|e| map_err(e, ctx))?,
                ratio_numerator: r.get(8).map_err(|e| map_err(e, ctx))?,
                ratio_denominator: r.get(9).map_err(|e| map_err(e, ctx))?,
            };
            out.push(framework_rows::rule(row, ctx)?);
        }
        Ok(out)
    }

    /// Read a whole stored version back into a [`Framework`].
    pub fn framework(&self, version: &VersionInfo) -> Result<Framework, Error> {
        self.framework_with(version, Targets::All)
    }

    /// Read a stored version with only some of its targets: a report on one period needs
    /// that period's targets, not every year's (20,000 indicators carry 500,000 of them).
    pub fn framework_with(
        &self,
        version: &VersionInfo,
        wanted: Targets,
    ) -> Result<Framework, Error> {
        self.read_framework(version, wanted, Detail::Full)
    }

    /// [`Store::framework_with`] without the prose no report shows: node descriptions and
    /// justifications, and indicators' standard codes, sources, definitions, the
    /// illustrative flag and the PIRS fields are left empty. What `progress` and the text tree read.
    pub fn framework_lean(
        &self,
        version: &VersionInfo,
        wanted: Targets,
    ) -> Result<Framework, Error> {
        self.read_framework(version, wanted, Detail::Lean)
    }

    /// [`Store::framework_lean`] with each node's `aligns_with`: what the text tree shows.
    pub fn framework_outline(
        &self,
        version: &VersionInfo,
        wanted: Targets,
    ) -> Result<Framework, Error> {
        self.read_framework(version, wanted, Detail::Outline)
    }

    /// A version's settings alone.
    pub fn settings(&self, version: &VersionInfo) -> Result<Settings, Error> {
        let ctx = format!("read version `{}`", version.label);
        let json: String = self
            .conn
            .query_row(
                "SELECT settings_json FROM strategy_version WHERE id = ?1",
                [version.id],
                |r| r.get(0),
            )
            .map_err(|e| map_err(e, &ctx))?;
        serde_json::from_str(&json).map_err(|_| damaged(&ctx, "its settings cannot be read"))
    }

    fn read_framework(
        &self,
        version: &VersionInfo,
        wanted: Targets,
        detail: Detail,
    ) -> Result<Framework, Error> {
        let ctx = format!("read version `{}`", version.label);
        let ctx = ctx.as_str();
        let (strategy_json, settings_json): (String, String) = self
            .conn
            .query_row(
                "SELECT strategy_json, settings_json FROM strategy_version WHERE id = ?1",
                [version.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| map_err(e, ctx))?;
        let new = || VersionBuilder::new(version, detail, ctx, &strategy_json, &settings_json);
        // Without the prose, the nodes, links and definitions come from the version's stored
        // outline when it has one that reads back whole and builds; else (and on any doubt)
        // from the rows themselves, which are what the outline was written from.
        if detail != Detail::Full {
            let mut fw = new()?;
            if let Some(defs) = outline::read(&self.conn, version, &mut fw) {
                self.read_targets(wanted, &defs, &mut fw, ctx)?;
                if let Ok(done) = fw.finish() {
                    return Ok(done);
                }
            }
        }
        let mut fw = new()?;
        // Nodes and links, then the definitions, whose ids bound the targets' read: the
        // order PostgreSQL reads them in, so both refuse the same damage first.
        read_nodes(&self.conn, version, detail, &mut fw, ctx)?;
        let defs = read_definitions(&self.conn, version, detail, &mut fw, ctx)?;
        self.read_targets(wanted, &defs, &mut fw, ctx)?;
        fw.finish()
    }

    /// The targets `wanted` of the definitions `defs` (their ids, in order), into `fw`. A
    /// version's definitions are stored together, so their ids are one range; a target of
    /// another version's definition inside it is passed over.
    fn read_targets(
        &self,
        wanted: Targets,
        defs: &[i64],
        fw: &mut VersionBuilder<'_>,
        ctx: &str,
    ) -> Result<(), Error> {
        let (from, through) = wanted.keys();
        let (Some(&lo), Some(&hi)) = (defs.first(), defs.last()) else {
            return Ok(());
        };
        if from > through {
            return Ok(());
        }
        // A few periods (a year and its quarters): each is one range of the `target_period`
        // index, searched by period and definition, so other versions' targets of the period
        // are not read. Many: one range of the primary key by definition.
        let few = through.checked_sub(from).is_some_and(|n| n < FEW_PERIODS);
        let (sql, ranges): (&str, Vec<(i64, i64)>) = if few {
            (
                TARGETS_OF_PERIOD,
                (from..=through).map(|k| (k, k)).collect(),
            )
        } else {
            (TARGETS_OF_DEFINITIONS, vec![(from, through)])
        };
        let mut stmt = self.conn.prepare_cached(sql).map_err(|e| map_err(e, ctx))?;
        for (first, last) in ranges {
            let mut rows = stmt
                .query(rusqlite::params![first, last, lo, hi])
                .map_err(|e| map_err(e, ctx))?;
            while let Some(r) = rows.next().map_err(|e| map_err(e, ctx))? {
                let def: i64 = r.get(0).map_err(|e| map_err(e, ctx))?;
                if defs.binary_search(&def).is_ok() {
                    fw.target(
                        def,
                        r.get(1).map_err(|e| map_err(e, ctx))?,
                        r.get(2).map_err(|e| map_err(e, ctx))?,
                    )?;
                }
            }
        }
        Ok(())
    }
}

/// A version's nodes in order and their links, into `fw`.
pub(super) fn read_nodes(
    conn: &Connection,
    version: &VersionInfo,
    detail: Detail,
    fw: &mut impl RowSink,
    ctx: &str,
) -> Result<(), Error> {
    {
        let mut stmt = conn
            .prepare_cached(match detail {
                Detail::Full => NODES,
                Detail::Lean => NODES_LEAN,
                Detail::Outline => NODES_OUTLINE,
            })
            .map_err(|e| map_err(e, ctx))?;
        let mut rows = stmt.query([version.id]).map_err(|e| map_err(e, ctx))?;
        // Columns by position, in the order of the SELECTs above.
        while let Some(r) = rows.next().map_err(|e| map_err(e, ctx))? {
            let get = |c: usize| -> Result<Option<String>, Error> {
                r.get(c).map_err(|e| map_err(e, ctx))
            };
            let id =
                |c: usize| -> Result<Option<i64>, Error> { r.get(c).map_err(|e| map_err(e, ctx)) };
            fw.node(NodeRow {
                id: r.get(0).map_err(|e| map_err(e, ctx))?,
                kind: r.get(1).map_err(|e| map_err(e, ctx))?,
                code: get(2)?,
                parent: get(3)?,
                title: get(4)?,
                description: get(5)?,
                justification: get(6)?,
                result_type: get(7)?,
                parent_id: id(8)?,
                parent_version: id(9)?,
                linkages: get(10)?,
                risks: get(11)?,
                hypothesis: get(12)?,
                aligns_with: get(13)?,
                indicators: None,
            })?;
        }
        fw.end_nodes()?;
    }
    {
        let mut stmt = conn
            .prepare_cached(
                "SELECT l.from_id, l.relation, t.code FROM node_link l \
                 JOIN node t ON t.id = l.to_id JOIN node f ON f.id = l.from_id \
                 WHERE f.version_id = ?1 ORDER BY l.from_id, l.relation, l.position",
            )
            .map_err(|e| map_err(e, ctx))?;
        let mut rows = stmt.query([version.id]).map_err(|e| map_err(e, ctx))?;
        while let Some(r) = rows.next().map_err(|e| map_err(e, ctx))? {
            fw.link(
                r.get(0).map_err(|e| map_err(e, ctx))?,
                text_at(r, 1, ctx)?,
                r.get(2).map_err(|e| map_err(e, ctx))?,
            )?;
        }
    }
    Ok(())
}

/// A version's indicator definitions, into `fw`; their ids, in order.
pub(super) fn read_definitions(
    conn: &Connection,
    version: &VersionInfo,
    detail: Detail,
    fw: &mut impl RowSink,
    ctx: &str,
) -> Result<Vec<i64>, Error> {
    let mut ids = Vec::with_capacity(super::capacity_hint(version.indicators));
    let lean = detail != Detail::Full;
    let mut stmt = conn
        .prepare_cached(if lean {
            INDICATOR_DEFS_LEAN
        } else {
            INDICATOR_DEFS
        })
        .map_err(|e| map_err(e, ctx))?;
    let mut rows = stmt.query([version.id]).map_err(|e| map_err(e, ctx))?;
    // Columns by position, in the order of the SELECT above (reading 20,000 rows by
    // column name spent a quarter of the time looking names up).
    while let Some(r) = rows.next().map_err(|e| map_err(e, ctx))? {
        let def_id: i64 = r.get(0).map_err(|e| map_err(e, ctx))?;
        ids.push(def_id);
        let text = |c: usize| -> Result<String, Error> { r.get(c).map_err(|e| map_err(e, ctx)) };
        let opt =
            |c: usize| -> Result<Option<String>, Error> { r.get(c).map_err(|e| map_err(e, ctx)) };
        let prose = |c: usize| {
            if lean {
                Ok(None)
            } else {
                opt(PROSE_COLUMN + c)
            }
        };
        fw.indicator(DefRow {
            def_id,
            node_id: r.get(1).map_err(|e| map_err(e, ctx))?,
            baseline_period: r.get(2).map_err(|e| map_err(e, ctx))?,
            baseline_value: r.get(3).map_err(|e| map_err(e, ctx))?,
            code: text(4)?,
            title: text(5)?,
            unit: text(6)?,
            direction: text_at(r, 7, ctx)?,
            frequency: text_at(r, 8, ctx)?,
            aggregation: text_at(r, 9, ctx)?,
            disaggregations: text_at(r, 10, ctx)?,
            position: r.get(11).map_err(|e| map_err(e, ctx))?,
            cumulative: r.get(12).map_err(|e| map_err(e, ctx))?,
            ratio_numerator: opt(13)?,
            ratio_denominator: opt(14)?,
            standard_code: prose(0)?,
            source: prose(1)?,
            definition: prose(2)?,
            illustrative: !lean && r.get(PROSE_COLUMN + 3).map_err(|e| map_err(e, ctx))?,
            pirs: if lean {
                None
            } else {
                Some(Pirs {
                    rationale: prose(4)?,
                    collection_method: prose(5)?,
                    responsible: prose(6)?,
                    reporting_frequency: prose(7)?,
                    data_quality_limitations: prose(8)?,
                    dqa_date: prose(9)?,
                    baseline_rationale: prose(10)?,
                    target_rationale: prose(11)?,
                })
            },
        })?;
    }
    ids.sort_unstable();
    Ok(ids)
}

#[cfg(test)]
mod tests;
