//! Storing strategy versions and finding them (labels, `@latest`, `@previous`); reading one
//! back is in `framework_read.rs`.

use crate::store::period_key::PeriodKey;
use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use super::{map_err, Store};
use crate::error::Error;
use crate::framework::*;

/// One stored version of the strategy.
#[derive(Debug, Clone, Serialize)]
pub struct VersionInfo {
    #[serde(skip)]
    pub id: i64,
    pub label: String,
    pub strategy: String,
    pub title: String,
    pub loaded_at: String,
    pub content_hash: String,
    pub source_file: Option<String>,
    pub nodes: usize,
    pub indicators: usize,
}

/// One strategy the database holds, as `ics strategies` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct StrategyInfo {
    /// `strategy.code` of its framework file.
    pub code: String,
    /// The newest version's title.
    pub title: String,
    /// The newest version's label.
    pub latest: String,
    /// How many versions are stored.
    pub versions: usize,
    /// How many current values its indicators have.
    pub values: u64,
    /// The newest `recorded_at` of any of its value rows (RFC 3339 UTC, as stored).
    pub last_recorded: Option<String>,
}

/// What `load` did.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveOutcome {
    /// A new version was stored.
    Stored { label: String },
    /// The newest version already has this content; nothing was written.
    Unchanged { label: String },
}

const VERSION_COLUMNS: &str = "id, label, strategy_code, title, loaded_at, content_hash, \
     source_file, node_count, indicator_count";

fn version_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<VersionInfo> {
    Ok(VersionInfo {
        id: r.get("id")?,
        label: r.get("label")?,
        strategy: r.get("strategy_code")?,
        title: r.get("title")?,
        loaded_at: r.get("loaded_at")?,
        content_hash: r.get("content_hash")?,
        source_file: r.get("source_file")?,
        nodes: stored_count(r, "node_count")?,
        indicators: stored_count(r, "indicator_count")?,
    })
}

/// Every stored version, of every strategy, in the order stored.
pub(super) fn all_versions(conn: &Connection) -> Result<Vec<VersionInfo>, Error> {
    let ctx = "read the stored versions";
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {VERSION_COLUMNS} FROM strategy_version ORDER BY id"
        ))
        .map_err(|e| map_err(e, ctx))?;
    let rows = stmt
        .query_map([], version_row)
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(|e| map_err(e, ctx))?;
    Ok(rows)
}

/// A stored count, refused (as a damaged database) if negative. Readers never allocate by it
/// unchecked: see [`capacity_hint`].
fn stored_count(r: &rusqlite::Row<'_>, column: &str) -> rusqlite::Result<usize> {
    let n: i64 = r.get(column)?;
    usize::try_from(n).map_err(|_| {
        let idx = r.as_ref().column_index(column).unwrap_or(0);
        rusqlite::Error::IntegralValueOutOfRange(idx, n)
    })
}

/// What to reserve in advance for `count` stored rows: a damaged count (a trillion nodes) must
/// not abort the program on allocation, so at most 65,536; beyond that, collections grow as
/// rows arrive.
pub fn capacity_hint(count: usize) -> usize {
    count.min(1 << 16)
}

impl Store {
    /// Store `fw` as a new version labelled `label` and loaded at `loaded_at` (the caller's
    /// clock), unless the newest version has the same content. Everything is written in one
    /// transaction.
    pub fn save_version(
        &mut self,
        fw: &Framework,
        label: &str,
        source_file: Option<&str>,
        loaded_at: &str,
    ) -> Result<SaveOutcome, Error> {
        let author = self.author.clone();
        let tx = self.write_tx(SAVE_CTX)?;
        let outcome = save_in(&tx, fw, label, source_file, loaded_at)?;
        if let SaveOutcome::Stored { label } = &outcome {
            super::workflow::log_version(
                &tx,
                &author,
                loaded_at,
                &fw.strategy.code,
                label,
                source_file,
            )?;
        }
        tx.commit().map_err(|e| map_err(e, SAVE_CTX))?;
        self.strategy.replace(Some(fw.strategy.code.clone()));
        Ok(outcome)
    }

