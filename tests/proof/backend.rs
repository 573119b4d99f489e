//! Backends on loopback ports, each with one behaviour, stopped when dropped.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rustls::ServerConfig;
use rustls::server::Acceptor;

use crate::tls::{self, Versions};

/// How a backend answers each request.
#[derive(Clone, Copy, Debug)]
pub enum Behaviour {
    /// 200 with a short body; keeps the connection open when the request allows it.
    Ok,
    /// Reads the request and closes the connection before sending anything.
    CloseBeforeHeaders,
    /// 200 whose header block is larger than this many bytes.
    BigHeaders(usize),
    /// 200 after this delay.
    Slow(Duration),
    /// This status (an error) to every request, health endpoints included: a server that
    /// accepts connections but is not ready.
    Status(u16),
    /// Reads the request and never answers (until the test ends).
    Silent,
    /// Accepts a WebSocket upgrade (101) and then never sends a frame.
    QuietWebSocket,
    /// Speaks FastCGI like php-fpm: answers 200 to a FastCGI request, resets the connection
    /// on anything else (an HTTP request line is not a FastCGI record).
    FastCgi,
    /// FastCGI that answers after this delay (a slow script).
    SlowFastCgi(Duration),
    /// Speaks uwsgi like uWSGI: answers 200 to each uwsgi request, and would take another
    /// on the same connection (nginx never sends one).
    Uwsgi,
    /// 200 with keep-alive, and an idle timeout of this long whose close always crosses the
    /// proxy's next request: the race of a backend closing an idle connection just as the
    /// proxy reuses it, made deterministic. The backend sends no FIN when the time runs out
    /// (the proxy would see it and drop the connection); it drops the first request that
    /// arrives later, unanswered, as if its FIN had been on the wire when the request left.
    IdleClose(Duration),
}

/// What a TLS backend accepts.
#[derive(Clone)]
struct Tls {
    config: Arc<ServerConfig>,
    /// Refuse a ClientHello whose SNI is missing or not one of these names, with the fatal
    /// `unrecognized_name` alert CDNs and `ssl_reject_handshake on` send.
    sni: Option<&'static [&'static str]>,
}

/// A listening backend.
pub struct Backend {
    port: u16,
    stop: Arc<AtomicBool>,
    connections: Arc<AtomicUsize>,
    /// Connections the proxy closed (end of stream while waiting for a request).
    closed: Arc<AtomicUsize>,
    thread: Option<JoinHandle<()>>,
}

/// What one connection's handler shares with the backend.
#[derive(Clone)]
struct Shared {
    stop: Arc<AtomicBool>,
    closed: Arc<AtomicUsize>,
}

/// The fatal `unrecognized_name` (112) alert, as a TLS 1.2 record.
const UNRECOGNIZED_NAME: [u8; 7] = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x70];

impl Backend {
    /// A plain-HTTP backend.
    pub fn http(behaviour: Behaviour) -> Backend {
        Backend::start(behaviour, None, 0)
    }

    /// A plain-HTTP backend on a given port (a server coming back where it was).
    pub fn http_on(port: u16, behaviour: Behaviour) -> Backend {
        Backend::start(behaviour, None, port)
    }

    /// A TLS backend that answers as `behaviour` once the handshake is done.
    pub fn tls(behaviour: Behaviour, versions: Versions) -> Backend {
        let config = tls::server(versions);
        Backend::start(behaviour, Some(Tls { config, sni: None }), 0)
    }

