//! Checking `[[...indicator]]` tables: required fields, choices, baseline, targets (periods,
//! quarter targets only on quarterly indicators, percent ranges) and disaggregations.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::de::DeValue;

use super::check::{Checker, Table, Value};
use super::fields::describe;
use crate::framework::model::*;
use crate::period;

const INDICATOR_KEYS: [&str; 13] = [
    "code",
    "title",
    "unit",
    "direction",
    "baseline",
    "targets",
    "frequency",
    "aggregation",
    "disaggregations",
    "standard_code",
    "source",
    "definition",
    "illustrative",
];

impl Checker {
    pub(super) fn indicators(&mut self, v: &Value<'_>) -> Vec<Indicator> {
        let mut out = Vec::new();
        let items = match v.get_ref() {
            DeValue::Array(items) => items,
            _ => {
                self.problem(
                    v.span().start,
                    "write indicators as `[[...indicator]]` tables",
                );
                return out;
            }
        };
        for item in items.iter() {
            match item.get_ref() {
                DeValue::Table(t) => {
                    if let Some(i) = self.indicator(t, item.span()) {
                        out.push(i);
                    }
                }
                other => self.problem(
                    item.span().start,
                    format!("an indicator must be a table, not {}", describe(other)),
                ),
            }
        }
        out
    }

    pub(super) fn indicator(&mut self, t: &Table<'_>, span: Range<usize>) -> Option<Indicator> {
        let what = "an indicator";
        for (key, _) in t {
            let k = key.get_ref().as_ref();
            if !INDICATOR_KEYS.contains(&k) {
                self.unknown_key(key.span().start, k, "an indicator", &INDICATOR_KEYS);
            }
        }
        let code = self.code(t, span.start, what);
        let title = self.required_str(t, "title", span.start, what);
        let unit = self.required_str(t, "unit", span.start, what);
        let label = code.clone().unwrap_or_else(|| "this indicator".into());
        let direction = self.choice(
            t,
            "direction",
            span.start,
            &label,
            Direction::parse,
            &["increase", "decrease"],
            true,
        );
        let frequency = self
            .choice(
                t,
                "frequency",
                span.start,
                &label,
                Frequency::parse,
                &["annual", "quarterly"],
                false,
            )
            .unwrap_or_default();
        let aggregation = self
            .choice(
                t,
                "aggregation",
                span.start,
                &label,
                Aggregation::parse,
                &["sum", "mean", "last"],
                false,
            )
            .unwrap_or_default();
        let percent = unit.as_deref().is_some_and(is_percent_unit);
        let quarterly = frequency == Frequency::Quarterly;

        let mut baseline = None;
        if let Some(v) = t.get("baseline") {
            baseline = self.baseline(v, &label, quarterly, percent);
        }
        let mut targets = BTreeMap::new();
        if let Some(v) = t.get("targets") {
            match v.get_ref() {
                DeValue::Table(tt) => {
                    for (k, val) in tt {
                        let at = k.span().start;
                        let p = match period::parse(k.get_ref()) {
                            Ok(p) => p.resolve(quarterly),
                            Err(e) => {
                                self.problem(at, format!("target period: {e}"));
                                continue;
                            }
                        };
                        if p.is_quarter() && !quarterly {
                            self.problem(at, format!("`{label}` has a quarter target `{p}` but is annual; set `frequency = \"quarterly\"` to give quarter targets"));
                            continue;
                        }
                        let Some(n) = self.number(val, &format!("the {p} target")) else {
                            continue;
                        };
                        if percent && !(0.0..=100.0).contains(&n) {
                            self.problem(val.span().start, format!("the {p} target {n} is a percent and must lie between 0 and 100"));
                        }
                        if targets.insert(p, n).is_some() {
                            self.problem(at, format!("`{label}` has two targets for {p}"));
                        }
                    }
                }
                other => self.problem(
                    v.span().start,
                    format!(
                        "`targets` must be a table like `{{ FY2021 = 10.0 }}`, not {}",
                        describe(other)
                    ),
                ),
            }
        }
        let mut disaggregations = BTreeMap::new();
        if let Some(v) = t.get("disaggregations") {
            match v.get_ref() {
                DeValue::Table(dt) => {
                    for (k, val) in dt {
                        let values: Vec<String> =
                            self.str_array(val, k.get_ref()).into_iter().map(|(s, _)| s).collect();
                        if values.is_empty() {
                            self.problem(k.span().start, format!("disaggregation `{}` lists no values", k.get_ref()));
                        }
                        let mut seen = values.clone();
                        seen.sort();
                        seen.dedup();
                        if seen.len() != values.len() {
                            self.problem(k.span().start, format!("disaggregation `{}` lists a value twice", k.get_ref()));
                        }
                        for s in values.iter().chain(std::iter::once(&k.get_ref().to_string())) {
                            if s.contains(['=', ';']) || s.trim().is_empty() {
                                self.problem(k.span().start, format!("disaggregation names and values cannot be empty or contain `=` or `;` (found `{s}`)"));
                            }
                        }
                        disaggregations.insert(k.get_ref().to_string(), values);
                    }
                }
                other => self.problem(
                    v.span().start,
                    format!("`disaggregations` must be a table like `{{ sex = [\"female\", \"male\"] }}`, not {}", describe(other)),
                ),
            }
        }
        let illustrative = match t.get("illustrative") {
            None => false,
            Some(v) => match v.get_ref() {
                DeValue::Boolean(b) => *b,
                other => {
                    self.problem(
                        v.span().start,
                        format!(
                            "`illustrative` must be true or false, not {}",
                            describe(other)
                        ),
                    );
                    false
                }
            },
        };
        Some(Indicator {
            code: code?,
            title: title?,
            unit: unit?,
            direction: direction?,
            baseline,
            targets,
            frequency,
            aggregation,
            disaggregations,
            standard_code: self.optional_str(t, "standard_code"),
            source: self.optional_str(t, "source"),
            definition: self.optional_str(t, "definition"),
            illustrative,
            cumulative: false,
            ratio: None,
        })
    }

