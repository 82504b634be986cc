//! The shipped strategy and its sample values, built into the binary so `ics demo` works from
//! any folder and after `cargo install`. They are the repository's `framework.toml` (the U.S.
//! Mission Peru ICS, from `docs/sources/004_e9c6204fff21d540.txt`) and
//! `examples/peru-values.csv` (every row cites its source document), byte for byte.

/// The name the shipped framework is stored under (the source file of its versions).
pub const FRAMEWORK_NAME: &str = "framework.toml";

/// The text of the shipped framework.
pub const FRAMEWORK: &str = include_str!("../framework.toml");

/// The name the shipped sample values are reported under.
pub const VALUES_NAME: &str = "examples/peru-values.csv";

/// The shipped sample values, in the `import-values` CSV format.
pub const VALUES: &str = include_str!("../examples/peru-values.csv");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_strategy_reads_and_every_value_cites_a_source_document() {
        let fw = crate::framework::parse::parse_str(FRAMEWORK, FRAMEWORK_NAME).unwrap();
        assert_eq!(fw.strategy.code, "peru-ics");
        let mut rows = csv::Reader::from_reader(VALUES.as_bytes());
        let headers = rows.headers().unwrap().clone();
        let source = headers.iter().position(|h| h == "source").unwrap();
        let mut n = 0;
        for row in rows.records() {
            let row = row.unwrap();
            assert!(row[source].contains(".txt: "), "{:?}", row);
            n += 1;
        }
        assert!(n >= 10, "{n} rows");
    }
}
