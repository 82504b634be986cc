//! Property tests of the framework reader and writer: any framework that loads, dumped and
//! read again, is the same framework; no input makes the reader panic.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::dump::to_toml;
use super::model::Strategy as StrategyMeta;
use super::model::{
    Aggregation, Alignment, Baseline, Cdcs, Direction, Framework, Frequency, Iati, IatiSector,
    Indicator, Node, NodeKind, ParticipatingOrg, Pirs, Ratio, ResultType, Settings,
};
use super::parse::{parse_bytes, parse_str};
use crate::period::FiscalPeriod;

/// Text with quotes, backslashes, right-to-left marks, emoji and SQL.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9 ,.’“”()-]{1,40}",
        Just("'; DROP TABLE node; --".to_string()),
        Just("\u{200F}مرحبا \"quoted\" \\ 🙂".to_string()),
        "\\PC{1,30}",
    ]
    .prop_filter("titles are not blank", |s| !s.trim().is_empty())
}

fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        (-1000i64..1000).prop_map(|v| v as f64),
        -1.0e6f64..1.0e6,
        0.0f64..100.0
    ]
}

fn indicator(code: String) -> impl Strategy<Value = Indicator> {
    (
        text(),
        prop_oneof![
            Just("percent".to_string()),
            Just("USD million".to_string()),
            text()
        ],
        any::<bool>(),
        any::<bool>(),
        proptest::option::of((2000i32..2030, 0.0f64..100.0)),
        proptest::collection::btree_map((2000i32..2030, 0u8..=4), 0.0f64..100.0, 0..6),
        proptest::option::of(text()),
        any::<bool>(),
        any::<bool>(),
        proptest::option::of((text(), text())),
        pirs(),
    )
        .prop_map(
            move |(
                title,
                unit,
                decrease,
                quarterly,
                baseline,
                targets,
                definition,
                illustrative,
                cumulative,
                ratio,
                pirs,
            )| {
                let frequency = if quarterly {
                    Frequency::Quarterly
                } else {
                    Frequency::Annual
                };
                let targets: crate::framework::TargetMap = targets
                    .into_iter()
                    .map(|((y, q), v)| {
                        (
                            FiscalPeriod {
                                year: y,
                                quarter: (quarterly && q > 0).then_some(q),
                            },
                            v,
                        )
                    })
                    .collect();
                Indicator {
                    code: code.clone(),
                    title,
                    unit,
                    direction: if decrease {
                        Direction::Decrease
                    } else {
                        Direction::Increase
                    },
                    baseline: baseline.map(|(y, v)| Baseline {
                        period: FiscalPeriod::year(y),
                        value: v,
                    }),
                    targets,
                    frequency,
                    // A cumulative indicator adds its values up.
                    aggregation: if cumulative {
                        Aggregation::Sum
                    } else {
                        Aggregation::Mean
                    },
                    disaggregations: BTreeMap::from([(
                        "sex".to_string(),
                        vec!["female".into(), "male".into()],
                    )]),
                    standard_code: Some("EG.3.2-24".into()),
                    source: None,
                    definition,
                    illustrative,
                    cumulative,
                    ratio: ratio.map(|(numerator, denominator)| Ratio {
                        numerator,
                        denominator,
                    }),
                    pirs: pirs.into(),
                }
            },
        )
}

/// Any of the PIRS fields, texts of every kind and real dates.
fn pirs() -> impl Strategy<Value = Pirs> {
    let t = || proptest::option::of(text());
    (
        (t(), t(), t(), t()),
        (t(), t(), t()),
        proptest::option::of((1990i32..2040, 1u32..=12, 1u32..=28)),
    )
        .prop_map(
            |(
                (rationale, collection_method, responsible, reporting_frequency),
                (data_quality_limitations, baseline_rationale, target_rationale),
                dqa,
            )| Pirs {
                rationale,
                collection_method,
                responsible,
                reporting_frequency,
                data_quality_limitations,
                dqa_date: dqa.map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
                baseline_rationale,
                target_rationale,
            },
        )
}

