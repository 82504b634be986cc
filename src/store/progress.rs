//! Queries behind the progress report: the current values of one version's indicators over a
//! range of periods (totals, and the single-key disaggregations a total may be derived from),
//! and the latest fiscal year that has one.
//!
//! Each is one query that walks the version's indicators and, for each, seeks into the
//! `value_current` index (indicator, period, disaggregation; current values only) for just the
//! periods asked for, so its cost follows the number of indicators and the periods asked for,
//! not the length of the history. (A second index by period made every imported value pay for
//! one more B-tree insert; this one serves both the writes and the reports.) Several
//! connections can share one read ([`SharedRead`]): the indicators in chunks of ids, each
//! read by whichever connection is free.

use crate::store::period_key::PeriodKey;
use std::sync::Arc;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use rusqlite::OptionalExtension;

use super::{map_err, stored_period, Store, VersionInfo};
use crate::error::Error;
use crate::period::PeriodRange;
use crate::progress::PeriodValue;

/// Current total values of one version's indicators over a period range, by indicator id.
const CURRENT_TOTALS: &str = "SELECT d.indicator_id, v.period, v.value, v.note \
     FROM indicator_def d \
     JOIN value v INDEXED BY value_current ON v.indicator_id = d.indicator_id \
       AND v.period BETWEEN ?2 AND ?3 AND v.disaggregation = '' AND v.replaced_by IS NULL COUNTED \
     WHERE d.version_id = ?1 AND d.indicator_id BETWEEN ?4 AND ?5";

/// Where the readers put the review filter ([`super::workflow::state_clause`]).
const COUNTED: &str = "COUNTED";

/// For the version's indicators that need more than their totals (ratio indicators, and those
/// that declare disaggregations), their current totals and single-key disaggregations
/// (`sex=female`, not `sex=female;age=15-24`) with the ratio parts. The partial index
/// `indicator_def_special` holds only those indicators: a strategy with none pays for one
/// empty seek, and [`CURRENT_TOTALS`] keeps reading four columns.
const CURRENT_SPECIAL: &str = "SELECT d.indicator_id, v.period, v.value, v.note, \
       v.numerator, v.denominator, v.disaggregation \
     FROM indicator_def d INDEXED BY indicator_def_special \
     JOIN value v INDEXED BY value_current ON v.indicator_id = d.indicator_id \
       AND v.period BETWEEN ?2 AND ?3 AND v.replaced_by IS NULL \
       AND instr(v.disaggregation, ';') = 0 COUNTED \
     WHERE d.version_id = ?1 AND d.indicator_id BETWEEN ?4 AND ?5 \
       AND (d.disaggregations <> '{}' OR d.ratio_numerator IS NOT NULL)";

/// Every indicator code by id in a range of ids, in id order: one pass over a small table,
/// where joining it into [`CURRENT_TOTALS`] sought each of 20,000 codes by id (a fifth of
/// that query).
const CODES: &str = "SELECT id, code FROM indicator WHERE id BETWEEN ?1 AND ?2 ORDER BY id";

/// The first and last indicator ids of a version: two searches of its unique index. (One
/// `SELECT min(..), max(..)` walks every entry of the version: SQLite seeks one end only for
/// a lone `min` or `max`. On 20,000 indicators, 1 ms against 4 µs.)
const INDICATOR_IDS: &str = "SELECT \
     (SELECT min(indicator_id) FROM indicator_def WHERE version_id = ?1), \
     (SELECT max(indicator_id) FROM indicator_def WHERE version_id = ?1)";

/// The page cache of a connection while it helps with a shared read: 64 pages (1 MiB of
/// 16 KiB pages, 256 KiB in a database made with 4 KiB ones) rather than SQLite's 2 MB. On
/// 200,000 and 2,000,000 values (4 KiB pages), `progress --format csv` took 33.7 -> 32.3 ms
/// and 47.0 -> 44.6 ms (medians of 21); 16 to 200 pages measured alike. With 16 KiB pages,
/// 64 pages against 256 KiB: 32.6 and 34.3 ms (200,000 values, medians of 31).
const ONE_PASS_CACHE: &str = "PRAGMA cache_size = 64";

