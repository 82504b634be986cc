//! The command line, as clap derive types. Every argument has a doc comment (it is the help
//! text) and every command's help ends with an example.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "ics",
    version,
    about = "Track U.S. Integrated Country Strategies: goals, objectives, indicators and progress, in an SQLite file or a PostgreSQL database",
    after_help = "Examples:\n  ics load framework.toml          store the strategy in ./ics.db\n  ics tree                         show goals, objectives and DOs\n  ics demo                         build a demo database from the shipped Peru strategy",
    max_term_width = 100
)]
pub struct Cli {
    /// Database: a file, or a postgres:// URL [default: $ICS_DB, else ./ics.db; `demo` uses ./demo.db]
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Which strategy, when the database holds several (its `strategy.code`) [default: the only one stored]
    #[arg(long, global = true, env = "ICS_STRATEGY", value_name = "CODE")]
    pub strategy: Option<String>,

    /// Who you are, once the database has users [default: $ICS_USER, else your login name]
    #[arg(long = "as", global = true, env = "ICS_USER", value_name = "NAME")]
    pub as_user: Option<String>,

    /// When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

/// `--version LABEL`: which stored version of the strategy a command reads.
#[derive(Debug, Clone, Default, Args)]
pub struct VersionSel {
    /// Which stored version of the strategy: a label, @latest or @previous [default: @latest]
    #[arg(long = "version", value_name = "LABEL")]
    pub label: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate a framework file and store it as a new version of the strategy
    #[command(after_help = "Example:\n  ics load framework.toml --label 2020-02-07")]
    Load(LoadArgs),
    /// Show the strategy as a tree: goals, objectives, management objectives, DOs, themes
    #[command(after_help = "Example:\n  ics tree --depth 2\n  ics tree --format json")]
    Tree(TreeArgs),
    /// List the stored versions of the strategy
    #[command(after_help = "Example:\n  ics versions")]
    Versions(VersionsArgs),
    /// List the strategies the database holds, with each one's latest version and values
    #[command(
        after_help = "A database holds any number of strategies, each loaded from its own framework file; when it holds several, other commands need --strategy CODE (or ICS_STRATEGY).\n\nExamples:\n  ics strategies\n  ics strategies --format json\n  ics --strategy peru-ics progress"
    )]
    Strategies(StrategiesArgs),
    /// Copy strategies, with every version, value and history, between databases (file or server)
    #[command(
        after_help = "Every strategy of the source is copied, or only the one --strategy names; a destination that already holds one of them is refused, and the copy is all or nothing.\n\nExamples:\n  ics copy --from ics.db --to postgres://ics@db.example/ics\n  ics copy --from postgres://ics@db.example/ics --to offline.db --strategy peru-ics"
    )]
    Copy(CopyArgs),
    /// Record one indicator value (a second value for the same period is a correction)
    #[command(
        after_help = "Examples:\n  ics record IND-TRADE-GOODS FY2021 17.2 --note \"Calendar 2021\" --source \"State fact sheet\"\n  ics record IND-VISA-APPS 2022-03-15 51000 --by \"Consular section\"   (a date means its fiscal year)",
        allow_negative_numbers = true
    )]
    Record(RecordArgs),
    /// Import many values from a CSV file or an Excel workbook, all or nothing
    #[command(
        name = "import-values",
        after_help = "Columns: indicator,period,value and optionally disaggregation,note,source,recorded_by,recorded_at,current,replaced_by,kind,numerator,denominator,voided (a ratio indicator's rows give numerator and denominator; their value may be left empty)\n\nA workbook (.xlsx) is read from its first sheet, or --sheet NAME; rows whose value cells are empty are skipped. Also accepted and ignored: title, unit, target, last_actual (the information columns of `ics template`).\n\nExamples:\n  ics import-values examples/peru-values.csv\n  ics import-values fy2021-q2.xlsx --sheet Values"
    )]
    ImportValues(ImportValuesArgs),
    /// End the current value of an indicator, period and disaggregation (kept in the history)
    #[command(
        after_help = "The key then has no current value until a value is recorded again.\n\nExample:\n  ics void IND-TRADE-GOODS FY2021 --reason \"Entered for the wrong year\""
    )]
    Void(VoidArgs),
    /// Explain the current value's deviation from its target, without retyping the value
    #[command(
        after_help = "The explanation becomes the current value's note (the history keeps it as an explanation) and clears \"needs explanation\".\n\nExample:\n  ics explain IND-TRADE-GOODS FY2021 \"Port closures cut exports in the second half\""
    )]
    Explain(ExplainArgs),
    /// Every value ever recorded for an indicator, newest first, with corrections
    #[command(after_help = "Example:\n  ics history IND-TRADE-GOODS --period FY2021")]
    History(HistoryArgs),
    /// Export recorded values as CSV (accepted back by import-values) or JSON
    #[command(
        name = "export-values",
        after_help = "Examples:\n  ics export-values > values.csv\n  ics export-values --all --indicator IND-POVERTY --format json\n  ics export-values --format xlsx --out values.xlsx   (for Excel; import-values reads it back)"
    )]
    ExportValues(ExportValuesArgs),
    /// Progress against targets for one fiscal period: the table for strategy reviews
    #[command(
        after_help = "Examples:\n  ics progress --period FY2022\n  ics progress --node MG3 --status short --status exceeded\n  ics progress --format csv > progress.csv\n  ics progress --period FY2021 --format xlsx --out progress-fy2021.xlsx"
    )]
    Progress(ProgressArgs),
    /// The Indicator Tracking Table: every indicator's baseline, then target, actual and % achieved per fiscal year
    #[command(
        after_help = "The range defaults to the strategy's start..end. Quarterly indicators (or all, with --quarters) add each quarter's target and actual; disaggregation rows and explanations follow each indicator.\n\nExamples:\n  ics track\n  ics track --from FY2020 --to FY2022 --node MG3\n  ics track --format csv --out itt.csv"
    )]
    Track(TrackArgs),
    /// Write the strategy review as one HTML page with charts, to open from an email or print
    #[command(
        after_help = "The page is self-contained (no script, no network, no external font) and prints on A4 and Letter.\n\nExamples:\n  ics report --out review.html\n  ics report --period FY2022 --node MG3 --out mg3-fy2022.html"
    )]
    Report(ReportArgs),
    /// Write the data-entry workbook (.xlsx) a section fills in for one period
    #[command(
        after_help = "One row per indicator that reports in the period (a quarter: the quarterly indicators; a fiscal year: all), and one per declared disaggregation category. Fill in the yellow cells and import the workbook as it is with `ics import-values`.\n\nExample:\n  ics template --period FY2024 --node MG3 --out mg3-fy2024.xlsx"
    )]
    Template(TemplateArgs),
    /// What changed between two versions of the strategy (stored labels, @latest, @previous or files)
    #[command(
        after_help = "Exit status: 0 when the two are the same, 1 when they differ, 2 on error.\n\nExamples:\n  ics diff framework.toml examples/framework-2022.toml\n  ics diff @previous @latest --format markdown"
    )]
    Diff(DiffArgs),
    /// Export the strategy to a data standard (one way: ics does not read the files back)
    #[command(after_help = "Example:\n  ics export iati --out peru-ics-iati.xml")]
    Export(ExportArgs),
    /// Check the strategy against the rules a results-framework review applies
    #[command(
        after_help = "Exit status: 0 with no findings, 1 with findings, 2 on error.\n\nSwitch a rule off in framework.toml, then load it again:\n  [settings.lint]\n  year-without-target = false\n\nExamples:\n  ics lint\n  ics lint --format json --version 2020-02-07"
    )]
    Lint(LintArgs),
    /// Print Performance Indicator Reference Sheets (USAID ADS 201), one per indicator
    #[command(
        after_help = "A field the framework file does not give prints as \"not stated\". The changes come from the stored versions.\n\nExamples:\n  ics pirs IND-TRADE-GOODS\n  ics pirs --format html --out pirs.html\n  ics pirs --version 2020-02-07 --out pirs.md"
    )]
    Pirs(PirsArgs),
    /// Build a demo database from the shipped Peru strategy and sample values, and show it
    #[command(
        after_help = "The shipped strategy and values are built into ics, so the demo runs from any folder.\n\nExamples:\n  ics demo\n  ics demo --db /tmp/try.db --framework my-strategy.toml --values my-values.csv"
    )]
    Demo(DemoArgs),
    /// Check the database: its own integrity checks, its tables and the tracker's own invariants
    #[command(
        after_help = "Exit status: 0 when the database is healthy, 2 when a problem is found.\n\nExample:\n  ics check"
    )]
    Check,
    /// Manage the people who use the database and their roles (viewer, reporter, approver, admin)
    #[command(
        subcommand,
        after_help = "A database with no users is in single-user mode: everything works, and the log names whoever --by or the login says. The first user added must be an admin.\n\nExamples:\n  ics user add pm.lima --role admin\n  ics user add ana.econ --role reporter --scope MO3.1 --scope DO1\n  ics user list"
    )]
    User(UserCommand),
    /// Approve submitted values: one (INDICATOR PERIOD) or a whole period (--period)
    #[command(
        after_help = "Needs [settings] review = true in the framework. Approved values are the ones progress, track, report, export iati and pirs count.\n\nExamples:\n  ics approve IND-POVERTY FY2022\n  ics approve --period FY2022Q1 --node MO3.1"
    )]
    Approve(ApproveArgs),
    /// Return a submitted value to its reporter, with the reason
    #[command(
        name = "return",
        after_help = "The reporter corrects it (`ics record`) or records it again as it is, which submits it again.\n\nExample:\n  ics return IND-POVERTY FY2022 --reason \"The source says 20.2\""
    )]
    Return(ReturnArgs),
    /// Lock a period: no value of it may be recorded, imported, voided, explained, approved or re-targeted
    #[command(
        after_help = "Examples:\n  ics lock FY2022 --reason \"Reported to Washington\"\n  ics lock --through FY2022Q4"
    )]
    Lock(LockArgs),
    /// Unlock a period locked with `ics lock` (admins only; the reason is kept in the log)
    #[command(
        after_help = "Example:\n  ics unlock FY2022 --reason \"Late correction from the Consular section\""
    )]
    Unlock(UnlockArgs),
    /// List the locked periods
    #[command(after_help = "Example:\n  ics locks")]
    Locks(LocksArgs),
    /// Read the audit log: every write, who made it, when and why
    #[command(
        after_help = "Examples:\n  ics log --since 2026-10-01\n  ics log --user ana.econ --format csv > log.csv"
    )]
    Log(LogArgs),
    /// Who still owes a report for a period: every indicator due, its reporter and its state
    #[command(
        after_help = "Exit status: 0 when nothing is missing or returned, 1 when something is, 2 on error.\n\nExamples:\n  ics status --period FY2024Q1\n  ics status --period FY2024 --node MO3.1 --format json"
    )]
    Status(StatusArgs),
    /// Serve the tracker to browsers: dashboard, indicators, approval queue, status, log
    #[command(
        after_help = "Examples:\n  ics serve                                  your own browser: http://127.0.0.1:8750\n  ics serve --listen 0.0.0.0:8750 --behind-proxy   a mission's server behind a TLS proxy\n  ics serve --listen 0.0.0.0:8443 --tls-cert fullchain.pem --tls-key privkey.pem\n                                             a mission's server, HTTPS served by ics"
    )]
    Serve(ServeArgs),
    /// Print a shell completion script
    #[command(
        after_help = "Examples:\n  ics completions bash > ~/.local/share/bash-completion/completions/ics\n  ics completions zsh > ~/.zfunc/_ics\n  ics completions fish > ~/.config/fish/completions/ics.fish"
    )]
    Completions(CompletionsArgs),
    /// Print the manual page (roff)
    #[command(after_help = "Example:\n  ics man > ~/.local/share/man/man1/ics.1")]
    Man,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct LoadArgs {
    /// The framework file (TOML) to load
    pub file: PathBuf,
    /// Label for this version [default: `version` in the file's [strategy] table]
    #[arg(long)]
    pub label: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TreeFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct TreeArgs {
    #[command(flatten)]
    pub version: VersionSel,
    /// Show this many levels (1 = the top-level nodes only)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub depth: Option<u32>,
    /// Also list each node's indicators
    #[arg(long)]
    pub indicators: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = TreeFormat::Text)]
    pub format: TreeFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct VersionsArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct CopyArgs {
    /// The database to copy from: a file, or a postgres:// URL
    #[arg(long, value_name = "DB")]
    pub from: PathBuf,
    /// The database to copy into (a new file is created; a server database must exist)
    #[arg(long, value_name = "DB")]
    pub to: PathBuf,
}

