//! `ics serve`: check where it may listen and the TLS certificate, then hand over to
//! [`crate::web`].

use std::net::SocketAddr;
use std::time::Duration;

use super::Context;
use crate::cli::ServeArgs;
use crate::error::Error;
use crate::workflow::Role;
use crate::Outcome;

pub fn run(cx: &Context, args: &ServeArgs) -> Result<Outcome, Error> {
    let addr: SocketAddr = args.listen.trim().parse().map_err(|_| {
        Error::input_with_hint(
            format!("`{}` is not an address and port", args.listen.trim()),
            "write it as --listen 127.0.0.1:8750 (or [::1]:8750)",
        )
    })?;
    let idle = idle(&args.idle)?;
    let tls = tls(args)?;
    // The database and the strategy must be there before anyone connects.
    let mut store = cx.open_database()?;
    store.use_strategy(cx.strategy())?;
    store.resolve_version(None)?;
    let users = store.users()?;
    if !addr.ip().is_loopback() {
        if !users.iter().any(|u| u.role == Role::Admin) {
            return Err(Error::input_with_hint(
                format!("`{addr}` can be reached from other computers, and this database has no admin user: anyone could act without signing in"),
                "add an admin with a password (`ics user add NAME --role admin --password`), or listen on 127.0.0.1",
            ));
        }
        if tls.is_none() && !args.behind_proxy {
            return Err(Error::input_with_hint(
                format!("`{addr}` can be reached from other computers, and neither TLS nor a proxy protects the passwords and cookies"),
                "serve HTTPS with --tls-cert FILE --tls-key FILE, or put a reverse proxy that terminates TLS in front and add --behind-proxy, or listen on 127.0.0.1",
            ));
        }
    }
    let listener = std::net::TcpListener::bind(addr).map_err(|e| {
        Error::input(format!(
            "could not listen on {addr}: {}",
            crate::files::io_reason(&e)
        ))
    })?;
    let bound = listener.local_addr().unwrap_or(addr);
    let db = store.name();
    if users.is_empty() {
        eprintln!("single-user mode: {db} has no users; anyone who can reach the address acts as you, without signing in");
    } else {
        let with = users
            .iter()
            .filter(|u| store.password_hash(&u.name).ok().flatten().is_some())
            .count();
        eprintln!(
            "{} users, {with} with a password (`ics user set-password NAME` sets one)",
            users.len()
        );
    }
    drop(store);
    let scheme = if tls.is_some() { "https" } else { "http" };
    eprintln!("listening on {scheme}://{bound}");
    crate::web::serve(
        crate::web::Config {
            db: cx.db_path(),
            strategy: cx.strategy().map(str::to_string),
            secure_cookies: args.behind_proxy || tls.is_some(),
            behind_proxy: args.behind_proxy,
            idle,
            loopback_port: (bound.ip().is_loopback() && !args.behind_proxy).then_some(bound.port()),
            tls,
        },
        listener,
    )?;
    Ok(Outcome::Success)
}

/// `--tls-cert` and `--tls-key`, both or neither: the certificate and key read and checked.
fn tls(args: &ServeArgs) -> Result<Option<crate::web::tls::Settings>, Error> {
    match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => crate::web::tls::load(cert, key).map(Some),
        (None, None) => Ok(None),
        (Some(_), None) => Err(Error::input_with_hint(
            "--tls-cert needs --tls-key: the private key that goes with the certificate",
            "give both: --tls-cert fullchain.pem --tls-key privkey.pem",
        )),
        (None, Some(_)) => Err(Error::input_with_hint(
            "--tls-key needs --tls-cert: the certificate that goes with the private key",
            "give both: --tls-cert fullchain.pem --tls-key privkey.pem",
        )),
    }
}

/// `30m`, `2h`, `90s`: how long a session may idle.
fn idle(s: &str) -> Result<Duration, Error> {
    let s = s.trim();
    let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let secs = match (n.parse::<u64>(), unit) {
        (Ok(n), "s") => Some(n),
        (Ok(n), "m" | "") => n.checked_mul(60),
        (Ok(n), "h") => n.checked_mul(3600),
        _ => None,
    };
    match secs {
        Some(secs) if secs > 0 && secs <= 7 * 24 * 3600 => Ok(Duration::from_secs(secs)),
        _ => Err(Error::input_with_hint(
            format!("`{s}` is not an idle time"),
            "write a number of seconds, minutes or hours up to a week: --idle 90s, --idle 30m, --idle 2h",
        )),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn idle_times_read_seconds_minutes_and_hours() {
        assert_eq!(super::idle("90s").unwrap().as_secs(), 90);
        assert_eq!(super::idle("30m").unwrap().as_secs(), 1800);
        assert_eq!(super::idle("30").unwrap().as_secs(), 1800);
        assert_eq!(super::idle("2h").unwrap().as_secs(), 7200);
        for bad in ["0s", "", "m", "1d", "-5m", "9999h"] {
            assert!(super::idle(bad).is_err(), "{bad}");
        }
    }
}
