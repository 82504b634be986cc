//! `ics tree`: the hierarchy of a stored version.

use std::io::Write;

use super::Context;
use crate::cli::{TreeArgs, TreeFormat};
use crate::error::Error;
use crate::render::tree::{self, TreeOptions};
use crate::store::Targets;
use crate::Outcome;

pub fn run(cx: &Context, args: &TreeArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let store = cx.open_existing()?;
    let version = super::version(&store, &args.version)?;
    // The text tree shows no targets; JSON lists them.
    let targets = match args.format {
        TreeFormat::Json => Targets::All,
        TreeFormat::Text => Targets::None,
    };
    let fw = store.framework_with(&version, targets)?;
    let depth = args.depth.map(|d| d as usize);
    match args.format {
        TreeFormat::Json => {
            let value = tree::json(&fw, &version.label, depth);
            serde_json::to_writer_pretty(&mut *out, &value).map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        TreeFormat::Text => {
            let opts = TreeOptions {
                depth,
                indicators: args.indicators,
            };
            for line in tree::text(&fw, &version.label, opts, cx.term) {
                writeln!(out, "{line}")?;
            }
        }
    }
    Ok(Outcome::Success)
}
