//! An `upstream` block without a `server`.

use super::Context;
use crate::finding::{Dialect, Finding};

declare_rule! {
    code: "GW104",
    name: "empty-upstream",
    severity: Error,
    family: DeadTargets,
    dialects: [Nginx, Haproxy],
    refuses: [Nginx],
    summary: "an upstream has no server (HAProxy: a backend that traffic is routed to)",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for p in &ctx.proxy.pools {
        if !p.servers.is_empty() {
            continue;
        }
        // Servers kept in an include that is missing are reported there (GW002).
        let missing_include = p
            .directive
            .children()
            .iter()
            .any(|d| d.name() == "include" && ctx.proxy.included(d).is_empty());
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
    let f = Finding::new(
        &RULE,
        p.name_span,
        format!(
            "backend '{}' has no `server`: HAProxy answers every request routed to it with 503 (`<NOSRV>` in the log, termination state `SC--`)",
            p.name
        ),
    )
    .label("no server in this backend")
    .help(format!("add `server NAME ADDRESS:PORT check` lines to backend '{}', or route elsewhere", p.name))
    .related(route.target_span, "traffic is routed here");
    Some(match filled_at_run_time(ctx) {
        // `add server` through the runtime API, Lua or the Data Plane API fills it after start.
        Some((how, span)) => Finding::new(
            &RULE,
            p.name_span,
            format!(
                "backend '{}' has no `server` in the configuration, and {how} may add them at run time (`add server`): until then HAProxy answers every request routed to it with 503 (`<NOSRV>`, `SC--`)",
                p.name
            ),
        )
        .severity(crate::finding::Severity::Info)
        .label("no server until one is added")
        .help("if nothing adds servers at run time, add `server NAME ADDRESS:PORT check` lines")
        .related(span, "servers can be added through this")
        .related(route.target_span, "traffic is routed here"),
        None => f,
    })
}

/// What in the configuration can add servers after start: the runtime API at admin level,
/// Lua, or HAProxy's Data Plane API run as a program.
fn filled_at_run_time(ctx: &Context) -> Option<(&'static str, crate::source::Span)> {
    use crate::model::ScopeKind;
    for scope in &ctx.proxy.scopes {
        for d in &scope.directives {
            let words = || d.args.iter().map(|a| a.value.as_str());
            let how = match (scope.kind, d.name()) {
                (ScopeKind::Global, "stats socket") | (ScopeKind::Global, "stats")
                    if words().any(|w| w == "admin") =>
                {
                    "the runtime API (`stats socket … level admin`)"
                }
                (ScopeKind::Global, "lua-load" | "lua-load-per-thread") => "Lua (`lua-load`)",
                (ScopeKind::Program, "command") if words().any(|w| w.contains("dataplaneapi")) => {
                    "the Data Plane API"
                }
                _ => continue,
            };
            return Some((how, d.span));
        }
    }
    None
}
