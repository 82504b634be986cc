//! Reading a framework file: TOML text to a validated [`Framework`], or every problem found.
//!
//! The whole file is checked before anything is returned: TOML syntax, unknown keys, required
//! fields, value types, duplicate codes, nesting, `supports` and `applies_to` targets, and the
//! indicator rules (periods, percent ranges, quarter targets on annual indicators). Each problem
//! is reported as `FILE:LINE:COL: message`, sorted by position.

//!
//! `mod.rs` holds the entry points and positions; `check.rs` walks the document (nodes,
//! strategy, settings); `indicator.rs` checks indicators; `iati.rs` reads `[iati]` and
//! `[settings.lint]`; `fields.rs` reads typed fields.

mod check;
mod fields;
mod iati;
mod indicator;

use crate::error::{Diagnostic, Error};
use crate::files::{input, io_reason};
use crate::framework::model::{Framework, NodeKind};
use check::Checker;
use toml::de::DeTable;

pub use fields::closest;

/// Largest framework file read at all (the contract sets no cap below 64 MiB), counted in
/// bytes actually read, so a device or a pipe is bounded too.
pub const MAX_FILE_BYTES: u64 = crate::files::input::MAX_INPUT_BYTES;

/// Read and validate a framework file from disk.
pub fn read_file(path: &std::path::Path) -> Result<Framework, Error> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| file_error(&shown, &e))?;
    if meta.is_dir() {
        return Err(Error::input(format!(
            "`{shown}` is a directory, not a framework file"
        )));
    }
    let bytes = match input::read_bounded(path, MAX_FILE_BYTES) {
        Ok(bytes) => bytes,
        Err(input::BoundedReadError::Io(e)) => return Err(file_error(&shown, &e)),
        Err(input::BoundedReadError::TooLarge) => {
            let limit = input::describe_limit(MAX_FILE_BYTES);
            return Err(Error::input(format!(
                "`{shown}` is larger than {limit}; a framework file may be at most {limit}"
            )));
        }
    };
    parse_bytes(&bytes, &shown)
}

pub fn file_error(shown: &str, e: &std::io::Error) -> Error {
    match e.kind() {
        std::io::ErrorKind::NotFound => Error::input(format!("cannot find `{shown}`")),
        std::io::ErrorKind::PermissionDenied => {
            Error::input(format!("permission denied reading `{shown}`"))
        }
        _ => Error::input(format!("cannot read `{shown}`: {}", io_reason(e))),
    }
}

/// Validate framework bytes; `file` names the file in messages.
pub fn parse_bytes(bytes: &[u8], file: &str) -> Result<Framework, Error> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let ix = LineIndex::new(&bytes[..e.valid_up_to()]);
            let (line, col) = ix.position(e.valid_up_to());
            return Err(located(
                file,
                vec![Diagnostic {
                    location: format!("{file}:{line}:{col}"),
                    message: "this is not UTF-8 text; a framework file is a TOML text file".into(),
                }],
            ));
        }
    };
    parse_str(text, file)
}

