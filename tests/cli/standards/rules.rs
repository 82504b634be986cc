//! A runner for the IATI Standard's rulesets (`vendor/iati/rulesets/standard.json`, the rules
//! the IATI Validator applies beyond the schema) and for the codelist rules (every coded
//! attribute `ics` writes is a current code of its official codelist,
//! `vendor/iati/codelists/*.xml`). It evaluates the rules' own XPath 1.0 expressions with
//! `sxd-xpath`, so a rule is applied as written, not re-implemented by hand.
//!
//! Rule types (IATI-Rulesets `SPEC.rst`), as applied here:
//! - `atleast_one`: one of `paths` matches (a `condition`, when given, must hold first);
//! - `no_more_than_one`: the `paths` match one node at most, all together;
//! - `one_or_all`: the activity has `one`, or every element that could carry `all` does;
//! - `date_order`: every `less` date is before every `more` date (`NOW` is today; a date is
//!   not "in the future" when it is today);
//! - `date_now`: the `date` is not after today;
//! - `regex_matches`: every value of `paths` matches `regex`;
//! - `no_spaces`: no value of `paths` starts or ends with white space;
//! - `startswith`: every value of `paths` starts with one of the `prefix` values and the
//!   `separator`;
//! - `unique`: the values of `paths` are all different;
//! - `strict_sum`: when `condition` holds, the numbers at `paths` add up to `sum` (exactly, up
//!   to binary floating point rounding);
//! - `range`: every number at `paths` is within `min`..=`max`;
//! - `if_then`: when `if` is true, `then` is true;
//! - `loop`: for each distinct value of `foreach`, the `do` rules with `$1` replaced by it in
//!   the fields named by `subs`;
//! - `time_limit`: `end` is at most a year after `start`;
//! - `between_dates`: `date` is within `start`..=`end`.
//!
//! Not applied (see [`SKIPPED`]): rules 1.14.8 and 1.18.8 (`startswith` of `ORG-ID-PREFIX`)
//! need the org-id.guide list of registration agencies, which is not vendored. Rules with an
//! `idCondition` (`NOT_EXISTING_ORG_ID`...) are applied always, which is stricter than the
//! Validator (it skips them for identifiers it finds in the IATI registry).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value as Json;
use sxd_document::dom::Document;
use sxd_document::parser;
use sxd_xpath::nodeset::Node;
use sxd_xpath::{Context, Factory, Value};

/// Rules the runner does not apply, with the reason.
pub const SKIPPED: [(&str, &str); 2] = [
    (
        "1.14.8",
        "needs the org-id.guide list of organisation registration agencies (ORG-ID-PREFIX)",
    ),
    (
        "1.18.8",
        "needs the org-id.guide list of organisation registration agencies (ORG-ID-PREFIX); organisation files only",
    ),
];

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Failure {
    pub id: String,
    pub severity: String,
    pub message: String,
    /// The element the rule was applied to, as `name[position]` steps.
    pub at: String,
}

/// What a run found, and which rules met an element of the file at all.
#[derive(Debug, Default)]
pub struct Report {
    pub failures: Vec<Failure>,
    /// Ids of the rules whose context matched at least one element (and whose `condition` /
    /// `if`, when given, held at least once).
    pub exercised: BTreeSet<String>,
    /// Ids of every rule in the ruleset that the runner applies.
    pub applied: BTreeSet<String>,
}

impl Report {
    pub fn errors(&self) -> Vec<&Failure> {
        self.failures
            .iter()
            .filter(|f| f.severity == "error")
            .collect()
    }

    pub fn ids(&self) -> BTreeSet<&str> {
        self.failures.iter().map(|f| f.id.as_str()).collect()
    }
}

fn vendor(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("vendor/iati")
        .join(path)
}

