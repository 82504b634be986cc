//! The data-entry workbook of `ics template`: the sheet a section fills in for one period.
//!
//! Sheet `Values` (the first, which `import-values` reads): a header row, frozen, then one row
//! per [`TemplateRow`]. The columns are those `import-values` reads (`indicator`, `period`,
//! `disaggregation`, `value`, `numerator`, `denominator`, `note`, `source`) and four it
//! accepts and ignores (`title`, `unit`, `target`, `last_actual`), so the filled workbook
//! imports as it is. The sheet is protected: only the cells to fill in are unlocked (shaded
//! yellow): `value` (`numerator` and `denominator` instead for a ratio indicator), `note` and
//! `source`. Number cells accept numbers only, within 0..100 for a percent unit; `source`
//! offers the framework's declared source as a dropdown (other text is allowed). Sheet
//! `About` says what the workbook is for and how to send it back.

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, DocProperties, Format,
    FormatBorder, ProtectionOptions, Workbook, Worksheet, XlsxError,
};

use crate::error::Error;
use crate::values::template::{Template, TemplateRow};

/// The comment every template carries in its document properties, and the name of its second
/// sheet: together what marks a workbook as a template ics wrote.
pub const MARKER: &str = "data-entry template written by ics";

/// The name of the sheet of values.
pub const VALUES_SHEET: &str = "Values";

/// The columns, in order: name, width.
const COLUMNS: [(&str, f64); 12] = [
    ("indicator", 20.0),
    ("period", 10.0),
    ("disaggregation", 18.0),
    ("title", 48.0),
    ("unit", 14.0),
    ("target", 11.0),
    ("last_actual", 12.0),
    ("value", 12.0),
    ("numerator", 12.0),
    ("denominator", 12.0),
    ("note", 40.0),
    ("source", 40.0),
];

const VALUE: u16 = 7;
const NUMERATOR: u16 = 8;
const DENOMINATOR: u16 = 9;
const NOTE: u16 = 10;
const SOURCE: u16 = 11;

/// The workbook's bytes.
pub fn workbook(t: &Template) -> Result<Vec<u8>, Error> {
    build(t).map_err(|e| Error::input(format!("could not make the workbook: {e}")))
}

