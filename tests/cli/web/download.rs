//! Downloads (`/download/...`): the CLI's files, with the CLI's bytes.

use super::{mission, Server};
use crate::common::Env;

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map_or("", |(_, v)| v.as_str())
}

#[test]
fn each_download_is_the_clis_file() {
    let env = Env::new();
    mission(&env);
    env.ics(&[
        "--as",
        "pm.lima",
        "record",
        "IND-TRADE-GOODS",
        "FY2022",
        "20.1",
    ])
    .ok();
    env.ics(&["--as", "bo.po", "approve", "IND-TRADE-GOODS", "FY2022"])
        .ok();
    let server = Server::start(&env, &[]);
    let mut vi = server.client();
    vi.sign_in("vi.ewer");
    let index = vi.get("/download");
    assert_eq!(index.status, 200);
    assert!(
        index.body.contains("href=\"/download/itt.csv\""),
        "{}",
        index.body
    );
    // The ITT as CSV: what `ics track --format csv` prints, with and without a range.
    let cli = env.ics(&["track", "--format", "csv"]).ok().stdout;
    assert!(cli.contains("IND-TRADE-GOODS"), "{cli}");
    let (status, headers, body) = vi.get_bytes("/download/itt.csv");
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-type"), "text/csv; charset=utf-8");
    assert_eq!(
        header(&headers, "content-disposition"),
        "attachment; filename=\"itt.csv\""
    );
    assert_eq!(String::from_utf8(body).unwrap(), cli);
    let cli = env
        .ics(&[
            "track", "--format", "csv", "--from", "FY2022", "--to", "FY2022",
        ])
        .ok()
        .stdout;
    let (_, _, body) = vi.get_bytes("/download/itt.csv?from=FY2022&to=FY2022");
    assert_eq!(String::from_utf8(body).unwrap(), cli);
    // The files: the same bytes as the command's own file (the clock is fixed in tests).
    for (name, args, mime) in [
        ("review.html", vec!["report"], "text/html; charset=utf-8"),
        (
            "itt.xlsx",
            vec!["track", "--format", "xlsx"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("iati.xml", vec!["export", "iati"], "application/xml"),
        (
            "pirs.html",
            vec!["pirs", "--format", "html"],
            "text/html; charset=utf-8",
        ),
    ] {
        let mut args = args.clone();
        args.extend(["--out", name]);
        env.ics(&args).ok();
        let want = std::fs::read(env.dir.path().join(name)).unwrap();
        let (status, headers, body) = vi.get_bytes(&format!("/download/{name}"));
        assert_eq!(status, 200, "{name}: {}", String::from_utf8_lossy(&body));
        assert_eq!(header(&headers, "content-type"), mime, "{name}");
        assert_eq!(
            header(&headers, "content-disposition"),
            format!("attachment; filename=\"{name}\""),
        );
        if name.ends_with(".xlsx") {
            assert!(body.starts_with(b"PK\x03\x04"), "{name}");
            assert!(body.len() > 1000, "{name}");
        } else {
            assert_eq!(
                String::from_utf8_lossy(&body),
                String::from_utf8_lossy(&want),
                "{name}"
            );
        }
    }
}

#[test]
fn downloads_refuse_bad_options_and_strangers() {
    let env = Env::new();
    mission(&env);
    let server = Server::start(&env, &[]);
    let mut anon = server.client();
    let p = anon.get("/download/itt.csv");
    assert_eq!(p.status, 303);
    assert!(p.location.unwrap().starts_with("/login"));
    let mut vi = server.client();
    vi.sign_in("vi.ewer");
    assert_eq!(vi.get("/download/secrets.db").status, 404);
    let p = vi.get("/download/review.html?node=NOPE");
    assert_eq!(p.status, 400, "{}", p.body);
    assert!(p.body.contains("NOPE"), "{}", p.body);
    // A value that looks like a flag stays a value.
    let p = vi.get("/download/itt.csv?from=--db%3D%2Ftmp%2Fx.db");
    assert_eq!(p.status, 400, "{}", p.body);
    assert!(!env.dir.path().join("x.db").exists());
}
