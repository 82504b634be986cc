//! The reading side of an import: the header, and each row checked against the catalog and
//! packed into a reusable [`Batch`] for the writing side.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::mpsc::{Receiver, SyncSender};

use csv::ByteRecord;

use super::source::{Locate, Place, Problem, RowSource};
use super::tracking::{self, Claim, MAX_LISTED};
use crate::error::{Diagnostic, Error};
use crate::period::{FiscalPeriod, ACCEPTED_FORMS};
use crate::store::Kind;
use crate::values::{clean_text, control_char, parse_timestamp, trim, unguard, Catalog, Rule};

/// The columns `import-values` accepts, in `export-values --all` order.
pub const ACCEPTED_COLUMNS: [&str; 14] = [
    "indicator",
    "period",
    "disaggregation",
    "value",
    "note",
    "source",
    "recorded_by",
    "recorded_at",
    "current",
    "replaced_by",
    "kind",
    "numerator",
    "denominator",
    "voided",
];

/// Columns accepted and ignored: the informational columns of the data-entry workbook that
/// `ics template` writes, so that a filled template imports as it is.
pub const IGNORED_COLUMNS: [&str; 4] = ["title", "unit", "target", "last_actual"];

pub(super) const INDICATOR: usize = 0;
pub(super) const PERIOD: usize = 1;
const DISAGGREGATION: usize = 2;
pub(super) const VALUE: usize = 3;
const NOTE: usize = 4;
const SOURCE: usize = 5;
const RECORDED_BY: usize = 6;
pub(super) const RECORDED_AT: usize = 7;
const CURRENT: usize = 8;
pub(super) const REPLACED_BY: usize = 9;
const KIND: usize = 10;
pub(super) const NUMERATOR: usize = 11;
pub(super) const DENOMINATOR: usize = 12;
/// `true` for a void, `false` for any other row: what `kind` says, for a reader who looks for
/// voids only (issue 13's contract). A row may carry either or both; both must agree.
const VOIDED: usize = 13;

/// A problem of a row, with the accepted column it is about if it is about one cell.
type CellProblem = (Option<usize>, String);

/// Rows per batch.
const BATCH_ROWS: u64 = 4096;

/// How many distinct disaggregation cells are remembered with their canonical form.
const MAX_REMEMBERED: usize = 16_384;

pub(super) fn read_error(shown: &str, e: csv::Error) -> Error {
    Error::input(format!("cannot read `{shown}`: {e}"))
}

/// Whether every cell of a record is empty or spaces (a blank line, or `,,,`).
pub(crate) fn is_blank(record: &ByteRecord) -> bool {
    record.iter().all(|c| c.iter().all(u8::is_ascii_whitespace))
}

/// Which cell holds which accepted column.
pub(super) struct Columns {
    index: [Option<usize>; ACCEPTED_COLUMNS.len()],
    pub width: usize,
    /// The file has `current` or `replaced_by`, whose claims are checked.
    pub tracking: bool,
}

