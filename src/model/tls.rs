//! Upstream TLS in the model (the TLS rules GW4xx and the probes read it): which routes speak TLS to their target, the prefix of
//! their `*_ssl_*` directives, where the target listens, and what a certificate name looks like.

use crate::model::exits::Typed;
use crate::model::listen::{Bound, Listener};
use crate::model::{Ctx, Endpoint, Origin, Pass, Pool, Proxy, Route, Server, Setting, Target};
use crate::source::Span;

/// How a route talks to its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wire {
    /// `https://`, `grpcs://`, `suwsgi://`.
    Tls,
    /// `http://`, `grpc://`, `uwsgi://` (and `grpc_pass`/`uwsgi_pass` without a scheme).
    Plain,
    /// Not an http-context proxy, gRPC or uwsgi hand-off, or the scheme is a variable.
    Unknown,
}

/// The prefix of the route's `*_ssl_*` directives: `proxy`, `grpc` or `uwsgi`.
pub(crate) fn prefix(route: &Route) -> Option<&'static str> {
    if route.ctx != Ctx::Http {
        return None;
    }
    // Only these hand-offs have *_ssl_* directives.
    route
        .pass
        .prefix()
        .filter(|p| matches!(*p, "proxy" | "grpc" | "uwsgi"))
}

pub(crate) fn wire(route: &Route) -> Wire {
    if prefix(route).is_none() {
        return Wire::Unknown;
    }
    match (route.pass, route.scheme) {
        (Pass::Proxy, Some("https"))
        | (Pass::Grpc, Some("grpcs"))
        | (Pass::Uwsgi, Some("suwsgi")) => Wire::Tls,
        (Pass::Proxy, Some("http")) => Wire::Plain,
        (Pass::Grpc, Some("grpc") | None) | (Pass::Uwsgi, Some("uwsgi") | None)
            if !route
                .directive
                .args()
                .first()
                .is_some_and(|a| a.value.starts_with('$')) =>
        {
            Wire::Plain
        }
        _ => Wire::Unknown,
    }
}

/// Does nginx set up TLS for this route when it loads the configuration? True for a TLS
/// scheme and, as nginx 1.22.1 does, for any target built from variables (it may turn out to
/// be `https://` at run time).
pub(crate) fn may_use_tls(route: &Route) -> bool {
    prefix(route).is_some()
        && (wire(route) == Wire::Tls
            || route
                .directive
                .args()
                .first()
                .is_some_and(|a| a.has_variable()))
}

/// The effective `<prefix>_ssl_<name>` at the route.
pub(crate) fn ssl_setting<'a>(proxy: &Proxy<'a>, route: &Route, name: &str) -> Setting<'a> {
    let prefix = prefix(route).unwrap_or("proxy");
    proxy.setting(route.scope, &format!("{prefix}_ssl_{name}"))
}

/// Is an on/off setting on (explicitly or by default)?
pub(crate) fn is_on(s: &Setting) -> bool {
    s.first().is_some_and(|v| v.eq_ignore_ascii_case("on"))
}

/// The name nginx checks the certificate against (and sends as SNI) when it is set
/// explicitly to something other than the host of the `*_pass`.
pub(crate) fn explicit_ssl_name<'a>(proxy: &Proxy<'a>, route: &Route) -> Option<String> {
    let s = ssl_setting(proxy, route, "name");
    if !s.is_set() {
        return None;
    }
    let v = s.first()?.to_string();
    (v != "$proxy_host").then_some(v)
}

/// One address the route's traffic may reach and the port it is on.
#[derive(Debug, Clone)]
pub(crate) struct Reach {
    /// None: a unix socket or an address built from variables.
    pub(crate) port: Option<u16>,
    /// The port was not written (an upstream `server` without one uses 80).
    pub(crate) implied: bool,
    pub(crate) span: Span,
}

