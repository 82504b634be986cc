//! Sessions, CSRF, sign-in and its throttling.
//!
//! A session is named by a random 256-bit id in an HttpOnly, SameSite=Lax cookie (Secure under
//! TLS or behind a proxy), and ends after idling. Signing in replaces it with a new id. Every
//! POST must carry the session's CSRF token in the form field `csrf`, or it is refused with 403
//! before any handler runs.
//!
//! Where the sessions are depends on the database:
//! - With users, in the database ([`crate::store::WebSessions`]), found by the SHA-256 of the
//!   id, so that every server on the database (several behind a load balancer on PostgreSQL,
//!   or one restarted) knows them, and counts the same failed sign-ins. A session starts on the
//!   sign-in page (its form needs a CSRF token); a page asked for without one is sent there
//!   without anything written, so a crawler writes no rows. A page view writes only when the
//!   session is due to be marked seen (once a minute at most) or takes its message.
//! - Without users (single-user mode, loopback only), in this process's memory, as every
//!   browser gets one on its first page: nothing is written per page view.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{layout, Shared, Visit, WebError};
use crate::clock;
use crate::store::Storage;

/// The session cookie's name.
pub const COOKIE: &str = "ics_session";
/// Failed sign-ins allowed per account, and per address, in [`WINDOW`].
pub const PER_ACCOUNT: usize = 5;
pub const PER_ADDRESS: usize = 20;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// How often, at most, a session kept in the database is marked seen (a write); less often
/// than half its idle time, so a session in use never idles out.
const TOUCH: Duration = Duration::from_secs(60);
/// How often, at most, a server ends the idle sessions and forgets the old failures in the
/// database.
const SWEEP: Duration = Duration::from_secs(10 * 60);
/// The largest form accepted.
const MAX_FORM: usize = 64 * 1024;
/// The largest upload accepted (a multipart form with its file).
pub const MAX_UPLOAD: usize = 20 << 20;

