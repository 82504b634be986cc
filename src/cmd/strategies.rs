//! `ics strategies`: every strategy the database holds, with its latest version, version
//! count, current value count and last recorded time.

use std::io::Write;

use super::Context;
use crate::cli::{ListFormat, StrategiesArgs};
use crate::error::Error;
use crate::render::strategies;
use crate::Outcome;

pub fn run(cx: &Context, args: &StrategiesArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    // About the whole database: no strategy need be chosen.
    let store = cx.open_database()?;
    let rows = store.strategies()?;
    match args.format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &strategies::json(&rows))
                .map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        ListFormat::Table => write!(out, "{}", strategies::table(&rows, cx.term))?,
    }
    Ok(Outcome::Success)
}
