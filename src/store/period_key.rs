//! How a period is stored: one integer that sorts like the periods, `year * 10 + quarter`
//! (0 for a year). Only the store knows this encoding; everything above it speaks
//! [`FiscalPeriod`]s and ranges of them.

use crate::period::{FiscalPeriod, MAX_YEAR, MIN_YEAR};

/// A period's stored key.
pub(crate) trait PeriodKey {
    fn key(&self) -> i64;
}

impl PeriodKey for FiscalPeriod {
    fn key(&self) -> i64 {
        self.year as i64 * 10 + self.quarter.unwrap_or(0) as i64
    }
}

/// The inverse of [`PeriodKey::key`]; `None` for a key no period has, including a year outside
/// [`MIN_YEAR`]..=[`MAX_YEAR`]: a stored key is held to the range the parser accepts, so
/// whatever is read back can be printed, exported and imported again.
pub(crate) fn from_key(key: i64) -> Option<FiscalPeriod> {
    let year = i32::try_from(key.div_euclid(10)).ok()?;
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return None;
    }
    let q = key.rem_euclid(10) as u8;
    match q {
        0 => Some(FiscalPeriod::year(year)),
        1..=4 => Some(FiscalPeriod::quarter(year, q)),
        _ => None,
    }
}

/// An SQL condition true when the integer column `column` holds no period [`from_key`]
/// accepts (the same range the period parser accepts).
pub(crate) fn not_a_period_sql(column: &str) -> String {
    let (lo, hi) = (
        FiscalPeriod::year(MIN_YEAR).key(),
        FiscalPeriod::quarter(MAX_YEAR, 4).key(),
    );
    format!("{column} NOT BETWEEN {lo} AND {hi} OR {column} % 10 > 4")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> FiscalPeriod {
        s.parse().unwrap()
    }

    #[test]
    fn key_round_trip_and_order() {
        for s in ["FY2020", "FY2020Q1", "FY2020Q4", "FY1999Q2"] {
            assert_eq!(from_key(p(s).key()), Some(p(s)));
        }
        assert!(p("FY2020").key() < p("FY2020Q1").key());
        assert!(p("FY2020Q4").key() < p("FY2021").key());
        assert_eq!(from_key(20205), None);
    }

    #[test]
    fn keys_outside_the_calendar_are_not_periods() {
        // A damaged database: FY9999 prints but cannot be parsed back; a huge year has no
        // dates at all (`start()` would panic).
        for key in [99990, 99_999_990, -10, 18990, 22010, i64::MAX, i64::MIN] {
            assert_eq!(from_key(key), None, "{key}");
        }
        for key in [19000, 22004] {
            let p = from_key(key).unwrap();
            assert_eq!(p.to_string().parse::<FiscalPeriod>().unwrap().key(), key);
        }
    }

    proptest::proptest! {
        #[test]
        fn every_period_has_a_key_that_reads_back(y in crate::period::MIN_YEAR..=crate::period::MAX_YEAR, q in 0u8..=4) {
            let p = if q == 0 { FiscalPeriod::year(y) } else { FiscalPeriod::quarter(y, q) };
            proptest::prop_assert_eq!(from_key(p.key()), Some(p));
        }
    }

    #[test]
    fn the_sql_condition_is_the_range() {
        assert_eq!(
            not_a_period_sql("period"),
            format!(
                "period NOT BETWEEN {} AND {} OR period % 10 > 4",
                MIN_YEAR as i64 * 10,
                MAX_YEAR as i64 * 10 + 4
            )
        );
    }
}
