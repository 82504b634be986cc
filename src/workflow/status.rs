//! Who still owes a report: every indicator due in a period (by its frequency), the reporters
//! responsible for it, and where its values stand.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::{Lock, ReviewState, Role, User};
use crate::framework::{Framework, Frequency};
use crate::period::FiscalPeriod;

/// Where an indicator's report for the period stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Owed {
    /// No current value for the period.
    Missing,
    /// Sent back: its reporter must correct it or submit it again.
    Returned,
    /// Waiting for an approver.
    Submitted,
    /// Approved.
    Approved,
    /// Recorded with review off: it counts.
    Recorded,
    /// The period is locked: nothing more can be done.
    Locked,
}

impl Owed {
    pub const ALL: [Owed; 6] = [
        Owed::Missing,
        Owed::Returned,
        Owed::Submitted,
        Owed::Approved,
        Owed::Recorded,
        Owed::Locked,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Owed::Missing => "missing",
            Owed::Returned => "returned",
            Owed::Submitted => "submitted",
            Owed::Approved => "approved",
            Owed::Recorded => "recorded",
            Owed::Locked => "locked",
        }
    }
    /// Whether someone still has to act: a reporter (missing, returned).
    pub fn owed(self) -> bool {
        matches!(self, Owed::Missing | Owed::Returned)
    }
}

/// One indicator due in the period.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub indicator: String,
    pub title: String,
    /// The node it sits under.
    pub node: String,
    /// The reporters whose scope covers it; else the indicator's `responsible` field.
    pub reporters: Vec<String>,
    pub state: Owed,
    /// How its values stand, whatever the lock: the state it would have unlocked.
    pub values: Owed,
    pub locked: bool,
}

/// Counts by state for one node or person.
#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    pub name: String,
    pub counts: BTreeMap<&'static str, usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub period: String,
    pub indicators: Vec<Row>,
    pub by_node: Vec<Totals>,
    pub by_person: Vec<Totals>,
}

impl Status {
    /// Whether something is missing or returned (exit status 1).
    pub fn owed(&self) -> bool {
        self.indicators.iter().any(|r| r.state.owed())
    }
}

/// One current value of the period, as the status needs it.
pub struct Reported {
    pub indicator: String,
    pub state: ReviewState,
}

/// The status of `period`: the indicators of `fw` due in it (a quarter: the quarterly ones; a
/// fiscal year: all, as `ics template` lists them), only those in `only` when given.
pub fn status(
    fw: &Framework,
    period: FiscalPeriod,
    only: Option<&HashSet<String>>,
    users: &[User],
    reported: &[Reported],
    lock: Option<&Lock>,
) -> Status {
    let mut states: HashMap<&str, Vec<ReviewState>> = HashMap::new();
    for r in reported {
        states.entry(&r.indicator).or_default().push(r.state);
    }
    let reporters: Vec<(&User, HashSet<String>)> = users
        .iter()
        .filter(|u| u.role == Role::Reporter)
        .map(|u| (u, super::policy::scope_indicators(fw, &u.scopes)))
        .collect();
    let mut rows = Vec::new();
    for (node, ind) in fw.indicators() {
        if period.is_quarter() && ind.frequency != Frequency::Quarterly {
            continue;
        }
        if only.is_some_and(|o| !o.contains(&ind.code)) {
            continue;
        }
        let s = states.get(ind.code.as_str()).map_or(&[][..], Vec::as_slice);
        let values = if s.is_empty() {
            Owed::Missing
        } else if s.contains(&ReviewState::Returned) {
            Owed::Returned
        } else if s.contains(&ReviewState::Submitted) {
            Owed::Submitted
        } else if s.contains(&ReviewState::Approved) {
            Owed::Approved
        } else {
            Owed::Recorded
        };
        let mut who: Vec<String> = reporters
            .iter()
            .filter(|(u, covered)| u.scopes.is_empty() || covered.contains(&ind.code))
            .map(|(u, _)| u.name.clone())
            .collect();
        if who.is_empty() {
            who.extend(ind.pirs.responsible.clone());
        }
        rows.push(Row {
            indicator: ind.code.clone(),
            title: ind.title.clone(),
            node: node.code.clone(),
            reporters: who,
            state: if lock.is_some() { Owed::Locked } else { values },
            values,
            locked: lock.is_some(),
        });
    }
    let totals = |key: &dyn Fn(&Row) -> Vec<String>| -> Vec<Totals> {
        let mut by: BTreeMap<String, BTreeMap<&'static str, usize>> = BTreeMap::new();
        for r in &rows {
            for k in key(r) {
                let counts = by
                    .entry(k)
                    .or_insert_with(|| Owed::ALL.iter().map(|o| (o.as_str(), 0)).collect());
                *counts.entry(r.state.as_str()).or_default() += 1;
            }
        }
        by.into_iter()
            .map(|(name, counts)| Totals { name, counts })
            .collect()
    };
    let by_node = totals(&|r| vec![r.node.clone()]);
    let by_person = totals(&|r| {
        if r.reporters.is_empty() {
            vec!["(nobody)".to_string()]
        } else {
            r.reporters.clone()
        }
    });
    Status {
        period: period.to_string(),
        indicators: rows,
        by_node,
        by_person,
    }
}
