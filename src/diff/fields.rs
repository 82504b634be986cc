//! Field-by-field comparison of two matched things, and the JSON form of each field's value.
//!
//! Values are JSON so that numbers stay numbers: a whole number is written as an integer (`20`,
//! not `20.0`), a baseline as `{ "period": "FY2019", "value": 10 }`, disaggregations as an
//! object of value lists, a missing optional field as null.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::{Change, ChangeType, Kind};
use crate::framework::{Baseline, Framework, Indicator, Node, Ratio};

/// A number as JSON: integral values as integers.
pub fn number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        Value::from(v as i64)
    } else {
        Value::from(v)
    }
}

fn text(v: &str) -> Value {
    Value::String(v.to_string())
}

fn opt_text(v: Option<&str>) -> Value {
    v.map(text).unwrap_or(Value::Null)
}

fn baseline(b: Option<&Baseline>) -> Value {
    match b {
        Some(b) => json!({ "period": b.period.to_string(), "value": number(b.value) }),
        None => Value::Null,
    }
}

fn ratio(r: Option<&Ratio>) -> Value {
    match r {
        Some(r) => json!({ "numerator": r.numerator, "denominator": r.denominator }),
        None => Value::Null,
    }
}

fn disaggregations(ind: &Indicator) -> Value {
    let map: Map<String, Value> = ind
        .disaggregations
        .iter()
        .map(|(k, vs)| (k.clone(), Value::from(vs.clone())))
        .collect();
    Value::Object(map)
}

