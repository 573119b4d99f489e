//! An `upstream` block without a `server`.

use super::{Context, Family, Rule};
use crate::finding::{Dialect, Finding, Severity};

pub static RULE: Rule = Rule {
    code: "GW104",
    name: "empty-upstream",
    severity: Severity::Error,
    family: Family::DeadTargets,
    dialects: &[Dialect::Nginx],
    summary: "an upstream has no server",
    page: include_str!("../../rules/GW104-empty-upstream.md"),
    check: Some(check),
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for p in &ctx.proxy.pools {
        if !p.servers.is_empty() {
            continue;
        }
        // Servers kept in an include that is missing are reported there (GW002).
        let missing_include = p
            .directive
            .children()
            .iter()
            .any(|d| d.name() == "include" && ctx.tree.included(d).is_empty());
        if missing_include {
            continue;
        }
        out.push(
            Finding::new(
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
        );
    }
}