#[derive(Debug, Args)]
pub struct StrategiesArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

/// Which value `record`, `void` and `explain` act on: an indicator, a period and a
/// disaggregation (none for the total).
#[derive(Debug, Args)]
pub struct ValueKey {
    /// Indicator code, as in the framework file
    pub indicator: String,
    /// Period: FY2021, FY2021Q2, or a date such as 2021-03-15
    pub period: String,
    /// A disaggregation the indicator declares, e.g. sex=female (repeat for several)
    #[arg(long = "disagg", value_name = "KEY=VALUE")]
    pub disagg: Vec<String>,
}

#[derive(Debug, Args)]
pub struct RecordArgs {
    #[command(flatten)]
    pub key: ValueKey,
    /// The value (a plain number such as 17.2 or -3; no thousands separators); for a ratio
    /// indicator, leave it out and give --numerator and --denominator
    pub value: Option<String>,
    /// A ratio indicator's numerator (with --denominator; the value is computed from them)
    #[arg(long, value_name = "N")]
    pub numerator: Option<String>,
    /// A ratio indicator's denominator, not 0 (with --numerator)
    #[arg(long, value_name = "D")]
    pub denominator: Option<String>,
    /// Explanation or comment on the value (clears "needs explanation"); without it, re-recording
    /// the same value keeps its note
    #[arg(long)]
    pub note: Option<String>,
    /// Where the figure comes from; without it, re-recording the same value keeps its source
    #[arg(long)]
    pub source: Option<String>,
    /// Remove the current value's note (recorded as a correction; the history keeps it)
    #[arg(long, conflicts_with = "note")]
    pub clear_note: bool,
    /// Remove the current value's source (recorded as a correction; the history keeps it)
    #[arg(long, conflicts_with = "source")]
    pub clear_source: bool,
    /// Who records it [default: your login name]
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
}

