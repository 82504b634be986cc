//! `ics record INDICATOR PERIOD VALUE`: record one value, or correct the current one.

use std::io::Write;

use super::Context;
use crate::cli::RecordArgs;
use crate::clock::now_utc;
use crate::error::Error;
use crate::render::values::{readable, time, with_unit};
use crate::store::{Keep, NewValue, Written};
use crate::values::{self, clean_text, control_char, Catalog};
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
    if let Some(c) = control_char(&recorded_by, false) {
        return Err(control_error(
            "the name of who records it (`--by` or $USER)",
            c,
        ));
    }
    let note = given_text(args.note.as_deref(), "note")?;
    let source = given_text(args.source.as_deref(), "source")?;
    let recorded_at = now_utc();
    let new = NewValue {
        indicator_id: rule.id,
        period,
        disaggregation: &disaggregation,
        value,
        note,
        source,
        recorded_by: &recorded_by,
        recorded_at: &recorded_at,
        // Without `--note`, the same value keeps its note; `--clear-note` removes it.
        keep: Keep {
            note: !args.clear_note,
            source: !args.clear_source,
        },
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
            readable(old.value),
            old.recorded_by,
            time(&old.recorded_at)
        )?,
        Written::Unchanged => {
            let texts = if args.note.is_none()
                && args.source.is_none()
                && !args.clear_note
                && !args.clear_source
            {
                "; its note and source stay as they are"
            } else {
                " with the same note and source"
            };
            writeln!(
                out,
                "unchanged: {what} is already {shown}{texts}; nothing recorded"
            )?
        }
    }
    Ok(Outcome::Success)
}

/// The text of `--note` or `--source`, trimmed: an empty one is refused, since leaving the flag
/// out keeps the current text and `--clear-note`/`--clear-source` removes it.
fn given_text<'a>(text: Option<&'a str>, flag: &str) -> Result<Option<&'a str>, Error> {
    match text {
        Some(t) if clean_text(Some(t)).is_none() => Err(Error::input_with_hint(
            format!("`--{flag}` is empty"),
            format!("leave `--{flag}` out to keep the current {flag}, or use `--clear-{flag}` to remove it"),
        )),
        Some(t) => match control_char(t, true) {
            Some(c) => Err(control_error(&format!("`--{flag}`"), c)),
            None => Ok(clean_text(Some(t))),
        },
        None => Ok(None),
    }
}

fn control_error(what: &str, c: char) -> Error {
    Error::input_with_hint(
        format!(
            "{what} holds a control character (U+{:04X}), which ics does not store",
            c as u32
        ),
        "notes and sources may hold tabs and line breaks, but no other control characters",
    )
}
