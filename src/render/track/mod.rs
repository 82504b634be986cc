//! Rendering the Indicator Tracking Table ([`crate::track::Track`]).
//!
//! - **table**: one line per indicator with its code and baseline, then for each fiscal year
//!   its target, actual and achieved % with the status shape (and ⚑ when it needs an
//!   explanation); under it the title, the quarter lines (`Q1`..`Q4`, each year's quarter in
//!   that year's columns), the disaggregation lines (`sex=female`, the actual column) and the
//!   explanations labelled by period. The years are packed into blocks that fit
//!   [`Term::width`]; each block repeats the code and baseline columns, and numbers are never
//!   cut (a single year wider than the terminal still gets its block). Titles and headers are
//!   cut with `…` to fit, explanations wrapped. Colour only when [`Term::color`] says so, and
//!   never alone.
//! - **csv**: long format, one record per indicator × period and one per breakdown value after
//!   it (`disaggregation` set, only `actual` filled); numbers unrounded, text formula-guarded.
//! - **json**: the contract's array of row objects.
//! - **markdown**: one table per group, each year's cell `target / actual / achieved shape`,
//!   the explanations as a list after it.

mod sheet;

pub use sheet::workbook;

use std::fmt::Write as _;
use std::io::Write;

use super::progress::{
    direction_words, number, percent, status_style, status_text, DERIVED, EXPLAINED, FLAG,
};
use super::safe::{markdown as md_text, markdown_code};
use super::{safe, truncate, width, Style, Term};
use crate::error::Error;
use crate::files::output::TRACK_TITLE;
use crate::period::FiscalPeriod;
use crate::progress::Status;
use crate::track::{Cell, Group, Track, TrackRow};
use crate::values::guard;

const MISSING: &str = "—";
/// Between the columns of one year.
const GAP: &str = "  ";
/// Between years, and between the baseline and the first year.
const SEP: &str = " │ ";
/// Sub-column headings of each year.
const HEADS: [&str; 3] = ["Target", "Actual", "Achieved"];

fn opt_number(x: Option<f64>) -> String {
    x.map_or_else(|| MISSING.to_string(), number)
}

/// The target of a cell: the period's, or the target to date a year still coming in is
/// judged against.
fn target_text(c: &Cell) -> String {
    match c.target_to_date {
        Some(t) => format!("{} to date", number(t)),
        None => opt_number(c.target),
    }
}

/// The actual, `(3/4 q)` after a year made of fewer than four quarters, [`DERIVED`] after a
/// total derived from a disaggregation's categories.
fn actual_text(c: &Cell) -> String {
    let mut s = opt_number(c.actual);
    if c.actual.is_some() {
        if let (true, Some(q)) = (c.partial, c.quarters_reported) {
            let _ = write!(s, " ({q}/4 q)");
        }
        if c.derived {
            s.push(' ');
            s.push(DERIVED);
        }
    }
    s
}

/// Achieved % with the status shape, and ⚑ when the period needs an explanation.
fn achieved_text(c: &Cell) -> String {
    let mut s = format!("{} {}", percent(c.achieved), c.status.shape());
    if c.needs_explanation {
        s.push(FLAG);
    }
    s
}

/// What the rows use, for the legend.
#[derive(Default)]
struct Used {
    needs: usize,
    explained: bool,
    derived: bool,
    partial: bool,
    to_date: bool,
    quarters: bool,
    breakdown: bool,
}

impl Used {
    fn of(t: &Track) -> Used {
        let mut u = Used::default();
        for r in t.rows() {
            u.quarters |= r.quarterly;
            for c in &r.periods {
                u.needs += usize::from(c.needs_explanation);
                u.explained |= c.explanation.is_some();
                u.derived |= c.derived && c.actual.is_some();
                u.partial |= c.partial && c.actual.is_some();
                u.to_date |= c.target_to_date.is_some();
                u.breakdown |= !c.breakdown.is_empty();
            }
        }
        u
    }
}

