//! Rendering the progress report: a terminal table (comfy-table) with roll-up rows and a trend
//! sparkline, a GitHub markdown table, CSV (csv crate, formula-guarded) and JSON.
//!
//! Table and markdown round percent to one decimal; CSV and JSON carry unrounded numbers and
//! only the indicator rows (roll-ups are for people). Colour only when [`Term::color`] says so,
//! and never alone: every status is also a word.

use comfy_table::{Attribute, Cell, CellAlignment, Color, ColumnConstraint, ContentArrangement};

use super::safe::markdown as md_text;
use super::{cell, plural, safe, Term};
use crate::framework::Direction;
use crate::progress::{Counts, Line, ProgressRow, Report, Rollup, Status};

mod export;

pub use export::{csv, json, CSV_COLUMNS};

/// The sparkline levels, lowest first.
pub const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// The mark for a year with no value.
pub const GAP: char = '·';

/// A sparkline of `values`, scaled from zero (or from the lowest value, when one is below
/// zero) to the highest, so that a small change looks small (22 then 23 is `██`, not `▁█`);
/// a gap mark for `None`.
pub fn sparkline(values: &[Option<f64>]) -> String {
    let present = values.iter().flatten().copied();
    let min = present.clone().fold(0.0, f64::min);
    let max = present.fold(0.0, f64::max);
    values
        .iter()
        .map(|v| match v {
            None => GAP,
            Some(_) if max - min <= 0.0 || !(max - min).is_finite() => SPARKS[3],
            Some(x) => {
                let level = ((x - min) / (max - min) * 7.0).round() as usize;
                SPARKS[level.min(7)]
            }
        })
        .collect()
}

/// A number for people: at most four decimals, no trailing zeros, thousands separated by commas;
/// a magnitude of 10^15 or more in exponent form (`1.79e308`), so no cell runs to hundreds of
/// digits. (Below four decimals a number shows as 0: that is rounding noise in a computed
/// percent far more often than a value.)
pub fn number(x: f64) -> String {
    if x.abs() >= 1e15 {
        return format!("{x:.3e}")
            .replace(".000e", "e")
            .replace("00e", "e")
            .replace("0e", "e");
    }
    let s = format!("{:.4}", x);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    let (sign, s) = match s.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", s),
    };
    let (int, frac) = s.split_once('.').map_or((s, None), |(i, f)| (i, Some(f)));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if grouped == "0" && frac.is_none() {
        ""
    } else {
        sign
    };
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

const MISSING: &str = "—";

fn opt_number(x: Option<f64>) -> String {
    x.map_or_else(|| MISSING.to_string(), number)
}

/// Percent rounded to one decimal, with a `%` sign; never `-0.0%` (a value that rounds to
/// zero is `0.0%`).
pub fn percent(x: Option<f64>) -> String {
    x.map_or_else(
        || MISSING.to_string(),
        |p| {
            let shown = format!("{p:.1}");
            match shown.strip_prefix('-') {
                Some(zero) if zero.trim_matches(['0', '.']).is_empty() => format!("{zero}%"),
                _ => format!("{shown}%"),
            }
        },
    )
}

/// "2 indicators: 1 on target, 1 below", or "no indicators".
pub fn counts_text(c: &Counts) -> String {
    if c.total() == 0 {
        return "no indicators".to_string();
    }
    let parts: Vec<String> = c
        .nonzero()
        .map(|(s, n)| format!("{n} {}", s.label()))
        .collect();
    format!(
        "{}: {}",
        plural(c.total(), "indicator", "indicators"),
        parts.join(", ")
    )
}

/// The words of a roll-up row: the node's own count, and the count of the DOs linked to it
/// (`None` when no DO supports it).
pub fn summary_parts(r: &Rollup) -> (String, Option<String>) {
    let own = counts_text(&r.own);
    if r.linked_from.is_empty() {
        return (own, None);
    }
    let linked = format!(
        "linked {}: {}",
        r.linked_from.join(", "),
        counts_text(&r.linked)
    );
    (own, Some(linked))
}

/// The roll-up row's words on one line.
pub fn summary_text(r: &Rollup) -> String {
    match summary_parts(r) {
        (own, Some(linked)) => format!("{own}; {linked}"),
        (own, None) => own,
    }
}

fn status_color(s: Status) -> Color {
    match s {
        Status::Exceeded => Color::Cyan,
        Status::OnTarget => Color::Green,
        Status::Incomplete => Color::Yellow,
        Status::Short => Color::Red,
        Status::NoData => Color::Yellow,
        Status::NoTarget => Color::DarkGrey,
    }
}

fn status_word(r: &ProgressRow) -> String {
    if r.needs_explanation {
        format!("{} !", r.status.label())
    } else {
        r.status.label().to_string()
    }
}

fn heading(report: &Report) -> String {
    format!(
        "Progress for {}: {} (version {})",
        report.period,
        safe(&report.strategy_title),
        safe(&report.version)
    )
}

