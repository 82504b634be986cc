//! Reading the `[iati]` table (the activity fields of the IATI export) and the
//! `[settings.lint]` switches. Coded IATI fields accept the code or its English name and are
//! kept as the code; each is checked against its IATI codelist so a typo is caught at load.

use std::collections::BTreeMap;

use toml::de::DeValue;

use super::check::{Checker, Table, Value};
use super::fields::describe;
use crate::framework::model::{Iati, ParticipatingOrg};

const IATI_KEYS: [&str; 9] = [
    "identifier",
    "reporting_org_ref",
    "reporting_org_type",
    "reporting_org_name",
    "activity_status",
    "default_currency",
    "language",
    "recipient_country",
    "participating_org",
];

const PARTICIPATING_KEYS: [&str; 4] = ["ref", "type", "role", "name"];

/// IATI ActivityStatus codelist.
const ACTIVITY_STATUS: [(&str, &str); 6] = [
    ("1", "pipeline"),
    ("2", "implementation"),
    ("3", "finalisation"),
    ("4", "closed"),
    ("5", "cancelled"),
    ("6", "suspended"),
];

/// IATI OrganisationRole codelist.
const ORGANISATION_ROLE: [(&str, &str); 4] = [
    ("1", "funding"),
    ("2", "accountable"),
    ("3", "extending"),
    ("4", "implementing"),
];

/// IATI OrganisationType codelist (codes only).
const ORGANISATION_TYPE: [&str; 16] = [
    "10", "11", "15", "21", "22", "23", "24", "30", "40", "60", "70", "71", "72", "73", "80", "90",
];

impl Checker {
    pub(super) fn iati(&mut self, v: &Value<'_>) -> Option<Iati> {
        let t = self.table(v, "iati", "[iati]")?;
        for (key, _) in t {
            let k = key.get_ref().as_ref();
            if !IATI_KEYS.contains(&k) {
                self.unknown_key(key.span().start, k, "`[iati]`", &IATI_KEYS);
            }
        }
        let mut iati = Iati {
            identifier: self.non_empty(t, "identifier"),
            reporting_org_ref: self.non_empty(t, "reporting_org_ref"),
            reporting_org_type: self.org_type(t, "reporting_org_type"),
            reporting_org_name: self.non_empty(t, "reporting_org_name"),
            activity_status: self.coded(t, "activity_status", &ACTIVITY_STATUS),
            default_currency: self.letters(t, "default_currency", 3, true, "`USD`"),
            language: self.letters(t, "language", 2, false, "`en`"),
            recipient_country: self.letters(t, "recipient_country", 2, true, "`PE`"),
            participating_org: Vec::new(),
        };
        if let Some(v) = t.get("participating_org") {
            match v.get_ref() {
                DeValue::Array(items) => {
                    for item in items.iter() {
                        match item.get_ref() {
                            DeValue::Table(pt) => {
                                if let Some(p) = self.participating_org(pt, item.span().start) {
                                    iati.participating_org.push(p);
                                }
                            }
                            other => self.problem(
                                item.span().start,
                                format!(
                                    "each participating organisation must be a table written `[[iati.participating_org]]`, not {}",
                                    describe(other)
                                ),
                            ),
                        }
                    }
                }
                other => self.problem(
                    v.span().start,
                    format!(
                        "write participating organisations as `[[iati.participating_org]]` tables, not {}",
                        describe(other)
                    ),
                ),
            }
        }
        Some(iati)
    }

    fn participating_org(&mut self, t: &Table<'_>, at: usize) -> Option<ParticipatingOrg> {
        for (key, _) in t {
            let k = key.get_ref().as_ref();
            if !PARTICIPATING_KEYS.contains(&k) {
                self.unknown_key(
                    key.span().start,
                    k,
                    "`[[iati.participating_org]]`",
                    &PARTICIPATING_KEYS,
                );
            }
        }
        let what = "a participating organisation";
        let name = self.required_str(t, "name", at, what);
        let role = if t.contains_key("role") {
            self.coded(t, "role", &ORGANISATION_ROLE)
        } else {
            self.problem(
                at,
                "a participating organisation needs a `role`: `funding`, `accountable`, `extending` or `implementing`",
            );
            None
        };
        let org_ref = self.non_empty(t, "ref");
        let org_type = self.org_type(t, "type");
        Some(ParticipatingOrg {
            org_ref,
            org_type,
            role: role?,
            name: name?,
        })
    }

