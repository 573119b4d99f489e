//! What to probe: every static target the model names (routes' addresses, pools' servers),
//! each with the span of the argument that names it, and the files the TLS settings name.

use std::path::{Path, PathBuf};

use super::certs::Role;
use crate::finding::Dialect;
use crate::model::tls::{self, Wire};
use crate::model::{Endpoint, Proxy, ScopeKind, Server, Target as RouteTarget};
use crate::source::Span;

/// One place to probe.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// The argument that names it (a `*_pass` URL, a `server` address).
    pub(crate) span: Span,
    pub(crate) place: Place,
    /// Connect to it (a server marked `down`/`disabled` is only resolved).
    pub(crate) connect: bool,
    /// Send a ClientHello (HTTP routes and HTTP-mode backends, where TLS matters).
    pub(crate) sniff: Option<Sniff>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Place {
    /// A host name or IP literal and the port the proxy connects to (None: the proxy picks it
    /// at run time, such as an HAProxy server without a port).
    Inet {
        host: String,
        port: Option<u16>,
    },
    Unix(String),
}

/// The SNI of a probe's ClientHello.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct Sniff {
    /// What the proxy sends (None: no SNI).
    pub(crate) sni: Option<String>,
    /// A name to try as well when the proxy sends none: it tells a backend that requires SNI.
    pub(crate) retry_with: Option<String>,
}

/// A file a TLS setting names.
#[derive(Debug, Clone)]
pub(crate) struct FileTarget {
    pub(crate) span: Span,
    pub(crate) path: PathBuf,
    pub(crate) role: Role,
}

pub(crate) fn collect(proxy: &Proxy) -> Vec<Target> {
    let mut out: Vec<Target> = Vec::new();
    for route in &proxy.routes {
        let RouteTarget::Endpoint(e) = &route.target else {
            continue;
        };
        let port = |p: Option<u16>| {
            p.or(match route.scheme {
                Some("http") => Some(80),
                Some("https") => Some(443),
                _ => None,
            })
        };
        let place = match e {
            Endpoint::Inet { host, port: p } => Place::Inet {
                host: host.clone(),
                port: port(*p),
            },
            Endpoint::Unix(path) => Place::Unix(path.clone()),
            _ => continue,
        };
        let sniff = match tls::wire(route) {
            Wire::Unknown => None,
            Wire::Plain => Some(plain_sniff(&place)),
            Wire::Tls => Some(nginx_sni(proxy, route, &place)),
        };
        out.push(Target {
            span: route.target_span,
            place,
            connect: true,
            sniff,
        });
    }
    for (i, pool) in proxy.pools.iter().enumerate() {
        let routes: Vec<_> = proxy
            .routes
            .iter()
            .filter(|r| matches!(r.target, RouteTarget::Pool(p) if p == i))
            .collect();
        let http_mode = proxy
            .setting(pool.scope, "mode")
            .first()
            .is_some_and(|m| m == "http");
        for s in &pool.servers {
            let place = match &s.endpoint {
                Endpoint::Inet { host, port } => Place::Inet {
                    host: host.clone(),
                    port: match proxy.dialect {
                        Dialect::Nginx => Some(port.unwrap_or(80)),
                        Dialect::Haproxy => *port,
                    },
                },
                Endpoint::Unix(path) => Place::Unix(path.clone()),
                _ => continue,
            };
            let sniff = match proxy.dialect {
                Dialect::Nginx => match routes.iter().find(|r| tls::wire(r) == Wire::Tls) {
                    Some(r) => Some(nginx_sni(proxy, r, &place)),
                    None => routes
                        .iter()
                        .any(|r| tls::wire(r) == Wire::Plain)
                        .then(|| plain_sniff(&place)),
                },
                Dialect::Haproxy if s.flag("ssl") => Some(haproxy_sni(s, &place)),
                Dialect::Haproxy => http_mode.then(|| plain_sniff(&place)),
            };
            out.push(Target {
                span: s.endpoint_span,
                place,
                connect: !(s.flag("down") || s.flag("disabled")),
                sniff,
            });
        }
    }
    out
}

/// A host name fit for SNI (RFC 6066: no IP literals).
fn sni_name(host: &str) -> Option<String> {
    (!tls::is_ip(host) && !host.is_empty() && !host.contains('$')).then(|| host.to_string())
}

fn host_of(place: &Place) -> Option<&str> {
    match place {
        Place::Inet { host, .. } => Some(host),
        Place::Unix(_) => None,
    }
}

/// A plain-text route: any answer in TLS means the target speaks TLS. The host's name as SNI
/// makes a backend that requires SNI answer with a handshake rather than an alert.
fn plain_sniff(place: &Place) -> Sniff {
    Sniff {
        sni: host_of(place).and_then(sni_name),
        retry_with: None,
    }
}

