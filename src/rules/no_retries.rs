//! HAProxy: `retries 0`.

use crate::model::sections::section;
use super::Context;
use crate::finding::Finding;
use crate::source::Span;

declare_rule! {
    code: "GW304",
    name: "no-retries",
    severity: Warning,
    family: HealthChecks,
    dialects: [Haproxy],
    refuses: [],
    summary: "`retries 0`: the first failed connection to a server answers 503",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    let reached = proxy.reached();
    // One finding per `retries 0` line, with the backends it applies to.
    let mut found: Vec<(Span, Vec<String>)> = Vec::new();
    for (i, pool) in proxy.pools.iter().enumerate() {
        if pool.servers.is_empty() || !reached[i] {
            continue;
        }
        let Some(d) = proxy
            .setting(pool.scope, "retries")
            .directives
            .last()
            .copied()
        else {
            continue;
        };
        if d.arg(0).and_then(|v| v.parse::<u32>().ok()) != Some(0) {
            continue;
        }
        let (kind, name) = section(proxy, pool.scope);
        let who = format!("{kind} '{name}'");
        match found.iter_mut().find(|(s, _)| *s == d.span()) {
            Some((_, v)) => v.push(who),
            None => found.push((d.span(), vec![who])),
        }
    }
    for (span, who) in found {
        out.push(
            Finding::new(
                &RULE,
                span,
                format!(
                    "`retries 0` in {}: HAProxy gives up on the first failed connection, so a server that restarts, refuses one connection or drops a SYN answers 503 at once (termination state `SC--` or `sC--`) instead of being retried (the default is 3)",
                    who.join(", ")
                ),
            )
            .label("no retry")
            .help("remove it (HAProxy retries 3 times by default) or set `retries 2` or more; with `option redispatch` the last retry goes to another server"),
        );
    }
}
