//! The `versions` listing: a table of stored versions (label, load time, short hash, counts by
//! level, newest marked) and the JSON list (each version with its per-kind node counts).

use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use serde_json::Value;

use super::{cell, Term};
use crate::framework::{LevelCounts, NodeKind};
use crate::store::VersionInfo;

/// One stored version and its node counts per kind.
pub struct VersionRow {
    pub version: VersionInfo,
    pub kinds: Vec<(NodeKind, usize)>,
}

/// The JSON list: each version's fields plus `counts` by node kind.
pub fn json(rows: &[VersionRow]) -> Value {
    let list = rows
        .iter()
        .map(|r| {
            let mut value = serde_json::to_value(&r.version).expect("a version always serialises");
            let counts: serde_json::Map<String, Value> = r
                .kinds
                .iter()
                .map(|(k, n)| (k.as_str().to_string(), (*n).into()))
                .collect();
            value["counts"] = counts.into();
            value
        })
        .collect();
    Value::Array(list)
}

/// The table for people, oldest first, the newest marked `*`, with a closing note; or a line
/// saying how to load a first version.
pub fn table(rows: &[VersionRow], term: Term) -> String {
    if rows.is_empty() {
        return "no versions stored yet; load one with `ics load framework.toml`\n".to_string();
    }
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header([
            "label",
            "loaded (UTC)",
            "hash",
            "goals",
            "MOs",
            "MgOs",
            "DOs",
            "themes",
            "indicators",
        ]);
    if let Some(w) = term.width {
        table.set_width(w.min(u16::MAX as usize) as u16);
    }
    let newest = rows.len() - 1;
    for (i, r) in rows.iter().enumerate() {
        let v = &r.version;
        let c = LevelCounts::from_kinds(&r.kinds);
        let label = if i == newest {
            format!("{} *", v.label)
        } else {
            v.label.clone()
        };
        table.add_row([
            cell(label),
            cell(
                v.loaded_at
                    .get(..19)
                    .unwrap_or(&v.loaded_at)
                    .replace('T', " "),
            ),
            cell(v.content_hash.get(..8).unwrap_or(&v.content_hash)),
            cell(c.goals.to_string()),
            cell(c.mission_objectives.to_string()),
            cell(c.management_objectives.to_string()),
            cell(c.development_objectives.to_string()),
            cell(c.themes.to_string()),
            cell(v.indicators.to_string()),
        ]);
    }
    format!("{table}\n* the latest version, which reports use unless --version says otherwise\n")
}
