//! TLS to a named backend without SNI, or with the upstream's name as SNI.

use super::Context;
use crate::finding::{Finding, Severity};
use crate::model::exits::Typed;
use crate::model::sections::{placed, server_name};
use crate::model::tls::{Sni, Wire, hops, is_dotted_host_name, is_ip, prefix};
use crate::model::{Endpoint, Origin, Route, Target};
use crate::source::Span;

declare_rule! {
    code: "GW403",
    name: "tls-without-sni",
    severity: Warning,
    family: Tls,
    dialects: [Nginx, Haproxy],
    refuses: [],
    summary: "TLS to a named backend without SNI (*_ssl_server_name off, HAProxy: `ssl` without `sni`), or with an upstream's name as SNI",
}

const REJECTED: &str = "a backend that chooses its certificate by SNI (a CDN, a cloud load balancer, a multi-tenant TLS front, nginx with `ssl_reject_handshake`) rejects the handshake with `SSL_do_handshake() failed (SSL: error:0A000458:SSL routines::tlsv1 unrecognized name:SSL alert number 112) while SSL handshaking to upstream` and the client gets 502";

/// One check over the model's hops (`model::tls::Hop`): TLS to a named host with no SNI
/// sent (`Hop::sni`), or, in nginx, with the upstream's name as SNI.
pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    for hop in hops(proxy) {
        if hop.wire != Wire::Tls || !hop.in_service {
            continue;
        }
        let sni = hop.sni(proxy, ctx.haproxy_version);
        if let Some(route) = hop.route {
            // With --online, what the backend did with a ClientHello without SNI decides.
            if let Some(rejected) = super::support_online::sni_required(ctx, route) {
                out.extend(observed(route, &sni, rejected));
                continue;
            }
        }
        let host = hop.named_host(proxy);
        let name = hop.name(proxy);
        let verify_on = hop.verify(proxy).value;
        match (&sni.value, hop.route, hop.server) {
            (Sni::Off, Some(route), _) => {
                // A name set by hand is judged where the target is known: an address or an
                // upstream (not a unix socket, nor a target built from variables).
                if !matches!(
                    route.target,
                    Target::Pool(_) | Target::Endpoint(Endpoint::Inet { .. })
                ) {
                    continue;
                }
                // Without SNI and without verification, a name set by hand has no effect at
                // all: it can only have been meant for SNI. With verification it may be
                // there for the certificate check alone.
                if !verify_on && name.as_deref().is_some_and(|n| !is_ip(n)) {
                    out.push(off(
                        route,
                        &sni,
                        &name,
                        format!(
                            "`{}_ssl_name` is \"{}\" but takes no effect (verification is off)",
                            prefix(route).unwrap_or("proxy"),
                            name.as_deref().unwrap_or_default()
                        ),
                    ));
                    continue;
                }
                let Some((host, at)) = host else { continue };
                let what = match hop.pool {
                    Some(pool) => format!(
                        "`{}` connects with TLS to upstream `{}`, whose servers are named hosts",
                        route.pass.directive(),
                        pool.name
                    ),
                    None => format!(
                        "`{}` connects with TLS to the host name \"{host}\"",
                        route.pass.directive()
                    ),
                };
                let f = off(route, &sni, &name, what);
                out.push(match hop.pool {
                    Some(_) => f.related(at, "a named host"),
                    None => f,
                });
            }
            // SNI is on: without a name of its own, nginx sends the upstream's name. With
            // verification on, GW405 reports the same mistake as a certificate mismatch.
            (Sni::PassHost, Some(route), _) => {
                let (Some(pool), Some((_, at))) = (hop.pool, host) else {
                    continue;
                };
                if verify_on || is_dotted_host_name(&pool.name) {
                    continue;
                }
                let p = prefix(route).unwrap_or("proxy");
                out.push(
                    Finding::new(
                        &RULE,
                        route.directive.span(),
                        format!(
                            "`{p}_ssl_server_name` is on but `{p}_ssl_name` is not set, so nginx sends the upstream's name \"{}\" as SNI: {REJECTED}",
                            pool.name
                        ),
                    )
                    .label(format!("SNI \"{}\"", pool.name))
                    .help(format!(
                        "add `{p}_ssl_name <the backend's host name>;` (e.g. the name its certificate is issued for)"
                    ))
                    .related(at, "the backend's host name"),
                );
            }
            (Sni::Off | Sni::OffBefore(_), None, Some(s)) => {
                let (Some((host, _)), Some(pool), Some(ssl)) = (host, hop.pool, hop.ssl) else {
                    continue;
                };
                let release = match sni.value {
                    Sni::OffBefore(_) => {
                        " (before HAProxy 3.3; from 3.3, `sni-auto` sends the request's Host header, which names the client's site, not this backend)"
                    }
                    _ => "",
                };
                let (span, other, own) = placed(s, ssl);
                let note = match own {
                    true => "the backend's host name",
                    false => "TLS turned on by `default-server`",
                };
                out.push(
                    Finding::new(
                        &RULE,
                        span,
                        format!(
                            "server '{}' connects with TLS to the host name \"{host}\" without `sni`, so HAProxy sends no SNI{release}: a backend that chooses its certificate by SNI (a CDN, a cloud load balancer, a multi-tenant TLS front) rejects the handshake and the client gets 503 (termination state `SC--`)",
                            server_name(pool, s)
                        ),
                    )
                    .label("TLS without SNI")
                    .help(format!(
                        "add `sni str({host})` to the server line (and `check-sni {host}` when it has `check`)"
                    ))
                    .related(other, note),
                );
            }
            _ => {}
        }
    }
}

