//! Integration tests: values.

#[allow(unused_imports)]
use crate::common::*;
