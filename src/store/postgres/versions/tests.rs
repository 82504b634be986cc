//! Versions on a real PostgreSQL server (each test its own database; skipped with one line
//! when there is no server). The behaviour every backend shares is in the conformance suite;
//! these check what is PostgreSQL's own: the bulk save reads back exactly, strategies are kept
//! apart, damage is refused with the SQLite store's sentences.

use postgres::{Client, NoTls};

use super::*;
use crate::framework::parse_str;
use crate::shipped;
use crate::store::postgres::testing::TestServer;
use crate::store::OpenMode;

const AT: &str = "2026-01-15T12:00:00.000000Z";

fn store(db: &TestServer) -> PgStore {
    PgStore::open(&db.url, OpenMode::Create).unwrap()
}

fn shipped() -> Framework {
    parse_str(shipped::FRAMEWORK, shipped::FRAMEWORK_NAME).unwrap()
}

/// The shipped strategy with its code (and title) changed.
fn other(code: &str) -> Framework {
    let mut fw = shipped();
    fw.strategy.code = code.to_string();
    fw
}

#[test]
fn a_saved_version_reads_back_exactly() {
    let Some(db) = TestServer::database() else {
        return;
    };
    let mut s = store(&db);
    let fw = shipped();
    s.save_version(&fw, "v1", Some("framework.toml"), AT)
        .unwrap();
    let v = s.resolve_version(None).unwrap();
    assert_eq!(
        (v.nodes, v.indicators),
        (fw.nodes.len(), fw.indicator_count())
    );
    assert_eq!(s.framework(&v).unwrap(), fw);
    // Lean and outline: the full read without the prose (the same as SQLite's, checked there
    // against the full read).
    let lean = s.framework_lean(&v, Targets::None).unwrap();
    assert_eq!(lean.nodes.len(), fw.nodes.len());
    assert!(lean.indicators().all(|(_, i)| i.targets.is_empty()));
    assert!(lean.nodes.iter().all(|n| n.description.is_none()));
    let outline = s.framework_outline(&v, Targets::All).unwrap();
    assert_eq!(
        outline
            .nodes
            .iter()
            .map(|n| &n.aligns_with)
            .collect::<Vec<_>>(),
        fw.nodes.iter().map(|n| &n.aligns_with).collect::<Vec<_>>()
    );
    let year = crate::period::FiscalPeriod::year(2024).span();
    let some = s.framework_with(&v, Targets::Between(year)).unwrap();
    for ((_, got), (_, all)) in some.indicators().zip(fw.indicators()) {
        let want: Vec<_> = all
            .targets
            .iter()
            .filter(|(p, _)| year.contains(**p))
            .collect();
        assert_eq!(got.targets.iter().collect::<Vec<_>>(), want);
    }
    let rules = s.indicator_rules(&v).unwrap();
    assert_eq!(rules.len(), fw.indicator_count());
    let mut counts = s.node_counts(&v).unwrap();
    counts.sort();
    assert_eq!(
        counts.iter().map(|c| c.1).sum::<usize>(),
        fw.nodes.len(),
        "{counts:?}"
    );
}

#[test]
fn strategies_are_kept_apart() {
    let Some(db) = TestServer::database() else {
        return;
    };
    let mut s = store(&db);
    assert!(s.strategies().unwrap().is_empty());
    s.use_strategy(None).unwrap();
    s.save_version(&other("b"), "v1", None, AT).unwrap();
    s.save_version(&other("a"), "v1", None, AT).unwrap();
    // The same label again in `a` is refused; in `b` it is not new either.
    let mut changed = other("a");
    changed.strategy.title = "A two".into();
    let e = s.save_version(&changed, "v1", None, AT).unwrap_err();
    assert_eq!(e.to_string(), "version `v1` already exists");
    let listed = s.strategies().unwrap();
    let codes: Vec<&str> = listed.iter().map(|i| i.code.as_str()).collect();
    assert_eq!(codes, ["a", "b"]);
    assert_eq!((listed[0].versions, listed[0].values), (1, 0));
    assert_eq!(listed[0].last_recorded, None);
    assert_eq!(listed[0].latest, "v1");
    // Saving chose `a`; each strategy's versions are its own.
    s.save_version(&changed, "v2", None, AT).unwrap();
    assert_eq!(s.versions().unwrap().len(), 2);
    assert_eq!(s.resolve_version(None).unwrap().title, "A two");
    s.use_strategy(Some("b")).unwrap();
    assert_eq!(s.versions().unwrap().len(), 1);
    assert!(s.resolve_version(Some("@previous")).is_err());
    let e = s.resolve_version(Some("v2")).unwrap_err();
    assert_eq!(e.to_string(), "no version labelled `v2`");
    assert_eq!(e.hint(), Some("stored versions: `v1`"));
    // Several stored: a choice is needed, and an unknown one lists them.
    let e = s.use_strategy(None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the database holds 2 strategies: `a`, `b`; say which one"
    );
    assert_eq!(e.hint(), Some("pass --strategy CODE (or set ICS_STRATEGY)"));
    let e = s.use_strategy(Some("c")).unwrap_err();
    assert_eq!(e.hint(), Some("stored strategies: `a`, `b`"));
    // Indicator codes are per strategy: the same code has an id in each.
    let mut c = Client::connect(&db.url, NoTls).unwrap();
    let ids: i64 = c
        .query_one(
            "SELECT count(DISTINCT id) FROM indicator WHERE code = $1",
            &[&shipped().indicators().next().unwrap().1.code],
        )
        .unwrap()
        .get(0);
    assert_eq!(ids, 2);
    // Opening a database of several strategies chooses none.
    let again = PgStore::open(&db.url, OpenMode::Existing).unwrap();
    assert!(again.versions().unwrap().is_empty());
}

