//! `ics lint [--format text|json] [--version L]`: the review rules of [`crate::lint`] on a
//! stored version and the periods of its recorded values. Exit 0 with no findings, 1 with
//! findings.

use std::io::Write;

use super::Context;
use crate::cli::{LintArgs, LintFormat};
use crate::error::Error;
use crate::lint;
use crate::render::lint as render;
use crate::Outcome;

pub fn run(cx: &Context, args: &LintArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let store = cx.open_existing()?;
    let version = super::version(&*store, &args.version)?;
    let fw = store.framework(&version)?;
    // Fix hints name the file the version was loaded from (its name: the folder it was
    // loaded from says little where the hint is read).
    let file = version
        .source_file
        .as_deref()
        .map(|f| {
            std::path::Path::new(f)
                .file_name()
                .map_or_else(|| f.to_string(), |n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "the framework file".to_string());
    let report = lint::lint(&fw, &store.value_periods()?, &file, crate::clock::today());
    match args.format {
        LintFormat::Json => writeln!(out, "{}", render::json(&report))?,
        LintFormat::Text => {
            for line in render::text(&report, &version.label, &file, cx.term) {
                writeln!(out, "{line}")?;
            }
        }
    }
    Ok(if report.findings.is_empty() {
        Outcome::Success
    } else {
        Outcome::Findings
    })
}
