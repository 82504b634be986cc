//! The sign-in page, signing in (throttled per account and per address, the session replaced
//! by a new one) and signing out. With users in the database, the sessions and the failed
//! sign-ins are kept there (see [`super::auth`]); without, in memory.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;

use super::auth::{self, client, set_cookie, LoggedUser, COOKIE, PER_ACCOUNT, PER_ADDRESS};
use super::{layout, Shared, Visit, WebError};
use crate::workflow::password;

/// Where to go after signing in: a path of this site, else the dashboard.
/// A browser drops tabs and line breaks from a URL and reads a backslash as `/`, so `/\t/host`
/// would lead elsewhere: any such character, or any space, and it is the dashboard.
fn local(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n
                    .chars()
                    .any(|c| c == '\\' || c.is_whitespace() || c.is_control()) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_page(
    Extension(visit): Extension<Visit>,
    Query(q): Query<NextQuery>,
) -> Response {
    // A session in memory: the database has no users (single-user mode), nobody signs in.
    if !visit.stored {
        return Redirect::to("/").into_response();
    }
    layout::login(&visit, q.next.as_deref(), None).into_response()
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// How a sign-in went.
enum Outcome {
    Blocked,
    Wrong,
    /// Signed in: the new session (kept in the database), or `None` for one to start in memory.
    In(Option<Visit>),
}

pub async fn login(
    State(app): State<Shared>,
    Extension(visit): Extension<Visit>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let addr = client(&headers, peer, app.cfg.behind_proxy);
    let name = f.name.trim().to_string();
    let stored = visit.stored;
    if !stored {
        let blocked = app.throttle.lock().map(|mut t| t.blocked(&name, addr));
        if blocked.unwrap_or(true) {
            return too_many();
        }
    }
    let shared = app.clone();
    let (who, pw, old) = (name.clone(), f.password, visit.id.clone());
    let outcome = tokio::task::spawn_blocking(move || {
        let mut store = shared.pooled()?;
        if stored && auth::blocked_stored(&*store, &who, addr)? {
            return Ok(Outcome::Blocked);
        }
        let hash = if who.is_empty() {
            None
        } else {
            store.password_hash(&who)?
        };
        // A wrong name takes as long as a wrong password.
        let good = password::verify(hash.as_deref().unwrap_or(password::decoy()), &pw);
        if !(good && hash.is_some()) {
            if stored {
                auth::failed_stored(&mut *store, &who, addr)?;
            }
            return Ok(Outcome::Wrong);
        }
        if !stored {
            return Ok(Outcome::In(None));
        }
        auth::succeeded_stored(&mut *store, &who)?;
        let fresh = auth::sign_in_stored(&mut *store, &old, &who)?;
        // Housekeeping: a failure here must not undo the sign-in.
        let _ = auth::sweep_stored(&mut *store, shared.cfg.idle, &shared.swept);
        Ok::<_, WebError>(Outcome::In(Some(fresh)))
    })
    .await;
    let outcome = match outcome {
        Ok(Ok(o)) => o,
        Ok(Err(e)) => return e.into_response(),
        Err(_) => {
            return WebError::Internal("the request failed (internal error)".into()).into_response()
        }
    };
    let fresh = match outcome {
        Outcome::Blocked => return too_many(),
        Outcome::Wrong => {
            if !stored {
                if let Ok(mut t) = app.throttle.lock() {
                    t.failed(&name, addr);
                }
            }
            let mut resp = layout::login(
                &visit,
                f.next.as_deref(),
                Some("the name or the password is wrong (or no password is set for this user)"),
            )
            .into_response();
            *resp.status_mut() = StatusCode::UNAUTHORIZED;
            return resp;
        }
        Outcome::In(Some(fresh)) => fresh,
        Outcome::In(None) => {
            if let Ok(mut t) = app.throttle.lock() {
                t.succeeded(&name);
            }
            match app.sessions.lock().map(|mut s| s.sign_in(&visit.id, &name)) {
                Ok(Ok(fresh)) => fresh,
                Ok(Err(e)) => return e.into_response(),
                Err(_) => {
                    return WebError::Internal("the sessions are unusable".into()).into_response()
                }
            }
        }
    };
    let mut resp = Redirect::to(&local(f.next.as_deref())).into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        set_cookie(&fresh.id, app.cfg.secure_cookies),
    );
    resp.extensions_mut().insert(LoggedUser(name));
    resp
}

fn too_many() -> Response {
    WebError::TooMany(format!(
        "too many failed sign-ins for this account or from this address; wait 15 minutes and try again ({PER_ACCOUNT} failures per account, {PER_ADDRESS} per address)"
    ))
    .into_response()
}

pub async fn logout(State(app): State<Shared>, Extension(visit): Extension<Visit>) -> Response {
    if visit.stored {
        let shared = app.clone();
        let id = visit.id.clone();
        let ended = tokio::task::spawn_blocking(move || {
            let mut store = shared.pooled()?;
            auth::end_stored(&mut *store, &id)
        })
        .await;
        match ended {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return e.into_response(),
            Err(_) => {
                return WebError::Internal("the request failed (internal error)".into())
                    .into_response()
            }
        }
    } else if let Ok(mut s) = app.sessions.lock() {
        s.end(&visit.id);
    }
    let mut resp = Redirect::to("/login").into_response();
    let secure = if app.cfg.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"
    )) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::local;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(
            local(Some("/review?period=FY2022")),
            "/review?period=FY2022"
        );
        assert_eq!(local(Some("//evil.example")), "/");
        assert_eq!(local(Some("/\\evil.example")), "/");
        assert_eq!(local(Some("https://evil.example")), "/");
        assert_eq!(local(Some("/\t/evil.example")), "/");
        assert_eq!(local(Some("/\n/evil.example")), "/");
        assert_eq!(local(None), "/");
    }
}
