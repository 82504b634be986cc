//! Tests of reading a stored version back.

use super::*;
use crate::framework::parse_str;
use crate::shipped;
use crate::store::framework_rows::parent_cycle;

fn strategy(version: &str, first: &str, second: &str) -> Framework {
    let ind = |code: &str| {
        format!(
            "  [[goal.indicator]]\n  code = \"{code}\"\n  title = \"Indicator {code}\"\n  \
             unit = \"people\"\n  direction = \"increase\"\n  definition = \"{}\"\n",
            "x".repeat(200)
        )
    };
    let text = format!(
        "[strategy]\ncode = \"t\"\ntitle = \"T\"\nversion = \"{version}\"\n\n\
         [[goal]]\ncode = \"G1\"\ntitle = \"Goal\"\n{}{}",
        ind(first),
        ind(second)
    );
    parse_str(&text, "framework.toml").unwrap()
}

#[test]
fn indicators_come_back_in_document_order() {
    let mut store = Store::open_in_memory().unwrap();
    store
        .save_version(
            &strategy("v1", "I1", "I2"),
            "v1",
            None,
            "2026-01-15T12:00:00.000000Z",
        )
        .unwrap();
    // The second version lists them the other way round: their ids say I1 first.
    store
        .save_version(
            &strategy("v2", "I2", "I1"),
            "v2",
            None,
            "2026-01-15T12:00:00.000000Z",
        )
        .unwrap();
    for (label, want) in [("v1", ["I1", "I2"]), ("v2", ["I2", "I1"])] {
        let v = store.resolve_version(Some(label)).unwrap();
        let fw = store.framework_with(&v, Targets::None).unwrap();
        let got: Vec<&str> = fw.indicators().map(|(_, i)| i.code.as_str()).collect();
        assert_eq!(got, want, "{label}");
    }
}

/// SQLite sorted the wide indicator rows in a temporary file once they passed its cache
/// (20,000 indicators: 800 writes to /var/tmp for one `ics tree`); they are sorted after
/// reading instead.
#[test]
fn reading_indicators_needs_no_sort_in_sqlite() {
    let store = Store::open_in_memory().unwrap();
    let plan: Vec<String> = store
        .conn
        .prepare(&format!("EXPLAIN QUERY PLAN {INDICATOR_DEFS}"))
        .unwrap()
        .query_map([1], |r| r.get::<_, String>(3))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert!(
        !plan.iter().any(|step| step.contains("TEMP B-TREE")),
        "{plan:?}"
    );
}

fn node(code: &str, parent: Option<&str>) -> Node {
    Node::new(NodeKind::Goal, code, code, parent)
}

#[test]
fn a_parent_cycle_is_named() {
    let nodes = [
        node("G1", None),
        node("A", Some("C")),
        node("B", Some("A")),
        node("C", Some("B")),
        node("D", Some("A")),
    ];
    let cycle = parent_cycle(&nodes).expect("a cycle");
    assert_eq!(cycle.matches('→').count(), 3, "{cycle}");
    for code in ["`A`", "`B`", "`C`"] {
        assert!(cycle.contains(code), "{cycle}");
    }
    assert!(!cycle.contains("`D`"), "{cycle}");
}

#[test]
fn a_tree_has_no_cycle() {
    let nodes = [
        node("G1", None),
        node("O1", Some("G1")),
        node("O2", Some("O1")),
    ];
    assert_eq!(parent_cycle(&nodes), None);
    assert_eq!(
        parent_cycle(&[node("G", Some("G"))]).as_deref(),
        Some("`G` → `G`")
    );
}

