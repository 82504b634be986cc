//! Security headers on every response, and the request log: one line per request on stderr
//! (method, path without its query, status, milliseconds, user), never a password or cookie.

use std::time::Instant;

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use super::auth::LoggedUser;

/// No script at all, no framing, nothing from elsewhere.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

pub async fn headers_and_log(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    // The path alone: a query may hold anything.
    let path = req.uri().path().to_string();
    let mut resp = next.run(req).await;
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