impl Columns {
    /// The columns a header on `line` names; `quoting` is a problem of its quotes, if any.
    pub fn from_header(
        header: &ByteRecord,
        line: u64,
        shown: &str,
        quoting: Option<Problem>,
        locate: &Locate,
    ) -> Result<Columns, Error> {
        let mut index = [None; ACCEPTED_COLUMNS.len()];
        let mut ignored = [false; IGNORED_COLUMNS.len()];
        let mut problems: Vec<(Option<usize>, String)> =
            quoting.into_iter().map(|(p, m)| (p.col, m)).collect();
        let accepted = ACCEPTED_COLUMNS.join(", ");
        // Spreadsheets often save a few empty columns after the last named one
        // (`indicator,period,value,,`): those are no columns at all. Data rows must leave them
        // empty (a row longer than the header is checked cell by cell).
        let width = header
            .iter()
            .rposition(|c| !String::from_utf8_lossy(c).trim().is_empty())
            .map_or(header.len(), |last| last + 1);
        for (i, raw) in header.iter().take(width).enumerate() {
            let raw = match i {
                0 => raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw),
                _ => raw,
            };
            let name = String::from_utf8_lossy(raw);
            let name = name.trim();
            match ACCEPTED_COLUMNS
                .iter()
                .position(|c| c.eq_ignore_ascii_case(name))
            {
                Some(c) if index[c].is_some() => problems.push((
                    Some(i),
                    format!("the column `{}` appears twice", ACCEPTED_COLUMNS[c]),
                )),
                Some(c) => index[c] = Some(i),
                None if name.is_empty() => problems.push((
                    Some(i),
                    format!(
                        "column {} of the header has no name; the accepted columns are {accepted}",
                        i + 1
                    ),
                )),
                None => match IGNORED_COLUMNS
                    .iter()
                    .position(|c| c.eq_ignore_ascii_case(name))
                {
                    Some(c) if ignored[c] => problems.push((
                        Some(i),
                        format!("the column `{}` appears twice", IGNORED_COLUMNS[c]),
                    )),
                    Some(c) => ignored[c] = true,
                    None => problems.push((
                        Some(i),
                        format!("unknown column `{name}`; the accepted columns are {accepted}"),
                    )),
                },
            }
        }
        // A file of ratio values may give their parts without the value computed from them.
        let parts = index[NUMERATOR].is_some() && index[DENOMINATOR].is_some();
        let missing: Vec<String> = [INDICATOR, PERIOD, VALUE]
            .iter()
            .filter(|&&c| index[c].is_none() && !(c == VALUE && parts))
            .map(|&c| format!("`{}`", ACCEPTED_COLUMNS[c]))
            .collect();
        if !missing.is_empty() {
            problems.push((
                None,
                format!(
                    "the header lacks {}; it needs at least `indicator,period,value`",
                    missing.join(", ")
                ),
            ));
        }
        if !problems.is_empty() {
            // Listed like bad rows: the first MAX_LISTED, the rest counted.
            let summary = match problems.len() {
                n if n > MAX_LISTED => format!(
                    "the header of `{shown}` is not valid ({n} problems; the first {MAX_LISTED} are listed); nothing was imported"
                ),
                _ => format!("the header of `{shown}` is not valid; nothing was imported"),
            };
            return Err(Error::Located {
                diagnostics: problems
                    .into_iter()
                    .take(MAX_LISTED)
                    .map(|(col, message)| Diagnostic {
                        location: locate.at(shown, Place { line, col }),
                        message,
                    })
                    .collect(),
                summary,
            });
        }
        Ok(Columns {
            tracking: index[CURRENT].is_some() || index[REPLACED_BY].is_some(),
            index,
            width,
        })
    }
}

impl Columns {
    /// The cell of the record that holds accepted column `c`, if the header names it.
    pub fn cell(&self, c: usize) -> Option<usize> {
        self.index[c]
    }
}

/// Where a piece of text lies in [`Batch::text`].
#[derive(Debug, Clone, Copy)]
pub(super) struct Span {
    start: usize,
    end: usize,
}

impl Span {
    pub fn range(self) -> Range<usize> {
        self.start..self.end
    }
}

/// One checked row; its text lives in the batch.
pub(super) struct RowData {
    pub line: u64,
    pub indicator_id: i64,
    pub period: FiscalPeriod,
    pub value: f64,
    /// A ratio value's numerator and denominator.
    pub parts: Option<(f64, f64)>,
    pub disaggregation: Span,
    pub note: Option<Span>,
    pub source: Option<Span>,
    /// `None`: whoever runs the import.
    pub recorded_by: Option<Span>,
    /// `None`: now.
    pub recorded_at: Option<Span>,
    pub claim: Claim,
    pub replaced_at: Option<Span>,
    /// `value` unless the `kind` cell says `explanation` or `void`.
    pub kind: Kind,
}

