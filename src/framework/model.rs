//! The strategy as a plain data model: what a framework file says, with no TOML and no SQL.
//!
//! Nodes are kept flat, in document order, each naming its parent by code; the nesting of the file
//! is the `parent` link. Indicators belong to the node they are written under.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::period::FiscalPeriod;

/// The kinds of node a strategy has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    Goal,
    Objective,
    SubObjective,
    ManagementObjective,
    DevelopmentObjective,
    Result,
    SubResult,
    Theme,
}

impl NodeKind {
    pub const ALL: [NodeKind; 8] = [
        NodeKind::Goal,
        NodeKind::Objective,
        NodeKind::SubObjective,
        NodeKind::ManagementObjective,
        NodeKind::DevelopmentObjective,
        NodeKind::Result,
        NodeKind::SubResult,
        NodeKind::Theme,
    ];

    /// The name used in the framework file, in JSON and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Goal => "goal",
            NodeKind::Objective => "objective",
            NodeKind::SubObjective => "sub_objective",
            NodeKind::ManagementObjective => "management_objective",
            NodeKind::DevelopmentObjective => "development_objective",
            NodeKind::Result => "result",
            NodeKind::SubResult => "sub_result",
            NodeKind::Theme => "theme",
        }
    }

    pub fn parse(s: &str) -> Option<NodeKind> {
        NodeKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The label with its indefinite article: "a Mission Goal", "an Intermediate Result".
    pub fn with_article(self) -> String {
        let label = self.label();
        let article = match label.chars().next() {
            Some('A' | 'E' | 'I' | 'O' | 'U' | 'a' | 'e' | 'i' | 'o' | 'u') => "an",
            _ => "a",
        };
        format!("{article} {label}")
    }

    /// Whether a node of this kind may support others (`supports`): a DO, an Intermediate
    /// Result or a sub-result.
    pub fn can_support(self) -> bool {
        matches!(
            self,
            NodeKind::DevelopmentObjective | NodeKind::Result | NodeKind::SubResult
        )
    }

    /// Whether a node of this kind may be supported (`supported_by`): a Mission Objective or a
    /// sub-objective.
    pub fn can_be_supported(self) -> bool {
        matches!(self, NodeKind::Objective | NodeKind::SubObjective)
    }

    /// A human label: "Mission Goal", "Development Objective", ...
    pub fn label(self) -> &'static str {
        match self {
            NodeKind::Goal => "Mission Goal",
            NodeKind::Objective => "Mission Objective",
            NodeKind::SubObjective => "sub-objective",
            NodeKind::ManagementObjective => "Management Objective",
            NodeKind::DevelopmentObjective => "Development Objective",
            NodeKind::Result => "Intermediate Result",
            NodeKind::SubResult => "sub-result",
            NodeKind::Theme => "cross-cutting theme",
        }
    }

    /// Plural of [`NodeKind::label`], for counts.
    pub fn plural(self) -> &'static str {
        match self {
            NodeKind::Goal => "Mission Goals",
            NodeKind::Objective => "Mission Objectives",
            NodeKind::SubObjective => "sub-objectives",
            NodeKind::ManagementObjective => "Management Objectives",
            NodeKind::DevelopmentObjective => "Development Objectives",
            NodeKind::Result => "Intermediate Results",
            NodeKind::SubResult => "sub-results",
            NodeKind::Theme => "cross-cutting themes",
        }
    }

    /// The kinds that may be nested directly under this one, with their TOML key.
    pub fn children(self) -> &'static [NodeKind] {
        match self {
            NodeKind::Goal => &[NodeKind::Objective],
            NodeKind::Objective | NodeKind::ManagementObjective => &[NodeKind::SubObjective],
            NodeKind::DevelopmentObjective => &[NodeKind::Result],
            NodeKind::Result => &[NodeKind::SubResult],
            NodeKind::SubObjective | NodeKind::SubResult | NodeKind::Theme => &[],
        }
    }

    /// The kinds written at the top level of a framework file.
    pub const TOP_LEVEL: [NodeKind; 4] = [
        NodeKind::Goal,
        NodeKind::ManagementObjective,
        NodeKind::DevelopmentObjective,
        NodeKind::Theme,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Increase,
    Decrease,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Increase => "increase",
            Direction::Decrease => "decrease",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "increase" => Some(Direction::Increase),
            "decrease" => Some(Direction::Decrease),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    #[default]
    Annual,
    Quarterly,
}

