//! A host name in a `*_pass` or an upstream `server` that nginx resolves once, at start, where
//! the configuration shows the address is expected to change: a `resolver` is in scope (set up
//! for run-time DNS, which this name bypasses), or the name is a cloud load balancer's.

use super::{Context, Version};
use crate::finding::{Finding, Severity};
use crate::model::{Endpoint, Target};

declare_rule! {
    code: "GW602",
    name: "hostname-resolved-at-start",
    severity: Info,
    family: NameResolution,
    dialects: [Nginx],
    refuses: [],
    summary: "a host name in a *_pass or upstream server is resolved only at start, though a resolver is set up, or the name is a cloud load balancer's or a Compose service's",
}

/// `server … resolve` in an open-source upstream.
const RESOLVE_SINCE: Version = Version(1, 27, 3);

/// A name that DNS answers for: not an IP, not `localhost` (GW603), not a bare word without a
/// port (that may be an upstream defined elsewhere; GW101 judges it).
fn dns_name(endpoint: &Endpoint, server: bool) -> Option<(&str, Option<u16>)> {
    let host = endpoint.host_name()?;
    let Endpoint::Inet { port, .. } = endpoint else {
        return None;
    };
    // An upstream's `server` is always an address, so a bare word there is a host name too.
    if host.eq_ignore_ascii_case("localhost") || (!host.contains('.') && port.is_none() && !server)
    {
        return None;
    }
    Some((host, *port))
}

/// Why this name is expected to move, or None: nothing says so and it is not reported.
fn why(host: &str, resolver: bool) -> Option<(String, Severity)> {
    if let Some(what) = crate::model::endpoint::moving_name(host) {
        return Some((format!("it is {what}"), Severity::Warning));
    }
    resolver.then(|| {
        (
            "the `resolver` in scope does not change that: nginx asks it only for names built from variables and for servers marked `resolve`".to_string(),
            Severity::Info,
        )
    })
}

const WHAT: &str = "nginx resolves it once, when it starts or reloads, and keeps those addresses; when they change, requests still go to the old ones and fail with `connect() failed (111: Connection refused) while connecting to upstream` (502) or `upstream timed out (110: Connection timed out) while connecting to upstream` (504) until the next reload";

fn host_port(host: &str, port: Option<u16>) -> String {
    match port {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    }
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    let new = ctx.nginx_at_least(RESOLVE_SINCE);
    let mut named = std::collections::HashSet::new();
    for route in &proxy.routes {
        let Target::Endpoint(endpoint) = &route.target else {
            continue;
        };
        let Some((host, port)) = dns_name(endpoint, false) else {
            continue;
        };
        // One finding per name: a Compose stack names its services in many locations.
        if named.contains(&host.to_ascii_lowercase()) {
            continue;
        }
        if proxy.pools_named(route.ctx, host).next().is_some() {
            continue; // an upstream's name with a port: GW102
        }
        let resolver = proxy.setting(route.scope, "resolver").is_set();
        let Some((reason, severity)) = why(host, resolver) else {
            continue;
        };
        named.insert(host.to_ascii_lowercase());
        let directive = route.pass.directive();
        let hp = host_port(host, port);
        let help = if new {
            format!(
                "move it into an upstream that re-resolves it — `upstream NAME {{ zone NAME 64k; server {hp} resolve; }}` with a `resolver` in `http {{}}` — and `{directive}` to that upstream"
            )
        } else {
            format!(
                "resolve it per request: `set $backend {hp};` and the variable in `{directive}`, with a `resolver ADDRESS valid=30s;` in scope (the URI part of the directive is then passed as written); from nginx 1.27.3, an upstream with `zone` and `server {hp} resolve;` does it too"
            )
        };
        out.push(
            Finding::new(
                &RULE,
                route.target_span,
                format!("`{directive}` names the host `{host}`: {WHAT}; {reason}"),
            )
            .severity(severity)
            .label("resolved once, at start")
            .help(help),
        );
    }
    for pool in &proxy.pools {
        // Looked up for the first server named by DNS: most pools list addresses.
        let mut in_scope = None;
        for server in &pool.servers {
            if server.flag("resolve") {
                continue;
            }
            let Some((host, port)) = dns_name(&server.endpoint, true) else {
                continue;
            };
            if named.contains(&host.to_ascii_lowercase()) {
                continue;
            }
            let (resolver, zone) = *in_scope.get_or_insert_with(|| {
                let resolver = !proxy.deciding(pool.scope, "resolver").is_empty();
                let zone = proxy.scopes[pool.scope]
                    .directives
                    .iter()
                    .any(|d| d.name() == "zone");
                (resolver, zone)
            });
            let Some((reason, severity)) = why(host, resolver) else {
                continue;
            };
            named.insert(host.to_ascii_lowercase());
            let hp = host_port(host, port);
            let mut needs = Vec::new();
            if !zone {
                needs.push(format!("`zone {} 64k;` in the upstream", pool.name));
            }
            if !resolver {
                needs.push("a `resolver ADDRESS valid=30s;` in `http {}`".to_string());
            }
            let needs = if needs.is_empty() {
                String::new()
            } else {
                format!(" with {}", needs.join(" and "))
            };
            let help = if new {
                format!("add `resolve`: `server {hp} resolve;`{needs}")
            } else {
                format!(
                    "on nginx 1.27.3 or later add `resolve` (`server {hp} resolve;`){needs}; older versions refuse that parameter, and there a variable in the `*_pass` (`set $backend {hp};`, with a `resolver`) re-resolves the name, without this upstream's balancing and keepalive"
                )
            };
            out.push(
                Finding::new(
                    &RULE,
                    server.endpoint_span,
                    format!(
                        "upstream `{}` has the server `{host}`: {WHAT}; {reason}",
                        pool.name
                    ),
                )
                .severity(severity)
                .label("resolved once, at start")
                .help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_names_are_reported() {
        let ep = Endpoint::parse;
        let pass = |e: &Endpoint| dns_name(e, false).map(|(h, p)| (h.to_string(), p));
        assert_eq!(pass(&ep("127.0.0.1:80")), None);
        assert_eq!(pass(&ep("[::1]:80")), None);
        assert_eq!(pass(&ep("localhost:8080")), None);
        assert_eq!(pass(&ep("unix:/run/a.sock")), None);
        assert_eq!(pass(&ep("backend")), None, "may be an upstream");
        assert_eq!(
            pass(&ep("backend:8080")),
            Some(("backend".into(), Some(8080)))
        );
        assert_eq!(
            pass(&ep("api.example.com")),
            Some(("api.example.com".into(), None))
        );
        // An upstream's server is always an address: a bare word is a host name there.
        assert_eq!(dns_name(&ep("backend"), true), Some(("backend", None)));
        assert_eq!(
            why("app", false).map(|w| w.1),
            Some(Severity::Warning),
            "a Compose service name"
        );
        assert!(why("api.example.com", false).is_none());
        assert_eq!(
            why("api.example.com", true).map(|w| w.1),
            Some(Severity::Info)
        );
        assert_eq!(
            why("web-1234.eu-west-1.ELB.amazonaws.com.", false).map(|w| w.1),
            Some(Severity::Warning)
        );
    }
}
