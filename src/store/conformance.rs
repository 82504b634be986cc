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
    Imported, Keep, Kind, NewValue, SaveOutcome, Storage, StoredValue, ValueQuery, WebSession,
    WriteValues, Written,
};
use crate::workflow::{Counted, Journal, Lock, LogEntry, LogQuery, ReviewState, Role, User};

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
    /// Runs SQL on the same database over a connection of its own, as anyone who can reach
    /// the database could; for tests of what the database itself refuses. `None` where no
    /// second connection reaches it (SQLite in memory). The error is the database's own text.
    pub sql: Option<RawSql>,
    pub _keep: Option<Box<dyn std::any::Any>>,
}

/// Runs SQL on a fixture's database over a connection of its own ([`Fixture::sql`]).
pub(crate) type RawSql = Box<dyn Fn(&str) -> Result<(), String>>;

/// The hooks the migration tests need from a backend. They act on one database of their own
/// (not the fixture's store), which [`Migrations::open`] opens as a command would.
pub(crate) struct Migrations {
    /// The schema version this program writes.
    pub current: i64,
    /// Write the database at an older schema, holding versions and values in that schema's
    /// own terms (for SQLite, `tests/fixtures/schema-v1.db`, made by the first release; for
    /// PostgreSQL, schema 1, which migration 2 only added tables to), and return every row
    /// of its history as the upgraded database must still give it. `None` for a backend
    /// that has no older schema yet.
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
            sql: None,
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
            users_are_added_replaced_and_removed,
            password_hashes_are_kept_per_user,
            a_database_role_belongs_to_one_user,
            locks_are_kept_per_strategy,
            a_journaled_write_logs_its_range_and_gives_its_state,
            a_write_without_a_journal_is_logged_as_its_author,
            a_write_that_fails_or_writes_nothing_logs_nothing,
            a_bulk_write_is_logged_like_one_row_at_a_time,
            review_states_change_only_on_current_values_in_the_expected_state,
            a_write_can_review_the_rows_it_writes,
            the_readers_count_what_set_counted_says,
            saving_a_version_logs_a_load,
            the_settings_are_read_alone,
            the_audit_log_cannot_be_changed,
            the_log_is_read_by_time_user_strategy_and_reviewed_value,
            web_sessions_are_found_touched_and_ended,
            failed_sign_ins_are_counted_per_key_and_window,
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

// The reporting cycle (issue 17): users, locks, review states and the audit log.

fn user(name: &str, role: Role, db_role: Option<&str>) -> User {
    User {
        name: name.into(),
        role,
        scopes: if role.scoped() {
            vec!["G1".into()]
        } else {
            Vec::new()
        },
        db_role: db_role.map(Into::into),
        added_by: "admin".into(),
        added_at: T1.into(),
    }
}

fn all_log(store: &dyn Storage) -> Vec<LogEntry> {
    store.log(&LogQuery::default()).unwrap()
}

/// The log entries of value writes (the version loads left out).
fn value_log(store: &dyn Storage) -> Vec<LogEntry> {
    all_log(store)
        .into_iter()
        .filter(|e| e.action != "load")
        .collect()
}

fn journal(user: &str, action: &str, state: ReviewState) -> Journal {
    Journal {
        user: user.into(),
        at: T2.into(),
        action: action.into(),
        subject: "`I1` FY2021".into(),
        detail: "d".into(),
        reason: Some("why".into()),
        state,
    }
}

fn added(w: Written) -> i64 {
    match w {
        Written::Added { id } | Written::Corrected { id, .. } => id,
        Written::Unchanged => panic!("nothing written"),
    }
}

pub(crate) fn password_hashes_are_kept_per_user(f: Fixture) {
    let mut store = f.store;
    let s = &mut *store;
    let bo = user("bo", Role::Reporter, None);
    let hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA";
    let set = s
        .write_values(false, |w| {
            w.put_user(&bo)?;
            Ok((
                w.set_password_hash("bo", Some(hash))?,
                w.set_password_hash("nobody", Some(hash))?,
            ))
        })
        .unwrap();
    assert_eq!(set, (true, false));
    assert_eq!(s.password_hash("bo").unwrap().as_deref(), Some(hash));
    assert_eq!(s.password_hash("nobody").unwrap(), None);
    // Replacing the user (a role change) keeps the password; clearing it removes it.
    s.write_values(false, |w| w.put_user(&user("bo", Role::Approver, None)))
        .unwrap();
    assert_eq!(s.password_hash("bo").unwrap().as_deref(), Some(hash));
    s.write_values(false, |w| w.set_password_hash("bo", None).map(drop))
        .unwrap();
    assert_eq!(s.password_hash("bo").unwrap(), None);
}

pub(crate) fn users_are_added_replaced_and_removed(f: Fixture) {
    let mut store = f.store;
    let s = &mut *store;
    assert!(s.users().unwrap().is_empty());
    let (bo, al) = (
        user("bo", Role::Reporter, None),
        user("al", Role::Admin, Some("al_role")),
    );
    s.write_values(false, |w| {
        w.put_user(&bo)?;
        w.put_user(&al)?;
        // Seen inside the transaction too.
        assert_eq!(w.users()?.len(), 2);
        Ok(())
    })
    .unwrap();
    // By name, everything kept (scopes as a list, the database role).
    assert_eq!(s.users().unwrap(), [al.clone(), bo.clone()]);
    let approver = User {
        scopes: vec!["G1".into(), "I2".into()],
        ..user("bo", Role::Approver, Some("bo_role"))
    };
    s.write_values(false, |w| w.put_user(&approver)).unwrap();
    assert_eq!(s.users().unwrap(), [al.clone(), approver]);
    let removed = s
        .write_values(false, |w| Ok((w.remove_user("bo")?, w.remove_user("bo")?)))
        .unwrap();
    assert_eq!(removed, (true, false));
    assert_eq!(s.users().unwrap(), [al]);
    // A write of users alone writes no value: nothing is logged for it by the store.
    assert!(value_log(s).is_empty());
}

pub(crate) fn a_database_role_belongs_to_one_user(f: Fixture) {
    let mut store = f.store;
    let s = &mut *store;
    let al = user("al", Role::Admin, Some("shared"));
    s.write_values(false, |w| w.put_user(&al)).unwrap();
    let err = s
        .write_values(false, |w| {
            w.put_user(&user("bo", Role::Viewer, Some("shared")))
        })
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "another user already connects as the database role `shared`"
    );
    assert!(
        matches!(err, Error::Input { .. }),
        "the user's mistake (exit 2)"
    );
    assert_eq!(s.users().unwrap(), [al], "nothing written");
    // The same user keeps its role when replaced; another role is free.
    let al_viewer = user("al", Role::Viewer, Some("shared"));
    s.write_values(false, |w| {
        w.put_user(&al_viewer)?;
        w.put_user(&user("bo", Role::Viewer, Some("other")))?;
        w.put_user(&user("cy", Role::Viewer, None))?;
        w.put_user(&user("di", Role::Viewer, None))
    })
    .unwrap();
    let users = s.users().unwrap();
    assert_eq!(users.len(), 4, "several users without a role: {users:?}");
    assert_eq!(users[0], al_viewer);
}

