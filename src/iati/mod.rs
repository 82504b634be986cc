//! The IATI 2.03 results export: the strategy as one `iati-activity` in an `iati-activities`
//! document, its objectives and DOs as `result`s, its indicators with baselines, targets and
//! recorded actuals.
//!
//! The export runs in three steps so that nothing is written unless all of it is sound:
//! [`build`] turns a framework and its current values into an [`Activity`] (naming every stored
//! value that is not a number), [`check`] applies the rules the IATI schema cannot express
//! (every period starts before it ends; every baseline, target and actual is a finite number),
//! and [`xml::render`] writes the document in schema order with every text escaped. The export
//! is one way: ics does not read IATI files.

pub mod codelists;
pub mod xml;

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::error::{Diagnostic, Error};
use crate::framework::{
    is_percent_unit, Direction, Framework, Iati, ParticipatingOrg, ResultType, Strategy,
    DEFAULT_ACTIVITY_STATUS, DEFAULT_REPORTING_ORG_NAME, DEFAULT_REPORTING_ORG_TYPE,
    ENDED_ACTIVITY_STATUS,
};
use crate::period::FiscalPeriod;
use crate::store::CurrentValue;
use codelists::List;

/// The IATI version written.
pub const IATI_VERSION: &str = "2.03";

/// Whether a percentage, or a sum of percentages, is 100: exactly, up to the rounding of
/// binary floating point (33.3 + 33.3 + 33.4 is 100; 33.33 + 33.33 + 33.33 is not). IATI's
/// rule 2.1.2 sums the percentages as written, so nothing looser would pass it.
pub fn is_hundred(p: f64) -> bool {
    (p - 100.0).abs() < 1e-9
}

/// The activity, ready to render.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    pub identifier: String,
    pub language: String,
    pub currency: String,
    pub reporting_org: Org,
    pub title: String,
    pub description: String,
    pub participating: Vec<Org>,
    pub status: String,
    /// `(IATI ActivityDateType code, date)`: 1 planned start, 2 actual start, 3 planned end.
    pub dates: Vec<(&'static str, NaiveDate)>,
    pub recipient_country: Option<String>,
    pub sectors: Vec<SectorEntry>,
    pub results: Vec<ResultEntry>,
}

/// One activity-level `sector`.
#[derive(Debug, Clone, PartialEq)]
pub struct SectorEntry {
    /// SectorVocabulary code (1 OECD DAC 5-digit, 2 DAC 3-digit, ...).
    pub vocabulary: String,
    pub code: String,
    pub percentage: Option<f64>,
    pub name: Option<String>,
}

/// An organisation as IATI names it.
#[derive(Debug, Clone, PartialEq)]
pub struct Org {
    pub org_ref: Option<String>,
    pub org_type: Option<String>,
    /// OrganisationRole code (participating organisations only).
    pub role: Option<String>,
    pub name: String,
}

/// One `result`: a node with indicators.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultEntry {
    pub result_type: ResultType,
    /// `CODE: title`.
    pub title: String,
    pub description: Option<String>,
    pub indicators: Vec<IndicatorEntry>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorEntry {
    pub code: String,
    /// `CODE: title`.
    pub title: String,
    pub description: String,
    /// IndicatorMeasure code: 1 Unit, 2 Percentage.
    pub measure: &'static str,
    pub ascending: bool,
    pub standard_code: Option<String>,
    pub baseline: Option<BaselineEntry>,
    pub periods: Vec<PeriodEntry>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BaselineEntry {
    /// The fiscal year of the baseline period.
    pub year: i32,
    /// The last day of the baseline period.
    pub date: NaiveDate,
    pub value: f64,
}

/// One fiscal year or quarter with a target or an actual.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodEntry {
    pub period: FiscalPeriod,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub target: Option<f64>,
    /// The total first, then each disaggregation.
    pub actuals: Vec<ActualEntry>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ActualEntry {
    /// `(name, value)` pairs of the disaggregation; empty for the total.
    pub dimensions: Vec<(String, String)>,
    pub value: f64,
    pub note: Option<String>,
}

/// What was exported, for the command's closing line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary {
    pub identifier: String,
    pub results: usize,
    pub indicators: usize,
    pub periods: usize,
    pub actuals: usize,
}

impl Activity {
    pub fn summary(&self) -> Summary {
        let indicators = self.results.iter().flat_map(|r| &r.indicators);
        let periods = indicators.clone().flat_map(|i| &i.periods);
        Summary {
            identifier: self.identifier.clone(),
            results: self.results.len(),
            indicators: indicators.count(),
            periods: periods.clone().count(),
            actuals: periods.map(|p| p.actuals.len()).sum(),
        }
    }
}