/// A random 256-bit token, in hex; `None` if the system has no randomness to give.
pub fn token() -> Option<String> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).ok()?;
    Some(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// What a request gets when no session can be made.
fn no_randomness() -> WebError {
    WebError::Internal("the system gave no random numbers to make a session with".into())
}

struct Session {
    user: Option<String>,
    csrf: String,
    flash: Option<String>,
    seen: Instant,
}

/// The sessions in memory.
#[derive(Default)]
pub struct Sessions {
    map: HashMap<String, Session>,
    /// Messages left (by a page's own code, [`Sessions::set_flash`]) for sessions kept in the
    /// database, until the request that left them writes them there ([`Sessions::take_pending`]).
    pending: HashMap<String, String>,
}

impl Sessions {
    /// The session `id` names if it has not idled out (touched), else a new one. The bool says
    /// whether it is new (then the browser gets its cookie).
    fn visit(
        &mut self,
        id: Option<&str>,
        idle: Duration,
        take_flash: bool,
    ) -> Result<(Visit, bool), WebError> {
        let now = Instant::now();
        if let Some(id) = id {
            match self.map.get_mut(id) {
                Some(s) if now.duration_since(s.seen) <= idle => {
                    s.seen = now;
                    let flash = if take_flash { s.flash.take() } else { None };
                    return Ok((
                        Visit {
                            id: id.to_string(),
                            user: s.user.clone(),
                            csrf: s.csrf.clone(),
                            flash,
                            here: String::new(),
                            stored: false,
                        },
                        false,
                    ));
                }
                Some(_) => {
                    self.map.remove(id);
                }
                None => {}
            }
        }
        if self.map.len() > 1000 {
            self.map.retain(|_, s| now.duration_since(s.seen) <= idle);
        }
        Ok((self.create(None)?, true))
    }

    fn create(&mut self, user: Option<String>) -> Result<Visit, WebError> {
        let (Some(id), Some(csrf)) = (token(), token()) else {
            return Err(no_randomness());
        };
        self.map.insert(
            id.clone(),
            Session {
                user: user.clone(),
                csrf: csrf.clone(),
                flash: None,
                seen: Instant::now(),
            },
        );
        Ok(Visit {
            id,
            user,
            csrf,
            flash: None,
            here: String::new(),
            stored: false,
        })
    }

    /// Sign `user` in: the old session ends and a new one (new id, new token) begins.
    pub fn sign_in(&mut self, old: &str, user: &str) -> Result<Visit, WebError> {
        self.map.remove(old);
        self.create(Some(user.to_string()))
    }

    pub fn end(&mut self, id: &str) {
        self.map.remove(id);
    }

    /// Leave a message for the session's next page. For a session kept in the database it waits
    /// here until its request is done (see [`Sessions::take_pending`]).
    pub fn set_flash(&mut self, id: &str, message: String) {
        if let Some(s) = self.map.get_mut(id) {
            s.flash = Some(message);
        } else if !id.is_empty() {
            if self.pending.len() > 1000 {
                self.pending.clear();
            }
            self.pending.insert(id.to_string(), message);
        }
    }

    /// The message left for session `id` (kept in the database) during its request.
    pub fn take_pending(&mut self, id: &str) -> Option<String> {
        self.pending.remove(id)
    }
}

/// Failed sign-ins per account and per address.
#[derive(Default)]
pub struct Throttle {
    failures: HashMap<String, VecDeque<Instant>>,
}

impl Throttle {
    fn recent(&mut self, key: &str) -> usize {
        let now = Instant::now();
        match self.failures.get_mut(key) {
            Some(q) => {
                while q.front().is_some_and(|t| now.duration_since(*t) > WINDOW) {
                    q.pop_front();
                }
                q.len()
            }
            None => 0,
        }
    }
    /// Whether sign-in for `user` from `addr` is refused for now.
    pub fn blocked(&mut self, user: &str, addr: IpAddr) -> bool {
        self.recent(&format!("user:{user}")) >= PER_ACCOUNT
            || self.recent(&format!("addr:{addr}")) >= PER_ADDRESS
    }
    pub fn failed(&mut self, user: &str, addr: IpAddr) {
        for key in [format!("user:{user}"), format!("addr:{addr}")] {
            self.failures
                .entry(key)
                .or_default()
                .push_back(Instant::now());
        }
        if self.failures.len() > 10_000 {
            let now = Instant::now();
            self.failures
                .retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) <= WINDOW));
        }
    }
    pub fn succeeded(&mut self, user: &str) {
        self.failures.remove(&format!("user:{user}"));
    }
}

