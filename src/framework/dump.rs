//! Writing a [`Framework`] back out as framework-file TOML.
//!
//! The output is a valid framework file that reads back to the same framework (same content
//! hash): nodes nested as in the file format, indicators under their node, keys in a fixed
//! order. Used by the benchmark generator and by the round-trip property tests.

use std::fmt::Write;

use super::model::*;

/// The framework as framework-file text.
pub fn to_toml(fw: &Framework) -> String {
    let mut out = String::new();
    let s = &fw.strategy;
    out.push_str("[strategy]\n");
    kv(&mut out, "code", &s.code);
    kv(&mut out, "title", &s.title);
    kv(&mut out, "version", &s.version);
    opt(&mut out, "country", &s.country);
    opt(&mut out, "description", &s.description);
    for (k, v) in [("approved", &s.approved), ("updated", &s.updated)] {
        if let Some(v) = v {
            let _ = writeln!(out, "{k} = {v}");
        }
    }
    if let (Some(a), Some(b)) = (s.start, s.end) {
        kv(&mut out, "start", &a.to_string());
        kv(&mut out, "end", &b.to_string());
    }
    if fw.settings != Settings::default() {
        out.push_str("\n[settings]\n");
        let _ = writeln!(
            out,
            "deviation_threshold = {}",
            num(fw.settings.deviation_threshold)
        );
        if fw.settings.review {
            out.push_str("review = true\n");
        }
        if let Some(days) = fw.settings.lock_after_days {
            let _ = writeln!(out, "lock_after_days = {days}");
        }
        if !fw.settings.lint.is_empty() {
            out.push_str("\n[settings.lint]\n");
            for (rule, on) in &fw.settings.lint {
                let _ = writeln!(out, "{rule} = {on}");
            }
        }
    }
    if let Some(iati) = &s.iati {
        write_iati(iati, &mut out);
    }
    if let Some(cdcs) = &s.cdcs {
        write_cdcs(cdcs, &mut out);
    }
    for node in fw.children_of(None) {
        write_node(fw, node, node.kind.as_str(), &mut out);
    }
    out
}

fn write_iati(iati: &Iati, out: &mut String) {
    out.push_str("\n[iati]\n");
    opt(out, "identifier", &iati.identifier);
    opt(out, "reporting_org_ref", &iati.reporting_org_ref);
    opt(out, "reporting_org_type", &iati.reporting_org_type);
    opt(out, "reporting_org_name", &iati.reporting_org_name);
    opt(out, "activity_status", &iati.activity_status);
    opt(out, "default_currency", &iati.default_currency);
    opt(out, "language", &iati.language);
    opt(out, "recipient_country", &iati.recipient_country);
    if !iati.sectors.is_empty() {
        let items: Vec<String> = iati
            .sectors
            .iter()
            .map(|s| {
                let pct = s
                    .percentage
                    .map(|p| format!(", percentage = {}", num(p)))
                    .unwrap_or_default();
                let name = s
                    .name
                    .as_ref()
                    .map(|n| format!(", name = {}", quote(n)))
                    .unwrap_or_default();
                format!(
                    "{{ vocabulary = {}, code = {}{pct}{name} }}",
                    quote(&s.vocabulary),
                    quote(&s.code)
                )
            })
            .collect();
        let _ = writeln!(out, "sectors = [{}]", items.join(", "));
    }
    for org in &iati.participating_org {
        out.push_str("\n[[iati.participating_org]]\n");
        opt(out, "ref", &org.org_ref);
        opt(out, "type", &org.org_type);
        kv(out, "role", &org.role);
        kv(out, "name", &org.name);
    }
}

fn write_cdcs(cdcs: &Cdcs, out: &mut String) {
    out.push_str("\n[cdcs]\n");
    opt(out, "title", &cdcs.title);
    opt(out, "goal", &cdcs.goal);
    for (k, v) in [("start", &cdcs.start), ("end", &cdcs.end)] {
        match v {
            // A date is written as a TOML date, a fiscal year in quotes.
            Some(d) if d.starts_with(|c: char| c.is_ascii_digit()) => {
                let _ = writeln!(out, "{k} = {d}");
            }
            Some(fy) => kv(out, k, fy),
            None => {}
        }
    }
    if let Some(d) = &cdcs.approved {
        let _ = writeln!(out, "approved = {d}");
    }
}

