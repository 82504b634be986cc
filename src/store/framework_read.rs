//! Reading a stored version back: whole, with only some of its targets, or just the
//! indicator rules that checking a recorded value needs.
//!
//! A damaged row (an unknown kind, unreadable JSON, a period outside the calendar, a parent in
//! another version or a parent cycle) is an error naming what is wrong, never a panic and never
//! a node silently left out of the tree.

use crate::store::period_key::PeriodKey;
use std::collections::{BTreeMap, HashMap};

use super::{capacity_hint, damaged, map_err, stored_period, Store, VersionInfo};
use crate::error::Error;
use crate::framework::*;
use crate::period::{FiscalPeriod, PeriodRange};

/// Which targets to read with a framework.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Targets {
    All,
    None,
    /// Targets of these periods.
    Between(PeriodRange),
}

/// A version's indicators, in no particular order: sorted by position after reading, since
/// SQLite's sorter spilled the 20,000 wide rows of a big strategy to a temporary file (800
/// writes for one `ics tree`).
const INDICATOR_DEFS: &str = "SELECT d.id, d.node_id, d.baseline_period, d.baseline_value, \
     i.code, d.title, d.unit, d.direction, d.frequency, d.aggregation, d.disaggregations, \
     d.standard_code, d.source, d.definition, d.illustrative, d.position, d.cumulative, \
     d.ratio_numerator, d.ratio_denominator, d.rationale, d.collection_method, d.responsible, \
     d.reporting_frequency, d.data_quality_limitations, d.dqa_date, d.baseline_rationale, \
     d.target_rationale \
     FROM indicator_def d JOIN indicator i ON i.id = d.indicator_id \
     WHERE d.version_id = ?1";

/// [`INDICATOR_DEFS`] without the prose a report does not show (standard code, source,
/// definition, illustrative: constants in their places, so the columns keep their positions;
/// the PIRS fields, the last columns, are left out, not read as 8 NULLs for each of 20,000
/// indicators).
/// The disaggregation lists are still read, so a damaged one is refused here as everywhere.
const INDICATOR_DEFS_LEAN: &str = "SELECT d.id, d.node_id, d.baseline_period, d.baseline_value, \
     i.code, d.title, d.unit, d.direction, d.frequency, d.aggregation, d.disaggregations, \
     NULL, NULL, NULL, 0, d.position, d.cumulative, d.ratio_numerator, d.ratio_denominator \
     FROM indicator_def d JOIN indicator i ON i.id = d.indicator_id \
     WHERE d.version_id = ?1";

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

/// How much of a version to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Detail {
    /// Everything.
    Full,
    /// No prose, no alignments: what `progress` reads.
    Lean,
    /// [`Detail::Lean`] with each node's alignments: what the text tree reads.
    Outline,
}