/// nginx's finding where no SNI is sent: at the `*_ssl_server_name` that turns it off (or
/// the route, by default).
fn off(route: &Route, sni: &Typed<Sni>, name: &Option<String>, what: String) -> Finding {
    let p = prefix(route).unwrap_or("proxy");
    let help = match name {
        Some(_) => {
            format!("add `{p}_ssl_server_name on;` so that nginx sends the name it already has")
        }
        None => format!(
            "add `{p}_ssl_server_name on;` (and `{p}_ssl_name <the backend's host name>;` when the target is an upstream)"
        ),
    };
    let f = Finding::new(
        &RULE,
        at(sni, route),
        format!("{what}, and `{p}_ssl_server_name` is off, so nginx sends no SNI: {REJECTED}"),
    )
    .label("no SNI sent")
    .help(help);
    match sni.origin {
        Origin::Set(_) => f.related(route.target_span, "the TLS target"),
        Origin::Default => f,
    }
}

/// Where the SNI setting is decided: its directive, or the route by default.
fn at(sni: &Typed<Sni>, route: &Route) -> Span {
    match sni.origin {
        Origin::Set(span) => span,
        Origin::Default => route.directive.span(),
    }
}

/// The observed form (`--online`): the targets that rejected a ClientHello without SNI and
/// took one with it.
fn observed(
    route: &Route,
    sni: &Typed<Sni>,
    rejected: Vec<(Span, std::net::SocketAddr, &str, crate::probe::tls::Hello)>,
) -> Vec<Finding> {
    let p = prefix(route).unwrap_or("proxy");
    rejected
        .into_iter()
        .map(|(span, addr, name, answer)| {
            let mut f = Finding::new(
                &RULE,
                at(sni, route),
                format!(
                    "{addr} answered a ClientHello without SNI with {} and one with SNI \"{name}\" with a TLS handshake (observed with --online): `{p}_ssl_server_name` is off, so nginx sends no SNI and {REJECTED}",
                    super::support_online::describe_hello(&answer)
                ),
            )
            .severity(Severity::Error)
            .label("no SNI sent")
            .help(format!("add `{p}_ssl_server_name on;` and `{p}_ssl_name {name};`"));
            if span != at(sni, route) {
                f = f.related(span, "requires SNI");
            }
            f
        })
        .collect()
}
