//! The database schema, as an append-only list of migrations tracked by `PRAGMA user_version`.
//!
//! Never edit a migration that has shipped: add a new one. All migrations that a database lacks
//! run in one transaction when it is opened.

/// Migrations in order; migration `i` brings the schema to version `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: metadata, versions, nodes, links, indicators, targets, values.
    r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE strategy_version (
        id              INTEGER PRIMARY KEY,
        label           TEXT NOT NULL UNIQUE,
        strategy_code   TEXT NOT NULL,
        title           TEXT NOT NULL,
        loaded_at       TEXT NOT NULL,
        content_hash    TEXT NOT NULL,
        source_file     TEXT,
        strategy_json   TEXT NOT NULL,
        settings_json   TEXT NOT NULL,
        node_count      INTEGER NOT NULL,
        indicator_count INTEGER NOT NULL
    );
    CREATE TABLE node (
        id            INTEGER PRIMARY KEY,
        version_id    INTEGER NOT NULL REFERENCES strategy_version(id),
        position      INTEGER NOT NULL,
        kind          TEXT NOT NULL,
        code          TEXT NOT NULL,
        parent_id     INTEGER REFERENCES node(id),
        title         TEXT NOT NULL,
        description   TEXT,
        justification TEXT,
        UNIQUE (version_id, code)
    );
    CREATE INDEX node_parent ON node(parent_id);
    CREATE TABLE node_link (
        from_id  INTEGER NOT NULL REFERENCES node(id),
        relation TEXT NOT NULL CHECK (relation IN ('supports', 'applies_to')),
        position INTEGER NOT NULL,
        to_id    INTEGER NOT NULL REFERENCES node(id),
        PRIMARY KEY (from_id, relation, to_id)
    ) WITHOUT ROWID;
    CREATE INDEX node_link_to ON node_link(to_id);
    CREATE TABLE indicator (
        id   INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE
    );
    CREATE TABLE indicator_def (
        id              INTEGER PRIMARY KEY,
        version_id      INTEGER NOT NULL REFERENCES strategy_version(id),
        indicator_id    INTEGER NOT NULL REFERENCES indicator(id),
        node_id         INTEGER NOT NULL REFERENCES node(id),
        position        INTEGER NOT NULL,
        title           TEXT NOT NULL,
        unit            TEXT NOT NULL,
        direction       TEXT NOT NULL CHECK (direction IN ('increase', 'decrease')),
        frequency       TEXT NOT NULL CHECK (frequency IN ('annual', 'quarterly')),
        aggregation     TEXT NOT NULL CHECK (aggregation IN ('sum', 'mean', 'last')),
        baseline_period INTEGER,
        baseline_value  REAL,
        disaggregations TEXT NOT NULL,
        standard_code   TEXT,
        source          TEXT,
        definition      TEXT,
        illustrative    INTEGER NOT NULL,
        UNIQUE (version_id, indicator_id)
    );
    CREATE INDEX indicator_def_node ON indicator_def(node_id);
    CREATE TABLE target (
        def_id INTEGER NOT NULL REFERENCES indicator_def(id),
        period INTEGER NOT NULL,
        value  REAL NOT NULL,
        PRIMARY KEY (def_id, period)
    ) WITHOUT ROWID;
    CREATE TABLE value (
        id             INTEGER PRIMARY KEY,
        indicator_id   INTEGER NOT NULL REFERENCES indicator(id),
        period         INTEGER NOT NULL,
        disaggregation TEXT NOT NULL DEFAULT '',
        value          REAL NOT NULL,
        note           TEXT,
        source         TEXT,
        recorded_by    TEXT NOT NULL,
        recorded_at    TEXT NOT NULL,
        -- Deferred: a correction points the old value at the new one's id just before
        -- inserting it (so the old one leaves the unique "current" index first).
        replaced_by    INTEGER REFERENCES value(id) DEFERRABLE INITIALLY DEFERRED
    );
    CREATE UNIQUE INDEX value_current
        ON value(indicator_id, period, disaggregation) WHERE replaced_by IS NULL;
    CREATE INDEX value_period ON value(period, indicator_id) WHERE replaced_by IS NULL;
    CREATE INDEX value_replaced_by ON value(replaced_by) WHERE replaced_by IS NOT NULL;
    "#,
    // 2: the IATI result type of a node (`result_type` in the framework file).
    r#"
    ALTER TABLE node ADD COLUMN result_type TEXT
        CHECK (result_type IN ('output', 'outcome', 'impact', 'other'));
    "#,
    // 3: reports seek `value_current` per indicator; a second index by period only made every
    // imported value pay for one more B-tree insert.
    r#"
    DROP INDEX IF EXISTS value_period;
    "#,
    // 4: voids and explanations. `kind` says what a row is: a recorded `value` (or correction),
    // an `explanation` (the same value with the deviation narrative as its note), or a `void`
    // (ends the current value; its note is the reason). A void that nothing has followed yet
    // points `replaced_by` at itself, so the key has no current value; `value_void` finds it.
    // No CHECK on `kind`: it doubled the cost of every insert (100,000 values: 0.19 s to 0.35 s
    // in SQLite alone); the readers refuse an unknown kind, and `ics check` reads every value.
    r#"
    ALTER TABLE value ADD COLUMN kind TEXT NOT NULL DEFAULT 'value';
    CREATE INDEX value_void ON value(indicator_id, period, disaggregation)
        WHERE replaced_by = id;
    "#,
    // 5: cumulative and ratio indicators (issue 13). A ratio value keeps the numerator and
    // denominator it was computed from (`value` is N / D, times 100 for a percent unit), so
    // quarters and disaggregations combine by adding them.
    r#"
    ALTER TABLE indicator_def ADD COLUMN cumulative INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE indicator_def ADD COLUMN ratio_numerator TEXT;
    ALTER TABLE indicator_def ADD COLUMN ratio_denominator TEXT;
    ALTER TABLE value ADD COLUMN numerator REAL;
    ALTER TABLE value ADD COLUMN denominator REAL;
    -- The indicators whose values a report reads beyond their totals (ratio parts, the
    -- categories a total is derived from): few or none, so a report seeks only those.
    CREATE INDEX indicator_def_special ON indicator_def(version_id)
        WHERE disaggregations <> '{}' OR ratio_numerator IS NOT NULL;
    "#,
    // 6: the Performance Indicator Reference Sheet fields (issue 14), all optional text;
    // `dqa_date` is an ISO date (`2024-03-15`). Only the full read of a version reads them.
    r#"
    ALTER TABLE indicator_def ADD COLUMN rationale TEXT;
    ALTER TABLE indicator_def ADD COLUMN collection_method TEXT;
    ALTER TABLE indicator_def ADD COLUMN responsible TEXT;
    ALTER TABLE indicator_def ADD COLUMN reporting_frequency TEXT;
    ALTER TABLE indicator_def ADD COLUMN data_quality_limitations TEXT;
    ALTER TABLE indicator_def ADD COLUMN dqa_date TEXT;
    ALTER TABLE indicator_def ADD COLUMN baseline_rationale TEXT;
    ALTER TABLE indicator_def ADD COLUMN target_rationale TEXT;
    "#,
    // 7: the rest of an objective's sections (issue 15): its Linkages and Risks, a DO's
    // development hypothesis, and the objectives of other strategies it aligns with (a JSON
    // list of `{strategy, code, title}`). All optional; only the full read of a version reads
    // the prose, and the text tree the alignments. Links written from the objective's side
    // (`supported_by`) are stored as the `supports` links they mean.
    r#"
    ALTER TABLE node ADD COLUMN linkages TEXT;
    ALTER TABLE node ADD COLUMN risks TEXT;
    ALTER TABLE node ADD COLUMN hypothesis TEXT;
    ALTER TABLE node ADD COLUMN aligns_with TEXT;
    "#,
    // 8: several strategies per database (issue 16). Indicator codes are unique per strategy
    // and version labels per strategy, not per database. SQLite cannot drop an inline UNIQUE,
    // so both tables are rebuilt (create, copy with the same ids, drop, rename); the store
    // runs migrations with foreign keys off for that (SQLite's documented way to rebuild a
    // table) and checks them before committing. The uniqueness moves to named indexes, which
    // `ics check` can see. A database written before this holds one strategy (the program
    // refused a second), so every indicator is that strategy's.
    r#"
    CREATE TABLE strategy_version_new (
        id              INTEGER PRIMARY KEY,
        label           TEXT NOT NULL,
        strategy_code   TEXT NOT NULL,
        title           TEXT NOT NULL,
        loaded_at       TEXT NOT NULL,
        content_hash    TEXT NOT NULL,
        source_file     TEXT,
        strategy_json   TEXT NOT NULL,
        settings_json   TEXT NOT NULL,
        node_count      INTEGER NOT NULL,
        indicator_count INTEGER NOT NULL
    );
    INSERT INTO strategy_version_new (id, label, strategy_code, title, loaded_at, content_hash,
        source_file, strategy_json, settings_json, node_count, indicator_count)
        SELECT id, label, strategy_code, title, loaded_at, content_hash, source_file,
            strategy_json, settings_json, node_count, indicator_count
        FROM strategy_version;
    DROP TABLE strategy_version;
    ALTER TABLE strategy_version_new RENAME TO strategy_version;
    CREATE UNIQUE INDEX strategy_version_label ON strategy_version(strategy_code, label);
    CREATE TABLE indicator_new (
        id            INTEGER PRIMARY KEY,
        strategy_code TEXT NOT NULL,
        code          TEXT NOT NULL
    );
    INSERT INTO indicator_new (id, strategy_code, code)
        SELECT id, coalesce((SELECT strategy_code FROM strategy_version ORDER BY id DESC LIMIT 1), ''),
            code
        FROM indicator;
    DROP TABLE indicator;
    ALTER TABLE indicator_new RENAME TO indicator;
    CREATE UNIQUE INDEX indicator_code ON indicator(strategy_code, code);
    "#,
    // 9: the reporting cycle (issue 17). Users (database-wide; `scopes` a JSON list of node
    // codes), locked periods per strategy, the review state of values that have one other
    // than `recorded` (so a database without review keeps no rows here and every reader's
    // filter is one empty lookup), and the append-only audit log. A log entry for value
    // writes names the range of value ids it wrote (ids are handed out one after another
    // under the write lock); `log_start` is the last value id written before the log
    // existed, so `ics check` knows which values the log must account for.
    r#"
    CREATE TABLE app_user (
        name      TEXT PRIMARY KEY,
        role      TEXT NOT NULL CHECK (role IN ('viewer', 'reporter', 'approver', 'admin')),
        scopes    TEXT NOT NULL DEFAULT '[]',
        db_role   TEXT UNIQUE,
        added_by  TEXT NOT NULL,
        added_at  TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE period_lock (
        strategy_code TEXT NOT NULL,
        period        INTEGER NOT NULL,
        through       INTEGER NOT NULL,
        set_by        TEXT NOT NULL,
        set_at        TEXT NOT NULL,
        reason        TEXT,
        PRIMARY KEY (strategy_code, period, through)
    ) WITHOUT ROWID;
    CREATE TABLE value_state (
        value_id INTEGER PRIMARY KEY REFERENCES value(id),
        state    TEXT NOT NULL CHECK (state IN ('submitted', 'returned', 'approved'))
    );
    CREATE TABLE audit_log (
        id            INTEGER PRIMARY KEY,
        at            TEXT NOT NULL,
        user_name     TEXT NOT NULL,
        strategy_code TEXT,
        action        TEXT NOT NULL,
        subject       TEXT NOT NULL,
        detail        TEXT NOT NULL,
        reason        TEXT,
        value_from    INTEGER,
        value_to      INTEGER,
        state         TEXT
    );
    CREATE INDEX audit_log_value ON audit_log(value_from) WHERE value_from IS NOT NULL;
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    INSERT OR REPLACE INTO meta (key, value)
        SELECT 'log_start', CAST(coalesce(max(id), 0) AS TEXT) FROM value;
    "#,
    // 10: sign-in for `ics serve` (issue 18): a user's argon2id password hash (PHC string),
    // none until one is set.
    r#"
    ALTER TABLE app_user ADD COLUMN password_hash TEXT;
    "#,
    // 11: the sign-in sessions of `ics serve` and its failed sign-ins, kept in the database so
    // that several servers (and a restarted one) share them (issue 18). A session is found by
    // the SHA-256 (hex) of its id, never the id itself: whoever reads the database cannot take
    // a session over. Times are RFC 3339 UTC stamps of one width (compared as text).
    // Neither table is logged nor copied. A removed user's session stays until it idles out,
    // but signs in no one: every request reads the users.
    r#"
    CREATE TABLE web_session (
        id_hash    TEXT PRIMARY KEY,
        user_name  TEXT,
        csrf       TEXT NOT NULL,
        flash      TEXT,
        created_at TEXT NOT NULL,
        seen_at    TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX web_session_seen ON web_session(seen_at);
    CREATE TABLE signin_failure (
        key TEXT NOT NULL,
        at  TEXT NOT NULL
    );
    CREATE INDEX signin_failure_key ON signin_failure(key, at);
    CREATE INDEX signin_failure_at ON signin_failure(at);
    "#,
    // 12: the targets of one period (issue 12): a report on FY2024 read them by definition,
    // one search of the primary key for each of 20,000 indicators (15 ms); by this index they
    // are one range (1 ms). It holds the value too, so the table itself is not read.
    r#"
    CREATE INDEX target_period ON target(period, def_id, value);
    "#,
    // 13: each version's outline (`outline.rs`): its nodes, links and indicator definitions
    // without the prose, as one compact value that `progress` and `tree` read instead of
    // stepping through 20,000 rows. Written by `load` from the rows it stored (and by this
    // upgrade for the versions already stored). A version's rows never change once stored;
    // should they anyway, these triggers drop its outline, and readers read the rows.
    r#"
    CREATE TABLE version_outline (
        version_id INTEGER PRIMARY KEY REFERENCES strategy_version(id),
        format     INTEGER NOT NULL,
        body       BLOB NOT NULL
    );
    CREATE TRIGGER version_outline_node_insert AFTER INSERT ON node BEGIN
        DELETE FROM version_outline WHERE version_id = NEW.version_id;
    END;
    CREATE TRIGGER version_outline_node_update AFTER UPDATE ON node BEGIN
        DELETE FROM version_outline WHERE version_id IN (OLD.version_id, NEW.version_id);
    END;
    CREATE TRIGGER version_outline_node_delete AFTER DELETE ON node BEGIN
        DELETE FROM version_outline WHERE version_id = OLD.version_id;
    END;
    CREATE TRIGGER version_outline_def_insert AFTER INSERT ON indicator_def BEGIN
        DELETE FROM version_outline WHERE version_id = NEW.version_id;
    END;
    CREATE TRIGGER version_outline_def_update AFTER UPDATE ON indicator_def BEGIN
        DELETE FROM version_outline WHERE version_id IN (OLD.version_id, NEW.version_id);
    END;
    CREATE TRIGGER version_outline_def_delete AFTER DELETE ON indicator_def BEGIN
        DELETE FROM version_outline WHERE version_id = OLD.version_id;
    END;
    CREATE TRIGGER version_outline_link_insert AFTER INSERT ON node_link BEGIN
        DELETE FROM version_outline
        WHERE version_id IN (SELECT version_id FROM node WHERE id = NEW.from_id);
    END;
    CREATE TRIGGER version_outline_link_update AFTER UPDATE ON node_link BEGIN
        DELETE FROM version_outline
        WHERE version_id IN (SELECT version_id FROM node WHERE id IN (OLD.from_id, NEW.from_id));
    END;
    CREATE TRIGGER version_outline_link_delete AFTER DELETE ON node_link BEGIN
        DELETE FROM version_outline
        WHERE version_id IN (SELECT version_id FROM node WHERE id = OLD.from_id);
    END;
    -- A row replaced by one with its id (`INSERT OR REPLACE`, a hand edit) fires no delete
    -- trigger: the version that held it loses its outline before the insert. (An id SQLite
    -- is about to choose is -1 here.)
    CREATE TRIGGER version_outline_node_replace BEFORE INSERT ON node BEGIN
        DELETE FROM version_outline
        WHERE version_id = (SELECT version_id FROM node WHERE id = NEW.id);
    END;
    CREATE TRIGGER version_outline_def_replace BEFORE INSERT ON indicator_def BEGIN
        DELETE FROM version_outline
        WHERE version_id = (SELECT version_id FROM indicator_def WHERE id = NEW.id);
    END;
    CREATE TRIGGER version_outline_indicator_replace BEFORE INSERT ON indicator
    WHEN NEW.id <> -1 AND EXISTS (SELECT 1 FROM indicator WHERE id = NEW.id) BEGIN
        DELETE FROM version_outline WHERE version_id IN
            (SELECT version_id FROM indicator_def WHERE indicator_id = NEW.id);
    END;
    -- `load` sets an indicator's code to itself when a later version uses it again: no change.
    CREATE TRIGGER version_outline_indicator_update AFTER UPDATE ON indicator
    WHEN OLD.code IS NOT NEW.code OR OLD.id IS NOT NEW.id BEGIN
        DELETE FROM version_outline WHERE version_id IN
            (SELECT version_id FROM indicator_def WHERE indicator_id IN (OLD.id, NEW.id));
    END;
    CREATE TRIGGER version_outline_indicator_delete AFTER DELETE ON indicator BEGIN
        DELETE FROM version_outline WHERE version_id IN
            (SELECT version_id FROM indicator_def WHERE indicator_id = OLD.id);
    END;
    "#,
];

/// The schema that first has version outlines: an upgrade from before it writes one for each
/// stored version. A later migration that rebuilds `node`, `node_link`, `indicator_def` or
/// `indicator` (create, copy, drop, rename) drops their `version_outline_*` triggers with the
/// old table and must create them again; one that changes what the lean read gives must
/// change `outline::FORMAT` and write the outlines again.
pub const OUTLINES_FROM: i64 = 13;

/// The schema version this build writes.
pub const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;

/// `PRAGMA application_id` of an ics database ("ICS1").
pub const APPLICATION_ID: i64 = 0x4943_5331;
