//! Reading the `[iati]` table (the activity fields of the IATI export) and the
//! `[settings.lint]` switches. Coded IATI fields accept the code or its English name and are
//! kept as the code; each is checked against its official IATI codelist (embedded from
//! `vendor/iati/codelists/`) so a typo or a withdrawn code is caught at load. `sectors` follows
//! the IATI Standard's sector rules (2.1.1, 2.1.2, 2.1.4, 12.3.1, 102.1.1).

use std::collections::BTreeMap;

use toml::de::DeValue;

use super::check::{Checker, Table, Value};
use super::fields::describe;
use crate::framework::model::{Iati, IatiSector, ParticipatingOrg, DEFAULT_SECTOR_VOCABULARY};
use crate::iati::codelists::{self, List};

const IATI_KEYS: [&str; 10] = [
    "identifier",
    "reporting_org_ref",
    "reporting_org_type",
    "reporting_org_name",
    "activity_status",
    "default_currency",
    "language",
    "recipient_country",
    "participating_org",
    "sectors",
];

const PARTICIPATING_KEYS: [&str; 4] = ["ref", "type", "role", "name"];

const SECTOR_KEYS: [&str; 4] = ["vocabulary", "code", "percentage", "name"];

/// The example the messages about sectors give.
const SECTOR_EXAMPLE: &str =
    "`sectors = [{ vocabulary = \"1\", code = \"15130\", percentage = 100 }]`";

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
            activity_status: self.coded(t, "activity_status", List::ActivityStatus),
            default_currency: self.letters(t, "default_currency", 3, true, List::Currency),
            language: self.letters(t, "language", 2, false, List::Language),
            recipient_country: self.letters(t, "recipient_country", 2, true, List::Country),
            participating_org: Vec::new(),
            sectors: Vec::new(),
        };
        if let Some(v) = t.get("sectors") {
            iati.sectors = self.sectors(v);
        }
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
            self.coded(t, "role", List::OrganisationRole)
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

    /// A coded field: the code itself or its English name (any case; for a name such as
    /// "Pipeline/identification" also its first word), kept as the code. Withdrawn codes are
    /// refused.
    fn coded(&mut self, t: &Table<'_>, key: &str, list: List) -> Option<String> {
        let s = self.optional_str(t, key)?;
        let wanted = s.trim().to_lowercase();
        let at = t.get(key).map(|v| v.span().start).unwrap_or(0);
        let found = list.items().iter().find(|i| {
            let name = i.name.to_lowercase();
            i.code == wanted || name == wanted || name.split('/').next() == Some(wanted.as_str())
        });
        match found {
            Some(i) if i.withdrawn => {
                self.problem(
                    at,
                    format!(
                        "`{key}` is `{s}`, which the IATI {} codelist marks as withdrawn ({}); use a current code",
                        list.name(),
                        i.name
                    ),
                );
                None
            }
            Some(i) => Some(i.code.clone()),
            None => {
                let options: Vec<String> = list
                    .items()
                    .iter()
                    .filter(|i| !i.withdrawn)
                    .map(|i| format!("`{}` ({})", i.code, i.name.to_lowercase()))
                    .collect();
                self.problem(
                    at,
                    format!("`{key}` is `{s}`; use one of {}", options.join(", ")),
                );
                None
            }
        }
    }

    fn org_type(&mut self, t: &Table<'_>, key: &str) -> Option<String> {
        let s = self.optional_str(t, key)?;
        let code = s.trim();
        let at = t.get(key).map(|v| v.span().start).unwrap_or(0);
        match codelists::problem(List::OrganisationType, code) {
            None => Some(code.to_string()),
            Some(why) => {
                let codes: Vec<&str> = List::OrganisationType
                    .items()
                    .iter()
                    .filter(|i| !i.withdrawn)
                    .map(|i| i.code.as_str())
                    .collect();
                self.problem(
                    at,
                    format!(
                        "`{key}` is `{s}`, {why}; use an IATI OrganisationType code: {} (10 is Government)",
                        codes.join(", ")
                    ),
                );
                None
            }
        }
    }

    /// `sectors = [{ vocabulary = "1", code = "15130", percentage = 60 }, ...]`, checked
    /// entry by entry (codes against the codelist of their vocabulary), then per vocabulary
    /// (percentages as IATI's rules 2.1.1, 2.1.2 and 2.1.4 require).
    fn sectors(&mut self, v: &Value<'_>) -> Vec<IatiSector> {
        let DeValue::Array(items) = v.get_ref() else {
            self.problem(
                v.span().start,
                format!(
                    "`sectors` must be a list of tables such as {SECTOR_EXAMPLE}, not {}",
                    describe(v.get_ref())
                ),
            );
            return Vec::new();
        };
        if items.is_empty() {
            self.problem(
                v.span().start,
                format!("`sectors` is empty; list at least one sector, e.g. {SECTOR_EXAMPLE}"),
            );
            return Vec::new();
        }
        let mut out: Vec<(IatiSector, usize)> = Vec::new();
        let mut bad = false;
        for item in items.iter() {
            let at = item.span().start;
            let DeValue::Table(st) = item.get_ref() else {
                self.problem(
                    at,
                    format!(
                        "each sector must be a table such as `{{ vocabulary = \"1\", code = \"15130\", percentage = 60 }}`, not {}",
                        describe(item.get_ref())
                    ),
                );
                bad = true;
                continue;
            };
            match self.sector(st, at) {
                Some(s) => out.push((s, at)),
                None => bad = true,
            }
        }
        if bad {
            return out.into_iter().map(|(s, _)| s).collect();
        }
        let mut vocabularies: Vec<&str> = out.iter().map(|(s, _)| s.vocabulary.as_str()).collect();
        vocabularies.dedup();
        vocabularies.sort_unstable();
        vocabularies.dedup();
        let mut problems = Vec::new();
        for voc in &vocabularies {
            let group: Vec<&(IatiSector, usize)> =
                out.iter().filter(|(s, _)| s.vocabulary == *voc).collect();
            for (i, (s, at)) in group.iter().enumerate() {
                if group[..i].iter().any(|(o, _)| o.code == s.code) {
                    problems.push((
                        *at,
                        format!(
                            "sector `{}` of vocabulary {voc} is listed twice; list each sector once",
                            s.code
                        ),
                    ));
                }
            }
            if group.len() == 1 {
                let (s, at) = group[0];
                if let Some(p) = s.percentage.filter(|p| !crate::iati::is_hundred(*p)) {
                    problems.push((
                        *at,
                        format!(
                            "sector `{}` is the only one of vocabulary {voc}, so its percentage must be 100 or left out, not {} (IATI rule 2.1.4)",
                            s.code,
                            crate::iati::xml::number(p)
                        ),
                    ));
                }
                continue;
            }
            let missing: Vec<&str> = group
                .iter()
                .filter(|(s, _)| s.percentage.is_none())
                .map(|(s, _)| s.code.as_str())
                .collect();
            if !missing.is_empty() {
                let (_, at) = group
                    .iter()
                    .find(|(s, _)| s.percentage.is_none())
                    .copied()
                    .unwrap_or(group[0]);
                problems.push((
                    *at,
                    format!(
                        "vocabulary {voc} has {} sectors, so each needs a `percentage`; `{}` has none (IATI rule 2.1.1)",
                        group.len(),
                        missing.join("`, `")
                    ),
                ));
                continue;
            }
            let sum: f64 = group.iter().filter_map(|(s, _)| s.percentage).sum();
            if !crate::iati::is_hundred(sum) {
                problems.push((
                    v.span().start,
                    format!(
                        "the percentages of the vocabulary {voc} sectors add up to {}; they must add up to 100 (IATI rule 2.1.2)",
                        crate::iati::xml::number((sum * 1e6).round() / 1e6)
                    ),
                ));
            }
        }
        if vocabularies.iter().any(|v| *v != DEFAULT_SECTOR_VOCABULARY)
            && !vocabularies.contains(&DEFAULT_SECTOR_VOCABULARY)
        {
            problems.push((
                v.span().start,
                "`sectors` uses another vocabulary but no vocabulary 1 (OECD DAC 5-digit) sector; IATI asks for a DAC sector beside any other vocabulary (rule 102.1.1): add one".to_string(),
            ));
        }
        for (at, m) in problems {
            self.problem(at, m);
        }
        out.into_iter().map(|(s, _)| s).collect()
    }

    fn sector(&mut self, t: &Table<'_>, at: usize) -> Option<IatiSector> {
        for (key, _) in t {
            let k = key.get_ref().as_ref();
            if !SECTOR_KEYS.contains(&k) {
                self.unknown_key(
                    key.span().start,
                    k,
                    "a sector of `[iati] sectors`",
                    &SECTOR_KEYS,
                );
            }
        }
        let vocabulary = match t.get("vocabulary") {
            None => Some(DEFAULT_SECTOR_VOCABULARY.to_string()),
            Some(v) => self.code_text(v, "vocabulary").and_then(|voc| {
                match codelists::problem(List::SectorVocabulary, &voc) {
                    None => Some(voc),
                    Some(why) => {
                        self.problem(
                            v.span().start,
                            format!("the sector `vocabulary` is `{voc}`, {why}; `1` is OECD DAC 5-digit, `2` DAC 3-digit"),
                        );
                        None
                    }
                }
            }),
        };
        let code = match t.get("code") {
            None => {
                self.problem(
                    at,
                    format!("a sector needs a `code`, e.g. {SECTOR_EXAMPLE}"),
                );
                None
            }
            Some(v) => {
                let code = self.code_text(v, "code");
                match (code, vocabulary.as_deref()) {
                    (Some(code), Some(voc)) => {
                        match codelists::sector_list(voc) {
                            // Vocabularies other than 1 and 2 are not checked: kept as written.
                            None => Some(code),
                            Some(list) => match codelists::problem(list, &code) {
                                None => Some(code),
                                Some(why) => {
                                    self.problem(
                                    v.span().start,
                                    format!("the sector `code` is `{code}` (vocabulary {voc}), {why}"),
                                );
                                    None
                                }
                            },
                        }
                    }
                    _ => None,
                }
            }
        };
        let percentage = match t.get("percentage") {
            None => Some(None),
            Some(v) => match self.number(v, "the sector `percentage`") {
                Some(p) if (0.0..=100.0).contains(&p) => Some(Some(p)),
                Some(p) => {
                    self.problem(
                        v.span().start,
                        format!(
                            "the sector `percentage` is {}; it must be between 0 and 100 (IATI rule 12.3.1)",
                            crate::iati::xml::number(p)
                        ),
                    );
                    None
                }
                None => None,
            },
        };
        let name = self.non_empty(t, "name");
        if name.is_none()
            && !t.contains_key("name")
            && matches!(vocabulary.as_deref(), Some("98" | "99"))
        {
            self.problem(
                at,
                "a sector of the reporting organisation's own vocabulary (98 or 99) needs a `name` (IATI rule 2.2.1)",
            );
            return None;
        }
        Some(IatiSector {
            vocabulary: vocabulary?,
            code: code?,
            percentage: percentage?,
            name,
        })
    }

    /// A code written as text (or as a whole number, which is read as its digits).
    fn code_text(&mut self, v: &Value<'_>, key: &str) -> Option<String> {
        match v.get_ref() {
            DeValue::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            DeValue::Integer(i) if i.radix() == 10 => Some(i.as_str().replace('_', "")),
            other => {
                self.problem(
                    v.span().start,
                    format!(
                        "the sector `{key}` must be a code in quotes such as `\"15130\"`, not {}",
                        describe(other)
                    ),
                );
                None
            }
        }
    }

    /// A code of `len` ASCII letters (ISO currency, language or country), kept in the case
    /// IATI uses (upper for currencies and countries, lower for languages) and checked
    /// against its IATI codelist.
    fn letters(
        &mut self,
        t: &Table<'_>,
        key: &str,
        len: usize,
        upper: bool,
        list: List,
    ) -> Option<String> {
        let s = self.optional_str(t, key)?;
        let trimmed = s.trim();
        let at = t.get(key).map(|v| v.span().start).unwrap_or(0);
        let example = match list {
            List::Currency => "`USD`",
            List::Language => "`en`",
            _ => "`PE`",
        };
        if trimmed.len() != len || !trimmed.bytes().all(|b| b.is_ascii_alphabetic()) {
            self.problem(
                at,
                format!("`{key}` is `{s}`; write a {len}-letter code such as {example}"),
            );
            return None;
        }
        let code = if upper {
            trimmed.to_ascii_uppercase()
        } else {
            trimmed.to_ascii_lowercase()
        };
        match codelists::problem(list, &code) {
            None => Some(code),
            Some(why) => {
                self.problem(at, format!("`{key}` is `{s}`, {why} (e.g. {example})"));
                None
            }
        }
    }
}
