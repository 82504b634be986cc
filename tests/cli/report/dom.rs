//! A parsed page for the report tests: html5ever builds the tree (with exact parse errors on) and
//! this flattens it into elements with their attributes and text, and checks that the page is
//! self-contained.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use html5ever::tendril::TendrilSink;
use markup5ever_rcdom::{Handle, NodeData, RcDom};

const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// One element of a parsed page.
#[derive(Debug)]
pub struct El {
    pub svg: bool,
    pub name: String,
    pub attrs: BTreeMap<String, String>,
    /// All text below it.
    pub text: String,
}

/// A parsed page: every element in document order, and the text of `<body>`.
pub struct Doc {
    pub els: Vec<El>,
    pub body_text: String,
}

impl Doc {
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a El> + 'a {
        self.els.iter().filter(move |e| e.name == name)
    }
    pub fn charts(&self) -> Vec<&str> {
        self.els
            .iter()
            .filter(|e| {
                e.svg
                    && e.name == "svg"
                    && e.attrs.get("class").map(String::as_str) == Some("chart")
            })
            .map(|e| e.attrs["data-indicator"].as_str())
            .collect()
    }
    pub fn ids(&self) -> BTreeSet<&str> {
        self.els
            .iter()
            .filter_map(|e| e.attrs.get("id").map(String::as_str))
            .collect()
    }
}

fn text_of(h: &Handle, out: &mut String) {
    if let NodeData::Text { contents } = &h.data {
        out.push_str(&contents.borrow());
    }
    for c in h.children.borrow().iter() {
        text_of(c, out);
    }
}

fn walk(h: &Handle, els: &mut Vec<El>, body: &mut String) {
    if let NodeData::Element { name, attrs, .. } = &h.data {
        let mut text = String::new();
        text_of(h, &mut text);
        if &*name.local == "body" {
            *body = text.clone();
        }
        els.push(El {
            svg: &*name.ns == SVG_NS,
            name: name.local.to_string(),
            attrs: attrs
                .borrow()
                .iter()
                .map(|a| (a.name.local.to_string(), a.value.to_string()))
                .collect(),
            text,
        });
    }
    for c in h.children.borrow().iter() {
        walk(c, els, body);
    }
}

pub fn parse(html: &str) -> RcDom {
    let opts = html5ever::ParseOpts {
        tree_builder: html5ever::tree_builder::TreeBuilderOpts {
            exact_errors: true,
            ..Default::default()
        },
        ..Default::default()
    };
    html5ever::parse_document(RcDom::default(), opts)
        .from_utf8()
        .read_from(&mut html.as_bytes())
        .expect("parse")
}

/// Parse `path` as HTML; assert it parses without an error and holds nothing that runs or loads.
#[track_caller]
pub fn parse_page(path: &Path) -> Doc {
    let html = std::fs::read_to_string(path).expect("read the page");
    let dom = parse(&html);
    let errors = dom.errors.borrow();
    assert!(errors.is_empty(), "HTML parse errors: {errors:?}");
    let mut els = Vec::new();
    let mut body_text = String::new();
    walk(&dom.document, &mut els, &mut body_text);
    let doc = Doc { els, body_text };
    self_contained(&doc, &html);
    doc
}

/// No script, nothing fetched from anywhere, no external font; every link leads into the page.
#[track_caller]
fn self_contained(doc: &Doc, html: &str) {
    assert!(
        !html.to_ascii_lowercase().contains("<script"),
        "a <script> tag"
    );
    for banned in [
        "script",
        "link",
        "img",
        "iframe",
        "object",
        "embed",
        "image",
        "use",
        "foreignObject",
    ] {
        assert_eq!(doc.all(banned).count(), 0, "a <{banned}> element");
    }
    let ids = doc.ids();
    for e in &doc.els {
        for (k, v) in &e.attrs {
            let v_low = v.to_ascii_lowercase();
            assert!(
                !v_low.contains("http://")
                    && !v_low.contains("https://")
                    && !v_low.contains("javascript:"),
                "<{} {k}={v:?}> refers outside the page",
                e.name
            );
            assert!(!k.starts_with("on"), "<{} {k}> is an event handler", e.name);
            if k == "href" {
                let target = v
                    .strip_prefix('#')
                    .unwrap_or_else(|| panic!("href {v:?} leaves the page"));
                assert!(ids.contains(target), "href {v:?} leads nowhere");
            }
        }
    }
    let style: String = doc.all("style").map(|e| e.text.clone()).collect();
    for banned in ["@font-face", "@import", "url("] {
        assert!(!style.contains(banned), "the style sheet has {banned}");
    }
    // Fill patterns are the only url() references, and they point into the page.
    for e in doc.els.iter().filter(|e| e.svg) {
        if let Some(fill) = e.attrs.get("fill").filter(|f| f.starts_with("url(")) {
            let id = fill.trim_start_matches("url(#").trim_end_matches(')');
            assert!(ids.contains(id), "fill {fill} leads nowhere");
        }
    }
    assert_eq!(
        ids.len(),
        doc.els
            .iter()
            .filter(|e| e.attrs.contains_key("id"))
            .count(),
        "duplicate ids"
    );
}