impl Frequency {
    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Annual => "annual",
            Frequency::Quarterly => "quarterly",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "annual" => Some(Frequency::Annual),
            "quarterly" => Some(Frequency::Quarterly),
            _ => None,
        }
    }
}

/// How the quarters of a quarterly indicator make its fiscal-year value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    #[default]
    Sum,
    Mean,
    Last,
}

impl Aggregation {
    pub fn as_str(self) -> &'static str {
        match self {
            Aggregation::Sum => "sum",
            Aggregation::Mean => "mean",
            Aggregation::Last => "last",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "sum" => Some(Aggregation::Sum),
            "mean" => Some(Aggregation::Mean),
            "last" => Some(Aggregation::Last),
            _ => None,
        }
    }
}

/// An indicator's targets by period, in period order, with the part of a `BTreeMap`'s
/// interface the code uses. A sorted list: a report reads one target (or a year's five) of
/// each of 20,000 indicators, and a `BTreeMap` took 192 bytes for its first node however few
/// it held (`progress` on 20,000 indicators touched 3.8 MB for them). Serialized as a map.
#[derive(Clone, Default, PartialEq)]
pub struct TargetMap(Vec<(FiscalPeriod, f64)>);

impl TargetMap {
    pub fn new() -> Self {
        TargetMap(Vec::new())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn find(&self, period: &FiscalPeriod) -> Result<usize, usize> {
        self.0.binary_search_by(|(p, _)| p.cmp(period))
    }

    pub fn get(&self, period: &FiscalPeriod) -> Option<&f64> {
        self.find(period).ok().map(|at| &self.0[at].1)
    }

    pub fn contains_key(&self, period: &FiscalPeriod) -> bool {
        self.find(period).is_ok()
    }

    /// Set the target of `period`; the one it replaces, if any.
    pub fn insert(&mut self, period: FiscalPeriod, target: f64) -> Option<f64> {
        match self.find(&period) {
            Ok(at) => Some(std::mem::replace(&mut self.0[at].1, target)),
            Err(at) => {
                self.0.insert(at, (period, target));
                None
            }
        }
    }

    pub fn remove(&mut self, period: &FiscalPeriod) -> Option<f64> {
        self.find(period).ok().map(|at| self.0.remove(at).1)
    }

    /// Each period and its target, in period order.
    pub fn iter(&self) -> TargetIter<'_> {
        TargetIter(self.0.iter())
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &FiscalPeriod> + ExactSizeIterator {
        self.0.iter().map(|(p, _)| p)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &f64> + ExactSizeIterator {
        self.0.iter().map(|(_, t)| t)
    }

    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut f64> + ExactSizeIterator {
        self.0.iter_mut().map(|(_, t)| t)
    }
}

/// The periods and targets of a [`TargetMap`], in period order.
#[derive(Clone)]
pub struct TargetIter<'a>(std::slice::Iter<'a, (FiscalPeriod, f64)>);

impl<'a> Iterator for TargetIter<'a> {
    type Item = (&'a FiscalPeriod, &'a f64);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(p, t)| (p, t))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for TargetIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(p, t)| (p, t))
    }
}

impl ExactSizeIterator for TargetIter<'_> {}

impl<'a> IntoIterator for &'a TargetMap {
    type Item = (&'a FiscalPeriod, &'a f64);
    type IntoIter = TargetIter<'a>;

    fn into_iter(self) -> TargetIter<'a> {
        self.iter()
    }
}

/// As a `BTreeMap` collects: in period order, the last target given for a period kept.
impl FromIterator<(FiscalPeriod, f64)> for TargetMap {
    fn from_iter<I: IntoIterator<Item = (FiscalPeriod, f64)>>(iter: I) -> Self {
        let mut all: Vec<(FiscalPeriod, f64)> = iter.into_iter().collect();
        if all.windows(2).all(|w| w[0].0 < w[1].0) {
            return TargetMap(all);
        }
        // Stable: of the targets of one period, the last given comes last.
        all.sort_by_key(|(p, _)| *p);
        let mut out: Vec<(FiscalPeriod, f64)> = Vec::with_capacity(all.len());
        for (p, t) in all {
            match out.last_mut() {
                Some(last) if last.0 == p => last.1 = t,
                _ => out.push((p, t)),
            }
        }
        TargetMap(out)
    }
}

