//! `ics lint [--format text|json] [--version L]`: the review rules of [`crate::lint`] on a
//! stored version and the periods of its recorded values. Exit 0 with no findings, 1 with
//! findings.

use std::collections::BTreeMap;
use std::io::Write;

use super::Context;
use crate::cli::{LintArgs, LintFormat};
use crate::error::Error;
use crate::lint::{self, Report, Rule};
use crate::render::{plural, Style, Term};
use crate::Outcome;

pub fn run(cx: &Context, args: &LintArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let store = cx.open_existing()?;
    let version = super::version(&store, &args.version)?;
    let fw = store.framework(&version)?;
    let report = lint::lint(&fw, &store.value_periods()?);
    match args.format {
        LintFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &report.findings)
                .map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        LintFormat::Text => {
            for line in text(&report, &version.label, cx.term) {
                writeln!(out, "{line}")?;
            }
        }
    }
    Ok(if report.findings.is_empty() {
        Outcome::Success
    } else {
        Outcome::Findings
    })
}

/// The findings for people: each as `rule: message` and an indented `fix:` line, then a
/// count per rule and how to switch a rule off.
fn text(report: &Report, label: &str, term: Term) -> Vec<String> {
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
            f.message
        ));
        lines.push(format!("  {} {}", term.paint("fix:", Style::Dim), f.fix));
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
    lines.push(
        "to switch a rule off, add `RULE = false` under `[settings.lint]` in framework.toml and load it again"
            .into(),
    );
    lines
}
