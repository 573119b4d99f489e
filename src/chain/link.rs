//! Linking layers: an outer proxy's targets (HAProxy `server`, nginx upstream `server` and
//! `proxy_pass`/`grpc_pass` addresses) to the listeners of the other proxies of the run, the
//! way the kernel would connect them: a loopback target reaches a wildcard or loopback
//! listener on its port, any other address only a listener bound to exactly that address, a
//! host name through `[[link]]` in gwlint.toml, or, with `--online`, through the addresses
//! DNS gave for it.
//!
//! Only layers that look like one deployment are linked by address: their main files sit in
//! one directory or in sibling directories (`deploy/haproxy/`, `deploy/nginx/`). A repository
//! of unrelated configurations that happen to use the same loopback port is no chain.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;

use super::Layer;
use crate::facts::Facts;
use crate::finding::Dialect;
use crate::model::listen::{Bound, Listener};
use crate::model::{Ctx, Endpoint, Pass, Target};
use std::collections::HashMap;

use crate::source::{SourceMap, Span};

/// One hop: an outer proxy's target reaching an inner proxy's listener.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Hop {
    /// Layer index of the outer proxy.
    pub outer: usize,
    /// The route that sends traffic there (an HAProxy backend no route uses has none).
    pub route: Option<usize>,
    /// The pool and server (None for an nginx `*_pass` straight to an address).
    pub pool: Option<usize>,
    pub server: Option<usize>,
    /// The argument naming the target address.
    pub target_span: Span,
    pub inner: usize,
    /// Index into the inner layer's listeners.
    pub listener: usize,
}

/// An address a target resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Addr {
    Ip(IpAddr, u16),
    Name(String, u16),
    Unix(String),
}

/// One target before linking.
struct Aim {
    route: Option<usize>,
    pool: Option<usize>,
    server: Option<usize>,
    endpoint: Endpoint,
    default_port: Option<u16>,
    span: Span,
}

pub fn link(layers: &[Layer], facts: &Facts, sources: &SourceMap) -> Vec<Hop> {
    let dir = |l: &Layer| -> std::path::PathBuf {
        let p = &sources.get(l.proxy.root).path;
        // The loader resolved the path of every file it read (standard input stays relative).
        let p = match p.is_absolute() {
            true => p.clone(),
            false => std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()),
        };
        p.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let dirs: Vec<_> = layers.iter().map(dir).collect();
    let by_port = ListenerIndex::new(layers);
    let mut hops = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (outer, layer) in layers.iter().enumerate() {
        for aim in aims(layer) {
            let declared = declared(&aim.endpoint, aim.default_port, facts);
            let mut addrs = resolve(&aim.endpoint, aim.default_port, facts);
            // A host name `--online` resolved links like the addresses it resolved to.
            if let ([Addr::Name(_, port)], Some(ips), false) =
                (addrs.as_slice(), facts.resolved.get(&aim.span), declared)
            {
                let port = *port;
                addrs = ips.iter().map(|ip| Addr::Ip(*ip, port)).collect();
            }
            // Only the layers listening where an address points: a run over thousands of
            // configurations must not compare every target with every listener.
            for inner in by_port.candidates(&addrs) {
                let other = &layers[inner];
                if inner == outer || !(declared || one_deployment(&dirs[outer], &dirs[inner])) {
                    continue;
                }
                // The most specific listeners win, as the kernel (and nginx) pick them.
                let mut best: Vec<(u8, usize)> = Vec::new();
                for (li, l) in other.listeners.iter().enumerate() {
                    let Some(rank) = addrs.iter().filter_map(|a| reaches(a, l)).max() else {
                        continue;
                    };
                    match best.first().map(|b| b.0) {
                        Some(r) if r > rank => continue,
                        Some(r) if r < rank => best.clear(),
                        _ => {}
                    }
                    best.push((rank, li));
                }
                for (_, listener) in best {
                    let hop = Hop {
                        outer,
                        route: aim.route,
                        pool: aim.pool,
                        server: aim.server,
                        target_span: aim.span,
                        inner,
                        listener,
                    };
                    if seen.insert(hop.clone()) {
                        hops.push(hop);
                    }
                }
            }
        }
    }
    hops
}