/// The SHA-256 of a session id, in hex: what the database keeps instead of the id.
pub fn id_hash(id: &str) -> String {
    Sha256::digest(id.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether a cookie's value can be a session id at all (64 hex digits): anything else is not
/// looked up.
fn well_formed(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// How often a session of `idle` is marked seen (see [`TOUCH`]).
fn touch_every(idle: Duration) -> Duration {
    TOUCH.min(idle / 2)
}

/// The session `id` names in the database if it has not idled out (marked seen when due, its
/// message taken with `take_flash`); else with `create` a new one (the bool: it is new), else
/// none: the visit of no session (no id, no token; no POST passes with it).
pub(super) fn stored_visit(
    store: &mut dyn Storage,
    id: Option<&str>,
    idle: Duration,
    take_flash: bool,
    create: bool,
) -> Result<(Visit, bool), WebError> {
    let now = clock::running();
    if let Some(id) = id.filter(|id| well_formed(id)) {
        let hash = id_hash(id);
        if let Some(s) = store.web_session(&hash, &clock::before(now, idle))? {
            let due = clock::before(now, touch_every(idle));
            // Both best effort: a page view does not fail because a writer holds the file
            // (the session is then marked seen on a later request, the message shown then).
            if s.seen_at < due {
                let _ = store.touch_web_session(&hash, &clock::stamp(now), &due);
            }
            let flash = match s.flash {
                Some(_) if take_flash => store.take_web_flash(&hash).unwrap_or(None),
                _ => None,
            };
            return Ok((
                Visit {
                    id: id.to_string(),
                    user: s.user,
                    csrf: s.csrf,
                    flash,
                    here: String::new(),
                    stored: true,
                },
                false,
            ));
        }
    }
    if !create {
        return Ok((
            Visit {
                id: String::new(),
                user: None,
                csrf: String::new(),
                flash: None,
                here: String::new(),
                stored: true,
            },
            false,
        ));
    }
    Ok((create_stored(store, None)?, true))
}

/// A new session in the database, signed in as `user` or not.
fn create_stored(store: &mut dyn Storage, user: Option<&str>) -> Result<Visit, WebError> {
    let (Some(id), Some(csrf)) = (token(), token()) else {
        return Err(no_randomness());
    };
    store.create_web_session(&id_hash(&id), user, &csrf, &clock::stamp(clock::running()))?;
    Ok(Visit {
        id,
        user: user.map(str::to_string),
        csrf,
        flash: None,
        here: String::new(),
        stored: true,
    })
}

/// Sign `user` in with a session in the database: the old session (if any) ends and a new one
/// (new id, new token) begins.
pub(super) fn sign_in_stored(
    store: &mut dyn Storage,
    old: &str,
    user: &str,
) -> Result<Visit, WebError> {
    if !old.is_empty() {
        store.delete_web_session(&id_hash(old))?;
    }
    create_stored(store, Some(user))
}

/// End a session kept in the database.
pub(super) fn end_stored(store: &mut dyn Storage, id: &str) -> Result<(), WebError> {
    if !id.is_empty() {
        store.delete_web_session(&id_hash(id))?;
    }
    Ok(())
}

/// Whether sign-in for `user` from `addr` is refused for now, by the failures every server
/// recorded in the database.
pub(super) fn blocked_stored(
    store: &dyn Storage,
    user: &str,
    addr: IpAddr,
) -> Result<bool, WebError> {
    let since = clock::before(clock::running(), WINDOW);
    Ok(
        store.signin_failures(&format!("user:{user}"), &since)? >= PER_ACCOUNT
            || store.signin_failures(&format!("addr:{addr}"), &since)? >= PER_ADDRESS,
    )
}

/// Record a failed sign-in for `user` and for `addr` in the database.
pub(super) fn failed_stored(
    store: &mut dyn Storage,
    user: &str,
    addr: IpAddr,
) -> Result<(), WebError> {
    let now = clock::stamp(clock::running());
    store.record_signin_failure(&format!("user:{user}"), &now)?;
    store.record_signin_failure(&format!("addr:{addr}"), &now)?;
    Ok(())
}

/// Forget the failed sign-ins of `user` (it signed in).
pub(super) fn succeeded_stored(store: &mut dyn Storage, user: &str) -> Result<(), WebError> {
    store.clear_signin_failures(&format!("user:{user}"))?;
    Ok(())
}

/// Now and then (at most once per [`SWEEP`] per server), end the sessions idle longer than
/// `idle` and forget the failures older than [`WINDOW`]. `last` is when this server last did.
pub(super) fn sweep_stored(
    store: &mut dyn Storage,
    idle: Duration,
    last: &std::sync::Mutex<Option<Instant>>,
) -> Result<(), WebError> {
    {
        let Ok(mut last) = last.lock() else {
            return Ok(());
        };
        if last.is_some_and(|t| t.elapsed() < SWEEP) {
            return Ok(());
        }
        *last = Some(Instant::now());
    }
    let now = clock::running();
    store.sweep_web_sessions(&clock::before(now, idle))?;
    store.sweep_signin_failures(&clock::before(now, WINDOW))?;
    Ok(())
}

/// The session cookie's value, if the request has one.
fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
}

pub(super) fn set_cookie(id: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("ics_session=; Path=/"))
}

/// Whether two tokens are equal, in time that does not depend on where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// The client's address: the peer, or behind a proxy the last `X-Forwarded-For` entry (the one
/// the proxy added).
pub fn client(headers: &HeaderMap, peer: SocketAddr, behind_proxy: bool) -> IpAddr {
    if behind_proxy {
        if let Some(ip) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok())
        {
            return ip;
        }
    }
    peer.ip()
}

