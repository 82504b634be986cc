//! HTTPS served by `ics serve` itself (`--tls-cert`, `--tls-key`), with rustls.
//!
//! [`load`] reads and checks the certificate chain and its private key before the server
//! listens, so a wrong file is one `error:` line and no server. [`TlsListener`] hands axum only
//! connections whose TLS handshake succeeded: each handshake runs on a task of its own, with a
//! time limit, so a slow or silent client cannot hold up the others, and a failed one is one line
//! in the log. A browser that asks in plain HTTP gets a short plain answer saying to use https.

use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

use crate::error::Error;

/// Longest a certificate or key file may be: a chain is a few kilobytes.
const MAX_PEM_BYTES: u64 = 1024 * 1024;

/// How long a client has to finish its TLS handshake.
const HANDSHAKE_TIME: Duration = Duration::from_secs(10);

/// The first byte of a TLS record that starts a handshake.
const TLS_HANDSHAKE: u8 = 0x16;

/// The server's TLS settings, as `ics serve` hands them to [`crate::web::serve`].
pub type Settings = Arc<ServerConfig>;

/// Read the certificate chain (PEM, the server's own certificate first) and its private key
/// (PEM: PKCS#8, RSA or SEC1) and check that they belong together. TLS 1.2 and 1.3 only (rustls
/// offers nothing older), with ring's algorithms, HTTP/1.1.
pub fn load(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, Error> {
    let cert_pem = read(cert, "certificate")?;
    let key_pem = read(key, "private key")?;
    let chain = certificates(cert, &cert_pem)?;
    let private = private_key(key, &key_pem)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::input(format!("could not set up TLS: {e}")))?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(|e| unusable(cert, key, &e))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn read(path: &Path, what: &str) -> Result<Vec<u8>, Error> {
    use crate::files::input::{read_bounded, BoundedReadError};
    read_bounded(path, MAX_PEM_BYTES).map_err(|e| match e {
        BoundedReadError::Io(e) => {
            let said = Error::input(format!(
                "could not read the TLS {what} `{}`: {}",
                path.display(),
                crate::files::io_reason(&e)
            ));
            if e.kind() == io::ErrorKind::PermissionDenied {
                // Let's Encrypt keeps its keys readable by root only.
                said.with_hint("give the account ics runs as a copy it can read (a certbot deploy hook can copy the renewed files and restart ics serve)")
            } else {
                said
            }
        }
        BoundedReadError::TooLarge => Error::input_with_hint(
            format!(
                "the TLS {what} `{}` is far too large to be a PEM file",
                path.display()
            ),
            "give the PEM file itself (a few kilobytes)",
        ),
    })
}

fn certificates(path: &Path, pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, Error> {
    let chain = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_default();
    if chain.is_empty() {
        return Err(Error::input_with_hint(
            format!(
                "the TLS certificate `{}` is not a PEM certificate",
                path.display()
            ),
            "give the certificate chain, a text file that starts with -----BEGIN CERTIFICATE----- (from Let's Encrypt: fullchain.pem)",
        ));
    }
    Ok(chain)
}

fn private_key(path: &Path, pem: &[u8]) -> Result<PrivateKeyDer<'static>, Error> {
    if let Ok(key) = PrivateKeyDer::from_pem_slice(pem) {
        return Ok(key);
    }
    let text = String::from_utf8_lossy(pem);
    if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")
        || text.contains("Proc-Type: 4,ENCRYPTED")
    {
        return Err(Error::input_with_hint(
            format!(
                "the TLS private key `{}` is protected by a passphrase, which ics cannot ask for",
                path.display()
            ),
            "write a copy without the passphrase, readable only by the account ics runs as: openssl pkey -in KEY -out PLAIN-KEY",
        ));
    }
    Err(Error::input_with_hint(
        format!(
            "the TLS private key `{}` holds no private key in PEM form",
            path.display()
        ),
        "give the key file, a text file that starts with -----BEGIN PRIVATE KEY----- (or RSA or EC PRIVATE KEY; from Let's Encrypt: privkey.pem)",
    ))
}

/// rustls refused the pair: the key does not match, or one of them cannot be used.
fn unusable(cert: &Path, key: &Path, e: &rustls::Error) -> Error {
    match e {
        rustls::Error::InconsistentKeys(_) => Error::input_with_hint(
            format!(
                "the TLS private key `{}` does not belong to the certificate `{}`",
                key.display(),
                cert.display()
            ),
            "give the key made with this certificate (Let's Encrypt: privkey.pem next to fullchain.pem); the server's own certificate must come first in the file",
        ),
        rustls::Error::InvalidCertificate(_) | rustls::Error::InvalidCertRevocationList(_) => {
            Error::input(format!(
                "the TLS certificate `{}` is damaged or not a certificate ics can use",
                cert.display()
            ))
        }
        other => Error::input(format!(
            "ics cannot use the TLS private key `{}`: {other}",
            key.display()
        )),
    }
}

/// Connections that finished their TLS handshake, for [`axum::serve`].
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
    accepting: JoinHandle<()>,
}

