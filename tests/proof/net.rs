//! Loopback ports and a minimal HTTP/1.1 client with timeouts.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Mutex;
use std::time::Duration;

/// Ports handed out by this process: two scenarios running in parallel never get the same one.
static GIVEN: Mutex<Option<HashSet<u16>>> = Mutex::new(None);

/// A loopback port that nothing listens on now (the kernel's choice, never handed out twice).
pub fn free_port() -> u16 {
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        if GIVEN
            .lock()
            .unwrap()
            .get_or_insert_with(HashSet::new)
            .insert(port)
        {
            return port;
        }
    }
}

/// A closed port: connecting to it is refused (`connect() failed (111: Connection refused)`).
pub fn refused() -> String {
    format!("127.0.0.1:{}", free_port())
}

/// An answer to a request.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub body: String,
}

/// `GET path` to the proxy on `port`, waiting at most 10s.
pub fn get(port: u16, path: &str) -> Response {
    try_get(port, path, Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("GET {path} on port {port}: {e}"))
}

/// `GET path` with `Connection: close`, reading the answer to its end; an error when no
/// complete status line came within `timeout`.
pub fn try_get(port: u16, path: &str, timeout: Duration) -> Result<Response, String> {
    try_request(port, "GET", path, "localhost", timeout)
}

/// `METHOD path` with this `Host`, waiting at most 10s (a POST has an empty body).
pub fn request(port: u16, method: &str, path: &str, host: &str) -> Response {
    try_request(port, method, path, host, Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("{method} {path} on port {port}: {e}"))
}

fn try_request(
    port: u16,
    method: &str,
    path: &str,
    host: &str,
    timeout: Duration,
) -> Result<Response, String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(timeout)).unwrap();
    s.set_write_timeout(Some(timeout)).unwrap();
    let body = if method == "POST" {
        "Content-Length: 0\r\n"
    } else {
        ""
    };
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\n{body}Connection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("no status line in {text:?}"))?;
    Ok(Response {
        status,
        body: body.to_string(),
    })
}

/// Connects to the proxy and sends a WebSocket handshake for `path`.
fn handshake(port: u16, path: &str) -> TcpStream {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    .unwrap();
    s
}

/// Sends a WebSocket handshake through the proxy; the status line of the answer.
pub fn websocket_status(port: u16, path: &str) -> String {
    let mut s = handshake(port, path);
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n") && s.read(&mut byte).unwrap_or(0) == 1 {
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).trim_end().to_string()
}

/// Opens a WebSocket through the proxy: sends the upgrade and reads the `101` head.
pub fn websocket(port: u16, path: &str) -> TcpStream {
    let mut s = handshake(port, path);
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(s.read(&mut byte).unwrap(), 1, "closed during the upgrade");
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    assert!(head.starts_with("HTTP/1.1 101"), "no upgrade: {head}");
    s
}

/// Waits up to `timeout` for the peer to close `s`; true if it did.
pub fn closed_within(s: &mut TcpStream, timeout: Duration) -> bool {
    s.set_read_timeout(Some(timeout)).unwrap();
    let mut byte = [0u8; 1];
    matches!(s.read(&mut byte), Ok(0))
}
