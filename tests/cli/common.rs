//! The test harness: run the real `ics` binary in a temp directory with a pinned environment.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Path to the shipped strategy.
pub fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// A scratch directory with its own database.
pub struct Env {
    pub dir: tempfile::TempDir,
}

/// What one run of `ics` did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Assert exit 0 and return self.
    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Assert exit 2 with an `error:` line and no panic, and return self.
    #[track_caller]
    pub fn fails(self) -> Self {
        assert_eq!(
            self.code, 2,
            "expected exit 2\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        assert!(
            self.stderr.contains("error: "),
            "no `error:` line:\n{}",
            self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "panic:\n{}", self.stderr);
        for raw in [
            "SQLITE_",
            "sqlite3",
            "no such table",
            "constraint failed",
            "disk image",
            "near \"",
        ] {
            assert!(
                !self.stderr.contains(raw),
                "raw SQLite text:\n{}",
                self.stderr
            );
        }
        self
    }

    #[track_caller]
    pub fn stderr_has(self, needle: &str) -> Self {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stdout_has(self, needle: &str) -> Self {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}:\n{}",
            self.stdout
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn db(&self) -> PathBuf {
        self.path("ics.db")
    }

    /// Write a file in the scratch directory and return its path.
    pub fn write(&self, name: &str, content: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, content).expect("write test file");
        p
    }

    /// Run `ics` with `args` in the scratch directory, with `--db` unset (the default ./ics.db
    /// is then this directory's `ics.db`).
    pub fn ics(&self, args: &[&str]) -> Run {
        self.ics_env(args, &[])
    }

    pub fn ics_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        self.run(args, env, None)
    }

    /// Run `ics` with its stdout sent to `stdout` (a closed pipe, `/dev/full`); the returned
    /// `stdout` is empty.
    pub fn ics_stdout(&self, args: &[&str], stdout: std::process::Stdio) -> Run {
        self.run(args, &[], Some(stdout))
    }

    /// Run `ics` with stdout on `/dev/full`, where every write fails with "no space left".
    pub fn ics_to_full_disk(&self, args: &[&str]) -> Run {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        self.ics_stdout(args, full.into())
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)], stdout: Option<std::process::Stdio>) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ics"));
        cmd.args(args)
            .current_dir(self.dir.path())
            .env_remove("ICS_DB")
            .env("NO_COLOR", "1")
            .env("TZ", "UTC")
            .env("COLUMNS", "100")
            .env("USER", "tester")
            .env("ICS_NOW", "2026-01-15T12:00:00Z")
            .env("RUST_BACKTRACE", "0");
        for (k, v) in env {
            cmd.env(k, v);
        }
        if let Some(stdout) = stdout {
            cmd.stdout(stdout);
        }
        let out: Output = cmd.output().expect("run ics");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Load the shipped framework.toml into this env's database.
    pub fn load_shipped(&self) {
        let f = repo_file("framework.toml");
        self.ics(&["load", f.to_str().unwrap()]).ok();
    }

    /// Every row of every table, as text: equal fingerprints mean the database is unchanged.
    /// A missing file fingerprints as "<none>".
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.db())
    }
}

pub fn fingerprint(db: &Path) -> String {
    fingerprint_except(db, &[])
}

/// [`fingerprint`] without the tables named in `skip`.
pub fn fingerprint_except(db: &Path, skip: &[&str]) -> String {
    if !db.exists() {
        return "<none>".into();
    }
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open db");
    let mut out = String::new();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    for t in tables.iter().filter(|t| !skip.contains(&t.as_str())) {
        out.push_str(&format!("## {t}\n"));
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM \"{t}\" ORDER BY 1, 2"))
            .unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                let mut line = Vec::new();
                for i in 0..n {
                    let v: rusqlite::types::Value = r.get(i)?;
                    line.push(format!("{v:?}"));
                }
                Ok(line.join("|"))
            })
            .unwrap();
        for r in rows {
            out.push_str(&r.unwrap());
            out.push('\n');
        }
    }
    out
}

/// A small valid framework for tests; `extra` is appended.
pub const MINI: &str = r#"
[strategy]
code = "mini"
title = "Mini strategy"
version = "v1"
start = "FY2020"
end = "FY2022"

[[goal]]
code = "G1"
title = "Goal one"

  [[goal.objective]]
  code = "O1"
  title = "Objective one"

    [[goal.objective.indicator]]
    code = "I1"
    title = "Indicator one"
    unit = "people"
    direction = "increase"
    baseline = { period = "FY2019", value = 10 }
    targets = { FY2020 = 20, FY2021 = 30 }

[[development_objective]]
code = "D1"
title = "Development objective one"
supports = ["O1"]
"#;

/// MINI as the strategy `code` titled `title`, with the same indicator `I1`: a second
/// strategy whose codes overlap MINI's.
pub fn mini_as(code: &str, title: &str) -> String {
    MINI.replace("code = \"mini\"", &format!("code = \"{code}\""))
        .replace("title = \"Mini strategy\"", &format!("title = \"{title}\""))
}

/// The keys of a `progress --format json` row and the columns of its CSV, in order: the contract
/// of issue 13 ("Progress JSON"), written out here once, apart from the code that makes them.
pub const PROGRESS_KEYS: [&str; 23] = [
    "indicator",
    "title",
    "node",
    "path",
    "period",
    "unit",
    "direction",
    "baseline",
    "target",
    "target_to_date",
    "actual",
    "achieved",
    "deviation",
    "progress",
    "status",
    "needs_explanation",
    "explanation",
    "quarters_reported",
    "partial",
    "derived",
    "cumulative",
    "numerator",
    "denominator",
];

/// The number format of `cell` (`T10`) in a worksheet's XML, given the workbook's
/// `xl/styles.xml`: its `formatCode`, `General` when the cell has no style or a style without
/// a number format, `None` when the cell is not in the sheet.
pub fn xlsx_number_format(styles: &str, sheet: &str, cell: &str) -> Option<String> {
    let at = sheet.find(&format!("<c r=\"{cell}\""))?;
    let tag = &sheet[at..at + sheet[at..].find('>')?];
    let attr = |s: &str, name: &str| -> Option<String> {
        let start = s.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(s[start..].split('"').next()?.to_string())
    };
    let Some(style) = attr(tag, "s") else {
        return Some("General".into());
    };
    let xfs = &styles[styles.find("<cellXfs")?..];
    let xf = xfs
        .split("<xf ")
        .nth(style.parse::<usize>().ok()? + 1)
        .expect("the cell's style is in cellXfs");
    let id = attr(&format!(" {xf}"), "numFmtId").unwrap_or_else(|| "0".into());
    if id == "0" {
        return Some("General".into());
    }
    let code = styles
        .split("<numFmt ")
        .skip(1)
        .find(|f| attr(&format!(" {f}"), "numFmtId").as_deref() == Some(id.as_str()))
        .and_then(|f| attr(&format!(" {f}"), "formatCode"))
        .unwrap_or_else(|| format!("built-in {id}"));
    Some(code.replace("&quot;", "\""))
}
