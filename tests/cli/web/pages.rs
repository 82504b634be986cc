//! The pages at work: a value through review, with the CLI's numbers; single-user mode; the
//! request log and a clean stop.

use super::{mission, progress_row, values, Server};
use crate::common::Env;

#[test]
fn the_approver_approves_and_the_numbers_match_the_cli() {
    let env = Env::new();
    mission(&env);
    let server = Server::start(&env, &[]);
    let mut ana = server.client();
    ana.sign_in("ana.econ");
    let csrf = ana.get("/").csrf();
    let hostile = "<script>alert('x')</script> & \"quoted\"";
    let p = ana.post(
        "/indicator/IND-TRADE-GOODS/record",
        &[
            ("csrf", &csrf),
            ("period", "FY2022"),
            ("value", "20.1"),
            ("note", hostile),
        ],
    );
    assert_eq!(p.status, 303);
    // Submitted, not approved: progress does not count it yet, here or in the CLI.
    assert!(progress_row(&env, "IND-TRADE-GOODS")["actual"].is_null());
    let mut bo = server.client();
    bo.sign_in("bo.po");
    let queue = bo.get("/review");
    assert!(
        queue.body.contains("1 value waiting for approval"),
        "{}",
        queue.body
    );
    // Return it with a reason; the reporter records it again; then approve it.
    let csrf = queue.csrf();
    let key = [
        ("indicator", "IND-TRADE-GOODS"),
        ("period", "FY2022"),
        ("disagg", ""),
    ];
    let mut form = vec![("csrf", csrf.as_str()), ("reason", "which source?")];
    form.extend_from_slice(&key);
    assert_eq!(bo.post("/review/return", &form).status, 303);
    assert!(bo
        .get("/review")
        .body
        .contains("Nothing is waiting for approval"));
    let csrf_a = ana.get("/").csrf();
    assert_eq!(
        ana.post(
            "/indicator/IND-TRADE-GOODS/record",
            &[("csrf", &csrf_a), ("period", "FY2022"), ("value", "20.1")],
        )
        .status,
        303
    );
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(&key);
    assert_eq!(bo.post("/review/approve", &form).status, 303);
    assert!(bo
        .get("/review")
        .body
        .contains("approved `IND-TRADE-GOODS` FY2022"));
    let row = progress_row(&env, "IND-TRADE-GOODS");
    assert_eq!(row["actual"], 20.1);
    // The dashboard shows the CLI's numbers.
    let dash = bo.get("/?period=FY2022");
    assert_eq!(dash.status, 200);
    let cells = format!(
        "IND-TRADE-GOODS</a></td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">20.1</td>",
        row["title"].as_str().unwrap(),
        ics::render::progress::number(row["target"].as_f64().unwrap())
    );
    assert!(dash.body.contains(&cells), "{cells}\n{}", dash.body);
    let status = row["status"].as_str().unwrap().replace('_', " ");
    assert!(dash.body.contains(&status));
    // The history shows the review and the hostile note as text.
    let page = bo.get("/indicator/IND-TRADE-GOODS");
    assert!(!page.body.contains("<script>"), "{}", page.body);
    assert!(page
        .body
        .contains("&lt;script&gt;alert('x')&lt;/script&gt; &amp; &quot;quoted&quot;"));
    assert!(page.body.contains("which source?"));
    // The log page names every step's person.
    let log = bo.get("/log");
    assert_eq!(log.status, 200);
    for step in [
        "<td>bo.po</td><td>peru-ics</td><td>approve</td>",
        "<td>bo.po</td><td>peru-ics</td><td>return</td>",
        "<td>ana.econ</td><td>peru-ics</td><td>record</td>",
    ] {
        assert!(log.body.contains(step), "{step}\n{}", log.body);
    }
    // The status page agrees with `ics status`.
    let cli = env
        .ics(&["status", "--period", "FY2022", "--format", "json"])
        .json();
    let st = bo.get("/status?period=FY2022");
    let goods = cli["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["indicator"] == "IND-TRADE-GOODS")
        .unwrap();
    assert_eq!(goods["state"], "approved");
    assert!(
        st.body.contains("<td>ana.econ</td><td>approved</td>"),
        "{}",
        st.body
    );
}

#[test]
fn single_user_mode_says_so_on_every_page_and_still_checks_csrf() {
    let env = Env::new();
    env.load_shipped();
    let server = Server::start(&env, &[]);
    let mut c = server.client();
    for path in ["/", "/review", "/status", "/log", "/indicator/IND-POVERTY"] {
        let p = c.get(path);
        assert_eq!(p.status, 200, "{path}: {}", p.body);
        assert!(p.body.contains("Single-user mode"), "{path}");
    }
    assert_eq!(c.get("/login").location.as_deref(), Some("/"));
    let before = values(&env);
    let p = c.post(
        "/indicator/IND-POVERTY/record",
        &[("period", "FY2022"), ("value", "25.9")],
    );
    assert_eq!(p.status, 403);
    assert_eq!(values(&env), before);
    let csrf = c.get("/indicator/IND-POVERTY").csrf();
    let p = c.post(
        "/indicator/IND-POVERTY/record",
        &[("csrf", &csrf), ("period", "FY2022"), ("value", "25.9")],
    );
    assert_eq!(p.status, 303);
    // Review is off: the value counts at once, by the name of whoever runs the server.
    assert_eq!(progress_row(&env, "IND-POVERTY")["actual"], 25.9);
    // A value far from its target, unexplained: the dashboard lists it as the CLI does.
    let csrf = c.get("/indicator/IND-TRADE-GOODS").csrf();
    let p = c.post(
        "/indicator/IND-TRADE-GOODS/record",
        &[("csrf", &csrf), ("period", "FY2022"), ("value", "5")],
    );
    assert_eq!(p.status, 303);
    let cli = env
        .ics(&[
            "progress",
            "--period",
            "FY2022",
            "--needs-explanation",
            "--format",
            "json",
        ])
        .ok()
        .json();
    let codes: Vec<&str> = cli
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["indicator"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"IND-TRADE-GOODS"), "{codes:?}");
    let dash = c.get("/?period=FY2022");
    let list = &dash.body[dash.body.find("<h2>Needs explanation</h2>").unwrap()..];
    for code in &codes {
        assert!(list.contains(&format!(">{code}</a>")), "{code}:\n{list}");
    }
    assert_eq!(list.matches("<li>").count(), codes.len(), "{list}");
    assert!(env
        .ics(&["history", "IND-POVERTY"])
        .ok()
        .stdout
        .contains("tester"));
}