#[derive(Debug, Args)]
pub struct VoidArgs {
    #[command(flatten)]
    pub key: ValueKey,
    /// Why the value is voided (kept in the history)
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Who voids it [default: your login name]
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub key: ValueKey,
    /// The explanation of the deviation from the target
    pub text: String,
    /// Who explains it [default: your login name]
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
}

#[derive(Debug, Args)]
pub struct ImportValuesArgs {
    /// The CSV file (comma-, semicolon- or tab-separated) or Excel workbook (.xlsx) to import
    pub file: PathBuf,
    /// The worksheet of a workbook to import [default: the first]
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Indicator code
    pub indicator: String,
    /// Only this period (FY2021, FY2021Q2 or a date)
    #[arg(long)]
    pub period: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
    /// An Excel workbook (needs --out)
    Xlsx,
}

#[derive(Debug, Args)]
pub struct ExportValuesArgs {
    /// Only this indicator (repeat for several)
    #[arg(long, value_name = "CODE")]
    pub indicator: Vec<String>,
    /// Only this period (a fiscal year includes its quarters)
    #[arg(long)]
    pub period: Option<String>,
    /// Include corrected (replaced) values too, with what replaced them
    #[arg(long)]
    pub all: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
    pub format: ExportFormat,
    /// Write to this file instead of standard output (atomically; an earlier export there is
    /// replaced). CSV written to a file starts with a UTF-8 byte-order mark, for Excel
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProgressFormat {
    Table,
    Csv,
    Json,
    Markdown,
    /// An Excel workbook (needs --out)
    Xlsx,
}

/// A progress status, as written in `--status` and in JSON/CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum StatusArg {
    Exceeded,
    OnTarget,
    Short,
    Incomplete,
    NoData,
    NoTarget,
}

