//! Recorded values for people and machines: the `history` JSON (its table is in
//! [`super::history`]), the `export-values` CSV and JSON, and how numbers and times are shown.
//!
//! The export formats are a contract (docs/decisions.md item 10): fixed columns in a fixed order, numbers
//! unrounded, CSV text cells guarded against spreadsheet formulas (item 11) and read back
//! unchanged by `import-values`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;

use serde::Serialize;

use crate::error::Error;
use crate::store::{Kind as StoredKind, StoredValue};
use crate::values::{guard, unguard, visible_controls};

use super::xlsx::{About, Book, Cell, Column, Kind};

/// A value as written everywhere: the shortest text that reads back as the same number.
pub fn number(v: f64) -> String {
    v.to_string()
}

/// A value for people: as [`number`], but a magnitude of 10^15 or more, or a non-zero one
/// below 10^-6, in exponent form (`1.79e308`, `4.9e-324`) instead of hundreds of digits. Both
/// forms are the shortest text that reads back as the same number.
pub fn readable(v: f64) -> String {
    let a = v.abs();
    if a >= 1e15 || (a != 0.0 && a < 1e-6) {
        format!("{v:e}")
    } else {
        number(v)
    }
}

/// `17.2 USD billion`, `22%`.
pub fn with_unit(v: f64, unit: &str) -> String {
    let unit = unit.trim();
    if unit.is_empty() {
        readable(v)
    } else if unit == "%" {
        format!("{}%", readable(v))
    } else {
        format!("{} {unit}", readable(v))
    }
}

/// A stored UTC timestamp as people read it: `2026-01-15 12:00:00 UTC`.
pub fn time(stored: &str) -> String {
    match stored.get(..19) {
        Some(t) if stored.len() > 19 => format!("{} UTC", t.replace('T', " ")),
        _ => stored.to_string(),
    }
}

/// For each value id, the id of the value it corrected (the one it replaced).
pub(super) fn corrects(rows: &[StoredValue]) -> HashMap<i64, i64> {
    rows.iter()
        .filter_map(|r| r.replaced_by.filter(|by| *by != r.id).map(|by| (by, r.id)))
        .collect()
}

/// One exported value as JSON (docs/decisions.md item 10), keys in the CSV's column order.
#[derive(Serialize)]
struct ExportJson<'a> {
    indicator: &'a str,
    period: String,
    disaggregation: &'a str,
    value: f64,
    note: Option<&'a str>,
    source: Option<&'a str>,
    recorded_by: &'a str,
    recorded_at: &'a str,
    /// With `--all` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    current: Option<bool>,
    /// With `--all` only: `Some(None)` is a JSON null.
    #[serde(skip_serializing_if = "Option::is_none")]
    replaced_by: Option<Option<&'a str>>,
    /// With `--all` only: `value`, `explanation` or `void`.
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    /// A ratio value's parts; null for other values.
    numerator: Option<f64>,
    denominator: Option<f64>,
    /// With `--all` only: whether the row is a void (what `kind` says, as a flag).
    #[serde(skip_serializing_if = "Option::is_none")]
    voided: Option<bool>,
}

impl<'a> ExportJson<'a> {
    fn new(r: &'a StoredValue, all: bool) -> Self {
        ExportJson {
            indicator: &r.indicator,
            period: r.period.to_string(),
            disaggregation: &r.disaggregation,
            value: r.value,
            note: r.note.as_deref(),
            source: r.source.as_deref(),
            recorded_by: &r.recorded_by,
            recorded_at: &r.recorded_at,
            current: all.then_some(r.replaced_by.is_none()),
            replaced_by: all.then_some(replaced_at(r)),
            kind: all.then_some(r.kind.as_str()),
            numerator: r.numerator,
            denominator: r.denominator,
            voided: all.then_some(r.kind == StoredKind::Void),
        }
    }
}

/// The `voided` cell: `true` for a void.
fn voided(r: &StoredValue) -> &'static str {
    if r.kind == StoredKind::Void {
        "true"
    } else {
        "false"
    }
}

/// When the value that replaced `r` was recorded: `None` while it is current, and for a void
/// that nothing has followed (it points at itself).
fn replaced_at(r: &StoredValue) -> Option<&str> {
    match r.replaced_by {
        Some(by) if by != r.id => r.replaced_at.as_deref(),
        _ => None,
    }
}

/// One value of the `history` JSON: the export's keys (with `current` and `replaced_by`), plus
/// the value's `id`, the id of the value that corrected it and of the value it corrects.
#[derive(Serialize)]
struct HistoryJson<'a> {
    id: i64,
    #[serde(flatten)]
    value: ExportJson<'a>,
    corrected_by: Option<i64>,
    corrects: Option<i64>,
}

