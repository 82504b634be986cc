//! `ics`: a command-line tracker for U.S. Integrated Country Strategies.
//!
//! The library holds all the logic; `main.rs` only parses the command line ([`usage::parse`])
//! and calls [`run`].
//! Modules: [`framework`] (the strategy model and its TOML reading), [`period`] (fiscal
//! periods), [`store`] (SQLite: the only module with SQL), [`render`] (terminal output),
//! [`iati`] (the IATI 2.03 results export), [`lint`] (the review rules of `ics lint`),
//! [`report`] (the HTML review page), and [`cmd`] (one thin module per command).

pub mod cli;
pub mod clock;
pub mod cmd;
pub mod copy;
pub mod diff;
pub mod error;
pub mod files;
pub mod framework;
pub mod iati;
pub mod lint;
pub mod period;
pub mod pipe;
pub mod pirs;
pub mod progress;
pub mod render;
pub mod report;
pub mod shipped;
pub mod store;
pub mod track;
pub mod usage;
pub mod values;
pub mod web;
pub mod workflow;

/// The crate's own source files, for the tests that hold the layers (render reads neither the
/// CLI nor the database, the framework no lint, nothing outside the store a backend).
#[cfg(test)]
pub(crate) fn rust_sources(under: &str) -> Vec<std::path::PathBuf> {
    let mut stack = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(under)];
    let mut files = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

use std::io::Write;

pub use error::{Error, Result};

/// What a successful command found, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: differences (`diff`) or findings (`lint`).
    Findings,
}

/// Run a parsed command line and return the process exit code: 0 success, 1 differences or
/// findings, 2 error.
///
/// A command that stores something (see [`stores`]) prints into a buffer, which is printed only
/// after the command has succeeded, when anything it changed is saved for good. If printing it then
/// fails, the command still succeeded: a warning says so on stderr and the exit code stays 0,
/// so a script never retries a write that was done.
pub fn run(cli: cli::Cli) -> i32 {
    let stdout = std::io::stdout();
    // A closed pipe is not an error, and must not turn findings into success (see `pipe`).
    let mut out = pipe::PipeOut::new(stdout.lock());
    let result = if stores(&cli.command) {
        let mut buffer = Vec::new();
        let result = cmd::dispatch(&cli, &mut buffer);
        let printed = out.write_all(&buffer).and_then(|()| out.flush());
        if let (Ok(_), Err(e)) = (&result, &printed) {
            let _ = writeln!(
                std::io::stderr().lock(),
                "warning: the command succeeded (anything it changed is saved), but its confirmation could not be printed: {}",
                files::io_reason(e)
            );
        }
        result
    } else {
        cmd::dispatch(&cli, &mut out).and_then(|o| {
            out.flush().map_err(Error::from)?;
            Ok(o)
        })
    };
    match result {
        Ok(Outcome::Success) => 0,
        Ok(Outcome::Findings) => 1,
        Err(Error::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            let _ = e.report(&mut std::io::stderr().lock());
            2
        }
    }
}

/// Whether a command stores something (in the database or an output file) before it prints its
/// confirmation. Every command is listed, so a new one must be decided here.
fn stores(command: &cli::Command) -> bool {
    use cli::Command::*;
    match command {
        Load(_) | Record(_) | Void(_) | Explain(_) | ImportValues(_) | Report(_) | Export(_)
        | Demo(_) | Copy(_) | Approve(_) | Return(_) | Lock(_) | Unlock(_) => true,
        User(c) => !matches!(c, cli::UserCommand::List(_)),
        Track(a) => a.out.is_some(),
        Template(_) => true,
        Tree(_) | Versions(_) | Strategies(_) | History(_) | ExportValues(_) | Progress(_)
        | Diff(_) | Lint(_) | Check | Completions(_) | Man | Locks(_) | Log(_) | Status(_)
        | Serve(_) => false,
        Pirs(args) => args.out.is_some(),
    }
}
