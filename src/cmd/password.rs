//! Reading a new password: asked for twice on a terminal, else one line of standard input.

use std::io::{BufRead, IsTerminal, Read};

use crate::error::Error;
use crate::workflow::password;

/// `ics user add` without `--password`: on a terminal, ask for a password that may be left
/// empty (then `None`: the user cannot sign in to `ics serve` yet); elsewhere (a script) ask
/// nothing.
pub fn offer(name: &str) -> Result<Option<String>, Error> {
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    let first = rpassword::prompt_password(format!(
        "password for {name} to sign in to `ics serve` (leave empty for none): "
    ))
    .map_err(|_| Error::input("the password could not be read from the terminal"))?;
    if first.is_empty() {
        return Ok(None);
    }
    confirmed(first).map(Some)
}

/// `first` typed again, checked.
fn confirmed(first: String) -> Result<String, Error> {
    password::check(&first)?;
    let again = rpassword::prompt_password("the same again: ")
        .map_err(|_| Error::input("the password could not be read from the terminal"))?;
    if first != again {
        return Err(Error::input(
            "the two passwords differ; nothing was changed",
        ));
    }
    Ok(first)
}

/// The new password of `name`, checked (length) but not hashed.
pub fn read(name: &str) -> Result<String, Error> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let first = rpassword::prompt_password(format!("new password for {name}: "))
            .map_err(|_| Error::input("the password could not be read from the terminal"))?;
        return confirmed(first);
    }
    let mut line = String::new();
    // One line, at most a little past the longest password (the rest is not read).
    stdin
        .lock()
        .take(password::MAX_LEN as u64 + 3)
        .read_line(&mut line)
        .map_err(|_| Error::input("the password could not be read from standard input"))?;
    let pw = line.strip_suffix('\n').unwrap_or(&line);
    let pw = pw.strip_suffix('\r').unwrap_or(pw).to_string();
    if pw.is_empty() {
        return Err(Error::input_with_hint(
            "no password on standard input",
            "pipe it in (`printf '%s\\n' \"$PW\" | ics user ...`) or run the command in a terminal",
        ));
    }
    password::check(&pw)?;
    Ok(pw)
}
