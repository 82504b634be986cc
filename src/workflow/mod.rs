//! The mission's reporting cycle (issue 17): people and their roles, review (submitted,
//! returned, approved), locked periods and the audit log. Plain data and rules here; the
//! store keeps them ([`crate::store::Workflow`] and the sink's workflow writes), the commands
//! ask [`policy`] before every write.
//!
//! A database with no users is in single-user mode: everything works as before the cycle
//! existed, and every write is still logged under the name `--by` or the login gives.

pub mod guard;
pub mod password;
pub mod policy;
pub mod review;
pub mod status;

use crate::period::FiscalPeriod;

/// What a person may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Reads everything.
    Viewer,
    /// Records, explains and voids the values of the indicators in its scope.
    Reporter,
    /// Approves or returns the values in its scope.
    Approver,
    /// Loads strategies, manages users, locks and unlocks periods.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Reporter, Role::Approver, Role::Admin];

    /// The name on the command line, in the database and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Reporter => "reporter",
            Role::Approver => "approver",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether the role has a scope (a reporter's or an approver's nodes).
    pub fn scoped(self) -> bool {
        matches!(self, Role::Reporter | Role::Approver)
    }
}

/// A person who may use the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub role: Role,
    /// The nodes (or indicators) whose indicators a reporter or approver works on, by code;
    /// empty for all.
    pub scopes: Vec<String>,
    /// On PostgreSQL: the server role (`session_user`) this person connects as. A user with one
    /// can only be acted as over a connection made with that role.
    pub db_role: Option<String>,
    pub added_by: String,
    /// RFC 3339 UTC.
    pub added_at: String,
}

/// Where a value stands in review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReviewState {
    /// Recorded with review off: it counts at once.
    Recorded,
    /// Recorded or imported with review on, waiting for an approver.
    Submitted,
    /// Sent back to its reporter with a reason.
    Returned,
    /// Approved: it counts.
    Approved,
}

impl ReviewState {
    pub const ALL: [ReviewState; 4] = [
        ReviewState::Recorded,
        ReviewState::Submitted,
        ReviewState::Returned,
        ReviewState::Approved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Recorded => "recorded",
            ReviewState::Submitted => "submitted",
            ReviewState::Returned => "returned",
            ReviewState::Approved => "approved",
        }
    }

    pub fn parse(s: &str) -> Option<ReviewState> {
        ReviewState::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether a report counts a value in this state by default (approved, or recorded with
    /// review off).
    pub fn counts(self) -> bool {
        matches!(self, ReviewState::Recorded | ReviewState::Approved)
    }
}

/// Which current values the reports count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Counted {
    /// Every current value, whatever its state (history, export, `status`).
    #[default]
    All,
    /// Approved values, and those recorded with review off.
    Approved,
    /// [`Counted::Approved`] and submitted values (`--include-submitted`); never returned ones.
    WithSubmitted,
}

impl Counted {
    /// Whether a value in `state` is counted.
    pub fn admits(self, state: ReviewState) -> bool {
        match self {
            Counted::All => true,
            Counted::Approved => state.counts(),
            Counted::WithSubmitted => state != ReviewState::Returned,
        }
    }
}

/// A locked period of one strategy: no value of it may be written, reviewed or re-targeted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lock {
    /// The period as locked: a fiscal year (with its quarters) or a quarter.
    pub period: FiscalPeriod,
    /// `--through`: every period that ends on or before `period` ends.
    pub through: bool,
    pub set_by: String,
    /// RFC 3339 UTC.
    pub set_at: String,
    pub reason: Option<String>,
}

impl Lock {
    /// Whether this lock covers a value of period `p`.
    pub fn covers(&self, p: FiscalPeriod) -> bool {
        if self.through {
            p.end() <= self.period.end()
        } else {
            self.period == p || self.period.contains(&p)
        }
    }