/// Column `c` parsed from its text where it lies (no copy, for the words and JSON of 20,000
/// indicators); a value that is not text is read as a `String`, failing as it always did.
fn parse_text<T>(
    r: &rusqlite::Row,
    c: usize,
    ctx: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, Error> {
    match r.get_ref(c).map_err(|e| map_err(e, ctx))?.as_str() {
        Ok(s) => Ok(parse(s)),
        Err(_) => {
            let s: String = r.get(c).map_err(|e| map_err(e, ctx))?;
            Ok(parse(&s))
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
        let corrupt = || {
            damaged(ctx, "a stored indicator has an unknown direction, frequency, aggregation or disaggregation list")
        };
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
            let disaggregations = text(6)?;
            out.push(Indicator {
                code: text(0)?,
                title: text(1)?,
                unit: text(2)?,
                direction: Direction::parse(&text(3)?).ok_or_else(corrupt)?,
                baseline: None,
                targets: BTreeMap::new(),
                frequency: Frequency::parse(&text(4)?).ok_or_else(corrupt)?,
                aggregation: Aggregation::parse(&text(5)?).ok_or_else(corrupt)?,
                disaggregations: if disaggregations == "{}" {
                    BTreeMap::new()
                } else {
                    serde_json::from_str(&disaggregations).map_err(|_| corrupt())?
                },
                standard_code: None,
                source: None,
                definition: None,
                illustrative: false,
                cumulative: r.get(7).map_err(|e| map_err(e, ctx))?,
                ratio: ratio(
                    r.get(8).map_err(|e| map_err(e, ctx))?,
                    r.get(9).map_err(|e| map_err(e, ctx))?,
                )
                .map_err(|m| damaged(ctx, &m))?,
                pirs: Default::default(),
            });
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

    fn read_framework(
        &self,
        version: &VersionInfo,
        wanted: Targets,
        detail: Detail,
    ) -> Result<Framework, Error> {
        let lean = detail != Detail::Full;
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
        let corrupt = || {
            damaged(ctx, "a stored node or indicator has an unknown kind, type, direction, frequency, aggregation or disaggregation list")
        };
        let strategy: Strategy = serde_json::from_str(&strategy_json).map_err(|e| {
            damaged(
                ctx,
                &format!("its stored strategy description is unreadable ({e})"),
            )
        })?;
        let settings: Settings = serde_json::from_str(&settings_json)
            .map_err(|e| damaged(ctx, &format!("its stored settings are unreadable ({e})")))?;

        let mut nodes: Vec<Node> = Vec::with_capacity(capacity_hint(version.nodes));
        let mut index: HashMap<i64, usize> = HashMap::with_capacity(capacity_hint(version.nodes));
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
            while let Some(r) = rows.next().map_err(|e| map_err(e, ctx))? {
                let kind: String = r.get("kind").map_err(|e| map_err(e, ctx))?;
                let kind = NodeKind::parse(&kind).ok_or_else(corrupt)?;
                let get = |c: &str| -> Result<Option<String>, Error> {
                    r.get(c).map_err(|e| map_err(e, ctx))
                };
                let parent_id: Option<i64> = r.get("parent_id").map_err(|e| map_err(e, ctx))?;
                let parent_version: Option<i64> =
                    r.get("parent_version").map_err(|e| map_err(e, ctx))?;
                if parent_id.is_some() && parent_version != Some(version.id) {
                    return Err(damaged(
                        ctx,
                        &format!(
                            "the node `{}` has a parent outside this version",
                            get("code")?.unwrap_or_default()
                        ),
                    ));
                }
                let mut node = Node::new(
                    kind,
                    &get("code")?.unwrap_or_default(),
                    &get("title")?.unwrap_or_default(),
                    get("parent")?.as_deref(),
                );
                node.description = get("description")?;
                node.justification = get("justification")?;
                if !lean {
                    node.linkages = get("linkages")?;
                    node.risks = get("risks")?;
                    node.hypothesis = get("hypothesis")?;
                }
                if detail == Detail::Lean {
                    // No alignments to read.
                } else if let Some(json) = get("aligns_with")? {
                    node.aligns_with = serde_json::from_str(&json).map_err(|_| {
                        damaged(
                            ctx,
                            &format!(
                                "the node `{}` has an unreadable `aligns_with` list",
                                node.code
                            ),
                        )
                    })?;
                }
                node.result_type = match get("result_type")? {
                    Some(t) => Some(ResultType::parse(&t).ok_or_else(corrupt)?),
                    None => None,
                };
                index.insert(r.get("id").map_err(|e| map_err(e, ctx))?, nodes.len());
                nodes.push(node);
            }
            if let Some(cycle) = parent_cycle(&nodes) {
                return Err(damaged(
                    ctx,
                    &format!("the nodes {cycle} are each other's parents (a cycle)"),
                ));
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
            let rows = stmt
                .query_map([version.id], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })
                .map_err(|e| map_err(e, ctx))?;
            for row in rows {
                let (from, relation, to) = row.map_err(|e| map_err(e, ctx))?;
                let node = &mut nodes[*index.get(&from).ok_or_else(corrupt)?];
                match relation.as_str() {
                    "supports" => node.supports.push(to),
                    _ => node.applies_to.push(to),
                }
            }
        }
        {
            // The targets by indicator definition, in `(def_id, period)` order (the primary
            // key's, as they come): each indicator's are one run, found by binary search.
            let mut targets: Vec<(i64, FiscalPeriod, f64)> = Vec::new();
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT t.def_id, t.period, t.value FROM target t \
                     JOIN indicator_def d ON d.id = t.def_id \
                     WHERE ?2 <= ?3 AND d.version_id = ?1 AND t.period BETWEEN ?2 AND ?3",
                )
                .map_err(|e| map_err(e, ctx))?;
            let (from, through) = match wanted {
                Targets::All => (i64::MIN, i64::MAX),
                Targets::None => (1, 0),
                Targets::Between(r) => (r.from.key(), r.through.key()),
            };
            let rows = stmt
                .query_map(rusqlite::params![version.id, from, through], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, f64>(2)?,
                    ))
                })
                .map_err(|e| map_err(e, ctx))?;
            for row in rows {
                let (def, period, value) = row.map_err(|e| map_err(e, ctx))?;
                let period = stored_period(period, ctx)?;
                targets.push((def, period, value));
            }
            if !targets.is_sorted_by_key(|&(def, period, _)| (def, period)) {
                targets.sort_by_key(|&(def, period, _)| (def, period));
            }
            let mut stmt = self
                .conn
                .prepare_cached(if lean {
                    INDICATOR_DEFS_LEAN
                } else {
                    INDICATOR_DEFS
                })
                .map_err(|e| map_err(e, ctx))?;
            let mut rows = stmt.query([version.id]).map_err(|e| map_err(e, ctx))?;
            // Sorted by position here, not by `ORDER BY` (see INDICATOR_DEFS).
            let mut positions: Vec<Vec<i64>> = vec![Vec::new(); nodes.len()];
            // Columns by position, in the order of the SELECT above (reading 20,000 rows by
            // column name spent a quarter of the time looking names up).
            while let Some(r) = rows.next().map_err(|e| map_err(e, ctx))? {
                let text =
                    |c: usize| -> Result<String, Error> { r.get(c).map_err(|e| map_err(e, ctx)) };
                let opt = |c: usize| -> Result<Option<String>, Error> {
                    r.get(c).map_err(|e| map_err(e, ctx))
                };
                let def_id: i64 = r.get(0).map_err(|e| map_err(e, ctx))?;
                let node_id: i64 = r.get(1).map_err(|e| map_err(e, ctx))?;
                let baseline_period: Option<i64> = r.get(2).map_err(|e| map_err(e, ctx))?;
                let baseline_value: Option<f64> = r.get(3).map_err(|e| map_err(e, ctx))?;
                let baseline = match (baseline_period, baseline_value) {
                    (Some(p), Some(value)) => Some(Baseline {
                        period: stored_period(p, ctx)?,
                        value,
                    }),
                    _ => None,
                };
                let indicator = Indicator {
                    code: text(4)?,
                    title: text(5)?,
                    unit: text(6)?,
                    direction: parse_text(r, 7, ctx, Direction::parse)?.ok_or_else(corrupt)?,
                    baseline,
                    targets: {
                        let from = targets.partition_point(|t| t.0 < def_id);
                        let run = &targets[from..];
                        let len = run.partition_point(|t| t.0 == def_id);
                        run[..len].iter().map(|&(_, p, v)| (p, v)).collect()
                    },
                    frequency: parse_text(r, 8, ctx, Frequency::parse)?.ok_or_else(corrupt)?,
                    aggregation: parse_text(r, 9, ctx, Aggregation::parse)?.ok_or_else(corrupt)?,
                    disaggregations: parse_text(r, 10, ctx, |s| match s {
                        "{}" => Some(BTreeMap::new()),
                        _ => serde_json::from_str(s).ok(),
                    })?
                    .ok_or_else(corrupt)?,
                    standard_code: opt(11)?,
                    source: opt(12)?,
                    definition: opt(13)?,
                    illustrative: r.get(14).map_err(|e| map_err(e, ctx))?,
                    cumulative: r.get(16).map_err(|e| map_err(e, ctx))?,
                    ratio: ratio(opt(17)?, opt(18)?).map_err(|m| damaged(ctx, &m))?,
                    pirs: if lean {
                        Default::default()
                    } else {
                        Pirs {
                            rationale: opt(19)?,
                            collection_method: opt(20)?,
                            responsible: opt(21)?,
                            reporting_frequency: opt(22)?,
                            data_quality_limitations: opt(23)?,
                            dqa_date: opt(24)?,
                            baseline_rationale: opt(25)?,
                            target_rationale: opt(26)?,
                        }
                        .into()
                    },
                };
                let position: i64 = r.get(15).map_err(|e| map_err(e, ctx))?;
                let node = *index.get(&node_id).ok_or_else(|| {
                    damaged(
                        ctx,
                        &format!(
                            "the indicator `{}` is attached to a node outside this version",
                            indicator.code
                        ),
                    )
                })?;
                nodes[node].indicators.push(indicator);
                positions[node].push(position);
            }
            // Each node's indicators in position order (they mostly come in that order).
            for (node, positions) in nodes.iter_mut().zip(positions) {
                if !positions.is_sorted() {
                    let mut both: Vec<(i64, Indicator)> = positions
                        .into_iter()
                        .zip(node.indicators.drain(..))
                        .collect();
                    both.sort_by_key(|(position, _)| *position);
                    node.indicators = both.into_iter().map(|(_, i)| i).collect();
                }
            }
        }
        Ok(Framework {
            strategy,
            settings,
            nodes,
        })
    }
}