/// The ruleset, as vendored.
pub fn ruleset() -> Json {
    let text = std::fs::read_to_string(vendor("rulesets/standard.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

struct Runner<'d> {
    factory: Factory,
    context: Context<'d>,
    today: chrono::NaiveDate,
    report: Report,
}

impl<'d> Runner<'d> {
    fn eval(&self, xpath: &str, node: Node<'d>) -> Value<'d> {
        let x = self
            .factory
            .build(xpath)
            .unwrap_or_else(|e| panic!("xpath `{xpath}`: {e:?}"))
            .unwrap_or_else(|| panic!("empty xpath"));
        x.evaluate(&self.context, node)
            .unwrap_or_else(|e| panic!("xpath `{xpath}`: {e:?}"))
    }

    fn nodes(&self, xpath: &str, node: Node<'d>) -> Vec<Node<'d>> {
        match self.eval(xpath, node) {
            Value::Nodeset(n) => n.document_order(),
            other => panic!("`{xpath}` is not a node set: {other:?}"),
        }
    }

    fn strings(&self, xpath: &str, node: Node<'d>) -> Vec<String> {
        self.nodes(xpath, node)
            .iter()
            .map(|n| n.string_value())
            .collect()
    }

    fn all_strings(&self, paths: &Json, node: Node<'d>) -> Vec<String> {
        strs(paths)
            .iter()
            .flat_map(|p| self.strings(p, node))
            .collect()
    }

    fn date(&self, xpath: &str, node: Node<'d>) -> Vec<chrono::NaiveDate> {
        if xpath == "NOW" {
            return vec![self.today];
        }
        self.strings(xpath, node)
            .iter()
            .filter_map(|s| chrono::NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok())
            .collect()
    }

    fn fail(&mut self, case: &Json, node: Node<'d>, detail: String) {
        let info = &case["ruleInfo"];
        self.report.failures.push(Failure {
            id: info["id"].as_str().unwrap_or("?").to_string(),
            severity: info["severity"].as_str().unwrap_or("?").to_string(),
            message: format!("{} ({detail})", info["message"].as_str().unwrap_or("")),
            at: path_of(node),
        });
    }

    /// Apply the cases of one rule type to one context node.
    fn rule(&mut self, kind: &str, cases: &[Json], node: Node<'d>) {
        for case in cases {
            let id = case["ruleInfo"]["id"].as_str().unwrap_or("?").to_string();
            if kind == "loop" {
                self.looped(case, node);
                continue;
            }
            if SKIPPED.iter().any(|(s, _)| *s == id) {
                continue;
            }
            self.report.applied.insert(id.clone());
            if let Some(cond) = case["condition"].as_str() {
                if !self.eval(cond, node).boolean() {
                    continue;
                }
            }
            let mut exercised = true;
            match kind {
                "atleast_one" => {
                    if !strs(&case["paths"])
                        .iter()
                        .any(|p| !self.nodes(p, node).is_empty())
                    {
                        self.fail(case, node, format!("none of {}", case["paths"]));
                    }
                }
                "no_more_than_one" => {
                    let n: usize = strs(&case["paths"])
                        .iter()
                        .map(|p| self.nodes(p, node).len())
                        .sum();
                    if n > 1 {
                        self.fail(case, node, format!("{n} of {}", case["paths"]));
                    }
                }
                "one_or_all" => {
                    let one = case["one"].as_str().unwrap_or_default();
                    let all = case["all"].as_str().unwrap_or_default();
                    if self.nodes(one, node).is_empty() {
                        let (elements, attr) = match all {
                            "lang" => (".//narrative", "@xml:lang"),
                            "currency" => (".//value", "@currency"),
                            "sector" => ("transaction", "sector"),
                            other => panic!("one_or_all `{other}` is not known"),
                        };
                        let missing = self
                            .nodes(elements, node)
                            .into_iter()
                            .filter(|e| self.nodes(attr, *e).is_empty())
                            .count();
                        if missing > 0 || all == "sector" && self.nodes(elements, node).is_empty() {
                            self.fail(case, node, format!("no {one} and {missing} without {attr}"));
                        }
                    }
                }
                "date_order" => {
                    let less = case["less"].as_str().unwrap_or_default();
                    let more = case["more"].as_str().unwrap_or_default();
                    let (l, m) = (self.date(less, node), self.date(more, node));
                    exercised = !l.is_empty() && !m.is_empty();
                    for a in &l {
                        for b in &m {
                            let wrong = if more == "NOW" { a > b } else { a >= b };
                            if wrong {
                                self.fail(case, node, format!("{less} {a}, {more} {b}"));
                            }
                        }
                    }
                }
                "date_now" => {
                    let d = self.date(case["date"].as_str().unwrap_or_default(), node);
                    exercised = !d.is_empty();
                    let today = self.today;
                    for a in d.iter().filter(|a| **a > today) {
                        self.fail(case, node, format!("{a}"));
                    }
                }
                "regex_matches" => {
                    let re = regex::Regex::new(case["regex"].as_str().unwrap_or_default()).unwrap();
                    let values = self.all_strings(&case["paths"], node);
                    exercised = !values.is_empty();
                    for v in values.iter().filter(|v| !re.is_match(v)) {
                        self.fail(case, node, format!("`{v}`"));
                    }
                }
                "no_spaces" => {
                    let values = self.all_strings(&case["paths"], node);
                    exercised = !values.is_empty();
                    for v in values.iter().filter(|v| v.trim() != v.as_str()) {
                        self.fail(case, node, format!("`{v}`"));
                    }
                }
                "startswith" => {
                    let sep = case["separator"].as_str().unwrap_or_default();
                    let prefixes: Vec<String> = self
                        .all_strings(&case["prefix"], node)
                        .into_iter()
                        .map(|p| format!("{p}{sep}"))
                        .collect();
                    let values = self.all_strings(&case["paths"], node);
                    exercised = !values.is_empty();
                    for v in values
                        .iter()
                        .filter(|v| !prefixes.iter().any(|p| v.starts_with(p.as_str())))
                    {
                        self.fail(
                            case,
                            node,
                            format!("`{v}` does not start with {prefixes:?}"),
                        );
                    }
                }
                "unique" => {
                    let values = self.all_strings(&case["paths"], node);
                    let distinct: BTreeSet<&String> = values.iter().collect();
                    if distinct.len() < values.len() {
                        self.fail(case, node, format!("{values:?}"));
                    }
                }
                "strict_sum" => {
                    let values = self.all_strings(&case["paths"], node);
                    let sum: f64 = values
                        .iter()
                        .map(|v| v.trim().parse::<f64>().unwrap_or(f64::NAN))
                        .sum();
                    let want = case["sum"].as_f64().unwrap_or(f64::NAN);
                    if (sum - want).abs().is_nan() || (sum - want).abs() >= 1e-9 {
                        self.fail(case, node, format!("{values:?} add up to {sum}"));
                    }
                }
                "range" => {
                    let values = self.all_strings(&case["paths"], node);
                    exercised = !values.is_empty();
                    let (lo, hi) = (
                        case["min"].as_f64().unwrap_or(f64::MIN),
                        case["max"].as_f64().unwrap_or(f64::MAX),
                    );
                    for v in &values {
                        let n = v.trim().parse::<f64>().unwrap_or(f64::NAN);
                        if !(lo..=hi).contains(&n) {
                            self.fail(case, node, format!("`{v}`"));
                        }
                    }
                }
                "if_then" => {
                    let cond = case["if"].as_str().unwrap_or_default();
                    exercised = self.eval(cond, node).boolean();
                    if exercised
                        && !self
                            .eval(case["then"].as_str().unwrap_or_default(), node)
                            .boolean()
                    {
                        self.fail(case, node, format!("if {cond}"));
                    }
                }
                "time_limit" => {
                    let s = self.date(case["start"].as_str().unwrap_or_default(), node);
                    let e = self.date(case["end"].as_str().unwrap_or_default(), node);
                    for (a, b) in s.iter().zip(&e) {
                        if (*b - *a).num_days() > 366 {
                            self.fail(case, node, format!("{a} to {b}"));
                        }
                    }
                }
                "between_dates" => {
                    let d = self.date(case["date"].as_str().unwrap_or_default(), node);
                    let s = self.date(case["start"].as_str().unwrap_or_default(), node);
                    let e = self.date(case["end"].as_str().unwrap_or_default(), node);
                    for x in &d {
                        if s.iter().any(|a| x < a) || e.iter().any(|b| x > b) {
                            self.fail(case, node, format!("{x}"));
                        }
                    }
                }
                other => panic!("rule type `{other}` is not implemented"),
            }
            if exercised {
                self.report.exercised.insert(id);
            }
        }
    }

    fn looped(&mut self, case: &Json, node: Node<'d>) {
        let foreach = case["foreach"].as_str().unwrap_or_default();
        let subs = strs(&case["subs"]);
        let values: BTreeSet<String> = self.strings(foreach, node).into_iter().collect();
        // Register the looped rules as applied even when nothing loops.
        for (_, inner) in case["do"].as_object().into_iter().flatten() {
            for c in inner["cases"].as_array().into_iter().flatten() {
                self.report
                    .applied
                    .insert(c["ruleInfo"]["id"].as_str().unwrap_or("?").to_string());
            }
        }
        for v in values {
            for (kind, inner) in case["do"].as_object().into_iter().flatten() {
                let cases: Vec<Json> = inner["cases"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|c| substitute(c, &subs, &v))
                    .collect();
                self.rule(kind, &cases, node);
            }
        }
    }
}

/// A case with `$1` replaced by `value` in the fields named by `subs`.
fn substitute(case: &Json, subs: &[&str], value: &str) -> Json {
    let mut c = case.clone();
    for key in subs {
        let field = &mut c[*key];
        match field {
            Json::String(s) => *s = s.replace("$1", value),
            Json::Array(items) => {
                for i in items.iter_mut() {
                    if let Json::String(s) = i {
                        *s = s.replace("$1", value);
                    }
                }
            }
            _ => {}
        }
    }
    c
}

fn strs(v: &Json) -> Vec<&str> {
    match v {
        Json::String(s) => vec![s.as_str()],
        Json::Array(items) => items.iter().filter_map(Json::as_str).collect(),
        _ => Vec::new(),
    }
}

fn path_of(node: Node<'_>) -> String {
    let mut steps = Vec::new();
    let mut n = Some(node);
    while let Some(x) = n {
        if let Some(e) = x.element() {
            let name = e.name().local_part();
            let position = x
                .parent()
                .map(|p| {
                    p.children()
                        .iter()
                        .filter_map(|c| c.element())
                        .filter(|c| c.name().local_part() == name)
                        .position(|c| c == e)
                        .unwrap_or(0)
                        + 1
                })
                .unwrap_or(1);
            steps.push(format!("{name}[{position}]"));
        }
        n = x.parent();
    }
    steps.reverse();
    format!("/{}", steps.join("/"))
}

fn context<'d>() -> Context<'d> {
    let mut c = Context::new();
    c.set_namespace("xml", "http://www.w3.org/XML/1998/namespace");
    c
}

/// Run every rule of the vendored ruleset over `xml`, `today` standing for `NOW`.
pub fn run_ruleset(xml: &str, today: chrono::NaiveDate) -> Report {
    let package = parser::parse(xml).expect("the export parses as XML");
    let doc = package.as_document();
    run_on(&doc, today)
}

fn run_on<'d>(doc: &'d Document<'d>, today: chrono::NaiveDate) -> Report {
    let rules = ruleset();
    let mut r = Runner {
        factory: Factory::new(),
        context: context(),
        today,
        report: Report::default(),
    };
    let root: Node<'d> = doc.root().into();
    for (selector, kinds) in rules.as_object().unwrap() {
        let nodes = r.nodes(selector, root);
        for (kind, body) in kinds.as_object().unwrap() {
            let cases = body["cases"].as_array().unwrap().clone();
            if nodes.is_empty() {
                // Applied, but nothing in the file meets them.
                for c in &cases {
                    collect_ids(c, &mut r.report.applied);
                }
                continue;
            }
            for n in &nodes {
                r.rule(kind, &cases, *n);
            }
        }
    }
    for (id, _) in SKIPPED {
        r.report.applied.remove(id);
    }
    r.report.failures.sort();
    r.report.failures.dedup();
    r.report
}

fn collect_ids(case: &Json, out: &mut BTreeSet<String>) {
    if let Some(id) = case["ruleInfo"]["id"].as_str() {
        out.insert(id.to_string());
    }
    for (_, inner) in case["do"].as_object().into_iter().flatten() {
        for c in inner["cases"].as_array().into_iter().flatten() {
            collect_ids(c, out);
        }
    }
}

/// Every current (not withdrawn) code of a vendored codelist, read with an XML parser of its
/// own (not ics's embedded reader).
pub fn codelist(name: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(vendor(&format!("codelists/{name}.xml"))).unwrap();
    let package = parser::parse(&text).unwrap();
    let doc = package.as_document();
    let factory = Factory::new();
    let x = factory
        .build("//codelist-item[not(@status='withdrawn')]/code")
        .unwrap()
        .unwrap();
    match x.evaluate(&Context::new(), doc.root()).unwrap() {
        Value::Nodeset(n) => n
            .iter()
            .map(|c| c.string_value().trim().to_string())
            .collect(),
        _ => unreachable!(),
    }
}

/// The coded attributes `ics` writes and their codelists. Sector codes depend on the
/// vocabulary and are checked apart.
pub const CODED: [(&str, &str); 12] = [
    ("//iati-activity/@xml:lang", "Language"),
    ("//iati-activity/@default-currency", "Currency"),
    ("//reporting-org/@type", "OrganisationType"),
    ("//participating-org/@type", "OrganisationType"),
    ("//participating-org/@role", "OrganisationRole"),
    ("//iati-activity/description/@type", "DescriptionType"),
    ("//activity-status/@code", "ActivityStatus"),
    ("//activity-date/@type", "ActivityDateType"),
    ("//recipient-country/@code", "Country"),
    ("//sector/@vocabulary", "SectorVocabulary"),
    ("//result/@type", "ResultType"),
    ("//indicator/@measure", "IndicatorMeasure"),
];

/// The codelist rules: every coded attribute is a current code of its codelist; sector codes
/// of vocabularies 1 and 2 are in Sector and SectorCategory; indicator reference vocabularies
/// are in IndicatorVocabulary; narrative languages are in Language. Returns one line per code
/// that is not, and the number of codes checked.
pub fn run_codelists(xml: &str) -> (Vec<String>, usize) {
    let package = parser::parse(xml).expect("the export parses as XML");
    let doc = package.as_document();
    let factory = Factory::new();
    let ctx = context();
    let eval = |xpath: &str| -> Vec<String> {
        let x = factory.build(xpath).unwrap().unwrap();
        match x.evaluate(&ctx, doc.root()).unwrap() {
            Value::Nodeset(n) => n
                .document_order()
                .iter()
                .map(|c| c.string_value())
                .collect(),
            other => panic!("{other:?}"),
        }
    };
    let mut lists: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut checks: Vec<(String, &str, String)> = Vec::new();
    let extra = [
        ("//indicator/reference/@vocabulary", "IndicatorVocabulary"),
        ("//narrative/@xml:lang", "Language"),
        (
            "//sector[@vocabulary='1' or not(@vocabulary)]/@code",
            "Sector",
        ),
        ("//sector[@vocabulary='2']/@code", "SectorCategory"),
    ];
    for (xpath, list) in CODED.iter().chain(extra.iter()) {
        for v in eval(xpath) {
            checks.push((xpath.to_string(), list, v));
        }
    }
    let mut out = Vec::new();
    for (xpath, list, code) in &checks {
        let codes = lists.entry(list).or_insert_with(|| codelist(list));
        if !codes.contains(code) {
            out.push(format!(
                "{xpath} = `{code}` is not a current code of the {list} codelist"
            ));
        }
    }
    (out, checks.len())
}

/// Both runners over an export: no rule of any severity broken, no code outside its list.
#[track_caller]
pub fn assert_iati_rules(xml: &str) {
    let report = run_ruleset(xml, chrono::Utc::now().date_naive());
    assert!(
        report.failures.is_empty(),
        "IATI rules broken:\n{:#?}",
        report.failures
    );
    let (bad, checked) = run_codelists(xml);
    assert!(bad.is_empty(), "codelist rules broken:\n{bad:#?}");
    assert!(checked > 0);
}
