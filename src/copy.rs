//! `ics copy`: strategies moved between databases (a laptop's SQLite file and a mission's
//! PostgreSQL server, either way), with every version, every value and all their history,
//! voids and explanations included.
//!
//! The destination is written in one transaction: every version of every strategy copied, then
//! every value row in recording order, each as the dated row it is (as `import-values` reads an
//! `export-values --all` file), so corrections, voids and explanations link up as they did in
//! the source. A destination that already holds one of the strategies is refused before
//! anything is written. Every row must land as written: if the destination would skip one as
//! already recorded, the copy fails and writes nothing.

use crate::error::Error;
use crate::store::{Imported, Keep, NewValue, SaveOutcome, Storage, ValueQuery, WriteValues};
use crate::workflow::{Journal, ReviewState};

/// What was copied of one strategy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub strategy: String,
    pub versions: usize,
    /// Value rows, history included.
    pub values: u64,
}

/// The strategies to copy: those named, else every one the source holds.
pub fn chosen(from: &dyn Storage, named: &[String]) -> Result<Vec<String>, Error> {
    let held: Vec<String> = from.strategies()?.into_iter().map(|s| s.code).collect();
    if held.is_empty() {
        return Err(Error::input_with_hint(
            format!("`{}` holds no strategy to copy", from.name()),
            "load one there first with `ics load framework.toml`",
        ));
    }
    if named.is_empty() {
        return Ok(held);
    }
    let mut out = Vec::new();
    for code in named {
        if !held.contains(code) {
            return Err(Error::input_with_hint(
                format!("`{}` holds no strategy `{code}`", from.name()),
                format!("it holds: {}", quoted(&held)),
            ));
        }
        if !out.contains(code) {
            out.push(code.clone());
        }
    }
    Ok(out)
}

/// Refuse a destination that holds any of `codes` already.
pub fn refuse_clash(to: &dyn Storage, codes: &[String]) -> Result<(), Error> {
    let there: Vec<String> = to
        .strategies()?
        .into_iter()
        .map(|s| s.code)
        .filter(|c| codes.contains(c))
        .collect();
    if there.is_empty() {
        return Ok(());
    }
    Err(Error::input_with_hint(
        format!(
            "`{}` already holds the {} {}; nothing was copied",
            to.name(),
            if there.len() == 1 {
                "strategy"
            } else {
                "strategies"
            },
            quoted(&there)
        ),
        "copy into a database without them, or choose the others with --strategy",
    ))
}

/// Copy `codes` from `from` into `to`, all in one transaction of `to`. `progress` is told of
/// each value row written.
pub fn copy(
    from: &mut dyn Storage,
    to: &mut dyn Storage,
    codes: &[String],
    who: &str,
    progress: &mut dyn FnMut(u64),
) -> Result<Vec<Copied>, Error> {
    refuse_clash(&*to, codes)?;
    // Review states stay with the source (as do its users, locks and log): a value still in
    // review would arrive counted, so the source must settle them first.
    let pending: std::collections::HashMap<i64, ReviewState> = from
        .states(None)?
        .into_iter()
        .filter(|(_, s)| matches!(s, ReviewState::Submitted | ReviewState::Returned))
        .collect();
    let mut done = Vec::new();
    let mut rows = 0u64;
    let journal = Journal::new(who, "copy", format!("from {}", from.name()));
    to.write_values(true, |sink| {
        sink.journal(&journal);
        for code in codes {
            from.use_strategy(Some(code))?;
            let versions = from.versions()?;
            for v in &versions {
                let fw = from.framework(v)?;
                match sink.save_version(&fw, &v.label, v.source_file.as_deref(), &v.loaded_at)? {
                    SaveOutcome::Stored { .. } => {}
                    SaveOutcome::Unchanged { label } => {
                        return Err(unfaithful(format!(
                            "version `{}` of `{code}` has the same content as `{label}` before it",
                            v.label
                        )))
                    }
                }
            }
            let ids = sink.indicator_ids(code)?;
            let mut values = 0u64;
            let query = ValueQuery {
                include_replaced: true,
                ..ValueQuery::default()
            };
            from.each_value(&query, &mut |v| {
                if let Some(state) = pending.get(&v.id).filter(|_| v.replaced_by.is_none()) {
                    return Err(Error::input_with_hint(
                        format!(
                            "`{code}` has values still in review (`{}` {} is {}); nothing was copied",
                            v.indicator,
                            v.period,
                            state.as_str()
                        ),
                        "approve or return them first (`ics status`, `ics approve`): a copy takes values, not their review",
                    ));
                }
                let Some(&indicator_id) = ids.get(&v.indicator) else {
                    return Err(unfaithful(format!(
                        "the indicator `{}` has values but no version defines it",
                        v.indicator
                    )));
                };
                let parts = v.numerator.zip(v.denominator);
                let new = NewValue {
                    indicator_id,
                    period: v.period,
                    disaggregation: &v.disaggregation,
                    value: v.value,
                    parts,
                    note: v.note.as_deref(),
                    source: v.source.as_deref(),
                    recorded_by: &v.recorded_by,
                    recorded_at: &v.recorded_at,
                    keep: Keep::AS_GIVEN,
                    kind: v.kind,
                };
                match sink.import(&new, true)? {
                    Imported::Added { .. } | Imported::Corrected { .. } => {}
                    Imported::Unchanged | Imported::AlreadyRecorded => {
                        return Err(unfaithful(format!(
                            "the value of `{}` for {} recorded at {} would not be kept as a row of its own",
                            v.indicator, v.period, v.recorded_at
                        )))
                    }
                }
                values += 1;
                rows += 1;
                progress(rows);
                Ok(())
            })?;
            done.push(Copied {
                strategy: code.clone(),
                versions: versions.len(),
                values,
            });
        }
        Ok(())
    })?;
    Ok(done)
}

/// The error for a copy that could not reproduce the source exactly.
fn unfaithful(what: String) -> Error {
    Error::database_with_hint(
        format!("could not copy faithfully: {what}; nothing was copied"),
        "run `ics check` on the source; if it is clean, please report this",
    )
}

fn quoted(codes: &[String]) -> String {
    codes
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
