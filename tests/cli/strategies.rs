//! Several strategies in one database (issue 16, part 2): `--strategy` / `ICS_STRATEGY`,
//! overlapping indicator codes kept apart, `ics strategies`, and the upgrade of a database
//! from the first schema.

use crate::common::*;

/// A database holding the strategies `mini` and `other`, both with the indicator `I1` and
/// both at version `v1`.
fn two_strategies() -> Env {
    let env = Env::new();
    let a = env.write("mini.toml", MINI);
    let b = env.write("other.toml", &mini_as("other", "Other strategy"));
    env.ics(&["load", a.to_str().unwrap()])
        .ok()
        .stdout_has("as version `v1` of Mini strategy (mini)");
    env.ics(&["load", b.to_str().unwrap()])
        .ok()
        .stdout_has("as version `v1` of Other strategy (other)");
    env
}

fn actual(env: &Env, strategy: &str) -> serde_json::Value {
    let run = env
        .ics(&[
            "--strategy",
            strategy,
            "progress",
            "--period",
            "FY2021",
            "--format",
            "json",
        ])
        .ok();
    let rows = run.json();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["indicator"], "I1");
    rows[0]["actual"].clone()
}

#[test]
fn the_same_indicator_code_in_two_strategies_stays_apart() {
    let env = two_strategies();
    env.ics(&["--strategy", "mini", "record", "I1", "FY2021", "5"])
        .ok()
        .stdout_has("recorded `I1` FY2021: 5 people");
    env.ics(&["--strategy", "other", "record", "I1", "FY2021", "7"])
        .ok();
    // A correction in one strategy is not one in the other.
    env.ics(&["--strategy", "other", "record", "I1", "FY2021", "8"])
        .ok()
        .stdout_has("corrected");
    assert_eq!(actual(&env, "mini"), 5.0);
    assert_eq!(actual(&env, "other"), 8.0);

    let export = |s: &str| {
        env.ics(&["--strategy", s, "export-values", "--all"])
            .ok()
            .stdout
    };
    let mini = export("mini");
    let other = export("other");
    let values = |csv: &str| -> Vec<String> {
        csv.lines()
            .skip(1)
            .map(|l| l.split(',').take(4).collect::<Vec<_>>().join(","))
            .collect()
    };
    assert_eq!(values(&mini), ["I1,FY2021,,5"], "{mini}");
    assert_eq!(values(&other), ["I1,FY2021,,7", "I1,FY2021,,8"], "{other}");

    env.ics(&["--strategy", "mini", "history", "I1"])
        .ok()
        .stdout_has("1 value recorded, 0 corrected");
    env.ics(&["--strategy", "other", "history", "I1"])
        .ok()
        .stdout_has("2 values recorded, 1 corrected");

    // Voiding in one leaves the other's value current.
    env.ics(&[
        "--strategy",
        "mini",
        "void",
        "I1",
        "FY2021",
        "--reason",
        "wrong year",
    ])
    .ok();
    assert_eq!(actual(&env, "mini"), serde_json::Value::Null);
    assert_eq!(actual(&env, "other"), 8.0);
    // Versions are listed per strategy: each has its own `v1`.
    let versions = |s: &str| {
        let run = env
            .ics(&["--strategy", s, "versions", "--format", "json"])
            .ok();
        let list = run.json();
        list.as_array()
            .unwrap()
            .iter()
            .map(|v| format!("{} {}", v["strategy"].as_str().unwrap(), v["label"]))
            .collect::<Vec<_>>()
    };
    assert_eq!(versions("mini"), ["mini \"v1\""]);
    assert_eq!(versions("other"), ["other \"v1\""]);
    env.ics(&["check"]).ok().stdout_has("is healthy");
}

