//! Where an import's rows come from: a CSV file ([`CsvSource`]) or a worksheet of an Excel
//! workbook ([`super::xlsx`]). Either hands the row checker the same thing, a record of text
//! cells with the line (or sheet row) it came from, so every rule is checked once, in
//! [`super::rows`], whatever the file.

use csv::ByteRecord;

use super::quotes::QuoteCheck;
use super::rows::read_error;
use crate::error::Error;

/// Where a problem is: a line (a sheet's row number), and for a worksheet the cell of the row
/// it concerns (an index into the record), if it is about one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Place {
    pub line: u64,
    pub col: Option<usize>,
}

impl Place {
    pub fn line(line: u64) -> Place {
        Place { line, col: None }
    }
}

/// A problem and where it is.
pub(crate) type Problem = (Place, String);

/// The rows of a file, one record at a time.
pub(crate) trait RowSource {
    /// Read the next row into `record` and return its line; `None` at the end.
    fn next_row(&mut self, record: &mut ByteRecord) -> Result<Option<u64>, Error>;
    /// A problem found while reading the row just returned (broken quoting, a cell that
    /// cannot be read): the row is reported for that alone.
    fn row_problem(&mut self, line: u64) -> Option<Problem>;
    /// Problems no row took, at the end of the file.
    fn leftover(&mut self) -> Vec<Problem>;
    /// How far the reading is, in bytes (for the progress bar).
    fn bytes(&self) -> u64;
}

/// How a [`Place`] is written in messages.
#[derive(Debug, Clone)]
pub(crate) enum Locate {
    /// `FILE:LINE`.
    Csv,
    /// `FILE:Sheet!C7`: the sheet, the column letter of the cell (the first column of the
    /// used range when the problem is the row as a whole) and the row number.
    Sheet { name: String, first_col: u32 },
}

impl Locate {
    pub fn at(&self, shown: &str, place: Place) -> String {
        match self {
            Locate::Csv => format!("{shown}:{}", place.line),
            Locate::Sheet { name, first_col } => {
                let col = *first_col as u64 + place.col.unwrap_or(0) as u64;
                format!("{shown}:{name}!{}{}", column_letters(col), place.line)
            }
        }
    }
}

/// Excel's name of a 0-based column: `A`, `Z`, `AA`, `XFD`.
pub(crate) fn column_letters(col: u64) -> String {
    let mut n = col + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// The separators a CSV file may use, recognised from its header line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Separator {
    #[default]
    Comma,
    Semicolon,
    Tab,
}

impl Separator {
    pub fn byte(self) -> u8 {
        match self {
            Separator::Comma => b',',
            Separator::Semicolon => b';',
            Separator::Tab => b'\t',
        }
    }

    /// "comma-separated", "semicolon-separated", "tab-separated".
    pub fn name(self) -> &'static str {
        match self {
            Separator::Comma => "comma-separated",
            Separator::Semicolon => "semicolon-separated",
            Separator::Tab => "tab-separated",
        }
    }

    /// The separator of a file whose first bytes are `head`: whichever of `,`, `;` and tab
    /// occurs most often outside quotes on the first line that is not blank (a comma when
    /// none does, or on a tie with it).
    pub fn detect(head: &[u8]) -> Separator {
        let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        let mut counts = [0usize; 3];
        let mut quoted = false;
        let mut seen_text = false;
        for &b in head {
            match b {
                b'"' => quoted = !quoted,
                b'\n' | b'\r' if !quoted && seen_text => break,
                b'\n' | b'\r' if !quoted => {}
                _ if quoted => {}
                b',' => counts[0] += 1,
                b';' => counts[1] += 1,
                b'\t' => counts[2] += 1,
                _ => {}
            }
            if !b.is_ascii_whitespace() {
                seen_text = true;
            }
        }
        let [comma, semicolon, tab] = counts;
        if semicolon > comma && semicolon >= tab {
            Separator::Semicolon
        } else if tab > comma && tab > semicolon {
            Separator::Tab
        } else {
            Separator::Comma
        }
    }
}

/// The rows of a CSV file, with lines counted from its bytes.
pub(crate) struct CsvSource<R: std::io::Read> {
    pub reader: csv::Reader<QuoteCheck<R>>,
    pub shown: String,
    /// The line after the row just read.
    next_line: u64,
}

impl<R: std::io::Read> CsvSource<R> {
    pub fn new(reader: csv::Reader<QuoteCheck<R>>, shown: &str) -> Self {
        CsvSource {
            reader,
            shown: shown.to_string(),
            next_line: 1,
        }
    }
}

impl<R: std::io::Read> RowSource for CsvSource<R> {
    fn next_row(&mut self, record: &mut ByteRecord) -> Result<Option<u64>, Error> {
        if !self
            .reader
            .read_byte_record(record)
            .map_err(|e| read_error(&self.shown, e))?
        {
            return Ok(None);
        }
        let start = record.position().map_or(0, |p| p.byte());
        let next = self.reader.position().byte();
        let check = self.reader.get_mut();
        let line = check.line_at(start);
        self.next_line = check.line_at(next);
        Ok(Some(line))
    }

    fn row_problem(&mut self, line: u64) -> Option<Problem> {
        let next_line = self.next_line;
        self.reader
            .get_mut()
            .take_for_row(line, next_line)
            .map(|(l, m)| (Place::line(l), m))
    }

    fn leftover(&mut self) -> Vec<Problem> {
        self.reader
            .get_mut()
            .take_all()
            .map(|(l, m)| (Place::line(l), m))
            .collect()
    }

    fn bytes(&self) -> u64 {
        self.reader.position().byte()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_come_from_the_header() {
        for (head, sep) in [
            ("indicator,period,value\n1;2;3;4\n", Separator::Comma),
            ("indicator;period;value\n", Separator::Semicolon),
            (
                "\u{feff}indicator;period;value;note\r\n",
                Separator::Semicolon,
            ),
            ("indicator\tperiod\tvalue\n", Separator::Tab),
            ("\n\nindicator\tperiod\tvalue", Separator::Tab),
            ("\"a;b;c\",period,value\n", Separator::Comma),
            ("indicator\n", Separator::Comma),
            ("", Separator::Comma),
        ] {
            assert_eq!(Separator::detect(head.as_bytes()), sep, "{head:?}");
        }
    }

    #[test]
    fn column_names() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(2), "C");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(16383), "XFD");
        let sheet = Locate::Sheet {
            name: "Values".into(),
            first_col: 0,
        };
        let at = sheet.at(
            "v.xlsx",
            Place {
                line: 7,
                col: Some(2),
            },
        );
        assert_eq!(at, "v.xlsx:Values!C7");
        assert_eq!(Locate::Csv.at("v.csv", Place::line(7)), "v.csv:7");
    }
}