pub(crate) fn locks_are_kept_per_strategy(f: Fixture) {
    let mut store = f.store;
    let s = &mut *store;
    assert!(s.locks().unwrap().is_empty(), "no strategy yet");
    for code in ["a", "b"] {
        s.save_version(&strategy(code, "I1"), "v1", None, T1)
            .unwrap();
    }
    let lock = |p: FiscalPeriod, through: bool, at: &str| Lock {
        period: p,
        through,
        set_by: "al".into(),
        set_at: at.into(),
        reason: Some("reported".into()),
    };
    let (fy22, q4) = (
        lock(FiscalPeriod::year(2022), false, T2),
        lock(FiscalPeriod::quarter(2021, 4), true, T1),
    );
    s.write_values(false, |w| {
        w.add_lock("a", &fy22)?;
        w.add_lock("a", &q4)?;
        assert_eq!(w.locks("a")?.len(), 2);
        assert!(w.locks("b")?.is_empty());
        Ok(())
    })
    .unwrap();
    s.use_strategy(Some("a")).unwrap();
    // Oldest first.
    assert_eq!(s.locks().unwrap(), [q4.clone(), fy22.clone()]);
    s.use_strategy(Some("b")).unwrap();
    assert!(s.locks().unwrap().is_empty());
    // Locking again replaces the lock; removing needs `through` as it was set.
    let again = Lock {
        reason: None,
        ..lock(FiscalPeriod::year(2022), false, T3)
    };
    let removed = s
        .write_values(false, |w| {
            w.add_lock("a", &again)?;
            Ok((
                w.remove_lock("a", FiscalPeriod::quarter(2021, 4), false)?,
                w.remove_lock("b", FiscalPeriod::quarter(2021, 4), true)?,
                w.remove_lock("a", FiscalPeriod::quarter(2021, 4), true)?,
            ))
        })
        .unwrap();
    assert_eq!(removed, (false, false, true));
    s.use_strategy(Some("a")).unwrap();
    assert_eq!(s.locks().unwrap(), [again]);
}

