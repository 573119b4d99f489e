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
