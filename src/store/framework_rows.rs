//! Reading a stored version back, the part every backend shares: each backend runs its own SQL
//! and hands the rows over as the plain row types here ([`NodeRow`], [`DefRow`], [`RuleRow`],
//! links and targets); [`VersionBuilder`] turns them into a [`Framework`], and
//! [`rule`] into the indicator rules. The checks of damaged rows (an unknown kind or word,
//! unreadable JSON, a period outside the calendar, a parent in another version, a parent
//! cycle, an indicator on a node outside the version, a half-stored ratio) live here, so both
//! backends refuse the same damage with the same sentence. Also here: which targets a read
//! wants ([`Targets`]) as a range of stored keys, and the messages of finding a version.
//!
//! Rows borrow the words they are parsed from (`&str` of a direction, frequency, aggregation
//! and disaggregation list): a backend that can lend them from its row buffer (SQLite) copies
//! nothing for the 20,000 indicators of a big strategy.

use std::collections::{BTreeMap, HashMap};

use super::period_key::PeriodKey;
use super::{capacity_hint, damaged, stored_period, VersionInfo};
use crate::error::Error;
use crate::framework::*;
use crate::period::{FiscalPeriod, PeriodRange};

/// Which targets to read with a framework.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Targets {
    All,
    None,
    /// Targets of these periods.
    Between(PeriodRange),
}

impl Targets {
    /// The stored period keys wanted, as an inclusive range (empty, `from > through`, for
    /// [`Targets::None`]).
    pub(crate) fn keys(self) -> (i64, i64) {
        match self {
            Targets::All => (i64::MIN, i64::MAX),
            Targets::None => (1, 0),
            Targets::Between(r) => (r.from.key(), r.through.key()),
        }
    }
}

/// How much of a version to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Detail {
    /// Everything.
    Full,
    /// No prose, no alignments: what `progress` reads.
    Lean,
    /// [`Detail::Lean`] with each node's alignments: what the text tree reads.
    Outline,
}

/// One node of a version, as stored, with its parent's code and version (to check).
pub(crate) struct NodeRow {
    pub id: i64,
    pub kind: String,
    pub code: Option<String>,
    pub parent: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub justification: Option<String>,
    pub result_type: Option<String>,
    pub parent_id: Option<i64>,
    pub parent_version: Option<i64>,
    pub linkages: Option<String>,
    pub risks: Option<String>,
    pub hypothesis: Option<String>,
    pub aligns_with: Option<String>,
    /// How many indicators the node holds, when the reader knows (a stored outline does):
    /// each then goes straight into its node's list, sized once.
    pub indicators: Option<usize>,
}

/// One indicator definition of a version, as stored. The prose a lean read leaves out comes
/// as `None`/`false`, and `pirs` as `None`.
pub(crate) struct DefRow<'r> {
    pub def_id: i64,
    pub node_id: i64,
    pub baseline_period: Option<i64>,
    pub baseline_value: Option<f64>,
    pub code: String,
    pub title: String,
    pub unit: String,
    pub direction: &'r str,
    pub frequency: &'r str,
    pub aggregation: &'r str,
    pub disaggregations: &'r str,
    pub standard_code: Option<String>,
    pub source: Option<String>,
    pub definition: Option<String>,
    pub illustrative: bool,
    pub position: i64,
    pub cumulative: bool,
    pub ratio_numerator: Option<String>,
    pub ratio_denominator: Option<String>,
    pub pirs: Option<Pirs>,
}

/// One indicator's rules (what checking a recorded value needs), as stored.
pub(crate) struct RuleRow<'r> {
    pub code: String,
    pub title: String,
    pub unit: String,
    pub direction: &'r str,
    pub frequency: &'r str,
    pub aggregation: &'r str,
    pub disaggregations: &'r str,
    pub cumulative: bool,
    pub ratio_numerator: Option<String>,
    pub ratio_denominator: Option<String>,
}

