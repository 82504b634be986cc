//! Approving and returning values: which current values a selection names, which of them are
//! in the state the action needs, and the writes (each checked against the scope and the
//! locks inside the transaction, each in the log).

use std::collections::{HashMap, HashSet};

use super::policy::Policy;
use super::{LogEntry, ReviewState};
use crate::error::Error;
use crate::period::{FiscalPeriod, PeriodRange};
use crate::store::{Kind, Storage, ValueQuery, WriteValues};

/// What to review.
pub enum Selection {
    /// One indicator's values of one period: one disaggregation, or (`None`) all of them.
    One {
        code: String,
        period: FiscalPeriod,
        disaggregation: Option<String>,
    },
    /// Every value of a period (a fiscal year with its quarters), of these indicators
    /// (`None`: all).
    Period {
        period: FiscalPeriod,
        indicators: Option<HashSet<String>>,
    },
}

/// One value reviewed.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: i64,
    pub indicator: String,
    pub period: FiscalPeriod,
    pub disaggregation: String,
    pub value: f64,
    pub recorded_by: String,
}

impl From<crate::store::StoredValue> for Item {
    fn from(v: crate::store::StoredValue) -> Item {
        Item {
            id: v.id,
            indicator: v.indicator,
            period: v.period,
            disaggregation: v.disaggregation,
            value: v.value,
            recorded_by: v.recorded_by,
        }
    }
}

impl Item {
    /// `` `IND` FY2022 `` or `` `IND` FY2022 (sex=female) ``.
    pub fn describe(&self) -> String {
        super::describe_value(&self.indicator, self.period, &self.disaggregation)
    }
}

/// What a review did.
#[derive(Debug, Default)]
pub struct Reviewed {
    pub changed: Vec<Item>,
    /// Values in the right state that the actor's scope does not cover (left as they were).
    pub outside_scope: usize,
}

/// The action: approve (from submitted) or return (from submitted or approved, with a reason).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Approve,
    Return,
}

impl Action {
    fn from(self) -> &'static [ReviewState] {
        match self {
            Action::Approve => &[ReviewState::Submitted],
            Action::Return => &[ReviewState::Submitted, ReviewState::Approved],
        }
    }
    fn to(self) -> ReviewState {
        match self {
            Action::Approve => ReviewState::Approved,
            Action::Return => ReviewState::Returned,
        }
    }
    fn name(self) -> &'static str {
        match self {
            Action::Approve => "approve",
            Action::Return => "return",
        }
    }
}

