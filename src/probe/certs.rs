//! Files the TLS settings name: they exist, parse as PEM, hold what the directive needs, and a
//! client certificate is not expired.

use std::path::Path;

/// What the directive expects in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// CA certificates to verify the backend with.
    TrustedCa,
    /// The client certificate the proxy presents (HAProxy `crt` also holds the key).
    ClientCert,
    ClientKey,
}

/// What was found in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CertFile {
    Missing,
    Unreadable(String),
    /// No PEM block of the kind the directive needs (what was found instead).
    NotPem(String),
    Pem {
        /// The first certificate's subject and expiry (seconds since the epoch).
        leaf: Option<(String, i64)>,
        certificates: usize,
        keys: usize,
    },
}

/// Larger than any CA bundle.
const MAX_BYTES: u64 = 16 << 20;

pub(crate) fn check(path: &Path, role: Role) -> CertFile {
    // Only regular files of a sane size: a device or a FIFO named by mistake must not hang.
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return CertFile::Missing,
        Err(e) => return CertFile::Unreadable(e.to_string()),
        Ok(m) if !m.is_file() => return CertFile::Unreadable("not a regular file".into()),
        Ok(m) if m.len() > MAX_BYTES => {
            return CertFile::NotPem(format!("{} bytes, too large for a PEM file", m.len()));
        }
        Ok(_) => {}
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return CertFile::Unreadable(e.to_string()),
    };
    let mut certificates = 0;
    let mut keys = 0;
    let mut leaf = None;
    let mut bad = None;
    for pem in x509_parser::pem::Pem::iter_from_buffer(&bytes) {
        let pem = match pem {
            Ok(p) => p,
            Err(e) => {
                bad = Some(format!("a broken PEM block ({e})"));
                break;
            }
        };
        if pem.label == "CERTIFICATE" || pem.label == "TRUSTED CERTIFICATE" {
            certificates += 1;
            match pem.parse_x509() {
                Ok(cert) if leaf.is_none() => {
                    leaf = Some((
                        cert.subject().to_string(),
                        cert.validity().not_after.timestamp(),
                    ))
                }
                Ok(_) => {}
                Err(e) => bad = Some(format!("a certificate that does not parse ({e})")),
            }
        } else if pem.label.ends_with("PRIVATE KEY") {
            keys += 1;
        }
    }
    if let Some(b) = bad {
        return CertFile::NotPem(b);
    }
    let lacking = match role {
        Role::TrustedCa | Role::ClientCert => certificates == 0,
        Role::ClientKey => keys == 0,
    };
    if lacking {
        let found = match (certificates, keys) {
            (0, 0) if bytes.is_empty() => "an empty file".to_string(),
            (0, 0) => "no PEM block".to_string(),
            (c, 0) => format!("{c} certificate(s) and no private key"),
            (0, k) => format!("{k} private key(s) and no certificate"),
            _ => unreachable!("lacking needs a zero count"),
        };
        return CertFile::NotPem(found);
    }
    CertFile::Pem {
        leaf,
        certificates,
        keys,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_a_regular_file() {
        assert!(matches!(
            check(Path::new("/dev/zero"), Role::TrustedCa),
            CertFile::Unreadable(_)
        ));
        assert_eq!(
            check(Path::new("/nonexistent/ca.pem"), Role::TrustedCa),
            CertFile::Missing
        );
    }
}