#[test]
fn opening_a_database_of_one_strategy_uses_it() {
    let Some(db) = TestServer::database() else {
        return;
    };
    store(&db).save_version(&shipped(), "v1", None, AT).unwrap();
    let again = PgStore::open(&db.url, OpenMode::Existing).unwrap();
    assert_eq!(again.resolve_version(None).unwrap().label, "v1");
    assert_eq!(again.strategies().unwrap()[0].code, shipped().strategy.code);
}

#[test]
fn damaged_rows_are_refused_with_sentences() {
    let Some(db) = TestServer::database() else {
        return;
    };
    let mut s = store(&db);
    s.save_version(&shipped(), "v1", None, AT).unwrap();
    let v = s.resolve_version(None).unwrap();
    let mut c = Client::connect(&db.url, NoTls).unwrap();
    c.batch_execute(
        "UPDATE indicator_def SET disaggregations = '{not json' \
         WHERE id = (SELECT min(id) FROM indicator_def)",
    )
    .unwrap();
    let e = s.framework(&v).unwrap_err();
    assert!(e.to_string().contains("the database is damaged"), "{e}");
    assert!(s.indicator_rules(&v).is_err());
    c.batch_execute(
        "UPDATE indicator_def SET disaggregations = '{}'; \
         UPDATE target SET period = period + 1000000 \
         WHERE def_id = (SELECT min(def_id) FROM target)",
    )
    .unwrap();
    let e = s.framework(&v).unwrap_err();
    assert!(e.to_string().contains("the period stored as 10"), "{e}");
    // A parent cycle.
    c.batch_execute(
        "UPDATE target SET period = period - 1000000 WHERE period > 1000000; \
         UPDATE node SET parent_id = (SELECT min(id) + 1 FROM node) \
         WHERE id = (SELECT min(id) FROM node)",
    )
    .unwrap();
    let e = s.framework_lean(&v, Targets::None).unwrap_err();
    assert!(e.to_string().contains("(a cycle)"), "{e}");
}

#[test]
fn a_failed_save_leaves_nothing() {
    let Some(db) = TestServer::database() else {
        return;
    };
    let mut s = store(&db);
    let mut fw = shipped();
    // A constraint ics does not make refuses the targets: the last COPY but one fails after
    // the version, nodes and indicators went in.
    let mut c = Client::connect(&db.url, NoTls).unwrap();
    c.batch_execute("ALTER TABLE target ADD CONSTRAINT small CHECK (value < 0)")
        .unwrap();
    fw.strategy.title = "x".into();
    let e = s.save_version(&fw, "v1", None, AT).unwrap_err();
    assert!(
        e.to_string().starts_with("could not store the strategy"),
        "{e}"
    );
    let counts: Vec<i64> = [
        "strategy_version",
        "node",
        "indicator",
        "indicator_def",
        "target",
    ]
    .iter()
    .map(|t| {
        c.query_one(&format!("SELECT count(*) FROM {t}"), &[])
            .unwrap()
            .get(0)
    })
    .collect();
    assert_eq!(counts, [0, 0, 0, 0, 0]);
    c.batch_execute("ALTER TABLE target DROP CONSTRAINT small")
        .unwrap();
    s.save_version(&fw, "v1", None, AT).unwrap();
}
