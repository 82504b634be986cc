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
        // The values in one pass over the table (the last recorded time may be on any row,
        // replaced ones too); the versions from the small version table.
        let mut stmt = self
            .conn
            .prepare_cached(
                "WITH v AS ( \
                   SELECT i.strategy_code AS code, sum(v.replaced_by IS NULL) AS current, \
                          max(v.recorded_at) AS last \
                   FROM value v JOIN indicator i ON i.id = v.indicator_id \
                   GROUP BY i.strategy_code) \
                 SELECT s.strategy_code, s.title, s.label, \
                   (SELECT count(*) FROM strategy_version c \
                    WHERE c.strategy_code = s.strategy_code) AS versions, \
                   coalesce(v.current, 0) AS current, v.last \
                 FROM strategy_version s LEFT JOIN v ON v.code = s.strategy_code \
                 WHERE s.id = (SELECT max(n.id) FROM strategy_version n \
                               WHERE n.strategy_code = s.strategy_code) \
                 ORDER BY s.strategy_code",
            )
            .map_err(|e| map_err(e, ctx))?;
        let rows = stmt
            .query_map([], |r| {
                let versions: i64 = r.get(3)?;
                let values: i64 = r.get(4)?;
                Ok(StrategyInfo {
                    code: r.get(0)?,
                    title: r.get(1)?,
                    latest: r.get(2)?,
                    versions: usize::try_from(versions)
                        .map_err(|_| rusqlite::Error::IntegralValueOutOfRange(3, versions))?,
                    values: u64::try_from(values)
                        .map_err(|_| rusqlite::Error::IntegralValueOutOfRange(4, values))?,
                    last_recorded: r.get(5)?,
                })
            })
            .map_err(|e| map_err(e, ctx))?;
        rows.collect::<Result<_, _>>().map_err(|e| map_err(e, ctx))
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
