//! Strategy versions on PostgreSQL: storing a framework, listing and resolving versions,
//! reading one back, and the strategies a database holds.
//!
//! A version is saved in one transaction under the writers' lock, in bulk: ids for its nodes
//! and indicator definitions are drawn from their sequences in one query each, the indicator
//! codes are upserted as one array, and the rows go in by binary `COPY` (a 20,000-indicator
//! strategy has 500,000 targets: no round trip per row). Reading back runs the SQL here and
//! hands the rows to `framework_rows.rs`, which the SQLite store shares, so both refuse the
//! same damage with the same sentences. Every version read is scoped to the strategy in use
//! ([`PgStore::use_strategy`]).

use std::collections::HashMap;

use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{FromSql, ToSql, Type};
use postgres::{Row, Transaction};

use super::PgStore;
use crate::error::Error;
use crate::framework::{Framework, Indicator, NodeKind, Pirs, ResultType};
use crate::store::framework_rows::{
    self, messages, DefRow, Detail, NodeRow, RuleRow, VersionBuilder,
};
use crate::store::period_key::PeriodKey;
use crate::store::{damaged, SaveOutcome, StrategyInfo, StrategyVersions, Targets, VersionInfo};

const VERSION_COLUMNS: &str = "id, label, strategy_code, title, loaded_at, content_hash, \
     source_file, node_count, indicator_count";

/// Column `c` of `r`, or the damaged-database error (the columns are typed: only a table
/// altered by hand gives another type).
fn get<'r, T: FromSql<'r>>(r: &'r Row, c: usize, ctx: &str) -> Result<T, Error> {
    r.try_get(c).map_err(|_| {
        damaged(
            ctx,
            &format!(
                "the column `{}` holds a value of another type than ics wrote",
                r.columns().get(c).map_or("?", |col| col.name())
            ),
        )
    })
}

fn version_row(r: &Row, ctx: &str) -> Result<VersionInfo, Error> {
    let count = |c: usize| -> Result<usize, Error> {
        let n: i64 = get(r, c, ctx)?;
        usize::try_from(n)
            .map_err(|_| damaged(ctx, &format!("the stored number {n} is out of range")))
    };
    Ok(VersionInfo {
        id: get(r, 0, ctx)?,
        label: get(r, 1, ctx)?,
        strategy: get(r, 2, ctx)?,
        title: get(r, 3, ctx)?,
        loaded_at: get(r, 4, ctx)?,
        content_hash: get(r, 5, ctx)?,
        source_file: get(r, 6, ctx)?,
        nodes: count(7)?,
        indicators: count(8)?,
    })
}

