//! The stage of `check` that holds the values to the audit log (issue 17), for every backend
//! through the [`Storage`] traits: every value written since the log began lies in the range
//! of exactly one log entry that wrote values; a value recorded, explained or voided by hand
//! names the same person and time as its entry; and every value's review state is the one its
//! last log entry gave it. At most [`LISTED`] values are named; the rest are counted.

use std::collections::HashMap;

use super::{CheckReport, Kind, Storage, ValueQuery};
use crate::error::Error;
use crate::workflow::{LogEntry, LogQuery, ReviewState};

const LISTED: usize = 20;

/// The log actions that review a value rather than write one.
fn is_review(action: &str) -> bool {
    matches!(action, "approve" | "return" | "resubmit")
}

pub(super) fn check_log<S: Storage + ?Sized>(
    store: &S,
    report: &mut CheckReport,
) -> Result<(), Error> {
    let start = store.log_start()?;
    let entries = store.log(&LogQuery::default())?;
    // Write entries by the first id of their range.
    let mut writes: Vec<&LogEntry> = entries
        .iter()
        .filter(|e| e.values.is_some() && !is_review(&e.action))
        .collect();
    writes.sort_by_key(|e| e.values.map(|v| v.0));
    let mut problems: Vec<String> = Vec::new();
    for pair in writes.windows(2) {
        if let (Some(a), Some(b)) = (pair[0].values, pair[1].values) {
            if b.0 <= a.1 {
                problems.push(format!(
                    "log entries {} and {} both claim value rows {}..{}",
                    pair[0].id, pair[1].id, b.0, a.1
                ));
            }
        }
    }
    // The last review of each value.
    let mut reviewed: HashMap<i64, ReviewState> = HashMap::new();
    for e in entries.iter().filter(|e| is_review(&e.action)) {
        if let (Some((id, _)), Some(state)) = (e.values, e.state) {
            reviewed.insert(id, state);
        }
    }
    let states = store.states(None)?;
    let mut checked = 0usize;
    // Newest first: in id order, with no sort.
    let all = ValueQuery {
        include_replaced: true,
        newest_first: true,
        ..ValueQuery::default()
    };
    store.each_value(&all, &mut |v| {
        checked += 1;
        let what = || {
            let d = if v.disaggregation.is_empty() {
                String::new()
            } else {
                format!(" ({})", v.disaggregation)
            };
            format!("value {} (`{}` {}{d})", v.id, v.indicator, v.period)
        };
        let entry = (v.id > start)
            .then(|| {
                let at = writes.partition_point(|e| e.values.is_some_and(|r| r.0 <= v.id));
                at.checked_sub(1)
                    .map(|i| writes[i])
                    .filter(|e| e.values.is_some_and(|r| v.id <= r.1))
            })
            .flatten();
        if v.id > start && entry.is_none() {
            problems.push(format!("{} is in no entry of the audit log", what()));
        }
        if let Some(e) = entry {
            if matches!(e.action.as_str(), "record" | "explain" | "void")
                && (e.user != v.recorded_by || e.at != v.recorded_at)
            {
                problems.push(format!(
                    "{} says {} recorded it at {}, but its log entry {} says {} at {}",
                    what(),
                    v.recorded_by,
                    v.recorded_at,
                    e.id,
                    e.user,
                    e.at
                ));
            }
        }
        let expected = match (reviewed.get(&v.id), entry) {
            (Some(s), _) => *s,
            (None, Some(e)) if v.kind != Kind::Void => e.state.unwrap_or(ReviewState::Recorded),
            _ => ReviewState::Recorded,
        };
        let actual = states.get(&v.id).copied().unwrap_or(ReviewState::Recorded);
        if actual != expected {
            problems.push(format!(
                "{} is {}, but the log says {}",
                what(),
                actual.as_str(),
                expected.as_str()
            ));
        }
        Ok(())
    })?;
    if problems.is_empty() {
        report.checked.push(format!(
            "the audit log ({} entries) accounts for every value ({checked}) and its review state",
            entries.len()
        ));
    } else {
        let n = problems.len();
        report.problems.extend(problems.into_iter().take(LISTED));
        if n > LISTED {
            report.problems.push(format!(
                "... and {} more disagreements with the log",
                n - LISTED
            ));
        }
    }
    Ok(())
}
