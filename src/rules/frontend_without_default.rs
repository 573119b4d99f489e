//! HAProxy: a frontend where some requests, or all, match no route and no `default_backend`.

use crate::model::sections::section;
use super::Context;
use crate::finding::{Finding, Severity};
use crate::model::{Endpoint, Pass, ScopeKind, Target};

declare_rule! {
    code: "GW125",
    name: "frontend-without-default",
    severity: Warning,
    family: DeadTargets,
    dialects: [Haproxy],
    refuses: [],
    summary: "a frontend with no `default_backend` that routes nowhere, or matches Host exactly: requests that match nothing get 503",
}

fn conditional(d: &crate::model::Statement) -> bool {
    d.args()
        .iter()
        .any(|a| a.value == "if" || a.value == "unless")
}

/// A rule that answers, redirects or refuses requests itself (`monitor-uri` answers its own
/// path): gwlint cannot tell which requests are left for a backend, if any (`redirect scheme
/// https if !{ ssl_fc }` on a plain port takes them all), so the frontend is not reported.
fn answers(d: &crate::model::Statement) -> bool {
    match d.name() {
        "http-request" | "tcp-request" => d.args().iter().any(|a| {
            matches!(
                a.value.as_str(),
                "return" | "redirect" | "deny" | "tarpit" | "reject" | "use-service"
            )
        }),
        "redirect" | "use-service" | "monitor-uri" => true,
        n => n.starts_with("stats"),
    }
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    for (id, scope) in proxy.scopes.iter().enumerate() {
        if scope.kind != ScopeKind::Frontend {
            continue;
        }
        if proxy.setting(id, "default_backend").is_set() || scope.directives.iter().any(answers) {
            continue;
        }
        let routes: Vec<_> = proxy.routes.iter().filter(|r| r.scope == id).collect();
        // A `use_backend` without a condition takes every request that reaches it.
        if routes.iter().any(|r| !conditional(r.directive)) {
            continue;
        }
        // GW124 speaks for names computed per request.
        if routes
            .iter()
            .any(|r| matches!(r.target, Target::Endpoint(Endpoint::Dynamic)))
        {
            continue;
        }
        let (kind, name) = section(proxy, id);
        let Some(block) = scope.block else { continue };
        let at = block.args().first().map_or(block.span(), |a| a.span);
        let conditional: Vec<_> = routes
            .iter()
            .filter(|r| r.pass == Pass::UseBackend)
            .collect();
        let f = if conditional.is_empty() {
            Finding::new(
                &RULE,
                at,
                format!(
                    "{kind} '{name}' has no `default_backend` and no `use_backend`: every request it accepts gets 503 (`{name}/<NOSRV>`, termination state `SC--`), and `haproxy -c` says nothing"
                ),
            )
            .severity(Severity::Error)
            .label("routes nowhere")
        } else {
            // Which requests the conditions miss is known in one case only: they compare the
            // Host header exactly, and a Host carries a port when the client's URL has one.
            let exact = |text: &str| {
                text.contains("hdr(host)")
                    && !["-m beg", "-m dom", "-m sub", "-m end", "-m reg", "-m found"]
                        .iter()
                        .any(|m| text.contains(m))
            };
            let by_host = conditional.iter().any(|r| {
                exact(ctx.sources.text(r.directive.span()))
                    || crate::model::sections::condition_acls(r.directive)
                        .iter()
                        .any(|(acl, _)| {
                            scope.directives.iter().any(|d| {
                                d.name() == "acl"
                                    && d.arg(0) == Some(acl)
                                    && exact(ctx.sources.text(d.span()))
                            })
                        })
            });
            if !by_host {
                continue;
            }
            // Browsers leave out the default port; on any other, every Host names it.
            let odd_ports: Vec<String> = scope
                .directives
                .iter()
                .filter(|d| d.name() == "bind")
                .filter_map(|d| d.arg(0)?.rsplit(':').next().map(str::to_string))
                .filter(|p| p != "80" && p != "443" && p.parse::<u16>().is_ok())
                .collect();
            let (severity, whom) = match odd_ports.first() {
                Some(p) => (
                    Severity::Warning,
                    format!(
                        "it listens on port {p}, so browsers send `Host: name:{p}`, which matches none of them"
                    ),
                ),
                None => (
                    Severity::Info,
                    "a client that names the port (`Host: shop.example:443`) matches none of them"
                        .to_string(),
                ),
            };
            Finding::new(
                &RULE,
                at,
                format!(
                    "{kind} '{name}' has no `default_backend`, and its `use_backend` conditions compare the Host header exactly, port included: {whom}, and such requests get 503 (`{name}/<NOSRV>`, termination state `SC--`)"
                ),
            )
            .severity(severity)
            .label("no backend for the rest")
        };
        out.push(f.help(format!(
            "add `default_backend <backend>` to {kind} '{name}' (or to its defaults), or answer the rest yourself (`http-request deny deny_status 404`)"
        )));
    }
}
