//! `ics record` (not built yet).

use std::io::Write;

use super::Context;
use crate::cli::RecordArgs;
use crate::error::Error;
use crate::Outcome;

pub fn run(_cx: &Context, _args: &RecordArgs, _out: &mut dyn Write) -> Result<Outcome, Error> {
    Err(Error::input("`record` is not available yet"))
}
