//! Indicator values: what a recorded value must be, checked against the newest stored version of
//! the strategy, and how the rows of a CSV file become values.
//!
//! Every check here gives a sentence a Program Office or M&E specialist can act on: an unknown
//! indicator comes with the closest codes, a badly written number with how to write it, a quarter
//! for an annual indicator with the fiscal year to use. A value is a finite number (percent units
//! in 0..100), its period is canonical (`FY2021`, `FY2021Q2`; a date means the fiscal year of an
//! annual indicator and the fiscal quarter of a quarterly one), and its disaggregation is `''`
//! for the total, else the canonical `key=value;key=value` sorted by key, using only declared
//! keys and values. This module knows no SQL: it reads and writes through [`crate::store`].

mod csv_import;
pub mod template;
mod text;

use std::collections::HashMap;

pub use csv_import::{
    csv_separator, foreign_file, import_csv, import_reader, import_xlsx, is_workbook,
    ImportSummary, Separator, ACCEPTED_COLUMNS, IGNORED_COLUMNS,
};
pub use text::{clean_text, control_char, guard, parse_timestamp, unguard, visible_controls};

use crate::error::Error;
use crate::framework::{Frequency, Indicator};
use crate::period::{self, FiscalPeriod};
use crate::store::Storage;

/// What a value may be recorded against: the indicators of the newest stored version, and the
/// codes of every indicator ever stored (for history and export, and for better messages).
pub struct Catalog {
    /// Label of the newest stored version.
    pub version: String,
    rules: HashMap<String, Rule>,
    /// Every indicator code ever stored, with its database id.
    ids: HashMap<String, i64>,
}

/// One indicator of the newest version, with its database id.
pub struct Rule {
    /// The indicator's id in the store (stable across versions).
    pub id: i64,
    /// Its definition in the newest version.
    pub indicator: Indicator,
}

impl Catalog {
    /// Read the newest version's indicators from the store (only what checking a value needs:
    /// no targets, baselines or prose, so memory stays small for big strategies).
    pub fn load(store: &dyn Storage) -> Result<Catalog, Error> {
        let version = store.resolve_version(None)?;
        let ids = store.indicator_ids()?;
        let mut rules = HashMap::with_capacity(crate::store::capacity_hint(version.indicators));
        for indicator in store.indicator_rules(&version)? {
            if let Some(&id) = ids.get(&indicator.code) {
                rules.insert(indicator.code.clone(), Rule { id, indicator });
            }
        }
        Ok(Catalog {
            version: version.label,
            rules,
            ids,
        })
    }

    /// The indicator a value is recorded against: it must be in the newest version.
    pub fn rule(&self, code: &str) -> Result<&Rule, String> {
        if let Some(rule) = self.rules.get(code) {
            return Ok(rule);
        }
        if self.ids.contains_key(code) {
            return Err(format!(
                "indicator `{code}` is not in the newest version (`{}`) of the strategy; values can only be recorded for its indicators",
                self.version
            ));
        }
        Err(unknown_indicator(
            code,
            self.rules.keys().map(String::as_str),
        ))
    }

    /// The store id of an indicator in any stored version (for history and export).
    pub fn any_version_id(&self, code: &str) -> Result<i64, String> {
        self.ids
            .get(code)
            .copied()
            .ok_or_else(|| unknown_indicator(code, self.ids.keys().map(String::as_str)))
    }

    /// The newest definition of an indicator, if the newest version has it.
    pub fn newest(&self, code: &str) -> Option<&Indicator> {
        self.rules.get(code).map(|r| &r.indicator)
    }
}

/// "unknown indicator `X`; did you mean `Y`?" with up to three close codes.
pub fn unknown_indicator<'a>(code: &str, known: impl Iterator<Item = &'a str>) -> String {
    let close = closest(code, known);
    if close.is_empty() {
        format!("unknown indicator `{code}`; `ics tree --indicators` lists the codes")
    } else {
        let list: Vec<String> = close.iter().map(|c| format!("`{c}`")).collect();
        format!(
            "unknown indicator `{code}`; did you mean {}?",
            join_or(&list)
        )
    }
}