/// The user a response was for, for the request log.
#[derive(Debug, Clone)]
pub struct LoggedUser(pub String);

/// The middleware of every page: find or start the session, check the CSRF token of a POST,
/// and hand the handler a [`Visit`].
pub async fn session(State(app): State<Shared>, req: Request, next: Next) -> Response {
    let id = cookie(req.headers());
    let post = req.method() == Method::POST;
    // Of the sessions kept in the database, only the sign-in page starts one.
    let create = !post && req.uri().path() == "/login";
    let (mut visit, new) = match find(&app, id, post, create).await {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let mut req = req;
    if post {
        let (parts, body) = req.into_parts();
        // A file upload is a multipart form, and may be larger.
        let boundary = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| multer::parse_boundary(v).ok());
        let limit = match boundary {
            Some(_) => MAX_UPLOAD,
            None => MAX_FORM,
        };
        let too_large = || {
            let m = match boundary {
                Some(_) => format!(
                    "the file is larger than {} MB, the most an upload may be; nothing was imported. Split it, or import it with `ics import-values`",
                    MAX_UPLOAD >> 20
                ),
                None => "the form is too large".to_string(),
            };
            (StatusCode::PAYLOAD_TOO_LARGE, layout::bare("Too large", &m)).into_response()
        };
        // Refused before reading when the length is said.
        let declared = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return too_large();
        }
        let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
            return too_large();
        };
        let given = match &boundary {
            Some(b) => multipart_field(&bytes, b, "csrf").await,
            None => form_field(&bytes, "csrf"),
        };
        // A POST without a session (none found, or one just started) has no token to match.
        if new || visit.id.is_empty() || !given.as_deref().is_some_and(|g| same(g, &visit.csrf)) {
            let mut resp = WebError::Forbidden(
                "the form's security token is missing or out of date (has your session ended?); nothing was changed. Go back, reload the page and try again".into(),
            )
            .into_response();
            if new {
                resp.headers_mut().insert(
                    header::SET_COOKIE,
                    set_cookie(&visit.id, app.cfg.secure_cookies),
                );
            }
            return resp;
        }
        req = Request::from_parts(parts, Body::from(bytes));
    }
    visit.here = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.uri().path().to_string(), |p| p.as_str().to_string());
    req.extensions_mut().insert(visit.clone());
    let mut resp = next.run(req).await;
    if new {
        resp.headers_mut().insert(
            header::SET_COOKIE,
            set_cookie(&visit.id, app.cfg.secure_cookies),
        );
    }
    if resp.extensions().get::<LoggedUser>().is_none() {
        if let Some(u) = visit.user {
            resp.extensions_mut().insert(LoggedUser(u));
        }
    }
    resp
}

/// The request's session: in the database when it has users (see [`stored_visit`]), else in
/// memory. The bool says whether it is new (then the browser gets its cookie).
async fn find(
    app: &Shared,
    id: Option<String>,
    post: bool,
    create: bool,
) -> Result<(Visit, bool), WebError> {
    let shared = app.clone();
    let asked = id.clone();
    let stored = tokio::task::spawn_blocking(move || {
        let mut store = shared.pooled()?;
        if store.users()?.is_empty() {
            return Ok(None);
        }
        let found = stored_visit(
            &mut *store,
            asked.as_deref(),
            shared.cfg.idle,
            !post,
            create,
        )?;
        if found.1 {
            // Housekeeping: a failure here must not cost the page.
            let _ = sweep_stored(&mut *store, shared.cfg.idle, &shared.swept);
        }
        Ok::<_, WebError>(Some(found))
    })
    .await
    .map_err(|_| WebError::Internal("the request failed (internal error)".into()))??;
    if let Some(found) = stored {
        return Ok(found);
    }
    match app.sessions.lock() {
        Ok(mut s) => s.visit(id.as_deref(), app.cfg.idle, !post),
        Err(_) => Err(WebError::Internal("the sessions are unusable".into())),
    }
}