#[derive(Debug, Args)]
pub struct ProgressArgs {
    /// Fiscal period [default: the latest fiscal year with a target or an actual]
    #[arg(long)]
    pub period: Option<String>,
    /// Keep one subtree: a goal, objective or DO code
    #[arg(long, value_name = "CODE")]
    pub node: Option<String>,
    /// Keep only rows with this status (repeat for several)
    #[arg(long, value_enum)]
    pub status: Vec<StatusArg>,
    /// Keep only rows off target by more than the threshold with no explanation yet
    #[arg(long)]
    pub needs_explanation: bool,
    #[command(flatten)]
    pub version: VersionSel,
    /// Output format
    #[arg(long, value_enum, default_value_t = ProgressFormat::Table)]
    pub format: ProgressFormat,
    /// Write to this file instead of standard output (atomically; an earlier report there is
    /// replaced). CSV written to a file starts with a UTF-8 byte-order mark, for Excel
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub review: ReviewSel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TrackFormat {
    Table,
    Csv,
    Json,
    Markdown,
    /// An Excel workbook (needs --out)
    Xlsx,
}

#[derive(Debug, Args)]
pub struct TrackArgs {
    /// First fiscal year (FY2020, or a date in it) [default: the strategy's start]
    #[arg(long, value_name = "FY")]
    pub from: Option<String>,
    /// Last fiscal year (FY2022, or a date in it) [default: the strategy's end]
    #[arg(long, value_name = "FY")]
    pub to: Option<String>,
    /// Keep one subtree: a goal, objective or DO code
    #[arg(long, value_name = "CODE")]
    pub node: Option<String>,
    /// Show each quarter's target and actual for every indicator (quarterly ones always show them)
    #[arg(long)]
    pub quarters: bool,
    #[command(flatten)]
    pub version: VersionSel,
    /// Output format
    #[arg(long, value_enum, default_value_t = TrackFormat::Table)]
    pub format: TrackFormat,
    /// Write to this file instead of standard output (CSV then starts with a byte-order mark for Excel)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub review: ReviewSel,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Fiscal period [default: the latest fiscal year with a target or an actual]
    #[arg(long)]
    pub period: Option<String>,
    /// Keep one subtree: a goal, objective or DO code
    #[arg(long, value_name = "CODE")]
    pub node: Option<String>,
    #[command(flatten)]
    pub version: VersionSel,
    /// The HTML file to write (an earlier report there is replaced)
    #[arg(long, value_name = "FILE.html")]
    pub out: PathBuf,
    #[command(flatten)]
    pub review: ReviewSel,
}

#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// The fiscal year or quarter to collect values for (FY2024, FY2024Q2)
    #[arg(long)]
    pub period: String,
    /// Only the indicators under this goal, objective or DO
    #[arg(long, value_name = "CODE")]
    pub node: Option<String>,
    /// The workbook to write (a template ics wrote there is replaced; one saved from Excel is kept)
    #[arg(long, value_name = "FILE.xlsx")]
    pub out: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older side: a version label, @latest, @previous, or a framework file
    pub old: String,
    /// The newer side: a version label, @latest, @previous, or a framework file
    pub new: String,
    /// Output format
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// A framework file to load instead of the shipped Peru strategy
    #[arg(long, value_name = "FILE")]
    pub framework: Option<PathBuf>,
    /// A values CSV to import instead of the shipped sample values
    #[arg(long, value_name = "FILE")]
    pub values: Option<PathBuf>,
    /// Rebuild the demo database even though values or versions were added to it since the
    /// demo built it (they are thrown away)
    #[arg(long)]
    pub replace: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    pub target: ExportTarget,
}

