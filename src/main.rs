//! The `ics` binary: parse the command line, run it, turn the outcome into an exit code.

fn main() {
    let code = match ics::usage::parse(std::env::args_os()) {
        Ok(cli) => ics::run(cli),
        Err(code) => code,
    };
    std::process::exit(code);
}