/// Into how many chunks of about how many indicators a shared read is cut: enough that two
/// connections, one of which starts late (it reads the framework first), finish together;
/// few enough that each chunk's three statements cost nothing beside its values.
const CHUNKS: (usize, usize) = (32, 256);

/// A read of the current totals of one version over a period range, shared by several
/// connections (each on its own thread): the version's indicators in chunks by id, each read
/// by whichever connection asks next ([`crate::store::ValueStore::help_read`]). The chunks'
/// values are put together in id order ([`SharedRead::finish`]), which is the order one read
/// of the whole range gives, so every indicator's values come back once and as one read would
/// give them.
pub struct SharedRead {
    pub(crate) version: VersionInfo,
    pub(crate) periods: PeriodRange,
    /// Inclusive ranges of indicator ids, in order.
    pub(crate) chunks: Vec<(i64, i64)>,
    next: AtomicUsize,
    done: Mutex<Vec<Option<ChunkRead>>>,
    /// The connection that began the read (its store's serial number), and the database file
    /// the read is of (SQLite): a connection to another file (one that replaced it under the
    /// same name, or another database in memory) does not help.
    owner: u64,
    file: Option<(u64, u64)>,
    /// The database's `data_version` when the read began, on the connection that began it
    /// (SQLite): another when it ends means a commit came between, and the connections may
    /// have read two states of the database.
    data_version: Option<i64>,
}

/// What reading one chunk gave.
type ChunkRead = Result<Vec<PeriodValue>, Error>;

impl SharedRead {
    /// A read of `version`'s indicators (ids `ids`, inclusive, when known) cut into chunks;
    /// one chunk of every id when the ids are not known.
    pub(crate) fn new(
        version: &VersionInfo,
        periods: PeriodRange,
        ids: Option<(i64, i64)>,
    ) -> Self {
        let chunks = match ids {
            Some((lo, hi)) if lo <= hi => {
                let parts = (version.indicators / CHUNKS.1).clamp(1, CHUNKS.0) as i128;
                let (lo, hi) = (i128::from(lo), i128::from(hi));
                let step = ((hi - lo + 1) + parts - 1) / parts;
                (0..parts)
                    .map(|k| (lo + k * step, (lo + (k + 1) * step - 1).min(hi)))
                    .filter(|(a, b)| a <= b)
                    // In range: both ends lie between `lo` and `hi`.
                    .map(|(a, b)| (a as i64, b as i64))
                    .collect()
            }
            Some(_) => Vec::new(),
            None => vec![(i64::MIN, i64::MAX)],
        };
        let done = Mutex::new((0..chunks.len()).map(|_| None).collect());
        SharedRead {
            version: version.clone(),
            periods,
            chunks,
            next: AtomicUsize::new(0),
            done,
            owner: 0,
            file: None,
            data_version: None,
        }
    }

    /// The next chunk no connection has taken: its place and its ids.
    pub(crate) fn claim(&self) -> Option<(usize, (i64, i64))> {
        let at = self.next.fetch_add(1, Ordering::Relaxed);
        self.chunks.get(at).map(|&ids| (at, ids))
    }

    /// The values (or the failure) of the chunk at `at`.
    pub(crate) fn put(&self, at: usize, read: Result<Vec<PeriodValue>, Error>) {
        let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = done.get_mut(at) {
            *slot = Some(read);
        }
    }

    /// The values of every chunk, in id order; the first chunk's failure, in id order, if
    /// any. Every chunk must have been read: call after the connections are done (through
    /// [`crate::store::ValueStore::finish_read`], which also sees that they read one state).
    pub(crate) fn finish(self) -> Result<Vec<PeriodValue>, Error> {
        let done = self.done.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut out = Vec::with_capacity(done.iter().flatten().flatten().map(Vec::len).sum());
        for chunk in done {
            match chunk {
                Some(values) => out.extend(values?),
                None => {
                    return Err(Error::database(
                        "the values could not all be read: a reader stopped before it was done",
                    ))
                }
            }
        }
        Ok(out)
    }
}

