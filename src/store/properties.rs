//! Property tests of value history: random sequences of records and corrections (one command
//! each, or several in one bulk import) leave exactly one current value per (indicator,
//! period, disaggregation), equal to the last one written, with every earlier value kept.

use crate::store::period_key::PeriodKey;
use std::collections::HashMap;

use proptest::prelude::*;

use super::{NewValue, Store, Written};
use crate::framework::parse_str;
use crate::period::FiscalPeriod;

const FRAMEWORK: &str = r#"
[strategy]
code = "p"
title = "P"
version = "1"
[[goal]]
code = "G"
title = "G"
[[goal.indicator]]
code = "A"
title = "A"
unit = "people"
direction = "increase"
frequency = "quarterly"
disaggregations = { sex = ["female", "male"] }
[[goal.indicator]]
code = "B"
title = "B"
unit = "percent"
direction = "decrease"
"#;

/// One write: key (indicator, period, disaggregation), value, note; `bulk` groups it with the
/// writes after it into one import.
#[derive(Debug, Clone)]
struct Op {
    key: usize,
    value: u8,
    note: Option<u8>,
    bulk: bool,
}

fn keys() -> Vec<(&'static str, FiscalPeriod, &'static str)> {
    vec![
        ("A", FiscalPeriod::quarter(2021, 1), ""),
        ("A", FiscalPeriod::quarter(2021, 1), "sex=female"),
        ("A", FiscalPeriod::year(2021), ""),
        ("B", FiscalPeriod::year(2021), ""),
        ("B", FiscalPeriod::year(2022), ""),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    (
        0..5usize,
        0u8..4,
        proptest::option::of(0u8..2),
        any::<bool>(),
    )
        .prop_map(|(key, value, note, bulk)| Op {
            key,
            value,
            note,
            bulk,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn one_current_value_per_key_and_all_history_kept(ops in proptest::collection::vec(op(), 1..40)) {
        let mut store = Store::open_in_memory().unwrap();
        let fw = parse_str(FRAMEWORK, "p.toml").unwrap();
        store.save_version(&fw, "1", None, "2026-01-15T12:00:00.000000Z").unwrap();
        let ids = store.indicator_ids().unwrap();
        let keys = keys();
        let notes = ["first note", "=second; note"];
        let mut last: HashMap<usize, (u8, Option<u8>)> = HashMap::new();
        let mut written = 0i64;
        let mut i = 0;
        while i < ops.len() {
            // A run of bulk ops is one import; a plain op is one `record`.
            let end = if ops[i].bulk {
                ops[i..].iter().position(|o| !o.bulk).map_or(ops.len(), |p| i + p)
            } else {
                i + 1
            };
            let batch = &ops[i..end];
            let results = store.write_values(ops[i].bulk, |w| {
                let mut out = Vec::new();
                for (n, op) in batch.iter().enumerate() {
                    let (code, period, disagg) = keys[op.key];
                    let at = format!("2026-01-01T00:00:{:02}.{:06}Z", n % 60, i);
                    let v = NewValue {
                        indicator_id: ids[code],
                        period,
                        disaggregation: disagg,
                        value: op.value as f64,
                        parts: None,
                        note: op.note.map(|n| notes[n as usize]),
                        source: None,
                        recorded_by: "prop",
                        recorded_at: &at,
                        keep: super::Keep::AS_GIVEN,
                        kind: super::Kind::Value,
                    };
                    out.push(w.put(&v)?);
                }
                Ok(out)
            }).unwrap();
            for (op, result) in batch.iter().zip(results) {
                let before = last.insert(op.key, (op.value, op.note));
                match result {
                    Written::Unchanged => prop_assert_eq!(before, Some((op.value, op.note))),
                    Written::Added { .. } => { prop_assert!(before.is_none()); written += 1 }
                    Written::Corrected { .. } => { prop_assert!(before.is_some()); written += 1 }
                }
            }
            i = end;
        }
        let report = store.check().unwrap();
        prop_assert!(report.problems.is_empty(), "{:?}", report.problems);
        let total: i64 = store.conn.query_row("SELECT count(*) FROM value", [], |r| r.get(0)).unwrap();
        prop_assert_eq!(total, written, "every written value is kept");
        for (key, (value, note)) in &last {
            let (code, period, disagg) = keys[*key];
            let (v, n): (f64, Option<String>) = store.conn.query_row(
                "SELECT value, note FROM value WHERE indicator_id = ?1 AND period = ?2 \
                 AND disaggregation = ?3 AND replaced_by IS NULL",
                rusqlite::params![ids[code], period.key(), disagg],
                |r| Ok((r.get(0)?, r.get(1)?)),
            ).unwrap();
            prop_assert_eq!(v, *value as f64);
            prop_assert_eq!(n.as_deref(), note.map(|n| notes[n as usize]));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// No CSV input makes the importer panic, and a rejected file writes nothing.
    #[test]
    fn the_csv_importer_never_panics(body in proptest::collection::vec(
        prop_oneof![
            Just("A,FY2021Q1,1\n".to_string()),
            Just("B,FY2021,101\n".to_string()),
            Just("A,FY2021Q1,\"1,5\"\n".to_string()),
            Just("\"A\",fy2021q2,  42 \r\n".to_string()),
            Just("A,FY2021Q5,NaN,x,y\n".to_string()),
            Just("\n".to_string()),
            "[ -~\u{feff}\u{200f}é,\"\n\r]{0,30}",
        ],
        0..20,
    ), header in prop_oneof![
        Just("indicator,period,value\n".to_string()),
        Just("\u{feff}indicator,period,value,note,disaggregation\r\n".to_string()),
        Just("value,indicator\n".to_string()),
        "[a-z,]{0,30}\n",
    ]) {
        let mut store = Store::open_in_memory().unwrap();
        let fw = parse_str(FRAMEWORK, "p.toml").unwrap();
        store.save_version(&fw, "1", None, "2026-01-15T12:00:00.000000Z").unwrap();
        let dir = std::env::temp_dir().join(format!("ics-prop-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("values.csv");
        std::fs::write(&file, format!("{header}{}", body.concat())).unwrap();
        let catalog = crate::values::Catalog::load(&store).unwrap();
        let result = crate::values::import_csv(&mut store, &catalog, &file, "prop", None, &mut |_| {});
        let total: i64 = store.conn.query_row("SELECT count(*) FROM value", [], |r| r.get(0)).unwrap();
        if result.is_err() {
            prop_assert_eq!(total, 0, "a rejected import wrote rows");
        }
        prop_assert!(store.check().unwrap().problems.is_empty());
    }
}
