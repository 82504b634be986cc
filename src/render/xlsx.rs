//! Excel workbooks: the one writer behind every `--format xlsx` (issue 14 item 2).
//!
//! A caller declares its columns, pushes its rows, and gets the bytes of a finished `.xlsx`
//! file, which it writes through [`crate::files::output::OutputFile`] with the kind
//! [`crate::files::output::ICS_WORKBOOK`]. What every workbook gets without asking:
//!
//! - numbers are written as numbers (never as text), each column with a number format:
//!   `#,##0` for a whole number and `#,##0.0###` otherwise (the cell holds the exact value,
//!   the format only shows it), a percent as `88.2%` (`0.0"%"`: the cell holds 88.2, the same
//!   number as CSV and JSON, not 0.882), a signed percent as `+5.3%`;
//! - a status is its word (`on target`, from [`Status::label`]) on a fill colour: colour is
//!   never the only sign;
//! - the header row is bold and frozen (with the first columns, if asked), and an autofilter
//!   covers the header and every data row;
//! - every column has a width: the one declared, else one fitted to the header and the
//!   widest cell (capped, so one long title does not make a column a screen wide); wrapped
//!   columns (explanations, notes) wrap their text at the width, 50 unless declared;
//! - a second sheet, "About", says what the workbook was made from (strategy, version, period,
//!   when, the command) and the definitions a reader needs, and shows each status's colour;
//! - the document carries the custom property `Generator` = `ics VERSION`
//!   ([`GENERATOR_PROPERTY`]), which is how a later `--out` recognises a workbook ics wrote and
//!   may replace it.
//!
//! The first sheet's header row is row 1, unless a column has a [`Column::group`]: then row 1
//! holds the groups (merged over their columns: `FY2021` over target, actual, achieved) and the
//! header row is row 2.
//!
//! ```no_run
//! # fn main() -> Result<(), ics::error::Error> {
//! use ics::render::xlsx::{About, Book, Cell, Column, Kind};
//! let mut book = Book::new(
//!     "Progress",
//!     vec![
//!         Column::new("indicator", Kind::Text),
//!         Column::new("actual", Kind::Number),
//!         Column::new("achieved", Kind::Percent),
//!         Column::new("status", Kind::Status),
//!         Column::new("explanation", Kind::Wrapped),
//!     ],
//! )?
//! .freeze_columns(1);
//! book.row(&[
//!     Cell::text("IND-TRADE-GOODS"),
//!     Cell::from(Some(17.2)),
//!     Cell::from(Some(88.2)),
//!     Cell::Status(ics::progress::Status::Short),
//!     Cell::text("Calendar 2021"),
//! ])?;
//! let about = About::new("Progress for FY2021", "2026-01-15T12:00:00.000000Z")
//!     .fact("Strategy", "Peru (ICS-PER)")
//!     .definitions(ics::render::xlsx::progress_definitions(10.0))
//!     .status_legend();
//! let bytes: Vec<u8> = book.finish(&about)?;
//! # let _ = bytes; Ok(()) }
//! ```
//!
//! Text is written as text: a cell never becomes a formula, so no formula guard is needed (the
//! caller decides; `export-values` keeps the CSV's guard round trip, see
//! [`super::values::sheet_text`]). Control characters an older ics stored are shown as their
//! control pictures ([`visible_controls`]). An error (more rows than a sheet holds, a text
//! longer than a cell holds) is a user error naming the row and column, with a hint to use CSV.

use std::borrow::Cow;

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};

use crate::error::Error;
use crate::progress::Status;
use crate::values::visible_controls;

/// The custom document property every workbook of ics carries, with the value
/// `ics VERSION`: it marks the file as an earlier output that a later `--out` may replace.
pub const GENERATOR_PROPERTY: &str = "Generator";

/// Rows in one Excel sheet, the header row included.
pub const MAX_ROWS: u32 = 1_048_576;

/// Characters in one Excel cell.
pub const MAX_TEXT: usize = 32_767;

/// The width of a wrapped column when none is declared, in characters.
const WRAPPED_WIDTH: f64 = 50.0;

/// The widest a fitted (undeclared) column grows, in characters.
const MAX_FITTED: usize = 40;

