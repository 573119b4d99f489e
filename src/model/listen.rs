//! Where a proxy accepts connections: nginx `listen` (and the implied `*:80` of a `server`
//! without one), HAProxy `bind`. Kept apart from lowering: only the chain checks need them.

use std::net::IpAddr;

use super::Statement;
use super::{Proxy, ScopeId, ScopeKind};
use crate::finding::Dialect;
use crate::source::Span;

/// The address part of a listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Bound {
    /// Every IPv4 address (`80`, `*:80`, `0.0.0.0:80`); `v6` too when the listener is dual-stack.
    AnyV4,
    /// Every IPv6 address (`[::]:80`); `v4` too when the socket is dual-stack (nginx
    /// `ipv6only=off`, HAProxy without `v6only` on Linux's default).
    AnyV6 {
        v4: bool,
    },
    Ip(IpAddr),
    /// A host name nginx resolves when it starts.
    Name(String),
    Unix(String),
}

/// One `listen`/`bind` address (a `bind` with a list or a port range gives several).
#[derive(Debug, Clone)]
pub(crate) struct Listener<'a> {
    pub(crate) directive: &'a Statement,
    /// The argument that names the address (the `server {` line for an implied listener).
    pub(crate) span: Span,
    pub(crate) bound: Bound,
    /// First and last port (equal unless HAProxy's `:8080-8089`); 0 for unix sockets.
    pub(crate) ports: (u16, u16),
    pub(crate) ssl: bool,
    /// nginx `http2` (or `proto h2`/`alpn h2` on HAProxy).
    pub(crate) http2: bool,
    /// nginx `proxy_protocol`, HAProxy `accept-proxy`.
    pub(crate) proxy_protocol: bool,
    /// nginx `stream {}` server, or HAProxy `mode tcp`.
    pub(crate) tcp: bool,
    /// No `listen` written: nginx listens on `*:80`.
    pub(crate) implied: bool,
    /// The block that owns it: nginx `server`, HAProxy `frontend`/`listen`.
    pub(crate) scope: ScopeId,
}

#[cfg(test)]
impl Listener<'_> {
    /// The address as written, for messages: `127.0.0.1:8080`, `*:80`, `unix:/run/a.sock`.
    pub(crate) fn address(&self) -> String {
        let port = if self.ports.0 == self.ports.1 {
            self.ports.0.to_string()
        } else {
            format!("{}-{}", self.ports.0, self.ports.1)
        };
        match &self.bound {
            Bound::AnyV4 => format!("*:{port}"),
            Bound::AnyV6 { .. } => format!("[::]:{port}"),
            Bound::Ip(IpAddr::V6(ip)) => format!("[{ip}]:{port}"),
            Bound::Ip(ip) => format!("{ip}:{port}"),
            Bound::Name(n) => format!("{n}:{port}"),
            Bound::Unix(p) => format!("unix:{p}"),
        }
    }
}
/// Every listener of a lowered proxy.
pub(crate) fn listeners<'a>(proxy: &Proxy<'a>) -> Vec<Listener<'a>> {
    match proxy.dialect {
        Dialect::Nginx => nginx(proxy),
        Dialect::Haproxy => haproxy(proxy),
    }
}

fn nginx<'a>(proxy: &Proxy<'a>) -> Vec<Listener<'a>> {
    let mut out = Vec::new();
    for (id, scope) in proxy.scopes.iter().enumerate() {
        let tcp = match scope.kind {
            ScopeKind::Server => false,
            ScopeKind::StreamServer => true,
            _ => continue,
        };
        let mut any = false;
        for d in scope.directives.iter().filter(|d| d.name() == "listen") {
            any = true;
            if let Some(l) = nginx_listen(d, id, tcp) {
                out.push(l);
            }
        }
        // A fragment's implied server has no block: its listen is written elsewhere.
        if !any
            && !tcp
            && let Some(block) = scope.block
        {
            out.push(Listener {
                directive: block,
                span: block.name_arg().span,
                bound: Bound::AnyV4,
                ports: (80, 80),
                ssl: false,
                http2: false,
                proxy_protocol: false,
                tcp,
                implied: true,
                scope: id,
            });
        }
    }
    out
}