/// The lines under the table, as sentences.
fn legend(t: &Track, blocks: usize, markdown: bool) -> Vec<String> {
    let u = Used::of(t);
    let th = number(t.threshold);
    let mut lines = vec![format!(
        "Each fiscal year: target, actual and achieved (actual / target), then the status: {} \
         (better than the target in the indicator's direction by more than ±{th}%), {} \
         (within ±{th}%), {} (worse by more than ±{th}%), {} (a year still coming in with no \
         target to date), {}, {}.",
        status_text(Status::Exceeded),
        status_text(Status::OnTarget),
        status_text(Status::Short),
        status_text(Status::Incomplete),
        status_text(Status::NoData),
        status_text(Status::NoTarget),
    )];
    let mut marks = Vec::new();
    if u.needs > 0 {
        marks.push(format!(
            "{FLAG}: off target with no explanation yet, {} (add one with `ics explain`)",
            if u.needs == 1 {
                "1 period".to_string()
            } else {
                format!("{} periods", u.needs)
            }
        ));
    }
    if u.explained {
        marks.push(if markdown {
            "explanations follow each table, by period".to_string()
        } else {
            format!("{EXPLAINED} the explanation on record, by period")
        });
    }
    if u.derived {
        marks.push(format!(
            "{DERIVED}: a total derived from a disaggregation's categories"
        ));
    }
    if u.partial {
        marks.push("\"(3/4 q)\": quarters of the fiscal year reported".to_string());
    }
    if u.to_date {
        marks.push(
            "\"to date\": a year still coming in is judged against the targets of the quarters \
             reported so far"
                .to_string(),
        );
    }
    if u.quarters {
        marks.push("Q1 to Q4: each quarter, in its fiscal year's columns".to_string());
    }
    if u.breakdown {
        marks.push(
            "key=category lines: the value recorded for each declared disaggregation category"
                .to_string(),
        );
    }
    if !marks.is_empty() {
        lines.push(format!("{}.", marks.join("; ")));
    }
    if blocks > 1 {
        lines.push(format!(
            "The fiscal years are split into {blocks} blocks to fit the width; each repeats the \
             indicator codes (the baseline is in the first)."
        ));
    }
    lines
}

/// `text` broken at spaces into lines of at most `width` columns (no limit for `None`), the
/// first indented by `first` spaces and the others by `rest`. A word longer than a line
/// gets a line of its own.
fn wrap(text: &str, first: usize, rest: usize, limit: Option<usize>) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = " ".repeat(first);
    let mut used = first;
    let mut empty = true;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let w = width(word);
        if !empty && limit.is_some_and(|l| used + 1 + w > l) {
            lines.push(std::mem::replace(&mut line, " ".repeat(rest)));
            used = rest;
            empty = true;
        }
        if !empty {
            line.push(' ');
            used += 1;
        }
        line.push_str(word);
        used += w;
        empty = false;
    }
    lines.push(line);
    lines
}

/// One line in the columns: a label (code, `Q1`, `sex=female`), the baseline, and for each
/// year of the table its target, actual and achieved texts with the status, if any.
struct ColLine {
    indent: usize,
    label: String,
    baseline: String,
    cells: Vec<Option<([String; 3], Option<Status>)>>,
}

/// What comes before a row's lines in the first block only.
enum Item {
    Header {
        indent: usize,
        text: String,
        top: bool,
    },
    Row {
        cols: Vec<ColLine>,
        /// Title, unit and direction (first block only).
        about: String,
        about_indent: usize,
        /// Explanations, by the year index they belong to.
        notes: Vec<(usize, String)>,
    },
}

fn cell_texts(c: &Cell) -> ([String; 3], Option<Status>) {
    (
        [target_text(c), actual_text(c), achieved_text(c)],
        Some(c.status),
    )
}