impl Store {
    /// Current values of `version`'s indicators for every period of `periods` (so
    /// `FY2022`..`FY2022Q4` is a fiscal year and its quarters): the totals, and for ratio indicators and those that declare disaggregations
    /// also their single-key disaggregations and ratio parts (those come first, so a total read
    /// twice is found with its parts), in no particular order otherwise (callers group them by
    /// indicator).
    pub fn current_totals(
        &self,
        version: &VersionInfo,
        periods: PeriodRange,
    ) -> Result<Vec<PeriodValue>, Error> {
        let PeriodRange { from, through } = periods;
        let ctx = format!("read the values from {from} to {through}");
        self.current_totals_of(version, periods, (i64::MIN, i64::MAX), &ctx)
    }

    /// [`Store::current_totals`] as a read several connections can share.
    pub fn shared_totals(
        &self,
        version: &VersionInfo,
        periods: PeriodRange,
    ) -> Result<SharedRead, Error> {
        let ctx = format!(
            "read the values from {} to {}",
            periods.from, periods.through
        );
        let (lo, hi): (Option<i64>, Option<i64>) = self
            .conn
            .prepare_cached(INDICATOR_IDS)
            .and_then(|mut stmt| stmt.query_row([version.id], |r| Ok((r.get(0)?, r.get(1)?))))
            .map_err(|e| map_err(e, &ctx))?;
        let mut read = SharedRead::new(version, periods, Some((lo.unwrap_or(1), hi.unwrap_or(0))));
        read.owner = self.serial;
        read.file = self.identity;
        read.data_version = self.data_version();
        Ok(read)
    }

    /// Read chunks of `read` on this connection until none is left, in one read transaction
    /// (so what this connection reads is one state of the database). A connection to another
    /// file than the read's leaves the chunks to the others.
    pub fn help_read(&self, read: &SharedRead) {
        let own = read.owner == self.serial;
        if !own && (self.identity.is_none() || self.identity != read.file) {
            return;
        }
        let ctx = format!(
            "read the values from {} to {}",
            read.periods.from, read.periods.through
        );
        // The read visits each page once: a page cache of its own size (2 MB, fresh memory on
        // every connection) only costs the pages it touches. The interior pages of the B-trees
        // it walks fit in a few dozen.
        let cache: Option<i64> = self
            .conn
            .query_row("PRAGMA cache_size", [], |r| r.get(0))
            .ok();
        if cache.is_some() {
            let _ = self.conn.execute_batch(ONE_PASS_CACHE);
        }
        let tx = self.conn.unchecked_transaction().ok();
        while let Some((at, ids)) = read.claim() {
            read.put(
                at,
                self.current_totals_of(&read.version, read.periods, ids, &ctx),
            );
        }
        drop(tx);
        if let Some(pages) = cache {
            let _ = self
                .conn
                .execute_batch(&format!("PRAGMA cache_size = {pages}"));
        }
    }

    /// The values `read` gave, called on the connection that began it once every helper is
    /// done. When another connection committed since the read began, its connections may have
    /// read two states of the database (some indicators before an import, some after): the
    /// whole read is then made again here, in one read transaction.
    pub fn finish_read(&self, read: SharedRead) -> Result<Vec<PeriodValue>, Error> {
        if read.data_version.is_some() && read.data_version == self.data_version() {
            return read.finish();
        }
        let mut again = SharedRead::new(&read.version, read.periods, None);
        again.owner = self.serial;
        self.help_read(&again);
        again.finish()
    }

    /// `PRAGMA data_version`: another number after another connection has committed.
    fn data_version(&self) -> Option<i64> {
        self.conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .ok()
    }

