//! `0.0.0.0` or `[::]` (an address to listen on) as the address to connect to.

use crate::model::sections::{server_name, serving};
use super::Context;
use crate::finding::{Dialect, Finding, Severity};
use crate::model::listen::{Bound, Listener, listeners};
use crate::model::{Ctx, Endpoint, Target};
use crate::source::Span;

declare_rule! {
    code: "GW116",
    name: "connect-to-any-address",
    severity: Warning,
    family: DeadTargets,
    dialects: [Nginx, Haproxy],
    refuses: [],
    summary: "`0.0.0.0` or `[::]`, an address to listen on, as a *_pass target or upstream `server`: Linux connects to this host's loopback, so in a container the proxy reaches its own container and answers 502 (HAProxy, as info: the address each client connected to)",
}

/// The host of an address that names no host: `0.0.0.0`, `::` (HAProxy also `*` and nothing,
/// as in `:8080`).
fn any_address(endpoint: &Endpoint, dialect: Dialect) -> Option<(&str, Option<u16>)> {
    let Endpoint::Inet { host, port } = endpoint else {
        return None;
    };
    let any = host
        .parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_unspecified())
        || (dialect == Dialect::Haproxy && matches!(host.as_str(), "*" | ""));
    any.then_some((host.as_str(), *port))
}

/// Does a listener of this configuration take a connection to this host's loopback on
/// `port`? Then the target is the proxy itself, on purpose.
fn own_port(listeners: &[Listener], port: u16) -> bool {
    listeners.iter().any(|l| {
        !l.tcp
            && (l.ports.0..=l.ports.1).contains(&port)
            && match &l.bound {
                Bound::AnyV4 | Bound::AnyV6 { .. } => true,
                Bound::Ip(ip) => ip.is_loopback(),
                Bound::Name(n) => n == "localhost",
                Bound::Unix(_) => false,
            }
    })
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    let mut own: Option<Vec<Listener>> = None;
    let mut own_port = |port: u16| own_port(own.get_or_insert_with(|| listeners(proxy)), port);
    if proxy.dialect == Dialect::Haproxy {
        for pool in &proxy.pools {
            for s in serving(pool) {
                let Some((host, port)) = any_address(&s.endpoint, proxy.dialect) else {
                    continue;
                };
                if port.is_some_and(&mut own_port) {
                    continue;
                }
                let written = ctx.sources.text(s.endpoint_span);
                let port = port.map_or("the port the client connected to".to_string(), |p| {
                    format!("port {p}")
                });
                let check = match s.param("check") {
                    Some(_) => format!(
                        ", while its health check connects to `{}` itself, this host's loopback: the check and the traffic may reach different listeners",
                        if host.is_empty() || host == "*" {
                            "0.0.0.0"
                        } else {
                            host
                        }
                    ),
                    None => String::new(),
                };
                out.push(
                    Finding::new(
                        &RULE,
                        s.endpoint_span,
                        format!(
                            "server '{}' has no address (`{written}`): HAProxy connects each request to the address the client connected to, this proxy's own, on {port}{check}; in a container that is the proxy's own container, where nothing listens, and requests get 503 (`SC--`, connection refused)",
                            server_name(pool, s)
                        ),
                    )
                    .severity(Severity::Info)
                    .label("no address: the proxy's own")
                    .help("write the backend's address: its service or host name in a container network (`app:8080`), or `127.0.0.1:8080` for a backend on this host; keep `0.0.0.0` only to remap ports on the addresses this proxy listens on"),
                );
            }
        }
        return;
    }
    let mut report = |span: Span, written: &str, host: &str, port: Option<u16>, what: String| {
        if port.is_some_and(&mut own_port) {
            return;
        }
        let (loopback, family) = match host.contains(':') {
            true => (
                "::1",
                " (an IPv6 loopback: a backend listening on IPv4 only refuses it)",
            ),
            false => ("127.0.0.1", ""),
        };
        out.push(
            Finding::new(
                &RULE,
                span,
                format!(
                    "{what} connects to `{written}`, an address to listen on, not to connect to: Linux sends the connection to this host's loopback, {loopback}{family}, so it reaches a backend only on the proxy's own host; in a container that is the proxy's own container, where nothing listens: `connect() failed (111: Connection refused) while connecting to upstream` and 502",
                ),
            )
            .label("a listen address as the target")
            .help("write the backend's address: its service or host name in a container network (`app:8080`), or `127.0.0.1:8080` for a backend on this host"),
        );
    };
    for route in &proxy.routes {
        if route.ctx != Ctx::Http {
            continue;
        }
        if let Target::Endpoint(e) = &route.target
            && let Some((host, port)) = any_address(e, proxy.dialect)
        {
            let what = format!("`{}`", route.pass.directive());
            let written = route
                .directive
                .arg(0)
                .map_or("", |a| crate::model::endpoint::split_url(a).1);
            report(route.target_span, written, host, port, what);
        }
    }
    for pool in proxy.pools.iter().filter(|p| p.ctx == Ctx::Http) {
        for s in pool.servers.iter().filter(|s| !s.flag("down")) {
            if let Some((host, port)) = any_address(&s.endpoint, proxy.dialect) {
                let what = format!("a `server` of upstream `{}`", pool.name);
                let written = ctx.sources.text(s.endpoint_span);
                report(s.endpoint_span, written, host, port.or(Some(80)), what);
            }
        }
    }
}
