//! HAProxy: a server given by host name without `resolvers`.

use super::support_haproxy::{in_service, reached, server_name};
use super::{Context, Family, Rule};
use crate::finding::{Dialect, Finding, Severity};

pub static RULE: Rule = Rule {
    code: "GW605",
    name: "server-resolved-once",
    severity: Severity::Warning,
    family: Family::NameResolution,
    dialects: &[Dialect::Haproxy],
    refuses: &[],
    summary: "a server given by host name without `resolvers`: HAProxy resolves it once at start",
    page: include_str!("../../rules/GW605-server-resolved-once.md"),
    check: Some(check),
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    let reached = reached(proxy);
    for (i, pool) in proxy.pools.iter().enumerate() {
        if !reached[i] {
            continue;
        }
        for s in &pool.servers {
            let Some(host) = s.endpoint.host_name() else {
                continue;
            };
            if host.eq_ignore_ascii_case("localhost")
                || s.value("resolvers").is_some()
                || !in_service(s)
            {
                continue;
            }
            let name = server_name(pool, s);
            out.push(
                Finding::new(
                    &RULE,
                    s.endpoint_span,
                    format!(
                        "server '{name}' is given by the host name \"{host}\" without `resolvers`: HAProxy resolves it once, at start, and keeps that address; when the name moves (a container or cloud instance replaced) every request to it fails with 503 (`SC--`) until a reload, and if it does not resolve at start HAProxy refuses to start with `'server {name}' : could not resolve address '{host}'.`"
                    ),
                )
                .label("resolved once at start")
                .help(
                    "add a `resolvers` section (`nameserver dns1 <ip>:53`) and `resolvers <name> init-addr last,libc,none` to the server line (or to `default-server`)",
                ),
            );
        }
    }
}
