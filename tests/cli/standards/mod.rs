//! `ics export iati` and `ics lint` through the real binary. `iati`: the exports validate against
//! the IATI 2.03 schema with xmllint, the rules the schema cannot check hold in the output, a bad
//! stored value stops the export before anything is written. `lint`: the framework fields for
//! IATI and lint load (or fail with a location), lint's findings, exit codes and switches.
//! This file holds the helpers both use.

mod iati;
mod lint;

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{repo_file, Env};

/// The IATI schema, next to the repository (`<repo>/../shared/iati/`).
const SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/iati/iati-activities-schema.xsd"
);

/// Validate `file` against the IATI 2.03 schema; a missing xmllint or schema fails loudly.
#[track_caller]
pub fn validate(file: &Path) {
    assert!(
        Path::new(SCHEMA).exists(),
        "the IATI schema is missing at {SCHEMA}: the repository must sit next to `shared/`"
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

/// Record values straight into the database, as `import-values` would store them: one row per
/// `(indicator, period key, disaggregation, value, note)`.
// TODO: use `ics import-values` once the values branch is merged into main.
pub fn insert_values(env: &Env, rows: &[(&str, i64, &str, &str, Option<&str>)]) {
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    for (code, period, disagg, value, note) in rows {
        conn.execute(
            "INSERT INTO value (indicator_id, period, disaggregation, value, note, recorded_by, \
             recorded_at) VALUES ((SELECT id FROM indicator WHERE code = ?1), ?2, ?3, ?4, ?5, \
             'tester', '2026-01-15T12:00:00.000000Z')",
            rusqlite::params![code, period, disagg, value, note],
        )
        .unwrap_or_else(|e| panic!("insert {code} {period}: {e}"));
    }
}

/// The shipped sample values (examples/peru-values.csv), stored as `import-values` would.
pub fn insert_sample_values(env: &Env) {
    let mut reader = csv::Reader::from_path(repo_file("examples/peru-values.csv")).unwrap();
    let rows: Vec<(String, i64, String, Option<String>)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let year: i64 = r[1].trim_start_matches("FY").parse().unwrap();
            (
                r[0].to_string(),
                year * 10,
                r[2].to_string(),
                Some(r[3].to_string()),
            )
        })
        .collect();
    let borrowed: Vec<(&str, i64, &str, &str, Option<&str>)> = rows
        .iter()
        .map(|(c, p, v, n)| (c.as_str(), *p, "", v.as_str(), n.as_deref()))
        .collect();
    insert_values(env, &borrowed);
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
/// plain finite decimal.
#[track_caller]
pub fn assert_ruleset(xml: &str) {
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