    /// [`Store::current_totals`] of the indicators whose ids are in `ids` (inclusive).
    fn current_totals_of(
        &self,
        version: &VersionInfo,
        periods: PeriodRange,
        ids: (i64, i64),
        ctx: &str,
    ) -> Result<Vec<PeriodValue>, Error> {
        let PeriodRange { from, through } = periods;
        let ctx = ctx.to_string();
        // A chunk of ids holds at most as many indicators as it has ids.
        let span = (i128::from(ids.1) - i128::from(ids.0) + 1).clamp(0, u64::MAX.into()) as u64;
        let indicators = (version.indicators as u64).min(span) as usize;
        let mut codes: Vec<(i64, Arc<str>)> = Vec::with_capacity(super::capacity_hint(indicators));
        {
            let mut stmt = self
                .conn
                .prepare_cached(CODES)
                .map_err(|e| map_err(e, &ctx))?;
            let mut rows = stmt.query([ids.0, ids.1]).map_err(|e| map_err(e, &ctx))?;
            while let Some(r) = rows.next().map_err(|e| map_err(e, &ctx))? {
                codes.push((
                    r.get(0).map_err(|e| map_err(e, &ctx))?,
                    r.get(1).map_err(|e| map_err(e, &ctx))?,
                ));
            }
        }
        let code_of = |id: i64| -> Option<&Arc<str>> {
            let at = codes.binary_search_by_key(&id, |(i, _)| *i).ok()?;
            Some(&codes[at].1)
        };
        // Room for every value the range can hold (a year and its quarters are five periods),
        // reserved once rather than grown by doubling. Pages reserved and never filled are not
        // resident; the cap keeps a damaged count from asking for the impossible.
        let periods = (i64::from(through.year) - i64::from(from.year) + 1).clamp(1, 1 << 10) * 5;
        let room = (indicators as u64).saturating_mul(periods as u64);
        let mut out: Vec<PeriodValue> = Vec::with_capacity(room.min(1 << 20) as usize);
        let counted = super::workflow::state_clause(&self.conn, self.counted)?;
        // The special rows first: where a total is in both, the one with the ratio parts is
        // the one found.
        for (sql, special) in [(CURRENT_SPECIAL, true), (CURRENT_TOTALS, false)] {
            let mut stmt = self
                .conn
                .prepare_cached(&sql.replace(COUNTED, counted))
                .map_err(|e| map_err(e, &ctx))?;
            let mut rows = stmt
                .query(rusqlite::params![
                    version.id,
                    from.key(),
                    through.key(),
                    ids.0,
                    ids.1
                ])
                .map_err(|e| map_err(e, &ctx))?;
            // Columns by position, in the order of the SELECT (by name, each of 80,000 rows looked
            // its four names up); an indicator's rows come together, so its code is found once.
            let mut last: Option<(i64, &Arc<str>)> = None;
            while let Some(r) = rows.next().map_err(|e| map_err(e, &ctx))? {
                let id: i64 = r.get(0).map_err(|e| map_err(e, &ctx))?;
                let key: i64 = r.get(1).map_err(|e| map_err(e, &ctx))?;
                let period = stored_period(key, &ctx)?;
                let code = match last {
                    Some((at, code)) if at == id => code,
                    // No such indicator: left out, as joining the table left it out.
                    _ => match code_of(id) {
                        Some(code) => code,
                        None => continue,
                    },
                };
                last = Some((id, code));
                let mut v = PeriodValue {
                    indicator: Arc::clone(code),
                    period,
                    value: r.get(2).map_err(|e| map_err(e, &ctx))?,
                    note: r.get(3).map_err(|e| map_err(e, &ctx))?,
                    detail: None,
                };
                if special {
                    let n: Option<f64> = r.get(4).map_err(|e| map_err(e, &ctx))?;
                    let d: Option<f64> = r.get(5).map_err(|e| map_err(e, &ctx))?;
                    let disaggregation: String = r.get(6).map_err(|e| map_err(e, &ctx))?;
                    v = v.with(&disaggregation, n.zip(d));
                }
                out.push(v);
            }
        }
        Ok(out)
    }