/// Which layers listen on a port (or a unix path), to find a target's candidates at once.
struct ListenerIndex {
    ports: HashMap<u16, Vec<usize>>,
    unix: HashMap<String, Vec<usize>>,
    /// Layers with a port range too wide to list port by port: always candidates.
    wide: Vec<usize>,
}

impl ListenerIndex {
    fn new(layers: &[Layer]) -> Self {
        let mut ix = ListenerIndex {
            ports: HashMap::new(),
            unix: HashMap::new(),
            wide: Vec::new(),
        };
        for (i, layer) in layers.iter().enumerate() {
            for l in &layer.listeners {
                if let Bound::Unix(path) = &l.bound {
                    ix.unix.entry(path.clone()).or_default().push(i);
                } else if l.ports.1.saturating_sub(l.ports.0) > 1024 {
                    ix.wide.push(i);
                } else {
                    for p in l.ports.0..=l.ports.1 {
                        ix.ports.entry(p).or_default().push(i);
                    }
                }
            }
        }
        ix
    }

    /// The layers that may hold a listener for one of these addresses, in layer order.
    fn candidates(&self, addrs: &[Addr]) -> Vec<usize> {
        let mut out: Vec<usize> = self.wide.clone();
        for a in addrs {
            let found = match a {
                Addr::Ip(_, port) | Addr::Name(_, port) => self.ports.get(port),
                Addr::Unix(path) => self.unix.get(path),
            };
            out.extend(found.into_iter().flatten());
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Same directory, or sibling directories.
fn one_deployment(a: &Path, b: &Path) -> bool {
    a == b
        || a.parent() == Some(b)
        || b.parent() == Some(a)
        || (a.parent().is_some() && a.parent() == b.parent())
}

/// Does a `[[link]]` entry name this target? Then it links wherever the layers live.
fn declared(e: &Endpoint, default_port: Option<u16>, facts: &Facts) -> bool {
    let written = match e {
        Endpoint::Unix(p) => format!("unix:{p}"),
        Endpoint::Inet { host, port } => match port.or(default_port) {
            Some(p) => format!("{host}:{p}"),
            None => host.clone(),
        },
        _ => return false,
    };
    facts.links.iter().any(|l| {
        l.target.eq_ignore_ascii_case(&written)
            || matches!(e, Endpoint::Inet { host, .. } if l.target.eq_ignore_ascii_case(host))
    })
}

/// Every target of a layer that could be another proxy's listener.
fn aims(layer: &Layer) -> Vec<Aim> {
    let proxy = &layer.proxy;
    let mut out = Vec::new();
    match proxy.dialect {
        Dialect::Haproxy => {
            // Settings live in the backend: one hop per server, whichever frontend uses it.
            for (p, pool) in proxy.pools.iter().enumerate() {
                let route = proxy
                    .routes
                    .iter()
                    .position(|r| matches!(r.target, Target::Pool(i) if i == p));
                for (s, server) in pool.servers.iter().enumerate() {
                    out.push(Aim {
                        route,
                        pool: Some(p),
                        server: Some(s),
                        endpoint: server.endpoint.clone(),
                        default_port: None,
                        span: server.endpoint_span,
                    });
                }
            }
        }
        Dialect::Nginx => {
            for (r, route) in proxy.routes.iter().enumerate() {
                if !matches!(route.pass, Pass::Proxy | Pass::Grpc) {
                    continue;
                }
                // A `server` or URL without a port: 80 (443 for https/grpcs) in http; a
                // stream `proxy_pass` always has one.
                let default_port = match (route.ctx, route.scheme) {
                    (Ctx::Stream, _) => None,
                    (_, Some("https" | "grpcs")) => Some(443),
                    _ => Some(80),
                };
                match &route.target {
                    Target::Pool(p) => {
                        for (s, server) in proxy.pools[*p].servers.iter().enumerate() {
                            out.push(Aim {
                                route: Some(r),
                                pool: Some(*p),
                                server: Some(s),
                                endpoint: server.endpoint.clone(),
                                default_port: match route.ctx {
                                    Ctx::Stream => None,
                                    Ctx::Http => Some(80),
                                },
                                span: server.endpoint_span,
                            });
                        }
                    }
                    Target::Endpoint(e) => out.push(Aim {
                        route: Some(r),
                        pool: None,
                        server: None,
                        endpoint: e.clone(),
                        default_port,
                        span: route.target_span,
                    }),
                    Target::Missing(_) => {}
                }
            }
        }
    }
    out
}

/// The addresses a target connects to. `[[link]]` entries name a host (`app.internal:8080`
/// or `app.internal`) and the listener it reaches (`127.0.0.1:8080`, `unix:/run/a.sock`).
fn resolve(e: &Endpoint, default_port: Option<u16>, facts: &Facts) -> Vec<Addr> {
    let (host, port) = match e {
        Endpoint::Unix(p) => {
            return linked(&format!("unix:{p}"), None, facts)
                .unwrap_or_else(|| vec![Addr::Unix(p.clone())]);
        }
        Endpoint::Inet { host, port } => (host.to_ascii_lowercase(), port.or(default_port)),
        Endpoint::Dynamic | Endpoint::Invalid(_) => return Vec::new(),
    };
    let Some(port) = port else { return Vec::new() };
    let written = match host.parse::<IpAddr>() {
        Ok(IpAddr::V6(ip)) => format!("[{ip}]:{port}"),
        _ => format!("{host}:{port}"),
    };
    if let Some(a) =
        linked(&written, Some(port), facts).or_else(|| linked(&host, Some(port), facts))
    {
        return a;
    }
    match host.as_str() {
        "localhost" => vec![
            Addr::Ip(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
            Addr::Ip(IpAddr::V6(Ipv6Addr::LOCALHOST), port),
        ],
        h => match h.parse::<IpAddr>() {
            Ok(ip) => vec![Addr::Ip(ip, port)],
            Err(_) => vec![Addr::Name(h.to_string(), port)],
        },
    }
}

/// The listener address `[[link]]` gives a target, written as nginx writes `listen`.
fn linked(target: &str, port: Option<u16>, facts: &Facts) -> Option<Vec<Addr>> {
    let l = facts
        .links
        .iter()
        .find(|l| l.target.eq_ignore_ascii_case(target))?;
    let to = l.listener.trim();
    if let Some(p) = to.strip_prefix("unix:") {
        return Some(vec![Addr::Unix(p.to_string())]);
    }
    match Endpoint::parse(to) {
        Endpoint::Inet { host, port: p } => {
            let port = p.or(port)?;
            Some(match host.parse::<IpAddr>() {
                Ok(ip) => vec![Addr::Ip(ip, port)],
                Err(_) => vec![Addr::Name(host.to_ascii_lowercase(), port)],
            })
        }
        _ => None,
    }
}

/// How specifically a listener takes connections to this address: 2 bound to it exactly, 1
/// through a wildcard; None when it does not.
fn reaches(a: &Addr, l: &Listener) -> Option<u8> {
    let in_ports = |p: u16| l.ports.0 <= p && p <= l.ports.1;
    match (a, &l.bound) {
        (Addr::Unix(p), Bound::Unix(q)) => (p == q).then_some(2),
        (Addr::Ip(ip, port), bound) if in_ports(*port) => match bound {
            Bound::Ip(b) => (b == ip).then_some(2),
            Bound::Name(n) => (n == "localhost" && ip.is_loopback()).then_some(2),
            // Only a loopback address surely is this machine; any other address reaches a
            // wildcard listener only when the proxy runs there, which gwlint cannot know.
            Bound::AnyV4 => (ip.is_ipv4() && ip.is_loopback()).then_some(1),
            Bound::AnyV6 { v4 } => (ip.is_loopback() && (ip.is_ipv6() || *v4)).then_some(1),
            Bound::Unix(_) => None,
        },
        (Addr::Name(n, port), Bound::Name(m)) if in_ports(*port) => (n == m).then_some(2),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listener(bound: Bound, port: u16) -> Listener<'static> {
        static D: std::sync::OnceLock<crate::syntax::nginx::Directive> = std::sync::OnceLock::new();
        let d = D.get_or_init(|| {
            crate::syntax::nginx::parse(crate::source::FileId(0), "listen 80;")
                .directives
                .remove(0)
        });
        Listener {
            directive: d,
            span: d.span,
            bound,
            ports: (port, port),
            ssl: false,
            http2: false,
            proxy_protocol: false,
            tcp: false,
            implied: false,
            scope: 0,
        }
    }

    #[test]
    fn loopback_and_wildcards_match_as_at_run_time() {
        let lo = Addr::Ip("127.0.0.1".parse().unwrap(), 8080);
        let lo6 = Addr::Ip("::1".parse().unwrap(), 8080);
        let other = Addr::Ip("10.0.0.5".parse().unwrap(), 8080);
        assert_eq!(reaches(&lo, &listener(Bound::AnyV4, 8080)), Some(1));
        assert_eq!(reaches(&lo, &listener(Bound::AnyV4, 8081)), None);
        assert_eq!(
            reaches(
                &lo,
                &listener(Bound::Ip("127.0.0.1".parse().unwrap()), 8080)
            ),
            Some(2)
        );
        assert_eq!(
            reaches(
                &lo,
                &listener(Bound::Ip("127.0.0.2".parse().unwrap()), 8080)
            ),
            None
        );
        assert_eq!(
            reaches(&lo, &listener(Bound::AnyV6 { v4: false }, 8080)),
            None
        );
        assert_eq!(
            reaches(&lo, &listener(Bound::AnyV6 { v4: true }, 8080)),
            Some(1)
        );
        assert_eq!(
            reaches(&lo6, &listener(Bound::AnyV6 { v4: false }, 8080)),
            Some(1)
        );
        assert_eq!(reaches(&lo6, &listener(Bound::AnyV4, 8080)), None);
        assert_eq!(reaches(&other, &listener(Bound::AnyV4, 8080)), None);
        assert_eq!(
            reaches(
                &other,
                &listener(Bound::Ip("10.0.0.5".parse().unwrap()), 8080)
            ),
            Some(2)
        );
        assert_eq!(
            reaches(
                &Addr::Unix("/a".into()),
                &listener(Bound::Unix("/a".into()), 0)
            ),
            Some(2)
        );
    }

    #[test]
    fn host_names_need_a_link() {
        let e = Endpoint::parse("app.internal:8080");
        let none = Facts::default();
        assert_eq!(
            resolve(&e, None, &none),
            vec![Addr::Name("app.internal".into(), 8080)]
        );
        let facts = Facts {
            links: vec![crate::facts::Link {
                target: "app.internal:8080".into(),
                listener: "127.0.0.1:9000".into(),
                origin: String::new(),
            }],
            ..Facts::default()
        };
        assert_eq!(
            resolve(&e, None, &facts),
            vec![Addr::Ip("127.0.0.1".parse().unwrap(), 9000)]
        );
        // A link by host name keeps the target's port.
        let facts = Facts {
            links: vec![crate::facts::Link {
                target: "app.internal".into(),
                listener: "127.0.0.1".into(),
                origin: String::new(),
            }],
            ..Facts::default()
        };
        assert_eq!(
            resolve(&e, None, &facts),
            vec![Addr::Ip("127.0.0.1".parse().unwrap(), 8080)]
        );
        assert_eq!(
            resolve(&Endpoint::parse("localhost"), Some(80), &none).len(),
            2
        );
    }
}
