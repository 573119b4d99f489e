//! HAProxy: a `default_backend` that a later one in the same section replaces.

use crate::model::sections::{proxies, read_together, section};
use super::Context;
use crate::finding::Finding;

declare_rule! {
    code: "GW126",
    name: "default-backend-replaced",
    severity: Warning,
    family: DeadTargets,
    dialects: [Haproxy],
    refuses: [],
    summary: "two `default_backend` lines in one section: HAProxy keeps the last, and the first gets no traffic",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    for (id, scope) in proxies(proxy) {
        let lines: Vec<_> = scope
            .directives
            .iter()
            .filter(|d| d.name() == "default_backend")
            .collect();
        for (k, first) in lines.iter().enumerate() {
            let Some(last) = lines[k + 1..]
                .iter()
                .rev()
                .find(|l| read_together(first, l))
            else {
                continue;
            };
            let (kind, name) = section(proxy, id);
            let line = ctx
                .sources
                .get(last.span().file)
                .line(last.span().start as usize);
            out.push(
                Finding::new(
                    &RULE,
                    first.span(),
                    format!(
                        "`default_backend {}` in {kind} '{name}' is replaced by `default_backend {}` on line {line}: HAProxy keeps only the last, so requests that match no `use_backend` never reach '{}' (and `haproxy -c` says nothing)",
                        first.arg(0).unwrap_or(""),
                        last.arg(0).unwrap_or(""),
                        first.arg(0).unwrap_or("")
                    ),
                )
                .label("replaced by a later default_backend")
                .help("keep one `default_backend`; to send some requests to the other backend, give them a `use_backend … if <condition>`")
                .related(last.span(), "this one is used"),
            );
        }
    }
}
