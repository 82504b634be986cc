//! `ics record INDICATOR PERIOD VALUE`: record one value, or correct the current one.

use std::io::Write;

use super::Context;
use crate::cli::{RecordArgs, ValueKey};
use crate::clock::{self, now_utc};
use crate::error::Error;
use crate::period::FiscalPeriod;
use crate::render::values::{readable, time, with_unit};
use crate::store::Storage;
use crate::store::ValueSink;
use crate::store::WriteValues;
use crate::store::{Keep, Kind, NewValue, Written};
use crate::values::{self, clean_text, control_char, Catalog, Rule};
use crate::workflow::guard::Guard;
use crate::workflow::policy::{Need, Policy};
use crate::workflow::{Journal, LogEntry, ReviewState};
use crate::Outcome;

pub fn run(cx: &Context, args: &RecordArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let mut store = cx.open_existing()?;
    let policy = cx.policy(&mut *store, Need::Record, args.by.as_deref())?;
    let done = record(&mut *store, &policy, args)?;
    for warning in &done.warnings {
        eprintln!("warning: {warning}");
    }
    writeln!(out, "{}", done.said)?;
    Ok(Outcome::Success)
}

/// What [`record`] did, in words.
pub struct Recorded {
    /// `recorded `IND` FY2022: 12 (submitted for approval)`, or why nothing changed.
    pub said: String,
    /// What looks like a typo (recorded anyway).
    pub warnings: Vec<String>,
}

/// Record the value `args` gives as `policy`'s actor (`ics record`, and the record form of
/// `ics serve`).
pub fn record(
    store: &mut dyn Storage,
    policy: &Policy,
    args: &RecordArgs,
) -> Result<Recorded, Error> {
    let catalog = Catalog::load(&*store)?;
    let Key {
        rule,
        period,
        disaggregation,
        recorded_by,
    } = key(&catalog, &args.key, Some(&policy.actor.name))?;
    let (value, parts) = given_value(rule, args)?;
    let note = given_text(args.note.as_deref(), "note")?;
    let source = given_text(args.source.as_deref(), "source")?;
    let recorded_at = now_utc();
    let new = NewValue {
        indicator_id: rule.id,
        period,
        disaggregation: &disaggregation,
        value,
        parts,
        note,
        source,
        recorded_by: &recorded_by,
        recorded_at: &recorded_at,
        // Without `--note`, the same value keeps its note; `--clear-note` removes it.
        keep: Keep {
            note: !args.clear_note,
            source: !args.clear_source,
        },
        kind: Kind::Value,
    };
    let ind = &rule.indicator;
    let what = describe(&ind.code, period, &disaggregation);
    let mut journal = policy.journal("record", what.clone());
    journal.detail = shown(value, parts, &ind.unit);
    let (written, resubmitted) = store.write_values(false, |w| {
        let mut g = policy.guard(w, &journal)?;
        let written = g.put(&new)?;
        let resubmitted = written == Written::Unchanged && resubmit(&mut g, &new, &journal)?;
        Ok((written, resubmitted))
    })?;
    let submitted = if policy.review {
        " (submitted for approval)"
    } else {
        ""
    };
    let warnings = warnings(&*store, rule, period, value)?;
    let shown = shown(value, parts, &ind.unit);
    let said = match written {
        Written::Added { .. } => format!("recorded {what}: {shown}{submitted}"),
        Written::Corrected { old, .. } => format!(
            "corrected {what}: {shown} (was {}, recorded by {} at {}; kept in the history){submitted}",
            with_parts(readable(old.value), old.parts),
            old.recorded_by,
            time(&old.recorded_at)
        ),
        Written::Unchanged if resubmitted => {
            format!("submitted {what} again as it is: {shown} (it had been returned)")
        }
        Written::Unchanged => {
            let texts = if args.note.is_none()
                && args.source.is_none()
                && !args.clear_note
                && !args.clear_source
            {
                "; its note and source stay as they are"
            } else {
                " with the same note and source"
            };
            format!("unchanged: {what} is already {shown}{texts}; nothing recorded")
        }
    };
    Ok(Recorded { said, warnings })
}