pub(crate) fn a_journaled_write_logs_its_range_and_gives_its_state(mut f: Fixture) {
    let id = loaded(&mut f);
    let s = &mut *f.store;
    let before = s
        .write_values(false, |w| Ok(added(w.put(&value(id, "FY2020", 1.0, T1))?)))
        .unwrap();
    let (first, last, void) = s
        .write_values(false, |w| {
            w.journal(&journal("ann", "import", ReviewState::Submitted));
            let a = added(w.put(&value(id, "FY2021", 2.0, T2))?);
            let b = added(w.put(&value(id, "FY2021", 3.0, T2))?);
            w.void(&NewValue {
                kind: Kind::Void,
                ..value(id, "FY2020", 0.0, T2)
            })?
            .unwrap();
            let void = w.current_id(&value(id, "FY2020", 0.0, T2))?;
            assert_eq!(void, None, "voided");
            Ok((a, b, b + 1))
        })
        .unwrap();
    assert!(before < first && first < last);
    let log = value_log(s);
    assert_eq!(log.len(), 2, "{log:?}");
    let e = &log[1];
    assert_eq!(
        (
            e.user.as_str(),
            e.action.as_str(),
            e.subject.as_str(),
            e.detail.as_str(),
            e.reason.as_deref(),
            e.at.as_str()
        ),
        ("ann", "import", "`I1` FY2021", "d", Some("why"), T2)
    );
    assert_eq!(e.strategy.as_deref(), Some("s"), "the strategy in use");
    assert_eq!(
        e.values,
        Some((first, void)),
        "every row written, the void too"
    );
    assert_eq!(e.state, Some(ReviewState::Submitted));
    assert!(e.id > log[0].id);
    // Every row written has the state, the void aside; the value before has none.
    let states = s.states(None).unwrap();
    assert_eq!(
        states,
        [
            (first, ReviewState::Submitted),
            (last, ReviewState::Submitted)
        ]
        .into_iter()
        .collect()
    );
    assert_eq!(
        s.states(Some(&[before, last, void])).unwrap(),
        [(last, ReviewState::Submitted)].into_iter().collect()
    );
    let in_tx = s
        .write_values(false, |w| Ok((w.state(last)?, w.state(before)?)))
        .unwrap();
    assert_eq!(in_tx, (ReviewState::Submitted, ReviewState::Recorded));
    // A journal with the state `recorded` gives no state row.
    s.write_values(false, |w| {
        w.journal(&journal("ann", "record", ReviewState::Recorded));
        w.put(&value(id, "FY2022", 4.0, T3))
    })
    .unwrap();
    assert_eq!(s.states(None).unwrap().len(), 2);
    let e = value_log(s).pop().unwrap();
    assert_eq!(
        (e.action.as_str(), e.state),
        ("record", Some(ReviewState::Recorded))
    );
}

pub(crate) fn a_write_without_a_journal_is_logged_as_its_author(mut f: Fixture) {
    let id = loaded(&mut f);
    let s = &mut *f.store;
    s.set_author("bea");
    let ids = s
        .write_values(false, |w| {
            Ok([
                added(w.put(&value(id, "FY2020", 1.0, T1))?),
                added(w.put(&value(id, "FY2021", 1.0, T1))?),
            ])
        })
        .unwrap();
    let log = value_log(s);
    assert_eq!(log.len(), 1, "{log:?}");
    let e = &log[0];
    assert_eq!(
        (e.user.as_str(), e.action.as_str(), e.subject.as_str()),
        ("bea", "write", "values")
    );
    assert_eq!(e.values, Some((ids[0], ids[1])));
    assert_eq!(e.state, Some(ReviewState::Recorded));
    assert_eq!(e.strategy.as_deref(), Some("s"));
    assert!(s.states(None).unwrap().is_empty());
}

pub(crate) fn a_write_that_fails_or_writes_nothing_logs_nothing(mut f: Fixture) {
    let id = loaded(&mut f);
    let s = &mut *f.store;
    let log = all_log(s);
    for bulk in [false, true] {
        let err = s
            .write_values(bulk, |w| {
                w.journal(&journal("ann", "import", ReviewState::Submitted));
                w.put(&value(id, "FY2021", 2.0, T2))?;
                w.append_log(&LogEntry {
                    id: 0,
                    at: T2.into(),
                    user: "ann".into(),
                    strategy: None,
                    action: "lock".into(),
                    subject: "FY2021".into(),
                    detail: String::new(),
                    reason: None,
                    values: None,
                    state: None,
                })?;
                Err::<(), _>(Error::input("row 2 is wrong"))
            })
            .unwrap_err();
        assert_eq!(err.to_string(), "row 2 is wrong");
        assert_eq!(all_log(s), log, "bulk {bulk}");
        assert!(s.states(None).unwrap().is_empty());
    }
    // A value that is already there: nothing written, nothing logged.
    s.write_values(false, |w| w.put(&value(id, "FY2021", 2.0, T2)))
        .unwrap();
    let once = all_log(s);
    assert_eq!(once.len(), log.len() + 1);
    for bulk in [false, true] {
        s.write_values(bulk, |w| {
            w.journal(&journal("ann", "import", ReviewState::Submitted));
            w.import(&value(id, "FY2021", 2.0, T2), true)
        })
        .unwrap();
    }
    assert_eq!(all_log(s), once);
    assert!(s.states(None).unwrap().is_empty());
}