/// Validate framework text; `file` names the file in messages.
pub fn parse_str(text: &str, file: &str) -> Result<Framework, Error> {
    let mut cx = Checker::new(text);
    let framework = if text.trim().is_empty() {
        cx.problem(
            0,
            "the file is empty; a framework needs at least a `[strategy]` table",
        );
        None
    } else if text.contains('\0') {
        let at = text.find('\0').unwrap_or(0);
        cx.problem(at, "this is a binary file, not a TOML framework file");
        None
    } else {
        let orphans = orphan_headers(text);
        for (at, header, parent) in &orphans {
            cx.problem(
                *at,
                format!("unknown parent: `[[{header}]]` comes before any `[[{parent}]]` that could hold it"),
            );
        }
        // Big files are read one top-level node table at a time (the same result, without the
        // whole document tree in memory); anything unusual falls back to reading it whole.
        let in_parts = if orphans.is_empty() {
            read_in_parts(text)
        } else {
            None
        };
        if let Some((parts_checker, framework)) = in_parts {
            cx = parts_checker;
            framework
        } else {
            let (root, errors) = DeTable::parse_recoverable(text);
            if errors.is_empty() && orphans.is_empty() {
                cx.framework(root.get_ref())
            } else {
                for e in errors {
                    let span = e.span().unwrap_or(0..0);
                    let msg = e.message().lines().next().unwrap_or("invalid TOML").trim();
                    let at_text = text.get(span.clone()).unwrap_or("").trim();
                    if msg.contains("duplicate key") {
                        // `[[goal]]` after an orphan `[[goal.objective]]` is a consequence, not a
                        // second problem.
                        let line = header_at(text, span.start);
                        if orphans
                            .iter()
                            .any(|(_, _, parent)| Some(parent.as_str()) == line.as_deref())
                        {
                            continue;
                        }
                        if !at_text.is_empty() && !at_text.contains('\n') {
                            cx.problem(span.start, format!("`{at_text}` is given twice"));
                            continue;
                        }
                    }
                    cx.problem(span.start, format!("invalid TOML: {msg}"));
                }
                None
            }
        }
    };
    match framework {
        Some(f) if cx.problems.is_empty() => Ok(f),
        _ => {
            let ix = LineIndex::new(text.as_bytes());
            cx.problems.sort_by_key(|(at, _)| *at);
            let diagnostics = cx
                .problems
                .into_iter()
                .map(|(at, message)| {
                    let (line, col) = ix.position(at);
                    Diagnostic {
                        location: format!("{file}:{line}:{col}"),
                        message,
                    }
                })
                .collect();
            Err(located(file, diagnostics))
        }
    }
}

/// Read `text` in parts: the head before the first top-level node table, then each top-level
/// `[[goal]]`, `[[management_objective]]`, `[[development_objective]]` or `[[theme]]` with
/// everything nested under it. `None` when the file has fewer than two such tables or a part
/// does not read cleanly on its own (then it is read whole, with the usual messages).
fn read_in_parts(text: &str) -> Option<(Checker, Option<Framework>)> {
    let mut starts = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(h) = array_header(line) {
            if NodeKind::TOP_LEVEL.iter().any(|k| k.as_str() == h) {
                starts.push(offset);
            }
        }
        offset += line.len();
    }
    if starts.len() < 2 {
        return None;
    }
    let (head, errors) = DeTable::parse_recoverable(&text[..starts[0]]);
    if !errors.is_empty() {
        return None;
    }
    let mut cx = Checker::new(text);
    let ends = starts
        .iter()
        .skip(1)
        .copied()
        .chain(std::iter::once(text.len()));
    let parts = starts.iter().copied().zip(ends).map(|(s, e)| {
        let (part, errors) = DeTable::parse_recoverable(&text[s..e]);
        (s, errors.is_empty().then_some(part))
    });
    let framework = cx.framework_in_parts(head.get_ref(), parts)?;
    Some((cx, framework))
}

/// Array-of-tables headers (`[[a.b]]`) that appear before any `[[a]]`: their byte offset, the
/// header and the missing parent.
fn orphan_headers(text: &str) -> Vec<(usize, String, String)> {
    let mut seen: Vec<String> = Vec::new();
    let mut orphans = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        let Some(header) = array_header(line) else {
            // A plain `[iati]` table can hold `[[iati.participating_org]]`.
            if let Some(table) = table_header(line) {
                seen.push(table);
            }
            continue;
        };
        if let Some((parent, _)) = header.rsplit_once('.') {
            if !seen.iter().any(|s| s == parent) && !orphans.iter().any(|(_, _, p)| p == parent) {
                let col = line.len() - line.trim_start().len();
                orphans.push((at + col, header.clone(), parent.to_string()));
            }
        }
        seen.push(header);
    }
    orphans
}

/// The dotted path of a `[[...]]` header line (spaces removed), if the line is one.
fn array_header(line: &str) -> Option<String> {
    header_path(line.trim().strip_prefix("[[")?, "]]")
}

/// The dotted path of a `[...]` (single-bracket) table header line, if the line is one.
fn table_header(line: &str) -> Option<String> {
    let t = line.trim();
    if t.starts_with("[[") {
        return None;
    }
    header_path(t.strip_prefix('[')?, "]")
}

/// The dotted path of a header whose opening brackets are already removed from `inner`, if
/// the line holds only the header (and perhaps a comment) after its `close`.
fn header_path(inner: &str, close: &str) -> Option<String> {
    let end = inner.find(close)?;
    let rest = inner[end + close.len()..].trim();
    if !rest.is_empty() && !rest.starts_with('#') {
        return None;
    }
    Some(
        inner[..end]
            .split('.')
            .map(str::trim)
            .collect::<Vec<_>>()
            .join("."),
    )
}