    /// Every stored version, oldest first.
    pub fn versions(&self) -> Result<Vec<VersionInfo>, Error> {
        let ctx = "list the stored versions";
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {VERSION_COLUMNS} FROM strategy_version WHERE strategy_code = ?1 \
                 ORDER BY id"
            ))
            .map_err(|e| map_err(e, ctx))?;
        let rows = stmt
            .query_map([self.strategy_in_use()], version_row)
            .map_err(|e| map_err(e, ctx))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| map_err(e, ctx))
    }

    /// Node counts by kind for one version.
    pub fn node_counts(&self, version: &VersionInfo) -> Result<Vec<(NodeKind, usize)>, Error> {
        let ctx = "count the strategy's nodes";
        let mut stmt = self
            .conn
            .prepare_cached("SELECT kind, count(*) FROM node WHERE version_id = ?1 GROUP BY kind")
            .map_err(|e| map_err(e, ctx))?;
        let rows = stmt
            .query_map([version.id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as usize))
            })
            .map_err(|e| map_err(e, ctx))?;
        let mut counts = Vec::new();
        for row in rows {
            let (kind, count) = row.map_err(|e| map_err(e, ctx))?;
            let kind = NodeKind::parse(&kind).ok_or_else(|| {
                super::damaged(ctx, &format!("a node has the unknown kind `{kind}`"))
            })?;
            counts.push((kind, count));
        }
        counts.sort();
        Ok(counts)
    }

    /// Find a version: `None` or `@latest` for the newest, `@previous` for the one before it,
    /// otherwise a label.
    pub fn resolve_version(&self, spec: Option<&str>) -> Result<VersionInfo, Error> {
        let ctx = "find the strategy version";
        use super::framework_rows::messages;
        let strategy = self.strategy_in_use();
        let query = |sql: &str, p: &dyn rusqlite::ToSql| {
            self.conn
                .query_row(
                    &format!(
                        "SELECT {VERSION_COLUMNS} FROM strategy_version WHERE strategy_code = ?1 {sql}"
                    ),
                    params![strategy, p],
                    version_row,
                )
                .optional()
                .map_err(|e| map_err(e, ctx))
        };
        match spec {
            None | Some("@latest") => {
                query("ORDER BY id DESC LIMIT ?2", &1)?.ok_or_else(messages::none_stored)
            }
            Some("@previous") => {
                query("ORDER BY id DESC LIMIT 1 OFFSET ?2", &1)?.ok_or_else(messages::no_previous)
            }
            Some(label) => query("AND label = ?2", &label)?.ok_or_else(|| {
                let labels: Vec<String> = self
                    .versions()
                    .map(|v| v.into_iter().map(|v| v.label).collect())
                    .unwrap_or_default();
                messages::no_such_label(label, &labels)
            }),
        }
    }
}

/// What saving a version is doing, for messages.
const SAVE_CTX: &str = "store the strategy";

