//! The SF1520 client over HTTPS with a client certificate (mutual TLS), as
//! Serviceplatformen requires, against a local TLS stub that demands a
//! certificate issued by the test CA (fixtures/cpr/tls/make-certs.sh).

use std::net::SocketAddr;
use std::sync::Arc;

use integrations::cpr::sf1520::{BuildError, ClientIdentity, Pkcs12Error, Sf1520Client};
use integrations::cpr::{CprError, CprRegistry, Provider};
use integrations::resilience::ErrorKind;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use super::stub::{Reply, Stub};
use super::{config, cpr, fixture};

fn tls_fixture(name: &str) -> Vec<u8> {
    fixture(&format!("tls/{name}"))
}

/// Accepts TCP connections and completes the TLS handshake; connections whose
/// handshake fails (no or unknown client certificate) are dropped.
struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((tcp, addr)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.acceptor.accept(tcp).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// A stub on HTTPS that requires a client certificate issued by the test CA.
async fn mtls_stub() -> Stub {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&tls_fixture("ca-cert.pem")) {
        roots.add(cert.unwrap()).unwrap();
    }
    let verifier =
        rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone()).build().unwrap();
    let chain: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(&tls_fixture("server-cert.pem")).map(Result::unwrap).collect();
    let key = PrivateKeyDer::from_pem_slice(&tls_fixture("server-key.pem")).unwrap();
    let server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .unwrap();
    let listener = TlsListener {
        tcp: TcpListener::bind("127.0.0.1:0").await.unwrap(),
        acceptor: TlsAcceptor::from(Arc::new(server)),
    };
    Stub::serve(listener, Reply::soap(fixture("resident-here.xml")), "https")
}

fn https_client(stub: &Stub, identity: &str, roots: &str) -> Sf1520Client {
    let mut config = config(stub.endpoint());
    config.identity = Some(ClientIdentity::from_pem(tls_fixture(identity)));
    config.trusted_roots = Some(tls_fixture(roots));
    Sf1520Client::new(config).unwrap()
}

fn kind(error: CprError) -> ErrorKind {
    match error {
        CprError::Service { provider: Provider::Sf1520, error } => error.kind(),
        other => panic!("expected a service failure, got {other:?}"),
    }
}

#[tokio::test]
async fn looks_up_over_mutual_tls_with_the_organisation_certificate() {
    let stub = mtls_stub().await;
    assert!(stub.endpoint().starts_with("https://127.0.0.1:"));
    let client = https_client(&stub, "client-identity.pem", "ca-cert.pem");
    let answer = client.lookup(&cpr("1505851234")).await.unwrap();
    assert_eq!(answer.record.name.first_names, "Anne");
    assert_eq!(stub.hits(), 1);
}

#[tokio::test]
async fn identity_from_separate_pem_files() {
    let dir = format!("{}/tests/fixtures/cpr/tls", env!("CARGO_MANIFEST_DIR"));
    let identity = format!("{dir}/client-identity.pem");
    let identity = ClientIdentity::from_pem_files(identity.as_ref(), identity.as_ref()).unwrap();
    assert_eq!(format!("{identity:?}"), "ClientIdentity(<redacted>)");
    let stub = mtls_stub().await;
    let mut config = config(stub.endpoint());
    config.identity = Some(identity);
    config.trusted_roots = Some(tls_fixture("ca-cert.pem"));
    let client = Sf1520Client::new(config).unwrap();
    assert!(client.lookup(&cpr("1505851234")).await.is_ok());
}

#[tokio::test]
async fn a_certificate_the_service_does_not_know_is_refused() {
    let stub = mtls_stub().await;
    let client = https_client(&stub, "stranger-identity.pem", "ca-cert.pem");
    let error = client.lookup(&cpr("1505851234")).await.unwrap_err();
    assert_eq!(kind(error), ErrorKind::Connect);
    assert_eq!(stub.hits(), 0, "no request got past the handshake");
}

#[tokio::test]
async fn a_server_we_do_not_trust_is_refused() {
    let stub = mtls_stub().await;
    // Trusting only the stranger's certificate: the stub's test CA is unknown.
    let client = https_client(&stub, "client-identity.pem", "stranger-identity.pem");
    let error = client.lookup(&cpr("1505851234")).await.unwrap_err();
    assert_eq!(kind(error), ErrorKind::Connect);
    assert_eq!(stub.hits(), 0);
}

#[tokio::test]
async fn https_needs_a_usable_client_certificate() {
    let mut without = config("https://127.0.0.1:1/service/CPR/PersonBaseDataExtended/5".into());
    assert_eq!(Sf1520Client::new(without.clone()).unwrap_err(), BuildError::MissingIdentity);
    without.identity = Some(ClientIdentity::from_pem(b"not a certificate".to_vec()));
    assert!(matches!(Sf1520Client::new(without.clone()), Err(BuildError::Identity(_))));
    without.identity = Some(ClientIdentity::from_pem(tls_fixture("client-identity.pem")));
    without.trusted_roots = Some(b"no roots here".to_vec());
    assert!(matches!(Sf1520Client::new(without), Err(BuildError::TrustedRoots(_))));
    let ftp = config("ftp://example.invalid/".into());
    assert!(matches!(Sf1520Client::new(ftp), Err(BuildError::Endpoint(_))));
}

#[test]
fn pkcs12_needs_the_right_password_and_a_key_with_its_certificate() {
    let p12 = fixture("p12/simulator-client.p12");
    let wrong = ClientIdentity::from_pkcs12(&p12, "forkert").unwrap_err();
    assert!(matches!(wrong, Pkcs12Error::Open(_)), "{wrong:?}");
    assert!(!wrong.to_string().contains("forkert"), "the password is never shown: {wrong}");
    let not_p12 = ClientIdentity::from_pkcs12(&tls_fixture("client-identity.pem"), "Valg-2026").unwrap_err();
    assert!(matches!(not_p12, Pkcs12Error::Open(_)), "{not_p12:?}");
    let missing = ClientIdentity::from_pkcs12_file("/nonexistent/identity.p12".as_ref(), "Valg-2026").unwrap_err();
    assert!(matches!(missing, Pkcs12Error::Read(_)), "{missing:?}");
    let identity = ClientIdentity::from_pkcs12(&p12, "Valg-2026").unwrap();
    assert_eq!(format!("{identity:?}"), "ClientIdentity(<redacted>)");
}