    /// The latest fiscal year with a current value (a total or a disaggregation) of one of
    /// `version`'s indicators: within `periods` when given, else any (a stored period that is
    /// not one is then reported as damage).
    pub fn latest_value_year(
        &self,
        version: &VersionInfo,
        periods: Option<PeriodRange>,
    ) -> Result<Option<i32>, Error> {
        let ctx = "find the latest fiscal year with values";
        let (lo, hi) = periods.map_or((i64::MIN, i64::MAX), |r| (r.from.key(), r.through.key()));
        let counted = super::workflow::state_clause(&self.conn, self.counted)?;
        let key: Option<i64> = self
            .conn
            .prepare_cached(&format!(
                "SELECT max((SELECT v.period FROM value v INDEXED BY value_current \
                   WHERE v.indicator_id = d.indicator_id AND v.replaced_by IS NULL{counted} \
                     AND v.period BETWEEN ?2 AND ?3 ORDER BY v.period DESC LIMIT 1)) \
                 FROM indicator_def d WHERE d.version_id = ?1"
            ))
            .and_then(|mut s| {
                s.query_row(rusqlite::params![version.id, lo, hi], |r| {
                    r.get::<_, Option<i64>>(0)
                })
                .optional()
            })
            .map(Option::flatten)
            .map_err(|e| map_err(e, ctx))?;
        key.map(|k| stored_period(k, ctx).map(|p| p.year))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::parse_str;
    use crate::period::{FiscalPeriod, PeriodRange};

    const FW: &str = r#"
[strategy]
code = "t"
title = "T"
version = "v1"

[[goal]]
code = "G1"
title = "Goal"

  [[goal.indicator]]
  code = "I1"
  title = "One"
  unit = "people"
  direction = "increase"
  frequency = "quarterly"
"#;

    fn store() -> (Store, VersionInfo) {
        let mut store = Store::open_in_memory().unwrap();
        let fw = parse_str(FW, "framework.toml").unwrap();
        store
            .save_version(&fw, "v1", None, "2026-01-15T12:00:00.000000Z")
            .unwrap();
        let v = store.resolve_version(None).unwrap();
        (store, v)
    }

    fn insert(store: &Store, period: &str, disagg: &str, value: f64, replaced: bool) {
        let p: FiscalPeriod = period.parse().unwrap();
        let sql = "INSERT INTO value (indicator_id, period, disaggregation, value, note, \
                   recorded_by, recorded_at, replaced_by) VALUES \
                   ((SELECT id FROM indicator WHERE code = 'I1'), ?1, ?2, ?3, 'n', 't', 'now', ?4)";
        let current = if replaced { value + 1.0 } else { value };
        store
            .conn
            .execute(
                sql,
                rusqlite::params![p.key(), disagg, current, None::<i64>],
            )
            .unwrap();
        if replaced {
            let new = store.conn.last_insert_rowid();
            store
                .conn
                .execute(sql, rusqlite::params![p.key(), disagg, value, new])
                .unwrap();
        }
    }

    /// Values in one order whatever order a read gave them in.
    fn sorted(mut values: Vec<PeriodValue>) -> Vec<PeriodValue> {
        values.sort_by(|a, b| {
            (&a.indicator, a.period, a.value)
                .partial_cmp(&(&b.indicator, b.period, b.value))
                .unwrap()
        });
        values
    }

    /// A strategy of `n` indicators under one goal; with `sex`, every 500th (from the 8th)
    /// declares a disaggregation by sex.
    fn many_indicators(n: usize, sex: bool) -> crate::framework::Framework {
        let mut text = String::from(
            "[strategy]\ncode = \"t\"\ntitle = \"T\"\nversion = \"v1\"\n\n\
             [[goal]]\ncode = \"G1\"\ntitle = \"Goal\"\n",
        );
        for i in 0..n {
            text.push_str(&format!(
                "[[goal.indicator]]\ncode = \"I{i}\"\ntitle = \"Indicator {i}\"\n\
                 unit = \"people\"\ndirection = \"increase\"\n{}",
                if sex && i % 500 == 7 {
                    "disaggregations = { sex = [\"female\", \"male\"] }\n"
                } else {
                    ""
                }
            ));
        }
        parse_str(&text, "framework.toml").unwrap()
    }

    /// How many indicators the shared-read test stores: enough for several chunks.
    const MANY: usize = 2_000;

    /// A read shared by two connections on two threads gives every indicator's values once,
    /// as one connection's read does, the ratio parts and disaggregations included; so does a
    /// read one connection makes alone, and one whose chunks the connections take in turn.
    #[test]
    fn a_shared_values_read_is_the_whole() {
        let fw = many_indicators(MANY, true);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.db");
        let mut store = Store::open(&path, crate::store::OpenMode::Create).unwrap();
        let year: FiscalPeriod = "FY2022".parse().unwrap();
        store
            .save_version(&fw, "v1", None, "2026-01-15T12:00:00.000000Z")
            .unwrap();
        let sql = "INSERT INTO value (indicator_id, period, disaggregation, value, \
                   recorded_by, recorded_at) SELECT id, ?1, ?2, id * ?3, 't', 'now' \
                   FROM indicator";
        for (period, disagg, k) in [
            (year.key(), "", 1.0),
            (FiscalPeriod::quarter(2022, 2).key(), "", 0.5),
            (year.key(), "sex=female", 0.25),
            ("FY2021".parse::<FiscalPeriod>().unwrap().key(), "", 2.0),
        ] {
            store
                .conn
                .execute(sql, rusqlite::params![period, disagg, k])
                .unwrap();
        }
        let v = store.resolve_version(None).unwrap();
        let whole = store.current_totals(&v, year.span()).unwrap();
        // Two values (the year and its second quarter) of each indicator; for the four that
        // declare sex, the female value and both totals again (read with the parts).
        assert_eq!(whole.len(), 2 * MANY + 4 * 3);
        // Two threads.
        let read = store.shared_totals(&v, year.span()).unwrap();
        assert!(read.chunks.len() > 4, "{} chunks", read.chunks.len());
        std::thread::scope(|s| {
            s.spawn(|| {
                Store::open(&path, crate::store::OpenMode::Existing)
                    .unwrap()
                    .help_read(&read)
            });
            store.help_read(&read);
        });
        let shared = read.finish().unwrap();
        // Each indicator's values in the order the whole read gives them.
        let by_indicator = |values: &[PeriodValue]| {
            let mut map: std::collections::BTreeMap<String, Vec<(FiscalPeriod, f64)>> =
                Default::default();
            for x in values {
                map.entry(x.indicator.to_string())
                    .or_default()
                    .push((x.period, x.value));
            }
            map
        };
        assert_eq!(by_indicator(&shared), by_indicator(&whole));
        assert_eq!(sorted(shared), sorted(whole.clone()));
        // One connection alone.
        let read = store.shared_totals(&v, year.span()).unwrap();
        store.help_read(&read);
        assert_eq!(sorted(read.finish().unwrap()), sorted(whole.clone()));
        // Chunks taken in turn, one each.
        let other = Store::open(&path, crate::store::OpenMode::Existing).unwrap();
        let read = store.shared_totals(&v, year.span()).unwrap();
        let mut turn = 0;
        while let Some((at, ids)) = read.claim() {
            let by = if turn % 2 == 0 { &store } else { &other };
            let ctx = "test";
            read.put(at, by.current_totals_of(&v, year.span(), ids, ctx));
            turn += 1;
        }
        assert_eq!(sorted(read.finish().unwrap()), sorted(whole));
    }

    /// Two connections read at different times: when another connection commits in between,
    /// the values are read again on the first connection alone, so no report mixes two states
    /// of the database. A connection to another file helps with nothing.
    #[test]
    fn a_shared_read_is_of_one_state_of_one_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ics.db");
        let mut store = Store::open(&path, crate::store::OpenMode::Create).unwrap();
        let fw = many_indicators(600, false);
        store
            .save_version(&fw, "v1", None, "2026-01-15T12:00:00.000000Z")
            .unwrap();
        let year: FiscalPeriod = "FY2022".parse().unwrap();
        store
            .conn
            .execute(
                "INSERT INTO value (indicator_id, period, value, recorded_by, recorded_at) \
                 SELECT id, ?1, 1.0, 't', 'now' FROM indicator",
                [year.key()],
            )
            .unwrap();
        let v = store.resolve_version(None).unwrap();
        let read = store.shared_totals(&v, year.span()).unwrap();
        assert!(read.chunks.len() > 1);
        // Another file's connection takes no chunk.
        let other_file =
            Store::open(&dir.path().join("other.db"), crate::store::OpenMode::Create).unwrap();
        other_file.help_read(&read);
        let memory = Store::open_in_memory().unwrap();
        memory.help_read(&read);
        let (first, ids) = read.claim().unwrap();
        assert_eq!(first, 0, "no chunk was taken");
        // The first chunk read before a commit, the rest after it.
        read.put(first, store.current_totals_of(&v, year.span(), ids, "test"));
        let writer = Store::open(&path, crate::store::OpenMode::Existing).unwrap();
        writer
            .conn
            .execute("UPDATE value SET value = 2.0", [])
            .unwrap();
        store.help_read(&read);
        let values = store.finish_read(read).unwrap();
        assert_eq!(values.len(), 600);
        assert!(
            values.iter().all(|x| x.value == 2.0),
            "one state: after the commit"
        );
        // Without a commit between, the chunks are the values.
        let read = store.shared_totals(&v, year.span()).unwrap();
        store.help_read(&read);
        assert_eq!(
            sorted(store.finish_read(read).unwrap()),
            sorted(store.current_totals(&v, year.span()).unwrap())
        );
    }

