//! `ics serve`: the tracker in a browser (issue 18). The server owns no logic: each handler
//! reads its form or query, calls the same domain and store functions the commands call
//! (the progress report, review, status, the policy and its guard), and renders HTML.
//!
//! Each request works on a blocking thread with a store of its own, taken from a small pool
//! of open ones ([`Pooled`]); on SQLite, forms that write take turns ([`App::writes`]).
//! Files: [`auth`] (sessions, CSRF, throttling), [`signin`], [`headers`] (security headers and the
//! request log), [`layout`] (the HTML shell and style), [`pages`] (one file per page), [`tls`]
//! (HTTPS served by ics itself).

pub mod auth;
pub mod headers;
pub mod layout;
pub mod pages;
pub mod signin;
pub mod tls;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::Markup;

use crate::error::Error;
use crate::store::{self, OpenMode, Storage};
use crate::workflow::policy::Actor;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    pub db: PathBuf,
    pub strategy: Option<String>,
    /// Mark cookies `Secure` (TLS, or a TLS proxy in front).
    pub secure_cookies: bool,
    /// Trust the last `X-Forwarded-For` address as the client's (for throttling).
    pub behind_proxy: bool,
    /// How long a session may stay idle.
    pub idle: Duration,
    /// Listening on loopback (not behind a proxy): the port, and then only requests whose
    /// `Host` is a loopback name and this port are answered.
    pub loopback_port: Option<u16>,
    /// Serve HTTPS with this certificate and key (see [`tls::load`]); HSTS is sent then.
    pub tls: Option<tls::Settings>,
}

/// What every request shares.
pub struct App {
    pub cfg: Config,
    pub sessions: Mutex<auth::Sessions>,
    pub throttle: Mutex<auth::Throttle>,
    /// When this server last ended idle sessions and forgot old failed sign-ins in the database.
    pub swept: Mutex<Option<std::time::Instant>>,
    /// Taken by every form that writes, on a SQLite file only (`None` on PostgreSQL). SQLite has
    /// one writer at a time, and a writer that finds the file busy sleeps in growing steps (up
    /// to 100 ms) before it tries again; taking turns here instead puts the waiting writers in
    /// a queue, each starting as soon as the one before it commits.
    pub writes: Option<tokio::sync::Mutex<()>>,
    /// Stores kept open between requests (see [`Pooled`]).
    pub pool: Mutex<Vec<Box<dyn Storage>>>,
}

/// How many idle stores the server keeps open.
const POOL: usize = 8;

/// A store taken from the pool (or opened) for one request, given back when the request is
/// done. Keeping connections open matters for SQLite: opening one reads and parses the whole
/// schema, and closing the last one checkpoints the write-ahead log into the file, syncs it
/// to disk and deletes it, on every request. On PostgreSQL it saves a connection (and its TLS
/// handshake) per request. A store comes back unless the request panicked; whether it can
/// still serve (its connection, its file, its schema: [`Storage::reusable`]) is checked once,
/// when the next request takes it ([`App::pooled`]). Whatever a request sets on it (strategy,
/// author, which values count) is set again by the next one in [`App::open`].
pub struct Pooled {
    store: Option<Box<dyn Storage>>,
    app: Arc<App>,
}

impl std::ops::Deref for Pooled {
    type Target = dyn Storage;
    fn deref(&self) -> &(dyn Storage + 'static) {
        self.store
            .as_deref()
            .expect("a pooled store is there until it is dropped")
    }
}

impl std::ops::DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut (dyn Storage + 'static) {
        self.store
            .as_deref_mut()
            .expect("a pooled store is there until it is dropped")
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        let Some(store) = self.store.take() else {
            return;
        };
        if std::thread::panicking() {
            return;
        }
        if let Ok(mut pool) = self.app.pool.lock() {
            if pool.len() < POOL {
                pool.push(store);
            }
        }
    }
}

pub type Shared = Arc<App>;

/// A request's session as the middleware found it (see [`auth::session`]).
#[derive(Debug, Clone)]
pub struct Visit {
    pub id: String,
    /// The signed-in user, if any.
    pub user: Option<String>,
    pub csrf: String,
    /// A message left by the last form posted.
    pub flash: Option<String>,
    /// The path and query asked for: where signing in leads back to.
    pub here: String,
    /// The session is kept in the database (which has users), not in this process's memory.
    pub stored: bool,
}

