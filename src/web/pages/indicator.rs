//! `/indicator/{code}[?period=P]`: an indicator's targets, its chart of actuals against targets
//! (the review page's chart, `ics report`), its history (values, corrections, voids and
//! reviews), its reference sheet (`ics pirs CODE`), and for a reporter in scope the forms that
//! record, explain and void a value (`ics record`, `ics explain`, `ics void`), each with the
//! disaggregation the command takes as `--disagg`.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::{Extension, Form};
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

use super::{in_scope, period, policy, PeriodQuery};
use crate::cli::{ExplainArgs, RecordArgs, ValueKey, VoidArgs};
use crate::framework::{Framework, Indicator};
use crate::period::{FiscalPeriod, PeriodRange};
use crate::pirs::{Sheet, StoredVersion};
use crate::render::pirs::{Piece, NOT_STATED};
use crate::render::progress::number;
use crate::report::{IndicatorCard, Status};
use crate::store::{Kind, ValueQuery, VersionInfo};
use crate::web::auth::query_escape;
use crate::web::layout::csrf;
use crate::web::pages::dashboard::status;
use crate::web::{Ctx, Shared, Visit, WebError};
use crate::workflow::policy::Need;
use crate::workflow::{Counted, LogQuery, ReviewState};

pub async fn get(
    State(app): State<Shared>,
    Extension(visit): Extension<Visit>,
    Path(code): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    app.page(visit, move |cx| render(cx, &code, &q)).await
}

/// Every stored version up to the newest, oldest first, each with its whole framework (the
/// reference sheet's change history compares them, as `ics pirs` does); the newest's holds the
/// indicator, or it is not one of this strategy (404).
fn history(cx: &mut Ctx, code: &str) -> Result<(VersionInfo, Vec<StoredVersion>), WebError> {
    let latest = cx.store.resolve_version(None)?;
    let mut history = Vec::new();
    for v in cx
        .store
        .versions()?
        .into_iter()
        .filter(|v| v.id < latest.id)
    {
        history.push(StoredVersion {
            framework: cx.store.framework(&v)?,
            label: v.label,
            loaded_at: v.loaded_at,
        });
    }
    let fw = cx.store.framework(&latest)?;
    if fw.indicator(code).is_none() {
        return Err(WebError::NotFound(format!(
            "`{code}` is not an indicator of this strategy"
        )));
    }
    history.push(StoredVersion {
        framework: fw,
        label: latest.label.clone(),
        loaded_at: latest.loaded_at.clone(),
    });
    Ok((latest, history))
}

/// The indicator's card of the review page for `given` (default: the period `ics report`
/// reviews), from the values `ics report` counts (approved, and those recorded without review).
fn card(
    cx: &mut Ctx,
    version: &VersionInfo,
    fw: &Framework,
    code: &str,
    given: Option<FiscalPeriod>,
) -> Result<Option<IndicatorCard>, WebError> {
    let Some((node, _)) = fw.indicator(code) else {
        return Ok(None);
    };
    cx.store.set_counted(Counted::Approved);
    let period = crate::cmd::review_period(given, &*cx.store, version, fw)?;
    let mut values = cx.store.current_totals(version, PeriodRange::all())?;
    values.retain(|v| &*v.indicator == code);
    let page = crate::report::build(
        fw,
        &version.label,
        period,
        &values,
        Some(&node.code),
        &crate::clock::now_utc(),
    )?;
    let card = page.cards().find(|c| c.row.indicator == code).cloned();
    Ok(card)
}