/// Which strategy `code` (or, with `None`, the only one of `codes`) is to be used; the errors
/// list the stored codes.
fn choose_strategy(code: Option<&str>, codes: &[String]) -> Result<Option<String>, Error> {
    let listed = || {
        codes
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (code, codes) {
        (None, []) => Ok(None),
        (None, [only]) => Ok(Some(only.clone())),
        (None, _) => Err(Error::input_with_hint(
            format!(
                "the database holds {} strategies: {}; say which one",
                codes.len(),
                listed()
            ),
            "pass --strategy CODE (or set ICS_STRATEGY)",
        )),
        (Some(code), []) => Err(Error::input_with_hint(
            format!("no strategy `{code}`: the database holds no strategy yet"),
            "load one with `ics load framework.toml`",
        )),
        (Some(code), _) if codes.iter().any(|c| c == code) => Ok(Some(code.to_string())),
        (Some(code), _) => Err(Error::input_with_hint(
            format!("the database holds no strategy `{code}`"),
            format!("stored strategies: {}", listed()),
        )),
    }
}

impl PgStore {
    /// Every strategy the database holds, ordered by code.
    pub fn strategies(&self) -> Result<Vec<StrategyInfo>, Error> {
        let ctx = "list the stored strategies";
        let rows = self
            .client
            .borrow_mut()
            .query(
                "WITH newest AS ( \
                   SELECT DISTINCT ON (strategy_code) strategy_code, title, label \
                   FROM strategy_version ORDER BY strategy_code, id DESC), \
                 counts AS ( \
                   SELECT strategy_code, count(*) AS n FROM strategy_version GROUP BY 1), \
                 vals AS ( \
                   SELECT i.strategy_code, \
                          count(*) FILTER (WHERE v.replaced_by IS NULL) AS current, \
                          max(v.recorded_at COLLATE \"C\") AS last \
                   FROM value v JOIN indicator i ON i.id = v.indicator_id GROUP BY 1) \
                 SELECT n.strategy_code, n.title, n.label, c.n, coalesce(vals.current, 0), \
                        vals.last \
                 FROM newest n JOIN counts c USING (strategy_code) \
                 LEFT JOIN vals USING (strategy_code) \
                 ORDER BY n.strategy_code COLLATE \"C\"",
                &[],
            )
            .map_err(|e| self.map_err(e, ctx))?;
        rows.iter()
            .map(|r| {
                let versions: i64 = get(r, 3, ctx)?;
                let values: i64 = get(r, 4, ctx)?;
                Ok(StrategyInfo {
                    code: get(r, 0, ctx)?,
                    title: get(r, 1, ctx)?,
                    latest: get(r, 2, ctx)?,
                    versions: versions as usize,
                    values: values as u64,
                    last_recorded: get(r, 5, ctx)?,
                })
            })
            .collect()
    }

    /// Scope every later call to one strategy: `Some(code)`, or with `None` the only strategy
    /// the database holds. `None` with several stored is an error listing their codes (hint
    /// "pass --strategy CODE (or set ICS_STRATEGY)"), as is an unknown code; `None` with none
    /// stored is fine.
    pub fn use_strategy(&mut self, code: Option<&str>) -> Result<(), Error> {
        let codes = self.strategy_codes()?;
        self.strategy = choose_strategy(code, &codes)?;
        Ok(())
    }

    /// With exactly one strategy stored, use it (what opening does).
    pub(super) fn use_only_strategy(&mut self) -> Result<(), Error> {
        if let [only] = &self.strategy_codes()?[..] {
            self.strategy = Some(only.clone());
        }
        Ok(())
    }

    fn strategy_codes(&self) -> Result<Vec<String>, Error> {
        let ctx = "list the stored strategies";
        let rows = self
            .client
            .borrow_mut()
            .query(
                "SELECT DISTINCT strategy_code COLLATE \"C\" FROM strategy_version ORDER BY 1",
                &[],
            )
            .map_err(|e| self.map_err(e, ctx))?;
        rows.iter().map(|r| get(r, 0, ctx)).collect()
    }

    /// The strategy in use, for queries (`NULL` matches nothing: no strategy stored yet).
    fn scope(&self) -> Option<&str> {
        self.strategy.as_deref()
    }

    fn read_framework(
        &self,
        version: &VersionInfo,
        wanted: Targets,
        detail: Detail,
    ) -> Result<Framework, Error> {
        let ctx = format!("read version `{}`", version.label);
        let ctx = ctx.as_str();
        let mut client = self.client.borrow_mut();
        let fail = |e| self.map_err(e, ctx);
        let row = client
            .query_one(
                "SELECT strategy_json, settings_json FROM strategy_version WHERE id = $1",
                &[&version.id],
            )
            .map_err(fail)?;
        let mut fw =
            VersionBuilder::new(version, detail, ctx, get(&row, 0, ctx)?, get(&row, 1, ctx)?)?;
        let (prose, aligns) = match detail {
            Detail::Full => ("n.description, n.justification", "n.aligns_with"),
            Detail::Lean => ("NULL::text, NULL::text", "NULL::text"),
            Detail::Outline => ("NULL::text, NULL::text", "n.aligns_with"),
        };
        let more = if detail == Detail::Full {
            "n.linkages, n.risks, n.hypothesis"
        } else {
            "NULL::text, NULL::text, NULL::text"
        };
        let nodes = client
            .query(
                &format!(
                    "SELECT n.id, n.kind, n.code, p.code, n.title, {prose}, n.result_type, \
                     n.parent_id, p.version_id, {more}, {aligns} \
                     FROM node n LEFT JOIN node p ON p.id = n.parent_id \
                     WHERE n.version_id = $1 ORDER BY n.position"
                ),
                &[&version.id],
            )
            .map_err(fail)?;
        for r in &nodes {
            fw.node(NodeRow {
                id: get(r, 0, ctx)?,
                kind: get(r, 1, ctx)?,
                code: get(r, 2, ctx)?,
                parent: get(r, 3, ctx)?,
                title: get(r, 4, ctx)?,
                description: get(r, 5, ctx)?,
                justification: get(r, 6, ctx)?,
                result_type: get(r, 7, ctx)?,
                parent_id: get(r, 8, ctx)?,
                parent_version: get(r, 9, ctx)?,
                linkages: get(r, 10, ctx)?,
                risks: get(r, 11, ctx)?,
                hypothesis: get(r, 12, ctx)?,
                aligns_with: get(r, 13, ctx)?,
                indicators: None,
            })?;
        }
        fw.end_nodes()?;
        let links = client
            .query(
                "SELECT l.from_id, l.relation, t.code FROM node_link l \
                 JOIN node t ON t.id = l.to_id JOIN node f ON f.id = l.from_id \
                 WHERE f.version_id = $1 ORDER BY l.from_id, l.relation, l.position",
                &[&version.id],
            )
            .map_err(fail)?;
        for r in &links {
            fw.link(get(r, 0, ctx)?, get(r, 1, ctx)?, get(r, 2, ctx)?)?;
        }
        let full = detail == Detail::Full;
        let (prose, pirs) = if full {
            (
                "d.standard_code, d.source, d.definition, d.illustrative",
                ", d.rationale, d.collection_method, d.responsible, d.reporting_frequency, \
                 d.data_quality_limitations, d.dqa_date, d.baseline_rationale, \
                 d.target_rationale",
            )
        } else {
            ("NULL::text, NULL::text, NULL::text, FALSE", "")
        };
        let defs = client
            .query(
                &format!(
                    "SELECT d.id, d.node_id, d.baseline_period, d.baseline_value, i.code, \
                     d.title, d.unit, d.direction, d.frequency, d.aggregation, \
                     d.disaggregations, {prose}, d.position, d.cumulative, \
                     d.ratio_numerator, d.ratio_denominator{pirs} \
                     FROM indicator_def d JOIN indicator i ON i.id = d.indicator_id \
                     WHERE d.version_id = $1"
                ),
                &[&version.id],
            )
            .map_err(fail)?;
        for r in &defs {
            fw.indicator(DefRow {
                def_id: get(r, 0, ctx)?,
                node_id: get(r, 1, ctx)?,
                baseline_period: get(r, 2, ctx)?,
                baseline_value: get(r, 3, ctx)?,
                code: get(r, 4, ctx)?,
                title: get(r, 5, ctx)?,
                unit: get(r, 6, ctx)?,
                direction: get(r, 7, ctx)?,
                frequency: get(r, 8, ctx)?,
                aggregation: get(r, 9, ctx)?,
                disaggregations: get(r, 10, ctx)?,
                standard_code: get(r, 11, ctx)?,
                source: get(r, 12, ctx)?,
                definition: get(r, 13, ctx)?,
                illustrative: get(r, 14, ctx)?,
                position: get(r, 15, ctx)?,
                cumulative: get(r, 16, ctx)?,
                ratio_numerator: get(r, 17, ctx)?,
                ratio_denominator: get(r, 18, ctx)?,
                pirs: if full {
                    Some(Pirs {
                        rationale: get(r, 19, ctx)?,
                        collection_method: get(r, 20, ctx)?,
                        responsible: get(r, 21, ctx)?,
                        reporting_frequency: get(r, 22, ctx)?,
                        data_quality_limitations: get(r, 23, ctx)?,
                        dqa_date: get(r, 24, ctx)?,
                        baseline_rationale: get(r, 25, ctx)?,
                        target_rationale: get(r, 26, ctx)?,
                    })
                } else {
                    None
                },
            })?;
        }
        // The targets after the definitions, as the SQLite store reads them, so both refuse
        // the same damage first.
        let (from, through) = wanted.keys();
        let targets = client
            .query(
                "SELECT t.def_id, t.period, t.value FROM target t \
                 JOIN indicator_def d ON d.id = t.def_id \
                 WHERE $2::bigint <= $3::bigint AND d.version_id = $1 \
                 AND t.period BETWEEN $2 AND $3 \
                 ORDER BY t.def_id, t.period",
                &[&version.id, &from, &through],
            )
            .map_err(fail)?;
        for r in &targets {
            fw.target(get(r, 0, ctx)?, get(r, 1, ctx)?, get(r, 2, ctx)?)?;
        }
        drop(targets);
        fw.finish()
    }
}

/// `n` fresh ids from the identity sequence of `table`.
fn fresh_ids(tx: &mut Transaction<'_>, table: &str, n: usize) -> Result<Vec<i64>, postgres::Error> {
    let row = tx.query_one(
        "SELECT coalesce(array_agg(nextval(pg_get_serial_sequence($1, 'id')::regclass)), '{}') \
         FROM generate_series(1, $2::bigint)",
        &[&table, &(n as i64)],
    )?;
    row.try_get(0)
}

/// A binary `COPY` into `table (columns)` of the given column types.
fn copy_in<'a>(
    tx: &'a mut Transaction<'_>,
    table_columns: &str,
    types: &[Type],
) -> Result<BinaryCopyInWriter<'a>, postgres::Error> {
    let writer = tx.copy_in(&format!("COPY {table_columns} FROM STDIN (FORMAT binary)"))?;
    Ok(BinaryCopyInWriter::new(writer, types))
}

