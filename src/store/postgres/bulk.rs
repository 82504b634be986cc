//! A bulk write of values (`import-values`) on PostgreSQL: not one round trip per row.
//!
//! - The rows already stored are read per batch of indicators (up to [`BATCH`] at a time, in id
//!   order from the first one a row touches), only current rows and voids unless a row carries
//!   its own recording time (then the whole history of its indicator); a database with no values
//!   is not read at all.
//! - New rows are encoded in PostgreSQL's binary COPY format as they are decided, and sent with
//!   `COPY ... FROM STDIN` into a temporary table every [`FLUSH_BYTES`]; the links (a replaced
//!   value pointing at its correction, a void at the value after it) are kept in memory.
//! - Before commit, the links go into a second temporary table, then one `UPDATE ... FROM`
//!   points the stored values at their corrections and one `INSERT ... SELECT` moves the new
//!   rows into `value` with their final `replaced_by`. The unique `value_current` index sees
//!   one current value per key at every row. Then the sink checks that the rows link up
//!   (`PgSink::commit`: `value` has no foreign keys, see `schema.rs`).

use std::collections::HashMap;

use postgres::Transaction;

use super::sink::{NewRow, StoredRow, ROW_COLUMNS};
use super::values::CTX;
use crate::error::Error;

/// How many indicators' stored rows are read in one query.
const BATCH: usize = 2000;

/// How many bytes of encoded rows are buffered before they are sent.
const FLUSH_BYTES: usize = 8 << 20;

/// The columns of the temporary table, in the order rows are encoded.
const IMPORT_COLUMNS: &str = "id, indicator_id, period, disaggregation, value, numerator, \
     denominator, note, source, recorded_by, recorded_at, kind, replaced_by";

pub(super) struct Bulk {
    /// Whether `value` held any row when the write began: if not, nothing needs reading.
    any_stored: bool,
    /// The indicators whose rows are known: `true` when with their whole history.
    known: HashMap<i64, bool>,
    /// Every indicator id in order (read on the first read of stored rows).
    order: Vec<i64>,
    /// Encoded rows not sent yet.
    buffer: Vec<u8>,
    /// Whether the temporary table exists.
    table: bool,
    /// How many rows were encoded.
    rows: u64,
    /// (old, new): the row `old` is replaced by the new row `new`; in order of `new`.
    links: Vec<(i64, i64)>,
}

fn err(e: postgres::Error, shown: &str) -> Error {
    super::map_err(e, CTX, shown)
}

impl Bulk {
    pub(super) fn new(
        _tx: &mut Transaction<'_>,
        any_stored: bool,
        _shown: &str,
    ) -> Result<Bulk, Error> {
        Ok(Bulk {
            any_stored,
            known: HashMap::new(),
            order: Vec::new(),
            buffer: Vec::with_capacity(FLUSH_BYTES + (1 << 16)),
            table: false,
            rows: 0,
            links: Vec::new(),
        })
    }

    /// Whether every stored row of `indicator` is known (current rows at least).
    pub(super) fn knows(&self, indicator: i64) -> bool {
        !self.any_stored || self.known.contains_key(&indicator)
    }