/// Where the route sends traffic: the port of a direct target when one is written, or every
/// `server` of its upstream that is not marked `down`. Empty when nothing can be judged.
pub(crate) fn reach(proxy: &Proxy, route: &Route) -> Vec<Reach> {
    match &route.target {
        Target::Endpoint(Endpoint::Inet {
            port: Some(port), ..
        }) => vec![Reach {
            port: Some(*port),
            implied: false,
            span: route.target_span,
        }],
        Target::Endpoint(_) | Target::Missing(_) => Vec::new(),
        Target::Pool(i) => proxy.pools[*i]
            .servers
            .iter()
            .filter(|s| !s.flag("down"))
            .map(|s| match &s.endpoint {
                Endpoint::Inet { port, .. } => Reach {
                    port: Some(port.unwrap_or(80)),
                    implied: port.is_none(),
                    span: s.endpoint_span,
                },
                _ => Reach {
                    port: None,
                    implied: false,
                    span: s.endpoint_span,
                },
            })
            .collect(),
    }
}

/// Ports where a plain-text listener is the convention.
pub(crate) const PLAIN_PORTS: &[u16] = &[80, 8080];

/// Ports where, by convention (or because the service there speaks nothing else), the
/// listener speaks nothing but TLS.
pub(crate) const TLS_PORTS: &[u16] = &[443, 8443, 9443, 6443, 10250, 2376, 5986];

/// The service whose port it is, where that is what makes it TLS-only.
pub(crate) fn tls_port_owner(port: u16) -> Option<&'static str> {
    match port {
        6443 => Some("the Kubernetes API server's port"),
        10250 => Some("the kubelet's port"),
        2376 => Some("the Docker daemon's TLS port"),
        5986 => Some("WinRM's HTTPS port"),
        _ => None,
    }
}

/// A proxy's own listeners, by port: `speaks` looks one port up per address a route reaches,
/// and a configuration may hold thousands of routes and listeners.
pub(crate) struct Listening<'a> {
    all: Vec<Listener<'a>>,
    by_port: std::collections::HashMap<u16, Vec<usize>>,
    /// HAProxy port ranges wider than this are looked through, not spread over the map.
    wide: Vec<usize>,
}

impl<'a> Listening<'a> {
    pub(crate) fn of(proxy: &Proxy<'a>) -> Listening<'a> {
        let all = crate::model::listen::listeners(proxy);
        let mut by_port: std::collections::HashMap<u16, Vec<usize>> = Default::default();
        let mut wide = Vec::new();
        for (i, l) in all.iter().enumerate() {
            match l.ports.1.saturating_sub(l.ports.0) {
                0..=1024 => {
                    for p in l.ports.0..=l.ports.1 {
                        by_port.entry(p).or_default().push(i);
                    }
                }
                _ => wide.push(i),
            }
        }
        Listening { all, by_port, wide }
    }

    /// The listeners on `port`, in the order of the configuration.
    fn on_port(&self, port: u16) -> Vec<&Listener<'a>> {
        let mut at: Vec<usize> = self.by_port.get(&port).cloned().unwrap_or_default();
        at.extend(
            self.wide
                .iter()
                .filter(|&&i| (self.all[i].ports.0..=self.all[i].ports.1).contains(&port)),
        );
        at.sort_unstable();
        at.into_iter().map(|i| &self.all[i]).collect()
    }
}

/// What a target speaks on the wire, and what says so (GW401 and GW402 ask, each for the
/// opposite of what it sends).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Speaks {
    Tls(Evidence),
    Plain(Evidence),
    /// Nothing says, or what the configuration shows does not settle it.
    Unknown,
}

/// What says what a target speaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Evidence {
    /// The port's convention (`implied`: no port written, nginx uses 80).
    Port { port: u16, implied: bool },
    /// This configuration's own listener there: the `listen` (HAProxy `bind`) argument.
    Listener(Span),
    /// gwlint.toml's `[[backend]] tls`, declared at this origin.
    Declared(String),
}

