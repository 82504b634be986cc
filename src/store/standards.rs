//! Read queries for the standards commands (`export iati`, `lint`): the current recorded
//! values with their period, disaggregation and note, and the (indicator, period) pairs that
//! have any. A stored value that is not a number is returned as such (not as an error), so the
//! export can name it before writing anything.

use rusqlite::types::Value as Cell;

use super::{map_err, stored_period, Store};
use crate::error::Error;
use crate::period::FiscalPeriod;

/// One current value (`replaced_by IS NULL`) as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct CurrentValue {
    pub indicator: String,
    pub period: FiscalPeriod,
    /// `''` for the total, else `key=value;key=value` sorted by key.
    pub disaggregation: String,
    /// The number, or what the database holds instead, as text.
    pub value: Result<f64, String>,
    pub note: Option<String>,
}

impl Store {
    /// Every current value, by indicator code, period and disaggregation.
    pub fn current_values(&self) -> Result<Vec<CurrentValue>, Error> {
        let ctx = "read the recorded values";
        let counted = super::workflow::state_clause(&self.conn, self.counted)?;
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT i.code, v.period, v.disaggregation, v.value, v.note FROM value v \
                 JOIN indicator i ON i.id = v.indicator_id WHERE v.replaced_by IS NULL{counted} \
                 AND i.strategy_code = ?1 ORDER BY i.code, v.period, v.disaggregation"
            ))
            .map_err(|e| map_err(e, ctx))?;
        let mut rows = stmt
            .query([self.strategy_in_use()])
            .map_err(|e| map_err(e, ctx))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(|e| map_err(e, ctx))? {
            let indicator: String = r.get("code").map_err(|e| map_err(e, ctx))?;
            let key: i64 = r.get("period").map_err(|e| map_err(e, ctx))?;
            let period = stored_period(key, ctx)?;
            let value = match r.get::<_, Cell>("value").map_err(|e| map_err(e, ctx))? {
                Cell::Real(v) => Ok(v),
                Cell::Integer(v) => Ok(v as f64),
                Cell::Text(t) => Err(t),
                Cell::Null => Err("nothing".into()),
                Cell::Blob(b) => Err(format!("{} bytes of binary data", b.len())),
            };
            out.push(CurrentValue {
                indicator,
                period,
                disaggregation: r.get("disaggregation").map_err(|e| map_err(e, ctx))?,
                value,
                note: r.get("note").map_err(|e| map_err(e, ctx))?,
            });
        }
        Ok(out)
    }

    /// Every (indicator code, period) that has a current value, each once, in order.
    pub fn value_periods(&self) -> Result<Vec<(String, FiscalPeriod)>, Error> {
        let ctx = "read the periods of the recorded values";
        let counted = super::workflow::state_clause(&self.conn, self.counted)?;
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT DISTINCT i.code, v.period FROM value v \
                 JOIN indicator i ON i.id = v.indicator_id WHERE v.replaced_by IS NULL{counted} \
                 AND i.strategy_code = ?1 ORDER BY i.code, v.period"
            ))
            .map_err(|e| map_err(e, ctx))?;
        let rows = stmt
            .query_map([self.strategy_in_use()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })
            .map_err(|e| map_err(e, ctx))?;
        let mut out = Vec::new();
        for row in rows {
            let (code, key) = row.map_err(|e| map_err(e, ctx))?;
            let period = stored_period(key, ctx)?;
            out.push((code, period));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::parse_str;

    const FW: &str = r#"
[strategy]
code = "s"
title = "S"
version = "v1"

[[goal]]
code = "G1"
title = "Goal"

  [[goal.indicator]]
  code = "I1"
  title = "One"
  unit = "people"
  direction = "increase"
"#;

    fn store_with_values(rows: &[(i64, &str, &str, Option<i64>)]) -> Store {
        let mut store = Store::open_in_memory().unwrap();
        let fw = parse_str(FW, "fw.toml").unwrap();
        store
            .save_version(&fw, "v1", None, "2026-01-15T12:00:00.000000Z")
            .unwrap();
        for (period, disagg, value, replaced_by) in rows {
            store
                .conn
                .execute(
                    "INSERT INTO value (indicator_id, period, disaggregation, value, note, \
                     recorded_by, recorded_at, replaced_by) \
                     VALUES ((SELECT id FROM indicator WHERE code = 'I1'), ?1, ?2, ?3, 'n', 't', \
                     '2026-01-01T00:00:00Z', ?4)",
                    rusqlite::params![period, disagg, value, replaced_by],
                )
                .unwrap();
        }
        store
    }

    #[test]
    fn current_values_skip_replaced_ones_and_keep_non_numbers_visible() {
        let store = store_with_values(&[
            (20210, "", "5", None),
            (20211, "sex=female", "2.5", None),
            (20220, "", "abc", None),
        ]);
        // Mark the first as replaced by the second (a correction).
        store
            .conn
            .execute("UPDATE value SET replaced_by = 2 WHERE id = 1", [])
            .unwrap();
        let values = store.current_values().unwrap();
        assert_eq!(values.len(), 2, "{values:?}");
        assert_eq!(values[0].period, FiscalPeriod::quarter(2021, 1));
        assert_eq!(values[0].disaggregation, "sex=female");
        assert_eq!(values[0].value, Ok(2.5));
        assert_eq!(values[0].note.as_deref(), Some("n"));
        assert_eq!(values[1].value, Err("abc".to_string()));
        assert_eq!(
            store.value_periods().unwrap(),
            vec![
                ("I1".to_string(), FiscalPeriod::quarter(2021, 1)),
                ("I1".to_string(), FiscalPeriod::year(2022)),
            ]
        );
    }

    #[test]
    fn a_damaged_period_is_a_clear_error() {
        let store = store_with_values(&[(20215, "", "1", None)]);
        let err = store.current_values().unwrap_err();
        assert!(
            err.to_string()
                .contains("the database is damaged: the period stored as 20215"),
            "{err}"
        );
        assert!(store.value_periods().is_err());
    }
}