#[test]
fn without_strategy_a_database_of_several_is_refused_listing_them() {
    let env = two_strategies();
    let before = env.fingerprint();
    for args in [
        &["tree"][..],
        &["progress"],
        &["versions"],
        &["record", "I1", "FY2021", "5"],
        &["export-values"],
    ] {
        env.ics(args)
            .fails()
            .stderr_has("error: the database holds 2 strategies: `mini`, `other`")
            .stderr_has("help: pass --strategy CODE (or set ICS_STRATEGY)");
    }
    assert_eq!(before, env.fingerprint(), "nothing was written");
    // An empty ICS_STRATEGY is not a choice.
    env.ics_env(&["tree"], &[("ICS_STRATEGY", "")])
        .fails()
        .stderr_has("holds 2 strategies");
}

#[test]
fn ics_strategy_chooses_like_the_flag_and_the_flag_wins() {
    let env = two_strategies();
    env.ics_env(
        &["record", "I1", "FY2021", "7"],
        &[("ICS_STRATEGY", "other")],
    )
    .ok();
    let tree = env
        .ics_env(&["tree"], &[("ICS_STRATEGY", "other")])
        .ok()
        .stdout;
    assert!(tree.contains("Other strategy"), "{tree}");
    let tree = env
        .ics_env(
            &["--strategy", "mini", "tree"],
            &[("ICS_STRATEGY", "other")],
        )
        .ok()
        .stdout;
    assert!(
        tree.contains("Mini strategy") && !tree.contains("Other strategy"),
        "{tree}"
    );
    assert_eq!(actual(&env, "other"), 7.0);
    assert_eq!(actual(&env, "mini"), serde_json::Value::Null);
}

#[test]
fn an_unknown_strategy_lists_the_stored_ones() {
    let env = two_strategies();
    let before = env.fingerprint();
    env.ics(&["--strategy", "peru-ics", "record", "I1", "FY2021", "5"])
        .fails()
        .stderr_has("error: the database holds no strategy `peru-ics`")
        .stderr_has("help: stored strategies: `mini`, `other`");
    env.ics_env(&["progress"], &[("ICS_STRATEGY", "nope")])
        .fails()
        .stderr_has("no strategy `nope`");
    assert_eq!(before, env.fingerprint());
    // On a database with one strategy, a wrong code is refused too, not ignored.
    let one = Env::new();
    one.ics(&["load", one.write("m.toml", MINI).to_str().unwrap()])
        .ok();
    one.ics(&["--strategy", "other", "tree"])
        .fails()
        .stderr_has("help: stored strategies: `mini`");
}

#[test]
fn load_refuses_a_file_of_another_strategy_than_the_flag_says() {
    let env = Env::new();
    let a = env.write("mini.toml", MINI);
    let a = a.to_str().unwrap();
    env.ics(&["--strategy", "other", "load", a])
        .fails()
        .stderr_has("is the strategy `mini`, not `other`")
        .stderr_has("nothing was loaded");
    assert_eq!(env.fingerprint(), "<none>");
    env.ics(&["--strategy", "mini", "load", a]).ok();
    // A second version of one strategy leaves the other alone; labels are per strategy.
    let b = env.write("other.toml", &mini_as("other", "Other strategy"));
    env.ics(&["load", b.to_str().unwrap()]).ok();
    let v2 = env.write(
        "mini2.toml",
        &MINI
            .replace("version = \"v1\"", "version = \"v2\"")
            .replace("Goal one", "Goal one, revised"),
    );
    env.ics(&["load", v2.to_str().unwrap()])
        .ok()
        .stdout_has("as version `v2` of Mini strategy (mini)");
    // The same label again in the same strategy is still refused.
    let dup = env.write(
        "other-dup.toml",
        &mini_as("other", "Other strategy").replace("Goal one", "Goal uno"),
    );
    env.ics(&["load", dup.to_str().unwrap()])
        .fails()
        .stderr_has("version `v1` already exists");
    let run = env.ics(&["strategies", "--format", "json"]).ok();
    let list = run.json();
    let got: Vec<(String, String, u64)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["code"].as_str().unwrap().to_string(),
                s["latest"].as_str().unwrap().to_string(),
                s["versions"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("mini".to_string(), "v2".to_string(), 2),
            ("other".to_string(), "v1".to_string(), 1)
        ]
    );
}

