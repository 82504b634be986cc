//! Rendering the progress report: a terminal table laid out by hand to the terminal's width,
//! with a header line (code, title and roll-up counts) over each goal, objective and DO before
//! its rows; a GitHub markdown table grouped the same way; CSV (csv crate, formula-guarded) and
//! JSON.
//!
//! Table and markdown round percent to one decimal; CSV and JSON carry unrounded numbers and
//! only the indicator rows (roll-ups are for people). Colour only when [`Term::color`] says so,
//! and never alone: every status is also a shape and a word.

use std::fmt::Write as _;

use super::safe::markdown as md_text;
use super::{plural, safe, width, Style, Term};
use crate::framework::Direction;
use crate::progress::{Counts, Line, ProgressRow, Report, Rollup, Status};

mod export;
mod sheet;

pub use export::{csv, json, CsvRows, CSV_COLUMNS};
pub use sheet::{workbook, CONTEXT_COLUMNS};

/// The sparkline levels, lowest first.
pub const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// The mark for a period with no value.
pub const GAP: char = '·';
/// The flag of a row that needs an explanation.
pub const FLAG: char = '⚑';
/// The mark before an explanation shown under its row.
pub const EXPLAINED: char = '↳';
/// A derived total's mark, after the actual.
pub const DERIVED: char = 'Σ';

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
    let grouped = thousands(int);
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

/// Digits with a comma before each group of three: `1234567` is `1,234,567`.
fn thousands(int: &str) -> String {
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    grouped
}

const MISSING: &str = "—";

fn opt_number(x: Option<f64>) -> String {
    x.map_or_else(|| MISSING.to_string(), number)
}

/// Percent rounded to one decimal, thousands separated by commas, with a `%` sign; never
/// `-0.0%` (a value that rounds to zero is `0.0%`); a magnitude of 10^15 or more as
/// [`number`] writes it.
pub fn percent(x: Option<f64>) -> String {
    x.map_or_else(
        || MISSING.to_string(),
        |p| {
            if p.abs() >= 1e15 {
                return format!("{}%", number(p));
            }
            let shown = format!("{p:.1}");
            let (sign, digits) = match shown.strip_prefix('-') {
                Some(zero) if zero.trim_matches(['0', '.']).is_empty() => ("", zero),
                Some(rest) => ("-", rest),
                None => ("", shown.as_str()),
            };
            let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
            format!("{sign}{}.{frac}%", thousands(int))
        },
    )
}

/// A deviation: [`percent`] with its sign, `+5.3%` or `-12.0%` (`0.0%` when it rounds to
/// zero).
pub fn signed_percent(x: Option<f64>) -> String {
    let shown = percent(x);
    match x {
        Some(p) if p > 0.0 && shown != "0.0%" => format!("+{shown}"),
        _ => shown,
    }
}

/// "2 indicators: 1 on target, 1 short", or "no indicators".
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

/// The words of a header's roll-up: the count of the node's own indicators (and those of the
/// nodes under it; `None` when it has none), and the count of the DOs linked to it (`None`
/// when no DO with indicators to show supports it). Never "no indicators" alone.
pub fn summary_parts(r: &Rollup) -> (Option<String>, Option<String>) {
    let own = (r.own.total() > 0).then(|| counts_text(&r.own));
    let linked = (!r.linked_from.is_empty()).then(|| {
        format!(
            "linked {}: {}",
            r.linked_from.join(", "),
            counts_text(&r.linked)
        )
    });
    (own, linked)
}

/// The header's roll-up on one line: "2 indicators: 1 short, 1 no data; linked DO1: …".
pub fn summary_text(r: &Rollup) -> String {
    match summary_parts(r) {
        (Some(own), Some(linked)) => format!("{own}; {linked}"),
        (Some(one), None) | (None, Some(one)) => one,
        (None, None) => String::new(),
    }
}

/// The status as people read it: its shape and its direction-aware words (`▼ short`).
pub fn status_text(s: Status) -> String {
    format!("{} {}", s.shape(), s.label())
}

