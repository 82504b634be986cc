//! Text cells of values: notes and sources, the spreadsheet formula guard, and timestamps.
//!
//! The guard (docs/decisions.md item 11): a CSV text cell that begins with `=`, `+`, `-`, `@`, tab or
//! carriage return is written with a leading `'`, so a spreadsheet shows it as text instead of
//! running it as a formula; import removes that `'`. A cell that itself begins with `'` followed
//! by one of those characters (or another `'`) is guarded too, so every text survives the round
//! trip, while a hand-typed `'quoted' phrase` is left alone.

use std::borrow::Cow;
use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// Characters that make a spreadsheet treat a cell as a formula.
fn is_formula_start(c: u8) -> bool {
    matches!(c, b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
}

/// Whether `s` starts with a guard `'` that import removes.
fn has_guard(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == b'\'' && (is_formula_start(b[1]) || b[1] == b'\'')
}

/// The text as written to a CSV cell: with a leading `'` where a spreadsheet would see a formula.
pub fn guard(s: &str) -> Cow<'_, str> {
    match s.as_bytes().first() {
        Some(&c) if is_formula_start(c) || (c == b'\'' && has_guard(s)) => {
            Cow::Owned(format!("'{s}"))
        }
        _ => Cow::Borrowed(s),
    }
}

/// The text of a CSV cell with one guard `'` removed.
pub fn unguard(s: &str) -> &str {
    if has_guard(s) {
        &s[1..]
    } else {
        s
    }
}

/// The first control character in `s` that no stored text may hold: C0 controls (NUL, ESC,
/// BEL...), DEL and C1 controls. Notes and sources (`breaks`) may hold tabs and line breaks.
/// They are refused on input because they do harm on output: a NUL cuts a CSV cell short in
/// many programs, and ESC or BEL drive the terminal that prints them.
pub fn control_char(s: &str, breaks: bool) -> Option<char> {
    if !s.bytes().any(|b| b < 0x20 || b == 0x7f || b == 0xc2) {
        return None; // the usual text, checked without decoding
    }
    s.chars()
        .find(|&c| c.is_control() && !(breaks && matches!(c, '\t' | '\n' | '\r')))
}

/// `s` with each control character that [`control_char`] refuses (tabs and line breaks are
/// kept) shown as its Unicode control picture (NUL as `␀`, ESC as `␛`, DEL as `␡`; a C1
/// control as `�`), for text an older ics stored before such characters were refused.
pub fn visible_controls(s: &str) -> Cow<'_, str> {
    if control_char(s, true).is_none() {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\t' | '\n' | '\r' => c,
                '\0'..='\x1f' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
                '\x7f' => '\u{2421}',
                c if c.is_control() => '\u{fffd}',
                c => c,
            })
            .collect(),
    )
}

/// A note or source as stored: trimmed, and `None` when empty.
pub fn clean_text(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// Parse a `recorded_at` cell and write it, in UTC, as the store keeps timestamps
/// (`2026-01-15T12:00:00.000000Z`) into `out`. Accepts RFC 3339 (`2026-01-15T12:00:00Z`,
/// `2026-01-15T07:00:00-05:00`), a date and time without zone (taken as UTC, as spreadsheets
/// write them: `2026-01-15 12:00:00`), or a date (midnight UTC).
pub fn parse_timestamp(input: &str, out: &mut String) -> Result<(), String> {
    let s = input.trim();
    let utc: DateTime<Utc> = if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        t.with_timezone(&Utc)
    } else if let Some(t) = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    {
        t.and_utc()
    } else if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc()
    } else {
        return Err(format!(
            "`{s}` is not a time; write it like `2026-01-15T12:00:00Z` (UTC) or `2026-01-15 12:00:00`"
        ));
    };
    out.clear();
    write!(out, "{}", utc.format("%Y-%m-%dT%H:%M:%S%.6fZ")).expect("writing to a String");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_round_trips() {
        for s in [
            "=SUM(A1)",
            "+1",
            "-3 percent",
            "@x",
            "\tx",
            "\rx",
            "'=x",
            "''",
            "'",
            "'quoted'",
            "plain",
            "",
            "'-'",
        ] {
            assert_eq!(unguard(&guard(s)), s, "{s:?}");
        }
        assert_eq!(guard("=1+1"), "'=1+1");
        assert_eq!(guard("-5"), "'-5");
        assert_eq!(guard("'quoted' phrase"), "'quoted' phrase");
        assert_eq!(unguard("'quoted' phrase"), "'quoted' phrase");
        assert_eq!(unguard("'@x"), "@x");
    }

    #[test]
    fn timestamps() {
        let mut out = String::new();
        for (input, want) in [
            ("2026-01-15T12:00:00Z", "2026-01-15T12:00:00.000000Z"),
            ("2026-01-15T12:00:00.123456Z", "2026-01-15T12:00:00.123456Z"),
            ("2026-01-15T07:00:00-05:00", "2026-01-15T12:00:00.000000Z"),
            ("2026-01-15 12:00:00", "2026-01-15T12:00:00.000000Z"),
            ("2026-01-15 12:00", "2026-01-15T12:00:00.000000Z"),
            (" 2026-01-15 ", "2026-01-15T00:00:00.000000Z"),
        ] {
            parse_timestamp(input, &mut out).unwrap();
            assert_eq!(out, want, "{input}");
        }
        for bad in ["yesterday", "2026-13-01", "15/01/2026", ""] {
            let err = parse_timestamp(bad, &mut out).unwrap_err();
            assert!(err.contains("2026-01-15T12:00:00Z"), "{bad}: {err}");
        }
    }

    #[test]
    fn control_characters() {
        assert_eq!(control_char("plain text, ünïcode 🙂", false), None);
        assert_eq!(control_char("a\tb\r\nc", true), None);
        assert_eq!(control_char("a\tb", false), Some('\t'));
        assert_eq!(control_char("a\0b", true), Some('\0'));
        assert_eq!(control_char("\x1b[2J", true), Some('\x1b'));
        assert_eq!(control_char("del\x7f", true), Some('\x7f'));
        assert_eq!(control_char("csi\u{9b}", true), Some('\u{9b}'));
        assert_eq!(control_char("é à ¢", true), None); // 0xC2 lead bytes that are not C1
        assert_eq!(
            visible_controls("a\0b\x1b\x7f\u{85}\tz\r\n"),
            "a\u{2400}b\u{241b}\u{2421}\u{fffd}\tz\r\n"
        );
        assert!(matches!(visible_controls("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn clean() {
        assert_eq!(clean_text(Some("  x ")), Some("x"));
        assert_eq!(clean_text(Some("  ")), None);
        assert_eq!(clean_text(None), None);
    }
}
