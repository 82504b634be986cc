//! Version labels: what a label may be. A label names a stored version everywhere a version is
//! chosen (`--version L`, `ics diff L1 L2`), so it must be printable, typeable as it looks, and
//! must not look like a version reference: a leading `@` is reserved for `@latest`,
//! `@previous` and any later ones. So no label holds a character text output never shows raw
//! ([`unprintable`]), an invisible one ([`invisible`]), or a space at either end.
//! [`problem`] is the one statement of these rules: `load` applies it to a new label, and a
//! check of an older database can apply it to the labels already stored.

/// Whether `c` must never reach a terminal raw: control characters (C0, DEL, C1), the bidi
/// marks, embeddings, overrides and isolates, the line and paragraph separators, and the
/// invisible characters that have no use in running text (zero width space, word joiner and
/// the invisible operators, the byte order mark). The zero width (non-)joiners and the soft
/// hyphen are left alone: scripts and emoji use them in ordinary text.
pub fn unprintable(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200b}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
        )
}

/// Whether `c` prints as nothing, so a label holding it looks like one without it: the zero
/// width characters (U+200B-U+200F), the word joiner and invisible operators (U+2060-U+2064),
/// the byte order mark (U+FEFF) and the soft hyphen (U+00AD).
pub fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}' | '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{feff}'
    )
}

/// What is wrong with a version label, as a sentence for the user; `None` if it is a good one.
pub fn problem(label: &str) -> Option<String> {
    if label.trim().is_empty() {
        return Some("a version label cannot be empty".to_string());
    }
    if let Some(c) = label.chars().find(|c| unprintable(*c) && !invisible(*c)) {
        return Some(format!(
            "the version label `{label}` holds a control character (U+{:04X}), which could never be typed to select it",
            c as u32
        ));
    }
    if let Some(c) = label.chars().find(|c| invisible(*c)) {
        return Some(format!(
            "the version label `{label}` holds an invisible character (U+{:04X}), so it would look like a label it is not",
            c as u32
        ));
    }
    if label.trim() != label {
        return Some(format!(
            "the version label `{label}` starts or ends with a space, which could not be seen when it is shown"
        ));
    }
    if label.starts_with('@') {
        return Some(format!(
            "the version label `{label}` is reserved: labels starting with `@` name versions by position, like `@latest` and `@previous`"
        ));
    }
    None
}

/// Check a version label; the error is a sentence for the user (see [`problem`]).
pub fn check_label(label: &str) -> Result<(), String> {
    match problem(label) {
        None => Ok(()),
        Some(problem) => Err(problem),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert!(check_label("2020-02-07").is_ok());
        assert!(check_label("rev 2 (draft)").is_ok());
        assert!(check_label("v1@home").is_ok());
        assert_eq!(problem("v1@home"), None);
        assert!(problem("@latest").unwrap().contains("reserved"));
        assert!(problem("a\u{200b}b")
            .unwrap()
            .contains("invisible character (U+200B)"));
        assert!(problem(" v1")
            .unwrap()
            .contains("starts or ends with a space"));
        for bad in [
            "",
            "  ",
            "@latest",
            "@previous",
            "@x",
            "v\x1b[2J",
            "v\u{202e}",
            "a\nb",
            "a\u{200b}b",
            "a\u{200d}b",
            "\u{feff}v1",
            "v\u{ad}1",
            " lead",
            "trail ",
            "\u{a0}v1",
        ] {
            assert!(check_label(bad).is_err(), "{bad:?}");
        }
    }
}