    /// How messages name the lock: `FY2022` or `everything through FY2022Q4`.
    pub fn what(&self) -> String {
        if self.through {
            format!("everything through {}", self.period)
        } else {
            self.period.to_string()
        }
    }
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    pub id: i64,
    /// RFC 3339 UTC.
    pub at: String,
    pub user: String,
    /// The strategy the action concerned, if one (users are the database's, not a strategy's).
    pub strategy: Option<String>,
    /// What was done: `record`, `import`, `void`, `explain`, `load`, `copy`, `approve`,
    /// `return`, `resubmit`, `lock`, `unlock`, `user-add`, `user-remove`, `user-role`, `write`.
    pub action: String,
    /// What it was done to: `` `IND` FY2022 ``, a file, a period, a user.
    pub subject: String,
    pub detail: String,
    pub reason: Option<String>,
    /// The ids of the value rows the action wrote (first, last) or reviewed (the same id
    /// twice); `None` for actions that touch no value.
    pub values: Option<(i64, i64)>,
    /// The review state the action gave those values.
    pub state: Option<ReviewState>,
}

impl LogEntry {
    /// An entry by `user` at `at` about `subject`, touching no value, with no detail or reason.
    pub fn new(
        user: &str,
        at: &str,
        strategy: Option<&str>,
        action: &str,
        subject: impl Into<String>,
    ) -> LogEntry {
        LogEntry {
            id: 0,
            at: at.to_string(),
            user: user.to_string(),
            strategy: strategy.map(str::to_string),
            action: action.to_string(),
            subject: subject.into(),
            detail: String::new(),
            reason: None,
            values: None,
            state: None,
        }
    }

    /// The entry for storing version `label` of `strategy` (from `source_file`, if a file).
    pub fn version_loaded(
        user: &str,
        at: &str,
        strategy: &str,
        label: &str,
        source_file: Option<&str>,
    ) -> LogEntry {
        LogEntry {
            detail: source_file.map_or_else(String::new, |f| format!("from {f}")),
            ..LogEntry::new(user, at, Some(strategy), "load", format!("version {label}"))
        }
    }
}

/// What to read from the log.
#[derive(Debug, Clone, Default)]
pub struct LogQuery {
    /// Entries at or after this time (an RFC 3339 prefix, e.g. `2026-10-01`).
    pub since: Option<String>,
    pub user: Option<String>,
    pub strategy: Option<String>,
    /// Only the review entries (approve, return, resubmit) of these value ids.
    pub reviews_of: Option<Vec<i64>>,
}

/// The log entry for the values a write transaction writes: the store writes it when the
/// transaction commits, with the range of value ids written and `state` given to each.
#[derive(Debug, Clone, PartialEq)]
pub struct Journal {
    pub user: String,
    pub at: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub reason: Option<String>,
    /// The state of every value row written (not voids): [`ReviewState::Submitted`] with
    /// review on, else [`ReviewState::Recorded`].
    pub state: ReviewState,
}

impl Journal {
    /// The log entry for the value rows `values` (first, last id) this journal wrote.
    pub fn entry(&self, values: (i64, i64)) -> LogEntry {
        LogEntry {
            detail: self.detail.clone(),
            reason: self.reason.clone(),
            values: Some(values),
            state: Some(self.state),
            ..LogEntry::new(
                &self.user,
                &self.at,
                None,
                &self.action,
                self.subject.clone(),
            )
        }
    }