pub(crate) fn a_bulk_write_is_logged_like_one_row_at_a_time(mut f: Fixture) {
    let id = loaded(&mut f);
    let s = &mut *f.store;
    let mut ranges = Vec::new();
    for (round, (bulk, at)) in [(true, T1), (false, T2), (true, T3)]
        .into_iter()
        .enumerate()
    {
        let ids = s
            .write_values(bulk, |w| {
                w.journal(&journal("ann", "import", ReviewState::Submitted));
                let mut ids = Vec::new();
                for p in ["FY2020", "FY2021", "FY2021Q1"] {
                    let v = (10 * round + ids.len()) as f64;
                    match w.import(&value(id, p, v, at), true)? {
                        Imported::Added { id } | Imported::Corrected { id } => ids.push(id),
                        other => panic!("{other:?}"),
                    }
                }
                Ok(ids)
            })
            .unwrap();
        ranges.push((ids[0], ids[2]));
    }
    let log = value_log(s);
    assert_eq!(
        log.iter().map(|e| e.values.unwrap()).collect::<Vec<_>>(),
        ranges
    );
    // The corrected rows keep their state: it is the state they were given.
    let states = s.states(None).unwrap();
    assert_eq!(states.len(), 9);
    assert!(states.values().all(|s| *s == ReviewState::Submitted));
}

pub(crate) fn review_states_change_only_on_current_values_in_the_expected_state(mut f: Fixture) {
    let id = loaded(&mut f);
    let s = &mut *f.store;
    let (old, new) = s
        .write_values(false, |w| {
            w.journal(&journal("ann", "record", ReviewState::Submitted));
            Ok((
                added(w.put(&value(id, "FY2021", 1.0, T1))?),
                added(w.put(&value(id, "FY2021", 2.0, T2))?),
            ))
        })
        .unwrap();
    use ReviewState::{Approved, Recorded, Returned, Submitted};
    let changed = s
        .write_values(false, |w| {
            Ok([
                // Replaced: never changes.
                w.set_state(old, Submitted, Approved)?,
                // Not in the state expected.
                w.set_state(new, Returned, Approved)?,
                w.set_state(new, Recorded, Approved)?,
                // No such value.
                w.set_state(new + 100, Recorded, Approved)?,
                w.set_state(new, Submitted, Returned)?,
                w.state(new)? == Returned,
                w.set_state(new, Returned, Submitted)?,
                w.set_state(new, Submitted, Approved)?,
            ])
        })
        .unwrap();
    assert_eq!(
        changed,
        [false, false, false, false, true, true, true, true]
    );
    assert_eq!(
        s.states(None).unwrap(),
        [(old, Submitted), (new, Approved)].into_iter().collect()
    );
    // Back to recorded: the row goes.
    let back = s
        .write_values(false, |w| w.set_state(new, Approved, Recorded))
        .unwrap();
    assert!(back);
    assert_eq!(
        s.states(None).unwrap(),
        [(old, Submitted)].into_iter().collect()
    );
    // A value recorded without review can be given a state.
    let plain = s
        .write_values(false, |w| Ok(added(w.put(&value(id, "FY2022", 5.0, T3))?)))
        .unwrap();
    assert!(s
        .write_values(false, |w| w.set_state(plain, Recorded, Submitted))
        .unwrap());
    assert_eq!(s.states(Some(&[plain])).unwrap()[&plain], Submitted);
}