fn row_items(r: &TrackRow, years: &[FiscalPeriod], indent: usize) -> Item {
    let mut cols = vec![ColLine {
        indent,
        label: safe(&r.indicator).into_owned(),
        baseline: opt_number(r.baseline),
        cells: years.iter().map(|y| r.cell(*y).map(cell_texts)).collect(),
    }];
    let breakdown_line =
        |label: String, period: &dyn Fn(FiscalPeriod) -> FiscalPeriod, d: &str| ColLine {
            indent: indent + 2,
            label,
            baseline: String::new(),
            cells: years
                .iter()
                .map(|y| {
                    r.cell(period(*y))
                        .and_then(|c| c.breakdown.iter().find(|b| b.disaggregation == d))
                        .map(|b| ([String::new(), number(b.actual), String::new()], None))
                })
                .collect(),
        };
    let disaggregations = r.disaggregations();
    let has = |period: &dyn Fn(FiscalPeriod) -> FiscalPeriod, d: &str| {
        years.iter().any(|y| {
            r.cell(period(*y))
                .is_some_and(|c| c.breakdown.iter().any(|b| b.disaggregation == d))
        })
    };
    let year = |y: FiscalPeriod| y;
    for d in &disaggregations {
        if has(&year, d) {
            cols.push(breakdown_line(safe(d).into_owned(), &year, d));
        }
    }
    if r.quarterly {
        for q in 1..=4u8 {
            let quarter = move |y: FiscalPeriod| FiscalPeriod::quarter(y.year, q);
            cols.push(ColLine {
                indent: indent + 2,
                label: format!("Q{q}"),
                baseline: String::new(),
                cells: years
                    .iter()
                    .map(|y| r.cell(quarter(*y)).map(cell_texts))
                    .collect(),
            });
            for d in &disaggregations {
                if has(&quarter, d) {
                    cols.push(breakdown_line(format!("Q{q} {}", safe(d)), &quarter, d));
                }
            }
        }
    }
    let mut notes = Vec::new();
    for (i, y) in years.iter().enumerate() {
        for c in r.periods.iter().filter(|c| c.period.year == y.year) {
            if let Some(e) = &c.explanation {
                notes.push((i, format!("{EXPLAINED} {}: {}", c.period, safe(e))));
            }
        }
    }
    let mut about = format!(
        "{} · {} · {}",
        safe(&r.title),
        safe(&r.unit),
        direction_words(r.direction)
    );
    if r.cumulative {
        about.push_str(" · running total");
    }
    Item::Row {
        cols,
        about,
        about_indent: indent + 2,
        notes,
    }
}

fn items(t: &Track) -> Vec<Item> {
    let mut out = Vec::new();
    for (i, g) in t.groups.iter().enumerate() {
        let Group {
            code, title, depth, ..
        } = g;
        out.push(Item::Header {
            indent: depth * 2,
            text: format!("{} {}", safe(code), safe(title)),
            top: *depth == 0 && i > 0,
        });
        for r in &g.rows {
            out.push(row_items(r, &t.years, depth * 2 + 2));
        }
    }
    out
}

/// Spaces to pad `shown` to `w` columns.
fn pad(shown: &str, w: usize) -> String {
    " ".repeat(w.saturating_sub(width(shown)))
}

