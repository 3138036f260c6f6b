//! What the remote clients share on the way out: the organisation's client
//! certificate (PEM or PKCS#12), the trusted roots, and an HTTPS client over
//! rustls with the ring provider. SF1520, Datafordeleren, SF1601 (Digital
//! Post) and NgDP all require mutual TLS with an OCES certificate.

use std::path::Path;

use base64::Engine as _;

use crate::resilience::{CallError, Settings};

/// A client certificate with its private key, PEM-encoded. Never printed.
#[derive(Clone)]
pub struct ClientIdentity {
    pem: Vec<u8>,
}

impl std::fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientIdentity(<redacted>)")
    }
}

/// Why a PKCS#12 file gave no identity. The password never appears here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Pkcs12Error {
    #[error("the PKCS#12 file could not be read: {0}")]
    Read(String),
    /// A wrong password shows up here too: the MAC does not verify.
    #[error("the PKCS#12 file could not be opened (wrong password, or not PKCS#12): {0}")]
    Open(String),
    #[error("the PKCS#12 file holds no private key with its certificate")]
    NoKeyChain,
}

impl ClientIdentity {
    /// One PEM text holding the private key and the certificate chain (leaf first).
    pub fn from_pem(pem: impl Into<Vec<u8>>) -> Self {
        ClientIdentity { pem: pem.into() }
    }

    /// The certificate chain and the key from two PEM files (or the same file twice).
    pub fn from_pem_files(certificates: &Path, key: &Path) -> std::io::Result<Self> {
        let mut pem = std::fs::read(certificates)?;
        if certificates != key {
            pem.push(b'\n');
            pem.extend(std::fs::read(key)?);
        }
        Ok(ClientIdentity { pem })
    }

    /// A PKCS#12 archive (`.p12`/`.pfx`, as FOCES/OCES3 certificates are
    /// delivered): its first private key with that key's certificate chain.
    /// Both the modern (PBES2/AES) and the legacy (3DES, RC2) encryptions are read.
    pub fn from_pkcs12(der: &[u8], password: &str) -> Result<Self, Pkcs12Error> {
        let store = p12_keystore::KeyStore::from_pkcs12(der, password, p12_keystore::Pkcs12ImportPolicy::Strict)
            .map_err(|e| Pkcs12Error::Open(e.to_string()))?;
        let (_, chain) = store.private_key_chain().ok_or(Pkcs12Error::NoKeyChain)?;
        if chain.certs().is_empty() {
            return Err(Pkcs12Error::NoKeyChain);
        }
        let mut pem = pem_block("PRIVATE KEY", chain.key().as_der());
        for certificate in chain.certs() {
            pem.extend(pem_block("CERTIFICATE", certificate.as_der()));
        }
        Ok(ClientIdentity { pem })
    }

    pub fn from_pkcs12_file(path: &Path, password: &str) -> Result<Self, Pkcs12Error> {
        let der = std::fs::read(path).map_err(|e| Pkcs12Error::Read(e.to_string()))?;
        ClientIdentity::from_pkcs12(&der, password)
    }

    /// The DER of the leaf (first) certificate: the KOMBIT STS binds its token
    /// to it (`UseKey`), so holder-of-key calls must present the same one.
    pub fn leaf_certificate_der(&self) -> Option<Vec<u8>> {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject as _;
        CertificateDer::pem_slice_iter(&self.pem).next()?.ok().map(|c| c.as_ref().to_vec())
    }
}

fn pem_block(label: &str, der: &[u8]) -> Vec<u8> {
    let text = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = format!("-----BEGIN {label}-----\n");
    for line in text.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        pem.push('\n');
    }
    pem.push_str(&format!("-----END {label}-----\n"));
    pem.into_bytes()
}

/// Why a remote client could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    #[error("the endpoint must be an http(s) URL: {0}")]
    Endpoint(String),
    #[error("an https endpoint needs a client certificate")]
    MissingIdentity,
    #[error("the client certificate could not be used: {0}")]
    Identity(String),
    #[error("the trusted CA certificates could not be read: {0}")]
    TrustedRoots(String),
    #[error("settings: {0}")]
    Settings(String),
    #[error("HTTP client: {0}")]
    Client(String),
}

/// What every remote client is configured with besides its own fields.
pub(crate) struct Transport<'a> {
    pub endpoint: &'a str,
    pub identity: Option<&'a ClientIdentity>,
    pub trusted_roots: Option<&'a [u8]>,
    pub settings: &'a Settings,
}

/// Checks the endpoint, settings and certificate, and builds the HTTP client.
pub(crate) fn client(transport: Transport<'_>) -> Result<reqwest::Client, BuildError> {
    transport.settings.validate().map_err(BuildError::Settings)?;
    let https = transport.endpoint.starts_with("https://");
    if !https && !transport.endpoint.starts_with("http://") {
        return Err(BuildError::Endpoint(transport.endpoint.to_owned()));
    }
    if https && transport.identity.is_none() {
        return Err(BuildError::MissingIdentity);
    }
    // reqwest is built without a default crypto provider: use ring, never aws-lc.
    // Installing fails harmlessly when a provider was installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::Client::builder()
        .tls_backend_rustls()
        .connect_timeout(transport.settings.connect_timeout)
        .timeout(transport.settings.total_timeout)
        .user_agent(concat!("valghalla/", env!("CARGO_PKG_VERSION")));
    if let Some(identity) = transport.identity {
        let identity = reqwest::Identity::from_pem(&identity.pem).map_err(|e| BuildError::Identity(chain(&e)))?;
        builder = builder.identity(identity);
    }
    if let Some(roots) = transport.trusted_roots {
        let roots = reqwest::Certificate::from_pem_bundle(roots).map_err(|e| BuildError::TrustedRoots(chain(&e)))?;
        if roots.is_empty() {
            return Err(BuildError::TrustedRoots("no certificate in the PEM text".into()));
        }
        builder = builder.tls_certs_only(roots);
    }
    builder.build().map_err(|e| BuildError::Client(chain(&e)))
}

/// A failure to get an answer at all: a timeout, or anything on the way.
pub(crate) fn transport_error(error: reqwest::Error, settings: &Settings) -> CallError {
    if error.is_timeout() {
        return CallError::Timeout(settings.total_timeout);
    }
    // The request URL may carry the PNR (Datafordeleren's query): never show it.
    CallError::connect(chain(&error.without_url()))
}

fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
