//! A version's stored outline: its nodes, links and indicator definitions without the prose,
//! as the rows give them to a lean read, kept as one compact value (table `version_outline`,
//! schema 13) beside the rows. `progress` and `tree` of a 20,000-indicator strategy spent most
//! of their time stepping SQLite through those rows (about 150 million instructions, most of
//! the framework read); decoding the outline gives the reader the same rows for a fraction.
//!
//! The rows stay the truth; the outline is an accelerator that can only be missing, never
//! wrong in a way a reader would believe:
//! - it is written from the rows themselves ([`write`]: the same lean read into an encoder,
//!   in the transaction that stored them), so reading it gives what reading them gives;
//! - a version's rows are never changed once stored, and triggers (schema 13) delete the
//!   outline of any version whose nodes, links, definitions or indicator codes change
//!   anyway (by a later ics or a hand edit);
//! - a reader that finds it missing, of another format, cut short, with a count that
//!   disagrees with the version's, or with anything its builder refuses, reads the rows
//!   instead ([`read`] answers `None`), so damage is reported from the rows, as before;
//! - `ics check` compares each outline with a fresh encoding of its version's rows.
//!
//! The encoding: `ICSO`, a format byte, a check sum of the rest (8 bytes: any change within
//! one 8-byte word changes it, and a cut or an addition all but surely does; [`sum`]); the
//! version's id (8 bytes); then every text, one after another (a 4-byte length and UTF-8, checked once: checking each of
//! 150,000 texts on its own was a quarter of decoding), a short text that recurs (a unit, a
//! direction) only once; then records, each a tag byte and its fields: a node (1), the end
//! of the nodes (2), a link (3), an indicator definition (4), the end (0), definitions in id
//! order; a node's record ends with how many indicators it holds (4 bytes), so a reader sizes
//! its list once. Numbers are 8 bytes little-endian, a text field is where its text starts and its
//! length (4 bytes each), and an optional field is a byte (0 none, 1 some) and the field.

use rusqlite::{Connection, OptionalExtension};

use super::framework_read::{read_definitions, read_nodes};
use super::framework_rows::{DefRow, Detail, NodeRow, RowSink, VersionBuilder};
use super::{map_err, VersionInfo};
use crate::error::Error;

const MAGIC: &[u8; 4] = b"ICSO";
/// The format this build writes and reads; an outline of another format is not read.
const FORMAT: u8 = 4;

/// Magic, format and sum: where the records start.
const HEAD: usize = 4 + 1 + 8;

/// The check sum of `records`: their length, then each 8-byte word (the last padded with
/// zeros), each step a bijection of the running sum, so a change confined to one word always
/// changes the result (and another length all but surely does). It guards against damage,
/// not against someone who rewrites the sum: `ics check` compares the outline with its rows.
fn sum(records: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let step = |h: u64, w: u64| (h.rotate_left(5) ^ w).wrapping_mul(K);
    let mut h = step(0, records.len() as u64);
    let mut words = records.chunks_exact(8);
    for w in &mut words {
        h = step(h, u64::from_le_bytes(w.try_into().unwrap_or_default()));
    }
    let mut last = [0u8; 8];
    last[..words.remainder().len()].copy_from_slice(words.remainder());
    step(h, u64::from_le_bytes(last))
}

const NODE: u8 = 1;
const END_NODES: u8 = 2;
const LINK: u8 = 3;
const DEFINITION: u8 = 4;
const END: u8 = 0;

/// Write (or rewrite) the outline of `version` from its stored rows, on `conn`, which should
/// hold the transaction that stored them.
pub(super) fn write(conn: &Connection, version: &VersionInfo) -> Result<(), Error> {
    let ctx = format!("store the outline of version `{}`", version.label);
    let body = encode(conn, version, &ctx)?;
    store(conn, version, &body, &ctx)
}

/// [`write`] for a version stored before outlines existed (the upgrade to schema 13): a
/// version whose rows cannot be read keeps no outline, so its readers read (and refuse) the
/// rows and `ics check` names the damage, where failing here would fail the upgrade and shut
/// every command, `check` included, out of the file. Storing the outline must succeed.
pub(super) fn write_if_readable(conn: &Connection, version: &VersionInfo) -> Result<(), Error> {
    let ctx = format!("store the outline of version `{}`", version.label);
    match encode(conn, version, &ctx) {
        Ok(body) => store(conn, version, &body, &ctx),
        Err(_) => Ok(()),
    }
}

