//! Unit tests of the progress definitions (issue 13), on small frameworks made here.

use super::*;
use crate::framework::parse_str;

fn p(s: &str) -> FiscalPeriod {
    s.parse().unwrap()
}

/// A framework with one goal holding the given indicator tables (TOML, without the header).
fn fw(indicators: &str) -> Framework {
    let text = format!(
        "[strategy]\ncode = \"t\"\ntitle = \"T\"\nversion = \"v1\"\nstart = \"FY2023\"\nend = \"FY2026\"\n\n\
         [[goal]]\ncode = \"G1\"\ntitle = \"Goal\"\n\n{indicators}"
    );
    parse_str(&text, "framework.toml").unwrap()
}

fn val(ind: &str, period: &str, value: f64) -> PeriodValue {
    PeriodValue::total(ind, p(period), value, None)
}

/// The row of the first indicator for `period` from `values`.
fn row_of(fw: &Framework, period: &str, values: &[PeriodValue]) -> ProgressRow {
    let (node, ind) = fw.indicators().next().unwrap();
    let refs: Vec<&PeriodValue> = values.iter().filter(|v| v.indicator == ind.code).collect();
    row(fw, node, ind, p(period), &refs)
}

#[test]
fn a_quarter_against_a_year_baseline_is_short_not_above() {
    let f = fw(r#"
  [[goal.indicator]]
  code = "Q"
  title = "Quarterly"
  unit = "people"
  direction = "increase"
  frequency = "quarterly"
  baseline = { period = "FY2023", value = 10 }
  targets = { FY2024Q3 = 4 }
"#);
    let r = row_of(&f, "FY2024Q3", &[val("Q", "FY2024Q3", 0.0)]);
    assert_eq!(r.status, Status::Short);
    assert_eq!(r.achieved, Some(0.0));
    assert_eq!(r.deviation, Some(-100.0));
    assert_eq!(
        r.progress, None,
        "a year baseline is not set against a quarter"
    );
    assert!(r.needs_explanation);
}