/// Write the `history` JSON: one object per value, newest first.
pub fn write_history_json(out: &mut dyn Write, rows: &[StoredValue]) -> Result<(), Error> {
    let corrects = corrects(rows);
    let list: Vec<HistoryJson<'_>> = rows
        .iter()
        .map(|r| HistoryJson {
            id: r.id,
            value: ExportJson::new(r, true),
            corrected_by: r.replaced_by.filter(|by| *by != r.id),
            corrects: corrects.get(&r.id).copied(),
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &list).map_err(std::io::Error::from)?;
    writeln!(out)?;
    Ok(())
}

/// The `export-values` formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
}

/// Writes `export-values` output one value at a time, so an export of any size streams.
pub enum ExportWriter<'w> {
    Csv {
        csv: Box<csv::Writer<&'w mut dyn Write>>,
        all: bool,
    },
    Json {
        out: std::io::BufWriter<&'w mut dyn Write>,
        all: bool,
        first: bool,
    },
}

/// A text as a CSV cell: guarded against formulas, and with any control character an older ics
/// stored (NUL, ESC...) shown as its control picture (`␀`), never written raw. Tabs and line
/// breaks stay: quoting carries them.
fn text_cell(s: &str) -> Cow<'_, str> {
    match visible_controls(s) {
        Cow::Borrowed(s) => guard(s),
        Cow::Owned(shown) => Cow::Owned(guard(&shown).into_owned()),
    }
}

/// A CSV write error as an output error, keeping the I/O kind (a closed pipe is no error).
fn csv_err(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::Output(io),
        other => Error::Output(std::io::Error::other(format!("{other:?}"))),
    }
}

/// The columns of an export, as positions in [`crate::values::ACCEPTED_COLUMNS`]: the first
/// eight, then with `--all` `current,replaced_by,kind`, then `numerator,denominator`, then
/// with `--all` `voided`.
fn export_columns(all: bool) -> impl Iterator<Item = usize> + Clone {
    let n = if all { 11 } else { 8 };
    (0..n).chain(11..13).chain(all.then_some(13))
}

/// The header line of an `export-values` CSV (without its line end).
pub fn export_header(all: bool) -> String {
    let columns = &crate::values::ACCEPTED_COLUMNS;
    export_columns(all)
        .map(|c| columns[c])
        .collect::<Vec<_>>()
        .join(",")
}

/// A stored text as an `export-values` sheet cell: as stored, except that a text which itself
/// begins like a guarded cell (`'=`, `''`) gets the CSV's guard `'`. `import-values` removes
/// one guard `'` from a text cell, CSV or sheet, so every text reads back as stored, while a
/// note beginning with `-` or `=` is shown as typed: a sheet's text cell never becomes a
/// formula, so it needs no guard.
pub fn sheet_text(s: &str) -> Cow<'_, str> {
    if unguard(s).len() != s.len() {
        guard(s)
    } else {
        Cow::Borrowed(s)
    }
}

/// `export-values --format xlsx`: the sheet "Values" with exactly the CSV's columns and
/// header names, so `import-values FILE.xlsx` reads it back. `value`, `numerator` and
/// `denominator` are numbers; every other cell is the CSV's text, `recorded_at` included
/// (ISO 8601 text with microseconds: an Excel date holds no microseconds and no zone, so text
/// is what reads back exactly); `current` is the text `true` / `false`, as in CSV.
pub struct ValuesSheet {
    book: Book,
    all: bool,
}

impl ValuesSheet {
    pub fn new(all: bool) -> Result<ValuesSheet, Error> {
        let names = &crate::values::ACCEPTED_COLUMNS;
        let columns = export_columns(all)
            .map(|c| {
                let column = Column::new(names[c], Self::kind(c));
                match c {
                    4 => column.width(40.0),     // note
                    5 => column.width(30.0),     // source
                    7 | 9 => column.width(29.0), // recorded_at, replaced_by
                    _ => column,
                }
            })
            .collect();
        Ok(ValuesSheet {
            book: Book::new("Values", columns)?.freeze_columns(1),
            all,
        })
    }

    /// What the column at `c` of [`crate::values::ACCEPTED_COLUMNS`] holds.
    fn kind(c: usize) -> Kind {
        match c {
            3 | 11 | 12 => Kind::Number,
            4 | 5 => Kind::Wrapped,
            _ => Kind::Text,
        }
    }

    /// Values written so far.
    pub fn rows(&self) -> u32 {
        self.book.rows()
    }

    /// Write one value.
    pub fn row(&mut self, r: &StoredValue) -> Result<(), Error> {
        let text = |s: &str| -> Cell<'static> {
            Cell::text(sheet_text(&visible_controls(s)).into_owned())
        };
        let mut cells = [
            text(&r.indicator),
            text(&r.period.to_string()),
            text(&r.disaggregation),
            Cell::Number(r.value),
            text(r.note.as_deref().unwrap_or("")),
            text(r.source.as_deref().unwrap_or("")),
            text(&r.recorded_by),
            text(&r.recorded_at),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            r.numerator.into(),
            r.denominator.into(),
            Cell::Empty,
        ];
        if self.all {
            cells[8] = Cell::text(if r.replaced_by.is_none() {
                "true"
            } else {
                "false"
            });
            cells[9] = text(replaced_at(r).unwrap_or(""));
            cells[10] = Cell::text(r.kind.as_str());
            cells[13] = Cell::text(voided(r));
        }
        let row: Vec<Cell<'_>> = export_columns(self.all)
            .map(|c| std::mem::replace(&mut cells[c], Cell::Empty))
            .collect();
        self.book.row(&row)
    }

    /// The bytes of the workbook.
    pub fn finish(self, about: &About) -> Result<Vec<u8>, Error> {
        self.book.finish(about)
    }
}

