//! A PostgreSQL server for tests, and a throwaway database per test on it.
//!
//! The server is `ICS_TEST_POSTGRES` (a URL to a database the tests may create databases
//! from, e.g. `postgres://postgres@127.0.0.1:5432/postgres`); when that is unset, a private
//! cluster is started with `initdb` and `pg_ctl` in a temporary folder, listening only on a
//! Unix socket there, and stopped when the test process exits. When neither is possible the
//! PostgreSQL tests are skipped with one line saying why, or fail when
//! `ICS_REQUIRE_POSTGRES=1` (as CI sets it).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use postgres::{Client, NoTls};

/// The admin URL of the test server, or why there is none.
fn server() -> &'static Result<String, String> {
    static SERVER: OnceLock<Result<String, String>> = OnceLock::new();
    SERVER.get_or_init(|| match std::env::var("ICS_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => {
            Client::connect(&url, NoTls)
                .map(|_| url.clone())
                .map_err(|e| {
                    format!(
                        "ICS_TEST_POSTGRES ({}) does not answer: {e}",
                        super::url::masked(&url)
                    )
                })
        }
        _ => start_private(),
    })
}

/// A server the tests can use; with no server, `None` after saying once that the tests are
/// skipped (or a panic when `ICS_REQUIRE_POSTGRES=1`).
pub fn server_url() -> Option<&'static str> {
    match server() {
        Ok(url) => Some(url),
        Err(why) => {
            if std::env::var("ICS_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                panic!(
                    "PostgreSQL tests are required (ICS_REQUIRE_POSTGRES=1) but cannot run: {why}"
                );
            }
            static SAID: OnceLock<()> = OnceLock::new();
            SAID.get_or_init(|| {
                // Straight to the process's stderr: the test harness captures `eprintln!` of
                // a passing test, and this line must be seen.
                use std::io::Write;
                let _ = writeln!(std::io::stderr(), "skipped: the PostgreSQL tests: {why}");
            });
            None
        }
    }
}

/// One test's own database, dropped when this is.
pub struct TestServer {
    /// The URL of the test's database.
    pub url: String,
    admin: String,
    name: String,
}

