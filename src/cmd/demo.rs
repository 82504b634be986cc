//! `ics demo`: build a fresh demo database from the shipped strategy and sample values, then
//! print the tree and the progress table, and write the same review as `demo-report.html` beside
//! the database.
//!
//! The strategy and values are built into the binary ([`crate::shipped`]), so the demo runs from
//! any folder; `--framework` and `--values` override them. The demo uses its own database
//! (`--db`, default `demo.db`) and ignores `ICS_DB`, so it never touches a real database; it
//! replaces only a file that an earlier `ics demo` built, and not one that has gained values or
//! versions since (unless `--replace`). The new database is built beside the old one and renamed
//! over it, so an interrupted demo leaves the previous one intact.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{progress, report, tree, Context};
use crate::cli::{
    DemoArgs, ProgressArgs, ProgressFormat, ReportArgs, ReviewSel, TreeArgs, TreeFormat, VersionSel,
};
use crate::error::Error;
use crate::files::output::{self, OutputFile};
use crate::framework::{self, Framework};
use crate::render::{plural, safe};
use crate::shipped;
use crate::store::{self, OpenMode};
use crate::values::{self, Catalog};
use crate::Outcome;

pub fn run(cx: &Context, args: &DemoArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let db = cx
        .cli
        .db
        .clone()
        .unwrap_or_else(|| PathBuf::from("demo.db"));
    if store::is_server(&db) {
        return Err(Error::input_with_hint(
            format!(
                "`ics demo` builds a database file, and `{}` is a server database",
                store::shown(&db)
            ),
            "run `ics demo` without --db (it uses ./demo.db), or give --db a file name; `ics copy --from demo.db --to URL` then puts the demo on the server",
        ));
    }
    let shown = db.display().to_string();
    if db.exists() {
        refuse_to_replace(&db, &shown, args.replace)?;
    }
    let (fw, framework_name) = match &args.framework {
        Some(path) => (framework::read_file(path)?, path.display().to_string()),
        None => (
            framework::parse::parse_str(shipped::FRAMEWORK, shipped::FRAMEWORK_NAME)?,
            shipped::FRAMEWORK_NAME.to_string(),
        ),
    };
    let values_name = match &args.values {
        Some(path) => format!("`{}`", path.display()),
        None => format!("the built-in `{}`", shipped::VALUES_NAME),
    };

    // The review page goes beside the database; a file there that is not an earlier page is
    // refused now, before anything is built.
    let report_path = db.with_file_name("demo-report.html");
    OutputFile::new(&report_path, output::HTML_REPORT)
        .database(&store::database_files(&db))
        .check()?;

    let building = PathBuf::from(format!("{shown}.building"));
    store::remove_database(&building)?;
    let built = build(&building, &fw, &framework_name, args.values.as_deref());
    let summary = match built {
        Ok(summary) => summary,
        Err(e) => {
            // Nothing half-built is left behind.
            let _ = store::remove_database(&building);
            return Err(e);
        }
    };
    store::replace_demo_database(&building, &db)?;

    writeln!(
        out,
        "Demo database `{shown}`: {} ({}) with {} values from {}.\n",
        safe(&fw.strategy.title),
        safe(&fw.strategy.version),
        summary.added + summary.corrected + summary.unchanged,
        safe(&values_name)
    )?;
    let demo_cx = Context {
        cli: cx.cli,
        term: cx.term,
        db_override: Some(db.clone()),
        strategy_override: Some(fw.strategy.code.clone()),
    };
    tree::run(
        &demo_cx,
        &TreeArgs {
            version: VersionSel::default(),
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
            needs_explanation: false,
            version: VersionSel::default(),
            format: ProgressFormat::Table,
            out: None,
            review: ReviewSel::default(),
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
            version: VersionSel::default(),
            out: db.with_file_name("demo-report.html"),
            review: ReviewSel::default(),
        },
        out,
    )?;
    writeln!(
        out,
        "\nNext: `ics --db {shown} progress --period FY2021` (the one year the sources put off target), `ics --db {shown} history IND-TRADE-GOODS`, \
         `ics --db {shown} lint`."
    )?;
    Ok(Outcome::Success)
}

/// Build the demo database at `building`: the strategy, then the values (a file, or the
/// built-in sample values), then the demo marker.
fn build(
    building: &Path,
    fw: &Framework,
    framework_name: &str,
    values_file: Option<&Path>,
) -> Result<values::ImportSummary, Error> {
    let mut store = store::open(building, OpenMode::Create)?;
    store.save_version(
        fw,
        &fw.strategy.version,
        Some(framework_name),
        &crate::clock::now_utc(),
    )?;
    let catalog = Catalog::load(&*store)?;
    let summary = match values_file {
        Some(path) => values::import_csv(&mut *store, &catalog, path, "demo", None, &mut |_| {})?,
        None => values::import_reader(
            &mut *store,
            &catalog,
            shipped::VALUES.as_bytes(),
            shipped::VALUES_NAME,
            "demo",
            None,
            &mut |_| {},
        )?,
    };
    store.mark_demo()?;
    Ok(summary)
}

/// Refuse to replace `db` unless an earlier demo built it and nothing was added since (or the
/// user said `--replace`).
fn refuse_to_replace(db: &Path, shown: &str, replace: bool) -> Result<(), Error> {
    if !store::is_demo_database(db) {
        return Err(Error::input_with_hint(
            format!(
                "`{shown}` exists and was not made by `ics demo`; the demo will not replace it"
            ),
            "pass --db with another file name, e.g. `ics demo --db demo2.db`",
        ));
    }
    let added = store::demo_additions(db)?;
    if added.is_empty() || replace {
        return Ok(());
    }
    let mut what = Vec::new();
    if added.values > 0 {
        let mut v = plural(added.values as usize, "value", "values");
        if let Some((by, which)) = &added.newest {
            v.push_str(&format!(" (the newest: {which}, by {by})"));
        }
        what.push(v);
    }
    if added.versions > 0 {
        what.push(plural(
            added.versions as usize,
            "strategy version",
            "strategy versions",
        ));
    }
    Err(Error::input_with_hint(
        format!(
            "`{shown}` holds {} recorded after the demo built it; the demo will not throw them away",
            what.join(" and ")
        ),
        format!("keep them with `ics demo --db another.db`, or rebuild `{shown}` anyway with `ics demo --replace`"),
    ))
}
