//! `import-values`: a CSV file of values, streamed into one transaction.
//!
//! Columns (docs/decisions.md item 10): `indicator,period,value` and any of `disaggregation`, `note`,
//! `source`, `recorded_by`, `recorded_at`, `current`, `replaced_by`, `kind`, `numerator`,
//! `denominator`, in any order. A ratio indicator's rows give `numerator` and `denominator` (the
//! value is computed from them; a `value` cell, if any, must agree), so a file of ratio values
//! may leave out `value`. A UTF-8 BOM,
//! CRLF line ends and blank lines are accepted, and one formula-guard `'` is removed from cells.
//! Broken quoting, which the csv crate would silently repair, is refused ([`quotes`]), and so is
//! a row with fewer or more cells than the header.
//! Every row is validated; rows are written as they come, and if any row is bad the transaction
//! is rolled back, so either every row goes in or none does.
//!
//! Two threads share the work: one reads and validates the file ([`rows`]), handing over
//! batches of checked rows through a small bounded channel, and this one writes them. Batches
//! are sent back to be refilled, so memory stays the same whatever the file's size; only rows
//! marked as replaced are remembered until the row replacing them arrives ([`tracking`]).
//!
//! Rows of the same (indicator, period, disaggregation) apply in file order, so an
//! `export-values --all` file, whose corrections follow the values they replace, recreates the
//! same history. Its `current`/`replaced_by` columns are checked against that order.

mod quotes;
mod rows;
mod source;
mod tracking;
mod xlsx;

use std::io::Read;
use std::path::Path;
use std::sync::mpsc;

use csv::ByteRecord;

use self::quotes::QuoteCheck;
use self::rows::{Batch, Columns};
use self::source::{CsvSource, Locate, Place, RowSource};
use self::tracking::Tracker;
use super::Catalog;
use crate::clock::now_utc;
use crate::error::{Diagnostic, Error};
use crate::files::input::{describe_limit, Overlong, RowLimit, MAX_ROW_BYTES};
use crate::framework::parse::file_error;
use crate::store::{Imported, Keep, Kind, NewValue, Storage, ValueSink, WriteValues};
use crate::workflow::policy::Policy;

pub use self::rows::{ACCEPTED_COLUMNS, IGNORED_COLUMNS};
pub use self::source::Separator;
pub use self::xlsx::{foreign_file, import_xlsx, is_workbook};

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Data rows read (blank lines not counted).
    pub rows: u64,
    pub added: u64,
    pub corrected: u64,
    pub unchanged: u64,
    /// Rows of a workbook left out because their value cells are empty.
    pub skipped: u64,
    /// The separator a CSV file was read with.
    pub separator: Separator,
}

/// Batches in flight between the reading and the writing thread.
const BATCHES_IN_FLIGHT: usize = 2;

/// Import the CSV file at `path`: all rows or none. `progress` is called now and then with the
/// number of bytes read so far. `default_by` is used where a row names no `recorded_by`.
pub fn import_csv(
    store: &mut dyn Storage,
    catalog: &Catalog,
    path: &Path,
    default_by: &str,
    policy: Option<&Policy>,
    progress: &mut dyn FnMut(u64),
) -> Result<ImportSummary, Error> {
    let shown = path.display().to_string();
    if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(Error::input(format!(
            "`{shown}` is a folder; give the CSV file to import"
        )));
    }
    let file = std::fs::File::open(path).map_err(|e| file_error(&shown, &e))?;
    import_reader(store, catalog, file, &shown, default_by, policy, progress)
}