/// Recording a returned value again as it is submits it again: its state goes back to
/// submitted, and the log says so. Whether it did.
fn resubmit(g: &mut Guard<'_>, v: &NewValue<'_>, journal: &Journal) -> Result<bool, Error> {
    let Some(id) = g.current_id(v)? else {
        return Ok(false);
    };
    if g.state(id)? != ReviewState::Returned
        || !g.set_state(id, ReviewState::Returned, ReviewState::Submitted)?
    {
        return Ok(false);
    }
    g.append_log(&LogEntry {
        id: 0,
        at: journal.at.clone(),
        user: journal.user.clone(),
        strategy: Some(g.policy.strategy.clone()),
        action: "resubmit".into(),
        subject: journal.subject.clone(),
        detail: journal.detail.clone(),
        reason: None,
        values: Some((id, id)),
        state: Some(ReviewState::Submitted),
    })?;
    Ok(true)
}

/// The value `record` is given: VALUE, or for a ratio indicator `--numerator` and
/// `--denominator` (the value computed from them), never both.
fn given_value(rule: &Rule, args: &RecordArgs) -> Result<(f64, Option<(f64, f64)>), Error> {
    let code = &rule.indicator.code;
    let ratio_hint =
        || format!("record a ratio as `ics record {code} PERIOD --numerator N --denominator D`");
    match (&args.value, &args.numerator, &args.denominator) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => Err(Error::input_with_hint(
            "give either the value or `--numerator` and `--denominator`, not both",
            "for a ratio indicator, the value is computed from its numerator and denominator",
        )),
        (None, Some(n), Some(d)) => {
            let (value, parts) = rule.ratio_value(n, d).map_err(Error::input)?;
            Ok((value, Some(parts)))
        }
        (None, Some(_), None) | (None, None, Some(_)) if rule.is_ratio() => {
            Err(Error::input_with_hint(
                format!("`{code}` is a ratio indicator: give both `--numerator` and `--denominator`"),
                ratio_hint(),
            ))
        }
        (None, Some(_), None) | (None, None, Some(_)) => Err(Error::input(format!(
            "`{code}` is not a ratio indicator, so its values have no numerator and denominator; give the value itself"
        ))),
        (_, None, None) if rule.is_ratio() => Err(Error::input_with_hint(
            format!(
                "`{code}` is a ratio indicator: its value is recorded as a numerator and a denominator, not as a number"
            ),
            ratio_hint(),
        )),
        (Some(v), None, None) => Ok((rule.value(v).map_err(Error::input)?, None)),
        (None, None, None) => Err(Error::input_with_hint(
            "the value is missing",
            format!("write it after the period: `ics record {code} PERIOD VALUE`"),
        )),
    }
}

/// A recorded value as `record` says it: `74.8%`, or `74.8% (748 / 1000)` for a ratio.
fn shown(value: f64, parts: Option<(f64, f64)>, unit: &str) -> String {
    with_parts(with_unit(value, unit), parts)
}

/// `text`, followed by ` (N / D)` when there are ratio parts.
pub(super) fn with_parts(text: String, parts: Option<(f64, f64)>) -> String {
    match parts {
        Some((n, d)) => format!("{text} ({} / {})", readable(n), readable(d)),
        None => text,
    }
}

/// What `record`, `void` and `explain` are about: an indicator of the newest version, a
/// period, a canonical disaggregation, and who does it.
pub(super) struct Key<'c> {
    pub rule: &'c Rule,
    pub period: FiscalPeriod,
    pub disaggregation: String,
    pub recorded_by: String,
}

