//! The official IATI codelists the export uses, embedded in the binary at build time from
//! `vendor/iati/codelists/*.xml` (copied unchanged from IATI-Codelists; see the README there).
//! Nothing is read from disk at run time.
//!
//! Each list is parsed once, on first use, by a small scanner that knows the one shape these
//! files have: `<codelist-item [status="withdrawn"]>` holding a `<code>` and a `<name>` whose
//! first `<narrative>` is the English name.

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// One codelist entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub code: String,
    /// The English name.
    pub name: String,
    /// `status="withdrawn"`: the code may no longer be used.
    pub withdrawn: bool,
}

/// An IATI codelist, by its file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum List {
    ActivityDateType,
    ActivityStatus,
    Country,
    Currency,
    DescriptionType,
    IndicatorMeasure,
    IndicatorVocabulary,
    Language,
    OrganisationRole,
    OrganisationType,
    ResultType,
    /// OECD DAC CRS purpose codes, 5 digits (sector vocabulary 1).
    Sector,
    /// OECD DAC CRS purpose codes, 3 digits (sector vocabulary 2).
    SectorCategory,
    SectorVocabulary,
}

impl List {
    pub const ALL: [List; 14] = [
        List::ActivityDateType,
        List::ActivityStatus,
        List::Country,
        List::Currency,
        List::DescriptionType,
        List::IndicatorMeasure,
        List::IndicatorVocabulary,
        List::Language,
        List::OrganisationRole,
        List::OrganisationType,
        List::ResultType,
        List::Sector,
        List::SectorCategory,
        List::SectorVocabulary,
    ];

    /// The codelist's name, as IATI spells it.
    pub fn name(self) -> &'static str {
        match self {
            List::ActivityDateType => "ActivityDateType",
            List::ActivityStatus => "ActivityStatus",
            List::Country => "Country",
            List::Currency => "Currency",
            List::DescriptionType => "DescriptionType",
            List::IndicatorMeasure => "IndicatorMeasure",
            List::IndicatorVocabulary => "IndicatorVocabulary",
            List::Language => "Language",
            List::OrganisationRole => "OrganisationRole",
            List::OrganisationType => "OrganisationType",
            List::ResultType => "ResultType",
            List::Sector => "Sector",
            List::SectorCategory => "SectorCategory",
            List::SectorVocabulary => "SectorVocabulary",
        }
    }

    fn source(self) -> &'static str {
        macro_rules! list {
            ($f:literal) => {
                include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/vendor/iati/codelists/",
                    $f,
                    ".xml"
                ))
            };
        }
        match self {
            List::ActivityDateType => list!("ActivityDateType"),
            List::ActivityStatus => list!("ActivityStatus"),
            List::Country => list!("Country"),
            List::Currency => list!("Currency"),
            List::DescriptionType => list!("DescriptionType"),
            List::IndicatorMeasure => list!("IndicatorMeasure"),
            List::IndicatorVocabulary => list!("IndicatorVocabulary"),
            List::Language => list!("Language"),
            List::OrganisationRole => list!("OrganisationRole"),
            List::OrganisationType => list!("OrganisationType"),
            List::ResultType => list!("ResultType"),
            List::Sector => list!("Sector"),
            List::SectorCategory => list!("SectorCategory"),
            List::SectorVocabulary => list!("SectorVocabulary"),
        }
    }

    /// Every item, in file order.
    pub fn items(self) -> &'static [Item] {
        static PARSED: OnceLock<BTreeMap<List, Vec<Item>>> = OnceLock::new();
        let all =
            PARSED.get_or_init(|| List::ALL.iter().map(|l| (*l, parse(l.source()))).collect());
        all.get(&self).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The item with exactly this code.
    pub fn get(self, code: &str) -> Option<&'static Item> {
        self.items().iter().find(|i| i.code == code)
    }

    /// Whether `code` is in the list and not withdrawn.
    pub fn accepts(self, code: &str) -> bool {
        self.get(code).is_some_and(|i| !i.withdrawn)
    }
}

