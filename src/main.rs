//! The `ics` binary: parse the command line, run it, turn the outcome into an exit code.

/// mimalloc rather than the system's allocator: a report on a big strategy makes hundreds of
/// thousands of small allocations, and mimalloc makes them faster and can back them with
/// huge pages ([`ics::pages`]). Measured in BENCHMARKS.md.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    ics::pages::small();
    let code = match ics::usage::parse(std::env::args_os()) {
        Ok(cli) => ics::run(cli),
        Err(code) => code,
    };
    std::process::exit(code);
}