/// In the transaction that wrote them (a bulk write holds its rows until commit on
/// PostgreSQL): a new current row can be given a state, a row this write replaced cannot.
pub(crate) fn a_write_can_review_the_rows_it_writes(mut f: Fixture) {
    let id = loaded(&mut f);
    let s = &mut *f.store;
    let old = s
        .write_values(false, |w| Ok(added(w.put(&value(id, "FY2020", 1.0, T1))?)))
        .unwrap();
    use ReviewState::{Approved, Recorded, Submitted};
    for (bulk, at) in [(true, T2), (false, T3)] {
        let (new, again, changed) = s
            .write_values(bulk, |w| {
                let new = match w.import(&value(id, "FY2020", 2.0, at), true)? {
                    Imported::Corrected { id } => id,
                    other => panic!("{other:?}"),
                };
                let void = w
                    .void(&NewValue {
                        kind: Kind::Void,
                        ..value(id, "FY2020", 0.0, at)
                    })?
                    .is_some();
                let again = match w.import(&value(id, "FY2020", 3.0, at), true)? {
                    Imported::Added { id } | Imported::Corrected { id } => id,
                    other => panic!("{other:?}"),
                };
                Ok((
                    new,
                    again,
                    [
                        void,
                        // Replaced before this write, and in it.
                        w.set_state(old, Recorded, Approved)?,
                        w.set_state(new, Recorded, Approved)?,
                        // The void that ended the key.
                        w.set_state(new + 1, Recorded, Approved)?,
                        w.set_state(again, Submitted, Approved)?,
                        w.set_state(again, Recorded, Approved)?,
                    ],
                ))
            })
            .unwrap();
        assert_eq!(
            changed,
            [true, false, false, false, false, true],
            "bulk {bulk}"
        );
        assert_eq!(
            s.states(None).unwrap(),
            [(again, Approved)].into_iter().collect(),
            "bulk {bulk}"
        );
        assert_eq!(new + 2, again, "the void between");
        s.write_values(false, |w| w.set_state(again, Approved, Recorded))
            .unwrap();
    }
}

pub(crate) fn the_readers_count_what_set_counted_says(mut f: Fixture) {
    let id = loaded(&mut f);
    let s = &mut *f.store;
    let version = s.resolve_version(None).unwrap();
    // FY2019 recorded without review; FY2020 approved, FY2021 submitted, FY2022 returned.
    s.write_values(false, |w| w.put(&value(id, "FY2019", 1.0, T1)))
        .unwrap();
    let ids = s
        .write_values(false, |w| {
            w.journal(&journal("ann", "record", ReviewState::Submitted));
            let mut ids = Vec::new();
            for (p, v) in [("FY2020", 2.0), ("FY2021", 3.0), ("FY2022", 4.0)] {
                ids.push(added(w.put(&value(id, p, v, T1))?));
            }
            Ok(ids)
        })
        .unwrap();
    s.write_values(false, |w| {
        use ReviewState::{Approved, Returned, Submitted};
        assert!(w.set_state(ids[0], Submitted, Approved)?);
        assert!(w.set_state(ids[2], Submitted, Returned)?);
        Ok(())
    })
    .unwrap();
    let years = |s: &dyn Storage| -> [Vec<String>; 4] {
        let totals = s.current_totals(&version, PeriodRange::all()).unwrap();
        let mut totals: Vec<String> = totals.iter().map(|v| v.period.to_string()).collect();
        totals.sort();
        [
            totals,
            current(s).iter().map(|v| v.period.to_string()).collect(),
            s.current_values()
                .unwrap()
                .iter()
                .map(|v| v.period.to_string())
                .collect(),
            s.value_periods()
                .unwrap()
                .iter()
                .map(|(_, p)| p.to_string())
                .collect(),
        ]
    };
    let all = ["FY2019", "FY2020", "FY2021", "FY2022"].map(String::from);
    for (counted, want, latest) in [
        (Counted::All, &all[..], 2022),
        (Counted::Approved, &all[..2], 2020),
        (Counted::WithSubmitted, &all[..3], 2021),
    ] {
        s.set_counted(counted);
        for (reader, got) in years(s).iter().enumerate() {
            assert_eq!(got, want, "{counted:?}, reader {reader}");
        }
        assert_eq!(
            s.latest_value_year(&version, None).unwrap(),
            Some(latest),
            "{counted:?}"
        );
        // The history shows every row whatever is counted.
        assert_eq!(history(s).len(), 4);
    }
}

/// [`StrategyVersions::settings`] gives what the whole framework's `[settings]` are.
pub(crate) fn the_settings_are_read_alone(f: Fixture) {
    let mut store = f.store;
    let s = &mut *store;
    let text = FRAMEWORK.replacen(
        "version = \"v1\"\n",
        "version = \"v1\"\n[settings]\nreview = true\nlock_after_days = 45\n",
        1,
    );
    let fw = framework::parse_str(&text, "t.toml").unwrap();
    assert!(fw.settings.review, "the test framework turns review on");
    for (label, fw) in [("plain", framework("title = \"S\"")), ("reviewed", fw)] {
        s.save_version(&fw, label, None, T1).unwrap();
        let version = s.resolve_version(Some(label)).unwrap();
        assert_eq!(s.settings(&version).unwrap(), fw.settings, "{label}");
        assert_eq!(
            s.settings(&version).unwrap(),
            s.framework(&version).unwrap().settings,
            "{label}"
        );
    }
}

