//! The reporting cycle of issue 17 on PostgreSQL: the same period through review and lock, and
//! server logins mapped to users (`--db-role`), so one login cannot act as another user.

use ics::store::postgres::testing::TestServer;
use postgres::{Client, NoTls};

use crate::common::{repo_file, Env, Run};

/// `url` with its user replaced by `role`.
fn as_login(url: &str, role: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let rest = rest.split_once('@').map_or(rest, |(_, r)| r);
    format!("{scheme}://{role}@{rest}")
}

/// Logins for one test, dropped with it.
struct Logins {
    admin_url: String,
    names: Vec<String>,
}

impl Logins {
    /// Create `names` as login roles with what ics needs in the test's database.
    fn create(db_url: &str, names: &[&str]) -> Logins {
        let mut client = Client::connect(db_url, NoTls).expect("the test server answers");
        let suffix = std::process::id();
        let names: Vec<String> = names.iter().map(|n| format!("{n}_{suffix}")).collect();
        for n in &names {
            client
                .batch_execute(&format!(
                    "DROP ROLE IF EXISTS {n}; CREATE ROLE {n} LOGIN; \
                     GRANT USAGE ON SCHEMA public TO {n}; \
                     GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {n}; \
                     GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {n}; \
                     GRANT TEMPORARY ON DATABASE {} TO {n};",
                    db_url
                        .rsplit('/')
                        .next()
                        .unwrap()
                        .split('?')
                        .next()
                        .unwrap()
                ))
                .expect("create a login");
        }
        Logins {
            admin_url: db_url.to_string(),
            names,
        }
    }
}

impl Drop for Logins {
    fn drop(&mut self) {
        if let Ok(mut c) = Client::connect(&self.admin_url, NoTls) {
            for n in &self.names {
                let _ = c.batch_execute(&format!("DROP OWNED BY {n}; DROP ROLE IF EXISTS {n}"));
            }
        }
    }
}

fn ics(env: &Env, url: &str, args: &[&str]) -> Run {
    let mut all = vec!["--db", url];
    all.extend_from_slice(args);
    env.ics(&all)
}

