//! Text from files and the database made harmless for a terminal: the one function every text
//! output passes user text through ([`safe`]), and the one markdown escaper ([`markdown`]).
//!
//! A partner's framework file or a colleague's note may hold terminal control sequences
//! (`ESC[2J` clears the screen, OSC 8 plants a hyperlink, BEL rings) or bidi overrides that
//! reorder what a reader sees. [`safe`] shows each such character as Rust writes it in a string
//! literal, so it stays visible and does nothing: ESC as `\u{1b}`, BEL as `\u{7}`, a line feed
//! as `\n`, tab `\t`, carriage return `\r`, NUL `\0`, U+202E as `\u{202e}`. Escaped are every
//! control character (C0, DEL, C1), the bidi embeddings, overrides and isolates
//! (U+202A-U+202E, U+2066-U+2069), the bidi marks (U+200E, U+200F, U+061C), the line and
//! paragraph separators (U+2028, U+2029), and the invisible zero width space (U+200B), word
//! joiner and invisible operators (U+2060-U+2064) and byte order mark (U+FEFF), which would
//! otherwise make two different texts look alike. A backslash is left alone: text that already reads
//! `\u{1b}` is just text. JSON output needs none of this (serde escapes controls), nor do the
//! CSV exports, which must read back exactly what was stored.
//!
//! Renderers that colour apply [`safe`] to each piece of user text ([`super::Term::paint`] and
//! [`super::cell`] do it themselves). Commands whose whole output is plain text (the
//! confirmations of `load`, `record`, `import-values`, ...) are handed a [`SafeWriter`] by
//! the dispatcher instead, so no line they write can forget it.

use std::borrow::Cow;
use std::io::Write;

use crate::framework::unprintable as hostile;

/// `s` with every control character and bidi control shown as an escape (see the module
/// doc); borrowed when there is nothing to escape, which is nearly always.
pub fn safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(hostile) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if hostile(c) {
            match c {
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                '\0' => out.push_str("\\0"),
                c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `s` as markdown text that renders as itself: [`safe`], line breaks as spaces, and a
/// backslash before every character markdown could read as markup (emphasis, code spans,
/// links and images by their brackets, raw HTML and autolinks by their angle brackets,
/// entities, headings, tables, strikethrough). Parentheses stay: without a bracket before
/// them they are no link.
pub fn markdown(s: &str) -> String {
    let one_line = s.replace(['\n', '\r'], " ");
    let s = safe(&one_line);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '~' | '|' | '#' | '&'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `s` as a markdown code span: backticks around it, unless it holds a backtick or a pipe,
/// then as escaped text (a code span cannot escape them).
pub fn markdown_code(s: &str) -> String {
    if s.is_empty() || s.contains(['`', '|', '\n', '\r']) {
        markdown(s)
    } else {
        format!("`{}`", safe(s))
    }
}

/// `safe`, keeping line feeds: for a stream of lines.
fn safe_lines(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && hostile(c)) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.split('\n').map(safe).collect::<Vec<_>>().join("\n"))
}

/// A writer that passes plain text through [`safe`] (line feeds kept), for commands whose
/// output is text with no colour of its own. A character split across two writes is held
/// until its last byte arrives; bytes that are not UTF-8 are written as U+FFFD.
pub struct SafeWriter<'a> {
    inner: &'a mut dyn Write,
    /// The start of a character whose remaining bytes have not been written yet.
    pending: Vec<u8>,
}

impl<'a> SafeWriter<'a> {
    pub fn new(inner: &'a mut dyn Write) -> Self {
        SafeWriter {
            inner,
            pending: Vec::new(),
        }
    }
}

impl Write for SafeWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        let bytes = std::mem::take(&mut self.pending);
        let mut rest = &bytes[..];
        while !rest.is_empty() {
            match std::str::from_utf8(rest) {
                Ok(text) => {
                    self.inner.write_all(safe_lines(text).as_bytes())?;
                    rest = &[];
                }
                Err(e) => {
                    let (good, bad) = rest.split_at(e.valid_up_to());
                    let good = std::str::from_utf8(good).expect("checked valid");
                    self.inner.write_all(safe_lines(good).as_bytes())?;
                    match e.error_len() {
                        // An incomplete character at the end: wait for the rest.
                        None => {
                            self.pending = bad.to_vec();
                            rest = &[];
                        }
                        Some(n) => {
                            self.inner.write_all("\u{fffd}".as_bytes())?;
                            rest = &bad[n..];
                        }
                    }
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_visible_escapes() {
        assert!(matches!(safe("plain – text ✓"), Cow::Borrowed(_)));
        assert_eq!(safe("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(
            safe("\x1b]8;;http://x\x07link"),
            "\\u{1b}]8;;http://x\\u{7}link"
        );
        assert_eq!(safe("a\nb\tc\rd\0"), "a\\nb\\tc\\rd\\0");
        assert_eq!(safe("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(safe("abc\u{202e}def\u{2066}"), "abc\\u{202e}def\\u{2066}");
        assert_eq!(safe("\u{7f}"), "\\u{7f}");
        assert_eq!(safe("a\u{200b}b\u{feff}"), "a\\u{200b}b\\u{feff}");
        // Joiners and soft hyphens have uses in ordinary text.
        assert!(matches!(safe("क्\u{200d}ष co\u{ad}op"), Cow::Borrowed(_)));
    }

    #[test]
    fn the_writer_escapes_a_stream_of_lines() {
        let mut out = Vec::new();
        let mut w = SafeWriter::new(&mut out);
        let text = "loaded \x1b[2J\x07 ✓\nnext line\n".as_bytes();
        // Byte by byte, so characters arrive split.
        for b in text {
            w.write_all(std::slice::from_ref(b)).unwrap();
        }
        w.write_all(b"\xff\n").unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "loaded \\u{1b}[2J\\u{7} ✓\nnext line\n\u{fffd}\n"
        );
    }

    #[test]
    fn markdown_neutralises_markup() {
        assert_eq!(
            markdown("<b>[x](javascript:y)</b> `c` a|b"),
            "\\<b\\>\\[x\\](javascript:y)\\</b\\> \\`c\\` a\\|b"
        );
        assert_eq!(markdown("a\nb\x1b"), "a b\\\\u{1b}");
        assert_eq!(markdown_code("MO1.1"), "`MO1.1`");
        assert_eq!(markdown_code("a`b"), "a\\`b");
    }
}