/// What a column holds, which decides its number format, alignment and wrapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text on one line.
    Text,
    /// Long text (explanations, notes), wrapped at the column's width.
    Wrapped,
    /// A number: `#,##0` when whole, `#,##0.0###` otherwise.
    Number,
    /// A number already in percent (88.2 for 88.2 %), shown `88.2%`.
    Percent,
    /// A signed percent (a deviation), shown `+5.3%` / `-11.8%`.
    SignedPercent,
    /// A [`Status`], written as its word on its fill colour.
    Status,
    /// A date, written as an Excel date shown `yyyy-mm-dd`.
    Date,
    /// A yes/no, written as an Excel boolean (TRUE / FALSE), centred.
    Flag,
}

/// One column: its header, what it holds, and optionally its width and group.
#[derive(Debug, Clone)]
pub struct Column {
    pub header: String,
    pub kind: Kind,
    /// Width in characters; `None` fits it to the content (wrapped columns: 50).
    pub width: Option<f64>,
    /// A heading over several adjacent columns (`FY2021`), written in a band above the header
    /// row and merged across the adjacent columns that share it.
    pub group: Option<String>,
}

impl Column {
    pub fn new(header: impl Into<String>, kind: Kind) -> Column {
        Column {
            header: header.into(),
            kind,
            width: None,
            group: None,
        }
    }

    /// Set the width, in characters.
    pub fn width(mut self, width: f64) -> Column {
        self.width = Some(width);
        self
    }

    /// Put the column under a group heading.
    pub fn group(mut self, group: impl Into<String>) -> Column {
        self.group = Some(group.into());
        self
    }
}

/// One cell of a row. Any cell may go in any column; the column's [`Kind`] gives the format
/// (a `Text` in a number column is written as text, "n/a" say).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    Empty,
    Text(Cow<'a, str>),
    Number(f64),
    Flag(bool),
    Status(Status),
    Date(chrono::NaiveDate),
}

impl<'a> Cell<'a> {
    /// A text cell; an empty text is an empty cell.
    pub fn text(s: impl Into<Cow<'a, str>>) -> Cell<'a> {
        let s = s.into();
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s)
        }
    }
}

impl From<f64> for Cell<'_> {
    fn from(x: f64) -> Self {
        Cell::Number(x)
    }
}

impl From<bool> for Cell<'_> {
    fn from(b: bool) -> Self {
        Cell::Flag(b)
    }
}

impl From<Status> for Cell<'_> {
    fn from(s: Status) -> Self {
        Cell::Status(s)
    }
}

impl<'a> From<&'a str> for Cell<'a> {
    fn from(s: &'a str) -> Self {
        Cell::text(s)
    }
}

impl From<String> for Cell<'_> {
    fn from(s: String) -> Self {
        Cell::text(s)
    }
}

impl<'a, T: Into<Cell<'a>>> From<Option<T>> for Cell<'a> {
    fn from(x: Option<T>) -> Self {
        x.map_or(Cell::Empty, Into::into)
    }
}

/// The fill and font colours of a status: Excel's own "Good", "Bad" and "Neutral" pairs for
/// on target, short and incomplete; blue for exceeded; greys for no data and no target.
pub fn status_colours(s: Status) -> (u32, u32) {
    match s {
        Status::Exceeded => (0xBDD7EE, 0x1F4E79),
        Status::OnTarget => (0xC6EFCE, 0x006100),
        Status::Short => (0xFFC7CE, 0x9C0006),
        Status::Incomplete => (0xFFEB9C, 0x9C5700),
        Status::NoData => (0xD9D9D9, 0x404040),
        Status::NoTarget => (0xF2F2F2, 0x595959),
    }
}

/// The formats of a workbook, made once.
struct Formats {
    header: Format,
    band: Format,
    section: Format,
    text: Format,
    wrapped: Format,
    whole: Format,
    fraction: Format,
    percent: Format,
    signed: Format,
    date: Format,
    flag: Format,
    status: [Format; 6],
}

