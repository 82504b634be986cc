//! `ics log`: the audit log, oldest first.

use std::io::Write;

use super::Context;
use crate::cli::{LogArgs, TableFormat};
use crate::error::Error;
use crate::render::listing::{short_time, Listing};
use crate::workflow::LogQuery;
use crate::Outcome;

pub fn run(cx: &Context, args: &LogArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    // About the whole database: `--strategy` filters, it need not be chosen.
    let store = cx.open_database()?;
    let since = args.since.as_deref().map(since).transpose()?;
    let q = LogQuery {
        since,
        user: args.user.clone(),
        strategy: cx.strategy().map(str::to_string),
        reviews_of: None,
    };
    let entries = store.log(&q)?;
    match args.format {
        TableFormat::Json => {
            let rows: Vec<serde_json::Value> = entries
                .iter()
                .map(|e| {
                    serde_json::json!({
                        "id": e.id,
                        "at": e.at,
                        "user": e.user,
                        "strategy": e.strategy,
                        "action": e.action,
                        "subject": e.subject,
                        "detail": e.detail,
                        "reason": e.reason,
                        "values": e.values.map(|(a, b)| b - a + 1),
                        "state": e.state.map(|s| s.as_str()),
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &rows).map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        format => {
            let mut l = Listing::new(vec![
                "when (UTC)",
                "who",
                "strategy",
                "action",
                "what",
                "detail",
                "reason",
            ]);
            for e in &entries {
                let mut detail = e.detail.clone();
                if let Some((a, b)) = e.values {
                    if !matches!(e.action.as_str(), "approve" | "return" | "resubmit") {
                        let n = b - a + 1;
                        let counted = format!("{n} value row{}", if n == 1 { "" } else { "s" });
                        detail = if detail.is_empty() {
                            counted
                        } else {
                            format!("{detail}; {counted}")
                        };
                        if let Some(s) = e.state.filter(|s| s.as_str() == "submitted") {
                            detail.push_str(&format!(", {}", s.as_str()));
                        }
                    }
                }
                l.rows.push(vec![
                    short_time(&e.at),
                    e.user.clone(),
                    e.strategy.clone().unwrap_or_default(),
                    e.action.clone(),
                    e.subject.clone(),
                    detail,
                    e.reason.clone().unwrap_or_default(),
                ]);
            }
            if format == TableFormat::Csv {
                l.csv(out)?;
            } else if entries.is_empty() {
                writeln!(
                    out,
                    "the log has no entries{}",
                    if q.since.is_some() || q.user.is_some() || q.strategy.is_some() {
                        " that match"
                    } else {
                        " yet"
                    }
                )?;
            } else {
                write!(out, "{}", l.table(cx.term))?;
            }
        }
    }
    Ok(Outcome::Success)
}

/// `--since`: a date (2026-10-01) or an RFC 3339 time, as the prefix the log's times compare
/// with.
fn since(s: &str) -> Result<String, Error> {
    let s = s.trim();
    if chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() {
        return Ok(s.to_string());
    }
    match chrono::DateTime::parse_from_rfc3339(s) {
        Ok(t) => Ok(t
            .with_timezone(&chrono::Utc)
            .format("%Y-%m-%dT%H:%M:%S%.6fZ")
            .to_string()),
        Err(_) => Err(Error::input_with_hint(
            format!("`{s}` is not a date"),
            "write --since 2026-10-01 (or a time such as 2026-10-01T09:00:00Z)",
        )),
    }
}
