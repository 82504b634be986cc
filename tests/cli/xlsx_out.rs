//! Integration tests: Excel out and `--out` for `progress` and `export-values` (issue 14 items
//! 2 and 5): every workbook is opened with calamine (numbers are numbers, text is text) and
//! unzipped (frozen header, autofilter, widths, number formats, status fills, the "About"
//! sheet); CSV to a file starts with a byte-order mark and CSV to a pipe does not; `--out`
//! refuses the database and replaces only an earlier output of its kind.

use std::io::{Cursor, Read};

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};

use crate::common::{repo_file, Env};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The shipped strategy with its sample values.
fn shipped() -> Env {
    let env = Env::new();
    env.load_shipped();
    let values = repo_file("examples/peru-values.csv");
    env.ics(&["import-values", values.to_str().unwrap()]).ok();
    env
}

fn read(env: &Env, name: &str) -> Vec<u8> {
    std::fs::read(env.path(name)).unwrap()
}

/// Every sheet of a workbook, by name, in order.
fn sheets(bytes: &[u8]) -> Vec<(String, calamine::Range<Data>)> {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    wb.sheet_names()
        .into_iter()
        .map(|n| {
            let range = wb.worksheet_range(&n).unwrap();
            (n, range)
        })
        .collect()
}

/// The XML of one part of the workbook.
fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// The text of a cell, or what it is when it is not text.
fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("expected text, found {other:?}"),
    }
}