impl Formats {
    fn new() -> Formats {
        let top = Format::new().set_align(FormatAlign::Top);
        Formats {
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xDDEBF7))
                .set_border_bottom(FormatBorder::Thin)
                .set_align(FormatAlign::Top),
            band: Format::new()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_background_color(Color::RGB(0xBDD7EE))
                .set_border_bottom(FormatBorder::Thin),
            section: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xF2F2F2)),
            text: top.clone(),
            wrapped: top.clone().set_text_wrap(),
            whole: top.clone().set_num_format("#,##0"),
            fraction: top.clone().set_num_format("#,##0.0###"),
            percent: top.clone().set_num_format("0.0\"%\""),
            signed: top.clone().set_num_format("+0.0\"%\";-0.0\"%\";0.0\"%\""),
            date: top.clone().set_num_format("yyyy-mm-dd"),
            flag: top.clone().set_align(FormatAlign::Center),
            status: Status::ALL.map(|s| {
                let (fill, font) = status_colours(s);
                top.clone()
                    .set_background_color(Color::RGB(fill))
                    .set_font_color(Color::RGB(font))
            }),
        }
    }

    fn status(&self, s: Status) -> &Format {
        let i = Status::ALL.iter().position(|x| *x == s).unwrap_or(0);
        &self.status[i]
    }
}

/// A workbook being written: one data sheet, then "About" at [`Book::finish`].
pub struct Book {
    sheet: Worksheet,
    sheet_name: String,
    columns: Vec<Column>,
    formats: Formats,
    /// The header row (0-based): 0, or 1 under a group band.
    header_row: u32,
    /// The next row to write (0-based).
    next: u32,
    /// The widest cell seen in each column, in characters.
    widest: Vec<usize>,
    freeze_columns: u16,
}

impl Book {
    /// Start a workbook whose first sheet is `sheet_name` (at most 31 characters, none of
    /// `[ ] : * ? / \`) with these columns; the header row is written now.
    pub fn new(sheet_name: &str, columns: Vec<Column>) -> Result<Book, Error> {
        let mut sheet = Worksheet::new();
        sheet.set_name(sheet_name).map_err(xlsx_err)?;
        let formats = Formats::new();
        let grouped = columns.iter().any(|c| c.group.is_some());
        let header_row = u32::from(grouped);
        if grouped {
            let mut start = 0;
            while start < columns.len() {
                let group = &columns[start].group;
                let mut end = start;
                while end + 1 < columns.len() && columns[end + 1].group == *group {
                    end += 1;
                }
                let text = group.as_deref().unwrap_or("");
                if end > start {
                    sheet
                        .merge_range(0, col(start), 0, col(end), text, &formats.band)
                        .map_err(xlsx_err)?;
                } else {
                    sheet
                        .write_string_with_format(0, col(start), text, &formats.band)
                        .map_err(xlsx_err)?;
                }
                start = end + 1;
            }
        }
        for (i, c) in columns.iter().enumerate() {
            sheet
                .write_string_with_format(header_row, col(i), &c.header, &formats.header)
                .map_err(xlsx_err)?;
        }
        let widest = columns.iter().map(|c| width_of(&c.header) + 3).collect();
        Ok(Book {
            sheet,
            sheet_name: sheet_name.to_string(),
            columns,
            formats,
            header_row,
            next: header_row + 1,
            widest,
            freeze_columns: 0,
        })
    }

    /// Freeze the first `n` columns too (the indicator code), so they stay in view when the
    /// sheet scrolls sideways.
    pub fn freeze_columns(mut self, n: u16) -> Book {
        self.freeze_columns = n;
        self
    }

    /// Data rows written so far.
    pub fn rows(&self) -> u32 {
        self.next - self.header_row - 1
    }