#[test]
fn strategies_lists_each_with_its_latest_version_values_and_last_record() {
    let env = two_strategies();
    env.ics_env(
        &["--strategy", "mini", "record", "I1", "FY2020", "15"],
        &[("ICS_NOW", "2026-03-01T08:00:00Z")],
    )
    .ok();
    env.ics_env(
        &["--strategy", "mini", "record", "I1", "FY2020", "16"],
        &[("ICS_NOW", "2026-03-02T09:30:00Z")],
    )
    .ok();
    env.ics_env(
        &["--strategy", "mini", "record", "I1", "FY2021", "25"],
        &[("ICS_NOW", "2026-02-01T00:00:00Z")],
    )
    .ok();
    let table = env.ics(&["strategies"]).ok().stdout;
    let rows: Vec<Vec<String>> = table
        .lines()
        .filter(|l| l.starts_with('│'))
        .map(|l| {
            l.trim_matches('│')
                .split('┆')
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect();
    assert_eq!(
        rows,
        [
            [
                "strategy",
                "title",
                "latest",
                "versions",
                "values",
                "last recorded (UTC)"
            ],
            [
                "mini",
                "Mini strategy",
                "v1",
                "1",
                "2",
                "2026-03-02 09:30:00"
            ],
            ["other", "Other strategy", "v1", "1", "0", "-"],
        ],
        "{table}"
    );
    assert!(
        table.contains("other commands need --strategy CODE"),
        "{table}"
    );

    let run = env.ics(&["strategies", "--format", "json"]).ok();
    assert_eq!(
        run.json(),
        serde_json::json!([
            {
                "code": "mini",
                "title": "Mini strategy",
                "latest": "v1",
                "versions": 1,
                "values": 2,
                "last_recorded": "2026-03-02T09:30:00.000000Z"
            },
            {
                "code": "other",
                "title": "Other strategy",
                "latest": "v1",
                "versions": 1,
                "values": 0,
                "last_recorded": null
            }
        ])
    );
}

#[test]
fn strategies_on_an_empty_database_says_so() {
    let env = Env::new();
    // An empty file becomes an ics database with nothing in it.
    std::fs::write(env.db(), b"").unwrap();
    let run = env.ics(&["strategies"]).ok();
    assert_eq!(
        run.stdout,
        "no strategies stored yet; load one with `ics load framework.toml`\n"
    );
    let run = env.ics(&["strategies", "--format", "json"]).ok();
    assert_eq!(run.json(), serde_json::json!([]));
    // Other commands say as before that there is no strategy yet.
    env.ics(&["tree"])
        .fails()
        .stderr_has("the database holds no strategy yet");
    // A missing database is an error, as for every command.
    env.ics(&["--db", "missing.db", "strategies"])
        .fails()
        .stderr_has("no database at `missing.db`");
}

#[test]
fn one_strategy_needs_no_flag() {
    let env = Env::new();
    env.ics(&["load", env.write("m.toml", MINI).to_str().unwrap()])
        .ok();
    env.ics(&["record", "I1", "FY2021", "12"]).ok();
    env.ics(&["tree"]).ok().stdout_has("Mini strategy");
    let run = env
        .ics(&["progress", "--period", "FY2021", "--format", "json"])
        .ok();
    assert_eq!(run.json()[0]["actual"], 12.0);
    let table = env.ics(&["strategies"]).ok().stdout;
    assert!(!table.contains("--strategy"), "{table}");
    // The flag naming the only strategy works too.
    env.ics(&["--strategy", "mini", "history", "I1"])
        .ok()
        .stdout_has("1 value recorded");
}

#[test]
fn check_covers_every_strategy_without_the_flag() {
    let env = two_strategies();
    env.ics(&["--strategy", "mini", "record", "I1", "FY2021", "5"])
        .ok();
    env.ics(&["--strategy", "other", "record", "I1", "FY2021", "6"])
        .ok();
    let out = env.ics(&["check"]).ok().stdout;
    for line in [
        "ok: tracker invariants (2 version(s) complete, 2 recorded value(s)",
        "ok: strategy `mini`: every version (1) and every value reads back",
        "ok: strategy `other`: every recorded value (1) can be exported and imported back",
        "is healthy",
    ] {
        assert!(out.contains(line), "{line:?} missing:\n{out}");
    }
    // Damage in one strategy is found and named with its strategy.
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute(
        "UPDATE value SET disaggregation = 'sex=x' WHERE value = 6",
        [],
    )
    .unwrap();
    drop(conn);
    env.ics(&["check"])
        .fails()
        .stdout_has("problem: strategy `other`: value 2 of `I1` FY2021");
}

#[test]
fn a_first_schema_database_upgrades_and_takes_a_second_strategy() {
    let env = Env::new();
    std::fs::copy(repo_file("tests/fixtures/schema-v1.db"), env.db()).unwrap();
    let expected =
        std::fs::read_to_string(repo_file("tests/fixtures/schema-v1.values.csv")).unwrap();
    let run = env.ics(&["strategies", "--format", "json"]).ok();
    let list = run.json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["code"], "peru-ics");
    assert_eq!(list[0]["versions"], 1);
    assert_eq!(list[0]["values"], 14, "15 rows, one of them corrected");
    assert_eq!(list[0]["last_recorded"], "2026-02-02T10:00:00.000000Z");
    env.ics(&["check"]).ok();
    // The rebuilt tables keep every link.
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let broken: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(broken, 0);
    drop(conn);
    // A second strategy with the same indicator codes (the shipped one under another code).
    let shipped = std::fs::read_to_string(repo_file("framework.toml")).unwrap();
    assert!(shipped.contains("code = \"peru-ics\""));
    let colombia = env.write(
        "colombia.toml",
        &shipped.replace("code = \"peru-ics\"", "code = \"colombia-ics\""),
    );
    env.ics(&["load", colombia.to_str().unwrap()]).ok();
    env.ics(&[
        "--strategy",
        "colombia-ics",
        "record",
        "IND-POVERTY",
        "FY2022",
        "31",
    ])
    .ok()
    .stdout_has("recorded `IND-POVERTY` FY2022");
    // Peru's history is exactly what it was.
    let exported = env
        .ics(&["--strategy", "peru-ics", "export-values", "--all"])
        .ok()
        .stdout;
    assert_eq!(exported, expected);
    let colombia = env
        .ics(&["--strategy", "colombia-ics", "export-values", "--all"])
        .ok()
        .stdout;
    assert_eq!(colombia.lines().count(), 2, "{colombia}");
    env.ics(&["check"]).ok().stdout_has("is healthy");
}

/// `demo` shows the strategy it built, whatever `ICS_STRATEGY` says for other databases.
#[test]
fn demo_shows_its_own_strategy_whatever_ics_strategy_says() {
    let env = Env::new();
    env.ics_env(&["demo"], &[("ICS_STRATEGY", "colombia-ics")])
        .ok()
        .stdout_has("(peru-ics), version 2020-02-07");
}

/// An indicator defined by a version of another strategy is damage `check` names.
#[test]
fn an_indicator_defined_by_another_strategy_is_caught() {
    let env = two_strategies();
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let changed = conn
        .execute(
            "UPDATE indicator_def SET indicator_id = \
             (SELECT id FROM indicator WHERE strategy_code = 'mini') \
             WHERE version_id = (SELECT id FROM strategy_version WHERE strategy_code = 'other')",
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(conn);
    env.ics(&["check"]).fails().stdout_has(
        "problem: the indicator `I1` of the strategy `mini` is defined by version `v1` of the strategy `other`",
    );
}
