//! HAProxy: a frontend picks its backend by a name computed per request (`use_backend %[…]`)
//! and has no `default_backend` for the names that match none.

use crate::model::sections::section;
use super::Context;
use crate::finding::Finding;
use crate::model::{Endpoint, ScopeKind, Target};

declare_rule! {
    code: "GW124",
    name: "dynamic-backend-without-default",
    severity: Warning,
    family: DeadTargets,
    dialects: [Haproxy],
    refuses: [],
    summary: "`use_backend %[…]` without a `default_backend`: requests whose computed name is no backend get 503",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    let mut seen = Vec::new();
    for route in &proxy.routes {
        // Only a sample expression (`%[…]`) is computed per request; an environment
        // variable (`"${BACKEND}"`) is fixed when HAProxy starts, which checks the name then.
        let expr = ctx.sources.text(route.target_span);
        if !matches!(route.target, Target::Endpoint(Endpoint::Dynamic))
            || !expr.contains("%[")
            || seen.contains(&route.scope)
        {
            continue;
        }
        let scope = &proxy.scopes[route.scope];
        // A listen with servers of its own sends unmatched requests to them.
        let own_servers = scope.kind == ScopeKind::Listen
            && proxy
                .pools
                .iter()
                .any(|p| p.scope == route.scope && !p.servers.is_empty());
        if own_servers
            || proxy.setting(route.scope, "default_backend").is_set()
            || has_map_default(expr)
        {
            continue;
        }
        seen.push(route.scope);
        let (kind, name) = section(proxy, route.scope);
        out.push(
            Finding::new(
                &RULE,
                route.target_span,
                format!(
                    "{kind} '{name}' computes the backend's name per request and has no `default_backend`: a request whose name matches no backend (an unexpected Host header, a typo in a map) gets 503 (`{name}/<NOSRV>`, termination state `SC--`)"
                ),
            )
            .label("name computed per request")
            .help(format!(
                "add `default_backend <backend>` to {kind} '{name}' (or to its defaults), or give the lookup a default, e.g. `%[req.hdr(host),lower,map(/etc/haproxy/hosts.map,be_default)]`"
            )),
        );
    }
}

/// `map(file,default)` and its variants (`map_str`, `map_beg`, …) with a default name:
/// every request gets a name the author chose.
fn has_map_default(expr: &str) -> bool {
    let mut rest = expr;
    while let Some(i) = rest.find("map") {
        rest = &rest[i + 3..];
        let args = rest.trim_start_matches(|c: char| c == '_' || c.is_ascii_alphanumeric());
        if let Some(inner) = args.strip_prefix('(')
            && let Some(end) = inner.find(')')
            && inner[..end].contains(',')
        {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    #[test]
    fn map_defaults() {
        assert!(super::has_map_default(
            "%[req.hdr(host),lower,map(/etc/hosts.map,be_default)]"
        ));
        assert!(super::has_map_default("%[path,map_beg(/m.map,web)]"));
        assert!(!super::has_map_default(
            "%[req.hdr(host),lower,map(/etc/hosts.map)]"
        ));
        assert!(!super::has_map_default("%[req.hdr(host),lower]"));
    }
}
