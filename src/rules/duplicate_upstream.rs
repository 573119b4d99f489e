//! Two `upstream` blocks with the same name.

use super::{Context, Family, Rule};
use crate::finding::{Dialect, Finding, Severity};

pub static RULE: Rule = Rule {
    code: "GW103",
    name: "duplicate-upstream",
    severity: Severity::Error,
    family: Family::DeadTargets,
    dialects: &[Dialect::Nginx],
    summary: "two upstreams share a name",
    page: include_str!("../../rules/GW103-duplicate-upstream.md"),
    check: Some(check),
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let pools = &ctx.proxy.pools;
    for (i, p) in pools.iter().enumerate() {
        let first = ctx
            .proxy
            .pools_named(p.ctx, &p.name)
            .next()
            .filter(|&(j, _)| j < i)
            .map(|(_, q)| q);
        if let Some(first) = first {
            out.push(
                Finding::new(
                    &RULE,
                    p.name_span,
                    format!(
                        "upstream \"{}\" is defined twice: nginx refuses to start with `duplicate upstream \"{}\"`",
                        p.name, p.name
                    ),
                )
                .label("second definition")
                .help("rename one of them (and the *_pass that should use it), or merge their servers into one upstream")
                .related(first.name_span, "first defined here"),
            );
        }
    }
}
