//! One indicator's card on the page: its status (word, shape and colour), the figures for the
//! period, its chart (or, with no actual yet, its targets in words) and the notes on its values.

use std::fmt::Write;

use super::escape::{anchor, esc};
use super::html::badge;
use super::svg;
use super::IndicatorCard;
use crate::framework::is_percent_unit;
use crate::render::plural;
use crate::render::progress::{direction_words, number};

/// `17.2 USD billion`, `22%`.
fn with_unit(v: f64, unit: &str) -> String {
    if is_percent_unit(unit) {
        format!("{}%", number(v))
    } else {
        format!("{} {}", number(v), unit.trim())
    }
}

/// Write the card of one indicator.
pub(super) fn indicator(s: &mut String, c: &IndicatorCard) {
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
    let actual = match (r.actual, r.quarters_reported) {
        (Some(a), Some(q)) => format!(
            "{} ({} of 4 reported)",
            esc(&with_unit(a, &r.unit)),
            plural(q, "quarter", "quarters")
        ),
        (Some(a), None) => esc(&with_unit(a, &r.unit)),
        (None, _) => "none recorded".into(),
    };
    fact(format!("Actual {}", r.period), actual);
    fact(
        format!("Target {}", r.period),
        r.target
            .map_or("none set".into(), |t| esc(&with_unit(t, &r.unit))),
    );
    if let Some(b) = c.baseline {
        fact(
            "Baseline".into(),
            format!("{} ({})", esc(&with_unit(b.value, &r.unit)), b.period),
        );
    }
    if let Some(x) = r.achieved {
        fact(
            "Progress".into(),
            format!("{x:.1}% (100% = target reached)"),
        );
    }
    fact(
        "Unit".into(),
        format!(
            "<bdi>{}</bdi>, {}",
            esc(&r.unit),
            direction_words(r.direction)
        ),
    );
    s.push_str("</dl>");
    if r.needs_explanation {
        s.push_str(
            "<p class=\"flag\">⚠ Needs explanation: off target by more than the threshold, and no note on the value.</p>",
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
            if !c.off_chart.is_empty() {
                let list: Vec<String> = c
                    .off_chart
                    .iter()
                    .map(|(p, v)| format!("{p}: {}", number(*v)))
                    .collect();
                let _ = write!(
                    s,
                    "<figcaption>Not on the chart (outside its years): {}.</figcaption>",
                    esc(&list.join(", "))
                );
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
        s.push_str("<div class=\"notes\"><strong>Notes on the values</strong><ul>");
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
