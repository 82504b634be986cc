//! The `history` table: a title line, a count line and one row per value, newest first.
//!
//! The table fits the terminal without breaking a word in its short columns. When the
//! columns do not fit in one line each, it gives up width step by step, in this order: two-line
//! headers and one status per line; the time under the date; the sources, then the notes,
//! listed under the table instead of in it; narrower headers and statuses over two lines; and
//! last the names and disaggregations cut short with `…`, each then shown in full under the
//! table (nothing is dropped). Only notes, sources and the title wrap, at spaces. Without a
//! width (a pipe or a file) every column is shown in full.

use std::collections::{HashMap, HashSet};

use comfy_table::{
    presets::UTF8_FULL_CONDENSED, CellAlignment, ColumnConstraint, ContentArrangement, Table,
};

use super::values::{corrects, readable, time};
use super::{plural, safe, truncate, width, Style, Term};
use crate::framework::Indicator;
use crate::store::{Kind, StoredValue};

/// The narrowest a note or source column may be before it moves under the table.
const MIN_TEXT: usize = 16;
/// A word longer than this in a note may be broken rather than widen its column.
const LONG_WORD: usize = 24;
/// The fewest columns a name or disaggregation is cut to.
const MIN_CUT: usize = 6;

/// How much width the table gives up (see the module doc).
#[derive(Debug, Clone, Copy)]
struct Layout {
    compact: bool,
    time_under_date: bool,
    notes_in_table: bool,
    sources_in_table: bool,
    /// Narrower headers, and a status over two lines.
    narrow: bool,
}

const LAYOUTS: [Layout; 6] = [
    Layout {
        compact: false,
        time_under_date: false,
        notes_in_table: true,
        sources_in_table: true,
        narrow: false,
    },
    Layout {
        compact: true,
        time_under_date: false,
        notes_in_table: true,
        sources_in_table: true,
        narrow: false,
    },
    Layout {
        compact: true,
        time_under_date: true,
        notes_in_table: true,
        sources_in_table: true,
        narrow: false,
    },
    Layout {
        compact: true,
        time_under_date: true,
        notes_in_table: true,
        sources_in_table: false,
        narrow: false,
    },
    Layout {
        compact: true,
        time_under_date: true,
        notes_in_table: false,
        sources_in_table: false,
        narrow: false,
    },
    Layout {
        compact: true,
        time_under_date: true,
        notes_in_table: false,
        sources_in_table: false,
        narrow: true,
    },
];

/// One value's cells, made [`safe`].
struct Row {
    id: String,
    period: String,
    disaggregation: String,
    value: String,
    status: Vec<String>,
    by: String,
    at: String,
    note: String,
    source: String,
}

fn rows(values: &[StoredValue]) -> Vec<Row> {
    let corrects = corrects(values);
    let voids: HashSet<i64> = values
        .iter()
        .filter(|r| r.kind == Kind::Void)
        .map(|r| r.id)
        .collect();
    values
        .iter()
        .map(|r| {
            let mut status = Vec::new();
            match r.kind {
                Kind::Value => {}
                Kind::Explanation => status.push("explanation".to_string()),
                Kind::Void => status.push("void (reason in the note)".to_string()),
            }
            status.push(match r.replaced_by {
                None => "current".to_string(),
                Some(by) if by == r.id => "no current value".to_string(),
                Some(by) if voids.contains(&by) => format!("voided by #{by}"),
                Some(by) if r.kind == Kind::Void => format!("recorded again as #{by}"),
                Some(by) => format!("replaced by #{by}"),
            });
            if let Some(old) = corrects.get(&r.id) {
                status.push(match r.kind {
                    Kind::Void => format!("ends #{old}"),
                    Kind::Explanation => format!("explains #{old}"),
                    Kind::Value if voids.contains(old) => format!("follows void #{old}"),
                    Kind::Value => format!("corrects #{old}"),
                });
            }
            Row {
                id: format!("#{}", r.id),
                period: r.period.to_string(),
                disaggregation: if r.disaggregation.is_empty() {
                    "total".to_string()
                } else {
                    safe(&r.disaggregation).into_owned()
                },
                value: match (r.numerator, r.denominator) {
                    (Some(n), Some(d)) => {
                        format!("{} ({} / {})", readable(r.value), readable(n), readable(d))
                    }
                    _ => readable(r.value),
                },
                status,
                by: safe(&r.recorded_by).into_owned(),
                at: time(&r.recorded_at).trim_end_matches(" UTC").to_string(),
                note: safe(r.note.as_deref().unwrap_or_default()).into_owned(),
                source: safe(r.source.as_deref().unwrap_or_default()).into_owned(),
            }
        })
        .collect()
}

