//! `ics pirs [CODE...] [--version L] [--format markdown|html] [--out FILE]`: Performance
//! Indicator Reference Sheets of a stored version, with each indicator's changes across the
//! stored versions up to it. Markdown goes to stdout unless `--out` names a file; HTML is
//! written only to a file, through the one output policy ([`crate::files::output`]).

use std::io::Write;

use super::Context;
use crate::cli::{PirsArgs, PirsFormat};
use crate::error::Error;
use crate::files::output::{self, OutputFile};
use crate::pirs::{self, StoredVersion};
use crate::render::pirs as render;
use crate::render::plural;
use crate::Outcome;

pub fn run(cx: &Context, args: &PirsArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    if args.format == PirsFormat::Html && args.out.is_none() {
        return Err(Error::input_with_hint(
            "`--format html` writes a file; it needs `--out FILE.html`",
            "for example `ics pirs --format html --out pirs.html`",
        ));
    }
    let store = cx.open_counted(&args.review)?;
    let version = super::version(&*store, &args.version)?;
    let kind = match args.format {
        PirsFormat::Html => output::PIRS_HTML,
        PirsFormat::Markdown => output::PIRS_MARKDOWN,
    };
    // Checked before any work: the database, the framework file and anything else not ours.
    let target = args.out.as_ref().map(|path| {
        OutputFile::new(path, kind)
            .database(&store.files())
            .loaded_from(version.source_file.as_deref(), &version.label)
    });
    if let Some(t) = &target {
        t.check()?;
    }
    // Every version up to the one reported on, oldest first: the change history.
    let mut history = Vec::new();
    for v in store.versions()?.into_iter().filter(|v| v.id <= version.id) {
        history.push(StoredVersion {
            framework: store.framework(&v)?,
            label: v.label,
            loaded_at: v.loaded_at,
        });
    }
    let sheets = pirs::sheets(&history, &args.codes)?;
    match (&target, args.format) {
        (None, _) => write!(out, "{}", render::markdown(&sheets))?,
        (Some(t), format) => {
            let body = match format {
                PirsFormat::Html => render::html(&sheets),
                PirsFormat::Markdown => render::markdown_file(&sheets),
            };
            t.write(body.as_bytes())?;
            writeln!(
                out,
                "wrote `{}`: {} from version `{}`",
                args.out
                    .as_deref()
                    .unwrap_or(std::path::Path::new(""))
                    .display(),
                plural(sheets.sheets.len(), "reference sheet", "reference sheets"),
                sheets.version
            )?;
        }
    }
    Ok(Outcome::Success)
}