/// The whole export: build, check, render. `label` is the stored version exported and
/// `generated` the RFC 3339 time of the export.
pub fn export(
    fw: &Framework,
    label: &str,
    values: &[CurrentValue],
    generated: &str,
) -> Result<(String, Summary), Error> {
    let activity = build(fw, label, values)?;
    check(&activity)?;
    Ok((xml::render(&activity, generated), activity.summary()))
}

/// The activity for `fw` and its current values. Values of indicators that are not in `fw`
/// are left out; a stored value that is not a number stops the export with every such value
/// named.
pub fn build(fw: &Framework, label: &str, values: &[CurrentValue]) -> Result<Activity, Error> {
    let default_iati = Iati::default();
    let iati = fw.strategy.iati.as_ref().unwrap_or(&default_iati);
    let s = &fw.strategy;

    let reporting_org = Org {
        org_ref: Some(iati.reporting_org_ref().to_string()),
        org_type: Some(
            iati.reporting_org_type
                .clone()
                .unwrap_or_else(|| DEFAULT_REPORTING_ORG_TYPE.into()),
        ),
        role: None,
        name: iati
            .reporting_org_name
            .clone()
            .unwrap_or_else(|| DEFAULT_REPORTING_ORG_NAME.into()),
    };
    let participating = if iati.participating_org.is_empty() {
        vec![Org {
            role: Some("1".into()),
            ..reporting_org.clone()
        }]
    } else {
        iati.participating_org.iter().map(org).collect()
    };

    let mut dates = Vec::new();
    match (s.start, s.end) {
        (Some(start), Some(end)) => {
            dates.push(("1", start.start()));
            dates.push(("3", end.end()));
        }
        _ => {
            if let Some(d) = s
                .approved
                .as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            {
                dates.push(("2", d));
            }
        }
    }
    if dates.is_empty() {
        return Err(Error::input_with_hint(
            "the IATI export needs the strategy's dates, and the strategy has neither a period nor an approval date",
            "add `start = \"FY2019\"` and `end = \"FY2023\"` (or `approved = 2018-08-08`) to `[strategy]` in framework.toml and load it again",
        ));
    }

    if iati.sectors.is_empty() {
        return Err(Error::input_with_hint(
            "the IATI export needs at least one sector (IATI rule 6.2.2), and the framework's `[iati]` table names none",
            "add `sectors = [{ vocabulary = \"1\", code = \"15130\", percentage = 100 }]` (OECD DAC 5-digit codes; percentages of one vocabulary add up to 100) to `[iati]` in framework.toml and load it again",
        ));
    }
    if iati.recipient_country.is_none() {
        return Err(Error::input_with_hint(
            "the IATI export needs the recipient country (IATI rule 3.7.1), and the framework's `[iati]` table has no `recipient_country`",
            "add `recipient_country = \"PE\"` (the country's ISO 3166-1 alpha-2 code) to `[iati]` in framework.toml and load it again",
        ));
    }
    let code_problems = check_codes(iati);
    if !code_problems.is_empty() {
        let n = code_problems.len();
        return Err(Error::Located {
            diagnostics: code_problems,
            summary: format!(
                "the IATI export stopped and nothing was written: {} in `[iati]` {} not accepted by the IATI codelists; correct framework.toml and load it again",
                if n == 1 { "1 code".to_string() } else { format!("{n} codes") },
                if n == 1 { "is" } else { "are" },
            ),
        });
    }

    let description = s.description.clone().unwrap_or_else(|| {
        let period = match (s.start, s.end) {
            (Some(a), Some(b)) => format!(", strategy period {a} to {b}"),
            _ => String::new(),
        };
        format!(
            "Results framework of the {}{period}: its objectives with their performance indicators, baselines, targets and recorded actual values (version {label}).",
            s.title
        )
    });

    // The CDCS incorporated into the strategy (its title, period, approval and goal statement),
    // after the activity's own description.
    let description = match s.cdcs.as_ref().and_then(|c| c.summary()) {
        Some(cdcs) => format!("{description}\n{cdcs}"),
        None => description,
    };

    let mut by_indicator: BTreeMap<&str, Vec<&CurrentValue>> = BTreeMap::new();
    for v in values {
        by_indicator.entry(&v.indicator).or_default().push(v);
    }
    let mut problems = Vec::new();
    let mut results = Vec::new();
    for node in fw.nodes.iter().filter(|n| !n.indicators.is_empty()) {
        let indicators = node
            .indicators
            .iter()
            .map(|ind| {
                let recorded = by_indicator
                    .get(ind.code.as_str())
                    .map(Vec::as_slice)
                    .unwrap_or(&[]);
                let periods = periods(ind, recorded, &mut problems);
                let mut description = Vec::new();
                if let Some(d) = ind.definition.as_deref().filter(|d| !d.trim().is_empty()) {
                    description.push(sentence(d, ""));
                }
                description.push(sentence(&ind.unit, "Unit: "));
                if let Some(src) = ind.source.as_deref().filter(|d| !d.trim().is_empty()) {
                    description.push(sentence(src, "Data source: "));
                }
                IndicatorEntry {
                    code: ind.code.clone(),
                    title: format!("{}: {}", ind.code, ind.title),
                    description: description.join(" "),
                    measure: if is_percent_unit(&ind.unit) { "2" } else { "1" },
                    ascending: ind.direction == Direction::Increase,
                    standard_code: ind.standard_code.clone().filter(|c| !c.trim().is_empty()),
                    baseline: ind.baseline.map(|b| BaselineEntry {
                        year: b.period.year,
                        date: b.period.end(),
                        value: b.value,
                    }),
                    periods,
                }
            })
            .collect();
        results.push(ResultEntry {
            result_type: node.result_type.unwrap_or(ResultType::Outcome),
            title: format!("{}: {}", node.code, node.title),
            description: {
                let own = node
                    .description
                    .clone()
                    .or_else(|| node.justification.clone())
                    .filter(|d| !d.trim().is_empty());
                // A DO's development hypothesis follows its description.
                let hypothesis = node
                    .hypothesis
                    .as_deref()
                    .filter(|h| !h.trim().is_empty())
                    .map(|h| format!("Development hypothesis: {h}"));
                match (own, hypothesis) {
                    (Some(d), Some(h)) => Some(format!("{d}\n{h}")),
                    (d, h) => d.or(h),
                }
            },
            indicators,
        });
    }
    if !problems.is_empty() {
        return Err(stopped(problems));
    }
    Ok(Activity {
        identifier: iati.identifier(&s.code),
        language: iati.language.clone().unwrap_or_else(|| "en".into()),
        currency: iati
            .default_currency
            .clone()
            .unwrap_or_else(|| "USD".into()),
        reporting_org,
        title: s.title.clone(),
        description,
        participating,
        status: activity_status(iati, s, crate::clock::today()),
        dates,
        recipient_country: iati.recipient_country.clone(),
        sectors: iati
            .sectors
            .iter()
            .map(|x| SectorEntry {
                vocabulary: x.vocabulary.clone(),
                code: x.code.clone(),
                percentage: x.percentage,
                name: x.name.clone(),
            })
            .collect(),
        results,
    })
}

