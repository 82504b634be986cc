//! Indicator values: validation and CSV reading (issue 3).