/// What the target at `reach` speaks: what gwlint.toml declares for its address (as
/// `written`) or its pool, else this configuration's own listener there, else the port's
/// convention.
pub(crate) fn speaks(
    proxy: &Proxy,
    facts: &crate::facts::Facts,
    listeners: &Listening,
    pool: Option<&crate::model::Pool>,
    endpoint: &Endpoint,
    written: &str,
    reach: &Reach,
) -> Speaks {
    let declared = facts
        .backend(written)
        .filter(|b| b.tls.is_some())
        .or_else(|| {
            let name = &pool?.name;
            facts
                .backends
                .iter()
                .find(|b| b.tls.is_some() && b.target.eq_ignore_ascii_case(name))
        });
    if let Some(b) = declared {
        let e = Evidence::Declared(b.origin.clone());
        return match b.tls {
            Some(true) => Speaks::Tls(e),
            _ => Speaks::Plain(e),
        };
    }
    let Some(port) = reach.port else {
        return Speaks::Unknown;
    };
    if let Endpoint::Inet { host, .. } = endpoint {
        match own_listener(proxy, listeners, host, port) {
            Some(Own::Plain(listen)) => return Speaks::Plain(Evidence::Listener(listen)),
            Some(Own::Tls(listen)) => return Speaks::Tls(Evidence::Listener(listen)),
            Some(Own::Unsure) => return Speaks::Unknown,
            None => {}
        }
    }
    let e = Evidence::Port {
        port,
        implied: reach.implied,
    };
    if PLAIN_PORTS.contains(&port) {
        Speaks::Plain(e)
    } else if TLS_PORTS.contains(&port) {
        Speaks::Tls(e)
    } else {
        Speaks::Unknown
    }
}

/// What the address `reach` of `route` speaks: [`speaks`] for the upstream `server` there or
/// the address the route names.
pub(crate) fn route_speaks(
    proxy: &Proxy,
    facts: &crate::facts::Facts,
    sources: &crate::source::SourceMap,
    listeners: &Listening,
    route: &Route,
    reach: &Reach,
) -> Speaks {
    let pool = match route.target {
        Target::Pool(i) => proxy.pools.get(i),
        _ => None,
    };
    let server = pool.and_then(|p| p.servers.iter().find(|s| s.endpoint_span == reach.span));
    let (endpoint, written) = match (&route.target, server) {
        (_, Some(s)) => (&s.endpoint, sources.text(s.endpoint_span)),
        (Target::Endpoint(e), None) => match route.directive.arg(0) {
            Some(a) => (e, crate::model::endpoint::split_url(a).1),
            None => return Speaks::Unknown,
        },
        _ => return Speaks::Unknown,
    };
    speaks(proxy, facts, listeners, pool, endpoint, written, reach)
}

/// Where the proxy decides how it speaks to its backends, in both dialects: an nginx route,
/// whose scheme and `*_ssl_*` settings hold for every server it reaches, or an HAProxy
/// server, whose `ssl` and keywords (its own line, then `default-server`) hold for itself.
#[derive(Debug, Clone)]
pub(crate) struct Hop<'p, 'a> {
    /// nginx: the route.
    pub(crate) route: Option<&'p Route<'a>>,
    /// The upstream the route names, or the server's backend.
    pub(crate) pool: Option<&'p Pool<'a>>,
    /// HAProxy: the server.
    pub(crate) server: Option<&'p Server<'a>>,
    /// What the proxy sends there.
    pub(crate) wire: Wire,
    /// HAProxy: the `ssl` word in force (on the server's line or its `default-server`).
    pub(crate) ssl: Option<Span>,
    /// Takes traffic: always for a route; for a server, not `disabled`.
    pub(crate) in_service: bool,
}

