//! The value axis of a chart: round ticks (1, 2 or 5 times a power of ten) that cover the data,
//! positions along it, and labels at the ticks' precision.
//!
//! Positions are computed with halved operands so even values near `f64::MAX` stay finite; equal,
//! reversed or non-finite bounds still give a usable axis.

use crate::render::progress::number;

/// A value axis: from `min` to `max` in steps of `step` (all three multiples of `step`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Axis {
    pub min: f64,
    pub max: f64,
    pub step: f64,
}

/// 1, 2, 5 or 10 times the power of ten at or below `x` (`x` > 0); rounded to the nearest when
/// `round`, else the next one up.
fn nice_num(x: f64, round: bool) -> f64 {
    let exp = x.log10().floor();
    let pow = 10f64.powf(exp);
    let f = x / pow;
    let nf = match (round, f) {
        (true, f) if f < 1.5 => 1.0,
        (true, f) if f < 3.0 => 2.0,
        (true, f) if f < 7.0 => 5.0,
        (true, _) => 10.0,
        (false, f) if f <= 1.0 => 1.0,
        (false, f) if f <= 2.0 => 2.0,
        (false, f) if f <= 5.0 => 5.0,
        (false, _) => 10.0,
    };
    nf * pow
}

/// An axis covering `lo..=hi` with about `ticks` round ticks. Equal or reversed bounds, and
/// non-finite ones, still give a usable axis.
pub fn nice_axis(lo: f64, hi: f64, ticks: usize) -> Axis {
    let (mut lo, mut hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    if !lo.is_finite() || !hi.is_finite() {
        return Axis {
            min: 0.0,
            max: 1.0,
            step: 0.2,
        };
    }
    if lo == hi {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.5 };
        if lo >= 0.0 {
            lo = 0.0f64.min(lo);
            hi += pad;
        } else {
            lo -= pad;
            hi = 0.0f64.max(hi);
        }
    }
    let span = hi / 2.0 - lo / 2.0; // half the span: finite even for ±f64::MAX
    let range = if (hi - lo).is_finite() {
        nice_num(hi - lo, false)
    } else {
        nice_num(span, false) * 2.0
    };
    let step = nice_num(range / (ticks.max(2) - 1) as f64, true);
    if !step.is_finite() || step <= 0.0 {
        return Axis {
            min: lo,
            max: hi,
            step: span,
        };
    }
    let min = (lo / step).floor() * step;
    let max = (hi / step).ceil() * step;
    if !min.is_finite() || !max.is_finite() {
        return Axis {
            min: lo,
            max: hi,
            step: span,
        };
    }
    Axis { min, max, step }
}

impl Axis {
    /// The tick values, from `min` to `max` (at most 50).
    pub fn ticks(&self) -> Vec<f64> {
        let n = ((self.max / 2.0 - self.min / 2.0) / (self.step / 2.0)).round();
        let n = if n.is_finite() { n as usize } else { 1 }.min(50);
        (0..=n)
            .map(|i| {
                // Halved operands, so the last tick of a huge axis does not overflow.
                let v = (self.min / 2.0 + self.step / 2.0 * i as f64) * 2.0;
                if v.abs() < self.step * 1e-9 {
                    0.0 // no "-0" tick from rounding
                } else {
                    v
                }
            })
            .collect()
    }

    /// Where `v` falls, from 0 (at `min`) to 1 (at `max`).
    pub fn fraction(&self, v: f64) -> f64 {
        let span = self.max / 2.0 - self.min / 2.0;
        if span <= 0.0 {
            return 0.0;
        }
        ((v / 2.0 - self.min / 2.0) / span).clamp(0.0, 1.0)
    }

    /// A tick's label: round to the step's precision; large axes in millions (`M`), billions
    /// (`bn`) or trillions (`tn`); beyond that in exponent form.
    pub fn label(&self, v: f64) -> String {
        let top = self.min.abs().max(self.max.abs());
        let (scale, suffix) = match top {
            t if t >= 1e15 => return format!("{v:e}"),
            t if t >= 1e12 => (1e12, " tn"),
            t if t >= 1e9 => (1e9, " bn"),
            t if t >= 1e6 => (1e6, " M"),
            _ => (1.0, ""),
        };
        let step = self.step / scale;
        let decimals = (-(step.log10() + 1e-9).floor()).max(0.0) as i32;
        let p = 10f64.powi(decimals);
        format!("{}{suffix}", number(((v / scale) * p).round() / p))
    }
}

