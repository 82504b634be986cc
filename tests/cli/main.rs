//! One integration-test binary that drives the real `ics` executable. Each test gets its own
//! temporary directory and database; see `common` for the harness.

mod attack;
mod bench;
mod browser;
mod common;
mod contract13;
mod copy;
mod cycle;
mod damage;
mod diff;
mod foundation;
mod hostile;
mod outfile;
mod pirs;
mod postgres;
mod postgres_copy;
mod postgres_cycle;
mod postgres_log;
mod postgres_replica;
mod postgres_values;
mod progress;
mod ratio;
mod reliability;
mod report;
mod standards;
mod strategies;
mod structure;
mod track;
mod trial;
mod values;
mod values_strict;
mod void_explain;
mod web;
mod xlsx_in;
mod xlsx_out;