    /// Write one row: one cell per column, in order (missing cells are empty; extra cells are
    /// ignored).
    pub fn row(&mut self, cells: &[Cell<'_>]) -> Result<(), Error> {
        let row = self.next_row()?;
        for (i, cell) in cells.iter().enumerate().take(self.columns.len()) {
            self.write_cell(row, i, cell)?;
        }
        Ok(())
    }

    /// Write a heading row inside the data (a goal's code and title over its indicators): bold
    /// text in the first column on a grey band across every column. Filters treat it as a row.
    pub fn section(&mut self, text: &str) -> Result<(), Error> {
        let row = self.next_row()?;
        let text = visible_controls(text);
        self.check_text(row, 0, &text)?;
        for i in 0..self.columns.len() {
            let t = if i == 0 { text.as_ref() } else { "" };
            self.sheet
                .write_string_with_format(row, col(i), t, &self.formats.section)
                .map_err(xlsx_err)?;
        }
        Ok(())
    }

    fn next_row(&mut self) -> Result<u32, Error> {
        if self.next >= MAX_ROWS {
            return Err(Error::input_with_hint(
                format!(
                    "the sheet `{}` would need more than the {MAX_ROWS} rows an Excel sheet holds",
                    self.sheet_name
                ),
                "write --format csv instead, or select fewer rows",
            ));
        }
        let row = self.next;
        self.next += 1;
        Ok(row)
    }

    fn check_text(&self, row: u32, i: usize, text: &str) -> Result<(), Error> {
        // Excel counts UTF-16 units.
        if text.len() > MAX_TEXT && text.encode_utf16().count() > MAX_TEXT {
            return Err(Error::input_with_hint(
                format!(
                    "row {} of the sheet `{}`: the `{}` text is longer than the {MAX_TEXT} characters an Excel cell holds",
                    row + 1,
                    self.sheet_name,
                    self.columns[i].header
                ),
                "write --format csv instead",
            ));
        }
        Ok(())
    }

    fn write_cell(&mut self, row: u32, i: usize, cell: &Cell<'_>) -> Result<(), Error> {
        let kind = self.columns[i].kind;
        let f = &self.formats;
        let c = col(i);
        let (result, shown) = match cell {
            Cell::Empty => return Ok(()),
            Cell::Text(t) => {
                let t = visible_controls(t);
                self.check_text(row, i, &t)?;
                let format = if kind == Kind::Wrapped {
                    &f.wrapped
                } else {
                    &f.text
                };
                let shown = t.lines().map(width_of).max().unwrap_or(0);
                (
                    self.sheet
                        .write_string_with_format(row, c, t.as_ref(), format),
                    shown,
                )
            }
            Cell::Number(x) if !x.is_finite() => {
                // Not a number Excel can hold: its text, never a wrong number.
                let t = x.to_string();
                let shown = t.len();
                (
                    self.sheet.write_string_with_format(row, c, t, &f.text),
                    shown,
                )
            }
            Cell::Number(x) => {
                let (format, shown) = match kind {
                    Kind::Percent => (&f.percent, percent_width(*x)),
                    Kind::SignedPercent => (&f.signed, percent_width(*x) + 1),
                    _ if x.fract() == 0.0 => (&f.whole, number_width(*x, 0)),
                    _ => (&f.fraction, number_width(*x, 4)),
                };
                (
                    self.sheet.write_number_with_format(row, c, *x, format),
                    shown,
                )
            }
            Cell::Flag(b) => (self.sheet.write_boolean_with_format(row, c, *b, &f.flag), 5),
            Cell::Status(s) => (
                self.sheet
                    .write_string_with_format(row, c, s.label(), f.status(*s)),
                s.label().len(),
            ),
            Cell::Date(d) => {
                use chrono::Datelike;
                let shown = 10;
                match excel_date(*d) {
                    Some(date) => (
                        self.sheet.write_datetime_with_format(row, c, date, &f.date),
                        shown,
                    ),
                    // Before 1900 or after 9999: Excel has no such date; its ISO text.
                    None => (
                        self.sheet.write_string_with_format(
                            row,
                            c,
                            format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
                            &f.text,
                        ),
                        shown,
                    ),
                }
            }
        };
        result.map_err(xlsx_err)?;
        if self.widest[i] < shown {
            self.widest[i] = shown;
        }
        Ok(())
    }

    /// Finish the workbook: widths, frozen header, autofilter, the "About" sheet and the
    /// document properties; the bytes of the `.xlsx` file.
    pub fn finish(mut self, about: &About) -> Result<Vec<u8>, Error> {
        for (i, c) in self.columns.iter().enumerate() {
            let width = match (c.width, c.kind) {
                (Some(w), _) => w,
                (None, Kind::Wrapped) => WRAPPED_WIDTH,
                (None, _) => self.widest[i].min(MAX_FITTED) as f64 + 1.0,
            };
            self.sheet
                .set_column_width(col(i), width)
                .map_err(xlsx_err)?;
        }
        self.sheet
            .set_freeze_panes(self.header_row + 1, self.freeze_columns)
            .map_err(xlsx_err)?;
        if !self.columns.is_empty() {
            self.sheet
                .autofilter(
                    self.header_row,
                    0,
                    self.next - 1,
                    col(self.columns.len() - 1),
                )
                .map_err(xlsx_err)?;
        }
        let mut workbook = Workbook::new();
        workbook.push_worksheet(self.sheet);
        workbook.push_worksheet(about.sheet(&self.formats)?);
        let mut props = DocProperties::new()
            .set_title(&about.title)
            .set_custom_property(
                GENERATOR_PROPERTY,
                format!("ics {}", env!("CARGO_PKG_VERSION")).as_str(),
            );
        // The clock of `ics` (ICS_NOW pins it), so a workbook is the same bytes every run.
        if let Some(created) = about
            .generated
            .get(..19)
            .and_then(|t| ExcelDateTime::parse_from_str(t).ok())
        {
            props = props.set_creation_datetime(&created);
        }
        workbook.set_properties(&props);
        workbook.save_to_buffer().map_err(xlsx_err)
    }
}

/// The second sheet: what the workbook was made from, and the definitions behind it.
#[derive(Debug, Clone)]
pub struct About {
    /// The first line, and the document's title: "Progress for FY2021".
    pub title: String,
    /// When the workbook was made: an RFC 3339 UTC time from [`crate::clock::now_utc`].
    pub generated: String,
    /// What it was made from, in order: ("Strategy", "Peru (PER)"), ("Version", "v1")...
    pub facts: Vec<(String, String)>,
    /// Terms and what they mean.
    pub definitions: Vec<(String, String)>,
    /// Whether to show every status word on its colour.
    pub legend: bool,
}

impl About {
    /// `generated` is [`crate::clock::now_utc`]'s time; it is shown as
    /// `2026-01-15 12:00:00 UTC` after the facts.
    pub fn new(title: impl Into<String>, generated: impl Into<String>) -> About {
        About {
            title: title.into(),
            generated: generated.into(),
            facts: Vec::new(),
            definitions: Vec::new(),
            legend: false,
        }
    }

