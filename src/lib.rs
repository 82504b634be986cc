//! `ics`: a command-line tracker for U.S. Integrated Country Strategies.
//!
//! The library holds all the logic; `main.rs` only parses the command line and calls [`run`].
//! Modules: [`framework`] (the strategy model and its TOML reading), [`period`] (fiscal
//! periods), [`store`] (SQLite: the only module with SQL), [`render`] (terminal output),
//! [`iati`] (the IATI 2.03 results export), [`lint`] (the review rules of `ics lint`),
//! [`report`] (the HTML review page), and [`cmd`] (one thin module per command).

pub mod cli;
pub mod cmd;
pub mod diff;
pub mod error;
pub mod framework;
pub mod iati;
pub mod lint;
pub mod period;
pub mod pipe;
pub mod progress;
pub mod render;
pub mod report;
pub mod store;
pub mod values;

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
pub fn run(cli: cli::Cli) -> i32 {
    let stdout = std::io::stdout();
    // A closed pipe is not an error, and must not turn findings into success (see `pipe`).
    let mut out = pipe::PipeOut::new(stdout.lock());
    let result = cmd::dispatch(&cli, &mut out).and_then(|o| {
        out.flush().map_err(Error::from)?;
        Ok(o)
    });
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
