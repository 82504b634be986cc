//! `import-values FILE.xlsx`: the rows of one worksheet, checked and written exactly as a CSV
//! file's rows are.
//!
//! A cell is read as what it is and handed on as text the row checker reads: a number as the
//! shortest decimal that is the same number (`100000`, not `1e5` nor `100000.0`), a date in
//! the `period` column as the ISO date (which means the fiscal year or quarter it falls in, by
//! the indicator's frequency, as a date typed on the command line does), a date in
//! `recorded_at` or `replaced_by` as a UTC time, a true/false cell as `true`/`false`. A date
//! in a number column, or an Excel error (`#DIV/0!`), is a problem of its cell. The header is
//! the first row that is not empty; a row whose value cells (`value`, `numerator`,
//! `denominator`) are all empty is skipped and counted, so a half-filled template imports what
//! it has. Problems are located as `FILE:Sheet!C7`.

use std::collections::VecDeque;
use std::io::Read;
use std::path::Path;

use calamine::{Data, Reader, Xlsx, XlsxError};
use csv::ByteRecord;

use super::rows::{Columns, DENOMINATOR, NUMERATOR, PERIOD, RECORDED_AT, REPLACED_BY, VALUE};
use super::source::{Locate, Place, Problem, RowSource};
use super::{import_rows, ImportSummary};
use crate::error::Error;
use crate::framework::parse::file_error;
use crate::store::Storage;
use crate::values::Catalog;

/// Whether the file at `path` is a zip archive (as every .xlsx workbook is), from its first
/// bytes; or whether its name ends in `.xlsx` or `.xlsm`.
pub fn is_workbook(path: &Path) -> bool {
    let named = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xlsm"));
    let mut magic = [0u8; 4];
    let zipped = std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok_and(|()| &magic == b"PK\x03\x04");
    named || zipped
}

/// Import the worksheet `sheet` (default the first) of the workbook at `path`: all rows or
/// none.
pub fn import_xlsx(
    store: &mut dyn Storage,
    catalog: &Catalog,
    path: &Path,
    sheet: Option<&str>,
    default_by: &str,
    progress: &mut dyn FnMut(u64),
) -> Result<ImportSummary, Error> {
    let shown = path.display().to_string();
    if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(Error::input(format!(
            "`{shown}` is a folder; give the workbook to import"
        )));
    }
    let file = std::fs::File::open(path).map_err(|e| file_error(&shown, &e))?;
    let mut workbook = Xlsx::new(std::io::BufReader::new(file)).map_err(|e| {
        let why = match e {
            XlsxError::Zip(_) => "it is not a zip archive, as every .xlsx file is".to_string(),
            e => e.to_string(),
        };
        Error::input_with_hint(
            format!("`{shown}` is not an Excel workbook (.xlsx) that ics can read: {why}"),
            "save it from Excel as \"Excel Workbook (*.xlsx)\", or as \"CSV UTF-8\" and import the CSV file",
        )
    })?;
    let names = workbook.sheet_names();
    let name = match sheet {
        None => names.first().cloned().ok_or_else(|| {
            Error::input(format!("`{shown}` has no worksheets; nothing was imported"))
        })?,
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(wanted)))
            .cloned()
            .ok_or_else(|| {
                let list: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
                Error::input(format!(
                    "`{shown}` has no sheet `{wanted}`; its sheets are {}",
                    list.join(", ")
                ))
            })?,
    };
    let range = workbook.worksheet_range(&name).map_err(|e| {
        Error::input(format!(
            "cannot read the sheet `{name}` of `{shown}`: {e}; nothing was imported"
        ))
    })?;
    let empty = || {
        Error::input_with_hint(
            format!("the sheet `{name}` of `{shown}` is empty"),
            "its first row must be a header such as `indicator | period | value | note | source`",
        )
    };
    let (first_row, first_col) = range.start().ok_or_else(empty)?;
    let locate = Locate::Sheet {
        name: sheet_ref(&name),
        first_col,
    };
    let mut rows = range
        .rows()
        .enumerate()
        .map(|(i, cells)| (u64::from(first_row) + i as u64 + 1, cells));
    let (header_line, header) = rows
        .by_ref()
        .find(|(_, cells)| cells.iter().any(|c| !is_empty(c)))
        .ok_or_else(empty)?;
    let mut record = ByteRecord::new();
    for cell in header {
        record.push_field(plain_text(cell).as_bytes());
    }
    let columns = Columns::from_header(&record, header_line, &shown, None, &locate)?;
    let roles = Roles::new(&columns);
    let mut source = SheetSource {
        rows: VecDeque::new(),
        problem: None,
    };
    let mut skipped = 0;
    for (line, cells) in rows {
        if cells.iter().all(is_empty) {
            continue;
        }
        if roles
            .values
            .iter()
            .all(|&i| cells.get(i).is_none_or(is_empty))
        {
            skipped += 1;
            continue;
        }
        let mut record = ByteRecord::new();
        let mut problem = None;
        for (i, cell) in cells.iter().enumerate() {
            if i >= columns.width {
                if !is_empty(cell) && problem.is_none() {
                    problem = Some((
                        Place { line, col: Some(i) },
                        "this cell is to the right of the last named column; name its column in the header or clear it".to_string(),
                    ));
                }
                continue;
            }
            match cell_text(cell, roles.of(i)) {
                Ok(text) => record.push_field(text.as_bytes()),
                Err(message) => {
                    record.push_field(b"");
                    if problem.is_none() {
                        problem = Some((Place { line, col: Some(i) }, message));
                    }
                }
            }
        }
        while record.len() < columns.width {
            record.push_field(b"");
        }
        source.rows.push_back((line, record, problem));
    }
    let summary = import_rows(
        store, catalog, source, columns, &shown, &locate, default_by, progress,
    )?;
    Ok(ImportSummary { skipped, ..summary })
}

