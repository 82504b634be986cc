//! TLS for PostgreSQL connections, with rustls: what each `sslmode` checks, as libpq does.
//!
//! - `prefer`, `require` (without `sslrootcert`): encrypted, the certificate not checked; no
//!   certificate store is read, so the connection costs no more than the handshake.
//! - `verify-ca`: the chain must lead to a trusted authority; the host name is not checked.
//! - `verify-full`: the chain and the host name (a DNS or IP subject alternative name).
//! - `sslrootcert=FILE`: the authorities trusted are those of FILE (PEM) alone, and the chain is
//!   checked even under `prefer` or `require` (libpq's rule). Without it, `verify-ca` and
//!   `verify-full` trust the system's authorities (read only then).

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::url::TlsMode;
use crate::error::Error;

/// The connector for `mode` (not `disable`); `shown` is the URL as messages show it.
pub fn connector(
    mode: TlsMode,
    root_cert: Option<&str>,
    shown: &str,
) -> Result<MakeRustlsConnect, Error> {
    let provider = Arc::new(provider());
    let check_chain =
        matches!(mode, TlsMode::VerifyCa | TlsMode::VerifyFull) || root_cert.is_some();
    let verifier: Arc<dyn ServerCertVerifier> = if check_chain {
        let roots = match root_cert {
            Some(path) => roots_from_file(path, shown)?,
            None => system_roots(),
        };
        if roots.is_empty() {
            // The system trusts no authority (no CA bundle installed): no certificate can be
            // trusted, which is said as any refused certificate is.
            return Err(Error::database_with_hint(
                format!("could not connect to `{shown}`: the secure (TLS) connection failed"),
                "check the server's certificate, or give its authority with sslrootcert=/path/ca.pem",
            ));
        }
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .map_err(|_| no_setup())?;
        if mode == TlsMode::VerifyFull {
            webpki
        } else {
            Arc::new(ChainOnly(webpki))
        }
    } else {
        Arc::new(Unchecked(provider.clone()))
    };
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|_| no_setup())?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// ring's algorithms, P-256 offered first: PostgreSQL servers up to 17 accept only it for the
/// key exchange by default (`ssl_ecdh_curve = prime256v1`) and 18 lists it, while rustls sends
/// one key share, for its first group; X25519 first costs a HelloRetryRequest, one more round
/// trip to the server.
fn provider() -> CryptoProvider {
    use rustls::crypto::ring::{default_provider, kx_group};
    CryptoProvider {
        kx_groups: vec![kx_group::SECP256R1, kx_group::X25519, kx_group::SECP384R1],
        ..default_provider()
    }
}

fn no_setup() -> Error {
    Error::database("could not set up TLS for the database connection")
}

/// The authorities of a PEM file named by `sslrootcert`.
fn roots_from_file(path: &str, shown: &str) -> Result<RootCertStore, Error> {
    let pem = std::fs::read(path).map_err(|e| {
        Error::input(format!(
            "cannot read the root certificate `{path}` (sslrootcert in `{shown}`): {}",
            crate::files::io_reason(&e)
        ))
    })?;
    let not_pem = || {
        Error::input(format!(
            "the root certificate `{path}` (sslrootcert in `{shown}`) is not a PEM certificate"
        ))
    };
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| not_pem())?;
    let mut roots = RootCertStore::empty();
    let (added, _ignored) = roots.add_parsable_certificates(certs);
    if added == 0 {
        return Err(not_pem());
    }
    Ok(roots)
}

/// The system's trusted authorities (empty when none are installed).
fn system_roots() -> RootCertStore {
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    roots
}

/// `verify-ca`: the chain checked as `verify-full` does, a name mismatch forgiven. webpki checks
/// the name last, after the chain, so a name error means the chain was good.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `prefer` and `require`: any certificate accepted (libpq's meaning: encryption without
/// authentication), the handshake's signatures still checked against it.
#[derive(Debug)]
struct Unchecked(Arc<CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(mode: TlsMode, path: &str) -> String {
        match connector(mode, Some(path), "postgres://h/d") {
            Ok(_) => panic!("`{path}` was taken as a root certificate"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_root_certificate_that_is_missing_or_not_pem_is_one_sentence() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("none.pem");
        let missing = missing.to_str().unwrap();
        let text = refused(TlsMode::VerifyFull, missing);
        assert!(
            text.starts_with(&format!("cannot read the root certificate `{missing}`")),
            "{text}"
        );
        assert!(text.contains("(sslrootcert in `postgres://h/d`)"), "{text}");
        let junk = dir.path().join("junk.pem");
        std::fs::write(&junk, "not a certificate\n").unwrap();
        let junk = junk.to_str().unwrap();
        for mode in [TlsMode::Require, TlsMode::VerifyCa] {
            assert_eq!(
                refused(mode, junk),
                format!(
                    "the root certificate `{junk}` (sslrootcert in `postgres://h/d`) is not a PEM certificate"
                )
            );
        }
        // A PEM block of something else holds no certificate either.
        std::fs::write(
            dir.path().join("key.pem"),
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        )
        .unwrap();
        let key = dir.path().join("key.pem");
        assert!(refused(TlsMode::VerifyFull, key.to_str().unwrap())
            .ends_with("is not a PEM certificate"));
    }
}
