//! `/diff?old=LABEL&new=LABEL`: what changed between two stored versions, as `ics diff OLD NEW`
//! shows it: the same comparison ([`crate::diff::compare`]) laid out by the same memo layout
//! ([`crate::render::diff::layout`]): a heading per top-level node touched, one line per change
//! with its sign (`+`, `-`, `~`, `>`) and its kind in words, and the summary of counts.
//! Anyone who may read the strategy may see it. Without a choice, the previous version against
//! the latest.

use axum::extract::{Query, State};
use axum::response::Response;
use axum::Extension;
use maud::{html, Markup};
use serde::Deserialize;

use crate::diff::{compare, summary, ChangeType, DiffReport};
use crate::render::diff::{layout, symbol, Span};
use crate::store::VersionInfo;
use crate::web::{Ctx, Shared, Visit, WebError};

#[derive(Debug, Deserialize)]
pub struct DiffQuery {
    pub old: Option<String>,
    pub new: Option<String>,
}

pub async fn get(
    State(app): State<Shared>,
    Extension(visit): Extension<Visit>,
    Query(q): Query<DiffQuery>,
) -> Response {
    app.page(visit, move |cx| render(cx, &q)).await
}

fn given(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|v| !v.is_empty())
}

/// The stored version `label` names (a label, `@latest` or `@previous`); an unknown one is a
/// 400 naming the stored labels.
fn pick(cx: &Ctx, versions: &[VersionInfo], label: &str) -> Result<VersionInfo, WebError> {
    if let Some(v) = versions.iter().find(|v| v.label == label) {
        return Ok(v.clone());
    }
    if label == "@latest" || label == "@previous" {
        return Ok(cx.store.resolve_version(Some(label))?);
    }
    let labels: Vec<String> = versions.iter().map(|v| format!("`{}`", v.label)).collect();
    Err(WebError::BadRequest(format!(
        "no stored version has the label `{}`; the stored versions are {}",
        crate::render::safe(label),
        labels.join(", ")
    )))
}

fn render(cx: &mut Ctx, q: &DiffQuery) -> Result<(String, Markup), WebError> {
    let versions = cx.store.versions()?;
    let title = "Changes between versions".to_string();
    if versions.len() < 2 {
        let body = html! {
            @match versions.first() {
                Some(v) => p {
                    "Only one version of the strategy is stored ("
                    code { (v.label) } ", loaded " (day(&v.loaded_at))
                    "), so there is nothing to compare it with. Load a revision with "
                    code { "ics load FILE" } " to see what it changes."
                },
                None => p { "No version of the strategy is stored yet." },
            }
        };
        return Ok((title, body));
    }
    let n = versions.len();
    let old = match given(q.old.as_deref()) {
        Some(l) => pick(cx, &versions, l)?,
        None => versions[n - 2].clone(),
    };
    let new = match given(q.new.as_deref()) {
        Some(l) => pick(cx, &versions, l)?,
        None => versions[n - 1].clone(),
    };
    let report = DiffReport {
        changes: compare(&cx.store.framework(&old)?, &cx.store.framework(&new)?),
        from: old.label.clone(),
        to: new.label.clone(),
    };
    let options = |chosen: &str| {
        html! {
            @for v in versions.iter().rev() {
                option value=(v.label) selected[v.label == chosen] {
                    (v.label) " (loaded " (day(&v.loaded_at)) ")"
                }
            }
        }
    };
    let body = html! {
        form.inline method="get" action="/diff" {
            label for="old" { "From version" }
            select #old name="old" { (options(&old.label)) }
            label for="new" { "to version" }
            select #new name="new" { (options(&new.label)) }
            button type="submit" { "Compare" }
        }
        p.muted { "As " code { "ics diff " (old.label) " " (new.label) } " shows it." }
        @if report.is_empty() {
            p { "No changes: the two versions are the same." }
        } @else {
            h2 { "Changes from " code { (report.from) } " to " code { (report.to) } }
            @for section in layout(&report) {
                section.diff {
                    h3 { (spans(&section.heading)) }
                    ul.changes {
                        @for l in &section.lines {
                            li {
                                span.sign aria-hidden="true" { (symbol(l.change).0) }
                                " "
                                span.sr-only { (word(l.change)) ": " }
                                (spans(&l.head))
                                @if !l.body.is_empty() {
                                    ul {
                                        @for (label, body) in &l.body {
                                            li {
                                                @if let Some(x) = label { span.muted { (x) } }
                                                (spans(body))
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        p { strong { (summary(&report.changes)) } }
        @if !report.is_empty() {
            p.muted {
                "Signs: + added or linked, - removed or unlinked, ~ modified or recoded, > moved. "
                "In a changed text, " del { "struck-through" } " words were removed and "
                ins { "underlined" } " words added."
            }
        }
    };
    Ok((title, body))
}

/// A change's kind in words, for screen readers (the sign is hidden from them).
fn word(c: ChangeType) -> &'static str {
    c.as_str()
}

/// `2026-01-15` of a load time.
fn day(at: &str) -> &str {
    at.get(..10).unwrap_or(at)
}

/// A memo line's pieces: codes as code, removed words struck through, added words underlined.
fn spans(list: &[Span]) -> Markup {
    html! {
        @for s in list {
            @match s {
                Span::Text(x) => (x),
                Span::Code(x) => code { (x) },
                Span::Del(x) => del { (x) },
                Span::Ins(x) => ins { (x) },
            }
        }
    }
}
