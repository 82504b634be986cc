//! `/`: the progress table of a period, as `ics progress` computes it (approved values, and
//! those recorded without review), with each node's roll-up and the needs-explanation list.

use axum::extract::{Query, State};
use axum::response::Response;
use axum::Extension;
use maud::{html, Markup};

use super::{period, PeriodQuery};
use crate::progress::{Line, ProgressRow, Selection, Status};
use crate::render::progress::{counts_text, number, percent};
use crate::web::{Ctx, Shared, Visit, WebError};
use crate::workflow::Counted;

pub async fn get(
    State(app): State<Shared>,
    Extension(visit): Extension<Visit>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    app.page(visit, move |cx| render(cx, &q)).await
}

/// A status in words and shape, never by colour alone.
pub fn status(s: Status) -> Markup {
    html! { span.badge { (s.shape()) " " (s.label()) } }
}

fn opt(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_string(), number)
}

fn render(cx: &mut Ctx, q: &PeriodQuery) -> Result<(String, Markup), WebError> {
    let given = period(q.given())?;
    cx.store.set_counted(Counted::Approved);
    let sel = Selection {
        node: None,
        statuses: Vec::new(),
        needs_explanation: false,
        trend: false,
    };
    let report = crate::cmd::progress::report(&*cx.store, given, &sel, false)?;
    let rows: Vec<&ProgressRow> = report.rows().collect();
    let explain: Vec<&&ProgressRow> = rows.iter().filter(|r| r.needs_explanation).collect();
    let body = html! {
        p.muted {
            (report.strategy_title) ", version " (report.version)
            ". Approved values only (and those recorded without review), as "
            code { "ics progress --period " (report.period) } " counts them."
        }
        form.inline method="get" action="/" {
            label for="period" { "Period" }
            input #period type="text" name="period" value=(report.period) size="10";
            button type="submit" { "Show" }
        }
        p { "All indicators: " (counts_text(&report.counts())) }
        table {
            caption.sr-only { "Progress for " (report.period) }
            thead { tr {
                th scope="col" { "Indicator" } th scope="col" { "Title" }
                th.num scope="col" { "Target" } th.num scope="col" { "Actual" }
                th.num scope="col" { "Achieved" } th scope="col" { "Status" }
            } }
            tbody {
                @for line in &report.lines {
                    @match line {
                        Line::Header(h) => {
                            tr class={ "head d" (h.depth.min(2)) } {
                                td colspan="6" {
                                    span.code { (h.code) } " " (h.title)
                                    span.kind { " — " (counts_text(&h.own)) }
                                }
                            }
                        }
                        Line::Row(r) => {
                            tr {
                                td { a.code href={ "/indicator/" (r.indicator) } { (r.indicator) } }
                                td { (r.title) }
                                td.num { (opt(r.target)) }
                                td.num { (opt(r.actual)) }
                                td.num { (percent(r.achieved)) }
                                td { (status(r.status)) @if r.needs_explanation { " (needs explanation)" } }
                            }
                        }
                    }
                }
            }
        }
        h2 { "Needs explanation" }
        @if explain.is_empty() {
            p { "No indicator deviates from its target without an explanation in " (report.period) "." }
        } @else {
            ul.explain {
                @for r in &explain {
                    li {
                        a.code href={ "/indicator/" (r.indicator) } { (r.indicator) } " "
                        (r.title) ": " (status(r.status)) ", achieved " (percent(r.achieved))
                    }
                }
            }
        }
    };
    Ok((format!("Progress for {}", report.period), body))
}
