//! A plain listing (a header and rows of text) as a terminal table or CSV: the users, the
//! locks, the audit log and the reporting status all print through it.

use std::io::Write;

use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};

use super::{cell, Term};
use crate::error::Error;
use crate::values::guard;

pub struct Listing {
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

impl Listing {
    pub fn new(header: Vec<&'static str>) -> Listing {
        Listing {
            header,
            rows: Vec::new(),
        }
    }

    /// The table for people, fitted to the terminal's width; every cell made safe.
    pub fn table(&self, term: Term) -> String {
        let mut table = Table::new();
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(self.header.iter().map(|h| cell(*h)));
        if let Some(w) = term.width {
            table.set_width(w.min(u16::MAX as usize) as u16);
        }
        for row in &self.rows {
            table.add_row(row.iter().map(|c| cell(c.as_str())));
        }
        format!("{table}\n")
    }

    /// CSV with the header as its first record; a cell that a spreadsheet would take for a
    /// formula is defused ([`guard`]).
    pub fn csv(&self, out: &mut dyn Write) -> Result<(), Error> {
        let mut w = csv::WriterBuilder::new()
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(out);
        let err = |e: csv::Error| -> Error {
            match e.into_kind() {
                csv::ErrorKind::Io(e) => Error::Output(e),
                other => Error::Output(std::io::Error::other(format!("{other:?}"))),
            }
        };
        w.write_record(&self.header).map_err(err)?;
        for row in &self.rows {
            w.write_record(row.iter().map(|c| guard(c).into_owned()))
                .map_err(err)?;
        }
        w.flush().map_err(Error::Output)?;
        Ok(())
    }
}

/// An RFC 3339 time as the tables show it: `2026-11-22 09:00:00`.
pub fn short_time(t: &str) -> String {
    t.get(..19).unwrap_or(t).replace('T', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_defuses_formulas_and_quotes_what_needs_it() {
        let mut l = Listing::new(vec!["a", "b"]);
        l.rows.push(vec!["=1+1".into(), "x, y".into()]);
        let mut out = Vec::new();
        l.csv(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, "a,b\n'=1+1,\"x, y\"\n");
    }

    #[test]
    fn a_table_never_passes_escapes_through() {
        let mut l = Listing::new(vec!["a"]);
        l.rows.push(vec!["\u{1b}[31mred".into()]);
        let t = l.table(Term::plain());
        assert!(!t.contains('\u{1b}'), "{t}");
    }
}