pub(crate) fn saving_a_version_logs_a_load(f: Fixture) {
    let mut store = f.store;
    let s = &mut *store;
    s.set_author("al");
    s.save_version(&framework("title = \"S\""), "v1", Some("s.toml"), T1)
        .unwrap();
    // Unchanged: not stored, not logged.
    s.save_version(&framework("title = \"S\""), "v1b", None, T2)
        .unwrap();
    s.save_version(&framework("title = \"S2\""), "v2", None, T2)
        .unwrap();
    // Inside a write: the journal's user.
    s.write_values(false, |w| {
        w.journal(&journal("cy", "copy", ReviewState::Recorded));
        w.save_version(&framework("title = \"S3\""), "v3", Some("c.toml"), T3)?;
        // Without a journal: the author.
        Ok(())
    })
    .unwrap();
    s.write_values(false, |w| {
        w.save_version(&framework("title = \"S4\""), "v4", None, T3)
    })
    .unwrap();
    let got: Vec<_> = all_log(s)
        .into_iter()
        .map(|e| {
            assert_eq!(e.strategy.as_deref(), Some("s"));
            assert_eq!((e.values, e.state, e.reason), (None, None, None));
            (e.user, e.action, e.subject, e.detail, e.at)
        })
        .collect();
    let row = |u: &str, v: &str, d: &str, at: &str| {
        (
            u.to_string(),
            "load".to_string(),
            format!("version {v}"),
            d.to_string(),
            at.to_string(),
        )
    };
    assert_eq!(
        got,
        [
            row("al", "v1", "from s.toml", T1),
            row("al", "v2", "", T2),
            row("cy", "v3", "from c.toml", T3),
            row("al", "v4", "", T3),
        ]
    );
}

pub(crate) fn the_audit_log_cannot_be_changed(mut f: Fixture) {
    let id = loaded(&mut f);
    let s = &mut *f.store;
    s.write_values(false, |w| w.put(&value(id, "FY2021", 1.0, T1)))
        .unwrap();
    let log = all_log(s);
    assert_eq!(log.len(), 2);
    let Some(sql) = &f.sql else {
        return;
    };
    for statement in [
        "UPDATE audit_log SET user_name = 'someone else'",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE action = 'write'",
    ] {
        let err = sql(statement).unwrap_err();
        assert!(err.contains("append-only"), "{statement}: {err}");
    }
    // Appending is what the log is for.
    sql(
        "INSERT INTO audit_log (at, user_name, action, subject, detail) \
         VALUES ('t', 'u', 'note', 's', '')",
    )
    .unwrap();
    let now = all_log(s);
    assert_eq!(&now[..2], &log[..]);
    assert_eq!(now.len(), 3);
}

pub(crate) fn the_log_is_read_by_time_user_strategy_and_reviewed_value(f: Fixture) {
    let mut store = f.store;
    let s = &mut *store;
    s.set_author("al");
    s.save_version(&strategy("a", "I1"), "v1", None, "2026-01-01T00:00:00Z")
        .unwrap();
    s.save_version(&strategy("b", "I1"), "v1", None, "2026-02-01T00:00:00Z")
        .unwrap();
    let entry = |user: &str, at: &str, action: &str, of: i64| LogEntry {
        id: 0,
        at: at.into(),
        user: user.into(),
        strategy: Some("b".into()),
        action: action.into(),
        subject: "x".into(),
        detail: String::new(),
        reason: None,
        values: Some((of, of)),
        state: Some(ReviewState::Approved),
    };
    s.write_values(false, |w| {
        w.append_log(&entry("bo", "2026-03-01T00:00:00Z", "approve", 7))?;
        w.append_log(&entry("bo", "2026-03-02T00:00:00Z", "return", 8))?;
        w.append_log(&entry("cy", "2026-03-03T00:00:00Z", "lock", 7))?;
        w.append_log(&LogEntry {
            strategy: None,
            ..entry("cy", "2026-03-04T00:00:00Z", "user-add", 7)
        })
    })
    .unwrap();
    let q =
        |since: Option<&str>, user: Option<&str>, strategy: Option<&str>, of: Option<&[i64]>| {
            s.log(&LogQuery {
                since: since.map(Into::into),
                user: user.map(Into::into),
                strategy: strategy.map(Into::into),
                reviews_of: of.map(<[i64]>::to_vec),
            })
            .unwrap()
            .into_iter()
            .map(|e| e.at[..10].to_string())
            .collect::<Vec<_>>()
        };
    assert_eq!(q(None, None, None, None).len(), 6);
    assert_eq!(
        q(Some("2026-02"), None, None, None),
        [
            "2026-02-01",
            "2026-03-01",
            "2026-03-02",
            "2026-03-03",
            "2026-03-04"
        ]
    );
    assert_eq!(
        q(Some("2026-03-02"), None, None, None),
        ["2026-03-02", "2026-03-03", "2026-03-04"]
    );
    assert_eq!(
        q(None, Some("bo"), None, None),
        ["2026-03-01", "2026-03-02"]
    );
    assert_eq!(q(None, Some("nobody"), None, None), Vec::<String>::new());
    assert_eq!(q(None, None, Some("a"), None), ["2026-01-01"]);
    assert_eq!(
        q(None, None, Some("b"), None),
        ["2026-02-01", "2026-03-01", "2026-03-02", "2026-03-03"]
    );
    // Only review entries of the values asked about (a lock is not a review).
    assert_eq!(q(None, None, None, Some(&[7])), ["2026-03-01"]);
    assert_eq!(
        q(None, None, None, Some(&[7, 8])),
        ["2026-03-01", "2026-03-02"]
    );
    assert_eq!(q(None, None, None, Some(&[])), Vec::<String>::new());
    assert_eq!(
        q(Some("2026-03-02"), Some("bo"), Some("b"), Some(&[7, 8])),
        ["2026-03-02"]
    );
    // Oldest first, by id, with every field back.
    let all = s.log(&LogQuery::default()).unwrap();
    assert!(all.windows(2).all(|w| w[0].id < w[1].id));
    let back = &all[2];
    assert_eq!(
        back,
        &LogEntry {
            id: back.id,
            ..entry("bo", "2026-03-01T00:00:00Z", "approve", 7)
        }
    );
    assert_eq!(all[5].strategy, None);
}

