//! Integration tests: load, tree, versions, database handling.

#[allow(unused_imports)]
use crate::common::*;
