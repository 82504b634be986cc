//! `ics import-values FILE.csv`: many values at once, all or nothing.

use std::io::{IsTerminal, Write};

use indicatif::{ProgressBar, ProgressStyle};

use super::Context;
use crate::cli::ImportValuesArgs;
use crate::error::Error;
use crate::render::plural;
use crate::values::{self, Catalog};
use crate::Outcome;

pub fn run(cx: &Context, args: &ImportValuesArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let mut store = cx.open_existing()?;
    let catalog = Catalog::load(&store)?;
    let bar = progress_bar(&args.file);
    let mut progress = |bytes: u64| bar.set_position(bytes);
    let result = values::import_csv(
        &mut store,
        &catalog,
        &args.file,
        &values::login_name(),
        &mut progress,
    );
    bar.finish_and_clear();
    let summary = result?;
    let shown = args.file.display();
    if summary.rows == 0 {
        writeln!(
            out,
            "`{shown}` holds no values (only a header); nothing imported"
        )?;
        return Ok(Outcome::Success);
    }
    writeln!(
        out,
        "imported {} from `{shown}`: {} added, {} corrected, {} unchanged",
        plural(summary.rows as usize, "row", "rows"),
        summary.added,
        summary.corrected,
        summary.unchanged
    )?;
    Ok(Outcome::Success)
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
