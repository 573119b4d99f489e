//! The outer proxy of a chain keeps idle connections to the inner one longer than the inner
//! one keeps them open.

use std::collections::HashSet;

use super::Version;
use crate::chain::{Chain, Hop};
use crate::finding::{Dialect, Finding};
use crate::model::{Ctx, Origin, Pass};
use crate::source::Span;
use crate::units::show_ms;

declare_rule! {
    code: "GW702",
    name: "chain-keepalive-race",
    severity: Warning,
    family: Chains,
    dialects: [Nginx, Haproxy],
    refuses: [],
    summary: "the outer proxy reuses idle connections the inner proxy may already have closed: 502 on the race",
}

/// How long one end keeps an idle connection, as written, and the span that decides.
struct Idle {
    ms: u64,
    shown: String,
    span: Span,
}

pub(crate) fn check(chain: &Chain, out: &mut Vec<Finding>) {
    let mut seen: HashSet<(Span, Span)> = HashSet::new();
    for hop in &chain.hops {
        let outer_proxy = &chain.layer(hop.outer).proxy;
        let Some(inner) = inner_idle(chain, hop) else {
            continue;
        };
        let inner_name = crate::chain::dialect_name(chain.layer(hop.inner).proxy.dialect);
        let f = match outer_proxy.dialect {
            Dialect::Nginx => {
                let Some(outer) = nginx_idle(chain, hop) else {
                    continue;
                };
                if outer.ms < inner.ms || !seen.insert((outer.span, inner.span)) {
                    continue;
                }
                Finding::new(
                    &RULE,
                    outer.span,
                    format!(
                        "{} keeps idle connections to the {inner_name} behind it at least as long as {inner_name} keeps them open: {} there (behind {}, reached through {}) closes an idle connection first, and a request nginx sends on it at that moment fails with `upstream prematurely closed connection while reading response header from upstream` (or `recv() failed (104: Connection reset by peer)`) and 502; nginx retries only idempotent requests on the next server, so a POST gets the 502",
                        outer.shown,
                        inner.shown,
                        chain.inner_name(hop),
                        chain.outer_name(hop),
                    ),
                )
                .label(format!("nginx keeps idle connections {}", show_ms(outer.ms)))
                .help(format!(
                    "the outer layer must drop idle connections first: set `keepalive_timeout` in the upstream below {} (e.g. {}), or raise {} above {}",
                    show_ms(inner.ms),
                    show_ms(inner.ms.saturating_sub(inner.ms / 5).max(1000)),
                    inner.shown,
                    show_ms(outer.ms)
                ))
            }
            // An outer HAProxy races only with `http-reuse always|aggressive` and no
            // `retry-on`, which GW505 reports on the backend whatever stands behind it.
            Dialect::Haproxy => continue,
        };
        out.push(
            f.related(
                inner.span,
                format!(
                    "{inner_name} closes idle connections after {}",
                    show_ms(inner.ms)
                ),
            )
            .dialect(outer_proxy.dialect),
        );
    }
}

/// nginx reuses connections to an upstream with `keepalive` (a default from 1.29.7) when the
/// route speaks HTTP/1.1 without `Connection: close`; they stay idle `keepalive_timeout`.
fn nginx_idle(chain: &Chain, hop: &Hop) -> Option<Idle> {
    let proxy = &chain.layer(hop.outer).proxy;
    let route = &proxy.routes[hop.route?];
    let pool = &proxy.pools[hop.pool?];
    if route.pass != Pass::Proxy || route.ctx != Ctx::Http {
        return None;
    }
    let new_defaults = chain.nginx_version.is_some_and(|v| v >= Version(1, 29, 7));
    let keepalive = proxy.scopes[pool.scope]
        .directives
        .iter()
        .find(|d| d.name() == "keepalive");
    if keepalive.is_none() && !new_defaults {
        return None;
    }
    if !crate::model::reuse::reuses(proxy, route, new_defaults) {
        return None;
    }
    let t = proxy.time(pool.scope, "keepalive_timeout")?;
    let set = match t.origin {
        Origin::Set(span) => Some(span),
        Origin::Default => None,
    };
    Some(Idle {
        ms: t.value,
        shown: match set {
            Some(_) => format!("`keepalive_timeout {}` in upstream `{}`", t.written, pool.name),
            None => format!(
                "upstream `{}` (`keepalive_timeout` default {})",
                pool.name,
                show_ms(t.value)
            ),
        },
        span: set.or(keepalive.map(|k| k.span())).unwrap_or(pool.name_span),
    })
}

/// How long the inner layer keeps an idle client connection (`Proxy::client_idle`: nginx
/// `keepalive_timeout` of the listener's server, HAProxy `timeout http-keep-alive`, else
/// `timeout http-request`, else `timeout client`). None when it closes after every response.
fn inner_idle(chain: &Chain, hop: &Hop) -> Option<Idle> {
    let proxy = &chain.layer(hop.inner).proxy;
    let listener = chain.listener(hop);
    let t = proxy.client_idle(listener.scope)?;
    Some(Idle {
        ms: t.value,
        shown: t.shown(),
        span: t.at(listener.span),
    })
}
