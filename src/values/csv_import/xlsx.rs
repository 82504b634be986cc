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
use super::source::{column_letters, Locate, Place, Problem, RowSource};
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
    let zipped = sniffable(path)
        .and_then(|mut f| f.read_exact(&mut magic).ok())
        .is_some_and(|()| &magic == b"PK\x03\x04");
    named || zipped
}

/// The file at `path` opened to look at its first bytes, if it is a regular file: the bytes
/// read from a pipe (`<(...)`, `/dev/stdin`) would be gone when the import reads it.
pub(crate) fn sniffable(path: &Path) -> Option<std::fs::File> {
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return None;
    }
    std::fs::File::open(path).ok()
}

/// A refusal of a file no import can read, recognised from its first bytes: an Excel 97-2003
/// workbook or a password-protected one (both OLE2 compound files), or text saved as UTF-16
/// (Excel's "Unicode Text"). Read as CSV, either gave lines of binary noise.
pub fn foreign_file(path: &Path) -> Result<(), Error> {
    let mut head = [0u8; 8];
    let Some(mut file) = sniffable(path) else {
        return Ok(());
    };
    let n = file.read(&mut head).unwrap_or(0);
    let shown = path.display();
    let hint = "save it from Excel as \"Excel Workbook (*.xlsx)\" (without a password), or as \"CSV UTF-8\", and import that file";
    if head[..n] == *b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" {
        return Err(Error::input_with_hint(
            format!("`{shown}` is an Excel 97-2003 workbook (.xls) or a password-protected workbook, which ics cannot read; nothing was imported"),
            hint,
        ));
    }
    if head[..n].starts_with(b"\xFF\xFE") || head[..n].starts_with(b"\xFE\xFF") {
        return Err(Error::input_with_hint(
            format!("`{shown}` is text saved as UTF-16 (Excel's \"Unicode Text\"), which ics does not read; nothing was imported"),
            hint,
        ));
    }
    Ok(())
}

