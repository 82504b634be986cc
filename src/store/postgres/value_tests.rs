//! The PostgreSQL value store against the SQLite one: the same writes, one command at a time
//! or in bulk, must give the same outcomes (ids included) and the same history, row for row.
//! Each test takes its own database from [`super::testing`] (skipped without a server).

use std::collections::HashMap;

use super::testing::TestServer;
use super::PgStore;
use crate::error::Error;
use crate::framework;
use crate::period::{FiscalPeriod, PeriodRange};
use crate::store::{
    Imported, Keep, Kind, NewValue, OpenMode, Storage, Store, StoredValue, ValueQuery, ValueSink,
    ValueStore, WriteValues, Written,
};

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
  frequency = "quarterly"
  disaggregations = { sex = ["female", "male"] }
  baseline = { period = "FY2020", value = 1 }
  [[goal.indicator]]
  code = "I2"
  title = "J"
  unit = "people"
  direction = "increase"
"#;

/// The rows `ics load` of [`FRAMEWORK`] would store, written directly (the version readers
/// are another part of the store), plus a second strategy `t` whose indicator `I1` no read
/// of strategy `s` may see.
pub(super) const ROWS: &str = r#"
INSERT INTO strategy_version (strategy_code, label, title, loaded_at, content_hash,
    strategy_json, settings_json, node_count, indicator_count)
VALUES ('s', 'v1', 'S', '2026-01-15T12:00:00.000000Z', 'h1', '{}', '{}', 1, 2),
       ('t', 'v1', 'T', '2026-01-15T12:00:00.000000Z', 'h2', '{}', '{}', 1, 1);
INSERT INTO node (version_id, position, kind, code, title)
VALUES (1, 0, 'goal', 'G1', 'G'), (2, 0, 'goal', 'G1', 'G');
INSERT INTO indicator (strategy_code, code) VALUES ('s', 'I1'), ('s', 'I2'), ('t', 'I1');
INSERT INTO indicator_def (version_id, indicator_id, node_id, position, title, unit, direction,
    frequency, aggregation, disaggregations, illustrative, baseline_period, baseline_value)
VALUES (1, 1, 1, 0, 'I', 'people', 'increase', 'quarterly', 'sum',
        '{"sex":["female","male"]}', false, 20200, 1),
       (1, 2, 1, 1, 'J', 'people', 'increase', 'annual', 'sum', '{}', false, NULL, NULL),
       (2, 3, 2, 0, 'I', 'people', 'increase', 'annual', 'sum', '{}', false, NULL, NULL);
"#;

/// A PostgreSQL store holding [`ROWS`], using strategy `s`; `None` without a server.
pub(super) fn pg_store() -> Option<(TestServer, PgStore)> {
    let db = TestServer::database()?;
    let mut store = PgStore::open(&db.url, OpenMode::Create).unwrap();
    store.client.get_mut().batch_execute(ROWS).unwrap();
    store.strategy = Some("s".into());
    Some((db, store))
}

fn sqlite_store() -> Store {
    let mut store = Store::open_in_memory().unwrap();
    let fw = framework::parse_str(FRAMEWORK, "t.toml").unwrap();
    store
        .save_version(&fw, "v1", None, "2026-01-15T12:00:00.000000Z")
        .unwrap();
    store
}

fn history(s: &dyn Storage) -> Vec<StoredValue> {
    let mut all = Vec::new();
    let q = ValueQuery {
        include_replaced: true,
        ..ValueQuery::default()
    };
    s.each_value(&q, &mut |v| {
        all.push(v);
        Ok(())
    })
    .unwrap();
    all
}

/// A tiny deterministic random generator (xorshift), so a failure can be replayed by seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const TIMES: [&str; 3] = [
    "2026-01-15T12:00:00.000000Z",
    "2026-01-16T12:00:00.000000Z",
    "2026-01-17T12:00:00.000000Z",
];
const NOTES: [Option<&str>; 3] = [None, Some("a"), Some("b")];
const KEYS: [(&str, &str, &str); 4] = [
    ("I1", "FY2021", ""),
    ("I1", "FY2021Q1", ""),
    ("I1", "FY2021", "sex=female"),
    ("I2", "FY2022", ""),
];

