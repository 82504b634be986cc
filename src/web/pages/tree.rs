//! `/tree`: the goals tree of the newest version, as `ics tree --indicators` shows it: each
//! node with its kind, code and title, the DOs that support an objective and the objectives a
//! DO supports, the nodes a theme applies to, and its indicators, each linked to its page.

use std::collections::HashMap;

use axum::extract::State;
use axum::response::Response;
use axum::Extension;
use maud::{html, Markup};

use crate::store::Targets;
use crate::web::auth::query_escape;
use crate::web::{Ctx, Shared, Visit, WebError};

pub async fn get(State(app): State<Shared>, Extension(visit): Extension<Visit>) -> Response {
    app.page(visit, render).await
}

fn render(cx: &mut Ctx) -> Result<(String, Markup), WebError> {
    let version = cx.store.resolve_version(None)?;
    let fw = cx.store.framework_outline(&version, Targets::None)?;
    let parents: HashMap<&str, Option<&str>> = fw
        .nodes
        .iter()
        .map(|n| (n.code.as_str(), n.parent.as_deref()))
        .collect();
    let depth = |code: &str| {
        let mut d = 0;
        let mut at = parents.get(code).copied().flatten();
        while let Some(p) = at {
            d += 1;
            at = parents.get(p).copied().flatten();
            if d > 16 {
                break;
            }
        }
        d
    };
    let mut supported_by: HashMap<&str, Vec<&str>> = HashMap::new();
    for n in &fw.nodes {
        for s in &n.supports {
            supported_by.entry(s.as_str()).or_default().push(&n.code);
        }
    }
    let link = |code: &str| html! { a.code href={ "#" (query_escape(code)) } { (code) } };
    let body = html! {
        p.muted { (version.title) ", version " (version.label) "." }
        @for n in &fw.nodes {
            section.node class={ "d" (depth(&n.code).min(2)) } id=(n.code) {
                h3 { span.kind { (n.kind.label()) " " } span.code { (n.code) } " " (n.title) }
                @if let Some(by) = supported_by.get(n.code.as_str()) {
                    div.links { "Supported by: " ul { @for s in by { li { (link(s)) } } } }
                }
                @if !n.supports.is_empty() {
                    div.links { "Supports: " ul { @for s in &n.supports { li { (link(s)) } } } }
                }
                @if !n.applies_to.is_empty() {
                    div.links { "Applies to: " ul { @for s in &n.applies_to { li { (link(s)) } } } }
                }
                @if !n.indicators.is_empty() {
                    ul {
                        @for i in &n.indicators {
                            li {
                                a.code href={ "/indicator/" (query_escape(&i.code)) } { (i.code) }
                                " " (i.title)
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(("Goals tree".to_string(), body))
}
