use std::io::{Cursor, Read};

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};

use super::*;

/// The cells of sheet `name`, read by calamine.
fn sheet(bytes: &[u8], name: &str) -> calamine::Range<Data> {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    wb.worksheet_range(name).unwrap()
}

/// The text of the part `name` of the zip.
fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

fn about() -> About {
    About::new("Test workbook", "2026-01-15T12:00:00.000000Z")
        .fact("Strategy", "Peru (PER)")
        .definitions(progress_definitions(12.5))
        .status_legend()
}

fn sample() -> Vec<u8> {
    let mut book = Book::new(
        "Data",
        vec![
            Column::new("code", Kind::Text),
            Column::new("value", Kind::Number),
            Column::new("achieved", Kind::Percent),
            Column::new("deviation", Kind::SignedPercent),
            Column::new("status", Kind::Status),
            Column::new("flag", Kind::Flag),
            Column::new("note", Kind::Wrapped),
            Column::new("day", Kind::Date).width(12.0),
        ],
    )
    .unwrap()
    .freeze_columns(1);
    let day = chrono::NaiveDate::from_ymd_opt(2021, 9, 30).unwrap();
    book.row(&[
        Cell::text("IND-A"),
        Cell::from(51000.0),
        Cell::from(Some(88.2)),
        Cell::from(Some(-11.8)),
        Cell::Status(Status::Short),
        Cell::from(true),
        Cell::text("a long explanation ".repeat(10)),
        Cell::Date(day),
    ])
    .unwrap();
    book.row(&[
        Cell::text("=SUM(A1)"),
        Cell::from(0.1 + 0.2),
        Cell::Empty,
        Cell::from(None::<f64>),
        Cell::Status(Status::OnTarget),
        Cell::from(false),
        Cell::text("ESC \u{1b} here"),
    ])
    .unwrap();
    assert_eq!(book.rows(), 2);
    book.finish(&about()).unwrap()
}

#[test]
fn numbers_are_numbers_text_is_text() {
    let bytes = sample();
    let s = sheet(&bytes, "Data");
    assert_eq!(s.get_value((0, 0)), Some(&Data::String("code".into())));
    assert_eq!(s.get_value((1, 0)), Some(&Data::String("IND-A".into())));
    assert_eq!(s.get_value((1, 1)), Some(&Data::Float(51000.0)));
    assert_eq!(s.get_value((1, 2)), Some(&Data::Float(88.2)));
    assert_eq!(s.get_value((1, 3)), Some(&Data::Float(-11.8)));
    assert_eq!(s.get_value((1, 4)), Some(&Data::String("short".into())));
    assert_eq!(s.get_value((1, 5)), Some(&Data::Bool(true)));
    assert!(matches!(s.get_value((1, 7)), Some(Data::DateTime(d)) if d.as_f64() == 44469.0));
    // A formula-looking text stays text; the exact number is kept.
    assert_eq!(s.get_value((2, 0)), Some(&Data::String("=SUM(A1)".into())));
    assert_eq!(s.get_value((2, 1)), Some(&Data::Float(0.30000000000000004)));
    assert_eq!(s.get_value((2, 2)), Some(&Data::Empty));
    assert_eq!(s.get_value((2, 4)), Some(&Data::String("on target".into())));
    // A control character is shown as its picture, never raw.
    assert_eq!(
        s.get_value((2, 6)),
        Some(&Data::String("ESC \u{241b} here".into()))
    );
    let xml = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(!xml.contains("<f>"), "no formula: {xml}");
}