/// The lean read is the full read with the prose no report shows left empty: same nodes,
/// links, indicators, disaggregations, baselines and targets, in the same order.
#[test]
fn the_lean_read_is_the_full_read_without_prose() {
    let mut store = Store::open_in_memory().unwrap();
    let mut fw = parse_str(shipped::FRAMEWORK, "framework.toml").unwrap();
    let (first, _) = fw.indicators().next().unwrap();
    let first = fw.nodes.iter().position(|n| n.code == first.code).unwrap();
    fw.nodes[first].indicators[0]
        .disaggregations
        .insert("sex".into(), vec!["female".into(), "male".into()]);
    fw.nodes[first].indicators[0].pirs.rationale = Some("Why".into());
    fw.nodes[first].indicators[0].pirs.dqa_date = Some("2024-03-15".into());
    let dob = fw
        .nodes
        .iter()
        .position(|n| n.kind == NodeKind::DevelopmentObjective)
        .unwrap();
    fw.nodes[dob].linkages = Some("L".into());
    fw.nodes[dob].risks = Some("R".into());
    fw.nodes[dob].hypothesis = Some("If, then".into());
    fw.nodes[dob].aligns_with = vec![Alignment {
        strategy: "JRS WHA".into(),
        code: "1.2".into(),
        title: None,
    }];
    fw.strategy.cdcs = Some(Cdcs {
        title: Some("CDCS".into()),
        goal: Some("Goal".into()),
        start: Some("2020-12-15".into()),
        end: Some("FY2025".into()),
        approved: Some("2020-12-10".into()),
    });
    store
        .save_version(&fw, "v1", None, "2026-01-15T12:00:00.000000Z")
        .unwrap();
    let v = store.resolve_version(None).unwrap();
    assert_eq!(store.framework(&v).unwrap(), fw);
    for wanted in [Targets::All, Targets::None] {
        let mut full = store.framework_with(&v, wanted).unwrap();
        let lean = store.framework_lean(&v, wanted).unwrap();
        let outline = store.framework_outline(&v, wanted).unwrap();
        assert_eq!(outline.nodes[dob].aligns_with, fw.nodes[dob].aligns_with);
        assert!(lean.nodes.iter().all(|n| n.aligns_with.is_empty()));
        assert!(lean
            .nodes
            .iter()
            .all(|n| n.linkages.is_none() && n.risks.is_none() && n.hypothesis.is_none()));
        assert!(full.nodes.iter().any(|n| n.description.is_some()));
        // The shipped strategy has each kind of prose to leave out.
        assert!(full.indicators().any(|(_, i)| i.definition.is_some()));
        assert!(full
            .indicators()
            .any(|(_, i)| !i.disaggregations.is_empty()));
        assert!(full.indicators().any(|(_, i)| i.illustrative));
        assert!(full.indicators().any(|(_, i)| *i.pirs != Pirs::default()));
        let mut outline_less = outline.clone();
        for n in &mut outline_less.nodes {
            n.aligns_with.clear();
        }
        assert_eq!(outline_less, lean);
        for n in &mut full.nodes {
            n.description = None;
            n.justification = None;
            n.linkages = None;
            n.risks = None;
            n.hypothesis = None;
            n.aligns_with.clear();
            for i in &mut n.indicators {
                i.standard_code = None;
                i.source = None;
                i.definition = None;
                i.illustrative = false;
                i.pirs = Default::default();
            }
        }
        assert_eq!(lean, full);
    }
}

/// Every PIRS field is stored and read back by the full read, and the version keeps the
/// content hash of its file.
#[test]
fn pirs_fields_round_trip_through_the_store() {
    let mut store = Store::open_in_memory().unwrap();
    let text = shipped::FRAMEWORK.replace(
        "code = \"IND-TRADE-GOODS\"",
        "code = \"IND-TRADE-GOODS\"\nrationale = \"R ‘quoted’\"\ncollection_method = \"C\"\n\
         responsible = \"Econ\"\nreporting_frequency = \"Annual, March\"\n\
         data_quality_limitations = \"Lag\"\ndqa_date = 2024-03-15\n\
         baseline_rationale = \"B\"\ntarget_rationale = \"T\"",
    );
    let fw = parse_str(&text, "framework.toml").unwrap();
    let want = &fw.indicator("IND-TRADE-GOODS").unwrap().1.pirs;
    assert!(want.fields().iter().all(|(_, v)| v.is_some()), "{want:?}");
    store
        .save_version(&fw, "v1", None, "2026-01-15T12:00:00.000000Z")
        .unwrap();
    let v = store.resolve_version(None).unwrap();
    let back = store.framework(&v).unwrap();
    assert_eq!(back, fw);
    assert_eq!(back.content_hash(), fw.content_hash());
    assert_eq!(v.content_hash, fw.content_hash());
    // A framework without them hashes as it did before they existed.
    let plain = parse_str(shipped::FRAMEWORK, "framework.toml").unwrap();
    let json = serde_json::to_string(&plain).unwrap();
    assert!(!json.contains("rationale") && !json.contains("dqa_date"));
}