    /// A TLS backend that refuses handshakes without SNI or with a name it does not serve.
    pub fn tls_requiring_sni(names: &'static [&'static str]) -> Backend {
        let config = tls::server(Versions::Modern);
        Backend::start(
            Behaviour::Ok,
            Some(Tls {
                config,
                sni: Some(names),
            }),
            0,
        )
    }

    fn start(behaviour: Behaviour, tls: Option<Tls>, port: u16) -> Backend {
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Shared {
            stop: Arc::new(AtomicBool::new(false)),
            closed: Arc::new(AtomicUsize::new(0)),
        };
        let connections = Arc::new(AtomicUsize::new(0));
        let (sh, c) = (shared.clone(), connections.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if sh.stop.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(conn) = conn else { continue };
                c.fetch_add(1, Ordering::SeqCst);
                let (sh, tls) = (sh.clone(), tls.clone());
                std::thread::spawn(move || handle(conn, behaviour, tls, &sh));
            }
        });
        Backend {
            port,
            stop: shared.stop,
            connections,
            closed: shared.closed,
            thread: Some(thread),
        }
    }

    /// `127.0.0.1:PORT`, to put in the configuration.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// How many TCP connections it has accepted.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// How many of its connections the proxy has closed while they were idle.
    pub fn closed_by_proxy(&self) -> usize {
        self.closed.load(Ordering::SeqCst)
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn handle(conn: TcpStream, behaviour: Behaviour, tls: Option<Tls>, shared: &Shared) {
    // Bounds the thread's life when the proxy keeps a connection idle.
    conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    match behaviour {
        Behaviour::FastCgi => return fastcgi(conn, Duration::ZERO, &shared.stop),
        Behaviour::SlowFastCgi(delay) => return fastcgi(conn, delay, &shared.stop),
        Behaviour::Uwsgi => return uwsgi(conn),
        _ => {}
    }
    conn.set_write_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let Some(tls) = tls else {
        let mut conn = conn;
        return serve(&mut conn, behaviour, shared);
    };
    let mut conn = conn;
    // Plain text on a TLS port: close without a word, as OpenSSL-based servers do (an alert
    // would be read by nginx as an HTTP/0.9 answer).
    let mut first = [0u8; 1];
    if !matches!(conn.peek(&mut first), Ok(1) if first[0] == 0x16) {
        return;
    }
    // A ClientHello whose highest version is below TLS 1.2 gets the `protocol_version` alert
    // RFC 5246 (E.1) asks for and OpenSSL sends; rustls answers `handshake_failure` instead.
    if let Some(version) = client_version(&conn)
        && version < 0x0303
    {
        let [major, minor] = version.to_be_bytes();
        let _ = conn.write_all(&[0x15, major, minor, 0x00, 0x02, 0x02, 0x46]);
        return;
    }
    let mut acceptor = Acceptor::default();
    let accepted = loop {
        match acceptor.read_tls(&mut conn) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        match acceptor.accept() {
            Ok(Some(a)) => break a,
            Ok(None) => continue,
            Err((_, mut alert)) => {
                let _ = alert.write_all(&mut conn);
                return;
            }
        }
    };
    if let Some(names) = tls.sni {
        let known = accepted
            .client_hello()
            .server_name()
            .is_some_and(|n| names.contains(&n));
        if !known {
            let _ = conn.write_all(&UNRECOGNIZED_NAME);
            return;
        }
    }
    let session = match accepted.into_connection(tls.config) {
        Ok(s) => s,
        Err((_, mut alert)) => {
            let _ = alert.write_all(&mut conn);
            return;
        }
    };
    let mut stream = rustls::StreamOwned::new(session, conn);
    serve(&mut stream, behaviour, shared);
}

/// FastCGI requests: records up to the empty FCGI_STDIN, then a 200 on FCGI_STDOUT and
/// FCGI_END_REQUEST; the connection stays open only if FCGI_BEGIN_REQUEST asked for it
/// (FCGI_KEEP_CONN, nginx's `fastcgi_keep_conn on`). Anything that is not a version-1 record
/// is dropped unread, which makes the kernel reset the connection, as php-fpm's does.
/// The answer comes after `delay` (or when the test ends).
fn fastcgi(mut conn: TcpStream, delay: Duration, stop: &AtomicBool) {
    let mut header = [0u8; 8];
    loop {
        let mut keep = false;
        loop {
            if conn.read_exact(&mut header).is_err() || header[0] != 1 {
                return;
            }
            let len = u16::from_be_bytes([header[4], header[5]]) as usize + header[6] as usize;
            let mut body = vec![0u8; len];
            if conn.read_exact(&mut body).is_err() {
                return;
            }
            match header[1] {
                // FCGI_BEGIN_REQUEST: role (2 bytes), flags.
                1 => keep = body.get(2).is_some_and(|f| f & 1 == 1),
                // FCGI_STDIN with no content ends the request.
                5 if header[4] == 0 && header[5] == 0 => break,
                _ => {}
            }
        }
        pause(delay, stop);
        let id = [header[2], header[3]];
        let out = b"Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nok\n";
        let mut answer = vec![1, 6, id[0], id[1], 0, out.len() as u8, 0, 0];
        answer.extend_from_slice(out);
        answer.extend_from_slice(&[1, 6, id[0], id[1], 0, 0, 0, 0]);
        answer.extend_from_slice(&[1, 3, id[0], id[1], 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        if conn.write_all(&answer).is_err() || !keep {
            return;
        }
    }
}

/// uwsgi packets: a 4-byte header (modifier1 0, the size of the variables in little-endian,
/// modifier2), the variables; a GET has no body. The answer is the application's HTTP
/// response, as uWSGI writes it.
fn uwsgi(mut conn: TcpStream) {
    let mut header = [0u8; 4];
    while conn.read_exact(&mut header).is_ok() && header[0] == 0 {
        let mut vars = vec![0u8; u16::from_le_bytes([header[1], header[2]]) as usize];
        if conn.read_exact(&mut vars).is_err() {
            return;
        }
        let out = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n";
        if conn.write_all(out).is_err() {
            return;
        }
    }
}

/// The `client_version` of the ClientHello waiting on the connection (record header: 5 bytes,
/// handshake header: 4, then the version), without consuming it.
fn client_version(conn: &TcpStream) -> Option<u16> {
    let mut head = [0u8; 11];
    let deadline = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline {
        match conn.peek(&mut head) {
            Ok(11) if head[5] == 0x01 => return Some(u16::from_be_bytes([head[9], head[10]])),
            Ok(11) | Ok(0) | Err(_) => return None,
            Ok(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
    None
}

/// Waits `d`, or less if the test ends first.
fn pause(d: Duration, stop: &AtomicBool) {
    let deadline = Instant::now() + d;
    while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
        std::thread::sleep(
            Duration::from_millis(10).min(deadline.saturating_duration_since(Instant::now())),
        );
    }
}

/// Answers requests on one connection until it closes (or should close).
fn serve<S: Read + Write>(s: &mut S, behaviour: Behaviour, shared: &Shared) {
    let stop = &*shared.stop;
    let mut buf = Vec::new();
    let mut answered: Option<Instant> = None;
    loop {
        let mut eof = false;
        let Some(head) = read_head(s, &mut buf, &mut eof) else {
            if eof && buf.is_empty() && answered.is_some() {
                shared.closed.fetch_add(1, Ordering::SeqCst);
            }
            return;
        };
        if let (Behaviour::IdleClose(idle), Some(at)) = (behaviour, answered)
            && at.elapsed() >= idle
        {
            // Closed while idle: the request met the FIN (here: a close without an answer).
            return;
        }
        if !head.first().is_some_and(u8::is_ascii_uppercase) {
            // Not HTTP (a TLS ClientHello on a plain port): what web servers answer.
            let _ = s.write_all(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
            return;
        }
        let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
        let first = head.lines().next().unwrap_or("");
        // A request target that is not a path, a URL or `*` (RFC 9112, 3.2), such as the
        // `GET` of `OPTIONS GET HTTP/1.0`: what web servers answer.
        let target = first.split(' ').nth(1).unwrap_or("");
        if !(target.starts_with('/') || target.contains("://") || target == "*") {
            let _ = s.write_all(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
            return;
        }
        let keep = if first.ends_with("http/1.1") {
            !head.contains("\r\nconnection: close")
        } else {
            head.contains("\r\nconnection: keep-alive")
        };
        let mut extra = String::new();
        match behaviour {
            Behaviour::CloseBeforeHeaders => return,
            Behaviour::Silent => {
                let deadline = Instant::now() + Duration::from_secs(30);
                while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(20));
                }
                return;
            }
            // An HTTP/1.0 request's Upgrade is ignored (RFC 9110, 7.8): a plain answer.
            Behaviour::QuietWebSocket if !first.ends_with("http/1.1") => {}
            // A handshake that asks for another protocol, as `ws` answers it.
            Behaviour::QuietWebSocket if !head.contains("\r\nupgrade: websocket") => {
                let _ = s.write_all(
                    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 34\r\nConnection: close\r\n\r\nCan \"Upgrade\" only to \"WebSocket\".",
                );
                return;
            }
            Behaviour::QuietWebSocket => {
                // The accept value of the one key `net::websocket` sends (RFC 6455's example).
                let _ = s.write_all(
                    b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
                );
                let _ = s.flush();
                // Silent until the proxy closes the tunnel (or the test ends).
                let deadline = Instant::now() + Duration::from_secs(120);
                let mut byte = [0u8; 1];
                while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
                    match s.read(&mut byte) {
                        Ok(0) => return,
                        Ok(_) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                        Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                        Err(_) => return,
                    }
                }
                return;
            }
            Behaviour::FastCgi | Behaviour::SlowFastCgi(_) | Behaviour::Uwsgi => {
                unreachable!("handled before HTTP")
            }
            Behaviour::Slow(d) => pause(d, stop),
            Behaviour::BigHeaders(n) => {
                extra = format!("X-Filler: {}\r\n", "a".repeat(n));
            }
            Behaviour::Ok | Behaviour::IdleClose(_) | Behaviour::Status(_) => {}
        }
        let connection = if keep { "keep-alive" } else { "close" };
        let answer = match behaviour {
            Behaviour::Status(code) => format!(
                "HTTP/1.1 {code} Not Ready\r\nContent-Type: text/plain\r\nContent-Length: 10\r\nConnection: {connection}\r\n\r\nnot ready\n"
            ),
            _ => format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n{extra}Connection: {connection}\r\n\r\nok\n"
            ),
        };
        if s.write_all(answer.as_bytes())
            .and_then(|_| s.flush())
            .is_err()
            || !keep
        {
            return;
        }
        answered = Some(Instant::now());
    }
}

/// Reads one request head (through the blank line) from `s`, keeping what follows in `buf`.
/// Returns early with what came if it does not start like HTTP; None at the end of the stream
/// (`eof` set when the peer closed it) or after the read timeout.
fn read_head<S: Read>(s: &mut S, buf: &mut Vec<u8>, eof: &mut bool) -> Option<Vec<u8>> {
    let mut chunk = [0u8; 4096];
    loop {
        if buf.first().is_some_and(|b| !b.is_ascii_uppercase()) {
            return Some(std::mem::take(buf));
        }
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf.split_off(end + 4);
            return Some(std::mem::replace(buf, rest));
        }
        match s.read(&mut chunk) {
            Ok(0) => {
                *eof = true;
                return None;
            }
            Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}