impl<const N: usize> From<[(FiscalPeriod, f64); N]> for TargetMap {
    fn from(targets: [(FiscalPeriod, f64); N]) -> Self {
        targets.into_iter().collect()
    }
}

impl std::ops::Index<&FiscalPeriod> for TargetMap {
    type Output = f64;

    /// The target of `period`; panics when there is none, as a `BTreeMap` does.
    fn index(&self, period: &FiscalPeriod) -> &f64 {
        self.get(period).expect("no target for the period")
    }
}

impl std::fmt::Debug for TargetMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for TargetMap {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Baseline {
    pub period: FiscalPeriod,
    pub value: f64,
}

/// A performance indicator, as its Performance Indicator Reference Sheet would define it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicator {
    pub code: String,
    pub title: String,
    pub unit: String,
    pub direction: Direction,
    pub baseline: Option<Baseline>,
    /// Target per fiscal year or quarter, in period order.
    pub targets: TargetMap,
    pub frequency: Frequency,
    pub aggregation: Aggregation,
    /// Declared disaggregations: key → allowed values, in the file's order.
    pub disaggregations: BTreeMap<String, Vec<String>>,
    pub standard_code: Option<String>,
    pub source: Option<String>,
    pub definition: Option<String>,
    pub illustrative: bool,
    /// Values are increments and targets running totals (`cumulative = true`).
    pub cumulative: bool,
    /// A ratio indicator: each value is recorded as a numerator and a denominator.
    pub ratio: Option<Ratio>,
    /// The rest of its Performance Indicator Reference Sheet (ADS 201), all optional. Flattened
    /// and left out when absent, so a framework without them keeps its content hash.
    #[serde(flatten)]
    pub pirs: PirsBox,
}

/// An indicator's [`Pirs`], boxed only when some field is given: most indicators of a big
/// strategy have none, and 8 empty fields inline were 192 bytes on each of 20,000 indicators
/// that every report reads. Reads and writes go through it as through a `Pirs`.
#[derive(Debug, Clone, Default)]
pub struct PirsBox(Option<Box<Pirs>>);

/// What an indicator without PIRS fields reads.
static NO_PIRS: Pirs = Pirs {
    rationale: None,
    collection_method: None,
    responsible: None,
    reporting_frequency: None,
    data_quality_limitations: None,
    dqa_date: None,
    baseline_rationale: None,
    target_rationale: None,
};

impl std::ops::Deref for PirsBox {
    type Target = Pirs;
    fn deref(&self) -> &Pirs {
        self.0.as_deref().unwrap_or(&NO_PIRS)
    }
}

impl std::ops::DerefMut for PirsBox {
    fn deref_mut(&mut self) -> &mut Pirs {
        self.0.get_or_insert_with(Box::default)
    }
}

impl From<Pirs> for PirsBox {
    fn from(p: Pirs) -> Self {
        PirsBox((p != NO_PIRS).then(|| Box::new(p)))
    }
}

impl PartialEq for PirsBox {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for PirsBox {}

impl Serialize for PirsBox {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

/// The Performance Indicator Reference Sheet fields (USAID ADS 201) that an [`Indicator`] does
/// not hold already: each one optional, as written in the framework file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Pirs {
    /// Why this indicator measures its objective.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
    /// How the data are collected and the indicator calculated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collection_method: Option<String>,
    /// The office or person responsible for the data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responsible: Option<String>,
    /// When the data are collected and reported (frequency and timing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reporting_frequency: Option<String>,
    /// Known limitations of the data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_quality_limitations: Option<String>,
    /// The date of the last Data Quality Assessment, as an ISO date (`2024-03-15`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dqa_date: Option<String>,
    /// Why the baseline is what it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_rationale: Option<String>,
    /// How the targets were set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_rationale: Option<String>,
}

impl Pirs {
    /// The text fields with their framework-file keys, in sheet order (`dqa_date` included).
    pub fn fields(&self) -> [(&'static str, Option<&str>); 8] {
        [
            ("rationale", self.rationale.as_deref()),
            ("collection_method", self.collection_method.as_deref()),
            ("reporting_frequency", self.reporting_frequency.as_deref()),
            ("responsible", self.responsible.as_deref()),
            ("baseline_rationale", self.baseline_rationale.as_deref()),
            ("target_rationale", self.target_rationale.as_deref()),
            (
                "data_quality_limitations",
                self.data_quality_limitations.as_deref(),
            ),
            ("dqa_date", self.dqa_date.as_deref()),
        ]
    }

    /// The date of the last DQA, if given.
    pub fn dqa(&self) -> Option<chrono::NaiveDate> {
        let d = self.dqa_date.as_deref()?;
        chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()
    }
}

/// What a ratio indicator's numerator and denominator count (`ratio = { numerator = "...",
/// denominator = "..." }`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ratio {
    pub numerator: String,
    pub denominator: String,
}

impl Indicator {
    /// Whether the unit is a percentage (values must lie in 0..100).
    pub fn is_percent(&self) -> bool {
        is_percent_unit(&self.unit)
    }
}

/// `percent`, `%` or `percentage`, in any case.
pub fn is_percent_unit(unit: &str) -> bool {
    let u = unit.trim();
    u == "%" || u.eq_ignore_ascii_case("percent") || u.eq_ignore_ascii_case("percentage")
}

/// The IATI result type of a node's indicators (`result_type` in the framework file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultType {
    Output,
    Outcome,
    Impact,
    Other,
}

