//! One indicator's card on the page: its status (word, shape and colour), the figures for the
//! period as the progress definitions make them (% of target achieved, deviation, progress from
//! the baseline, the target to date of a year still coming in), what lies behind the actual
//! (quarters, a derived total, a ratio's parts, a running total), its explanation or the
//! needs-explanation flag, its chart (or, with no actual yet, its targets in words) and the
//! notes on its other values.

use std::fmt::Write;

use super::escape::{anchor, esc};
use super::html::{badge, signed_percent};
use super::svg;
use super::{IndicatorCard, Status};
use crate::framework::is_percent_unit;
use crate::render::plural;
use crate::render::progress::{direction_words, number, percent};

/// `17.2 USD billion`, `22%`.
fn with_unit(v: f64, unit: &str) -> String {
    if is_percent_unit(unit) {
        format!("{}%", number(v))
    } else {
        format!("{} {}", number(v), unit.trim())
    }
}

/// The quarters of a mask in words: `quarter 2`, `quarters 1-3`, `quarters 1, 2 and 4`.
pub(super) fn quarters_words(mask: u8) -> String {
    let qs: Vec<u8> = (1..=4u8).filter(|q| mask & (1 << (q - 1)) != 0).collect();
    match qs.as_slice() {
        [] => "no quarters".into(),
        [one] => format!("quarter {one}"),
        [first, .., last] if (*last - *first) as usize + 1 == qs.len() => {
            format!("quarters {first}-{last}")
        }
        [rest @ .., last] => {
            let rest: Vec<String> = rest.iter().map(u8::to_string).collect();
            format!("quarters {} and {last}", rest.join(", "))
        }
    }
}

/// What lies behind the actual, in words (escaped): quarters reported, a derived total, a
/// running total.
fn behind(c: &IndicatorCard) -> Vec<String> {
    let r = &c.row;
    let mut out = Vec::new();
    if let Some(q) = r.quarters_reported {
        let mut w = if c.quarters_mask != 0 && q < 4 {
            format!("{} of 4 reported", quarters_words(c.quarters_mask))
        } else {
            format!("{} of 4 reported", plural(q, "quarter", "quarters"))
        };
        if r.partial {
            w.push_str(", a partial year");
        }
        out.push(w);
    }
    if r.derived {
        out.push(if c.derived_from.is_empty() {
            "total derived from its disaggregations".into()
        } else {
            format!("total derived from {}", esc(&c.derived_from.join(" and ")))
        });
    }
    if let Some(y) = c.running_from {
        out.push(format!("running total since FY{y:04}"));
    }
    out
}

