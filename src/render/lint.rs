//! The `lint` findings for people: each as `rule: message` with an indented `fix:` line, then
//! a count per rule and how to switch a rule off; and the findings as JSON.

use std::collections::BTreeMap;

use super::{plural, safe, Style, Term};
use crate::lint::{Report, Rule};

/// The findings as the JSON list `[{rule, code, kind, message, fix}]`, keys in that order.
pub fn json(report: &Report) -> String {
    serde_json::to_string_pretty(&report.findings).expect("findings always serialise")
}

/// The text lines (without line ends). `label` is the version linted, `file` the framework
/// file it was loaded from, named in the closing hint.
pub fn text(report: &Report, label: &str, file: &str, term: Term) -> Vec<String> {
    let label = safe(label);
    let mut lines = Vec::new();
    let off = if report.switched_off.is_empty() {
        String::new()
    } else {
        let names: Vec<&str> = report.switched_off.iter().map(|r| r.name()).collect();
        format!(" (switched off: {})", names.join(", "))
    };
    if report.findings.is_empty() {
        let on = Rule::ALL.len() - report.switched_off.len();
        lines.push(format!(
            "no findings: version `{label}` passes {}{off}",
            plural(on, "lint rule", "lint rules")
        ));
        return lines;
    }
    let mut counts: BTreeMap<Rule, usize> = BTreeMap::new();
    for f in &report.findings {
        lines.push(format!(
            "{}: {}",
            term.paint(f.rule.name(), Style::Yellow),
            safe(&f.message)
        ));
        lines.push(format!(
            "  {} {}",
            term.paint("fix:", Style::Dim),
            safe(&f.fix)
        ));
        *counts.entry(f.rule).or_default() += 1;
    }
    lines.push(String::new());
    let per_rule: Vec<String> = counts
        .iter()
        .map(|(rule, n)| format!("{n} {}", rule.name()))
        .collect();
    lines.push(format!(
        "{} in version `{label}`: {}{off}",
        plural(report.findings.len(), "finding", "findings"),
        per_rule.join(", ")
    ));
    lines.push(format!(
        "to switch a rule off, add `RULE = false` under `[settings.lint]` in {} and load it again",
        safe(file)
    ));
    lines
}