impl ResultType {
    pub const ALL: [ResultType; 4] = [
        ResultType::Output,
        ResultType::Outcome,
        ResultType::Impact,
        ResultType::Other,
    ];

    /// The name used in the framework file.
    pub fn as_str(self) -> &'static str {
        match self {
            ResultType::Output => "output",
            ResultType::Outcome => "outcome",
            ResultType::Impact => "impact",
            ResultType::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        ResultType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The IATI ResultType code: 1 Output, 2 Outcome, 3 Impact, 9 Other.
    pub fn iati_code(self) -> &'static str {
        match self {
            ResultType::Output => "1",
            ResultType::Outcome => "2",
            ResultType::Impact => "3",
            ResultType::Other => "9",
        }
    }
}

/// A goal, objective, DO, result or theme.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    pub kind: NodeKind,
    pub code: String,
    pub title: String,
    pub description: Option<String>,
    pub justification: Option<String>,
    /// How the objective links to other objectives, strategies and programs (the ICS's
    /// "Linkages" section). Left out of the content hash when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linkages: Option<String>,
    /// The risks to achieving it (the ICS's "Risks" section).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risks: Option<String>,
    /// For a DO: its development hypothesis.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hypothesis: Option<String>,
    /// Objectives of other strategies this node aligns with, as the document names them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aligns_with: Vec<Alignment>,
    /// Code of the enclosing node; `None` at the top level.
    pub parent: Option<String>,
    /// For a DO, an Intermediate Result or a sub-result: the Mission Objectives and
    /// sub-objectives it supports. The one form of a link: a `supported_by` written on the
    /// objective is read into the `supports` of the node it names, so every reader sees each
    /// link once, here.
    pub supports: Vec<String>,
    /// For a theme: the nodes it applies to.
    pub applies_to: Vec<String>,
    /// The IATI result type of this node's indicators; `None` means not given (outcome).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    pub indicators: Vec<Indicator>,
}

impl Node {
    pub fn new(kind: NodeKind, code: &str, title: &str, parent: Option<&str>) -> Self {
        Node {
            kind,
            code: code.to_string(),
            title: title.to_string(),
            description: None,
            justification: None,
            linkages: None,
            risks: None,
            hypothesis: None,
            aligns_with: Vec::new(),
            parent: parent.map(str::to_string),
            supports: Vec::new(),
            applies_to: Vec::new(),
            result_type: None,
            indicators: Vec::new(),
        }
    }
}

/// One `aligns_with` entry: an objective of another strategy (a Joint Regional Strategy, the
/// Joint Strategic Plan, a bureau or functional strategy), named as that document names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alignment {
    /// The other strategy: `"JRS SCA"`, `"JSP"`, `"Indo-Pacific Strategy"`.
    pub strategy: String,
    /// Its objective's code as written there (free text): `"2.1"`, `"BO 2.3"`, `"Pillar 1"`.
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

impl Alignment {
    /// `JRS SCA 2.1 (Title)`, or without the title when none is given.
    pub fn label(&self) -> String {
        match &self.title {
            Some(t) => format!("{} {}: {t}", self.strategy, self.code),
            None => format!("{} {}", self.strategy, self.code),
        }
    }
}

/// `[cdcs]`: the USAID Country Development Cooperation Strategy the DOs come from. Every field
/// is optional. `start` and `end` are fiscal years (`FY2021`) or ISO dates (`2020-12-15`), as
/// the file gives them; `approved` is an ISO date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Cdcs {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The CDCS goal statement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved: Option<String>,
}