/// A stored disaggregation list (`{}` without parsing JSON).
fn disaggregations(s: &str) -> Option<BTreeMap<String, Vec<String>>> {
    match s {
        "{}" => Some(BTreeMap::new()),
        _ => serde_json::from_str(s).ok(),
    }
}

/// An indicator's rules from its row (`ctx`: what we were doing, for the error).
pub(crate) fn rule(row: RuleRow<'_>, ctx: &str) -> Result<Indicator, Error> {
    let corrupt = || {
        damaged(ctx, "a stored indicator has an unknown direction, frequency, aggregation or disaggregation list")
    };
    Ok(Indicator {
        code: row.code,
        title: row.title,
        unit: row.unit,
        direction: Direction::parse(row.direction).ok_or_else(corrupt)?,
        baseline: None,
        targets: TargetMap::new(),
        frequency: Frequency::parse(row.frequency).ok_or_else(corrupt)?,
        aggregation: Aggregation::parse(row.aggregation).ok_or_else(corrupt)?,
        disaggregations: disaggregations(row.disaggregations).ok_or_else(corrupt)?,
        standard_code: None,
        source: None,
        definition: None,
        illustrative: false,
        cumulative: row.cumulative,
        ratio: ratio(row.ratio_numerator, row.ratio_denominator).map_err(|m| damaged(ctx, &m))?,
        pirs: Default::default(),
    })
}

/// Where a version's rows go as they are read: into a [`VersionBuilder`], or into the
/// version's stored outline (`outline.rs`), which is written from the same rows so that
/// reading it gives what reading them gives.
pub(crate) trait RowSink {
    /// The next node, in position order.
    fn node(&mut self, row: NodeRow) -> Result<(), Error>;
    /// Every node has come.
    fn end_nodes(&mut self) -> Result<(), Error>;
    /// A link of the node `from` to the node coded `to`.
    fn link(&mut self, from: i64, relation: &str, to: String) -> Result<(), Error>;
    /// An indicator definition.
    fn indicator(&mut self, row: DefRow<'_>) -> Result<(), Error>;
}

impl RowSink for VersionBuilder<'_> {
    fn node(&mut self, row: NodeRow) -> Result<(), Error> {
        VersionBuilder::node(self, row)
    }
    fn end_nodes(&mut self) -> Result<(), Error> {
        VersionBuilder::end_nodes(self)
    }
    fn link(&mut self, from: i64, relation: &str, to: String) -> Result<(), Error> {
        VersionBuilder::link(self, from, relation, to)
    }
    fn indicator(&mut self, row: DefRow<'_>) -> Result<(), Error> {
        VersionBuilder::indicator(self, row)
    }
}

/// Builds a [`Framework`] from a version's rows: [`VersionBuilder::node`] for each node in
/// position order, then [`VersionBuilder::end_nodes`], then links; targets and indicator
/// definitions in any order (each indicator is put under its node at the end); and
/// [`VersionBuilder::finish`]. Both backends read nodes, links, definitions, then targets, so
/// they refuse the same damage first.
pub(crate) struct VersionBuilder<'c> {
    ctx: &'c str,
    version_id: i64,
    detail: Detail,
    strategy: Strategy,
    settings: Settings,
    nodes: Vec<Node>,
    /// Node id to its place in `nodes`.
    index: HashMap<i64, usize>,
    /// The targets by indicator definition, sorted by `(def_id, period)` at the end: each
    /// indicator's are one run, found by binary search.
    targets: Vec<(i64, FiscalPeriod, f64)>,
    /// The indicators as they come, with their definition's id, node id and stored
    /// position; put under their nodes at the end. One list sized once: pushed
    /// straight under their nodes, the node lists grew by copying (a sixth of reading 20,000
    /// indicators went to those copies and the fresh pages they touched).
    indicators: Vec<Placed>,
    /// While every indicator so far went straight under its node (its node's list was sized
    /// by the count the reader gave, and they came in position order): each one's definition
    /// id, node and place in the node's list. Moving 20,000 indicators from `indicators` to
    /// their nodes copied 5 MB into fresh pages. The first that cannot go straight puts every
    /// one back into `indicators` ([`VersionBuilder::spill`]).
    direct: Option<Vec<Direct>>,
    /// The position of the last indicator put straight under each node.
    last_position: Vec<i64>,
    /// How many indicators to make room for in one list ([`capacity_hint`] of the version's
    /// count), and how many the node lists may still reserve between them (a damaged count
    /// must not reserve more than the version holds).
    hint: usize,
    room: usize,
}

