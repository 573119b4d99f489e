//! Every server of an upstream is marked `down` (HAProxy: every server of a backend is
//! `disabled`).

use crate::model::pools::{flag_span, routes_to};
use crate::model::sections::flag;
use super::Context;
use crate::finding::{Dialect, Finding};
use crate::model::Ctx;

declare_rule! {
    code: "GW105",
    name: "all-servers-down",
    severity: Error,
    family: DeadTargets,
    dialects: [Nginx, Haproxy],
    refuses: [],
    summary: "every server of an upstream is marked `down` (HAProxy: every server of a backend is `disabled`)",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    if ctx.proxy.dialect == Dialect::Haproxy {
        return haproxy(ctx, out);
    }
    for (i, pool) in ctx.proxy.pools.iter().enumerate() {
        if pool.servers.is_empty() || !pool.servers.iter().all(|s| s.flag("down")) {
            continue;
        }
        // Only backup servers: nginx refuses to start first (GW106).
        if pool.servers.iter().all(|s| s.flag("backup")) {
            continue;
        }
        let n = pool.servers.len();
        let (answer, routed) = match pool.ctx {
            Ctx::Http => (
                "answers each request routed to it with 502",
                "requests routed here get 502",
            ),
            Ctx::Stream => (
                "closes each connection routed to it without sending a byte",
                "connections routed here are closed",
            ),
        };
        let mut f = Finding::new(
            &RULE,
            pool.name_span,
            format!(
                "every server of upstream \"{}\" is marked `down`: nginx {answer} and logs `no live upstreams while connecting to upstream`",
                pool.name
            ),
        )
        .label(if n == 1 {
            "its only server is `down`".to_string()
        } else {
            format!("all {n} servers are `down`")
        })
        .help(format!(
            "remove `down` from the servers that should take traffic in upstream \"{}\" (or add a live server); to take a service offline on purpose, answer with `return 503;` in the location instead",
            pool.name
        ));
        for s in &pool.servers {
            if let Some(span) = flag_span(s, "down") {
                f = f.related(span, "marked down here");
            }
        }
        for r in routes_to(ctx.proxy, i) {
            f = f.related(r.target_span, routed);
        }
        out.push(f);
    }
}

/// HAProxy starts with every server `disabled` (in maintenance) and answers 503 to what is
/// routed there; a backup server that is not disabled takes the traffic.
fn haproxy(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    let reached = proxy.reached();
    for (i, pool) in proxy.pools.iter().enumerate() {
        let disabled: Vec<_> = pool
            .servers
            .iter()
            .map(|s| flag(s, "disabled", "enabled"))
            .collect();
        if disabled.is_empty() || disabled.iter().any(Option::is_none) || !reached[i] {
            continue;
        }
        let n = pool.servers.len();
        let mut f = Finding::new(
            &RULE,
            pool.name_span,
            format!(
                "every server of backend '{}' is `disabled`: HAProxy starts them in maintenance and answers each request routed here with 503 (`<NOSRV>`, termination state `SC--`)",
                pool.name
            ),
        )
        .label(if n == 1 {
            "its only server is `disabled`".to_string()
        } else {
            format!("all {n} servers are `disabled`")
        })
        .help(format!(
            "remove `disabled` from the servers of backend '{}' that should take traffic (or add a live server); to take the service offline on purpose, replace the servers with `http-request return status 503`",
            pool.name
        ));
        for span in disabled.into_iter().flatten() {
            f = f.related(span, "disabled here");
        }
        for r in routes_to(proxy, i) {
            if r.scope != pool.scope {
                f = f.related(r.target_span, "requests routed here get 503");
            }
        }
        out.push(f);
    }
}