/// Check the arguments that name a value's key, and who writes it.
pub(super) fn key<'c>(
    catalog: &'c Catalog,
    which: &ValueKey,
    by: Option<&str>,
) -> Result<Key<'c>, Error> {
    let ValueKey {
        indicator,
        period,
        disagg,
    } = which;
    let rule = catalog.rule(indicator.trim()).map_err(|m| {
        Error::input_with_hint(
            m,
            "`ics tree --indicators` lists every indicator with its code",
        )
    })?;
    let period = rule.period(period).map_err(Error::input)?;
    let mut disaggregation = String::new();
    rule.disaggregation(disagg.iter().map(String::as_str), &mut disaggregation)
        .map_err(Error::input)?;
    let recorded_by = match by.map(str::trim) {
        Some("") => return Err(Error::input("`--by` needs a name")),
        Some(name) => name.to_string(),
        None => values::login_name(),
    };
    if let Some(c) = control_char(&recorded_by, false) {
        return Err(control_error(
            "the name of who records it (`--by` or $USER)",
            c,
        ));
    }
    Ok(Key {
        rule,
        period,
        disaggregation,
        recorded_by,
    })
}

/// `` `IND` FY2021 `` or `` `IND` FY2021 (sex=female) ``.
pub(super) fn describe(code: &str, period: FiscalPeriod, disaggregation: &str) -> String {
    crate::workflow::describe_value(code, period, disaggregation)
}

/// What looks like a typo in a recorded value: a period more than one fiscal year after
/// today's, or more than 50 before it; a negative value where baseline and targets are all
/// zero or more.
fn warnings(
    store: &dyn Storage,
    rule: &Rule,
    period: FiscalPeriod,
    value: f64,
) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    let this_year = FiscalPeriod::year_of(clock::today()).year;
    if period.year > this_year + 1 {
        out.push(format!(
            "{period} is more than one fiscal year after this one (FY{this_year}); recorded anyway, `ics void` ends it if it is a typo"
        ));
    } else if period.year < this_year - 50 {
        out.push(format!(
            "{period} is more than 50 fiscal years before this one (FY{this_year}); recorded anyway, `ics void` ends it if it is a typo"
        ));
    }
    if value < 0.0 && store.never_negative(rule.id)? {
        out.push(format!(
            "{} is negative, but the baseline and targets of `{}` are all zero or more; recorded anyway",
            readable(value),
            rule.indicator.code
        ));
    }
    Ok(out)
}

/// A text that must be given (the reason of a void, an explanation), trimmed; `what` names it.
pub(crate) fn required_text<'a>(text: &'a str, what: &str) -> Result<&'a str, Error> {
    match clean_text(Some(text)) {
        None => Err(Error::input(format!("{what} is empty; write a sentence"))),
        Some(t) => match control_char(t, true) {
            Some(c) => Err(control_error(what, c)),
            None => Ok(t),
        },
    }
}

/// The text of `--note` or `--source`, trimmed: an empty one is refused, since leaving the flag
/// out keeps the current text and `--clear-note`/`--clear-source` removes it.
pub(super) fn given_text<'a>(text: Option<&'a str>, flag: &str) -> Result<Option<&'a str>, Error> {
    match text {
        Some(t) if clean_text(Some(t)).is_none() => Err(Error::input_with_hint(
            format!("`--{flag}` is empty"),
            format!("leave `--{flag}` out to keep the current {flag}, or use `--clear-{flag}` to remove it"),
        )),
        Some(t) => match control_char(t, true) {
            Some(c) => Err(control_error(&format!("`--{flag}`"), c)),
            None => Ok(clean_text(Some(t))),
        },
        None => Ok(None),
    }
}

fn control_error(what: &str, c: char) -> Error {
    Error::input_with_hint(
        format!(
            "{what} holds a control character (U+{:04X}), which ics does not store",
            c as u32
        ),
        "notes and sources may hold tabs and line breaks, but no other control characters",
    )
}