/// An indicator put straight under its node.
struct Direct {
    def_id: i64,
    node_id: i64,
    node: usize,
    position: i64,
}

/// An indicator read, before it is put under its node.
struct Placed {
    node_id: i64,
    /// The node's place in `nodes`, found at the end.
    node: usize,
    position: i64,
    def_id: i64,
    indicator: Indicator,
}

impl<'c> VersionBuilder<'c> {
    /// Start reading `version` from its stored strategy and settings (JSON).
    pub fn new(
        version: &VersionInfo,
        detail: Detail,
        ctx: &'c str,
        strategy_json: &str,
        settings_json: &str,
    ) -> Result<Self, Error> {
        let strategy: Strategy = serde_json::from_str(strategy_json).map_err(|e| {
            damaged(
                ctx,
                &format!("its stored strategy description is unreadable ({e})"),
            )
        })?;
        let settings: Settings = serde_json::from_str(settings_json)
            .map_err(|e| damaged(ctx, &format!("its stored settings are unreadable ({e})")))?;
        Ok(VersionBuilder {
            ctx,
            version_id: version.id,
            detail,
            strategy,
            settings,
            nodes: Vec::with_capacity(capacity_hint(version.nodes)),
            index: HashMap::with_capacity(capacity_hint(version.nodes)),
            targets: Vec::with_capacity(capacity_hint(version.indicators)),
            indicators: Vec::new(),
            direct: Some(Vec::new()),
            last_position: Vec::with_capacity(capacity_hint(version.nodes)),
            hint: capacity_hint(version.indicators),
            room: capacity_hint(version.indicators),
        })
    }

    fn corrupt(&self) -> Error {
        damaged(self.ctx, "a stored node or indicator has an unknown kind, type, direction, frequency, aggregation or disaggregation list")
    }

    /// The next node, in position order.
    pub fn node(&mut self, row: NodeRow) -> Result<(), Error> {
        let ctx = self.ctx;
        let kind = NodeKind::parse(&row.kind).ok_or_else(|| self.corrupt())?;
        if row.parent_id.is_some() && row.parent_version != Some(self.version_id) {
            return Err(damaged(
                ctx,
                &format!(
                    "the node `{}` has a parent outside this version",
                    row.code.unwrap_or_default()
                ),
            ));
        }
        let mut node = Node::new(
            kind,
            &row.code.unwrap_or_default(),
            &row.title.unwrap_or_default(),
            row.parent.as_deref(),
        );
        node.description = row.description;
        node.justification = row.justification;
        if self.detail == Detail::Full {
            node.linkages = row.linkages;
            node.risks = row.risks;
            node.hypothesis = row.hypothesis;
        }
        if self.detail == Detail::Lean {
            // No alignments to read.
        } else if let Some(json) = row.aligns_with {
            node.aligns_with = serde_json::from_str(&json).map_err(|_| {
                damaged(
                    ctx,
                    &format!(
                        "the node `{}` has an unreadable `aligns_with` list",
                        node.code
                    ),
                )
            })?;
        }
        node.result_type = match row.result_type {
            Some(t) => Some(ResultType::parse(&t).ok_or_else(|| self.corrupt())?),
            None => None,
        };
        match row.indicators {
            Some(n) => {
                let n = n.min(self.room);
                self.room -= n;
                node.indicators.reserve_exact(n);
            }
            // No counts (rows): every indicator is placed at the end.
            None => self.direct = None,
        }
        self.index.insert(row.id, self.nodes.len());
        self.nodes.push(node);
        self.last_position.push(i64::MIN);
        Ok(())
    }

