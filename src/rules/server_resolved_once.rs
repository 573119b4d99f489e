//! HAProxy: a server given by host name without `resolvers`.

use std::collections::HashMap;

use crate::model::sections::{in_service, server_name};
use super::Context;
use crate::finding::{Finding, Severity};
use crate::model::Server;

declare_rule! {
    code: "GW605",
    name: "server-resolved-once",
    severity: Warning,
    family: NameResolution,
    dialects: [Haproxy],
    refuses: [],
    summary: "a server given by host name without `resolvers`: HAProxy resolves it once at start",
}

/// A placeholder left for a template (`HOST1_IP`, `<ip>`), not a host name.
fn placeholder(host: &str) -> bool {
    !host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        || (host.contains('_') || host.chars().all(|c| !c.is_ascii_lowercase()))
            && host.chars().any(|c| c.is_ascii_uppercase())
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    let reached = proxy.reached();
    // One finding per host name, on its first server line.
    let mut names: Vec<(&str, Vec<(&crate::model::Pool, &Server)>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (i, pool) in proxy.pools.iter().enumerate() {
        if !reached[i] {
            continue;
        }
        for s in &pool.servers {
            let Some(host) = s.endpoint.host_name() else {
                continue;
            };
            if host.eq_ignore_ascii_case("localhost")
                || placeholder(host)
                || s.value("resolvers").is_some()
                || !in_service(s)
            {
                continue;
            }
            let k = *index.entry(host.to_ascii_lowercase()).or_insert_with(|| {
                names.push((host, Vec::new()));
                names.len() - 1
            });
            names[k].1.push((pool, s));
        }
    }
    for (host, servers) in names {
        let (pool, s) = servers[0];
        let name = server_name(pool, s);
        let others = match servers.len() - 1 {
            0 => String::new(),
            1 => " (and on 1 other server line)".to_string(),
            n => format!(" (and on {n} other server lines)"),
        };
        // `init-addr …,none`: HAProxy starts without the address and waits for DNS, which
        // without `resolvers` never comes.
        let none = servers.iter().any(|(_, s)| {
            s.value("init-addr")
                .is_some_and(|(v, _)| v.split(',').any(|m| m == "none"))
        });
        let start = if none {
            "; with `init-addr none` HAProxy starts without the address if it does not resolve, and the server stays down (`no address`) until a reload".to_string()
        } else {
            format!(
                "; if it does not resolve at start HAProxy refuses to start with `'server {name}' : could not resolve address '{host}'.`"
            )
        };
        let (why, severity) = match crate::model::endpoint::moving_name(host) {
            Some(why) => (format!("{why}; then"), Severity::Warning),
            None => (
                "a name that rarely moves; if it does,".to_string(),
                Severity::Info,
            ),
        };
        out.push(
            Finding::new(
                &RULE,
                s.endpoint_span,
                format!(
                    "server '{name}' is given by the host name \"{host}\"{others} without `resolvers`: HAProxy resolves it once, at start, and keeps that address; \"{host}\" is {why} every request to it fails with 503 (`SC--`) until a reload{start}"
                ),
            )
            .severity(severity)
            .label("resolved once at start")
            .help(
                "add a `resolvers` section (`nameserver dns1 <ip>:53`) and `resolvers <name> init-addr last,libc,none` to the server line (or to `default-server`)",
            ),
        );
    }
}
