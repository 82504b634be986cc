//! Several strategies in one database: listing them, and the strategy every read and write is
//! scoped to.
//!
//! Each version is stored under its framework's `strategy.code`, and each indicator belongs to
//! one strategy (codes are unique per strategy, so two missions may both have `IND-1`). A
//! store is scoped to one strategy at a time: opening a file that holds exactly one scopes to
//! it, [`Store::save_version`] scopes to the strategy it stored, and [`Store::use_strategy`]
//! chooses. Reads by version (a framework, progress totals) are scoped by the version itself;
//! reads by indicator code (`indicator_ids`, the value listings) by the strategy in use. With
//! none in use (an empty database) they find nothing, as in a database without a strategy.

use std::collections::HashMap;

use super::{map_err, Store, StrategyInfo};
use crate::error::Error;

impl Store {
    /// The code of the strategy in use, if any, to bind into a query.
    pub(super) fn strategy_in_use(&self) -> Option<String> {
        self.strategy.borrow().clone()
    }

    /// Every stored strategy code, in order.
    pub(super) fn strategy_codes(&self) -> Result<Vec<String>, Error> {
        let ctx = "list the stored strategies";
        let mut stmt = self
            .conn
            .prepare_cached("SELECT DISTINCT strategy_code FROM strategy_version ORDER BY 1")
            .map_err(|e| map_err(e, ctx))?;
        let rows = stmt
            .query_map([], |r| r.get(0))
            .map_err(|e| map_err(e, ctx))?;
        rows.collect::<Result<_, _>>().map_err(|e| map_err(e, ctx))
    }

    /// Scope to the only strategy the database holds, if it holds exactly one.
    pub(super) fn use_only_strategy(&self) -> Result<(), Error> {
        let codes = self.strategy_codes()?;
        if let [only] = &codes[..] {
            self.strategy.replace(Some(only.clone()));
        }
        Ok(())
    }

    /// Run `f` scoped to each stored strategy in turn (once, unscoped, if there is none), then
    /// scope back to the strategy that was in use. `f` gets the code, `None` for an empty
    /// database.
    pub(super) fn for_each_strategy(
        &self,
        mut f: impl FnMut(Option<&str>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let codes = self.strategy_codes()?;
        let before = self.strategy_in_use();
        let result = if codes.is_empty() {
            self.strategy.replace(None);
            f(None)
        } else {
            codes.iter().try_for_each(|code| {
                self.strategy.replace(Some(code.clone()));
                f(Some(code))
            })
        };
        self.strategy.replace(before);
        result
    }

    /// Every strategy the database holds, ordered by code.
    pub fn strategies(&self) -> Result<Vec<StrategyInfo>, Error> {
        let ctx = "list the stored strategies";
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT s.strategy_code, s.title, s.label, \
                   (SELECT count(*) FROM strategy_version c \
                    WHERE c.strategy_code = s.strategy_code) AS versions \
                 FROM strategy_version s \
                 WHERE s.id = (SELECT max(n.id) FROM strategy_version n \
                               WHERE n.strategy_code = s.strategy_code) \
                 ORDER BY s.strategy_code",
            )
            .map_err(|e| map_err(e, ctx))?;
        let rows = stmt
            .query_map([], |r| {
                let versions: i64 = r.get(3)?;
                Ok(StrategyInfo {
                    code: r.get(0)?,
                    title: r.get(1)?,
                    latest: r.get(2)?,
                    versions: usize::try_from(versions)
                        .map_err(|_| rusqlite::Error::IntegralValueOutOfRange(3, versions))?,
                    values: 0,
                    last_recorded: None,
                })
            })
            .map_err(|e| map_err(e, ctx))?;
        let mut list: Vec<StrategyInfo> = rows
            .collect::<Result<_, _>>()
            .map_err(|e| map_err(e, ctx))?;
        self.count_values(&mut list)?;
        Ok(list)
    }

    /// Fill in each strategy's current values and last recorded time, in one pass over the
    /// values (the last time may be on any row, replaced ones too). Added up here rather than
    /// by `GROUP BY`, which sorted every row first (2,000,000 values: 0.96 s of CPU for the
    /// whole command that way, 0.45 s this way).
    fn count_values(&self, list: &mut [StrategyInfo]) -> Result<(), Error> {
        let ctx = "count the recorded values";
        let position: HashMap<&str, usize> = list
            .iter()
            .enumerate()
            .map(|(i, s)| (s.code.as_str(), i))
            .collect();
        // Each indicator's strategy, as a position in `list` (an indicator of no stored
        // strategy, which `check` reports, is left out).
        let mut of_indicator: HashMap<i64, usize> = HashMap::new();
        {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT id, strategy_code FROM indicator")
                .map_err(|e| map_err(e, ctx))?;
            let mut rows = stmt.query([]).map_err(|e| map_err(e, ctx))?;
            while let Some(r) = rows.next().map_err(|e| map_err(e, ctx))? {
                let code: String = r.get(1).map_err(|e| map_err(e, ctx))?;
                if let Some(&at) = position.get(code.as_str()) {
                    of_indicator.insert(r.get(0).map_err(|e| map_err(e, ctx))?, at);
                }
            }
        }
        let mut counts = vec![(0u64, None::<String>); list.len()];
        let mut stmt = self
            .conn
            .prepare_cached("SELECT indicator_id, replaced_by IS NULL, recorded_at FROM value")
            .map_err(|e| map_err(e, ctx))?;
        let mut rows = stmt.query([]).map_err(|e| map_err(e, ctx))?;
        while let Some(r) = rows.next().map_err(|e| map_err(e, ctx))? {
            let id: i64 = r.get(0).map_err(|e| map_err(e, ctx))?;
            let Some(&at) = of_indicator.get(&id) else {
                continue;
            };
            let (current, last) = &mut counts[at];
            if r.get::<_, bool>(1).map_err(|e| map_err(e, ctx))? {
                *current += 1;
            }
            let when = r
                .get_ref(2)
                .and_then(|v| v.as_str().map_err(Into::into))
                .map_err(|e| map_err(e, ctx))?;
            if last.as_deref().is_none_or(|l| when > l) {
                *last = Some(when.to_string());
            }
        }
        for (s, (values, last)) in list.iter_mut().zip(counts) {
            s.values = values;
            s.last_recorded = last;
        }
        Ok(())
    }

    /// Scope every later call to the strategy `code`, or with `None` to the only one stored.
    pub fn use_strategy(&mut self, code: Option<&str>) -> Result<(), Error> {
        let codes = self.strategy_codes()?;
        let listed = || {
            codes
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let chosen = match (code, &codes[..]) {
            (None, []) => None,
            (None, [only]) => Some(only.clone()),
            (None, _) => {
                return Err(Error::input_with_hint(
                    format!(
                        "the database holds {} strategies: {}; say which one",
                        codes.len(),
                        listed()
                    ),
                    "pass --strategy CODE (or set ICS_STRATEGY)",
                ))
            }
            (Some(code), []) => {
                return Err(Error::input_with_hint(
                    format!("no strategy `{code}`: the database holds no strategy yet"),
                    "load one with `ics load framework.toml`",
                ))
            }
            (Some(code), _) if codes.iter().any(|c| c == code) => Some(code.to_string()),
            (Some(code), _) => {
                return Err(Error::input_with_hint(
                    format!("the database holds no strategy `{code}`"),
                    format!("stored strategies: {}", listed()),
                ))
            }
        };
        self.strategy.replace(chosen);
        Ok(())
    }
}