/// Up to three codes that look like `code`, best first: similar enough overall, or one typo
/// away (which matters for short codes such as `I1`).
fn closest<'a>(code: &str, known: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let wanted = code.trim().to_uppercase();
    let mut scored: Vec<(f64, &str)> = known
        .filter_map(|k| {
            let k_upper = k.to_uppercase();
            let score = strsim::normalized_damerau_levenshtein(&wanted, &k_upper);
            let one_typo = strsim::damerau_levenshtein(&wanted, &k_upper) <= 1;
            (score >= 0.6 || one_typo).then_some((score, k))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    let best = scored.first().map_or(0.0, |s| s.0);
    scored
        .into_iter()
        .take_while(|(s, _)| *s >= best - 0.2)
        .take(3)
        .map(|(_, k)| k)
        .collect()
}

/// `a`, `a or b`, `a, b or c`.
fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

impl Rule {
    /// The period a value is recorded for: a date resolves by the indicator's frequency, and an
    /// annual indicator takes no quarters.
    pub fn period(&self, input: &str) -> Result<FiscalPeriod, String> {
        let quarterly = self.indicator.frequency == Frequency::Quarterly;
        let p = period::parse(input)?.resolve(quarterly);
        if p.is_quarter() && !quarterly {
            return Err(format!(
                "`{}` is a quarter, but `{}` is reported once a year; record it for the fiscal year `{}`",
                input.trim(),
                self.indicator.code,
                p.fiscal_year()
            ));
        }
        Ok(p)
    }

    /// The value: a finite number written with a dot for decimals, within 0..100 for percent.
    pub fn value(&self, input: &str) -> Result<f64, String> {
        let v = parse_number(input)?;
        if self.indicator.is_percent() && !(0.0..=100.0).contains(&v) {
            return Err(format!(
                "`{}` is outside 0 to 100, and `{}` is measured in {}",
                input.trim(),
                self.indicator.code,
                self.indicator.unit
            ));
        }
        Ok(v)
    }

    /// Whether values of this indicator are recorded as a numerator and a denominator.
    pub fn is_ratio(&self) -> bool {
        self.indicator.ratio.is_some()
    }

    /// A ratio indicator's value from its numerator and denominator: `N / D * 100` for a
    /// percent unit, `N / D` otherwise, within 0..100 for percent; with the two parts.
    pub fn ratio_value(
        &self,
        numerator: &str,
        denominator: &str,
    ) -> Result<(f64, (f64, f64)), String> {
        let ind = &self.indicator;
        if !self.is_ratio() {
            return Err(format!(
                "`{}` is not a ratio indicator, so its values have no numerator and denominator; give the value itself",
                ind.code
            ));
        }
        let n = parse_number(numerator).map_err(|e| format!("the numerator: {e}"))?;
        let d = parse_number(denominator).map_err(|e| format!("the denominator: {e}"))?;
        if d == 0.0 {
            return Err(format!(
                "the denominator of `{}` is 0; a ratio needs a denominator other than 0",
                ind.code
            ));
        }
        let percent = ind.is_percent();
        let Some(v) = crate::progress::ratio_value(percent, n, d) else {
            return Err(format!(
                "{} / {} is too large to record",
                trim(numerator),
                trim(denominator)
            ));
        };
        if percent && !(0.0..=100.0).contains(&v) {
            return Err(format!(
                "{} / {} is {}, outside 0 to 100, and `{}` is measured in {}",
                trim(numerator),
                trim(denominator),
                v,
                ind.code,
                ind.unit
            ));
        }
        Ok((v, (n, d)))
    }

    /// Write the canonical disaggregation (`''` for the total) for `parts` (each `key=value`)
    /// into `out`. Keys and values must be declared; they match in any case and are written as
    /// declared.
    pub fn disaggregation<'s>(
        &self,
        parts: impl Iterator<Item = &'s str>,
        out: &mut String,
    ) -> Result<(), String> {
        out.clear();
        let declared = &self.indicator.disaggregations;
        // (key position, key, value) for each part; a handful at most, so no allocation.
        let mut chosen: [(usize, &str, &str); 8] = [(0, "", ""); 8];
        let mut n = 0;
        for part in parts {
            let part = trim(part);
            if part.is_empty() {
                continue;
            }
            let Some(eq) = part.bytes().position(|b| b == b'=') else {
                return Err(format!(
                    "`{part}` is not a disaggregation; write it as KEY=VALUE, for example `sex=female`"
                ));
            };
            let (key, value) = (trim(&part[..eq]), trim(&part[eq + 1..]));
            if declared.is_empty() {
                return Err(format!(
                    "`{}` declares no disaggregations, so `{part}` cannot be recorded; record the total without one",
                    self.indicator.code
                ));
            }
            let Some((position, (dkey, dvalues))) = find(declared.iter(), key, |(k, _)| k) else {
                let keys: Vec<String> = declared.keys().map(|k| format!("`{k}`")).collect();
                return Err(format!(
                    "`{}` has no disaggregation `{key}`; it declares {}",
                    self.indicator.code,
                    keys.join(", ")
                ));
            };
            let Some((_, dvalue)) = find(dvalues.iter(), value, |v| v) else {
                let values: Vec<String> = dvalues.iter().map(|v| format!("`{v}`")).collect();
                return Err(format!(
                    "`{value}` is not a value of the disaggregation `{dkey}` of `{}`; use {}",
                    self.indicator.code,
                    join_or(&values)
                ));
            };
            if chosen[..n].iter().any(|c| c.0 == position) {
                return Err(format!(
                    "the disaggregation `{dkey}` is given twice; give each key once"
                ));
            }
            if n == chosen.len() {
                return Err("too many disaggregation keys in one value".to_string());
            }
            chosen[n] = (position, dkey, dvalue);
            n += 1;
        }
        let chosen = &mut chosen[..n];
        // Declared keys are in sorted order, so sorting by position sorts by key.
        chosen.sort_unstable_by_key(|c| c.0);
        for (i, (_, k, v)) in chosen.iter().enumerate() {
            if i > 0 {
                out.push(';');
            }
            out.push_str(k);
            out.push('=');
            out.push_str(v);
        }
        Ok(())
    }
}