/// The lines under the table: totals and what the columns mean.
fn legend(report: &Report, markdown: bool) -> Vec<String> {
    let t = number(report.threshold);
    let mut lines = Vec::new();
    let (explain, summary) = if markdown {
        ("*Needs explanation*", "Summary rows count")
    } else {
        ("! needs an explanation", "Σ counts")
    };
    lines.extend([
        format!("All shown: {}.", counts_text(&report.counts())),
        format!(
            "% is progress from baseline to target; 100 ± {t} is on target. \
             {explain}: off target and no note on the value."
        ),
        format!(
            "{summary} a node's indicators by status; \"linked\" counts the indicators of the DOs \
             that support it, which are counted under their DO, not in the node's own count."
        ),
    ]);
    if let (false, Some(first), Some(last)) = (
        markdown,
        report.trend_periods.first(),
        report.trend_periods.last(),
    ) {
        lines.push(format!(
            "Trend: the actual of each fiscal year {first} to {last}, bars rising from zero; {GAP} marks a year with no value."
        ));
    }
    lines
}

/// The direction in words, for people.
pub fn direction_words(d: Direction) -> &'static str {
    match d {
        Direction::Increase => "higher is better",
        Direction::Decrease => "lower is better",
    }
}

/// The table for a terminal (or a pipe, unbounded), heading and legend included.
///
/// Columns: node, indicator (code, then title, unit and direction, wrapped), baseline, target,
/// actual, percent, status and, when asked for, the trend. Codes, numbers, statuses and
/// sparklines are never wrapped or cut; only the indicator text wraps.
pub fn table(report: &Report, term: Term) -> String {
    let mut out = heading(report);
    out.push('\n');
    if report.lines.is_empty() {
        out.push_str("No indicators to show.\n");
        return out;
    }
    let trend = !report.trend_periods.is_empty();
    let mut t = comfy_table::Table::new();
    // No borders and no column lines: a rule under the header only.
    t.load_preset("     ─               ");
    if term.color {
        t.enforce_styling();
    } else {
        t.force_no_tty();
    }
    match term.width {
        Some(w) => {
            t.set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(w.min(u16::MAX as usize) as u16);
        }
        None => {
            t.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    let mut header = vec![
        "Node",
        "Indicator",
        "Baseline",
        "Target",
        "Actual",
        "%",
        "Status",
    ];
    if trend {
        header.push("Trend");
    }
    let bold = |s: String| {
        let c = cell(s);
        if term.color {
            c.add_attribute(Attribute::Bold)
        } else {
            c
        }
    };
    // For text already made safe that holds line breaks of ours.
    let bold_lines = |s: String| {
        let c = Cell::new(s);
        if term.color {
            c.add_attribute(Attribute::Bold)
        } else {
            c
        }
    };
    t.set_header(
        header
            .iter()
            .map(|h| bold(h.to_string()))
            .collect::<Vec<_>>(),
    );
    for line in &report.lines {
        match line {
            Line::Row(r) => {
                let mut status = cell(status_word(r));
                if term.color {
                    status = status.fg(status_color(r.status));
                }
                let mut cells = vec![
                    cell(&r.node),
                    // Made safe part by part: the line break between code and title is ours.
                    Cell::new(format!(
                        "{}\n{} · {} · {}",
                        safe(&r.indicator),
                        safe(&r.title),
                        safe(&r.unit),
                        direction_words(r.direction)
                    )),
                    cell(opt_number(r.baseline)),
                    cell(opt_number(r.target)),
                    cell(opt_number(r.actual)),
                    cell(percent(r.achieved)),
                    status,
                ];
                if trend {
                    cells.push(cell(sparkline(&r.trend)));
                }
                t.add_row(cells);
            }
            Line::Header(s) => {
                let mut cells = vec![
                    bold(s.code.clone()),
                    // Made safe part by part: the line break is ours.
                    bold_lines(match summary_parts(s) {
                        (own, Some(linked)) => format!("Σ {}\n{}", safe(&own), safe(&linked)),
                        (own, None) => format!("Σ {}", safe(&own)),
                    }),
                ];
                cells.resize_with(header.len(), || cell(""));
                t.add_row(cells);
            }
        }
    }
    for (i, col) in t.column_iter_mut().enumerate() {
        if i != 1 {
            col.set_constraint(ColumnConstraint::ContentWidth);
        }
        if (2..=5).contains(&i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    for line in t.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    for l in legend(report, false) {
        for part in wrap(&l, term.width) {
            out.push_str(&part);
            out.push('\n');
        }
    }
    out
}

/// Greedy word wrap to `width` columns (no wrapping for `None`).
fn wrap(text: &str, width: Option<usize>) -> Vec<String> {
    let Some(max) = width else {
        return vec![text.to_string()];
    };
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split(' ') {
        if !cur.is_empty() && super::width(&cur) + 1 + super::width(word) > max {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    lines.push(cur);
    lines
}

/// A markdown table cell: the one markdown escaper ([`super::safe::markdown`]), trimmed.
fn md_cell(s: &str) -> String {
    md_text(s.trim())
}

/// One markdown table row; empty cells stay `| |`.
fn md_row(cells: &[String]) -> String {
    let mut line = String::from("|");
    for c in cells {
        if c.is_empty() {
            line.push_str(" |");
        } else {
            line.push_str(&format!(" {c} |"));
        }
    }
    line.push('\n');
    line
}

/// A GitHub markdown table, with a heading line and bold roll-up rows.
pub fn markdown(report: &Report) -> String {
    let mut out = format!("**{}**\n\n", md_cell(&heading(report)));
    let header = [
        "Path",
        "Indicator",
        "Title",
        "Unit",
        "Direction",
        "Baseline",
        "Target",
        "Actual",
        "%",
        "Status",
        "Needs explanation",
    ];
    out.push_str(&format!("| {} |\n", header.join(" | ")));
    out.push_str("|---|---|---|---|---|--:|--:|--:|--:|---|---|\n");
    for line in &report.lines {
        let cells: Vec<String> = match line {
            Line::Row(r) => vec![
                md_cell(&r.path),
                md_cell(&r.indicator),
                md_cell(&r.title),
                md_cell(&r.unit),
                r.direction.as_str().to_string(),
                opt_number(r.baseline),
                opt_number(r.target),
                opt_number(r.actual),
                percent(r.achieved),
                r.status.label().to_string(),
                if r.needs_explanation { "yes" } else { "" }.to_string(),
            ],
            Line::Header(s) => {
                let mut c = vec![
                    format!("**{}**", md_cell(&s.code)),
                    "**summary**".to_string(),
                    md_cell(&summary_text(s)),
                ];
                c.resize(header.len(), String::new());
                c
            }
        };
        out.push_str(&md_row(&cells));
    }
    out.push('\n');
    // The legend is our own text (its emphasis is meant); it quotes nothing from the data.
    for l in legend(report, true) {
        out.push_str(&format!("- {l}\n"));
    }
    out
}

#[cfg(test)]
mod tests {

    #[test]
    fn huge_and_tiny_numbers_stay_short() {
        assert_eq!(number(1.79e308), "1.79e308");
        assert_eq!(number(2e15), "2e15");
        assert_eq!(number(-1.5e20), "-1.5e20");
        assert_eq!(number(1234567.5), "1,234,567.5");
        assert_eq!(number(0.0001), "0.0001");
        assert_eq!(number(0.0), "0");
    }

    use super::*;

    #[test]
    fn numbers_for_people() {
        assert_eq!(number(580000.0), "580,000");
        assert_eq!(number(17.2), "17.2");
        assert_eq!(number(0.1 + 0.2), "0.3");
        assert_eq!(number(-1234.5), "-1,234.5");
        assert_eq!(number(1.0 / 3.0), "0.3333");
        assert_eq!(number(-0.00001), "0");
        assert_eq!(number(100.0), "100");
        assert_eq!(percent(Some(77.88461538)), "77.9%");
        assert_eq!(percent(None), "—");
        assert_eq!(percent(Some(-0.04)), "0.0%");
        assert_eq!(percent(Some(-0.0)), "0.0%");
        assert_eq!(percent(Some(-0.06)), "-0.1%");
    }

    #[test]
    fn sparkline_scales_and_marks_gaps() {
        assert_eq!(sparkline(&[Some(1.0), None, Some(8.0)]), "▂·█");
        assert_eq!(sparkline(&[Some(5.0), Some(5.0)]), "██");
        assert_eq!(sparkline(&[Some(0.0), Some(0.0)]), "▄▄");
        assert_eq!(sparkline(&[None, None]), "··");
        assert_eq!(sparkline(&[Some(0.0), Some(0.5), Some(1.0)]), "▁▅█");
        // Scaled from zero: a small change looks small, a doubling looks like one.
        assert_eq!(sparkline(&[Some(22.0), Some(23.0)]), "██");
        assert_eq!(sparkline(&[Some(10.0), Some(20.0)]), "▅█");
        assert_eq!(sparkline(&[Some(-2.0), Some(2.0)]), "▁█");
    }

    #[test]
    fn legend_wraps_to_the_width() {
        assert_eq!(wrap("aa bb cc", Some(5)), ["aa bb", "cc"]);
        assert_eq!(wrap("aa bb cc", None), ["aa bb cc"]);
    }

    #[test]
    fn markdown_cells_escape_pipes() {
        assert_eq!(md_cell("a | b\nc"), "a \\| b c");
        assert_eq!(md_cell("<i>`x`</i>"), "\\<i\\>\\`x\\`\\</i\\>");
    }
}
