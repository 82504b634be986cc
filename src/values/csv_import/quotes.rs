//! The CSV grammar that the csv crate does not enforce, checked on the raw bytes as they are
//! read.
//!
//! The csv crate repairs three kinds of broken text without a word: a quote that is never
//! closed makes the rest of the file one cell, text after a closing quote (`"quoted" trailing`)
//! loses the quotes, and a carriage return alone ends a row while line numbers stop counting.
//! A quote inside a cell that does not start with one (`abc"def`) it keeps, but that is what a
//! hand-written file gets wrong when it means a quoted cell. [`QuoteCheck`] sits between the
//! file and the csv reader, runs the same state machine over the same bytes (RFC 4180: a quote
//! opens a cell only at its start, `""` is a quote inside a quoted cell), and notes each
//! problem with its line (lines counted at `\n`, as the csv reader counts them). The row
//! checker then reports them as bad rows, so nothing is imported.

use std::collections::VecDeque;
use std::io::{self, Read};

/// Where the scanner is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a cell (or of a row).
    CellStart,
    /// In a cell that did not start with a quote.
    Unquoted,
    /// In a quoted cell.
    Quoted,
    /// Just after a quote inside a quoted cell: a second quote, or the end of the cell.
    QuoteInQuoted,
    /// After text that followed a closing quote (already reported), until the cell ends.
    AfterStray,
}

/// A reader that passes the bytes through unchanged and notes where the CSV grammar breaks.
pub(super) struct QuoteCheck<R> {
    inner: R,
    state: State,
    /// The line being read (1-based, counted at `\n`).
    line: u64,
    /// The last byte read was a `\n` (so `line` has no text yet).
    at_line_start: bool,
    /// The line of the quote that opened the current quoted cell.
    open_line: u64,
    /// A carriage return outside quotes was the last byte: a `\n` must follow.
    after_cr: bool,
    /// The last line a problem was noted on (one per line is enough).
    noted_line: u64,
    problems: VecDeque<(u64, String)>,
    ended: bool,
    /// How many bytes of a UTF-8 byte-order mark the file started with, while it may still be
    /// one (the csv reader skips it too); `None` once past it.
    bom: Option<usize>,
    /// The separator between cells: `,`, `;` or a tab.
    delimiter: u8,
    /// Bytes scanned so far.
    offset: u64,
    /// The line feeds scanned but not yet passed by [`QuoteCheck::line_at`]: each one's
    /// offset, and where the run of CRs and line feeds it is part of starts.
    newlines: VecDeque<(u64, u64)>,
    /// Where the run of CRs and line feeds being scanned started, if in one.
    run_start: Option<u64>,
    /// Line feeds passed by [`QuoteCheck::line_at`].
    passed: u64,
}

const BOM: &[u8; 3] = b"\xEF\xBB\xBF";

impl<R: Read> QuoteCheck<R> {
    pub fn new(inner: R, delimiter: u8) -> Self {
        QuoteCheck {
            delimiter,
            offset: 0,
            newlines: VecDeque::new(),
            run_start: None,
            passed: 0,
            inner,
            state: State::CellStart,
            line: 1,
            at_line_start: true,
            open_line: 0,
            after_cr: false,
            noted_line: 0,
            problems: VecDeque::new(),
            ended: false,
            bom: Some(0),
        }
    }

    /// The line (1-based) of a row the csv reader places at byte `offset`, counted at line
    /// feeds. The csv reader's own line count is wrong after CRLF line ends, so lines are
    /// counted here from the bytes. The reader places a row where it began looking for it:
    /// at the line feed ending the row before (after a CR), or at blank lines it skipped. No
    /// row starts with a CR or a line feed, so the line feeds of the run of them at `offset`
    /// count too. Offsets asked for must not decrease.
    pub fn line_at(&mut self, offset: u64) -> u64 {
        while self
            .newlines
            .front()
            .is_some_and(|&(n, run)| n < offset || run <= offset)
        {
            self.newlines.pop_front();
            self.passed += 1;
        }
        self.passed + 1
    }

    /// The first problem on a line before `next_line` or on `line` (the row the csv reader
    /// just returned starts on `line`; the next one on `next_line`), dropping the others of
    /// that row: one message per row is enough.
    pub fn take_for_row(&mut self, line: u64, next_line: u64) -> Option<(u64, String)> {
        let mut first = None;
        while let Some((l, _)) = self.problems.front() {
            if *l >= next_line && *l != line {
                break;
            }
            let p = self.problems.pop_front();
            first = first.or(p);
        }
        first
    }

