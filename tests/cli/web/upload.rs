//! Upload (`/upload`): a CSV file or a workbook through the import of `ics import-values`.

use std::io::{Read, Write};

use super::{mission, values, Server};
use crate::common::Env;

fn escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[test]
fn a_good_file_is_imported_and_a_bad_one_shows_the_clis_line_errors() {
    let env = Env::new();
    mission(&env);
    let server = Server::start(&env, &[]);
    let mut ana = server.client();
    ana.sign_in("ana.econ");
    let page = ana.get("/upload");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("enctype=\"multipart/form-data\""));
    let csrf = page.csrf();
    // A bad row: nothing goes in, and the page lists the CLI's own error lines.
    let bad = "indicator,period,value\nIND-TRADE-GOODS,FY2022,20.5\nIND-TRADE-GOODS,FY2023,lots\nIND-US-VISITORS,FY2022,3\n";
    env.write("values.csv", bad);
    let cli = env
        .ics(&["--as", "ana.econ", "import-values", "values.csv"])
        .fails();
    let before = values(&env);
    let p = ana.upload("/upload", &[("csrf", &csrf)], "values.csv", bad.as_bytes());
    assert_eq!(p.status, 422, "{}", p.body);
    let lines: Vec<&str> = cli.stderr.lines().collect();
    assert!(lines[0].starts_with("values.csv:3: "), "{}", cli.stderr);
    for line in lines {
        let line = line.strip_prefix("error: ").unwrap_or(line);
        assert!(p.body.contains(&escaped(line)), "{line}\n{}", p.body);
    }
    assert!(!p.body.contains("/tmp"), "{}", p.body);
    assert_eq!(values(&env), before);
    // A good file goes in, and says so as the CLI does.
    let good = "indicator,period,value,note\nIND-TRADE-GOODS,FY2022,20.5,<b>hi</b>\n";
    let p = ana.upload(
        "/upload",
        &[("csrf", &csrf)],
        "../dir/good.csv",
        good.as_bytes(),
    );
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(p.location.as_deref(), Some("/upload"));
    let after = ana.get("/upload");
    assert!(
        after
            .body
            .contains("imported 1 row from `good.csv`: 1 added, 0 corrected, 0 unchanged"),
        "{}",
        after.body
    );
    let out = env.ics(&["export-values"]).ok().stdout;
    assert!(
        out.contains("IND-TRADE-GOODS,FY2022,,20.5,<b>hi</b>"),
        "{out}"
    );
}

#[test]
fn a_workbook_goes_through_the_workbook_import() {
    let env = Env::new();
    mission(&env);
    env.ics(&[
        "template", "--period", "FY2022", "--node", "MO3.1", "--out", "t.xlsx",
    ])
    .ok();
    let bytes = std::fs::read(env.dir.path().join("t.xlsx")).unwrap();
    let server = Server::start(&env, &[]);
    let mut ana = server.client();
    ana.sign_in("ana.econ");
    let csrf = ana.get("/upload").csrf();
    let p = ana.upload("/upload", &[("csrf", &csrf)], "t.xlsx", &bytes);
    assert_eq!(p.status, 303, "{}", p.body);
    let after = ana.get("/upload");
    assert!(
        after.body.contains("`t.xlsx` holds no values:"),
        "{}",
        after.body
    );
    // A sheet that is not there: the CLI's message.
    let p = ana.upload(
        "/upload",
        &[("csrf", &csrf), ("sheet", "Nope")],
        "t.xlsx",
        &bytes,
    );
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("has no sheet `Nope`"), "{}", p.body);
}

#[test]
fn uploads_need_a_reporter_a_token_and_a_sane_size() {
    let env = Env::new();
    mission(&env);
    let server = Server::start(&env, &[]);
    let before = values(&env);
    let good = b"indicator,period,value\nIND-TRADE-GOODS,FY2022,20.5\n";
    let mut vi = server.client();
    vi.sign_in("vi.ewer");
    assert_eq!(vi.get("/upload").status, 403);
    let csrf = vi.get("/").csrf();
    assert_eq!(
        vi.upload("/upload", &[("csrf", &csrf)], "v.csv", good)
            .status,
        403
    );
    let mut ana = server.client();
    ana.sign_in("ana.econ");
    assert_eq!(ana.upload("/upload", &[], "v.csv", good).status, 403);
    assert_eq!(
        ana.upload("/upload", &[("csrf", "wrong")], "v.csv", good)
            .status,
        403
    );
    assert_eq!(values(&env), before);
    // Over 20 MB: refused from the length alone, before the body is read.
    let addr = server
        .client()
        .base
        .trim_start_matches("http://")
        .to_string();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        s,
        "POST /upload HTTP/1.1\r\nHost: {addr}\r\nCookie: ics_session={}\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: {}\r\n\r\n--x\r\n",
        ana.cookie.as_deref().unwrap(),
        21 << 20
    )
    .unwrap();
    let mut answer = vec![0u8; 4096];
    let n = s.read(&mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("larger than 20 MB"), "{answer}");
}
