//! U.S. federal fiscal periods.
//!
//! The fiscal year runs 1 October to 30 September and is named for the calendar year it ends in:
//! `FY2020` is 2019-10-01..=2020-09-30 and `FY2020Q1` is 2019-10-01..=2019-12-31. This module is
//! the one parser of periods used everywhere (framework files, CSV, command arguments). Input is
//! case-insensitive; output is always canonical (`FY2020`, `FY2020Q1`).

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

/// The accepted forms, shown in every rejection.
pub const ACCEPTED_FORMS: &str =
    "a fiscal year like `FY2020`, a fiscal quarter like `FY2020Q3`, or a date like `2020-03-15`";

/// Fiscal years outside this range are rejected as typos.
pub const MIN_YEAR: i32 = 1900;
pub const MAX_YEAR: i32 = 2200;

/// A fiscal year or one of its quarters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FiscalPeriod {
    /// The fiscal year, named for the calendar year it ends in.
    pub year: i32,
    /// 1..=4 for a quarter, `None` for the whole year.
    pub quarter: Option<u8>,
}

/// A period as the user wrote it: an explicit period, or a date whose meaning depends on the
/// indicator's frequency (fiscal year for annual, fiscal quarter for quarterly).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodInput {
    Period(FiscalPeriod),
    Date(NaiveDate),
}

impl PeriodInput {
    /// Resolve a date to the fiscal quarter (`quarterly`) or fiscal year it falls in.
    pub fn resolve(self, quarterly: bool) -> FiscalPeriod {
        match self {
            PeriodInput::Period(p) => p,
            PeriodInput::Date(d) if quarterly => FiscalPeriod::quarter_of(d),
            PeriodInput::Date(d) => FiscalPeriod::year_of(d),
        }
    }
}

impl FromStr for PeriodInput {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        parse(s)
    }
}

/// Parse a period: `FY2020`, `FY2020Q3` (any case) or an ISO date `2020-03-15`.
pub fn parse(input: &str) -> Result<PeriodInput, String> {
    let s = input.trim();
    // `FY2024 Q2`: say what is wrong, not that the year lacks digits.
    if s.contains(char::is_whitespace) {
        let joined: String = s.split_whitespace().collect();
        if let Ok(p) = parse(&joined) {
            let fixed = match p {
                PeriodInput::Period(p) => p.to_string(),
                PeriodInput::Date(_) => joined,
            };
            return Err(format!(
                "`{input}` is not a period: remove the space: `{fixed}`"
            ));
        }
    }
    let reject = || format!("`{input}` is not a period; use {ACCEPTED_FORMS}");
    if s.len() >= 2 && s.is_char_boundary(2) && s[..2].eq_ignore_ascii_case("FY") {
        return fiscal(input, &s[2..]);
    }
    let looks_like_date = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if looks_like_date {
        let date = NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| format!("`{input}` is not a real date; use {ACCEPTED_FORMS}"))?;
        check_year(FiscalPeriod::year_of(date).year, input)?;
        return Ok(PeriodInput::Date(date));
    }
    Err(reject())
}

