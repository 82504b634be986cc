//! `ics import-values` (not built yet).

use std::io::Write;

use super::Context;
use crate::cli::ImportValuesArgs;
use crate::error::Error;
use crate::Outcome;

pub fn run(
    _cx: &Context,
    _args: &ImportValuesArgs,
    _out: &mut dyn Write,
) -> Result<Outcome, Error> {
    Err(Error::input("`import-values` is not available yet"))
}
