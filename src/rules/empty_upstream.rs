//! An `upstream` block without a `server`.

use super::{Context, Family, Rule};
use crate::finding::{Dialect, Finding, Severity};

pub static RULE: Rule = Rule {
    code: "GW104",
    name: "empty-upstream",
    severity: Severity::Error,
    family: Family::DeadTargets,
    dialects: &[Dialect::Nginx, Dialect::Haproxy],
    refuses: &[Dialect::Nginx],
    summary: "an upstream has no server (HAProxy: a backend that traffic is routed to)",
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
        if ctx.proxy.dialect == Dialect::Haproxy {
            if let Some(f) = haproxy(ctx, p) {
                out.push(f);
            }
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

/// HAProxy starts with an empty backend, and answers 503 to everything routed to it — unless
/// the backend answers by itself (stats, `http-request return`, a redirect).
fn haproxy(ctx: &Context, p: &crate::model::Pool) -> Option<Finding> {
    let answers_itself = ctx.proxy.scopes[p.scope].directives.iter().any(|d| {
        matches!(
            d.name(),
            "redirect"
                | "stats enable"
                | "stats"
                | "errorfile"
                | "http-request"
                | "tcp-request"
                | "use-service"
        ) && (d.name() != "http-request"
            || matches!(
                d.arg(0),
                Some("return" | "redirect" | "deny" | "tarpit" | "use-service")
            ))
            && (d.name() != "tcp-request" || d.args.iter().any(|a| a.value == "reject"))
    });
    // `dispatch ADDR` and `option transparent` send the traffic somewhere without a server.
    let has_destination = ctx.proxy.setting(p.scope, "dispatch").is_set()
        || ctx.proxy.setting(p.scope, "option transparent").is_set();
    let routed = ctx
        .proxy
        .routes
        .iter()
        .find(|r| matches!(r.target, crate::model::Target::Pool(i) if std::ptr::eq(&ctx.proxy.pools[i], p)));
    let route = routed?;
    if answers_itself || has_destination {
        return None;
    }
    Some(
        Finding::new(
            &RULE,
            p.name_span,
            format!(
                "backend '{}' has no `server`: HAProxy answers every request routed to it with 503 (`<NOSRV>` in the log, termination state `SC--`)",
                p.name
            ),
        )
        .label("no server in this backend")
        .help(format!("add `server NAME ADDRESS:PORT check` lines to backend '{}', or route elsewhere", p.name))
        .related(route.target_span, "traffic is routed here"),
    )
}
