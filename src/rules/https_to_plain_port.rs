//! `proxy_pass https://` (or `grpcs://`, `suwsgi://`) to a port where plain HTTP listens.

use super::support_haproxy::{flag, port, server_among, serving};
use crate::model::tls::{Wire, reach, wire};
use super::Context;
use crate::finding::{Dialect, Finding, Severity};
use crate::model::{Pass, Target};

declare_rule! {
    code: "GW402",
    name: "https-to-plain-port",
    severity: Error,
    family: Tls,
    dialects: [Nginx, Haproxy],
    refuses: [],
    summary: "a TLS *_pass (https://, grpcs://, suwsgi://) to port 80 or 8080, where plain HTTP listens (HAProxy: a server there with `ssl`)",
}

/// Ports where a plain-text listener is the convention.
pub const PLAIN_PORTS: &[u16] = &[80, 8080];

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    if ctx.proxy.dialect == Dialect::Haproxy {
        return super::support_online::haproxy_wire(ctx, &RULE, true, haproxy, out);
    }
    for route in &ctx.proxy.routes {
        if wire(route) != Wire::Tls {
            continue;
        }
        // With --online the answer to a ClientHello decides, not the port number.
        if let Some(seen) = super::support_online::wire_mismatch(ctx, route, &RULE, true) {
            out.extend(seen);
            continue;
        }
        let reach = reach(ctx.proxy, route);
        let on_plain: Vec<_> = reach
            .iter()
            .filter(|r| r.port.is_some_and(|p| PLAIN_PORTS.contains(&p)))
            .collect();
        if on_plain.is_empty() {
            continue;
        }
        let (tls_scheme, plain_scheme) = match route.pass {
            Pass::Grpc => ("grpcs://", "grpc://"),
            Pass::Uwsgi => ("suwsgi://", "uwsgi://"),
            _ => ("https://", "http://"),
        };
        let directive = route.pass.directive();
        let consequence = "nginx starts a TLS handshake that a plain-text listener cannot answer: `SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number) while SSL handshaking to upstream` and 502 (a backend that waits for a request instead ends in `upstream timed out … while SSL handshaking to upstream` and 504)";
        let help = format!(
            "if the backend serves plain text there, write `{plain_scheme}`; if it serves TLS, put the port of its TLS listener on the address (e.g. `:443`)"
        );
        let f = match &route.target {
            Target::Pool(i) => {
                let pool = &ctx.proxy.pools[*i];
                let all = on_plain.len() == reach.len();
                let implied = on_plain.iter().any(|r| r.implied);
                let note = if implied {
                    " (a `server` without a port uses port 80)"
                } else {
                    ""
                };
                let mut f = Finding::new(
                    &RULE,
                    route.target_span,
                    if all {
                        format!(
                            "`{directive}` speaks {tls_scheme} to upstream `{}`, whose servers all listen on a plain-HTTP port{note}: {consequence}",
                            pool.name
                        )
                    } else {
                        format!(
                            "`{directive}` speaks {tls_scheme} to upstream `{}`, and {} of its {} servers listen on a plain-HTTP port{note}: for the requests sent there {consequence}",
                            pool.name,
                            on_plain.len(),
                            reach.len()
                        )
                    },
                )
                .label(format!("{tls_scheme} to servers on a plain-HTTP port"))
                .help(help);
                if !all {
                    f = f.severity(Severity::Warning);
                }
                for r in &on_plain {
                    let text = if r.implied {
                        "no port: nginx uses 80".to_string()
                    } else {
                        format!("port {} is a plain-HTTP port", r.port.unwrap_or(0))
                    };
                    f = f.related(r.span, text);
                }
                f
            }
            Target::Missing(_) => continue,
            Target::Endpoint(_) => Finding::new(
                &RULE,
                route.target_span,
                format!(
                    "`{directive}` speaks {tls_scheme} to port {}, a plain-HTTP port: {consequence}",
                    on_plain[0].port.unwrap_or(0)
                ),
            )
            .label(format!("{tls_scheme} to a plain-HTTP port"))
            .help(help),
        };
        out.push(f);
    }
}

/// HAProxy: a server with `ssl` on a plain-HTTP port, in any mode (`ssl` makes HAProxy start
/// TLS in tcp mode too).
fn haproxy(ctx: &Context, out: &mut Vec<Finding>) {
    for pool in &ctx.proxy.pools {
        let live = serving(pool);
        let bad: Vec<_> = live
            .iter()
            .filter_map(|s| {
                let p = port(s).filter(|p| PLAIN_PORTS.contains(p))?;
                Some((s, p, flag(s, "ssl", "no-ssl")?))
            })
            .collect();
        for (s, p, ssl) in &bad {
            let partial = bad.len() < live.len();
            let who = server_among(pool, s, live.len(), bad.len());
            let mut f = Finding::new(
                &RULE,
                s.endpoint_span,
                format!(
                    "{who} speaks TLS (`ssl`) to port {p}, a plain-HTTP port: the listener cannot answer the handshake and the client gets 503 (termination state `SC--`) once the retries are spent",
                ),
            )
            .label("TLS to a plain-HTTP port")
            .help(
                "if the backend serves plain HTTP there, remove `ssl` (or write `no-ssl` when it comes from `default-server`); if it serves TLS, put the port of its TLS listener on the address (e.g. `:443`)",
            )
            .related(*ssl, "TLS turned on here");
            if partial {
                f = f.severity(Severity::Warning);
            }
            out.push(f);
        }
    }
}
