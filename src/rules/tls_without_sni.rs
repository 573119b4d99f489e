//! TLS to a named backend without SNI, or with the upstream's name as SNI.

use crate::model::sections::{SNI_AUTO_FROM, flag, in_service, own, server_name, sni_auto};
use crate::model::tls::{
    Wire, deciding_span, explicit_ssl_name, is_dotted_host_name, is_ip, is_on, prefix, ssl_setting,
    wire,
};
use super::Context;
use crate::finding::{Dialect, Finding, Severity};
use crate::model::{Endpoint, Target};

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

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    if ctx.proxy.dialect == Dialect::Haproxy {
        return haproxy(ctx, out);
    }
    let proxy = ctx.proxy;
    for route in &proxy.routes {
        if wire(route) != Wire::Tls {
            continue;
        }
        let Some(p) = prefix(route) else { continue };
        let sni = ssl_setting(proxy, route, "server_name");
        let sni_on = is_on(&sni);
        // With --online, what the backend did with a ClientHello without SNI decides.
        if let Some(rejected) = super::support_online::sni_required(ctx, route) {
            for (span, addr, name, answer) in rejected {
                let mut f = Finding::new(
                    &RULE,
                    deciding_span(&sni, route),
                    format!(
                        "{addr} answered a ClientHello without SNI with {} and one with SNI \"{name}\" with a TLS handshake (observed with --online): `{p}_ssl_server_name` is off, so nginx sends no SNI and {REJECTED}",
                        super::support_online::describe_hello(&answer)
                    ),
                )
                .severity(Severity::Error)
                .label("no SNI sent")
                .help(format!("add `{p}_ssl_server_name on;` and `{p}_ssl_name {name};`"));
                if span != deciding_span(&sni, route) {
                    f = f.related(span, "requires SNI");
                }
                out.push(f);
            }
            continue;
        }
        let name = explicit_ssl_name(proxy, route);
        let verify_on = is_on(&ssl_setting(proxy, route, "verify"));
        // Without SNI and without verification, a name set by hand has no effect at all: it
        // can only have been meant for SNI. With verification it may be there for the
        // certificate check alone.
        let named = !verify_on && name.as_deref().is_some_and(|n| !is_ip(n));
        let help_off = match &name {
            Some(_) => {
                format!("add `{p}_ssl_server_name on;` so that nginx sends the name it already has")
            }
            None => format!(
                "add `{p}_ssl_server_name on;` (and `{p}_ssl_name <the backend's host name>;` when the target is an upstream)"
            ),
        };
        let off_finding = |what: String| {
            let mut f = Finding::new(
                &RULE,
                deciding_span(&sni, route),
                format!(
                    "{what}, and `{p}_ssl_server_name` is off, so nginx sends no SNI: {REJECTED}"
                ),
            )
            .label("no SNI sent")
            .help(help_off.clone());
            if sni.is_set() {
                f = f.related(route.target_span, "the TLS target");
            }
            f
        };
        match &route.target {
            Target::Missing(_) => {}
            Target::Endpoint(Endpoint::Inet { host, .. }) => {
                if sni_on {
                    continue;
                }
                if named {
                    out.push(off_finding(format!(
                        "`{p}_ssl_name` is \"{}\" but takes no effect (verification is off)",
                        name.as_deref().unwrap_or_default()
                    )));
                } else if name.is_none() && is_dotted_host_name(host) {
                    out.push(off_finding(format!(
                        "`{}` connects with TLS to the host name \"{host}\"",
                        route.pass.directive()
                    )));
                }
            }
            Target::Pool(i) => {
                let pool = &proxy.pools[*i];
                let host_server = pool.servers.iter().find(|s| {
                    matches!(&s.endpoint, Endpoint::Inet { host, .. } if is_dotted_host_name(host))
                });
                if !sni_on {
                    if named {
                        out.push(off_finding(format!(
                            "`{p}_ssl_name` is \"{}\" but takes no effect (verification is off)",
                            name.as_deref().unwrap_or_default()
                        )));
                    } else if let Some(s) = host_server {
                        out.push(
                            off_finding(format!(
                                "`{}` connects with TLS to upstream `{}`, whose servers are named hosts",
                                route.pass.directive(),
                                pool.name
                            ))
                            .related(s.endpoint_span, "a named host"),
                        );
                    }
                    continue;
                }
                // SNI is on: without a name of its own, nginx sends the upstream's name. With
                // verification on, GW405 reports the same mistake as a certificate mismatch.
                if name.is_some() || verify_on || is_dotted_host_name(&pool.name) {
                    continue;
                }
                if let Some(s) = host_server {
                    out.push(
                        Finding::new(
                            &RULE,
                            route.directive.span,
                            format!(
                                "`{p}_ssl_server_name` is on but `{p}_ssl_name` is not set, so nginx sends the upstream's name \"{}\" as SNI: {REJECTED}",
                                pool.name
                            ),
                        )
                        .label(format!("SNI \"{}\"", pool.name))
                        .help(format!(
                            "add `{p}_ssl_name <the backend's host name>;` (e.g. the name its certificate is issued for)"
                        ))
                        .related(s.endpoint_span, "the backend's host name"),
                    );
                }
            }
            Target::Endpoint(_) => {}
        }
    }
}

/// HAProxy before 3.3 sends SNI only when the server line (or `default-server`) has `sni`;
/// from 3.3, `sni-auto` (on by default) sends an HTTP request's Host header instead.
fn haproxy(ctx: &Context, out: &mut Vec<Finding>) {
    for pool in &ctx.proxy.pools {
        let http = ctx.proxy.setting(pool.scope, "mode").first() == Some("http");
        for s in &pool.servers {
            let Endpoint::Inet { host, .. } = &s.endpoint else {
                continue;
            };
            if !is_dotted_host_name(host) || s.value("sni").is_some() || !in_service(s) {
                continue;
            }
            let Some(ssl) = flag(s, "ssl", "no-ssl") else {
                continue;
            };
            // On unless `no-sni-auto` is in force; HTTP only.
            let auto = http && sni_auto(s);
            let release = match ctx.haproxy_version {
                Some(v) if v >= SNI_AUTO_FROM && auto => continue,
                Some(_) => "",
                None if auto => {
                    " (before HAProxy 3.3; from 3.3, `sni-auto` sends the request's Host header, which names the client's site, not this backend)"
                }
                None => "",
            };
            let (span, other, note) = if own(s, ssl) {
                (ssl, s.endpoint_span, "the backend's host name")
            } else {
                (s.endpoint_span, ssl, "TLS turned on by `default-server`")
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
    }
}