    /// The chunks cover the ids once each, in order, whatever the range.
    #[test]
    fn chunks_cover_every_id_once() {
        let (_, mut v) = store();
        let year: FiscalPeriod = "FY2022".parse().unwrap();
        for (indicators, lo, hi) in [
            (1, 5, 5),
            (3, 1, 3),
            (20_000, 1, 20_000),
            (20_000, 7, 40_013),
            (257, 1, 257),
            (100_000, i64::MAX - 99_999, i64::MAX),
            (100_000, i64::MIN, i64::MIN + 99_999),
            (3, i64::MIN, i64::MAX),
        ] {
            v.indicators = indicators;
            let read = SharedRead::new(&v, year.span(), Some((lo, hi)));
            assert!(!read.chunks.is_empty() && read.chunks.len() <= CHUNKS.0);
            assert_eq!(read.chunks.first().unwrap().0, lo);
            assert_eq!(read.chunks.last().unwrap().1, hi);
            for w in read.chunks.windows(2) {
                assert_eq!(
                    w[0].1.checked_add(1),
                    Some(w[1].0),
                    "{indicators} {lo} {hi}"
                );
            }
            for c in &read.chunks {
                assert!(c.0 <= c.1);
            }
        }
        // No ids (no indicators): nothing to read.
        let read = SharedRead::new(&v, year.span(), Some((1, 0)));
        assert!(read.chunks.is_empty());
        assert_eq!(read.finish().unwrap(), Vec::new());
        // A chunk nobody read is an error, not a report without its values.
        let read = SharedRead::new(&v, year.span(), Some((1, 10)));
        assert!(read.finish().is_err());
    }

