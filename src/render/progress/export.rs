//! The progress report for machines: CSV through the csv crate (text cells formula-guarded,
//! docs/decisions.md item 11) and JSON (the contract's array of row objects). Both carry only the indicator
//! rows, with unrounded numbers and machine status names (`on_target`). The guard is the one
//! `export-values` uses ([`crate::values::guard`]).

use std::io::Write;

use crate::error::Error;
use crate::progress::{ProgressRow, Report};
use crate::values::guard;

/// The CSV columns, in order.
pub const CSV_COLUMNS: [&str; 15] = [
    "indicator",
    "title",
    "node",
    "path",
    "period",
    "unit",
    "direction",
    "baseline",
    "target",
    "actual",
    "percent",
    "status",
    "needs_explanation",
    "quarters_reported",
    "note",
];

fn csv_err(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::Output(io),
        other => Error::Output(std::io::Error::other(format!("{other:?}"))),
    }
}

/// The indicator rows as CSV, numbers unrounded, text formula-guarded.
pub fn csv(report: &Report, out: &mut dyn Write) -> Result<(), Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_COLUMNS).map_err(csv_err)?;
    let num = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
    let text = |s: &str| guard(s).into_owned();
    for r in report.rows() {
        w.write_record([
            text(&r.indicator),
            text(&r.title),
            text(&r.node),
            text(&r.path),
            r.period.to_string(),
            text(&r.unit),
            r.direction.as_str().to_string(),
            num(r.baseline),
            num(r.target),
            num(r.actual),
            num(r.percent),
            r.status.as_str().to_string(),
            r.needs_explanation.to_string(),
            r.quarters_reported
                .map(|q| q.to_string())
                .unwrap_or_default(),
            text(r.note.as_deref().unwrap_or_default()),
        ])
        .map_err(csv_err)?;
    }
    w.flush()?;
    Ok(())
}

/// The indicator rows as a JSON array of the contract's objects.
pub fn json(report: &Report, out: &mut dyn Write) -> Result<(), Error> {
    let rows: Vec<&ProgressRow> = report.rows().collect();
    serde_json::to_writer_pretty(&mut *out, &rows).map_err(std::io::Error::from)?;
    writeln!(out)?;
    Ok(())
}
