//! `ics status --period P [--node CODE]`: who still owes a report. Exit 1 when something is
//! missing or returned.

use std::collections::HashSet;
use std::io::Write;

use super::Context;
use crate::cli::{StatusArgs, TableFormat};
use crate::error::Error;
use crate::period::FiscalPeriod;
use crate::period::PeriodRange;
use crate::render::listing::Listing;
use crate::store::{Kind, Storage, ValueQuery};
use crate::workflow::policy;
use crate::workflow::status::{self, Owed, Reported};
use crate::workflow::{Lock, ReviewState};
use crate::Outcome;

pub fn run(cx: &Context, args: &StatusArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let store = cx.open_existing()?;
    let period = crate::period::parse(args.period.trim())
        .map_err(Error::input)?
        .resolve(false);
    let (s, lock) = compute(&*store, period, args.node.as_deref())?;
    let fw_code = store.strategy_in_use().unwrap_or_default();
    match args.format {
        TableFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &s).map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        TableFormat::Csv => rows(&s).csv(out)?,
        TableFormat::Table => {
            if s.indicators.is_empty() {
                writeln!(out, "no indicator of {fw_code} reports in {period}")?;
                return Ok(Outcome::Success);
            }
            write!(out, "{}", rows(&s).table(cx.term))?;
            for (title, totals) in [("node", &s.by_node), ("person", &s.by_person)] {
                let mut head = vec![title];
                head.extend(Owed::ALL.map(Owed::as_str));
                let mut l = Listing::new(head);
                for t in totals {
                    let mut row = vec![t.name.clone()];
                    row.extend(
                        Owed::ALL
                            .iter()
                            .map(|k| t.counts.get(k.as_str()).copied().unwrap_or(0).to_string()),
                    );
                    l.rows.push(row);
                }
                write!(out, "\nby {title}\n{}", l.table(cx.term))?;
            }
            if let Some(l) = &lock {
                writeln!(out, "\n{period} is locked ({}, by {})", l.what(), l.set_by)?;
            }
        }
    }
    Ok(if s.owed() {
        Outcome::Findings
    } else {
        Outcome::Success
    })
}

/// Who owes what for `period` (of the subtree `node`), and the lock on it if any: `ics
/// status` and the status page of `ics serve`.
pub fn compute(
    store: &dyn Storage,
    period: FiscalPeriod,
    node: Option<&str>,
) -> Result<(status::Status, Option<Lock>), Error> {
    let version = store.resolve_version(None)?;
    // The full read: the lean one leaves out the PIRS fields, `responsible` among them.
    let fw = store.framework_with(&version, crate::store::Targets::None)?;
    let only: Option<HashSet<String>> = match node {
        None => None,
        Some(node) => {
            if fw.node(node.trim()).is_none() {
                return Err(Error::input_with_hint(
                    format!("`{node}` is not a node of {}", fw.strategy.code),
                    "`ics tree` lists the nodes",
                ));
            }
            Some(policy::scope_indicators(&fw, &[node.trim().to_string()]))
        }
    };
    let mut found: Vec<(i64, String)> = Vec::new();
    let range = if period.is_quarter() {
        PeriodRange::new(period, period)
    } else {
        period.span()
    };
    store.each_value(
        &ValueQuery {
            periods: Some(range),
            ..Default::default()
        },
        &mut |v| {
            if v.kind != Kind::Void {
                found.push((v.id, v.indicator));
            }
            Ok(())
        },
    )?;
    let ids: Vec<i64> = found.iter().map(|f| f.0).collect();
    let states = store.states(Some(&ids))?;
    let reported: Vec<Reported> = found
        .into_iter()
        .map(|(id, indicator)| Reported {
            indicator,
            state: states.get(&id).copied().unwrap_or(ReviewState::Recorded),
        })
        .collect();
    let lock = policy::lock_on(
        &store.locks()?,
        fw.settings.lock_after_days,
        crate::clock::today(),
        period,
    );
    let users = store.users()?;
    let s = status::status(&fw, period, only.as_ref(), &users, &reported, lock.as_ref());
    Ok((s, lock))
}

/// One row per indicator: code, title, node, reporters, state.
fn rows(s: &status::Status) -> Listing {
    let mut l = Listing::new(vec!["indicator", "title", "node", "reporter", "state"]);
    for r in &s.indicators {
        let state = match (r.state, r.values) {
            (Owed::Locked, v) => format!("locked ({})", v.as_str()),
            (st, _) => st.as_str().to_string(),
        };
        l.rows.push(vec![
            r.indicator.clone(),
            r.title.clone(),
            r.node.clone(),
            r.reporters.join(", "),
            state,
        ]);
    }
    l
}
