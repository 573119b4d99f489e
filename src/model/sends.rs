//! What the proxy sends a backend on one hop, in both dialects: TLS or plain text, the
//! client's bytes passed on (TCP), HTTP/2, a PROXY protocol header. An nginx route decides
//! for every server it reaches (its scheme, `proxy_ssl`, `proxy_protocol` in a stream
//! server); an HAProxy server for itself (its keywords, then `default-server`'s). The chain
//! rules compare it with the listener the hop reaches.

use super::tls::{Wire, wire};
use super::{Ctx, Pass, Pool, Proxy, Route, Server};
use crate::source::Span;

/// What one hop sends, and where that is decided.
#[derive(Debug, Clone)]
pub(crate) struct Sends {
    /// TLS (Some(true)), plain text (Some(false)), or unknown (a scheme in a variable).
    pub(crate) tls: Option<bool>,
    /// The hop passes on whatever the client sent (HAProxy `mode tcp`, an nginx stream
    /// server), TLS included.
    pub(crate) tcp: bool,
    /// It speaks HTTP/2 (HAProxy `proto h2`, nginx `grpc_pass`).
    pub(crate) h2: bool,
    /// The word that turns TLS on (`ssl`), else where the target is named.
    pub(crate) tls_span: Span,
    /// It sends a PROXY protocol header (HAProxy `send-proxy*`, nginx stream
    /// `proxy_protocol on`), and the word that says so, else where the target is named.
    pub(crate) proxy_protocol: (bool, Span),
    /// The hop as written, for messages: "`server web1 127.0.0.1:8443 ssl`",
    /// "`proxy_pass https://127.0.0.1:8443`".
    pub(crate) shown: String,
    /// The same for the PROXY header: "`send-proxy-v2`", "`proxy_protocol on`", else `shown`.
    pub(crate) proxy_shown: String,
}

/// What an nginx route sends.
pub(crate) fn route(proxy: &Proxy, route: &Route) -> Sends {
    let on = |s: &super::Setting| s.first().is_some_and(|v| v.eq_ignore_ascii_case("on"));
    let tls = match route.ctx {
        Ctx::Http => match wire(route) {
            Wire::Tls => Some(true),
            Wire::Plain => Some(false),
            Wire::Unknown => None,
        },
        Ctx::Stream => Some(on(&proxy.setting(route.scope, "proxy_ssl"))),
    };
    let shown = format!(
        "`{} {}`",
        route.pass.directive(),
        route.directive.arg(0).unwrap_or("")
    );
    // Only the stream proxy can send a PROXY header; http's `proxy_protocol` is no directive.
    let set = proxy.setting(route.scope, "proxy_protocol");
    let proxy_protocol = match set.directives.last() {
        Some(d) if route.ctx == Ctx::Stream && on(&set) => Some(d.span()),
        _ => None,
    };
    Sends {
        tls,
        tcp: route.ctx == Ctx::Stream,
        h2: route.pass == Pass::Grpc,
        tls_span: route.target_span,
        proxy_protocol: (
            proxy_protocol.is_some(),
            proxy_protocol.unwrap_or(route.target_span),
        ),
        proxy_shown: match proxy_protocol {
            Some(_) => "`proxy_protocol on`".to_string(),
            None => shown.clone(),
        },
        shown,
    }
}

/// What an HAProxy server of `pool` sends: its own keywords first, then `default-server`'s.
pub(crate) fn server(proxy: &Proxy, pool: &Pool, server: &Server) -> Sends {
    let ssl = super::sections::flag(server, "ssl", "no-ssl");
    let send_proxy = server
        .params()
        .find(|(k, _, _)| k.starts_with("send-proxy") || k.starts_with("no-send-proxy"))
        .filter(|(k, _, _)| k.starts_with("send-proxy"));
    let shown = format!("`{}`", server.directive.written());
    Sends {
        tls: Some(ssl.is_some()),
        tcp: super::sections::mode(proxy, pool.scope) != "http",
        h2: server.param("proto").and_then(|p| p.1) == Some("h2"),
        tls_span: ssl.unwrap_or(server.endpoint_span),
        proxy_protocol: (
            send_proxy.is_some(),
            send_proxy.map_or(server.endpoint_span, |(_, _, span)| span),
        ),
        proxy_shown: match send_proxy {
            Some((k, _, _)) => format!("`{k}`"),
            None => shown.clone(),
        },
        shown,
    }
}
