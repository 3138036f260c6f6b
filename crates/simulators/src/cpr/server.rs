//! The CPR simulators' own accept loop, plain or TLS. `axum::serve` would do for plain HTTP,
//! but the simulators need three things it cannot give: a TLS handshake that can refuse a
//! client certificate (also on command, `tls_reject`), the presented certificate in each
//! request's extensions, and connections that can be dropped before any HTTP is spoken
//! (`close_connection`). Connections live in a `JoinSet` owned by the loop, so stopping the
//! server also ends requests hanging in a `timeout` fault.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use rustls::server::WebPkiClientVerifier;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt as _;

use crate::control::Faults;

/// The committed test PKI (`crates/simulators/fixtures/tls/`, see its README), for tests
/// and the demo. Test-only: nothing here protects anything.
pub mod tls_fixtures {
    /// The CA that signed the server and the trusted client certificates.
    pub const CA_CERT_PEM: &str = include_str!("../../fixtures/tls/ca-cert.pem");
    pub const SERVER_CERT_PEM: &str = include_str!("../../fixtures/tls/server-cert.pem");
    pub const SERVER_KEY_PEM: &str = include_str!("../../fixtures/tls/server-key.pem");
    /// The trusted client ("system") certificate and key.
    pub const CLIENT_CERT_PEM: &str = include_str!("../../fixtures/tls/client-cert.pem");
    pub const CLIENT_KEY_PEM: &str = include_str!("../../fixtures/tls/client-key.pem");
    /// Certificate + key in one PEM (what `reqwest::Identity::from_pem` reads).
    pub const CLIENT_IDENTITY_PEM: &str = include_str!("../../fixtures/tls/client-identity.pem");
    /// A client certificate of a CA the simulator does not trust ("not registered").
    pub const OTHER_CLIENT_IDENTITY_PEM: &str = include_str!("../../fixtures/tls/other-client-identity.pem");
    /// A client certificate of the trusted CA that expired on 2021-01-01.
    pub const EXPIRED_CLIENT_IDENTITY_PEM: &str = include_str!("../../fixtures/tls/expired-client-identity.pem");
}

/// Whether the TLS handshake demands a client certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientAuth {
    /// No certificate, no connection (SF1520: the handshake fails). Certificates of other
    /// CAs and expired ones are refused in the handshake in both modes.
    #[default]
    Required,
    /// The handshake lets clients without a certificate in and the services answer HTTP 403
    /// (cpr-data.md B.3: "a missing or unknown certificate gives 403").
    Optional,
}

/// HTTPS settings: server certificate and key, and the CA client certificates must chain to.
#[derive(Debug, Clone)]
pub struct TlsConfig {
    pub server_cert_pem: String,
    pub server_key_pem: String,
    pub client_ca_pem: String,
    pub client_auth: ClientAuth,
}

impl TlsConfig {
    /// The committed test PKI, client certificate required.
    pub fn test() -> Self {
        Self {
            server_cert_pem: tls_fixtures::SERVER_CERT_PEM.into(),
            server_key_pem: tls_fixtures::SERVER_KEY_PEM.into(),
            client_ca_pem: tls_fixtures::CA_CERT_PEM.into(),
            client_auth: ClientAuth::Required,
        }
    }

    pub fn client_auth(mut self, auth: ClientAuth) -> Self {
        self.client_auth = auth;
        self
    }
}

/// What a request arrived with, put into every request's extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientCert {
    /// Plain HTTP: no TLS at all.
    PlainHttp,
    /// TLS without a client certificate (only possible with [`ClientAuth::Optional`]).
    Absent,
    /// The DER of the verified client certificate (holder-of-key checks can compare it).
    Presented(Vec<u8>),
}

impl ClientCert {
    pub fn describe(&self) -> &'static str {
        match self {
            ClientCert::PlainHttp => "plain_http",
            ClientCert::Absent => "absent",
            ClientCert::Presented(_) => "presented",
        }
    }
}

/// Wraps the web-PKI verifier so the `tls_reject` fault can refuse even a good certificate
/// ("certificate not registered / revoked" on the real platform).
#[derive(Debug)]
struct FaultableVerifier {
    inner: Arc<dyn ClientCertVerifier>,
    faults: Faults,
}

impl ClientCertVerifier for FaultableVerifier {
    fn offer_client_auth(&self) -> bool {
        self.inner.offer_client_auth()
    }
    fn client_auth_mandatory(&self) -> bool {
        self.inner.client_auth_mandatory()
    }
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.inner.root_hint_subjects()
    }
    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        // The handshake has no path; rules with a `path` never match here (documented).
        if self.faults.take("tls_reject", "/", None).is_some() {
            return Err(rustls::Error::InvalidCertificate(rustls::CertificateError::ApplicationVerificationFailure));
        }
        self.inner.verify_client_cert(end_entity, intermediates, now)
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// A rustls acceptor (ring provider, HTTP/1.1 only) for `config`.
pub(crate) fn acceptor(config: &TlsConfig, faults: Faults) -> anyhow::Result<TlsAcceptor> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(config.client_ca_pem.as_bytes()) {
        roots.add(cert?)?;
    }
    let builder = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone());
    let inner = match config.client_auth {
        ClientAuth::Required => builder.build()?,
        ClientAuth::Optional => builder.allow_unauthenticated().build()?,
    };
    let verifier = Arc::new(FaultableVerifier { inner, faults });
    let chain = CertificateDer::pem_slice_iter(config.server_cert_pem.as_bytes()).collect::<Result<Vec<_>, _>>()?;
    let key = PrivateKeyDer::from_pem_slice(config.server_key_pem.as_bytes())?;
    let mut server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)?;
    // HTTP/1.1 only: the real services are SOAP/REST over HTTP/1.1 and so is our serve loop.
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    // No session resumption: every connection is verified afresh, so `tls_reject` (and a
    // certificate withdrawn between two calls) takes effect on the next connection.
    server.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
    server.send_tls13_tickets = 0;
    Ok(TlsAcceptor::from(Arc::new(server)))
}

/// Accept connections until the task is aborted.
pub(crate) async fn serve(listener: TcpListener, app: Router, tls: Option<TlsAcceptor>, faults: Faults) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                // Dropped before a byte is read: the client sees the connection closed.
                if faults.take("close_connection", "/", None).is_some() {
                    drop(stream);
                    continue;
                }
                connections.spawn(connection(stream, app.clone(), tls.clone()));
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn connection(stream: tokio::net::TcpStream, app: Router, tls: Option<TlsAcceptor>) {
    match tls {
        None => http(TokioIo::new(stream), app, ClientCert::PlainHttp).await,
        Some(acceptor) => {
            // A handshake that fails (no/unknown/expired certificate, `tls_reject`) just ends
            // the connection; rustls has already sent the alert.
            let Ok(Ok(tls)) = tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream)).await else {
                return;
            };
            let cert = match tls.get_ref().1.peer_certificates().and_then(|c| c.first()) {
                Some(c) => ClientCert::Presented(c.as_ref().to_vec()),
                None => ClientCert::Absent,
            };
            http(TokioIo::new(tls), app, cert).await
        }
    }
}

async fn http<I>(io: TokioIo<I>, app: Router, cert: ClientCert)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = app.map_request(move |mut request: Request<hyper::body::Incoming>| {
        request.extensions_mut().insert(cert.clone());
        request
    });
    let service = TowerToHyperService::new(service);
    if let Err(e) = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await {
        tracing::debug!(error = %e, "CPR simulator connection ended with an error");
    }
}