/// The widest line of a cell.
fn cell_width(s: &str) -> usize {
    s.lines().map(width).max().unwrap_or(0)
}

/// One column of the table.
struct Column {
    header: String,
    cells: Vec<String>,
    /// Notes and sources wrap at spaces; other columns keep their content width.
    wraps: bool,
    /// For a column that may be cut short: what its full text is called under the table.
    cut_as: Option<&'static str>,
}

/// The columns of one layout.
fn columns(rows: &[Row], layout: Layout) -> Vec<Column> {
    let mut cols = Vec::new();
    let col = |header: &str, f: &dyn Fn(&Row) -> String, wraps: bool| Column {
        header: header.to_string(),
        cells: rows.iter().map(f).collect(),
        wraps,
        cut_as: None,
    };
    cols.push(col("#", &|r| r.id.clone(), false));
    cols.push(col("period", &|r| r.period.clone(), false));
    if rows.iter().any(|r| r.disaggregation != "total") {
        let header = if layout.narrow {
            "disagg."
        } else {
            "disaggregation"
        };
        cols.push(Column {
            cut_as: Some("disaggregation"),
            ..col(header, &|r| r.disaggregation.clone(), false)
        });
    }
    cols.push(col("value", &|r| r.value.clone(), false));
    let status = |r: &Row| match (layout.compact, layout.narrow) {
        (false, _) => r.status.join("; "),
        (true, false) => r.status.join(";\n"),
        (true, true) => r
            .status
            .join(";\n")
            .replace("replaced by ", "replaced\nby ")
            .replace("corrects ", "corrects\n"),
    };
    cols.push(col("status", &status, false));
    let (by, at) = match (layout.compact, layout.narrow) {
        (false, _) => ("recorded by", "recorded at (UTC)"),
        (true, false) => ("recorded\nby", "recorded at\n(UTC)"),
        (true, true) => ("recorded\nby", "recorded\nat (UTC)"),
    };
    cols.push(Column {
        cut_as: Some("recorded by"),
        ..col(by, &|r| r.by.clone(), false)
    });
    if layout.time_under_date {
        cols.push(col(at, &|r| r.at.replacen(' ', "\n", 1), false));
    } else {
        cols.push(col(at, &|r| r.at.clone(), false));
    }
    if layout.notes_in_table && rows.iter().any(|r| !r.note.is_empty()) {
        cols.push(col("note", &|r| r.note.clone(), true));
    }
    if layout.sources_in_table && rows.iter().any(|r| !r.source.is_empty()) {
        cols.push(col("source", &|r| r.source.clone(), true));
    }
    cols
}

/// The widest cell of a column, header included.
fn content_width(col: &Column) -> usize {
    col.cells
        .iter()
        .map(|c| cell_width(c))
        .chain([cell_width(&col.header)])
        .max()
        .unwrap_or(0)
}

/// Cut the widest of the columns that may be cut, a column at a time, until the table fits
/// `max` or each is down to [`MIN_CUT`] (or its header). Returns, for each row, the full text
/// of every cell that was cut.
fn cut_to_fit(cols: &mut [Column], max: usize) -> Vec<Vec<(&'static str, String)>> {
    let rows = cols.first().map_or(0, |c| c.cells.len());
    let full: Vec<Vec<String>> = cols.iter().map(|c| c.cells.clone()).collect();
    while !fits(cols, max) {
        let widest = cols
            .iter_mut()
            .filter(|c| c.cut_as.is_some())
            .map(|c| (content_width(c), c))
            .filter(|(w, c)| *w > MIN_CUT.max(cell_width(&c.header)))
            .max_by_key(|(w, _)| *w);
        let Some((w, col)) = widest else { break };
        for cell in &mut col.cells {
            *cell = truncate(cell, w - 1);
        }
    }
    let mut cut = vec![Vec::new(); rows];
    for (col, full) in cols.iter().zip(full) {
        if let Some(what) = col.cut_as {
            for (i, (shown, full)) in col.cells.iter().zip(full).enumerate() {
                if *shown != full {
                    cut[i].push((what, full));
                }
            }
        }
    }
    cut
}