fn store(conn: &Connection, version: &VersionInfo, body: &[u8], ctx: &str) -> Result<(), Error> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO version_outline (version_id, format, body) VALUES (?1, ?2, ?3)",
    )
    .and_then(|mut stmt| stmt.execute(rusqlite::params![version.id, FORMAT, body]))
    .map_err(|e| map_err(e, ctx))?;
    Ok(())
}

/// The outline of `version` as [`write`] would store it now, from its rows: the same bytes
/// whatever order SQLite gives the definitions in (they are written in id order).
pub(super) fn encode(
    conn: &Connection,
    version: &VersionInfo,
    ctx: &str,
) -> Result<Vec<u8>, Error> {
    let mut enc = Encoder {
        version_id: version.id,
        ..Encoder::default()
    };
    read_nodes(conn, version, Detail::Outline, &mut enc, ctx)?;
    read_definitions(conn, version, Detail::Outline, &mut enc, ctx)?;
    Ok(enc.finish())
}

/// Whether this build reads outlines of `format` (one of another format is passed over).
pub(super) fn readable(format: i64) -> bool {
    format == i64::from(FORMAT)
}

/// The stored outline of `version` (format and body), if it has one.
pub(super) fn stored(
    conn: &Connection,
    version: &VersionInfo,
    ctx: &str,
) -> Result<Option<(i64, Vec<u8>)>, Error> {
    conn.prepare_cached("SELECT format, body FROM version_outline WHERE version_id = ?1")
        .and_then(|mut stmt| {
            stmt.query_row([version.id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })
        .map_err(|e| map_err(e, ctx))
}

/// Feed `sink` the rows of `version`'s stored outline, and give its definitions' ids in
/// order; `None` (having fed it some rows, perhaps) when there is no outline this build can
/// read whole, or `sink` refused a row: the caller then reads the rows with a fresh sink.
pub(super) fn read(
    conn: &Connection,
    version: &VersionInfo,
    sink: &mut impl RowSink,
) -> Option<Vec<i64>> {
    let mut stmt = conn
        .prepare_cached("SELECT body FROM version_outline WHERE version_id = ?1 AND format = ?2")
        .ok()?;
    stmt.query_row(rusqlite::params![version.id, FORMAT], |r| {
        Ok(r.get_ref(0)?
            .as_blob()
            .ok()
            .and_then(|body| decode(body, version, sink)))
    })
    .ok()
    .flatten()
}

/// Whether a reader would take `body` as `version`'s outline: it decodes, and the framework
/// it gives builds.
pub(super) fn believed(conn: &Connection, body: &[u8], version: &VersionInfo) -> bool {
    let Ok((strategy, settings)) = conn.query_row(
        "SELECT strategy_json, settings_json FROM strategy_version WHERE id = ?1",
        [version.id],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
    ) else {
        return false;
    };
    let Ok(mut fw) = VersionBuilder::new(version, Detail::Outline, "", &strategy, &settings) else {
        return false;
    };
    decode(body, version, &mut fw).is_some() && fw.finish().is_ok()
}

/// See [`read`].
fn decode(body: &[u8], version: &VersionInfo, sink: &mut impl RowSink) -> Option<Vec<i64>> {
    let mut r = Reader {
        buf: body,
        at: 0,
        text: "",
    };
    if r.bytes(4)? != MAGIC || r.u8()? != FORMAT || r.i64()? as u64 != sum(body.get(HEAD..)?) {
        return None;
    }
    if r.i64()? != version.id {
        return None;
    }
    let len = r.u32()?;
    r.text = std::str::from_utf8(r.bytes(len)?).ok()?;
    // The records in the order they are written: nodes, their end, then links and
    // definitions, then the end; anything else is not an outline this build wrote.
    let mut nodes_done = false;
    let (mut nodes, mut ids) = (
        0usize,
        Vec::with_capacity(super::capacity_hint(version.indicators)),
    );
    loop {
        match r.u8()? {
            NODE if !nodes_done => {
                nodes += 1;
                sink.node(NodeRow {
                    id: r.i64()?,
                    kind: r.str()?.to_string(),
                    code: r.opt_str()?.map(str::to_string),
                    parent: r.opt_str()?.map(str::to_string),
                    title: r.opt_str()?.map(str::to_string),
                    description: None,
                    justification: None,
                    result_type: r.opt_str()?.map(str::to_string),
                    parent_id: r.opt_i64()?,
                    parent_version: r.opt_i64()?,
                    linkages: None,
                    risks: None,
                    hypothesis: None,
                    aligns_with: r.opt_str()?.map(str::to_string),
                    indicators: Some(r.u32()?),
                })
                .ok()?;
            }
            END_NODES if !nodes_done => {
                nodes_done = true;
                sink.end_nodes().ok()?;
            }
            LINK if nodes_done => {
                let from = r.i64()?;
                let relation = r.str()?;
                let to = r.str()?.to_string();
                sink.link(from, relation, to).ok()?;
            }
            DEFINITION if nodes_done => {
                let def_id = r.i64()?;
                ids.push(def_id);
                sink.indicator(DefRow {
                    def_id,
                    node_id: r.i64()?,
                    baseline_period: r.opt_i64()?,
                    baseline_value: r.opt_f64()?,
                    code: r.str()?.to_string(),
                    title: r.str()?.to_string(),
                    unit: r.str()?.to_string(),
                    direction: r.str()?,
                    frequency: r.str()?,
                    aggregation: r.str()?,
                    disaggregations: r.str()?,
                    position: r.i64()?,
                    cumulative: r.u8()? != 0,
                    ratio_numerator: r.opt_str()?.map(str::to_string),
                    ratio_denominator: r.opt_str()?.map(str::to_string),
                    standard_code: None,
                    source: None,
                    definition: None,
                    illustrative: false,
                    pirs: None,
                })
                .ok()?;
            }
            END if nodes_done => break,
            _ => return None,
        }
    }
    // Whole, and of this version's size.
    if r.at != body.len() || nodes != version.nodes || ids.len() != version.indicators {
        return None;
    }
    ids.sort_unstable();
    Some(ids)
}

/// Writes the rows it is given as an outline.
#[derive(Default)]
struct Encoder {
    /// The records.
    out: Vec<u8>,
    /// Every text the records refer to, one after another.
    text: String,
    /// Where a short text already in `text` lies (a unit, a direction, a kind: written once).
    short: std::collections::HashMap<String, (u32, u32)>,
    /// Each node's count of indicators, by node id: where it lies in `out`, and the count.
    counts: std::collections::HashMap<i64, (usize, u32)>,
    /// The definitions as they came: written in id order by `finish`, texts included, so the
    /// bytes do not depend on the order SQLite gives the rows in.
    defs: Vec<OwnedDef>,
    /// The version the outline is of (in the summed part, so one version's outline is never
    /// read as another's).
    version_id: i64,
}

/// A definition's row, kept until `finish`.
struct OwnedDef {
    def_id: i64,
    node_id: i64,
    baseline_period: Option<i64>,
    baseline_value: Option<f64>,
    code: String,
    title: String,
    unit: String,
    direction: String,
    frequency: String,
    aggregation: String,
    disaggregations: String,
    position: i64,
    cumulative: bool,
    ratio_numerator: Option<String>,
    ratio_denominator: Option<String>,
}

impl Encoder {
    /// The outline: head, text, and the records with the definitions in id order (so the
    /// bytes do not depend on the order SQLite gave the rows in).
    fn finish(mut self) -> Vec<u8> {
        for &(at, n) in self.counts.values() {
            self.out[at..at + 4].copy_from_slice(&n.to_le_bytes());
        }
        let mut defs = std::mem::take(&mut self.defs);
        defs.sort_unstable_by_key(|d| d.def_id);
        for d in &defs {
            self.definition(d);
        }
        let mut body = Vec::with_capacity(HEAD + 12 + self.text.len() + self.out.len() + 1);
        body.extend_from_slice(MAGIC);
        body.push(FORMAT);
        body.extend_from_slice(&[0; 8]);
        body.extend_from_slice(&self.version_id.to_le_bytes());
        body.extend_from_slice(&Self::len(self.text.len()).to_le_bytes());
        body.extend_from_slice(self.text.as_bytes());
        body.extend_from_slice(&self.out);
        body.push(END);
        let sum = sum(&body[HEAD..]);
        body[HEAD - 8..HEAD].copy_from_slice(&sum.to_le_bytes());
        body
    }
    fn definition(&mut self, d: &OwnedDef) {
        self.out.push(DEFINITION);
        self.i64(d.def_id);
        self.i64(d.node_id);
        self.opt_i64(d.baseline_period);
        self.opt_f64(d.baseline_value);
        self.str(&d.code);
        self.str(&d.title);
        self.str(&d.unit);
        self.str(&d.direction);
        self.str(&d.frequency);
        self.str(&d.aggregation);
        self.str(&d.disaggregations);
        self.i64(d.position);
        self.out.push(u8::from(d.cumulative));
        self.opt_str(d.ratio_numerator.as_deref());
        self.opt_str(d.ratio_denominator.as_deref());
    }
    /// A length or offset as stored: texts are under 1 GB (SQLite's limit) and an outline
    /// under 4 GiB.
    fn len(n: usize) -> u32 {
        u32::try_from(n).unwrap_or(u32::MAX)
    }
    fn i64(&mut self, n: i64) {
        self.out.extend_from_slice(&n.to_le_bytes());
    }
    /// A text: where it lies in the text, and its length.
    fn str(&mut self, s: &str) {
        const SHORT: usize = 32;
        let at = match self.short.get(s) {
            Some(&at) => at,
            None => {
                let at = (Self::len(self.text.len()), Self::len(s.len()));
                self.text.push_str(s);
                if s.len() <= SHORT {
                    self.short.insert(s.to_string(), at);
                }
                at
            }
        };
        self.out.extend_from_slice(&at.0.to_le_bytes());
        self.out.extend_from_slice(&at.1.to_le_bytes());
    }
    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.out.push(1);
                self.str(s);
            }
            None => self.out.push(0),
        }
    }
    fn opt_i64(&mut self, n: Option<i64>) {
        match n {
            Some(n) => {
                self.out.push(1);
                self.i64(n);
            }
            None => self.out.push(0),
        }
    }
    fn opt_f64(&mut self, n: Option<f64>) {
        self.opt_i64(n.map(|n| n.to_bits() as i64));
    }
}

