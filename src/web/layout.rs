//! The HTML shell every page shares, the sign-in page, and the style sheet (the review page's
//! look, `src/report/style.css`, with the pages' additions), served by ics itself.

use axum::http::header;
use axum::response::IntoResponse;
use maud::{html, Markup, DOCTYPE};

use super::Visit;
use crate::workflow::policy::Actor;
use crate::workflow::Role;

const STYLE: &str = concat!(
    include_str!("../report/style.css"),
    "\n",
    include_str!("style.css")
);

pub async fn style() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE,
    )
}

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · ics" }
            link rel="stylesheet" href="/static/style.css";
        }
    }
}

/// The session's CSRF token, as the hidden field every form carries.
pub fn csrf(visit: &Visit) -> Markup {
    html! { input type="hidden" name="csrf" value=(visit.csrf); }
}

/// Whether the actor may read the audit log: admins and approvers (and the one person of
/// single-user mode).
pub fn reads_log(actor: &Actor) -> bool {
    actor
        .user
        .as_ref()
        .is_none_or(|u| matches!(u.role, Role::Admin | Role::Approver))
}

/// A page: the header with the navigation and who is signed in, the single-user banner, the
/// message of the last form, then `body`.
pub fn page(title: &str, actor: &Actor, visit: &Visit, strategy: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                header.top {
                    a.brand href="/" { "ics" @if !strategy.is_empty() { " · " (strategy) } }
                    nav aria-label="Pages" {
                        ul {
                            li { a href="/" { "Dashboard" } }
                            li { a href="/tree" { "Goals tree" } }
                            li { a href="/diff" { "Version changes" } }
                            li { a href="/entry" { "Data entry" } }
                            li { a href="/upload" { "Upload" } }
                            li { a href="/review" { "Approval queue" } }
                            li { a href="/status" { "Reporting status" } }
                            li { a href="/download" { "Downloads" } }
                            @if reads_log(actor) { li { a href="/log" { "Audit log" } } }
                            @if actor.require(crate::workflow::policy::Need::Admin).is_ok() {
                                li { a href="/admin/users" { "Users" } }
                                li { a href="/admin/locks" { "Locks" } }
                            }
                        }
                    }
                    @if let Some(u) = &actor.user {
                        div.who {
                            span { "Signed in as " strong { (u.name) } " (" (u.role.as_str()) ")" }
                            form.inline method="post" action="/logout" {
                                (csrf(visit))
                                button.plain type="submit" { "Sign out" }
                            }
                        }
                    }
                }
                @if actor.user.is_none() {
                    p.banner role="note" {
                        strong { "Single-user mode: " }
                        "this database has no users, so this server lets whoever opens it act as "
                        strong { (actor.name) } ", without signing in. It listens on this computer only. "
                        "Add an admin (" code { "ics user add NAME --role admin --password" } ") to require sign-in."
                    }
                }
                @if let Some(f) = &visit.flash {
                    p.flash role="status" { (f) }
                }
                main { h1 { (title) } (body) }
            }
        }
    }
}

/// The body of an error page: the message and the way back.
pub fn error(message: &str) -> Markup {
    html! {
        p.error role="alert" { (message) }
        p { a href="/" { "Back to the dashboard" } }
    }
}

/// A page with a message only: an error where who is acting is not known (no session yet, or
/// the database could not be opened), so the navigation is that of a reader.
pub fn bare(title: &str, message: &str) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                header.top {
                    a.brand href="/" { "ics" }
                    nav aria-label="Pages" {
                        ul {
                            li { a href="/" { "Dashboard" } }
                            li { a href="/tree" { "Goals tree" } }
                            li { a href="/diff" { "Version changes" } }
                            li { a href="/status" { "Reporting status" } }
                        }
                    }
                }
                main {
                    h1 { (title) }
                    (error(message))
                }
            }
        }
    }
}

/// The sign-in page, with the last attempt's error.
pub fn login(visit: &Visit, next: Option<&str>, error: Option<&str>) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head("Sign in"))
            body {
                header.top { span.brand { "ics" } }
                main {
                    h1 { "Sign in" }
                    @if let Some(e) = error { p.error role="alert" { (e) } }
                    form.stack method="post" action="/login" {
                        (csrf(visit))
                        @if let Some(n) = next { input type="hidden" name="next" value=(n); }
                        label for="name" { "User name" }
                        input #name type="text" name="name" autocomplete="username" required autofocus;
                        label for="password" { "Password" }
                        input #password type="password" name="password" autocomplete="current-password" required;
                        button type="submit" { "Sign in" }
                    }
                    p.muted { "An admin sets passwords with " code { "ics user set-password NAME" } "." }
                }
            }
        }
    }
}