/// The standards `ics export` writes.
#[derive(Debug, Subcommand)]
pub enum ExportTarget {
    /// Write the results framework, targets and recorded values as an IATI 2.03 activity file
    #[command(
        after_help = "The activity's identifier, reporting organisation, status and so on come from an optional\n[iati] table in framework.toml. Nothing is written unless the whole export is sound.\n\nExample:\n  ics export iati --out peru-ics-iati.xml"
    )]
    Iati(ExportIatiArgs),
}

#[derive(Debug, Args)]
pub struct ExportIatiArgs {
    #[command(flatten)]
    pub version: VersionSel,
    /// The XML file to write (an earlier export there is replaced once the export has succeeded)
    #[arg(long, value_name = "FILE.xml")]
    pub out: PathBuf,
    #[command(flatten)]
    pub review: ReviewSel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Output format: text for people, json (an array of {rule, code, kind, message, fix})
    #[arg(long, value_enum, default_value_t = LintFormat::Text)]
    pub format: LintFormat,
    #[command(flatten)]
    pub version: VersionSel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PirsFormat {
    Markdown,
    Html,
}

#[derive(Debug, Args)]
pub struct PirsArgs {
    /// Indicator codes [default: every indicator of the version]
    #[arg(value_name = "CODE")]
    pub codes: Vec<String>,
    #[command(flatten)]
    pub version: VersionSel,
    /// Output format (html needs --out)
    #[arg(long, value_enum, default_value_t = PirsFormat::Markdown)]
    pub format: PirsFormat,
    /// The file to write (an earlier file of reference sheets there is replaced) [default: markdown to stdout]
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub review: ReviewSel,
}

/// `ics user ...`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user (the first one must be an admin)
    #[command(
        after_help = "Examples:\n  ics user add pm.lima --role admin\n  ics user add ana.econ --role reporter --scope MO3.1\n  ics user add bo.po --role approver --db-role bo_po   (PostgreSQL: only that server role acts as bo.po)"
    )]
    Add(UserAddArgs),
    /// List the users with their roles and scopes
    List(UserListArgs),
    /// Remove a user (the log keeps what they did)
    Remove(UserRemoveArgs),
    /// Change a user's role, scope or database role
    #[command(
        name = "set-role",
        after_help = "Example:\n  ics user set-role ana.econ approver --scope MO3.1"
    )]
    SetRole(UserSetRoleArgs),
    /// Set a user's password for signing in to `ics serve` (an admin, or the user themselves)
    #[command(
        name = "set-password",
        after_help = "The password is read from standard input when it is not a terminal, else asked for twice.\n\nExamples:\n  ics user set-password ana.econ\n  printf '%s\\n' \"$PW\" | ics user set-password ana.econ"
    )]
    SetPassword(UserSetPasswordArgs),
}

