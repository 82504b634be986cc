//! Integration tests: values from Excel workbooks and spreadsheet CSV (`import-values FILE.xlsx`,
//! `;` and tab separators, CRLF line numbers) and the data-entry workbook of `ics template`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use crate::common::{repo_file, Env};

/// A cell of a test workbook.
#[derive(Clone, Copy)]
enum Cell<'a> {
    S(&'a str),
    N(f64),
    /// A date, formatted as one (so Excel, and calamine, read it as a date).
    D(u16, u8, u8),
    E,
}
use Cell::{D, E, N, S};

/// Write a workbook with `sheets` (name, rows) to `path`.
fn book(path: &Path, sheets: &[(&str, Vec<Vec<Cell>>)]) {
    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match *cell {
                    S(s) => {
                        ws.write_string(r, c, s).unwrap();
                    }
                    N(n) => {
                        ws.write_number(r, c, n).unwrap();
                    }
                    D(y, m, d) => {
                        let dt = ExcelDateTime::from_ymd(y, m, d).unwrap();
                        ws.write_datetime_with_format(r, c, &dt, &date).unwrap();
                    }
                    E => {}
                }
            }
        }
    }
    wb.save(path).unwrap();
}

fn env() -> Env {
    let env = Env::new();
    env.load_shipped();
    env
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The current values as `export-values` writes them (CSV).
fn exported(env: &Env) -> String {
    env.ics(&["export-values"]).ok().stdout
}

#[test]
fn a_workbook_imports_numbers_dates_and_text() {
    let env = env();
    let file = env.path("values.xlsx");
    book(
        &file,
        &[(
            "Values",
            vec![
                vec![
                    S("indicator"),
                    S("period"),
                    S("value"),
                    S("note"),
                    S("source"),
                ],
                // A date in `period` means the fiscal year it falls in (annual indicator).
                vec![
                    S("IND-US-VISITORS"),
                    D(2021, 3, 15),
                    N(100000.0),
                    S("Arrivals, Monzón office"),
                    S("MINCETUR"),
                ],
                vec![S("IND-POVERTY"), S("FY2020"), N(30.1), E, E],
                vec![
                    S("IND-VISA-APPS"),
                    S("fy2022"),
                    S("1500"),
                    S("typed as text"),
                    E,
                ],
            ],
        )],
    );
    env.ics(&["import-values", s(&file)])
        .ok()
        .stdout_has("imported 3 rows from")
        .stdout_has("3 added");
    let csv = exported(&env);
    assert!(
        csv.contains("IND-US-VISITORS,FY2021,,100000,\"Arrivals, Monzón office\",MINCETUR"),
        "{csv}"
    );
    assert!(csv.contains("IND-POVERTY,FY2020,,30.1,"), "{csv}");
    assert!(
        csv.contains("IND-VISA-APPS,FY2022,,1500,typed as text"),
        "{csv}"
    );
    assert!(!csv.contains("e+") && !csv.contains("100000.0"), "{csv}");
}

#[test]
fn a_bad_cell_is_located_by_sheet_column_and_row_and_nothing_is_imported() {
    let env = env();
    let before = env.fingerprint();
    let file = env.path("bad.xlsx");
    let mut rows = vec![vec![S("indicator"), S("period"), S("value")]];
    for year in 2017..2022 {
        rows.push(vec![
            S("IND-POVERTY"),
            S(["FY2017", "FY2018", "FY2019", "FY2020", "FY2021"][year - 2017]),
            N(20.0),
        ]);
    }
    rows.push(vec![S("IND-POVERTY"), S("FY2022"), S("12,5")]); // row 7: C7
    rows.push(vec![S("IND-NOPE"), S("FY2022"), N(1.0)]); // row 8: A8
    rows.push(vec![S("IND-POVERTY"), D(2022, 3, 1), D(2022, 3, 1)]); // row 9: a date as a value
    book(&file, &[("Values", rows)]);
    let run = env
        .ics(&["import-values", "bad.xlsx"])
        .fails()
        .stderr_has("bad.xlsx:Values!C7: `12,5` is not a number")
        .stderr_has("bad.xlsx:Values!A8: unknown indicator `IND-NOPE`")
        .stderr_has("bad.xlsx:Values!C9: this cell holds a date (2022-03-01), not a number")
        .stderr_has("3 of 8 rows of `bad.xlsx` have problems; nothing was imported");
    assert!(!run.stderr.contains("Values!C2"), "{}", run.stderr);
    assert_eq!(
        env.fingerprint(),
        before,
        "a bad row must leave the database as it was"
    );
}

#[test]
fn sheet_chooses_the_worksheet() {
    let env = env();
    let file = env.path("two.xlsx");
    book(
        &file,
        &[
            ("Read me", vec![vec![S("Fill in the second sheet")]]),
            (
                "Data",
                vec![
                    vec![E, E],
                    // The used range may start anywhere: here at B2.
                    vec![E, S("indicator"), S("period"), S("value")],
                    vec![E, S("IND-POVERTY"), S("FY2021"), S("x")],
                ],
            ),
        ],
    );
    env.ics(&["import-values", "two.xlsx"])
        .fails()
        .stderr_has("two.xlsx:'Read me'!A1: unknown column `Fill in the second sheet`");
    env.ics(&["import-values", s(&file), "--sheet", "data"])
        .fails()
        .stderr_has("two.xlsx:Data!D3: `x` is not a number");
    env.ics(&["import-values", "two.xlsx", "--sheet", "Nope"])
        .fails()
        .stderr_has("`two.xlsx` has no sheet `Nope`; its sheets are `Read me`, `Data`");
    let csv = env.write("v.csv", "indicator,period,value\n");
    env.ics(&["import-values", s(&csv), "--sheet", "Data"])
        .fails()
        .stderr_has("is not an Excel workbook, so it has no sheets");
    env.write("fake.xlsx", "indicator,period,value\n");
    let run = env.ics(&["import-values", "fake.xlsx"]).fails();
    assert_eq!(
        run.stderr.lines().next().unwrap(),
        "error: `fake.xlsx` is not an Excel workbook (.xlsx) that ics can read: it is not a zip archive, as every .xlsx file is"
    );
}

#[test]
fn rows_with_empty_value_cells_are_skipped_and_counted() {
    let env = env();
    let file = env.path("half.xlsx");
    book(
        &file,
        &[(
            "Values",
            vec![
                vec![S("indicator"), S("period"), S("value"), S("note")],
                vec![S("IND-POVERTY"), S("FY2021"), N(25.9), E],
                vec![S("IND-US-FDI"), S("FY2021"), E, S("no figure yet")],
                vec![S("IND-VISA-APPS"), S("FY2021"), S("  "), E],
                vec![S("IND-US-VISITORS"), S("FY2021"), N(0.0), E],
            ],
        )],
    );
    env.ics(&["import-values", s(&file)])
        .ok()
        .stdout_has("imported 2 rows from `")
        .stdout_has("2 added, 0 corrected, 0 unchanged; 2 rows with empty value cells skipped");
    let csv = exported(&env);
    assert!(csv.contains("IND-US-VISITORS,FY2021,,0,"), "{csv}");
    assert!(!csv.contains("IND-US-FDI"), "{csv}");
}

#[test]
fn semicolon_and_tab_separated_files_import_and_say_so() {
    let env = env();
    let semi = env.write(
        "semi.csv",
        "\u{feff}indicator;period;value;note\r\nIND-POVERTY;FY2021;25.9;\"a; b\"\r\n",
    );
    env.ics(&["import-values", s(&semi)])
        .ok()
        .stdout_has("imported 1 row")
        .stderr_has("note: read `")
        .stderr_has("semi.csv` as semicolon-separated");
    let tab = env.write(
        "tab.tsv",
        "indicator\tperiod\tvalue\nIND-US-FDI\tFY2021\t7.5\n",
    );
    env.ics(&["import-values", s(&tab)])
        .ok()
        .stderr_has("tab.tsv` as tab-separated");
    let comma = env.write(
        "comma.csv",
        // The template's information columns are accepted and ignored in CSV files too.
        "indicator,period,title,unit,target,last_actual,value\nIND-VISA-APPS,FY2021,Visas,applications,180000,,3\n",
    );
    let run = env.ics(&["import-values", s(&comma)]).ok();
    assert!(!run.stderr.contains("note:"), "{}", run.stderr);
    let csv = exported(&env);
    assert!(csv.contains("IND-POVERTY,FY2021,,25.9,a; b"), "{csv}");
    assert!(csv.contains("IND-US-FDI,FY2021,,7.5,"), "{csv}");
    assert!(csv.contains("IND-VISA-APPS,FY2021,,3,"), "{csv}");
    // Quote checks hold for every separator.
    let broken = env.write(
        "broken.csv",
        "indicator;period;value\nIND-POVERTY;FY2022;1\"2\n",
    );
    env.ics(&["import-values", s(&broken)])
        .fails()
        .stderr_has("note: read `")
        .stderr_has("broken.csv` as semicolon-separated")
        .stderr_has("broken.csv:2: a double quote inside a cell that does not start with one");
    let broken = env.write(
        "broken.tsv",
        "indicator\tperiod\tnote\tvalue\nIND-POVERTY\tFY2022\t\"x\" y\t1\n",
    );
    env.ics(&["import-values", s(&broken)])
        .fails()
        .stderr_has("broken.tsv:2: text follows the closing quote");
}

#[test]
fn crlf_files_report_the_right_lines() {
    let env = env();
    let mut text = String::from("indicator,period,value\r\n");
    for year in 2012..=2019 {
        text.push_str(&format!("IND-POVERTY,FY{year},20\r\n"));
    }
    text.push_str("IND-POVERTY,FY2020,abc\r\n"); // line 10
    env.write("crlf10.csv", &text);
    let run = env.ics(&["import-values", "crlf10.csv"]).fails();
    assert!(
        run.stderr
            .starts_with("crlf10.csv:10: `abc` is not a number"),
        "{}",
        run.stderr
    );
    // Blank lines and a quoted cell across lines, CRLF throughout.
    env.write(
        "mixed.csv",
        "indicator,period,value,note\r\n\r\n\r\nIND-POVERTY,FY2020,x,\"two\r\nlines\"\r\n\r\nIND-POVERTY,FY2021,y,\r\n",
    );
    env.ics(&["import-values", "mixed.csv"])
        .fails()
        .stderr_has("mixed.csv:4: `x` is not a number")
        .stderr_has("mixed.csv:7: `y` is not a number");
}

/// Replace the `<c r="REF" s="N"/>` of an empty cell in a sheet's XML with one holding `value`.
fn fill(xml: &mut String, cell: &str, value: &str) {
    let open = format!("<c r=\"{cell}\" ");
    let at = xml.find(&open).unwrap_or_else(|| panic!("no cell {cell}"));
    let end = at + xml[at..].find("/>").unwrap();
    let head = xml[at..end].to_string();
    assert!(!head.contains('>'), "{cell} is not empty: {head}");
    let body = match value.parse::<f64>() {
        Ok(_) => format!("{head}><v>{value}</v></c>"),
        Err(_) => format!("{head} t=\"inlineStr\"><is><t>{value}</t></is></c>"),
    };
    xml.replace_range(at..end + 2, &body);
}

/// Copy the workbook at `from` to `to` with its first sheet's XML changed by `edit`, the way
/// Excel saves the cells a user typed: nothing else changes.
fn edit_sheet(from: &Path, to: &Path, edit: impl FnOnce(&mut String)) {
    let mut zin = zip::ZipArchive::new(std::fs::File::open(from).unwrap()).unwrap();
    let mut zout = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    let mut edit = Some(edit);
    for i in 0..zin.len() {
        let mut entry = zin.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            let mut xml = String::from_utf8(bytes).unwrap();
            (edit.take().unwrap())(&mut xml);
            bytes = xml.into_bytes();
        }
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zout.start_file(name, options).unwrap();
        zout.write_all(&bytes).unwrap();
    }
    zout.finish().unwrap();
}

