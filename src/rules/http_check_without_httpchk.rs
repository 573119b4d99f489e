//! HAProxy: `http-check` rules in a backend without `option httpchk`.

use super::Context;
use crate::finding::Finding;

declare_rule! {
    code: "GW307",
    name: "http-check-without-httpchk",
    severity: Warning,
    family: HealthChecks,
    dialects: [Haproxy],
    refuses: [],
    summary: "`http-check` rules without `option httpchk`: HAProxy ignores them",
}

/// The `http-check` keywords that are rules; `disable-on-404` and `send-state` are options
/// that stand alone.
const RULES: &[&str] = &[
    "connect",
    "send",
    "expect",
    "set-var",
    "unset-var",
    "comment",
];

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    for pool in &proxy.pools {
        let Some(first) = proxy.scopes[pool.scope]
            .directives
            .iter()
            .find(|d| d.name() == "http-check" && d.arg(0).is_some_and(|a| RULES.contains(&a)))
        else {
            continue;
        };
        if proxy.setting(pool.scope, "option httpchk").is_set() {
            continue;
        }
        out.push(
            Finding::new(
                &RULE,
                first.span(),
                format!(
                    "backend '{}' has `http-check` rules but no `option httpchk`: HAProxy warns `backend '{}' uses http-check rules without 'option httpchk', so the rules are ignored.` and a `check` on the servers tests only that the port accepts a connection, so a server that answers 500 stays UP and its requests fail",
                    pool.name, pool.name
                ),
            )
            .label("ignored")
            .help(format!(
                "add `option httpchk` to backend '{}' (its `http-check send` line gives the method and URI)",
                pool.name
            )),
        );
    }
}
