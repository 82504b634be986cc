//! `ics lock PERIOD` / `ics lock --through PERIOD`: close a period of the strategy in use.

use std::io::Write;

use super::user::entry;
use super::Context;
use crate::cli::LockArgs;
use crate::clock::now_utc;
use crate::error::Error;
use crate::store::WriteValues;
use crate::workflow::policy::Need;
use crate::workflow::Lock;
use crate::Outcome;

pub fn run(cx: &Context, args: &LockArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let mut store = cx.open_existing()?;
    let actor = cx.actor(&mut *store, None)?;
    actor.require(Need::Admin)?;
    let (period, through) =
        super::unlock::lock_period(args.period.as_deref(), args.through.as_deref())?;
    let reason = args
        .reason
        .as_deref()
        .map(|r| super::record::required_text(r, "the reason (`--reason`)"))
        .transpose()?
        .map(str::to_string);
    let strategy = super::unlock::strategy_in_use(&*store)?;
    let lock = Lock {
        period,
        through,
        set_by: actor.name.clone(),
        set_at: now_utc(),
        reason: reason.clone(),
    };
    let done = store.write_values(false, |w| {
        let locks = w.locks(&strategy)?;
        if let Some(l) = locks
            .iter()
            .find(|l| l.period == period && l.through == through)
        {
            return Ok(Some(l.clone()));
        }
        w.add_lock(&strategy, &lock)?;
        let mut e = entry(
            &actor,
            "lock",
            &lock.what(),
            String::new(),
            Some(strategy.clone()),
        );
        e.reason = reason.clone();
        w.append_log(&e)?;
        Ok(None)
    })?;
    match done {
        Some(l) => writeln!(
            out,
            "{} is already locked (by {} on {}); nothing changed",
            l.what(),
            l.set_by,
            l.set_at.get(..10).unwrap_or(&l.set_at)
        )?,
        None => writeln!(
            out,
            "locked {} of {strategy}: no value of it can be recorded, imported, voided, explained, approved, returned or re-targeted",
            lock.what()
        )?,
    }
    Ok(Outcome::Success)
}