    /// Add what the workbook was made from: ("Strategy", "Peru (PER)").
    pub fn fact(mut self, name: impl Into<String>, value: impl Into<String>) -> About {
        self.facts.push((name.into(), value.into()));
        self
    }

    /// Add definitions, in order.
    pub fn definitions<N: Into<String>, T: Into<String>>(
        mut self,
        terms: impl IntoIterator<Item = (N, T)>,
    ) -> About {
        self.definitions
            .extend(terms.into_iter().map(|(n, t)| (n.into(), t.into())));
        self
    }

    /// Show every status word on its fill colour.
    pub fn status_legend(mut self) -> About {
        self.legend = true;
        self
    }

    fn sheet(&self, f: &Formats) -> Result<Worksheet, Error> {
        self.lines(f).map_err(xlsx_err)
    }

    fn lines(&self, f: &Formats) -> Result<Worksheet, XlsxError> {
        let mut s = Worksheet::new();
        s.set_name("About")?;
        s.set_column_width(0, 22)?;
        s.set_column_width(1, 90)?;
        let bold = Format::new().set_bold().set_align(FormatAlign::Top);
        let title = Format::new().set_bold().set_font_size(14);
        let wrapped = &f.wrapped;
        let mut row = 0;
        let mut put = |s: &mut Worksheet, a: &str, b: &str, fa: &Format| {
            let r = row;
            row += 1;
            if !a.is_empty() {
                s.write_string_with_format(r, 0, visible_controls(a).as_ref(), fa)?;
            }
            if !b.is_empty() {
                s.write_string_with_format(r, 1, visible_controls(b).as_ref(), wrapped)?;
            }
            Ok::<(), XlsxError>(())
        };
        put(&mut s, &self.title, "", &title)?;
        put(&mut s, "", "", &f.text)?;
        put(&mut s, "Made from", "", &bold)?;
        for (name, value) in &self.facts {
            put(&mut s, name, value, &f.text)?;
        }
        let generated = super::values::time(&self.generated);
        put(&mut s, "Generated", &generated, &f.text)?;
        let by = format!("ics {}", env!("CARGO_PKG_VERSION"));
        put(&mut s, "Written by", &by, &f.text)?;
        if !self.definitions.is_empty() {
            put(&mut s, "", "", &f.text)?;
            put(&mut s, "Definitions", "", &bold)?;
            for (term, text) in &self.definitions {
                put(&mut s, term, text, &bold)?;
            }
        }
        if self.legend {
            put(&mut s, "", "", &f.text)?;
            put(&mut s, "Status colours", "", &bold)?;
            for st in Status::ALL {
                put(&mut s, st.label(), status_meaning(st), f.status(st))?;
            }
        }
        Ok(s)
    }
}

/// What each status means, in a few words.
fn status_meaning(s: Status) -> &'static str {
    match s {
        Status::Exceeded => "better than the target by more than the threshold",
        Status::OnTarget => "within the threshold of the target",
        Status::Short => "worse than the target by more than the threshold",
        Status::Incomplete => "a year still coming in, with no target to date to judge it by",
        Status::NoData => "a target but no actual",
        Status::NoTarget => "no target for the period",
    }
}