/// One random value for a key, as `record`, `explain`, `void` or an import row would give it.
fn random_value<'a>(rng: &mut Rng, ids: &HashMap<String, i64>) -> NewValue<'a> {
    let (code, period, disaggregation) = KEYS[rng.below(KEYS.len() as u64) as usize];
    let value = rng.below(3) as f64;
    NewValue {
        indicator_id: ids[code],
        period: period.parse().unwrap(),
        disaggregation,
        value,
        parts: (rng.below(4) == 0).then_some((value, 1.0 + rng.below(2) as f64)),
        note: NOTES[rng.below(3) as usize],
        source: NOTES[rng.below(3) as usize],
        recorded_by: ["me", "you"][rng.below(2) as usize],
        recorded_at: TIMES[rng.below(3) as usize],
        keep: if rng.below(2) == 0 {
            Keep::UNSAID
        } else {
            Keep::AS_GIVEN
        },
        kind: match rng.below(8) {
            0 => Kind::Explanation,
            1 => Kind::Void,
            _ => Kind::Value,
        },
    }
}

/// What one command did, in terms both backends give.
#[derive(Debug, PartialEq)]
enum Outcome {
    Put(Written),
    Void(Option<f64>, Option<i64>),
    Import(Vec<String>),
    Failed(String),
}

/// One random command (a record, a void, or a bulk import of a few rows, some of which may
/// fail), run against `s`.
fn command(s: &mut dyn Storage, seed: u64) -> Outcome {
    let ids = s.indicator_ids().unwrap();
    let mut rng = Rng(seed);
    let v = random_value(&mut rng, &ids);
    match rng.below(4) {
        0 => match s.write_values(false, |w| {
            w.put(&NewValue {
                kind: Kind::Value,
                ..v
            })
        }) {
            Ok(w) => Outcome::Put(w),
            Err(e) => Outcome::Failed(e.to_string()),
        },
        1 => match s.write_values(false, |w| {
            w.void(&NewValue {
                kind: Kind::Void,
                ..v
            })
        }) {
            Ok(old) => Outcome::Void(old.as_ref().map(|o| o.value), old.map(|o| o.id)),
            Err(e) => Outcome::Failed(e.to_string()),
        },
        _ => {
            let n = 1 + rng.below(6);
            let fail_at = (rng.below(5) == 0).then(|| rng.below(n));
            let result = s.write_values(rng.below(4) != 0, |w| {
                let mut seen = Vec::new();
                for i in 0..n {
                    if fail_at == Some(i) {
                        return Err(Error::input("stop"));
                    }
                    let v = random_value(&mut rng, &ids);
                    let dated = rng.below(2) == 0;
                    let imported = match w.import(&v, dated) {
                        Ok(i) => i,
                        Err(Error::Input { message, .. }) => {
                            seen.push(format!("refused: {message}"));
                            continue;
                        }
                        Err(e) => return Err(e),
                    };
                    let mut line = format!("{imported:?}");
                    if let Imported::Added { id } | Imported::Corrected { id } = imported {
                        line +=
                            &format!(" new {} corrected {:?}", w.is_new(id), w.corrected_by(id)?);
                    }
                    line += &format!(
                        " current {:?} {:?}",
                        w.current_id(&v)?,
                        w.current_value(v.indicator_id, v.period, v.disaggregation)?
                    );
                    seen.push(line);
                }
                Ok(seen)
            });
            match result {
                Ok(seen) => Outcome::Import(seen),
                Err(e) => Outcome::Failed(e.to_string()),
            }
        }
    }
}

/// Random sequences of commands give the same outcomes and the same history on both backends.
#[test]
fn random_writes_match_the_sqlite_store() {
    let Some((_db, mut pg)) = pg_store() else {
        return;
    };
    for sequence in 0..60u64 {
        pg.client
            .get_mut()
            .batch_execute("TRUNCATE value RESTART IDENTITY")
            .unwrap();
        let mut lite = sqlite_store();
        for step in 0..12u64 {
            let seed = 0x9E37_79B9_7F4A_7C15 ^ (sequence * 1000 + step + 1);
            let a = command(&mut lite, seed);
            let b = command(&mut pg, seed);
            assert_eq!(a, b, "sequence {sequence}, step {step}");
            assert_eq!(
                history(&lite),
                history(&pg),
                "sequence {sequence}, step {step}"
            );
        }
        let report = pg.check_server_and_tables().unwrap();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
    }
}

