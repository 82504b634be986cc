//! Writing an output file: one policy for every `--out`.
//!
//! An [`OutputFile`] names the target, the [`OutputKind`] written there, and the files that must
//! never be replaced: the files the database the command uses is made of (for SQLite, the file
//! and its `-wal`, `-shm` and `-journal` companions; the store lists them) and the files the
//! command reads. [`OutputFile::check`] decides, without opening
//! anything but an existing regular file, whether the target may be written; commands call it
//! before any work. [`OutputFile::write`] checks again and writes. The policy:
//!
//! - the database, its companions and the command's inputs are refused (compared by device and
//!   inode, and by resolved path for files not yet there);
//! - only a regular file or a missing one is written: folders, FIFOs, devices and sockets are
//!   refused from their metadata, so a FIFO is never opened and never hangs;
//! - an existing file is replaced only if it is empty or an earlier output of the same kind
//!   that ics wrote (its marker within the first 4 KB: the review page's generator tag, the IATI
//!   file's comment before its root, a CSV's byte-order mark and header line; a zip, a
//!   workbook, is read whole, up to 256 MiB, because its parts are compressed and its catalogue
//!   is at its end: the workbook's `Generator` property), and only if it is writable (a file
//!   made read-only is kept as it is);
//! - the bytes go to a temporary file beside the target, which is synced, renamed over the
//!   target, and the folder synced: a reader sees the old file or the new one, never half;
//! - the new file keeps the old one's permission bits;
//! - a symbolic link is followed: its target is replaced and the link stays a link;
//! - on any error the temporary file is removed and the earlier file is untouched.
//!
//! The writing itself, and the sweeping of temporary files left by killed runs, is in
//! [`super::atomic`].

use std::fs::{self, Metadata, OpenOptions};
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use super::atomic::{sweep_stale, write_atomically};
use super::io_reason;
use crate::error::Error;

/// How many bytes of an existing file are read to recognise an earlier output: enough for the
/// review page's `<head>` up to its generator tag.
const HEAD_BYTES: usize = 4096;

/// How a zip file starts (a local file header): an `.xlsx` workbook is a zip.
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// The most of a zip read to recognise it: a workbook ics writes holds at most one sheet of
/// Excel's 1,048,576 rows, well under this.
const MAX_ZIP_BYTES: u64 = 256 << 20;

/// The UTF-8 byte-order mark.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// What every CSV ics writes starts with: a UTF-8 byte-order mark when it goes to a file
/// (`--out`), so that Excel for Windows reads it as UTF-8 and shows "Monzón", not
/// "MonzÃ³n"; nothing on standard output, where the next program of a pipe would take the
/// mark for text. The one place this is decided: every CSV writer asks it.
pub fn csv_preamble(to_file: bool) -> &'static [u8] {
    if to_file {
        UTF8_BOM
    } else {
        b""
    }
}

/// What an output is, so that an earlier output of the same kind may be replaced.
#[derive(Debug, Clone, Copy)]
pub struct OutputKind {
    /// What is written, for messages: "the report".
    pub noun: &'static str,
    /// What an earlier output is, for messages: "a review page written by ics".
    pub looks_like: &'static str,
    /// A file name to suggest in hints.
    pub example: &'static str,
    /// Whether the first bytes of an existing, non-empty file show an earlier output of ics
    /// (not merely a file of the same format).
    pub recognise: fn(&[u8]) -> bool,
}

/// The review page of `ics report`.
pub const HTML_REPORT: OutputKind = OutputKind {
    noun: "the report",
    looks_like: "a review page written by ics",
    example: "review.html",
    recognise: |head| {
        starts_with_any(head, &["<!doctype html", "<html"]) && contains(head, HTML_MARKER)
    },
};

/// What every review page carries in its `<head>` (`src/report/html.rs`), so that only a page
/// ics wrote is replaced, never one the user made.
pub const HTML_MARKER: &str = "<meta name=\"generator\" content=\"ics ";