    /// Every problem not yet taken (at the end of the file).
    pub fn take_all(&mut self) -> impl Iterator<Item = (u64, String)> + '_ {
        self.problems.drain(..)
    }

    fn note(&mut self, line: u64, message: &str) {
        if line != self.noted_line {
            self.noted_line = line;
            self.problems.push_back((line, message.to_string()));
        }
    }

    fn lone_cr(&mut self) {
        self.note(
            self.line,
            "a line ends with a carriage return alone (an old Mac line end); save the file with Windows (CRLF) or Unix (LF) line ends",
        );
    }

    fn scan(&mut self, bytes: &[u8]) {
        for &b in bytes {
            let at = self.offset;
            self.offset += 1;
            if b == b'\n' || b == b'\r' {
                let run = *self.run_start.get_or_insert(at);
                if b == b'\n' {
                    self.newlines.push_back((at, run));
                }
            } else {
                self.run_start = None;
            }
            if let Some(n) = self.bom {
                if b == BOM[n] {
                    self.bom = (n + 1 < BOM.len()).then_some(n + 1);
                    continue;
                }
                self.bom = None;
                if n > 0 {
                    self.state = State::Unquoted; // half a mark: text, as the csv reader sees it
                }
            }
            if self.after_cr {
                self.after_cr = false;
                if b != b'\n' {
                    self.lone_cr();
                }
            }
            self.at_line_start = b == b'\n';
            if b == b'\n' {
                self.line += 1;
            }
            self.state = match (self.state, b) {
                (State::Quoted, b'"') => State::QuoteInQuoted,
                (State::Quoted, _) => State::Quoted,
                (State::QuoteInQuoted, b'"') => State::Quoted,
                (_, d) if d == self.delimiter => State::CellStart,
                (_, b'\n') => State::CellStart,
                (_, b'\r') => {
                    self.after_cr = true;
                    State::CellStart
                }
                (State::CellStart, b'"') => {
                    self.open_line = self.line;
                    State::Quoted
                }
                (State::CellStart, _) => State::Unquoted,
                (State::Unquoted, b'"') => {
                    self.note(
                        self.line,
                        "a double quote inside a cell that does not start with one; put the whole cell in double quotes and write each quote inside it as two (`\"say \"\"hi\"\"\"`)",
                    );
                    State::Unquoted
                }
                (State::Unquoted, _) => State::Unquoted,
                (State::QuoteInQuoted, _) => {
                    self.note(
                        self.line,
                        "text follows the closing quote of a quoted cell; inside a quoted cell, write a quote as two (`\"\"`)",
                    );
                    State::AfterStray
                }
                (State::AfterStray, _) => State::AfterStray,
            };
        }
    }

    fn finish(&mut self) {
        if self.ended {
            return;
        }
        self.ended = true;
        if self.after_cr {
            self.after_cr = false;
            self.lone_cr();
        }
        if self.state == State::Quoted {
            let swallowed = self.line - self.open_line - u64::from(self.at_line_start);
            let rest = match swallowed {
                0 => "the rest of the line".to_string(),
                1 => "the rest of the file (1 more line)".to_string(),
                n => format!("the rest of the file ({n} more lines)"),
            };
            let message = format!(
                "the quote that opens a cell on this line is never closed, so {rest} would be read as one cell; close the quote, and write a quote inside a cell as two (`\"\"`)"
            );
            self.noted_line = 0; // always reported, even after another problem on its line
            self.note(self.open_line, &message);
        }
    }
}

impl<R: Read> Read for QuoteCheck<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() {
            self.finish();
        } else {
            self.scan(&buf[..n]);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every problem in `text`, read in chunks of `chunk` bytes.
    fn problems(text: &str, chunk: usize) -> Vec<(u64, String)> {
        let mut check = QuoteCheck::new(text.as_bytes(), b',');
        let mut buf = vec![0; chunk];
        while check.read(&mut buf).unwrap() > 0 {}
        check.take_all().collect()
    }

    fn lines(text: &str) -> Vec<u64> {
        let all: Vec<u64> = problems(text, 4096).iter().map(|p| p.0).collect();
        // The same whatever the chunk size (a state never depends on where a read ends).
        for chunk in [1, 2, 3, 7] {
            let again: Vec<u64> = problems(text, chunk).iter().map(|p| p.0).collect();
            assert_eq!(again, all, "chunk {chunk}: {text:?}");
        }
        all
    }

    #[test]
    fn good_csv_has_no_problems() {
        for text in [
            "a,b,c\n1,2,3\n",
            "a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\r\n",
            "a\n\"line one\nline two\"\n\"\"\n",
            "a,b\n\"last\r\nrow\"",
            "a,b\n,\n\n\r\n",
            "\u{feff}\"a\",b\n\"1\",2\n",
            "",
        ] {
            assert_eq!(lines(text), Vec::<u64>::new(), "{text:?}");
        }
    }

    #[test]
    fn broken_quoting_is_located() {
        assert_eq!(lines("a,b\n1,\"open\n2,3\n4,5\n"), [2]);
        assert_eq!(lines("a,b\n1,\"open"), [2]);
        assert_eq!(lines("a,b\n1,\"quoted\" trailing\n2,3\n"), [2]);
        assert_eq!(lines("a,b\n1,abc\"def\n2,\"ok\"\n"), [2]);
        assert_eq!(lines("a,b\n1, \"x\"\n"), [2]);
        assert_eq!(lines("\u{feff}\u{feff}\"a\"\n"), [1]); // only one mark is skipped
        assert_eq!(lines("a,b\r1,2\r"), [1]);
        assert_eq!(lines("a,b\n1,2\r"), [2]);
        // One problem per line, and the unterminated quote after a stray one.
        assert_eq!(lines("a\n\"x\"y\"z\"\n"), [2]);
        assert_eq!(lines("a\nb\"c,\"d\n"), [2, 2]);
        for (text, says) in [
            ("a\n\"open\nx\ny\n", "(2 more lines)"),
            ("a\n\"open\nx\ny", "(2 more lines)"),
            ("a\n\"open\nx", "(1 more line)"),
            ("a\n\"open\n", "the rest of the line"),
        ] {
            let p = problems(text, 4096);
            assert!(p[0].1.contains(says), "{text:?}: {}", p[0].1);
        }
    }

    #[test]
    fn rows_take_their_problems() {
        let mut check = QuoteCheck::new(&b""[..], b',');
        check
            .problems
            .extend([(2, "a".into()), (2, "b".into()), (5, "c".into())]);
        assert_eq!(check.take_for_row(1, 2), None);
        assert_eq!(check.take_for_row(2, 3), Some((2, "a".into())));
        assert_eq!(check.take_for_row(3, 4), None);
        assert_eq!(check.take_for_row(5, 5), Some((5, "c".into())));
    }
}
