//! The pages at work: a value through review, with the CLI's numbers; single-user mode; the
//! request log and a clean stop; the diff page against `ics diff`; the indicator page's chart
//! (against `ics report`) and reference sheet (against `ics pirs`); recording a disaggregation
//! under the CLI's rules; error pages with the header.

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

/// The text of a page's `<main>`, as a reader sees it: tags removed (inserted and removed words
/// marked `{+…+}` and `[-…-]` as `ics diff` marks them), entities decoded, one line per element.
fn main_text(body: &str) -> String {
    let main = &body[body.find("<main>").unwrap()..body.find("</main>").unwrap()];
    let marked = main
        .replace("<ins>", "{+")
        .replace("</ins>", "+}")
        .replace("<del>", "[-")
        .replace("</del>", "-]");
    let mut out = String::new();
    let mut in_tag = false;
    let mut tag = String::new();
    for ch in marked.chars() {
        match ch {
            '<' => {
                in_tag = true;
                tag.clear();
            }
            '>' => {
                in_tag = false;
                let name = tag.trim_start_matches('/');
                if ["li", "h1", "h2", "h3", "p", "ul", "section", "tr"]
                    .iter()
                    .any(|t| name == *t || name.starts_with(&format!("{t} ")))
                {
                    out.push('\n');
                }
            }
            c if in_tag => tag.push(c),
            c => out.push(c),
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The shipped strategy with users (review on), then its 2022 revision as a second version.
fn two_versions(env: &Env) {
    mission(env);
    let older = crate::common::repo_file("examples/framework-2022.toml");
    env.ics(&["--as", "pm.lima", "load", older.to_str().unwrap()])
        .ok();
}

#[test]
fn the_diff_page_shows_what_ics_diff_shows() {
    let env = Env::new();
    let one = Env::new();
    one.load_shipped();
    let server = Server::start(&one, &[]);
    let page = server.client().get("/diff");
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("Only one version of the strategy is stored"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<select"));
    drop(server);

    two_versions(&env);
    let cli = env.ics(&["diff", "@previous", "@latest"]);
    assert_eq!(cli.code, 1, "{}", cli.stderr);
    let json = env
        .ics(&["diff", "@previous", "@latest", "--format", "json"])
        .json();
    let changes = json["changes"].as_array().unwrap().len();
    assert!(changes >= 8, "{json}");
    let server = Server::start(&env, &[]);
    // A viewer may read it; the nav leads to it.
    let mut vi = server.client();
    vi.sign_in("vi.ewer");
    assert!(vi.get("/").body.contains("<a href=\"/diff\">"));
    let page = vi.get("/diff");
    assert_eq!(page.status, 200, "{}", page.body);
    // Both selects labelled, previous → latest chosen.
    for (id, label, chosen) in [
        ("old", "From version", "2020-02-07"),
        ("new", "to version", "2022"),
    ] {
        assert!(
            page.body.contains(&format!(
                "<label for=\"{id}\">{label}</label><select id=\"{id}\" name=\"{id}\">"
            )),
            "{id}: {}",
            page.body
        );
        assert!(page
            .body
            .contains(&format!("<option value=\"{chosen}\" selected>")));
    }
    // Every line `ics diff` prints, in its order (the sign left out: the page shows it, with
    // the change's kind in words for screen readers).
    let text = main_text(&page.body);
    let mut at = 0;
    for line in cli.stdout.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let line = line
            .strip_prefix(['+', '-', '~', '>'])
            .map_or(line, str::trim_start);
        let found = text[at..]
            .find(line)
            .unwrap_or_else(|| panic!("{line:?} not on the page after {at}:\n{text}"));
        at += found + line.len();
    }
    assert_eq!(
        page.body
            .matches("<span class=\"sign\" aria-hidden=\"true\">")
            .count(),
        changes
    );
    assert!(text.contains("modified: "), "{text}");
    // The other way round, by label, is what `ics diff 2022 2020-02-07` says.
    let back = vi.get("/diff?old=2022&new=2020-02-07");
    let cli_back = env.ics(&["diff", "2022", "2020-02-07"]).stdout;
    let summary = cli_back.lines().last().unwrap();
    assert!(
        back.body.contains(&format!("<strong>{summary}</strong>")),
        "{summary}"
    );
    // The same version twice: no changes.
    let same = vi.get("/diff?old=2022&new=2022");
    assert!(same.body.contains("<strong>no changes</strong>"));
    // An unknown label: 400, named, escaped, with the header.
    let bad = vi.get("/diff?old=%3Cb%3Enope&new=2022");
    assert_eq!(bad.status, 400);
    assert!(
        bad.body
            .contains("no stored version has the label `&lt;b&gt;nope`; the stored versions are `2020-02-07`, `2022`"),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("action=\"/logout\""));
}

/// The shipped strategy with users, then a revision where IND-POVERTY (the reporter's scope)
/// and IND-COUNTERFEIT (outside it) are disaggregated by sex and IND-POVERTY has a hostile
/// rationale.
fn disaggregated(env: &Env) {
    mission(env);
    let text = std::fs::read_to_string(crate::common::repo_file("framework.toml")).unwrap();
    let text = text
        .replacen("version = \"2020-02-07\"", "version = \"2026-sex\"", 1)
        .replacen(
            "deviation_threshold = 10\n",
            "deviation_threshold = 10\nreview = true\n",
            1,
        )
        .replacen(
            "definition = \"Percentage of Peru's population living in poverty, nationally.\"",
            "definition = \"Percentage of Peru's population living in poverty, nationally.\"\n    disaggregations = { sex = [\"female\", \"male\"] }\n    rationale = \"<script>alert(1)</script> & <b>bold</b>\"",
            1,
        )
        .replacen(
            "definition = \"Value, in millions of U.S. dollars, of counterfeit",
            "disaggregations = { sex = [\"female\", \"male\"] }\n    definition = \"Value, in millions of U.S. dollars, of counterfeit",
            1,
        );
    assert_eq!(text.matches("disaggregations = { sex").count(), 2);
    let fw = env.write("framework-sex.toml", &text);
    env.ics(&["--as", "pm.lima", "load", fw.to_str().unwrap()])
        .ok();
}

#[test]
fn the_indicator_page_charts_the_values_and_shows_the_reference_sheet() {
    let env = Env::new();
    disaggregated(&env);
    env.ics(&["--as", "ana.econ", "record", "IND-POVERTY", "FY2021", "21"])
        .ok();
    env.ics(&["--as", "bo.po", "approve", "IND-POVERTY", "FY2021"])
        .ok();
    let server = Server::start(&env, &[]);
    let mut vi = server.client();
    vi.sign_in("vi.ewer");
    let page = vi.get("/indicator/IND-POVERTY?period=FY2021");
    assert_eq!(page.status, 200, "{}", page.body);
    // The chart: inline SVG, an image with its title and description, the numbers of the
    // review page's chart for the same period.
    let svg = &page.body[page.body.find("<svg").unwrap()..page.body.find("</svg>").unwrap()];
    assert!(
        svg.contains("role=\"img\" aria-labelledby=\"chart-t chart-d\""),
        "{svg}"
    );
    assert!(svg.contains(
        "<title id=\"chart-t\">Actuals and targets of IND-POVERTY, by fiscal year</title>"
    ));
    let desc = |s: &str| {
        let at = s.find("<desc").unwrap();
        let from = at + s[at..].find('>').unwrap() + 1;
        s[from..from + s[from..].find("</desc>").unwrap()].to_string()
    };
    env.ics(&["report", "--period", "FY2021", "--out", "review.html"])
        .ok();
    let report = std::fs::read_to_string(env.path("review.html")).unwrap();
    let card = &report[report.find("data-indicator=\"IND-POVERTY\"").unwrap()..];
    assert_eq!(desc(svg), desc(card));
    assert!(desc(svg).contains("FY2021: actual 21, target 20"), "{svg}");
    assert!(!page.body.contains("<script"), "no script at all");
    // The reference sheet: every row `ics pirs` prints, with its entry or "not stated".
    let md = env.ics(&["pirs", "IND-POVERTY"]).ok().stdout;
    let mut rows = 0;
    for line in md
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Field"))
    {
        let cells: Vec<&str> = line.split(" | ").collect();
        let label = cells[0].trim_start_matches("| ");
        if label == "Period" || label.starts_with("FY") {
            continue;
        }
        rows += 1;
        let th = format!("<th scope=\"row\">{label}</th><td>");
        let at = page
            .body
            .find(&th)
            .unwrap_or_else(|| panic!("{label} missing:\n{}", page.body));
        let td = &page.body[at + th.len()..];
        let td = &td[..td.find("</td>").unwrap()];
        if cells[1].trim_end_matches(" |") == "*not stated*" {
            assert_eq!(td, "<span class=\"missing\">not stated</span>", "{label}");
        } else {
            assert!(!td.contains("not stated"), "{label}: {td}");
        }
    }
    assert!(rows >= 15, "{md}");
    for (label, entry) in [
        (
            "Precise definition",
            "Percentage of Peru&#39;s population living in poverty, nationally.",
        ),
        ("Unit of measure", "percent (lower is better)"),
        ("Disaggregated by", "sex (female, male)"),
        ("Reporting frequency", "annual"),
        ("Baseline", "25 (FY2013)"),
        (
            "Rationale",
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;",
        ),
    ] {
        let want = format!("<th scope=\"row\">{label}</th><td>{entry}</td>");
        let plain = want.replace("&#39;", "'");
        assert!(
            page.body.contains(&want) || page.body.contains(&plain),
            "{want}\n{}",
            page.body
        );
    }
    assert!(!page.body.contains("<b>bold"));
    // The change history across the three stored versions names the revision.
    assert!(
        page.body.contains("to <code>2026-sex</code>"),
        "{}",
        page.body
    );
    // A viewer gets no forms.
    assert!(!page
        .body
        .contains("action=\"/indicator/IND-POVERTY/record\""));
}

#[test]
fn recording_a_disaggregation_goes_through_the_cli_rules() {
    let env = Env::new();
    disaggregated(&env);
    let server = Server::start(&env, &[]);
    let mut ana = server.client();
    ana.sign_in("ana.econ");
    let page = ana.get("/indicator/IND-POVERTY");
    // One declared key: a labelled choice, the total first; on every form.
    for id in ["disagg", "explain-disagg", "void-disagg"] {
        assert!(
            page.body.contains(&format!(
                "<label for=\"{id}\">Disaggregation</label><select id=\"{id}\" name=\"disagg\"><option value=\"\" selected>Total (no disaggregation)</option><option value=\"sex=female\">sex = female</option><option value=\"sex=male\">sex = male</option></select>"
            )),
            "{id}: {}",
            page.body
        );
    }
    let csrf = page.csrf();
    let p = ana.post(
        "/indicator/IND-POVERTY/record",
        &[
            ("csrf", &csrf),
            ("period", "FY2022"),
            ("disagg", "sex=female"),
            ("value", "23.5"),
        ],
    );
    assert_eq!(p.status, 303, "{}", p.body);
    let stored = env
        .ics(&[
            "export-values",
            "--indicator",
            "IND-POVERTY",
            "--format",
            "json",
        ])
        .ok()
        .json();
    let rows = stored.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{stored}");
    assert_eq!(rows[0]["disaggregation"], "sex=female");
    assert_eq!(rows[0]["value"], 23.5);
    assert_eq!(rows[0]["period"], "FY2022");
    let history = env.ics(&["history", "IND-POVERTY"]).ok().stdout;
    assert!(history.contains("sex=female"), "{history}");
    assert!(ana
        .get("/indicator/IND-POVERTY")
        .body
        .contains("<td>FY2022</td><td>sex=female</td><td class=\"num\">23.5</td>"));
    // A category the indicator does not declare: the CLI's words, nothing changed, and the
    // error page keeps the header with the sign-out button.
    let before = values(&env);
    let p = ana.post(
        "/indicator/IND-POVERTY/record",
        &[
            ("csrf", &csrf),
            ("period", "FY2022"),
            ("disagg", "sex=other"),
            ("value", "1"),
        ],
    );
    assert_eq!(p.status, 400);
    assert!(
        p.body
            .contains("`other` is not a value of the disaggregation `sex` of `IND-POVERTY`"),
        "{}",
        p.body
    );
    assert!(p.body.contains("Signed in as <strong>ana.econ</strong>"));
    assert!(p
        .body
        .contains("<form class=\"inline\" method=\"post\" action=\"/logout\">"));
    assert!(p.body.contains("<a href=\"/diff\">"));
    assert_eq!(values(&env), before);
    // Outside the reporter's scope, with a disaggregation: 403, nothing changed.
    let p = ana.post(
        "/indicator/IND-COUNTERFEIT/record",
        &[
            ("csrf", &csrf),
            ("period", "FY2022"),
            ("disagg", "sex=female"),
            ("value", "3"),
        ],
    );
    assert_eq!(p.status, 403, "{}", p.body);
    assert!(p.body.contains("action=\"/logout\""));
    assert_eq!(values(&env), before);
    // Void takes the disaggregation too: the female value goes, kept in the history.
    let p = ana.post(
        "/indicator/IND-POVERTY/void",
        &[
            ("csrf", &csrf),
            ("period", "FY2022"),
            ("disagg", "sex=female"),
            ("reason", "entered twice"),
        ],
    );
    assert_eq!(p.status, 303, "{}", p.body);
    let history = env.ics(&["history", "IND-POVERTY"]).ok().stdout;
    assert!(history.contains("entered twice"), "{history}");
    // An unknown address still says where to go.
    let missing = ana.get("/no/such/page");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("Back to the dashboard"));
}
