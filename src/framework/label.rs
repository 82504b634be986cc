//! Version labels: what a label may be. A label names a stored version everywhere a version is
//! chosen (`--version L`, `ics diff L1 L2`), so it must be printable and must not look like a
//! version reference: a leading `@` is reserved for `@latest`, `@previous` and any later ones.
//! The same characters that no label may hold are the ones text output never shows raw
//! ([`unprintable`]).

/// Whether `c` must never reach a terminal raw: control characters (C0, DEL, C1), the bidi
/// marks, embeddings, overrides and isolates, and the line and paragraph separators.
pub fn unprintable(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// Check a version label; the error is a sentence for the user.
pub fn check_label(label: &str) -> Result<(), String> {
    if label.trim().is_empty() {
        return Err("a version label cannot be empty".to_string());
    }
    if let Some(c) = label.chars().find(|c| unprintable(*c)) {
        return Err(format!(
            "the version label `{label}` holds a control character (U+{:04X}), which could never be typed to select it",
            c as u32
        ));
    }
    if label.starts_with('@') {
        return Err(format!(
            "the version label `{label}` is reserved: labels starting with `@` name versions by position, like `@latest` and `@previous`"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert!(check_label("2020-02-07").is_ok());
        assert!(check_label("rev 2 (draft)").is_ok());
        assert!(check_label("v1@home").is_ok());
        for bad in [
            "",
            "  ",
            "@latest",
            "@previous",
            "@x",
            "v\x1b[2J",
            "v\u{202e}",
            "a\nb",
        ] {
            assert!(check_label(bad).is_err(), "{bad:?}");
        }
    }
}
