//! `ics history` (not built yet).

use std::io::Write;

use super::Context;
use crate::cli::HistoryArgs;
use crate::error::Error;
use crate::Outcome;

pub fn run(_cx: &Context, _args: &HistoryArgs, _out: &mut dyn Write) -> Result<Outcome, Error> {
    Err(Error::input("`history` is not available yet"))
}