/// Parse what follows `FY` in `input`: four digits, then nothing or `Q1` to `Q4`. The error
/// says which of these is wrong.
fn fiscal(input: &str, rest: &str) -> Result<PeriodInput, String> {
    let not_a_period =
        |what: &str| format!("`{input}` is not a period: {what}; use {ACCEPTED_FORMS}");
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err(not_a_period(
            "after `FY` comes the fiscal year in four digits, as `FY2024`",
        ));
    }
    if digits != 4 {
        return Err(not_a_period("write the fiscal year with four digits"));
    }
    let after = &rest[digits..];
    let year: i32 = rest[..digits]
        .parse()
        .map_err(|_| not_a_period("write the fiscal year with four digits"))?;
    let quarter = match after.strip_prefix(['q', 'Q']) {
        None if after.is_empty() => None,
        Some(q) if q.len() == 1 && q.as_bytes()[0].is_ascii_digit() => {
            let q = q.as_bytes()[0] - b'0';
            if !(1..=4).contains(&q) {
                return Err(not_a_period("a fiscal year has quarters Q1 to Q4"));
            }
            Some(q)
        }
        _ => {
            // `FY2024-Q2`, `FY2024/Q2`: a separator before a quarter that would be right.
            let mut tail = after.chars();
            let separated = tail.next().is_some_and(|c| !c.is_alphanumeric())
                && tail.as_str().starts_with(['q', 'Q']);
            let joined = format!("FY{}{}", &rest[..digits], tail.as_str());
            return Err(match parse(&joined) {
                Ok(PeriodInput::Period(p)) if separated => {
                    not_a_period(&format!("write the quarter right after the year, as `{p}`"))
                }
                _ => not_a_period("after the year comes nothing (a fiscal year) or Q1 to Q4"),
            });
        }
    };
    check_year(year, input)?;
    Ok(PeriodInput::Period(FiscalPeriod { year, quarter }))
}

fn check_year(year: i32, input: &str) -> Result<(), String> {
    if (MIN_YEAR..=MAX_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(format!(
            "`{input}` is outside the fiscal years {MIN_YEAR} to {MAX_YEAR}; use {ACCEPTED_FORMS}"
        ))
    }
}

impl FiscalPeriod {
    pub fn year(year: i32) -> Self {
        FiscalPeriod {
            year,
            quarter: None,
        }
    }

    pub fn quarter(year: i32, quarter: u8) -> Self {
        debug_assert!((1..=4).contains(&quarter));
        FiscalPeriod {
            year,
            quarter: Some(quarter),
        }
    }

    /// The fiscal year a date falls in.
    pub fn year_of(date: NaiveDate) -> Self {
        let year = if date.month() >= 10 {
            date.year() + 1
        } else {
            date.year()
        };
        FiscalPeriod::year(year)
    }

    /// The fiscal quarter a date falls in.
    pub fn quarter_of(date: NaiveDate) -> Self {
        let fy = Self::year_of(date).year;
        // October..December is Q1, January..March Q2, April..June Q3, July..September Q4.
        let q = ((date.month0() + 3) % 12) / 3 + 1;
        FiscalPeriod::quarter(fy, q as u8)
    }

    pub fn is_quarter(&self) -> bool {
        self.quarter.is_some()
    }

    /// The fiscal year this period belongs to.
    pub fn fiscal_year(&self) -> FiscalPeriod {
        FiscalPeriod::year(self.year)
    }

    /// First day of the period.
    pub fn start(&self) -> NaiveDate {
        let q = self.quarter.unwrap_or(1) as u32;
        let (y, m) = if q == 1 {
            (self.year - 1, 10)
        } else {
            (self.year, (q - 2) * 3 + 1)
        };
        NaiveDate::from_ymd_opt(y, m, 1).expect("fiscal period start is a valid date")
    }

    /// Last day of the period.
    pub fn end(&self) -> NaiveDate {
        let (y, m, d) = match self.quarter {
            None | Some(4) => (self.year, 9, 30),
            Some(1) => (self.year - 1, 12, 31),
            Some(2) => (self.year, 3, 31),
            Some(_) => (self.year, 6, 30),
        };
        NaiveDate::from_ymd_opt(y, m, d).expect("fiscal period end is a valid date")
    }

    /// Whether `other` lies within this period (a year contains its quarters).
    pub fn contains(&self, other: &FiscalPeriod) -> bool {
        self.year == other.year && (self.quarter.is_none() || self.quarter == other.quarter)
    }

    /// The periods this one covers: a fiscal year covers itself and its four quarters, a
    /// quarter only itself. Values of a fiscal year are selected with it.
    pub fn span(&self) -> PeriodRange {
        match self.quarter {
            Some(_) => PeriodRange::new(*self, *self),
            None => PeriodRange::fiscal_years(self.year, self.year),
        }
    }

