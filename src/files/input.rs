//! Reading input files with limits on the bytes actually read.
//!
//! A file's size on disk says nothing for a device or a pipe (`/dev/zero` is 0 bytes "long" and
//! never ends), so every limit here counts the bytes read: [`read_bounded`] reads a whole file
//! (a framework) up to a limit and stops one byte past it; [`RowLimit`] wraps a CSV stream and
//! stops at the first row longer than a limit, remembering the line that row starts on, so a
//! 1 GB cell costs at most the limit in memory and is reported at `FILE:LINE`.

use std::io::{self, Read};
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// Largest input file read whole (a framework file): 64 MiB.
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// Longest row of a values CSV file: 1 MiB, far more than any note needs.
pub const MAX_ROW_BYTES: u64 = 1024 * 1024;

/// Why a bounded read stopped.
#[derive(Debug)]
pub enum BoundedReadError {
    /// The file has more than the limit (on disk, or as read from a device or pipe).
    TooLarge,
    Io(io::Error),
}

/// Read the whole file at `path`, refusing it once more than `limit` bytes have been read. A
/// regular file larger than `limit` on disk is refused before any read.
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, BoundedReadError> {
    let file = std::fs::File::open(path).map_err(BoundedReadError::Io)?;
    let on_disk = file.metadata().map(|m| m.len()).unwrap_or(0);
    if on_disk > limit {
        return Err(BoundedReadError::TooLarge);
    }
    let mut bytes = Vec::with_capacity(on_disk as usize + 1);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(BoundedReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(BoundedReadError::TooLarge);
    }
    Ok(bytes)
}

/// A limit in words: "64 MiB", "1 MiB", "512 bytes".
pub fn describe_limit(limit: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if limit >= MIB && limit.is_multiple_of(MIB) {
        format!("{} MiB", limit / MIB)
    } else {
        format!("{limit} bytes")
    }
}

/// A reader of CSV text that fails at the first row longer than `limit` bytes.
///
/// Rows end at a line feed or carriage return outside double quotes (CSV's `""` inside a quoted cell toggles twice,
/// so counting quotes is enough); a quoted cell may span lines and still counts as one row.
/// When it trips, the reader returns an [`io::ErrorKind::InvalidData`] error and records the
/// line the row starts on in its [`Overlong`] handle, which outlives the reader.
pub struct RowLimit<R> {
    inner: R,
    limit: u64,
    in_quotes: bool,
    /// Bytes of the current row so far.
    row_bytes: u64,
    /// The line the next byte is on (1-based).
    line: u64,
    /// The line the current row started on.
    row_line: u64,
    tripped: Arc<OnceLock<u64>>,
}

/// Which line a too-long row started on, once a [`RowLimit`] has tripped.
#[derive(Debug, Clone, Default)]
pub struct Overlong(Arc<OnceLock<u64>>);

impl Overlong {
    /// The line of the first row over the limit, if any.
    pub fn line(&self) -> Option<u64> {
        self.0.get().copied()
    }
}

impl<R: Read> RowLimit<R> {
    pub fn new(inner: R, limit: u64) -> (RowLimit<R>, Overlong) {
        let tripped = Arc::new(OnceLock::new());
        let reader = RowLimit {
            inner,
            limit,
            in_quotes: false,
            row_bytes: 0,
            line: 1,
            row_line: 1,
            tripped: Arc::clone(&tripped),
        };
        (reader, Overlong(tripped))
    }
}

impl<R: Read> Read for RowLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(line) = self.tripped.get() {
            return Err(overlong_error(*line, self.limit));
        }
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            self.row_bytes += 1;
            if b == b'"' {
                self.in_quotes = !self.in_quotes;
            } else if b == b'\n' || b == b'\r' {
                // Lines are counted at line feeds, as the CSV reader counts them; a carriage
                // return alone also ends a row (old Mac files).
                self.line += u64::from(b == b'\n');
                if !self.in_quotes {
                    self.row_bytes = 0;
                    self.row_line = self.line;
                }
            }
            if self.row_bytes > self.limit {
                let _ = self.tripped.set(self.row_line);
                return Err(overlong_error(self.row_line, self.limit));
            }
        }
        Ok(n)
    }
}

fn overlong_error(line: u64, limit: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "the row starting on line {line} is longer than {}",
            describe_limit(limit)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_through(text: &[u8], limit: u64) -> (io::Result<Vec<u8>>, Option<u64>) {
        let (mut r, overlong) = RowLimit::new(text, limit);
        let mut out = Vec::new();
        let result = r.read_to_end(&mut out).map(|_| out);
        (result, overlong.line())
    }

    #[test]
    fn rows_within_the_limit_pass_through_unchanged() {
        let text = b"a,b\n1,\"two\nlines\"\n\n3,\"say \"\"hi\"\"\"\n";
        let (result, line) = read_through(text, 16);
        assert_eq!(result.unwrap(), text);
        assert_eq!(line, None);
    }

    #[test]
    fn rows_ended_by_carriage_returns_alone_are_rows_too() {
        let text = "a,b\r".to_string() + &"1,2\r".repeat(100);
        let (result, line) = read_through(text.as_bytes(), 16);
        assert_eq!(result.unwrap(), text.as_bytes());
        assert_eq!(line, None);
    }

    #[test]
    fn a_long_row_is_caught_at_the_line_it_starts_on() {
        let mut text = b"h\nshort\n\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', 100));
        text.extend(b"\nafter\n");
        let (result, line) = read_through(&text, 50);
        assert_eq!(result.unwrap_err().kind(), io::ErrorKind::InvalidData);
        assert_eq!(line, Some(4));
    }

    #[test]
    fn a_quoted_cell_over_many_short_lines_counts_as_one_row() {
        let mut text = b"h\n\"".to_vec();
        for _ in 0..40 {
            text.extend(b"ab\n");
        }
        text.extend(b"\"\n");
        let (result, line) = read_through(&text, 64);
        assert!(result.is_err());
        assert_eq!(line, Some(2));
        // The same file passes with a limit above the row's length.
        let (result, _) = read_through(&text, 200);
        assert!(result.is_ok());
    }

    #[test]
    fn an_endless_device_is_read_only_up_to_the_limit() {
        // `/dev/zero` has size 0 on disk and never ends: the limit counts bytes read.
        let zero = Path::new("/dev/zero");
        if zero.exists() {
            assert!(matches!(
                read_bounded(zero, 1024 * 1024),
                Err(BoundedReadError::TooLarge)
            ));
            let (mut r, overlong) = RowLimit::new(std::fs::File::open(zero).unwrap(), 4096);
            assert!(r.read_to_end(&mut Vec::new()).is_err());
            assert_eq!(overlong.line(), Some(1));
        }
    }

    #[test]
    fn a_file_at_the_limit_is_read_and_one_byte_more_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, [b'a'; 10]).unwrap();
        assert_eq!(read_bounded(&p, 10).unwrap().len(), 10);
        assert!(matches!(
            read_bounded(&p, 9),
            Err(BoundedReadError::TooLarge)
        ));
        assert_eq!(describe_limit(MAX_INPUT_BYTES), "64 MiB");
        assert_eq!(describe_limit(500), "500 bytes");
    }
}
