//! Laying out Performance Indicator Reference Sheets ([`crate::pirs`]) as markdown or as one
//! self-contained HTML page (inline CSS, no script) with one sheet per printed page.
//!
//! Both formats show the same rows, in the order of the ADS 201 PIRS template: the indicator
//! and what it measures; its description; the plan for data acquisition; data quality; the
//! baseline and targets; the changes to the indicator. A field the framework does not state is
//! printed as "not stated". Every text from the framework is escaped for its format.

use std::fmt::Write;

use serde_json::Value;

use crate::diff::{Change, ChangeType};
use crate::framework::Frequency;
use crate::pirs::{NodeRef, Sheet, Sheets};
use crate::render::safe::{markdown as md, markdown_code};
use crate::render::values::readable;
use crate::report::escape::esc;

/// What a field the framework does not state reads as.
pub const NOT_STATED: &str = "not stated";

/// One piece of a row's value: text, or a code (shown as code).
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Text(String),
    Code(String),
}

/// A row's value: its pieces, or nothing stated.
pub type Entry = Option<Vec<Piece>>;

fn text(s: impl Into<String>) -> Piece {
    Piece::Text(s.into())
}

fn code(s: impl Into<String>) -> Piece {
    Piece::Code(s.into())
}

/// Optional text: `None` (not stated) when absent or blank.
fn stated(s: Option<&str>) -> Entry {
    s.filter(|s| !s.trim().is_empty()).map(|s| vec![text(s)])
}

/// `Mission Objective` `MO1.1`: title.
fn node(n: &NodeRef) -> Vec<Piece> {
    vec![
        text(format!("{} ", n.kind.label())),
        code(&n.code),
        text(format!(": {}", n.title)),
    ]
}

/// Several nodes, separated by `; `.
fn nodes(list: &[NodeRef]) -> Vec<Piece> {
    let mut out = Vec::new();
    for (i, n) in list.iter().enumerate() {
        if i > 0 {
            out.push(text("; "));
        }
        out.extend(node(n));
    }
    out
}

