//! `ics tree`: the hierarchy of a stored version.

use std::io::{BufWriter, Write};

use super::Context;
use crate::cli::{TreeArgs, TreeFormat};
use crate::error::Error;
use crate::render::tree::{self, TreeOptions};
use crate::store::Targets;
use crate::Outcome;

pub fn run(cx: &Context, args: &TreeArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    // Standard output is line-buffered: without this, each of a big strategy's 24,000 lines
    // would be its own write(2).
    let mut out = BufWriter::with_capacity(64 * 1024, out);
    let store = cx.open_existing()?;
    let version = super::version(&*store, &args.version)?;
    // The text tree shows no targets and no prose (but the alignments); JSON lists them all.
    let fw = match args.format {
        TreeFormat::Json => store.framework_with(&version, Targets::All)?,
        TreeFormat::Text => store.framework_outline(&version, Targets::None)?,
    };
    let depth = args.depth.map(|d| d as usize);
    match args.format {
        TreeFormat::Json => {
            let value = tree::json(&fw, &version.label, depth);
            serde_json::to_writer_pretty(&mut out, &value).map_err(std::io::Error::from)?;
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
    out.flush()?;
    // The process ends when this command returns: a big strategy is left to the exit rather
    // than freed node by node (see `cmd::progress`).
    std::mem::forget(fw);
    Ok(Outcome::Success)
}
