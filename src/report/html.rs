//! The review page as one self-contained HTML document: CSS and SVG inline, no script, no
//! font or image to fetch (a Content-Security-Policy forbids any), laid out to print on A4 and
//! Letter alike.
//!
//! Invariants: every text that comes from the framework or the values passes through [`esc`]
//! (element text and attribute values alike) and user texts sit in `<bdi>` so right-to-left marks
//! cannot reorder what surrounds them; every id is built by [`anchor`], which maps any code to a
//! unique id of ASCII letters, digits, `-` and `_`.

use std::fmt::Write;

use super::card::indicator;
use super::escape::{anchor, esc};
use super::svg::{self, status_style};
use super::{IndicatorCard, NodeEntry, Page, Status, SummaryRow};
use crate::framework::{Cdcs, NodeKind};
use crate::progress::Counts;
use crate::render::progress::{number, percent};
use crate::render::values::time;

const STYLE: &str = include_str!("style.css");

/// The status with its shape, as the progress table words it: `▼ short`.
fn status_words(s: Status) -> String {
    format!("{} {}", s.shape(), s.label())
}

/// `["1 exceeded", "1 no data"]`.
fn counts_list(c: &Counts) -> Vec<String> {
    c.nonzero()
        .map(|(st, n)| format!("{n} {}", st.label()))
        .collect()
}

/// The status as a badge: shape, word and colour.
pub(super) fn badge(s: Status) -> String {
    format!(
        r#"<span class="badge s-{}">{}</span>"#,
        s.as_str(),
        esc(&status_words(s))
    )
}

