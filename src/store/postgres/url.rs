//! PostgreSQL connection URLs: recognising one, showing it with its password masked, and
//! taking out the TLS settings that ics handles itself (`sslmode`, `sslrootcert`).

/// Whether `db` (a `--db` or `ICS_DB` value) names a PostgreSQL server rather than a file.
pub fn is_url(db: &str) -> bool {
    let lower = db.get(..13).unwrap_or(db).to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// The URL as messages show it: a password (`user:secret@`, or `password=` in the query)
/// replaced by `***`.
pub fn masked(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let mut out = String::with_capacity(url.len());
    match base.split_once("://") {
        Some((scheme, rest)) => {
            out.push_str(scheme);
            out.push_str("://");
            // The userinfo ends at the last `@` before the path.
            let authority_end = rest.find('/').unwrap_or(rest.len());
            let (authority, path) = rest.split_at(authority_end);
            match authority.rsplit_once('@') {
                Some((userinfo, host)) => {
                    match userinfo.split_once(':') {
                        Some((user, _)) => {
                            out.push_str(user);
                            out.push_str(":***");
                        }
                        None => out.push_str(userinfo),
                    }
                    out.push('@');
                    out.push_str(host);
                }
                None => out.push_str(authority),
            }
            out.push_str(path);
        }
        None => out.push_str(base),
    }
    if let Some(query) = query {
        out.push('?');
        let parts: Vec<String> = query
            .split('&')
            .map(|kv| match kv.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                _ => kv.to_string(),
            })
            .collect();
        out.push_str(&parts.join("&"));
    }
    out
}

/// How a connection uses TLS (libpq's `sslmode`, of which ics supports these).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    Disable,
    /// TLS if the server offers it, without checking its certificate (libpq's default).
    Prefer,
    /// TLS or no connection; the certificate is not checked (unless `sslrootcert` is given,
    /// as libpq does then).
    Require,
    /// TLS, with a certificate signed by a trusted authority.
    VerifyCa,
    /// TLS, with a trusted certificate for the host connected to.
    VerifyFull,
}

/// A URL with ics's TLS settings taken out of its query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The URL for the driver, without `sslmode` and `sslrootcert`.
    pub url: String,
    pub tls: TlsMode,
    /// A file of trusted root certificates (PEM).
    pub root_cert: Option<String>,
}

/// Split the TLS settings off `url`; an `sslmode` ics does not know is an error sentence.
pub fn parse(url: &str) -> Result<Parsed, String> {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, q),
        None => (url, ""),
    };
    let mut tls = TlsMode::Prefer;
    let mut root_cert = None;
    let mut rest = Vec::new();
    for kv in query.split('&').filter(|kv| !kv.is_empty()) {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        match k {
            "sslmode" => {
                tls = match v {
                    "disable" => TlsMode::Disable,
                    "allow" | "prefer" => TlsMode::Prefer,
                    "require" => TlsMode::Require,
                    "verify-ca" => TlsMode::VerifyCa,
                    "verify-full" => TlsMode::VerifyFull,
                    other => {
                        return Err(format!(
                            "`sslmode={other}` is not a TLS mode: use disable, prefer, require, verify-ca or verify-full"
                        ))
                    }
                }
            }
            "sslrootcert" => root_cert = Some(percent_decode(v)),
            _ => rest.push(kv),
        }
    }
    let url = if rest.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    Ok(Parsed {
        url,
        tls,
        root_cert,
    })
}

/// `%2F` and friends decoded (a file path in a query parameter).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_recognised_by_scheme() {
        assert!(is_url("postgres://u@h/db"));
        assert!(is_url("PostgreSQL://u@h/db"));
        assert!(!is_url("ics.db"));
        assert!(!is_url("postgres.db"));
        assert!(!is_url("./postgres://x"));
    }

    #[test]
    fn passwords_never_show() {
        assert_eq!(
            masked("postgres://ics:s3cr%40t@db.example:5432/ics"),
            "postgres://ics:***@db.example:5432/ics"
        );
        assert_eq!(
            masked("postgresql://ics@db/ics?password=hunter2&sslmode=require"),
            "postgresql://ics@db/ics?password=***&sslmode=require"
        );
        assert_eq!(masked("postgres://db/ics"), "postgres://db/ics");
        // An `@` in the password: the host is after the last one.
        assert_eq!(masked("postgres://u:a@b@h/d"), "postgres://u:***@h/d");
        assert!(!masked("postgres://u:a@b@h/d").contains("a@b"));
    }

    #[test]
    fn tls_settings_are_taken_out() {
        let p = parse(
            "postgres://u@h/d?sslmode=verify-full&sslrootcert=%2Ftmp%2Fca.pem&application_name=x",
        )
        .unwrap();
        assert_eq!(p.tls, TlsMode::VerifyFull);
        assert_eq!(p.root_cert.as_deref(), Some("/tmp/ca.pem"));
        assert_eq!(p.url, "postgres://u@h/d?application_name=x");
        assert_eq!(parse("postgres://u@h/d").unwrap().tls, TlsMode::Prefer);
        assert!(parse("postgres://u@h/d?sslmode=maybe").is_err());
    }
}
