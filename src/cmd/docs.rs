//! `ics completions SHELL` and `ics man`: generated from the clap definitions.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::Error;
use crate::Outcome;

pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<Outcome, Error> {
    let mut cmd = Cli::command();
    // clap_complete panics when its writer fails (a closed pipe, a full disk): generate into
    // memory, which cannot fail, and write through our own error path.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "ics", &mut script);
    out.write_all(&script)?;
    Ok(Outcome::Success)
}

pub fn man(out: &mut dyn Write) -> Result<Outcome, Error> {
    clap_mangen::Man::new(Cli::command()).render(out)?;
    Ok(Outcome::Success)
}
