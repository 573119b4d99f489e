//! `proxy_*` settings in a location that hands its requests to a named location with
//! `try_files … @name`: the named location inherits from the server, not from here.

use super::Context;
use crate::finding::{Dialect, Finding};
use crate::model::ScopeKind;

declare_rule! {
    code: "GW205",
    name: "settings-before-named-location",
    severity: Warning,
    family: Timeouts,
    dialects: [Nginx],
    refuses: [],
    summary: "`proxy_*` timeouts or buffers in a location that hands off with `try_files … @name`: the named location does not inherit them, so they never apply",
}

/// Settings of the module that would talk to the backend: they matter only where the request
/// is passed, and a named location inherits from its server.
const PREFIXES: &[&str] = &["proxy_", "fastcgi_", "uwsgi_", "scgi_", "grpc_"];

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    if proxy.dialect != Dialect::Nginx {
        return;
    }
    for (id, scope) in proxy.scopes.iter().enumerate() {
        if scope.kind != ScopeKind::Location {
            continue;
        }
        let Some(try_files) = scope.directives.iter().find(|d| d.name() == "try_files") else {
            continue;
        };
        let Some(named) = try_files.args().last().map(|a| a.value.as_str()) else {
            continue;
        };
        if !named.starts_with('@') {
            continue;
        }
        // The location passes requests itself too (it has a *_pass): its settings apply there.
        if proxy.routes.iter().any(|r| r.scope == id) {
            continue;
        }
        // The named location: a sibling under the same server.
        let Some(server) = scope.parent else { continue };
        let Some(target) = proxy.scopes.iter().position(|s| {
            s.kind == ScopeKind::Location
                && s.parent == Some(server)
                && s.block.and_then(|b| b.arg(0)) == Some(named)
        }) else {
            continue;
        };
        // Only when the named location passes the request: then its settings decide.
        let Some(route) = proxy.routes.iter().find(|r| r.scope == target) else {
            continue;
        };
        let prefix = route.pass.prefix().map(|p| format!("{p}_"));
        for d in scope.directives.iter() {
            let name = d.name();
            if !PREFIXES.iter().any(|p| name.starts_with(p)) {
                continue;
            }
            // `proxy_*` beside a fastcgi_pass (or the other way round) is another finding.
            if prefix.as_deref().is_some_and(|p| !name.starts_with(p)) {
                continue;
            }
            // Set the same in the named location: nothing is lost.
            if proxy.scopes[target]
                .directives
                .iter()
                .any(|t| t.name() == name)
            {
                continue;
            }
            out.push(
                Finding::new(
                    &RULE,
                    d.span(),
                    format!(
                        "`{name}` here never applies: this location hands its requests to `{named}` with `try_files`, and a named location inherits its settings from the server, not from the location that sent the request there, so the `{}` in `{named}` runs with the server's (or nginx's default) `{name}`",
                        route.pass.directive()
                    ),
                )
                .label(format!("not inherited by {named}"))
                .help(format!(
                    "move `{name}` into `location {named}` (or up to the server, if every location should have it)"
                ))
                .related(route.directive.span(), format!("requests are passed here, in {named}")),
            );
        }
    }
}