/// Targets are matched to their indicators by definition, whatever order they come in.
#[test]
fn targets_of_a_period_go_to_their_indicators() {
    let mut store = Store::open_in_memory().unwrap();
    let fw = parse_str(shipped::FRAMEWORK, "framework.toml").unwrap();
    store
        .save_version(&fw, "v1", None, "2026-01-15T12:00:00.000000Z")
        .unwrap();
    let v = store.resolve_version(None).unwrap();
    let year: crate::period::FiscalPeriod = "FY2022".parse().unwrap();
    let got = store
        .framework_lean(
            &v,
            Targets::Between(crate::period::PeriodRange::new(
                year,
                crate::period::FiscalPeriod::quarter(2022, 4),
            )),
        )
        .unwrap();
    let mut n = 0;
    for ((_, want), (_, have)) in fw.indicators().zip(got.indicators()) {
        assert_eq!(have.code, want.code);
        let wanted: TargetMap = want
            .targets
            .iter()
            .filter(|(p, _)| p.year == 2022)
            .map(|(p, v)| (*p, *v))
            .collect();
        n += wanted.len();
        assert_eq!(have.targets, wanted, "{}", have.code);
    }
    assert!(n > 0);
}

/// Two versions of one strategy with different targets: each read, of one period or of all,
/// takes its own version's targets and no other's.
#[test]
fn each_version_reads_its_own_targets() {
    let mut store = Store::open_in_memory().unwrap();
    let text = |version: &str, target: f64| {
        format!(
            "[strategy]\ncode = \"t\"\ntitle = \"T\"\nversion = \"{version}\"\n\n\
             [[goal]]\ncode = \"G1\"\ntitle = \"Goal\"\n\
             [[goal.indicator]]\ncode = \"I1\"\ntitle = \"One\"\nunit = \"people\"\n\
             direction = \"increase\"\ntargets = {{ FY2022 = {target}, FY2023 = {} }}\n",
            target + 1.0
        )
    };
    for (label, target) in [("v1", 10.0), ("v2", 20.0)] {
        let fw = parse_str(&text(label, target), "framework.toml").unwrap();
        store
            .save_version(&fw, label, None, "2026-01-15T12:00:00.000000Z")
            .unwrap();
    }
    let year: crate::period::FiscalPeriod = "FY2022".parse().unwrap();
    let fy2022 = Targets::Between(year.span());
    for (label, target) in [("v1", 10.0), ("v2", 20.0)] {
        let v = store.resolve_version(Some(label)).unwrap();
        let one = store.framework_lean(&v, fy2022).unwrap();
        let (_, ind) = one.indicators().next().unwrap();
        assert_eq!(ind.targets, TargetMap::from([(year, target)]), "{label}");
        let all = store.framework(&v).unwrap();
        let (_, ind) = all.indicators().next().unwrap();
        assert_eq!(
            ind.targets.values().copied().collect::<Vec<_>>(),
            vec![target, target + 1.0],
            "{label}"
        );
    }
}

