//! The command line as the user typed it: parse it, and turn what clap refuses into the one
//! error form every other mistake has.
//!
//! clap reports a usage mistake in several lines (a tip, a blank line, `Usage: ...`, "For more
//! information, try '--help'"). [`parse`] keeps the substance of its message in one
//! `error: ...` line (the values it quotes in backticks, control characters escaped by
//! [`safe`]) and one `help: ...` line: clap's tip or list of possible values where it has one,
//! else where the help is. `--help` and `--version` are printed to stdout here, so a stdout
//! that cannot be written (a full disk) is an error like any other; a closed pipe is not.

use std::io::Write;

use clap::error::ErrorKind;
use clap::Parser;

use crate::cli::Cli;
use crate::render::safe;

/// Parse the command line; `Err` holds the exit code when there is nothing to run (help or
/// version printed: 0, or a mistake reported on stderr: 2).
pub fn parse<I, T>(args: I) -> Result<Cli, i32>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let err = match Cli::try_parse_from(args) {
        Ok(cli) => return Ok(cli),
        Err(err) => err,
    };
    let mut stderr = std::io::stderr().lock();
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let printed = err.print().and_then(|()| std::io::stdout().flush());
            match printed {
                Ok(()) => Err(0),
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(0),
                Err(e) => {
                    let _ = crate::Error::Output(e).report(&mut stderr);
                    Err(2)
                }
            }
        }
        _ => {
            let (error, help) = one_line(err.kind(), &err.render().to_string());
            let _ = writeln!(stderr, "error: {error}");
            let _ = writeln!(stderr, "help: {help}");
            Err(2)
        }
    }
}

/// clap's plain-text message as an error sentence and a help sentence (without their
/// `error: ` and `help: ` prefixes).
fn one_line(kind: ErrorKind, message: &str) -> (String, String) {
    if kind == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        return (
            "a command is needed, as in `ics tree`".to_string(),
            "run `ics --help` to see every command".to_string(),
        );
    }
    let mut lines = message.lines();
    let mut error = lines
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ")
        .trim()
        .to_string();
    let mut listed = Vec::new();
    let mut help = None;
    let mut command = None;
    for line in lines {
        let line = line.trim();
        if let Some(tip) = line.strip_prefix("tip: ") {
            help.get_or_insert_with(|| tip.to_string());
        } else if let Some(usage) = line.strip_prefix("Usage: ") {
            // `Usage: ics record [OPTIONS] ...`: the subcommand is the words before the first
            // option or placeholder.
            let words: Vec<&str> = usage
                .split_whitespace()
                .skip(1)
                .take_while(|w| !w.starts_with(['[', '<', '-']))
                .collect();
            if !words.is_empty() {
                command = Some(words.join(" "));
            }
        } else if line.starts_with('[') && line.ends_with(']') {
            help.get_or_insert_with(|| line[1..line.len() - 1].to_string());
        } else if !line.is_empty() && !line.starts_with("For more information") {
            listed.push(format!("`{line}`"));
        }
    }
    if !listed.is_empty() {
        error = format!("{} {}", error.trim_end(), listed.join(", "));
    }
    let help = help.unwrap_or_else(|| match command {
        Some(c) => format!("run `ics {c} --help`"),
        None => "run `ics --help`".to_string(),
    });
    (backticks(&safe(&error)), backticks(&safe(&help)))
}

/// clap's `'value'` quotes as backticks; an apostrophe inside a word (`O'Brien`) stays.
fn backticks(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let word = |i: Option<usize>| {
        i.and_then(|i| chars.get(i))
            .is_some_and(|c| c.is_alphanumeric())
    };
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            if c == '\'' && !(word(i.checked_sub(1)) && word(Some(i + 1))) {
                '`'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_messages_become_one_error_and_one_help() {
        let (e, h) = one_line(
            ErrorKind::InvalidSubcommand,
            "error: unrecognized subcommand 'recrd'\n\n  tip: some similar subcommands exist: 'report', 'record'\n\nUsage: ics [OPTIONS] <COMMAND>\n\nFor more information, try '--help'.\n",
        );
        assert_eq!(e, "unrecognized subcommand `recrd`");
        assert_eq!(h, "some similar subcommands exist: `report`, `record`");
        let (e, h) = one_line(
            ErrorKind::MissingRequiredArgument,
            "error: the following required arguments were not provided:\n  <INDICATOR>\n  <VALUE>\n\nUsage: ics record <INDICATOR> <PERIOD> <VALUE>\n\nFor more information, try '--help'.\n",
        );
        assert_eq!(
            e,
            "the following required arguments were not provided: `<INDICATOR>`, `<VALUE>`"
        );
        assert_eq!(h, "run `ics record --help`");
        let (e, h) = one_line(
            ErrorKind::InvalidValue,
            "error: invalid value 'O'Brien\x1b' for '--format <FORMAT>'\n  [possible values: table, csv]\n\nFor more information, try '--help'.\n",
        );
        assert_eq!(e, "invalid value `O'Brien\\u{1b}` for `--format <FORMAT>`");
        assert_eq!(h, "possible values: table, csv");
    }
}
