//! `ics check` on PostgreSQL: the tracker's invariants, and the server's own consistency
//! checks where they exist.

use super::PgStore;
use crate::error::Error;
use crate::store::CheckReport;

impl PgStore {
    pub(super) fn check_database(&self) -> Result<CheckReport, Error> {
        Err(Error::database("this is not built for PostgreSQL yet"))
    }
}
