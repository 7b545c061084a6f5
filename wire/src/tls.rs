//! rustls set-up with the aws-lc-rs provider (the project's one crypto backend):
//! certificates and keys from PEM files.

use rustls::crypto::aws_lc_rs;
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;
use std::sync::Arc;

/// A TLS set-up that cannot work (a PEM file that cannot be read, a key that does not fit
/// the certificate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsError(pub String);

impl core::fmt::Display for TlsError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TlsError {}

fn certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(|e| TlsError(format!("{}: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(TlsError(format!("{}: no certificate", path.display())));
    }
    Ok(certs)
}

/// A server configuration from a certificate chain and its private key (PEM files).
///
/// # Errors
/// When a file cannot be read or the key does not fit.
pub fn server_config(cert_pem: &Path, key_pem: &Path) -> Result<Arc<ServerConfig>, TlsError> {
    let key = PrivateKeyDer::from_pem_file(key_pem)
        .map_err(|e| TlsError(format!("{}: {e}", key_pem.display())))?;
    server(certs(cert_pem)?, key)
}

/// A server configuration from a certificate chain and its private key (PEM text).
///
/// # Errors
/// When the PEM does not parse or the key does not fit.
pub fn server_config_from_pem(
    cert_pem: &[u8],
    key_pem: &[u8],
) -> Result<Arc<ServerConfig>, TlsError> {
    let chain = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError(e.to_string()))?;
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| TlsError(e.to_string()))?;
    server(chain, key)
}

fn server(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<ServerConfig>, TlsError> {
    let config = ServerConfig::builder_with_provider(Arc::new(aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| TlsError(e.to_string()))?;
    Ok(Arc::new(config))
}

/// A client configuration trusting the CA certificates in `ca_pem`, or the Mozilla roots
/// (webpki-roots) when none is given.
///
/// # Errors
/// When the file cannot be read.
pub fn client_config(ca_pem: Option<&Path>) -> Result<ClientConfig, TlsError> {
    match ca_pem {
        Some(path) => client(certs(path)?),
        None => {
            let mut roots = RootCertStore::empty();
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            client_with(roots)
        }
    }
}

/// A client configuration trusting the CA certificates in `ca_pem` (PEM text).
///
/// # Errors
/// When the PEM does not parse.
pub fn client_config_from_pem(ca_pem: &[u8]) -> Result<ClientConfig, TlsError> {
    client(
        CertificateDer::pem_slice_iter(ca_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| TlsError(e.to_string()))?,
    )
}

fn client(cas: Vec<CertificateDer<'static>>) -> Result<ClientConfig, TlsError> {
    let mut roots = RootCertStore::empty();
    for cert in cas {
        roots.add(cert).map_err(|e| TlsError(e.to_string()))?;
    }
    client_with(roots)
}

fn client_with(roots: RootCertStore) -> Result<ClientConfig, TlsError> {
    Ok(
        ClientConfig::builder_with_provider(Arc::new(aws_lc_rs::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}
