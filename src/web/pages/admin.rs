//! `/admin/users` and `/admin/locks`, for admins: the users (`ics user list|add|set-role|
//! remove`) and the locked periods (`ics locks|lock|unlock`). Each change runs the command
//! itself ([`super::cli`]), so its checks are the CLI's: the first user is an admin, the last
//! admin stays, an unlock needs a reason. Passwords are set with the CLI only.

use axum::extract::State;
use axum::response::Response;
use axum::{Extension, Form};
use maud::{html, Markup};
use serde::Deserialize;

use crate::render::listing::short_time;
use crate::web::layout::csrf;
use crate::web::{Ctx, Shared, Visit, WebError};
use crate::workflow::policy::Need;

const ROLES: [&str; 4] = ["viewer", "reporter", "approver", "admin"];

/// Admins only (and the one person of single-user mode): 403 otherwise.
fn admin(cx: &Ctx) -> Result<(), WebError> {
    cx.actor.require(Need::Admin).map_err(super::forbidden)
}

/// Run an admin's command as the signed-in user: what it said.
fn run(app: &crate::web::App, cx: &Ctx, args: Vec<String>) -> Result<String, WebError> {
    admin(cx)?;
    let by = cx.actor.user.as_ref().map(|u| u.name.as_str());
    let said = super::cli(app, by, args)?;
    Ok(String::from_utf8_lossy(&said).trim().replace('\n', "; "))
}

fn role_select(id: &str, chosen: &str) -> Markup {
    html! {
        select id=(id) name="role" {
            @for r in ROLES { option value=(r) selected[r == chosen] { (r) } }
        }
    }
}

