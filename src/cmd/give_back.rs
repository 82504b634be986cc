//! `ics return INDICATOR PERIOD --reason TEXT`: send a value back to its reporter.

use std::io::Write;

use super::record::{key, required_text};
use super::Context;
use crate::cli::ReturnArgs;
use crate::error::Error;
use crate::values::Catalog;
use crate::workflow::policy::Need;
use crate::workflow::review::{self, Action, Selection};
use crate::Outcome;

pub fn run(cx: &Context, args: &ReturnArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let mut store = cx.open_existing()?;
    let policy = cx.policy(&mut *store, Need::Review, None)?;
    let reason = required_text(&args.reason, "the reason (`--reason`)")?;
    let catalog = Catalog::load(&*store)?;
    let k = key(&catalog, &args.key, Some(&policy.actor.name))?;
    let sel = Selection::One {
        code: k.rule.indicator.code.clone(),
        period: k.period,
        disaggregation: (!args.key.disagg.is_empty()).then_some(k.disaggregation),
    };
    let done = review::review(&mut *store, &policy, &sel, Action::Return, Some(reason))?;
    for item in &done.changed {
        writeln!(
            out,
            "returned {} to {}: {reason}",
            item.describe(),
            item.recorded_by
        )?;
    }
    Ok(Outcome::Success)
}