/// Checked rows on their way to the writing thread, and the bad rows among them.
#[derive(Default)]
pub(super) struct Batch {
    pub text: String,
    pub rows: Vec<RowData>,
    /// Bad rows, with their place; at most [`MAX_LISTED`] of them over the whole file.
    pub problems: Vec<Problem>,
    /// Bad rows beyond those.
    pub unlisted_problems: u64,
    /// Data rows read, good or bad.
    pub rows_read: u64,
    /// Bytes of the file read by the end of this batch.
    pub bytes: u64,
}

impl Batch {
    fn clear(&mut self) {
        self.text.clear();
        self.rows.clear();
        self.problems.clear();
        self.unlisted_problems = 0;
        self.rows_read = 0;
    }

    fn push_text(&mut self, s: &str) -> Span {
        let start = self.text.len();
        self.text.push_str(s);
        Span {
            start,
            end: self.text.len(),
        }
    }
}

/// Read and check every row, sending full batches to `full` and reusing those that come back
/// on `empty`. Stops at the end of the file, on a read error (sent on), or when the writing
/// side hangs up.
pub(super) fn read_all<S: RowSource>(
    mut reader: S,
    catalog: &Catalog,
    columns: &Columns,
    full: SyncSender<Result<Batch, Error>>,
    empty: Receiver<Batch>,
) {
    let mut check = Checker {
        catalog,
        columns,
        last_rule: None,
        canonical: HashMap::new(),
        remembered: 0,
        scratch: String::new(),
        problems: 0,
    };
    let mut record = ByteRecord::new();
    loop {
        let mut batch = empty.try_recv().unwrap_or_default();
        batch.clear();
        let mut done = false;
        while batch.rows_read < BATCH_ROWS {
            let line = match reader.next_row(&mut record) {
                Ok(Some(_)) if is_blank(&record) => continue,
                Ok(Some(line)) => line,
                Ok(None) => {
                    done = true;
                    break;
                }
                Err(e) => {
                    let _ = full.send(Err(e));
                    return;
                }
            };
            batch.rows_read += 1;
            // A row whose quoting is broken (or a cell that cannot be read) is reported for
            // that alone: its cells are not what the file meant.
            let problem = match reader.row_problem(line) {
                Some(quoting) => Some(quoting),
                None => check.row(&record, line, &mut batch).err().map(|(c, m)| {
                    let col = c.and_then(|c| columns.cell(c));
                    (Place { line, col }, m)
                }),
            };
            if let Some(problem) = problem {
                check.problem(problem, &mut batch);
            }
        }
        if done {
            // Problems the rows did not take (a row that was blank but for a stray quote).
            for problem in reader.leftover() {
                check.problem(problem, &mut batch);
            }
        }
        batch.bytes = reader.bytes();
        if full.send(Ok(batch)).is_err() || done {
            return;
        }
    }
}

/// Checks rows, remembering what it can reuse from row to row.
struct Checker<'a> {
    catalog: &'a Catalog,
    columns: &'a Columns,
    /// Rows usually come grouped by indicator: the last one is tried first.
    last_rule: Option<&'a Rule>,
    /// Canonical disaggregations already worked out, by indicator id and cell text.
    canonical: HashMap<i64, HashMap<Box<str>, Box<str>>>,
    remembered: usize,
    scratch: String,
    /// Bad rows so far (once there is one, rows are only checked, not kept).
    problems: u64,
}

impl<'a> Checker<'a> {
    /// Note a bad row in the batch: listed while fewer than [`MAX_LISTED`], else counted.
    fn problem(&mut self, problem: Problem, batch: &mut Batch) {
        self.problems += 1;
        if self.problems <= MAX_LISTED as u64 {
            batch.problems.push(problem);
        } else {
            batch.unlisted_problems += 1;
        }
    }