fn render(cx: &mut Ctx, code: &str, q: &PeriodQuery) -> Result<(String, Markup), WebError> {
    let given = period(q.given())?;
    let (version, history) = history(cx, code)?;
    let fw = match history.last() {
        Some(v) => &v.framework,
        None => return Err(WebError::Internal("no stored version".into())),
    };
    let ind = match fw.indicator(code) {
        Some((_, i)) => i.clone(),
        None => {
            return Err(WebError::NotFound(format!(
                "`{code}` is not an indicator of this strategy"
            )))
        }
    };
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
    let card = card(cx, &version, fw, code, given)?;
    let sheets = crate::pirs::sheets(&history, &[code.to_string()])?;
    let action = |what: &str| format!("/indicator/{}/{what}", query_escape(code));
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
        @if let Some(c) = &card { (chart(code, c)) }
        @if may_record {
            h2 { "Record a value" }
            form.stack method="post" action=(action("record")) {
                (csrf(cx.visit))
                label for="period" { "Period (FY2024 or FY2024Q1)" }
                input #period type="text" name="period" required;
                (disagg_field(&ind, "disagg"))
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
            form.stack method="post" action=(action("explain")) {
                (csrf(cx.visit))
                label for="explain-period" { "Period" }
                input #explain-period type="text" name="period" required;
                (disagg_field(&ind, "explain-disagg"))
                label for="explanation" { "Explanation" }
                textarea #explanation name="text" rows="2" required {}
                button type="submit" { "Explain" }
            }
            h2 { "Void a value" }
            form.stack method="post" action=(action("void")) {
                (csrf(cx.visit))
                label for="void-period" { "Period" }
                input #void-period type="text" name="period" required;
                (disagg_field(&ind, "void-disagg"))
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
        @for sheet in &sheets.sheets { (pirs(sheet, &sheets.version, sheets.versions_compared)) }
    };
    Ok((format!("Indicator {code}"), body))
}

/// The review page's chart of the card (inline SVG with its title and description; no script),
/// with the period it reviews and its status in words.
fn chart(code: &str, c: &IndicatorCard) -> Markup {
    let r = &c.row;
    html! {
        h2 { "Actuals against targets" }
        p.muted {
            "As the review page (" code { "ics report --period " (r.period) } ") charts it: approved values "
            "(and those recorded without review). " (r.period) ": " (status(r.status))
            @if r.needs_explanation { " (needs explanation)" }
            ". Another period: " code { "?period=FY2021" } " after the address."
        }
        @match &c.chart {
            Some(ch) => figure.ichart {
                (PreEscaped(crate::report::svg::chart(ch, "chart", code)))
                @if r.period.is_quarter() && !ch.by_quarter() {
                    figcaption { "No actual recorded for any quarter: charted by fiscal year." }
                }
                @if !c.off_chart.is_empty() {
                    figcaption {
                        "Not on the chart (outside its years): "
                        @for (i, (p, v)) in c.off_chart.iter().enumerate() {
                            @if i > 0 { ", " } (p) ": " (number(*v))
                        }
                        "."
                    }
                }
            },
            None => p {
                "No approved actual for any "
                @if r.status == Status::NoData && r.period.is_quarter() { "quarter or " }
                "fiscal year yet, so no chart."
            },
        }
    }
}

/// The optional disaggregation of a form (`--disagg`), when the indicator declares any: one key
/// is a choice of its values; several are typed as `KEY=VALUE` joined by `;`, with the
/// declared ones suggested.
fn disagg_field(ind: &Indicator, id: &str) -> Markup {
    let declared = &ind.disaggregations;
    let hint = format!("{id}-hint");
    let list = format!("{id}-list");
    let words: Vec<String> = declared
        .iter()
        .map(|(k, vs)| format!("{k}: {}", vs.join(", ")))
        .collect();
    html! {
        @if declared.len() == 1 {
            label for=(id) { "Disaggregation" }
            select id=(id) name="disagg" {
                option value="" selected { "Total (no disaggregation)" }
                @for (k, vs) in declared {
                    @for v in vs { option value={ (k) "=" (v) } { (k) " = " (v) } }
                }
            }
        } @else if !declared.is_empty() {
            label for=(id) { "Disaggregation (optional)" }
            input id=(id) type="text" name="disagg" list=(list) aria-describedby=(hint);
            datalist id=(list) {
                @for (k, vs) in declared {
                    @for v in vs { option value={ (k) "=" (v) } {} }
                }
            }
            span.hint id=(hint) {
                "Empty for the total; else KEY=VALUE, several joined by “;”, for example "
                code { "sex=female;age=15-29" } ". Declared: " (words.join("; ")) "."
            }
        }
    }
}

fn pieces(list: &[Piece]) -> Markup {
    html! {
        @for p in list {
            @match p {
                Piece::Text(t) => (t),
                Piece::Code(c) => code { (c) },
            }
        }
    }
}

/// The reference sheet as `ics pirs CODE` builds it: the template's sections as tables, "not
/// stated" for what the framework does not give, the targets, and the changes across the
/// stored versions.
fn pirs(sheet: &Sheet, version: &str, compared: usize) -> Markup {
    let i = &sheet.indicator;
    let (revisions, note) = crate::render::pirs::changes(sheet, compared);
    html! {
        section.pirs aria-labelledby="pirs" {
            h2 #pirs { "Performance Indicator Reference Sheet" }
            p.muted { "As " code { "ics pirs " (i.code) } " builds it from version " code { (version) } "." }
            @for sec in crate::render::pirs::sections(sheet) {
                h3 { (sec.heading) }
                table.pirs {
                    tbody {
                        @for (label, entry) in &sec.rows {
                            tr {
                                th scope="row" { (label) }
                                td { @match entry { Some(p) => (pieces(p)), None => span.missing { (NOT_STATED) } } }
                            }
                        }
                        @if sec.heading == "Baseline and targets" {
                            tr {
                                th scope="row" { "Targets" }
                                td {
                                    @if i.targets.is_empty() { span.missing { (NOT_STATED) } }
                                    @for (n, (p, v)) in i.targets.iter().enumerate() {
                                        @if n > 0 { " · " } (p) " " (crate::render::values::readable(*v))
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h3 { "Changes to the indicator" }
            @if !revisions.is_empty() {
                ul {
                    @for (heading, lines) in &revisions {
                        li { (pieces(heading)) ":" ul { @for l in lines { li { (pieces(l)) } } } }
                    }
                }
            }
            @if !note.is_empty() { p { (pieces(&note)) } }
        }
    }
}

#[derive(Deserialize)]
pub struct RecordForm {
    #[serde(default)]
    period: String,
    value: Option<String>,
    numerator: Option<String>,
    denominator: Option<String>,
    note: Option<String>,
    /// `sex=female`, several joined by `;`; empty for the total.
    #[serde(default)]
    disagg: String,
}

/// A form's disaggregation as `--disagg` arguments.
fn disagg(given: &str) -> Vec<String> {
    given
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
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
                disagg: disagg(&f.disagg),
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
    #[serde(default)]
    disagg: String,
}

fn key(code: String, f: &TextForm) -> ValueKey {
    ValueKey {
        indicator: code,
        period: f.period.clone(),
        disagg: disagg(&f.disagg),
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
            key: key(code, &f),
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
            key: key(code, &f),
            reason: f.reason,
            by: None,
        };
        Ok(crate::cmd::void::void(cx.store, &policy, &args)?)
    })
    .await
}