fn sheet_xml(path: &Path) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut xml = String::new();
    z.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

/// The template's `Values` sheet as text rows (numbers as Rust writes them).
fn template_rows(path: &Path) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = calamine::open_workbook(path).unwrap();
    assert_eq!(wb.sheet_names()[0], "Values");
    let range = wb.worksheet_range("Values").unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::Float(f) => f.to_string(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

#[test]
fn a_filled_template_imports_as_it_is_and_shows_in_progress() {
    let env = env();
    let values = repo_file("examples/peru-values.csv");
    env.ics(&["import-values", s(&values)]).ok();
    let template: PathBuf = env.path("fy2022.xlsx");
    env.ics(&["template", "--period", "FY2022", "--out", s(&template)])
        .ok()
        .stdout_has("wrote `")
        .stdout_has("for FY2022");
    env.ics(&["import-values", s(&template)])
        .ok()
        .stdout_has("holds no values: 12 rows with empty value cells skipped; nothing imported");
    let rows = template_rows(&template);
    assert_eq!(
        rows[0],
        [
            "indicator",
            "period",
            "disaggregation",
            "title",
            "unit",
            "target",
            "last_actual",
            "value",
            "numerator",
            "denominator",
            "note",
            "source"
        ]
    );
    let progress = |period: &str| {
        env.ics(&["progress", "--period", period, "--format", "json"])
            .ok()
            .json()
    };
    // Targets for the period and the previous period's actuals, as progress has them.
    let fy2022 = progress("FY2022");
    let fy2021 = progress("FY2021");
    let shown = |json: &serde_json::Value, code: &str, key: &str| -> String {
        let row = json
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["indicator"] == code)
            .unwrap();
        match row[key].as_f64() {
            Some(f) => f.to_string(),
            None => String::new(),
        }
    };
    for r in &rows[1..] {
        assert_eq!(r[1], "FY2022");
        assert_eq!(r[5], shown(&fy2022, &r[0], "target"), "target of {}", r[0]);
        assert_eq!(
            r[6],
            shown(&fy2021, &r[0], "actual"),
            "last actual of {}",
            r[0]
        );
    }
    assert!(
        rows.iter().any(|r| !r[6].is_empty()),
        "some indicator has a FY2021 actual"
    );
    // Protected, with the open cells unlocked and validated.
    let xml = sheet_xml(&template);
    assert!(xml.contains("<sheetProtection"), "not protected");
    assert!(
        xml.contains(
            r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
        ),
        "header not frozen"
    );
    // Every one of the 12 columns has a width (a `<col>` may cover several).
    let mut covered = 0;
    for col in xml.split("<col ").skip(1) {
        let attr = |name: &str| -> u32 {
            let start = col.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            col[start..].split('"').next().unwrap().parse().unwrap()
        };
        assert!(col.contains(" width=\""), "a column without a width: {col}");
        covered += attr("max") - attr("min") + 1;
    }
    assert_eq!(covered, 12, "{xml}");
    // Numbers carry number formats: the target and last actual as read-only numbers, and the
    // open value cells for typing.
    let styles = {
        let mut z = zip::ZipArchive::new(std::fs::File::open(&template).unwrap()).unwrap();
        let mut x = String::new();
        z.by_name("xl/styles.xml")
            .unwrap()
            .read_to_string(&mut x)
            .unwrap();
        x
    };
    let numbers: Vec<String> = (2..=rows.len())
        .filter(|r| !rows[r - 1][5].is_empty())
        .flat_map(|r| {
            ["F", "H"].map(|c| {
                crate::common::xlsx_number_format(&styles, &xml, &format!("{c}{r}"))
                    .unwrap_or_else(|| panic!("no cell {c}{r}"))
            })
        })
        .collect();
    assert!(!numbers.is_empty());
    assert!(
        numbers.iter().all(|f| f.starts_with("#,##0")),
        "{numbers:?}"
    );
    assert!(
        xml.contains("<dataValidation type=\"decimal\""),
        "no number validation"
    );
    assert!(
        xml.contains("<formula1>0</formula1><formula2>100</formula2>"),
        "no 0..100 validation for percent units"
    );
    // Fill in the value (column H) of every other row, and a note (K) on the first: the rest
    // stays empty and is skipped.
    let mut filled: Vec<(String, f64)> = Vec::new();
    let copy = env.path("fy2022-filled.xlsx");
    edit_sheet(&template, &copy, |xml| {
        for (i, r) in rows.iter().enumerate().skip(1).step_by(2) {
            let value = 10.0 + i as f64;
            fill(xml, &format!("H{}", i + 1), &value.to_string());
            filled.push((r[0].clone(), value));
        }
        fill(xml, "K2", "Entered from the template");
    });
    let skipped = rows.len() - 1 - filled.len();
    env.ics(&["import-values", s(&copy)])
        .ok()
        .stdout_has(&format!("imported {} rows from", filled.len()))
        .stdout_has(&format!("{skipped} rows with empty value cells skipped"));
    let after = progress("FY2022");
    for (code, value) in &filled {
        let row = after
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["indicator"] == code.as_str())
            .unwrap();
        if row["cumulative"] == false {
            assert_eq!(row["actual"].as_f64(), Some(*value), "{code}: {row}");
        }
    }
    assert!(exported(&env).contains("Entered from the template"));
    // The template replaces its own earlier file, never another workbook.
    env.ics(&["template", "--period", "FY2023", "--out", s(&template)])
        .ok();
    // A template saved again (filled in) is kept.
    let filled_bytes = std::fs::read(&copy).unwrap();
    env.ics(&["template", "--period", "FY2023", "--out", s(&copy)])
        .fails()
        .stderr_has("is not a data-entry template as ics wrote it");
    assert_eq!(std::fs::read(&copy).unwrap(), filled_bytes);
    let other = env.path("budget.xlsx");
    book(&other, &[("Budget", vec![vec![S("line"), N(1.0)]])]);
    let before = std::fs::read(&other).unwrap();
    env.ics(&["template", "--period", "FY2023", "--out", s(&other)])
        .fails()
        .stderr_has("is not a data-entry template as ics wrote it");
    assert_eq!(std::fs::read(&other).unwrap(), before);
}

