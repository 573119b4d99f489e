//! `proxy_pass https://` (or `grpcs://`, `suwsgi://`) to a port where plain HTTP listens;
//! HAProxy: a server with `ssl` there. One check over the model's hops
//! (`model::tls::crossed`, which GW401 asks for the opposite).

use std::collections::HashSet;

use super::Context;
use crate::finding::{Finding, Severity};
use crate::model::sections::server_among;
use crate::model::tls::{Crossed, Evidence, Wire, crossed, hops, schemes};

declare_rule! {
    code: "GW402",
    name: "https-to-plain-port",
    severity: Error,
    family: Tls,
    dialects: [Nginx, Haproxy],
    refuses: [],
    summary: "a TLS *_pass (https://, grpcs://, suwsgi://) to port 80 or 8080, to the configuration's own listener without `ssl`, or to a backend gwlint.toml declares plain (`tls = false`), where plain HTTP listens (HAProxy: a server there with `ssl`)",
}

/// What a related note says at a target that takes plain text.
fn note(e: &Evidence) -> String {
    match e {
        Evidence::Port { implied: true, .. } => "no port: nginx uses 80".into(),
        Evidence::Port { port, .. } => format!("port {port} is a plain-HTTP port"),
        Evidence::Listener(_) => "this configuration's own plain-HTTP listener".into(),
        Evidence::Declared(origin) => format!("declared plain text (`tls = false`, {origin})"),
    }
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let hops = hops(ctx.proxy);
    // With --online the answer to a ClientHello decides, not the port number.
    let mut observed = HashSet::new();
    for hop in hops.iter().filter(|h| h.in_service && h.wire == Wire::Tls) {
        if let Some(seen) = super::support_online::wire_observed(ctx, hop, &RULE, true) {
            out.extend(seen);
            observed.insert(hop.span());
        }
    }
    for c in crossed(ctx.proxy, ctx.facts, ctx.sources, &hops, Wire::Tls) {
        if !observed.contains(&c.hop.span()) {
            out.push(finding(ctx, &c));
        }
    }
}