pub(crate) fn web_sessions_are_found_touched_and_ended(f: Fixture) {
    let mut store = f.store;
    let s = &mut *store;
    let (a, b) = ("a".repeat(64), "b".repeat(64));
    s.write_values(false, |w| w.put_user(&user("bo", Role::Reporter, None)))
        .unwrap();
    s.create_web_session(&a, None, "token-a", T1).unwrap();
    s.create_web_session(&b, Some("bo"), "token-b", T1).unwrap();
    let found = s.web_session(&a, T1).unwrap().unwrap();
    assert_eq!(
        found,
        WebSession {
            user: None,
            csrf: "token-a".into(),
            flash: None,
            created_at: T1.into(),
            seen_at: T1.into(),
        }
    );
    assert_eq!(
        s.web_session(&b, T1).unwrap().unwrap().user.as_deref(),
        Some("bo")
    );
    // Idle since before `T2`: not found, though still there.
    assert_eq!(s.web_session(&a, T2).unwrap(), None);
    assert_eq!(s.web_session(&"c".repeat(64), T1).unwrap(), None);
    // Marked seen only when last seen before the given time.
    assert!(!s.touch_web_session(&a, T2, T1).unwrap());
    assert!(s.touch_web_session(&a, T2, T2).unwrap());
    let touched = s.web_session(&a, T2).unwrap().unwrap();
    assert_eq!(
        (touched.created_at.as_str(), touched.seen_at.as_str()),
        (T1, T2)
    );
    // A message is taken once.
    s.set_web_flash(&a, "Recorded.").unwrap();
    assert_eq!(
        s.web_session(&a, T2).unwrap().unwrap().flash.as_deref(),
        Some("Recorded.")
    );
    assert_eq!(s.take_web_flash(&a).unwrap().as_deref(), Some("Recorded."));
    assert_eq!(s.take_web_flash(&a).unwrap(), None);
    assert_eq!(s.web_session(&a, T2).unwrap().unwrap().flash, None);
    // Another connection (another server) sees the same sessions.
    if let Some(reopen) = &f.reopen {
        let other = reopen();
        assert_eq!(other.web_session(&a, T2).unwrap().unwrap().csrf, "token-a");
    }
    // The check knows the tables; nothing of a session is logged.
    let report = s.check().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert!(all_log(s).is_empty(), "{:?}", all_log(s));
    // The sweep ends those idle since before the time given.
    assert_eq!(s.sweep_web_sessions(T2).unwrap(), 1);
    assert_eq!(s.web_session(&b, T1).unwrap(), None);
    assert!(s.web_session(&a, T2).unwrap().is_some());
    assert!(s.delete_web_session(&a).unwrap());
    assert!(!s.delete_web_session(&a).unwrap());
    assert_eq!(s.web_session(&a, T1).unwrap(), None);
}