    /// Check one row and add it to `batch`. A problem names the accepted column it is about,
    /// if it is about one cell.
    fn row(
        &mut self,
        record: &ByteRecord,
        line: u64,
        batch: &mut Batch,
    ) -> Result<(), CellProblem> {
        let row = |e: String| (None, e);
        let cols = self.columns;
        if record.len() > cols.width && record.iter().skip(cols.width).any(|c| !c.is_empty()) {
            return Err(row(format!(
                "this row has {} cells but the header has {} columns; put text that contains commas in double quotes",
                record.len(),
                cols.width
            )));
        }
        if record.len() < cols.width {
            return Err(row(format!(
                "this row has {} cells but the header has {} columns; give every column a cell, even an empty one (`,,`)",
                record.len(),
                cols.width
            )));
        }
        let mut cells = [""; ACCEPTED_COLUMNS.len()];
        for (c, slot) in cells.iter_mut().enumerate() {
            if let Some(raw) = cols.index[c].and_then(|i| record.get(i)) {
                let text = std::str::from_utf8(raw).map_err(|_| {
                    row(
                        "this row is not valid UTF-8 text; save the file as \"CSV UTF-8\""
                            .to_string(),
                    )
                })?;
                *slot = trim(unguard(trim(text)));
            }
        }
        let at = |c: usize| move |e: String| (Some(c), e);
        let code = cells[INDICATOR];
        if code.is_empty() {
            return Err(at(INDICATOR)("the indicator code is missing".to_string()));
        }
        let rule = match self.last_rule {
            Some(rule) if rule.indicator.code == code => rule,
            _ => self.catalog.rule(code).map_err(at(INDICATOR))?,
        };
        self.last_rule = Some(rule);
        if cells[PERIOD].is_empty() {
            return Err(at(PERIOD)(format!(
                "the period is missing; use {ACCEPTED_FORMS}"
            )));
        }
        let period = rule.period(cells[PERIOD]).map_err(at(PERIOD))?;
        let (value, parts) = value(rule, cells[VALUE], cells[NUMERATOR], cells[DENOMINATOR])?;
        let mut stamp = |c: usize, what: &str| -> Result<Option<Span>, CellProblem> {
            let cell = cells[c];
            if cell.is_empty() {
                return Ok(None);
            }
            parse_timestamp(cell, &mut self.scratch)
                .map_err(|e| (Some(c), format!("`{what}`: {e}")))?;
            Ok(Some(batch.push_text(&self.scratch)))
        };
        let recorded_at = stamp(RECORDED_AT, "recorded_at")?;
        let replaced_at = stamp(REPLACED_BY, "replaced_by")?;
        let claim = tracking::claim(
            cells[CURRENT],
            cells[REPLACED_BY],
            cols.index[CURRENT].is_some(),
        )
        .map_err(at(CURRENT))?;
        for (cell, what, breaks) in [
            (NOTE, "the note", true),
            (SOURCE, "the source", true),
            (RECORDED_BY, "`recorded_by`", false),
        ] {
            if let Some(c) = control_char(cells[cell], breaks) {
                return Err(at(cell)(format!(
                    "{what} holds a control character (U+{:04X}), which ics does not store; notes and sources may hold tabs and line breaks, but no other control characters",
                    c as u32
                )));
            }
        }
        let kind = match cells[KIND] {
            "" => None,
            word => Some(Kind::parse(word).ok_or_else(|| {
                at(KIND)(format!(
                    "`{word}` is not a kind; use `value`, `explanation` or `void`"
                ))
            })?),
        };
        // Any case: a spreadsheet saves `true` as `TRUE`.
        let voided = match cells[VOIDED] {
            "" => None,
            w if w.eq_ignore_ascii_case("true") => Some(true),
            w if w.eq_ignore_ascii_case("false") => Some(false),
            word => {
                return Err(at(VOIDED)(format!(
                    "`voided` is `{word}`; write `true` or `false`"
                )))
            }
        };
        let kind = match (kind, voided) {
            (kind, None) => kind.unwrap_or(Kind::Value),
            (None, Some(true)) => Kind::Void,
            (None, Some(false)) => Kind::Value,
            (Some(kind), Some(voided)) => {
                if (kind == Kind::Void) != voided {
                    return Err(at(VOIDED)(format!(
                        "`voided` is `{}` but the row's kind is `{}`; a void has `voided` true and kind `void`",
                        cells[VOIDED],
                        kind.as_str()
                    )));
                }
                kind
            }
        };
        let disaggregation = self
            .disaggregation(rule, cells[DISAGGREGATION], batch)
            .map_err(at(DISAGGREGATION))?;
        if self.problems > 0 {
            return Ok(()); // nothing will be written: check only
        }
        let mut text = |s: Option<&str>| s.map(|s| batch.push_text(s));
        let row = RowData {
            line,
            indicator_id: rule.id,
            period,
            value,
            parts,
            disaggregation,
            note: text(clean_text(Some(cells[NOTE]))),
            source: text(clean_text(Some(cells[SOURCE]))),
            recorded_by: text(Some(cells[RECORDED_BY]).filter(|s| !s.is_empty())),
            recorded_at,
            claim,
            replaced_at,
            kind,
        };
        batch.rows.push(row);
        Ok(())
    }

