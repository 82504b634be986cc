//! `ics export iati [--version L] --out FILE.xml`: the IATI 2.03 export of a stored version and
//! its current values. The document is built and checked in full first, then written to a
//! temporary file beside `FILE.xml` and renamed over it, so a failed export leaves no file, or
//! the previous one untouched.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::Context;
use crate::cli::{ExportArgs, ExportIatiArgs, ExportTarget};
use crate::clock::now_utc;
use crate::error::Error;
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
    let dir = target_dir(&args.out)?;
    let store = cx.open_existing()?;
    let version = super::version(&store, &args.version)?;
    let fw = store.framework(&version)?;
    let values = store.current_values()?;
    let (xml, summary) = iati::export(&fw, &version.label, &values, &now_utc())?;
    write_replacing(&args.out, &dir, xml.as_bytes())?;
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

/// The folder `path` goes in, checked before any work is done.
fn target_dir(path: &Path) -> Result<PathBuf, Error> {
    let shown = path.display().to_string();
    if path.is_dir() {
        return Err(Error::input_with_hint(
            format!("`{shown}` is a folder; --out needs a file name"),
            format!("for example `--out {}`", path.join("iati.xml").display()),
        ));
    }
    if path.file_name().is_none() {
        return Err(Error::input(format!(
            "`{shown}` is not a file name; give --out a name such as `iati.xml`"
        )));
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(Error::input_with_hint(
            format!(
                "cannot write `{shown}`: the folder `{}` does not exist",
                dir.display()
            ),
            "create the folder first, or choose another --out",
        ));
    }
    Ok(dir)
}

/// Write `bytes` to a temporary file in `dir`, then rename it to `path`.
fn write_replacing(path: &Path, dir: &Path, bytes: &[u8]) -> Result<(), Error> {
    let shown = path.display().to_string();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        match e.kind() {
            std::io::ErrorKind::PermissionDenied => Error::input_with_hint(
                format!("permission denied writing `{shown}`; nothing was written"),
                "choose a folder you can write to with --out",
            ),
            _ => Error::input(format!(
                "could not write `{shown}`: {e}; nothing was written"
            )),
        }
    })
}
