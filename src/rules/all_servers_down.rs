//! Every server of an upstream is marked `down` (HAProxy: every server of a backend is
//! `disabled`).

use crate::model::pools::{out_of_service, routes_to};
use super::Context;
use crate::finding::{Dialect, Finding};
use crate::model::Ctx;
use crate::source::Span;

declare_rule! {
    code: "GW105",
    name: "all-servers-down",
    severity: Error,
    family: DeadTargets,
    dialects: [Nginx, Haproxy],
    refuses: [],
    summary: "every server of an upstream is marked `down` (HAProxy: every server of a backend is `disabled`)",
}

/// nginx answers what is routed to an upstream whose servers are all `down` with 502; HAProxy
/// starts a backend whose servers are all `disabled` in maintenance and answers 503 (a backup
/// server that is not disabled takes the traffic).
pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    let nginx = proxy.dialect == Dialect::Nginx;
    let reached = proxy.reached();
    for (i, pool) in proxy.pools.iter().enumerate() {
        let off: Vec<Option<Span>> = pool
            .servers
            .iter()
            .map(|s| out_of_service(proxy.dialect, s))
            .collect();
        if off.is_empty() || off.iter().any(Option::is_none) {
            continue;
        }
        // nginx: only backup servers, and nginx refuses to start first (GW106). HAProxy: a
        // backend no traffic reaches answers nothing.
        if (nginx && pool.servers.iter().all(|s| s.flag("backup"))) || (!nginx && !reached[i]) {
            continue;
        }
        let n = pool.servers.len();
        let (word, marked) = match nginx {
            true => ("down", "marked down here"),
            false => ("disabled", "disabled here"),
        };
        let (message, help, routed) = match (nginx, pool.ctx) {
            (true, ctx) => {
                let (answer, routed) = match ctx {
                    Ctx::Http => (
                        "answers each request routed to it with 502",
                        "requests routed here get 502",
                    ),
                    Ctx::Stream => (
                        "closes each connection routed to it without sending a byte",
                        "connections routed here are closed",
                    ),
                };
                (
                    format!(
                        "every server of upstream \"{}\" is marked `down`: nginx {answer} and logs `no live upstreams while connecting to upstream`",
                        pool.name
                    ),
                    format!(
                        "remove `down` from the servers that should take traffic in upstream \"{}\" (or add a live server); to take a service offline on purpose, answer with `return 503;` in the location instead",
                        pool.name
                    ),
                    routed,
                )
            }
            (false, _) => (
                format!(
                    "every server of backend '{}' is `disabled`: HAProxy starts them in maintenance and answers each request routed here with 503 (`<NOSRV>`, termination state `SC--`)",
                    pool.name
                ),
                format!(
                    "remove `disabled` from the servers of backend '{}' that should take traffic (or add a live server); to take the service offline on purpose, replace the servers with `http-request return status 503`",
                    pool.name
                ),
                "requests routed here get 503",
            ),
        };
        let mut f = Finding::new(&RULE, pool.name_span, message)
            .label(if n == 1 {
                format!("its only server is `{word}`")
            } else {
                format!("all {n} servers are `{word}`")
            })
            .help(help);
        for span in off.into_iter().flatten() {
            f = f.related(span, marked);
        }
        // An HAProxy `listen` routes to itself: no place to point at.
        for r in routes_to(proxy, i).into_iter().filter(|r| nginx || r.scope != pool.scope) {
            f = f.related(r.target_span, routed);
        }
        out.push(f);
    }
}