    /// The canonical disaggregation of `cell` for `rule`, added to the batch's text.
    fn disaggregation(
        &mut self,
        rule: &Rule,
        cell: &str,
        batch: &mut Batch,
    ) -> Result<Span, String> {
        if cell.is_empty() {
            return Ok(batch.push_text(""));
        }
        if let Some(known) = self.canonical.get(&rule.id).and_then(|m| m.get(cell)) {
            return Ok(batch.push_text(known));
        }
        rule.disaggregation(cell.split(';'), &mut self.scratch)?;
        if self.remembered < MAX_REMEMBERED {
            self.remembered += 1;
            self.canonical
                .entry(rule.id)
                .or_default()
                .insert(cell.into(), self.scratch.as_str().into());
        }
        Ok(batch.push_text(&self.scratch))
    }
}

/// A row's value: the `value` cell, or for a ratio indicator the value computed from the
/// `numerator` and `denominator` cells (both required); a `value` cell given with them must
/// agree with them within a relative 1e-9.
fn value(
    rule: &Rule,
    cell: &str,
    numerator: &str,
    denominator: &str,
) -> Result<(f64, Option<(f64, f64)>), CellProblem> {
    let code = &rule.indicator.code;
    let at = |c: usize| move |e: String| (Some(c), e);
    match (numerator.is_empty(), denominator.is_empty()) {
        (true, true) if rule.is_ratio() => Err(at(NUMERATOR)(format!(
            "`{code}` is a ratio indicator: give its `numerator` and `denominator` (the value may be left empty)"
        ))),
        (true, true) => Ok((rule.value(cell).map_err(at(VALUE))?, None)),
        (n, _) if !rule.is_ratio() => Err(at(if n { DENOMINATOR } else { NUMERATOR })(format!(
            "`{code}` is not a ratio indicator, so its values have no numerator and denominator; leave those cells empty"
        ))),
        (n, _) if n || denominator.is_empty() => Err(at(if n { NUMERATOR } else { DENOMINATOR })(format!(
            "`{code}` is a ratio indicator: give both its `numerator` and its `denominator`"
        ))),
        _ => {
            let (v, parts) = rule.ratio_value(numerator, denominator).map_err(|e| {
                let c = if e.starts_with("the denominator") || e.contains(" is 0;") {
                    DENOMINATOR
                } else {
                    NUMERATOR
                };
                (Some(c), e)
            })?;
            if !cell.is_empty() {
                let given = crate::values::parse_number(cell).map_err(at(VALUE))?;
                if (given - v).abs() > 1e-9 * given.abs().max(v.abs()) {
                    return Err(at(VALUE)(format!(
                        "the value {cell} does not match {numerator} / {denominator}, which makes {v}; leave the value empty or give {v}"
                    )));
                }
            }
            Ok((v, Some(parts)))
        }
    }
}
