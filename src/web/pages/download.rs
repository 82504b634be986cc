//! `/download`: the files the CLI writes, for anyone signed in: the review page (`ics report`),
//! the ITT as CSV and XLSX (`ics track`), IATI XML (`ics export iati`) and the PIRS as HTML
//! (`ics pirs --format html`).
//!
//! Each file is made by the command itself, run in this process with the server's database
//! and strategy and the arguments of the query, so its bytes are the CLI's. Query values are
//! passed as `--flag=VALUE` (and indicator codes after `--`), so a value is never read as a
//! flag.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use maud::{html, Markup};
use serde::Deserialize;

use crate::web::{Ctx, Shared, Visit, WebError};

#[derive(Debug, Default, Deserialize)]
pub struct DownloadQuery {
    pub period: Option<String>,
    pub node: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub indicator: Option<String>,
}

/// The files: name, what it is, the command that makes it, and its content type.
const FILES: [(&str, &str, &str, &str); 5] = [
    (
        "review.html",
        "Review page (HTML)",
        "ics report",
        "text/html; charset=utf-8",
    ),
    (
        "itt.xlsx",
        "Indicator tracking table (Excel)",
        "ics track --format xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "itt.csv",
        "Indicator tracking table (CSV)",
        "ics track --format csv",
        "text/csv; charset=utf-8",
    ),
    (
        "iati.xml",
        "IATI activity file (XML)",
        "ics export iati",
        "application/xml",
    ),
    (
        "pirs.html",
        "Performance Indicator Reference Sheets (HTML)",
        "ics pirs --format html",
        "text/html; charset=utf-8",
    ),
];

pub async fn index(State(app): State<Shared>, Extension(visit): Extension<Visit>) -> Response {
    app.page(visit, |cx| Ok(("Downloads".to_string(), list(cx))))
        .await
}

fn list(_cx: &Ctx) -> Markup {
    html! {
        p { "The files the commands write, made by the same code from this server's database. Approved values only, as the commands count them by default." }
        ul {
            @for (name, what, command, _) in FILES {
                li { a href={ "/download/" (name) } { (what) } " — " code { (command) } }
            }
        }
        h2 { "With a period or a range" }
        form.stack method="get" action="/download/review.html" {
            label for="r-period" { "Review page: period (FY2024 or FY2024Q1; empty for the default)" }
            input #r-period type="text" name="period";
            label for="r-node" { "Under (goal, objective or DO code; empty for all)" }
            input #r-node type="text" name="node";
            button type="submit" { "Download the review page" }
        }
        form.stack method="get" action="/download/itt.csv" {
            label for="t-from" { "Tracking table (CSV): first fiscal year (empty: the strategy's start)" }
            input #t-from type="text" name="from";
            label for="t-to" { "Last fiscal year (empty: the strategy's end)" }
            input #t-to type="text" name="to";
            button type="submit" { "Download the tracking table" }
        }
    }
}

fn given(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The command's arguments for file `name`; `out` is where it writes, if to a file.
fn arguments(name: &str, q: &DownloadQuery, out: &str) -> Option<Vec<String>> {
    let flag = |f: &str, v: &Option<String>| given(v).map(|v| format!("--{f}={v}"));
    let mut a: Vec<String> = match name {
        "review.html" => vec!["report".into()],
        "itt.xlsx" => vec!["track".into(), "--format=xlsx".into()],
        "itt.csv" => vec!["track".into(), "--format=csv".into()],
        "iati.xml" => vec!["export".into(), "iati".into()],
        "pirs.html" => vec!["pirs".into(), "--format=html".into()],
        _ => return None,
    };
    match name {
        "review.html" => a.extend(
            [flag("period", &q.period), flag("node", &q.node)]
                .into_iter()
                .flatten(),
        ),
        "itt.xlsx" | "itt.csv" => a.extend(
            [
                flag("from", &q.from),
                flag("to", &q.to),
                flag("node", &q.node),
            ]
            .into_iter()
            .flatten(),
        ),
        _ => {}
    }
    if name != "itt.csv" {
        a.push(format!("--out={out}"));
    }
    if name == "pirs.html" {
        if let Some(code) = given(&q.indicator) {
            a.extend(["--".to_string(), code.to_string()]);
        }
    }
    Some(a)
}

/// What `ics ARGS` wrote to `out`, or else to standard output.
fn run(
    app: &crate::web::App,
    args: Vec<String>,
    out: &std::path::Path,
) -> Result<Vec<u8>, WebError> {
    let stdout = super::cli(app, None, args)?;
    Ok(std::fs::read(out).unwrap_or(stdout))
}

pub async fn file(
    State(app): State<Shared>,
    Extension(visit): Extension<Visit>,
    Path(name): Path<String>,
    Query(q): Query<DownloadQuery>,
) -> Response {
    let Some(&(file_name, _, _, mime)) = FILES.iter().find(|f| f.0 == name) else {
        return WebError::NotFound("there is no such download".into()).into_response();
    };
    let app2 = app.clone();
    let done = tokio::task::spawn_blocking(move || {
        // Signed in (or single-user mode), as for every page.
        drop(app2.open(&visit, &visit.here)?);
        let dir = tempfile::tempdir()
            .map_err(|_| WebError::Internal("the file could not be made".into()))?;
        let out = dir.path().join(&name);
        let args = arguments(&name, &q, &out.display().to_string())
            .ok_or_else(|| WebError::NotFound("there is no such download".into()))?;
        run(&app2, args, &out)
    })
    .await;
    match done {
        Ok(Ok(bytes)) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, mime.to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file_name}\""),
                ),
            ],
            bytes,
        )
            .into_response(),
        Ok(Err(e)) => e.into_response(),
        Err(_) => WebError::Internal("the request failed (internal error)".into()).into_response(),
    }
}
