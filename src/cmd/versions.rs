//! `ics versions`: every stored version with its label, load time, hash and counts.

use std::io::Write;

use super::Context;
use crate::cli::{ListFormat, VersionsArgs};
use crate::error::Error;
use crate::render::versions::{self, VersionRow};
use crate::Outcome;

pub fn run(cx: &Context, args: &VersionsArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let store = cx.open_existing()?;
    let mut rows = Vec::new();
    for version in store.versions()? {
        let kinds = store.node_counts(&version)?;
        rows.push(VersionRow { version, kinds });
    }
    match args.format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &versions::json(&rows))
                .map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        ListFormat::Table => write!(out, "{}", versions::table(&rows, cx.term))?,
    }
    Ok(Outcome::Success)
}
