//! Checking `[[...indicator]]` tables: required fields, choices, baseline, targets (periods,
//! quarter targets only on quarterly indicators, percent ranges) and disaggregations.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::de::DeValue;

use super::check::{Checker, Table, Value};
use super::fields::describe;
use crate::framework::model::*;
use crate::period;

const INDICATOR_KEYS: [&str; 23] = [
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
    "cumulative",
    "ratio",
    "rationale",
    "collection_method",
    "responsible",
    "reporting_frequency",
    "data_quality_limitations",
    "dqa_date",
    "baseline_rationale",
    "target_rationale",
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
        let mut targets = TargetMap::new();
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
        let illustrative = self.flag(t, "illustrative");
        let cumulative = self.flag(t, "cumulative");
        if cumulative && aggregation != Aggregation::Sum {
            if let Some(v) = t.get("cumulative") {
                self.problem(
                    v.span().start,
                    format!(
                        "`{label}` is cumulative, so its values add up to running totals; `aggregation = \"{}\"` cannot apply (leave `aggregation` out, or remove `cumulative`)",
                        aggregation.as_str()
                    ),
                );
            }
        }
        let ratio = t.get("ratio").and_then(|v| self.ratio(v));
        let pirs = Pirs {
            rationale: self.optional_str(t, "rationale"),
            collection_method: self.optional_str(t, "collection_method"),
            responsible: self.optional_str(t, "responsible"),
            reporting_frequency: self.optional_str(t, "reporting_frequency"),
            data_quality_limitations: self.optional_str(t, "data_quality_limitations"),
            dqa_date: self.date(t, "dqa_date"),
            baseline_rationale: self.optional_str(t, "baseline_rationale"),
            target_rationale: self.optional_str(t, "target_rationale"),
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
            cumulative,
            ratio,
            pirs: pirs.into(),
        })
    }

    /// An optional `true`/`false` field (false when absent).
    pub(super) fn flag(&mut self, t: &Table<'_>, key: &str) -> bool {
        match t.get(key) {
            None => false,
            Some(v) => match v.get_ref() {
                DeValue::Boolean(b) => *b,
                other => {
                    self.problem(
                        v.span().start,
                        format!("`{key}` must be true or false, not {}", describe(other)),
                    );
                    false
                }
            },
        }
    }

    /// `ratio = { numerator = "...", denominator = "..." }`: what the two parts of each value
    /// count, both required and not empty.
    fn ratio(&mut self, v: &Value<'_>) -> Option<Ratio> {
        const HOW: &str = "`ratio = { numerator = \"...\", denominator = \"...\" }`";
        let t = match v.get_ref() {
            DeValue::Table(t) => t,
            other => {
                self.problem(
                    v.span().start,
                    format!(
                        "`ratio` must be a table like {HOW}, not {}",
                        describe(other)
                    ),
                );
                return None;
            }
        };
        const KEYS: [&str; 2] = ["numerator", "denominator"];
        for (key, _) in t {
            let k = key.get_ref().as_ref();
            if !KEYS.contains(&k) {
                self.unknown_key(key.span().start, k, "a ratio", &KEYS);
            }
        }
        let mut part = |key: &str| -> Option<String> {
            let Some(p) = t.get(key) else {
                self.problem(
                    v.span().start,
                    format!("`ratio` needs a `{key}` label: write it as {HOW}"),
                );
                return None;
            };
            match p.get_ref() {
                DeValue::String(s) if !s.trim().is_empty() => Some(s.to_string()),
                DeValue::String(_) => {
                    self.problem(
                        p.span().start,
                        format!("the ratio's `{key}` label cannot be empty; say what it counts"),
                    );
                    None
                }
                other => {
                    self.problem(
                        p.span().start,
                        format!(
                            "the ratio's `{key}` must be a label in quotes, not {}",
                            describe(other)
                        ),
                    );
                    None
                }
            }
        };
        let numerator = part("numerator");
        let denominator = part("denominator");
        Some(Ratio {
            numerator: numerator?,
            denominator: denominator?,
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

#[cfg(test)]
mod tests {
    use crate::error::Error;
    use crate::framework::{parse_str, Framework, Pirs, Ratio};

    fn with(fields: &str) -> Result<Framework, Error> {
        let text = format!(
            "[strategy]\ncode = \"s\"\ntitle = \"S\"\nversion = \"1\"\n[[goal]]\ncode = \"G\"\ntitle = \"G\"\n\
             [[goal.indicator]]\ncode = \"I\"\ntitle = \"I\"\nunit = \"percent\"\ndirection = \"increase\"\n{fields}\n"
        );
        parse_str(&text, "f.toml")
    }

    fn problems(fields: &str) -> Vec<String> {
        match with(fields).unwrap_err() {
            Error::Located { diagnostics, .. } => {
                diagnostics.iter().map(|d| d.to_string()).collect()
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn cumulative_and_ratio_are_read() {
        let fw = with("").unwrap();
        let (_, ind) = fw.indicators().next().unwrap();
        assert!(!ind.cumulative);
        assert_eq!(ind.ratio, None);
        let fw = with(
            "cumulative = true\nratio = { numerator = \"vaccinated\", denominator = \"children\" }",
        )
        .unwrap();
        let (_, ind) = fw.indicators().next().unwrap();
        assert!(ind.cumulative);
        assert_eq!(
            ind.ratio,
            Some(Ratio {
                numerator: "vaccinated".into(),
                denominator: "children".into()
            })
        );
    }

    #[test]
    fn bad_cumulative_and_ratio_fields_are_located() {
        for (fields, want) in [
            ("cumulative = \"yes\"", "f.toml:13:14: `cumulative` must be true or false, not text"),
            (
                "cumulative = true\naggregation = \"mean\"",
                "f.toml:13:14: `I` is cumulative, so its values add up to running totals; `aggregation = \"mean\"` cannot apply (leave `aggregation` out, or remove `cumulative`)",
            ),
            (
                "aggregation = \"last\"\ncumulative = true",
                "f.toml:14:14: `I` is cumulative, so its values add up to running totals; `aggregation = \"last\"` cannot apply (leave `aggregation` out, or remove `cumulative`)",
            ),
            (
                "ratio = \"a/b\"",
                "f.toml:13:9: `ratio` must be a table like `ratio = { numerator = \"...\", denominator = \"...\" }`, not text",
            ),
            (
                "ratio = { numerator = \"a\" }",
                "f.toml:13:9: `ratio` needs a `denominator` label: write it as `ratio = { numerator = \"...\", denominator = \"...\" }`",
            ),
            (
                "ratio = { numerator = \" \", denominator = \"b\" }",
                "f.toml:13:23: the ratio's `numerator` label cannot be empty; say what it counts",
            ),
            (
                "ratio = { numerator = \"a\", denominator = 3 }",
                "f.toml:13:42: the ratio's `denominator` must be a label in quotes, not a whole number",
            ),
            (
                "ratio = { numerator = \"a\", denominator = \"b\", total = \"c\" }",
                "f.toml:13:47: unknown key `total` in a ratio; allowed keys: numerator, denominator",
            ),
        ] {
            assert_eq!(problems(fields), [want], "{fields}");
        }
    }

    #[test]
    fn pirs_fields_are_read() {
        let fw = with("").unwrap();
        let (_, ind) = fw.indicators().next().unwrap();
        assert_eq!(*ind.pirs, Pirs::default());
        let fw = with(
            "rationale = \"Why\"\ncollection_method = \"Survey\"\nresponsible = \"Econ section\"\n\
             reporting_frequency = \"Annually, in March\"\ndata_quality_limitations = \"Lag\"\n\
             dqa_date = 2024-03-15\nbaseline_rationale = \"First year\"\ntarget_rationale = \"Trend\"",
        )
        .unwrap();
        let (_, ind) = fw.indicators().next().unwrap();
        assert_eq!(
            *ind.pirs,
            Pirs {
                rationale: Some("Why".into()),
                collection_method: Some("Survey".into()),
                responsible: Some("Econ section".into()),
                reporting_frequency: Some("Annually, in March".into()),
                data_quality_limitations: Some("Lag".into()),
                dqa_date: Some("2024-03-15".into()),
                baseline_rationale: Some("First year".into()),
                target_rationale: Some("Trend".into()),
            }
        );
        assert_eq!(ind.pirs.dqa(), chrono::NaiveDate::from_ymd_opt(2024, 3, 15));
        // A quoted ISO date is read as the same date.
        let fw = with("dqa_date = \"2024-03-15\"").unwrap();
        assert_eq!(
            fw.indicators().next().unwrap().1.pirs.dqa_date.as_deref(),
            Some("2024-03-15")
        );
    }

    #[test]
    fn bad_pirs_fields_are_located() {
        for (fields, want) in [
            ("rationale = 3", "f.toml:13:13: `rationale` must be text in quotes, not a whole number"),
            ("responsible = [\"a\"]", "f.toml:13:15: `responsible` must be text in quotes, not a list"),
            ("dqa_date = \"last spring\"", "f.toml:13:12: `dqa_date` must be a date like 2018-08-08, not `last spring`"),
            ("dqa_date = \"2024-02-30\"", "f.toml:13:12: `dqa_date` must be a date like 2018-08-08, not `2024-02-30`"),
            ("dqa_date = 2024", "f.toml:13:12: `dqa_date` must be a date like 2018-08-08, not a whole number"),
            ("dqa_date = 2024-03-15T10:00:00", "f.toml:13:12: `dqa_date` must be a date like 2018-08-08 (no time of day), not `2024-03-15T10:00:00`"),
            ("dqa_dates = 2024-03-15", "f.toml:13:1: unknown key `dqa_dates` in an indicator (did you mean `dqa_date`?)"),
        ] {
            assert_eq!(problems(fields), [want], "{fields}");
        }
    }
}