/// The sector codelist of a sector vocabulary, when `ics` checks that vocabulary's codes:
/// 1 (DAC 5-digit) and 2 (DAC 3-digit). Other vocabularies (UN COFOG, NACE, SDG goals, the
/// reporting organisation's own...) are accepted with no check of their codes.
pub fn sector_list(vocabulary: &str) -> Option<List> {
    match vocabulary {
        "1" => Some(List::Sector),
        "2" => Some(List::SectorCategory),
        _ => None,
    }
}

/// Why `code` is not a usable code of `list`, as the end of a sentence that starts with the
/// field (e.g. "`default_currency` is `ZZZ`, "), or `None` when it is fine.
pub fn problem(list: List, code: &str) -> Option<String> {
    match list.get(code) {
        Some(i) if i.withdrawn => Some(format!(
            "which the IATI {} codelist marks as withdrawn ({}); use a current code",
            list.name(),
            i.name
        )),
        Some(_) => None,
        None => Some(format!(
            "which is not a code of the IATI {} codelist",
            list.name()
        )),
    }
}

fn parse(xml: &str) -> Vec<Item> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(at) = rest.find("<codelist-item") {
        rest = &rest[at + "<codelist-item".len()..];
        if !rest.starts_with([' ', '>']) {
            // `<codelist-items>`, the container.
            continue;
        }
        let end = rest.find("</codelist-item>").unwrap_or(rest.len());
        let body = &rest[..end];
        let head = &body[..body.find('>').unwrap_or(0)];
        let withdrawn = head.contains("status=\"withdrawn\"");
        let code = between(body, "<code>", "</code>").unwrap_or_default();
        let name = between(body, "<name>", "</name>")
            .and_then(|n| between(n, "<narrative>", "</narrative>"))
            .unwrap_or_default();
        if !code.is_empty() {
            out.push(Item {
                code: unescape(code.trim()),
                name: unescape(name.trim()),
                withdrawn,
            });
        }
        rest = &rest[end..];
    }
    out
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let a = s.find(open)? + open.len();
    let b = s[a..].find(close)? + a;
    Some(&s[a..b])
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_parses_with_its_items() {
        for l in List::ALL {
            let items = l.items();
            assert!(!items.is_empty(), "{}", l.name());
            let xml = l.source();
            assert_eq!(
                items.len(),
                xml.matches("<codelist-item").count() - xml.matches("<codelist-items").count(),
                "{}",
                l.name()
            );
            assert!(items
                .iter()
                .all(|i| !i.code.is_empty() && !i.name.is_empty()));
        }
    }

    #[test]
    fn codes_names_and_withdrawn_status_are_read() {
        assert_eq!(
            List::Sector.get("15130").map(|i| i.name.as_str()),
            Some("Legal and judicial development")
        );
        assert!(List::Currency.accepts("USD"));
        assert!(List::Country.accepts("PE"));
        assert!(List::Language.accepts("en"));
        assert!(!List::Currency.accepts("ZZZ"));
        assert!(!List::Country.accepts("XX"));
        // Netherlands Antilles: listed, withdrawn.
        let an = List::Country.get("AN").unwrap();
        assert!(an.withdrawn);
        assert!(!List::Country.accepts("AN"));
        assert!(problem(List::Country, "AN").unwrap().contains("withdrawn"));
        assert!(problem(List::Country, "XX")
            .unwrap()
            .contains("not a code of the IATI Country codelist"));
        assert_eq!(problem(List::Country, "PE"), None);
        assert_eq!(List::ActivityStatus.get("3").unwrap().name, "Finalisation");
        assert!(List::SectorCategory.accepts("151"));
        assert_eq!(sector_list("1"), Some(List::Sector));
        assert_eq!(sector_list("99"), None);
    }
}