/// Reads are scoped to the strategy in use, and give what the SQLite store gives.
#[test]
fn reads_match_and_stay_in_their_strategy() {
    let Some((_db, mut pg)) = pg_store() else {
        return;
    };
    let mut lite = sqlite_store();
    // A value of the other strategy's `I1` (id 3): never read through strategy `s`.
    pg.client
        .get_mut()
        .batch_execute(
            "INSERT INTO value (indicator_id, period, disaggregation, value, recorded_by, \
             recorded_at) VALUES (3, 20210, '', 99, 'x', '2026-01-15T12:00:00.000000Z'); \
             SELECT setval(pg_get_serial_sequence('value', 'id'), 1000)",
        )
        .unwrap();
    for s in [&mut lite as &mut dyn Storage, &mut pg] {
        let ids = s.indicator_ids().unwrap();
        assert_eq!(ids.len(), 2);
        let at = TIMES[0];
        let rows: Vec<NewValue<'_>> = [
            ("I1", "FY2021Q1", "", 1.0),
            ("I1", "FY2021Q2", "", 2.0),
            ("I1", "FY2021Q1", "sex=female", 0.5),
            ("I1", "FY2022", "", 4.0),
            ("I2", "FY2021", "", 7.0),
            ("I2", "FY2021", "", 8.0),
        ]
        .into_iter()
        .map(|(code, p, d, value)| NewValue {
            indicator_id: ids[code],
            period: p.parse().unwrap(),
            disaggregation: d,
            value,
            parts: None,
            note: Some("n"),
            source: None,
            recorded_by: "me",
            recorded_at: at,
            keep: Keep::AS_GIVEN,
            kind: Kind::Value,
        })
        .collect();
        s.write_values(true, |w| {
            for r in &rows {
                w.import(r, false)?;
            }
            Ok(())
        })
        .unwrap();
    }
    let norm = |s: &dyn Storage| {
        (
            history(s)
                .into_iter()
                .map(|v| (v.indicator, v.period, v.disaggregation, v.value, v.kind))
                .collect::<Vec<_>>(),
            format!("{:?}", s.current_values().unwrap()),
            s.value_periods().unwrap(),
            s.never_negative(s.indicator_ids().unwrap()["I1"]).unwrap(),
            s.never_negative(s.indicator_ids().unwrap()["I2"]).unwrap(),
        )
    };
    let (a, b) = (norm(&lite), norm(&pg));
    assert_eq!(a.0, b.0);
    assert_eq!(a.1, b.1);
    assert_eq!(a.2, b.2);
    assert_eq!((a.3, a.4), (true, false));
    assert_eq!((b.3, b.4), (true, false));
    // Newest first, and one indicator only.
    let newest = |s: &dyn Storage| {
        let q = ValueQuery {
            include_replaced: true,
            newest_first: true,
            indicators: vec![s.indicator_ids().unwrap()["I2"]],
            periods: Some(PeriodRange::fiscal_years(2021, 2021)),
        };
        let mut out = Vec::new();
        s.each_value(&q, &mut |v| {
            out.push((v.value, v.replaced_by.is_some(), v.replaced_at));
            Ok(())
        })
        .unwrap();
        out
    };
    assert_eq!(newest(&lite), newest(&pg));
    assert_eq!(newest(&pg).len(), 2);
}