/// Every hop of the proxy: nginx routes that have `*_ssl_*` settings (http-context
/// `proxy_pass`, `grpc_pass`, `uwsgi_pass`), HAProxy servers in backend order.
pub(crate) fn hops<'p, 'a>(proxy: &'p Proxy<'a>) -> Vec<Hop<'p, 'a>> {
    use crate::model::sections::{flag, in_service, mode};
    match proxy.dialect {
        crate::finding::Dialect::Nginx => proxy
            .routes
            .iter()
            .filter(|r| prefix(r).is_some())
            .map(|r| Hop {
                route: Some(r),
                pool: match r.target {
                    Target::Pool(i) => proxy.pools.get(i),
                    _ => None,
                },
                server: None,
                wire: wire(r),
                ssl: None,
                in_service: true,
            })
            .collect(),
        crate::finding::Dialect::Haproxy => {
            let mut out = Vec::new();
            for pool in &proxy.pools {
                let http = mode(proxy, pool.scope) == "http";
                for s in &pool.servers {
                    let ssl = flag(s, "ssl", "no-ssl");
                    out.push(Hop {
                        route: None,
                        pool: Some(pool),
                        server: Some(s),
                        // Without `ssl` an http backend sends plain HTTP; a tcp one passes on
                        // what the client sends, which may be TLS.
                        wire: match (ssl, http) {
                            (Some(_), _) => Wire::Tls,
                            (None, true) => Wire::Plain,
                            (None, false) => Wire::Unknown,
                        },
                        ssl,
                        in_service: in_service(s),
                    });
                }
            }
            out
        }
    }
}

impl<'p, 'a> Hop<'p, 'a> {
    /// Where the hop names its target: the `*_pass` argument, the server's address.
    pub(crate) fn span(&self) -> Span {
        match (self.route, self.server) {
            (Some(r), _) => r.target_span,
            (None, Some(s)) => s.endpoint_span,
            (None, None) => unreachable!("a hop is a route or a server"),
        }
    }

    /// The addresses traffic reaches from here ([`reach`] for a route; the server's own).
    pub(crate) fn reach(&self, proxy: &Proxy) -> Vec<Reach> {
        match (self.route, self.server) {
            (Some(r), _) => reach(proxy, r),
            (None, Some(s)) => vec![Reach {
                port: crate::model::sections::port(s),
                implied: false,
                span: s.endpoint_span,
            }],
            (None, None) => Vec::new(),
        }
    }

    /// Where the proxy sets up TLS for this hop when it loads the configuration, and so
    /// checks its TLS settings: nginx for a TLS scheme and, as nginx 1.22.1 does, for a
    /// target built from variables (the route's directive); HAProxy for a server with `ssl`
    /// or `check-ssl` in force, and also one that inherits either from `default-server` even
    /// where its own line says `no-ssl` (observed with `haproxy -c` 2.6; the word's span).
    pub(crate) fn prepared(&self) -> Option<Span> {
        use crate::model::sections::{flag, own};
        match (self.route, self.server) {
            (Some(r), _) => may_use_tls(r).then_some(r.directive.span()),
            (None, Some(s)) => flag(s, "ssl", "no-ssl")
                .or_else(|| flag(s, "check-ssl", "no-check-ssl"))
                .or_else(|| {
                    s.params()
                        .find(|(n, _, span)| matches!(*n, "ssl" | "check-ssl") && !own(s, *span))
                        .map(|(_, _, span)| span)
                }),
            (None, None) => None,
        }
    }

    /// Is the backend's certificate verified: nginx's `*_ssl_verify` (off by default);
    /// HAProxy's `verify` on the server (or `default-server`), else `global`'s
    /// `ssl-server-verify`, whose default is `required`.
    pub(crate) fn verify(&self, proxy: &Proxy) -> Typed<bool> {
        match (self.route, self.server) {
            (Some(r), _) => {
                let s = ssl_setting(proxy, r, "verify");
                Typed {
                    value: is_on(&s),
                    origin: s.origin(),
                    name: format!("{}_ssl_verify", prefix(r).unwrap_or("proxy")),
                    written: s.first().unwrap_or("off").to_string(),
                }
            }
            (None, server) => {
                if let Some((v, span)) = server.and_then(|s| s.value("verify")) {
                    return Typed {
                        value: v != "none",
                        origin: Origin::Set(span),
                        name: "verify".into(),
                        written: v.into(),
                    };
                }
                match crate::model::sections::global(proxy, "ssl-server-verify") {
                    Some(g) => Typed {
                        value: g.arg(0) != Some("none"),
                        origin: Origin::Set(g.span()),
                        name: "ssl-server-verify".into(),
                        written: g.arg(0).unwrap_or_default().into(),
                    },
                    None => Typed {
                        value: true,
                        origin: Origin::Default,
                        name: "ssl-server-verify".into(),
                        written: "required".into(),
                    },
                }
            }
        }
    }

