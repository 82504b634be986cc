//! Reading typed fields out of TOML tables, each failure recorded as a located problem.

use toml::de::DeValue;

use super::check::{Checker, CodeSite, Table, Value};
use crate::framework::model::NodeKind;
use crate::period::{self, FiscalPeriod};

impl Checker {
    /// `v` as a table, or a located problem saying it must be written `header`.
    pub(super) fn table<'a, 'i>(
        &mut self,
        v: &'a Value<'i>,
        key: &str,
        header: &str,
    ) -> Option<&'a Table<'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(t),
            other => {
                self.problem(
                    v.span().start,
                    format!(
                        "`{key}` must be a table `{header}`, not {}",
                        describe(other)
                    ),
                );
                None
            }
        }
    }

    pub(super) fn unknown_key(&mut self, at: usize, key: &str, place: &str, allowed: &[&str]) {
        let mut msg = format!("unknown key `{key}` in {place}");
        if let Some(best) = closest(key, allowed) {
            msg.push_str(&format!(" (did you mean `{best}`?)"));
        } else {
            msg.push_str(&format!("; allowed keys: {}", allowed.join(", ")));
        }
        self.problem(at, msg);
    }

    pub(super) fn code(&mut self, t: &Table<'_>, at: usize, what: &str) -> Option<String> {
        let code = self.required_str(t, "code", at, what)?;
        let code_at = t.get("code").map(|v| v.span().start).unwrap_or(at);
        if !self.check_code(&code, code_at) {
            return None;
        }
        if let Some(first) = self.codes.get(&code) {
            let line = self.line(first.at);
            self.problem(code_at, format!("duplicate code `{code}` (first used on line {line}); codes must be unique in the file"));
            return None;
        }
        self.codes.insert(
            code.clone(),
            CodeSite {
                at: code_at + self.base,
            },
        );
        Some(code)
    }

    pub(super) fn check_code(&mut self, code: &str, at: usize) -> bool {
        if code.trim().is_empty() {
            self.problem(at, "a code cannot be empty");
            false
        } else if code.chars().any(char::is_control) || code.trim() != code {
            self.problem(
                at,
                format!(
                    "code `{}` has leading or trailing spaces or control characters",
                    code.escape_debug()
                ),
            );
            false
        } else {
            true
        }
    }

    pub(super) fn required_str(
        &mut self,
        t: &Table<'_>,
        key: &str,
        at: usize,
        what: &str,
    ) -> Option<String> {
        match t.get(key) {
            None => {
                self.problem(at, format!("{what} needs a `{key}`"));
                None
            }
            Some(v) => match v.get_ref() {
                DeValue::String(s) if !s.trim().is_empty() => Some(s.to_string()),
                DeValue::String(_) => {
                    self.problem(v.span().start, format!("`{key}` cannot be empty"));
                    None
                }
                other => {
                    self.problem(
                        v.span().start,
                        format!("`{key}` must be text in quotes, not {}", describe(other)),
                    );
                    None
                }
            },
        }
    }

    pub(super) fn optional_str(&mut self, t: &Table<'_>, key: &str) -> Option<String> {
        let v = t.get(key)?;
        match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            other => {
                self.problem(
                    v.span().start,
                    format!("`{key}` must be text in quotes, not {}", describe(other)),
                );
                None
            }
        }
    }

    pub(super) fn str_array(&mut self, v: &Value<'_>, key: &str) -> Vec<(String, usize)> {
        match v.get_ref() {
            DeValue::Array(items) => items
                .iter()
                .filter_map(|item| match item.get_ref() {
                    DeValue::String(s) => Some((s.to_string(), item.span().start)),
                    other => {
                        self.problem(
                            item.span().start,
                            format!("`{key}` lists codes in quotes, not {}", describe(other)),
                        );
                        None
                    }
                })
                .collect(),
            other => {
                self.problem(
                    v.span().start,
                    format!(
                        "`{key}` must be a list like `[\"MO2.2\"]`, not {}",
                        describe(other)
                    ),
                );
                Vec::new()
            }
        }
    }

    pub(super) fn number(&mut self, v: &Value<'_>, what: &str) -> Option<f64> {
        let n = match v.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                .ok()
                .map(|n| n as f64),
            DeValue::Float(f) => {
                let text = f.as_str().replace('_', "");
                let n = text.parse::<f64>().ok();
                if n == Some(0.0) && underflows(&text) {
                    self.problem(
                        v.span().start,
                        format!(
                            "{what} `{text}` is too small to store (it would be stored as 0); write 0 or a larger number"
                        ),
                    );
                    return None;
                }
                n
            }
            other => {
                self.problem(
                    v.span().start,
                    format!("{what} must be a number, not {}", describe(other)),
                );
                return None;
            }
        };
        match n {
            Some(n) if n.is_finite() => Some(n),
            _ => {
                self.problem(v.span().start, format!("{what} must be a finite number"));
                None
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn choice<T>(
        &mut self,
        t: &Table<'_>,
        key: &str,
        at: usize,
        label: &str,
        parse: fn(&str) -> Option<T>,
        options: &[&str],
        required: bool,
    ) -> Option<T> {
        let s = if required {
            self.required_str(t, key, at, &format!("indicator `{label}`"))?
        } else {
            self.optional_str(t, key)?
        };
        let parsed = parse(&s);
        if parsed.is_none() {
            let at = t.get(key).map(|v| v.span().start).unwrap_or(at);
            self.problem(
                at,
                format!(
                    "`{key}` is `{s}`; it must be one of {}",
                    options
                        .iter()
                        .map(|o| format!("`{o}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
        parsed
    }

    pub(super) fn date(&mut self, t: &Table<'_>, key: &str) -> Option<String> {
        let v = t.get(key)?;
        let text = match v.get_ref() {
            DeValue::Datetime(d) if d.date.is_some() && d.time.is_none() => d.to_string(),
            DeValue::Datetime(d) => {
                self.problem(
                    v.span().start,
                    format!("`{key}` must be a date like 2018-08-08 (no time of day), not `{d}`"),
                );
                return None;
            }
            DeValue::String(s) => s.to_string(),
            other => {
                self.problem(
                    v.span().start,
                    format!(
                        "`{key}` must be a date like 2018-08-08, not {}",
                        describe(other)
                    ),
                );
                return None;
            }
        };
        match chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
            Ok(d) => Some(d.format("%Y-%m-%d").to_string()),
            Err(_) => {
                self.problem(
                    v.span().start,
                    format!("`{key}` must be a date like 2018-08-08, not `{text}`"),
                );
                None
            }
        }
    }

    pub(super) fn fiscal_year(&mut self, t: &Table<'_>, key: &str) -> Option<FiscalPeriod> {
        let v = t.get(key)?;
        let s = self.optional_str(t, key)?;
        match period::parse(&s) {
            Ok(period::PeriodInput::Period(p)) if !p.is_quarter() => Some(p),
            _ => {
                self.problem(
                    v.span().start,
                    format!("`{key}` must be a fiscal year like \"FY2019\", not `{s}`"),
                );
                None
            }
        }
    }
}

pub(super) fn top_level_keys() -> Vec<&'static str> {
    let mut keys = vec!["strategy", "settings", "iati", "cdcs"];
    keys.extend(NodeKind::TOP_LEVEL.iter().map(|k| k.as_str()));
    keys
}

/// The TOML header path of a kind, for messages: `goal.objective`.
pub(super) fn kind_path(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Goal => "goal",
        NodeKind::Objective => "goal.objective",
        NodeKind::SubObjective => "goal.objective.sub_objective",
        NodeKind::ManagementObjective => "management_objective",
        NodeKind::DevelopmentObjective => "development_objective",
        NodeKind::Result => "development_objective.result",
        NodeKind::SubResult => "development_objective.result.sub_result",
        NodeKind::Theme => "theme",
    }
}

pub(super) fn describe(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "text",
        DeValue::Integer(_) => "a whole number",
        DeValue::Float(_) => "a number",
        DeValue::Boolean(_) => "true/false",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

/// The closest candidate by edit distance, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| {
            (
                strsim::damerau_levenshtein(&word.to_lowercase(), &c.to_lowercase()),
                *c,
            )
        })
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Whether a float literal that reads as zero was not written as zero: a non-zero digit before
/// its exponent (`1e-400`) means it underflowed, as [`crate::values::parse_number`] also refuses.
fn underflows(literal: &str) -> bool {
    literal
        .split(['e', 'E'])
        .next()
        .is_some_and(|m| m.bytes().any(|b| matches!(b, b'1'..=b'9')))
}
