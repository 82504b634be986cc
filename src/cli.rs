//! The command line, as clap derive types. Every argument has a doc comment (it is the help
//! text) and every command's help ends with an example.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "ics",
    version,
    about = "Track a U.S. Integrated Country Strategy: goals, objectives, indicators and progress, in one SQLite file",
    after_help = "Examples:\n  ics load framework.toml          store the strategy in ./ics.db\n  ics tree                         show goals, objectives and DOs\n  cargo run --release -- demo      build a demo database from the shipped Peru strategy",
    max_term_width = 100
)]
pub struct Cli {
    /// Database file [default: $ICS_DB, else ./ics.db; `demo` uses ./demo.db]
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
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
    /// Which stored version to show: a label, @latest or @previous [default: @latest]
    #[arg(long, value_name = "LABEL")]
    pub version: Option<String>,
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
