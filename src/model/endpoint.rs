//! Addresses as nginx writes them: `host`, `host:port`, `[::1]:port`, `unix:/path`, and the
//! URLs of `*_pass`.

/// Where a server or a route points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A host name or an IP literal (IPv6 without brackets), with the port when one is given.
    Inet {
        host: String,
        port: Option<u16>,
    },
    Unix(String),
    /// Built from variables at run time.
    Dynamic,
    /// Not an address nginx accepts.
    Invalid(String),
}

impl Endpoint {
    /// Parses the address part of `server` or of a `*_pass` URL (no scheme, no URI).
    pub(crate) fn parse(s: &str) -> Endpoint {
        if crate::syntax::nginx::has_variable(s) {
            return Endpoint::Dynamic;
        }
        if let Some(path) = s.strip_prefix("unix:") {
            return Endpoint::Unix(path.to_string());
        }
        if let Some(rest) = s.strip_prefix('[') {
            let Some((host, after)) = rest.split_once(']') else {
                return Endpoint::Invalid(format!("unclosed \"[\" in \"{s}\""));
            };
            let port = match after.strip_prefix(':') {
                Some(p) => match p.parse() {
                    Ok(p) => Some(p),
                    Err(_) => return Endpoint::Invalid(format!("invalid port \"{p}\"")),
                },
                None if after.is_empty() => None,
                None => return Endpoint::Invalid(format!("unexpected \"{after}\"")),
            };
            return Endpoint::Inet {
                host: host.to_string(),
                port,
            };
        }
        match s.rsplit_once(':') {
            Some((host, port)) if !host.contains(':') => match port.parse::<u16>() {
                Ok(p) => Endpoint::Inet {
                    host: host.to_string(),
                    port: Some(p),
                },
                Err(_) => Endpoint::Invalid(format!("invalid port \"{port}\"")),
            },
            Some(_) => Endpoint::Inet {
                host: s.to_string(),
                port: None,
            },
            None if s.is_empty() => Endpoint::Invalid("empty address".into()),
            None => Endpoint::Inet {
                host: s.to_string(),
                port: None,
            },
        }
    }

    /// Host names (not IP literals, not `localhost`) need DNS.
    pub(crate) fn host_name(&self) -> Option<&str> {
        match self {
            Endpoint::Inet { host, .. } if host.parse::<std::net::IpAddr>().is_err() => Some(host),
            _ => None,
        }
    }
}

/// Host names whose address changes as a matter of course, by the platform behind them.
const MOVING: [(&str, &str); 11] = [
    (
        ".elb.amazonaws.com",
        "an AWS Elastic Load Balancer, whose addresses change as it scales and is maintained",
    ),
    (
        ".elb.amazonaws.com.cn",
        "an AWS Elastic Load Balancer, whose addresses change as it scales and is maintained",
    ),
    (
        ".svc.cluster.local",
        "a Kubernetes service name: services and pods are replaced with new addresses",
    ),
    (
        ".svc",
        "a Kubernetes service name: services and pods are replaced with new addresses",
    ),
    (
        ".herokuapp.com",
        "a platform host name whose address changes when the platform replaces an instance",
    ),
    (
        ".herokudns.com",
        "a platform host name whose address changes when the platform replaces an instance",
    ),
    (
        ".onrender.com",
        "a platform host name whose address changes when the platform replaces an instance",
    ),
    (
        ".fly.dev",
        "a platform host name whose address changes when the platform replaces an instance",
    ),
    (
        ".railway.app",
        "a platform host name whose address changes when the platform replaces an instance",
    ),
    (
        ".azurewebsites.net",
        "a platform host name whose address changes when the platform replaces an instance",
    ),
    (
        ".run.app",
        "a platform host name whose address changes when the platform replaces an instance",
    ),
];

/// Why a host name's address is expected to move while a proxy that resolved it once keeps
/// running, or None for a name that rarely moves. The one list both dialects' rules use.
pub(crate) fn moving_name(host: &str) -> Option<&'static str> {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    if !h.contains('.') {
        return Some(
            "a single-label name, as Compose and Swarm give services: a recreated container gets a new address",
        );
    }
    if h.contains(".svc.") {
        return Some(MOVING[2].1);
    }
    MOVING
        .iter()
        .find(|(suffix, _)| h.ends_with(suffix))
        .map(|(_, why)| *why)
}

/// Splits a `*_pass` URL into scheme and address: `https://api:8443/v1` → (Some("https"),
/// "api:8443"); `http://unix:/run/app.sock:/x` → (Some("http"), "unix:/run/app.sock").
pub(crate) fn split_url(url: &str) -> (Option<&str>, &str) {
    // `unix:///run/a.sock` is a socket path written with extra slashes, not a scheme.
    if url.len() > 5 && url.as_bytes()[..5].eq_ignore_ascii_case(b"unix:") {
        return (None, url);
    }
    let (scheme, rest) = match url.find("://") {
        Some(i) => (Some(&url[..i]), &url[i + 3..]),
        None => (None, url),
    };
    if let Some(path) = rest.strip_prefix("unix:") {
        // The socket path ends at ':' (where the URI starts) or at the end.
        let end = path.find(':').unwrap_or(path.len());
        return (scheme, &rest[..5 + end]);
    }
    let end = if scheme.is_some() {
        rest.find(['/', '?']).unwrap_or(rest.len())
    } else {
        rest.len()
    };
    (scheme, &rest[..end])
}

/// The host and port of a `*_pass` argument as written, variables left in: `http://$b:8080/x`
/// → ("$b", Some("8080")); None for unix sockets.
pub(crate) fn pass_host(arg: &str) -> Option<(&str, Option<&str>)> {
    let (_, addr) = split_url(arg);
    if addr.starts_with("unix:") {
        return None;
    }
    if let Some(rest) = addr.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        return Some((host, after.strip_prefix(':')));
    }
    match addr.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => Some((h, Some(p))),
        _ => Some((addr, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(
            Endpoint::parse("backend:8080"),
            Endpoint::Inet {
                host: "backend".into(),
                port: Some(8080)
            }
        );
        assert_eq!(
            Endpoint::parse("[::1]:80"),
            Endpoint::Inet {
                host: "::1".into(),
                port: Some(80)
            }
        );
        assert_eq!(
            Endpoint::parse("unix:/run/a.sock"),
            Endpoint::Unix("/run/a.sock".into())
        );
        assert_eq!(Endpoint::parse("$up"), Endpoint::Dynamic);
        assert!(matches!(Endpoint::parse("a:b"), Endpoint::Invalid(_)));
    }

    #[test]
    fn urls() {
        assert_eq!(
            split_url("https://api:8443/v1"),
            (Some("https"), "api:8443")
        );
        assert_eq!(
            split_url("unix:///run/a.sock"),
            (None, "unix:///run/a.sock")
        );
        assert_eq!(
            split_url("http://unix:/run/a.sock:/x"),
            (Some("http"), "unix:/run/a.sock")
        );
        assert_eq!(split_url("127.0.0.1:9000"), (None, "127.0.0.1:9000"));
        assert_eq!(split_url("http://backend"), (Some("http"), "backend"));
    }
}
