//! The names of the lint rules: the keys `[settings.lint]` accepts.
//!
//! The framework owns this list so that reading a framework file needs nothing from `lint`:
//! `lint` depends on `framework`, never the reverse. `lint::Rule` takes each rule's name from
//! here, by its position in [`LINT_RULE_NAMES`], which is the order of `lint::Rule::ALL`.

/// Every lint rule name, in rule order (stable kebab-case, as shown and as written under
/// `[settings.lint]`).
pub const LINT_RULE_NAMES: [&str; 13] = [
    "objective-without-indicator",
    "indicator-missing-definition",
    "indicator-missing-unit",
    "indicator-missing-source",
    "indicator-missing-baseline",
    "strategy-without-period",
    "year-without-target",
    "target-outside-period",
    "do-supports-nothing",
    "theme-applies-to-nothing",
    "value-without-target",
    "pirs-incomplete",
    "dqa-overdue",
];

#[cfg(test)]
mod tests {
    /// The layering holds by construction: no framework module refers to `lint`.
    #[test]
    fn the_framework_does_not_depend_on_lint() {
        let files = crate::rust_sources("src/framework");
        for path in &files {
            let text = std::fs::read_to_string(path).unwrap();
            assert!(
                !text.contains(concat!("crate::", "lint")),
                "{} uses the lint module",
                path.display()
            );
        }
        assert!(
            files.len() > 5,
            "only {} framework files found",
            files.len()
        );
    }
}
