//! `ics export-values`: the recorded values as CSV (read back by `import-values`) or JSON.

use std::io::Write;

use super::Context;
use crate::cli::ExportValuesArgs;
use crate::error::Error;
use crate::render::values::{ExportFormat, ExportWriter};
use crate::store::ValueQuery;
use crate::values::Catalog;
use crate::Outcome;

pub fn run(cx: &Context, args: &ExportValuesArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let store = cx.open_existing()?;
    let catalog = Catalog::load(&store)?;
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
    let periods = super::period_arg(args.period.as_deref(), false)?.map(|p| p.span());
    let query = ValueQuery {
        indicators,
        periods,
        include_replaced: args.all,
        newest_first: false,
    };
    let format = match args.format {
        crate::cli::ExportFormat::Csv => ExportFormat::Csv,
        crate::cli::ExportFormat::Json => ExportFormat::Json,
    };
    let mut writer = ExportWriter::new(format, args.all, out)?;
    store.each_value(&query, |v| writer.row(&v))?;
    writer.finish()?;
    Ok(Outcome::Success)
}