/// Write every row of `fw` (a new version `version_id`) in bulk.
fn insert_rows(
    tx: &mut Transaction<'_>,
    fw: &Framework,
    version_id: i64,
) -> Result<(), postgres::Error> {
    let node_ids = fresh_ids(tx, "node", fw.nodes.len())?;
    let def_ids = fresh_ids(tx, "indicator_def", fw.indicator_count())?;
    // Indicator codes are kept per strategy, across versions: one upsert for all of them.
    let codes: Vec<&str> = fw
        .nodes
        .iter()
        .flat_map(|n| n.indicators.iter().map(|i| i.code.as_str()))
        .collect();
    let strategy = fw.strategy.code.as_str();
    tx.execute(
        "INSERT INTO indicator (strategy_code, code) SELECT $1, c FROM unnest($2::text[]) c \
         ON CONFLICT (strategy_code, code) DO NOTHING",
        &[&strategy, &codes],
    )?;
    let indicator_ids: HashMap<String, i64> = tx
        .query(
            "SELECT code, id FROM indicator WHERE strategy_code = $1 AND code = ANY($2)",
            &[&strategy, &codes],
        )?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, postgres::Error>>()?;

    // A node's parent is one listed before it (as the SQLite store reads it).
    let mut ids: HashMap<&str, i64> = HashMap::with_capacity(fw.nodes.len());
    let mut nodes = copy_in(
        tx,
        "node (id, version_id, position, kind, code, parent_id, title, description, \
         justification, result_type, linkages, risks, hypothesis, aligns_with)",
        &[
            Type::INT8,
            Type::INT8,
            Type::INT8,
            Type::TEXT,
            Type::TEXT,
            Type::INT8,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
        ],
    )?;
    for (i, (node, &id)) in fw.nodes.iter().zip(&node_ids).enumerate() {
        let parent_id = node.parent.as_deref().and_then(|p| ids.get(p).copied());
        let aligns_with = (!node.aligns_with.is_empty())
            .then(|| serde_json::to_string(&node.aligns_with).expect("alignments serialise"));
        nodes.write(&[
            &id,
            &version_id,
            &(i as i64),
            &node.kind.as_str(),
            &node.code,
            &parent_id,
            &node.title,
            &node.description,
            &node.justification,
            &node.result_type.map(ResultType::as_str),
            &node.linkages,
            &node.risks,
            &node.hypothesis,
            &aligns_with,
        ])?;
        ids.insert(node.code.as_str(), id);
    }
    nodes.finish()?;

    let mut defs = copy_in(
        tx,
        "indicator_def (id, version_id, indicator_id, node_id, position, title, unit, \
         direction, frequency, aggregation, baseline_period, baseline_value, disaggregations, \
         standard_code, source, definition, illustrative, cumulative, ratio_numerator, \
         ratio_denominator, rationale, collection_method, responsible, reporting_frequency, \
         data_quality_limitations, dqa_date, baseline_rationale, target_rationale)",
        &[
            Type::INT8,
            Type::INT8,
            Type::INT8,
            Type::INT8,
            Type::INT8,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::INT8,
            Type::FLOAT8,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::BOOL,
            Type::BOOL,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
        ],
    )?;
    let mut def_id = def_ids.iter();
    let mut position = 0i64;
    for (node, &node_id) in fw.nodes.iter().zip(&node_ids) {
        for ind in &node.indicators {
            let id = *def_id.next().expect("one id per indicator");
            let disaggs = serde_json::to_string(&ind.disaggregations).expect("map serialises");
            let values: [&(dyn ToSql + Sync); 28] = [
                &id,
                &version_id,
                &indicator_ids[ind.code.as_str()],
                &node_id,
                &position,
                &ind.title,
                &ind.unit,
                &ind.direction.as_str(),
                &ind.frequency.as_str(),
                &ind.aggregation.as_str(),
                &ind.baseline.map(|b| b.period.key()),
                &ind.baseline.map(|b| b.value),
                &disaggs,
                &ind.standard_code,
                &ind.source,
                &ind.definition,
                &ind.illustrative,
                &ind.cumulative,
                &ind.ratio.as_ref().map(|r| r.numerator.as_str()),
                &ind.ratio.as_ref().map(|r| r.denominator.as_str()),
                &ind.pirs.rationale,
                &ind.pirs.collection_method,
                &ind.pirs.responsible,
                &ind.pirs.reporting_frequency,
                &ind.pirs.data_quality_limitations,
                &ind.pirs.dqa_date,
                &ind.pirs.baseline_rationale,
                &ind.pirs.target_rationale,
            ];
            defs.write(&values)?;
            position += 1;
        }
    }
    defs.finish()?;

    let mut targets = copy_in(
        tx,
        "target (def_id, period, value)",
        &[Type::INT8, Type::INT8, Type::FLOAT8],
    )?;
    let all = fw.nodes.iter().flat_map(|n| &n.indicators);
    for (ind, id) in all.zip(&def_ids) {
        for (period, value) in &ind.targets {
            targets.write(&[id, &period.key(), value])?;
        }
    }
    targets.finish()?;

    let mut links = copy_in(
        tx,
        "node_link (from_id, relation, position, to_id)",
        &[Type::INT8, Type::TEXT, Type::INT8, Type::INT8],
    )?;
    for node in &fw.nodes {
        let from = ids[node.code.as_str()];
        for (relation, to) in [
            ("supports", &node.supports),
            ("applies_to", &node.applies_to),
        ] {
            for (i, target) in to.iter().enumerate() {
                let Some(to) = ids.get(target.as_str()) else {
                    continue;
                };
                links.write(&[&from, &relation, &(i as i64), to])?;
            }
        }
    }
    links.finish()?;
    Ok(())
}

