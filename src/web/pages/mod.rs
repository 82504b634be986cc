//! One file per page. Each reads its query or form, calls the functions the matching command
//! calls, and renders.

pub mod dashboard;
pub mod download;
pub mod entry;
pub mod indicator;
pub mod log;
pub mod review;
pub mod status;
pub mod tree;
pub mod upload;

use serde::Deserialize;

use super::WebError;
use crate::period::FiscalPeriod;
use crate::workflow::policy::Need;

/// `?period=FY2022`: empty or absent is the default period.
#[derive(Debug, Deserialize)]
pub struct PeriodQuery {
    pub period: Option<String>,
}

impl PeriodQuery {
    pub fn given(&self) -> Option<&str> {
        self.period
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
    }
}

/// A period typed into a form or query: a fiscal year, a quarter, or a date (its fiscal year).
pub fn period(given: Option<&str>) -> Result<Option<FiscalPeriod>, WebError> {
    Ok(crate::cmd::period_arg(given, false)?)
}

/// A role refusal (what the policy says) as 403.
pub fn forbidden(e: crate::error::Error) -> WebError {
    match e {
        crate::error::Error::Input { message, .. } => WebError::Forbidden(message),
        other => other.into(),
    }
}

/// The policy for the actor doing `need`; a role that does not allow it is 403.
pub fn policy(
    cx: &mut super::Ctx,
    need: Need,
) -> Result<crate::workflow::policy::Policy, WebError> {
    let actor = cx.actor.clone();
    if let Err(e) = actor.require(need) {
        return Err(forbidden(e));
    }
    Ok(crate::cmd::policy_for(cx.store, actor, need)?)
}

/// Refuse (403) a write to indicator `code` outside the policy's scope.
pub fn in_scope(
    cx: &mut super::Ctx,
    policy: &crate::workflow::policy::Policy,
    code: &str,
) -> Result<(), WebError> {
    let ids = cx.store.indicator_ids()?;
    let id = ids.get(code).ok_or_else(|| {
        WebError::NotFound(format!("`{code}` is not an indicator of this strategy"))
    })?;
    policy.check_scope(*id).map_err(forbidden)
}
