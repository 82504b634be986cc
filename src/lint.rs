//! `ics lint`: the checks a strategy review makes of a results framework, as findings.
//!
//! Each [`Rule`] has a stable kebab-case name (used in output and as its switch under
//! `[settings.lint]` in framework.toml, where `name = false` turns it off). A [`Finding`] names
//! the node, indicator or strategy it is about, says what is wrong in a sentence and gives a
//! one-line fix. Findings come in rule order, then in the framework file's order. The checks
//! are pure: they read a [`Framework`], the periods that have recorded values and the date
//! taken as today (for `dqa-overdue`), nothing else.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Months, NaiveDate};
use serde::Serialize;

use crate::framework::rule_names::LINT_RULE_NAMES;
use crate::framework::{Framework, Indicator, Node, NodeKind};
use crate::period::FiscalPeriod;

/// A lint rule. The order of [`Rule::ALL`] is the order of findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    ObjectiveWithoutIndicator,
    IndicatorMissingDefinition,
    IndicatorMissingUnit,
    IndicatorMissingSource,
    IndicatorMissingBaseline,
    StrategyWithoutPeriod,
    YearWithoutTarget,
    TargetOutsidePeriod,
    DoSupportsNothing,
    ThemeAppliesToNothing,
    ValueWithoutTarget,
    PirsIncomplete,
    DqaOverdue,
}

impl Rule {
    pub const ALL: [Rule; 13] = [
        Rule::ObjectiveWithoutIndicator,
        Rule::IndicatorMissingDefinition,
        Rule::IndicatorMissingUnit,
        Rule::IndicatorMissingSource,
        Rule::IndicatorMissingBaseline,
        Rule::StrategyWithoutPeriod,
        Rule::YearWithoutTarget,
        Rule::TargetOutsidePeriod,
        Rule::DoSupportsNothing,
        Rule::ThemeAppliesToNothing,
        Rule::ValueWithoutTarget,
        Rule::PirsIncomplete,
        Rule::DqaOverdue,
    ];

    /// The stable name, as shown and as written under `[settings.lint]`; the framework owns
    /// the list ([`LINT_RULE_NAMES`], in the order of [`Rule::ALL`]).
    pub fn name(self) -> &'static str {
        LINT_RULE_NAMES[self as usize]
    }

    /// Every rule name, in rule order.
    pub fn names() -> Vec<&'static str> {
        LINT_RULE_NAMES.to_vec()
    }

    pub fn parse(name: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.name() == name)
    }
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// One problem found: `{rule, code, kind, message, fix}` in JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule: Rule,
    /// The node, indicator or strategy code.
    pub code: String,
    /// `indicator`, `strategy`, or a node kind such as `objective`.
    pub kind: String,
    pub message: String,
    /// One line: what to change to clear the finding.
    pub fix: String,
}

/// What a lint run found, with the rules it skipped.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub findings: Vec<Finding>,
    /// Rules switched off in `[settings.lint]`.
    pub switched_off: Vec<Rule>,
}

/// Units that say the unit is not decided yet.
const PLACEHOLDER_UNITS: [&str; 9] = ["", "tbd", "tbc", "n/a", "na", "none", "unknown", "?", "-"];

/// How many fiscal years back (the current one included) a value makes an indicator's Data
/// Quality Assessment due, and how many years a DQA stays current (ADS 201: every 3 years).
pub const DQA_YEARS: u32 = 3;

/// Check `fw`; `value_periods` holds every (indicator code, period) with a current value;
/// `file` names the framework file in fix hints (the file the version was loaded from);
/// `today` is the date `dqa-overdue` measures from ([`crate::clock::today`] in the command).
pub fn lint(
    fw: &Framework,
    value_periods: &[(String, FiscalPeriod)],
    file: &str,
    today: NaiveDate,
) -> Report {
    let switched_off: Vec<Rule> = Rule::ALL
        .into_iter()
        .filter(|r| !fw.settings.lint_rule_on(r.name()))
        .collect();
    let mut findings = Vec::new();
    for rule in Rule::ALL {
        if switched_off.contains(&rule) {
            continue;
        }
        check(rule, fw, value_periods, file, today, &mut findings);
    }
    Report {
        findings,
        switched_off,
    }
}

