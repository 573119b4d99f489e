//! A WebSocket location (Upgrade passed on) that keeps `proxy_read_timeout` at 60s or less.

use std::collections::HashSet;

use super::support_tune::parse_time_ms;
use super::{Context, Family, Rule};
use crate::finding::{Dialect, Finding, Severity};
use crate::model::{Ctx, Pass};

pub static RULE: Rule = Rule {
    code: "GW201",
    name: "websocket-read-timeout",
    severity: Severity::Warning,
    family: Family::Timeouts,
    dialects: &[Dialect::Nginx],
    refuses: &[],
    summary: "a location that upgrades to WebSocket keeps proxy_read_timeout at 60s or less",
    page: include_str!("../../rules/GW201-websocket-read-timeout.md"),
    check: Some(check),
};

const LIMIT_MS: u64 = 60_000;

fn check(ctx: &Context, out: &mut Vec<Finding>) {
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
        let timeout = proxy.setting(route.scope, "proxy_read_timeout");
        let Some(ms) = timeout.first().and_then(parse_time_ms) else {
            continue;
        };
        if ms > LIMIT_MS {
            continue;
        }
        let (span, written) = match timeout.directives.last() {
            Some(d) => (
                d.span,
                format!("`proxy_read_timeout {}`", d.arg(0).unwrap_or("")),
            ),
            None => (
                route.directive.span,
                "`proxy_read_timeout` (default 60s)".to_string(),
            ),
        };
        if !seen.insert(span) {
            continue;
        }
        let secs = ms as f64 / 1000.0;
        out.push(
            Finding::new(
                &RULE,
                span,
                format!(
                    "this location passes `Upgrade` to the backend (WebSocket), but {written} still applies to the upgraded connection: a socket with no message from the backend for {secs}s is closed by nginx, logged only at `info` level (`upstream timed out (110: Connection timed out) while proxying upgraded connection`), and clients see the WebSocket drop and reconnect"
                ),
            )
            .label("idle WebSockets are cut here")
            .help("raise it for this location, e.g. `proxy_read_timeout 1h;` (and `proxy_send_timeout 1h;`), or have the backend send pings more often than the timeout")
            .related(upgrade.span, "WebSocket upgrade passed on here"),
        );
    }
}