fn build(t: &Template) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    wb.define_name(DEFINED_NAME, "=About!$A$1")?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("{}: values for {}", t.strategy, t.period))
            .set_comment(MARKER),
    );
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_border_bottom(FormatBorder::Thin);
    let filled = Format::new().set_background_color(Color::RGB(0xF2F2F2));
    let filled_wrap = filled.clone().set_text_wrap();
    let open = Format::new()
        .set_unlocked()
        .set_background_color(Color::RGB(0xFFF2CC))
        .set_border(FormatBorder::Thin)
        .set_border_color(Color::RGB(0xBFBFBF));
    let open_text = open.clone().set_text_wrap();
    // Numbers are shown as the other workbooks show them: thousands separated, a whole
    // number without decimals, a fraction with up to four places.
    let whole = filled.clone().set_num_format("#,##0");
    let fraction = filled.clone().set_num_format("#,##0.0###");
    let open_number = open.clone().set_num_format("#,##0.####");

    let ws = wb.add_worksheet();
    ws.set_name(VALUES_SHEET)?;
    for (c, (name, width)) in COLUMNS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *name, &header)?;
        ws.set_column_width(c as u16, *width)?;
    }
    ws.set_freeze_panes(1, 0)?;
    for (i, r) in t.rows.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_string_with_format(row, 0, &r.indicator, &filled)?;
        ws.write_string_with_format(row, 1, r.period.to_string(), &filled)?;
        ws.write_string_with_format(row, 2, &r.disaggregation, &filled)?;
        ws.write_string_with_format(row, 3, &r.title, &filled_wrap)?;
        ws.write_string_with_format(row, 4, &r.unit, &filled)?;
        for (col, n) in [(5, r.target), (6, r.last_actual)] {
            match n {
                Some(n) if n.fract() == 0.0 && n.abs() < 1e15 => {
                    ws.write_number_with_format(row, col, n, &whole)?
                }
                Some(n) => ws.write_number_with_format(row, col, n, &fraction)?,
                None => ws.write_blank(row, col, &filled)?,
            };
        }
        let (value, parts) = if r.ratio {
            (&filled, &open_number)
        } else {
            (&open_number, &filled)
        };
        ws.write_blank(row, VALUE, value)?;
        ws.write_blank(row, NUMERATOR, parts)?;
        ws.write_blank(row, DENOMINATOR, parts)?;
        ws.write_blank(row, NOTE, &open_text)?;
        ws.write_blank(row, SOURCE, &open_text)?;
        validate(ws, row, r)?;
    }
    ws.protect_with_options(&ProtectionOptions {
        format_columns: true,
        format_rows: true,
        ..ProtectionOptions::default()
    });

    let about = wb.add_worksheet();
    about.set_name("About")?;
    about.set_column_width(0, 110.0)?;
    let bold = Format::new().set_bold();
    let mut line = 0;
    let mut put = |ws: &mut Worksheet, text: String, bold_line: bool| -> Result<(), XlsxError> {
        if bold_line {
            ws.write_string_with_format(line, 0, text, &bold)?;
        } else {
            ws.write_string(line, 0, text)?;
        }
        line += 1;
        Ok(())
    };
    put(
        about,
        format!("Values for {}: {}", t.period, t.strategy),
        true,
    )?;
    put(
        about,
        format!(
            "Strategy version {}; last_actual is {}{}.",
            t.version,
            t.previous,
            t.node
                .as_deref()
                .map(|n| format!("; indicators under {n}"))
                .unwrap_or_default()
        ),
        false,
    )?;
    put(about, String::new(), false)?;
    for text in [
        "1. On the sheet Values, fill in the yellow cells: value (for a ratio indicator, numerator and denominator instead), and a note and the source.",
        "2. The first row of an indicator is its total; the rows below it with a disaggregation (sex=female, ...) are its categories.",
        "3. Leave a row empty if you have no value for it: rows with no value are skipped when the workbook is imported.",
        "4. Save the workbook as it is (keep the .xlsx format and the sheet names) and send it back.",
        "5. It is imported with: ics import-values THIS-FILE.xlsx",
        "The grey columns (title, unit, target, last_actual) are for information; they are not imported.",
        MARKER,
    ] {
        put(about, text.to_string(), false)?;
    }
    about.protect();
    wb.save_to_buffer()
}

/// The data validation of a row's open cells.
fn validate(ws: &mut Worksheet, row: u32, r: &TemplateRow) -> Result<(), XlsxError> {
    let number = |title: &str, message: String| -> Result<DataValidation, XlsxError> {
        DataValidation::new()
            .allow_decimal_number(DataValidationRule::Between(-1e300, 1e300))
            .set_input_title(title)?
            .set_input_message(message)?
            .set_error_title("Not a number")?
            .set_error_message("Type a plain number, such as 17.2 or 1500.")
    };
    if r.ratio {
        ws.add_data_validation(
            row,
            NUMERATOR,
            row,
            NUMERATOR,
            &number("Numerator", "A number.".to_string())?,
        )?;
        ws.add_data_validation(
            row,
            DENOMINATOR,
            row,
            DENOMINATOR,
            &number("Denominator", "A number other than 0.".to_string())?,
        )?;
    } else if r.percent {
        let percent = DataValidation::new()
            .allow_decimal_number(DataValidationRule::Between(0.0, 100.0))
            .set_input_title("Value")?
            .set_input_message("A percentage from 0 to 100, without the % sign.")?
            .set_error_title("Not a percentage")?
            .set_error_message("Type a number from 0 to 100, such as 74.8.")?;
        ws.add_data_validation(row, VALUE, row, VALUE, &percent)?;
    } else {
        let message = format!("A number ({}).", r.unit);
        ws.add_data_validation(row, VALUE, row, VALUE, &number("Value", message)?)?;
    }
    // The declared source as a choice, when it fits Excel's list (255 characters, no
    // commas); other text stays allowed.
    if let Some(source) = r
        .source
        .as_deref()
        .filter(|s| s.len() <= 250 && !s.contains([',', '"']) && !s.trim().is_empty())
    {
        let list = DataValidation::new()
            .allow_list_strings(&[source])?
            .set_error_style(DataValidationErrorStyle::Information)
            .set_input_title("Source")?
            .set_input_message("Choose the declared source or type another.")?;
        ws.add_data_validation(row, SOURCE, row, SOURCE, &list)?;
    }
    Ok(())
}