/// The PostgreSQL-only parts of the totals and the latest year (the version readers are not
/// here, so the version is given by id).
#[test]
fn totals_and_latest_year_by_version() {
    let Some((_db, mut pg)) = pg_store() else {
        return;
    };
    let ids = pg.indicator_ids().unwrap();
    let v = |code: &str, p: &str, d: &'static str, value: f64| NewValue {
        indicator_id: ids[code],
        period: p.parse().unwrap(),
        disaggregation: d,
        value,
        parts: (d == "sex=female").then_some((value, 1.0)),
        note: None,
        source: None,
        recorded_by: "me",
        recorded_at: TIMES[0],
        keep: Keep::AS_GIVEN,
        kind: Kind::Value,
    };
    let rows = [
        v("I1", "FY2021Q1", "", 1.0),
        v("I1", "FY2021Q1", "sex=female", 2.0),
        v("I1", "FY2024Q1", "sex=female", 3.0),
        v("I2", "FY2021", "", 5.0),
    ];
    pg.write_values(true, |w| {
        for r in &rows {
            w.import(r, false)?;
        }
        Ok(())
    })
    .unwrap();
    let version = crate::store::VersionInfo {
        id: 1,
        label: "v1".into(),
        strategy: "s".into(),
        title: "S".into(),
        loaded_at: TIMES[0].into(),
        content_hash: "h1".into(),
        source_file: None,
        nodes: 1,
        indicators: 2,
    };
    let mut got: Vec<String> = pg
        .current_totals(&version, FiscalPeriod::year(2021).span())
        .unwrap()
        .iter()
        .map(|v| {
            format!(
                "{} {} {} {} {:?}",
                v.indicator,
                v.period,
                v.disaggregation(),
                v.value,
                v.parts()
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            "I1 FY2021Q1  1 None",
            "I1 FY2021Q1  1 None",
            "I1 FY2021Q1 sex=female 2 Some((2.0, 1.0))",
            "I2 FY2021  5 None",
        ]
    );
    assert_eq!(pg.latest_value_year(&version, None).unwrap(), Some(2024));
    assert_eq!(
        pg.latest_value_year(&version, Some(PeriodRange::fiscal_years(2000, 2023)))
            .unwrap(),
        Some(2021)
    );
}

/// A bulk import that reads what is stored in batches of indicators: a database with values
/// already, re-imported and corrected, gives the SQLite store's outcomes.
#[test]
fn a_bulk_import_over_stored_values_matches() {
    let Some((_db, mut pg)) = pg_store() else {
        return;
    };
    let mut lite = sqlite_store();
    let run = |s: &mut dyn Storage, pass: usize| -> Vec<Imported> {
        let ids = s.indicator_ids().unwrap();
        s.write_values(true, |w| {
            let mut out = Vec::new();
            for (i, (code, p, d)) in KEYS.iter().enumerate() {
                let v = NewValue {
                    indicator_id: ids[*code],
                    period: p.parse().unwrap(),
                    disaggregation: d,
                    value: (i + pass % 2) as f64,
                    parts: None,
                    note: None,
                    source: None,
                    recorded_by: "me",
                    recorded_at: TIMES[pass % 3],
                    keep: Keep::UNSAID,
                    kind: Kind::Value,
                };
                out.push(w.import(&v, pass >= 2)?);
            }
            Ok(out)
        })
        .unwrap()
    };
    for pass in 0..5 {
        assert_eq!(run(&mut lite, pass), run(&mut pg, pass), "pass {pass}");
        assert_eq!(history(&lite), history(&pg), "pass {pass}");
    }
}

/// A failed bulk write leaves nothing, and the identity sequence never hands out an id the
/// sink used.
#[test]
fn a_failed_write_leaves_nothing_and_ids_stay_unique() {
    let Some((_db, mut pg)) = pg_store() else {
        return;
    };
    let id = pg.indicator_ids().unwrap()["I2"];
    let v = |value: f64| NewValue {
        indicator_id: id,
        period: FiscalPeriod::year(2021),
        disaggregation: "",
        value,
        parts: None,
        note: None,
        source: None,
        recorded_by: "me",
        recorded_at: TIMES[0],
        keep: Keep::AS_GIVEN,
        kind: Kind::Value,
    };
    for bulk in [true, false] {
        let err = pg
            .write_values(bulk, |w| {
                w.import(&v(1.0), false)?;
                w.import(&v(2.0), false)?;
                Err::<(), _>(Error::input("stop"))
            })
            .unwrap_err();
        assert_eq!(err.to_string(), "stop");
        assert!(history(&pg).is_empty());
    }
    let added = pg.write_values(false, |w| w.put(&v(1.0))).unwrap();
    assert_eq!(added, Written::Added { id: 1 });
    // Another writer inserting with the column's default gets a fresh id.
    let next: i64 = pg
        .client
        .get_mut()
        .query_one(
            "INSERT INTO value (indicator_id, period, value, recorded_by, recorded_at) \
             VALUES ($1, 20300, 1, 'x', 'y') RETURNING id",
            &[&id],
        )
        .unwrap()
        .get(0);
    assert_eq!(next, 2);
    let text = NewValue {
        note: Some("nul \0 here"),
        ..v(5.0)
    };
    let err = pg
        .write_values(true, |w| w.import(&text, false))
        .unwrap_err();
    assert!(err.to_string().contains("NUL character"), "{err}");
}

