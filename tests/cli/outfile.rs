//! Integration tests: the one output-file policy of every `--out` (issue 12 items 2, 11 and the
//! "os error 28" of 15), the input limits on bytes actually read (item 9) and `--db` as a plain
//! path (item 16).

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{fingerprint, Env, Run, MINI};

/// MINI with the `[iati]` fields the IATI export needs (a recipient country and a sector).
fn mini() -> String {
    format!("{MINI}\n[iati]\nrecipient_country = \"PE\"\nsectors = [{{ code = \"15130\" }}]\n")
}

/// A MINI database loaded from `framework.toml` in the scratch folder (a relative name, as a
/// user would type it).
fn loaded() -> Env {
    let env = Env::new();
    env.write("framework.toml", &mini());
    env.ics(&["load", "framework.toml"]).ok();
    env
}

/// Run `ics` with a deadline: a run that hangs is killed and the test fails.
fn ics_within(env: &Env, args: &[&str], stdout: Stdio, limit: Duration) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ics"))
        .args(args)
        .current_dir(env.dir.path())
        .env_remove("ICS_DB")
        .env("NO_COLOR", "1")
        .env("ICS_NOW", "2026-01-15T12:00:00Z")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ics");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`ics {}` still running after {limit:?}", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stdout = String::new();
    if let Some(r) = child.stdout.as_mut() {
        let _ = r.read_to_string(&mut stdout);
    }
    let mut stderr = String::new();
    if let Some(r) = child.stderr.as_mut() {
        let _ = r.read_to_string(&mut stderr);
    }
    Run {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
    }
}

fn names_in(env: &Env) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn export_iati_out_onto_the_database_is_refused_and_the_database_is_byte_identical() {
    let env = loaded();
    let before = std::fs::read(env.db()).unwrap();
    env.ics(&["--db", "ics.db", "export", "iati", "--out", "ics.db"])
        .fails()
        .stderr_has("error: `ics.db` is the database this command uses; the IATI export will not overwrite it")
        .stderr_has("help: choose another --out file name");
    assert_eq!(std::fs::read(env.db()).unwrap(), before);
    env.ics(&["report", "--out", "ics.db"])
        .fails()
        .stderr_has("is the database this command uses");
    assert_eq!(std::fs::read(env.db()).unwrap(), before);
}

