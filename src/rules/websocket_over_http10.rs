//! `proxy_set_header Upgrade …` where nginx speaks HTTP/1.0 to the backend: the upgrade is
//! asked in a request whose version forbids it.

use super::{Context, Version};
use crate::finding::{Dialect, Finding, Fix, Severity};
use crate::model::Pass;

declare_rule! {
    code: "GW113",
    name: "websocket-over-http10",
    severity: Error,
    family: DeadTargets,
    dialects: [Nginx],
    refuses: [],
    summary: "WebSocket headers forwarded while `proxy_http_version` is 1.0 (the default before nginx 1.29.7): the backend must ignore the upgrade, and the handshake never gets 101",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    if proxy.dialect != Dialect::Nginx {
        return;
    }
    // nginx 1.29.7 made HTTP/1.1 the default towards upstreams.
    let new_defaults = ctx.nginx_at_least(Version(1, 29, 7));
    for route in &proxy.routes {
        if route.pass != Pass::Proxy {
            continue;
        }
        let Some(upgrade) = proxy.set_header(route.scope, "upgrade") else {
            continue;
        };
        let version = proxy.deciding(route.scope, "proxy_http_version");
        let (finding, fix) = match version.last() {
            Some(d) if d.arg(0) == Some("1.0") => (
                Finding::new(
                    &RULE,
                    d.span(),
                    "`proxy_http_version 1.0` in a location that forwards `Upgrade` (WebSocket): the handshake reaches the backend as an HTTP/1.0 request, whose `Upgrade` header a server must ignore (RFC 9110, 7.8), so the client gets a plain response (or 400) instead of `101 Switching Protocols` and the WebSocket never opens",
                )
                .label("HTTP/1.0 cannot upgrade"),
                None,
            ),
            Some(_) => continue,
            None if new_defaults => continue,
            None => (
                Finding::new(
                    &RULE,
                    upgrade.span(),
                    "`Upgrade` is forwarded (WebSocket) but `proxy_http_version` is not set: nginx before 1.29.7 speaks HTTP/1.0 to upstreams, whose `Upgrade` header a server must ignore (RFC 9110, 7.8), so the client gets a plain response (or 400) instead of `101 Switching Protocols` and the WebSocket never opens",
                )
                .label("sent in an HTTP/1.0 request")
                .severity(match ctx.nginx_version {
                    Some(_) => Severity::Error,
                    // Unknown release: 1.29.7 and later are fine.
                    None => Severity::Warning,
                }),
                super::repair::after_route(ctx, route, &["proxy_http_version 1.1;"]),
            ),
        };
        let mut f = finding
            .help("add `proxy_http_version 1.1;` where the location forwards `Upgrade` and `Connection`")
            .related(route.directive.span(), "the WebSocket is proxied here");
        if let Some(edit) = fix {
            f = f.fix(Fix {
                title: "Speak HTTP/1.1 to the backend".into(),
                edits: vec![edit],
                uncovers: false,
            });
        }
        out.push(f);
    }
}