impl Cdcs {
    /// The period as text: `FY2021 to FY2025`, `2020-12-15 to FY2025`, `from FY2021`.
    pub fn period(&self) -> Option<String> {
        match (&self.start, &self.end) {
            (Some(a), Some(b)) => Some(format!("{a} to {b}")),
            (Some(a), None) => Some(format!("from {a}")),
            (None, Some(b)) => Some(format!("until {b}")),
            (None, None) => None,
        }
    }

    /// The CDCS as plain text for the IATI activity description: its title, period, approval
    /// date and goal statement, one per line; `None` when the table gives none of them.
    pub fn summary(&self) -> Option<String> {
        let mut lines = Vec::new();
        if let Some(t) = &self.title {
            lines.push(format!(
                "USAID Country Development Cooperation Strategy: {t}"
            ));
        }
        if let Some(p) = self.period() {
            lines.push(format!("CDCS period: {p}"));
        }
        if let Some(a) = &self.approved {
            lines.push(format!("CDCS approved: {a}"));
        }
        if let Some(g) = &self.goal {
            lines.push(format!("CDCS goal: {g}"));
        }
        (!lines.is_empty()).then(|| lines.join("\n"))
    }
}

/// `[strategy]`: what the strategy is and which revision this is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Strategy {
    pub code: String,
    pub title: String,
    /// Label of this revision.
    pub version: String,
    pub country: Option<String>,
    pub description: Option<String>,
    /// ISO dates (`2018-08-08`).
    pub approved: Option<String>,
    pub updated: Option<String>,
    /// The strategy period, as fiscal years.
    pub start: Option<FiscalPeriod>,
    pub end: Option<FiscalPeriod>,
    /// The `[iati]` table of the framework file: how the IATI export describes the activity.
    /// Stored with the strategy metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iati: Option<Iati>,
    /// The `[cdcs]` table of the framework file. Stored with the strategy metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cdcs: Option<Cdcs>,
}

/// `[iati]`: the activity fields of the IATI export that the strategy itself does not give.
/// Every field is optional; [`Iati`]'s methods give the documented defaults. Coded fields hold
/// IATI codes (a name such as `"implementation"` is turned into its code when read).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Iati {
    /// The activity's IATI identifier [default: `REPORTING_ORG_REF-STRATEGY_CODE`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// The reporting organisation's IATI identifier [default: `US-GOV-11`, the Department of
    /// State].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reporting_org_ref: Option<String>,
    /// IATI OrganisationType code of the reporting organisation [default: `10`, Government].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reporting_org_type: Option<String>,
    /// The reporting organisation's name [default: `U.S. Department of State`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reporting_org_name: Option<String>,
    /// IATI ActivityStatus code, 1 to 6 [default: from the dates: `2` Implementation until
    /// the strategy's planned end, `3` Finalisation after it].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activity_status: Option<String>,
    /// ISO 4217 currency code [default: `USD`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_currency: Option<String>,
    /// ISO 639-1 language code of the texts [default: `en`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// ISO 3166-1 alpha-2 code of the recipient country (no default: omitted when not given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient_country: Option<String>,
    /// Organisations taking part [default: the reporting organisation, role 1 Funding].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub participating_org: Vec<ParticipatingOrg>,
    /// The activity's sectors (`[iati] sectors = [{ vocabulary, code, percentage }]`); the
    /// export needs at least one (IATI rule 6.2.2).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sectors: Vec<IatiSector>,
}

/// One entry of `[iati] sectors`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IatiSector {
    /// IATI SectorVocabulary code [default: `1`, OECD DAC CRS 5-digit purpose codes].
    pub vocabulary: String,
    /// The sector code in that vocabulary (e.g. `15130`).
    pub code: String,
    /// Share of the activity, 0 to 100; the shares of one vocabulary add up to 100. May be
    /// left out only when the vocabulary has a single sector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percentage: Option<f64>,
    /// The sector's name, written as its narrative; required for the reporting organisation's
    /// own vocabularies 98 and 99 (IATI rule 2.2.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The default sector vocabulary: 1, OECD DAC CRS purpose codes (5 digit).
pub const DEFAULT_SECTOR_VOCABULARY: &str = "1";