/// The ActivityStatus code: the one `[iati]` gives, or from the dates: 2 Implementation
/// until the strategy's planned end (the last day of its `end` fiscal year), 3 Finalisation
/// after it. A strategy with no period is in implementation.
pub fn activity_status(iati: &Iati, s: &Strategy, today: NaiveDate) -> String {
    if let Some(code) = &iati.activity_status {
        return code.clone();
    }
    match s.end {
        Some(end) if today > end.end() => ENDED_ACTIVITY_STATUS.into(),
        _ => DEFAULT_ACTIVITY_STATUS.into(),
    }
}

/// Every coded field of `[iati]` checked again against the embedded codelists, so that a
/// version stored by an older `ics` (which checked less) cannot export a code IATI refuses.
/// Sector codes of vocabularies other than 1 and 2 are not checked.
pub fn check_codes(iati: &Iati) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut check = |location: String, list: List, code: &str| {
        if let Some(why) = codelists::problem(list, code) {
            out.push(Diagnostic {
                location,
                message: format!("`{code}`, {why}"),
            });
        }
    };
    let fields = [
        (
            "reporting_org_type",
            List::OrganisationType,
            &iati.reporting_org_type,
        ),
        (
            "activity_status",
            List::ActivityStatus,
            &iati.activity_status,
        ),
        ("default_currency", List::Currency, &iati.default_currency),
        ("language", List::Language, &iati.language),
        ("recipient_country", List::Country, &iati.recipient_country),
    ];
    for (key, list, value) in fields {
        if let Some(v) = value {
            check(format!("[iati] {key}"), list, v);
        }
    }
    for (i, p) in iati.participating_org.iter().enumerate() {
        let at = format!("[iati] participating_org {}", i + 1);
        check(format!("{at} role"), List::OrganisationRole, &p.role);
        if let Some(t) = &p.org_type {
            check(format!("{at} type"), List::OrganisationType, t);
        }
    }
    for x in &iati.sectors {
        check(
            "[iati] sectors vocabulary".into(),
            List::SectorVocabulary,
            &x.vocabulary,
        );
        if let Some(list) = codelists::sector_list(&x.vocabulary) {
            check(
                format!("[iati] sectors (vocabulary {})", x.vocabulary),
                list,
                &x.code,
            );
        }
    }
    out
}