/// Write the card of one indicator; `threshold` is the deviation threshold T.
pub(super) fn indicator(s: &mut String, c: &IndicatorCard, threshold: f64) {
    let r = &c.row;
    let id = anchor("i", &r.indicator);
    let _ = write!(
        s,
        "<article class=\"indicator{}\" id=\"{}\">\n<div class=\"ihead\"><span class=\"code\"><bdi>{}</bdi></span> <bdi class=\"ititle\">{}</bdi> {}</div>\n<div class=\"ibody\">\n<div class=\"facts\"><dl>",
        if r.needs_explanation { " flagged" } else { "" },
        esc(&id),
        esc(&r.indicator),
        esc(&r.title),
        badge(r.status)
    );
    let mut fact = |k: String, v: String| {
        let _ = write!(s, "<dt>{k}</dt><dd>{v}</dd>");
    };
    let actual = match r.actual {
        Some(a) => {
            let more = behind(c);
            if more.is_empty() {
                esc(&with_unit(a, &r.unit))
            } else {
                format!(
                    "{} <span class=\"muted\">({})</span>",
                    esc(&with_unit(a, &r.unit)),
                    more.join("; ")
                )
            }
        }
        None => "none recorded".into(),
    };
    fact(format!("Actual {}", r.period), actual);
    if let (Some(ratio), Some(n), Some(d)) = (&c.ratio, r.numerator, r.denominator) {
        fact(
            "Ratio parts".into(),
            format!(
                "<bdi>{}</bdi> {} ÷ <bdi>{}</bdi> {}",
                esc(&ratio.numerator),
                esc(&number(n)),
                esc(&ratio.denominator),
                esc(&number(d))
            ),
        );
    }
    let target = match r.target {
        Some(t) if c.target_from_quarters => format!(
            "{} <span class=\"muted\">(from its quarter targets)</span>",
            esc(&with_unit(t, &r.unit))
        ),
        Some(t) => esc(&with_unit(t, &r.unit)),
        None => "none set".into(),
    };
    fact(format!("Target {}", r.period), target);
    let reported = quarters_words(c.quarters_mask);
    if let Some(t) = r.target_to_date {
        fact(
            "Judged against".into(),
            format!(
                "the target to date: {}, {reported} reported",
                esc(&with_unit(t, &r.unit))
            ),
        );
    } else if r.status == Status::Incomplete {
        fact(
            "Judged against".into(),
            format!(
                "nothing yet: {reported} reported, and no target to date to judge them against"
            ),
        );
    } else if r.partial && r.target.is_some() {
        fact(
            "Judged against".into(),
            format!("the year's target, with {reported} reported"),
        );
    }
    if let Some(b) = c.baseline {
        fact(
            "Baseline".into(),
            format!("{} ({})", esc(&with_unit(b.value, &r.unit)), b.period),
        );
    }
    if let Some(x) = r.achieved {
        fact("% of target achieved".into(), esc(&percent(Some(x))));
    }
    if let Some(d) = r.deviation {
        fact("Deviation".into(), esc(&signed_percent(d)));
    }
    if let Some(x) = r.progress {
        fact(
            "Progress from baseline".into(),
            format!(
                "{} <span class=\"muted\">(100% = target reached)</span>",
                esc(&percent(Some(x)))
            ),
        );
    }
    fact(
        "Unit".into(),
        format!(
            "<bdi>{}</bdi>, {}{}",
            esc(&r.unit),
            direction_words(r.direction),
            if r.cumulative {
                ", cumulative (targets are running totals)"
            } else {
                ""
            }
        ),
    );
    if let Some(e) = &r.explanation {
        fact(
            "Explanation".into(),
            format!("<bdi class=\"explanation\">{}</bdi>", esc(e)),
        );
    }
    s.push_str("</dl>");
    if r.needs_explanation {
        let _ = write!(
            s,
            "<p class=\"flag\">⚠ Needs explanation: {} by more than {}% and no note or explanation on the value. Add one with <code>ics explain <bdi>{}</bdi> {} \"...\"</code>.</p>",
            r.status.label(),
            number(threshold),
            esc(&r.indicator),
            r.period
        );
    }
    if c.illustrative {
        s.push_str("<span class=\"tag\">Illustrative targets</span>");
    }
    s.push_str("</div>\n");
    match &c.chart {
        Some(ch) => {
            let _ = write!(
                s,
                "<figure>{}",
                svg::chart(ch, &format!("{id}-c"), &r.indicator)
            );
            let mut captions = Vec::new();
            if r.period.is_quarter() && !ch.by_quarter() {
                captions.push(
                    "No actual recorded for any quarter: charted by fiscal year.".to_string(),
                );
            }
            if !c.off_chart.is_empty() {
                let list: Vec<String> = c
                    .off_chart
                    .iter()
                    .map(|(p, v)| format!("{p}: {}", number(*v)))
                    .collect();
                captions.push(format!(
                    "Not on the chart (outside its years): {}.",
                    esc(&list.join(", "))
                ));
            }
            if !captions.is_empty() {
                let _ = write!(s, "<figcaption>{}</figcaption>", captions.join(" "));
            }
            s.push_str("</figure>\n");
        }
        None => {
            let _ = writeln!(
                s,
                "<p class=\"nochart\">No actual recorded for any fiscal year yet, so no chart.{}</p>",
                targets_text(c)
            );
        }
    }
    s.push_str("</div>\n");
    if !c.notes.is_empty() {
        s.push_str("<div class=\"notes\"><strong>Notes on other periods</strong><ul>");
        for (p, note) in &c.notes {
            let _ = write!(s, "<li><strong>{p}</strong>: <bdi>{}</bdi></li>", esc(note));
        }
        s.push_str("</ul></div>\n");
    }
    s.push_str("</article>\n");
}

/// " Targets: FY2019 150,000 · FY2020 160,000." for a card without a chart, or nothing.
fn targets_text(c: &IndicatorCard) -> String {
    if c.targets.is_empty() {
        return " No targets are set either.".into();
    }
    let list: Vec<String> = c
        .targets
        .iter()
        .map(|(p, v)| format!("{p} {}", number(*v)))
        .collect();
    format!(" Targets: {}.", esc(&list.join(" · ")))
}