pub(crate) fn failed_sign_ins_are_counted_per_key_and_window(f: Fixture) {
    let mut store = f.store;
    let s = &mut *store;
    s.record_signin_failure("user:ana", T1).unwrap();
    s.record_signin_failure("user:ana", T2).unwrap();
    s.record_signin_failure("user:ana", T2).unwrap();
    s.record_signin_failure("addr:10.0.0.1", T2).unwrap();
    assert_eq!(s.signin_failures("user:ana", T1).unwrap(), 3);
    assert_eq!(s.signin_failures("user:ana", T2).unwrap(), 2);
    assert_eq!(s.signin_failures("user:ana", T3).unwrap(), 0);
    assert_eq!(s.signin_failures("addr:10.0.0.1", T1).unwrap(), 1);
    assert_eq!(s.signin_failures("user:bo", T1).unwrap(), 0);
    if let Some(reopen) = &f.reopen {
        assert_eq!(reopen().signin_failures("user:ana", T1).unwrap(), 3);
    }
    s.clear_signin_failures("user:ana").unwrap();
    assert_eq!(s.signin_failures("user:ana", T1).unwrap(), 0);
    assert_eq!(s.signin_failures("addr:10.0.0.1", T1).unwrap(), 1);
    s.record_signin_failure("user:ana", T1).unwrap();
    assert_eq!(s.sweep_signin_failures(T2).unwrap(), 1);
    assert_eq!(s.signin_failures("user:ana", T1).unwrap(), 0);
    assert_eq!(s.signin_failures("addr:10.0.0.1", T1).unwrap(), 1);
    assert!(all_log(s).is_empty());
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
        let raw = path.clone();
        Fixture {
            store,
            reopen: Some(Box::new(move || open(&path, OpenMode::Existing).unwrap())),
            migrations: Some(migrations(dir.path().join("migrations.db"))),
            sql: Some(Box::new(move |sql| {
                Connection::open(&raw)
                    .and_then(|c| c.execute_batch(sql))
                    .map_err(|e| e.to_string())
            })),
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
    use crate::store::{open, OpenMode, WriteValues};

    fn fixture() -> Option<Fixture> {
        let db = TestServer::database()?;
        let other = TestServer::database()?;
        let url = db.url.clone();
        let raw = db.url.clone();
        let store = open(Path::new(&url), OpenMode::Create).unwrap();
        Some(Fixture {
            store,
            reopen: Some(Box::new(move || {
                open(Path::new(&url), OpenMode::Existing).unwrap()
            })),
            migrations: Some(migrations(other.url.clone())),
            sql: Some(Box::new(move |sql| {
                client(&raw).batch_execute(sql).map_err(|e| {
                    e.as_db_error()
                        .map_or_else(|| e.to_string(), |d| d.message().to_string())
                })
            })),
            _keep: Some(Box::new((db, other))),
        })
    }

    fn client(url: &str) -> Client {
        Client::connect(url, NoTls).unwrap()
    }

    /// What schema migrations 2 to 4 (the reporting cycle, sign-in, the web sessions) added:
    /// dropped, the database is at schema 1 exactly (they only add; the tables of schema 1 and what this program
    /// writes in them are as they were).
    const BACK_TO_1: &str =
        "DROP TABLE web_session, signin_failure, app_user, period_lock, value_state, audit_log; \
         DROP FUNCTION ics_audit_log_append_only(); \
         DELETE FROM ics_meta WHERE key = 'log_start'; \
         UPDATE ics_meta SET value = '1' WHERE key = 'schema_version'";

    /// The migration hooks for the database at `url`.
    fn migrations(url: String) -> Migrations {
        let (older, newer, opened, version, dump) =
            (url.clone(), url.clone(), url.clone(), url.clone(), url);
        Migrations {
            current: CURRENT_VERSION,
            // Schema 1: a version and a history (a correction, a void, a value after it)
            // written by this program, then taken back to schema 1.
            older: Some(Box::new(move || {
                let mut store = open(Path::new(&older), OpenMode::Create).unwrap();
                let id = super::load_into(&mut *store);
                store
                    .write_values(false, |w| {
                        w.put(&super::value(id, "FY2021", 1.0, super::T1))?;
                        w.put(&super::value(id, "FY2021", 2.0, super::T2))?;
                        w.put(&super::value(id, "FY2022", 5.0, super::T1))?;
                        w.void(&super::NewValue {
                            kind: super::Kind::Void,
                            ..super::value(id, "FY2022", 0.0, super::T2)
                        })?;
                        w.put(&super::value(id, "FY2022", 6.0, super::T3))
                    })
                    .unwrap();
                let rows = super::history(&*store)
                    .iter()
                    .map(super::HistoryRow::of)
                    .collect();
                drop(store);
                client(&older).batch_execute(BACK_TO_1).unwrap();
                rows
            })),
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
