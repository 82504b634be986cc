//! The report's pictures, drawn as inline SVG text: an indicator's chart of actuals against
//! targets over fiscal years (or over quarters, for a quarter's review), and the stacked status
//! bar of the summary.
//!
//! No crate draws them: a chart is a few rectangles, lines and labels, and a small module keeps
//! the page free of scripts and fonts. The value axis always includes zero (bars start there),
//! with "nice" round ticks (1, 2 or 5 times a power of ten) from [`super::axis`]. Every text that
//! comes from the framework or the values goes through [`super::escape::esc`]. Colour never
//! carries meaning alone: each status also has a word, a shape ([`Status::shape`]) and (short)
//! a hatch. A chart says which way is better ("lower is better"), so a bar under the target line
//! reads right for an indicator that should go down.

use std::fmt::Write;

use super::axis::{compact, nice_axis};
use super::escape::esc;
use super::{Chart, Status};
use crate::progress::Counts;
use crate::render::progress::{direction_words, number};

/// Fill colour and text colour of a status (WCAG AA contrast for the text); its shape is
/// [`Status::shape`].
pub fn status_style(s: Status) -> (&'static str, &'static str) {
    match s {
        Status::Exceeded => ("#1f5fa8", "#ffffff"),
        Status::OnTarget => ("#2e7d32", "#ffffff"),
        Status::Short => ("#b3261e", "#ffffff"),
        Status::Incomplete => ("#f3d58a", "#1a1a1a"),
        Status::NoData => ("#d9d9d9", "#1a1a1a"),
        Status::NoTarget => ("#ffffff", "#1a1a1a"),
    }
}

// Chart geometry, in viewBox units (about CSS pixels at full size).
const W: f64 = 560.0;
const H: f64 = 210.0;
const LEFT: f64 = 62.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 28.0;
/// Extra height under a quarter chart whose quarters are labelled `Q1`..`Q4` with the fiscal
/// year on a second line.
const YEAR_ROW: f64 = 14.0;
/// The narrowest band that still gets a value label over its bar (other than the report's).
const LABELLED_BAND: f64 = 30.0;
const BAR_COLOUR: &str = "#7a9cc6";
const BAR_HIGHLIGHT: &str = "#1d3f66";
const TARGET_COLOUR: &str = "#111111";
const BASELINE_COLOUR: &str = "#9a4d00";

fn f(x: f64) -> String {
    format!("{:.1}", x)
}