impl RowSink for Encoder {
    fn node(&mut self, row: NodeRow) -> Result<(), Error> {
        self.out.push(NODE);
        self.i64(row.id);
        self.str(&row.kind);
        self.opt_str(row.code.as_deref());
        self.opt_str(row.parent.as_deref());
        self.opt_str(row.title.as_deref());
        self.opt_str(row.result_type.as_deref());
        self.opt_i64(row.parent_id);
        self.opt_i64(row.parent_version);
        self.opt_str(row.aligns_with.as_deref());
        // How many indicators it holds: counted as they come, written by `finish`.
        self.counts.insert(row.id, (self.out.len(), 0));
        self.out.extend_from_slice(&[0; 4]);
        Ok(())
    }
    fn end_nodes(&mut self) -> Result<(), Error> {
        self.out.push(END_NODES);
        Ok(())
    }
    fn link(&mut self, from: i64, relation: &str, to: String) -> Result<(), Error> {
        self.out.push(LINK);
        self.i64(from);
        self.str(relation);
        self.str(&to);
        Ok(())
    }
    fn indicator(&mut self, row: DefRow<'_>) -> Result<(), Error> {
        if let Some((_, n)) = self.counts.get_mut(&row.node_id) {
            *n += 1;
        }
        self.defs.push(OwnedDef {
            def_id: row.def_id,
            node_id: row.node_id,
            baseline_period: row.baseline_period,
            baseline_value: row.baseline_value,
            code: row.code,
            title: row.title,
            unit: row.unit,
            direction: row.direction.to_string(),
            frequency: row.frequency.to_string(),
            aggregation: row.aggregation.to_string(),
            disaggregations: row.disaggregations.to_string(),
            position: row.position,
            cumulative: row.cumulative,
            ratio_numerator: row.ratio_numerator,
            ratio_denominator: row.ratio_denominator,
        });
        Ok(())
    }
}