/// Import the worksheet `sheet` (default the first) of the workbook at `path`: all rows or
/// none.
pub fn import_xlsx(
    store: &mut dyn Storage,
    catalog: &Catalog,
    path: &Path,
    sheet: Option<&str>,
    default_by: &str,
    policy: Option<&crate::workflow::policy::Policy>,
    progress: &mut dyn FnMut(u64),
) -> Result<ImportSummary, Error> {
    let shown = path.display().to_string();
    if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(Error::input(format!(
            "`{shown}` is a folder; give the workbook to import"
        )));
    }
    let file = std::fs::File::open(path).map_err(|e| file_error(&shown, &e))?;
    if overcounted_strings(&file) {
        return Err(Error::input_with_hint(
            format!("`{shown}` is not an Excel workbook (.xlsx) that ics can read: its parts are missing or damaged"),
            "save it from Excel as \"Excel Workbook (*.xlsx)\", or as \"CSV UTF-8\" and import the CSV file",
        ));
    }
    let mut workbook = Xlsx::new(std::io::BufReader::new(file)).map_err(|e| {
        let why = match e {
            XlsxError::Zip(_) => "it is not a zip archive, as every .xlsx file is".to_string(),
            _ => "its parts are missing or damaged".to_string(),
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
    let cells = read_cells(&mut workbook, &name).map_err(|why| {
        Error::input(format!(
            "cannot read the sheet `{name}` of `{shown}`: {why}; nothing was imported"
        ))
    })?;
    let empty = || {
        Error::input_with_hint(
            format!("the sheet `{name}` of `{shown}` is empty"),
            "its first row must be a header such as `indicator | period | value | note | source`",
        )
    };
    // Columns are counted from the leftmost cell of the sheet, as Excel's used range starts.
    let first_col = cells.iter().map(|c| c.1).min().ok_or_else(empty)?;
    let locate = Locate::Sheet {
        name: sheet_ref(&name),
        first_col,
    };
    // The cells row by row (sparse: a stray cell in column XFD or row 1048576 costs one cell,
    // not the whole rectangle up to it).
    let mut rows = cells
        .chunk_by(|a, b| a.0 == b.0)
        .map(|run| (u64::from(run[0].0) + 1, run));
    let (header_line, header) = rows
        .by_ref()
        .find(|(_, run)| run.iter().any(|c| !is_empty(&c.2)))
        .ok_or_else(empty)?;
    let header = dense(header, first_col, usize::MAX);
    let mut record = ByteRecord::new();
    for cell in &header {
        record.push_field(plain_text(cell).as_bytes());
    }
    let columns = Columns::from_header(&record, header_line, &shown, None, &locate)?;
    let roles = Roles::new(&columns);
    let mut source = SheetSource {
        rows: VecDeque::new(),
        problem: None,
    };
    let mut skipped = 0;
    for (line, run) in rows {
        if run.iter().all(|c| is_empty(&c.2)) {
            continue;
        }
        let cells = dense(run, first_col, columns.width);
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
        if problem.is_none() {
            problem = run
                .iter()
                .map(|c| ((c.1 - first_col) as usize, &c.2))
                .find(|(i, cell)| *i >= columns.width && !is_empty(cell))
                .map(|(i, _)| {
                    (
                        Place { line, col: Some(i) },
                        "this cell is to the right of the last named column; name its column in the header or clear it".to_string(),
                    )
                });
        }
        source.rows.push_back((line, record, problem));
    }
    drop(cells);
    let summary = import_rows(
        store, catalog, source, columns, &shown, &locate, default_by, policy, progress,
    )?;
    Ok(ImportSummary { skipped, ..summary })
}

/// Whether the workbook's shared strings claim more strings (`<sst uniqueCount="N">`) than
/// their part can hold, at 9 bytes (`<si></si>`) each: the reader reserves room for N strings
/// up front, so a claim of 4,000,000,000 aborted the process asking for 96 GB. The part is read
/// (not its declared size trusted), as the reader will read it anyway.
fn overcounted_strings(file: &std::fs::File) -> bool {
    let Ok(mut zip) = zip::ZipArchive::new(file) else {
        return false;
    };
    for i in 0..zip.len() {
        let Ok(mut part) = zip.by_index(i) else {
            continue;
        };
        let strings = part
            .name()
            .is_ok_and(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml"));
        if !strings {
            continue;
        }
        let mut head = Vec::new();
        let _ = part.by_ref().take(4096).read_to_end(&mut head);
        let Some(claimed) = unique_count(&head) else {
            continue;
        };
        let rest = std::io::copy(&mut part, &mut std::io::sink()).unwrap_or(0);
        let bytes = head.len() as u64 + rest;
        if claimed.saturating_mul(9) > bytes {
            return true;
        }
    }
    false
}

/// The `uniqueCount` of the `<sst` start tag at the start of a shared-strings part.
fn unique_count(head: &[u8]) -> Option<u64> {
    let tag = &head[head.windows(4).position(|w| w == b"<sst")?..];
    let tag = &tag[..tag.iter().position(|b| *b == b'>')?];
    let at = tag.windows(11).position(|w| w == b"uniqueCount")? + 11;
    tag[at..]
        .iter()
        .skip_while(|b| matches!(b, b' ' | b'=' | b'"' | b'\''))
        .take_while(|b| b.is_ascii_digit())
        .try_fold(0u64, |n, b| {
            n.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        })
}

/// Excel's limits: 1,048,576 rows and 16,384 columns (A to XFD).
const MAX_ROWS: u32 = 1 << 20;
const MAX_COLS: u32 = 1 << 14;

/// The cells of the worksheet `name` that hold something, as (row, column, value) in sheet
/// order, or why they cannot be read. The reader panics on a cell reference too long to be
/// one (`ZZZZZZ99999999999`): that is a damaged sheet too.
fn read_cells<RS: std::io::Read + std::io::Seek>(
    workbook: &mut Xlsx<RS>,
    name: &str,
) -> Result<Vec<(u32, u32, Data)>, String> {
    let damaged = || "its XML is damaged".to_string();
    let read = |workbook: &mut Xlsx<RS>| -> Result<Vec<(u32, u32, Data)>, String> {
        let mut reader = match workbook.worksheet_cells_reader(name) {
            Ok(reader) => reader,
            // A chart sheet: no cells.
            Err(XlsxError::NotAWorksheet(_)) => return Ok(Vec::new()),
            Err(_) => return Err(damaged()),
        };
        let mut cells = Vec::new();
        while let Some(cell) = reader.next_cell().map_err(|_| damaged())? {
            let (row, col) = cell.get_position();
            if row >= MAX_ROWS || col >= MAX_COLS {
                return Err(format!(
                    "it has a cell beyond Excel's last row and column ({} {})",
                    column_letters(u64::from(col)),
                    u64::from(row) + 1
                ));
            }
            let data = Data::from(cell.get_value().clone());
            if data != Data::Empty {
                cells.push((row, col, data));
            }
        }
        Ok(cells)
    };
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let cells = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read(workbook)));
    std::panic::set_hook(hook);
    let mut cells = cells.map_err(|_| damaged())??;
    cells.sort_by_key(|c| (c.0, c.1));
    Ok(cells)
}

/// A row's cells from `first_col` on, at most `width` of them, empty where the sheet has none.
fn dense(run: &[(u32, u32, Data)], first_col: u32, width: usize) -> Vec<Data> {
    let last = run.iter().map(|c| (c.1 - first_col) as usize + 1).max();
    let mut row = vec![Data::Empty; last.unwrap_or(0).min(width)];
    for (_, col, data) in run {
        if let Some(slot) = row.get_mut((col - first_col) as usize) {
            *slot = data.clone();
        }
    }
    row
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
        Data::DateTime(dt) if !(0.0..MAX_SERIAL).contains(&dt.as_f64()) => {
            return Err(format!(
                "this cell is formatted as a date but holds {}, which is no date (Excel shows it as ####); type the date again",
                match dt.as_f64() {
                    f if f.abs() < 1e15 => number_text(f),
                    f => format!("{f:e}"),
                }
            ))
        }
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

/// The first date serial after Excel's last date, 9999-12-31. A serial outside 0 up to this
/// (negative, NaN) is shown as `####`; the reader would clamp it to 1900-01-01 or 9999-12-31.
const MAX_SERIAL: f64 = 2_958_466.0;

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
