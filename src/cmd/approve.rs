//! `ics approve INDICATOR PERIOD [--disagg K=V]` or `ics approve --period P [--node CODE]`:
//! approve submitted values, which the reports then count.

use std::io::Write;

use super::Context;
use crate::cli::ApproveArgs;
use crate::error::Error;
use crate::render::plural;
use crate::values::Catalog;
use crate::workflow::policy::{self, Need};
use crate::workflow::review::{self, Action, Selection};
use crate::Outcome;

pub fn run(cx: &Context, args: &ApproveArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let mut store = cx.open_existing()?;
    let policy = cx.policy(&mut *store, Need::Review, None)?;
    let sel = match (&args.whole_period, &args.indicator, &args.period) {
        (Some(p), None, None) => {
            let period = crate::period::parse(p.trim())
                .map_err(Error::input)?
                .resolve(false);
            let indicators = match &args.node {
                None => None,
                Some(node) => {
                    let version = store.resolve_version(None)?;
                    let fw = store.framework_lean(&version, crate::store::Targets::None)?;
                    if fw.node(node.trim()).is_none() {
                        return Err(Error::input_with_hint(
                            format!("`{node}` is not a node of {}", fw.strategy.code),
                            "`ics tree` lists the nodes",
                        ));
                    }
                    Some(policy::scope_indicators(&fw, &[node.trim().to_string()]))
                }
            };
            Selection::Period { period, indicators }
        }
        (None, Some(_), Some(_)) => {
            let catalog = Catalog::load(&*store)?;
            let which = crate::cli::ValueKey {
                indicator: args.indicator.clone().unwrap_or_default(),
                period: args.period.clone().unwrap_or_default(),
                disagg: args.disagg.clone(),
            };
            let k = super::record::key(&catalog, &which, Some(&policy.actor.name))?;
            Selection::One {
                code: k.rule.indicator.code.clone(),
                period: k.period,
                disaggregation: (!args.disagg.is_empty()).then_some(k.disaggregation),
            }
        }
        _ => {
            return Err(Error::input_with_hint(
                "say what to approve: INDICATOR PERIOD, or --period PERIOD",
                "`ics approve IND-POVERTY FY2022` or `ics approve --period FY2022Q1`",
            ))
        }
    };
    let done = review::review(&mut *store, &policy, &sel, Action::Approve, None)?;
    for item in &done.changed {
        writeln!(out, "approved {}", item.describe())?;
    }
    match (&sel, done.changed.len()) {
        (Selection::Period { period, .. }, 0) => writeln!(
            out,
            "nothing to approve: no value of {period} is waiting for approval{}",
            if done.outside_scope > 0 {
                " in your scope"
            } else {
                ""
            }
        )?,
        (Selection::Period { .. }, n) => {
            writeln!(out, "{} approved", plural(n, "value", "values"))?
        }
        _ => {}
    }
    if done.outside_scope > 0 {
        writeln!(
            out,
            "{} outside your scope left for their approvers",
            plural(done.outside_scope, "submitted value", "submitted values")
        )?;
    }
    Ok(Outcome::Success)
}
