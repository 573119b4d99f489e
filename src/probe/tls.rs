//! TLS sniffing: send a ClientHello (with the SNI the proxy would send, or none) and read the
//! first bytes of the answer. Nothing past the first record is read; no request is sent.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How the target answered a ClientHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Hello {
    /// A TLS handshake record: the target speaks TLS.
    Handshake,
    /// A TLS alert (its description code: 112 unrecognized_name, 40 handshake_failure, …).
    Alert(u8),
    /// Bytes that are not TLS, such as `HTTP/1.1 400 Bad Request` (the first line).
    Plain(String),
    /// The target closed or reset the connection without a word.
    Closed,
    /// Nothing came back within the timeout.
    Silent,
}

impl Hello {
    pub(crate) fn speaks_tls(&self) -> bool {
        matches!(self, Hello::Handshake | Hello::Alert(_))
    }
}

/// Sends a ClientHello on an open connection and classifies the first bytes of the answer.
pub(crate) async fn sniff(mut stream: TcpStream, sni: Option<&str>, timeout: Duration) -> Hello {
    let hello = client_hello(sni);
    let exchange = async {
        if stream.write_all(&hello).await.is_err() {
            return Hello::Closed;
        }
        let mut buf = [0u8; 128];
        let mut got = 0;
        // Read until there is enough to classify: a record header and, for an alert, its body.
        loop {
            match stream.read(&mut buf[got..]).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got += n,
            }
            if got >= 7 || (got >= 5 && buf[0] != 0x15) {
                break;
            }
        }
        classify(&buf[..got])
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .unwrap_or(Hello::Silent)
}

/// What the first bytes of an answer to a ClientHello say.
pub(crate) fn classify(bytes: &[u8]) -> Hello {
    match bytes {
        [] => Hello::Closed,
        [0x16, 0x03, ..] => Hello::Handshake,
        [0x15, 0x03, _, _, _, _, desc, ..] => Hello::Alert(*desc),
        [0x15, 0x03, ..] => Hello::Alert(0),
        _ => {
            let text = String::from_utf8_lossy(bytes);
            let line = text.lines().next().unwrap_or("").trim();
            let printable: String = line.chars().filter(|c| !c.is_control()).take(60).collect();
            Hello::Plain(printable)
        }
    }
}

/// Name of a TLS alert description (RFC 8446 section 6).
pub(crate) fn alert_name(code: u8) -> &'static str {
    match code {
        10 => "unexpected_message",
        40 => "handshake_failure",
        42 => "bad_certificate",
        45 => "certificate_expired",
        47 => "illegal_parameter",
        48 => "unknown_ca",
        49 => "access_denied",
        50 => "decode_error",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        109 => "missing_extension",
        112 => "unrecognized_name",
        116 => "certificate_required",
        120 => "no_application_protocol",
        _ => "",
    }
}

/// A ClientHello that TLS 1.2 and 1.3 servers (OpenSSL, rustls, Go) answer: common cipher
/// suites, x25519/P-256 key exchange, a random key share. The handshake is never finished.
pub(crate) fn client_hello(sni: Option<&str>) -> Vec<u8> {
    let random = random_bytes::<32>();
    let session = random_bytes::<32>();
    let key_share = random_bytes::<32>();

    let mut ext = Vec::new();
    if let Some(name) = sni.filter(|n| !n.is_empty() && n.len() < 256) {
        let name = name.as_bytes();
        let mut list = vec![0u8];
        put_u16(&mut list, name.len());
        list.extend_from_slice(name);
        let mut body = Vec::new();
        put_u16(&mut body, list.len());
        body.extend(list);
        extension(&mut ext, 0x0000, &body);
    }
    // supported_groups: x25519, secp256r1, secp384r1
    extension(
        &mut ext,
        0x000a,
        &[0, 6, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18],
    );
    // ec_point_formats: uncompressed
    extension(&mut ext, 0x000b, &[1, 0]);
    // signature_algorithms
    let sigs: &[u16] = &[
        0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601, 0x0807, 0x0201,
    ];
    let mut body = Vec::new();
    put_u16(&mut body, sigs.len() * 2);
    for s in sigs {
        put_u16(&mut body, *s as usize);
    }
    extension(&mut ext, 0x000d, &body);
    // supported_versions: TLS 1.3, 1.2
    extension(&mut ext, 0x002b, &[4, 0x03, 0x04, 0x03, 0x03]);
    // psk_key_exchange_modes: psk_dhe_ke
    extension(&mut ext, 0x002d, &[1, 1]);
    // key_share: one x25519 share
    let mut body = Vec::new();
    put_u16(&mut body, 36);
    body.extend_from_slice(&[0x00, 0x1d, 0x00, 0x20]);
    body.extend_from_slice(&key_share);
    extension(&mut ext, 0x0033, &body);

    let suites: &[u16] = &[
        0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014,
        0x009c, 0x009d, 0x002f, 0x0035,
    ];
    let mut hello = vec![0x03, 0x03];
    hello.extend_from_slice(&random);
    hello.push(32);
    hello.extend_from_slice(&session);
    put_u16(&mut hello, suites.len() * 2);
    for s in suites {
        put_u16(&mut hello, *s as usize);
    }
    hello.extend_from_slice(&[1, 0]);
    put_u16(&mut hello, ext.len());
    hello.extend(ext);

    let mut handshake = vec![0x01];
    handshake.extend_from_slice(&(hello.len() as u32).to_be_bytes()[1..]);
    handshake.extend(hello);
    let mut record = vec![0x16, 0x03, 0x01];
    put_u16(&mut record, handshake.len());
    record.extend(handshake);
    record
}

fn put_u16(out: &mut Vec<u8>, v: usize) {
    out.extend_from_slice(&(v as u16).to_be_bytes());
}

fn extension(out: &mut Vec<u8>, kind: u16, body: &[u8]) {
    put_u16(out, kind as usize);
    put_u16(out, body.len());
    out.extend_from_slice(body);
}

/// Bytes that differ per hello; they need not be secret (no handshake is ever finished).
fn random_bytes<const N: usize>() -> [u8; N] {
    use std::hash::{BuildHasher, Hasher};
    let mut out = [0u8; N];
    for (i, chunk) in out.chunks_mut(8).enumerate() {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_usize(i);
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default(),
        );
        let v = h.finish().to_be_bytes();
        chunk.copy_from_slice(&v[..chunk.len()]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hello_is_well_formed() {
        let h = client_hello(Some("api.example.com"));
        assert_eq!(&h[..3], &[0x16, 0x03, 0x01]);
        let len = u16::from_be_bytes([h[3], h[4]]) as usize;
        assert_eq!(h.len(), 5 + len);
        assert!(h.windows(15).any(|w| w == b"api.example.com"));
        let without = client_hello(None);
        assert!(!without.windows(3).any(|w| w == b"api"));
    }

    #[test]
    fn answers() {
        assert_eq!(classify(&[0x16, 0x03, 0x03, 0, 10]), Hello::Handshake);
        assert_eq!(
            classify(&[0x15, 0x03, 0x03, 0, 2, 2, 112]),
            Hello::Alert(112)
        );
        assert_eq!(
            classify(b"HTTP/1.1 400 Bad Request\r\nServer: x\r\n"),
            Hello::Plain("HTTP/1.1 400 Bad Request".into())
        );
        assert_eq!(classify(&[]), Hello::Closed);
    }
}