#[test]
fn a_quarter_template_lists_quarterly_indicators_and_their_categories() {
    let env = Env::new();
    let fw = env.write(
        "fw.toml",
        r#"
[strategy]
code = "T"
title = "Test strategy"
version = "v1"
start = "FY2021"
end = "FY2023"

[[goal]]
code = "G1"
title = "Goal"

  [[goal.indicator]]
  code = "IND-Q"
  title = "People trained"
  unit = "people"
  direction = "increase"
  frequency = "quarterly"
  targets = { FY2022Q2 = 40 }
  disaggregations = { sex = ["female", "male"] }

  [[goal.indicator]]
  code = "IND-R"
  title = "Share of clinics stocked"
  unit = "percent"
  direction = "increase"
  frequency = "quarterly"
  ratio = { numerator = "clinics stocked", denominator = "clinics" }

  [[goal.indicator]]
  code = "IND-A"
  title = "Annual one"
  unit = "people"
  direction = "increase"
"#,
    );
    env.ics(&["load", s(&fw)]).ok();
    env.write(
        "q1.csv",
        "indicator,period,disaggregation,value,numerator,denominator\nIND-Q,FY2022Q1,,30,,\nIND-Q,FY2022Q1,sex=female,18,,\nIND-R,FY2022Q1,,,3,4\n",
    );
    env.ics(&["import-values", "q1.csv"]).ok();
    let template = env.path("q2.xlsx");
    env.ics(&["template", "--period", "FY2022Q2", "--out", s(&template)])
        .ok()
        .stdout_has("2 indicators for FY2022Q2 (4 rows)");
    let rows = template_rows(&template);
    let brief: Vec<String> = rows[1..]
        .iter()
        .map(|r| format!("{}|{}|{}|{}", r[0], r[2], r[5], r[6]))
        .collect();
    assert_eq!(
        brief,
        [
            "IND-Q||40|30",
            "IND-Q|sex=female||18",
            "IND-Q|sex=male||",
            "IND-R|||75"
        ]
    );
    // Fill the male category (H4) and the ratio's parts (I5, J5).
    let copy = env.path("q2-filled.xlsx");
    edit_sheet(&template, &copy, |xml| {
        fill(xml, "H4", "21");
        fill(xml, "I5", "4");
        fill(xml, "J5", "5");
    });
    env.ics(&["import-values", s(&copy)])
        .ok()
        .stdout_has("imported 2 rows");
    let csv = exported(&env);
    assert!(csv.contains("IND-Q,FY2022Q2,sex=male,21,"), "{csv}");
    assert!(csv.contains("IND-R,FY2022Q2,,80,"), "{csv}");
    env.ics(&[
        "template", "--period", "FY2022Q2", "--node", "G9", "--out", "x.xlsx",
    ])
    .fails()
    .stderr_has("no goal, objective or DO with code `G9`");
}
