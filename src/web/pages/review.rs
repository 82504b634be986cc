//! `/review`: the approval queue, the values waiting for approval, with approve and return
//! forms (`ics approve` and `ics return`) for approvers in scope.

use axum::extract::{Query, State};
use axum::response::Response;
use axum::{Extension, Form};
use maud::{html, Markup};
use serde::Deserialize;

use super::{in_scope, period, policy, PeriodQuery};
use crate::render::progress::number;
use crate::web::layout::csrf;
use crate::web::{Ctx, Shared, Visit, WebError};
use crate::workflow::policy::Need;
use crate::workflow::review::{self, Action, Selection};

pub async fn get(
    State(app): State<Shared>,
    Extension(visit): Extension<Visit>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    app.page(visit, move |cx| render(cx, &q)).await
}

fn render(cx: &mut Ctx, q: &PeriodQuery) -> Result<(String, Markup), WebError> {
    let p = period(q.given())?;
    let items = review::queue(&*cx.store, p.map(|p| p.span()))?;
    // The forms only where the actor may review; each POST checks again.
    let pol = policy(cx, Need::Review).ok();
    let ids = cx.store.indicator_ids()?;
    let may = |code: &str| {
        pol.as_ref()
            .is_some_and(|p| ids.get(code).is_some_and(|id| p.check_scope(*id).is_ok()))
    };
    let shown = p.map_or_else(|| "every period".to_string(), |p| p.to_string());
    let body = html! {
        form.inline method="get" action="/review" {
            label for="period" { "Period (empty for all)" }
            input #period type="text" name="period" value=(q.given().unwrap_or("")) size="10";
            button type="submit" { "Show" }
        }
        @if items.is_empty() {
            p { "Nothing is waiting for approval in " (shown) "." }
        } @else {
            p { (items.len()) " value" @if items.len() != 1 { "s" } " waiting for approval in " (shown) "." }
            table {
                thead { tr {
                    th scope="col" { "Indicator" } th scope="col" { "Period" }
                    th scope="col" { "Disaggregation" } th.num scope="col" { "Value" }
                    th scope="col" { "Recorded by" } th scope="col" { "Review" }
                } }
                tbody {
                    @for (n, i) in items.iter().enumerate() {
                        tr {
                            td { a.code href={ "/indicator/" (crate::web::auth::query_escape(&i.indicator)) } { (i.indicator) } }
                            td { (i.period) } td { (i.disaggregation) }
                            td.num { (number(i.value)) } td { (i.recorded_by) }
                            td {
                                @if may(&i.indicator) {
                                    form.inline method="post" action="/review/approve" {
                                        (csrf(cx.visit)) (key(i))
                                        button type="submit" aria-label={ "Approve " (i.describe()) } { "Approve" }
                                    }
                                    form.inline method="post" action="/review/return" {
                                        (csrf(cx.visit)) (key(i))
                                        label for={ "reason" (n) } { "Reason" }
                                        input id={ "reason" (n) } type="text" name="reason" required;
                                        button.plain type="submit" aria-label={ "Return " (i.describe()) } { "Return" }
                                    }
                                } @else { span.muted { "not yours to review" } }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(("Approval queue".to_string(), body))
}

fn key(i: &review::Item) -> Markup {
    html! {
        input type="hidden" name="indicator" value=(i.indicator);
        input type="hidden" name="period" value=(i.period);
        input type="hidden" name="disagg" value=(i.disaggregation);
    }
}

#[derive(Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    indicator: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    disagg: String,
    reason: Option<String>,
}

fn act(cx: &mut Ctx, f: &ReviewForm, action: Action) -> Result<String, WebError> {
    let policy = policy(cx, Need::Review)?;
    let code = f.indicator.trim();
    in_scope(cx, &policy, code)?;
    let reason = match action {
        Action::Return => Some(crate::cmd::record::required_text(
            f.reason.as_deref().unwrap_or(""),
            "the reason",
        )?),
        Action::Approve => None,
    };
    let period = period(Some(&f.period))?
        .ok_or_else(|| WebError::BadRequest("the period is missing".into()))?;
    let sel = Selection::One {
        code: code.to_string(),
        period,
        disaggregation: Some(f.disagg.clone()),
    };
    let done = review::review(cx.store, &policy, &sel, action, reason)?;
    let verb = match action {
        Action::Approve => "approved",
        Action::Return => "returned",
    };
    Ok(done
        .changed
        .iter()
        .map(|i| format!("{verb} {}", i.describe()))
        .collect::<Vec<_>>()
        .join("; "))
}

pub async fn approve(
    State(app): State<Shared>,
    Extension(visit): Extension<Visit>,
    Form(f): Form<ReviewForm>,
) -> Response {
    app.act(visit, "/review".into(), move |cx| {
        act(cx, &f, Action::Approve)
    })
    .await
}

pub async fn give_back(
    State(app): State<Shared>,
    Extension(visit): Extension<Visit>,
    Form(f): Form<ReviewForm>,
) -> Response {
    app.act(visit, "/review".into(), move |cx| {
        act(cx, &f, Action::Return)
    })
    .await
}