#[test]
fn the_log_has_one_line_per_request_and_sigterm_stops_the_server() {
    let env = Env::new();
    mission(&env);
    let server = Server::start(&env, &[]);
    let mut c = server.client();
    c.sign_in("bo.po");
    assert_eq!(c.get("/?period=FY2022").status, 200);
    assert_eq!(c.get("/review?period=FY2022").status, 200);
    let (code, log) = server.terminate();
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("shutting down"), "{log}");
    // Method, path without the query, status, milliseconds, user.
    let line = log
        .lines()
        .find(|l| l.starts_with("GET /review "))
        .unwrap_or_else(|| panic!("{log}"));
    let parts: Vec<&str> = line.split(' ').collect();
    assert_eq!(parts.len(), 5, "{line}");
    assert_eq!(parts[2], "200");
    assert!(parts[3].ends_with("ms"), "{line}");
    assert_eq!(parts[4], "bo.po");
    assert!(!log.contains("FY2022"), "the query is not logged:\n{log}");
}

#[test]
fn hostile_titles_render_as_text() {
    let env = Env::new();
    let text = std::fs::read_to_string(crate::common::repo_file("framework.toml")).unwrap();
    let hostile = "<img src=x onerror=alert(1)> & </td></tr> poverty";
    let text = text.replacen(
        "title = \"National poverty rate in Peru\"",
        &format!("title = \"{hostile}\""),
        1,
    );
    assert!(text.contains("onerror"));
    let fw = env.write("framework.toml", &text);
    env.ics(&["load", fw.to_str().unwrap()]).ok();
    let server = Server::start(&env, &[]);
    let mut c = server.client();
    let escaped = "&lt;img src=x onerror=alert(1)&gt; &amp; &lt;/td&gt;&lt;/tr&gt; poverty";
    for path in ["/", "/indicator/IND-POVERTY", "/status?period=FY2022"] {
        let p = c.get(path);
        assert_eq!(p.status, 200, "{path}");
        assert!(p.body.contains(escaped), "{path}:\n{}", p.body);
        assert!(!p.body.contains("<img"), "{path}");
    }
}