/// At most `max` characters of `s`, with `…` when cut.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The chart of one indicator: bars for actuals, a dark marker per target (dashed for the
/// target to date), a dashed line for the baseline, the report's period shaded; `id` makes the
/// title and description ids unique.
pub fn chart(c: &Chart, id: &str, code: &str) -> String {
    let mut data: Vec<f64> = vec![0.0];
    data.extend(c.points.iter().filter_map(|p| p.actual));
    data.extend(c.points.iter().filter_map(|p| p.target));
    data.extend(c.points.iter().filter_map(|p| p.target_to_date));
    data.extend(c.baseline.map(|b| b.value));
    let lo = data.iter().copied().fold(f64::INFINITY, f64::min);
    let mut hi = data.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if c.percent && hi <= 0.0 && lo == 0.0 {
        hi = 100.0;
    }
    let mut axis = nice_axis(lo, hi, 5);
    if c.percent && axis.max > 100.0 && hi <= 100.0 {
        axis.max = 100.0;
    }
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let y = |v: f64| TOP + plot_h * (1.0 - axis.fraction(v));
    let n = c.points.len().max(1) as f64;
    let band = plot_w / n;
    let quarters = c.by_quarter();
    let short_years = c.points.len() > 9;
    // Quarters named in full when they fit, else `Q1` with the year on a line below.
    let year_row = quarters && band < 56.0;
    let height = if year_row { H + YEAR_ROW } else { H };
    let unit_suffix = if c.percent { "%" } else { "" };
    let what = match (c.cumulative, quarters) {
        (false, false) => "Actuals and targets",
        (false, true) => "Quarterly actuals and targets",
        (true, false) => "Running totals of actuals and targets",
        (true, true) => "Running totals of quarterly actuals and targets",
    };
    let by = if quarters { "quarter" } else { "fiscal year" };

    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" data-indicator="{code}" data-by="{by}" viewBox="0 0 {W} {height}" role="img" aria-labelledby="{id}-t {id}-d"><title id="{id}-t">{title}</title><desc id="{id}-d">{desc}</desc>"#,
        code = esc(code),
        title = esc(&format!("{what} of {code}, by {by}")),
        desc = esc(&describe(c)),
    );
    // The report's period, shaded.
    if let Some(i) = c.points.iter().position(|p| p.period == c.highlight) {
        let _ = write!(
            s,
            r##"<rect x="{}" y="{}" width="{}" height="{}" fill="#eaf0f7"/>"##,
            f(LEFT + band * i as f64),
            f(TOP - 4.0),
            f(band),
            f(plot_h + 4.0)
        );
    }
    // Grid and value axis.
    for t in axis.ticks() {
        let ty = y(t);
        let (stroke, width) = if t == 0.0 {
            ("#555555", 1.2)
        } else {
            ("#dddddd", 0.8)
        };
        let _ = write!(
            s,
            r#"<line x1="{}" x2="{}" y1="{ty}" y2="{ty}" stroke="{stroke}" stroke-width="{width}"/><text x="{}" y="{}" text-anchor="end" class="tick">{}{unit_suffix}</text>"#,
            f(LEFT),
            f(W - RIGHT),
            f(LEFT - 6.0),
            f(ty + 4.0),
            esc(&axis.label(t)),
            ty = f(ty),
        );
    }
    // Unit and direction, and the key.
    let unit = if c.percent {
        "percent"
    } else {
        c.unit.as_str()
    };
    let arrow = match c.direction {
        crate::framework::Direction::Increase => "↑",
        crate::framework::Direction::Decrease => "↓",
    };
    let _ = write!(
        s,
        r#"<text x="4" y="14" class="unit">{} · <tspan class="direction">{arrow} {}</tspan></text>"#,
        esc(&clip(unit, 22)),
        direction_words(c.direction)
    );
    let mut kx = W - RIGHT;
    if let Some(b) = c.baseline {
        let label = format!("baseline {} ({})", number(b.value), b.period);
        let _ = write!(
            s,
            r#"<text x="{}" y="14" text-anchor="end" class="key">{}</text>"#,
            f(kx),
            esc(&label)
        );
        kx -= 6.2 * label.chars().count() as f64 + 4.0;
        let _ = write!(
            s,
            r#"<line x1="{}" x2="{}" y1="10" y2="10" stroke="{BASELINE_COLOUR}" stroke-width="2" stroke-dasharray="5 3"/>"#,
            f(kx - 22.0),
            f(kx)
        );
        kx -= 32.0;
    }
    if c.points.iter().any(|p| p.target_to_date.is_some()) {
        let _ = write!(
            s,
            r#"<text x="{}" y="14" text-anchor="end" class="key">to date</text><line x1="{}" x2="{}" y1="10" y2="10" stroke="{TARGET_COLOUR}" stroke-width="2" stroke-dasharray="4 2"/>"#,
            f(kx),
            f(kx - 64.0),
            f(kx - 46.0),
        );
        kx -= 74.0;
    }
    let _ = write!(
        s,
        r#"<text x="{}" y="14" text-anchor="end" class="key">target</text><line x1="{}" x2="{}" y1="10" y2="10" stroke="{TARGET_COLOUR}" stroke-width="3"/><text x="{}" y="14" text-anchor="end" class="key">actual</text><rect x="{}" y="5" width="10" height="10" fill="{BAR_COLOUR}"/>"#,
        f(kx),
        f(kx - 56.0),
        f(kx - 40.0),
        f(kx - 64.0),
        f(kx - 114.0),
    );
    // Bars, targets and period labels.
    let zero = y(0.0);
    for (i, p) in c.points.iter().enumerate() {
        let cx = LEFT + band * (i as f64 + 0.5);
        let here = p.period == c.highlight;
        if let Some(a) = p.actual {
            let ya = y(a);
            let (top, h) = if ya <= zero {
                (ya, zero - ya)
            } else {
                (zero, ya - zero)
            };
            let bw = (band * 0.55).min(48.0);
            let fill = if here { BAR_HIGHLIGHT } else { BAR_COLOUR };
            let _ = write!(
                s,
                r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{fill}" class="bar"/>"#,
                f(cx - bw / 2.0),
                f(top),
                f(bw),
                f(h.max(0.8))
            );
            if here || band >= LABELLED_BAND {
                let ly = label_y(top, top + h, a < 0.0, p.target.map(y));
                let _ = write!(
                    s,
                    r#"<text x="{}" y="{}" text-anchor="middle" class="value" stroke="white" stroke-width="3" paint-order="stroke">{}</text>"#,
                    f(cx),
                    f(ly),
                    esc(&compact(a))
                );
            }
        }
        let tw = (band * 0.8).min(64.0);
        if let Some(t) = p.target {
            let _ = write!(
                s,
                r#"<line x1="{x1}" x2="{x2}" y1="{ty}" y2="{ty}" stroke="white" stroke-width="5"/><line x1="{x1}" x2="{x2}" y1="{ty}" y2="{ty}" stroke="{TARGET_COLOUR}" stroke-width="3" class="target"/>"#,
                x1 = f(cx - tw / 2.0),
                x2 = f(cx + tw / 2.0),
                ty = f(y(t)),
            );
        }
        if let Some(t) = p.target_to_date {
            let _ = write!(
                s,
                r#"<line x1="{x1}" x2="{x2}" y1="{ty}" y2="{ty}" stroke="white" stroke-width="4"/><line x1="{x1}" x2="{x2}" y1="{ty}" y2="{ty}" stroke="{TARGET_COLOUR}" stroke-width="2" stroke-dasharray="4 2" class="target-to-date"/>"#,
                x1 = f(cx - tw / 2.0),
                x2 = f(cx + tw / 2.0),
                ty = f(y(t)),
            );
        }
        let label = match p.period.quarter {
            Some(q) if year_row => format!("Q{q}"),
            Some(_) => p.period.to_string(),
            None if short_years => format!("FY{:02}", p.period.year.rem_euclid(100)),
            None => format!("FY{}", p.period.year),
        };
        let weight = if here { r#" font-weight="bold""# } else { "" };
        let class = if p.period.is_quarter() && !year_row {
            "year quarter"
        } else {
            "year"
        };
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="middle" class="{class}"{weight}>{label}</text>"#,
            f(cx),
            f(H - 8.0)
        );
        // Under a year's first quarter on the chart, the year across its quarters.
        if year_row && (i == 0 || p.period.quarter == Some(1)) {
            let span = c.points[i..]
                .iter()
                .take_while(|q| q.period.year == p.period.year)
                .count();
            let mid = LEFT + band * (i as f64 + span as f64 / 2.0);
            let bold = if p.period.year == c.highlight.year {
                r#" font-weight="bold""#
            } else {
                ""
            };
            let _ = write!(
                s,
                r#"<text x="{}" y="{}" text-anchor="middle" class="year"{bold}>FY{}</text>"#,
                f(mid),
                f(H - 8.0 + YEAR_ROW),
                p.period.year
            );
        }
    }
    if let Some(b) = c.baseline {
        let by = f(y(b.value));
        let _ = write!(
            s,
            r#"<line x1="{}" x2="{}" y1="{by}" y2="{by}" stroke="{BASELINE_COLOUR}" stroke-width="2" stroke-dasharray="5 3"/>"#,
            f(LEFT),
            f(W - RIGHT)
        );
    }
    s.push_str("</svg>");
    s
}

