//! `ics export-values` (not built yet).

use std::io::Write;

use super::Context;
use crate::cli::ExportValuesArgs;
use crate::error::Error;
use crate::Outcome;

pub fn run(
    _cx: &Context,
    _args: &ExportValuesArgs,
    _out: &mut dyn Write,
) -> Result<Outcome, Error> {
    Err(Error::input("`export-values` is not available yet"))
}
