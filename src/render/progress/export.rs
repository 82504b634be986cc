//! The progress report for machines: CSV through the csv crate (text cells formula-guarded,
//! docs/decisions.md item 11) and JSON (the contract's array of row objects). Both carry only the indicator
//! rows, with unrounded numbers and machine status names (`on_target`). The guard is the one
//! `export-values` uses ([`crate::values::guard`]).

use std::io::Write;

use crate::error::Error;
use crate::progress::{ProgressRow, Report};
use crate::values::guard;

/// The CSV columns, in order: the JSON keys, in the same order.
pub const CSV_COLUMNS: [&str; 23] = [
    "indicator",
    "title",
    "node",
    "path",
    "period",
    "unit",
    "direction",
    "baseline",
    "target",
    "target_to_date",
    "actual",
    "achieved",
    "deviation",
    "progress",
    "status",
    "needs_explanation",
    "explanation",
    "quarters_reported",
    "partial",
    "derived",
    "cumulative",
    "numerator",
    "denominator",
];

fn csv_err(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::Output(io),
        other => Error::Output(std::io::Error::other(format!("{other:?}"))),
    }
}

/// The indicator rows as CSV, numbers unrounded, text formula-guarded.
///
/// Fields go to the writer one at a time, numbers formatted into one reused buffer, rather
/// than a record of 23 owned strings per row.
pub fn csv(report: &Report, out: &mut dyn Write) -> Result<(), Error> {
    let mut w = csv::WriterBuilder::new()
        .buffer_capacity(64 * 1024)
        .from_writer(out);
    w.write_record(CSV_COLUMNS).map_err(csv_err)?;
    let mut buf = String::new();
    let mut digits = ryu::Buffer::new();
    for r in report.rows() {
        text(&mut w, &r.indicator)?;
        text(&mut w, &r.title)?;
        text(&mut w, &r.node)?;
        text(&mut w, &r.path)?;
        field(&mut w, &mut buf, r.period)?;
        text(&mut w, &r.unit)?;
        w.write_field(r.direction.as_str()).map_err(csv_err)?;
        for x in [
            r.baseline,
            r.target,
            r.target_to_date,
            r.actual,
            r.achieved,
            r.deviation,
            r.progress,
        ] {
            opt(&mut w, &mut digits, &mut buf, x)?;
        }
        w.write_field(r.status.as_str()).map_err(csv_err)?;
        flag(&mut w, r.needs_explanation)?;
        text(&mut w, r.explanation.as_deref().unwrap_or_default())?;
        match r.quarters_reported {
            Some(q) => field(&mut w, &mut buf, q)?,
            None => w.write_field("").map_err(csv_err)?,
        }
        flag(&mut w, r.partial)?;
        flag(&mut w, r.derived)?;
        flag(&mut w, r.cumulative)?;
        opt(&mut w, &mut digits, &mut buf, r.numerator)?;
        opt(&mut w, &mut digits, &mut buf, r.denominator)?;
        w.write_record(None::<&[u8]>).map_err(csv_err)?;
    }
    w.flush()?;
    Ok(())
}

/// `x` exactly as `x.to_string()` writes it: the shortest digits that read back as `x`, the
/// closest to it, never an exponent. ryu finds the same digits in a fraction of the time
/// (formatting 80,000 numbers was half the CSV's cost); it writes `1` as `1.0`, trimmed here.
/// The two differ only on a tie, when `x` lies exactly halfway between two shortest
/// candidates (ryu rounds to even, `Display` up): then `x` has exactly one more decimal than
/// ryu's digits, which the binary exponent and trailing zeros of `x` tell exactly. Those
/// numbers, any ryu writes with an exponent, and any from 2^35 up (where a candidate can lie
/// on the edge of the interval that reads back as `x`, which the two treat differently) are
/// left to `Display`.
fn number<'a>(digits: &'a mut ryu::Buffer, buf: &'a mut String, x: f64) -> &'a str {
    if x.is_normal() && x.abs() < (1u64 << 35) as f64 {
        let s = digits.format_finite(x);
        let s = s.strip_suffix(".0").unwrap_or(s);
        let decimals = s.find('.').map_or(0, |dot| s.len() - dot - 1) as i64;
        // x = mantissa * 2^exponent; x * 10^k is a whole number iff
        // trailing_zeros(mantissa) + exponent + k >= 0 (5^k is odd).
        let bits = x.to_bits();
        let mantissa = (bits & ((1 << 52) - 1)) | (1 << 52);
        let exponent = ((bits >> 52) & 0x7ff) as i64 - 1075;
        let tie = i64::from(mantissa.trailing_zeros()) + exponent + decimals + 1 == 0;
        if !s.contains('e') && !tie {
            return s;
        }
    }
    use std::fmt::Write as _;
    buf.clear();
    write!(buf, "{x}").expect("formatting into a String cannot fail");
    buf
}

