//! `/log`: the audit log, newest first, for admins and approvers (a reporter or viewer gets
//! 403: the log names every person and what they did).

use axum::extract::State;
use axum::response::Response;
use axum::Extension;
use maud::{html, Markup};

use crate::render::listing::short_time;
use crate::web::layout::reads_log;
use crate::web::{Ctx, Shared, Visit, WebError};
use crate::workflow::LogQuery;

/// The newest entries shown; `ics log` has them all.
const SHOWN: usize = 500;

pub async fn get(State(app): State<Shared>, Extension(visit): Extension<Visit>) -> Response {
    app.page(visit, render).await
}

fn render(cx: &mut Ctx) -> Result<(String, Markup), WebError> {
    if !reads_log(cx.actor) {
        return Err(WebError::Forbidden(
            "the audit log is for admins and approvers".into(),
        ));
    }
    let entries = cx.store.log(&LogQuery::default())?;
    let body = html! {
        @if entries.len() > SHOWN {
            p.muted { "The newest " (SHOWN) " of " (entries.len()) " entries; " code { "ics log" } " shows them all." }
        }
        @if entries.is_empty() { p { "The log has no entries yet." } } @else {
            table {
                thead { tr {
                    th scope="col" { "When (UTC)" } th scope="col" { "Who" } th scope="col" { "Strategy" }
                    th scope="col" { "Action" } th scope="col" { "What" } th scope="col" { "Detail" }
                    th scope="col" { "Reason" }
                } }
                tbody {
                    @for e in entries.iter().rev().take(SHOWN) {
                        tr {
                            td { (short_time(&e.at)) } td { (e.user) }
                            td { (e.strategy.as_deref().unwrap_or("")) } td { (e.action) }
                            td { (e.subject) } td { (e.detail) } td { (e.reason.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
        }
    };
    Ok(("Audit log".to_string(), body))
}