/// Approve or return the values `sel` names, all in one transaction.
pub fn review(
    store: &mut dyn Storage,
    policy: &Policy,
    sel: &Selection,
    action: Action,
    reason: Option<&str>,
) -> Result<Reviewed, Error> {
    let ids = store.indicator_ids()?;
    let (range, wanted): (PeriodRange, Vec<i64>) = match sel {
        Selection::One { code, period, .. } => (
            PeriodRange::new(*period, *period),
            vec![*ids.get(code).ok_or_else(|| {
                Error::input(format!("`{code}` is not an indicator of this strategy"))
            })?],
        ),
        Selection::Period { period, indicators } => (
            period.span(),
            match indicators {
                None => Vec::new(),
                Some(codes) => codes.iter().filter_map(|c| ids.get(c).copied()).collect(),
            },
        ),
    };
    if matches!(
        sel,
        Selection::Period {
            indicators: Some(_),
            ..
        }
    ) && wanted.is_empty()
    {
        return Ok(Reviewed::default());
    }
    let mut found = Vec::new();
    store.each_value(
        &ValueQuery {
            indicators: wanted,
            periods: Some(range),
            ..Default::default()
        },
        &mut |v| {
            let keep = v.kind != Kind::Void
                && match sel {
                    Selection::One { disaggregation, .. } => disaggregation
                        .as_deref()
                        .is_none_or(|d| d == v.disaggregation),
                    Selection::Period { .. } => true,
                };
            if keep {
                found.push(Item::from(v));
            }
            Ok(())
        },
    )?;
    let all: Vec<i64> = found.iter().map(|i| i.id).collect();
    let states = store.states(Some(&all))?;
    let state_of = |id: i64| states.get(&id).copied().unwrap_or(ReviewState::Recorded);
    let (ready, not_ready): (Vec<Item>, Vec<Item>) = found
        .into_iter()
        .partition(|i| action.from().contains(&state_of(i.id)));
    let mut out = Reviewed::default();
    let mut todo = Vec::new();
    for item in ready {
        let id = ids[&item.indicator];
        match (sel, policy.check_scope(id)) {
            (_, Ok(())) => todo.push((id, item)),
            (Selection::One { .. }, Err(e)) => return Err(e),
            (Selection::Period { .. }, Err(_)) => out.outside_scope += 1,
        }
    }
    if todo.is_empty() {
        if let Selection::One { code, period, .. } = sel {
            return Err(nothing_to(action, code, *period, &not_ready, &state_of));
        }
        return Ok(out);
    }
    let journal = policy.journal(action.name(), "values");
    let strategy = policy.strategy.clone();
    let changed = store.write_values(false, |w| {
        let g = policy.guard(w, &journal)?;
        let mut changed = Vec::new();
        for (indicator_id, item) in &todo {
            g.check(*indicator_id, item.period)?;
            let from = state_of(item.id);
            if !g.sink.set_state(item.id, from, action.to())? {
                return Err(Error::input_with_hint(
                    format!(
                        "{} changed while it was being reviewed; nothing was changed",
                        item.describe()
                    ),
                    "run the command again",
                ));
            }
            g.sink.append_log(&LogEntry {
                id: 0,
                at: journal.at.clone(),
                user: policy.actor.name.clone(),
                strategy: Some(strategy.clone()),
                action: action.name().to_string(),
                subject: item.describe(),
                detail: format!(
                    "{} recorded by {}",
                    crate::render::values::readable(item.value),
                    item.recorded_by
                ),
                reason: reason.map(str::to_string),
                values: Some((item.id, item.id)),
                state: Some(action.to()),
            })?;
            changed.push(item.clone());
        }
        Ok(changed)
    })?;
    out.changed = changed;
    Ok(out)
}

/// Why one indicator's period has nothing to approve or return.
fn nothing_to(
    action: Action,
    code: &str,
    period: FiscalPeriod,
    others: &[Item],
    state_of: &dyn Fn(i64) -> ReviewState,
) -> Error {
    let verb = action.name();
    if others.is_empty() {
        return Error::input_with_hint(
            format!("`{code}` {period} has no current value to {verb}"),
            format!("`ics history {code}` shows what was recorded"),
        );
    }
    let mut states: HashMap<&str, usize> = HashMap::new();
    for i in others {
        *states.entry(state_of(i.id).as_str()).or_default() += 1;
    }
    let mut said: Vec<String> = states
        .into_iter()
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    said.sort();
    Error::input(format!(
        "`{code}` {period} has nothing to {verb}: its values are {}",
        said.join(", ")
    ))
}

/// The approval queue: every current value of `range` (of every period with `None`) waiting
/// for approval, in indicator and period order. The states are read first: only values with
/// a review state have a row there, so with nothing submitted no value is read at all.
pub fn queue(store: &dyn Storage, range: Option<PeriodRange>) -> Result<Vec<Item>, Error> {
    let submitted: HashSet<i64> = store
        .states(None)?
        .into_iter()
        .filter(|(_, s)| *s == ReviewState::Submitted)
        .map(|(id, _)| id)
        .collect();
    let mut found = Vec::new();
    if submitted.is_empty() {
        return Ok(found);
    }
    store.each_value(
        &ValueQuery {
            periods: range,
            ..Default::default()
        },
        &mut |v| {
            if v.kind != Kind::Void && submitted.contains(&v.id) {
                found.push(Item::from(v));
            }
            Ok(())
        },
    )?;
    Ok(found)
}