/// `prefix` and `text`, trimmed, ending in a full stop unless it already ends a sentence.
fn sentence(text: &str, prefix: &str) -> String {
    let t = text.trim();
    if t.ends_with(['.', '!', '?']) {
        format!("{prefix}{t}")
    } else {
        format!("{prefix}{t}.")
    }
}

fn org(p: &ParticipatingOrg) -> Org {
    Org {
        org_ref: p.org_ref.clone(),
        org_type: p.org_type.clone(),
        role: Some(p.role.clone()),
        name: p.name.clone(),
    }
}

/// One entry per period with a target or a value, in period order.
fn periods(
    ind: &crate::framework::Indicator,
    recorded: &[&CurrentValue],
    problems: &mut Vec<Diagnostic>,
) -> Vec<PeriodEntry> {
    let mut out: BTreeMap<FiscalPeriod, PeriodEntry> = BTreeMap::new();
    let entry = |p: FiscalPeriod| PeriodEntry {
        period: p,
        start: p.start(),
        end: p.end(),
        target: None,
        actuals: Vec::new(),
    };
    for (p, t) in &ind.targets {
        out.entry(*p).or_insert_with(|| entry(*p)).target = Some(*t);
    }
    for v in recorded {
        let value = match &v.value {
            Ok(n) => *n,
            Err(raw) => {
                problems.push(Diagnostic {
                    location: value_location(v),
                    message: format!("the stored value is `{raw}`, which is not a number"),
                });
                continue;
            }
        };
        let dimensions = v
            .disaggregation
            .split(';')
            .filter(|part| !part.is_empty())
            .map(|part| match part.split_once('=') {
                Some((k, val)) => (k.to_string(), val.to_string()),
                None => (part.to_string(), String::new()),
            })
            .collect();
        out.entry(v.period)
            .or_insert_with(|| entry(v.period))
            .actuals
            .push(ActualEntry {
                dimensions,
                value,
                note: v.note.clone().filter(|n| !n.trim().is_empty()),
            });
    }
    let mut periods: Vec<PeriodEntry> = out.into_values().collect();
    for p in &mut periods {
        // The total first, then the disaggregations in order.
        p.actuals.sort_by(|a, b| a.dimensions.cmp(&b.dimensions));
    }
    periods
}

fn value_location(v: &CurrentValue) -> String {
    if v.disaggregation.is_empty() {
        format!("{} {}", v.indicator, v.period)
    } else {
        format!("{} {} ({})", v.indicator, v.period, v.disaggregation)
    }
}

/// The rules the schema cannot check: each period starts before it ends, and every baseline,
/// target and actual is a finite number.
pub fn check(activity: &Activity) -> Result<(), Error> {
    let mut problems = Vec::new();
    let mut number = |location: String, what: &str, v: f64| {
        if !v.is_finite() {
            problems.push(Diagnostic {
                location,
                message: format!("the {what} is `{v}`, which is not a finite number"),
            });
        }
    };
    for ind in activity.results.iter().flat_map(|r| &r.indicators) {
        if let Some(b) = &ind.baseline {
            number(format!("{} baseline", ind.code), "baseline", b.value);
        }
        for p in &ind.periods {
            let at = format!("{} {}", ind.code, p.period);
            if let Some(t) = p.target {
                number(at.clone(), "target", t);
            }
            for a in &p.actuals {
                number(at.clone(), "recorded value", a.value);
            }
        }
    }
    for ind in activity.results.iter().flat_map(|r| &r.indicators) {
        for p in ind.periods.iter().filter(|p| p.start >= p.end) {
            problems.push(Diagnostic {
                location: format!("{} {}", ind.code, p.period),
                message: format!(
                    "the period starts on {} and ends on {}; a period must start before it ends",
                    p.start, p.end
                ),
            });
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(stopped(problems))
    }
}

fn stopped(diagnostics: Vec<Diagnostic>) -> Error {
    let n = diagnostics.len();
    let figures = if n == 1 {
        "1 figure".to_string()
    } else {
        format!("{n} figures")
    };
    Error::Located {
        diagnostics,
        summary: format!(
            "the IATI export stopped and nothing was written: {figures} cannot be exported as numbers; correct recorded values with `ics record INDICATOR PERIOD VALUE`, then run `ics check`"
        ),
    }
}

#[cfg(test)]
mod tests;
