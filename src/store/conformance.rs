//! The conformance suite: what every storage backend must do, written against the [`Storage`]
//! traits only (like taskchampion's `storage_tests!`). [`storage_tests!`] instantiates it for
//! one backend, given an expression that makes a fresh, empty [`Fixture`]; below it runs for
//! SQLite in memory and in a file. A new backend adds one `storage_tests!` line.
//!
//! Migrations are tested through hooks the backend supplies ([`Migrations`]): a database at an
//! older schema, written in that schema's own terms (for SQLite, the first release's
//! `tests/fixtures/schema-v1.db`), must open upgraded with every row of its history; one marked
//! as written by a newer program must be refused with the one message and left untouched.

use crate::error::Error;
use crate::framework::{self, Framework};
use crate::period::{FiscalPeriod, PeriodRange};

use super::{
    Imported, Keep, Kind, NewValue, SaveOutcome, Storage, StoredValue, ValueQuery, WriteValues,
    Written,
};

/// A fresh, empty database of one backend, and whatever must live as long as it (a temporary
/// folder, a throwaway server database).
pub(crate) struct Fixture {
    pub store: Box<dyn Storage>,
    /// Opens the same database again (a second connection, as the next command would), for
    /// a backend whose databases outlive a connection.
    pub reopen: Option<Box<dyn Fn() -> Box<dyn Storage>>>,
    /// How the backend's schema migrations are tested; `None` for a backend whose databases
    /// do not outlive their connection (SQLite in memory), which has nothing to upgrade.
    pub migrations: Option<Migrations>,
    pub _keep: Option<Box<dyn std::any::Any>>,
}

/// The hooks the migration tests need from a backend. They act on one database of their own
/// (not the fixture's store), which [`Migrations::open`] opens as a command would.
pub(crate) struct Migrations {
    /// The schema version this program writes.
    pub current: i64,
    /// Write the database at an older schema, holding versions and values in that schema's
    /// own terms (for SQLite, `tests/fixtures/schema-v1.db`, made by the first release), and
    /// return every row of its history as the upgraded database must still give it. `None`
    /// for a backend that has no older schema yet (PostgreSQL: its first schema is the
    /// current one); its first migration will add one.
    pub older: Option<Box<dyn Fn() -> Vec<HistoryRow>>>,
    /// Mark the database (written by this program) as written by a newer one; return the
    /// schema version it now says it has.
    pub newer: Box<dyn Fn() -> i64>,
    /// Open the database as a command would: creating it if missing, upgrading its schema.
    pub open: Box<dyn Fn() -> Result<Box<dyn Storage>, Error>>,
    /// The schema version the database says it has, read without upgrading it.
    pub schema: Box<dyn Fn() -> i64>,
    /// Everything the database holds, read without changing it, to show it untouched.
    pub fingerprint: Box<dyn Fn() -> Vec<u8>>,
}

/// One row of a value's history, in terms every backend gives ([`StoredValue`] without ids).
#[derive(Debug, Clone, PartialEq, PartialOrd)]
pub(crate) struct HistoryRow {
    pub indicator: String,
    /// As written (`FY2021`).
    pub period: String,
    pub disaggregation: String,
    pub value: f64,
    pub note: Option<String>,
    pub source: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
    /// When the row was replaced; `None` while it is current.
    pub replaced_at: Option<String>,
    /// `value`, `explanation` or `void`.
    pub kind: String,
}

impl HistoryRow {
    fn of(v: &StoredValue) -> Self {
        let text = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
        HistoryRow {
            indicator: v.indicator.clone(),
            period: v.period.to_string(),
            disaggregation: v.disaggregation.clone(),
            value: v.value,
            note: text(&v.note),
            source: text(&v.source),
            recorded_by: v.recorded_by.clone(),
            recorded_at: v.recorded_at.clone(),
            replaced_at: v.replaced_by.and(v.replaced_at.clone()),
            kind: v.kind.as_str().to_string(),
        }
    }
}

impl Fixture {
    pub fn new(store: Box<dyn Storage>) -> Self {
        Fixture {
            store,
            reopen: None,
            migrations: None,
            _keep: None,
        }
    }
}

