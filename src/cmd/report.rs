//! `ics report`: the strategy review as one self-contained HTML page with charts.
//!
//! The page is written through the one output policy ([`crate::files::output`]): atomically,
//! replacing only an earlier HTML page (or an empty file), never the database or the framework
//! file it was loaded from.

use std::io::Write;

use super::Context;
use crate::cli::ReportArgs;
use crate::error::Error;
use crate::files::output::{self, OutputFile};
use crate::period::PeriodRange;
use crate::progress;
use crate::render::plural;
use crate::report;
use crate::Outcome;

pub fn run(cx: &Context, args: &ReportArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let period = super::period_arg(args.period.as_deref(), false)?;
    let store = cx.open_counted(&args.review)?;
    let version = super::version(&*store, &args.version)?;
    // Checked before any work: the database, the framework file and anything else not ours.
    let target = OutputFile::new(&args.out, output::HTML_REPORT)
        .database(&store.files())
        .loaded_from(version.source_file.as_deref(), &version.label);
    target.check()?;
    let fw = store.framework(&version)?;
    if let Some(code) = &args.node {
        progress::find_node(&fw, code)?;
    }
    let period = super::review_period(period, &*store, &version, &fw)?;
    // Every current value of every period, quarters and single-key disaggregations included:
    // the charts show any year (or, for a quarter's review, any quarter) with a value, a year
    // of a quarterly indicator is made of its quarters, a total may be derived from its
    // categories, and a cumulative indicator's running total starts at the strategy's first
    // year (or its first value), which this range always holds; so nothing more is read for
    // running totals (`progress::running_totals` covers only what its narrower read misses).
    let values = store.current_totals(&version, PeriodRange::all())?;
    let mut page = report::build(
        &fw,
        &version.label,
        period,
        &values,
        args.node.as_deref(),
        &crate::clock::now_utc(),
    )?;
    page.submitted = super::submitted_note(&*store, &args.review, PeriodRange::all())?;
    target.write(report::html::page(&page).as_bytes())?;
    let cards = page.cards().count();
    let charts = page.cards().filter(|c| c.chart.is_some()).count();
    let flagged = page.needs_explanation().count();
    writeln!(
        out,
        "Wrote the {period} review to `{}`: {}, {} with a chart, {} needing an explanation.",
        args.out.display(),
        plural(cards, "indicator", "indicators"),
        charts,
        flagged
    )?;
    Ok(Outcome::Success)
}