fn write_node(fw: &Framework, node: &Node, path: &str, out: &mut String) {
    let _ = writeln!(out, "\n[[{path}]]");
    kv(out, "code", &node.code);
    kv(out, "title", &node.title);
    opt(out, "description", &node.description);
    opt(out, "justification", &node.justification);
    opt(out, "linkages", &node.linkages);
    opt(out, "risks", &node.risks);
    opt(out, "hypothesis", &node.hypothesis);
    if !node.aligns_with.is_empty() {
        let items: Vec<String> = node
            .aligns_with
            .iter()
            .map(|a| {
                let title = a
                    .title
                    .as_ref()
                    .map(|t| format!(", title = {}", quote(t)))
                    .unwrap_or_default();
                format!(
                    "{{ strategy = {}, code = {}{title} }}",
                    quote(&a.strategy),
                    quote(&a.code)
                )
            })
            .collect();
        let _ = writeln!(out, "aligns_with = [{}]", items.join(", "));
    }
    if let Some(t) = node.result_type {
        kv(out, "result_type", t.as_str());
    }
    // Links are written on the supporting side, where the framework keeps them.
    if node.kind == NodeKind::DevelopmentObjective
        || (node.kind.can_support() && !node.supports.is_empty())
    {
        list(out, "supports", &node.supports);
    }
    if node.kind == NodeKind::Theme && !node.applies_to.is_empty() {
        list(out, "applies_to", &node.applies_to);
    }
    for ind in &node.indicators {
        write_indicator(ind, &format!("{path}.indicator"), out);
    }
    for child in fw.children_of(Some(&node.code)) {
        write_node(fw, child, &format!("{path}.{}", child.kind.as_str()), out);
    }
}

fn write_indicator(ind: &Indicator, path: &str, out: &mut String) {
    let _ = writeln!(out, "\n[[{path}]]");
    kv(out, "code", &ind.code);
    kv(out, "title", &ind.title);
    kv(out, "unit", &ind.unit);
    kv(out, "direction", ind.direction.as_str());
    if ind.frequency != Frequency::default() {
        kv(out, "frequency", ind.frequency.as_str());
    }
    if ind.aggregation != Aggregation::default() {
        kv(out, "aggregation", ind.aggregation.as_str());
    }
    if ind.cumulative {
        out.push_str("cumulative = true\n");
    }
    if let Some(r) = &ind.ratio {
        let _ = writeln!(
            out,
            "ratio = {{ numerator = {}, denominator = {} }}",
            quote(&r.numerator),
            quote(&r.denominator)
        );
    }
    if let Some(b) = ind.baseline {
        let _ = writeln!(
            out,
            "baseline = {{ period = \"{}\", value = {} }}",
            b.period,
            num(b.value)
        );
    }
    if !ind.targets.is_empty() {
        let items: Vec<String> = ind
            .targets
            .iter()
            .map(|(p, v)| format!("{p} = {}", num(*v)))
            .collect();
        let _ = writeln!(out, "targets = {{ {} }}", items.join(", "));
    }
    if !ind.disaggregations.is_empty() {
        let items: Vec<String> = ind
            .disaggregations
            .iter()
            .map(|(k, vs)| {
                format!(
                    "{} = [{}]",
                    quote(k),
                    vs.iter().map(|v| quote(v)).collect::<Vec<_>>().join(", ")
                )
            })
            .collect();
        let _ = writeln!(out, "disaggregations = {{ {} }}", items.join(", "));
    }
    opt(out, "standard_code", &ind.standard_code);
    opt(out, "source", &ind.source);
    opt(out, "definition", &ind.definition);
    if ind.illustrative {
        out.push_str("illustrative = true\n");
    }
    let p = &ind.pirs;
    opt(out, "rationale", &p.rationale);
    opt(out, "collection_method", &p.collection_method);
    opt(out, "responsible", &p.responsible);
    opt(out, "reporting_frequency", &p.reporting_frequency);
    opt(out, "data_quality_limitations", &p.data_quality_limitations);
    if let Some(d) = &p.dqa_date {
        let _ = writeln!(out, "dqa_date = {d}");
    }
    opt(out, "baseline_rationale", &p.baseline_rationale);
    opt(out, "target_rationale", &p.target_rationale);
}

