//! `proxy_pass http://` (or `grpc://`, `uwsgi://`) to a port where TLS listens.

use std::collections::HashSet;

use super::Context;
use crate::finding::{Finding, Severity};
use crate::model::Target;
use crate::model::sections::server_among;
use crate::model::tls::{Crossed, Evidence, Wire, crossed, hops, schemes, tls_port_owner};

declare_rule! {
    code: "GW401",
    name: "http-to-tls-port",
    severity: Error,
    family: Tls,
    dialects: [Nginx, Haproxy],
    refuses: [],
    summary: "a plain-text *_pass (http://, grpc://, uwsgi://) to port 443, 8443, 9443 or a TLS-only service's port (6443 kube-apiserver, 10250 kubelet, 2376 dockerd, 5986 WinRM), to the configuration's own `listen … ssl`, or to a backend gwlint.toml declares TLS (`tls = true`), where TLS listens (HAProxy: an http backend's server there without `ssl`)",
}

/// "a TLS port", and whose when that says why.
fn tls_port(port: u16) -> String {
    match tls_port_owner(port) {
        Some(owner) => format!("a TLS port ({owner})"),
        None => "a TLS port".into(),
    }
}

/// What a related note says at a target that takes TLS.
fn note(e: &Evidence) -> String {
    match e {
        Evidence::Port { port, .. } => format!("port {port} is {}", tls_port(*port)),
        Evidence::Listener(_) => "this configuration's own TLS listener (`ssl`)".into(),
        Evidence::Declared(origin) => format!("declared TLS (`tls = true`, {origin})"),
    }
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let hops = hops(ctx.proxy);
    // With --online the answer to a ClientHello decides, not the port number.
    let mut observed = HashSet::new();
    for hop in hops.iter().filter(|h| h.in_service && h.wire == Wire::Plain) {
        if let Some(seen) = super::support_online::wire_observed(ctx, hop, &RULE, false) {
            out.extend(seen);
            observed.insert(hop.span());
        }
    }
    for c in crossed(ctx.proxy, ctx.facts, ctx.sources, &hops, Wire::Plain) {
        if !observed.contains(&c.hop.span()) {
            out.push(finding(ctx, &c));
        }
    }
}

