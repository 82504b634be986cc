//! Security headers on every response, and the request log: one line per request on stderr
//! (method, path without its query, status, milliseconds, user), never a password or cookie;
//! and on loopback, the check that a request is addressed to loopback. Served over TLS beyond
//! loopback, HSTS: browsers that saw the site once use https for it for a year.

use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::auth::LoggedUser;
use super::{layout, Shared};

/// No script at all, no framing, nothing from elsewhere.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// HSTS, sent only when ics serves TLS itself and not on loopback only: a browser keeps HSTS for
/// a host name on every port, so on `localhost` it would force https on every other local
/// server for a year (browsers ignore it for IP addresses anyway).
pub const HSTS: &str = "max-age=31536000";

pub async fn headers_and_log(State(app): State<Shared>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    // The path alone: a query may hold anything.
    let path = req.uri().path().to_string();
    let tls = app.cfg.tls.is_some();
    let mut resp = if host_allowed(&app, &req) {
        next.run(req).await
    } else {
        let scheme = if tls { "https" } else { "http" };
        (
            StatusCode::MISDIRECTED_REQUEST,
            layout::bare(
                "Wrong address",
                &format!("this server answers only to the address it listens on (open it as {scheme}://127.0.0.1:PORT or {scheme}://localhost:PORT)"),
            ),
        )
            .into_response()
    };
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if tls && app.cfg.loopback_port.is_none() {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    let user = resp
        .extensions()
        .get::<LoggedUser>()
        .map_or("-", |u| u.0.as_str());
    eprintln!(
        "{method} {} {} {}ms {}",
        crate::render::safe(&path),
        resp.status().as_u16(),
        start.elapsed().as_millis(),
        crate::render::safe(user)
    );
    resp
}

/// On loopback, only requests addressed to a loopback name: a web page elsewhere cannot reach
/// the server through a name of its own that resolves to 127.0.0.1 (DNS rebinding).
fn host_allowed(app: &Shared, req: &Request) -> bool {
    let Some(port) = app.cfg.loopback_port else {
        return true;
    };
    let Some(host) = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
    else {
        return false;
    };
    let port = format!(":{port}");
    host.strip_suffix(&port)
        .is_some_and(|name| matches!(name, "127.0.0.1" | "localhost" | "[::1]"))
}