/// An `[iati]` table with any of its fields, in the normalised form the reader keeps.
fn iati() -> impl Strategy<Value = Iati> {
    let code = |c: &'static [&'static str]| proptest::option::of(proptest::sample::select(c));
    (
        proptest::option::of(text().prop_map(|s| s.trim().to_string())),
        proptest::option::of(text().prop_map(|s| s.trim().to_string())),
        code(&["10", "15", "21", "80"]),
        code(&["1", "2", "3", "4", "5", "6"]),
        code(&["USD", "EUR"]),
        code(&["en", "es"]),
        code(&["PE", "CO"]),
        proptest::collection::vec(
            (
                proptest::option::of(Just("PE-RUC-20131373237".to_string())),
                proptest::sample::select(&["1", "2", "3", "4"][..]),
                text(),
            ),
            0..3,
        ),
        0usize..3,
    )
        .prop_map(
            |(identifier, name, org_type, status, currency, language, country, orgs, sectors)| {
                Iati {
                    identifier: identifier.filter(|s| !s.is_empty()),
                    reporting_org_ref: Some("US-GOV-11".into()),
                    reporting_org_type: org_type.map(str::to_string),
                    reporting_org_name: name.filter(|s| !s.is_empty()),
                    activity_status: status.map(str::to_string),
                    default_currency: currency.map(str::to_string),
                    language: language.map(str::to_string),
                    recipient_country: country.map(str::to_string),
                    participating_org: orgs
                        .into_iter()
                        .map(|(org_ref, role, name)| ParticipatingOrg {
                            org_ref,
                            org_type: Some("10".into()),
                            role: role.to_string(),
                            name,
                        })
                        .collect(),
                    sectors: [
                        vec![],
                        vec![IatiSector {
                            vocabulary: "1".into(),
                            code: "15130".into(),
                            percentage: None,
                            name: None,
                        }],
                        vec![
                            IatiSector {
                                vocabulary: "1".into(),
                                code: "15130".into(),
                                percentage: Some(33.3),
                                name: None,
                            },
                            IatiSector {
                                vocabulary: "1".into(),
                                code: "15210".into(),
                                percentage: Some(66.7),
                                name: None,
                            },
                            IatiSector {
                                vocabulary: "99".into(),
                                code: "own code".into(),
                                percentage: Some(100.0),
                                name: Some("Own sector".into()),
                            },
                        ],
                    ][sectors]
                        .clone(),
                }
            },
        )
}

/// The structure keys of issue 15: node prose, alignments, a DO's hypothesis and `[cdcs]`.
#[derive(Debug, Clone)]
struct Structure {
    linkages: Option<String>,
    risks: Option<String>,
    hypothesis: Option<String>,
    aligns_with: Vec<Alignment>,
    cdcs: Option<Cdcs>,
    /// An Intermediate Result under the DO supporting the first objective.
    result_supports: bool,
}

fn structure() -> impl Strategy<Value = Structure> {
    let t = || proptest::option::of(text());
    let when = prop_oneof![
        Just("FY2021".to_string()),
        Just("2020-12-15".to_string()),
        Just("FY2026".to_string()),
        Just("2025-12-31".to_string()),
    ];
    (
        (t(), t(), t()),
        proptest::collection::vec((text(), text(), t()), 0..3),
        proptest::option::of((
            t(),
            t(),
            proptest::option::of(when.clone()),
            proptest::option::of(when),
            any::<bool>(),
        )),
        any::<bool>(),
    )
        .prop_map(
            |((linkages, risks, hypothesis), aligns, cdcs, result_supports)| Structure {
                linkages,
                risks,
                hypothesis,
                aligns_with: aligns
                    .into_iter()
                    .enumerate()
                    .map(|(i, (strategy, code, title))| Alignment {
                        strategy,
                        code: format!("{i} {code}"),
                        title,
                    })
                    .collect(),
                cdcs: cdcs.map(|(title, goal, start, end, approved)| {
                    // Keep the period in order: the reader refuses an end before the start.
                    let (start, end) = match (start, end) {
                        (Some(a), Some(b)) if a.contains("2025") || a.contains("2026") => {
                            (Some(b), Some(a))
                        }
                        other => other,
                    };
                    Cdcs {
                        title,
                        goal,
                        start,
                        end,
                        approved: approved.then(|| "2020-12-15".to_string()),
                    }
                }),
                result_supports,
            },
        )
}

