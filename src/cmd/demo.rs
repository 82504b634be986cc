//! `ics demo` (not built yet).

use std::io::Write;

use super::Context;
use crate::cli::DemoArgs;
use crate::error::Error;
use crate::Outcome;

pub fn run(_cx: &Context, _args: &DemoArgs, _out: &mut dyn Write) -> Result<Outcome, Error> {
    Err(Error::input("`demo` is not available yet"))
}
