//! `ics check`: the database's own consistency checks (SQLite's integrity and foreign-key
//! checks; PostgreSQL's amcheck where available), its shape, the tracker's own invariants, and
//! a read of everything through the commands' own readers.
//!
//! Other commands answer damage with "run `ics check`"; check itself must not, so every error
//! it meets carries the next step beyond it: a backup, or the database's own recovery.

use std::io::Write;

use super::Context;
use crate::error::Error;
use crate::Outcome;

pub fn run(cx: &Context, out: &mut dyn Write) -> Result<Outcome, Error> {
    // The whole database, every strategy in it: no --strategy needed.
    let store = cx.open_database().map_err(|e| beyond_check(e, cx))?;
    let report = store.check().map_err(|e| beyond_check(e, cx))?;
    for line in &report.checked {
        writeln!(out, "ok: {line}")?;
    }
    if report.problems.is_empty() {
        writeln!(out, "the database `{}` is healthy", store.name())?;
        return Ok(Outcome::Success);
    }
    for p in &report.problems {
        writeln!(out, "problem: {p}")?;
    }
    Err(Error::database_with_hint(
        format!(
            "`{}` has {} problem{}",
            store.name(),
            report.problems.len(),
            if report.problems.len() == 1 { "" } else { "s" }
        ),
        recovery(cx),
    ))
}

/// An error whose hint sends the user to `ics check` gets the step after it instead.
fn beyond_check(e: Error, cx: &Context) -> Error {
    if e.hint().is_some_and(|h| h.contains("ics check")) {
        e.with_hint(recovery(cx))
    } else {
        e
    }
}

fn recovery(cx: &Context) -> String {
    crate::store::recovery_hint(&cx.db_path())
}
