//! `proxy_pass http://` (or `grpc://`, `uwsgi://`) to a port where TLS listens.

use super::support_haproxy::{flag, mode, port, server_among, serving};
use crate::model::tls::{Wire, reach, wire};
use super::Context;
use crate::finding::{Dialect, Finding, Severity};
use crate::model::Target;

declare_rule! {
    code: "GW401",
    name: "http-to-tls-port",
    severity: Error,
    family: Tls,
    dialects: [Nginx, Haproxy],
    refuses: [],
    summary: "a plain-text *_pass (http://, grpc://, uwsgi://) to port 443, 8443, 9443 or a TLS-only service's port (6443 kube-apiserver, 10250 kubelet, 2376 dockerd, 5986 WinRM), where TLS listens (HAProxy: an http backend's server there without `ssl`)",
}

/// Ports where a TLS listener is the convention, or where the service that owns the port
/// speaks nothing but TLS.
pub const TLS_PORTS: &[u16] = &[443, 8443, 9443, 6443, 10250, 2376, 5986];

/// The service whose port it is, where that is what makes it TLS-only.
pub fn tls_port_owner(port: u16) -> Option<&'static str> {
    match port {
        6443 => Some("the Kubernetes API server's port"),
        10250 => Some("the kubelet's port"),
        2376 => Some("the Docker daemon's TLS port"),
        5986 => Some("WinRM's HTTPS port"),
        _ => None,
    }
}

/// "a TLS port", and whose when that says why.
fn tls_port(port: u16) -> String {
    match tls_port_owner(port) {
        Some(owner) => format!("a TLS port ({owner})"),
        None => "a TLS port".into(),
    }
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    if ctx.proxy.dialect == Dialect::Haproxy {
        return super::support_online::haproxy_wire(ctx, &RULE, false, haproxy, out);
    }
    for route in &ctx.proxy.routes {
        if wire(route) != Wire::Plain {
            continue;
        }
        // With --online the answer to a ClientHello decides, not the port number.
        if let Some(seen) = super::support_online::wire_mismatch(ctx, route, &RULE, false) {
            out.extend(seen);
            continue;
        }
        let reach = reach(ctx.proxy, route);
        let on_tls: Vec<_> = reach
            .iter()
            .filter(|r| r.port.is_some_and(|p| TLS_PORTS.contains(&p)))
            .collect();
        if on_tls.is_empty() {
            continue;
        }
        let written = ctx.sources.text(route.target_span);
        let (tls_scheme, plain_scheme) = match route.pass {
            crate::model::Pass::Grpc => ("grpcs://", "grpc://"),
            crate::model::Pass::Uwsgi => ("suwsgi://", "uwsgi://"),
            _ => ("https://", "http://"),
        };
        let fixed = match written.find("://") {
            Some(i) => format!("{tls_scheme}{}", &written[i + 3..]),
            None => format!("{tls_scheme}{written}"),
        };
        let consequence = "nginx sends plain text to a TLS listener: the backend resets or closes the connection (`recv() failed (104: Connection reset by peer) while reading response header from upstream` or `upstream prematurely closed connection while reading response header from upstream`) and the client gets 502; an nginx backend answers 400 `The plain HTTP request was sent to HTTPS port` instead";
        let help = format!(
            "if the backend speaks TLS there, write `{fixed}`; if it really serves {plain_scheme} on that port, move it off a port that is reserved for TLS"
        );
        let f = match &route.target {
            Target::Pool(i) => {
                let pool = &ctx.proxy.pools[*i];
                let all = on_tls.len() == reach.len();
                // "a TLS port", and whose when every server's port is the same service's.
                let first = on_tls[0].port.unwrap_or(0);
                let kind = match on_tls.iter().all(|r| r.port == Some(first)) {
                    true => tls_port(first),
                    false => "a TLS port".to_string(),
                };
                let mut f = Finding::new(
                    &RULE,
                    route.target_span,
                    if all {
                        format!(
                            "`{}` speaks {plain_scheme} to upstream `{}`, whose servers all listen on {kind}: {consequence}",
                            route.pass.directive(),
                            pool.name
                        )
                    } else {
                        format!(
                            "`{}` speaks {plain_scheme} to upstream `{}`, and {} of its {} servers listen on {kind}: for the requests sent there {consequence}",
                            route.pass.directive(),
                            pool.name,
                            on_tls.len(),
                            reach.len()
                        )
                    },
                )
                .label(format!("{plain_scheme} to servers on a TLS port"))
                .help(help);
                if !all {
                    f = f.severity(Severity::Warning);
                }
                for r in &on_tls {
                    let p = r.port.unwrap_or(0);
                    f = f.related(r.span, format!("port {p} is {}", tls_port(p)));
                }
                f
            }
            Target::Missing(_) => continue,
            Target::Endpoint(_) => Finding::new(
                &RULE,
                route.target_span,
                format!(
                    "`{}` speaks {plain_scheme} to port {}, {}: {consequence}",
                    route.pass.directive(),
                    on_tls[0].port.unwrap_or(0),
                    tls_port(on_tls[0].port.unwrap_or(0))
                ),
            )
            .label(format!("{plain_scheme} to a TLS port"))
            .help(help),
        };
        out.push(f);
    }
}

/// HAProxy: a server of an http backend on a TLS port without `ssl`. A tcp backend passes
/// TLS through untouched, so its servers on 443 are right without `ssl`.
fn haproxy(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    for pool in &proxy.pools {
        if mode(proxy, pool.scope) != "http" {
            continue;
        }
        let live = serving(pool);
        let bad: Vec<_> = live
            .iter()
            .filter(|s| port(s).is_some_and(|p| TLS_PORTS.contains(&p)))
            .filter(|s| flag(s, "ssl", "no-ssl").is_none())
            .collect();
        for s in &bad {
            let p = port(s).unwrap_or(0);
            let partial = bad.len() < live.len();
            let who = server_among(pool, s, live.len(), bad.len());
            let mut f = Finding::new(
                &RULE,
                s.endpoint_span,
                format!(
                    "{who} is on port {p}, {}, without `ssl`: HAProxy sends plain HTTP to a TLS listener, which closes the connection, and the client gets 502 (termination state `SH--`); an nginx backend answers 400 `The plain HTTP request was sent to HTTPS port` instead",
                    tls_port(p)
                ),
            )
            .label("plain HTTP to a TLS port")
            .help(
                "if the backend speaks TLS there, add `ssl verify required ca-file /etc/ssl/certs/ca-certificates.crt` to the server line; if it serves plain HTTP on that port, move it off a port that is reserved for TLS",
            );
            if partial {
                f = f.severity(Severity::Warning);
            }
            out.push(f);
        }
    }
}
