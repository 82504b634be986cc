//! The stages of `check` that every backend shares, written against the [`Storage`] traits
//! only: every version and value read back through the readers the commands use, and every
//! recorded value as `import-values` would take it back.
//!
//! `export-values --all | import-values` must work on a healthy database, so each value is held
//! to what import requires of a row, judged by its indicator's definition in the newest version
//! that defines it (the version import checks against, for the indicators it still holds): a
//! disaggregation in the canonical form ics writes (`''`, or `key=value;key=value` with declared
//! keys in order and declared values), a recorded time in the UTC form ics writes
//! (`2026-01-15T12:00:00.000000Z`), for a percent unit a value within 0 to 100, and for a ratio
//! indicator a numerator and denominator that make the value (and none for others). At most
//! [`LISTED`] values are named; the rest are counted.

use std::collections::HashMap;

use super::{CheckReport, Storage, ValueQuery};
use crate::error::Error;
use crate::framework::Indicator;

/// How many values with a problem are named, one line each.
const LISTED: usize = 20;

/// Read everything back through the readers the commands use; the first error of each reader
/// is a problem.
pub(super) fn check_readers<S: Storage + ?Sized>(
    store: &S,
    report: &mut CheckReport,
) -> Result<(), Error> {
    let mut problem = |r: Result<(), Error>| {
        if let Err(e) = r {
            report.problems.push(e.to_string());
        }
    };
    let versions = store.versions()?;
    for v in &versions {
        // A label `load` would refuse (`@latest`, a control or invisible character) cannot be
        // chosen with --version; an older database may hold one.
        if let Some(why) = crate::framework::label::problem(&v.label) {
            problem(Err(Error::database(format!(
                "a stored version cannot be selected with --version: {why}"
            ))));
        }
        problem(store.node_counts(v).map(drop));
        problem(store.framework(v).map(drop));
        problem(store.indicator_rules(v).map(drop));
        problem(store.latest_value_year(v, None).map(drop));
        problem(
            store
                .current_totals(v, crate::period::PeriodRange::all())
                .map(drop),
        );
    }
    problem(store.current_values().map(drop));
    problem(store.value_periods().map(drop));
    let all = ValueQuery {
        include_replaced: true,
        newest_first: true,
        ..ValueQuery::default()
    };
    problem(store.each_value(&all, &mut |_| Ok(())));
    if report.problems.is_empty() {
        report.checked.push(format!(
            "every version ({}) and every value reads back",
            versions.len()
        ));
    }
    Ok(())
}

/// Every recorded value as `import-values` would take it back.
pub(super) fn check_values<S: Storage + ?Sized>(
    store: &S,
    report: &mut CheckReport,
) -> Result<(), Error> {
    // The newest definition of each indicator: later versions overwrite earlier ones.
    let mut newest: HashMap<String, Indicator> = HashMap::new();
    for v in store.versions()? {
        for ind in store.indicator_rules(&v)? {
            newest.insert(ind.code.clone(), ind);
        }
    }
    let all = ValueQuery {
        include_replaced: true,
        ..ValueQuery::default()
    };
    let (mut listed, mut more, mut values) = (Vec::new(), 0usize, 0usize);
    store.each_value(&all, &mut |v| {
        values += 1;
        let Some(ind) = newest.get(&v.indicator) else {
            return Ok(());
        };
        let mut why = Vec::new();
        if let Err(e) = canonical_disaggregation(ind, &v.disaggregation) {
            why.push(format!(
                "its disaggregation `{}` is not one ics writes: {e}",
                v.disaggregation
            ));
        }
        if !is_stored_time(&v.recorded_at) {
            why.push(format!(
                "its recorded time `{}` is not a UTC time as ics writes it (like `2026-01-15T12:00:00.000000Z`)",
                v.recorded_at
            ));
        }
        if ind.is_percent() && !(0.0..=100.0).contains(&v.value) {
            why.push(format!(
                "{} is outside 0 to 100, and `{}` is measured in {}",
                v.value, ind.code, ind.unit
            ));
        }
        if let Err(e) = ratio_parts(ind, v.value, v.numerator, v.denominator) {
            why.push(e);
        }
        if !why.is_empty() {
            if listed.len() < LISTED {
                listed.push(format!(
                    "value {} of `{}` {}: {}; `import-values` would refuse it",
                    v.id,
                    v.indicator,
                    v.period,
                    why.join("; ")
                ));
            } else {
                more += 1;
            }
        }
        Ok(())
    })?;
    if listed.is_empty() {
        report.checked.push(format!(
            "every recorded value ({values}) can be exported and imported back"
        ));
    }
    report.problems.extend(listed);
    if more > 0 {
        report
            .problems
            .push(format!("… and {more} more values with such problems"));
    }
    Ok(())
}

/// Whether `d` is `''` or the canonical `key=value;key=value` of `ind`'s declared
/// disaggregations: keys declared and in order, each once, values declared, spelt as declared.
fn canonical_disaggregation(ind: &Indicator, d: &str) -> Result<(), String> {
    if d.is_empty() {
        return Ok(());
    }
    if ind.disaggregations.is_empty() {
        return Err(format!("`{}` declares no disaggregations", ind.code));
    }
    let mut previous: Option<&str> = None;
    for part in d.split(';') {
        let Some((key, value)) = part.split_once('=') else {
            return Err(format!("`{part}` is not KEY=VALUE"));
        };
        let Some(values) = ind.disaggregations.get(key) else {
            return Err(format!("`{}` declares no disaggregation `{key}`", ind.code));
        };
        if !values.iter().any(|v| v == value) {
            return Err(format!(
                "`{value}` is not a value of the disaggregation `{key}`"
            ));
        }
        if previous.is_some_and(|p| p >= key) {
            return Err("its keys are repeated or out of order".into());
        }
        previous = Some(key);
    }
    Ok(())
}

