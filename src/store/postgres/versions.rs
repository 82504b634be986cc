//! Strategy versions on PostgreSQL: storing a framework, listing and resolving versions,
//! reading one back.

use std::collections::HashMap;

use super::PgStore;
use crate::error::Error;
use crate::framework::{Framework, Indicator, NodeKind};
use crate::store::{SaveOutcome, StrategyVersions, Targets, VersionInfo};

fn not_built() -> Error {
    Error::database("this is not built for PostgreSQL yet")
}

impl StrategyVersions for PgStore {
    fn save_version(
        &mut self,
        _fw: &Framework,
        _label: &str,
        _source_file: Option<&str>,
        _loaded_at: &str,
    ) -> Result<SaveOutcome, Error> {
        Err(not_built())
    }
    fn versions(&self) -> Result<Vec<VersionInfo>, Error> {
        Err(not_built())
    }
    fn resolve_version(&self, _spec: Option<&str>) -> Result<VersionInfo, Error> {
        Err(not_built())
    }
    fn node_counts(&self, _version: &VersionInfo) -> Result<Vec<(NodeKind, usize)>, Error> {
        Err(not_built())
    }
    fn indicator_rules(&self, _version: &VersionInfo) -> Result<Vec<Indicator>, Error> {
        Err(not_built())
    }
    fn framework_with(&self, _version: &VersionInfo, _wanted: Targets) -> Result<Framework, Error> {
        Err(not_built())
    }
    fn framework_lean(&self, _version: &VersionInfo, _wanted: Targets) -> Result<Framework, Error> {
        Err(not_built())
    }
    fn framework_outline(
        &self,
        _version: &VersionInfo,
        _wanted: Targets,
    ) -> Result<Framework, Error> {
        Err(not_built())
    }
}

#[allow(dead_code)]
type Unused = HashMap<(), ()>;