/// A failed request, rendered as a page with its status.
#[derive(Debug)]
pub enum WebError {
    /// No signed-in user where the database has users: to the sign-in page.
    SignIn(String),
    Forbidden(String),
    BadRequest(String),
    NotFound(String),
    TooMany(String),
    Internal(String),
    /// Done: to this path (POST, then redirect, where a handler renders its own errors).
    Redirect(String),
}

impl From<Error> for WebError {
    fn from(e: Error) -> WebError {
        match e {
            Error::Input { message, .. } => WebError::BadRequest(message),
            Error::Located { summary, .. } => WebError::BadRequest(summary),
            Error::Database { message, .. } => WebError::Internal(message),
            Error::Output(_) => WebError::Internal("the page could not be written".into()),
        }
    }
}

/// How an error is answered: a page, or a redirect (to sign in, or a form done).
enum Shown {
    Page(StatusCode, &'static str, String),
    Redirect(String),
}

impl WebError {
    fn shown(self) -> Shown {
        let (status, title, m) = match self {
            WebError::SignIn(next) => {
                return Shown::Redirect(format!("/login?next={}", auth::query_escape(&next)))
            }
            WebError::Redirect(to) => return Shown::Redirect(to),
            WebError::Forbidden(m) => (StatusCode::FORBIDDEN, "Not allowed", m),
            WebError::BadRequest(m) => (StatusCode::BAD_REQUEST, "Not done", m),
            WebError::NotFound(m) => (StatusCode::NOT_FOUND, "Not found", m),
            WebError::TooMany(m) => (StatusCode::TOO_MANY_REQUESTS, "Too many attempts", m),
            WebError::Internal(m) => (StatusCode::INTERNAL_SERVER_ERROR, "Server problem", m),
        };
        Shown::Page(status, title, m)
    }

    /// The error as a page with the header every page has (the navigation, who is signed in
    /// and the sign-out button), for a request that knows who is acting: no further store
    /// read is needed.
    fn page(self, actor: &Actor, visit: &Visit, strategy: &str) -> Response {
        match self.shown() {
            Shown::Page(status, title, message) => (
                status,
                layout::page(title, actor, visit, strategy, layout::error(&message)),
            )
                .into_response(),
            Shown::Redirect(to) => Redirect::to(&to).into_response(),
        }
    }
}

/// Where the request is not known to come from anyone (before a session, or the store could
/// not be opened): the page alone, with a reader's navigation and a link to the dashboard.
impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self.shown() {
            Shown::Page(status, title, message) => {
                (status, layout::bare(title, &message)).into_response()
            }
            Shown::Redirect(to) => Redirect::to(&to).into_response(),
        }
    }
}

/// What a page handler works with, on its blocking thread.
pub struct Ctx<'a> {
    pub store: &'a mut dyn Storage,
    pub actor: &'a Actor,
    pub visit: &'a Visit,
}

impl App {
    /// Open the store and find who is acting: the signed-in user, or in single-user mode (no
    /// users) whoever runs the server. A user removed since signing in is signed out.
    fn open(self: &Arc<Self>, visit: &Visit, path: &str) -> Result<(Pooled, Actor), WebError> {
        let mut store = self.pooled()?;
        store.set_counted(Default::default());
        store.use_strategy(self.cfg.strategy.as_deref())?;
        let users = store.users()?;
        let actor = if users.is_empty() {
            Actor {
                name: crate::values::login_name(),
                user: None,
            }
        } else {
            let user = visit
                .user
                .as_deref()
                .and_then(|n| users.iter().find(|u| u.name == n))
                .ok_or_else(|| WebError::SignIn(path.to_string()))?;
            Actor {
                name: user.name.clone(),
                user: Some(user.clone()),
            }
        };
        store.set_author(&actor.name);
        Ok((store, actor))
    }

    /// A store from the pool (or newly opened), as it was left: for the sessions, which need
    /// neither a strategy nor an author.
    pub(super) fn pooled(self: &Arc<Self>) -> Result<Pooled, WebError> {
        // A store kept since an earlier request is used only if its database is still the
        // one it opened (a file not replaced, a connection not lost).
        let kept = self
            .pool
            .lock()
            .ok()
            .and_then(|mut pool| pool.pop())
            .filter(|store| store.reusable());
        let store = match kept {
            Some(store) => store,
            None => store::open(&self.cfg.db, OpenMode::Existing)?,
        };
        Ok(Pooled {
            store: Some(store),
            app: self.clone(),
        })
    }