/// What saving a version is doing, for messages.
const SAVE_CTX: &str = "store the strategy";

/// [`StrategyVersions::save_version`] inside a transaction the caller holds (the command's own,
/// or the one `ics copy` writes a whole strategy in); `shown` names the database in messages.
pub(super) fn save_in(
    tx: &mut Transaction<'_>,
    fw: &Framework,
    label: &str,
    source_file: Option<&str>,
    loaded_at: &str,
    shown: &str,
) -> Result<SaveOutcome, Error> {
    let ctx = SAVE_CTX;
    crate::framework::check_label(label).map_err(Error::input)?;
    let hash = fw.content_hash();
    let code = fw.strategy.code.as_str();
    let fail = |e| super::map_err(e, ctx, shown);
    let newest = tx
        .query_opt(
            "SELECT label, content_hash FROM strategy_version \
             WHERE strategy_code = $1 ORDER BY id DESC LIMIT 1",
            &[&code],
        )
        .map_err(fail)?;
    if let Some(r) = newest {
        let (newest_label, newest_hash) = (get::<String>(&r, 0, ctx)?, get::<String>(&r, 1, ctx)?);
        if newest_hash == hash {
            return Ok(SaveOutcome::Unchanged {
                label: newest_label,
            });
        }
    }
    let exists: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM strategy_version \
             WHERE strategy_code = $1 AND label = $2)",
            &[&code, &label],
        )
        .map_err(fail)?
        .get(0);
    if exists {
        return Err(messages::label_exists(label));
    }
    let strategy_json = serde_json::to_string(&fw.strategy).expect("strategy serialises");
    let settings_json = serde_json::to_string(&fw.settings).expect("settings serialise");
    let version_id: i64 = tx
        .query_one(
            "INSERT INTO strategy_version (label, strategy_code, title, \
             loaded_at, content_hash, source_file, strategy_json, settings_json, \
             node_count, indicator_count) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            &[
                &label,
                &code,
                &fw.strategy.title,
                &loaded_at,
                &hash,
                &source_file,
                &strategy_json,
                &settings_json,
                &(fw.nodes.len() as i64),
                &(fw.indicator_count() as i64),
            ],
        )
        .map_err(fail)?
        .get(0);
    insert_rows(tx, fw, version_id).map_err(fail)?;
    Ok(SaveOutcome::Stored {
        label: label.to_string(),
    })
}