/// The table for a terminal (or a file, with no width limit).
pub fn table(t: &Track, term: Term) -> String {
    let mut out = String::new();
    let first = t.years.first().map(|y| y.to_string()).unwrap_or_default();
    let last = t.years.last().map(|y| y.to_string()).unwrap_or_default();
    let heading = format!(
        "{TRACK_TITLE}, {first} to {last}: {} (version {})",
        safe(&t.strategy_title),
        safe(&t.version)
    );
    let limit = term.width;
    let fit = |s: &str| match limit {
        Some(w) => truncate(s, w),
        None => s.to_string(),
    };
    let _ = writeln!(out, "{}", term.paint(&fit(&heading), Style::Bold));
    let items = items(t);
    if t.groups.is_empty() {
        out.push_str("No indicators to show.\n");
        return out;
    }
    // Column widths.
    let mut label_w = width("Indicator");
    let mut base_w = width("Baseline");
    let n = t.years.len();
    let mut sub = vec![[0usize; 3]; n];
    for (i, y) in t.years.iter().enumerate() {
        for (k, h) in HEADS.iter().enumerate() {
            sub[i][k] = width(h);
        }
        // The year's label spans the three columns.
        let span: usize = sub[i].iter().sum::<usize>() + 2 * GAP.len();
        sub[i][2] += width(&y.to_string()).saturating_sub(span);
    }
    for item in &items {
        if let Item::Row { cols, .. } = item {
            for c in cols {
                label_w = label_w.max(c.indent + width(&c.label));
                base_w = base_w.max(width(&c.baseline));
                for (i, cell) in c.cells.iter().enumerate() {
                    if let Some((texts, _)) = cell {
                        for k in 0..3 {
                            sub[i][k] = sub[i][k].max(width(&texts[k]));
                        }
                    }
                }
            }
        }
    }
    // The same widths in every year, so the columns line up from year to year.
    let mut widest = [0usize; 3];
    for s in &sub {
        for k in 0..3 {
            widest[k] = widest[k].max(s[k]);
        }
    }
    sub.iter_mut().for_each(|s| *s = widest);
    let year_w: Vec<usize> = sub
        .iter()
        .map(|s| s.iter().sum::<usize>() + 2 * GAP.len())
        .collect();
    // The first block has the baseline after the codes; the others only the codes.
    let left_of = |b: usize| {
        if b == 0 {
            label_w + GAP.len() + base_w
        } else {
            label_w
        }
    };
    // Years packed into blocks that fit.
    let mut blocks: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0;
    let mut used = left_of(0);
    for (i, w) in year_w.iter().enumerate() {
        let need = width(SEP) + w;
        if i > start && limit.is_some_and(|l| used + need > l) {
            blocks.push(start..i);
            start = i;
            used = left_of(blocks.len());
        }
        used += need;
    }
    blocks.push(start..n);
    let count = blocks.len();
    for (b, block) in blocks.iter().enumerate() {
        let left = left_of(b);
        let total = left + block.clone().map(|i| width(SEP) + year_w[i]).sum::<usize>();
        out.push('\n');
        if count > 1 {
            let _ = writeln!(
                out,
                "{}",
                term.paint(
                    &match block.len() {
                        1 => format!("{} ({} of {count})", t.years[block.start], b + 1),
                        _ => format!(
                            "{} to {} ({} of {count})",
                            t.years[block.start],
                            t.years[block.end - 1],
                            b + 1
                        ),
                    },
                    Style::Bold
                )
            );
        }
        // The years over their columns.
        let mut line = " ".repeat(left);
        for i in block.clone() {
            let y = t.years[i].to_string();
            let _ = write!(line, "{SEP}{y}{}", pad(&y, year_w[i]));
        }
        let _ = writeln!(out, "{}", line.trim_end());
        let mut line = format!("Indicator{}", pad("Indicator", label_w));
        if b == 0 {
            let _ = write!(line, "{GAP}{}Baseline", pad("Baseline", base_w));
        }
        for i in block.clone() {
            line.push_str(SEP);
            for (k, h) in HEADS.iter().enumerate() {
                if k > 0 {
                    line.push_str(GAP);
                }
                let _ = write!(line, "{}{h}", pad(h, sub[i][k]));
            }
        }
        let _ = writeln!(out, "{line}");
        let _ = writeln!(out, "{}", "─".repeat(total));
        for item in &items {
            match item {
                Item::Header { indent, text, top } => {
                    if *top {
                        out.push('\n');
                    }
                    let shown = fit(&format!("{}{text}", " ".repeat(*indent)));
                    let _ = writeln!(out, "{}", term.paint(&shown, Style::Bold));
                }
                Item::Row {
                    cols,
                    about,
                    about_indent,
                    notes,
                } => {
                    for (j, c) in cols.iter().enumerate() {
                        let mut line = String::new();
                        let label = format!("{}{}", " ".repeat(c.indent), c.label);
                        let _ = write!(line, "{label}{}", pad(&label, label_w));
                        if b == 0 {
                            let _ = write!(line, "{GAP}{}{}", pad(&c.baseline, base_w), c.baseline);
                        }
                        for i in block.clone() {
                            line.push_str(SEP);
                            match &c.cells[i] {
                                Some((texts, status)) => {
                                    for (k, text) in texts.iter().enumerate() {
                                        if k > 0 {
                                            line.push_str(GAP);
                                        }
                                        line.push_str(&pad(text, sub[i][k]));
                                        match (k, status) {
                                            (2, Some(s)) => {
                                                line.push_str(&term.paint(text, status_style(*s)))
                                            }
                                            _ => line.push_str(text),
                                        }
                                    }
                                }
                                None => line.push_str(&" ".repeat(year_w[i])),
                            }
                        }
                        let _ = writeln!(out, "{}", line.trim_end());
                        if j == 0 && b == 0 {
                            let shown = fit(&format!("{}{about}", " ".repeat(*about_indent)));
                            let _ = writeln!(out, "{}", term.paint(&shown, Style::Dim));
                        }
                    }
                    for (i, note) in notes {
                        if block.contains(i) {
                            for l in wrap(note, *about_indent, about_indent + 2, limit) {
                                let _ = writeln!(out, "{l}");
                            }
                        }
                    }
                }
            }
        }
        let _ = writeln!(out, "{}", "─".repeat(total));
    }
    for l in legend(t, count, false) {
        for l in wrap(&l, 0, 0, limit) {
            let _ = writeln!(out, "{l}");
        }
    }
    out
}