/// A section of the sheet: its heading and labelled rows.
pub struct Section {
    pub heading: &'static str,
    pub rows: Vec<(&'static str, Entry)>,
}

/// The sheet's sections in the order of the ADS 201 template (the web's indicator page renders
/// the same rows as HTML).
pub fn sections(s: &Sheet) -> Vec<Section> {
    let i = &s.indicator;
    let p = &i.pirs;
    let mut top: Vec<(&'static str, Entry)> = vec![
        ("Indicator", Some(vec![text(&i.title)])),
        ("Code", Some(vec![code(&i.code)])),
        (
            "Standard indicator",
            i.standard_code.as_deref().map(|c| vec![code(c)]),
        ),
        ("Measures", Some(node(&s.node))),
    ];
    if s.path.len() > 1 {
        let mut path = Vec::new();
        for (k, n) in s.path.iter().enumerate() {
            if k > 0 {
                path.push(text(" › "));
            }
            path.push(code(&n.code));
        }
        top.push(("Path", Some(path)));
    }
    let on_path =
        |kinds: &[crate::framework::NodeKind]| s.path.iter().any(|n| kinds.contains(&n.kind));
    use crate::framework::NodeKind as K;
    if !s.aligns_with.is_empty() {
        let mut pieces = Vec::new();
        for (k, a) in s.aligns_with.iter().enumerate() {
            if k > 0 {
                pieces.push(text("; "));
            }
            pieces.push(text(format!("{} ", a.strategy)));
            pieces.push(code(&a.code));
            if let Some(t) = &a.title {
                pieces.push(text(format!(": {t}")));
            }
        }
        top.push(("Aligns with", Some(pieces)));
    }
    if on_path(&[K::DevelopmentObjective]) {
        top.push((
            if s.supports.iter().all(|n| n.kind == K::Objective) {
                "Supports Mission Objectives"
            } else {
                "Supports"
            },
            (!s.supports.is_empty()).then(|| nodes(&s.supports)),
        ));
    }
    if on_path(&[K::Objective, K::SubObjective]) {
        top.push((
            if s.supported_by
                .iter()
                .all(|n| n.kind == K::DevelopmentObjective)
            {
                "Supported by DOs"
            } else {
                "Supported by"
            },
            Some(if s.supported_by.is_empty() {
                vec![text("none")]
            } else {
                nodes(&s.supported_by)
            }),
        ));
    }
    let direction = match i.direction {
        crate::framework::Direction::Increase => "higher is better",
        crate::framework::Direction::Decrease => "lower is better",
    };
    let mut description = vec![
        ("Precise definition", stated(i.definition.as_deref())),
        (
            "Unit of measure",
            Some(vec![text(format!("{} ({direction})", i.unit))]),
        ),
        (
            "Disaggregated by",
            (!i.disaggregations.is_empty()).then(|| {
                let parts: Vec<String> = i
                    .disaggregations
                    .iter()
                    .map(|(k, vs)| format!("{k} ({})", vs.join(", ")))
                    .collect();
                vec![text(parts.join("; "))]
            }),
        ),
    ];
    let mut calculation = Vec::new();
    if let Some(r) = &i.ratio {
        calculation.push(format!("a ratio: {} ÷ {}", r.numerator, r.denominator));
    }
    if i.cumulative {
        calculation.push("cumulative: values add up to running totals".into());
    }
    if i.frequency == Frequency::Quarterly {
        calculation.push(format!(
            "a fiscal year's value is the {} of its quarters",
            i.aggregation.as_str()
        ));
    }
    if !calculation.is_empty() {
        description.push(("Calculation", Some(vec![text(calculation.join("; "))])));
    }
    description.push(("Rationale", stated(p.rationale.as_deref())));
    let baseline = i
        .baseline
        .map(|b| vec![text(format!("{} ({})", readable(b.value), b.period))]);
    vec![
        Section {
            heading: "Indicator",
            rows: top,
        },
        Section {
            heading: "Description",
            rows: description,
        },
        Section {
            heading: "Plan for data acquisition",
            rows: vec![
                ("Data source", stated(i.source.as_deref())),
                (
                    "Method of data collection and construction",
                    stated(p.collection_method.as_deref()),
                ),
                (
                    "Reporting frequency",
                    Some(vec![text(i.frequency.as_str())]),
                ),
                (
                    "Frequency and timing of data acquisition",
                    stated(p.reporting_frequency.as_deref()),
                ),
                ("Responsible office", stated(p.responsible.as_deref())),
            ],
        },
        Section {
            heading: "Data quality",
            rows: vec![
                (
                    "Date of last Data Quality Assessment",
                    stated(p.dqa_date.as_deref()),
                ),
                (
                    "Known data limitations",
                    stated(p.data_quality_limitations.as_deref()),
                ),
            ],
        },
        Section {
            heading: "Baseline and targets",
            rows: vec![
                ("Baseline", baseline),
                (
                    "Rationale for the baseline",
                    stated(p.baseline_rationale.as_deref()),
                ),
                (
                    "Rationale for the targets",
                    stated(p.target_rationale.as_deref()),
                ),
                (
                    "Illustrative",
                    Some(vec![text(if i.illustrative {
                        "yes: the targets are illustrative"
                    } else {
                        "no"
                    })]),
                ),
            ],
        },
    ]
}

/// How a field is named in a change line.
fn field_label(field: &str) -> String {
    if let Some(period) = field.strip_prefix("targets.") {
        return format!("target {period}");
    }
    field.replace('_', " ")
}

/// A JSON value of the diff as a person reads it.
fn show(v: &Value, field: &str) -> String {
    match v {
        Value::Null => "(none)".into(),
        Value::String(s) if is_prose(field) => format!("“{s}”"),
        Value::String(s) => s.clone(),
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        Value::Number(n) => n.as_f64().map(readable).unwrap_or_else(|| n.to_string()),
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

/// Fields whose values are prose, quoted in a change line.
fn is_prose(field: &str) -> bool {
    matches!(
        field,
        "title"
            | "definition"
            | "source"
            | "rationale"
            | "collection_method"
            | "responsible"
            | "reporting_frequency"
            | "data_quality_limitations"
            | "baseline_rationale"
            | "target_rationale"
    )
}

/// One change as a line of pieces.
fn change_line(c: &Change) -> Vec<Piece> {
    let field = c.field.as_deref().unwrap_or("");
    match c.change {
        ChangeType::Recoded => vec![
            text("recoded from "),
            code(show(&c.old, "")),
            text(" to "),
            code(show(&c.new, "")),
        ],
        ChangeType::Moved => {
            let place = |v: &Value| match v {
                Value::Null => text("the top level"),
                v => code(show(v, "")),
            };
            vec![
                text("moved from "),
                place(&c.old),
                text(" to "),
                place(&c.new),
            ]
        }
        ChangeType::Modified => {
            let label = field_label(field);
            match (&c.old, &c.new) {
                (Value::Null, new) => vec![text(format!("{label} added: {}", show(new, field)))],
                (old, Value::Null) => {
                    vec![text(format!("{label} removed (was {})", show(old, field)))]
                }
                (old, new) => vec![text(format!(
                    "{label}: {} → {}",
                    show(old, field),
                    show(new, field)
                ))],
            }
        }
        other => vec![text(format!("{} {}", other.as_str(), field_label(field)))],
    }
}

/// One revision: its heading and one line per change.
pub type RevisionLines = (Vec<Piece>, Vec<Vec<Piece>>);

/// The change history as revisions, and a sentence when there is none (or where the indicator
/// was added).
pub fn changes(s: &Sheet, compared: usize) -> (Vec<RevisionLines>, Vec<Piece>) {
    let mut out = Vec::new();
    for r in &s.revisions {
        let heading = vec![
            text("from version "),
            code(&r.from),
            text(" to "),
            code(&r.to),
            text(format!(
                " (loaded {})",
                r.loaded_at.get(..10).unwrap_or(&r.loaded_at)
            )),
        ];
        out.push((heading, r.changes.iter().map(change_line).collect()));
    }
    let mut note = Vec::new();
    if let Some(v) = &s.added_in {
        note.extend([
            text("Added to the strategy in version "),
            code(v),
            text("."),
        ]);
    }
    if s.revisions.is_empty() {
        if !note.is_empty() {
            note.push(text(" "));
        }
        note.push(text(match compared {
            0 | 1 => "No earlier version is stored, so no change is recorded.".to_string(),
            n => format!("No change to the indicator across the {n} stored versions."),
        }));
    }
    (out, note)
}

fn pieces_md(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => md(t),
            Piece::Code(c) => markdown_code(c),
        })
        .collect()
}

fn entry_md(e: &Entry) -> String {
    match e {
        Some(p) => pieces_md(p),
        None => format!("*{NOT_STATED}*"),
    }
}

/// The sheets as markdown: one `#` heading per sheet, each section a two-column table.
pub fn markdown(all: &Sheets) -> String {
    let mut out = String::new();
    for (n, s) in all.sheets.iter().enumerate() {
        if n > 0 {
            out.push_str("\n---\n\n");
        }
        let i = &s.indicator;
        let _ = writeln!(
            out,
            "# Performance Indicator Reference Sheet: {}\n",
            markdown_code(&i.code)
        );
        let _ = writeln!(
            out,
            "{} ({}), version {}\n",
            md(&all.strategy_title),
            markdown_code(&all.strategy_code),
            markdown_code(&all.version)
        );
        for sec in sections(s) {
            let _ = writeln!(out, "## {}\n", sec.heading);
            out.push_str("| Field | Entry |\n|---|---|\n");
            for (label, entry) in &sec.rows {
                let _ = writeln!(out, "| {label} | {} |", entry_md(entry));
            }
            out.push('\n');
            if sec.heading == "Baseline and targets" {
                out.push_str("### Targets\n\n");
                if i.targets.is_empty() {
                    let _ = writeln!(out, "*{NOT_STATED}*\n");
                } else {
                    out.push_str("| Period | Target |\n|---|---:|\n");
                    for (p, v) in &i.targets {
                        let _ = writeln!(out, "| {p} | {} |", readable(*v));
                    }
                    out.push('\n');
                }
            }
        }
        out.push_str("## Changes to the indicator\n\n");
        let (revisions, note) = changes(s, all.versions_compared);
        for (heading, lines) in &revisions {
            let _ = writeln!(out, "- {}:", pieces_md(heading));
            for l in lines {
                let _ = writeln!(out, "  - {}", pieces_md(l));
            }
        }
        if !revisions.is_empty() {
            out.push('\n');
        }
        if !note.is_empty() {
            let _ = writeln!(out, "{}\n", pieces_md(&note));
        }
    }
    if all.sheets.is_empty() {
        out.push_str("The version has no indicators.\n");
    }
    out
}

/// The first line of a markdown file `ics pirs --out` writes: the mark by which a later run
/// recognises the file as its own (an HTML comment, invisible when the markdown is shown).
pub fn markdown_file(all: &Sheets) -> String {
    format!(
        "{}{} -->\n\n{}",
        crate::files::output::PIRS_MARKDOWN_MARKER,
        env!("CARGO_PKG_VERSION"),
        markdown(all)
    )
}

fn pieces_html(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => format!("<bdi>{}</bdi>", esc(t)),
            Piece::Code(c) => format!("<code><bdi>{}</bdi></code>", esc(c)),
        })
        .collect()
}