/// The progress definitions (README "Progress definitions", issue 13) in a few lines, for the
/// About sheet of every progress-like workbook; `threshold` is the strategy's
/// `deviation_threshold`.
pub fn progress_definitions(threshold: f64) -> Vec<(&'static str, String)> {
    let t = super::values::readable(threshold);
    vec![
        ("threshold", format!("{t}%: the strategy's deviation_threshold; a deviation within ±{t}% is on target")),
        ("target", "the indicator's target for the period (a year of a quarterly indicator with no year target: its four quarters combined)".into()),
        ("actual", "the current value for the period with no disaggregation; else the quarters reported combined, or the sum of one disaggregation's categories (derived); a cumulative indicator's running total; a ratio's numerators over its denominators".into()),
        ("achieved", "actual × 100 / target: the \"% of target achieved\"".into()),
        ("deviation", "(actual − target) × 100 / |target|".into()),
        ("progress", "(actual − baseline) × 100 / (target − baseline); never decides the status".into()),
        ("status", format!("no target; no data; else on target when |deviation| ≤ {t}%, else exceeded when the actual is better than the target in the indicator's direction and short when worse; incomplete for a year still coming in with no target to date")),
        ("target_to_date", "for a year still coming in, the target of the quarters reported so far, which achieved and deviation then use".into()),
        ("needs_explanation", "exceeded or short, with no note or explanation on the actual or the values it was combined from".into()),
    ]
}

/// A column index as Excel's.
fn col(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

/// Characters a text takes on screen.
fn width_of(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// Characters `x` takes with thousands separators and up to `decimals` decimals.
fn number_width(x: f64, decimals: usize) -> usize {
    let int = x.abs().trunc();
    let digits = if int < 1.0 {
        1
    } else {
        int.log10().floor() as usize + 1
    };
    let frac = if decimals == 0 {
        0
    } else {
        let shown = format!("{:.*}", decimals, x.abs().fract());
        shown.trim_end_matches('0').len().saturating_sub(1)
    };
    digits + (digits - 1) / 3 + frac + usize::from(x < 0.0)
}

/// Characters a percent takes: `88.2%`.
fn percent_width(x: f64) -> usize {
    format!("{x:.1}").len() + 1
}

/// An Excel date for `d`, when Excel has one (1900-01-01 to 9999-12-31).
fn excel_date(d: chrono::NaiveDate) -> Option<ExcelDateTime> {
    use chrono::Datelike;
    let y = u16::try_from(d.year())
        .ok()
        .filter(|y| (1900..=9999).contains(y))?;
    ExcelDateTime::from_ymd(y, d.month() as u8, d.day() as u8).ok()
}

/// A writer error as an error of `ics`.
fn xlsx_err(e: XlsxError) -> Error {
    match e {
        XlsxError::IoError(io) => Error::Output(io),
        other => Error::Output(std::io::Error::other(format!(
            "the workbook could not be made: {other}"
        ))),
    }
}

#[cfg(test)]
#[path = "xlsx_tests.rs"]
mod tests;
