//! Writing an [`Activity`] as IATI 2.03 XML, by hand: elements in the order the schema's
//! sequences require, two-space indentation, every text and attribute escaped. Characters XML
//! 1.0 cannot carry at all (control characters other than tab, line feed and carriage return)
//! become U+FFFD. Numbers are written as plain decimals (`17.2`, `580000`), never exponents.

use std::fmt::Write;

use super::{Activity, IndicatorEntry, Org, ResultEntry, IATI_VERSION};

/// The document, from the XML declaration to the closing tag and a final newline.
pub fn render(a: &Activity, generated: &str) -> String {
    let mut x = Xml::default();
    x.out
        .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    // The mark by which `--out` recognises an earlier export it may replace.
    let _ = writeln!(
        x.out,
        "{}{} -->",
        crate::files::output::IATI_MARKER,
        env!("CARGO_PKG_VERSION")
    );
    x.open(
        "iati-activities",
        &[("version", IATI_VERSION), ("generated-datetime", generated)],
    );
    x.open(
        "iati-activity",
        &[("xml:lang", &a.language), ("default-currency", &a.currency)],
    );
    x.text_element("iati-identifier", &[], &a.identifier);
    org(&mut x, "reporting-org", &a.reporting_org);
    x.narrative_element("title", &[], &a.title);
    x.narrative_element("description", &[("type", "1")], &a.description);
    for p in &a.participating {
        org(&mut x, "participating-org", p);
    }
    x.empty("activity-status", &[("code", &a.status)]);
    for (kind, date) in &a.dates {
        x.empty(
            "activity-date",
            &[("type", kind), ("iso-date", &date.to_string())],
        );
    }
    if let Some(c) = &a.recipient_country {
        x.empty("recipient-country", &[("code", c), ("percentage", "100")]);
    }
    // After recipient-region and location (not written), before the results.
    for sector in &a.sectors {
        let pct = sector.percentage.map(number);
        let mut attrs = vec![
            ("vocabulary", sector.vocabulary.as_str()),
            ("code", sector.code.as_str()),
        ];
        if let Some(p) = &pct {
            attrs.push(("percentage", p.as_str()));
        }
        match &sector.name {
            Some(name) => x.narrative_element("sector", &attrs, name),
            None => x.empty("sector", &attrs),
        }
    }
    for r in &a.results {
        result(&mut x, r);
    }
    x.close("iati-activity");
    x.close("iati-activities");
    x.out
}

fn org(x: &mut Xml, tag: &str, o: &Org) {
    let mut attrs = Vec::new();
    if let Some(r) = &o.org_ref {
        attrs.push(("ref", r.as_str()));
    }
    if let Some(t) = &o.org_type {
        attrs.push(("type", t.as_str()));
    }
    if let Some(role) = &o.role {
        attrs.push(("role", role.as_str()));
    }
    x.narrative_element(tag, &attrs, &o.name);
}

fn result(x: &mut Xml, r: &ResultEntry) {
    x.open("result", &[("type", r.result_type.iati_code())]);
    x.narrative_element("title", &[], &r.title);
    if let Some(d) = &r.description {
        x.narrative_element("description", &[], d);
    }
    for i in &r.indicators {
        indicator(x, i);
    }
    x.close("result");
}

fn indicator(x: &mut Xml, i: &IndicatorEntry) {
    x.open(
        "indicator",
        &[
            ("measure", i.measure),
            ("ascending", if i.ascending { "true" } else { "false" }),
        ],
    );
    x.narrative_element("title", &[], &i.title);
    x.narrative_element("description", &[], &i.description);
    if let Some(code) = &i.standard_code {
        x.empty("reference", &[("vocabulary", "3"), ("code", code)]);
    }
    if let Some(b) = &i.baseline {
        x.empty(
            "baseline",
            &[
                ("year", &b.year.to_string()),
                ("iso-date", &b.date.to_string()),
                ("value", &number(b.value)),
            ],
        );
    }
    for p in &i.periods {
        x.open("period", &[]);
        x.empty("period-start", &[("iso-date", &p.start.to_string())]);
        x.empty("period-end", &[("iso-date", &p.end.to_string())]);
        if let Some(t) = p.target {
            x.empty("target", &[("value", &number(t))]);
        }
        for a in &p.actuals {
            let value = number(a.value);
            if a.dimensions.is_empty() && a.note.is_none() {
                x.empty("actual", &[("value", &value)]);
                continue;
            }
            x.open("actual", &[("value", &value)]);
            for (name, val) in &a.dimensions {
                x.empty("dimension", &[("name", name), ("value", val)]);
            }
            if let Some(note) = &a.note {
                x.narrative_element("comment", &[], note);
            }
            x.close("actual");
        }
        x.close("period");
    }
    x.close("indicator");
}

/// A finite number as a plain decimal: `22`, `17.2`, `0.5`; negative zero as `0`.
pub fn number(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else {
        format!("{v}")
    }
}

/// A small indenting writer.
#[derive(Default)]
struct Xml {
    out: String,
    depth: usize,
}

impl Xml {
    fn start_tag(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push('<');
        self.out.push_str(tag);
        for (k, v) in attrs {
            let _ = write!(self.out, " {k}=\"{}\"", escape_attr(v));
        }
    }

    fn open(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        self.start_tag(tag, attrs);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    fn close(&mut self, tag: &str) {
        self.depth -= 1;
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        let _ = writeln!(self.out, "</{tag}>");
    }

    fn empty(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        self.start_tag(tag, attrs);
        self.out.push_str("/>\n");
    }

    fn text_element(&mut self, tag: &str, attrs: &[(&str, &str)], text: &str) {
        self.start_tag(tag, attrs);
        let _ = writeln!(self.out, ">{}</{tag}>", escape_text(text));
    }

    /// `<tag ...><narrative>text</narrative></tag>`.
    fn narrative_element(&mut self, tag: &str, attrs: &[(&str, &str)], text: &str) {
        self.open(tag, attrs);
        self.text_element("narrative", &[], text);
        self.close(tag);
    }
}

/// Whether XML 1.0 can carry `c` at all.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
}

/// Escape element text: `&`, `<`, `>` (and `\r`, which parsers would otherwise drop).
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c if !xml_char(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Escape an attribute value: as text, plus quotes and the whitespace that attribute
/// normalisation would otherwise turn into spaces.
pub fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            c => out.push_str(&escape_text(c.encode_utf8(&mut [0; 4]))),
        }
    }
    out
}
