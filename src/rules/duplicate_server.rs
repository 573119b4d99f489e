//! HAProxy: two servers of one backend share a name.

use std::collections::HashMap;

use crate::model::sections::read_together;
use super::Context;
use crate::finding::Finding;
use crate::model::Statement;

declare_rule! {
    code: "GW123",
    name: "duplicate-server",
    severity: Error,
    family: DeadTargets,
    dialects: [Haproxy],
    refuses: [Haproxy],
    summary: "two servers of one backend share a name: HAProxy refuses to start",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for pool in &ctx.proxy.pools {
        let mut first: HashMap<&str, Vec<&Statement>> = HashMap::new();
        // A `server-template`'s first word is a prefix, not a name.
        for s in pool
            .servers
            .iter()
            .filter(|s| s.directive.name() == "server")
        {
            let Some(name) = s.directive.args().first() else {
                continue;
            };
            let seen = first.entry(&name.value).or_default();
            // `.if`/`.else` may pick one of two lines of the same name.
            let earlier = seen
                .iter()
                .find(|e| read_together(e, s.directive))
                .and_then(|e| e.args().first());
            seen.push(s.directive);
            let Some(earlier) = earlier else {
                continue;
            };
            let line = ctx
                .sources
                .get(earlier.span.file)
                .line(earlier.span.start as usize);
            out.push(
                Finding::new(
                    &RULE,
                    name.span,
                    format!(
                        "backend '{}' has two servers named '{}': HAProxy refuses to start with `backend '{}', another server named '{}' was already defined at line {line}, please use distinct names.`",
                        pool.name, name.value, pool.name, name.value
                    ),
                )
                .label("second server with this name")
                .help("give each server of the backend its own name (the name appears in logs, stats and the runtime API)")
                .related(earlier.span, "first defined here"),
            );
        }
    }
}