/// Default IATI identifier of the reporting organisation: the U.S. Department of State.
pub const DEFAULT_REPORTING_ORG_REF: &str = "US-GOV-11";
/// Default name of the reporting organisation.
pub const DEFAULT_REPORTING_ORG_NAME: &str = "U.S. Department of State";
/// Default OrganisationType code of the reporting organisation (10 Government).
pub const DEFAULT_REPORTING_ORG_TYPE: &str = "10";
/// ActivityStatus code while the strategy period runs (2 Implementation).
pub const DEFAULT_ACTIVITY_STATUS: &str = "2";
/// ActivityStatus code once the strategy's planned end has passed (3 Finalisation).
pub const ENDED_ACTIVITY_STATUS: &str = "3";

impl Iati {
    /// The reporting organisation's identifier, or the default.
    pub fn reporting_org_ref(&self) -> &str {
        self.reporting_org_ref
            .as_deref()
            .unwrap_or(DEFAULT_REPORTING_ORG_REF)
    }

    /// The activity identifier, or `REPORTING_ORG_REF-STRATEGY_CODE`.
    pub fn identifier(&self, strategy_code: &str) -> String {
        match &self.identifier {
            Some(id) => id.clone(),
            None => format!("{}-{strategy_code}", self.reporting_org_ref()),
        }
    }
}

/// One `[[iati.participating_org]]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParticipatingOrg {
    /// IATI organisation identifier.
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub org_ref: Option<String>,
    /// IATI OrganisationType code.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub org_type: Option<String>,
    /// IATI OrganisationRole code: 1 Funding, 2 Accountable, 3 Extending, 4 Implementing.
    pub role: String,
    pub name: String,
}

impl Strategy {
    /// The fiscal years of the strategy period, if it is declared.
    pub fn fiscal_years(&self) -> Vec<FiscalPeriod> {
        match (self.start, self.end) {
            (Some(s), Some(e)) => (s.year..=e.year).map(FiscalPeriod::year).collect(),
            _ => Vec::new(),
        }
    }
}

pub const DEFAULT_DEVIATION_THRESHOLD: f64 = 10.0;

/// `[settings]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Percent of deviation from target that needs an explanation.
    pub deviation_threshold: f64,
    /// `[settings.lint]`: lint rule name → on/off, as written; a rule not listed is on.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub lint: BTreeMap<String, bool>,
    /// `review = true`: recorded values wait for an approver before reports count them.
    /// Left out of the stored form when off, so a framework without it keeps its content hash.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub review: bool,
    /// `lock_after_days = N`: a period locks itself N days after it ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock_after_days: Option<u32>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            deviation_threshold: DEFAULT_DEVIATION_THRESHOLD,
            lint: BTreeMap::new(),
            review: false,
            lock_after_days: None,
        }
    }
}

impl Settings {
    /// Whether the lint rule `name` is on (rules are on unless switched off).
    pub fn lint_rule_on(&self, name: &str) -> bool {
        self.lint.get(name).copied().unwrap_or(true)
    }
}

/// A whole framework file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Framework {
    pub strategy: Strategy,
    pub settings: Settings,
    /// Every node, in document order (parents before their children).
    pub nodes: Vec<Node>,
}