/// `value` has no foreign keys (see `schema.rs`): a write whose rows would not link up (an
/// indicator that does not exist, a `replaced_by` naming no row) is refused before commit,
/// one row at a time and in bulk, and leaves nothing.
#[test]
fn a_write_that_would_not_link_up_saves_nothing() {
    let Some((_db, mut pg)) = pg_store() else {
        return;
    };
    let id = pg.indicator_ids().unwrap()["I2"];
    let v = |indicator_id: i64| NewValue {
        indicator_id,
        period: FiscalPeriod::year(2021),
        disaggregation: "",
        value: 1.0,
        parts: None,
        note: None,
        source: None,
        recorded_by: "me",
        recorded_at: TIMES[0],
        keep: Keep::AS_GIVEN,
        kind: Kind::Value,
    };
    let refused = "could not record the values: they would not link up";
    for bulk in [true, false] {
        let err = pg
            .write_values(bulk, |w| {
                w.put(&v(id))?;
                w.put(&v(999))
            })
            .unwrap_err();
        assert!(err.to_string().starts_with(refused), "{err}");
        assert!(history(&pg).is_empty());
        // A link to a row that does not exist, which only a bug in the sink could make.
        let shown = pg.shown.clone();
        let tx = pg.write_tx("test").unwrap();
        let mut sink = super::sink::PgSink::new(tx, bulk, shown).unwrap();
        let Written::Added { id: new } = sink.put(&v(id)).unwrap() else {
            panic!("not added");
        };
        sink.link(new, new + 100).unwrap();
        let err = sink.commit().unwrap_err();
        assert!(err.to_string().starts_with(refused), "{err}");
        assert!(history(&pg).is_empty());
    }
    // The same writes, linking up, are saved.
    for bulk in [true, false] {
        pg.write_values(bulk, |w| w.put(&v(id))).unwrap();
    }
    assert_eq!(history(&pg).len(), 1);
}

/// A few values, one corrected, one voided: a healthy history for `check`.
pub(super) fn with_values(pg: &mut PgStore) {
    let ids = pg.indicator_ids().unwrap();
    let v = |code: &str, value: f64, at: &'static str| NewValue {
        indicator_id: ids[code],
        period: FiscalPeriod::year(2021),
        disaggregation: "",
        value,
        parts: None,
        note: None,
        source: None,
        recorded_by: "me",
        recorded_at: at,
        keep: Keep::AS_GIVEN,
        kind: Kind::Value,
    };
    pg.write_values(false, |w| w.put(&v("I1", 1.0, TIMES[0])))
        .unwrap();
    pg.write_values(false, |w| w.put(&v("I1", 2.0, TIMES[1])))
        .unwrap();
    pg.write_values(false, |w| w.put(&v("I2", 3.0, TIMES[0])))
        .unwrap();
    pg.write_values(false, |w| {
        w.void(&NewValue {
            kind: Kind::Void,
            note: Some("typo"),
            ..v("I2", 0.0, TIMES[1])
        })
    })
    .unwrap();
}

