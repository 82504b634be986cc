//! `ics track`: the Indicator Tracking Table over a range of fiscal years.

use std::io::Write;

use super::dest::Dest;
use super::Context;
use crate::cli::{TrackArgs, TrackFormat};
use crate::clock;
use crate::error::Error;
use crate::files::output;
use crate::framework::Framework;
use crate::period::{self, FiscalPeriod, PeriodInput, PeriodRange};
use crate::render::track as render;
use crate::render::{xlsx, Term};
use crate::store::Targets;
use crate::track::{self, Options};
use crate::Outcome;

/// A `--from` or `--to` argument: a fiscal year, or a date meaning its fiscal year. A quarter
/// is refused: the table's columns are fiscal years (`--quarters` adds their quarters).
fn year_arg(flag: &str, given: Option<&str>) -> Result<Option<i32>, Error> {
    let Some(given) = given else { return Ok(None) };
    match period::parse(given).map_err(|e| Error::input(format!("--{flag}: {e}")))? {
        PeriodInput::Period(p) if p.is_quarter() => Err(Error::input_with_hint(
            format!("--{flag} takes a fiscal year, not a quarter: `{given}`"),
            format!(
                "use `--{flag} {}`; the table shows whole fiscal years, and `--quarters` adds their quarters",
                p.fiscal_year()
            ),
        )),
        p => Ok(Some(p.resolve(false).year)),
    }
}

/// The fiscal years shown: `--from`/`--to`, else the strategy's start and end.
fn range(fw: &Framework, from: Option<i32>, to: Option<i32>) -> Result<(i32, i32), Error> {
    let from = from.or(fw.strategy.start.map(|s| s.year));
    let to = to.or(fw.strategy.end.map(|e| e.year));
    let (from, to) = match (from, to) {
        (Some(f), Some(t)) => (f, t),
        (f, _) => {
            let (field, flag) = if f.is_none() {
                ("start", "--from")
            } else {
                ("end", "--to")
            };
            return Err(Error::input_with_hint(
                format!("the strategy has no `{field}`, so the range of fiscal years is not known"),
                format!("give it, as `{flag} FY2022`, or set `{field}` under [strategy] in the framework file"),
            ));
        }
    };
    range_order(from, to)?;
    Ok((from, to))
}

pub fn run(cx: &Context, args: &TrackArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let from = year_arg("from", args.from.as_deref())?;
    let to = year_arg("to", args.to.as_deref())?;
    if let (Some(f), Some(t)) = (from, to) {
        range_order(f, t)?;
    }
    if args.format == TrackFormat::Xlsx {
        super::dest::needs_out("xlsx", args.out.as_deref(), "itt.xlsx")?;
    }
    let store = cx.open_counted(&args.review)?;
    let version = super::version(&*store, &args.version)?;
    let kind = match args.format {
        TrackFormat::Xlsx => output::ICS_WORKBOOK,
        _ => output::TRACK,
    };
    // Checked before any work: the database, the framework file and anything else not ours.
    let mut dest = Dest::new(out, args.out.as_deref(), kind, &*store, Some(&version))?;
    // Every target: the range is known only once the strategy's start and end are read.
    let fw = store.framework_lean(&version, Targets::All)?;
    let (from, to) = range(&fw, from, to)?;
    if let Some(code) = &args.node {
        crate::progress::find_node(&fw, code)?;
    }
    let first = FiscalPeriod::year(from);
    let years: Vec<FiscalPeriod> = (from..=to).map(FiscalPeriod::year).collect();
    let mut values = store.current_totals(&version, PeriodRange::fiscal_years(from, to))?;
    values.extend(super::progress::running_totals(
        &*store, &version, &fw, first, &years,
    )?);
    let opts = Options {
        node: args.node.clone(),
        quarters: args.quarters,
    };
    let table = track::build(&fw, &version.label, from, to, &values, &opts)?;
    let note = super::submitted_note(&*store, &args.review, PeriodRange::fiscal_years(from, to))?;
    match args.format {
        TrackFormat::Table => {
            let term = if dest.is_file() {
                Term::plain()
            } else {
                cx.term
            };
            write!(dest.writer(), "{}", render::table(&table, term))?;
            if let Some(n) = &note {
                writeln!(dest.writer(), "Note: this table {n}.")?;
            }
        }
        TrackFormat::Markdown => {
            write!(dest.writer(), "{}", render::markdown(&table))?;
            if let Some(n) = &note {
                writeln!(dest.writer(), "\n**Note:** this table {n}.")?;
            }
        }
        TrackFormat::Csv => {
            dest.begin_csv()?;
            render::csv(&table, dest.writer())?
        }
        TrackFormat::Json => render::json(&table, dest.writer())?,
        TrackFormat::Xlsx => {
            let about = xlsx::About::new(
                format!("Indicator tracking table, FY{from} to FY{to}"),
                clock::now_utc(),
            )
            .fact(
                "Strategy",
                format!("{} ({})", version.title, version.strategy),
            )
            .fact("Version", version.label.as_str())
            .fact("Fiscal years", format!("FY{from} to FY{to}"))
            .fact("Command", super::dest::command_line());
            let about = match &note {
                Some(n) => about.fact("Not yet approved", n.clone()),
                None => about,
            };
            dest.put(&render::workbook(&table, about)?)?;
        }
    }
    if let (Some(n), TrackFormat::Csv | TrackFormat::Json) = (&note, args.format) {
        eprintln!("note: this table {n}");
    }
    dest.finish_with(
        &format!("the tracking table FY{from} to FY{to}"),
        &format!(
            ": {}",
            crate::render::plural(table.rows().count(), "indicator", "indicators")
        ),
    )?;
    Ok(Outcome::Success)
}

/// `--from` after `--to` is refused before anything is read.
fn range_order(from: i32, to: i32) -> Result<(), Error> {
    if from > to {
        return Err(Error::input_with_hint(
            format!("--from FY{from} comes after --to FY{to}"),
            format!("give the first fiscal year first: `--from FY{to} --to FY{from}`"),
        ));
    }
    Ok(())
}
