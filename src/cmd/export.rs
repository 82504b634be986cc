//! `ics export iati [--version L] --out FILE.xml`: the IATI 2.03 export of a stored version and
//! its current values. The document is built and checked in full first, then written through
//! the one output policy ([`crate::files::output`]): atomically, replacing only an earlier IATI
//! file (or an empty one), never the database or the framework file, so a failed export leaves
//! no file, or the previous one untouched.

use std::io::Write;

use super::Context;
use crate::cli::{ExportArgs, ExportIatiArgs, ExportTarget};
use crate::clock::now_utc;
use crate::error::Error;
use crate::files::output::{self, OutputFile};
use crate::iati;
use crate::render::plural;
use crate::Outcome;

pub fn run(cx: &Context, args: &ExportArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    match &args.target {
        ExportTarget::Iati(a) => run_iati(cx, a, out),
    }
}

fn run_iati(cx: &Context, args: &ExportIatiArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let shown = args.out.display().to_string();
    let store = cx.open_counted(&args.review)?;
    let version = super::version(&*store, &args.version)?;
    // Checked before any work: the database, the framework file and anything else not ours.
    let target = OutputFile::new(&args.out, output::IATI_XML)
        .database(&store.files())
        .loaded_from(version.source_file.as_deref(), &version.label);
    target.check()?;
    let fw = store.framework(&version)?;
    let values = store.current_values()?;
    let (xml, summary) = iati::export(&fw, &version.label, &values, &now_utc())?;
    if let Some(n) =
        super::submitted_note(&*store, &args.review, crate::period::PeriodRange::all())?
    {
        eprintln!(
            "warning: this export {n}; IATI publishers usually publish approved figures only"
        );
    }
    target.write(xml.as_bytes())?;
    writeln!(
        out,
        "wrote `{shown}`: IATI {} activity `{}` from version `{}`, with {}, {}, {} and {}",
        iati::IATI_VERSION,
        summary.identifier,
        version.label,
        plural(summary.results, "result", "results"),
        plural(summary.indicators, "indicator", "indicators"),
        plural(summary.periods, "period", "periods"),
        plural(summary.actuals, "recorded value", "recorded values"),
    )?;
    Ok(Outcome::Success)
}
