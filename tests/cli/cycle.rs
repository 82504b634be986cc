//! The reporting cycle of issue 17, driven through the real binary: users and roles, review,
//! locked periods, the audit log and `status`, over one reporting period of the shipped
//! strategy (whose indicators report once a year, so the period is FY2022).

use crate::common::{repo_file, Env, Run};

/// The shipped framework with review on.
fn reviewed_framework(env: &Env) -> String {
    let text = std::fs::read_to_string(repo_file("framework.toml")).unwrap();
    let text = text.replacen(
        "deviation_threshold = 10\n",
        "deviation_threshold = 10\nreview = true\n",
        1,
    );
    assert!(text.contains("review = true"));
    env.write("framework.toml", &text).display().to_string()
}

/// `ics --as NAME ARGS...`.
fn as_user(env: &Env, name: &str, args: &[&str]) -> Run {
    let mut all = vec!["--as", name];
    all.extend_from_slice(args);
    env.ics(&all)
}

const VALUES: &str = "indicator,period,value,note,source\n\
IND-TRADE-GOODS,FY2022,20.1,,Census trade data\n\
IND-TRADE-AGFOOD,FY2022,4.3,,USDA GATS\n\
IND-POVERTY,FY2022,25.9,,INEI\n\
IND-US-FDI,FY2022,6.5,,BEA\n";

/// An admin, a reporter for MO3.1 and an approver, on the shipped strategy with review on.
fn mission(env: &Env) -> String {
    let fw = reviewed_framework(env);
    as_user(env, "pm.lima", &["load", &fw]).ok();
    // Nobody is a user yet: the first one must be an admin.
    env.ics(&["user", "add", "ana.econ", "--role", "reporter"])
        .fails()
        .stderr_has("the first user must be an admin");
    as_user(
        env,
        "pm.lima",
        &["user", "add", "pm.lima", "--role", "admin"],
    )
    .ok()
    .stdout_has("added user pm.lima: admin");
    as_user(
        env,
        "pm.lima",
        &[
            "user", "add", "ana.econ", "--role", "reporter", "--scope", "MO3.1",
        ],
    )
    .ok()
    .stdout_has("reporter for MO3.1");
    as_user(
        env,
        "pm.lima",
        &["user", "add", "bo.po", "--role", "approver"],
    )
    .ok();
    fw
}

fn progress_row(env: &Env, code: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "--as", "bo.po", "progress", "--period", "FY2022", "--format", "json",
    ];
    args.extend_from_slice(extra);
    let rows = env.ics(&args).ok().json();
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["indicator"] == code)
        .unwrap_or_else(|| panic!("no row for {code}"))
        .clone()
}

