//! The outer proxy of a chain gives up on a response before the inner one does.

use std::collections::HashSet;

use crate::chain::{Chain, dialect_name};
use crate::finding::{Dialect, Finding};
use crate::model::exits::{Exit, Wait as WaitFor};
use crate::model::Proxy;
use crate::source::Span;
use crate::units::show_ms;

declare_rule! {
    code: "GW701",
    name: "chain-timeout-order",
    severity: Warning,
    family: Chains,
    dialects: [Nginx, Haproxy],
    refuses: [],
    summary: "the outer proxy's response timeout is shorter than the inner proxy's: the outer answers 504 and the real error is lost",
}

/// How long one end waits for a response: milliseconds, the directive as written (or the
/// default), and the span that decides (the route when a default does).
struct Wait {
    ms: u64,
    shown: String,
    span: Span,
}

/// What the model says an exit waits for the response (`Proxy::wait`): nginx's
/// `<module>_read_timeout` (default 60s), HAProxy's `timeout server` (None when unset:
/// HAProxy then waits for ever).
fn wait(proxy: &Proxy, exit: &Exit) -> Option<Wait> {
    let t = proxy.wait(exit, WaitFor::Response)?;
    Some(Wait {
        ms: t.value,
        shown: t.shown(),
        span: t.at(exit.span),
    })
}

/// The exit a hop leaves its outer layer by, or a route of an inner layer: an nginx route,
/// the HAProxy backend it names.
fn exit_of<'p, 'a>(chain: &'p Chain<'a>, layer: usize, route: usize) -> Option<Exit<'p, 'a>> {
    let proxy = &chain.layer(layer).proxy;
    match proxy.dialect {
        Dialect::Nginx => Some(proxy.route_exit(route)),
        Dialect::Haproxy => Some(proxy.pool_exit(chain.pool_of(layer, route)?)),
    }
}

pub(crate) fn check(chain: &Chain, out: &mut Vec<Finding>) {
    let mut seen: HashSet<(Span, Span)> = HashSet::new();
    for hop in &chain.hops {
        let outer_proxy = &chain.layer(hop.outer).proxy;
        let exit = match (outer_proxy.dialect, hop.pool, hop.route) {
            (Dialect::Haproxy, Some(p), _) => Some(outer_proxy.pool_exit(p)),
            (Dialect::Nginx, _, Some(r)) => Some(outer_proxy.route_exit(r)),
            _ => None,
        };
        let outer = exit.and_then(|e| wait(outer_proxy, &e));
        let Some(outer) = outer else { continue };
        let inner_proxy = &chain.layer(hop.inner).proxy;
        let listener = chain.listener(hop);
        let Some(inner) = chain
            .behind(hop.inner, listener)
            .into_iter()
            .filter_map(|r| wait(inner_proxy, &exit_of(chain, hop.inner, r)?))
            .filter(|w| w.ms > outer.ms)
            .max_by_key(|w| w.ms)
        else {
            continue;
        };
        if !seen.insert((outer.span, inner.span)) {
            continue;
        }
        let outer_name = dialect_name(outer_proxy.dialect);
        let inner_name = dialect_name(inner_proxy.dialect);
        let outer_504 = match outer_proxy.dialect {
            Dialect::Haproxy => "HAProxy's 504 (termination state `sH--`)".to_string(),
            Dialect::Nginx => "nginx's 504 (`upstream timed out (110: Connection timed out) while reading response header from upstream`)".to_string(),
        };
        let inner_log = match inner_proxy.dialect {
            Dialect::Nginx => "nginx logs 499 (client closed the connection)",
            Dialect::Haproxy => "HAProxy logs termination state `CH--` (client aborted)",
        };
        out.push(
            Finding::new(
                &RULE,
                outer.span,
                format!(
                    "{} gives up before the {inner_name} behind it: {} there (behind {}, reached through {}) waits longer, so a response that takes between {} and {} gets {outer_504} while {inner_name} is still waiting; {inner_log} and the backend's slowness never shows in its error log",
                    outer.shown,
                    inner.shown,
                    chain.inner_name(hop),
                    chain.outer_name(hop),
                    show_ms(outer.ms),
                    show_ms(inner.ms),
                ),
            )
            .label(format!("{outer_name} waits {}", show_ms(outer.ms)))
            .related(inner.span, format!("{inner_name} waits {}", show_ms(inner.ms)))
            .help(format!(
                "the inner layer must time out first: make the outer timeout longer than every timeout behind it (above {}), or shorten {} below {}",
                show_ms(inner.ms),
                inner.shown,
                show_ms(outer.ms)
            ))
            .dialect(outer_proxy.dialect),
        );
    }
}
