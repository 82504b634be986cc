//! `ics copy --from SRC --to DST`: strategies, with every version and value and all history,
//! from one database to another (SQLite file or PostgreSQL server, either way).

use std::io::{IsTerminal, Write};
use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};

use super::Context;
use crate::cli::CopyArgs;
use crate::copy;
use crate::error::Error;
use crate::render::plural;
use crate::store::{self, OpenMode};
use crate::workflow::policy::Need;
use crate::Outcome;

pub fn run(cx: &Context, args: &CopyArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    same_database(&args.from, &args.to)?;
    let mut from = store::open(&args.from, OpenMode::Existing)?;
    let named: Vec<String> = cx.strategy().map(str::to_string).into_iter().collect();
    let codes = copy::chosen(&*from, &named)?;
    let existed = args.to.exists();
    let mut to = store::open(&args.to, OpenMode::Create)?;
    let bar = progress_bar();
    let result = (|| {
        // Into a database with users, only an admin copies.
        let actor = cx.actor(&mut *to, None)?;
        actor.require(Need::Admin)?;
        copy::copy(&mut *from, &mut *to, &codes, &actor.name, &mut |n| {
            if n % 4096 == 0 {
                bar.set_position(n)
            }
        })
    })();
    bar.finish_and_clear();
    let copied = match result {
        Ok(copied) => copied,
        Err(e) => {
            // A file the copy created is removed again: the command leaves nothing behind.
            if !existed {
                if let Some(file) = to.file().map(Path::to_path_buf) {
                    drop(to);
                    let _ = store::remove_database(&file);
                }
            }
            return Err(e);
        }
    };
    let (from_name, to_name) = (from.name(), to.name());
    for c in &copied {
        writeln!(
            out,
            "copied `{}` from {from_name} to {to_name}: {}, {} (history included)",
            c.strategy,
            plural(c.versions, "version", "versions"),
            plural(c.values as usize, "value row", "value rows"),
        )?;
    }
    Ok(Outcome::Success)
}

/// Refuse to copy a database onto itself (the same file under two names, or the same URL).
fn same_database(from: &Path, to: &Path) -> Result<(), Error> {
    let same = match (from.canonicalize(), to.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => from == to,
    };
    if same {
        return Err(Error::input_with_hint(
            format!(
                "`{}` is both the source and the destination",
                store::shown(from)
            ),
            "give --to another database",
        ));
    }
    Ok(())
}

/// A progress bar on stderr, on a terminal only: a big copy takes a while.
fn progress_bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("copying {pos} value rows {spinner}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar
}