/// One number field, empty for `None`.
fn opt<W: Write>(
    w: &mut csv::Writer<W>,
    digits: &mut ryu::Buffer,
    buf: &mut String,
    x: Option<f64>,
) -> Result<(), Error> {
    match x {
        Some(v) => w.write_field(number(digits, buf, v)),
        None => w.write_field(""),
    }
    .map_err(csv_err)
}

/// One `true`/`false` field.
fn flag<W: Write>(w: &mut csv::Writer<W>, b: bool) -> Result<(), Error> {
    w.write_field(if b { "true" } else { "false" })
        .map_err(csv_err)
}

/// One text field, formula-guarded.
fn text<W: Write>(w: &mut csv::Writer<W>, s: &str) -> Result<(), Error> {
    w.write_field(guard(s).as_bytes()).map_err(csv_err)
}

/// One field from `x`'s `Display` (as `to_string` gives it), formatted in `buf`.
fn field<W: Write>(
    w: &mut csv::Writer<W>,
    buf: &mut String,
    x: impl std::fmt::Display,
) -> Result<(), Error> {
    use std::fmt::Write as _;
    buf.clear();
    write!(buf, "{x}").expect("formatting into a String cannot fail");
    w.write_field(buf.as_bytes()).map_err(csv_err)
}

/// The indicator rows as a JSON array of the contract's objects.
pub fn json(report: &Report, out: &mut dyn Write) -> Result<(), Error> {
    let rows: Vec<&ProgressRow> = report.rows().collect();
    serde_json::to_writer_pretty(&mut *out, &rows).map_err(std::io::Error::from)?;
    writeln!(out)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::number;

    /// ryu's digits, trimmed, are `Display`'s: edge cases, then numbers of every magnitude,
    /// with few decimals (what indicator values look like), percents, and dyadic fractions
    /// (`x + j / 2^k`, the numbers that can tie) up to 2e14.
    #[test]
    fn numbers_read_as_display_writes_them() {
        let (mut digits, mut buf) = (ryu::Buffer::new(), String::new());
        let mut check = |x: f64| assert_eq!(number(&mut digits, &mut buf, x), x.to_string());
        for x in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.3,
            1.5,
            100.0,
            17.2,
            1e-5,
            9.9e-6,
            1e15,
            1e16,
            1.5e16,
            28884291138119.0 + 0.0625,
            1690060720831323.0 + 0.25,
            1234.0625,
            0.5,
            2.5,
            34359738367.5,
            123456789012345680.0,
            5e-324,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::MIN,
            f64::EPSILON,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            2.0 / 3.0,
            100.0 * 17.0 / 3.0,
        ] {
            check(x);
        }
        let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        for _ in 0..300_000 {
            check(f64::from_bits(next()));
            check((next() % 10_000_000) as f64 / 100.0 - 20_000.0);
            check((next() % 100_000) as f64 * 100.0 / (1 + next() % 100_000) as f64);
            let k = (next() % 40) as i32;
            let whole = (next() % 200_000_000_000_000) >> (next() % 48);
            let x = whole as f64 + (next() % (1 << 20)) as f64 / 2f64.powi(k);
            check(x);
            check(-x);
        }
    }
}
