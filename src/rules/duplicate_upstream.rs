//! Two `upstream` blocks with the same name.

use crate::model::sections::read_together;
use super::Context;
use crate::finding::{Dialect, Finding};

declare_rule! {
    code: "GW103",
    name: "duplicate-upstream",
    severity: Error,
    family: DeadTargets,
    dialects: [Nginx, Haproxy],
    refuses: [Nginx, Haproxy],
    summary: "two upstreams (HAProxy: backends) share a name",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let pools = &ctx.proxy.pools;
    for (i, p) in pools.iter().enumerate() {
        let first = ctx
            .proxy
            .pools_named(p.ctx, &p.name)
            // `.if`/`.else` may pick one of two HAProxy sections of the same name.
            .find(|&(j, q)| j < i && read_together(q.directive, p.directive))
            .map(|(_, q)| q);
        if let Some(first) = first {
            let message = match ctx.proxy.dialect {
                Dialect::Nginx => format!(
                    "upstream \"{}\" is defined twice: nginx refuses to start with `duplicate upstream \"{}\"`",
                    p.name, p.name
                ),
                Dialect::Haproxy => {
                    let kind = |d: &crate::model::Statement| d.name().to_string();
                    let (file, line) = {
                        let src = ctx.sources.get(first.name_span.file);
                        (src.name.clone(), src.line(first.name_span.start as usize))
                    };
                    format!(
                        "{} '{}' is defined twice: HAProxy refuses to start with `{} '{}' has the same name as {} '{}' declared at {file}:{line}.`",
                        kind(p.directive),
                        p.name,
                        kind(p.directive),
                        p.name,
                        kind(first.directive),
                        first.name
                    )
                }
            };
            out.push(
                Finding::new(&RULE, p.name_span, message)
                    .label("second definition")
                    .help("rename one of them (and the routes that should use it), or merge their servers into one")
                    .related(first.name_span, "first defined here"),
            );
        }
    }
}
