//! `ics report`: the strategy review as one self-contained HTML page with charts.
//!
//! The page is written to a temporary file in the target's folder and renamed over the target,
//! so a reader never opens half a page and a failed run leaves any earlier report intact. It
//! replaces only an earlier HTML page (or an empty file), never, say, the database.

use std::io::{Read, Write};
use std::path::Path;

use super::Context;
use crate::cli::ReportArgs;
use crate::error::Error;
use crate::period::{self, FiscalPeriod};
use crate::progress;
use crate::render::plural;
use crate::report;
use crate::Outcome;

pub fn run(cx: &Context, args: &ReportArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let period = super::period_arg(args.period.as_deref(), false)?;
    check_target(&args.out)?;
    let store = cx.open_existing()?;
    let version = super::version(&store, &args.version)?;
    let fw = store.framework(&version)?;
    if let Some(code) = &args.node {
        progress::find_node(&fw, code)?;
    }
    let period = super::review_period(period, &store, &version, &fw)?;
    let values = store.current_totals(
        &version,
        FiscalPeriod::year(period::MIN_YEAR),
        FiscalPeriod::quarter(period::MAX_YEAR, 4),
    )?;
    let page = report::build(
        &fw,
        &version.label,
        period,
        &values,
        args.node.as_deref(),
        &crate::clock::now_utc(),
    )?;
    write_atomically(&args.out, report::html::page(&page).as_bytes())?;
    let cards = page.cards().count();
    let charts = page.cards().filter(|c| c.chart.is_some()).count();
    let flagged = page.needs_explanation().count();
    writeln!(
        out,
        "Wrote the {period} review to `{}`: {}, {} with a chart, {} needing an explanation.",
        args.out.display(),
        plural(cards, "indicator", "indicators"),
        charts,
        flagged
    )?;
    Ok(Outcome::Success)
}

/// Refuse a target that cannot be written or must not be replaced, before any work.
fn check_target(path: &Path) -> Result<(), Error> {
    let shown = path.display().to_string();
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if path.is_dir() || path.file_name().is_none() {
        return Err(Error::input_with_hint(
            format!("`{shown}` is a folder, not a file name"),
            "give a file name, for example `--out review.html`",
        ));
    }
    if !folder.is_dir() {
        return Err(Error::input_with_hint(
            format!(
                "cannot write the report to `{shown}`: the folder `{}` does not exist",
                folder.display()
            ),
            "create the folder first, or choose another --out",
        ));
    }
    if path.exists() && !is_html_or_empty(path) {
        return Err(Error::input_with_hint(
            format!("`{shown}` exists and is not an HTML page; the report will not replace it"),
            "choose another --out file name, or remove that file first",
        ));
    }
    Ok(())
}

/// Whether the file is empty or starts like an HTML page (an earlier report).
fn is_html_or_empty(path: &Path) -> bool {
    let Ok(mut f) = std::fs::File::open(path) else {
        return false;
    };
    let mut head = [0u8; 256];
    let n = f.read(&mut head).unwrap_or(0);
    let text = String::from_utf8_lossy(&head[..n]).to_ascii_lowercase();
    let text = text.trim_start_matches('\u{feff}').trim_start();
    n == 0 || text.starts_with("<!doctype html") || text.starts_with("<html")
}

/// Write `bytes` to a temporary file beside `path`, then rename it over `path`.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let shown = path.display().to_string();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = std::fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    });
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        let why = match e.kind() {
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            std::io::ErrorKind::StorageFull => "the disk is full".to_string(),
            std::io::ErrorKind::ReadOnlyFilesystem => "the disk is read-only".to_string(),
            _ => e.to_string(),
        };
        Error::input_with_hint(
            format!("could not write the report to `{shown}`: {why}"),
            "check that the folder is writable, or choose another --out",
        )
    })
}