fn framework() -> impl Strategy<Value = Framework> {
    (framework_base(), structure()).prop_map(|(mut fw, st)| {
        for n in &mut fw.nodes {
            n.linkages = st.linkages.clone();
            n.risks = st.risks.clone();
            n.aligns_with = st.aligns_with.clone();
            if n.kind == NodeKind::DevelopmentObjective {
                n.hypothesis = st.hypothesis.clone();
            }
        }
        fw.strategy.cdcs = st.cdcs;
        let first = fw
            .nodes
            .iter()
            .find(|n| n.kind == NodeKind::Objective)
            .map(|n| n.code.clone());
        if let (true, Some(first)) = (st.result_supports, first) {
            let mut ir = Node::new(NodeKind::Result, "IR1.1", "A result", Some("DO1"));
            ir.supports = vec![first];
            // Children come after their parent and before the next top-level node.
            let at = fw
                .nodes
                .iter()
                .position(|n| n.code == "DO1")
                .map_or(fw.nodes.len(), |i| i + 1);
            fw.nodes.insert(at, ir);
        }
        fw
    })
}

fn framework_base() -> impl Strategy<Value = Framework> {
    (
        text(),
        text(),
        proptest::collection::vec((text(), proptest::collection::vec(text(), 0..3)), 1..4),
        proptest::collection::vec(indicator(String::new()), 0..4),
        number(),
        (
            proptest::option::of(iati()),
            proptest::collection::btree_map(
                proptest::sample::select(&super::rule_names::LINT_RULE_NAMES[..])
                    .prop_map(str::to_string),
                any::<bool>(),
                0..4,
            ),
            proptest::option::of(proptest::sample::select(&ResultType::ALL[..])),
        ),
    )
        .prop_map(|(title, version, goals, indicators, threshold, extra)| {
            let (iati, lint, result_type) = extra;
            let mut nodes = Vec::new();
            let mut objectives = Vec::new();
            for (g, (goal_title, objective_titles)) in goals.into_iter().enumerate() {
                let gcode = format!("G{g}");
                nodes.push(Node::new(NodeKind::Goal, &gcode, &goal_title, None));
                for (o, ot) in objective_titles.into_iter().enumerate() {
                    let ocode = format!("{gcode}.{o} ‘x’");
                    let mut node = Node::new(NodeKind::Objective, &ocode, &ot, Some(&gcode));
                    node.justification = Some(ot.clone());
                    objectives.push(ocode);
                    nodes.push(node);
                }
            }
            let mut dob = Node::new(NodeKind::DevelopmentObjective, "DO1", "A DO", None);
            dob.supports = objectives.clone();
            dob.result_type = result_type;
            for (i, mut ind) in indicators.into_iter().enumerate() {
                ind.code = format!("I-{i} \"q\"");
                dob.indicators.push(ind);
            }
            nodes.push(dob);
            let mut theme = Node::new(NodeKind::Theme, "T1", "Theme", None);
            theme.applies_to = vec!["G0".into()];
            nodes.push(theme);
            Framework {
                strategy: StrategyMeta {
                    code: "s".into(),
                    title,
                    version,
                    country: Some("Peru".into()),
                    description: None,
                    approved: Some("2018-08-08".into()),
                    updated: None,
                    start: Some(FiscalPeriod::year(2019)),
                    end: Some(FiscalPeriod::year(2023)),
                    iati,
                    cdcs: None,
                },
                settings: Settings {
                    deviation_threshold: threshold.abs().min(1000.0),
                    lint,
                    // Both settings of the reporting cycle, on in some cases.
                    review: threshold.abs() > 50.0,
                    lock_after_days: (threshold.abs() < 10.0).then_some(45),
                },
                nodes,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn dumped_frameworks_read_back_identical(fw in framework()) {
        let text = to_toml(&fw);
        let again = parse_str(&text, "dumped.toml");
        prop_assert!(again.is_ok(), "{:?}\n{}", again.err(), text);
        let again = again.unwrap();
        prop_assert_eq!(&fw, &again);
        prop_assert_eq!(fw.content_hash(), again.content_hash());
        prop_assert!(crate::diff::compare(&fw, &again).is_empty(), "diff of a framework with its own dump");
    }

    #[test]
    fn the_reader_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_bytes(&bytes, "fuzz.toml");
    }

    #[test]
    fn the_reader_never_panics_on_near_frameworks(fw in framework(), cut in 0usize..4000, junk in "\\PC{0,12}") {
        let mut text = to_toml(&fw);
        let mut at = cut.min(text.len());
        while !text.is_char_boundary(at) { at -= 1; }
        text.insert_str(at, &junk);
        let _ = parse_str(&text, "fuzz.toml");
    }
}