/// How far a value label's glyphs reach above and below its baseline, and how far a target
/// mark (3 units of ink on a 5-unit white halo) reaches either side of its line, plus a gap.
const LABEL_ASCENT: f64 = 9.0;
const LABEL_DESCENT: f64 = 2.0;
const MARK_HALF: f64 = 3.5;

/// Where a bar's value label sits (its text baseline): just past the bar's end (above a
/// positive bar, below a negative one), unless the year's target mark would run through it;
/// then past the mark, or else inside the bar's end. Always inside the plot.
fn label_y(bar_top: f64, bar_bottom: f64, negative: bool, target: Option<f64>) -> f64 {
    let clamp = |y: f64| y.clamp(TOP + LABEL_ASCENT - 1.0, H - BOTTOM - LABEL_DESCENT);
    let clear = |y: f64| {
        target.is_none_or(|t| y + LABEL_DESCENT < t - MARK_HALF || y - LABEL_ASCENT > t + MARK_HALF)
    };
    let candidates = if negative {
        let below_mark = target.map_or(bar_bottom, |t| t.max(bar_bottom)) + MARK_HALF;
        let above_mark = target.map_or(bar_bottom, |t| t.min(bar_bottom)) - MARK_HALF;
        [
            bar_bottom + LABEL_ASCENT + 3.0,
            below_mark + LABEL_ASCENT + 1.0,
            bar_bottom - LABEL_DESCENT - 3.0,
            above_mark - LABEL_DESCENT - 1.0,
        ]
    } else {
        let above_mark = target.map_or(bar_top, |t| t.min(bar_top)) - MARK_HALF;
        let below_mark = target.map_or(bar_top, |t| t.max(bar_top)) + MARK_HALF;
        [
            bar_top - 4.0,
            above_mark - LABEL_DESCENT - 1.0,
            bar_top + LABEL_ASCENT + 3.0,
            below_mark + LABEL_ASCENT + 1.0,
        ]
    };
    candidates
        .into_iter()
        .map(clamp)
        .find(|y| clear(*y))
        .unwrap_or_else(|| clamp(candidates[0]))
}