/// `listen address[:port] [ssl] [http2] [proxy_protocol] [ipv6only=on|off] …`.
fn nginx_listen<'a>(d: &'a Statement, scope: ScopeId, tcp: bool) -> Option<Listener<'a>> {
    let addr = d.args().first()?;
    if addr.has_variable() {
        return None;
    }
    let flags: Vec<&str> = d.args()[1..].iter().map(|a| a.value.as_str()).collect();
    // UDP and QUIC listeners take no TCP connection.
    if flags.iter().any(|f| matches!(*f, "udp" | "quic")) {
        return None;
    }
    let v = addr.value.as_str();
    let (bound, port) = if let Some(path) = v.strip_prefix("unix:") {
        (Bound::Unix(path.to_string()), 0)
    } else if let Ok(port) = v.parse::<u16>() {
        (Bound::AnyV4, port)
    } else if let Some(rest) = v.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None => 80,
        };
        let ip: IpAddr = host.parse().ok()?;
        let bound = if ip.is_unspecified() {
            Bound::AnyV6 {
                v4: flags.contains(&"ipv6only=off"),
            }
        } else {
            Bound::Ip(ip)
        };
        (bound, port)
    } else {
        let (host, port) = match v.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().ok()?),
            None => (v, 80),
        };
        let bound = match host {
            "*" => Bound::AnyV4,
            _ => match host.parse::<IpAddr>() {
                Ok(ip) if ip.is_unspecified() => Bound::AnyV4,
                Ok(ip) => Bound::Ip(ip),
                Err(_) => Bound::Name(host.to_ascii_lowercase()),
            },
        };
        (bound, port)
    };
    Some(Listener {
        directive: d,
        span: addr.span,
        bound,
        ports: (port, port),
        ssl: flags.contains(&"ssl"),
        http2: flags.contains(&"http2"),
        proxy_protocol: flags.contains(&"proxy_protocol"),
        tcp,
        implied: false,
        scope,
    })
}

fn haproxy<'a>(proxy: &Proxy<'a>) -> Vec<Listener<'a>> {
    let mut out = Vec::new();
    for (id, scope) in proxy.scopes.iter().enumerate() {
        if !matches!(scope.kind, ScopeKind::Frontend | ScopeKind::Listen) {
            continue;
        }
        let tcp = proxy.setting(id, "mode").first() != Some("http");
        for d in scope.directives.iter().filter(|d| d.name() == "bind") {
            let Some(addr) = d.args().first() else {
                continue;
            };
            if addr.has_variable() {
                continue;
            }
            let words: Vec<&str> = d.args()[1..].iter().map(|a| a.value.as_str()).collect();
            let value_of = |k: &str| {
                words
                    .iter()
                    .position(|w| *w == k)
                    .and_then(|i| words.get(i + 1))
            };
            let h2 = value_of("proto") == Some(&"h2")
                || value_of("alpn").is_some_and(|a| a.split(',').next() == Some("h2"));
            for one in addr.value.split(',') {
                let Some((bound, ports)) = haproxy_bind(one, words.contains(&"v6only")) else {
                    continue;
                };
                out.push(Listener {
                    directive: d,
                    span: addr.span,
                    bound,
                    ports,
                    ssl: words.contains(&"ssl"),
                    http2: h2,
                    proxy_protocol: words.contains(&"accept-proxy"),
                    tcp,
                    implied: false,
                    scope: id,
                });
            }
        }
    }
    out
}