#[test]
fn the_goals_tree_shows_every_node_and_its_links() {
    let env = Env::new();
    env.load_shipped();
    let server = Server::start(&env, &[]);
    let tree = server.client().get("/tree");
    assert_eq!(tree.status, 200);
    let cli = env.ics(&["tree", "--format", "json"]).ok().json();
    let mut codes = Vec::new();
    fn walk(v: &serde_json::Value, codes: &mut Vec<String>) {
        if let Some(c) = v.get("code").and_then(|c| c.as_str()) {
            codes.push(c.to_string());
        }
        for key in ["nodes", "children"] {
            if let Some(list) = v.get(key).and_then(|l| l.as_array()) {
                for n in list {
                    walk(n, codes);
                }
            }
        }
    }
    walk(&cli, &mut codes);
    assert_eq!(
        codes.len(),
        20,
        "4 goals, 9 objectives, 2 MOs, 3 DOs, 2 themes: {codes:?}"
    );
    for code in &codes {
        assert!(tree.body.contains(&format!("id=\"{code}\"")), "{code}");
    }
    // DO1 supports MO2.2, and MO2.2 says it is supported by DO1.
    let do1 = &tree.body[tree.body.find("id=\"DO1\"").unwrap()..];
    assert!(do1[..do1.find("</section>").unwrap()]
        .contains("Supports: <ul><li><a class=\"code\" href=\"#MO2.2\">"));
    let mo22 = &tree.body[tree.body.find("id=\"MO2.2\"").unwrap()..];
    assert!(mo22[..mo22.find("</section>").unwrap()]
        .contains("Supported by: <ul><li><a class=\"code\" href=\"#DO1\">"));
    assert!(tree.body.contains("href=\"/indicator/IND-POVERTY\""));
}

#[test]
fn explain_and_void_through_the_forms_as_the_cli_would() {
    let env = Env::new();
    env.load_shipped();
    let server = Server::start(&env, &[]);
    let mut c = server.client();
    let page = c.get("/indicator/IND-TRADE-GOODS");
    for label in ["Record a value", "Explain a deviation", "Void a value"] {
        assert!(page.body.contains(label), "{label}");
    }
    let csrf = page.csrf();
    let post = |c: &mut super::Client, what: &str, form: &[(&str, &str)]| {
        let mut f = vec![("csrf", csrf.as_str())];
        f.extend_from_slice(form);
        c.post(&format!("/indicator/IND-TRADE-GOODS/{what}"), &f)
    };
    // Nothing to explain yet: refused with the CLI's words, nothing changed.
    let before = values(&env);
    let p = post(&mut c, "explain", &[("period", "FY2022"), ("text", "why")]);
    assert_eq!(p.status, 400);
    assert!(p
        .body
        .contains("`IND-TRADE-GOODS` FY2022 has no current value to explain"));
    assert_eq!(values(&env), before);
    assert_eq!(
        post(&mut c, "record", &[("period", "FY2022"), ("value", "5")]).status,
        303
    );
    let needs = |c: &mut super::Client| {
        let dash = c.get("/?period=FY2022");
        let list = &dash.body[dash.body.find("<h2>Needs explanation</h2>").unwrap()..];
        list.contains(">IND-TRADE-GOODS</a>")
    };
    assert!(needs(&mut c));
    let p = post(
        &mut c,
        "explain",
        &[("period", "FY2022"), ("text", "Port strike in Callao")],
    );
    assert_eq!(p.status, 303);
    assert!(c
        .get("/indicator/IND-TRADE-GOODS")
        .body
        .contains("explained `IND-TRADE-GOODS` FY2022 (kept in the history as an explanation)"));
    assert!(!needs(&mut c), "an explained value needs no explanation");
    let cli = env
        .ics(&[
            "progress",
            "--period",
            "FY2022",
            "--needs-explanation",
            "--format",
            "json",
        ])
        .ok()
        .json();
    assert!(!cli.to_string().contains("IND-TRADE-GOODS"));
    // A void needs its reason; then the value is gone from progress and kept in the history.
    assert_eq!(
        post(&mut c, "void", &[("period", "FY2022"), ("reason", " ")]).status,
        400
    );
    let p = post(&mut c, "void", &[("period", "FY2022"), ("reason", "typo")]);
    assert_eq!(p.status, 303);
    assert!(progress_row(&env, "IND-TRADE-GOODS")["actual"].is_null());
    let history = env.ics(&["history", "IND-TRADE-GOODS"]).ok().stdout;
    assert!(history.contains("typo"), "{history}");
}
