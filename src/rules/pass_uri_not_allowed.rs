//! `proxy_pass` with a URI part where nginx cannot replace the matched part of the URI.

use super::Context;
use crate::finding::Finding;
use crate::model::{Ctx, Pass, ScopeKind, endpoint::split_url};
use crate::model::has_variable;

declare_rule! {
    code: "GW111",
    name: "pass-uri-not-allowed",
    severity: Error,
    family: DeadTargets,
    dialects: [Nginx],
    refuses: [Nginx],
    summary: "`proxy_pass` with a URI in a regex or named location, `if` or `limit_except`: nginx refuses to start",
}

/// nginx's own words, from ngx_http_proxy_module.c.
const REFUSAL: &str = "\"proxy_pass\" cannot have URI part in location given by regular expression, or inside named location, or inside \"if\" statement, or inside \"limit_except\" block";

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    for route in &proxy.routes {
        if route.ctx != Ctx::Http || route.pass != Pass::Proxy {
            continue;
        }
        let Some(url) = route.directive.args().first().map(|a| a.value.as_str()) else {
            continue;
        };
        // With a variable anywhere, nginx builds the URL per request and does not check.
        if has_variable(url) {
            continue;
        }
        let (scheme, address) = split_url(url);
        let Some(scheme) = scheme else { continue };
        let uri = &url[scheme.len() + 3 + address.len()..];
        let uri = match address.starts_with("unix:") {
            // `http://unix:/run/app.sock:/uri`: the URI follows the socket path's colon.
            true => uri.strip_prefix(':').unwrap_or(""),
            false => uri,
        };
        if uri.is_empty() {
            continue;
        }
        // The block the directive stands in decides (nginx: the location's `named`, `regex`
        // or `noname` flag); a plain location nested in a regex one is fine.
        let scope = &proxy.scopes[route.scope];
        let place = match scope.kind {
            ScopeKind::If => "inside `if`",
            ScopeKind::LimitExcept => "inside `limit_except`",
            ScopeKind::Location => {
                let args = scope.block.map(|b| b.args()).unwrap_or_default();
                match args.first().map(|a| a.value.as_str()) {
                    // `location ~^/api/` is a regex too: nginx strips a glued `~` or `~*`.
                    Some(n) if n.starts_with('~') => "in a location given by a regular expression",
                    Some(n) if n.starts_with('@') => "in a named location",
                    _ => continue,
                }
            }
            _ => continue,
        };
        out.push(
            Finding::new(
                &RULE,
                route.target_span,
                format!(
                    "`proxy_pass {url}` has the URI part `{uri}` {place}, where nginx has no matched prefix to replace with it: nginx refuses to start with `{REFUSAL}`"
                ),
            )
            .label(format!("URI part `{uri}` not allowed here"))
            .help(format!(
                "drop the URI (`proxy_pass {scheme}://{address};` passes the request's URI unchanged), or rewrite the URI first (`rewrite ^/old/(.*)$ {uri}$1 break;`) and pass without one"
            )),
        );
    }
}
