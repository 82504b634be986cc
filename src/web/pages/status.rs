//! `/status`: who still owes a report for a period, as `ics status` says it.

use axum::extract::{Query, State};
use axum::response::Response;
use axum::Extension;
use maud::{html, Markup};

use super::{period, PeriodQuery};
use crate::store::Targets;
use crate::web::{Ctx, Shared, Visit, WebError};
use crate::workflow::status::Owed;

pub async fn get(
    State(app): State<Shared>,
    Extension(visit): Extension<Visit>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    app.page(visit, move |cx| render(cx, &q)).await
}

const STATES: [&str; 6] = [
    "missing",
    "returned",
    "submitted",
    "approved",
    "recorded",
    "locked",
];

fn render(cx: &mut Ctx, q: &PeriodQuery) -> Result<(String, Markup), WebError> {
    let p = match period(q.given())? {
        Some(p) => p,
        None => {
            // The dashboard's default period.
            let version = cx.store.resolve_version(None)?;
            let fw = cx.store.framework_lean(&version, Targets::All)?;
            crate::cmd::review_period(None, &*cx.store, &version, &fw)?
        }
    };
    let (s, lock) = crate::cmd::status::compute(&*cx.store, p, None)?;
    let body = html! {
        form.inline method="get" action="/status" {
            label for="period" { "Period (a quarter for the quarterly indicators, a year for the annual ones)" }
            input #period type="text" name="period" value=(p) size="10";
            button type="submit" { "Show" }
        }
        @if let Some(l) = &lock {
            p.banner { (p) " is locked (" (l.what()) ", by " (l.set_by) ")." }
        }
        @if s.indicators.is_empty() {
            p { "No indicator reports in " (p) "." }
        } @else {
            table {
                thead { tr {
                    th scope="col" { "Indicator" } th scope="col" { "Title" } th scope="col" { "Node" }
                    th scope="col" { "Reporter" } th scope="col" { "State" }
                } }
                tbody {
                    @for r in &s.indicators {
                        tr {
                            td { a.code href={ "/indicator/" (crate::web::auth::query_escape(&r.indicator)) } { (r.indicator) } }
                            td { (r.title) } td { (r.node) } td { (r.reporters.join(", ")) }
                            td {
                                @if r.state.owed() { strong { (state(r.state, r.values)) } } @else { (state(r.state, r.values)) }
                            }
                        }
                    }
                }
            }
            @for (title, totals) in [("By node", &s.by_node), ("By person", &s.by_person)] {
                h2 { (title) }
                table {
                    thead { tr { th scope="col" { (title.trim_start_matches("By ")) } @for k in STATES { th.num scope="col" { (k) } } } }
                    tbody {
                        @for t in totals.iter() {
                            tr { td { (t.name) } @for k in STATES { td.num { (t.counts.get(k).copied().unwrap_or(0)) } } }
                        }
                    }
                }
            }
        }
    };
    Ok((format!("Reporting status for {p}"), body))
}

/// The state as `ics status` words it.
fn state(s: Owed, values: Owed) -> String {
    match s {
        Owed::Locked => format!("locked ({})", values.as_str()),
        other => other.as_str().to_string(),
    }
}
