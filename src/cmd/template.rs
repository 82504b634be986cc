//! `ics template --period P [--node CODE] --out FILE.xlsx`: the data-entry workbook a section
//! fills in for one period, which `import-values` reads back as it is.

use std::io::Write;

use super::Context;
use crate::cli::TemplateArgs;
use crate::error::Error;
use crate::files::output::{self, OutputFile};
use crate::period::{self, FiscalPeriod, PeriodRange};
use crate::render::plural;
use crate::render::template as render;
use crate::store::Storage;
use crate::values::template;
use crate::Outcome;

pub fn run(cx: &Context, args: &TemplateArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let period = period::parse(&args.period)
        .map_err(Error::input)?
        .resolve(false);
    let store = cx.open_existing()?;
    // Values are recorded against the newest version, so its indicators are the template's.
    let version = store.resolve_version(None)?;
    let target = OutputFile::new(&args.out, output::TEMPLATE_XLSX)
        .database(&store.files())
        .loaded_from(version.source_file.as_deref(), &version.label);
    target.check()?;
    let t = build(&*store, period, args.node.as_deref())?;
    if t.rows.is_empty() {
        let under = args
            .node
            .as_deref()
            .map_or(String::new(), |n| format!(" under `{n}`"));
        let hint = if period.is_quarter() {
            format!(
                "a quarter's template lists the quarterly indicators; give the fiscal year (`{}`) for the annual ones",
                period.fiscal_year()
            )
        } else {
            "`ics tree --indicators` shows which goals, objectives and DOs have indicators"
                .to_string()
        };
        return Err(Error::input_with_hint(
            format!("no indicator{under} reports in {period}, so there is nothing to fill in"),
            hint,
        ));
    }
    target.write(&render::workbook(&t)?)?;
    let indicators = t
        .rows
        .iter()
        .filter(|r| r.disaggregation.is_empty())
        .count();
    writeln!(
        out,
        "wrote `{}`: {} for {period} ({}); fill in the yellow cells, then `ics import-values {}`",
        args.out.display(),
        plural(indicators, "indicator", "indicators"),
        plural(t.rows.len(), "row", "rows"),
        args.out.display(),
    )?;
    Ok(Outcome::Success)
}

/// The template of `period` (under `node`, or all) from the newest version: what `ics template`
/// writes and the data-entry page of `ics serve` shows.
pub fn build(
    store: &dyn Storage,
    period: FiscalPeriod,
    node: Option<&str>,
) -> Result<template::Template, Error> {
    let version = store.resolve_version(None)?;
    let fw = store.framework(&version)?;
    let previous = template::previous(period);
    // The previous period's values; for a cumulative indicator's running total, every year
    // from the strategy's start.
    let from = fw
        .strategy
        .start
        .map_or(previous.year, |s| s.year.min(previous.year));
    let values = store.current_totals(&version, PeriodRange::fiscal_years(from, previous.year))?;
    template::build(&fw, &version.label, period, node, &values)
}
