//! The progress report for machines: CSV through the csv crate (text cells formula-guarded,
//! docs/decisions.md item 11) and JSON (the contract's array of row objects). Both carry only the indicator
//! rows, with unrounded numbers and machine status names (`on_target`). The guard is the one
//! `export-values` uses ([`crate::values::guard`]).

use std::io::Write;

use crate::error::Error;
use crate::period::FiscalPeriod;
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
    digits: zmij::Buffer,
    itoa: itoa::Buffer,
    /// For numbers `Display` must write.
    fmt: String,
}

impl<'o> Csv<'o> {
    const FLUSH_AT: usize = 64 * 1024;

    fn new(out: &'o mut dyn Write) -> Self {
        Csv {
            out,
            buf: Vec::with_capacity(Self::FLUSH_AT + 4096),
            first: true,
            digits: zmij::Buffer::new(),
            itoa: itoa::Buffer::new(),
            fmt: String::new(),
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
        if needs_quotes(s.as_bytes()) {
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

    /// A text field that the row before may have shown already: the node, path and unit are
    /// one string for many rows, whose field is then copied rather than made again.
    fn shared(&mut self, s: &str, memo: &mut Memo) {
        if memo.text == s.as_bytes() {
            self.sep();
            self.buf.extend_from_slice(&memo.field);
            return;
        }
        let at = self.buf.len() + usize::from(!self.first);
        self.text(s);
        memo.text.clear();
        memo.text.extend_from_slice(s.as_bytes());
        memo.field.clear();
        memo.field.extend_from_slice(&self.buf[at..]);
    }

    /// A number, empty for none.
    fn number(&mut self, x: Option<f64>) {
        self.sep();
        if let Some(x) = x {
            number(&mut self.buf, &mut self.digits, &mut self.fmt, x);
        }
    }

    /// A number computed by a division (a percent, a deviation), empty for none: the same
    /// digits as [`Csv::number`], found without first trying a few decimals, which such
    /// numbers seldom have (tried, it was a fifth of the time their digits took).
    fn ratio(&mut self, x: Option<f64>) {
        self.sep();
        if let Some(x) = x {
            digits_of(&mut self.buf, &mut self.digits, &mut self.fmt, x);
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

/// The last text a [`Csv::shared`] field showed, and the field it made. Compared by content:
/// rows written one at a time are dropped after, and another string may take an address.
#[derive(Default)]
struct Memo {
    text: Vec<u8>,
    field: Vec<u8>,
}

/// Whether CSV must quote a field: a comma, a quote or a line break in it.
fn needs_quotes(b: &[u8]) -> bool {
    // Eight bytes at a time: a byte equal to one of the four makes a zero byte in the XOR,
    // which the classic `(v - 0x01..) & !v & 0x80..` test finds.
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS != 0;
    let mut words = b.chunks_exact(8);
    for w in &mut words {
        let mut a = [0u8; 8];
        a.copy_from_slice(w);
        let v = u64::from_le_bytes(a);
        if zero(v ^ (ONES * u64::from(b','))) || zero(v ^ (ONES * u64::from(b'"'))) {
            return true;
        }
        // Line breaks are below 0x0e: a byte below 0x10 has its top four bits zero.
        if zero(v & (ONES * 0xf0)) && w.iter().any(|&c| c == b'\n' || c == b'\r') {
            return true;
        }
    }
    words
        .remainder()
        .iter()
        .any(|&c| matches!(c, b',' | b'"' | b'\n' | b'\r'))
}

/// The indicator rows as CSV, numbers unrounded, text formula-guarded.
pub fn csv(report: &Report, out: &mut dyn Write) -> Result<(), Error> {
    let mut w = CsvRows::new(out)?;
    for r in report.rows() {
        w.row(r)?;
    }
    w.finish()
}

/// The progress CSV written a row at a time ([`csv`] writes a whole report through it): the
/// header first, then each row as it comes, so a caller can make rows one by one and keep
/// none ([`crate::progress::Prepared::rows_of`]).
pub struct CsvRows<'o> {
    w: Csv<'o>,
    node: Memo,
    path: Memo,
    unit: Memo,
    /// Rows mostly share the report's period: it is written once.
    period: Option<(FiscalPeriod, String)>,
}

impl<'o> CsvRows<'o> {
    /// Write the header line.
    pub fn new(out: &'o mut dyn Write) -> Result<Self, Error> {
        let mut rows = CsvRows::rest(out);
        for c in CSV_COLUMNS {
            rows.w.plain(c);
        }
        rows.w.end()?;
        Ok(rows)
    }

    /// Rows that follow others (made elsewhere, perhaps on another thread): no header.
    pub fn rest(out: &'o mut dyn Write) -> Self {
        CsvRows {
            w: Csv::new(out),
            node: Memo::default(),
            path: Memo::default(),
            unit: Memo::default(),
            period: None,
        }
    }

    /// Write one indicator row.
    pub fn row(&mut self, r: &ProgressRow) -> Result<(), Error> {
        let w = &mut self.w;
        let flag = |b: bool| if b { "true" } else { "false" };
        w.text(&r.indicator);
        w.text(&r.title);
        w.shared(&r.node, &mut self.node);
        w.shared(&r.path, &mut self.path);
        let shown = match &mut self.period {
            Some((p, shown)) if *p == r.period => shown,
            slot => &mut slot.insert((r.period, r.period.to_string())).1,
        };
        w.plain(shown);
        w.shared(&r.unit, &mut self.unit);
        w.plain(r.direction.as_str());
        for x in [r.baseline, r.target, r.target_to_date, r.actual] {
            w.number(x);
        }
        for x in [r.achieved, r.deviation, r.progress] {
            w.ratio(x);
        }
        w.plain(r.status.as_str());
        w.plain(flag(r.needs_explanation));
        w.text(r.explanation.as_deref().unwrap_or_default());
        match r.quarters_reported {
            Some(q) => {
                w.sep();
                w.buf.extend_from_slice(w.itoa.format(q).as_bytes());
            }
            None => w.plain(""),
        }
        w.plain(flag(r.partial));
        w.plain(flag(r.derived));
        w.plain(flag(r.cumulative));
        w.number(r.numerator);
        w.number(r.denominator);
        w.end()
    }

    /// Write what is left and flush.
    pub fn finish(self) -> Result<(), Error> {
        self.w.finish()
    }
}

/// Append `x` exactly as `x.to_string()` writes it: the shortest digits that read back as `x`,
/// the closest to it, never an exponent.
///
/// Most figures have a few decimals (`52.44`): for those, the whole number `n = x * 10^k`
/// for the fewest decimals `k` whose `n / 10^k` is exactly `x` is those shortest digits, and
/// writing `n` with its point is a fraction of finding digits. Below 2^35 the doubles near `x`
/// lie closer than 10^-4 / 2, so there is one candidate per `k` and `x * 10^k` rounds to it
/// (checked exactly: the division rounds correctly, as reading the digits back does).
///
/// The others go to zmij (the shortest-digits writer serde_json uses; about a third of ryu's
/// instructions here, callgrind), which finds the same digits in a fraction of `Display`'s
/// time; it writes `1` as `1.0`, trimmed here. The two can differ only on a tie, when `x` lies
/// exactly halfway between two shortest candidates (`Display` rounds up): then `x` has exactly
/// one more decimal than the digits, which the binary exponent and trailing zeros of `x` tell
/// exactly. Those numbers, any written with an exponent, and any from 2^35 up (where a
/// candidate can lie on the edge of the interval that reads back as `x`, which writers treat
/// differently) are left to `Display`.
fn number(out: &mut Vec<u8>, digits: &mut zmij::Buffer, fmt: &mut String, x: f64) {
    if x.is_normal() && x.abs() < (1u64 << 35) as f64 && few_decimals(out, x) {
        return;
    }
    digits_of(out, digits, fmt, x);
}

/// [`number`] without its first way (a few decimals): the shortest digits by zmij, or by
/// `Display`, as [`number`] explains.
fn digits_of(out: &mut Vec<u8>, digits: &mut zmij::Buffer, fmt: &mut String, x: f64) {
    if x.is_normal() && x.abs() < (1u64 << 35) as f64 {
        let s = digits.format_finite(x).as_bytes();
        let s = s.strip_suffix(b".0").unwrap_or(s);
        let mut decimals = 0;
        let mut exponent_form = false;
        for (i, &c) in s.iter().enumerate() {
            match c {
                b'.' => decimals = (s.len() - i - 1) as i64,
                b'e' => exponent_form = true,
                _ => {}
            }
        }
        // x = mantissa * 2^exponent; x * 10^k is a whole number iff
        // trailing_zeros(mantissa) + exponent + k >= 0 (5^k is odd).
        let bits = x.to_bits();
        let mantissa = (bits & ((1 << 52) - 1)) | (1 << 52);
        let exponent = ((bits >> 52) & 0x7ff) as i64 - 1075;
        let tie = i64::from(mantissa.trailing_zeros()) + exponent + decimals + 1 == 0;
        if !exponent_form && !tie {
            out.extend_from_slice(s);
            return;
        }
    }
    use std::fmt::Write as _;
    fmt.clear();
    write!(fmt, "{x}").expect("formatting into a String cannot fail");
    out.extend_from_slice(fmt.as_bytes());
}

/// Append `x` (normal, below 2^35 in size) when up to four decimals write it exactly, as
/// [`number`] explains; `false` (and nothing appended) otherwise.
fn few_decimals(out: &mut Vec<u8>, x: f64) -> bool {
    const SCALES: [f64; 5] = [1.0, 10.0, 100.0, 1000.0, 10000.0];
    for (k, scale) in SCALES.into_iter().enumerate() {
        let y = x * scale;
        // The nearest whole number (a conversion, cheaper than `round`); the division below
        // checks it exactly, and most figures with many decimals fail the cheaper test first.
        let n = (y + 0.5f64.copysign(y)) as i64;
        let n = n as f64;
        if (y - n).abs() > 0.01 || n / scale != x {
            continue;
        }
        // Below 2^35 * 10^4 < 2^49: a whole number exactly.
        let mut itoa = itoa::Buffer::new();
        let d = itoa.format(n.abs() as u64).as_bytes();
        if k > 0 && d.last() == Some(&b'0') {
            // Fewer decimals would have done: not the shortest (cannot happen; left to the
            // general way rather than trusted).
            return false;
        }
        if x < 0.0 {
            out.push(b'-');
        }
        if k == 0 {
            out.extend_from_slice(d);
        } else if d.len() > k {
            let (whole, fraction) = d.split_at(d.len() - k);
            out.extend_from_slice(whole);
            out.push(b'.');
            out.extend_from_slice(fraction);
        } else {
            out.extend_from_slice(b"0.");
            out.extend(std::iter::repeat_n(b'0', k - d.len()));
            out.extend_from_slice(d);
        }
        return true;
    }
    false
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
    use super::{digits_of, needs_quotes, number};

    /// The eight-bytes-at-a-time scan agrees with the plain one: every byte value at every
    /// place of strings of 0 to 20 bytes, among letters.
    #[test]
    fn needs_quotes_finds_every_comma_quote_and_line_break() {
        let plain = |b: &[u8]| b.iter().any(|&c| matches!(c, b',' | b'"' | b'\n' | b'\r'));
        for len in 0..=20 {
            for at in 0..len {
                for c in 0..=255u8 {
                    let mut s = vec![b'a'; len];
                    s[at] = c;
                    assert_eq!(needs_quotes(&s), plain(&s), "{s:?}");
                }
            }
        }
    }

    /// The digits written are `Display`'s, both ways: edge cases, then numbers of every magnitude,
    /// with few decimals (what indicator values look like), percents, and dyadic fractions
    /// (`x + j / 2^k`, the numbers that can tie) up to 2e14.
    #[test]
    fn numbers_read_as_display_writes_them() {
        let (mut digits, mut fmt, mut out) = (zmij::Buffer::new(), String::new(), Vec::new());
        // Both ways: with a few decimals tried first (`number`), and without (`digits_of`).
        let mut check = |x: f64| {
            out.clear();
            number(&mut out, &mut digits, &mut fmt, x);
            assert_eq!(std::str::from_utf8(&out), Ok(x.to_string().as_str()));
            out.clear();
            digits_of(&mut out, &mut digits, &mut fmt, x);
            assert_eq!(std::str::from_utf8(&out), Ok(x.to_string().as_str()));
        };
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
            0.0001,
            0.00015,
            -0.0005,
            0.00005,
            1234.5678,
            34359738367.9999,
            34359738368.0,
            17179869183.0001,
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
            // Few decimals, of every count around the four written without zmij.
            let scale = 10f64.powi((next() % 8) as i32);
            check((next() % 100_000_000_000) as f64 / scale);
            check(-((next() % 1_000_000) as f64) / scale);
            check((next() % 100_000) as f64 * 100.0 / (1 + next() % 100_000) as f64);
            let k = (next() % 40) as i32;
            let whole = (next() % 200_000_000_000_000) >> (next() % 48);
            let x = whole as f64 + (next() % (1 << 20)) as f64 / 2f64.powi(k);
            check(x);
            check(-x);
        }
    }
}
