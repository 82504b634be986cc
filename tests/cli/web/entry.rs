//! Period data entry (`/entry`): the reporter's rows, saved all or nothing through the import.

use super::{mission, values, Client, Server};
use crate::common::Env;

/// The form row number of `code`'s total row on an entry page.
fn row(body: &str, code: &str) -> String {
    let at = body
        .find(&format!("value=\"{code}\""))
        .unwrap_or_else(|| panic!("no row for {code}:\n{body}"));
    let before = &body[..at];
    let name = before.rfind("name=\"ind").unwrap();
    let rest = &before[name + "name=\"ind".len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

fn entry(c: &mut Client) -> (String, String, String) {
    let page = c.get("/entry?period=FY2022");
    assert_eq!(page.status, 200, "{}", page.body);
    (
        page.csrf(),
        row(&page.body, "IND-TRADE-GOODS"),
        page.body.clone(),
    )
}

#[test]
fn a_reporter_enters_a_year_and_sees_only_its_scope() {
    let env = Env::new();
    mission(&env);
    let server = Server::start(&env, &[]);
    let mut ana = server.client();
    ana.sign_in("ana.econ");
    let (csrf, n, body) = entry(&mut ana);
    // MO3.1's indicators only, with the template's target and a label per input.
    assert!(!body.contains("IND-US-VISITORS"), "{body}");
    assert!(body.contains(&format!("<label class=\"sr-only\" for=\"value{n}\">")));
    let (value, note) = (format!("value{n}"), format!("note{n}"));
    let p = ana.post(
        "/entry?period=FY2022",
        &[
            ("csrf", &csrf),
            (&format!("ind{n}"), "IND-TRADE-GOODS"),
            (&format!("dis{n}"), ""),
            (&value, "20.5"),
            (&note, "'from the <b>ministry</b>"),
        ],
    );
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(p.location.as_deref(), Some("/entry?period=FY2022"));
    let after = ana.get("/entry?period=FY2022");
    assert!(
        after.body.contains("saved 1 row for FY2022: 1 added"),
        "{}",
        after.body
    );
    let cli = env.ics(&["export-values"]).ok().stdout;
    assert!(
        cli.contains("IND-TRADE-GOODS,FY2022,,20.5,'from the <b>ministry</b>"),
        "{cli}"
    );
}

#[test]
fn a_bad_row_saves_nothing_and_is_shown_with_its_indicator() {
    let env = Env::new();
    mission(&env);
    let server = Server::start(&env, &[]);
    let mut ana = server.client();
    ana.sign_in("ana.econ");
    let (csrf, n, body) = entry(&mut ana);
    let other = body
        .match_indices("name=\"ind")
        .map(|(i, _)| {
            let rest = &body[i + 9..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .find(|m| *m != n)
        .expect("a second row");
    let code_at = body.find(&format!("name=\"ind{other}\" value=\"")).unwrap();
    let rest = &body[code_at + format!("name=\"ind{other}\" value=\"").len()..];
    let other_code = rest[..rest.find('"').unwrap()].to_string();
    let before = values(&env);
    let p = ana.post(
        "/entry?period=FY2022",
        &[
            ("csrf", &csrf),
            (&format!("ind{n}"), "IND-TRADE-GOODS"),
            (&format!("value{n}"), "20.5"),
            (&format!("ind{other}"), &other_code),
            (&format!("value{other}"), "lots"),
        ],
    );
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("Nothing was saved"), "{}", p.body);
    // The error sits in the bad row, and the good row's value is kept in the form.
    let bad_row = &p.body[p.body.find(&format!("name=\"ind{other}\"")).unwrap()..];
    let bad_row = &bad_row[..bad_row.find("</tr>").unwrap()];
    assert!(bad_row.contains("role=\"alert\""), "{bad_row}");
    assert!(bad_row.contains("lots"), "{bad_row}");
    assert!(p.body.contains("value=\"20.5\""));
    assert_eq!(values(&env), before);
}

#[test]
fn only_reporters_in_scope_enter_values() {
    let env = Env::new();
    mission(&env);
    let server = Server::start(&env, &[]);
    let mut vi = server.client();
    vi.sign_in("vi.ewer");
    assert_eq!(vi.get("/entry?period=FY2022").status, 403);
    let mut ana = server.client();
    ana.sign_in("ana.econ");
    let (csrf, _, _) = entry(&mut ana);
    let before = values(&env);
    let p = ana.post(
        "/entry?period=FY2022",
        &[
            ("csrf", &csrf),
            ("ind1", "IND-US-VISITORS"),
            ("value1", "5"),
        ],
    );
    assert_eq!(p.status, 403, "{}", p.body);
    let p = ana.post(
        "/entry?period=FY2022",
        &[("ind1", "IND-TRADE-GOODS"), ("value1", "5")],
    );
    assert_eq!(p.status, 403, "{}", p.body);
    assert_eq!(values(&env), before);
    // Rows may be left out of a form: row 7 alone is still saved.
    let p = ana.post(
        "/entry?period=FY2022",
        &[
            ("csrf", &csrf),
            ("ind7", "IND-TRADE-GOODS"),
            ("value7", "5"),
        ],
    );
    assert_eq!(p.status, 303, "{}", p.body);
    let out = env.ics(&["export-values"]).ok().stdout;
    assert!(out.contains("IND-TRADE-GOODS,FY2022,,5,"), "{out}");
}

/// A quarter's data entry lists the quarterly indicators in scope (the template's rule) and
/// saves the quarter's values. The shipped strategy's indicators all report yearly (its
/// sources state yearly figures), so a revision here makes one of them quarterly.
#[test]
fn a_reporter_enters_a_quarter_of_its_quarterly_indicators() {
    let env = Env::new();
    mission(&env);
    let text = std::fs::read_to_string(env.path("framework.toml")).unwrap();
    let at = text.find("code = \"IND-TRADE-GOODS\"").unwrap();
    let freq = at + text[at..].find("frequency = \"annual\"").unwrap();
    let revised = format!(
        "{}frequency = \"quarterly\"{}",
        &text[..freq],
        &text[freq + "frequency = \"annual\"".len()..]
    )
    .replacen("version = \"2020-02-07\"", "version = \"2020-02-07-q\"", 1);
    let fw = env.write("quarterly.toml", &revised);
    env.ics(&["--as", "pm.lima", "load", fw.to_str().unwrap()])
        .ok();
    let server = Server::start(&env, &[]);
    let mut ana = server.client();
    ana.sign_in("ana.econ");
    let page = ana.get("/entry?period=FY2022Q1");
    assert_eq!(page.status, 200, "{}", page.body);
    // Only the quarterly indicator of MO3.1 is due in a quarter.
    assert!(
        page.body.contains("value=\"IND-TRADE-GOODS\""),
        "{}",
        page.body
    );
    for yearly in ["IND-TRADE-AGFOOD", "IND-POVERTY", "IND-US-FDI"] {
        assert!(
            !page.body.contains(&format!("value=\"{yearly}\"")),
            "{yearly}"
        );
    }
    let n = row(&page.body, "IND-TRADE-GOODS");
    let p = ana.post(
        "/entry?period=FY2022Q1",
        &[
            ("csrf", &page.csrf()),
            (&format!("ind{n}"), "IND-TRADE-GOODS"),
            (&format!("dis{n}"), ""),
            (&format!("value{n}"), "4.9"),
            (&format!("note{n}"), ""),
        ],
    );
    assert_eq!(p.status, 303, "{}", p.body);
    let after = ana.get("/entry?period=FY2022Q1");
    assert!(
        after.body.contains("saved 1 row for FY2022Q1: 1 added"),
        "{}",
        after.body
    );
    let cli = env.ics(&["export-values"]).ok().stdout;
    assert!(cli.contains("IND-TRADE-GOODS,FY2022Q1,,4.9,"), "{cli}");
}