/// [`Store::save_version`] inside a transaction the caller holds (the command's own, or the
/// one `ics copy` writes a whole strategy in).
pub(super) fn save_in(
    conn: &Connection,
    fw: &Framework,
    label: &str,
    source_file: Option<&str>,
    loaded_at: &str,
) -> Result<SaveOutcome, Error> {
    let ctx = SAVE_CTX;
    crate::framework::check_label(label).map_err(Error::input)?;
    let hash = fw.content_hash();
    let tx = conn;
    let code = fw.strategy.code.as_str();
    // The newest version of this strategy; other strategies in the database are
    // untouched (each is stored under its own code).
    let newest: Option<(String, String)> = tx
        .query_row(
            "SELECT label, content_hash FROM strategy_version WHERE strategy_code = ?1 \
             ORDER BY id DESC LIMIT 1",
            [code],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(|e| map_err(e, ctx))?;
    if let Some((newest_label, newest_hash)) = &newest {
        if *newest_hash == hash {
            return Ok(SaveOutcome::Unchanged {
                label: newest_label.clone(),
            });
        }
    }
    let exists: bool = tx
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM strategy_version WHERE strategy_code = ?1 \
             AND label = ?2)",
            [code, label],
            |r| r.get(0),
        )
        .map_err(|e| map_err(e, ctx))?;
    if exists {
        return Err(super::framework_rows::messages::label_exists(label));
    }
    let strategy_json = serde_json::to_string(&fw.strategy).expect("strategy serialises");
    let settings_json = serde_json::to_string(&fw.settings).expect("settings serialise");
    tx.execute(
        "INSERT INTO strategy_version (label, strategy_code, title, loaded_at, content_hash, \
         source_file, strategy_json, settings_json, node_count, indicator_count) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            label,
            fw.strategy.code,
            fw.strategy.title,
            loaded_at,
            hash,
            source_file,
            strategy_json,
            settings_json,
            fw.nodes.len() as i64,
            fw.indicator_count() as i64
        ],
    )
    .map_err(|e| map_err(e, ctx))?;
    let version_id = tx.last_insert_rowid();
    {
        let mut insert_node = tx
            .prepare_cached(
                "INSERT INTO node (version_id, position, kind, code, parent_id, title, \
                 description, justification, result_type, linkages, risks, hypothesis, \
                 aligns_with) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )
            .map_err(|e| map_err(e, ctx))?;
        let mut insert_link = tx
            .prepare_cached(
                "INSERT INTO node_link (from_id, relation, position, to_id) VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(|e| map_err(e, ctx))?;
        let mut insert_indicator = tx
            .prepare_cached(
                "INSERT INTO indicator (strategy_code, code) VALUES (?1, ?2) \
                 ON CONFLICT (strategy_code, code) DO UPDATE SET code = excluded.code \
                 RETURNING id",
            )
            .map_err(|e| map_err(e, ctx))?;
        let mut insert_def = tx
            .prepare_cached(
                "INSERT INTO indicator_def (version_id, indicator_id, node_id, position, title, \
                 unit, direction, frequency, aggregation, baseline_period, baseline_value, \
                 disaggregations, standard_code, source, definition, illustrative, cumulative, \
                 ratio_numerator, ratio_denominator, rationale, collection_method, \
                 responsible, reporting_frequency, data_quality_limitations, dqa_date, \
                 baseline_rationale, target_rationale) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, \
                 ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)",
            )
            .map_err(|e| map_err(e, ctx))?;
        let mut insert_target = tx
            .prepare_cached("INSERT INTO target (def_id, period, value) VALUES (?1, ?2, ?3)")
            .map_err(|e| map_err(e, ctx))?;
        let mut ids: HashMap<&str, i64> = HashMap::with_capacity(fw.nodes.len());
        let mut position = 0i64;
        for (i, node) in fw.nodes.iter().enumerate() {
            let parent_id = node.parent.as_deref().and_then(|p| ids.get(p).copied());
            let aligns_with = (!node.aligns_with.is_empty())
                .then(|| serde_json::to_string(&node.aligns_with).expect("alignments serialise"));
            insert_node
                .execute(params![
                    version_id,
                    i as i64,
                    node.kind.as_str(),
                    node.code,
                    parent_id,
                    node.title,
                    node.description,
                    node.justification,
                    node.result_type.map(ResultType::as_str),
                    node.linkages,
                    node.risks,
                    node.hypothesis,
                    aligns_with
                ])
                .map_err(|e| map_err(e, ctx))?;
            let node_id = tx.last_insert_rowid();
            ids.insert(node.code.as_str(), node_id);
            for ind in &node.indicators {
                let indicator_id: i64 = insert_indicator
                    .query_row([code, &ind.code], |r| r.get(0))
                    .map_err(|e| map_err(e, ctx))?;
                let disaggs = serde_json::to_string(&ind.disaggregations).expect("map serialises");
                insert_def
                    .execute(params![
                        version_id,
                        indicator_id,
                        node_id,
                        position,
                        ind.title,
                        ind.unit,
                        ind.direction.as_str(),
                        ind.frequency.as_str(),
                        ind.aggregation.as_str(),
                        ind.baseline.map(|b| b.period.key()),
                        ind.baseline.map(|b| b.value),
                        disaggs,
                        ind.standard_code,
                        ind.source,
                        ind.definition,
                        ind.illustrative,
                        ind.cumulative,
                        ind.ratio.as_ref().map(|r| r.numerator.as_str()),
                        ind.ratio.as_ref().map(|r| r.denominator.as_str()),
                        ind.pirs.rationale,
                        ind.pirs.collection_method,
                        ind.pirs.responsible,
                        ind.pirs.reporting_frequency,
                        ind.pirs.data_quality_limitations,
                        ind.pirs.dqa_date,
                        ind.pirs.baseline_rationale,
                        ind.pirs.target_rationale
                    ])
                    .map_err(|e| map_err(e, ctx))?;
                position += 1;
                let def_id = tx.last_insert_rowid();
                for (period, value) in &ind.targets {
                    insert_target
                        .execute(params![def_id, period.key(), value])
                        .map_err(|e| map_err(e, ctx))?;
                }
            }
        }
        // Links last: every node of the version has an id by now.
        for node in &fw.nodes {
            let from = ids[node.code.as_str()];
            for (relation, targets) in [
                ("supports", &node.supports),
                ("applies_to", &node.applies_to),
            ] {
                for (i, target) in targets.iter().enumerate() {
                    let Some(to) = ids.get(target.as_str()) else {
                        continue;
                    };
                    insert_link
                        .execute(params![from, relation, i as i64, to])
                        .map_err(|e| map_err(e, ctx))?;
                }
            }
        }
    }
    // The outline readers use instead of the rows, from the rows just stored.
    let stored = VersionInfo {
        id: version_id,
        label: label.to_string(),
        strategy: code.to_string(),
        title: fw.strategy.title.clone(),
        loaded_at: loaded_at.to_string(),
        content_hash: hash,
        source_file: source_file.map(str::to_string),
        nodes: fw.nodes.len(),
        indicators: fw.indicator_count(),
    };
    super::outline::write(tx, &stored)?;
    Ok(SaveOutcome::Stored {
        label: label.to_string(),
    })
}