/// Import CSV text from `input` (a file, or the demo's built-in values): all rows or none.
/// `shown` names the input in messages (`FILE:LINE: ...`).
pub fn import_reader<R: std::io::Read + Send>(
    store: &mut dyn Storage,
    catalog: &Catalog,
    input: R,
    shown: &str,
    default_by: &str,
    policy: Option<&Policy>,
    progress: &mut dyn FnMut(u64),
) -> Result<ImportSummary, Error> {
    let shown = shown.to_string();
    let (head, input) = peek_header(input, &shown)?;
    let separator = Separator::detect(&head);
    let input = std::io::Cursor::new(head).chain(input);
    // Rows are bounded as they are read, so an endless or huge one costs at most the limit.
    let (file, overlong) = RowLimit::new(input, MAX_ROW_BYTES);
    let overlong = |e: Error| overlong_error(&overlong, &shown).unwrap_or(e);
    // The reader's settings, audited for silent repairs: quotes on, `""` for a quote inside a
    // quoted cell (RFC 4180, what spreadsheets write); no escape or comment character and no
    // trimming, so `\`, `#` and spaces stay text (the row checker trims cells, as documented);
    // `flexible`, so a row of the wrong width reaches the row checker, which reports it with
    // its line. What the csv crate repairs silently (an unclosed quote, text after a closing
    // quote, a lone CR ending a row) QuoteCheck refuses.
    let reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator.byte())
        .buffer_capacity(1 << 18)
        .from_reader(QuoteCheck::new(file, separator.byte()));
    let mut source = CsvSource::new(reader, &shown);
    let mut record = ByteRecord::new();
    // The header: the first line that is not blank.
    let columns = loop {
        let Some(line) = source.next_row(&mut record).map_err(&overlong)? else {
            return Err(Error::input_with_hint(
                format!("`{shown}` is empty"),
                "its first line must be a header such as `indicator,period,value,note,source`",
            ));
        };
        if !rows::is_blank(&record) {
            let quoting = source.row_problem(line);
            break Columns::from_header(&record, line, &shown, quoting, &Locate::Csv)?;
        }
    };
    let summary = import_rows(
        store,
        catalog,
        source,
        columns,
        &shown,
        &Locate::Csv,
        default_by,
        policy,
        progress,
    )
    .map_err(overlong)?;
    Ok(ImportSummary {
        separator,
        ..summary
    })
}

/// The separator of the CSV file at `path`, from its header line (`None` if it cannot be read:
/// the import then says why).
pub fn csv_separator(path: &Path) -> Option<Separator> {
    let file = xlsx::sniffable(path)?;
    let (head, _) = peek_header(file, "").ok()?;
    Some(Separator::detect(&head))
}

/// How many bytes are looked at for the header line, to recognise the separator.
const PEEK_BYTES: usize = 1 << 16;

/// The first bytes of `input`, up to the end of its first line that is not blank (or
/// [`PEEK_BYTES`]), and the rest of it.
fn peek_header<R: std::io::Read>(mut input: R, shown: &str) -> Result<(Vec<u8>, R), Error> {
    let mut head = Vec::new();
    let mut buf = [0u8; 8192];
    while head.len() < PEEK_BYTES {
        let n = match input.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(file_error(shown, &e)),
        };
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
        let text_at = head.iter().position(|b| !b.is_ascii_whitespace());
        if text_at.is_some_and(|t| head[t..].contains(&b'\n')) {
            break;
        }
    }
    Ok((head, input))
}

/// Check and write the rows of `source` after its header: all or none.
#[allow(clippy::too_many_arguments)]
fn import_rows<S: RowSource + Send>(
    store: &mut dyn Storage,
    catalog: &Catalog,
    source: S,
    columns: Columns,
    shown: &str,
    locate: &Locate,
    default_by: &str,
    policy: Option<&Policy>,
    progress: &mut dyn FnMut(u64),
) -> Result<ImportSummary, Error> {
    let now = now_utc();
    let tracking = columns.tracking;
    let journal = policy.map(|p| {
        let mut j = p.journal("import", shown);
        j.detail = format!("from {shown}");
        j
    });
    let imported = store.write_values(true, |writer| {
        let mut guarded;
        let writer: &mut dyn ValueSink = match (policy, &journal) {
            (Some(p), Some(j)) => {
                guarded = p.guard(writer, j)?;
                &mut guarded
            }
            _ => writer,
        };
        std::thread::scope(|scope| {
            let (full_tx, full_rx) = mpsc::sync_channel::<Result<Batch, Error>>(BATCHES_IN_FLIGHT);
            let (empty_tx, empty_rx) = mpsc::channel::<Batch>();
            scope.spawn(move || rows::read_all(source, catalog, &columns, full_tx, empty_rx));
            let mut import = Import {
                writer,
                tracking,
                now: &now,
                default_by,
                summary: ImportSummary::default(),
                track: Tracker::default(),
            };
            // Leaving this loop early (a database error) drops the channels, which stops the
            // reading thread.
            for batch in full_rx {
                let batch = batch?;
                import.batch(&batch)?;
                progress(batch.bytes);
                let _ = empty_tx.send(batch);
            }
            import.track.finish(shown, locate, import.summary)
        })
    });
    imported
}