    /// `[settings.lint]`: each key a lint rule name, each value true or false.
    pub(super) fn lint_switches(&mut self, v: &Value<'_>) -> BTreeMap<String, bool> {
        let mut out = BTreeMap::new();
        let Some(t) = self.table(v, "lint", "[settings.lint]") else {
            return out;
        };
        let names = crate::framework::rule_names::LINT_RULE_NAMES;
        for (key, val) in t {
            let k = key.get_ref().as_ref();
            if !names.contains(&k) {
                self.unknown_key(
                    key.span().start,
                    k,
                    "`[settings.lint]` (lint rules)",
                    &names,
                );
                continue;
            }
            match val.get_ref() {
                DeValue::Boolean(b) => {
                    out.insert(k.to_string(), *b);
                }
                other => self.problem(
                    val.span().start,
                    format!(
                        "`{k}` must be true (check) or false (do not check), not {}",
                        describe(other)
                    ),
                ),
            }
        }
        out
    }

    fn non_empty(&mut self, t: &Table<'_>, key: &str) -> Option<String> {
        let s = self.optional_str(t, key)?;
        if s.trim().is_empty() {
            let at = t.get(key).map(|v| v.span().start).unwrap_or(0);
            self.problem(
                at,
                format!("`{key}` cannot be empty; leave it out to use the default"),
            );
            return None;
        }
        Some(s.trim().to_string())
    }

    /// A coded field: the code itself or its English name (any case), kept as the code.
    fn coded(&mut self, t: &Table<'_>, key: &str, codes: &[(&str, &str)]) -> Option<String> {
        let s = self.optional_str(t, key)?;
        let wanted = s.trim().to_lowercase();
        if let Some((code, _)) = codes.iter().find(|(c, n)| *c == wanted || *n == wanted) {
            return Some(code.to_string());
        }
        let at = t.get(key).map(|v| v.span().start).unwrap_or(0);
        let options: Vec<String> = codes.iter().map(|(c, n)| format!("`{c}` ({n})")).collect();
        self.problem(
            at,
            format!("`{key}` is `{s}`; use one of {}", options.join(", ")),
        );
        None
    }

    fn org_type(&mut self, t: &Table<'_>, key: &str) -> Option<String> {
        let s = self.optional_str(t, key)?;
        if ORGANISATION_TYPE.contains(&s.trim()) {
            return Some(s.trim().to_string());
        }
        let at = t.get(key).map(|v| v.span().start).unwrap_or(0);
        self.problem(
            at,
            format!(
                "`{key}` is `{s}`; use an IATI OrganisationType code: {} (10 is Government)",
                ORGANISATION_TYPE.join(", ")
            ),
        );
        None
    }

    /// A code of `len` ASCII letters (ISO currency, language or country), kept in the case
    /// IATI uses: upper for currencies and countries, lower for languages.
    fn letters(
        &mut self,
        t: &Table<'_>,
        key: &str,
        len: usize,
        upper: bool,
        example: &str,
    ) -> Option<String> {
        let s = self.optional_str(t, key)?;
        let trimmed = s.trim();
        if trimmed.len() == len && trimmed.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Some(if upper {
                trimmed.to_ascii_uppercase()
            } else {
                trimmed.to_ascii_lowercase()
            });
        }
        let at = t.get(key).map(|v| v.span().start).unwrap_or(0);
        self.problem(
            at,
            format!("`{key}` is `{s}`; write a {len}-letter code such as {example}"),
        );
        None
    }
}
