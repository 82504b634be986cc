//! `ics check`: SQLite's integrity and foreign-key checks plus the tracker's own invariants.

use std::io::Write;

use super::Context;
use crate::error::Error;
use crate::Outcome;

pub fn run(cx: &Context, out: &mut dyn Write) -> Result<Outcome, Error> {
    let store = cx.open_existing()?;
    let report = store.check()?;
    for line in &report.checked {
        writeln!(out, "ok: {line}")?;
    }
    if report.problems.is_empty() {
        writeln!(out, "the database `{}` is healthy", store.path().display())?;
        return Ok(Outcome::Success);
    }
    for p in &report.problems {
        writeln!(out, "problem: {p}")?;
    }
    Err(Error::database_with_hint(
        format!(
            "`{}` has {} problem{}",
            store.path().display(),
            report.problems.len(),
            if report.problems.len() == 1 { "" } else { "s" }
        ),
        "restore the file from a backup, or export what is readable with `ics export-values --all`",
    ))
}
