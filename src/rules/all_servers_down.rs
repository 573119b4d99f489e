//! Every server of an upstream is marked `down`.

use super::support_dead::{flag_span, routes_to};
use super::{Context, Family, Rule};
use crate::finding::{Dialect, Finding, Severity};
use crate::model::Ctx;

pub static RULE: Rule = Rule {
    code: "GW105",
    name: "all-servers-down",
    severity: Severity::Error,
    family: Family::DeadTargets,
    dialects: &[Dialect::Nginx],
    summary: "every server of an upstream is marked `down`",
    page: include_str!("../../rules/GW105-all-servers-down.md"),
    check: Some(check),
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
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
