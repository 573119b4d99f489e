//! HAProxy: a backend of several servers, none with `check`.

use crate::model::sections::{checkable, flag, instances};
use super::Context;
use crate::finding::Finding;

declare_rule! {
    code: "GW305",
    name: "backend-without-checks",
    severity: Warning,
    family: HealthChecks,
    dialects: [Haproxy],
    refuses: [],
    summary: "a backend balances over several servers and none has `check`: a dead server keeps its share of requests",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    let reached = proxy.reached();
    for (i, pool) in proxy.pools.iter().enumerate() {
        // Servers that take traffic and could be checked: not disabled, not following
        // another server's checks (`track`).
        let live = checkable(pool);
        let count: usize = live.iter().map(|s| instances(s)).sum();
        if count < 2 || live.iter().any(|s| flag(s, "check", "no-check").is_some()) || !reached[i] {
            continue;
        }
        out.push(
            Finding::new(
                &RULE,
                pool.name_span,
                format!(
                    "backend '{}' balances over {} servers and none has `check`: HAProxy never marks a dead one DOWN, so its share of requests fails with 503 (`SC--`, connection refused) or, once `timeout connect` expires, 503 `sC--`",
                    pool.name, count
                ),
            )
            .label("no health check on any server")
            .help(format!(
                "add `check` to the servers of backend '{}' (or `default-server check`), with `option httpchk GET /health` for an HTTP check",
                pool.name
            )),
        );
    }
}