/// A healthy database checks clean, with PostgreSQL's own checks run and nothing left behind;
/// each kind of damage is found and named.
#[test]
fn check_finds_damage_and_leaves_nothing() {
    let Some((_db, mut pg)) = pg_store() else {
        return;
    };
    let empty = pg.check_server_and_tables().unwrap();
    assert!(empty.problems.is_empty(), "{:?}", empty.problems);
    with_values(&mut pg);
    let report = pg.check_server_and_tables().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let checked = report.checked.join("\n");
    assert!(checked.contains("amcheck"), "{checked}");
    assert!(checked.contains("4 recorded value(s)"), "{checked}");
    let extensions: i64 = pg
        .client
        .get_mut()
        .query_one(
            "SELECT count(*) FROM pg_extension WHERE extname = 'amcheck'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(extensions, 0, "the check left amcheck installed");
    for (damage, found) in [
        ("DROP INDEX value_void", "the index `value_void` is missing"),
        (
            "UPDATE value SET value = 'NaN' WHERE id = 2",
            "hold an infinite or not-a-number value in the column `value`",
        ),
        (
            "UPDATE value SET replaced_by = id WHERE id = 2",
            "`I1` FY2021 has 0 current values (exactly one expected)",
        ),
        (
            "UPDATE value SET replaced_by = 3 WHERE id = 1",
            "value 1 is marked as corrected by value 3, which is for another indicator",
        ),
        (
            "ALTER TABLE value ADD COLUMN extra INT; ALTER TABLE value DROP COLUMN note",
            "the table `value` has no column `note`",
        ),
        (
            "UPDATE value SET indicator_id = 999 WHERE id = 4",
            "1 value(s) name the indicator id 999, which is not in the table `indicator`",
        ),
        (
            "UPDATE value SET replaced_by = 99 WHERE id = 1",
            "value 1 is marked as corrected by value 99, which does not exist",
        ),
        (
            "UPDATE value SET period = 20215 WHERE id = 3",
            "the period stored as 20215 in the table `value`",
        ),
        // Last: a sequence does not roll back.
        (
            "SELECT setval(pg_get_serial_sequence('value', 'id'), 1)",
            "the id sequence of the table `value` is behind",
        ),
    ] {
        // The damage is made in a transaction the check's own joins (with a warning) and
        // rolls back at its end, so each case starts from the healthy database.
        pg.client
            .get_mut()
            .batch_execute(&format!("BEGIN; {damage}"))
            .unwrap();
        let report = pg.check_server_and_tables().unwrap();
        assert!(
            report.problems.iter().any(|p| p.contains(found)),
            "{damage}: {:?}",
            report.problems
        );
    }
}

/// A user who may read ics's tables but not run amcheck's functions gets a clean check that
/// says amcheck was not run (not a false problem), even with amcheck installed.
#[test]
fn check_without_the_right_to_run_amcheck_says_so() {
    let Some((db, mut pg)) = pg_store() else {
        return;
    };
    with_values(&mut pg);
    let role = format!("ics_check_{}", std::process::id());
    let admin = pg.client.get_mut();
    admin
        .batch_execute(&format!(
            "CREATE EXTENSION IF NOT EXISTS amcheck; DROP ROLE IF EXISTS {role}; \
             CREATE ROLE {role} LOGIN; \
             GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}; \
             GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"
        ))
        .unwrap();
    let url = db.url.replacen("postgres@", &format!("{role}@"), 1);
    let report = {
        let mut reader = PgStore::open(&url, OpenMode::Existing).unwrap();
        reader.strategy = Some("s".into());
        reader.check_server_and_tables().unwrap()
    };
    let _ = pg
        .client
        .get_mut()
        .batch_execute(&format!("DROP OWNED BY {role}; DROP ROLE {role}"));
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let checked = report.checked.join("\n");
    assert!(checked.contains("amcheck not run"), "{checked}");
    assert!(checked.contains("tracker invariants"), "{checked}");
}

/// `record` reads one key through the indexes, whatever the size of the history: neither of
/// its reads scans the value table.
#[test]
fn reading_a_key_uses_the_indexes() {
    let Some((_db, mut pg)) = pg_store() else {
        return;
    };
    let c = pg.client.get_mut();
    c.batch_execute(
        "INSERT INTO value (indicator_id, period, value, recorded_by, recorded_at, replaced_by) \
         SELECT 1 + g % 2, 20000 + g * 10, g, 'x', 'y', NULL FROM generate_series(1, 30000) g; \
         INSERT INTO value (indicator_id, period, value, recorded_by, recorded_at, replaced_by) \
         SELECT 1, 20000 + g * 10, g, 'x', 'y', g FROM generate_series(1, 30000, 2) g; \
         ANALYZE value",
    )
    .unwrap();
    for sql in [super::sink::KEY_CURRENT, super::sink::KEY_HISTORY] {
        let plan: Vec<String> = c
            .query(&format!("EXPLAIN {sql}"), &[&1i64, &20010i64, &""])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        let plan = plan.join("\n");
        assert!(!plan.contains("Seq Scan on value"), "{plan}");
    }
}