fn check(
    rule: Rule,
    fw: &Framework,
    values: &[(String, FiscalPeriod)],
    file: &str,
    today: NaiveDate,
    out: &mut Vec<Finding>,
) {
    let mut push = |code: &str, kind: &str, message: String, fix: String| {
        out.push(Finding {
            rule,
            code: code.to_string(),
            kind: kind.to_string(),
            message,
            fix,
        })
    };
    let indicators = || fw.indicators().map(|(_, i)| i);
    match rule {
        Rule::ObjectiveWithoutIndicator => {
            for node in fw.nodes.iter().filter(|n| needs_indicator(n.kind)) {
                if !measured(fw, node) && !measured_by_link(fw, node) {
                    push(
                        &node.code,
                        node.kind.as_str(),
                        format!("{} `{}` has no indicator", node.kind.label(), node.code),
                        format!(
                            "add a `[[{}.indicator]]` table under `{}` in {file}",
                            toml_header(fw, node),
                            node.code
                        ),
                    );
                }
            }
        }
        Rule::IndicatorMissingDefinition => {
            for i in indicators().filter(|i| blank(&i.definition)) {
                push(
                    &i.code,
                    "indicator",
                    format!("indicator `{}` has no definition", i.code),
                    format!(
                        "add `definition = \"...\"` to `{}`: exactly what is counted, and how",
                        i.code
                    ),
                );
            }
        }
        Rule::IndicatorMissingUnit => {
            for i in indicators().filter(|i| placeholder_unit(&i.unit)) {
                push(
                    &i.code,
                    "indicator",
                    format!(
                        "indicator `{}` has no real unit (`unit = \"{}\"`)",
                        i.code, i.unit
                    ),
                    format!(
                        "set `unit` of `{}` to what one counts, such as \"percent\", \"people\" or \"USD million\"",
                        i.code
                    ),
                );
            }
        }
        Rule::IndicatorMissingSource => {
            for i in indicators().filter(|i| blank(&i.source)) {
                push(
                    &i.code,
                    "indicator",
                    format!("indicator `{}` names no data source", i.code),
                    format!(
                        "add `source = \"...\"` to `{}`: who collects the figure, and from what",
                        i.code
                    ),
                );
            }
        }
        Rule::IndicatorMissingBaseline => {
            // The year before the strategy starts, else before its first target; never a
            // year the strategy does not suggest.
            let example = fw
                .strategy
                .start
                .or_else(|| {
                    fw.indicators()
                        .flat_map(|(_, i)| i.targets.keys().map(|p| p.fiscal_year()))
                        .min()
                })
                .map_or("FY...".to_string(), |s| {
                    FiscalPeriod::year(s.year - 1).to_string()
                });
            for i in indicators().filter(|i| i.baseline.is_none()) {
                push(
                    &i.code,
                    "indicator",
                    format!("indicator `{}` has no baseline", i.code),
                    format!(
                        "add `baseline = {{ period = \"{example}\", value = ... }}` to `{}`",
                        i.code
                    ),
                );
            }
        }
        Rule::StrategyWithoutPeriod => {
            if fw.strategy.start.is_none() || fw.strategy.end.is_none() {
                push(
                    &fw.strategy.code,
                    "strategy",
                    format!(
                        "the strategy `{}` has no strategy period, so yearly targets cannot be checked",
                        fw.strategy.code
                    ),
                    period_fix(fw, values),
                );
            }
        }
        Rule::YearWithoutTarget => {
            let years = fw.strategy.fiscal_years();
            for i in indicators() {
                let missing: Vec<FiscalPeriod> = years
                    .iter()
                    .copied()
                    .filter(|y| !i.targets.keys().any(|p| y.contains(p)))
                    .collect();
                if missing.is_empty() {
                    continue;
                }
                push(
                    &i.code,
                    "indicator",
                    format!(
                        "indicator `{}` has no target for {}",
                        i.code,
                        list(&missing)
                    ),
                    format!(
                        "add {} to the `targets` of `{}`",
                        missing
                            .iter()
                            .map(|p| format!("`{p} = ...`"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        i.code
                    ),
                );
            }
        }
        Rule::TargetOutsidePeriod => {
            let (Some(start), Some(end)) = (fw.strategy.start, fw.strategy.end) else {
                return;
            };
            for i in indicators() {
                let outside: Vec<FiscalPeriod> = i
                    .targets
                    .keys()
                    .copied()
                    .filter(|p| p.year < start.year || p.year > end.year)
                    .collect();
                if outside.is_empty() {
                    continue;
                }
                push(
                    &i.code,
                    "indicator",
                    format!(
                        "indicator `{}` has a target for {}, outside the strategy period {start} to {end}",
                        i.code,
                        list(&outside)
                    ),
                    format!(
                        "remove {} from the `targets` of `{}`, or widen `start`/`end` in `[strategy]`",
                        if outside.len() == 1 { "it" } else { "them" },
                        i.code
                    ),
                );
            }
        }
        Rule::DoSupportsNothing => {
            for node in fw
                .nodes
                .iter()
                .filter(|n| n.kind == NodeKind::DevelopmentObjective && !links_below(fw, n))
            {
                push(
                    &node.code,
                    node.kind.as_str(),
                    format!(
                        "Development Objective `{}` supports no Mission Objective",
                        node.code
                    ),
                    format!(
                        "add `supports = [\"MO...\"]` to `{}` with the Mission Objectives it is incorporated into (or `supported_by = [\"{}\"]` to each of them)",
                        node.code, node.code
                    ),
                );
            }
        }
        Rule::ThemeAppliesToNothing => {
            for node in fw
                .nodes
                .iter()
                .filter(|n| n.kind == NodeKind::Theme && n.applies_to.is_empty())
            {
                push(
                    &node.code,
                    node.kind.as_str(),
                    format!("cross-cutting theme `{}` applies to nothing", node.code),
                    format!(
                        "add `applies_to = [\"...\"]` to `{}` with the goals or objectives it concerns",
                        node.code
                    ),
                );
            }
        }
        Rule::ValueWithoutTarget => {
            let mut by_indicator: BTreeMap<&str, BTreeSet<FiscalPeriod>> = BTreeMap::new();
            for (code, period) in values {
                by_indicator.entry(code).or_default().insert(*period);
            }
            for i in indicators() {
                let Some(periods) = by_indicator.get(i.code.as_str()) else {
                    continue;
                };
                let untargeted: Vec<FiscalPeriod> = periods
                    .iter()
                    .copied()
                    .filter(|p| !has_target(i, p))
                    .collect();
                if untargeted.is_empty() {
                    continue;
                }
                let one = untargeted.len() == 1;
                push(
                    &i.code,
                    "indicator",
                    format!(
                        "indicator `{}` has a value recorded for {}, which {} no target",
                        i.code,
                        list(&untargeted),
                        if one { "has" } else { "have" }
                    ),
                    format!(
                        "add a target for {} to `{}` in {file}, or correct the value's period (see `ics history {}`)",
                        if one { "it" } else { "each" },
                        i.code,
                        i.code
                    ),
                );
            }
        }
        Rule::PirsIncomplete => {
            for i in indicators() {
                let missing: Vec<&str> = i
                    .pirs
                    .fields()
                    .into_iter()
                    .filter(|(_, v)| v.is_none_or(|v| v.trim().is_empty()))
                    .map(|(key, _)| key)
                    .collect();
                if missing.is_empty() {
                    continue;
                }
                let names: Vec<String> = missing.iter().map(|k| format!("`{k}`")).collect();
                push(
                    &i.code,
                    "indicator",
                    format!(
                        "the reference sheet (PIRS) of indicator `{}` does not state {}",
                        i.code,
                        words(&names)
                    ),
                    format!(
                        "add {} to `{}` in {file}, where the documents state them (`ics pirs {}` shows the sheet)",
                        if missing.len() == 1 { "it" } else { "them" },
                        i.code,
                        i.code
                    ),
                );
            }
        }
        Rule::DqaOverdue => {
            let this_year = FiscalPeriod::year_of(today).year;
            let first = this_year - (DQA_YEARS as i32 - 1);
            let due_after = today.checked_sub_months(Months::new(12 * DQA_YEARS));
            let mut recent: BTreeMap<&str, BTreeSet<FiscalPeriod>> = BTreeMap::new();
            for (code, period) in values {
                let year = period.fiscal_year();
                if (first..=this_year).contains(&year.year) {
                    recent.entry(code).or_default().insert(year);
                }
            }
            for i in indicators() {
                let Some(years) = recent.get(i.code.as_str()) else {
                    continue;
                };
                let years: Vec<FiscalPeriod> = years.iter().copied().collect();
                let why = match i.pirs.dqa() {
                    None => "no Data Quality Assessment on record".to_string(),
                    Some(d) if due_after.is_some_and(|limit| d < limit) => format!(
                        "its last Data Quality Assessment was on {d}, more than {DQA_YEARS} years ago"
                    ),
                    Some(_) => continue,
                };
                push(
                    &i.code,
                    "indicator",
                    format!(
                        "indicator `{}` has values for {} but {why}",
                        i.code,
                        list(&years)
                    ),
                    format!(
                        "assess the quality of its data, then set `dqa_date = {}` (the day of the assessment) on `{}` in {file}",
                        today.format("%Y-%m-%d"),
                        i.code
                    ),
                );
            }
        }
    }
}

/// `a`, `a and b`, `a, b and c`.
fn words(items: &[String]) -> String {
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// The kinds that need an indicator of their own or below them.
fn needs_indicator(kind: NodeKind) -> bool {
    matches!(
        kind,
        NodeKind::Objective
            | NodeKind::SubObjective
            | NodeKind::ManagementObjective
            | NodeKind::DevelopmentObjective
            | NodeKind::Result
            | NodeKind::SubResult
    )
}

/// Whether the node or any node below it has an indicator. A walk with a visited set, not a
/// recursion: a damaged framework whose nodes are each other's parents must not loop.
fn measured(fw: &Framework, node: &Node) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if !n.indicators.is_empty() {
            return true;
        }
        if seen.insert(n.code.as_str()) {
            stack.extend(fw.children_of(Some(&n.code)));
        }
    }
    false
}

/// Whether a DO, or an Intermediate Result or sub-result under it, supports an objective
/// (written on either side of the link).
fn links_below(fw: &Framework, node: &Node) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if !n.supports.is_empty() {
            return true;
        }
        if seen.insert(n.code.as_str()) {
            stack.extend(fw.children_of(Some(&n.code)));
        }
    }
    false
}