impl Framework {
    pub fn node(&self, code: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.code == code)
    }

    /// Every indicator with the node it sits under, in document order.
    pub fn indicators(&self) -> impl Iterator<Item = (&Node, &Indicator)> {
        self.nodes
            .iter()
            .flat_map(|n| n.indicators.iter().map(move |i| (n, i)))
    }

    pub fn indicator(&self, code: &str) -> Option<(&Node, &Indicator)> {
        self.indicators().find(|(_, i)| i.code == code)
    }

    /// Node counts by kind, in kind order, omitting kinds with none.
    pub fn counts(&self) -> Vec<(NodeKind, usize)> {
        NodeKind::ALL
            .into_iter()
            .map(|k| (k, self.nodes.iter().filter(|n| n.kind == k).count()))
            .filter(|(_, c)| *c > 0)
            .collect()
    }

    pub fn indicator_count(&self) -> usize {
        self.nodes.iter().map(|n| n.indicators.len()).sum()
    }

    /// The canonical content hash: SHA-256 of the parsed content, so formatting, comments and
    /// key order do not make a new version.
    pub fn content_hash(&self) -> String {
        use sha2::{Digest, Sha256};
        let json = serde_json::to_vec(self).expect("a framework always serialises");
        let digest = Sha256::digest(&json);
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Codes of the nodes directly under `code` (or the top level for `None`), in order.
    pub fn children_of<'a>(&'a self, code: Option<&'a str>) -> impl Iterator<Item = &'a Node> {
        self.nodes
            .iter()
            .filter(move |n| n.parent.as_deref() == code)
    }

    /// The DOs, Intermediate Results and sub-results that support an objective, written on
    /// either side of the link.
    pub fn supported_by<'a>(&'a self, code: &'a str) -> impl Iterator<Item = &'a Node> {
        self.nodes
            .iter()
            .filter(move |n| n.supports.iter().any(|s| s == code))
    }

    /// Codes from the top-level ancestor down to `code`.
    pub fn path(&self, code: &str) -> Vec<&str> {
        let mut path = Vec::new();
        let mut cur = self.node(code);
        while let Some(n) = cur {
            path.push(n.code.as_str());
            cur = n.parent.as_deref().and_then(|p| self.node(p));
        }
        path.reverse();
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_take_the_article_their_label_needs() {
        assert_eq!(NodeKind::Result.with_article(), "an Intermediate Result");
        assert_eq!(NodeKind::Goal.with_article(), "a Mission Goal");
        assert_eq!(NodeKind::SubObjective.with_article(), "a sub-objective");
        assert_eq!(NodeKind::Theme.with_article(), "a cross-cutting theme");
    }

    #[test]
    fn the_cdcs_summary_gives_what_the_table_states() {
        assert_eq!(Cdcs::default().summary(), None);
        let c = Cdcs {
            title: Some("Peru CDCS".into()),
            goal: Some("A Peru at peace.".into()),
            start: Some("2020-12-15".into()),
            end: Some("FY2025".into()),
            approved: None,
        };
        assert_eq!(
            c.summary().unwrap(),
            "USAID Country Development Cooperation Strategy: Peru CDCS\n\
             CDCS period: 2020-12-15 to FY2025\nCDCS goal: A Peru at peace."
        );
    }

    /// A `TargetMap` behaves as the `BTreeMap` it replaced: collected in any order with the
    /// last target of a period kept, read, changed and serialized alike.
    #[test]
    fn targets_behave_as_a_sorted_map() {
        use std::collections::BTreeMap;
        let p = |s: &str| -> FiscalPeriod { s.parse().unwrap() };
        let given = [
            (p("FY2024"), 3.0),
            (p("FY2022"), 1.0),
            (p("FY2024Q2"), 5.0),
            (p("FY2022"), 2.0),
            (p("FY2023"), 4.0),
        ];
        let ours: TargetMap = given.into_iter().collect();
        let theirs: BTreeMap<FiscalPeriod, f64> = given.into_iter().collect();
        let pairs = |m: &TargetMap| m.iter().map(|(p, t)| (*p, *t)).collect::<Vec<_>>();
        assert_eq!(
            pairs(&ours),
            theirs.iter().map(|(p, t)| (*p, *t)).collect::<Vec<_>>()
        );
        assert_eq!(ours.len(), 4);
        assert_eq!(ours.get(&p("FY2022")), Some(&2.0));
        assert_eq!(ours[&p("FY2024Q2")], 5.0);
        assert!(!ours.contains_key(&p("FY2021")));
        assert_eq!(
            serde_json::to_string(&ours).unwrap(),
            serde_json::to_string(&theirs).unwrap()
        );
        assert_eq!(format!("{ours:?}"), format!("{theirs:?}"));
        let mut changed = ours.clone();
        assert_eq!(changed.insert(p("FY2021"), 0.5), None);
        assert_eq!(changed.insert(p("FY2023"), 4.5), Some(4.0));
        assert_eq!(changed.remove(&p("FY2024")), Some(3.0));
        assert_eq!(changed.remove(&p("FY2024")), None);
        let keys: Vec<String> = changed.keys().map(|p| p.to_string()).collect();
        assert_eq!(keys, ["FY2021", "FY2022", "FY2023", "FY2024Q2"]);
        assert_eq!(
            changed.values().copied().collect::<Vec<_>>(),
            [0.5, 2.0, 4.5, 5.0]
        );
        assert_ne!(changed, ours);
        assert_eq!(TargetMap::from([(p("FY2022"), 2.0)]).len(), 1);
        assert!(TargetMap::new().is_empty());
    }
}