/// nginx sends SNI only with `*_ssl_server_name on`: `*_ssl_name`, or the host of the
/// `*_pass` (an upstream's name for a pool).
fn nginx_sni(proxy: &Proxy, route: &crate::model::Route, place: &Place) -> Sniff {
    let on = tls::is_on(&tls::ssl_setting(proxy, route, "server_name"));
    let explicit = tls::explicit_ssl_name(proxy, route);
    if on {
        let url = route
            .directive
            .args()
            .first()
            .map_or("", |a| a.value.as_str());
        let pass_host = match Endpoint::parse(crate::model::endpoint::split_url(url).1) {
            Endpoint::Inet { host, .. } => Some(host),
            _ => None,
        };
        return Sniff {
            sni: explicit.or(pass_host).as_deref().and_then(sni_name),
            retry_with: None,
        };
    }
    Sniff {
        sni: None,
        retry_with: explicit
            .as_deref()
            .or(host_of(place))
            .and_then(sni_name)
            .filter(|n| tls::is_dotted_host_name(n)),
    }
}

/// HAProxy sends SNI only with `sni <expr>` (before 3.3); `str(name)` is a constant name.
fn haproxy_sni(s: &Server, place: &Place) -> Sniff {
    let host = host_of(place).and_then(sni_name);
    match s.param("sni").and_then(|p| p.1) {
        Some(expr) => Sniff {
            sni: expr
                .strip_prefix("str(")
                .and_then(|r| r.strip_suffix(')'))
                .map(str::to_string)
                .or(host),
            retry_with: None,
        },
        None => Sniff {
            sni: None,
            retry_with: s
                .param("verifyhost")
                .and_then(|p| p.1.map(str::to_string))
                .or(host)
                .filter(|n| tls::is_dotted_host_name(n)),
        },
    }
}

/// The certificate files the proxy loads at start: nginx's `*_ssl_trusted_certificate` (read
/// only with `*_ssl_verify on`), `*_ssl_certificate` and `*_ssl_certificate_key` where a route
/// may speak TLS; HAProxy's `ca-file` and `crt` on `server` lines. Relative paths start at
/// `base` (nginx's conf prefix), or HAProxy's `ca-base`/`crt-base`.
pub(crate) fn files(proxy: &Proxy, base: &Path) -> Vec<FileTarget> {
    let mut out: Vec<FileTarget> = Vec::new();
    let mut push = |span: Span, value: &str, role: Role, base: &Path| {
        if value.contains('$') || value.starts_with('@') || value.starts_with("data:") {
            return;
        }
        if out.iter().any(|f| f.span == span) {
            return;
        }
        out.push(FileTarget {
            span,
            path: base.join(value),
            role,
        });
    };
    match proxy.dialect {
        Dialect::Nginx => {
            for route in &proxy.routes {
                if !tls::may_use_tls(route) {
                    continue;
                }
                let verify = tls::is_on(&tls::ssl_setting(proxy, route, "verify"));
                for (name, role, needed) in [
                    ("trusted_certificate", Role::TrustedCa, verify),
                    ("certificate", Role::ClientCert, true),
                    ("certificate_key", Role::ClientKey, true),
                ] {
                    let s = tls::ssl_setting(proxy, route, name);
                    if let (true, Some(d)) = (needed, s.directives.last())
                        && let Some(arg) = d.args().first()
                    {
                        push(arg.span, &arg.value, role, base);
                    }
                }
            }
        }
        Dialect::Haproxy => {
            let global = |name: &str| {
                proxy
                    .scopes
                    .iter()
                    .filter(|s| s.kind == ScopeKind::Global)
                    .flat_map(|s| s.directives.iter())
                    .find(|d| d.name() == name)
                    .and_then(|d| d.args().first())
                    .map(|a| base.join(a.value.as_str()))
            };
            let ca_base = global("ca-base").unwrap_or_else(|| base.to_path_buf());
            let crt_base = global("crt-base").unwrap_or_else(|| base.to_path_buf());
            for pool in &proxy.pools {
                for s in &pool.servers {
                    for (key, value, span) in s.params() {
                        let Some(value) = value else { continue };
                        // The span covers `key value`; report at the value.
                        let span = s
                            .directive
                            .args()
                            .iter()
                            .find(|a| a.value == *value && a.span.start > span.start)
                            .map_or(span, |a| a.span);
                        match key {
                            "ca-file" => push(span, value, Role::TrustedCa, &ca_base),
                            "crt" => push(span, value, Role::ClientCert, &crt_base),
                            _ => {}
                        }
                    }
                }
            }
        }
    }
    out
}

/// The user nginx's workers (or HAProxy) run as, and the group named with it: nginx's `user`
/// directive (compiled default `nobody`; unknown in a fragment); HAProxy's `user` in `global`
/// (None: whoever starts it).
pub(crate) fn worker_user(proxy: &Proxy) -> Option<(String, Option<String>)> {
    let d = proxy
        .scopes
        .first()
        .and_then(|top| top.directives.iter().find(|d| d.name() == "user"));
    match (proxy.dialect, d) {
        (_, Some(d)) => Some((d.arg(0)?.to_string(), d.arg(1).map(str::to_string))),
        // A fragment's main file may well set `user`: do not guess.
        (Dialect::Nginx, None) if proxy.fragment => None,
        (Dialect::Nginx, None) => Some(("nobody".into(), None)),
        (Dialect::Haproxy, None) => None,
    }
}
