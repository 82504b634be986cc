//! The `ics` binary: parse the command line, run it, turn the outcome into an exit code.

use clap::Parser;

fn main() {
    let cli = ics::cli::Cli::parse();
    std::process::exit(ics::run(cli));
}
