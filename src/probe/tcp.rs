//! TCP connect: does anything accept at this address?

use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpStream;

/// What a connect attempt observed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Connect {
    Open,
    /// RST: nothing listens there.
    Refused,
    /// No route, host or network unreachable (the reason as the OS gave it).
    Unreachable(String),
    /// No answer to the SYN within the connect timeout.
    TimedOut,
    Failed(String),
}

impl Connect {
    pub(crate) fn is_open(&self) -> bool {
        *self == Connect::Open
    }
}

/// Connects and closes; a connection that opens is handed back for the TLS probe.
pub(crate) async fn connect(addr: SocketAddr, timeout: Duration) -> (Connect, Option<TcpStream>) {
    match tokio::time::timeout(timeout, TcpStream::connect(addr)).await {
        Err(_) => (Connect::TimedOut, None),
        Ok(Ok(s)) => (Connect::Open, Some(s)),
        Ok(Err(e)) => (classify(&e), None),
    }
}

pub(crate) fn classify(e: &std::io::Error) -> Connect {
    use std::io::ErrorKind::*;
    match e.kind() {
        ConnectionRefused => Connect::Refused,
        TimedOut => Connect::TimedOut,
        HostUnreachable | NetworkUnreachable | AddrNotAvailable => {
            Connect::Unreachable(e.to_string())
        }
        _ => Connect::Failed(e.to_string()),
    }
}