    /// An entry for `action` by `user` now.
    pub fn new(user: &str, action: &str, subject: impl Into<String>) -> Journal {
        Journal {
            user: user.to_string(),
            at: crate::clock::now_utc(),
            action: action.to_string(),
            subject: subject.into(),
            detail: String::new(),
            reason: None,
            state: ReviewState::Recorded,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lock(p: FiscalPeriod, through: bool) -> Lock {
        Lock {
            period: p,
            through,
            set_by: "a".into(),
            set_at: "t".into(),
            reason: None,
        }
    }

    #[test]
    fn a_year_lock_covers_its_quarters_and_a_quarter_lock_only_itself() {
        let year = lock(FiscalPeriod::year(2022), false);
        assert!(year.covers(FiscalPeriod::year(2022)));
        assert!(year.covers(FiscalPeriod::quarter(2022, 4)));
        assert!(!year.covers(FiscalPeriod::year(2021)));
        assert!(!year.covers(FiscalPeriod::quarter(2023, 1)));
        let q = lock(FiscalPeriod::quarter(2022, 2), false);
        assert!(q.covers(FiscalPeriod::quarter(2022, 2)));
        assert!(!q.covers(FiscalPeriod::quarter(2022, 3)));
        assert!(!q.covers(FiscalPeriod::year(2022)));
    }

    #[test]
    fn a_through_lock_covers_everything_that_ends_by_its_end() {
        let t = lock(FiscalPeriod::quarter(2022, 4), true);
        assert!(t.covers(FiscalPeriod::year(2022)));
        assert!(t.covers(FiscalPeriod::year(1999)));
        assert!(t.covers(FiscalPeriod::quarter(2022, 4)));
        assert!(!t.covers(FiscalPeriod::quarter(2023, 1)));
        let q2 = lock(FiscalPeriod::quarter(2022, 2), true);
        assert!(!q2.covers(FiscalPeriod::year(2022)), "the year ends later");
        assert_eq!(q2.what(), "everything through FY2022Q2");
    }

    #[test]
    fn names_round_trip_and_counting_follows_the_state() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        for s in ReviewState::ALL {
            assert_eq!(ReviewState::parse(s.as_str()), Some(s));
        }
        assert!(Counted::Approved.admits(ReviewState::Approved));
        assert!(Counted::Approved.admits(ReviewState::Recorded));
        assert!(!Counted::Approved.admits(ReviewState::Submitted));
        assert!(Counted::WithSubmitted.admits(ReviewState::Submitted));
        assert!(!Counted::WithSubmitted.admits(ReviewState::Returned));
        assert!(Counted::All.admits(ReviewState::Returned));
    }
}

/// A current value that a report with `--include-submitted` counts though it is not approved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmittedValue {
    pub indicator: String,
    pub period: FiscalPeriod,
    pub disaggregation: String,
}

impl SubmittedValue {
    pub fn describe(&self) -> String {
        describe_value(&self.indicator, self.period, &self.disaggregation)
    }
}

/// A value's key as messages and the log name it: `` `IND` FY2022 `` or
/// `` `IND` FY2022 (sex=female) ``.
pub fn describe_value(code: &str, period: FiscalPeriod, disaggregation: &str) -> String {
    if disaggregation.is_empty() {
        format!("`{code}` {period}")
    } else {
        format!("`{code}` {period} ({disaggregation})")
    }
}

/// The submitted current values of `range` (none unless some value is submitted).
pub fn submitted_values(
    store: &dyn crate::store::Storage,
    range: crate::period::PeriodRange,
) -> Result<Vec<SubmittedValue>, crate::error::Error> {
    let mut found = Vec::new();
    store.each_value(
        &crate::store::ValueQuery {
            periods: Some(range),
            ..Default::default()
        },
        &mut |v| {
            if v.kind != crate::store::Kind::Void {
                found.push((v.id, v));
            }
            Ok(())
        },
    )?;
    let ids: Vec<i64> = found.iter().map(|(id, _)| *id).collect();
    let states = store.states(Some(&ids))?;
    Ok(found
        .into_iter()
        .filter(|(id, _)| states.get(id) == Some(&ReviewState::Submitted))
        .map(|(_, v)| SubmittedValue {
            indicator: v.indicator,
            period: v.period,
            disaggregation: v.disaggregation,
        })
        .collect())
}

/// The sentence a report adds when it counts submitted values: `None` when it counts none.
pub fn submitted_caution(values: &[SubmittedValue]) -> Option<String> {
    const NAMED: usize = 10;
    if values.is_empty() {
        return None;
    }
    let mut named: Vec<String> = values
        .iter()
        .take(NAMED)
        .map(SubmittedValue::describe)
        .collect();
    if values.len() > NAMED {
        named.push(format!("and {} more", values.len() - NAMED));
    }
    Some(format!(
        "includes {} submitted but not yet approved: {}",
        if values.len() == 1 {
            "1 value".to_string()
        } else {
            format!("{} values", values.len())
        },
        named.join(", ")
    ))
}
