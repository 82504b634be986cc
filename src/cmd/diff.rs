//! `ics diff OLD NEW`: what changed between two revisions of the strategy.
//!
//! Each side resolves as docs/decisions.md item 20 says: `@latest`/`@previous`, then an existing file path,
//! then a stored version label. The database is opened (never created) only when a side needs
//! it, so two files need no database at all. Exit 0 when the two are the same, 1 when they
//! differ (diff(1)).

use std::io::Write;
use std::path::Path;

use super::Context;
use crate::cli::{DiffArgs, DiffFormat};
use crate::diff::{compare, DiffReport};
use crate::error::Error;
use crate::framework::{read_file, Framework};
use crate::render::diff as render;
use crate::store::Storage;
use crate::Outcome;

pub fn run(cx: &Context, args: &DiffArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let mut store = None;
    let ((from, old), (to, new)) = if is_file(&args.old) && is_file(&args.new) {
        // Two files: read them side by side (large strategies parse in about half the time).
        let (old, new) = std::thread::scope(|s| {
            let old = s.spawn(|| read_file(Path::new(&args.old)));
            let new = read_file(Path::new(&args.new));
            let old = old
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (old, new)
        });
        ((args.old.clone(), old?), (args.new.clone(), new?))
    } else {
        (
            resolve(cx, &mut store, &args.old)?,
            resolve(cx, &mut store, &args.new)?,
        )
    };
    let report = DiffReport {
        changes: compare(&old, &new),
        from,
        to,
    };
    match args.format {
        DiffFormat::Json => writeln!(out, "{}", render::json(&report))?,
        DiffFormat::Text => {
            for line in render::text(&report, cx.term) {
                writeln!(out, "{line}")?;
            }
        }
        DiffFormat::Markdown => {
            for line in render::markdown(&report) {
                writeln!(out, "{line}")?;
            }
        }
    }
    let outcome = if report.is_empty() {
        Outcome::Success
    } else {
        Outcome::Findings
    };
    // The process ends right after this: freeing two large frameworks piece by piece would
    // only cost time (a tenth of a second for strategies of 20,000 indicators).
    std::mem::forget((old, new, report));
    Ok(outcome)
}

/// Whether a side names a framework file (docs/decisions.md item 20: `@latest`/`@previous` come first).
fn is_file(spec: &str) -> bool {
    spec != "@latest" && spec != "@previous" && Path::new(spec).exists()
}

/// One side: its name for the output and its framework.
fn resolve(
    cx: &Context,
    store: &mut Option<Box<dyn Storage>>,
    spec: &str,
) -> Result<(String, Framework), Error> {
    if spec == "@latest" || spec == "@previous" {
        let store = open(cx, store)?;
        let version = store.resolve_version(Some(spec))?;
        return Ok((version.label.clone(), store.framework(&version)?));
    }
    if is_file(spec) {
        return Ok((spec.to_string(), read_file(Path::new(spec))?));
    }
    // Not a file: a stored version label, if there is a database to look in.
    let db = cx.db_path();
    if !db.exists() {
        return Err(Error::input_with_hint(
            format!(
                "cannot find `{spec}`: there is no such file, and no database at `{}` to look up a version with that label",
                db.display()
            ),
            "give the path of a framework file, or a version label with --db naming the database that holds it",
        ));
    }
    let store = open(cx, store)?;
    let labels: Vec<String> = store
        .versions()?
        .into_iter()
        .map(|v| format!("`{}`", v.label))
        .collect();
    match store.resolve_version(Some(spec)) {
        Ok(version) => Ok((version.label.clone(), store.framework(&version)?)),
        Err(_) => Err(Error::input_with_hint(
            format!(
                "cannot find `{spec}`: there is no such file, and no stored version has that label in `{}`",
                db.display()
            ),
            if labels.is_empty() {
                "the database holds no version yet; load one with `ics load framework.toml`"
                    .to_string()
            } else {
                format!(
                    "stored versions: {}, or @latest and @previous; or give the path of a framework file",
                    labels.join(", ")
                )
            },
        )),
    }
}

/// The database, opened on first need (it must already exist).
fn open<'s>(
    cx: &Context,
    store: &'s mut Option<Box<dyn Storage>>,
) -> Result<&'s dyn Storage, Error> {
    if store.is_none() {
        *store = Some(cx.open_existing()?);
    }
    Ok(store.as_deref().expect("just opened"))
}
