//! `ics void INDICATOR PERIOD --reason TEXT`: end the current value of a key, keeping it (and
//! who voided it, when and why) in the history. Recording again later starts afresh.

use std::io::Write;

use super::record::{describe, key, required_text, with_parts};
use super::Context;
use crate::cli::VoidArgs;
use crate::clock::now_utc;
use crate::error::Error;
use crate::render::values::{time, with_unit};
use crate::store::{Keep, Kind, NewValue, WriteValues};
use crate::store::{Storage, ValueSink};
use crate::values::Catalog;
use crate::workflow::policy::{Need, Policy};
use crate::Outcome;

pub fn run(cx: &Context, args: &VoidArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let mut store = cx.open_existing()?;
    let policy = cx.policy(&mut *store, Need::Record, args.by.as_deref())?;
    writeln!(out, "{}", void(&mut *store, &policy, args)?)?;
    Ok(Outcome::Success)
}

/// Void the value `args` names as `policy`'s actor (`ics void`, and the void form of `ics
/// serve`); what was done, in words.
pub fn void(store: &mut dyn Storage, policy: &Policy, args: &VoidArgs) -> Result<String, Error> {
    let catalog = Catalog::load(&*store)?;
    let k = key(&catalog, &args.key, Some(&policy.actor.name))?;
    let reason = Some(required_text(&args.reason, "the reason (`--reason`)")?);
    let recorded_at = now_utc();
    let void = NewValue {
        indicator_id: k.rule.id,
        period: k.period,
        disaggregation: &k.disaggregation,
        value: 0.0,  // a void keeps the value it ends
        parts: None, // and its parts
        note: reason,
        source: None,
        recorded_by: &k.recorded_by,
        recorded_at: &recorded_at,
        keep: Keep::AS_GIVEN,
        kind: Kind::Void,
    };
    let what = describe(&k.rule.indicator.code, k.period, &k.disaggregation);
    let mut journal = policy.journal("void", what.clone());
    journal.reason = reason.map(str::to_string);
    let Some(old) = store.write_values(false, |w| policy.guard(w, &journal)?.void(&void))? else {
        return Err(Error::input_with_hint(
            format!("{what} has no current value to void"),
            format!(
                "`ics history {}` shows what was recorded and voided",
                k.rule.indicator.code
            ),
        ));
    };
    Ok(format!(
        "voided {what}: {} (recorded by {} at {}; kept in the history)",
        with_parts(with_unit(old.value, &k.rule.indicator.unit), old.parts),
        old.recorded_by,
        time(&old.recorded_at)
    ))
}
