//! `ics export iati` and `ics lint` through the real binary. `iati`: the exports validate against
//! the IATI 2.03 schema with xmllint, the rules the schema cannot check hold in the output, a bad
//! stored value stops the export before anything is written. `lint`: the framework fields for
//! IATI and lint load (or fail with a location), lint's findings, exit codes and switches.
//! This file holds the helpers both use.

mod iati;
mod iati_rules;
mod lint;
pub mod rules;

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{repo_file, Env};

/// The IATI 2.03 schema, vendored in the repository (see `vendor/iati/README.md`).
const SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/vendor/iati/iati-activities-schema.xsd"
);

/// Validate `file` against the IATI 2.03 schema; a missing xmllint or schema fails loudly.
#[track_caller]
pub fn validate(file: &Path) {
    assert!(
        Path::new(SCHEMA).exists(),
        "the IATI schema is missing at {SCHEMA}: restore `vendor/iati/` from the repository"
    );
    let out = Command::new("xmllint")
        .args(["--noout", "--schema", SCHEMA])
        .arg(file)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run xmllint ({e}): install it (Debian package libxml2-utils) to validate the IATI export")
        });
    assert!(
        out.status.success(),
        "{} does not validate against the IATI 2.03 schema:\n{}\n{}",
        file.display(),
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(file).unwrap_or_default()
    );
}

/// Record values with `ics import-values`: one row per
/// `(indicator, period, disaggregation, value, note)`.
pub fn import_values(env: &Env, rows: &[(&str, &str, &str, &str, Option<&str>)]) {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["indicator", "period", "disaggregation", "value", "note"])
        .unwrap();
    for (code, period, disagg, value, note) in rows {
        w.write_record([*code, *period, *disagg, *value, note.unwrap_or("")])
            .unwrap();
    }
    let csv = String::from_utf8(w.into_inner().unwrap()).unwrap();
    let file = env.write("values.csv", &csv);
    env.ics(&["import-values", file.to_str().unwrap()]).ok();
}

/// Import the shipped sample values (examples/peru-values.csv).
pub fn import_sample_values(env: &Env) {
    let csv = repo_file("examples/peru-values.csv");
    env.ics(&["import-values", csv.to_str().unwrap()]).ok();
}

/// Every `(period-start, period-end)` pair of the document, in order.
pub fn period_dates(xml: &str) -> Vec<(String, String)> {
    let dates = |tag: &str| -> Vec<String> {
        xml.match_indices(&format!("<{tag} iso-date=\""))
            .map(|(i, m)| xml[i + m.len()..i + m.len() + 10].to_string())
            .collect()
    };
    dates("period-start")
        .into_iter()
        .zip(dates("period-end"))
        .collect()
}

/// Every `value="..."` attribute of baseline, target and actual elements.
pub fn numeric_values(xml: &str) -> Vec<String> {
    let mut out = Vec::new();
    for tag in ["<baseline ", "<target ", "<actual "] {
        for (i, _) in xml.match_indices(tag) {
            let rest = &xml[i..];
            let line = &rest[..rest.find('>').unwrap()];
            let at = line.find(" value=\"").expect("a value attribute") + 8;
            out.push(line[at..at + line[at..].find('"').unwrap()].to_string());
        }
    }
    out
}

/// The rules the schema cannot check: every period starts before it ends, every value is a
/// plain finite decimal; then the IATI Standard's own rulesets and codelist rules
/// ([`rules::assert_iati_rules`]).
#[track_caller]
pub fn assert_ruleset(xml: &str) {
    rules::assert_iati_rules(xml);
    let periods = period_dates(xml);
    assert!(!periods.is_empty());
    assert_eq!(
        periods.len(),
        xml.matches("<period>").count(),
        "each period has one start and one end"
    );
    for (start, end) in &periods {
        let s = chrono::NaiveDate::parse_from_str(start, "%Y-%m-%d").unwrap();
        let e = chrono::NaiveDate::parse_from_str(end, "%Y-%m-%d").unwrap();
        assert!(s < e, "period {start} .. {end}");
    }
    for v in numeric_values(xml) {
        let n: f64 = v
            .parse()
            .unwrap_or_else(|_| panic!("`{v}` is not a number"));
        assert!(n.is_finite() && !v.contains(['e', 'E']), "`{v}`");
    }
}

pub fn export(env: &Env, out: &str) -> (PathBuf, String) {
    env.ics(&["export", "iati", "--out", out])
        .ok()
        .stdout_has("IATI 2.03 activity");
    let path = env.path(out);
    let xml = std::fs::read_to_string(&path).unwrap();
    (path, xml)
}
