//! `ics load FILE [--label L]`: validate a framework file and store it as a new version.

use std::io::Write;

use super::Context;
use crate::cli::LoadArgs;
use crate::error::Error;
use crate::framework;
use crate::store::WriteValues;
use crate::store::{self, OpenMode, SaveOutcome};
use crate::workflow::policy::{self, Need};
use crate::workflow::Journal;
use crate::Outcome;

pub fn run(cx: &Context, args: &LoadArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    // Validate the whole file before the database is even opened.
    let fw = framework::read_file(&args.file).map_err(|e| match e {
        Error::Located {
            diagnostics,
            summary,
        } => Error::Located {
            diagnostics,
            summary: format!("{summary}; nothing was loaded"),
        },
        other => other,
    })?;
    let label = args
        .label
        .clone()
        .unwrap_or_else(|| fw.strategy.version.clone());
    framework::check_label(&label).map_err(|problem| match args.label {
        Some(_) => Error::input_with_hint(problem, "choose another --label"),
        None => Error::input_with_hint(
            format!("{problem} (from `strategy.version`)"),
            "change `strategy.version` in the file, or pass --label with another label",
        ),
    })?;
    if let Some(chosen) = cx.strategy() {
        if chosen != fw.strategy.code {
            return Err(Error::input_with_hint(
                format!(
                    "`{}` is the strategy `{}`, not `{chosen}` as --strategy (or ICS_STRATEGY) says; nothing was loaded",
                    args.file.display(),
                    fw.strategy.code
                ),
                "a framework is stored under its own `strategy.code`: drop --strategy, or load the file of that strategy",
            ));
        }
    }
    let mut store = store::open(&cx.db_path(), OpenMode::Create)?;
    let actor = cx.actor(&mut *store, None)?;
    actor.require(Need::Admin)?;
    let shown = args.file.display().to_string();
    // The version it replaces, whose targets a lock may hold.
    let code = fw.strategy.code.clone();
    let before = if store.strategies()?.iter().any(|s| s.code == code) {
        store.use_strategy(Some(&code))?;
        let version = store.resolve_version(None)?;
        Some(store.framework_with(&version, crate::store::Targets::All)?)
    } else {
        None
    };
    let journal = Journal::new(&actor.name, "load", format!("version {label}"));
    let saved = store.write_values(false, |w| {
        w.journal(&journal);
        if let Some(old) = &before {
            let locks = w.locks(&code)?;
            let changes = policy::locked_target_changes(
                old,
                &fw,
                &locks,
                old.settings.lock_after_days,
                crate::clock::today(),
            );
            if let Some((indicator, period, lock)) = changes.first() {
                let e = policy::locked_error(*period, lock);
                let more = match changes.len() {
                    1 => String::new(),
                    n => format!(" (and {} more locked targets)", n - 1),
                };
                return Err(Error::input_with_hint(
                    format!(
                        "`{shown}` changes the target of `{indicator}` for {period}{more}, but {e}"
                    )
                    .replace("; nothing was changed", "; nothing was loaded"),
                    e.hint().unwrap_or_default().to_string(),
                ));
            }
        }
        w.save_version(&fw, &label, Some(&shown), &journal.at)
    })?;
    match saved {
        SaveOutcome::Unchanged { label } => {
            writeln!(
                out,
                "unchanged: `{shown}` has the same content as the stored version `{label}`; no new version recorded"
            )?;
        }
        SaveOutcome::Stored { label } => {
            writeln!(
                out,
                "loaded `{shown}` as version `{label}` of {} ({}) into {}",
                fw.strategy.title,
                fw.strategy.code,
                store.name()
            )?;
            for (kind, n) in fw.counts() {
                let name = if n == 1 { kind.label() } else { kind.plural() };
                writeln!(out, "  {n:>4} {name}")?;
            }
            let n = fw.indicator_count();
            let name = if n == 1 { "indicator" } else { "indicators" };
            writeln!(out, "  {n:>4} {name}")?;
        }
    }
    Ok(Outcome::Success)
}
