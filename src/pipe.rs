//! Standard output that survives a closed pipe.
//!
//! `ics lint | head -1` closes the pipe while `ics` is still writing. That is not an error
//! (BurntSushi/xsv): the reader has what it wanted. [`PipeOut`] swallows the broken pipe and
//! discards everything written after it, so the command runs to its end and its exit code
//! still says what it found (1 for lint findings or diff differences), instead of an error
//! unwinding through the command and losing the outcome. Any other write error (a full disk)
//! is passed on unchanged.

use std::io::{self, ErrorKind, Write};

/// A writer that turns a broken pipe into a quiet sink.
pub struct PipeOut<W> {
    inner: W,
    closed: bool,
}

impl<W: Write> PipeOut<W> {
    pub fn new(inner: W) -> Self {
        PipeOut {
            inner,
            closed: false,
        }
    }

    /// Whether the reader went away.
    pub fn closed(&self) -> bool {
        self.closed
    }

    fn quiet<T>(&mut self, r: io::Result<T>, instead: T) -> io::Result<T> {
        match r {
            Err(e) if e.kind() == ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(instead)
            }
            r => r,
        }
    }
}

impl<W: Write> Write for PipeOut<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        let r = self.inner.write(buf);
        self.quiet(r, buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let r = self.inner.flush();
        self.quiet(r, ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Accepts `room` bytes, then fails with `kind`.
    struct Failing {
        room: usize,
        kind: ErrorKind,
        attempts: usize,
    }

    impl Write for Failing {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.attempts += 1;
            if self.room == 0 {
                return Err(self.kind.into());
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_broken_pipe_becomes_a_sink() {
        let mut out = PipeOut::new(Failing {
            room: 3,
            kind: ErrorKind::BrokenPipe,
            attempts: 0,
        });
        out.write_all(b"hello").unwrap();
        assert!(out.closed());
        for _ in 0..100 {
            writeln!(out, "more").unwrap();
        }
        out.flush().unwrap();
        assert_eq!(
            out.inner.attempts, 2,
            "nothing is written after the pipe closed"
        );
    }

    #[test]
    fn other_errors_pass_through() {
        let mut out = PipeOut::new(Failing {
            room: 0,
            kind: ErrorKind::StorageFull,
            attempts: 0,
        });
        let err = out.write_all(b"x").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::StorageFull);
        assert!(!out.closed());
    }
}