/// Instantiate every conformance test for the backend `$make` (an expression giving a fresh
/// [`Fixture`], or `None` when the backend cannot run here: a PostgreSQL backend without a
/// server, which has said so in one line) in the current module.
macro_rules! storage_tests {
    ($make:expr) => {
        $crate::store::conformance::storage_tests!(
            @each $make;
            versions_save_unchanged_and_resolve,
            record_correct_unchanged,
            void_and_explain,
            history_keeps_every_row,
            a_failed_import_leaves_nothing,
            an_import_skips_what_it_already_holds,
            one_current_value_per_key,
            current_totals_read_a_range,
            a_healthy_database_checks_clean,
            reopening_keeps_everything,
            names_itself_and_its_files,
            an_older_schema_upgrades_with_nothing_lost,
            a_newer_schema_is_refused_untouched,
            two_strategies_keep_the_same_codes_apart,
            choosing_a_strategy,
        );
    };
    (@each $make:expr; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let fixture: Option<$crate::store::conformance::Fixture> = $make;
                if let Some(fixture) = fixture {
                    $crate::store::conformance::$name(fixture);
                }
            }
        )*
    };
}
pub(crate) use storage_tests;

const FRAMEWORK: &str = r#"
[strategy]
code = "s"
title = "S"
version = "v1"
[[goal]]
code = "G1"
title = "G"
  [[goal.indicator]]
  code = "I1"
  title = "I"
  unit = "people"
  direction = "increase"
  targets = { FY2021 = 10.0 }
  [[goal.indicator]]
  code = "I2"
  title = "J"
  unit = "people"
  direction = "increase"
"#;

fn framework(title: &str) -> Framework {
    framework::parse_str(&FRAMEWORK.replace("title = \"S\"", title), "t.toml").unwrap()
}

/// The test framework as the strategy `code`, with its first indicator coded `indicator`.
fn strategy(code: &str, indicator: &str) -> Framework {
    let text = FRAMEWORK
        .replace("code = \"s\"", &format!("code = \"{code}\""))
        .replace("code = \"I1\"", &format!("code = \"{indicator}\""));
    framework::parse_str(&text, "t.toml").unwrap()
}

/// The fixture's store with the test framework saved as `v1`, and the id of `I1`.
fn loaded(f: &mut Fixture) -> i64 {
    load_into(&mut *f.store)
}

/// `store` with the test framework saved as `v1`, and the id of `I1`.
fn load_into(store: &mut dyn Storage) -> i64 {
    store
        .save_version(
            &framework("title = \"S\""),
            "v1",
            None,
            "2026-01-15T12:00:00.000000Z",
        )
        .unwrap();
    store.indicator_ids().unwrap()["I1"]
}

