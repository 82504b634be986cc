//! `/upload`: a CSV file or an Excel workbook of values, imported as `ics import-values` does
//! (the same functions, on the upload written to a temporary file): all rows or none, with
//! the same `FILE:LINE` errors. The session middleware refuses an upload over
//! [`MAX_UPLOAD`] with 413.

use std::path::Path;

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use maud::{html, Markup};

use super::policy;
use crate::error::Error;
use crate::values::{self, Catalog, Separator};
use crate::web::auth::MAX_UPLOAD;
use crate::web::layout::csrf;
use crate::web::{Ctx, Shared, Visit, WebError};
use crate::workflow::policy::Need;

/// The most errors listed on the page.
const SHOWN_ERRORS: usize = 100;

pub async fn get(State(app): State<Shared>, Extension(visit): Extension<Visit>) -> Response {
    app.page(visit, move |cx| {
        policy(cx, Need::Record)?;
        Ok(("Upload values".to_string(), form(cx, &[])))
    })
    .await
}

fn form(cx: &Ctx, errors: &[String]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.error role="alert" {
                p { strong { "Nothing was imported:" } }
                ul { @for e in errors.iter().take(SHOWN_ERRORS) { li { code { (e) } } } }
                @if errors.len() > SHOWN_ERRORS { p { "and " (errors.len() - SHOWN_ERRORS) " more" } }
            }
        }
        p {
            "A CSV file or an Excel workbook (.xlsx) of values, as " code { "ics import-values" } " reads it: "
            "a header such as " code { "indicator,period,value,note,source" } ", or a filled-in "
            a href="/entry" { "data-entry" } " template from " code { "ics template" } ". "
            "Every row is imported, or none is. At most " (MAX_UPLOAD >> 20) " MB."
        }
        form.stack method="post" action="/upload" enctype="multipart/form-data" {
            (csrf(cx.visit))
            label for="file" { "File (.csv or .xlsx)" }
            input #file type="file" name="file" accept=".csv,.txt,.xlsx,.xlsm,text/csv" required;
            label for="sheet" { "Worksheet (optional; the first if empty)" }
            input #sheet type="text" name="sheet";
            button type="submit" { "Import" }
        }
    }
}

/// The uploaded file's name, kept to a plain file name (messages name it).
fn file_name(given: Option<&str>) -> String {
    let base = given
        .unwrap_or("")
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ' '))
        .collect::<String>();
    let base = base.trim().trim_start_matches('.').to_string();
    if base.is_empty() {
        "upload.csv".to_string()
    } else {
        base
    }
}

pub async fn post(
    State(app): State<Shared>,
    Extension(visit): Extension<Visit>,
    mut multipart: Multipart,
) -> Response {
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut sheet = String::new();
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("file") => {
                    let name = file_name(field.file_name());
                    match field.bytes().await {
                        Ok(b) => file = Some((name, b.to_vec())),
                        Err(_) => return bad_form(),
                    }
                }
                Some("sheet") => sheet = field.text().await.unwrap_or_default(),
                _ => {}
            },
            Ok(None) => break,
            Err(_) => return bad_form(),
        }
    }
    let id = visit.id.clone();
    let app2 = app.clone();
    app.page_with_status(visit, move |cx| {
        let policy = policy(cx, Need::Record)?;
        let refuse = |cx: &Ctx, errors: Vec<String>| {
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                "Upload values".to_string(),
                form(cx, &errors),
            ))
        };
        let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
            return refuse(
                cx,
                vec!["choose a file to import (the one chosen is empty)".into()],
            );
        };
        let dir = tempfile::tempdir()
            .map_err(|_| WebError::Internal("the upload could not be stored".into()))?;
        let path = dir.path().join(&name);
        std::fs::write(&path, &bytes)
            .map_err(|_| WebError::Internal("the upload could not be stored".into()))?;
        let sheet = Some(sheet.trim()).filter(|s| !s.is_empty());
        match import(cx, &policy, &path, sheet) {
            Ok(said) => {
                let said = said.replace(&format!("{}/", dir.path().display()), "");
                if let Ok(mut s) = app2.sessions.lock() {
                    s.set_flash(&id, said);
                }
                Err(WebError::Redirect("/upload".into()))
            }
            Err(e @ (Error::Located { .. } | Error::Input { .. })) => {
                let prefix = format!("{}/", dir.path().display());
                let errors = match e {
                    Error::Located {
                        diagnostics,
                        summary,
                    } => diagnostics
                        .iter()
                        .map(ToString::to_string)
                        .chain([summary])
                        .collect(),
                    other => vec![other.to_string()],
                };
                refuse(cx, errors.iter().map(|e| e.replace(&prefix, "")).collect())
            }
            Err(e) => Err(e.into()),
        }
    })
    .await
}

/// `ics import-values` on the file at `path`: what it did, as the command says it.
fn import(
    cx: &mut Ctx,
    policy: &crate::workflow::policy::Policy,
    path: &Path,
    sheet: Option<&str>,
) -> Result<String, Error> {
    values::foreign_file(path)?;
    let workbook = values::is_workbook(path);
    let shown = path.display().to_string();
    if sheet.is_some() && !workbook {
        return Err(Error::input(format!(
            "`{shown}` is not an Excel workbook, so it has no sheets; leave the worksheet empty for a CSV file"
        )));
    }
    let catalog = Catalog::load(&*cx.store)?;
    let by = policy.actor.name.clone();
    let summary = if workbook {
        values::import_xlsx(
            cx.store,
            &catalog,
            path,
            sheet,
            &by,
            Some(policy),
            &mut |_| {},
        )?
    } else {
        values::import_csv(cx.store, &catalog, path, &by, Some(policy), &mut |_| {})?
    };
    let mut said = crate::cmd::import_values::said(&shown, &summary);
    if !workbook && summary.separator != Separator::Comma {
        said.push_str(&format!(" (read as {})", summary.separator.name()));
    }
    Ok(said)
}

fn bad_form() -> Response {
    use axum::response::IntoResponse;
    WebError::BadRequest("the upload could not be read; choose the file and try again".into())
        .into_response()
}