/// A link to a node when the page shows it, else its code alone.
fn node_ref(page: &Page, code: &str, title: &str) -> String {
    let c = format!(r#"<span class="code"><bdi>{}</bdi></span>"#, esc(code));
    let c = if page.shows_node(code) {
        format!(r##"<a href="#{}">{c}</a>"##, esc(&anchor("n", code)))
    } else {
        c
    };
    format!("{c} <bdi>{}</bdi>", esc(title))
}

/// A deviation with its sign: `+1.6%`, `-60.0%`, `0.0%`.
pub(super) fn signed_percent(x: f64) -> String {
    let p = percent(Some(x));
    if x > 0.0 && p != "0.0%" {
        format!("+{p}")
    } else {
        p
    }
}

fn date(d: chrono::NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

/// The whole page.
pub fn page(p: &Page) -> String {
    let mut s = String::with_capacity(64 * 1024);
    let heading = format!("{}: review of {}", p.strategy_title, p.period);
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         {}{}\">\n<title>{}</title>\n<style>\n{STYLE}",
        // The mark by which `--out` recognises an earlier page it may replace.
        crate::files::output::HTML_MARKER,
        env!("CARGO_PKG_VERSION"),
        esc(&heading)
    );
    for st in Status::ALL {
        let (fill, ink) = status_style(st);
        let _ = writeln!(
            s,
            ".s-{} {{ background: {fill}; color: {ink}; }}",
            st.as_str()
        );
    }
    s.push_str("</style>\n</head>\n<body>\n");
    header(&mut s, p);
    s.push_str("<main>\n");
    summary(&mut s, p);
    explanations(&mut s, p);
    tree(&mut s, p);
    s.push_str("</main>\n");
    let _ = write!(
        s,
        "<footer>Made by <code>ics</code> {} from the stored strategy (version <bdi>{}</bdi>) and the \
         values recorded in it. Fiscal years run from 1 October to 30 September. % of target \
         achieved is actual ÷ target; the deviation is (actual − target) ÷ |target|, and within \
         ±{t}% is on target; beyond that, exceeded or short follows the indicator's direction \
         (for a “lower is better” indicator, under the target is better). A fiscal year still \
         coming in is judged against the target to date (the targets of the quarters reported). \
         Progress from the baseline, (actual − baseline) ÷ (target − baseline), is shown when the \
         baseline's period has the length of the report's, and never decides the status.\
         </footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        esc(&p.version),
        t = number(p.threshold)
    );
    s
}

fn header(s: &mut String, p: &Page) {
    let _ = write!(
        s,
        "<header>\n<p class=\"kicker\">Integrated Country Strategy · review of {}</p>\n<h1><bdi>{}</bdi></h1>\n<dl class=\"meta\">",
        p.period,
        esc(&p.strategy_title)
    );
    let mut meta = |k: &str, v: String| {
        let _ = write!(s, "<div><dt>{k}</dt><dd>{v}</dd></div>");
    };
    let mut strategy = format!("<bdi>{}</bdi>", esc(&p.strategy_code));
    if let Some(c) = &p.country {
        let _ = write!(strategy, " · <bdi>{}</bdi>", esc(c));
    }
    meta("Strategy", strategy);
    meta("Version", format!("<bdi>{}</bdi>", esc(&p.version)));
    meta(
        "Period",
        format!(
            "{} ({} – {})",
            p.period,
            date(p.period.start()),
            date(p.period.end())
        ),
    );
    if let Some((a, b)) = p.strategy_years {
        meta("Strategy period", format!("{a} – {b}"));
    }
    meta("Made", esc(&time(&p.generated)));
    s.push_str("</dl>\n");
    if let Some(c) = &p.cdcs {
        cdcs(s, c);
    }
    if let Some(code) = &p.node_filter {
        let _ = writeln!(
            s,
            "<p>This page shows <span class=\"code\"><bdi>{}</bdi></span> and what sits under it only.</p>",
            esc(code)
        );
    }
    if let Some(n) = &p.submitted {
        let _ = writeln!(
            s,
            "<p class=\"notice\"><strong>Not yet approved.</strong> This page {}.</p>",
            esc(n)
        );
    }
    if !p.any_values {
        s.push_str(
            "<p class=\"notice\"><strong>No values have been recorded for this strategy yet.</strong> \
             Every indicator shows “no data” and there are no charts. Record values with \
             <code>ics record</code> or <code>ics import-values</code>, then make this report again.</p>\n",
        );
    } else if p.cards().next().is_none() {
        s.push_str("<p class=\"notice\"><strong>No indicators to show.</strong> The strategy (or the part of it shown) defines no indicators.</p>\n");
    }
    s.push_str("<ul class=\"legend\">");
    for (st, meaning) in legend(p) {
        let _ = write!(s, "<li>{} {}</li>", badge(st), esc(&meaning));
    }
    s.push_str(
        "</ul>\n<p class=\"how\">Better and worse follow each indicator's direction: for a \
         “lower is better” indicator, an actual under the target is better.</p>\n</header>\n",
    );
}

/// The USAID CDCS the DOs come from: title, period and approval in the summary line, the goal
/// statement inside.
fn cdcs(s: &mut String, c: &Cdcs) {
    let mut line = String::from("USAID Country Development Cooperation Strategy");
    if let Some(t) = &c.title {
        let _ = write!(line, ": <bdi>{}</bdi>", esc(t));
    }
    let mut facts = Vec::new();
    if let Some(period) = c.period() {
        facts.push(esc(&period).to_string());
    }
    if let Some(a) = &c.approved {
        facts.push(format!("approved {}", esc(a)));
    }
    if !facts.is_empty() {
        let _ = write!(line, " ({})", facts.join(", "));
    }
    match &c.goal {
        Some(goal) => {
            let _ = writeln!(
                s,
                "<details class=\"cdcs\"><summary>{line}</summary><div class=\"prose\"><h4>CDCS goal</h4>{}</div></details>",
                prose(goal)
            );
        }
        None => {
            let _ = writeln!(s, "<p class=\"cdcs\">{line}</p>");
        }
    }
}

/// Text as paragraphs (a blank line between them), escaped, each line break kept.
fn prose(text: &str) -> String {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p><bdi>{}</bdi></p>", esc(p)))
        .collect()
}

/// What each status means, in the legend's order ([`Status::ALL`]).
pub fn legend(p: &Page) -> Vec<(Status, String)> {
    let t = number(p.threshold);
    Status::ALL
        .into_iter()
        .map(|st| {
            let meaning = match st {
                Status::Exceeded => format!("better than the target by more than {t}%"),
                Status::OnTarget => format!("within ±{t}% of the target"),
                Status::Short => format!("worse than the target by more than {t}%"),
                Status::Incomplete => "a year still coming in with no target to date".into(),
                Status::NoData => format!("no actual recorded for {}", p.period),
                Status::NoTarget => format!("no target set for {}", p.period),
            };
            (st, meaning)
        })
        .collect()
}

fn kind_group(k: NodeKind) -> &'static str {
    match k {
        NodeKind::Goal => "Mission Goals",
        NodeKind::ManagementObjective => "Management Objectives",
        NodeKind::DevelopmentObjective => "USAID Development Objectives",
        NodeKind::Theme => "Cross-cutting themes",
        other => other.plural(),
    }
}

/// "▼ 2 short" first (always), then the other statuses with a count.
fn counts_words(c: &Counts) -> String {
    if c.total() == 0 {
        return "<span class=\"muted\">no indicators</span>".into();
    }
    let short = c.get(Status::Short);
    let mut parts = vec![if short > 0 {
        format!(
            "<span class=\"short-count\">{}</span>",
            esc(&format!("{} {short} short", Status::Short.shape()))
        )
    } else {
        "<span class=\"none-short\">0 short</span>".to_string()
    }];
    parts.extend(
        c.nonzero()
            .filter(|(st, _)| *st != Status::Short)
            .map(|(st, n)| format!("{n} {}", st.label())),
    );
    parts.join(" · ")
}

fn summary(s: &mut String, p: &Page) {
    let _ = write!(
        s,
        "<section id=\"summary\">\n<h2>Summary: indicators by status, {}</h2>\n",
        p.period
    );
    if p.summary.is_empty() {
        s.push_str("<p class=\"muted\">Nothing to summarise.</p>\n</section>\n");
        return;
    }
    let widest = p.summary.iter().map(|r| r.own.total()).max().unwrap_or(0);
    let unit = if widest == 0 {
        36.0
    } else {
        (220.0 / widest as f64).min(55.0)
    };
    s.push_str("<div class=\"summary\">\n");
    let mut group = None;
    for (i, r) in p.summary.iter().enumerate() {
        if group != Some(r.kind) {
            group = Some(r.kind);
            let _ = writeln!(s, "<h3 class=\"group\">{}</h3>", kind_group(r.kind));
        }
        summary_row(s, p, r, unit, i);
    }
    s.push_str("</div>\n</section>\n");
}

fn summary_row(s: &mut String, p: &Page, r: &SummaryRow, unit: f64, i: usize) {
    let bar = if r.own.total() > 0 {
        svg::stacked_bar(&r.own, unit, &format!("sb{i}"))
    } else {
        String::new()
    };
    let _ = write!(
        s,
        "<div class=\"sname\">{}</div><div class=\"sbar\">{bar}</div><div class=\"stext\">{}",
        node_ref(p, &r.code, &r.title),
        counts_words(&r.own)
    );
    if !r.linked_from.is_empty() {
        let dos: Vec<String> = r
            .linked_from
            .iter()
            .map(|c| format!("<bdi>{}</bdi>", esc(c)))
            .collect();
        let total = r.linked.total();
        let (verb, owner) = if dos.len() == 1 {
            ("supports", "the DO")
        } else {
            ("support", "their DO")
        };
        let what = if total == 0 {
            " (no indicators yet)".to_string()
        } else {
            format!(
                ": {total} more {} ({}), counted under {owner}",
                if total == 1 {
                    "indicator"
                } else {
                    "indicators"
                },
                counts_list(&r.linked).join(", ")
            )
        };
        let _ = write!(
            s,
            "<span class=\"linked\">{} {verb} it{what}</span>",
            dos.join(", ")
        );
    }
    s.push_str("</div>\n");
}

fn explanations(s: &mut String, p: &Page) {
    let _ = write!(
        s,
        "<section id=\"needs-explanation\">\n<h2>Needs explanation</h2>\n<p class=\"how\">Indicators \
         exceeded or short in {} (more than {}% from the target) with no note or explanation on \
         the actual or on any value it was combined from. Add the explanation without retyping \
         the value: <code>ics explain CODE {} \"...\"</code>.</p>\n",
        p.period,
        number(p.threshold),
        p.period
    );
    let flagged: Vec<&IndicatorCard> = p.needs_explanation().collect();
    if flagged.is_empty() {
        let _ = writeln!(
            s,
            "<p>No indicator needs an explanation for {}.</p>",
            p.period
        );
    } else {
        s.push_str("<ul class=\"explain\">\n");
        for c in flagged {
            let r = &c.row;
            let figures = match (r.achieved, r.deviation) {
                (Some(a), Some(d)) => format!(
                    ", {} of target, deviation {}",
                    percent(Some(a)),
                    signed_percent(d)
                ),
                (None, Some(d)) => format!(", deviation {}", signed_percent(d)),
                (Some(a), None) => format!(", {} of target", percent(Some(a))),
                (None, None) => String::new(),
            };
            let _ = writeln!(
                s,
                "<li><a href=\"#{}\"><span class=\"code\"><bdi>{}</bdi></span> <bdi>{}</bdi></a> — {}{} — under <bdi>{}</bdi></li>",
                esc(&anchor("i", &r.indicator)),
                esc(&r.indicator),
                esc(&r.title),
                badge(r.status),
                esc(&figures),
                esc(&r.path)
            );
        }
        s.push_str("</ul>\n");
    }
    s.push_str("</section>\n");
}

fn tree(s: &mut String, p: &Page) {
    let by = if p.period.is_quarter() {
        "each quarter (a yearly indicator: each fiscal year)"
    } else {
        "each fiscal year (a quarterly indicator's year is made of its quarters)"
    };
    let tails = format!(
        "Bars are the actual of {by}; the darker bar and the shaded band mark {}, with its \
         value written above. A thick dark line marks the target, a dashed dark line the target \
         to date of a year still coming in, and the dashed brown line the baseline. A cumulative \
         indicator's bars and targets are running totals. Each chart says whether higher or lower \
         is better.",
        p.period
    );
    let _ = write!(
        s,
        "<section id=\"strategy\">\n<h2>Goals, objectives and indicators</h2>\n<p class=\"how\">{tails}</p>\n"
    );
    for n in &p.nodes {
        node(s, p, n);
    }
    s.push_str("</section>\n");
}

fn node(s: &mut String, p: &Page, n: &NodeEntry) {
    let h = (n.depth + 3).min(5);
    // The heading, its links and the first card print together (`.keep` avoids a page break
    // inside it): a heading never ends a printed page apart from what it heads.
    let _ = write!(
        s,
        "<section class=\"node d{}\" id=\"{}\">\n<div class=\"keep\">\n<h{h}><span class=\"kind\">{}</span> <span class=\"code\"><bdi>{}</bdi></span> <bdi>{}</bdi></h{h}>\n",
        n.depth.min(2),
        esc(&anchor("n", &n.code)),
        n.kind.label(),
        esc(&n.code),
        esc(&n.title)
    );
    let links = |label: &str, list: &[(String, String)]| -> String {
        if list.is_empty() {
            return String::new();
        }
        // A list, not text joined with "; ": titles end in their own full stop.
        let refs: Vec<String> = list
            .iter()
            .map(|(c, t)| format!("<li>{}</li>", node_ref(p, c, t)))
            .collect();
        format!(
            "<div class=\"links\">{label} <ul>{}</ul></div>\n",
            refs.join(" ")
        )
    };
    s.push_str(&links("Supported by", &n.supported_by));
    s.push_str(&links("Supports", &n.supports));
    s.push_str(&links("Applies to", &n.applies_to));
    if !n.aligns_with.is_empty() {
        let items: Vec<String> = n
            .aligns_with
            .iter()
            .map(|a| {
                let title = a
                    .title
                    .as_ref()
                    .map(|t| format!(" <bdi>{}</bdi>", esc(t)))
                    .unwrap_or_default();
                format!(
                    "<li><bdi>{}</bdi> <span class=\"code\"><bdi>{}</bdi></span>{title}</li>",
                    esc(&a.strategy),
                    esc(&a.code)
                )
            })
            .collect();
        let _ = writeln!(
            s,
            "<div class=\"links aligns\">≈ Aligns with <ul>{}</ul></div>",
            items.join(" ")
        );
    }
    if !n.sections.is_empty() {
        let names: Vec<String> = n.sections.iter().map(|(h, _)| h.to_lowercase()).collect();
        let summary = match names.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
            None => String::new(),
        };
        let mut body = String::new();
        for (heading, text) in &n.sections {
            let _ = write!(
                body,
                "<h{h2}>{heading}</h{h2}>{}",
                prose(text),
                h2 = (h + 1).min(6)
            );
        }
        let _ = writeln!(
            s,
            "<details class=\"prose\"><summary>{}{}</summary>{body}</details>",
            summary[..1].to_uppercase(),
            &summary[1..]
        );
    }
    if let Some(c) = &n.counts {
        if c.total() > 0 && (n.indicators.len() != c.total()) {
            let _ = writeln!(s, "<p class=\"muted\">In all: {}</p>", counts_words(c));
        }
    }
    if n.indicators.is_empty() && n.kind != NodeKind::Theme {
        s.push_str("<p class=\"muted\">No indicators of its own.</p>\n");
    }
    let mut cards = n.indicators.iter();
    if let Some(first) = cards.next() {
        indicator(s, first, p.threshold);
    }
    s.push_str("</div>\n");
    for c in cards {
        indicator(s, c, p.threshold);
    }
    s.push_str("</section>\n");
}
