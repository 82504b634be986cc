//! `ics explain INDICATOR PERIOD TEXT`: record why the current value deviates from its target.
//! The explanation is the current value again with the text as its note, marked as an
//! explanation in the history; a note on the current value is what clears "needs explanation".

use std::io::Write;

use super::record::{describe, key, required_text};
use super::Context;
use crate::cli::ExplainArgs;
use crate::clock::now_utc;
use crate::error::Error;
use crate::store::{Keep, Kind, NewValue, WriteValues, Written};
use crate::store::{Storage, ValueSink};
use crate::values::Catalog;
use crate::workflow::policy::{Need, Policy};
use crate::Outcome;

pub fn run(cx: &Context, args: &ExplainArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let mut store = cx.open_existing()?;
    let policy = cx.policy(&mut *store, Need::Record, args.by.as_deref())?;
    writeln!(out, "{}", explain(&mut *store, &policy, args)?)?;
    Ok(Outcome::Success)
}

/// Explain the value `args` names as `policy`'s actor (`ics explain`, and the explain form of
/// `ics serve`); what was done, in words.
pub fn explain(
    store: &mut dyn Storage,
    policy: &Policy,
    args: &ExplainArgs,
) -> Result<String, Error> {
    let catalog = Catalog::load(&*store)?;
    let k = key(&catalog, &args.key, Some(&policy.actor.name))?;
    let text = Some(required_text(&args.text, "the explanation")?);
    let recorded_at = now_utc();
    let what = describe(&k.rule.indicator.code, k.period, &k.disaggregation);
    let mut journal = policy.journal("explain", what.clone());
    journal.detail = args.text.trim().to_string();
    let written = store.write_values(false, |w| {
        let mut w = policy.guard(w, &journal)?;
        let Some((value, parts)) = w.current_value(k.rule.id, k.period, &k.disaggregation)? else {
            return Ok(None);
        };
        let explanation = NewValue {
            indicator_id: k.rule.id,
            period: k.period,
            disaggregation: &k.disaggregation,
            value,
            parts,
            note: text,
            source: None,
            recorded_by: &k.recorded_by,
            recorded_at: &recorded_at,
            // The source stays; the note is the explanation.
            keep: Keep {
                note: false,
                source: true,
            },
            kind: Kind::Explanation,
        };
        w.put(&explanation).map(Some)
    })?;
    match written {
        None => Err(Error::input_with_hint(
            format!("{what} has no current value to explain"),
            "record the value first with `ics record`",
        )),
        Some(Written::Unchanged) => Ok(format!("unchanged: {what} already has this explanation")),
        Some(_) => Ok(format!(
            "explained {what} (kept in the history as an explanation)"
        )),
    }
}