pub async fn users(State(app): State<Shared>, Extension(visit): Extension<Visit>) -> Response {
    app.page(visit, |cx| {
        admin(cx)?;
        let users = cx.store.users()?;
        let body = html! {
            p.muted { "Passwords are set with the command line only: " code { "ics user set-password NAME" } ". A user added here can sign in once it has one." }
            @if users.is_empty() { p { "No users yet: the first one must be an admin." } } @else {
                table {
                    thead { tr {
                        th scope="col" { "User" } th scope="col" { "Role" } th scope="col" { "Scope" }
                        th scope="col" { "Added by" } th scope="col" { "When (UTC)" } th scope="col" { "Change" }
                    } }
                    tbody {
                        @for (n, u) in users.iter().enumerate() {
                            tr {
                                td { (u.name) } td { (u.role.as_str()) }
                                td { @if u.scopes.is_empty() { "all" } @else { (u.scopes.join(", ")) } }
                                td { (u.added_by) } td { (short_time(&u.added_at)) }
                                td {
                                    form.inline method="post" action="/admin/users/role" {
                                        (csrf(cx.visit))
                                        input type="hidden" name="name" value=(u.name);
                                        label for={ "role" (n) } { "Role" }
                                        (role_select(&format!("role{n}"), u.role.as_str()))
                                        label for={ "scope" (n) } { "Scope (codes; empty for all)" }
                                        input id={ "scope" (n) } type="text" name="scope" value=(u.scopes.join(" ")) size="10";
                                        button type="submit" aria-label={ "Change the role of " (u.name) } { "Change" }
                                    }
                                    form.inline method="post" action="/admin/users/remove" {
                                        (csrf(cx.visit))
                                        input type="hidden" name="name" value=(u.name);
                                        button.plain type="submit" aria-label={ "Remove " (u.name) } { "Remove" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h2 { "Add a user" }
            form.stack method="post" action="/admin/users/add" {
                (csrf(cx.visit))
                label for="name" { "User name" }
                input #name type="text" name="name" required;
                label for="role" { "Role" }
                (role_select("role", "reporter"))
                label for="scope" { "Scope: goal, objective, DO or indicator codes, separated by spaces (reporters and approvers; empty for all)" }
                input #scope type="text" name="scope";
                button type="submit" { "Add" }
            }
        };
        Ok(("Users".to_string(), body))
    })
    .await
}

#[derive(Deserialize)]
pub struct UserForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    scope: String,
}

fn role_arg(role: &str) -> Result<&str, WebError> {
    ROLES
        .into_iter()
        .find(|r| *r == role.trim())
        .ok_or_else(|| {
            WebError::BadRequest(format!(
                "`{role}` is not a role; choose one of {}",
                ROLES.join(", ")
            ))
        })
}

fn scopes(given: &str) -> impl Iterator<Item = String> + '_ {
    given
        .split([' ', ','])
        .filter(|s| !s.is_empty())
        .map(|s| format!("--scope={s}"))
}

pub async fn add(
    State(app): State<Shared>,
    Extension(visit): Extension<Visit>,
    Form(f): Form<UserForm>,
) -> Response {
    let app2 = app.clone();
    app.act(visit, "/admin/users".into(), move |cx| {
        let mut args = vec![
            "user".into(),
            "add".into(),
            format!("--role={}", role_arg(&f.role)?),
            // Never ask on the server's own terminal: the password is set with
            // `ics user set-password NAME`.
            "--no-password".into(),
        ];
        args.extend(scopes(&f.scope));
        args.extend(["--".into(), f.name.trim().to_string()]);
        run(&app2, cx, args)
    })
    .await
}

pub async fn set_role(
    State(app): State<Shared>,
    Extension(visit): Extension<Visit>,
    Form(f): Form<UserForm>,
) -> Response {
    let app2 = app.clone();
    app.act(visit, "/admin/users".into(), move |cx| {
        let mut args = vec!["user".into(), "set-role".into()];
        let mut given = scopes(&f.scope).peekable();
        if given.peek().is_none() {
            args.push("--all".into());
        }
        args.extend(given);
        args.extend([
            "--".into(),
            f.name.trim().to_string(),
            role_arg(&f.role)?.to_string(),
        ]);
        run(&app2, cx, args)
    })
    .await
}

pub async fn remove(
    State(app): State<Shared>,
    Extension(visit): Extension<Visit>,
    Form(f): Form<UserForm>,
) -> Response {
    let app2 = app.clone();
    app.act(visit, "/admin/users".into(), move |cx| {
        let args = vec![
            "user".into(),
            "remove".into(),
            "--".into(),
            f.name.trim().to_string(),
        ];
        run(&app2, cx, args)
    })
    .await
}

pub async fn locks(State(app): State<Shared>, Extension(visit): Extension<Visit>) -> Response {
    app.page(visit, |cx| {
        admin(cx)?;
        let locks = cx.store.locks()?;
        let body = html! {
            @if locks.is_empty() { p { "No period is locked." } } @else {
                table {
                    thead { tr {
                        th scope="col" { "Period" } th scope="col" { "Locked by" } th scope="col" { "When (UTC)" }
                        th scope="col" { "Reason" } th scope="col" { "Unlock" }
                    } }
                    tbody {
                        @for (n, l) in locks.iter().enumerate() {
                            tr {
                                td { @if l.through { "through " } (l.period) }
                                td { (l.set_by) } td { (short_time(&l.set_at)) }
                                td { (l.reason.as_deref().unwrap_or("")) }
                                td {
                                    form.inline method="post" action="/admin/locks/unlock" {
                                        (csrf(cx.visit))
                                        input type="hidden" name="period" value=(l.period);
                                        input type="hidden" name="through" value=(if l.through { "1" } else { "" });
                                        label for={ "reason" (n) } { "Reason (kept in the log)" }
                                        input id={ "reason" (n) } type="text" name="reason" required;
                                        button.plain type="submit" aria-label={ "Unlock " (l.period) } { "Unlock" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h2 { "Lock a period" }
            form.stack method="post" action="/admin/locks/lock" {
                (csrf(cx.visit))
                label for="period" { "Period (FY2024 or FY2024Q1)" }
                input #period type="text" name="period" required;
                label for="through" { input #through type="checkbox" name="through" value="1"; " and every period before it" }
                label for="reason" { "Reason (optional)" }
                input #reason type="text" name="reason";
                button type="submit" { "Lock" }
            }
        };
        Ok(("Locked periods".to_string(), body))
    })
    .await
}

#[derive(Deserialize)]
pub struct LockForm {
    #[serde(default)]
    period: String,
    #[serde(default)]
    through: String,
    #[serde(default)]
    reason: String,
}

fn lock_args(command: &str, f: &LockForm, reason_always: bool) -> Vec<String> {
    let mut args = vec![command.to_string()];
    if reason_always || !f.reason.trim().is_empty() {
        args.push(format!("--reason={}", f.reason));
    }
    let period = f.period.trim().to_string();
    if f.through.is_empty() {
        args.extend(["--".to_string(), period]);
    } else {
        args.push(format!("--through={period}"));
    }
    args
}

pub async fn lock(
    State(app): State<Shared>,
    Extension(visit): Extension<Visit>,
    Form(f): Form<LockForm>,
) -> Response {
    let app2 = app.clone();
    app.act(visit, "/admin/locks".into(), move |cx| {
        run(&app2, cx, lock_args("lock", &f, false))
    })
    .await
}

pub async fn unlock(
    State(app): State<Shared>,
    Extension(visit): Extension<Visit>,
    Form(f): Form<LockForm>,
) -> Response {
    let app2 = app.clone();
    app.act(visit, "/admin/locks".into(), move |cx| {
        run(&app2, cx, lock_args("unlock", &f, true))
    })
    .await
}