fn entry_html(e: &Entry) -> String {
    match e {
        Some(p) => pieces_html(p),
        None => format!("<span class=\"missing\">{NOT_STATED}</span>"),
    }
}

const STYLE: &str = "\
:root { color-scheme: light; }
body { margin: 0 auto; padding: 20px 28px; max-width: 960px; color: #1a1a1a; background: #ffffff;
  font-family: system-ui, -apple-system, \"Segoe UI\", Roboto, \"Helvetica Neue\", Arial, sans-serif;
  font-size: 14px; line-height: 1.4; }
.sheet { page-break-after: always; break-after: page; }
.sheet:last-of-type { page-break-after: auto; break-after: auto; }
.kicker { margin: 0; color: #4a4a4a; text-transform: uppercase; letter-spacing: 0.06em; font-size: 0.8em; }
h1 { font-size: 1.45em; margin: 0.1em 0 0.2em; }
h2 { font-size: 1.05em; margin: 1em 0 0.3em; padding: 3px 6px; background: #1d3f66; color: #ffffff;
  break-after: avoid; page-break-after: avoid; }
table { width: 100%; border-collapse: collapse; }
th, td { border: 1px solid #9aa5b1; padding: 4px 6px; vertical-align: top; text-align: left; }
th { width: 32%; background: #eef1f5; font-weight: 600; }
td { white-space: pre-wrap; }
table.targets { width: auto; min-width: 40%; }
table.targets th { width: auto; }
table.targets td { text-align: right; }
tr { break-inside: avoid; page-break-inside: avoid; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.92em; }
.missing { color: #8f1d16; font-style: italic; }
ul.changes { margin: 0.3em 0; padding-left: 1.2em; }
footer { margin-top: 1.5em; color: #4a4a4a; font-size: 0.85em; }
@media print {
  body { padding: 0; max-width: none; font-size: 10px; line-height: 1.3; }
  @page { margin: 12mm; }
  h1 { font-size: 1.3em; }
  h2 { margin: 0.6em 0 0.2em; padding: 2px 5px; }
  th, td { padding: 2px 5px; }
}
";

/// The sheets as one HTML page: inline CSS, no script, one sheet per printed page.
pub fn html(all: &Sheets) -> String {
    let mut s = String::with_capacity(16 * 1024);
    let title = format!(
        "{}: Performance Indicator Reference Sheets",
        all.strategy_title
    );
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         {}{}\">\n<title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        // The mark by which `--out` recognises an earlier file it may replace.
        crate::files::output::PIRS_HTML_MARKER,
        env!("CARGO_PKG_VERSION"),
        esc(&title)
    );
    for sheet in &all.sheets {
        let i = &sheet.indicator;
        let _ = write!(
            s,
            "<section class=\"sheet\">\n<p class=\"kicker\">Performance Indicator Reference Sheet · <bdi>{}</bdi> · version <bdi>{}</bdi></p>\n<h1><code><bdi>{}</bdi></code> <bdi>{}</bdi></h1>\n",
            esc(&all.strategy_title),
            esc(&all.version),
            esc(&i.code),
            esc(&i.title)
        );
        for sec in sections(sheet) {
            let _ = writeln!(s, "<h2>{}</h2>\n<table>", sec.heading);
            for (label, entry) in &sec.rows {
                let _ = writeln!(s, "<tr><th>{label}</th><td>{}</td></tr>", entry_html(entry));
            }
            s.push_str("</table>\n");
            if sec.heading == "Baseline and targets" {
                if i.targets.is_empty() {
                    let _ = writeln!(
                        s,
                        "<p>Targets: <span class=\"missing\">{NOT_STATED}</span></p>"
                    );
                } else {
                    s.push_str(
                        "<table class=\"targets\">\n<tr><th>Period</th><th>Target</th></tr>\n",
                    );
                    for (p, v) in &i.targets {
                        let _ = writeln!(s, "<tr><th>{p}</th><td>{}</td></tr>", esc(&readable(*v)));
                    }
                    s.push_str("</table>\n");
                }
            }
        }
        s.push_str("<h2>Changes to the indicator</h2>\n");
        let (revisions, note) = changes(sheet, all.versions_compared);
        if !revisions.is_empty() {
            s.push_str("<ul class=\"changes\">\n");
            for (heading, lines) in &revisions {
                let _ = write!(s, "<li>{}:<ul>", pieces_html(heading));
                for l in lines {
                    let _ = write!(s, "<li>{}</li>", pieces_html(l));
                }
                s.push_str("</ul></li>\n");
            }
            s.push_str("</ul>\n");
        }
        if !note.is_empty() {
            let _ = writeln!(s, "<p>{}</p>", pieces_html(&note));
        }
        s.push_str("</section>\n");
    }
    if all.sheets.is_empty() {
        s.push_str("<p>The version has no indicators.</p>\n");
    }
    let _ = write!(
        s,
        "<footer>Made by <code>ics</code> {} from the stored strategy (version <bdi>{}</bdi>). \
         “{NOT_STATED}” marks a field the framework file does not give.</footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        esc(&all.version)
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::parse_str;
    use crate::pirs::{sheets, StoredVersion};

    fn one(text: &str) -> Sheets {
        let fw = parse_str(text, "f.toml").unwrap();
        sheets(
            &[StoredVersion {
                label: "v1".into(),
                loaded_at: "2026-01-15T12:00:00.000000Z".into(),
                framework: fw,
            }],
            &[],
        )
        .unwrap()
    }

    const HOSTILE: &str = "[strategy]\ncode = \"s\"\ntitle = \"S <b>\"\nversion = \"1\"\n\
        [[goal]]\ncode = \"G\"\ntitle = \"G\"\n[[goal.indicator]]\ncode = \"I|1\"\n\
        title = \"<script>alert(1)</script> *x* | y\"\nunit = \"people\"\ndirection = \"increase\"\n\
        rationale = \"a\\u001b[2J & <i>b</i>\"\n";

    #[test]
    fn markdown_escapes_and_marks_what_is_not_stated() {
        let md = markdown(&one(HOSTILE));
        assert!(md.contains("\\<script\\>"), "{md}");
        assert!(md.contains("\\*x\\* \\| y"), "{md}");
        assert!(!md.contains('\u{1b}'), "{md}");
        assert!(md.contains("| Precise definition | *not stated* |"), "{md}");
        assert!(
            md.contains("| Date of last Data Quality Assessment | *not stated* |"),
            "{md}"
        );
    }

    #[test]
    fn html_escapes_everything() {
        let page = html(&one(HOSTILE));
        assert!(!page.contains("<script>"), "{page}");
        assert!(!page.contains("<i>b</i>"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!page.contains('\u{1b}'));
        assert_eq!(page.matches("<section class=\"sheet\">").count(), 1);
        assert!(page.contains("page-break-after: always"));
        assert!(page.starts_with("<!DOCTYPE html>"));
    }
}