    /// Render a page: `f` gives its title and body, on a blocking thread with a store of its own.
    pub async fn page<F>(self: Arc<Self>, visit: Visit, f: F) -> Response
    where
        F: FnOnce(&mut Ctx) -> Result<(String, Markup), WebError> + Send + 'static,
    {
        self.render(visit, move |cx| {
            f(cx).map(|(title, body)| (StatusCode::OK, title, body))
        })
        .await
    }

    /// [`App::page`] with the status `f` chooses: a form that writes, shown again with its
    /// errors (it waits for its turn to write, as [`App::act`] does).
    pub async fn page_with_status<F>(self: Arc<Self>, visit: Visit, f: F) -> Response
    where
        F: FnOnce(&mut Ctx) -> Result<(StatusCode, String, Markup), WebError> + Send + 'static,
    {
        let app = self.clone();
        let _turn = app.write_turn().await;
        self.render(visit, f).await
    }

    /// Wait for this process's turn to write (see [`App::writes`]).
    async fn write_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match &self.writes {
            Some(m) => Some(m.lock().await),
            None => None,
        }
    }

    async fn render<F>(self: Arc<Self>, visit: Visit, f: F) -> Response
    where
        F: FnOnce(&mut Ctx) -> Result<(StatusCode, String, Markup), WebError> + Send + 'static,
    {
        let app = self.clone();
        let done = tokio::task::spawn_blocking(move || {
            let (mut store, actor) = app.open(&visit, &visit.here)?;
            let mut cx = Ctx {
                store: &mut *store,
                actor: &actor,
                visit: &visit,
            };
            let done = f(&mut cx);
            if visit.stored {
                // A message the page left for its session goes to the database with it.
                let said = app
                    .sessions
                    .lock()
                    .ok()
                    .and_then(|mut s| s.take_pending(&visit.id));
                if let Some(said) = said {
                    // The form is done: a message that cannot be left must not undo that.
                    let _ = store.set_web_flash(&auth::id_hash(&visit.id), &said);
                }
            }
            let strategy = store.strategy_in_use().unwrap_or_default();
            Ok::<_, WebError>(match done {
                Ok((status, title, body)) => (
                    status,
                    layout::page(&title, &actor, &visit, &strategy, body),
                )
                    .into_response(),
                Err(e) => e.page(&actor, &visit, &strategy),
            })
        })
        .await;
        match done {
            Ok(Ok(page)) => page,
            Ok(Err(e)) => e.into_response(),
            Err(_) => {
                WebError::Internal("the request failed (internal error)".into()).into_response()
            }
        }
    }

    /// Carry out a form: `f` does it and says what it did; the browser is sent to `to` (POST,
    /// then redirect), where the message is shown once (and there after signing in, if the
    /// session has no user).
    pub async fn act<F>(self: Arc<Self>, visit: Visit, to: String, f: F) -> Response
    where
        F: FnOnce(&mut Ctx) -> Result<String, WebError> + Send + 'static,
    {
        let app = self.clone();
        let (id, stored) = (visit.id.clone(), visit.stored);
        let back = to.clone();
        let _turn = self.write_turn().await;
        let done = tokio::task::spawn_blocking(move || {
            let (mut store, actor) = app.open(&visit, &back)?;
            let mut cx = Ctx {
                store: &mut *store,
                actor: &actor,
                visit: &visit,
            };
            let done = f(&mut cx).map_err(|e| {
                let strategy = store.strategy_in_use().unwrap_or_default();
                e.page(&actor, &visit, &strategy)
            });
            if let (Ok(said), true) = (&done, visit.stored) {
                // The form is done: a message that cannot be left must not undo that.
                let _ = store.set_web_flash(&auth::id_hash(&visit.id), said);
            }
            Ok::<_, WebError>(done)
        })
        .await;
        match done {
            Ok(Ok(Ok(said))) => {
                if let (false, Ok(mut s)) = (stored, self.sessions.lock()) {
                    s.set_flash(&id, said);
                }
                Redirect::to(&to).into_response()
            }
            Ok(Ok(Err(page))) => page,
            Ok(Err(e)) => e.into_response(),
            Err(_) => {
                WebError::Internal("the request failed (internal error)".into()).into_response()
            }
        }
    }
}