/// A stored ratio: both labels or neither.
fn ratio(numerator: Option<String>, denominator: Option<String>) -> Result<Option<Ratio>, String> {
    match (numerator, denominator) {
        (Some(numerator), Some(denominator)) => Ok(Some(Ratio {
            numerator,
            denominator,
        })),
        (None, None) => Ok(None),
        _ => Err("a stored ratio indicator has a numerator label without a denominator label, or the reverse".into()),
    }
}

/// A parent cycle among `nodes`, as `` `A` → `B` → `A` ``, or `None`. Parents are codes of the
/// same version (checked as the rows are read). Each walk up stops after `nodes.len()` steps, so
/// a cycle cannot loop, and a walk that gets that far has entered one.
fn parent_cycle(nodes: &[Node]) -> Option<String> {
    let parent: HashMap<&str, &str> = nodes
        .iter()
        .filter_map(|n| Some((n.code.as_str(), n.parent.as_deref()?)))
        .collect();
    let up = |code: &str| parent.get(code).copied();
    for n in nodes {
        let mut cur = n.code.as_str();
        let mut steps = 0;
        while let Some(p) = up(cur) {
            cur = p;
            steps += 1;
            if steps > nodes.len() {
                // `cur` is on the cycle: walk it once to name it.
                let mut names = vec![format!("`{cur}`")];
                let mut at = up(cur)?;
                while at != cur {
                    names.push(format!("`{at}`"));
                    at = up(at)?;
                }
                names.push(format!("`{cur}`"));
                return Some(names.join(" → "));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests;
