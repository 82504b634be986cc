//! `/indicator/{code}`: an indicator's targets and history (values, corrections, voids and
//! reviews), and for a reporter in scope the forms that record, explain and void a value
//! (`ics record`, `ics explain`, `ics void`).

use axum::extract::{Path, State};
use axum::response::Response;
use axum::{Extension, Form};
use maud::{html, Markup};
use serde::Deserialize;

use super::{in_scope, policy};
use crate::cli::{ExplainArgs, RecordArgs, ValueKey, VoidArgs};
use crate::framework::Indicator;
use crate::render::progress::number;
use crate::store::{Kind, Targets, ValueQuery};
use crate::web::auth::query_escape;
use crate::web::layout::csrf;
use crate::web::{Ctx, Shared, Visit, WebError};
use crate::workflow::policy::Need;
use crate::workflow::{LogQuery, ReviewState};

pub async fn get(
    State(app): State<Shared>,
    Extension(visit): Extension<Visit>,
    Path(code): Path<String>,
) -> Response {
    app.page(visit, move |cx| render(cx, &code)).await
}

fn find(cx: &mut Ctx, code: &str) -> Result<Indicator, WebError> {
    let version = cx.store.resolve_version(None)?;
    let fw = cx.store.framework_lean(&version, Targets::All)?;
    let found = fw
        .indicators()
        .find(|(_, i)| i.code == code)
        .map(|(_, i)| i.clone());
    found
        .ok_or_else(|| WebError::NotFound(format!("`{code}` is not an indicator of this strategy")))
}