    /// Every node is read: refuse a parent cycle.
    pub fn end_nodes(&mut self) -> Result<(), Error> {
        if let Some(cycle) = parent_cycle(&self.nodes) {
            return Err(damaged(
                self.ctx,
                &format!("the nodes {cycle} are each other's parents (a cycle)"),
            ));
        }
        Ok(())
    }

    /// A link of the node `from` to the node coded `to`, in position order per node and
    /// relation.
    pub fn link(&mut self, from: i64, relation: &str, to: String) -> Result<(), Error> {
        let at = *self.index.get(&from).ok_or_else(|| self.corrupt())?;
        let node = &mut self.nodes[at];
        match relation {
            "supports" => node.supports.push(to),
            _ => node.applies_to.push(to),
        }
        Ok(())
    }

    /// A target of the indicator definition `def`.
    pub fn target(&mut self, def: i64, period: i64, value: f64) -> Result<(), Error> {
        let period = stored_period(period, self.ctx)?;
        self.targets.push((def, period, value));
        Ok(())
    }

    /// An indicator definition.
    pub fn indicator(&mut self, row: DefRow<'_>) -> Result<(), Error> {
        let ctx = self.ctx;
        let corrupt = || self.corrupt();
        let baseline = match (row.baseline_period, row.baseline_value) {
            (Some(p), Some(value)) => Some(Baseline {
                period: stored_period(p, ctx)?,
                value,
            }),
            _ => None,
        };
        let indicator = Indicator {
            code: row.code,
            title: row.title,
            unit: row.unit,
            direction: Direction::parse(row.direction).ok_or_else(corrupt)?,
            baseline,
            targets: TargetMap::new(),
            frequency: Frequency::parse(row.frequency).ok_or_else(corrupt)?,
            aggregation: Aggregation::parse(row.aggregation).ok_or_else(corrupt)?,
            disaggregations: disaggregations(row.disaggregations).ok_or_else(corrupt)?,
            standard_code: row.standard_code,
            source: row.source,
            definition: row.definition,
            illustrative: row.illustrative,
            cumulative: row.cumulative,
            ratio: ratio(row.ratio_numerator, row.ratio_denominator)
                .map_err(|m| damaged(ctx, &m))?,
            pirs: row.pirs.map(Into::into).unwrap_or_default(),
        };
        // Straight under its node: a node of this version whose list has room, after the
        // node's last indicator.
        if let Some(direct) = &mut self.direct {
            let at = self.index.get(&row.node_id).copied();
            if let Some(at) = at {
                let list = &mut self.nodes[at].indicators;
                if list.len() < list.capacity() && self.last_position[at] < row.position {
                    list.push(indicator);
                    self.last_position[at] = row.position;
                    if direct.capacity() == 0 {
                        direct.reserve(self.hint);
                    }
                    direct.push(Direct {
                        def_id: row.def_id,
                        node_id: row.node_id,
                        node: at,
                        position: row.position,
                    });
                    return Ok(());
                }
            }
            self.spill();
        }
        if self.indicators.capacity() == 0 {
            self.indicators.reserve(self.hint);
        }
        self.indicators.push(Placed {
            node_id: row.node_id,
            node: 0,
            position: row.position,
            def_id: row.def_id,
            indicator,
        });
        Ok(())
    }

    /// Whether every indicator so far went straight under its node.
    #[cfg(test)]
    fn direct(&self) -> bool {
        self.direct.is_some()
    }

