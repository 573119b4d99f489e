//! A small loopback world for `--online` tests: a UDP DNS responder with chosen answers,
//! TCP listeners that speak plain HTTP or TLS (one that requires SNI), closed ports, unix
//! sockets and certificate files. Every server counts what reaches it and stops when dropped.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// What the DNS responder answers for a name.
#[derive(Clone, Debug)]
pub enum Answer {
    Addrs(Vec<Ipv4Addr>, Vec<Ipv6Addr>),
    ServFail,
    /// Never answers: the client times out.
    Silent,
}

/// A background thread with a stop flag, joined on drop.
struct Worker {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// A UDP DNS responder: names in the zone get their answer, any other name NXDOMAIN.
pub struct Dns {
    pub addr: SocketAddr,
    pub queries: Arc<AtomicUsize>,
    _worker: Worker,
}

impl Dns {
    pub fn start(bind: &str, zone: &[(&str, Answer)]) -> Dns {
        let socket = UdpSocket::bind(bind).expect("bind the DNS responder");
        socket
            .set_read_timeout(Some(Duration::from_millis(20)))
            .unwrap();
        let addr = socket.local_addr().unwrap();
        let zone: HashMap<String, Answer> = zone
            .iter()
            .map(|(n, a)| (n.trim_end_matches('.').to_ascii_lowercase(), a.clone()))
            .collect();
        let queries = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (q, s) = (queries.clone(), stop.clone());
        let handle = std::thread::spawn(move || {
            let mut buf = [0u8; 1500];
            while !s.load(Ordering::SeqCst) {
                let Ok((n, from)) = socket.recv_from(&mut buf) else {
                    continue;
                };
                q.fetch_add(1, Ordering::SeqCst);
                if let Some(reply) = answer(&buf[..n], &zone) {
                    let _ = socket.send_to(&reply, from);
                }
            }
        });
        Dns {
            addr,
            queries,
            _worker: Worker {
                stop,
                handle: Some(handle),
            },
        }
    }
    pub fn queries(&self) -> usize {
        self.queries.load(Ordering::SeqCst)
    }
}

/// The reply to one query (None: stay silent).
fn answer(query: &[u8], zone: &HashMap<String, Answer>) -> Option<Vec<u8>> {
    if query.len() < 12 {
        return None;
    }
    // The question: labels, then type and class.
    let mut i = 12;
    let mut labels = Vec::new();
    while i < query.len() && query[i] != 0 {
        let len = query[i] as usize;
        labels.push(String::from_utf8_lossy(query.get(i + 1..i + 1 + len)?).to_ascii_lowercase());
        i += 1 + len;
    }
    let qend = i + 5;
    let qtype = u16::from_be_bytes([*query.get(i + 1)?, *query.get(i + 2)?]);
    let name = labels.join(".");
    let (rcode, records): (u8, Vec<Vec<u8>>) = match zone.get(&name) {
        None => (3, Vec::new()),
        Some(Answer::Silent) => return None,
        Some(Answer::ServFail) => (2, Vec::new()),
        Some(Answer::Addrs(v4, v6)) => match qtype {
            1 => (0, v4.iter().map(|a| a.octets().to_vec()).collect()),
            28 => (0, v6.iter().map(|a| a.octets().to_vec()).collect()),
            _ => (0, Vec::new()),
        },
    };
    let mut out = Vec::new();
    out.extend_from_slice(&query[..2]);
    // QR, opcode 0, AA, RD copied; RA; the rcode.
    out.push(0x84 | (query[2] & 0x01));
    out.push(0x80 | rcode);
    out.extend_from_slice(&[0, 1]);
    out.extend_from_slice(&(records.len() as u16).to_be_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(query.get(12..qend)?);
    for r in records {
        out.extend_from_slice(&[0xc0, 0x0c]);
        out.extend_from_slice(&qtype.to_be_bytes());
        out.extend_from_slice(&[0, 1, 0, 0, 0, 60]);
        out.extend_from_slice(&(r.len() as u16).to_be_bytes());
        out.extend_from_slice(&r);
    }
    Some(out)
}

/// What a TCP listener speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Speaks {
    /// Answers anything with `HTTP/1.1 400 Bad Request`, as an HTTP server does to a ClientHello.
    Http,
    Tls,
    /// TLS that aborts the handshake when the ClientHello carries no SNI.
    TlsSniRequired,
}

pub struct Listener {
    pub addr: SocketAddr,
    pub accepted: Arc<AtomicUsize>,
    _worker: Worker,
}

impl Listener {
    pub fn start(bind: &str, speaks: Speaks, tls: &TestCert) -> Listener {
        let listener = TcpListener::bind(bind).expect("bind a test listener");
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let config = match speaks {
            Speaks::Http => None,
            Speaks::Tls => Some(tls.server_config(false)),
            Speaks::TlsSniRequired => Some(tls.server_config(true)),
        };
        let (a, s) = (accepted.clone(), stop.clone());
        let handle = std::thread::spawn(move || {
            let mut conns = Vec::new();
            while !s.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        a.fetch_add(1, Ordering::SeqCst);
                        let config = config.clone();
                        conns.push(std::thread::spawn(move || serve(stream, config)));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
            for c in conns {
                let _ = c.join();
            }
        });
        Listener {
            addr,
            accepted,
            _worker: Worker {
                stop,
                handle: Some(handle),
            },
        }
    }
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

fn serve(mut stream: std::net::TcpStream, config: Option<Arc<rustls::ServerConfig>>) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
    match config {
        None => {
            let mut buf = [0u8; 1024];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
        }
        Some(config) => {
            let Ok(mut conn) = rustls::ServerConnection::new(config) else {
                return;
            };
            while conn.is_handshaking() {
                if conn.complete_io(&mut stream).is_err() {
                    // Send the alert that explains the failure, as a TLS server does.
                    let _ = conn.write_tls(&mut stream);
                    break;
                }
            }
        }
    }
}

/// A port on which nothing listens: connections are refused.
pub fn closed_port() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

/// A self-signed certificate for `localhost` and `api.example.test`, its key, and PEM files.
pub struct TestCert {
    pub cert_pem: String,
    pub key_pem: String,
    der: rustls::pki_types::CertificateDer<'static>,
    key_der: Vec<u8>,
}

impl TestCert {
    pub fn new() -> TestCert {
        let c = rcgen::generate_simple_self_signed(vec![
            "localhost".to_string(),
            "api.example.test".to_string(),
        ])
        .unwrap();
        TestCert {
            cert_pem: c.cert.pem(),
            key_pem: c.signing_key.serialize_pem(),
            der: c.cert.der().clone(),
            key_der: c.signing_key.serialize_der(),
        }
    }

