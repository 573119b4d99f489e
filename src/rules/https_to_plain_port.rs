//! `proxy_pass https://` (or `grpcs://`, `suwsgi://`) to a port where plain HTTP listens.



use crate::model::sections::{flag, port, server_among, serving};
use crate::model::tls::{
    Evidence, Listening, Reach, Speaks, Wire, reach, route_speaks, schemes, speaks, wire,
};
use super::Context;
use crate::finding::{Dialect, Finding, Severity};
use crate::model::Target;

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

/// What says the target takes plain text (`model::tls::speaks`, which GW401 asks too).
fn plain(s: Speaks) -> Option<Evidence> {
    match s {
        Speaks::Plain(e) => Some(e),
        Speaks::Tls(_) | Speaks::Unknown => None,
    }
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    if ctx.proxy.dialect == Dialect::Haproxy {
        return super::support_online::haproxy_wire(ctx, &RULE, true, haproxy, out);
    }
    let mut own: Option<Listening> = None;
    for route in &ctx.proxy.routes {
        if wire(route) != Wire::Tls {
            continue;
        }
        // With --online the answer to a ClientHello decides, not the port number.
        if let Some(seen) = super::support_online::wire_mismatch(ctx, route, &RULE, true) {
            out.extend(seen);
            continue;
        }
        let listeners = own.get_or_insert_with(|| Listening::of(ctx.proxy));
        let reach = reach(ctx.proxy, route);
        let pool = match &route.target {
            Target::Pool(i) => Some(&ctx.proxy.pools[*i]),
            _ => None,
        };
        let on_plain: Vec<(&Reach, Evidence)> = reach
            .iter()
            .filter_map(|r| {
                let s = route_speaks(ctx.proxy, ctx.facts, ctx.sources, listeners, route, r);
                Some((r, plain(s)?))
            })
            .collect();
        if on_plain.is_empty() {
            continue;
        }
        let (tls_scheme, plain_scheme) = schemes(route.pass);
        let directive = route.pass.directive();
        let consequence = "nginx starts a TLS handshake that a plain-text listener cannot answer: `SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number) while SSL handshaking to upstream` and 502 (a backend that waits for a request instead ends in `upstream timed out … while SSL handshaking to upstream` and 504)";
        let listener = on_plain.iter().find_map(|(_, p)| match p {
            Evidence::Listener(span) => Some(*span),
            _ => None,
        });
        let help = match listener {
            Some(listen) => format!(
                "the listener `{}` takes plain HTTP: write `{plain_scheme}`, or add `ssl` (and a certificate) to that `listen` if it should take TLS",
                ctx.sources.text(listen)
            ),
            None => format!(
                "if the backend serves plain text there, write `{plain_scheme}`; if it serves TLS, put the port of its TLS listener on the address (e.g. `:443`)"
            ),
        };
        let by_port = on_plain
            .iter()
            .all(|(_, p)| matches!(p, Evidence::Port { .. }));
        let f = match pool {
            Some(pool) => {
                let all = on_plain.len() == reach.len();
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
                        for (_, p) in &on_plain {
                            let w = match p {
                                Evidence::Port { .. } => "on a plain-HTTP port".to_string(),
                                Evidence::Listener(_) => {
                                    "this configuration's own listener there has no `ssl`".into()
                                }
                                Evidence::Declared(origin) => {
                                    format!("`tls = false` at {origin}")
                                }
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
                    if all {
                        format!(
                            "`{directive}` speaks {tls_scheme} to upstream `{}`, whose servers all {place}: {consequence}",
                            pool.name
                        )
                    } else {
                        format!(
                            "`{directive}` speaks {tls_scheme} to upstream `{}`, and {} of its {} servers {place}: for the requests sent there {consequence}",
                            pool.name,
                            on_plain.len(),
                            reach.len()
                        )
                    },
                )
                .label(match by_port {
                    true => format!("{tls_scheme} to servers on a plain-HTTP port"),
                    false => format!("{tls_scheme} to servers that take plain text"),
                })
                .help(help);
                if !all {
                    f = f.severity(Severity::Warning);
                }
                for (r, p) in &on_plain {
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
        let f = match listener {
            Some(listen) => f.related(listen, "plain HTTP: no `ssl` on this listener"),
            None => f,
        };
        out.push(f);
    }
}

/// HAProxy: a server with `ssl` on a plain-HTTP port, on a `bind` of this configuration
/// without `ssl`, or declared plain in gwlint.toml, in any mode (`ssl` makes HAProxy start TLS
/// in tcp mode too).
fn haproxy(ctx: &Context, out: &mut Vec<Finding>) {
    let listeners = Listening::of(ctx.proxy);
    for pool in &ctx.proxy.pools {
        let live = serving(pool);
        let bad: Vec<_> = live
            .iter()
            .filter_map(|s| {
                let ssl = flag(s, "ssl", "no-ssl")?;
                let reach = Reach {
                    port: port(s),
                    implied: false,
                    span: s.endpoint_span,
                };
                let written = ctx.sources.text(s.endpoint_span);
                let plain = plain(speaks(
                    ctx.proxy,
                    ctx.facts,
                    &listeners,
                    Some(pool),
                    &s.endpoint,
                    written,
                    &reach,
                ))?;
                Some((s, plain, ssl))
            })
            .collect();
        for (s, plain, ssl) in &bad {
            let partial = bad.len() < live.len();
            let who = server_among(pool, s, live.len(), bad.len());
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
            )
            .related(*ssl, "TLS turned on here");
            if let Evidence::Listener(bind) = plain {
                f = f.related(*bind, "plain HTTP: no `ssl` on this bind");
            }
            if partial {
                f = f.severity(Severity::Warning);
            }
            out.push(f);
        }
    }
}