    /// The CA file the certificate is verified against, when one is in force: nginx's
    /// `*_ssl_trusted_certificate`, HAProxy's `ca-file`.
    pub(crate) fn ca(&self, proxy: &Proxy) -> Option<Typed<String>> {
        match (self.route, self.server) {
            (Some(r), _) => {
                let s = ssl_setting(proxy, r, "trusted_certificate");
                let written = s.first()?.to_string();
                s.is_set().then(|| Typed {
                    value: written.clone(),
                    origin: s.origin(),
                    name: format!("{}_ssl_trusted_certificate", prefix(r).unwrap_or("proxy")),
                    written,
                })
            }
            (None, server) => {
                let (v, span) = server?.value("ca-file")?;
                Some(Typed {
                    value: v.into(),
                    origin: Origin::Set(span),
                    name: "ca-file".into(),
                    written: v.into(),
                })
            }
        }
    }

    /// The first address this hop reaches that is a DNS name of two labels or more (a name
    /// a certificate is issued for), with its span: a direct target's host, or a server's.
    pub(crate) fn named_host(&self, proxy: &'p Proxy<'a>) -> Option<(&'p str, Span)> {
        let servers: &'p [Server<'a>] = match (self.route, self.server) {
            (Some(r), _) => match &r.target {
                Target::Endpoint(Endpoint::Inet { host, .. }) => {
                    return is_dotted_host_name(host).then_some((host.as_str(), r.target_span));
                }
                Target::Pool(i) => &proxy.pools[*i].servers,
                _ => return None,
            },
            (None, Some(s)) => std::slice::from_ref(s),
            (None, None) => return None,
        };
        servers.iter().find_map(|s| match &s.endpoint {
            Endpoint::Inet { host, .. } if is_dotted_host_name(host) => {
                Some((host.as_str(), s.endpoint_span))
            }
            _ => None,
        })
    }

    /// What the proxy sends as SNI on this hop, for the configured release (`version`,
    /// HAProxy's; None: not configured).
    pub(crate) fn sni(
        &self,
        proxy: &Proxy,
        version: Option<crate::version::Version>,
    ) -> Typed<Sni> {
        use crate::model::sections::{SNI_AUTO_FROM, mode, sni_auto};
        match (self.route, self.server) {
            (Some(r), _) => {
                let on = ssl_setting(proxy, r, "server_name");
                let value = if !is_on(&on) {
                    Sni::Off
                } else {
                    match explicit_ssl_name(proxy, r) {
                        Some(name) => Sni::Set(name),
                        None => Sni::PassHost,
                    }
                };
                Typed {
                    value,
                    origin: on.origin(),
                    name: format!("{}_ssl_server_name", prefix(r).unwrap_or("proxy")),
                    written: on.first().unwrap_or("off").to_string(),
                }
            }
            (None, Some(s)) => {
                if let Some((v, span)) = s.value("sni") {
                    return Typed {
                        value: Sni::Set(v.to_string()),
                        origin: Origin::Set(span),
                        name: "sni".into(),
                        written: v.into(),
                    };
                }
                // From 3.3, `sni-auto` (on unless `no-sni-auto`) sends an HTTP request's Host.
                let pool = self.pool.expect("a server has its backend");
                let auto = mode(proxy, pool.scope) == "http" && sni_auto(s);
                let value = match version {
                    Some(v) if v >= SNI_AUTO_FROM && auto => Sni::RequestHost,
                    None if auto => Sni::OffBefore(SNI_AUTO_FROM),
                    _ => Sni::Off,
                };
                Typed {
                    value,
                    origin: Origin::Default,
                    name: "sni".into(),
                    written: String::new(),
                }
            }
            (None, None) => Typed {
                value: Sni::Off,
                origin: Origin::Default,
                name: String::new(),
                written: String::new(),
            },
        }
    }

    /// The name nginx checks the certificate against and sends as SNI when it is set by
    /// hand (`*_ssl_name`, other than `$proxy_host`); None for an HAProxy server.
    pub(crate) fn name(&self, proxy: &Proxy) -> Option<String> {
        explicit_ssl_name(proxy, self.route?)
    }

    /// The Host header the backend gets on this hop. nginx: the `proxy_set_header Host` in
    /// force, or `$proxy_host` by default; HAProxy: the client's, unless a rule anywhere
    /// rewrites it (then None: not known). None also where no HTTP Host is sent
    /// (`grpc_pass`, `uwsgi_pass`, an HAProxy backend in `mode tcp`).
    pub(crate) fn host_header(
        &self,
        proxy: &Proxy,
        hosts: &HostRewrites,
    ) -> Option<Typed<HostHeader>> {
        match (self.route, self.server) {
            (Some(r), _) => {
                if r.pass != Pass::Proxy {
                    return None;
                }
                let Some(d) = proxy.set_header(r.scope, "host") else {
                    return Some(Typed {
                        value: HostHeader::PassHost,
                        origin: Origin::Default,
                        name: "proxy_set_header Host".into(),
                        written: "$proxy_host".into(),
                    });
                };
                let value = d.args().get(1)?;
                let v = value.value.as_str();
                Some(Typed {
                    value: if value.has_variable() {
                        match v.contains("$proxy_host") {
                            true => HostHeader::PassHost,
                            false => HostHeader::PerRequest,
                        }
                    } else {
                        HostHeader::Fixed(v.to_string())
                    },
                    origin: Origin::Set(d.span()),
                    name: "proxy_set_header Host".into(),
                    written: v.to_string(),
                })
            }
            (None, Some(_)) => {
                let pool = self.pool?;
                if crate::model::sections::mode(proxy, pool.scope) != "http" {
                    return None;
                }
                let rewritten = hosts.rewritten;
                (!rewritten).then(|| Typed {
                    value: HostHeader::PerRequest,
                    origin: Origin::Default,
                    name: "Host".into(),
                    written: String::new(),
                })
            }
            (None, None) => None,
        }
    }

    /// Where every server this hop reaches (those that take traffic) is an IP literal: the
    /// target as a message names it (`10.0.0.5:443`, ``upstream `app` ``, the server's
    /// address). None when a server has a name, or nothing is reached.
    pub(crate) fn ip_only(&self, proxy: &Proxy) -> Option<String> {
        let ip = |e: &Endpoint| matches!(e, Endpoint::Inet { host, .. } if is_ip(host));
        match (self.route, self.server) {
            (Some(r), _) => match &r.target {
                Target::Endpoint(Endpoint::Inet { host, port }) if is_ip(host) => {
                    let host = if host.contains(':') {
                        format!("[{host}]")
                    } else {
                        host.to_string()
                    };
                    Some(match port {
                        Some(port) => format!("{host}:{port}"),
                        None => host,
                    })
                }
                Target::Pool(i) => {
                    let pool = &proxy.pools[*i];
                    let mut live = pool.servers.iter().filter(|s| !s.flag("down")).peekable();
                    live.peek()?;
                    live.all(|s| ip(&s.endpoint))
                        .then(|| format!("upstream `{}`", pool.name))
                }
                _ => None,
            },
            (None, Some(s)) => match &s.endpoint {
                Endpoint::Inet { host, .. } if is_ip(host) => Some(host.clone()),
                _ => None,
            },
            (None, None) => None,
        }
    }

    /// What the target at `reach` speaks ([`speaks`]).
    pub(crate) fn speaks(
        &self,
        proxy: &Proxy,
        facts: &crate::facts::Facts,
        sources: &crate::source::SourceMap,
        listeners: &Listening,
        reach: &Reach,
    ) -> Speaks {
        match (self.route, self.server) {
            (Some(route), _) => route_speaks(proxy, facts, sources, listeners, route, reach),
            (None, Some(s)) => speaks(
                proxy,
                facts,
                listeners,
                self.pool,
                &s.endpoint,
                sources.text(s.endpoint_span),
                reach,
            ),
            (None, None) => Speaks::Unknown,
        }
    }
}

