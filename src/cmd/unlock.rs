//! `ics unlock PERIOD --reason TEXT`: open a locked period again (admins only; logged).

use std::io::Write;

use super::user::entry;
use super::Context;
use crate::cli::UnlockArgs;
use crate::error::Error;
use crate::period::{self, FiscalPeriod};
use crate::store::{Storage, WriteValues};
use crate::workflow::policy::Need;
use crate::Outcome;

pub fn run(cx: &Context, args: &UnlockArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let mut store = cx.open_existing()?;
    let actor = cx.actor(&mut *store, None)?;
    actor.require(Need::Admin)?;
    let (period, through) = lock_period(args.period.as_deref(), args.through.as_deref())?;
    let reason = super::record::required_text(&args.reason, "the reason (`--reason`)")?;
    let strategy = strategy_in_use(&*store)?;
    let what = if through {
        format!("everything through {period}")
    } else {
        period.to_string()
    };
    store.write_values(false, |w| {
        if !w.remove_lock(&strategy, period, through)? {
            let locks = w.locks(&strategy)?;
            let hint = if locks.is_empty() {
                "no period of this strategy is locked".to_string()
            } else {
                format!(
                    "the locks are: {} (`ics locks` lists them)",
                    locks
                        .iter()
                        .map(|l| l.what())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            return Err(Error::input_with_hint(
                format!("{what} has no lock of its own to remove"),
                hint,
            ));
        }
        let mut e = entry(
            &actor,
            "unlock",
            &what,
            String::new(),
            Some(strategy.clone()),
        );
        e.reason = Some(reason.to_string());
        w.append_log(&e)
    })?;
    writeln!(
        out,
        "unlocked {what} of {strategy} (the reason is in the log)"
    )?;
    Ok(Outcome::Success)
}

/// The period of `lock`/`unlock`: PERIOD, or `--through PERIOD` (then `true`). A date is not
/// a period here: say which fiscal year or quarter.
pub(super) fn lock_period(
    period: Option<&str>,
    through: Option<&str>,
) -> Result<(FiscalPeriod, bool), Error> {
    let (text, through) = match (period, through) {
        (Some(p), None) => (p, false),
        (None, Some(t)) => (t, true),
        _ => return Err(Error::input("give a period, or --through PERIOD")),
    };
    match period::parse(text.trim()).map_err(Error::input)? {
        period::PeriodInput::Period(p) => Ok((p, through)),
        period::PeriodInput::Date(_) => Err(Error::input_with_hint(
            format!("`{text}` is a date; a lock is on a fiscal year or a quarter"),
            "write FY2022 or FY2022Q1",
        )),
    }
}

/// The strategy in use, which locks belong to.
pub(super) fn strategy_in_use(store: &dyn Storage) -> Result<String, Error> {
    store.strategy_in_use().ok_or_else(|| {
        Error::input_with_hint(
            "the database holds no strategy yet",
            "load one with `ics load framework.toml`",
        )
    })
}
