//! `ics record INDICATOR PERIOD VALUE`: record one value, or correct the current one.

use std::io::Write;

use super::Context;
use crate::cli::RecordArgs;
use crate::clock::now_utc;
use crate::error::Error;
use crate::render::values::{number, time, with_unit};
use crate::store::{NewValue, Written};
use crate::values::{self, clean_text, Catalog};
use crate::Outcome;

pub fn run(cx: &Context, args: &RecordArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let mut store = cx.open_existing()?;
    let catalog = Catalog::load(&store)?;
    let code = args.indicator.trim();
    let rule = catalog.rule(code).map_err(|m| {
        Error::input_with_hint(
            m,
            "`ics tree --indicators` lists every indicator with its code",
        )
    })?;
    let period = rule.period(&args.period).map_err(Error::input)?;
    let value = rule.value(&args.value).map_err(Error::input)?;
    let mut disaggregation = String::new();
    rule.disaggregation(args.disagg.iter().map(String::as_str), &mut disaggregation)
        .map_err(Error::input)?;
    let recorded_by = match args.by.as_deref().map(str::trim) {
        Some("") => return Err(Error::input("`--by` needs a name")),
        Some(name) => name.to_string(),
        None => values::login_name(),
    };
    let recorded_at = now_utc();
    let new = NewValue {
        indicator_id: rule.id,
        period,
        disaggregation: &disaggregation,
        value,
        note: clean_text(args.note.as_deref()),
        source: clean_text(args.source.as_deref()),
        recorded_by: &recorded_by,
        recorded_at: &recorded_at,
    };
    let written = store.write_values(false, |w| w.put(&new))?;
    let ind = &rule.indicator;
    let what = if disaggregation.is_empty() {
        format!("`{}` {period}", ind.code)
    } else {
        format!("`{}` {period} ({disaggregation})", ind.code)
    };
    let shown = with_unit(value, &ind.unit);
    match written {
        Written::Added { .. } => writeln!(out, "recorded {what}: {shown}")?,
        Written::Corrected { old, .. } => writeln!(
            out,
            "corrected {what}: {shown} (was {}, recorded by {} at {}; kept in the history)",
            number(old.value),
            old.recorded_by,
            time(&old.recorded_at)
        )?,
        Written::Unchanged => writeln!(
            out,
            "unchanged: {what} is already {shown} with the same note and source; nothing recorded"
        )?,
    }
    Ok(Outcome::Success)
}