#[derive(Debug, Args)]
pub struct UserSetPasswordArgs {
    pub name: String,
    /// Remove the password instead: the user can no longer sign in to `ics serve`
    #[arg(long)]
    pub clear: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    /// Reads everything
    Viewer,
    /// Records, explains and voids the values in its scope
    Reporter,
    /// Approves or returns the values in its scope
    Approver,
    /// Loads strategies, manages users, locks periods
    Admin,
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// The name people use with --as (or ICS_USER), e.g. ana.econ
    pub name: String,
    /// What the user may do
    #[arg(long, value_enum)]
    pub role: RoleArg,
    /// A node or indicator code whose indicators the user works on (repeat; none means all)
    #[arg(long = "scope", value_name = "CODE")]
    pub scopes: Vec<String>,
    /// PostgreSQL: the server role (session_user) this person connects as; then only that role can act as them
    #[arg(long, value_name = "ROLE")]
    pub db_role: Option<String>,
    /// Also set a password for signing in to `ics serve` (read from standard input when it is not a terminal, else asked for twice). Without it, on a terminal, the password is asked for, and may be left empty
    #[arg(long, conflicts_with = "no_password")]
    pub password: bool,
    /// Do not ask for a password: the user cannot sign in to `ics serve` until one is set (`ics user set-password NAME`)
    #[arg(long)]
    pub no_password: bool,
}

