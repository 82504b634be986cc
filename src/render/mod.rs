//! Rendering for people and machines: colour and width decisions, and the per-report renderers.
//! Renderers take plain rows or the framework model and know nothing of SQL, nor of the command
//! line: they have their own option types ([`ColorChoice`] here, the formats beside each
//! renderer), which the commands map from the parsed arguments.
//!
//! Text that came from a file or the database passes through [`safe`] before it reaches a
//! terminal (see [`mod@safe`]): [`Term::paint`] and [`cell`] apply it, so styled text and table
//! cells cannot forget it.

pub mod diff;
pub mod history;
pub mod lint;
pub mod listing;
pub mod pirs;
pub mod progress;
pub mod safe;
pub mod strategies;
pub mod template;
pub mod track;
pub mod tree;
pub mod values;
pub mod versions;
pub mod xlsx;

use std::borrow::Cow;
use std::io::IsTerminal;

pub use safe::safe;

/// When to colour: the renderer's own copy of `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Terminal facts a renderer needs: whether to colour, and how wide to be.
#[derive(Debug, Clone, Copy)]
pub struct Term {
    pub color: bool,
    /// Columns to fit, or `None` for no limit (output to a file or pipe).
    pub width: Option<usize>,
}

impl Term {
    /// Decide from the flag, `NO_COLOR`, `COLUMNS` and whether stdout is a terminal.
    pub fn detect(choice: ColorChoice) -> Term {
        let tty = std::io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color,
        };
        let columns = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|c| *c >= 20);
        let width = columns.or_else(|| {
            if tty {
                terminal_size::terminal_size().map(|(w, _)| w.0 as usize)
            } else {
                None
            }
        });
        Term { color, width }
    }

    pub fn plain() -> Term {
        Term {
            color: false,
            width: None,
        }
    }

    /// Wrap `text` in an SGR style when colour is on; control characters in `text` are
    /// escaped first ([`safe`]), so the only escape sequences out are the style's own.
    pub fn paint(&self, text: &str, style: Style) -> String {
        let text = safe(text);
        if !self.color || text.is_empty() {
            return text.into_owned();
        }
        format!("\x1b[{}m{text}\x1b[0m", style.sgr())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Bold,
    Dim,
    Red,
    Green,
    Yellow,
    Blue,
    Cyan,
}

impl Style {
    fn sgr(self) -> &'static str {
        match self {
            Style::Bold => "1",
            Style::Dim => "2",
            Style::Red => "31",
            Style::Green => "32",
            Style::Yellow => "33",
            Style::Blue => "34",
            Style::Cyan => "36",
        }
    }
}

/// A table cell holding `text` made [`safe`].
pub fn cell<'a>(text: impl Into<Cow<'a, str>>) -> comfy_table::Cell {
    let text = text.into();
    comfy_table::Cell::new(safe(&text))
}

/// Display width of a string in terminal columns.
pub fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// Cut `s` to at most `max` columns, ending in `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw + 1 > max {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// "1 indicator", "2 indicators".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Whether `line` is the header line of a CSV ics writes: the progress report's 23 columns,
/// or `export-values` with or without `--all`. [`crate::files::output::ICS_CSV`] replaces
/// only a file that starts with one (after its byte-order mark). A new CSV output adds its
/// header here.
pub fn known_csv_header(line: &str) -> bool {
    let mut columns = line.split(',');
    let progress = progress::CSV_COLUMNS
        .iter()
        .all(|c| columns.next() == Some(c));
    (progress && columns.next().is_none())
        || line == values::export_header(false)
        || line == values::export_header(true)
}

#[cfg(test)]
mod layer_tests {
    /// Render only renders (issue 12, item 19): nothing under `src/render` reads the command
    /// line's types or the database; each command hands it what to lay out.
    #[test]
    fn render_depends_on_neither_the_cli_nor_the_store() {
        let files = crate::rust_sources("src/render");
        for path in &files {
            let text = std::fs::read_to_string(path).unwrap();
            for banned in [
                concat!("crate::", "cli"),
                concat!("crate::", "store::open"),
                concat!("rusq", "lite"),
                concat!("postgres", "::"),
            ] {
                assert!(!text.contains(banned), "{} uses {banned}", path.display());
            }
        }
        assert!(files.len() > 10, "only {} render files found", files.len());
    }
}