/// The routes.
pub fn router(app: Shared) -> Router {
    let pages = Router::new()
        .route("/", get(pages::dashboard::get))
        .route("/indicator/{code}", get(pages::indicator::get))
        .route("/indicator/{code}/record", post(pages::indicator::record))
        .route("/indicator/{code}/explain", post(pages::indicator::explain))
        .route("/indicator/{code}/void", post(pages::indicator::void))
        .route("/entry", get(pages::entry::get).post(pages::entry::post))
        .route(
            "/upload",
            get(pages::upload::get)
                .post(pages::upload::post)
                .layer(axum::extract::DefaultBodyLimit::max(auth::MAX_UPLOAD)),
        )
        .route("/admin/users", get(pages::admin::users))
        .route("/admin/users/add", post(pages::admin::add))
        .route("/admin/users/role", post(pages::admin::set_role))
        .route("/admin/users/remove", post(pages::admin::remove))
        .route("/admin/locks", get(pages::admin::locks))
        .route("/admin/locks/lock", post(pages::admin::lock))
        .route("/admin/locks/unlock", post(pages::admin::unlock))
        .route("/download", get(pages::download::index))
        .route("/download/{name}", get(pages::download::file))
        .route("/review", get(pages::review::get))
        .route("/review/approve", post(pages::review::approve))
        .route("/review/return", post(pages::review::give_back))
        .route("/status", get(pages::status::get))
        .route("/tree", get(pages::tree::get))
        .route("/diff", get(pages::diff::get))
        .route("/log", get(pages::log::get))
        .route("/login", get(signin::login_page).post(signin::login))
        .route("/logout", post(signin::logout))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            auth::session,
        ));
    Router::new()
        .merge(pages)
        .route("/healthz", get(|| async { "ok" }))
        .route("/static/style.css", get(layout::style))
        .fallback(|| async { WebError::NotFound("there is no such page".into()) })
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            headers::headers_and_log,
        ))
        .with_state(app)
}

/// Serve on `listener` (HTTPS if `cfg.tls` says so) until SIGTERM or ctrl-c; requests in
/// flight are finished first.
pub fn serve(cfg: Config, listener: std::net::TcpListener) -> Result<(), Error> {
    let tls = cfg.tls.clone();
    let app = Arc::new(App {
        writes: (!store::is_server(&cfg.db)).then(|| tokio::sync::Mutex::new(())),
        pool: Mutex::new(Vec::new()),
        cfg,
        sessions: Mutex::new(auth::Sessions::default()),
        throttle: Mutex::new(auth::Throttle::default()),
        swept: Mutex::new(None),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            Error::input(format!(
                "could not start the server: {}",
                crate::files::io_reason(&e)
            ))
        })?;
    let cannot_listen = |e: std::io::Error| {
        Error::input(format!("could not listen: {}", crate::files::io_reason(&e)))
    };
    runtime.block_on(async move {
        let listener = listener
            .set_nonblocking(true)
            .and_then(|()| tokio::net::TcpListener::from_std(listener))
            .map_err(cannot_listen)?;
        let service = router(app).into_make_service_with_connect_info::<SocketAddr>();
        let served = match tls {
            Some(config) => {
                use axum::serve::ListenerExt;
                let listener = tls::TlsListener::new(listener, config).map_err(cannot_listen)?;
                // `tap_io` changes nothing; through it axum gives handlers the client's
                // address (`ConnectInfo<SocketAddr>`) for a listener of ours too.
                axum::serve(listener.tap_io(|_| {}), service)
                    .with_graceful_shutdown(shutdown())
                    .await
            }
            None => {
                axum::serve(listener, service)
                    .with_graceful_shutdown(shutdown())
                    .await
            }
        };
        served.map_err(|e| {
            Error::input(format!(
                "the server stopped: {}",
                crate::files::io_reason(&e)
            ))
        })
    })
}

/// SIGTERM or ctrl-c.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    eprintln!("shutting down: finishing the requests in flight");
}