/// Whether an objective (or a node under it) is supported by a DO, Intermediate Result or
/// sub-result that is measured: its indicators stand for the objective's, so the objective is
/// not left without one.
fn measured_by_link(fw: &Framework, node: &Node) -> bool {
    if !node.kind.can_be_supported() {
        return false;
    }
    let mut seen = BTreeSet::new();
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if fw.supported_by(&n.code).any(|s| measured(fw, s)) {
            return true;
        }
        if seen.insert(n.code.as_str()) {
            stack.extend(fw.children_of(Some(&n.code)));
        }
    }
    false
}

/// The fix for a strategy without a period, from what the strategy itself says: the fiscal
/// years its targets and values cover; else the fiscal year of its approval (or update) as the
/// start; else no years at all.
fn period_fix(fw: &Framework, values: &[(String, FiscalPeriod)]) -> String {
    let years = fw
        .indicators()
        .flat_map(|(_, i)| i.targets.keys().map(|p| p.fiscal_year()))
        .chain(values.iter().map(|(_, p)| p.fiscal_year()));
    let span = years.fold(
        None,
        |acc: Option<(FiscalPeriod, FiscalPeriod)>, y| match acc {
            None => Some((y, y)),
            Some((a, b)) => Some((a.min(y), b.max(y))),
        },
    );
    if let Some((first, last)) = span {
        return format!(
            "add `start` and `end`, the first and last fiscal years of the strategy as its document states them, to `[strategy]`; its targets and values cover {first} to {last}: `start = \"{first}\"`, `end = \"{last}\"`"
        );
    }
    let dated = [
        ("approved", &fw.strategy.approved),
        ("updated", &fw.strategy.updated),
    ]
    .into_iter()
    .find_map(|(k, d)| {
        let d = NaiveDate::parse_from_str(d.as_deref()?, "%Y-%m-%d").ok()?;
        Some((k, d))
    });
    match dated {
        Some((key, d)) => format!(
            "add `start` and `end`, the first and last fiscal years of the strategy as its document states them, to `[strategy]`; it was {key} in {} (`start = \"{}\"` if its period begins then)",
            FiscalPeriod::year_of(d),
            FiscalPeriod::year_of(d)
        ),
        None => "add `start` and `end`, the first and last fiscal years of the strategy as its document states them (`\"FY...\"`), to `[strategy]`".into(),
    }
}