/// The error for a row over [`MAX_ROW_BYTES`], if the reader stopped at one.
fn overlong_error(overlong: &Overlong, shown: &str) -> Option<Error> {
    let line = overlong.line()?;
    let limit = describe_limit(MAX_ROW_BYTES);
    Some(Error::Located {
        diagnostics: vec![Diagnostic {
            location: format!("{shown}:{line}"),
            message: format!(
                "this row is longer than {limit}, the most one row may hold (is a quote left open?)"
            ),
        }],
        summary: format!("`{shown}` has a row longer than {limit}; nothing was imported"),
    })
}

/// The writing side of an import.
struct Import<'a> {
    writer: &'a mut dyn ValueSink,
    tracking: bool,
    now: &'a str,
    default_by: &'a str,
    summary: ImportSummary,
    track: Tracker,
}

impl Import<'_> {
    /// Note a batch's bad rows and, while every row so far is good, write its rows.
    fn batch(&mut self, batch: &Batch) -> Result<(), Error> {
        self.summary.rows += batch.rows_read;
        for (place, message) in &batch.problems {
            self.track.problem(*place, message.clone());
        }
        self.track.unlisted(batch.unlisted_problems);
        if self.track.bad > 0 {
            return Ok(()); // nothing will be written: the rest is validated only
        }
        for row in &batch.rows {
            let text = |span: rows::Span| &batch.text[span.range()];
            let recorded_at = row.recorded_at.map_or(self.now, text);
            let new = NewValue {
                indicator_id: row.indicator_id,
                period: row.period,
                disaggregation: text(row.disaggregation),
                value: row.value,
                parts: row.parts,
                note: row.note.map(text),
                source: row.source.map(text),
                recorded_by: row.recorded_by.map_or(self.default_by, text),
                recorded_at,
                // A row with its own `recorded_at` is a copy of a recorded value: as written.
                // Otherwise an empty note or source is unsaid, as in `record`.
                keep: match row.recorded_at {
                    Some(_) => Keep::AS_GIVEN,
                    None => Keep::UNSAID,
                },
                kind: row.kind,
            };
            let imported = match self.writer.import(&new, row.recorded_at.is_some()) {
                Ok(imported) => imported,
                // A row the store refuses (a void that does not carry the value it ends) is a
                // bad row like any other: reported at its line, and nothing is written.
                Err(Error::Input { message, .. }) => {
                    self.track.problem(Place::line(row.line), message);
                    return Ok(());
                }
                Err(e) => return Err(e),
            };
            let id = match imported {
                Imported::Added { id } => {
                    self.summary.added += 1;
                    Some(id)
                }
                Imported::Corrected { id } => {
                    self.summary.corrected += 1;
                    if self.tracking {
                        if let Some(old) = self.writer.corrected_by(id)? {
                            let new_here = self.writer.is_new(old);
                            self.track.replaces(old, new_here, recorded_at, row.line);
                        }
                    }
                    Some(id)
                }
                Imported::AlreadyRecorded => {
                    self.summary.unchanged += 1;
                    None
                }
                Imported::Unchanged => {
                    self.summary.unchanged += 1;
                    if self.tracking && row.claim == tracking::Claim::Replaced {
                        self.writer.current_id(&new)?
                    } else {
                        None
                    }
                }
            };
            if let (true, Some(id)) = (self.tracking, id) {
                // A void that nothing follows yet is not current, and waits for no row.
                let claim = match (row.kind, row.replaced_at) {
                    (Kind::Void, None) => tracking::Claim::Current,
                    _ => row.claim,
                };
                self.track
                    .claimed(id, claim, row.line, row.replaced_at.map(text));
            }
        }
        Ok(())
    }
}