/// What every reference-sheet page of `ics pirs --format html` carries in its `<head>`
/// (`src/render/pirs.rs`). It is not [`HTML_MARKER`] (`ics-pirs`, not `ics `): a review page
/// and a sheet page do not replace each other.
pub const PIRS_HTML_MARKER: &str = "<meta name=\"generator\" content=\"ics-pirs ";

/// The reference sheets of `ics pirs --format html`.
pub const PIRS_HTML: OutputKind = OutputKind {
    noun: "the reference sheets",
    looks_like: "reference sheets (HTML) written by ics",
    example: "pirs.html",
    recognise: |head| {
        starts_with_any(head, &["<!doctype html", "<html"]) && contains(head, PIRS_HTML_MARKER)
    },
};

/// The first line of every markdown file `ics pirs --out` writes (`src/render/pirs.rs`).
pub const PIRS_MARKDOWN_MARKER: &str = "<!-- reference sheets written by ics ";

/// The reference sheets of `ics pirs --format markdown --out FILE`.
pub const PIRS_MARKDOWN: OutputKind = OutputKind {
    noun: "the reference sheets",
    looks_like: "reference sheets (markdown) written by ics",
    example: "pirs.md",
    recognise: |head| starts_with_any(head, &[PIRS_MARKDOWN_MARKER]),
};

/// The comment every IATI export carries before its root element (`src/iati/xml.rs`).
pub const IATI_MARKER: &str = "<!-- written by ics ";

/// The IATI activity file of `ics export iati`.
pub const IATI_XML: OutputKind = OutputKind {
    noun: "the IATI export",
    looks_like: "an IATI export written by ics",
    example: "iati.xml",
    recognise: is_iati_export,
};

/// The first line of every tracking table ics writes as text (table and markdown, after `# `).
pub const TRACK_TITLE: &str = "Indicator tracking table";

/// The start of the header of every tracking table ics writes as CSV.
pub const TRACK_CSV_HEADER: &str =
    "indicator,title,node,path,unit,direction,baseline,cumulative,period,disaggregation,";

/// The tracking table of `ics track`, in any of its text formats: an earlier one may be
/// replaced by another (`--format csv` over the JSON of an earlier run).
pub const TRACK: OutputKind = OutputKind {
    noun: "the tracking table",
    looks_like: "a tracking table written by ics",
    example: "itt.csv",
    recognise: is_track_output,
};

/// Whether `head` starts a tracking table ics wrote: the CSV header, the table's or the
/// markdown's title line, or a JSON array whose first object has the keys of a track row.
fn is_track_output(head: &[u8]) -> bool {
    if starts_with_any(head, &[TRACK_CSV_HEADER, TRACK_TITLE])
        || starts_with_any(head, &[&format!("# {TRACK_TITLE}")])
    {
        return true;
    }
    let rest = trim_start(head.strip_prefix(UTF8_BOM).unwrap_or(head));
    let Some(rest) = rest.strip_prefix(b"[") else {
        return false;
    };
    let rest = trim_start(rest);
    if let Some(after) = rest.strip_prefix(b"]") {
        return trim_start(after).is_empty();
    }
    let Some(rest) = rest.strip_prefix(b"{") else {
        return false;
    };
    trim_start(rest).starts_with(b"\"indicator\":")
        && contains(rest, "\"cumulative\":")
        && contains(rest, "\"periods\": [")
}

/// A CSV of `ics` (`progress`, `export-values`) written with `--out`.
pub const ICS_CSV: OutputKind = OutputKind {
    noun: "the CSV",
    looks_like: "a CSV file written by ics",
    example: "output.csv",
    recognise: is_ics_csv,
};