    fn server_config(&self, sni_required: bool) -> Arc<rustls::ServerConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(self.key_der.clone().into());
        let signing = provider.key_provider.load_private_key(key).unwrap();
        let certified = Arc::new(rustls::sign::CertifiedKey::new(
            vec![self.der.clone()],
            signing,
        ));
        let builder = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth();
        let config = builder.with_cert_resolver(Arc::new(Resolver {
            key: certified,
            sni_required,
        }));
        Arc::new(config)
    }
}

#[derive(Debug)]
struct Resolver {
    key: Arc<rustls::sign::CertifiedKey>,
    sni_required: bool,
}

impl rustls::server::ResolvesServerCert for Resolver {
    fn resolve(
        &self,
        hello: rustls::server::ClientHello<'_>,
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        if self.sni_required && hello.server_name().is_none() {
            return None;
        }
        Some(self.key.clone())
    }
}

/// A certificate valid between two dates, as PEM.
pub fn cert_valid(from: (i32, u8, u8), until: (i32, u8, u8)) -> String {
    let mut params =
        rcgen::CertificateParams::new(vec!["client.example.test".to_string()]).unwrap();
    params.not_before = rcgen::date_time_ymd(from.0, from.1, from.2);
    params.not_after = rcgen::date_time_ymd(until.0, until.1, until.2);
    let key = rcgen::KeyPair::generate().unwrap();
    params.self_signed(&key).unwrap().pem()
}

/// The date `days` from now as (year, month, day).
pub fn days_from_now(days: i64) -> (i32, u8, u8) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let d = gwlint::rules::support_online::date(now + days * 86_400);
    let mut parts = d.split('-').map(|p| p.parse::<i32>().unwrap());
    let (y, m, dd) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    (y, m as u8, dd as u8)
}

/// Findings as (line, code) pairs, and the concise text for messages. GW114 is left out: the
/// tests' sockets are in a temporary directory because that is where tests may make them.
pub fn lint(
    conf: &std::path::Path,
    online: Option<gwlint::probe::OnlineOptions>,
) -> (Vec<(usize, String)>, String) {
    let mut selection = gwlint::config::Selection::default();
    selection.ignore.push("GW114".into());
    let opts = gwlint::Options {
        online,
        selection,
        ..Default::default()
    };
    let outcome = gwlint::lint(&[conf.to_path_buf()], &opts);
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    let text = gwlint::report::concise::render(&outcome.findings, &outcome.loader.sources);
    let found = text
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix(&format!("{}:", conf.display()))?;
            let line = rest.split(':').next()?.parse().ok()?;
            let code = l.split('[').nth(1)?.split(']').next()?.to_string();
            Some((line, code))
        })
        .collect();
    (found, text)
}

/// Online options for tests: this resolver, short timeouts.
pub fn online(resolver: SocketAddr) -> gwlint::probe::OnlineOptions {
    gwlint::probe::OnlineOptions {
        resolvers: vec![resolver],
        dns_timeout: Some(Duration::from_millis(800)),
        connect_timeout: Some(Duration::from_millis(800)),
        ..Default::default()
    }
}
