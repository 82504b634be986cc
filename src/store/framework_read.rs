//! Reading a stored version back from SQLite: whole, with only some of its targets, or just
//! the indicator rules that checking a recorded value needs. This file runs the SQL; turning
//! the rows into nodes and indicators, and refusing damaged ones (an unknown kind, unreadable
//! JSON, a period outside the calendar, a parent in another version or a parent cycle), is
//! `framework_rows.rs`, shared with the PostgreSQL store: an error naming what is wrong, never
//! a panic and never a node silently left out of the tree.

pub use super::framework_rows::Targets;
use super::framework_rows::{self, DefRow, Detail, NodeRow, RuleRow, VersionBuilder};
use super::{capacity_hint, damaged, map_err, Store, VersionInfo};
use crate::error::Error;
use crate::framework::*;

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

/// The targets of some periods (`?1..=?2`) of the definitions `?3..=?4`: one range of the
/// `target_period` index, where reading them by definition sought each of 20,000 definitions.
const TARGETS_OF_PERIODS: &str =
    "SELECT def_id, period, value FROM target INDEXED BY target_period \
     WHERE ?1 <= ?2 AND period BETWEEN ?1 AND ?2 AND def_id BETWEEN ?3 AND ?4";

/// Every target (`?1..=?2` all periods) of the definitions `?3..=?4`: one range of the
/// primary key (`+period` keeps SQLite from scanning the whole period index instead).
const TARGETS_OF_DEFINITIONS: &str = "SELECT def_id, period, value FROM target \
     WHERE ?1 <= ?2 AND def_id BETWEEN ?3 AND ?4 AND +period BETWEEN ?1 AND ?2";

/// What [`Store::read_outline`] reads: a version's nodes, links (from, relation, to) and
/// targets (definition, period key, value), as stored.
#[derive(Default)]
struct Outline {
    nodes: Vec<NodeRow>,
    links: Vec<(i64, String, String)>,
    targets: Vec<(i64, i64, f64)>,
}

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
        let mut fw = VersionBuilder::new(version, detail, ctx, &strategy_json, &settings_json)?;
        // The definitions first: their ids bound the targets' read.
        let ids = self.read_definitions(version, detail, &mut fw, ctx)?;
        let outline = self.read_outline(version, wanted, detail, ids, ctx)?;
        for node in outline.nodes {
            fw.node(node)?;
        }
        fw.end_nodes()?;
        for (from, relation, to) in outline.links {
            fw.link(from, &relation, to)?;
        }
        for (def, period, value) in outline.targets {
            fw.target(def, period, value)?;
        }
        fw.finish()
    }

    /// A version's nodes, their links and the targets wanted of the definitions `ids` (the
    /// first and last id), as stored.
    fn read_outline(
        &self,
        version: &VersionInfo,
        wanted: Targets,
        detail: Detail,
        ids: Option<(i64, i64)>,
        ctx: &str,
    ) -> Result<Outline, Error> {
        let mut out = Outline::default();
        {
            let mut stmt = self
                .conn
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
                let id = |c: usize| -> Result<Option<i64>, Error> {
                    r.get(c).map_err(|e| map_err(e, ctx))
                };
                out.nodes.push(NodeRow {
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
                });
            }
        }
        {
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT l.from_id, l.relation, t.code FROM node_link l \
                     JOIN node t ON t.id = l.to_id JOIN node f ON f.id = l.from_id \
                     WHERE f.version_id = ?1 ORDER BY l.from_id, l.relation, l.position",
                )
                .map_err(|e| map_err(e, ctx))?;
            let mut rows = stmt.query([version.id]).map_err(|e| map_err(e, ctx))?;
            while let Some(r) = rows.next().map_err(|e| map_err(e, ctx))? {
                out.links.push((
                    r.get(0).map_err(|e| map_err(e, ctx))?,
                    r.get(1).map_err(|e| map_err(e, ctx))?,
                    r.get(2).map_err(|e| map_err(e, ctx))?,
                ));
            }
        }
        let (from, through) = wanted.keys();
        let Some((lo, hi)) = ids.filter(|_| from <= through) else {
            return Ok(out);
        };
        // A version's definitions are stored together, so their ids are one range, and the
        // targets of that range are this version's (one of another version inside it would
        // be left out at the end: no definition read has its id). The targets of some periods
        // are one range of the `target_period` index; all of them, one of the primary key.
        let mut stmt = self
            .conn
            .prepare_cached(match wanted {
                Targets::Between(_) => TARGETS_OF_PERIODS,
                Targets::All | Targets::None => TARGETS_OF_DEFINITIONS,
            })
            .map_err(|e| map_err(e, ctx))?;
        let mut rows = stmt
            .query(rusqlite::params![from, through, lo, hi])
            .map_err(|e| map_err(e, ctx))?;
        out.targets
            .reserve(super::capacity_hint(version.indicators));
        while let Some(r) = rows.next().map_err(|e| map_err(e, ctx))? {
            out.targets.push((
                r.get(0).map_err(|e| map_err(e, ctx))?,
                r.get(1).map_err(|e| map_err(e, ctx))?,
                r.get(2).map_err(|e| map_err(e, ctx))?,
            ));
        }
        Ok(out)
    }

    /// A version's indicator definitions, into `fw`; the first and last of their ids.
    fn read_definitions(
        &self,
        version: &VersionInfo,
        detail: Detail,
        fw: &mut VersionBuilder<'_>,
        ctx: &str,
    ) -> Result<Option<(i64, i64)>, Error> {
        let mut ids: Option<(i64, i64)> = None;
        let lean = detail != Detail::Full;
        let mut stmt = self
            .conn
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
            ids = Some(ids.map_or((def_id, def_id), |(lo, hi)| {
                (lo.min(def_id), hi.max(def_id))
            }));
            let text =
                |c: usize| -> Result<String, Error> { r.get(c).map_err(|e| map_err(e, ctx)) };
            let opt = |c: usize| -> Result<Option<String>, Error> {
                r.get(c).map_err(|e| map_err(e, ctx))
            };
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
        Ok(ids)
    }
}

#[cfg(test)]
mod tests;
