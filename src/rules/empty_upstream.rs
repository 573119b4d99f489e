//! An `upstream` block without a `server`.

use super::Context;
use crate::finding::{Finding, Severity};
use crate::model::pools::{Empty, empty};

declare_rule! {
    code: "GW104",
    name: "empty-upstream",
    severity: Error,
    family: DeadTargets,
    dialects: [Nginx, Haproxy],
    refuses: [Nginx],
    summary: "an upstream has no server (HAProxy: a backend that traffic is routed to)",
}

/// One check over the model (`model::pools::empty`): what becomes of a pool without servers.
pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (i, p) in ctx.proxy.pools.iter().enumerate() {
        let f = match empty(ctx.proxy, i) {
            None => continue,
            Some(Empty::Refused) => Finding::new(
                &RULE,
                p.name_span,
                format!(
                    "upstream \"{}\" has no `server`: nginx refuses to start with `no servers are inside upstream`",
                    p.name
                ),
            )
            .label("no server in this upstream")
            .help(format!(
                "add at least one `server ADDRESS:PORT;` to upstream \"{}\", or remove it and the *_pass that use it",
                p.name
            )),
            // `add server` through the runtime API, Lua or the Data Plane API fills it after
            // start.
            Some(Empty::Unserved {
                routed,
                filled: Some((how, span)),
            }) => Finding::new(
                &RULE,
                p.name_span,
                format!(
                    "backend '{}' has no `server` in the configuration, and {how} may add them at run time (`add server`): until then HAProxy answers every request routed to it with 503 (`<NOSRV>`, `SC--`)",
                    p.name
                ),
            )
            .severity(Severity::Info)
            .label("no server until one is added")
            .help("if nothing adds servers at run time, add `server NAME ADDRESS:PORT check` lines")
            .related(span, "servers can be added through this")
            .related(routed, "traffic is routed here"),
            Some(Empty::Unserved { routed, filled: None }) => Finding::new(
                &RULE,
                p.name_span,
                format!(
                    "backend '{}' has no `server`: HAProxy answers every request routed to it with 503 (`<NOSRV>` in the log, termination state `SC--`)",
                    p.name
                ),
            )
            .label("no server in this backend")
            .help(format!(
                "add `server NAME ADDRESS:PORT check` lines to backend '{}', or route elsewhere",
                p.name
            ))
            .related(routed, "traffic is routed here"),
        };
        out.push(f);
    }
}
