//! `ics locks`: the locked periods of the strategy in use, and the automatic lock if the
//! framework sets one.

use std::io::Write;

use super::Context;
use crate::cli::{LocksArgs, TableFormat};
use crate::error::Error;
use crate::render::listing::{short_time, Listing};
use crate::Outcome;

pub fn run(cx: &Context, args: &LocksArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let store = cx.open_existing()?;
    let locks = store.locks()?;
    let version = store.resolve_version(None)?;
    let fw = store.framework_lean(&version, crate::store::Targets::None)?;
    let auto = fw.settings.lock_after_days;
    match args.format {
        TableFormat::Json => {
            let rows: Vec<serde_json::Value> = locks
                .iter()
                .map(|l| {
                    serde_json::json!({
                        "period": l.period.to_string(),
                        "through": l.through,
                        "set_by": l.set_by,
                        "set_at": l.set_at,
                        "reason": l.reason,
                    })
                })
                .collect();
            let doc = serde_json::json!({ "locks": rows, "lock_after_days": auto });
            serde_json::to_writer_pretty(&mut *out, &doc).map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        format => {
            let mut l = Listing::new(vec!["locked", "by", "on (UTC)", "reason"]);
            for k in &locks {
                l.rows.push(vec![
                    k.what(),
                    k.set_by.clone(),
                    short_time(&k.set_at),
                    k.reason.clone().unwrap_or_default(),
                ]);
            }
            if format == TableFormat::Csv {
                l.csv(out)?;
            } else {
                if locks.is_empty() {
                    writeln!(
                        out,
                        "no period of {} is locked with `ics lock`",
                        fw.strategy.code
                    )?;
                } else {
                    write!(out, "{}", l.table(cx.term))?;
                }
                if let Some(days) = auto {
                    writeln!(
                        out,
                        "and every period locks itself {days} days after it ends ([settings] lock_after_days)"
                    )?;
                }
            }
        }
    }
    Ok(Outcome::Success)
}
