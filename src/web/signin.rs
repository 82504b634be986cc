//! The sign-in page, signing in (throttled per account and per address, the session replaced
//! by a new one) and signing out.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;

use super::auth::{client, set_cookie, LoggedUser, COOKIE, PER_ACCOUNT, PER_ADDRESS};
use super::{layout, Shared, Visit, WebError};
use crate::store::{self, OpenMode};
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
    State(app): State<Shared>,
    Extension(visit): Extension<Visit>,
    Query(q): Query<NextQuery>,
) -> Response {
    let single = single_user(&app).await;
    match single {
        Ok(true) => Redirect::to("/").into_response(),
        Ok(false) => layout::login(&visit, q.next.as_deref(), None).into_response(),
        Err(e) => e.into_response(),
    }
}

/// Whether the database has no users.
async fn single_user(app: &Shared) -> Result<bool, WebError> {
    let app = app.clone();
    tokio::task::spawn_blocking(move || {
        let store = store::open(&app.cfg.db, OpenMode::Existing)?;
        Ok::<_, WebError>(store.users()?.is_empty())
    })
    .await
    .map_err(|_| WebError::Internal("the request failed (internal error)".into()))?
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
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
    let blocked = app.throttle.lock().map(|mut t| t.blocked(&name, addr));
    if blocked.unwrap_or(true) {
        return WebError::TooMany(format!(
            "too many failed sign-ins for this account or from this address; wait 15 minutes and try again ({PER_ACCOUNT} failures per account, {PER_ADDRESS} per address)"
        ))
        .into_response();
    }
    let db = app.cfg.db.clone();
    let (who, pw) = (name.clone(), f.password);
    let ok = tokio::task::spawn_blocking(move || {
        let store = store::open(&db, OpenMode::Existing)?;
        let hash = if who.is_empty() {
            None
        } else {
            store.password_hash(&who)?
        };
        // A wrong name takes as long as a wrong password.
        let good = password::verify(hash.as_deref().unwrap_or(password::decoy()), &pw);
        Ok::<_, WebError>(good && hash.is_some())
    })
    .await;
    let ok = match ok {
        Ok(Ok(ok)) => ok,
        Ok(Err(e)) => return e.into_response(),
        Err(_) => {
            return WebError::Internal("the request failed (internal error)".into()).into_response()
        }
    };
    if !ok {
        if let Ok(mut t) = app.throttle.lock() {
            t.failed(&name, addr);
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
    if let Ok(mut t) = app.throttle.lock() {
        t.succeeded(&name);
    }
    let fresh = match app.sessions.lock().map(|mut s| s.sign_in(&visit.id, &name)) {
        Ok(Ok(fresh)) => fresh,
        Ok(Err(e)) => return e.into_response(),
        Err(_) => return WebError::Internal("the sessions are unusable".into()).into_response(),
    };
    let mut resp = Redirect::to(&local(f.next.as_deref())).into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        set_cookie(&fresh.id, app.cfg.secure_cookies),
    );
    resp.extensions_mut().insert(LoggedUser(name));
    resp
}

pub async fn logout(State(app): State<Shared>, Extension(visit): Extension<Visit>) -> Response {
    if let Ok(mut s) = app.sessions.lock() {
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
