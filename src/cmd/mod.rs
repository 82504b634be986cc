//! One module per command: each turns its arguments into calls on the domain modules and the
//! store, and writes the result. No SQL and no report logic lives here.

mod approve;
mod check;
mod copy;
mod demo;
mod dest;
mod diff;
mod docs;
pub(crate) mod explain;
mod export;
mod export_values;
mod give_back;
pub(crate) mod history;
pub(crate) mod import_values;
mod lint;
mod load;
mod lock;
mod locks;
mod log;
mod password;
mod pirs;
pub(crate) mod progress;
pub(crate) mod record;
mod report;
mod serve;
pub(crate) mod status;
mod strategies;
pub(crate) mod template;
mod track;
mod tree;
mod unlock;
mod user;
mod versions;
pub(crate) mod void;

use std::io::Write;
use std::path::PathBuf;

use crate::cli::{Cli, Command, ReviewSel, VersionSel};
use crate::clock;
use crate::error::Error;
use crate::framework::Framework;
use crate::period::{self, FiscalPeriod, PeriodRange};
use crate::render::safe::SafeWriter;
use crate::render::Term;
use crate::store::{self, OpenMode, Storage, VersionInfo};
use crate::workflow::policy::{self, Actor, Need, Policy};
use crate::workflow::Counted;
use crate::Outcome;

/// What every command may need besides its own arguments.
pub struct Context<'a> {
    pub cli: &'a Cli,
    pub term: Term,
    /// A database chosen by the command itself (`demo`), overriding `--db` and `ICS_DB`.
    pub db_override: Option<PathBuf>,
    /// A strategy chosen by the command itself (`demo`, the one it built), overriding
    /// `--strategy` and `ICS_STRATEGY`.
    pub strategy_override: Option<String>,
}

impl Context<'_> {
    /// The database path: the command's own choice, else `--db`, else `$ICS_DB`, else
    /// `./ics.db`.
    pub fn db_path(&self) -> PathBuf {
        self.db_override
            .clone()
            .or_else(|| self.cli.db.clone())
            .or_else(|| {
                std::env::var_os("ICS_DB")
                    .filter(|v| !v.is_empty())
                    .map(PathBuf::from)
            })
            .unwrap_or_else(|| PathBuf::from("ics.db"))
    }

    /// Open the database, which must already exist, scoped to the strategy `--strategy` (or
    /// `ICS_STRATEGY`) names, else to the only one it holds.
    pub fn open_existing(&self) -> Result<Box<dyn Storage>, Error> {
        let mut store = self.open_database()?;
        store.use_strategy(self.strategy())?;
        Ok(store)
    }

    /// The strategy `--strategy` or `ICS_STRATEGY` names; empty is the same as not set (as for
    /// `ICS_DB`).
    pub fn strategy(&self) -> Option<&str> {
        self.strategy_override
            .as_deref()
            .or(self.cli.strategy.as_deref())
            .filter(|s| !s.is_empty())
    }

    /// Open the database, which must already exist, for a command about the whole of it
    /// (`check`, `strategies`): no strategy need be chosen.
    pub fn open_database(&self) -> Result<Box<dyn Storage>, Error> {
        store::open(&self.db_path(), OpenMode::Existing)
    }

    /// Who is acting on `store` (`--as`, else `ICS_USER`, else `by` in single-user mode, else
    /// the login), checked against its users; the log then names them. `by` is `--by` of the
    /// value commands: once the database has users, it may only name the actor.
    pub fn actor(&self, store: &mut dyn Storage, by: Option<&str>) -> Result<Actor, Error> {
        if by.is_some_and(|b| b.trim().is_empty()) {
            return Err(Error::input("`--by` needs a name"));
        }
        let users = store.users()?;
        let session = store.session_role()?;
        let as_user = self.cli.as_user.as_deref().filter(|a| !a.trim().is_empty());
        // In single-user mode `--by` names who records, as it always did.
        let asked = if users.is_empty() {
            by.or(as_user)
        } else {
            as_user
        };
        let actor = policy::resolve_actor(
            &users,
            asked,
            &crate::values::login_name(),
            session.as_deref(),
        )?;
        if let Some(by) = by
            .map(str::trim)
            .filter(|b| !actor.single_user() && *b != actor.name)
        {
            return Err(Error::input_with_hint(
                format!(
                    "`--by {by}` names someone else; once the database has users, a value is recorded by whoever records it (`{}`)",
                    actor.name
                ),
                "leave --by out, or act as that user with --as NAME",
            ));
        }
        store.set_author(&actor.name);
        Ok(actor)
    }

    /// What the actor may write in the strategy in use, for an action that needs `need`
    /// (refused here if the role does not allow it).
    pub fn policy(
        &self,
        store: &mut dyn Storage,
        need: Need,
        by: Option<&str>,
    ) -> Result<Policy, Error> {
        let actor = self.actor(store, by)?;
        policy_for(store, actor, need)
    }
}

/// What `actor` may write in the strategy `store` is scoped to, for an action that needs
/// `need` (refused here if the role does not allow it): the CLI's and the server's.
pub fn policy_for(store: &mut dyn Storage, actor: Actor, need: Need) -> Result<Policy, Error> {
    actor.require(need)?;
    let version = store.resolve_version(None)?;
    let scoped = Policy::scoped(&actor);
    let policy = Policy::new(
        actor,
        need,
        &version.strategy,
        &store.settings(&version)?,
        clock::today(),
    )?;
    if !scoped {
        return Ok(policy);
    }
    // Only a scoped actor needs the tree, to find the indicators under its nodes.
    let fw = store.framework_lean(&version, crate::store::Targets::None)?;
    Ok(policy.with_scope(&fw, &store.indicator_ids()?))
}

