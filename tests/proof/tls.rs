//! One test certificate authority, made at run time, and rustls server configurations for
//! the TLS backends.

use std::sync::{Arc, OnceLock};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The names every backend certificate carries: those the rule pages' examples use.
pub const NAMES: &[&str] = &[
    "api.internal.example.com",
    "billing.internal.example.com",
    "api.partner.example",
    "status.partner.example",
];

struct Ca {
    pem: String,
    chain: Vec<CertificateDer<'static>>,
    key: Vec<u8>,
}

fn ca() -> &'static Ca {
    static CA: OnceLock<Ca> = OnceLock::new();
    CA.get_or_init(|| {
        let ca_key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "gwlint proof CA");
        let ca_cert = params.self_signed(&ca_key).unwrap();
        let issuer = rcgen::Issuer::new(params, ca_key);
        let key = KeyPair::generate().unwrap();
        let leaf = CertificateParams::new(NAMES.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .unwrap()
            .signed_by(&key, &issuer)
            .unwrap();
        Ca {
            pem: ca_cert.pem(),
            chain: vec![leaf.der().clone(), ca_cert.der().clone()],
            key: key.serialize_der(),
        }
    })
}

/// The CA certificate, for `*_ssl_trusted_certificate`.
pub fn ca_pem() -> &'static str {
    &ca().pem
}

/// A client configuration that trusts the test CA (for TLS passed through a proxy).
pub fn client() -> Arc<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca().chain[1].clone()).unwrap();
    Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

/// Which TLS versions a backend accepts.
#[derive(Clone, Copy)]
pub enum Versions {
    /// TLS 1.2 and 1.3, as current servers do.
    Modern,
    /// TLS 1.3 only.
    Tls13,
}

/// A server configuration presenting a certificate for [`NAMES`], signed by the test CA.
pub fn server(versions: Versions) -> Arc<ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let versions: &[&rustls::SupportedProtocolVersion] = match versions {
        Versions::Modern => &[&rustls::version::TLS13, &rustls::version::TLS12],
        Versions::Tls13 => &[&rustls::version::TLS13],
    };
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(ca().key.clone()));
    Arc::new(
        ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(versions)
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(ca().chain.clone(), key)
            .unwrap(),
    )
}

/// `GET path` over TLS through the proxy on `port` (TLS passthrough), to a backend of the
/// test CA named `api.internal.example.com`; the status of the answer.
pub fn tls_get(port: u16, path: &str) -> u16 {
    let name = rustls::pki_types::ServerName::try_from("api.internal.example.com").unwrap();
    let conn = rustls::ClientConnection::new(client(), name).unwrap();
    let tcp = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    tcp.set_write_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let mut s = rustls::StreamOwned::new(conn, tcp);
    std::io::Write::write_all(
        &mut s,
        format!(
            "GET {path} HTTP/1.1\r\nHost: api.internal.example.com\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    )
    .unwrap();
    // The backend closes without close_notify: what came before the end is the answer.
    let mut raw = Vec::new();
    let mut chunk = [0u8; 4096];
    while let Ok(n @ 1..) = std::io::Read::read(&mut s, &mut chunk) {
        raw.extend_from_slice(&chunk[..n]);
    }
    let text = String::from_utf8_lossy(&raw);
    text.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line over TLS: {text:?}"))
}

/// Does a TLS client get no handshake on `port`: the proxy closes the connection (a TLS
/// passthrough with no server to pass to)? False when it completes or hangs.
pub fn tls_closed(port: u16) -> bool {
    let name = rustls::pki_types::ServerName::try_from("api.internal.example.com").unwrap();
    let mut conn = rustls::ClientConnection::new(client(), name).unwrap();
    let mut tcp = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    match conn.complete_io(&mut tcp) {
        Ok(_) => conn.is_handshaking(),
        Err(e) => !matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
    }
}