/// The first item whose name is `wanted` (exactly, else ignoring ASCII case), with its position.
fn find<'a, T: 'a>(
    items: impl Iterator<Item = T> + Clone,
    wanted: &str,
    name: impl Fn(&T) -> &'a String,
) -> Option<(usize, T)> {
    items
        .clone()
        .enumerate()
        .find(|(_, item)| name(item).as_str() == wanted)
        .or_else(|| {
            items
                .enumerate()
                .find(|(_, item)| name(item).eq_ignore_ascii_case(wanted))
        })
}

/// `str::trim`, with a fast path for the usual cell that needs none.
pub(crate) fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// Parse a recorded value: a finite number such as `17.2`, `-3` or `1e6`, with surrounding
/// spaces allowed; no decimal commas, thousands separators, units or `%`.
pub fn parse_number(input: &str) -> Result<f64, String> {
    let s = trim(input);
    if s.is_empty() {
        return Err("the value is missing; write a number such as `17.2`".to_string());
    }
    let how = "write a plain number such as `17.2` or `-3`, with a dot for decimals and no thousands separators";
    if s.contains(',') {
        return Err(format!(
            "`{s}` is not a number: use a dot for decimals and no thousands separators (`1.5`, `1000.5`)"
        ));
    }
    if s.ends_with('%') {
        return Err(format!(
            "`{s}` is not a number: write the percentage without the `%` sign (`{}`)",
            s.trim_end_matches('%').trim()
        ));
    }
    match s.parse::<f64>() {
        // A literal with a non-zero digit before its exponent is not zero: it underflowed.
        Ok(v)
            if v == 0.0
                && s.split(['e', 'E'])
                    .next()
                    .is_some_and(|m| m.bytes().any(|b| matches!(b, b'1'..=b'9'))) =>
        {
            Err(format!(
                "`{s}` is too small to record (it would be stored as 0); {how}"
            ))
        }
        // `-0` is stored as 0.
        Ok(v) if v.is_finite() => Ok(if v == 0.0 { 0.0 } else { v }),
        Ok(_) if s.bytes().any(|b| b.is_ascii_digit()) => {
            Err(format!("`{s}` is too large to record; {how}"))
        }
        _ => Err(format!("`{s}` is not a number; {how}")),
    }
}