/// Whether a value's ratio parts fit its indicator: a ratio indicator's value has both, not a
/// zero denominator, and is the value they make (within a relative 1e-9, as import allows);
/// another indicator's value has none.
fn ratio_parts(
    ind: &Indicator,
    value: f64,
    numerator: Option<f64>,
    denominator: Option<f64>,
) -> Result<(), String> {
    match (ind.ratio.is_some(), numerator, denominator) {
        (false, None, None) => Ok(()),
        (false, _, _) => Err(format!(
            "it has a numerator or denominator, but `{}` is not a ratio indicator",
            ind.code
        )),
        (true, Some(n), Some(d)) => match crate::progress::ratio_value(ind.is_percent(), n, d) {
            None => Err(format!(
                "its denominator is {d}, and a ratio cannot divide by it"
            )),
            Some(made) if (made - value).abs() > 1e-9 * made.abs().max(value.abs()) => Err(
                format!("its value {value} is not {n} / {d}, which makes {made}"),
            ),
            Some(_) => Ok(()),
        },
        (true, _, _) => Err(format!(
            "`{}` is a ratio indicator, but this value lacks its numerator or denominator",
            ind.code
        )),
    }
}

/// Whether `t` is a time as the store writes it: `2026-01-15T12:00:00.000000Z`.
fn is_stored_time(t: &str) -> bool {
    t.len() == 27 && chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.6fZ").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::{Aggregation, Direction, Frequency};

    #[test]
    fn only_the_form_ics_writes_is_accepted() {
        let mut ind = Indicator {
            code: "I1".into(),
            title: "One".into(),
            unit: "percent".into(),
            direction: Direction::Increase,
            baseline: None,
            targets: Default::default(),
            frequency: Frequency::Annual,
            aggregation: Aggregation::Sum,
            disaggregations: Default::default(),
            standard_code: None,
            source: None,
            definition: None,
            illustrative: false,
            cumulative: false,
            ratio: None,
            pirs: Default::default(),
        };
        assert!(canonical_disaggregation(&ind, "").is_ok());
        assert!(canonical_disaggregation(&ind, "sex=female").is_err());
        ind.disaggregations
            .insert("age".into(), vec!["15-29".into(), "30+".into()]);
        ind.disaggregations
            .insert("sex".into(), vec!["female".into(), "male".into()]);
        assert!(canonical_disaggregation(&ind, "age=30+;sex=male").is_ok());
        for bad in [
            "sex=",
            "sex",
            "sex=Female",
            "region=north",
            "sex=male;age=30+",
            "sex=male;sex=female",
            "sex=male;",
        ] {
            assert!(canonical_disaggregation(&ind, bad).is_err(), "{bad}");
        }
        assert!(is_stored_time("2026-01-15T12:00:00.000000Z"));
        for bad in [
            "yesterday",
            "2026-01-15T12:00:00Z",
            "2026-01-15T12:00:00.000000+01:00",
            "2026-02-30T12:00:00.000000Z",
        ] {
            assert!(!is_stored_time(bad), "{bad}");
        }
    }

    #[test]
    fn ratio_parts_must_make_the_value() {
        let mut ind = Indicator {
            code: "R".into(),
            title: "R".into(),
            unit: "percent".into(),
            direction: Direction::Increase,
            baseline: None,
            targets: Default::default(),
            frequency: Frequency::Annual,
            aggregation: Aggregation::Sum,
            disaggregations: Default::default(),
            standard_code: None,
            source: None,
            definition: None,
            illustrative: false,
            cumulative: false,
            ratio: None,
            pirs: Default::default(),
        };
        assert!(ratio_parts(&ind, 5.0, None, None).is_ok());
        let err = ratio_parts(&ind, 5.0, Some(1.0), Some(20.0)).unwrap_err();
        assert!(err.contains("not a ratio indicator"), "{err}");
        ind.ratio = Some(crate::framework::Ratio {
            numerator: "n".into(),
            denominator: "d".into(),
        });
        assert!(ratio_parts(&ind, 5.0, Some(1.0), Some(20.0)).is_ok());
        assert!(ratio_parts(&ind, 74.8, Some(748.0), Some(1000.0)).is_ok());
        let err = ratio_parts(&ind, 6.0, Some(1.0), Some(20.0)).unwrap_err();
        assert_eq!(err, "its value 6 is not 1 / 20, which makes 5");
        let err = ratio_parts(&ind, 6.0, Some(1.0), Some(0.0)).unwrap_err();
        assert!(err.contains("cannot divide"), "{err}");
        let err = ratio_parts(&ind, 6.0, None, None).unwrap_err();
        assert!(err.contains("lacks its numerator"), "{err}");
        let err = ratio_parts(&ind, 6.0, Some(1.0), None).unwrap_err();
        assert!(err.contains("lacks its numerator"), "{err}");
    }
}
