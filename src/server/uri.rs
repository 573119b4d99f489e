//! `file://` URIs ↔ paths. Editors percent-encode what is not plain ASCII (`%20`, `%C3%A9`)
//! and some encode `:` in a Windows drive; only `file` URIs name a file gwlint can read.

use std::path::{Path, PathBuf};

/// The path a `file://` URI names; None for other schemes (`untitled:`) and for URIs whose
/// decoded bytes are not a path (a `%00`).
pub(crate) fn to_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    // `file://host/path`: only the local host (empty or `localhost`) names a file here.
    let path = match rest.find('/') {
        Some(0) => rest,
        Some(i) if &rest[..i] == "localhost" => &rest[i..],
        _ => return None,
    };
    // A query or fragment is not part of the path.
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let bytes = decode(path)?;
    if bytes.contains(&0) {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
    }
    #[cfg(not(unix))]
    {
        // `/C:/x` is `C:/x` on Windows.
        let s = String::from_utf8(bytes).ok()?;
        let s = match s.as_bytes() {
            [b'/', d, b':', ..] if d.is_ascii_alphabetic() => s[1..].to_string(),
            _ => s,
        };
        Some(PathBuf::from(s))
    }
}

/// The `file://` URI of an absolute path, with every byte outside the unreserved set and `/`
/// percent-encoded.
pub(crate) fn from_path(path: &Path) -> Option<lsp_types::Uri> {
    if !path.is_absolute() {
        return None;
    }
    let s = path.to_string_lossy();
    let s = s.replace('\\', "/");
    let mut out = String::from("file://");
    if !s.starts_with('/') {
        out.push('/');
    }
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out.parse().ok()
}

/// Percent-decoding; None for a `%` not followed by two hex digits.
fn decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_percent_escapes_and_localhost() {
        assert_eq!(
            to_path("file:///etc/nginx/sites%20enabled/caf%C3%A9.conf"),
            Some(PathBuf::from("/etc/nginx/sites enabled/café.conf"))
        );
        assert_eq!(
            to_path("file://localhost/etc/nginx.conf"),
            Some(PathBuf::from("/etc/nginx.conf"))
        );
        assert_eq!(to_path("untitled:Untitled-1"), None);
        assert_eq!(to_path("file://server/share/x"), None);
        assert_eq!(to_path("file:///bad%2"), None);
        assert_eq!(to_path("file:///nul%00"), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_path_goes_there_and_back() {
        let p = Path::new("/tmp/a b/é#1.conf");
        let uri = from_path(p).expect("an absolute path has a URI");
        assert_eq!(uri.as_str(), "file:///tmp/a%20b/%C3%A9%231.conf");
        assert_eq!(to_path(uri.as_str()).as_deref(), Some(p));
        assert!(from_path(Path::new("relative.conf")).is_none());
    }
}
