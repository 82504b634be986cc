//! Errors a user can cause, and how they are shown.
//!
//! Every failure reaches the user as one `error: ...` line on stderr, optionally followed by a
//! `help: ...` line, and exit code 2. File problems carry their location and are printed one per
//! line (`framework.toml:42:5: unknown key `foo``) before a closing `error:` line; after the
//! first 100, one line counts the rest (`… and 9900 more problems`).
//! Raw SQLite messages never reach the user: the store maps them to sentences first.

use std::fmt;

/// A problem located in an input file.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// `FILE:LINE:COL` or `FILE:LINE`.
    pub location: String,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// How many located problems [`Error::report`] prints; the rest are counted in one line.
pub const MAX_DIAGNOSTICS: usize = 100;

/// What callers branch on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input the user can fix (arguments, values, files).
    #[error("{message}")]
    Input {
        message: String,
        hint: Option<String>,
    },
    /// One or more located problems in an input file; nothing was written.
    #[error("{summary}")]
    Located {
        diagnostics: Vec<Diagnostic>,
        summary: String,
    },
    /// Writing the output failed (a closed pipe is not reported).
    #[error("could not write the output: {}", crate::files::io_reason(.0))]
    Output(#[from] std::io::Error),
    /// The database could not be opened, read or written.
    #[error("{message}")]
    Database {
        message: String,
        hint: Option<String>,
    },
}

impl Error {
    pub fn input(message: impl Into<String>) -> Self {
        Error::Input {
            message: message.into(),
            hint: None,
        }
    }

    pub fn input_with_hint(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Input {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    pub fn database(message: impl Into<String>) -> Self {
        Error::Database {
            message: message.into(),
            hint: None,
        }
    }

    pub fn database_with_hint(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Database {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    /// Attach or replace the hint.
    pub fn with_hint(self, new_hint: impl Into<String>) -> Self {
        match self {
            Error::Input { message, .. } => Error::Input {
                message,
                hint: Some(new_hint.into()),
            },
            Error::Database { message, .. } => Error::Database {
                message,
                hint: Some(new_hint.into()),
            },
            other => other,
        }
    }

    pub fn hint(&self) -> Option<&str> {
        match self {
            Error::Input { hint, .. } | Error::Database { hint, .. } => hint.as_deref(),
            Error::Located { .. } | Error::Output(_) => None,
        }
    }

    /// Write the error as the user sees it. Messages quote user values, so each line passes
    /// through [`crate::render::safe`]: control characters in them are shown, not obeyed.
    pub fn report(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        use crate::render::safe;
        if let Error::Located { diagnostics, .. } = self {
            for d in diagnostics.iter().take(MAX_DIAGNOSTICS) {
                writeln!(out, "{}", safe(&d.to_string()))?;
            }
            if let Some(more) = diagnostics
                .len()
                .checked_sub(MAX_DIAGNOSTICS)
                .filter(|&n| n > 0)
            {
                let noun = if more == 1 { "problem" } else { "problems" };
                writeln!(out, "… and {more} more {noun}")?;
            }
        }
        writeln!(out, "error: {}", safe(&self.to_string()))?;
        if let Some(hint) = self.hint() {
            writeln!(out, "help: {}", safe(hint))?;
        }
        Ok(())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