/// Whether `head` is the start of a CSV ics wrote to a file: the byte-order mark
/// ([`csv_preamble`]), then a header line ics writes ([`crate::render::known_csv_header`]).
/// Another CSV, even with the same columns but no mark, is not replaced.
fn is_ics_csv(head: &[u8]) -> bool {
    let Some(rest) = head.strip_prefix(UTF8_BOM) else {
        return false;
    };
    let Some(end) = rest.iter().position(|b| *b == b'\n') else {
        return false;
    };
    let line = rest[..end].strip_suffix(b"\r").unwrap_or(&rest[..end]);
    std::str::from_utf8(line).is_ok_and(crate::render::known_csv_header)
}

/// A workbook of `ics` (`--format xlsx`).
pub const ICS_WORKBOOK: OutputKind = OutputKind {
    noun: "the workbook",
    looks_like: "a workbook written by ics",
    example: "output.xlsx",
    recognise: is_ics_workbook,
};

/// What the document properties of every workbook ics writes hold
/// ([`crate::render::xlsx::GENERATOR_PROPERTY`] = `ics VERSION`).
const WORKBOOK_MARKER: &str = "name=\"Generator\"><vt:lpwstr>ics ";

/// Whether `file` (a whole zip) is a workbook ics wrote: its `docProps/custom.xml` holds the
/// `Generator` property `ics ...`. A workbook made in Excel, or any other zip, is not.
fn is_ics_workbook(file: &[u8]) -> bool {
    let Ok(mut zip) = zip::ZipArchive::new(io::Cursor::new(file)) else {
        return false;
    };
    let Ok(part) = zip.by_name("docProps/custom.xml") else {
        return false;
    };
    let mut xml = Vec::new();
    if part.take(64 * 1024).read_to_end(&mut xml).is_err() {
        return false;
    }
    contains(&xml, WORKBOOK_MARKER)
}

/// A JSON file of `ics` (`progress`, `export-values`) written with `--out`.
pub const ICS_JSON: OutputKind = OutputKind {
    noun: "the JSON",
    looks_like: "a JSON file written by ics",
    example: "output.json",
    recognise: is_ics_json,
};

/// Whether `head` starts like a JSON array ics writes: `[` and an object whose first key is
/// `"indicator"`, or an empty array and nothing else.
fn is_ics_json(head: &[u8]) -> bool {
    let Some(rest) = trim_start(head).strip_prefix(b"[") else {
        return false;
    };
    let rest = trim_start(rest);
    if let Some(after) = rest.strip_prefix(b"]") {
        return head.len() < HEAD_BYTES && trim_start(after).is_empty();
    }
    rest.strip_prefix(b"{")
        .is_some_and(|r| trim_start(r).starts_with(b"\"indicator\":"))
}

/// The progress table or its markdown, written with `--out`.
pub const PROGRESS_TEXT: OutputKind = OutputKind {
    noun: "the progress report",
    looks_like: "a progress report written by ics",
    example: "progress.md",
    recognise: |head| head.starts_with(b"Progress for ") || head.starts_with(b"**Progress for "),
};

/// The data-entry workbook of `ics template`.
pub const TEMPLATE_XLSX: OutputKind = OutputKind {
    noun: "the template",
    looks_like: "a data-entry template as ics wrote it (one saved from Excel may hold entries)",
    example: "values.xlsx",
    recognise: crate::render::template::recognise,
};

/// Whether `head` is the start of an IATI file ics wrote: after a byte-order mark, an XML
/// declaration, comments and white space, the root `<iati-activities`, with the comment
/// [`IATI_MARKER`] before it. Another tool's IATI file, or any other XML (a Maven `pom.xml`),
/// is not replaced.
fn is_iati_export(head: &[u8]) -> bool {
    let mut rest = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let mut marked = false;
    loop {
        rest = trim_start(rest);
        if let Some(after) = rest.strip_prefix(b"<?xml") {
            let Some(end) = find(after, b"?>") else {
                return false;
            };
            rest = &after[end + 2..];
        } else if rest.starts_with(b"<!--") {
            marked |= rest.starts_with(IATI_MARKER.as_bytes());
            let Some(end) = find(&rest[4..], b"-->") else {
                return false;
            };
            rest = &rest[4 + end + 3..];
        } else {
            break;
        }
    }
    let root = b"<iati-activities";
    marked
        && rest.starts_with(root)
        && rest
            .get(root.len())
            .is_some_and(|b| b.is_ascii_whitespace() || matches!(b, b'>' | b'/'))
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[start..]
}