/// The CSV columns, in order (the first ten are
/// [`TRACK_CSV_HEADER`](crate::files::output::TRACK_CSV_HEADER)).
pub const CSV_COLUMNS: [&str; 19] = [
    "indicator",
    "title",
    "node",
    "path",
    "unit",
    "direction",
    "baseline",
    "cumulative",
    "period",
    "disaggregation",
    "target",
    "actual",
    "achieved",
    "deviation",
    "status",
    "needs_explanation",
    "explanation",
    "partial",
    "derived",
];

fn csv_number(x: Option<f64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// Long format: one record per indicator and period, each followed by one per breakdown value.
pub fn csv(t: &Track, out: &mut dyn Write) -> Result<(), Error> {
    let mut w = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(out);
    let csv_err = |e: csv::Error| -> Error {
        match e.into_kind() {
            csv::ErrorKind::Io(e) => Error::Output(e),
            other => Error::Output(std::io::Error::other(format!("{other:?}"))),
        }
    };
    w.write_record(CSV_COLUMNS).map_err(csv_err)?;
    let flag = |b: bool| if b { "true" } else { "false" }.to_string();
    for r in t.rows() {
        let head = [
            guard(&r.indicator).into_owned(),
            guard(&r.title).into_owned(),
            guard(&r.node).into_owned(),
            guard(&r.path).into_owned(),
            guard(&r.unit).into_owned(),
            r.direction.as_str().to_string(),
            csv_number(r.baseline),
            flag(r.cumulative),
        ];
        for c in &r.periods {
            let mut rec: Vec<String> = head.to_vec();
            rec.extend([
                c.period.to_string(),
                String::new(),
                csv_number(c.target),
                csv_number(c.actual),
                csv_number(c.achieved),
                csv_number(c.deviation),
                c.status.as_str().to_string(),
                flag(c.needs_explanation),
                guard(c.explanation.as_deref().unwrap_or_default()).into_owned(),
                flag(c.partial),
                flag(c.derived),
            ]);
            w.write_record(&rec).map_err(csv_err)?;
            for b in &c.breakdown {
                let mut rec: Vec<String> = head.to_vec();
                rec.extend([
                    c.period.to_string(),
                    guard(&b.disaggregation).into_owned(),
                    String::new(),
                    b.actual.to_string(),
                ]);
                rec.extend(std::iter::repeat_n(String::new(), 7));
                w.write_record(&rec).map_err(csv_err)?;
            }
        }
    }
    w.flush()?;
    Ok(())
}

/// The contract's JSON: an array of row objects.
pub fn json(t: &Track, out: &mut dyn Write) -> Result<(), Error> {
    let rows: Vec<&TrackRow> = t.rows().collect();
    serde_json::to_writer_pretty(&mut *out, &rows).map_err(std::io::Error::from)?;
    writeln!(out)?;
    Ok(())
}

fn md_cell(c: &Cell) -> String {
    format!(
        "{} / {} / {}",
        target_text(c),
        actual_text(c),
        achieved_text(c)
    )
}

/// GitHub markdown: one table per group.
pub fn markdown(t: &Track) -> String {
    let mut out = String::new();
    let first = t.years.first().map(|y| y.to_string()).unwrap_or_default();
    let last = t.years.last().map(|y| y.to_string()).unwrap_or_default();
    let _ = writeln!(
        out,
        "# {TRACK_TITLE}, {first} to {last}: {} (version {})\n\nEach fiscal year: target / actual / achieved, with the status.",
        md_text(&t.strategy_title),
        md_text(&t.version)
    );
    if t.groups.is_empty() {
        out.push_str("\nNo indicators to show.\n");
    }
    for g in &t.groups {
        let level = "#".repeat((g.depth + 2).min(6));
        let _ = writeln!(out, "\n{level} {} {}", md_text(&g.code), md_text(&g.title));
        if g.rows.is_empty() {
            continue;
        }
        out.push('\n');
        let mut head = String::from("| Indicator | Baseline |");
        let mut rule = String::from("|---|--:|");
        for y in &t.years {
            let _ = write!(head, " {y} |");
            rule.push_str("--:|");
        }
        let _ = writeln!(out, "{head}\n{rule}");
        let mut notes = Vec::new();
        for r in &g.rows {
            let _ = write!(
                out,
                "| {} {} ({}) | {} |",
                markdown_code(&r.indicator),
                md_text(&r.title),
                md_text(&r.unit),
                opt_number(r.baseline)
            );
            for y in &t.years {
                let _ = write!(out, " {} |", r.cell(*y).map(md_cell).unwrap_or_default());
            }
            out.push('\n');
            let sub =
                |label: String, period: &dyn Fn(FiscalPeriod) -> FiscalPeriod, out: &mut String| {
                    let _ = write!(out, "| ↳ {label} | |");
                    for y in &t.years {
                        let _ = write!(
                            out,
                            " {} |",
                            r.cell(period(*y)).map(md_cell).unwrap_or_default()
                        );
                    }
                    out.push('\n');
                };
            let disaggregations = r.disaggregations();
            let breakdown = |label: String,
                             period: &dyn Fn(FiscalPeriod) -> FiscalPeriod,
                             d: &str,
                             out: &mut String| {
                let cells: Vec<String> = t
                    .years
                    .iter()
                    .map(|y| {
                        r.cell(period(*y))
                            .and_then(|c| c.breakdown.iter().find(|b| b.disaggregation == d))
                            .map(|b| number(b.actual))
                            .unwrap_or_default()
                    })
                    .collect();
                if cells.iter().any(|c| !c.is_empty()) {
                    let _ = write!(out, "| ↳ {label} | |");
                    for c in cells {
                        let _ = write!(out, " {c} |");
                    }
                    out.push('\n');
                }
            };
            let year = |y: FiscalPeriod| y;
            for d in &disaggregations {
                breakdown(md_text(d), &year, d, &mut out);
            }
            if r.quarterly {
                for q in 1..=4u8 {
                    let quarter = move |y: FiscalPeriod| FiscalPeriod::quarter(y.year, q);
                    sub(format!("Q{q}"), &quarter, &mut out);
                    for d in &disaggregations {
                        breakdown(format!("Q{q} {}", md_text(d)), &quarter, d, &mut out);
                    }
                }
            }
            for c in &r.periods {
                if let Some(e) = &c.explanation {
                    notes.push(format!(
                        "- {} {}: {}",
                        markdown_code(&r.indicator),
                        c.period,
                        md_text(e)
                    ));
                }
            }
        }
        if !notes.is_empty() {
            let _ = writeln!(out, "\nExplanations:\n\n{}", notes.join("\n"));
        }
    }
    out.push('\n');
    for l in legend(t, 1, true) {
        let _ = writeln!(out, "{}\n", md_text(&l));
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrap_breaks_at_spaces_and_indents() {
        assert_eq!(
            wrap("aa bb cc dd", 2, 4, Some(8)),
            vec!["  aa bb", "    cc", "    dd"]
        );
        assert_eq!(wrap("aa bb", 0, 0, None), vec!["aa bb"]);
        // A word longer than the line is kept whole.
        assert_eq!(wrap("abcdefghij x", 0, 0, Some(5)), vec!["abcdefghij", "x"]);
    }
}
