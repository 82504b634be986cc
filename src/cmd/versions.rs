//! `ics versions`: every stored version with its label, load time, hash and counts.

use std::io::Write;

use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};

use super::Context;
use crate::cli::{ListFormat, VersionsArgs};
use crate::error::Error;
use crate::Outcome;

pub fn run(cx: &Context, args: &VersionsArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let store = cx.open_existing()?;
    let versions = store.versions()?;
    if args.format == ListFormat::Json {
        let mut rows = Vec::new();
        for v in &versions {
            let mut value = serde_json::to_value(v).map_err(std::io::Error::from)?;
            let counts: serde_json::Map<String, serde_json::Value> = store
                .node_counts(v)?
                .into_iter()
                .map(|(k, n)| (k.as_str().to_string(), n.into()))
                .collect();
            value["counts"] = counts.into();
            rows.push(value);
        }
        serde_json::to_writer_pretty(&mut *out, &rows).map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(Outcome::Success);
    }
    if versions.is_empty() {
        writeln!(
            out,
            "no versions stored yet; load one with `ics load framework.toml`"
        )?;
        return Ok(Outcome::Success);
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
    if let Some(w) = cx.term.width {
        table.set_width(w as u16);
    }
    let newest = versions.len() - 1;
    for (i, v) in versions.iter().enumerate() {
        let counts = store.node_counts(v)?;
        let count = |kinds: &[crate::framework::NodeKind]| -> String {
            counts
                .iter()
                .filter(|(k, _)| kinds.contains(k))
                .map(|(_, n)| n)
                .sum::<usize>()
                .to_string()
        };
        use crate::framework::NodeKind as K;
        let label = if i == newest {
            format!("{} *", v.label)
        } else {
            v.label.clone()
        };
        table.add_row([
            label,
            v.loaded_at
                .get(..19)
                .unwrap_or(&v.loaded_at)
                .replace('T', " "),
            v.content_hash
                .get(..8)
                .unwrap_or(&v.content_hash)
                .to_string(),
            count(&[K::Goal]),
            count(&[K::Objective, K::SubObjective]),
            count(&[K::ManagementObjective]),
            count(&[K::DevelopmentObjective, K::Result, K::SubResult]),
            count(&[K::Theme]),
            v.indicators.to_string(),
        ]);
    }
    writeln!(out, "{table}")?;
    writeln!(
        out,
        "* the latest version, which reports use unless --version says otherwise"
    )?;
    Ok(Outcome::Success)
}