/// A target for the period itself, or for the fiscal year of a quarter.
fn has_target(i: &Indicator, p: &FiscalPeriod) -> bool {
    i.targets.contains_key(p) || i.targets.contains_key(&p.fiscal_year())
}

fn blank(s: &Option<String>) -> bool {
    s.as_deref().is_none_or(|s| s.trim().is_empty())
}

fn placeholder_unit(unit: &str) -> bool {
    let u = unit.trim().to_lowercase();
    PLACEHOLDER_UNITS.contains(&u.as_str()) || u == "to be determined"
}

/// `FY2018`, `FY2018 and FY2019`, `FY2018, FY2019 and FY2020`.
fn list(periods: &[FiscalPeriod]) -> String {
    let names: Vec<String> = periods.iter().map(|p| p.to_string()).collect();
    words(&names)
}

/// The table header a node is written under in framework.toml: `goal.objective`.
/// The walk up stops after as many steps as there are nodes, so a parent cycle cannot loop.
fn toml_header(fw: &Framework, node: &Node) -> String {
    let mut kinds = vec![node.kind.as_str()];
    let mut cur = node;
    while let Some(parent) = cur.parent.as_deref().and_then(|p| fw.node(p)) {
        if kinds.len() > fw.nodes.len() {
            break;
        }
        kinds.push(parent.kind.as_str());
        cur = parent;
    }
    kinds.reverse();
    kinds.join(".")
}

#[cfg(test)]
mod tests;