#[test]
fn a_period_through_review_and_lock_with_mapped_logins() {
    let Some(db) = TestServer::database() else {
        return;
    };
    let env = Env::new();
    let url = db.url.as_str();
    let text = std::fs::read_to_string(repo_file("framework.toml"))
        .unwrap()
        .replacen(
            "deviation_threshold = 10\n",
            "deviation_threshold = 10\nreview = true\n",
            1,
        );
    let fw = env.write("framework.toml", &text);
    ics(
        &env,
        url,
        &["--as", "pm.lima", "load", fw.to_str().unwrap()],
    )
    .ok();
    let logins = Logins::create(url, &["ana", "bo"]);
    let (ana_login, bo_login) = (logins.names[0].as_str(), logins.names[1].as_str());
    let ana_url = as_login(url, ana_login);
    let bo_url = as_login(url, bo_login);
    ics(
        &env,
        url,
        &[
            "--as", "pm.lima", "user", "add", "pm.lima", "--role", "admin",
        ],
    )
    .ok();
    ics(
        &env,
        url,
        &[
            "--as",
            "pm.lima",
            "user",
            "add",
            "ana.econ",
            "--role",
            "reporter",
            "--scope",
            "MO3.1",
            "--db-role",
            ana_login,
        ],
    )
    .ok();
    ics(
        &env,
        url,
        &[
            "--as",
            "pm.lima",
            "user",
            "add",
            "bo.po",
            "--role",
            "approver",
            "--db-role",
            bo_login,
        ],
    )
    .ok();

    // A mapped login is its user, whatever --as claims.
    let values = env.write(
        "values.csv",
        "indicator,period,value\nIND-TRADE-GOODS,FY2022,20.1\nIND-POVERTY,FY2022,25.9\n",
    );
    ics(&env, &ana_url, &["import-values", values.to_str().unwrap()]).ok();
    ics(
        &env,
        &ana_url,
        &["--as", "bo.po", "approve", "--period", "FY2022"],
    )
    .fails()
    .stderr_has("which is the user `ana.econ`; it cannot act as `bo.po`");
    // ... and no other login can claim a mapped user.
    ics(
        &env,
        url,
        &["--as", "bo.po", "approve", "--period", "FY2022"],
    )
    .fails()
    .stderr_has("`bo.po` connects as the database role");
    // The reporter is refused outside its scope.
    ics(
        &env,
        &ana_url,
        &["record", "IND-US-VISITORS", "FY2022", "600000"],
    )
    .fails()
    .stderr_has("outside the scope of `ana.econ`");

    // Submitted values do not count; the approver returns one, the reporter corrects it.
    let progress = |extra: &[&str]| {
        let mut args = vec!["progress", "--period", "FY2022", "--format", "json"];
        args.extend_from_slice(extra);
        let rows = ics(&env, &bo_url, &args).ok().json();
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["indicator"] == "IND-POVERTY")
            .unwrap()
            .clone()
    };
    assert!(progress(&[])["actual"].is_null());
    assert_eq!(progress(&["--include-submitted"])["actual"], 25.9);
    ics(
        &env,
        &bo_url,
        &[
            "return",
            "IND-POVERTY",
            "FY2022",
            "--reason",
            "INEI says 25.8",
        ],
    )
    .ok();
    let st = ics(
        &env,
        &bo_url,
        &["status", "--period", "FY2022", "--node", "MO3.1"],
    );
    assert_eq!(st.code, 1, "{}", st.stdout);
    ics(&env, &ana_url, &["record", "IND-POVERTY", "FY2022", "25.8"]).ok();
    ics(&env, &bo_url, &["approve", "--period", "FY2022"])
        .ok()
        .stdout_has("2 values approved");
    assert_eq!(progress(&[])["actual"], 25.8);

    // The admin locks the year: writes are refused, naming the lock; unlock with a reason.
    ics(
        &env,
        url,
        &[
            "--as",
            "pm.lima",
            "lock",
            "FY2022",
            "--reason",
            "Reported to Washington",
        ],
    )
    .ok();
    let lock = "FY2022 is locked (by pm.lima on 2026-01-15: Reported to Washington)";
    ics(&env, &ana_url, &["record", "IND-POVERTY", "FY2022", "25.7"])
        .fails()
        .stderr_has(lock);
    ics(&env, &ana_url, &["import-values", values.to_str().unwrap()])
        .fails()
        .stderr_has(lock);
    ics(
        &env,
        &ana_url,
        &["void", "IND-POVERTY", "FY2022", "--reason", "typo"],
    )
    .fails()
    .stderr_has(lock);
    let retargeted = text
        .replace("FY2022 = 19.0 }", "FY2022 = 18.0 }")
        .replace("version = \"2020-02-07\"", "version = \"2020-03-01\"");
    let retargeted = env.write("retargeted.toml", &retargeted);
    ics(
        &env,
        url,
        &["--as", "pm.lima", "load", retargeted.to_str().unwrap()],
    )
    .fails()
    .stderr_has("changes the target of `IND-POVERTY` for FY2022");
    ics(
        &env,
        url,
        &[
            "--as",
            "pm.lima",
            "unlock",
            "FY2022",
            "--reason",
            "Late correction",
        ],
    )
    .ok();

    // The log has every step with the right person, and the server refuses to change it.
    let log = ics(&env, url, &["log", "--format", "json"]).ok().json();
    let steps: Vec<String> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["user"].as_str().unwrap(),
                e["action"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            "pm.lima load",
            "pm.lima user-add",
            "pm.lima user-add",
            "pm.lima user-add",
            "ana.econ import",
            "bo.po return",
            "ana.econ record",
            "bo.po approve",
            "bo.po approve",
            "pm.lima lock",
            "pm.lima unlock",
        ]
    );
    let mut client = Client::connect(&ana_url, NoTls).unwrap();
    assert!(client
        .batch_execute("UPDATE audit_log SET user_name = 'x'")
        .is_err());
    assert!(client.batch_execute("DELETE FROM audit_log").is_err());
    drop(client);
    ics(&env, url, &["check"]).ok().stdout_has("the audit log");
}