fn value(id: i64, period: &str, v: f64, at: &'static str) -> NewValue<'static> {
    NewValue {
        indicator_id: id,
        period: period.parse().unwrap(),
        disaggregation: "",
        value: v,
        parts: None,
        note: None,
        source: None,
        recorded_by: "me",
        recorded_at: at,
        keep: Keep::AS_GIVEN,
        kind: Kind::Value,
    }
}

const T1: &str = "2026-01-15T12:00:00.000000Z";
const T2: &str = "2026-01-16T12:00:00.000000Z";
const T3: &str = "2026-01-17T12:00:00.000000Z";

fn values(store: &dyn Storage, q: &ValueQuery) -> Vec<StoredValue> {
    let mut all = Vec::new();
    store
        .each_value(q, &mut |v| {
            all.push(v);
            Ok(())
        })
        .unwrap();
    all
}

fn history(store: &dyn Storage) -> Vec<StoredValue> {
    values(
        store,
        &ValueQuery {
            include_replaced: true,
            ..ValueQuery::default()
        },
    )
}

fn current(store: &dyn Storage) -> Vec<StoredValue> {
    values(store, &ValueQuery::default())
}

pub(crate) fn versions_save_unchanged_and_resolve(mut f: Fixture) {
    let s = &mut *f.store;
    assert!(s.versions().unwrap().is_empty());
    assert!(s.resolve_version(None).is_err(), "no version yet");
    let v1 = framework("title = \"S\"");
    assert_eq!(
        s.save_version(&v1, "v1", Some("a.toml"), "2026-01-15T12:00:00.000000Z")
            .unwrap(),
        SaveOutcome::Stored { label: "v1".into() }
    );
    // The same content again is not a new version.
    assert_eq!(
        s.save_version(&v1, "v1b", None, "2026-01-15T12:00:00.000000Z")
            .unwrap(),
        SaveOutcome::Unchanged { label: "v1".into() }
    );
    let v2 = framework("title = \"S two\"");
    assert_eq!(
        s.save_version(&v2, "v2", None, "2026-01-15T12:00:00.000000Z")
            .unwrap(),
        SaveOutcome::Stored { label: "v2".into() }
    );
    let labels: Vec<String> = s.versions().unwrap().into_iter().map(|v| v.label).collect();
    assert_eq!(labels, ["v1", "v2"]);
    let newest = s.resolve_version(None).unwrap();
    assert_eq!(
        (newest.label.as_str(), newest.title.as_str()),
        ("v2", "S two")
    );
    assert_eq!(newest.indicators, 2);
    // The time comes from the caller's clock, as given.
    assert_eq!(newest.loaded_at, T1);
    assert_eq!(s.resolve_version(Some("@previous")).unwrap().label, "v1");
    assert_eq!(
        s.resolve_version(Some("v1"))
            .unwrap()
            .source_file
            .as_deref(),
        Some("a.toml")
    );
    assert!(s.resolve_version(Some("nope")).is_err());
    // Read back: the strategy, its indicators and the targets asked for.
    let fw = s.framework(&newest).unwrap();
    assert_eq!(fw.strategy.title, "S two");
    let codes: Vec<&str> = fw.indicators().map(|(_, i)| i.code.as_str()).collect();
    assert_eq!(codes, ["I1", "I2"]);
    let rules = s.indicator_rules(&newest).unwrap();
    assert_eq!(rules.len(), 2);
}

pub(crate) fn record_correct_unchanged(mut f: Fixture) {
    let id = loaded(&mut f);
    let s = &mut *f.store;
    let added = s
        .write_values(false, |w| w.put(&value(id, "FY2021", 1.0, T1)))
        .unwrap();
    assert!(matches!(added, Written::Added { .. }), "{added:?}");
    let same = s
        .write_values(false, |w| w.put(&value(id, "FY2021", 1.0, T2)))
        .unwrap();
    assert_eq!(same, Written::Unchanged);
    let corrected = s
        .write_values(false, |w| w.put(&value(id, "FY2021", 2.0, T2)))
        .unwrap();
    let Written::Corrected { old, .. } = corrected else {
        panic!("{corrected:?}")
    };
    assert_eq!((old.value, old.recorded_at.as_str()), (1.0, T1));
    let now = current(s);
    assert_eq!(now.len(), 1);
    assert_eq!((now[0].value, now[0].indicator.as_str()), (2.0, "I1"));
}

pub(crate) fn void_and_explain(mut f: Fixture) {
    let id = loaded(&mut f);
    let s = &mut *f.store;
    s.write_values(false, |w| w.put(&value(id, "FY2021", 5.0, T1)))
        .unwrap();
    // An explanation keeps the value and sets the note.
    let explained = s
        .write_values(false, |w| {
            let (v, parts) = w
                .current_value(id, FiscalPeriod::year(2021), "")?
                .expect("a current value");
            w.put(&NewValue {
                value: v,
                parts,
                note: Some("late data"),
                keep: Keep {
                    note: false,
                    source: true,
                },
                kind: Kind::Explanation,
                ..value(id, "FY2021", v, T2)
            })
        })
        .unwrap();
    assert!(
        matches!(explained, Written::Corrected { .. }),
        "{explained:?}"
    );
    let now = current(s);
    assert_eq!(now.len(), 1);
    assert_eq!(
        (now[0].value, now[0].kind, now[0].note.as_deref()),
        (5.0, Kind::Explanation, Some("late data"))
    );
    // A void ends the key: nothing current, the voided value in the history.
    let void = NewValue {
        note: Some("typo"),
        kind: Kind::Void,
        ..value(id, "FY2021", 0.0, T3)
    };
    let old = s.write_values(false, |w| w.void(&void)).unwrap();
    assert_eq!(old.map(|o| o.value), Some(5.0));
    assert!(current(s).is_empty());
    assert!(s
        .write_values(false, |w| w.current_value(id, FiscalPeriod::year(2021), ""))
        .unwrap()
        .is_none());
    // Nothing left to void.
    assert!(s.write_values(false, |w| w.void(&void)).unwrap().is_none());
    let kinds: Vec<Kind> = history(s).iter().map(|v| v.kind).collect();
    assert_eq!(kinds, [Kind::Value, Kind::Explanation, Kind::Void]);
}

pub(crate) fn history_keeps_every_row(mut f: Fixture) {
    let id = loaded(&mut f);
    let s = &mut *f.store;
    for (v, at) in [(1.0, T1), (2.0, T2), (3.0, T3)] {
        s.write_values(false, |w| w.put(&value(id, "FY2021", v, at)))
            .unwrap();
    }
    let h = history(s);
    assert_eq!(
        h.iter().map(|v| v.value).collect::<Vec<_>>(),
        [1.0, 2.0, 3.0]
    );
    // Each replaced row points at the one after it, and says when that came.
    assert_eq!(h[0].replaced_by, Some(h[1].id));
    assert_eq!(h[0].replaced_at.as_deref(), Some(T2));
    assert_eq!(h[1].replaced_by, Some(h[2].id));
    assert_eq!(h[2].replaced_by, None);
    let newest_first = values(
        s,
        &ValueQuery {
            include_replaced: true,
            newest_first: true,
            ..ValueQuery::default()
        },
    );
    assert_eq!(
        newest_first.iter().map(|v| v.value).collect::<Vec<_>>(),
        [3.0, 2.0, 1.0]
    );
}

pub(crate) fn a_failed_import_leaves_nothing(mut f: Fixture) {
    let id = loaded(&mut f);
    let s = &mut *f.store;
    s.write_values(false, |w| w.put(&value(id, "FY2020", 1.0, T1)))
        .unwrap();
    let before = history(s);
    let err = s
        .write_values(true, |w| {
            w.import(&value(id, "FY2021", 1.0, T2), true)?;
            w.import(&value(id, "FY2020", 9.0, T2), true)?;
            Err::<(), _>(Error::input("row 3 is wrong"))
        })
        .unwrap_err();
    assert_eq!(err.to_string(), "row 3 is wrong");
    assert_eq!(history(s), before);
    // And the store is usable afterwards: the retry goes through.
    let retried = s
        .write_values(true, |w| w.import(&value(id, "FY2021", 1.0, T2), true))
        .unwrap();
    assert!(matches!(retried, Imported::Added { .. }), "{retried:?}");
}

pub(crate) fn an_import_skips_what_it_already_holds(mut f: Fixture) {
    let id = loaded(&mut f);
    let s = &mut *f.store;
    let first = s
        .write_values(true, |w| {
            let a = w.import(&value(id, "FY2021", 1.0, T1), true)?;
            let b = w.import(&value(id, "FY2021", 2.0, T2), true)?;
            let Imported::Added { id: a_id } = a else {
                panic!("{a:?}")
            };
            let Imported::Corrected { id: b_id } = b else {
                panic!("{b:?}")
            };
            assert!(w.is_new(a_id) && w.is_new(b_id));
            assert_eq!(w.corrected_by(b_id)?, Some(a_id));
            assert_eq!(w.current_id(&value(id, "FY2021", 0.0, T1))?, Some(b_id));
            Ok((a, b))
        })
        .unwrap();
    assert_ne!(first.0, first.1);
    // The same rows again: the history already holds both.
    let again = s
        .write_values(true, |w| {
            Ok([
                w.import(&value(id, "FY2021", 1.0, T1), true)?,
                w.import(&value(id, "FY2021", 2.0, T2), true)?,
            ])
        })
        .unwrap();
    assert!(
        matches!(
            again,
            [
                Imported::AlreadyRecorded,
                Imported::AlreadyRecorded | Imported::Unchanged
            ]
        ),
        "{again:?}"
    );
    assert_eq!(history(s).len(), 2);
}

pub(crate) fn one_current_value_per_key(mut f: Fixture) {
    let id = loaded(&mut f);
    let s = &mut *f.store;
    s.write_values(true, |w| {
        for (i, at) in [T1, T2, T3].into_iter().enumerate() {
            for period in ["FY2021", "FY2021Q1", "FY2022"] {
                w.import(&value(id, period, i as f64, at), true)?;
                let by_sex = NewValue {
                    disaggregation: "sex=female",
                    ..value(id, period, 10.0 + i as f64, at)
                };
                w.import(&by_sex, true)?;
            }
        }
        Ok(())
    })
    .unwrap();
    let now = current(s);
    let mut keys: Vec<(String, FiscalPeriod, String)> = now
        .iter()
        .map(|v| (v.indicator.clone(), v.period, v.disaggregation.clone()))
        .collect();
    let n = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!((n, keys.len()), (6, 6), "{now:?}");
    assert!(now.iter().all(|v| v.value == 2.0 || v.value == 12.0));
    assert_eq!(history(s).len(), 18);
    assert_eq!(s.value_periods().unwrap().len(), 3);
    assert_eq!(s.current_values().unwrap().len(), 6);
}

pub(crate) fn current_totals_read_a_range(mut f: Fixture) {
    let id = loaded(&mut f);
    let s = &mut *f.store;
    s.write_values(true, |w| {
        for (p, v) in [
            ("FY2020Q4", 1.0),
            ("FY2021", 2.0),
            ("FY2021Q4", 3.0),
            ("FY2022", 4.0),
        ] {
            w.import(&value(id, p, v, T1), true)?;
        }
        Ok(())
    })
    .unwrap();
    let version = s.resolve_version(None).unwrap();
    let mut got: Vec<(String, f64)> = s
        .current_totals(&version, FiscalPeriod::year(2021).span())
        .unwrap()
        .into_iter()
        .map(|v| (v.period.to_string(), v.value))
        .collect();
    got.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(got, [("FY2021".into(), 2.0), ("FY2021Q4".into(), 3.0)]);
    assert_eq!(
        s.current_totals(&version, PeriodRange::all())
            .unwrap()
            .len(),
        4
    );
    assert_eq!(s.latest_value_year(&version, None).unwrap(), Some(2022));
    assert_eq!(
        s.latest_value_year(&version, Some(PeriodRange::fiscal_years(2000, 2021)))
            .unwrap(),
        Some(2021)
    );
}

pub(crate) fn a_healthy_database_checks_clean(mut f: Fixture) {
    assert!(f.store.check().unwrap().problems.is_empty());
    let id = loaded(&mut f);
    let s = &mut *f.store;
    s.write_values(false, |w| w.put(&value(id, "FY2021", 1.0, T1)))
        .unwrap();
    s.write_values(false, |w| w.put(&value(id, "FY2021", 2.0, T2)))
        .unwrap();
    let report = s.check().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert!(!report.checked.is_empty());
}

pub(crate) fn reopening_keeps_everything(mut f: Fixture) {
    let id = loaded(&mut f);
    f.store
        .write_values(false, |w| w.put(&value(id, "FY2021", 1.0, T1)))
        .unwrap();
    f.store
        .write_values(false, |w| w.put(&value(id, "FY2021", 2.0, T2)))
        .unwrap();
    let Some(reopen) = &f.reopen else {
        // A database that lives only as long as its connection: said, not passed silently.
        eprintln!("skipped: this fixture cannot be reopened (an in-memory database)");
        return;
    };
    let before = (history(&*f.store), f.store.versions().unwrap());
    // A second connection sees what the first committed; opening again (schema already
    // current) changes nothing.
    let again = reopen();
    assert_eq!(history(&*again), before.0);
    let labels = |v: &[crate::store::VersionInfo]| -> Vec<String> {
        v.iter()
            .map(|v| format!("{} {}", v.label, v.content_hash))
            .collect()
    };
    assert_eq!(labels(&again.versions().unwrap()), labels(&before.1));
    drop(again);
    let mut third = reopen();
    third
        .write_values(false, |w| w.put(&value(id, "FY2021", 3.0, T3)))
        .unwrap();
    assert_eq!(current(&*f.store)[0].value, 3.0);
    assert!(third.check().unwrap().problems.is_empty());
}

/// The database has a name for messages, and lists the files it is made of (none if it is not
/// a file), the database file itself among them, so that no `--out` replaces one.
pub(crate) fn names_itself_and_its_files(f: Fixture) {
    let s = &*f.store;
    assert!(!s.name().is_empty());
    let files = s.files();
    match s.file() {
        None => assert!(files.is_empty(), "{files:?}"),
        Some(file) => {
            assert_eq!(s.name(), file.display().to_string());
            let own: Vec<_> = files.iter().filter(|f| f.companion.is_none()).collect();
            assert_eq!(own.len(), 1, "{files:?}");
            assert_eq!(own[0].path, file);
            assert!(files
                .iter()
                .all(|f| f.path.starts_with(file.parent().unwrap())));
        }
    }
}

/// A database at an older schema opens upgraded, to the current schema, with every row of its
/// history as it was; it checks clean, takes new values and keeps them.
pub(crate) fn an_older_schema_upgrades_with_nothing_lost(f: Fixture) {
    let Some(m) = f.migrations else {
        // The in-memory fixture has no older or newer database to open: said, not passed
        // silently; the file fixture runs it.
        eprintln!("skipped: this fixture has no migration hooks (an in-memory database)");
        return;
    };
    let Some(older) = &m.older else {
        eprintln!("skipped: this backend has no older schema to upgrade from yet");
        return;
    };
    let mut expected = older();
    assert!(!expected.is_empty(), "the older database holds values");
    assert!((m.schema)() < m.current, "it is older");
    let mut store = (m.open)().unwrap();
    assert_eq!((m.schema)(), m.current, "opening upgraded it");
    let rows = |s: &dyn Storage| {
        let mut rows: Vec<_> = history(s).iter().map(HistoryRow::of).collect();
        rows.sort_by(|a, b| a.partial_cmp(b).unwrap());
        rows
    };
    expected.sort_by(|a, b| a.partial_cmp(b).unwrap());
    assert_eq!(rows(&*store), expected, "nothing lost");
    assert!(!store.versions().unwrap().is_empty());
    assert!(store.check().unwrap().problems.is_empty());
    // It takes a correction of a current value, and keeps it.
    let old = expected.iter().find(|r| r.replaced_at.is_none()).unwrap();
    let id = store.indicator_ids().unwrap()[&old.indicator];
    let mut new = value(id, "FY2021", old.value + 1.0, "2030-01-01T00:00:00.000000Z");
    new.period = old.period.parse().unwrap();
    new.disaggregation = &old.disaggregation;
    let written = store.write_values(false, |w| w.put(&new)).unwrap();
    assert!(matches!(written, Written::Corrected { .. }), "{written:?}");
    let after = rows(&*store);
    assert_eq!(after.len(), expected.len() + 1);
    drop(store);
    let mut again = (m.open)().unwrap();
    assert_eq!(rows(&*again), after);
    assert_eq!((m.schema)(), m.current);
    // It was one strategy, and stays the one used without choosing; a second strategy with
    // the same indicator code takes values of its own and leaves the first's alone.
    let listed = again.strategies().unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    let code = listed[0].code.clone();
    assert_eq!(listed[0].versions, again.versions().unwrap().len());
    assert_eq!(
        listed[0].values,
        after.iter().filter(|r| r.replaced_at.is_none()).count() as u64
    );
    again.use_strategy(None).unwrap();
    again
        .save_version(&strategy("second", &old.indicator), "v1", None, T1)
        .unwrap();
    let second = again.indicator_ids().unwrap()[&old.indicator];
    assert_ne!(second, id);
    again
        .write_values(false, |w| w.put(&value(second, "FY2021", 99.0, T2)))
        .unwrap();
    assert_eq!(history(&*again).len(), 1);
    again.use_strategy(Some(&code)).unwrap();
    assert_eq!(rows(&*again), after);
    assert!(again.check().unwrap().problems.is_empty());
}

/// A database marked as written by a newer program is refused with the one message every
/// backend gives, and left exactly as it was.
pub(crate) fn a_newer_schema_is_refused_untouched(f: Fixture) {
    let Some(m) = f.migrations else {
        // The in-memory fixture has no older or newer database to open: said, not passed
        // silently; the file fixture runs it.
        eprintln!("skipped: this fixture has no migration hooks (an in-memory database)");
        return;
    };
    {
        let mut store = (m.open)().unwrap();
        let id = load_into(&mut *store);
        store
            .write_values(false, |w| w.put(&value(id, "FY2021", 1.0, T1)))
            .unwrap();
    }
    let newer = (m.newer)();
    assert!(newer > m.current);
    let before = (m.fingerprint)();
    let e = match (m.open)() {
        Ok(_) => panic!("a database from a newer ics was opened"),
        Err(e) => e,
    };
    assert!(matches!(e, Error::Database { .. }), "{e:?}");
    let message = format!(
        "was created by a newer ics (schema {newer}; this ics reads up to {}); upgrade ics",
        m.current
    );
    assert!(e.to_string().ends_with(&message), "{e}");
    // The hint names what is left alone: the file, or the server database.
    let hint = e.hint().unwrap_or_default();
    assert!(
        hint == "install the newer ics; this one will not touch the file"
            || hint == "install the newer ics; this one will not touch the database",
        "{hint}"
    );
    assert_eq!((m.fingerprint)(), before, "untouched");
    assert_eq!((m.schema)(), newer);
}

/// Two strategies in one database, both with the indicator `I1` and the label `v1`: each has
/// its own indicator, versions and values, and reads see only the strategy in use.
pub(crate) fn two_strategies_keep_the_same_codes_apart(mut f: Fixture) {
    let s = &mut *f.store;
    assert!(s.strategies().unwrap().is_empty());
    s.save_version(&strategy("s", "I1"), "v1", None, T1)
        .unwrap();
    let in_s = s.indicator_ids().unwrap()["I1"];
    s.write_values(false, |w| w.put(&value(in_s, "FY2021", 1.0, T1)))
        .unwrap();
    // Saving stores under the file's code and makes it the strategy in use.
    s.save_version(&strategy("t", "I1"), "v1", None, T2)
        .unwrap();
    let in_t = s.indicator_ids().unwrap()["I1"];
    assert_ne!(in_s, in_t, "one indicator per strategy");
    assert_eq!(s.versions().unwrap().len(), 1);
    assert_eq!(s.resolve_version(None).unwrap().strategy, "t");
    assert!(current(s).is_empty(), "t has no values yet");
    for (v, at) in [(7.0, T2), (8.0, T3)] {
        s.write_values(false, |w| w.put(&value(in_t, "FY2021", v, at)))
            .unwrap();
    }
    let t_version = s.resolve_version(None).unwrap();
    let totals = s
        .current_totals(&t_version, PeriodRange::all())
        .unwrap()
        .iter()
        .map(|v| v.value)
        .collect::<Vec<_>>();
    assert_eq!(totals, [8.0]);
    assert_eq!(s.current_values().unwrap().len(), 1);
    assert_eq!(s.value_periods().unwrap().len(), 1);
    assert_eq!(history(s).len(), 2);

    s.use_strategy(Some("s")).unwrap();
    assert_eq!(s.indicator_ids().unwrap()["I1"], in_s);
    let now = current(s);
    assert_eq!((now.len(), now[0].value), (1, 1.0));
    assert_eq!(history(s).len(), 1);
    let s_version = s.resolve_version(Some("v1")).unwrap();
    assert_eq!(s_version.strategy, "s");
    assert_eq!(
        s.current_totals(&s_version, PeriodRange::all())
            .unwrap()
            .iter()
            .map(|v| v.value)
            .collect::<Vec<_>>(),
        [1.0]
    );
    // The same content again is unchanged for its own strategy only.
    assert_eq!(
        s.save_version(&strategy("s", "I1"), "v9", None, T3)
            .unwrap(),
        SaveOutcome::Unchanged { label: "v1".into() }
    );

    let listed = s.strategies().unwrap();
    let summary: Vec<(&str, &str, usize, u64, Option<&str>)> = listed
        .iter()
        .map(|i| {
            (
                i.code.as_str(),
                i.latest.as_str(),
                i.versions,
                i.values,
                i.last_recorded.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [("s", "v1", 1, 1, Some(T1)), ("t", "v1", 1, 1, Some(T3))]
    );
    assert_eq!(listed[0].title, "S");
    // Check covers both, whichever is in use.
    let report = s.check().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

/// `use_strategy`: the only one without a code, an error listing the codes with several, an
/// error listing them for an unknown code; a failed choice keeps the one in use.
pub(crate) fn choosing_a_strategy(mut f: Fixture) {
    let s = &mut *f.store;
    s.use_strategy(None).unwrap();
    assert!(s.versions().unwrap().is_empty());
    let e = s.use_strategy(Some("x")).unwrap_err();
    assert!(matches!(e, Error::Input { .. }), "{e:?}");
    s.save_version(&strategy("b", "I1"), "v1", None, T1)
        .unwrap();
    s.use_strategy(None).unwrap();
    assert_eq!(s.resolve_version(None).unwrap().strategy, "b");
    s.save_version(&strategy("a", "I1"), "v1", None, T1)
        .unwrap();
    let e = s.use_strategy(None).unwrap_err();
    assert!(matches!(e, Error::Input { .. }), "{e:?}");
    assert!(e.to_string().contains("`a`, `b`"), "{e}");
    assert_eq!(e.hint(), Some("pass --strategy CODE (or set ICS_STRATEGY)"));
    let e = s.use_strategy(Some("c")).unwrap_err();
    assert!(matches!(e, Error::Input { .. }), "{e:?}");
    assert!(e.to_string().contains("`c`"), "{e}");
    assert!(e.hint().unwrap().contains("`a`, `b`"), "{e:?}");
    // Still scoped to `a`, the last one saved.
    assert_eq!(s.resolve_version(None).unwrap().strategy, "a");
    s.use_strategy(Some("b")).unwrap();
    assert_eq!(s.resolve_version(None).unwrap().strategy, "b");
}

mod sqlite_in_memory {
    use super::Fixture;
    use crate::store::Store;

    super::storage_tests!(Some(Fixture::new(Box::new(
        Store::open_in_memory().unwrap()
    ))));
}

mod sqlite_file {
    use std::path::{Path, PathBuf};

    use rusqlite::{Connection, OpenFlags};

    use super::{Fixture, HistoryRow, Migrations};
    use crate::store::{database_files, open, schema, OpenMode};

    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ics.db");
        let store = open(&path, OpenMode::Create).unwrap();
        Fixture {
            store,
            reopen: Some(Box::new(move || open(&path, OpenMode::Existing).unwrap())),
            migrations: Some(migrations(dir.path().join("migrations.db"))),
            _keep: Some(Box::new(dir)),
        }
    }

    fn repo_file(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(name)
    }

    /// The migration hooks for the SQLite file at `db`.
    fn migrations(db: PathBuf) -> Migrations {
        let (older, newer, opened, version, bytes) =
            (db.clone(), db.clone(), db.clone(), db.clone(), db);
        Migrations {
            current: schema::CURRENT_VERSION,
            older: Some(Box::new(move || {
                std::fs::copy(repo_file("tests/fixtures/schema-v1.db"), &older).unwrap();
                v1_history()
            })),
            newer: Box::new(move || {
                let conn = Connection::open(&newer).unwrap();
                let version = schema::CURRENT_VERSION + 1;
                conn.pragma_update(None, "user_version", version).unwrap();
                version
            }),
            open: Box::new(move || open(&opened, OpenMode::Create)),
            schema: Box::new(move || {
                let conn = Connection::open_with_flags(&version, OpenFlags::SQLITE_OPEN_READ_ONLY)
                    .unwrap();
                conn.query_row("PRAGMA user_version", [], |r| r.get(0))
                    .unwrap()
            }),
            fingerprint: Box::new(move || {
                let mut all = Vec::new();
                for file in database_files(&bytes) {
                    if let Ok(b) = std::fs::read(&file.path) {
                        all.extend_from_slice(file.path.as_os_str().as_encoded_bytes());
                        all.extend_from_slice(&b);
                    }
                }
                all
            }),
        }
    }

    /// The history of `tests/fixtures/schema-v1.db`: `schema-v1.values.csv`, which is what
    /// `export-values --all` printed for it when it was made.
    fn v1_history() -> Vec<HistoryRow> {
        let text =
            std::fs::read_to_string(repo_file("tests/fixtures/schema-v1.values.csv")).unwrap();
        let mut csv = csv::Reader::from_reader(text.as_bytes());
        let header = csv.headers().unwrap().clone();
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        let text = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
        csv.records()
            .map(|r| {
                let r = r.unwrap();
                HistoryRow {
                    indicator: r[col("indicator")].to_string(),
                    period: r[col("period")].to_string(),
                    disaggregation: r[col("disaggregation")].to_string(),
                    value: r[col("value")].parse().unwrap(),
                    note: text(&r[col("note")]),
                    source: text(&r[col("source")]),
                    recorded_by: r[col("recorded_by")].to_string(),
                    recorded_at: r[col("recorded_at")].to_string(),
                    replaced_at: text(&r[col("replaced_by")]),
                    kind: r[col("kind")].to_string(),
                }
            })
            .collect()
    }

    super::storage_tests!(Some(fixture()));
}

/// The suite on a PostgreSQL server: each fixture its own throwaway database (and one more for
/// the migration hooks); skipped with one line when there is no server.
mod postgres {
    use std::path::Path;

    use ::postgres::{Client, NoTls};

    use super::{Fixture, Migrations};
    use crate::store::postgres::{testing::TestServer, CURRENT_VERSION};
    use crate::store::{open, OpenMode};

    fn fixture() -> Option<Fixture> {
        let db = TestServer::database()?;
        let other = TestServer::database()?;
        let url = db.url.clone();
        let store = open(Path::new(&url), OpenMode::Create).unwrap();
        Some(Fixture {
            store,
            reopen: Some(Box::new(move || {
                open(Path::new(&url), OpenMode::Existing).unwrap()
            })),
            migrations: Some(migrations(other.url.clone())),
            _keep: Some(Box::new((db, other))),
        })
    }

    fn client(url: &str) -> Client {
        Client::connect(url, NoTls).unwrap()
    }

    /// The migration hooks for the database at `url`. PostgreSQL has no older schema yet.
    fn migrations(url: String) -> Migrations {
        let (newer, opened, version, dump) = (url.clone(), url.clone(), url.clone(), url);
        Migrations {
            current: CURRENT_VERSION,
            older: None,
            newer: Box::new(move || {
                let version = CURRENT_VERSION + 1;
                client(&newer)
                    .execute(
                        "UPDATE ics_meta SET value = $1 WHERE key = 'schema_version'",
                        &[&version.to_string()],
                    )
                    .unwrap();
                version
            }),
            open: Box::new(move || open(Path::new(&opened), OpenMode::Create)),
            schema: Box::new(move || {
                let row = client(&version)
                    .query_one(
                        "SELECT value FROM ics_meta WHERE key = 'schema_version'",
                        &[],
                    )
                    .unwrap();
                row.get::<_, String>(0).parse().unwrap()
            }),
            // Every row of every table of the schema, tables by name, rows in order.
            fingerprint: Box::new(move || {
                let mut c = client(&dump);
                let tables: Vec<String> = c
                    .query(
                        "SELECT tablename::text FROM pg_tables \
                         WHERE schemaname = current_schema() ORDER BY 1",
                        &[],
                    )
                    .unwrap()
                    .iter()
                    .map(|r| r.get(0))
                    .collect();
                let mut all = Vec::new();
                for t in tables {
                    all.extend_from_slice(t.as_bytes());
                    for r in c
                        .query(
                            &format!(
                                "SELECT t::text FROM \"{t}\" t ORDER BY t::text COLLATE \"C\""
                            ),
                            &[],
                        )
                        .unwrap()
                    {
                        all.push(b'\n');
                        all.extend_from_slice(r.get::<_, String>(0).as_bytes());
                    }
                }
                all
            }),
        }
    }

    super::storage_tests!(fixture());
}
