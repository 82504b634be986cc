//! `ics diff` (not built yet).

use std::io::Write;

use super::Context;
use crate::cli::DiffArgs;
use crate::error::Error;
use crate::Outcome;

pub fn run(_cx: &Context, _args: &DiffArgs, _out: &mut dyn Write) -> Result<Outcome, Error> {
    Err(Error::input("`diff` is not available yet"))
}
