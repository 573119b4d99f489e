//! HAProxy: an http frontend routes to a tcp backend.

use crate::model::sections::mode;
use super::Context;
use crate::finding::Finding;
use crate::model::{Pass, ScopeId, Target};

declare_rule! {
    code: "GW121",
    name: "mode-mismatch",
    severity: Error,
    family: DeadTargets,
    dialects: [Haproxy],
    refuses: [Haproxy],
    summary: "an http frontend routes to a tcp backend",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    for route in &proxy.routes {
        let Target::Pool(i) = route.target else {
            continue;
        };
        let pool = &proxy.pools[i];
        if pool.scope == route.scope {
            continue; // a listen's own servers
        }
        // A tcp frontend may use an http backend (HAProxy upgrades the stream); the reverse
        // is refused.
        if mode(proxy, route.scope) != "http" || mode(proxy, pool.scope) != "tcp" {
            continue;
        }
        let section = |s: ScopeId| {
            let b = proxy.scopes[s].block;
            let name = b.and_then(|d| d.arg(0)).unwrap_or("?");
            let at = b.map(|d| {
                let src = ctx.sources.get(d.span().file);
                format!("{}:{}", src.name, src.line(d.span().start as usize))
            });
            (name.to_string(), at.unwrap_or_default())
        };
        let (fe, fe_at) = section(route.scope);
        let (be, be_at) = section(pool.scope);
        let how = match route.pass {
            Pass::UseBackend => "in a 'use_backend' rule",
            _ => "as its default backend",
        };
        let kind = proxy.scopes[route.scope]
            .block
            .map_or("frontend", |d| d.name());
        out.push(
            Finding::new(
                &RULE,
                route.target_span,
                format!(
                    "http {kind} '{fe}' routes to tcp backend '{be}': HAProxy refuses to start with `http {kind} '{fe}' ({fe_at}) tries to use incompatible tcp backend '{be}' ({be_at}) {how} (see 'mode').`"
                ),
            )
            .label("tcp backend")
            .help(format!(
                "set `mode http` in backend '{be}' (or in the defaults it inherits), or route this traffic from a tcp frontend"
            ))
            .related(pool.name_span, "backend defined here"),
        );
    }
}
