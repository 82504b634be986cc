//! `ics export-values`: the recorded values as CSV (read back by `import-values`), JSON, or an
//! Excel workbook with the CSV's columns (read back too), to standard output or `--out FILE`.

use std::io::Write;

use super::dest::{self, Dest};
use super::Context;
use crate::cli::ExportValuesArgs;
use crate::clock;
use crate::error::Error;
use crate::files::output;
use crate::render::plural;
use crate::render::values::{ExportFormat, ExportWriter, ValuesSheet};
use crate::render::xlsx::About;
use crate::store::ValueQuery;
use crate::values::Catalog;
use crate::Outcome;

pub fn run(cx: &Context, args: &ExportValuesArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    use crate::cli::ExportFormat as Format;
    if args.format == Format::Xlsx {
        dest::needs_out("xlsx", args.out.as_deref(), "values.xlsx")?;
    }
    let store = cx.open_existing()?;
    let catalog = Catalog::load(&*store)?;
    let mut indicators = Vec::new();
    for code in &args.indicator {
        let id = catalog.any_version_id(code.trim()).map_err(|m| {
            Error::input_with_hint(
                m,
                "`ics tree --indicators` lists every indicator with its code",
            )
        })?;
        if !indicators.contains(&id) {
            indicators.push(id);
        }
    }
    // A date selects the fiscal year it falls in; a fiscal year includes its quarters.
    let period = super::period_arg(args.period.as_deref(), false)?;
    let query = ValueQuery {
        indicators,
        periods: period.map(|p| p.span()),
        include_replaced: args.all,
        newest_first: false,
    };
    let kind = match args.format {
        Format::Csv => output::ICS_CSV,
        Format::Json => output::ICS_JSON,
        Format::Xlsx => output::ICS_WORKBOOK,
    };
    // The newest version's framework file is protected too (values are checked against it).
    let newest = store.resolve_version(None).ok();
    let mut dest = Dest::new(out, args.out.as_deref(), kind, &*store, newest.as_ref())?;
    let mut count = 0usize;
    match args.format {
        Format::Csv | Format::Json => {
            let format = if args.format == Format::Csv {
                dest.begin_csv()?;
                ExportFormat::Csv
            } else {
                ExportFormat::Json
            };
            let mut writer = ExportWriter::new(format, args.all, dest.writer())?;
            store.each_value(&query, &mut |v| {
                count += 1;
                writer.row(&v)
            })?;
            writer.finish()?;
        }
        Format::Xlsx => {
            let mut sheet = ValuesSheet::new(args.all)?;
            store.each_value(&query, &mut |v| sheet.row(&v))?;
            count = sheet.rows() as usize;
            let mut about = About::new(
                if args.all {
                    "Recorded values, with the values corrections replaced"
                } else {
                    "Recorded values (current)"
                },
                clock::now_utc(),
            );
            if let Some(v) = &newest {
                about = about
                    .fact("Strategy", format!("{} ({})", v.title, v.strategy))
                    .fact("Newest version", v.label.as_str());
            }
            let indicators = if args.indicator.is_empty() {
                "all".to_string()
            } else {
                args.indicator.join(", ")
            };
            let about = about
                .fact("Indicators", indicators)
                .fact(
                    "Period",
                    period.map_or("all".to_string(), |p| p.to_string()),
                )
                .fact("Command", dest::command_line())
                .definitions(VALUES_DEFINITIONS);
            dest.put(&sheet.finish(&about)?)?;
        }
    }
    dest.finish(&plural(count, "value", "values"))?;
    Ok(Outcome::Success)
}

/// The columns of the "Values" sheet, for its "About" sheet.
const VALUES_DEFINITIONS: [(&str, &str); 6] = [
    ("columns", "exactly those of `ics export-values --format csv`, with the same header names: `ics import-values FILE.xlsx` reads this first sheet back"),
    ("value", "the value recorded, a number (numerator and denominator too, for a ratio indicator)"),
    ("period", "a fiscal year (FY2021) or quarter (FY2021Q2), as text"),
    ("recorded_at", "when the value was recorded, in UTC, as ISO 8601 text with microseconds (text, so it reads back exactly)"),
    ("note, source", "as recorded; a text beginning with a guard (`'=`) keeps the CSV's extra `'`"),
    ("current, replaced_by, kind", "with --all only: whether the value is current (true/false), when the value replacing it was recorded, and whether it is a value, an explanation or a void"),
];