/// Field name and value pairs, compared in this order; equal pairs make no change.
type Fields = Vec<(&'static str, Value)>;

/// Push one `modified` change per field whose value differs, in field order.
fn push_modified(out: &mut Vec<Change>, kind: Kind, code: Option<&str>, old: Fields, new: Fields) {
    for ((field, o), (_, n)) in old.into_iter().zip(new) {
        if o != n {
            out.push(Change::new(ChangeType::Modified, kind, code).field(field, o, n));
        }
    }
}

/// `[strategy]` and `[settings]` changes, strategy first.
pub fn strategy_changes(old: &Framework, new: &Framework) -> Vec<Change> {
    let fields = |fw: &Framework| -> Fields {
        let s = &fw.strategy;
        vec![
            ("code", text(&s.code)),
            ("title", text(&s.title)),
            ("version", text(&s.version)),
            ("country", opt_text(s.country.as_deref())),
            ("description", opt_text(s.description.as_deref())),
            ("approved", opt_text(s.approved.as_deref())),
            ("updated", opt_text(s.updated.as_deref())),
            ("start", opt_text(s.start.map(|p| p.to_string()).as_deref())),
            ("end", opt_text(s.end.map(|p| p.to_string()).as_deref())),
        ]
    };
    let iati = |fw: &Framework| -> Fields {
        let i = fw.strategy.iati.clone().unwrap_or_default();
        let orgs: Vec<Value> = i
            .participating_org
            .iter()
            .map(|o| serde_json::to_value(o).unwrap_or(Value::Null))
            .collect();
        vec![
            ("iati.identifier", opt_text(i.identifier.as_deref())),
            (
                "iati.reporting_org_ref",
                opt_text(i.reporting_org_ref.as_deref()),
            ),
            (
                "iati.reporting_org_type",
                opt_text(i.reporting_org_type.as_deref()),
            ),
            (
                "iati.reporting_org_name",
                opt_text(i.reporting_org_name.as_deref()),
            ),
            (
                "iati.activity_status",
                opt_text(i.activity_status.as_deref()),
            ),
            (
                "iati.default_currency",
                opt_text(i.default_currency.as_deref()),
            ),
            ("iati.language", opt_text(i.language.as_deref())),
            (
                "iati.recipient_country",
                opt_text(i.recipient_country.as_deref()),
            ),
            ("iati.participating_org", Value::Array(orgs)),
            (
                "iati.sectors",
                serde_json::to_value(&i.sectors).unwrap_or(Value::Null),
            ),
        ]
    };
    let mut out = Vec::new();
    push_modified(
        &mut out,
        Kind::Strategy,
        Some(&new.strategy.code),
        fields(old),
        fields(new),
    );
    if old.strategy.iati != new.strategy.iati {
        push_modified(
            &mut out,
            Kind::Strategy,
            Some(&new.strategy.code),
            iati(old),
            iati(new),
        );
    }
    if old.strategy.cdcs != new.strategy.cdcs {
        let cdcs = |fw: &Framework| -> Fields {
            let c = fw.strategy.cdcs.clone().unwrap_or_default();
            vec![
                ("cdcs.title", opt_text(c.title.as_deref())),
                ("cdcs.goal", opt_text(c.goal.as_deref())),
                ("cdcs.start", opt_text(c.start.as_deref())),
                ("cdcs.end", opt_text(c.end.as_deref())),
                ("cdcs.approved", opt_text(c.approved.as_deref())),
            ]
        };
        push_modified(
            &mut out,
            Kind::Strategy,
            Some(&new.strategy.code),
            cdcs(old),
            cdcs(new),
        );
    }
    push_modified(
        &mut out,
        Kind::Settings,
        None,
        vec![(
            "deviation_threshold",
            number(old.settings.deviation_threshold),
        )],
        vec![(
            "deviation_threshold",
            number(new.settings.deviation_threshold),
        )],
    );
    // Lint switches, as `lint.RULE`: a rule not listed is on.
    let rules: BTreeSet<&String> = old
        .settings
        .lint
        .keys()
        .chain(new.settings.lint.keys())
        .collect();
    for rule in rules {
        let (o, n) = (
            old.settings.lint_rule_on(rule),
            new.settings.lint_rule_on(rule),
        );
        if o != n {
            out.push(
                Change::new(ChangeType::Modified, Kind::Settings, None).field(
                    &format!("lint.{rule}"),
                    Value::Bool(o),
                    Value::Bool(n),
                ),
            );
        }
    }
    out
}

/// `modified` changes between two matched nodes: title, description, justification,
/// linkages, risks, hypothesis, aligns_with, result_type.
pub fn node_changes(out: &mut Vec<Change>, old: &Node, new: &Node) {
    // Most nodes are unchanged: skip building their values.
    if old.title == new.title
        && old.description == new.description
        && old.justification == new.justification
        && old.linkages == new.linkages
        && old.risks == new.risks
        && old.hypothesis == new.hypothesis
        && old.aligns_with == new.aligns_with
        && old.result_type == new.result_type
    {
        return;
    }
    let fields = |n: &Node| -> Fields {
        vec![
            ("title", text(&n.title)),
            ("description", opt_text(n.description.as_deref())),
            ("justification", opt_text(n.justification.as_deref())),
            ("linkages", opt_text(n.linkages.as_deref())),
            ("risks", opt_text(n.risks.as_deref())),
            ("hypothesis", opt_text(n.hypothesis.as_deref())),
            (
                "aligns_with",
                serde_json::to_value(&n.aligns_with).unwrap_or(Value::Null),
            ),
            ("result_type", opt_text(n.result_type.map(|t| t.as_str()))),
        ]
    };
    push_modified(
        out,
        Kind::Node(new.kind),
        Some(&new.code),
        fields(old),
        fields(new),
    );
}

/// `modified` changes between two matched indicators: each field, then each target as its own
/// field `targets.FY2021` (null on the side where it is missing), in period order.
pub fn indicator_changes(out: &mut Vec<Change>, old: &Indicator, new: &Indicator) {
    if old == new {
        return;
    }
    let fields = |i: &Indicator| -> Fields {
        vec![
            ("title", text(&i.title)),
            ("unit", text(&i.unit)),
            ("direction", text(i.direction.as_str())),
            ("baseline", baseline(i.baseline.as_ref())),
            ("frequency", text(i.frequency.as_str())),
            ("aggregation", text(i.aggregation.as_str())),
            ("definition", opt_text(i.definition.as_deref())),
            ("source", opt_text(i.source.as_deref())),
            ("standard_code", opt_text(i.standard_code.as_deref())),
            ("illustrative", Value::Bool(i.illustrative)),
            ("cumulative", Value::Bool(i.cumulative)),
            ("ratio", ratio(i.ratio.as_ref())),
            ("disaggregations", disaggregations(i)),
            ("rationale", opt_text(i.pirs.rationale.as_deref())),
            (
                "collection_method",
                opt_text(i.pirs.collection_method.as_deref()),
            ),
            ("responsible", opt_text(i.pirs.responsible.as_deref())),
            (
                "reporting_frequency",
                opt_text(i.pirs.reporting_frequency.as_deref()),
            ),
            (
                "data_quality_limitations",
                opt_text(i.pirs.data_quality_limitations.as_deref()),
            ),
            ("dqa_date", opt_text(i.pirs.dqa_date.as_deref())),
            (
                "baseline_rationale",
                opt_text(i.pirs.baseline_rationale.as_deref()),
            ),
            (
                "target_rationale",
                opt_text(i.pirs.target_rationale.as_deref()),
            ),
        ]
    };
    let code = Some(new.code.as_str());
    push_modified(out, Kind::Indicator, code, fields(old), fields(new));
    let periods: BTreeSet<_> = old.targets.keys().chain(new.targets.keys()).collect();
    for period in periods {
        let o = old.targets.get(period).copied();
        let n = new.targets.get(period).copied();
        if o != n {
            out.push(
                Change::new(ChangeType::Modified, Kind::Indicator, code).field(
                    &format!("targets.{period}"),
                    o.map(number).unwrap_or(Value::Null),
                    n.map(number).unwrap_or(Value::Null),
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_are_integers() {
        assert_eq!(number(20.0).to_string(), "20");
        assert_eq!(number(-3.0).to_string(), "-3");
        assert_eq!(number(17.25).to_string(), "17.25");
        assert_eq!(number(1e20).to_string(), "1e+20");
    }

    #[test]
    fn cumulative_and_ratio_changes_are_reported() {
        let fw = crate::framework::parse_str(
            "[strategy]\ncode = \"s\"\ntitle = \"S\"\nversion = \"1\"\n[[goal]]\ncode = \"G\"\ntitle = \"G\"\n\
             [[goal.indicator]]\ncode = \"I\"\ntitle = \"I\"\nunit = \"percent\"\ndirection = \"increase\"\n",
            "f.toml",
        )
        .unwrap();
        let old = fw.indicators().next().unwrap().1.clone();
        let mut new = old.clone();
        new.cumulative = true;
        new.ratio = Some(Ratio {
            numerator: "n".into(),
            denominator: "d".into(),
        });
        let mut out = Vec::new();
        indicator_changes(&mut out, &old, &new);
        let got: Vec<(Option<&str>, String, String)> = out
            .iter()
            .map(|c| (c.field.as_deref(), c.old.to_string(), c.new.to_string()))
            .collect();
        assert_eq!(
            got,
            [
                (Some("cumulative"), "false".into(), "true".into()),
                (
                    Some("ratio"),
                    "null".into(),
                    r#"{"denominator":"d","numerator":"n"}"#.into()
                ),
            ]
        );
    }

    #[test]
    fn pirs_field_changes_are_reported_in_field_order() {
        let fw = crate::framework::parse_str(
            "[strategy]\ncode = \"s\"\ntitle = \"S\"\nversion = \"1\"\n[[goal]]\ncode = \"G\"\ntitle = \"G\"\n\
             [[goal.indicator]]\ncode = \"I\"\ntitle = \"I\"\nunit = \"percent\"\ndirection = \"increase\"\n\
             rationale = \"Old why\"\ndqa_date = 2021-05-01\n",
            "f.toml",
        )
        .unwrap();
        let old = fw.indicators().next().unwrap().1.clone();
        let mut new = old.clone();
        new.pirs.rationale = None;
        new.pirs.responsible = Some("Econ section".into());
        new.pirs.dqa_date = Some("2024-03-15".into());
        new.pirs.target_rationale = Some("Trend".into());
        let mut out = Vec::new();
        indicator_changes(&mut out, &old, &new);
        let got: Vec<(Option<&str>, String, String)> = out
            .iter()
            .map(|c| (c.field.as_deref(), c.old.to_string(), c.new.to_string()))
            .collect();
        assert_eq!(
            got,
            [
                (Some("rationale"), "\"Old why\"".into(), "null".into()),
                (
                    Some("responsible"),
                    "null".into(),
                    "\"Econ section\"".into()
                ),
                (
                    Some("dqa_date"),
                    "\"2021-05-01\"".into(),
                    "\"2024-03-15\"".into()
                ),
                (Some("target_rationale"), "null".into(), "\"Trend\"".into()),
            ]
        );
        assert!(out.iter().all(|c| c.change == ChangeType::Modified));
    }
}
