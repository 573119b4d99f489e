//! `max_fails=0` on every server of a multi-server upstream.

use crate::model::pools::{http_pools, primaries};
use super::Context;
use crate::finding::Finding;

declare_rule! {
    code: "GW301",
    name: "passive-checks-disabled",
    severity: Warning,
    family: HealthChecks,
    dialects: [Nginx],
    refuses: [],
    summary: "`max_fails=0` on every server of an upstream of several servers",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, pool) in http_pools(ctx.proxy) {
        let live = primaries(pool);
        if live.len() < 2 {
            continue;
        }
        let zeros: Vec<_> = live
            .iter()
            .filter_map(|s| s.value("max_fails").filter(|(v, _)| *v == "0"))
            .collect();
        if zeros.len() != live.len() {
            continue;
        }
        let mut f = Finding::new(
            &RULE,
            zeros[0].1,
            format!(
                "every server of upstream \"{}\" has `max_fails=0`, so nginx never takes a failing one out of rotation: a dead server keeps its share of requests; each one fails there first (`connect() failed (111: Connection refused) while connecting to upstream`) and is retried elsewhere only where `proxy_next_upstream` allows — otherwise 502, and a server that hangs holds each request for the connect/read timeout (504)",
                pool.name
            ),
        )
        .label("failure accounting disabled")
        .help("drop `max_fails=0` (the default `max_fails=1 fail_timeout=10s` skips a failed server for 10s), or set e.g. `max_fails=3 fail_timeout=10s`");
        for (_, span) in &zeros[1..] {
            f = f.related(*span, "also disabled here");
        }
        out.push(f);
    }
}
