//! One file per page. Each reads its query or form, calls the functions the matching command
//! calls, and renders.

pub mod admin;
pub mod dashboard;
pub mod diff;
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

/// Run `ics ARGS` in this process against the server's database and strategy, acting as
/// `actor` if given: what it printed. The commands' own checks and messages apply, so a page
/// that does what a command does (a download, an admin's change) runs the command. Every
/// value in `args` must be given as `--flag=VALUE`, or after `--`, never to be read as a flag.
pub fn cli(app: &super::App, actor: Option<&str>, args: Vec<String>) -> Result<Vec<u8>, WebError> {
    use clap::Parser;
    let mut argv = vec![
        "ics".to_string(),
        "--color=never".to_string(),
        format!("--db={}", app.cfg.db.display()),
    ];
    if let Some(s) = &app.cfg.strategy {
        argv.push(format!("--strategy={s}"));
    }
    if let Some(a) = actor {
        argv.push(format!("--as={a}"));
    }
    argv.extend(args);
    let cli = crate::cli::Cli::try_parse_from(&argv)
        .map_err(|_| WebError::BadRequest("the options given could not be read".into()))?;
    let mut stdout = Vec::new();
    crate::cmd::dispatch(&cli, &mut stdout)?;
    Ok(stdout)
}