    pub(super) fn baseline(
        &mut self,
        v: &Value<'_>,
        label: &str,
        quarterly: bool,
        percent: bool,
    ) -> Option<Baseline> {
        let t = match v.get_ref() {
            DeValue::Table(t) => t,
            other => {
                self.problem(v.span().start, format!("`baseline` must be a table like `{{ period = \"FY2018\", value = 1.0 }}`, not {}", describe(other)));
                return None;
            }
        };
        for (key, _) in t {
            let k = key.get_ref().as_ref();
            if !["period", "value"].contains(&k) {
                self.unknown_key(key.span().start, k, "a baseline", &["period", "value"]);
            }
        }
        let ps = self.required_str(t, "period", v.span().start, "the baseline");
        let value = match t.get("value") {
            Some(val) => self.number(val, "the baseline value"),
            None => {
                self.problem(v.span().start, "the baseline needs a `value`");
                None
            }
        };
        let period = match period::parse(ps.as_deref()?) {
            Ok(p) => p.resolve(quarterly),
            Err(e) => {
                let at = t
                    .get("period")
                    .map(|p| p.span().start)
                    .unwrap_or(v.span().start);
                self.problem(at, format!("baseline period: {e}"));
                return None;
            }
        };
        if period.is_quarter() && !quarterly {
            self.problem(v.span().start, format!("`{label}` has a quarter baseline `{period}` but is annual; set `frequency = \"quarterly\"`"));
        }
        let value = value?;
        if percent && !(0.0..=100.0).contains(&value) {
            self.problem(
                v.span().start,
                format!("the baseline {value} is a percent and must lie between 0 and 100"),
            );
        }
        Some(Baseline { period, value })
    }
}