pub fn status_style(s: Status) -> Style {
    match s {
        Status::Exceeded => Style::Cyan,
        Status::OnTarget => Style::Green,
        Status::Short => Style::Red,
        Status::Incomplete | Status::NoData => Style::Yellow,
        Status::NoTarget => Style::Dim,
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

/// The direction in words, for people.
pub fn direction_words(d: Direction) -> &'static str {
    match d {
        Direction::Increase => "higher is better",
        Direction::Decrease => "lower is better",
    }
}

/// The target cell: the target, or the target to date a year still coming in is judged
/// against (`12 to date`).
fn target_cell(r: &ProgressRow) -> String {
    match r.target_to_date {
        Some(t) => format!("{} to date", number(t)),
        None => opt_number(r.target),
    }
}

/// The actual cell: the actual, `(3/4 q)` after a year made of fewer than four quarters, and
/// [`DERIVED`] after a total derived from a disaggregation's categories.
fn actual_cell(r: &ProgressRow) -> String {
    let mut s = opt_number(r.actual);
    if r.actual.is_some() {
        if let (true, Some(q)) = (r.partial, r.quarters_reported) {
            let _ = write!(s, " ({q}/4 q)");
        }
        if r.derived {
            s.push(' ');
            s.push(DERIVED);
        }
        if r.submitted {
            s.push_str(" (submitted)");
        }
    }
    s
}

/// The words about an indicator after its title: unit, direction and what kind of figure the
/// actual is.
fn about(r: &ProgressRow) -> String {
    let mut s = format!(
        "{} · {} · {}",
        safe(&r.title),
        safe(&r.unit),
        direction_words(r.direction)
    );
    if r.cumulative {
        s.push_str(" · running total");
    }
    if let (Some(n), Some(d)) = (r.numerator, r.denominator) {
        let _ = write!(s, " · {} / {}", number(n), number(d));
    }
    s
}

/// What the report's rows use, for the legend.
#[derive(Default)]
struct Used {
    to_date: bool,
    partial: bool,
    derived: bool,
    explained: bool,
    submitted: bool,
    needs: usize,
}

impl Used {
    fn of(report: &Report) -> Used {
        let mut u = Used::default();
        for r in report.rows() {
            u.to_date |= r.target_to_date.is_some();
            u.partial |= r.partial && r.actual.is_some();
            u.derived |= r.derived && r.actual.is_some();
            u.explained |= r.status.deviates() && r.explanation.is_some();
            u.submitted |= r.submitted && r.actual.is_some();
            u.needs += usize::from(r.needs_explanation);
        }
        u
    }
}

/// The lines under the table: totals, the threshold and what the marks mean.
fn legend(report: &Report, markdown: bool, short_heads: bool, trend: bool) -> Vec<String> {
    let t = number(report.threshold);
    let u = Used::of(report);
    let mut total = format!("All shown: {}", counts_text(&report.counts()));
    match u.needs {
        0 => {}
        1 => total.push_str("; 1 indicator needs an explanation"),
        n => {
            let _ = write!(total, "; {n} indicators need an explanation");
        }
    }
    total.push('.');
    let mut lines = vec![
        total,
        format!(
            "Off target = deviation beyond ±{t}%: {} (better than the target in the \
             indicator's direction) or {} (worse); {} within ±{t}%; {}: a year still coming \
             in with no target to date; {}; {}.",
            status_text(Status::Exceeded),
            status_text(Status::Short),
            status_text(Status::OnTarget),
            status_text(Status::Incomplete),
            status_text(Status::NoData),
            status_text(Status::NoTarget),
        ),
    ];
    let (achieved, deviation) = if short_heads {
        ("Achv (achieved)", "Dev (deviation)")
    } else {
        ("Achieved", "Deviation")
    };
    let flag = if markdown {
        format!("{FLAG} yes")
    } else if short_heads {
        FLAG.to_string()
    } else {
        format!("{FLAG} explain")
    };
    let mut how = format!(
        "{achieved} = actual / target; {deviation} = (actual − target) / |target|. \
         {flag}: off target with no explanation or note yet (add one with `ics explain`)."
    );
    if u.explained && !markdown {
        let _ = write!(how, " {EXPLAINED} the explanation on record.");
    }
    lines.push(how);
    let mut marks = Vec::new();
    if u.to_date {
        marks.push(
            "\"to date\": a year still coming in is judged against the targets of the quarters \
             reported so far"
                .to_string(),
        );
    }
    if u.partial {
        marks.push("\"(3/4 q)\": quarters of the fiscal year reported".to_string());
    }
    if u.derived {
        marks.push(format!(
            "{DERIVED}: a total derived from a disaggregation's categories"
        ));
    }
    if u.submitted {
        marks.push(
            "\"(submitted)\": the actual includes values not yet approved (--include-submitted)"
                .to_string(),
        );
    }
    if !marks.is_empty() {
        lines.push(format!("{}.", marks.join("; ")));
    }
    lines.push(
        "Header counts: a node's indicators and those of the nodes under it, by status; \
         \"linked\" counts the indicators of the DOs that support it, which are counted under \
         their DO, not in the node's own count."
            .to_string(),
    );
    if let (true, Some(first), Some(last)) = (
        trend,
        report.trend_periods.first(),
        report.trend_periods.last(),
    ) {
        let each = if first.is_quarter() {
            "quarter"
        } else {
            "fiscal year"
        };
        lines.push(format!(
            "Trend: the actual of each {each} {first} to {last}, bars rising from zero; {GAP} marks one with no value."
        ));
    }
    lines
}

/// One indicator row's cells, made safe, with the depth of its header.
struct Cells {
    indent: usize,
    code: String,
    about: String,
    /// Baseline, target, actual, achieved, deviation, status, flag, trend.
    cols: [String; 8],
    status: Status,
    /// The explanation shown under an off-target row.
    explanation: Option<String>,
}

/// Columns after the code: heading (long, short), right-aligned.
const COLUMNS: [(&str, &str, bool); 8] = [
    ("Baseline", "Base", true),
    ("Target", "Target", true),
    ("Actual", "Actual", true),
    ("Achieved", "Achv", true),
    ("Deviation", "Dev", true),
    ("Status", "Status", false),
    ("Flag", "⚑", false),
    ("Trend", "Trend", false),
];
const FLAG_COL: usize = 6;
const TREND_COL: usize = 7;
/// The narrowest title column worth putting beside the code.
const MIN_TITLE: usize = 30;

/// One way to lay the table out.
#[derive(Debug, Clone, Copy)]
struct Layout {
    short_heads: bool,
    sep: usize,
    trend: bool,
    /// The flag as `⚑ explain` (or only `⚑`).
    flag_words: bool,
    /// Width of the title column beside the code (`None`: the title goes under the code).
    title: Option<usize>,
    code: usize,
    cols: [usize; 8],
}

impl Layout {
    fn shown(&self, i: usize) -> bool {
        i != TREND_COL || self.trend
    }

    /// Width of everything but the title column.
    fn fixed(&self) -> usize {
        self.code
            + (0..8)
                .filter(|&i| self.shown(i))
                .map(|i| self.sep + self.cols[i])
                .sum::<usize>()
    }
}

fn choose(rows: &[Cells], trend: bool, term_width: Option<usize>) -> Layout {
    let code = rows
        .iter()
        .map(|r| r.indent + width(&r.code))
        .chain([width("Indicator")])
        .max()
        .unwrap_or(0);
    let title_need = rows
        .iter()
        .map(|r| width(&r.about))
        .max()
        .unwrap_or(0)
        .max(width("Title"));
    let make = |short_heads: bool, sep: usize, trend: bool, flag_words: bool| {
        let mut cols = [0; 8];
        for (i, (long, short, _)) in COLUMNS.iter().enumerate() {
            let head = if short_heads { short } else { long };
            let content = rows
                .iter()
                .map(|r| match i {
                    FLAG_COL if !flag_words && !r.cols[i].is_empty() => 1,
                    _ => width(&r.cols[i]),
                })
                .max()
                .unwrap_or(0);
            cols[i] = width(head).max(content);
        }
        Layout {
            short_heads,
            sep,
            trend,
            flag_words,
            title: None,
            code,
            cols,
        }
    };
    let Some(max) = term_width else {
        let mut l = make(false, 2, trend, true);
        l.title = Some(title_need);
        return l;
    };
    let roomy = make(false, 2, trend, true);
    let compact = make(true, 1, trend, true);
    // The title beside the code, when a column of a useful width is left for it.
    for l in [roomy, compact] {
        let room = max.saturating_sub(l.fixed() + l.sep);
        if room >= MIN_TITLE.min(title_need) {
            return Layout {
                title: Some(room.min(title_need)),
                ..l
            };
        }
    }
    // Else the title under it, in the first layout that fits.
    let flag_only = make(true, 1, trend, false);
    let bare = make(true, 1, false, false);
    let mut choice = [roomy, compact, flag_only]
        .into_iter()
        .find(|l| l.fixed() <= max)
        .unwrap_or(bare);
    // Codes too long for what is left stand on a line of their own.
    if choice.fixed() > max {
        let rest = choice.fixed() - choice.code;
        choice.code = max.saturating_sub(rest).max(width("Indicator"));
    }
    choice
}

fn pad(out: &mut String, used: usize, to: usize) {
    for _ in used..to {
        out.push(' ');
    }
}

/// Greedy word wrap to `max` columns; a word longer than a line is cut across lines.
fn wrap(text: &str, max: Option<usize>) -> Vec<String> {
    let Some(max) = max else {
        return vec![text.to_string()];
    };
    let max = max.max(1);
    let mut lines = Vec::new();
    let mut cur = String::new();
    let mut cur_w = 0;
    for word in text.split(' ') {
        let mut word_w = width(word);
        if cur_w > 0 && cur_w + 1 + word_w > max {
            lines.push(std::mem::take(&mut cur));
            cur_w = 0;
        }
        if cur_w > 0 {
            cur.push(' ');
            cur_w += 1;
        }
        if word_w <= max - cur_w {
            cur.push_str(word);
            cur_w += word_w;
            continue;
        }
        for c in word.chars() {
            let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            if cur_w + cw > max && cur_w > 0 {
                lines.push(std::mem::take(&mut cur));
                cur_w = 0;
            }
            cur.push(c);
            cur_w += cw;
            word_w = word_w.saturating_sub(cw);
        }
    }
    lines.push(cur);
    lines
}

/// `text` wrapped to the width after `indent` columns, each line indented.
fn indented(
    out: &mut String,
    indent: usize,
    text: &str,
    max: Option<usize>,
    style: Option<(Term, Style)>,
) {
    let room = max.map(|m| m.saturating_sub(indent).max(10));
    for line in wrap(text, room) {
        pad(out, 0, indent);
        match style {
            Some((term, s)) => out.push_str(&term.paint(&line, s)),
            None => out.push_str(&line),
        }
        out.push('\n');
    }
}

/// A header line: the node's code and title (cut to fit) and its roll-up counts; the linked
/// DOs' counts on the same line when they fit, else on the next.
fn header_lines(out: &mut String, r: &Rollup, term: Term) {
    let indent = 2 * r.depth;
    let code = safe(&r.code);
    let title = safe(&r.title);
    let (own, linked) = summary_parts(r);
    // The linked DOs' codes come from the file.
    let (own, linked) = (
        own.map(|o| safe(&o).into_owned()),
        linked.map(|l| safe(&l).into_owned()),
    );
    let (first, second) = match (own, linked) {
        (Some(o), l) => (o, l),
        (None, Some(l)) => (l, None),
        (None, None) => (String::new(), None),
    };
    let bold = |s: &str| term.paint(s, Style::Bold);
    let Some(max) = term.width else {
        let counts = match &second {
            Some(l) => format!("{first}; {l}"),
            None => first,
        };
        let _ = writeln!(
            out,
            "{}{} · {counts}",
            " ".repeat(indent),
            bold(&format!("{code} {title}"))
        );
        return;
    };
    let lead = indent + width(&code) + 1;
    let counts_w = width(&first) + 3;
    let both = second.as_ref().map(|l| format!("{first}; {l}"));
    pad(out, 0, indent);
    match both {
        Some(b) if lead + width(&title) + 3 + width(&b) <= max => {
            let _ = writeln!(out, "{} · {b}", bold(&format!("{code} {title}")));
            return;
        }
        _ => {}
    }
    let room = max.saturating_sub(lead + counts_w);
    if room >= 12.min(width(&title)) {
        let t = super::truncate(&title, room);
        let _ = writeln!(out, "{} · {first}", bold(&format!("{code} {t}")));
    } else {
        let t = super::truncate(&title, max.saturating_sub(lead).max(8));
        let _ = writeln!(out, "{}", bold(&format!("{code} {t}")));
        indented(out, indent + 2, &first, Some(max), None);
    }
    if let Some(l) = second {
        indented(out, indent + 2, &l, Some(max), None);
    }
}

/// The table for a terminal (or a pipe, unbounded), heading and legend included.
///
/// A header line over each goal, objective and DO (code, title and roll-up counts, indented
/// by depth) comes before its rows. Each row shows the code, the title (beside it when the
/// width allows, else wrapped under it), baseline, target, actual, % achieved, deviation,
/// status (shape and words, coloured on a terminal), a flag for a needed explanation and,
/// when it fits, the trend; under an off-target row, its explanation. Codes, numbers and
/// statuses are never cut; titles are cut only on header lines.
pub fn table(report: &Report, term: Term) -> String {
    let mut out = heading(report);
    out.push('\n');
    if report.lines.is_empty() {
        out.push_str("No indicators to show.\n");
        return out;
    }
    let mut depth = 0;
    let mut cells = Vec::new();
    for line in &report.lines {
        match line {
            Line::Header(h) => depth = h.depth + 1,
            Line::Row(r) => cells.push(Cells {
                indent: 2 * depth,
                code: safe(&r.indicator).into_owned(),
                about: about(r),
                cols: [
                    opt_number(r.baseline),
                    target_cell(r),
                    actual_cell(r),
                    percent(r.achieved),
                    signed_percent(r.deviation),
                    status_text(r.status),
                    if r.needs_explanation {
                        format!("{FLAG} explain")
                    } else {
                        String::new()
                    },
                    sparkline(&r.trend),
                ],
                status: r.status,
                explanation: r
                    .explanation
                    .as_deref()
                    .filter(|_| r.status.deviates())
                    .map(|e| safe(e).into_owned()),
            }),
        }
    }
    let trend = !report.trend_periods.is_empty();
    let l = choose(&cells, trend, term.width);
    // Column headings.
    let mut head = String::from("Indicator");
    pad(&mut head, width("Indicator"), l.code);
    if let Some(tw) = l.title {
        pad(&mut head, 0, l.sep);
        head.push_str("Title");
        pad(&mut head, width("Title"), tw);
    }
    for (i, (long, short, right)) in COLUMNS.iter().enumerate() {
        if !l.shown(i) {
            continue;
        }
        let h = if l.short_heads { short } else { long };
        pad(&mut head, 0, l.sep);
        if *right {
            pad(&mut head, width(h), l.cols[i]);
            head.push_str(h);
        } else {
            head.push_str(h);
            pad(&mut head, width(h), l.cols[i]);
        }
    }
    let head = head.trim_end();
    let rule = width(head).max(l.fixed().min(term.width.unwrap_or(usize::MAX)));
    out.push_str(&term.paint(head, Style::Bold));
    out.push('\n');
    out.push_str(&"─".repeat(rule));
    out.push('\n');
    let mut rows = cells.iter();
    let mut first = true;
    for line in &report.lines {
        match line {
            Line::Header(h) => {
                if h.depth == 0 && !first {
                    out.push('\n');
                }
                header_lines(&mut out, h, term);
            }
            Line::Row(_) => {
                if let Some(c) = rows.next() {
                    row_lines(&mut out, c, &l, term);
                }
            }
        }
        first = false;
    }
    out.push_str(&"─".repeat(rule));
    out.push('\n');
    for text in legend(report, false, l.short_heads && !l.flag_words, l.trend) {
        indented(&mut out, 0, &text, term.width, None);
    }
    out
}

/// One indicator's lines: its row, the title beside or under it, and the explanation.
fn row_lines(out: &mut String, c: &Cells, l: &Layout, term: Term) {
    let code_w = c.indent + width(&c.code);
    let own_line = code_w > l.code;
    let mut line = String::new();
    pad(&mut line, 0, c.indent);
    line.push_str(&c.code);
    if own_line {
        out.push_str(&line);
        out.push('\n');
        line.clear();
        pad(&mut line, 0, l.code);
    } else {
        pad(&mut line, code_w, l.code);
    }
    let title = l
        .title
        .map(|tw| (tw, wrap(&c.about, term.width.map(|_| tw))));
    if let Some((tw, lines)) = &title {
        pad(&mut line, 0, l.sep);
        let t = lines.first().map_or("", String::as_str);
        line.push_str(t);
        pad(&mut line, width(t), *tw);
    }
    for (i, (_, _, right)) in COLUMNS.iter().enumerate() {
        if !l.shown(i) {
            continue;
        }
        pad(&mut line, 0, l.sep);
        let text = match i {
            FLAG_COL if !l.flag_words && !c.cols[i].is_empty() => FLAG.to_string(),
            _ => c.cols[i].clone(),
        };
        let w = width(&text);
        if *right {
            pad(&mut line, w, l.cols[i]);
            line.push_str(&text);
        } else {
            let painted = match i {
                5 => term.paint(&text, status_style(c.status)),
                FLAG_COL => term.paint(&text, Style::Bold),
                _ => text,
            };
            line.push_str(&painted);
            pad(&mut line, w, l.cols[i]);
        }
    }
    out.push_str(line.trim_end());
    out.push('\n');
    match &title {
        Some((_, lines)) => {
            for t in lines.iter().skip(1) {
                let mut more = String::new();
                pad(&mut more, 0, l.code + l.sep);
                more.push_str(t);
                out.push_str(more.trim_end());
                out.push('\n');
            }
        }
        None => indented(out, c.indent + 2, &c.about, term.width, None),
    }
    if let Some(e) = &c.explanation {
        indented(
            out,
            c.indent + 2,
            &format!("{EXPLAINED} {e}"),
            term.width,
            Some((term, Style::Dim)),
        );
    }
}

/// A markdown table cell: the one markdown escaper ([`super::safe::markdown`]), trimmed.
fn md_cell(s: &str) -> String {
    md_text(s.trim())
}

/// One markdown table row; empty cells stay `| |`.
fn md_row(out: &mut String, cells: &[String]) {
    out.push('|');
    for c in cells {
        if c.is_empty() {
            out.push_str(" |");
        } else {
            let _ = write!(out, " {c} |");
        }
    }
    out.push('\n');
}

/// The markdown columns.
const MD_HEADER: [&str; 12] = [
    "Indicator",
    "Title",
    "Unit",
    "Direction",
    "Baseline",
    "Target",
    "Actual",
    "Achieved",
    "Deviation",
    "Status",
    "Needs explanation",
    "Explanation",
];

/// A GitHub markdown table, with a heading line and a bold header row (code, title and
/// roll-up counts) over each goal, objective and DO, before its rows.
pub fn markdown(report: &Report) -> String {
    let mut out = format!("**{}**\n\n", md_cell(&heading(report)));
    let _ = writeln!(out, "| {} |", MD_HEADER.join(" | "));
    out.push_str("|---|---|---|---|--:|--:|--:|--:|--:|---|---|---|\n");
    for line in &report.lines {
        let cells: Vec<String> = match line {
            Line::Row(r) => vec![
                md_cell(&r.indicator),
                md_cell(&r.title),
                md_cell(&r.unit),
                direction_words(r.direction).to_string(),
                opt_number(r.baseline),
                md_cell(&target_cell(r)),
                md_cell(&actual_cell(r)),
                percent(r.achieved),
                signed_percent(r.deviation),
                status_text(r.status),
                if r.needs_explanation {
                    format!("{FLAG} yes")
                } else {
                    String::new()
                },
                r.explanation.as_deref().map(md_cell).unwrap_or_default(),
            ],
            Line::Header(s) => {
                let mut c = vec![
                    format!("**{}**", md_cell(&s.code)),
                    format!("**{}** · {}", md_cell(&s.title), md_cell(&summary_text(s))),
                ];
                c.resize(MD_HEADER.len(), String::new());
                c
            }
        };
        md_row(&mut out, &cells);
    }
    out.push('\n');
    // The legend is our own text; it quotes nothing from the data but the threshold.
    for l in legend(report, true, false, false) {
        let _ = writeln!(out, "- {}", md_cell(&l));
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
        assert_eq!(percent(Some(6172837.5)), "6,172,837.5%");
        assert_eq!(percent(Some(-1234.56)), "-1,234.6%");
        assert_eq!(percent(Some(2e300)), "2e300%");
        assert_eq!(signed_percent(Some(1234.0)), "+1,234.0%");
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
        // A word longer than the line is cut, so no line is wider than asked.
        assert_eq!(wrap("abcdefg hi", Some(3)), ["abc", "def", "g", "hi"]);
    }

    #[test]
    fn deviation_is_signed_and_status_has_a_shape() {
        assert_eq!(signed_percent(Some(5.26)), "+5.3%");
        assert_eq!(signed_percent(Some(-12.0)), "-12.0%");
        assert_eq!(signed_percent(Some(0.04)), "0.0%");
        assert_eq!(signed_percent(Some(-0.04)), "0.0%");
        assert_eq!(signed_percent(None), "—");
        assert_eq!(status_text(Status::Short), "▼ short");
        assert_eq!(status_text(Status::Exceeded), "▲ exceeded");
        assert_eq!(status_text(Status::OnTarget), "● on target");
        assert_eq!(status_text(Status::Incomplete), "◐ incomplete");
        assert_eq!(status_text(Status::NoData), "○ no data");
        assert_eq!(status_text(Status::NoTarget), "– no target");
    }

    fn row(code: &str, status: Status, actual: f64, target: f64) -> ProgressRow {
        ProgressRow {
            indicator: code.to_string(),
            title: format!("{code} is an indicator with a rather long title that must wrap"),
            node: "O1".into(),
            path: "G1 > O1".into(),
            period: crate::period::FiscalPeriod::year(2021),
            unit: "people".into(),
            direction: Direction::Increase,
            baseline: Some(1_234_567.5),
            target: Some(target),
            target_to_date: None,
            actual: Some(actual),
            achieved: crate::progress::achieved(target, actual),
            deviation: crate::progress::deviation(target, actual),
            progress: None,
            status,
            needs_explanation: false,
            explanation: None,
            quarters_reported: None,
            partial: false,
            derived: false,
            cumulative: false,
            numerator: None,
            denominator: None,
            trend: vec![Some(1.0), None, Some(actual)],
            submitted: false,
        }
    }

    fn header(code: &str, depth: usize, statuses: &[Status]) -> Line {
        let mut own = Counts::default();
        statuses.iter().for_each(|s| own.add(*s));
        Line::Header(Rollup {
            code: code.to_string(),
            title: format!(
                "{code}: a goal whose title is long enough to be cut on a narrow terminal"
            ),
            kind: crate::framework::NodeKind::Objective,
            depth,
            own,
            linked: Counts::default(),
            linked_from: Vec::new(),
        })
    }

    /// A goal and an objective with one short row needing an explanation, one exceeded row
    /// with its explanation (and a control character in it), a partial derived year judged
    /// to date, and an on-target row.
    fn sample() -> Report {
        let short = ProgressRow {
            needs_explanation: true,
            ..row("IND-SHORT", Status::Short, 50.0, 100.0)
        };
        let exceeded = ProgressRow {
            explanation: Some("a donor\x1b[2J doubled the budget".to_string()),
            ..row("IND-EXCEEDED", Status::Exceeded, 150.0, 100.0)
        };
        let partial = ProgressRow {
            target_to_date: Some(12.0),
            quarters_reported: Some(3),
            partial: true,
            derived: true,
            ..row("IND-PARTIAL", Status::OnTarget, 12.0, 20.0)
        };
        let on = row("IND-ON", Status::OnTarget, 100.0, 100.0);
        let all = [
            Status::Short,
            Status::Exceeded,
            Status::OnTarget,
            Status::OnTarget,
        ];
        Report {
            period: crate::period::FiscalPeriod::year(2021),
            strategy_title: "Test strategy".to_string(),
            version: "v1".to_string(),
            threshold: 10.0,
            trend_periods: (2019..=2021)
                .map(crate::period::FiscalPeriod::year)
                .collect(),
            lines: vec![
                header("G1", 0, &all),
                header("O1", 1, &all),
                Line::Row(short),
                Line::Row(exceeded),
                Line::Row(partial),
                Line::Row(on),
            ],
        }
    }

    #[test]
    fn table_fits_80_120_and_200_columns() {
        let report = sample();
        for w in [80, 120, 200] {
            let t = table(
                &report,
                Term {
                    color: false,
                    width: Some(w),
                },
            );
            for line in t.lines() {
                assert!(width(line) <= w, "wider than {w}: {line:?}\n{t}");
            }
            assert!(
                !t.contains('\x1b'),
                "no colour, and the control character escaped: {t}"
            );
            assert!(t.contains("\\u{1b}[2J"), "{t}");
            assert!(t.contains("▼ short"), "{t}");
            assert!(t.contains("▲ exceeded"), "{t}");
            assert!(t.contains("1,234,567.5"), "numbers are never cut: {t}");
            assert!(t.contains("-50.0%") && t.contains("+50.0%"), "{t}");
            assert!(t.contains("12 to date"), "{t}");
            assert!(t.contains("12 (3/4 q) Σ"), "{t}");
            assert!(
                t.contains("4 indicators: 1 exceeded, 2 on target, 1 short"),
                "{t}"
            );
            assert!(t.contains("off target with no explanation"), "{t}");
            assert!(t.contains("Off target = deviation beyond ±10%"), "{t}");
            assert!(!t.contains("no indicators"), "{t}");
            // The explanation sits under its row; the row needing one is flagged.
            let lines: Vec<&str> = t.lines().collect();
            let at = |code: &str| lines.iter().position(|l| l.contains(code)).unwrap();
            let shown = lines.iter().position(|l| l.contains("↳ a donor")).unwrap();
            assert!(
                shown > at("IND-EXCEEDED") && shown < at("IND-PARTIAL"),
                "{t}"
            );
            assert!(lines[at("IND-SHORT")].contains('⚑'), "{t}");
            assert!(!lines[at("IND-ON")].contains('⚑'), "{t}");
            // Headers before their rows, indented by depth.
            assert!(lines[at("G1:")].starts_with("G1 "), "{t}");
            assert!(lines[at("O1:")].starts_with("  O1 "), "{t}");
            assert!(at("O1:") < at("IND-SHORT"), "{t}");
        }
        // Wide: the title on the row's line; narrow: under it, and the header title cut.
        let wide = table(
            &report,
            Term {
                color: false,
                width: Some(200),
            },
        );
        assert!(
            wide.lines()
                .any(|l| l.contains("IND-ON") && l.contains("IND-ON is an indicator")),
            "{wide}"
        );
        assert!(wide.contains("⚑ explain"), "{wide}");
        assert!(wide.contains("▂·█"), "the trend fits: {wide}");
        let narrow = table(
            &report,
            Term {
                color: false,
                width: Some(80),
            },
        );
        assert!(
            !narrow
                .lines()
                .any(|l| l.contains("● on target") && l.contains("IND-ON is")),
            "{narrow}"
        );
        assert!(
            narrow
                .lines()
                .any(|l| l.trim_start().starts_with("IND-ON is an indicator")),
            "{narrow}"
        );
        assert!(narrow.contains('…'), "{narrow}");
        // Unbounded (a pipe): nothing is wrapped or cut.
        let piped = table(&report, Term::plain());
        assert!(!piped.contains('…'), "{piped}");
        assert!(
            piped
                .lines()
                .any(|l| l.contains("IND-ON") && l.contains("must wrap ·")),
            "{piped}"
        );
    }

    #[test]
    fn table_colours_only_when_asked() {
        let report = sample();
        let plain = table(
            &report,
            Term {
                color: false,
                width: Some(120),
            },
        );
        assert!(!plain.contains('\x1b'));
        let colour = table(
            &report,
            Term {
                color: true,
                width: Some(120),
            },
        );
        assert!(colour.contains("\x1b[31m▼ short\x1b[0m"), "{colour}");
        assert!(colour.contains("\x1b[36m▲ exceeded\x1b[0m"), "{colour}");
        // The control character from the data is still escaped.
        assert!(colour.contains("\\u{1b}[2J"), "{colour}");
        // Colour does not change the layout.
        let strip = colour
            .split('\x1b')
            .enumerate()
            .map(|(i, part)| {
                if i == 0 {
                    part
                } else {
                    part.split_once('m').map_or(part, |p| p.1)
                }
            })
            .collect::<String>();
        assert_eq!(strip, plain);
    }

    #[test]
    fn markdown_groups_rows_under_headers_with_counts() {
        let md = markdown(&sample());
        assert!(md.contains("| Indicator | Title | Unit | Direction | Baseline | Target | Actual | Achieved | Deviation | Status | Needs explanation | Explanation |"), "{md}");
        assert!(md.contains("| **G1** | **G1: a goal whose title is long enough to be cut on a narrow terminal** · 4 indicators: 1 exceeded, 2 on target, 1 short |"), "{md}");
        assert!(
            md.contains("| 100 | 50 | 50.0% | -50.0% | ▼ short | ⚑ yes | |"),
            "{md}"
        );
        assert!(
            md.contains(
                r"| 150.0% | +50.0% | ▲ exceeded | | a donor\\u{1b}\[2J doubled the budget |"
            ),
            "{md}"
        );
        assert!(md.contains("| 12 to date | 12 (3/4 q) Σ |"), "{md}");
        assert!(!md.contains('\x1b'), "{md}");
    }

    #[test]
    fn markdown_cells_escape_pipes() {
        assert_eq!(md_cell("a | b\nc"), "a \\| b c");
        assert_eq!(md_cell("<i>`x`</i>"), "\\<i\\>\\`x\\`\\</i\\>");
    }

    /// JSON: an array of objects with exactly the contract's keys, in the CSV's column order,
    /// every key present (null or false where it does not apply).
    #[test]
    fn json_keys_are_the_csv_columns_in_order() {
        let mut report = sample();
        report.lines.push(Line::Row(ProgressRow {
            target: None,
            actual: None,
            baseline: None,
            achieved: None,
            deviation: None,
            ..row("IND-EMPTY", Status::NoTarget, 0.0, 0.0)
        }));
        let mut out = Vec::new();
        json(&report, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let rows = v.as_array().unwrap();
        assert_eq!(rows.len(), 5, "rows only, no headers");
        for r in rows {
            let keys: Vec<&String> = r.as_object().unwrap().keys().collect();
            assert_eq!(keys.len(), CSV_COLUMNS.len(), "{r}");
            for k in CSV_COLUMNS {
                assert!(r.get(k).is_some(), "{k} missing in {r}");
            }
        }
        let empty = &rows[4];
        assert_eq!(empty["target_to_date"], serde_json::Value::Null);
        assert_eq!(empty["explanation"], serde_json::Value::Null);
        assert_eq!(empty["partial"], false);
        // The keys come in the contract's order, the CSV's.
        let first = text.split("\n  },").next().unwrap();
        let at: Vec<usize> = CSV_COLUMNS
            .iter()
            .map(|k| first.find(&format!("\"{k}\":")).unwrap())
            .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{first}");
    }

    #[test]
    fn csv_carries_the_new_columns_guarded() {
        let mut report = sample();
        if let Some(Line::Row(r)) = report.lines.get_mut(3) {
            r.explanation = Some("=HYPERLINK(\"http://evil.example\")".to_string());
        }
        let mut out = Vec::new();
        csv(&report, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap(), CSV_COLUMNS.join(","));
        assert!(
            text.contains(
                "IND-EXCEEDED,IND-EXCEEDED is an indicator with a rather long title that must \
                 wrap,O1,G1 > O1,FY2021,people,increase,1234567.5,100,,150,150,50,,exceeded,\
                 false,\"'=HYPERLINK(\"\"http://evil.example\"\")\",,false,false,false,,\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(",12,12,60,-40,,on_target,false,,3,true,true,false,,\n"),
            "{text}"
        );
        assert!(
            text.contains(",50,50,-50,,short,true,,,false,false,false,,\n"),
            "{text}"
        );
    }
}