fn kv(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(out, "{key} = {}", quote(value));
}

fn opt(out: &mut String, key: &str, value: &Option<String>) {
    if let Some(v) = value {
        kv(out, key, v);
    }
}

fn list(out: &mut String, key: &str, values: &[String]) {
    let items: Vec<String> = values.iter().map(|v| quote(v)).collect();
    let _ = writeln!(out, "{key} = [{}]", items.join(", "));
}

/// A TOML basic string with every character that needs it escaped.
pub fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            '\t' => q.push_str("\\t"),
            '\r' => q.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(q, "\\u{:04X}", c as u32);
            }
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

/// A finite number as TOML: integers without a fraction, others with enough digits to read
/// back exactly.
fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::parse_str;

    #[test]
    fn the_shipped_strategy_round_trips() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/framework.toml"))
            .unwrap();
        let fw = parse_str(&text, "framework.toml").unwrap();
        let dumped = to_toml(&fw);
        let again = parse_str(&dumped, "dumped.toml").unwrap_or_else(|e| panic!("{e:?}\n{dumped}"));
        assert_eq!(fw, again);
        assert_eq!(fw.content_hash(), again.content_hash());
    }

    #[test]
    fn every_structure_key_round_trips_with_links_on_the_supporting_side() {
        let text = "[strategy]\ncode = \"s\"\ntitle = \"S\"\nversion = \"1\"\n\n\
            [cdcs]\ntitle = \"C\"\ngoal = \"Goal\"\nstart = 2020-12-15\nend = \"FY2025\"\napproved = 2020-12-10\n\n\
            [[goal]]\ncode = \"G\"\ntitle = \"G\"\nlinkages = \"L\"\nrisks = \"R\"\n\
            aligns_with = [{ strategy = \"JSP\", code = \"1.1\", title = \"T\" }, { strategy = \"JRS\", code = \"2\" }]\n\n\
            [[goal.objective]]\ncode = \"O\"\ntitle = \"O\"\nsupported_by = [\"IR\", \"D\"]\n\n\
            [[development_objective]]\ncode = \"D\"\ntitle = \"D\"\nhypothesis = \"If, then\"\n\n\
            [[development_objective.result]]\ncode = \"IR\"\ntitle = \"IR\"\n";
        let fw = parse_str(text, "f.toml").unwrap();
        assert_eq!(fw.node("D").unwrap().supports, ["O"]);
        assert_eq!(fw.node("IR").unwrap().supports, ["O"]);
        let dumped = to_toml(&fw);
        assert!(dumped.contains("[cdcs]\n"), "{dumped}");
        assert!(
            dumped.contains("start = 2020-12-15\nend = \"FY2025\"\n"),
            "{dumped}"
        );
        assert!(!dumped.contains("supported_by"), "{dumped}");
        let again = parse_str(&dumped, "dumped.toml").unwrap_or_else(|e| panic!("{e:?}\n{dumped}"));
        assert_eq!(fw, again);
        assert_eq!(fw.content_hash(), again.content_hash());
    }

    #[test]
    fn awkward_text_is_quoted() {
        assert_eq!(quote("a \"b\" \\ c\n"), "\"a \\\"b\\\" \\\\ c\\n\"");
        assert_eq!(
            quote("\u{200F}'; DROP TABLE x; 🙂"),
            "\"\u{200F}'; DROP TABLE x; 🙂\""
        );
    }
}