fn render(cx: &mut Ctx, code: &str) -> Result<(String, Markup), WebError> {
    let ind = find(cx, code)?;
    let ids = cx.store.indicator_ids()?;
    let mut rows = Vec::new();
    if let Some(id) = ids.get(code) {
        cx.store.each_value(
            &ValueQuery {
                indicators: vec![*id],
                periods: None,
                include_replaced: true,
                newest_first: true,
            },
            &mut |v| {
                rows.push(v);
                Ok(())
            },
        )?;
    }
    let value_ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let states = cx.store.states(Some(&value_ids))?;
    let reviews = cx.store.log(&LogQuery {
        reviews_of: Some(value_ids),
        ..LogQuery::default()
    })?;
    // The form only for whoever may record here; the POST checks again.
    let may_record = policy(cx, Need::Record)
        .and_then(|p| in_scope(cx, &p, code))
        .is_ok();
    let body = html! {
        p { (ind.title) }
        p.muted { "Unit: " (ind.unit) " · " (crate::render::progress::direction_words(ind.direction)) }
        h2 { "Targets" }
        table {
            thead { tr { th scope="col" { "Period" } th.num scope="col" { "Target" } } }
            tbody {
                @if let Some(b) = &ind.baseline {
                    tr { td { "Baseline (" (b.period) ")" } td.num { (number(b.value)) } }
                }
                @for (p, t) in &ind.targets { tr { td { (p) } td.num { (number(*t)) } } }
            }
        }
        @if may_record {
            h2 { "Record a value" }
            form.stack method="post" action={ "/indicator/" (query_escape(code)) "/record" } {
                (csrf(cx.visit))
                label for="period" { "Period (FY2024 or FY2024Q1)" }
                input #period type="text" name="period" required;
                @if ind.ratio.is_some() {
                    label for="numerator" { "Numerator" }
                    input #numerator type="text" name="numerator" inputmode="decimal" required;
                    label for="denominator" { "Denominator" }
                    input #denominator type="text" name="denominator" inputmode="decimal" required;
                } @else {
                    label for="value" { "Value (" (ind.unit) ")" }
                    input #value type="text" name="value" inputmode="decimal" required;
                }
                label for="note" { "Note (optional)" }
                textarea #note name="note" rows="2" {}
                button type="submit" { "Record" }
            }
            h2 { "Explain a deviation" }
            form.stack method="post" action={ "/indicator/" (query_escape(code)) "/explain" } {
                (csrf(cx.visit))
                label for="explain-period" { "Period" }
                input #explain-period type="text" name="period" required;
                label for="explanation" { "Explanation" }
                textarea #explanation name="text" rows="2" required {}
                button type="submit" { "Explain" }
            }
            h2 { "Void a value" }
            form.stack method="post" action={ "/indicator/" (query_escape(code)) "/void" } {
                (csrf(cx.visit))
                label for="void-period" { "Period" }
                input #void-period type="text" name="period" required;
                label for="void-reason" { "Reason (kept in the history)" }
                input #void-reason type="text" name="reason" required;
                button.plain type="submit" { "Void" }
            }
        }
        h2 { "History, newest first" }
        @if rows.is_empty() { p { "No value recorded yet." } } @else {
            table {
                thead { tr {
                    th scope="col" { "Period" } th scope="col" { "Disaggregation" }
                    th.num scope="col" { "Value" } th scope="col" { "Note" }
                    th scope="col" { "Recorded by" } th scope="col" { "When (UTC)" }
                    th scope="col" { "Standing" }
                } }
                tbody {
                    @for v in &rows {
                        tr {
                            td { (v.period) } td { (v.disaggregation) }
                            td.num { @if v.kind == Kind::Void { "void" } @else { (number(v.value)) } }
                            td { (v.note.as_deref().unwrap_or("")) }
                            td { (v.recorded_by) } td { (crate::render::listing::short_time(&v.recorded_at)) }
                            td {
                                @if v.replaced_by.is_some() { "replaced" } @else { "current" }
                                @if v.kind != Kind::Void {
                                    ", " (states.get(&v.id).copied().unwrap_or(ReviewState::Recorded).as_str())
                                }
                            }
                        }
                    }
                }
            }
        }
        @if !reviews.is_empty() {
            h2 { "Reviews, newest first" }
            table {
                thead { tr { th scope="col" { "When (UTC)" } th scope="col" { "Who" } th scope="col" { "Review" } th scope="col" { "Value" } th scope="col" { "Reason" } } }
                tbody {
                    @for e in reviews.iter().rev() {
                        tr {
                            td { (crate::render::listing::short_time(&e.at)) } td { (e.user) }
                            td { (e.action) } td { (e.subject) } td { (e.reason.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
        }
    };
    Ok((format!("Indicator {code}"), body))
}

#[derive(Deserialize)]
pub struct RecordForm {
    #[serde(default)]
    period: String,
    value: Option<String>,
    numerator: Option<String>,
    denominator: Option<String>,
    note: Option<String>,
}

fn given(s: Option<String>) -> Option<String> {
    s.filter(|v| !v.trim().is_empty())
}

pub async fn record(
    State(app): State<Shared>,
    Extension(visit): Extension<Visit>,
    Path(code): Path<String>,
    Form(f): Form<RecordForm>,
) -> Response {
    let back = format!("/indicator/{}", query_escape(&code));
    app.act(visit, back, move |cx| {
        let policy = policy(cx, Need::Record)?;
        in_scope(cx, &policy, &code)?;
        let args = RecordArgs {
            key: ValueKey {
                indicator: code,
                period: f.period,
                disagg: Vec::new(),
            },
            value: given(f.value),
            numerator: given(f.numerator),
            denominator: given(f.denominator),
            note: given(f.note),
            source: None,
            clear_note: false,
            clear_source: false,
            by: None,
        };
        let done = crate::cmd::record::record(cx.store, &policy, &args)?;
        let mut said = done.said;
        for w in done.warnings {
            said.push_str(&format!(" (warning: {w})"));
        }
        Ok(said)
    })
    .await
}

#[derive(Deserialize)]
pub struct TextForm {
    #[serde(default)]
    period: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    reason: String,
}

fn key(code: String, period: String) -> ValueKey {
    ValueKey {
        indicator: code,
        period,
        disagg: Vec::new(),
    }
}

/// `ics explain` as a form.
pub async fn explain(
    State(app): State<Shared>,
    Extension(visit): Extension<Visit>,
    Path(code): Path<String>,
    Form(f): Form<TextForm>,
) -> Response {
    let back = format!("/indicator/{}", query_escape(&code));
    app.act(visit, back, move |cx| {
        let policy = policy(cx, Need::Record)?;
        in_scope(cx, &policy, &code)?;
        let args = ExplainArgs {
            key: key(code, f.period),
            text: f.text,
            by: None,
        };
        Ok(crate::cmd::explain::explain(cx.store, &policy, &args)?)
    })
    .await
}

/// `ics void` as a form.
pub async fn void(
    State(app): State<Shared>,
    Extension(visit): Extension<Visit>,
    Path(code): Path<String>,
    Form(f): Form<TextForm>,
) -> Response {
    let back = format!("/indicator/{}", query_escape(&code));
    app.act(visit, back, move |cx| {
        let policy = policy(cx, Need::Record)?;
        in_scope(cx, &policy, &code)?;
        let args = VoidArgs {
            key: key(code, f.period),
            reason: f.reason,
            by: None,
        };
        Ok(crate::cmd::void::void(cx.store, &policy, &args)?)
    })
    .await
}
