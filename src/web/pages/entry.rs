//! `/entry?period=P[&node=CODE]`: period data entry, the workbook of `ics template` as a web
//! form: one row per indicator (and category) in the reporter's scope that reports in the
//! period, with its target and last actual. The POST writes every filled row through the CSV
//! import of `ics import-values`, in one transaction: all rows or none, with each row's errors
//! shown next to it.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Form};
use maud::{html, Markup};
use serde::Deserialize;

use super::{in_scope, period, policy};
use crate::period::FiscalPeriod;
use crate::render::progress::number;
use crate::values::template::TemplateRow;
use crate::values::Catalog;
use crate::web::auth::query_escape;
use crate::web::layout::csrf;
use crate::web::{Ctx, Shared, Visit, WebError};
use crate::workflow::policy::{Need, Policy};

/// The name the form's rows go by in import messages (`entry form:LINE: ...`).
const SHOWN: &str = "entry form";

#[derive(Debug, Deserialize)]
pub struct EntryQuery {
    pub period: Option<String>,
    pub node: Option<String>,
}

fn given(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|v| !v.is_empty())
}

pub async fn get(
    State(app): State<Shared>,
    Extension(visit): Extension<Visit>,
    Query(q): Query<EntryQuery>,
) -> Response {
    app.page(visit, move |cx| {
        let policy = policy(cx, Need::Record)?;
        let filled = HashMap::new();
        let (title, body) = render(cx, &policy, &q, &filled, &[])?;
        Ok((title, body))
    })
    .await
}

/// The rows of the period in the policy's scope.
fn rows(
    cx: &mut Ctx,
    policy: &Policy,
    p: FiscalPeriod,
    node: Option<&str>,
) -> Result<Vec<TemplateRow>, WebError> {
    let t = crate::cmd::template::build(&*cx.store, p, node)?;
    let ids = cx.store.indicator_ids()?;
    Ok(t.rows
        .into_iter()
        .filter(|r| {
            ids.get(&r.indicator)
                .is_some_and(|id| policy.check_scope(*id).is_ok())
        })
        .collect())
}

/// A row's error: the row's number on the form (0 for the whole form) and the message.
type RowError = (usize, String);

fn render(
    cx: &mut Ctx,
    policy: &Policy,
    q: &EntryQuery,
    filled: &HashMap<String, String>,
    errors: &[RowError],
) -> Result<(String, Markup), WebError> {
    let node = given(q.node.as_deref());
    let chooser = html! {
        form.inline method="get" action="/entry" {
            label for="period" { "Period (FY2024 or FY2024Q1)" }
            input #period type="text" name="period" value=(given(q.period.as_deref()).unwrap_or("")) size="10" required;
            label for="node" { "Under (goal, objective or DO code; empty for all)" }
            input #node type="text" name="node" value=(node.unwrap_or("")) size="10";
            button type="submit" { "Show" }
        }
    };
    let Some(p) = period(given(q.period.as_deref()))? else {
        let body = html! { (chooser) p { "Choose the period to enter values for." } };
        return Ok(("Data entry".to_string(), body));
    };
    let rows = rows(cx, policy, p, node)?;
    let field = |name: &str, n: usize| {
        filled
            .get(&format!("{name}{n}"))
            .cloned()
            .unwrap_or_default()
    };
    let action = match node {
        Some(n) => format!("/entry?period={}&node={}", p, query_escape(n)),
        None => format!("/entry?period={p}"),
    };
    let body = html! {
        (chooser)
        @for (_, e) in errors.iter().filter(|(n, _)| *n == 0) { p.error role="alert" { (e) } }
        @if !errors.is_empty() { p.error role="alert" { "Nothing was saved: correct the rows marked below and save again." } }
        @if rows.is_empty() {
            p { "No indicator in your scope reports in " (p) "." @if p.is_quarter() { " A quarter lists the quarterly indicators; the fiscal year (" (p.fiscal_year()) ") lists them all." } }
        } @else {
            p { "Fill in the rows you have values for; empty rows are left out. Every filled row is saved, or none is." }
            form method="post" action=(action) {
                (csrf(cx.visit))
                table {
                    thead { tr {
                        th scope="col" { "Indicator" } th scope="col" { "Disaggregation" }
                        th.num scope="col" { "Target" } th.num scope="col" { "Last actual (" (crate::values::template::previous(p)) ")" }
                        th scope="col" { "Value" } th scope="col" { "Note" }
                    } }
                    tbody {
                        @for (n, r) in rows.iter().enumerate() {
                            @let n = n + 1;
                            @let mine: Vec<&String> = errors.iter().filter(|(e, _)| *e == n).map(|(_, m)| m).collect();
                            tr {
                                td {
                                    a.code href={ "/indicator/" (query_escape(&r.indicator)) } { (r.indicator) }
                                    br; span.muted { (r.title) " (" (r.unit) ")" }
                                    input type="hidden" name={ "ind" (n) } value=(r.indicator);
                                    input type="hidden" name={ "dis" (n) } value=(r.disaggregation);
                                    @for m in &mine { br; strong.error role="alert" { (m) } }
                                }
                                td { (r.disaggregation) }
                                td.num { @if let Some(t) = r.target { (number(t)) } }
                                td.num { @if let Some(a) = r.last_actual { (number(a)) } }
                                td {
                                    @if r.ratio {
                                        label for={ "num" (n) } { "Numerator" }
                                        input id={ "num" (n) } type="text" name={ "num" (n) } inputmode="decimal" size="8" value=(field("num", n));
                                        label for={ "den" (n) } { "Denominator" }
                                        input id={ "den" (n) } type="text" name={ "den" (n) } inputmode="decimal" size="8" value=(field("den", n));
                                    } @else {
                                        label.sr-only for={ "value" (n) } { "Value of " (r.indicator) " " (r.disaggregation) }
                                        input id={ "value" (n) } type="text" name={ "value" (n) } inputmode="decimal" size="10" value=(field("value", n));
                                    }
                                }
                                td {
                                    label.sr-only for={ "note" (n) } { "Note for " (r.indicator) " " (r.disaggregation) }
                                    input id={ "note" (n) } type="text" name={ "note" (n) } value=(field("note", n));
                                }
                            }
                        }
                    }
                }
                button type="submit" { "Save the filled rows" }
            }
        }
    };
    Ok((format!("Data entry for {p}"), body))
}