    #[test]
    fn totals_in_range_current_only() {
        let (store, v) = store();
        insert(&store, "FY2021", "", 1.0, false);
        insert(&store, "FY2022Q1", "", 2.0, true);
        insert(&store, "FY2022Q2", "sex=female", 3.0, false);
        insert(&store, "FY2022", "", 4.0, false);
        insert(&store, "FY2023", "", 5.0, false);
        let p = |s: &str| s.parse::<FiscalPeriod>().unwrap();
        let mut got: Vec<(String, f64)> = store
            .current_totals(&v, PeriodRange::new(p("FY2022"), p("FY2022Q4")))
            .unwrap()
            .into_iter()
            .map(|x| (x.period.to_string(), x.value))
            .collect();
        got.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(got, vec![("FY2022".into(), 4.0), ("FY2022Q1".into(), 3.0)]);
        assert_eq!(store.latest_value_year(&v, None).unwrap(), Some(2023));
    }

    #[test]
    fn latest_year_counts_disaggregations_within_the_range() {
        let (store, v) = store();
        assert_eq!(store.latest_value_year(&v, None).unwrap(), None);
        insert(&store, "FY2024", "sex=male", 1.0, false);
        insert(&store, "FY2030", "", 1.0, false);
        // A disaggregated value counts (a total may be derived from it); a year outside the
        // range asked for does not.
        assert_eq!(
            store
                .latest_value_year(&v, Some(PeriodRange::fiscal_years(1900, 2029)))
                .unwrap(),
            Some(2024)
        );
        assert_eq!(
            store
                .latest_value_year(&v, Some(PeriodRange::fiscal_years(2025, 2029)))
                .unwrap(),
            None
        );
    }