/// What a proxy sends as SNI on a TLS hop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Sni {
    /// Nothing.
    Off,
    /// Nothing before this release, the request's Host from it (HAProxy's `sni-auto`, when
    /// no release is configured).
    OffBefore(crate::version::Version),
    /// nginx with SNI on and no `*_ssl_name`: the host of the `*_pass` (an upstream's name
    /// for an upstream).
    PassHost,
    /// A name or expression set by hand (`*_ssl_name`, HAProxy's `sni`).
    Set(String),
    /// The client's Host header (HAProxy's `sni-auto`, from 3.3).
    RequestHost,
}

/// Whether an HAProxy configuration rewrites the Host header anywhere (then what reaches a
/// backend is not known): read once per proxy, as every server asks.
pub(crate) struct HostRewrites {
    rewritten: bool,
}

impl HostRewrites {
    pub(crate) fn of(proxy: &Proxy) -> HostRewrites {
        HostRewrites {
            rewritten: proxy.dialect == crate::finding::Dialect::Haproxy
                && proxy.scopes.iter().any(|s| {
                    s.directives.iter().any(|d| {
                        d.name() == "http-request"
                            && matches!(
                                d.arg(0),
                                Some("set-header" | "replace-header" | "del-header" | "add-header")
                            )
                            && d.arg(1).is_some_and(|h| h.eq_ignore_ascii_case("host"))
                    })
                }),
        }
    }
}