/// Where `needle` first occurs in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Whether `needle` occurs in `hay`.
fn contains(hay: &[u8], needle: &str) -> bool {
    find(hay, needle.as_bytes()).is_some()
}

/// Whether `head`, after a byte-order mark and white space, starts with one of `prefixes`
/// (ASCII, compared without case).
pub fn starts_with_any(head: &[u8], prefixes: &[&str]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    let head = &head[start..];
    prefixes
        .iter()
        .any(|p| head.len() >= p.len() && head[..p.len()].eq_ignore_ascii_case(p.as_bytes()))
}

/// A file a database is made of, as its store lists it ([`crate::store::Storage::files`]):
/// no `--out` replaces it, even before it exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseFile {
    pub path: PathBuf,
    /// What the file is beside the database itself, for messages ("write-ahead log"); `None`
    /// for the database file itself.
    pub companion: Option<&'static str>,
}

/// A file a command is about to write, and the files it must not replace.
#[derive(Debug, Clone)]
pub struct OutputFile {
    path: PathBuf,
    kind: OutputKind,
    /// Files never replaced, each with what it is ("is the database this command uses").
    protected: Vec<Protected>,
}

/// A file never replaced.
#[derive(Debug, Clone)]
struct Protected {
    path: PathBuf,
    /// What it is, for the message: "is the database this command uses".
    what: String,
    /// Whether a missing target at the same resolved path counts as this file (the database's
    /// companions, not there yet); else only an existing target with its device and inode.
    by_name: bool,
}

/// Where a checked output goes.
#[derive(Debug)]
pub(super) struct Target {
    /// The file to replace or create, symbolic links resolved.
    pub path: PathBuf,
    pub folder: PathBuf,
    /// The permission bits of the file replaced, if there is one.
    pub mode: Option<u32>,
}

impl OutputFile {
    pub fn new(path: &Path, kind: OutputKind) -> OutputFile {
        OutputFile {
            path: path.to_path_buf(),
            kind,
            protected: Vec::new(),
        }
    }

    /// Protect the files the database is made of, as its store lists them
    /// ([`crate::store::Storage::files`]; none for a server).
    pub fn database(mut self, files: &[DatabaseFile]) -> OutputFile {
        let db = files
            .iter()
            .find(|f| f.companion.is_none())
            .or(files.first());
        let shown = db.map(|f| f.path.display().to_string()).unwrap_or_default();
        for file in files {
            let what = match file.companion {
                None => "is the database this command uses".into(),
                Some(what) => format!("is the {what} of the database `{shown}`"),
            };
            self.protected.push(Protected {
                path: file.path.clone(),
                what,
                by_name: true,
            });
        }
        self
    }

    /// Protect a file the command reads; `what` says which ("the framework file version `v1`
    /// was loaded from").
    pub fn input(mut self, path: &Path, what: &str) -> OutputFile {
        self.protected.push(Protected {
            path: path.to_path_buf(),
            what: format!("is {what}"),
            by_name: true,
        });
        self
    }

    /// Protect the framework file a stored version was loaded from, if `load` recorded one.
    /// `load` records the name as typed, relative to the folder it ran in, which may not be
    /// this one: so only an existing target is compared with it, by device and inode (a
    /// missing target cannot be that file), and by name only when the name is absolute.
    pub fn loaded_from(mut self, source: Option<&str>, label: &str) -> OutputFile {
        if let Some(source) = source {
            self.protected.push(Protected {
                path: PathBuf::from(source),
                what: format!("is the framework file version `{label}` was loaded from"),
                by_name: Path::new(source).is_absolute(),
            });
        }
        self
    }