    /// The stored rows to add to what is known, so that `indicator`'s are (with its whole
    /// history if `history`).
    pub(super) fn ensure(
        &mut self,
        tx: &mut Transaction<'_>,
        shown: &str,
        indicator: i64,
        history: bool,
    ) -> Result<Vec<StoredRow>, Error> {
        if !self.any_stored {
            return Ok(Vec::new());
        }
        match self.known.get(&indicator) {
            Some(true) => return Ok(Vec::new()),
            Some(false) if !history => return Ok(Vec::new()),
            Some(false) => {
                // Current rows and open voids are known (and may have been replaced here
                // since): read the rest of the history, for the next indicators known the same
                // way too.
                let batch = self.batch(indicator, |known| known == Some(&false));
                let rows = tx
                    .query(
                        &format!(
                            "SELECT {ROW_COLUMNS} FROM value WHERE indicator_id = ANY($1) \
                             AND replaced_by IS NOT NULL AND replaced_by <> id"
                        ),
                        &[&batch],
                    )
                    .map_err(|e| err(e, shown))?;
                for id in batch {
                    self.known.insert(id, true);
                }
                return Ok(rows.iter().map(StoredRow::of).collect());
            }
            None => {}
        }
        if self.order.is_empty() {
            self.order = tx
                .query("SELECT id FROM indicator ORDER BY id", &[])
                .map_err(|e| err(e, shown))?
                .iter()
                .map(|r| r.get(0))
                .collect();
        }
        let batch = self.batch(indicator, |known| known.is_none());
        let only_current = if history {
            ""
        } else {
            " AND (replaced_by IS NULL OR replaced_by = id)"
        };
        let rows = tx
            .query(
                &format!(
                    "SELECT {ROW_COLUMNS} FROM value WHERE indicator_id = ANY($1){only_current}"
                ),
                &[&batch],
            )
            .map_err(|e| err(e, shown))?;
        for id in batch {
            self.known.insert(id, history);
        }
        Ok(rows.iter().map(StoredRow::of).collect())
    }

    /// `indicator` and the indicators after it (in id order) whose state `wanted` picks, up
    /// to [`BATCH`] in all.
    fn batch(&self, indicator: i64, wanted: impl Fn(Option<&bool>) -> bool) -> Vec<i64> {
        let mut batch = vec![indicator];
        if let Ok(at) = self.order.binary_search(&indicator) {
            batch.extend(
                self.order[at + 1..]
                    .iter()
                    .filter(|id| wanted(self.known.get(id)))
                    .take(BATCH - 1),
            );
        }
        batch
    }

    pub(super) fn link(&mut self, old: i64, new: i64) {
        self.links.push((old, new));
    }

    /// Whether this write replaced the row `old` (a link not yet written).
    pub(super) fn replaced(&self, old: i64) -> bool {
        self.links.iter().any(|l| l.0 == old)
    }

    /// The row that the new row `new` replaced, if any.
    pub(super) fn replaced_by_new(&self, new: i64) -> Option<i64> {
        self.links
            .binary_search_by_key(&new, |l| l.1)
            .ok()
            .map(|at| self.links[at].0)
    }

    /// Encode one new row; send the buffer when it is full.
    pub(super) fn write(
        &mut self,
        tx: &mut Transaction<'_>,
        shown: &str,
        row: &NewRow<'_>,
    ) -> Result<(), Error> {
        let b = &mut self.buffer;
        b.extend_from_slice(&13i16.to_be_bytes());
        int8(b, Some(row.id));
        int8(b, Some(row.indicator_id));
        int8(b, Some(row.period));
        text(b, Some(row.disaggregation));
        float8(b, Some(row.value));
        float8(b, row.parts.map(|p| p.0));
        float8(b, row.parts.map(|p| p.1));
        text(b, row.note);
        text(b, row.source);
        text(b, Some(row.by));
        text(b, Some(row.at));
        text(b, Some(row.kind.as_str()));
        int8(b, row.replaced_by);
        self.rows += 1;
        if self.buffer.len() >= FLUSH_BYTES {
            self.flush(tx, shown)?;
        }
        Ok(())
    }