/// The Host header a backend gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HostHeader {
    /// The host of the `*_pass` (nginx's `$proxy_host`, its default).
    PassHost,
    /// The client's as it came (HAProxy's; nginx `$host`, `$http_host`), or another value
    /// computed per request (an nginx variable other than `$proxy_host`).
    PerRequest,
    /// A name written in the configuration.
    Fixed(String),
}

/// A hop that sends one thing to targets that speak the other (GW401: plain text to TLS,
/// GW402: TLS to plain text).
#[derive(Debug)]
pub(crate) struct Crossed<'p, 'a> {
    pub(crate) hop: Hop<'p, 'a>,
    /// The addresses reached that speak the other, and what says so.
    pub(crate) at: Vec<(Reach, Evidence)>,
    /// Of the servers that take traffic there (a route's reach; an HAProxy backend's
    /// servers in service), how many are crossed and how many there are.
    pub(crate) crossed: usize,
    pub(crate) of: usize,
}

/// The hops of `hops` that send `sends` (TLS or plain text) where the target speaks the
/// other.
pub(crate) fn crossed<'p, 'a>(
    proxy: &'p Proxy<'a>,
    facts: &crate::facts::Facts,
    sources: &crate::source::SourceMap,
    hops: &[Hop<'p, 'a>],
    sends: Wire,
) -> Vec<Crossed<'p, 'a>> {
    let mut listeners: Option<Listening> = None;
    let mut out: Vec<Crossed> = Vec::new();
    for hop in hops.iter().filter(|h| h.in_service && h.wire == sends) {
        let reach = hop.reach(proxy);
        let listeners = listeners.get_or_insert_with(|| Listening::of(proxy));
        let at: Vec<(Reach, Evidence)> = reach
            .iter()
            .filter_map(
                |r| match (sends, hop.speaks(proxy, facts, sources, listeners, r)) {
                    (Wire::Plain, Speaks::Tls(e)) | (Wire::Tls, Speaks::Plain(e)) => {
                        Some((r.clone(), e))
                    }
                    _ => None,
                },
            )
            .collect();
        if at.is_empty() {
            continue;
        }
        out.push(Crossed {
            crossed: at.len(),
            of: reach.len(),
            hop: hop.clone(),
            at,
        });
    }
    // An HAProxy server is one of its backend's: count the backend's servers, by backend.
    if proxy.dialect == crate::finding::Dialect::Haproxy {
        let key = |pool: Option<&Pool>| pool.map(|p| p as *const Pool as usize);
        let mut serving: std::collections::HashMap<Option<usize>, usize> = Default::default();
        for h in hops.iter().filter(|h| h.in_service) {
            *serving.entry(key(h.pool)).or_default() += 1;
        }
        let mut crossed: std::collections::HashMap<Option<usize>, usize> = Default::default();
        for c in &out {
            *crossed.entry(key(c.hop.pool)).or_default() += 1;
        }
        for c in &mut out {
            c.crossed = crossed[&key(c.hop.pool)];
            c.of = serving[&key(c.hop.pool)];
        }
    }
    out
}