/// The header path of the line containing `offset`, if that line is a `[[...]]` header.
fn header_at(text: &str, offset: usize) -> Option<String> {
    let start = text[..offset.min(text.len())]
        .rfind('\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    let end = text[start..]
        .find('\n')
        .map(|i| start + i)
        .unwrap_or(text.len());
    array_header(&text[start..end])
}

fn located(file: &str, diagnostics: Vec<Diagnostic>) -> Error {
    let n = diagnostics.len();
    let summary = if n == 1 {
        format!("`{file}` has a problem")
    } else {
        format!("`{file}` has {n} problems")
    };
    Error::Located {
        diagnostics,
        summary,
    }
}

/// Byte offset to 1-based line and column (in characters).
struct LineIndex<'a> {
    text: &'a [u8],
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a [u8]) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { text, starts }
    }

    fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|s| *s <= offset);
        let start = self.starts[line - 1];
        let col = String::from_utf8_lossy(&self.text[start..offset])
            .chars()
            .count();
        (line, col + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(text: &str) -> Result<Framework, Error> {
        let mut cx = Checker::new(text);
        let (root, errors) = DeTable::parse_recoverable(text);
        assert!(errors.is_empty());
        match cx.framework(root.get_ref()) {
            Some(f) if cx.problems.is_empty() => Ok(f),
            _ => Err(Error::input(format!("{:?}", cx.problems))),
        }
    }

    #[test]
    fn reading_in_parts_gives_the_same_framework() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/framework.toml"))
            .unwrap();
        let (cx, parts) = read_in_parts(&text).expect("the shipped file is read in parts");
        assert!(cx.problems.is_empty());
        assert_eq!(parts.unwrap(), whole(&text).unwrap());
    }

    #[test]
    fn problems_found_in_parts_keep_their_file_positions() {
        let text = "[strategy]\ncode = \"s\"\ntitle = \"S\"\nversion = \"1\"\n\n[[goal]]\ncode = \"G1\"\ntitle = \"One\"\n\n[[goal]]\ncode = \"G1\"\ntitle = \"Two\"\n\n[[development_objective]]\ncode = \"D\"\ntitle = \"D\"\nsupports = [\"G1\"]\n";
        let err = parse_str(text, "f.toml").unwrap_err();
        let Error::Located { diagnostics, .. } = err else {
            panic!("{err:?}")
        };
        let shown: Vec<String> = diagnostics.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            shown,
            [
                "f.toml:11:8: duplicate code `G1` (first used on line 7); codes must be unique in the file",
                "f.toml:17:13: `D` supports `G1`, a Mission Goal; a link joins a Development Objective, Intermediate Result or sub-result (`supports`) to a Mission Objective or sub-objective (`supported_by`)",
            ]
        );
    }

    #[test]
    fn unusual_layouts_fall_back_to_reading_whole() {
        // `[settings]` after the nodes, and a node table inside a multi-line string.
        let late_settings = "[strategy]\ncode = \"s\"\ntitle = \"S\"\nversion = \"1\"\n[[goal]]\ncode = \"A\"\ntitle = \"A\"\n[[goal]]\ncode = \"B\"\ntitle = \"B\"\n[settings]\ndeviation_threshold = 5\n";
        assert!(read_in_parts(late_settings).is_none());
        assert_eq!(
            parse_str(late_settings, "f")
                .unwrap()
                .settings
                .deviation_threshold,
            5.0
        );
        let in_string = "[strategy]\ncode = \"s\"\ntitle = \"S\"\nversion = \"1\"\n[[goal]]\ncode = \"A\"\ntitle = \"A\"\ndescription = \"\"\"\n[[goal]]\n\"\"\"\n[[goal]]\ncode = \"B\"\ntitle = \"B\"\n";
        assert!(read_in_parts(in_string).is_none());
        let fw = parse_str(in_string, "f").unwrap();
        assert_eq!(fw.nodes.len(), 2);
        assert_eq!(fw.nodes[0].description.as_deref(), Some("[[goal]]\n"));
    }
}
