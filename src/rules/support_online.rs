//! What the rules that read `--online` observations share: the observed targets of a proxy in
//! model order, what failed there, and how each proxy reports it.

use std::net::SocketAddr;

use super::Context;
use crate::finding::Dialect;
use crate::model::tls::reach;
use crate::model::{Pool, Route, Server, Target};
use crate::probe::tls::Hello;
use crate::probe::{Observations, Observed};
use crate::source::Span;

/// An observed target: a route's own address or a pool's server.
pub(crate) struct Place<'c> {
    pub(crate) span: Span,
    pub(crate) observed: &'c Observed,
    /// The pool and server, for a server.
    pub(crate) server: Option<(&'c Pool<'c>, &'c Server<'c>)>,
}

/// Every observed target of the proxy, routes first, then servers in pool order.
pub(crate) fn places<'c>(ctx: &'c Context) -> Vec<Place<'c>> {
    let Some(obs) = ctx.observed else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for r in &ctx.proxy.routes {
        if let (Target::Endpoint(_), Some(o)) = (&r.target, obs.at(r.target_span))
            && seen.insert(r.target_span)
        {
            out.push(Place {
                span: r.target_span,
                observed: o,
                server: None,
            });
        }
    }
    for p in &ctx.proxy.pools {
        for s in &p.servers {
            if let Some(o) = obs.at(s.endpoint_span)
                && seen.insert(s.endpoint_span)
            {
                out.push(Place {
                    span: s.endpoint_span,
                    observed: o,
                    server: Some((p, s)),
                });
            }
        }
    }
    out
}

/// Did every address of the target refuse, time out or stay unreachable? (False when nothing
/// was connected to.)
pub(crate) fn dead(o: &Observed) -> bool {
    !o.addrs.is_empty() && o.addrs.iter().all(|a| !a.connect.is_open())
}

