//! `ics demo`: build a fresh demo database from the shipped strategy and sample values, then
//! print the tree and the progress table, and write the same review as `demo-report.html` beside
//! the database.
//!
//! The demo uses its own database (`--db`, default `demo.db`) and ignores `ICS_DB`, so it never
//! touches a real database; it replaces only a file that an earlier `ics demo` built. The new
//! database is built beside the old one and renamed over it, so an interrupted demo leaves the
//! previous one intact.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{progress, report, tree, Context};
use crate::cli::{DemoArgs, ProgressArgs, ProgressFormat, ReportArgs, TreeArgs, TreeFormat};
use crate::error::Error;
use crate::framework;
use crate::render::safe;
use crate::store::{OpenMode, Store};
use crate::values::{self, Catalog};
use crate::Outcome;

pub fn run(cx: &Context, args: &DemoArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let db = cx
        .cli
        .db
        .clone()
        .unwrap_or_else(|| PathBuf::from("demo.db"));
    let shown = db.display().to_string();
    if db.exists() && !Store::is_demo_database(&db) {
        return Err(Error::input_with_hint(
            format!(
                "`{shown}` exists and was not made by `ics demo`; the demo will not replace it"
            ),
            "pass --db with another file name, e.g. `ics demo --db demo2.db`",
        ));
    }
    let in_repo = |p: &Path, what: &str| -> Result<(), Error> {
        if p.exists() {
            Ok(())
        } else {
            Err(Error::input_with_hint(
                format!("cannot find the {what} `{}`", p.display()),
                "run the demo from the repository folder, or pass --framework and --values",
            ))
        }
    };
    in_repo(&args.framework, "framework file")?;
    in_repo(&args.values, "values file")?;
    let fw = framework::read_file(&args.framework)?;

    let building = PathBuf::from(format!("{shown}.building"));
    remove_database(&building)?;
    let summary = {
        let mut store = Store::open(&building, OpenMode::Create)?;
        store.mark_demo()?;
        store.save_version(
            &fw,
            &fw.strategy.version,
            Some(&args.framework.display().to_string()),
        )?;
        let catalog = Catalog::load(&store)?;
        values::import_csv(&mut store, &catalog, &args.values, "demo", &mut |_| {})?
    };
    remove_database(&db)?;
    std::fs::rename(&building, &db).map_err(|e| {
        Error::input(format!(
            "could not move the new demo database into `{shown}`: {e}"
        ))
    })?;

    writeln!(
        out,
        "Demo database `{shown}`: {} ({}) with {} values from `{}`.\n",
        safe(&fw.strategy.title),
        safe(&fw.strategy.version),
        summary.added + summary.corrected + summary.unchanged,
        safe(&args.values.display().to_string())
    )?;
    let demo_cx = Context {
        cli: cx.cli,
        term: cx.term,
        db_override: Some(db.clone()),
    };
    tree::run(
        &demo_cx,
        &TreeArgs {
            version: None,
            depth: None,
            indicators: false,
            format: TreeFormat::Text,
        },
        out,
    )?;
    writeln!(out)?;
    // The strategy's last fiscal year is the one a review of the shipped strategy asks about.
    let period = fw.strategy.end.map(|p| p.to_string());
    progress::run(
        &demo_cx,
        &ProgressArgs {
            period: period.clone(),
            node: None,
            status: Vec::new(),
            version: None,
            format: ProgressFormat::Table,
        },
        out,
    )?;
    // The same review as a page, next to the demo database.
    writeln!(out)?;
    report::run(
        &demo_cx,
        &ReportArgs {
            period,
            node: None,
            version: None,
            out: db.with_file_name("demo-report.html"),
        },
        out,
    )?;
    writeln!(
        out,
        "\nNext: `ics --db {shown} progress --period FY2024`, `ics --db {shown} history IND-TRADE-GOODS`, \
         `ics diff framework.toml examples/framework-2022.toml`."
    )?;
    Ok(Outcome::Success)
}

/// Remove a database file and its WAL companions, if present.
fn remove_database(path: &Path) -> Result<(), Error> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let p = PathBuf::from(format!("{}{suffix}", path.display()));
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(Error::input(format!(
                    "could not remove `{}`: {e}",
                    p.display()
                )))
            }
        }
    }
    Ok(())
}
