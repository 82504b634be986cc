//! The strategy framework: its data model and the reading of framework files.

pub mod dump;
pub mod label;
mod levels;
pub mod model;
pub mod parse;
pub mod rule_names;

pub use label::{check_label, unprintable};
pub use levels::LevelCounts;
pub use model::*;
pub use parse::{parse_bytes, parse_str, read_file};

#[cfg(test)]
mod properties;