#[test]
fn the_write_ahead_log_is_refused_even_when_it_is_not_there_yet() {
    let env = loaded();
    // The last connection to close removes the WAL, so `ics.db-wal` is missing now; an export
    // written there would be read back by SQLite as the database's log.
    assert!(!env.path("ics.db-wal").exists());
    let before = env.fingerprint();
    env.ics(&["export", "iati", "--out", "ics.db-wal"])
        .fails()
        .stderr_has("`ics.db-wal` is the write-ahead log of the database `ics.db`");
    env.ics(&["report", "--out", "ics.db-shm"])
        .fails()
        .stderr_has("is the shared-memory index of the database `ics.db`");
    assert!(!env.path("ics.db-wal").exists() && !env.path("ics.db-shm").exists());
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn the_framework_file_a_version_was_loaded_from_is_refused() {
    let env = loaded();
    env.ics(&["export", "iati", "--out", "framework.toml"])
        .fails()
        .stderr_has(
            "`framework.toml` is the framework file version `v1` was loaded from; the IATI export will not overwrite it",
        );
    // Emptied, it would pass as an "earlier output"; it is still the framework file.
    std::fs::write(env.path("framework.toml"), "").unwrap();
    env.ics(&["report", "--out", "./framework.toml"])
        .fails()
        .stderr_has("is the framework file version `v1` was loaded from");
    assert_eq!(std::fs::read(env.path("framework.toml")).unwrap(), b"");
}

#[test]
fn a_folder_is_refused() {
    let env = loaded();
    std::fs::create_dir(env.path("adir")).unwrap();
    env.ics(&["export", "iati", "--out", "adir"])
        .fails()
        .stderr_has("`adir` is a folder; --out needs a file name")
        .stderr_has("help: for example `--out adir/iati.xml`");
    env.ics(&["report", "--out", "adir"])
        .fails()
        .stderr_has("is a folder");
    assert_eq!(std::fs::read_dir(env.path("adir")).unwrap().count(), 0);
}

#[test]
fn a_fifo_is_refused_at_once_and_never_hangs() {
    let env = loaded();
    let fifo = env.path("pipe.html");
    let status = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(status.success());
    for args in [
        &["report", "--out", "pipe.html"][..],
        &["export", "iati", "--out", "pipe.html"],
    ] {
        let run = ics_within(&env, args, Stdio::piped(), Duration::from_secs(10));
        run.fails()
            .stderr_has("`pipe.html` is a named pipe (FIFO), not a regular file");
    }
}

#[test]
fn standard_output_into_a_pipe_is_refused_with_a_hint() {
    let env = loaded();
    let run = ics_within(
        &env,
        &["report", "--out", "/dev/stdout"],
        Stdio::piped(),
        Duration::from_secs(10),
    );
    run.fails()
        .stderr_has("`/dev/stdout` is a named pipe (FIFO), not a regular file")
        .stderr_has("help: --out writes a file, not to a terminal or a pipe");
}

#[test]
fn a_device_is_refused() {
    let env = loaded();
    // A link to the device: `--out /dev/full` itself, if it were ever replaced, would replace the
    // machine's device node (as root); through a link the same check is tested safely.
    std::os::unix::fs::symlink("/dev/full", env.path("full.xml")).unwrap();
    env.ics(&["export", "iati", "--out", "full.xml"])
        .fails()
        .stderr_has(
            "`full.xml` is a device, not a regular file; the IATI export will not write to it",
        );
    let link = std::fs::symlink_metadata(env.path("full.xml")).unwrap();
    assert!(link.file_type().is_symlink());
    assert_eq!(
        std::fs::read_link(env.path("full.xml")).unwrap(),
        Path::new("/dev/full")
    );
}

#[test]
fn a_symbolic_link_is_written_through_to_its_target_and_stays_a_link() {
    let env = loaded();
    std::fs::create_dir(env.path("site")).unwrap();
    // Last month's page: a real earlier report, marked so its replacement shows.
    env.ics(&["report", "--out", "site/review.html"]).ok();
    let last = std::fs::read_to_string(env.path("site/review.html")).unwrap();
    env.write("site/review.html", &format!("{last}<!-- last month -->"));
    std::os::unix::fs::symlink("site/review.html", env.path("latest.html")).unwrap();
    env.ics(&["report", "--out", "latest.html"]).ok();
    let link = std::fs::symlink_metadata(env.path("latest.html")).unwrap();
    assert!(
        link.file_type().is_symlink(),
        "the link was replaced by a file"
    );
    let page = std::fs::read_to_string(env.path("site/review.html")).unwrap();
    assert!(
        page.contains("Mini strategy") && !page.contains("last month"),
        "not replaced"
    );
    assert_eq!(std::fs::read_dir(env.path("site")).unwrap().count(), 1);
}

#[test]
fn a_private_file_keeps_its_mode_and_a_read_only_one_is_kept_as_it_is() {
    let env = loaded();
    env.ics(&["export", "iati", "--out", "private.xml"]).ok();
    let earlier = std::fs::read_to_string(env.path("private.xml")).unwrap();
    env.write("private.xml", &format!("{earlier}<!-- earlier -->"));
    std::fs::set_permissions(
        env.path("private.xml"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    env.ics(&["export", "iati", "--out", "private.xml"]).ok();
    let meta = std::fs::metadata(env.path("private.xml")).unwrap();
    assert_eq!(meta.permissions().mode() & 0o7777, 0o600);
    let now = std::fs::read_to_string(env.path("private.xml")).unwrap();
    assert!(now.contains("US-GOV-11-mini") && !now.contains("<!-- earlier -->"));
    // Made read-only on purpose: not replaced.
    std::fs::set_permissions(
        env.path("private.xml"),
        std::fs::Permissions::from_mode(0o400),
    )
    .unwrap();
    let before = std::fs::read(env.path("private.xml")).unwrap();
    env.ics(&["export", "iati", "--out", "private.xml"])
        .fails()
        .stderr_has("`private.xml` is read-only (mode 0400); the IATI export will not replace it")
        .stderr_has("help: make it writable (`chmod u+w private.xml`)");
    assert_eq!(std::fs::read(env.path("private.xml")).unwrap(), before);
}

#[test]
fn a_killed_runs_temporary_file_is_swept_by_the_next_write() {
    let env = loaded();
    // The process that "was killed" has ended, so its id is free.
    let mut child = Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let stale = format!(".review.html.ics-{dead}.tmp");
    env.write(&stale, "<!DOCTYPE html><p>half a pa");
    env.write("unrelated.tmp", "kept");
    env.ics(&["report", "--out", "review.html"]).ok();
    assert_eq!(
        names_in(&env),
        ["framework.toml", "ics.db", "review.html", "unrelated.tmp"]
    );
}

#[test]
fn an_earlier_export_is_replaced_and_another_file_is_not() {
    let env = loaded();
    env.write("notes.xml", "my notes, not an export");
    env.ics(&["export", "iati", "--out", "notes.xml"])
        .fails()
        .stderr_has("`notes.xml` exists and is not an IATI export written by ics");
    assert_eq!(
        std::fs::read_to_string(env.path("notes.xml")).unwrap(),
        "my notes, not an export"
    );
    env.write("out.xml", "");
    env.ics(&["export", "iati", "--out", "out.xml"]).ok();
    env.ics(&["export", "iati", "--out", "out.xml"]).ok();
    assert!(std::fs::read_to_string(env.path("out.xml"))
        .unwrap()
        .starts_with("<?xml"));
}

#[test]
fn a_full_stdout_is_reported_in_words_not_as_os_error_28() {
    let env = loaded();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let run = ics_within(&env, &["tree"], Stdio::from(full), Duration::from_secs(10));
    let run = run
        .fails()
        .stderr_has("error: could not write the output: the disk is full");
    assert!(!run.stderr.contains("os error"), "{}", run.stderr);
}

// ---- inputs: limits on bytes actually read (item 9) ----

#[test]
fn endless_devices_as_input_fail_fast_with_the_limit() {
    let env = loaded();
    let before = env.fingerprint();
    let limit = Duration::from_secs(20);
    let run = ics_within(&env, &["load", "/dev/zero"], Stdio::piped(), limit);
    run.fails()
        .stderr_has("`/dev/zero` is larger than 64 MiB; a framework file may be at most 64 MiB");
    let run = ics_within(
        &env,
        &["diff", "/dev/zero", "framework.toml"],
        Stdio::piped(),
        limit,
    );
    run.fails().stderr_has("`/dev/zero` is larger than 64 MiB");
    let run = ics_within(&env, &["import-values", "/dev/zero"], Stdio::piped(), limit);
    run.fails()
        .stderr_has("/dev/zero:1: this row is longer than 1 MiB")
        .stderr_has("nothing was imported");
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn a_huge_cell_is_located_and_refused_with_the_limit() {
    let env = loaded();
    let before = env.fingerprint();
    // A quoted note of 2 MiB over many short lines, after a good row: one row of the file.
    let mut csv = String::from("indicator,period,value,note\nI1,FY2020,21,fine\n\nI1,FY2021,22,\"");
    csv.push_str(&"a long note\n".repeat(2 * 1024 * 1024 / 12 + 1));
    csv.push_str("\"\nI1,FY2022,23,\n");
    env.write("big.csv", &csv);
    env.ics(&["import-values", "big.csv"])
        .fails()
        .stderr_has("big.csv:4: this row is longer than 1 MiB")
        .stderr_has("error: `big.csv` has a row longer than 1 MiB; nothing was imported");
    assert_eq!(env.fingerprint(), before);
}

// ---- `--db` is a plain path (item 16) ----

#[test]
fn a_db_path_that_looks_like_a_uri_is_a_plain_file_name() {
    let env = Env::new();
    env.write("framework.toml", MINI);
    for db in ["file:x.db?mode=memory", "file:u.db", ":memory:"] {
        env.ics(&["--db", db, "load", "framework.toml"]).ok();
        assert!(env.path(db).is_file(), "no file named `{db}`");
        env.ics(&["--db", db, "tree"])
            .ok()
            .stdout_has("Mini strategy");
        assert!(fingerprint(&env.path(db)).contains("Indicator one"));
    }
    assert!(!env.path("x.db").exists() && !env.path("u.db").exists());
}

#[test]
fn a_db_path_that_is_not_a_regular_file_is_refused() {
    let env = Env::new();
    env.write("framework.toml", MINI);
    let journal = Path::new("/dev/null-journal");
    let had_journal = journal.exists();
    for args in [["--db", "/dev/null", "tree"], ["--db", "/dev/null", "load"]] {
        let mut args = args.to_vec();
        if args[2] == "load" {
            args.push("framework.toml");
        }
        env.ics(&args)
            .fails()
            .stderr_has("error: the database path `/dev/null` is a device, not a regular file")
            .stderr_has("help: give --db a file name");
    }
    if !had_journal {
        assert!(!journal.exists(), "`/dev/null-journal` was left behind");
    }
}

#[test]
fn demo_with_a_fifo_as_its_database_is_refused_and_does_not_hang() {
    let env = Env::new();
    let fifo = env.path("demo.db");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let fw = crate::common::repo_file("framework.toml");
    let values = crate::common::repo_file("examples/peru-values.csv");
    let run = ics_within(
        &env,
        &[
            "demo",
            "--framework",
            fw.to_str().unwrap(),
            "--values",
            values.to_str().unwrap(),
        ],
        Stdio::piped(),
        Duration::from_secs(10),
    );
    run.fails()
        .stderr_has("`demo.db` exists and was not made by `ics demo`");
}

#[test]
fn an_xml_file_ics_did_not_write_is_not_replaced_by_the_iati_export() {
    let env = loaded();
    let files = [
        ("pom.xml", "<?xml version=\"1.0\"?>\n<project/>\n"),
        (
            "theirs.xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<iati-activities version=\"2.03\" generated-datetime=\"2026-01-01T00:00:00Z\">\n</iati-activities>\n",
        ),
    ];
    for (name, content) in files {
        env.write(name, content);
        env.ics(&["export", "iati", "--out", name])
            .fails()
            .stderr_has(&format!(
                "error: `{name}` exists and is not an IATI export written by ics; the IATI export will not replace it"
            ));
        assert_eq!(std::fs::read_to_string(env.path(name)).unwrap(), content);
    }
    // Its own earlier export it replaces.
    env.ics(&["export", "iati", "--out", "iati.xml"]).ok();
    env.ics(&["export", "iati", "--out", "iati.xml"]).ok();
}

#[test]
fn an_html_page_ics_did_not_write_is_not_replaced_by_the_report() {
    let env = loaded();
    let mine = "<!DOCTYPE html><p>mine";
    env.write("index.html", mine);
    env.ics(&["report", "--out", "index.html"])
        .fails()
        .stderr_has("error: `index.html` exists and is not a review page written by ics; the report will not replace it");
    assert_eq!(
        std::fs::read_to_string(env.path("index.html")).unwrap(),
        mine
    );
    // Its own earlier page it replaces.
    env.ics(&["report", "--out", "review.html"]).ok();
    env.ics(&["report", "--out", "review.html"]).ok();
}

#[test]
fn a_relative_loaded_from_name_is_not_taken_for_a_file_of_that_name_elsewhere() {
    let env = Env::new();
    for folder in ["i2", "other"] {
        std::fs::create_dir(env.path(folder)).unwrap();
    }
    env.write("i2/framework.toml", &mini());
    let run_in = |folder: &str, args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_ics"))
            .args(args)
            .current_dir(env.path(folder))
            .env_remove("ICS_DB")
            .env("ICS_NOW", "2026-01-15T12:00:00Z")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert_eq!(run_in("i2", &["load", "framework.toml"]).0, Some(0));
    let (code, stderr) = run_in(
        "other",
        &[
            "--db",
            "../i2/ics.db",
            "export",
            "iati",
            "--out",
            "framework.toml",
        ],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let xml = std::fs::read_to_string(env.path("other/framework.toml")).unwrap();
    assert!(xml.contains("US-GOV-11-mini"));
    assert_eq!(
        std::fs::read_to_string(env.path("i2/framework.toml")).unwrap(),
        mini()
    );
    // The file it was loaded from, reached from elsewhere, is still kept (as a file ics did
    // not write: the relative name stored says nothing about which folder it was in).
    let (code, stderr) = run_in(
        "other",
        &[
            "--db",
            "../i2/ics.db",
            "report",
            "--out",
            "../i2/framework.toml",
        ],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(env.path("i2/framework.toml")).unwrap(),
        mini()
    );
}