/// A short value for a bar label: three significant digits, `k`/`M`/`bn`/`tn` when large.
pub fn compact(v: f64) -> String {
    let a = v.abs();
    let (scale, suffix) = match a {
        a if a >= 1e15 => return format!("{v:.2e}"),
        a if a >= 1e12 => (1e12, "tn"),
        a if a >= 1e9 => (1e9, "bn"),
        a if a >= 1e6 => (1e6, "M"),
        a if a >= 1e4 => (1e3, "k"),
        _ => (1.0, ""),
    };
    let x = v / scale;
    let digits = if x.abs() >= 100.0 || x == 0.0 {
        0
    } else if x.abs() >= 10.0 {
        1
    } else if x.abs() >= 1.0 {
        2
    } else {
        3
    };
    let p = 10f64.powi(digits);
    format!("{}{suffix}", number((x * p).round() / p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticks(lo: f64, hi: f64) -> Vec<f64> {
        nice_axis(lo, hi, 5).ticks()
    }

    #[test]
    fn round_ticks_cover_the_data() {
        assert_eq!(ticks(0.0, 95.0), vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(ticks(0.0, 4.25), vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(ticks(0.0, 625_000.0).last(), Some(&800_000.0));
        assert_eq!(ticks(-3.0, 7.0), vec![-4.0, -2.0, 0.0, 2.0, 4.0, 6.0, 8.0]);
        assert_eq!(ticks(0.0, 0.3).len(), 4);
        for (lo, hi) in [
            (0.0, 95.0),
            (-3.0, 7.0),
            (0.0, 1e9),
            (-250.0, 0.0),
            (0.0, 0.003),
        ] {
            let a = nice_axis(lo, hi, 5);
            assert!(a.min <= lo && a.max >= hi, "{a:?} covers {lo}..{hi}");
            let n = a.ticks().len();
            assert!((3..=12).contains(&n), "{n} ticks for {lo}..{hi}");
            for t in a.ticks() {
                let k = t / a.step;
                assert!(
                    (k - k.round()).abs() < 1e-6,
                    "{t} is a multiple of {}",
                    a.step
                );
            }
        }
    }

    #[test]
    fn degenerate_ranges_still_make_an_axis() {
        assert_eq!(nice_axis(0.0, 0.0, 5).ticks().first(), Some(&0.0));
        assert!(nice_axis(0.0, 0.0, 5).max > 0.0);
        let single = nice_axis(5.0, 5.0, 5);
        assert!(single.min <= 0.0 && single.max >= 5.0);
        let neg = nice_axis(-5.0, -5.0, 5);
        assert!(neg.min <= -5.0 && neg.max >= 0.0);
        let rev = nice_axis(10.0, 0.0, 5);
        assert!(rev.min <= 0.0 && rev.max >= 10.0);
        let nan = nice_axis(f64::NAN, 1.0, 5);
        assert_eq!(nan.ticks().len(), 6);
    }

    #[test]
    fn huge_values_stay_finite() {
        let a = nice_axis(-f64::MAX, f64::MAX, 5);
        assert!(a.ticks().iter().all(|t| t.is_finite()));
        assert!(a.ticks().len() <= 51);
        assert_eq!(a.fraction(0.0), 0.5);
        let big = nice_axis(0.0, 3.2e12, 5);
        assert_eq!(big.label(2e12), "2 tn");
        let e = nice_axis(0.0, 1e300, 5);
        assert!(e.label(1e300).contains('e'));
        assert!(e.fraction(5e299) > 0.4 && e.fraction(5e299) < 0.6);
    }

    #[test]
    fn labels_round_to_the_step() {
        let a = nice_axis(0.0, 0.3, 5);
        let labels: Vec<String> = a.ticks().iter().map(|t| a.label(*t)).collect();
        assert!(labels.iter().all(|l| l.len() <= 4), "{labels:?}");
        assert!(labels.contains(&"0.1".to_string()), "{labels:?}");
        let m = nice_axis(0.0, 1_200_000.0, 5);
        assert_eq!(m.label(1_500_000.0), "1.5 M");
        let k = nice_axis(0.0, 625_000.0, 5);
        assert_eq!(k.label(600_000.0), "600,000");
        assert_eq!(nice_axis(-4.0, 0.0, 5).label(-2.0), "-2");
    }

    #[test]
    fn compact_bar_labels() {
        assert_eq!(compact(580_000.0), "580k");
        assert_eq!(compact(17.2), "17.2");
        assert_eq!(compact(4.25), "4.25");
        assert_eq!(compact(0.0), "0");
        assert_eq!(compact(-3.0), "-3");
        assert_eq!(compact(1_250_000.0), "1.25M");
        assert_eq!(compact(0.12345), "0.123");
    }

    #[test]
    fn fraction_maps_min_to_zero_and_max_to_one() {
        let a = nice_axis(-10.0, 30.0, 5);
        assert_eq!(a.fraction(a.min), 0.0);
        assert_eq!(a.fraction(a.max), 1.0);
        assert_eq!(a.fraction(a.max * 10.0), 1.0);
    }
}
