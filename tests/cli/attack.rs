//! Integration tests: hostile and careless files against the issue-14 features (workbooks,
//! templates, tracking tables, reference sheets), each found by attacking the real binary.

use std::io::Write;
use std::path::Path;

use crate::common::{Env, Run};

fn env() -> Env {
    let env = Env::new();
    env.load_shipped();
    env
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// An .xlsx file at `path` whose only worksheet (`Values`) has the XML body `sheet_data` (the
/// inside of `<sheetData>`), written part by part as Excel lays a workbook out. Style 1 is a
/// date format.
fn raw_book(path: &Path, sheet_data: &str) {
    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    const PKG: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
        ),
        (
            "xl/workbook.xml",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="Values" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/></Relationships>"#),
        ),
        (
            "xl/styles.xml",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>"#),
        ),
        (
            "xl/worksheets/sheet1.xml",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>{sheet_data}</sheetData></worksheet>"#),
        ),
    ];
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, body) in parts {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
}

/// A text cell and a number cell of a raw sheet.
fn t(cell: &str, text: &str) -> String {
    format!(r#"<c r="{cell}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}
fn n(cell: &str, number: &str) -> String {
    format!(r#"<c r="{cell}"><v>{number}</v></c>"#)
}

/// A number cell formatted as a date.
fn d(cell: &str, serial: &str) -> String {
    format!(r#"<c r="{cell}" s="1"><v>{serial}</v></c>"#)
}

/// A header and one good row of the shipped strategy's IND-VISA-APPS.
fn good_rows() -> String {
    format!(
        r#"<row r="1">{}{}{}</row><row r="2">{}{}{}</row>"#,
        t("A1", "indicator"),
        t("B1", "period"),
        t("C1", "value"),
        t("A2", "IND-VISA-APPS"),
        t("B2", "FY2021"),
        n("C2", "5"),
    )
}

/// A clean refusal: one error line, nothing of the reading library's words, data unchanged.
#[track_caller]
fn refused(env: &Env, before: &str, run: Run, needle: &str) {
    let run = run.fails().stderr_has(needle);
    assert_eq!(env.fingerprint(), before, "the database changed");
    for raw in [
        "panicked",
        "backtrace",
        "memory allocation",
        "xml",
        "XML,",
        "_rels",
    ] {
        assert!(
            !run.stderr.contains(raw),
            "raw text {raw:?}:\n{}",
            run.stderr
        );
    }
}

#[test]
fn a_stray_cell_in_the_last_row_and_column_costs_one_cell() {
    // Before: the sheet was read as the whole rectangle from A1 to XFD1048576 (17 billion
    // cells) and the process aborted allocating 512 GiB.
    let env = env();
    let path = env.path("far.xlsx");
    let far = format!(
        r#"{}<row r="3">{}{}{}{}</row><row r="1048576">{}</row>"#,
        good_rows(),
        t("A3", "IND-VISA-APPS"),
        t("B3", "FY2022"),
        n("C3", "6"),
        n("XFD3", "1"),
        n("XFD1048576", "1"),
    );
    raw_book(&path, &far);
    let before = env.fingerprint();
    let run = env.ics(&["import-values", s(&path)]);
    refused(
        &env,
        &before,
        run,
        "far.xlsx:Values!XFD3: this cell is to the right of the last named column",
    );
    // Without the stray cell in a value row, the rest imports.
    raw_book(
        &path,
        &format!(
            r#"{}<row r="1048576">{}</row>"#,
            good_rows(),
            n("XFD1048576", "1")
        ),
    );
    env.ics(&["import-values", s(&path)])
        .ok()
        .stdout_has("imported 1 row");
}

#[test]
fn a_damaged_sheet_is_refused_in_a_sentence() {
    let env = env();
    let before = env.fingerprint();
    let path = env.path("bad.xlsx");
    // A cell reference too long to be one: the reader's arithmetic overflowed (a panic).
    raw_book(
        &path,
        &format!(
            "{}<row r=\"3\">{}</row>",
            good_rows(),
            n("ZZZZZZ99999999999", "1")
        ),
    );
    let run = env.ics(&["import-values", s(&path)]);
    refused(&env, &before, run, "cannot read the sheet `Values` of");
    // Broken XML: the parser's own words were shown.
    raw_book(
        &path,
        &format!(
            "{}<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>x",
            good_rows()
        ),
    );
    let run = env.ics(&["import-values", s(&path)]);
    refused(
        &env,
        &before,
        run,
        "its XML is damaged; nothing was imported",
    );
    // A zip that is no workbook: the library named the part it missed (`_rels/.rels`).
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    zip.start_file("hello.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(b"hi").unwrap();
    zip.finish().unwrap();
    let run = env.ics(&["import-values", s(&path)]);
    refused(&env, &before, run, "its parts are missing or damaged");
}

/// A strategy with one quarterly percent ratio indicator, disaggregated by sex.
const RATIO: &str = r#"
[strategy]
code = "s"
title = "S"
version = "1"
start = "FY2024"
end = "FY2026"

[[goal]]
code = "G1"
title = "Health"

  [[goal.indicator]]
  code = "RATE"
  title = "Children fully vaccinated"
  unit = "percent"
  direction = "increase"
  frequency = "quarterly"
  ratio = { numerator = "children fully vaccinated", denominator = "children aged 12-23 months" }
  targets = { FY2024 = 40 }
  disaggregations = { sex = ["female", "male"] }
"#;

#[test]
fn parts_too_large_to_add_up_make_no_ratio_not_a_sum_of_percents() {
    // Before: each quarter is 100% (1.7e308 / 1.7e308), their parts add up to infinity, and
    // the year's actual fell back to adding the percents: 200%, "exceeded".
    let env = Env::new();
    let fw = env.write("framework.toml", RATIO);
    env.ics(&["load", s(&fw)]).ok();
    for q in ["FY2024Q1", "FY2024Q2"] {
        env.ics(&[
            "record",
            "RATE",
            q,
            "--numerator",
            "1.7e308",
            "--denominator",
            "1.7e308",
        ])
        .ok()
        .stdout_has("100 percent");
    }
    // Two categories whose denominators cancel out (a negative denominator is accepted).
    for (sex, n, d) in [("sex=female", "5", "10"), ("sex=male", "-5", "-10")] {
        env.ics(&[
            "record",
            "RATE",
            "FY2025Q1",
            "--disagg",
            sex,
            "--numerator",
            n,
            "--denominator",
            d,
        ])
        .ok()
        .stdout_has("50 percent");
    }
    let rows = env
        .ics(&["progress", "--period", "FY2024", "--format", "json"])
        .ok()
        .json();
    let row = &rows[0];
    assert_eq!(row["actual"], serde_json::Value::Null, "{row}");
    assert_ne!(row["status"], "exceeded", "{row}");
    let rows = env
        .ics(&["progress", "--period", "FY2025Q1", "--format", "json"])
        .ok()
        .json();
    assert_eq!(rows[0]["actual"], serde_json::Value::Null, "{}", rows[0]);
    // The quarters themselves keep their own ratios.
    let rows = env
        .ics(&["progress", "--period", "FY2024Q1", "--format", "json"])
        .ok()
        .json();
    assert_eq!(rows[0]["actual"], 100.0, "{}", rows[0]);
}

#[test]
fn a_date_cell_holding_no_date_is_refused_not_clamped() {
    // Before: the reader clamps a date serial Excel shows as `####` (NaN, negative, past
    // 9999-12-31) to 1900-01-01 or 9999-12-31, so a NaN period cell was stored as FY1900 and
    // a huge `recorded_at` as 9999-12-31, silently.
    let env = env();
    let before = env.fingerprint();
    let path = env.path("dates.xlsx");
    let header = format!(
        r#"<row r="1">{}{}{}{}</row>"#,
        t("A1", "indicator"),
        t("B1", "period"),
        t("C1", "value"),
        t("D1", "recorded_at")
    );
    // A good date first: the style is read as a date.
    raw_book(
        &path,
        &format!(
            r#"{header}<row r="2">{}{}{}{}</row>"#,
            t("A2", "IND-VISA-APPS"),
            d("B2", "44270"),
            n("C2", "5"),
            d("D2", "44270.5")
        ),
    );
    env.ics(&["import-values", s(&path)]).ok();
    let good = env.fingerprint();
    assert_ne!(good, before);
    for (cell, period, at, shown) in [
        ("B2", "NaN", "44270", "holds NaN, which is no date"),
        ("B2", "-1", "44270", "holds -1, which is no date"),
        ("D2", "44270", "1e308", "holds 1e308, which is no date"),
        ("D2", "44270", "-1e308", "holds -1e308, which is no date"),
    ] {
        raw_book(
            &path,
            &format!(
                r#"{header}<row r="2">{}{}{}{}</row>"#,
                t("A2", "IND-VISA-APPS"),
                d("B2", period),
                n("C2", "6"),
                d("D2", at)
            ),
        );
        let run = env.ics(&["import-values", s(&path)]);
        refused(
            &env,
            &good,
            run,
            &format!("dates.xlsx:Values!{cell}: this cell is formatted as a date but {shown}"),
        );
    }
}

#[test]
fn an_old_workbook_or_utf16_text_is_named_not_read_as_noise() {
    // Before: an .xls (or password-protected .xlsx, both OLE2 files) and a UTF-16 text file
    // were read as CSV: lines of binary noise as "unknown column" messages.
    let env = env();
    let before = env.fingerprint();
    let mut ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    ole.extend((0..2000u32).map(|i| (i * 7919 % 251) as u8));
    for name in ["old.xls", "locked.xlsx"] {
        std::fs::write(env.path(name), &ole).unwrap();
        let run = env.ics(&["import-values", name]);
        refused(
            &env,
            &before,
            run,
            &format!(
                "`{name}` is an Excel 97-2003 workbook (.xls) or a password-protected workbook"
            ),
        );
    }
    let utf16: Vec<u8> = "\u{feff}indicator\tperiod\tvalue\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    std::fs::write(env.path("unicode.txt"), utf16).unwrap();
    let run = env.ics(&["import-values", "unicode.txt"]);
    refused(&env, &before, run, "`unicode.txt` is text saved as UTF-16");
    assert_eq!(run_lines(&env, "unicode.txt"), 2);
}

/// How many lines `import-values FILE` writes to stderr.
fn run_lines(env: &Env, file: &str) -> usize {
    env.ics(&["import-values", file]).stderr.lines().count()
}

#[test]
fn a_csv_from_a_pipe_is_read_whole() {
    // Before: the separator and workbook checks read the first bytes of `/dev/stdin` (or of
    // `<(...)`), which a pipe then no longer had: "`/dev/stdin` is empty".
    use std::process::{Command, Stdio};
    let env = env();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ics"))
        .args(["import-values", "/dev/stdin"])
        .current_dir(env.dir.path())
        .env_remove("ICS_DB")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"indicator;period;value\nIND-VISA-APPS;FY2021;5\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("imported 1 row"), "{stdout}");
}

#[test]
fn a_template_of_a_node_without_indicators_says_so() {
    // Before: "no indicator reports in FY2021" and a hint to give the fiscal year FY2021
    // instead of a quarter, for a fiscal year whose node simply has no indicators.
    let env = env();
    let run = env
        .ics(&[
            "template", "--period", "FY2021", "--node", "MG1", "--out", "mg1.xlsx",
        ])
        .fails()
        .stderr_has("error: no indicator under `MG1` reports in FY2021")
        .stderr_has("`ics tree --indicators` shows which");
    assert!(
        !run.stderr.contains("a quarter's template"),
        "{}",
        run.stderr
    );
    assert!(!env.path("mg1.xlsx").exists());
}

#[test]
fn shared_strings_claiming_billions_are_a_damaged_workbook() {
    // Before: the reader reserved room for `uniqueCount` strings up front, and a claim of
    // 4,000,000,000 aborted the process ("memory allocation of 96000000000 bytes failed").
    let env = env();
    let before = env.fingerprint();
    let path = env.path("strings.xlsx");
    let sst = |count: &str| {
        raw_book(&path, &good_rows());
        let mut zip = zip::ZipWriter::new_append(
            std::fs::File::options()
                .read(true)
                .write(true)
                .open(&path)
                .unwrap(),
        )
        .unwrap();
        zip.start_file(
            "xl/sharedStrings.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        write!(
            zip,
            r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{count}" uniqueCount="{count}"><si><t>x</t></si></sst>"#
        )
        .unwrap();
        zip.finish().unwrap();
    };
    sst("4000000000");
    let run = env.ics(&["import-values", s(&path)]);
    refused(&env, &before, run, "its parts are missing or damaged");
    // An honest count imports.
    sst("1");
    env.ics(&["import-values", s(&path)])
        .ok()
        .stdout_has("imported 1 row");
}
