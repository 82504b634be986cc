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

/// CSV written by hand: fields joined by commas, a text field quoted (quotes doubled) when it
/// holds a comma, a quote or a line break, as the csv crate's `QuoteStyle::Necessary` writes
/// it; records end in `\n`. Numbers, flags and names never need quoting and go straight to
/// the buffer: through the csv crate, its per-field quoting machinery was a fifth of
/// `progress --format csv` on 20,000 indicators (callgrind).
struct Csv<'o> {
    out: &'o mut dyn Write,
    buf: Vec<u8>,
    /// Whether the next field is the first of its record.
    first: bool,
}

impl<'o> Csv<'o> {
    const FLUSH_AT: usize = 64 * 1024;

    fn new(out: &'o mut dyn Write) -> Self {
        Csv {
            out,
            buf: Vec::with_capacity(Self::FLUSH_AT + 4096),
            first: true,
        }
    }

    fn sep(&mut self) {
        if !self.first {
            self.buf.push(b',');
        }
        self.first = false;
    }

    /// A field that needs no quoting (numbers, flags, machine names, empty).
    fn plain(&mut self, s: &str) {
        self.sep();
        self.buf.extend_from_slice(s.as_bytes());
    }

    /// A text field, formula-guarded and quoted when it must be.
    fn text(&mut self, s: &str) {
        self.sep();
        let s = guard(s);
        if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
            self.buf.push(b'"');
            for part in s.split_inclusive('"') {
                self.buf.extend_from_slice(part.as_bytes());
                if part.ends_with('"') {
                    self.buf.push(b'"');
                }
            }
            self.buf.push(b'"');
        } else {
            self.buf.extend_from_slice(s.as_bytes());
        }
    }

    fn end(&mut self) -> Result<(), Error> {
        self.buf.push(b'\n');
        self.first = true;
        if self.buf.len() >= Self::FLUSH_AT {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    fn finish(self) -> Result<(), Error> {
        self.out.write_all(&self.buf)?;
        self.out.flush()?;
        Ok(())
    }
}

/// The indicator rows as CSV, numbers unrounded, text formula-guarded.
pub fn csv(report: &Report, out: &mut dyn Write) -> Result<(), Error> {
    let mut w = Csv::new(out);
    for c in CSV_COLUMNS {
        w.plain(c);
    }
    w.end()?;
    let mut buf = String::new();
    let mut digits = ryu::Buffer::new();
    let mut itoa = itoa::Buffer::new();
    let flag = |b: bool| if b { "true" } else { "false" };
    for r in report.rows() {
        w.text(&r.indicator);
        w.text(&r.title);
        w.text(&r.node);
        w.text(&r.path);
        {
            use std::fmt::Write as _;
            buf.clear();
            write!(buf, "{}", r.period).expect("formatting into a String cannot fail");
            w.plain(&buf);
        }
        w.text(&r.unit);
        w.plain(r.direction.as_str());
        for x in [
            r.baseline,
            r.target,
            r.target_to_date,
            r.actual,
            r.achieved,
            r.deviation,
            r.progress,
        ] {
            w.plain(x.map_or("", |v| number(&mut digits, &mut buf, v)));
        }
        w.plain(r.status.as_str());
        w.plain(flag(r.needs_explanation));
        w.text(r.explanation.as_deref().unwrap_or_default());
        w.plain(r.quarters_reported.map_or("", |q| itoa.format(q)));
        w.plain(flag(r.partial));
        w.plain(flag(r.derived));
        w.plain(flag(r.cumulative));
        w.plain(r.numerator.map_or("", |v| number(&mut digits, &mut buf, v)));
        w.plain(
            r.denominator
                .map_or("", |v| number(&mut digits, &mut buf, v)),
        );
        w.end()?;
    }
    w.finish()
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