/// A sheet's name as Excel writes it in a reference: in single quotes unless it is letters,
/// digits and `_` only (`'Values 2021'!C7`, `Values!C7`).
fn sheet_ref(name: &str) -> String {
    if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        name.to_string()
    } else {
        format!("'{}'", name.replace('\'', "''"))
    }
}

/// What a column's cells are read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Text,
    Period,
    Number,
    Time,
}

/// The role of each cell of a row, by its index.
struct Roles {
    by_cell: Vec<Role>,
    /// The cells of `value`, `numerator` and `denominator`, where the header names them.
    values: Vec<usize>,
}

impl Roles {
    fn new(columns: &Columns) -> Roles {
        let mut by_cell = vec![Role::Text; columns.width];
        let mut values = Vec::new();
        for (c, role) in [
            (PERIOD, Role::Period),
            (VALUE, Role::Number),
            (NUMERATOR, Role::Number),
            (DENOMINATOR, Role::Number),
            (RECORDED_AT, Role::Time),
            (REPLACED_BY, Role::Time),
        ] {
            if let Some(i) = columns.cell(c) {
                by_cell[i] = role;
                if role == Role::Number {
                    values.push(i);
                }
            }
        }
        Roles { by_cell, values }
    }

    fn of(&self, i: usize) -> Role {
        self.by_cell.get(i).copied().unwrap_or(Role::Text)
    }
}

fn is_empty(cell: &Data) -> bool {
    match cell {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// A cell as text, whatever its column (for the header).
fn plain_text(cell: &Data) -> String {
    cell_text(cell, Role::Text).unwrap_or_default()
}

/// A cell as the text the row checker reads for a column of `role`, or what is wrong with it.
fn cell_text(cell: &Data, role: Role) -> Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) if dt.is_duration() => number_text(dt.as_f64()),
        Data::DateTime(dt) => {
            let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
            let date = format!("{y:04}-{mo:02}-{d:02}");
            match role {
                Role::Period => date,
                Role::Time => format!("{date}T{h:02}:{mi:02}:{s:02}.{ms:03}Z"),
                Role::Number => {
                    return Err(format!(
                        "this cell holds a date ({date}), not a number; format the cell as a number"
                    ))
                }
                Role::Text if (h, mi, s, ms) == (0, 0, 0, 0) => date,
                Role::Text => format!("{date} {h:02}:{mi:02}:{s:02}"),
            }
        }
        Data::DateTimeIso(s) if role == Role::Period => s.split('T').next().unwrap_or(s).into(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => {
            return Err(format!(
                "this cell holds the Excel error `{e}`; put a value in it or clear it"
            ))
        }
    })
}

/// A number as the shortest decimal that reads back as the same number: integers without a
/// fraction or exponent (`100000`), others as Rust writes them (`0.1`, never `1e-1`).
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        (f as i64).to_string()
    } else {
        f.to_string()
    }
}

/// The rows of a worksheet, converted to text before the import starts.
struct SheetSource {
    rows: VecDeque<(u64, ByteRecord, Option<Problem>)>,
    /// The problem of the row just returned.
    problem: Option<Problem>,
}

impl RowSource for SheetSource {
    fn next_row(&mut self, record: &mut ByteRecord) -> Result<Option<u64>, Error> {
        let Some((line, row, problem)) = self.rows.pop_front() else {
            return Ok(None);
        };
        *record = row;
        self.problem = problem;
        Ok(Some(line))
    }

    fn row_problem(&mut self, _line: u64) -> Option<Problem> {
        self.problem.take()
    }

    fn leftover(&mut self) -> Vec<Problem> {
        Vec::new()
    }

    fn bytes(&self) -> u64 {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_numbers() {
        assert_eq!(number_text(100000.0), "100000");
        assert_eq!(number_text(17.2), "17.2");
        assert_eq!(number_text(-0.0), "0");
        assert_eq!(number_text(1e-7), "0.0000001");
        assert_eq!(number_text(1e20), "100000000000000000000");
        assert_eq!(cell_text(&Data::Int(5), Role::Number).unwrap(), "5");
        assert_eq!(cell_text(&Data::Bool(false), Role::Text).unwrap(), "false");
    }

    #[test]
    fn dates_by_column() {
        // 2021-03-15 12:00 in Excel's 1900 system.
        let dt =
            calamine::ExcelDateTime::new(44270.5, calamine::ExcelDateTimeType::DateTime, false);
        let cell = Data::DateTime(dt);
        assert_eq!(cell_text(&cell, Role::Period).unwrap(), "2021-03-15");
        assert_eq!(
            cell_text(&cell, Role::Time).unwrap(),
            "2021-03-15T12:00:00.000Z"
        );
        assert_eq!(cell_text(&cell, Role::Text).unwrap(), "2021-03-15 12:00:00");
        assert!(cell_text(&cell, Role::Number)
            .unwrap_err()
            .contains("holds a date (2021-03-15)"));
        assert_eq!(sheet_ref("Values"), "Values");
        assert_eq!(sheet_ref("FY 2021"), "'FY 2021'");
    }
}
