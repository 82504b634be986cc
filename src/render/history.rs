//! The `history` table: a title line, a count line and one row per value, newest first.
//!
//! The table fits the terminal without breaking a word in its short columns. When the
//! columns do not fit in one line each, it gives up width step by step, in this order: two-line
//! headers and one status per line; the time under the date; the sources, then the notes,
//! listed under the table instead of in it (nothing is dropped). Only notes and sources
//! wrap, at spaces. Without a width (a pipe or a file) every column is shown in full.

use comfy_table::{
    presets::UTF8_FULL_CONDENSED, CellAlignment, ColumnConstraint, ContentArrangement, Table,
};

use super::values::{corrects, number, time};
use super::{plural, safe, width, Style, Term};
use crate::framework::Indicator;
use crate::store::StoredValue;

/// The narrowest a note or source column may be before it moves under the table.
const MIN_TEXT: usize = 16;
/// A word longer than this in a note may be broken rather than widen its column.
const LONG_WORD: usize = 24;

/// How much width the table gives up (see the module doc).
#[derive(Debug, Clone, Copy)]
struct Layout {
    compact: bool,
    time_under_date: bool,
    notes_in_table: bool,
    sources_in_table: bool,
}

const LAYOUTS: [Layout; 5] = [
    Layout {
        compact: false,
        time_under_date: false,
        notes_in_table: true,
        sources_in_table: true,
    },
    Layout {
        compact: true,
        time_under_date: false,
        notes_in_table: true,
        sources_in_table: true,
    },
    Layout {
        compact: true,
        time_under_date: true,
        notes_in_table: true,
        sources_in_table: true,
    },
    Layout {
        compact: true,
        time_under_date: true,
        notes_in_table: true,
        sources_in_table: false,
    },
    Layout {
        compact: true,
        time_under_date: true,
        notes_in_table: false,
        sources_in_table: false,
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
    values
        .iter()
        .map(|r| {
            let mut status = vec![match r.replaced_by {
                None => "current".to_string(),
                Some(by) => format!("replaced by #{by}"),
            }];
            if let Some(old) = corrects.get(&r.id) {
                status.push(format!("corrects #{old}"));
            }
            Row {
                id: format!("#{}", r.id),
                period: r.period.to_string(),
                disaggregation: if r.disaggregation.is_empty() {
                    "total".to_string()
                } else {
                    safe(&r.disaggregation).into_owned()
                },
                value: number(r.value),
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

/// The columns of one layout: header and cells, and whether the column wraps (notes and
/// sources) or keeps its content width.
fn columns(rows: &[Row], layout: Layout) -> Vec<(String, Vec<String>, bool)> {
    let mut cols = Vec::new();
    let col = |header: &str, f: &dyn Fn(&Row) -> String, wraps: bool| {
        (header.to_string(), rows.iter().map(f).collect(), wraps)
    };
    cols.push(col("#", &|r| r.id.clone(), false));
    cols.push(col("period", &|r| r.period.clone(), false));
    if rows.iter().any(|r| r.disaggregation != "total") {
        cols.push(col("disaggregation", &|r| r.disaggregation.clone(), false));
    }
    cols.push(col("value", &|r| r.value.clone(), false));
    let sep = if layout.compact { ";\n" } else { "; " };
    cols.push(col("status", &|r| r.status.join(sep), false));
    let (by, at) = if layout.compact {
        ("recorded\nby", "recorded at\n(UTC)")
    } else {
        ("recorded by", "recorded at (UTC)")
    };
    cols.push(col(by, &|r| r.by.clone(), false));
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

/// Whether the columns fit `max` terminal columns with each wrapping column at least
/// [`MIN_TEXT`] wide (or its longest word, or its content, if less).
fn fits(cols: &[(String, Vec<String>, bool)], max: usize) -> bool {
    // A border and one space each side of every column.
    let mut total = 1 + 3 * cols.len();
    for (header, cells, wraps) in cols {
        let content = cells
            .iter()
            .map(|c| cell_width(c))
            .chain([cell_width(header)])
            .max()
            .unwrap_or(0);
        total += if *wraps {
            let longest_word = cells
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
    let mut text = match indicator {
        Some(ind) => format!(
            "{} {} ({})\n",
            term.paint(code, Style::Bold),
            safe(&ind.title),
            safe(&ind.unit)
        ),
        None => format!(
            "{} (not in the newest version of the strategy)\n",
            term.paint(code, Style::Bold)
        ),
    };
    let corrections = values.iter().filter(|r| r.replaced_by.is_some()).count();
    text.push_str(&format!(
        "{}, {}\n",
        plural(values.len(), "value recorded", "values recorded"),
        plural(corrections, "corrected", "corrected")
    ));
    let rows = rows(values);
    let layout = match term.width {
        None => LAYOUTS[0],
        Some(w) => LAYOUTS
            .into_iter()
            .find(|l| fits(&columns(&rows, *l), w))
            .unwrap_or(LAYOUTS[LAYOUTS.len() - 1]),
    };
    let cols = columns(&rows, layout);
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if let Some(w) = term.width {
        table.set_width(w.min(u16::MAX as usize) as u16);
    }
    // Cells are made safe above; line breaks in them are ours.
    table.set_header(cols.iter().map(|(h, _, _)| comfy_table::Cell::new(h)));
    for i in 0..rows.len() {
        table.add_row(
            cols.iter()
                .map(|(_, cells, _)| comfy_table::Cell::new(&cells[i])),
        );
    }
    for (i, (header, _, wraps)) in cols.iter().enumerate() {
        if let Some(column) = table.column_mut(i) {
            if !wraps {
                column.set_constraint(ColumnConstraint::ContentWidth);
            }
            if header == "value" {
                column.set_cell_alignment(CellAlignment::Right);
            }
        }
    }
    text.push_str(&table.to_string());
    text.push('\n');
    text.push_str(&below(&rows, layout, term.width));
    text
}

/// The notes and sources that did not fit in the table, one value at a time.
fn below(rows: &[Row], layout: Layout, max: Option<usize>) -> String {
    let mut lines = Vec::new();
    for r in rows {
        let mut parts = Vec::new();
        if !layout.notes_in_table && !r.note.is_empty() {
            parts.push(format!("note: {}", r.note));
        }
        if !layout.sources_in_table && !r.source.is_empty() {
            parts.push(format!("source: {}", r.source));
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
    let what = match (layout.notes_in_table, layout.sources_in_table) {
        (false, false) => "notes and sources",
        (true, false) => "sources",
        _ => "notes",
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
        cur.push_str(word);
        empty = false;
    }
    lines.push(cur);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_hang_under_their_value() {
        assert_eq!(
            hang("#14  ", 5, "note: a b c", Some(12)),
            ["#14  note: a", "     b c"]
        );
        assert_eq!(hang("#1   ", 5, "x y", None), ["#1   x y"]);
    }
}