/// The defined name every template carries (in `xl/workbook.xml`, within the first 4 KB of
/// the file), by which an earlier template is recognised.
const DEFINED_NAME: &str = "ics_data_entry_template";

/// Whether `head`, the first bytes of an existing file, is a template as ics wrote it: a zip
/// archive written as ics writes it (each entry deflated, its sizes in a descriptor after its
/// data) whose first entries, inflated, name [`DEFINED_NAME`]. A template saved again from
/// Excel (which writes its archive otherwise) may hold a section's entries, and is not
/// replaced.
pub fn recognise(head: &[u8]) -> bool {
    let mut rest = head;
    while rest.len() >= 30 && rest.starts_with(b"PK\x03\x04") {
        let u16_at = |i: usize| u16::from_le_bytes([rest[i], rest[i + 1]]) as usize;
        let (flags, method) = (u16_at(6), u16_at(8));
        let (name_len, extra_len) = (u16_at(26), u16_at(28));
        let Some(data) = rest.get(30 + name_len + extra_len..) else {
            return false;
        };
        if method != 8 || flags & 8 == 0 {
            return false;
        }
        let mut inflate = flate2::Decompress::new(false);
        let mut text = Vec::with_capacity(16 * 1024);
        let status = inflate.decompress_vec(data, &mut text, flate2::FlushDecompress::None);
        if text
            .windows(DEFINED_NAME.len())
            .any(|w| w == DEFINED_NAME.as_bytes())
        {
            return true;
        }
        if !matches!(status, Ok(flate2::Status::StreamEnd)) {
            return false;
        }
        let used = inflate.total_in() as usize;
        let after = &data[used.min(data.len())..];
        let descriptor = if after.starts_with(b"PK\x07\x08") {
            16
        } else {
            12
        };
        rest = after.get(descriptor..).unwrap_or_default();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::FiscalPeriod;
    use crate::values::{ACCEPTED_COLUMNS, IGNORED_COLUMNS};

    fn template() -> Template {
        let period = FiscalPeriod::year(2024);
        Template {
            strategy: "S".into(),
            version: "v1".into(),
            period,
            previous: FiscalPeriod::year(2023),
            node: None,
            rows: vec![TemplateRow {
                indicator: "IND-X".into(),
                period,
                disaggregation: String::new(),
                title: "X".into(),
                unit: "percent".into(),
                target: Some(50.0),
                last_actual: None,
                ratio: false,
                percent: true,
                source: Some("Ministry survey".into()),
            }],
        }
    }

    #[test]
    fn every_column_is_one_import_values_reads_or_ignores() {
        for (name, _) in COLUMNS {
            assert!(
                ACCEPTED_COLUMNS.contains(&name) || IGNORED_COLUMNS.contains(&name),
                "{name}"
            );
        }
        assert_eq!(COLUMNS[VALUE as usize].0, "value");
        assert_eq!(COLUMNS[NUMERATOR as usize].0, "numerator");
        assert_eq!(COLUMNS[DENOMINATOR as usize].0, "denominator");
        assert_eq!(COLUMNS[NOTE as usize].0, "note");
        assert_eq!(COLUMNS[SOURCE as usize].0, "source");
    }

    #[test]
    fn a_template_is_recognised_from_its_first_4_kb() {
        let bytes = workbook(&template()).unwrap();
        assert!(recognise(&bytes[..4096.min(bytes.len())]));
        assert!(!recognise(&bytes[..200]));
        assert!(!recognise(
            b"PK\x03\x04 not really a zip archive, just text"
        ));
        assert!(!recognise(b"indicator,period,value\n"));
        // Another workbook, written the same way but without the name.
        let mut other = Workbook::new();
        other.add_worksheet().write_string(0, 0, "budget").unwrap();
        let other = other.save_to_buffer().unwrap();
        assert!(!recognise(&other[..4096.min(other.len())]));
    }
}