impl TestServer {
    /// A new, empty database for one test; `None` (skipped) when there is no server.
    pub fn database() -> Option<TestServer> {
        static N: AtomicU64 = AtomicU64::new(0);
        let admin = server_url()?.to_string();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "ics_test_{}_{}_{nanos}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let mut client = Client::connect(&admin, NoTls).expect("the test server answers");
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("the test server creates a database");
        let url = with_database(&admin, &name);
        Some(TestServer { url, admin, name })
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Ok(mut client) = Client::connect(&self.admin, NoTls) {
            let _ = client.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// `url` with its database name replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let base = match base[after_scheme..].find('/') {
        Some(slash) => &base[..after_scheme + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// The private cluster's folder, removed (and the server stopped) at exit.
static PRIVATE: Mutex<Option<(PathBuf, PathBuf)>> = Mutex::new(None);

extern "C" fn stop_private() {
    if let Ok(guard) = PRIVATE.lock() {
        if let Some((pg_ctl, dir)) = guard.as_ref() {
            let _ = as_server_user(pg_ctl)
                .args([
                    "-D",
                    &dir.join("data").to_string_lossy(),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ])
                .output();
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Where PostgreSQL's server programs are: on PATH, or Debian's versioned folders.
fn server_bin(name: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut versions: Vec<PathBuf> = entries.flatten().map(|e| e.path().join("bin")).collect();
        versions.sort();
        versions.reverse();
        dirs.extend(versions);
    }
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file())
}

/// `initdb` and the server refuse to run as root: as root, run them as `postgres`.
fn as_server_user(program: &Path) -> Command {
    if unsafe { libc::geteuid() } == 0 {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn start_private() -> Result<String, String> {
    let unset = "ICS_TEST_POSTGRES is not set";
    let (Some(initdb), Some(pg_ctl)) = (server_bin("initdb"), server_bin("pg_ctl")) else {
        return Err(format!(
            "{unset}, and PostgreSQL's server programs (initdb, pg_ctl) are not installed"
        ));
    };
    // A short path: a Unix socket's path is limited to about 100 bytes.
    let dir = std::env::temp_dir().join(format!("ics-pg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{unset}, and no temporary folder: {e}"))?;
    if unsafe { libc::geteuid() } == 0 {
        let _ = Command::new("chown").args(["postgres:"]).arg(&dir).output();
    }
    let data = dir.join("data");
    let out = as_server_user(&initdb)
        .args(["-D"])
        .arg(&data)
        .args([
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        ])
        .output()
        .map_err(|e| format!("{unset}, and initdb could not run: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{unset}, and initdb failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    *PRIVATE.lock().map_err(|_| "lock")? = Some((pg_ctl.clone(), dir.clone()));
    unsafe { libc::atexit(stop_private) };
    let port = 20000 + std::process::id() % 20000;
    let options = format!(
        "-k {} -c listen_addresses='' -p {port} -c fsync=off -c max_connections=200",
        dir.display()
    );
    let out = as_server_user(&pg_ctl)
        .args(["-D"])
        .arg(&data)
        .args(["-o", &options, "-l"])
        .arg(dir.join("log"))
        .args(["-w", "start"])
        .output()
        .map_err(|e| format!("{unset}, and pg_ctl could not run: {e}"))?;
    if !out.status.success() {
        let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
        return Err(format!(
            "{unset}, and the private server did not start: {}",
            log.lines().last().unwrap_or("").trim()
        ));
    }
    let socket_dir = dir.display().to_string().replace('/', "%2F");
    Ok(format!("postgres://postgres@{socket_dir}:{port}/postgres"))
}

/// A private cluster of its own for the TLS and login tests: on 127.0.0.1 (TLS needs TCP) with
/// `ssl = on`, its certificate signed by a throwaway authority made with the `openssl` command
/// for `127.0.0.1` and `localhost`, trust logins for `postgres` and a password login for the
/// role `ics_login`. Stopped and removed when dropped.
pub struct TlsCluster {
    pub port: u16,
    /// The authority's certificate (PEM), for `sslrootcert`.
    pub ca: PathBuf,
    /// Another authority's certificate (PEM), which did not sign the server's.
    pub other_ca: PathBuf,
    /// `ics_login`'s password.
    pub password: String,
    dir: PathBuf,
    pg_ctl: PathBuf,
}

impl TlsCluster {
    /// Start one, or say why not (no server programs, no `openssl`, ...).
    pub fn start() -> Result<TlsCluster, String> {
        let (Some(initdb), Some(pg_ctl)) = (server_bin("initdb"), server_bin("pg_ctl")) else {
            return Err("PostgreSQL's server programs (initdb, pg_ctl) are not installed".into());
        };
        if Command::new("openssl").arg("version").output().is_err() {
            return Err("the openssl command is not installed".into());
        }
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "ics-tls-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("no temporary folder: {e}"))?;
        let mut cluster = TlsCluster {
            port: 0,
            ca: dir.join("ca.pem"),
            other_ca: dir.join("other.pem"),
            password: format!("pw-{}", std::process::id()),
            dir: dir.clone(),
            pg_ctl: pg_ctl.clone(),
        };
        let run = |c: &mut Command, what: &str| -> Result<(), String> {
            let out = c
                .output()
                .map_err(|e| format!("{what} could not run: {e}"))?;
            if out.status.success() {
                Ok(())
            } else {
                Err(format!(
                    "{what} failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ))
            }
        };
        let openssl = |args: &[&str]| {
            let mut c = Command::new("openssl");
            c.args(args).current_dir(&dir);
            c
        };
        std::fs::write(
            dir.join("server.ext"),
            "subjectAltName = DNS:localhost, IP:127.0.0.1\nbasicConstraints = CA:FALSE\n\
             keyUsage = digitalSignature, keyEncipherment\nextendedKeyUsage = serverAuth\n",
        )
        .map_err(|e| e.to_string())?;
        run(
            &mut openssl(&[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "2",
                "-subj",
                "/CN=ics test authority",
            ]),
            "openssl (the authority)",
        )?;
        run(
            &mut openssl(&[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                "other.key",
                "-out",
                "other.pem",
                "-days",
                "2",
                "-subj",
                "/CN=ics test authority",
            ]),
            "openssl (another authority)",
        )?;
        run(
            &mut openssl(&[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=localhost",
            ]),
            "openssl (the server key)",
        )?;
        run(
            &mut openssl(&[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "server.crt",
                "-days",
                "2",
                "-extfile",
                "server.ext",
            ]),
            "openssl (the server certificate)",
        )?;
        if unsafe { libc::geteuid() } == 0 {
            let _ = Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(&dir)
                .output();
        }
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(
                dir.join("server.key"),
                std::fs::Permissions::from_mode(0o600),
            );
        }
        let data = dir.join("data");
        run(
            as_server_user(&initdb).arg("-D").arg(&data).args([
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ]),
            "initdb",
        )?;
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\n\
             host all ics_login 127.0.0.1/32 scram-sha-256\n\
             host all all 127.0.0.1/32 trust\n",
        )
        .map_err(|e| e.to_string())?;
        // A free port: the one the system hands out for a moment.
        cluster.port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .map_err(|e| format!("no free port: {e}"))?;
        let options = format!(
            "-k {dir} -c listen_addresses=127.0.0.1 -p {port} -c fsync=off -c ssl=on \
             -c ssl_cert_file={dir}/server.crt -c ssl_key_file={dir}/server.key",
            dir = dir.display(),
            port = cluster.port
        );
        run(
            as_server_user(&pg_ctl)
                .arg("-D")
                .arg(&data)
                .args(["-o", &options, "-l"])
                .arg(dir.join("log"))
                .args(["-w", "start"]),
            "pg_ctl start",
        )
        .map_err(|e| {
            let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
            format!("{e} ({})", log.lines().last().unwrap_or("").trim())
        })?;
        let password = cluster.password.clone();
        cluster.admin(&format!(
            "SET password_encryption = 'scram-sha-256'; \
             CREATE ROLE ics_login WITH LOGIN PASSWORD '{password}'"
        ))?;
        Ok(cluster)
    }

    /// Run `sql` as `postgres` in the database `postgres`, over the cluster's Unix socket.
    pub fn admin(&self, sql: &str) -> Result<(), String> {
        let socket = self.dir.display().to_string().replace('/', "%2F");
        let url = format!("postgres://postgres@{socket}:{}/postgres", self.port);
        let mut c = Client::connect(&url, NoTls).map_err(|e| e.to_string())?;
        c.batch_execute(sql).map_err(|e| e.to_string())
    }
}

impl Drop for TlsCluster {
    fn drop(&mut self) {
        let _ = as_server_user(&self.pg_ctl)
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "-w", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_name_is_replaced() {
        assert_eq!(
            with_database("postgres://u@h:5432/postgres", "t1"),
            "postgres://u@h:5432/t1"
        );
        assert_eq!(
            with_database("postgres://u@h:5432/postgres?sslmode=disable", "t1"),
            "postgres://u@h:5432/t1?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h", "t1"), "postgres://u@h/t1");
    }

    #[test]
    fn a_test_database_is_made_and_dropped() {
        let Some(db) = TestServer::database() else {
            return;
        };
        let mut c = Client::connect(&db.url, NoTls).unwrap();
        let one: i32 = c.query_one("SELECT 1", &[]).unwrap().get(0);
        assert_eq!(one, 1);
        drop(c);
        let name = db.name.clone();
        drop(db);
        let mut admin = Client::connect(server_url().unwrap(), NoTls).unwrap();
        let left: i64 = admin
            .query_one(
                "SELECT count(*) FROM pg_database WHERE datname = $1",
                &[&name],
            )
            .unwrap()
            .get(0);
        assert_eq!(left, 0);
    }
}
