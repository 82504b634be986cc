//! Making framework and value texts safe in the page: [`esc`] for element text and attribute
//! values, [`anchor`] for fragment ids built from codes (which may hold quotes, spaces,
//! right-to-left marks or emoji).

use std::fmt::Write;

/// Escape text for HTML element content and quoted attribute values. Control characters (other
/// than tab and newline) and noncharacters, which HTML forbids, become U+FFFD.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() || is_noncharacter(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn is_noncharacter(c: char) -> bool {
    let u = c as u32;
    (0xFDD0..=0xFDEF).contains(&u) || (u & 0xFFFE) == 0xFFFE
}

/// A fragment id for a node (`prefix` `n`) or an indicator (`i`): letters, digits and `-` are
/// kept, every other character (`_` included) becomes `_` + its hex code + `_`, so different
/// codes always give different ids.
pub fn anchor(prefix: &str, code: &str) -> String {
    let mut out = format!("{prefix}-");
    for c in code.chars() {
        if c.is_ascii_alphanumeric() || c == '-' {
            out.push(c);
        } else {
            let _ = write!(out, "_{:x}_", c as u32);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_text_and_attributes() {
        assert_eq!(
            esc(r#"<script>alert("1")</script> & 'x'"#),
            "&lt;script&gt;alert(&quot;1&quot;)&lt;/script&gt; &amp; &#39;x&#39;"
        );
        assert_eq!(esc("a\u{0}b\u{1b}c\td\ne"), "a\u{FFFD}b\u{FFFD}c\td\ne");
        assert_eq!(esc("\u{FFFF}\u{FDD0}ok"), "\u{FFFD}\u{FFFD}ok");
        assert_eq!(esc("\u{200f}🚀 é"), "\u{200f}🚀 é");
    }

    #[test]
    fn anchors_are_plain_and_distinct() {
        assert_eq!(anchor("i", "IND-POVERTY"), "i-IND-POVERTY");
        assert_eq!(anchor("n", "MO2.2"), "n-MO2_2e_2");
        assert_eq!(
            anchor("n", "G \"1\" \u{200f}🚀"),
            "n-G_20__22_1_22__20__200f__1f680_"
        );
        // `_` is encoded too, so `a_2e_b` and `a.b` cannot meet.
        assert_ne!(anchor("n", "a_2e_b"), anchor("n", "a.b"));
        for code in ["a b", "a\"b", "<x>", "ü", "a_b"] {
            let id = anchor("n", code);
            assert!(id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        }
    }
}
