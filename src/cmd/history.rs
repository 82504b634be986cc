//! `ics history INDICATOR [--period P]`: every value recorded for an indicator, newest first.

use std::io::Write;

use super::Context;
use crate::cli::{HistoryArgs, ListFormat};
use crate::error::Error;
use crate::framework::Frequency;
use crate::render::history::history_table;
use crate::render::listing::{short_time, Listing};
use crate::render::values::write_history_json;
use crate::store::ValueQuery;
use crate::values::Catalog;
use crate::workflow::LogQuery;
use crate::Outcome;

pub fn run(cx: &Context, args: &HistoryArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let store = cx.open_existing()?;
    let catalog = Catalog::load(&*store)?;
    let code = args.indicator.trim();
    let id = catalog.any_version_id(code).map_err(|m| {
        Error::input_with_hint(
            m,
            "`ics tree --indicators` lists every indicator with its code",
        )
    })?;
    let indicator = catalog.newest(code);
    let quarterly = indicator.is_some_and(|i| i.frequency == Frequency::Quarterly);
    // A fiscal year includes its quarters.
    let periods = super::period_arg(args.period.as_deref(), quarterly)?.map(|p| p.span());
    let query = ValueQuery {
        indicators: vec![id],
        periods,
        include_replaced: true,
        newest_first: true,
    };
    let mut rows = Vec::new();
    store.each_value(&query, &mut |v| {
        rows.push(v);
        Ok(())
    })?;
    match args.format {
        ListFormat::Json => {
            write_history_json(out, &rows)?;
        }
        ListFormat::Table if rows.is_empty() => {
            let when = args
                .period
                .as_deref()
                .map(|p| format!(" for `{}`", p.trim()))
                .unwrap_or_default();
            writeln!(out, "no values recorded for `{code}`{when} yet")?;
        }
        ListFormat::Table => {
            write!(out, "{}", history_table(code, indicator, &rows, cx.term))?;
            // Review: each state change with who, when and why.
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            let reviews = store.log(&LogQuery {
                reviews_of: Some(ids),
                ..LogQuery::default()
            })?;
            if !reviews.is_empty() {
                let mut l = Listing::new(vec!["when (UTC)", "who", "review", "value", "reason"]);
                for e in reviews.iter().rev() {
                    let state = e.state.map_or("", |s| s.as_str());
                    l.rows.push(vec![
                        short_time(&e.at),
                        e.user.clone(),
                        format!("{} ({state})", e.action),
                        e.subject.clone(),
                        e.reason.clone().unwrap_or_default(),
                    ]);
                }
                write!(out, "\nReview, newest first:\n{}", l.table(cx.term))?;
            }
        }
    }
    Ok(Outcome::Success)
}