/// The chart's data in words, for screen readers: each period with an actual or a target,
/// the report's status, which way is better and the baseline.
fn describe(c: &Chart) -> String {
    let mut parts: Vec<String> = c
        .points
        .iter()
        .filter(|p| p.actual.is_some() || p.target.is_some())
        .map(|p| {
            let a = p
                .actual
                .map_or("no actual".into(), |a| format!("actual {}", number(a)));
            let t = p
                .target
                .map_or("no target".into(), |t| format!("target {}", number(t)));
            let to_date = p
                .target_to_date
                .map_or(String::new(), |t| format!(", target to date {}", number(t)));
            format!("{}: {a}, {t}{to_date}", p.period)
        })
        .collect();
    parts.push(format!(
        "{}: {} {}",
        c.highlight,
        c.status.shape(),
        c.status.label()
    ));
    parts.push(direction_words(c.direction).to_string());
    if c.cumulative {
        parts.push("running totals".into());
    }
    if let Some(b) = c.baseline {
        parts.push(format!("baseline {} in {}", number(b.value), b.period));
    }
    parts.join("; ")
}

/// The summary's stacked bar: one segment per status with its count written on it when it fits,
/// `unit` pixels per indicator; short segments also hatched.
pub fn stacked_bar(counts: &Counts, unit: f64, id: &str) -> String {
    const BAR_H: f64 = 22.0;
    let total = counts.total();
    let width = (unit * total as f64).max(1.0);
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg class="stack" width="{w}" height="{BAR_H}" viewBox="0 0 {w} {BAR_H}" role="img" aria-label="{label}"><defs><pattern id="{id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="2" height="6" fill="#ffffff" fill-opacity="0.35"/></pattern></defs>"##,
        w = f(width),
        label = esc(&crate::render::progress::counts_text(counts)),
        id = esc(id),
    );
    let mut x = 0.0;
    for (status, n) in counts.nonzero() {
        let w = unit * n as f64;
        let (fill, ink) = status_style(status);
        let _ = write!(
            s,
            r##"<rect x="{}" y="0" width="{}" height="{BAR_H}" fill="{fill}" stroke="#555555" stroke-width="1"/>"##,
            f(x + 0.5),
            f((w - 1.0).max(0.5)),
        );
        if status == Status::Short {
            let _ = write!(
                s,
                r#"<rect x="{}" y="0" width="{}" height="{BAR_H}" fill="url(#{})"/>"#,
                f(x + 0.5),
                f((w - 1.0).max(0.5)),
                esc(&format!("{id}-hatch"))
            );
        }
        if w >= 16.0 {
            let _ = write!(
                s,
                r#"<text x="{}" y="15.5" text-anchor="middle" class="count" style="fill:{ink}">{n}</text>"#,
                f(x + w / 2.0)
            );
        }
        x += w;
    }
    s.push_str("</svg>");
    s
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Direction;
    use crate::period::FiscalPeriod;

    /// (fiscal year, actual, target).
    type Point = (i32, Option<f64>, Option<f64>);

    fn chart_of(points: &[Point], percent: bool) -> String {
        let c = Chart {
            points: points
                .iter()
                .map(|(y, a, t)| super::super::Point {
                    period: FiscalPeriod::year(*y),
                    actual: *a,
                    target: *t,
                    target_to_date: None,
                    quarters: None,
                })
                .collect(),
            baseline: None,
            unit: if percent { "percent" } else { "people" }.into(),
            percent,
            direction: Direction::Increase,
            cumulative: false,
            highlight: FiscalPeriod::year(points.last().map_or(2022, |p| p.0)),
            status: Status::OnTarget,
        };
        chart(&c, "c", "I<1>")
    }

    #[test]
    fn charts_draw_edge_cases_with_finite_coordinates() {
        let cases: Vec<(Vec<Point>, bool)> = vec![
            (vec![(2022, Some(0.0), None)], false),
            (vec![(2022, Some(-5.0), Some(3.0))], false),
            (
                vec![(2020, Some(-2e9), None), (2021, Some(7e12), Some(1e13))],
                false,
            ),
            (vec![(2021, Some(f64::MAX), Some(-f64::MAX))], false),
            (
                vec![(2020, Some(94.0), Some(92.0)), (2021, None, Some(100.0))],
                true,
            ),
            (vec![(2022, Some(0.0), Some(0.0))], true),
        ];
        for (points, percent) in cases {
            let svg = chart_of(&points, percent);
            for bad in ["NaN", "inf", "-0.0\""] {
                assert!(!svg.contains(bad), "{bad} in {svg}");
            }
            assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
            assert!(svg.contains(r#"data-indicator="I&lt;1&gt;""#));
            assert!(svg.matches("<rect").count() >= points.len());
        }
        // A percent axis stops at 100%, with round ticks.
        let svg = chart_of(&[(2020, Some(94.0), Some(92.0))], true);
        assert!(svg.contains(">100%<") && !svg.contains(">120%<"), "{svg}");
        assert!(svg.contains(">percent · "));
        // A negative actual's bar hangs below zero, labelled.
        let svg = chart_of(&[(2022, Some(-5.0), Some(3.0))], false);
        assert!(svg.contains(">-5<") && svg.contains(">-6<"), "{svg}");
    }

    /// The baseline of the value label and the y of the target mark, of a one-year chart.
    fn label_and_mark(svg: &str) -> (f64, f64) {
        let attr = |from: &str, name: &str| -> f64 {
            let rest = &from[from.find(&format!("{name}=\"")).unwrap() + name.len() + 2..];
            rest[..rest.find('"').unwrap()].parse().unwrap()
        };
        let text = &svg[..svg.find(r#"class="value""#).unwrap()];
        let label = attr(&text[text.rfind("<text").unwrap()..], "y");
        let mark = svg
            .match_indices("<line ")
            .map(|(i, _)| &svg[i..i + svg[i..].find("/>").unwrap()])
            .filter(|l| l.contains(&format!("stroke=\"{TARGET_COLOUR}\"")))
            .map(|l| attr(l, "y1"))
            .find(|y| *y != 10.0)
            .unwrap();
        (label, mark)
    }

    #[test]
    fn value_labels_keep_clear_of_target_marks() {
        // Just below, at, and just above the target; positive and negative; near the top.
        for (a, t) in [
            (22.0, 23.0),
            (23.0, 23.0),
            (24.0, 23.0),
            (95.0, 100.0),
            (100.0, 99.0),
            (-5.0, -5.5),
            (-5.0, -4.5),
            (2.0, 100.0),
        ] {
            let svg = chart_of(&[(2022, Some(a), Some(t))], false);
            let (label, mark) = label_and_mark(&svg);
            let clear =
                label + LABEL_DESCENT < mark - MARK_HALF || label - LABEL_ASCENT > mark + MARK_HALF;
            assert!(
                clear,
                "actual {a}, target {t}: label at {label}, mark at {mark}"
            );
            assert!(
                label - LABEL_ASCENT >= TOP - 2.0 && label <= H - BOTTOM,
                "{label}"
            );
        }
    }

    #[test]
    fn stacked_bar_writes_each_count_and_hatches_short() {
        let mut c = Counts::default();
        c.add(Status::Short);
        c.add(Status::NoData);
        c.add(Status::NoData);
        let svg = stacked_bar(&c, 30.0, "sb1");
        assert!(
            svg.contains(r#"aria-label="3 indicators: 1 short, 2 no data""#),
            "{svg}"
        );
        assert!(svg.contains(">1</text>") && svg.contains(">2</text>"));
        assert!(svg.contains(r##"fill="url(#sb1-hatch)""##));
        // Too narrow for its number: the segment is drawn, the count is left to the text beside.
        let narrow = stacked_bar(&c, 6.0, "sb2");
        assert!(!narrow.contains("</text>"));
    }
}