/// The finding at a hop that sends plain text where TLS listens: at the `*_pass` argument
/// (for every server of its upstream), or at the HAProxy server (an http backend's: a tcp
/// backend passes TLS through untouched, so its servers on 443 are right without `ssl`).
fn finding(ctx: &Context, c: &Crossed) -> Finding {
    let on_tls = &c.at;
    let partial = c.crossed < c.of;
    let route = match (c.hop.route, c.hop.server) {
        (None, Some(s)) => {
            let pool = c.hop.pool.expect("a server has its backend");
            let who = server_among(pool, s, c.of, c.crossed);
            let address = ctx.sources.text(s.endpoint_span);
            let e = &on_tls[0].1;
            let to = match e {
                Evidence::Port { port, .. } => format!("is on port {port}, {}, without `ssl`", tls_port(*port)),
                Evidence::Listener(bind) => format!(
                    "has no `ssl` for `{address}`, where this configuration's own `bind {}` takes TLS (`ssl`)",
                    ctx.sources.text(*bind)
                ),
                Evidence::Declared(origin) => {
                    format!("has no `ssl` for `{address}`, which {origin} declares TLS (`tls = true`)")
                }
            };
            let mut f = Finding::new(
                &RULE,
                s.endpoint_span,
                format!(
                    "{who} {to}: HAProxy sends plain HTTP to a TLS listener, which closes the connection, and the client gets 502 (termination state `SH--`); an nginx backend answers 400 `The plain HTTP request was sent to HTTPS port` instead",
                ),
            )
            .label(match e {
                Evidence::Port { .. } => "plain HTTP to a TLS port",
                _ => "plain HTTP to a TLS listener",
            })
            .help(
                "if the backend speaks TLS there, add `ssl verify required ca-file /etc/ssl/certs/ca-certificates.crt` to the server line; if it serves plain HTTP on that port, move it off a port that is reserved for TLS",
            );
            if let Evidence::Listener(bind) = e {
                f = f.related(*bind, "TLS: `ssl` on this bind");
            }
            if partial {
                f = f.severity(Severity::Warning);
            }
            return f;
        }
        (Some(route), _) => route,
        (None, None) => unreachable!("a hop is a route or a server"),
    };
    let written = ctx.sources.text(route.target_span);
    let (tls_scheme, plain_scheme) = schemes(route.pass);
    let fixed = match written.find("://") {
        Some(i) => format!("{tls_scheme}{}", &written[i + 3..]),
        None => format!("{tls_scheme}{written}"),
    };
    let consequence = "nginx sends plain text to a TLS listener: the backend resets or closes the connection (`recv() failed (104: Connection reset by peer) while reading response header from upstream` or `upstream prematurely closed connection while reading response header from upstream`) and the client gets 502; an nginx backend answers 400 `The plain HTTP request was sent to HTTPS port` instead";
    let listener = on_tls.iter().find_map(|(_, e)| match e {
        Evidence::Listener(span) => Some(*span),
        _ => None,
    });
    let help = match listener {
        Some(listen) => format!(
            "the listener `{}` takes TLS: write `{fixed}`, or remove `ssl` from that `listen` if it should take {plain_scheme}",
            ctx.sources.text(listen)
        ),
        None => format!(
            "if the backend speaks TLS there, write `{fixed}`; if it really serves {plain_scheme} on that port, move it off a port that is reserved for TLS"
        ),
    };
    let by_port = on_tls
        .iter()
        .all(|(_, e)| matches!(e, Evidence::Port { .. }));
    let f = match &route.target {
        Target::Pool(i) => {
            let pool = &ctx.proxy.pools[*i];
            let all = !partial;
            let place = match by_port {
                // "a TLS port", and whose when every server's port is the same service's.
                true => {
                    let first = on_tls[0].0.port.unwrap_or(0);
                    match on_tls.iter().all(|(r, _)| r.port == Some(first)) {
                        true => format!("listen on {}", tls_port(first)),
                        false => "listen on a TLS port".to_string(),
                    }
                }
                false => {
                    let mut why: Vec<String> = Vec::new();
                    for (_, e) in on_tls {
                        let w = match e {
                            Evidence::Port { .. } => "on a TLS port".to_string(),
                            Evidence::Listener(_) => {
                                "this configuration's own listener there has `ssl`".into()
                            }
                            Evidence::Declared(origin) => format!("`tls = true` at {origin}"),
                        };
                        if !why.contains(&w) {
                            why.push(w);
                        }
                    }
                    format!("take TLS ({})", why.join("; "))
                }
            };
            let mut f = Finding::new(
                &RULE,
                route.target_span,
                if all {
                    format!(
                        "`{}` speaks {plain_scheme} to upstream `{}`, whose servers all {place}: {consequence}",
                        route.pass.directive(),
                        pool.name
                    )
                } else {
                    format!(
                        "`{}` speaks {plain_scheme} to upstream `{}`, and {} of its {} servers {place}: for the requests sent there {consequence}",
                        route.pass.directive(),
                        pool.name,
                        c.crossed,
                        c.of
                    )
                },
            )
            .label(match by_port {
                true => format!("{plain_scheme} to servers on a TLS port"),
                false => format!("{plain_scheme} to servers that take TLS"),
            })
            .help(help);
            if !all {
                f = f.severity(Severity::Warning);
            }
            for (r, e) in on_tls {
                f = f.related(r.span, note(e));
            }
            f
        }
        Target::Missing(_) => unreachable!("a route without a target reaches nothing"),
        Target::Endpoint(_) => {
            let address = route
                .directive
                .arg(0)
                .map_or("", |a| crate::model::endpoint::split_url(a).1);
            let why = match &on_tls[0].1 {
                Evidence::Port { port, .. } => format!("port {port}, {}", tls_port(*port)),
                Evidence::Listener(listen) => format!(
                    "`{address}`, where this configuration's own `listen {}` takes TLS (`ssl`)",
                    ctx.sources.text(*listen)
                ),
                Evidence::Declared(origin) => {
                    format!("`{address}`, which {origin} declares TLS (`tls = true`)")
                }
            };
            Finding::new(
                &RULE,
                route.target_span,
                format!(
                    "`{}` speaks {plain_scheme} to {why}: {consequence}",
                    route.pass.directive()
                ),
            )
            .label(match by_port {
                true => format!("{plain_scheme} to a TLS port"),
                false => format!("{plain_scheme} to a TLS listener"),
            })
            .help(help)
        }
    };
    match listener {
        Some(listen) => f.related(listen, "TLS: `ssl` on this listener"),
        None => f,
    }
}