    /// Refuse a target that must not or cannot be written, before any work is done.
    pub fn check(&self) -> Result<(), Error> {
        self.target().map(|_| ())
    }

    /// Check the target again, then write `bytes` to it atomically.
    pub fn write(&self, bytes: &[u8]) -> Result<(), Error> {
        let target = self.target()?;
        sweep_stale(&target.folder);
        write_atomically(&target, bytes).map_err(|e| {
            let shown = self.path.display();
            let kept = if target.mode.is_some() {
                " and the earlier file is untouched"
            } else {
                ""
            };
            let hint = match e.kind() {
                io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
                    "free some space, or choose an --out on another disk"
                }
                io::ErrorKind::PermissionDenied => {
                    "check that you may write to that folder, or choose another --out"
                }
                io::ErrorKind::ReadOnlyFilesystem => "choose an --out on a writable disk",
                _ => "choose another --out",
            };
            Error::input_with_hint(
                format!(
                    "could not write {} to `{shown}`: {}; nothing was written{kept}",
                    self.kind.noun,
                    io_reason(&e)
                ),
                hint,
            )
        })
    }

    /// Where the output goes, or why it may not go there.
    fn target(&self) -> Result<Target, Error> {
        let shown = self.path.display().to_string();
        let noun = self.kind.noun;
        let example = self.kind.example;
        let folder_error = || {
            Error::input_with_hint(
                format!("`{shown}` is a folder; --out needs a file name"),
                format!("for example `--out {}`", self.path.join(example).display()),
            )
        };
        if self.path.as_os_str().is_empty() {
            return Err(Error::input_with_hint(
                "--out needs a file name",
                format!("for example `--out {example}`"),
            ));
        }
        // What the path is, links followed, from metadata alone: nothing is opened yet.
        let (path, existing) = match fs::metadata(&self.path) {
            Ok(m) if m.is_dir() => return Err(folder_error()),
            Ok(m) if !m.is_file() => return Err(self.not_regular(&m)),
            Ok(m) => {
                let path = fs::canonicalize(&self.path).map_err(|e| self.cannot_use(&e))?;
                (path, Some(m))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => (
                resolve_links(&self.path).map_err(|e| self.cannot_use(&e))?,
                None,
            ),
            Err(e) => return Err(self.cannot_use(&e)),
        };
        if self.path.as_os_str().as_bytes().ends_with(b"/") {
            return Err(folder_error());
        }
        if path.file_name().is_none() {
            return Err(folder_error());
        }
        let folder = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if existing.is_none() && !folder.is_dir() {
            return Err(Error::input_with_hint(
                format!(
                    "cannot write {noun} to `{shown}`: the folder `{}` does not exist",
                    folder.display()
                ),
                "create the folder first, or choose another --out",
            ));
        }
        for Protected {
            path: protected,
            what,
            by_name,
        } in &self.protected
        {
            if same_file(&path, existing.as_ref(), protected, *by_name) {
                return Err(Error::input_with_hint(
                    format!("`{shown}` {what}; {noun} will not overwrite it"),
                    format!("choose another --out file name, for example `--out {example}`"),
                ));
            }
        }
        let mode = match &existing {
            None => None,
            Some(m) => {
                if m.permissions().readonly() {
                    return Err(Error::input_with_hint(
                        format!(
                            "`{shown}` is read-only (mode {:04o}); {noun} will not replace it",
                            m.mode() & 0o7777
                        ),
                        format!(
                            "make it writable (`chmod u+w {shown}`) if it may be replaced, or choose another --out"
                        ),
                    ));
                }
                if m.len() > 0 && !self.holds_earlier_output(&path) {
                    return Err(Error::input_with_hint(
                        format!(
                            "`{shown}` exists and is not {}; {noun} will not replace it",
                            self.kind.looks_like
                        ),
                        "choose another --out file name, or remove that file first",
                    ));
                }
                Some(m.mode() & 0o7777)
            }
        };
        Ok(Target { path, folder, mode })
    }

    /// Whether the regular file at `path` starts like an earlier output of this kind. It is
    /// opened without blocking and checked again once open, in case it was swapped for a FIFO.
    fn holds_earlier_output(&self, path: &Path) -> bool {
        let Ok(mut file) = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
            .open(path)
        else {
            return false;
        };
        if !file.metadata().is_ok_and(|m| m.is_file()) {
            return false;
        }
        let mut head = Vec::with_capacity(HEAD_BYTES);
        if (&mut file)
            .take(HEAD_BYTES as u64)
            .read_to_end(&mut head)
            .is_err()
        {
            return false;
        }
        // A zip keeps its catalogue at its end and its parts compressed: read it whole.
        if head.len() == HEAD_BYTES
            && head.starts_with(ZIP_MAGIC)
            && (&mut file)
                .take(MAX_ZIP_BYTES - HEAD_BYTES as u64)
                .read_to_end(&mut head)
                .is_err()
        {
            return false;
        }
        head.is_empty() || (self.kind.recognise)(&head)
    }

    fn not_regular(&self, m: &Metadata) -> Error {
        let shown = self.path.display().to_string();
        let t = m.file_type();
        let what = if t.is_fifo() {
            "a named pipe (FIFO)"
        } else if t.is_char_device() || t.is_block_device() {
            "a device"
        } else if t.is_socket() {
            "a socket"
        } else {
            "not a regular file"
        };
        let stdio = ["/dev/std", "/dev/fd/", "/proc/self/fd/"]
            .iter()
            .any(|p| shown.starts_with(p));
        let hint = if stdio {
            format!(
                "--out writes a file, not to a terminal or a pipe: write `--out {}` and read that file",
                self.kind.example
            )
        } else {
            format!(
                "--out replaces only a regular file; choose a file name, for example `--out {}`",
                self.kind.example
            )
        };
        Error::input_with_hint(
            format!(
                "`{shown}` is {what}, not a regular file; {} will not write to it",
                self.kind.noun
            ),
            hint,
        )
    }

    fn cannot_use(&self, e: &io::Error) -> Error {
        Error::input_with_hint(
            format!(
                "cannot write {} to `{}`: {}; nothing was written",
                self.kind.noun,
                self.path.display(),
                io_reason(e)
            ),
            "choose another --out",
        )
    }
}

