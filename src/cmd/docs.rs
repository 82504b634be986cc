//! `ics completions SHELL` and `ics man`: generated from the clap definitions.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::Error;
use crate::Outcome;

pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<Outcome, Error> {
    let mut cmd = Cli::command();
    // clap_complete panics when its writer fails (a closed pipe, a full disk): generate into
    // memory, which cannot fail, and write through our own error path.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "ics", &mut script);
    out.write_all(&script)?;
    Ok(Outcome::Success)
}

/// The page clap_mangen renders, except that the commands are listed as `ics load`, not as
/// `ics-load(1)`: there is one page, and no page per command to refer to.
pub fn man(out: &mut dyn Write) -> Result<Outcome, Error> {
    let cmd = Cli::command();
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    writeln!(out, ".SH COMMANDS")?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        writeln!(
            out,
            ".TP\n\\fBics {}\\fR\n{}",
            roff_text(sub.get_name()),
            roff_text(&about)
        )?;
    }
    writeln!(
        out,
        ".PP\nRun \\fBics\\fR \\fICOMMAND\\fR \\fB\\-\\-help\\fR for a command's options and examples."
    )?;
    man.render_extra_section(out)?;
    man.render_version_section(out)?;
    Ok(Outcome::Success)
}

/// Text for a roff line: backslashes and hyphens escaped, and a leading `.` or `'` kept from
/// reading as a request.
fn roff_text(s: &str) -> String {
    let s = s.replace('\\', "\\e").replace('-', "\\-");
    if s.starts_with(['.', '\'']) {
        format!("\\&{s}")
    } else {
        s
    }
}
