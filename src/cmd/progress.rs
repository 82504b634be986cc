//! `ics progress` (not built yet).

use std::io::Write;

use super::Context;
use crate::cli::ProgressArgs;
use crate::error::Error;
use crate::Outcome;

pub fn run(_cx: &Context, _args: &ProgressArgs, _out: &mut dyn Write) -> Result<Outcome, Error> {
    Err(Error::input("`progress` is not available yet"))
}