#[derive(Debug, Args)]
pub struct UserListArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    pub format: TableFormat,
}

#[derive(Debug, Args)]
pub struct UserRemoveArgs {
    pub name: String,
}

#[derive(Debug, Args)]
pub struct UserSetRoleArgs {
    pub name: String,
    /// The new role
    #[arg(value_enum)]
    pub role: RoleArg,
    /// The new scope (repeat); without --scope (or --all) the scope is kept
    #[arg(long = "scope", value_name = "CODE")]
    pub scopes: Vec<String>,
    /// Clear the scope: the user works on every indicator
    #[arg(long, conflicts_with = "scopes")]
    pub all: bool,
    /// PostgreSQL: the server role this person connects as
    #[arg(long, value_name = "ROLE")]
    pub db_role: Option<String>,
}

/// Table, JSON or CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    Table,
    Json,
    Csv,
}

/// Which values a report counts once review is on.
#[derive(Debug, Clone, Default, Args)]
pub struct ReviewSel {
    /// Also count values still waiting for approval (marked as submitted)
    #[arg(long)]
    pub include_submitted: bool,
}

#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// Indicator code (with PERIOD); leave both out and give --period to approve a whole period
    pub indicator: Option<String>,
    /// Period of the one value: FY2022, FY2022Q1
    pub period: Option<String>,
    /// A disaggregation of the one value, e.g. sex=female (repeat); without it, the total and
    /// every disaggregation of that indicator and period
    #[arg(long = "disagg", value_name = "KEY=VALUE")]
    pub disagg: Vec<String>,
    /// Approve every submitted value of this period in your scope
    #[arg(long = "period", value_name = "PERIOD", conflicts_with_all = ["indicator", "period"])]
    pub whole_period: Option<String>,
    /// With --period: only the indicators under this node
    #[arg(long, value_name = "CODE", requires = "whole_period")]
    pub node: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReturnArgs {
    #[command(flatten)]
    pub key: ValueKey,
    /// Why it goes back: what the reporter should check or fix
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct LockArgs {
    /// The period to lock: FY2022 (with its quarters) or FY2022Q1
    #[arg(required_unless_present = "through")]
    pub period: Option<String>,
    /// Lock every period that ends on or before this one ends
    #[arg(long, value_name = "PERIOD", conflicts_with = "period")]
    pub through: Option<String>,
    /// Why (kept with the lock and in the log), e.g. "Reported to Washington"
    #[arg(long)]
    pub reason: Option<String>,
}

#[derive(Debug, Args)]
pub struct UnlockArgs {
    /// The locked period, as it was locked
    #[arg(required_unless_present = "through")]
    pub period: Option<String>,
    /// A lock set with --through
    #[arg(long, value_name = "PERIOD", conflicts_with = "period")]
    pub through: Option<String>,
    /// Why it opens again (required; kept in the log)
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct LocksArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    pub format: TableFormat,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// Only entries on or after this date (2026-10-01) or time
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only what this user did
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    pub format: TableFormat,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The reporting period: a quarter (the quarterly indicators) or a fiscal year (the annual ones)
    #[arg(long)]
    pub period: String,
    /// Keep one subtree: a goal, objective or DO code
    #[arg(long, value_name = "CODE")]
    pub node: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    pub format: TableFormat,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address and port to listen on
    #[arg(long, default_value = "127.0.0.1:8750", value_name = "ADDR:PORT")]
    pub listen: String,
    /// Serve HTTPS with this certificate chain (PEM, e.g. Let's Encrypt's fullchain.pem); with --tls-key
    #[arg(long, value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM, e.g. privkey.pem); with --tls-cert
    #[arg(long, value_name = "FILE")]
    pub tls_key: Option<PathBuf>,
    /// A reverse proxy in front terminates TLS: cookies are marked Secure
    #[arg(long)]
    pub behind_proxy: bool,
    /// How long a session may stay idle before its user must sign in again: e.g. 30m, 2h, 90s
    #[arg(long, default_value = "30m", value_name = "DURATION")]
    pub idle: String,
}
