//! Rendering a diff (issue 5): a review memo as text or markdown, and the contract JSON.
//!
//! Both memo formats come from one layout ([`Section`]s of [`Line`]s made of [`Span`]s), so they
//! always say the same thing: a heading per top-level node touched (goal, management objective,
//! DO, theme; strategy and settings first), in strategy order, one line per change (`+` added or
//! linked, `-` removed or unlinked, `~` modified or recoded, `>` moved), and the summary of
//! counts last. A changed text field shows a word-level difference when most words stayed
//! (`[-old-]{+new+}` without colour, red/green with colour, `~~old~~ **new**` in markdown),
//! with long unchanged stretches cut to a few words of context; a rewritten text shows the
//! old and new wording in full.

use serde_json::Value;

use crate::diff::{summary, Change, ChangeType, DiffReport, Kind};
use crate::framework::NodeKind;
use crate::render::safe::{markdown as md_escape, markdown_code};
use crate::render::{safe, Style, Term};

/// Fields holding prose, shown with a word-level difference.
const PROSE_FIELDS: [&str; 17] = [
    "title",
    "description",
    "justification",
    "linkages",
    "risks",
    "hypothesis",
    "cdcs.title",
    "cdcs.goal",
    "definition",
    "source",
    "rationale",
    "collection_method",
    "responsible",
    "reporting_frequency",
    "data_quality_limitations",
    "baseline_rationale",
    "target_rationale",
];

mod words;

use words::word_diff;

/// A piece of a memo line.
#[derive(Debug, Clone, PartialEq)]
pub enum Span {
    Text(String),
    /// A node, indicator or period code.
    Code(String),
    /// Words only in the old text.
    Del(String),
    /// Words only in the new text.
    Ins(String),
}

fn t(s: impl Into<String>) -> Span {
    Span::Text(s.into())
}

fn code(s: impl Into<String>) -> Span {
    Span::Code(s.into())
}