/// Whether the columns fit `max` terminal columns with each wrapping column at least
/// [`MIN_TEXT`] wide (or its longest word, or its content, if less).
fn fits(cols: &[Column], max: usize) -> bool {
    // A border and one space each side of every column.
    let mut total = 1 + 3 * cols.len();
    for col in cols {
        let content = content_width(col);
        total += if col.wraps {
            let longest_word = col
                .cells
                .iter()
                .flat_map(|c| c.split_whitespace())
                .map(width)
                .max()
                .unwrap_or(0);
            content.min(MIN_TEXT.max(longest_word.min(LONG_WORD)))
        } else {
            content
        };
    }
    total <= max
}

/// The `history` table, as text ending in a line feed.
pub fn history_table(
    code: &str,
    indicator: Option<&Indicator>,
    values: &[StoredValue],
    term: Term,
) -> String {
    // The code, then the title wrapped under it.
    let title = match indicator {
        Some(ind) => format!("{} ({})", safe(&ind.title), safe(&ind.unit)),
        None => "(not in the newest version of the strategy)".to_string(),
    };
    let shown_code = safe(code);
    let mut text = String::new();
    for (i, line) in hang(&format!("{shown_code} "), 2, &title, term.width)
        .into_iter()
        .enumerate()
    {
        if i == 0 {
            text.push_str(&term.paint(code, Style::Bold));
            text.push_str(&line[shown_code.len()..]);
        } else {
            text.push_str(&line);
        }
        text.push('\n');
    }
    let voided = values.iter().filter(|r| r.kind == Kind::Void).count();
    // Values replaced by a new value: not explained, voided, or a void followed by a value.
    let kinds: HashMap<i64, Kind> = values.iter().map(|r| (r.id, r.kind)).collect();
    let corrections = values
        .iter()
        .filter(|r| {
            r.replaced_by
                .is_some_and(|by| r.kind != Kind::Void && kinds.get(&by) == Some(&Kind::Value))
        })
        .count();
    text.push_str(&format!(
        "{}, {}{}\n",
        plural(values.len(), "value recorded", "values recorded"),
        plural(corrections, "corrected", "corrected"),
        if voided > 0 {
            format!(", {voided} voided")
        } else {
            String::new()
        }
    ));
    let rows = rows(values);
    let layout = match term.width {
        None => LAYOUTS[0],
        Some(w) => LAYOUTS
            .into_iter()
            .find(|l| fits(&columns(&rows, *l), w))
            .unwrap_or(LAYOUTS[LAYOUTS.len() - 1]),
    };
    let mut cols = columns(&rows, layout);
    let cut = match term.width {
        Some(w) => cut_to_fit(&mut cols, w),
        None => vec![Vec::new(); rows.len()],
    };
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if let Some(w) = term.width {
        table.set_width(w.min(u16::MAX as usize) as u16);
    }
    // Cells are made safe above; line breaks in them are ours.
    table.set_header(cols.iter().map(|c| comfy_table::Cell::new(&c.header)));
    for i in 0..rows.len() {
        table.add_row(cols.iter().map(|c| comfy_table::Cell::new(&c.cells[i])));
    }
    for (i, col) in cols.iter().enumerate() {
        if let Some(column) = table.column_mut(i) {
            if !col.wraps {
                column.set_constraint(ColumnConstraint::ContentWidth);
            }
            if col.header == "value" {
                column.set_cell_alignment(CellAlignment::Right);
            }
        }
    }
    text.push_str(&table.to_string());
    text.push('\n');
    text.push_str(&below(&rows, layout, term.width, &cut));
    text
}

