//! A DNS server on a loopback UDP port that answers every A query with 127.0.0.1 (and every
//! other query with no record): the `resolver` a good example names, without a real DNS.

use std::net::UdpSocket;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

pub struct Dns {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Dns {
    pub fn start() -> Dns {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let port = socket.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut buf = [0u8; 512];
            while !s.load(Ordering::SeqCst) {
                let Ok((n, peer)) = socket.recv_from(&mut buf) else {
                    continue;
                };
                if let Some(answer) = answer(&buf[..n]) {
                    let _ = socket.send_to(&answer, peer);
                }
            }
        });
        Dns {
            port,
            stop,
            thread: Some(thread),
        }
    }

    /// `127.0.0.1:PORT`, for `resolver`.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for Dns {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The response to one query: the question echoed, and for type A one record 127.0.0.1.
fn answer(query: &[u8]) -> Option<Vec<u8>> {
    // Header (12 bytes), then the name as labels ending in a zero byte, type and class.
    let mut end = 12;
    while *query.get(end)? != 0 {
        end += 1 + *query.get(end)? as usize;
    }
    let question = query.get(12..end + 5)?;
    let qtype = u16::from_be_bytes([question[question.len() - 4], question[question.len() - 3]]);
    let a = qtype == 1;
    let mut out = vec![query[0], query[1], 0x81, 0x80, 0, 1, 0, a as u8, 0, 0, 0, 0];
    out.extend_from_slice(question);
    if a {
        // The name by pointer to the question, A, IN, TTL 30s, 4 bytes of address.
        out.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 127, 0, 0, 1]);
    }
    Some(out)
}