    /// The four quarters of this period's fiscal year.
    pub fn quarters(&self) -> [FiscalPeriod; 4] {
        [1, 2, 3, 4].map(|q| FiscalPeriod::quarter(self.year, q))
    }
}

/// The periods from `from` through `through`, inclusive, in period order: a fiscal year comes
/// before its quarters, so `FY2022` through `FY2022Q4` is the year and its quarters. This is
/// how a caller asks the store for the values or targets of some periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodRange {
    pub from: FiscalPeriod,
    pub through: FiscalPeriod,
}

impl PeriodRange {
    pub fn new(from: FiscalPeriod, through: FiscalPeriod) -> Self {
        PeriodRange { from, through }
    }

    /// Fiscal years `first` through `last`, each with its quarters (nothing when `first` is
    /// after `last`).
    pub fn fiscal_years(first: i32, last: i32) -> Self {
        PeriodRange::new(FiscalPeriod::year(first), FiscalPeriod::quarter(last, 4))
    }

    /// Every period there can be, [`MIN_YEAR`] through [`MAX_YEAR`].
    pub fn all() -> Self {
        PeriodRange::fiscal_years(MIN_YEAR, MAX_YEAR)
    }

    /// Whether `p` lies in the range.
    pub fn contains(&self, p: FiscalPeriod) -> bool {
        self.from <= p && p <= self.through
    }
}

impl fmt::Display for FiscalPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.quarter {
            Some(q) => write!(f, "FY{:04}Q{q}", self.year),
            None => write!(f, "FY{:04}", self.year),
        }
    }
}

impl FromStr for FiscalPeriod {
    type Err = String;

    /// Parse an explicit period; a date means the fiscal year it falls in.
    fn from_str(s: &str) -> Result<Self, String> {
        parse(s).map(|p| p.resolve(false))
    }
}

impl serde::Serialize for FiscalPeriod {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for FiscalPeriod {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn p(s: &str) -> FiscalPeriod {
        s.parse().unwrap()
    }

    #[test]
    fn fiscal_year_boundaries() {
        assert_eq!(FiscalPeriod::year_of(d(2019, 9, 30)), p("FY2019"));
        assert_eq!(FiscalPeriod::year_of(d(2019, 10, 1)), p("FY2020"));
        assert_eq!(FiscalPeriod::quarter_of(d(2019, 10, 1)), p("FY2020Q1"));
        assert_eq!(FiscalPeriod::quarter_of(d(2019, 12, 31)), p("FY2020Q1"));
        assert_eq!(FiscalPeriod::quarter_of(d(2020, 1, 1)), p("FY2020Q2"));
        assert_eq!(FiscalPeriod::quarter_of(d(2020, 3, 15)), p("FY2020Q2"));
        assert_eq!(FiscalPeriod::quarter_of(d(2020, 6, 30)), p("FY2020Q3"));
        assert_eq!(FiscalPeriod::quarter_of(d(2020, 9, 30)), p("FY2020Q4"));
    }

    #[test]
    fn period_dates() {
        assert_eq!(p("FY2020").start(), d(2019, 10, 1));
        assert_eq!(p("FY2020").end(), d(2020, 9, 30));
        assert_eq!(p("FY2020Q1").start(), d(2019, 10, 1));
        assert_eq!(p("FY2020Q1").end(), d(2019, 12, 31));
        assert_eq!(p("FY2020Q2").start(), d(2020, 1, 1));
        assert_eq!(p("FY2020Q2").end(), d(2020, 3, 31));
        assert_eq!(p("FY2020Q3").end(), d(2020, 6, 30));
        assert_eq!(p("FY2020Q4").start(), d(2020, 7, 1));
        assert_eq!(p("FY2020Q4").end(), d(2020, 9, 30));
    }

    #[test]
    fn leap_days() {
        assert_eq!(
            parse("2020-02-29").unwrap().resolve(true),
            p("FY2020Q2"),
            "2020 is a leap year"
        );
        let err = parse("2019-02-29").unwrap_err();
        assert!(err.contains("not a real date"), "{err}");
        assert!(parse("2020-02-30").unwrap_err().contains("not a real date"));
    }

