//! Values on PostgreSQL: reading them, and writing them through a sink in one transaction
//! (bulk imports with COPY into a temporary table and one set-based merge).

use std::collections::HashMap;

use super::PgStore;
use crate::error::Error;
use crate::period::{FiscalPeriod, PeriodRange};
use crate::progress::PeriodValue;
use crate::store::{CurrentValue, StoredValue, ValueQuery, ValueSink, ValueStore, VersionInfo};

fn not_built() -> Error {
    Error::database("this is not built for PostgreSQL yet")
}

impl ValueStore for PgStore {
    fn indicator_ids(&self) -> Result<HashMap<String, i64>, Error> {
        Err(not_built())
    }
    fn never_negative(&self, _indicator_id: i64) -> Result<bool, Error> {
        Err(not_built())
    }
    fn each_value(
        &self,
        _q: &ValueQuery,
        _f: &mut dyn FnMut(StoredValue) -> Result<(), Error>,
    ) -> Result<(), Error> {
        Err(not_built())
    }
    fn current_totals(
        &self,
        _version: &VersionInfo,
        _periods: PeriodRange,
    ) -> Result<Vec<PeriodValue>, Error> {
        Err(not_built())
    }
    fn latest_value_year(
        &self,
        _version: &VersionInfo,
        _periods: Option<PeriodRange>,
    ) -> Result<Option<i32>, Error> {
        Err(not_built())
    }
    fn current_values(&self) -> Result<Vec<CurrentValue>, Error> {
        Err(not_built())
    }
    fn value_periods(&self) -> Result<Vec<(String, FiscalPeriod)>, Error> {
        Err(not_built())
    }
    fn write_values_with(
        &mut self,
        _bulk: bool,
        _f: &mut dyn FnMut(&mut dyn ValueSink) -> Result<(), Error>,
    ) -> Result<(), Error> {
        Err(not_built())
    }
}
