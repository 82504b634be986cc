//! Where a report goes: standard output, or the file `--out` names, written through the one
//! output policy ([`crate::files::output`]): checked before any work, written atomically once
//! the whole report is made, replacing only an earlier output of the same kind.
//!
//! A command makes a [`Dest`] first (refusing `--format xlsx` without `--out`, and a target
//! that may not be written), writes into [`Dest::writer`] (a CSV starts with
//! [`Dest::begin_csv`], which decides the byte-order mark), or hands a workbook's bytes to
//! [`Dest::put`], then calls [`Dest::finish`], which writes the file and says so.

use std::io::Write;
use std::path::Path;

use crate::error::Error;
use crate::files::output::{self, OutputFile, OutputKind};
use crate::render::safe;
use crate::store::{Storage, VersionInfo};

/// Where a report goes.
pub enum Dest<'o> {
    Stdout(&'o mut dyn Write),
    File {
        target: OutputFile,
        path: String,
        bytes: Vec<u8>,
        /// Standard output, for the line that says what was written.
        say: &'o mut dyn Write,
    },
}

/// Refuse a binary format without `--out`: a workbook never goes to a terminal or a pipe.
pub fn needs_out(format: &str, out: Option<&Path>, example: &str) -> Result<(), Error> {
    if out.is_none() {
        return Err(Error::input_with_hint(
            format!(
                "--format {format} writes a file and needs --out; it is never written to a terminal or a pipe"
            ),
            format!("add `--out {example}`"),
        ));
    }
    Ok(())
}

impl<'o> Dest<'o> {
    /// Standard output, or the file `out` of `kind`, checked now: never the database, nor the
    /// framework file `version` was loaded from, nor anything but an earlier output of `kind`.
    pub fn new(
        stdout: &'o mut dyn Write,
        out: Option<&Path>,
        kind: OutputKind,
        store: &dyn Storage,
        version: Option<&VersionInfo>,
    ) -> Result<Dest<'o>, Error> {
        let Some(path) = out else {
            return Ok(Dest::Stdout(stdout));
        };
        let mut target = OutputFile::new(path, kind).database(&store.files());
        if let Some(v) = version {
            target = target.loaded_from(v.source_file.as_deref(), &v.label);
        }
        target.check()?;
        Ok(Dest::File {
            target,
            path: safe(&path.display().to_string()).into_owned(),
            bytes: Vec::new(),
            say: stdout,
        })
    }

    /// Whether the report goes to a file.
    pub fn is_file(&self) -> bool {
        matches!(self, Dest::File { .. })
    }

    /// Where to write the report.
    pub fn writer(&mut self) -> &mut dyn Write {
        match self {
            Dest::Stdout(out) => &mut **out,
            Dest::File { bytes, .. } => bytes,
        }
    }

    /// Start a CSV: the byte-order mark when it goes to a file, nothing on standard output
    /// ([`output::csv_preamble`]).
    pub fn begin_csv(&mut self) -> Result<(), Error> {
        let bom = output::csv_preamble(self.is_file());
        self.writer().write_all(bom)?;
        Ok(())
    }

    /// The whole output at once (a workbook's bytes).
    pub fn put(&mut self, data: &[u8]) -> Result<(), Error> {
        self.writer().write_all(data)?;
        Ok(())
    }

    /// Write the file, if it is one, and say so on standard output: "Wrote `what` to `FILE`."
    pub fn finish(self, what: &str) -> Result<(), Error> {
        self.finish_with(what, "")
    }

    /// [`Dest::finish`] with `tail` after the file name: "Wrote `what` to `FILE`: 12 indicators."
    pub fn finish_with(self, what: &str, tail: &str) -> Result<(), Error> {
        match self {
            Dest::Stdout(out) => {
                out.flush()?;
                Ok(())
            }
            Dest::File {
                target,
                path,
                bytes,
                say,
            } => {
                target.write(&bytes)?;
                writeln!(say, "Wrote {what} to `{path}`{tail}.")?;
                Ok(())
            }
        }
    }
}

/// The command line as typed, for the "About" sheet: `ics progress --format xlsx --out x.xlsx`,
/// an argument with a space or a quote in single quotes.
pub fn command_line() -> String {
    let mut words = vec!["ics".to_string()];
    for arg in std::env::args_os().skip(1) {
        let arg = arg.to_string_lossy().into_owned();
        let plain = !arg.is_empty()
            && arg
                .chars()
                .all(|c| c.is_alphanumeric() || "-_./:=@,+%".contains(c));
        words.push(if plain {
            arg
        } else {
            format!("'{}'", arg.replace('\'', "'\\''"))
        });
    }
    words.join(" ")
}