/// `:80`, `*:80`, `0.0.0.0:80`, `127.0.0.1:8080-8089`, `:::80`, `[::1]:80`, `ipv4@…`,
/// `unix@/path`, `/path`. Other families (`abns@`, `fd@`, `sockpair@`, `quic4@`) take no
/// connection from another proxy's `server` line.
fn haproxy_bind(s: &str, v6only: bool) -> Option<(Bound, (u16, u16))> {
    let s = s
        .strip_prefix("ipv4@")
        .or(s.strip_prefix("ipv6@"))
        .unwrap_or(s);
    if let Some(p) = s.strip_prefix("unix@") {
        return Some((Bound::Unix(p.to_string()), (0, 0)));
    }
    if s.starts_with('/') {
        return Some((Bound::Unix(s.to_string()), (0, 0)));
    }
    if s.contains('@') {
        return None;
    }
    let (host, ports) = s.rsplit_once(':')?;
    let ports = match ports.split_once('-') {
        Some((a, b)) => (a.parse().ok()?, b.parse().ok()?),
        None => {
            let p = ports.parse().ok()?;
            (p, p)
        }
    };
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let bound = match host {
        "" | "*" => Bound::AnyV4,
        "::" => Bound::AnyV6 { v4: !v6only },
        _ => match host.parse::<IpAddr>() {
            Ok(ip) if ip.is_unspecified() && ip.is_ipv4() => Bound::AnyV4,
            Ok(ip) if ip.is_unspecified() => Bound::AnyV6 { v4: !v6only },
            Ok(ip) => Bound::Ip(ip),
            Err(_) => Bound::Name(host.to_ascii_lowercase()),
        },
    };
    Some((bound, ports))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::include::Tree;
    use crate::source::FileId;
    use std::collections::HashMap;

    fn with(dialect: Dialect, text: &str, f: impl FnOnce(Vec<Listener>)) {
        let file = FileId(0);
        let parsed = match dialect {
            Dialect::Nginx => crate::syntax::nginx::parse(file, text),
            Dialect::Haproxy => {
                crate::syntax::sections::from_haproxy(crate::syntax::haproxy::parse(file, text))
            }
        };
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let files = HashMap::from([(file, parsed)]);
        let tree = Tree::of_files(dialect, vec![file]);
        let proxy = match dialect {
            Dialect::Nginx => super::super::nginx::lower(&tree, &files),
            Dialect::Haproxy => super::super::haproxy::lower(&tree, &files),
        };
        f(listeners(&proxy));
    }

    #[test]
    fn nginx_forms() {
        with(
            Dialect::Nginx,
            "events {}\nhttp {\n server { listen 80; listen *:81; listen 127.0.0.1:8080 ssl http2; listen [::]:82 ipv6only=off; listen [::1]; listen unix:/run/a.sock proxy_protocol; listen 443 quic; listen localhost:83; }\n server { server_name x; }\n}\nstream { server { listen 5432; } }\n",
            |l| {
                let shown: Vec<String> = l.iter().map(Listener::address).collect();
                assert_eq!(
                    shown,
                    [
                        "*:80",
                        "*:81",
                        "127.0.0.1:8080",
                        "[::]:82",
                        "[::1]:80",
                        "unix:/run/a.sock",
                        "localhost:83",
                        "*:80",
                        "*:5432"
                    ]
                );
                assert!(l[2].ssl && l[2].http2 && !l[2].proxy_protocol);
                assert_eq!(l[3].bound, Bound::AnyV6 { v4: true });
                assert!(l[5].proxy_protocol);
                assert!(l[7].implied);
                assert!(l[8].tcp && !l[0].tcp);
            },
        );
    }

    #[test]
    fn haproxy_forms() {
        with(
            Dialect::Haproxy,
            "defaults\n    mode http\nfrontend fe\n    bind :80\n    bind 127.0.0.1:8443,127.0.0.2:8443 ssl crt /x.pem alpn h2,http/1.1\n    bind :::81 v6only accept-proxy\n    bind unix@/run/h.sock\n    bind 127.0.0.1:9000-9002\n    bind abns@x\n",
            |l| {
                let shown: Vec<String> = l.iter().map(Listener::address).collect();
                assert_eq!(
                    shown,
                    [
                        "*:80",
                        "127.0.0.1:8443",
                        "127.0.0.2:8443",
                        "[::]:81",
                        "unix:/run/h.sock",
                        "127.0.0.1:9000-9002"
                    ]
                );
                assert!(l[1].ssl && l[1].http2 && !l[0].ssl);
                assert_eq!(l[3].bound, Bound::AnyV6 { v4: false });
                assert!(l[3].proxy_protocol);
                assert!(!l[0].tcp);
            },
        );
    }
}
