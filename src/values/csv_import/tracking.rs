//! The bad rows of an import, and the checks of its `current`/`replaced_by` columns.
//!
//! An `export-values --all` file lists each value's corrections after it, oldest first, with
//! `current` = false and `replaced_by` (when the replacing value was recorded) on every value
//! that was corrected. Importing it in file order recreates that history; these checks make
//! sure the file agrees: a row marked as replaced must be replaced by a later row (recorded at
//! its `replaced_by` time), and a row marked as current must not be.

use std::collections::{HashMap, HashSet};

use super::source::{Locate, Place};
use super::ImportSummary;
use crate::error::{Diagnostic, Error};

/// How many bad rows are listed; the rest are counted.
pub(super) const MAX_LISTED: usize = 100;

/// What a row says about whether its value is still current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Claim {
    Current,
    Replaced,
    /// The file has a `current` column, but this row leaves it empty.
    Unstated,
}

/// A row marked as replaced, waiting for the row that replaces it.
struct Pending {
    line: u64,
    /// When the replacing value was recorded, if the row says.
    replaced_at: Option<String>,
}

/// Bad rows found so far, and the rows waiting for their replacement.
#[derive(Default)]
pub(super) struct Tracker {
    listed: Vec<(Place, String)>,
    /// Bad rows, listed or not.
    pub bad: u64,
    /// Value ids written by this import from rows marked as replaced.
    pending: HashMap<i64, Pending>,
    /// Value ids written by this import from rows that do not say.
    unstated: HashSet<i64>,
}

impl Tracker {
    /// A bad row.
    pub fn problem(&mut self, place: Place, message: String) {
        self.bad += 1;
        if self.listed.len() < MAX_LISTED {
            self.listed.push((place, message));
        }
    }

    /// Bad rows beyond the listed ones.
    pub fn unlisted(&mut self, n: u64) {
        self.bad += n;
    }

    /// The row on `line` wrote value `id` and said `claim` about it.
    pub fn claimed(&mut self, id: i64, claim: Claim, line: u64, replaced_at: Option<&str>) {
        match claim {
            Claim::Replaced => {
                let replaced_at = replaced_at.map(str::to_string);
                self.pending.insert(id, Pending { line, replaced_at });
            }
            Claim::Unstated => {
                self.unstated.insert(id);
            }
            Claim::Current => {}
        }
    }

    /// The row on `line`, recorded at `recorded_at`, replaced the value `old` (which this
    /// import wrote if `new_here`).
    pub fn replaces(&mut self, old: i64, new_here: bool, recorded_at: &str, line: u64) {
        if let Some(p) = self.pending.remove(&old) {
            if let Some(at) = p.replaced_at.filter(|at| at != recorded_at) {
                self.problem(
                    Place::line(p.line),
                    format!(
                        "this row says the value replacing it was recorded at `{at}`, but the row replacing it (line {line}) was recorded at `{recorded_at}`"
                    ),
                );
            }
        } else if new_here && !self.unstated.remove(&old) {
            self.problem(
                Place::line(line),
                "this row corrects an earlier row of the file for the same indicator, period and disaggregation, which is marked as current; mark that row `current` = false, or put the rows in the order they were recorded".to_string(),
            );
        }
    }

    /// The import's result: its summary, or every bad row (nothing is then written).
    pub fn finish(
        mut self,
        shown: &str,
        locate: &Locate,
        summary: ImportSummary,
    ) -> Result<ImportSummary, Error> {
        if self.bad == 0 {
            let mut left: Vec<u64> = self.pending.values().map(|p| p.line).collect();
            left.sort_unstable();
            for line in left {
                self.problem(Place::line(line), "this row is marked as replaced (`current` = false), but no later row for the same indicator, period and disaggregation replaces it".to_string());
            }
        }
        if self.bad == 0 {
            return Ok(summary);
        }
        self.listed.sort_by_key(|(place, _)| place.line);
        let mut message = if self.bad == 1 {
            format!("1 row of `{shown}` has a problem; nothing was imported")
        } else {
            format!(
                "{} of {} rows of `{shown}` have problems; nothing was imported",
                self.bad, summary.rows
            )
        };
        if self.bad as usize > MAX_LISTED {
            message.push_str(&format!(" (the first {MAX_LISTED} are listed)"));
        }
        Err(Error::Located {
            diagnostics: self
                .listed
                .into_iter()
                .map(|(place, message)| Diagnostic {
                    location: locate.at(shown, place),
                    message,
                })
                .collect(),
            summary: message,
        })
    }
}

/// Read a row's `current` and `replaced_by` cells (`replaced_by` already checked as a time).
pub(super) fn claim(
    current: &str,
    replaced_by: &str,
    has_current_column: bool,
) -> Result<Claim, String> {
    let claim = if current.eq_ignore_ascii_case("true") {
        Claim::Current
    } else if current.eq_ignore_ascii_case("false") {
        Claim::Replaced
    } else if !current.is_empty() {
        return Err(format!(
            "`current` must be `true` or `false` (or empty), not `{current}`"
        ));
    } else if !replaced_by.is_empty() {
        Claim::Replaced
    } else if has_current_column {
        Claim::Unstated
    } else {
        Claim::Current
    };
    if claim == Claim::Current && !replaced_by.is_empty() {
        return Err(
            "the row is marked `current` = true but also names a `replaced_by` time; a current value has not been replaced"
                .to_string(),
        );
    }
    Ok(claim)
}
