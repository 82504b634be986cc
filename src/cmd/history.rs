//! `ics history INDICATOR [--period P]`: every value recorded for an indicator, newest first.

use std::io::Write;

use super::Context;
use crate::cli::{HistoryArgs, ListFormat};
use crate::error::Error;
use crate::framework::Frequency;
use crate::render::history::history_table;
use crate::render::values::write_history_json;
use crate::store::ValueQuery;
use crate::values::Catalog;
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
        ListFormat::Table => write!(out, "{}", history_table(code, indicator, &rows, cx.term))?,
    }
    Ok(Outcome::Success)
}
