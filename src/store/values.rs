//! Storing and reading indicator values (issue 3).