    #[test]
    fn dates_resolve_by_frequency() {
        let input = parse("2020-03-15").unwrap();
        assert_eq!(input.resolve(false), p("FY2020"));
        assert_eq!(input.resolve(true), p("FY2020Q2"));
    }

    #[test]
    fn case_insensitive_and_canonical() {
        assert_eq!(p("fy2020q1").to_string(), "FY2020Q1");
        assert_eq!(p(" Fy2021 ").to_string(), "FY2021");
    }

    #[test]
    fn garbage_is_rejected_with_the_accepted_forms() {
        for bad in [
            "",
            "FY20",
            "FY2020Q5",
            "FY2020Q0",
            "FY2020Q",
            "FY2020Q12",
            "2020",
            "Q1FY2020",
            "FY-2020",
            "FY20200",
            "20-03-2020",
            "2020/03/15",
            "FY２０２０",
            "FY1800",
            "ÿÿ",
        ] {
            let err = parse(bad).expect_err(bad);
            assert!(err.contains("FY2020Q3"), "{bad}: {err}");
        }
    }

    #[test]
    fn a_near_miss_is_told_what_is_wrong() {
        for sep in ["-", "/", "_", ".", "–", "\\"] {
            let input = format!("fy2024{sep}q2");
            let err = parse(&input).expect_err(&input);
            assert!(
                err.contains("write the quarter right after the year, as `FY2024Q2`"),
                "{input}: {err}"
            );
        }
        for junk in [
            "FY2024x",
            "FY2024 x",
            "FY2024-",
            "FY2024Qx",
            "FY2024–x",
            "FY2024–",
            "FY2024Q12",
        ] {
            let err = parse(junk).expect_err(junk);
            assert!(
                err.contains("after the year comes nothing (a fiscal year) or Q1 to Q4"),
                "{junk}: {err}"
            );
        }
        let err = parse("FY\x1b[2J").unwrap_err();
        assert!(err.contains("after `FY` comes the fiscal year"), "{err}");
        for short in ["FY20", "FY20200", "FY202Q1", "FY20x"] {
            let err = parse(short).unwrap_err();
            assert!(
                err.contains("write the fiscal year with four digits"),
                "{short}: {err}"
            );
        }
        for err in [parse("FY2024-Q2"), parse("FY2024x"), parse("FY20")] {
            assert!(err.unwrap_err().contains("FY2020Q3"));
        }
    }

    #[test]
    fn year_contains_its_quarters() {
        assert!(p("FY2020").contains(&p("FY2020Q3")));
        assert!(!p("FY2020Q2").contains(&p("FY2020Q3")));
        assert!(!p("FY2020").contains(&p("FY2021Q1")));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn any_period() -> impl Strategy<Value = FiscalPeriod> {
        (MIN_YEAR..=MAX_YEAR, 0u8..=4).prop_map(|(y, q)| FiscalPeriod {
            year: y,
            quarter: (q > 0).then_some(q),
        })
    }

    proptest! {
        #[test]
        fn every_printed_period_parses_back(p in any_period()) {
            prop_assert_eq!(p.to_string().parse::<FiscalPeriod>(), Ok(p));
            prop_assert_eq!(p.to_string().to_lowercase().parse::<FiscalPeriod>(), Ok(p));
        }

        #[test]
        fn a_period_contains_its_own_dates(p in any_period()) {
            prop_assert!(p.start() <= p.end());
            prop_assert_eq!(PeriodInput::Date(p.start()).resolve(p.is_quarter()), p);
            prop_assert_eq!(PeriodInput::Date(p.end()).resolve(p.is_quarter()), p);
        }

        #[test]
        fn the_parser_never_panics(s in "\\PC{0,24}") {
            let _ = parse(&s);
        }

        #[test]
        fn near_miss_inputs_never_panic(s in "[Ff][Yy][0-9]{0,6}([Qq][0-9]{0,2})?") {
            let _ = parse(&s);
        }
    }
}