/// One change in the memo: a head line and optional indented body lines (each with its
/// label, `was: ` or `now: `, if any).
#[derive(Debug, Clone)]
pub struct Line {
    pub change: ChangeType,
    pub head: Vec<Span>,
    pub body: Vec<(Option<&'static str>, Vec<Span>)>,
}

/// The changes under one heading.
#[derive(Debug, Clone)]
pub struct Section {
    pub heading: Vec<Span>,
    pub lines: Vec<Line>,
}

/// A change's sign in the memo (`+`, `-`, `~`, `>`) and its colour on a terminal.
pub fn symbol(c: ChangeType) -> (&'static str, Style) {
    match c {
        ChangeType::Added | ChangeType::Linked => ("+", Style::Green),
        ChangeType::Removed | ChangeType::Unlinked => ("-", Style::Red),
        ChangeType::Modified => ("~", Style::Yellow),
        ChangeType::Recoded => ("~", Style::Cyan),
        ChangeType::Moved => (">", Style::Cyan),
    }
}

/// How a field is named in a memo.
fn field_label(field: &str) -> String {
    if let Some(period) = field.strip_prefix("targets.") {
        return format!("target {period}");
    }
    match field {
        "standard_code" => "standard code".into(),
        "collection_method" => "collection method".into(),
        "reporting_frequency" => "reporting frequency".into(),
        "data_quality_limitations" => "data quality limitations".into(),
        "dqa_date" => "DQA date".into(),
        "baseline_rationale" => "baseline rationale".into(),
        "target_rationale" => "target rationale".into(),
        "deviation_threshold" => "deviation threshold".into(),
        "approved" => "approval date".into(),
        "updated" => "update date".into(),
        "start" => "strategy start".into(),
        "end" => "strategy end".into(),
        "hypothesis" => "development hypothesis".into(),
        "aligns_with" => "aligns with".into(),
        "cdcs.title" => "CDCS title".into(),
        "cdcs.goal" => "CDCS goal".into(),
        "cdcs.start" => "CDCS start".into(),
        "cdcs.end" => "CDCS end".into(),
        "cdcs.approved" => "CDCS approval date".into(),
        other => other.into(),
    }
}

/// A JSON value as a person reads it.
fn show(v: &Value, field: &str) -> String {
    match v {
        Value::Null => "(none)".into(),
        Value::String(s) => s.clone(),
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        Value::Number(n) if field == "deviation_threshold" => format!("{n} %"),
        Value::Number(n) => n.to_string(),
        Value::Array(items) if field == "aligns_with" && items.is_empty() => "(none)".into(),
        Value::Array(items) if field == "aligns_with" => items
            .iter()
            .map(|a| {
                let part = |k: &str| a.get(k).and_then(Value::as_str).unwrap_or("");
                match a.get("title").and_then(Value::as_str) {
                    Some(title) => format!("{} {} ({title})", part("strategy"), part("code")),
                    None => format!("{} {}", part("strategy"), part("code")),
                }
            })
            .collect::<Vec<_>>()
            .join("; "),
        Value::Array(items) => items
            .iter()
            .map(|i| show(i, ""))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(map) if field == "baseline" => {
            let value = map.get("value").map(|v| show(v, "")).unwrap_or_default();
            let period = map.get("period").map(|v| show(v, "")).unwrap_or_default();
            format!("{value} ({period})")
        }
        Value::Object(map) if map.is_empty() => "(none)".into(),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k}: {}", show(v, "")))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// "Cross-cutting theme" for a heading.
fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Build the memo layout: one section per group, in the order the changes come (the web's diff
/// page renders the same layout as HTML).
pub fn layout(report: &DiffReport) -> Vec<Section> {
    let mut sections: Vec<(String, Section)> = Vec::new();
    for c in &report.changes {
        let (key, heading) = match (&c.group, c.kind) {
            (Some(g), _) => (
                format!("node:{}", g.code),
                vec![
                    t(format!("{} ", capitalised(g.kind.label()))),
                    code(&g.code),
                    t(format!(": {}", g.title)),
                ],
            ),
            (None, Kind::Settings) => ("settings".into(), vec![t("Settings")]),
            (None, _) => ("strategy".into(), vec![t("Strategy")]),
        };
        if sections.last().is_none_or(|(k, _)| *k != key) {
            sections.push((
                key,
                Section {
                    heading,
                    lines: Vec::new(),
                },
            ));
        }
        if let Some((_, s)) = sections.last_mut() {
            s.lines.push(line(c));
        }
    }
    sections.into_iter().map(|(_, s)| s).collect()
}

/// The memo line for one change.
fn line(c: &Change) -> Line {
    let cd = c.code.clone().unwrap_or_default();
    let title = c.title.clone().unwrap_or_default();
    let field = c.field.as_deref().unwrap_or("");
    let mut body = Vec::new();
    let head = match c.change {
        ChangeType::Added | ChangeType::Removed => vec![
            t(format!("{} {} ", c.change.as_str(), c.kind.label())),
            code(cd),
            t(format!(": {title}")),
        ],
        ChangeType::Recoded => vec![
            t(format!("recoded {} ", c.kind.label())),
            code(show(&c.old, "")),
            t(" → "),
            code(show(&c.new, "")),
            t(format!(": {title}")),
        ],
        ChangeType::Moved => {
            let place = |v: &Value| match v {
                Value::Null => vec![t("the top level")],
                v => vec![code(show(v, ""))],
            };
            let mut h = vec![
                t(format!("moved {} ", c.kind.label())),
                code(cd),
                t(" from "),
            ];
            h.extend(place(&c.old));
            h.push(t(" to "));
            h.extend(place(&c.new));
            h
        }
        ChangeType::Linked | ChangeType::Unlinked => {
            let verb = match (c.change, field) {
                (ChangeType::Linked, "applies_to") => " now applies to ",
                (ChangeType::Linked, _) => " now supports ",
                (_, "applies_to") => " no longer applies to ",
                _ => " no longer supports ",
            };
            let target = if c.change == ChangeType::Linked {
                &c.new
            } else {
                &c.old
            };
            let mut h = Vec::new();
            if c.kind == Kind::Node(NodeKind::Theme) {
                h.push(t("theme "));
            }
            h.extend([code(cd), t(verb), code(show(target, ""))]);
            h
        }
        ChangeType::Modified => {
            let mut h = match c.kind {
                Kind::Strategy | Kind::Settings => vec![],
                _ => vec![code(cd), t(" ")],
            };
            let label = field_label(field);
            let prose = PROSE_FIELDS.contains(&field);
            match (&c.old, &c.new) {
                (Value::Null, new) if prose || field.starts_with("targets.") => {
                    if prose {
                        h.push(t(format!("{label} added")));
                        body.push((None, vec![t(show(new, field))]));
                    } else {
                        h.push(t(format!("{label} added: {}", show(new, field))));
                    }
                }
                (old, Value::Null) if prose || field.starts_with("targets.") => {
                    if prose {
                        h.push(t(format!("{label} removed")));
                        body.push((Some("was: "), vec![t(show(old, field))]));
                    } else {
                        h.push(t(format!("{label} removed (was {})", show(old, field))));
                    }
                }
                (Value::String(old), Value::String(new)) if prose => {
                    h.push(t(format!("{label} changed")));
                    match word_diff(old, new) {
                        Some(spans) => body.push((None, spans)),
                        None => {
                            body.push((Some("was: "), vec![t(old)]));
                            body.push((Some("now: "), vec![t(new)]));
                        }
                    }
                }
                (old, new) => h.push(t(format!(
                    "{label}: {} → {}",
                    show(old, field),
                    show(new, field)
                ))),
            }
            h
        }
    };
    Line {
        change: c.change,
        head,
        body,
    }
}

fn spans_text(spans: &[Span], term: Term) -> String {
    spans
        .iter()
        .map(|s| match s {
            Span::Text(x) | Span::Code(x) => safe(x).into_owned(),
            Span::Del(x) if term.color => term.paint(x, Style::Red),
            Span::Ins(x) if term.color => term.paint(x, Style::Green),
            Span::Del(x) => format!("[-{}-]", safe(x)),
            Span::Ins(x) => format!("{{+{}+}}", safe(x)),
        })
        .collect()
}

/// The text memo, one output line per element.
pub fn text(report: &DiffReport, term: Term) -> Vec<String> {
    let mut out = Vec::new();
    if !report.is_empty() {
        out.push(term.paint(
            &format!("Changes from {} to {}", report.from, report.to),
            Style::Bold,
        ));
        for section in layout(report) {
            out.push(String::new());
            out.push(term.paint(&spans_text(&section.heading, term), Style::Bold));
            for l in &section.lines {
                let (sym, style) = symbol(l.change);
                out.push(format!(
                    "  {} {}",
                    term.paint(sym, style),
                    spans_text(&l.head, term)
                ));
                for (label, spans) in &l.body {
                    let label = label.map(|x| term.paint(x, Style::Dim)).unwrap_or_default();
                    out.push(format!("      {label}{}", spans_text(spans, term)));
                }
            }
        }
        out.push(String::new());
    }
    out.push(summary(&report.changes));
    out
}

fn spans_markdown(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| match s {
            Span::Text(x) => md_escape(x),
            Span::Code(x) => markdown_code(x),
            Span::Del(x) => format!("~~{}~~", md_escape(x)),
            Span::Ins(x) => format!("**{}**", md_escape(x)),
        })
        .collect()
}

/// The memo as markdown, for a report.
pub fn markdown(report: &DiffReport) -> Vec<String> {
    let mut out = Vec::new();
    if !report.is_empty() {
        out.push(format!(
            "## Changes from {} to {}",
            markdown_code(&report.from),
            markdown_code(&report.to)
        ));
        for section in layout(report) {
            out.push(String::new());
            out.push(format!("### {}", spans_markdown(&section.heading)));
            out.push(String::new());
            for l in &section.lines {
                out.push(format!("- {}", spans_markdown(&l.head)));
                for (label, spans) in &l.body {
                    let label = label
                        .map(|x| format!("*{}* ", x.trim()))
                        .unwrap_or_default();
                    out.push(format!("  - {label}{}", spans_markdown(spans)));
                }
            }
        }
        out.push(String::new());
    }
    out.push(md_escape(&summary(&report.changes)));
    out
}

/// The contract JSON: `{ "from", "to", "changes": [ { "change", "kind", "code", "field", "old",
/// "new" } ] }`.
pub fn json(report: &DiffReport) -> String {
    serde_json::to_string_pretty(report).expect("a diff report always serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_replaces_the_markers() {
        let term = Term {
            color: true,
            width: None,
        };
        let spans = word_diff("a b c d", "a x c d").unwrap();
        let shown = spans_text(&spans, term);
        assert!(shown.contains("\x1b[31mb\x1b[0m"), "{shown:?}");
        assert!(shown.contains("\x1b[32mx\x1b[0m"), "{shown:?}");
        assert!(!shown.contains("[-"));
    }

    #[test]
    fn values_read_well() {
        let b = serde_json::json!({ "period": "FY2019", "value": 10 });
        assert_eq!(show(&b, "baseline"), "10 (FY2019)");
        assert_eq!(show(&Value::Null, "unit"), "(none)");
        assert_eq!(show(&serde_json::json!(15), "deviation_threshold"), "15 %");
        let d = serde_json::json!({ "sex": ["female", "male"] });
        assert_eq!(show(&d, "disaggregations"), "sex: female, male");
        assert_eq!(field_label("targets.FY2021Q2"), "target FY2021Q2");
    }
}