/// The TLS and the plain-text scheme of a hand-off: (`https://`, `http://`), (`grpcs://`,
/// `grpc://`), (`suwsgi://`, `uwsgi://`).
pub(crate) fn schemes(pass: Pass) -> (&'static str, &'static str) {
    match pass {
        Pass::Grpc => ("grpcs://", "grpc://"),
        Pass::Uwsgi => ("suwsgi://", "uwsgi://"),
        _ => ("https://", "http://"),
    }
}

/// What this configuration's own listeners take at `host:port`.
enum Own {
    Plain(Span),
    Tls(Span),
    /// A TLS listener shares the port, though not the address reached: nginx turns `ssl` on
    /// for every server of a socket when one asks for it, and which socket takes the
    /// connection is not judged.
    Unsure,
}

/// None: not a listener of its own, a TCP or HTTP/2 or PROXY-protocol one, or a tree with
/// includes not followed, which may hold `ssl` on the same port.
fn own_listener(proxy: &Proxy, listeners: &Listening, host: &str, port: u16) -> Option<Own> {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    if proxy.fragment || proxy.unknown_includes() {
        return None;
    }
    let ips: Vec<IpAddr> = match host {
        "localhost" => vec![Ipv4Addr::LOCALHOST.into(), Ipv6Addr::LOCALHOST.into()],
        h => h.parse().into_iter().collect(),
    };
    let on_port = listeners.on_port(port);
    let takes = |l: &Listener, ip: &IpAddr| match &l.bound {
        Bound::AnyV4 => ip.is_ipv4() && ip.is_loopback(),
        Bound::AnyV6 { v4 } => ip.is_loopback() && (ip.is_ipv6() || *v4),
        Bound::Ip(b) => b == ip,
        Bound::Name(n) => {
            n == "localhost"
                && (*ip == IpAddr::from(Ipv4Addr::LOCALHOST)
                    || *ip == IpAddr::from(Ipv6Addr::LOCALHOST))
        }
        Bound::Unix(_) => false,
    };
    let reached: Vec<&Listener> = on_port
        .iter()
        .copied()
        .filter(|l| ips.iter().any(|ip| takes(l, ip)))
        .collect();
    let first = reached.first()?;
    // `ssl` on the listen, or `ssl on;` for all of a server's.
    let tls = |l: &&Listener| {
        l.ssl
            || (proxy.dialect == crate::finding::Dialect::Nginx
                && proxy.setting(l.scope, "ssl").first() == Some("on"))
    };
    if let Some(l) = reached.iter().find(|l| tls(l)) {
        return Some(Own::Tls(l.span));
    }
    if on_port.iter().any(tls) {
        return Some(Own::Unsure);
    }
    if reached.iter().any(|l| l.tcp || l.http2 || l.proxy_protocol) {
        return None;
    }
    Some(Own::Plain(first.span))
}

/// An IP literal (IPv6 without brackets, as the model holds it).
pub(crate) fn is_ip(host: &str) -> bool {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
        .is_ok()
}

/// A DNS name with at least two labels, such as a public certificate names: `api.example.com`.
pub(crate) fn is_dotted_host_name(name: &str) -> bool {
    !is_ip(name)
        && name.contains('.')
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// A single DNS label (`backend`, `api-1`): a host name on a private network at best.
pub(crate) fn is_single_label(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && !name.ends_with('-')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !name.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_dotted_host_name("api.example.com"));
        assert!(!is_dotted_host_name("10.0.0.1"));
        assert!(!is_dotted_host_name("api_backend"));
        assert!(!is_dotted_host_name("backend"));
        assert!(is_single_label("backend"));
        assert!(!is_single_label("api_backend"));
        assert!(is_ip("::1"));
        assert!(is_ip("[::1]"));
    }
}
