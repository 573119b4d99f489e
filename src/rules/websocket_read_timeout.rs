//! A WebSocket location (Upgrade passed on) that keeps `proxy_read_timeout` at 60s or less.

use std::collections::HashSet;

use crate::model::exits::route_facts;
use super::Context;
use crate::facts::{Backend, Ping};
use crate::finding::{Finding, Severity};
use crate::model::{Ctx, Pass};

// Most WebSocket stacks ping (socket.io, `ws` heartbeats, XMPP, Mastodon's streaming):
// a hint unless the backend is declared not to (`[[backend]] websocket_ping = "none"`).
declare_rule! {
    code: "GW201",
    name: "websocket-read-timeout",
    severity: Info,
    family: Timeouts,
    dialects: [Nginx],
    refuses: [],
    summary: "a location that upgrades to WebSocket keeps proxy_read_timeout at 60s or less",
}

const LIMIT_MS: u64 = 60_000;

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    let mut seen = HashSet::new();
    for route in &proxy.routes {
        if route.ctx != Ctx::Http || route.pass != Pass::Proxy {
            continue;
        }
        let headers = proxy.deciding(route.scope, "proxy_set_header");
        let Some(upgrade) = headers.iter().find(|d| {
            d.arg(0).is_some_and(|n| n.eq_ignore_ascii_case("upgrade"))
                && d.arg(1).is_some_and(|v| !v.is_empty())
        }) else {
            continue;
        };
        let Some(timeout) = proxy.time(route.scope, "proxy_read_timeout") else {
            continue;
        };
        let ms = timeout.value;
        if ms > LIMIT_MS {
            continue;
        }
        let facts: Vec<&Backend> = route_facts(ctx.facts, ctx.sources, ctx.proxy, route);
        // The least talkative declared backend decides.
        let ping = facts
            .iter()
            .filter_map(|b| Some((b.websocket_ping?, b)))
            .max_by_key(|(p, _)| match p {
                Ping::Never => u128::MAX,
                Ping::Every(d) => d.as_millis(),
            });
        let declared = match ping {
            Some((Ping::Every(d), _)) if (d.as_millis() as u64) < ms => continue,
            Some((p, b)) => Some((p, b)),
            None => None,
        };
        let (span, written) = (timeout.at(route.directive.span()), timeout.shown());
        if !seen.insert(span) {
            continue;
        }
        let secs = ms as f64 / 1000.0;
        let cut = format!(
            "this location passes `Upgrade` to the backend (WebSocket), but {written} still applies to the upgraded connection: a socket with no message from the backend for {secs}s is closed by nginx, logged only at `info` level (`upstream timed out (110: Connection timed out) while proxying upgraded connection`), and clients see the WebSocket drop and reconnect"
        );
        let (message, severity) = match declared {
            Some((Ping::Never, b)) => (
                format!(
                    "{cut}: the backend is declared not to ping (`websocket_ping = \"none\"`, {})",
                    b.origin
                ),
                Severity::Warning,
            ),
            Some((Ping::Every(d), b)) => (
                format!(
                    "{cut}: the backend is declared to ping every {}s (`websocket_ping`, {}), not sooner than that",
                    d.as_secs_f64(),
                    b.origin
                ),
                Severity::Warning,
            ),
            None => (
                format!(
                    "{cut}, unless the backend sends something more often than every {secs}s: most WebSocket stacks ping (socket.io every 25s, `ws` heartbeats), so this is a hint; declare `websocket_ping` in a `[[backend]]` of gwlint.toml to settle it"
                ),
                Severity::Info,
            ),
        };
        out.push(
            Finding::new(&RULE, span, message)
                .severity(severity)
                .label("idle WebSockets are cut here")
                .help("raise it for this location, e.g. `proxy_read_timeout 1h;` (and `proxy_send_timeout 1h;`), or have the backend send pings more often than the timeout")
                .related(upgrade.span(), "WebSocket upgrade passed on here"),
        );
    }
}