#[test]
fn a_full_period_through_review_and_lock() {
    let env = Env::new();
    let fw = mission(&env);
    let values = env.write("values.csv", VALUES).display().to_string();

    // The reporter imports the MO3.1 values: submitted, not yet counted.
    as_user(&env, "ana.econ", &["import-values", &values])
        .ok()
        .stdout_has("4");
    // ... and is refused outside its scope, with nothing written.
    let before = env.fingerprint();
    as_user(
        &env,
        "ana.econ",
        &["record", "IND-US-VISITORS", "FY2022", "600000"],
    )
    .fails()
    .stderr_has("`IND-US-VISITORS` is outside the scope of `ana.econ` (MO3.1)");
    let outside = env.write(
        "outside.csv",
        "indicator,period,value\nIND-US-VISITORS,FY2022,1\n",
    );
    as_user(
        &env,
        "ana.econ",
        &["import-values", outside.to_str().unwrap()],
    )
    .fails()
    .stderr_has("outside.csv:2: `IND-US-VISITORS` is outside the scope");
    // Roles: a reporter does not approve, an approver does not record.
    as_user(&env, "ana.econ", &["approve", "--period", "FY2022"])
        .fails()
        .stderr_has("`ana.econ` is a reporter and cannot approve or return values");
    as_user(&env, "bo.po", &["record", "IND-POVERTY", "FY2022", "1"])
        .fails()
        .stderr_has("`bo.po` is an approver and cannot record");
    env.ics(&["record", "IND-POVERTY", "FY2022", "1"])
        .fails()
        .stderr_has("`tester` is not a user of this database");
    as_user(
        &env,
        "ana.econ",
        &["record", "IND-POVERTY", "FY2022", "1", "--by", "bo.po"],
    )
    .fails()
    .stderr_has("`--by bo.po` names someone else");
    assert_eq!(env.fingerprint(), before, "a refusal wrote something");

    // Progress counts approved values only; --include-submitted shows the rest, marked.
    let row = progress_row(&env, "IND-POVERTY", &[]);
    assert!(row["actual"].is_null(), "{row}");
    let row = progress_row(&env, "IND-POVERTY", &["--include-submitted"]);
    assert_eq!(row["actual"], 25.9);
    assert_eq!(row["submitted"], true);
    as_user(
        &env,
        "bo.po",
        &["progress", "--period", "FY2022", "--include-submitted"],
    )
    .ok()
    .stdout_has("25.9 (submitted)");
    // The CSV (written a row at a time, without a whole report) counts them too, and says so
    // on stderr; without the flag its row has no actual.
    let csv = as_user(
        &env,
        "bo.po",
        &[
            "progress",
            "--period",
            "FY2022",
            "--include-submitted",
            "--format",
            "csv",
        ],
    )
    .ok()
    .stderr_has("note: includes 4 values submitted but not yet approved");
    let poverty = |out: &str| {
        out.lines()
            .find(|l| l.starts_with("IND-POVERTY,"))
            .map(str::to_string)
            .unwrap_or_default()
    };
    assert!(poverty(&csv.stdout).contains(",25.9,"), "{}", csv.stdout);
    let plain = as_user(
        &env,
        "bo.po",
        &["progress", "--period", "FY2022", "--format", "csv"],
    )
    .ok();
    assert!(!plain.stderr.contains("note:"), "{}", plain.stderr);
    let row = poverty(&plain.stdout);
    assert!(
        row.starts_with("IND-POVERTY,") && !row.contains(",25.9,"),
        "{row}"
    );

    // Status: four submitted under MO3.1, nothing missing there: exit 0.
    let st = as_user(
        &env,
        "bo.po",
        &[
            "status", "--period", "FY2022", "--node", "MO3.1", "--format", "json",
        ],
    );
    assert_eq!(st.code, 0, "{}", st.stderr);
    let st = st.json();
    assert!(st["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["state"] == "submitted" && r["reporters"][0] == "ana.econ"));

    // The approver returns one value with a reason; status then owes it (exit 1).
    as_user(
        &env,
        "bo.po",
        &[
            "return",
            "IND-POVERTY",
            "FY2022",
            "--reason",
            "INEI says 25.8",
        ],
    )
    .ok()
    .stdout_has("returned `IND-POVERTY` FY2022 to ana.econ: INEI says 25.8");
    let st = as_user(
        &env,
        "bo.po",
        &["status", "--period", "FY2022", "--node", "MO3.1"],
    );
    assert_eq!(st.code, 1, "{}{}", st.stdout, st.stderr);
    assert!(st.stdout.contains("returned"), "{}", st.stdout);
    // A returned value counts nowhere, not even with --include-submitted.
    let row = progress_row(&env, "IND-POVERTY", &["--include-submitted"]);
    assert!(row["actual"].is_null(), "{row}");
    // The reporter corrects it: submitted again.
    as_user(
        &env,
        "ana.econ",
        &["record", "IND-POVERTY", "FY2022", "25.8"],
    )
    .ok()
    .stdout_has("(submitted for approval)");

    // The approver approves the period; progress counts the values.
    let approved = as_user(&env, "bo.po", &["approve", "--period", "FY2022"]).ok();
    assert!(
        approved.stdout.contains("4 values approved"),
        "{}",
        approved.stdout
    );
    assert_eq!(progress_row(&env, "IND-POVERTY", &[])["actual"], 25.8);
    assert!(progress_row(&env, "IND-POVERTY", &[])
        .get("submitted")
        .is_none());
    let st = as_user(
        &env,
        "bo.po",
        &["status", "--period", "FY2022", "--node", "MO3.1"],
    );
    assert_eq!(st.code, 0, "{}", st.stdout);

    // The admin locks the period; every write to it is refused, naming the lock.
    as_user(
        &env,
        "pm.lima",
        &["lock", "FY2022", "--reason", "Reported to Washington"],
    )
    .ok();
    let before = env.fingerprint();
    let lock = "FY2022 is locked (by pm.lima on 2026-01-15: Reported to Washington)";
    as_user(
        &env,
        "ana.econ",
        &["record", "IND-POVERTY", "FY2022", "25.7"],
    )
    .fails()
    .stderr_has(lock)
    .stderr_has("ics unlock FY2022");
    as_user(&env, "ana.econ", &["import-values", &values])
        .fails()
        .stderr_has(lock);
    as_user(
        &env,
        "ana.econ",
        &["void", "IND-POVERTY", "FY2022", "--reason", "typo"],
    )
    .fails()
    .stderr_has(lock);
    as_user(
        &env,
        "ana.econ",
        &["explain", "IND-POVERTY", "FY2022", "Growth slowed"],
    )
    .fails()
    .stderr_has(lock);
    as_user(
        &env,
        "bo.po",
        &["return", "IND-POVERTY", "FY2022", "--reason", "x"],
    )
    .fails()
    .stderr_has(lock);
    let retargeted = std::fs::read_to_string(&fw)
        .unwrap()
        .replace("FY2022 = 19.0 }", "FY2022 = 18.0 }")
        .replace("version = \"2020-02-07\"", "version = \"2020-03-01\"");
    let retargeted = env.write("retargeted.toml", &retargeted);
    as_user(&env, "pm.lima", &["load", retargeted.to_str().unwrap()])
        .fails()
        .stderr_has(
            "changes the target of `IND-POVERTY` for FY2022, but FY2022 is locked (by pm.lima",
        );
    assert_eq!(
        env.fingerprint(),
        before,
        "a refusal under the lock wrote something"
    );
    as_user(&env, "pm.lima", &["locks"])
        .ok()
        .stdout_has("Reported to Washington");

    // Only an admin unlocks, with a reason.
    as_user(&env, "bo.po", &["unlock", "FY2022", "--reason", "late fix"])
        .fails()
        .stderr_has("cannot do this (it needs an admin)");
    as_user(
        &env,
        "pm.lima",
        &["unlock", "FY2022", "--reason", "Late correction from INEI"],
    )
    .ok();
    as_user(
        &env,
        "ana.econ",
        &["record", "IND-POVERTY", "FY2022", "25.7"],
    )
    .ok();

    // The log shows every step with the right person.
    let log = env
        .ics(&["--as", "bo.po", "log", "--format", "json"])
        .ok()
        .json();
    let steps: Vec<(String, String)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["user"].as_str().unwrap().to_string(),
                e["action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want: Vec<(&str, &str)> = vec![
        ("pm.lima", "load"),
        ("pm.lima", "user-add"),
        ("pm.lima", "user-add"),
        ("pm.lima", "user-add"),
        ("ana.econ", "import"),
        ("bo.po", "return"),
        ("ana.econ", "record"),
        ("bo.po", "approve"),
        ("bo.po", "approve"),
        ("bo.po", "approve"),
        ("bo.po", "approve"),
        ("pm.lima", "lock"),
        ("pm.lima", "unlock"),
        ("ana.econ", "record"),
    ];
    let got: Vec<(&str, &str)> = steps
        .iter()
        .map(|(u, a)| (u.as_str(), a.as_str()))
        .collect();
    assert_eq!(got, want);
    let entries = log.as_array().unwrap();
    assert_eq!(entries[5]["reason"], "INEI says 25.8");
    assert_eq!(entries[12]["reason"], "Late correction from INEI");
    assert_eq!(entries[4]["values"], 4);
    // The history shows the review with who and why.
    as_user(&env, "bo.po", &["history", "IND-POVERTY"])
        .ok()
        .stdout_has("return (returned)")
        .stdout_has("INEI says 25.8");
    // And every value agrees with the log.
    env.ics(&["check"]).ok().stdout_has("the audit log");
}

#[test]
fn status_counts_missing_returned_and_approved_and_sets_the_exit_code() {
    let env = Env::new();
    mission(&env);
    let one = env.write(
        "one.csv",
        "indicator,period,value\nIND-TRADE-GOODS,FY2022,20.1\nIND-POVERTY,FY2022,25.9\n",
    );
    as_user(&env, "ana.econ", &["import-values", one.to_str().unwrap()]).ok();
    as_user(&env, "bo.po", &["approve", "IND-TRADE-GOODS", "FY2022"]).ok();
    as_user(
        &env,
        "bo.po",
        &["return", "IND-POVERTY", "FY2022", "--reason", "check"],
    )
    .ok();
    let st = as_user(
        &env,
        "bo.po",
        &[
            "status", "--period", "FY2022", "--node", "MO3.1", "--format", "json",
        ],
    );
    assert_eq!(st.code, 1);
    let st = st.json();
    let state = |code: &str| {
        st["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["indicator"] == code)
            .unwrap()["state"]
            .clone()
    };
    assert_eq!(state("IND-TRADE-GOODS"), "approved");
    assert_eq!(state("IND-POVERTY"), "returned");
    assert_eq!(state("IND-US-FDI"), "missing");
    let person = st["by_person"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "ana.econ")
        .unwrap();
    assert_eq!(person["counts"]["missing"], 2);
    assert_eq!(person["counts"]["returned"], 1);
    assert_eq!(person["counts"]["approved"], 1);
    // CSV for a spreadsheet; the table for people.
    let csv = as_user(
        &env,
        "bo.po",
        &[
            "status", "--period", "FY2022", "--node", "MO3.1", "--format", "csv",
        ],
    );
    assert!(
        csv.stdout
            .starts_with("indicator,title,node,reporter,state\n"),
        "{}",
        csv.stdout
    );
    // Recording the returned value again as it is submits it again.
    as_user(
        &env,
        "ana.econ",
        &["record", "IND-POVERTY", "FY2022", "25.9"],
    )
    .ok()
    .stdout_has("submitted `IND-POVERTY` FY2022 again as it is");
    // A locked period shows as locked and owes nothing.
    as_user(&env, "pm.lima", &["lock", "--through", "FY2022Q4"]).ok();
    let st = as_user(
        &env,
        "bo.po",
        &["status", "--period", "FY2022", "--node", "MO3.1"],
    );
    assert_eq!(st.code, 0, "{}", st.stdout);
    assert!(st.stdout.contains("locked (missing)"), "{}", st.stdout);
}

#[test]
fn users_are_managed_by_admins_and_the_last_admin_stays() {
    let env = Env::new();
    mission(&env);
    as_user(&env, "ana.econ", &["user", "add", "eve", "--role", "admin"])
        .fails()
        .stderr_has("cannot do this (it needs an admin)");
    as_user(&env, "pm.lima", &["user", "remove", "pm.lima"])
        .fails()
        .stderr_has("the last admin");
    as_user(
        &env,
        "pm.lima",
        &["user", "add", "x", "--role", "reporter", "--scope", "NOPE"],
    )
    .fails()
    .stderr_has("`NOPE` is not a node or indicator");
    as_user(
        &env,
        "pm.lima",
        &["user", "add", "bad name", "--role", "viewer"],
    )
    .fails()
    .stderr_has("is not a valid user name");
    as_user(
        &env,
        "pm.lima",
        &["user", "set-role", "ana.econ", "approver", "--scope", "DO1"],
    )
    .ok()
    .stdout_has("ana.econ: approver for DO1");
    let users = env.ics(&["user", "list", "--format", "json"]).ok().json();
    let names: Vec<&str> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ana.econ", "bo.po", "pm.lima"]);
    as_user(&env, "pm.lima", &["user", "remove", "bo.po"]).ok();
    // A viewer reads and writes nothing.
    as_user(
        &env,
        "pm.lima",
        &["user", "add", "desk", "--role", "viewer"],
    )
    .ok();
    as_user(&env, "desk", &["progress", "--period", "FY2022"]).ok();
    as_user(&env, "desk", &["record", "IND-POVERTY", "FY2022", "1"])
        .fails()
        .stderr_has("`desk` is a viewer and cannot record");
    let log = env
        .ics(&["log", "--user", "pm.lima", "--format", "csv"])
        .ok();
    assert!(log.stdout.contains("user-role"), "{}", log.stdout);
    assert!(log.stdout.contains("user-remove"), "{}", log.stdout);
}

#[test]
fn lock_after_days_locks_a_period_by_itself() {
    let env = Env::new();
    let text = std::fs::read_to_string(repo_file("framework.toml"))
        .unwrap()
        .replacen(
            "deviation_threshold = 10\n",
            "deviation_threshold = 10\nlock_after_days = 60\n",
            1,
        );
    let fw = env.write("framework.toml", &text);
    env.ics(&["load", fw.to_str().unwrap()]).ok();
    // ICS_NOW is 2026-01-15: FY2025 ended 2025-09-30, more than 60 days before.
    env.ics(&["record", "IND-POVERTY", "FY2025", "20"])
        .fails()
        .stderr_has("lock_after_days = 60");
    // FY2026 has not ended: open.
    env.ics(&["record", "IND-POVERTY", "FY2026", "20"]).ok();
    env.ics(&["locks"]).ok().stdout_has("60 days after it ends");
}

#[test]
fn single_user_mode_logs_every_write_and_the_log_cannot_be_changed() {
    let env = Env::new();
    env.load_shipped();
    env.ics(&[
        "record",
        "IND-POVERTY",
        "FY2022",
        "20",
        "--by",
        "Econ section",
    ])
    .ok();
    let log = env.ics(&["log", "--format", "json"]).ok().json();
    let e = log.as_array().unwrap();
    assert_eq!(e.len(), 2, "{log}");
    assert_eq!(e[0]["action"], "load");
    assert_eq!(e[0]["user"], "tester");
    assert_eq!(e[1]["action"], "record");
    assert_eq!(e[1]["user"], "Econ section");
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let err = conn
        .execute("UPDATE audit_log SET user_name = 'someone else'", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    assert!(conn.execute("DELETE FROM audit_log", []).is_err());
    // A value changed behind the log's back is found by check.
    conn.execute("UPDATE value SET recorded_by = 'forger'", [])
        .unwrap();
    drop(conn);
    let c = env.ics(&["check"]);
    assert_eq!(c.code, 2, "{}{}", c.stdout, c.stderr);
    assert!(
        c.stdout.contains("its log entry") || c.stderr.contains("its log entry"),
        "{}{}",
        c.stdout,
        c.stderr
    );
}

#[test]
fn a_copy_takes_settled_values_only_and_is_logged_in_the_destination() {
    let env = Env::new();
    mission(&env);
    let values = env.write("values.csv", VALUES);
    as_user(
        &env,
        "ana.econ",
        &["import-values", values.to_str().unwrap()],
    )
    .ok();
    let other = env.path("other.db");
    as_user(
        &env,
        "pm.lima",
        &["copy", "--from", "ics.db", "--to", other.to_str().unwrap()],
    )
    .fails()
    .stderr_has("has values still in review");
    assert!(!other.exists(), "a refused copy left a file");
    as_user(&env, "bo.po", &["approve", "--period", "FY2022"]).ok();
    as_user(
        &env,
        "pm.lima",
        &["copy", "--from", "ics.db", "--to", other.to_str().unwrap()],
    )
    .ok();
    let log = env
        .ics(&["--db", other.to_str().unwrap(), "log", "--format", "json"])
        .ok()
        .json();
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["load", "copy"], "{log}");
    assert_eq!(log[1]["user"], "pm.lima");
    assert_eq!(log[1]["values"], 4);
    env.ics(&["--db", other.to_str().unwrap(), "check"]).ok();
}

#[test]
fn a_quarter_is_due_only_for_quarterly_indicators_and_locks_alone() {
    let env = Env::new();
    let fw = format!(
        "{}{}",
        crate::common::MINI,
        r#"
  [[development_objective.indicator]]
  code = "Q1"
  title = "People reached"
  unit = "people"
  direction = "increase"
  frequency = "quarterly"
  responsible = "Health office"
"#
    );
    let fw = env.write("fw.toml", &fw);
    env.ics(&["load", fw.to_str().unwrap()]).ok();
    // FY2021Q2: only the quarterly indicator is due; nobody is a user, so its `responsible`.
    let st = env.ics(&["status", "--period", "FY2021Q2", "--format", "json"]);
    assert_eq!(st.code, 1, "{}", st.stdout);
    let st = st.json();
    let rows = st["indicators"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{st}");
    assert_eq!(rows[0]["indicator"], "Q1");
    assert_eq!(rows[0]["state"], "missing");
    assert_eq!(rows[0]["reporters"][0], "Health office");
    // Recorded with review off: it counts, nothing is owed.
    env.ics(&["record", "Q1", "FY2021Q2", "120"]).ok();
    let st = env.ics(&["status", "--period", "FY2021Q2", "--format", "json"]);
    assert_eq!(st.code, 0, "{}", st.stdout);
    assert_eq!(st.json()["indicators"][0]["state"], "recorded");
    // The fiscal year lists every indicator (as `ics template` does).
    let year = env
        .ics(&["status", "--period", "FY2021", "--format", "json"])
        .json();
    assert_eq!(year["indicators"].as_array().unwrap().len(), 2, "{year}");
    // A quarter's lock holds that quarter only.
    env.ics(&["lock", "FY2021Q2"]).ok();
    env.ics(&["record", "Q1", "FY2021Q2", "121"])
        .fails()
        .stderr_has("FY2021Q2 is locked (by tester on 2026-01-15)");
    env.ics(&["record", "Q1", "FY2021Q3", "130"]).ok();
    let st = env.ics(&["status", "--period", "FY2021Q2", "--format", "json"]);
    assert_eq!(st.json()["indicators"][0]["state"], "locked");
}
