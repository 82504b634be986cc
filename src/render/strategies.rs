//! The `strategies` listing: a table of the strategies a database holds (code, title, latest
//! version, version count, current values, last recorded time), and the JSON list of them.

use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use serde_json::Value;

use super::{cell, Term};
use crate::store::StrategyInfo;

/// The JSON list: each strategy's fields, named as in [`StrategyInfo`].
pub fn json(rows: &[StrategyInfo]) -> Value {
    serde_json::to_value(rows).expect("a strategy always serialises")
}

/// The table for people, by code, with a closing note when there are several; or a line
/// saying how to load a first strategy.
pub fn table(rows: &[StrategyInfo], term: Term) -> String {
    if rows.is_empty() {
        return "no strategies stored yet; load one with `ics load framework.toml`\n".to_string();
    }
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header([
            "strategy",
            "title",
            "latest",
            "versions",
            "values",
            "last recorded (UTC)",
        ]);
    if let Some(w) = term.width {
        table.set_width(w.min(u16::MAX as usize) as u16);
    }
    for s in rows {
        let last = s.last_recorded.as_deref().map_or_else(
            || "-".to_string(),
            |t| t.get(..19).unwrap_or(t).replace('T', " "),
        );
        table.add_row([
            cell(&s.code),
            cell(&s.title),
            cell(&s.latest),
            cell(s.versions.to_string()),
            cell(s.values.to_string()),
            cell(last),
        ]);
    }
    let mut out = format!("{table}\n");
    if rows.len() > 1 {
        out.push_str("other commands need --strategy CODE (or ICS_STRATEGY) to choose one\n");
    }
    out
}
