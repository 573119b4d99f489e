//! `proxy_set_header Upgrade $connection_upgrade`: the Connection map's value sent as the
//! protocol to upgrade to.


use super::Context;
use crate::finding::{Dialect, Finding, Fix};

declare_rule! {
    code: "GW112",
    name: "upgrade-from-connection-map",
    severity: Error,
    family: DeadTargets,
    dialects: [Nginx],
    refuses: [],
    summary: "`proxy_set_header Upgrade` given the Connection map's variable (`$connection_upgrade`): the backend is asked to upgrade to `upgrade`, and WebSockets fail",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    if ctx.proxy.dialect != Dialect::Nginx {
        return;
    }
    for scope in &ctx.proxy.scopes {
        for d in &scope.directives {
            if d.name() != "proxy_set_header"
                || !d.arg(0).is_some_and(|h| h.eq_ignore_ascii_case("upgrade"))
            {
                continue;
            }
            let Some(value) = d.args().get(1) else { continue };
            let Some(var) = value.value.strip_prefix('$') else {
                continue;
            };
            let var = var
                .strip_prefix('{')
                .and_then(|v| v.strip_suffix('}'))
                .unwrap_or(var);
            // The map that makes `Connection` for WebSockets: its values are Connection
            // tokens (`upgrade`, `close`, `keep-alive`), never a protocol name.
            let Some(values) = ctx.proxy.variable_values(var) else {
                continue;
            };
            let tokens = |v: &str| {
                let v = v.trim().to_ascii_lowercase();
                v == "upgrade" || v == "close" || v == "keep-alive" || v.is_empty()
            };
            if values.open
                || values.values.is_empty()
                || !values.values.iter().all(|v| tokens(v))
                || !values
                    .values
                    .iter()
                    .any(|v| v.eq_ignore_ascii_case("upgrade"))
            {
                continue;
            }
            out.push(
                Finding::new(
                    &RULE,
                    value.span,
                    format!(
                        "`proxy_set_header Upgrade ${var}` sends the value of the Connection map: a WebSocket handshake reaches the backend with `Upgrade: upgrade` instead of `Upgrade: websocket`, which WebSocket servers reject (400 Bad Request, `Can \"Upgrade\" only to \"WebSocket\"`), so the client never gets its 101 and the socket fails"
                    ),
                )
                .label("a Connection token, not a protocol")
                .help(format!(
                    "pass the client's own header: `proxy_set_header Upgrade $http_upgrade;`, and keep `${var}` for `proxy_set_header Connection ${var};`"
                ))
                .fix(Fix::replace(
                    "Send the client's Upgrade header ($http_upgrade)",
                    value.span,
                    "$http_upgrade",
                )),
            );
        }
    }
}