/// Reads an outline; every read is checked against the end (`None` past it).
struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
    /// The outline's text, checked as UTF-8 once.
    text: &'a str,
}

impl<'a> Reader<'a> {
    fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let b = self.buf.get(self.at..end)?;
        self.at = end;
        Some(b)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.bytes(1)?[0])
    }
    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.bytes(8)?.try_into().ok()?))
    }
    fn u32(&mut self) -> Option<usize> {
        usize::try_from(u32::from_le_bytes(self.bytes(4)?.try_into().ok()?)).ok()
    }
    fn str(&mut self) -> Option<&'a str> {
        let (at, len) = (self.u32()?, self.u32()?);
        self.text.get(at..at.checked_add(len)?)
    }
    fn some(&mut self) -> Option<bool> {
        match self.u8()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
    fn opt_str(&mut self) -> Option<Option<&'a str>> {
        Some(if self.some()? {
            Some(self.str()?)
        } else {
            None
        })
    }
    fn opt_i64(&mut self) -> Option<Option<i64>> {
        Some(if self.some()? {
            Some(self.i64()?)
        } else {
            None
        })
    }
    fn opt_f64(&mut self) -> Option<Option<f64>> {
        Some(self.opt_i64()?.map(|n| f64::from_bits(n as u64)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::{parse_str, Framework};
    use crate::store::{OpenMode, Store, Targets};

    const AT: &str = "2026-01-15T12:00:00.000000Z";

    /// A strategy with what the outline carries beyond codes and titles: alignments, a
    /// result type, links, baselines, a ratio, a cumulative indicator, disaggregations.
    const RICH: &str = r#"
[strategy]
code = "t"
title = "T"
version = "v1"

[[goal]]
code = "G1"
title = "Goal"
aligns_with = [{ strategy = "JSP", code = "1.1", title = "T" }]

  [[goal.objective]]
  code = "O1"
  title = "Objective"
  result_type = "outcome"

    [[goal.objective.indicator]]
    code = "I1"
    title = "People trained"
    unit = "people"
    direction = "increase"
    baseline = { period = "FY2020", value = 10 }
    targets = { FY2022 = 20, FY2023 = 30 }
    disaggregations = { sex = ["female", "male"] }
    cumulative = true

    [[goal.objective.indicator]]
    code = "I2"
    title = "Share passing"
    unit = "percent"
    direction = "increase"
    ratio = { numerator = "passed", denominator = "sat" }

[[development_objective]]
code = "DO1"
title = "Development objective"
supports = ["O1"]
"#;

    fn stored(text: &str) -> (Store, crate::store::VersionInfo) {
        let mut store = Store::open_in_memory().unwrap();
        let fw = parse_str(text, "framework.toml").unwrap();
        store.save_version(&fw, "v1", None, AT).unwrap();
        let v = store.resolve_version(None).unwrap();
        (store, v)
    }

    fn outlines(store: &Store) -> i64 {
        store
            .conn
            .query_row("SELECT count(*) FROM version_outline", [], |r| r.get(0))
            .unwrap()
    }

    /// The lean and outline reads, with every target.
    fn reads(store: &Store, v: &crate::store::VersionInfo) -> (Framework, Framework) {
        (
            store.framework_lean(v, Targets::All).unwrap(),
            store.framework_outline(v, Targets::All).unwrap(),
        )
    }

    #[test]
    fn an_outline_reads_back_as_the_rows_do() {
        for text in [RICH, crate::shipped::FRAMEWORK] {
            let (store, v) = stored(text);
            assert_eq!(outlines(&store), 1, "load writes the outline");
            let from_outline = reads(&store, &v);
            store
                .conn
                .execute("DELETE FROM version_outline", [])
                .unwrap();
            let from_rows = reads(&store, &v);
            assert_eq!(from_outline, from_rows);
            // And the rows were not left out: the alignments and links are there.
            assert!(from_rows.1.nodes.iter().any(|n| !n.aligns_with.is_empty()) || text != RICH);
            assert!(from_rows.1.nodes.iter().any(|n| !n.supports.is_empty()));
        }
    }

    #[test]
    fn a_changed_row_drops_its_versions_outline() {
        let changes = [
            "UPDATE node SET title = 'Changed' WHERE code = 'O1'",
            "UPDATE indicator_def SET title = 'Changed' WHERE position = 0",
            "DELETE FROM node_link",
            "UPDATE indicator SET code = 'I9' WHERE code = 'I1'",
            "INSERT INTO node (version_id, position, kind, code, title) VALUES (1, 99, 'goal', 'G9', 'New')",
            // Replaced by rows with the same id (no delete trigger fires for those).
            "INSERT OR REPLACE INTO indicator (id, strategy_code, code) \
             SELECT id, strategy_code, 'I9' FROM indicator WHERE code = 'I1'",
            "INSERT OR REPLACE INTO node (id, version_id, position, kind, code, title) \
             SELECT id, version_id, position, kind, code, 'Changed' FROM node WHERE code = 'O1'",
            "INSERT OR REPLACE INTO indicator_def \
             SELECT * FROM indicator_def WHERE position = 0",
        ];
        for change in changes {
            let (store, _) = stored(RICH);
            store.conn.execute(change, []).unwrap();
            assert_eq!(outlines(&store), 0, "{change}");
        }
        // The rows are read instead, and show the change.
        let (store, v) = stored(RICH);
        store.conn.execute(changes[0], []).unwrap();
        let fw = store.framework_lean(&v, Targets::None).unwrap();
        assert!(fw.nodes.iter().any(|n| n.title == "Changed"));
        // A row of the first version replaced by one of the second (same id): no delete
        // trigger fires for the row replaced, yet the first version's outline goes.
        for change in [
            "INSERT OR REPLACE INTO node (id, version_id, position, kind, code, title) \
             SELECT id, 2, 99, kind, 'G9', title FROM node WHERE version_id = 1 AND code = 'O1'",
            "INSERT OR REPLACE INTO indicator_def (id, version_id, indicator_id, node_id, \
             position, title, unit, direction, frequency, aggregation, disaggregations, \
             illustrative) \
             SELECT d.id, 2, d.indicator_id, (SELECT min(id) FROM node WHERE version_id = 2), \
             99, d.title, d.unit, d.direction, d.frequency, d.aggregation, d.disaggregations, \
             d.illustrative \
             FROM indicator_def d WHERE d.version_id = 1 AND d.position = 0",
        ] {
            let (mut store, _) = stored(RICH);
            let v2 = RICH
                .replace("version = \"v1\"", "version = \"v2\"")
                .replace("Objective", "Objective 2");
            store
                .save_version(&parse_str(&v2, "framework.toml").unwrap(), "v2", None, AT)
                .unwrap();
            assert_eq!(outlines(&store), 2);
            // As a hand edit in the sqlite3 shell makes it: foreign keys unchecked.
            store
                .conn
                .execute_batch("PRAGMA foreign_keys = OFF")
                .unwrap();
            store.conn.execute(change, []).unwrap();
            let left: Vec<i64> = store
                .conn
                .prepare("SELECT version_id FROM version_outline")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert!(!left.contains(&1), "{change}: {left:?}");
        }
        // A later version that uses the same indicators leaves the first one's outline.
        let (mut store, _) = stored(RICH);
        let v2 = RICH
            .replace("version = \"v1\"", "version = \"v2\"")
            .replace("Objective", "Objective 2");
        let fw = parse_str(&v2, "framework.toml").unwrap();
        store.save_version(&fw, "v2", None, AT).unwrap();
        assert_eq!(outlines(&store), 2);
    }

    #[test]
    fn a_damaged_outline_is_passed_over_for_the_rows() {
        let (store, v) = stored(RICH);
        let want = reads(&store, &v);
        let body: Vec<u8> = store
            .conn
            .query_row("SELECT body FROM version_outline", [], |r| r.get(0))
            .unwrap();
        // Cut at every length, one byte added, the magic changed.
        let mut damaged: Vec<Vec<u8>> = (0..body.len()).map(|n| body[..n].to_vec()).collect();
        damaged.push([body.as_slice(), b"x"].concat());
        let mut wrong_magic = body.clone();
        wrong_magic[0] = b'X';
        damaged.push(wrong_magic);
        // Every byte flipped in turn.
        for at in 0..body.len() {
            let mut b = body.clone();
            b[at] ^= 0x80;
            damaged.push(b);
        }
        for b in damaged {
            store
                .conn
                .execute("UPDATE version_outline SET body = ?1", [&b])
                .unwrap();
            // The sum refuses each: the rows are read, no panic and no error.
            let got = (
                store.framework_lean(&v, Targets::All),
                store.framework_outline(&v, Targets::All),
            );
            let (Ok(lean), Ok(outline)) = got else {
                panic!("a damaged outline made the read fail");
            };
            let mut fresh = Encoder::default();
            assert!(decode(&b, &v, &mut fresh).is_none());
            assert_eq!((lean, outline), want);
        }
        // An outline of another format is not read, though it would decode (a title changed,
        // the sum made again).
        let at = body
            .windows(14)
            .position(|w| w == b"People trained")
            .unwrap();
        let mut other = body.clone();
        other[at..at + 14].copy_from_slice(b"People trainee");
        let new_sum = sum(&other[HEAD..]);
        other[HEAD - 8..HEAD].copy_from_slice(&new_sum.to_le_bytes());
        store
            .conn
            .execute("UPDATE version_outline SET body = ?1", [&other])
            .unwrap();
        assert_ne!(
            reads(&store, &v),
            want,
            "the edited outline is read at this format"
        );
        store
            .conn
            .execute("UPDATE version_outline SET format = format + 1", [])
            .unwrap();
        assert_eq!(reads(&store, &v), want);
    }

    /// A file holding [`RICH`] as schema 12 left it (no outlines, no outline triggers), with
    /// `damage` done to it; its path.
    fn schema_12_file(dir: &std::path::Path, damage: &str) -> std::path::PathBuf {
        let path = dir.join("old.db");
        let mut store = Store::open(&path, OpenMode::Create).unwrap();
        let fw = parse_str(RICH, "framework.toml").unwrap();
        store.save_version(&fw, "v1", None, AT).unwrap();
        let triggers: Vec<String> = store
            .conn
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' \
                 AND name LIKE 'version_outline_%'",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(triggers.len(), 14);
        for t in triggers {
            store
                .conn
                .execute_batch(&format!("DROP TRIGGER {t}"))
                .unwrap();
        }
        store
            .conn
            .execute_batch(&format!(
                "DROP TABLE version_outline; {damage} PRAGMA user_version = 12;"
            ))
            .unwrap();
        path
    }

    #[test]
    fn an_upgrade_writes_the_outlines_of_stored_versions() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&schema_12_file(dir.path(), ""), OpenMode::Existing).unwrap();
        assert_eq!(outlines(&store), 1);
        let v = store.resolve_version(None).unwrap();
        let (format, body) = super::stored(&store.conn, &v, "test").unwrap().unwrap();
        assert!(readable(format));
        assert_eq!(body, encode(&store.conn, &v, "test").unwrap());
        assert!(store.check().unwrap().problems.is_empty());
    }

    /// An upgrade over a version whose rows cannot be read leaves that version without an
    /// outline (its readers refuse the rows, `check` names them) rather than failing, which
    /// would shut every command out of the file.
    #[test]
    fn an_upgrade_over_damaged_rows_still_opens() {
        let dir = tempfile::tempdir().unwrap();
        let damage = "UPDATE indicator_def SET position = 'x' WHERE position = 0;";
        let store = Store::open(&schema_12_file(dir.path(), damage), OpenMode::Existing).unwrap();
        assert_eq!(outlines(&store), 0);
        assert!(!store.check().unwrap().problems.is_empty());
    }

    /// Records what a decode gives: each node's count of indicators, the definitions' ids and
    /// nodes in their order.
    #[derive(Default)]
    struct Recorder {
        counts: Vec<(i64, Option<usize>)>,
        defs: Vec<i64>,
        nodes_of_defs: Vec<i64>,
    }

    impl RowSink for Recorder {
        fn node(&mut self, row: NodeRow) -> Result<(), Error> {
            self.counts.push((row.id, row.indicators));
            Ok(())
        }
        fn end_nodes(&mut self) -> Result<(), Error> {
            Ok(())
        }
        fn link(&mut self, _: i64, _: &str, _: String) -> Result<(), Error> {
            Ok(())
        }
        fn indicator(&mut self, row: DefRow<'_>) -> Result<(), Error> {
            self.defs.push(row.def_id);
            self.nodes_of_defs.push(row.node_id);
            Ok(())
        }
    }

    /// The outline's bytes do not depend on the order SQLite gives the definitions in (a
    /// query plan can change it: `ANALYZE`, another SQLite): the same rows given in reverse
    /// make the same outline.
    #[test]
    fn an_outline_does_not_depend_on_the_rows_order() {
        let (store, v) = stored(crate::shipped::FRAMEWORK);
        let mut rows = Encoder::default();
        read_definitions(&store.conn, &v, Detail::Outline, &mut rows, "test").unwrap();
        assert!(rows.defs.len() > 2);
        let outline = |reversed: bool| {
            let mut enc = Encoder {
                version_id: v.id,
                ..Encoder::default()
            };
            read_nodes(&store.conn, &v, Detail::Outline, &mut enc, "test").unwrap();
            let mut defs: Vec<&OwnedDef> = rows.defs.iter().collect();
            if reversed {
                defs.reverse();
            }
            for d in defs {
                enc.indicator(DefRow {
                    def_id: d.def_id,
                    node_id: d.node_id,
                    baseline_period: d.baseline_period,
                    baseline_value: d.baseline_value,
                    code: d.code.clone(),
                    title: d.title.clone(),
                    unit: d.unit.clone(),
                    direction: &d.direction,
                    frequency: &d.frequency,
                    aggregation: &d.aggregation,
                    disaggregations: &d.disaggregations,
                    standard_code: None,
                    source: None,
                    definition: None,
                    illustrative: false,
                    position: d.position,
                    cumulative: d.cumulative,
                    ratio_numerator: d.ratio_numerator.clone(),
                    ratio_denominator: d.ratio_denominator.clone(),
                    pirs: None,
                })
                .unwrap();
            }
            enc.finish()
        };
        let stored = super::stored(&store.conn, &v, "test").unwrap().unwrap().1;
        assert_eq!(outline(false), stored);
        assert_eq!(outline(true), stored);
    }

    /// Each node's record carries how many indicators it holds.
    #[test]
    fn an_outline_counts_each_nodes_indicators() {
        let (store, v) = stored(crate::shipped::FRAMEWORK);
        let body = super::stored(&store.conn, &v, "test").unwrap().unwrap().1;
        let mut sink = Recorder::default();
        decode(&body, &v, &mut sink).unwrap();
        assert!(sink.counts.iter().any(|&(_, n)| n > Some(1)));
        for (id, n) in &sink.counts {
            let held = sink
                .nodes_of_defs
                .iter()
                .filter(|&&node| node == *id)
                .count();
            assert_eq!(*n, Some(held), "node {id}");
        }
    }

    /// An encoder that leaves out the end of the nodes.
    struct NoEnd(Encoder);

    impl RowSink for NoEnd {
        fn node(&mut self, row: NodeRow) -> Result<(), Error> {
            self.0.node(row)
        }
        fn end_nodes(&mut self) -> Result<(), Error> {
            Ok(())
        }
        fn link(&mut self, from: i64, relation: &str, to: String) -> Result<(), Error> {
            self.0.link(from, relation, to)
        }
        fn indicator(&mut self, row: DefRow<'_>) -> Result<(), Error> {
            self.0.indicator(row)
        }
    }

    /// The records only in the order they are written: an outline whose nodes never end (so
    /// no parent-cycle check would run) is passed over, even with a right sum; and the
    /// definitions are written in id order.
    #[test]
    fn records_in_their_order_only() {
        let (mut store, _) = stored(RICH);
        // A second version whose definitions' ids do not follow their indicators' ids.
        let v2 = RICH
            .replace("version = \"v1\"", "version = \"v2\"")
            .replace("code = \"I1\"", "code = \"I3\"");
        store
            .save_version(&parse_str(&v2, "framework.toml").unwrap(), "v2", None, AT)
            .unwrap();
        let v = store.resolve_version(Some("v2")).unwrap();
        let body = super::stored(&store.conn, &v, "test").unwrap().unwrap().1;
        let mut sink = Recorder::default();
        decode(&body, &v, &mut sink).unwrap();
        assert_eq!(sink.defs.len(), 2);
        assert!(sink.defs.windows(2).all(|w| w[0] < w[1]), "{:?}", sink.defs);
        let mut enc = NoEnd(Encoder {
            version_id: v.id,
            ..Encoder::default()
        });
        read_nodes(&store.conn, &v, Detail::Outline, &mut enc, "test").unwrap();
        read_definitions(&store.conn, &v, Detail::Outline, &mut enc, "test").unwrap();
        // The sum is made by `finish`: only the order of the records is wrong.
        let cut = enc.0.finish();
        assert!(!believed(&store.conn, &cut, &v));
        assert!(believed(&store.conn, &body, &v));
    }

    #[test]
    fn check_finds_an_outline_that_differs_from_its_rows() {
        let (store, v) = stored(RICH);
        let report = store.check().unwrap();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        let body = super::stored(&store.conn, &v, "test").unwrap().unwrap().1;
        let put = |body: &[u8]| {
            store
                .conn
                .execute("UPDATE version_outline SET body = ?1", [body])
                .unwrap();
        };
        let title = |store: &Store| -> String {
            let fw = store.framework_lean(&v, Targets::None).unwrap();
            let (_, ind) = fw.indicators().next().unwrap();
            ind.title.clone()
        };
        // A title changed inside the outline, with the sum made again: readers believe it
        // (the sum guards against damage, not edits), and `check` finds it.
        let at = body
            .windows(14)
            .position(|w| w == b"People trained")
            .unwrap();
        let mut edited = body.clone();
        edited[at..at + 14].copy_from_slice(b"People trainee");
        let new_sum = sum(&edited[HEAD..]);
        edited[HEAD - 8..HEAD].copy_from_slice(&new_sum.to_le_bytes());
        put(&edited);
        assert_eq!(title(&store), "People trainee");
        let problems = store.check().unwrap().problems;
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("differs from its nodes and indicators"),
            "{problems:?}"
        );
        // The same change without the sum: damaged, passed over for the rows, and named.
        edited[HEAD - 8..HEAD].copy_from_slice(&body[HEAD - 8..HEAD]);
        put(&edited);
        assert_eq!(title(&store), "People trained");
        let problems = store.check().unwrap().problems;
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("is damaged"), "{problems:?}");
    }
}