/// A report on one period reads its targets as one range of the period index by period and
/// definition, not one search per indicator (15 ms for 20,000 indicators) nor every
/// version's targets of the period; a read of every target, as one range of the primary key.
#[test]
fn targets_are_read_as_one_range() {
    let store = Store::open_in_memory().unwrap();
    let plan = |sql: &str| -> String {
        store
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap()
            .query_map([1, 2, 3, 4], |r| r.get::<_, String>(3))
            .unwrap()
            .map(|r| r.unwrap())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let periods = plan(TARGETS_OF_PERIOD);
    assert!(
        periods.contains("COVERING INDEX target_period (period=? AND def_id>? AND def_id<?)"),
        "{periods}"
    );
    let all = plan(TARGETS_OF_DEFINITIONS);
    assert!(all.contains("PRIMARY KEY (def_id>? AND def_id<?)"), "{all}");
}

/// A big strategy in a file reads back as the framework that was saved, whole or with one
/// year's targets (read as one range of the period index), and the same as in memory.
#[test]
fn a_big_strategy_in_a_file_reads_back_as_saved() {
    let mut text = String::from(
        "[strategy]\ncode = \"t\"\ntitle = \"T\"\nversion = \"v1\"\n\n\
         [[goal]]\ncode = \"G1\"\ntitle = \"Goal\"\n",
    );
    for o in 0..40 {
        text.push_str(&format!(
            "\n[[goal.objective]]\ncode = \"O{o}\"\ntitle = \"Objective {o}\"\n"
        ));
        for i in 0..50 {
            text.push_str(&format!(
                "[[goal.objective.indicator]]\ncode = \"O{o}.I{i}\"\ntitle = \"Indicator {i}\"\n\
                 unit = \"people\"\ndirection = \"increase\"\n\
                 targets = {{ FY2021 = {i}, FY2022 = {} }}\n",
                i + o
            ));
        }
    }
    let fw = parse_str(&text, "framework.toml").unwrap();
    assert_eq!(fw.indicator_count(), 2_000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.db");
    let mut store = Store::open(&path, crate::store::OpenMode::Create).unwrap();
    store
        .save_version(&fw, "v1", None, "2026-01-15T12:00:00.000000Z")
        .unwrap();
    let v = store.resolve_version(None).unwrap();
    let whole = store.framework(&v).unwrap();
    assert_eq!(whole.nodes, fw.nodes);
    let year: crate::period::FiscalPeriod = "FY2022".parse().unwrap();
    let lean = store
        .framework_lean(&v, Targets::Between(year.span()))
        .unwrap();
    let mut n = 0;
    for ((_, want), (_, have)) in fw.indicators().zip(lean.indicators()) {
        assert_eq!(have.code, want.code);
        assert_eq!(have.targets, TargetMap::from([(year, want.targets[&year])]));
        n += 1;
    }
    assert_eq!(n, fw.indicator_count());
    // The same read in memory.
    let mut memory = Store::open_in_memory().unwrap();
    memory
        .save_version(&fw, "v1", None, "2026-01-15T12:00:00.000000Z")
        .unwrap();
    let mv = memory.resolve_version(None).unwrap();
    assert_eq!(
        memory
            .framework_lean(&mv, Targets::Between(year.span()))
            .unwrap()
            .nodes,
        lean.nodes
    );
}

/// `cumulative` and `ratio` come back from the full read, the lean read and the rules a
/// recorded value is checked against.
#[test]
fn cumulative_and_ratio_fields_are_stored() {
    let mut store = Store::open_in_memory().unwrap();
    let text = "[strategy]\ncode = \"t\"\ntitle = \"T\"\nversion = \"v1\"\n\n\
         [[goal]]\ncode = \"G1\"\ntitle = \"Goal\"\n\
         [[goal.indicator]]\ncode = \"RATE\"\ntitle = \"Rate\"\nunit = \"percent\"\n\
         direction = \"increase\"\nratio = { numerator = \"children vaccinated\", denominator = \"children\" }\n\
         [[goal.indicator]]\ncode = \"CUM\"\ntitle = \"Cum\"\nunit = \"people\"\n\
         direction = \"increase\"\ncumulative = true\n\
         [[goal.indicator]]\ncode = \"PLAIN\"\ntitle = \"Plain\"\nunit = \"people\"\n\
         direction = \"increase\"\n";
    let fw = parse_str(text, "framework.toml").unwrap();
    store
        .save_version(&fw, "v1", None, "2026-01-15T12:00:00.000000Z")
        .unwrap();
    let v = store.resolve_version(None).unwrap();
    let want = |inds: Vec<&Indicator>| {
        type Seen<'a> = (&'a str, bool, Option<(&'a str, &'a str)>);
        let got: Vec<Seen> = inds
            .iter()
            .map(|i| {
                (
                    i.code.as_str(),
                    i.cumulative,
                    i.ratio
                        .as_ref()
                        .map(|r| (r.numerator.as_str(), r.denominator.as_str())),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("RATE", false, Some(("children vaccinated", "children"))),
                ("CUM", true, None),
                ("PLAIN", false, None)
            ]
        );
    };
    let full = store.framework(&v).unwrap();
    assert_eq!(full, fw);
    want(full.indicators().map(|(_, i)| i).collect());
    let lean = store.framework_lean(&v, Targets::None).unwrap();
    want(lean.indicators().map(|(_, i)| i).collect());
    let rules = store.indicator_rules(&v).unwrap();
    want(rules.iter().collect());
}

/// A ratio stored with one label only is damage, named as such.
#[test]
fn a_half_stored_ratio_is_damage() {
    let mut store = Store::open_in_memory().unwrap();
    store
        .save_version(
            &strategy("v1", "I1", "I2"),
            "v1",
            None,
            "2026-01-15T12:00:00.000000Z",
        )
        .unwrap();
    store
        .conn
        .execute("UPDATE indicator_def SET ratio_numerator = 'n'", [])
        .unwrap();
    let v = store.resolve_version(None).unwrap();
    for err in [
        store.framework(&v).unwrap_err(),
        store.framework_lean(&v, Targets::None).unwrap_err(),
        store.indicator_rules(&v).unwrap_err(),
    ] {
        assert!(err.to_string().contains("numerator label without"), "{err}");
    }
}