/// Who records a value: `--by` (or a CSV cell) if given, else `$USER`, `$LOGNAME`, `$USERNAME`,
/// else `unknown`.
pub fn login_name() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .map(|v| v.trim().to_string())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::{Aggregation, Direction};
    use std::collections::BTreeMap;

    fn rule(unit: &str, frequency: Frequency) -> Rule {
        let mut disaggregations = BTreeMap::new();
        disaggregations.insert("sex".to_string(), vec!["female".into(), "male".into()]);
        disaggregations.insert("age".to_string(), vec!["15-29".into(), "30+".into()]);
        Rule {
            id: 1,
            indicator: Indicator {
                code: "IND-X".into(),
                title: "X".into(),
                unit: unit.into(),
                direction: Direction::Increase,
                baseline: None,
                targets: crate::framework::TargetMap::new(),
                frequency,
                aggregation: Aggregation::Sum,
                disaggregations,
                standard_code: None,
                source: None,
                definition: None,
                illustrative: false,
                cumulative: false,
                ratio: None,
                pirs: Default::default(),
            },
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number(" 17.2 "), Ok(17.2));
        assert_eq!(parse_number("-3"), Ok(-3.0));
        assert_eq!(parse_number("1e6"), Ok(1e6));
        assert_eq!(parse_number("-0").unwrap().to_string(), "0");
        for zero in ["0e5", "0.0", "-0.0e-400", "000", "0e-999"] {
            assert_eq!(parse_number(zero).unwrap().to_string(), "0", "{zero}");
        }
        assert!(parse_number("1e-310").unwrap() > 0.0); // subnormal, but not zero
        for (bad, says) in [
            ("1,5", "dot for decimals"),
            ("1.000,5", "no thousands separators"),
            ("1,000", "no thousands separators"),
            ("NaN", "not a number"),
            ("inf", "not a number"),
            ("-infinity", "not a number"),
            ("1e400", "too large"),
            ("1e-400", "too small"),
            ("-2.5E-999", "too small"),
            ("", "missing"),
            ("   ", "missing"),
            ("12%", "without the `%` sign"),
            ("$5", "not a number"),
            ("1 000", "not a number"),
            ("0x10", "not a number"),
        ] {
            let err = parse_number(bad).expect_err(bad);
            assert!(err.contains(says), "{bad}: {err}");
        }
    }

    #[test]
    fn percent_range() {
        let r = rule("Percent", Frequency::Annual);
        assert_eq!(r.value("0"), Ok(0.0));
        assert_eq!(r.value("100"), Ok(100.0));
        assert!(r.value("100.01").unwrap_err().contains("outside 0 to 100"));
        assert!(r.value("-1").unwrap_err().contains("outside 0 to 100"));
        assert_eq!(rule("people", Frequency::Annual).value("-1"), Ok(-1.0));
    }

    #[test]
    fn ratio_values_come_from_their_parts() {
        let mut r = rule("Percent", Frequency::Annual);
        let err = r.ratio_value("1", "4").unwrap_err();
        assert!(err.contains("is not a ratio indicator"), "{err}");
        r.indicator.ratio = Some(crate::framework::Ratio {
            numerator: "n".into(),
            denominator: "d".into(),
        });
        assert_eq!(r.ratio_value("748", "1000"), Ok((74.8, (748.0, 1000.0))));
        assert_eq!(r.ratio_value(" 0 ", "5"), Ok((0.0, (0.0, 5.0))));
        for (n, d, says) in [
            ("1", "0", "denominator of `IND-X` is 0"),
            ("1", "-0", "denominator of `IND-X` is 0"),
            ("3", "2", "3 / 2 is 150, outside 0 to 100"),
            ("-1", "2", "outside 0 to 100"),
            ("1,5", "2", "the numerator: `1,5` is not a number"),
            ("1", "", "the denominator: the value is missing"),
            ("1e308", "1e-308", "too large to record"),
        ] {
            let err = r.ratio_value(n, d).expect_err(n);
            assert!(err.contains(says), "{n} / {d}: {err}");
        }
        r.indicator.unit = "patients per nurse".into();
        assert_eq!(r.ratio_value("1200", "96"), Ok((12.5, (1200.0, 96.0))));
        assert_eq!(r.ratio_value("-3", "2"), Ok((-1.5, (-3.0, 2.0))));
    }

    #[test]
    fn periods_follow_frequency() {
        let annual = rule("people", Frequency::Annual);
        assert_eq!(annual.period("2020-03-15").unwrap().to_string(), "FY2020");
        assert_eq!(annual.period("fy2021").unwrap().to_string(), "FY2021");
        let err = annual.period("FY2021Q2").unwrap_err();
        assert!(
            err.contains("record it for the fiscal year `FY2021`"),
            "{err}"
        );
        let quarterly = rule("people", Frequency::Quarterly);
        assert_eq!(
            quarterly.period("2020-03-15").unwrap().to_string(),
            "FY2020Q2"
        );
        assert_eq!(quarterly.period("FY2020").unwrap().to_string(), "FY2020");
        assert!(quarterly.period("2020").unwrap_err().contains("FY2020Q3"));
    }

    #[test]
    fn disaggregations_are_canonical() {
        let r = rule("people", Frequency::Annual);
        let mut out = String::from("junk");
        r.disaggregation(std::iter::empty(), &mut out).unwrap();
        assert_eq!(out, "");
        r.disaggregation(["sex=Female", " age = 15-29 "].into_iter(), &mut out)
            .unwrap();
        assert_eq!(out, "age=15-29;sex=female");
        r.disaggregation("sex=male;age=30+".split(';'), &mut out)
            .unwrap();
        assert_eq!(out, "age=30+;sex=male");
        for (bad, says) in [
            ("sex", "KEY=VALUE"),
            ("region=north", "no disaggregation `region`"),
            ("sex=other", "use `female` or `male`"),
            ("sex=female;sex=male", "given twice"),
        ] {
            let err = r.disaggregation(bad.split(';'), &mut out).expect_err(bad);
            assert!(err.contains(says), "{bad}: {err}");
        }
        let mut plain = rule("people", Frequency::Annual);
        plain.indicator.disaggregations.clear();
        let err = plain
            .disaggregation(["sex=female"].into_iter(), &mut out)
            .unwrap_err();
        assert!(err.contains("declares no disaggregations"), "{err}");
    }

    #[test]
    fn suggestions() {
        let known = ["IND-TRADE-GOODS", "IND-TRADE-AGFOOD", "IND-POVERTY"];
        let msg = unknown_indicator("IND-TRADE-GOOD", known.into_iter());
        assert!(msg.contains("did you mean `IND-TRADE-GOODS`"), "{msg}");
        let msg = unknown_indicator("ind-poverty", known.into_iter());
        assert!(msg.contains("`IND-POVERTY`"), "{msg}");
        let msg = unknown_indicator("zzz", known.into_iter());
        assert!(msg.contains("ics tree --indicators"), "{msg}");
    }
}