impl StrategyVersions for PgStore {
    fn save_version(
        &mut self,
        fw: &Framework,
        label: &str,
        source_file: Option<&str>,
        loaded_at: &str,
    ) -> Result<SaveOutcome, Error> {
        crate::framework::check_label(label).map_err(Error::input)?;
        let shown = self.shown().to_string();
        let author = self.author.clone();
        let mut tx = self.write_tx(SAVE_CTX)?;
        let outcome = save_in(&mut tx, fw, label, source_file, loaded_at, &shown)?;
        if let SaveOutcome::Stored { label } = &outcome {
            super::workflow::log_version(
                &mut tx,
                &author,
                loaded_at,
                &fw.strategy.code,
                label,
                source_file,
                &shown,
            )?;
        }
        tx.commit()
            .map_err(|e| super::map_err(e, SAVE_CTX, &shown))?;
        self.strategy = Some(fw.strategy.code.clone());
        Ok(outcome)
    }

    fn versions(&self) -> Result<Vec<VersionInfo>, Error> {
        let ctx = "list the stored versions";
        let rows = self
            .client
            .borrow_mut()
            .query(
                &format!(
                    "SELECT {VERSION_COLUMNS} FROM strategy_version \
                     WHERE strategy_code = $1 ORDER BY id"
                ),
                &[&self.scope()],
            )
            .map_err(|e| self.map_err(e, ctx))?;
        rows.iter().map(|r| version_row(r, ctx)).collect()
    }