/// The finding at a hop that sends TLS where plain text listens: at the `*_pass` argument
/// (for every server of its upstream), or at the HAProxy server.
fn finding(ctx: &Context, c: &Crossed) -> Finding {
    let (route, server) = (c.hop.route, c.hop.server);
    let on_plain = &c.at;
    let listener = on_plain.iter().find_map(|(_, p)| match p {
        Evidence::Listener(span) => Some(*span),
        _ => None,
    });
    let by_port = on_plain
        .iter()
        .all(|(_, p)| matches!(p, Evidence::Port { .. }));
    let partial = c.crossed < c.of;
    let route = match (route, server) {
        (None, Some(s)) => {
            let pool = c.hop.pool.expect("a server has its backend");
            let who = server_among(pool, s, c.of, c.crossed);
            let plain = &on_plain[0].1;
            let to = match plain {
                Evidence::Port { port, .. } => format!("port {port}, a plain-HTTP port"),
                Evidence::Listener(bind) => format!(
                    "`{}`, where this configuration's own `bind {}` takes plain HTTP (no `ssl`)",
                    ctx.sources.text(s.endpoint_span),
                    ctx.sources.text(*bind)
                ),
                Evidence::Declared(origin) => format!(
                    "`{}`, which {origin} declares plain text (`tls = false`)",
                    ctx.sources.text(s.endpoint_span)
                ),
            };
            let mut f = Finding::new(
                &RULE,
                s.endpoint_span,
                format!(
                    "{who} speaks TLS (`ssl`) to {to}: the listener cannot answer the handshake and the client gets 503 (termination state `SC--`) once the retries are spent",
                ),
            )
            .label(match plain {
                Evidence::Port { .. } => "TLS to a plain-HTTP port",
                _ => "TLS to a plain-HTTP listener",
            })
            .help(
                "if the backend serves plain HTTP there, remove `ssl` (or write `no-ssl` when it comes from `default-server`); if it serves TLS, put the port of its TLS listener on the address (e.g. `:443`)",
            );
            if let Some(ssl) = c.hop.ssl {
                f = f.related(ssl, "TLS turned on here");
            }
            if let Evidence::Listener(bind) = plain {
                f = f.related(*bind, "plain HTTP: no `ssl` on this bind");
            }
            if partial {
                f = f.severity(Severity::Warning);
            }
            return f;
        }
        (Some(route), _) => route,
        (None, None) => unreachable!("a hop is a route or a server"),
    };
    let (tls_scheme, plain_scheme) = schemes(route.pass);
    let directive = route.pass.directive();
    let consequence = "nginx starts a TLS handshake that a plain-text listener cannot answer: `SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number) while SSL handshaking to upstream` and 502 (a backend that waits for a request instead ends in `upstream timed out … while SSL handshaking to upstream` and 504)";
    let help = match listener {
        Some(listen) => format!(
            "the listener `{}` takes plain HTTP: write `{plain_scheme}`, or add `ssl` (and a certificate) to that `listen` if it should take TLS",
            ctx.sources.text(listen)
        ),
        None => format!(
            "if the backend serves plain text there, write `{plain_scheme}`; if it serves TLS, put the port of its TLS listener on the address (e.g. `:443`)"
        ),
    };
    let f = match c.hop.pool {
        Some(pool) => {
            let implied = on_plain
                .iter()
                .any(|(_, p)| matches!(p, Evidence::Port { implied: true, .. }));
            let unwritten = if implied {
                " (a `server` without a port uses port 80)"
            } else {
                ""
            };
            let place = match by_port {
                true => format!("listen on a plain-HTTP port{unwritten}"),
                false => {
                    let mut why: Vec<String> = Vec::new();
                    for (_, p) in on_plain {
                        let w = match p {
                            Evidence::Port { .. } => "on a plain-HTTP port".to_string(),
                            Evidence::Listener(_) => {
                                "this configuration's own listener there has no `ssl`".into()
                            }
                            Evidence::Declared(origin) => format!("`tls = false` at {origin}"),
                        };
                        if !why.contains(&w) {
                            why.push(w);
                        }
                    }
                    format!("take plain text ({})", why.join("; "))
                }
            };
            let mut f = Finding::new(
                &RULE,
                route.target_span,
                if partial {
                    format!(
                        "`{directive}` speaks {tls_scheme} to upstream `{}`, and {} of its {} servers {place}: for the requests sent there {consequence}",
                        pool.name, c.crossed, c.of
                    )
                } else {
                    format!(
                        "`{directive}` speaks {tls_scheme} to upstream `{}`, whose servers all {place}: {consequence}",
                        pool.name
                    )
                },
            )
            .label(match by_port {
                true => format!("{tls_scheme} to servers on a plain-HTTP port"),
                false => format!("{tls_scheme} to servers that take plain text"),
            })
            .help(help);
            if partial {
                f = f.severity(Severity::Warning);
            }
            for (r, p) in on_plain {
                f = f.related(r.span, note(p));
            }
            f
        }
        None => {
            let (_, p) = &on_plain[0];
            let written = route
                .directive
                .arg(0)
                .map_or("", |a| crate::model::endpoint::split_url(a).1);
            let why = match p {
                Evidence::Port { port, .. } => format!("port {port}, a plain-HTTP port"),
                Evidence::Listener(listen) => format!(
                    "`{written}`, where this configuration's own `listen {}` takes plain HTTP (no `ssl`)",
                    ctx.sources.text(*listen)
                ),
                Evidence::Declared(origin) => {
                    format!("`{written}`, which {origin} declares plain text (`tls = false`)")
                }
            };
            Finding::new(
                &RULE,
                route.target_span,
                format!("`{directive}` speaks {tls_scheme} to {why}: {consequence}"),
            )
            .label(match by_port {
                true => format!("{tls_scheme} to a plain-HTTP port"),
                false => format!("{tls_scheme} to a plain-HTTP listener"),
            })
            .help(help)
        }
    };
    match listener {
        Some(listen) => f.related(listen, "plain HTTP: no `ssl` on this listener"),
        None => f,
    }
}
