//! `ics import-values FILE`: many values at once from a CSV file or an Excel workbook, all or
//! nothing.

use std::io::{IsTerminal, Write};

use indicatif::{ProgressBar, ProgressStyle};

use super::Context;
use crate::cli::ImportValuesArgs;
use crate::error::Error;
use crate::render::plural;
use crate::render::safe::SafeWriter;
use crate::values::{self, Catalog, Separator};
use crate::workflow::policy::Need;
use crate::Outcome;

pub fn run(cx: &Context, args: &ImportValuesArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    values::foreign_file(&args.file)?;
    let workbook = values::is_workbook(&args.file);
    if args.sheet.is_some() && !workbook {
        return Err(Error::input_with_hint(
            format!(
                "`{}` is not an Excel workbook, so it has no sheets",
                args.file.display()
            ),
            "--sheet chooses the worksheet of an .xlsx file; leave it out for a CSV file",
        ));
    }
    let mut store = cx.open_existing()?;
    let policy = cx.policy(&mut *store, Need::Record, None)?;
    let catalog = Catalog::load(&*store)?;
    let by = policy.actor.name.clone();
    let result = if workbook {
        values::import_xlsx(
            &mut *store,
            &catalog,
            &args.file,
            args.sheet.as_deref(),
            &by,
            Some(&policy),
            &mut |_| {},
        )
    } else {
        // Said first, so that it explains the errors, if any, too.
        if let Some(sep) = values::csv_separator(&args.file).filter(|s| *s != Separator::Comma) {
            let mut stderr = std::io::stderr();
            let _ = writeln!(
                SafeWriter::new(&mut stderr),
                "note: read `{}` as {}",
                args.file.display(),
                sep.name()
            );
        }
        let bar = progress_bar(&args.file);
        let mut progress = |bytes: u64| bar.set_position(bytes);
        let result = values::import_csv(
            &mut *store,
            &catalog,
            &args.file,
            &by,
            Some(&policy),
            &mut progress,
        );
        bar.finish_and_clear();
        result
    };
    let summary = result?;
    writeln!(out, "{}", said(&args.file.display().to_string(), &summary))?;
    Ok(Outcome::Success)
}

/// What an import of the file shown as `shown` did, as `ics import-values` and the upload page
/// of `ics serve` say it.
pub fn said(shown: &str, summary: &values::ImportSummary) -> String {
    let skipped = match summary.skipped {
        0 => String::new(),
        n => format!(
            "; {} with empty value cells skipped",
            plural(n as usize, "row", "rows")
        ),
    };
    if summary.rows == 0 {
        return match summary.skipped {
            0 => format!("`{shown}` holds no values (only a header); nothing imported"),
            n => format!(
                "`{shown}` holds no values: {} with empty value cells skipped; nothing imported",
                plural(n as usize, "row", "rows")
            ),
        };
    }
    format!(
        "imported {} from `{shown}`: {} added, {} corrected, {} unchanged{skipped}",
        plural(summary.rows as usize, "row", "rows"),
        summary.added,
        summary.corrected,
        summary.unchanged
    )
}

/// A byte-based progress bar on stderr, drawn only when stderr is a terminal.
fn progress_bar(path: &std::path::Path) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template(
        "importing {bar:30} {percent:>3}% {bytes}/{total_bytes} ({eta} left)",
    ) {
        bar.set_style(style);
    }
    bar
}