    /// Put every indicator placed straight under its node back into `indicators`, to be
    /// placed at the end like the rest.
    fn spill(&mut self) {
        let Some(direct) = self.direct.take() else {
            return;
        };
        let mut lists: Vec<std::vec::IntoIter<Indicator>> = self
            .nodes
            .iter_mut()
            .map(|n| std::mem::take(&mut n.indicators).into_iter())
            .collect();
        self.indicators.reserve(self.hint.max(direct.len()));
        for d in direct {
            if let Some(indicator) = lists[d.node].next() {
                self.indicators.push(Placed {
                    node_id: d.node_id,
                    node: 0,
                    position: d.position,
                    def_id: d.def_id,
                    indicator,
                });
            }
        }
    }

    /// The framework: each indicator with its targets, under its node, in position order
    /// (they mostly come in it, and the targets in `(def_id, period)` order).
    pub fn finish(mut self) -> Result<Framework, Error> {
        let mut targets = std::mem::take(&mut self.targets);
        if !targets.is_sorted_by_key(|&(def, period, _)| (def, period)) {
            targets.sort_by_key(|&(def, period, _)| (def, period));
        }
        let of = |def: i64| -> TargetMap {
            let from = targets.partition_point(|t| t.0 < def);
            let run = &targets[from..];
            let len = run.partition_point(|t| t.0 == def);
            run[..len]
                .iter()
                .map(|&(_, period, v)| (period, v))
                .collect()
        };
        // Every indicator went straight under its node: their targets, and done.
        if let Some(direct) = self.direct.take() {
            let mut nodes = self.nodes;
            let mut slot = vec![0usize; nodes.len()];
            for d in direct {
                let at = slot[d.node];
                slot[d.node] += 1;
                if let Some(ind) = nodes[d.node].indicators.get_mut(at) {
                    ind.targets = of(d.def_id);
                }
            }
            return Ok(Framework {
                strategy: self.strategy,
                settings: self.settings,
                nodes,
            });
        }
        let mut nodes = self.nodes;
        // Each indicator's node, by its place in `nodes`.
        let mut placed = self.indicators;
        for p in &mut placed {
            p.node = *self.index.get(&p.node_id).ok_or_else(|| {
                damaged(
                    self.ctx,
                    &format!(
                        "the indicator `{}` is attached to a node outside this version",
                        p.indicator.code
                    ),
                )
            })?;
        }
        if !placed.is_sorted_by_key(|p| (p.node, p.position)) {
            placed.sort_by_key(|p| (p.node, p.position));
        }
        let mut counts = vec![0usize; nodes.len()];
        for p in &placed {
            counts[p.node] += 1;
        }
        for (node, n) in nodes.iter_mut().zip(counts) {
            node.indicators.reserve_exact(n);
        }
        for mut p in placed {
            p.indicator.targets = of(p.def_id);
            nodes[p.node].indicators.push(p.indicator);
        }
        Ok(Framework {
            strategy: self.strategy,
            settings: self.settings,
            nodes,
        })
    }
}

/// A stored ratio: both labels or neither.
pub(crate) fn ratio(
    numerator: Option<String>,
    denominator: Option<String>,
) -> Result<Option<Ratio>, String> {
    match (numerator, denominator) {
        (Some(numerator), Some(denominator)) => Ok(Some(Ratio {
            numerator,
            denominator,
        })),
        (None, None) => Ok(None),
        _ => Err("a stored ratio indicator has a numerator label without a denominator label, or the reverse".into()),
    }
}

/// A parent cycle among `nodes`, as `` `A` → `B` → `A` ``, or `None`. Parents are codes of the
/// same version (checked as the rows are read). Each walk up stops after `nodes.len()` steps, so
/// a cycle cannot loop, and a walk that gets that far has entered one.
pub(crate) fn parent_cycle(nodes: &[Node]) -> Option<String> {
    let parent: HashMap<&str, &str> = nodes
        .iter()
        .filter_map(|n| Some((n.code.as_str(), n.parent.as_deref()?)))
        .collect();
    let up = |code: &str| parent.get(code).copied();
    for n in nodes {
        let mut cur = n.code.as_str();
        let mut steps = 0;
        while let Some(p) = up(cur) {
            cur = p;
            steps += 1;
            if steps > nodes.len() {
                // `cur` is on the cycle: walk it once to name it.
                let mut names = vec![format!("`{cur}`")];
                let mut at = up(cur)?;
                while at != cur {
                    names.push(format!("`{at}`"));
                    at = up(at)?;
                }
                names.push(format!("`{cur}`"));
                return Some(names.join(" → "));
            }
        }
    }
    None
}