/// What did not fit in the table, one value at a time: the notes and sources moved out of it,
/// and the full text of every cell cut short (`cut`, by row).
fn below(
    rows: &[Row],
    layout: Layout,
    max: Option<usize>,
    cut: &[Vec<(&'static str, String)>],
) -> String {
    let mut lines = Vec::new();
    let mut kinds: Vec<&str> = Vec::new();
    let mut kind = |k: &'static str| {
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    };
    for (r, cut) in rows.iter().zip(cut) {
        let mut parts = Vec::new();
        for (what, full) in cut {
            parts.push(format!("{what}: {full}"));
            kind(if *what == "recorded by" {
                "names"
            } else {
                "disaggregations"
            });
        }
        if !layout.notes_in_table && !r.note.is_empty() {
            parts.push(format!("note: {}", r.note));
            kind("notes");
        }
        if !layout.sources_in_table && !r.source.is_empty() {
            parts.push(format!("source: {}", r.source));
            kind("sources");
        }
        for (i, part) in parts.into_iter().enumerate() {
            let lead = if i == 0 { r.id.as_str() } else { "" };
            let indent = width(&r.id).max(3) + 2;
            lines.extend(hang(&format!("{lead:<indent$}"), indent, &part, max));
        }
    }
    if lines.is_empty() {
        return String::new();
    }
    let what = match kinds.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    };
    let mut out = format!("{what} (too wide for the table at this width):\n");
    for l in lines {
        out.push_str(l.trim_end());
        out.push('\n');
    }
    out
}

/// `text` after `lead`, wrapped at spaces to `max` columns, later lines indented by `indent`.
fn hang(lead: &str, indent: usize, text: &str, max: Option<usize>) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = lead.to_string();
    let mut empty = true;
    for word in text.split(' ') {
        let fits = max.is_none_or(|m| width(&cur) + 1 + width(word) <= m);
        if !empty && !fits {
            lines.push(std::mem::take(&mut cur));
            cur = " ".repeat(indent);
            empty = true;
        }
        if !empty {
            cur.push(' ');
        }
        empty = false;
        // A word wider than a whole line is broken where the line ends.
        match max {
            Some(m) if m > indent + 1 && width(&cur) + width(word) > m => {
                for c in word.chars() {
                    if width(&cur) + width(c.encode_utf8(&mut [0; 4])) > m {
                        lines.push(std::mem::take(&mut cur));
                        cur = " ".repeat(indent);
                    }
                    cur.push(c);
                }
            }
            _ => cur.push_str(word),
        }
    }
    lines.push(cur);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_and_disaggregations_are_cut_to_fit_and_kept_in_full() {
        let col = |header: &str, cell: &str, cut_as| Column {
            header: header.to_string(),
            cells: vec![cell.to_string()],
            wraps: false,
            cut_as,
        };
        let name = "monitoring.evaluation.specialist.lima@state.gov";
        let disagg = "sex=female; age=15-24; region=Loreto";
        let mut cols = vec![
            col("#", "#1", None),
            col("disagg.", disagg, Some("disaggregation")),
            col("recorded\nby", name, Some("recorded by")),
        ];
        let cut = cut_to_fit(&mut cols, 40);
        assert!(fits(&cols, 40));
        assert!(cols[1].cells[0].ends_with('…') && cols[2].cells[0].ends_with('…'));
        assert_eq!(
            cut,
            [vec![
                ("disaggregation", disagg.to_string()),
                ("recorded by", name.to_string())
            ]]
        );
        // Nothing is cut when the table fits.
        let mut cols = vec![col("#", "#1", None), col("by", name, Some("recorded by"))];
        assert_eq!(cut_to_fit(&mut cols, 80), [vec![]]);
        assert_eq!(cols[1].cells[0], name);
    }

    #[test]
    fn notes_hang_under_their_value() {
        assert_eq!(
            hang("#14  ", 5, "note: a b c", Some(12)),
            ["#14  note: a", "     b c"]
        );
        assert_eq!(hang("#1   ", 5, "x y", None), ["#1   x y"]);
        // A word longer than a line is broken at the line's end.
        assert_eq!(
            hang("#1   ", 5, "by: abcdefghijkl", Some(10)),
            ["#1   by:", "     abcde", "     fghij", "     kl"]
        );
    }
}
