//! HAProxy: `option httpchk` in a backend where no server has `check`.

use crate::model::sections::{checkable, flag};
use super::Context;
use crate::finding::Finding;

declare_rule! {
    code: "GW306",
    name: "httpchk-without-check",
    severity: Warning,
    family: HealthChecks,
    dialects: [Haproxy],
    refuses: [],
    summary: "`option httpchk` in a backend where no server has `check`: the health check never runs",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    for pool in &proxy.pools {
        // Only where the section asks for it itself: an `option httpchk` in `defaults` may
        // be meant for other backends.
        let Some(opt) = proxy.scopes[pool.scope]
            .directives
            .iter()
            .rev()
            .find(|d| d.name() == "option httpchk")
        else {
            continue;
        };
        let live = checkable(pool);
        if live.is_empty() || live.iter().any(|s| flag(s, "check", "no-check").is_some()) {
            continue;
        }
        out.push(
            Finding::new(
                &RULE,
                opt.span(),
                format!(
                    "backend '{}' sets `option httpchk` but none of its servers has `check`, so the check never runs: `haproxy -c` says nothing, and a server that fails keeps getting requests, which end in 502/503",
                    pool.name
                ),
            )
            .label("health check defined, never enabled")
            .help(format!(
                "add `check` to the servers of backend '{}' (or `default-server check`)",
                pool.name
            ))
            .related(pool.name_span, "the backend"),
        );
    }
}