    /// Send the buffered rows into the temporary table.
    fn flush(&mut self, tx: &mut Transaction<'_>, shown: &str) -> Result<(), Error> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        if !self.table {
            tx.batch_execute(
                "CREATE TEMP TABLE ics_import (id BIGINT, indicator_id BIGINT, period BIGINT, \
                 disaggregation TEXT, value DOUBLE PRECISION, numerator DOUBLE PRECISION, \
                 denominator DOUBLE PRECISION, note TEXT, source TEXT, recorded_by TEXT, \
                 recorded_at TEXT, kind TEXT, replaced_by BIGINT) ON COMMIT DROP",
            )
            .map_err(|e| err(e, shown))?;
            self.table = true;
        }
        copy(
            tx,
            shown,
            &format!("COPY ics_import ({IMPORT_COLUMNS}) FROM STDIN (FORMAT binary)"),
            &self.buffer,
        )?;
        self.buffer.clear();
        Ok(())
    }

    /// Write everything: the rest of the rows, the links, and the merge into `value`.
    pub(super) fn merge(&mut self, tx: &mut Transaction<'_>, shown: &str) -> Result<(), Error> {
        self.flush(tx, shown)?;
        if !self.links.is_empty() {
            let mut b = Vec::with_capacity(self.links.len() * 26);
            for (old, new) in &self.links {
                b.extend_from_slice(&2i16.to_be_bytes());
                int8(&mut b, Some(*old));
                int8(&mut b, Some(*new));
            }
            tx.batch_execute("CREATE TEMP TABLE ics_links (old BIGINT, new BIGINT) ON COMMIT DROP")
                .map_err(|e| err(e, shown))?;
            copy(
                tx,
                shown,
                "COPY ics_links (old, new) FROM STDIN (FORMAT binary)",
                &b,
            )?;
            tx.batch_execute(
                "ANALYZE ics_links; \
                 UPDATE value v SET replaced_by = l.new FROM ics_links l WHERE v.id = l.old",
            )
            .map_err(|e| err(e, shown))?;
        }
        if self.rows > 0 {
            let replaced_by = if self.links.is_empty() {
                "t.replaced_by"
            } else {
                "coalesce(l.new, t.replaced_by)"
            };
            // With links, the join is planned from the sizes ANALYZE gives the temporary
            // tables (they have no statistics otherwise); without, it is a plain scan.
            let (analyze, join) = if self.links.is_empty() {
                ("", "")
            } else {
                (
                    "ANALYZE ics_import; ",
                    " LEFT JOIN ics_links l ON l.old = t.id",
                )
            };
            tx.batch_execute(&format!(
                "{analyze}INSERT INTO value ({IMPORT_COLUMNS}) \
                 SELECT t.id, t.indicator_id, t.period, t.disaggregation, t.value, \
                 t.numerator, t.denominator, t.note, t.source, t.recorded_by, t.recorded_at, \
                 t.kind, {replaced_by} FROM ics_import t{join}"
            ))
            .map_err(|e| err(e, shown))?;
        }
        Ok(())
    }
}

/// Send `rows` (binary COPY rows) with the COPY statement `sql`.
fn copy(tx: &mut Transaction<'_>, shown: &str, sql: &str, rows: &[u8]) -> Result<(), Error> {
    use std::io::Write;
    let mut w = tx.copy_in(sql).map_err(|e| err(e, shown))?;
    let lost = |_| {
        Error::database_with_hint(
            format!("could not {CTX}: the connection to `{shown}` was lost; nothing was saved"),
            "check the server, then run the command again",
        )
    };
    w.write_all(b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0")
        .map_err(lost)?;
    w.write_all(rows).map_err(lost)?;
    w.write_all(&(-1i16).to_be_bytes()).map_err(lost)?;
    w.finish().map_err(|e| err(e, shown))?;
    Ok(())
}

fn int8(b: &mut Vec<u8>, v: Option<i64>) {
    match v {
        Some(v) => {
            b.extend_from_slice(&8i32.to_be_bytes());
            b.extend_from_slice(&v.to_be_bytes());
        }
        None => b.extend_from_slice(&(-1i32).to_be_bytes()),
    }
}

fn float8(b: &mut Vec<u8>, v: Option<f64>) {
    match v {
        Some(v) => {
            b.extend_from_slice(&8i32.to_be_bytes());
            b.extend_from_slice(&v.to_bits().to_be_bytes());
        }
        None => b.extend_from_slice(&(-1i32).to_be_bytes()),
    }
}

fn text(b: &mut Vec<u8>, v: Option<&str>) {
    match v {
        Some(s) => {
            // A row's texts are far below 2 GiB (import limits a row's length).
            b.extend_from_slice(&(s.len() as i32).to_be_bytes());
            b.extend_from_slice(s.as_bytes());
        }
        None => b.extend_from_slice(&(-1i32).to_be_bytes()),
    }
}