impl TlsListener {
    /// Start accepting on `tcp` (inside the runtime).
    pub fn new(tcp: TcpListener, config: Arc<ServerConfig>) -> io::Result<TlsListener> {
        let local = tcp.local_addr()?;
        let (tx, ready) = mpsc::channel(64);
        let acceptor = TlsAcceptor::from(config);
        let accepting = tokio::spawn(async move {
            loop {
                let (stream, peer) = match tcp.accept().await {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        // A connection reset before it was accepted is nothing; anything else
                        // (no file descriptors left) is worth a pause before trying again.
                        if !matches!(
                            e.kind(),
                            io::ErrorKind::ConnectionRefused
                                | io::ErrorKind::ConnectionAborted
                                | io::ErrorKind::ConnectionReset
                        ) {
                            eprintln!(
                                "could not accept a connection: {}",
                                crate::files::io_reason(&e)
                            );
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        }
                        continue;
                    }
                };
                let acceptor = acceptor.clone();
                let tx = tx.clone();
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIME, handshake(&acceptor, stream)).await {
                        Ok(Ok(Some(tls))) => {
                            // Closed only when the server is shutting down: then the connection
                            // is dropped.
                            let _ = tx.send((tls, peer)).await;
                        }
                        Ok(Ok(None)) => {}
                        Ok(Err(e)) => eprintln!("TLS handshake failed: {e}"),
                        Err(_) => {}
                    }
                });
            }
        });
        Ok(TlsListener {
            ready,
            local,
            accepting,
        })
    }
}

/// The handshake, or `None` for a plain-HTTP request (answered with a 400 saying to use
/// https) or a client that closed without a word.
async fn handshake(
    acceptor: &TlsAcceptor,
    stream: TcpStream,
) -> io::Result<Option<TlsStream<TcpStream>>> {
    let mut first = [0u8; 1];
    if stream.peek(&mut first).await? == 0 {
        return Ok(None);
    }
    if first[0] != TLS_HANDSHAKE {
        plain_http(stream, first[0]).await;
        return Ok(None);
    }
    acceptor.accept(stream).await.map(Some)
}

/// A request that is not TLS: if it looks like HTTP, say in HTTP to use https; then close.
async fn plain_http(mut stream: TcpStream, first: u8) {
    if !first.is_ascii_uppercase() {
        eprintln!("TLS handshake failed: the client does not speak TLS");
        return;
    }
    const BODY: &str =
        "This server speaks only HTTPS: open the same address with https:// instead of http://\n";
    let answer = format!(
        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{BODY}",
        BODY.len()
    );
    let _ = stream.write_all(answer.as_bytes()).await;
    eprintln!("plain HTTP request on the HTTPS port: answered 400 (use https://)");
    let _ = stream.shutdown().await;
    // Read what the client sent before closing: closing with it unread would reset the
    // connection, and the client might not see the answer.
    let mut sink = [0u8; 4096];
    let mut left: usize = 64 * 1024;
    while left > 0 {
        match tokio::time::timeout(Duration::from_secs(2), stream.read(&mut sink)).await {
            Ok(Ok(n)) if n > 0 => left = left.saturating_sub(n),
            _ => break,
        }
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        // Stop accepting: the port closes with the listener.
        self.accepting.abort();
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(conn) => conn,
            // The accepting task ended (it only ends when aborted): nothing more will come.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local)
    }
}