    fn resolve_version(&self, spec: Option<&str>) -> Result<VersionInfo, Error> {
        let ctx = "find the strategy version";
        let query = |sql: &str, p: &(dyn ToSql + Sync)| -> Result<Option<VersionInfo>, Error> {
            let row = self
                .client
                .borrow_mut()
                .query_opt(
                    &format!(
                        "SELECT {VERSION_COLUMNS} FROM strategy_version \
                         WHERE strategy_code = $1 {sql}"
                    ),
                    &[&self.scope(), p],
                )
                .map_err(|e| self.map_err(e, ctx))?;
            row.map(|r| version_row(&r, ctx)).transpose()
        };
        match spec {
            None | Some("@latest") => {
                query("ORDER BY id DESC LIMIT $2", &1i64)?.ok_or_else(messages::none_stored)
            }
            Some("@previous") => query("ORDER BY id DESC LIMIT 1 OFFSET $2", &1i64)?
                .ok_or_else(messages::no_previous),
            Some(label) => match query("AND label = $2", &label)? {
                Some(v) => Ok(v),
                None => {
                    let labels: Vec<String> = self
                        .versions()
                        .map(|v| v.into_iter().map(|v| v.label).collect())
                        .unwrap_or_default();
                    Err(messages::no_such_label(label, &labels))
                }
            },
        }
    }