/// The filled rows of the form as a CSV file for the import: each with its row number.
fn as_csv(
    p: FiscalPeriod,
    form: &HashMap<String, String>,
) -> Result<(String, Vec<(usize, String)>), WebError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "indicator",
        "period",
        "disaggregation",
        "value",
        "numerator",
        "denominator",
        "note",
    ];
    let bad = |_| WebError::Internal("the form could not be read".into());
    w.write_record(header).map_err(bad)?;
    let mut lines = Vec::new();
    let get = |k: &str, n: usize| form.get(&format!("{k}{n}")).map_or("", |v| v.trim());
    // The rows as numbered on the form, in order (a form may leave rows out).
    let mut numbers: Vec<usize> = form
        .keys()
        .filter_map(|k| k.strip_prefix("ind")?.parse().ok())
        .collect();
    numbers.sort_unstable();
    for n in numbers {
        let code = &form[&format!("ind{n}")];
        let (value, num, den, note) = (
            get("value", n),
            get("num", n),
            get("den", n),
            get("note", n),
        );
        if [value, num, den, note].iter().any(|v| !v.is_empty()) {
            // A note's leading `'` would be taken for the formula guard import removes.
            let note = if note.starts_with('\'') {
                format!("'{note}")
            } else {
                note.to_string()
            };
            let period = p.to_string();
            w.write_record([
                code.as_str(),
                &period,
                get("dis", n),
                value,
                num,
                den,
                &note,
            ])
            .map_err(bad)?;
            lines.push((n, code.clone()));
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|_| WebError::Internal("the form could not be read".into()))?;
    Ok((String::from_utf8_lossy(&bytes).into_owned(), lines))
}

/// The form's row of an import message `entry form:LINE: ...` (line 1 is the header).
fn row_of(location: &str, lines: &[(usize, String)]) -> usize {
    location
        .strip_prefix(SHOWN)
        .and_then(|l| l.strip_prefix(':'))
        .and_then(|l| l.split(':').next())
        .and_then(|l| l.parse::<usize>().ok())
        .and_then(|line| line.checked_sub(2))
        .and_then(|i| lines.get(i))
        .map_or(0, |(n, _)| *n)
}

pub async fn post(
    State(app): State<Shared>,
    Extension(visit): Extension<Visit>,
    Query(q): Query<EntryQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let id = visit.id.clone();
    let app2 = app.clone();
    let back = visit.here.clone();
    let form: HashMap<String, String> = form.into_iter().collect();
    app.page_with_status(visit, move |cx| {
        let policy = policy(cx, Need::Record)?;
        let p = period(given(q.period.as_deref()))?
            .ok_or_else(|| WebError::BadRequest("the period is missing".into()))?;
        let (text, lines) = as_csv(p, &form)?;
        for (_, code) in &lines {
            in_scope(cx, &policy, code)?;
        }
        if lines.is_empty() {
            let (title, body) =
                render(cx, &policy, &q, &form, &[(0, "no row is filled in".into())])?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, title, body));
        }
        let catalog = Catalog::load(&*cx.store)?;
        let by = policy.actor.name.clone();
        let done = crate::values::import_reader(
            cx.store,
            &catalog,
            text.as_bytes(),
            SHOWN,
            &by,
            Some(&policy),
            &mut |_| {},
        );
        match done {
            Ok(s) => {
                let said = format!(
                    "saved {} for {p}: {} added, {} corrected, {} unchanged",
                    crate::render::plural(s.rows as usize, "row", "rows"),
                    s.added,
                    s.corrected,
                    s.unchanged
                );
                if let Ok(mut sessions) = app2.sessions.lock() {
                    sessions.set_flash(&id, said);
                }
                Err(WebError::Redirect(back))
            }
            Err(crate::error::Error::Located { diagnostics, .. }) => {
                let errors: Vec<RowError> = diagnostics
                    .iter()
                    .map(|d| (row_of(&d.location, &lines), d.message.clone()))
                    .collect();
                let (title, body) = render(cx, &policy, &q, &form, &errors)?;
                Ok((StatusCode::UNPROCESSABLE_ENTITY, title, body))
            }
            Err(crate::error::Error::Input { message, .. }) => {
                let (title, body) = render(cx, &policy, &q, &form, &[(0, message)])?;
                Ok((StatusCode::UNPROCESSABLE_ENTITY, title, body))
            }
            Err(e) => Err(e.into()),
        }
    })
    .await
}