/// The answers to the proxy's ClientHello at the addresses a route reaches, with the span of
/// the argument that names each; None when nothing was sniffed.
pub(crate) fn hellos<'c>(
    ctx: &'c Context,
    route: &Route,
) -> Option<Vec<(Span, SocketAddr, &'c Hello, &'c crate::probe::Probed)>> {
    let obs: &Observations = ctx.observed?;
    let mut out = Vec::new();
    for r in reach(ctx.proxy, route) {
        let Some(o) = obs.at(r.span) else { continue };
        for p in &o.addrs {
            if let Some((_, h)) = &p.hello {
                out.push((r.span, p.addr, h, p));
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Where the proxy is seen from, for messages: "(observed with --online from 127.0.0.1:53)".
pub(crate) fn resolver<'a>(ctx: &Context<'a>) -> &'a str {
    ctx.observed.map_or("", |o| o.resolver.as_str())
}

/// What the proxy does when a connection to a server fails: nginx's log line and status,
/// HAProxy's termination state.
pub(crate) fn connect_failure(dialect: Dialect, what: &crate::probe::tcp::Connect) -> String {
    use crate::probe::tcp::Connect::*;
    match (dialect, what) {
        (Dialect::Nginx, TimedOut) => "nginx waits `proxy_connect_timeout` (60s by default), logs `upstream timed out (110: Connection timed out) while connecting to upstream` and answers 504".into(),
        (Dialect::Nginx, Refused) => "nginx logs `connect() failed (111: Connection refused) while connecting to upstream` and answers 502".into(),
        (Dialect::Nginx, _) => "nginx logs `connect() failed (113: No route to host) while connecting to upstream` and answers 502".into(),
        (Dialect::Haproxy, TimedOut) => "HAProxy waits `timeout connect` and answers 503 with termination state `sC--`; health checks mark the server DOWN (`Layer4 timeout`)".into(),
        (Dialect::Haproxy, _) => "HAProxy answers 503 with termination state `SC--`; health checks mark the server DOWN (`Layer4 connection problem`)".into(),
    }
}

/// A date from seconds since the epoch: `2025-03-01`.
pub fn date(secs: i64) -> String {
    // Howard Hinnant's civil_from_days.
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// How a TLS-speaking route's targets answered a ClientHello without SNI. None: not observed,
/// or nothing conclusive. Some(empty): every target accepted it. Otherwise the targets that
/// rejected it (with the alert, or 0 for a closed connection) and accepted one with SNI.
pub(crate) fn sni_required<'c>(
    ctx: &'c Context,
    route: &Route,
) -> Option<Vec<(Span, SocketAddr, &'c str, Hello)>> {
    let seen = hellos(ctx, route)?;
    if seen
        .iter()
        .any(|(_, _, _, p)| p.hello.as_ref().is_some_and(|(sni, _)| sni.is_some()))
    {
        return None;
    }
    if seen.iter().all(|(_, _, h, _)| **h == Hello::Handshake) {
        return Some(Vec::new());
    }
    let rejected: Vec<_> = seen
        .iter()
        .filter_map(|(span, addr, h, p)| match &p.hello_with_sni {
            Some((name, Hello::Handshake)) if **h != Hello::Handshake => {
                Some((*span, *addr, name.as_str(), (*h).clone()))
            }
            _ => None,
        })
        .collect();
    (!rejected.is_empty()).then_some(rejected)
}

/// "the TLS alert unrecognized_name (112)", "a closed connection", for messages.
pub(crate) fn describe_hello(h: &Hello) -> String {
    match h {
        Hello::Handshake => "a TLS handshake".into(),
        Hello::Alert(code) => match crate::probe::tls::alert_name(*code) {
            "" => format!("the TLS alert {code}"),
            name => format!("the TLS alert {name} ({code})"),
        },
        Hello::Plain(line) if line.is_empty() => "bytes that are not TLS".into(),
        Hello::Plain(line) => format!("plain text (`{line}`)"),
        Hello::Closed => "a closed connection".into(),
        Hello::Silent => "silence".into(),
    }
}

/// The observed form of GW401/GW402: the targets of `route` whose answer to a ClientHello
/// contradicts the route's scheme (`speaks_tls` is what the wrong answer looks like). None
/// when nothing was observed, so that the port heuristic decides.
pub(crate) fn wire_mismatch(
    ctx: &Context,
    route: &Route,
    rule: &'static super::Rule,
    expects_tls: bool,
) -> Option<Option<crate::finding::Finding>> {
    use crate::finding::{Finding, Severity};
    let seen = hellos(ctx, route)?;
    let wrong: Vec<_> = seen
        .iter()
        .filter(|(_, _, h, _)| {
            if expects_tls {
                matches!(h, Hello::Plain(_) | Hello::Silent)
            } else {
                h.speaks_tls()
            }
        })
        .collect();
    let Some((_, addr, first, _)) = wrong.first() else {
        return Some(None);
    };
    let directive = route.pass.directive();
    let written = ctx.sources.text(route.target_span);
    let scheme = written.split_once("://").map_or("", |(s, _)| s);
    let message = if expects_tls {
        let consequence = if **first == Hello::Silent {
            "nginx's handshake waits for an answer that never comes: `upstream timed out (110: Connection timed out) while SSL handshaking to upstream` and 504"
        } else {
            "nginx's handshake fails with `SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number) while SSL handshaking to upstream` and the client gets 502"
        };
        format!(
            "`{directive}` speaks TLS ({scheme}://) but {addr} answered a ClientHello with {} (observed with --online): {consequence}",
            describe_hello(first)
        )
    } else {
        format!(
            "`{directive}` speaks plain text ({scheme}://) but {addr} answered a ClientHello with {}: it is a TLS listener (observed with --online); nginx's plain request is reset or closed (`upstream prematurely closed connection while reading response header from upstream`) and the client gets 502, or an nginx backend answers 400 `The plain HTTP request was sent to HTTPS port`",
            describe_hello(first)
        )
    };
    let mut f = Finding::new(rule, route.target_span, message)
        .label(if expects_tls {
            "TLS to a plain-text listener"
        } else {
            "plain text to a TLS listener"
        })
        .help(if expects_tls {
            "write the plain scheme (`http://`), or point the route at the backend's TLS port"
        } else {
            "write the TLS scheme (`https://`), or point the route at the backend's plain-text port"
        });
    if wrong.len() < seen.len() || (expects_tls && **first == Hello::Silent) {
        f = f.severity(Severity::Warning);
    }
    for (span, addr, h, _) in &wrong {
        if *span != route.target_span {
            f = f.related(*span, format!("{addr} answered with {}", describe_hello(h)));
        }
    }
    Some(Some(f))
}

/// The observed form of GW401/GW402 at a hop (`model::tls::Hop`): None when no ClientHello
/// was answered there, so that the port heuristic decides; else the findings (none when
/// every answer agrees with what the hop sends).
pub(crate) fn wire_observed(
    ctx: &Context,
    hop: &crate::model::tls::Hop,
    rule: &'static super::Rule,
    expects_tls: bool,
) -> Option<Vec<crate::finding::Finding>> {
    match (hop.route, hop.server) {
        (Some(route), _) => {
            wire_mismatch(ctx, route, rule, expects_tls).map(|f| f.into_iter().collect())
        }
        (None, Some(server)) => {
            let observed = ctx.observed?.at(server.endpoint_span)?;
            if !observed.addrs.iter().any(|a| a.hello.is_some()) {
                return None;
            }
            Some(
                server_wire_mismatch(server, server.endpoint_span, observed, rule, expects_tls)
                    .into_iter()
                    .collect(),
            )
        }
        (None, None) => None,
    }
}

/// The observed form of GW401/GW402 for an HAProxy server, which has no scheme: the first
/// answer to a ClientHello that its `ssl` keyword (or its absence) contradicts.
fn server_wire_mismatch(
    server: &Server,
    span: Span,
    observed: &Observed,
    rule: &'static super::Rule,
    expects_tls: bool,
) -> Option<crate::finding::Finding> {
    use crate::finding::Finding;
    let name = server.directive.arg(0).unwrap_or("?");
    for p in &observed.addrs {
        let Some((_, h)) = &p.hello else { continue };
        let wrong = if expects_tls {
            matches!(h, Hello::Plain(_) | Hello::Silent)
        } else {
            h.speaks_tls()
        };
        if !wrong {
            continue;
        }
        return Some(if expects_tls {
            Finding::new(
                rule,
                span,
                format!(
                    "server `{name}` has `ssl` but {} answered a ClientHello with {} (observed with --online): the handshake fails and HAProxy answers 503 with termination state `SC--`",
                    p.addr,
                    describe_hello(h)
                ),
            )
            .label("TLS to a plain-text listener")
            .help("remove `ssl` from the server line, or point it at the backend's TLS port")
        } else {
            Finding::new(
                rule,
                span,
                format!(
                    "server `{name}` has no `ssl` but {} answered a ClientHello with {}: it is a TLS listener (observed with --online); HAProxy sends plain HTTP and answers 502 with termination state `SH--` (an nginx TLS backend answers 400 `The plain HTTP request was sent to HTTPS port`)",
                    p.addr,
                    describe_hello(h)
                ),
            )
            .label("plain text to a TLS listener")
            .help("add `ssl` to the server line (with `verify required ca-file …`), or point it at the backend's plain-text port")
        });
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates() {
        assert_eq!(super::date(0), "1970-01-01");
        assert_eq!(super::date(951_782_400), "2000-02-29");
        assert_eq!(super::date(1_767_225_599), "2025-12-31");
    }
}