/// The checks every workbook of ics passes: header frozen, autofilter, widths, formats.
fn check_layout(bytes: &[u8], columns: usize, rows: usize) {
    let xml = part(bytes, "xl/worksheets/sheet1.xml");
    assert!(
        xml.contains(r#"ySplit="1" topLeftCell="B2" activePane="bottomRight" state="frozen"/>"#),
        "no frozen header: {xml}"
    );
    let last = (b'A' + columns as u8 - 1) as char;
    let last = if columns > 26 {
        format!("A{}", (b'A' + (columns - 27) as u8) as char)
    } else {
        last.to_string()
    };
    let filter = format!(r#"<autoFilter ref="A1:{last}{}"/>"#, rows + 1);
    assert!(xml.contains(&filter), "no {filter}: {xml}");
    let cols = xml.matches("<col ").count();
    assert!(cols >= 3, "{xml}");
    assert_eq!(
        xml.matches("<col ").count(),
        xml.matches(" width=\"").count(),
        "{xml}"
    );
    let styles = part(bytes, "xl/styles.xml");
    assert!(styles.contains("formatCode=\"#,##0"), "{styles}");
    let about = part(bytes, "xl/workbook.xml");
    assert!(about.contains(r#"<sheet name="About""#), "{about}");
    let custom = part(bytes, "docProps/custom.xml");
    assert!(custom.contains("<vt:lpwstr>ics "), "{custom}");
}

#[test]
fn progress_workbook_holds_the_csv_values_as_numbers() {
    let env = shipped();
    let out = env
        .ics(&[
            "progress", "--period", "FY2021", "--format", "xlsx", "--out", "p.xlsx",
        ])
        .ok();
    assert_eq!(
        out.stdout,
        "Wrote the FY2021 progress report (12 indicators) to `p.xlsx`.\n"
    );
    // The CSV, whose numbers are exact (serde_json's own parser may be one ulp off).
    let csv = env
        .ics(&["progress", "--period", "FY2021", "--format", "csv"])
        .ok()
        .stdout;
    let rows: Vec<Vec<String>> = csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let bytes = read(&env, "p.xlsx");
    let sheets = sheets(&bytes);
    assert_eq!(sheets.len(), 2);
    assert_eq!(sheets[0].0, "Progress");
    assert_eq!(sheets[1].0, "About");
    let sheet = &sheets[0].1;
    let header: Vec<String> = sheet.rows().next().unwrap().iter().map(text).collect();
    let mut expected: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    assert_eq!(expected.len(), 23);
    expected.extend(["node_title", "top", "top_title"]);
    assert_eq!(header, expected);
    assert_eq!(sheet.rows().count(), rows.len() + 1);
    let (mut numbers, mut statuses, mut flags) = (0, 0, 0);
    for (row, want) in sheet.rows().skip(1).zip(&rows) {
        for ((cell, want), key) in row.iter().zip(want).zip(&header) {
            match (want.as_str(), cell) {
                ("", Data::Empty) => {}
                ("true" | "false", Data::Bool(x)) => {
                    assert_eq!(want == "true", *x, "{key}");
                    flags += 1;
                }
                (s, Data::String(x)) if key == "status" => {
                    // The word, not the machine name.
                    assert_eq!(s.replace('_', " "), *x);
                    statuses += 1;
                }
                (s, Data::String(x)) => assert_eq!(s, x, "{key}"),
                (s, Data::Float(x)) => {
                    assert_eq!(s.parse::<f64>().unwrap(), *x, "{key}");
                    numbers += 1;
                }
                (want, got) => panic!("{key}: CSV {want:?} but the cell is {got:?}"),
            }
        }
    }
    assert_eq!(flags, 4 * rows.len()); // needs_explanation, partial, derived, cumulative
    assert!(numbers > 20, "{numbers} numbers");
    assert_eq!(statuses, rows.len());
    // The top of each indicator's path is the top column.
    for row in sheet.rows().skip(1) {
        let path = text(&row[3]);
        assert_eq!(text(&row[24]), path.split(" > ").next().unwrap());
    }
    check_layout(&bytes, 26, rows.len());
    let styles = part(&bytes, "xl/styles.xml");
    for format in [
        "formatCode=\"0.0&quot;%&quot;\"",
        "formatCode=\"+0.0&quot;%&quot;;-0.0&quot;%&quot;;0.0&quot;%&quot;\"",
    ] {
        assert!(styles.contains(format), "{format}: {styles}");
    }
    // short is red, on target green, no data grey: each a fill, with the word in the cell.
    for fill in ["FFFFC7CE", "FFC6EFCE", "FFD9D9D9"] {
        assert!(
            styles.contains(&format!("<fgColor rgb=\"{fill}\"/>")),
            "{fill}"
        );
    }
    // The explanation and title wrap.
    assert!(styles.contains("wrapText=\"1\""), "{styles}");
    let about: Vec<String> = sheets[1]
        .1
        .rows()
        .flatten()
        .map(|c| c.to_string())
        .collect();
    let about = about.join("\n");
    for needle in [
        "Progress for FY2021",
        "U.S. Mission Peru",
        "Version",
        "Period\nFY2021",
        "Threshold\n10%",
        "ics progress --period FY2021 --format xlsx --out p.xlsx",
        "2026-01-15 12:00:00 UTC",
        "actual × 100 / target",
        "(actual − target) × 100 / |target|",
    ] {
        assert!(about.contains(needle), "{needle:?} missing:\n{about}");
    }
}

/// The CSV `export-values` writes to standard output, parsed.
fn csv_rows(env: &Env, extra: &[&str]) -> Vec<Vec<String>> {
    let mut args = vec!["export-values"];
    args.extend(extra);
    let out = env.ics(&args).ok().stdout;
    assert!(!out.as_bytes().starts_with(BOM), "a BOM on stdout");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(out.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

/// The numeric columns of the export.
const NUMBERS: [&str; 3] = ["value", "numerator", "denominator"];

#[test]
fn export_values_workbook_has_the_csv_columns_and_cells() {
    let env = shipped();
    // Notes that look like formulas: CSV guards them, the sheet shows them as typed, and one
    // that looks guarded itself keeps the CSV's extra `'`.
    env.ics(&[
        "record",
        "IND-POVERTY",
        "FY2023",
        "19.5",
        "--note",
        "=1+1 & -x",
    ])
    .ok();
    env.ics(&[
        "record",
        "IND-POVERTY",
        "FY2024",
        "18",
        "--note",
        "'=already",
    ])
    .ok();
    for all in [false, true] {
        let extra: &[&str] = if all { &["--all"] } else { &[] };
        let csv = csv_rows(&env, extra);
        let mut args = vec!["export-values", "--format", "xlsx", "--out", "v.xlsx"];
        args.extend(extra);
        let run = env.ics(&args).ok();
        assert_eq!(
            run.stdout,
            format!("Wrote {} values to `v.xlsx`.\n", csv.len() - 1)
        );
        let bytes = read(&env, "v.xlsx");
        let sheets = sheets(&bytes);
        assert_eq!(sheets[0].0, "Values");
        let sheet = &sheets[0].1;
        assert_eq!(sheet.rows().count(), csv.len());
        let header: Vec<String> = sheet.rows().next().unwrap().iter().map(text).collect();
        assert_eq!(header, csv[0], "the CSV's header names, in order");
        let mut numbers = 0;
        for (row, want) in sheet.rows().zip(&csv).skip(1) {
            for ((cell, want), key) in row.iter().zip(want).zip(&header) {
                if NUMBERS.contains(&key.as_str()) && !want.is_empty() {
                    assert_eq!(*cell, Data::Float(want.parse().unwrap()), "{key}");
                    numbers += 1;
                } else {
                    let got = text(cell);
                    // The sheet shows a formula-looking note as typed.
                    let want = match want.as_str() {
                        "'=1+1 & -x" => "=1+1 & -x",
                        w => w,
                    };
                    assert_eq!(got, want, "{key}");
                }
            }
        }
        assert!(numbers >= csv.len() - 1);
        let texts: Vec<String> = sheet.rows().flatten().map(|c| c.to_string()).collect();
        assert!(texts.contains(&"=1+1 & -x".to_string()), "{texts:?}");
        assert!(texts.contains(&"''=already".to_string()), "{texts:?}");
        // recorded_at is the CSV's ISO text, exactly.
        assert!(
            texts.contains(&"2026-01-15T12:00:00.000000Z".to_string()),
            "{texts:?}"
        );
        check_layout(&bytes, header.len(), csv.len() - 1);
    }
}

#[test]
fn the_values_workbook_reads_back_to_the_same_values() {
    // export-values --format xlsx, then import-values of that workbook into a fresh database:
    // the same current values, recorded_at included, and text that looks like a formula or a
    // guard comes back as it was typed.
    let env = shipped();
    env.ics(&[
        "record",
        "IND-POVERTY",
        "FY2023",
        "0.30000000000000004",
        "--note=-5 é",
    ])
    .ok();
    env.ics(&[
        "record",
        "IND-TRADE-GOODS",
        "FY2022",
        "21",
        "--note",
        "=SUM(A1)",
    ])
    .ok();
    env.ics(&["record", "IND-US-FDI", "FY2022", "6.4", "--note", "'quoted"])
        .ok();
    env.ics(&["export-values", "--format", "xlsx", "--out", "v.xlsx"])
        .ok();
    let fresh = Env::new();
    fresh.load_shipped();
    let from = env.path("v.xlsx");
    let run = fresh.ics(&["import-values", from.to_str().unwrap()]).ok();
    assert!(run.stdout.contains("16 added"), "{}", run.stdout);
    let before = env.ics(&["export-values"]).ok().stdout;
    let after = fresh.ics(&["export-values"]).ok().stdout;
    assert_eq!(before, after);
    assert!(after.contains("0.30000000000000004"), "{after}");
    let json = fresh
        .ics(&[
            "export-values",
            "--format",
            "json",
            "--indicator",
            "IND-TRADE-GOODS",
        ])
        .ok()
        .stdout;
    assert!(json.contains(r#""note":"=SUM(A1)""#), "{json}");
    let json = fresh
        .ics(&[
            "export-values",
            "--format",
            "json",
            "--indicator",
            "IND-US-FDI",
        ])
        .ok()
        .stdout;
    assert!(json.contains(r#""note":"'quoted""#), "{json}");
}

#[test]
fn csv_to_a_file_starts_with_a_bom_and_csv_to_a_pipe_does_not() {
    let env = shipped();
    env.ics(&[
        "record",
        "IND-POVERTY",
        "FY2023",
        "19.5",
        "--note",
        "Monzón",
    ])
    .ok();
    let piped = env
        .ics(&["progress", "--period", "FY2021", "--format", "csv"])
        .ok()
        .stdout;
    assert!(piped.starts_with("indicator,title,"), "{piped}");
    let run = env
        .ics(&[
            "progress", "--period", "FY2021", "--format", "csv", "--out", "p.csv",
        ])
        .ok();
    assert_eq!(
        run.stdout,
        "Wrote the FY2021 progress report (12 indicators) to `p.csv`.\n"
    );
    let file = read(&env, "p.csv");
    assert_eq!(&file[..3], BOM);
    assert_eq!(&file[3..], piped.as_bytes(), "the same CSV after the mark");

    let piped = env.ics(&["export-values"]).ok().stdout;
    assert!(piped.starts_with("indicator,period,"));
    env.ics(&["export-values", "--out", "v.csv"]).ok();
    let file = read(&env, "v.csv");
    assert_eq!(&file[..3], BOM);
    assert_eq!(&file[3..], piped.as_bytes());
    // An accent survives as UTF-8 after the mark.
    assert!(String::from_utf8(file).unwrap().contains("Monzón"));

    // JSON and the table to a file: no mark, the same text as on a pipe.
    for (format, name) in [("json", "p.json"), ("markdown", "p.md"), ("table", "p.txt")] {
        let piped = env
            .ics(&["progress", "--period", "FY2021", "--format", format])
            .ok()
            .stdout;
        // Colour asked for: a file gets none all the same.
        env.ics(&[
            "--color", "always", "progress", "--period", "FY2021", "--format", format, "--out",
            name,
        ])
        .ok();
        let file = read(&env, name);
        assert!(!file.starts_with(BOM), "{format}");
        if format != "table" {
            assert_eq!(file, piped.as_bytes(), "{format}");
        } else {
            let file = String::from_utf8(file).unwrap();
            assert!(file.starts_with("Progress for FY2021"), "{file}");
            assert!(!file.contains('\x1b'), "no colour in a file");
        }
    }
    let json = env.ics(&["export-values", "--format", "json"]).ok().stdout;
    env.ics(&["export-values", "--format", "json", "--out", "v.json"])
        .ok();
    assert_eq!(read(&env, "v.json"), json.as_bytes());
}

#[test]
fn xlsx_without_out_is_an_error_with_a_hint() {
    let env = shipped();
    let before = env.fingerprint();
    for (args, example) in [
        (vec!["progress", "--format", "xlsx"], "--out progress.xlsx"),
        (
            vec!["export-values", "--format", "xlsx"],
            "--out values.xlsx",
        ),
    ] {
        let run = env
            .ics(&args)
            .fails()
            .stderr_has("--format xlsx writes a file and needs --out")
            .stderr_has(example);
        assert_eq!(run.stdout, "", "nothing binary on stdout");
    }
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn out_refuses_the_database_and_the_framework_file() {
    let env = shipped();
    let before = env.fingerprint();
    let db = std::fs::read(env.db()).unwrap();
    for args in [
        vec!["progress", "--format", "xlsx", "--out", "ics.db"],
        vec!["progress", "--format", "csv", "--out", "ics.db"],
        vec!["export-values", "--out", "ics.db"],
        vec!["export-values", "--format", "xlsx", "--out", "ics.db-wal"],
    ] {
        env.ics(&args)
            .fails()
            .stderr_has("the database")
            .stderr_has("will not overwrite it");
    }
    assert_eq!(std::fs::read(env.db()).unwrap(), db);
    assert_eq!(env.fingerprint(), before);
    // The framework file the version was loaded from (an absolute path here).
    let copy = env.write(
        "framework.toml",
        &std::fs::read_to_string(repo_file("framework.toml")).unwrap(),
    );
    let fresh = Env::new();
    fresh.ics(&["load", copy.to_str().unwrap()]).ok();
    fresh
        .ics(&[
            "--db",
            "ics.db",
            "progress",
            "--format",
            "json",
            "--out",
            copy.to_str().unwrap(),
        ])
        .fails()
        .stderr_has("is the framework file version");
}

#[test]
fn out_replaces_only_an_earlier_output_of_its_kind() {
    let env = shipped();
    let with = |rest: &[&'static str]| -> Vec<&str> {
        let mut args = vec!["progress"];
        if !rest.contains(&"--period") {
            args.extend(["--period", "FY2021"]);
        }
        args.extend(rest);
        args
    };
    // Twice each: the second run replaces the first.
    for (format, name) in [
        ("xlsx", "p.xlsx"),
        ("csv", "p.csv"),
        ("json", "p.json"),
        ("markdown", "p.md"),
    ] {
        env.ics(&with(&["--format", format, "--out", name])).ok();
        let first = read(&env, name);
        env.ics(&with(&[
            "--period", "FY2022", "--format", format, "--out", name,
        ]))
        .ok();
        assert_ne!(read(&env, name), first, "{format}: replaced");
    }
    // A user's files are kept: notes, a CSV without the mark (saved from a pipe), a workbook
    // written by something else (here: a CSV in its place), another kind's output.
    env.write("notes.csv", "my notes\n");
    let piped = env.ics(&["export-values"]).ok().stdout;
    env.write("piped.csv", &piped);
    for (format, name, looks_like) in [
        ("csv", "notes.csv", "a CSV file written by ics"),
        ("csv", "piped.csv", "a CSV file written by ics"),
        ("xlsx", "p.csv", "a workbook written by ics"),
        ("csv", "p.xlsx", "a CSV file written by ics"),
        ("json", "p.md", "a JSON file written by ics"),
    ] {
        let before = read(&env, name);
        env.ics(&with(&["--format", format, "--out", name]))
            .fails()
            .stderr_has(&format!("exists and is not {looks_like}"));
        assert_eq!(read(&env, name), before, "{name} kept");
    }
    // export-values may replace the CSV progress wrote (both are CSV of ics), and the other
    // way round.
    env.ics(&["export-values", "--out", "p.csv"]).ok();
    env.ics(&with(&["--format", "csv", "--out", "p.csv"])).ok();
    env.ics(&["export-values", "--format", "xlsx", "--out", "p.xlsx"])
        .ok();
    // No temporary file is left.
    let left: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn track_workbook_puts_each_year_in_its_columns_as_numbers() {
    let env = shipped();
    env.ics(&["track", "--format", "xlsx"])
        .fails()
        .stderr_has("needs --out");
    let out = env
        .ics(&["track", "--format", "xlsx", "--out", "itt.xlsx"])
        .ok();
    assert!(
        out.stdout.contains("to `itt.xlsx`: 12 indicators"),
        "{}",
        out.stdout
    );
    let bytes = read(&env, "itt.xlsx");
    let all = sheets(&bytes);
    assert_eq!(
        all.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["Tracking table", "About"]
    );
    let range = &all[0].1;
    let rows: Vec<&[Data]> = range.rows().collect();
    // The band of fiscal years above the header, then the header: 7 columns, then 4 a year.
    let header = rows
        .iter()
        .position(|r| r.first().map(text).as_deref() == Some("indicator"))
        .expect("a header row");
    let band: Vec<String> = rows[header - 1].iter().map(text).collect();
    assert_eq!(band[7], "FY2018");
    assert_eq!(band[19], "FY2021");
    let head: Vec<String> = rows[header].iter().map(text).collect();
    assert_eq!(&head[19..23], ["target", "actual", "achieved", "status"]);
    let trade = rows
        .iter()
        .find(|r| r[0] == Data::String("IND-TRADE-GOODS".into()))
        .expect("the IND-TRADE-GOODS row");
    assert_eq!(trade[5], Data::Float(9.1), "baseline");
    assert_eq!(trade[19], Data::Float(19.5), "FY2021 target");
    assert_eq!(trade[20], Data::Float(17.2), "FY2021 actual");
    match trade[21] {
        Data::Float(a) => assert!((a - 88.205_128_205_128_2).abs() < 1e-9, "{a}"),
        ref other => panic!("achieved is not a number: {other:?}"),
    }
    assert_eq!(trade[22], Data::String("short".into()));
    let explanations = text(trade.last().unwrap());
    assert!(
        explanations.starts_with("FY2021: Calendar-year 2021 figure"),
        "{explanations}"
    );
    // Goals and objectives are section rows with code and title.
    assert!(rows
        .iter()
        .any(|r| text(&r[0]).starts_with("MG3 Promote economic opportunities")));
    let xml = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(xml.contains(r#"state="frozen""#), "{xml}");
    assert!(xml.contains("<autoFilter "), "{xml}");
    // Every column has a width (a `<col>` may cover several).
    let columns = rows[header].len();
    let mut covered = 0;
    for col in xml.split("<col ").skip(1) {
        let attr = |name: &str| -> usize {
            let start = col.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            col[start..].split('"').next().unwrap().parse().unwrap()
        };
        assert!(col.contains(" width=\""), "a column without a width: {col}");
        covered += attr("max") - attr("min") + 1;
    }
    assert_eq!(covered, columns, "{xml}");
    // Numbers carry number formats: the target and actual as numbers, achieved as a percent.
    let styles = part(&bytes, "xl/styles.xml");
    let line = rows
        .iter()
        .position(|r| r[0] == Data::String("IND-TRADE-GOODS".into()))
        .unwrap()
        + 1
        + range.start().unwrap().0 as usize;
    let format = |col: &str| {
        crate::common::xlsx_number_format(&styles, &xml, &format!("{col}{line}"))
            .unwrap_or_else(|| panic!("no cell {col}{line}"))
    };
    assert_eq!(format("F"), "#,##0.0###", "baseline 9.1");
    assert_eq!(format("T"), "#,##0.0###", "FY2021 target 19.5");
    assert_eq!(format("U"), "#,##0.0###", "FY2021 actual 17.2");
    assert_eq!(format("V"), "0.0\"%\"", "FY2021 achieved");
}