/// Finding a version, in every backend's words.
pub(crate) mod messages {
    use crate::error::Error;

    /// `resolve_version` with nothing stored.
    pub fn none_stored() -> Error {
        Error::input_with_hint(
            "the database holds no strategy yet",
            "load one with `ics load framework.toml`",
        )
    }

    /// `@previous` with one version stored.
    pub fn no_previous() -> Error {
        Error::input_with_hint(
            "there is no previous version: the database holds only one",
            "run `ics versions` to see what is stored",
        )
    }

    /// A label no version has; `labels` are the stored ones.
    pub fn no_such_label(label: &str, labels: &[String]) -> Error {
        if labels.is_empty() {
            return none_stored();
        }
        let listed: Vec<String> = labels.iter().map(|l| format!("`{l}`")).collect();
        Error::input_with_hint(
            format!("no version labelled `{label}`"),
            format!("stored versions: {}", listed.join(", ")),
        )
    }

    /// `save_version` with a label already stored.
    pub fn label_exists(label: &str) -> Error {
        Error::input_with_hint(
            format!("version `{label}` already exists"),
            "change `strategy.version` in the file, or pass --label with a new label",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version() -> VersionInfo {
        VersionInfo {
            id: 1,
            label: "v1".into(),
            strategy: "t".into(),
            title: "T".into(),
            loaded_at: String::new(),
            content_hash: String::new(),
            source_file: None,
            nodes: 2,
            indicators: 4,
        }
    }

    fn node(id: i64, code: &str, indicators: Option<usize>) -> NodeRow {
        NodeRow {
            id,
            kind: "goal".into(),
            code: Some(code.into()),
            parent: None,
            title: Some(code.into()),
            description: None,
            justification: None,
            result_type: None,
            parent_id: None,
            parent_version: None,
            linkages: None,
            risks: None,
            hypothesis: None,
            aligns_with: None,
            indicators,
        }
    }

    fn def(def_id: i64, node_id: i64, position: i64) -> DefRow<'static> {
        DefRow {
            def_id,
            node_id,
            baseline_period: None,
            baseline_value: None,
            code: format!("I{def_id}"),
            title: "T".into(),
            unit: "people".into(),
            direction: "increase",
            frequency: "annual",
            aggregation: "sum",
            disaggregations: "{}",
            standard_code: None,
            source: None,
            definition: None,
            illustrative: false,
            position,
            cumulative: false,
            ratio_numerator: None,
            ratio_denominator: None,
            pirs: None,
        }
    }

    /// Build from nodes with these counts and these definitions (id, node, position), with
    /// a target for each definition.
    fn build(counts: [Option<usize>; 2], defs: &[(i64, i64, i64)]) -> Result<Framework, Error> {
        build_how(counts, defs).map(|(fw, _)| fw)
    }

    /// [`build`], and whether every indicator went straight under its node.
    fn build_how(
        counts: [Option<usize>; 2],
        defs: &[(i64, i64, i64)],
    ) -> Result<(Framework, bool), Error> {
        let v = version();
        let fw = crate::framework::parse_str(
            "[strategy]\ncode = \"t\"\ntitle = \"T\"\nversion = \"v1\"\n",
            "framework.toml",
        )
        .unwrap();
        let strategy = serde_json::to_string(&fw.strategy).unwrap();
        let settings = serde_json::to_string(&fw.settings).unwrap();
        let mut b = VersionBuilder::new(&v, Detail::Lean, "test", &strategy, &settings)?;
        b.node(node(10, "G1", counts[0]))?;
        b.node(node(11, "G2", counts[1]))?;
        b.end_nodes()?;
        for &(id, node_id, position) in defs {
            b.indicator(def(id, node_id, position))?;
        }
        for &(id, ..) in defs {
            b.target(id, 20_240 + (id % 2) * 10, id as f64)?;
        }
        let direct = b.direct();
        Ok((b.finish()?, direct))
    }

    /// Each node's code with its indicators' codes and target values.
    type Shape = Vec<(String, Vec<(String, Vec<f64>)>)>;

    fn shape(fw: &Framework) -> Shape {
        fw.nodes
            .iter()
            .map(|n| {
                (
                    n.code.clone(),
                    n.indicators
                        .iter()
                        .map(|i| (i.code.clone(), i.targets.values().copied().collect()))
                        .collect(),
                )
            })
            .collect()
    }

    /// Indicators go straight under their nodes when the reader gives the counts and they
    /// come in order; when the counts are short, a node's come out of order, or no counts
    /// are given, they are placed at the end: the same framework every time.
    #[test]
    fn indicators_straight_under_their_nodes_or_placed_at_the_end() {
        let ordered = [(1, 10, 0), (2, 10, 1), (3, 11, 2), (4, 11, 3)];
        let want = shape(&build([None, None], &ordered).unwrap());
        assert_eq!(want[0].1.len(), 2);
        assert_eq!(want[1].1[1].0, "I4");
        // Counts given, in order: straight under their nodes.
        let (fw, direct) = build_how([Some(2), Some(2)], &ordered).unwrap();
        assert!(direct);
        assert_eq!(shape(&fw), want);
        // No counts, short counts, out of order: placed at the end.
        for (counts, defs) in [
            ([None, None], ordered),
            ([Some(1), Some(2)], ordered),
            ([Some(0), Some(2)], ordered),
            (
                [Some(2), Some(2)],
                [(2, 10, 1), (1, 10, 0), (3, 11, 2), (4, 11, 3)],
            ),
            (
                [Some(2), Some(2)],
                [(1, 10, 0), (2, 10, 0), (3, 11, 2), (4, 11, 3)],
            ),
        ] {
            let (_, direct) = build_how(counts, &defs).unwrap();
            assert!(!direct, "{counts:?} {defs:?}");
        }
        // A count far beyond the version's indicators reserves no more than it holds.
        let (fw, _) = build_how([Some(usize::MAX), Some(usize::MAX)], &ordered).unwrap();
        assert!(
            fw.nodes
                .iter()
                .map(|n| n.indicators.capacity())
                .sum::<usize>()
                <= 4
        );
        for (counts, defs) in [
            ([Some(2), Some(2)], ordered),
            // Short counts: spilled at the third indicator.
            ([Some(1), Some(2)], ordered),
            ([Some(2), Some(1)], ordered),
            // Out of order within a node, and across nodes.
            (
                [Some(2), Some(2)],
                [(2, 10, 1), (1, 10, 0), (3, 11, 2), (4, 11, 3)],
            ),
            (
                [Some(2), Some(2)],
                [(3, 11, 2), (1, 10, 0), (4, 11, 3), (2, 10, 1)],
            ),
            // Counts too big: room left over, nothing wrong.
            ([Some(9), Some(9)], ordered),
        ] {
            assert_eq!(
                shape(&build(counts, &defs).unwrap()),
                want,
                "{counts:?} {defs:?}"
            );
        }
        // An indicator on a node outside the version is refused, counts or not.
        for counts in [[None, None], [Some(2), Some(2)]] {
            let err = build(counts, &[(1, 10, 0), (2, 99, 1)]).unwrap_err();
            assert!(err.to_string().contains("outside this version"), "{err}");
        }
    }
}