impl Context<'_> {
    /// [`Context::open_existing`] for a report: its value reads count approved values (and
    /// those recorded without review), and with `--include-submitted` also submitted ones.
    pub fn open_counted(&self, sel: &ReviewSel) -> Result<Box<dyn Storage>, Error> {
        let mut store = self.open_existing()?;
        store.set_counted(if sel.include_submitted {
            Counted::WithSubmitted
        } else {
            Counted::Approved
        });
        Ok(store)
    }
}

/// With `--include-submitted`, what a report of `range` says about the submitted values it
/// counts (made safe for a terminal); `None` without the flag or when it counts none.
pub fn submitted_note(
    store: &dyn Storage,
    sel: &ReviewSel,
    range: PeriodRange,
) -> Result<Option<String>, Error> {
    if !sel.include_submitted {
        return Ok(None);
    }
    let values = crate::workflow::submitted_values(store, range)?;
    Ok(crate::workflow::submitted_caution(&values).map(|c| crate::render::safe(&c).into_owned()))
}

/// The stored version `--version` names (a label, `@latest`, `@previous`; default the newest).
pub fn version(store: &dyn Storage, sel: &VersionSel) -> Result<VersionInfo, Error> {
    store.resolve_version(sel.label.as_deref())
}

/// A `--period` argument: a fiscal year, a quarter, or a date, which means the quarter it falls
/// in for a quarterly indicator (`quarterly`) and otherwise the fiscal year.
pub fn period_arg(given: Option<&str>, quarterly: bool) -> Result<Option<FiscalPeriod>, Error> {
    given
        .map(|p| Ok(period::parse(p).map_err(Error::input)?.resolve(quarterly)))
        .transpose()
}

/// The period a review reports on: the one given, else the latest fiscal year with a target or
/// an actual, else the fiscal year of today ([`clock::today`]).
pub fn review_period(
    given: Option<FiscalPeriod>,
    store: &dyn Storage,
    version: &VersionInfo,
    fw: &Framework,
) -> Result<FiscalPeriod, Error> {
    Ok(match given {
        Some(p) => p,
        None => {
            // Any year first: a stored period that is not one is damage, reported here.
            let any = store.latest_value_year(version, None)?;
            let inside = match (fw.strategy.start, fw.strategy.end) {
                (None, None) => any,
                (start, end) => store.latest_value_year(
                    version,
                    Some(PeriodRange::fiscal_years(
                        start.map_or(crate::period::MIN_YEAR, |s| s.year),
                        end.map_or(crate::period::MAX_YEAR, |e| e.year),
                    )),
                )?,
            };
            crate::progress::default_period(fw, inside, any, clock::today())
        }
    })
}

pub fn dispatch(cli: &Cli, out: &mut dyn Write) -> Result<Outcome, Error> {
    let cx = Context {
        cli,
        term: Term::detect(match cli.color {
            crate::cli::ColorChoice::Auto => crate::render::ColorChoice::Auto,
            crate::cli::ColorChoice::Always => crate::render::ColorChoice::Always,
            crate::cli::ColorChoice::Never => crate::render::ColorChoice::Never,
        }),
        db_override: None,
        strategy_override: None,
    };
    match &cli.command {
        // Commands whose output is plain text write through `SafeWriter`: the text they
        // quote from files and the database cannot reach the terminal raw.
        Command::Load(args) => load::run(&cx, args, &mut SafeWriter::new(out)),
        Command::Tree(args) => tree::run(&cx, args, out),
        Command::Versions(args) => versions::run(&cx, args, out),
        Command::Strategies(args) => strategies::run(&cx, args, out),
        Command::Copy(args) => copy::run(&cx, args, &mut SafeWriter::new(out)),
        Command::Record(args) => record::run(&cx, args, &mut SafeWriter::new(out)),
        Command::Void(args) => void::run(&cx, args, &mut SafeWriter::new(out)),
        Command::Explain(args) => explain::run(&cx, args, &mut SafeWriter::new(out)),
        Command::ImportValues(args) => import_values::run(&cx, args, &mut SafeWriter::new(out)),
        Command::History(args) => history::run(&cx, args, out),
        Command::ExportValues(args) => export_values::run(&cx, args, out),
        Command::Progress(args) => progress::run(&cx, args, out),
        Command::Track(args) => track::run(&cx, args, out),
        Command::Report(args) => report::run(&cx, args, &mut SafeWriter::new(out)),
        Command::Template(args) => template::run(&cx, args, &mut SafeWriter::new(out)),
        Command::Diff(args) => diff::run(&cx, args, out),
        Command::Export(args) => export::run(&cx, args, &mut SafeWriter::new(out)),
        Command::Lint(args) => lint::run(&cx, args, out),
        Command::Pirs(args) => pirs::run(&cx, args, &mut SafeWriter::new(out)),
        Command::Demo(args) => demo::run(&cx, args, out),
        Command::Check => check::run(&cx, &mut SafeWriter::new(out)),
        Command::User(c) => user::run(&cx, c, &mut SafeWriter::new(out)),
        Command::Approve(args) => approve::run(&cx, args, &mut SafeWriter::new(out)),
        Command::Return(args) => give_back::run(&cx, args, &mut SafeWriter::new(out)),
        Command::Lock(args) => lock::run(&cx, args, &mut SafeWriter::new(out)),
        Command::Unlock(args) => unlock::run(&cx, args, &mut SafeWriter::new(out)),
        Command::Locks(args) => locks::run(&cx, args, out),
        Command::Log(args) => log::run(&cx, args, out),
        Command::Status(args) => status::run(&cx, args, out),
        Command::Serve(args) => serve::run(&cx, args),
        Command::Completions(args) => docs::completions(args.shell, out),
        Command::Man => docs::man(out),
    }
}
