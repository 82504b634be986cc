//! The tracking table as an Excel workbook (`ics track --format xlsx --out FILE.xlsx`).
//!
//! One sheet, "Tracking table": a section row per goal, objective or DO (code and title), then
//! one row per indicator with its code, title, unit, direction and baseline, and for each
//! fiscal year of the range the target, actual, % achieved and status (grouped under a
//! `FY2021` band); with quarters shown, each quarter's target and actual follow its year's
//! columns. Under an indicator, one row per disaggregation with its actuals, then the
//! explanations in their own column, labelled by period. Numbers are numbers, percents are
//! percents and the status is its word on its colour (the shared writer, [`crate::render::xlsx`]).
//! The "About" sheet says what the workbook was made from and how the figures are defined.

use crate::error::Error;
use crate::period::FiscalPeriod;
use crate::render::xlsx::{self, About, Book, Cell, Column, Kind};
use crate::track::{Track, TrackRow};

/// The columns before the periods.
const LEAD: [(&str, Kind); 7] = [
    ("indicator", Kind::Text),
    ("title", Kind::Wrapped),
    ("disaggregation", Kind::Text),
    ("unit", Kind::Text),
    ("direction", Kind::Text),
    ("baseline", Kind::Number),
    ("cumulative", Kind::Flag),
];

/// The periods with columns: each fiscal year, followed by its quarters when any row shows
/// them.
fn periods(t: &Track) -> Vec<FiscalPeriod> {
    let quarters = t.any_quarters();
    t.years
        .iter()
        .flat_map(|y| {
            let mut ps = vec![*y];
            if quarters {
                ps.extend(y.quarters());
            }
            ps
        })
        .collect()
}

fn columns(t: &Track) -> Vec<Column> {
    let mut cols: Vec<Column> = LEAD.iter().map(|(h, k)| Column::new(*h, *k)).collect();
    cols[1] = cols[1].clone().width(40.0);
    for p in periods(t) {
        let group = p.fiscal_year().to_string();
        if p.is_quarter() {
            let q = format!("Q{}", p.quarter.unwrap_or_default());
            cols.push(Column::new(format!("{q} target"), Kind::Number).group(&group));
            cols.push(Column::new(format!("{q} actual"), Kind::Number).group(&group));
        } else {
            cols.push(Column::new("target", Kind::Number).group(&group));
            cols.push(Column::new("actual", Kind::Number).group(&group));
            cols.push(Column::new("achieved", Kind::Percent).group(&group));
            cols.push(Column::new("status", Kind::Status).group(&group));
        }
    }
    cols.push(Column::new("explanations", Kind::Wrapped).width(60.0));
    cols
}

/// The explanations of a row, labelled by period.
fn explanations(r: &TrackRow) -> String {
    r.periods
        .iter()
        .filter_map(|c| c.explanation.as_ref().map(|e| format!("{}: {e}", c.period)))
        .collect::<Vec<_>>()
        .join("\n")
}

fn indicator_row<'a>(r: &'a TrackRow, periods: &[FiscalPeriod]) -> Vec<Cell<'a>> {
    let mut cells: Vec<Cell> = vec![
        Cell::text(r.indicator.as_str()),
        Cell::text(r.title.as_str()),
        Cell::Empty,
        Cell::text(&*r.unit),
        Cell::text(r.direction.as_str()),
        r.baseline.into(),
        r.cumulative.into(),
    ];
    for p in periods {
        let c = r.cell(*p);
        if p.is_quarter() {
            cells.push(c.and_then(|c| c.target).into());
            cells.push(c.and_then(|c| c.actual).into());
        } else {
            cells.push(c.and_then(|c| c.target).into());
            cells.push(c.and_then(|c| c.actual).into());
            cells.push(c.and_then(|c| c.achieved).into());
            cells.push(c.map_or(Cell::Empty, |c| c.status.into()));
        }
    }
    cells.push(Cell::text(explanations(r)));
    cells
}

fn breakdown_row<'a>(r: &'a TrackRow, d: &'a str, periods: &[FiscalPeriod]) -> Vec<Cell<'a>> {
    let mut cells: Vec<Cell> = vec![
        Cell::text(r.indicator.as_str()),
        Cell::Empty,
        Cell::text(d),
        Cell::text(&*r.unit),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
    ];
    for p in periods {
        let actual = r
            .cell(*p)
            .and_then(|c| c.breakdown.iter().find(|b| b.disaggregation == d))
            .map(|b| b.actual);
        cells.push(Cell::Empty);
        cells.push(actual.into());
        if !p.is_quarter() {
            cells.push(Cell::Empty);
            cells.push(Cell::Empty);
        }
    }
    cells.push(Cell::Empty);
    cells
}

/// The table as the bytes of an `.xlsx` file; `about` says what it was made from (the
/// definitions and status colours are added here).
pub fn workbook(t: &Track, about: About) -> Result<Vec<u8>, Error> {
    let periods = periods(t);
    let mut book = Book::new("Tracking table", columns(t))?.freeze_columns(1);
    for g in &t.groups {
        book.section(&format!("{}{} {}", "  ".repeat(g.depth), g.code, g.title))?;
        for r in &g.rows {
            book.row(&indicator_row(r, &periods))?;
            for d in r.disaggregations() {
                book.row(&breakdown_row(r, d, &periods))?;
            }
        }
    }
    let about = about
        .fact(
            "Threshold",
            format!("{}%", crate::render::values::readable(t.threshold)),
        )
        .definitions(xlsx::progress_definitions(t.threshold))
        .definitions([
            (
                "rows",
                "a section row per goal, objective or DO; one row per indicator; under it one row per disaggregation (its actuals only)",
            ),
            (
                "figures",
                "each fiscal year's target, actual, % achieved and status are those `ics progress --period FY` gives for that year",
            ),
        ])
        .status_legend();
    book.finish(&about)
}