/// Follow a chain of symbolic links from `path` to the name the file would be created under.
fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let next = fs::read_link(&current)?;
                current = match current.parent() {
                    Some(parent) if next.is_relative() => parent.join(next),
                    _ => next,
                };
            }
            Ok(_) => return Ok(current),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(current),
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::from_raw_os_error(libc::ELOOP))
}

/// Whether `target` (resolved; `meta` if it exists) is the same file as `other`: the same
/// device and inode when both exist, else (if `by_name`) the same resolved location.
fn same_file(target: &Path, meta: Option<&Metadata>, other: &Path, by_name: bool) -> bool {
    if let (Some(a), Ok(b)) = (meta, fs::metadata(other)) {
        return a.dev() == b.dev() && a.ino() == b.ino();
    }
    if !by_name {
        return false;
    }
    match (location(target), location(other)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// The absolute, resolved path of `p`, or of its folder joined with its name if `p` is missing.
fn location(p: &Path) -> Option<PathBuf> {
    if let Ok(full) = fs::canonicalize(p) {
        return Some(full);
    }
    let p = resolve_links(p).ok()?;
    let name = p.file_name()?;
    let folder = match p.parent() {
        Some(f) if !f.as_os_str().is_empty() => f,
        _ => Path::new("."),
    };
    Some(fs::canonicalize(folder).ok()?.join(name))
}

#[cfg(test)]
#[path = "output_tests.rs"]
mod tests;