impl<'w> ExportWriter<'w> {
    /// Start the output: the CSV header, or the opening `[` of the JSON array.
    pub fn new(format: ExportFormat, all: bool, out: &'w mut dyn Write) -> Result<Self, Error> {
        Ok(match format {
            ExportFormat::Csv => {
                let mut csv = csv::Writer::from_writer(out);
                let columns = &crate::values::ACCEPTED_COLUMNS;
                csv.write_record(export_columns(all).map(|c| columns[c]))
                    .map_err(csv_err)?;
                ExportWriter::Csv {
                    csv: Box::new(csv),
                    all,
                }
            }
            ExportFormat::Json => {
                let mut out = std::io::BufWriter::new(out);
                out.write_all(b"[")?;
                ExportWriter::Json {
                    out,
                    all,
                    first: true,
                }
            }
        })
    }

    /// Write one value.
    pub fn row(&mut self, r: &StoredValue) -> Result<(), Error> {
        match self {
            ExportWriter::Csv { csv, all } => {
                let period = r.period.to_string();
                let value = number(r.value);
                let numerator = r.numerator.map(number).unwrap_or_default();
                let denominator = r.denominator.map(number).unwrap_or_default();
                let mut cells = [
                    text_cell(&r.indicator),
                    guard(&period),
                    text_cell(&r.disaggregation),
                    value.as_str().into(), // a number: never guarded
                    text_cell(r.note.as_deref().unwrap_or("")),
                    text_cell(r.source.as_deref().unwrap_or("")),
                    text_cell(&r.recorded_by),
                    text_cell(&r.recorded_at),
                    "".into(),
                    "".into(),
                    "".into(),
                    numerator.as_str().into(), // numbers: never guarded
                    denominator.as_str().into(),
                    "".into(),
                ];
                if *all {
                    cells[8] = if r.replaced_by.is_none() {
                        "true"
                    } else {
                        "false"
                    }
                    .into();
                    cells[9] = guard(replaced_at(r).unwrap_or(""));
                    cells[10] = r.kind.as_str().into();
                    cells[13] = voided(r).into();
                }
                csv.write_record(export_columns(*all).map(|c| cells[c].as_bytes()))
                    .map_err(csv_err)
            }
            ExportWriter::Json { out, all, first } => {
                out.write_all(if *first { b"\n  " } else { b",\n  " })?;
                *first = false;
                serde_json::to_writer(&mut *out, &ExportJson::new(r, *all))
                    .map_err(std::io::Error::from)?;
                Ok(())
            }
        }
    }

    /// End the output.
    pub fn finish(self) -> Result<(), Error> {
        match self {
            ExportWriter::Csv { mut csv, .. } => csv.flush().map_err(Error::from),
            ExportWriter::Json { mut out, first, .. } => {
                out.write_all(if first { b"]\n" } else { b"\n]\n" })?;
                out.flush()?;
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_times() {
        assert_eq!(number(17.2), "17.2");
        assert_eq!(number(22.0), "22");
        assert_eq!(number(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(readable(17.2), "17.2");
        assert_eq!(readable(1.79e308), "1.79e308");
        assert_eq!(readable(5e-324), "5e-324");
        assert_eq!(readable(-2.5e15), "-2.5e15");
        assert_eq!(readable(0.0), "0");
        for v in [1.79e308, 5e-324, 123456789012345680.0, 1e-7] {
            assert_eq!(
                readable(v).parse::<f64>().unwrap(),
                v,
                "{v} does not read back"
            );
            assert!(readable(v).len() < 30, "{}", readable(v));
        }
        assert_eq!(with_unit(22.0, "%"), "22%");
        // A sheet's text is as typed, unless it itself looks guarded: then import's removal of
        // one guard gives it back.
        for (stored, cell) in [
            ("=1+1", "=1+1"),
            ("-5 %", "-5 %"),
            ("'quoted' phrase", "'quoted' phrase"),
            ("'=x", "''=x"),
            ("''", "'''"),
        ] {
            assert_eq!(sheet_text(stored), cell);
            assert_eq!(crate::values::unguard(&sheet_text(stored)), stored);
        }
        assert_eq!(with_unit(4.0, "USD billion"), "4 USD billion");
        assert_eq!(
            time("2026-01-15T12:00:00.000000Z"),
            "2026-01-15 12:00:00 UTC"
        );
    }
}
