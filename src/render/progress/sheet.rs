//! The progress report as an Excel workbook (`ics progress --format xlsx`): one row per
//! indicator with the 23 contract columns of the CSV, named as there, then where the row sits
//! in the strategy (`node_title`, `top`, `top_title`). Numbers are numbers; achieved and
//! progress are percents, deviation a signed percent; the status is its word ("on target") on
//! its colour; the flags are Excel booleans. The "About" sheet gives the strategy, version,
//! period, threshold, command and the progress definitions.

use crate::error::Error;
use crate::progress::{Line, Report};
use crate::render::xlsx::{self, About, Book, Cell, Column, Kind};

use super::CSV_COLUMNS;

/// The columns after the contract's 23: the title of the node the indicator sits under, and
/// the top-level goal (or Management Objective, or theme) above it, code and title.
pub const CONTEXT_COLUMNS: [&str; 3] = ["node_title", "top", "top_title"];

/// What each contract column holds, in [`CSV_COLUMNS`] order.
const KINDS: [Kind; 23] = [
    Kind::Text,          // indicator
    Kind::Wrapped,       // title
    Kind::Text,          // node
    Kind::Text,          // path
    Kind::Text,          // period
    Kind::Text,          // unit
    Kind::Text,          // direction
    Kind::Number,        // baseline
    Kind::Number,        // target
    Kind::Number,        // target_to_date
    Kind::Number,        // actual
    Kind::Percent,       // achieved
    Kind::SignedPercent, // deviation
    Kind::Percent,       // progress
    Kind::Status,        // status
    Kind::Flag,          // needs_explanation
    Kind::Wrapped,       // explanation
    Kind::Number,        // quarters_reported
    Kind::Flag,          // partial
    Kind::Flag,          // derived
    Kind::Flag,          // cumulative
    Kind::Number,        // numerator
    Kind::Number,        // denominator
];

/// The columns of the progress sheet.
pub fn columns() -> Vec<Column> {
    let mut cols: Vec<Column> = CSV_COLUMNS
        .iter()
        .zip(KINDS)
        .map(|(h, k)| Column::new(*h, k))
        .collect();
    cols[1] = cols[1].clone().width(45.0); // title
    cols.push(Column::new(CONTEXT_COLUMNS[0], Kind::Wrapped).width(40.0));
    cols.push(Column::new(CONTEXT_COLUMNS[1], Kind::Text));
    cols.push(Column::new(CONTEXT_COLUMNS[2], Kind::Wrapped).width(40.0));
    cols
}

/// The report as the bytes of an `.xlsx` file; `about` says what it was made from (the
/// definitions and status colours are added here).
pub fn workbook(report: &Report, about: About) -> Result<Vec<u8>, Error> {
    let mut book = Book::new("Progress", columns())?.freeze_columns(1);
    // The headers above the row in hand, by depth.
    let mut above: Vec<(&str, &str)> = Vec::new();
    for line in &report.lines {
        let r = match line {
            Line::Header(h) => {
                above.truncate(h.depth);
                above.push((&h.code, &h.title));
                continue;
            }
            Line::Row(r) => r,
        };
        let node_title = above
            .iter()
            .rev()
            .find(|(code, _)| *code == &*r.node)
            .map(|(_, t)| *t);
        let top = above.first().copied();
        let period = r.period.to_string();
        book.row(&[
            Cell::text(r.indicator.as_str()),
            Cell::text(r.title.as_str()),
            Cell::text(&*r.node),
            Cell::text(&*r.path),
            Cell::text(period),
            Cell::text(&*r.unit),
            Cell::text(r.direction.as_str()),
            r.baseline.into(),
            r.target.into(),
            r.target_to_date.into(),
            r.actual.into(),
            r.achieved.into(),
            r.deviation.into(),
            r.progress.into(),
            r.status.into(),
            r.needs_explanation.into(),
            r.explanation.as_deref().into(),
            r.quarters_reported.map(|q| q as f64).into(),
            r.partial.into(),
            r.derived.into(),
            r.cumulative.into(),
            r.numerator.into(),
            r.denominator.into(),
            node_title.into(),
            top.map(|(c, _)| c).into(),
            top.map(|(_, t)| t).into(),
        ])?;
    }
    let about = about
        .fact("Threshold", format!("{}%", super::super::values::readable(report.threshold)))
        .definitions(xlsx::progress_definitions(report.threshold))
        .definitions([
            (
                "columns",
                "the 23 columns of `ics progress --format csv`, then node_title (the title of the node the indicator sits under), top and top_title (the top-level goal, Management Objective or theme above it)",
            ),
            (
                "percent cells",
                "achieved, deviation and progress hold the percent itself (88.2 for 88.2 %), as in CSV and JSON",
            ),
        ])
        .status_legend();
    book.finish(&about)
}