#[test]
fn header_frozen_filtered_and_columns_sized() {
    let bytes = sample();
    let xml = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        xml.contains(r#"<pane xSplit="1" ySplit="1" topLeftCell="B2" activePane="bottomRight" state="frozen"/>"#),
        "{xml}"
    );
    assert!(xml.contains(r#"<autoFilter ref="A1:H3"/>"#), "{xml}");
    // Every column has a width; the wrapped one 50, the declared one 12.
    let mut covered = Vec::new();
    for col in xml.split("<col ").skip(1) {
        let num = |key: &str| -> u32 {
            let at = col.find(key).unwrap() + key.len();
            col[at..].split('"').next().unwrap().parse().unwrap()
        };
        assert!(col.contains("width=\""), "{col}");
        covered.extend(num("min=\"")..=num("max=\""));
    }
    assert_eq!(covered, (1..=8).collect::<Vec<u32>>(), "{xml}");
    assert!(
        xml.contains(r#"<col min="7" max="7" width="50.7109375" customWidth="1"/>"#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<col min="8" max="8" width="12.7109375" customWidth="1"/>"#),
        "{xml}"
    );
    let styles = part(&bytes, "xl/styles.xml");
    for format in [
        "formatCode=\"#,##0\"",
        "formatCode=\"#,##0.0###\"",
        "formatCode=\"0.0&quot;%&quot;\"",
        "formatCode=\"+0.0&quot;%&quot;;-0.0&quot;%&quot;;0.0&quot;%&quot;\"",
        "formatCode=\"yyyy-mm-dd\"",
    ] {
        assert!(styles.contains(format), "{format} missing: {styles}");
    }
    // The status fills: short's red and on target's green, with wrap for the long text.
    assert!(styles.contains(r#"<fgColor rgb="FFFFC7CE"/>"#), "{styles}");
    assert!(styles.contains(r#"<fgColor rgb="FFC6EFCE"/>"#), "{styles}");
    assert!(styles.contains(r#"wrapText="1""#), "{styles}");
}

#[test]
fn the_about_sheet_says_what_and_how() {
    let bytes = sample();
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.clone())).unwrap();
    assert_eq!(wb.sheet_names(), ["Data", "About"]);
    let s = wb.worksheet_range("About").unwrap();
    let text: Vec<String> = s.rows().flatten().map(|c| c.to_string()).collect();
    let all = text.join("\n");
    for needle in [
        "Test workbook",
        "Strategy",
        "Peru (PER)",
        "2026-01-15 12:00:00 UTC",
        "12.5%: the strategy's deviation_threshold",
        "actual × 100 / target",
        "no target",
        "exceeded",
    ] {
        assert!(all.contains(needle), "{needle:?} missing:\n{all}");
    }
    let custom = part(&bytes, "docProps/custom.xml");
    assert!(
        custom.contains("name=\"Generator\"><vt:lpwstr>ics "),
        "{custom}"
    );
    // The creation time is the clock's, so the same run gives the same bytes.
    let core = part(&bytes, "docProps/core.xml");
    assert!(core.contains("2026-01-15T12:00:00Z"), "{core}");
    assert_eq!(sample(), bytes);
}

#[test]
fn groups_go_in_a_band_above_the_header() {
    let mut book = Book::new(
        "Track",
        vec![
            Column::new("indicator", Kind::Text),
            Column::new("target", Kind::Number).group("FY2021"),
            Column::new("actual", Kind::Number).group("FY2021"),
            Column::new("target", Kind::Number).group("FY2022"),
        ],
    )
    .unwrap();
    book.section("G1 Goal one").unwrap();
    book.row(&[Cell::text("IND-A"), 1.0.into(), 2.0.into(), 3.0.into()])
        .unwrap();
    let bytes = book
        .finish(&About::new("t", "2026-01-15T12:00:00Z"))
        .unwrap();
    let s = sheet(&bytes, "Track");
    assert_eq!(s.get_value((0, 1)), Some(&Data::String("FY2021".into())));
    assert_eq!(s.get_value((0, 3)), Some(&Data::String("FY2022".into())));
    assert_eq!(s.get_value((1, 2)), Some(&Data::String("actual".into())));
    assert_eq!(
        s.get_value((2, 0)),
        Some(&Data::String("G1 Goal one".into()))
    );
    assert_eq!(s.get_value((3, 2)), Some(&Data::Float(2.0)));
    let xml = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(xml.contains(r#"<mergeCell ref="B1:C1"/>"#), "{xml}");
    assert!(xml.contains(r#"ySplit="2" topLeftCell="A3""#), "{xml}");
    assert!(xml.contains(r#"<autoFilter ref="A2:D4"/>"#), "{xml}");
}

#[test]
fn a_text_too_long_for_a_cell_is_a_user_error() {
    let mut book = Book::new("S", vec![Column::new("note", Kind::Wrapped)]).unwrap();
    book.row(&[Cell::text("é".repeat(MAX_TEXT))]).unwrap();
    let e = book
        .row(&[Cell::text("x".repeat(MAX_TEXT + 1))])
        .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains(
            "row 3 of the sheet `S`: the `note` text is longer than the 32767 characters"
        ),
        "{text}"
    );
    assert!(matches!(e, Error::Input { hint: Some(h), .. } if h.contains("--format csv")));
}

#[test]
fn widths_fit_the_content_within_bounds() {
    assert_eq!(number_width(51000.0, 0), 6);
    assert_eq!(number_width(-1234567.25, 4), 13); // -1,234,567.25
    assert_eq!(number_width(0.5, 4), 3);
    assert_eq!(percent_width(88.24), 5);
    let mut book = Book::new(
        "S",
        vec![Column::new("a", Kind::Text), Column::new("b", Kind::Text)],
    )
    .unwrap();
    book.row(&[Cell::text("x".repeat(200)), Cell::text("abcdefghij")])
        .unwrap();
    let xml = part(
        &book.finish(&About::new("t", "")).unwrap(),
        "xl/worksheets/sheet1.xml",
    );
    // Capped at 40 (+1), and fitted to 10 (+1).
    assert!(
        xml.contains(r#"<col min="1" max="1" width="41.7109375" customWidth="1"/>"#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<col min="2" max="2" width="11.7109375" customWidth="1"/>"#),
        "{xml}"
    );
}