/// One text field of a multipart form.
async fn multipart_field(body: &axum::body::Bytes, boundary: &str, name: &str) -> Option<String> {
    let stream = Body::from(body.clone()).into_data_stream();
    let mut form = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

/// One field of a URL-encoded form.
fn form_field(body: &[u8], name: &str) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// `s` escaped for a query string.
pub fn query_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_counts_per_account_and_per_address() {
        let mut t = Throttle::default();
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        for _ in 0..PER_ACCOUNT {
            assert!(!t.blocked("ana", a));
            t.failed("ana", a);
        }
        assert!(t.blocked("ana", b), "the account is blocked from anywhere");
        assert!(!t.blocked("bo", b));
        for i in 0..PER_ADDRESS {
            t.failed(&format!("u{i}"), b);
        }
        assert!(t.blocked("bo", b), "the address is blocked for any account");
        t.succeeded("ana");
        assert!(!t.blocked("ana", a));
    }

    #[test]
    fn sessions_idle_out_and_signing_in_changes_the_id() {
        let mut s = Sessions::default();
        let (v, new) = s.visit(None, Duration::from_secs(60), true).unwrap();
        assert!(new);
        assert_eq!(v.id.len(), 64);
        let (again, new) = s.visit(Some(&v.id), Duration::from_secs(60), true).unwrap();
        assert!(!new);
        assert_eq!(again.csrf, v.csrf);
        let signed = s.sign_in(&v.id, "ana").unwrap();
        assert_ne!(signed.id, v.id);
        assert_ne!(signed.csrf, v.csrf);
        let (_, new) = s.visit(Some(&v.id), Duration::from_secs(60), true).unwrap();
        assert!(new, "the old id is gone");
        std::thread::sleep(Duration::from_millis(5));
        let (_, new) = s
            .visit(Some(&signed.id), Duration::from_millis(1), true)
            .unwrap();
        assert!(new, "an idle session has ended");
    }

    #[test]
    fn the_database_gets_the_ids_hash_and_only_well_formed_ids_are_looked_up() {
        assert_eq!(
            id_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let id = token().unwrap();
        assert!(well_formed(&id));
        assert_eq!(id_hash(&id).len(), 64);
        assert_ne!(id_hash(&id), id);
        assert!(!well_formed("abc") && !well_formed(&"g".repeat(64)));
        // Marked seen once a minute, or more often for a short idle time.
        assert_eq!(touch_every(Duration::from_secs(1800)), TOUCH);
        assert_eq!(touch_every(Duration::from_secs(2)), Duration::from_secs(1));
    }

    #[test]
    fn a_message_for_a_session_in_the_database_waits_for_its_request() {
        let mut s = Sessions::default();
        s.set_flash("stored-id", "saved".into());
        assert_eq!(s.take_pending("stored-id").as_deref(), Some("saved"));
        assert_eq!(s.take_pending("stored-id"), None);
        let (v, _) = s.visit(None, Duration::from_secs(60), true).unwrap();
        s.set_flash(&v.id, "in memory".into());
        assert_eq!(s.take_pending(&v.id), None);
        let (again, _) = s.visit(Some(&v.id), Duration::from_secs(60), true).unwrap();
        assert_eq!(again.flash.as_deref(), Some("in memory"));
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }
}