    fn node_counts(&self, version: &VersionInfo) -> Result<Vec<(NodeKind, usize)>, Error> {
        let ctx = "count the strategy's nodes";
        let rows = self
            .client
            .borrow_mut()
            .query(
                "SELECT kind, count(*) FROM node WHERE version_id = $1 GROUP BY kind",
                &[&version.id],
            )
            .map_err(|e| self.map_err(e, ctx))?;
        let mut counts = Vec::new();
        for r in &rows {
            let kind: &str = get(r, 0, ctx)?;
            let count: i64 = get(r, 1, ctx)?;
            let kind = NodeKind::parse(kind)
                .ok_or_else(|| damaged(ctx, &format!("a node has the unknown kind `{kind}`")))?;
            counts.push((kind, count as usize));
        }
        counts.sort();
        Ok(counts)
    }

    fn indicator_rules(&self, version: &VersionInfo) -> Result<Vec<Indicator>, Error> {
        let ctx = format!("read the indicators of version `{}`", version.label);
        let ctx = ctx.as_str();
        let rows = self
            .client
            .borrow_mut()
            .query(
                "SELECT i.code, d.title, d.unit, d.direction, d.frequency, d.aggregation, \
                 d.disaggregations, d.cumulative, d.ratio_numerator, d.ratio_denominator \
                 FROM indicator_def d JOIN indicator i ON i.id = d.indicator_id \
                 WHERE d.version_id = $1 ORDER BY d.position",
                &[&version.id],
            )
            .map_err(|e| self.map_err(e, ctx))?;
        rows.iter()
            .map(|r| {
                let row = RuleRow {
                    code: get(r, 0, ctx)?,
                    title: get(r, 1, ctx)?,
                    unit: get(r, 2, ctx)?,
                    direction: get(r, 3, ctx)?,
                    frequency: get(r, 4, ctx)?,
                    aggregation: get(r, 5, ctx)?,
                    disaggregations: get(r, 6, ctx)?,
                    cumulative: get(r, 7, ctx)?,
                    ratio_numerator: get(r, 8, ctx)?,
                    ratio_denominator: get(r, 9, ctx)?,
                };
                framework_rows::rule(row, ctx)
            })
            .collect()
    }

    fn framework_with(&self, version: &VersionInfo, wanted: Targets) -> Result<Framework, Error> {
        self.read_framework(version, wanted, Detail::Full)
    }

    fn framework_lean(&self, version: &VersionInfo, wanted: Targets) -> Result<Framework, Error> {
        self.read_framework(version, wanted, Detail::Lean)
    }

    fn framework_outline(
        &self,
        version: &VersionInfo,
        wanted: Targets,
    ) -> Result<Framework, Error> {
        self.read_framework(version, wanted, Detail::Outline)
    }

    /// One row, not the framework: every write asks for the settings (review, the automatic
    /// lock), and reading a 20,000-indicator framework takes seconds on a server.
    fn settings(&self, version: &VersionInfo) -> Result<crate::framework::Settings, Error> {
        let ctx = format!("read version `{}`", version.label);
        let row = self
            .client
            .borrow_mut()
            .query_one(
                "SELECT settings_json FROM strategy_version WHERE id = $1",
                &[&version.id],
            )
            .map_err(|e| self.map_err(e, &ctx))?;
        let json: &str = get(&row, 0, &ctx)?;
        serde_json::from_str(json).map_err(|_| damaged(&ctx, "its settings cannot be read"))
    }
}

#[cfg(test)]
mod tests;