    #[test]
    fn categories_and_parts_are_read_for_indicators_that_need_them() {
        let (store, v) = store();
        store
            .conn
            .execute_batch(
                "UPDATE indicator_def SET disaggregations = '{\"sex\":[\"female\",\"male\"]}'",
            )
            .unwrap();
        insert(&store, "FY2022", "", 4.0, false);
        insert(&store, "FY2022", "sex=female", 3.0, false);
        insert(&store, "FY2022", "sex=female;age=15-24", 1.0, false);
        store
            .conn
            .execute_batch("UPDATE value SET numerator = 3, denominator = 6 WHERE value = 3")
            .unwrap();
        let p = |s: &str| s.parse::<FiscalPeriod>().unwrap();
        let got = store
            .current_totals(&v, PeriodRange::new(p("FY2022"), p("FY2022Q4")))
            .unwrap();
        let seen: Vec<(&str, f64, Option<f64>)> = got
            .iter()
            .map(|x| (x.disaggregation(), x.value, x.parts().map(|p| p.0)))
            .collect();
        // The special read first (total and one category, with parts), then the plain totals.
        assert_eq!(
            seen,
            vec![
                ("", 4.0, None),
                ("sex=female", 3.0, Some(3.0)),
                ("", 4.0, None)
            ]
        );
        let plan: Vec<String> = store
            .conn
            .prepare(&format!(
                "EXPLAIN QUERY PLAN {}",
                CURRENT_SPECIAL.replace(COUNTED, crate::store::workflow::APPROVED_ONLY)
            ))
            .unwrap()
            .query_map(rusqlite::params![1, 20220, 20224, 1, 9], |r| {
                r.get::<_, String>(3)
            })
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert!(
            plan.join("\n").contains("indicator_def_special"),
            "{plan:?}"
        );
    }

    #[test]
    fn queries_seek_the_current_index_per_indicator() {
        let (store, _) = store();
        let plan: Vec<String> = store
            .conn
            .prepare(&format!(
                "EXPLAIN QUERY PLAN {}",
                CURRENT_TOTALS.replace(COUNTED, crate::store::workflow::APPROVED_ONLY)
            ))
            .unwrap()
            .query_map(rusqlite::params![1, 20220, 20224, 1, 9], |r| {
                r.get::<_, String>(3)
            })
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        let joined = plan.join("\n");
        assert!(
            joined.contains("USING INDEX value_current (indicator_id=? AND period>? AND period<?)"),
            "{joined}"
        );
        // The version's indicators of one half: one range of its unique index.
        assert!(
            joined.contains("(version_id=? AND indicator_id>? AND indicator_id<?)"),
            "{joined}"
        );
    }
}
